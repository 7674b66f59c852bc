//! Turning a frame's payload into JSON, with errors that point at the byte that broke it.
//!
//! Offsets in errors are offsets into the whole record (header included), so that a user looking at a hex
//! dump of the Kafka value finds the byte at once.

use serde_json::Value;

/// Why a payload is not a JSON document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    /// The payload has no bytes.
    #[error("empty payload at byte {offset}: expected a JSON document after the {offset}-byte header")]
    Empty {
        /// Where the payload starts.
        offset: usize,
    },
    /// The payload is not UTF-8.
    #[error("payload is not UTF-8 at byte {offset}: expected UTF-8 JSON text")]
    NotUtf8 {
        /// Offset of the first invalid byte.
        offset: usize,
    },
    /// The payload is UTF-8 but not JSON.
    #[error("payload is not JSON at byte {offset} (line {line}, column {column}): {message}")]
    NotJson {
        /// Offset of the offending byte.
        offset: usize,
        /// 1-based line in the payload.
        line: usize,
        /// 1-based column in the payload.
        column: usize,
        /// The parser's complaint.
        message: String,
    },
}

/// Parse a payload that starts at `offset` in its record as one JSON document.
pub fn parse_json(payload: &[u8], offset: usize) -> Result<Value, BodyError> {
    if payload.is_empty() {
        return Err(BodyError::Empty { offset });
    }
    let text = std::str::from_utf8(payload).map_err(|e| BodyError::NotUtf8 {
        offset: offset + e.valid_up_to(),
    })?;
    serde_json::from_str(text).map_err(|e| {
        let (line, column) = (e.line(), e.column());
        BodyError::NotJson {
            offset: offset + byte_offset(text, line, column),
            line,
            column,
            message: strip_position(&e.to_string()),
        }
    })
}

/// serde_json reports 1-based line and column (column counts bytes); turn them into a byte offset.
fn byte_offset(text: &str, line: usize, column: usize) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (line_start + column.saturating_sub(1)).min(text.len())
}

/// serde_json appends " at line L column C"; we report the position ourselves.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_json_points_at_the_byte() {
        // `{not json` after a 5-byte header: the parser stops at `n`, byte 6 of the record.
        let err = parse_json(b"{not json", 5).unwrap_err();
        match err {
            BodyError::NotJson {
                offset,
                line,
                column,
                ref message,
            } => {
                assert_eq!((offset, line, column), (6, 1, 2));
                assert!(message.contains("key must be a string"), "{message}");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn multi_line_offsets() {
        let err = parse_json(b"{\n  \"a\": x}", 0).unwrap_err();
        let BodyError::NotJson { offset, line, .. } = err else {
            panic!()
        };
        assert_eq!((offset, line), (9, 2));
    }

    #[test]
    fn not_utf8_and_empty() {
        assert_eq!(
            parse_json(b"\"a\xff\"", 5).unwrap_err(),
            BodyError::NotUtf8 { offset: 7 }
        );
        assert_eq!(parse_json(b"", 5).unwrap_err(), BodyError::Empty { offset: 5 });
    }
}
