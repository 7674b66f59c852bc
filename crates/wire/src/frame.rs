//! Confluent's wire format: the few bytes in front of a Kafka key or value that say which registered schema
//! wrote it.
//!
//! Three layouts exist in the wild and all three are read here:
//!
//! * **v0** — magic `0x00`, then the schema id as a 4-byte big-endian integer, then the payload;
//! * **v1** — magic `0x01`, then the schema's 16-byte GUID, then the payload (newer Confluent clients);
//! * **header mode** — the payload is unframed and the schema id travels in a record header
//!   (`__value_schema_id` / `__key_schema_id`) whose value is the magic byte plus the id or GUID.
//!
//! Framed Protobuf puts an array of message indexes (zig-zag varints: a count, then the indexes; the common
//! `[0]` is the single byte `0x00`) between the header and the payload. Whether a body is Protobuf cannot be
//! told from the header alone, so [`parse_frame`] never consumes message indexes; [`parse_message_indexes`]
//! does it when the caller knows (or guesses) the schema type.
//!
//! Every read is bounds-checked: a short or unknown header is a [`FrameError`] that names the byte offset and
//! what was expected there, never a panic.

use std::fmt;

/// Magic byte of the classic Confluent frame: a 4-byte schema id follows.
pub const MAGIC_ID: u8 = 0x00;
/// Magic byte of the GUID frame: a 16-byte schema GUID follows.
pub const MAGIC_GUID: u8 = 0x01;
/// Length of a v0 header (magic + 4-byte id).
pub const ID_HEADER_LEN: usize = 5;
/// Length of a v1 header (magic + 16-byte GUID).
pub const GUID_HEADER_LEN: usize = 17;
/// Record header that carries the value's schema id in header mode.
pub const VALUE_SCHEMA_ID_HEADER: &str = "__value_schema_id";
/// Record header that carries the key's schema id in header mode.
pub const KEY_SCHEMA_ID_HEADER: &str = "__key_schema_id";

/// Which registered schema wrote a record: a numeric id or a GUID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SchemaRef {
    /// A Schema Registry id (global, stable).
    Id(u32),
    /// A schema GUID, in network byte order.
    Guid([u8; 16]),
}

impl SchemaRef {
    /// The numeric id, when this is one.
    pub fn id(&self) -> Option<u32> {
        match self {
            SchemaRef::Id(id) => Some(*id),
            SchemaRef::Guid(_) => None,
        }
    }
}

impl fmt::Display for SchemaRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SchemaRef::Id(id) => write!(f, "id {id}"),
            SchemaRef::Guid(g) => write!(f, "guid {}", format_guid(g)),
        }
    }
}

/// Format a GUID the usual way: `8-4-4-4-12` lower-case hex.
pub fn format_guid(g: &[u8; 16]) -> String {
    let mut out = String::with_capacity(36);
    for (i, b) in g.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// Where the schema reference of a frame was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// `0x00` + 4-byte id in front of the payload.
    MagicId,
    /// `0x01` + 16-byte GUID in front of the payload.
    MagicGuid,
    /// In a record header; the payload is unframed.
    Header,
}

impl Framing {
    /// A short name for reports.
    pub fn name(&self) -> &'static str {
        match self {
            Framing::MagicId => "confluent-v0 (0x00 + 4-byte id)",
            Framing::MagicGuid => "confluent-v1 (0x01 + 16-byte guid)",
            Framing::Header => "schema id in record header",
        }
    }
}

/// A parsed frame: the schema reference and the payload it introduces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame<'a> {
    /// How the schema reference was carried.
    pub framing: Framing,
    /// Which schema wrote the payload.
    pub schema: SchemaRef,
    /// Bytes after the header (Protobuf message indexes, if any, are still in front).
    pub payload: &'a [u8],
    /// Offset of `payload` in the original bytes (0 in header mode).
    pub payload_offset: usize,
}

/// Why bytes are not a Confluent frame.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// No bytes at all.
    #[error("empty input at byte 0: expected the magic byte 0x00 or 0x01 of a Confluent frame")]
    Empty,
    /// The first byte is not a known magic byte.
    #[error("unknown magic byte 0x{byte:02x} at byte 0: expected 0x00 (schema id) or 0x01 (schema guid)")]
    UnknownMagic {
        /// The byte found.
        byte: u8,
    },
    /// The header is cut short.
    #[error("truncated header: {what} needs bytes {start}..{end} but the input has only {len} bytes")]
    Truncated {
        /// What was being read.
        what: &'static str,
        /// First byte offset of the field.
        start: usize,
        /// Offset one past the field's last byte.
        end: usize,
        /// Length of the input.
        len: usize,
    },
    /// A header-mode schema id header has the wrong length for its magic byte.
    #[error("schema id header is {len} bytes: expected 5 (0x00 + id) or 17 (0x01 + guid)")]
    BadHeaderLength {
        /// Length found.
        len: usize,
    },
    /// A Protobuf message-index varint is malformed.
    #[error("bad protobuf message index at byte {offset}: {reason}")]
    BadMessageIndex {
        /// Offset of the varint.
        offset: usize,
        /// What is wrong with it.
        reason: &'static str,
    },
}

fn field<'a, const N: usize>(
    bytes: &'a [u8],
    start: usize,
    what: &'static str,
) -> Result<&'a [u8; N], FrameError> {
    bytes
        .get(start..start + N)
        .and_then(|s| s.try_into().ok())
        .ok_or(FrameError::Truncated {
            what,
            start,
            end: start + N,
            len: bytes.len(),
        })
}

/// Parse a schema reference that starts with a magic byte; returns it and the header length.
fn parse_schema_ref(bytes: &[u8]) -> Result<(Framing, SchemaRef, usize), FrameError> {
    match bytes.first() {
        None => Err(FrameError::Empty),
        Some(&MAGIC_ID) => {
            let id = field::<4>(bytes, 1, "the 4-byte schema id")?;
            Ok((
                Framing::MagicId,
                SchemaRef::Id(u32::from_be_bytes(*id)),
                ID_HEADER_LEN,
            ))
        }
        Some(&MAGIC_GUID) => {
            let guid = field::<16>(bytes, 1, "the 16-byte schema guid")?;
            Ok((Framing::MagicGuid, SchemaRef::Guid(*guid), GUID_HEADER_LEN))
        }
        Some(&byte) => Err(FrameError::UnknownMagic { byte }),
    }
}

/// Parse a framed key or value (`0x00` + id or `0x01` + GUID, then the payload).
pub fn parse_frame(bytes: &[u8]) -> Result<Frame<'_>, FrameError> {
    let (framing, schema, header_len) = parse_schema_ref(bytes)?;
    Ok(Frame {
        framing,
        schema,
        payload: &bytes[header_len..],
        payload_offset: header_len,
    })
}

/// Parse the value of a `__value_schema_id` / `__key_schema_id` header.
pub fn parse_schema_id_header(value: &[u8]) -> Result<SchemaRef, FrameError> {
    let (_, schema, len) = parse_schema_ref(value)?;
    if len != value.len() {
        return Err(FrameError::BadHeaderLength { len: value.len() });
    }
    Ok(schema)
}

/// The frame of a record whose schema id may be in a header: header mode wins when `header` is present.
pub fn parse_frame_with_header<'a>(bytes: &'a [u8], header: Option<&[u8]>) -> Result<Frame<'a>, FrameError> {
    match header {
        Some(h) => Ok(Frame {
            framing: Framing::Header,
            schema: parse_schema_id_header(h)?,
            payload: bytes,
            payload_offset: 0,
        }),
        None => parse_frame(bytes),
    }
}

/// Write the frame header for `schema` into `out`.
pub fn write_header(schema: SchemaRef, out: &mut Vec<u8>) {
    match schema {
        SchemaRef::Id(id) => {
            out.push(MAGIC_ID);
            out.extend_from_slice(&id.to_be_bytes());
        }
        SchemaRef::Guid(g) => {
            out.push(MAGIC_GUID);
            out.extend_from_slice(&g);
        }
    }
}

/// Frame a payload: header for `schema`, then `payload`.
pub fn frame(schema: SchemaRef, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(GUID_HEADER_LEN + payload.len());
    write_header(schema, &mut out);
    out.extend_from_slice(payload);
    out
}

/// Encode a JSON_SR record: the v0 header for `schema_id`, then `value` as compact UTF-8 JSON.
pub fn encode_json_sr(schema_id: u32, value: &serde_json::Value) -> Vec<u8> {
    let mut out = Vec::with_capacity(128);
    write_header(SchemaRef::Id(schema_id), &mut out);
    // Writing into a Vec cannot fail, and a `Value` always serializes.
    let _ = serde_json::to_writer(&mut out, value);
    out
}

/// Read one zig-zag varint (at most 5 bytes for a 32-bit value) starting at `*pos`.
fn read_zigzag(bytes: &[u8], pos: &mut usize, base: usize) -> Result<i32, FrameError> {
    let start = *pos;
    let mut result: u64 = 0;
    for shift in (0..35).step_by(7) {
        let Some(&b) = bytes.get(*pos) else {
            return Err(FrameError::BadMessageIndex {
                offset: base + start,
                reason: "varint cut short",
            });
        };
        *pos += 1;
        result |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            let n = result as u32;
            return Ok(((n >> 1) as i32) ^ -((n & 1) as i32));
        }
    }
    Err(FrameError::BadMessageIndex {
        offset: base + start,
        reason: "varint longer than 5 bytes",
    })
}

/// Parse Protobuf message indexes at the start of a frame's payload; returns them and the rest of the payload.
///
/// A count of 0 (the single byte `0x00`) means `[0]`: the first message in the schema.
pub fn parse_message_indexes<'a>(frame: &Frame<'a>) -> Result<(Vec<i32>, &'a [u8]), FrameError> {
    let bytes = frame.payload;
    let base = frame.payload_offset;
    let mut pos = 0;
    let count = read_zigzag(bytes, &mut pos, base)?;
    if count < 0 {
        return Err(FrameError::BadMessageIndex {
            offset: base,
            reason: "negative index count",
        });
    }
    if count == 0 {
        return Ok((vec![0], &bytes[pos..]));
    }
    // Each index takes at least one byte: a count larger than what is left is malformed, not a huge allocation.
    if count as usize > bytes.len() - pos {
        return Err(FrameError::BadMessageIndex {
            offset: base,
            reason: "index count exceeds the payload",
        });
    }
    let mut indexes = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let idx = read_zigzag(bytes, &mut pos, base)?;
        if idx < 0 {
            return Err(FrameError::BadMessageIndex {
                offset: base + pos,
                reason: "negative message index",
            });
        }
        indexes.push(idx);
    }
    Ok((indexes, &bytes[pos..]))
}

/// Encode Protobuf message indexes (`[0]` as the single byte `0x00`).
pub fn encode_message_indexes(indexes: &[i32], out: &mut Vec<u8>) {
    fn zigzag(v: i32, out: &mut Vec<u8>) {
        let mut n = ((v << 1) ^ (v >> 31)) as u32;
        while n >= 0x80 {
            out.push((n as u8) | 0x80);
            n >>= 7;
        }
        out.push(n as u8);
    }
    if indexes == [0] {
        out.push(0);
        return;
    }
    zigzag(indexes.len() as i32, out);
    for &i in indexes {
        zigzag(i, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v0_header_is_exact() {
        let bytes = frame(SchemaRef::Id(100_026), b"{}");
        assert_eq!(&bytes[..5], &[0x00, 0x00, 0x01, 0x86, 0xba]);
        let f = parse_frame(&bytes).unwrap();
        assert_eq!(f.schema, SchemaRef::Id(100_026));
        assert_eq!(f.payload, b"{}");
        assert_eq!(f.payload_offset, 5);
    }

    #[test]
    fn truncated_header_names_offsets() {
        let err = parse_frame(&[0, 0, 0]).unwrap_err();
        assert_eq!(
            err,
            FrameError::Truncated {
                what: "the 4-byte schema id",
                start: 1,
                end: 5,
                len: 3
            }
        );
        assert!(err.to_string().contains("bytes 1..5"));
    }

    #[test]
    fn empty_and_unknown_magic() {
        assert_eq!(parse_frame(&[]).unwrap_err(), FrameError::Empty);
        assert_eq!(
            parse_frame(b"{\"a\":1}").unwrap_err(),
            FrameError::UnknownMagic { byte: b'{' }
        );
    }

    #[test]
    fn guid_frame_and_header_mode() {
        let guid = [7u8; 16];
        let bytes = frame(SchemaRef::Guid(guid), b"1");
        let f = parse_frame(&bytes).unwrap();
        assert_eq!(
            (f.framing, f.schema, f.payload),
            (Framing::MagicGuid, SchemaRef::Guid(guid), &b"1"[..])
        );
        let mut h = vec![1u8];
        h.extend_from_slice(&guid);
        let f = parse_frame_with_header(b"{}", Some(&h)).unwrap();
        assert_eq!((f.framing, f.payload_offset), (Framing::Header, 0));
        assert_eq!(
            parse_schema_id_header(&[0, 0, 0, 0, 1, 9]).unwrap_err(),
            FrameError::BadHeaderLength { len: 6 }
        );
    }

    #[test]
    fn message_indexes_round_trip() {
        for idx in [vec![0], vec![1], vec![0, 2, 300], vec![5, 0]] {
            let mut payload = Vec::new();
            encode_message_indexes(&idx, &mut payload);
            payload.extend_from_slice(b"\x08\x01");
            let bytes = frame(SchemaRef::Id(1), &payload);
            let f = parse_frame(&bytes).unwrap();
            let (got, rest) = parse_message_indexes(&f).unwrap();
            assert_eq!(got, idx);
            assert_eq!(rest, b"\x08\x01");
        }
        let bytes = frame(SchemaRef::Id(1), &[0x7e]);
        assert!(parse_message_indexes(&parse_frame(&bytes).unwrap()).is_err());
    }

    #[test]
    fn guid_formats_like_uuid() {
        let g = [
            0xd7, 0x0c, 0x32, 0xee, 0x68, 0x31, 0x43, 0x72, 0xa1, 0xa3, 0xfb, 0x1f, 0xed, 0x74, 0x12, 0xe9,
        ];
        assert_eq!(format_guid(&g), "d70c32ee-6831-4372-a1a3-fb1fed7412e9");
    }
}
