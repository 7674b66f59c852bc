//! Errors of the capture library, each with its class: transient (PostgreSQL, Kafka or the registry
//! unreachable: retry the whole capture; the slot makes that lossless) or permanent (configuration,
//! a value that cannot be converted).

use crate::catalog::Column;

/// A capture error.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    /// A PostgreSQL command failed.
    #[error("PostgreSQL: {context}: {message}")]
    Postgres {
        /// What was being done.
        context: String,
        /// The server's or library's message.
        message: String,
    },
    /// A column value could not be converted to its Debezium form.
    #[error("column `{column}` ({type_name}): cannot convert {text:?}: {why}")]
    Value {
        /// Column.
        column: String,
        /// PostgreSQL type name.
        type_name: String,
        /// The text PostgreSQL sent.
        text: String,
        /// Why.
        why: String,
    },
    /// The configuration cannot work (missing slot without `--create`, unknown table, …).
    #[error("{message}")]
    Config {
        /// What is wrong.
        message: String,
        /// What to do about it.
        hint: Option<String>,
    },
    /// Kafka refused or failed a delivery.
    #[error("Kafka: {0}")]
    Kafka(#[from] switchyard_kafka::KafkaError),
    /// The Schema Registry refused or failed a registration.
    #[error("Schema Registry: {0}")]
    Registry(#[from] switchyard_registry::RegistryError),
    /// The Connect schema could not be turned into a JSON Schema.
    #[error("Connect → JSON Schema: {0}")]
    Connect(#[from] switchyard_schema::ConnectError),
}

impl CaptureError {
    pub(crate) fn postgres(context: &str, err: impl std::fmt::Display) -> Self {
        let context = if context.len() > 120 {
            format!("{}…", &context[..context.floor_char_boundary(120)])
        } else {
            context.to_string()
        };
        CaptureError::Postgres {
            context,
            message: err.to_string(),
        }
    }

    pub(crate) fn value(col: &Column, text: &str, why: &str) -> Self {
        CaptureError::Value {
            column: col.name.clone(),
            type_name: col.type_name.clone(),
            text: text.chars().take(200).collect(),
            why: why.to_string(),
        }
    }

    pub(crate) fn config(message: impl Into<String>, hint: Option<&str>) -> Self {
        CaptureError::Config {
            message: message.into(),
            hint: hint.map(str::to_string),
        }
    }

    /// A hint for the user, when there is one.
    pub fn hint(&self) -> Option<String> {
        match self {
            CaptureError::Config { hint, .. } => hint.clone(),
            CaptureError::Kafka(e) => e.hint(),
            _ => None,
        }
    }

    /// Whether retrying the capture can help (the source or a sink was unreachable).
    pub fn is_transient(&self) -> bool {
        match self {
            CaptureError::Postgres { .. } | CaptureError::Kafka(_) => true,
            CaptureError::Registry(e) => e.is_transient(),
            _ => false,
        }
    }
}
