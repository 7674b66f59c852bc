//! `switchyard doctor`: why a change-data-capture pipeline (PostgreSQL → Debezium → Kafka → Flink SQL)
//! shows RUNNING and reads nothing.
//!
//! The doctor looks at an [`Incident`] — the SQL job, the connector config, the registry and a sample of
//! each source topic's records with their offsets — and returns a [`Report`]: ranked [`Finding`]s (the first
//! error is the root cause), what each engine would do with the records, and a corrected SQL. Every check
//! is a general rule over those inputs ([`checks`]); nothing here knows a particular table or topic.
//!
//! The library is pure apart from reading and writing incident directories; the binary does sampling,
//! colours and exit codes.

pub mod checks;
pub mod compare;
pub mod connector;
pub mod context;
pub mod engine;
pub mod expected;
pub mod finding;
pub mod fix;
pub mod incident;
pub mod predict;
mod read;
pub mod report;

use serde::Serialize;

pub use context::Context;
pub use engine::Engine;
pub use finding::{Code, Evidence, Finding, Fix, Severity};
pub use incident::{
    ConnectorConfig, Incident, IncidentError, Offsets, PartitionOffsets, Registry, SchemaVersion, SqlFile,
    TopicData,
};
pub use predict::EnginePrediction;

/// Options of a diagnosis.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Force the engine instead of reading it from the SQL.
    pub engine: Option<Engine>,
}

/// The overall verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// At least one error.
    Broken,
    /// Warnings only.
    Degraded,
    /// Nothing wrong found.
    Healthy,
}

impl Verdict {
    /// `broken`, `degraded`, `healthy`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Verdict::Broken => "broken",
            Verdict::Degraded => "degraded",
            Verdict::Healthy => "healthy",
        }
    }
}

/// The result of a diagnosis.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Overall verdict.
    pub verdict: Verdict,
    /// The finding to fix first.
    pub root_cause: Code,
    /// Where the job runs.
    pub engine: Engine,
    /// Findings, ranked.
    pub findings: Vec<Finding>,
    /// What each engine would do.
    pub predictions: Vec<(Engine, EnginePrediction)>,
    /// The corrected SQL, when the fix is in the SQL.
    pub fixed_sql: Option<String>,
    /// Connector settings to change.
    pub connector_changes: Vec<(String, String)>,
    /// The connector prediction, as lines.
    pub connector_summary: Vec<String>,
    /// The value schemas the connector would register, against the registered ones (per predicted topic).
    pub connector_schemas: Vec<(String, compare::Comparison)>,
    /// What could not be checked.
    pub unchecked: Vec<String>,
    /// The SQL file name.
    pub sql_name: Option<String>,
}

/// The corrected SQL, keeping only the fixes whose edits still leave a script that parses and plans (a
/// fix that, say, turns an append-only source into a changelog feeding append-only sinks is left to the
/// connector change the finding also names).
fn plannable_fix(
    incident: &Incident,
    options: &Options,
    sql: &SqlFile,
    findings: &[Finding],
) -> Option<String> {
    let plans = |text: &str| {
        let trial = Incident {
            sql: Some(SqlFile {
                name: sql.name.clone(),
                text: text.to_string(),
            }),
            ..incident.clone()
        };
        Context::build(&trial, options.engine).sql_errors.is_empty()
    };
    let mut kept: Vec<Finding> = findings.to_vec();
    loop {
        let text = fix::fixed_sql(&sql.text, &kept)?;
        if plans(&text) {
            return Some(text);
        }
        // Drop the fix of the least fundamental finding that has edits, and try again.
        let last = kept
            .iter()
            .rposition(|f| f.fix.as_ref().is_some_and(|x| !x.edits.is_empty()))?;
        if let Some(fix) = kept[last].fix.as_mut() {
            fix.edits.clear();
        }
    }
}

/// Diagnoses an incident.
pub fn diagnose(incident: &Incident, options: &Options) -> Report {
    let cx = Context::build(incident, options.engine);
    let mut findings = finding::rank(checks::run(&cx));
    let root = finding::root_cause(&findings);
    let verdict = if findings.iter().any(|f| f.severity == Severity::Error) {
        Verdict::Broken
    } else if findings
        .iter()
        .any(|f| f.severity == Severity::Warning && f.code.can_be_root())
    {
        Verdict::Degraded
    } else {
        Verdict::Healthy
    };
    let predictions = predict::predict(&cx, &findings);
    if verdict == Verdict::Healthy {
        let mut detail = String::new();
        for (engine, p) in predictions.iter().filter(|(e, _)| *e == cx.engine) {
            let routed: Vec<String> = p
                .statements
                .iter()
                .map(|s| {
                    format!(
                        "statement {} → {}: {} of {} rows",
                        s.statement,
                        s.sink,
                        s.rows.map_or("?".into(), |n| n.to_string()),
                        s.of
                    )
                })
                .collect();
            detail = format!("On {}: {}. {}", engine.label(), p.detail, routed.join("; "));
        }
        let mut h = Finding::new(Code::Healthy, Severity::Info, "No problem found", detail);
        for s in &cx.sources {
            let t = &cx.tables[s.table];
            h = h.evidence(
                "counts",
                format!(
                    "`{}` reads `{}` ({}): {} records sampled",
                    t.name,
                    s.topic.clone().unwrap_or_default(),
                    s.format.clone().unwrap_or_default(),
                    s.samples.len()
                ),
            );
        }
        findings.insert(0, h);
    }
    let fixed_sql = cx
        .sql
        .and_then(|s| plannable_fix(incident, options, s, &findings));
    let mut connector_changes: Vec<(String, String)> = Vec::new();
    for f in findings.iter().filter(|f| f.severity != Severity::Info) {
        for kv in f.fix.iter().flat_map(|x| &x.connector) {
            if !connector_changes.iter().any(|(k, _)| *k == kv.0) {
                connector_changes.push(kv.clone());
            }
        }
    }
    let connector_summary = cx
        .prediction
        .as_ref()
        .map(|p| {
            let mut v = vec![format!("value encoding: {}", p.encoding.label())];
            if !p.topics.is_empty() {
                v.push(format!("topic(s): {}", p.topics.join(", ")));
            }
            v.push(match &p.unwrap {
                Some(u) => format!(
                    "rows flattened by ExtractNewRecordState (`{}`), added fields {}, deletes: {}",
                    u.alias,
                    if u.added_fields.is_empty() {
                        "none".into()
                    } else {
                        u.added_fields.join(", ")
                    },
                    u.delete_mode
                ),
                None => "rows are Debezium envelopes (before/after/source/op)".into(),
            });
            v.push(format!(
                "time.precision.mode={}, decimal.handling.mode={}",
                p.time_precision_mode, p.decimal_handling_mode
            ));
            // The exact comparison supersedes the shape-only one for the topics it covers.
            let compared: Vec<&str> = cx.comparisons.iter().map(|(t, _)| t.as_str()).collect();
            v.extend(registry_agreement(incident, p, &compared));
            v.extend(cx.comparisons.iter().map(|(_, c)| schema_agreement(c)));
            v
        })
        .unwrap_or_default();
    Report {
        verdict,
        root_cause: root,
        engine: cx.engine,
        findings,
        predictions,
        fixed_sql,
        connector_changes,
        connector_summary,
        connector_schemas: cx.comparisons.clone(),
        unchecked: cx.unchecked.clone(),
        sql_name: cx.sql.map(|s| s.name.clone()),
    }
}

/// One line on a predicted-vs-registered comparison.
fn schema_agreement(c: &compare::Comparison) -> String {
    let what = format!("registry: `{}` v{} (id {})", c.subject, c.version, c.id);
    match (&c.expected, c.differences.len()) {
        (Err(e), _) => format!("{what}: no JsonSchemaConverter prediction ({e})"),
        (Ok(_), 0) if c.exact => {
            format!("{what} is exactly the JSON Schema JsonSchemaConverter would register under this config")
        }
        (Ok(_), 0) => format!(
            "{what} agrees with the JSON Schema JsonSchemaConverter would register under this config (record name, fields, types, optionality, order)"
        ),
        (Ok(_), n) => format!(
            "{what} differs from the JSON Schema JsonSchemaConverter would register under this config in {} (SCHEMA_DRIFT)",
            checks::plural(n, "place")
        ),
    }
}

/// Compares the connector's predicted value schema (envelope or flattened row with its added fields) with
/// the latest schema registered under each predicted topic's `<topic>-value` subject.
fn registry_agreement(incident: &Incident, p: &connector::Prediction, skip: &[&str]) -> Vec<String> {
    let Some(reg) = incident.registry.as_ref() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for topic in p.topics.iter().filter(|t| !skip.contains(&t.as_str())) {
        let subject = format!("{topic}-value");
        let Some(latest) = reg.latest(&subject) else {
            out.push(format!(
                "registry: no `{subject}` subject (the connector has not registered a value schema yet)"
            ));
            continue;
        };
        let Some(schema) = latest.json() else {
            out.push(format!(
                "registry: `{subject}` v{} is {}, not JSON Schema",
                latest.version,
                latest.schema_type()
            ));
            continue;
        };
        let envelope = context::is_envelope_schema(&schema);
        let props: Vec<String> = context::object_schema(&schema)
            .get("properties")
            .and_then(|p| p.as_object())
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
        let verdict = match (&p.unwrap, envelope) {
            (None, true) => "an Envelope, as predicted".to_string(),
            (None, false) => "a flat row, but the config predicts Debezium envelopes".to_string(),
            (Some(_), true) => "an Envelope, but the config predicts flattened rows".to_string(),
            (Some(u), false) => {
                let missing: Vec<&String> = u.added_fields.iter().filter(|f| !props.contains(f)).collect();
                if missing.is_empty() {
                    "a flat row with the predicted added fields".to_string()
                } else {
                    format!(
                        "a flat row without the predicted {}",
                        missing
                            .iter()
                            .map(|m| format!("`{m}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }
            }
        };
        out.push(format!(
            "registry: `{subject}` v{} (id {}) is {verdict}",
            latest.version, latest.id
        ));
    }
    out
}
