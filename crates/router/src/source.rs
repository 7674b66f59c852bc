//! Reading a source table's records: Kafka bytes in, Flink rows (with change kinds) out.
//!
//! One [`SourceDecoder`] per source table knows its value format and columns. Per writer schema id it
//! compiles, once, a reader for every physical column (the registry's field schema + the declared type →
//! a lossless conversion or an error naming the column, both types and the fix), so that the per-record
//! work is a frame check, a JSON parse and a walk over the columns.
//!
//! Flat rows (`json-registry`, `json`) take a fast path once their readers are compiled: a
//! [`FlatReader`] converts the fields as it parses them, with no `serde_json::Value` for the record.
//! Any record it cannot read cleanly goes through the general path, which gives the usual error.
//!
//! Formats: `json-registry` (JSON_SR rows), `json-debezium-registry` (JSON_SR Debezium envelopes →
//! changelog rows: c/r → +I, u → −U/+U, d → −D), `json` and `debezium-json` (Apache Flink's unframed
//! formats; framed bytes are an error that says to use the registry format), and `raw`.

use foldhash::HashMap;
use std::sync::Arc;

use serde_json::Value as Json;
use switchyard_registry::RegistryClient;
use switchyard_sql::mapping::{FieldReader, FlatReader, after_schema, compile_reader, field_schema};
use switchyard_sql::{ColumnKind, EvalContext, TableDef};
use switchyard_sql::{Row, RowKind, Value};
use switchyard_wire::{
    FrameError, MAGIC_GUID, MAGIC_ID, VALUE_SCHEMA_ID_HEADER, parse_frame_with_header, parse_json,
};

use crate::error::{Failure, RecordError, Stage};

/// A Kafka record as the runtime sees it: borrowed, no copies.
#[derive(Debug, Clone, Copy)]
pub struct RecordView<'a> {
    /// Topic.
    pub topic: &'a str,
    /// Partition.
    pub partition: i32,
    /// Offset.
    pub offset: i64,
    /// Timestamp (ms since the epoch).
    pub timestamp: Option<i64>,
    /// Key bytes.
    pub key: Option<&'a [u8]>,
    /// Value bytes.
    pub value: Option<&'a [u8]>,
    /// Headers.
    pub headers: Headers<'a>,
}

/// A record's headers, read only when something asks for them: librdkafka parses a consumed
/// message's headers on first access (an allocation and a lock on its buffer pool), and the usual
/// record needs none of them.
#[derive(Clone, Copy)]
pub enum Headers<'a> {
    /// Headers already in hand (tests, replays).
    Slice(&'a [(String, Option<Vec<u8>>)]),
    /// The headers of a consumed message, parsed on demand.
    Kafka(&'a rdkafka::message::BorrowedMessage<'a>),
}

impl std::fmt::Debug for Headers<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.to_vec()).finish()
    }
}

impl Headers<'_> {
    /// No headers.
    pub const NONE: Headers<'static> = Headers::Slice(&[]);

    /// The value of the last header called `name` (Kafka allows repeats; the last one wins, as in
    /// Confluent's deserializers), `None` when there is none or it is null.
    pub fn get(&self, name: &str) -> Option<Vec<u8>> {
        match self {
            Headers::Slice(hs) => hs
                .iter()
                .rev()
                .find(|(n, _)| n == name)
                .and_then(|(_, v)| v.clone()),
            Headers::Kafka(m) => {
                use rdkafka::message::{Headers as _, Message as _};
                m.headers()?
                    .iter()
                    .filter(|h| h.key == name)
                    .last()
                    .and_then(|h| h.value.map(<[u8]>::to_vec))
            }
        }
    }

    /// Every header, in order.
    pub fn to_vec(&self) -> Vec<(String, Option<Vec<u8>>)> {
        match self {
            Headers::Slice(hs) => hs.to_vec(),
            Headers::Kafka(m) => {
                use rdkafka::message::{Headers as _, Message as _};
                m.headers()
                    .map(|hs| {
                        hs.iter()
                            .map(|h| (h.key.to_string(), h.value.map(<[u8]>::to_vec)))
                            .collect()
                    })
                    .unwrap_or_default()
            }
        }
    }
}

/// The value formats a source can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueFormat {
    /// Confluent JSON_SR rows.
    JsonRegistry,
    /// Confluent JSON_SR Debezium envelopes.
    DebeziumRegistry,
    /// Plain JSON rows.
    Json,
    /// Plain Debezium JSON envelopes (optionally with the Connect schema).
    DebeziumJson,
    /// The value bytes as one column.
    Raw,
}

impl ValueFormat {
    /// The format named by a table's `value.format` / `format` option.
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "json-registry" => ValueFormat::JsonRegistry,
            "json-debezium-registry" => ValueFormat::DebeziumRegistry,
            "json" => ValueFormat::Json,
            "debezium-json" => ValueFormat::DebeziumJson,
            "raw" => ValueFormat::Raw,
            _ => return None,
        })
    }

    /// The format's name.
    pub fn name(&self) -> &'static str {
        match self {
            ValueFormat::JsonRegistry => "json-registry",
            ValueFormat::DebeziumRegistry => "json-debezium-registry",
            ValueFormat::Json => "json",
            ValueFormat::DebeziumJson => "debezium-json",
            ValueFormat::Raw => "raw",
        }
    }

    fn framed(&self) -> bool {
        matches!(self, ValueFormat::JsonRegistry | ValueFormat::DebeziumRegistry)
    }

    fn debezium(&self) -> bool {
        matches!(self, ValueFormat::DebeziumRegistry | ValueFormat::DebeziumJson)
    }
}

/// Why a record produced no rows, on purpose (counted, not dead-lettered).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Skip {
    /// A Kafka tombstone (null value).
    Tombstone,
    /// A JSON `null` value (a delete under ExtractNewRecordState's default tombstone mode).
    NullValue,
    /// A Debezium truncate or message event.
    NotARowChange,
}

impl Skip {
    /// Name used in metrics.
    pub fn as_str(&self) -> &'static str {
        match self {
            Skip::Tombstone => "tombstone",
            Skip::NullValue => "null_value",
            Skip::NotARowChange => "not_a_row_change",
        }
    }
}

/// A decoded record.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// The rows (two for an update: −U and +U).
    pub rows: Vec<Row>,
    /// The writer schema id.
    pub schema_id: Option<u32>,
    /// Why there are no rows, when on purpose.
    pub skipped: Option<Skip>,
}

/// Column readers compiled for one writer schema.
#[derive(Debug)]
struct Compiled {
    /// One per column (`None` for metadata and computed columns).
    columns: Vec<Option<FieldReader>>,
    /// The same readers driven by the parser, for flat formats.
    flat: Option<FlatReader>,
}

type Readers = Arc<Compiled>;

/// Decodes one source table's records.
#[derive(Debug, Clone)]
pub struct SourceDecoder {
    table: TableDef,
    format: ValueFormat,
    /// By writer schema id, looked up for every record (a fast hash: the ids are the registry's).
    readers: HashMap<Option<u32>, Readers>,
    /// The last record's rows, given back by [`SourceDecoder::recycle`].
    spare: Vec<Row>,
}

impl SourceDecoder {
    /// A decoder for `table`; fails when its format is not one Switchyard reads.
    pub fn new(table: &TableDef) -> Result<Self, String> {
        let name = table
            .option("value.format")
            .or_else(|| table.option("format"))
            .unwrap_or("json-registry");
        let format = ValueFormat::parse(name).ok_or_else(|| {
            format!(
                "table `{}`: value format `{name}` is not supported by `switchyard run` (use json-registry, json-debezium-registry, json, debezium-json or raw)",
                table.name
            )
        })?;
        Ok(SourceDecoder {
            table: table.clone(),
            format,
            readers: HashMap::default(),
            spare: Vec::new(),
        })
    }

    /// The table.
    pub fn table(&self) -> &TableDef {
        &self.table
    }

    /// The value format.
    pub fn format(&self) -> ValueFormat {
        self.format
    }

    /// Give back a record's rows once they are routed: the next flat record is read into them, which
    /// saves allocating a row and lets repeated strings be shared (see [`FlatReader::read`]).
    pub fn recycle(&mut self, decoded: Decoded) {
        self.spare = decoded.rows;
    }

    /// Decode one record into rows.
    pub async fn decode(
        &mut self,
        rec: &RecordView<'_>,
        registry: Option<&RegistryClient>,
        ctx: &EvalContext,
    ) -> Result<Decoded, Failure> {
        let Some(bytes) = rec.value else {
            return Ok(Decoded {
                rows: Vec::new(),
                schema_id: None,
                skipped: Some(Skip::Tombstone),
            });
        };
        if self.format == ValueFormat::Raw {
            let mut row = self.empty_row();
            if let Some((i, col)) = self.table.physical_columns().next() {
                row[i] = if col.data_type.is_string() {
                    Value::String(Arc::from(String::from_utf8_lossy(bytes).as_ref()))
                } else {
                    Value::Bytes(Arc::from(bytes))
                };
            }
            return self.finish(vec![Row::insert(row)], rec, None, None, ctx);
        }
        let (payload, offset, schema_id) = self.unframe(bytes, rec)?;
        // Read into the previous record's row (see `recycle`).
        let mut rows = std::mem::take(&mut self.spare);
        if let Some(flat) = self.readers.get(&schema_id).and_then(|r| r.flat.as_ref())
            && let Ok(text) = std::str::from_utf8(payload)
        {
            rows.truncate(1);
            let mut row = match rows.pop() {
                Some(r) if r.values.len() == self.table.columns.len() => r.values,
                _ => self.empty_row(),
            };
            if flat.read(text, &mut row) && self.nulls_allowed(&row) {
                rows.push(Row::insert(row));
                return self.finish(rows, rec, schema_id, None, ctx);
            }
        }
        let doc = parse_json(payload, offset).map_err(|e| {
            RecordError::new(
                Stage::Decode,
                "INVALID_JSON",
                format!("the value is not JSON: {e}"),
            )
            .with_schema(schema_id)
        })?;
        // Readers are compiled once per writer schema id; only a new id costs a registry lookup.
        let cached = self.readers.get(&schema_id).cloned();
        let writer = match (schema_id, registry) {
            _ if cached.is_some() => None,
            (Some(id), Some(registry)) => Some(self.writer_schema(id, registry).await?),
            (Some(id), None) => {
                return Err(RecordError::new(
                    Stage::Schema,
                    "NO_REGISTRY",
                    format!("the value names schema id {id} but no Schema Registry is configured"),
                )
                .into());
            }
            _ => None,
        };
        let readers = match cached {
            Some(r) => r,
            None => self.readers_for(schema_id, writer.as_deref())?,
        };
        if doc.is_null() {
            return Ok(Decoded {
                rows: Vec::new(),
                schema_id,
                skipped: Some(Skip::NullValue),
            });
        }
        let images = if self.format.debezium() {
            self.envelope_images(&doc, schema_id)?
        } else {
            vec![(RowKind::Insert, &doc)]
        };
        if images.is_empty() {
            return Ok(Decoded {
                rows: Vec::new(),
                schema_id,
                skipped: Some(Skip::NotARowChange),
            });
        }
        let mut rows = Vec::with_capacity(images.len());
        for (kind, image) in images {
            rows.push(Row {
                kind,
                values: self.read_row(image, &readers.columns, schema_id)?,
            });
        }
        self.finish(rows, rec, schema_id, Some(&doc), ctx)
    }

    /// Check the frame the format expects and return the payload, its offset and the schema id.
    fn unframe<'b>(
        &self,
        bytes: &'b [u8],
        rec: &RecordView<'_>,
    ) -> Result<(&'b [u8], usize, Option<u32>), Failure> {
        if self.format.framed() {
            // A payload that starts with a magic byte names its schema itself (JSON text never starts
            // with 0x00 or 0x01; Confluent's header-based serializers write the bare JSON). Only other
            // payloads are looked up in the headers, which librdkafka parses on first access: most
            // records never pay.
            let header = match bytes.first() {
                Some(&(MAGIC_ID | MAGIC_GUID)) => None,
                _ => rec.headers.get(VALUE_SCHEMA_ID_HEADER),
            };
            let frame = parse_frame_with_header(bytes, header.as_deref()).map_err(|e| {
                let hint = match e {
                    FrameError::UnknownMagic { byte: b'{' | b'[' } => {
                        "; these bytes are plain JSON (no 0x00 + schema id): use 'value.format' = 'json' (or 'debezium-json')"
                    }
                    _ => "",
                };
                RecordError::new(
                    Stage::Decode,
                    "FRAMING_MISMATCH",
                    format!("the value is not Confluent-framed as {} expects: {e}{hint}", self.format.name()),
                )
            })?;
            let id = frame.schema.id().ok_or_else(|| {
                RecordError::new(
                    Stage::Schema,
                    "SCHEMA_GUID_UNSUPPORTED",
                    "the value names its schema by GUID; only numeric schema ids are supported",
                )
            })?;
            return Ok((frame.payload, frame.payload_offset, Some(id)));
        }
        if matches!(bytes.first(), Some(0x00 | 0x01))
            && parse_frame_with_header(bytes, None).is_ok_and(|f| parse_json(f.payload, 0).is_ok())
        {
            return Err(RecordError::new(
                Stage::Decode,
                "FRAMING_MISMATCH",
                format!(
                    "these bytes are JSON_SR (0x{:02x} + schema id, then JSON): use 'value.format' = '{}'",
                    bytes[0],
                    if self.format.debezium() {
                        "json-debezium-registry"
                    } else {
                        "json-registry"
                    }
                ),
            )
            .into());
        }
        Ok((bytes, 0, None))
    }

    async fn writer_schema(&self, id: u32, registry: &RegistryClient) -> Result<Arc<Json>, Failure> {
        match registry.get_schema_by_id(id as i32).await {
            Ok(s) => match &s.json {
                Some(json) => Ok(Arc::new(json.value().clone())),
                None => Err(RecordError::new(
                    Stage::Schema,
                    "CONVERTER_MISMATCH",
                    format!(
                        "schema id {id} is {:?}, not a JSON schema: the producer is not writing JSON_SR",
                        s.schema_type
                    ),
                )
                .with_schema(Some(id))
                .into()),
            },
            Err(e) if e.is_transient() => Err(Failure::Transient(e.to_string())),
            Err(e) => {
                Err(
                    RecordError::new(Stage::Schema, "SCHEMA_NOT_FOUND", format!("schema id {id}: {e}"))
                        .with_schema(Some(id))
                        .into(),
                )
            }
        }
    }

    /// Readers for every physical column, compiled once per writer schema.
    fn readers_for(&mut self, schema_id: Option<u32>, writer: Option<&Json>) -> Result<Readers, Failure> {
        if let Some(r) = self.readers.get(&schema_id) {
            return Ok(r.clone());
        }
        let row_schema = writer.map(|w| {
            if self.format.debezium() {
                after_schema(w)
            } else {
                w
            }
        });
        let mut readers = Vec::with_capacity(self.table.columns.len());
        for col in &self.table.columns {
            if !matches!(col.kind, ColumnKind::Physical) {
                readers.push(None);
                continue;
            }
            let field = row_schema.and_then(|s| field_schema(s, &col.name));
            let reader = compile_reader(field, &col.data_type).map_err(|e| {
                RecordError::new(
                    Stage::Convert,
                    "TYPE_MISMATCH",
                    format!("column `{}`: {e}", col.name),
                )
                .with_schema(schema_id)
            })?;
            readers.push(Some(reader));
        }
        let flat = if self.flat_fast_path() {
            let fields = self
                .table
                .columns
                .iter()
                .zip(&readers)
                .enumerate()
                .filter_map(|(i, (col, r))| r.clone().map(|r| (col.name.clone(), i, r)));
            // In the writer schema's field order, the order of the records' fields: the reader tries
            // the field after the last one it read first.
            let properties = row_schema
                .and_then(|s| s.get("properties"))
                .and_then(Json::as_object);
            let position = |name: &str| properties.and_then(|p| p.keys().position(|k| k == name));
            let mut fields: Vec<_> = fields.collect();
            fields.sort_by_key(|(name, _, _)| position(name).unwrap_or(usize::MAX));
            FlatReader::new(fields)
        } else {
            None
        };
        let readers = Arc::new(Compiled {
            columns: readers,
            flat,
        });
        self.readers.insert(schema_id, readers.clone());
        Ok(readers)
    }

    /// Whether flat records may skip the `serde_json::Value`: flat formats whose metadata columns do
    /// not read the value.
    fn flat_fast_path(&self) -> bool {
        matches!(self.format, ValueFormat::JsonRegistry | ValueFormat::Json)
            && !self
                .table
                .columns
                .iter()
                .any(|c| matches!(&c.kind, ColumnKind::Metadata { key, .. } if key.starts_with("value.")))
    }

    /// The `NOT NULL` check of [`SourceDecoder::read_row`].
    fn nulls_allowed(&self, row: &[Value]) -> bool {
        self.table
            .physical_columns()
            .all(|(i, c)| c.data_type.nullable || !row[i].is_null())
    }

    fn empty_row(&self) -> Vec<Value> {
        vec![Value::Null; self.table.columns.len()]
    }

    fn read_row(
        &self,
        image: &Json,
        readers: &[Option<FieldReader>],
        schema_id: Option<u32>,
    ) -> Result<Vec<Value>, Failure> {
        let Json::Object(fields) = image else {
            return Err(
                RecordError::new(Stage::Convert, "NOT_AN_OBJECT", "the row is not a JSON object")
                    .with_schema(schema_id)
                    .into(),
            );
        };
        if self.format == ValueFormat::JsonRegistry || self.format == ValueFormat::Json {
            self.check_not_envelope(fields, schema_id)?;
        }
        let mut row = self.empty_row();
        for (i, col) in self.table.columns.iter().enumerate() {
            let Some(Some(reader)) = readers.get(i) else {
                continue;
            };
            let raw = fields.get(&col.name).unwrap_or(&Json::Null);
            row[i] = reader.read(raw).map_err(|mut e| {
                if e.column.is_empty() {
                    e.column = col.name.clone();
                }
                RecordError::new(Stage::Convert, "TYPE_MISMATCH", e.to_string()).with_schema(schema_id)
            })?;
            if row[i].is_null() && !col.data_type.nullable {
                return Err(RecordError::new(
                    Stage::Convert,
                    "NULLABILITY",
                    format!(
                        "column `{}` is declared {} but the record has no value for it",
                        col.name, col.data_type
                    ),
                )
                .with_schema(schema_id)
                .into());
            }
        }
        Ok(row)
    }

    /// A Debezium envelope read as a flat row would silently give all-NULL rows: refuse it loudly.
    fn check_not_envelope(
        &self,
        fields: &serde_json::Map<String, Json>,
        schema_id: Option<u32>,
    ) -> Result<(), Failure> {
        let declared_present = self
            .table
            .physical_columns()
            .any(|(_, c)| fields.contains_key(&c.name));
        let envelope =
            fields.contains_key("op") && (fields.contains_key("after") || fields.contains_key("source"));
        if !declared_present && envelope {
            let fix = if self.format == ValueFormat::JsonRegistry {
                "json-debezium-registry"
            } else {
                "debezium-json"
            };
            return Err(RecordError::new(
                Stage::Convert,
                "ENVELOPE_MISMATCH",
                format!("the value is a Debezium envelope (before/after/source/op) but the table reads flat rows: none of its columns are in the record; use 'value.format' = '{fix}' or flatten with ExtractNewRecordState"),
            )
            .with_schema(schema_id)
            .into());
        }
        Ok(())
    }

    /// The row images of a Debezium envelope, with Flink change kinds.
    fn envelope_images<'d>(
        &self,
        doc: &'d Json,
        schema_id: Option<u32>,
    ) -> Result<Vec<(RowKind, &'d Json)>, Failure> {
        let env = match doc.get("payload") {
            Some(p) if doc.get("schema").is_some() => p,
            _ => doc,
        };
        let op = env.get("op").and_then(Json::as_str).ok_or_else(|| {
            RecordError::new(
                Stage::Decode,
                "ENVELOPE_MISMATCH",
                format!("the value is not a Debezium envelope (no `op`), but the table's format is {}; rows flattened by ExtractNewRecordState need 'value.format' = 'json-registry' (or 'json')", self.format.name()),
            )
            .with_schema(schema_id)
        })?;
        let image = |name: &str| env.get(name).filter(|v| !v.is_null());
        Ok(match op {
            "c" | "r" => image("after")
                .map(|a| vec![(RowKind::Insert, a)])
                .unwrap_or_default(),
            "u" => {
                let mut v = Vec::with_capacity(2);
                if let Some(b) = image("before") {
                    v.push((RowKind::UpdateBefore, b));
                }
                if let Some(a) = image("after") {
                    v.push((RowKind::UpdateAfter, a));
                }
                v
            }
            "d" => image("before")
                .map(|b| vec![(RowKind::Delete, b)])
                .unwrap_or_default(),
            _ => Vec::new(),
        })
    }

    /// Fill metadata and computed columns and build the rows.
    fn finish(
        &self,
        mut rows: Vec<Row>,
        rec: &RecordView<'_>,
        schema_id: Option<u32>,
        doc: Option<&Json>,
        ctx: &EvalContext,
    ) -> Result<Decoded, Failure> {
        for Row { values, .. } in &mut rows {
            for (i, col) in self.table.columns.iter().enumerate() {
                if let ColumnKind::Metadata { key, .. } = &col.kind {
                    values[i] = metadata(key, rec, doc);
                }
            }
            self.table.fill_computed(values, ctx).map_err(|e| {
                RecordError::new(Stage::Evaluate, "COMPUTED_COLUMN", e.to_string()).with_schema(schema_id)
            })?;
        }
        Ok(Decoded {
            rows,
            schema_id,
            skipped: None,
        })
    }
}

/// A metadata column's value (Kafka connector keys and Debezium format keys).
fn metadata(key: &str, rec: &RecordView<'_>, doc: Option<&Json>) -> Value {
    let env = doc.map(|d| {
        d.get("payload")
            .filter(|_| d.get("schema").is_some())
            .unwrap_or(d)
    });
    let source = |field: &str| env.and_then(|e| e.pointer(&format!("/source/{field}")));
    let text = |v: Option<&Json>| v.and_then(Json::as_str).map_or(Value::Null, Value::string);
    let millis = |v: Option<i64>| v.map_or(Value::Null, |ms| Value::TimestampLtz(ms * 1000));
    match key {
        "topic" => Value::string(rec.topic),
        "partition" => Value::Int(rec.partition),
        "offset" => Value::BigInt(rec.offset),
        "timestamp" => millis(rec.timestamp),
        "timestamp-type" => Value::string("CreateTime"),
        "headers" => Value::Map(
            rec.headers
                .to_vec()
                .into_iter()
                .map(|(k, v)| {
                    (
                        Value::string(&k),
                        v.as_ref()
                            .map_or(Value::Null, |b| Value::Bytes(Arc::from(b.as_slice()))),
                    )
                })
                .collect(),
        ),
        "value.source.table" => text(source("table")),
        "value.source.database" => text(source("db")),
        "value.source.schema" => text(source("schema")),
        "value.source.timestamp" => millis(source("ts_ms").and_then(Json::as_i64)),
        "value.ingestion-timestamp" => millis(env.and_then(|e| e.get("ts_ms")).and_then(Json::as_i64)),
        "value.source.properties" => match env.and_then(|e| e.get("source")).and_then(Json::as_object) {
            Some(map) => Value::Map(
                map.iter()
                    .map(|(k, v)| {
                        (
                            Value::string(k),
                            v.as_str()
                                .map_or_else(|| Value::string(&v.to_string()), Value::string),
                        )
                    })
                    .collect(),
            ),
            None => Value::Null,
        },
        // The planner rejects keys it does not know; a key valid for another connector reads as NULL.
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use switchyard_registry::{RegisterRequest, SchemaType, ServerConfig};
    use switchyard_sql::{EmptyCatalog, parse_script, plan};
    use switchyard_wire::encode_json_sr;

    use super::*;

    const SQL: &str = "CREATE TABLE t (id BIGINT, name STRING) WITH ('connector' = 'kafka', \
                       'topic' = 't', 'value.format' = 'json-registry');";

    /// A decoder for `t`, and a registry with `t-value` registered (the schema id).
    async fn setup() -> (
        SourceDecoder,
        RegistryClient,
        u32,
        switchyard_registry::RunningServer,
    ) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let config = ServerConfig {
            data_dir: None,
            basic_auth: None,
            body_limit: 0,
        };
        let server = switchyard_registry::start(listener, config).await.unwrap();
        let client = RegistryClient::from_url(&format!("http://{}", server.local_addr())).unwrap();
        let schema = serde_json::json!({"type": "object", "properties": {
            "id": {"type": "integer", "connect.type": "int64"}, "name": {"type": "string"}}});
        let id = client
            .register(
                "t-value",
                &RegisterRequest::new(schema.to_string(), SchemaType::Json),
            )
            .await
            .unwrap() as u32;
        let plan = plan(&parse_script(SQL).unwrap(), &EmptyCatalog).unwrap();
        (SourceDecoder::new(&plan.tables[0]).unwrap(), client, id, server)
    }

    async fn decode(
        decoder: &mut SourceDecoder,
        registry: &RegistryClient,
        value: &[u8],
        headers: Headers<'_>,
    ) -> Result<Vec<Value>, String> {
        let view = RecordView {
            topic: "t",
            partition: 0,
            offset: 0,
            timestamp: None,
            key: None,
            value: Some(value),
            headers,
        };
        match decoder
            .decode(&view, Some(registry), &EvalContext::default())
            .await
        {
            Ok(d) => Ok(d.rows.into_iter().next().unwrap().values),
            Err(Failure::Permanent(e)) => Err(format!("{}: {}", e.code, e.message)),
            Err(Failure::Transient(e)) => Err(e),
        }
    }

    #[tokio::test]
    async fn schema_ids_come_from_the_prefix_or_else_from_the_header() {
        let (mut decoder, registry, id, _server) = setup().await;
        let row = serde_json::json!({"id": 7, "name": "x"});
        let expected = vec![Value::BigInt(7), Value::string("x")];
        let framed = encode_json_sr(id, &row);
        let bare = serde_json::to_vec(&row).unwrap();
        let mut header_value = vec![MAGIC_ID];
        header_value.extend_from_slice(&id.to_be_bytes());
        let header = [(VALUE_SCHEMA_ID_HEADER.to_string(), Some(header_value))];
        let unrelated = [("trace".to_string(), Some(b"abc".to_vec()))];

        // The usual JSON_SR record: 0x00 + id, then JSON; headers are never read.
        assert_eq!(
            decode(&mut decoder, &registry, &framed, Headers::NONE).await,
            Ok(expected.clone())
        );
        assert_eq!(
            decode(&mut decoder, &registry, &framed, Headers::Slice(&unrelated)).await,
            Ok(expected.clone())
        );
        // Confluent's header-based framing: bare JSON, the id in `__value_schema_id`.
        assert_eq!(
            decode(&mut decoder, &registry, &bare, Headers::Slice(&header)).await,
            Ok(expected.clone())
        );
        // A prefixed payload names its schema itself, header or not.
        assert_eq!(
            decode(&mut decoder, &registry, &framed, Headers::Slice(&header)).await,
            Ok(expected)
        );
        // Bare JSON with no header: the error says what the bytes are and what to use.
        let err = decode(&mut decoder, &registry, &bare, Headers::Slice(&unrelated))
            .await
            .unwrap_err();
        assert!(err.starts_with("FRAMING_MISMATCH"), "{err}");
        assert!(err.contains("use 'value.format' = 'json'"), "{err}");
    }

    #[test]
    fn headers_read_the_last_of_repeated_names() {
        let hs = [
            ("a".to_string(), Some(b"1".to_vec())),
            ("b".to_string(), None),
            ("a".to_string(), Some(b"2".to_vec())),
        ];
        let headers = Headers::Slice(&hs);
        assert_eq!(headers.get("a"), Some(b"2".to_vec()));
        assert_eq!(headers.get("b"), None);
        assert_eq!(headers.get("c"), None);
        assert_eq!(headers.to_vec(), hs.to_vec());
    }
}
