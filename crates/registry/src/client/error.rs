//! Client errors, each classed as transient (worth retrying elsewhere or later) or permanent.
//!
//! Callers decide whether to retry, fail a pipeline or report a user mistake from [`RegistryError::
//! is_transient`] and [`RegistryError::error_code`] alone; every error names the registry URL it came
//! from so that a failover chain can be debugged from the message.

use crate::error_codes;

/// Why a registry request failed.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// The registry answered with an error status; `code` is Confluent's `error_code`.
    #[error("schema registry at {url} answered HTTP {status} (error code {code}): {message}")]
    Api {
        /// The request URL (without credentials).
        url: String,
        /// The HTTP status.
        status: u16,
        /// Confluent's error code, or the HTTP status when the body carried none.
        code: i32,
        /// The registry's message.
        message: String,
    },
    /// No connection could be made (refused, DNS, TLS handshake).
    #[error("schema registry at {url} is not reachable: {reason}")]
    Connect {
        /// The request URL.
        url: String,
        /// What the transport said.
        reason: String,
    },
    /// The request did not finish in time.
    #[error("request to schema registry at {url} timed out: {reason}")]
    Timeout {
        /// The request URL.
        url: String,
        /// What the transport said.
        reason: String,
    },
    /// Another transport failure (connection reset mid-request, protocol error).
    #[error("request to schema registry at {url} failed: {reason}")]
    Transport {
        /// The request URL.
        url: String,
        /// What the transport said.
        reason: String,
    },
    /// The registry answered 2xx with a body we could not understand.
    #[error("schema registry at {url} sent a response that could not be parsed: {reason}")]
    Decode {
        /// The request URL.
        url: String,
        /// What was wrong.
        reason: String,
    },
    /// The configuration is unusable (no URL, unreadable CA file, bad property value).
    #[error("invalid schema registry configuration: {0}")]
    Config(String),
    /// A schema fetched from the registry could not be parsed as JSON Schema.
    #[error("schema {id} from the registry is not a usable JSON Schema: {source}")]
    Schema {
        /// The schema id.
        id: i32,
        /// Why it could not be parsed.
        #[source]
        source: switchyard_schema::SchemaError,
    },
}

impl RegistryError {
    /// Timeouts, refused connections, 5xx and 429 are transient: retried with backoff and failed over.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Api { status, .. } => *status >= 500 || *status == 429,
            Self::Connect { .. } | Self::Timeout { .. } | Self::Transport { .. } => true,
            Self::Decode { .. } | Self::Config(_) | Self::Schema { .. } => false,
        }
    }

    /// Confluent's error code, for API errors.
    pub fn error_code(&self) -> Option<i32> {
        match self {
            Self::Api { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// The HTTP status, for API errors.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The URL the failed request went to, where there was one.
    pub fn url(&self) -> Option<&str> {
        match self {
            Self::Api { url, .. }
            | Self::Connect { url, .. }
            | Self::Timeout { url, .. }
            | Self::Transport { url, .. }
            | Self::Decode { url, .. } => Some(url),
            Self::Config(_) | Self::Schema { .. } => None,
        }
    }

    /// True for 40401, 40402 and 40403 (subject, version or schema not found).
    pub fn is_not_found(&self) -> bool {
        matches!(
            self.error_code(),
            Some(
                error_codes::SUBJECT_NOT_FOUND
                    | error_codes::VERSION_NOT_FOUND
                    | error_codes::SCHEMA_NOT_FOUND
            )
        )
    }

    /// True for 409 (the schema is incompatible with earlier versions).
    pub fn is_incompatible(&self) -> bool {
        self.error_code() == Some(error_codes::INCOMPATIBLE_SCHEMA)
    }

    pub(crate) fn from_reqwest(url: &str, err: &reqwest::Error) -> Self {
        let reason = error_chain(err);
        let url = url.to_string();
        if err.is_timeout() {
            Self::Timeout { url, reason }
        } else if err.is_connect() {
            Self::Connect { url, reason }
        } else if err.is_decode() {
            Self::Decode { url, reason }
        } else {
            Self::Transport { url, reason }
        }
    }
}

/// The innermost causes of an error, joined, so "connection refused" is not hidden behind "error sending
/// request".
fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![err.to_string()];
    let mut cur = err.source();
    while let Some(e) = cur {
        let s = e.to_string();
        if !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
        cur = e.source();
    }
    // reqwest's outermost message repeats the URL ("error sending request for url (…)"), which the
    // error already names; the causes say what happened.
    if parts.len() > 1 {
        parts.remove(0);
    }
    parts.join(": ")
}
