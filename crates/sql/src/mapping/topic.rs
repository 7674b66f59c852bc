//! A topic's registered value schema as Confluent Cloud sees it: the row schema inside a Debezium envelope,
//! and the table a topic is when no `CREATE TABLE` names it (every topic with a `<topic>-value` subject is a
//! table whose columns come from that schema). `run`, `explain`, the router and the doctor all use these, so
//! "which part of the schema is the row" is decided in one place.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{MappingError, infer_columns};
use crate::plan::{ColumnDef, ColumnKind, TableDef};

/// The object branch of `oneOf`/`anyOf` `[null, object]`, or the schema itself.
pub fn object_schema(s: &Value) -> &Value {
    match s
        .get("oneOf")
        .or_else(|| s.get("anyOf"))
        .and_then(Value::as_array)
    {
        Some(branches) => branches
            .iter()
            .find(|b| b.get("type").and_then(Value::as_str) != Some("null"))
            .unwrap_or(s),
        None => s,
    }
}

/// Whether a JSON schema describes a Debezium envelope (`…Envelope` title, or `op` and `after` properties).
pub fn is_envelope_schema(schema: &Value) -> bool {
    let s = object_schema(schema);
    let title = s.get("title").and_then(Value::as_str).unwrap_or("");
    let props = s.get("properties");
    title.ends_with(".Envelope") || props.is_some_and(|p| p.get("op").is_some() && p.get("after").is_some())
}

/// The schema of an envelope's `after` image (the row), or the envelope itself when it has none.
pub fn after_schema(envelope: &Value) -> &Value {
    object_schema(envelope)
        .pointer("/properties/after")
        .map(object_schema)
        .unwrap_or(envelope)
}

/// The schema of one field of a row schema.
pub fn field_schema<'s>(row: &'s Value, name: &str) -> Option<&'s Value> {
    object_schema(row).get("properties").and_then(|p| p.get(name))
}

/// The table Confluent Cloud infers for topic `name` from its latest value schema: the row's columns (the
/// envelope's `after` for Debezium topics, read as `json-debezium-registry` changelogs), `connector` =
/// `confluent`, reading from the earliest offset.
pub fn inferred_table(name: &str, value_schema: &Value) -> Result<TableDef, MappingError> {
    let envelope = is_envelope_schema(value_schema);
    let row = if envelope {
        after_schema(value_schema)
    } else {
        object_schema(value_schema)
    };
    let columns = infer_columns(row)?;
    let mut options = BTreeMap::new();
    options.insert("connector".to_string(), "confluent".to_string());
    let format = if envelope {
        "json-debezium-registry"
    } else {
        "json-registry"
    };
    options.insert("value.format".to_string(), format.to_string());
    options.insert("scan.startup.mode".to_string(), "earliest-offset".to_string());
    if envelope {
        options.insert("changelog.mode".to_string(), "retract".to_string());
    }
    Ok(TableDef {
        name: name.to_string(),
        columns: columns
            .into_iter()
            .map(|(name, data_type)| ColumnDef {
                name,
                data_type,
                kind: ColumnKind::Physical,
            })
            .collect(),
        options,
        primary_key: None,
        span: None,
        inferred: true,
    })
}
