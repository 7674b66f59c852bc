//! The real Debezium 3.6.3 events (see `testdata/README.md`), read through the registered schema.

use std::str::FromStr;
use std::sync::Arc;

use serde_json::Value as Json;

use super::{nn, null, string};
use crate::mapping::{Compatibility, ReadOptions, check_column_with, compile_reader_with, infer_columns};
use crate::types::{DataType, Decimal, TypeKind, Value};

fn registered() -> Json {
    serde_json::from_str(include_str!(
        "../testdata/raw-business-events-value.1.schema.json"
    ))
    .unwrap()
}

/// `(connect schema, payload)` of every v2 value that has a payload.
fn v2_payloads() -> Vec<Json> {
    include_str!("../testdata/business_events.v2-unwrap-default.jsonl")
        .lines()
        .filter_map(|l| {
            let line: Json = serde_json::from_str(l).unwrap();
            let value: Json = serde_json::from_str(line["value"].as_str()?).unwrap();
            Some(value["payload"].clone()).filter(|p| !p.is_null())
        })
        .collect()
}

#[test]
fn every_v2_record_reads_with_the_inferred_columns() {
    let schema = registered();
    let cols = infer_columns(&schema).unwrap();
    let readers: Vec<_> = cols
        .iter()
        .map(|(n, t)| {
            compile_reader_with(n, Some(&schema["properties"][n]), t, &ReadOptions::default()).unwrap()
        })
        .collect();
    for r in &readers {
        assert!(r.lossy().is_none(), "{:?}", r.lossy());
    }
    let payloads = v2_payloads();
    assert_eq!(payloads.len(), 9);
    for p in &payloads {
        let row: Vec<Value> = cols
            .iter()
            .zip(&readers)
            .map(|((n, _), r)| r.read(&p[n]).unwrap())
            .collect();
        assert!(matches!(row[0], Value::BigInt(_)));
        assert!(matches!(row[3], Value::BigInt(_)));
    }
    let first: Vec<Value> = cols
        .iter()
        .zip(&readers)
        .map(|((n, _), r)| r.read(&payloads[0][n]).unwrap())
        .collect();
    assert_eq!(first[1], Value::string("LoanCreated"));
    assert_eq!(first[3], Value::BigInt(1_709_284_500_123_456));
    assert_eq!(first[4], Value::Null);
}

#[test]
fn scenario_04_timestamp3_over_micro_timestamp() {
    // The table of visible/04 declares created_date/saved_date TIMESTAMP(3) over MicroTimestamp.
    let schema = registered();
    let opts = ReadOptions::default();
    for col in ["created_date", "saved_date"] {
        match check_column_with(
            col,
            Some(&schema["properties"][col]),
            &null(TypeKind::Timestamp(3)),
            &opts,
        ) {
            Compatibility::Lossy(e) => {
                assert_eq!(e.column, col);
                assert!(
                    e.fix.contains(&format!("TO_TIMESTAMP_LTZ(`{col}` / 1000, 3)")),
                    "{}",
                    e.fix
                );
                assert!(e.fix.contains("TIMESTAMP(6)"));
            }
            other => panic!("{other:?}"),
        }
    }
    let created = compile_reader_with(
        "created_date",
        Some(&schema["properties"]["created_date"]),
        &null(TypeKind::Timestamp(3)),
        &opts,
    )
    .unwrap();
    let payloads = v2_payloads();
    // LoanCreated has .123456: refused; PaymentReceived is a whole second: exact.
    assert!(created.read(&payloads[0]["created_date"]).is_err());
    assert_eq!(
        created.read(&payloads[1]["created_date"]).unwrap(),
        Value::Timestamp(1_709_373_600_000_000)
    );
    // TIMESTAMP(6) reads all of them.
    let six = compile_reader_with(
        "created_date",
        Some(&schema["properties"]["created_date"]),
        &null(TypeKind::Timestamp(6)),
        &opts,
    )
    .unwrap();
    for p in &payloads {
        assert!(matches!(
            six.read(&p["created_date"]).unwrap(),
            Value::Timestamp(_)
        ));
    }
    // LoanFunded '2024-03-04 08:00:00.000001'
    let funded = payloads.iter().find(|p| p["event_name"] == "LoanFunded").unwrap();
    assert_eq!(
        six.read(&funded["created_date"]).unwrap(),
        Value::Timestamp(1_709_539_200_000_001)
    );
}

/// The `after` struct's JSON Schema, as JsonSchemaConverter registers it, derived from the real Connect
/// schema by `switchyard_schema::json_schema_from_connect`.
fn orders_full_schema() -> Json {
    let line = include_str!("../testdata/orders_full.values.ndjson")
        .lines()
        .next()
        .unwrap();
    let env: Json = serde_json::from_str(line).unwrap();
    let envelope = switchyard_schema::json_schema_from_connect(
        &env["schema"],
        &switchyard_schema::ConnectOptions::default(),
    )
    .unwrap();
    let after = envelope["properties"]["after"]["oneOf"][1].clone();
    assert_eq!(after["title"], "pg1.public.orders_full.Value");
    after
}

#[test]
fn orders_full_with_switchyard_types() {
    let schema = orders_full_schema();
    let declared: Vec<(&str, DataType)> = vec![
        ("id", nn(TypeKind::Int)),
        ("customer", nn(TypeKind::Varchar(crate::types::MAX_LENGTH))),
        (
            "amount",
            null(TypeKind::Decimal {
                precision: 10,
                scale: 2,
            }),
        ),
        ("paid", null(TypeKind::Boolean)),
        ("created_at", null(TypeKind::Timestamp(6))),
        ("created_tz", null(TypeKind::TimestampLtz(6))),
        ("ship_date", null(TypeKind::Date)),
        ("attrs", string()),
        ("ref", string()),
        ("blob", null(TypeKind::Varbinary(crate::types::MAX_LENGTH))),
    ];
    let opts = ReadOptions::default();
    let readers: Vec<_> = declared
        .iter()
        .map(|(n, t)| compile_reader_with(n, Some(&schema["properties"][*n]), t, &opts).unwrap())
        .collect();
    for r in &readers {
        assert!(r.lossy().is_none(), "{:?}", r.lossy());
    }
    let mut rows = Vec::new();
    for line in include_str!("../testdata/orders_full.values.ndjson").lines() {
        let env: Json = serde_json::from_str(line).unwrap();
        let payload = &env["payload"];
        for image in ["before", "after"] {
            let v = &payload[image];
            if v.is_null() {
                continue;
            }
            let row: Vec<Value> = declared
                .iter()
                .zip(&readers)
                .map(|((n, _), r)| r.read(&v[*n]).unwrap())
                .collect();
            rows.push(row);
        }
    }
    assert!(rows.len() >= 4);
    let first = &rows[0];
    assert_eq!(first[0], Value::Int(1));
    assert_eq!(first[2], Value::Decimal(Decimal::from_str("12.50").unwrap()));
    assert_eq!(first[4], Value::Timestamp(1_704_164_645_123_456));
    // '2024-01-02 03:04:05.5+02' → 01:04:05.5Z
    assert_eq!(first[5], Value::TimestampLtz(1_704_157_445_500_000));
    assert_eq!(first[6], Value::Date(19725));
    assert_eq!(first[7], Value::string("{\"a\": 1}"));
    assert_eq!(first[8], Value::string("6f1c6f40-6a1b-4b4c-9e0e-3b2f3a0d9c11"));
    assert_eq!(first[9], Value::Bytes(Arc::from(vec![0xde, 0xad, 0xbe, 0xef])));
    // CC's inferred types read them too.
    let cols = infer_columns(&schema).unwrap();
    for (n, t) in &cols {
        let r = compile_reader_with(n, Some(&schema["properties"][n]), t, &opts).unwrap();
        assert!(r.lossy().is_none(), "{n}: {:?}", r.lossy());
    }
    assert_eq!(cols[4].1, null(TypeKind::BigInt));
    assert_eq!(cols[5].1, string());
}

#[test]
fn scenario_04_table_checked_as_a_whole() {
    use crate::mapping::{check_columns, compile_row_reader};
    let schema = registered();
    let ts3 = null(TypeKind::Timestamp(3));
    let columns: Vec<(String, DataType)> = [
        ("id", null(TypeKind::BigInt)),
        ("event_name", string()),
        ("event_type", string()),
        ("created_date", ts3.clone()),
        ("saved_date", ts3),
        ("event_data", string()),
        ("__op", string()),
        ("__table", string()),
        ("__ts_ms", null(TypeKind::BigInt)),
        ("Event_Type", string()),
    ]
    .into_iter()
    .map(|(n, t)| (n.to_owned(), t))
    .collect();
    let verdicts = check_columns(Some(&schema), &columns, &ReadOptions::default());
    let lossy: Vec<&str> = verdicts
        .iter()
        .filter(|(_, v)| !v.is_lossless())
        .map(|(n, _)| n.as_str())
        .collect();
    assert_eq!(lossy, ["created_date", "saved_date", "Event_Type"]);
    let reader = compile_row_reader(Some(&schema), &columns[..9], &ReadOptions::default()).unwrap();
    let payloads = v2_payloads();
    let err = reader.read(&payloads[0]).unwrap_err();
    assert_eq!(err.column, "created_date");
    let ok = reader.read(&payloads[1]).unwrap();
    assert_eq!(ok[1], Value::string("PaymentReceived"));
    assert!(reader.read(&Json::Null).unwrap_err().from.contains("tombstone"));
    // Declared as Switchyard recommends, every record reads.
    let mut fixed = columns[..9].to_vec();
    fixed[3].1 = null(TypeKind::Timestamp(6));
    fixed[4].1 = null(TypeKind::Timestamp(6));
    let reader = compile_row_reader(Some(&schema), &fixed, &ReadOptions::default()).unwrap();
    for p in &payloads {
        reader.read(p).unwrap();
    }
    // The optional top-level schema of visible/01 v2 (oneOf[null, object]) works too.
    let optional = serde_json::json!({"oneOf": [{"type": "null"}, schema]});
    assert!(compile_row_reader(Some(&optional), &fixed, &ReadOptions::default()).is_ok());
    assert!(
        compile_row_reader(
            Some(&serde_json::json!({"type": "string"})),
            &fixed,
            &ReadOptions::default()
        )
        .is_err()
    );
}
