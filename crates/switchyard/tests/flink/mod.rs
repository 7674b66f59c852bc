//! Running Flink SQL on real Apache Flink (PyFlink) from the tests: `harness.py` beside this file takes a
//! batch of cases and runs them all in one JVM (a JVM start costs seconds; a case costs a fraction).
//!
//! PyFlink lives in its own venv (`$SWITCHYARD_CACHE/flink-venv`, which `.ci/run` creates);
//! `SWITCHYARD_FLINK_PYTHON` names another Python. `SWITCHYARD_FLINK=0` skips these checks with a note.
#![allow(dead_code)] // each test binary uses its own subset

use std::path::PathBuf;
use std::process::Command;

use serde_json::{Value, json};

/// The Python with PyFlink, or `None` (after printing why) when `SWITCHYARD_FLINK=0` skips the check.
/// Panics when PyFlink is missing: a check that silently does not run proves nothing.
pub fn python() -> Option<String> {
    if std::env::var("SWITCHYARD_FLINK").is_ok_and(|v| v == "0") {
        eprintln!("note: SWITCHYARD_FLINK=0: the checks against real Apache Flink are skipped");
        return None;
    }
    let py = std::env::var("SWITCHYARD_FLINK_PYTHON").unwrap_or_else(|_| {
        let cache = std::env::var("SWITCHYARD_CACHE").unwrap_or_else(|_| "/root/.cache/switchyard".into());
        format!("{cache}/flink-venv/bin/python")
    });
    let ok = Command::new(&py)
        .args(["-c", "import pyflink"])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "PyFlink is not installed for `{py}`: run `bash .ci/run` (it creates $SWITCHYARD_CACHE/flink-venv with \
         apache-flink==2.3.0), point SWITCHYARD_FLINK_PYTHON at a Python that has it, or set SWITCHYARD_FLINK=0 \
         to skip the checks against real Flink"
    );
    Some(py)
}

/// One case: a script, `explain` (plan every INSERT) or `count` (run every INSERT's SELECT over `files`).
pub fn case(name: &str, sql: &str, mode: &str, files: &[(String, PathBuf)]) -> Value {
    let files: serde_json::Map<String, Value> = files
        .iter()
        .map(|(topic, path)| (topic.clone(), json!(path.to_str().unwrap())))
        .collect();
    json!({"name": name, "sql": sql, "mode": mode, "files": files})
}

/// Runs the cases in one PyFlink process; returns one result per case, in order:
/// `{"name","ddl_error","statements":[{"sql","rows","error"}]}`.
pub fn run(py: &str, cases: Vec<Value>, dir: &std::path::Path) -> Vec<Value> {
    let spec = dir.join("flink-cases.json");
    std::fs::write(&spec, serde_json::to_vec(&json!({ "cases": cases })).unwrap()).unwrap();
    let harness = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("tests/flink/harness.py");
    let out = Command::new(py).arg(harness).arg(&spec).output().unwrap();
    assert!(
        out.status.success(),
        "the PyFlink harness failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "harness output is not JSON ({e}):\n{}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    v["cases"].as_array().unwrap().clone()
}
