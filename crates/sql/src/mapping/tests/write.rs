use std::str::FromStr;
use std::sync::Arc;

use serde_json::{Value as Json, json};
use switchyard_schema::JsonSchema;

use super::{field, nn, null, string};
use crate::mapping::{
    TimestampFormat, WriteOptions, compile_reader, infer_columns, row_to_json, sink_json_schema,
    value_to_json, value_to_plain_json, write_value_json,
};
use crate::types::{DataType, Decimal, MAX_LENGTH, TypeKind, Value};

fn all_types() -> Vec<(String, DataType, Value)> {
    let d = |s: &str| Value::Decimal(Decimal::from_str(s).unwrap());
    vec![
        ("b", nn(TypeKind::Boolean), Value::Boolean(true)),
        ("t", nn(TypeKind::TinyInt), Value::TinyInt(-5)),
        ("s", nn(TypeKind::SmallInt), Value::SmallInt(300)),
        ("i", nn(TypeKind::Int), Value::Int(-70000)),
        ("l", nn(TypeKind::BigInt), Value::BigInt(i64::MAX)),
        ("f", nn(TypeKind::Float), Value::Float(0.1)),
        ("d", nn(TypeKind::Double), Value::Double(-2.5e-7)),
        (
            "dec",
            nn(TypeKind::Decimal {
                precision: 10,
                scale: 2,
            }),
            d("12.50"),
        ),
        (
            "dec_big",
            null(TypeKind::Decimal {
                precision: 38,
                scale: 10,
            }),
            d("-123456789012345678.0123456789"),
        ),
        ("c", nn(TypeKind::Char(3)), Value::string("abc")),
        ("vc", null(TypeKind::Varchar(10)), Value::string("☃ snow")),
        ("str", string(), Value::string("x")),
        (
            "bin",
            nn(TypeKind::Binary(4)),
            Value::Bytes(Arc::from(vec![0xde, 0xad, 0xbe, 0xef])),
        ),
        (
            "bytes",
            null(TypeKind::Varbinary(MAX_LENGTH)),
            Value::Bytes(Arc::from(vec![0u8, 255])),
        ),
        ("date", nn(TypeKind::Date), Value::Date(19725)),
        ("time", nn(TypeKind::Time(3)), Value::Time(36_001_500_000)),
        (
            "ts",
            nn(TypeKind::Timestamp(3)),
            Value::Timestamp(1_709_284_500_123_000),
        ),
        (
            "ltz",
            null(TypeKind::TimestampLtz(3)),
            Value::TimestampLtz(-1_000),
        ),
        ("null_ts", null(TypeKind::Timestamp(6)), Value::Null),
        (
            "arr",
            null(TypeKind::Array(Box::new(null(TypeKind::Int)))),
            Value::Array(Arc::from(vec![Value::Int(1), Value::Null])),
        ),
        (
            "map",
            null(TypeKind::Map(
                Box::new(nn(TypeKind::Varchar(MAX_LENGTH))),
                Box::new(null(TypeKind::Double)),
            )),
            Value::Map(Arc::from(vec![
                (Value::string("k"), Value::Double(1.5)),
                (Value::string("n"), Value::Null),
            ])),
        ),
        (
            "imap",
            null(TypeKind::Map(Box::new(nn(TypeKind::Int)), Box::new(string()))),
            Value::Map(Arc::from(vec![(Value::Int(1), Value::string("one"))])),
        ),
        (
            "row",
            null(TypeKind::Row(vec![
                field("x", nn(TypeKind::Date)),
                field("y", string()),
            ])),
            Value::Row(Arc::from(vec![Value::Date(1), Value::Null])),
        ),
        (
            "mset",
            null(TypeKind::Multiset(Box::new(nn(TypeKind::Varchar(MAX_LENGTH))))),
            Value::Array(Arc::from(vec![
                Value::string("a"),
                Value::string("a"),
                Value::string("b"),
            ])),
        ),
    ]
    .into_iter()
    .map(|(n, t, v)| (n.to_owned(), t, v))
    .collect()
}

#[test]
fn sink_schema_follows_confluent_cloud_conventions() {
    let cols: Vec<(String, DataType)> = all_types().into_iter().map(|(n, t, _)| (n, t)).collect();
    let schema = sink_json_schema(&cols, "Record");
    assert_eq!(schema["type"], "object");
    assert_eq!(schema["title"], "Record");
    let p = &schema["properties"];
    assert_eq!(
        p["t"],
        json!({"type": "number", "connect.type": "int8", "connect.index": 1})
    );
    assert_eq!(p["l"]["connect.type"], "int64");
    assert_eq!(
        p["dec"],
        json!({"type": "number", "title": "org.apache.kafka.connect.data.Decimal", "connect.version": 1, "connect.type": "bytes",
            "connect.parameters": {"scale": "2", "connect.decimal.precision": "10"}, "connect.index": 7})
    );
    assert_eq!(
        p["c"],
        json!({"type": "string", "minLength": 3, "maxLength": 3, "connect.index": 9})
    );
    assert_eq!(
        p["vc"],
        json!({"oneOf": [{"type": "null"}, {"type": "string", "maxLength": 10}], "connect.index": 10})
    );
    assert_eq!(p["bin"]["flink.minLength"], 4);
    assert_eq!(p["bin"]["flink.version"], "1");
    assert_eq!(p["date"]["title"], "org.apache.kafka.connect.data.Date");
    assert_eq!(p["time"]["flink.precision"], 3);
    assert_eq!(p["ts"]["flink.type"], "timestamp");
    assert_eq!(p["ts"]["connect.type"], "int64");
    let ltz = &p["ltz"]["oneOf"][1];
    assert_eq!(ltz["title"], "org.apache.kafka.connect.data.Timestamp");
    assert!(ltz.get("flink.type").is_none());
    assert_eq!(p["map"]["oneOf"][1]["connect.type"], "map");
    assert_eq!(p["map"]["oneOf"][1]["type"], "object");
    assert_eq!(p["imap"]["oneOf"][1]["type"], "array");
    assert_eq!(p["mset"]["oneOf"][1]["flink.type"], "multiset");
    assert_eq!(
        schema["required"],
        json!([
            "b", "t", "s", "i", "l", "f", "d", "dec", "c", "bin", "date", "time", "ts"
        ])
    );
    // What the schema infers back to is what was declared.
    let back = infer_columns(&schema).unwrap();
    assert_eq!(back, cols);
}

#[test]
fn values_as_confluent_cloud_writes_them() {
    let types = all_types();
    let get = |name: &str| {
        let (_, t, v) = types.iter().find(|(n, _, _)| n == name).unwrap();
        value_to_json(v, t)
    };
    assert_eq!(get("dec").to_string(), "12.50");
    assert_eq!(get("dec_big").to_string(), "-123456789012345678.0123456789");
    assert_eq!(get("l").to_string(), "9223372036854775807");
    assert_eq!(get("f").to_string(), "0.1");
    assert_eq!(get("date"), json!(19725));
    assert_eq!(get("time"), json!(36_001_500));
    assert_eq!(get("ts"), json!(1_709_284_500_123i64));
    assert_eq!(get("ltz"), json!(-1));
    assert_eq!(get("bin"), json!("3q2+7w=="));
    assert_eq!(get("map"), json!({"k": 1.5, "n": null}));
    assert_eq!(get("imap"), json!([{"key": 1, "value": "one"}]));
    assert_eq!(get("row"), json!({"x": 1, "y": null}));
    assert_eq!(get("mset"), json!({"a": 2, "b": 1}));
    // Sub-millisecond digits are dropped as CC does (floor, also before the epoch).
    assert_eq!(
        value_to_json(&Value::Timestamp(-1), &nn(TypeKind::Timestamp(6))),
        json!(-1)
    );
    assert_eq!(
        value_to_json(&Value::Double(f64::NAN), &nn(TypeKind::Double)),
        Json::Null
    );
    assert_eq!(
        value_to_json(&Value::Double(1e300), &nn(TypeKind::Double)).to_string(),
        "1e+300"
    );
    assert_eq!(
        value_to_json(&Value::Float(3.4e38), &nn(TypeKind::Float)).to_string(),
        "3.4e+38"
    );
    assert_eq!(
        value_to_json(&Value::Double(1.5e-7), &nn(TypeKind::Double)).to_string(),
        "1.5e-7"
    );
    let dec = Value::Decimal(Decimal::from_str("12.5").unwrap());
    assert_eq!(
        value_to_json(
            &dec,
            &nn(TypeKind::Decimal {
                precision: 10,
                scale: 2
            })
        )
        .to_string(),
        "12.50"
    );
}

#[test]
fn round_trip_through_the_generated_schema() {
    let types = all_types();
    let cols: Vec<(String, DataType)> = types.iter().map(|(n, t, _)| (n.clone(), t.clone())).collect();
    let schema = sink_json_schema(&cols, "Record");
    let validator = JsonSchema::parse(&schema.to_string(), &[]).unwrap();
    let values: Vec<Value> = types.iter().map(|(_, _, v)| v.clone()).collect();
    let record = row_to_json(&values, &cols);
    validator.validate(&record).unwrap();
    for (name, t, v) in &types {
        let written = value_to_json(v, t);
        let reader = compile_reader(Some(&schema["properties"][name]), t).unwrap();
        assert!(reader.lossy().is_none(), "{name}: {:?}", reader.lossy());
        assert_eq!(&reader.read(&written).unwrap(), v, "{name}");
    }
    // Whole row through a ROW reader over the whole schema.
    let row_t = nn(TypeKind::Row(
        cols.iter().map(|(n, t)| field(n, t.clone())).collect(),
    ));
    let reader = compile_reader(Some(&schema), &row_t).unwrap();
    assert_eq!(reader.read(&record).unwrap(), Value::Row(Arc::from(values)));
    // A wrong value fails validation.
    let mut bad = record.clone();
    bad["dec"] = json!("BOI=");
    assert!(validator.validate(&bad).is_err());
}

#[test]
fn plain_json_round_trip() {
    for format in [TimestampFormat::Sql, TimestampFormat::Iso8601] {
        let opts = WriteOptions {
            timestamp_format: format,
            ignore_null_fields: false,
        };
        let ropts = crate::mapping::ReadOptions {
            timestamp_format: format,
        };
        for (name, t, v) in all_types() {
            if matches!(t.kind, TypeKind::Map(ref k, _) if !k.is_string()) {
                continue; // Flink `json` has no non-string map keys; written as text keys.
            }
            let written = value_to_plain_json(&v, &t, &opts);
            let reader = crate::mapping::compile_reader_with(&name, None, &t, &ropts).unwrap();
            assert_eq!(reader.read(&written).unwrap(), v, "{name} {format:?}: {written}");
        }
    }
    let opts = WriteOptions::default();
    assert_eq!(
        value_to_plain_json(&Value::Date(19725), &nn(TypeKind::Date), &opts),
        json!("2024-01-03")
    );
    assert_eq!(
        value_to_plain_json(
            &Value::Timestamp(1_709_284_500_123_456),
            &nn(TypeKind::Timestamp(6)),
            &opts
        ),
        json!("2024-03-01 09:15:00.123456")
    );
    assert_eq!(
        value_to_plain_json(
            &Value::TimestampLtz(1_709_284_500_000_000),
            &nn(TypeKind::TimestampLtz(3)),
            &opts
        ),
        json!("2024-03-01 09:15:00Z")
    );
    let iso = WriteOptions {
        timestamp_format: TimestampFormat::Iso8601,
        ignore_null_fields: true,
    };
    assert_eq!(
        value_to_plain_json(&Value::Timestamp(0), &nn(TypeKind::Timestamp(3)), &iso),
        json!("1970-01-01T00:00:00")
    );
    let cols = vec![("a".to_owned(), string()), ("b".to_owned(), string())];
    assert_eq!(
        crate::mapping::row_to_plain_json(&[Value::Null, Value::string("x")], &cols, &iso),
        json!({"b": "x"})
    );
    assert_eq!(
        value_to_plain_json(&Value::Time(36_001_500_000), &nn(TypeKind::Time(3)), &opts),
        json!("10:00:01.5")
    );
}

#[test]
fn sink_losses_are_reported() {
    assert!(
        crate::mapping::sink_write_loss(&nn(TypeKind::Timestamp(6)))
            .unwrap()
            .contains("milliseconds")
    );
    assert!(crate::mapping::sink_write_loss(&nn(TypeKind::TimestampLtz(3))).is_none());
    let nested = nn(TypeKind::Array(Box::new(nn(TypeKind::Row(vec![field(
        "t",
        null(TypeKind::Time(6)),
    )])))));
    assert!(crate::mapping::sink_write_loss(&nested).is_some());
    assert_eq!(
        value_to_json(
            &Value::Timestamp(1_709_284_500_123_456),
            &nn(TypeKind::Timestamp(6))
        ),
        json!(1_709_284_500_123i64)
    );
}

#[test]
fn written_bytes_equal_serialized_values() {
    let mut cases = all_types();
    let extra = [
        (
            "esc",
            string(),
            Value::string("quote \" backslash \\ newline \n tab \t nul \u{0} \u{1f} é ✓ 😀"),
        ),
        ("neg_time", nn(TypeKind::Time(3)), Value::Time(999)),
        ("neg_ts", nn(TypeKind::Timestamp(6)), Value::Timestamp(-1_500)),
        (
            "ltz_as_ts",
            nn(TypeKind::Timestamp(6)),
            Value::TimestampLtz(1_709_284_500_123_456),
        ),
        ("min", nn(TypeKind::BigInt), Value::BigInt(i64::MIN)),
        ("nan", null(TypeKind::Double), Value::Double(f64::NAN)),
        ("inf", null(TypeKind::Float), Value::Float(f32::INFINITY)),
        ("huge", null(TypeKind::Double), Value::Double(1e300)),
        ("neg_date", nn(TypeKind::Date), Value::Date(-719_162)),
        ("mismatch", string(), Value::Int(7)),
        ("null", string(), Value::Null),
        ("false", nn(TypeKind::Boolean), Value::Boolean(false)),
    ];
    cases.extend(extra.into_iter().map(|(n, t, v)| (n.to_owned(), t, v)));
    for (name, dt, v) in &cases {
        let mut written = b"x".to_vec();
        write_value_json(&mut written, v, dt);
        let mut want = b"x".to_vec();
        want.extend(serde_json::to_vec(&value_to_json(v, dt)).unwrap());
        assert_eq!(
            String::from_utf8_lossy(&written),
            String::from_utf8_lossy(&want),
            "column {name}"
        );
    }
}
