//! Producing with many records in flight and every delivery accounted for.
//!
//! The producer is idempotent and partitions keys with `murmur2_random`, so keyed records land on the
//! partitions Java clients would choose. Sends never await one record at a time: up to `max_in_flight`
//! deliveries are outstanding, and each one's outcome is handed back with the caller's tag so that the
//! caller can report (or commit) exactly what was delivered.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rdkafka::ClientContext;
use rdkafka::config::RDKafkaLogLevel;
use rdkafka::consumer::{Consumer, ConsumerContext};
use rdkafka::error::KafkaError as RdError;
use rdkafka::message::{Header as RdHeader, Message as _, OwnedHeaders};
use rdkafka::producer::{BaseRecord, DeliveryResult, Producer as _, ProducerContext, ThreadedProducer};
use rdkafka::types::RDKafkaErrorCode;
use switchyard_wire::Header;
use tokio::sync::Notify;

use crate::client::{CONNECT_TIMEOUT, EdgeContext, KafkaError, contact_error, rdkafka_config};
use crate::config::ClientConfig;
use crate::group::partition_list;

/// A record to send.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutRecord {
    /// Destination topic (shared: a router sends many records to one topic, without a copy each).
    pub topic: Arc<str>,
    /// Partition, or `None` to let the partitioner choose by key.
    pub partition: Option<i32>,
    /// Key bytes.
    pub key: Option<Vec<u8>>,
    /// Value bytes (`None` sends a tombstone).
    pub value: Option<Vec<u8>>,
    /// Headers.
    pub headers: Vec<Header>,
    /// Record timestamp in ms since the epoch (`None`: the producer's clock).
    pub timestamp: Option<i64>,
}

/// Where a record was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivered {
    /// Partition.
    pub partition: i32,
    /// Offset.
    pub offset: i64,
}

/// The outcome of one send, with the caller's tag.
pub type Outcome<T> = (T, Result<Delivered, KafkaError>);

/// One send's delivery report: where it landed or why it failed (boxed: errors are rare, and a report
/// this small keeps the buffers of a full window small).
type Report = Result<Delivered, Box<RdError>>;

/// Delivery reports, handed from librdkafka's polling thread to the producer's owner: each send's
/// sequence number with its [`Report`]. Only positions and error codes cross (no copy of the record),
/// and the owner takes them in batches.
#[derive(Debug)]
struct Reports {
    /// Sized for a full window up front and swapped with the owner's buffer, never reallocated: a buffer
    /// grown while the window fills is fresh memory each time (page faults on librdkafka's thread).
    done: Mutex<Vec<(usize, Report)>>,
    /// Wakes an owner waiting for room or for a flush.
    arrived: Notify,
}

/// The producer's librdkafka context: [`EdgeContext`]'s logging and out-of-band errors, and delivery
/// reports into [`Reports`].
#[derive(Clone)]
struct DeliveryContext {
    edge: EdgeContext,
    reports: Arc<Reports>,
}

impl ClientContext for DeliveryContext {
    fn log(&self, level: RDKafkaLogLevel, fac: &str, message: &str) {
        self.edge.log(level, fac, message);
    }

    fn error(&self, error: RdError, reason: &str) {
        self.edge.error(error, reason);
    }
}

impl ProducerContext for DeliveryContext {
    /// The send's sequence number.
    type DeliveryOpaque = usize;

    fn delivery(&self, result: &DeliveryResult<'_>, seq: usize) {
        let report = match result {
            Ok(m) => Ok(Delivered {
                partition: m.partition(),
                offset: m.offset(),
            }),
            Err((e, _)) => Err(Box::new(e.clone())),
        };
        if let Ok(mut done) = self.reports.done.lock() {
            done.push((seq, report));
        }
        self.reports.arrived.notify_one();
    }
}

fn delivery_error(source: RdError) -> KafkaError {
    KafkaError::Client {
        context: "delivery failed".into(),
        source,
    }
}

/// An idempotent producer with bounded in-flight deliveries.
pub struct Producer<T> {
    inner: ThreadedProducer<DeliveryContext>,
    reports: Arc<Reports>,
    /// Sends not yet handed back, oldest first, with their outcome once it arrived; the front one's
    /// sequence number is `front_seq`.
    in_flight: VecDeque<(T, Option<Report>)>,
    front_seq: usize,
    /// The buffer reports are swapped into (kept, so taking them allocates nothing).
    taken: Vec<(usize, Report)>,
    max_in_flight: usize,
}

impl<T> std::fmt::Debug for Producer<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Producer")
            .field("in_flight", &self.in_flight.len())
            .finish()
    }
}

/// How long a transaction call may take before it is reported as failed.
const TRANSACTION_TIMEOUT: Duration = Duration::from_secs(60);

impl<T> Producer<T> {
    /// Build the producer and check that the cluster answers (bounded wait).
    pub fn connect(cfg: &ClientConfig) -> Result<Self, KafkaError> {
        Self::build(cfg, None)
    }

    /// Build a transactional producer with this `transactional.id` and initialise its transactions
    /// (fencing any earlier producer with the same id). A cluster without transactions is refused here,
    /// before anything is read.
    pub fn connect_transactional(
        cfg: &ClientConfig,
        transactional_id: &str,
    ) -> Result<(Self, Transactions), KafkaError> {
        let producer = Self::build(cfg, Some(transactional_id))?;
        let bootstrap = cfg.get("bootstrap.servers").unwrap_or_default().to_string();
        producer
            .inner
            .init_transactions(TRANSACTION_TIMEOUT)
            .map_err(|e| KafkaError::TransactionsUnsupported {
                bootstrap,
                detail: e.to_string(),
            })?;
        let txn = Transactions {
            inner: producer.inner.clone(),
        };
        Ok((producer, txn))
    }

    fn build(cfg: &ClientConfig, transactional_id: Option<&str>) -> Result<Self, KafkaError> {
        let mut c = rdkafka_config(cfg)?;
        if let Some(id) = transactional_id {
            c.set("transactional.id", id);
        }
        // A transactional producer's messages time out with its transactions (librdkafka ties
        // message.timeout.ms to transaction.timeout.ms); 10 s bounds how long read_committed readers wait
        // on the transaction of a member that died, as Kafka Streams' exactly-once default does.
        let timeouts: &[(&str, &str)] = if transactional_id.is_some() {
            &[("transaction.timeout.ms", "10000")]
        } else {
            &[("message.timeout.ms", "60000")]
        };
        for (k, v) in [
            ("enable.idempotence", "true"),
            ("partitioner", "murmur2_random"),
            ("linger.ms", "5"),
        ]
        .iter()
        .chain(timeouts)
        {
            if cfg.get(k).is_none() {
                c.set(*k, *v);
            }
        }
        // As many as librdkafka queues (its `queue.buffering.max.messages`, 100000 by default): the
        // window bounds throughput at window / delivery latency, so a smaller one throttles a broker
        // that takes tens of milliseconds to acknowledge.
        let max_in_flight = cfg
            .get("queue.buffering.max.messages")
            .and_then(|v| v.parse().ok())
            .unwrap_or(100_000);
        // The window's buffers, allocated once (bounded, for a window configured very large).
        let room = max_in_flight.min(1 << 20);
        let edge = EdgeContext::default();
        let reports = Arc::new(Reports {
            done: Mutex::new(Vec::with_capacity(room)),
            arrived: Notify::new(),
        });
        let context = DeliveryContext {
            edge: edge.clone(),
            reports: reports.clone(),
        };
        let inner: ThreadedProducer<DeliveryContext> = c
            .create_with_context(context)
            .map_err(|e| KafkaError::InvalidSetting(e.to_string()))?;
        inner
            .client()
            .fetch_metadata(None, CONNECT_TIMEOUT)
            .map_err(|e| contact_error(cfg, &edge, e))?;
        Ok(Producer {
            inner,
            reports,
            in_flight: VecDeque::with_capacity(room),
            front_seq: 0,
            taken: Vec::with_capacity(room),
            max_in_flight,
        })
    }

    /// Topics the cluster has, for "did you mean" hints.
    pub fn topics(&self) -> Result<Vec<String>, KafkaError> {
        let md = self
            .inner
            .client()
            .fetch_metadata(None, CONNECT_TIMEOUT)
            .map_err(|source| KafkaError::Client {
                context: "fetching metadata".into(),
                source,
            })?;
        Ok(md.topics().iter().map(|t| t.name().to_string()).collect())
    }

    /// Queue a record; appends to `done` the outcomes of earlier sends that completed to make room (a
    /// buffer the caller keeps and drains, so that a full window's worth allocates nothing).
    pub async fn send(&mut self, tag: T, record: &OutRecord, done: &mut Vec<Outcome<T>>) {
        while self.in_flight.len() >= self.max_in_flight {
            self.take_completed(done);
            if self.in_flight.len() >= self.max_in_flight {
                self.reports.arrived.notified().await;
            }
        }
        let seq = self.front_seq.wrapping_add(self.in_flight.len());
        let mut br: BaseRecord<'_, [u8], [u8], usize> = BaseRecord::with_opaque_to(&record.topic, seq);
        // librdkafka allocates a header list even for none; most records have none.
        if !record.headers.is_empty() {
            let mut headers = OwnedHeaders::new_with_capacity(record.headers.len());
            for h in &record.headers {
                headers = headers.insert(RdHeader {
                    key: &h.name,
                    value: h.value.as_deref(),
                });
            }
            br = br.headers(headers);
        }
        if let Some(k) = &record.key {
            br = br.key(k.as_slice());
        }
        if let Some(v) = &record.value {
            br = br.payload(v.as_slice());
        }
        if let Some(p) = record.partition {
            br = br.partition(p);
        }
        if let Some(ts) = record.timestamp {
            br = br.timestamp(ts);
        }
        loop {
            match self.inner.send(br) {
                Ok(()) => {
                    self.in_flight.push_back((tag, None));
                    return;
                }
                Err((RdError::MessageProduction(RDKafkaErrorCode::QueueFull), back)) => {
                    br = back;
                    // librdkafka's queue is full of earlier sends: wait for one to be reported (bounded,
                    // since the queue may hold sends this producer no longer tracks).
                    let _ = tokio::time::timeout(Duration::from_millis(10), self.reports.arrived.notified())
                        .await;
                    self.take_completed(done);
                }
                Err((source, _)) => {
                    done.push((
                        tag,
                        Err(KafkaError::Client {
                            context: format!("sending to `{}`", record.topic),
                            source,
                        }),
                    ));
                    return;
                }
            }
        }
    }

    /// Move the reports that arrived onto their sends, then hand back the sends at the front that have
    /// their outcome, in send order.
    fn take_completed(&mut self, out: &mut Vec<Outcome<T>>) {
        if let Ok(mut done) = self.reports.done.lock() {
            std::mem::swap(&mut *done, &mut self.taken);
        }
        for (seq, report) in self.taken.drain(..) {
            // Reports of sends forgotten by `discard_in_flight` fall outside the window.
            let index = seq.wrapping_sub(self.front_seq);
            if let Some(slot) = self.in_flight.get_mut(index) {
                slot.1 = Some(report);
            }
        }
        out.reserve(self.in_flight.iter().take_while(|(_, r)| r.is_some()).count());
        while self.in_flight.front().is_some_and(|(_, r)| r.is_some()) {
            let Some((tag, Some(report))) = self.in_flight.pop_front() else {
                break;
            };
            self.front_seq = self.front_seq.wrapping_add(1);
            out.push((tag, report.map_err(|e| delivery_error(*e))));
        }
    }

    /// Appends to `done` the outcomes of deliveries that have already completed, in send order, without
    /// waiting.
    pub fn completed(&mut self, done: &mut Vec<Outcome<T>>) {
        self.take_completed(done);
    }

    /// Deliveries still outstanding.
    pub fn in_flight(&self) -> usize {
        self.in_flight.len()
    }

    /// Forget deliveries whose transaction was aborted: their records will never be committed, and the
    /// source records they came from are read again.
    pub fn discard_in_flight(&mut self) -> usize {
        let n = self.in_flight.len();
        self.front_seq = self.front_seq.wrapping_add(n);
        self.in_flight.clear();
        n
    }

    /// Wait for every outstanding delivery.
    pub async fn flush(&mut self) -> Vec<Outcome<T>> {
        let mut done = Vec::with_capacity(self.in_flight.len());
        loop {
            self.take_completed(&mut done);
            if self.in_flight.is_empty() {
                return done;
            }
            self.reports.arrived.notified().await;
        }
    }
}

/// The transactions of a transactional producer (see [`Producer::connect_transactional`]). Cloning shares
/// the producer, so a rebalance callback can commit the open transaction before its partitions go.
#[derive(Clone)]
pub struct Transactions {
    inner: ThreadedProducer<DeliveryContext>,
}

impl std::fmt::Debug for Transactions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transactions").finish_non_exhaustive()
    }
}

fn txn_error(context: &str) -> impl FnOnce(RdError) -> KafkaError {
    let context = context.to_string();
    move |source| KafkaError::Client { context, source }
}

impl Transactions {
    /// Start a transaction: every record sent until [`commit`](Self::commit) or [`abort`](Self::abort)
    /// belongs to it.
    pub fn begin(&self) -> Result<(), KafkaError> {
        self.inner
            .begin_transaction()
            .map_err(txn_error("beginning a transaction"))
    }

    /// Commit the open transaction together with the consumer group's next positions
    /// `(topic, partition, next offset)`: the outputs become visible to `read_committed` readers and the
    /// source offsets advance in one atomic step. Waits for every record of the transaction.
    pub fn commit<C, K>(&self, consumer: &K, offsets: &[(String, i32, i64)]) -> Result<(), KafkaError>
    where
        C: ConsumerContext + 'static,
        K: Consumer<C>,
    {
        if !offsets.is_empty() {
            let tpl = partition_list(offsets).map_err(txn_error("committing a transaction"))?;
            let group = consumer.group_metadata().ok_or_else(|| KafkaError::Client {
                context: "committing a transaction: the consumer has no group metadata".into(),
                source: RdError::Canceled,
            })?;
            self.inner
                .send_offsets_to_transaction(&tpl, &group, TRANSACTION_TIMEOUT)
                .map_err(txn_error("adding source offsets to the transaction"))?;
        }
        self.inner
            .commit_transaction(TRANSACTION_TIMEOUT)
            .map_err(txn_error("committing a transaction"))
    }

    /// Abort the open transaction: its records are never shown to `read_committed` readers.
    pub fn abort(&self) -> Result<(), KafkaError> {
        self.inner
            .abort_transaction(TRANSACTION_TIMEOUT)
            .map_err(txn_error("aborting a transaction"))
    }
}
