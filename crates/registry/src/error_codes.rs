//! Confluent Schema Registry error codes, as the server puts them in `{"error_code":…,"message":…}`.
//!
//! Kept in one place so the client can classify answers and the server can produce them with the same
//! numbers Confluent's `Errors` class uses.

/// Basic or bearer authentication failed.
pub const UNAUTHORIZED: i32 = 40101;
/// The subject does not exist (or has only soft-deleted versions).
pub const SUBJECT_NOT_FOUND: i32 = 40401;
/// The version does not exist in the subject.
pub const VERSION_NOT_FOUND: i32 = 40402;
/// The schema (by id, or by content in a lookup) does not exist.
pub const SCHEMA_NOT_FOUND: i32 = 40403;
/// The subject was soft-deleted; only a permanent delete is possible now.
pub const SUBJECT_SOFT_DELETED: i32 = 40404;
/// A permanent subject delete was asked before a soft delete.
pub const SUBJECT_NOT_SOFT_DELETED: i32 = 40405;
/// The version was soft-deleted; only a permanent delete is possible now.
pub const SCHEMA_VERSION_SOFT_DELETED: i32 = 40406;
/// A permanent version delete was asked before a soft delete.
pub const SCHEMA_VERSION_NOT_SOFT_DELETED: i32 = 40407;
/// The subject has no subject-level compatibility configured.
pub const SUBJECT_COMPATIBILITY_NOT_CONFIGURED: i32 = 40408;
/// The subject has no subject-level mode configured.
pub const SUBJECT_MODE_NOT_CONFIGURED: i32 = 40409;
/// The schema is incompatible with earlier versions (the HTTP status itself, as Confluent does).
pub const INCOMPATIBLE_SCHEMA: i32 = 409;
/// The schema is not valid (bad JSON, bad JSON Schema, unresolvable reference).
pub const INVALID_SCHEMA: i32 = 42201;
/// The version is neither a positive integer nor `latest`.
pub const INVALID_VERSION: i32 = 42202;
/// The compatibility level is not one Confluent knows.
pub const INVALID_COMPATIBILITY_LEVEL: i32 = 42203;
/// The mode is not one Confluent knows.
pub const INVALID_MODE: i32 = 42204;
/// The operation is not permitted (read-only mode, explicit ids outside IMPORT mode, …).
pub const OPERATION_NOT_PERMITTED: i32 = 42205;
/// The version is referenced by another schema and cannot be deleted.
pub const REFERENCE_EXISTS: i32 = 42206;
/// An explicit id conflicts with the id the schema already has, or with another schema.
pub const ID_DOES_NOT_MATCH: i32 = 42207;
/// The subject name is not valid.
pub const INVALID_SUBJECT: i32 = 42208;
/// The backing store failed.
pub const STORE_ERROR: i32 = 50001;
