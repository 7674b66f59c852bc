//! Confluent's own Python client (`confluent-kafka[schemaregistry,json]`) against `switchyard registry
//! serve`, over HTTP: registration, lookups, compatibility, config, deletes, error codes, and a
//! JSONSerializer/JSONDeserializer round trip. The Python side lives in `tests/interop/registry_client.py`.
//!
//! The interpreter is `$SWITCHYARD_PYTHON` (CI points it at a venv with the client), else `python3`.
//! A missing Python peer fails the test: an interop test that silently skips proves nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test

mod registry_support;

use std::process::Command;

use registry_support::ServerProcess;

fn python() -> String {
    std::env::var("SWITCHYARD_PYTHON").unwrap_or_else(|_| "python3".to_string())
}

#[test]
fn confluent_python_client_against_our_server() {
    let py = python();
    let probe = Command::new(&py)
        .args(["-c", "import confluent_kafka, confluent_kafka.schema_registry.json_schema; print(confluent_kafka.version())"])
        .output();
    match probe {
        Ok(out) if out.status.success() => {
            eprintln!(
                "python peer: {py}, confluent-kafka {}",
                String::from_utf8_lossy(&out.stdout).trim()
            );
        }
        Ok(out) => panic!(
            "the Python peer is missing: `{py}` cannot import confluent_kafka's schema registry client ({}).\n\
             Install it: python3 -m venv /root/.cache/switchyard/venv && \
             /root/.cache/switchyard/venv/bin/pip install 'confluent-kafka[schemaregistry,json]==2.16.1', \
             then set SWITCHYARD_PYTHON=/root/.cache/switchyard/venv/bin/python",
            String::from_utf8_lossy(&out.stderr).trim()
        ),
        Err(e) => panic!(
            "the Python peer is missing: cannot run `{py}`: {e}. Set SWITCHYARD_PYTHON to a Python with confluent-kafka[schemaregistry,json]==2.16.1"
        ),
    }

    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("data"), &[]);
    let script: &str = &format!(
        "{}/tests/interop/registry_client.py",
        std::env::var("CARGO_MANIFEST_DIR").unwrap()
    );
    let out = Command::new(&py)
        .arg(script)
        .arg(&server.url)
        .output()
        .expect("run the interop script");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "Confluent's Python client disagreed with our server:\n--- stdout\n{stdout}\n--- stderr\n{stderr}\n--- server log\n{}",
        server.stderr()
    );
    assert!(stdout.contains("checks passed"), "{stdout}");
}
