//! The shape of the documents against the shape the format reads: `ENVELOPE_MISMATCH` (a Debezium
//! envelope read as a flat row, a flattened row read as an envelope, a Connect `{"schema","payload"}`
//! document read as a row), and what happens to deletes: `TOMBSTONES`, `DELETE_HANDLING`,
//! `REPLICA_IDENTITY`.

use serde_json::Value as Json;
use switchyard_wire::hex_prefix;

use super::{at, plural};
use crate::context::{Context, Source, Verdict, is_envelope_schema};
use crate::engine::{Engine, FormatKind, reshaped};
use crate::finding::{Code, Finding, Fix, Severity};

pub(super) fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for source in &cx.sources {
        out.extend(envelope(cx, source));
        out.extend(tombstones(cx, source));
        out.extend(delete_handling(cx, source));
        out.extend(replica_identity(cx, source));
    }
    out
}

fn envelope(cx: &Context<'_>, source: &Source<'_>) -> Option<Finding> {
    let table = &cx.tables[source.table];
    let format = source.format.clone().unwrap_or_default();
    let bad: Vec<_> = source
        .samples
        .iter()
        .filter(|s| {
            matches!(
                s.verdict,
                Verdict::EnvelopeUnderFlat | Verdict::FlatUnderDebezium | Verdict::ConnectEnvelope
            )
        })
        .collect();
    let predicted_envelope = cx
        .prediction
        .as_ref()
        .filter(|p| p.is_debezium())
        .map(|p| p.envelope());
    let config_says = match (predicted_envelope, source.kind().debezium()) {
        (Some(true), false) if matches!(source.kind(), FormatKind::Json | FormatKind::JsonRegistry) => {
            Some(true)
        }
        (Some(false), true) => Some(false),
        _ => None,
    };
    if bad.is_empty() && (config_says.is_none() || !source.samples.is_empty()) {
        return None;
    }
    let data = source.data_samples().count();
    let (title, detail, verdict) = match bad.first().map(|s| &s.verdict) {
        Some(Verdict::ConnectEnvelope) => (
            format!("Records carry the Connect schema ({{\"schema\",\"payload\"}}) but '{format}' reads rows"),
            format!("{} of {data} records are Kafka Connect JsonConverter envelopes (schemas.enable=true): the row is under `payload`, so every declared column reads NULL.", bad.len()),
            Verdict::ConnectEnvelope,
        ),
        Some(Verdict::FlatUnderDebezium) => (
            format!("Records are flat rows but '{format}' reads Debezium envelopes"),
            format!("{} of {data} records have no `op`/`before`/`after`: they were flattened (ExtractNewRecordState), but '{format}' expects the envelope and fails (\"Corrupt Debezium JSON message\") or reads nothing.", bad.len()),
            Verdict::FlatUnderDebezium,
        ),
        Some(_) => (
            format!("Records are Debezium envelopes but '{format}' reads flat rows"),
            format!("{} of {data} records are Debezium change events (before/after/source/op): the table declares the flat row, so read as '{format}' every declared column is NULL (switchyard refuses them with ENVELOPE_MISMATCH) and no statement matches.", bad.len()),
            Verdict::EnvelopeUnderFlat,
        ),
        None if config_says == Some(true) => (
            format!("The connector writes Debezium envelopes but '{format}' reads flat rows"),
            "The connector config has no ExtractNewRecordState transform, so each record is the full envelope (before/after/source/op); the table declares the flat row.".to_string(),
            Verdict::EnvelopeUnderFlat,
        ),
        None => (
            format!("The connector flattens rows but '{format}' reads Debezium envelopes"),
            "The connector config unwraps with ExtractNewRecordState, so there is no envelope for a Debezium format to read.".to_string(),
            Verdict::FlatUnderDebezium,
        ),
    };
    let severity = if bad.is_empty() {
        Severity::Warning
    } else {
        Severity::Error
    };
    let mut f = Finding::new(Code::EnvelopeMismatch, severity, title, detail).table(&table.name);
    if let Some(s) = bad.first() {
        f = f.evidence(
            "bytes",
            format!(
                "{}: {} — {}",
                at(s),
                hex_prefix(s.record.value.as_deref().unwrap_or_default(), 12),
                s.sniffed.summary()
            ),
        );
        if let (Some(id), Some(reg)) = (s.schema_id, cx.incident.registry.as_ref())
            && let Some((subject, v)) = reg.by_id(id).first()
            && let Some(schema) = v.json()
        {
            let title = crate::context::object_schema(&schema)
                .get("title")
                .and_then(Json::as_str)
                .unwrap_or("?")
                .to_string();
            let props: Vec<String> = crate::context::object_schema(&schema)
                .get("properties")
                .and_then(Json::as_object)
                .map(|p| p.keys().cloned().collect())
                .unwrap_or_default();
            f = f.evidence(
                "schema",
                format!(
                    "schema id {id} = {subject} v{}: title `{title}`{}, properties {}",
                    v.version,
                    if is_envelope_schema(&schema) {
                        " (an Envelope)"
                    } else {
                        ""
                    },
                    props.join(", ")
                ),
            );
        }
    }
    if let Some(p) = &cx.prediction {
        match &p.unwrap {
            None => {
                f = f.evidence(
                    "connector",
                    format!(
                        "transforms = {} (no ExtractNewRecordState)",
                        cx.incident
                            .connector
                            .as_ref()
                            .and_then(|c| c.get("transforms"))
                            .unwrap_or("(none)")
                    ),
                )
            }
            Some(u) => {
                f = f.evidence(
                    "connector",
                    format!(
                        "transform `{}` = ExtractNewRecordState (adds {})",
                        u.alias,
                        u.added_fields.join(", ")
                    ),
                )
            }
        }
    }
    if let Some(span) = table.span.and_then(|sp| cx.find_span(sp, &format!("'{format}'"))) {
        f = f.evidence("sql", cx.render_span(span, "reads flat rows").unwrap_or_default());
    }
    let mut fix = match (verdict.clone(), reshaped(&format)) {
        (Verdict::ConnectEnvelope, _) => Fix::text("make the connector write bare JSON (value.converter.schemas.enable=false), or read with 'debezium-json' and 'debezium-json.schema-include' = 'true'")
            .with_connector("value.converter.schemas.enable", "false"),
        (_, Some(alt)) => Fix::text(format!("read the envelopes with 'value.format' = '{alt}' (columns = the `after` row; op/table/ts become the change kind and metadata), or restore the ExtractNewRecordState transform so the topic holds flat rows again")).with_sql(format!("'value.format' = '{alt}'")),
        _ => Fix::text("make the table's format match the records' shape"),
    };
    if let (Some(alt), Some(span)) = (
        reshaped(&format),
        table.span.and_then(|sp| cx.find_span(sp, &format!("'{format}'"))),
    ) && verdict != Verdict::ConnectEnvelope
    {
        fix = fix.with_edit(span.line, format!("'{format}'"), format!("'{alt}'"));
    }
    if matches!(
        bad.first().map(|s| &s.verdict),
        Some(Verdict::EnvelopeUnderFlat) | None
    ) && config_says != Some(false)
    {
        fix = fix
            .with_connector("transforms", "unwrap,<existing transforms>")
            .with_connector(
                "transforms.unwrap.type",
                "io.debezium.transforms.ExtractNewRecordState",
            )
            .with_connector("transforms.unwrap.add.fields", "op,table,ts_ms");
    }
    Some(f.fix(fix))
}

fn tombstones(cx: &Context<'_>, source: &Source<'_>) -> Option<Finding> {
    let n = source.count(|v| *v == Verdict::Tombstone);
    if n == 0 {
        return None;
    }
    let table = &cx.tables[source.table];
    let first = source.samples.iter().find(|s| s.verdict == Verdict::Tombstone)?;
    Some(
        Finding::new(
            Code::Tombstones,
            Severity::Info,
            format!("{} in `{}`", plural(n, "tombstone"), source.topic.clone().unwrap_or_default()),
            "Kafka null values follow Debezium deletes (tombstones.on.delete=true) for log compaction. json-registry, Confluent Cloud and switchyard skip them; they produce no row and are not a failure.",
        )
        .table(&table.name)
        .evidence("records", format!("{}: value null, key {}", at(first), hex_prefix(first.record.key.as_deref().unwrap_or_default(), 12)))
        .fix(Fix::text("nothing to do; set tombstones.on.delete=false on the connector if the topic is not compacted and you do not want them")),
    )
}

fn delete_handling(cx: &Context<'_>, source: &Source<'_>) -> Option<Finding> {
    let p = cx.prediction.as_ref()?;
    let u = p.unwrap.as_ref()?;
    if source.kind().debezium() || u.delete_mode.starts_with("rewrite") {
        return None;
    }
    let table = &cx.tables[source.table];
    let op_col = format!("{}op", u.prefix);
    let deleted_col = format!("{}deleted", u.prefix);
    let plan = cx.plan.as_ref()?;
    let wants_deletes = plan
        .pipelines
        .iter()
        .filter(|pl| pl.source == source.table)
        .flat_map(|pl| &pl.statements)
        .find(|st| {
            let sql = st.sql.to_ascii_lowercase();
            (sql.contains(&op_col.to_ascii_lowercase()) && (sql.contains("'d'")))
                || sql.contains(&deleted_col.to_ascii_lowercase())
        });
    let declares_deleted = table.column_index(&deleted_col).is_some();
    if wants_deletes.is_none() && !declares_deleted {
        return None;
    }
    let nulls = source.count(|v| *v == Verdict::NullDocument);
    let mut f = Finding::new(
        Code::DeleteHandling,
        if wants_deletes.is_some() { Severity::Error } else { Severity::Warning },
        "The SQL expects delete rows the connector never writes",
        format!(
            "ExtractNewRecordState (`{}`) runs with delete handling `{}`: a delete becomes a null value (or is dropped), so no row with {op_col} = 'd' or {deleted_col} ever reaches the table{}.",
            u.alias,
            u.delete_mode,
            if nulls > 0 { format!("; {} sampled", plural(nulls, "such null value")) } else { String::new() }
        ),
    )
    .table(&table.name)
    .evidence("connector", format!("transforms.{}.delete.tombstone.handling.mode = {} (default tombstone)", u.alias, u.delete_mode))
    .fix(
        Fix::text("make deletes visible as rows: delete.tombstone.handling.mode=rewrite adds the before-image with __deleted='true' and __op='d'")
            .with_connector(format!("transforms.{}.delete.tombstone.handling.mode", u.alias), "rewrite"),
    );
    if let Some(st) = wants_deletes {
        f = f.evidence(
            "sql",
            cx.render_span(st.span, "expects deletes").unwrap_or_default(),
        );
    }
    Some(f)
}

fn replica_identity(cx: &Context<'_>, source: &Source<'_>) -> Option<Finding> {
    if source.kind() != FormatKind::DebeziumJson || cx.engine != Engine::ApacheFlink {
        return None;
    }
    let table = &cx.tables[source.table];
    let env = |s: &crate::context::Sample<'_>| -> Option<Json> {
        let doc = s.sniffed.json.as_ref()?;
        Some(
            doc.get("payload")
                .filter(|_| doc.get("schema").is_some())
                .unwrap_or(doc)
                .clone(),
        )
    };
    let updates: Vec<_> = source
        .samples
        .iter()
        .filter(|s| {
            env(s).is_some_and(|e| {
                e.get("op").and_then(Json::as_str) == Some("u") && e.get("before").is_none_or(Json::is_null)
            })
        })
        .collect();
    let first = updates.first()?;
    Some(
        Finding::new(
            Code::ReplicaIdentity,
            Severity::Error,
            "Updates have no before-image; Apache Flink's debezium-json fails on them",
            format!(
                "{} have \"before\": null (PostgreSQL REPLICA IDENTITY DEFAULT). Apache Flink's debezium-json needs the old row for UPDATE_BEFORE and fails: \"The \\\"before\\\" field of UPDATE message is null, if you are using Debezium Postgres Connector, please check the Postgres table has been set REPLICA IDENTITY to FULL level.\"",
                plural(updates.len(), "update")
            ),
        )
        .table(&table.name)
        .evidence("records", format!("{}: op=u, before=null", at(first)))
        .fix(Fix::text("ALTER TABLE <schema>.<table> REPLICA IDENTITY FULL; in PostgreSQL (then re-snapshot), or read with json-debezium-registry / switchyard, which emit only the +U row")),
    )
}
