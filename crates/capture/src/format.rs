//! Serializing Connect records the way Kafka Connect's converters do.
//!
//! `json-schemas` = `JsonConverter` with `schemas.enable=true`, `json` = without, `json-sr` =
//! Confluent's `JsonSchemaConverter`: the payload is the same JSON as `json`, framed with the id of
//! the JSON Schema registered for the Connect schema (see [`crate::encode`]).

use serde_json::{Value, json};

use crate::connect::ConnectRecord;

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Confluent JSON Schema framing (`JsonSchemaConverter`), registering `<topic>-key`/`-value`.
    #[default]
    JsonSr,
    /// `JsonConverter`, `schemas.enable=false`: the payload alone.
    Json,
    /// `JsonConverter`, `schemas.enable=true`: `{"schema":…,"payload":…}`.
    JsonSchemas,
}

/// `JsonConverter` bytes for a record half (`None` = Kafka null).
pub fn json_converter(rec: Option<&ConnectRecord>, schemas: bool) -> Option<Vec<u8>> {
    let rec = rec?;
    let v = if schemas {
        json!({"schema": rec.schema.to_json(), "payload": rec.value})
    } else {
        rec.value.clone()
    };
    serde_json::to_vec(&v).ok()
}

/// The payload `JsonSchemaConverter` writes (a null value becomes a Kafka null).
pub fn json_sr_payload(rec: Option<&ConnectRecord>) -> Option<&Value> {
    rec.map(|r| &r.value).filter(|v| !v.is_null())
}
