//! `switchyard registry …` end to end against the real `serve` binary: register, get, versions, id,
//! config, mode, delete, export, import (ids and versions kept), and `check` as a CI gate (exit 1 with
//! JSON paths when incompatible). Every subcommand's `--help` carries an example.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test

mod registry_support;

use std::path::Path;
use std::process::{Command, Output};

use registry_support::ServerProcess;

fn sy(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_switchyard"))
        .args(args)
        .env_remove("SCHEMA_REGISTRY_URL")
        .output()
        .unwrap()
}

fn ok(args: &[&str]) -> String {
    let out = sy(args);
    assert!(
        out.status.success(),
        "{args:?} failed ({:?}):\n{}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

const V1: &str = r#"{"type":"object","properties":{"id":{"type":"integer"},"amount":{"type":"number"}},"additionalProperties":false}"#;
const V2: &str = r#"{"type":"object","properties":{"id":{"type":"integer"},"amount":{"type":"number"},"note":{"type":"string"}},"additionalProperties":false}"#;
const BAD: &str = r#"{"type":"object","properties":{"id":{"type":"integer"},"amount":{"type":"string"}},"additionalProperties":false}"#;

#[test]
fn cli_round_trip_export_import_and_check() {
    let tmp = tempfile::tempdir().unwrap();
    let src = ServerProcess::start(&tmp.path().join("src"), &[]);
    let r = src.url.as_str();
    let v1 = write(tmp.path(), "v1.json", V1);
    let v2 = write(tmp.path(), "v2.json", V2);
    let bad = write(tmp.path(), "bad.json", BAD);
    let customer = write(
        tmp.path(),
        "customer.json",
        r#"{"type":"object","properties":{"name":{"type":"string"}}}"#,
    );
    let invoice = write(
        tmp.path(),
        "invoice.json",
        r#"{"type":"object","properties":{"customer":{"$ref":"customer.json"}}}"#,
    );

    assert_eq!(
        ok(&["registry", "register", "orders-value", &v1, "--registry", r]).trim(),
        "registered orders-value version 1: id 1"
    );
    assert!(ok(&["registry", "register", "orders-value", &v2, "--registry", r]).contains("version 2: id 2"));
    ok(&[
        "registry",
        "register",
        "customer-value",
        &customer,
        "--registry",
        r,
    ]);
    let out = ok(&[
        "registry",
        "register",
        "invoice-value",
        &invoice,
        "--reference",
        "customer.json=customer-value/1",
        "--registry",
        r,
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["id"], 4);

    assert_eq!(
        ok(&["registry", "subjects", "--registry", r])
            .lines()
            .collect::<Vec<_>>(),
        ["customer-value", "invoice-value", "orders-value"]
    );
    assert_eq!(
        ok(&[
            "registry",
            "versions",
            "orders-value",
            "--registry",
            r,
            "--format",
            "json"
        ])
        .trim(),
        "[1,2]"
    );
    let got: serde_json::Value = serde_json::from_str(&ok(&[
        "registry",
        "get",
        "orders-value/1",
        "--registry",
        r,
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(
        (
            got["id"].as_i64(),
            got["version"].as_i64(),
            got["schemaType"].as_str()
        ),
        (Some(1), Some(1), Some("JSON"))
    );
    assert!(ok(&["registry", "get", "orders-value", "--registry", r]).contains("version: 2"));
    assert!(ok(&["registry", "id", "2", "--registry", r]).contains("used by: orders-value version 2"));

    assert_eq!(
        ok(&["registry", "config", "--registry", r]).trim(),
        "global: BACKWARD"
    );
    assert_eq!(
        ok(&["registry", "config", "customer-value", "NONE", "--registry", r]).trim(),
        "customer-value: NONE"
    );
    assert_eq!(
        ok(&["registry", "mode", "--registry", r]).trim(),
        "global: READWRITE"
    );

    // The CI gate, against the live registry.
    let out = sy(&[
        "registry",
        "check",
        "--subject",
        "orders-value",
        "--schema",
        &bad,
        "--registry",
        r,
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("INCOMPATIBLE") && text.contains("#/properties/amount"),
        "{text}"
    );
    assert!(
        ok(&[
            "registry",
            "check",
            "--subject",
            "orders-value",
            "--schema",
            &v2,
            "--registry",
            r
        ])
        .contains("compatible")
    );
    assert!(
        ok(&[
            "registry",
            "check",
            "--subject",
            "brand-new",
            "--schema",
            &bad,
            "--registry",
            r
        ])
        .contains("no versions yet")
    );
    let out = sy(&["registry", "register", "orders-value", &bad, "--registry", r]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("409"));

    // Export, then check against the export directory.
    let export = tmp.path().join("export");
    let export_s = export.to_string_lossy().into_owned();
    assert!(ok(&["registry", "export", &export_s, "--registry", r]).contains("4 versions"));
    let exported: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(export.join("subjects/orders-value/2.json")).unwrap())
            .unwrap();
    assert_eq!(
        (
            exported["id"].as_i64(),
            exported["version"].as_i64(),
            exported["schemaType"].as_str()
        ),
        (Some(2), Some(2), Some("JSON"))
    );
    assert!(exported["references"].as_array().unwrap().is_empty());
    let inv: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(export.join("subjects/invoice-value/1.json")).unwrap())
            .unwrap();
    assert_eq!(inv["references"][0]["subject"], "customer-value");
    assert!(
        std::fs::read_to_string(export.join("config.json"))
            .unwrap()
            .contains("BACKWARD")
    );
    assert!(
        std::fs::read_to_string(export.join("config/customer-value.json"))
            .unwrap()
            .contains("NONE")
    );
    let out = sy(&[
        "registry",
        "check",
        "--subject",
        "orders-value",
        "--schema",
        &bad,
        "--from",
        &export_s,
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["compatible"], false);
    assert!(
        report["differences"][0]["path"]
            .as_str()
            .unwrap()
            .contains("amount"),
        "{report}"
    );

    // An incident directory holds the export under `registry/`; `check --from` and `decode --schemas` read it.
    let incident = tmp.path().join("incident");
    let incident_s = incident.to_string_lossy().into_owned();
    ok(&[
        "registry",
        "export",
        &format!("{incident_s}/registry"),
        "--registry",
        r,
    ]);
    let out = sy(&[
        "registry",
        "check",
        "--subject",
        "orders-value",
        "--schema",
        &bad,
        "--from",
        &incident_s,
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let decoded = ok(&[
        "decode",
        "--hex",
        "--schemas",
        &incident_s,
        &write(tmp.path(), "rec.hex", "0000000002 7b226964223a317d\n"),
    ]);
    assert!(decoded.contains("orders-value"), "{decoded}");

    // Import into a fresh registry: refused until IMPORT mode, then ids and versions are kept.
    let dst = ServerProcess::start(&tmp.path().join("dst"), &[]);
    let d = dst.url.as_str();
    let out = sy(&["registry", "import", "--from", &export_s, "--registry", d]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("mode IMPORT"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    ok(&["registry", "mode", "IMPORT", "--registry", d]);
    assert!(ok(&["registry", "import", "--from", &export_s, "--registry", d]).contains("4 versions"));
    ok(&["registry", "mode", "READWRITE", "--registry", d]);
    let got: serde_json::Value = serde_json::from_str(&ok(&[
        "registry",
        "get",
        "invoice-value/1",
        "--registry",
        d,
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(got["id"], 4);
    assert_eq!(
        ok(&["registry", "config", "customer-value", "--registry", d]).trim(),
        "customer-value: NONE"
    );
    // And registry-to-registry.
    let dst2 = ServerProcess::start(&tmp.path().join("dst2"), &[]);
    ok(&["registry", "mode", "IMPORT", "--registry", &dst2.url]);
    assert!(ok(&["registry", "import", "--from", r, "--registry", &dst2.url]).contains("4 versions"));
    assert_eq!(
        ok(&[
            "registry",
            "versions",
            "orders-value",
            "--registry",
            &dst2.url,
            "--format",
            "json"
        ])
        .trim(),
        "[1,2]"
    );

    // Deletes.
    let out = sy(&[
        "registry",
        "delete",
        "orders-value/2",
        "--permanent",
        "--registry",
        r,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("40407"));
    assert!(ok(&["registry", "delete", "orders-value/2", "--registry", r]).contains("soft-deleted"));
    assert!(
        ok(&[
            "registry",
            "delete",
            "orders-value/2",
            "--permanent",
            "--registry",
            r
        ])
        .contains("permanently deleted")
    );
    assert_eq!(
        ok(&[
            "registry",
            "versions",
            "orders-value",
            "--registry",
            r,
            "--format",
            "json"
        ])
        .trim(),
        "[1]"
    );
}

#[test]
fn unreachable_registry_is_explained() {
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let out = sy(&["registry", "subjects", "--registry", &format!("http://{dead}")]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("is not reachable") && err.contains("hint:") && err.contains("registry serve"),
        "{err}"
    );
}

#[test]
fn every_subcommand_help_has_an_example() {
    for sub in [
        "serve", "subjects", "versions", "get", "id", "register", "config", "mode", "delete", "export",
        "import", "check",
    ] {
        let help = ok(&["registry", sub, "--help"]);
        assert!(
            help.contains("Example"),
            "`registry {sub} --help` has no example:\n{help}"
        );
    }
}
