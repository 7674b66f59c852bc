//! `switchyard run` end to end on a real broker and the embedded registry: the bundled example routes
//! exactly the expected records (content checked) and dead-letters the bad ones with their headers;
//! outputs decode with Confluent's JSONDeserializer; kill -9 and restart loses nothing.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::pipeline::{
    base64_decode, create_topic, eventually, expected, free_port, ids, pipeline, produce, produce_sample,
    spawn_run,
};
use common::{bootstrap, python, registry, repo, switchyard, tail_json, text, unique_topic};
use serde_json::Value;

fn bootstrap_static() -> &'static str {
    static B: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    B.get_or_init(bootstrap)
}

fn registry_static() -> &'static str {
    static R: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    R.get_or_init(registry)
}

/// The arguments of `switchyard run SQL` against the test broker and registry, then `extra`.
fn run_args<'a>(sql: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "run",
        sql,
        "-b",
        bootstrap_static(),
        "--registry",
        registry_static(),
    ];
    args.extend_from_slice(extra);
    args
}

fn run_until_end(sql: &str) {
    run_until_end_as(sql, &[]);
}

/// `extra` adds client properties, e.g. a static group member id. Returns the run's stderr.
fn run_until_end_as(sql: &str, extra: &[&str]) -> String {
    let out = switchyard(&run_args(sql, &[&["--until-end"], extra].concat()), None);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "run failed: {stderr}");
    stderr
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
            "-H",
            "source=replay",
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
    for (sink, want) in expected(&input) {
        let got = tail_json(&topics[sink]);
        let got_ids = ids(&got);
        assert_eq!(got_ids, want, "sink {sink}");
        assert_eq!(got.len(), want.len(), "sink {sink}: duplicates in a clean run");
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
    // The record's own headers come first, as they were: the captured ones, then `-H source=replay`.
    let captured: Vec<Value> = std::fs::read_to_string(&bad)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for (r, want) in dlq.iter().zip(&captured) {
        let own: Vec<&Value> = r["headers"]
            .as_array()
            .unwrap()
            .iter()
            .take_while(|h| !h[0].as_str().unwrap().starts_with("switchyard."))
            .collect();
        let mut expected: Vec<Value> = want["headers"].as_array().unwrap().clone();
        expected.push(serde_json::json!(["source", "cmVwbGF5"]));
        assert_eq!(own, expected.iter().collect::<Vec<_>>(), "{r}");
    }
    let dlq_raw = capture(&topics["raw-business-events-dlq"], dir.path());
    for (got, want) in dlq_raw.iter().zip(&captured) {
        assert_eq!(got["value"], want["value"], "original value bytes are kept");
        assert_eq!(got["key"], want["key"], "original key bytes are kept");
    }
    // Outputs are read by Confluent's own deserializer.
    let loans = expected(&input)["loan-events"].len();
    let script: &str = &format!(
        "{}/tests/interop/kafka_peer.py",
        std::env::var("CARGO_MANIFEST_DIR").unwrap()
    );
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
    // Commits every 200 ms, so each killed run has committed part of its work.
    let extra = [
        "-X",
        member.as_str(),
        "-X",
        "session.timeout.ms=6000",
        "-X",
        "auto.commit.interval.ms=200",
    ];
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
    for (sink, want) in &expected {
        let got = tail_json(&topics[sink]);
        let got_ids = ids(&got);
        assert_eq!(&got_ids, want, "sink {sink}: every record arrived");
        duplicates += got.len() - got_ids.len();
    }
    eprintln!("duplicates after 3 kills: {duplicates}");
}

/// `--parallelism 3` (or the script's `SET 'parallelism.default'`): three consumers on threads of their
/// own share a four-partition topic in one group, and every record is routed as with one.
#[test]
fn parallel_consumers_share_the_partitions() {
    let dir = tempfile::tempdir().unwrap();
    let (sql, topics) = pipeline(dir.path(), &unique_topic("parallel"));
    let source = &topics["raw-business-events"];
    create_topic(source, 4);
    produce_sample(source, "6000", "17");
    let input: Vec<Value> = tail_json(source);
    let partitions: BTreeSet<i64> = input.iter().map(|r| r["partition"].as_i64().unwrap()).collect();
    assert_eq!(partitions.len(), 4, "the keys spread over every partition");
    let expected = expected(&input);

    // Runs a pipeline to the end with info logs; returns the log.
    let run_logged = |sql: &str, extra: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_switchyard"))
            .args(run_args(sql, &[&["--until-end"], extra].concat()))
            .env("SWITCHYARD_LOG", "info")
            .output()
            .unwrap();
        let log = text(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "run failed: {log}");
        log
    };
    let log = run_logged(&sql, &["--parallelism", "3"]);
    assert!(log.contains("consumers=3"), "three consumers started: {log}");
    for (sink, want) in &expected {
        let got = ids(&tail_json(&topics[sink]));
        assert_eq!(&got, want, "sink {sink}: exactly the expected records");
    }

    // The script's setting, on a second pass with a new group into new sinks: two consumers, the same
    // outputs.
    let mut renamed = std::fs::read_to_string(&sql)
        .unwrap()
        .replace("'routing-", "'routing-again-");
    for sink in expected.keys() {
        let t = &topics[sink];
        renamed = renamed.replace(&format!("'{t}'"), &format!("'{t}-again'"));
    }
    let again = dir.path().join("again.sql");
    std::fs::write(&again, format!("SET 'parallelism.default' = '2';\n{renamed}")).unwrap();
    let log = run_logged(again.to_str().unwrap(), &[]);
    assert!(log.contains("consumers=2"), "two consumers started: {log}");
    for (sink, want) in &expected {
        let got = ids(&tail_json(&format!("{}-again", topics[sink])));
        assert_eq!(&got, want, "sink {sink}: the second pass routes the same records");
    }
}

/// With several consumers, one that fails (`'error-handling.mode' = 'fail'` on a bad record) stops the
/// others: the process exits 1 with the record's failure, it does not hang on the healthy consumers.
#[test]
fn a_failing_consumer_stops_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let (sql, topics) = pipeline(dir.path(), &unique_topic("parfail"));
    let source = &topics["raw-business-events"];
    create_topic(source, 2);
    produce_sample(source, "200", "3");
    // One bad record, so one partition and one consumer fail; the other consumer is healthy.
    let all = std::fs::read_to_string(repo().join("examples/business-events/bad-records.jsonl")).unwrap();
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(&bad, format!("{}\n", all.lines().next().unwrap())).unwrap();
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
    let failing = std::fs::read_to_string(&sql)
        .unwrap()
        .replace("'error-handling.mode' = 'log'", "'error-handling.mode' = 'fail'");
    std::fs::write(&sql, failing).unwrap();
    // No --until-end: only the failure can end this run.
    let mut child = Command::new(env!("CARGO_BIN_EXE_switchyard"))
        .args(run_args(&sql, &["--parallelism", "2"]))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let exited = eventually(Duration::from_secs(60), || child.try_wait().unwrap().is_some());
    if !exited {
        child.kill().unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(exited, "run did not stop after a consumer failed");
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("'error-handling.mode' is 'fail'"), "{err}");
}

/// An output librdkafka refuses (larger than `message.max.bytes`) stops the pipeline with the reason and
/// commits nothing past it: a run without the limit delivers every record, the refused one included.
#[test]
fn a_failed_delivery_stops_the_pipeline_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (sql, topics) = pipeline(dir.path(), &unique_topic("undeliverable"));
    let source = &topics["raw-business-events"];
    // Payments (routed to servicing-events with their event_data); the 300th is ~3 KB.
    let lines: String = (1..=600)
        .map(|id| {
            let data = if id == 300 {
                "x".repeat(3000)
            } else {
                format!("n{id}")
            };
            format!(
                "{}\n",
                serde_json::json!({"id": id, "event_name": "paid", "event_type": "PAYMENT",
                    "event_data": data, "__op": "c", "__table": "business_events", "__ts_ms": 1})
            )
        })
        .collect();
    let file = dir.path().join("payments.jsonl");
    std::fs::write(&file, lines).unwrap();
    produce(source, &[file.to_str().unwrap()]);
    // Static membership, as after kill -9: the second run takes the failed one's place in the group at
    // once (noida-db never expires a member that did not leave).
    let member = format!("group.instance.id={}", unique_topic("member"));
    let extra = ["-X", member.as_str(), "-X", "session.timeout.ms=6000"];
    let limited = [&extra[..], &["--until-end", "-X", "message.max.bytes=1000"]].concat();
    let out = switchyard(&run_args(&sql, &limited), None);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("sending to `{}`", topics["servicing-events"])) && err.contains("too large"),
        "{err}"
    );
    run_until_end_as(&sql, &extra);
    let got = ids(&tail_json(&topics["servicing-events"]));
    assert_eq!(got, (1..=600).collect::<BTreeSet<i64>>(), "every payment arrived");
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

/// `--exactly-once`: kill -9 the router repeatedly mid-stream, restart; a `read_committed` reader of every
/// sink sees each expected record exactly once — the outputs of the killed runs' open transactions are
/// aborted, never shown.
#[test]
fn exactly_once_kill_9_neither_loses_nor_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let (sql, topics) = pipeline(dir.path(), &unique_topic("eos"));
    let source = &topics["raw-business-events"];
    produce_sample(source, "20000", "7");
    // Static membership also makes the transactional id stable, so a restarted member fences its
    // predecessor and the broker aborts the dead member's open transaction at once.
    let member = format!("group.instance.id={}", unique_topic("eos-member"));
    let extra = [
        "--exactly-once",
        "-X",
        member.as_str(),
        "-X",
        "session.timeout.ms=6000",
    ];
    for _ in 0..3 {
        let mut child = spawn_run(&sql, &extra);
        std::thread::sleep(Duration::from_millis(1500));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
    }
    let stderr = run_until_end_as(&sql, &extra);
    // The killed runs committed part of the work, so the kills fell mid-stream.
    let read_by_last: usize = stderr
        .lines()
        .find_map(|l| {
            l.strip_suffix(" dead-lettered")?
                .split(" records read")
                .next()?
                .parse()
                .ok()
        })
        .unwrap();
    assert!(
        read_by_last < 20000,
        "the killed runs committed nothing: {stderr}"
    );
    let input: Vec<Value> = tail_json(source);
    assert_eq!(input.len(), 20000);
    let expected = expected(&input);
    for (sink, ids) in &expected {
        let got = tail_json(&topics[sink]);
        let got_ids: Vec<i64> = got
            .iter()
            .map(|r| r["value"]["json"]["id"].as_i64().unwrap())
            .collect();
        let unique: BTreeSet<i64> = got_ids.iter().copied().collect();
        assert_eq!(&unique, ids, "sink {sink}: every record arrived");
        assert_eq!(
            got_ids.len(),
            ids.len(),
            "sink {sink}: no duplicates under exactly-once"
        );
    }
    // What the killed runs wrote and never committed is still in the log, invisible to read_committed.
    let uncommitted = switchyard(
        &[
            "tail",
            &topics["loan-events"],
            "-b",
            &bootstrap(),
            "-X",
            "isolation.level=read_uncommitted",
            "--format",
            "json",
        ],
        None,
    );
    eprintln!(
        "loan-events: {} committed, {} records in the log including aborted transactions",
        expected["loan-events"].len(),
        text(&uncommitted.stdout).lines().count()
    );
}

/// Writable sink metadata: a `timestamp` column sets the record timestamp and a `headers` column the
/// record headers, as Flink's Kafka connector writes them.
#[test]
fn sink_metadata_columns_set_timestamp_and_headers() {
    let dir = tempfile::tempdir().unwrap();
    let (_, topics) = pipeline(dir.path(), &unique_topic("meta"));
    let source = &topics["raw-business-events"];
    let sink = unique_topic("meta-out");
    produce_sample(source, "50", "3");
    // An hour ago: recent enough that the broker's time-based retention (7 days by default) keeps the
    // records; a timestamp older than retention.ms may be deleted by the broker at once.
    let base = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
        - 3_600_000;
    let sql = format!(
        "CREATE TABLE src (
           id BIGINT NOT NULL, event_type STRING, created_date TIMESTAMP(6), __op STRING, __table STRING
         ) WITH ('connector' = 'kafka', 'topic' = '{source}', 'properties.group.id' = '{group}',
                 'scan.startup.mode' = 'earliest-offset', 'value.format' = 'json-registry');
         CREATE TABLE out_events (
           id BIGINT,
           event_type STRING,
           ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp',
           hdrs MAP<STRING, BYTES> METADATA FROM 'headers'
         ) WITH ('connector' = 'kafka', 'topic' = '{sink}', 'value.format' = 'json');
         INSERT INTO out_events
         SELECT id, event_type, TO_TIMESTAMP_LTZ({base} + id, 3),
                MAP['source-table', CAST(__table AS BYTES), 'op', CAST(__op AS BYTES)]
         FROM src;",
        group = unique_topic("meta-group"),
    );
    let path = dir.path().join("meta.sql");
    std::fs::write(&path, sql).unwrap();
    run_until_end(path.to_str().unwrap());
    let input: BTreeMap<i64, Value> = tail_json(source)
        .into_iter()
        .map(|r| {
            (
                r["value"]["json"]["id"].as_i64().unwrap(),
                r["value"]["json"].clone(),
            )
        })
        .collect();
    let got = tail_json(&sink);
    assert_eq!(got.len(), input.len());
    for r in &got {
        let id = r["value"]["json"]["id"].as_i64().unwrap();
        assert_eq!(r["timestamp"].as_i64(), Some(base + id), "{r}");
        let headers: BTreeMap<String, String> = r["headers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                let value = String::from_utf8(base64_decode(h[1].as_str().unwrap())).unwrap();
                (h[0].as_str().unwrap().to_string(), value)
            })
            .collect();
        assert_eq!(headers["source-table"], input[&id]["__table"].as_str().unwrap());
        assert_eq!(headers["op"], input[&id]["__op"].as_str().unwrap());
        assert!(
            r["value"]["json"].get("ts").is_none() && r["value"]["json"].get("hdrs").is_none(),
            "metadata columns are not part of the value: {r}"
        );
    }
}
