//! Writing rows as JSON_SR (Confluent Cloud Flink `json-registry` conventions) and as plain Flink `json`.
//!
//! The JSON Schema a sink registers must let three kinds of readers agree on every value: Kafka Connect
//! sinks (`JsonSchemaConverter`, which needs `connect.type` and the Connect logical `title`s),
//! Confluent Cloud Flink (which also reads `flink.precision` / `flink.type`) and Switchyard itself.
//! So the schema follows what Confluent Cloud Flink registers (`cc-flink-types.md` §1): integers and
//! floats as `number` + `connect.type`, `DECIMAL` as a `number` titled
//! `org.apache.kafka.connect.data.Decimal` with its scale and precision in `connect.parameters`,
//! temporal types as epoch-based integers with Connect titles, nullable columns as
//! `oneOf[null, T]` with `connect.index` on the wrapper, `MAP<STRING, V>` as an object and other maps
//! as arrays of `{key, value}`. Values follow the schema: `TIMESTAMP`/`TIMESTAMP_LTZ` as epoch
//! milliseconds (sub-millisecond digits are dropped, as Confluent Cloud does), `DATE` as days,
//! `TIME` as milliseconds of the day, `DECIMAL` as a JSON number with its exact digits.
//!
//! Plain `json` follows Apache Flink's `json` format instead: temporal values as text in the
//! `json.timestamp-format.standard` format.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Number, Value as Json, json};

use super::decimal;
use super::schema::{CONNECT_DATE, CONNECT_DECIMAL, CONNECT_TIME, CONNECT_TIMESTAMP};
use super::temporal::{self, TimestampFormat};
use crate::types::{DataType, MAX_LENGTH, TypeKind, Value};

/// Options for plain Flink `json` output.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteOptions {
    /// `json.timestamp-format.standard`.
    pub timestamp_format: TimestampFormat,
    /// `json.encode.ignore-null-fields`: leave null fields out of objects.
    pub ignore_null_fields: bool,
}

/// The JSON Schema to register for a sink's value rows: an object titled `title` with one property per
/// column, annotated as Confluent Cloud Flink's `json-registry` writes it. `NOT NULL` columns are also
/// listed in `required`.
pub fn sink_json_schema(columns: &[(String, DataType)], title: &str) -> Json {
    let mut schema = object_schema(columns.iter().map(|(n, t)| (n.as_str(), t)));
    if let Json::Object(obj) = &mut schema {
        obj.insert("title".to_owned(), Json::String(title.to_owned()));
        // Put title right after type, as Connect does; cosmetic.
        let mut ordered = Map::new();
        for key in ["type", "title"] {
            if let Some(v) = obj.shift_remove(key) {
                ordered.insert(key.to_owned(), v);
            }
        }
        ordered.extend(std::mem::take(obj));
        *obj = ordered;
    }
    schema
}

fn object_schema<'a>(fields: impl Iterator<Item = (&'a str, &'a DataType)>) -> Json {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for (i, (name, dt)) in fields.enumerate() {
        let mut s = nullable_schema(dt);
        if let Json::Object(o) = &mut s {
            o.insert("connect.index".to_owned(), json!(i));
        }
        if !dt.nullable {
            required.push(Json::String(name.to_owned()));
        }
        properties.insert(name.to_owned(), s);
    }
    let mut obj = Map::new();
    obj.insert("type".to_owned(), json!("object"));
    obj.insert("properties".to_owned(), Json::Object(properties));
    if !required.is_empty() {
        obj.insert("required".to_owned(), Json::Array(required));
    }
    Json::Object(obj)
}

/// `oneOf[null, T]` for a nullable type, `T` otherwise.
fn nullable_schema(dt: &DataType) -> Json {
    let inner = type_schema(dt);
    if dt.nullable {
        json!({"oneOf": [{"type": "null"}, inner]})
    } else {
        inner
    }
}

fn flink_hint(mut base: Map<String, Json>, hints: &[(&str, Json)]) -> Json {
    for (k, v) in hints {
        base.insert((*k).to_owned(), v.clone());
    }
    base.insert("flink.version".to_owned(), json!("1"));
    Json::Object(base)
}

fn obj(v: Json) -> Map<String, Json> {
    match v {
        Json::Object(m) => m,
        _ => Map::new(),
    }
}

/// The JSON Schema of one (non-null) Flink type.
fn type_schema(dt: &DataType) -> Json {
    match &dt.kind {
        TypeKind::Boolean => json!({"type": "boolean"}),
        TypeKind::TinyInt => json!({"type": "number", "connect.type": "int8"}),
        TypeKind::SmallInt => json!({"type": "number", "connect.type": "int16"}),
        TypeKind::Int => json!({"type": "number", "connect.type": "int32"}),
        TypeKind::BigInt => json!({"type": "number", "connect.type": "int64"}),
        TypeKind::Float => json!({"type": "number", "connect.type": "float32"}),
        TypeKind::Double => json!({"type": "number", "connect.type": "float64"}),
        TypeKind::Decimal { precision, scale } => json!({
            "type": "number",
            "title": CONNECT_DECIMAL,
            "connect.version": 1,
            "connect.type": "bytes",
            "connect.parameters": {"scale": scale.to_string(), "connect.decimal.precision": precision.to_string()},
        }),
        TypeKind::Char(n) => json!({"type": "string", "minLength": n, "maxLength": n}),
        TypeKind::Varchar(MAX_LENGTH) => json!({"type": "string"}),
        TypeKind::Varchar(n) => json!({"type": "string", "maxLength": n}),
        TypeKind::Binary(n) => flink_hint(
            obj(json!({"type": "string", "connect.type": "bytes"})),
            &[("flink.minLength", json!(n)), ("flink.maxLength", json!(n))],
        ),
        TypeKind::Varbinary(MAX_LENGTH) => json!({"type": "string", "connect.type": "bytes"}),
        TypeKind::Varbinary(n) => flink_hint(
            obj(json!({"type": "string", "connect.type": "bytes"})),
            &[("flink.maxLength", json!(n))],
        ),
        TypeKind::Date => {
            json!({"type": "number", "title": CONNECT_DATE, "connect.version": 1, "connect.type": "int32"})
        }
        TypeKind::Time(p) => flink_hint(
            obj(
                json!({"type": "number", "title": CONNECT_TIME, "connect.version": 1, "connect.type": "int32"}),
            ),
            &[("flink.precision", json!(p))],
        ),
        TypeKind::Timestamp(p) => flink_hint(
            obj(
                json!({"type": "number", "title": CONNECT_TIMESTAMP, "connect.version": 1, "connect.type": "int64"}),
            ),
            &[("flink.precision", json!(p)), ("flink.type", json!("timestamp"))],
        ),
        TypeKind::TimestampLtz(p) => flink_hint(
            obj(
                json!({"type": "number", "title": CONNECT_TIMESTAMP, "connect.version": 1, "connect.type": "int64"}),
            ),
            &[("flink.precision", json!(p))],
        ),
        TypeKind::Array(elem) => json!({"type": "array", "items": nullable_schema(elem)}),
        TypeKind::Map(k, v) if k.is_string() => {
            json!({"type": "object", "connect.type": "map", "additionalProperties": nullable_schema(v)})
        }
        TypeKind::Map(k, v) => json!({
            "type": "array",
            "connect.type": "map",
            "items": object_schema([("key", k.as_ref()), ("value", v.as_ref())].into_iter()),
        }),
        TypeKind::Multiset(elem) => {
            let count = DataType::not_null(TypeKind::Int);
            if elem.is_string() {
                flink_hint(
                    obj(
                        json!({"type": "object", "connect.type": "map", "additionalProperties": type_schema(&count)}),
                    ),
                    &[("flink.type", json!("multiset"))],
                )
            } else {
                flink_hint(
                    obj(json!({
                        "type": "array",
                        "connect.type": "map",
                        "items": object_schema([("key", elem.as_ref()), ("value", &count)].into_iter()),
                    })),
                    &[("flink.type", json!("multiset"))],
                )
            }
        }
        TypeKind::Row(fields) => object_schema(fields.iter().map(|f| (f.name.as_str(), &f.data_type))),
    }
}

/// What writing a column as JSON_SR loses, if anything: `TIMESTAMP(p)`/`TIMESTAMP_LTZ(p)`/`TIME(p)` with
/// `p > 3` are written as milliseconds (Confluent Cloud's convention), dropping sub-millisecond digits;
/// non-finite `FLOAT`/`DOUBLE` values become `null`. Nested types report their first loss.
pub fn sink_write_loss(data_type: &DataType) -> Option<String> {
    match &data_type.kind {
        TypeKind::Timestamp(p) | TypeKind::TimestampLtz(p) | TypeKind::Time(p) if *p > 3 => Some(format!(
            "{data_type} is written as epoch milliseconds (the JSON_SR convention); digits beyond 3 are dropped"
        )),
        TypeKind::Float | TypeKind::Double => None,
        TypeKind::Array(e) | TypeKind::Multiset(e) => sink_write_loss(e),
        TypeKind::Map(k, v) => sink_write_loss(k).or_else(|| sink_write_loss(v)),
        TypeKind::Row(fields) => fields.iter().find_map(|f| sink_write_loss(&f.data_type)),
        _ => None,
    }
}

fn number_text(text: &str) -> Json {
    text.parse::<Number>().map(Json::Number).unwrap_or(Json::Null)
}

/// Shortest round-trip text of a float (`display` is Rust's shortest representation of the value at its
/// own width), in exponent notation for very large or small magnitudes.
fn float_json(f: f64, display: String, exponent: String) -> Json {
    if !f.is_finite() {
        return Json::Null;
    }
    let a = f.abs();
    if a != 0.0 && !(1e-5..1e16).contains(&a) {
        number_text(&exponent)
    } else {
        number_text(&display)
    }
}

/// A row's value as JSON_SR JSON (see the module docs). `data_type` guides temporal and decimal
/// encodings; a value whose variant does not match the type is written by its own variant.
/// Non-finite floats, which JSON cannot represent, are written as `null`.
pub fn value_to_json(value: &Value, data_type: &DataType) -> Json {
    to_json(value, data_type, None)
}

/// Append `value` as JSON_SR JSON to `out`: exactly the bytes `serde_json` writes for
/// [`value_to_json`]`(value, data_type)`, without building a `serde_json::Value` for the common
/// scalar types (sinks write every output row this way).
pub fn write_value_json(out: &mut Vec<u8>, value: &Value, data_type: &DataType) {
    // Writing into a Vec cannot fail, and strings and integers always serialize.
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::TinyInt(i) => write_integer(out, i64::from(*i)),
        Value::SmallInt(i) => write_integer(out, i64::from(*i)),
        Value::Int(i) | Value::Date(i) => write_integer(out, i64::from(*i)),
        Value::BigInt(i) => write_integer(out, *i),
        Value::Time(micros) | Value::Timestamp(micros) | Value::TimestampLtz(micros) => {
            write_integer(out, micros.div_euclid(1000));
        }
        Value::String(s) => {
            let _ = serde_json::to_writer(&mut *out, &**s);
        }
        _ => {
            let _ = serde_json::to_writer(&mut *out, &value_to_json(value, data_type));
        }
    }
}

fn write_integer(out: &mut Vec<u8>, i: i64) {
    let _ = serde_json::to_writer(&mut *out, &i);
}

/// A row's value in Apache Flink's plain `json` format: temporal values as text
/// (`yyyy-MM-dd`, `HH:mm:ss[.f]`, timestamps per [`WriteOptions::timestamp_format`] with `Z` for
/// `TIMESTAMP_LTZ`), `DECIMAL` as a plain number, `BYTES` as base64, maps as objects (non-string keys
/// as their JSON text, since Flink's `json` has no other map form).
pub fn value_to_plain_json(value: &Value, data_type: &DataType, opts: &WriteOptions) -> Json {
    to_json(value, data_type, Some(opts))
}

/// A whole row (column values in order) as a JSON_SR object.
pub fn row_to_json(values: &[Value], columns: &[(String, DataType)]) -> Json {
    let mut out = Map::new();
    for ((name, dt), v) in columns.iter().zip(values) {
        out.insert(name.clone(), value_to_json(v, dt));
    }
    Json::Object(out)
}

/// A whole row as a plain Flink `json` object.
pub fn row_to_plain_json(values: &[Value], columns: &[(String, DataType)], opts: &WriteOptions) -> Json {
    let mut out = Map::new();
    for ((name, dt), v) in columns.iter().zip(values) {
        if opts.ignore_null_fields && v.is_null() {
            continue;
        }
        out.insert(name.clone(), value_to_plain_json(v, dt, opts));
    }
    Json::Object(out)
}

fn to_json(value: &Value, dt: &DataType, plain: Option<&WriteOptions>) -> Json {
    match value {
        Value::Null => Json::Null,
        Value::Boolean(b) => Json::Bool(*b),
        Value::TinyInt(i) => json!(i),
        Value::SmallInt(i) => json!(i),
        Value::Int(i) => json!(i),
        Value::BigInt(i) => json!(i),
        Value::Float(f) => float_json(f64::from(*f), f.to_string(), format!("{f:e}")),
        Value::Double(f) => float_json(*f, f.to_string(), format!("{f:e}")),
        Value::Decimal(d) => {
            // Written at the declared scale (12.5 in a DECIMAL(10, 2) column is 12.50), when it fits.
            let d = match dt.kind {
                TypeKind::Decimal { precision, scale } => decimal::fit(*d, precision, scale).unwrap_or(*d),
                _ => *d,
            };
            number_text(&d.to_string())
        }
        Value::String(s) => Json::String(s.to_string()),
        Value::Bytes(b) => Json::String(STANDARD.encode(b)),
        Value::Date(days) => match plain {
            Some(_) => Json::String(temporal::format_date(*days)),
            None => json!(days),
        },
        Value::Time(micros) => match plain {
            Some(_) => Json::String(temporal::format_time(*micros)),
            None => json!(micros.div_euclid(1000)),
        },
        Value::Timestamp(micros) | Value::TimestampLtz(micros) => match plain {
            Some(opts) => {
                let ltz = match dt.kind {
                    TypeKind::TimestampLtz(_) => true,
                    TypeKind::Timestamp(_) => false,
                    _ => matches!(value, Value::TimestampLtz(_)),
                };
                Json::String(temporal::format_timestamp(*micros, opts.timestamp_format, ltz))
            }
            None => json!(micros.div_euclid(1000)),
        },
        Value::Array(items) => {
            let elem = match &dt.kind {
                TypeKind::Array(e) | TypeKind::Multiset(e) => e.as_ref().clone(),
                _ => DataType::string(),
            };
            if let TypeKind::Multiset(_) = dt.kind {
                return multiset_json(items, &elem, plain);
            }
            Json::Array(items.iter().map(|i| to_json(i, &elem, plain)).collect())
        }
        Value::Map(entries) => {
            let (k, v) = match &dt.kind {
                TypeKind::Map(k, v) => (k.as_ref().clone(), v.as_ref().clone()),
                _ => (DataType::string(), DataType::string()),
            };
            if k.is_string() || plain.is_some() {
                let mut out = Map::new();
                for (key, val) in entries.iter() {
                    let key_text = match to_json(key, &k, plain) {
                        Json::String(s) => s,
                        other => other.to_string(),
                    };
                    out.insert(key_text, to_json(val, &v, plain));
                }
                Json::Object(out)
            } else {
                Json::Array(
                    entries
                        .iter()
                        .map(|(key, val)| json!({"key": to_json(key, &k, plain), "value": to_json(val, &v, plain)}))
                        .collect(),
                )
            }
        }
        Value::Row(values) => {
            let mut out = Map::new();
            if let TypeKind::Row(fields) = &dt.kind {
                for (f, v) in fields.iter().zip(values.iter()) {
                    if plain.is_some_and(|o| o.ignore_null_fields) && v.is_null() {
                        continue;
                    }
                    out.insert(f.name.clone(), to_json(v, &f.data_type, plain));
                }
            } else {
                for (i, v) in values.iter().enumerate() {
                    out.insert(format!("f{i}"), to_json(v, &DataType::string(), plain));
                }
            }
            Json::Object(out)
        }
    }
}

fn multiset_json(items: &[Value], elem: &DataType, plain: Option<&WriteOptions>) -> Json {
    let mut counts: Vec<(Json, i64)> = Vec::new();
    for item in items {
        let j = to_json(item, elem, plain);
        match counts.iter_mut().find(|(k, _)| *k == j) {
            Some((_, c)) => *c += 1,
            None => counts.push((j, 1)),
        }
    }
    if elem.is_string() || plain.is_some() {
        let mut out = Map::new();
        for (k, c) in counts {
            let key = match k {
                Json::String(s) => s,
                other => other.to_string(),
            };
            out.insert(key, json!(c));
        }
        Json::Object(out)
    } else {
        Json::Array(
            counts
                .into_iter()
                .map(|(k, c)| json!({"key": k, "value": c}))
                .collect(),
        )
    }
}
