//! Switchyard's Kafka edge, on librdkafka: Confluent-style client configuration, a kcat-like topic reader
//! and an idempotent producer with many records in flight. Every command that talks to Kafka goes through it.

pub mod client;
pub mod config;
pub mod consume;
pub mod group;
pub mod produce;

pub use client::{KafkaError, similar_names};
pub use config::{ClientConfig, ConfigError};
pub use consume::{PartitionRange, ReadOptions, StartOffset, TopicReader};
pub use group::{GroupConsumer, RevokeHook, Startup, commit_with};
pub use produce::{Delivered, OutRecord, Outcome, Producer, Transactions};
