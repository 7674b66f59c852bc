//! Incident directories built here from REAL Debezium 3.6.3 events (`fixtures/debezium-3.6.3-postgres` in
//! the shared directory): the Connect schemas are turned into the JSON Schemas `JsonSchemaConverter`
//! registers (`switchyard_schema::json_schema_from_connect`) and the payloads are framed with our encoder
//! (`switchyard_wire::encode_json_sr`); nothing is hand-typed hex. One incident per check, each with its
//! expected root cause and the codes allowed beside it.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{shared, switchyard, text};
use serde_json::{Value, json};
use switchyard_schema::{ConnectOptions, json_schema_from_connect};
use switchyard_wire::{CaptureRecord, encode_json_sr, write_capture};

const TOPIC: &str = "raw-lending-events";

/// How the fixture's records are written.
#[derive(Clone, Copy, PartialEq)]
enum Enc {
    /// JSON_SR: schemas registered, payloads framed.
    JsonSr,
    /// The fixture's bare JSON (noschema fixtures).
    Plain,
}

struct Built {
    records: Vec<CaptureRecord>,
    subjects: BTreeMap<String, Vec<(u32, String)>>,
}

fn fixture(name: &str) -> Vec<Value> {
    let base = shared().join("fixtures/debezium-3.6.3-postgres");
    let path = if base.join(name).exists() {
        base.join(name)
    } else {
        base.join("business_events").join(name)
    };
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(|l| {
            // Two layouts: `key`/`value` as the converter's text, or as parsed JSON beside `key_raw`/`value_raw`.
            let mut m: Value = serde_json::from_str(l).unwrap();
            for side in ["key", "value"] {
                let raw = m.get(format!("{side}_raw").as_str()).cloned();
                let v = raw.unwrap_or_else(|| m[side].clone());
                m[side] = match v {
                    Value::Null | Value::String(_) => v,
                    other => Value::String(other.to_string()),
                };
            }
            m
        })
        .collect()
}

/// Builds the topic's records from a fixture; `subject` overrides `<topic>-value`.
fn build(name: &str, enc: Enc, subject: Option<&str>) -> Built {
    let mut subjects: BTreeMap<String, Vec<(u32, String)>> = BTreeMap::new();
    let mut next_id = 300_001u32;
    let mut register = |subject: String, connect: &Value| -> u32 {
        let schema = json_schema_from_connect(connect, &ConnectOptions::default())
            .unwrap()
            .to_string();
        let versions = subjects.entry(subject).or_default();
        if let Some((id, _)) = versions.iter().find(|(_, s)| *s == schema) {
            return *id;
        }
        next_id += 1;
        versions.push((next_id, schema));
        next_id
    };
    let mut records = Vec::new();
    for (offset, m) in fixture(name).iter().enumerate() {
        let side = |text: &Value,
                    subject: String,
                    register: &mut dyn FnMut(String, &Value) -> u32|
         -> Option<Vec<u8>> {
            let text = text.as_str()?;
            match enc {
                Enc::Plain => Some(text.as_bytes().to_vec()),
                Enc::JsonSr => {
                    let doc: Value = serde_json::from_str(text).unwrap();
                    let id = register(subject, &doc["schema"]);
                    Some(encode_json_sr(id, &doc["payload"]))
                }
            }
        };
        let key = side(&m["key"], format!("{TOPIC}-key"), &mut register);
        let value = side(
            &m["value"],
            subject.map_or(format!("{TOPIC}-value"), String::from),
            &mut register,
        );
        records.push(CaptureRecord {
            topic: TOPIC.into(),
            partition: 0,
            offset: offset as i64,
            timestamp: Some(1_795_828_467_000 + offset as i64),
            key,
            value,
            headers: Vec::new(),
        });
    }
    Built { records, subjects }
}

struct Incident<'a> {
    sql: String,
    connector: Option<Value>,
    data: Option<Built>,
    groups: Value,
    /// Extra topics: (name, records, exists).
    extra_topics: Vec<(&'a str, bool)>,
}

/// An incident with no consumer groups and no topics besides the job's.
fn incident(sql: String, connector: Option<Value>, data: Option<Built>) -> Incident<'static> {
    Incident {
        sql,
        connector,
        data,
        groups: json!({}),
        extra_topics: vec![],
    }
}

fn write(dir: &Path, inc: &Incident<'_>) {
    std::fs::write(dir.join("job.sql"), &inc.sql).unwrap();
    if let Some(c) = &inc.connector {
        std::fs::write(
            dir.join("connector.json"),
            serde_json::to_string_pretty(c).unwrap(),
        )
        .unwrap();
    }
    let topics = dir.join("topics");
    std::fs::create_dir_all(&topics).unwrap();
    if let Some(b) = &inc.data {
        if !b.subjects.is_empty() {
            std::fs::create_dir_all(dir.join("registry")).unwrap();
            std::fs::write(
                dir.join("registry/config.json"),
                r#"{"compatibilityLevel":"BACKWARD"}"#,
            )
            .unwrap();
        }
        for (subject, versions) in &b.subjects {
            let sdir = dir.join("registry/subjects").join(subject);
            std::fs::create_dir_all(&sdir).unwrap();
            for (i, (id, schema)) in versions.iter().enumerate() {
                let v = json!({"id": id, "version": i + 1, "schemaType": "JSON", "schema": schema, "references": []});
                std::fs::write(sdir.join(format!("{}.json", i + 1)), v.to_string()).unwrap();
            }
        }
        let mut out = Vec::new();
        for r in &b.records {
            write_capture(&mut out, r).unwrap();
        }
        std::fs::write(topics.join(format!("{TOPIC}.jsonl")), out).unwrap();
        let offsets = json!({"partitions": [{"partition": 0, "low": 0, "high": b.records.len()}], "groups": inc.groups});
        std::fs::write(topics.join(format!("{TOPIC}.offsets.json")), offsets.to_string()).unwrap();
    }
    for (name, exists) in &inc.extra_topics {
        let partitions = if *exists {
            json!([{"partition": 0, "low": 0, "high": 0}])
        } else {
            json!([])
        };
        std::fs::write(
            topics.join(format!("{name}.offsets.json")),
            json!({"partitions": partitions, "groups": {}}).to_string(),
        )
        .unwrap();
        if *exists {
            std::fs::write(topics.join(format!("{name}.jsonl")), "").unwrap();
        }
    }
}

fn connector(extra: &[(&str, &str)]) -> Value {
    let mut c = json!({
        "connector.class": "io.debezium.connector.postgresql.PostgresConnector",
        "topic.prefix": "pg1",
        "table.include.list": "public.business_events",
        "key.converter": "io.confluent.connect.json.JsonSchemaConverter",
        "value.converter": "io.confluent.connect.json.JsonSchemaConverter",
        "transforms": "unwrap,route",
        "transforms.unwrap.type": "io.debezium.transforms.ExtractNewRecordState",
        "transforms.unwrap.add.fields": "op,table,ts_ms",
        "transforms.route.type": "org.apache.kafka.connect.transforms.RegexRouter",
        "transforms.route.regex": "pg1\\.public\\.(.*)",
        "transforms.route.replacement": "raw-lending-events"
    });
    for (k, v) in extra {
        c[*k] = json!(v);
    }
    json!({"name": "lending-cdc", "config": c})
}

const SWITCHYARD: &str = "-- Deployed with `switchyard run job.sql`.\n";
const FLINK: &str = "-- Runs on Apache Flink 2.x with flink-sql-connector-kafka.\n";

/// A source table over TOPIC with `columns` and `options`, and append-only sinks fed by `inserts`.
fn job(header: &str, columns: &str, options: &str, inserts: &[(&str, &str)]) -> String {
    let mut sql = format!(
        "{header}\nCREATE TABLE lending_events (\n{columns}\n) WITH (\n  'connector' = 'kafka',\n  'topic' = '{TOPIC}',\n  'properties.group.id' = 'lending-router',\n{options}\n);\n"
    );
    for (i, (select, filter)) in inserts.iter().enumerate() {
        sql.push_str(&format!(
            "\nCREATE TABLE sink_{i} (\n  payload STRING\n) WITH ('connector' = 'kafka', 'topic' = 'sink-{i}', 'value.format' = 'json-registry');\n\nINSERT INTO sink_{i}\nSELECT {select}\nFROM lending_events\nWHERE {filter};\n"
        ));
    }
    sql
}

const FLAT_COLUMNS: &str = "  id BIGINT,\n  event_name STRING,\n  event_type STRING,\n  created_date BIGINT,\n  saved_date BIGINT,\n  event_data STRING,\n  __op STRING,\n  __table STRING,\n  __ts_ms BIGINT";

fn run(inc: Incident<'_>, root: &str, allowed: &[&str]) -> Value {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), &inc);
    let out = switchyard(
        &["doctor", tmp.path().to_str().unwrap(), "--format", "json"],
        None,
    );
    let report: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out.stderr)));
    let codes: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        report["root_cause"],
        root,
        "findings {codes:?}\nSQL:\n{}\n{}",
        inc.sql,
        serde_json::to_string_pretty(&report).unwrap()
    );
    for c in &codes {
        assert!(*c == root || allowed.contains(c), "unexpected {c} in {codes:?}");
    }
    assert_eq!(out.status.code(), Some(if root == "HEALTHY" { 0 } else { 1 }));
    if let Some(fixed) = report["fixed_sql"].as_str() {
        let again = tempfile::tempdir().unwrap();
        write(
            again.path(),
            &Incident {
                sql: fixed.to_string(),
                ..inc
            },
        );
        let out = switchyard(
            &["doctor", again.path().to_str().unwrap(), "--format", "json"],
            None,
        );
        let r: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            r["root_cause"],
            "HEALTHY",
            "corrected SQL not healthy:\n{fixed}\n{}",
            serde_json::to_string_pretty(&r).unwrap()
        );
    }
    report
}

fn flat() -> Option<Built> {
    Some(build("v2-unwrap-default.jsonl", Enc::JsonSr, None))
}

fn find<'a>(report: &'a Value, code: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == code)
        .unwrap()
}

#[test]
fn healthy_flat_rows() {
    let sql = job(
        SWITCHYARD,
        FLAT_COLUMNS,
        "  'scan.startup.mode' = 'earliest-offset',\n  'value.format' = 'json-registry'",
        &[("event_name", "UPPER(event_type) = 'LOAN'")],
    );
    run(incident(sql, Some(connector(&[])), flat()), "HEALTHY", &[]);
}

#[test]
fn column_missing_op_without_prefix() {
    let cols = FLAT_COLUMNS.replace("__op STRING", "op STRING");
    let sql = job(
        SWITCHYARD,
        &cols,
        "  'scan.startup.mode' = 'earliest-offset',\n  'value.format' = 'json-registry'",
        &[("event_name", "op IN ('c', 'u')")],
    );
    let r = run(
        incident(sql, Some(connector(&[])), flat()),
        "COLUMN_MISSING",
        &["PREDICATE_NEVER_MATCHES"],
    );
    assert!(
        find(&r, "COLUMN_MISSING")["evidence"]
            .to_string()
            .contains("the records have `__op`")
    );
}

#[test]
fn nullability_not_null_over_optional() {
    let cols = FLAT_COLUMNS.replace("saved_date BIGINT", "saved_date BIGINT NOT NULL");
    let sql = job(
        SWITCHYARD,
        &cols,
        "  'scan.startup.mode' = 'earliest-offset',\n  'value.format' = 'json-registry'",
        &[("event_name", "event_type = 'LOAN'")],
    );
    run(incident(sql, Some(connector(&[])), flat()), "NULLABILITY", &[]);
}

#[test]
fn replica_identity_for_flink_debezium_json() {
    let cols = "  id BIGINT,\n  event_name STRING,\n  event_type STRING,\n  created_date BIGINT,\n  saved_date BIGINT,\n  event_data STRING";
    let mut sql = format!(
        "{FLINK}\nCREATE TABLE lending_events (\n{cols}\n) WITH (\n  'connector' = 'kafka',\n  'topic' = '{TOPIC}',\n  'scan.startup.mode' = 'earliest-offset',\n  'value.format' = 'debezium-json'\n);\n"
    );
    sql.push_str("\nCREATE TABLE by_type (\n  event_type STRING,\n  id BIGINT,\n  PRIMARY KEY (id) NOT ENFORCED\n) WITH ('connector' = 'upsert-kafka', 'topic' = 'by-type', 'key.format' = 'json', 'value.format' = 'json');\n\nINSERT INTO by_type\nSELECT event_type, id\nFROM lending_events\nWHERE event_type = 'LOAN';\n");
    let data = Some(build("v4-envelope-noschema.jsonl", Enc::Plain, None));
    run(incident(sql, None, data), "REPLICA_IDENTITY", &["TOMBSTONES"]);
}

#[test]
fn topic_empty_without_a_connector() {
    let sql = job(
        SWITCHYARD,
        FLAT_COLUMNS,
        "  'scan.startup.mode' = 'earliest-offset',\n  'value.format' = 'json-registry'",
        &[("event_name", "event_type = 'LOAN'")],
    )
    .replace(&format!("'topic' = '{TOPIC}'"), "'topic' = 'archive'");
    run(
        Incident {
            extra_topics: vec![("archive", true)],
            ..incident(sql, None, flat())
        },
        "TOPIC_EMPTY",
        &[],
    );
}

#[test]
fn topic_mismatch_underscore_vs_hyphen() {
    let sql = job(
        SWITCHYARD,
        FLAT_COLUMNS,
        "  'scan.startup.mode' = 'earliest-offset',\n  'value.format' = 'json-registry'",
        &[("event_name", "event_type = 'LOAN'")],
    )
    .replace(&format!("'topic' = '{TOPIC}'"), "'topic' = 'raw_lending_events'");
    let r = run(
        Incident {
            extra_topics: vec![("raw_lending_events", false)],
            ..incident(sql, Some(connector(&[])), flat())
        },
        "TOPIC_MISMATCH",
        &[],
    );
    assert!(
        r["fixed_sql"]
            .as_str()
            .unwrap()
            .contains("'topic' = 'raw-lending-events'")
    );
}

#[test]
fn silent_skip_hides_framing() {
    let sql = job(FLINK, FLAT_COLUMNS, "  'scan.startup.mode' = 'earliest-offset',\n  'value.format' = 'json',\n  'json.ignore-parse-errors' = 'true'", &[("event_name", "event_type = 'LOAN'")])
        .replace("'value.format' = 'json-registry');", "'value.format' = 'json');");
    let r = run(
        incident(sql, Some(connector(&[])), flat()),
        "FRAMING_MISMATCH",
        &["SILENT_SKIP", "CONVERTER_MISMATCH"],
    );
    assert_eq!(find(&r, "SILENT_SKIP")["severity"], "warning");
    assert_eq!(r["predictions"]["apache-flink"]["outcome"], "reads-nothing");
}

#[test]
fn framing_plain_json_under_json_registry() {
    let sql = job(
        SWITCHYARD,
        FLAT_COLUMNS,
        "  'scan.startup.mode' = 'earliest-offset',\n  'value.format' = 'json-registry'",
        &[("event_name", "event_type = 'LOAN'")],
    );
    let data = Some(build("extra-v5-unwrap-default-noschema.jsonl", Enc::Plain, None));
    let conn = connector(&[
        ("value.converter", "org.apache.kafka.connect.json.JsonConverter"),
        ("value.converter.schemas.enable", "false"),
    ]);
    run(
        incident(sql, Some(conn), data),
        "FRAMING_MISMATCH",
        &["CONVERTER_MISMATCH"],
    );
}

#[test]
fn converter_mismatch_from_the_config_alone() {
    let sql = job(
        SWITCHYARD,
        FLAT_COLUMNS,
        "  'scan.startup.mode' = 'earliest-offset',\n  'value.format' = 'json-registry'",
        &[("event_name", "event_type = 'LOAN'")],
    );
    let conn = connector(&[("value.converter", "org.apache.kafka.connect.json.JsonConverter")]);
    let r = run(incident(sql, Some(conn), None), "CONVERTER_MISMATCH", &[]);
    assert!(r["not_checked"].to_string().contains("registry"));
}

#[test]
fn subject_mismatch_record_name_strategy() {
    let sql = job(
        SWITCHYARD,
        FLAT_COLUMNS,
        "  'scan.startup.mode' = 'earliest-offset',\n  'value.format' = 'json-registry'",
        &[("event_name", "event_type = 'LOAN'")],
    );
    let data = Some(build(
        "v2-unwrap-default.jsonl",
        Enc::JsonSr,
        Some("pg1.public.business_events.Value"),
    ));
    let r = run(incident(sql, Some(connector(&[])), data), "SUBJECT_MISMATCH", &[]);
    assert_eq!(r["verdict"], "degraded");
}

#[test]
fn metadata_key_invalid_for_plain_json() {
    let cols = FLAT_COLUMNS.replace(
        "__table STRING",
        "__table STRING METADATA FROM 'value.source.table'",
    );
    let sql = job(
        FLINK,
        &cols,
        "  'scan.startup.mode' = 'earliest-offset',\n  'value.format' = 'json'",
        &[("event_name", "event_type = 'LOAN'")],
    )
    .replace("'value.format' = 'json-registry');", "'value.format' = 'json');");
    let data = Some(build("extra-v5-unwrap-default-noschema.jsonl", Enc::Plain, None));
    run(incident(sql, None, data), "METADATA_KEY_INVALID", &[]);
}

#[test]
fn delete_handling_filter_on_deletes() {
    let sql = job(
        SWITCHYARD,
        FLAT_COLUMNS,
        "  'scan.startup.mode' = 'earliest-offset',\n  'value.format' = 'json-registry'",
        &[("event_name", "__op = 'd'")],
    );
    run(
        incident(sql, Some(connector(&[])), flat()),
        "DELETE_HANDLING",
        &["PREDICATE_NEVER_MATCHES"],
    );
}

#[test]
fn offsets_latest_skips_the_backlog() {
    let sql = job(
        SWITCHYARD,
        FLAT_COLUMNS,
        "  'scan.startup.mode' = 'latest-offset',\n  'value.format' = 'json-registry'",
        &[("event_name", "event_type = 'LOAN'")],
    );
    let r = run(incident(sql, Some(connector(&[])), flat()), "OFFSETS_AT_END", &[]);
    assert_eq!(r["verdict"], "degraded");
}

#[test]
fn envelope_mismatch_flat_rows_under_debezium_format() {
    let cols = "  id BIGINT,\n  event_name STRING,\n  event_type STRING";
    let mut sql = format!(
        "{SWITCHYARD}\nCREATE TABLE lending_events (\n{cols}\n) WITH (\n  'connector' = 'kafka',\n  'topic' = '{TOPIC}',\n  'scan.startup.mode' = 'earliest-offset',\n  'value.format' = 'json-debezium-registry'\n);\n"
    );
    sql.push_str("\nCREATE TABLE by_type (\n  event_type STRING,\n  id BIGINT,\n  PRIMARY KEY (id) NOT ENFORCED\n) WITH ('connector' = 'upsert-kafka', 'topic' = 'by-type', 'key.format' = 'json-registry', 'value.format' = 'json-registry');\n\nINSERT INTO by_type\nSELECT event_type, id\nFROM lending_events\nWHERE event_type = 'LOAN';\n");
    run(
        incident(sql, Some(connector(&[])), flat()),
        "ENVELOPE_MISMATCH",
        &[],
    );
}

#[test]
fn healthy_envelopes_with_json_debezium_registry() {
    let cols = "  id BIGINT,\n  event_name STRING,\n  event_type STRING";
    let mut sql = format!(
        "{SWITCHYARD}\nCREATE TABLE lending_events (\n{cols}\n) WITH (\n  'connector' = 'kafka',\n  'topic' = '{TOPIC}',\n  'scan.startup.mode' = 'earliest-offset',\n  'value.format' = 'json-debezium-registry'\n);\n"
    );
    sql.push_str("\nCREATE TABLE by_type (\n  event_type STRING,\n  id BIGINT,\n  PRIMARY KEY (id) NOT ENFORCED\n) WITH ('connector' = 'upsert-kafka', 'topic' = 'by-type', 'key.format' = 'json-registry', 'value.format' = 'json-registry');\n\nINSERT INTO by_type\nSELECT event_type, id\nFROM lending_events\nWHERE UPPER(event_type) = 'LOAN';\n");
    let data = Some(build("v1-envelope-schemas.jsonl", Enc::JsonSr, None));
    let conn = connector(&[("transforms", "route")]);
    run(incident(sql, Some(conn), data), "HEALTHY", &["TOMBSTONES"]);
}

#[test]
fn type_mismatch_base64_decimal_in_flink_debezium_json() {
    // JsonConverter with schemas.enable=true and decimal.handling.mode=precise: `amount` is base64 text.
    let cols = "  id INT,\n  customer STRING,\n  amount DECIMAL(10, 2)";
    let mut sql = format!(
        "{FLINK}\nCREATE TABLE orders (\n{cols}\n) WITH (\n  'connector' = 'kafka',\n  'topic' = '{TOPIC}',\n  'scan.startup.mode' = 'earliest-offset',\n  'value.format' = 'debezium-json',\n  'debezium-json.schema-include' = 'true'\n);\n"
    );
    sql.push_str("\nCREATE TABLE big_orders (\n  id INT,\n  amount DECIMAL(10, 2),\n  PRIMARY KEY (id) NOT ENFORCED\n) WITH ('connector' = 'upsert-kafka', 'topic' = 'big-orders', 'key.format' = 'json', 'value.format' = 'json');\n\nINSERT INTO big_orders\nSELECT id, amount\nFROM orders\nWHERE customer <> '';\n");
    let data = Some(build("events-schemas.jsonl", Enc::Plain, None));
    let data = data.map(|mut b| {
        b.records.retain(|r| {
            r.value
                .as_ref()
                .is_none_or(|v| String::from_utf8_lossy(v).contains("orders_full"))
        });
        b
    });
    let r = run(incident(sql, None, data), "TYPE_MISMATCH", &["TOMBSTONES"]);
    assert!(
        find(&r, "TYPE_MISMATCH")["evidence"]
            .to_string()
            .contains("amount")
    );
}

#[test]
fn unquoted_hyphenated_topic_on_confluent_cloud() {
    let sql = format!(
        "-- Confluent Cloud for Apache Flink.\n\nCREATE TABLE loans (\n  id BIGINT,\n  event_name STRING\n) WITH ('connector' = 'confluent', 'value.format' = 'json-registry');\n\nINSERT INTO loans\nSELECT id, event_name\nFROM {TOPIC}\nWHERE event_type = 'LOAN';\n"
    );
    let r = run(incident(sql, Some(connector(&[])), flat()), "TOPIC_MISMATCH", &[]);
    assert!(
        r["fixed_sql"]
            .as_str()
            .unwrap()
            .contains(&format!("FROM `{TOPIC}`"))
    );
}

#[test]
fn confluent_cloud_table_that_is_no_topic() {
    let sql = "-- Confluent Cloud for Apache Flink.\n\nCREATE TABLE loans (\n  id BIGINT,\n  event_name STRING\n) WITH ('connector' = 'confluent', 'value.format' = 'json-registry');\n\nINSERT INTO loans\nSELECT id, event_name\nFROM raw_lending_events\nWHERE event_type = 'LOAN';\n".to_string();
    let r = run(incident(sql, Some(connector(&[])), flat()), "TOPIC_MISMATCH", &[]);
    assert!(
        r["fixed_sql"]
            .as_str()
            .unwrap()
            .contains(&format!("FROM `{TOPIC}`"))
    );
}

#[test]
fn confluent_cloud_subject_mismatch_on_an_inferred_table() {
    let sql = format!(
        "-- Confluent Cloud for Apache Flink.\n\nCREATE TABLE loans (\n  id BIGINT,\n  event_name STRING\n) WITH ('connector' = 'confluent', 'value.format' = 'json-registry');\n\nINSERT INTO loans\nSELECT id, event_name\nFROM `{TOPIC}`\nWHERE event_type = 'LOAN';\n"
    );
    let data = Some(build(
        "v2-unwrap-default.jsonl",
        Enc::JsonSr,
        Some("pg1.public.business_events.Value"),
    ));
    let r = run(incident(sql, Some(connector(&[])), data), "SUBJECT_MISMATCH", &[]);
    assert_eq!(find(&r, "SUBJECT_MISMATCH")["severity"], "error");
}

#[test]
fn confluent_cloud_create_table_over_the_connectors_topic() {
    let sql = format!(
        "-- Confluent Cloud for Apache Flink.\n\nCREATE TABLE `{TOPIC}` (\n  id BIGINT,\n  event_name STRING,\n  event_type STRING\n) WITH (\n  'connector' = 'confluent',\n  'value.format' = 'json-registry'\n);\n\nCREATE TABLE loans (\n  id BIGINT,\n  event_name STRING\n) WITH ('connector' = 'confluent', 'value.format' = 'json-registry');\n\nINSERT INTO loans\nSELECT id, event_name\nFROM `{TOPIC}`\nWHERE event_type = 'LOAN';\n"
    );
    run(incident(sql, Some(connector(&[])), flat()), "TOPIC_MISMATCH", &[]);
}

/// Avro binary for the flattened rows (the fixture's payloads), as Confluent's AvroConverter would write
/// them: zig-zag longs, length-prefixed strings, unions as a branch index then the value.
fn avro_row(payload: &Value) -> Vec<u8> {
    fn long(out: &mut Vec<u8>, v: i64) {
        let mut z = ((v << 1) ^ (v >> 63)) as u64;
        while z >= 0x80 {
            out.push((z as u8 & 0x7f) | 0x80);
            z >>= 7;
        }
        out.push(z as u8);
    }
    fn string(out: &mut Vec<u8>, s: &str) {
        long(out, s.len() as i64);
        out.extend_from_slice(s.as_bytes());
    }
    let mut out = Vec::new();
    long(&mut out, payload["id"].as_i64().unwrap());
    string(&mut out, payload["event_name"].as_str().unwrap());
    string(&mut out, payload["event_type"].as_str().unwrap());
    long(&mut out, payload["created_date"].as_i64().unwrap());
    for f in ["__op", "__table"] {
        match payload[f].as_str() {
            Some(s) => {
                long(&mut out, 1);
                string(&mut out, s);
            }
            None => long(&mut out, 0),
        }
    }
    out
}

#[test]
fn converter_mismatch_avro_bytes_under_json_registry() {
    const ID: u32 = 400_001;
    let schema = json!({"type": "record", "name": "Value", "namespace": "pg1.public.business_events", "fields": [
        {"name": "id", "type": "long"}, {"name": "event_name", "type": "string"}, {"name": "event_type", "type": "string"},
        {"name": "created_date", "type": {"type": "long", "connect.name": "io.debezium.time.MicroTimestamp"}},
        {"name": "__op", "type": ["null", "string"]}, {"name": "__table", "type": ["null", "string"]}]});
    let mut records = Vec::new();
    for (offset, m) in fixture("v2-unwrap-default.jsonl").iter().enumerate() {
        let Some(text) = m["value"].as_str() else { continue };
        let doc: Value = serde_json::from_str(text).unwrap();
        if doc["payload"].is_null() {
            continue;
        }
        let mut value = vec![0u8];
        value.extend_from_slice(&ID.to_be_bytes());
        value.extend(avro_row(&doc["payload"]));
        records.push(CaptureRecord {
            topic: TOPIC.into(),
            partition: 0,
            offset: offset as i64,
            timestamp: None,
            key: None,
            value: Some(value),
            headers: Vec::new(),
        });
    }
    let sql = job(
        SWITCHYARD,
        FLAT_COLUMNS,
        "  'scan.startup.mode' = 'earliest-offset',\n  'value.format' = 'json-registry'",
        &[("event_name", "event_type = 'LOAN'")],
    );
    let conn = connector(&[("value.converter", "io.confluent.connect.avro.AvroConverter")]);
    let tmp = tempfile::tempdir().unwrap();
    let data = Built {
        records,
        subjects: BTreeMap::new(),
    };
    write(tmp.path(), &incident(sql, Some(conn), Some(data)));
    let sdir = tmp.path().join(format!("registry/subjects/{TOPIC}-value"));
    std::fs::create_dir_all(&sdir).unwrap();
    std::fs::write(
        sdir.join("1.json"),
        json!({"id": ID, "version": 1, "schema": schema.to_string()}).to_string(),
    )
    .unwrap();
    let out = switchyard(
        &["doctor", tmp.path().to_str().unwrap(), "--format", "json"],
        None,
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        r["root_cause"],
        "CONVERTER_MISMATCH",
        "{}",
        serde_json::to_string_pretty(&r).unwrap()
    );
    let codes: Vec<&str> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(codes.iter().all(|c| *c == "CONVERTER_MISMATCH"), "{codes:?}");
}

/// The doctor's report on an incident, without the root-cause assertions of `run`.
fn report(inc: &Incident<'_>) -> Value {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), inc);
    let out = switchyard(
        &["doctor", tmp.path().to_str().unwrap(), "--format", "json"],
        None,
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out.stderr)))
}

/// Only the records of `orders_full` (the fixture with every PostgreSQL type), registered as JSON_SR.
fn orders_full() -> Option<Built> {
    let mut b = build("events-schemas.jsonl", Enc::JsonSr, None);
    let ids: Vec<u32> = b
        .subjects
        .values()
        .flatten()
        .filter(|(_, s)| s.contains("pg1.public.orders_full."))
        .map(|(id, _)| *id)
        .collect();
    b.records.retain(|r| {
        r.value
            .as_ref()
            .is_some_and(|v| ids.contains(&u32::from_be_bytes([v[1], v[2], v[3], v[4]])))
    });
    Some(b)
}

const ORDERS_SQL: &str = "-- Deployed with `switchyard run job.sql`.\n\nCREATE TABLE orders (\n  id INT,\n  customer STRING,\n  amount DECIMAL(10, 2)\n) WITH (\n  'connector' = 'kafka',\n  'topic' = 'raw-lending-events',\n  'scan.startup.mode' = 'earliest-offset',\n  'value.format' = 'json-debezium-registry'\n);\n\nCREATE TABLE big_orders (\n  id INT,\n  amount DECIMAL(10, 2),\n  PRIMARY KEY (id) NOT ENFORCED\n) WITH ('connector' = 'upsert-kafka', 'topic' = 'big-orders', 'key.format' = 'json-registry', 'value.format' = 'json-registry');\n\nINSERT INTO big_orders\nSELECT id, amount\nFROM orders\nWHERE customer <> '';\n";

/// The JSON Schema the doctor predicts from the connector config is (as a JSON value) what real Debezium
/// 3.6.3 + our `JsonSchemaConverter` port registered, for the envelope, the flat row (and its delete in
/// `tombstone` mode), the rewrite mode, and a table with every PostgreSQL type the fixtures cover.
#[test]
fn predicted_value_schema_is_what_real_debezium_registers() {
    let flat_sql = job(
        SWITCHYARD,
        FLAT_COLUMNS,
        "  'scan.startup.mode' = 'earliest-offset',\n  'value.format' = 'json-registry'",
        &[("event_name", "event_type = 'LOAN'")],
    );
    let cases = [
        (
            "v1 envelope",
            build("v1-envelope-schemas.jsonl", Enc::JsonSr, None),
            connector(&[("transforms", "route")]),
            1,
        ),
        (
            "v2 unwrap",
            build("v2-unwrap-default.jsonl", Enc::JsonSr, None),
            connector(&[]),
            2,
        ),
        (
            "v3 rewrite",
            build("v3-unwrap-rewrite.jsonl", Enc::JsonSr, None),
            connector(&[("transforms.unwrap.delete.tombstone.handling.mode", "rewrite")]),
            1,
        ),
        (
            "orders_full envelope",
            orders_full().unwrap(),
            connector(&[
                ("transforms", "route"),
                ("table.include.list", "public.orders_full"),
            ]),
            1,
        ),
    ];
    for (name, data, conn, n) in cases {
        let registered: Vec<Value> = data.subjects[&format!("{TOPIC}-value")]
            .iter()
            .map(|(_, s)| serde_json::from_str(s).unwrap())
            .collect();
        let r = report(&incident(flat_sql.clone(), Some(conn), Some(data)));
        let c = &r["predictions"]["connector"];
        let schemas = c["schemas"].as_array().unwrap();
        assert_eq!(schemas.len(), n, "{name}: {c:#}");
        for s in schemas {
            assert_eq!(s["exact"], true, "{name}: {s:#}");
            assert_eq!(s["differences"], json!([]), "{name}");
        }
        assert!(registered.contains(&c["value_schema"]), "{name}: {c:#}");
        if name == "v2 unwrap" {
            assert!(registered.contains(&schemas[0]["delete_schema"]), "{name}");
        }
        assert!(!r["findings"].to_string().contains("SCHEMA_DRIFT"), "{name}");
    }
}

#[test]
fn schema_drift_micro_timestamps_under_time_precision_connect() {
    let sql = job(
        SWITCHYARD,
        FLAT_COLUMNS,
        "  'scan.startup.mode' = 'earliest-offset',\n  'value.format' = 'json-registry'",
        &[("event_name", "event_type = 'LOAN'")],
    );
    let r = run(
        incident(
            sql,
            Some(connector(&[("time.precision.mode", "connect")])),
            flat(),
        ),
        "SCHEMA_DRIFT",
        &[],
    );
    let f = find(&r, "SCHEMA_DRIFT");
    let evidence = f["evidence"].to_string();
    assert!(evidence.contains("`created_date` is registered as io.debezium.time.MicroTimestamp (int64), but this config writes org.apache.kafka.connect.data.Timestamp (int64) under time.precision.mode=connect"), "{evidence}");
    assert!(
        f["detail"]
            .as_str()
            .unwrap()
            .contains("written under another config")
    );
    assert_eq!(
        r["connector_changes"],
        json!([{"key": "time.precision.mode", "value": "adaptive"}])
    );
    assert_eq!(
        r["predictions"]["connector"]["value_schema"]["properties"]["created_date"]["title"],
        "org.apache.kafka.connect.data.Timestamp"
    );
}

#[test]
fn schema_drift_evidence_on_the_type_mismatch_it_explains() {
    let cols = FLAT_COLUMNS.replace("created_date BIGINT", "created_date TIMESTAMP(3)");
    let sql = job(
        SWITCHYARD,
        &cols,
        "  'scan.startup.mode' = 'earliest-offset',\n  'value.format' = 'json-registry'",
        &[("event_name", "event_type = 'LOAN'")],
    );
    // Not `run`: the corrected SQL fixes the column, the drift between config and registry stays.
    let r = report(&incident(
        sql,
        Some(connector(&[("time.precision.mode", "connect")])),
        flat(),
    ));
    assert_eq!(r["root_cause"], "TYPE_MISMATCH");
    let codes: Vec<&str> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(
        codes
            .iter()
            .all(|c| ["TYPE_MISMATCH", "SCHEMA_DRIFT"].contains(c)),
        "{codes:?}"
    );
    let evidence = find(&r, "TYPE_MISMATCH")["evidence"].to_string();
    assert!(
        evidence.contains("under time.precision.mode=connect"),
        "{evidence}"
    );
}

#[test]
fn schema_drift_rewrite_config_over_tombstone_mode_records() {
    let sql = job(
        SWITCHYARD,
        FLAT_COLUMNS,
        "  'scan.startup.mode' = 'earliest-offset',\n  'value.format' = 'json-registry'",
        &[("event_name", "event_type = 'LOAN'")],
    );
    let r = run(
        incident(
            sql,
            Some(connector(&[(
                "transforms.unwrap.delete.tombstone.handling.mode",
                "rewrite",
            )])),
            flat(),
        ),
        "SCHEMA_DRIFT",
        &[],
    );
    let diffs = r["predictions"]["connector"]["schemas"][0]["differences"].clone();
    assert_eq!(diffs[0]["kind"], "missing-field", "{diffs:#}");
    assert_eq!(diffs[0]["field"], "__deleted");
}

#[test]
fn schema_drift_envelopes_registered_under_an_unwrap_config() {
    let cols = "  id BIGINT,\n  event_name STRING,\n  event_type STRING";
    let mut sql = format!(
        "{SWITCHYARD}\nCREATE TABLE lending_events (\n{cols}\n) WITH (\n  'connector' = 'kafka',\n  'topic' = '{TOPIC}',\n  'scan.startup.mode' = 'earliest-offset',\n  'value.format' = 'json-debezium-registry'\n);\n"
    );
    sql.push_str("\nCREATE TABLE by_type (\n  event_type STRING,\n  id BIGINT,\n  PRIMARY KEY (id) NOT ENFORCED\n) WITH ('connector' = 'upsert-kafka', 'topic' = 'by-type', 'key.format' = 'json-registry', 'value.format' = 'json-registry');\n\nINSERT INTO by_type\nSELECT event_type, id\nFROM lending_events\nWHERE UPPER(event_type) = 'LOAN';\n");
    let r = run(
        incident(
            sql,
            Some(connector(&[])),
            Some(build("v1-envelope-schemas.jsonl", Enc::JsonSr, None)),
        ),
        "SCHEMA_DRIFT",
        &["TOMBSTONES"],
    );
    assert!(
        find(&r, "SCHEMA_DRIFT")["evidence"]
            .to_string()
            .contains("registered `pg1.public.business_events.Envelope` is a Debezium envelope")
    );
}

#[test]
fn schema_drift_decimal_registered_under_decimal_handling_double() {
    let r = run(
        incident(
            ORDERS_SQL.to_string(),
            Some(connector(&[
                ("transforms", "route"),
                ("table.include.list", "public.orders_full"),
                ("decimal.handling.mode", "double"),
            ])),
            orders_full(),
        ),
        "SCHEMA_DRIFT",
        &["TOMBSTONES"],
    );
    let evidence = find(&r, "SCHEMA_DRIFT")["evidence"].to_string();
    assert!(evidence.contains("`after.amount` is registered as org.apache.kafka.connect.data.Decimal (bytes), but this config writes float64 under decimal.handling.mode=double"), "{evidence}");
    assert_eq!(
        r["connector_changes"],
        json!([{"key": "decimal.handling.mode", "value": "precise"}])
    );
}

#[test]
fn schema_drift_add_fields_prefix_names_the_registered_prefix() {
    let sql = job(
        SWITCHYARD,
        FLAT_COLUMNS,
        "  'scan.startup.mode' = 'earliest-offset',\n  'value.format' = 'json-registry'",
        &[("event_name", "event_type = 'LOAN'")],
    );
    let r = run(
        incident(
            sql,
            Some(connector(&[("transforms.unwrap.add.fields.prefix", "_")])),
            flat(),
        ),
        "SCHEMA_DRIFT",
        &[],
    );
    let evidence = find(&r, "SCHEMA_DRIFT")["evidence"].to_string();
    assert!(
        evidence.contains("`_op` (string) is predicted but not registered"),
        "{evidence}"
    );
    assert!(
        evidence.contains("`__op` (string) is registered but this config would not write it"),
        "{evidence}"
    );
    assert_eq!(
        r["connector_changes"],
        json!([{"key": "transforms.unwrap.add.fields.prefix", "value": "__"}])
    );
}
