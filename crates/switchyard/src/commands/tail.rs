//! `switchyard tail TOPIC`: kcat for JSON_SR and Debezium. Reads assigned partitions (never joins or
//! disturbs a consumer group unless `--group` asks it to commit), decodes keys and values through the
//! registry, and prints them for people, as NDJSON, as hex, or into a capture file for `decode` and `doctor`.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use switchyard_kafka::{ReadOptions, StartOffset, TopicReader};
use switchyard_wire::write_capture;

use crate::connect::{ConnectArgs, kafka_error, registry_client};
use crate::output::format_timestamp_ms;
use crate::progress;
use crate::render::{Format, Printer, RegistrySource, SchemaSource, show_bytes};

/// Read a topic: decoded keys, values and headers, like kcat but JSON_SR-aware.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  switchyard tail raw-business-events -b localhost:9092 --registry http://localhost:8081
  switchyard tail raw-business-events --config client.properties -o -10 -p 0
  switchyard tail orders -b localhost:9092 -f                      # follow new records
  switchyard tail orders -b localhost:9092 --out orders.jsonl      # capture file for decode/doctor
  switchyard tail orders -b localhost:9092 -o @1700000000000 -n 5 --format json

Without -f the read ends at the end offsets seen when it started (kcat -e). Default start: the beginning,
or the end with -f. Exit codes: 0 ok; 1 some record has a problem; 2 usage, connection or input error.")]
pub struct Args {
    /// Topic to read (not needed with --list).
    #[arg(required_unless_present = "list")]
    topic: Option<String>,
    #[command(flatten)]
    connect: ConnectArgs,
    /// Start offset: beginning, end, stored (with --group), N, -N (N before the end), @TIMESTAMP_MS.
    #[arg(
        short = 'o',
        long = "offset",
        value_name = "OFFSET",
        allow_hyphen_values = true
    )]
    offset: Option<StartOffset>,
    /// Start at the beginning (same as `-o beginning`).
    #[arg(long, conflicts_with = "offset")]
    from_beginning: bool,
    /// Read only these partitions (repeatable).
    #[arg(short = 'p', long = "partition", value_name = "PARTITION")]
    partitions: Vec<i32>,
    /// Stop after COUNT records.
    #[arg(short = 'n', long = "count", value_name = "COUNT")]
    count: Option<u64>,
    /// Keep reading new records at the end.
    #[arg(short = 'f', long)]
    follow: bool,
    /// Read under this consumer group and commit what was read (offsets only; the group is not joined).
    #[arg(long, value_name = "GROUP")]
    group: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Write the records to a capture file (JSON Lines) instead of printing them.
    #[arg(long, value_name = "FILE.jsonl")]
    out: Option<PathBuf>,
    /// Print keys and values as hex instead of decoding them.
    #[arg(long, conflicts_with = "out")]
    raw: bool,
    /// Show the evidence behind each verdict.
    #[arg(short, long)]
    verbose: bool,
    /// List topics and partitions instead of reading.
    #[arg(long)]
    list: bool,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let cfg = args.connect.client_config()?;
    if args.list {
        return list(&cfg);
    }
    let Some(topic) = args.topic.clone() else {
        anyhow::bail!("no topic given (pass TOPIC, or --list to see the topics)");
    };
    let start = match (args.offset, args.from_beginning, args.follow) {
        (Some(o), _, _) => o,
        (None, true, _) | (None, false, false) => StartOffset::Beginning,
        (None, false, true) => StartOffset::End,
    };
    let opts = ReadOptions {
        topic,
        partitions: (!args.partitions.is_empty()).then(|| args.partitions.clone()),
        start,
        count: args.count,
        follow: args.follow,
        group: args.group.clone(),
        idle_timeout: Duration::from_secs(30),
    };
    let mut reader = TopicReader::open(&cfg, opts).map_err(kafka_error)?;
    let progress = progress::records(reader.expected(), args.follow);
    let source = registry_client(&cfg)?
        .map(RegistrySource::new)
        .transpose()?
        .map(|s| Box::new(s) as Box<dyn SchemaSource>);
    let mut printer = Printer {
        source,
        format: args.format,
        verbose: args.verbose,
        total: 0,
        with_problems: 0,
    };
    let mut capture = match &args.out {
        Some(path) => Some(BufWriter::new(
            File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
        )),
        None => None,
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut captured = 0u64;
    while let Some(record) = reader.next() {
        let record = record.map_err(kafka_error)?;
        progress.inc(1);
        if let Some(file) = capture.as_mut() {
            write_capture(&mut *file, &record)?;
            captured += 1;
        } else if args.raw {
            let ts = record.timestamp.map(format_timestamp_ms).unwrap_or_default();
            let hex = |b: &Option<Vec<u8>>| b.as_ref().map_or("null".to_string(), hex::encode);
            let line = writeln!(
                out,
                "{} [{}] @ {} {ts}\n  key   {}\n  value {}{}",
                record.topic,
                record.partition,
                record.offset,
                hex(&record.key),
                hex(&record.value),
                record
                    .headers
                    .iter()
                    .map(|h| format!("\n  header {}: {}", h.name, show_bytes(h.value.as_deref())))
                    .collect::<String>()
            );
            if line.is_err() {
                break;
            }
        } else if !printer.print(&mut out, &record)? {
            break;
        }
        // Follow mode commits as it goes; bounded reads commit once at the end.
        if args.follow && args.group.is_some() {
            reader.commit().map_err(kafka_error)?;
        }
    }
    progress.finish_and_clear();
    reader.commit().map_err(kafka_error)?;
    if let Some(mut file) = capture {
        file.flush()?;
        eprintln!(
            "{captured} records written to {}",
            args.out
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        );
        return Ok(ExitCode::SUCCESS);
    }
    if args.raw {
        return Ok(ExitCode::SUCCESS);
    }
    Ok(printer.finish("read"))
}

fn list(cfg: &switchyard_kafka::ClientConfig) -> Result<ExitCode> {
    let consumer = switchyard_kafka::client::consumer(cfg, None).map_err(kafka_error)?;
    let md = switchyard_kafka::client::metadata(cfg, &consumer).map_err(kafka_error)?;
    let mut topics: Vec<_> = md
        .topics()
        .iter()
        .filter(|t| !t.name().starts_with("__"))
        .collect();
    topics.sort_by_key(|t| t.name());
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for t in topics {
        writeln!(out, "{}\t{} partitions", t.name(), t.partitions().len())?;
    }
    Ok(ExitCode::SUCCESS)
}
