//! `switchyard decode` end to end: the bundled example, Confluent's golden bad frames, schema validation
//! offline, and the NDJSON output scripts rely on. Whole outputs are snapshotted with insta.
#![allow(clippy::unwrap_used)]

mod common;

use common::{shared, switchyard, text};
use serde_json::{Value, json};

const EXAMPLE: &str = "examples/business-events-capture/raw-business-events.jsonl";
const EXAMPLE_SCHEMAS: &str = "examples/business-events-capture/registry";

#[test]
fn example_decodes_with_subjects() {
    let out = switchyard(&["decode", EXAMPLE, "--schemas", EXAMPLE_SCHEMAS], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    insta::assert_snapshot!("example_human", text(&out.stdout));
    assert_eq!(text(&out.stderr), "10 records decoded\n");
}

#[test]
fn example_as_ndjson() {
    let out = switchyard(
        &[
            "decode",
            EXAMPLE,
            "--schemas",
            EXAMPLE_SCHEMAS,
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    let lines: Vec<Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 10);
    let first = &lines[0];
    assert_eq!(first["value"]["frame"]["schema_id"], 100_026);
    assert_eq!(first["value"]["subject"], "raw-business-events-value");
    assert_eq!(first["value"]["shape"]["kind"], "debezium_flattened");
    assert_eq!(first["value"]["json"]["event_type"], "LOAN");
    // The last record is the framed JSON null that a flattened delete becomes under JsonSchemaConverter.
    assert_eq!(lines[9]["value"]["shape"]["kind"], "null");
    assert_eq!(lines[9]["value"]["version"], 2);
    insta::assert_json_snapshot!("example_first_record", first);
}

#[test]
fn golden_bad_frames_are_reported_and_exit_1() {
    let golden: Value = serde_json::from_str(
        &std::fs::read_to_string(shared().join("fixtures/jsonsr-golden/vectors.json")).unwrap(),
    )
    .unwrap();
    let hex: String = golden["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| !e["bytes_hex"].as_str().unwrap().is_empty())
        .map(|e| format!("{}\n", e["bytes_hex"].as_str().unwrap()))
        .collect();
    let out = switchyard(&["decode", "--hex"], Some(hex.as_bytes()));
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("golden_errors_human", text(&out.stdout));
    assert_eq!(text(&out.stderr), "5 records, 2 with problems\n");
}

/// Offline validation against the registered schema: the golden `schema-violation` body breaks the Order
/// schema (as Confluent's deserializer says: 'x' is not of type 'integer'), and an id the directory lacks is named.
#[test]
fn schema_violation_and_unknown_id_with_schemas_dir() {
    let golden: Value = serde_json::from_str(
        &std::fs::read_to_string(shared().join("fixtures/jsonsr-golden/vectors.json")).unwrap(),
    )
    .unwrap();
    let order = golden["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "order-basic")
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let subject = dir.path().join("subjects/orders-value");
    std::fs::create_dir_all(&subject).unwrap();
    let file =
        json!({"id": 100, "version": 1, "schemaType": "JSON", "schema": order["schema"], "references": []});
    std::fs::write(subject.join("1.json"), file.to_string()).unwrap();
    let errors = golden["errors"].as_array().unwrap();
    let hex_of = |name: &str| {
        errors.iter().find(|e| e["name"] == name).unwrap()["bytes_hex"]
            .as_str()
            .unwrap()
    };
    let input = format!("{}\n{}\n", hex_of("schema-violation"), hex_of("unknown-id"));
    let out = switchyard(
        &[
            "decode",
            "--hex",
            "--schemas",
            dir.path().to_str().unwrap(),
            "--format",
            "json",
        ],
        Some(input.as_bytes()),
    );
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let violation = lines[0]["value"]["problems"].as_array().unwrap();
    assert!(
        violation
            .iter()
            .any(|p| p.as_str().unwrap().contains("/id") && p.as_str().unwrap().contains("integer")),
        "{violation:?}"
    );
    let unknown = lines[1]["value"]["problems"][0].as_str().unwrap();
    assert!(unknown.contains("schema id 999 is not among"), "{unknown}");
}

#[test]
fn unreadable_input_is_a_usage_error_with_a_hint() {
    let out = switchyard(&["decode", "no/such/file.jsonl"], None);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.starts_with("error: cannot open `no/such/file.jsonl`"),
        "{err}"
    );
    assert!(err.contains("hint: "), "{err}");
    let out = switchyard(&["decode"], Some(b"{\"not\": \"a capture record\"}\n"));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("line 1 is not a capture record"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn raw_input_decodes_one_value() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("value.bin");
    std::fs::write(&path, b"\x00\x00\x00\x00\x2a{\"before\":null,\"after\":{\"id\":1},\"source\":{\"table\":\"t\"},\"op\":\"c\"}").unwrap();
    let out = switchyard(
        &["decode", "--raw", path.to_str().unwrap(), "--format", "json"],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_str(text(&out.stdout).trim()).unwrap();
    assert_eq!(v["value"]["shape"]["kind"], "debezium_envelope");
    assert_eq!(v["value"]["frame"]["schema_id"], 42);
}
