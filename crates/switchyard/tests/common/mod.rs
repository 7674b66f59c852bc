//! Helpers shared by the binary's integration tests: paths, running the binary, and the real services —
//! a Kafka-protocol broker on loopback (`.ci/broker up`, or `SWITCHYARD_BOOTSTRAP`) and Switchyard's embedded
//! Schema Registry started in-process.
#![allow(dead_code)] // each test binary uses its own subset

pub mod pipeline;

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("../..")
}

/// `shared/` beside the repository (`SWITCHYARD_SHARED` overrides).
pub fn shared() -> PathBuf {
    std::env::var_os("SWITCHYARD_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("../shared"))
}

/// The incident directories under `shared/scenarios/`, sorted.
pub fn scenario_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(shared().join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// The Python with confluent-kafka (`SWITCHYARD_PYTHON`, as `.ci/run` sets it).
pub fn python() -> String {
    std::env::var("SWITCHYARD_PYTHON").unwrap_or_else(|_| "python3".into())
}

/// Run the `switchyard` binary with `args`, feeding `stdin`.
pub fn switchyard(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_switchyard"))
        .args(args)
        .current_dir(repo())
        .env_remove("SWITCHYARD_BOOTSTRAP")
        .env_remove("SCHEMA_REGISTRY_URL")
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut input = child.stdin.take().unwrap();
        input.write_all(stdin.unwrap_or_default()).unwrap();
    }
    child.wait_with_output().unwrap()
}

/// Stdout or stderr as text.
pub fn text(out: &[u8]) -> String {
    String::from_utf8(out.to_vec()).unwrap()
}

static BOOTSTRAP: OnceLock<String> = OnceLock::new();

/// Make every helper of this test binary use the broker at `addr` instead of the default one (call it
/// before anything else talks to a broker; later calls with the same address are no-ops).
pub fn use_broker(addr: &str) {
    let set = BOOTSTRAP.get_or_init(|| addr.to_string());
    assert_eq!(set, addr, "this test binary already uses another broker");
}

/// The broker's bootstrap address: `SWITCHYARD_BOOTSTRAP`, or one started with `.ci/broker up`.
pub fn bootstrap() -> String {
    BOOTSTRAP
        .get_or_init(|| {
            if let Ok(b) = std::env::var("SWITCHYARD_BOOTSTRAP") {
                return b;
            }
            let out = Command::new("bash")
                .arg(repo().join(".ci/broker"))
                .arg("up")
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "could not start the test broker: {}",
                text(&out.stderr)
            );
            text(&out.stdout).trim().to_string()
        })
        .clone()
}

/// A fresh in-memory embedded Schema Registry for this test binary, as a URL.
pub fn registry() -> String {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(start_registry).clone()
}

/// Start another embedded registry (in memory) and return its URL.
pub fn start_registry() -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let config = switchyard_registry::ServerConfig {
                data_dir: None,
                basic_auth: None,
                body_limit: 0,
            };
            let server = switchyard_registry::start(listener, config).await.unwrap();
            tx.send(format!("http://{}", server.local_addr())).unwrap();
            std::future::pending::<()>().await;
        });
    });
    rx.recv().unwrap()
}

/// A topic name no other test uses.
pub fn unique_topic(name: &str) -> String {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos();
    format!("{name}-{}-{}", std::process::id(), nanos % 1_000_000_000)
}

/// `switchyard tail TOPIC --format json` through the test registry, parsed. Exit 1 (some record has a
/// problem) is accepted: topics may hold bad records on purpose.
pub fn tail_json(topic: &str) -> Vec<serde_json::Value> {
    let out = switchyard(
        &[
            "tail",
            topic,
            "-b",
            &bootstrap(),
            "--registry",
            &registry(),
            "--format",
            "json",
        ],
        None,
    );
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "tail {topic}: {}",
        text(&out.stderr)
    );
    text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}
