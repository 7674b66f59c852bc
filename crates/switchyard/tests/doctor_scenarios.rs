//! `switchyard doctor` on the shared incident corpus (`$SWITCHYARD_SHARED/scenarios`, or `../shared` beside
//! the repository) and on the bundled example: the root cause is the expected one, every other reported code
//! is one the incident's `expected.json` allows, the exit code follows the verdict, and the corrected SQL
//! the doctor writes is itself found healthy on the same evidence.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};

use common::{repo, shared, switchyard, text};
use serde_json::Value;

fn scenario_dirs() -> Vec<PathBuf> {
    let dir = shared().join("scenarios");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("expected.json").exists())
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty(), "no scenarios under {}", dir.display());
    dirs
}

fn doctor_json(dir: &Path) -> (Value, i32) {
    let out = switchyard(&["doctor", dir.to_str().unwrap(), "--format", "json"], None);
    let code = out.status.code().unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{}: not JSON ({e}): {}\n{}",
            dir.display(),
            text(&out.stdout),
            text(&out.stderr)
        )
    });
    (report, code)
}

fn codes(report: &Value) -> Vec<(String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Copies the evidence (not the SQL) of `dir` and puts `sql` beside it.
fn with_sql(dir: &Path, sql: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    for part in ["registry", "topics"] {
        if dir.join(part).is_dir() {
            copy_dir(&dir.join(part), &tmp.path().join(part));
        }
    }
    if dir.join("connector.json").exists() {
        std::fs::copy(dir.join("connector.json"), tmp.path().join("connector.json")).unwrap();
    }
    std::fs::write(tmp.path().join("job.sql"), sql).unwrap();
    tmp
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let dest = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).unwrap();
        }
    }
}

#[test]
fn shared_scenarios_name_the_expected_root_cause() {
    let mut failures = Vec::new();
    for dir in scenario_dirs() {
        let expected: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
        let root = expected["root_cause"].as_str().unwrap();
        let mut allowed: Vec<&str> = expected["also"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        allowed.push(root);
        let (report, code) = doctor_json(&dir);
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        if report["root_cause"] != root {
            failures.push(format!(
                "{name}: root cause {} (expected {root})",
                report["root_cause"]
            ));
        }
        for (c, sev) in codes(&report) {
            if !allowed.contains(&c.as_str()) {
                failures.push(format!("{name}: reported {c} ({sev}), not in {allowed:?}"));
            }
        }
        let want_exit = if root == "HEALTHY" { 0 } else { 1 };
        if code != want_exit {
            failures.push(format!("{name}: exit {code}, expected {want_exit}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn corrected_sql_is_healthy_on_the_same_evidence() {
    let mut checked = 0;
    let mut dirs = scenario_dirs();
    dirs.push(repo().join("examples/business-events-incident"));
    for dir in dirs {
        let (report, _) = doctor_json(&dir);
        let Some(sql) = report["fixed_sql"].as_str() else {
            continue;
        };
        let tmp = with_sql(&dir, sql);
        let (again, code) = doctor_json(tmp.path());
        assert_eq!(
            again["root_cause"],
            "HEALTHY",
            "{}: the corrected SQL still has {}:\n{sql}",
            dir.display(),
            again["root_cause"]
        );
        assert_eq!(code, 0);
        checked += 1;
    }
    assert!(checked >= 6, "only {checked} scenarios had a corrected SQL");
}

#[test]
fn fix_flag_writes_the_corrected_sql_beside_the_original() {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&shared().join("scenarios/05-predicate-case"), tmp.path());
    let out = switchyard(&["doctor", tmp.path().to_str().unwrap(), "--fix"], None);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let fixed = std::fs::read_to_string(tmp.path().join("business-events-routing.fixed.sql")).unwrap();
    assert!(fixed.contains("WHERE UPPER(event_type) = 'LOAN';"), "{fixed}");
    assert!(text(&out.stderr).contains("corrected SQL written to"));
}

#[test]
fn bundled_example_names_the_real_root_cause() {
    let (report, code) = doctor_json(&repo().join("examples/business-events-incident"));
    assert_eq!(report["root_cause"], "TOPIC_MISMATCH");
    assert_eq!(report["verdict"], "broken");
    assert_eq!(code, 1);
}

#[test]
fn usage_errors_exit_2() {
    let out = switchyard(&["doctor"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("nothing to diagnose"),
        "{}",
        text(&out.stderr)
    );
    let out = switchyard(&["doctor", "/nonexistent/incident"], None);
    assert_eq!(out.status.code(), Some(2));
    let out = switchyard(&["doctor", "--help"], None);
    assert!(text(&out.stdout).contains("Exit codes: 0 healthy, 1 problems found, 2 usage error."));
}

fn json_text(dir: &Path) -> String {
    text(&switchyard(&["doctor", dir.to_str().unwrap(), "--format", "json"], None).stdout)
}

#[test]
fn snapshots_of_reports() {
    let human = |dir: &Path| text(&switchyard(&["doctor", dir.to_str().unwrap()], None).stdout);
    let markdown = |dir: &Path| {
        text(&switchyard(&["doctor", dir.to_str().unwrap(), "--format", "markdown"], None).stdout)
    };
    let s = shared().join("scenarios");
    insta::assert_snapshot!(
        "doctor_human_01_user_json_over_jsonsr",
        human(&s.join("01-user-json-over-jsonsr"))
    );
    insta::assert_snapshot!(
        "doctor_human_05_predicate_case",
        human(&s.join("05-predicate-case"))
    );
    insta::assert_snapshot!(
        "doctor_human_example",
        human(&repo().join("examples/business-events-incident"))
    );
    insta::assert_snapshot!(
        "doctor_json_04_timestamp3",
        json_text(&s.join("04-timestamp3-over-microtimestamp"))
    );
    insta::assert_snapshot!(
        "doctor_json_08_offsets",
        json_text(&s.join("08-group-offsets-at-end"))
    );
    insta::assert_snapshot!(
        "doctor_markdown_03_envelope",
        markdown(&s.join("03-json-registry-over-envelope"))
    );
}
