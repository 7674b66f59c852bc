//! Delivery safety of `switchyard capture`: `kill -9` in the middle of streaming, restart, and every
//! row of the table is on the topic (duplicates allowed, and reported); the slot's confirmed flush
//! LSN has moved past the restart point only because Kafka acknowledged the records before it.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod capture_support;
mod common;

use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use capture_support::{Capture, Pg, capture_args, read_topics, unique_prefix};
use serde_json::Value;

const SNAPSHOT_ROWS: usize = 50;
const STREAMED_ROWS: usize = 600;

#[test]
fn kill_9_during_streaming_then_restart_loses_nothing() {
    let pg = Pg::start();
    pg.sql("CREATE TABLE public.ledger (id integer PRIMARY KEY, note text NOT NULL, amount numeric(12,2))");
    pg.sql(&format!(
        "INSERT INTO public.ledger SELECT g, 'snap ' || g, g * 1.25 FROM generate_series(1, {SNAPSHOT_ROWS}) g"
    ));
    let prefix = unique_prefix("kill");
    let topic = format!("{prefix}.public.ledger");
    let mut first = Capture::spawn(&capture_args(
        &pg,
        &prefix,
        "public.ledger",
        &["--format", "json-schemas"],
    ));
    first.wait_for("capture: streaming from LSN", 60);

    // one psql session, one transaction per insert, spread over a few seconds
    let mut script = String::new();
    for i in 1..=STREAMED_ROWS {
        let id = SNAPSHOT_ROWS + i;
        script.push_str(&format!(
            "INSERT INTO public.ledger VALUES ({id}, 'row {id}', {id}.5);\n"
        ));
        if i % 20 == 0 {
            script.push_str("SELECT pg_sleep(0.05);\n");
        }
    }
    let mut writer = Command::new("psql")
        .args([
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            "postgres",
        ])
        .args(["-p", &pg.port.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    writer.stdin.take().unwrap().write_all(script.as_bytes()).unwrap();

    // kill -9 while rows are streaming
    std::thread::sleep(Duration::from_millis(700));
    first.child.kill().unwrap(); // SIGKILL
    let _ = first.child.wait();
    let seen_before_kill = read_topics(std::slice::from_ref(&topic), None).len();
    assert!(writer.wait().unwrap().success());
    let lsn_before = pg
        .sql("SELECT confirmed_flush_lsn FROM pg_replication_slots")
        .trim()
        .to_string();

    // restart: the slot exists, so no snapshot; streaming resumes at the confirmed flush LSN
    let second = Capture::spawn(&capture_args(
        &pg,
        &prefix,
        "public.ledger",
        &["--format", "json-schemas", "--stop-after-idle", "6"],
    ));
    let stderr = second.finish(120);
    assert!(
        !stderr.contains("snapshot done"),
        "a restart must not snapshot again:\n{stderr}"
    );
    let lsn_after = pg
        .sql("SELECT confirmed_flush_lsn FROM pg_replication_slots")
        .trim()
        .to_string();
    let current = pg.sql(&format!(
        "SELECT pg_current_wal_lsn() >= confirmed_flush_lsn AND confirmed_flush_lsn > '{lsn_before}'::pg_lsn \
         FROM pg_replication_slots"
    ));
    assert_eq!(
        current.trim(),
        "t",
        "confirmed flush LSN did not advance: {lsn_before} → {lsn_after}"
    );

    let recs = read_topics(std::slice::from_ref(&topic), None);
    let mut seen: BTreeMap<i64, usize> = BTreeMap::new();
    for r in &recs {
        let Some(v) = &r.value else { continue };
        let v: Value = serde_json::from_str(v).unwrap();
        let id = v["payload"]["after"]["id"].as_i64().unwrap();
        *seen.entry(id).or_default() += 1;
    }
    let table: Vec<i64> = pg
        .sql("SELECT id FROM public.ledger ORDER BY id")
        .lines()
        .map(|l| l.trim().parse().unwrap())
        .collect();
    let missing: Vec<i64> = table
        .iter()
        .copied()
        .filter(|id| !seen.contains_key(id))
        .collect();
    assert!(
        missing.is_empty(),
        "lost rows after kill -9 + restart: {missing:?}"
    );
    assert_eq!(seen.len(), SNAPSHOT_ROWS + STREAMED_ROWS);
    let duplicates: usize = seen.values().map(|n| n - 1).sum();
    eprintln!(
        "kill -9 after {seen_before_kill} records; restart from {lsn_before} to {lsn_after}; {} records, {duplicates} duplicates",
        recs.len()
    );
}

/// A crash during the initial snapshot must not leave a slot that a restart resumes from with no
/// baseline: the snapshot marker slot survives the crash, and the restart drops the slot and snapshots again.
#[test]
fn kill_9_during_the_snapshot_then_restart_takes_it_again() {
    const ROWS: usize = 50_000;
    let pg = Pg::start();
    pg.sql("CREATE TABLE public.big (id integer PRIMARY KEY, payload text NOT NULL)");
    pg.sql(&format!(
        "INSERT INTO public.big SELECT g, repeat(md5(g::text), 3) FROM generate_series(1, {ROWS}) g"
    ));
    let prefix = unique_prefix("snapkill");
    let topic = format!("{prefix}.public.big");
    let args = capture_args(&pg, &prefix, "public.big", &["--format", "json"]);
    let mut first = Capture::spawn(&args);
    first.wait_for("capture: snapshot of 1 table(s)", 60);
    std::thread::sleep(Duration::from_millis(300));
    first.child.kill().unwrap(); // SIGKILL, mid-snapshot
    let _ = first.child.wait();
    let markers = pg.sql("SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE '%\\_snapshot'");
    assert_eq!(
        markers.trim(),
        "1",
        "the kill did not land during the snapshot; stderr:\n{}",
        first.stderr.join("\n")
    );
    pg.sql("INSERT INTO public.big VALUES (0, 'after the crash')");

    let mut restart = args.clone();
    restart.extend(["--stop-after-idle".to_string(), "6".to_string()]);
    let second = Capture::spawn(&restart);
    let stderr = second.finish(180);
    assert!(stderr.contains("did not complete: dropping the slot"), "{stderr}");
    assert!(stderr.contains("snapshot done"), "{stderr}");
    let markers = pg.sql("SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE '%\\_snapshot'");
    assert_eq!(markers.trim(), "0");

    let mut seen = std::collections::BTreeSet::new();
    for r in read_topics(std::slice::from_ref(&topic), None) {
        let v: Value = serde_json::from_str(r.value.as_deref().unwrap()).unwrap();
        seen.insert(v["after"]["id"].as_i64().unwrap());
    }
    assert_eq!(
        seen.len(),
        ROWS + 1,
        "every row, including the one written while the capture was down"
    );
}
