//! `switchyard.toml` end to end: commands configured by nothing but a `switchyard.toml` in the current
//! directory (the broker from `.ci/broker up`, the embedded registry, a secret from the environment)
//! produce, list, read and query the registry; flags and environment variables beat the file; unknown keys
//! and missing variables are usage errors that name them; secrets never reach the output.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{bootstrap, registry, text, unique_topic};
use serde_json::Value;

/// Run the binary in `dir` with only the environment given (none of the connection variables inherited).
fn sy(dir: &Path, args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_switchyard"));
    cmd.args(args)
        .current_dir(dir)
        .env_remove("SWITCHYARD_BOOTSTRAP")
        .env_remove("SCHEMA_REGISTRY_URL")
        .env_remove("SCHEMA_REGISTRY_USER_INFO")
        .env_remove("SWITCHYARD_CONFIG")
        .env("NO_COLOR", "1")
        .envs(env.iter().copied())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    {
        use std::io::Write;
        let mut input = child.stdin.take().unwrap();
        input.write_all(stdin.unwrap_or_default().as_bytes()).unwrap();
    }
    child.wait_with_output().unwrap()
}

fn ok(out: &Output, what: &str) -> String {
    assert!(
        out.status.success(),
        "{what} failed ({:?}):\n{}\n{}",
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// A `switchyard.toml` whose broker address and registry URL come from the environment.
const TOML: &str = r#"# the broker and registry of this test run
[kafka]
"bootstrap.servers" = "${TEST_BOOTSTRAP}"
client.id = "config-cli"

[registry]
url = "${env:TEST_REGISTRY}"
"#;

#[test]
fn commands_run_configured_only_by_switchyard_toml() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("switchyard.toml"), TOML).unwrap();
    let (b, r) = (bootstrap(), registry());
    let env = [("TEST_BOOTSTRAP", b.as_str()), ("TEST_REGISTRY", r.as_str())];
    let topic = unique_topic("config-toml");

    let out = sy(
        dir.path(),
        &["produce", &topic],
        &env,
        Some("{\"id\":1,\"name\":\"a\"}\n{\"id\":2,\"name\":\"b\"}\n"),
    );
    ok(&out, "produce");

    let listed = ok(&sy(dir.path(), &["tail", "--list"], &env, None), "tail --list");
    assert!(
        listed.lines().any(|l| l.starts_with(&format!("{topic}\t"))),
        "{listed}"
    );

    let read = ok(
        &sy(dir.path(), &["tail", &topic, "--format", "json"], &env, None),
        "tail",
    );
    let records: Vec<Value> = read.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(records.len(), 2, "{read}");
    // Decoded through the registry the file names: the subject is known.
    assert_eq!(records[1]["value"]["json"]["name"], "b", "{read}");

    let subjects = ok(
        &sy(dir.path(), &["registry", "subjects"], &env, None),
        "registry subjects",
    );
    assert!(
        subjects.lines().any(|l| l == format!("{topic}-value")),
        "{subjects}"
    );

    // The same file named with --config from elsewhere, as a path.
    let elsewhere = tempfile::tempdir().unwrap();
    let config = dir.path().join("switchyard.toml");
    let subjects = ok(
        &sy(
            elsewhere.path(),
            &["registry", "subjects", "--config", config.to_str().unwrap()],
            &env,
            None,
        ),
        "registry subjects --config",
    );
    assert!(subjects.contains(&format!("{topic}-value")), "{subjects}");
}

#[test]
fn flags_and_environment_beat_the_file() {
    let dir = tempfile::tempdir().unwrap();
    // Nothing listens on port 9 (discard): a command that used these would fail.
    std::fs::write(
        dir.path().join("switchyard.toml"),
        "[kafka]\n\"bootstrap.servers\" = \"127.0.0.1:9\"\n\"socket.timeout.ms\" = 3000\n\
         [registry]\nurl = \"http://127.0.0.1:9\"\n",
    )
    .unwrap();
    let (b, r) = (bootstrap(), registry());

    // The file alone points at nothing.
    let out = sy(dir.path(), &["registry", "subjects"], &[], None);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("127.0.0.1:9"), "{}", text(&out.stderr));

    // Flags beat it.
    ok(
        &sy(dir.path(), &["registry", "subjects", "--registry", &r], &[], None),
        "registry subjects --registry",
    );
    ok(
        &sy(dir.path(), &["tail", "--list", "-b", &b], &[], None),
        "tail --list -b",
    );
    // So do the environment variables.
    ok(
        &sy(
            dir.path(),
            &["registry", "subjects"],
            &[("SCHEMA_REGISTRY_URL", r.as_str())],
            None,
        ),
        "registry subjects with SCHEMA_REGISTRY_URL",
    );
    ok(
        &sy(
            dir.path(),
            &["tail", "--list"],
            &[("SWITCHYARD_BOOTSTRAP", b.as_str())],
            None,
        ),
        "tail --list with SWITCHYARD_BOOTSTRAP",
    );

    // `config show` says where each value came from.
    let shown = ok(
        &sy(
            dir.path(),
            &["config", "show", "--format", "json", "--registry", &r],
            &[("SWITCHYARD_BOOTSTRAP", b.as_str())],
            None,
        ),
        "config show",
    );
    let doc: Value = serde_json::from_str(&shown).unwrap();
    let props = &doc["properties"];
    assert_eq!(props["bootstrap.servers"]["value"], b.as_str());
    assert_eq!(props["bootstrap.servers"]["from"], "env SWITCHYARD_BOOTSTRAP");
    assert_eq!(props["schema.registry.url"]["from"], "flag --registry");
    assert_eq!(props["socket.timeout.ms"]["from"], "file switchyard.toml");
    assert_eq!(doc["file"], "switchyard.toml");
}

#[test]
fn secrets_are_redacted_and_errors_name_keys_and_variables() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("switchyard.toml"),
        "[kafka]\n\"bootstrap.servers\" = \"127.0.0.1:9\"\n\"sasl.password\" = \"${TEST_SECRET}\"\n\
         [registry]\nurl = \"http://127.0.0.1:9\"\n\"basic.auth.user.info\" = \"key:${TEST_SECRET}\"\n",
    )
    .unwrap();
    let env = [("TEST_SECRET", "hunter2-secret")];
    let out = sy(dir.path(), &["config", "show"], &env, None);
    let shown = ok(&out, "config show");
    assert!(
        !shown.contains("hunter2") && !text(&out.stderr).contains("hunter2"),
        "{shown}"
    );
    assert!(
        shown.lines().any(|l| l.starts_with("sasl.password = ***")),
        "{shown}"
    );
    assert!(
        shown.lines().any(|l| l.starts_with("basic.auth.user.info = ***")),
        "{shown}"
    );
    // A failing command does not print the secret either.
    let out = sy(dir.path(), &["registry", "subjects"], &env, None);
    assert_eq!(out.status.code(), Some(2));
    assert!(!text(&out.stderr).contains("hunter2"), "{}", text(&out.stderr));

    // The variable unset: named, with the key and its position.
    let out = sy(dir.path(), &["tail", "--list"], &[], None);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.starts_with(
            "error: switchyard.toml:3:1: `[kafka] sasl.password` refers to environment variable \
             `TEST_SECRET`, which is not set"
        ),
        "{err}"
    );

    // An unknown key: named, with its line and column.
    std::fs::write(
        dir.path().join("bad.toml"),
        "[kafka]\n\"bootstrap.servers\" = \"x\"\n\n[run]\ngroup = \"g\"\nhttp-port = 9464\n",
    )
    .unwrap();
    let out = sy(dir.path(), &["tail", "--list", "--config", "bad.toml"], &[], None);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.starts_with("error: bad.toml:6:1: unknown field `http-port`"),
        "{err}"
    );

    // A client.properties given with --config is still taken as is.
    std::fs::write(
        dir.path().join("client.properties"),
        "bootstrap.servers=127.0.0.1:9\nsasl.password=${TEST_SECRET}\n",
    )
    .unwrap();
    let out = sy(
        dir.path(),
        &[
            "config",
            "show",
            "--config",
            "client.properties",
            "--format",
            "json",
        ],
        &env,
        None,
    );
    let doc: Value = serde_json::from_str(&ok(&out, "config show client.properties")).unwrap();
    assert_eq!(doc["properties"]["sasl.password"]["value"], "***");
    assert_eq!(
        doc["properties"]["bootstrap.servers"]["from"],
        "file client.properties"
    );
}
