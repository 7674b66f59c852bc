//! Errors as the server sends them: an HTTP status plus `{"error_code":…,"message":…}`.
//!
//! Constructors carry Confluent's exact wording (from its `Errors` class) so that clients matching on
//! messages, not only codes, behave the same against this server.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::error_codes as codes;
use crate::types::ErrorBody;

/// The content type of every answer.
pub(crate) const CONTENT_TYPE: &str = "application/vnd.schemaregistry.v1+json";

/// An error answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub code: i32,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: i32, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    /// A generic HTTP error, coded with its status as Confluent's REST layer does.
    pub fn http(status: StatusCode, message: impl Into<String>) -> Self {
        Self::new(status, i32::from(status.as_u16()), message)
    }

    pub fn subject_not_found(subject: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            codes::SUBJECT_NOT_FOUND,
            format!("Subject '{subject}' not found."),
        )
    }

    pub fn version_not_found(version: impl std::fmt::Display) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            codes::VERSION_NOT_FOUND,
            format!("Version {version} not found."),
        )
    }

    pub fn schema_not_found(id: Option<i32>) -> Self {
        let message = match id {
            Some(id) => format!("Schema {id} not found"),
            None => "Schema not found".to_string(),
        };
        Self::new(StatusCode::NOT_FOUND, codes::SCHEMA_NOT_FOUND, message)
    }

    pub fn subject_soft_deleted(subject: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            codes::SUBJECT_SOFT_DELETED,
            format!("Subject '{subject}' was soft deleted.Set permanent=true to delete permanently"),
        )
    }

    pub fn subject_not_soft_deleted(subject: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            codes::SUBJECT_NOT_SOFT_DELETED,
            format!("Subject '{subject}' was not deleted first before being permanently deleted"),
        )
    }

    pub fn version_soft_deleted(subject: &str, version: i32) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            codes::SCHEMA_VERSION_SOFT_DELETED,
            format!(
                "Subject '{subject}' Version {version} was soft deleted.Set permanent=true to delete permanently"
            ),
        )
    }

    pub fn version_not_soft_deleted(subject: &str, version: i32) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            codes::SCHEMA_VERSION_NOT_SOFT_DELETED,
            format!(
                "Subject '{subject}' Version {version} was not deleted first before being permanently deleted"
            ),
        )
    }

    pub fn compatibility_not_configured(subject: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            codes::SUBJECT_COMPATIBILITY_NOT_CONFIGURED,
            format!("Subject '{subject}' does not have subject-level compatibility configured"),
        )
    }

    pub fn mode_not_configured(subject: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            codes::SUBJECT_MODE_NOT_CONFIGURED,
            format!("Subject '{subject}' does not have subject-level mode configured"),
        )
    }

    pub fn incompatible(subject: &str, messages: &[String]) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            codes::INCOMPATIBLE_SCHEMA,
            format!(
                "Schema being registered is incompatible with an earlier schema for subject \"{subject}\", details: [{}]",
                messages.join(", ")
            ),
        )
    }

    pub fn invalid_schema(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, codes::INVALID_SCHEMA, message)
    }

    pub fn invalid_version(version: &str) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            codes::INVALID_VERSION,
            format!(
                "The specified version '{version}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\""
            ),
        )
    }

    pub fn invalid_compatibility_level() -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            codes::INVALID_COMPATIBILITY_LEVEL,
            "Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive",
        )
    }

    pub fn invalid_mode(mode: &str) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            codes::INVALID_MODE,
            format!(
                "Invalid mode '{mode}'. Valid values are READWRITE, READONLY, READONLY_OVERRIDE and IMPORT"
            ),
        )
    }

    pub fn not_permitted(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            codes::OPERATION_NOT_PERMITTED,
            message,
        )
    }

    pub fn reference_exists(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, codes::REFERENCE_EXISTS, message)
    }

    pub fn id_does_not_match(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            codes::ID_DOES_NOT_MATCH,
            message,
        )
    }

    pub fn invalid_subject(subject: &str) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            codes::INVALID_SUBJECT,
            format!("Invalid subject {subject}"),
        )
    }

    pub fn store(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, codes::STORE_ERROR, message)
    }

    pub fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, codes::UNAUTHORIZED, "Unauthorized")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error_code: self.code,
            message: self.message,
        };
        let bytes = serde_json::to_vec(&body).unwrap_or_else(|_| b"{}".to_vec());
        let mut resp = (self.status, bytes).into_response();
        resp.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
        if self.status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"switchyard-registry\""),
            );
        }
        resp
    }
}
