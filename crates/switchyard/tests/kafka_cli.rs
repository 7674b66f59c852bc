//! `tail` and `produce` against a real Kafka-protocol broker on loopback and the embedded Schema Registry,
//! with Confluent's own Python client (`confluent-kafka`) as the independent peer on both sides.
#![allow(clippy::unwrap_used)]

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::{bootstrap, python, registry, switchyard, text, unique_topic};
use serde_json::{Value, json};

fn peer(args: &[&str]) -> String {
    let script: &str = &format!(
        "{}/tests/interop/kafka_peer.py",
        std::env::var("CARGO_MANIFEST_DIR").unwrap()
    );
    let out = Command::new(python()).arg(script).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "kafka_peer.py {args:?} failed:\n{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

fn ndjson(out: &[u8]) -> Vec<Value> {
    text(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn records() -> Vec<Value> {
    (1..=12)
        .map(|i| {
            json!({
                "id": i, "event_name": format!("Event{i}"), "event_type": if i % 3 == 0 { "LOAN" } else { "PAYMENT" },
                "created_date": 1_709_284_500_123_456i64 + i, "event_data": if i % 4 == 0 { Value::Null } else { json!(format!("{{\"n\":{i}}}")) },
                "__op": "c", "__table": "business_events", "__ts_ms": 1_795_828_467_634i64 + i
            })
        })
        .collect()
}

fn write_lines(dir: &std::path::Path, name: &str, records: &[Value]) -> String {
    let path = dir.join(name);
    let text: String = records.iter().map(|r| format!("{r}\n")).collect();
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

const SCHEMA: &str = r#"{"type":"object","title":"pg1.public.business_events.Value","properties":{
 "id":{"type":"integer","connect.type":"int64"},"event_name":{"type":"string"},"event_type":{"type":"string"},
 "created_date":{"type":"integer","connect.type":"int64","title":"io.debezium.time.MicroTimestamp"},
 "event_data":{"oneOf":[{"type":"null"},{"type":"string","title":"io.debezium.data.Json"}]},
 "__op":{"type":"string"},"__table":{"type":"string"},"__ts_ms":{"type":"integer"}},"required":["id","event_type"]}"#;

/// Records from Confluent's `JSONSerializer` (auto-registering against our registry) come out of `tail`
/// with the schema id it registered, the subject and version, and equal bodies.
#[test]
fn tail_decodes_what_confluents_serializer_wrote() {
    let (b, r) = (bootstrap(), registry());
    let topic = unique_topic("py-to-tail");
    let dir = tempfile::tempdir().unwrap();
    let input = records();
    let schema = dir.path().join("schema.json");
    std::fs::write(&schema, SCHEMA).unwrap();
    let produced: Value = serde_json::from_str(&peer(&[
        "produce",
        &b,
        &r,
        &topic,
        schema.to_str().unwrap(),
        &write_lines(dir.path(), "in.jsonl", &input),
    ]))
    .unwrap();
    let out = switchyard(
        &["tail", &topic, "-b", &b, "--registry", &r, "--format", "json"],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let got = ndjson(&out.stdout);
    assert_eq!(got.len(), input.len());
    for rec in &got {
        assert_eq!(rec["value"]["frame"]["schema_id"], produced["schema_id"]);
        assert_eq!(rec["value"]["subject"], format!("{topic}-value"));
        assert_eq!(rec["value"]["version"], 1);
        assert_eq!(rec["value"]["shape"]["kind"], "debezium_flattened");
        let id = rec["value"]["json"]["id"].as_i64().unwrap();
        assert_eq!(rec["value"]["json"], input[id as usize - 1]);
        // Keys were plain strings; tail says what they are rather than guessing a frame.
        assert_eq!(rec["key"]["encoding"]["kind"], "plain_json");
    }
    // Offsets and partitions as the broker assigned them, in order per partition.
    let offsets: Vec<i64> = got
        .iter()
        .filter(|g| g["partition"] == 0)
        .map(|g| g["offset"].as_i64().unwrap())
        .collect();
    assert!(offsets.windows(2).all(|w| w[0] < w[1]), "{offsets:?}");
}

/// Records from `produce` are read back by Confluent's `JSONDeserializer` equal to the input, keys too.
#[test]
fn confluents_deserializer_reads_what_produce_wrote() {
    let (b, r) = (bootstrap(), registry());
    let topic = unique_topic("produce-to-py");
    let dir = tempfile::tempdir().unwrap();
    let input = records();
    let schema = dir.path().join("schema.json");
    std::fs::write(&schema, SCHEMA).unwrap();
    let file = write_lines(dir.path(), "in.jsonl", &input);
    let out = switchyard(
        &[
            "produce",
            &topic,
            &file,
            "-b",
            &b,
            "--registry",
            &r,
            "--schema",
            schema.to_str().unwrap(),
            "--key-field",
            "id",
            "-H",
            "source=test",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains(&format!("12 records delivered to {topic}")),
        "{}",
        text(&out.stderr)
    );
    let got: Vec<Value> = peer(&["consume", &b, &r, &topic, "12"])
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(got.len(), 12);
    for g in &got {
        let id = g["value"]["id"].as_i64().unwrap();
        assert_eq!(g["value"], input[id as usize - 1]);
        assert_eq!(g["key"], json!({"id": id}));
        assert_eq!(g["headers"], json!([["source", "test"]]));
    }
}

/// tail → capture file → decode gives the same records as tail printing them directly.
#[test]
fn tail_capture_then_decode_is_the_same() {
    let (b, r) = (bootstrap(), registry());
    let topic = unique_topic("capture");
    let out = switchyard(
        &[
            "produce",
            &topic,
            "--sample",
            "debezium-envelope",
            "25",
            "-b",
            &b,
            "--registry",
            &r,
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let dir = tempfile::tempdir().unwrap();
    let capture = dir.path().join("t.jsonl");
    let out = switchyard(
        &["tail", &topic, "-b", &b, "--out", capture.to_str().unwrap()],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stderr),
        format!("25 records written to {}\n", capture.display())
    );
    let direct = switchyard(
        &["tail", &topic, "-b", &b, "--registry", &r, "--format", "json"],
        None,
    );
    let replay = switchyard(
        &[
            "decode",
            capture.to_str().unwrap(),
            "--registry",
            &r,
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(replay.status.code(), Some(0), "{}", text(&replay.stderr));
    assert_eq!(ndjson(&direct.stdout), ndjson(&replay.stdout));
    let first = &ndjson(&replay.stdout)[0];
    assert_eq!(first["value"]["shape"]["kind"], "debezium_envelope");
    assert_eq!(first["value"]["shape"]["snapshot"], "first");
}

/// `-o -N`, `-o N`, `-p`, `-n`, `@timestamp`, and `--group` committing so that `-o stored` resumes.
#[test]
fn offsets_partitions_counts_and_groups() {
    let (b, r) = (bootstrap(), registry());
    let topic = unique_topic("offsets");
    let out = switchyard(
        &[
            "produce",
            &topic,
            "--sample",
            "business-events",
            "30",
            "-b",
            &b,
            "--registry",
            &r,
            "-p",
            "0",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let offsets = |args: &[&str]| -> Vec<i64> {
        let mut all = vec!["tail", topic.as_str(), "-b", b.as_str(), "--format", "json"];
        all.extend_from_slice(args);
        let out = switchyard(&all, None);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        ndjson(&out.stdout)
            .iter()
            .map(|v| v["offset"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(offsets(&["-o", "-3"]), [27, 28, 29]);
    assert_eq!(offsets(&["-o", "10", "-n", "2"]), [10, 11]);
    assert_eq!(offsets(&["-p", "0", "-o", "28"]), [28, 29]);
    assert_eq!(offsets(&["-o", "end"]), Vec::<i64>::new());
    // @timestamp: the first record at or after the timestamp of offset 20.
    let all = switchyard(&["tail", &topic, "-b", &b, "--format", "json"], None);
    let ts = ndjson(&all.stdout)[20]["timestamp"].as_i64().unwrap();
    let from_ts = offsets(&["-o", &format!("@{ts}")]);
    assert!(
        from_ts.first().is_some_and(|o| *o <= 20) && from_ts.last() == Some(&29),
        "{from_ts:?}"
    );
    // A group commits what it read; `stored` resumes after it.
    let group = format!("{topic}-g");
    assert_eq!(offsets(&["--group", &group, "-n", "5"]), [0, 1, 2, 3, 4]);
    assert_eq!(
        offsets(&["--group", &group, "-o", "stored", "-n", "3"]),
        [5, 6, 7]
    );
    let bad = switchyard(&["tail", &topic, "-b", &b, "-p", "7"], None);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad.stderr).contains("has no partition 7"),
        "{}",
        text(&bad.stderr)
    );
}

/// Bad input to produce: every bad line reported with its number, and nothing sent.
#[test]
fn bad_produce_input_sends_nothing() {
    let (b, r) = (bootstrap(), registry());
    let topic = unique_topic("bad-input");
    let dir = tempfile::tempdir().unwrap();
    let schema = dir.path().join("schema.json");
    std::fs::write(&schema, SCHEMA).unwrap();
    let good = records()[0].to_string();
    // Invalid JSON on line 2.
    let input = format!("{good}\n{{\"id\": 2,\n{good}\n");
    let out = switchyard(
        &[
            "produce",
            &topic,
            "-b",
            &b,
            "--registry",
            &r,
            "--schema",
            schema.to_str().unwrap(),
        ],
        Some(input.as_bytes()),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("line 2: not JSON"),
        "{}",
        text(&out.stderr)
    );
    // A record violating --schema on line 3 (event_type must be a string, id is required).
    let input = format!("{good}\n{good}\n{{\"event_type\": 5}}\n");
    let out = switchyard(
        &[
            "produce",
            &topic,
            "-b",
            &b,
            "--registry",
            &r,
            "--schema",
            schema.to_str().unwrap(),
        ],
        Some(input.as_bytes()),
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("line 3: does not match schema"), "{err}");
    assert!(err.contains("nothing was sent"), "{err}");
    // An unknown --schema-id.
    let out = switchyard(
        &[
            "produce",
            &topic,
            "-b",
            &b,
            "--registry",
            &r,
            "--schema-id",
            "987654",
        ],
        Some(good.as_bytes()),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--schema-id 987654"),
        "{}",
        text(&out.stderr)
    );
    // Nothing reached the topic.
    let tail = switchyard(&["tail", &topic, "-b", &b], None);
    assert_ne!(
        tail.status.code(),
        Some(0),
        "the topic should not exist: {}",
        text(&tail.stdout)
    );
}

/// Connection errors are bounded and say what to check.
#[test]
fn errors_that_help() {
    let (b, r) = (bootstrap(), registry());
    let started = Instant::now();
    let out = switchyard(&["tail", "anything", "-b", "127.0.0.1:9"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(started.elapsed() < Duration::from_secs(30));
    let err = text(&out.stderr);
    assert!(
        err.contains("no broker at `127.0.0.1:9` answered within 10s") && err.contains("hint:"),
        "{err}"
    );
    // Unknown topic: the similar names that exist.
    let topic = unique_topic("similar-name");
    let out = switchyard(
        &[
            "produce",
            &topic,
            "--sample",
            "business-events",
            "1",
            "-b",
            &b,
            "--registry",
            &r,
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = switchyard(&["tail", &topic.replace('-', "_"), "-b", &b], None);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("does not exist") && err.contains(&format!("`{topic}`")),
        "{err}"
    );
    // Registry down: says so and which URL.
    let out = switchyard(
        &[
            "produce",
            &topic,
            "--sample",
            "business-events",
            "1",
            "-b",
            &b,
            "--registry",
            "http://127.0.0.1:9",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("http://127.0.0.1:9") && err.contains("not reachable"),
        "{err}"
    );
}

/// A client.properties file is taken as is, and a flag beats it.
#[test]
fn client_properties_file_and_flag_precedence() {
    let (b, r) = (bootstrap(), registry());
    let topic = unique_topic("props");
    let dir = tempfile::tempdir().unwrap();
    let props = dir.path().join("client.properties");
    std::fs::write(
        &props,
        "# from Confluent Cloud\nbootstrap.servers=127.0.0.1:9\nschema.registry.url=${SY_TEST_REGISTRY}\nclient.dns.lookup=use_all_dns_ips\n",
    )
    .unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_switchyard"));
    cmd.args([
        "produce",
        &topic,
        "--sample",
        "business-events",
        "3",
        "--config",
        props.to_str().unwrap(),
        "-b",
        &b,
    ])
    .env("SY_TEST_REGISTRY", &r)
    .env_remove("SWITCHYARD_BOOTSTRAP");
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("3 records delivered"),
        "{}",
        text(&out.stderr)
    );
}
