//! Live mode against the real broker (`.ci/broker up`) and Switchyard's embedded registry: replay a shared
//! incident's records byte for byte (`switchyard produce --from-capture`), import its schemas with their
//! ids, run `switchyard doctor --sql … -b … --registry … --save DIR`, then replay DIR offline: both name
//! the same root cause and the same findings.
#![allow(clippy::unwrap_used)]

mod common;

use common::{bootstrap, registry, shared, switchyard, text, unique_topic};
use serde_json::Value;
use switchyard_registry::{Mode, RegisterRequest, RegistryClient, SchemaType};

fn import_schemas(url: &str, scenario: &std::path::Path, topic: &str) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let client = RegistryClient::from_url(url).unwrap();
        client.set_mode(None, Mode::Import, true).await.unwrap();
        for side in ["key", "value"] {
            let dir = scenario.join(format!("registry/subjects/raw-business-events-{side}"));
            let mut files: Vec<_> = std::fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect();
            files.sort();
            for f in files {
                let v: Value = serde_json::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
                let mut req = RegisterRequest::new(v["schema"].as_str().unwrap(), SchemaType::Json);
                req.id = Some(v["id"].as_i64().unwrap() as i32);
                req.version = Some(v["version"].as_i64().unwrap() as i32);
                client.register(&format!("{topic}-{side}"), &req).await.unwrap();
            }
        }
        client.set_mode(None, Mode::Readwrite, true).await.unwrap();
    });
}

fn summary(report: &Value) -> (String, Vec<String>) {
    let codes = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect();
    (report["root_cause"].as_str().unwrap().to_string(), codes)
}

#[test]
fn live_sample_save_and_offline_replay_agree() {
    let scenario = shared().join("scenarios/05-predicate-case");
    let topic = unique_topic("doctor-live");
    let boot = bootstrap();
    let url = registry();
    import_schemas(&url, &scenario, &topic);
    let capture = scenario.join("topics/raw-business-events.jsonl");
    let out = switchyard(
        &[
            "produce",
            &topic,
            "--from-capture",
            capture.to_str().unwrap(),
            "-b",
            &boot,
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));

    let tmp = tempfile::tempdir().unwrap();
    let sql = std::fs::read_to_string(scenario.join("business-events-routing.sql"))
        .unwrap()
        .replace("'raw-business-events'", &format!("'{topic}'"));
    let sql_path = tmp.path().join("routing.sql");
    std::fs::write(&sql_path, sql).unwrap();
    let connector = std::fs::read_to_string(scenario.join("connector.json"))
        .unwrap()
        .replace("\"raw-business-events\"", &format!("\"{topic}\""));
    let connector_path = tmp.path().join("connector.json");
    std::fs::write(&connector_path, connector).unwrap();
    let saved = tmp.path().join("incident");

    let out = switchyard(
        &[
            "doctor",
            "--sql",
            sql_path.to_str().unwrap(),
            "--connector",
            connector_path.to_str().unwrap(),
            "-b",
            &boot,
            "--registry",
            &url,
            "--sample",
            "100",
            "--save",
            saved.to_str().unwrap(),
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("sampling"),
        "progress goes to stderr: {}",
        text(&out.stderr)
    );
    let live: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        live["root_cause"],
        "PREDICATE_NEVER_MATCHES",
        "{}",
        serde_json::to_string_pretty(&live).unwrap()
    );

    let records = std::fs::read_to_string(saved.join(format!("topics/{topic}.jsonl"))).unwrap();
    assert_eq!(records.lines().count(), 9);
    let out = switchyard(&["doctor", saved.to_str().unwrap(), "--format", "json"], None);
    let offline: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary(&live), summary(&offline));
    assert_eq!(live["findings"], offline["findings"]);
}
