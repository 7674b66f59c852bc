//! Switchyard's wire layer: Confluent framing, JSON bodies, shape sniffing and the capture file format.
//!
//! Pure: no I/O beyond the readers and writers callers hand in. Data flows one way — bytes → frame → JSON →
//! shape — and every step that can fail on untrusted bytes returns a typed error naming the byte offset.

mod body;
mod capture;
mod frame;
mod shape;
mod sniff;

pub use body::{BodyError, parse_json};
pub use capture::{CaptureError, CaptureRecord, Header, read_capture, write_capture};
pub use frame::{
    Frame, FrameError, Framing, GUID_HEADER_LEN, ID_HEADER_LEN, KEY_SCHEMA_ID_HEADER, MAGIC_GUID, MAGIC_ID,
    SchemaRef, VALUE_SCHEMA_ID_HEADER, encode_json_sr, encode_message_indexes, format_guid, frame,
    parse_frame, parse_frame_with_header, parse_message_indexes, parse_schema_id_header, write_header,
};
pub use shape::{JsonShape, classify};
pub use sniff::{Encoding, FrameInfo, Sniffed, hex_prefix, is_protobuf_message, sniff};

/// Why bytes are not a JSON_SR record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The frame header is wrong.
    #[error(transparent)]
    Frame(#[from] FrameError),
    /// The payload is not JSON.
    #[error(transparent)]
    Body(#[from] BodyError),
}

/// A decoded JSON_SR record: which schema wrote it, and the document.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonSrRecord {
    /// The schema reference from the frame or header.
    pub schema: SchemaRef,
    /// How it was carried.
    pub framing: Framing,
    /// The JSON document.
    pub value: serde_json::Value,
}

/// Strictly decode a JSON_SR key or value, as Confluent's `JSONDeserializer` would: the frame must be
/// there (or the schema id in `schema_id_header`), and the payload must be UTF-8 JSON.
pub fn decode_json_sr(bytes: &[u8], schema_id_header: Option<&[u8]>) -> Result<JsonSrRecord, DecodeError> {
    let frame = parse_frame_with_header(bytes, schema_id_header)?;
    let value = parse_json(frame.payload, frame.payload_offset)?;
    Ok(JsonSrRecord {
        schema: frame.schema,
        framing: frame.framing,
        value,
    })
}
