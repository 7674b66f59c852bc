//! The conversion against the real fixtures: every Debezium 3.6.3 event with a Connect schema converts,
//! and where the shared scenarios registered the same schema (through a port of `JsonSchemaData`), the
//! result is that schema, compared as parsed JSON.

use serde_json::{Value, json};

use super::{ConnectOptions, json_schema_from_connect};
use crate::JsonSchema;

fn convert(v: &Value) -> Value {
    json_schema_from_connect(v, &ConnectOptions::default()).unwrap()
}

/// `(key, value)` of a capture line; key/value are JsonConverter text (business_events) or already
/// parsed (`events-schemas.jsonl`).
fn messages(text: &str) -> Vec<(Option<Value>, Option<Value>)> {
    let parse = |v: &Value| -> Option<Value> {
        match v {
            Value::Null => None,
            Value::String(s) => serde_json::from_str(s).ok(),
            other => Some(other.clone()),
        }
    };
    text.lines()
        .map(|l| {
            let line: Value = serde_json::from_str(l).unwrap();
            (parse(&line["key"]), parse(&line["value"]))
        })
        .collect()
}

fn registered(text: &str) -> Value {
    let subject: Value = serde_json::from_str(text).unwrap();
    serde_json::from_str(subject["schema"].as_str().unwrap()).unwrap()
}

#[test]
fn v2_flattened_value_and_key_match_the_registered_schemas() {
    let value_schema = registered(include_str!("testdata/scenario02.value.1.json"));
    let key_schema = registered(include_str!("testdata/scenario02.key.1.json"));
    let msgs = messages(include_str!("testdata/v2-unwrap-default.jsonl"));
    assert_eq!(msgs.len(), 10);
    for (key, value) in &msgs {
        let key = key.as_ref().unwrap();
        assert_eq!(convert(&key["schema"]), key_schema);
        let value = value.as_ref().unwrap();
        if value["payload"].is_null() {
            continue; // the tombstone-mode delete: schema optional, compared below
        }
        assert_eq!(convert(&value["schema"]), value_schema);
    }
}

#[test]
fn key_order_matches_the_registered_text() {
    // Beyond JSON equality: the same text, so the registry would dedupe it to the same id.
    let subject: Value = serde_json::from_str(include_str!("testdata/scenario02.value.1.json")).unwrap();
    let msgs = messages(include_str!("testdata/v2-unwrap-default.jsonl"));
    let value = msgs[0].1.as_ref().unwrap();
    assert_eq!(
        convert(&value["schema"]).to_string(),
        subject["schema"].as_str().unwrap()
    );
    let subject: Value = serde_json::from_str(include_str!("testdata/scenario03.value.2.json")).unwrap();
    let msgs = messages(include_str!("testdata/v1-envelope-schemas.jsonl"));
    let value = msgs[0].1.as_ref().unwrap();
    assert_eq!(
        convert(&value["schema"]).to_string(),
        subject["schema"].as_str().unwrap()
    );
}

#[test]
fn optional_value_without_added_fields_matches_scenario_01_version_2() {
    // visible/01 v2: the flattened value schema without add.fields, optional (the tombstone-mode
    // delete keeps the row schema, marked optional).
    let expected = registered(include_str!("testdata/scenario01.value.2.json"));
    let msgs = messages(include_str!("testdata/v2-unwrap-default.jsonl"));
    let (_, delete) = msgs.last().unwrap();
    let mut schema = delete.as_ref().unwrap()["schema"].clone();
    assert_eq!(schema["optional"], json!(true));
    let fields = schema["fields"].as_array_mut().unwrap();
    fields.retain(|f| !f["field"].as_str().unwrap().starts_with("__"));
    assert_eq!(convert(&schema), expected);
}

#[test]
fn v1_envelope_matches_scenario_03_version_2() {
    let expected = registered(include_str!("testdata/scenario03.value.2.json"));
    let msgs = messages(include_str!("testdata/v1-envelope-schemas.jsonl"));
    let mut compared = 0;
    for (_, value) in &msgs {
        if let Some(v) = value {
            assert_eq!(convert(&v["schema"]), expected);
            compared += 1;
        }
    }
    assert_eq!(compared, 10);
}

#[test]
fn every_fixture_schema_converts_parses_and_validates_its_payload() {
    let files = [
        include_str!("testdata/v1-envelope-schemas.jsonl"),
        include_str!("testdata/v2-unwrap-default.jsonl"),
        include_str!("testdata/v3-unwrap-rewrite.jsonl"),
        include_str!("testdata/events-schemas.jsonl"),
    ];
    let mut checked = 0;
    for file in files {
        for (key, value) in messages(file) {
            for msg in [key, value].into_iter().flatten() {
                let json_schema = convert(&msg["schema"]);
                let parsed = JsonSchema::parse(&json_schema.to_string(), &[]).unwrap();
                // Decimal values are base64 text under "type": "number"; Confluent's serializers do not
                // validate those either.
                if !json_schema
                    .to_string()
                    .contains("org.apache.kafka.connect.data.Decimal")
                {
                    assert!(
                        parsed.validate(&msg["payload"]).is_ok(),
                        "{} {}",
                        json_schema,
                        msg["payload"]
                    );
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 60, "{checked}");
}

#[test]
fn orders_full_types() {
    let msgs = messages(include_str!("testdata/events-schemas.jsonl"));
    let env = msgs
        .iter()
        .filter_map(|(_, v)| v.as_ref())
        .find(|v| v["schema"]["name"] == "pg1.public.orders_full.Envelope")
        .unwrap();
    let s = convert(&env["schema"]);
    let after = &s["properties"]["after"];
    assert_eq!(after["connect.index"], 1);
    let p = &after["oneOf"][1]["properties"];
    assert_eq!(
        p["amount"],
        json!({"oneOf": [{"type": "null"}, {"type": "number", "title": "org.apache.kafka.connect.data.Decimal",
            "connect.type": "bytes", "connect.version": 1,
            "connect.parameters": {"scale": "2", "connect.decimal.precision": "10"}}], "connect.index": 2})
    );
    assert_eq!(
        p["blob"],
        json!({"oneOf": [{"type": "null"}, {"type": "string", "connect.type": "bytes"}], "connect.index": 9})
    );
    assert_eq!(
        p["created_tz"]["oneOf"][1],
        json!({"type": "string", "title": "io.debezium.time.ZonedTimestamp", "connect.version": 1})
    );
    // source.snapshot: an optional Enum string with a default.
    let snapshot = &s["properties"]["source"]["properties"]["snapshot"];
    assert_eq!(snapshot["connect.index"], 4);
    assert_eq!(snapshot["oneOf"][1]["default"], "false");
    assert_eq!(snapshot["oneOf"][1]["title"], "io.debezium.data.Enum");
    assert_eq!(
        snapshot["oneOf"][1]["connect.parameters"]["allowed"],
        "true,first,first_in_data_collection,last_in_data_collection,last,false,incremental"
    );
    assert_eq!(s["connect.version"], json!(2));
}

#[test]
fn maps_arrays_docs_enums_and_one_of() {
    let c = json!({"type": "struct", "optional": false, "name": "r", "doc": "a record", "fields": [
        {"type": "map", "keys": {"type": "string", "optional": false}, "values": {"type": "int32", "optional": true}, "optional": false, "field": "m"},
        {"type": "map", "keys": {"type": "int64", "optional": false}, "values": {"type": "string", "optional": false}, "optional": true, "field": "im"},
        {"type": "array", "items": {"type": "float64", "optional": true}, "optional": false, "field": "a", "doc": "numbers"},
        {"type": "string", "optional": false, "field": "e", "parameters": {"io.confluent.connect.json.Enum": "", "io.confluent.connect.json.Enum.0": "A", "io.confluent.connect.json.Enum.1": "B"}},
        {"type": "struct", "optional": true, "name": "io.confluent.connect.json.OneOf", "field": "u", "fields": [
            {"type": "string", "optional": true, "field": "io.confluent.connect.json.OneOf.field.0"},
            {"type": "int64", "optional": true, "field": "io.confluent.connect.json.OneOf.field.1"}]},
        {"type": "float32", "optional": false, "default": 1.5, "field": "f"}
    ]});
    let s = convert(&c);
    assert_eq!(s["description"], "a record");
    let p = &s["properties"];
    assert_eq!(
        p["m"],
        json!({"type": "object", "additionalProperties": {"oneOf": [{"type": "null"}, {"type": "integer", "connect.type": "int32"}]},
            "connect.type": "map", "connect.index": 0})
    );
    assert_eq!(
        p["im"],
        json!({"oneOf": [{"type": "null"}, {"type": "array", "items": {"type": "object", "properties": {
            "key": {"type": "integer", "connect.type": "int64", "connect.index": 0},
            "value": {"type": "string", "connect.index": 1}}}, "connect.type": "map"}], "connect.index": 1})
    );
    assert_eq!(
        p["a"],
        json!({"type": "array", "description": "numbers", "items": {"oneOf": [{"type": "null"}, {"type": "number", "connect.type": "float64"}]}, "connect.index": 2})
    );
    assert_eq!(p["e"], json!({"enum": ["A", "B"], "connect.index": 3}));
    assert_eq!(
        p["u"],
        json!({"oneOf": [{"type": "null"}, {"type": "string", "connect.index": 0},
            {"type": "integer", "connect.type": "int64", "connect.index": 1}], "connect.index": 4})
    );
    assert_eq!(
        p["f"],
        json!({"type": "number", "default": 1.5, "connect.type": "float32", "connect.index": 5})
    );
    assert!(s.get("required").is_none() && s.get("additionalProperties").is_none());
    let strict = json_schema_from_connect(
        &c,
        &ConnectOptions {
            emit_required: true,
            closed_objects: true,
        },
    )
    .unwrap();
    assert_eq!(strict["required"], json!(["m", "a", "e", "f"]));
    assert_eq!(strict["additionalProperties"], json!(false));
}

#[test]
fn invalid_connect_schemas() {
    let opts = ConnectOptions::default();
    assert!(json_schema_from_connect(&json!({"fields": []}), &opts).is_err());
    assert!(json_schema_from_connect(&json!({"type": "struct"}), &opts).is_err());
    assert!(json_schema_from_connect(&json!({"type": "array"}), &opts).is_err());
    assert!(json_schema_from_connect(&json!({"type": "map", "keys": {"type": "string"}}), &opts).is_err());
    assert!(json_schema_from_connect(&json!({"type": "int128"}), &opts).is_err());
    let e = json_schema_from_connect(
        &json!({"type": "struct", "fields": [{"type": "struct", "field": "inner", "fields": [{"type": "nope", "field": "x"}]}]}),
        &opts,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid Connect schema at $.fields.inner.fields.x: unknown Connect type \"nope\""
    );
}
