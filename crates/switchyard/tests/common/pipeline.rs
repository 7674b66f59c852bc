//! The bundled example pipeline (`examples/business-events`) as the `run` tests use it: a copy with its
//! topics renamed per test, sample input, what each sink must then hold, and a background `run`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{bootstrap, registry, repo, switchyard, text};

/// The example pipeline with its topics renamed for this test.
pub fn pipeline(dir: &Path, suffix: &str) -> (String, BTreeMap<&'static str, String>) {
    let sql = std::fs::read_to_string(repo().join("examples/business-events/pipeline.sql")).unwrap();
    let mut topics = BTreeMap::new();
    let mut sql = sql;
    for t in [
        "raw-business-events-dlq",
        "raw-business-events",
        "loan-events",
        "servicing-events",
        "business-events-audit",
    ] {
        let renamed = format!("{t}-{suffix}");
        sql = sql.replace(&format!("'{t}'"), &format!("'{renamed}'"));
        topics.insert(t, renamed);
    }
    sql = sql.replace("'business-events-routing'", &format!("'routing-{suffix}'"));
    let path = dir.join("pipeline.sql");
    std::fs::write(&path, sql).unwrap();
    (path.to_str().unwrap().to_string(), topics)
}

pub fn produce_sample(topic: &str, n: &str, seed: &str) {
    produce(topic, &["--sample", "business-events", n, "--seed", seed]);
}

/// `switchyard produce TOPIC` against the test broker and registry, with `args` (a file, `--sample …`).
pub fn produce(topic: &str, args: &[&str]) {
    let (b, r) = (bootstrap(), registry());
    let mut all = vec!["produce", topic, "-b", b.as_str(), "--registry", r.as_str()];
    all.extend_from_slice(args);
    let out = switchyard(&all, None);
    assert_eq!(out.status.code(), Some(0), "produce: {}", text(&out.stderr));
}

/// What each sink must hold, computed from the input the same way the SQL says.
pub fn expected(input: &[Value]) -> BTreeMap<&'static str, BTreeSet<i64>> {
    let mut out: BTreeMap<&'static str, BTreeSet<i64>> = BTreeMap::new();
    for rec in input {
        let v = &rec["value"]["json"];
        let id = v["id"].as_i64().unwrap();
        let ty = v["event_type"].as_str().unwrap_or_default();
        let op = v["__op"].as_str().unwrap_or_default();
        if ty.to_uppercase() == "LOAN" && op != "d" {
            out.entry("loan-events").or_default().insert(id);
        }
        if (ty == "PAYMENT" || ty == "ESCROW") && op != "d" {
            out.entry("servicing-events").or_default().insert(id);
        }
        if op == "d" || (matches!(op, "c" | "u") && !["LOAN", "PAYMENT", "ESCROW"].contains(&ty)) {
            out.entry("business-events-audit").or_default().insert(id);
        }
    }
    out
}

/// The `id`s of records as `tail_json` shows them (JSON_SR values with an `id` field).
pub fn ids(records: &[Value]) -> BTreeSet<i64> {
    records
        .iter()
        .map(|r| r["value"]["json"]["id"].as_i64().unwrap())
        .collect()
}

pub fn base64_decode(s: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}

pub fn spawn_run(sql: &str, extra: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_switchyard"))
        .args(["run", sql, "-b", &bootstrap(), "--registry", &registry()])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Poll until `f` holds or `timeout` passes.
pub fn eventually(timeout: Duration, mut f: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < timeout {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(300));
    }
    false
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Create `topic` with `partitions` partitions, through Confluent's Python client (an independent peer).
pub fn create_topic(topic: &str, partitions: u32) {
    let script = "import sys\nfrom confluent_kafka.admin import AdminClient, NewTopic\n\
                  admin = AdminClient({'bootstrap.servers': sys.argv[1]})\n\
                  for f in admin.create_topics([NewTopic(sys.argv[2], int(sys.argv[3]), 1)]).values():\n    f.result()\n";
    let out = Command::new(super::python())
        .args(["-c", script, &bootstrap(), topic, &partitions.to_string()])
        .output()
        .unwrap();
    assert!(out.status.success(), "creating {topic}: {}", text(&out.stderr));
}
