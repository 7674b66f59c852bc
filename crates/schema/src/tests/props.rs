//! Property tests: every schema is compatible with itself at every level, and the diff never
//! panics, whatever JSON it is given (including self-referencing `$ref`s).

use proptest::prelude::*;
use serde_json::{Map, Value, json};

use crate::compat::diff_values;
use crate::{CompatibilityLevel as L, JsonSchema, check_compatibility};

fn leaf_schema() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!({})),
        Just(json!(true)),
        Just(json!({"type": "null"})),
        Just(json!({"type": "boolean"})),
        (0u32..5, proptest::option::of(5u32..20)).prop_map(|(min, max)| {
            let mut m = Map::new();
            m.insert("type".into(), json!("string"));
            m.insert("minLength".into(), json!(min));
            if let Some(max) = max {
                m.insert("maxLength".into(), json!(max));
            }
            Value::Object(m)
        }),
        (any::<bool>(), -100i64..100).prop_map(|(int, max)| {
            json!({"type": if int { "integer" } else { "number" }, "maximum": max, "multipleOf": 0.5})
        }),
        proptest::collection::vec("[a-c]{1,2}", 1..4).prop_map(|v| json!({"type": "string", "enum": v})),
        Just(json!({"const": 3})),
        Just(json!({"$ref": "#/definitions/d"})),
        Just(json!({"type": "string", "connect.type": "bytes"})),
    ]
}

fn schema_value() -> impl Strategy<Value = Value> {
    leaf_schema().prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            (
                proptest::collection::btree_map("[a-d]", inner.clone(), 0..4),
                any::<bool>(),
                any::<bool>()
            )
                .prop_map(|(props, closed, req)| {
                    let names: Vec<String> = props.keys().take(1).cloned().collect();
                    let mut m = Map::new();
                    m.insert("type".into(), json!("object"));
                    m.insert("properties".into(), Value::Object(props.into_iter().collect()));
                    if closed {
                        m.insert("additionalProperties".into(), json!(false));
                    }
                    if req {
                        m.insert("required".into(), json!(names));
                    }
                    Value::Object(m)
                }),
            inner.clone().prop_map(|i| json!({"type": "array", "items": i})),
            proptest::collection::vec(inner.clone(), 1..3).prop_map(|v| json!({"type": "array", "items": v})),
            proptest::collection::vec(inner.clone(), 1..4).prop_map(|v| json!({"oneOf": v})),
            proptest::collection::vec(inner.clone(), 1..3).prop_map(|v| json!({"anyOf": v})),
            proptest::collection::vec(inner.clone(), 1..3).prop_map(|v| json!({"allOf": v})),
            inner
                .clone()
                .prop_map(|i| json!({"oneOf": [{"type": "null"}, i]})),
            inner.prop_map(|i| json!({"not": i})),
        ]
    })
}

/// A whole schema: the generated body plus the definition its `$ref`s point at.
fn whole_schema() -> impl Strategy<Value = Value> {
    (schema_value(), leaf_schema()).prop_map(|(body, def)| {
        let mut m = match body {
            Value::Object(m) => m,
            other => {
                let mut m = Map::new();
                m.insert("allOf".into(), json!([other]));
                m
            }
        };
        m.insert("definitions".into(), json!({ "d": def }));
        Value::Object(m)
    })
}

/// Arbitrary JSON, biased towards schema keywords so the diff's branches are exercised.
fn any_json() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        Just("type".to_owned()),
        Just("properties".to_owned()),
        Just("items".to_owned()),
        Just("oneOf".to_owned()),
        Just("allOf".to_owned()),
        Just("anyOf".to_owned()),
        Just("enum".to_owned()),
        Just("$ref".to_owned()),
        Just("additionalProperties".to_owned()),
        Just("patternProperties".to_owned()),
        Just("required".to_owned()),
        Just("not".to_owned()),
        Just("multipleOf".to_owned()),
        Just("maximum".to_owned()),
        Just("prefixItems".to_owned()),
        Just("unevaluatedProperties".to_owned()),
        Just("dependencies".to_owned()),
        "[a-z$]{1,6}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-1e6f64..1e6).prop_map(Value::from),
        prop_oneof![
            Just("#".to_owned()),
            Just("#/properties/a".to_owned()),
            Just("string".to_owned()),
            Just("object".to_owned()),
            Just("[".to_owned()),
            ".{0,4}",
        ]
        .prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 48, 5, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::vec((key.clone(), inner), 0..5)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, .. ProptestConfig::default() })]

    #[test]
    fn every_schema_is_compatible_with_itself(value in whole_schema()) {
        let parsed = JsonSchema::parse(&value.to_string(), &[]);
        prop_assume!(parsed.is_ok());
        let s = parsed.expect("checked above");
        for level in [L::Backward, L::Forward, L::Full, L::FullTransitive] {
            let diffs = check_compatibility(level, &s, std::slice::from_ref(&s));
            prop_assert!(diffs.is_empty(), "{level} {value}: {diffs:?}");
        }
    }

    #[test]
    fn diffing_never_panics(original in any_json(), update in any_json()) {
        let _ = diff_values(&original, &update);
        let _ = diff_values(&update, &original);
        let _ = diff_values(&original, &original);
    }
}

#[test]
fn recursive_schemas_terminate() {
    let tree = json!({
        "definitions": {"node": {"type": "object", "properties": {
            "value": {"type": "integer"},
            "children": {"type": "array", "items": {"$ref": "#/definitions/node"}},
            "next": {"oneOf": [{"type": "null"}, {"$ref": "#/definitions/node"}]}
        }}},
        "$ref": "#/definitions/node"
    });
    assert!(diff_values(&tree, &tree).is_empty());
    let mut changed = tree.clone();
    changed["definitions"]["node"]["properties"]["value"] = json!({"type": "string"});
    let diffs = diff_values(&tree, &changed);
    assert!(diffs.iter().any(|d| d.path == "#/properties/value"), "{diffs:?}");
    let cyclic = json!({"$ref": "#"});
    let _ = diff_values(&cyclic, &cyclic);
}

/// Confluent's `CircularRefSchemaDiffTest`: a 2020-12 schema whose oneOf branches refer back to
/// the union through `$ref`s next to other keywords must be compared quickly.
fn circular_schema(branches: usize, props: usize) -> String {
    let mut defs = serde_json::Map::new();
    defs.insert(
        "SimpleId".into(),
        json!({"type":"object","properties":{"id":{"type":"string"}},"required":["id"]}),
    );
    defs.insert(
        "Base".into(),
        json!({"type":"object","properties":{"name":{"type":"string"}}}),
    );
    defs.insert(
        "ProductOrId".into(),
        json!({"oneOf":[{"$ref":"#/$defs/SimpleId"},{"$ref":"#/$defs/Product"}]}),
    );
    for i in 0..branches {
        let mut properties = serde_json::Map::new();
        for p in 0..props {
            properties.insert(format!("ref{p}"), json!({"$ref":"#/$defs/ProductOrId"}));
        }
        properties.insert("tag".into(), json!({"type":"string","const":format!("type{i}")}));
        defs.insert(
            format!("Type{i}"),
            json!({"$ref":"#/$defs/Base","type":"object","properties":properties,"required":["ref0","tag"]}),
        );
    }
    let product: Vec<Value> = (0..branches)
        .map(|i| json!({"$ref": format!("#/$defs/Type{i}")}))
        .collect();
    defs.insert("Product".into(), json!({ "oneOf": product }));
    json!({"$schema":"https://json-schema.org/draft/2020-12/schema","$defs":defs,"$ref":"#/$defs/Product"})
        .to_string()
}

#[test]
fn circular_one_of_schemas_compare_quickly() {
    let start = std::time::Instant::now();
    let s = super::schema(&circular_schema(12, 5));
    assert!(check_compatibility(L::FullTransitive, &s, std::slice::from_ref(&s)).is_empty());
    let changed = super::schema(
        &circular_schema(12, 5).replace(r#""id":{"type":"string"}"#, r#""id":{"type":"integer"}"#),
    );
    assert!(!check_compatibility(L::Backward, &changed, std::slice::from_ref(&s)).is_empty());
    assert!(
        start.elapsed() < std::time::Duration::from_secs(20),
        "took {:?}",
        start.elapsed()
    );
}

fn recursive_object(id_type: &str, target: &str) -> Value {
    json!({"type":"object","additionalProperties":true,"properties":{
        "id":{"type":id_type},
        "ref":{"oneOf":[{"$ref": format!("#/definitions/{target}")}]}}})
}

/// Confluent's memoisation reproducer: T0 → T2 → T0 is a cycle behind a oneOf; the type changes
/// of T0.id and T1.id must not be masked by a cycle assumed compatible and then cached.
fn memo_masking_schema(t0: &str, t1: &str) -> String {
    json!({"type":"object","additionalProperties":true,
        "definitions":{"T0":recursive_object(t0,"T2"),"T1":recursive_object(t1,"T2"),"T2":recursive_object("integer","T0")},
        "properties":{"root":{"oneOf":[{"$ref":"#/definitions/T0"},{"$ref":"#/definitions/T1"}]}}})
    .to_string()
}

#[test]
fn recursive_memoisation_does_not_mask_incompatibility() {
    let original = super::schema(&memo_masking_schema("integer", "boolean"));
    let update = super::schema(&memo_masking_schema("boolean", "number"));
    assert!(!check_compatibility(L::Backward, &update, std::slice::from_ref(&original)).is_empty());
    assert!(check_compatibility(L::Full, &original, std::slice::from_ref(&original)).is_empty());
}

#[test]
fn recursive_trade_union_terminates_and_detects_changes() {
    let types = [
        "Asset",
        "Basket",
        "Swap",
        "Bond",
        "Option",
        "Future",
        "Forward",
        "Loan",
        "Repo",
        "Equity",
        "Index",
        "CommodityLeg",
    ];
    let union = || json!({"oneOf": types.iter().map(|t| json!({"$ref": format!("#/definitions/{t}")})).collect::<Vec<_>>()});
    let mut definitions = serde_json::Map::new();
    for t in types {
        definitions.insert(t.into(), json!({"type":"object","properties":{"id":{"type":"string"},"underlying":union(),"referenceProduct":union()}}));
    }
    let trade = json!({"title":"Trade","type":"object","additionalProperties":true,"definitions":definitions,
        "properties":{"tradeId":{"type":"string"},"product":union()}});
    let mut changed = trade.clone();
    changed["definitions"]["Asset"]["properties"]["id"] = json!({"type":"number"});
    let (trade, changed) = (
        super::schema(&trade.to_string()),
        super::schema(&changed.to_string()),
    );
    assert!(check_compatibility(L::Full, &trade, std::slice::from_ref(&trade)).is_empty());
    assert!(!check_compatibility(L::Backward, &changed, std::slice::from_ref(&trade)).is_empty());
}
