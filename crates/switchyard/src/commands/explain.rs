//! `switchyard explain pipeline.sql`: the plan without consuming — sources and sinks with their topics and
//! formats, each statement's predicate and projection, and, against a live registry, how every source
//! column will be read from the writer's schema (lossless conversions, and the ones that will fail).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use serde_json::{Value, json};
use switchyard_registry::RegistryClient;
use switchyard_sql::mapping::{Compatibility, after_schema, check_column, field_schema, object_schema};
use switchyard_sql::{ColumnKind, Plan, TableDef};

use crate::connect::{RegistryArgs, registry_client};
use crate::render::Format;

/// Show what `run` would do with a pipeline, without reading any record.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  switchyard explain examples/business-events/pipeline.sql
  switchyard explain pipeline.sql --registry http://localhost:8081      # check columns against the writer schemas
  switchyard explain pipeline.sql --format json

Exit codes: 0 the plan is sound; 1 a column can never be read as declared; 2 usage or SQL error.")]
pub struct Args {
    /// The pipeline's Flink SQL file.
    file: PathBuf,
    #[command(flatten)]
    registry: RegistryArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let cfg = args.registry.client_config()?;
    let registry = registry_client(&cfg)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let loaded = crate::pipeline::load(&args.file, registry.as_ref()).await?;
        let report = explain(&loaded.plan, registry.as_ref()).await;
        let broken = report["sources"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|s| s["columns"].as_array().into_iter().flatten())
            .any(|c| c["verdict"] == "incompatible");
        match args.format {
            Format::Json => println!("{}", serde_json::to_string_pretty(&report)?),
            Format::Human => print_human(&report, &loaded.plan),
        }
        Ok(if broken {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        })
    })
}

fn topic_of(t: &TableDef) -> String {
    switchyard_router::sink::table_topic(t).unwrap_or_else(|e| format!("<{e}>"))
}

fn format_of(t: &TableDef) -> &str {
    t.option("value.format")
        .or_else(|| t.option("format"))
        .unwrap_or("json-registry")
}

async fn explain(plan: &Plan, registry: Option<&RegistryClient>) -> Value {
    let mut sources = Vec::new();
    for p in &plan.pipelines {
        let table = &plan.tables[p.source];
        let topic = topic_of(table);
        let writer = match registry {
            Some(r) => r
                .latest(&format!("{topic}-value"))
                .await
                .ok()
                .and_then(|l| serde_json::from_str::<Value>(&l.schema).ok()),
            None => None,
        };
        let row_schema = writer.as_ref().map(|w| {
            if format_of(table).contains("debezium") {
                after_schema(w)
            } else {
                object_schema(w)
            }
        });
        let columns: Vec<Value> = table
            .columns
            .iter()
            .map(|c| {
                let kind = match &c.kind {
                    ColumnKind::Physical => "physical".to_string(),
                    ColumnKind::Metadata { key, .. } => format!("metadata from '{key}'"),
                    ColumnKind::Computed(e) => format!("computed as {}", e.to_sql()),
                };
                let field = row_schema.and_then(|s| field_schema(s, &c.name));
                let (verdict, detail) = match (&c.kind, &row_schema) {
                    (ColumnKind::Physical, Some(_)) => match check_column(field, &c.data_type) {
                        Compatibility::Lossless(d) => ("lossless", d),
                        Compatibility::Lossy(e) => ("lossy", e.to_string()),
                        Compatibility::Incompatible(e) => ("incompatible", e.to_string()),
                    },
                    _ => ("unchecked", String::new()),
                };
                json!({"name": c.name, "type": c.data_type.to_string(), "kind": kind, "verdict": verdict, "detail": detail})
            })
            .collect();
        let statements: Vec<Value> = p
            .statements
            .iter()
            .map(|s| {
                let sink = &plan.tables[s.sink];
                json!({
                    "index": s.index,
                    "sink": sink.name, "sink_topic": topic_of(sink), "sink_format": format_of(sink),
                    "registers": if format_of(sink) == "json-registry" { json!(format!("{}-value", topic_of(sink))) } else { Value::Null },
                    "where": s.filter.as_ref().map(|f| f.to_sql()),
                    "select": s.projection.iter().map(|e| e.to_sql()).collect::<Vec<_>>(),
                })
            })
            .collect();
        sources.push(json!({
            "table": table.name, "topic": topic, "format": format_of(table),
            "startup": table.option("scan.startup.mode").unwrap_or("group-offsets"),
            "group": table.option("properties.group.id"),
            "errors": table.option("error-handling.mode").unwrap_or("log"),
            "dead_letters": table.option("error-handling.log.target").map_or_else(|| format!("{topic}-dlq"), String::from),
            "reads_subject": format!("{topic}-value"),
            "writer_schema_checked": row_schema.is_some(),
            "columns": columns, "statements": statements,
        }));
    }
    json!({"sources": sources, "notes": plan.notes.iter().map(|n| n.message.clone()).collect::<Vec<_>>()})
}

fn print_human(report: &Value, _plan: &Plan) {
    for s in report["sources"].as_array().into_iter().flatten() {
        println!(
            "source {} ← topic `{}` ({}), start {}, group {}, errors → {} ({})",
            s["table"].as_str().unwrap_or_default(),
            s["topic"].as_str().unwrap_or_default(),
            s["format"].as_str().unwrap_or_default(),
            s["startup"].as_str().unwrap_or_default(),
            s["group"].as_str().unwrap_or("(default)"),
            s["dead_letters"].as_str().unwrap_or_default(),
            s["errors"].as_str().unwrap_or_default(),
        );
        if s["writer_schema_checked"] == true {
            println!(
                "  columns, checked against the latest `{}`:",
                s["reads_subject"].as_str().unwrap_or_default()
            );
        } else {
            println!("  columns (no registry schema checked; pass --registry to check them):");
        }
        for c in s["columns"].as_array().into_iter().flatten() {
            let mark = match c["verdict"].as_str() {
                Some("lossless") => "✓",
                Some("lossy") => "!",
                Some("incompatible") => "✗",
                _ => "·",
            };
            let detail = c["detail"].as_str().unwrap_or_default();
            println!(
                "    {mark} {} {} ({}){}",
                c["name"].as_str().unwrap_or_default(),
                c["type"].as_str().unwrap_or_default(),
                c["kind"].as_str().unwrap_or_default(),
                if detail.is_empty() {
                    String::new()
                } else {
                    format!(": {detail}")
                }
            );
        }
        for st in s["statements"].as_array().into_iter().flatten() {
            println!(
                "  statement {} → {} (topic `{}`, {}{})",
                st["index"],
                st["sink"].as_str().unwrap_or_default(),
                st["sink_topic"].as_str().unwrap_or_default(),
                st["sink_format"].as_str().unwrap_or_default(),
                st["registers"]
                    .as_str()
                    .map(|r| format!(", registers `{r}`"))
                    .unwrap_or_default()
            );
            if let Some(w) = st["where"].as_str() {
                println!("      WHERE {w}");
            }
            let select: Vec<&str> = st["select"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            println!("      SELECT {}", select.join(", "));
        }
    }
    for n in report["notes"].as_array().into_iter().flatten() {
        println!("note: {}", n.as_str().unwrap_or_default());
    }
}
