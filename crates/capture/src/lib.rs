//! PostgreSQL logical replication (`pgoutput`) → change events exactly as Debezium 3.x's PostgreSQL
//! connector writes them, delivered to Kafka as JSON_SR (Confluent's `JsonSchemaConverter`) or
//! Kafka Connect JSON.
//!
//! The pieces, in data-flow order:
//!
//! * [`source`] — publication and slot setup, the replication connection, pgoutput row images. The
//!   replication library is `pg_walstream` (why: see that module);
//! * [`catalog`] — what pgoutput does not say (NOT NULL, primary key, defaults, enum labels);
//! * [`types`], [`decimal`], [`temporal`], [`javanum`] — Debezium's type mapping, text value → Connect value;
//! * [`connect`] — the Kafka Connect schema/value model every event is built in first;
//! * [`event`] — Debezium's envelope, `source` block, keys and tombstones;
//! * [`unwrap`] — `ExtractNewRecordState` flattening;
//! * [`format`](mod@format), [`encode`] — `JsonConverter` / `JsonSchemaConverter` bytes (the JSON Schema comes
//!   from `switchyard_schema::json_schema_from_connect`, the port of `JsonSchemaData`);
//! * [`run`](mod@run) — snapshot, streaming, and the delivery rule: the slot's flush LSN moves only after
//!   Kafka acknowledged every record of the transactions before it.
//!
//! Building events as Connect schema + value, as Debezium does, is what lets one event feed all three
//! formats and the flattening without each re-deriving types.

pub mod catalog;
pub mod connect;
pub mod decimal;
pub mod encode;
pub mod error;
pub mod event;
pub mod format;
pub mod javanum;
pub mod run;
pub mod source;
mod stream;
pub mod temporal;
pub mod types;
pub mod unwrap;

pub use connect::{ConnectRecord, ConnectSchema, ConnectType};
pub use encode::Encoder;
pub use error::CaptureError;
pub use event::{Cell, ChangeRecord, EventBuilder, EventConfig, Op, Row, SourcePosition, TableSchemas};
pub use format::Format;
pub use run::{CaptureConfig, Counters, SnapshotHook, SnapshotTick, run};
pub use source::PgConfig;
pub use types::{DecimalHandling, TimePrecision, TypeOptions};
pub use unwrap::{DeleteHandling, UnwrapConfig};

/// The Debezium release whose output this crate reproduces (`source.version`).
pub const DEBEZIUM_VERSION: &str = "3.6.3.Final";

/// Re-exported so callers can stop a capture without depending on `pg_walstream`.
pub use pg_walstream::CancellationToken;
