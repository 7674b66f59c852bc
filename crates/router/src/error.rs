//! What can go wrong with one record, classed the way the runtime must treat it.
//!
//! A [`RecordError`] is *permanent*: the record itself is bad (its bytes, its schema id, a value that does
//! not fit the declared column) and retrying cannot help, so it goes to the dead-letter topic with its
//! stage and a stable code. A [`Failure::Transient`] is the world's fault (registry or broker unreachable):
//! the record is retried with backoff and never dead-lettered.

use std::fmt;

/// Where in the record's trip it failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Stage {
    /// Bytes → frame → JSON.
    Decode,
    /// Schema id → registered schema.
    Schema,
    /// JSON → row (type conversion).
    Convert,
    /// Filter, projection, computed columns.
    Evaluate,
    /// Row → JSON → bytes for a sink.
    Encode,
    /// The broker refused the output record.
    Produce,
}

impl Stage {
    /// Lower-case name used in headers and metrics.
    pub fn as_str(&self) -> &'static str {
        match self {
            Stage::Decode => "decode",
            Stage::Schema => "schema",
            Stage::Convert => "convert",
            Stage::Evaluate => "evaluate",
            Stage::Encode => "encode",
            Stage::Produce => "produce",
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A permanent per-record failure: dead-lettered with these details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordError {
    /// Where it failed.
    pub stage: Stage,
    /// A stable code, e.g. `FRAMING_MISMATCH`, `SCHEMA_NOT_FOUND`, `TYPE_MISMATCH`.
    pub code: &'static str,
    /// What happened and what to do.
    pub message: String,
    /// The writer schema id, when known.
    pub schema_id: Option<u32>,
    /// The statement (0-based) it happened in, for evaluation and encoding failures.
    pub statement: Option<usize>,
}

impl RecordError {
    /// A failure at `stage` with `code`.
    pub fn new(stage: Stage, code: &'static str, message: impl Into<String>) -> Self {
        RecordError {
            stage,
            code,
            message: message.into(),
            schema_id: None,
            statement: None,
        }
    }

    /// The same failure, attributed to a schema id.
    pub fn with_schema(mut self, id: Option<u32>) -> Self {
        self.schema_id = self.schema_id.or(id);
        self
    }
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} [{}]: {}", self.code, self.stage, self.message)
    }
}

/// The outcome of a failed step: dead-letter it, or retry it later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Bad record: dead-letter.
    Permanent(RecordError),
    /// Something outside the record is down: retry with backoff.
    Transient(String),
}

impl From<RecordError> for Failure {
    fn from(e: RecordError) -> Self {
        Failure::Permanent(e)
    }
}
