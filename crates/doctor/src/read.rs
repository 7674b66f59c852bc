//! Reading one record the way a table's format reads it: sniff the bytes, classify them against the format
//! (framing, converter, schema id, envelope shape) into a [`Verdict`], and — wherever the JSON is still
//! reachable — build best-effort rows with the same column readers `switchyard run` compiles
//! (`switchyard_sql::mapping::compile_reader`), recording every conversion failure instead of stopping.

use serde_json::Value as Json;
use switchyard_sql::mapping::{ReadOptions, compile_reader, compile_reader_with};
use switchyard_sql::plan::{ColumnKind, TableDef};
use switchyard_sql::{EvalContext, Value};
use switchyard_wire::{CaptureRecord, Encoding, JsonShape, VALUE_SCHEMA_ID_HEADER, sniff};

use crate::context::{Sample, Verdict, after_schema, field_schema, object_schema};
use crate::engine::FormatKind;
use crate::incident::Registry;

/// Reads records as one table's format would.
pub(crate) struct Reader<'t> {
    table: &'t TableDef,
    kind: FormatKind,
    registry: Option<&'t Registry>,
    schema_include: bool,
}

impl<'t> Reader<'t> {
    pub(crate) fn new(table: &'t TableDef, kind: FormatKind, registry: Option<&'t Registry>) -> Self {
        let schema_include = table
            .option("debezium-json.schema-include")
            .or_else(|| table.option("value.debezium-json.schema-include"))
            .is_some_and(|v| v.eq_ignore_ascii_case("true"));
        Reader {
            table,
            kind,
            registry,
            schema_include,
        }
    }

    pub(crate) fn read<'r>(&self, record: &'r CaptureRecord) -> Sample<'r> {
        let sniffed = sniff(record.value.as_deref(), record.header(VALUE_SCHEMA_ID_HEADER));
        let schema_id = sniffed.frame.as_ref().and_then(|f| f.schema_id);
        let mut s = Sample {
            record,
            sniffed,
            schema_id,
            verdict: Verdict::Rows,
            images: Vec::new(),
            rows: Vec::new(),
            conversion_errors: Vec::new(),
            null_violations: Vec::new(),
        };
        s.verdict = self.classify(&s);
        let writer = self.writer(schema_id);
        if matches!(
            s.verdict,
            Verdict::Rows
                | Verdict::EnvelopeUnderFlat
                | Verdict::SchemaNotFound(_)
                | Verdict::ConnectEnvelope
        ) && let Some(doc) = s.sniffed.json.clone()
        {
            s.images = self.images(&doc, &s.verdict);
            let row_schema = writer.as_ref().map(|w| {
                if self.kind.debezium() {
                    after_schema(w)
                } else {
                    object_schema(w)
                }
            });
            for image in s.images.clone() {
                let row = self.row(&image, row_schema, record, &doc, &mut s);
                s.rows.push(row);
            }
        }
        s
    }

    /// Whether any declared physical column is a top-level field of `doc`.
    fn declares_any(&self, doc: Option<&Json>) -> bool {
        let Some(obj) = doc.and_then(Json::as_object) else {
            return false;
        };
        self.table
            .physical_columns()
            .any(|(_, c)| obj.contains_key(&c.name))
    }

    /// The columns read from the key (`key.fields`), with the field name in the key.
    fn key_field(&self, column: &str) -> Option<String> {
        let fields = self.table.option("key.fields")?;
        let prefix = self.table.option("key.fields-prefix").unwrap_or("");
        fields
            .split(';')
            .map(str::trim)
            .find(|f| *f == column)
            .map(|f| f.strip_prefix(prefix).unwrap_or(f).to_string())
    }

    fn writer(&self, id: Option<u32>) -> Option<Json> {
        let id = id?;
        self.registry?.by_id(id).first().and_then(|(_, v)| v.json())
    }

    fn classify(&self, s: &Sample<'_>) -> Verdict {
        let sn = &s.sniffed;
        match &sn.encoding {
            Encoding::Tombstone => return Verdict::Tombstone,
            Encoding::Empty => return Verdict::Invalid("zero-length value".into()),
            _ => {}
        }
        if self.kind == FormatKind::Raw {
            return Verdict::Rows;
        }
        // A schema id in a record header leaves the payload bare: framed formats that support header mode
        // read it, and so do the bare-JSON formats.
        let magic = sn.frame.as_ref().is_some_and(|f| f.framing != "header");
        let mismatch = if self.kind.framed() {
            sn.frame.is_none()
        } else {
            magic
        };
        if mismatch {
            return Verdict::Framing;
        }
        match &sn.encoding {
            Encoding::JsonSr | Encoding::FramedInvalidJson if self.kind == FormatKind::FramedBinary => {
                return Verdict::Converter(
                    "a JSON payload (JSON_SR), but the format decodes Avro/Protobuf".into(),
                );
            }
            Encoding::FramedAvro | Encoding::FramedProtobuf { .. } if self.kind.json() => {
                return Verdict::Converter(sn.encoding.label().to_string());
            }
            Encoding::Text | Encoding::Binary | Encoding::FramedInvalidJson => {
                return Verdict::Invalid(
                    sn.problem
                        .clone()
                        .unwrap_or_else(|| sn.encoding.label().to_string()),
                );
            }
            _ => {}
        }
        if let (Some(id), Some(reg)) = (s.schema_id, self.registry)
            && self.kind.framed()
        {
            let found = reg.by_id(id);
            match found.first() {
                None => return Verdict::SchemaNotFound(id),
                Some((_, v)) if self.kind.json() != (v.schema_type() == "JSON") => {
                    return Verdict::Converter(format!("schema id {id} is a {} schema", v.schema_type()));
                }
                _ => {}
            }
        }
        match sn.shape.as_ref() {
            Some(JsonShape::Null) => Verdict::NullDocument,
            Some(JsonShape::ConnectEnvelope { .. })
                if !(self.kind == FormatKind::DebeziumJson && self.schema_include) =>
            {
                Verdict::ConnectEnvelope
            }
            // Like the router: an envelope is only a mismatch when the table declares none of its fields.
            Some(JsonShape::DebeziumEnvelope { .. })
                if !self.kind.debezium() && !self.declares_any(sn.json.as_ref()) =>
            {
                Verdict::EnvelopeUnderFlat
            }
            Some(shape)
                if self.kind.debezium()
                    && !matches!(shape.innermost(), JsonShape::DebeziumEnvelope { .. }) =>
            {
                Verdict::FlatUnderDebezium
            }
            _ => Verdict::Rows,
        }
    }

    fn images(&self, doc: &Json, verdict: &Verdict) -> Vec<Json> {
        if !self.kind.debezium() || *verdict == Verdict::ConnectEnvelope {
            return vec![doc.clone()];
        }
        let env = match doc.get("payload") {
            Some(p) if doc.get("schema").is_some() => p,
            _ => doc,
        };
        let image = |n: &str| env.get(n).filter(|v| !v.is_null()).cloned();
        match env.get("op").and_then(Json::as_str) {
            Some("c" | "r") => image("after").into_iter().collect(),
            Some("u") => image("before").into_iter().chain(image("after")).collect(),
            Some("d") => image("before").into_iter().collect(),
            _ => Vec::new(),
        }
    }

    fn row(
        &self,
        image: &Json,
        row_schema: Option<&Json>,
        record: &CaptureRecord,
        doc: &Json,
        s: &mut Sample<'_>,
    ) -> Vec<Value> {
        let mut row = vec![Value::Null; self.table.columns.len()];
        for (i, col) in self.table.columns.iter().enumerate() {
            match &col.kind {
                ColumnKind::Physical => {
                    let key_doc;
                    let (raw, field) = match self.key_field(&col.name) {
                        Some(name) => {
                            key_doc = record.key.as_deref().and_then(|k| sniff(Some(k), None).json);
                            (
                                key_doc.as_ref().and_then(|k| k.get(&name)).unwrap_or(&Json::Null),
                                None,
                            )
                        }
                        None => (
                            image.get(&col.name).unwrap_or(&Json::Null),
                            row_schema.and_then(|r| field_schema(r, &col.name)),
                        ),
                    };
                    let reader =
                        compile_reader_with(&col.name, field, &col.data_type, &ReadOptions::default())
                            .or_else(|_| compile_reader(None, &col.data_type));
                    match reader.map(|r| r.read(raw)) {
                        Ok(Ok(v)) => row[i] = v,
                        Ok(Err(e)) if raw.is_null() => {
                            s.null_violations.push(format!("{}: {}", col.name, e.message))
                        }
                        Ok(Err(e)) => s.conversion_errors.push((col.name.clone(), e.to_string())),
                        Err(e) => s.conversion_errors.push((col.name.clone(), e.to_string())),
                    }
                }
                ColumnKind::Metadata { key, .. } => row[i] = metadata(key, record, doc),
                ColumnKind::Computed(_) => {}
            }
        }
        let _ = self.table.fill_computed(&mut row, &EvalContext::default());
        row
    }
}

/// A metadata column's value, as the Kafka connector and the Debezium formats define it.
fn metadata(key: &str, rec: &CaptureRecord, doc: &Json) -> Value {
    let env = doc
        .get("payload")
        .filter(|_| doc.get("schema").is_some())
        .unwrap_or(doc);
    let text = |v: Option<&Json>| v.and_then(Json::as_str).map_or(Value::Null, Value::string);
    let millis = |v: Option<i64>| v.map_or(Value::Null, |ms| Value::TimestampLtz(ms * 1000));
    match key {
        "topic" => Value::string(&rec.topic),
        "partition" => Value::Int(rec.partition),
        "offset" => Value::BigInt(rec.offset),
        "timestamp" => millis(rec.timestamp),
        "timestamp-type" => Value::string("CreateTime"),
        "value.source.table" => text(env.pointer("/source/table")),
        "value.source.database" => text(env.pointer("/source/db")),
        "value.source.schema" => text(env.pointer("/source/schema")),
        "value.source.timestamp" => millis(env.pointer("/source/ts_ms").and_then(Json::as_i64)),
        "value.ingestion-timestamp" => millis(env.get("ts_ms").and_then(Json::as_i64)),
        _ => Value::Null,
    }
}
