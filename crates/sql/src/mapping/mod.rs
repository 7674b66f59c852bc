//! Mapping between registry schemas (JSON Schema with Kafka Connect annotations) and Flink SQL types and
//! values.
//!
//! Switchyard reads topics that Kafka Connect's `JsonSchemaConverter` (Debezium) or Confluent Cloud Flink
//! wrote, and writes topics that Connect sinks and Confluent Cloud Flink read back. Both sides describe
//! their values with JSON Schema plus Connect annotations (`connect.type`, Connect/Debezium logical type
//! names in `title`, `connect.parameters`), so one module owns all the knowledge about them:
//!
//! * [`infer`]: JSON Schema → Flink types, the way Confluent Cloud infers a topic's table
//!   ([`infer_columns`], [`flink_type`]);
//! * [`read`]: JSON values → [`Value`](crate::types::Value)s of a declared column type, guided by the
//!   writer's schema ([`compile_reader`], [`check_column`]). Only lossless, unambiguous conversions succeed;
//!   anything else is a [`ConversionError`] that names the writer type, the declared type and the fix;
//!   [`FlatReader`] applies the same readers while parsing a flat record, the fast path of `switchyard run`;
//! * [`write`](mod@write): rows → JSON_SR values and the JSON Schema to register for them ([`sink_json_schema`],
//!   [`value_to_json`]), and plain Flink `json` values ([`value_to_plain_json`]);
//! * [`temporal`] and [`decimal`]: the exact arithmetic both directions share.

mod compile;
pub mod decimal;
mod direct;
mod error;
pub mod infer;
pub mod read;
mod rows;
mod scan;
mod schema;
pub mod temporal;
mod topic;
pub mod write;

pub use direct::FlatReader;
pub use error::{Compatibility, ConversionError, MappingError};
pub use infer::{flink_type, infer_columns};
pub use read::{
    FieldReader, ReadOptions, check_column, check_column_with, compile_reader, compile_reader_with,
};
pub use rows::{RowReader, check_columns, compile_row_reader};
pub use temporal::TimestampFormat;
pub use topic::{after_schema, field_schema, inferred_table, is_envelope_schema, object_schema};
pub use write::{
    WriteOptions, row_to_json, row_to_plain_json, sink_json_schema, sink_write_loss, value_to_json,
    value_to_plain_json, write_value_json,
};

#[cfg(test)]
mod tests;

/// How a writer's JSON subschema reads in messages (`io.debezium.time.MicroTimestamp (int64 µs since
/// epoch)`, `nullable string`…): the `from` of [`ConversionError`]s, for the doctor and `explain`.
pub fn describe_writer(schema: &serde_json::Value) -> String {
    let w = schema::Writer::classify(schema);
    if w.nullable {
        format!("nullable {}", w.describe())
    } else {
        w.describe()
    }
}
