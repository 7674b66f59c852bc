//! The declared columns against the writer's fields: `COLUMN_MISSING` (with near misses: case,
//! `__op` vs `op`, a field that is inside the envelope's `after`), `TYPE_MISMATCH` (the mapping's
//! verdict for the writer's field schema and the declared type, confirmed on sampled values) and
//! `NULLABILITY`.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value as Json;
use switchyard_sql::mapping::{Compatibility, ReadOptions, check_column_with, describe_writer, flink_type};
use switchyard_sql::plan::ColumnKind;

use super::{plural, readable};
use crate::context::{Context, Source, after_schema, field_schema, object_schema};
use crate::finding::{Code, Finding, Fix, Severity};

pub(super) fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for source in &cx.sources {
        if !readable(source) {
            continue;
        }
        out.extend(check_source(cx, source));
    }
    out
}

/// Writer row schemas in use: schema id → row schema.
fn writers(cx: &Context<'_>, source: &Source<'_>) -> BTreeMap<u32, Json> {
    let mut out = BTreeMap::new();
    let Some(reg) = cx.incident.registry.as_ref() else {
        return out;
    };
    for s in source.data_samples() {
        let Some(id) = s.schema_id else { continue };
        if out.contains_key(&id) {
            continue;
        }
        if let Some((_, v)) = reg.by_id(id).first()
            && let Some(schema) = v.json()
        {
            let row = if source.kind().debezium() {
                after_schema(&schema).clone()
            } else {
                object_schema(&schema).clone()
            };
            out.insert(id, row);
        }
    }
    out
}

fn check_source(cx: &Context<'_>, source: &Source<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    let table = &cx.tables[source.table];
    let writers = writers(cx, source);
    let mut available: BTreeSet<String> = BTreeSet::new();
    for w in writers.values() {
        if let Some(p) = w.get("properties").and_then(Json::as_object) {
            available.extend(p.keys().cloned());
        }
    }
    let mut nested: BTreeMap<String, String> = BTreeMap::new();
    for s in source.data_samples() {
        for image in &s.images {
            if let Some(o) = image.as_object() {
                available.extend(o.keys().cloned());
                for (k, v) in o {
                    if let Some(inner) = v.as_object() {
                        for ik in inner.keys() {
                            nested.entry(ik.clone()).or_insert_with(|| format!("{k}.{ik}"));
                        }
                    }
                }
            }
        }
    }
    let mut missing = Vec::new();
    let key_fields: Vec<&str> = table
        .option("key.fields")
        .map(|f| f.split(';').map(str::trim).collect())
        .unwrap_or_default();
    for (_, col) in table.physical_columns() {
        if key_fields.contains(&col.name.as_str()) {
            continue;
        }
        if available.contains(&col.name) {
            out.extend(type_check(cx, source, &writers, &col.name, &col.data_type));
            continue;
        }
        missing.push((col.name.clone(), near_miss(&col.name, &available, &nested)));
    }
    if !missing.is_empty() {
        let span = table.span.unwrap_or_default();
        let mut f = Finding::new(
            Code::ColumnMissing,
            Severity::Error,
            format!("{} of `{}` not in the records", plural(missing.len(), "declared column"), table.name),
            format!(
                "Column names are matched exactly (case-sensitive). {} no such field in the records, so {} NULL in every row (and any WHERE on {} matches nothing).",
                missing.iter().map(|(c, _)| format!("`{c}`")).collect::<Vec<_>>().join(", "),
                if missing.len() == 1 { "it reads" } else { "they read" },
                if missing.len() == 1 { "it" } else { "them" },
            ),
        )
        .table(&table.name);
        for (col, near) in &missing {
            let text = match near {
                Some(n) => format!("`{col}`: not found; the records have `{n}`"),
                None => format!("`{col}`: not found"),
            };
            f = f.evidence("records", text);
            if let Some(s) = cx.find_span(span, col) {
                f = f.evidence(
                    "sql",
                    cx.render_span(s, &format!("`{col}` is not a field of the records"))
                        .unwrap_or_default(),
                );
            }
        }
        if !available.is_empty() {
            f = f.evidence(
                "records",
                format!(
                    "fields present: {}",
                    available.iter().cloned().collect::<Vec<_>>().join(", ")
                ),
            );
        }
        let renames: Vec<String> = missing
            .iter()
            .filter_map(|(c, n)| {
                n.as_ref()
                    .filter(|n| !n.contains('.'))
                    .map(|n| format!("`{c}` → `{n}`"))
            })
            .collect();
        let envelope = source
            .samples
            .iter()
            .any(|s| s.verdict == crate::context::Verdict::EnvelopeUnderFlat);
        let fix = if envelope {
            Fix::text(
                "the fields are inside the Debezium envelope: fix the format or the connector (see ENVELOPE_MISMATCH), not the column names",
            )
        } else if renames.is_empty() {
            Fix::text(
                "declare the columns the records have (or fix the connector's add.fields / add.fields.prefix)",
            )
        } else {
            Fix::text(format!(
                "rename the columns to the records' field names: {}",
                renames.join(", ")
            ))
        };
        out.push(f.fix(fix));
    }
    out.extend(nullability(cx, source, &writers));
    out
}

/// A field that is probably what the column meant.
fn near_miss(col: &str, available: &BTreeSet<String>, nested: &BTreeMap<String, String>) -> Option<String> {
    let lower = col.to_ascii_lowercase();
    if let Some(a) = available.iter().find(|a| a.to_ascii_lowercase() == lower) {
        return Some(a.clone());
    }
    let bare = col.trim_start_matches('_');
    let strip = |s: &str| s.trim_start_matches('_').to_ascii_lowercase();
    if let Some(a) = available.iter().find(|a| strip(a) == bare.to_ascii_lowercase()) {
        return Some(a.clone());
    }
    if let Some(a) = available
        .iter()
        .find(|a| a.len() > col.len() && a.to_ascii_lowercase().ends_with(&format!("_{lower}")))
    {
        return Some(a.clone());
    }
    nested.get(col).or_else(|| nested.get(bare)).cloned()
}

fn excerpt(schema: &Json) -> String {
    let text = schema.to_string();
    if text.chars().count() > 200 {
        format!("{}…", text.chars().take(200).collect::<String>())
    } else {
        text
    }
}

fn type_check(
    cx: &Context<'_>,
    source: &Source<'_>,
    writers: &BTreeMap<u32, Json>,
    name: &str,
    declared: &switchyard_sql::DataType,
) -> Option<Finding> {
    let table = &cx.tables[source.table];
    let sample_errors: Vec<&String> = source
        .samples
        .iter()
        .flat_map(|s| {
            s.conversion_errors
                .iter()
                .filter(|(c, _)| c == name)
                .map(|(_, e)| e)
        })
        .collect();
    let mut verdict: Option<(Severity, String, Option<Json>)> = None;
    for (id, w) in writers {
        let Some(field) = field_schema(w, name) else {
            continue;
        };
        // Nullability is its own check: judge the type alone here.
        let as_nullable = declared.clone().with_nullable(true);
        match check_column_with(name, Some(field), &as_nullable, &ReadOptions::default()) {
            Compatibility::Lossless(_) => {}
            Compatibility::Incompatible(e) => {
                verdict = Some((
                    Severity::Error,
                    format!("{e} (writer schema id {id})"),
                    Some(field.clone()),
                ));
                break;
            }
            Compatibility::Lossy(e) => {
                let sev = if sample_errors.is_empty() {
                    Severity::Warning
                } else {
                    Severity::Error
                };
                verdict = Some((sev, format!("{e} (writer schema id {id})"), Some(field.clone())));
            }
        }
    }
    if verdict.is_none()
        && let Some(first) = sample_errors.first()
    {
        verdict = Some((Severity::Error, (*first).clone(), None));
    }
    let (severity, message, field) = verdict?;
    let writer_desc = field
        .as_ref()
        .map(describe_writer)
        .unwrap_or_else(|| "the sampled values".into());
    let suggested = field
        .as_ref()
        .and_then(|f| flink_type(f).ok())
        .map(|t| t.with_nullable(declared.nullable).to_string());
    let mut f = Finding::new(
        Code::TypeMismatch,
        severity,
        format!("`{name}` is declared {declared} but the writer sends {writer_desc}"),
        format!(
            "{message}.{} {}",
            if sample_errors.is_empty() { String::new() } else { format!(" {} of the sampled records fail on it.", sample_errors.len()) },
            "Confluent Cloud refuses the mapping, Apache Flink's json fails to parse the value, and switchyard dead-letters the record."
        ),
    )
    .table(&table.name);
    if let Some(field) = &field {
        f = f.evidence("schema", format!("writer field `{name}`: {}", excerpt(field)));
    }
    if let Some(v) = source
        .data_samples()
        .flat_map(|s| s.images.iter())
        .find_map(|i| i.get(name).filter(|v| !v.is_null()))
    {
        f = f.evidence("records", format!("sample value of `{name}`: {v}"));
    }
    if let Some(span) = table.span.and_then(|sp| cx.find_span(sp, name)) {
        f = f.evidence(
            "sql",
            cx.render_span(span, &format!("declared {declared}"))
                .unwrap_or_default(),
        );
    }
    let micros = writer_desc.contains("MicroTimestamp");
    let millis =
        writer_desc.contains("io.debezium.time.Timestamp") || writer_desc.contains("connect.data.Timestamp");
    let mut fix = match (&suggested, micros, millis) {
        (Some(t), true, _) => Fix::text(format!("declare `{name}` {t} (µs since the epoch) and convert where you need a timestamp: TO_TIMESTAMP_LTZ({name} / 1000, 3)")).with_sql(format!("{name} {t}")),
        (Some(t), _, true) => Fix::text(format!("declare `{name}` {t} (ms since the epoch) and convert with TO_TIMESTAMP_LTZ({name}, 3)")).with_sql(format!("{name} {t}")),
        (Some(t), _, _) => Fix::text(format!("declare `{name}` as {t}, the type the writer's schema maps to")).with_sql(format!("{name} {t}")),
        (None, _, _) => Fix::text(format!("declare `{name}` with a type its values convert to exactly")),
    };
    let base64_decimal = matches!(declared.kind, switchyard_sql::TypeKind::Decimal { .. })
        && source
            .data_samples()
            .flat_map(|s| s.images.iter())
            .filter_map(|i| i.get(name).and_then(Json::as_str))
            .any(|v| v.trim().parse::<f64>().is_err());
    if base64_decimal {
        fix.summary = format!(
            "`{name}` arrives as base64 text (Debezium decimal.handling.mode=precise writes the unscaled bytes): make the connector write numbers or text with decimal.handling.mode=string (or double), or read it with a registry format that knows the Decimal schema (json-registry)"
        );
        fix = fix.with_connector("decimal.handling.mode", "string");
    }
    if let (Some(t), Some(span)) = (&suggested, table.span.and_then(|sp| cx.find_span(sp, name))) {
        fix = fix.with_edit(span.line, declared.to_string(), t.clone());
        if micros || millis {
            fix.edits.extend(projection_edits(cx, source, name, micros));
        }
    }
    Some(f.fix(fix))
}

/// Edits that convert an epoch-integer column where a statement copies it into a timestamp sink column.
fn projection_edits(
    cx: &Context<'_>,
    source: &Source<'_>,
    name: &str,
    micros: bool,
) -> Vec<crate::finding::Edit> {
    use switchyard_sql::TypeKind;
    let mut out = Vec::new();
    let (Some(plan), Some(sql)) = (&cx.plan, cx.sql) else {
        return out;
    };
    let Ok(item) = regex::Regex::new(&format!(r"(?i)(^|[\s,(])({})(\s*(,|$))", regex::escape(name))) else {
        return out;
    };
    let lines: Vec<&str> = sql.text.lines().collect();
    let epoch = if micros {
        format!("{name} / 1000")
    } else {
        name.to_string()
    };
    for st in plan
        .pipelines
        .iter()
        .filter(|p| p.source == source.table)
        .flat_map(|p| &p.statements)
    {
        let sink = &cx.tables[st.sink];
        let Some(col) = sink.columns.iter().find(|c| c.name == name) else {
            continue;
        };
        let expr = match &col.data_type.kind {
            TypeKind::Timestamp(p) => {
                format!("CAST(TO_TIMESTAMP_LTZ({epoch}, 3) AS TIMESTAMP({p})) AS {name}")
            }
            TypeKind::TimestampLtz(_) => format!("TO_TIMESTAMP_LTZ({epoch}, 3) AS {name}"),
            _ => continue,
        };
        for (i, line) in lines.iter().enumerate().skip(st.span.line.saturating_sub(1)) {
            let upper = line.to_ascii_uppercase();
            if upper.contains(" FROM ") || upper.trim_start().starts_with("FROM") {
                break;
            }
            if let Some(c) = item.captures(line)
                && let (Some(lead), Some(word), Some(rest)) = (c.get(1), c.get(2), c.get(3))
            {
                out.push(crate::finding::Edit {
                    line: i + 1,
                    end_line: None,
                    from: format!("{}{}{}", lead.as_str(), word.as_str(), rest.as_str()),
                    to: format!("{}{}{}", lead.as_str(), expr, rest.as_str()),
                });
                break;
            }
        }
    }
    out
}

fn nullability(cx: &Context<'_>, source: &Source<'_>, writers: &BTreeMap<u32, Json>) -> Vec<Finding> {
    let mut out = Vec::new();
    let table = &cx.tables[source.table];
    for col in table
        .columns
        .iter()
        .filter(|c| matches!(c.kind, ColumnKind::Physical) && !c.data_type.nullable)
    {
        let sampled = source
            .samples
            .iter()
            .filter(|s| {
                s.null_violations
                    .iter()
                    .any(|v| v.starts_with(&format!("{}:", col.name)))
            })
            .count();
        let optional = writers
            .values()
            .filter_map(|w| field_schema(w, &col.name))
            .any(|f| {
                f.get("oneOf").and_then(Json::as_array).is_some_and(|b| {
                    b.iter()
                        .any(|x| x.get("type").and_then(Json::as_str) == Some("null"))
                })
            });
        if sampled == 0 && !optional {
            continue;
        }
        let severity = if sampled > 0 {
            Severity::Error
        } else {
            Severity::Warning
        };
        let mut f = Finding::new(
            Code::Nullability,
            severity,
            format!("`{}` is NOT NULL but the writer allows null", col.name),
            format!(
                "The writer's schema marks `{}` optional{}; a NULL in a NOT NULL column fails the record (switchyard: NULLABILITY to the dead-letter topic; Flink: a runtime error).",
                col.name,
                if sampled > 0 { format!(" and {} of the sampled records have no value", sampled) } else { String::new() }
            ),
        )
        .table(&table.name)
        .fix(Fix::text(format!("declare `{}` nullable (drop NOT NULL / remove it from the PRIMARY KEY), or filter the nulls", col.name)));
        if let Some(span) = table.span.and_then(|sp| cx.find_span(sp, &col.name)) {
            f = f.evidence("sql", cx.render_span(span, "NOT NULL").unwrap_or_default());
        }
        out.push(f);
    }
    out
}
