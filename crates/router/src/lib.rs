//! The routing runtime behind `switchyard run`.
//!
//! Data flows one way: Kafka bytes → frame → JSON → row (with Flink change kinds) → per statement
//! filter and projection → row → JSON → frame → bytes. Every record that cannot make the trip goes to the
//! dead-letter topic with its reason; offsets are committed only past records whose every output was
//! acknowledged.

pub mod error;
pub mod metrics;
pub mod run;
mod send;
pub mod sink;
pub mod source;
pub mod track;

pub use error::{Failure, RecordError, Stage};
pub use metrics::Metrics;
pub use run::{Router, RunError, RunOptions};
