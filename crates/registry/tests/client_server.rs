//! Our client against our server, in-process over real HTTP: every endpoint and error code, URL
//! failover, retries of transient errors, the id cache, and basic auth.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test

use std::collections::HashMap;
use std::time::{Duration, Instant};

use switchyard_registry::{
    Auth, Mode, RegisterRequest, RegistryClient, RegistryConfig, RunningServer, SchemaReference, SchemaType,
    ServerConfig, SubjectVersion, VersionSpec, error_codes, start,
};
use switchyard_schema::CompatibilityLevel;

async fn server(config: ServerConfig) -> RunningServer {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    start(listener, config).await.unwrap()
}

fn json(text: &str) -> RegisterRequest {
    RegisterRequest::new(text, SchemaType::Json)
}

const ORDER_V1: &str = r#"{"type":"object","properties":{"id":{"type":"integer"},"amount":{"type":"number"}},"additionalProperties":false}"#;
const ORDER_V2: &str = r#"{"type":"object","properties":{"id":{"type":"integer"},"amount":{"type":"number"},"note":{"type":"string"}},"additionalProperties":false}"#;
const ORDER_BAD: &str = r#"{"type":"object","properties":{"id":{"type":"integer"},"amount":{"type":"string"}},"additionalProperties":false}"#;

fn code(err: switchyard_registry::RegistryError) -> i32 {
    assert!(!err.is_transient(), "{err}");
    err.error_code().unwrap_or_else(|| panic!("no error code: {err}"))
}

#[tokio::test]
async fn every_endpoint_and_error_code() {
    let srv = server(ServerConfig::default()).await;
    let c = RegistryClient::from_url(&srv.url()).unwrap();

    // Empty registry.
    assert_eq!(c.subjects(false).await.unwrap(), Vec::<String>::new());
    assert_eq!(
        c.get_config(None, false).await.unwrap(),
        CompatibilityLevel::Backward
    );
    assert_eq!(c.get_mode(None, false).await.unwrap(), Mode::Readwrite);
    assert_eq!(c.schema_types().await.unwrap(), vec!["JSON", "PROTOBUF", "AVRO"]);
    assert_eq!(
        code(c.versions("orders-value", false).await.unwrap_err()),
        error_codes::SUBJECT_NOT_FOUND
    );
    assert_eq!(
        code(c.latest("orders-value").await.unwrap_err()),
        error_codes::SUBJECT_NOT_FOUND
    );
    assert_eq!(
        code(c.get_schema_string(1, None).await.unwrap_err()),
        error_codes::SCHEMA_NOT_FOUND
    );

    // Register, re-register, lookup.
    let id1 = c.register("orders-value", &json(ORDER_V1)).await.unwrap();
    assert_eq!(c.register("orders-value", &json(ORDER_V1)).await.unwrap(), id1);
    assert_eq!(c.versions("orders-value", false).await.unwrap(), vec![1]);
    let found = c.lookup("orders-value", &json(ORDER_V1), false).await.unwrap();
    assert_eq!(
        (found.version, found.id, found.schema_type),
        (1, id1, SchemaType::Json)
    );
    assert_eq!(
        code(
            c.lookup("orders-value", &json(ORDER_V2), false)
                .await
                .unwrap_err()
        ),
        error_codes::SCHEMA_NOT_FOUND
    );
    assert_eq!(
        code(c.lookup("nobody", &json(ORDER_V1), false).await.unwrap_err()),
        error_codes::SUBJECT_NOT_FOUND
    );

    // Compatibility: pass, fail (verbose), register fails with 409.
    let id2 = c.register("orders-value", &json(ORDER_V2)).await.unwrap();
    assert_ne!(id1, id2);
    let ok = c
        .test_compatibility("orders-value", VersionSpec::Latest, &json(ORDER_V2), false)
        .await
        .unwrap();
    assert!(ok.is_compatible && ok.messages.is_none());
    let bad = c
        .test_compatibility("orders-value", VersionSpec::Latest, &json(ORDER_BAD), true)
        .await
        .unwrap();
    assert!(!bad.is_compatible);
    let messages = bad.messages.unwrap();
    assert!(messages.iter().any(|m| m.contains("amount")), "{messages:?}");
    let vs1 = c
        .test_compatibility("orders-value", VersionSpec::Number(1), &json(ORDER_V2), false)
        .await
        .unwrap();
    assert!(vs1.is_compatible);
    assert_eq!(
        code(
            c.test_compatibility("orders-value", VersionSpec::Number(9), &json(ORDER_V2), false)
                .await
                .unwrap_err()
        ),
        error_codes::VERSION_NOT_FOUND
    );
    let err = c.register("orders-value", &json(ORDER_BAD)).await.unwrap_err();
    assert!(err.is_incompatible());
    assert!(
        err.to_string().contains("incompatible with an earlier schema"),
        "{err}"
    );

    // Reads.
    let latest = c.latest("orders-value").await.unwrap();
    assert_eq!((latest.version, latest.id), (2, id2));
    assert_eq!(
        c.get_version("orders-value", VersionSpec::Number(1), false)
            .await
            .unwrap()
            .id,
        id1
    );
    assert_eq!(
        code(
            c.get_version("orders-value", VersionSpec::Number(7), false)
                .await
                .unwrap_err()
        ),
        error_codes::VERSION_NOT_FOUND
    );
    let s = c.get_schema_string(id1, Some("orders-value")).await.unwrap();
    assert_eq!((s.schema_type, s.schema.as_str()), (SchemaType::Json, ORDER_V1));
    assert_eq!(c.register("copy-value", &json(ORDER_V1)).await.unwrap(), id1);
    assert_eq!(
        c.get_schema_versions(id1).await.unwrap(),
        vec![
            SubjectVersion {
                subject: "copy-value".into(),
                version: 1
            },
            SubjectVersion {
                subject: "orders-value".into(),
                version: 1
            }
        ]
    );
    assert_eq!(
        c.get_schema_subjects(id1).await.unwrap(),
        vec!["copy-value", "orders-value"]
    );

    // The cache: one network read per id, parsed JSON Schema.
    let cached = c.get_schema_by_id(id2).await.unwrap();
    assert!(cached.json.is_some());
    assert_eq!(c.cached_schemas(), 1);
    let again = c.get_schema_by_id(id2).await.unwrap();
    assert!(std::sync::Arc::ptr_eq(&cached, &again));

    // References.
    let customer = c
        .register(
            "customer-value",
            &json(r#"{"type":"object","properties":{"name":{"type":"string"}}}"#),
        )
        .await
        .unwrap();
    let with_ref = json(r#"{"type":"object","properties":{"customer":{"$ref":"customer.json"}}}"#)
        .with_references(vec![SchemaReference {
            name: "customer.json".into(),
            subject: "customer-value".into(),
            version: 1,
        }]);
    let ref_id = c.register("invoice-value", &with_ref).await.unwrap();
    assert_eq!(c.referenced_by("customer-value", 1).await.unwrap(), vec![ref_id]);
    let parsed = c.get_schema_by_id(ref_id).await.unwrap();
    assert_eq!(parsed.references.len(), 1);
    assert!(parsed.json.is_some());
    assert_eq!(
        code(
            c.delete_version("customer-value", VersionSpec::Number(1), false)
                .await
                .unwrap_err()
        ),
        error_codes::REFERENCE_EXISTS
    );
    let missing = json(r#"{"$ref":"x.json"}"#).with_references(vec![SchemaReference {
        name: "x.json".into(),
        subject: "nowhere".into(),
        version: 1,
    }]);
    assert_eq!(
        code(c.register("bad-ref", &missing).await.unwrap_err()),
        error_codes::INVALID_SCHEMA
    );
    assert_eq!(
        code(c.register("bad", &json("{oops")).await.unwrap_err()),
        error_codes::INVALID_SCHEMA
    );
    assert!(customer > 0);

    // Config: global, subject, defaultToGlobal, delete.
    assert_eq!(
        code(c.get_config(Some("orders-value"), false).await.unwrap_err()),
        error_codes::SUBJECT_COMPATIBILITY_NOT_CONFIGURED
    );
    assert_eq!(
        c.get_config(Some("orders-value"), true).await.unwrap(),
        CompatibilityLevel::Backward
    );
    assert_eq!(
        c.set_config(Some("orders-value"), CompatibilityLevel::None)
            .await
            .unwrap(),
        CompatibilityLevel::None
    );
    assert_eq!(
        c.get_config(Some("orders-value"), false).await.unwrap(),
        CompatibilityLevel::None
    );
    assert_eq!(
        c.register("orders-value", &json(ORDER_BAD)).await.unwrap(),
        5,
        "failed registrations use no id"
    );
    assert_eq!(
        c.set_config(None, CompatibilityLevel::Full).await.unwrap(),
        CompatibilityLevel::Full
    );
    assert_eq!(
        c.delete_config(Some("orders-value")).await.unwrap(),
        Some(CompatibilityLevel::None)
    );
    assert_eq!(
        c.get_config(Some("orders-value"), true).await.unwrap(),
        CompatibilityLevel::Full
    );
    assert_eq!(
        c.delete_config(None).await.unwrap(),
        Some(CompatibilityLevel::Full)
    );
    assert_eq!(
        c.get_config(None, false).await.unwrap(),
        CompatibilityLevel::Backward
    );

    // Mode: READONLY refuses writes; subject-level mode; delete.
    assert_eq!(
        code(c.get_mode(Some("orders-value"), false).await.unwrap_err()),
        error_codes::SUBJECT_MODE_NOT_CONFIGURED
    );
    c.set_mode(Some("orders-value"), Mode::Readonly, false)
        .await
        .unwrap();
    assert_eq!(
        code(
            c.register("orders-value", &json(r#"{"type":"null"}"#))
                .await
                .unwrap_err()
        ),
        error_codes::OPERATION_NOT_PERMITTED
    );
    assert_eq!(
        c.get_mode(Some("orders-value"), false).await.unwrap(),
        Mode::Readonly
    );
    assert_eq!(c.delete_mode("orders-value").await.unwrap(), Mode::Readonly);
    assert_eq!(
        c.get_mode(Some("orders-value"), true).await.unwrap(),
        Mode::Readwrite
    );
    assert_eq!(
        code(c.set_mode(None, Mode::Import, false).await.unwrap_err()),
        error_codes::OPERATION_NOT_PERMITTED
    );

    // Deletes: versions, subjects, soft then permanent, with Confluent's codes.
    assert_eq!(
        code(
            c.delete_version("orders-value", VersionSpec::Number(1), true)
                .await
                .unwrap_err()
        ),
        error_codes::SCHEMA_VERSION_NOT_SOFT_DELETED
    );
    assert_eq!(
        c.delete_version("orders-value", VersionSpec::Number(1), false)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        code(
            c.delete_version("orders-value", VersionSpec::Number(1), false)
                .await
                .unwrap_err()
        ),
        error_codes::SCHEMA_VERSION_SOFT_DELETED
    );
    assert_eq!(c.versions("orders-value", false).await.unwrap(), vec![2, 3]);
    assert_eq!(c.versions("orders-value", true).await.unwrap(), vec![1, 2, 3]);
    assert_eq!(
        c.get_version("orders-value", VersionSpec::Number(1), true)
            .await
            .unwrap()
            .id,
        id1
    );
    assert_eq!(
        c.delete_version("orders-value", VersionSpec::Number(1), true)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        code(c.delete_subject("orders-value", true).await.unwrap_err()),
        error_codes::SUBJECT_NOT_SOFT_DELETED
    );
    assert_eq!(c.delete_subject("orders-value", false).await.unwrap(), vec![2, 3]);
    assert_eq!(
        code(c.delete_subject("orders-value", false).await.unwrap_err()),
        error_codes::SUBJECT_SOFT_DELETED
    );
    assert!(
        !c.subjects(false)
            .await
            .unwrap()
            .contains(&"orders-value".to_string())
    );
    assert!(
        c.subjects(true)
            .await
            .unwrap()
            .contains(&"orders-value".to_string())
    );
    assert_eq!(c.delete_subject("orders-value", true).await.unwrap(), vec![2, 3]);
    assert_eq!(
        code(c.delete_subject("orders-value", false).await.unwrap_err()),
        error_codes::SUBJECT_NOT_FOUND
    );

    // Contexts are subject-name prefixes.
    c.register(":.staging:orders-value", &json(r#"{"type":"string"}"#))
        .await
        .unwrap();
    assert_eq!(
        c.latest(":.staging:orders-value").await.unwrap().subject,
        ":.staging:orders-value"
    );
    assert_eq!(c.contexts().await.unwrap(), vec![".", ".staging"]);

    // AVRO and PROTOBUF: stored and served; compatibility checks say they are unsupported.
    let avro = RegisterRequest::new(r#"{"type":"record","name":"R","fields":[]}"#, SchemaType::Avro);
    let avro_id = c.register("avro-value", &avro).await.unwrap();
    assert_eq!(
        c.get_schema_by_id(avro_id).await.unwrap().schema_type,
        SchemaType::Avro
    );
    let avro2 = RegisterRequest::new(r#"{"type":"record","name":"R2","fields":[]}"#, SchemaType::Avro);
    let err = c.register("avro-value", &avro2).await.unwrap_err();
    assert!(err.to_string().contains("not supported"), "{err}");
    let proto = RegisterRequest::new(
        "syntax = \"proto3\";\nmessage M { string a = 1; }\n",
        SchemaType::Protobuf,
    );
    let proto_id = c.register("proto-value", &proto).await.unwrap();
    assert_eq!(
        c.get_schema_string(proto_id, None).await.unwrap().schema_type,
        SchemaType::Protobuf
    );

    srv.shutdown().await.unwrap();
}

#[tokio::test]
async fn import_mode_keeps_ids_and_versions() {
    let srv = server(ServerConfig::default()).await;
    let c = RegistryClient::from_url(&srv.url()).unwrap();
    c.set_mode(None, Mode::Import, false).await.unwrap();
    let mut req = json(ORDER_V1);
    req.id = Some(1234);
    req.version = Some(5);
    assert_eq!(c.register("imported", &req).await.unwrap(), 1234);
    assert_eq!(c.latest("imported").await.unwrap().version, 5);
    let mut clash = json(ORDER_V2);
    clash.id = Some(1234);
    assert_eq!(
        code(c.register("imported", &clash).await.unwrap_err()),
        error_codes::ID_DOES_NOT_MATCH
    );
    c.set_mode(None, Mode::Readwrite, false).await.unwrap();
    assert_eq!(c.register("fresh", &json(ORDER_V2)).await.unwrap(), 1235);
    let mut explicit = json(r#"{"type":"null"}"#);
    explicit.id = Some(9);
    assert_eq!(
        code(c.register("fresh", &explicit).await.unwrap_err()),
        error_codes::OPERATION_NOT_PERMITTED
    );
}

#[tokio::test]
async fn failover_to_the_next_url_and_transient_classification() {
    let srv = server(ServerConfig::default()).await;
    // A port nothing listens on: bind, note, drop.
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let mut props = HashMap::new();
    props.insert(
        "schema.registry.url".to_string(),
        format!("http://{dead},{}", srv.url()),
    );
    props.insert("max.retries".to_string(), "0".to_string());
    let c = RegistryClient::new(RegistryConfig::from_properties(&props).unwrap()).unwrap();
    assert_eq!(c.subjects(false).await.unwrap(), Vec::<String>::new());

    // Only the dead URL: a transient connect error naming the URL, after bounded retries with backoff.
    props.insert("schema.registry.url".to_string(), format!("http://{dead}"));
    props.insert("max.retries".to_string(), "2".to_string());
    props.insert("retries.wait.ms".to_string(), "50".to_string());
    let c = RegistryClient::new(RegistryConfig::from_properties(&props).unwrap()).unwrap();
    let started = Instant::now();
    let err = c.subjects(false).await.unwrap_err();
    assert!(err.is_transient(), "{err}");
    assert!(err.to_string().contains(&dead.to_string()), "{err}");
    assert!(err.to_string().contains("not reachable"), "{err}");
    assert!(
        started.elapsed() >= Duration::from_millis(150),
        "50 ms + 100 ms of backoff expected"
    );
}

#[tokio::test]
async fn basic_auth_from_properties() {
    let srv = server(ServerConfig {
        basic_auth: Some(("alice".into(), "wonder".into())),
        ..ServerConfig::default()
    })
    .await;
    let anonymous = RegistryClient::from_url(&srv.url()).unwrap();
    let err = anonymous.subjects(false).await.unwrap_err();
    assert_eq!(err.error_code(), Some(error_codes::UNAUTHORIZED));
    assert_eq!(err.status(), Some(401));
    assert!(!err.is_transient());

    let mut props = HashMap::new();
    props.insert("schema.registry.url".to_string(), srv.url());
    props.insert(
        "basic.auth.credentials.source".to_string(),
        "USER_INFO".to_string(),
    );
    props.insert("basic.auth.user.info".to_string(), "alice:wonder".to_string());
    let cfg = RegistryConfig::from_properties(&props).unwrap();
    assert!(matches!(cfg.auth, Auth::Basic { .. }));
    assert!(!format!("{cfg:?}").contains("wonder"));
    let c = RegistryClient::new(cfg).unwrap();
    assert_eq!(c.subjects(false).await.unwrap(), Vec::<String>::new());

    // Credentials in the URL work too and never show up in errors.
    let with_creds = srv.url().replace("http://", "http://alice:wonder@");
    let c = RegistryClient::from_url(&with_creds).unwrap();
    assert_eq!(c.subjects(false).await.unwrap(), Vec::<String>::new());
    let err = c.versions("nothing", false).await.unwrap_err();
    assert!(!err.to_string().contains("wonder"), "{err}");
}
