//! Resolving function calls: Flink's built-in scalar functions that `switchyard run` evaluates, the
//! aggregates and window functions it refuses, and "did you mean" for the rest.
//!
//! Names are case-insensitive (as in Flink). Each entry checks its arguments' types and picks the result type
//! and nullability; evaluation is in `eval::functions`.

use std::sync::Arc;

use regex::Regex;

use super::bind::{BResult, call, coerce, common_type, int_arg, is_null_literal, numeric_arg, string_arg};
use super::suggest;
use crate::error::{Span, SqlError};
use crate::eval::{CompiledExpr, Func, Node};
use crate::parse::{FLINK_HINT, Ident, TrimMode, refusal};
use crate::types::{DataType, Field, MAX_LENGTH, TypeKind, Value};

/// Every scalar function name `switchyard run` knows (for suggestions).
const KNOWN: &[&str] = &[
    "UPPER",
    "LOWER",
    "INITCAP",
    "TRIM",
    "LTRIM",
    "RTRIM",
    "CONCAT",
    "CONCAT_WS",
    "SUBSTRING",
    "SUBSTR",
    "CHAR_LENGTH",
    "CHARACTER_LENGTH",
    "POSITION",
    "REGEXP",
    "REGEXP_REPLACE",
    "REGEXP_EXTRACT",
    "REPLACE",
    "SPLIT_INDEX",
    "LPAD",
    "RPAD",
    "REPEAT",
    "REVERSE",
    "JSON_VALUE",
    "JSON_QUERY",
    "JSON_EXISTS",
    "COALESCE",
    "IFNULL",
    "NULLIF",
    "IF",
    "CAST",
    "TRY_CAST",
    "TO_TIMESTAMP_LTZ",
    "TO_TIMESTAMP",
    "TO_DATE",
    "DATE_FORMAT",
    "CURRENT_TIMESTAMP",
    "NOW",
    "LOCALTIMESTAMP",
    "CURRENT_DATE",
    "CURRENT_TIME",
    "LOCALTIME",
    "CURRENT_ROW_TIMESTAMP",
    "UNIX_TIMESTAMP",
    "FROM_UNIXTIME",
    "ABS",
    "MOD",
    "ROUND",
    "FLOOR",
    "CEIL",
    "CEILING",
    "ROW",
    "ARRAY",
    "MAP",
    "CARDINALITY",
];

const AGGREGATES: &[&str] = &[
    "COUNT",
    "SUM",
    "AVG",
    "MIN",
    "MAX",
    "COLLECT",
    "LISTAGG",
    "FIRST_VALUE",
    "LAST_VALUE",
    "STDDEV",
    "STDDEV_POP",
    "STDDEV_SAMP",
    "VARIANCE",
    "VAR_POP",
    "VAR_SAMP",
    "ARRAY_AGG",
    "JSON_OBJECTAGG",
    "JSON_ARRAYAGG",
    "BOOL_AND",
    "BOOL_OR",
];

const WINDOWS: &[&str] = &[
    "TUMBLE",
    "HOP",
    "SESSION",
    "CUMULATE",
    "TUMBLE_START",
    "TUMBLE_END",
    "TUMBLE_ROWTIME",
    "HOP_START",
    "HOP_END",
    "SESSION_START",
    "SESSION_END",
];

const OVER_ONLY: &[&str] = &[
    "ROW_NUMBER",
    "RANK",
    "DENSE_RANK",
    "PERCENT_RANK",
    "CUME_DIST",
    "NTILE",
    "LAG",
    "LEAD",
];

/// A refusal for aggregates, window functions and ranking functions (checked before the arguments bind).
pub(super) fn refuse(name: &Ident, star_or_distinct: bool) -> Option<SqlError> {
    let upper = name.value.to_ascii_uppercase();
    if AGGREGATES.contains(&upper.as_str()) || (star_or_distinct && !KNOWN.contains(&upper.as_str())) {
        return Some(refusal(
            &format!("the aggregate function {upper} (aggregation)"),
            name.span,
        ));
    }
    if WINDOWS.contains(&upper.as_str()) {
        return Some(refusal(&format!("the {upper} window"), name.span));
    }
    if OVER_ONLY.contains(&upper.as_str()) {
        return Some(refusal(&format!("{upper} (an OVER window function)"), name.span));
    }
    None
}

pub(super) fn nullable_any(args: &[CompiledExpr]) -> bool {
    args.iter().any(|a| a.data_type.nullable)
}

pub(super) fn string_ty(nullable: bool) -> DataType {
    DataType {
        kind: TypeKind::Varchar(MAX_LENGTH),
        nullable,
    }
}

pub(super) fn arity(name: &Ident, n: usize, min: usize, max: usize, span: Span) -> Result<(), SqlError> {
    if n < min || n > max {
        let expect = if min == max {
            format!("{min}")
        } else if max == usize::MAX {
            format!("at least {min}")
        } else {
            format!("{min} to {max}")
        };
        return Err(SqlError::new(
            format!(
                "{} takes {expect} argument{}, got {n}",
                name.value.to_ascii_uppercase(),
                if expect == "1" { "" } else { "s" }
            ),
            span,
        ));
    }
    Ok(())
}

/// Compiles a literal regex once; a bad literal regex is a plan-time error.
fn with_regex(mut e: CompiledExpr, pattern: &CompiledExpr, span: Span) -> BResult {
    if let Some(Value::String(p)) = pattern.as_literal() {
        let re = Regex::new(p)
            .map_err(|err| SqlError::new(format!("invalid regular expression '{p}': {err}"), span))?;
        if let Node::Call { cached, .. } = &mut e.node {
            *cached = Some(Arc::new(re));
        }
    }
    Ok(e)
}

/// Binds a call to a built-in function, with its (already bound) arguments and their spans.
pub(super) fn bind_function(name: &Ident, args: Vec<(CompiledExpr, Span)>, span: Span) -> BResult {
    let upper = name.value.to_ascii_uppercase();
    let n = args.len();
    let spans: Vec<Span> = args.iter().map(|(_, s)| *s).collect();
    let mut a: Vec<CompiledExpr> = args.into_iter().map(|(e, _)| e).collect();
    let f = upper.as_str();
    let s = |a: &mut Vec<CompiledExpr>, i: usize| -> Result<(), SqlError> {
        let e = std::mem::replace(&mut a[i], CompiledExpr::literal(Value::Null, DataType::string()));
        a[i] = string_arg(e, f, spans[i])?;
        Ok(())
    };
    let int = |a: &mut Vec<CompiledExpr>, i: usize| -> Result<(), SqlError> {
        let e = std::mem::replace(&mut a[i], CompiledExpr::literal(Value::Null, DataType::string()));
        a[i] = int_arg(e, f, spans[i])?;
        Ok(())
    };
    let num = |a: &mut Vec<CompiledExpr>, i: usize| -> Result<(), SqlError> {
        let e = std::mem::replace(&mut a[i], CompiledExpr::literal(Value::Null, DataType::string()));
        a[i] = numeric_arg(e, f, spans[i])?;
        Ok(())
    };
    if super::funcs_time::is_temporal(f) {
        return super::funcs_time::bind_temporal(name, a, &spans, span);
    }
    match f {
        "UPPER" | "LOWER" | "INITCAP" | "REVERSE" | "CHAR_LENGTH" | "CHARACTER_LENGTH" => {
            arity(name, n, 1, 1, span)?;
            s(&mut a, 0)?;
            let nullable = nullable_any(&a);
            let (func, ty) = match f {
                "UPPER" => (Func::Upper, string_ty(nullable)),
                "LOWER" => (Func::Lower, string_ty(nullable)),
                "INITCAP" => (Func::Initcap, string_ty(nullable)),
                "REVERSE" => (Func::Reverse, string_ty(nullable)),
                _ => (
                    Func::CharLength,
                    DataType {
                        kind: TypeKind::Int,
                        nullable,
                    },
                ),
            };
            Ok(call(func, a, ty))
        }
        "LTRIM" | "RTRIM" => {
            arity(name, n, 1, 2, span)?;
            for i in 0..n {
                s(&mut a, i)?;
            }
            if n == 1 {
                a.push(CompiledExpr::literal(
                    Value::string(" "),
                    DataType::not_null(TypeKind::Char(1)),
                ));
            }
            let mode = if f == "LTRIM" {
                TrimMode::Leading
            } else {
                TrimMode::Trailing
            };
            let nullable = nullable_any(&a);
            Ok(call(Func::Trim(mode), a, string_ty(nullable)))
        }
        "TRIM" => {
            arity(name, n, 1, 1, span)?;
            s(&mut a, 0)?;
            a.push(CompiledExpr::literal(
                Value::string(" "),
                DataType::not_null(TypeKind::Char(1)),
            ));
            let nullable = nullable_any(&a);
            Ok(call(Func::Trim(TrimMode::Both), a, string_ty(nullable)))
        }
        "CONCAT" | "CONCAT_WS" => {
            arity(name, n, if f == "CONCAT" { 1 } else { 2 }, usize::MAX, span)?;
            for i in 0..n {
                s(&mut a, i)?;
            }
            // CONCAT is NULL when any argument is; CONCAT_WS skips NULL arguments (NULL separator → NULL).
            let nullable = if f == "CONCAT" {
                nullable_any(&a)
            } else {
                a[0].data_type.nullable
            };
            Ok(call(
                if f == "CONCAT" {
                    Func::Concat
                } else {
                    Func::ConcatWs
                },
                a,
                string_ty(nullable),
            ))
        }
        "POSITION" => {
            arity(name, n, 2, 2, span)?;
            s(&mut a, 0)?;
            s(&mut a, 1)?;
            let nullable = nullable_any(&a);
            Ok(call(
                Func::Position,
                a,
                DataType {
                    kind: TypeKind::Int,
                    nullable,
                },
            ))
        }
        "REGEXP" => {
            arity(name, n, 2, 2, span)?;
            s(&mut a, 0)?;
            s(&mut a, 1)?;
            let nullable = nullable_any(&a);
            let pattern = a[1].clone();
            with_regex(
                call(
                    Func::Regexp,
                    a,
                    DataType {
                        kind: TypeKind::Boolean,
                        nullable,
                    },
                ),
                &pattern,
                spans[1],
            )
        }
        "REGEXP_REPLACE" => {
            arity(name, n, 3, 3, span)?;
            for i in 0..3 {
                s(&mut a, i)?;
            }
            let nullable = nullable_any(&a);
            let pattern = a[1].clone();
            with_regex(
                call(Func::RegexpReplace, a, string_ty(nullable)),
                &pattern,
                spans[1],
            )
        }
        "REGEXP_EXTRACT" => {
            arity(name, n, 2, 3, span)?;
            s(&mut a, 0)?;
            s(&mut a, 1)?;
            if n == 3 {
                int(&mut a, 2)?;
            }
            let pattern = a[1].clone();
            with_regex(call(Func::RegexpExtract, a, string_ty(true)), &pattern, spans[1])
        }
        "REPLACE" => {
            arity(name, n, 3, 3, span)?;
            for i in 0..3 {
                s(&mut a, i)?;
            }
            let nullable = nullable_any(&a);
            Ok(call(Func::Replace, a, string_ty(nullable)))
        }
        "SPLIT_INDEX" => {
            arity(name, n, 3, 3, span)?;
            s(&mut a, 0)?;
            s(&mut a, 1)?;
            int(&mut a, 2)?;
            Ok(call(Func::SplitIndex, a, string_ty(true)))
        }
        "LPAD" | "RPAD" => {
            arity(name, n, 3, 3, span)?;
            s(&mut a, 0)?;
            int(&mut a, 1)?;
            s(&mut a, 2)?;
            Ok(call(
                if f == "LPAD" { Func::Lpad } else { Func::Rpad },
                a,
                string_ty(true),
            ))
        }
        "REPEAT" => {
            arity(name, n, 2, 2, span)?;
            s(&mut a, 0)?;
            int(&mut a, 1)?;
            let nullable = nullable_any(&a);
            Ok(call(Func::Repeat, a, string_ty(nullable)))
        }
        "SUBSTRING" | "SUBSTR" => {
            arity(name, n, 2, 3, span)?;
            s(&mut a, 0)?;
            for i in 1..n {
                int(&mut a, i)?;
            }
            let nullable = nullable_any(&a);
            Ok(call(Func::Substring, a, string_ty(nullable)))
        }
        "COALESCE" | "IFNULL" => {
            if f == "IFNULL" {
                arity(name, n, 2, 2, span)?;
            } else {
                arity(name, n, 1, usize::MAX, span)?;
            }
            let ty = merged(&a, f, span)?;
            let nullable = a.iter().all(|e| e.data_type.nullable || is_null_literal(e));
            let ty = ty.with_nullable(nullable);
            let a = a.into_iter().map(|e| coerce(e, &ty)).collect();
            Ok(call(Func::Coalesce, a, ty))
        }
        "NULLIF" => {
            arity(name, n, 2, 2, span)?;
            let ty = merged(&a, f, span)?.with_nullable(true);
            let a = a.into_iter().map(|e| coerce(e, &ty)).collect();
            Ok(call(Func::Nullif, a, ty))
        }
        "IF" => {
            arity(name, n, 3, 3, span)?;
            if !is_null_literal(&a[0]) && a[0].data_type.kind != TypeKind::Boolean {
                return Err(SqlError::new(
                    format!(
                        "IF needs a BOOLEAN condition, got {}",
                        a[0].data_type.clone().with_nullable(true)
                    ),
                    spans[0],
                ));
            }
            let ty = merged(&a[1..], f, span)?;
            let ty = ty.with_nullable(a[1..].iter().any(|e| e.data_type.nullable || is_null_literal(e)));
            let cond = a.remove(0);
            let mut out = vec![cond];
            out.extend(a.into_iter().map(|e| coerce(e, &ty)));
            Ok(call(Func::If, out, ty))
        }
        "ABS" => {
            arity(name, n, 1, 1, span)?;
            num(&mut a, 0)?;
            let ty = a[0].data_type.clone();
            Ok(call(Func::Abs, a, ty))
        }
        "MOD" => {
            arity(name, n, 2, 2, span)?;
            int(&mut a, 0)?;
            int(&mut a, 1)?;
            let kind = super::bind::arith_type(
                crate::parse::BinaryOp::Mod,
                &a[0].data_type.kind,
                &a[1].data_type.kind,
            );
            let nullable = nullable_any(&a);
            Ok(call(Func::Mod, a, DataType { kind, nullable }))
        }
        "ROUND" | "FLOOR" | "CEIL" | "CEILING" => {
            arity(name, n, 1, if f == "ROUND" { 2 } else { 1 }, span)?;
            num(&mut a, 0)?;
            let digits = if n == 2 {
                int(&mut a, 1)?;
                match a[1].as_literal().and_then(crate::eval::cast::to_i64) {
                    Some(d) => d,
                    None => {
                        return Err(SqlError::new(
                            "ROUND's digits must be an integer literal",
                            spans[1],
                        ));
                    }
                }
            } else {
                0
            };
            let kind = match &a[0].data_type.kind {
                TypeKind::Decimal { precision, scale } => {
                    let s = (*scale as i64).min(digits.max(0)) as u8;
                    let s = if f == "ROUND" { s } else { 0 };
                    TypeKind::Decimal {
                        precision: (*precision).saturating_add(1).min(38),
                        scale: s,
                    }
                }
                k => k.clone(),
            };
            let nullable = nullable_any(&a);
            let func = match f {
                "ROUND" => Func::Round,
                "FLOOR" => Func::Floor,
                _ => Func::Ceil,
            };
            Ok(call(func, a, DataType { kind, nullable }))
        }
        "ROW" => {
            let fields = a
                .iter()
                .enumerate()
                .map(|(i, e)| Field {
                    name: format!("EXPR${i}"),
                    data_type: e.data_type.clone(),
                })
                .collect();
            Ok(call(Func::Row, a, DataType::not_null(TypeKind::Row(fields))))
        }
        "ARRAY" => {
            arity(name, n, 1, usize::MAX, span)?;
            let elem = merged(&a, f, span)?;
            let elem = elem.with_nullable(a.iter().any(|e| e.data_type.nullable || is_null_literal(e)));
            let a = a.into_iter().map(|e| coerce(e, &elem)).collect();
            Ok(call(
                Func::Array,
                a,
                DataType::not_null(TypeKind::Array(Box::new(elem))),
            ))
        }
        "MAP" => {
            if n < 2 || !n.is_multiple_of(2) {
                return Err(SqlError::new(
                    format!("MAP[…] needs key/value pairs, got {n} argument(s)"),
                    span,
                )
                .with_hint("write MAP['key1', value1, 'key2', value2]"));
            }
            let keys: Vec<CompiledExpr> = a.iter().step_by(2).cloned().collect();
            let values: Vec<CompiledExpr> = a.iter().skip(1).step_by(2).cloned().collect();
            let key = merged(&keys, f, span)?
                .with_nullable(keys.iter().any(|e| e.data_type.nullable || is_null_literal(e)));
            let value = merged(&values, f, span)?
                .with_nullable(values.iter().any(|e| e.data_type.nullable || is_null_literal(e)));
            let a = a
                .into_iter()
                .enumerate()
                .map(|(i, e)| {
                    if i % 2 == 0 {
                        coerce(e, &key)
                    } else {
                        coerce(e, &value)
                    }
                })
                .collect();
            Ok(call(
                Func::Map,
                a,
                DataType::not_null(TypeKind::Map(Box::new(key), Box::new(value))),
            ))
        }
        "IS_JSON" => {
            arity(name, n, 2, 2, span)?;
            s(&mut a, 0)?;
            Ok(call(Func::IsJson, a, DataType::not_null(TypeKind::Boolean)))
        }
        "GREATEST" | "LEAST" => {
            arity(name, n, 1, usize::MAX, span)?;
            let ty = merged(&a, f, span)?;
            let ty = ty.with_nullable(a.iter().any(|e| e.data_type.nullable || is_null_literal(e)));
            let a = a.into_iter().map(|e| coerce(e, &ty)).collect();
            Ok(call(
                if f == "GREATEST" {
                    Func::Greatest
                } else {
                    Func::Least
                },
                a,
                ty,
            ))
        }
        "CARDINALITY" => {
            arity(name, n, 1, 1, span)?;
            if !matches!(
                a[0].data_type.kind,
                TypeKind::Array(_) | TypeKind::Map(..) | TypeKind::Multiset(_)
            ) {
                return Err(SqlError::new(
                    "CARDINALITY needs an ARRAY, MAP or MULTISET",
                    spans[0],
                ));
            }
            let nullable = nullable_any(&a);
            Ok(call(
                Func::Cardinality,
                a,
                DataType {
                    kind: TypeKind::Int,
                    nullable,
                },
            ))
        }
        _ => {
            let close = suggest::close(&upper, KNOWN.iter().copied());
            let mut err = SqlError::new(format!("unknown function `{}`", name.value), name.span);
            err = if close.is_empty() {
                err.with_hint(format!(
                    "`switchyard run` evaluates Flink's built-in scalar functions only (user-defined functions need Flink: {FLINK_HINT})"
                ))
            } else {
                err.with_hint(format!(
                    "did you mean {}?",
                    close
                        .iter()
                        .map(|c| format!("`{c}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            };
            Err(err)
        }
    }
}

fn merged(a: &[CompiledExpr], f: &str, span: Span) -> Result<DataType, SqlError> {
    let typed: Vec<&DataType> = a
        .iter()
        .filter(|e| !is_null_literal(e))
        .map(|e| &e.data_type)
        .collect();
    if typed.is_empty() {
        return Ok(DataType::string());
    }
    common_type(&typed).ok_or_else(|| {
        SqlError::new(
            format!(
                "{f}'s arguments have incompatible types: {}",
                typed
                    .iter()
                    .map(|t| (*t).clone().with_nullable(true).to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            span,
        )
    })
}
