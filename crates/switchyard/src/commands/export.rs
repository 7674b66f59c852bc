//! `switchyard export flink pipeline.sql --target confluent-cloud|apache-flink`: the pipeline as SQL a real
//! Flink accepts, for when it outgrows a stateless router.
//!
//! The pipeline is loaded exactly as `switchyard run` loads it (tables the script does not create come
//! from the registry), and the output is generated from the *plan*, not patched text: tables from their
//! columns and options, statements from their compiled filter and projection (implicit casts printed as
//! `CAST`s). So what is exported is what `run` executes.
//!
//! * **Confluent Cloud for Apache Flink** reads JSON_SR natively: a table is its topic (the table is named
//!   after the topic, no `connector`/`topic`/`properties.*`), `'value.format'` is `json-registry` or
//!   `json-debezium-registry`, keys become `DISTRIBUTED BY`. Every option written is one Confluent documents
//!   ([`CC_OPTIONS`](confluent::CC_OPTIONS)).
//! * **Apache Flink** has no format that reads Confluent framing, so the export is two stages: a
//!   `switchyard run` bridge (`bridge.sql`) that re-publishes each JSON_SR source topic unframed on
//!   `<topic><suffix>` — flat rows as `json`, Debezium envelopes as `debezium-json` — and the Flink SQL
//!   (`flink.sql`) over those topics with the Kafka connector. Temporal columns cross the bridge as the text
//!   Flink's `json` format parses (`yyyy-MM-dd HH:mm:ss.ffffff`), so precisions survive.
//!
//! What cannot be exported faithfully is refused with the reason, never approximated.

mod apache;
mod confluent;
mod types;

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use switchyard_sql::plan::{ColumnDef, ColumnKind, Plan, StatementPlan, TableDef};

use crate::connect::{RegistryArgs, registry_client};

use apache::apache_flink;
use confluent::confluent_cloud;

/// Export a pipeline to another engine.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Export a pipeline as Flink SQL for Confluent Cloud or Apache Flink.
    #[command(after_help = "Examples:
  switchyard export flink examples/business-events/pipeline.sql --target confluent-cloud
  switchyard export flink pipeline.sql --target apache-flink -b kafka:9092 -o ./flink
      # writes bridge.sql (run it with `switchyard run`) and flink.sql (submit it to Flink)

Exit codes: 0 exported; 2 the pipeline does not load or cannot be exported (the reason is printed).")]
    Flink(FlinkArgs),
}

/// Which Flink.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Target {
    /// Confluent Cloud for Apache Flink (`json-registry` formats, tables are topics).
    ConfluentCloud,
    /// Apache Flink 2.x with the Kafka SQL connector (`json` / `debezium-json`, through a bridge).
    ApacheFlink,
}

/// `switchyard export flink`.
#[derive(Debug, clap::Args)]
pub struct FlinkArgs {
    /// The pipeline's Flink SQL file (one that `switchyard run` accepts).
    file: PathBuf,
    /// The engine to export for.
    #[arg(long, value_enum)]
    target: Target,
    /// Write the files into this directory instead of printing them.
    #[arg(short = 'o', long = "out", value_name = "DIR")]
    out: Option<PathBuf>,
    /// Kafka bootstrap servers for the Apache Flink tables (default: the pipeline's own
    /// 'properties.bootstrap.servers').
    #[arg(
        short = 'b',
        long = "bootstrap",
        env = "SWITCHYARD_BOOTSTRAP",
        value_name = "BROKERS"
    )]
    bootstrap: Option<String>,
    /// Suffix of the topics the bridge writes (Apache Flink target).
    #[arg(long, default_value = ".plain", value_name = "SUFFIX")]
    bridge_suffix: String,
    #[command(flatten)]
    registry: RegistryArgs,
}

/// One output file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    /// Its name (`flink.sql`, `bridge.sql`).
    pub name: String,
    /// Its text.
    pub text: String,
}

pub fn run(command: Command) -> Result<ExitCode> {
    let Command::Flink(args) = command;
    let cfg = args.registry.client_config()?;
    let registry = registry_client(&cfg)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let loaded = runtime.block_on(crate::pipeline::load(&args.file, registry.as_ref()))?;
    let source_name = args
        .file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("pipeline.sql")
        .to_string();
    let files = match args.target {
        Target::ConfluentCloud => confluent_cloud(&loaded.plan, &source_name)?,
        Target::ApacheFlink => apache_flink(
            &loaded.plan,
            &source_name,
            &loaded.name,
            args.bootstrap.as_deref(),
            &args.bridge_suffix,
        )?,
    };
    match &args.out {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .map_err(|e| anyhow::anyhow!("cannot create `{}`: {e}", dir.display()))?;
            for f in &files {
                let path = dir.join(&f.name);
                std::fs::write(&path, &f.text)
                    .map_err(|e| anyhow::anyhow!("cannot write `{}`: {e}", path.display()))?;
                eprintln!("wrote {}", path.display());
            }
        }
        None => {
            for f in &files {
                println!("-- file: {}\n{}", f.name, f.text);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A Flink identifier, always quoted (hyphenated topics, reserved words).
fn ident(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// A SQL string literal.
fn lit(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn topic_of(t: &TableDef) -> Result<String> {
    t.topic()
        .map(|s| s.trim_matches('`').to_string())
        .ok_or_else(|| anyhow::anyhow!("table `{}` has no 'topic' option", t.name))
}

fn value_format(t: &TableDef) -> &str {
    t.value_format().unwrap_or("json-registry")
}

fn with_clause(options: &[(String, String)]) -> String {
    let lines: Vec<String> = options
        .iter()
        .map(|(k, v)| format!("  {} = {}", lit(k), lit(v)))
        .collect();
    format!("WITH (\n{}\n)", lines.join(",\n"))
}

fn column_sql(c: &ColumnDef) -> String {
    match &c.kind {
        ColumnKind::Physical => format!("{} {}", ident(&c.name), c.data_type),
        ColumnKind::Metadata { key, is_virtual } => format!(
            "{} {} METADATA FROM {}{}",
            ident(&c.name),
            c.data_type,
            lit(key),
            if *is_virtual { " VIRTUAL" } else { "" }
        ),
        ColumnKind::Computed(e) => format!("{} AS {}", ident(&c.name), e.to_sql()),
    }
}

/// `CREATE TABLE name (columns[, PRIMARY KEY]) [extra] WITH (…);`
fn create_table(
    name: &str,
    columns: &[String],
    primary_key: Option<&[String]>,
    extra: &str,
    options: &[(String, String)],
    if_not_exists: bool,
) -> String {
    let mut body: Vec<String> = columns.iter().map(|c| format!("  {c}")).collect();
    if let Some(pk) = primary_key {
        let cols: Vec<String> = pk.iter().map(|c| ident(c)).collect();
        body.push(format!("  PRIMARY KEY ({}) NOT ENFORCED", cols.join(", ")));
    }
    format!(
        "CREATE TABLE {}{} (\n{}\n){extra}\n{};\n",
        if if_not_exists { "IF NOT EXISTS " } else { "" },
        name,
        body.join(",\n"),
        with_clause(options)
    )
}

/// One `INSERT` regenerated from the plan; `name` maps a table to the name the target uses for it.
fn insert_sql(plan: &Plan, source: usize, st: &StatementPlan, name: &dyn Fn(&TableDef) -> String) -> String {
    let sink = &plan.tables[st.sink];
    let mut cols = Vec::new();
    let mut exprs = Vec::new();
    for ((_, c), e) in sink.physical_columns().zip(&st.projection) {
        cols.push(ident(&c.name));
        exprs.push(e.to_sql());
    }
    for (slot, e) in &st.metadata {
        if let Some(c) = sink.columns.get(*slot) {
            cols.push(ident(&c.name));
            exprs.push(e.to_sql());
        }
    }
    let mut out = format!(
        "INSERT INTO {} ({})\nSELECT {}\nFROM {}",
        name(sink),
        cols.join(", "),
        exprs.join(",\n       "),
        name(&plan.tables[source])
    );
    if let Some(f) = &st.filter {
        let _ = write!(out, "\nWHERE {}", f.to_sql());
    }
    out.push(';');
    out
}

/// The statements, in script order, as one statement set when there are several (one Flink job).
fn statements_sql(plan: &Plan, name: &dyn Fn(&TableDef) -> String) -> String {
    let mut all: Vec<(usize, String)> = plan
        .pipelines
        .iter()
        .flat_map(|p| {
            p.statements
                .iter()
                .map(move |st| (st.index, insert_sql(plan, p.source, st, name)))
        })
        .collect();
    all.sort_by_key(|(i, _)| *i);
    let inserts: Vec<String> = all.into_iter().map(|(_, s)| s).collect();
    if inserts.len() == 1 {
        return format!("{}\n", inserts[0]);
    }
    let indented: Vec<String> = inserts
        .iter()
        .map(|s| s.lines().map(|l| format!("  {l}")).collect::<Vec<_>>().join("\n"))
        .collect();
    format!("EXECUTE STATEMENT SET\nBEGIN\n{}\nEND;\n", indented.join("\n\n"))
}

fn is_source(plan: &Plan, idx: usize) -> bool {
    plan.pipelines.iter().any(|p| p.source == idx)
}

/// Whether a table is the sink of a statement that reads a changelog.
fn receives_changes(plan: &Plan, idx: usize) -> bool {
    plan.pipelines
        .iter()
        .filter(|p| p.statements.iter().any(|s| s.sink == idx))
        .any(|p| plan.tables[p.source].is_changelog())
}

fn used_tables(plan: &Plan) -> Vec<usize> {
    (0..plan.tables.len())
        .filter(|i| {
            plan.pipelines
                .iter()
                .any(|p| p.source == *i || p.statements.iter().any(|s| s.sink == *i))
        })
        .collect()
}
