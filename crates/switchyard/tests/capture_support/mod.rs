//! Helpers of the `capture*` tests: a private PostgreSQL cluster per test (`pg.sh`), `switchyard capture`
//! as a background process, Confluent's Python client reading the topics back (`read_topic.py`), the
//! real Debezium fixtures, and masking of the values that differ between any two runs.
#![allow(dead_code)] // each test binary uses its own subset

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

use crate::common;

fn support() -> PathBuf {
    PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("tests/capture_support")
}

/// A private PostgreSQL cluster, stopped and deleted on drop.
pub struct Pg {
    dir: tempfile::TempDir,
    /// Its port on 127.0.0.1.
    pub port: u16,
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

impl Pg {
    /// initdb + start (see `pg.sh` for how root is handled).
    pub fn start() -> Pg {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let out = Command::new("bash")
            .arg(support().join("pg.sh"))
            .args(["start", dir.path().to_str().unwrap(), &port.to_string()])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "PostgreSQL did not start: {}",
            common::text(&out.stderr)
        );
        Pg { dir, port }
    }

    /// Connection URI.
    pub fn url(&self) -> String {
        format!("postgresql://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Run SQL (one autocommit transaction per call) and return psql's unaligned output.
    pub fn sql(&self, sql: &str) -> String {
        let out = Command::new("psql")
            .args([
                "-X",
                "-q",
                "-tA",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-d",
                "postgres",
            ])
            .args(["-p", &self.port.to_string(), "-c", sql])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "psql failed on {sql}: {}",
            common::text(&out.stderr)
        );
        common::text(&out.stdout)
    }
}

impl Drop for Pg {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(support().join("pg.sh"))
            .args(["stop", self.dir.path().to_str().unwrap()])
            .output();
    }
}

/// A running `switchyard capture`; stderr lines are collected in the background.
pub struct Capture {
    /// The process.
    pub child: Child,
    lines: mpsc::Receiver<String>,
    /// Stderr seen so far.
    pub stderr: Vec<String>,
}

impl Capture {
    /// Start `switchyard capture ARGS`.
    pub fn spawn(args: &[String]) -> Capture {
        let mut child = Command::new(env!("CARGO_BIN_EXE_switchyard"))
            .arg("capture")
            .args(args)
            .env_remove("SWITCHYARD_BOOTSTRAP")
            .env_remove("SCHEMA_REGISTRY_URL")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, rx) = mpsc::channel();
        let err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Capture {
            child,
            lines: rx,
            stderr: Vec::new(),
        }
    }

    /// Wait for a stderr line containing `needle` (panics after `secs`).
    pub fn wait_for(&mut self, needle: &str, secs: u64) {
        let deadline = std::time::Instant::now() + Duration::from_secs(secs);
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(l) => {
                    let hit = l.contains(needle);
                    self.stderr.push(l);
                    if hit {
                        return;
                    }
                }
                Err(_) => {
                    let _ = self.child.kill();
                    panic!(
                        "no `{needle}` from capture within {secs}s; stderr:\n{}",
                        self.stderr.join("\n")
                    )
                }
            }
        }
    }

    /// Wait for the process to exit successfully (panics after `secs`); returns all stderr.
    pub fn finish(mut self, secs: u64) -> String {
        let deadline = std::time::Instant::now() + Duration::from_secs(secs);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                std::thread::sleep(Duration::from_millis(100));
                self.stderr.extend(self.lines.try_iter());
                let all = self.stderr.join("\n");
                assert!(status.success(), "capture failed ({status}):\n{all}");
                return all;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "capture did not stop:\n{}",
                self.stderr.join("\n")
            );
            self.stderr.extend(self.lines.try_iter());
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// The standard capture flags for `pg`, `prefix` and the test broker.
pub fn capture_args(pg: &Pg, prefix: &str, tables: &str, extra: &[&str]) -> Vec<String> {
    let mut a: Vec<String> = [
        "--pg",
        &pg.url(),
        "--publication",
        &format!("{prefix}_pub"),
        "--slot",
        &format!("{prefix}_slot"),
        "--create",
        "--tables",
        tables,
        "--topic-prefix",
        prefix,
        "-b",
        &common::bootstrap(),
        "--progress",
        "0",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    a.extend(extra.iter().map(|s| s.to_string()));
    a
}

/// A topic prefix (and slot/publication stem) no other test uses; lower case, no dashes.
pub fn unique_prefix(name: &str) -> String {
    common::unique_topic(name).replace('-', "_").to_lowercase()
}

/// One record read back.
#[derive(Debug, Clone)]
pub struct Rec {
    /// Topic.
    pub topic: String,
    /// Key text (framing stripped).
    pub key: Option<String>,
    /// Value text (framing stripped), `None` for a Kafka null.
    pub value: Option<String>,
    /// JSON_SR value schema id.
    pub value_schema_id: Option<u32>,
    /// JSON_SR key schema id.
    pub key_schema_id: Option<u32>,
}

/// Read every record of `topics` with Confluent's client (validating JSON_SR with `registry`).
pub fn read_topics(topics: &[String], registry: Option<&str>) -> Vec<Rec> {
    let mut cmd = Command::new(common::python());
    cmd.arg(support().join("read_topic.py"))
        .arg(common::bootstrap())
        .arg(topics.join(","));
    if let Some(r) = registry {
        cmd.args(["--registry", r]);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "read_topic.py failed: {}",
        common::text(&out.stderr)
    );
    common::text(&out.stdout)
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            let s = |k: &str| v[k].as_str().map(str::to_string);
            let id = |k: &str| v[k].as_u64().map(|n| n as u32);
            Rec {
                topic: s("topic").unwrap(),
                key: s("key"),
                value: s("value"),
                value_schema_id: id("value_schema_id"),
                key_schema_id: id("key_schema_id"),
            }
        })
        .collect()
}

/// The Debezium 3.6.3 fixture directory.
pub fn fixtures() -> PathBuf {
    common::shared().join("fixtures/debezium-3.6.3-postgres")
}

/// A fixture file of `business_events/` as (topic, key text, value text).
pub fn business_fixture(file: &str) -> Vec<(String, Option<String>, Option<String>)> {
    let text = std::fs::read_to_string(fixtures().join("business_events").join(file)).unwrap();
    text.lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (
                v["topic"].as_str().unwrap().to_string(),
                v["key"].as_str().map(str::to_string),
                v["value"].as_str().map(str::to_string),
            )
        })
        .collect()
}

/// A root fixture file (`events-schemas.jsonl`) as (topic, key text, value text).
pub fn orders_fixture(file: &str) -> Vec<(String, Option<String>, Option<String>)> {
    let text = std::fs::read_to_string(fixtures().join(file)).unwrap();
    text.lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (
                v["destination"].as_str().unwrap().to_string(),
                v["key_raw"].as_str().map(str::to_string),
                v["value_raw"].as_str().map(str::to_string),
            )
        })
        .collect()
}

/// The DDL/DML of a fixture set (`visible` or `hidden`) from the fixtures' own `scenario.py`.
pub struct Scenario {
    /// DDL and snapshot inserts, run before the capture starts.
    pub setup: Vec<String>,
    /// Streaming DML, each its own transaction.
    pub dml: Vec<String>,
}

/// Load `scenario.py`'s set through Python, so the SQL is exactly what produced the fixtures.
pub fn scenario(set: &str) -> Scenario {
    let code = format!(
        "import json,sys; sys.path.insert(0, {dir:?}); import scenario as s; print(json.dumps(s.SETS[{set:?}]))",
        dir = fixtures().join("business_events").to_str().unwrap()
    );
    let out = Command::new(common::python())
        .args(["-c", &code])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", common::text(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let list = |k: &str| {
        v[k].as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect()
    };
    Scenario {
        setup: list("setup"),
        dml: list("dml"),
    }
}

/// Replace values that differ between any two runs with a marker, keeping their presence and kind
/// (null stays null): timestamps, LSNs, transaction ids, `sequence`, `xmin`.
pub fn mask(v: &mut Value) {
    const VOLATILE: [&str; 9] = [
        "ts_ms",
        "ts_us",
        "ts_ns",
        "txId",
        "lsn",
        "sequence",
        "xmin",
        "__ts_ms",
        "__source_ts_ms",
    ];
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                if VOLATILE.contains(&k.as_str()) && !x.is_null() && !x.is_object() {
                    *x = Value::String("<volatile>".into());
                } else if k == "txId" {
                    // Debezium has the snapshot transaction's id here; we may not: compare kinds loosely
                    *x = Value::String("<volatile>".into());
                } else {
                    mask(x);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(mask),
        _ => {}
    }
}

/// Parse record text for comparison: our prefix → `pg1`, volatile values masked.
pub fn normalize(text: Option<&str>, prefix: &str) -> Value {
    match text {
        None => Value::Null,
        Some(t) => {
            let mut v: Value = serde_json::from_str(&t.replace(prefix, "pg1")).unwrap();
            mask(&mut v);
            v
        }
    }
}

/// Compare records with a fixture, field by field; the first difference is reported with its path.
pub fn assert_same(ours: &[Rec], fixture: &[(String, Option<String>, Option<String>)], prefix: &str) {
    for (i, (r, (topic, key, value))) in ours.iter().zip(fixture).enumerate() {
        assert_eq!(r.topic.replace(prefix, "pg1"), *topic, "record {i}: topic");
        let (ok, fk) = (
            normalize(r.key.as_deref(), prefix),
            normalize(key.as_deref(), "\u{0}"),
        );
        if let Some(d) = first_difference(&ok, &fk, "key") {
            panic!("record {i}: {d}");
        }
        let (ov, fv) = (
            normalize(r.value.as_deref(), prefix),
            normalize(value.as_deref(), "\u{0}"),
        );
        if let Some(d) = first_difference(&ov, &fv, "value") {
            panic!("record {i}: {d}\nours:    {}\ndebezium: {}", ov, fv);
        }
    }
    assert_eq!(ours.len(), fixture.len(), "record count (ours vs Debezium)");
}

/// The first path where two JSON values differ (object key order ignored).
pub fn first_difference(a: &Value, b: &Value, path: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys()) {
                match (x.get(k), y.get(k)) {
                    (Some(p), Some(q)) => {
                        if let Some(d) = first_difference(p, q, &format!("{path}.{k}")) {
                            return Some(d);
                        }
                    }
                    (p, q) => return Some(format!("{path}.{k}: ours {p:?}, Debezium {q:?}")),
                }
            }
            None
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (p, q))| first_difference(p, q, &format!("{path}[{i}]"))),
        _ if a == b => None,
        _ => Some(format!("{path}: ours {a}, Debezium {b}")),
    }
}
