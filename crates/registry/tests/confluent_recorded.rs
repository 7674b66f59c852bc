//! Our client against recorded Confluent answers: a small axum stub serves the response bodies from
//! Confluent's API reference (`tests/data/confluent_responses.json`), proving we parse real Confluent
//! shapes (AVRO without `schemaType`, JSON with references, error bodies) and classify errors right.
//! The stub also fails on purpose (503, 429) to prove retries, and counts requests to prove caching.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use switchyard_registry::{
    Mode, RegisterRequest, RegistryClient, RegistryConfig, SchemaType, SubjectVersion, VersionSpec,
    error_codes,
};
use switchyard_schema::CompatibilityLevel;

#[derive(Default)]
struct Stub {
    answers: HashMap<String, (u16, Value)>,
    hits: std::sync::Mutex<HashMap<String, usize>>,
    flaky: AtomicUsize,
    requests: std::sync::Mutex<Vec<(String, String)>>,
    headers: std::sync::Mutex<Vec<(String, String, String, String)>>,
}

async fn handle(
    State(stub): State<Arc<Stub>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let key = format!("{method} {}", uri.path());
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    stub.headers.lock().unwrap().push((
        header("authorization"),
        header("target-sr-cluster"),
        header("confluent-identity-pool-id"),
        header("accept"),
    ));
    stub.requests
        .lock()
        .unwrap()
        .push((key.clone(), String::from_utf8_lossy(&body).into_owned()));
    *stub.hits.lock().unwrap().entry(key.clone()).or_default() += 1;
    // Transient failures: two 503s, then a 429, then the real answer.
    if uri.path() == "/subjects" {
        let n = stub.flaky.fetch_add(1, Ordering::SeqCst);
        if n < 2 {
            return (StatusCode::SERVICE_UNAVAILABLE, "upstream unavailable").into_response();
        }
        if n == 2 {
            return (
                StatusCode::TOO_MANY_REQUESTS,
                r#"{"error_code":429,"message":"Rate limit exceeded"}"#,
            )
                .into_response();
        }
    }
    match stub.answers.get(&key) {
        Some((status, body)) => (
            StatusCode::from_u16(*status).unwrap(),
            [("content-type", "application/vnd.schemaregistry.v1+json")],
            body.to_string(),
        )
            .into_response(),
        None => (
            StatusCode::NOT_FOUND,
            format!(r#"{{"error_code":404,"message":"HTTP 404 Not Found: {key}"}}"#),
        )
            .into_response(),
    }
}

async fn stub() -> (String, Arc<Stub>) {
    let text = std::fs::read_to_string(format!(
        "{}/tests/data/confluent_responses.json",
        std::env::var("CARGO_MANIFEST_DIR").unwrap()
    ))
    .unwrap();
    let all: HashMap<String, Value> = serde_json::from_str(&text).unwrap();
    let mut stub = Stub::default();
    for (key, v) in all {
        if key.starts_with('_') {
            continue;
        }
        stub.answers
            .insert(key, (v[0].as_u64().unwrap() as u16, v[1].clone()));
    }
    let stub = Arc::new(stub);
    let app = Router::new().fallback(handle).with_state(stub.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), stub)
}

fn client(url: &str) -> RegistryClient {
    let mut props = HashMap::new();
    props.insert("schema.registry.url".to_string(), url.to_string());
    props.insert("retries.wait.ms".to_string(), "10".to_string());
    props.insert("max.retries".to_string(), "3".to_string());
    RegistryClient::new(RegistryConfig::from_properties(&props).unwrap()).unwrap()
}

#[tokio::test]
async fn parses_confluent_answers() {
    let (url, stub) = stub().await;
    let c = client(&url);

    let s = c.get_schema_string(1, None).await.unwrap();
    assert_eq!(
        (s.schema_type, s.schema.as_str()),
        (SchemaType::Avro, r#"{"type": "string"}"#)
    );
    assert_eq!(
        c.get_schema_versions(1).await.unwrap(),
        vec![SubjectVersion {
            subject: "test-subject1".into(),
            version: 1
        }]
    );
    assert_eq!(c.schema_types().await.unwrap(), vec!["JSON", "PROTOBUF", "AVRO"]);
    assert_eq!(c.versions("test", false).await.unwrap(), vec![1, 2, 3, 4]);
    let v = c
        .get_version("test", VersionSpec::Number(1), false)
        .await
        .unwrap();
    assert_eq!(
        (v.subject.as_str(), v.id, v.version, v.schema_type),
        ("test", 1, 1, SchemaType::Avro)
    );
    assert_eq!(c.latest("test").await.unwrap().version, 4);
    let req = RegisterRequest::new(r#"{"type":"string"}"#, SchemaType::Avro);
    assert_eq!(c.register("test", &req).await.unwrap(), 1);
    let found = c.lookup("test", &req, false).await.unwrap();
    assert_eq!((found.id, found.version), (1, 3));
    assert_eq!(
        c.delete_subject("test", false).await.unwrap(),
        vec![1, 2, 3, 4, 5]
    );
    assert_eq!(
        c.delete_version("test", VersionSpec::Number(1), false)
            .await
            .unwrap(),
        1
    );
    let ok = c
        .test_compatibility("test", VersionSpec::Latest, &req, false)
        .await
        .unwrap();
    assert!(ok.is_compatible);
    let bad = c
        .test_compatibility("verbose", VersionSpec::Latest, &req, true)
        .await
        .unwrap();
    assert!(!bad.is_compatible && bad.messages.unwrap().len() == 1);
    assert_eq!(
        c.set_config(None, CompatibilityLevel::Full).await.unwrap(),
        CompatibilityLevel::Full
    );
    assert_eq!(c.get_config(None, false).await.unwrap(), CompatibilityLevel::Full);
    assert_eq!(
        c.set_config(Some("test"), CompatibilityLevel::None)
            .await
            .unwrap(),
        CompatibilityLevel::None
    );
    assert_eq!(
        c.get_config(Some("test"), false).await.unwrap(),
        CompatibilityLevel::Forward
    );
    assert_eq!(c.get_mode(None, false).await.unwrap(), Mode::Readwrite);
    assert_eq!(c.set_mode(None, Mode::Import, false).await.unwrap(), Mode::Import);
    assert_eq!(c.contexts().await.unwrap(), vec![".", ".mycontext"]);

    // What we sent: Confluent's body shape, schemaType left out for AVRO.
    let sent = stub.requests.lock().unwrap().clone();
    let (_, body) = sent
        .iter()
        .find(|(k, _)| k == "POST /subjects/test/versions")
        .unwrap();
    assert_eq!(body, r#"{"schema":"{\"type\":\"string\"}"}"#);
    let (_, body) = sent.iter().find(|(k, _)| k == "PUT /config").unwrap();
    assert_eq!(body, r#"{"compatibility":"FULL"}"#);
}

#[tokio::test]
async fn classifies_confluent_errors() {
    let (url, _) = stub().await;
    let c = client(&url);
    let cases = [
        (
            c.get_schema_string(404, None).await.unwrap_err(),
            404,
            error_codes::SCHEMA_NOT_FOUND,
        ),
        (
            c.versions("missing", false).await.unwrap_err(),
            404,
            error_codes::SUBJECT_NOT_FOUND,
        ),
        (
            c.get_version("test", VersionSpec::Number(99), false)
                .await
                .unwrap_err(),
            404,
            error_codes::VERSION_NOT_FOUND,
        ),
        (
            c.register("incompatible", &RegisterRequest::new("{}", SchemaType::Json))
                .await
                .unwrap_err(),
            409,
            error_codes::INCOMPATIBLE_SCHEMA,
        ),
        (
            c.register("invalid", &RegisterRequest::new("{}", SchemaType::Json))
                .await
                .unwrap_err(),
            422,
            error_codes::INVALID_SCHEMA,
        ),
        (
            c.get_config(Some("unset"), false).await.unwrap_err(),
            404,
            error_codes::SUBJECT_COMPATIBILITY_NOT_CONFIGURED,
        ),
        (
            c.versions("unauthorized", false).await.unwrap_err(),
            401,
            error_codes::UNAUTHORIZED,
        ),
    ];
    for (err, status, code) in cases {
        assert_eq!(err.status(), Some(status), "{err}");
        assert_eq!(err.error_code(), Some(code), "{err}");
        assert!(!err.is_transient(), "{err}");
        assert!(err.to_string().contains(&url), "errors name the URL: {err}");
    }
    let err = c.versions("broken", false).await.unwrap_err();
    assert!(err.is_transient(), "{err}");
    assert_eq!(err.error_code(), Some(error_codes::STORE_ERROR));
}

#[tokio::test]
async fn retries_transient_errors_and_caches_by_id() {
    let (url, stub) = stub().await;
    let c = client(&url);
    // Two 503s and a 429 are retried with backoff; the fourth attempt succeeds.
    assert_eq!(c.subjects(false).await.unwrap(), vec!["subject1", "subject2"]);
    assert_eq!(stub.hits.lock().unwrap()["GET /subjects"], 4);

    // With too few retries, the transient error surfaces.
    let mut props = HashMap::new();
    props.insert("schema.registry.url".to_string(), url.clone());
    props.insert("max.retries".to_string(), "0".to_string());
    stub.flaky.store(0, Ordering::SeqCst);
    let impatient = RegistryClient::new(RegistryConfig::from_properties(&props).unwrap()).unwrap();
    let err = impatient.subjects(false).await.unwrap_err();
    assert!(err.is_transient() && err.status() == Some(503), "{err}");

    // JSON schema with a reference: fetched and parsed once, then served from the cache.
    for _ in 0..3 {
        let s = c.get_schema_by_id(2).await.unwrap();
        assert_eq!(s.schema_type, SchemaType::Json);
        assert!(s.json.is_some());
    }
    let p = c.get_schema_by_id(3).await.unwrap();
    assert!(p.json.is_none() && p.schema.contains("proto3"));
    let hits = stub.hits.lock().unwrap().clone();
    assert_eq!(hits["GET /schemas/ids/2"], 1);
    assert_eq!(hits["GET /subjects/customer-value/versions/1"], 1);
    assert_eq!(c.cached_schemas(), 2);
}

#[tokio::test]
async fn sends_bearer_token_and_confluent_cloud_headers() {
    let (url, stub) = stub().await;
    let mut props = HashMap::new();
    props.insert("schema.registry.url".to_string(), url.clone());
    props.insert(
        "bearer.auth.credentials.source".to_string(),
        "STATIC_TOKEN".to_string(),
    );
    props.insert("bearer.auth.token".to_string(), "tok-123".to_string());
    props.insert("bearer.auth.logical.cluster".to_string(), "lsrc-abc".to_string());
    props.insert("bearer.auth.identity.pool.id".to_string(), "pool-1".to_string());
    let cfg = RegistryConfig::from_properties(&props).unwrap();
    assert!(!format!("{cfg:?}").contains("tok-123"));
    let c = RegistryClient::new(cfg).unwrap();
    c.schema_types().await.unwrap();
    let (auth, cluster, pool, accept) = stub.headers.lock().unwrap().last().cloned().unwrap();
    assert_eq!(auth, "Bearer tok-123");
    assert_eq!(cluster, "lsrc-abc");
    assert_eq!(pool, "pool-1");
    assert!(
        accept.starts_with("application/vnd.schemaregistry.v1+json"),
        "{accept}"
    );
}
