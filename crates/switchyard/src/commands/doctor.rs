//! `switchyard doctor`: why a CDC pipeline reads nothing. Glue only: load an incident directory (or
//! sample a live cluster into one), run `switchyard_doctor::diagnose`, print the report, write the
//! corrected SQL and exit 0 (healthy), 1 (problems found) or 2 (usage error).

mod live;

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use switchyard_doctor::{ConnectorConfig, Engine, Incident, Options, Verdict, diagnose, report};

use crate::connect::ConnectArgs;
use crate::output::with_hint;

const EXAMPLES: &str = "Examples:
  # Offline: an incident directory (SQL, connector.json, registry/, topics/)
  switchyard doctor examples/business-events-incident

  # Machine-readable, and write <name>.fixed.sql beside the SQL
  switchyard doctor ./incident --format json --fix

  # Live: sample every topic the SQL names, then save the evidence for offline replay
  switchyard doctor --sql pipeline.sql --connector connector.json \\
      -b localhost:9092 --registry http://localhost:8081 --sample 500 --save ./incident

Exit codes: 0 healthy, 1 problems found, 2 usage error.";

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// Sections per finding, SQL with carets.
    Human,
    /// One JSON document.
    Json,
    /// Markdown, for tickets.
    Markdown,
}

/// Engines the job may run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EngineArg {
    /// Confluent Cloud for Apache Flink.
    ConfluentCloud,
    /// Apache Flink 2.x.
    ApacheFlink,
    /// `switchyard run`.
    Switchyard,
}

/// `switchyard doctor` arguments.
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// An incident directory (`*.sql`, `connector.json`, `registry/`, `topics/`); every part is optional.
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// The Flink SQL job (live mode; with DIR it replaces the directory's SQL).
    #[arg(long, value_name = "FILE")]
    pub sql: Option<PathBuf>,
    /// The Kafka Connect connector config (`{"name","config"}` or a flat map).
    #[arg(long, value_name = "FILE")]
    pub connector: Option<PathBuf>,
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Live mode: records sampled per topic (half from the start, half from the end).
    #[arg(long, default_value_t = 1000, value_name = "N")]
    pub sample: usize,
    /// Live mode: write the collected evidence as an incident directory.
    #[arg(long, value_name = "DIR")]
    pub save: Option<PathBuf>,
    /// Write the corrected SQL as `<name>.fixed.sql` beside the SQL file.
    #[arg(long)]
    pub fix: bool,
    /// Report format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: ReportFormat,
    /// Where the job runs (default: from the SQL's header comment and connectors).
    #[arg(long, value_enum)]
    pub engine: Option<EngineArg>,
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let (incident, sql_path) = gather(&args)?;
    if let Some(dir) = &args.save {
        incident
            .save(dir)
            .with_context(|| format!("saving the incident to {}", dir.display()))?;
        eprintln!(
            "incident saved to {} (replay: switchyard doctor {})",
            dir.display(),
            dir.display()
        );
    }
    let engine = args.engine.map(|e| match e {
        EngineArg::ConfluentCloud => Engine::ConfluentCloud,
        EngineArg::ApacheFlink => Engine::ApacheFlink,
        EngineArg::Switchyard => Engine::Switchyard,
    });
    let report = diagnose(&incident, &Options { engine });
    let text = match args.format {
        ReportFormat::Human => {
            let color = std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal();
            report::human(&report, color)
        }
        ReportFormat::Json => {
            let mut s = serde_json::to_string_pretty(&report::json(&report))?;
            s.push('\n');
            s
        }
        ReportFormat::Markdown => report::markdown(&report),
    };
    print!("{text}");
    if args.fix {
        match (&report.fixed_sql, &sql_path) {
            (Some(sql), Some(path)) => {
                let out = fixed_path(path);
                std::fs::write(&out, sql).with_context(|| format!("writing {}", out.display()))?;
                eprintln!("corrected SQL written to {}", out.display());
            }
            (None, _) => {
                eprintln!("no SQL change to write (the fix, if any, is in the connector or the data)")
            }
            (Some(_), None) => eprintln!("no SQL file to write the corrected SQL beside"),
        }
    }
    Ok(match report.verdict {
        Verdict::Healthy => ExitCode::SUCCESS,
        _ => ExitCode::from(1),
    })
}

fn fixed_path(sql: &Path) -> PathBuf {
    let stem = sql.file_stem().and_then(|s| s.to_str()).unwrap_or("pipeline");
    sql.with_file_name(format!("{stem}.fixed.sql"))
}

/// The incident and the path of its SQL file.
fn gather(args: &Args) -> Result<(Incident, Option<PathBuf>)> {
    let mut incident = match &args.dir {
        Some(dir) => {
            if !dir.is_dir() {
                return Err(with_hint(
                    format!("`{}` is not a directory", dir.display()),
                    "pass an incident directory, or use --sql with -b/--registry for live mode",
                ));
            }
            Incident::load(dir)?
        }
        None => {
            let Some(sql) = &args.sql else {
                return Err(with_hint(
                    "nothing to diagnose",
                    "pass an incident directory (switchyard doctor DIR) or --sql FILE with -b and --registry",
                ));
            };
            let connector = args.connector.as_deref().map(read_connector).transpose()?;
            live::collect(sql, connector, &args.connect, args.sample)?
        }
    };
    let mut sql_path = args.dir.as_ref().and_then(|d| first_sql(d));
    if let Some(sql) = &args.sql {
        incident.sql = Some(switchyard_doctor::incident::read_sql(sql)?);
        sql_path = Some(sql.clone());
    }
    if args.dir.is_some()
        && let Some(c) = &args.connector
    {
        incident.connector = Some(read_connector(c)?);
    }
    Ok((incident, sql_path))
}

fn first_sql(dir: &Path) -> Option<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let n = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            n.ends_with(".sql") && !n.ends_with(".fixed.sql")
        })
        .collect();
    files.sort();
    files.into_iter().next()
}

fn read_connector(path: &Path) -> Result<ConnectorConfig> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    ConnectorConfig::parse(&text).map_err(|e| {
        with_hint(
            format!("{}: {e}", path.display()),
            "expected {\"name\",\"config\":{…}} or a flat JSON map",
        )
    })
}
