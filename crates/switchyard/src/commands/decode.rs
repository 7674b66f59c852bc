//! `switchyard decode`: what are these Kafka bytes? Framing, schema id (and subject/version when schemas are
//! at hand), detected shape and the body, per record — from a capture file, a raw binary file or hex lines.
//!
//! A record that is not what it claims to be (a frame cut short, a framed body that is not JSON, an id the
//! schemas do not know, a body its schema rejects) is reported with the reason and makes the exit code 1;
//! decoding goes on with the next record.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use switchyard_wire::{CaptureRecord, read_capture};

use crate::connect::{RegistryArgs, registry_client};
use crate::output::with_hint;
use crate::render::{DirSource, Format, Printer, RegistrySource, SchemaSource};
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
    #[arg(long, value_name = "DIR", conflicts_with = "registry")]
    schemas: Option<PathBuf>,
    #[command(flatten)]
    registry: RegistryArgs,
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

pub fn run(args: Args) -> Result<ExitCode> {
    let source: Option<Box<dyn SchemaSource>> = match &args.schemas {
        Some(dir) => Some(Box::new(DirSource::new(SchemaDir::load(dir)?))),
        None => registry_client(&args.registry.client_config()?)?
            .map(RegistrySource::new)
            .transpose()?
            .map(|s| Box::new(s) as Box<dyn SchemaSource>),
    };
    let input = if args.raw {
        Input::Raw
    } else if args.hex {
        Input::Hex
    } else {
        Input::Capture
    };
    let records = read_records(open(args.file.as_ref())?, input)?;
    let mut printer = Printer {
        source,
        format: args.format,
        verbose: args.verbose,
        total: 0,
        with_problems: 0,
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for record in records.into_iter().take(args.limit.unwrap_or(usize::MAX)) {
        if !printer.print(&mut out, &record?)? {
            return Ok(ExitCode::SUCCESS);
        }
    }
    Ok(printer.finish("decoded"))
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
