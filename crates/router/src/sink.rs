//! Writing a sink table's rows: the projection's values → JSON → (JSON_SR frame) → bytes, with the key
//! built from `key.fields`.
//!
//! For `json-registry` sinks the value schema (JSON Schema with Connect annotations, so Kafka Connect
//! sinks and Confluent Cloud Flink downstream read it) is registered under `<topic>-value` when the
//! pipeline starts — a subject whose compatibility rules reject it stops the start with a clear error,
//! before any record is read.
//!
//! Rows are written straight into the output buffer (frame header, then the object with its keys
//! escaped once at build time), the same bytes `serde_json` would write for the row as a map.

use std::sync::Arc;

use serde_json::Value as Json;
use switchyard_registry::{RegisterRequest, RegistryClient, SchemaType};
use switchyard_sql::TableDef;
use switchyard_sql::mapping::{sink_json_schema, write_value_json};
use switchyard_sql::{DataType, Value};
use switchyard_wire::{SchemaRef, write_header};

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
    /// The sink's topic (shared with every record sent to it).
    pub topic: Arc<str>,
    /// Physical columns: (name, type).
    columns: Vec<(String, DataType)>,
    /// Each column's object key as JSON text, with the colon: `"name":`.
    keys: Vec<Vec<u8>>,
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
                .collect::<Result<Vec<_>, _>>()?,
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
            // A field named twice is written once, where it first appears (as a JSON map would).
            let written = key_fields
                .iter()
                .enumerate()
                .filter(|(n, i)| !key_fields[..*n].contains(i))
                .map(|(_, i)| *i)
                .collect();
            Some((written, format))
        };
        let keys = columns.iter().map(|(name, _)| object_key(name)).collect();
        Ok(SinkEncoder {
            topic: topic.into(),
            columns,
            keys,
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
        let guess: usize = which
            .iter()
            .map(|&i| match values.get(i) {
                Some(Value::String(s)) => s.len() + 8 + self.keys[i].len(),
                _ => 24 + self.keys[i].len(),
            })
            .sum();
        let mut out = Vec::with_capacity(guess + 8);
        if let Format::JsonRegistry(id) = format {
            write_header(SchemaRef::Id(id), &mut out);
        }
        out.push(b'{');
        for (n, &i) in which.iter().enumerate() {
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
            if n > 0 {
                out.push(b',');
            }
            out.extend_from_slice(&self.keys[i]);
            write_value_json(&mut out, v, data_type);
        }
        out.push(b'}');
        Ok(out)
    }
}

/// `"name":`, the name escaped as `serde_json` writes object keys.
fn object_key(name: &str) -> Vec<u8> {
    let mut key = serde_json::to_vec(name).unwrap_or_default();
    key.push(b':');
    key
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::sync::Arc;

    use serde_json::Map;
    use switchyard_sql::mapping::value_to_json;
    use switchyard_sql::{Decimal, TypeKind};
    use switchyard_wire::encode_json_sr;

    use super::*;

    /// The encoding before sinks wrote rows directly: a `serde_json` map of `value_to_json`s.
    fn via_map(enc: &SinkEncoder, values: &[Value], which: &[usize], format: Format) -> Vec<u8> {
        let mut obj = Map::new();
        for &i in which {
            let (name, dt) = &enc.columns[i];
            obj.insert(name.clone(), value_to_json(&values[i], dt));
        }
        match format {
            Format::JsonRegistry(id) => encode_json_sr(id, &Json::Object(obj)),
            _ => serde_json::to_vec(&Json::Object(obj)).unwrap(),
        }
    }

    #[test]
    fn direct_encoding_equals_the_map_encoding() {
        let t = |k: TypeKind| DataType::nullable(k);
        let columns: Vec<(String, DataType)> = [
            ("id", t(TypeKind::BigInt)),
            ("name \"quoted\" ✓", DataType::string()),
            ("created_at", t(TypeKind::Timestamp(6))),
            (
                "amount",
                t(TypeKind::Decimal {
                    precision: 12,
                    scale: 2,
                }),
            ),
            ("ratio", t(TypeKind::Double)),
            ("day", t(TypeKind::Date)),
            ("tags", t(TypeKind::Array(Box::new(DataType::string())))),
            ("ok", t(TypeKind::Boolean)),
        ]
        .into_iter()
        .map(|(n, dt)| (n.to_owned(), dt))
        .collect();
        let dec = |s: &str| Value::Decimal(s.parse::<Decimal>().unwrap());
        let rows = [
            vec![
                Value::BigInt(42),
                Value::string("Ada \"Lovelace\"\n\u{1}é"),
                Value::Timestamp(1_709_284_500_123_456),
                dec("350000.5"),
                Value::Double(0.1),
                Value::Date(19_782),
                Value::Array(Arc::from(vec![Value::string("a"), Value::Null])),
                Value::Boolean(true),
            ],
            vec![
                Value::BigInt(i64::MIN),
                Value::string(""),
                Value::Timestamp(-1),
                dec("-0.01"),
                Value::Double(f64::NAN),
                Value::Date(-1),
                Value::Array(Arc::from(Vec::<Value>::new())),
                Value::Boolean(false),
            ],
            vec![Value::Null; 8],
        ];
        for (value_format, key_format) in [
            (Format::JsonRegistry(7), Format::JsonRegistry(0x0102_0304)),
            (Format::Json, Format::Json),
        ] {
            let enc = SinkEncoder {
                topic: "out".into(),
                keys: columns.iter().map(|(n, _)| object_key(n)).collect(),
                columns: columns.clone(),
                value_columns: (0..columns.len()).collect(),
                value_format,
                key: Some((vec![0, 2], key_format)),
                subjects: Vec::new(),
            };
            for row in &rows {
                let (key, value) = enc.encode(row).unwrap();
                assert_eq!(value, via_map(&enc, row, &enc.value_columns, value_format));
                assert_eq!(key.unwrap(), via_map(&enc, row, &[0, 2, 0], key_format));
            }
        }
    }
}
