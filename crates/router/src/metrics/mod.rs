//! The router's counters, with fixed label sets so cardinality stays bounded, rendered as Prometheus text
//! for `/metrics` and as JSON for the dashboard (`/api/stats`).
//!
//! Every outcome of a record is counted somewhere: read, written per statement and sink, dead-lettered by
//! stage and code, skipped on purpose (tombstones), ignored by `'error-handling.mode' = 'ignore'`.
//!
//! The per-record counts (records in per source, out and filtered per statement) go through [`Counter`]
//! handles resolved once, when the pipeline is built: one relaxed atomic add per count. Other counters
//! are found under a read lock by a linear scan of a short list (a handful of sources, statements and
//! sinks): no allocation and no exclusive lock once a label set has been seen. Label sets are only ever
//! appended, so a counter's index is stable, which lets throughput samples be plain vectors of counts.

mod prometheus;
mod snapshot;

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant, SystemTime};

use serde::Serialize;
use switchyard_registry::RegistryClient;

/// A dead letter kept for display (the last few).
#[derive(Debug, Clone, Serialize)]
pub struct DeadLetterSample {
    /// Stage.
    pub stage: String,
    /// Code.
    pub code: String,
    /// Message.
    pub message: String,
    /// Source topic, partition and offset.
    pub source: String,
    /// The key, shown as text or hex.
    pub key: String,
}

/// How many dead letters are kept for display.
const MAX_SAMPLES: usize = 20;
/// How many throughput samples (one a second) are kept: the dashboard's sparkline.
const MAX_HISTORY: usize = 120;
/// Upper bounds of the commit-latency histogram buckets, in seconds.
const COMMIT_BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

/// One counter of a metric, held by the code that counts (see the module docs).
#[derive(Debug, Clone, Default)]
pub struct Counter(Arc<AtomicU64>);

impl Counter {
    /// Count one.
    pub fn inc(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

/// A statement's per-record counters (see [`Metrics::register_statement`]).
#[derive(Debug, Clone, Default)]
pub struct StatementCounters {
    /// Rows written to the sink.
    pub written: Counter,
    /// Rows its WHERE dropped.
    pub filtered: Counter,
}

/// Counters of one metric, one per label set, in the order the label sets were first seen.
#[derive(Debug)]
struct Family<K> {
    entries: RwLock<Vec<(K, Counter)>>,
}

impl<K> Default for Family<K> {
    fn default() -> Self {
        Family {
            entries: RwLock::new(Vec::new()),
        }
    }
}

impl<K: Clone> Family<K> {
    /// The counter whose labels satisfy `is`, created with `make()` (at zero) the first time.
    fn counter(&self, is: impl Fn(&K) -> bool, make: impl FnOnce() -> K) -> Counter {
        if let Ok(entries) = self.entries.read()
            && let Some((_, c)) = entries.iter().find(|(k, _)| is(k))
        {
            return c.clone();
        }
        match self.entries.write() {
            Ok(mut entries) => match entries.iter().find(|(k, _)| is(k)) {
                Some((_, c)) => c.clone(),
                None => {
                    let c = Counter::default();
                    entries.push((make(), c.clone()));
                    c
                }
            },
            // A panic elsewhere poisoned the list: count into a counter nobody shows.
            Err(_) => Counter::default(),
        }
    }

    /// Add `n` to the counter whose labels satisfy `is`, creating it with `make()` the first time.
    fn add(&self, n: u64, is: impl Fn(&K) -> bool, make: impl FnOnce() -> K) {
        self.counter(is, make).0.fetch_add(n, Ordering::Relaxed);
    }

    fn values(&self) -> Vec<(K, u64)> {
        self.entries
            .read()
            .map(|e| {
                e.iter()
                    .map(|(k, c)| (k.clone(), c.0.load(Ordering::Relaxed)))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn counts(&self) -> Vec<u64> {
        self.entries
            .read()
            .map(|e| e.iter().map(|(_, c)| c.0.load(Ordering::Relaxed)).collect())
            .unwrap_or_default()
    }
}

/// A histogram of durations with fixed buckets, plus the last and largest value.
#[derive(Debug, Default)]
struct Histogram {
    /// Observations per bucket (not cumulative); the last slot is above every bound.
    buckets: [AtomicU64; COMMIT_BUCKETS.len() + 1],
    count: AtomicU64,
    sum_nanos: AtomicU64,
    last_nanos: AtomicU64,
    max_nanos: AtomicU64,
}

impl Histogram {
    fn observe(&self, d: Duration) {
        let secs = d.as_secs_f64();
        let slot = COMMIT_BUCKETS
            .iter()
            .position(|le| secs <= *le)
            .unwrap_or(COMMIT_BUCKETS.len());
        let nanos = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        self.buckets[slot].fetch_add(1, Ordering::Relaxed);
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_nanos.fetch_add(nanos, Ordering::Relaxed);
        self.last_nanos.store(nanos, Ordering::Relaxed);
        self.max_nanos.fetch_max(nanos, Ordering::Relaxed);
    }

    /// Cumulative counts per bucket bound, `+Inf` last.
    fn cumulative(&self) -> Vec<u64> {
        let mut total = 0;
        self.buckets
            .iter()
            .map(|b| {
                total += b.load(Ordering::Relaxed);
                total
            })
            .collect()
    }
}

/// One statement as the pipeline was built: where it reads and writes.
#[derive(Debug, Clone)]
struct StatementInfo {
    index: usize,
    source: String,
    sink: String,
}

/// The counts at one moment, aligned with the families' entries.
#[derive(Debug)]
struct Sample {
    at: Instant,
    records_in: Vec<u64>,
    records_out: Vec<u64>,
}

/// Consumer lag by partition, and which partitions each consumer reported last.
#[derive(Debug, Default)]
struct Lag {
    by_partition: BTreeMap<(String, i32), i64>,
    reported: BTreeMap<usize, Vec<(String, i32)>>,
}

/// All of the router's counters.
#[derive(Debug)]
pub struct Metrics {
    started: Instant,
    started_at: SystemTime,
    registry: Option<RegistryClient>,
    statements: RwLock<Vec<StatementInfo>>,
    records_in: Family<String>,
    records_out: Family<(usize, String)>,
    filtered: Family<usize>,
    dead_letters: Family<(String, String)>,
    skipped: Family<String>,
    ignored: Family<String>,
    commits: AtomicU64,
    commit_latency: Histogram,
    retries: AtomicU64,
    lag: Mutex<Lag>,
    samples: Mutex<VecDeque<(SystemTime, DeadLetterSample)>>,
    history: Mutex<VecDeque<Sample>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new(None)
    }
}

impl Metrics {
    /// Counters for a pipeline; with a registry client, its id cache's hits and misses are reported too.
    pub fn new(registry: Option<RegistryClient>) -> Self {
        Metrics {
            started: Instant::now(),
            started_at: SystemTime::now(),
            registry,
            statements: RwLock::new(Vec::new()),
            records_in: Family::default(),
            records_out: Family::default(),
            filtered: Family::default(),
            dead_letters: Family::default(),
            skipped: Family::default(),
            ignored: Family::default(),
            commits: AtomicU64::new(0),
            commit_latency: Histogram::default(),
            retries: AtomicU64::new(0),
            lag: Mutex::new(Lag::default()),
            samples: Mutex::new(VecDeque::new()),
            history: Mutex::new(VecDeque::new()),
        }
    }

    /// Declare statement `statement`, reading `source` and writing `sink`, so that it is shown (with
    /// zeros) before its first record; returns its counters.
    pub fn register_statement(&self, statement: usize, source: &str, sink: &str) -> StatementCounters {
        if let Ok(mut s) = self.statements.write() {
            s.push(StatementInfo {
                index: statement,
                source: source.to_string(),
                sink: sink.to_string(),
            });
        }
        // Creating the source's counter is what shows it.
        self.records_in_counter(source);
        self.statement_counters(statement, sink)
    }

    /// The counter of records read from `source`.
    pub fn records_in_counter(&self, source: &str) -> Counter {
        self.records_in.counter(|k| k == source, || source.to_string())
    }

    /// The counters of statement `statement`'s rows written to `sink` and dropped by its WHERE.
    pub fn statement_counters(&self, statement: usize, sink: &str) -> StatementCounters {
        StatementCounters {
            written: self.records_out.counter(
                |(st, s)| *st == statement && s == sink,
                || (statement, sink.to_string()),
            ),
            filtered: self.filtered.counter(|k| *k == statement, || statement),
        }
    }

    /// A record was dead-lettered.
    pub fn dead_letter(&self, sample: DeadLetterSample) {
        self.dead_letters.add(
            1,
            |(stage, code)| *stage == sample.stage && *code == sample.code,
            || (sample.stage.clone(), sample.code.clone()),
        );
        if let Ok(mut samples) = self.samples.lock() {
            if samples.len() == MAX_SAMPLES {
                samples.pop_front();
            }
            samples.push_back((SystemTime::now(), sample));
        }
    }

    /// A record produced no rows on purpose.
    pub fn skipped(&self, reason: &str) {
        self.skipped.add(1, |k| k == reason, || reason.to_string());
    }

    /// A bad record was dropped because the table says `'error-handling.mode' = 'ignore'`.
    pub fn ignored(&self, code: &str) {
        self.ignored.add(1, |k| k == code, || code.to_string());
    }

    /// Offsets were committed; the commit took `took`.
    pub fn committed(&self, took: Duration) {
        self.commits.fetch_add(1, Ordering::Relaxed);
        self.commit_latency.observe(took);
    }

    /// A transient failure was retried.
    pub fn retried(&self) {
        self.retries.fetch_add(1, Ordering::Relaxed);
    }

    /// Consumer lag per partition, as one consumer (`member`: each source's consumers are numbered
    /// apart) sees it for the partitions it holds now; what it reported before is replaced.
    pub fn set_lag(&self, member: usize, lag: &[(String, i32, i64)]) {
        if let Ok(mut l) = self.lag.lock() {
            let Lag {
                by_partition,
                reported,
            } = &mut *l;
            for key in reported.remove(&member).unwrap_or_default() {
                by_partition.remove(&key);
            }
            let mut keys = Vec::with_capacity(lag.len());
            for (t, p, n) in lag {
                by_partition.insert((t.clone(), *p), *n);
                keys.push((t.clone(), *p));
            }
            reported.insert(member, keys);
        }
    }

    /// Total dead letters so far.
    pub fn dead_letters_total(&self) -> u64 {
        self.dead_letters.counts().iter().sum()
    }

    /// Total records read so far.
    pub fn records_in_total(&self) -> u64 {
        self.records_in.counts().iter().sum()
    }

    /// Record the counts now, for rates and the throughput history; call it about once a second.
    pub fn sample(&self) {
        let sample = Sample {
            at: Instant::now(),
            records_in: self.records_in.counts(),
            records_out: self.records_out.counts(),
        };
        if let Ok(mut h) = self.history.lock() {
            if h.len() == MAX_HISTORY {
                h.pop_front();
            }
            h.push_back(sample);
        }
    }
}

fn nanos_to_secs(n: u64) -> f64 {
    n as f64 / 1e9
}

#[cfg(test)]
fn sample(code: &str, key: &str) -> DeadLetterSample {
    DeadLetterSample {
        stage: "decode".into(),
        code: code.into(),
        message: "bad".into(),
        source: "t[0]@1".into(),
        key: key.into(),
    }
}
