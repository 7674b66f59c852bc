//! `switchyard run` on a second, independent Kafka-protocol broker (nisshi, started by `.ci/nisshi up` and
//! named by `SWITCHYARD_SECOND_BOOTSTRAP`), for what the default broker cannot show:
//!
//! - failover: noida-db never expires the session of a member killed with -9, so its partitions never move;
//!   nisshi does, so the survivor must take them over and every record must reach its sink;
//! - refusal: nisshi has no transactions, so `--exactly-once` must refuse to start, saying why.
//!
//! Without `SWITCHYARD_SECOND_BOOTSTRAP` the tests fail with how to start the broker, unless
//! `SWITCHYARD_NISSHI=0` is set (then they are skipped with a note).
#![allow(clippy::unwrap_used)]

mod common;

use std::process::Command;
use std::time::Duration;

use common::pipeline::{eventually, expected, ids, pipeline, produce_sample, spawn_run};
use common::{python, registry, switchyard, tail_json, text, unique_topic, use_broker};

/// The second broker, which every helper of this test binary then uses; `None` to skip.
fn second_broker() -> Option<String> {
    match std::env::var("SWITCHYARD_SECOND_BOOTSTRAP") {
        Ok(addr) => {
            use_broker(&addr);
            Some(addr)
        }
        Err(_) if std::env::var("SWITCHYARD_NISSHI").as_deref() == Ok("0") => {
            eprintln!("skipped: SWITCHYARD_NISSHI=0 (no second broker)");
            None
        }
        Err(_) => panic!(
            "no second broker: run `bash .ci/nisshi up` and set SWITCHYARD_SECOND_BOOTSTRAP to the address it \
             prints (.ci/run does both), or set SWITCHYARD_NISSHI=0 to skip"
        ),
    }
}

/// Two instances in one group share the partitions; one is killed (-9) and the other takes over its
/// partitions: every record reaches its sink.
#[test]
fn two_instances_one_killed_the_other_takes_over() {
    let Some(broker) = second_broker() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (sql, topics) = pipeline(dir.path(), &unique_topic("pair"));
    let source = &topics["raw-business-events"];
    let script: &str = &format!(
        "{}/tests/interop/kafka_peer.py",
        std::env::var("CARGO_MANIFEST_DIR").unwrap()
    );
    let created = Command::new(python())
        .args([script, "create", &broker, &registry(), source, "4"])
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
        "loan-events held {at_kill} records ({} distinct expected) when A was killed",
        expected["loan-events"].len()
    );
    let complete = eventually(Duration::from_secs(120), || {
        expected
            .iter()
            .all(|(sink, want)| &ids(&tail_json(&topics[sink])) == want)
    });
    let _ = Command::new("kill").args(["-TERM", &b.id().to_string()]).status();
    let status = b.wait().unwrap();
    assert!(
        complete,
        "B did not take over A's partitions: some records never reached their sinks"
    );
    assert!(status.success(), "B should stop cleanly on SIGTERM");
}

/// `--exactly-once` on a broker without transactions stops before reading anything, saying why and what
/// to do.
#[test]
fn exactly_once_is_refused_where_the_broker_has_no_transactions() {
    let Some(broker) = second_broker() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (sql, topics) = pipeline(dir.path(), &unique_topic("notxn"));
    produce_sample(&topics["raw-business-events"], "10", "1");
    let out = switchyard(
        &[
            "run",
            &sql,
            "-b",
            &broker,
            "--registry",
            &registry(),
            "--exactly-once",
            "--until-end",
        ],
        None,
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("refused Kafka transactions"), "{stderr}");
    assert!(stderr.contains("run without --exactly-once"), "{stderr}");
    assert!(stderr.contains("0 records read"), "nothing may be read: {stderr}");
    // Nothing was written either.
    let sink = switchyard(&["tail", &topics["loan-events"], "-b", &broker], None);
    assert_ne!(sink.status.code(), Some(0), "{}", text(&sink.stdout));
}
