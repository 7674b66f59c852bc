//! Building librdkafka clients from a [`ClientConfig`] and turning librdkafka's failures into errors a person
//! can act on: an unreachable broker within a bounded time (not a hang), an authentication failure naming
//! the settings to check, an unknown topic with the similar names that do exist.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rdkafka::ClientContext;
use rdkafka::config::RDKafkaLogLevel;
use rdkafka::consumer::{BaseConsumer, Consumer, ConsumerContext};
use rdkafka::error::KafkaError as RdError;
use rdkafka::metadata::Metadata;
use rdkafka::types::RDKafkaErrorCode;

use crate::config::{ClientConfig, ConfigError};

/// How long a first contact with the cluster may take before we call the broker unreachable.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Errors from the Kafka edge.
#[derive(Debug, thiserror::Error)]
pub enum KafkaError {
    /// The configuration could not be read.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// No bootstrap servers were given.
    #[error("no Kafka brokers configured")]
    NoBootstrap,
    /// librdkafka rejected a setting.
    #[error("invalid client setting: {0}")]
    InvalidSetting(String),
    /// Nothing answered in time.
    #[error("no broker at `{bootstrap}` answered within {secs}s{detail}")]
    Unreachable {
        /// The bootstrap servers tried.
        bootstrap: String,
        /// Seconds waited.
        secs: u64,
        /// The last transport error seen, if any (`: …`).
        detail: String,
    },
    /// SASL/SSL authentication failed.
    #[error("authentication to `{bootstrap}` failed: {detail}")]
    Auth {
        /// The bootstrap servers.
        bootstrap: String,
        /// librdkafka's message.
        detail: String,
    },
    /// The topic does not exist.
    #[error("topic `{topic}` does not exist")]
    UnknownTopic {
        /// The topic asked for.
        topic: String,
        /// Existing topics with similar names, closest first.
        similar: Vec<String>,
    },
    /// The partition does not exist.
    #[error("topic `{topic}` has no partition {partition} (it has {count})")]
    UnknownPartition {
        /// The topic.
        topic: String,
        /// The partition asked for.
        partition: i32,
        /// How many it has.
        count: usize,
    },
    /// `--exactly-once` was asked for and the cluster cannot run transactions.
    #[error("the cluster at `{bootstrap}` refused Kafka transactions: {detail}")]
    TransactionsUnsupported {
        /// The bootstrap servers.
        bootstrap: String,
        /// librdkafka's message.
        detail: String,
    },
    /// Any other client failure.
    #[error("{context}: {source}")]
    Client {
        /// What we were doing.
        context: String,
        /// librdkafka's error.
        source: RdError,
    },
}

impl KafkaError {
    /// What the user can do about it, if we know.
    pub fn hint(&self) -> Option<String> {
        match self {
            KafkaError::NoBootstrap => {
                Some("pass `-b host:port`, or `--config client.properties` with bootstrap.servers".into())
            }
            KafkaError::Unreachable { .. } => Some(
                "check the address and port, that the broker is running, and `security.protocol` (SASL_SSL for Confluent Cloud)"
                    .into(),
            ),
            KafkaError::Auth { .. } => Some(
                "check `sasl.username` / `sasl.password` (or `sasl.jaas.config`), `sasl.mechanisms` and `security.protocol` in your client.properties"
                    .into(),
            ),
            KafkaError::UnknownTopic { similar, .. } if !similar.is_empty() => Some(format!(
                "topics with similar names: {}",
                similar.iter().map(|t| format!("`{t}`")).collect::<Vec<_>>().join(", ")
            )),
            KafkaError::UnknownTopic { .. } => Some("list topics with `switchyard tail --list`".into()),
            KafkaError::TransactionsUnsupported { .. } => Some(
                "exactly-once needs a broker with transactions (Kafka 2.5+, Confluent Cloud); run without --exactly-once for at-least-once delivery, or check `transaction.timeout.ms` against the broker's `transaction.max.timeout.ms`"
                    .into(),
            ),
            _ => None,
        }
    }

    /// Whether retrying later may help (broker down, timeouts), as opposed to bad input or settings.
    pub fn is_transient(&self) -> bool {
        match self {
            KafkaError::Unreachable { .. } => true,
            KafkaError::Client { source, .. } => matches!(
                source.rdkafka_error_code(),
                Some(
                    RDKafkaErrorCode::BrokerTransportFailure
                        | RDKafkaErrorCode::AllBrokersDown
                        | RDKafkaErrorCode::OperationTimedOut
                        | RDKafkaErrorCode::RequestTimedOut
                        | RDKafkaErrorCode::NotLeaderForPartition
                        | RDKafkaErrorCode::LeaderNotAvailable
                        | RDKafkaErrorCode::NetworkException
                        | RDKafkaErrorCode::QueueFull
                )
            ),
            _ => false,
        }
    }
}

/// Client context that remembers the last error librdkafka reported out of band (transport and
/// authentication failures arrive there, not as the result of a call) and routes its logs to `tracing`.
///
/// Cloning shares the memory, so a caller can keep a handle after handing the context to librdkafka.
#[derive(Debug, Default, Clone)]
pub struct EdgeContext {
    last_error: Arc<Mutex<Option<OutOfBandError>>>,
}

/// An error librdkafka reported through the error callback: its code (if any) and reason.
pub type OutOfBandError = (Option<RDKafkaErrorCode>, String);

impl EdgeContext {
    /// The last out-of-band error, if any.
    pub fn last_error(&self) -> Option<OutOfBandError> {
        self.last_error.lock().ok().and_then(|g| g.clone())
    }
}

impl ClientContext for EdgeContext {
    fn log(&self, level: RDKafkaLogLevel, fac: &str, message: &str) {
        match level {
            RDKafkaLogLevel::Emerg
            | RDKafkaLogLevel::Alert
            | RDKafkaLogLevel::Critical
            | RDKafkaLogLevel::Error => {
                tracing::debug!(target: "librdkafka", "{fac}: {message}")
            }
            _ => tracing::trace!(target: "librdkafka", "{fac}: {message}"),
        }
    }

    fn error(&self, error: RdError, reason: &str) {
        tracing::debug!(target: "librdkafka", "error: {error}: {reason}");
        if let Ok(mut g) = self.last_error.lock() {
            *g = Some((error.rdkafka_error_code(), reason.to_string()));
        }
    }
}

impl ConsumerContext for EdgeContext {}

/// librdkafka settings from our configuration, with Switchyard's defaults under the user's.
pub fn rdkafka_config(cfg: &ClientConfig) -> Result<rdkafka::ClientConfig, KafkaError> {
    if cfg.bootstrap().is_none_or(str::is_empty) {
        return Err(KafkaError::NoBootstrap);
    }
    let (props, notes) = cfg.kafka_properties()?;
    for note in notes {
        tracing::debug!("{note}");
    }
    let mut out = rdkafka::ClientConfig::new();
    for (k, v) in props {
        out.set(k, v);
    }
    out.set_log_level(RDKafkaLogLevel::Warning);
    Ok(out)
}

/// Map a failed metadata call (the first contact) to a helpful error.
pub fn contact_error(cfg: &ClientConfig, ctx: &EdgeContext, source: RdError) -> KafkaError {
    let bootstrap = cfg.bootstrap().unwrap_or_default().to_string();
    let last = ctx.last_error();
    if let Some((Some(code), reason)) = &last
        && matches!(
            code,
            RDKafkaErrorCode::Authentication | RDKafkaErrorCode::SaslAuthenticationFailed
        )
    {
        return KafkaError::Auth {
            bootstrap,
            detail: reason.clone(),
        };
    }
    match source.rdkafka_error_code() {
        Some(
            RDKafkaErrorCode::OperationTimedOut
            | RDKafkaErrorCode::AllBrokersDown
            | RDKafkaErrorCode::BrokerTransportFailure,
        ) => KafkaError::Unreachable {
            bootstrap,
            secs: CONNECT_TIMEOUT.as_secs(),
            detail: last
                .map(|(_, r)| format!(" (last error: {r})"))
                .unwrap_or_default(),
        },
        _ => KafkaError::Client {
            context: "fetching cluster metadata".into(),
            source,
        },
    }
}

/// Fetch settings of every consumer Switchyard builds, where `cfg` does not set them.
pub(crate) fn consumer_defaults(cfg: &ClientConfig, c: &mut rdkafka::ClientConfig) {
    // Big enough for a backlog on brokers that ignore fetch size limits.
    if cfg.get("receive.message.max.bytes").is_none() {
        c.set("receive.message.max.bytes", "1000000000");
    }
    // Once a partition's prefetched records reach librdkafka's threshold (`queued.min.messages`,
    // 100000), its next fetch waits `fetch.queue.backoff.ms` — 1 s by default. A consumer that does real
    // work per record drains 100000 records well within that second and then sits idle: `run` on nisshi
    // spent about half of an 800k-record run waiting (7.1 s; 3.5 s with 10 ms). librdkafka's documentation
    // gives this advice for "long (~1s) delays between messages".
    if cfg.get("fetch.queue.backoff.ms").is_none() {
        c.set("fetch.queue.backoff.ms", "10");
    }
}

/// A consumer that never joins a group (no `group.id` unless given) and never commits unless asked.
pub fn consumer(cfg: &ClientConfig, group: Option<&str>) -> Result<BaseConsumer<EdgeContext>, KafkaError> {
    let mut c = rdkafka_config(cfg)?;
    c.set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false");
    c.set("enable.partition.eof", "true");
    consumer_defaults(cfg, &mut c);
    match group {
        Some(g) => c.set("group.id", g),
        None => c.set("group.id", format!("switchyard-tail-{}", std::process::id())),
    };
    c.create_with_context(EdgeContext::default())
        .map_err(|e| KafkaError::InvalidSetting(e.to_string()))
}

/// Cluster metadata, with a bounded wait and helpful errors.
pub fn metadata(cfg: &ClientConfig, consumer: &BaseConsumer<EdgeContext>) -> Result<Metadata, KafkaError> {
    consumer
        .fetch_metadata(None, CONNECT_TIMEOUT)
        .map_err(|e| contact_error(cfg, consumer.context(), e))
}

/// The partitions of `topic`, or `UnknownTopic` with similar names.
pub fn topic_partitions(metadata: &Metadata, topic: &str) -> Result<Vec<i32>, KafkaError> {
    match metadata.topics().iter().find(|t| t.name() == topic) {
        Some(t) if t.error().is_none() => {
            let mut p: Vec<i32> = t.partitions().iter().map(|p| p.id()).collect();
            p.sort_unstable();
            Ok(p)
        }
        _ => Err(KafkaError::UnknownTopic {
            topic: topic.to_string(),
            similar: similar_names(topic, metadata.topics().iter().map(|t| t.name())),
        }),
    }
}

/// Names within a small edit distance of `wanted` (ignoring case and `-`/`_`/`.` differences), closest first.
pub fn similar_names<'a>(wanted: &str, names: impl Iterator<Item = &'a str>) -> Vec<String> {
    let norm = |s: &str| s.to_lowercase().replace(['-', '_', '.'], "");
    let w = norm(wanted);
    let mut scored: Vec<(usize, String)> = names
        .filter(|n| !n.starts_with("__"))
        .map(|n| (edit_distance(&w, &norm(n)), n.to_string()))
        .filter(|(d, n)| *d <= (wanted.len() / 3).max(2) || n.contains(wanted) || wanted.contains(n.as_str()))
        .collect();
    scored.sort();
    scored.into_iter().take(5).map(|(_, n)| n).collect()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn similar_topic_names() {
        let names = [
            "raw-business-events",
            "loan-events",
            "raw_business_events_v2",
            "__consumer_offsets",
        ];
        assert_eq!(
            similar_names("raw_business_events", names.into_iter()),
            ["raw-business-events", "raw_business_events_v2"]
        );
        assert!(similar_names("payments", names.into_iter()).is_empty());
    }

    /// Consumers do not wait librdkafka's default second before fetching again once their prefetch
    /// threshold was reached; a setting the user gives wins.
    #[test]
    fn consumers_fetch_again_soon_unless_told_otherwise() {
        let mut c = rdkafka::ClientConfig::new();
        consumer_defaults(&ClientConfig::new(), &mut c);
        assert_eq!(c.get("fetch.queue.backoff.ms"), Some("10"));
        assert_eq!(c.get("receive.message.max.bytes"), Some("1000000000"));

        let mut user = ClientConfig::new();
        user.set("bootstrap.servers", "127.0.0.1:9092")
            .set("fetch.queue.backoff.ms", "500");
        let mut c = rdkafka_config(&user).unwrap();
        consumer_defaults(&user, &mut c);
        assert_eq!(c.get("fetch.queue.backoff.ms"), Some("500"));
    }
}
