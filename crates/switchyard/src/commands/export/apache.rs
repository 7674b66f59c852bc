//! The Apache Flink target: `bridge.sql`, a `switchyard run` pipeline that re-publishes the JSON_SR source
//! topics unframed, and `flink.sql` over those topics with the Kafka connector.

use anyhow::{Result, bail};
use switchyard_sql::plan::{ColumnDef, ColumnKind, Plan, TableDef};

use super::types::{bridge_column, contains_temporal};
use super::{
    File, column_sql, create_table, ident, is_source, receives_changes, statements_sql, topic_of,
    used_tables, value_format,
};
use crate::output::with_hint;

fn kafka_options(
    topic: &str,
    bootstrap: &str,
    extra: impl IntoIterator<Item = (String, String)>,
) -> Vec<(String, String)> {
    let mut o = vec![
        ("connector".to_string(), "kafka".to_string()),
        ("topic".to_string(), topic.to_string()),
        ("properties.bootstrap.servers".to_string(), bootstrap.to_string()),
    ];
    o.extend(extra);
    o
}

/// The export for Apache Flink: `bridge.sql` (for `switchyard run`) and `flink.sql`.
pub fn apache_flink(
    plan: &Plan,
    source_name: &str,
    pipeline: &str,
    bootstrap: Option<&str>,
    suffix: &str,
) -> Result<Vec<File>> {
    let bootstrap = bootstrap
        .map(String::from)
        .or_else(|| {
            plan.tables
                .iter()
                .find_map(|t| t.option("properties.bootstrap.servers").map(String::from))
        })
        .ok_or_else(|| {
            with_hint(
                "the Apache Flink tables need Kafka bootstrap servers",
                "pass -b host:port (or set SWITCHYARD_BOOTSTRAP)",
            )
        })?;
    let mut bridge = format!(
        "-- Bridge for the Apache Flink export of {source_name}: run it with `switchyard run bridge.sql`.
-- Apache Flink has no format that reads Confluent's JSON_SR framing (0x00 + schema id), so this
-- re-publishes each JSON_SR source topic without the frame on `<topic>{suffix}`: flat rows as plain
-- `json`, Debezium envelopes as `debezium-json`. Dates and times are written as the text Flink's `json`
-- format reads. flink.sql reads these topics.\n\n"
    );
    let mut flink = String::new();
    let mut bridge_statements = Vec::new();
    for idx in used_tables(plan) {
        let t = &plan.tables[idx];
        let topic = topic_of(t)?;
        let format = value_format(t);
        if !is_source(plan, idx) {
            flink.push_str(&sink_table(plan, idx, &topic, &bootstrap)?);
            continue;
        }
        for c in &t.columns {
            if let ColumnKind::Metadata { key, .. } = &c.kind {
                bail!(with_hint(
                    format!(
                        "table `{}`: metadata column `{}` FROM '{key}' cannot be exported to Apache Flink",
                        t.name, c.name
                    ),
                    "the bridge re-publishes record values only, so Kafka and Debezium metadata of the original topic do not reach Flink"
                ));
            }
        }
        let envelope = match format {
            "json-registry" => false,
            "json-debezium-registry" => true,
            // Already unframed: Flink reads the topic itself, no bridge.
            "json" | "debezium-json" => {
                flink.push_str(&unframed_source(t, format, &topic, &bootstrap));
                continue;
            }
            other => bail!(with_hint(
                format!(
                    "source `{}`: format `{other}` is not exported to Apache Flink",
                    t.name
                ),
                "sources in json-registry, json-debezium-registry, json or debezium-json are"
            )),
        };
        let plain_topic = format!("{topic}{suffix}");
        let group = t
            .option("properties.group.id")
            .map_or_else(|| format!("switchyard-{pipeline}"), String::from);
        let (tables, statement) = bridge_tables(t, &topic, &plain_topic, &group, envelope)?;
        bridge.push_str(&tables);
        bridge_statements.push(statement);
        flink.push_str(&bridged_source(t, &plain_topic, &bootstrap, group, envelope));
    }
    let mut files = Vec::new();
    if !bridge_statements.is_empty() {
        bridge.push_str(&statement_set(&bridge_statements));
        files.push(File {
            name: "bridge.sql".into(),
            text: bridge,
        });
    }
    flink.push_str(&statements_sql(plan, &|t: &TableDef| ident(&t.name)));
    let header = if bridge_statements.is_empty() {
        format!(
            "-- Apache Flink 2.x: exported by `switchyard export flink --target apache-flink` from {source_name}.
-- The sources are already unframed ('json' / 'debezium-json'), so Flink reads their topics directly.\n\n"
        )
    } else {
        format!(
            "-- Apache Flink 2.x: exported by `switchyard export flink --target apache-flink` from {source_name}.
-- Two stages, because Apache Flink has no JSON_SR format: bridge.sql (`switchyard run`) re-publishes the
-- JSON_SR source topics unframed on `<topic>{suffix}`, and this job reads those with the Kafka connector
-- ('json' / 'debezium-json'). Sinks are written as plain JSON ('json', or 'upsert-kafka' where a sink
-- receives updates and deletes), no longer JSON_SR.\n\n"
        )
    };
    files.push(File {
        name: "flink.sql".into(),
        text: header + &flink,
    });
    Ok(files)
}

/// The Flink table of a source that is already unframed (`json`, `debezium-json`): its own topic.
fn unframed_source(t: &TableDef, format: &str, topic: &str, bootstrap: &str) -> String {
    let mut extra = vec![(
        "scan.startup.mode".to_string(),
        t.option("scan.startup.mode")
            .unwrap_or("group-offsets")
            .to_string(),
    )];
    extra.extend(
        t.options
            .iter()
            .filter(|(k, _)| {
                k.starts_with("properties.") && *k != "properties.bootstrap.servers"
                    || k.starts_with("scan.startup.") && *k != "scan.startup.mode"
                    || k.starts_with(&format!("{format}."))
                    || k.starts_with(&format!("value.{format}."))
            })
            .map(|(k, v)| (k.clone(), v.clone())),
    );
    extra.push(("value.format".to_string(), format.to_string()));
    let columns: Vec<String> = t.columns.iter().map(column_sql).collect();
    let pk = (format == "debezium-json")
        .then_some(t.primary_key.as_deref())
        .flatten();
    let mut out = create_table(
        &ident(&t.name),
        &columns,
        pk,
        "",
        &kafka_options(topic, bootstrap, extra),
        false,
    );
    out.push('\n');
    out
}

/// The bridge's two tables for a JSON_SR source (the framed topic in, `plain_topic` out) and the
/// `INSERT` between them.
fn bridge_tables(
    t: &TableDef,
    topic: &str,
    plain_topic: &str,
    group: &str,
    envelope: bool,
) -> Result<(String, String)> {
    let physical: Vec<&ColumnDef> = t.physical_columns().map(|(_, c)| c).collect();
    let mut src_opts = vec![
        ("connector".to_string(), "kafka".to_string()),
        ("topic".to_string(), topic.to_string()),
        ("properties.group.id".to_string(), format!("{group}-bridge")),
    ];
    for k in [
        "scan.startup.mode",
        "scan.startup.specific-offsets",
        "scan.startup.timestamp-millis",
        "error-handling.mode",
        "error-handling.log.target",
    ] {
        if let Some(v) = t.option(k) {
            src_opts.push((k.to_string(), v.to_string()));
        }
    }
    src_opts.push(("value.format".to_string(), "json-registry".to_string()));
    let bridge_src = format!("{}_jsonsr", t.name.replace('.', "_"));
    let bridge_sink = format!("{}_plain", t.name.replace('.', "_"));
    let (src_cols, sink_cols, select): (Vec<String>, Vec<String>, Vec<String>) = if envelope {
        // The envelope read as a flat row: before/after as ROWs of the declared columns.
        for c in &physical {
            if contains_temporal(&c.data_type.kind) {
                bail!(with_hint(
                    format!(
                        "source `{}`: column `{}` {} is a date or time inside a Debezium envelope, which the bridge cannot re-publish faithfully",
                        t.name, c.name, c.data_type
                    ),
                    "declare it BIGINT (Debezium's number on the wire) and convert it in the statements"
                ));
            }
        }
        let fields: Vec<String> = physical
            .iter()
            .map(|c| format!("{} {}", ident(&c.name), c.data_type))
            .collect();
        let row = format!("ROW<{}>", fields.join(", "));
        let cols = vec![
            format!("`before` {row}"),
            format!("`after` {row}"),
            "`op` STRING".to_string(),
            "`ts_ms` BIGINT".to_string(),
        ];
        let select = ["`before`", "`after`", "`op`", "`ts_ms`"]
            .map(String::from)
            .to_vec();
        (cols.clone(), cols, select)
    } else {
        let mut src_cols = Vec::new();
        let mut sink_cols = Vec::new();
        let mut select = Vec::new();
        for c in &physical {
            src_cols.push(format!("{} {}", ident(&c.name), c.data_type));
            let (expr, ty) = bridge_column(c, &t.name)?;
            sink_cols.push(format!("{} {ty}", ident(&c.name)));
            select.push(expr);
        }
        (src_cols, sink_cols, select)
    };
    let mut sink_opts = vec![
        ("connector".to_string(), "kafka".to_string()),
        ("topic".to_string(), plain_topic.to_string()),
        ("value.format".to_string(), "json".to_string()),
    ];
    if let Some(pk) = t.primary_key.as_ref().filter(|_| !envelope) {
        sink_opts.push(("key.format".into(), "json".into()));
        sink_opts.push(("key.fields".into(), pk.join(";")));
    }
    let mut tables = create_table(&ident(&bridge_src), &src_cols, None, "", &src_opts, false);
    tables.push('\n');
    tables.push_str(&create_table(
        &ident(&bridge_sink),
        &sink_cols,
        None,
        "",
        &sink_opts,
        false,
    ));
    tables.push('\n');
    let statement = format!(
        "INSERT INTO {}\nSELECT {}\nFROM {};",
        ident(&bridge_sink),
        select.join(", "),
        ident(&bridge_src)
    );
    Ok((tables, statement))
}

/// The Flink table of a JSON_SR source, over the topic the bridge re-publishes it on: the declared
/// columns, Kafka connector.
fn bridged_source(t: &TableDef, plain_topic: &str, bootstrap: &str, group: String, envelope: bool) -> String {
    let columns: Vec<String> = t.columns.iter().map(column_sql).collect();
    let mut extra = vec![
        ("properties.group.id".to_string(), group),
        (
            "scan.startup.mode".to_string(),
            t.option("scan.startup.mode")
                .unwrap_or("group-offsets")
                .to_string(),
        ),
    ];
    if t.option("scan.startup.mode").is_none() {
        // Flink's group-offsets fails on a group without committed offsets unless told where to start.
        extra.push(("properties.auto.offset.reset".to_string(), "earliest".to_string()));
    }
    for k in ["scan.startup.specific-offsets", "scan.startup.timestamp-millis"] {
        if let Some(v) = t.option(k) {
            extra.push((k.to_string(), v.to_string()));
        }
    }
    extra.push((
        "value.format".to_string(),
        if envelope { "debezium-json" } else { "json" }.to_string(),
    ));
    let mut out = if envelope {
        String::new()
    } else {
        primary_key_dropped(t)
    };
    let pk = if envelope { t.primary_key.as_deref() } else { None };
    out.push_str(&create_table(
        &ident(&t.name),
        &columns,
        pk,
        "",
        &kafka_options(plain_topic, bootstrap, extra),
        false,
    ));
    out.push('\n');
    out
}

/// The Flink table of a sink: `json` on the Kafka connector, or `upsert-kafka` where it receives
/// updates and deletes.
fn sink_table(plan: &Plan, idx: usize, topic: &str, bootstrap: &str) -> Result<String> {
    let t = &plan.tables[idx];
    let format = value_format(t);
    if format != "json-registry" && format != "json" {
        bail!(
            "sink `{}`: format `{format}` is not exported to Apache Flink (json-registry and json are)",
            t.name
        );
    }
    let columns: Vec<String> = t.columns.iter().map(column_sql).collect();
    let changes = receives_changes(plan, idx);
    let (options, pk) = if changes {
        let Some(pk) = t.primary_key.as_deref() else {
            bail!(with_hint(
                format!(
                    "sink `{}` receives updates and deletes but has no PRIMARY KEY",
                    t.name
                ),
                "Apache Flink writes a changelog to Kafka with 'upsert-kafka', which needs the key: add PRIMARY KEY (…) NOT ENFORCED"
            ));
        };
        let options = vec![
            ("connector".to_string(), "upsert-kafka".to_string()),
            ("topic".to_string(), topic.to_string()),
            ("properties.bootstrap.servers".to_string(), bootstrap.to_string()),
            ("key.format".to_string(), "json".to_string()),
            ("value.format".to_string(), "json".to_string()),
        ];
        (options, Some(pk))
    } else {
        let mut extra = Vec::new();
        if let Some(k) = t.option("key.fields") {
            extra.push(("key.format".to_string(), "json".to_string()));
            extra.push(("key.fields".to_string(), k.to_string()));
        }
        if let Some(v) = t.option("value.fields-include") {
            extra.push(("value.fields-include".to_string(), v.to_string()));
        }
        extra.push(("value.format".to_string(), "json".to_string()));
        (kafka_options(topic, bootstrap, extra), None)
    };
    let mut out = if changes {
        String::new()
    } else {
        primary_key_dropped(t)
    };
    out.push_str(&create_table(&ident(&t.name), &columns, pk, "", &options, false));
    out.push('\n');
    Ok(out)
}

/// The comment for a table whose PRIMARY KEY an insert-only `json` table cannot keep (empty without one).
fn primary_key_dropped(t: &TableDef) -> String {
    if t.primary_key.is_none() {
        return String::new();
    }
    format!(
        "-- {}: PRIMARY KEY dropped: Flink's Kafka connector refuses one on an insert-only 'json' table.\n",
        ident(&t.name)
    )
}

/// The bridge's `INSERT`s: one as it is, several in a statement set.
fn statement_set(statements: &[String]) -> String {
    if let [one] = statements {
        return format!("{one}\n");
    }
    let body: Vec<String> = statements
        .iter()
        .map(|s| s.lines().map(|l| format!("  {l}")).collect::<Vec<_>>().join("\n"))
        .collect();
    format!("EXECUTE STATEMENT SET\nBEGIN\n{}\nEND;\n", body.join("\n\n"))
}
