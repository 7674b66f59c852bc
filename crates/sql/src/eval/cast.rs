//! `CAST`, `TRY_CAST` and the implicit casts Flink inserts (into sink columns, between numeric types).
//!
//! Which casts exist follows Flink's `LogicalTypeCasts` (with the 1.15+ behaviour: no numeric → `TIMESTAMP`,
//! `CAST` fails on bad input instead of returning `NULL`). Values are converted the way Flink's runtime does it:
//! integer narrowing wraps, decimals round half-up and become `NULL` when they overflow their precision,
//! `BOOLEAN` prints as `TRUE`/`FALSE`, timestamps print with their precision's fraction digits.

use std::sync::Arc;

use rust_decimal::prelude::{FromPrimitive, ToPrimitive};

use super::time;
use crate::types::{DataType, Decimal, TypeKind, Value};

fn is_int(k: &TypeKind) -> bool {
    matches!(
        k,
        TypeKind::TinyInt | TypeKind::SmallInt | TypeKind::Int | TypeKind::BigInt
    )
}

fn is_numeric(k: &TypeKind) -> bool {
    is_int(k) || matches!(k, TypeKind::Float | TypeKind::Double | TypeKind::Decimal { .. })
}

fn is_string(k: &TypeKind) -> bool {
    matches!(k, TypeKind::Char(_) | TypeKind::Varchar(_))
}

fn is_binary(k: &TypeKind) -> bool {
    matches!(k, TypeKind::Binary(_) | TypeKind::Varbinary(_))
}

fn is_timestamp(k: &TypeKind) -> bool {
    matches!(k, TypeKind::Timestamp(_) | TypeKind::TimestampLtz(_))
}

/// Rank of a numeric type in Flink's widening order.
fn numeric_rank(k: &TypeKind) -> u8 {
    match k {
        TypeKind::TinyInt => 1,
        TypeKind::SmallInt => 2,
        TypeKind::Int => 3,
        TypeKind::BigInt => 4,
        TypeKind::Decimal { .. } => 5,
        TypeKind::Float => 6,
        TypeKind::Double => 7,
        _ => 0,
    }
}

/// Whether Flink casts `from` to `to` implicitly (sink columns, function arguments): same family, numeric
/// widening, `TIMESTAMP` ↔ `TIMESTAMP_LTZ`, and structurally for `ARRAY`/`MAP`/`ROW`. Lengths are ignored
/// (Flink's `table.exec.sink.type-length-enforcer` defaults to `IGNORE`).
pub(crate) fn can_cast_implicit(from: &TypeKind, to: &TypeKind) -> bool {
    use TypeKind as K;
    match (from, to) {
        _ if is_string(from) && is_string(to) => true,
        _ if is_binary(from) && is_binary(to) => true,
        _ if is_numeric(from) && is_numeric(to) => {
            numeric_rank(from) <= numeric_rank(to)
                || matches!((from, to), (K::Decimal { .. }, K::Decimal { .. }))
        }
        _ if is_timestamp(from) && is_timestamp(to) => true,
        (K::Boolean, K::Boolean) | (K::Date, K::Date) | (K::Time(_), K::Time(_)) => true,
        (K::Array(a), K::Array(b)) | (K::Multiset(a), K::Multiset(b)) => can_cast_implicit(&a.kind, &b.kind),
        (K::Map(ka, va), K::Map(kb, vb)) => {
            can_cast_implicit(&ka.kind, &kb.kind) && can_cast_implicit(&va.kind, &vb.kind)
        }
        (K::Row(a), K::Row(b)) => {
            a.len() == b.len()
                && a.iter()
                    .zip(b)
                    .all(|(x, y)| can_cast_implicit(&x.data_type.kind, &y.data_type.kind))
        }
        _ => false,
    }
}

/// Whether `CAST(from AS to)` is allowed; the error says why not (and what to use instead).
pub(crate) fn check_explicit(from: &TypeKind, to: &TypeKind) -> Result<(), String> {
    use TypeKind as K;
    if can_cast_implicit(from, to) {
        return Ok(());
    }
    let ok = match (from, to) {
        _ if is_string(from) || is_string(to) => {
            !matches!(from, K::Multiset(_))
                && !matches!(to, K::Array(_) | K::Map(..) | K::Multiset(_) | K::Row(_))
        }
        _ if is_numeric(from) && is_numeric(to) => true,
        (K::Boolean, _) if is_numeric(to) => true,
        (_, K::Boolean) if is_int(from) => true,
        (K::Date, K::Timestamp(_) | K::TimestampLtz(_)) => true,
        (K::Timestamp(_) | K::TimestampLtz(_), K::Date | K::Time(_)) => true,
        (K::Time(_), K::Timestamp(_)) => true,
        _ if is_numeric(from) && matches!(to, K::TimestampLtz(_)) => true,
        (K::TimestampLtz(_), _) if is_int(to) => true,
        (K::Timestamp(_), _) if is_numeric(to) => {
            return Err(
                "Flink does not cast TIMESTAMP to a number; use UNIX_TIMESTAMP(CAST(ts AS STRING)) or cast \
                        to TIMESTAMP_LTZ first"
                    .into(),
            );
        }
        _ if is_numeric(from) && matches!(to, K::Timestamp(_)) => {
            return Err(
                "Flink does not cast a number to TIMESTAMP; use TO_TIMESTAMP_LTZ(n, 0|3) (epoch seconds or \
                        milliseconds)"
                    .into(),
            );
        }
        (K::Array(a), K::Array(b)) => return check_explicit(&a.kind, &b.kind),
        (K::Map(ka, va), K::Map(kb, vb)) => {
            check_explicit(&ka.kind, &kb.kind)?;
            return check_explicit(&va.kind, &vb.kind);
        }
        (K::Row(a), K::Row(b)) if a.len() == b.len() => {
            for (x, y) in a.iter().zip(b) {
                check_explicit(&x.data_type.kind, &y.data_type.kind)?;
            }
            return Ok(());
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "Flink cannot cast {} to {}",
            kind_name(from),
            kind_name(to)
        ))
    }
}

fn kind_name(k: &TypeKind) -> String {
    DataType::nullable(k.clone()).to_string()
}

/// Casts a value of type `from` to `to`. `NULL` stays `NULL`; the error text says what failed.
pub(crate) fn cast(v: &Value, from: &DataType, to: &DataType) -> Result<Value, String> {
    use TypeKind as K;
    if v.is_null() {
        return Ok(Value::Null);
    }
    let fail = |why: &str| {
        format!(
            "cannot cast {} to {}: {why}",
            display_value(v, from),
            to.clone().with_nullable(true)
        )
    };
    Ok(match &to.kind {
        K::Char(_) | K::Varchar(_) => Value::String(Arc::from(to_string(v, from).as_str())),
        K::Boolean => match v {
            Value::Boolean(b) => Value::Boolean(*b),
            Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                "true" | "t" | "yes" | "y" | "1" => Value::Boolean(true),
                "false" | "f" | "no" | "n" | "0" => Value::Boolean(false),
                _ => return Err(fail("not a boolean")),
            },
            _ => match to_i64(v) {
                Some(i) => Value::Boolean(i != 0),
                None => return Err(fail("not a boolean")),
            },
        },
        K::TinyInt | K::SmallInt | K::Int | K::BigInt => {
            let i = match v {
                Value::String(s) => {
                    let t = s.trim();
                    match t.parse::<i64>() {
                        Ok(i) => i,
                        Err(_) => match t.parse::<Decimal>() {
                            Ok(d) if !t.is_empty() => {
                                d.trunc().to_i64().ok_or_else(|| fail("out of range"))?
                            }
                            _ => return Err(fail("not a number")),
                        },
                    }
                }
                Value::Boolean(b) => *b as i64,
                Value::Float(f) => saturate(*f as f64),
                Value::Double(f) => saturate(*f),
                Value::Decimal(d) => {
                    d.trunc()
                        .to_i64()
                        .unwrap_or(if d.is_sign_negative() { i64::MIN } else { i64::MAX })
                }
                Value::TimestampLtz(us) => us.div_euclid(time::MICROS_PER_SECOND),
                _ => to_i64(v).ok_or_else(|| fail("unsupported"))?,
            };
            let range_ok = match &to.kind {
                K::TinyInt => i8::try_from(i).is_ok(),
                K::SmallInt => i16::try_from(i).is_ok(),
                K::Int => i32::try_from(i).is_ok(),
                _ => true,
            };
            if !range_ok && matches!(v, Value::String(_)) {
                return Err(fail("out of range"));
            }
            int_value(&to.kind, i)
        }
        K::Float | K::Double => {
            let f = match v {
                Value::String(s) => s.trim().parse::<f64>().map_err(|_| fail("not a number"))?,
                Value::Boolean(b) => *b as i64 as f64,
                Value::Decimal(d) => d.to_f64().unwrap_or(f64::NAN),
                Value::Float(f) => *f as f64,
                Value::Double(f) => *f,
                _ => to_i64(v).ok_or_else(|| fail("unsupported"))? as f64,
            };
            if matches!(to.kind, K::Float) {
                Value::Float(f as f32)
            } else {
                Value::Double(f)
            }
        }
        K::Decimal { precision, scale } => {
            let d = match v {
                Value::String(s) => {
                    let t = s.trim();
                    t.parse::<Decimal>()
                        .or_else(|_| Decimal::from_scientific(t))
                        .map_err(|_| fail("not a number"))?
                }
                Value::Boolean(b) => Decimal::from(*b as i64),
                Value::Decimal(d) => *d,
                Value::Float(f) => Decimal::from_f64(*f as f64).ok_or_else(|| fail("out of range"))?,
                Value::Double(f) => Decimal::from_f64(*f).ok_or_else(|| fail("out of range"))?,
                _ => Decimal::from(to_i64(v).ok_or_else(|| fail("unsupported"))?),
            };
            match fit_decimal(d, *precision, *scale) {
                Some(d) => Value::Decimal(d),
                None => Value::Null,
            }
        }
        K::Date => match v {
            Value::Date(d) => Value::Date(*d),
            Value::String(s) => Value::Date(time::parse_date(s).map_err(|e| fail(&e))? as i32),
            Value::Timestamp(us) | Value::TimestampLtz(us) => {
                Value::Date(us.div_euclid(time::MICROS_PER_DAY) as i32)
            }
            _ => return Err(fail("unsupported")),
        },
        K::Time(p) => match v {
            Value::Time(t) => Value::Time(time::truncate_micros(*t, *p)),
            Value::String(s) => Value::Time(time::truncate_micros(
                time::parse_time(s).map_err(|e| fail(&e))?,
                *p,
            )),
            Value::Timestamp(us) | Value::TimestampLtz(us) => {
                Value::Time(time::truncate_micros(us.rem_euclid(time::MICROS_PER_DAY), *p))
            }
            _ => return Err(fail("unsupported")),
        },
        K::Timestamp(p) | K::TimestampLtz(p) => {
            let us = match v {
                Value::Timestamp(us) | Value::TimestampLtz(us) => *us,
                Value::Date(d) => *d as i64 * time::MICROS_PER_DAY,
                Value::Time(t) => *t,
                Value::String(s) => {
                    time::parse_timestamp(s, matches!(to.kind, K::TimestampLtz(_))).map_err(|e| fail(&e))?
                }
                Value::Decimal(d) => d
                    .checked_mul(Decimal::from(time::MICROS_PER_SECOND))
                    .and_then(|x| x.trunc().to_i64())
                    .ok_or_else(|| fail("out of range"))?,
                Value::Float(f) => (*f as f64 * 1e6) as i64,
                Value::Double(f) => (f * 1e6) as i64,
                _ => to_i64(v)
                    .ok_or_else(|| fail("unsupported"))?
                    .checked_mul(time::MICROS_PER_SECOND)
                    .ok_or_else(|| fail("out of range"))?,
            };
            let us = time::truncate_micros(us, *p);
            if matches!(to.kind, K::Timestamp(_)) {
                Value::Timestamp(us)
            } else {
                Value::TimestampLtz(us)
            }
        }
        K::Binary(_) | K::Varbinary(_) => match v {
            Value::Bytes(b) => Value::Bytes(b.clone()),
            Value::String(s) => Value::Bytes(Arc::from(s.as_bytes())),
            _ => return Err(fail("unsupported")),
        },
        K::Array(t) | K::Multiset(t) => match (v, &from.kind) {
            (Value::Array(items), K::Array(ft) | K::Multiset(ft)) => {
                let out: Result<Vec<Value>, String> = items.iter().map(|x| cast(x, ft, t)).collect();
                Value::Array(Arc::from(out?))
            }
            _ => return Err(fail("unsupported")),
        },
        K::Map(kt, vt) => match (v, &from.kind) {
            (Value::Map(entries), K::Map(fk, fv)) => {
                let out: Result<Vec<(Value, Value)>, String> = entries
                    .iter()
                    .map(|(k, x)| Ok((cast(k, fk, kt)?, cast(x, fv, vt)?)))
                    .collect();
                Value::Map(Arc::from(out?))
            }
            _ => return Err(fail("unsupported")),
        },
        K::Row(fields) => match (v, &from.kind) {
            (Value::Row(vals), K::Row(ff)) if ff.len() == fields.len() => {
                let out: Result<Vec<Value>, String> = vals
                    .iter()
                    .zip(ff.iter().zip(fields))
                    .map(|(x, (a, b))| cast(x, &a.data_type, &b.data_type))
                    .collect();
                Value::Row(Arc::from(out?))
            }
            _ => return Err(fail("unsupported")),
        },
    })
}

/// Java's `(long) double`: truncation, saturating, NaN → 0.
fn saturate(f: f64) -> i64 {
    if f.is_nan() { 0 } else { f as i64 }
}

/// An integer value of an integer kind, wrapping like Java's narrowing casts.
pub(crate) fn int_value(kind: &TypeKind, i: i64) -> Value {
    match kind {
        TypeKind::TinyInt => Value::TinyInt(i as i8),
        TypeKind::SmallInt => Value::SmallInt(i as i16),
        TypeKind::Int => Value::Int(i as i32),
        _ => Value::BigInt(i),
    }
}

/// The integer in an integer (or boolean, date, time) value.
pub(crate) fn to_i64(v: &Value) -> Option<i64> {
    Some(match v {
        Value::TinyInt(i) => *i as i64,
        Value::SmallInt(i) => *i as i64,
        Value::Int(i) => *i as i64,
        Value::BigInt(i) => *i,
        Value::Date(d) => *d as i64,
        Value::Time(t) => *t,
        _ => return None,
    })
}

/// Rounds half-up to `scale`; `None` when the result has more than `precision` digits.
pub(crate) fn fit_decimal(d: Decimal, precision: u8, scale: u8) -> Option<Decimal> {
    let mut r = d.round_dp_with_strategy(scale as u32, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    r.rescale(scale as u32);
    if r.scale() != scale as u32 {
        return None;
    }
    let int_digits = {
        let t = r.trunc().abs();
        if t.is_zero() {
            0
        } else {
            t.to_string().len() as u32
        }
    };
    if int_digits + scale as u32 > precision as u32 {
        None
    } else {
        Some(r)
    }
}

/// Flink's `CAST(v AS STRING)`.
pub(crate) fn to_string(v: &Value, ty: &DataType) -> String {
    match v {
        Value::Null => "NULL".into(),
        Value::Boolean(b) => if *b { "TRUE" } else { "FALSE" }.into(),
        Value::TinyInt(i) => i.to_string(),
        Value::SmallInt(i) => i.to_string(),
        Value::Int(i) => i.to_string(),
        Value::BigInt(i) => i.to_string(),
        Value::Float(f) => java_double(*f as f64, true),
        Value::Double(f) => java_double(*f, false),
        Value::Decimal(d) => {
            let scale = match ty.kind {
                TypeKind::Decimal { scale, .. } => scale as u32,
                _ => d.scale(),
            };
            let mut d = *d;
            d.rescale(scale);
            d.to_string()
        }
        Value::String(s) => s.to_string(),
        Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        Value::Date(d) => time::format_date(*d as i64),
        Value::Time(t) => time::format_time(*t, precision(ty, 0)),
        Value::Timestamp(us) | Value::TimestampLtz(us) => time::format_timestamp(*us, precision(ty, 6)),
        Value::Array(items) => {
            let elem = match &ty.kind {
                TypeKind::Array(t) | TypeKind::Multiset(t) => (**t).clone(),
                _ => DataType::string(),
            };
            format!(
                "[{}]",
                items
                    .iter()
                    .map(|x| to_string(x, &elem))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
        Value::Map(entries) => {
            let (kt, vt) = match &ty.kind {
                TypeKind::Map(k, v) => ((**k).clone(), (**v).clone()),
                _ => (DataType::string(), DataType::string()),
            };
            let parts: Vec<String> = entries
                .iter()
                .map(|(k, x)| format!("{}={}", to_string(k, &kt), to_string(x, &vt)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        Value::Row(vals) => {
            let parts: Vec<String> = vals
                .iter()
                .enumerate()
                .map(|(i, x)| match &ty.kind {
                    TypeKind::Row(fields) => match fields.get(i) {
                        Some(f) => to_string(x, &f.data_type),
                        None => to_string(x, &DataType::string()),
                    },
                    _ => to_string(x, &DataType::string()),
                })
                .collect();
            format!("({})", parts.join(", "))
        }
    }
}

fn precision(ty: &DataType, default: u8) -> u8 {
    match ty.kind {
        TypeKind::Time(p) | TypeKind::Timestamp(p) | TypeKind::TimestampLtz(p) => p,
        _ => default,
    }
}

/// Java's `Double.toString` / `Float.toString`: `1.0`, `0.001`, `1.0E7`, `1.0E-4`, `NaN`, `Infinity`.
pub(crate) fn java_double(f: f64, single: bool) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    let a = f.abs();
    if a == 0.0 || (1e-3..1e7).contains(&a) {
        let s = if single {
            format!("{}", f as f32)
        } else {
            format!("{f}")
        };
        if s.contains('.') { s } else { format!("{s}.0") }
    } else {
        let s = if single {
            format!("{:e}", f as f32)
        } else {
            format!("{f:e}")
        };
        let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let mant = if mant.contains('.') {
            mant.to_string()
        } else {
            format!("{mant}.0")
        };
        format!("{mant}E{exp}")
    }
}

/// A value for messages: strings quoted, others as `CAST(… AS STRING)` prints them.
pub(crate) fn display_value(v: &Value, ty: &DataType) -> String {
    match v {
        Value::String(s) => format!("'{s}'"),
        _ => to_string(v, ty),
    }
}
