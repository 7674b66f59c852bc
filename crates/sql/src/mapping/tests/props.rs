//! Property tests: writing then reading gives the value back, for the exact encodings.

use std::sync::Arc;

use proptest::prelude::*;

use super::{nn, null};
use crate::mapping::temporal::{self, TimestampFormat};
use crate::mapping::{
    ReadOptions, WriteOptions, compile_reader, compile_reader_with, decimal, sink_json_schema, value_to_json,
    value_to_plain_json,
};
use crate::types::{DataType, Decimal, TypeKind, Value};

/// Years 0001–9999, as Flink supports them.
const MIN_MICROS: i64 = -62_135_596_800_000_000;
const MAX_MICROS: i64 = 253_402_300_799_999_999;

fn through_schema(v: &Value, t: &DataType) -> Value {
    let schema = sink_json_schema(&[("c".to_owned(), t.clone())], "R");
    let reader = compile_reader(Some(&schema["properties"]["c"]), t).unwrap();
    reader.read(&value_to_json(v, t)).unwrap()
}

proptest! {
    #[test]
    fn timestamps_in_millis_round_trip(ms in MIN_MICROS / 1000..MAX_MICROS / 1000, ltz in any::<bool>()) {
        let (t, v) = if ltz {
            (nn(TypeKind::TimestampLtz(3)), Value::TimestampLtz(ms * 1000))
        } else {
            (nn(TypeKind::Timestamp(3)), Value::Timestamp(ms * 1000))
        };
        prop_assert_eq!(through_schema(&v, &t), v.clone());
        for format in [TimestampFormat::Sql, TimestampFormat::Iso8601] {
            let w = value_to_plain_json(&v, &t, &WriteOptions { timestamp_format: format, ignore_null_fields: false });
            let r = compile_reader_with("c", None, &t, &ReadOptions { timestamp_format: format }).unwrap();
            prop_assert_eq!(r.read(&w).unwrap(), v.clone());
        }
    }

    #[test]
    fn micro_timestamps_as_flink_text_round_trip(us in MIN_MICROS..MAX_MICROS) {
        let t = null(TypeKind::Timestamp(6));
        let v = Value::Timestamp(us);
        let w = value_to_plain_json(&v, &t, &WriteOptions::default());
        let r = compile_reader(None, &t).unwrap();
        prop_assert_eq!(r.read(&w).unwrap(), v);
    }

    #[test]
    fn dates_round_trip(days in -719_162i32..2_932_896) {
        let t = nn(TypeKind::Date);
        let v = Value::Date(days);
        prop_assert_eq!(through_schema(&v, &t), v.clone());
        prop_assert_eq!(temporal::parse_date(&temporal::format_date(days)), Some(days));
    }

    #[test]
    fn times_in_millis_round_trip(ms in 0i64..86_400_000) {
        let t = nn(TypeKind::Time(3));
        let v = Value::Time(ms * 1000);
        prop_assert_eq!(through_schema(&v, &t), v.clone());
        let w = value_to_plain_json(&v, &t, &WriteOptions::default());
        prop_assert_eq!(compile_reader(None, &t).unwrap().read(&w).unwrap(), v);
    }

    #[test]
    fn decimals_round_trip(unscaled in -(10i128.pow(18) - 1)..10i128.pow(18), scale in 0u8..=10) {
        let t = nn(TypeKind::Decimal { precision: 18 + scale.min(10), scale });
        let d = Decimal::from_i128_with_scale(unscaled, u32::from(scale));
        let v = Value::Decimal(d);
        prop_assert_eq!(through_schema(&v, &t), v.clone());
        // And as Connect's base64 two's complement.
        let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, decimal::unscaled_to_bytes(unscaled));
        prop_assert_eq!(decimal::from_base64(&b64, u32::from(scale)).unwrap(), d);
    }

    #[test]
    fn integers_and_bytes_round_trip(i in any::<i64>(), bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
        prop_assert_eq!(through_schema(&Value::BigInt(i), &nn(TypeKind::BigInt)), Value::BigInt(i));
        let b = Value::Bytes(Arc::from(bytes));
        let t = DataType::nullable(TypeKind::Varbinary(crate::types::MAX_LENGTH));
        prop_assert_eq!(through_schema(&b, &t), b.clone());
    }

    #[test]
    fn doubles_round_trip(f in any::<f64>().prop_filter("finite", |f| f.is_finite())) {
        prop_assert_eq!(through_schema(&Value::Double(f), &nn(TypeKind::Double)), Value::Double(f));
    }

    #[test]
    fn floats_round_trip(f in any::<f32>().prop_filter("finite", |f| f.is_finite())) {
        prop_assert_eq!(through_schema(&Value::Float(f), &nn(TypeKind::Float)), Value::Float(f));
    }
}

fn arb_json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(|i| serde_json::json!(i)),
        "-?[0-9]{1,30}(\\.[0-9]{1,30})?([eE][-+]?[0-9]{1,20})?"
            .prop_map(|t| serde_json::from_str(&t).unwrap_or(serde_json::Value::Null)),
        ".{0,20}".prop_map(serde_json::Value::String),
        "[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,10})?(Z|[+-][0-9]{2}:[0-9]{2})?"
            .prop_map(serde_json::Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
            proptest::collection::vec(("[a-z]{1,3}", inner), 0..4)
                .prop_map(|kv| serde_json::Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn all_declared() -> Vec<DataType> {
    use crate::types::Field;
    let mut out: Vec<DataType> = [
        TypeKind::Boolean,
        TypeKind::TinyInt,
        TypeKind::Int,
        TypeKind::BigInt,
        TypeKind::Float,
        TypeKind::Double,
        TypeKind::Decimal {
            precision: 38,
            scale: 10,
        },
        TypeKind::Decimal {
            precision: 5,
            scale: 2,
        },
        TypeKind::Varchar(crate::types::MAX_LENGTH),
        TypeKind::Char(2),
        TypeKind::Varbinary(crate::types::MAX_LENGTH),
        TypeKind::Date,
        TypeKind::Time(3),
        TypeKind::Timestamp(3),
        TypeKind::Timestamp(9),
        TypeKind::TimestampLtz(6),
    ]
    .into_iter()
    .map(DataType::nullable)
    .collect();
    let s = DataType::string();
    out.push(null(TypeKind::Array(Box::new(null(TypeKind::Int)))));
    out.push(null(TypeKind::Map(
        Box::new(nn(TypeKind::Int)),
        Box::new(s.clone()),
    )));
    out.push(null(TypeKind::Multiset(Box::new(s.clone()))));
    out.push(null(TypeKind::Row(vec![Field {
        name: "a".into(),
        data_type: s,
    }])));
    out
}

fn writers() -> Vec<Option<serde_json::Value>> {
    use serde_json::json;
    vec![
        None,
        Some(json!({"type": "integer", "title": "io.debezium.time.MicroTimestamp", "connect.type": "int64"})),
        Some(json!({"type": "integer", "title": "io.debezium.time.Date", "connect.type": "int32"})),
        Some(json!({"type": "integer", "title": "io.debezium.time.MicroTime", "connect.type": "int64"})),
        Some(json!({"type": "string", "title": "io.debezium.time.ZonedTimestamp"})),
        Some(
            json!({"type": "number", "title": "org.apache.kafka.connect.data.Decimal", "connect.type": "bytes",
            "connect.parameters": {"scale": "2", "connect.decimal.precision": "10"}}),
        ),
        Some(
            json!({"type": "object", "title": "io.debezium.data.VariableScaleDecimal", "properties": {
            "scale": {"type": "integer", "connect.type": "int32"}, "value": {"type": "string", "connect.type": "bytes"}}}),
        ),
        Some(json!({"type": "integer", "connect.type": "int64"})),
        Some(json!({"type": "number"})),
        Some(json!({"type": "string"})),
        Some(json!({"type": "string", "connect.type": "bytes"})),
        Some(json!({"type": "boolean"})),
        Some(json!({"type": "array", "items": {"type": "integer"}})),
        Some(json!({"type": "object", "connect.type": "map", "additionalProperties": {"type": "string"}})),
        Some(json!({"type": "object", "properties": {"a": {"type": "string"}}})),
        Some(json!({"oneOf": [{"type": "string"}, {"type": "integer"}]})),
    ]
}

#[test]
fn plan_verdicts_agree_with_compilation() {
    for w in writers() {
        for t in all_declared() {
            let compiled = compile_reader(w.as_ref(), &t);
            match crate::mapping::check_column(w.as_ref(), &t) {
                crate::mapping::Compatibility::Incompatible(e) => {
                    assert!(compiled.is_err(), "{w:?} {t}");
                    assert!(!e.fix.is_empty() && !e.message.is_empty(), "{w:?} {t}: {e:?}");
                }
                crate::mapping::Compatibility::Lossy(e) => {
                    let r = compiled.unwrap();
                    assert!(r.lossy().is_some());
                    assert!(!e.fix.is_empty() && !e.message.is_empty(), "{w:?} {t}: {e:?}");
                }
                crate::mapping::Compatibility::Lossless(d) => {
                    assert!(compiled.unwrap().lossy().is_none());
                    assert!(!d.is_empty());
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn readers_never_panic(json in arb_json()) {
        for w in writers() {
            for t in all_declared() {
                if let Ok(r) = compile_reader(w.as_ref(), &t) {
                    let _ = r.read(&json);
                }
            }
        }
    }
}
