//! The Confluent Cloud for Apache Flink target: one `flink.sql` whose tables are their topics, read and
//! written with the registry formats.

use std::fmt::Write as _;

use anyhow::{Result, bail};
use switchyard_sql::plan::{ColumnKind, Plan, TableDef};

use super::{
    File, column_sql, create_table, ident, is_source, receives_changes, statements_sql, topic_of,
    used_tables, value_format,
};
use crate::output::with_hint;

/// Every `WITH` option this export writes for Confluent Cloud, each documented by Confluent in "CREATE
/// TABLE Statement in Confluent Cloud for Apache Flink", section "WITH options"
/// (<https://docs.confluent.io/cloud/current/flink/reference/statements/create-table.html>), and for the
/// format names in "Data Type Mappings" / ALTER TABLE
/// (<https://docs.confluent.io/cloud/current/flink/reference/statements/alter-table.html>).
pub const CC_OPTIONS: &[&str] = &[
    "changelog.mode",
    "error-handling.log.target",
    "error-handling.mode",
    "key.format",
    "scan.startup.mode",
    "scan.startup.specific-offsets",
    "scan.startup.timestamp-millis",
    "value.fields-include",
    "value.format",
];

/// The export for Confluent Cloud for Apache Flink: one `flink.sql`.
pub fn confluent_cloud(plan: &Plan, source_name: &str) -> Result<Vec<File>> {
    let mut out = format!(
        "-- Confluent Cloud for Apache Flink: exported by `switchyard export flink --target confluent-cloud`
-- from {source_name}. A table is its topic here, so each table is named after its topic and the registry
-- formats read and write JSON_SR directly. CREATE TABLE IF NOT EXISTS keeps a topic that already exists
-- (such as the connector's source topic) as the table Confluent Cloud inferred from its `<topic>-value`
-- schema: CREATE TABLE without it fails on an existing topic, and a table under another name would be a
-- new, empty topic. Such a table has the types its schema implies, not the ones declared below (a Debezium
-- MicroTimestamp is a BIGINT of microseconds there: convert with TO_TIMESTAMP_LTZ(col / 1000, 3)).\n\n"
    );
    let name = |t: &TableDef| ident(&topic_of(t).unwrap_or_else(|_| t.name.clone()));
    for idx in used_tables(plan) {
        let t = &plan.tables[idx];
        let topic = topic_of(t)?;
        if t.inferred {
            let _ = writeln!(
                out,
                "-- {} is inferred from the registry subject `{topic}-value`: nothing to create.\n",
                ident(&topic)
            );
            continue;
        }
        let format = value_format(t);
        let cc_format = match format {
            "json-registry" | "json-debezium-registry" | "raw" => format,
            "json" => bail!(with_hint(
                format!(
                    "table `{}` reads plain `json`, which Confluent Cloud for Apache Flink does not have",
                    t.name
                ),
                "Confluent Cloud reads JSON_SR with 'value.format' = 'json-registry'; re-publish the topic as JSON_SR first"
            )),
            other => bail!(with_hint(
                format!(
                    "table `{}`: format `{other}` cannot be exported to Confluent Cloud",
                    t.name
                ),
                "Confluent Cloud's formats are json-registry, json-debezium-registry, avro-registry, proto-registry and raw"
            )),
        };
        let mut columns = Vec::new();
        for c in &t.columns {
            if let ColumnKind::Metadata { key, .. } = &c.kind
                && !matches!(
                    key.as_str(),
                    "topic"
                        | "partition"
                        | "offset"
                        | "timestamp"
                        | "timestamp-type"
                        | "headers"
                        | "leader-epoch"
                )
            {
                bail!(
                    "table `{}`: metadata column `{}` FROM '{key}' has no Confluent Cloud equivalent",
                    t.name,
                    c.name
                );
            }
            columns.push(column_sql(c));
        }
        let mut options: Vec<(String, String)> = Vec::new();
        let key_fields: Option<Vec<String>> = t
            .option("key.fields")
            .map(|k| k.split(';').map(|s| s.trim().to_string()).collect())
            .or_else(|| t.primary_key.clone());
        let mut extra = String::new();
        if let Some(keys) = &key_fields {
            let cols: Vec<String> = keys.iter().map(|k| ident(k)).collect();
            let _ = write!(extra, "\nDISTRIBUTED BY HASH({})", cols.join(", "));
            options.push(("key.format".into(), "json-registry".into()));
            // Confluent Cloud leaves key columns out of the value by default; `run` writes them in both.
            // Flink reads enum options case-insensitively; the upper-case form is also what `run` accepts.
            options.push(("value.fields-include".into(), "ALL".into()));
        }
        options.push(("value.format".into(), cc_format.to_string()));
        // Confluent Cloud makes a table with a primary key an upsert table unless told otherwise; say what
        // `run` does: a Debezium source is a retract changelog, a sink fed by one takes its changes.
        let changes = receives_changes(plan, idx);
        let mode = t.option("changelog.mode").map(String::from).or_else(|| {
            if is_source(plan, idx) && cc_format == "json-debezium-registry" {
                Some("retract".into())
            } else if changes {
                Some(
                    if t.primary_key.is_some() {
                        "upsert"
                    } else {
                        "retract"
                    }
                    .into(),
                )
            } else {
                t.primary_key.is_some().then(|| "append".into())
            }
        });
        if let Some(m) = mode {
            options.push(("changelog.mode".into(), m));
        }
        let mut kept = vec!["error-handling.mode", "error-handling.log.target"];
        if is_source(plan, idx) {
            kept.extend([
                "scan.startup.mode",
                "scan.startup.specific-offsets",
                "scan.startup.timestamp-millis",
            ]);
        }
        for k in kept {
            if let Some(v) = t.option(k) {
                options.push((k.to_string(), v.to_string()));
            }
        }
        if let Some((k, _)) = options.iter().find(|(k, _)| !CC_OPTIONS.contains(&k.as_str())) {
            bail!("internal: option `{k}` is not a documented Confluent Cloud option");
        }
        let pk = t.primary_key.as_deref();
        out.push_str(&create_table(
            &ident(&topic),
            &columns,
            pk,
            &extra,
            &options,
            true,
        ));
        out.push('\n');
    }
    out.push_str(&statements_sql(plan, &name));
    Ok(vec![File {
        name: "flink.sql".into(),
        text: out,
    }])
}
