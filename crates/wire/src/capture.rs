//! The capture file: Switchyard's one interchange format for Kafka records.
//!
//! JSON Lines, one record per line, bytes as standard base64 so that framing survives exactly:
//!
//! ```json
//! {"topic":"t","partition":0,"offset":42,"timestamp":1700000000000,"key":"AAAAAAF7fQ==","value":null,"headers":[["h","dg=="]]}
//! ```
//!
//! `switchyard tail --out` writes it; `decode`, `doctor` (incident directories) and the tests read it.

use std::io::{BufRead, Write};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One Kafka record as captured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaptureRecord {
    /// Topic the record was read from.
    pub topic: String,
    /// Partition.
    pub partition: i32,
    /// Offset in the partition.
    pub offset: i64,
    /// Record timestamp in milliseconds since the epoch, if any.
    #[serde(default)]
    pub timestamp: Option<i64>,
    /// Key bytes (`null` for no key).
    #[serde(with = "opt_b64", default)]
    pub key: Option<Vec<u8>>,
    /// Value bytes (`null` for a tombstone).
    #[serde(with = "opt_b64", default)]
    pub value: Option<Vec<u8>>,
    /// Headers in order, as `[name, base64 | null]` pairs.
    #[serde(default)]
    pub headers: Vec<Header>,
}

/// A record header: name and optional value bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// Header name.
    pub name: String,
    /// Header value (`None` for a null header value).
    pub value: Option<Vec<u8>>,
}

impl CaptureRecord {
    /// The value of the first header called `name`, if present and not null.
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|h| h.name == name)
            .and_then(|h| h.value.as_deref())
    }
}

impl Serialize for Header {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (&self.name, self.value.as_ref().map(|v| STANDARD.encode(v))).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Header {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let (name, value): (String, Option<String>) = Deserialize::deserialize(d)?;
        let value = value
            .map(|v| STANDARD.decode(v.as_bytes()))
            .transpose()
            .map_err(|e| serde::de::Error::custom(format!("header `{name}` is not base64: {e}")))?;
        Ok(Header { name, value })
    }
}

mod opt_b64 {
    use super::*;

    pub fn serialize<S: Serializer>(v: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
        v.as_ref().map(|b| STANDARD.encode(b)).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<u8>>, D::Error> {
        let text: Option<String> = Deserialize::deserialize(d)?;
        text.map(|t| STANDARD.decode(t.as_bytes()))
            .transpose()
            .map_err(|e| serde::de::Error::custom(format!("not base64: {e}")))
    }
}

/// Why a capture file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    /// Reading failed.
    #[error("reading line {line}: {source}")]
    Io {
        /// 1-based line number.
        line: usize,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A line is not a capture record.
    #[error("line {line} is not a capture record: {source}")]
    Parse {
        /// 1-based line number.
        line: usize,
        /// What serde said.
        source: serde_json::Error,
    },
}

/// Read capture records from JSON Lines; blank lines are skipped. Each item carries its 1-based line number.
pub fn read_capture<R: BufRead>(
    reader: R,
) -> impl Iterator<Item = Result<(usize, CaptureRecord), CaptureError>> {
    reader.lines().enumerate().filter_map(|(i, line)| {
        let line_no = i + 1;
        match line {
            Err(source) => Some(Err(CaptureError::Io {
                line: line_no,
                source,
            })),
            Ok(l) if l.trim().is_empty() => None,
            Ok(l) => {
                Some(
                    serde_json::from_str(&l)
                        .map(|r| (line_no, r))
                        .map_err(|source| CaptureError::Parse {
                            line: line_no,
                            source,
                        }),
                )
            }
        }
    })
}

/// Write one record as a line of JSON.
pub fn write_capture<W: Write>(mut w: W, record: &CaptureRecord) -> std::io::Result<()> {
    serde_json::to_writer(&mut w, record)?;
    w.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_format() {
        let r = CaptureRecord {
            topic: "t".into(),
            partition: 1,
            offset: 42,
            timestamp: Some(1_700_000_000_000),
            key: Some(vec![0, 0, 0, 0, 1, b'{', b'}']),
            value: None,
            headers: vec![
                Header {
                    name: "h".into(),
                    value: Some(b"v".to_vec()),
                },
                Header {
                    name: "n".into(),
                    value: None,
                },
            ],
        };
        let mut out = Vec::new();
        write_capture(&mut out, &r).unwrap();
        let text = String::from_utf8(out.clone()).unwrap();
        assert_eq!(
            text,
            "{\"topic\":\"t\",\"partition\":1,\"offset\":42,\"timestamp\":1700000000000,\"key\":\"AAAAAAF7fQ==\",\"value\":null,\"headers\":[[\"h\",\"dg==\"],[\"n\",null]]}\n"
        );
        let back: Vec<_> = read_capture(&out[..]).collect::<Result<_, _>>().unwrap();
        assert_eq!(back, vec![(1, r)]);
    }

    #[test]
    fn bad_lines_name_their_number() {
        let input = b"\n{\"topic\":\"t\",\"partition\":0,\"offset\":0,\"key\":null,\"value\":\"!!\",\"headers\":[]}\n";
        let err = read_capture(&input[..]).next().unwrap().unwrap_err();
        assert!(
            err.to_string().starts_with("line 2 is not a capture record"),
            "{err}"
        );
    }
}
