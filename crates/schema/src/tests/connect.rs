//! Debezium / Kafka Connect schemas: `connect.*` keywords, the `connect.type: bytes`
//! short-circuit, and evolving the golden `seed-flat-create` envelope.

use serde_json::{Value, json};

use super::{SEED_FLAT_SCHEMA, schema};
use crate::{
    CompatibilityLevel as L, CompatibilityPolicy as P, DifferenceType as T, check_compatibility,
    check_compatibility_with_policy,
};

fn seed_with(edit: impl FnOnce(&mut serde_json::Map<String, Value>)) -> String {
    let mut v: Value = serde_json::from_str(SEED_FLAT_SCHEMA).expect("seed schema");
    if let Some(props) = v["properties"].as_object_mut() {
        edit(props);
    }
    v.to_string()
}

#[test]
fn adding_an_optional_nullable_field_to_the_open_envelope() {
    let new = seed_with(|p| {
        p.insert(
            "region".into(),
            json!({"oneOf": [{"type": "null"}, {"type": "string"}], "connect.index": 9}),
        );
    });
    let diffs = check_compatibility(L::Backward, &schema(&new), &[schema(SEED_FLAT_SCHEMA)]);
    assert_eq!(diffs.len(), 1, "{diffs:?}");
    assert_eq!(
        (diffs[0].kind, diffs[0].path.as_str()),
        (T::OptionalPropertyAddedToOpenContentModel, "#/properties/region")
    );
    // Allowed under LENIENT; FORWARD is fine (old readers ignore it).
    assert!(
        check_compatibility_with_policy(
            L::Backward,
            P::Lenient,
            &schema(&new),
            &[schema(SEED_FLAT_SCHEMA)]
        )
        .is_empty()
    );
    assert!(check_compatibility(L::Forward, &schema(&new), &[schema(SEED_FLAT_SCHEMA)]).is_empty());
}

#[test]
fn removing_a_nullable_field_from_the_open_envelope() {
    let new = seed_with(|p| {
        p.remove("event_type");
    });
    assert!(check_compatibility(L::Backward, &schema(&new), &[schema(SEED_FLAT_SCHEMA)]).is_empty());
    // The reverse (re-adding it) is what strict BACKWARD refuses, so FULL fails.
    assert!(!check_compatibility(L::Full, &schema(&new), &[schema(SEED_FLAT_SCHEMA)]).is_empty());
}

#[test]
fn seed_schema_is_fully_compatible_with_itself() {
    let s = schema(SEED_FLAT_SCHEMA);
    assert!(check_compatibility(L::FullTransitive, &s, &[s.clone(), s.clone()]).is_empty());
}

#[test]
fn connect_keywords_are_not_compared() {
    let old = r#"{"type":"integer","connect.type":"int32","connect.index":0}"#;
    let new = r#"{"type":"integer","connect.type":"int64","connect.index":3,"connect.version":2}"#;
    assert!(check_compatibility(L::Full, &schema(new), &[schema(old)]).is_empty());
}

#[test]
fn connect_bytes_allows_the_decimal_string_to_number_fix() {
    let old = r#"{"type":"string","connect.type":"bytes","title":"org.apache.kafka.connect.data.Decimal"}"#;
    let new = r#"{"type":"number","connect.type":"bytes","title":"org.apache.kafka.connect.data.Decimal"}"#;
    assert!(check_compatibility(L::Full, &schema(new), &[schema(old)]).is_empty());
    let plain = r#"{"type":"number","title":"org.apache.kafka.connect.data.Decimal"}"#;
    assert!(!check_compatibility(L::Backward, &schema(plain), &[schema(old)]).is_empty());
}

#[test]
fn debezium_nullable_field_type_changes() {
    let field = |t: &str| {
        seed_with(|p| {
            p.insert("amount".into(), json!({"oneOf": [{"type": "null"}, {"type": t, "connect.type": "int64"}], "connect.index": 9}));
        })
    };
    let (int, num, text) = (field("integer"), field("number"), field("string"));
    assert!(check_compatibility(L::Backward, &schema(&num), &[schema(&int)]).is_empty());
    assert!(!check_compatibility(L::Backward, &schema(&int), &[schema(&num)]).is_empty());
    let diffs = check_compatibility(L::Backward, &schema(&text), &[schema(&int)]);
    assert_eq!(diffs.len(), 1);
    assert_eq!(
        (diffs[0].kind, diffs[0].path.as_str()),
        (T::CombinedTypeSubschemasChanged, "#/properties/amount")
    );
    // A field that becomes nullable is fine BACKWARD, not FULL.
    let required_id = seed_with(|p| {
        p.insert(
            "id".into(),
            json!({"oneOf": [{"type": "null"}, {"type": "integer"}], "connect.index": 0}),
        );
    });
    assert!(check_compatibility(L::Backward, &schema(&required_id), &[schema(SEED_FLAT_SCHEMA)]).is_empty());
    assert!(!check_compatibility(L::Full, &schema(&required_id), &[schema(SEED_FLAT_SCHEMA)]).is_empty());
}
