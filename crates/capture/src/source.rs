//! The PostgreSQL side: connection strings, publication and slot setup, the catalog of captured
//! tables, and pgoutput row images → [`Row`]s.
//!
//! Library choice: `pg_walstream` (crates.io, BSD-3-Clause), with its `libpq` backend. It speaks the
//! streaming-replication protocol (`START_REPLICATION … pgoutput`, keepalives, standby status
//! updates), decodes pgoutput into typed events, and — the deciding point — implements the exported
//! snapshot hand-off (`CREATE_REPLICATION_SLOT … EXPORT_SNAPSHOT`, a second connection doing
//! `SET TRANSACTION SNAPSHOT` inside `REPEATABLE READ`, then streaming from the slot's consistent
//! point) with the ordering enforced by its types. Its flush position is only what the caller stores
//! in `SharedLsnFeedback`, which is exactly the hook "advance the slot only after Kafka acknowledged"
//! needs. `tokio-postgres` has no replication protocol (CopyBoth) in its released versions, so it
//! would have meant hand-writing the walsender protocol and the pgoutput decoder. The `libpq`
//! backend links the system libpq (`libpq-dev`), already needed on this kind of machine, instead of
//! building `aws-lc-rs` (cmake) for the default rustls backend.

use pg_walstream::{ColumnValue, PgReplicationConnection, RowData};

use crate::catalog::{self, Catalog, Table, ident, literal};
use crate::error::CaptureError;
use crate::event::{Cell, Row};

/// Where and what to capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgConfig {
    /// libpq connection string or URI (`postgresql://user@host:port/db`).
    pub url: String,
    /// Publication name.
    pub publication: String,
    /// Replication slot name.
    pub slot: String,
    /// Tables to capture (`schema.table` or `table` for `public`); empty = every table of the publication.
    pub tables: Vec<String>,
    /// Create the publication and the slot when missing.
    pub create: bool,
}

fn add_param(url: &str, uri_param: &str, kv_param: &str) -> String {
    let t = url.trim();
    if t.starts_with("postgresql://") || t.starts_with("postgres://") {
        let sep = if t.contains('?') { '&' } else { '?' };
        format!("{t}{sep}{uri_param}")
    } else {
        format!("{t} {kv_param}")
    }
}

/// The connection string with `TimeZone=UTC` pinned (temporal values then arrive as `+00`).
pub fn plain_conninfo(url: &str) -> String {
    add_param(url, "options=-c%20TimeZone%3DUTC", "options='-c TimeZone=UTC'")
}

/// The replication (`replication=database`) connection string.
pub fn replication_conninfo(url: &str) -> String {
    add_param(
        &plain_conninfo(url),
        "replication=database",
        "replication=database",
    )
}

/// `schema.table` or `table` → (schema, table).
pub fn split_table(name: &str) -> (String, String) {
    match name.split_once('.') {
        Some((s, t)) => (s.to_string(), t.to_string()),
        None => ("public".to_string(), name.to_string()),
    }
}

/// Connect a plain (non-replication) session.
pub fn connect(url: &str) -> Result<PgReplicationConnection, CaptureError> {
    PgReplicationConnection::connect(&plain_conninfo(url))
        .map_err(|e| CaptureError::postgres("connecting", e))
}

/// What [`prepare`] found or made.
#[derive(Debug)]
pub struct Prepared {
    /// `current_database()`.
    pub database: String,
    /// Whether the slot exists already (then streaming resumes at its confirmed flush LSN, no snapshot).
    pub slot_exists: bool,
    /// The captured tables.
    pub catalog: Catalog,
    /// Snapshot order: `--tables` order when given (as Debezium follows `table.include.list`), else by name.
    pub order: Vec<(String, String)>,
}

/// Check (and with `create`, make) the publication; check the slot; read the captured tables.
pub fn prepare(conn: &mut PgReplicationConnection, cfg: &PgConfig) -> Result<Prepared, CaptureError> {
    let database = catalog::query(conn, "SELECT current_database()")?
        .into_iter()
        .next()
        .and_then(|r| r.into_iter().next().flatten())
        .unwrap_or_default();
    let wanted: Vec<(String, String)> = cfg.tables.iter().map(|t| split_table(t)).collect();
    let has_pub = !catalog::query(
        conn,
        &format!(
            "SELECT 1 FROM pg_publication WHERE pubname = {}",
            literal(&cfg.publication)
        ),
    )?
    .is_empty();
    if !has_pub {
        if !cfg.create {
            return Err(CaptureError::config(
                format!("publication `{}` does not exist", cfg.publication),
                Some("pass --create to create it (FOR TABLE the --tables, or FOR ALL TABLES without them)"),
            ));
        }
        let target = if wanted.is_empty() {
            "ALL TABLES".to_string()
        } else {
            let list: Vec<String> = wanted
                .iter()
                .map(|(s, t)| format!("{}.{}", ident(s), ident(t)))
                .collect();
            format!("TABLE {}", list.join(", "))
        };
        catalog::query(
            conn,
            &format!("CREATE PUBLICATION {} FOR {target}", ident(&cfg.publication)),
        )?;
    }
    let mut slot_exists = slot_present(conn, &cfg.slot)?;
    let marker = snapshot_marker_slot(&cfg.slot);
    if slot_present(conn, &marker)? {
        // the marker outlived its snapshot: the previous run died before the snapshot was delivered
        if slot_exists {
            if !cfg.create {
                return Err(CaptureError::config(
                    format!(
                        "the initial snapshot of slot `{}` never completed (a previous run stopped during it)",
                        cfg.slot
                    ),
                    Some("pass --create to drop the slot and take the snapshot again"),
                ));
            }
            eprintln!(
                "capture: the previous snapshot of slot `{}` did not complete: dropping the slot to take it again",
                cfg.slot
            );
            drop_slot(conn, &cfg.slot)?;
            slot_exists = false;
        }
        drop_slot(conn, &marker)?;
    }
    if !slot_exists && !cfg.create {
        return Err(CaptureError::config(
            format!("replication slot `{}` does not exist", cfg.slot),
            Some("pass --create to create it (and take the initial snapshot)"),
        ));
    }
    let mut tables = catalog::publication_tables(conn, &cfg.publication)?;
    if !wanted.is_empty() {
        for w in &wanted {
            if !tables.contains(w) {
                return Err(CaptureError::config(
                    format!(
                        "table `{}.{}` is not in publication `{}`",
                        w.0, w.1, cfg.publication
                    ),
                    Some("ALTER PUBLICATION … ADD TABLE it, or drop it from --tables"),
                ));
            }
        }
        tables = wanted.clone();
    }
    let mut cat = Catalog::new();
    for (s, t) in &tables {
        if let Some(table) = catalog::load_table(conn, s, t)? {
            cat.insert((s.clone(), t.clone()), table);
        }
    }
    Ok(Prepared {
        database,
        slot_exists,
        catalog: cat,
        order: tables,
    })
}

/// Reads the initial snapshot through an exported snapshot: `REPEATABLE READ`, `SET TRANSACTION
/// SNAPSHOT`, then each table through a cursor (bounded memory), in the order given.
pub struct SnapshotReader {
    conn: PgReplicationConnection,
    tables: std::collections::VecDeque<Table>,
    current: Option<Table>,
    buffered: std::collections::VecDeque<Row>,
    /// `txid_snapshot_xmax` of the imported snapshot (Debezium's snapshot `txId`).
    pub tx_id: Option<i64>,
}

impl std::fmt::Debug for SnapshotReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SnapshotReader")
            .field("table", &self.current.as_ref().map(|t| &t.name))
            .field("tables_left", &self.tables.len())
            .finish()
    }
}

const FETCH: usize = 1000;

impl SnapshotReader {
    /// Open a reader pinned to `snapshot_name`.
    pub fn open(url: &str, snapshot_name: &str, tables: Vec<Table>) -> Result<Self, CaptureError> {
        let mut conn = connect(url)?;
        catalog::query(&mut conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")?;
        catalog::query(
            &mut conn,
            &format!("SET TRANSACTION SNAPSHOT {}", literal(snapshot_name)),
        )?;
        let tx_id = catalog::query(&mut conn, "SELECT txid_snapshot_xmax(txid_current_snapshot())")?
            .into_iter()
            .next()
            .and_then(|r| r.into_iter().next().flatten())
            .and_then(|s| s.parse().ok());
        Ok(SnapshotReader {
            conn,
            tables: tables.into(),
            current: None,
            buffered: Default::default(),
            tx_id,
        })
    }

    /// The next row and the table it belongs to; `None` at the end (the transaction is then closed).
    pub fn next_row(&mut self) -> Result<Option<(Table, Row)>, CaptureError> {
        loop {
            if let (Some(t), Some(r)) = (&self.current, self.buffered.pop_front()) {
                return Ok(Some((t.clone(), r)));
            }
            if let Some(t) = &self.current {
                let rows =
                    catalog::query(&mut self.conn, &format!("FETCH {FETCH} FROM switchyard_snapshot"))?;
                if !rows.is_empty() {
                    for r in rows {
                        let row = t
                            .columns
                            .iter()
                            .zip(r)
                            .map(|(c, v)| (c.name.clone(), v.map_or(Cell::Null, Cell::Text)))
                            .collect();
                        self.buffered.push_back(row);
                    }
                    continue;
                }
                catalog::query(&mut self.conn, "CLOSE switchyard_snapshot")?;
                self.current = None;
            }
            let Some(next) = self.tables.pop_front() else {
                catalog::query(&mut self.conn, "COMMIT")?;
                return Ok(None);
            };
            let cols: Vec<String> = next.columns.iter().map(|c| ident(&c.name)).collect();
            catalog::query(
                &mut self.conn,
                &format!(
                    "DECLARE switchyard_snapshot NO SCROLL CURSOR FOR SELECT {} FROM {}.{}",
                    cols.join(", "),
                    ident(&next.schema),
                    ident(&next.name)
                ),
            )?;
            self.current = Some(next);
        }
    }
}

fn slot_present(conn: &mut PgReplicationConnection, slot: &str) -> Result<bool, CaptureError> {
    let sql = format!(
        "SELECT 1 FROM pg_replication_slots WHERE slot_name = {}",
        literal(slot)
    );
    Ok(!catalog::query(conn, &sql)?.is_empty())
}

/// Drop a slot, first ending a walsender that still holds it (a killed capture's may linger).
fn drop_slot(conn: &mut PgReplicationConnection, slot: &str) -> Result<(), CaptureError> {
    let sql = format!(
        "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = {0} AND active_pid IS NOT NULL",
        literal(slot)
    );
    catalog::query(conn, &sql)?;
    let mut last = None;
    for _ in 0..50 {
        match catalog::query(
            conn,
            &format!("SELECT pg_drop_replication_slot({})", literal(slot)),
        ) {
            Ok(_) => return Ok(()),
            Err(e) => last = Some(e),
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    Err(last.unwrap_or_else(|| CaptureError::config(format!("cannot drop slot `{slot}`"), None)))
}

/// The name of the marker slot that exists exactly while `slot`'s initial snapshot is in progress.
///
/// A crash during the snapshot must not leave a logical slot that a restart would resume from with no
/// baseline. The marker is a physical slot created without reserving WAL (so it costs nothing and
/// needs only the REPLICATION attribute the capture already has): created before the logical slot,
/// dropped once every snapshot record is acknowledged. A restart that finds it knows the snapshot is
/// incomplete.
pub fn snapshot_marker_slot(slot: &str) -> String {
    let stem: String = slot.chars().take(54).collect();
    format!("{stem}_snapshot")
}

/// Create the snapshot marker (see [`snapshot_marker_slot`]).
pub fn begin_snapshot_marker(conn: &mut PgReplicationConnection, slot: &str) -> Result<(), CaptureError> {
    let sql = format!(
        "SELECT pg_create_physical_replication_slot({}, false)",
        literal(&snapshot_marker_slot(slot))
    );
    catalog::query(conn, &sql).map(|_| ())
}

/// Drop the snapshot marker once the snapshot is delivered.
pub fn end_snapshot_marker(conn: &mut PgReplicationConnection, slot: &str) -> Result<(), CaptureError> {
    drop_slot(conn, &snapshot_marker_slot(slot))
}

/// A pgoutput / snapshot row image as a [`Row`] (columns pgoutput skipped stay absent = unchanged TOAST).
pub fn row(data: &RowData) -> Row {
    data.iter()
        .map(|(name, v)| {
            let cell = match v {
                ColumnValue::Null => Cell::Null,
                ColumnValue::Text(b) | ColumnValue::Binary(b) => {
                    Cell::Text(String::from_utf8_lossy(b).into_owned())
                }
            };
            (name.to_string(), cell)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conninfo_gets_utc_and_replication() {
        assert_eq!(
            replication_conninfo("postgresql://u@h:1/db"),
            "postgresql://u@h:1/db?options=-c%20TimeZone%3DUTC&replication=database"
        );
        assert_eq!(
            plain_conninfo("host=h port=1"),
            "host=h port=1 options='-c TimeZone=UTC'"
        );
        assert_eq!(split_table("orders"), ("public".into(), "orders".into()));
    }
}
