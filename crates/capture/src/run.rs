//! The capture loop: snapshot, then streaming, with the slot advanced only behind Kafka's acks.
//!
//! Delivery: every Kafka record gets a sequence number; the producer hands outcomes back in send
//! order, so "acknowledged up to n" is one counter. Each transaction's commit is recorded as (number of
//! records sent so far, commit end LSN); once every record before that mark is acknowledged, the LSN
//! is stored in the stream's `SharedLsnFeedback`, which is the only thing the standby status updates
//! report as flushed (the slot's `confirmed_flush_lsn`). A crash therefore replays from the last
//! confirmed transaction: nothing is lost, but records of later transactions may be sent twice.
//! PostgreSQL cannot tell a replay from new data, so duplicates show downstream as repeated
//! (`source.txId`, `source.lsn`) pairs, which is how the restart test counts them. A delivery failure
//! stops the capture without advancing anything. The initial snapshot is guarded by a marker slot
//! (`source::snapshot_marker_slot`) so that a crash during it is detected and the snapshot retaken.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use pg_walstream::{
    CancellationToken, LogicalReplicationStream, PgReplicationConnection, ReplicationError,
    ReplicationStreamConfig, SharedLsnFeedback, SnapshotOutcome, StreamingMode,
};
use switchyard_kafka::{ClientConfig, OutRecord, Outcome, Producer};

use crate::catalog;
use crate::encode::Encoder;
use crate::error::CaptureError;
use crate::event::{ChangeRecord, EventBuilder, EventConfig, Op, Row, SourcePosition, TableSchemas};
use crate::source::{self, PgConfig};
use crate::unwrap::{UnwrapConfig, unwrap};

/// Everything a capture needs besides the Kafka client settings and the encoder.
#[derive(Debug, Clone)]
pub struct CaptureConfig {
    /// PostgreSQL side.
    pub pg: PgConfig,
    /// Event shape (the database name is filled in from the server).
    pub events: EventConfig,
    /// Flatten like `ExtractNewRecordState`.
    pub unwrap: Option<UnwrapConfig>,
    /// Emit `op:"t"` events for TRUNCATE (Debezium skips them by default).
    pub truncate: bool,
    /// Stop cleanly once nothing arrived for this long and everything is acknowledged.
    pub stop_after_idle: Option<Duration>,
    /// How often to print progress to stderr (`None` = never).
    pub progress: Option<Duration>,
    /// Called after every snapshot row, for a progress display (the crate draws nothing itself).
    pub on_snapshot_row: Option<SnapshotHook>,
}

/// Where the initial snapshot is: the table being read and how far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SnapshotTick<'a> {
    /// `schema.table` being read.
    pub table: &'a str,
    /// Its 1-based number among the tables read so far (tables without rows are not counted).
    pub table_number: usize,
    /// The number of tables in the snapshot.
    pub tables: usize,
    /// Rows of this table read so far.
    pub table_rows: u64,
    /// Whether this was the snapshot's last row.
    pub last: bool,
}

/// A snapshot progress callback (see [`CaptureConfig::on_snapshot_row`]).
#[derive(Clone)]
pub struct SnapshotHook(pub Arc<dyn Fn(SnapshotTick<'_>) + Send + Sync>);

impl std::fmt::Debug for SnapshotHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SnapshotHook")
    }
}

/// Counters of one capture run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counters {
    /// Snapshot rows (`op:"r"`).
    pub snapshot_rows: u64,
    /// Inserts (`c`).
    pub inserts: u64,
    /// Updates (`u`).
    pub updates: u64,
    /// Deletes (`d`).
    pub deletes: u64,
    /// Truncates (`t`).
    pub truncates: u64,
    /// Tombstones.
    pub tombstones: u64,
    /// Records handed to Kafka.
    pub sent: u64,
    /// Records Kafka acknowledged.
    pub acked: u64,
    /// Transactions committed in the stream.
    pub transactions: u64,
    /// Schemas registered.
    pub registered: u64,
    /// The last LSN reported as flushed to PostgreSQL.
    pub confirmed_lsn: u64,
    /// The LSN streaming started at (consistent point, or the slot's confirmed flush on restart).
    pub start_lsn: u64,
}

impl Counters {
    /// One progress line.
    pub fn line(&self) -> String {
        format!(
            "snapshot={} c={} u={} d={} t={} tombstones={} sent={} acked={} tx={} schemas={} confirmed_lsn={}",
            self.snapshot_rows,
            self.inserts,
            self.updates,
            self.deletes,
            self.truncates,
            self.tombstones,
            self.sent,
            self.acked,
            self.transactions,
            self.registered,
            pg_walstream::format_lsn(self.confirmed_lsn)
        )
    }
}

pub(crate) struct Pipeline {
    pub(crate) cfg: CaptureConfig,
    pub(crate) builder: EventBuilder,
    pub(crate) encoder: Encoder,
    pub(crate) producer: Producer<u64>,
    pub(crate) conn: PgReplicationConnection,
    pub(crate) tables: HashMap<(String, String), TableSchemas>,
    pub(crate) marks: VecDeque<(u64, u64)>,
    pub(crate) feedback: Option<Arc<SharedLsnFeedback>>,
    pub(crate) counters: Counters,
}

impl Pipeline {
    pub(crate) async fn emit(&mut self, records: Vec<ChangeRecord>) -> Result<(), CaptureError> {
        for rec in records {
            let rec = match &self.cfg.unwrap {
                Some(u) => match unwrap(rec, u) {
                    Some(r) => r,
                    None => continue,
                },
                None => rec,
            };
            match rec.op {
                Some(Op::Read) => self.counters.snapshot_rows += 1,
                Some(Op::Create) => self.counters.inserts += 1,
                Some(Op::Update) => self.counters.updates += 1,
                Some(Op::Delete) => self.counters.deletes += 1,
                Some(Op::Truncate) => self.counters.truncates += 1,
                None => self.counters.tombstones += 1,
            }
            let (key, value) = self.encoder.encode(&rec).await?;
            let out = OutRecord {
                topic: rec.topic.into(),
                partition: None,
                key,
                value,
                headers: Vec::new(),
                timestamp: None,
            };
            let seq = self.counters.sent;
            self.counters.sent += 1;
            let mut done = Vec::new();
            self.producer.send(seq, &out, &mut done).await;
            self.settle(done)?;
        }
        self.counters.registered = self.encoder.registered;
        Ok(())
    }

    /// Account for finished deliveries (in send order) and release the commit marks they cover.
    pub(crate) fn settle(&mut self, done: Vec<Outcome<u64>>) -> Result<(), CaptureError> {
        for (seq, res) in done {
            res?;
            self.counters.acked = seq + 1;
        }
        while let Some(&(upto, lsn)) = self.marks.front() {
            if upto > self.counters.acked {
                break;
            }
            self.marks.pop_front();
            if let Some(f) = &self.feedback {
                f.update_flushed_lsn(lsn);
                f.update_applied_lsn(lsn);
            }
            self.counters.confirmed_lsn = lsn;
        }
        Ok(())
    }

    pub(crate) fn schemas(&self, schema: &str, table: &str) -> Option<&TableSchemas> {
        self.tables.get(&(schema.to_string(), table.to_string()))
    }

    /// Re-read a table after a Relation message (columns may have changed).
    pub(crate) fn reload(&mut self, schema: &str, table: &str) -> Result<(), CaptureError> {
        let key = (schema.to_string(), table.to_string());
        if !self.tables.contains_key(&key) {
            return Ok(());
        }
        if let Some(t) = catalog::load_table(&mut self.conn, schema, table)? {
            self.tables
                .insert(key, TableSchemas::new(t, &self.builder.config));
        }
        Ok(())
    }

    pub(crate) fn progress(&self) {
        eprintln!("capture: {}", self.counters.line());
    }
}

/// Which `source.snapshot` value a snapshot row gets (Debezium's `SnapshotRecord`).
pub fn snapshot_marker(
    first_overall: bool,
    last_overall: bool,
    first_in_table: bool,
    last_in_table: bool,
) -> &'static str {
    if last_overall {
        "last"
    } else if first_overall {
        "first"
    } else if last_in_table {
        "last_in_data_collection"
    } else if first_in_table {
        "first_in_data_collection"
    } else {
        "true"
    }
}

fn now_us() -> i64 {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}

pub(crate) fn pg_err(context: &str) -> impl Fn(ReplicationError) -> CaptureError + '_ {
    move |e| CaptureError::postgres(context, e)
}

/// Run the initial snapshot through the slot's exported snapshot, emitting `op:"r"` records.
///
/// `pg_walstream` creates the slot (`EXPORT_SNAPSHOT`) and keeps the replication connection idle until
/// we are done; the rows are read by [`source::SnapshotReader`] in our table order (the library would
/// copy them alphabetically, Debezium follows `table.include.list`).
async fn snapshot(
    p: &mut Pipeline,
    stream: LogicalReplicationStream,
    order: &[(String, String)],
) -> Result<LogicalReplicationStream, CaptureError> {
    let outcome = stream
        .snapshot()
        .await
        .map_err(pg_err("creating the slot and exporting its snapshot"))?;
    let mut snap = match outcome {
        SnapshotOutcome::Unavailable(s) => return Ok(s),
        SnapshotOutcome::Available(s) => s,
    };
    let point = snap.consistent_point().0;
    p.counters.start_lsn = point;
    let name = snap
        .stream()
        .exported_snapshot_name()
        .map(str::to_string)
        .unwrap_or_default();
    let tables: Vec<_> = order
        .iter()
        .filter_map(|k| p.tables.get(k).map(|t| t.table.clone()))
        .collect();
    eprintln!(
        "capture: snapshot of {} table(s) at LSN {}",
        tables.len(),
        pg_walstream::format_lsn(point)
    );
    let table_count = tables.len();
    let mut reader = source::SnapshotReader::open(&p.cfg.pg.url, &name, tables)?;
    let ts_us = now_us();
    let mut held: Option<(String, String, Row)> = None;
    let mut first_overall = true;
    let mut first_in_table = true;
    let (mut table_number, mut table_rows, mut table_name) = (0usize, 0u64, String::new());
    loop {
        let next = reader.next_row()?.map(|(t, row)| (t.schema, t.name, row));
        if let Some((s, t, row)) = held.take() {
            let last_overall = next.is_none();
            let last_in_table = next.as_ref().is_none_or(|(ns, nt, _)| *ns != s || *nt != t);
            let marker = snapshot_marker(first_overall, last_overall, first_in_table, last_in_table);
            let pos = SourcePosition {
                ts_us,
                snapshot: marker,
                tx_id: reader.tx_id,
                lsn: i64::try_from(point).ok(),
                last_commit_lsn: None,
            };
            let records = match p.schemas(&s, &t) {
                Some(ts) => p.builder.change(ts, Op::Read, None, Some(&row), &pos)?,
                None => Vec::new(),
            };
            p.emit(records).await?;
            if let Some(hook) = &p.cfg.on_snapshot_row {
                if first_in_table {
                    table_number += 1;
                    table_rows = 0;
                    table_name = format!("{s}.{t}");
                }
                table_rows += 1;
                (hook.0)(SnapshotTick {
                    table: &table_name,
                    table_number,
                    tables: table_count,
                    table_rows,
                    last: last_overall,
                });
            }
            first_overall = false;
            first_in_table = last_in_table;
        }
        match next {
            Some(n) => held = Some(n),
            None => break,
        }
    }
    // the library copies nothing; finishing hands the stream back, ready to start at the consistent point
    snap.retain_tables(|_| false);
    let mut rows = snap.rows();
    while rows
        .next_row()
        .await
        .map_err(pg_err("finishing the snapshot"))?
        .is_some()
    {}
    rows.finish().await.map_err(pg_err("finishing the snapshot"))
}

/// Capture until `shutdown` fires (or the idle limit passes), returning the counters.
pub async fn run(
    cfg: CaptureConfig,
    kafka: &ClientConfig,
    encoder: Encoder,
    shutdown: CancellationToken,
) -> Result<Counters, CaptureError> {
    let mut conn = source::connect(&cfg.pg.url)?;
    let prepared = source::prepare(&mut conn, &cfg.pg)?;
    let mut events = cfg.events.clone();
    events.database = prepared.database.clone();
    let tables = prepared
        .catalog
        .into_iter()
        .map(|(k, t)| (k, TableSchemas::new(t, &events)))
        .collect();
    let producer = Producer::connect(kafka)?;
    let mut p = Pipeline {
        builder: EventBuilder { config: events },
        cfg,
        encoder,
        producer,
        conn,
        tables,
        marks: VecDeque::new(),
        feedback: None,
        counters: Counters::default(),
    };
    let config = ReplicationStreamConfig::builder(p.cfg.pg.slot.clone(), p.cfg.pg.publication.clone())
        .with_protocol_version(1)
        .with_streaming_mode(StreamingMode::Off)
        .with_feedback_interval(Duration::from_secs(1))
        .with_existing_slot_required(!p.cfg.pg.create);
    let conninfo = source::replication_conninfo(&p.cfg.pg.url);
    let stream = LogicalReplicationStream::new(&conninfo, config)
        .await
        .map_err(pg_err("opening the replication connection"))?;
    let mut stream = if prepared.slot_exists {
        stream
    } else {
        source::begin_snapshot_marker(&mut p.conn, &p.cfg.pg.slot)?;
        snapshot(&mut p, stream, &prepared.order).await?
    };
    let done = p.producer.flush().await;
    p.settle(done)?;
    if !prepared.slot_exists {
        // every snapshot record is acknowledged: from here a restart may resume from the slot
        source::end_snapshot_marker(&mut p.conn, &p.cfg.pg.slot)?;
    }
    if p.counters.snapshot_rows > 0 {
        eprintln!("capture: snapshot done: {} rows", p.counters.snapshot_rows);
    }
    stream.start(None).await.map_err(pg_err("starting replication"))?;
    if p.counters.start_lsn == 0
        && let Ok(Some(l)) = stream.slot_confirmed_flush_lsn().await
    {
        p.counters.start_lsn = l.0;
    }
    p.feedback = Some(stream.shared_lsn_feedback.clone());
    eprintln!(
        "capture: streaming from LSN {}",
        pg_walstream::format_lsn(p.counters.start_lsn)
    );
    crate::stream::stream_loop(&mut p, stream, shutdown).await?;
    Ok(p.counters)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_markers_follow_debezium() {
        // one table of three rows (the business_events fixture)
        assert_eq!(snapshot_marker(true, false, true, false), "first");
        assert_eq!(snapshot_marker(false, false, false, false), "true");
        assert_eq!(snapshot_marker(false, true, false, true), "last");
        // two tables of one row each (the orders fixture)
        assert_eq!(snapshot_marker(true, false, true, true), "first");
        assert_eq!(snapshot_marker(false, true, true, true), "last");
    }
}
