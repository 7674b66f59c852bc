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
//! * [`server`]: an `axum` server that speaks the same REST API with the same status codes and error
//!   bodies, persisting every committed write to a checksummed append-only log that survives `kill -9`.

#![warn(missing_docs)]

pub mod client;
pub mod error_codes;
pub mod server;
pub mod types;

pub use client::{Auth, CachedSchema, RegistryClient, RegistryConfig, RegistryError, Secret};
pub use server::{RunningServer, ServerConfig, ServerError, start};
pub use types::{
    CompatibilityCheck, Mode, RegisterRequest, RegisteredSchema, SchemaReference, SchemaString, SchemaType,
    SubjectVersion, VersionSpec,
};
