//! Unit tests for the crate's public behaviour, one file per concern: parsing and validation,
//! the reference file's §6 vectors, level directions and history, Debezium/Connect schemas, and
//! property tests.

mod compat_levels;
mod compat_vectors;
mod connect;
mod parse;
mod props;

use crate::{JsonSchema, ResolvedReference};

/// Parse a schema the test knows to be valid.
pub(crate) fn schema(text: &str) -> JsonSchema {
    match JsonSchema::parse(text, &[]) {
        Ok(s) => s,
        Err(e) => panic!("schema {text} failed to parse: {e}"),
    }
}

/// Parse a schema with named references.
pub(crate) fn schema_with(text: &str, refs: &[(&str, &str)]) -> JsonSchema {
    let refs: Vec<ResolvedReference> = refs
        .iter()
        .map(|(name, schema)| ResolvedReference {
            name: (*name).to_owned(),
            schema: (*schema).to_owned(),
        })
        .collect();
    match JsonSchema::parse(text, &refs) {
        Ok(s) => s,
        Err(e) => panic!("schema {text} failed to parse: {e}"),
    }
}

/// The Order schema of the golden vectors (`order-basic` in
/// shared/fixtures/jsonsr-golden/vectors.json).
pub(crate) const ORDER_SCHEMA: &str = "{\"$schema\": \"http://json-schema.org/draft-07/schema#\", \"title\": \"Order\", \"type\": \"object\", \"properties\": {\"id\": {\"type\": \"integer\"}, \"customer\": {\"type\": \"string\"}, \"amount\": {\"type\": \"number\"}, \"tags\": {\"type\": \"array\", \"items\": {\"type\": \"string\"}}}, \"required\": [\"id\", \"customer\"], \"additionalProperties\": false}";

/// The Debezium/Connect schema of the golden `seed-flat-create` vector.
pub(crate) const SEED_FLAT_SCHEMA: &str = "{\"type\": \"object\", \"title\": \"pg.public.business_events.Value\", \"properties\": {\"id\": {\"type\": \"integer\", \"connect.index\": 0, \"connect.type\": \"int64\"}, \"event_name\": {\"oneOf\": [{\"type\": \"null\"}, {\"type\": \"string\"}], \"connect.index\": 1}, \"event_type\": {\"oneOf\": [{\"type\": \"null\"}, {\"type\": \"string\"}], \"connect.index\": 2}, \"created_date\": {\"oneOf\": [{\"type\": \"null\"}, {\"type\": \"integer\", \"connect.type\": \"int64\", \"connect.version\": 1, \"title\": \"io.debezium.time.MicroTimestamp\"}], \"connect.index\": 3}, \"saved_date\": {\"oneOf\": [{\"type\": \"null\"}, {\"type\": \"integer\", \"connect.type\": \"int64\", \"connect.version\": 1, \"title\": \"io.debezium.time.MicroTimestamp\"}], \"connect.index\": 4}, \"event_data\": {\"oneOf\": [{\"type\": \"null\"}, {\"type\": \"string\", \"connect.version\": 1, \"title\": \"io.debezium.data.Json\"}], \"connect.index\": 5}, \"__op\": {\"oneOf\": [{\"type\": \"null\"}, {\"type\": \"string\"}], \"connect.index\": 6}, \"__table\": {\"oneOf\": [{\"type\": \"null\"}, {\"type\": \"string\"}], \"connect.index\": 7}, \"__ts_ms\": {\"oneOf\": [{\"type\": \"null\"}, {\"type\": \"integer\", \"connect.type\": \"int64\"}], \"connect.index\": 8}}, \"required\": [\"id\"]}";

/// The golden vectors file, when the shared fixtures are present beside the repository.
pub(crate) fn golden_vectors() -> Option<serde_json::Value> {
    let path = format!(
        "{}/../../../shared/fixtures/jsonsr-golden/vectors.json",
        std::env::var("CARGO_MANIFEST_DIR").unwrap()
    );
    let text = std::fs::read_to_string(path).ok()?;
    serde_json::from_str(&text).ok()
}
