//! The whole system on one machine: PostgreSQL → `switchyard capture` (flattened like ExtractNewRecordState,
//! JSON_SR registered in the embedded registry) → broker → `switchyard run` on the bundled business-events
//! pipeline → the expected records in every sink.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod capture_support;
mod common;

use std::collections::BTreeSet;

use capture_support::{Capture, Pg, capture_args, scenario, unique_prefix};
use common::{bootstrap, registry, repo, switchyard, tail_json, text};
use serde_json::Value;

fn ids(records: &[Value], keep: impl Fn(&Value) -> bool) -> BTreeSet<i64> {
    records
        .iter()
        .map(|r| &r["value"]["json"])
        .filter(|v| v.is_object() && keep(v))
        .map(|v| v["id"].as_i64().unwrap())
        .collect()
}

#[test]
fn postgres_to_capture_to_run_routes_every_change() {
    let pg = Pg::start();
    let sc = scenario("visible");
    for s in &sc.setup {
        pg.sql(s);
    }
    let prefix = unique_prefix("e2e");
    let source = format!("{prefix}.public.business_events");
    let r = registry();
    let extra = [
        "--registry",
        r.as_str(),
        "--format",
        "json-sr",
        "--unwrap",
        "--add-fields",
        "op,table,ts_ms",
        "--delete-handling",
        "rewrite",
        "--stop-after-idle",
        "6",
    ];
    let mut cap = Capture::spawn(&capture_args(&pg, &prefix, "public.business_events", &extra));
    cap.wait_for("capture: streaming from LSN", 60);
    for s in &sc.dml {
        pg.sql(s);
    }
    cap.finish(90);

    // The bundled pipeline, reading the capture's topic, writing topics of its own.
    let sql = std::fs::read_to_string(repo().join("examples/business-events/pipeline.sql")).unwrap();
    let mut sql = sql.replace("'raw-business-events-dlq'", &format!("'{prefix}-dlq'"));
    sql = sql.replace("'raw-business-events'", &format!("'{source}'"));
    for t in ["loan-events", "servicing-events", "business-events-audit"] {
        sql = sql.replace(&format!("'{t}'"), &format!("'{prefix}-{t}'"));
    }
    sql = sql.replace("'business-events-routing'", &format!("'{prefix}-routing'"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pipeline.sql");
    std::fs::write(&path, sql).unwrap();
    let out = switchyard(
        &[
            "run",
            path.to_str().unwrap(),
            "-b",
            &bootstrap(),
            "--registry",
            &r,
            "--until-end",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "run: {}", text(&out.stderr));

    let input = tail_json(&source);
    assert!(input.len() >= 10, "the capture wrote {} records", input.len());
    let ty = |v: &Value| v["event_type"].as_str().unwrap_or_default().to_string();
    let op = |v: &Value| v["__op"].as_str().unwrap_or_default().to_string();
    let loans = ids(&input, |v| ty(v).to_uppercase() == "LOAN" && op(v) != "d");
    let servicing = ids(&input, |v| {
        ["PAYMENT", "ESCROW"].contains(&ty(v).as_str()) && op(v) != "d"
    });
    let audit = ids(&input, |v| {
        op(v) == "d"
            || (["c", "u"].contains(&op(v).as_str())
                && !["LOAN", "PAYMENT", "ESCROW"].contains(&ty(v).as_str()))
    });
    assert!(
        !loans.is_empty() && !servicing.is_empty() && !audit.is_empty(),
        "the scenario covers every route"
    );
    assert_eq!(ids(&tail_json(&format!("{prefix}-loan-events")), |_| true), loans);
    assert_eq!(
        ids(&tail_json(&format!("{prefix}-servicing-events")), |_| true),
        servicing
    );
    assert_eq!(
        ids(&tail_json(&format!("{prefix}-business-events-audit")), |_| true),
        audit
    );
    // Nothing went to the dead-letter topic: the capture's bytes are what the pipeline expects.
    let dlq = switchyard(&["tail", &format!("{prefix}-dlq"), "-b", &bootstrap()], None);
    assert_ne!(
        dlq.status.code(),
        Some(0),
        "unexpected dead letters: {}",
        text(&dlq.stdout)
    );
}
