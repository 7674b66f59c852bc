//! The exact JSON Schema the connector's `JsonSchemaConverter` would register for a topic, predicted from
//! the connector config and the table's columns.
//!
//! The incident has no PostgreSQL DDL, so the columns come from a registered schema's row (the flat row,
//! or an envelope's `after`): their names, order, optionality, defaults and the Connect/Debezium types
//! their annotations carry (`connect.type`, `title`, `connect.parameters`). Everything the config decides
//! is then rebuilt the way Debezium 3.x builds it — temporal columns per `time.precision.mode`, decimals
//! per `decimal.handling.mode`, the record name `<topic.prefix>.<schema>.<table>.Value` / `.Envelope`,
//! the envelope with its `source` block, or `ExtractNewRecordState`'s flat row with `__deleted` and the
//! `add.fields` typed like the fields they copy — as a Connect schema, and converted with the converter
//! port ([`switchyard_schema::json_schema_from_connect`]), so the prediction is the registered text, not a
//! description of it. `crates/switchyard/tests/doctor_generated.rs` checks it against real Debezium.
//!
//! A registered column whose logical type the config would write differently (a `MicroTimestamp` under
//! `time.precision.mode=connect`) is predicted the config's way: the difference is the evidence that the
//! data was written under another config.

use serde::Serialize;
use serde_json::{Map, Value, json};
use switchyard_schema::{ConnectOptions, json_schema_from_connect};

use crate::connector::Prediction;
use crate::context::{after_schema, is_envelope_schema, object_schema};

/// What the connector would register under one subject.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExpectedSchema {
    /// The topic.
    pub topic: String,
    /// `<topic>-value`.
    pub subject: String,
    /// The registered schema whose columns the prediction used: its id.
    pub columns_from: u32,
    /// The Connect schema Debezium would hand the converter (as `JsonConverter` writes it).
    pub connect: Value,
    /// The JSON Schema `JsonSchemaConverter` would register.
    pub value_schema: Value,
    /// The schema of a delete in `ExtractNewRecordState`'s `tombstone` mode: the row, optional, without
    /// the added fields (registered as a second version when the first delete arrives).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delete_schema: Option<Value>,
    /// What had to be assumed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub assumptions: Vec<String>,
}

/// The fields of the envelope and of its `source` block, as Debezium 3.x's PostgreSQL connector writes
/// them (`add.fields` copies them; the envelope embeds them).
fn source_fields() -> Vec<Value> {
    let f = |name: &str, ty: &str, optional: bool| json!({"type": ty, "optional": optional, "field": name});
    vec![
        f("version", "string", false),
        f("connector", "string", false),
        f("name", "string", false),
        f("ts_ms", "int64", false),
        json!({"type": "string", "optional": true, "name": "io.debezium.data.Enum", "version": 1,
            "parameters": {"allowed": "true,first,first_in_data_collection,last_in_data_collection,last,false,incremental"},
            "default": "false", "field": "snapshot"}),
        f("db", "string", false),
        f("sequence", "string", true),
        f("ts_us", "int64", true),
        f("ts_ns", "int64", true),
        f("schema", "string", false),
        f("table", "string", false),
        f("txId", "int64", true),
        f("lsn", "int64", true),
        f("xmin", "int64", true),
        f("origin", "string", true),
        f("origin_lsn", "int64", true),
    ]
}

fn envelope_fields() -> Vec<Value> {
    vec![
        json!({"type": "string", "optional": false, "field": "op"}),
        json!({"type": "int64", "optional": true, "field": "ts_ms"}),
        json!({"type": "int64", "optional": true, "field": "ts_us"}),
        json!({"type": "int64", "optional": true, "field": "ts_ns"}),
    ]
}

fn field_named<'a>(fields: &'a [Value], name: &str) -> Option<&'a Value> {
    fields
        .iter()
        .find(|f| f.get("field").and_then(Value::as_str) == Some(name))
}

/// The Connect schema of an `add.fields` entry: the envelope's field, else the source block's
/// (`source.x` always the source block's), made optional and without its default.
fn added_field(name: &str) -> Option<Value> {
    let (env, src) = (envelope_fields(), source_fields());
    let found = match name.strip_prefix("source.") {
        Some(n) => field_named(&src, n),
        None => field_named(&env, name).or_else(|| field_named(&src, name)),
    };
    let mut f = found?.clone();
    if let Some(o) = f.as_object_mut() {
        o.insert("optional".into(), json!(true));
        o.remove("default");
    }
    Some(f)
}

/// Whether `name` is an `ExtractNewRecordState` added field (`<prefix>op`, `<prefix>source_ts_ms`,
/// `<prefix>deleted`) for one of `prefixes`.
pub fn is_added_field(name: &str, prefixes: &[&str]) -> bool {
    prefixes.iter().filter(|p| !p.is_empty()).any(|p| {
        name.strip_prefix(p).is_some_and(|rest| {
            let bare = rest.strip_prefix("source_").unwrap_or(rest);
            rest == "deleted"
                || field_named(&envelope_fields(), rest).is_some()
                || field_named(&source_fields(), bare).is_some()
        })
    })
}

/// `(name, schema)` of an object schema's properties, in `connect.index` order.
pub fn ordered_properties(object: &Value) -> Vec<(String, Value)> {
    let mut props: Vec<(String, Value)> = object
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    props.sort_by_key(|(_, v)| v.get("connect.index").and_then(Value::as_u64).unwrap_or(u64::MAX));
    props
}

/// The non-null branch of `oneOf [null, T]`, and whether it was optional.
pub fn unwrap_optional(schema: &Value) -> (&Value, bool) {
    match schema.get("oneOf").and_then(Value::as_array) {
        Some(b)
            if b.len() == 2
                && b.iter()
                    .any(|x| x.get("type").and_then(Value::as_str) == Some("null")) =>
        {
            let inner = b
                .iter()
                .find(|x| x.get("type").and_then(Value::as_str) != Some("null"))
                .unwrap_or(schema);
            (inner, true)
        }
        _ => (schema, false),
    }
}

/// A converter-written JSON Schema back to the Connect schema it came from (the inverse of
/// `rawSchemaFromConnectSchema` for what Debezium produces).
fn to_connect(schema: &Value, field: Option<&str>) -> Result<Value, String> {
    let (s, optional) = unwrap_optional(schema);
    let connect_type = s.get("connect.type").and_then(Value::as_str);
    let ty = match (connect_type, s.get("type").and_then(Value::as_str)) {
        (Some(t), _) => t,
        (None, Some("string")) => "string",
        (None, Some("boolean")) => "boolean",
        (None, Some("integer")) => "int64",
        (None, Some("number")) => "float64",
        (None, Some("object")) => "struct",
        (None, Some("array")) => "array",
        (None, other) => return Err(format!("no Connect type for JSON type {other:?}")),
    };
    let mut m = Map::new();
    m.insert("type".into(), json!(ty));
    match ty {
        "struct" => {
            let fields = ordered_properties(s)
                .iter()
                .map(|(n, v)| to_connect(v, Some(n)))
                .collect::<Result<Vec<_>, _>>()?;
            m.insert("fields".into(), Value::Array(fields));
        }
        "array" => {
            let items = s.get("items").ok_or("an array without items")?;
            m.insert("items".into(), to_connect(items, None)?);
        }
        "map" => {
            if let Some(values) = s.get("additionalProperties") {
                m.insert("keys".into(), json!({"type": "string", "optional": false}));
                m.insert("values".into(), to_connect(values, None)?);
            } else {
                let entry = s.pointer("/items/properties").ok_or("a map without entries")?;
                m.insert("keys".into(), to_connect(&entry["key"], None)?);
                m.insert("values".into(), to_connect(&entry["value"], None)?);
            }
        }
        _ => {}
    }
    m.insert("optional".into(), json!(optional));
    for (from, to) in [
        ("title", "name"),
        ("connect.version", "version"),
        ("description", "doc"),
        ("connect.parameters", "parameters"),
        ("default", "default"),
    ] {
        if let Some(v) = s.get(from) {
            m.insert(to.into(), v.clone());
        }
    }
    if let Some(f) = field {
        m.insert("field".into(), json!(f));
    }
    Ok(Value::Object(m))
}

/// The column's Connect schema as the config would write it: temporal types per
/// `time.precision.mode`, decimals per `decimal.handling.mode`.
fn remap(col: &mut Value, p: &Prediction, assumptions: &mut Vec<String>) {
    let Some(o) = col.as_object_mut() else { return };
    let name = o.get("name").and_then(Value::as_str).unwrap_or("").to_string();
    let column = o.get("field").and_then(Value::as_str).unwrap_or("?").to_string();
    let tpm = p.time_precision_mode.as_str();
    let known_tpm = matches!(tpm, "adaptive" | "adaptive_time_microseconds" | "connect");
    let new: Option<(&str, Option<&str>)> = match name.as_str() {
        "io.debezium.time.Timestamp"
        | "io.debezium.time.MicroTimestamp"
        | "io.debezium.time.NanoTimestamp"
        | "org.apache.kafka.connect.data.Timestamp"
            if known_tpm =>
        {
            if tpm == "connect" {
                Some(("int64", Some("org.apache.kafka.connect.data.Timestamp")))
            } else if name == "io.debezium.time.Timestamp" {
                Some(("int64", Some("io.debezium.time.Timestamp")))
            } else {
                if name.starts_with("org.apache") {
                    assumptions.push(format!(
                        "`{column}`: a `timestamp` of unknown precision; assumed the default 6 (MicroTimestamp; 0–3 would be io.debezium.time.Timestamp)"
                    ));
                }
                Some(("int64", Some("io.debezium.time.MicroTimestamp")))
            }
        }
        "io.debezium.time.Date" | "org.apache.kafka.connect.data.Date" if known_tpm => Some((
            "int32",
            Some(if tpm == "connect" {
                "org.apache.kafka.connect.data.Date"
            } else {
                "io.debezium.time.Date"
            }),
        )),
        "io.debezium.time.Time"
        | "io.debezium.time.MicroTime"
        | "io.debezium.time.NanoTime"
        | "org.apache.kafka.connect.data.Time"
            if known_tpm =>
        {
            if tpm == "connect" {
                Some(("int32", Some("org.apache.kafka.connect.data.Time")))
            } else if tpm == "adaptive" && name == "io.debezium.time.Time" {
                Some(("int32", Some("io.debezium.time.Time")))
            } else {
                Some(("int64", Some("io.debezium.time.MicroTime")))
            }
        }
        "org.apache.kafka.connect.data.Decimal" | "io.debezium.data.VariableScaleDecimal" => {
            match p.decimal_handling_mode.as_str() {
                "double" => Some(("float64", None)),
                "string" => Some(("string", None)),
                _ => None,
            }
        }
        _ => None,
    };
    if name.starts_with("io.debezium.time.") && !known_tpm && !name.contains("Zoned") {
        assumptions.push(format!(
            "`{column}`: time.precision.mode={tpm} is not modelled; its registered type is kept"
        ));
    }
    let Some((ty, logical)) = new else { return };
    if o.get("type").and_then(Value::as_str) != Some(ty) {
        o.remove("default");
    }
    o.insert("type".into(), json!(ty));
    o.remove("fields");
    o.remove("parameters");
    o.remove("doc");
    match logical {
        Some(n) => {
            o.insert("name".into(), json!(n));
            o.insert("version".into(), json!(1));
        }
        None => {
            o.remove("name");
            o.remove("version");
        }
    }
}

/// The record name's `<schema>.<table>` for `topic`: from `table.include.list` when it pairs tables with
/// topics, else from the registered record name.
fn table_of(p: &Prediction, topic: &str, registered_title: &str) -> Option<String> {
    if p.tables.len() == p.topics.len()
        && let Some(i) = p.topics.iter().position(|t| t == topic)
    {
        return Some(p.tables[i].clone());
    }
    let base = registered_title
        .strip_suffix(".Value")
        .or_else(|| registered_title.strip_suffix(".Envelope"))?;
    let parts: Vec<&str> = base.rsplitn(3, '.').collect();
    (parts.len() >= 2).then(|| format!("{}.{}", parts[1], parts[0]))
}

/// Predicts the value schema of `topic` from the config and the columns of `registered` (id `id`).
///
/// # Errors
/// A text saying why not: the registered schema has no row, or a column has no Connect type.
pub fn expected_schema(
    p: &Prediction,
    topic: &str,
    id: u32,
    registered: &Value,
) -> Result<ExpectedSchema, String> {
    let mut assumptions = Vec::new();
    let envelope = is_envelope_schema(registered);
    let row = if envelope {
        after_schema(registered)
    } else {
        object_schema(registered)
    };
    let title = object_schema(registered)
        .get("title")
        .and_then(Value::as_str)
        .unwrap_or("");
    let mut props = ordered_properties(row);
    if props.is_empty() {
        return Err("the registered schema has no row fields".into());
    }
    if !envelope {
        // ExtractNewRecordState appends its fields after the row's columns.
        let prefix = p.unwrap.as_ref().map_or("__", |u| u.prefix.as_str());
        while props
            .last()
            .is_some_and(|(n, _)| is_added_field(n, &[prefix, "__"]))
        {
            props.pop();
        }
    }
    let mut columns = Vec::new();
    for (name, schema) in &props {
        let mut c = to_connect(schema, Some(name)).map_err(|e| format!("column `{name}`: {e}"))?;
        remap(&mut c, p, &mut assumptions);
        columns.push(c);
    }
    let table = table_of(p, topic, title).unwrap_or_else(|| {
        assumptions.push("the captured table is unknown (no table.include.list, no record name)".into());
        "unknown.unknown".into()
    });
    let prefix = p.topic_prefix.clone().unwrap_or_else(|| {
        let from_title = title.split('.').next().unwrap_or("").to_string();
        assumptions.push(format!(
            "no topic.prefix in the config; the registered record name's `{from_title}` is used"
        ));
        from_title
    });
    let base = format!("{prefix}.{table}");
    let row_struct = |optional: bool, fields: Vec<Value>| json!({"type": "struct", "fields": fields, "optional": optional, "name": format!("{base}.Value")});
    let (connect, delete) = match &p.unwrap {
        None => {
            let mut fields = vec![
                with_field(row_struct(true, columns.clone()), "before"),
                with_field(row_struct(true, columns), "after"),
                json!({"type": "struct", "fields": source_fields(), "optional": false,
                    "name": "io.debezium.connector.postgresql.Source", "version": 1, "field": "source"}),
                json!({"type": "struct", "fields": [
                        {"type": "string", "optional": false, "field": "id"},
                        {"type": "int64", "optional": false, "field": "total_order"},
                        {"type": "int64", "optional": false, "field": "data_collection_order"}],
                    "optional": true, "name": "event.block", "version": 1, "field": "transaction"}),
            ];
            fields.extend(envelope_fields());
            let env = json!({"type": "struct", "fields": fields, "optional": false,
                "name": format!("{base}.Envelope"), "version": 2});
            (env, None)
        }
        Some(u) => {
            let mut fields = columns.clone();
            if u.delete_mode.starts_with("rewrite") {
                fields.push(
                    json!({"type": "string", "optional": true, "field": format!("{}deleted", u.prefix)}),
                );
            }
            for f in &u.fields {
                match added_field(f) {
                    Some(mut s) => {
                        s["field"] = json!(format!("{}{}", u.prefix, f.replace('.', "_")));
                        fields.push(s);
                    }
                    None => assumptions.push(format!(
                        "add.fields `{f}` is neither an envelope nor a source field: Debezium adds nothing for it"
                    )),
                }
            }
            let delete = (u.delete_mode == "tombstone").then(|| row_struct(true, columns));
            (row_struct(false, fields), delete)
        }
    };
    let convert =
        |c: &Value| json_schema_from_connect(c, &ConnectOptions::default()).map_err(|e| e.to_string());
    Ok(ExpectedSchema {
        topic: topic.to_string(),
        subject: format!("{topic}-value"),
        columns_from: id,
        value_schema: convert(&connect)?,
        delete_schema: delete.as_ref().map(convert).transpose()?,
        connect,
        assumptions,
    })
}

fn with_field(mut schema: Value, name: &str) -> Value {
    if let Some(o) = schema.as_object_mut() {
        o.insert("field".into(), json!(name));
    }
    schema
}

#[cfg(test)]
mod tests;
