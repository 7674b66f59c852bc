use std::str::FromStr;
use std::sync::Arc;

use serde_json::{Value as Json, json};

use super::{field, nn, null, string};
use crate::mapping::{
    Compatibility, MappingError, ReadOptions, TimestampFormat, check_column, compile_reader,
    compile_reader_with,
};
use crate::types::{DataType, Decimal, MAX_LENGTH, TypeKind, Value};

fn read(
    writer: Option<Json>,
    declared: DataType,
    value: Json,
) -> Result<Value, crate::mapping::ConversionError> {
    compile_reader(writer.as_ref(), &declared).unwrap().read(&value)
}

fn micro_ts() -> Json {
    json!({"type": "integer", "title": "io.debezium.time.MicroTimestamp", "connect.type": "int64", "connect.version": 1})
}

fn dec(s: &str) -> Value {
    Value::Decimal(Decimal::from_str(s).unwrap())
}

#[test]
fn micro_timestamp_into_timestamp6_and_ltz6() {
    let r = compile_reader(Some(&micro_ts()), &null(TypeKind::Timestamp(6))).unwrap();
    assert_eq!(
        r.read(&json!(1_709_284_500_123_456i64)).unwrap(),
        Value::Timestamp(1_709_284_500_123_456)
    );
    assert_eq!(
        r.describe().unwrap(),
        "io.debezium.time.MicroTimestamp (µs since epoch) → TIMESTAMP(6)"
    );
    let r = compile_reader(Some(&micro_ts()), &null(TypeKind::TimestampLtz(6))).unwrap();
    assert_eq!(
        r.read(&json!(1_709_284_500_123_456i64)).unwrap(),
        Value::TimestampLtz(1_709_284_500_123_456)
    );
    assert!(r.describe().unwrap().contains("taken as UTC"));
    let r = compile_reader(Some(&micro_ts()), &null(TypeKind::Timestamp(9))).unwrap();
    assert!(r.lossy().is_none());
    assert!(check_column(Some(&micro_ts()), &null(TypeKind::Timestamp(6))).is_lossless());
}

#[test]
fn micro_timestamp_into_timestamp3_is_lossy_with_the_fix() {
    let w = micro_ts();
    let declared = null(TypeKind::Timestamp(3));
    match check_column(Some(&w), &declared) {
        Compatibility::Lossy(e) => {
            assert_eq!(e.to, "TIMESTAMP(3)");
            assert!(
                e.from.starts_with("io.debezium.time.MicroTimestamp (int64 µs"),
                "{}",
                e.from
            );
            assert!(
                e.fix.contains("TIMESTAMP(6)") && e.fix.contains("TO_TIMESTAMP_LTZ(`value` / 1000, 3)"),
                "{}",
                e.fix
            );
        }
        other => panic!("{other:?}"),
    }
    let r = compile_reader_with("created_date", Some(&w), &declared, &ReadOptions::default()).unwrap();
    let e = r.read(&json!(1_709_284_500_123_456i64)).unwrap_err();
    assert_eq!(e.column, "created_date");
    assert!(e.message.contains("6 fractional-second digits"), "{}", e.message);
    assert!(
        e.fix.contains("TO_TIMESTAMP_LTZ(`created_date` / 1000, 3)"),
        "{}",
        e.fix
    );
    assert!(
        e.to_string()
            .starts_with("column `created_date`: cannot read io.debezium.time.MicroTimestamp")
    );
    // Whole milliseconds convert exactly.
    assert_eq!(
        r.read(&json!(1_709_284_500_123_000i64)).unwrap(),
        Value::Timestamp(1_709_284_500_123_000)
    );
}

#[test]
fn millis_and_days_and_times() {
    let ms = json!({"type": "integer", "title": "org.apache.kafka.connect.data.Timestamp", "connect.type": "int64"});
    assert_eq!(
        read(Some(ms.clone()), nn(TypeKind::TimestampLtz(3)), json!(1000)).unwrap(),
        Value::TimestampLtz(1_000_000)
    );
    assert_eq!(
        read(Some(ms.clone()), nn(TypeKind::Timestamp(6)), json!(-1)).unwrap(),
        Value::Timestamp(-1000)
    );
    assert!(matches!(
        check_column(Some(&ms), &nn(TypeKind::Timestamp(0))),
        Compatibility::Lossy(_)
    ));
    assert_eq!(
        read(Some(ms.clone()), nn(TypeKind::Timestamp(0)), json!(2000)).unwrap(),
        Value::Timestamp(2_000_000)
    );
    assert!(read(Some(ms), nn(TypeKind::Timestamp(0)), json!(2001)).is_err());

    let dbz_ms = json!({"type": "integer", "title": "io.debezium.time.Timestamp", "connect.type": "int64"});
    assert_eq!(
        read(Some(dbz_ms), null(TypeKind::Timestamp(3)), json!(5)).unwrap(),
        Value::Timestamp(5000)
    );

    for title in ["io.debezium.time.Date", "org.apache.kafka.connect.data.Date"] {
        let d = json!({"type": "integer", "title": title, "connect.type": "int32"});
        let r = compile_reader(Some(&d), &null(TypeKind::Date)).unwrap();
        assert_eq!(r.read(&json!(19725)).unwrap(), Value::Date(19725));
        assert!(r.describe().unwrap().contains("days since epoch"));
        assert!(r.read(&json!("2024-01-03")).is_err());
    }

    let micro_time =
        json!({"type": "integer", "title": "io.debezium.time.MicroTime", "connect.type": "int64"});
    assert_eq!(
        read(
            Some(micro_time.clone()),
            nn(TypeKind::Time(6)),
            json!(36_001_500_000i64)
        )
        .unwrap(),
        Value::Time(36_001_500_000)
    );
    assert!(matches!(
        check_column(Some(&micro_time), &nn(TypeKind::Time(3))),
        Compatibility::Lossy(_)
    ));
    assert!(
        read(
            Some(micro_time.clone()),
            nn(TypeKind::Time(3)),
            json!(36_001_500_001i64)
        )
        .is_err()
    );
    assert!(read(Some(micro_time), nn(TypeKind::Time(6)), json!(86_400_000_000i64)).is_err());
    let ms_time =
        json!({"type": "integer", "title": "org.apache.kafka.connect.data.Time", "connect.type": "int32"});
    assert_eq!(
        read(Some(ms_time), nn(TypeKind::Time(3)), json!(1500)).unwrap(),
        Value::Time(1_500_000)
    );
    let nano_ts =
        json!({"type": "integer", "title": "io.debezium.time.NanoTimestamp", "connect.type": "int64"});
    assert_eq!(
        read(
            Some(nano_ts.clone()),
            nn(TypeKind::Timestamp(9)),
            json!(1_000_001_000i64)
        )
        .unwrap(),
        Value::Timestamp(1_000_001)
    );
    assert!(read(Some(nano_ts), nn(TypeKind::Timestamp(9)), json!(1_000_000_001i64)).is_err());
}

#[test]
fn zoned_timestamp() {
    let z = json!({"type": "string", "title": "io.debezium.time.ZonedTimestamp", "connect.version": 1});
    let r = compile_reader(Some(&z), &null(TypeKind::TimestampLtz(6))).unwrap();
    assert_eq!(
        r.read(&json!("2024-01-02T01:04:05.500000Z")).unwrap(),
        Value::TimestampLtz(1_704_157_445_500_000)
    );
    assert_eq!(
        r.read(&json!("2024-01-02T03:04:05.5+02:00")).unwrap(),
        Value::TimestampLtz(1_704_157_445_500_000)
    );
    assert!(r.read(&json!("yesterday")).is_err());
    assert!(
        r.describe()
            .unwrap()
            .starts_with("io.debezium.time.ZonedTimestamp")
    );
    assert!(check_column(Some(&z), &null(TypeKind::TimestampLtz(6))).is_lossless());
    assert!(matches!(
        check_column(Some(&z), &null(TypeKind::TimestampLtz(3))),
        Compatibility::Lossy(_)
    ));
    match check_column(Some(&z), &null(TypeKind::Timestamp(6))) {
        Compatibility::Incompatible(e) => assert!(e.fix.contains("TIMESTAMP_LTZ(6)")),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        read(Some(z), string(), json!("2024-01-02T01:04:05.500000Z")).unwrap(),
        Value::string("2024-01-02T01:04:05.500000Z")
    );
}

#[test]
fn connect_decimal_base64_and_numeric() {
    let w = json!({"type": "number", "title": "org.apache.kafka.connect.data.Decimal", "connect.type": "bytes",
        "connect.version": 1, "connect.parameters": {"scale": "2", "connect.decimal.precision": "10"}});
    let r = compile_reader(
        Some(&w),
        &null(TypeKind::Decimal {
            precision: 10,
            scale: 2,
        }),
    )
    .unwrap();
    assert_eq!(r.read(&json!("BOI=")).unwrap(), dec("12.50"));
    // decimal.format=NUMERIC writes numbers; the exact digits are kept.
    assert_eq!(r.read(&json!(12.5)).unwrap(), dec("12.50"));
    assert!(
        check_column(
            Some(&w),
            &null(TypeKind::Decimal {
                precision: 10,
                scale: 2
            })
        )
        .is_lossless()
    );
    assert!(
        check_column(
            Some(&w),
            &null(TypeKind::Decimal {
                precision: 12,
                scale: 3
            })
        )
        .is_lossless()
    );
    assert!(matches!(
        check_column(
            Some(&w),
            &null(TypeKind::Decimal {
                precision: 10,
                scale: 1
            })
        ),
        Compatibility::Lossy(_)
    ));
    assert!(matches!(
        check_column(
            Some(&w),
            &null(TypeKind::Decimal {
                precision: 5,
                scale: 2
            })
        ),
        Compatibility::Lossy(_)
    ));
    let narrow = compile_reader(
        Some(&w),
        &null(TypeKind::Decimal {
            precision: 3,
            scale: 1,
        }),
    )
    .unwrap();
    assert_eq!(narrow.read(&json!("BOI=")).unwrap(), dec("12.5"));
    let e = narrow.read(&json!("BOc=")).unwrap_err();
    assert!(e.message.contains("fractional digits"), "{}", e.message);
    assert!(e.fix.contains("DECIMAL(10, 2)"), "{}", e.fix);
    let tiny = compile_reader(
        Some(&w),
        &null(TypeKind::Decimal {
            precision: 3,
            scale: 2,
        }),
    )
    .unwrap();
    assert!(
        tiny.read(&json!("BOI="))
            .unwrap_err()
            .message
            .contains("integer digits")
    );
    assert!(r.read(&json!("not base64!")).is_err());
    // Decimal into STRING: its exact text.
    assert_eq!(
        read(Some(w), string(), json!("BOI=")).unwrap(),
        Value::string("12.50")
    );
}

#[test]
fn variable_scale_decimal() {
    let w = json!({"type": "object", "title": "io.debezium.data.VariableScaleDecimal", "properties": {
        "scale": {"type": "integer", "connect.type": "int32"}, "value": {"type": "string", "connect.type": "bytes"}}});
    let r = compile_reader(
        Some(&w),
        &null(TypeKind::Decimal {
            precision: 20,
            scale: 4,
        }),
    )
    .unwrap();
    assert_eq!(
        r.read(&json!({"scale": 2, "value": "BOI="})).unwrap(),
        dec("12.5000")
    );
    assert!(r.read(&json!({"scale": 6, "value": "AQ=="})).is_err());
    assert!(r.read(&json!({"value": "AQ=="})).is_err());
    assert!(r.lossy().is_some());
    // As CC infers it: ROW<scale INT, value BYTES>.
    let row = nn(TypeKind::Row(vec![
        field("scale", nn(TypeKind::Int)),
        field("value", nn(TypeKind::Varbinary(MAX_LENGTH))),
    ]));
    let v = read(Some(w), row, json!({"scale": 2, "value": "BOI="})).unwrap();
    assert_eq!(
        v,
        Value::Row(Arc::from(vec![
            Value::Int(2),
            Value::Bytes(Arc::from(vec![0x04u8, 0xe2]))
        ]))
    );
}

#[test]
fn json_numbers_into_decimal_exactly() {
    let d = null(TypeKind::Decimal {
        precision: 12,
        scale: 2,
    });
    assert_eq!(
        read(None, d.clone(), serde_json::from_str("350000.00").unwrap()).unwrap(),
        dec("350000.00")
    );
    assert_eq!(
        read(None, d.clone(), serde_json::from_str("0.1").unwrap()).unwrap(),
        dec("0.10")
    );
    assert_eq!(
        read(None, d.clone(), serde_json::from_str("9.99999999E7").unwrap()).unwrap(),
        dec("99999999.90")
    );
    assert_eq!(read(None, d.clone(), json!("1234.56")).unwrap(), dec("1234.56"));
    assert!(read(None, d.clone(), serde_json::from_str("0.125").unwrap()).is_err());
    assert!(read(None, d.clone(), json!("abc")).is_err());
    let f64w = json!({"type": "number", "connect.type": "float64"});
    assert!(matches!(check_column(Some(&f64w), &d), Compatibility::Lossy(_)));
    let i32w = json!({"type": "integer", "connect.type": "int32"});
    assert!(
        check_column(
            Some(&i32w),
            &null(TypeKind::Decimal {
                precision: 10,
                scale: 0
            })
        )
        .is_lossless()
    );
    assert!(matches!(
        check_column(
            Some(&i32w),
            &null(TypeKind::Decimal {
                precision: 10,
                scale: 2
            })
        ),
        Compatibility::Lossy(_)
    ));
}

#[test]
fn integers_with_range_checks() {
    let i64w = json!({"type": "integer", "connect.type": "int64"});
    let r = compile_reader_with("n", Some(&i64w), &null(TypeKind::Int), &ReadOptions::default()).unwrap();
    assert_eq!(r.read(&json!(42)).unwrap(), Value::Int(42));
    let e = r.read(&json!(4_000_000_000i64)).unwrap_err();
    assert!(e.message.contains("outside the INT range"), "{}", e.message);
    assert!(e.fix.contains("BIGINT"), "{}", e.fix);
    assert!(matches!(
        check_column(Some(&i64w), &null(TypeKind::Int)),
        Compatibility::Lossy(_)
    ));
    let i8w = json!({"type": "integer", "connect.type": "int8"});
    assert!(check_column(Some(&i8w), &null(TypeKind::BigInt)).is_lossless());
    assert_eq!(
        read(Some(i8w), nn(TypeKind::TinyInt), json!(-128)).unwrap(),
        Value::TinyInt(-128)
    );
    assert!(read(None, nn(TypeKind::TinyInt), json!(128)).is_err());
    assert_eq!(
        read(None, nn(TypeKind::SmallInt), json!("12")).unwrap(),
        Value::SmallInt(12)
    );
    assert_eq!(
        read(None, nn(TypeKind::BigInt), serde_json::from_str("3.0").unwrap()).unwrap(),
        Value::BigInt(3)
    );
    assert!(read(None, nn(TypeKind::BigInt), serde_json::from_str("3.5").unwrap()).is_err());
    let e = read(None, nn(TypeKind::Int), json!("twelve")).unwrap_err();
    assert!(
        e.message.contains("expected an integer, got string \"twelve\""),
        "{}",
        e.message
    );
    // A typed string writer into INT: lossy (numeric strings only).
    match check_column(Some(&json!({"type": "string"})), &null(TypeKind::Int)) {
        Compatibility::Lossy(e) => assert!(e.fix.contains("TRY_CAST")),
        other => panic!("{other:?}"),
    }
    // MicroTimestamp into BIGINT: the raw count, exactly what CC infers.
    let r = compile_reader(Some(&micro_ts()), &nn(TypeKind::BigInt)).unwrap();
    assert_eq!(
        r.read(&json!(1_709_284_500_123_456i64)).unwrap(),
        Value::BigInt(1_709_284_500_123_456)
    );
    assert!(check_column(Some(&micro_ts()), &nn(TypeKind::BigInt)).is_lossless());
}

#[test]
fn floats() {
    let f64w = json!({"type": "number", "connect.type": "float64"});
    assert_eq!(
        read(Some(f64w.clone()), nn(TypeKind::Double), json!(1.5)).unwrap(),
        Value::Double(1.5)
    );
    assert!(check_column(Some(&f64w), &nn(TypeKind::Double)).is_lossless());
    assert!(matches!(
        check_column(Some(&f64w), &nn(TypeKind::Float)),
        Compatibility::Lossy(_)
    ));
    assert_eq!(
        read(None, nn(TypeKind::Float), json!(0.1)).unwrap(),
        Value::Float(0.1)
    );
    assert!(read(None, nn(TypeKind::Float), serde_json::from_str("1e300").unwrap()).is_err());
    let i64w = json!({"type": "integer", "connect.type": "int64"});
    assert!(matches!(
        check_column(Some(&i64w), &nn(TypeKind::Double)),
        Compatibility::Lossy(_)
    ));
    assert!(
        read(
            Some(i64w.clone()),
            nn(TypeKind::Double),
            json!(9_007_199_254_740_993i64)
        )
        .is_err()
    );
    assert_eq!(
        read(Some(i64w), nn(TypeKind::Double), json!(9_007_199_254_740_992i64)).unwrap(),
        Value::Double(9_007_199_254_740_992.0)
    );
    assert_eq!(
        read(None, nn(TypeKind::Double), json!("2.5")).unwrap(),
        Value::Double(2.5)
    );
}

#[test]
fn strings_booleans_bytes() {
    let jsonw = json!({"type": "string", "title": "io.debezium.data.Json", "connect.version": 1});
    let r = compile_reader(Some(&jsonw), &string()).unwrap();
    assert_eq!(r.read(&json!("{\"a\": 1}")).unwrap(), Value::string("{\"a\": 1}"));
    assert!(check_column(Some(&jsonw), &string()).is_lossless());
    let uuid = json!({"type": "string", "title": "io.debezium.data.Uuid"});
    assert!(check_column(Some(&uuid), &string()).is_lossless());
    assert!(matches!(
        check_column(Some(&json!({"type": "string"})), &null(TypeKind::Varchar(3))),
        Compatibility::Lossy(_)
    ));
    assert!(
        check_column(
            Some(&json!({"type": "string", "maxLength": 3})),
            &null(TypeKind::Varchar(3))
        )
        .is_lossless()
    );
    assert!(read(None, null(TypeKind::Varchar(3)), json!("abcd")).is_err());
    assert_eq!(
        read(None, null(TypeKind::Varchar(3)), json!("☃☃☃")).unwrap(),
        Value::string("☃☃☃")
    );
    // Flink json: scalars and objects as text.
    assert_eq!(read(None, string(), json!(12)).unwrap(), Value::string("12"));
    assert_eq!(
        read(None, string(), json!({"a": [1, true]})).unwrap(),
        Value::string("{\"a\":[1,true]}")
    );
    assert_eq!(
        read(
            Some(json!({"type": "boolean"})),
            nn(TypeKind::Boolean),
            json!(true)
        )
        .unwrap(),
        Value::Boolean(true)
    );
    assert!(
        read(
            Some(json!({"type": "boolean"})),
            nn(TypeKind::Boolean),
            json!("true")
        )
        .is_err()
    );
    assert_eq!(
        read(None, nn(TypeKind::Boolean), json!("false")).unwrap(),
        Value::Boolean(false)
    );
    let bytes = json!({"type": "string", "connect.type": "bytes"});
    assert_eq!(
        read(
            Some(bytes.clone()),
            null(TypeKind::Varbinary(MAX_LENGTH)),
            json!("3q2+7w==")
        )
        .unwrap(),
        Value::Bytes(Arc::from(vec![0xde, 0xad, 0xbe, 0xef]))
    );
    assert!(
        read(
            Some(bytes.clone()),
            null(TypeKind::Varbinary(MAX_LENGTH)),
            json!("@@")
        )
        .is_err()
    );
    assert!(read(Some(bytes), null(TypeKind::Binary(2)), json!("3q2+7w==")).is_err());
    match check_column(Some(&json!({"type": "boolean"})), &nn(TypeKind::Date)) {
        Compatibility::Incompatible(e) => assert_eq!(e.from, "boolean"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        compile_reader(
            Some(&json!({"type": "object", "properties": {}})),
            &nn(TypeKind::Int)
        ),
        Err(MappingError::Incompatible(_))
    ));
}

#[test]
fn nulls_and_not_null() {
    let w = json!({"oneOf": [{"type": "null"}, {"type": "string"}]});
    let r = compile_reader(Some(&w), &string()).unwrap();
    assert_eq!(r.read(&Json::Null).unwrap(), Value::Null);
    let r = compile_reader(Some(&w), &nn(TypeKind::Varchar(MAX_LENGTH))).unwrap();
    assert!(r.lossy().is_some());
    assert!(r.read(&Json::Null).unwrap_err().message.contains("NOT NULL"));
    assert!(matches!(
        check_column(Some(&w), &nn(TypeKind::Varchar(MAX_LENGTH))),
        Compatibility::Lossy(_)
    ));
}

#[test]
fn plain_json_temporal_text() {
    let sql = ReadOptions::default();
    let iso = ReadOptions {
        timestamp_format: TimestampFormat::Iso8601,
    };
    let ts = null(TypeKind::Timestamp(6));
    let r = compile_reader_with("t", None, &ts, &sql).unwrap();
    assert_eq!(
        r.read(&json!("2024-03-01 09:15:00.123456")).unwrap(),
        Value::Timestamp(1_709_284_500_123_456)
    );
    assert!(r.read(&json!("2024-03-01T09:15:00.123456")).is_err());
    assert!(r.read(&json!(1_709_284_500_123_456i64)).is_err());
    let r = compile_reader_with("t", None, &ts, &iso).unwrap();
    assert_eq!(
        r.read(&json!("2024-03-01T09:15:00")).unwrap(),
        Value::Timestamp(1_709_284_500_000_000)
    );
    let r = compile_reader_with("t", None, &null(TypeKind::TimestampLtz(3)), &sql).unwrap();
    assert_eq!(
        r.read(&json!("2024-03-01 09:15:00.123Z")).unwrap(),
        Value::TimestampLtz(1_709_284_500_123_000)
    );
    assert!(r.read(&json!("2024-03-01 09:15:00.123")).is_err());
    assert!(r.read(&json!("2024-03-01 09:15:00.1234Z")).is_err());
    assert_eq!(
        read(None, null(TypeKind::Date), json!("2024-01-03")).unwrap(),
        Value::Date(19725)
    );
    assert_eq!(
        read(None, null(TypeKind::Time(3)), json!("10:00:01.5")).unwrap(),
        Value::Time(36_001_500_000)
    );
}

#[test]
fn containers() {
    let arr_w = json!({"type": "array", "items": {"type": "integer", "title": "io.debezium.time.Date", "connect.type": "int32"}});
    let r = compile_reader(
        Some(&arr_w),
        &null(TypeKind::Array(Box::new(null(TypeKind::Date)))),
    )
    .unwrap();
    assert_eq!(
        r.read(&json!([0, 1, null])).unwrap(),
        Value::Array(Arc::from(vec![Value::Date(0), Value::Date(1), Value::Null]))
    );
    assert!(
        r.describe()
            .unwrap()
            .starts_with("elements: io.debezium.time.Date")
    );

    let map_t = null(TypeKind::Map(
        Box::new(nn(TypeKind::Varchar(MAX_LENGTH))),
        Box::new(null(TypeKind::Int)),
    ));
    let r = compile_reader(None, &map_t).unwrap();
    let v = r.read(&json!({"a": 1, "b": null})).unwrap();
    assert_eq!(
        v,
        Value::Map(Arc::from(vec![
            (Value::string("a"), Value::Int(1)),
            (Value::string("b"), Value::Null)
        ]))
    );
    let int_map = null(TypeKind::Map(Box::new(nn(TypeKind::Int)), Box::new(string())));
    let pairs_w = json!({"type": "array", "connect.type": "map", "items": {"type": "object", "properties": {
        "key": {"type": "integer", "connect.type": "int32"}, "value": {"type": "string"}}}});
    let r = compile_reader(Some(&pairs_w), &int_map).unwrap();
    assert_eq!(
        r.read(&json!([{"key": 1, "value": "x"}])).unwrap(),
        Value::Map(Arc::from(vec![(Value::Int(1), Value::string("x"))]))
    );
    // Object keys parsed as the key type.
    let r = compile_reader(None, &int_map).unwrap();
    assert_eq!(
        r.read(&json!({"7": "x"})).unwrap(),
        Value::Map(Arc::from(vec![(Value::Int(7), Value::string("x"))]))
    );

    let row_t = null(TypeKind::Row(vec![
        field("a", null(TypeKind::Int)),
        field("b", string()),
    ]));
    let row_w = json!({"type": "object", "properties": {"a": {"type": "integer", "connect.type": "int32"}, "b": {"type": "string"}}});
    let r = compile_reader(Some(&row_w), &row_t).unwrap();
    assert_eq!(
        r.read(&json!({"a": 1, "zzz": 2})).unwrap(),
        Value::Row(Arc::from(vec![Value::Int(1), Value::Null]))
    );
    let nested_err = r.read(&json!({"a": "x"})).unwrap_err();
    assert_eq!(nested_err.column, "value.a");
    let renamed = r.clone().with_column("payload");
    assert_eq!(renamed.read(&json!({"a": "x"})).unwrap_err().column, "payload.a");
    // A declared field the writer does not have: lossy at plan time.
    let row_t2 = null(TypeKind::Row(vec![field("A", null(TypeKind::Int))]));
    match check_column(Some(&row_w), &row_t2) {
        Compatibility::Lossy(e) => assert!(e.message.contains("no field `A`")),
        other => panic!("{other:?}"),
    }

    let ms = null(TypeKind::Multiset(Box::new(string())));
    let r = compile_reader(None, &ms).unwrap();
    assert_eq!(
        r.read(&json!({"x": 2})).unwrap(),
        Value::Array(Arc::from(vec![Value::string("x"), Value::string("x")]))
    );
}

#[test]
fn writer_descriptions() {
    use crate::mapping::describe_writer;
    assert_eq!(
        describe_writer(&json!({"oneOf": [{"type": "null"}, micro_ts()], "connect.index": 4})),
        "nullable io.debezium.time.MicroTimestamp (int64 µs since epoch)"
    );
    assert_eq!(
        describe_writer(&json!({"type": "integer", "connect.type": "int64"})),
        "int64"
    );
    assert_eq!(
        describe_writer(&json!({"type": "string", "title": "io.debezium.data.Json"})),
        "io.debezium.data.Json (string)"
    );
    assert_eq!(
        describe_writer(
            &json!({"type": "number", "title": "org.apache.kafka.connect.data.Decimal", "connect.type": "bytes",
            "connect.parameters": {"scale": "2", "connect.decimal.precision": "10"}})
        ),
        "org.apache.kafka.connect.data.Decimal (precision 10, scale 2)"
    );
    assert_eq!(describe_writer(&json!({})), "any JSON");
}
