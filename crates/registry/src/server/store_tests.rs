//! Unit tests of the store: id reuse, version numbering, deletes, modes, and replay from the log.

use switchyard_schema::CompatibilityLevel;

use super::log::{LOG_FILE, encode_line};
use super::store::Store;
use crate::error_codes as codes;
use crate::types::{Mode, RegisterRequest, SchemaReference, SchemaType, VersionSpec};

fn json(s: &str) -> RegisterRequest {
    RegisterRequest::new(s, SchemaType::Json)
}

const A: &str = r#"{"type":"object","properties":{"a":{"type":"string"}}}"#;
const B: &str = r#"{"type":"object","properties":{"b":{"type":"integer"}}}"#;

#[test]
fn same_schema_same_id_no_new_version() {
    let s = Store::in_memory();
    let id = s.register("orders-value", json(A)).unwrap();
    assert_eq!(id, 1);
    // Whitespace differences are the same schema.
    let again = s.register("orders-value", json(&A.replace(':', " : "))).unwrap();
    assert_eq!(again, id);
    let v = s
        .subject_version("orders-value", VersionSpec::Latest, false)
        .unwrap();
    assert_eq!(v.version, 1);
    // Another subject reuses the id with its own version 1.
    assert_eq!(s.register("other", json(A)).unwrap(), id);
    assert_eq!(
        s.subject_version("other", VersionSpec::Latest, false)
            .unwrap()
            .version,
        1
    );
    // A different schema gets a new id and version 2.
    s.set_config(Some("orders-value"), Some(CompatibilityLevel::None))
        .unwrap();
    assert_eq!(s.register("orders-value", json(B)).unwrap(), 2);
    assert_eq!(
        s.subject_version("orders-value", VersionSpec::Latest, false)
            .unwrap()
            .version,
        2
    );
    // Same text, different type: a different schema.
    s.set_config(None, Some(CompatibilityLevel::None)).unwrap();
    let avro = RegisterRequest::new(A, SchemaType::Avro);
    assert_eq!(s.register("orders-value", avro).unwrap(), 3);
}

#[test]
fn invalid_schema_and_unknown_reference_are_42201() {
    let s = Store::in_memory();
    let err = s.register("x", json("{not json")).unwrap_err();
    assert_eq!(err.code, codes::INVALID_SCHEMA);
    let with_ref = json(A).with_references(vec![SchemaReference {
        name: "other.json".into(),
        subject: "missing".into(),
        version: 1,
    }]);
    let err = s.register("x", with_ref).unwrap_err();
    assert_eq!(err.code, codes::INVALID_SCHEMA, "{}", err.message);
    assert!(err.message.contains("missing"), "{}", err.message);
}

#[test]
fn soft_then_hard_delete_of_versions() {
    let s = Store::in_memory();
    s.set_config(None, Some(CompatibilityLevel::None)).unwrap();
    s.register("s", json(A)).unwrap();
    s.register("s", json(B)).unwrap();
    let err = s.delete_version("s", VersionSpec::Number(1), true).unwrap_err();
    assert_eq!(err.code, codes::SCHEMA_VERSION_NOT_SOFT_DELETED);
    assert_eq!(s.delete_version("s", VersionSpec::Number(1), false).unwrap(), 1);
    let err = s.delete_version("s", VersionSpec::Number(1), false).unwrap_err();
    assert_eq!(err.code, codes::SCHEMA_VERSION_SOFT_DELETED);
    assert_eq!(
        s.subject_version("s", VersionSpec::Number(1), false)
            .unwrap_err()
            .code,
        codes::VERSION_NOT_FOUND
    );
    assert_eq!(
        s.subject_version("s", VersionSpec::Number(1), true).unwrap().id,
        1
    );
    // The id is still served while a soft-deleted version uses it.
    assert!(s.schema_by_id(1).is_ok());
    assert_eq!(s.delete_version("s", VersionSpec::Number(1), true).unwrap(), 1);
    assert_eq!(s.schema_by_id(1).unwrap_err().code, codes::SCHEMA_NOT_FOUND);
    assert_eq!(
        s.delete_version("s", VersionSpec::Number(9), false)
            .unwrap_err()
            .code,
        codes::VERSION_NOT_FOUND
    );
    // Re-registering the hard-deleted schema reuses its id with a new version.
    assert_eq!(s.register("s", json(A)).unwrap(), 1);
    assert_eq!(
        s.subject_version("s", VersionSpec::Latest, false)
            .unwrap()
            .version,
        3
    );
}

#[test]
fn soft_then_hard_delete_of_subjects() {
    let s = Store::in_memory();
    s.register("s", json(A)).unwrap();
    assert_eq!(
        s.delete_subject("s", true).unwrap_err().code,
        codes::SUBJECT_NOT_SOFT_DELETED
    );
    assert_eq!(s.delete_subject("s", false).unwrap(), vec![1]);
    assert_eq!(
        s.delete_subject("s", false).unwrap_err().code,
        codes::SUBJECT_SOFT_DELETED
    );
    assert_eq!(
        s.subject_version("s", VersionSpec::Latest, false)
            .unwrap_err()
            .code,
        codes::SUBJECT_NOT_FOUND
    );
    // Registering again after a soft delete makes a new version with the same id.
    assert_eq!(s.register("s", json(A)).unwrap(), 1);
    assert_eq!(
        s.subject_version("s", VersionSpec::Latest, false)
            .unwrap()
            .version,
        2
    );
    s.delete_subject("s", false).unwrap();
    assert_eq!(s.delete_subject("s", true).unwrap(), vec![1, 2]);
    assert_eq!(
        s.delete_subject("s", false).unwrap_err().code,
        codes::SUBJECT_NOT_FOUND
    );
}

#[test]
fn modes_readonly_and_import() {
    let s = Store::in_memory();
    s.set_mode(None, Some(Mode::Readonly), false).unwrap();
    assert_eq!(
        s.register("s", json(A)).unwrap_err().code,
        codes::OPERATION_NOT_PERMITTED
    );
    s.set_mode(None, Some(Mode::Import), false).unwrap();
    let mut req = json(A);
    req.id = Some(100);
    req.version = Some(7);
    assert_eq!(s.register("s", req).unwrap(), 100);
    assert_eq!(
        s.subject_version("s", VersionSpec::Latest, false)
            .unwrap()
            .version,
        7
    );
    // Another schema may not take id 100.
    let mut clash = json(B);
    clash.id = Some(100);
    assert_eq!(s.register("t", clash).unwrap_err().code, codes::ID_DOES_NOT_MATCH);
    // Back to READWRITE: new ids continue after the imported maximum; explicit ids are refused.
    s.set_mode(None, Some(Mode::Readwrite), false).unwrap();
    assert_eq!(s.register("t", json(B)).unwrap(), 101);
    let mut explicit = json(r#"{"type":"null"}"#);
    explicit.id = Some(5);
    assert_eq!(
        s.register("u", explicit).unwrap_err().code,
        codes::OPERATION_NOT_PERMITTED
    );
    // Entering IMPORT with existing schemas needs force.
    assert_eq!(
        s.set_mode(None, Some(Mode::Import), false).unwrap_err().code,
        codes::OPERATION_NOT_PERMITTED
    );
    s.set_mode(None, Some(Mode::Import), true).unwrap();
}

#[test]
fn avro_compatibility_is_an_explicit_error() {
    let s = Store::in_memory();
    let avro = RegisterRequest::new(r#"{"type":"record","name":"r","fields":[]}"#, SchemaType::Avro);
    s.register("a", avro.clone()).unwrap();
    let next = RegisterRequest::new(r#"{"type":"record","name":"r2","fields":[]}"#, SchemaType::Avro);
    let err = s.register("a", next.clone()).unwrap_err();
    assert_eq!(err.code, codes::OPERATION_NOT_PERMITTED);
    assert!(err.message.contains("not supported"), "{}", err.message);
    let err = s
        .test_compatibility("a", Some(VersionSpec::Latest), &next, true)
        .unwrap_err();
    assert!(err.message.contains("not supported"), "{}", err.message);
    s.set_config(Some("a"), Some(CompatibilityLevel::None)).unwrap();
    assert_eq!(s.register("a", next).unwrap(), 2);
}

#[test]
fn replay_restores_everything_and_ids_continue() {
    let dir = tempfile::tempdir().unwrap();
    {
        let s = Store::open(dir.path()).unwrap();
        s.set_config(None, Some(CompatibilityLevel::None)).unwrap();
        s.register("a", json(A)).unwrap();
        s.register("a", json(B)).unwrap();
        s.register("b", json(B)).unwrap();
        s.delete_version("a", VersionSpec::Number(1), false).unwrap();
        s.set_config(Some("b"), Some(CompatibilityLevel::Full)).unwrap();
        s.set_mode(Some("b"), Some(Mode::Readonly), false).unwrap();
    }
    // A torn record at the end (crash mid-append) is dropped, the rest survives.
    let path = dir.path().join(LOG_FILE);
    let line = encode_line(&super::log::Record::DeleteSubject {
        subject: "b".into(),
        permanent: false,
    })
    .unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.extend_from_slice(&line[..line.len() - 5]);
    std::fs::write(&path, bytes).unwrap();

    let s = Store::open(dir.path()).unwrap();
    assert_eq!(
        s.subject_version("a", VersionSpec::Number(1), false)
            .unwrap_err()
            .code,
        codes::VERSION_NOT_FOUND
    );
    assert_eq!(
        s.subject_version("a", VersionSpec::Number(1), true).unwrap().id,
        1
    );
    assert_eq!(s.subject_version("a", VersionSpec::Latest, false).unwrap().id, 2);
    assert_eq!(s.subject_version("b", VersionSpec::Latest, false).unwrap().id, 2);
    s.read(|st| {
        assert_eq!(st.global_compat, CompatibilityLevel::None);
        assert_eq!(st.effective_compat("b"), CompatibilityLevel::Full);
        assert_eq!(st.effective_mode("b"), Mode::Readonly);
        Ok(())
    })
    .unwrap();
    assert_eq!(s.register("c", json(r#"{"type":"boolean"}"#)).unwrap(), 3);
}

#[test]
fn lookup_finds_version_or_says_why_not() {
    let s = Store::in_memory();
    assert_eq!(
        s.lookup("s", &json(A), false).unwrap_err().code,
        codes::SUBJECT_NOT_FOUND
    );
    s.register("s", json(A)).unwrap();
    let r = s.lookup("s", &json(A), false).unwrap();
    assert_eq!((r.subject.as_str(), r.version, r.id), ("s", 1, 1));
    assert_eq!(
        s.lookup("s", &json(B), false).unwrap_err().code,
        codes::SCHEMA_NOT_FOUND
    );
}

#[test]
fn normalize_makes_key_order_irrelevant() {
    let s = Store::in_memory();
    let a = s
        .normalized(json(
            r#"{"type":"object","properties":{"b":{"type":"string"},"a":{"type":"integer"}}}"#,
        ))
        .unwrap();
    let b = s
        .normalized(json(
            r#"{"properties":{"a":{"type":"integer"},"b":{"type":"string"}},"type":"object"}"#,
        ))
        .unwrap();
    assert_eq!(a.schema, b.schema);
    let id = s.register("n", a).unwrap();
    assert_eq!(s.register("n", b).unwrap(), id);
    // Without normalization key order is significant, as in Confluent.
    s.set_config(None, Some(CompatibilityLevel::None)).unwrap();
    let c = json(r#"{"type":"object","properties":{"b":{"type":"string"},"a":{"type":"integer"}}}"#);
    assert_ne!(s.register("n", c).unwrap(), id);
}
