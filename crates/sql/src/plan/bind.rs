//! Binding: resolving names and typing expressions with Flink's rules, producing [`CompiledExpr`]s.
//!
//! Every node gets its Flink type here (rules in [`super::typing`]), and every implicit conversion becomes
//! explicit in the tree (a `CAST` node, or a literal converted once at plan time), so evaluation never has to
//! decide anything about types. Errors name the column, function or operator, with the user's span.

use std::sync::Arc;

use super::ops::{field_access, number_literal, typed_literal};
use super::suggest;
pub(crate) use super::typing::{arith_type, coerce, common_type, is_null_literal};
use super::typing::{comparable, is_int, is_numeric, is_string, type_name};
use super::{ColumnKind, TableDef};
use crate::error::{Span, SqlError};
use crate::eval::{CompiledExpr, Func, Node, cast, functions::JsonOn, json_path::JsonPath, like_regex};
use crate::parse::{Expr, ExprKind, JsonBehavior, UnaryOp};
use crate::types::{DataType, MAX_LENGTH, TypeKind, Value};

/// Where names resolve: one table, and the names that may qualify its columns.
pub(crate) struct Scope<'a> {
    pub table: &'a TableDef,
    pub qualifiers: Vec<String>,
    /// Columns that may be referenced (computed columns cannot reference computed columns).
    pub allow_computed: bool,
}

pub(crate) type BResult = Result<CompiledExpr, SqlError>;

impl Scope<'_> {
    pub(crate) fn bind(&self, e: &Expr) -> BResult {
        let span = e.span;
        match &e.kind {
            ExprKind::Null => Ok(CompiledExpr::new(Node::Literal(Value::Null), DataType::string())),
            ExprKind::Bool(b) => Ok(lit(Value::Boolean(*b), TypeKind::Boolean)),
            ExprKind::Number(n) => number_literal(n, span),
            ExprKind::String(s) => Ok(lit(Value::string(s), TypeKind::Char(s.chars().count() as u32))),
            ExprKind::Typed { type_name, value } => typed_literal(type_name, value, span),
            ExprKind::Interval { .. } => Err(SqlError::new(
                "INTERVAL arithmetic is not supported by `switchyard run`",
                span,
            )
            .with_hint(crate::parse::FLINK_HINT)),
            ExprKind::Column(parts) => self.column(parts, span),
            ExprKind::Unary { op, expr } => {
                let inner = self.bind(expr)?;
                match op {
                    UnaryOp::Not => {
                        let inner = self.boolean(inner, "NOT", expr.span)?;
                        let ty = inner.data_type.clone();
                        Ok(CompiledExpr::new(Node::Not(Box::new(inner)), ty))
                    }
                    UnaryOp::Neg | UnaryOp::Plus => {
                        if !is_numeric(&inner.data_type.kind) && !is_null_literal(&inner) {
                            return Err(SqlError::new(
                                format!("unary minus needs a number, got {}", type_name(&inner.data_type)),
                                span,
                            ));
                        }
                        if *op == UnaryOp::Plus {
                            return Ok(inner);
                        }
                        let ty = inner.data_type.clone();
                        Ok(CompiledExpr::new(Node::Neg(Box::new(inner)), ty))
                    }
                }
            }
            ExprKind::Binary { op, left, right } => self.binary(*op, left, right, span),
            ExprKind::IsNull { expr, negated } => {
                let inner = self.bind(expr)?;
                Ok(CompiledExpr::new(
                    Node::IsNull {
                        expr: Box::new(inner),
                        negated: *negated,
                    },
                    DataType::not_null(TypeKind::Boolean),
                ))
            }
            ExprKind::IsBool { expr, value, negated } => {
                let inner = self.bind(expr)?;
                let inner = self.boolean(inner, "IS TRUE/FALSE/UNKNOWN", expr.span)?;
                Ok(CompiledExpr::new(
                    Node::IsBool {
                        expr: Box::new(inner),
                        value: *value,
                        negated: *negated,
                    },
                    DataType::not_null(TypeKind::Boolean),
                ))
            }
            ExprKind::IsDistinctFrom { left, right, negated } => {
                let (l, r) =
                    self.comparable_pair(self.bind(left)?, self.bind(right)?, "IS DISTINCT FROM", span)?;
                Ok(CompiledExpr::new(
                    Node::IsDistinct {
                        left: Box::new(l),
                        right: Box::new(r),
                        negated: *negated,
                    },
                    DataType::not_null(TypeKind::Boolean),
                ))
            }
            ExprKind::InList { expr, list, negated } => {
                let mut v = self.bind(expr)?;
                let mut items = Vec::new();
                let mut nullable = v.data_type.nullable;
                for item in list {
                    let (l, r) = self.comparable_pair(v, self.bind(item)?, "IN", item.span)?;
                    v = l;
                    nullable |= r.data_type.nullable;
                    items.push(r);
                }
                Ok(CompiledExpr::new(
                    Node::In {
                        expr: Box::new(v),
                        list: items,
                        negated: *negated,
                    },
                    DataType {
                        kind: TypeKind::Boolean,
                        nullable,
                    },
                ))
            }
            ExprKind::Between {
                expr,
                low,
                high,
                negated,
                symmetric,
            } => {
                let v = self.bind(expr)?;
                let (v, lo) = self.comparable_pair(v, self.bind(low)?, "BETWEEN", low.span)?;
                let (v, hi) = self.comparable_pair(v, self.bind(high)?, "BETWEEN", high.span)?;
                let nullable = v.data_type.nullable || lo.data_type.nullable || hi.data_type.nullable;
                Ok(CompiledExpr::new(
                    Node::Between {
                        expr: Box::new(v),
                        low: Box::new(lo),
                        high: Box::new(hi),
                        negated: *negated,
                        symmetric: *symmetric,
                    },
                    DataType {
                        kind: TypeKind::Boolean,
                        nullable,
                    },
                ))
            }
            ExprKind::Like {
                expr,
                pattern,
                escape,
                negated,
                similar,
            } => {
                let what = if *similar { "SIMILAR TO" } else { "LIKE" };
                let v = self.string_arg(self.bind(expr)?, what, expr.span)?;
                let p = self.string_arg(self.bind(pattern)?, what, pattern.span)?;
                let esc = match escape {
                    Some(x) => Some(self.string_arg(self.bind(x)?, "ESCAPE", x.span)?),
                    None => None,
                };
                let esc_char = match esc.as_ref().map(|x| x.as_literal()) {
                    Some(Some(Value::String(s))) => {
                        if s.chars().count() != 1 {
                            return Err(SqlError::new("the ESCAPE string must be one character", span));
                        }
                        s.chars().next()
                    }
                    _ => None,
                };
                let cached = match (p.as_literal(), &esc) {
                    (Some(Value::String(pat)), None) | (Some(Value::String(pat)), Some(_))
                        if esc.is_none() || esc_char.is_some() =>
                    {
                        Some(Arc::new(
                            like_regex(pat, esc_char, *similar)
                                .map_err(|m| SqlError::new(m, pattern.span))?,
                        ))
                    }
                    _ => None,
                };
                let nullable = v.data_type.nullable || p.data_type.nullable;
                Ok(CompiledExpr::new(
                    Node::Like {
                        expr: Box::new(v),
                        pattern: Box::new(p),
                        escape: esc.map(Box::new),
                        negated: *negated,
                        similar: *similar,
                        cached,
                    },
                    DataType {
                        kind: TypeKind::Boolean,
                        nullable,
                    },
                ))
            }
            ExprKind::Case {
                operand,
                whens,
                else_result,
            } => self.case(operand.as_deref(), whens, else_result.as_deref(), span),
            ExprKind::Cast {
                expr,
                data_type,
                try_cast,
            } => {
                let inner = self.bind(expr)?;
                if is_null_literal(&inner) {
                    return Ok(CompiledExpr::new(
                        Node::Literal(Value::Null),
                        data_type.clone().with_nullable(true),
                    ));
                }
                cast::check_explicit(&inner.data_type.kind, &data_type.kind).map_err(|m| {
                    SqlError::new(
                        format!("{m} (in {}CAST)", if *try_cast { "TRY_" } else { "" }),
                        span,
                    )
                })?;
                // TRY_CAST yields NULL on failure; a DECIMAL that overflows its precision is NULL too.
                let nullable = inner.data_type.nullable
                    || *try_cast
                    || matches!(data_type.kind, TypeKind::Decimal { .. });
                let ty = DataType {
                    kind: data_type.kind.clone(),
                    nullable,
                };
                Ok(CompiledExpr::new(
                    Node::Cast {
                        expr: Box::new(inner),
                        try_cast: *try_cast,
                    },
                    ty,
                ))
            }
            ExprKind::Function {
                name,
                args,
                star,
                distinct,
            } => {
                let mut bound = Vec::with_capacity(args.len());
                if let Some(r) = super::funcs::refuse(name, *star || *distinct) {
                    return Err(r);
                }
                for a in args {
                    bound.push((self.bind(a)?, a.span));
                }
                super::funcs::bind_function(name, bound, span)
            }
            ExprKind::Trim { mode, chars, expr } => {
                let s = self.string_arg(self.bind(expr)?, "TRIM", expr.span)?;
                let c = match chars {
                    Some(c) => self.string_arg(self.bind(c)?, "TRIM", c.span)?,
                    None => lit(Value::string(" "), TypeKind::Char(1)),
                };
                let nullable = s.data_type.nullable || c.data_type.nullable;
                Ok(call(
                    Func::Trim(*mode),
                    vec![s, c],
                    DataType {
                        kind: TypeKind::Varchar(MAX_LENGTH),
                        nullable,
                    },
                ))
            }
            ExprKind::Substring { expr, from, length } => {
                let mut args = vec![
                    self.string_arg(self.bind(expr)?, "SUBSTRING", expr.span)?,
                    self.int_arg(self.bind(from)?, "SUBSTRING", from.span)?,
                ];
                if let Some(l) = length {
                    args.push(self.int_arg(self.bind(l)?, "SUBSTRING", l.span)?);
                }
                let nullable = args.iter().any(|a| a.data_type.nullable);
                Ok(call(
                    Func::Substring,
                    args,
                    DataType {
                        kind: TypeKind::Varchar(MAX_LENGTH),
                        nullable,
                    },
                ))
            }
            ExprKind::Position { needle, haystack } => {
                let args = vec![
                    self.string_arg(self.bind(needle)?, "POSITION", needle.span)?,
                    self.string_arg(self.bind(haystack)?, "POSITION", haystack.span)?,
                ];
                let nullable = args.iter().any(|a| a.data_type.nullable);
                Ok(call(
                    Func::Position,
                    args,
                    DataType {
                        kind: TypeKind::Int,
                        nullable,
                    },
                ))
            }
            ExprKind::JsonValue {
                json,
                path,
                returning,
                on_empty,
                on_error,
            } => {
                let (j, p, compiled) = self.json_args(json, path, "JSON_VALUE")?;
                let ret = returning
                    .clone()
                    .unwrap_or_else(DataType::string)
                    .with_nullable(true);
                if matches!(
                    ret.kind,
                    TypeKind::Array(_) | TypeKind::Map(..) | TypeKind::Multiset(_) | TypeKind::Row(_)
                ) {
                    return Err(SqlError::new(
                        format!(
                            "JSON_VALUE cannot return {}; it returns scalars (use JSON_QUERY for objects and arrays)",
                            type_name(&ret)
                        ),
                        span,
                    ));
                }
                let mut args = vec![j, p];
                let mut behavior = |b: &JsonBehavior| -> Result<JsonOn, SqlError> {
                    Ok(match b {
                        JsonBehavior::Null => JsonOn::Null,
                        JsonBehavior::Error => JsonOn::Error,
                        JsonBehavior::Default(d) => {
                            let bound = self.bind(d)?;
                            cast::check_explicit(&bound.data_type.kind, &ret.kind)
                                .map_err(|m| SqlError::new(format!("JSON_VALUE DEFAULT: {m}"), d.span))?;
                            args.push(bound);
                            JsonOn::Default(args.len() - 1)
                        }
                    })
                };
                let on_empty = behavior(on_empty)?;
                let on_error = behavior(on_error)?;
                Ok(call(
                    Func::JsonValue {
                        path: compiled,
                        on_empty,
                        on_error,
                    },
                    args,
                    ret,
                ))
            }
            ExprKind::JsonQuery {
                json,
                path,
                wrapper,
                on_empty,
                on_error,
            } => {
                let (j, p, compiled) = self.json_args(json, path, "JSON_QUERY")?;
                Ok(call(
                    Func::JsonQuery {
                        path: compiled,
                        wrapper: *wrapper,
                        on_empty: *on_empty,
                        on_error: *on_error,
                    },
                    vec![j, p],
                    DataType::string(),
                ))
            }
            ExprKind::JsonExists { json, path, on_error } => {
                let (j, p, compiled) = self.json_args(json, path, "JSON_EXISTS")?;
                Ok(call(
                    Func::JsonExists {
                        path: compiled,
                        on_error: *on_error,
                    },
                    vec![j, p],
                    DataType::nullable(TypeKind::Boolean),
                ))
            }
            ExprKind::Field { expr, field } => {
                let base = self.bind(expr)?;
                field_access(base, &field.value, field.span)
            }
            ExprKind::Index { expr, index } => {
                let base = self.bind(expr)?;
                let idx = self.bind(index)?;
                let elem = match &base.data_type.kind {
                    TypeKind::Array(t) => {
                        if !is_int(&idx.data_type.kind) {
                            return Err(SqlError::new("an array index must be an integer", index.span));
                        }
                        (**t).clone()
                    }
                    TypeKind::Map(k, v) => {
                        if !comparable(&k.kind, &idx.data_type.kind) {
                            return Err(SqlError::new(
                                format!(
                                    "the map's keys are {}, the index is {}",
                                    type_name(k),
                                    type_name(&idx.data_type)
                                ),
                                index.span,
                            ));
                        }
                        (**v).clone()
                    }
                    _ => {
                        return Err(SqlError::new(
                            format!("`[…]` needs an ARRAY or MAP, got {}", type_name(&base.data_type)),
                            span,
                        ));
                    }
                };
                Ok(CompiledExpr::new(
                    Node::Index {
                        base: Box::new(base),
                        index: Box::new(idx),
                    },
                    elem.with_nullable(true),
                ))
            }
        }
    }

    fn json_args(
        &self,
        json: &Expr,
        path: &Expr,
        f: &str,
    ) -> Result<(CompiledExpr, CompiledExpr, Option<JsonPath>), SqlError> {
        let j = self.string_arg(self.bind(json)?, f, json.span)?;
        let p = self.string_arg(self.bind(path)?, f, path.span)?;
        let compiled = match p.as_literal() {
            Some(Value::String(text)) => {
                Some(JsonPath::parse(text).map_err(|m| SqlError::new(format!("{f}: {m}"), path.span))?)
            }
            _ => None,
        };
        Ok((j, p, compiled))
    }

    fn column(&self, parts: &[crate::parse::Ident], span: Span) -> BResult {
        let (col, rest) = if parts.len() >= 2
            && self.table.column_index(&parts[0].value).is_none()
            && self.qualifiers.iter().any(|q| *q == parts[0].value)
        {
            (&parts[1], &parts[2..])
        } else {
            (&parts[0], &parts[1..])
        };
        let Some(index) = self.table.column_index(&col.value) else {
            return Err(self.unknown_column(&col.value, col.span));
        };
        let def = &self.table.columns[index];
        if !self.allow_computed && matches!(def.kind, ColumnKind::Computed(_)) {
            return Err(SqlError::new(
                format!(
                    "computed column `{}` cannot be used in another computed column",
                    def.name
                ),
                col.span,
            ));
        }
        let mut e = CompiledExpr::new(
            Node::Column {
                index,
                name: def.name.clone(),
            },
            def.data_type.clone(),
        );
        for f in rest {
            e = field_access(e, &f.value, f.span)?;
        }
        let _ = span;
        Ok(e)
    }

    pub(crate) fn unknown_column(&self, name: &str, span: Span) -> SqlError {
        let names: Vec<&str> = self.table.columns.iter().map(|c| c.name.as_str()).collect();
        let mut err = SqlError::new(
            format!(
                "column `{name}` not found in table `{}`, whose columns are: {}",
                self.table.name,
                names.join(", ")
            ),
            span,
        );
        if let Some(why) = names.iter().find_map(|n| suggest::near_miss(name, n)) {
            err = err.with_hint(why);
        } else if let Some(best) = suggest::close(name, names.iter().copied()).first() {
            err = err.with_hint(format!("did you mean `{best}`?"));
        }
        err
    }

    pub(crate) fn boolean(&self, e: CompiledExpr, what: &str, span: Span) -> BResult {
        if is_null_literal(&e) {
            return Ok(CompiledExpr::new(
                Node::Literal(Value::Null),
                DataType::nullable(TypeKind::Boolean),
            ));
        }
        if e.data_type.kind != TypeKind::Boolean {
            return Err(SqlError::new(
                format!("{what} needs a BOOLEAN operand, got {}", type_name(&e.data_type)),
                span,
            ));
        }
        Ok(e)
    }

    pub(crate) fn string_arg(&self, e: CompiledExpr, f: &str, span: Span) -> BResult {
        string_arg(e, f, span)
    }

    fn int_arg(&self, e: CompiledExpr, f: &str, span: Span) -> BResult {
        int_arg(e, f, span)
    }
}

pub(crate) fn call(func: Func, args: Vec<CompiledExpr>, ty: DataType) -> CompiledExpr {
    CompiledExpr::new(
        Node::Call {
            func,
            args,
            cached: None,
        },
        ty,
    )
}

pub(crate) fn lit(v: Value, kind: TypeKind) -> CompiledExpr {
    CompiledExpr::new(Node::Literal(v), DataType::not_null(kind))
}

pub(crate) fn string_arg(e: CompiledExpr, f: &str, span: Span) -> BResult {
    if is_null_literal(&e) || is_string(&e.data_type.kind) {
        return Ok(e);
    }
    Err(SqlError::new(
        format!("{f} needs a string here, got {}", type_name(&e.data_type)),
        span,
    )
    .with_hint("CAST(… AS STRING)"))
}

pub(crate) fn int_arg(e: CompiledExpr, f: &str, span: Span) -> BResult {
    if is_null_literal(&e) {
        return Ok(coerce(e, &DataType::nullable(TypeKind::Int)));
    }
    if is_int(&e.data_type.kind) {
        return Ok(e);
    }
    Err(SqlError::new(
        format!("{f} needs an integer here, got {}", type_name(&e.data_type)),
        span,
    ))
}

pub(crate) fn numeric_arg(e: CompiledExpr, f: &str, span: Span) -> BResult {
    if is_null_literal(&e) {
        return Ok(coerce(e, &DataType::nullable(TypeKind::Int)));
    }
    if is_numeric(&e.data_type.kind) {
        return Ok(e);
    }
    Err(SqlError::new(
        format!("{f} needs a number here, got {}", type_name(&e.data_type)),
        span,
    ))
}
