//! Built-in scalar functions: evaluation. (Name resolution and argument typing are in `plan::bind`.)
//!
//! Arguments arrive already coerced to the types the binder chose (strings as `STRING`, lengths as `INT`, …), so
//! each function only handles `NULL` and its own semantics. Unless noted, a `NULL` argument gives `NULL`, as in
//! Flink. `COALESCE`, `IF` and `IFNULL` evaluate lazily, so a branch that is not taken cannot fail.

use std::sync::Arc;

use regex::Regex;
use rust_decimal::prelude::ToPrimitive;

use super::json_path::JsonPath;
use super::{CompiledExpr, EvalContext, cast, time};
use crate::error::EvalError;
use crate::parse::{JsonExistsBehavior, JsonQueryBehavior, JsonWrapper, TrimMode};
use crate::types::{DataType, Decimal, TypeKind, Value};

/// `JSON_VALUE`'s `ON EMPTY` / `ON ERROR`: `DEFAULT` points at an extra argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JsonOn {
    Null,
    Error,
    Default(usize),
}

/// A resolved built-in function.
#[derive(Debug, Clone)]
pub(crate) enum Func {
    Upper,
    Lower,
    Initcap,
    /// `(s, chars)`.
    Trim(TrimMode),
    Concat,
    ConcatWs,
    /// `(s, from[, len])`.
    Substring,
    CharLength,
    /// `(needle, haystack)`.
    Position,
    Regexp,
    RegexpReplace,
    RegexpExtract,
    Replace,
    SplitIndex,
    Lpad,
    Rpad,
    Repeat,
    Reverse,
    /// `(json, path[, default on empty][, default on error])`.
    JsonValue {
        path: Option<JsonPath>,
        on_empty: JsonOn,
        on_error: JsonOn,
    },
    JsonQuery {
        path: Option<JsonPath>,
        wrapper: JsonWrapper,
        on_empty: JsonQueryBehavior,
        on_error: JsonQueryBehavior,
    },
    JsonExists {
        path: Option<JsonPath>,
        on_error: JsonExistsBehavior,
    },
    Coalesce,
    Nullif,
    If,
    /// `(n, precision)`.
    ToTimestampLtz,
    ToTimestamp,
    ToDate,
    DateFormat,
    CurrentTimestamp,
    LocalTimestamp,
    CurrentDate,
    CurrentTime,
    UnixTimestamp,
    FromUnixtime,
    Abs,
    Mod,
    Round,
    Floor,
    Ceil,
    Row,
    Array,
    /// `MAP[k1, v1, k2, v2, …]`.
    Map,
    Cardinality,
    /// `temporal ± INTERVAL …`: calendar months, then microseconds; `text` is the interval as written.
    /// `EXTRACT(unit FROM e)` and `YEAR(e)`, `HOUR(e)`, … (unit upper-cased).
    Extract(&'static str),
    /// `e IS JSON [VALUE|SCALAR|ARRAY|OBJECT]` (`(e, 'KIND')`).
    IsJson,
    Greatest,
    Least,
    AddInterval {
        months: i64,
        micros: i64,
        text: String,
    },
}

impl Func {
    /// Whether a call with `arity` arguments reads the clock ([`EvalContext::now_micros`]).
    pub(crate) fn reads_clock(&self, arity: usize) -> bool {
        match self {
            Func::CurrentTimestamp | Func::LocalTimestamp | Func::CurrentDate | Func::CurrentTime => true,
            Func::UnixTimestamp => arity == 0,
            _ => false,
        }
    }

    /// The SQL name, for `to_sql` and messages.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Func::Upper => "UPPER",
            Func::Lower => "LOWER",
            Func::Initcap => "INITCAP",
            Func::Trim(_) => "TRIM",
            Func::Concat => "CONCAT",
            Func::ConcatWs => "CONCAT_WS",
            Func::Substring => "SUBSTRING",
            Func::CharLength => "CHAR_LENGTH",
            Func::Position => "POSITION",
            Func::Regexp => "REGEXP",
            Func::RegexpReplace => "REGEXP_REPLACE",
            Func::RegexpExtract => "REGEXP_EXTRACT",
            Func::Replace => "REPLACE",
            Func::SplitIndex => "SPLIT_INDEX",
            Func::Lpad => "LPAD",
            Func::Rpad => "RPAD",
            Func::Repeat => "REPEAT",
            Func::Reverse => "REVERSE",
            Func::JsonValue { .. } => "JSON_VALUE",
            Func::JsonQuery { .. } => "JSON_QUERY",
            Func::JsonExists { .. } => "JSON_EXISTS",
            Func::Coalesce => "COALESCE",
            Func::Nullif => "NULLIF",
            Func::If => "IF",
            Func::ToTimestampLtz => "TO_TIMESTAMP_LTZ",
            Func::ToTimestamp => "TO_TIMESTAMP",
            Func::ToDate => "TO_DATE",
            Func::DateFormat => "DATE_FORMAT",
            Func::CurrentTimestamp => "CURRENT_TIMESTAMP",
            Func::LocalTimestamp => "LOCALTIMESTAMP",
            Func::CurrentDate => "CURRENT_DATE",
            Func::CurrentTime => "CURRENT_TIME",
            Func::UnixTimestamp => "UNIX_TIMESTAMP",
            Func::FromUnixtime => "FROM_UNIXTIME",
            Func::Abs => "ABS",
            Func::Mod => "MOD",
            Func::Round => "ROUND",
            Func::Floor => "FLOOR",
            Func::Ceil => "CEIL",
            Func::Row => "ROW",
            Func::Array => "ARRAY",
            Func::Map => "MAP",
            Func::Cardinality => "CARDINALITY",
            Func::AddInterval { .. } => "+",
            Func::Extract(_) => "EXTRACT",
            Func::IsJson => "IS JSON",
            Func::Greatest => "GREATEST",
            Func::Least => "LEAST",
        }
    }
}

fn s(v: &Value) -> Option<&str> {
    match v {
        Value::String(s) => Some(s),
        _ => None,
    }
}

fn i(v: &Value) -> Option<i64> {
    cast::to_i64(v)
}

/// `text` in upper (or lower) case, as Java's `String.toUpperCase`/`toLowerCase` with the root locale;
/// the same allocation when nothing changes.
fn change_case(text: &Arc<str>, upper: bool) -> Value {
    if text.is_ascii() {
        let changes = if upper {
            text.bytes().any(|b| b.is_ascii_lowercase())
        } else {
            text.bytes().any(|b| b.is_ascii_uppercase())
        };
        return match (changes, upper) {
            (false, _) => Value::String(text.clone()),
            (true, true) => out(text.to_ascii_uppercase()),
            (true, false) => out(text.to_ascii_lowercase()),
        };
    }
    out(if upper {
        text.to_uppercase()
    } else {
        text.to_lowercase()
    })
}

fn out(text: String) -> Value {
    Value::String(Arc::from(text.as_str()))
}

fn regex_for(cached: Option<&Regex>, pattern: &str) -> Option<Regex> {
    match cached {
        Some(r) => Some(r.clone()),
        None => Regex::new(pattern).ok(),
    }
}

/// Evaluates a call.
pub(crate) fn call(
    func: &Func,
    args: &[CompiledExpr],
    cached: Option<&Regex>,
    ret: &DataType,
    row: &[Value],
    ctx: &EvalContext,
) -> Result<Value, EvalError> {
    // Lazy ones first.
    match func {
        Func::Coalesce => {
            for a in args {
                let v = a.eval(row, ctx)?;
                if !v.is_null() {
                    return Ok(v);
                }
            }
            return Ok(Value::Null);
        }
        Func::If => {
            return if args[0].truth_of(row, ctx)? == Some(true) {
                args[1].eval(row, ctx)
            } else {
                args[2].eval(row, ctx)
            };
        }
        Func::JsonValue { .. } | Func::JsonQuery { .. } | Func::JsonExists { .. } => {
            return super::json::json_call(func, args, ret, row, ctx);
        }
        // UPPER/LOWER, the usual way to compare codes whatever their case, run on every record of a
        // pipeline: the argument is read in place, and a string already in that case is returned as it
        // is, with no copy.
        Func::Upper | Func::Lower => {
            let Some(arg) = args.first() else {
                return Ok(Value::Null);
            };
            return Ok(match &*arg.eval_ref(row, ctx)? {
                Value::String(x) => change_case(x, matches!(func, Func::Upper)),
                _ => Value::Null,
            });
        }
        _ => {}
    }
    let vals: Vec<Value> = args.iter().map(|a| a.eval(row, ctx)).collect::<Result<_, _>>()?;
    let null_safe = matches!(
        func,
        Func::ConcatWs | Func::Nullif | Func::Row | Func::Array | Func::Map | Func::IsJson
    );
    if !null_safe && vals.iter().any(Value::is_null) {
        return Ok(Value::Null);
    }
    let a0 = vals.first().unwrap_or(&Value::Null);
    Ok(match func {
        Func::Initcap => s(a0).map(|x| out(initcap(x))).unwrap_or(Value::Null),
        Func::Trim(mode) => {
            let (Some(x), Some(chars)) = (s(a0), s(&vals[1])) else {
                return Ok(Value::Null);
            };
            let set: Vec<char> = chars.chars().collect();
            let f = |c: char| set.contains(&c);
            out(match mode {
                TrimMode::Both => x.trim_matches(f),
                TrimMode::Leading => x.trim_start_matches(f),
                TrimMode::Trailing => x.trim_end_matches(f),
            }
            .to_string())
        }
        Func::Concat => out(vals.iter().filter_map(s).collect::<String>()),
        Func::ConcatWs => {
            let Some(sep) = s(a0) else { return Ok(Value::Null) };
            out(vals[1..].iter().filter_map(s).collect::<Vec<_>>().join(sep))
        }
        Func::Substring => {
            let Some(x) = s(a0) else { return Ok(Value::Null) };
            let chars: Vec<char> = x.chars().collect();
            let n = chars.len() as i64;
            let from = i(&vals[1]).unwrap_or(1);
            // Flink: a negative start counts from the end; 0 behaves as 1.
            let start = if from < 0 {
                (n + from).max(0)
            } else {
                (from - 1).max(0)
            };
            let len = match vals.get(2) {
                Some(v) => match i(v) {
                    Some(l) if l < 0 => {
                        return Err(EvalError::new(format!(
                            "SUBSTRING length must not be negative, got {l}"
                        )));
                    }
                    Some(l) => l,
                    None => return Ok(Value::Null),
                },
                None => n,
            };
            let end = start.saturating_add(len).min(n);
            if start >= n || end <= start {
                out(String::new())
            } else {
                out(chars[start as usize..end as usize].iter().collect())
            }
        }
        Func::CharLength => s(a0)
            .map(|x| Value::Int(x.chars().count() as i32))
            .unwrap_or(Value::Null),
        Func::Position => {
            let (Some(needle), Some(hay)) = (s(a0), s(&vals[1])) else {
                return Ok(Value::Null);
            };
            Value::Int(match hay.find(needle) {
                Some(b) => hay[..b].chars().count() as i32 + 1,
                None => 0,
            })
        }
        Func::Regexp => {
            let (Some(x), Some(p)) = (s(a0), s(&vals[1])) else {
                return Ok(Value::Null);
            };
            match regex_for(cached, p) {
                Some(re) => Value::Boolean(re.is_match(x)),
                None => Value::Null,
            }
        }
        Func::RegexpReplace => {
            let (Some(x), Some(p), Some(r)) = (s(a0), s(&vals[1]), s(&vals[2])) else {
                return Ok(Value::Null);
            };
            match regex_for(cached, p) {
                Some(re) => out(re.replace_all(x, r).into_owned()),
                None => Value::Null,
            }
        }
        Func::RegexpExtract => {
            let (Some(x), Some(p)) = (s(a0), s(&vals[1])) else {
                return Ok(Value::Null);
            };
            let group = match vals.get(2) {
                Some(v) => match i(v) {
                    Some(g) if g >= 0 => g as usize,
                    _ => return Ok(Value::Null),
                },
                None => 0,
            };
            let Some(re) = regex_for(cached, p) else {
                return Ok(Value::Null);
            };
            match re
                .captures(x)
                .and_then(|c| c.get(group).map(|m| m.as_str().to_string()))
            {
                Some(m) => out(m),
                None => Value::Null,
            }
        }
        Func::Replace => {
            let (Some(x), Some(from), Some(to)) = (s(a0), s(&vals[1]), s(&vals[2])) else {
                return Ok(Value::Null);
            };
            if from.is_empty() {
                out(x.to_string())
            } else {
                out(x.replace(from, to))
            }
        }
        Func::SplitIndex => {
            let (Some(x), Some(d), Some(idx)) = (s(a0), s(&vals[1]), i(&vals[2])) else {
                return Ok(Value::Null);
            };
            if idx < 0 || d.is_empty() {
                return Ok(Value::Null);
            }
            match x.split(d).nth(idx as usize) {
                Some(p) => out(p.to_string()),
                None => Value::Null,
            }
        }
        Func::Lpad | Func::Rpad => {
            let (Some(x), Some(len), Some(pad)) = (s(a0), i(&vals[1]), s(&vals[2])) else {
                return Ok(Value::Null);
            };
            if len < 0 {
                return Ok(Value::Null);
            }
            let chars: Vec<char> = x.chars().collect();
            let len = len as usize;
            if len > MAX_RESULT {
                return Err(too_long(func));
            }
            if len <= chars.len() {
                return Ok(out(chars[..len].iter().collect()));
            }
            if pad.is_empty() {
                return Ok(Value::Null);
            }
            let fill: String = pad.chars().cycle().take(len - chars.len()).collect();
            if matches!(func, Func::Lpad) {
                out(format!("{fill}{x}"))
            } else {
                out(format!("{x}{fill}"))
            }
        }
        Func::Repeat => {
            let (Some(x), Some(n)) = (s(a0), i(&vals[1])) else {
                return Ok(Value::Null);
            };
            let n = n.max(0) as usize;
            if x.len().saturating_mul(n) > MAX_RESULT {
                return Err(too_long(func));
            }
            out(x.repeat(n))
        }
        Func::Reverse => s(a0)
            .map(|x| out(x.chars().rev().collect()))
            .unwrap_or(Value::Null),
        Func::Nullif => {
            if a0.is_null() || vals[1].is_null() {
                a0.clone()
            } else if super::compare(a0, &vals[1]) == Some(std::cmp::Ordering::Equal) {
                Value::Null
            } else {
                a0.clone()
            }
        }
        Func::ToTimestampLtz => {
            let precision = i(&vals[1]).unwrap_or(3);
            let per_unit: i64 = match precision {
                0 => 1_000_000,
                3 => 1_000,
                6 => 1,
                _ => {
                    return Err(EvalError::new(format!(
                        "TO_TIMESTAMP_LTZ precision must be 0 (seconds) or 3 (milliseconds), got {precision}"
                    )));
                }
            };
            let micros = match a0 {
                Value::Decimal(d) => d
                    .checked_mul(Decimal::from(per_unit))
                    .and_then(|x| x.trunc().to_i64()),
                Value::Float(f) => Some((*f as f64 * per_unit as f64) as i64),
                Value::Double(f) => Some((f * per_unit as f64) as i64),
                v => i(v).and_then(|n| n.checked_mul(per_unit)),
            };
            match micros {
                Some(us) => Value::TimestampLtz(time::truncate_micros(us, ret_precision(ret))),
                None => Value::Null,
            }
        }
        Func::ToTimestamp | Func::ToDate => {
            let Some(x) = s(a0) else { return Ok(Value::Null) };
            let parsed = match vals.get(1).and_then(s) {
                Some(fmt) => time::parse_pattern(x, fmt),
                None if matches!(func, Func::ToDate) => time::parse_date(x).map(|d| d * time::MICROS_PER_DAY),
                None => time::parse_timestamp(x, false),
            };
            match (parsed, func) {
                (Ok(us), Func::ToDate) => Value::Date(us.div_euclid(time::MICROS_PER_DAY) as i32),
                (Ok(us), _) => Value::Timestamp(time::truncate_micros(us, ret_precision(ret))),
                (Err(_), _) => Value::Null, // Flink returns NULL for unparsable input
            }
        }
        Func::DateFormat => {
            let us = match a0 {
                Value::Timestamp(us) | Value::TimestampLtz(us) => *us,
                Value::Date(d) => *d as i64 * time::MICROS_PER_DAY,
                Value::String(x) => match time::parse_timestamp(x, true) {
                    Ok(us) => us,
                    Err(_) => return Ok(Value::Null),
                },
                _ => return Ok(Value::Null),
            };
            let Some(fmt) = s(&vals[1]) else {
                return Ok(Value::Null);
            };
            out(time::format_pattern(us, fmt))
        }
        Func::CurrentTimestamp => Value::TimestampLtz(time::truncate_micros(ctx.now_micros, 3)),
        Func::LocalTimestamp => Value::Timestamp(time::truncate_micros(ctx.now_micros, 3)),
        Func::CurrentDate => Value::Date(ctx.now_micros.div_euclid(time::MICROS_PER_DAY) as i32),
        Func::CurrentTime => Value::Time(time::truncate_micros(
            ctx.now_micros.rem_euclid(time::MICROS_PER_DAY),
            0,
        )),
        Func::UnixTimestamp => {
            if vals.is_empty() {
                Value::BigInt(ctx.now_micros.div_euclid(time::MICROS_PER_SECOND))
            } else {
                let Some(x) = s(a0) else { return Ok(Value::Null) };
                let fmt = vals.get(1).and_then(s).unwrap_or("yyyy-MM-dd HH:mm:ss");
                match time::parse_pattern(x, fmt) {
                    Ok(us) => Value::BigInt(us.div_euclid(time::MICROS_PER_SECOND)),
                    Err(_) => Value::Null,
                }
            }
        }
        Func::FromUnixtime => {
            let Some(n) = i(a0) else { return Ok(Value::Null) };
            let fmt = vals.get(1).and_then(s).unwrap_or("yyyy-MM-dd HH:mm:ss");
            match n.checked_mul(time::MICROS_PER_SECOND) {
                Some(us) => out(time::format_pattern(us, fmt)),
                None => Value::Null,
            }
        }
        Func::Abs => match a0 {
            Value::TinyInt(x) => Value::TinyInt(x.wrapping_abs()),
            Value::SmallInt(x) => Value::SmallInt(x.wrapping_abs()),
            Value::Int(x) => Value::Int(x.wrapping_abs()),
            Value::BigInt(x) => Value::BigInt(x.wrapping_abs()),
            Value::Float(x) => Value::Float(x.abs()),
            Value::Double(x) => Value::Double(x.abs()),
            Value::Decimal(x) => Value::Decimal(x.abs()),
            _ => Value::Null,
        },
        Func::Mod => {
            let (Some(a), Some(b)) = (i(a0), i(&vals[1])) else {
                return Ok(Value::Null);
            };
            if b == 0 {
                return Err(EvalError::new("division by zero in MOD"));
            }
            cast::int_value(&ret.kind, a.wrapping_rem(b))
        }
        Func::Round | Func::Floor | Func::Ceil => {
            let digits = vals.get(1).and_then(i).unwrap_or(0) as i32;
            round_like(func, a0, digits, ret)
        }
        Func::Row => Value::Row(Arc::from(vals)),
        Func::Array => Value::Array(Arc::from(vals)),
        Func::Map => {
            // A later entry for the same key replaces an earlier one, as in Flink.
            let mut entries: Vec<(Value, Value)> = Vec::with_capacity(vals.len() / 2);
            let mut it = vals.into_iter();
            while let (Some(k), Some(v)) = (it.next(), it.next()) {
                match entries.iter_mut().find(|(ek, _)| *ek == k) {
                    Some(slot) => slot.1 = v,
                    None => entries.push((k, v)),
                }
            }
            Value::Map(Arc::from(entries))
        }
        Func::Cardinality => match a0 {
            Value::Array(a) => Value::Int(a.len() as i32),
            Value::Map(m) => Value::Int(m.len() as i32),
            _ => Value::Null,
        },
        Func::AddInterval { months, micros, .. } => add_interval(a0, *months, *micros)
            .ok_or_else(|| EvalError::new(format!("timestamp overflow adding an interval to {a0:?}")))?,
        Func::Extract(unit) => extract(unit, &vals[1]),
        Func::IsJson => {
            let Some(text) = s(a0) else {
                return Ok(Value::Boolean(false));
            };
            let want = s(&vals[1]).unwrap_or("VALUE");
            Value::Boolean(match serde_json::from_str::<serde_json::Value>(text) {
                Ok(v) => match want {
                    "OBJECT" => v.is_object(),
                    "ARRAY" => v.is_array(),
                    "SCALAR" => !v.is_object() && !v.is_array(),
                    _ => true,
                },
                Err(_) => false,
            })
        }
        Func::Greatest | Func::Least => {
            let mut best = a0.clone();
            for v in &vals[1..] {
                let o = super::compare(v, &best);
                let better = if matches!(func, Func::Greatest) {
                    o == Some(std::cmp::Ordering::Greater)
                } else {
                    o == Some(std::cmp::Ordering::Less)
                };
                if better {
                    best = v.clone();
                }
            }
            best
        }
        Func::Coalesce
        | Func::If
        | Func::Upper
        | Func::Lower
        | Func::JsonValue { .. }
        | Func::JsonQuery { .. }
        | Func::JsonExists { .. } => Value::Null,
    })
}

/// The longest string `REPEAT`/`LPAD`/`RPAD` may build (Flink would exhaust its heap instead).
const MAX_RESULT: usize = 16 << 20;

fn too_long(func: &Func) -> EvalError {
    EvalError::new(format!(
        "{} would build a string longer than {MAX_RESULT} characters",
        func.name()
    ))
}

fn ret_precision(ret: &DataType) -> u8 {
    match ret.kind {
        TypeKind::Timestamp(p) | TypeKind::TimestampLtz(p) => p,
        _ => 6,
    }
}

fn initcap(x: &str) -> String {
    let mut outs = String::with_capacity(x.len());
    let mut start = true;
    for c in x.chars() {
        if c.is_alphanumeric() {
            if start {
                outs.extend(c.to_uppercase());
            } else {
                outs.extend(c.to_lowercase());
            }
            start = false;
        } else {
            outs.push(c);
            start = true;
        }
    }
    outs
}

fn round_like(func: &Func, v: &Value, digits: i32, ret: &DataType) -> Value {
    let f = |x: f64| -> f64 {
        let m = 10f64.powi(digits);
        match func {
            Func::Floor => x.floor(),
            Func::Ceil => x.ceil(),
            _ => (x * m).round() / m,
        }
    };
    match v {
        Value::Float(x) => Value::Float(f(*x as f64) as f32),
        Value::Double(x) => Value::Double(f(*x)),
        Value::Decimal(d) => {
            let r = match func {
                Func::Floor => d.floor(),
                Func::Ceil => d.ceil(),
                _ => d.round_dp_with_strategy(
                    digits.max(0) as u32,
                    rust_decimal::RoundingStrategy::MidpointAwayFromZero,
                ),
            };
            match &ret.kind {
                TypeKind::Decimal { precision, scale } => cast::fit_decimal(r, *precision, *scale)
                    .map(Value::Decimal)
                    .unwrap_or(Value::Null),
                _ => Value::Decimal(r),
            }
        }
        other => match (cast::to_i64(other), func) {
            (Some(n), Func::Round) if digits < 0 => {
                let m = 10i64.pow((-digits).min(18) as u32);
                let r = (n as f64 / m as f64).round() as i64 * m;
                cast::int_value(&ret.kind, r)
            }
            (Some(n), _) => cast::int_value(&ret.kind, n),
            _ => Value::Null,
        },
    }
}

/// Adds calendar months (clamping the day to the month's length, as Flink does) and then microseconds.
fn add_interval(v: &Value, months: i64, micros: i64) -> Option<Value> {
    let shift = |us: i64| -> Option<i64> {
        let us = if months == 0 {
            us
        } else {
            let days = us.div_euclid(time::MICROS_PER_DAY);
            let tod = us.rem_euclid(time::MICROS_PER_DAY);
            let (y, m, d) = time::civil_from_days(days);
            let total = y
                .checked_mul(12)?
                .checked_add(m as i64 - 1)?
                .checked_add(months)?;
            let (ny, nm) = (total.div_euclid(12), (total.rem_euclid(12) + 1) as u32);
            if !(-999_999..=999_999).contains(&ny) {
                return None;
            }
            let nd = d.min(time::days_in_month(ny, nm));
            time::days_from_civil(ny, nm, nd)
                .checked_mul(time::MICROS_PER_DAY)?
                .checked_add(tod)?
        };
        us.checked_add(micros)
    };
    Some(match v {
        Value::Timestamp(us) => Value::Timestamp(shift(*us)?),
        Value::TimestampLtz(us) => Value::TimestampLtz(shift(*us)?),
        Value::Date(d) => Value::Date(
            i32::try_from(shift(*d as i64 * time::MICROS_PER_DAY)?.div_euclid(time::MICROS_PER_DAY)).ok()?,
        ),
        Value::Time(t) => Value::Time(t.checked_add(micros)?.rem_euclid(time::MICROS_PER_DAY)),
        _ => Value::Null,
    })
}

/// `EXTRACT(unit FROM v)` for dates, times and timestamps (UTC).
fn extract(unit: &str, v: &Value) -> Value {
    let (days, tod) = match v {
        Value::Date(d) => (*d as i64, 0),
        Value::Time(t) => (0, *t),
        Value::Timestamp(us) | Value::TimestampLtz(us) => (
            us.div_euclid(time::MICROS_PER_DAY),
            us.rem_euclid(time::MICROS_PER_DAY),
        ),
        _ => return Value::Null,
    };
    let (y, m, d) = time::civil_from_days(days);
    let secs = tod / time::MICROS_PER_SECOND;
    Value::BigInt(match unit {
        "YEAR" => y,
        "QUARTER" => (m as i64 - 1) / 3 + 1,
        "MONTH" => m as i64,
        "WEEK" => {
            // ISO week of the year.
            let dow = (days + 3).rem_euclid(7); // Monday = 0
            let thursday = days - dow + 3;
            let (ty, _, _) = time::civil_from_days(thursday);
            (thursday - time::days_from_civil(ty, 1, 1)) / 7 + 1
        }
        "DAY" | "DAYOFMONTH" => d as i64,
        "DOY" | "DAYOFYEAR" => days - time::days_from_civil(y, 1, 1) + 1,
        "DOW" | "DAYOFWEEK" => (days + 4).rem_euclid(7) + 1, // Sunday = 1
        "HOUR" => secs / 3600,
        "MINUTE" => secs / 60 % 60,
        "SECOND" => secs % 60,
        "MILLISECOND" => (secs % 60) * 1000 + tod % time::MICROS_PER_SECOND / 1000,
        "MICROSECOND" => (secs % 60) * 1_000_000 + tod % time::MICROS_PER_SECOND,
        "EPOCH" => days * 86_400 + secs,
        _ => return Value::Null,
    })
}
