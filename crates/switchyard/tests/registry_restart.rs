//! Durability: register through the real binary, `kill -9` it, restart on the same `--data`, and find
//! every subject, version, id, config and soft delete again; new ids continue after the old maximum.
//! A record torn by a crash mid-write is cut off with a warning without losing earlier data.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test

mod registry_support;

use std::io::Write;

use registry_support::ServerProcess;
use switchyard_registry::{RegisterRequest, RegistryClient, SchemaType, VersionSpec, error_codes};
use switchyard_schema::CompatibilityLevel;

fn schema(props: &str) -> RegisterRequest {
    RegisterRequest::new(
        format!(r#"{{"type":"object","properties":{{{props}}}}}"#),
        SchemaType::Json,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_survives_kill_9_and_torn_tail() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");

    let server = ServerProcess::start(&data, &[]);
    let c = RegistryClient::from_url(&server.url).unwrap();
    c.set_config(None, CompatibilityLevel::None).await.unwrap();
    let a1 = c
        .register("a-value", &schema(r#""x":{"type":"string"}"#))
        .await
        .unwrap();
    let a2 = c
        .register("a-value", &schema(r#""y":{"type":"integer"}"#))
        .await
        .unwrap();
    let b1 = c
        .register("b-value", &schema(r#""z":{"type":"boolean"}"#))
        .await
        .unwrap();
    let shared = c
        .register("c-value", &schema(r#""x":{"type":"string"}"#))
        .await
        .unwrap();
    assert_eq!((a1, a2, b1, shared), (1, 2, 3, 1));
    c.set_config(Some("b-value"), CompatibilityLevel::Full)
        .await
        .unwrap();
    assert_eq!(
        c.delete_version("a-value", VersionSpec::Number(1), false)
            .await
            .unwrap(),
        1
    );
    c.delete_subject("c-value", false).await.unwrap();
    server.kill9();

    // Simulate a crash in the middle of the next append.
    let log = data.join("registry.log");
    let mut f = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
    f.write_all(br#"0badc0de {"op":"config","subject":null,"le"#)
        .unwrap();
    drop(f);

    let server = ServerProcess::start(&data, &[]);
    let c = RegistryClient::from_url(&server.url).unwrap();
    assert_eq!(c.subjects(false).await.unwrap(), vec!["a-value", "b-value"]);
    assert_eq!(
        c.subjects(true).await.unwrap(),
        vec!["a-value", "b-value", "c-value"]
    );
    assert_eq!(c.versions("a-value", false).await.unwrap(), vec![2]);
    assert_eq!(c.versions("a-value", true).await.unwrap(), vec![1, 2]);
    let v1 = c
        .get_version("a-value", VersionSpec::Number(1), true)
        .await
        .unwrap();
    assert_eq!(v1.id, 1);
    let err = c
        .get_version("a-value", VersionSpec::Number(1), false)
        .await
        .unwrap_err();
    assert_eq!(err.error_code(), Some(error_codes::VERSION_NOT_FOUND));
    assert_eq!(c.latest("b-value").await.unwrap().id, 3);
    assert_eq!(c.get_config(None, false).await.unwrap(), CompatibilityLevel::None);
    assert_eq!(
        c.get_config(Some("b-value"), false).await.unwrap(),
        CompatibilityLevel::Full
    );
    let err = c.versions("c-value", false).await.unwrap_err();
    assert_eq!(err.error_code(), Some(error_codes::SUBJECT_NOT_FOUND));
    assert!(
        c.get_schema_string(2, None)
            .await
            .unwrap()
            .schema
            .contains("integer")
    );
    let next = c
        .register("d-value", &schema(r#""w":{"type":"null"}"#))
        .await
        .unwrap();
    assert_eq!(next, 4, "new ids continue after the old maximum");
    assert!(
        server.stderr().contains("cutting it off"),
        "torn tail warning missing:\n{}",
        server.stderr()
    );

    // And once more, after the truncation and a new write, after another kill -9.
    server.kill9();
    let server = ServerProcess::start(&data, &[]);
    let c = RegistryClient::from_url(&server.url).unwrap();
    assert_eq!(c.latest("d-value").await.unwrap().id, 4);
    assert_eq!(c.versions("a-value", true).await.unwrap(), vec![1, 2]);
}
