//! A consumer-group member for long-running pipelines: subscribes (so several instances with one group id
//! share the partitions), never auto-commits, and hands revoked partitions to a callback that commits what
//! is safe before another member takes them over.
//!
//! Where a partition starts when the group has no committed offset is Flink's `scan.startup.mode`:
//! `earliest-offset` and `latest-offset` through `auto.offset.reset`; `timestamp` and `specific-offsets`
//! by committing the resolved start offsets for the group before subscribing. Once the group has committed
//! offsets they win on restart, as a Flink job restoring from its checkpoint does.

use std::sync::Arc;
use std::time::Duration;

use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer, ConsumerContext, Rebalance, StreamConsumer};
use rdkafka::{ClientContext, Offset, TopicPartitionList};

use crate::client::{
    CONNECT_TIMEOUT, EdgeContext, KafkaError, consumer_defaults, contact_error, rdkafka_config,
    topic_partitions,
};
use crate::config::ClientConfig;

/// Called with the partitions being revoked (topic, partition) and the consumer, before they go.
pub type RevokeHook = Arc<dyn Fn(&BaseConsumer<GroupContext>, &[(String, i32)]) + Send + Sync>;

/// Where to start partitions the group has no committed offset for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Startup {
    /// The earliest offset.
    Earliest,
    /// The end.
    Latest,
    /// The group's committed offsets; `earliest` when there are none.
    GroupOffsets,
    /// The first record at or after this timestamp (ms).
    Timestamp(i64),
    /// These offsets per partition; others from the earliest.
    Specific(Vec<(i32, i64)>),
}

/// Consumer context: librdkafka's out-of-band errors plus the revoke hook.
pub struct GroupContext {
    edge: EdgeContext,
    on_revoke: RevokeHook,
}

impl std::fmt::Debug for GroupContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupContext").finish_non_exhaustive()
    }
}

impl ClientContext for GroupContext {
    fn log(&self, level: rdkafka::config::RDKafkaLogLevel, fac: &str, message: &str) {
        self.edge.log(level, fac, message);
    }

    fn error(&self, error: rdkafka::error::KafkaError, reason: &str) {
        self.edge.error(error, reason);
    }
}

impl ConsumerContext for GroupContext {
    fn pre_rebalance(&self, consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        match rebalance {
            Rebalance::Revoke(tpl) => {
                let parts: Vec<(String, i32)> = tpl
                    .elements()
                    .iter()
                    .map(|e| (e.topic().to_string(), e.partition()))
                    .collect();
                tracing::info!(partitions = ?parts, "partitions revoked");
                (self.on_revoke)(consumer, &parts);
            }
            Rebalance::Assign(tpl) => {
                let parts: Vec<(String, i32)> = tpl
                    .elements()
                    .iter()
                    .map(|e| (e.topic().to_string(), e.partition()))
                    .collect();
                tracing::info!(partitions = ?parts, "partitions assigned");
            }
            Rebalance::Error(e) => tracing::warn!("rebalance error: {e}"),
        }
    }
}

/// A subscribed group member.
pub struct GroupConsumer {
    /// The librdkafka consumer (`recv()` for messages).
    pub consumer: StreamConsumer<GroupContext>,
}

impl std::fmt::Debug for GroupConsumer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupConsumer").finish_non_exhaustive()
    }
}

impl GroupConsumer {
    /// Join `group` on `topics`, applying `startup` where the group has no committed offsets.
    pub fn subscribe(
        cfg: &ClientConfig,
        group: &str,
        topics: &[&str],
        startup: &Startup,
        on_revoke: RevokeHook,
    ) -> Result<Self, KafkaError> {
        let mut c = rdkafka_config(cfg)?;
        c.set("group.id", group)
            .set("enable.auto.commit", "false")
            .set("enable.auto.offset.store", "false");
        consumer_defaults(cfg, &mut c);
        let reset = match startup {
            Startup::Latest => "latest",
            _ => "earliest",
        };
        if cfg.get("auto.offset.reset").is_none() {
            c.set("auto.offset.reset", reset);
        }
        let edge = EdgeContext::default();
        let consumer: StreamConsumer<GroupContext> = c
            .create_with_context(GroupContext {
                edge: edge.clone(),
                on_revoke,
            })
            .map_err(|e| KafkaError::InvalidSetting(e.to_string()))?;
        let md = consumer
            .fetch_metadata(None, CONNECT_TIMEOUT)
            .map_err(|e| contact_error(cfg, &edge, e))?;
        for topic in topics {
            let partitions = topic_partitions(&md, topic)?;
            if matches!(startup, Startup::Timestamp(_) | Startup::Specific(_)) {
                initialise_offsets(&consumer, topic, &partitions, startup)?;
            }
        }
        consumer.subscribe(topics).map_err(|source| KafkaError::Client {
            context: "subscribing".into(),
            source,
        })?;
        Ok(GroupConsumer { consumer })
    }

    /// Commit `(topic, partition, next offset)` positions synchronously.
    pub fn commit(&self, offsets: &[(String, i32, i64)]) -> Result<(), KafkaError> {
        commit_with(&self.consumer, offsets)
    }

    /// The committed offsets and high watermarks of the assigned partitions: (topic, partition, lag).
    pub fn lag(&self) -> Vec<(String, i32, i64)> {
        let Ok(assignment) = self.consumer.assignment() else {
            return Vec::new();
        };
        let position = self.consumer.position().ok();
        let mut out = Vec::new();
        for e in assignment.elements() {
            let Ok((_, high)) =
                self.consumer
                    .fetch_watermarks(e.topic(), e.partition(), Duration::from_secs(2))
            else {
                continue;
            };
            let pos = position
                .as_ref()
                .and_then(|p| p.find_partition(e.topic(), e.partition()))
                .and_then(|p| match p.offset() {
                    Offset::Offset(o) => Some(o),
                    _ => None,
                });
            if let Some(pos) = pos {
                out.push((e.topic().to_string(), e.partition(), (high - pos).max(0)));
            }
        }
        out
    }
}

/// Commit positions through any consumer of the group (the rebalance callback has only the base consumer).
pub fn commit_with<C: ConsumerContext + 'static, K: Consumer<C>>(
    consumer: &K,
    offsets: &[(String, i32, i64)],
) -> Result<(), KafkaError> {
    if offsets.is_empty() {
        return Ok(());
    }
    let tpl = partition_list(offsets).map_err(|source| KafkaError::Client {
        context: "committing offsets".into(),
        source,
    })?;
    consumer
        .commit(&tpl, CommitMode::Sync)
        .map_err(|source| KafkaError::Client {
            context: "committing offsets".into(),
            source,
        })
}

/// `(topic, partition, offset)` positions as a librdkafka partition list.
pub(crate) fn partition_list(
    offsets: &[(String, i32, i64)],
) -> Result<TopicPartitionList, rdkafka::error::KafkaError> {
    let mut tpl = TopicPartitionList::new();
    for (t, p, o) in offsets {
        tpl.add_partition_offset(t, *p, Offset::Offset(*o))?;
    }
    Ok(tpl)
}

/// Commit resolved start offsets for partitions the group has not committed yet.
fn initialise_offsets(
    consumer: &StreamConsumer<GroupContext>,
    topic: &str,
    partitions: &[i32],
    startup: &Startup,
) -> Result<(), KafkaError> {
    let err = |context: &str| {
        let context = context.to_string();
        move |source| KafkaError::Client { context, source }
    };
    let mut ask = TopicPartitionList::new();
    for p in partitions {
        ask.add_partition(topic, *p);
    }
    let committed = consumer
        .committed_offsets(ask, CONNECT_TIMEOUT)
        .map_err(err("reading committed offsets"))?;
    let mut start = Vec::new();
    for &p in partitions {
        let has = committed
            .find_partition(topic, p)
            .is_some_and(|e| matches!(e.offset(), Offset::Offset(_)));
        if has {
            continue;
        }
        let (low, high) = consumer
            .fetch_watermarks(topic, p, CONNECT_TIMEOUT)
            .map_err(err("reading end offsets"))?;
        let offset = match startup {
            Startup::Timestamp(ts) => {
                let mut tpl = TopicPartitionList::new();
                tpl.add_partition_offset(topic, p, Offset::Offset(*ts))
                    .map_err(err("offsets by time"))?;
                let found = consumer
                    .offsets_for_times(tpl, CONNECT_TIMEOUT)
                    .map_err(err("offsets by time"))?;
                match found.find_partition(topic, p).map(|e| e.offset()) {
                    Some(Offset::Offset(o)) => o,
                    _ => high,
                }
            }
            Startup::Specific(list) => list
                .iter()
                .find(|(q, _)| *q == p)
                .map_or(low, |(_, o)| (*o).clamp(low, high)),
            _ => continue,
        };
        start.push((topic.to_string(), p, offset));
    }
    commit_with(consumer, &start)
}
