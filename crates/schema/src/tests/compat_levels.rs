//! Levels: which direction each checks, transitive vs latest-only history, policies, references,
//! and Confluent's message format.

use super::{schema, schema_with};
use crate::{
    CompatibilityLevel as L, CompatibilityPolicy as P, DifferenceType as T, PreviousSchema,
    check_compatibility, check_compatibility_report, check_compatibility_with_policy,
};

const STRING: &str = r#"{"type":"string"}"#;
const NULLABLE_STRING: &str = r#"{"oneOf":[{"type":"null"},{"type":"string"}]}"#;

fn ok(level: L, old: &str, new: &str) -> bool {
    check_compatibility(level, &schema(new), &[schema(old)]).is_empty()
}

#[test]
fn level_names_round_trip_as_confluent_spells_them() {
    for level in [
        L::None,
        L::Backward,
        L::BackwardTransitive,
        L::Forward,
        L::ForwardTransitive,
        L::Full,
        L::FullTransitive,
    ] {
        let name = level.to_string();
        assert_eq!(name.parse::<L>(), Ok(level));
        assert_eq!(
            serde_json::to_value(level).expect("serialize"),
            serde_json::Value::String(name.clone())
        );
        assert_eq!(
            serde_json::from_value::<L>(serde_json::Value::String(name)).expect("deserialize"),
            level
        );
    }
    assert_eq!("backward_transitive".parse::<L>(), Ok(L::BackwardTransitive));
    assert!("SIDEWAYS".parse::<L>().is_err());
    assert_eq!("lenient".parse::<P>(), Ok(P::Lenient));
    assert_eq!("LOGICAL".parse::<P>(), Ok(P::Strict));
    assert_eq!(P::default(), P::Strict);
}

#[test]
fn difference_types_display_confluent_names() {
    assert_eq!(
        T::PropertyRemovedFromClosedContentModel.to_string(),
        "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL"
    );
    assert_eq!(T::TypeChanged.to_string(), "TYPE_CHANGED");
    assert_eq!(T::ALL.len(), 132);
    for t in T::ALL {
        assert_eq!(t.to_string().parse::<T>(), Ok(*t));
    }
    assert_eq!(
        serde_json::to_string(&T::SumTypeExtended).expect("json"),
        "\"SUM_TYPE_EXTENDED\""
    );
}

#[test]
fn each_level_checks_its_direction() {
    // Making a field nullable: the new schema reads old data, old readers cannot read new data.
    assert!(ok(L::Backward, STRING, NULLABLE_STRING));
    assert!(!ok(L::Forward, STRING, NULLABLE_STRING));
    assert!(!ok(L::Full, STRING, NULLABLE_STRING));
    // And the reverse change.
    assert!(!ok(L::Backward, NULLABLE_STRING, STRING));
    assert!(ok(L::Forward, NULLABLE_STRING, STRING));
    assert!(!ok(L::Full, NULLABLE_STRING, STRING));
    assert!(ok(L::None, NULLABLE_STRING, r#"{"type":"integer"}"#));
    // A change compatible both ways passes FULL.
    assert!(ok(
        L::Full,
        r#"{"type":"string","title":"a"}"#,
        r#"{"type":"string","title":"b"}"#
    ));
}

#[test]
fn full_lists_forward_findings_then_backward_ones() {
    let old = r#"{"type":"number","maximum":10}"#;
    let new = r#"{"type":"integer","maximum":10,"minimum":0}"#;
    let diffs = check_compatibility(L::Full, &schema(new), &[schema(old)]);
    let kinds: Vec<T> = diffs.iter().map(|d| d.kind).collect();
    // Forward (new writes, old reads): minimum removed and integer→number are fine, nothing.
    // Backward (old writes, new reads): minimum added and number→integer narrowed.
    assert_eq!(kinds, [T::MinimumAdded, T::TypeNarrowed]);
    let forward = check_compatibility(L::Forward, &schema(old), &[schema(new)]);
    assert_eq!(
        forward.iter().map(|d| d.kind).collect::<Vec<_>>(),
        [T::MinimumAdded, T::TypeNarrowed]
    );
    assert!(
        forward[1]
            .message
            .contains("between the old schema and the new schema"),
        "{}",
        forward[1].message
    );
}

/// v1: {a}, v2: {a, b:string}, v3 candidate: {a, b:integer} — all closed.
fn history() -> (Vec<crate::JsonSchema>, crate::JsonSchema) {
    let v1 = schema(r#"{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false}"#);
    let v2 = schema(
        r#"{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"}},"additionalProperties":false}"#,
    );
    let v3 = schema(
        r#"{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"integer"}},"additionalProperties":false}"#,
    );
    (vec![v1, v2], v3)
}

#[test]
fn non_transitive_checks_only_the_latest_version() {
    let (previous, candidate) = history();
    // Against v2 (latest): b changed string → integer.
    let diffs = check_compatibility(L::Backward, &candidate, &previous);
    assert_eq!(diffs.len(), 1);
    assert_eq!(
        (diffs[0].kind, diffs[0].path.as_str()),
        (T::TypeChanged, "#/properties/b")
    );
    // Only v1 as history: adding b to a closed model is fine.
    assert!(check_compatibility(L::Backward, &candidate, &previous[..1]).is_empty());
    // Latest-only ignores an incompatible older version.
    let v0 =
        schema(r#"{"type":"object","properties":{"a":{"type":"integer"}},"additionalProperties":false}"#);
    let with_old = [v0, previous[1].clone()];
    assert!(check_compatibility(L::Backward, &previous[1], &with_old[..1]).len() == 1);
    assert!(check_compatibility(L::Backward, &previous[1], &with_old).is_empty());
    assert!(!check_compatibility(L::BackwardTransitive, &previous[1], &with_old).is_empty());
}

#[test]
fn transitive_checks_newest_first_and_stops_at_first_failure() {
    let v1 =
        schema(r#"{"type":"object","properties":{"a":{"type":"integer"}},"additionalProperties":false}"#);
    let v2 = schema(r#"{"type":"object","properties":{"a":{"type":"number"}},"additionalProperties":false}"#);
    let v3 = schema(r#"{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false}"#);
    let candidate =
        schema(r#"{"type":"object","properties":{"a":{"type":"boolean"}},"additionalProperties":false}"#);
    let previous = [v1, v2, v3];
    let report = check_compatibility_report(
        L::BackwardTransitive,
        P::Strict,
        &candidate,
        &previous
            .iter()
            .enumerate()
            .map(|(i, s)| PreviousSchema {
                schema: s,
                version: Some(i as i32 + 1),
            })
            .collect::<Vec<_>>(),
    );
    // All three are incompatible; only the newest (v3) is reported.
    assert!(
        report.messages.iter().any(|m| m == "{oldSchemaVersion: 3}"),
        "{:?}",
        report.messages
    );
    assert_eq!(report.differences.len(), 1);
    // A history where only the oldest version fails: latest-only passes, transitive does not.
    let candidate =
        schema(r#"{"type":"object","properties":{"a":{"type":"number"}},"additionalProperties":false}"#);
    let hist = [
        schema(r#"{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false}"#),
        previous[0].clone(),
        previous[1].clone(),
    ];
    assert!(check_compatibility(L::Backward, &candidate, &hist).is_empty());
    let diffs = check_compatibility(L::BackwardTransitive, &candidate, &hist);
    assert_eq!(diffs.len(), 1, "{diffs:?}");
    assert!(check_compatibility(L::ForwardTransitive, &candidate, &hist[1..]).len() == 1);
    assert!(check_compatibility(L::FullTransitive, &candidate, &hist[2..]).is_empty());
}

#[test]
fn closed_and_open_models_under_strict_and_lenient_full() {
    let open = r#"{"properties":{"a":{"type":"string"}}}"#;
    let open_b = r#"{"properties":{"a":{"type":"string"},"b":{"type":"string"}}}"#;
    let closed = r#"{"properties":{"a":{"type":"string"}},"additionalProperties":false}"#;
    let closed_b =
        r#"{"properties":{"a":{"type":"string"},"b":{"type":"string"}},"additionalProperties":false}"#;
    let check = |level, policy, old: &str, new: &str| {
        check_compatibility_with_policy(level, policy, &schema(new), &[schema(old)]).is_empty()
    };
    // Open: removing is fine, adding is not (strict); lenient allows both.
    assert!(check(L::Backward, P::Strict, open_b, open));
    assert!(!check(L::Backward, P::Strict, open, open_b));
    assert!(check(L::Backward, P::Lenient, open, open_b));
    // Closed: adding is fine, removing is not (strict); lenient allows both.
    assert!(check(L::Backward, P::Strict, closed, closed_b));
    assert!(!check(L::Backward, P::Strict, closed_b, closed));
    assert!(check(L::Backward, P::Lenient, closed_b, closed));
    // FULL fails under strict either way, passes under lenient.
    assert!(!check(L::Full, P::Strict, open, open_b));
    assert!(!check(L::Full, P::Strict, closed, closed_b));
    assert!(check(L::Full, P::Lenient, open, open_b));
    assert!(check(L::Full, P::Lenient, closed, closed_b));
    // Partially open (covered) passes strict FULL.
    let part = r#"{"properties":{"a":{"type":"string"}},"additionalProperties":{"type":"string"}}"#;
    let part_b = r#"{"properties":{"a":{"type":"string"},"b":{"type":"string"}},"additionalProperties":{"type":"string"}}"#;
    assert!(check(L::Full, P::Strict, part, part_b));
}

#[test]
fn nullable_one_of_changes() {
    let n = |t: &str| format!(r#"{{"oneOf":[{{"type":"null"}},{{"type":"{t}"}}]}}"#);
    assert!(ok(L::Backward, &n("integer"), &n("number")));
    assert!(!ok(L::Backward, &n("number"), &n("integer")));
    assert!(!ok(L::Backward, &n("string"), &n("number")));
    assert!(ok(
        L::Full,
        &n("string"),
        r#"{"oneOf":[{"type":"string"},{"type":"null"}]}"#
    ));
    let diffs = check_compatibility(L::Backward, &schema(&n("number")), &[schema(&n("string"))]);
    assert_eq!(diffs[0].kind, T::CombinedTypeSubschemasChanged);
}

#[test]
fn refs_to_supplied_references_are_compared_by_target() {
    let address = r#"{"type":"object","properties":{"city":{"type":"string"}}}"#;
    let address_v2 = r#"{"type":"object","properties":{"city":{"type":"integer"}}}"#;
    let inline = schema(&format!(
        r#"{{"type":"object","properties":{{"ship_to":{address}}}}}"#
    ));
    let by_ref = |addr: &str| {
        schema_with(
            r#"{"type":"object","properties":{"ship_to":{"$ref":"address.json"}}}"#,
            &[("address.json", addr)],
        )
    };
    assert!(check_compatibility(L::Full, &by_ref(address), std::slice::from_ref(&inline)).is_empty());
    assert!(check_compatibility(L::Full, &inline, &[by_ref(address)]).is_empty());
    let diffs = check_compatibility(L::Backward, &by_ref(address_v2), &[by_ref(address)]);
    assert_eq!(diffs.len(), 1);
    assert_eq!(
        (diffs[0].kind, diffs[0].path.as_str()),
        (T::TypeChanged, "#/properties/ship_to/properties/city")
    );
    // A ref into a reference's definitions.
    let defs = r#"{"definitions":{"zip":{"type":"string"}}}"#;
    let zip = schema_with(
        r#"{"properties":{"zip":{"$ref":"common.json#/definitions/zip"}}}"#,
        &[("common.json", defs)],
    );
    assert!(
        check_compatibility(
            L::Full,
            &zip,
            &[schema(r#"{"properties":{"zip":{"type":"string"}}}"#)]
        )
        .is_empty()
    );
}

#[test]
fn confluent_message_format() {
    let report = check_compatibility_report(
        L::Backward,
        P::Strict,
        &schema(r#"{"type":"integer"}"#),
        &[PreviousSchema {
            schema: &schema(r#"{ "type": "string" }"#),
            version: Some(4),
        }],
    );
    assert_eq!(
        report.messages,
        [
            r#"{errorType:"TYPE_CHANGED", description:"A type at path '#/' is different between the new schema and the old schema"}"#,
            "{oldSchemaVersion: 4}",
            r#"{oldSchema: '{"type":"string"}'}"#,
        ]
    );
    assert!(!report.is_compatible());
    // FORWARD swaps the roles in the sentence.
    let fwd = check_compatibility(
        L::Forward,
        &schema(r#"{"type":"string"}"#),
        &[schema(r#"{"type":"integer"}"#)],
    );
    assert_eq!(
        fwd[0].confluent_message(),
        r#"{errorType:"TYPE_CHANGED", description:"A type at path '#/' is different between the old schema and the new schema"}"#
    );
    // Types Confluent has no sentence for keep an empty description there, but a message here.
    let added = check_compatibility(
        L::Backward,
        &schema(r#"{"type":"array","items":{}}"#),
        &[schema(r#"{"type":"array"}"#)],
    );
    assert_eq!(added[0].kind, T::SchemaAdded);
    assert_eq!(
        added[0].confluent_message(),
        r#"{errorType:"SCHEMA_ADDED", description:""}"#
    );
    assert!(!added[0].message.is_empty());
    let open = check_compatibility(
        L::Backward,
        &schema(r#"{"properties":{"a":{"type":"string"}}}"#),
        &[schema(r#"{"properties":{}}"#)],
    );
    assert_eq!(
        open[0].message,
        "The new schema has an open content model and has a property or item at path '#/properties/a' which is missing in the old schema"
    );
}

#[test]
fn lenient_policy_reaches_into_all_of_next_to_type() {
    let original = r#"{"type":"object","allOf":[
        {"properties":{"name":{"type":"string"}},"required":["name"]},
        {"properties":{"age":{"type":"number"}}}]}"#;
    let updated = r#"{"type":"object","allOf":[
        {"properties":{"name":{"type":"string"}},"required":["name"]},
        {"properties":{"age":{"type":"number"},"email":{"type":"string"}}}]}"#;
    let check =
        |policy| check_compatibility_with_policy(L::Backward, policy, &schema(updated), &[schema(original)]);
    assert!(!check(P::Strict).is_empty());
    assert!(check(P::Lenient).is_empty());
}

#[test]
fn required_with_default_on_open_model_needs_lenient() {
    let original = r#"{"type":"object","properties":{"name":{"type":"string"}},"required":["name"],"additionalProperties":true}"#;
    let updated = r#"{"type":"object","properties":{"name":{"type":"string"},"email":{"type":"string","default":"unknown"}},"required":["name","email"],"additionalProperties":true}"#;
    let check =
        |policy| check_compatibility_with_policy(L::Backward, policy, &schema(updated), &[schema(original)]);
    assert_eq!(
        check(P::Strict)[0].kind,
        T::RequiredPropertyWithDefaultAddedToOpenContentModel
    );
    assert!(check(P::Lenient).is_empty());
}
