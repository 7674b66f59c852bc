//! Property tests: encode/decode round trips, and no panic on any input.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use serde_json::Value;
use switchyard_wire::{
    CaptureRecord, Header, SchemaRef, decode_json_sr, encode_json_sr, encode_message_indexes, frame,
    parse_frame, parse_message_indexes, read_capture, sniff, write_capture,
};

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1e15f64..1e15).prop_map(Value::from),
        ".*".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::vec(("[a-z_]{1,8}", inner), 0..8)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn json_sr_round_trips(id in any::<u32>(), value in json_value()) {
        let bytes = encode_json_sr(id, &value);
        let rec = decode_json_sr(&bytes, None).unwrap();
        prop_assert_eq!(rec.schema, SchemaRef::Id(id));
        prop_assert_eq!(rec.value, value);
    }

    #[test]
    fn guid_frames_round_trip(guid in any::<[u8; 16]>(), payload in prop::collection::vec(any::<u8>(), 0..64)) {
        let bytes = frame(SchemaRef::Guid(guid), &payload);
        let f = parse_frame(&bytes).unwrap();
        prop_assert_eq!(f.schema, SchemaRef::Guid(guid));
        prop_assert_eq!(f.payload, &payload[..]);
    }

    #[test]
    fn message_indexes_round_trip(indexes in prop::collection::vec(0i32..i32::MAX, 1..6)) {
        let mut payload = Vec::new();
        encode_message_indexes(&indexes, &mut payload);
        let bytes = frame(SchemaRef::Id(1), &payload);
        let (got, rest) = parse_message_indexes(&parse_frame(&bytes).unwrap()).unwrap();
        prop_assert_eq!(got, indexes);
        prop_assert!(rest.is_empty());
    }

    #[test]
    fn nothing_panics_on_arbitrary_bytes(
        bytes in prop::collection::vec(any::<u8>(), 0..256),
        header in prop::option::of(prop::collection::vec(any::<u8>(), 0..20)),
    ) {
        let s = sniff(Some(&bytes), header.as_deref());
        let _ = s.summary();
        let _ = decode_json_sr(&bytes, header.as_deref());
        if let Ok(f) = parse_frame(&bytes) {
            let _ = parse_message_indexes(&f);
        }
    }

    #[test]
    fn capture_records_round_trip(
        partition in any::<i32>(), offset in any::<i64>(), timestamp in prop::option::of(any::<i64>()),
        key in prop::option::of(prop::collection::vec(any::<u8>(), 0..32)),
        value in prop::option::of(prop::collection::vec(any::<u8>(), 0..32)),
        headers in prop::collection::vec((".{0,8}", prop::option::of(prop::collection::vec(any::<u8>(), 0..8))), 0..4),
    ) {
        let record = CaptureRecord {
            topic: "t".into(), partition, offset, timestamp, key, value,
            headers: headers.into_iter().map(|(name, value)| Header { name, value }).collect(),
        };
        let mut out = Vec::new();
        write_capture(&mut out, &record).unwrap();
        let back: Vec<_> = read_capture(&out[..]).collect::<Result<_, _>>().unwrap();
        prop_assert_eq!(back, vec![(1, record)]);
    }
}
