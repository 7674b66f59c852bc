use serde_json::json;

use super::{field, nn, null, string};
use crate::mapping::{MappingError, flink_type, infer_columns};
use crate::types::{MAX_LENGTH, TypeKind};

#[test]
fn business_events_as_confluent_cloud_infers_them() {
    let schema: serde_json::Value = serde_json::from_str(include_str!(
        "../testdata/raw-business-events-value.1.schema.json"
    ))
    .unwrap();
    let cols = infer_columns(&schema).unwrap();
    let expected = vec![
        ("id", nn(TypeKind::BigInt)),
        ("event_name", nn(TypeKind::Varchar(MAX_LENGTH))),
        ("event_type", nn(TypeKind::Varchar(MAX_LENGTH))),
        // io.debezium.time.MicroTimestamp keeps its int64 encoding in Confluent Cloud.
        ("created_date", nn(TypeKind::BigInt)),
        ("saved_date", null(TypeKind::BigInt)),
        ("event_data", string()),
        ("__op", string()),
        ("__table", string()),
        ("__ts_ms", null(TypeKind::BigInt)),
    ];
    let got: Vec<(&str, _)> = cols.iter().map(|(n, t)| (n.as_str(), t.clone())).collect();
    assert_eq!(got, expected);
}

#[test]
fn connect_widths_and_plain_json_numbers() {
    for (ct, kind) in [
        ("int8", TypeKind::TinyInt),
        ("int16", TypeKind::SmallInt),
        ("int32", TypeKind::Int),
        ("int64", TypeKind::BigInt),
        ("float32", TypeKind::Float),
        ("float64", TypeKind::Double),
    ] {
        assert_eq!(
            flink_type(&json!({"type": "number", "connect.type": ct})).unwrap(),
            nn(kind.clone())
        );
        assert_eq!(
            flink_type(&json!({"type": "integer", "connect.type": ct})).unwrap(),
            nn(kind)
        );
    }
    assert_eq!(
        flink_type(&json!({"type": "integer"})).unwrap(),
        nn(TypeKind::BigInt)
    );
    assert_eq!(
        flink_type(&json!({"type": "number"})).unwrap(),
        nn(TypeKind::Double)
    );
    assert_eq!(
        flink_type(&json!({"type": "boolean"})).unwrap(),
        nn(TypeKind::Boolean)
    );
    assert_eq!(
        flink_type(&json!({"type": ["null", "integer"]})).unwrap(),
        null(TypeKind::BigInt)
    );
    assert_eq!(
        flink_type(&json!({"type": ["integer", "number"]})).unwrap(),
        nn(TypeKind::Double)
    );
}

#[test]
fn connect_logical_types() {
    let date =
        json!({"type": "integer", "title": "org.apache.kafka.connect.data.Date", "connect.type": "int32"});
    assert_eq!(flink_type(&date).unwrap(), nn(TypeKind::Date));
    let time =
        json!({"type": "number", "title": "org.apache.kafka.connect.data.Time", "connect.type": "int32"});
    assert_eq!(flink_type(&time).unwrap(), nn(TypeKind::Time(3)));
    let ts = json!({"type": "number", "title": "org.apache.kafka.connect.data.Timestamp", "connect.type": "int64"});
    assert_eq!(flink_type(&ts).unwrap(), nn(TypeKind::TimestampLtz(3)));
    let ts_flink = json!({"type": "number", "title": "org.apache.kafka.connect.data.Timestamp", "connect.type": "int64",
        "flink.precision": 6, "flink.type": "timestamp", "flink.version": "1"});
    assert_eq!(flink_type(&ts_flink).unwrap(), nn(TypeKind::Timestamp(6)));
    let dec = json!({"type": "number", "title": "org.apache.kafka.connect.data.Decimal", "connect.type": "bytes",
        "connect.parameters": {"scale": "2", "connect.decimal.precision": "10"}});
    assert_eq!(
        flink_type(&dec).unwrap(),
        nn(TypeKind::Decimal {
            precision: 10,
            scale: 2
        })
    );
    let dec_no_p = json!({"type": "string", "title": "org.apache.kafka.connect.data.Decimal", "connect.type": "bytes",
        "connect.parameters": {"scale": "4"}});
    assert_eq!(
        flink_type(&dec_no_p).unwrap(),
        nn(TypeKind::Decimal {
            precision: 38,
            scale: 4
        })
    );
    let bad =
        json!({"type": "number", "title": "org.apache.kafka.connect.data.Decimal", "connect.type": "bytes"});
    assert!(matches!(flink_type(&bad), Err(MappingError::Invalid { .. })));
}

#[test]
fn debezium_logical_types_keep_their_encoding() {
    for (title, ty, ct, kind) in [
        (
            "io.debezium.time.MicroTimestamp",
            "integer",
            "int64",
            TypeKind::BigInt,
        ),
        ("io.debezium.time.Timestamp", "integer", "int64", TypeKind::BigInt),
        ("io.debezium.time.Date", "integer", "int32", TypeKind::Int),
        ("io.debezium.time.MicroTime", "integer", "int64", TypeKind::BigInt),
    ] {
        let s = json!({"type": ty, "title": title, "connect.type": ct, "connect.version": 1});
        assert_eq!(flink_type(&s).unwrap(), nn(kind), "{title}");
    }
    for title in [
        "io.debezium.time.ZonedTimestamp",
        "io.debezium.data.Json",
        "io.debezium.data.Uuid",
        "io.debezium.data.Enum",
    ] {
        let s = json!({"type": "string", "title": title, "connect.version": 1});
        assert_eq!(
            flink_type(&s).unwrap(),
            nn(TypeKind::Varchar(MAX_LENGTH)),
            "{title}"
        );
    }
    let vsd = json!({"type": "object", "title": "io.debezium.data.VariableScaleDecimal", "properties": {
        "scale": {"type": "integer", "connect.type": "int32", "connect.index": 0},
        "value": {"type": "string", "connect.type": "bytes", "connect.index": 1}}});
    assert_eq!(
        flink_type(&vsd).unwrap(),
        nn(TypeKind::Row(vec![
            field("scale", nn(TypeKind::Int)),
            field("value", nn(TypeKind::Varbinary(MAX_LENGTH)))
        ]))
    );
}

#[test]
fn strings_bytes_enums() {
    assert_eq!(
        flink_type(&json!({"type": "string", "maxLength": 10})).unwrap(),
        nn(TypeKind::Varchar(10))
    );
    assert_eq!(
        flink_type(&json!({"type": "string", "minLength": 3, "maxLength": 3})).unwrap(),
        nn(TypeKind::Char(3))
    );
    assert_eq!(
        flink_type(&json!({"type": "string", "connect.type": "bytes"})).unwrap(),
        nn(TypeKind::Varbinary(MAX_LENGTH))
    );
    assert_eq!(
        flink_type(
            &json!({"type": "string", "connect.type": "bytes", "flink.minLength": 4, "flink.maxLength": 4})
        )
        .unwrap(),
        nn(TypeKind::Binary(4))
    );
    assert_eq!(
        flink_type(&json!({"enum": ["a", "b"]})).unwrap(),
        nn(TypeKind::Varchar(MAX_LENGTH))
    );
    assert_eq!(
        flink_type(&json!({"type": "string", "enum": ["a", "b"]})).unwrap(),
        nn(TypeKind::Varchar(MAX_LENGTH))
    );
}

#[test]
fn containers() {
    let arr = json!({"type": "array", "items": {"oneOf": [{"type": "null"}, {"type": "integer", "connect.type": "int32"}]}});
    assert_eq!(
        flink_type(&arr).unwrap(),
        nn(TypeKind::Array(Box::new(null(TypeKind::Int))))
    );
    let map = json!({"type": "object", "connect.type": "map", "additionalProperties": {"type": "number", "connect.type": "float64"}});
    assert_eq!(
        flink_type(&map).unwrap(),
        nn(TypeKind::Map(
            Box::new(nn(TypeKind::Varchar(MAX_LENGTH))),
            Box::new(nn(TypeKind::Double))
        ))
    );
    let pairs = json!({"type": "array", "connect.type": "map", "items": {"type": "object", "properties": {
        "key": {"type": "integer", "connect.type": "int32", "connect.index": 0},
        "value": {"oneOf": [{"type": "null"}, {"type": "string"}], "connect.index": 1}}}});
    assert_eq!(
        flink_type(&pairs).unwrap(),
        nn(TypeKind::Map(Box::new(nn(TypeKind::Int)), Box::new(string())))
    );
    let multiset = json!({"type": "object", "connect.type": "map", "flink.type": "multiset", "flink.version": "1",
        "additionalProperties": {"type": "number", "connect.type": "int32"}});
    assert_eq!(
        flink_type(&multiset).unwrap(),
        nn(TypeKind::Multiset(Box::new(nn(TypeKind::Varchar(MAX_LENGTH)))))
    );
    let combined = json!({"oneOf": [{"type": "string"}, {"type": "integer"}]});
    assert_eq!(
        flink_type(&combined).unwrap(),
        nn(TypeKind::Row(vec![
            field("connect_union_field_0", string()),
            field("connect_union_field_1", null(TypeKind::BigInt))
        ]))
    );
    let nested =
        json!({"oneOf": [{"type": "null"}, {"type": "object", "properties": {"a": {"type": "boolean"}}}]});
    assert_eq!(
        flink_type(&nested).unwrap(),
        null(TypeKind::Row(vec![field("a", nn(TypeKind::Boolean))]))
    );
    let all = json!({"allOf": [{"type": "object", "properties": {"a": {"type": "boolean"}}},
        {"type": "object", "properties": {"b": {"type": "string"}}}]});
    assert_eq!(
        flink_type(&all).unwrap(),
        nn(TypeKind::Row(vec![
            field("a", nn(TypeKind::Boolean)),
            field("b", nn(TypeKind::Varchar(MAX_LENGTH)))
        ]))
    );
}

#[test]
fn unsupported_schemas_are_errors() {
    assert!(flink_type(&json!({})).is_err());
    assert!(flink_type(&json!(true)).is_err());
    assert!(flink_type(&json!({"$ref": "#/definitions/x"})).is_err());
    assert!(flink_type(&json!({"type": "null"})).is_err());
    assert!(flink_type(&json!({"type": "array"})).is_err());
    assert!(infer_columns(&json!({"type": "string"})).is_err());
    let err = flink_type(&json!({"type": "object", "properties": {"a": {"type": "array"}}})).unwrap_err();
    assert!(err.to_string().contains("#/properties/a"), "{err}");
}
