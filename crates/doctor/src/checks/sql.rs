//! The SQL itself: does it parse and plan (`SQL_INVALID`, `METADATA_KEY_INVALID`), can the engine run its
//! connectors and formats at all (`FORMAT_UNSUPPORTED`), and does an option hide every failure
//! (`SILENT_SKIP`).

use crate::context::Context;
use crate::engine::{Engine, reframed};
use crate::finding::{Code, Finding, Fix, Severity};

pub(super) fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    let hyphenated =
        regex::Regex::new(r"(?i)\b(FROM|JOIN|INTO|TABLE)\s+([A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)+)").ok();
    for e in &cx.sql_errors {
        if let Some(f) = hyphenated.as_ref().and_then(|re| unquoted_name(cx, re, e)) {
            out.push(f);
            continue;
        }
        if let Some(f) = missing_table(cx, e) {
            out.push(f);
            continue;
        }
        let metadata = e.message.contains("metadata key");
        let code = if metadata {
            Code::MetadataKeyInvalid
        } else {
            Code::SqlInvalid
        };
        let mut f = Finding::new(
            code,
            Severity::Error,
            if metadata {
                "A metadata column uses a key the connector and format do not define"
            } else {
                "The SQL does not parse or plan"
            },
            format!(
                "{} The job is rejected when it is submitted, so it never reads a record.",
                e.message
            ),
        );
        if let Some(r) = cx.render_span(e.span, &e.message) {
            f = f.evidence("sql", r);
        }
        if let Some(h) = &e.hint {
            f = f.fix(Fix::text(h.clone()));
        }
        out.push(f);
    }
    for source in &cx.sources {
        let table = &cx.tables[source.table];
        let connector = table.connector();
        let span = table.span.unwrap_or_default();
        if !cx.engine.has_connector(connector) {
            let mut f = Finding::new(
                Code::FormatUnsupported,
                Severity::Error,
                format!("{} has no '{connector}' connector", cx.engine.label()),
                format!("Table `{}` uses 'connector' = '{connector}', which {} does not provide; the statement fails when it is submitted.", table.name, cx.engine.label()),
            )
            .table(&table.name);
            if let Some(s) = cx.find_span(span, &format!("'{connector}'")) {
                f = f.evidence("sql", cx.render_span(s, "connector").unwrap_or_default());
            }
            out.push(f);
        }
        if let Some(format) = source.format.as_deref()
            && !cx.engine.has_format(format)
        {
            let alt = reframed(format).filter(|a| cx.engine.has_format(a));
            let detail = match cx.engine {
                Engine::ApacheFlink => format!(
                    "Apache Flink has no format '{format}' (\"Could not find any format factory for identifier '{format}'\"). No Apache Flink format reads Confluent JSON Schema framing; run the job with `switchyard run` or on Confluent Cloud, or make the connector write plain JSON."
                ),
                _ => format!(
                    "{} has no format '{format}'; the statement fails when it is submitted.",
                    cx.engine.label()
                ),
            };
            let mut f = Finding::new(
                Code::FormatUnsupported,
                Severity::Error,
                format!("{} has no format '{format}'", cx.engine.label()),
                detail,
            )
            .table(&table.name);
            if let Some(s) = cx.find_span(span, &format!("'{format}'")) {
                f = f.evidence("sql", cx.render_span(s, "this format").unwrap_or_default());
            }
            if let Some(a) = alt {
                f = f.fix(
                    Fix::text(format!("use 'value.format' = '{a}'"))
                        .with_sql(format!("'value.format' = '{a}'")),
                );
            }
            out.push(f);
        }
    }
    out
}

/// Options that turn every deserialisation failure into a silently skipped record.
const SKIP_OPTIONS: &[(&str, &str)] = &[
    ("json.ignore-parse-errors", "true"),
    ("value.json.ignore-parse-errors", "true"),
    ("debezium-json.ignore-parse-errors", "true"),
    ("value.debezium-json.ignore-parse-errors", "true"),
    ("error-handling.mode", "ignore"),
    ("error-handling.mode", "log"),
];

pub(super) fn silent_skip(cx: &Context<'_>, found: &[Finding]) -> Vec<Finding> {
    let mut out = Vec::new();
    let failing = found.iter().any(|f| f.severity == Severity::Error);
    for source in &cx.sources {
        let table = &cx.tables[source.table];
        for (key, value) in SKIP_OPTIONS {
            if !table.option(key).is_some_and(|v| v.eq_ignore_ascii_case(value)) {
                continue;
            }
            let sev = if failing {
                Severity::Warning
            } else {
                Severity::Info
            };
            let mut f = Finding::new(
                Code::SilentSkip,
                sev,
                format!("'{key}' = '{value}' hides records that fail to deserialise"),
                if failing {
                    "Every record that fails is skipped (or sent to an error log) without failing the job, so the job shows RUNNING and emits nothing: this option is why the failure above was invisible, not its cause.".to_string()
                } else {
                    "Records that fail to deserialise would be skipped without failing the job; none of the sampled records fails, so nothing is hidden today.".to_string()
                },
            )
            .table(&table.name)
            .fix(Fix::text(format!("remove '{key}' while diagnosing (or set 'error-handling.mode' = 'log' with an error log table you watch)")));
            if let Some(s) = table.span.and_then(|sp| cx.find_span(sp, &format!("'{key}'"))) {
                f = f.evidence(
                    "sql",
                    cx.render_span(s, "skips failing records silently")
                        .unwrap_or_default(),
                );
            }
            out.push(f);
        }
    }
    out
}

/// A parse error caused by a topic name with `-` written without backticks (`FROM raw-business-events`).
fn unquoted_name(cx: &Context<'_>, re: &regex::Regex, e: &switchyard_sql::SqlError) -> Option<Finding> {
    let sql = cx.sql?;
    let line = sql.text.lines().nth(e.span.line.checked_sub(1)?)?;
    let caps = re.captures(line)?;
    let (kw, name) = (caps.get(1)?.as_str(), caps.get(2)?.as_str());
    let mut f = Finding::new(
        Code::TopicMismatch,
        Severity::Error,
        format!("`{name}` is not quoted: an unquoted identifier cannot contain `-`"),
        format!(
            "Flink SQL reads `{kw} {name}` as `{kw} {}` followed by `-`, so the statement does not parse and the job never starts. A table or topic name with `-` must be written in backticks.",
            name.split('-').next().unwrap_or(name)
        ),
    )
    .evidence("sql", cx.render_span(e.span, &e.message).unwrap_or_default());
    if let Some(p) = &cx.prediction
        && !p.topics.is_empty()
    {
        f = f.evidence(
            "connector",
            format!("the connector writes {}", p.topics.join(", ")),
        );
    }
    Some(
        f.fix(
            Fix::text(format!("quote the name: `{name}` in backticks"))
                .with_sql(format!("{kw} `{name}`"))
                .with_edit(e.span.line, format!("{kw} {name}"), format!("{kw} `{name}`")),
        ),
    )
}

/// On Confluent Cloud every topic is a table: a table the script neither creates nor finds among the topics
/// is a topic name that does not exist (`raw_business_events` for the connector's `raw-business-events`).
fn missing_table(cx: &Context<'_>, e: &switchyard_sql::SqlError) -> Option<Finding> {
    if cx.engine != Engine::ConfluentCloud {
        return None;
    }
    let name = e.message.strip_prefix("table `")?.strip_suffix("` not found")?;
    let norm = |s: &str| s.to_ascii_lowercase().replace(['-', '_', '.'], "");
    let mut candidates: Vec<String> = cx.prediction.iter().flat_map(|p| p.topics.clone()).collect();
    candidates.extend(cx.incident.topics.keys().cloned());
    let target = candidates
        .into_iter()
        .find(|t| norm(t) == norm(name) || norm(t).ends_with(&norm(name)));
    let mut f = Finding::new(
        Code::TopicMismatch,
        Severity::Error,
        format!("No topic (table) `{name}` exists"),
        format!(
            "On Confluent Cloud a table is a topic; `{name}` is neither created by the script nor an existing topic, so the statement is rejected{}.",
            target.as_ref().map(|t| format!(". The connector writes `{t}`")).unwrap_or_default()
        ),
    )
    .evidence("sql", cx.render_span(e.span, &e.message).unwrap_or_default());
    if let Some(t) = target {
        f = f.fix(
            Fix::text(format!("read the connector's topic: `{t}` (backtick-quoted)"))
                .with_sql(format!("`{t}`"))
                .with_edit(e.span.line, name.to_string(), format!("`{t}`")),
        );
    }
    Some(f)
}
