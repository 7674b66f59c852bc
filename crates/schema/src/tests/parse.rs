//! Parsing, references, canonical text and instance validation.

use serde_json::json;

use super::{ORDER_SCHEMA, SEED_FLAT_SCHEMA, golden_vectors, schema, schema_with};
use crate::{Draft, JsonSchema, ResolvedReference, SchemaError};

#[test]
fn rejects_text_that_is_not_json() {
    let err = JsonSchema::parse("{not json", &[]).expect_err("invalid");
    assert!(matches!(err, SchemaError::NotJson(_)), "{err}");
}

#[test]
fn rejects_json_that_is_not_a_schema() {
    let err = JsonSchema::parse("[1,2]", &[]).expect_err("invalid");
    assert!(matches!(err, SchemaError::NotASchema { .. }), "{err}");
    assert!(err.to_string().contains("array"), "{err}");
}

#[test]
fn rejects_structurally_invalid_schemas_naming_the_problem() {
    for (text, needle) in [
        (r#"{"type": 5}"#, "type"),
        (r#"{"properties": []}"#, "properties"),
        (r#"{"type": "strin"}"#, "type"),
        (r#"{"required": "a"}"#, "required"),
        (r#"{"minLength": -1}"#, "minLength"),
    ] {
        let err = JsonSchema::parse(text, &[]).expect_err(text);
        let SchemaError::Invalid { location, message } = &err else {
            panic!("{text}: unexpected error {err:?}");
        };
        let all = format!("{location} {message}");
        assert!(all.contains(needle), "{text}: {err}");
    }
}

#[test]
fn accepts_every_supported_draft() {
    for (uri, draft) in [
        ("http://json-schema.org/draft-04/schema#", Draft::Draft4),
        ("http://json-schema.org/draft-06/schema#", Draft::Draft6),
        ("http://json-schema.org/draft-07/schema#", Draft::Draft7),
        ("https://json-schema.org/draft/2019-09/schema", Draft::Draft201909),
        ("https://json-schema.org/draft/2020-12/schema", Draft::Draft202012),
    ] {
        let s = schema(&format!(r#"{{"$schema": "{uri}", "type": "object"}}"#));
        assert_eq!(s.draft(), draft, "{uri}");
    }
    assert_eq!(schema(r#"{"type": "object"}"#).draft(), Draft::Draft7);
    assert_eq!(schema("true").draft(), Draft::Draft7);
}

#[test]
fn draft4_rules_apply_to_draft4_schemas() {
    // exclusiveMaximum is a boolean in draft 4 and a number from draft 6 on.
    let d4 =
        r#"{"$schema": "http://json-schema.org/draft-04/schema#", "maximum": 5, "exclusiveMaximum": true}"#;
    assert!(JsonSchema::parse(d4, &[]).is_ok());
    let d7 = r#"{"maximum": 5, "exclusiveMaximum": true}"#;
    assert!(JsonSchema::parse(d7, &[]).is_err());
}

#[test]
fn local_refs_resolve_for_validation() {
    let s = schema(
        r##"{"definitions": {"s": {"type": "string"}}, "properties": {"a": {"$ref": "#/definitions/s"}}}"##,
    );
    assert!(s.validate(&json!({"a": "x"})).is_ok());
    let issues = s.validate(&json!({"a": 1})).expect_err("invalid");
    assert_eq!(issues[0].instance_path, "/a");
}

#[test]
fn unresolvable_local_ref_is_an_error() {
    let err = JsonSchema::parse(r##"{"$ref": "#/definitions/missing"}"##, &[]).expect_err("invalid");
    assert!(err.to_string().contains("#/definitions/missing"), "{err}");
}

#[test]
fn external_refs_resolve_against_supplied_references() {
    let address = r#"{"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"], "definitions": {"zip": {"type": "string", "pattern": "^[0-9]{5}$"}}}"#;
    let order = r#"{"type": "object", "properties": {
        "ship_to": {"$ref": "address.json"},
        "zip": {"$ref": "address.json#/definitions/zip"}}}"#;
    let s = schema_with(order, &[("address.json", address)]);
    assert!(
        s.validate(&json!({"ship_to": {"city": "Oslo"}, "zip": "12345"}))
            .is_ok()
    );
    let issues = s
        .validate(&json!({"ship_to": {}, "zip": "12"}))
        .expect_err("invalid");
    let paths: Vec<&str> = issues.iter().map(|i| i.instance_path.as_str()).collect();
    assert!(paths.contains(&"/ship_to"), "{issues:?}");
    assert!(paths.contains(&"/zip"), "{issues:?}");
    assert_eq!(s.reference_names().collect::<Vec<_>>(), ["address.json"]);
}

#[test]
fn external_refs_resolve_under_a_root_id() {
    let s = schema_with(
        r#"{"$id": "https://example.com/schemas/order.json", "properties": {"c": {"$ref": "customer.json"}}}"#,
        &[("customer.json", r#"{"type": "string"}"#)],
    );
    assert!(s.validate(&json!({"c": "x"})).is_ok());
    assert!(s.validate(&json!({"c": 1})).is_err());
}

#[test]
fn unresolvable_external_ref_is_an_error_naming_it() {
    let err =
        JsonSchema::parse(r#"{"properties": {"a": {"$ref": "address.json"}}}"#, &[]).expect_err("invalid");
    assert!(
        matches!(&err, SchemaError::UnresolvedReference { reference } if reference == "address.json"),
        "{err}"
    );
    assert!(err.to_string().contains("address.json"), "{err}");
    let err = JsonSchema::parse(
        r#"{"$ref": "other.json#/definitions/x"}"#,
        &[ResolvedReference {
            name: "other.json".into(),
            schema: r#"{"definitions": {}}"#.into(),
        }],
    )
    .expect_err("invalid");
    assert!(err.to_string().contains("other.json#/definitions/x"), "{err}");
}

#[test]
fn invalid_reference_text_is_an_error_naming_it() {
    let err = JsonSchema::parse(
        r#"{"$ref": "a.json"}"#,
        &[ResolvedReference {
            name: "a.json".into(),
            schema: "{".into(),
        }],
    )
    .expect_err("invalid");
    assert!(err.to_string().contains("a.json"), "{err}");
}

#[test]
fn canonical_text_is_compact_and_keeps_key_order() {
    let s = schema("{ \"type\" : \"object\",\n  \"properties\": { \"b\": {}, \"a\": {} } }");
    assert_eq!(
        s.canonical_text(),
        r#"{"type":"object","properties":{"b":{},"a":{}}}"#
    );
    assert_eq!(
        s.text(),
        "{ \"type\" : \"object\",\n  \"properties\": { \"b\": {}, \"a\": {} } }"
    );
    assert_eq!(
        s.normalized_text(),
        r#"{"properties":{"a":{},"b":{}},"type":"object"}"#
    );
    let same = schema(r#"{"type":"object","properties":{"b":{},"a":{}}}"#);
    assert_eq!(s.canonical_text(), same.canonical_text());
    // Numbers keep their spelling (arbitrary precision).
    assert_eq!(
        schema(r#"{"maximum": 1.50}"#).canonical_text(),
        r#"{"maximum":1.50}"#
    );
}

#[test]
fn golden_schema_violation_vector_reports_issues() {
    let s = schema(ORDER_SCHEMA);
    let issues = s
        .validate(&json!({"id": "x", "customer": 1}))
        .expect_err("violation");
    let by_path = |p: &str| {
        issues
            .iter()
            .find(|i| i.instance_path == p)
            .map(|i| i.message.clone())
    };
    // Worded as Confluent's Python deserializer reports it, the /id issue first.
    assert_eq!(
        by_path("/id").as_deref(),
        Some("'x' is not of type 'integer'"),
        "{issues:?}"
    );
    assert_eq!(
        by_path("/customer").as_deref(),
        Some("1 is not of type 'string'"),
        "{issues:?}"
    );
    assert_eq!(issues.len(), 2, "{issues:?}");
    assert_eq!(issues[0].instance_path, "/id");
    if let Some(v) = golden_vectors() {
        let says = v["errors"]
            .as_array()
            .and_then(|e| e.iter().find(|x| x["name"] == "schema-violation"))
            .and_then(|x| x["confluent_deserializer_says"].as_str())
            .map(str::to_owned);
        assert_eq!(says, Some(format!("SerializationError: {}", issues[0].message)));
    }
    assert!(!s.is_valid(&json!({"id": "x", "customer": 1})));
    assert!(
        s.validate(&json!({"id": 1, "customer": "alice", "amount": 12.5, "tags": ["a"]}))
            .is_ok()
    );
    assert!(
        s.validate(&json!({"id": 1, "customer": "a", "extra": true}))
            .is_err()
    );
}

#[test]
fn golden_vector_records_validate_against_their_schemas() {
    let Some(v) = golden_vectors() else {
        return;
    };
    let vectors = v["vectors"].as_array().expect("vectors");
    let text = |name: &str| {
        vectors
            .iter()
            .find(|x| x["name"] == name)
            .and_then(|x| x["schema"].as_str())
            .map(str::to_owned)
    };
    assert_eq!(text("order-basic").as_deref(), Some(ORDER_SCHEMA));
    assert_eq!(text("seed-flat-create").as_deref(), Some(SEED_FLAT_SCHEMA));
    for vector in vectors {
        let s = schema(vector["schema"].as_str().expect("schema text"));
        assert!(s.validate(&vector["record"]).is_ok(), "{}", vector["name"]);
    }
}

#[test]
fn clones_share_the_compiled_validator() {
    let s = schema(r#"{"type": "integer"}"#);
    let t = s.clone();
    assert!(t.validate(&json!(1)).is_ok());
    assert!(t.validate(&json!("1")).is_err());
    fn assert_send_sync<T: Send + Sync>(_: &T) {}
    assert_send_sync(&s);
}

#[test]
fn validation_messages_read_like_python_jsonschema() {
    let s = schema(
        r#"{"type":"object","properties":{"n":{"type":"integer","minimum":1},"e":{"enum":["a","b"]},
            "s":{"type":"string","pattern":"^a"},"t":{"type":["string","null"]}},
            "required":["n"],"additionalProperties":false}"#,
    );
    let messages = |v: serde_json::Value| -> Vec<String> {
        s.validate(&v)
            .expect_err("invalid")
            .into_iter()
            .map(|i| i.message)
            .collect()
    };
    assert_eq!(messages(json!({})), ["'n' is a required property"]);
    assert_eq!(messages(json!({"n": 0})), ["0 is less than the minimum of 1"]);
    assert_eq!(
        messages(json!({"n": 1, "e": "c"})),
        ["'c' is not one of ['a', 'b']"]
    );
    assert_eq!(messages(json!({"n": 1, "s": "b"})), ["'b' does not match '^a'"]);
    assert_eq!(
        messages(json!({"n": 1, "t": 5})),
        ["5 is not of type 'string', 'null'"]
    );
    assert_eq!(
        messages(json!({"n": 1, "x": true})),
        ["Additional properties are not allowed ('x' was unexpected)"]
    );
}

#[test]
fn refs_to_embedded_ids_resolve() {
    let s = schema(
        r#"{"$id":"https://example.com/root.json","properties":{"i":{"$ref":"item.json"}},
            "definitions":{"item":{"$id":"https://example.com/item.json","type":"integer"}}}"#,
    );
    assert!(s.validate(&json!({"i": 1})).is_ok());
    assert!(s.validate(&json!({"i": "1"})).is_err());
}
