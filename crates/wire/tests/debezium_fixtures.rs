//! Real Debezium 3.6.3 events from PostgreSQL 15 are classified correctly — as captured (Kafka Connect
//! JsonConverter text) and framed as JSON_SR with our encoder, since the shape must survive the frame.
#![allow(clippy::unwrap_used)]

mod common;

use serde_json::Value;
use switchyard_wire::{Encoding, JsonShape, encode_json_sr, sniff};

/// The ops each variant's messages carry, in order, as the fixture README lists them (`-` = tombstone,
/// `null` = a JSON null payload).
const ENVELOPE_OPS: &[&str] = &["r", "r", "r", "c", "c", "c", "c", "u", "u", "d", "-"];
const UNWRAP_DEFAULT_OPS: &[&str] = &["r", "r", "r", "c", "c", "c", "c", "u", "u", "null"];
const UNWRAP_REWRITE_OPS: &[&str] = &["r", "r", "r", "c", "c", "c", "c", "u", "u", "d"];

fn messages(file: &str) -> Vec<Option<String>> {
    let path = common::shared_dir()
        .join("fixtures/debezium-3.6.3-postgres/business_events")
        .join(file);
    std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            v["value"].as_str().map(String::from)
        })
        .collect()
}

/// Check one message's innermost shape against the expected op.
fn check(shape: &JsonShape, want: &str, connect: bool, ctx: &str) {
    if connect {
        assert!(
            matches!(
                shape,
                JsonShape::ConnectEnvelope {
                    schema_name: Some(_),
                    ..
                }
            ),
            "{ctx}: {shape:?}"
        );
    }
    match (shape.innermost(), want) {
        (JsonShape::Null, "null") => {}
        (JsonShape::DebeziumEnvelope { op, table, .. }, _) => {
            assert_eq!(op, want, "{ctx}");
            assert_eq!(table.as_deref(), Some("business_events"), "{ctx}");
        }
        (
            JsonShape::DebeziumFlattened {
                op,
                prefix,
                added_fields,
                deleted,
            },
            _,
        ) => {
            assert_eq!(op.as_deref(), Some(want), "{ctx}");
            assert_eq!(prefix, "__", "{ctx}");
            assert!(added_fields.iter().any(|f| f == "__table"), "{ctx}");
            if let Some(d) = deleted {
                assert_eq!(*d, want == "d", "{ctx}");
            }
        }
        (other, _) => panic!("{ctx}: expected {want}, got {other:?}"),
    }
}

fn check_variant(file: &str, ops: &[&str], connect: bool, envelope: bool) {
    let msgs = messages(file);
    assert_eq!(msgs.len(), ops.len(), "{file}: message count");
    for (i, (msg, want)) in msgs.iter().zip(ops).enumerate() {
        let ctx = format!("{file} message {}", i + 1);
        let Some(text) = msg else {
            assert_eq!(*want, "-", "{ctx}: unexpected tombstone");
            assert_eq!(sniff(None, None).encoding, Encoding::Tombstone);
            continue;
        };
        // As captured: plain JSON text.
        let plain = sniff(Some(text.as_bytes()), None);
        assert_eq!(plain.encoding, Encoding::PlainJson, "{ctx}");
        check(plain.shape.as_ref().unwrap(), want, connect, &ctx);
        if envelope && *want != "null" {
            assert!(matches!(
                plain.shape.as_ref().unwrap().innermost(),
                JsonShape::DebeziumEnvelope { .. }
            ));
        }
        // Framed as JsonSchemaConverter would write it: the Connect payload, behind 0x00 + id.
        let doc: Value = serde_json::from_str(text).unwrap();
        let payload = if connect { doc["payload"].clone() } else { doc };
        let framed = sniff(Some(&encode_json_sr(100_026, &payload)), None);
        assert_eq!(framed.encoding, Encoding::JsonSr, "{ctx}");
        assert_eq!(framed.frame.as_ref().unwrap().schema_id, Some(100_026));
        check(
            framed.shape.as_ref().unwrap(),
            want,
            false,
            &format!("{ctx} (framed)"),
        );
    }
}

#[test]
fn v1_envelope_with_schemas() {
    check_variant("v1-envelope-schemas.jsonl", ENVELOPE_OPS, true, true);
}

#[test]
fn v2_unwrap_default() {
    check_variant("v2-unwrap-default.jsonl", UNWRAP_DEFAULT_OPS, true, false);
}

#[test]
fn v3_unwrap_rewrite() {
    check_variant("v3-unwrap-rewrite.jsonl", UNWRAP_REWRITE_OPS, true, false);
}

#[test]
fn v4_envelope_without_schemas() {
    check_variant("v4-envelope-noschema.jsonl", ENVELOPE_OPS, false, true);
}

#[test]
fn v5_unwrap_default_without_schemas() {
    check_variant(
        "extra-v5-unwrap-default-noschema.jsonl",
        UNWRAP_DEFAULT_OPS,
        false,
        false,
    );
}

/// The orders tables' events (another table, REPLICA IDENTITY FULL and DEFAULT) are envelopes too.
#[test]
fn orders_events_are_envelopes() {
    let dir = common::shared_dir().join("fixtures/debezium-3.6.3-postgres");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "ndjson") {
            continue;
        }
        let with_schema = path
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("events-schemas");
        for line in std::fs::read_to_string(&path).unwrap().lines() {
            let s = sniff(Some(line.as_bytes()), None);
            let shape = s.shape.unwrap();
            assert_eq!(
                matches!(shape, JsonShape::ConnectEnvelope { .. }),
                with_schema,
                "{}",
                path.display()
            );
            assert!(
                matches!(shape.innermost(), JsonShape::DebeziumEnvelope { table: Some(t), .. } if t.starts_with("orders_")),
                "{}: {shape:?}",
                path.display()
            );
            seen += 1;
        }
    }
    assert!(seen >= 10, "only {seen} orders events found");
}
