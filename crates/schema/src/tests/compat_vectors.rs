//! The test vectors of §6 of the JSON Schema compatibility reference (BACKWARD, STRICT unless
//! stated), with the difference types Confluent reports for them.

use super::schema;
use crate::{
    CompatibilityLevel as L, CompatibilityPolicy as P, DifferenceType as T, check_compatibility,
    check_compatibility_with_policy, schema_diff,
};

/// Incompatible difference types of `new` against `old` at `level` under `policy`.
pub(crate) fn incompatible(level: L, policy: P, old: &str, new: &str) -> Vec<(T, String)> {
    check_compatibility_with_policy(level, policy, &schema(new), &[schema(old)])
        .into_iter()
        .map(|d| (d.kind, d.path))
        .collect()
}

fn backward_ok(old: &str, new: &str) -> bool {
    check_compatibility(L::Backward, &schema(new), &[schema(old)]).is_empty()
}

fn lenient_ok(old: &str, new: &str) -> bool {
    incompatible(L::Backward, P::Lenient, old, new).is_empty()
}

/// All differences (compatible or not) of `old` → `new`, as `TYPE path` strings.
fn diff(old: &str, new: &str) -> Vec<String> {
    let mut v: Vec<String> = schema_diff(&schema(old), &schema(new))
        .iter()
        .map(|d| format!("{} {}", d.kind, d.path))
        .collect();
    v.sort();
    v
}

#[test]
fn v01_integer_to_number_is_type_extended() {
    let (o, n) = (r#"{"type":"integer"}"#, r#"{"type":"number"}"#);
    assert!(backward_ok(o, n));
    assert_eq!(diff(o, n), ["TYPE_EXTENDED #/"]);
}

#[test]
fn v02_number_to_integer_is_type_narrowed() {
    let (o, n) = (r#"{"type":"number"}"#, r#"{"type":"integer"}"#);
    assert!(!backward_ok(o, n));
    assert_eq!(diff(o, n), ["TYPE_NARROWED #/"]);
}

#[test]
fn v03_maximum_decreased() {
    let (o, n) = (
        r#"{"type":"number","maximum":10}"#,
        r#"{"type":"number","maximum":5}"#,
    );
    assert!(!backward_ok(o, n));
    assert_eq!(diff(o, n), ["MAXIMUM_DECREASED #/maximum"]);
}

#[test]
fn v04_min_length_removed() {
    let (o, n) = (r#"{"type":"string","minLength":2}"#, r#"{"type":"string"}"#);
    assert!(backward_ok(o, n));
    assert_eq!(diff(o, n), ["MIN_LENGTH_REMOVED #/minLength"]);
}

#[test]
fn v05_pattern_added() {
    let (o, n) = (r#"{"type":"string"}"#, r#"{"type":"string","pattern":"^a"}"#);
    assert!(!backward_ok(o, n));
    assert_eq!(diff(o, n), ["PATTERN_ADDED #/pattern"]);
}

#[test]
fn v06_optional_property_added_to_open_model() {
    let o = r#"{"properties":{"a":{"type":"string"}}}"#;
    let n = r#"{"properties":{"a":{"type":"string"},"b":{"type":"number"}}}"#;
    assert!(!backward_ok(o, n));
    assert!(lenient_ok(o, n));
    assert_eq!(
        diff(o, n),
        ["OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL #/properties/b"]
    );
}

#[test]
fn v07_optional_property_added_to_closed_model() {
    let o = r#"{"properties":{"a":{"type":"string"}},"additionalProperties":false}"#;
    let n = r#"{"properties":{"a":{"type":"string"},"b":{"type":"number"}},"additionalProperties":false}"#;
    assert!(backward_ok(o, n));
    assert_eq!(
        diff(o, n),
        ["OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL #/properties/b"]
    );
}

#[test]
fn v08_property_removed_from_open_model() {
    let o = r#"{"properties":{"a":{"type":"string"},"b":{"type":"string"}}}"#;
    let n = r#"{"properties":{"a":{"type":"string"}}}"#;
    assert!(backward_ok(o, n));
    assert_eq!(
        diff(o, n),
        ["PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL #/properties/b"]
    );
}

#[test]
fn v09_property_removed_from_closed_model() {
    let o = r#"{"properties":{"a":{"type":"string"},"b":{"type":"string"}},"additionalProperties":false}"#;
    let n = r#"{"properties":{"a":{"type":"string"}},"additionalProperties":false}"#;
    assert!(!backward_ok(o, n));
    assert!(lenient_ok(o, n));
    assert_eq!(
        diff(o, n),
        ["PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL #/properties/b"]
    );
}

#[test]
fn v10_required_property_added_to_closed_model() {
    let o = r#"{"properties":{"a":{"type":"string"}},"additionalProperties":false}"#;
    let n = r#"{"properties":{"a":{"type":"string"},"b":{"type":"string"}},"required":["b"],"additionalProperties":false}"#;
    assert!(!backward_ok(o, n));
    assert!(!lenient_ok(o, n));
    assert_eq!(
        diff(o, n),
        ["REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL #/properties/b"]
    );
}

#[test]
fn v11_required_property_with_default_added_to_closed_model() {
    let o = r#"{"properties":{"a":{"type":"string"}},"additionalProperties":false}"#;
    let n = r#"{"properties":{"a":{"type":"string"},"b":{"type":"string","default":"x"}},"required":["b"],"additionalProperties":false}"#;
    assert!(backward_ok(o, n));
    assert_eq!(
        diff(o, n),
        ["REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL #/properties/b"]
    );
}

#[test]
fn v12_existing_property_made_required() {
    let o = r#"{"properties":{"a":{"type":"string"}}}"#;
    let n = r#"{"properties":{"a":{"type":"string"}},"required":["a"]}"#;
    assert!(!backward_ok(o, n));
    assert!(!lenient_ok(o, n));
    assert_eq!(diff(o, n), ["REQUIRED_ATTRIBUTE_ADDED #/required/a"]);
}

#[test]
fn v13_property_added_not_covered_by_partially_open_model() {
    let o = r#"{"properties":{"a":{"type":"string"}},"additionalProperties":{"type":"string"}}"#;
    let n = r#"{"properties":{"a":{"type":"string"},"b":{"type":"number"}},"additionalProperties":{"type":"string"}}"#;
    assert!(!backward_ok(o, n));
    // NOT_COVERED is lenient-compatible, but the copied TYPE_CHANGED is not.
    assert!(!lenient_ok(o, n));
    assert_eq!(
        diff(o, n),
        [
            "OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL #/properties/b",
            "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL #/properties/b",
            "TYPE_CHANGED #/properties/b",
        ]
    );
}

#[test]
fn v14_made_nullable_is_backward_but_not_full() {
    let (o, n) = (
        r#"{"type":"string"}"#,
        r#"{"oneOf":[{"type":"null"},{"type":"string"}]}"#,
    );
    assert!(backward_ok(o, n));
    assert_eq!(diff(o, n), ["SUM_TYPE_EXTENDED #/"]);
    assert!(!check_compatibility(L::Full, &schema(n), &[schema(o)]).is_empty());
}

#[test]
fn v15_nullable_removed() {
    let (o, n) = (
        r#"{"oneOf":[{"type":"null"},{"type":"string"}]}"#,
        r#"{"type":"string"}"#,
    );
    assert!(!backward_ok(o, n));
    assert_eq!(diff(o, n), ["TYPE_CHANGED #/"]);
}

#[test]
fn v16_one_of_branch_removed() {
    let (o, n) = (
        r#"{"oneOf":[{"type":"number"},{"type":"string"}]}"#,
        r#"{"oneOf":[{"type":"string"}]}"#,
    );
    assert!(!backward_ok(o, n));
    assert_eq!(diff(o, n), ["SUM_TYPE_NARROWED #/"]);
}

#[test]
fn v17_singleton_one_of_to_any_of() {
    let (o, n) = (
        r#"{"oneOf":[{"type":"string"}]}"#,
        r#"{"anyOf":[{"type":"number"},{"type":"string"}]}"#,
    );
    assert!(backward_ok(o, n));
    assert_eq!(diff(o, n), ["COMBINED_TYPE_EXTENDED #/", "SUM_TYPE_EXTENDED #/"]);
}

#[test]
fn v18_all_of_matched_regardless_of_order() {
    let o = r#"{"allOf":[{"type":"string"},{"enum":["r"]}]}"#;
    let n = r#"{"allOf":[{"enum":["r","b"]},{"type":"string"}]}"#;
    assert!(backward_ok(o, n));
    assert_eq!(diff(o, n), ["ENUM_ARRAY_EXTENDED #/allOf/1/enum"]);
}

#[test]
fn v19_enum_narrowed_next_to_type() {
    let (o, n) = (
        r#"{"type":"string","enum":["r","b"]}"#,
        r#"{"type":"string","enum":["r"]}"#,
    );
    assert!(!backward_ok(o, n));
    assert_eq!(diff(o, n), ["COMBINED_TYPE_SUBSCHEMAS_CHANGED #/"]);
    // Removing the enum is PRODUCT_TYPE_NARROWED (fine); adding one is a type change.
    assert!(backward_ok(n, r#"{"type":"string"}"#));
    assert_eq!(diff(r#"{"type":"string"}"#, o), ["TYPE_CHANGED #/"]);
}

#[test]
fn v20_items_removed_is_backward_but_reverse_is_schema_added() {
    let (o, n) = (
        r#"{"type":"array","items":{"type":"string"}}"#,
        r#"{"type":"array"}"#,
    );
    assert!(backward_ok(o, n));
    assert_eq!(diff(o, n), ["SCHEMA_REMOVED #/items"]);
    assert!(!backward_ok(n, o));
    assert_eq!(diff(n, o), ["SCHEMA_ADDED #/items"]);
}

#[test]
fn v21_additional_properties_closed() {
    let (o, n) = (
        r#"{"additionalProperties":true}"#,
        r#"{"additionalProperties":false}"#,
    );
    assert!(!backward_ok(o, n));
    assert!(lenient_ok(o, n));
    assert_eq!(
        diff(o, n),
        ["ADDITIONAL_PROPERTIES_REMOVED #/additionalProperties"]
    );
}

#[test]
fn v22_ref_to_definition_is_resolved_before_comparison() {
    let o = r#"{"type":"string"}"#;
    let n = r##"{"$ref":"#/definitions/s","definitions":{"s":{"type":"string"}}}"##;
    assert!(backward_ok(o, n));
    assert!(diff(o, n).is_empty());
    assert!(diff(n, o).is_empty());
}

#[test]
fn numeric_and_string_constraint_table() {
    let num = |extra: &str| format!(r#"{{"type":"number"{extra}}}"#);
    assert!(backward_ok(&num(r#","maximum":10"#), &num(r#","maximum":11"#)));
    assert!(backward_ok(&num(r#","maximum":10"#), &num("")));
    assert!(!backward_ok(&num(""), &num(r#","maximum":10"#)));
    assert!(backward_ok(&num(r#","minimum":11"#), &num(r#","minimum":10"#)));
    assert!(!backward_ok(&num(r#","minimum":10"#), &num(r#","minimum":11"#)));
    assert_eq!(
        diff(&num(r#","multipleOf":10"#), &num(r#","multipleOf":2"#)),
        ["MULTIPLE_OF_REDUCED #/multipleOf"]
    );
    assert_eq!(
        diff(&num(r#","multipleOf":10"#), &num(r#","multipleOf":20"#)),
        ["MULTIPLE_OF_EXPANDED #/multipleOf"]
    );
    assert_eq!(
        diff(&num(r#","multipleOf":10"#), &num(r#","multipleOf":11"#)),
        ["MULTIPLE_OF_CHANGED #/multipleOf"]
    );
    assert!(diff(&num(r#","multipleOf":0.5"#), &num(r#","multipleOf":0.50"#)).is_empty());
    assert_eq!(
        diff(&num(r#","multipleOf":0.5"#), &num(r#","multipleOf":10"#)),
        ["MULTIPLE_OF_EXPANDED #/multipleOf"]
    );
    // exclusiveMaximum decreased, with and without a maximum on the update (Confluent quirk).
    assert_eq!(
        diff(
            &num(r#","exclusiveMaximum":10"#),
            &num(r#","exclusiveMaximum":5"#)
        ),
        ["EXCLUSIVE_MAXIMUM_DECREASED #/exclusiveMaximum"]
    );
    assert_eq!(
        diff(
            &num(r#","exclusiveMaximum":10"#),
            &num(r#","exclusiveMaximum":5,"maximum":4"#)
        ),
        [
            "EXCLUSIVE_MAXIMUM_DECREASED #/exclusiveMaximum",
            "MAXIMUM_ADDED #/maximum"
        ]
    );
    let s = |extra: &str| format!(r#"{{"type":"string"{extra}}}"#);
    assert!(backward_ok(&s(r#","maxLength":3"#), &s(r#","maxLength":4"#)));
    assert!(!backward_ok(&s(r#","maxLength":4"#), &s(r#","maxLength":3"#)));
    assert!(!backward_ok(&s(r#","minLength":3"#), &s(r#","minLength":4"#)));
    assert_eq!(
        diff(&s(r##","pattern":"^a""##), &s(r##","pattern":"^(a)""##)),
        ["PATTERN_CHANGED #/pattern"]
    );
    assert!(backward_ok(&s(r##","pattern":"^a""##), &s("")));
    assert_eq!(
        diff(r#"{"type":"string"}"#, r#"{"type":"number"}"#),
        ["TYPE_CHANGED #/"]
    );
}

#[test]
fn empty_true_and_false_short_circuits() {
    for old in [
        r#"{"type":"string"}"#,
        r#"{"properties":{"a":{}}}"#,
        "false",
        "{}",
    ] {
        assert!(diff(old, "{}").is_empty(), "{old} -> {{}}");
        assert!(diff(old, "true").is_empty(), "{old} -> true");
    }
    for new in [r#"{"type":"string"}"#, "{}", "true"] {
        assert!(diff("false", new).is_empty(), "false -> {new}");
    }
    assert_eq!(diff("{}", r#"{"type":"string"}"#), ["TYPE_CHANGED #/"]);
}

#[test]
fn const_and_not() {
    assert_eq!(
        diff(r#"{"const":1}"#, r#"{"const":2}"#),
        ["ENUM_ARRAY_CHANGED #/const"]
    );
    assert!(diff(r#"{"const":1}"#, r#"{"const":1.0}"#).is_empty());
    assert_eq!(
        diff(r#"{"enum":[1,2]}"#, r#"{"enum":[3]}"#),
        ["ENUM_ARRAY_CHANGED #/enum"]
    );
    assert_eq!(
        diff(r#"{"not":{"type":"number"}}"#, r#"{"not":{"type":"integer"}}"#),
        ["NOT_TYPE_NARROWED #/not"]
    );
    assert_eq!(
        diff(r#"{"not":{"type":"integer"}}"#, r#"{"not":{"type":"number"}}"#),
        ["NOT_TYPE_EXTENDED #/not"]
    );
}

#[test]
fn type_arrays_are_any_of() {
    assert!(backward_ok(
        r#"{"type":"string"}"#,
        r#"{"type":["null","string"]}"#
    ));
    assert!(!backward_ok(
        r#"{"type":["null","string"]}"#,
        r#"{"type":"string"}"#
    ));
    assert!(backward_ok(
        r#"{"type":["string"]}"#,
        r#"{"type":["string","array"]}"#
    ));
    assert!(!backward_ok(
        r#"{"type":["string","number"]}"#,
        r#"{"type":["string","boolean"]}"#
    ));
}

#[test]
fn tuple_items_follow_content_models() {
    let open = r#"{"type":"array","items":[{"type":"string"}]}"#;
    let open2 = r#"{"type":"array","items":[{"type":"string"},{"type":"number"}]}"#;
    assert_eq!(diff(open, open2), ["ITEM_ADDED_TO_OPEN_CONTENT_MODEL #/items/1"]);
    assert!(!backward_ok(open, open2));
    assert_eq!(
        diff(open2, open),
        ["ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL #/items/1"]
    );
    let closed = r#"{"type":"array","items":[{"type":"string"}],"additionalItems":false}"#;
    let closed2 = r#"{"type":"array","items":[{"type":"string"},{"type":"number"}],"additionalItems":false}"#;
    assert_eq!(
        diff(closed, closed2),
        ["ITEM_ADDED_TO_CLOSED_CONTENT_MODEL #/items/1"]
    );
    assert_eq!(
        diff(closed2, closed),
        ["ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL #/items/1"]
    );
    assert!(!backward_ok(closed2, closed));
    // 2020-12 spells the tuple prefixItems; paths and verdicts are the same.
    let d = r#""$schema":"https://json-schema.org/draft/2020-12/schema","type":"array""#;
    let a = format!(r#"{{{d},"prefixItems":[{{"type":"string"}}],"items":false}}"#);
    let b = format!(r#"{{{d},"prefixItems":[{{"type":"string"}},{{"type":"number"}}],"items":false}}"#);
    assert_eq!(diff(&a, &b), ["ITEM_ADDED_TO_CLOSED_CONTENT_MODEL #/items/1"]);
}

#[test]
fn array_limits() {
    let a = |extra: &str| format!(r#"{{"type":"array"{extra}}}"#);
    assert_eq!(
        diff(&a(""), &a(r#","uniqueItems":true"#)),
        ["UNIQUE_ITEMS_ADDED #/uniqueItems"]
    );
    assert_eq!(
        diff(&a(r#","maxItems":3"#), &a(r#","maxItems":2"#)),
        ["MAX_ITEMS_DECREASED #/maxItems"]
    );
    assert!(backward_ok(&a(r#","minItems":3"#), &a(r#","minItems":2"#)));
    assert_eq!(
        diff(&a(""), &a(r#","additionalItems":false"#)),
        ["ADDITIONAL_ITEMS_REMOVED #/additionalItems"]
    );
}
