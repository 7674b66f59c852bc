//! Bytes from our JSON_SR encoder are read back by Confluent's own Python `JSONDeserializer` (with schema
//! validation) as the same records. Needs `confluent-kafka` in the Python that `SWITCHYARD_PYTHON` names
//! (`.ci/run` installs it); without it the test fails rather than skips.
#![allow(clippy::unwrap_used)]

mod common;

use std::process::Command;

use serde_json::{Value, json};
use switchyard_wire::encode_json_sr;

#[test]
fn confluent_json_deserializer_reads_our_bytes() {
    let golden = common::golden_vectors();
    let cases: Vec<Value> = golden["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            let id = v["schema_id"].as_u64().unwrap() as u32;
            json!({
                "name": v["name"], "subject": v["subject"], "schema": v["schema"], "schema_id": id,
                "hex": hex::encode(encode_json_sr(id, &v["record"])), "record": v["record"],
            })
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("cases.json");
    std::fs::write(&input, serde_json::to_vec(&cases).unwrap()).unwrap();
    let python = std::env::var("SWITCHYARD_PYTHON").unwrap_or_else(|_| "python3".into());
    let script: &str = &format!(
        "{}/tests/interop/json_deserializer.py",
        std::env::var("CARGO_MANIFEST_DIR").unwrap()
    );
    let out = Command::new(&python)
        .arg(script)
        .arg(&input)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e} (set SWITCHYARD_PYTHON)"));
    assert!(
        out.status.success(),
        "Confluent's JSONDeserializer rejected our bytes:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
