//! The prediction against what real Debezium 3.6.3 + `JsonSchemaConverter` registered (the registered texts
//! below are the shared scenarios' `raw-business-events-value` versions: the real fixtures' Connect schemas
//! converted), and one test per kind of difference.

use serde_json::{Value, json};

use super::*;
use crate::compare::{DiffKind, diff};
use crate::connector::predict;
use crate::incident::ConnectorConfig;

/// v1: the flat row with `add.fields=op,table,ts_ms` (default delete handling).
const FLAT: &str = r#"{"type":"object","title":"pg1.public.business_events.Value","properties":{"id":{"type":"integer","default":0,"connect.type":"int64","connect.index":0},"event_name":{"type":"string","connect.index":1},"event_type":{"type":"string","connect.index":2},"created_date":{"type":"integer","title":"io.debezium.time.MicroTimestamp","default":0,"connect.type":"int64","connect.version":1,"connect.index":3},"saved_date":{"oneOf":[{"type":"null"},{"type":"integer","title":"io.debezium.time.MicroTimestamp","connect.type":"int64","connect.version":1}],"connect.index":4},"event_data":{"oneOf":[{"type":"null"},{"type":"string","title":"io.debezium.data.Json","connect.version":1}],"connect.index":5},"__op":{"oneOf":[{"type":"null"},{"type":"string"}],"connect.index":6},"__table":{"oneOf":[{"type":"null"},{"type":"string"}],"connect.index":7},"__ts_ms":{"oneOf":[{"type":"null"},{"type":"integer","connect.type":"int64"}],"connect.index":8}}}"#;
/// v2: what the delete registers in `tombstone` mode.
const DELETE: &str = r#"{"oneOf":[{"type":"null"},{"type":"object","title":"pg1.public.business_events.Value","properties":{"id":{"type":"integer","default":0,"connect.type":"int64","connect.index":0},"event_name":{"type":"string","connect.index":1},"event_type":{"type":"string","connect.index":2},"created_date":{"type":"integer","title":"io.debezium.time.MicroTimestamp","default":0,"connect.type":"int64","connect.version":1,"connect.index":3},"saved_date":{"oneOf":[{"type":"null"},{"type":"integer","title":"io.debezium.time.MicroTimestamp","connect.type":"int64","connect.version":1}],"connect.index":4},"event_data":{"oneOf":[{"type":"null"},{"type":"string","title":"io.debezium.data.Json","connect.version":1}],"connect.index":5}}}]}"#;

fn config(extra: &[(&str, &str)]) -> Prediction {
    let mut pairs: Vec<(&str, &str)> = vec![
        (
            "connector.class",
            "io.debezium.connector.postgresql.PostgresConnector",
        ),
        ("topic.prefix", "pg1"),
        ("table.include.list", "public.business_events"),
        ("value.converter", "io.confluent.connect.json.JsonSchemaConverter"),
        ("transforms", "unwrap,route"),
        (
            "transforms.unwrap.type",
            "io.debezium.transforms.ExtractNewRecordState",
        ),
        ("transforms.unwrap.add.fields", "op,table,ts_ms"),
        (
            "transforms.route.type",
            "org.apache.kafka.connect.transforms.RegexRouter",
        ),
        ("transforms.route.regex", "pg1\\.public\\.business_events"),
        ("transforms.route.replacement", "raw-business-events"),
    ];
    for (k, v) in extra {
        pairs.retain(|(pk, _)| pk != k);
        pairs.push((k, v));
    }
    predict(&ConnectorConfig {
        name: None,
        config: pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    })
}

fn parse(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_default()
}

fn expect(p: &Prediction, registered: &Value) -> ExpectedSchema {
    let x = expected_schema(p, "raw-business-events", 1, registered);
    assert!(x.is_ok(), "{x:?}");
    x.unwrap_or_else(|_| unreachable!())
}

fn kinds(p: &Prediction, registered: &Value) -> Vec<(DiffKind, Option<String>)> {
    let x = expect(p, registered);
    diff(registered, &x.value_schema, p)
        .into_iter()
        .map(|d| (d.kind, d.field))
        .collect()
}

#[test]
fn predicts_exactly_what_debezium_registered_flat_and_delete() {
    let p = config(&[]);
    let x = expect(&p, &parse(FLAT));
    assert_eq!(x.value_schema, parse(FLAT));
    assert_eq!(x.delete_schema, Some(parse(DELETE)));
    assert!(x.assumptions.is_empty(), "{:?}", x.assumptions);
    // The delete's own schema rebuilds the same prediction.
    assert_eq!(expect(&p, &parse(DELETE)).value_schema, parse(FLAT));
}

#[test]
fn connect_time_precision_is_another_config() {
    let p = config(&[("time.precision.mode", "connect")]);
    let x = expect(&p, &parse(FLAT));
    assert_eq!(
        x.value_schema["properties"]["created_date"]["title"],
        "org.apache.kafka.connect.data.Timestamp"
    );
    let d = diff(&parse(FLAT), &x.value_schema, &p);
    assert_eq!(d.len(), 2, "{d:?}");
    assert!(d.iter().all(|d| d.kind == DiffKind::LogicalType));
    assert!(
        d[0].text.contains("io.debezium.time.MicroTimestamp"),
        "{}",
        d[0].text
    );
    assert!(d[0].text.contains("time.precision.mode=connect"), "{}", d[0].text);
}

#[test]
fn decimals_follow_decimal_handling_mode() {
    let mut reg = parse(FLAT);
    reg["properties"]["amount"] = json!({"oneOf": [{"type": "null"}, {"type": "number", "title": "org.apache.kafka.connect.data.Decimal", "connect.type": "bytes", "connect.version": 1, "connect.parameters": {"scale": "2", "connect.decimal.precision": "10"}}], "connect.index": 6});
    for (i, f) in ["__op", "__table", "__ts_ms"].iter().enumerate() {
        reg["properties"][*f]["connect.index"] = json!(7 + i);
    }
    assert_eq!(
        expect(&config(&[]), &reg).value_schema,
        reg,
        "precise keeps the Decimal"
    );
    let p = config(&[("decimal.handling.mode", "double")]);
    let x = expect(&p, &reg);
    assert_eq!(
        x.value_schema["properties"]["amount"],
        json!({"oneOf": [{"type": "null"}, {"type": "number", "connect.type": "float64"}], "connect.index": 6})
    );
    assert_eq!(kinds(&p, &reg), [(DiffKind::LogicalType, Some("amount".into()))]);
    let p = config(&[("decimal.handling.mode", "string")]);
    assert_eq!(
        expect(&p, &reg).value_schema["properties"]["amount"]["oneOf"][1],
        json!({"type": "string"})
    );
}

#[test]
fn rewrite_adds_deleted_before_the_added_fields() {
    let p = config(&[("transforms.unwrap.delete.tombstone.handling.mode", "rewrite")]);
    let x = expect(&p, &parse(FLAT));
    let props = &x.value_schema["properties"];
    assert_eq!(
        props["__deleted"],
        json!({"oneOf": [{"type": "null"}, {"type": "string"}], "connect.index": 6})
    );
    assert_eq!(props["__ts_ms"]["connect.index"], 9);
    assert!(x.delete_schema.is_none());
    assert_eq!(
        kinds(&p, &parse(FLAT)),
        [(DiffKind::MissingField, Some("__deleted".into()))]
    );
}

#[test]
fn added_fields_take_the_prefix_and_source_types() {
    let p = config(&[
        ("transforms.unwrap.add.fields", "op,source.ts_ms,lsn,db"),
        ("transforms.unwrap.add.fields.prefix", "_"),
    ]);
    let x = expect(&p, &parse(FLAT));
    let props = &x.value_schema["properties"];
    assert_eq!(
        props["_source_ts_ms"]["oneOf"][1],
        json!({"type": "integer", "connect.type": "int64"})
    );
    assert_eq!(
        props["_lsn"]["oneOf"][1],
        json!({"type": "integer", "connect.type": "int64"})
    );
    assert_eq!(props["_db"]["oneOf"][1], json!({"type": "string"}));
    let k = kinds(&p, &parse(FLAT));
    assert!(k.contains(&(DiffKind::MissingField, Some("_op".into()))), "{k:?}");
    assert!(k.contains(&(DiffKind::ExtraField, Some("__op".into()))), "{k:?}");
}

#[test]
fn envelope_config_against_a_flat_registration_is_a_shape_difference() {
    let p = config(&[("transforms", "route")]);
    let x = expect(&p, &parse(FLAT));
    assert_eq!(x.value_schema["title"], "pg1.public.business_events.Envelope");
    assert_eq!(x.connect["version"], 2);
    assert_eq!(
        x.value_schema["properties"]["after"]["oneOf"][1]["properties"]
            .as_object()
            .map(|o| o.len()),
        Some(6),
        "the added fields are not columns"
    );
    assert_eq!(kinds(&p, &parse(FLAT)), [(DiffKind::Shape, None)]);
    // And the envelope's own prediction rebuilds it exactly.
    assert!(diff(&x.value_schema, &expect(&p, &x.value_schema).value_schema, &p).is_empty());
    assert_eq!(expect(&p, &x.value_schema).value_schema, x.value_schema);
}

#[test]
fn another_topic_prefix_is_another_record_name() {
    let p = config(&[
        ("topic.prefix", "lending"),
        ("transforms.route.regex", "lending\\.public\\.business_events"),
    ]);
    assert_eq!(kinds(&p, &parse(FLAT)), [(DiffKind::RecordName, None)]);
}

#[test]
fn order_and_optionality_are_compared() {
    let p = config(&[]);
    let mut reg = parse(FLAT);
    reg["properties"]["event_name"]["connect.index"] = json!(2);
    reg["properties"]["event_type"]["connect.index"] = json!(1);
    let x = expect(&p, &reg);
    // Columns come from the registered order, so the prediction follows it: no difference.
    assert!(diff(&reg, &x.value_schema, &p).is_empty());
    let mut reg = parse(FLAT);
    reg["properties"]["__op"] = json!({"type": "string", "connect.index": 6});
    assert_eq!(kinds(&p, &reg), [(DiffKind::Optionality, Some("__op".into()))]);
}
