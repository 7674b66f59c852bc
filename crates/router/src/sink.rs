//! Writing a sink table's rows: the projection's values → JSON → (JSON_SR frame) → bytes, with the key
//! built from `key.fields`.
//!
//! For `json-registry` sinks the value schema (JSON Schema with Connect annotations, so Kafka Connect
//! sinks and Confluent Cloud Flink downstream read it) is registered under `<topic>-value` when the
//! pipeline starts — a subject whose compatibility rules reject it stops the start with a clear error,
//! before any record is read.

use serde_json::{Map, Value as Json};
use switchyard_registry::{RegisterRequest, RegistryClient, SchemaType};
use switchyard_sql::TableDef;
use switchyard_sql::mapping::{sink_json_schema, value_to_json};
use switchyard_sql::{DataType, Value};
use switchyard_wire::encode_json_sr;

use crate::error::{RecordError, Stage};

/// How a sink's values (or keys) are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    /// JSON_SR with a registered schema.
    JsonRegistry(u32),
    /// Plain JSON.
    Json,
    /// One column's bytes.
    Raw,
}

/// Encodes one sink table's rows.
#[derive(Debug, Clone)]
pub struct SinkEncoder {
    /// The sink's topic.
    pub topic: String,
    /// Physical columns: (name, type).
    columns: Vec<(String, DataType)>,
    /// Indexes (into `columns`) written to the value.
    value_columns: Vec<usize>,
    value_format: Format,
    /// Indexes written to the key, and how.
    key: Option<(Vec<usize>, Format)>,
    /// Subjects registered at start, for `explain` and logs.
    pub subjects: Vec<(String, u32)>,
}

/// A table's topic (`topic`, or the table name for Confluent Cloud tables), or an error naming the table.
pub fn table_topic(table: &TableDef) -> Result<String, String> {
    table
        .topic()
        .map(String::from)
        .ok_or_else(|| format!("table `{}` has no 'topic' option", table.name))
}

fn format_of(name: &str, table: &str) -> Result<Format, String> {
    match name {
        "json-registry" => Ok(Format::JsonRegistry(0)),
        "json" => Ok(Format::Json),
        "raw" => Ok(Format::Raw),
        other => Err(format!(
            "table `{table}`: sink format `{other}` is not supported (use json-registry, json or raw)"
        )),
    }
}

impl SinkEncoder {
    /// Build the encoder, registering schemas for `json-registry` values and keys.
    pub async fn build(table: &TableDef, registry: Option<&RegistryClient>) -> Result<Self, String> {
        let topic = table_topic(table)?;
        let columns: Vec<(String, DataType)> = table
            .physical_columns()
            .map(|(_, c)| (c.name.clone(), c.data_type.clone()))
            .collect();
        let key_fields: Vec<usize> = match table.option("key.fields") {
            Some(list) => list
                .split(';')
                .map(str::trim)
                .map(|f| {
                    columns.iter().position(|(n, _)| n == f).ok_or_else(|| {
                        format!(
                            "table `{}`: key field `{f}` is not one of its columns",
                            table.name
                        )
                    })
                })
                .collect::<Result<_, _>>()?,
            None => table
                .primary_key
                .as_ref()
                .filter(|_| table.option("connector") == Some("upsert-kafka"))
                .map(|pk| {
                    pk.iter()
                        .filter_map(|f| columns.iter().position(|(n, _)| n == f))
                        .collect()
                })
                .unwrap_or_default(),
        };
        let except_key = table
            .option("value.fields-include")
            .is_some_and(|v| v.eq_ignore_ascii_case("EXCEPT_KEY"));
        let value_columns: Vec<usize> = (0..columns.len())
            .filter(|i| !(except_key && key_fields.contains(i)))
            .collect();
        let mut subjects = Vec::new();
        let value_name = table
            .option("value.format")
            .or_else(|| table.option("format"))
            .unwrap_or("json-registry");
        let mut value_format = format_of(value_name, &table.name)?;
        if let Format::JsonRegistry(_) = value_format {
            let cols: Vec<(String, DataType)> = value_columns.iter().map(|i| columns[*i].clone()).collect();
            let subject = format!("{topic}-value");
            let id = register(
                registry,
                &subject,
                &sink_json_schema(&cols, &format!("{}.Value", table.name)),
                &table.name,
            )
            .await?;
            subjects.push((subject, id));
            value_format = Format::JsonRegistry(id);
        }
        let key = if key_fields.is_empty() {
            None
        } else {
            let mut format = format_of(table.option("key.format").unwrap_or("json"), &table.name)?;
            if let Format::JsonRegistry(_) = format {
                let cols: Vec<(String, DataType)> = key_fields.iter().map(|i| columns[*i].clone()).collect();
                let subject = format!("{topic}-key");
                let id = register(
                    registry,
                    &subject,
                    &sink_json_schema(&cols, &format!("{}.Key", table.name)),
                    &table.name,
                )
                .await?;
                subjects.push((subject, id));
                format = Format::JsonRegistry(id);
            }
            Some((key_fields, format))
        };
        Ok(SinkEncoder {
            topic,
            columns,
            value_columns,
            value_format,
            key,
            subjects,
        })
    }

    /// Encode the projection's values (one per physical column): `(key, value)` bytes.
    pub fn encode(&self, values: &[Value]) -> Result<(Option<Vec<u8>>, Vec<u8>), RecordError> {
        let value = self.encode_part(values, &self.value_columns, self.value_format)?;
        let key = match &self.key {
            Some((fields, format)) => Some(self.encode_part(values, fields, *format)?),
            None => None,
        };
        Ok((key, value))
    }

    fn encode_part(&self, values: &[Value], which: &[usize], format: Format) -> Result<Vec<u8>, RecordError> {
        if format == Format::Raw {
            return match which.first().and_then(|i| values.get(*i)) {
                Some(Value::String(s)) => Ok(s.as_bytes().to_vec()),
                Some(Value::Bytes(b)) => Ok(b.to_vec()),
                Some(Value::Null) | None => Ok(Vec::new()),
                Some(other) => Err(RecordError::new(
                    Stage::Encode,
                    "ENCODE",
                    format!("raw format needs STRING or BYTES, got {other:?}"),
                )),
            };
        }
        let mut obj = Map::with_capacity(which.len());
        for &i in which {
            let (name, data_type) = &self.columns[i];
            let v = values.get(i).unwrap_or(&Value::Null);
            if v.is_null() && !data_type.nullable {
                return Err(RecordError::new(
                    Stage::Encode,
                    "NULLABILITY",
                    format!(
                        "sink `{}` column `{name}` is {data_type} but the statement produced NULL",
                        self.topic
                    ),
                ));
            }
            obj.insert(name.clone(), value_to_json(v, data_type));
        }
        let json = Json::Object(obj);
        Ok(match format {
            Format::JsonRegistry(id) => encode_json_sr(id, &json),
            _ => serde_json::to_vec(&json)
                .map_err(|e| RecordError::new(Stage::Encode, "ENCODE", e.to_string()))?,
        })
    }
}

async fn register(
    registry: Option<&RegistryClient>,
    subject: &str,
    schema: &Json,
    table: &str,
) -> Result<u32, String> {
    let registry = registry.ok_or_else(|| {
        format!("table `{table}` writes json-registry but no Schema Registry is configured (--registry URL)")
    })?;
    // A registry that is down is waited for (with backoff, up to five minutes), not a reason to fail.
    let request = RegisterRequest::new(schema.to_string(), SchemaType::Json);
    let mut backoff = std::time::Duration::from_millis(200);
    let started = std::time::Instant::now();
    let result = loop {
        match registry.register(subject, &request).await {
            Err(e) if e.is_transient() && started.elapsed() < std::time::Duration::from_secs(300) => {
                tracing::warn!("registering `{subject}`: {e}; retrying in {backoff:?}");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(std::time::Duration::from_secs(10));
            }
            other => break other,
        }
    };
    result
        .map(|id| id as u32)
        .map_err(|e| {
            if e.is_incompatible() {
                format!("registering the sink schema of `{table}` under `{subject}`: {e}. The subject already holds an incompatible schema: change the sink table to match it, or set the subject's compatibility (switchyard registry config {subject} NONE)")
            } else {
                format!("registering the sink schema of `{table}` under `{subject}`: {e}")
            }
        })
}
