//! Binding operators (`AND`/`OR`, comparisons, arithmetic, `||`, `CASE`) and literals: the parts of binding
//! where Flink's coercions happen — a `NULL` takes the other side's type, a string literal compared with a
//! number or date is converted once at plan time, numeric operands widen per [`super::typing`].

use super::bind::{BResult, Scope, lit, string_arg};
use super::suggest;
use super::typing::{
    arith_type, coerce, common_type, comparable, is_null_literal, is_numeric, is_string, type_name,
};
use crate::error::{Span, SqlError};
use crate::eval::{CompiledExpr, Func, Node, cast, time};
use crate::parse::{BinaryOp, Expr, ExprKind};
use crate::types::{DataType, Decimal, MAX_LENGTH, TypeKind, Value};

impl Scope<'_> {
    /// `temporal ± INTERVAL '…' unit`.
    fn add_interval(&self, temporal: &Expr, value: &str, unit: &str, negate: bool, span: Span) -> BResult {
        let e = self.bind(temporal)?;
        let (months, micros) = time::parse_interval(value, unit).map_err(|m| SqlError::new(m, span))?;
        let (months, micros) = if negate {
            (-months, -micros)
        } else {
            (months, micros)
        };
        match &e.data_type.kind {
            TypeKind::Timestamp(_) | TypeKind::TimestampLtz(_) => {}
            TypeKind::Date if micros % time::MICROS_PER_DAY == 0 => {}
            TypeKind::Time(_) if months == 0 => {}
            _ => {
                return Err(SqlError::new(
                    format!(
                        "cannot add INTERVAL '{value}' {unit} to {}",
                        type_name(&e.data_type)
                    ),
                    span,
                ));
            }
        }
        let sign = if negate { "-" } else { "+" };
        let text = format!("{sign} INTERVAL '{value}' {unit}");
        let ty = e.data_type.clone();
        Ok(super::bind::call(
            Func::AddInterval { months, micros, text },
            vec![e],
            ty,
        ))
    }

    pub(crate) fn binary(&self, op: BinaryOp, left: &Expr, right: &Expr, span: Span) -> BResult {
        if matches!(op, BinaryOp::Plus | BinaryOp::Minus) {
            let interval = match (&left.kind, &right.kind) {
                (_, ExprKind::Interval { value, unit }) => Some((left, value, unit, op == BinaryOp::Minus)),
                (ExprKind::Interval { value, unit }, _) if op == BinaryOp::Plus => {
                    Some((right, value, unit, false))
                }
                _ => None,
            };
            if let Some((temporal, value, unit, negate)) = interval {
                return self.add_interval(temporal, value, unit, negate, span);
            }
        }
        let l = self.bind(left)?;
        let r = self.bind(right)?;
        match op {
            BinaryOp::And | BinaryOp::Or => {
                let l = self.boolean(l, op.as_str(), left.span)?;
                let r = self.boolean(r, op.as_str(), right.span)?;
                let ty = DataType {
                    kind: TypeKind::Boolean,
                    nullable: l.data_type.nullable || r.data_type.nullable,
                };
                let node = if op == BinaryOp::And {
                    Node::And(Box::new(l), Box::new(r))
                } else {
                    Node::Or(Box::new(l), Box::new(r))
                };
                Ok(CompiledExpr::new(node, ty))
            }
            _ if op.is_comparison() => {
                let (l, r) = self.comparable_pair(l, r, op.as_str(), span)?;
                let ty = DataType {
                    kind: TypeKind::Boolean,
                    nullable: l.data_type.nullable || r.data_type.nullable,
                };
                Ok(CompiledExpr::new(
                    Node::Compare {
                        op,
                        left: Box::new(l),
                        right: Box::new(r),
                    },
                    ty,
                ))
            }
            BinaryOp::Concat => {
                let l = string_or_bytes(l, left.span)?;
                let r = string_or_bytes(r, right.span)?;
                let nullable = l.data_type.nullable || r.data_type.nullable;
                let kind = if matches!(l.data_type.kind, TypeKind::Binary(_) | TypeKind::Varbinary(_)) {
                    TypeKind::Varbinary(MAX_LENGTH)
                } else {
                    TypeKind::Varchar(MAX_LENGTH)
                };
                Ok(CompiledExpr::new(
                    Node::Concat(Box::new(l), Box::new(r)),
                    DataType { kind, nullable },
                ))
            }
            _ => {
                let lk = if is_null_literal(&l) {
                    r.data_type.kind.clone()
                } else {
                    l.data_type.kind.clone()
                };
                let rk = if is_null_literal(&r) {
                    l.data_type.kind.clone()
                } else {
                    r.data_type.kind.clone()
                };
                if !is_numeric(&lk) || !is_numeric(&rk) {
                    let temporal = |k: &TypeKind| {
                        matches!(
                            k,
                            TypeKind::Date
                                | TypeKind::Time(_)
                                | TypeKind::Timestamp(_)
                                | TypeKind::TimestampLtz(_)
                        )
                    };
                    let mut err = SqlError::new(
                        format!(
                            "`{}` needs numbers, got {} and {}",
                            op.as_str(),
                            type_name(&l.data_type),
                            type_name(&r.data_type)
                        ),
                        span,
                    );
                    if temporal(&lk) || temporal(&rk) {
                        err = err.with_hint("date/time arithmetic is not supported by `switchyard run`; compare epoch numbers or convert with TO_TIMESTAMP_LTZ");
                    } else if is_string(&lk) || is_string(&rk) {
                        err = err.with_hint("CAST the string to a number first, or use `||` to concatenate");
                    }
                    return Err(err);
                }
                let kind = arith_type(op, &lk, &rk);
                let nullable = l.data_type.nullable || r.data_type.nullable;
                let l = if is_null_literal(&l) {
                    coerce(l, &DataType::nullable(lk))
                } else {
                    l
                };
                let r = if is_null_literal(&r) {
                    coerce(r, &DataType::nullable(rk))
                } else {
                    r
                };
                Ok(CompiledExpr::new(
                    Node::Arith {
                        op,
                        left: Box::new(l),
                        right: Box::new(r),
                    },
                    DataType { kind, nullable },
                ))
            }
        }
    }

    /// Makes two operands comparable: `NULL` takes the other side's type, a string literal converts to a
    /// number/date/time/boolean on the other side (as Calcite's coercion does), anything else must already mix.
    pub(crate) fn comparable_pair(
        &self,
        l: CompiledExpr,
        r: CompiledExpr,
        what: &str,
        span: Span,
    ) -> Result<(CompiledExpr, CompiledExpr), SqlError> {
        if is_null_literal(&l) {
            let ty = r.data_type.clone();
            return Ok((coerce(l, &ty), r));
        }
        if is_null_literal(&r) {
            let ty = l.data_type.clone();
            return Ok((l, coerce(r, &ty)));
        }
        if comparable(&l.data_type.kind, &r.data_type.kind) {
            return Ok((l, r));
        }
        let fold =
            |lit_side: &CompiledExpr, other: &CompiledExpr| -> Option<Result<CompiledExpr, SqlError>> {
                let Some(v @ Value::String(text)) = lit_side.as_literal() else {
                    return None;
                };
                if is_string(&other.data_type.kind) {
                    return None;
                }
                let to = other.data_type.clone().with_nullable(false);
                Some(match cast::cast(v, &lit_side.data_type, &to) {
                    Ok(v) => Ok(CompiledExpr::new(Node::Literal(v), to)),
                    Err(_) => Err(SqlError::new(
                        format!(
                            "cannot compare {} with '{text}': it is not a valid {}",
                            type_name(&other.data_type),
                            type_name(&to)
                        ),
                        span,
                    )),
                })
            };
        if let Some(res) = fold(&r, &l) {
            return Ok((l, res?));
        }
        if let Some(res) = fold(&l, &r) {
            return Ok((res?, r));
        }
        Err(SqlError::new(
            format!(
                "cannot apply `{what}` to {} and {}",
                type_name(&l.data_type),
                type_name(&r.data_type)
            ),
            span,
        )
        .with_hint("CAST one side to the other's type"))
    }

    pub(crate) fn case(
        &self,
        operand: Option<&Expr>,
        whens: &[(Expr, Expr)],
        else_result: Option<&Expr>,
        span: Span,
    ) -> BResult {
        let op = match operand {
            Some(o) => Some(self.bind(o)?),
            None => None,
        };
        let mut conds = Vec::new();
        let mut results = Vec::new();
        for (w, t) in whens {
            let c = match &op {
                Some(o) => {
                    let (l, r) = self.comparable_pair(o.clone(), self.bind(w)?, "CASE … WHEN", w.span)?;
                    let nullable = l.data_type.nullable || r.data_type.nullable;
                    CompiledExpr::new(
                        Node::Compare {
                            op: BinaryOp::Eq,
                            left: Box::new(l),
                            right: Box::new(r),
                        },
                        DataType {
                            kind: TypeKind::Boolean,
                            nullable,
                        },
                    )
                }
                None => self.boolean(self.bind(w)?, "WHEN", w.span)?,
            };
            conds.push(c);
            results.push((self.bind(t)?, t.span));
        }
        let else_bound = match else_result {
            Some(e) => Some((self.bind(e)?, e.span)),
            None => None,
        };
        let all: Vec<&(CompiledExpr, Span)> = results.iter().chain(else_bound.iter()).collect();
        let typed: Vec<&DataType> = all
            .iter()
            .filter(|(e, _)| !is_null_literal(e))
            .map(|(e, _)| &e.data_type)
            .collect();
        let mut ty = if typed.is_empty() {
            DataType::string()
        } else {
            common_type(&typed).ok_or_else(|| {
                SqlError::new(
                    format!(
                        "CASE branches have incompatible types: {}",
                        typed.iter().map(|t| type_name(t)).collect::<Vec<_>>().join(", ")
                    ),
                    span,
                )
            })?
        };
        if else_bound.is_none()
            || all
                .iter()
                .any(|(e, _)| e.data_type.nullable || is_null_literal(e))
        {
            ty.nullable = true;
        }
        let whens = conds
            .into_iter()
            .zip(results)
            .map(|(c, (r, _))| (c, coerce(r, &ty)))
            .collect();
        let else_result = else_bound.map(|(e, _)| Box::new(coerce(e, &ty)));
        Ok(CompiledExpr::new(Node::Case { whens, else_result }, ty))
    }
}

fn string_or_bytes(e: CompiledExpr, span: Span) -> BResult {
    if matches!(e.data_type.kind, TypeKind::Binary(_) | TypeKind::Varbinary(_)) {
        return Ok(e);
    }
    string_arg(e, "`||`", span)
}

pub(crate) fn field_access(base: CompiledExpr, name: &str, span: Span) -> BResult {
    let TypeKind::Row(fields) = &base.data_type.kind else {
        return Err(SqlError::new(
            format!(
                "`.{name}` needs a ROW, but the expression is {}",
                type_name(&base.data_type)
            ),
            span,
        ));
    };
    let Some(index) = fields.iter().position(|f| f.name == name) else {
        let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
        let mut err = SqlError::new(
            format!(
                "the ROW has no field `{name}`; its fields are: {}",
                names.join(", ")
            ),
            span,
        );
        if let Some(why) = names.iter().find_map(|n| suggest::near_miss(name, n)) {
            err = err.with_hint(why);
        }
        return Err(err);
    };
    let ty = fields[index]
        .data_type
        .clone()
        .with_nullable(fields[index].data_type.nullable || base.data_type.nullable);
    Ok(CompiledExpr::new(
        Node::Field {
            base: Box::new(base),
            index,
            name: name.to_string(),
        },
        ty,
    ))
}

pub(crate) fn number_literal(n: &str, span: Span) -> BResult {
    if n.contains(['e', 'E']) {
        let f: f64 = n
            .parse()
            .map_err(|_| SqlError::new(format!("`{n}` is not a number"), span))?;
        return Ok(lit(Value::Double(f), TypeKind::Double));
    }
    if !n.contains('.') {
        if let Ok(i) = n.parse::<i32>() {
            return Ok(lit(Value::Int(i), TypeKind::Int));
        }
        if let Ok(i) = n.parse::<i64>() {
            return Ok(lit(Value::BigInt(i), TypeKind::BigInt));
        }
    }
    let d: Decimal = n.parse().map_err(|_| {
        SqlError::new(
            format!("the number `{n}` is out of range (DECIMAL holds up to 28 digits here)"),
            span,
        )
    })?;
    let digits = n.trim_start_matches('-').replace('.', "");
    let scale = n.split_once('.').map(|(_, f)| f.len()).unwrap_or(0) as u32;
    let precision = (digits.trim_start_matches('0').len() as u32).max(scale).max(1);
    Ok(lit(
        Value::Decimal(d),
        TypeKind::Decimal {
            precision: precision.min(38) as u8,
            scale: scale.min(38) as u8,
        },
    ))
}

pub(crate) fn typed_literal(type_name: &str, value: &str, span: Span) -> BResult {
    let err = |m: String| SqlError::new(m, span);
    let frac_digits = |s: &str| {
        s.rsplit_once('.')
            .filter(|(_, f)| f.chars().all(|c| c.is_ascii_digit()))
            .map(|(_, f)| f.len().min(9) as u8)
            .unwrap_or(0)
    };
    Ok(match type_name {
        "DATE" => lit(
            Value::Date(time::parse_date(value).map_err(err)? as i32),
            TypeKind::Date,
        ),
        "TIME" => {
            let p = frac_digits(value);
            lit(
                Value::Time(time::parse_time(value).map_err(err)?),
                TypeKind::Time(p),
            )
        }
        "TIMESTAMP" => {
            let p = frac_digits(value);
            lit(
                Value::Timestamp(time::parse_timestamp(value, false).map_err(err)?),
                TypeKind::Timestamp(p),
            )
        }
        _ => {
            let p = frac_digits(value.trim_end_matches('Z'));
            lit(
                Value::TimestampLtz(time::parse_timestamp(value, true).map_err(err)?),
                TypeKind::TimestampLtz(p),
            )
        }
    })
}
