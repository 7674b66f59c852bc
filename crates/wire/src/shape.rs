//! What a JSON document is, structurally: a Kafka Connect envelope, a Debezium change event, a Debezium row
//! flattened by `ExtractNewRecordState`, or plain JSON.
//!
//! This is where most "the job reads nothing" incidents are decided: a table declared over flattened rows
//! reads nothing from envelopes and vice versa. Each classification carries the evidence that led to it, so
//! a report can show *why* rather than just *what*.

use serde::Serialize;
use serde_json::{Map, Value};

/// Debezium operation codes (`op`): create, update, delete, read (snapshot), truncate, message.
const DEBEZIUM_OPS: [&str; 6] = ["c", "u", "d", "r", "t", "m"];

/// Field-name suffixes that `ExtractNewRecordState` adds (after its `add.fields.prefix`, `__` by default).
const FLATTENED_SUFFIXES: [&str; 10] = [
    "op",
    "table",
    "ts_ms",
    "deleted",
    "source_ts_ms",
    "lsn",
    "db",
    "schema",
    "txId",
    "ts_us",
];

/// The structure of a JSON document.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum JsonShape {
    /// The JSON literal `null` (what `ExtractNewRecordState` writes for a delete in its default mode, framed
    /// under JsonSchemaConverter).
    Null,
    /// Kafka Connect `JsonConverter` with `schemas.enable=true`: `{"schema": …, "payload": …}`.
    ConnectEnvelope {
        /// The Connect schema's `name`, e.g. `pg1.public.orders.Envelope`.
        schema_name: Option<String>,
        /// What the payload is.
        payload: Box<JsonShape>,
    },
    /// A Debezium change event envelope (`before`, `after`, `source`, `op`).
    DebeziumEnvelope {
        /// The operation code.
        op: String,
        /// `source.table`, if present.
        table: Option<String>,
        /// `source.connector`, if present.
        connector: Option<String>,
        /// `source.snapshot`, if present.
        snapshot: Option<String>,
    },
    /// A row flattened by Debezium's `ExtractNewRecordState`, with added fields such as `__op`.
    DebeziumFlattened {
        /// The prefix of the added fields (`__` by default).
        prefix: String,
        /// The added fields found, in document order.
        added_fields: Vec<String>,
        /// The value of `<prefix>op`, if present.
        op: Option<String>,
        /// Whether `<prefix>deleted` says the row was deleted (delete handling `rewrite`).
        deleted: Option<bool>,
    },
    /// Any other JSON object.
    Object {
        /// Number of top-level fields.
        fields: usize,
    },
    /// A JSON array.
    Array,
    /// A string, number or boolean.
    Scalar,
}

impl JsonShape {
    /// A short label: `debezium envelope (op=c, table=orders)`.
    pub fn label(&self) -> String {
        match self {
            JsonShape::Null => "JSON null".into(),
            JsonShape::ConnectEnvelope { payload, .. } => {
                format!("Kafka Connect JSON envelope whose payload is {}", payload.label())
            }
            JsonShape::DebeziumEnvelope { op, table, .. } => match table {
                Some(t) => format!("Debezium envelope (op={op}, table={t})"),
                None => format!("Debezium envelope (op={op})"),
            },
            JsonShape::DebeziumFlattened { added_fields, .. } => {
                format!("Debezium flattened row ({})", added_fields.join(", "))
            }
            JsonShape::Object { fields: 1 } => "JSON object (1 field)".into(),
            JsonShape::Object { fields } => format!("JSON object ({fields} fields)"),
            JsonShape::Array => "JSON array".into(),
            JsonShape::Scalar => "JSON scalar".into(),
        }
    }

    /// The innermost shape: the payload of a Connect envelope, or this shape.
    pub fn innermost(&self) -> &JsonShape {
        match self {
            JsonShape::ConnectEnvelope { payload, .. } => payload.innermost(),
            other => other,
        }
    }
}

/// Classify a JSON document; evidence sentences are appended to `evidence`.
pub fn classify(value: &Value, evidence: &mut Vec<String>) -> JsonShape {
    match value {
        Value::Null => {
            evidence.push(
                "the document is the JSON literal null (what ExtractNewRecordState writes for a delete in its default tombstone mode)"
                    .into(),
            );
            JsonShape::Null
        }
        Value::Array(_) => JsonShape::Array,
        Value::Object(map) => classify_object(map, evidence),
        _ => JsonShape::Scalar,
    }
}

fn classify_object(map: &Map<String, Value>, evidence: &mut Vec<String>) -> JsonShape {
    if let Some(shape) = connect_envelope(map, evidence) {
        return shape;
    }
    if let Some(shape) = debezium_envelope(map, evidence) {
        return shape;
    }
    if let Some(shape) = flattened(map, evidence) {
        return shape;
    }
    JsonShape::Object { fields: map.len() }
}

fn connect_envelope(map: &Map<String, Value>, evidence: &mut Vec<String>) -> Option<JsonShape> {
    if map.len() != 2 {
        return None;
    }
    let schema = map.get("schema")?;
    let payload = map.get("payload")?;
    let schema_obj = match schema {
        Value::Object(s) if s.contains_key("type") => Some(s),
        Value::Null => None,
        _ => return None,
    };
    let schema_name = schema_obj
        .and_then(|s| s.get("name"))
        .and_then(Value::as_str)
        .map(String::from);
    evidence.push(format!(
        "top-level fields are exactly `schema` and `payload` (Kafka Connect JsonConverter, schemas.enable=true{})",
        schema_name.as_deref().map(|n| format!(", schema name `{n}`")).unwrap_or_default()
    ));
    let inner = classify(payload, evidence);
    Some(JsonShape::ConnectEnvelope {
        schema_name,
        payload: Box::new(inner),
    })
}

fn debezium_envelope(map: &Map<String, Value>, evidence: &mut Vec<String>) -> Option<JsonShape> {
    let op = map.get("op")?.as_str()?;
    if !DEBEZIUM_OPS.contains(&op) {
        return None;
    }
    let source = map.get("source").and_then(Value::as_object);
    let has_images = map.contains_key("before") && map.contains_key("after");
    if source.is_none() && !has_images {
        return None;
    }
    let text = |k: &str| {
        source
            .and_then(|s| s.get(k))
            .and_then(Value::as_str)
            .map(String::from)
    };
    let present: Vec<&str> = ["before", "after", "source", "op", "ts_ms", "transaction"]
        .into_iter()
        .filter(|k| map.contains_key(*k))
        .collect();
    evidence.push(format!(
        "fields {} with op=`{op}` form a Debezium envelope",
        present
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    Some(JsonShape::DebeziumEnvelope {
        op: op.to_string(),
        table: text("table"),
        connector: text("connector"),
        snapshot: text("snapshot"),
    })
}

/// Rows flattened by `ExtractNewRecordState` carry added fields that share a prefix (`__` by default):
/// `__op`, `__table`, `__ts_ms`, `__deleted`, `__source_ts_ms`, … We look for the prefix that at least one
/// Debezium-specific field (`op` with an op code, or `deleted` with "true"/"false") uses.
fn flattened(map: &Map<String, Value>, evidence: &mut Vec<String>) -> Option<JsonShape> {
    let prefix = map.iter().find_map(|(k, v)| {
        if let Some(p) = k.strip_suffix("op")
            && !p.is_empty()
            && v.as_str().is_some_and(|s| DEBEZIUM_OPS.contains(&s))
        {
            return Some(p);
        }
        let p = k.strip_suffix("deleted")?;
        let is_flag = matches!(v.as_str(), Some("true" | "false")) || v.is_boolean();
        (!p.is_empty() && is_flag).then_some(p)
    })?;
    let added: Vec<String> = map
        .keys()
        .filter(|k| {
            k.strip_prefix(prefix)
                .is_some_and(|rest| FLATTENED_SUFFIXES.contains(&rest))
        })
        .cloned()
        .collect();
    let op = map
        .get(&format!("{prefix}op"))
        .and_then(Value::as_str)
        .map(String::from);
    let deleted = map.get(&format!("{prefix}deleted")).and_then(|v| match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) => s.parse().ok(),
        _ => None,
    });
    evidence.push(format!(
        "fields {} are ExtractNewRecordState's added fields (prefix `{prefix}`)",
        added
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    Some(JsonShape::DebeziumFlattened {
        prefix: prefix.to_string(),
        added_fields: added,
        op,
        deleted,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn shape(v: Value) -> JsonShape {
        classify(&v, &mut Vec::new())
    }

    #[test]
    fn envelope_and_flattened() {
        let env = json!({"before": null, "after": {"id": 1}, "source": {"table": "t", "connector": "postgresql"}, "op": "c", "ts_ms": 1});
        assert!(matches!(shape(env), JsonShape::DebeziumEnvelope { ref op, .. } if op == "c"));
        let flat = json!({"id": 1, "__deleted": "true", "__op": "d", "__table": "t", "__ts_ms": 5});
        match shape(flat) {
            JsonShape::DebeziumFlattened {
                prefix,
                added_fields,
                op,
                deleted,
            } => {
                assert_eq!(prefix, "__");
                assert_eq!(added_fields, ["__deleted", "__op", "__table", "__ts_ms"]);
                assert_eq!((op.as_deref(), deleted), (Some("d"), Some(true)));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn custom_prefix_and_plain_objects() {
        let flat = json!({"id": 1, "cdc_op": "u", "cdc_table": "t"});
        assert!(matches!(shape(flat), JsonShape::DebeziumFlattened { ref prefix, .. } if prefix == "cdc_"));
        // `op` alone is an ordinary column, and an `op` that is not a Debezium code is not an envelope.
        assert_eq!(shape(json!({"op": "c", "x": 1})), JsonShape::Object { fields: 2 });
        assert_eq!(
            shape(json!({"op": "insert", "source": {}})),
            JsonShape::Object { fields: 2 }
        );
    }

    #[test]
    fn connect_envelope_nests() {
        let v = json!({"schema": {"type": "struct", "name": "pg1.public.t.Value"}, "payload": {"id": 1, "__op": "r"}});
        let s = shape(v);
        assert!(matches!(s.innermost(), JsonShape::DebeziumFlattened { .. }));
        assert!(
            s.label()
                .starts_with("Kafka Connect JSON envelope whose payload is Debezium flattened")
        );
        let v = json!({"schema": {"type": "struct"}, "payload": null});
        assert_eq!(*shape(v).innermost(), JsonShape::Null);
    }
}
