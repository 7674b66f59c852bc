//! Decoding a record's key and value for people and scripts — shared by `decode` (files) and `tail`
//! (live topics). Schema ids resolve through a [`SchemaSource`]: a registry export on disk or a live
//! registry. A record's problems (bad frame, unknown id, schema violation) are collected, never fatal;
//! only an unreachable registry stops the command, since every later record would fail the same way.

use std::collections::HashMap;
use std::io::Write;

use anyhow::Result;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use switchyard_registry::{RegistryClient, SchemaType};
use switchyard_schema::JsonSchema;
use switchyard_wire::{
    CaptureRecord, Encoding, KEY_SCHEMA_ID_HEADER, Sniffed, VALUE_SCHEMA_ID_HEADER, sniff,
};

use crate::output::format_timestamp_ms;
use crate::schemas::SchemaDir;

/// What a schema id resolved to.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// Subject and version, when known.
    pub subject: Option<(String, i32)>,
    /// `JSON`, `AVRO` or `PROTOBUF`.
    pub schema_type: String,
    /// The compiled JSON schema (or why it could not be compiled), for JSON schemas.
    pub json: Option<Result<JsonSchema, String>>,
}

/// Where schema ids are looked up. `Ok(Err(problem))` is a per-record problem (unknown id);
/// `Err` stops the command (the registry is unreachable).
pub trait SchemaSource {
    /// Resolve `id`, preferring `preferred_subject` when several subjects share it.
    fn resolve(&mut self, id: u32, preferred_subject: &str) -> Result<Result<Resolved, String>>;
}

/// Schema ids from a registry export or incident directory.
#[derive(Debug)]
pub struct DirSource {
    dir: SchemaDir,
    cache: HashMap<(u32, String), Result<Resolved, String>>,
}

impl DirSource {
    /// Wrap a loaded directory.
    pub fn new(dir: SchemaDir) -> Self {
        DirSource {
            dir,
            cache: HashMap::new(),
        }
    }
}

impl SchemaSource for DirSource {
    fn resolve(&mut self, id: u32, preferred: &str) -> Result<Result<Resolved, String>> {
        let dir = &self.dir;
        let entry = self.cache.entry((id, preferred.to_string())).or_insert_with(|| {
            let file = dir.get(id, preferred).ok_or_else(|| {
                format!(
                    "schema id {id} is not among the {} ids in the schema directory: the bytes were written against another registry, or the schema was hard-deleted",
                    dir.len()
                )
            })?;
            let json = (file.schema_type() == "JSON").then(|| dir.compile(file).map_err(|e| format!("{e:#}")));
            Ok(Resolved {
                subject: Some((file.subject.clone(), file.version)),
                schema_type: file.schema_type().to_string(),
                json,
            })
        });
        Ok(entry.clone())
    }
}

/// Schema ids from a live Schema Registry (its client caches parsed schemas by id).
#[derive(Debug)]
pub struct RegistrySource {
    client: RegistryClient,
    runtime: tokio::runtime::Runtime,
    cache: HashMap<(u32, String), Result<Resolved, String>>,
}

impl RegistrySource {
    /// Wrap a client; lookups run on a private single-threaded runtime.
    pub fn new(client: RegistryClient) -> Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        Ok(RegistrySource {
            client,
            runtime,
            cache: HashMap::new(),
        })
    }
}

impl SchemaSource for RegistrySource {
    fn resolve(&mut self, id: u32, preferred: &str) -> Result<Result<Resolved, String>> {
        if let Some(r) = self.cache.get(&(id, preferred.to_string())) {
            return Ok(r.clone());
        }
        let client = &self.client;
        let result = self.runtime.block_on(async {
            let schema = match client.get_schema_by_id(id as i32).await {
                Ok(s) => s,
                Err(e) if e.is_transient() => return Err(anyhow::Error::new(e)),
                Err(e) => return Ok(Err(format!("schema id {id}: {e}"))),
            };
            let versions = client.get_schema_versions(id as i32).await.unwrap_or_default();
            let subject = versions
                .iter()
                .find(|v| v.subject == preferred)
                .or_else(|| versions.first())
                .map(|v| (v.subject.clone(), v.version));
            let schema_type = match schema.schema_type {
                SchemaType::Json => "JSON",
                SchemaType::Protobuf => "PROTOBUF",
                SchemaType::Avro => "AVRO",
            };
            let json = schema.json.clone().map(Ok);
            Ok(Ok(Resolved {
                subject,
                schema_type: schema_type.to_string(),
                json,
            }))
        })?;
        self.cache.insert((id, preferred.to_string()), result.clone());
        Ok(result)
    }
}

/// One side (key or value) of a decoded record.
#[derive(Debug)]
pub struct Side {
    /// The sniffing verdict.
    pub sniffed: Sniffed,
    /// Subject, version and schema type, when resolved.
    pub subject: Option<(String, i32, String)>,
    /// What is wrong with it.
    pub problems: Vec<String>,
}

/// Decode the key (`is_key`) or value of a record, resolving its schema through `source`.
pub fn decode_side(
    record: &CaptureRecord,
    is_key: bool,
    source: Option<&mut (dyn SchemaSource + '_)>,
) -> Result<Side> {
    let (bytes, header) = if is_key {
        (record.key.as_deref(), record.header(KEY_SCHEMA_ID_HEADER))
    } else {
        (record.value.as_deref(), record.header(VALUE_SCHEMA_ID_HEADER))
    };
    let sniffed = sniff(bytes, header);
    let mut side = Side {
        problems: sniffed.problem.iter().cloned().collect(),
        sniffed,
        subject: None,
    };
    let (Some(id), Some(source)) = (side.sniffed.frame.as_ref().and_then(|f| f.schema_id), source) else {
        return Ok(side);
    };
    let preferred = format!("{}-{}", record.topic, if is_key { "key" } else { "value" });
    let resolved = match source.resolve(id, &preferred)? {
        Ok(r) => r,
        Err(problem) => {
            side.problems.push(problem);
            return Ok(side);
        }
    };
    if let Some((subject, version)) = &resolved.subject {
        side.subject = Some((subject.clone(), *version, resolved.schema_type.clone()));
    }
    match (resolved.schema_type.as_str(), &side.sniffed.encoding) {
        ("JSON", Encoding::JsonSr) => {}
        ("JSON", other) => side.problems.push(format!(
            "schema {id} is a JSON schema but the body is {}",
            other.label()
        )),
        (ty, Encoding::JsonSr) => side.problems.push(format!(
            "schema {id} is {ty}, but the body is JSON: the writer and the registry disagree"
        )),
        _ => {}
    }
    match (&resolved.json, &side.sniffed.json) {
        (Some(Err(e)), _) => side
            .problems
            .push(format!("cannot use the registered schema: {e}")),
        (Some(Ok(schema)), Some(doc)) => {
            if let Err(issues) = schema.validate(doc) {
                for issue in issues {
                    let at = if issue.instance_path.is_empty() {
                        "/"
                    } else {
                        &issue.instance_path
                    };
                    side.problems
                        .push(format!("does not match schema {id} at `{at}`: {}", issue.message));
                }
            }
        }
        _ => {}
    }
    Ok(side)
}

fn side_json(side: &Side) -> Value {
    let s = &side.sniffed;
    let mut v = json!({
        "encoding": s.encoding, "frame": s.frame, "shape": s.shape, "summary": s.summary(),
        "problems": side.problems, "evidence": s.evidence, "json": s.json,
    });
    if let Some((subject, version, ty)) = &side.subject {
        v["subject"] = json!(subject);
        v["version"] = json!(version);
        v["schema_type"] = json!(ty);
    }
    v
}

/// The NDJSON form of a decoded record.
pub fn record_json(record: &CaptureRecord, key: &Side, value: &Side) -> Value {
    let headers: Vec<Value> = record
        .headers
        .iter()
        .map(|h| json!([h.name, h.value.as_ref().map(|b| STANDARD.encode(b))]))
        .collect();
    json!({
        "topic": record.topic, "partition": record.partition, "offset": record.offset,
        "timestamp": record.timestamp, "headers": headers,
        "key": side_json(key), "value": side_json(value),
    })
}

/// The human form of a decoded record.
pub fn write_human(
    out: &mut impl Write,
    record: &CaptureRecord,
    key: &Side,
    value: &Side,
    verbose: bool,
) -> std::io::Result<()> {
    let place = if record.topic.is_empty() {
        format!("input record at line {}", record.offset + 1)
    } else {
        format!("{} [{}] @ {}", record.topic, record.partition, record.offset)
    };
    let ts = record
        .timestamp
        .map(|t| format!("  {}", format_timestamp_ms(t)))
        .unwrap_or_default();
    writeln!(out, "── {place}{ts}")?;
    if record.key.is_some() || !record.topic.is_empty() {
        write_side(out, "key", key, verbose, false)?;
    }
    for h in &record.headers {
        writeln!(out, "  header {}: {}", h.name, show_bytes(h.value.as_deref()))?;
    }
    write_side(out, "value", value, verbose, true)
}

/// Text when printable, else `0x…` hex; `null` for none.
pub fn show_bytes(bytes: Option<&[u8]>) -> String {
    match bytes {
        None => "null".to_string(),
        Some(b) => match std::str::from_utf8(b) {
            Ok(t) if !t.chars().any(char::is_control) => format!("{t:?}"),
            _ => format!("0x{}", hex::encode(b)),
        },
    }
}

fn write_side(
    out: &mut impl Write,
    label: &str,
    side: &Side,
    verbose: bool,
    pretty: bool,
) -> std::io::Result<()> {
    let mut line = side.sniffed.summary();
    if let Some((subject, version, _)) = &side.subject {
        line.push_str(&format!(" [{subject} v{version}]"));
    }
    writeln!(out, "  {label:<5} {line}")?;
    if verbose {
        for e in &side.sniffed.evidence {
            writeln!(out, "        · {e}")?;
        }
    }
    for p in &side.problems {
        writeln!(out, "        ✗ {p}")?;
    }
    if let Some(doc) = &side.sniffed.json {
        let text = if pretty {
            serde_json::to_string_pretty(doc)
        } else {
            serde_json::to_string(doc)
        };
        for l in text.unwrap_or_default().lines() {
            writeln!(out, "        {l}")?;
        }
    }
    Ok(())
}

/// Output formats of the record-printing commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people: one block per record.
    Human,
    /// NDJSON, one object per record, for scripts.
    Json,
}

/// Prints decoded records and counts those with problems.
#[allow(missing_debug_implementations)]
pub struct Printer {
    /// Where schema ids resolve.
    pub source: Option<Box<dyn SchemaSource>>,
    /// Output format.
    pub format: Format,
    /// Show evidence.
    pub verbose: bool,
    /// Records printed.
    pub total: usize,
    /// Records with problems.
    pub with_problems: usize,
}

impl Printer {
    /// Decode and print one record. A closed stdout (`| head`) returns `Ok(false)`: stop quietly.
    pub fn print(&mut self, out: &mut impl Write, record: &CaptureRecord) -> Result<bool> {
        let key = decode_side(record, true, self.source.as_deref_mut())?;
        let value = decode_side(record, false, self.source.as_deref_mut())?;
        self.total += 1;
        if !key.problems.is_empty() || !value.problems.is_empty() {
            self.with_problems += 1;
        }
        let written = match self.format {
            Format::Json => writeln!(out, "{}", record_json(record, &key, &value)),
            Format::Human => write_human(out, record, &key, &value, self.verbose),
        };
        match written {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// The closing line on stderr and the exit code: 1 when any record had a problem.
    pub fn finish(&self, verb: &str) -> std::process::ExitCode {
        if self.with_problems > 0 {
            eprintln!("{} records, {} with problems", self.total, self.with_problems);
            return std::process::ExitCode::from(1);
        }
        eprintln!("{} records {verb}", self.total);
        std::process::ExitCode::SUCCESS
    }
}
