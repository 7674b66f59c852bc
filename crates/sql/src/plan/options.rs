//! `WITH` options and metadata keys, checked against what the Kafka connectors and formats define.
//!
//! Options the router acts on are validated (bad values are errors, with the valid ones listed); options it
//! does not act on become notes, so a typo such as `'scan.startup.mod'` is visible instead of silently
//! ignored. Metadata keys and types are Flink's Kafka connector's (`topic`, `partition`, `offset`, …) plus, for
//! Debezium formats, the format's `value.*` keys as `debezium-json` defines them.

use super::{Note, TableDef};
use crate::error::{Span, SqlError};
use crate::parse::CreateTable;
use crate::types::{DataType, MAX_LENGTH, TypeKind};

const CONNECTORS: &[&str] = &["kafka", "upsert-kafka", "confluent"];

const FORMATS: &[&str] = &[
    "json",
    "json-registry",
    "debezium-json",
    "json-debezium-registry",
    "avro",
    "avro-confluent",
    "avro-registry",
    "avro-debezium-registry",
    "debezium-avro-confluent",
    "proto-registry",
    "proto-debezium-registry",
    "protobuf",
    "raw",
    "csv",
    "canal-json",
    "maxwell-json",
    "ogg-json",
];

const DEBEZIUM_FORMATS: &[&str] = &["debezium-json", "json-debezium-registry"];

const CHANGELOG_FORMATS: &[&str] = &[
    "debezium-json",
    "json-debezium-registry",
    "avro-debezium-registry",
    "proto-debezium-registry",
    "debezium-avro-confluent",
    "canal-json",
    "maxwell-json",
    "ogg-json",
];

const STARTUP_MODES: &[&str] = &[
    "earliest-offset",
    "latest-offset",
    "group-offsets",
    "timestamp",
    "specific-offsets",
];

const KAFKA_KEYS: &[&str] = &[
    "topic",
    "partition",
    "headers",
    "leader-epoch",
    "offset",
    "timestamp",
    "timestamp-type",
];

const DEBEZIUM_KEYS: &[&str] = &[
    "value.schema",
    "value.ingestion-timestamp",
    "value.source.timestamp",
    "value.source.database",
    "value.source.schema",
    "value.source.table",
    "value.source.properties",
];

/// The metadata keys a table with this connector and value format can declare (`METADATA FROM 'key'`).
pub fn metadata_keys(connector: &str, value_format: &str) -> Vec<&'static str> {
    if !CONNECTORS.contains(&connector) {
        return Vec::new();
    }
    let mut keys = KAFKA_KEYS.to_vec();
    if DEBEZIUM_FORMATS.contains(&value_format) {
        keys.extend_from_slice(DEBEZIUM_KEYS);
    }
    keys
}

/// The metadata keys an `INSERT` can write (`headers`, `timestamp`).
pub fn writable_metadata_keys(connector: &str) -> Vec<&'static str> {
    if CONNECTORS.contains(&connector) {
        vec!["headers", "timestamp"]
    } else {
        Vec::new()
    }
}

/// The type Flink gives a metadata key (a declared column must be castable from it).
pub fn metadata_type(key: &str) -> Option<DataType> {
    let string = DataType::string;
    Some(match key {
        "topic" | "timestamp-type" => DataType::not_null(TypeKind::Varchar(MAX_LENGTH)),
        "partition" => DataType::not_null(TypeKind::Int),
        "leader-epoch" => DataType::nullable(TypeKind::Int),
        "offset" => DataType::not_null(TypeKind::BigInt),
        "timestamp" => DataType::not_null(TypeKind::TimestampLtz(3)),
        "headers" => DataType::not_null(TypeKind::Map(
            Box::new(DataType::not_null(TypeKind::Varchar(MAX_LENGTH))),
            Box::new(DataType::nullable(TypeKind::Varbinary(MAX_LENGTH))),
        )),
        "value.schema" | "value.source.database" | "value.source.schema" | "value.source.table" => string(),
        "value.ingestion-timestamp" | "value.source.timestamp" => {
            DataType::nullable(TypeKind::TimestampLtz(3))
        }
        "value.source.properties" => {
            DataType::nullable(TypeKind::Map(Box::new(string()), Box::new(string())))
        }
        _ => return None,
    })
}

pub(crate) fn is_changelog_source(t: &TableDef) -> bool {
    t.connector() == "upsert-kafka"
        || t.value_format().is_some_and(|f| CHANGELOG_FORMATS.contains(&f))
        || matches!(t.option("changelog.mode"), Some("retract" | "upsert"))
}

pub(crate) fn accepts_changes(t: &TableDef) -> bool {
    is_changelog_source(t)
}

fn list(items: &[&str]) -> String {
    items
        .iter()
        .map(|s| format!("'{s}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Validates a created table's options; returns errors and notes.
pub(crate) fn validate(ct: &CreateTable, def: &TableDef, errors: &mut Vec<SqlError>, notes: &mut Vec<Note>) {
    let span_of = |key: &str, value: bool| -> Span {
        ct.options
            .iter()
            .find(|o| o.key == key)
            .map(|o| if value { o.value_span } else { o.key_span })
            .unwrap_or(ct.name.span)
    };
    let bad = |key: &str, value: &str, valid: &[&str]| {
        SqlError::new(
            format!("invalid value '{value}' for option '{key}'"),
            span_of(key, true),
        )
        .with_hint(format!("valid values: {}", list(valid)))
    };
    let connector = def.option("connector");
    match connector {
        Some(c) if !CONNECTORS.contains(&c) => errors.push(
            SqlError::new(format!("connector '{c}' is not supported by `switchyard run`"), span_of("connector", true))
                .with_hint(format!("supported connectors: {}", list(CONNECTORS))),
        ),
        None => notes.push(Note {
            message: format!(
                "table `{}` has no 'connector' option; it is treated as a Confluent Cloud table whose topic is its name",
                def.name
            ),
            span: Some(ct.name.span),
        }),
        _ => {}
    }
    let connector = def.connector();
    if def.option("format").is_some() && def.option("value.format").is_some() {
        errors.push(SqlError::new(
            "set either 'format' or 'value.format', not both",
            span_of("format", false),
        ));
    }
    for key in ["format", "value.format", "key.format"] {
        if let Some(f) = def.option(key)
            && !FORMATS.contains(&f)
        {
            errors.push(bad(key, f, FORMATS));
        }
    }
    if connector == "kafka" && def.value_format().is_none() {
        errors.push(
            SqlError::new(
                format!("table `{}` needs a 'value.format' (or 'format') option", def.name),
                ct.name.span,
            )
            .with_hint("for Confluent JSON Schema topics: 'value.format' = 'json-registry'"),
        );
    }
    if connector == "kafka" && def.option("topic").is_none() && def.option("topic-pattern").is_none() {
        errors.push(SqlError::new(
            format!("table `{}` needs a 'topic' option", def.name),
            ct.name.span,
        ));
    }
    if connector == "upsert-kafka" {
        if def.primary_key.is_none() {
            errors.push(SqlError::new(
                "an 'upsert-kafka' table needs a PRIMARY KEY (…) NOT ENFORCED",
                ct.name.span,
            ));
        }
        if def.option("key.format").is_none() {
            errors.push(SqlError::new(
                "an 'upsert-kafka' table needs a 'key.format' option",
                ct.name.span,
            ));
        }
    }
    if let Some(m) = def.option("scan.startup.mode") {
        if !STARTUP_MODES.contains(&m) {
            errors.push(bad("scan.startup.mode", m, STARTUP_MODES));
        } else if m == "timestamp" {
            match def.option("scan.startup.timestamp-millis") {
                None => errors.push(SqlError::new(
                    "'scan.startup.mode' = 'timestamp' needs 'scan.startup.timestamp-millis'",
                    span_of("scan.startup.mode", true),
                )),
                Some(v) if v.trim().parse::<i64>().is_err() => errors.push(SqlError::new(
                    format!("'scan.startup.timestamp-millis' must be epoch milliseconds, got '{v}'"),
                    span_of("scan.startup.timestamp-millis", true),
                )),
                _ => {}
            }
        } else if m == "specific-offsets" {
            match def.option("scan.startup.specific-offsets") {
                None => errors.push(SqlError::new(
                    "'scan.startup.mode' = 'specific-offsets' needs 'scan.startup.specific-offsets'",
                    span_of("scan.startup.mode", true),
                )),
                Some(v) if parse_specific_offsets(v).is_none() => errors.push(
                    SqlError::new(
                        format!("invalid 'scan.startup.specific-offsets' value '{v}'"),
                        span_of("scan.startup.specific-offsets", true),
                    )
                    .with_hint("write it as 'partition:0,offset:42;partition:1,offset:300'"),
                ),
                _ => {}
            }
        }
    }
    let checks: [(&str, &[&str]); 5] = [
        ("changelog.mode", &["append", "upsert", "retract"]),
        ("error-handling.mode", &["fail", "ignore", "log"]),
        ("value.fields-include", &["ALL", "EXCEPT_KEY"]),
        ("json.ignore-parse-errors", &["true", "false"]),
        ("value.json.ignore-parse-errors", &["true", "false"]),
    ];
    for (key, valid) in checks {
        if let Some(v) = def.option(key)
            && !valid.contains(&v)
        {
            errors.push(bad(key, v, valid));
        }
    }
    if let Some(fields) = def.option("key.fields") {
        for f in fields.split(';').map(str::trim) {
            if def.physical_columns().all(|(_, c)| c.name != f) {
                errors.push(SqlError::new(
                    format!(
                        "'key.fields' names `{f}`, which is not a physical column of `{}`",
                        def.name
                    ),
                    span_of("key.fields", true),
                ));
            }
        }
    } else if def.option("key.format").is_some() && connector == "kafka" {
        errors.push(SqlError::new(
            "'key.format' needs 'key.fields' (the columns the key holds, separated by ';')",
            span_of("key.format", false),
        ));
    }
    let format = def.value_format().unwrap_or("");
    let key_format = def.option("key.format").unwrap_or("");
    for o in &ct.options {
        if !is_known(&o.key, format, key_format) {
            notes.push(Note {
                message: format!(
                    "option '{}' is not used by `switchyard run` and is ignored",
                    o.key
                ),
                span: Some(o.key_span),
            });
        }
    }
}

fn is_known(key: &str, format: &str, key_format: &str) -> bool {
    const EXACT: &[&str] = &[
        "connector",
        "topic",
        "topic-pattern",
        "scan.startup.mode",
        "scan.startup.timestamp-millis",
        "scan.startup.specific-offsets",
        "format",
        "value.format",
        "key.format",
        "key.fields",
        "key.fields-prefix",
        "value.fields-include",
        "changelog.mode",
        "error-handling.mode",
        "error-handling.log.target",
        "json.ignore-parse-errors",
        "value.json.ignore-parse-errors",
    ];
    if EXACT.contains(&key) || key.starts_with("properties.") || key.ends_with("schema-registry.url") {
        return true;
    }
    let prefixed = |f: &str| {
        !f.is_empty() && (key.starts_with(&format!("{f}.")) || key.starts_with(&format!("value.{f}.")))
    };
    prefixed(format)
        || (!key_format.is_empty() && key.starts_with(&format!("key.{key_format}.")))
        || key.starts_with("json-registry.")
        || key.starts_with("value.json-registry.")
        || key.starts_with("key.json-registry.")
}

/// Parses `partition:0,offset:42;partition:1,offset:300`.
pub(crate) fn parse_specific_offsets(v: &str) -> Option<Vec<(i32, i64)>> {
    let mut out = Vec::new();
    for part in v.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (p, o) = part.split_once(',')?;
        let p = p.trim().strip_prefix("partition:")?.trim().parse().ok()?;
        let o = o.trim().strip_prefix("offset:")?.trim().parse().ok()?;
        out.push((p, o));
    }
    (!out.is_empty()).then_some(out)
}
