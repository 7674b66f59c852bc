//! `switchyard produce TOPIC`: JSON lines in, JSON_SR records out, with the schema registered (or given, or
//! inferred) the way Confluent's serializer does it.
//!
//! All input is read and validated against the schema before anything is sent, so bad input never leaves
//! a topic half-written: every bad line is reported with its number and nothing is produced. Then the
//! records go out with many in flight through an idempotent producer, and every delivery is accounted for.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use serde_json::Value;
use switchyard_kafka::{KafkaError, OutRecord, Producer, similar_names};
use switchyard_registry::{RegisterRequest, RegistryClient, SchemaType};
use switchyard_schema::JsonSchema;
use switchyard_wire::{Header, encode_json_sr};

use crate::connect::{ConnectArgs, kafka_error, registry_client};
use crate::infer::infer_schema;
use crate::output::with_hint;
use crate::sample::{SampleKind, generate, key_schema, value_schema};

/// How subjects are named (Confluent's subject name strategies).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum SubjectStrategy {
    /// `<topic>-value` / `<topic>-key`.
    Topic,
    /// The schema's `title` (its record name).
    Record,
    /// `<topic>-<title>`.
    TopicRecord,
}

/// How keys are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum KeyFormat {
    /// The key text as UTF-8 bytes.
    String,
    /// Plain JSON.
    Json,
    /// JSON_SR, with the key schema registered under the key subject.
    JsonSr,
}

/// Produce JSON lines as JSON_SR records, registering or checking the schema.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  echo '{\"id\":1,\"event_type\":\"LOAN\"}' | switchyard produce raw-business-events -b localhost:9092 --registry http://localhost:8081
  switchyard produce orders events.jsonl --schema order.schema.json --key-field id -b localhost:9092 --registry http://localhost:8081
  switchyard produce orders events.jsonl --schema-id 100026 -H source=replay
  switchyard produce raw-business-events --sample business-events 1000 -b localhost:9092 --registry http://localhost:8081
  printf 'k1\\t{\"a\":1}\\n' | switchyard produce t -K '\\t' -b localhost:9092 --registry http://localhost:8081
  switchyard produce raw-business-events --from-capture incident.jsonl -b localhost:9092   # replay bytes as captured

Every line is validated before anything is sent; a bad line is reported with its number and nothing is
produced. Exit codes: 0 all delivered; 1 bad input or failed deliveries; 2 usage or connection error.")]
pub struct Args {
    /// Topic to write.
    topic: String,
    /// JSON lines to send (`-` or omitted: standard input).
    file: Option<PathBuf>,
    #[command(flatten)]
    connect: ConnectArgs,
    /// Register this JSON Schema and write with its id.
    #[arg(long, value_name = "FILE", conflicts_with = "schema_id")]
    schema: Option<PathBuf>,
    /// Write with this registered schema id (checked against the registry; records validated against it).
    #[arg(long, value_name = "ID")]
    schema_id: Option<u32>,
    /// Subject naming.
    #[arg(long, value_enum, default_value_t = SubjectStrategy::Topic)]
    subject_strategy: SubjectStrategy,
    /// Key each record by this field of the value (written as `{"FIELD": value}`).
    #[arg(long, value_name = "FIELD")]
    key_field: Option<String>,
    /// Lines are `KEY<DELIM>VALUE` (kcat's -K); `\t` for a tab.
    #[arg(
        short = 'K',
        long = "key-delimiter",
        value_name = "DELIM",
        conflicts_with = "key_field"
    )]
    key_delimiter: Option<String>,
    /// How keys are encoded (default: json-sr with --key-field and --sample, string with -K).
    #[arg(long, value_enum)]
    key_format: Option<KeyFormat>,
    /// Add a header `NAME=VALUE` to every record (repeatable).
    #[arg(short = 'H', long = "header", value_name = "NAME=VALUE")]
    headers: Vec<String>,
    /// Write every record to this partition instead of partitioning by key.
    #[arg(short = 'p', long, value_name = "PARTITION")]
    partition: Option<i32>,
    /// Generate N sample records instead of reading input.
    #[arg(long, num_args = 2, value_names = ["KIND", "N"], conflicts_with_all = ["file", "schema", "schema_id"])]
    sample: Vec<String>,
    /// Seed for --sample.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Replay a capture file's records byte for byte (keys, values, headers) to TOPIC; no schema work.
    #[arg(long, value_name = "FILE.jsonl", conflicts_with_all = ["file", "schema", "schema_id", "sample", "key_field"])]
    from_capture: Option<PathBuf>,
}

/// One input record before encoding.
struct Input {
    line: usize,
    key: Option<Value>,
    raw_key: Option<Vec<u8>>,
    value: Option<Value>,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let cfg = args.connect.client_config()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    if let Some(path) = &args.from_capture {
        return runtime.block_on(replay(&args, &cfg, path));
    }
    let registry = registry_client(&cfg)?.ok_or_else(|| {
        with_hint(
            "produce writes JSON_SR and needs a Schema Registry",
            "pass --registry URL (or schema.registry.url in --config); `switchyard registry serve` runs one locally",
        )
    })?;
    runtime.block_on(produce(args, cfg, registry))
}

/// Send a capture file's records unchanged (bad bytes included: that is the point of a replay).
async fn replay(
    args: &Args,
    cfg: &switchyard_kafka::ClientConfig,
    path: &std::path::Path,
) -> Result<ExitCode> {
    let file = std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let records: Vec<_> = switchyard_wire::read_capture(BufReader::new(file)).collect::<Result<_, _>>()?;
    let extra = parse_headers(&args.headers)?;
    let mut producer: Producer<usize> = Producer::connect(cfg).map_err(kafka_error)?;
    let mut outcomes = Vec::with_capacity(records.len());
    for (line, rec) in records {
        let mut headers = rec.headers;
        headers.extend(extra.iter().cloned());
        let out = OutRecord {
            topic: args.topic.as_str().into(),
            partition: args.partition,
            key: rec.key,
            value: rec.value,
            headers,
            timestamp: None,
        };
        producer.send(line, &out, &mut outcomes).await;
    }
    outcomes.extend(producer.flush().await);
    report(&args.topic, &outcomes, &producer)
}

async fn produce(
    args: Args,
    cfg: switchyard_kafka::ClientConfig,
    registry: RegistryClient,
) -> Result<ExitCode> {
    let sample = parse_sample(&args.sample)?;
    let (inputs, schema_text) = match sample {
        Some((kind, n)) => {
            let inputs = generate(kind, n, args.seed)
                .into_iter()
                .enumerate()
                .map(|(i, (k, v))| Input {
                    line: i + 1,
                    key: Some(k),
                    raw_key: None,
                    value: Some(v),
                })
                .collect();
            (inputs, Some(value_schema(kind).to_string()))
        }
        None => {
            let text = match &args.schema {
                Some(p) => {
                    Some(std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?)
                }
                None => None,
            };
            (read_inputs(&args)?, text)
        }
    };
    if inputs.is_empty() {
        bail!("no records to send (the input is empty)");
    }
    // The value schema: given by id, given as a file, or inferred from the first record; then registered.
    let (value_id, value_schema) = match args.schema_id {
        Some(id) => {
            let s = registry
                .get_schema_by_id(id as i32)
                .await
                .with_context(|| format!("looking up --schema-id {id}"))?;
            let json = s
                .json
                .clone()
                .ok_or_else(|| anyhow::anyhow!("schema {id} is {:?}, not a JSON schema", s.schema_type))?;
            (id, json)
        }
        None => {
            let text = match schema_text {
                Some(t) => t,
                None => {
                    let first = inputs
                        .iter()
                        .find_map(|i| i.value.as_ref())
                        .context("every record is a tombstone: nothing to infer a schema from")?;
                    infer_schema(first, &args.topic).to_string()
                }
            };
            register(&registry, &subject(&args, &text, "value")?, &text).await?
        }
    };
    // Validate everything before sending anything.
    let mut bad = 0;
    for input in &inputs {
        if let Some(v) = &input.value
            && let Err(issues) = value_schema.validate(v)
        {
            bad += 1;
            for issue in issues.iter().take(3) {
                let at = if issue.instance_path.is_empty() {
                    "/"
                } else {
                    &issue.instance_path
                };
                eprintln!(
                    "error: line {}: does not match schema {value_id} at `{at}`: {}",
                    input.line, issue.message
                );
            }
        }
    }
    if bad > 0 {
        eprintln!(
            "\n{bad} of {} records do not match the schema; nothing was sent",
            inputs.len()
        );
        return Ok(ExitCode::from(1));
    }
    let key_format = args.key_format.unwrap_or(if args.key_delimiter.is_some() {
        KeyFormat::String
    } else {
        KeyFormat::JsonSr
    });
    let key_id = match (key_format, inputs.iter().find_map(|i| i.key.as_ref())) {
        (KeyFormat::JsonSr, Some(example)) => {
            let text = match sample {
                Some(_) => key_schema().to_string(),
                None => infer_schema(example, &format!("{}-key", args.topic)).to_string(),
            };
            Some(
                register(&registry, &subject(&args, &text, "key")?, &text)
                    .await?
                    .0,
            )
        }
        _ => None,
    };
    let headers = parse_headers(&args.headers)?;
    let mut producer: Producer<usize> = Producer::connect(&cfg).map_err(kafka_error)?;
    let mut outcomes = Vec::with_capacity(inputs.len());
    for input in &inputs {
        let key = match (&input.raw_key, &input.key, key_id, key_format) {
            (Some(raw), _, _, KeyFormat::String) => Some(raw.clone()),
            (_, Some(k), Some(id), _) => Some(encode_json_sr(id, k)),
            (_, Some(k), None, _) => Some(serde_json::to_vec(k)?),
            _ => None,
        };
        let record = OutRecord {
            topic: args.topic.as_str().into(),
            partition: args.partition,
            key,
            value: input.value.as_ref().map(|v| encode_json_sr(value_id, v)),
            headers: headers.clone(),
            timestamp: None,
        };
        producer.send(input.line, &record, &mut outcomes).await;
    }
    outcomes.extend(producer.flush().await);
    report(&args.topic, &outcomes, &producer)
}

fn report(
    topic: &str,
    outcomes: &[(usize, Result<switchyard_kafka::Delivered, KafkaError>)],
    producer: &Producer<usize>,
) -> Result<ExitCode> {
    let mut per_partition: BTreeMap<i32, (i64, i64, u64)> = BTreeMap::new();
    let mut failed = 0;
    for (line, outcome) in outcomes {
        match outcome {
            Ok(d) => {
                let e = per_partition
                    .entry(d.partition)
                    .or_insert((d.offset, d.offset, 0));
                e.0 = e.0.min(d.offset);
                e.1 = e.1.max(d.offset);
                e.2 += 1;
            }
            Err(err) => {
                failed += 1;
                eprintln!("error: line {line}: {err}");
                if failed == 1
                    && let KafkaError::Client { source, .. } = err
                    && source.to_string().contains("Unknown topic")
                {
                    let names = producer.topics().unwrap_or_default();
                    let similar = similar_names(topic, names.iter().map(String::as_str));
                    if !similar.is_empty() {
                        eprintln!("hint: topics with similar names: {}", similar.join(", "));
                    }
                }
            }
        }
    }
    let delivered: u64 = per_partition.values().map(|e| e.2).sum();
    for (p, (lo, hi, n)) in &per_partition {
        eprintln!("  {topic} [{p}]: {n} records at offsets {lo}..={hi}");
    }
    eprintln!(
        "{delivered} records delivered to {topic}{}",
        if failed > 0 {
            format!(", {failed} failed")
        } else {
            String::new()
        }
    );
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn parse_sample(sample: &[String]) -> Result<Option<(SampleKind, u64)>> {
    let [kind, n] = sample else { return Ok(None) };
    let kind = <SampleKind as clap::ValueEnum>::from_str(kind, true).map_err(|_| {
        with_hint(
            format!("unknown sample `{kind}`"),
            "use business-events or debezium-envelope",
        )
    })?;
    let n = n.parse().map_err(|_| {
        with_hint(
            format!("`{n}` is not a record count"),
            "e.g. --sample business-events 1000",
        )
    })?;
    Ok(Some((kind, n)))
}

async fn register(registry: &RegistryClient, subject: &str, text: &str) -> Result<(u32, JsonSchema)> {
    let schema = JsonSchema::parse(text, &[]).map_err(|e| {
        with_hint(
            format!("the schema is not a valid JSON Schema: {e}"),
            "check it with `switchyard registry check`",
        )
    })?;
    let id = registry
        .register(subject, &RegisterRequest::new(text, SchemaType::Json))
        .await
        .map_err(|e| {
            let hint = if e.is_incompatible() {
                format!("the subject's compatibility rules reject it; see `switchyard registry check --subject {subject} --schema FILE`")
            } else {
                "check --registry and its credentials".to_string()
            };
            with_hint(format!("registering the schema under `{subject}`: {e}"), hint)
        })?;
    Ok((id as u32, schema))
}

fn subject(args: &Args, schema_text: &str, field: &str) -> Result<String> {
    let title = || -> Result<String> {
        let v: Value = serde_json::from_str(schema_text)?;
        v.get("title")
            .and_then(Value::as_str)
            .map(String::from)
            .ok_or_else(|| {
                with_hint(
                    "the record-name strategies need a schema `title`",
                    "add a \"title\" to the schema, or use --subject-strategy topic",
                )
            })
    };
    Ok(match args.subject_strategy {
        SubjectStrategy::Topic => format!("{}-{field}", args.topic),
        SubjectStrategy::Record => title()?,
        SubjectStrategy::TopicRecord => format!("{}-{}", args.topic, title()?),
    })
}

fn parse_headers(headers: &[String]) -> Result<Vec<Header>> {
    headers
        .iter()
        .map(|h| {
            let (name, value) = h.split_once('=').ok_or_else(|| {
                with_hint(format!("header `{h}` is not NAME=VALUE"), "e.g. -H source=replay")
            })?;
            Ok(Header {
                name: name.to_string(),
                value: Some(value.as_bytes().to_vec()),
            })
        })
        .collect()
}

fn read_inputs(args: &Args) -> Result<Vec<Input>> {
    let reader: Box<dyn Read> = match &args.file {
        Some(p) if p.as_os_str() != "-" => {
            Box::new(std::fs::File::open(p).with_context(|| format!("cannot open {}", p.display()))?)
        }
        _ => Box::new(std::io::stdin()),
    };
    let delimiter = args.key_delimiter.as_deref().map(|d| d.replace("\\t", "\t"));
    let mut inputs = Vec::new();
    let mut errors = 0;
    for (i, line) in BufReader::new(reader).lines().enumerate() {
        let line_no = i + 1;
        let line = line.with_context(|| format!("reading line {line_no}"))?;
        if line.trim().is_empty() {
            continue;
        }
        let (raw_key, text) = match &delimiter {
            Some(d) => match line.split_once(d.as_str()) {
                Some((k, v)) => (Some(k.as_bytes().to_vec()), v),
                None => {
                    eprintln!("error: line {line_no}: no key delimiter {d:?} in the line");
                    errors += 1;
                    continue;
                }
            },
            None => (None, line.as_str()),
        };
        let value: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => {
                eprintln!("error: line {line_no}: not JSON: {e}");
                errors += 1;
                continue;
            }
        };
        let key = match (&args.key_field, &raw_key) {
            (Some(field), _) => match value.get(field) {
                Some(k) => Some(serde_json::json!({ field.as_str(): k })),
                None => {
                    eprintln!("error: line {line_no}: no field `{field}` for the key");
                    errors += 1;
                    continue;
                }
            },
            (None, Some(raw)) if args.key_format.is_some_and(|f| f != KeyFormat::String) => {
                match serde_json::from_slice(raw) {
                    Ok(k) => Some(k),
                    Err(e) => {
                        eprintln!("error: line {line_no}: key is not JSON: {e}");
                        errors += 1;
                        continue;
                    }
                }
            }
            _ => None,
        };
        let value = (!value.is_null()).then_some(value);
        inputs.push(Input {
            line: line_no,
            key,
            raw_key,
            value,
        });
    }
    if errors > 0 {
        bail!("{errors} input lines are not valid records; nothing was sent");
    }
    Ok(inputs)
}
