//! What the bytes are against what the format reads: `FRAMING_MISMATCH` (0x00 + schema id present or not),
//! `CONVERTER_MISMATCH` (the frame fits but the payload encoding does not, or the connector's converter is
//! not what the table's format reads), `SCHEMA_NOT_FOUND`, `SUBJECT_MISMATCH`.
//!
//! The bytes decide; the connector config is a prediction. When both speak, the bytes' finding ranks
//! first and the config's view is kept as supporting evidence.

use std::collections::BTreeSet;

use switchyard_wire::hex_prefix;

use super::{at, plural};
use crate::connector::ValueEncoding;
use crate::context::{Context, Source, Verdict};
use crate::engine::{Engine, FormatKind, reframed};
use crate::finding::{Code, Finding, Fix, Severity};

pub(super) fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for source in &cx.sources {
        out.extend(framing(cx, source));
        out.extend(converter(cx, source));
        out.extend(schema_ids(cx, source));
    }
    out
}

fn format_evidence(cx: &Context<'_>, source: &Source<'_>, note: &str) -> Option<String> {
    let table = &cx.tables[source.table];
    let format = source.format.as_deref()?;
    let span = cx.find_span(table.span?, &format!("'{format}'"))?;
    cx.render_span(span, note)
}

fn framing(cx: &Context<'_>, source: &Source<'_>) -> Option<Finding> {
    let bad: Vec<_> = source
        .samples
        .iter()
        .filter(|s| s.verdict == Verdict::Framing)
        .collect();
    let first = bad.first()?;
    let table = &cx.tables[source.table];
    let format = source.format.clone().unwrap_or_default();
    let total = source.samples.len();
    let bytes = first.record.value.as_deref().unwrap_or_default();
    let framed = first.sniffed.frame.is_some();
    let (title, detail) = if framed {
        let ids: BTreeSet<u32> = bad.iter().filter_map(|s| s.schema_id).collect();
        (
            format!("Records are JSON_SR but '{format}' reads bare JSON"),
            format!(
                "{} of {total} records start with the Confluent frame (0x00 + 4-byte schema id {}), then JSON. Format '{format}' expects the JSON to start at byte 0 and fails on the first byte: Apache Flink throws \"Illegal character ((CTRL-CHAR, code 0))\" and restarts the job forever without committing an offset ({}).",
                bad.len(),
                ids.iter().map(u32::to_string).collect::<Vec<_>>().join(", "),
                if cx.engine == Engine::ApacheFlink {
                    "this job"
                } else {
                    "as any reader of bare JSON"
                }
            ),
        )
    } else {
        (
            format!("Records are bare JSON but '{format}' expects the Confluent frame"),
            format!(
                "{} of {total} records start with 0x{:02x}, not the magic byte 0x00 + schema id that '{format}' reads: every record fails to deserialise.",
                bad.len(),
                bytes.first().copied().unwrap_or(0)
            ),
        )
    };
    let mut f = Finding::new(Code::FramingMismatch, Severity::Error, title, detail)
        .table(&table.name)
        .evidence(
            "bytes",
            format!(
                "{}: {} — {}",
                at(first),
                hex_prefix(bytes, 16),
                first.sniffed.summary()
            ),
        );
    if let Some(e) = format_evidence(cx, source, "this format") {
        f = f.evidence("sql", e);
    }
    let alt = reframed(&format);
    let mut fix = match alt {
        Some(a) if framed => Fix::text(format!(
            "read JSON_SR with a registry-aware format: 'value.format' = '{a}' (switchyard run, Confluent Cloud){}",
            if cx.engine == Engine::ApacheFlink { "; Apache Flink has none, so either run this job with `switchyard run` or make the connector write bare JSON" } else { "" }
        ))
        .with_sql(format!("'value.format' = '{a}'")),
        Some(a) => Fix::text(format!("read bare JSON: 'value.format' = '{a}'")).with_sql(format!("'value.format' = '{a}'")),
        None => Fix::text("use a format that matches the bytes' framing"),
    };
    if let (Some(a), Some(span)) = (
        alt,
        table.span.and_then(|sp| cx.find_span(sp, &format!("'{format}'"))),
    ) {
        fix = fix.with_edit(span.line, format!("'{format}'"), format!("'{a}'"));
        if framed && cx.engine == Engine::ApacheFlink {
            fix = fix.with(crate::finding::Edit {
                line: 1,
                end_line: None,
                from: String::new(),
                to: "-- switchyard doctor: deploy with `switchyard run` (Apache Flink has no format that reads JSON_SR framing).".into(),
            });
        }
    }
    if framed && cx.engine == Engine::ApacheFlink {
        fix = fix
            .with_connector("value.converter", "org.apache.kafka.connect.json.JsonConverter")
            .with_connector("value.converter.schemas.enable", "false");
    }
    Some(f.fix(fix))
}

fn expected_encoding(kind: FormatKind, schema_include: bool) -> &'static [&'static str] {
    match kind {
        FormatKind::JsonRegistry | FormatKind::DebeziumRegistry => &["JsonSr"],
        FormatKind::Json => &["JsonPlain"],
        FormatKind::DebeziumJson if schema_include => &["JsonWithSchema"],
        FormatKind::DebeziumJson => &["JsonPlain"],
        FormatKind::FramedBinary => &["Avro", "Protobuf"],
        _ => &[],
    }
}

fn encoding_name(e: &ValueEncoding) -> &'static str {
    match e {
        ValueEncoding::JsonSr => "JsonSr",
        ValueEncoding::JsonWithSchema => "JsonWithSchema",
        ValueEncoding::JsonPlain => "JsonPlain",
        ValueEncoding::Avro => "Avro",
        ValueEncoding::Protobuf => "Protobuf",
        _ => "Other",
    }
}

fn converter(cx: &Context<'_>, source: &Source<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    let table = &cx.tables[source.table];
    let format = source.format.clone().unwrap_or_default();
    let bad: Vec<_> = source
        .samples
        .iter()
        .filter(|s| matches!(s.verdict, Verdict::Converter(_)))
        .collect();
    if let Some(first) = bad.first() {
        let Verdict::Converter(what) = &first.verdict else {
            return out;
        };
        let bytes = first.record.value.as_deref().unwrap_or_default();
        out.push(
            Finding::new(
                Code::ConverterMismatch,
                Severity::Error,
                format!("The frame fits, but the payload is not what '{format}' decodes"),
                format!("{} of {} records are {what}; '{format}' decodes JSON. The connector's value converter does not match the table's format.", bad.len(), source.samples.len()),
            )
            .table(&table.name)
            .evidence("bytes", format!("{}: {}", at(first), hex_prefix(bytes, 16)))
            .fix(Fix::text("make the connector write JSON_SR (io.confluent.connect.json.JsonSchemaConverter), or declare the table with the format of the bytes (avro-registry / proto-registry)")),
        );
    }
    let Some(p) = &cx.prediction else { return out };
    let schema_include = table
        .option("debezium-json.schema-include")
        .is_some_and(|v| v == "true");
    let expected = expected_encoding(source.kind(), schema_include);
    let name = encoding_name(&p.encoding);
    if expected.is_empty() || name == "Other" || expected.contains(&name) {
        return out;
    }
    let sampled = source.samples.iter().any(|s| s.record.value.is_some());
    let agrees_with_bytes = source
        .samples
        .iter()
        .filter(|s| s.record.value.is_some())
        .all(|s| p.encoding.framed() == Some(s.sniffed.frame.is_some()));
    let severity = match (sampled, agrees_with_bytes) {
        (false, _) => Severity::Error,
        (true, true) => Severity::Warning,
        (true, false) => Severity::Info,
    };
    let (key, value) = p.encoding_setting.clone().unwrap_or_default();
    let mut fix = Fix::text(match source.kind() {
        FormatKind::Json | FormatKind::DebeziumJson => format!(
            "either read the connector's output with '{}' (switchyard run / Confluent Cloud), or make the connector write bare JSON",
            reframed(&format).unwrap_or("json-registry")
        ),
        _ => "make the connector write JSON_SR, or declare the table with the format the connector writes"
            .to_string(),
    });
    if matches!(source.kind(), FormatKind::Json | FormatKind::DebeziumJson) {
        fix = fix
            .with_connector("value.converter", "org.apache.kafka.connect.json.JsonConverter")
            .with_connector("value.converter.schemas.enable", "false");
    } else if matches!(
        source.kind(),
        FormatKind::JsonRegistry | FormatKind::DebeziumRegistry
    ) {
        fix = fix.with_connector("value.converter", "io.confluent.connect.json.JsonSchemaConverter");
    }
    let mut f = Finding::new(
        Code::ConverterMismatch,
        severity,
        format!("The connector writes {} but '{format}' reads something else", p.encoding.label()),
        format!(
            "Connector setting {key} = {value} produces {}; table `{}` reads '{format}'.{}",
            p.encoding.label(),
            table.name,
            if severity == Severity::Info { " The sampled bytes do not match this prediction, so another producer (or an older config) wrote them." } else { "" }
        ),
    )
    .table(&table.name)
    .evidence("connector", format!("{key} = {value}"))
    .fix(fix);
    if let Some(e) = format_evidence(cx, source, "this format") {
        f = f.evidence("sql", e);
    }
    out.push(f);
    out
}

fn schema_ids(cx: &Context<'_>, source: &Source<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    let Some(reg) = cx.incident.registry.as_ref() else {
        return out;
    };
    let table = &cx.tables[source.table];
    let topic = source.topic.clone().unwrap_or_default();
    let subject = format!("{topic}-value");
    let registered: Vec<String> = reg
        .subjects
        .get(&subject)
        .map(|vs| {
            vs.iter()
                .map(|v| format!("{subject} v{} = id {}", v.version, v.id))
                .collect()
        })
        .unwrap_or_default();
    let missing: BTreeSet<u32> = source
        .samples
        .iter()
        .filter_map(|s| {
            if let Verdict::SchemaNotFound(id) = s.verdict {
                Some(id)
            } else {
                None
            }
        })
        .collect();
    let key_missing: BTreeSet<u32> = source
        .samples
        .iter()
        .filter_map(|s| s.record.key.as_deref())
        .filter_map(|k| switchyard_wire::parse_frame(k).ok().and_then(|f| f.schema.id()))
        .filter(|id| reg.by_id(*id).is_empty())
        .collect();
    if !missing.is_empty() {
        let n = source.count(|v| matches!(v, Verdict::SchemaNotFound(_)));
        let mut f = Finding::new(
            Code::SchemaNotFound,
            Severity::Error,
            format!("Schema id(s) {} are not in the registry", list(&missing)),
            format!(
                "{} of `{topic}` name writer schema id(s) {}{}, which this registry does not have{}. No reader using this registry can resolve the writer schema, so every such record fails (switchyard: SCHEMA_NOT_FOUND to the dead-letter topic; Flink: \"Failed to deserialize\" / schema not found).",
                plural(n, "record"),
                list(&missing),
                if key_missing.is_empty() { String::new() } else { format!(" (keys: {})", list(&key_missing)) },
                if registered.is_empty() { String::new() } else { format!(" (it holds {})", registered.join(", ")) }
            ),
        )
        .table(&table.name);
        if let Some(s) = source
            .samples
            .iter()
            .find(|s| matches!(s.verdict, Verdict::SchemaNotFound(_)))
        {
            f = f.evidence(
                "bytes",
                format!(
                    "{}: {}",
                    at(s),
                    hex_prefix(s.record.value.as_deref().unwrap_or_default(), 12)
                ),
            );
        }
        if !registered.is_empty() {
            f = f.evidence("schema", format!("registered: {}", registered.join(", ")));
        }
        let mut fix = Fix::text(
            "point the connector's converters and the job at the same Schema Registry (or copy the schemas with their ids, IMPORT mode) and re-produce",
        );
        if let Some(url) = cx.prediction.as_ref().and_then(|p| p.registry_url.clone()) {
            f = f.evidence(
                "connector",
                format!("value.converter.schema.registry.url = {url}"),
            );
            fix = fix.with_connector(
                "value.converter.schema.registry.url",
                "<the registry the job reads>",
            );
        }
        out.push(f.fix(fix));
    }
    // Schemas found, but under another subject than the one the reader infers from.
    let mut elsewhere: BTreeSet<(u32, String)> = BTreeSet::new();
    for s in &source.samples {
        let Some(id) = s.schema_id else { continue };
        let subjects = reg.by_id(id);
        if !subjects.is_empty() && !subjects.iter().any(|(sub, _)| *sub == subject) {
            for (sub, _) in subjects {
                elsewhere.insert((id, sub.to_string()));
            }
        }
    }
    if !elsewhere.is_empty() {
        let sev = if cx.engine == Engine::ConfluentCloud {
            Severity::Error
        } else {
            Severity::Warning
        };
        let list: Vec<String> = elsewhere
            .iter()
            .map(|(id, s)| format!("id {id} under `{s}`"))
            .collect();
        out.push(
            Finding::new(
                Code::SubjectMismatch,
                sev,
                format!("Records' schemas are not registered under `{subject}`"),
                format!(
                    "Readers using TopicNameStrategy look up `{subject}`, but the records' schemas are registered as {}. Confluent Cloud infers the table's columns from `{subject}` and validates against it; switchyard resolves the writer by id and still reads them.",
                    list.join(", ")
                ),
            )
            .table(&table.name)
            .evidence("schema", list.join("; "))
            .fix(Fix::text(format!("register the writer schemas under `{subject}` (TopicNameStrategy) or set the table's 'value.json-registry.subject-names'"))),
        );
    }
    out
}

fn list(ids: &BTreeSet<u32>) -> String {
    ids.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
}
