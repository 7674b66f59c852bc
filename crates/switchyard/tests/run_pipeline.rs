//! `switchyard run` end to end on a real broker and the embedded registry: the bundled example routes
//! exactly the expected records (content checked) and dead-letters the bad ones with their headers;
//! outputs decode with Confluent's JSONDeserializer; kill -9 and restart loses nothing.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{bootstrap, python, registry, repo, switchyard, tail_json, text, unique_topic};
use serde_json::Value;

/// The example pipeline with its topics renamed for this test.
fn pipeline(dir: &Path, suffix: &str) -> (String, BTreeMap<&'static str, String>) {
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

fn bootstrap_static() -> &'static str {
    static B: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    B.get_or_init(bootstrap)
}

fn registry_static() -> &'static str {
    static R: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    R.get_or_init(registry)
}

fn run_until_end(sql: &str) {
    run_until_end_as(sql, &[]);
}

/// `extra` adds client properties, e.g. a static group member id.
fn run_until_end_as(sql: &str, extra: &[&str]) {
    let mut args = vec![
        "run",
        sql,
        "-b",
        bootstrap_static(),
        "--registry",
        registry_static(),
        "--until-end",
    ];
    args.extend_from_slice(extra);
    let out = switchyard(&args, None);
    assert_eq!(out.status.code(), Some(0), "run failed: {}", text(&out.stderr));
}

fn produce_sample(topic: &str, n: &str, seed: &str) {
    let out = switchyard(
        &[
            "produce",
            topic,
            "--sample",
            "business-events",
            n,
            "--seed",
            seed,
            "-b",
            &bootstrap(),
            "--registry",
            &registry(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

/// What each sink must hold, computed from the input the same way the SQL says.
fn expected(input: &[Value]) -> BTreeMap<&'static str, BTreeSet<i64>> {
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

#[test]
fn example_routes_every_record_and_dead_letters_the_bad_ones() {
    let dir = tempfile::tempdir().unwrap();
    let (sql, topics) = pipeline(dir.path(), &unique_topic("ex"));
    let source = &topics["raw-business-events"];
    produce_sample(source, "300", "11");
    let bad = repo().join("examples/business-events/bad-records.jsonl");
    let out = switchyard(
        &[
            "produce",
            source,
            "--from-capture",
            bad.to_str().unwrap(),
            "-b",
            &bootstrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    run_until_end(&sql);

    let input: Vec<Value> = tail_json(source)
        .into_iter()
        .filter(|r| {
            r["value"]["encoding"]["kind"] == "json_sr"
                && r["value"]["problems"].as_array().unwrap().is_empty()
        })
        .collect();
    assert_eq!(input.len(), 300);
    let by_id: BTreeMap<i64, &Value> = input
        .iter()
        .map(|r| (r["value"]["json"]["id"].as_i64().unwrap(), &r["value"]["json"]))
        .collect();
    for (sink, ids) in expected(&input) {
        let got = tail_json(&topics[sink]);
        let got_ids: BTreeSet<i64> = got
            .iter()
            .map(|r| r["value"]["json"]["id"].as_i64().unwrap())
            .collect();
        assert_eq!(got_ids, ids, "sink {sink}");
        assert_eq!(got.len(), ids.len(), "sink {sink}: duplicates in a clean run");
        for r in &got {
            assert_eq!(r["value"]["encoding"]["kind"], "json_sr", "{sink} writes JSON_SR");
            let v = &r["value"]["json"];
            let src = by_id[&v["id"].as_i64().unwrap()];
            if sink == "loan-events" {
                assert_eq!(v["event_name"], src["event_name"]);
                let data: Value = serde_json::from_str(src["event_data"].as_str().unwrap_or("null")).unwrap();
                assert_eq!(v["loan_id"], data["loanId"]);
                assert_eq!(v["op"], src["__op"]);
                assert_eq!(r["key"]["json"]["id"], v["id"], "keyed by id");
            }
            if sink == "servicing-events" {
                assert_eq!(v["event_data"], src["event_data"]);
                assert_eq!(v["event_type"], src["event_type"]);
            }
        }
    }
    // The four bad records, each with its reason, original bytes unchanged.
    let dlq = tail_json(&topics["raw-business-events-dlq"]);
    let codes: Vec<String> = dlq
        .iter()
        .map(|r| {
            let h = r["headers"].as_array().unwrap();
            let code = h.iter().find(|h| h[0] == "switchyard.error.code").unwrap()[1]
                .as_str()
                .unwrap();
            String::from_utf8(base64_decode(code)).unwrap()
        })
        .collect();
    assert_eq!(
        codes,
        [
            "FRAMING_MISMATCH",
            "FRAMING_MISMATCH",
            "INVALID_JSON",
            "SCHEMA_NOT_FOUND"
        ]
    );
    let captured: Vec<Value> = std::fs::read_to_string(&bad)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let dlq_raw = capture(&topics["raw-business-events-dlq"], dir.path());
    for (got, want) in dlq_raw.iter().zip(&captured) {
        assert_eq!(got["value"], want["value"], "original value bytes are kept");
        assert_eq!(got["key"], want["key"], "original key bytes are kept");
    }
    // Outputs are read by Confluent's own deserializer.
    let loans = expected(&input)["loan-events"].len();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/interop/kafka_peer.py");
    let peer = Command::new(python())
        .args([
            script,
            "consume",
            &bootstrap(),
            &registry(),
            &topics["loan-events"],
            &loans.to_string(),
        ])
        .output()
        .unwrap();
    assert!(peer.status.success(), "{}", text(&peer.stderr));
    assert_eq!(text(&peer.stdout).lines().count(), loans);
}

fn base64_decode(s: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}

fn capture(topic: &str, dir: &Path) -> Vec<Value> {
    let path = dir.join(format!("{topic}.jsonl"));
    let out = switchyard(
        &["tail", topic, "-b", &bootstrap(), "--out", path.to_str().unwrap()],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn spawn_run(sql: &str, extra: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_switchyard"))
        .args(["run", sql, "-b", &bootstrap(), "--registry", &registry()])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// kill -9 the router repeatedly mid-stream, restart: every input reaches its sinks (duplicates allowed).
#[test]
fn kill_9_mid_stream_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (sql, topics) = pipeline(dir.path(), &unique_topic("kill"));
    let source = &topics["raw-business-events"];
    produce_sample(source, "20000", "5");
    // Static membership: a restarted instance takes its killed predecessor's place at once instead of
    // waiting for the dead member's session to expire (noida-db never expires it during a rebalance).
    let member = format!("group.instance.id={}", unique_topic("member"));
    let extra = ["-X", member.as_str(), "-X", "session.timeout.ms=6000"];
    for _ in 0..3 {
        let mut child = spawn_run(&sql, &extra);
        std::thread::sleep(Duration::from_millis(900));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
    }
    run_until_end_as(&sql, &extra);
    let input: Vec<Value> = tail_json(source);
    let expected = expected(&input);
    let mut duplicates = 0;
    for (sink, ids) in &expected {
        let got = tail_json(&topics[sink]);
        let got_ids: BTreeSet<i64> = got
            .iter()
            .map(|r| r["value"]["json"]["id"].as_i64().unwrap())
            .collect();
        assert_eq!(&got_ids, ids, "sink {sink}: every record arrived");
        duplicates += got.len() - got_ids.len();
    }
    eprintln!("duplicates after 3 kills: {duplicates}");
}

/// Poll until `f` holds or `timeout` passes.
fn eventually(timeout: Duration, mut f: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < timeout {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(300));
    }
    false
}

/// The registry is down when the pipeline starts and comes back: nothing is dead-lettered, all arrive.
#[test]
fn registry_outage_stalls_without_dead_letters() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("registry-data");
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let serve = |data: &Path| {
        Command::new(env!("CARGO_BIN_EXE_switchyard"))
            .args([
                "registry",
                "serve",
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--data",
                data.to_str().unwrap(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut reg = serve(&data);
    assert!(eventually(Duration::from_secs(10), || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    }));
    let (sql, topics) = pipeline(dir.path(), &unique_topic("outage"));
    let source = &topics["raw-business-events"];
    let out = switchyard(
        &[
            "produce",
            source,
            "--sample",
            "business-events",
            "200",
            "-b",
            &bootstrap(),
            "--registry",
            &url,
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    reg.kill().unwrap();
    reg.wait().unwrap();
    let mut run = Command::new(env!("CARGO_BIN_EXE_switchyard"))
        .args(["run", &sql, "-b", &bootstrap(), "--registry", &url, "--until-end"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(3));
    assert!(
        run.try_wait().unwrap().is_none(),
        "the pipeline must wait for the registry, not fail"
    );
    let mut reg = serve(&data);
    let status = run.wait().unwrap();
    reg.kill().unwrap();
    let _ = reg.wait();
    assert!(status.success());
    let dlq = switchyard(
        &["tail", &topics["raw-business-events-dlq"], "-b", &bootstrap()],
        None,
    );
    assert_ne!(
        dlq.status.code(),
        Some(0),
        "no dead-letter topic should exist: {}",
        text(&dlq.stdout)
    );
    let loans = switchyard(
        &[
            "tail",
            &topics["loan-events"],
            "-b",
            &bootstrap(),
            "--format",
            "json",
        ],
        None,
    );
    assert!(text(&loans.stdout).lines().count() > 0);
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Two instances in one group share the partitions; one is killed (-9) and the other takes over its
/// partitions: every record reaches its sink.
///
/// Ignored on the bundled broker: noida-db 0.2.3 never expires a member that died without leaving, so the
/// survivor is never given the dead member's partitions — seen with Confluent's own Python client too (two
/// consumers, one killed -9, the other keeps its two of four partitions for good). Run it against a broker
/// that expires sessions: `SWITCHYARD_BOOTSTRAP=host:9092 cargo test -p switchyard --test run_pipeline -- --ignored`.
#[test]
#[ignore = "noida-db does not expire the sessions of killed members; needs a broker that does (SWITCHYARD_BOOTSTRAP)"]
fn two_instances_one_killed_the_other_takes_over() {
    let dir = tempfile::tempdir().unwrap();
    let (sql, topics) = pipeline(dir.path(), &unique_topic("pair"));
    let source = &topics["raw-business-events"];
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/interop/kafka_peer.py");
    let created = Command::new(python())
        .args([script, "create", &bootstrap(), &registry(), source, "4"])
        .output()
        .unwrap();
    assert!(created.status.success(), "{}", text(&created.stderr));
    produce_sample(source, "100000", "9");
    let a_id = format!("group.instance.id={}", unique_topic("a"));
    let b_id = format!("group.instance.id={}", unique_topic("b"));
    let mut a = spawn_run(&sql, &["-X", &a_id, "-X", "session.timeout.ms=6000"]);
    let mut b = spawn_run(&sql, &["-X", &b_id, "-X", "session.timeout.ms=6000"]);
    std::thread::sleep(Duration::from_millis(1500));
    a.kill().unwrap(); // SIGKILL: A's partitions must move to B
    a.wait().unwrap();
    let input = tail_json(source);
    assert_eq!(input.len(), 100000);
    let expected = expected(&input);
    let at_kill = tail_json(&topics["loan-events"]).len();
    eprintln!(
        "loan-events held {at_kill} of {} records when A was killed",
        expected["loan-events"].len()
    );
    let complete = eventually(Duration::from_secs(120), || {
        expected.iter().all(|(sink, ids)| {
            let got: BTreeSet<i64> = tail_json(&topics[sink])
                .iter()
                .map(|r| r["value"]["json"]["id"].as_i64().unwrap())
                .collect();
            &got == ids
        })
    });
    let _ = Command::new("kill").args(["-TERM", &b.id().to_string()]).status();
    let status = b.wait().unwrap();
    assert!(
        complete,
        "B did not take over A's partitions: some records never reached their sinks"
    );
    assert!(status.success(), "B should stop cleanly on SIGTERM");
}
