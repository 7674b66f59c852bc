//! Bad input gets Confluent-style error bodies and leaves the server healthy: malformed JSON, an invalid
//! schema, an unknown reference, a 20 MiB body, bad versions, unknown routes, missing credentials.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test

mod registry_support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use registry_support::{ServerProcess, wait_healthy};
use serde_json::Value;

/// Send one raw HTTP/1.1 request; return (status, parsed JSON body).
fn request(url: &str, method: &str, path: &str, body: &[u8], auth: Option<&str>) -> (u16, Value) {
    let addr = url.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/vnd.schemaregistry.v1+json\r\n\
         Content-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    if let Some(a) = auth {
        head.push_str(&format!("Authorization: Basic {a}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).unwrap();
    // The server may answer (and stop reading) before the whole body is sent.
    let mut writer = s.try_clone().unwrap();
    let body = body.to_vec();
    let w = std::thread::spawn(move || {
        let _ = writer.write_all(&body);
    });
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let _ = w.join();
    let text = String::from_utf8_lossy(&raw).to_string();
    let status: u16 = text
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {text:?}"));
    let (headers, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    assert!(
        headers
            .to_ascii_lowercase()
            .contains("content-type: application/vnd.schemaregistry.v1+json"),
        "{headers}"
    );
    let body = if headers
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(body)
    } else {
        body.to_string()
    };
    (
        status,
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("body {body:?} is not JSON: {e}")),
    )
}

fn dechunk(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&tail[..n]);
        rest = &tail[n + 2..];
    }
    out
}

fn assert_error(resp: (u16, Value), status: u16, code: i64) -> String {
    assert_eq!(resp.0, status, "{}", resp.1);
    assert_eq!(resp.1["error_code"].as_i64(), Some(code), "{}", resp.1);
    let message = resp.1["message"].as_str().unwrap_or_default().to_string();
    assert!(!message.is_empty(), "{}", resp.1);
    message
}

#[test]
fn bad_input_gets_confluent_errors_and_the_server_stays_up() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("data"), &[]);
    let url = server.url.clone();

    assert_error(
        request(&url, "POST", "/subjects/s/versions", b"{\"schema\": ", None),
        400,
        400,
    );
    assert_error(
        request(&url, "POST", "/subjects/s/versions", b"[1,2]", None),
        422,
        422,
    );
    let m = assert_error(
        request(
            &url,
            "POST",
            "/subjects/s/versions",
            br#"{"schema":"{nope","schemaType":"JSON"}"#,
            None,
        ),
        422,
        42201,
    );
    assert!(m.contains("Invalid schema"), "{m}");
    let m = assert_error(
        request(
            &url,
            "POST",
            "/subjects/s/versions",
            br#"{"schema":"{\"$ref\":\"customer.json\"}","schemaType":"JSON","references":[{"name":"customer.json","subject":"customers","version":1}]}"#,
            None,
        ),
        422,
        42201,
    );
    assert!(m.contains("customers"), "{m}");
    assert_error(
        request(&url, "GET", "/subjects/s/versions/zero", b"", None),
        422,
        42202,
    );
    assert_error(
        request(&url, "GET", "/subjects/s/versions/0", b"", None),
        422,
        42202,
    );
    assert_error(
        request(&url, "PUT", "/config", br#"{"compatibility":"SIDEWAYS"}"#, None),
        422,
        42203,
    );
    assert_error(
        request(&url, "PUT", "/mode", br#"{"mode":"SOMETIMES"}"#, None),
        422,
        42204,
    );
    assert_error(request(&url, "GET", "/no/such/route", b"", None), 404, 404);
    assert_error(request(&url, "PATCH", "/subjects", b"", None), 405, 405);

    let mut big = br#"{"schema":""#.to_vec();
    big.resize(20 * 1024 * 1024, b'a');
    big.extend_from_slice(br#""}"#);
    let m = assert_error(
        request(&url, "POST", "/subjects/big/versions", &big, None),
        413,
        413,
    );
    assert!(m.contains("limit"), "{m}");

    wait_healthy(&url);
    let ok = request(
        &url,
        "POST",
        "/subjects/s/versions",
        br#"{"schema":"{\"type\":\"string\"}","schemaType":"JSON"}"#,
        None,
    );
    assert_eq!(ok.0, 200, "{}", ok.1);
    assert_eq!(ok.1["id"].as_i64(), Some(1));
    let (status, subjects) = request(&url, "GET", "/subjects", b"", None);
    assert_eq!((status, subjects), (200, serde_json::json!(["s"])));
}

#[test]
fn basic_auth_is_enforced_with_40101() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("data"), &["--user", "admin:s3cret"]);
    let url = server.url.clone();
    assert_error(request(&url, "GET", "/subjects", b"", None), 401, 40101);
    // base64("admin:wrong") and base64("admin:s3cret")
    assert_error(
        request(&url, "GET", "/subjects", b"", Some("YWRtaW46d3Jvbmc=")),
        401,
        40101,
    );
    let (status, body) = request(&url, "GET", "/subjects", b"", Some("YWRtaW46czNjcmV0"));
    assert_eq!((status, body), (200, serde_json::json!([])));

    // The CLI passes credentials and explains a missing one.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_switchyard"))
        .args(["registry", "subjects", "--registry", &url])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("40101") && err.contains("--registry-user-info"),
        "{err}"
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_switchyard"))
        .args([
            "registry",
            "subjects",
            "--registry",
            &url,
            "--registry-user-info",
            "admin:s3cret",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "[]");
}
