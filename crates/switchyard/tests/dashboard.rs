//! The `switchyard run --http` dashboard in real headless Chromium, driven over WebDriver (chromedriver):
//! what a person sees, read from the DOM the page's script built — statement rows with their numbers,
//! numbers growing while records are produced, dead letters with their reasons, keys from records shown
//! as text and never run as HTML.
//!
//! Needs `chromium` and `chromedriver` (`.ci/run` installs them); `SWITCHYARD_CHROMIUM=0` skips the test.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use base64::Engine as _;
use common::pipeline::{eventually, produce};
use common::{bootstrap, registry, repo, unique_topic};
use serde_json::{Value, json};

const XSS_KEY: &str = r#"<img src=x onerror="window.__pwned=true">"#;

/// `chromium` and `chromedriver`, or `None` when the test is to be skipped.
fn browser() -> Option<(PathBuf, PathBuf)> {
    if std::env::var("SWITCHYARD_CHROMIUM").as_deref() == Ok("0") {
        eprintln!("note: SWITCHYARD_CHROMIUM=0: skipping the dashboard test in headless Chromium");
        return None;
    }
    let find = |name: &str| {
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    };
    match (find("chromium"), find("chromedriver")) {
        (Some(c), Some(d)) => Some((c, d)),
        _ => panic!(
            "headless Chromium is not installed (need `chromium` and `chromedriver` on PATH): run .ci/run, \
             which installs the chromium and chromium-driver packages, or set SWITCHYARD_CHROMIUM=0 to skip"
        ),
    }
}

/// A child process killed when the test ends, passed or not.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One HTTP/1.1 request over a fresh connection: (status, body). The body is read by its
/// Content-Length (chromedriver keeps the connection open), else chunked, else to the end.
fn http(addr: &str, method: &str, path: &str, body: Option<&Value>) -> std::io::Result<(u16, String)> {
    let stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    let body = body.map(Value::to_string).unwrap_or_default();
    write!(
        &stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )?;
    let mut reader = BufReader::new(stream);
    let mut status_line = String::new();
    reader.read_line(&mut status_line)?;
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let (mut length, mut chunked) = (None, false);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line.trim().is_empty() {
            break;
        }
        let (name, value) = line.split_once(':').unwrap_or((&line, ""));
        match name.trim().to_ascii_lowercase().as_str() {
            "content-length" => length = value.trim().parse::<usize>().ok(),
            "transfer-encoding" => chunked = value.contains("chunked"),
            _ => {}
        }
    }
    let mut raw = Vec::new();
    if chunked {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size)?;
            let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
            if n == 0 {
                break;
            }
            let mut chunk = vec![0; n + 2];
            reader.read_exact(&mut chunk)?;
            raw.extend_from_slice(&chunk[..n]);
        }
    } else if let Some(n) = length {
        raw.resize(n, 0);
        reader.read_exact(&mut raw)?;
    } else {
        reader.read_to_end(&mut raw)?;
    }
    Ok((status, String::from_utf8_lossy(&raw).into_owned()))
}

/// A WebDriver session on headless Chromium.
struct Browser {
    driver: String,
    session: String,
    _process: Guard,
    _profile: tempfile::TempDir,
}

impl Browser {
    fn start(chromium: &Path, chromedriver: &Path) -> Browser {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let process = Guard(
            Command::new(chromedriver)
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        );
        let driver = format!("127.0.0.1:{port}");
        assert!(
            eventually(Duration::from_secs(20), || {
                http(&driver, "GET", "/status", None).is_ok_and(|(_, b)| {
                    serde_json::from_str::<Value>(&b).is_ok_and(|v| v["value"]["ready"] == true)
                })
            }),
            "chromedriver did not become ready"
        );
        let profile = tempfile::tempdir().unwrap();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", format!("--user-data-dir={}", profile.path().display()),
                ],
            },
        }}});
        let (status, body) = http(&driver, "POST", "/session", Some(&caps)).unwrap();
        let v: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
        assert_eq!(status, 200, "could not start headless Chromium: {body}");
        let session = v["value"]["sessionId"].as_str().unwrap().to_string();
        Browser {
            driver,
            session,
            _process: process,
            _profile: profile,
        }
    }

    fn command(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        let (status, text) = http(
            &self.driver,
            method,
            &format!("/session/{}{path}", self.session),
            body,
        )
        .unwrap();
        let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        assert_eq!(status, 200, "WebDriver {method} {path}: {text}");
        v["value"].clone()
    }

    fn open(&self, url: &str) {
        self.command("POST", "/url", Some(&json!({ "url": url })));
    }

    /// Run `script` in the page and return what it returns.
    fn eval(&self, script: &str) -> Value {
        self.command(
            "POST",
            "/execute/sync",
            Some(&json!({"script": script, "args": []})),
        )
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = http(
            &self.driver,
            "DELETE",
            &format!("/session/{}", self.session),
            None,
        );
    }
}

/// What a person sees on the dashboard: the rendered text of its parts.
const LOOK: &str = r##"
const text = (id) => document.getElementById(id).innerText.trim();
const rows = (id) => [...document.querySelectorAll(`#${id} tbody tr`)]
  .filter((tr) => !tr.querySelector("td.empty"))
  .map((tr) => [...tr.cells].map((td) => td.innerText.trim()));
return {
  status: text("status"), uptime: text("uptime"),
  total_in: text("total-in"), total_out: text("total-out"), total_dlq: text("total-dlq"),
  commits: text("commits"), commit_latency: text("commit-latency"),
  cache: text("cache"), cache_detail: text("cache-detail"),
  statements: rows("statements"), dead_letters: rows("dead-letters"), recent: rows("recent"), lag: rows("lag"),
  spark_points: (document.querySelector("#spark polyline.out") || {getAttribute: () => ""}).getAttribute("points") || "",
  images: document.querySelectorAll("img").length,
  pwned: window.__pwned === true,
};
"##;

fn num(s: &str) -> u64 {
    s.replace(',', "")
        .parse()
        .unwrap_or_else(|_| panic!("not a count: `{s}`"))
}

/// The bundled example pipeline with its topics renamed for this test: (SQL file, source, sinks, DLQ).
fn pipeline(dir: &Path, suffix: &str) -> (String, String, Vec<String>, String) {
    let mut sql = std::fs::read_to_string(repo().join("examples/business-events/pipeline.sql")).unwrap();
    let rename = |t: &str| format!("{t}-{suffix}");
    for t in [
        "raw-business-events-dlq",
        "raw-business-events",
        "loan-events",
        "servicing-events",
        "business-events-audit",
    ] {
        sql = sql.replace(&format!("'{t}'"), &format!("'{}'", rename(t)));
    }
    sql = sql.replace("'business-events-routing'", &format!("'routing-{suffix}'"));
    let path = dir.join("pipeline.sql");
    std::fs::write(&path, sql).unwrap();
    let sinks = ["loan-events", "servicing-events", "business-events-audit"]
        .map(rename)
        .to_vec();
    (
        path.to_str().unwrap().to_string(),
        rename("raw-business-events"),
        sinks,
        rename("raw-business-events-dlq"),
    )
}

/// The router with `--http 127.0.0.1:0`; returns it and the address it bound.
fn start_router(sql: &str) -> (Guard, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_switchyard"))
        .args(["run", sql, "-b", &bootstrap(), "--registry", &registry()])
        .args(["--http", "127.0.0.1:0"])
        .current_dir(repo())
        .env_remove("SWITCHYARD_BOOTSTRAP")
        .env_remove("SCHEMA_REGISTRY_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut seen = Vec::new();
    let addr = loop {
        let Some(Ok(line)) = lines.next() else {
            panic!("`switchyard run` ended before serving http:\n{}", seen.join("\n"));
        };
        if let Some(rest) = line.split("http://").nth(1) {
            break rest.split('/').next().unwrap().to_string();
        }
        seen.push(line);
    };
    // Keep draining stderr so the router never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (Guard(child), addr)
}

fn stats(addr: &str) -> Value {
    let (status, body) = http(addr, "GET", "/api/stats", None).unwrap();
    assert_eq!(status, 200);
    serde_json::from_str(&body).unwrap()
}

#[test]
fn dashboard_shows_live_counts_and_dead_letters_in_headless_chromium() {
    let Some((chromium, chromedriver)) = browser() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (sql, source, sinks, _dlq) = pipeline(dir.path(), &unique_topic("dash"));
    produce(&source, &["--sample", "business-events", "200", "--seed", "5"]);
    let (_router, addr) = start_router(&sql);
    let browser = Browser::start(&chromium, &chromedriver);
    browser.open(&format!("http://{addr}/"));

    // First look, once the first 200 records are through.
    let mut first = Value::Null;
    let done = eventually(Duration::from_secs(60), || {
        first = browser.eval(LOOK);
        first["total_in"] == "200" && first["statements"].as_array().is_some_and(|r| r.len() == 4)
    });
    assert!(done, "the dashboard never showed 200 records in: {first:#}");
    assert_eq!(first["status"], "running");
    assert_eq!(first["total_dlq"], "0");
    let api = stats(&addr);
    let rows = first["statements"].as_array().unwrap();
    for (row, want) in rows.iter().zip(api["records_out"].as_array().unwrap()) {
        // # | source | sink | source records in | written | filtered | rate
        assert_eq!(row[0], want["statement"].to_string());
        assert_eq!(row[1], source.as_str());
        assert_eq!(row[2], want["sink"]);
        assert_eq!(num(row[3].as_str().unwrap()), 200);
        assert_eq!(num(row[4].as_str().unwrap()), want["count"].as_u64().unwrap());
        // Every good record is either written or filtered by each statement.
        assert_eq!(
            num(row[4].as_str().unwrap()) + num(row[5].as_str().unwrap()),
            200,
            "statement {}: {row}",
            row[0]
        );
        assert!(row[6].as_str().unwrap().ends_with("/s"), "a rate: {row}");
    }
    let shown_sinks: std::collections::BTreeSet<&str> = rows.iter().map(|r| r[2].as_str().unwrap()).collect();
    assert_eq!(shown_sinks, sinks.iter().map(String::as_str).collect());
    let out_first = num(first["total_out"].as_str().unwrap());
    assert!(out_first > 0);

    // While more records arrive — good ones, the bundled bad ones and one whose key is HTML — the same
    // page, without a reload, shows the numbers growing and the dead letters with their reasons.
    produce(&source, &["--sample", "business-events", "300", "--seed", "6"]);
    let bad = repo().join("examples/business-events/bad-records.jsonl");
    produce(&source, &["--from-capture", bad.to_str().unwrap()]);
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let xss = dir.path().join("xss.jsonl");
    std::fs::write(
        &xss,
        json!({"topic": source, "partition": 0, "offset": 0, "timestamp": 1_709_284_500_000_i64,
            "key": b64(XSS_KEY), "value": b64(r#"{"id": 1, "note": "plain JSON, no frame"}"#), "headers": []})
        .to_string(),
    )
    .unwrap();
    produce(&source, &["--from-capture", xss.to_str().unwrap()]);
    let total = 200 + 300 + 4 + 1;
    let mut second = Value::Null;
    let mut saw_rate = false;
    let done = eventually(Duration::from_secs(60), || {
        second = browser.eval(LOOK);
        saw_rate |= second["statements"]
            .as_array()
            .is_some_and(|rows| rows.iter().any(|r| r[6] != "0/s"));
        // Offsets are committed every 5 s (`auto.commit.interval.ms`): wait for the first commit too.
        second["total_in"] == total.to_string().as_str()
            && second["total_dlq"] == "5"
            && second["commits"].as_str().is_some_and(|c| num(c) > 0)
    });
    assert!(
        done,
        "the dashboard never showed {total} records in, 5 dead letters and a commit: {second:#}"
    );
    assert!(
        saw_rate,
        "no statement ever showed a non-zero rate while records arrived"
    );
    assert!(
        num(second["total_out"].as_str().unwrap()) > out_first,
        "{first:#}\n{second:#}"
    );
    for (a, b) in first["statements"]
        .as_array()
        .unwrap()
        .iter()
        .zip(second["statements"].as_array().unwrap())
    {
        assert_eq!(num(b[3].as_str().unwrap()), total);
        assert!(
            num(b[4].as_str().unwrap()) + num(b[5].as_str().unwrap())
                > num(a[4].as_str().unwrap()) + num(a[5].as_str().unwrap())
        );
    }
    assert_ne!(first["uptime"], second["uptime"], "uptime moves");

    // Dead letters: counted by stage and code, and each recent one with its key and reason as text.
    let api = stats(&addr);
    let by_code: Vec<(String, String, u64)> = second["dead_letters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r[0].as_str().unwrap().into(),
                r[1].as_str().unwrap().into(),
                num(r[2].as_str().unwrap()),
            )
        })
        .collect();
    let want: Vec<(String, String, u64)> = api["dead_letters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["stage"].as_str().unwrap().into(),
                d["code"].as_str().unwrap().into(),
                d["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(by_code, want);
    assert_eq!(
        by_code
            .iter()
            .find(|(_, c, _)| c == "FRAMING_MISMATCH")
            .map(|d| d.2),
        Some(3),
        "two bundled bad records and the HTML-keyed one are unframed JSON: {by_code:?}"
    );
    let recent = second["recent"].as_array().unwrap();
    assert_eq!(recent.len(), 5);
    for (row, d) in recent.iter().zip(api["recent_dead_letters"].as_array().unwrap()) {
        // when | stage | code | key | reason | source
        assert_eq!(row[1], d["stage"]);
        assert_eq!(row[2], d["code"]);
        assert_eq!(
            row[4], d["message"],
            "the reason, as the dead-letter headers give it"
        );
        assert!(!row[4].as_str().unwrap().is_empty());
        assert_eq!(row[5], d["source"]);
        assert!(row[5].as_str().unwrap().starts_with(&format!("{source}[")));
    }
    let html_keyed = &recent[0];
    assert_eq!(html_keyed[3], XSS_KEY, "the key is shown as text: {html_keyed}");
    assert_eq!(html_keyed[2], "FRAMING_MISMATCH");
    assert_eq!(second["images"], 0, "a key from a record became an element");
    assert_eq!(second["pwned"], false);

    // Commits with their latency, the registry cache, the throughput sparkline, and (refreshed every
    // 10 s) the consumer lag.
    assert!(num(second["commits"].as_str().unwrap()) > 0);
    assert!(
        second["commit_latency"].as_str().unwrap().starts_with("last "),
        "{second:#}"
    );
    let cache = &api["registry_cache"];
    assert!(cache["misses"].as_u64().unwrap() >= 1, "{cache}");
    let detail = second["cache_detail"].as_str().unwrap();
    assert!(
        detail.contains(&format!("{} misses", cache["misses"])),
        "{detail} vs {cache}"
    );
    assert!(
        second["spark_points"].as_str().unwrap().split(' ').count() >= 2,
        "no throughput line: {second:#}"
    );
    let mut look = Value::Null;
    let lag_shown = eventually(Duration::from_secs(30), || {
        look = browser.eval(LOOK);
        look["lag"]
            .as_array()
            .is_some_and(|rows| rows.iter().any(|r| r[0] == source.as_str() && r[2] == "0"))
    });
    assert!(lag_shown, "no lag row for {source} at 0: {:#}", look["lag"]);
}
