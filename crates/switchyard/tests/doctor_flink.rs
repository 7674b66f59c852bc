//! The doctor's Apache Flink predictions, judged by real Apache Flink 2.3 (PyFlink) over the same bytes.
//!
//! For every incident (the scenarios and the bundled example) the doctor says what Apache Flink would do
//! with the sampled records: fail (with which error), read nothing, or route N rows per statement. Apache
//! Flink has no Confluent formats, so the doctor answers for the table someone moving the job there would
//! write — `'connector' = 'kafka'` with `json` / `debezium-json` (`engine::apache_flink_variant`). This test
//! builds exactly that table, writes the sampled record values to a file byte for byte (one per line, as the
//! Kafka source hands each to the format; Kafka nulls are skipped by both formats and are left out), runs
//! every statement's SELECT on Flink over the filesystem connector and compares rows and failures.
//!
//! Each incident is judged as captured (JSON_SR, framed), as the export bridge re-publishes it (the same
//! records without the 5-byte frame), and with the doctor's corrected SQL over those unframed records —
//! which exercises row counts, types, envelopes and `debezium-json` rather than only the framing error.
//! All cases run in one PyFlink process.
#![allow(clippy::unwrap_used)]

mod common;
mod flink;

use std::path::{Path, PathBuf};

use common::{repo, switchyard, text};
use serde_json::Value;
use switchyard_doctor::engine::apache_flink_variant;
use switchyard_doctor::{Context, Incident};
use switchyard_sql::plan::{ColumnKind, TableDef};

fn incidents() -> Vec<PathBuf> {
    let mut dirs = common::scenario_dirs();
    dirs.push(repo().join("examples/business-events-incident"));
    dirs
}

fn ident(s: &str) -> String {
    format!("`{}`", s.replace('`', "``"))
}

/// The source as the doctor models it on Apache Flink, with the statements' SELECTs.
struct Job {
    sql: String,
    topic: String,
    /// Record values the Kafka source would hand the format, in order.
    values: Vec<Vec<u8>>,
}

/// Where a Kafka source with this table's startup mode starts, per partition (`None`: nothing to read).
fn start_offset(table: &TableDef, data: &switchyard_doctor::TopicData, partition: i32) -> Option<i64> {
    let committed = || {
        let group = table.option("properties.group.id")?;
        let offsets = data.offsets.as_ref()?.groups.get(group)?;
        offsets.get(&partition.to_string()).copied()
    };
    match table.option("scan.startup.mode") {
        Some("latest-offset") => None,
        // Apache Flink's default; without a committed offset the reset strategy decides (earliest here).
        Some("group-offsets") | None => Some(committed().unwrap_or(0)),
        _ => Some(0),
    }
}

fn job(incident: &Incident) -> Option<Job> {
    let cx = Context::build(incident, None);
    let plan = cx.plan.as_ref()?;
    let pipeline = plan.pipelines.first()?;
    let table = &plan.tables[pipeline.source];
    let declared = table.value_format().unwrap_or("json-registry");
    let (connector, format) = apache_flink_variant(table.connector(), declared)
        .unwrap_or_else(|| (table.connector().to_string(), declared.to_string()));
    let topic = table.topic()?.trim_matches('`').to_string();
    let mut columns = Vec::new();
    for c in &table.columns {
        columns.push(match &c.kind {
            ColumnKind::Physical => format!("{} {}", ident(&c.name), c.data_type),
            ColumnKind::Computed(e) => format!("{} AS {}", ident(&c.name), e.to_sql()),
            ColumnKind::Metadata { .. } => return None,
        });
    }
    let mut options = vec![
        format!("'connector' = '{connector}'"),
        format!("'topic' = '{topic}'"),
        format!("'value.format' = '{format}'"),
    ];
    for (k, v) in &table.options {
        let own = [format!("{format}."), format!("value.{format}.")];
        if own.iter().any(|p| k.starts_with(p.as_str())) {
            options.push(format!("'{k}' = '{v}'"));
        }
    }
    let mut sql = format!(
        "CREATE TABLE {} (\n  {}\n) WITH (\n  {}\n);\n",
        ident(&table.name),
        columns.join(",\n  "),
        options.join(",\n  ")
    );
    for st in &pipeline.statements {
        let select: Vec<String> = st.projection.iter().map(|e| e.to_sql()).collect();
        sql.push_str(&format!(
            "INSERT INTO {} SELECT {} FROM {}{};\n",
            ident(&plan.tables[st.sink].name),
            select.join(", "),
            ident(&table.name),
            st.filter
                .as_ref()
                .map(|f| format!(" WHERE {}", f.to_sql()))
                .unwrap_or_default()
        ));
    }
    let data = incident.topics.get(&topic);
    let mut values = Vec::new();
    for rec in data.and_then(|d| d.records.as_ref()).into_iter().flatten() {
        let Some(start) = start_offset(table, data?, rec.partition) else {
            continue;
        };
        if rec.offset >= start
            && let Some(v) = &rec.value
        {
            values.push(v.clone());
        }
    }
    Some(Job { sql, topic, values })
}

/// The incident as the bridge re-publishes it: every framed value without its frame.
fn unframed(incident: &Incident) -> Incident {
    let mut out = incident.clone();
    for data in out.topics.values_mut() {
        for rec in data.records.iter_mut().flatten() {
            if let Some(v) = &rec.value
                && let Ok(frame) = switchyard_wire::parse_frame(v)
            {
                rec.value = Some(frame.payload.to_vec());
            }
        }
    }
    out
}

/// The doctor's JSON report.
fn doctor(dir: &Path) -> Value {
    let out = switchyard(&["doctor", dir.to_str().unwrap(), "--format", "json"], None);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", text(&out.stderr));
    serde_json::from_slice::<Value>(&out.stdout).unwrap()
}

/// Phrases that name one failure, in Flink's words and the doctor's.
const FAILURES: &[&str] = &[
    "CTRL-CHAR",
    "JSON 'null'",
    "Corrupt Debezium JSON",
    "Fail to deserialize at field",
    "\"before\" field of UPDATE",
    "NOT NULL",
];

#[test]
fn doctor_apache_flink_predictions_match_real_flink() {
    let Some(py) = flink::python() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let mut cases = Vec::new();
    let mut judged = Vec::new();
    for dir in incidents() {
        let incident = Incident::load(&dir).unwrap();
        let mut variants = vec![
            ("as captured", incident.clone()),
            ("unframed", unframed(&incident)),
        ];
        // The doctor's corrected SQL over the unframed records: its fixes change formats, types and
        // predicates, which reaches the predictions for debezium-json, conversions and row counts.
        let fixed = doctor(&dir)["fixed_sql"].as_str().map(String::from);
        if let (Some(fixed), Some(sql)) = (fixed, incident.sql.as_ref()) {
            let mut inc = unframed(&incident);
            inc.sql = Some(switchyard_doctor::SqlFile {
                name: sql.name.clone(),
                text: fixed,
            });
            variants.push(("fixed SQL, unframed", inc));
        }
        for (variant, inc) in variants {
            let name = format!("{} ({variant})", dir.file_name().unwrap().to_string_lossy());
            let work = tmp.path().join(name.replace([' ', '(', ')', ','], "_"));
            inc.save(&work).unwrap();
            let prediction = doctor(&work)["predictions"]["apache-flink"].clone();
            let Some(job) = job(&inc) else {
                panic!("{name}: the incident's SQL does not plan");
            };
            let file = work.join("values.txt");
            let mut bytes = Vec::new();
            for v in &job.values {
                assert!(
                    !v.contains(&b'\n'),
                    "{name}: a value holds a newline byte; it cannot be one line"
                );
                bytes.extend_from_slice(v);
                bytes.push(b'\n');
            }
            std::fs::write(&file, bytes).unwrap();
            cases.push(flink::case(
                &name,
                &job.sql,
                "count",
                &[(job.topic.clone(), file)],
            ));
            judged.push((name, prediction, job.sql));
        }
    }
    let results = flink::run(&py, cases, tmp.path());
    let mut disagreements = Vec::new();
    let mut summary = Vec::new();
    for ((name, p, sql), r) in judged.iter().zip(&results) {
        let statements = r["statements"].as_array().unwrap();
        let errors: Vec<&str> = r["ddl_error"]
            .as_str()
            .into_iter()
            .chain(statements.iter().filter_map(|s| s["error"].as_str()))
            .collect();
        let rows: Vec<Option<u64>> = statements.iter().map(|s| s["rows"].as_u64()).collect();
        let actual = if !errors.is_empty() {
            "fails"
        } else if rows.iter().all(|n| *n == Some(0)) {
            "reads-nothing"
        } else {
            "reads"
        };
        let predicted = p["outcome"].as_str().unwrap();
        let detail = p["detail"].as_str().unwrap_or_default();
        summary.push(format!("{name}: doctor {predicted}, Flink {actual} {rows:?}"));
        // The doctor's "reads" with every statement at 0 rows is Flink's "reads nothing".
        let predicted_rows: Vec<Option<u64>> = p["statements"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["rows"].as_u64())
            .collect();
        let agree = match (predicted, actual) {
            ("fails", "fails") => {
                let flink_says = FAILURES.iter().find(|f| errors.iter().any(|e| e.contains(**f)));
                match flink_says {
                    Some(f) => detail.contains(f),
                    None => true,
                }
            }
            ("reads-nothing", "reads-nothing") => true,
            ("reads", "reads" | "reads-nothing") => predicted_rows == rows,
            _ => false,
        };
        if !agree {
            disagreements.push(format!(
                "{name}\n  doctor: {predicted} ({detail}) rows {predicted_rows:?}\n  Flink:  {actual} rows {rows:?} {errors:?}\n{sql}"
            ));
        }
    }
    eprintln!("{}", summary.join("\n"));
    assert!(
        disagreements.is_empty(),
        "the doctor's Apache Flink predictions disagree with real Flink:\n{}",
        disagreements.join("\n\n")
    );
}
