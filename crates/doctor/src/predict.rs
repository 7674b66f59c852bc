//! Engine predictions: what Confluent Cloud for Apache Flink, Apache Flink 2.x and `switchyard run` would
//! do with the sampled records — fail (with the error they print), read nothing without an error, or read
//! rows, and then how many rows each statement routes. Failures are what real Flink printed on the same
//! inputs (see `flink-observed.md`); row counts come from evaluating each `WHERE` on the sampled rows.
//!
//! Apache Flink has neither the `confluent` connector nor the Schema Registry formats, so "what Apache
//! Flink would do" is answered for the table someone moving the job there would write: `'connector' =
//! 'kafka'` and the unframed format that reads the same rows (`json-registry` → `json`,
//! `json-debezium-registry` → `debezium-json`), with the records read again under that format. Otherwise
//! every such prediction would be the same factory error and say nothing about the records. These
//! predictions are checked against real Apache Flink (PyFlink) over the same bytes in
//! `crates/switchyard/tests/doctor_flink.rs`.

use serde::Serialize;
use switchyard_sql::{EvalContext, eval_filter};

use crate::context::{Context, Source, Verdict};
use crate::engine::{Engine, FormatKind, apache_flink_variant};
use crate::finding::{Code, Finding, Severity};
use crate::read::Reader;

/// What one engine does with the job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnginePrediction {
    /// `fails`, `reads-nothing`, `reads`.
    pub outcome: &'static str,
    /// Why, with the engine's own error text where known.
    pub detail: String,
    /// Per statement.
    pub statements: Vec<StatementPrediction>,
}

/// What one statement does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementPrediction {
    /// 1-based statement number.
    pub statement: usize,
    /// The sink.
    pub sink: String,
    /// Rows routed from the sample (`None` when the engine reads none).
    pub rows: Option<usize>,
    /// Of how many sampled rows.
    pub of: usize,
}

fn ignores_errors(cx: &Context<'_>, source: &Source<'_>) -> bool {
    let t = &cx.tables[source.table];
    [
        "json.ignore-parse-errors",
        "value.json.ignore-parse-errors",
        "debezium-json.ignore-parse-errors",
    ]
    .iter()
    .any(|k| t.option(k) == Some("true"))
        || matches!(t.option("error-handling.mode"), Some("ignore" | "log"))
}

fn blocking(
    cx: &Context<'_>,
    engine: Engine,
    source: &Source<'_>,
    findings: &[Finding],
) -> Option<(&'static str, String)> {
    let table = &cx.tables[source.table];
    if let Some(e) = cx.sql_errors.first() {
        return Some(("fails", format!("the statement is rejected: {}", e.message)));
    }
    let connector = match (engine, table.connector()) {
        (Engine::ApacheFlink, "confluent") => "kafka",
        (_, c) => c,
    };
    if !engine.has_connector(connector) {
        return Some((
            "fails",
            format!(
                "Could not find any factory for identifier '{connector}' that implements 'DynamicTableFactory'"
            ),
        ));
    }
    let format = source.format.clone().unwrap_or_default();
    if !engine.has_format(&format) {
        return Some((
            "fails",
            format!("Could not find any format factory for identifier '{format}' in the classpath"),
        ));
    }
    let has = |c: Code| {
        findings.iter().any(|f| {
            f.code == c && f.severity == Severity::Error && f.table.as_deref() == Some(table.name.as_str())
        })
    };
    if has(Code::TopicMismatch) || has(Code::TopicEmpty) {
        return Some((
            "reads-nothing",
            format!(
                "topic `{}` has none of the connector's records; the job stays RUNNING",
                source.topic.clone().unwrap_or_default()
            ),
        ));
    }
    if has(Code::OffsetsAtEnd) {
        return Some((
            "reads-nothing",
            "the startup offsets are at the end of every partition".into(),
        ));
    }
    let skip = ignores_errors(cx, source);
    let n = source.samples.len();
    let count = |p: &dyn Fn(&Verdict) -> bool| source.samples.iter().filter(|s| p(&s.verdict)).count();
    let framing = count(&|v| *v == Verdict::Framing);
    if framing > 0 {
        let msg = match (engine, source.kind().framed()) {
            (Engine::ApacheFlink, false) => "Failed to deserialize JSON: Illegal character ((CTRL-CHAR, code 0)): only regular white space (\\r, \\n, \\t) is allowed between tokens".to_string(),
            (Engine::Switchyard, _) => format!("{framing} of {n} records go to the dead-letter topic with FRAMING_MISMATCH"),
            _ => "Failed to deserialize: Unknown magic byte!".to_string(),
        };
        return Some(if skip || engine == Engine::Switchyard {
            (
                "reads-nothing",
                format!("{msg} (skipped without failing the job)"),
            )
        } else {
            ("fails", msg)
        });
    }
    if count(&|v| matches!(v, Verdict::Converter(_))) > 0 {
        return Some((
            "fails",
            "the payload is not JSON (the connector writes another encoding)".into(),
        ));
    }
    let missing = count(&|v| matches!(v, Verdict::SchemaNotFound(_)));
    if missing > 0 && source.kind().framed() {
        return Some(match engine {
            Engine::Switchyard => (
                "reads-nothing",
                format!("{missing} of {n} records go to the dead-letter topic with SCHEMA_NOT_FOUND"),
            ),
            _ => (
                "fails",
                "Failed to deserialize: Schema not found (error code 40403)".into(),
            ),
        });
    }
    if count(&|v| *v == Verdict::EnvelopeUnderFlat || *v == Verdict::ConnectEnvelope) > 0 {
        return Some(match engine {
            Engine::Switchyard => (
                "reads-nothing",
                "every envelope goes to the dead-letter topic with ENVELOPE_MISMATCH".into(),
            ),
            _ => (
                "reads-nothing",
                "every declared column reads NULL (the row is nested in the envelope); no WHERE matches"
                    .into(),
            ),
        });
    }
    if count(&|v| *v == Verdict::FlatUnderDebezium) > 0 {
        return Some(("fails", "Corrupt Debezium JSON message (no `op`)".into()));
    }
    if has(Code::ReplicaIdentity)
        && engine == Engine::ApacheFlink
        && source.kind() == FormatKind::DebeziumJson
    {
        return Some((
            "fails",
            "The \"before\" field of UPDATE message is null; set REPLICA IDENTITY FULL".into(),
        ));
    }
    if engine == Engine::ApacheFlink {
        // A JSON `null` document (ExtractNewRecordState's delete in tombstone mode) is not a Kafka null:
        // both formats hand it to Jackson and fail (checked on PyFlink 2.3), unless told to skip errors.
        if !skip && count(&|v| *v == Verdict::NullDocument) > 0 {
            return Some((
                "fails",
                if source.kind() == FormatKind::DebeziumJson {
                    "Corrupt Debezium JSON message 'null' (a JSON null document, not a Kafka tombstone)"
                } else {
                    "Failed to deserialize JSON 'null' (a JSON null document, not a Kafka tombstone)"
                }
                .into(),
            ));
        }
        // The records as Apache Flink's own format reads them (the findings are about the declared one).
        if let Some((column, message)) = source.samples.iter().find_map(|s| s.conversion_errors.first()) {
            let what = format!("Fail to deserialize at field: {column} ({message})");
            return Some(if skip {
                (
                    "reads-nothing",
                    format!("{what}; skipped without failing the job"),
                )
            } else {
                ("fails", what)
            });
        }
        // A NOT NULL source column that receives NULL does not fail the read on Apache Flink: the row is
        // read, and the planner, trusting the declaration, folds `col IS NULL` to FALSE (PyFlink 2.3).
        return None;
    }
    if has(Code::TypeMismatch) || has(Code::Nullability) {
        return Some(match engine {
            Engine::ConfluentCloud => (
                "fails",
                "the declared type does not match the registered schema's type (deserialisation fails)"
                    .into(),
            ),
            Engine::ApacheFlink => (
                "fails",
                "Fail to deserialize at field (the value does not parse as the declared type)".into(),
            ),
            Engine::Switchyard => (
                "reads-nothing",
                "records whose values do not convert go to the dead-letter topic with TYPE_MISMATCH".into(),
            ),
        });
    }
    None
}

/// The source as Apache Flink would read it (see the module docs), with a note saying so; `None` when the
/// table runs there as written or has no Apache Flink counterpart.
fn apache_flink_source<'a>(cx: &Context<'a>, source: &Source<'a>) -> Option<(Source<'a>, String)> {
    let table = &cx.tables[source.table];
    let declared = source.format.clone().unwrap_or_else(|| "json-registry".into());
    let (connector, format) = apache_flink_variant(table.connector(), &declared)?;
    let reader = Reader::new(table, FormatKind::of(&format), cx.incident.registry.as_ref());
    let samples = source
        .data
        .and_then(|d| d.records.as_ref())
        .map(|records| records.iter().map(|r| reader.read(r)).collect())
        .unwrap_or_default();
    let mut missing = Vec::new();
    if connector != table.connector() {
        missing.push(format!("'{}' connector", table.connector()));
    }
    if format != declared {
        missing.push(format!("'{declared}' format"));
    }
    let note = format!(
        "Apache Flink has no {}: as it would run there ('connector' = '{connector}', '{format}')",
        missing.join(" and no ")
    );
    Some((
        Source {
            table: source.table,
            topic: source.topic.clone(),
            format: Some(format),
            data: source.data,
            samples,
        },
        note,
    ))
}

/// Predictions for every engine.
pub fn predict(cx: &Context<'_>, findings: &[Finding]) -> Vec<(Engine, EnginePrediction)> {
    let ctx = EvalContext::default();
    Engine::ALL
        .into_iter()
        .map(|engine| {
            let mut outcome = "reads";
            let mut details = Vec::new();
            let mut statements = Vec::new();
            for declared in &cx.sources {
                let variant = (engine == Engine::ApacheFlink)
                    .then(|| apache_flink_source(cx, declared))
                    .flatten();
                let source = variant.as_ref().map_or(declared, |(s, _)| s);
                if let Some((_, note)) = &variant {
                    details.push(note.clone());
                }
                let block = blocking(cx, engine, source, findings);
                let rows: Vec<&Vec<switchyard_sql::Value>> =
                    source.data_samples().flat_map(|s| s.rows.iter()).collect();
                if let Some((o, d)) = &block {
                    if *o == "fails" || outcome == "reads" {
                        outcome = o;
                    }
                    details.push(d.clone());
                } else if source.samples.is_empty() {
                    details.push(format!(
                        "no records of `{}` were sampled",
                        source.topic.clone().unwrap_or_default()
                    ));
                } else {
                    details.push(format!("{} sampled rows decode", rows.len()));
                }
                let Some(plan) = &cx.plan else { continue };
                for st in plan
                    .pipelines
                    .iter()
                    .filter(|p| p.source == source.table)
                    .flat_map(|p| &p.statements)
                {
                    let n = if block.is_some() {
                        None
                    } else {
                        Some(match &st.filter {
                            Some(f) => rows
                                .iter()
                                .filter(|r| eval_filter(f, r, &ctx).unwrap_or(false))
                                .count(),
                            None => rows.len(),
                        })
                    };
                    statements.push(StatementPrediction {
                        statement: st.index + 1,
                        sink: cx.tables[st.sink].name.clone(),
                        rows: n,
                        of: rows.len(),
                    });
                }
            }
            (
                engine,
                EnginePrediction {
                    outcome,
                    detail: details.join("; "),
                    statements,
                },
            )
        })
        .collect()
}
