//! Sniffing: given the bytes of a Kafka key or value (and the record's schema-id header, if any), say what
//! they are — JSON_SR, framed Avro or Protobuf, plain JSON, text, binary, a tombstone — and, for JSON, what
//! shape the document has. Every verdict carries the evidence for it.
//!
//! Sniffing never fails: bytes that are not what they claim to be are a verdict too (with the error that
//! shows it), because the doctor and `decode` must report on bad data, not stop at it.

use serde::Serialize;
use serde_json::Value;

use crate::body::{BodyError, parse_json};
use crate::frame::{
    Frame, Framing, MAGIC_GUID, MAGIC_ID, SchemaRef, format_guid, parse_frame, parse_frame_with_header,
    parse_message_indexes,
};
use crate::shape::{JsonShape, classify};

/// How a key or value is encoded, as far as the bytes tell.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Encoding {
    /// A Kafka null (no bytes at all): a tombstone.
    Tombstone,
    /// Zero bytes (not null).
    Empty,
    /// Confluent-framed JSON (JSON Schema serializer).
    JsonSr,
    /// Confluent-framed Protobuf (message indexes after the header).
    FramedProtobuf {
        /// The message indexes.
        message_indexes: Vec<i32>,
    },
    /// Confluent-framed, body neither JSON nor Protobuf: most likely Avro binary.
    FramedAvro,
    /// Confluent-framed, but the body looks like broken JSON.
    FramedInvalidJson,
    /// Unframed JSON.
    PlainJson,
    /// UTF-8 text that is not JSON.
    Text,
    /// Bytes that are none of the above.
    Binary,
}

impl Encoding {
    /// A short label for reports.
    pub fn label(&self) -> &'static str {
        match self {
            Encoding::Tombstone => "tombstone (null)",
            Encoding::Empty => "empty (0 bytes)",
            Encoding::JsonSr => "JSON_SR (Confluent-framed JSON)",
            Encoding::FramedProtobuf { .. } => "Confluent-framed Protobuf",
            Encoding::FramedAvro => "Confluent-framed binary (likely Avro)",
            Encoding::FramedInvalidJson => "Confluent-framed, body is not valid JSON",
            Encoding::PlainJson => "plain JSON (no Confluent framing)",
            Encoding::Text => "text (not JSON)",
            Encoding::Binary => "binary (unknown)",
        }
    }
}

/// The schema reference of a framed key or value, for reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FrameInfo {
    /// `magic_id`, `magic_guid` or `header`.
    pub framing: &'static str,
    /// The schema id, when numeric.
    pub schema_id: Option<u32>,
    /// The schema GUID, when the frame carries one.
    pub schema_guid: Option<String>,
    /// Length of the header in the bytes (0 in header mode).
    pub header_len: usize,
}

impl FrameInfo {
    fn new(frame: &Frame<'_>) -> Self {
        let framing = match frame.framing {
            Framing::MagicId => "magic_id",
            Framing::MagicGuid => "magic_guid",
            Framing::Header => "header",
        };
        let (schema_id, schema_guid) = match frame.schema {
            SchemaRef::Id(id) => (Some(id), None),
            SchemaRef::Guid(g) => (None, Some(format_guid(&g))),
        };
        FrameInfo {
            framing,
            schema_id,
            schema_guid,
            header_len: frame.payload_offset,
        }
    }
}

/// The verdict on one key or value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sniffed {
    /// How the bytes are encoded.
    pub encoding: Encoding,
    /// The frame, for framed encodings.
    pub frame: Option<FrameInfo>,
    /// The document's shape, when the body is JSON.
    pub shape: Option<JsonShape>,
    /// The parsed JSON body, when there is one.
    #[serde(skip)]
    pub json: Option<Value>,
    /// Why the bytes are not quite what they appear to be (e.g. a framed body that is not JSON).
    pub problem: Option<String>,
    /// Sentences that justify the verdict.
    pub evidence: Vec<String>,
}

impl Sniffed {
    fn new(encoding: Encoding) -> Self {
        Sniffed {
            encoding,
            frame: None,
            shape: None,
            json: None,
            problem: None,
            evidence: Vec::new(),
        }
    }

    /// One line: `JSON_SR (Confluent-framed JSON), schema id 42: Debezium envelope (op=c)`.
    pub fn summary(&self) -> String {
        let mut s = self.encoding.label().to_string();
        if let Some(f) = &self.frame {
            match (&f.schema_id, &f.schema_guid) {
                (Some(id), _) => s.push_str(&format!(", schema id {id}")),
                (_, Some(g)) => s.push_str(&format!(", schema guid {g}")),
                _ => {}
            }
            if f.framing == "header" {
                s.push_str(" (from record header)");
            }
        }
        if let Some(shape) = &self.shape {
            s.push_str(": ");
            s.push_str(&shape.label());
        }
        s
    }
}

/// Hex of the first `n` bytes, for evidence.
pub fn hex_prefix(bytes: &[u8], n: usize) -> String {
    let mut s: String = bytes.iter().take(n).map(|b| format!("{b:02x} ")).collect();
    s.pop();
    if bytes.len() > n {
        s.push_str(" …");
    }
    s
}

/// Sniff a key or value. `schema_id_header` is the value of `__value_schema_id` / `__key_schema_id`.
pub fn sniff(bytes: Option<&[u8]>, schema_id_header: Option<&[u8]>) -> Sniffed {
    let Some(bytes) = bytes else {
        let mut s = Sniffed::new(Encoding::Tombstone);
        s.evidence
            .push("the record has a null value (Kafka tombstone)".into());
        return s;
    };
    if let Some(header) = schema_id_header {
        return match parse_frame_with_header(bytes, Some(header)) {
            Ok(frame) => sniff_framed(&frame, bytes),
            Err(e) => {
                let mut s = sniff_unframed(bytes);
                s.problem = Some(format!("schema id header is malformed: {e}"));
                s
            }
        };
    }
    if bytes.is_empty() {
        let mut s = Sniffed::new(Encoding::Empty);
        s.evidence
            .push("the record has a zero-length value (not a tombstone)".into());
        return s;
    }
    match bytes[0] {
        MAGIC_ID | MAGIC_GUID => match parse_frame(bytes) {
            Ok(frame) => sniff_framed(&frame, bytes),
            Err(e) => {
                let mut s = Sniffed::new(Encoding::Binary);
                s.evidence.push(format!("first bytes: {}", hex_prefix(bytes, 8)));
                s.problem = Some(format!("starts like a Confluent frame but {e}"));
                s
            }
        },
        _ => sniff_unframed(bytes),
    }
}

fn sniff_framed(frame: &Frame<'_>, bytes: &[u8]) -> Sniffed {
    let info = FrameInfo::new(frame);
    let mut evidence = vec![match frame.framing {
        Framing::Header => format!(
            "schema {} in the record's schema-id header; payload unframed",
            frame.schema
        ),
        _ => format!(
            "magic byte 0x{:02x} then schema {} (header bytes: {})",
            bytes[0],
            frame.schema,
            hex_prefix(bytes, frame.payload_offset)
        ),
    }];
    let mut s = match parse_json(frame.payload, frame.payload_offset) {
        Ok(json) => {
            evidence.push(format!("payload at byte {} parses as JSON", frame.payload_offset));
            let shape = classify(&json, &mut evidence);
            Sniffed {
                shape: Some(shape),
                json: Some(json),
                ..Sniffed::new(Encoding::JsonSr)
            }
        }
        Err(err) => sniff_framed_binary(frame, err, &mut evidence),
    };
    s.frame = Some(info);
    s.evidence.splice(0..0, evidence);
    s
}

fn sniff_framed_binary(frame: &Frame<'_>, err: BodyError, evidence: &mut Vec<String>) -> Sniffed {
    let payload = frame.payload;
    let looks_textual = payload.first().is_some_and(|b| matches!(b, b'{' | b'[' | b'"'));
    if looks_textual || matches!(err, BodyError::Empty { .. }) {
        let mut s = Sniffed::new(Encoding::FramedInvalidJson);
        s.problem = Some(err.to_string());
        return s;
    }
    if let Ok((indexes, body)) = parse_message_indexes(frame)
        && is_protobuf_message(body)
    {
        evidence.push(format!(
            "payload starts with Protobuf message indexes {indexes:?} and the rest is valid Protobuf wire format"
        ));
        return Sniffed::new(Encoding::FramedProtobuf {
            message_indexes: indexes,
        });
    }
    evidence.push(format!(
        "payload is neither JSON nor Protobuf wire format (first bytes {}); Avro binary has no markers",
        hex_prefix(payload, 8)
    ));
    Sniffed::new(Encoding::FramedAvro)
}

fn sniff_unframed(bytes: &[u8]) -> Sniffed {
    match parse_json(bytes, 0) {
        Ok(json) => {
            let mut s = Sniffed::new(Encoding::PlainJson);
            s.evidence.push(format!(
                "first byte 0x{:02x} ({}) is not a Confluent magic byte; the bytes parse as JSON",
                bytes[0],
                printable(bytes[0])
            ));
            s.shape = Some(classify(&json, &mut s.evidence));
            s.json = Some(json);
            s
        }
        Err(BodyError::NotJson { .. }) => {
            let mut s = Sniffed::new(Encoding::Text);
            s.evidence.push("the bytes are UTF-8 text but not JSON".into());
            s
        }
        Err(_) => {
            let mut s = Sniffed::new(Encoding::Binary);
            s.evidence.push(format!("first bytes: {}", hex_prefix(bytes, 8)));
            s
        }
    }
}

fn printable(b: u8) -> String {
    if b.is_ascii_graphic() {
        format!("`{}`", b as char)
    } else {
        "non-printable".into()
    }
}

/// Whether `bytes` parse completely as Protobuf wire format (tags with field numbers ≥ 1 and wire types
/// 0, 1, 2 or 5, lengths within bounds).
pub fn is_protobuf_message(bytes: &[u8]) -> bool {
    let mut pos = 0;
    while pos < bytes.len() {
        let Some(tag) = varint(bytes, &mut pos) else {
            return false;
        };
        if tag >> 3 == 0 || tag >> 3 > 0x1fff_ffff {
            return false;
        }
        let advance = match tag & 7 {
            0 => match varint(bytes, &mut pos) {
                Some(_) => 0,
                None => return false,
            },
            1 => 8,
            2 => match varint(bytes, &mut pos).and_then(|n| usize::try_from(n).ok()) {
                Some(n) => n,
                None => return false,
            },
            5 => 4,
            _ => return false,
        };
        match pos.checked_add(advance) {
            Some(end) if end <= bytes.len() => pos = end,
            _ => return false,
        }
    }
    true
}

fn varint(bytes: &[u8], pos: &mut usize) -> Option<u64> {
    let mut out = 0u64;
    for shift in (0..70).step_by(7) {
        let b = *bytes.get(*pos)?;
        *pos += 1;
        out |= u64::from(b & 0x7f).checked_shl(shift).unwrap_or(0);
        if b & 0x80 == 0 {
            return Some(out);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::{encode_message_indexes, frame};

    #[test]
    fn json_sr_with_envelope() {
        let body = br#"{"before":null,"after":{"id":1},"source":{"table":"t"},"op":"c"}"#;
        let s = sniff(Some(&frame(SchemaRef::Id(7), body)), None);
        assert_eq!(s.encoding, Encoding::JsonSr);
        assert_eq!(s.frame.as_ref().unwrap().schema_id, Some(7));
        assert!(matches!(s.shape, Some(JsonShape::DebeziumEnvelope { .. })));
        assert!(
            s.summary()
                .contains("schema id 7: Debezium envelope (op=c, table=t)"),
            "{}",
            s.summary()
        );
    }

    #[test]
    fn framed_protobuf_and_avro() {
        let mut payload = Vec::new();
        encode_message_indexes(&[0], &mut payload);
        payload.extend_from_slice(&[0x08, 0x96, 0x01, 0x12, 0x02, b'h', b'i']);
        let s = sniff(Some(&frame(SchemaRef::Id(3), &payload)), None);
        assert_eq!(
            s.encoding,
            Encoding::FramedProtobuf {
                message_indexes: vec![0]
            }
        );
        // Avro: a zig-zag long then a string; the trailing 0x07 is wire type 7, not Protobuf.
        let s = sniff(
            Some(&frame(SchemaRef::Id(3), &[0x02, 0x06, b'a', b'b', b'c', 0x07])),
            None,
        );
        assert_eq!(s.encoding, Encoding::FramedAvro);
    }

    #[test]
    fn plain_text_binary_tombstone_empty() {
        assert_eq!(sniff(Some(b"{\"a\":1}"), None).encoding, Encoding::PlainJson);
        assert_eq!(sniff(Some(b"null"), None).shape, Some(JsonShape::Null));
        assert_eq!(sniff(Some(b"hello world"), None).encoding, Encoding::Text);
        assert_eq!(sniff(Some(&[0xff, 0xfe]), None).encoding, Encoding::Binary);
        assert_eq!(sniff(None, None).encoding, Encoding::Tombstone);
        assert_eq!(sniff(Some(b""), None).encoding, Encoding::Empty);
    }

    #[test]
    fn truncated_and_broken_frames_are_verdicts() {
        let s = sniff(Some(&[0, 0, 0]), None);
        assert_eq!(s.encoding, Encoding::Binary);
        assert!(s.problem.unwrap().contains("truncated header"));
        let s = sniff(Some(b"\x00\x00\x00\x00\x64{not json"), None);
        assert_eq!(s.encoding, Encoding::FramedInvalidJson);
        assert!(s.problem.unwrap().contains("at byte 6"));
    }

    #[test]
    fn header_mode() {
        let s = sniff(Some(b"{\"id\":5}"), Some(&[0, 0, 0, 0, 9]));
        assert_eq!(s.encoding, Encoding::JsonSr);
        assert_eq!(s.frame.unwrap().framing, "header");
    }
}
