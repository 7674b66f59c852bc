//! Errors of the mapping: a schema we cannot map ([`MappingError`]), a value or column we cannot convert
//! without losing information ([`ConversionError`]), and the plan-time verdict on a column
//! ([`Compatibility`]).

use std::fmt;

/// A JSON Schema (or a writer/declared type pair) that cannot be mapped.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MappingError {
    /// The schema uses a construct Flink (and Switchyard) has no type for.
    #[error("unsupported schema at {path}: {message}")]
    Unsupported {
        /// JSON pointer into the schema.
        path: String,
        /// What is unsupported.
        message: String,
    },
    /// The schema is malformed (e.g. a Decimal without a numeric `scale`).
    #[error("invalid schema at {path}: {message}")]
    Invalid {
        /// JSON pointer into the schema.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The writer's type can never be read as the declared column type.
    #[error("{0}")]
    Incompatible(Box<ConversionError>),
}

impl MappingError {
    pub(crate) fn unsupported(path: &str, message: impl Into<String>) -> Self {
        MappingError::Unsupported {
            path: display_path(path),
            message: message.into(),
        }
    }

    pub(crate) fn invalid(path: &str, message: impl Into<String>) -> Self {
        MappingError::Invalid {
            path: display_path(path),
            message: message.into(),
        }
    }
}

fn display_path(path: &str) -> String {
    if path.is_empty() {
        "#".to_owned()
    } else {
        format!("#{path}")
    }
}

/// A value (or a column) that cannot be converted to the declared Flink type without losing information
/// or guessing. Carries everything a user needs to fix the table definition.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("column `{column}`: cannot read {from} as {to}: {message}. Fix: {fix}")]
pub struct ConversionError {
    /// The column (dotted path for nested fields, `[]` for array elements).
    pub column: String,
    /// The writer's type, e.g. `io.debezium.time.MicroTimestamp (int64 µs since epoch)`.
    pub from: String,
    /// The declared Flink type, e.g. `TIMESTAMP(3)`.
    pub to: String,
    /// What goes wrong.
    pub message: String,
    /// How to fix the table definition or the query.
    pub fix: String,
}

/// The plan-time verdict on reading a writer's field as a declared column type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Compatibility {
    /// Every value the writer can produce converts exactly; the description says how (for `explain`).
    Lossless(String),
    /// Some values convert exactly, others would lose information and fail at read time.
    Lossy(ConversionError),
    /// No value of the writer's type can be read as the declared type.
    Incompatible(ConversionError),
}

impl Compatibility {
    /// `true` for [`Compatibility::Lossless`].
    pub fn is_lossless(&self) -> bool {
        matches!(self, Compatibility::Lossless(_))
    }
}

impl fmt::Display for Compatibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Compatibility::Lossless(d) => write!(f, "lossless: {d}"),
            Compatibility::Lossy(e) => write!(f, "lossy: {e}"),
            Compatibility::Incompatible(e) => write!(f, "incompatible: {e}"),
        }
    }
}
