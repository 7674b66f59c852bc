//! At-least-once producing on a thread of its own.
//!
//! The pipeline thread reads, decodes, routes and encodes; handing each output to librdkafka (copying it
//! into a message, queueing it for its partition, waking the broker thread) and taking the delivery
//! reports back is a third of that thread's work again. Here it runs beside it: outputs are handed over
//! in batches (one channel message per [`BATCH`] outputs, the records moved, not copied), and this thread
//! sends them in order and records each acknowledgement in the shared [`OffsetTracker`]. The pipeline
//! thread registers every record's output count in the tracker before handing its outputs over, so an
//! offset is still committed only once every output from it and before it is acknowledged.
//!
//! A delivery that fails (after librdkafka's own retries) stops this thread; the pipeline thread learns it
//! at its next hand-off or flush and stops with that error, committing nothing past the failed record.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use switchyard_kafka::{OutRecord, Outcome, Producer};
use tokio::sync::{mpsc, oneshot};

use crate::run::RunError;
use crate::track::OffsetTracker;

/// A source record's position: what a delivery acknowledges.
pub(crate) type Tag = (i32, i64);

/// Outputs per hand-off.
const BATCH: usize = 256;

/// Hand-offs queued before the pipeline thread waits for this one.
const QUEUED: usize = 4;

enum Handoff {
    Batch(Vec<(Tag, OutRecord)>),
    /// Wait for every delivery so far, then answer.
    Flush(oneshot::Sender<()>),
}

/// The pipeline thread's end: collects outputs and hands them to the producing thread.
pub(crate) struct ProduceThread {
    tx: mpsc::Sender<Handoff>,
    /// Batches the producing thread emptied, for reuse.
    empties: std::sync::mpsc::Receiver<Vec<(Tag, OutRecord)>>,
    batch: Vec<(Tag, OutRecord)>,
    failure: Arc<Mutex<Option<RunError>>>,
}

impl std::fmt::Debug for ProduceThread {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProduceThread")
            .field("batch", &self.batch.len())
            .finish()
    }
}

impl ProduceThread {
    /// Start the producing thread with this producer, acknowledging into `tracker` for `topic`.
    pub(crate) fn spawn(
        producer: Producer<Tag>,
        tracker: Arc<Mutex<OffsetTracker>>,
        topic: String,
    ) -> Result<Self, RunError> {
        let (tx, mut rx) = mpsc::channel(QUEUED);
        let (give_back, empties) = std::sync::mpsc::sync_channel(QUEUED + 2);
        let failure = Arc::new(Mutex::new(None));
        let failed = failure.clone();
        std::thread::Builder::new()
            .name("sy-produce".into())
            .spawn(move || {
                // The failure is in its slot before `rx` is dropped: the pipeline thread, told so by its
                // next send, finds the reason there.
                let failure = |e: RunError| {
                    if let Ok(mut slot) = failed.lock() {
                        *slot = Some(e);
                    }
                };
                match tokio::runtime::Builder::new_current_thread()
                    .enable_time()
                    .build()
                {
                    Ok(rt) => {
                        if let Err(e) = rt.block_on(produce(producer, &mut rx, give_back, &tracker, &topic)) {
                            failure(e);
                        }
                    }
                    Err(e) => failure(RunError::Build(format!("starting the producing thread: {e}"))),
                }
                drop(rx);
            })
            .map_err(|e| RunError::Build(format!("starting the producing thread: {e}")))?;
        Ok(ProduceThread {
            tx,
            empties,
            batch: Vec::with_capacity(BATCH + 16),
            failure,
        })
    }

    /// Take this record's outputs (leaving `outputs` empty); a full batch is handed over.
    pub(crate) async fn push(&mut self, tag: Tag, outputs: &mut Vec<OutRecord>) -> Result<(), RunError> {
        self.batch.extend(outputs.drain(..).map(|o| (tag, o)));
        if self.batch.len() >= BATCH {
            self.hand_off().await?;
        }
        Ok(())
    }

    /// Hand over what was collected (done before the pipeline waits for input, so nothing lingers).
    pub(crate) async fn hand_off(&mut self) -> Result<(), RunError> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let fresh = self
            .empties
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(BATCH + 16));
        let full = std::mem::replace(&mut self.batch, fresh);
        if self.tx.send(Handoff::Batch(full)).await.is_err() {
            return Err(self.failure());
        }
        Ok(())
    }

    /// Hand over what was collected and wait until every delivery so far is acknowledged (and recorded
    /// in the tracker).
    pub(crate) async fn flush(&mut self) -> Result<(), RunError> {
        self.hand_off().await?;
        let (reply, done) = oneshot::channel();
        if self.tx.send(Handoff::Flush(reply)).await.is_err() || done.await.is_err() {
            return Err(self.failure());
        }
        Ok(())
    }

    /// Why the producing thread stopped.
    fn failure(&self) -> RunError {
        self.failure
            .lock()
            .ok()
            .and_then(|mut f| f.take())
            .unwrap_or_else(|| RunError::Build("the producing thread stopped".into()))
    }
}

/// The producing thread: sends every handed-over output in order and records each acknowledgement.
async fn produce(
    mut producer: Producer<Tag>,
    rx: &mut mpsc::Receiver<Handoff>,
    give_back: std::sync::mpsc::SyncSender<Vec<(Tag, OutRecord)>>,
    tracker: &Mutex<OffsetTracker>,
    topic: &str,
) -> Result<(), RunError> {
    let mut acks = Vec::new();
    loop {
        // Reports keep being taken in while nothing is handed over, so offsets become committable.
        match tokio::time::timeout(Duration::from_millis(100), rx.recv()).await {
            Ok(Some(Handoff::Batch(mut batch))) => {
                for (tag, out) in batch.drain(..) {
                    producer.send(tag, &out, &mut acks).await;
                    acknowledge(&mut acks, tracker, topic)?;
                }
                // A full return queue means the pipeline has spares: drop this one.
                let _ = give_back.try_send(batch);
            }
            Ok(Some(Handoff::Flush(reply))) => {
                let mut done = producer.flush().await;
                acknowledge(&mut done, tracker, topic)?;
                let _ = reply.send(());
            }
            Ok(None) => {
                let mut done = producer.flush().await;
                return acknowledge(&mut done, tracker, topic);
            }
            Err(_) => {
                producer.completed(&mut acks);
                acknowledge(&mut acks, tracker, topic)?;
            }
        }
    }
}

/// Records the outcomes in `done` (drained) as acknowledgements; a failed delivery is fatal: its offset
/// is never committed, so the record is read again after a restart rather than lost.
fn acknowledge(
    done: &mut Vec<Outcome<Tag>>,
    tracker: &Mutex<OffsetTracker>,
    topic: &str,
) -> Result<(), RunError> {
    if done.is_empty() {
        return Ok(());
    }
    let Ok(mut t) = tracker.lock() else { return Ok(()) };
    for ((partition, offset), result) in done.drain(..) {
        result?;
        t.acked(topic, partition, offset);
    }
    Ok(())
}
