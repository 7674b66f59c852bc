//! Debezium's PostgreSQL type mapping: a column's Connect schema, and its text-format value (what
//! pgoutput and a simple-protocol `SELECT` both deliver) converted to the Connect value.
//!
//! The rules follow `PostgresValueConverter` with `time.precision.mode` (`adaptive` default,
//! `connect`) and `decimal.handling.mode` (`precise` default, `double`, `string`). Types Debezium
//! maps to text that we do not special-case fall back to `string` with PostgreSQL's own text.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Value, json};

use crate::catalog::Column;
use crate::connect::{ConnectSchema, ConnectType as T};
use crate::decimal;
use crate::error::CaptureError;
use crate::javanum;
use crate::temporal;

/// `time.precision.mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TimePrecision {
    /// Debezium's `io.debezium.time.*` types, precision from the column (default).
    #[default]
    Adaptive,
    /// Kafka Connect's `Timestamp`/`Date`/`Time` (milliseconds).
    Connect,
}

/// `decimal.handling.mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DecimalHandling {
    /// Connect `Decimal` (base64 unscaled integer) or `VariableScaleDecimal` (default).
    #[default]
    Precise,
    /// `float64`.
    Double,
    /// The number as text.
    String,
}

/// Type-mapping options.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TypeOptions {
    /// `time.precision.mode`.
    pub time_precision: TimePrecision,
    /// `decimal.handling.mode`.
    pub decimal_handling: DecimalHandling,
}

/// The value Debezium writes for an unchanged TOASTed column.
pub const UNAVAILABLE: &str = "__debezium_unavailable_value";

/// `numeric(p,s)` precision and scale from a typmod.
fn numeric_typmod(typmod: i32) -> Option<(i32, i32)> {
    (typmod >= 4).then(|| (((typmod - 4) >> 16) & 0xffff, (typmod - 4) & 0xffff))
}

/// Fractional-second precision of a temporal column (`-1` typmod = 6).
fn time_precision(typmod: i32) -> i32 {
    if typmod < 0 { 6 } else { typmod }
}

/// The Connect schema of a scalar (non-array) type.
fn scalar_schema(
    type_name: &str,
    kind: char,
    typmod: i32,
    labels: &[String],
    o: &TypeOptions,
) -> ConnectSchema {
    let adaptive = o.time_precision == TimePrecision::Adaptive;
    let lg = |t, n: &str| ConnectSchema::logical(t, true, n);
    match type_name {
        "int2" => ConnectSchema::new(T::Int16, true),
        "int4" => ConnectSchema::new(T::Int32, true),
        "int8" | "oid" => ConnectSchema::new(T::Int64, true),
        "float4" => ConnectSchema::new(T::Float32, true),
        "float8" => ConnectSchema::new(T::Float64, true),
        "bool" => ConnectSchema::new(T::Boolean, true),
        "bytea" => ConnectSchema::new(T::Bytes, true),
        "numeric" => match (o.decimal_handling, numeric_typmod(typmod)) {
            (DecimalHandling::Double, _) => ConnectSchema::new(T::Float64, true),
            (DecimalHandling::String, _) => ConnectSchema::new(T::String, true),
            (DecimalHandling::Precise, Some((p, s))) => {
                let mut d = ConnectSchema::logical(T::Bytes, true, "org.apache.kafka.connect.data.Decimal");
                d.parameters = vec![
                    ("scale".into(), s.to_string()),
                    ("connect.decimal.precision".into(), p.to_string()),
                ];
                d
            }
            (DecimalHandling::Precise, None) => {
                let mut d = ConnectSchema::structure(
                    "io.debezium.data.VariableScaleDecimal",
                    true,
                    vec![
                        ("scale".into(), ConnectSchema::new(T::Int32, false)),
                        ("value".into(), ConnectSchema::new(T::Bytes, false)),
                    ],
                );
                d.version = Some(1);
                d.doc = Some("Variable scaled decimal".into());
                d
            }
        },
        "timestamp" if !adaptive => lg(T::Int64, "org.apache.kafka.connect.data.Timestamp"),
        "timestamp" if time_precision(typmod) <= 3 => lg(T::Int64, "io.debezium.time.Timestamp"),
        "timestamp" => lg(T::Int64, "io.debezium.time.MicroTimestamp"),
        "timestamptz" => lg(T::String, "io.debezium.time.ZonedTimestamp"),
        "date" if !adaptive => lg(T::Int32, "org.apache.kafka.connect.data.Date"),
        "date" => lg(T::Int32, "io.debezium.time.Date"),
        "time" if !adaptive => lg(T::Int32, "org.apache.kafka.connect.data.Time"),
        "time" if time_precision(typmod) <= 3 => lg(T::Int32, "io.debezium.time.Time"),
        "time" => lg(T::Int64, "io.debezium.time.MicroTime"),
        "timetz" => lg(T::String, "io.debezium.time.ZonedTime"),
        "interval" => lg(T::Int64, "io.debezium.time.MicroDuration"),
        "money" => match o.decimal_handling {
            DecimalHandling::Double => ConnectSchema::new(T::Float64, true),
            DecimalHandling::String => ConnectSchema::new(T::String, true),
            DecimalHandling::Precise => {
                let mut d = ConnectSchema::logical(T::Bytes, true, "org.apache.kafka.connect.data.Decimal");
                d.parameters = vec![("scale".into(), "2".into())];
                d
            }
        },
        "json" | "jsonb" => lg(T::String, "io.debezium.data.Json"),
        "uuid" => lg(T::String, "io.debezium.data.Uuid"),
        "xml" => lg(T::String, "io.debezium.data.Xml"),
        _ if kind == 'e' => {
            let mut e = lg(T::String, "io.debezium.data.Enum");
            e.parameters = vec![("allowed".into(), labels.join(","))];
            e
        }
        _ => ConnectSchema::new(T::String, true),
    }
}

/// The Connect schema of a column, `optional` from NOT NULL and `default` from the column default.
pub fn column_schema(col: &Column, o: &TypeOptions) -> ConnectSchema {
    let mut s = match &col.element {
        Some((elem, kind)) => ConnectSchema::array(scalar_schema(elem, *kind, -1, &col.enum_labels, o), true),
        None => scalar_schema(&col.type_name, col.type_kind, col.typmod, &col.enum_labels, o),
    };
    s.optional = !col.not_null;
    if let Some(expr) = &col.default_expr {
        s.default = default_value(expr, col, &s, o);
    }
    s
}

/// Debezium's default for a column: a constant default converted like a value; an expression it
/// cannot evaluate (`nextval(…)`, `now()`) gives the type's zero for a NOT NULL column.
fn default_value(expr: &str, col: &Column, schema: &ConnectSchema, o: &TypeOptions) -> Option<Value> {
    let literal = parse_default_literal(expr);
    if let Some(text) = literal
        && let Ok(v) = to_value(col, schema, &text, o)
    {
        return Some(v);
    }
    col.not_null.then(|| zero_value(schema))
}

/// `'abc'::text` → `abc`; `42` → `42`; `true`; anything with a function call → None.
fn parse_default_literal(expr: &str) -> Option<String> {
    let e = expr.trim();
    if let Some(rest) = e.strip_prefix('\'') {
        let end = rest.rfind('\'')?;
        let tail = &rest[end + 1..];
        if !(tail.is_empty() || tail.starts_with("::")) {
            return None;
        }
        return Some(rest[..end].replace("''", "'"));
    }
    let bare = e.trim_start_matches('(').trim_end_matches(')');
    let bare = bare.split("::").next().unwrap_or(bare);
    (bare.parse::<f64>().is_ok() || bare == "true" || bare == "false").then(|| bare.to_string())
}

/// The placeholder Debezium writes for a NOT NULL column it has no value for (a DEFAULT replica
/// identity's delete): the default if any, else the type's zero.
pub fn placeholder(schema: &ConnectSchema) -> Value {
    schema.default.clone().unwrap_or_else(|| zero_value(schema))
}

/// The zero of a schema's type.
pub fn zero_value(schema: &ConnectSchema) -> Value {
    match schema.kind {
        T::Int8 | T::Int16 | T::Int32 | T::Int64 => json!(0),
        T::Float32 | T::Float64 => json!(0.0),
        T::Boolean => json!(false),
        T::String | T::Bytes => json!(""),
        T::Array => json!([]),
        T::Struct => Value::Object(
            schema
                .fields
                .iter()
                .map(|(n, s)| (n.clone(), zero_value(s)))
                .collect(),
        ),
    }
}

/// The unchanged-TOAST placeholder in the column's type.
pub fn unavailable_value(schema: &ConnectSchema) -> Value {
    match schema.kind {
        T::Bytes => json!(B64.encode(UNAVAILABLE)),
        T::Array => match &schema.items {
            Some(items) => json!([unavailable_value(items)]),
            None => json!([UNAVAILABLE]),
        },
        _ => json!(UNAVAILABLE),
    }
}

/// Convert a PostgreSQL text-format value to the Connect value of `schema`.
pub fn to_value(
    col: &Column,
    schema: &ConnectSchema,
    text: &str,
    o: &TypeOptions,
) -> Result<Value, CaptureError> {
    match &col.element {
        Some((elem, kind)) => {
            let items = schema
                .items
                .as_deref()
                .cloned()
                .unwrap_or_else(|| ConnectSchema::new(T::String, true));
            let elem_col = Column {
                type_name: elem.clone(),
                type_kind: *kind,
                typmod: -1,
                element: None,
                ..col.clone()
            };
            let parts =
                parse_array(text).ok_or_else(|| CaptureError::value(col, text, "not an array literal"))?;
            parts
                .into_iter()
                .map(|p| match p {
                    None => Ok(Value::Null),
                    Some(s) => scalar_value(&elem_col, &items, &s, o),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array)
        }
        None => scalar_value(col, schema, text, o),
    }
}

fn scalar_value(
    col: &Column,
    schema: &ConnectSchema,
    text: &str,
    _o: &TypeOptions,
) -> Result<Value, CaptureError> {
    let bad = |why: &str| CaptureError::value(col, text, why);
    let name = schema.name.as_deref().unwrap_or("");
    Ok(match schema.kind {
        _ if col.type_name == "money" => {
            let plain = money_plain(text);
            match schema.kind {
                T::Bytes => {
                    let (unscaled, _) = decimal::unscaled(&plain, Some(2)).ok_or_else(|| bad("not money"))?;
                    json!(B64.encode(unscaled))
                }
                T::Float64 => {
                    let f: f64 = plain.parse().map_err(|_| bad("not money"))?;
                    javanum::number(&javanum::java_float_text(f, &f.to_string()))
                }
                _ => json!(plain),
            }
        }
        T::Int8 | T::Int16 | T::Int32 | T::Int64 if name.is_empty() => {
            json!(text.parse::<i64>().map_err(|_| bad("not an integer"))?)
        }
        T::Float32 => match text.parse::<f32>() {
            Ok(f) if f.is_finite() => {
                javanum::number(&javanum::java_float_text(f64::from(f), &f.to_string()))
            }
            _ => json!(text),
        },
        T::Float64 => match text.parse::<f64>() {
            Ok(f) if f.is_finite() => javanum::number(&javanum::java_float_text(f, &f.to_string())),
            Ok(_) | Err(_) if col.type_name == "numeric" && text != "NaN" => return Err(bad("not a number")),
            _ => json!(text),
        },
        T::Boolean => json!(text == "t" || text == "true"),
        T::Int64 if name == "io.debezium.time.MicroDuration" => {
            json!(temporal::interval_micros(text).ok_or_else(|| bad("not an interval"))?)
        }
        T::Bytes if name == "org.apache.kafka.connect.data.Decimal" => {
            let scale = numeric_typmod(col.typmod).map_or(0, |(_, s)| s);
            let (unscaled, _) = decimal::unscaled(text, Some(scale)).ok_or_else(|| bad("not a decimal"))?;
            json!(B64.encode(unscaled))
        }
        T::Bytes => json!(B64.encode(decode_bytea(text).ok_or_else(|| bad("not bytea hex"))?)),
        T::Struct if name == "io.debezium.data.VariableScaleDecimal" => {
            let (unscaled, scale) = decimal::unscaled(text, None).ok_or_else(|| bad("not a decimal"))?;
            json!({"scale": scale, "value": B64.encode(unscaled)})
        }
        T::Int64 if name == "io.debezium.time.MicroTimestamp" => {
            json!(temporal::timestamp_micros(text).ok_or_else(|| bad("not a timestamp"))?)
        }
        T::Int64 if name.ends_with(".Timestamp") => {
            json!(
                temporal::timestamp_micros(text)
                    .ok_or_else(|| bad("not a timestamp"))?
                    .div_euclid(1000)
            )
        }
        T::String if name == "io.debezium.time.ZonedTimestamp" => {
            json!(
                temporal::zoned_timestamp(text, time_precision(col.typmod))
                    .ok_or_else(|| bad("not a timestamptz"))?
            )
        }
        T::Int32 if name.ends_with(".Date") => {
            json!(temporal::date_days(text).ok_or_else(|| bad("not a date"))?)
        }
        T::Int64 if name == "io.debezium.time.MicroTime" => {
            json!(temporal::time_micros(text).ok_or_else(|| bad("not a time"))?)
        }
        T::Int32 if name.ends_with(".Time") => {
            json!(temporal::time_micros(text).ok_or_else(|| bad("not a time"))? / 1000)
        }
        T::String if name == "io.debezium.time.ZonedTime" => {
            json!(temporal::zoned_time(text).unwrap_or_else(|| text.to_string()))
        }
        _ => json!(text),
    })
}

/// `\xdeadbeef` → bytes.
fn decode_bytea(text: &str) -> Option<Vec<u8>> {
    let hex = text.strip_prefix("\\x")?;
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

/// `$1,234.56` / `-$1.00` (lc_monetary C) → `1234.56` / `-1.00`.
fn money_plain(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_ascii_digit() || *c == '.' || *c == '-')
        .collect()
}

/// Split a one-dimensional PostgreSQL array literal (`{a,"b,c",NULL}`) into elements.
pub fn parse_array(text: &str) -> Option<Vec<Option<String>>> {
    let inner = text.strip_prefix('{')?.strip_suffix('}')?;
    let mut out = Vec::new();
    if inner.is_empty() {
        return Some(out);
    }
    let mut chars = inner.chars().peekable();
    loop {
        let mut cur = String::new();
        let quoted = chars.peek() == Some(&'"');
        if quoted {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => cur.push(chars.next()?),
                    '"' => break,
                    c => cur.push(c),
                }
            }
        }
        while let Some(&c) = chars.peek() {
            if c == ',' {
                break;
            }
            cur.push(c);
            chars.next();
        }
        out.push(if !quoted && cur == "NULL" { None } else { Some(cur) });
        if chars.next().is_none() {
            return Some(out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn array_literals_split_with_quotes_and_nulls() {
        assert_eq!(
            parse_array(r#"{a,"b,c","c\"d",NULL}"#),
            Some(vec![
                Some("a".into()),
                Some("b,c".into()),
                Some("c\"d".into()),
                None
            ])
        );
        assert_eq!(parse_array("{}"), Some(vec![]));
    }

    #[test]
    fn defaults_parse_literals_only() {
        assert_eq!(parse_default_literal("'abc'::text"), Some("abc".into()));
        assert_eq!(parse_default_literal("42"), Some("42".into()));
        assert_eq!(parse_default_literal("nextval('t_id_seq'::regclass)"), None);
        assert_eq!(parse_default_literal("now()"), None);
    }

    #[test]
    fn numeric_typmod_decodes_precision_and_scale() {
        assert_eq!(numeric_typmod((10 << 16) + 2 + 4), Some((10, 2)));
        assert_eq!(numeric_typmod(-1), None);
    }
}
