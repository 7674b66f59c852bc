//! Is the table reading the topic the data is in, and is there anything left to read: `TOPIC_MISMATCH`
//! (the table's topic is not the connector's output, does not exist, or — on Confluent Cloud — was just
//! created empty by `CREATE TABLE`), `TOPIC_EMPTY`, `OFFSETS_AT_END` (startup mode or committed offsets
//! past every record).

use crate::context::{Context, Source};
use crate::engine::Engine;
use crate::finding::{Code, Finding, Fix, Severity};
use crate::incident::Offsets;

pub(super) fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for source in &cx.sources {
        let table = &cx.tables[source.table];
        let Some(topic) = source.topic.as_deref() else {
            continue;
        };
        let predicted: Vec<&str> = cx
            .prediction
            .iter()
            .flat_map(|p| p.topics.iter().map(String::as_str))
            .collect();
        let exists = source.data.and_then(|d| d.exists());
        let mismatch = !predicted.is_empty() && !predicted.contains(&topic);
        let with_data: Vec<&str> = cx
            .incident
            .topics
            .iter()
            .filter(|(name, d)| {
                name.as_str() != topic
                    && d.offsets
                        .as_ref()
                        .map_or(d.records.as_ref().is_some_and(|r| !r.is_empty()), |o| {
                            o.available() > 0
                        })
            })
            .map(|(n, _)| n.as_str())
            .collect();
        let similar: Vec<&str> = with_data
            .iter()
            .copied()
            .filter(|n| similar_name(n, topic))
            .collect();
        let empty = source.data.is_some_and(|d| match &d.offsets {
            Some(o) => !o.partitions.is_empty() && o.available() == 0,
            None => d.records.as_ref().is_some_and(Vec::is_empty),
        });
        if mismatch || exists == Some(false) || (empty && !similar.is_empty()) {
            let target = if mismatch {
                predicted.first().copied()
            } else {
                similar.first().copied()
            };
            out.push(mismatch_finding(cx, source, topic, target, exists, mismatch));
        }
        if !mismatch && exists == Some(true) && !empty && predicted.contains(&topic) {
            out.extend(cc_create_existing(cx, source, topic));
        }
        if exists == Some(true) && empty {
            out.push(
                Finding::new(
                    Code::TopicEmpty,
                    Severity::Error,
                    format!("Topic `{topic}` holds no records"),
                    format!("Table `{}` reads `{topic}`, which exists but is empty (low == high on every partition): the job runs and reads nothing.", table.name),
                )
                .table(&table.name)
                .evidence("offsets", offsets_text(topic, source.data.and_then(|d| d.offsets.as_ref()))),
            );
        }
        out.extend(offsets_at_end(cx, source, topic));
    }
    out
}

fn similar_name(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.to_ascii_lowercase().replace(['-', '.', '_'], "");
    norm(a) == norm(b) || norm(a).ends_with(&norm(b)) || norm(b).ends_with(&norm(a))
}

fn offsets_text(topic: &str, o: Option<&Offsets>) -> String {
    match o {
        None => format!("{topic}: offsets not captured"),
        Some(o) if o.partitions.is_empty() => format!("{topic}: the topic does not exist (no partitions)"),
        Some(o) => {
            let parts: Vec<String> = o
                .partitions
                .iter()
                .map(|p| format!("p{} {}..{}", p.partition, p.low, p.high))
                .collect();
            format!(
                "{topic}: {} partition(s), {} record(s) available ({})",
                o.partitions.len(),
                o.available(),
                parts.join(", ")
            )
        }
    }
}

fn mismatch_finding(
    cx: &Context<'_>,
    source: &Source<'_>,
    topic: &str,
    target: Option<&str>,
    exists: Option<bool>,
    mismatch: bool,
) -> Finding {
    let table = &cx.tables[source.table];
    let cc_created =
        cx.engine == Engine::ConfluentCloud && !table.inferred && table.option("topic").is_none();
    let mut detail = String::new();
    if cc_created {
        detail.push_str(&format!(
            "On Confluent Cloud a table is its topic: `CREATE TABLE {}` created a new topic `{topic}`{}",
            table.name,
            if exists == Some(true) {
                " (it exists and is empty)"
            } else {
                ""
            }
        ));
    } else if exists == Some(false) {
        detail.push_str(&format!(
            "Table `{}` reads topic `{topic}`, which does not exist",
            table.name
        ));
    } else {
        detail.push_str(&format!("Table `{}` reads topic `{topic}`", table.name));
    }
    match (target, mismatch) {
        (Some(t), true) => detail.push_str(&format!(
            ", but the connector writes `{t}`; the job reads nothing the connector produces."
        )),
        (Some(t), false) => detail.push_str(&format!(", while the records are in `{t}`.")),
        (None, _) => detail.push('.'),
    }
    if let Some(t) = target
        && t.contains('-')
        && t.replace('-', "_") == topic
    {
        detail.push_str(&format!(
            " The names differ only in `-` vs `_`: an unquoted identifier cannot contain `-`, so write `{t}` in backticks."
        ));
    }
    let mut f = Finding::new(
        Code::TopicMismatch,
        Severity::Error,
        match target {
            Some(t) => format!("Table `{}` reads `{topic}`, the data is in `{t}`", table.name),
            None => format!("Table `{}` reads `{topic}`, which does not exist", table.name),
        },
        detail,
    )
    .table(&table.name);
    let span = table.span.unwrap_or_default();
    let needle = if table.option("topic").is_some() {
        format!("'{topic}'")
    } else {
        table.name.clone()
    };
    if let Some(s) = cx.find_span(span, &needle) {
        f = f.evidence(
            "sql",
            cx.render_span(s, "the topic this table reads")
                .unwrap_or_default(),
        );
    }
    if let Some(p) = &cx.prediction {
        for r in &p.topic_reasoning {
            f = f.evidence("connector", r.clone());
        }
    }
    f = f.evidence(
        "offsets",
        offsets_text(topic, source.data.and_then(|d| d.offsets.as_ref())),
    );
    if let Some(reg) = cx.incident.registry.as_ref() {
        for name in [Some(topic), target].into_iter().flatten() {
            let subject = format!("{name}-value");
            if let Some(v) = reg.latest(&subject) {
                let title = v.json().and_then(|j| {
                    crate::context::object_schema(&j)
                        .get("title")
                        .and_then(|t| t.as_str())
                        .map(String::from)
                });
                f = f.evidence(
                    "schema",
                    format!(
                        "{subject} v{} = id {}{}",
                        v.version,
                        v.id,
                        title.map(|t| format!(" (title `{t}`)")).unwrap_or_default()
                    ),
                );
            }
        }
    }
    if let Some(t) = target {
        f = f.evidence(
            "offsets",
            offsets_text(t, cx.incident.topics.get(t).and_then(|d| d.offsets.as_ref())),
        );
        let fix = if cc_created {
            let mut fix = Fix::text(format!(
                "do not create the source table: drop `{}` (and its topic) and read the connector's topic directly as `{t}` (backtick-quoted), which Confluent Cloud already exposes as a table",
                table.name
            ))
            .with_sql(format!("FROM `{t}`"));
            if let Some(sql) = cx.sql {
                let lines: Vec<&str> = sql.text.lines().collect();
                let start = span.line.max(1);
                let end = (start..=lines.len())
                    .find(|l| lines[l - 1].trim_end().ends_with(';'))
                    .unwrap_or(start);
                fix = fix.with(crate::finding::Edit {
                    line: start,
                    end_line: Some(end),
                    from: String::new(),
                    to: format!(
                        "-- switchyard doctor: CREATE TABLE {} removed; on Confluent Cloud the connector's topic `{t}` is already a table.",
                        table.name
                    ),
                });
                if let Ok(re) = regex::Regex::new(&format!(
                    r"(?i)\b(FROM|JOIN)\s+`?{}`?(\s|;|$)",
                    regex::escape(&table.name)
                )) {
                    for (i, line) in lines.iter().enumerate().skip(end) {
                        if let Some(m) = re.captures(line).and_then(|c| c.get(0)) {
                            let kw = if m.as_str().to_ascii_uppercase().starts_with("JOIN") {
                                "JOIN"
                            } else {
                                "FROM"
                            };
                            let tail = m
                                .as_str()
                                .chars()
                                .last()
                                .filter(|c| c.is_whitespace() || *c == ';')
                                .map(String::from)
                                .unwrap_or_default();
                            fix = fix.with_edit(i + 1, m.as_str(), format!("{kw} `{t}`{tail}"));
                        }
                    }
                }
            }
            fix
        } else {
            let mut fix = Fix::text(format!("read the connector's topic: 'topic' = '{t}'"))
                .with_sql(format!("'topic' = '{t}'"));
            if let Some(s) = cx.find_span(span, &format!("'{topic}'")) {
                fix = fix.with_edit(s.line, format!("'{topic}'"), format!("'{t}'"));
            }
            fix
        };
        f = f.fix(fix);
    }
    f
}

fn offsets_at_end(cx: &Context<'_>, source: &Source<'_>, topic: &str) -> Vec<Finding> {
    let table = &cx.tables[source.table];
    let Some(offsets) = source.data.and_then(|d| d.offsets.as_ref()) else {
        return Vec::new();
    };
    if offsets.available() == 0 {
        return Vec::new();
    }
    let default_mode = if table.connector() == "confluent" {
        "earliest-offset"
    } else {
        "group-offsets"
    };
    let mode = table.option("scan.startup.mode").unwrap_or(default_mode);
    let span = table.span.unwrap_or_default();
    let mode_span = cx.find_span(span, &format!("'{mode}'"));
    let finding = |sev: Severity, title: String, detail: String, evidence: String| {
        let mut f = Finding::new(Code::OffsetsAtEnd, sev, title, detail)
            .table(&table.name)
            .evidence("offsets", evidence);
        if let Some(s) = mode_span {
            f = f.evidence("sql", cx.render_span(s, "startup mode").unwrap_or_default());
        }
        let mut fix = Fix::text("start from the beginning for the backfill: 'scan.startup.mode' = 'earliest-offset' (or use a new 'properties.group.id')")
            .with_sql("'scan.startup.mode' = 'earliest-offset'");
        if let Some(s) = mode_span {
            fix = fix.with_edit(s.line, format!("'{mode}'"), "'earliest-offset'");
        }
        f.fix(fix)
    };
    match mode {
        "group-offsets" => {
            let group = table.option("properties.group.id").unwrap_or("");
            let committed = offsets.groups.get(group);
            match committed {
                Some(c) if !c.is_empty() => {
                    let remaining: i64 = offsets
                        .partitions
                        .iter()
                        .map(|p| {
                            let at = c
                                .get(&p.partition.to_string())
                                .copied()
                                .unwrap_or(p.low)
                                .max(p.low);
                            (p.high - at).max(0)
                        })
                        .sum();
                    if remaining == 0 {
                        let list: Vec<String> = offsets
                            .partitions
                            .iter()
                            .map(|p| {
                                format!(
                                    "p{} committed {} / end {}",
                                    p.partition,
                                    c.get(&p.partition.to_string()).copied().unwrap_or(-1),
                                    p.high
                                )
                            })
                            .collect();
                        return vec![finding(
                            Severity::Error,
                            format!("Group `{group}` has committed offsets at the end of `{topic}`"),
                            format!(
                                "'scan.startup.mode' = 'group-offsets' resumes group `{group}` from its committed offsets, which are at the end of every partition: none of the {} existing records is read (a redeployed job backfills nothing).",
                                offsets.available()
                            ),
                            list.join("; "),
                        )];
                    }
                }
                _ => {
                    let reset = table.option("properties.auto.offset.reset").unwrap_or("");
                    if reset.eq_ignore_ascii_case("latest") {
                        return vec![finding(
                            Severity::Warning,
                            format!("Group `{group}` has no committed offsets and resets to latest"),
                            format!(
                                "With no committed offsets, 'properties.auto.offset.reset' = 'latest' starts at the end: the {} existing records are skipped.",
                                offsets.available()
                            ),
                            format!("group `{group}`: no committed offsets"),
                        )];
                    }
                }
            }
        }
        "latest-offset" => {
            return vec![finding(
                Severity::Warning,
                "'scan.startup.mode' = 'latest-offset' skips every existing record".into(),
                format!(
                    "The job starts at the end of `{topic}`: the {} records already there are never read, only new ones.",
                    offsets.available()
                ),
                offsets_text(topic, Some(offsets)),
            )];
        }
        "specific-offsets" => {
            let spec = table.option("scan.startup.specific-offsets").unwrap_or("");
            let parsed: Vec<(i32, i64)> = spec
                .split(';')
                .filter_map(|p| {
                    let (a, b) = p.split_once(',')?;
                    Some((
                        a.trim().strip_prefix("partition:")?.trim().parse().ok()?,
                        b.trim().strip_prefix("offset:")?.trim().parse().ok()?,
                    ))
                })
                .collect();
            let past = !parsed.is_empty()
                && offsets.partitions.iter().all(|p| {
                    parsed
                        .iter()
                        .find(|(q, _)| *q == p.partition)
                        .is_some_and(|(_, o)| *o >= p.high)
                });
            if past {
                return vec![finding(
                    Severity::Error,
                    "The specific startup offsets are at or past the end".into(),
                    format!(
                        "'scan.startup.specific-offsets' = '{spec}' starts every partition at or after its end: nothing is read."
                    ),
                    offsets_text(topic, Some(offsets)),
                )];
            }
        }
        "timestamp" => {
            let ts: Option<i64> = table
                .option("scan.startup.timestamp-millis")
                .and_then(|v| v.trim().parse().ok());
            let newest = source.samples.iter().filter_map(|s| s.record.timestamp).max();
            if let (Some(ts), Some(newest)) = (ts, newest)
                && ts > newest
            {
                return vec![finding(
                    Severity::Error,
                    "The startup timestamp is after every record".into(),
                    format!(
                        "'scan.startup.timestamp-millis' = {ts} is after the newest sampled record ({newest}): nothing already in the topic is read."
                    ),
                    offsets_text(topic, Some(offsets)),
                )];
            }
        }
        _ => {}
    }
    Vec::new()
}

/// On Confluent Cloud `CREATE TABLE` creates the topic; over the connector's existing topic it fails
/// ("already exists"), unless `IF NOT EXISTS` keeps the existing table.
fn cc_create_existing(cx: &Context<'_>, source: &Source<'_>, topic: &str) -> Option<Finding> {
    use switchyard_sql::parse::StatementKind;
    let table = &cx.tables[source.table];
    if cx.engine != Engine::ConfluentCloud || table.inferred {
        return None;
    }
    let if_not_exists = cx.script.as_ref()?.statements.iter().any(|st| match &st.kind {
        StatementKind::CreateTable(ct) => ct.name.name() == table.name && ct.if_not_exists,
        _ => false,
    });
    if if_not_exists {
        return None;
    }
    let span = table.span?;
    let f = Finding::new(
        Code::TopicMismatch,
        Severity::Error,
        format!("`CREATE TABLE {}` collides with the connector's existing topic", table.name),
        format!(
            "On Confluent Cloud every topic is already a table and `CREATE TABLE` creates a new topic: over `{topic}`, which the connector has written to, the statement fails (the table already exists) and the job never starts. Read the existing table instead."
        ),
    )
    .table(&table.name)
    .evidence("sql", cx.render_span(span, "creates a topic that already exists").unwrap_or_default())
    .evidence("offsets", offsets_text(topic, source.data.and_then(|d| d.offsets.as_ref())));
    let mut fix = Fix::text(format!(
        "drop the `CREATE TABLE {}`: Confluent Cloud exposes `{topic}` as a table with the columns of its registered schema (or write CREATE TABLE IF NOT EXISTS)",
        table.name
    ));
    if let Some(sql) = cx.sql {
        let lines: Vec<&str> = sql.text.lines().collect();
        let start = span.line.max(1);
        let end = (start..=lines.len())
            .find(|l| lines[l - 1].trim_end().ends_with(';'))
            .unwrap_or(start);
        fix = fix.with(crate::finding::Edit {
            line: start,
            end_line: Some(end),
            from: String::new(),
            to: format!(
                "-- switchyard doctor: CREATE TABLE {} removed; the connector's topic is already a table.",
                table.name
            ),
        });
    }
    Some(f.fix(fix))
}
