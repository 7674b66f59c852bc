//! The pipeline loop: one consumer-group member per source table, every statement over that source fed
//! from one read and one decode of each record.
//!
//! Delivery is at-least-once: an output or dead-letter record is produced before its source offset can be
//! committed, and offsets are committed (every `auto.commit.interval.ms`, on revoke and at shutdown) only
//! past records whose every delivery was acknowledged; the outputs are produced on a thread of their own
//! (`send`). A transient failure (registry or broker unreachable) stalls the
//! record and retries with backoff; it is never dead-lettered. A permanent one goes to the dead-letter
//! topic with the original bytes and headers naming what went wrong — or, where the table says
//! `'error-handling.mode' = 'fail'`, stops the pipeline without committing past it.

use std::collections::BTreeMap;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_core::Stream;
use rdkafka::Message;
use rdkafka::consumer::Consumer;
use switchyard_kafka::{
    ClientConfig, GroupConsumer, KafkaError, OutRecord, Producer, RevokeHook, Startup, Transactions,
    commit_with,
};
use switchyard_registry::RegistryClient;
use switchyard_sql::{ColumnKind, EvalContext, Plan, StatementPlan, eval_filter};
use switchyard_sql::{RowKind, Value};
use switchyard_wire::Header;
use tokio::sync::watch;

use crate::error::{Failure, RecordError, Stage};
use crate::metrics::{Counter, DeadLetterSample, Metrics, StatementCounters};
use crate::send::{ProduceThread, Tag};
use crate::sink::{SinkEncoder, table_topic};
use crate::source::{Headers, RecordView, SourceDecoder};
use crate::track::OffsetTracker;

/// How to run a plan.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The pipeline's name (the SQL file's stem): the default group id and a dead-letter header.
    pub name: String,
    /// Consumer group id (default: the source table's `properties.group.id`, else `switchyard-<name>`).
    pub group: Option<String>,
    /// Kafka and registry client settings (the tables' `properties.*` are layered under these).
    pub client: ClientConfig,
    /// Stop when every partition has been read up to the end offsets seen at start.
    pub until_end: bool,
    /// Exactly-once: outputs, dead letters and source offsets are committed in one Kafka transaction.
    pub exactly_once: bool,
    /// Consumers per source table, each on a thread of its own, all in the source's group: they share
    /// the topic's partitions as separate instances would (Flink's `parallelism.default`). At least 1.
    pub parallelism: usize,
}

/// How a source table treats records it cannot process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorMode {
    /// Dead-letter them to this topic (the default).
    Log(String),
    /// Drop them, counted.
    Ignore,
    /// Stop the pipeline.
    Fail,
}

/// A fatal error that stops the pipeline.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// Building the pipeline failed (bad table options, sink schema rejected, …).
    #[error("{0}")]
    Build(String),
    /// Kafka failed in a way retrying will not fix.
    #[error(transparent)]
    Kafka(#[from] KafkaError),
    /// A record failed and its table says `'error-handling.mode' = 'fail'`.
    #[error(
        "{table}: record {topic}[{partition}]@{offset} failed and 'error-handling.mode' is 'fail': {error}"
    )]
    Failed {
        /// The source table.
        table: String,
        /// Topic.
        topic: String,
        /// Partition.
        partition: i32,
        /// Offset.
        offset: i64,
        /// What went wrong.
        error: Box<RecordError>,
    },
}

/// One statement ready to run.
#[derive(Debug, Clone)]
struct Statement {
    plan: StatementPlan,
    sink: Arc<SinkEncoder>,
    /// Which record field each of `plan.metadata`'s expressions writes, in the same order.
    metadata: Vec<MetadataWrite>,
    /// Its rows written to the sink, and dropped by its WHERE.
    counters: StatementCounters,
}

/// A writable metadata column of a Kafka sink (Flink's Kafka connector: `timestamp` and `headers`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MetadataWrite {
    /// The record's timestamp.
    Timestamp,
    /// The record's headers (`MAP<STRING, BYTES>`).
    Headers,
}

/// One source table and the statements it feeds.
#[derive(Debug, Clone)]
pub struct SourceRun {
    decoder: SourceDecoder,
    topic: String,
    statements: Vec<Statement>,
    errors: ErrorMode,
    client: ClientConfig,
    group: String,
    startup: Startup,
    /// Scratch space for a statement's projected row, reused from record to record.
    values: Vec<Value>,
    /// Whether a statement or computed column reads the clock: only then does each record read it.
    reads_clock: bool,
    /// Records read.
    records_in: Counter,
    /// How often at-least-once commits offsets: `auto.commit.interval.ms`, as for a Kafka consumer.
    commit_every: Duration,
}

/// At-least-once commits offsets as often as a Kafka consumer auto-commits by default (its
/// `auto.commit.interval.ms`): often enough that a restart re-reads little, rarely enough that commits
/// cost the broker little (a commit is a write on the broker; on some it rewrites the group's store).
const DEFAULT_COMMIT_INTERVAL: Duration = Duration::from_secs(5);

/// The commit interval a table's client configuration asks for.
fn commit_interval(client: &ClientConfig) -> Result<Duration, String> {
    match client.get("auto.commit.interval.ms") {
        None => Ok(DEFAULT_COMMIT_INTERVAL),
        Some(v) => match v.trim().parse::<u64>() {
            Ok(ms) if ms > 0 => Ok(Duration::from_millis(ms)),
            _ => Err(format!(
                "`auto.commit.interval.ms` is `{v}`: it sets how often offsets are committed and takes a \
                 positive number of milliseconds (5000 when unset)"
            )),
        },
    }
}

/// A built pipeline.
#[derive(Debug)]
pub struct Router {
    sources: Vec<SourceRun>,
    registry: Option<RegistryClient>,
    metrics: Arc<Metrics>,
    options: RunOptions,
}

fn now_micros() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as i64)
}

impl Router {
    /// Build decoders and encoders, registering sink schemas; nothing is read yet.
    pub async fn build(
        plan: &Plan,
        registry: Option<RegistryClient>,
        options: RunOptions,
    ) -> Result<Self, RunError> {
        let mut sinks: BTreeMap<usize, Arc<SinkEncoder>> = BTreeMap::new();
        let mut sources = Vec::new();
        for pipeline in &plan.pipelines {
            let table = &plan.tables[pipeline.source];
            let decoder = SourceDecoder::new(table).map_err(RunError::Build)?;
            let topic = table_topic(table).map_err(RunError::Build)?;
            let mut statements = Vec::new();
            for st in &pipeline.statements {
                let sink = match sinks.get(&st.sink) {
                    Some(s) => s.clone(),
                    None => {
                        let enc = Arc::new(
                            SinkEncoder::build(&plan.tables[st.sink], registry.as_ref())
                                .await
                                .map_err(RunError::Build)?,
                        );
                        sinks.insert(st.sink, enc.clone());
                        enc
                    }
                };
                let sink_table = &plan.tables[st.sink];
                let metadata = st
                    .metadata
                    .iter()
                    .map(|(slot, _)| match &sink_table.columns[*slot].kind {
                        ColumnKind::Metadata { key, .. } if key == "timestamp" => Ok(MetadataWrite::Timestamp),
                        ColumnKind::Metadata { key, .. } if key == "headers" => Ok(MetadataWrite::Headers),
                        _ => Err(RunError::Build(format!(
                            "sink `{}`: column `{}` is not a writable metadata column (Kafka sinks write 'timestamp' and 'headers')",
                            sink_table.name, sink_table.columns[*slot].name
                        ))),
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                statements.push(Statement {
                    plan: st.clone(),
                    sink,
                    metadata,
                    counters: StatementCounters::default(),
                });
            }
            let errors = match table.option("error-handling.mode").unwrap_or("log") {
                "ignore" => ErrorMode::Ignore,
                "fail" => ErrorMode::Fail,
                _ => ErrorMode::Log(
                    table
                        .option("error-handling.log.target")
                        .map_or_else(|| format!("{topic}-dlq"), String::from),
                ),
            };
            let mut client = ClientConfig::new();
            for (k, v) in &table.options {
                if let Some(prop) = k.strip_prefix("properties.") {
                    client.set(prop, v.as_str());
                }
            }
            client.overlay(&options.client);
            let group = options
                .group
                .clone()
                .or_else(|| table.option("properties.group.id").map(String::from))
                .unwrap_or_else(|| format!("switchyard-{}", options.name));
            let startup = startup_mode(table.option("scan.startup.mode"), table).map_err(RunError::Build)?;
            let reads_clock = table.reads_clock() || statements.iter().any(|st| st.plan.reads_clock());
            let commit_every =
                commit_interval(&client).map_err(|e| RunError::Build(format!("{}: {e}", table.name)))?;
            sources.push(SourceRun {
                reads_clock,
                records_in: Counter::default(),
                decoder,
                topic,
                statements,
                errors,
                client,
                group,
                startup,
                values: Vec::new(),
                commit_every,
            });
        }
        let metrics = Metrics::new(registry.clone());
        for s in &mut sources {
            s.records_in = metrics.records_in_counter(&s.topic);
            for st in &mut s.statements {
                st.counters = metrics.register_statement(st.plan.index, &s.topic, &st.sink.topic);
            }
        }
        Ok(Router {
            sources,
            registry,
            metrics: Arc::new(metrics),
            options,
        })
    }

    /// The counters (for `/metrics` and the dashboard).
    pub fn metrics(&self) -> Arc<Metrics> {
        self.metrics.clone()
    }

    /// Each source: its topic, consumer group and number of statements, for logs.
    pub fn sources(&self) -> impl Iterator<Item = (&str, &str, usize)> {
        self.sources
            .iter()
            .map(|s| (s.topic.as_str(), s.group.as_str(), s.statements.len()))
    }

    /// Run until `shutdown` turns true (or, with `until_end`, until every partition is read).
    pub async fn run(self, shutdown: watch::Receiver<bool>) -> Result<(), RunError> {
        let Router {
            sources,
            registry,
            metrics,
            options,
        } = self;
        if options.parallelism > 1 {
            return run_parallel(sources, registry, metrics, options, shutdown).await;
        }
        let local = tokio::task::LocalSet::new();
        let registry = Arc::new(registry);
        let mut handles = Vec::new();
        for (i, source) in sources.into_iter().enumerate() {
            let (m, r, o, s) = (
                metrics.clone(),
                registry.clone(),
                options.clone(),
                shutdown.clone(),
            );
            let member = Member::alone(i);
            handles.push(local.spawn_local(async move { run_source(source, r, m, o, s, member).await }));
        }
        local
            .run_until(async move {
                for h in handles {
                    match h.await {
                        Ok(r) => r?,
                        Err(e) => return Err(RunError::Build(format!("pipeline task failed: {e}"))),
                    }
                }
                Ok(())
            })
            .await
    }
}

/// `parallelism` consumers per source, each on a thread with a runtime of its own (a consumer's loop
/// holds librdkafka messages across awaits, so it stays on one thread). The first failure stops the
/// others; every consumer flushes and commits what it finished before this returns.
async fn run_parallel(
    sources: Vec<SourceRun>,
    registry: Option<RegistryClient>,
    metrics: Arc<Metrics>,
    options: RunOptions,
    mut shutdown: watch::Receiver<bool>,
) -> Result<(), RunError> {
    let (stop, stopped) = watch::channel(false);
    let (done_tx, mut done) = tokio::sync::mpsc::unbounded_channel();
    // Everything that can fail is prepared before the first thread starts.
    let mut planned = Vec::new();
    for (s, source) in sources.into_iter().enumerate() {
        let progress = Arc::new(Mutex::new(BTreeMap::new()));
        for i in 0..options.parallelism {
            let member = Member {
                index: s * options.parallelism + i,
                progress: Some(progress.clone()),
            };
            let mut source = source.clone();
            member_ids(&mut source.client, i);
            // A registry connection belongs to the runtime that opened it: each thread gets its own,
            // sharing the schema cache.
            let registry = match &registry {
                Some(r) => Some(
                    r.with_own_connections()
                        .map_err(|e| RunError::Build(e.to_string()))?,
                ),
                None => None,
            };
            planned.push((
                format!("switchyard-{}-{i}", source.topic),
                source,
                registry,
                member,
            ));
        }
    }
    let mut members = 0;
    let mut first_error = None;
    for (name, source, registry, member) in planned {
        let (m, o, st, tx) = (metrics.clone(), options.clone(), stopped.clone(), done_tx.clone());
        let spawned = std::thread::Builder::new().name(name).spawn(move || {
            let run = move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| RunError::Build(format!("starting a consumer thread: {e}")))?;
                let local = tokio::task::LocalSet::new();
                local.block_on(&rt, run_source(source, Arc::new(registry), m, o, st, member))
            };
            // A panic is reported like any failure, so that the other consumers stop too.
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(run))
                .unwrap_or_else(|_| Err(RunError::Build("a consumer thread panicked".into())));
            let _ = tx.send(result);
        });
        match spawned {
            Ok(_) => members += 1,
            Err(e) => {
                // Stop those already running, and wait for them below.
                let _ = stop.send(true);
                first_error = Some(RunError::Build(format!("starting a consumer thread: {e}")));
                break;
            }
        }
    }
    // Only the threads hold senders now: should every one of them be gone, `recv` says so.
    drop(done_tx);
    tracing::info!(
        consumers = members,
        parallelism = options.parallelism,
        "consumers started"
    );
    let mut finished = 0;
    while finished < members {
        tokio::select! {
            changed = shutdown.changed(), if !*stop.borrow() => {
                if changed.is_err() || *shutdown.borrow() {
                    let _ = stop.send(true);
                }
            }
            result = done.recv() => {
                finished += 1;
                match result {
                    Some(Ok(())) => {}
                    Some(Err(e)) => {
                        let _ = stop.send(true);
                        first_error.get_or_insert(e);
                    }
                    None => break,
                }
            }
        }
    }
    first_error.map_or(Ok(()), Err)
}

/// Which consumer of its source a `run_source` loop is.
#[derive(Debug, Clone)]
struct Member {
    /// Unique across the pipeline's consumers (lag metrics, transactional ids).
    index: usize,
    /// With several consumers per source: the last offset processed per partition, across all of them
    /// (`until_end` stops when the topic is read, whoever read each partition).
    progress: Option<Arc<Mutex<BTreeMap<i32, i64>>>>,
}

impl Member {
    /// The only consumer of its source.
    fn alone(index: usize) -> Self {
        Member {
            index,
            progress: None,
        }
    }
}

/// Client ids that must differ between the consumers of one process: `group.instance.id` (static
/// membership: two members with one id fence each other) and an explicit `transactional.id` get the
/// consumer's number appended.
fn member_ids(client: &mut ClientConfig, i: usize) {
    for key in ["group.instance.id", "transactional.id"] {
        if let Some(v) = client.get(key).map(String::from) {
            client.set(key, format!("{v}-{i}").as_str());
        }
    }
}

fn startup_mode(mode: Option<&str>, table: &switchyard_sql::TableDef) -> Result<Startup, String> {
    Ok(match mode.unwrap_or("group-offsets") {
        "earliest-offset" => Startup::Earliest,
        "latest-offset" => Startup::Latest,
        "group-offsets" => Startup::GroupOffsets,
        "timestamp" => Startup::Timestamp(
            table
                .option("scan.startup.timestamp-millis")
                .and_then(|t| t.parse().ok())
                .ok_or_else(|| format!("table `{}`: 'scan.startup.mode' = 'timestamp' needs 'scan.startup.timestamp-millis'", table.name))?,
        ),
        "specific-offsets" => Startup::Specific(
            table
                .option("scan.startup.specific-offsets")
                .unwrap_or_default()
                .split(';')
                .filter(|s| !s.trim().is_empty())
                .map(|part| {
                    let mut p = None;
                    let mut o = None;
                    for kv in part.split(',') {
                        match kv.split_once(':') {
                            Some(("partition", v)) => p = v.trim().parse().ok(),
                            Some(("offset", v)) => o = v.trim().parse().ok(),
                            _ => {}
                        }
                    }
                    p.zip(o).ok_or_else(|| format!("table `{}`: bad 'scan.startup.specific-offsets' entry `{part}` (expected partition:0,offset:42)", table.name))
                })
                .collect::<Result<_, _>>()?,
        ),
        other => return Err(format!("table `{}`: unknown 'scan.startup.mode' `{other}`", table.name)),
    })
}

/// Where a source's outputs go to be produced.
enum Outlet {
    /// To the producing thread (at-least-once).
    Thread(ProduceThread),
    /// To the producer, on this thread (exactly-once: sends belong to the open transaction).
    Inline(Producer<Tag>),
}

impl Outlet {
    fn inline(&mut self) -> Option<&mut Producer<Tag>> {
        match self {
            Outlet::Inline(p) => Some(p),
            Outlet::Thread(_) => None,
        }
    }
}

/// How a source's outputs and offsets are committed.
enum Delivery {
    /// Offsets are committed only past records whose every output was acknowledged.
    AtLeastOnce(Arc<Mutex<OffsetTracker>>),
    /// Outputs, dead letters and the source offsets go into one Kafka transaction per commit interval.
    ExactlyOnce {
        txn: Transactions,
        state: Arc<Mutex<TxnState>>,
    },
}

/// The open transaction of an exactly-once source: whether one is open and the next positions of the
/// records whose outputs it holds.
#[derive(Debug, Default)]
struct TxnState {
    open: bool,
    positions: BTreeMap<i32, i64>,
}

impl TxnState {
    fn offsets(&self, topic: &str) -> Vec<(String, i32, i64)> {
        self.positions
            .iter()
            .map(|(p, o)| (topic.to_string(), *p, *o))
            .collect()
    }
}

/// Commit the open transaction with its source positions; on failure abort it, so that none of its
/// records is ever shown to `read_committed` readers and its source records are read again.
fn commit_transaction<C, K>(
    txn: &Transactions,
    state: &mut TxnState,
    consumer: &K,
    topic: &str,
) -> Result<bool, KafkaError>
where
    C: rdkafka::consumer::ConsumerContext + 'static,
    K: Consumer<C>,
{
    if !state.open {
        return Ok(false);
    }
    let offsets = state.offsets(topic);
    state.open = false;
    state.positions.clear();
    match txn.commit(consumer, &offsets) {
        Ok(()) => Ok(true),
        Err(e) => {
            if let Err(abort) = txn.abort() {
                tracing::warn!("aborting the transaction after a failed commit failed too: {abort}");
            }
            Err(e)
        }
    }
}

/// The `transactional.id` of this member. With static membership (`group.instance.id`) it is stable, so a
/// restarted member fences its predecessor and aborts its open transaction at once; otherwise it is unique
/// to the process (zombies are fenced by the group's generation, KIP-447) and a dead member's open
/// transaction is aborted by the broker after `transaction.timeout.ms`.
fn transactional_id(group: &str, topic: &str, instance: Option<&str>, member: usize) -> String {
    if let Some(instance) = instance {
        return format!("switchyard-{group}-{topic}-{instance}");
    }
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "host".into());
    format!(
        "switchyard-{group}-{topic}-{host}-{}-{member}-{}",
        std::process::id(),
        now_micros()
    )
}

async fn run_source(
    mut src: SourceRun,
    registry: Arc<Option<RegistryClient>>,
    metrics: Arc<Metrics>,
    options: RunOptions,
    mut shutdown: watch::Receiver<bool>,
    member: Member,
) -> Result<(), RunError> {
    // The producer first: with exactly-once, the revoke hook commits the open transaction through it.
    let (producer, delivery): (Producer<Tag>, Delivery) = if options.exactly_once {
        let id = src.client.get("transactional.id").map_or_else(
            || {
                transactional_id(
                    &src.group,
                    &src.topic,
                    src.client.get("group.instance.id"),
                    member.index,
                )
            },
            String::from,
        );
        let (producer, txn) = Producer::connect_transactional(&src.client, &id)?;
        tracing::info!(transactional_id = %id, "exactly-once: transactions initialised");
        (
            producer,
            Delivery::ExactlyOnce {
                txn,
                state: Arc::new(Mutex::new(TxnState::default())),
            },
        )
    } else {
        let tracker = Arc::new(Mutex::new(OffsetTracker::default()));
        (Producer::connect(&src.client)?, Delivery::AtLeastOnce(tracker))
    };
    // At-least-once produces on a thread of its own; exactly-once sends within its transactions here.
    let mut outlet = match &delivery {
        Delivery::AtLeastOnce(tracker) => Outlet::Thread(ProduceThread::spawn(
            producer,
            tracker.clone(),
            src.topic.clone(),
        )?),
        Delivery::ExactlyOnce { .. } => Outlet::Inline(producer),
    };
    let hook: RevokeHook = match &delivery {
        Delivery::AtLeastOnce(tracker) => {
            let tracker = tracker.clone();
            Arc::new(move |consumer, parts| {
                let offsets = match tracker.lock() {
                    Ok(mut t) => {
                        let offsets = t.committable_where(|topic, p| {
                            parts.iter().any(|(pt, pp)| pt == topic && *pp == p)
                        });
                        for (topic, p) in parts {
                            t.forget(topic, *p);
                        }
                        offsets
                    }
                    Err(_) => Vec::new(),
                };
                if let Err(e) = commit_with(consumer, &offsets) {
                    tracing::warn!("commit on revoke failed: {e}");
                }
            })
        }
        Delivery::ExactlyOnce { txn, state } => {
            let (txn, state, topic) = (txn.clone(), state.clone(), src.topic.clone());
            Arc::new(move |consumer, _parts| {
                // The group protocol revokes every partition at once: commit all the open transaction holds,
                // before another member starts from the committed positions.
                if let Ok(mut st) = state.lock()
                    && let Err(e) = commit_transaction(&txn, &mut st, consumer, &topic)
                {
                    tracing::warn!(
                        "commit on revoke failed, transaction aborted (its records are read again): {e}"
                    );
                }
            })
        }
    };
    let mut client = src.client.clone();
    if options.until_end {
        client.set("enable.partition.eof", "true");
    }
    if options.exactly_once && client.get("isolation.level").is_none() {
        client.set("isolation.level", "read_committed");
    }
    let group = GroupConsumer::subscribe(&client, &src.group, &[src.topic.as_str()], &src.startup, hook)?;
    let ends = if options.until_end {
        Some(end_offsets(&group, &src.topic)?)
    } else {
        None
    };
    // The last offset processed per partition; a partition-EOF event (asked for with `until_end`) also
    // marks a partition done, so a pass over a topic the group has already read finishes at once.
    // With several consumers per source, `member.progress` holds it for all of them.
    let mut reached: BTreeMap<i32, i64> = BTreeMap::new();
    let mark = |reached: &mut BTreeMap<i32, i64>, partition: i32, offset: i64| {
        reached.insert(partition, offset);
        if let Some(progress) = &member.progress
            && let Ok(mut all) = progress.lock()
        {
            all.insert(partition, offset);
        }
    };
    let read_to_end = |reached: &BTreeMap<i32, i64>, ends: &BTreeMap<i32, i64>| {
        let done = |r: &BTreeMap<i32, i64>| {
            ends.iter()
                .all(|(p, end)| r.get(p).copied().unwrap_or(-1) + 1 >= *end || *end == 0)
        };
        match &member.progress {
            Some(progress) => progress.lock().is_ok_and(|all| done(&all)),
            None => done(reached),
        }
    };
    tracing::info!(topic = %src.topic, group = %src.group, statements = src.statements.len(), exactly_once = options.exactly_once, "pipeline started");
    // Exactly-once commits a transaction every 100 ms (as Kafka Streams does); at-least-once commits
    // offsets every `commit_every`. The tick (at most a second) also hands over outputs collected when
    // a burst ended just as the input went idle, and refreshes the lag.
    let commit_every = if options.exactly_once {
        Duration::from_millis(100)
    } else {
        src.commit_every
    };
    let mut tick = tokio::time::interval(commit_every.min(Duration::from_secs(1)));
    let mut last_commit = std::time::Instant::now();
    let mut last_lag = std::time::Instant::now();
    // `bench/e2e.sh` times the steady state from the first record on (group join and the first fetch
    // are a fixed cost); logged once, so the hot path pays one branch.
    let mut first_record = true;
    // The records one source record becomes, reused from record to record.
    let mut outputs: Vec<OutRecord> = Vec::new();
    // The deliveries that completed while sending them, reused likewise.
    let mut acks = Vec::new();
    let result: Result<(), RunError> = async {
        let mut stream = group.consumer.stream();
        // Records already fetched are taken straight from the stream, without a trip through `select!`
        // (a clock read and three polls each); every BURST records the shutdown and the tick get a turn.
        let mut burst = 0;
        loop {
            if let Some(ends) = &ends
                && read_to_end(&reached, ends)
            {
                break;
            }
            let ready = if burst < BURST {
                next_ready(&mut stream)
            } else {
                None
            };
            let msg = match ready {
                Some(msg) => {
                    burst += 1;
                    msg
                }
                None => {
                    // Nothing is ready (rather than a burst ending): what was collected goes out before
                    // waiting.
                    if burst < BURST
                        && let Outlet::Thread(t) = &mut outlet
                    {
                        t.hand_off().await?;
                    }
                    burst = 0;
                    tokio::select! {
                        _ = shutdown.changed() => break,
                        _ = tick.tick() => {
                            if let Outlet::Thread(t) = &mut outlet {
                                t.hand_off().await?;
                            }
                            let commit = last_commit.elapsed() >= commit_every;
                            settle(outlet.inline(), &delivery, &group, &metrics, &src.topic, commit)?;
                            if commit {
                                last_commit = std::time::Instant::now();
                            }
                            if last_lag.elapsed() >= Duration::from_secs(10) {
                                metrics.set_lag(member.index, &group.lag());
                                last_lag = std::time::Instant::now();
                            }
                            continue;
                        }
                        msg = std::future::poll_fn(|cx| Pin::new(&mut stream).poll_next(cx)) => match msg {
                            Some(msg) => msg,
                            // librdkafka's message streams never end.
                            None => break,
                        },
                    }
                }
            };
            let m = match msg {
                Err(rdkafka::error::KafkaError::PartitionEOF(p)) => {
                    if let Some(end) = ends.as_ref().and_then(|e| e.get(&p)) {
                        mark(&mut reached, p, end - 1);
                    }
                    continue;
                }
                other => other.map_err(|source| KafkaError::Client {
                    context: format!("consuming `{}`", src.topic),
                    source,
                })?,
            };
            if first_record {
                first_record = false;
                tracing::info!(topic = %src.topic, unix_ms = now_micros() / 1000, "first record read");
            }
            let view = RecordView {
                topic: m.topic(),
                partition: m.partition(),
                offset: m.offset(),
                timestamp: m.timestamp().to_millis(),
                key: m.key(),
                value: m.payload(),
                headers: Headers::Kafka(&m),
            };
            src.records_in.inc();
            outputs.clear();
            let processed = process(
                &mut src,
                &view,
                registry.as_ref().as_ref(),
                &metrics,
                &options,
                &mut shutdown,
                &mut outputs,
            )
            .await?;
            if processed.is_none() {
                break;
            }
            let (partition, offset) = (view.partition, view.offset);
            drop(m);
            match &delivery {
                Delivery::AtLeastOnce(tracker) => {
                    if let Ok(mut t) = tracker.lock() {
                        t.read(&src.topic, partition, offset, outputs.len());
                    }
                }
                Delivery::ExactlyOnce { txn, state } => {
                    let mut st = state
                        .lock()
                        .map_err(|_| RunError::Build("transaction state poisoned".into()))?;
                    if !st.open {
                        // Records of an aborted transaction are never committed: forget them.
                        if let Some(producer) = outlet.inline() {
                            producer.discard_in_flight();
                        }
                        txn.begin()?;
                        st.open = true;
                    }
                    // The record's position joins the transaction now, under the same lock: its
                    // outputs are sent below in this task, before any commit (the tick and the
                    // revoke hook run between records), and a failed send aborts the transaction.
                    st.positions.insert(partition, offset + 1);
                }
            }
            mark(&mut reached, partition, offset);
            match &mut outlet {
                Outlet::Thread(t) => t.push((partition, offset), &mut outputs).await?,
                Outlet::Inline(producer) => {
                    for out in &outputs {
                        producer.send((partition, offset), out, &mut acks).await;
                        delivered(&mut acks)?;
                    }
                }
            }
        }
        Ok(())
    }
    .await;
    // Flush, commit what is safe, and leave the group. After a failure, exactly-once aborts the open
    // transaction and at-least-once commits only what was acknowledged.
    let finished = match (&result, &delivery) {
        (Err(_), Delivery::ExactlyOnce { txn, state }) => {
            if let Ok(mut st) = state.lock()
                && st.open
            {
                st.open = false;
                if let Err(e) = txn.abort() {
                    tracing::warn!("aborting the open transaction failed: {e}");
                }
            }
            Ok(())
        }
        _ => {
            let flushed = match &mut outlet {
                Outlet::Thread(t) => t.flush().await,
                Outlet::Inline(producer) => {
                    let mut done = producer.flush().await;
                    delivered(&mut done)
                }
            };
            flushed.and_then(|()| settle(outlet.inline(), &delivery, &group, &metrics, &src.topic, true))
        }
    };
    group.consumer.unsubscribe();
    tracing::info!(topic = %src.topic, "pipeline stopped");
    // Dropping a group consumer right after a commit can hang in librdkafka; the process is ending anyway.
    std::mem::forget(group);
    result.and(finished)
}

/// How many records in a row `run_source` takes from the stream while they are ready.
const BURST: usize = 64;

/// The next record (or consumer event) if one is ready now, without waiting.
fn next_ready<S: Stream + Unpin>(stream: &mut S) -> Option<S::Item> {
    let mut cx = Context::from_waker(Waker::noop());
    match Pin::new(stream).poll_next(&mut cx) {
        Poll::Ready(item) => item,
        Poll::Pending => None,
    }
}

fn end_offsets(group: &GroupConsumer, topic: &str) -> Result<BTreeMap<i32, i64>, RunError> {
    let md = group
        .consumer
        .fetch_metadata(Some(topic), Duration::from_secs(10))
        .map_err(|source| KafkaError::Client {
            context: "reading metadata".into(),
            source,
        })?;
    let mut out = BTreeMap::new();
    for t in md.topics() {
        for p in t.partitions() {
            let (_, high) = group
                .consumer
                .fetch_watermarks(topic, p.id(), Duration::from_secs(10))
                .map_err(|source| KafkaError::Client {
                    context: "reading end offsets".into(),
                    source,
                })?;
            out.insert(p.id(), high);
        }
    }
    Ok(out)
}

/// Takes exactly-once's delivery outcomes out of `done` (a buffer the caller keeps): the transaction's
/// commit waits for its records, and a failed delivery fails it. (At-least-once's producing thread
/// records its acknowledgements itself.)
fn delivered(done: &mut Vec<switchyard_kafka::Outcome<Tag>>) -> Result<(), RunError> {
    for (_, result) in done.drain(..) {
        result?;
    }
    Ok(())
}

/// When `commit`, commit the offsets the acknowledgements so far make safe (exactly-once commits its open
/// transaction every time, then forgets the sends `producer` had in flight for it).
fn settle(
    producer: Option<&mut Producer<Tag>>,
    delivery: &Delivery,
    group: &GroupConsumer,
    metrics: &Metrics,
    topic: &str,
    commit: bool,
) -> Result<(), RunError> {
    match delivery {
        // The producing thread has recorded the acknowledgements that arrived.
        Delivery::AtLeastOnce(tracker) => {
            if !commit {
                return Ok(());
            }
            let offsets = tracker.lock().map(|mut t| t.committable()).unwrap_or_default();
            if !offsets.is_empty() {
                let started = std::time::Instant::now();
                group.commit(&offsets)?;
                metrics.committed(started.elapsed());
            }
        }
        Delivery::ExactlyOnce { txn, state } => {
            let Ok(mut st) = state.lock() else { return Ok(()) };
            let started = std::time::Instant::now();
            if commit_transaction(txn, &mut st, &group.consumer, topic)? {
                metrics.committed(started.elapsed());
            }
            // Every record of the committed transaction was delivered.
            if let Some(producer) = producer {
                producer.discard_in_flight();
            }
        }
    }
    Ok(())
}

/// Decode a record, run every statement, and add the records to produce (outputs and dead letters) to
/// `outputs`. `None` means shutdown was requested while a transient failure was being retried.
async fn process(
    src: &mut SourceRun,
    view: &RecordView<'_>,
    registry: Option<&RegistryClient>,
    metrics: &Metrics,
    options: &RunOptions,
    shutdown: &mut watch::Receiver<bool>,
    outputs: &mut Vec<OutRecord>,
) -> Result<Option<()>, RunError> {
    let ctx = EvalContext {
        now_micros: if src.reads_clock { now_micros() } else { 0 },
    };
    let mut backoff = Duration::from_millis(200);
    let decoded = loop {
        match src.decoder.decode(view, registry, &ctx).await {
            Err(Failure::Transient(why)) => {
                tracing::warn!("{}: {why}; retrying in {:?}", src.topic, backoff);
                metrics.retried();
                tokio::select! {
                    _ = shutdown.changed() => return Ok(None),
                    _ = tokio::time::sleep(backoff) => {}
                }
                backoff = (backoff * 2).min(Duration::from_secs(30));
            }
            Err(Failure::Permanent(e)) => break Err(e),
            Ok(d) => break Ok(d),
        }
    };
    let decoded = match decoded {
        Ok(d) => d,
        Err(e) => {
            fail(src, view, e, metrics, options, outputs)?;
            return Ok(Some(()));
        }
    };
    if let Some(skip) = decoded.skipped {
        metrics.skipped(skip.as_str());
    }
    for row in &decoded.rows {
        for st in &src.statements {
            match statement_output(
                st,
                row.kind,
                &row.values,
                &ctx,
                decoded.schema_id,
                &mut src.values,
            ) {
                Ok(Some(out)) => {
                    st.counters.written.inc();
                    outputs.push(out);
                }
                Ok(None) => st.counters.filtered.inc(),
                Err(e) => fail(src, view, e, metrics, options, outputs)?,
            }
        }
    }
    src.decoder.recycle(decoded);
    Ok(Some(()))
}

/// The output of one statement for one row, `None` when its WHERE drops the row. `values` is scratch
/// space for the projected row, reused across calls.
fn statement_output(
    st: &Statement,
    kind: RowKind,
    row: &[Value],
    ctx: &EvalContext,
    schema_id: Option<u32>,
    values: &mut Vec<Value>,
) -> Result<Option<OutRecord>, RecordError> {
    let at = |stage: Stage, code: &'static str, msg: String| {
        let mut e = RecordError::new(stage, code, msg).with_schema(schema_id);
        e.statement = Some(st.plan.index);
        e
    };
    if let Some(filter) = &st.plan.filter {
        let keep = eval_filter(filter, row, ctx)
            .map_err(|e| at(Stage::Evaluate, "EVALUATION", format!("WHERE: {e}")))?;
        if !keep {
            return Ok(None);
        }
    }
    values.clear();
    for p in &st.plan.projection {
        let v = p
            .eval(row, ctx)
            .map_err(|e| at(Stage::Evaluate, "EVALUATION", format!("SELECT: {e}")))?;
        values.push(v);
    }
    let (key, value) = st.sink.encode(values).map_err(|mut e| {
        e.statement = Some(st.plan.index);
        e.with_schema(schema_id)
    })?;
    let mut timestamp = None;
    let mut headers = Vec::new();
    for ((_, expr), target) in st.plan.metadata.iter().zip(&st.metadata) {
        let v = expr
            .eval(row, ctx)
            .map_err(|e| at(Stage::Evaluate, "EVALUATION", format!("SELECT (metadata): {e}")))?;
        match target {
            MetadataWrite::Timestamp => timestamp = metadata_timestamp(&v),
            MetadataWrite::Headers => headers = metadata_headers(&v),
        }
    }
    // Upsert semantics for changelog rows: a deletion is a tombstone for its key; the before-image of
    // an update is superseded by its after-image.
    let value = match kind {
        RowKind::Insert | RowKind::UpdateAfter => Some(value),
        RowKind::Delete if key.is_some() => None,
        RowKind::Delete | RowKind::UpdateBefore => return Ok(None),
    };
    Ok(Some(OutRecord {
        topic: st.sink.topic.clone(),
        partition: None,
        key,
        value,
        headers,
        timestamp,
    }))
}

/// A `timestamp` metadata value as ms since the epoch; `NULL` leaves the producer's clock, as in Flink.
fn metadata_timestamp(v: &Value) -> Option<i64> {
    match v {
        Value::TimestampLtz(us) | Value::Timestamp(us) => Some(us.div_euclid(1000)),
        Value::BigInt(ms) => Some(*ms),
        _ => None,
    }
}

/// A `headers` metadata value (`MAP<STRING, BYTES>`) as record headers, in map order.
fn metadata_headers(v: &Value) -> Vec<Header> {
    let Value::Map(entries) = v else {
        return Vec::new();
    };
    entries
        .iter()
        .filter_map(|(k, v)| {
            let name = match k {
                Value::String(s) => s.to_string(),
                _ => return None,
            };
            let value = match v {
                Value::Null => None,
                Value::Bytes(b) => Some(b.to_vec()),
                Value::String(s) => Some(s.as_bytes().to_vec()),
                _ => return None,
            };
            Some(Header { name, value })
        })
        .collect()
}

/// Handle a permanent failure per the source's error mode.
fn fail(
    src: &SourceRun,
    view: &RecordView<'_>,
    e: RecordError,
    metrics: &Metrics,
    options: &RunOptions,
    outputs: &mut Vec<OutRecord>,
) -> Result<(), RunError> {
    match &src.errors {
        ErrorMode::Fail => Err(RunError::Failed {
            table: src.decoder.table().name.clone(),
            topic: view.topic.to_string(),
            partition: view.partition,
            offset: view.offset,
            error: Box::new(e),
        }),
        ErrorMode::Ignore => {
            tracing::debug!("ignored {}[{}]@{}: {e}", view.topic, view.partition, view.offset);
            metrics.ignored(e.code);
            Ok(())
        }
        ErrorMode::Log(dlq) => {
            metrics.dead_letter(DeadLetterSample {
                stage: e.stage.to_string(),
                code: e.code.to_string(),
                message: e.message.clone(),
                source: format!("{}[{}]@{}", view.topic, view.partition, view.offset),
                key: view
                    .key
                    .map(|k| String::from_utf8_lossy(k).into_owned())
                    .unwrap_or_default(),
            });
            outputs.push(dead_letter(view, &e, dlq, &options.name));
            Ok(())
        }
    }
}

/// The dead-letter record: the original key, value and headers, plus headers that say what went wrong.
pub fn dead_letter(view: &RecordView<'_>, e: &RecordError, dlq: &str, pipeline: &str) -> OutRecord {
    let mut headers: Vec<Header> = view
        .headers
        .to_vec()
        .into_iter()
        .map(|(name, value)| Header { name, value })
        .collect();
    let mut add = |name: &str, value: String| {
        headers.push(Header {
            name: name.to_string(),
            value: Some(value.into_bytes()),
        })
    };
    add("switchyard.error.code", e.code.to_string());
    add("switchyard.error.stage", e.stage.to_string());
    add("switchyard.error.message", e.message.clone());
    if let Some(id) = e.schema_id {
        add("switchyard.error.schema_id", id.to_string());
    }
    add("switchyard.source.topic", view.topic.to_string());
    add("switchyard.source.partition", view.partition.to_string());
    add("switchyard.source.offset", view.offset.to_string());
    if let Some(ts) = view.timestamp {
        add("switchyard.source.timestamp", ts.to_string());
    }
    add("switchyard.pipeline", pipeline.to_string());
    if let Some(st) = e.statement {
        add("switchyard.statement", st.to_string());
    }
    OutRecord {
        topic: dlq.into(),
        partition: None,
        key: view.key.map(<[u8]>::to_vec),
        value: view.value.map(<[u8]>::to_vec),
        headers,
        timestamp: view.timestamp,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_interval_follows_auto_commit_interval_ms() {
        let mut client = ClientConfig::new();
        assert_eq!(commit_interval(&client), Ok(Duration::from_secs(5)));
        client.set("auto.commit.interval.ms", "250");
        assert_eq!(commit_interval(&client), Ok(Duration::from_millis(250)));
        for bad in ["0", "-1", "5s", ""] {
            client.set("auto.commit.interval.ms", bad);
            let e = commit_interval(&client).unwrap_err();
            assert!(
                e.contains("auto.commit.interval.ms") && e.contains("milliseconds"),
                "{bad}: {e}"
            );
        }
    }
}
