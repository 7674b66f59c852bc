//! Reading a topic the way kcat does: assigned partitions (no group membership, so a real consumer group is
//! never disturbed), a start position per partition (`beginning`, `end`, an offset, `-N` from the end, or
//! `@timestamp`), and either a bounded read that ends at the end offsets seen when it began, or `follow`.
//!
//! Records come out as [`CaptureRecord`]s, the capture format every other part of Switchyard reads.

use std::collections::BTreeMap;
use std::str::FromStr;
use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::error::KafkaError as RdError;
use rdkafka::message::{BorrowedMessage, Headers, Message};
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::{Offset, TopicPartitionList};
use switchyard_wire::{CaptureRecord, Header};

use crate::client::{CONNECT_TIMEOUT, EdgeContext, KafkaError, consumer, metadata, topic_partitions};
use crate::config::ClientConfig;

/// Where to start reading each partition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartOffset {
    /// The earliest offset still in the log.
    Beginning,
    /// The end: only records produced from now on.
    End,
    /// This absolute offset (clamped to the log's range).
    Offset(i64),
    /// `N` records before the end.
    FromEnd(i64),
    /// The first record at or after this timestamp (ms since the epoch).
    Timestamp(i64),
    /// The group's committed offset (beginning when it has none).
    Committed,
}

impl FromStr for StartOffset {
    type Err = String;
    /// kcat's spelling: `beginning`, `end`, `stored`, `N`, `-N`, `@TIMESTAMP_MS`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("`{s}` is not an offset: use beginning, end, stored, N, -N or @TIMESTAMP_MS");
        Ok(match s {
            "beginning" | "earliest" => StartOffset::Beginning,
            "end" | "latest" => StartOffset::End,
            "stored" | "committed" => StartOffset::Committed,
            _ if s.starts_with('@') => StartOffset::Timestamp(s[1..].parse().map_err(|_| bad())?),
            _ if s.starts_with('-') => StartOffset::FromEnd(s[1..].parse().map_err(|_| bad())?),
            _ => StartOffset::Offset(s.parse().map_err(|_| bad())?),
        })
    }
}

/// What to read.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Topic.
    pub topic: String,
    /// Partitions (all when `None`).
    pub partitions: Option<Vec<i32>>,
    /// Start position.
    pub start: StartOffset,
    /// Stop after this many records.
    pub count: Option<u64>,
    /// Keep reading at the end instead of stopping.
    pub follow: bool,
    /// Commit what was read under this group id (assigned, not subscribed: no rebalance, no disturbance).
    pub group: Option<String>,
    /// Give up on a bounded read when nothing arrives for this long.
    pub idle_timeout: Duration,
}

/// Per-partition range of a bounded read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartitionRange {
    /// Offset reading starts at.
    pub start: i64,
    /// High watermark when reading began: the read ends there.
    pub end: i64,
}

/// An iterator of records from a topic.
pub struct TopicReader {
    consumer: BaseConsumer<EdgeContext>,
    opts: ReadOptions,
    ranges: BTreeMap<i32, PartitionRange>,
    done: BTreeMap<i32, bool>,
    read: u64,
    last_progress: Instant,
    next_commit: BTreeMap<i32, i64>,
}

impl std::fmt::Debug for TopicReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TopicReader")
            .field("opts", &self.opts)
            .field("ranges", &self.ranges)
            .finish()
    }
}

impl TopicReader {
    /// Connect, resolve start offsets and assign the partitions.
    pub fn open(cfg: &ClientConfig, opts: ReadOptions) -> Result<Self, KafkaError> {
        let consumer = consumer(cfg, opts.group.as_deref())?;
        let md = metadata(cfg, &consumer)?;
        let all = topic_partitions(&md, &opts.topic)?;
        let partitions = match &opts.partitions {
            None => all.clone(),
            Some(p) => {
                for id in p {
                    if !all.contains(id) {
                        return Err(KafkaError::UnknownPartition {
                            topic: opts.topic.clone(),
                            partition: *id,
                            count: all.len(),
                        });
                    }
                }
                p.clone()
            }
        };
        let client_err = |context: &str| {
            let context = context.to_string();
            move |source| KafkaError::Client { context, source }
        };
        let committed = match (&opts.start, &opts.group) {
            (StartOffset::Committed, Some(_)) => {
                let mut tpl = TopicPartitionList::new();
                for p in &partitions {
                    tpl.add_partition(&opts.topic, *p);
                }
                Some(
                    consumer
                        .committed_offsets(tpl, CONNECT_TIMEOUT)
                        .map_err(client_err("reading committed offsets"))?,
                )
            }
            _ => None,
        };
        let mut ranges = BTreeMap::new();
        for &p in &partitions {
            let (low, high) = consumer
                .fetch_watermarks(&opts.topic, p, CONNECT_TIMEOUT)
                .map_err(client_err("reading end offsets"))?;
            let start = match opts.start {
                StartOffset::Beginning => low,
                StartOffset::End => high,
                StartOffset::Offset(o) => o.clamp(low, high),
                StartOffset::FromEnd(n) => (high - n).max(low),
                StartOffset::Committed => committed
                    .as_ref()
                    .and_then(|c| c.find_partition(&opts.topic, p))
                    .and_then(|e| match e.offset() {
                        Offset::Offset(o) => Some(o),
                        _ => None,
                    })
                    .unwrap_or(low)
                    .clamp(low, high),
                StartOffset::Timestamp(ts) => {
                    let mut tpl = TopicPartitionList::new();
                    tpl.add_partition_offset(&opts.topic, p, Offset::Offset(ts))
                        .map_err(client_err("looking up offsets by time"))?;
                    let found = consumer
                        .offsets_for_times(tpl, CONNECT_TIMEOUT)
                        .map_err(client_err("looking up offsets by time"))?;
                    match found.find_partition(&opts.topic, p).map(|e| e.offset()) {
                        Some(Offset::Offset(o)) => o,
                        _ => high,
                    }
                }
            };
            ranges.insert(p, PartitionRange { start, end: high });
        }
        let mut tpl = TopicPartitionList::new();
        for (p, r) in &ranges {
            tpl.add_partition_offset(&opts.topic, *p, Offset::Offset(r.start))
                .map_err(client_err("assigning partitions"))?;
        }
        consumer
            .assign(&tpl)
            .map_err(client_err("assigning partitions"))?;
        let done = ranges
            .iter()
            .map(|(p, r)| (*p, !opts.follow && r.start >= r.end))
            .collect();
        Ok(TopicReader {
            consumer,
            opts,
            ranges,
            done,
            read: 0,
            last_progress: Instant::now(),
            next_commit: BTreeMap::new(),
        })
    }

    /// The range each partition is read over.
    pub fn ranges(&self) -> &BTreeMap<i32, PartitionRange> {
        &self.ranges
    }

    /// How many records a bounded read will return at most (`None` when following).
    pub fn expected(&self) -> Option<u64> {
        if self.opts.follow {
            return self.opts.count;
        }
        let in_range: i64 = self.ranges.values().map(|r| (r.end - r.start).max(0)).sum();
        let in_range = in_range as u64;
        Some(self.opts.count.map_or(in_range, |c| c.min(in_range)))
    }

    fn finished(&self) -> bool {
        self.opts.count.is_some_and(|c| self.read >= c)
            || (!self.opts.follow && self.done.values().all(|d| *d))
    }

    /// Commit the offsets after the records returned so far, when reading under a group.
    pub fn commit(&mut self) -> Result<(), KafkaError> {
        if self.opts.group.is_none() || self.next_commit.is_empty() {
            return Ok(());
        }
        let mut tpl = TopicPartitionList::new();
        for (p, o) in &self.next_commit {
            tpl.add_partition_offset(&self.opts.topic, *p, Offset::Offset(*o))
                .map_err(|source| KafkaError::Client {
                    context: "committing offsets".into(),
                    source,
                })?;
        }
        self.consumer
            .commit(&tpl, CommitMode::Sync)
            .map_err(|source| KafkaError::Client {
                context: "committing offsets".into(),
                source,
            })
    }

    /// Account for a record; `false` when it lies past the end of a bounded read.
    fn accept(&mut self, partition: i32, offset: i64) -> bool {
        let Some(range) = self.ranges.get(&partition).copied() else {
            return false;
        };
        if !self.opts.follow && offset >= range.end {
            self.done.insert(partition, true);
            return false;
        }
        if !self.opts.follow && offset + 1 >= range.end {
            self.done.insert(partition, true);
        }
        self.next_commit.insert(partition, offset + 1);
        true
    }
}

/// A consumed message as a capture record.
pub fn to_capture(m: &BorrowedMessage<'_>) -> CaptureRecord {
    let headers = m
        .headers()
        .map(|hs| {
            hs.iter()
                .map(|h| Header {
                    name: h.key.to_string(),
                    value: h.value.map(<[u8]>::to_vec),
                })
                .collect()
        })
        .unwrap_or_default();
    CaptureRecord {
        topic: m.topic().to_string(),
        partition: m.partition(),
        offset: m.offset(),
        timestamp: m.timestamp().to_millis(),
        key: m.key().map(<[u8]>::to_vec),
        value: m.payload().map(<[u8]>::to_vec),
        headers,
    }
}

impl Iterator for TopicReader {
    type Item = Result<CaptureRecord, KafkaError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.finished() {
                return None;
            }
            match self.consumer.poll(Duration::from_millis(200)) {
                None => {
                    if !self.opts.follow && self.last_progress.elapsed() > self.opts.idle_timeout {
                        let waiting: Vec<String> = self
                            .done
                            .iter()
                            .filter(|(_, d)| !**d)
                            .map(|(p, _)| p.to_string())
                            .collect();
                        return Some(Err(KafkaError::Client {
                            context: format!(
                                "no records arrived for {}s from partitions {} of `{}` before their end offsets",
                                self.opts.idle_timeout.as_secs(),
                                waiting.join(", "),
                                self.opts.topic
                            ),
                            source: RdError::MessageConsumption(RDKafkaErrorCode::OperationTimedOut),
                        }));
                    }
                }
                Some(Err(RdError::PartitionEOF(p))) => {
                    self.last_progress = Instant::now();
                    if !self.opts.follow {
                        self.done.insert(p, true);
                    }
                }
                Some(Err(source)) => {
                    return Some(Err(KafkaError::Client {
                        context: "consuming".into(),
                        source,
                    }));
                }
                Some(Ok(m)) => {
                    let record = to_capture(&m);
                    drop(m);
                    self.last_progress = Instant::now();
                    if self.accept(record.partition, record.offset) {
                        self.read += 1;
                        return Some(Ok(record));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_parse_like_kcat() {
        assert_eq!("beginning".parse(), Ok(StartOffset::Beginning));
        assert_eq!("end".parse(), Ok(StartOffset::End));
        assert_eq!("42".parse(), Ok(StartOffset::Offset(42)));
        assert_eq!("-10".parse(), Ok(StartOffset::FromEnd(10)));
        assert_eq!(
            "@1700000000000".parse(),
            Ok(StartOffset::Timestamp(1_700_000_000_000))
        );
        assert!("soon".parse::<StartOffset>().is_err());
    }
}
