//! The durable half of the store: an append-only, checksummed, fsynced log of committed writes.
//!
//! Why a log and not a snapshot file: appending one line and `fsync`ing it is the cheapest write that
//! is still atomic enough to survive `kill -9` or power loss, and replay is trivial. Each line is
//! `<crc32 of the JSON, 8 hex digits> <one JSON record>\n`. A crash mid-append can only damage the last
//! line (nothing is ever rewritten), so on open a final line that is incomplete or fails its checksum
//! is cut off with a warning; a damaged line *followed by* good ones is real corruption and opening
//! fails instead of guessing.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use switchyard_schema::CompatibilityLevel;

use crate::types::{Mode, SchemaReference, SchemaType};

/// The log file's name inside the data directory.
pub(crate) const LOG_FILE: &str = "registry.log";

/// One committed write.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub(crate) enum Record {
    /// A version registered under a subject (the schema text travels with it).
    Register {
        subject: String,
        version: i32,
        id: i32,
        schema_type: SchemaType,
        schema: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        references: Vec<SchemaReference>,
    },
    /// A version soft- or hard-deleted.
    DeleteVersion {
        subject: String,
        version: i32,
        permanent: bool,
    },
    /// All versions of a subject soft- or hard-deleted.
    DeleteSubject { subject: String, permanent: bool },
    /// Compatibility set (`Some`) or removed (`None`), globally or for a subject.
    Config {
        subject: Option<String>,
        level: Option<CompatibilityLevel>,
    },
    /// Mode set or removed, globally or for a subject.
    Mode {
        subject: Option<String>,
        mode: Option<Mode>,
    },
}

/// Why the log could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// An I/O error on the log file.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// Another process holds the log.
    #[error("{path} is in use by another registry process (one server per data directory)")]
    Locked {
        /// The file.
        path: PathBuf,
    },
    /// A damaged record before the end of the log.
    #[error(
        "{path}: record at byte {offset} is damaged ({reason}) and is followed by more records; refusing to \
         guess. Move the file aside or cut it at that offset to start from the data before it"
    )]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// Where the damaged record starts.
        offset: u64,
        /// What is wrong with it.
        reason: String,
    },
}

/// The open log, positioned at its end.
#[derive(Debug)]
pub(crate) struct Log {
    file: File,
    path: PathBuf,
}

impl Log {
    /// Open (or create) `dir/registry.log`, returning the records to replay, oldest first.
    pub(crate) fn open(dir: &Path) -> Result<(Self, Vec<Record>), LogError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| LogError::Io { path, source }
        };
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let path = dir.join(LOG_FILE);
        let existed = path.exists();
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&path)
            .map_err(io(&path))?;
        // One writer per log: a second server on the same directory would interleave records.
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => return Err(LogError::Locked { path }),
            Err(std::fs::TryLockError::Error(source)) => return Err(LogError::Io { path, source }),
        }
        if !existed {
            // Make the new file's directory entry durable too.
            File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir))?;
        }
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(io(&path))?;

        let mut records = Vec::new();
        let mut pos = 0usize;
        while pos < bytes.len() {
            let Some(nl) = bytes[pos..].iter().position(|b| *b == b'\n').map(|i| pos + i) else {
                truncate(&mut file, &path, pos, "is incomplete (no end of line)")?;
                break;
            };
            match decode_line(&bytes[pos..nl]) {
                Ok(rec) => records.push(rec),
                Err(reason) if nl + 1 >= bytes.len() => {
                    truncate(&mut file, &path, pos, &reason)?;
                    break;
                }
                Err(reason) => {
                    return Err(LogError::Corrupt {
                        path,
                        offset: pos as u64,
                        reason,
                    });
                }
            }
            pos = nl + 1;
        }
        file.seek(SeekFrom::End(0)).map_err(io(&path))?;
        Ok((Self { file, path }, records))
    }

    /// Append `record` and fsync it; the write is committed when this returns `Ok`.
    pub(crate) fn append(&mut self, record: &Record) -> std::io::Result<()> {
        let line = encode_line(record)?;
        self.file.write_all(&line)?;
        self.file.sync_data()
    }

    /// The log file's path.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

fn truncate(file: &mut File, path: &Path, at: usize, reason: &str) -> Result<(), LogError> {
    tracing::warn!(
        path = %path.display(),
        offset = at,
        "the last record of the registry log {reason}: a write was interrupted (crash or kill); cutting it off"
    );
    let io = |source| LogError::Io {
        path: path.to_path_buf(),
        source,
    };
    file.set_len(at as u64).map_err(io)?;
    file.sync_all().map_err(io)
}

pub(crate) fn encode_line(record: &Record) -> std::io::Result<Vec<u8>> {
    let json = serde_json::to_vec(record)?;
    let crc = crc32fast::hash(&json);
    let mut line = format!("{crc:08x} ").into_bytes();
    line.extend_from_slice(&json);
    line.push(b'\n');
    Ok(line)
}

fn decode_line(line: &[u8]) -> Result<Record, String> {
    if line.len() < 10 || line[8] != b' ' {
        return Err("malformed record header".to_string());
    }
    let crc_text = std::str::from_utf8(&line[..8]).map_err(|_| "malformed checksum".to_string())?;
    let want = u32::from_str_radix(crc_text, 16).map_err(|_| "malformed checksum".to_string())?;
    let json = &line[9..];
    let got = crc32fast::hash(json);
    if got != want {
        return Err(format!(
            "checksum mismatch: stored {want:08x}, computed {got:08x}"
        ));
    }
    serde_json::from_slice(json).map_err(|e| format!("undecodable record: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(n: i32) -> Record {
        Record::Config {
            subject: Some(format!("s{n}")),
            level: Some(CompatibilityLevel::Full),
        }
    }

    #[test]
    fn replays_what_was_appended() {
        let dir = tempfile::tempdir().unwrap();
        {
            let (mut log, recs) = Log::open(dir.path()).unwrap();
            assert!(recs.is_empty());
            log.append(&rec(1)).unwrap();
            log.append(&rec(2)).unwrap();
        }
        let (_, recs) = Log::open(dir.path()).unwrap();
        assert_eq!(recs, vec![rec(1), rec(2)]);
    }

    #[test]
    fn torn_tail_is_truncated_and_appends_continue() {
        let dir = tempfile::tempdir().unwrap();
        {
            let (mut log, _) = Log::open(dir.path()).unwrap();
            log.append(&rec(1)).unwrap();
        }
        let path = dir.path().join(LOG_FILE);
        let good_len = std::fs::metadata(&path).unwrap().len();
        // A crash mid-write: half of the next line.
        let line = encode_line(&rec(2)).unwrap();
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(&line[..line.len() / 2]).unwrap();
        drop(f);
        {
            let (mut log, recs) = Log::open(dir.path()).unwrap();
            assert_eq!(recs, vec![rec(1)]);
            assert_eq!(std::fs::metadata(&path).unwrap().len(), good_len);
            log.append(&rec(3)).unwrap();
        }
        let (_, recs) = Log::open(dir.path()).unwrap();
        assert_eq!(recs, vec![rec(1), rec(3)]);
    }

    #[test]
    fn bad_checksum_on_last_line_is_truncated_but_in_the_middle_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(LOG_FILE);
        let mut bad = encode_line(&rec(2)).unwrap();
        bad[0] = if bad[0] == b'0' { b'1' } else { b'0' };
        let mut content = encode_line(&rec(1)).unwrap();
        content.extend_from_slice(&bad);
        std::fs::write(&path, &content).unwrap();
        let (_, recs) = Log::open(dir.path()).unwrap();
        assert_eq!(recs, vec![rec(1)]);

        content.extend_from_slice(&encode_line(&rec(3)).unwrap());
        std::fs::write(&path, &content).unwrap();
        let err = Log::open(dir.path()).unwrap_err();
        assert!(matches!(err, LogError::Corrupt { .. }), "{err}");
    }

    #[test]
    fn a_second_opener_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (_first, _) = Log::open(dir.path()).unwrap();
        let err = Log::open(dir.path()).unwrap_err();
        assert!(matches!(err, LogError::Locked { .. }), "{err}");
    }

    #[test]
    fn zero_filled_tail_is_truncated() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(LOG_FILE);
        let mut content = encode_line(&rec(1)).unwrap();
        content.extend_from_slice(&[0u8; 64]);
        std::fs::write(&path, &content).unwrap();
        let (_, recs) = Log::open(dir.path()).unwrap();
        assert_eq!(recs, vec![rec(1)]);
    }
}
