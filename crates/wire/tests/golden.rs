//! Confluent's own `JSONSerializer` bytes (confluent-kafka 2.16) decode to the exact schema id and an equal
//! record, our encoder reproduces the header byte for byte, and every bad frame gets the typed error that
//! matches what Confluent's deserializer said.
#![allow(clippy::unwrap_used)]

mod common;

use serde_json::Value;
use switchyard_wire::{
    BodyError, DecodeError, Encoding, FrameError, SchemaRef, decode_json_sr, encode_json_sr, sniff,
};

fn bytes(v: &Value, field: &str) -> Vec<u8> {
    hex::decode(v[field].as_str().unwrap()).unwrap()
}

#[test]
fn every_vector_decodes_to_its_id_and_record() {
    let golden = common::golden_vectors();
    let vectors = golden["vectors"].as_array().unwrap();
    assert!(!vectors.is_empty());
    for v in vectors {
        let name = v["name"].as_str().unwrap();
        let raw = bytes(v, "bytes_hex");
        let id = v["schema_id"].as_u64().unwrap() as u32;
        let rec = decode_json_sr(&raw, None).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(rec.schema, SchemaRef::Id(id), "{name}");
        assert_eq!(rec.value, v["record"], "{name}");
        let s = sniff(Some(&raw), None);
        assert_eq!(s.encoding, Encoding::JsonSr, "{name}");
        assert_eq!(s.frame.unwrap().schema_id, Some(id), "{name}");
    }
}

#[test]
fn encoder_reproduces_confluent_header_and_body() {
    for v in common::golden_vectors()["vectors"].as_array().unwrap() {
        let raw = bytes(v, "bytes_hex");
        let ours = encode_json_sr(v["schema_id"].as_u64().unwrap() as u32, &v["record"]);
        assert_eq!(ours[..5], raw[..5], "{}", v["name"]);
        let body: Value = serde_json::from_slice(&ours[5..]).unwrap();
        assert_eq!(body, v["record"], "{}", v["name"]);
    }
}

#[test]
fn header_mode_vectors_decode() {
    for v in common::golden_vectors()["header_mode"].as_array().unwrap() {
        let raw = bytes(v, "value_hex");
        let headers = v["headers"].as_array().unwrap();
        let header = headers
            .iter()
            .find(|h| h[0] == "__value_schema_id")
            .map(|h| hex::decode(h[1].as_str().unwrap()).unwrap());
        let rec = decode_json_sr(&raw, header.as_deref()).unwrap();
        let guid = v["guid"].as_str().unwrap().replace('-', "");
        let expected: [u8; 16] = hex::decode(guid).unwrap().try_into().unwrap();
        assert_eq!(rec.schema, SchemaRef::Guid(expected));
        assert_eq!(rec.value, v["record"]);
        // Without the header the same bytes are plain JSON, and sniffing says so.
        assert_eq!(sniff(Some(&raw), None).encoding, Encoding::PlainJson);
    }
}

#[test]
fn bad_frames_give_typed_errors() {
    let golden = common::golden_vectors();
    let known_ids: Vec<u64> = golden["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["schema_id"].as_u64().unwrap())
        .collect();
    for v in golden["errors"].as_array().unwrap() {
        let name = v["name"].as_str().unwrap();
        let raw = bytes(v, "bytes_hex");
        let result = decode_json_sr(&raw, None);
        match name {
            "truncated-header" => assert!(
                matches!(
                    result,
                    Err(DecodeError::Frame(FrameError::Truncated { start: 1, end: 5, .. }))
                ),
                "{result:?}"
            ),
            "plain-json" => assert!(
                matches!(
                    result,
                    Err(DecodeError::Frame(FrameError::UnknownMagic { byte: b'{' }))
                ),
                "{result:?}"
            ),
            "body-not-json" => assert!(
                matches!(
                    result,
                    Err(DecodeError::Body(BodyError::NotJson { offset: 6, .. }))
                ),
                "{result:?}"
            ),
            "empty" => assert!(
                matches!(result, Err(DecodeError::Frame(FrameError::Empty))),
                "{result:?}"
            ),
            // The frame is fine; the id resolves nowhere (a registry lookup's job, not the frame's).
            "unknown-id" => {
                let id = result.unwrap().schema.id().unwrap();
                assert!(!known_ids.contains(&u64::from(id)), "id {id} should be unknown");
            }
            // The frame and JSON are fine; the schema rejects the body (validation's job).
            "schema-violation" => assert!(result.is_ok()),
            other => panic!("new error vector `{other}`: add an expectation for it"),
        }
    }
}
