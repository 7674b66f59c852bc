//! JSON Schema for Switchyard: parse and validate schemas as the Schema Registry stores them, validate
//! records against them, and decide compatibility between versions the way Confluent's Schema Registry does.
//!
//! Pure: no I/O. The registry server and client, `decode` and the router build on this crate.
//!
//! ```
//! use switchyard_schema::{CompatibilityLevel, JsonSchema, check_compatibility};
//!
//! # fn main() -> Result<(), switchyard_schema::SchemaError> {
//! let v1 = JsonSchema::parse(r#"{"type":"object","properties":{"id":{"type":"integer"}}}"#, &[])?;
//! let v2 = JsonSchema::parse(r#"{"type":"object","properties":{"id":{"type":"number"}}}"#, &[])?;
//! // integer → number: new readers read old data (BACKWARD), not the other way round.
//! assert!(check_compatibility(CompatibilityLevel::Backward, &v2, &[v1.clone()]).is_empty());
//! let diffs = check_compatibility(CompatibilityLevel::Forward, &v2, &[v1]);
//! assert_eq!(diffs[0].kind.to_string(), "TYPE_NARROWED");
//! assert_eq!(diffs[0].path, "#/properties/id");
//! assert!(v2.validate(&serde_json::json!({"id": "x"})).is_err());
//! # Ok(())
//! # }
//! ```

mod compat;
pub mod connect;
mod json_schema;
mod messages;
mod refs;

pub use compat::{
    CompatibilityLevel, CompatibilityPolicy, CompatibilityReport, Difference, DifferenceType, PreviousSchema,
    check_compatibility, check_compatibility_report, check_compatibility_with_policy, schema_diff,
};
pub use connect::{ConnectError, ConnectOptions, json_schema_from_connect};
pub use json_schema::{Draft, JsonSchema, ResolvedReference, SchemaError, ValidationIssue};

#[cfg(test)]
mod tests;
