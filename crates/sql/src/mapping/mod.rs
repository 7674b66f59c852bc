//! Mapping between registry schemas (JSON Schema with Kafka Connect annotations) and Flink SQL types and
//! values (being implemented).
