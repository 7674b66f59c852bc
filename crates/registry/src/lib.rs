//! Confluent Schema Registry: REST client and embedded server.
//!
//! Switchyard talks to the Confluent Schema Registry for every JSON_SR record it reads or writes, and
//! tests, incident reproductions and air-gapped pipelines need a registry they can start in-process.
//! Both halves live here so that they share one model of the wire format ([`types`]) and one set of
//! Confluent error codes ([`error_codes`]):
//!
//! * [`client`]: an async `reqwest` client configured with Confluent's property names
//!   ([`RegistryConfig::from_properties`]), with URL failover, bounded exponential-backoff retries
//!   for transient failures, and a bounded id → schema cache.
//! * [`export`]: a registry as a directory (`subjects/<subject>/<version>.json`), read and written in
//!   one place for `registry export`/`import`, `decode --schemas` and the doctor's incident directories.
//! * [`server`]: an `axum` server that speaks the same REST API with the same status codes and error
//!   bodies, persisting every committed write to a checksummed append-only log that survives `kill -9`.

#![warn(missing_docs)]

pub mod client;
pub mod error_codes;
pub mod export;
pub mod server;
pub mod types;

pub use client::{Auth, CachedSchema, RegistryClient, RegistryConfig, RegistryError, Secret};
pub use export::{ExportError, ExportProgress, ExportedVersion, RegistryExport};
pub use server::{RunningServer, ServerConfig, ServerError, start};
pub use types::{
    CompatibilityCheck, Mode, RegisterRequest, RegisteredSchema, SchemaReference, SchemaString, SchemaType,
    SubjectVersion, VersionSpec,
};
