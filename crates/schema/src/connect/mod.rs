//! Kafka Connect schemas → the JSON Schema Confluent's `JsonSchemaConverter` registers for them.
//!
//! Debezium (and any Kafka Connect source) describes its records with Connect schemas; with
//! `JsonConverter` and `schemas.enable=true` they travel beside the payload as JSON
//! (`{"type":"struct","fields":[…],"optional":false,"name":"pg1.public.t.Value"}`). With
//! `io.confluent.connect.json.JsonSchemaConverter` the same Connect schema is turned into a JSON Schema
//! by `JsonSchemaData.fromConnectSchema` and registered under `<topic>-value`. Switchyard needs that
//! exact JSON Schema to predict what a connector will register (the doctor compares it with the
//! registry; the router infers columns from it) without running Kafka Connect, so this module ports
//! `rawSchemaFromConnectSchema` rule for rule:
//!
//! * `int8`…`int64` → `"type":"integer"`, `float32`/`float64` → `"type":"number"`, each with
//!   `connect.type`; `bytes` → `"type":"string","connect.type":"bytes"`, except the `Decimal` logical
//!   type, which becomes `"type":"number"` (its value stays base64 text unless
//!   `decimal.format=NUMERIC`);
//! * `name` → `title`, `version` → `connect.version`, `parameters` → `connect.parameters` (without
//!   Confluent's own `io.confluent.connect.json…` parameters), `doc` → `description`, `default` →
//!   `default`;
//! * an optional schema → `{"oneOf":[{"type":"null"}, T], "connect.index": i}`, the index on the
//!   wrapper; a required field carries `connect.index` itself;
//! * a map with non-optional string keys → an object with `additionalProperties`; other maps → an
//!   array of `{key, value}` objects (`connect.index` 0 and 1);
//! * a string with `io.confluent.connect.json.Enum` parameters → an `enum`; a struct named
//!   `io.confluent.connect.json.OneOf` → `oneOf` of its fields.
//!
//! The real converter writes no `required` list and no `additionalProperties` (its
//! `object.additional.properties` defaults to true); [`ConnectOptions`] can add either.

mod convert;

pub use convert::{ConnectError, ConnectOptions, json_schema_from_connect};

#[cfg(test)]
mod tests;
