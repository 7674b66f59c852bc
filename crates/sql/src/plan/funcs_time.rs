//! Binding the date/time functions: `TO_TIMESTAMP_LTZ` (epoch seconds or milliseconds), `TO_TIMESTAMP`,
//! `TO_DATE`, `DATE_FORMAT`, the clock functions, `UNIX_TIMESTAMP`, `FROM_UNIXTIME`, and `EXTRACT` with its
//! shorthands (`YEAR(ts)`, `HOUR(ts)`, …). Session time zone: UTC.

use super::bind::{BResult, call, int_arg, is_null_literal, numeric_arg, string_arg};
use super::funcs::{arity, nullable_any, string_ty};
use crate::error::{Span, SqlError};
use crate::eval::{CompiledExpr, Func};
use crate::parse::Ident;
use crate::types::{DataType, TypeKind, Value};

/// Whether `f` (upper-cased) is one of this module's functions.
pub(super) fn is_temporal(f: &str) -> bool {
    matches!(
        f,
        "TO_TIMESTAMP_LTZ"
            | "TO_TIMESTAMP"
            | "TO_DATE"
            | "DATE_FORMAT"
            | "CURRENT_TIMESTAMP"
            | "NOW"
            | "CURRENT_ROW_TIMESTAMP"
            | "LOCALTIMESTAMP"
            | "CURRENT_DATE"
            | "CURRENT_TIME"
            | "LOCALTIME"
            | "UNIX_TIMESTAMP"
            | "FROM_UNIXTIME"
            | "EXTRACT"
            | "YEAR"
            | "QUARTER"
            | "MONTH"
            | "WEEK"
            | "DAYOFMONTH"
            | "DAYOFYEAR"
            | "DAYOFWEEK"
            | "HOUR"
            | "MINUTE"
            | "SECOND"
    )
}

/// Binds a call to a date/time function (see [`is_temporal`]).
pub(super) fn bind_temporal(name: &Ident, mut a: Vec<CompiledExpr>, spans: &[Span], span: Span) -> BResult {
    let upper = name.value.to_ascii_uppercase();
    let n = a.len();
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
    match f {
        "TO_TIMESTAMP_LTZ" => {
            arity(name, n, 1, 2, span)?;
            num(&mut a, 0)?;
            if n == 2 {
                int(&mut a, 1)?;
                match a[1].as_literal() {
                    Some(v) => match crate::eval::cast::to_i64(v) {
                        Some(0 | 3) => {}
                        _ => {
                            return Err(SqlError::new(
                                "TO_TIMESTAMP_LTZ's precision must be 0 (epoch seconds) or 3 (epoch milliseconds)",
                                spans[1],
                            ));
                        }
                    },
                    None => {
                        return Err(SqlError::new(
                            "TO_TIMESTAMP_LTZ's precision must be a literal",
                            spans[1],
                        ));
                    }
                }
            } else {
                // Flink's default: epoch milliseconds.
                a.push(CompiledExpr::literal(
                    Value::Int(3),
                    DataType::not_null(TypeKind::Int),
                ));
            }
            let nullable = a[0].data_type.nullable;
            Ok(call(
                Func::ToTimestampLtz,
                a,
                DataType {
                    kind: TypeKind::TimestampLtz(3),
                    nullable,
                },
            ))
        }
        "TO_TIMESTAMP" | "TO_DATE" => {
            arity(name, n, 1, 2, span)?;
            for i in 0..n {
                s(&mut a, i)?;
            }
            let kind = if f == "TO_DATE" {
                TypeKind::Date
            } else {
                TypeKind::Timestamp(3)
            };
            Ok(call(
                if f == "TO_DATE" {
                    Func::ToDate
                } else {
                    Func::ToTimestamp
                },
                a,
                DataType::nullable(kind),
            ))
        }
        "DATE_FORMAT" => {
            arity(name, n, 2, 2, span)?;
            if !matches!(
                a[0].data_type.kind,
                TypeKind::Timestamp(_) | TypeKind::TimestampLtz(_) | TypeKind::Date
            ) {
                s(&mut a, 0)?;
            }
            s(&mut a, 1)?;
            Ok(call(Func::DateFormat, a, string_ty(true)))
        }
        "CURRENT_TIMESTAMP" | "NOW" | "CURRENT_ROW_TIMESTAMP" => {
            arity(name, n, 0, 0, span)?;
            Ok(call(
                Func::CurrentTimestamp,
                a,
                DataType::not_null(TypeKind::TimestampLtz(3)),
            ))
        }
        "LOCALTIMESTAMP" => {
            arity(name, n, 0, 0, span)?;
            Ok(call(
                Func::LocalTimestamp,
                a,
                DataType::not_null(TypeKind::Timestamp(3)),
            ))
        }
        "CURRENT_DATE" => {
            arity(name, n, 0, 0, span)?;
            Ok(call(Func::CurrentDate, a, DataType::not_null(TypeKind::Date)))
        }
        "CURRENT_TIME" | "LOCALTIME" => {
            arity(name, n, 0, 0, span)?;
            Ok(call(Func::CurrentTime, a, DataType::not_null(TypeKind::Time(0))))
        }
        "UNIX_TIMESTAMP" => {
            arity(name, n, 0, 2, span)?;
            for i in 0..n {
                s(&mut a, i)?;
            }
            let ty = DataType {
                kind: TypeKind::BigInt,
                nullable: n > 0,
            };
            Ok(call(Func::UnixTimestamp, a, ty))
        }
        "FROM_UNIXTIME" => {
            arity(name, n, 1, 2, span)?;
            int(&mut a, 0)?;
            if n == 2 {
                s(&mut a, 1)?;
            }
            let nullable = nullable_any(&a);
            Ok(call(Func::FromUnixtime, a, string_ty(nullable)))
        }
        "EXTRACT" | "YEAR" | "QUARTER" | "MONTH" | "WEEK" | "DAYOFMONTH" | "DAYOFYEAR" | "DAYOFWEEK"
        | "HOUR" | "MINUTE" | "SECOND" => {
            const UNITS: &[&str] = &[
                "YEAR",
                "QUARTER",
                "MONTH",
                "WEEK",
                "DAY",
                "DAYOFMONTH",
                "DOY",
                "DAYOFYEAR",
                "DOW",
                "DAYOFWEEK",
                "HOUR",
                "MINUTE",
                "SECOND",
                "MILLISECOND",
                "MICROSECOND",
                "EPOCH",
            ];
            let unit = if f == "EXTRACT" {
                arity(name, n, 2, 2, span)?;
                match a[0].as_literal() {
                    Some(Value::String(u)) => u.to_ascii_uppercase(),
                    _ => {
                        return Err(SqlError::new(
                            "EXTRACT needs a time unit: EXTRACT(YEAR FROM ts)",
                            spans[0],
                        ));
                    }
                }
            } else {
                arity(name, n, 1, 1, span)?;
                a.insert(
                    0,
                    CompiledExpr::literal(Value::string(f), DataType::not_null(TypeKind::Char(1))),
                );
                f.to_string()
            };
            let Some(unit) = UNITS.iter().find(|u| **u == unit) else {
                return Err(SqlError::new(format!("unknown time unit `{unit}`"), spans[0])
                    .with_hint(format!("units: {}", UNITS.join(", "))));
            };
            let k = &a[1].data_type.kind;
            let time_only = matches!(
                *unit,
                "HOUR" | "MINUTE" | "SECOND" | "MILLISECOND" | "MICROSECOND"
            );
            let ok = matches!(k, TypeKind::Timestamp(_) | TypeKind::TimestampLtz(_))
                || (matches!(k, TypeKind::Date) && !time_only)
                || (matches!(k, TypeKind::Time(_)) && time_only)
                || is_null_literal(&a[1]);
            if !ok {
                return Err(SqlError::new(
                    format!(
                        "{f} needs a DATE, TIME or TIMESTAMP, got {}",
                        a[1].data_type.clone().with_nullable(true)
                    ),
                    *spans.last().unwrap_or(&span),
                ));
            }
            let nullable = a[1].data_type.nullable;
            Ok(call(
                Func::Extract(unit),
                a,
                DataType {
                    kind: TypeKind::BigInt,
                    nullable,
                },
            ))
        }
        _ => Err(SqlError::new(
            format!("unknown function `{}`", name.value),
            name.span,
        )),
    }
}
