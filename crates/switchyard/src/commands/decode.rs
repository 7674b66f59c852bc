//! `switchyard decode`: what are these Kafka bytes? Framing, schema id (and subject/version when schemas are
//! at hand), detected shape and the body, per record — from a capture file, a raw binary file or hex lines.
//!
//! A record that is not what it claims to be (a frame cut short, a framed body that is not JSON, an id the
//! schemas do not know, a body its schema rejects) is reported with the reason and makes the exit code 1;
//! decoding goes on with the next record.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use switchyard_schema::JsonSchema;
use switchyard_wire::{
    CaptureRecord, Encoding, KEY_SCHEMA_ID_HEADER, Sniffed, VALUE_SCHEMA_ID_HEADER, read_capture, sniff,
};

use crate::output::{format_timestamp_ms, with_hint};
use crate::schemas::SchemaDir;

/// Input layouts `decode` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Input {
    /// Capture file: JSON Lines of {topic, partition, offset, timestamp, key, value, headers}.
    Capture,
    /// One record value: the whole file's bytes.
    Raw,
    /// One record value per line, as hex (spaces and colons allowed).
    Hex,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people: one block per record.
    Human,
    /// NDJSON, one object per record, for scripts.
    Json,
}

/// Decode Kafka records: framing, schema id, shape and body.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  switchyard decode examples/business-events-capture/raw-business-events.jsonl \\
      --schemas examples/business-events-capture/registry
  printf '00000186a17b226964223a317d\\n' | switchyard decode --hex
  switchyard decode --raw value.bin --format json

Exit codes: 0 every record decoded; 1 some record has a problem (reported); 2 usage or input error.")]
pub struct Args {
    /// File to read (`-` or omitted: standard input).
    file: Option<PathBuf>,
    /// Read the file as one raw record value.
    #[arg(long, conflicts_with = "hex")]
    raw: bool,
    /// Read one hex-encoded record value per line.
    #[arg(long)]
    hex: bool,
    /// Resolve schema ids from a registry export or incident directory (`subjects/<subject>/<version>.json`).
    #[arg(long, value_name = "DIR")]
    schemas: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Show the evidence behind each verdict.
    #[arg(short, long)]
    verbose: bool,
    /// Stop after this many records.
    #[arg(short = 'n', long, value_name = "COUNT")]
    limit: Option<usize>,
}

/// One side (key or value) of a decoded record.
struct Side {
    sniffed: Sniffed,
    subject: Option<(String, i32, String)>,
    problems: Vec<String>,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let schemas = args.schemas.as_deref().map(SchemaDir::load).transpose()?;
    let mut decoder = Decoder {
        schemas,
        compiled: HashMap::new(),
    };
    let input = if args.raw {
        Input::Raw
    } else if args.hex {
        Input::Hex
    } else {
        Input::Capture
    };
    let reader = open(args.file.as_ref())?;
    let records = read_records(reader, input)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut with_problems = 0usize;
    let mut total = 0usize;
    for record in records.into_iter().take(args.limit.unwrap_or(usize::MAX)) {
        let record = record?;
        let key = decoder.side(&record, true);
        let value = decoder.side(&record, false);
        total += 1;
        if !key.problems.is_empty() || !value.problems.is_empty() {
            with_problems += 1;
        }
        let written = match args.format {
            Format::Json => writeln!(out, "{}", record_json(&record, &key, &value)),
            Format::Human => write_human(&mut out, &record, &key, &value, args.verbose),
        };
        if let Err(e) = written {
            // A closed pipe (`| head`) is not an error worth reporting.
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                return Ok(ExitCode::SUCCESS);
            }
            return Err(e.into());
        }
    }
    if with_problems > 0 {
        eprintln!("{total} records, {with_problems} with problems");
        return Ok(ExitCode::from(1));
    }
    eprintln!("{total} records decoded");
    Ok(ExitCode::SUCCESS)
}

fn open(path: Option<&PathBuf>) -> Result<Box<dyn Read>> {
    match path {
        None => Ok(Box::new(std::io::stdin())),
        Some(p) if p.as_os_str() == "-" => Ok(Box::new(std::io::stdin())),
        Some(p) => {
            let f = std::fs::File::open(p).map_err(|e| {
                with_hint(
                    format!("cannot open `{}`: {e}", p.display()),
                    "check the path; `-` reads stdin",
                )
            })?;
            Ok(Box::new(f))
        }
    }
}

fn read_records(mut reader: Box<dyn Read>, input: Input) -> Result<Vec<Result<CaptureRecord>>> {
    let anonymous = |offset: usize, value: Option<Vec<u8>>| CaptureRecord {
        topic: String::new(),
        partition: 0,
        offset: offset as i64,
        timestamp: None,
        key: None,
        value,
        headers: Vec::new(),
    };
    Ok(match input {
        Input::Raw => {
            let mut bytes = Vec::new();
            reader.read_to_end(&mut bytes).context("reading input")?;
            vec![Ok(anonymous(0, Some(bytes)))]
        }
        Input::Hex => BufReader::new(reader)
            .lines()
            .enumerate()
            .filter(|(_, l)| l.as_ref().map_or(true, |l| !l.trim().is_empty()))
            .map(|(i, line)| {
                let line = line.context("reading input")?;
                let text = line.trim();
                if text == "null" {
                    return Ok(anonymous(i, None));
                }
                let digits: String =
                    text.trim_start_matches("0x").chars().filter(|c| !matches!(c, ' ' | ':' | '\t')).collect();
                let bytes = hex::decode(&digits).map_err(|e| {
                    with_hint(format!("line {} is not hex: {e}", i + 1), "one value per line, e.g. `00 00 00 00 01 7b 7d`")
                })?;
                Ok(anonymous(i, Some(bytes)))
            })
            .collect(),
        Input::Capture => read_capture(BufReader::new(reader))
            .map(|r| {
                r.map(|(_, rec)| rec).map_err(|e| {
                    with_hint(e.to_string(), "capture files are JSON Lines written by `switchyard tail --out`; use --raw or --hex for other input")
                })
            })
            .collect(),
    })
}

struct Decoder {
    schemas: Option<SchemaDir>,
    compiled: HashMap<u32, Result<JsonSchema, String>>,
}

impl Decoder {
    fn side(&mut self, record: &CaptureRecord, is_key: bool) -> Side {
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
        let Some(id) = side.sniffed.frame.as_ref().and_then(|f| f.schema_id) else {
            return side;
        };
        let Some(schemas) = &self.schemas else { return side };
        let preferred = format!("{}-{}", record.topic, if is_key { "key" } else { "value" });
        let Some(file) = schemas.get(id, &preferred) else {
            side.problems.push(format!(
                "schema id {id} is not among the {} ids in the schema directory: the bytes were written against another registry, or the schema was hard-deleted",
                schemas.len()
            ));
            return side;
        };
        side.subject = Some((file.subject.clone(), file.version, file.schema_type().to_string()));
        match (file.schema_type(), &side.sniffed.encoding) {
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
        if file.schema_type() != "JSON" {
            return side;
        }
        let compiled = self
            .compiled
            .entry(id)
            .or_insert_with(|| schemas.compile(file).map_err(|e| format!("{e:#}")));
        match (compiled, &side.sniffed.json) {
            (Err(e), _) => side
                .problems
                .push(format!("cannot use the registered schema: {e}")),
            (Ok(schema), Some(doc)) => {
                if let Err(issues) = schema.validate(doc) {
                    for issue in issues {
                        side.problems.push(format!(
                            "does not match schema {id} at `{}`: {}",
                            if issue.instance_path.is_empty() {
                                "/"
                            } else {
                                &issue.instance_path
                            },
                            issue.message
                        ));
                    }
                }
            }
            (Ok(_), None) => {}
        }
        side
    }
}

fn side_json(side: &Side) -> Value {
    let s = &side.sniffed;
    let mut v = json!({
        "encoding": s.encoding,
        "frame": s.frame,
        "shape": s.shape,
        "summary": s.summary(),
        "problems": side.problems,
        "evidence": s.evidence,
        "json": s.json,
    });
    if let Some((subject, version, ty)) = &side.subject {
        v["subject"] = json!(subject);
        v["version"] = json!(version);
        v["schema_type"] = json!(ty);
    }
    v
}

fn record_json(record: &CaptureRecord, key: &Side, value: &Side) -> Value {
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

fn write_human(
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
        let shown = match &h.value {
            None => "null".to_string(),
            Some(b) => match std::str::from_utf8(b) {
                Ok(t) if !t.chars().any(char::is_control) => format!("{t:?}"),
                _ => format!("0x{}", hex::encode(b)),
            },
        };
        writeln!(out, "  header {}: {shown}", h.name)?;
    }
    write_side(out, "value", value, verbose, true)
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
        let text = text.unwrap_or_default();
        for l in text.lines() {
            writeln!(out, "        {l}")?;
        }
    }
    Ok(())
}
