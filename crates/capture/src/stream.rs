//! The streaming half of a capture: a task reads the replication stream and hands events over a
//! bounded channel, while the main loop turns them into records, polls Kafka's acknowledgements every
//! 100 ms (so an idle stream still confirms its last transactions) and stops on request or when idle.
//! The reader ends with `stop()`, whose final standby status update reports the last acknowledged LSN.

use std::time::{Duration, Instant};

use pg_walstream::{CancellationToken, EventType, LogicalReplicationStream, ReplicationError};
use tokio::sync::mpsc;

use crate::error::CaptureError;
use crate::event::{Op, SourcePosition};
use crate::run::Pipeline;
use crate::source;

pub(crate) async fn stream_loop(
    p: &mut Pipeline,
    mut stream: LogicalReplicationStream,
    shutdown: CancellationToken,
) -> Result<(), CaptureError> {
    let (tx, mut rx) = mpsc::channel(1024);
    let reader_token = CancellationToken::new();
    let token = reader_token.clone();
    let reader = tokio::spawn(async move {
        loop {
            match stream.next_event(&token).await {
                Ok(ev) => {
                    if tx.send(Ok(ev)).await.is_err() {
                        break;
                    }
                }
                Err(ReplicationError::Cancelled(_)) => break,
                Err(e) => {
                    let _ = tx.send(Err(e)).await;
                    break;
                }
            }
        }
        // the final standby status update reports the last acknowledged LSN
        let _ = stream.stop().await;
    });
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    let mut last_activity = Instant::now();
    let mut last_progress = Instant::now();
    let mut tx_state = TxState::default();
    let result: Result<(), CaptureError> = loop {
        tokio::select! {
            _ = shutdown.cancelled() => break Ok(()),
            ev = rx.recv() => match ev {
                None => break Err(CaptureError::postgres("streaming", "the replication stream ended")),
                Some(Err(e)) => break Err(CaptureError::postgres("streaming", e)),
                Some(Ok(ev)) => {
                    last_activity = Instant::now();
                    if let Err(e) = on_event(p, &mut tx_state, ev).await {
                        break Err(e);
                    }
                }
            },
            _ = tick.tick() => {
                let mut done = Vec::new();
                p.producer.completed(&mut done);
                if let Err(e) = p.settle(done) {
                    break Err(e);
                }
                if let Some(every) = p.cfg.progress
                    && last_progress.elapsed() >= every
                {
                    p.progress();
                    last_progress = Instant::now();
                }
                if let Some(idle) = p.cfg.stop_after_idle
                    && last_activity.elapsed() >= idle
                    && p.producer.in_flight() == 0
                    && p.marks.is_empty()
                {
                    break Ok(());
                }
            }
        }
    };
    let done = p.producer.flush().await;
    let settled = p.settle(done);
    reader_token.cancel();
    drop(rx);
    let _ = reader.await;
    p.progress();
    result.and(settled)
}

#[derive(Debug, Default)]
struct TxState {
    xid: Option<i64>,
    commit_us: i64,
    last_commit_lsn: Option<i64>,
}

async fn on_event(
    p: &mut Pipeline,
    tx: &mut TxState,
    ev: pg_walstream::ChangeEvent,
) -> Result<(), CaptureError> {
    let lsn = i64::try_from(ev.lsn.0).ok();
    let pos = |tx: &TxState| SourcePosition {
        ts_us: tx.commit_us,
        snapshot: "false",
        tx_id: tx.xid,
        lsn,
        last_commit_lsn: tx.last_commit_lsn,
    };
    let (op, schema, table, before, after) = match ev.event_type {
        EventType::Begin {
            transaction_id,
            commit_timestamp,
            ..
        } => {
            tx.xid = Some(i64::from(transaction_id));
            tx.commit_us = commit_timestamp.timestamp_micros();
            return Ok(());
        }
        EventType::Commit {
            commit_lsn, end_lsn, ..
        } => {
            p.counters.transactions += 1;
            tx.last_commit_lsn = i64::try_from(commit_lsn.0).ok();
            p.marks.push_back((p.counters.sent, end_lsn.0));
            let mut done = Vec::new();
            p.producer.completed(&mut done);
            return p.settle(done);
        }
        EventType::Relation {
            namespace,
            relation_name,
            ..
        } => return p.reload(&namespace, &relation_name),
        EventType::Insert {
            schema, table, data, ..
        } => (Op::Create, schema, table, None, Some(source::row(&data))),
        EventType::Update {
            schema,
            table,
            old_data,
            new_data,
            ..
        } => (
            Op::Update,
            schema,
            table,
            old_data.as_ref().map(source::row),
            Some(source::row(&new_data)),
        ),
        EventType::Delete {
            schema,
            table,
            old_data,
            ..
        } => (Op::Delete, schema, table, Some(source::row(&old_data)), None),
        EventType::Truncate { tables, .. } => {
            if !p.cfg.truncate {
                return Ok(());
            }
            let position = pos(tx);
            for qualified in tables {
                let (s, t) = source::split_table(&qualified);
                let records = match p.schemas(&s, &t) {
                    Some(ts) => p.builder.change(ts, Op::Truncate, None, None, &position)?,
                    None => continue,
                };
                p.emit(records).await?;
            }
            return Ok(());
        }
        _ => return Ok(()),
    };
    let position = pos(tx);
    let records = match p.schemas(&schema, &table) {
        Some(ts) => p
            .builder
            .change(ts, op, before.as_ref(), after.as_ref(), &position)?,
        None => return Ok(()),
    };
    p.emit(records).await
}
