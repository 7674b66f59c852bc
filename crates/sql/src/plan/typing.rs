//! Flink's typing rules: result types of arithmetic (`LogicalTypeMerging`: decimal precision and scale for
//! `+ - * / %`, integer division for integers), least-restrictive types for `CASE`/`COALESCE`/`IN`, which types
//! compare, and the implicit conversions the binder makes explicit.
//!
//! Kept apart from name resolution so the rules can be read (and checked against Flink) on their own.

use crate::eval::{CompiledExpr, Node, cast};
use crate::parse::BinaryOp;
use crate::types::{DataType, MAX_LENGTH, TypeKind, Value};

pub(crate) fn is_null_literal(e: &CompiledExpr) -> bool {
    matches!(e.node, Node::Literal(Value::Null))
}

pub(crate) fn is_int(k: &TypeKind) -> bool {
    matches!(
        k,
        TypeKind::TinyInt | TypeKind::SmallInt | TypeKind::Int | TypeKind::BigInt
    )
}

pub(crate) fn is_numeric(k: &TypeKind) -> bool {
    is_int(k) || matches!(k, TypeKind::Float | TypeKind::Double | TypeKind::Decimal { .. })
}

pub(crate) fn is_string(k: &TypeKind) -> bool {
    matches!(k, TypeKind::Char(_) | TypeKind::Varchar(_))
}

fn int_rank(k: &TypeKind) -> u8 {
    match k {
        TypeKind::TinyInt => 1,
        TypeKind::SmallInt => 2,
        TypeKind::Int => 3,
        _ => 4,
    }
}

/// An integer type as the `DECIMAL` that holds it.
fn as_decimal(k: &TypeKind) -> (u32, u32) {
    match k {
        TypeKind::TinyInt => (3, 0),
        TypeKind::SmallInt => (5, 0),
        TypeKind::Int => (10, 0),
        TypeKind::BigInt => (19, 0),
        TypeKind::Decimal { precision, scale } => (*precision as u32, *scale as u32),
        _ => (38, 18),
    }
}

/// Flink's `adjustPrecisionScale`: keep precision within 38, giving up scale (down to 6) first.
fn decimal(p: u32, s: u32) -> TypeKind {
    let (p, s) = if p > 38 {
        let int_digits = p - s;
        let min_scale = s.min(6);
        (38, (38u32.saturating_sub(int_digits)).max(min_scale))
    } else {
        (p, s)
    };
    TypeKind::Decimal {
        precision: p.max(1) as u8,
        scale: s.min(p) as u8,
    }
}

/// The result type of `a op b` for numeric operands.
pub(crate) fn arith_type(op: BinaryOp, a: &TypeKind, b: &TypeKind) -> TypeKind {
    use TypeKind as K;
    match (a, b) {
        (K::Double, _) | (_, K::Double) => K::Double,
        (K::Float, K::Decimal { .. }) | (K::Decimal { .. }, K::Float) => K::Double,
        (K::Float, _) | (_, K::Float) => K::Float,
        _ if is_int(a) && is_int(b) => {
            if int_rank(a) >= int_rank(b) {
                a.clone()
            } else {
                b.clone()
            }
        }
        _ => {
            let (p1, s1) = as_decimal(a);
            let (p2, s2) = as_decimal(b);
            match op {
                BinaryOp::Plus | BinaryOp::Minus => {
                    let s = s1.max(s2);
                    decimal((p1 - s1).max(p2 - s2) + s + 1, s)
                }
                BinaryOp::Mul => decimal(p1 + p2, s1 + s2),
                BinaryOp::Div => {
                    let s = 6u32.max(s1 + p2 + 1);
                    decimal(p1 - s1 + s2 + s, s)
                }
                _ => {
                    let s = s1.max(s2);
                    decimal((p1 - s1).min(p2 - s2) + s, s)
                }
            }
        }
    }
}

/// The least restrictive type of several (for `CASE`, `COALESCE`, `IN`): `None` when they do not mix.
pub(crate) fn common_type(types: &[&DataType]) -> Option<DataType> {
    let nullable = types.iter().any(|t| t.nullable);
    let first = types.first()?;
    let mut kind = first.kind.clone();
    for t in &types[1..] {
        let k = &t.kind;
        kind = match (&kind, k) {
            _ if kind == *k => kind,
            _ if is_numeric(&kind) && is_numeric(k) => {
                if matches!((&kind, k), (TypeKind::Double, _) | (_, TypeKind::Double)) {
                    TypeKind::Double
                } else if is_int(&kind) && is_int(k) {
                    if int_rank(&kind) >= int_rank(k) {
                        kind
                    } else {
                        k.clone()
                    }
                } else if matches!((&kind, k), (TypeKind::Float, _) | (_, TypeKind::Float)) {
                    if is_int(&kind) || is_int(k) {
                        TypeKind::Float
                    } else {
                        TypeKind::Double
                    }
                } else {
                    let (p1, s1) = as_decimal(&kind);
                    let (p2, s2) = as_decimal(k);
                    let s = s1.max(s2);
                    decimal((p1 - s1).max(p2 - s2) + s, s)
                }
            }
            _ if is_string(&kind) && is_string(k) => {
                let len = |k: &TypeKind| match k {
                    TypeKind::Char(n) | TypeKind::Varchar(n) => *n,
                    _ => MAX_LENGTH,
                };
                TypeKind::Varchar(len(&kind).max(len(k)).max(1))
            }
            (TypeKind::Binary(a) | TypeKind::Varbinary(a), TypeKind::Binary(b) | TypeKind::Varbinary(b)) => {
                TypeKind::Varbinary(*a.max(b))
            }
            (TypeKind::Time(a), TypeKind::Time(b)) => TypeKind::Time(*a.max(b)),
            (TypeKind::Timestamp(a), TypeKind::Timestamp(b)) => TypeKind::Timestamp(*a.max(b)),
            (
                TypeKind::Timestamp(a) | TypeKind::TimestampLtz(a),
                TypeKind::Timestamp(b) | TypeKind::TimestampLtz(b),
            ) => TypeKind::TimestampLtz(*a.max(b)),
            _ => return None,
        };
    }
    Some(DataType { kind, nullable })
}

/// `e` converted to `to` (a `CAST` node, a retyped `NULL`, or nothing when the kinds already agree).
pub(crate) fn coerce(e: CompiledExpr, to: &DataType) -> CompiledExpr {
    if is_null_literal(&e) {
        return CompiledExpr::new(Node::Literal(Value::Null), to.clone().with_nullable(true));
    }
    if e.data_type.kind == to.kind {
        return e;
    }
    let ty = DataType {
        kind: to.kind.clone(),
        nullable: e.data_type.nullable,
    };
    if let Node::Literal(v) = &e.node
        && let Ok(v) = cast::cast(v, &e.data_type, &ty)
    {
        return CompiledExpr::new(Node::Literal(v), ty);
    }
    CompiledExpr::new(
        Node::Cast {
            expr: Box::new(e),
            try_cast: false,
        },
        ty,
    )
}

pub(crate) fn comparable(a: &TypeKind, b: &TypeKind) -> bool {
    use TypeKind as K;
    (is_numeric(a) && is_numeric(b))
        || (is_string(a) && is_string(b))
        || matches!(
            (a, b),
            (K::Boolean, K::Boolean)
                | (K::Date, K::Date)
                | (K::Time(_), K::Time(_))
                | (K::Binary(_) | K::Varbinary(_), K::Binary(_) | K::Varbinary(_))
                | (
                    K::Timestamp(_) | K::TimestampLtz(_),
                    K::Timestamp(_) | K::TimestampLtz(_)
                )
        )
        || a == b
}

pub(crate) fn type_name(t: &DataType) -> String {
    t.clone().with_nullable(true).to_string()
}
