//! Debezium's PostgreSQL change events as Connect records: key, envelope value and tombstone.
//!
//! [`TableSchemas`] is computed once per table (and again on a schema change): the key struct of the
//! primary key, the row struct `<prefix>.<schema>.<table>.Value`, the `io.debezium.connector.postgresql.Source`
//! block and the `Envelope` (version 2). [`EventBuilder::change`] then turns a row image into the
//! records Debezium emits for it, in Debezium's field order, so that any converter writes the same text.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use crate::catalog::Table;
use crate::connect::{ConnectRecord, ConnectSchema, ConnectType as T};
use crate::error::CaptureError;
use crate::types::{self, TypeOptions};

/// One column value of a row image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// SQL NULL.
    Null,
    /// The text form PostgreSQL sent.
    Text(String),
    /// An unchanged TOASTed value pgoutput did not send.
    Unchanged,
}

/// A row image: column name → value. A column absent from the map is [`Cell::Unchanged`].
pub type Row = HashMap<String, Cell>;

/// Debezium's operation codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// Snapshot read (`r`).
    Read,
    /// Insert (`c`).
    Create,
    /// Update (`u`).
    Update,
    /// Delete (`d`).
    Delete,
    /// Truncate (`t`).
    Truncate,
}

impl Op {
    /// The `op` letter.
    pub fn code(self) -> &'static str {
        match self {
            Op::Read => "r",
            Op::Create => "c",
            Op::Update => "u",
            Op::Delete => "d",
            Op::Truncate => "t",
        }
    }
}

/// What the `source` block says about one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourcePosition {
    /// Commit time (streaming) or snapshot time, µs since the epoch.
    pub ts_us: i64,
    /// `source.snapshot`: `first`, `true`, `last`, `first_in_data_collection`, `last_in_data_collection`, `false`.
    pub snapshot: &'static str,
    /// Transaction id.
    pub tx_id: Option<i64>,
    /// LSN of the change (of the consistent point for a snapshot).
    pub lsn: Option<i64>,
    /// LSN of the last commit before this event, for `sequence`.
    pub last_commit_lsn: Option<i64>,
}

/// Settings that shape every event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventConfig {
    /// `topic.prefix`; topics are `<prefix>.<schema>.<table>`, `source.name` is the prefix.
    pub topic_prefix: String,
    /// `source.db`.
    pub database: String,
    /// `source.version` (Debezium's release, so consumers that check it see a known one).
    pub connector_version: String,
    /// Type mapping.
    pub types: TypeOptions,
    /// Emit a tombstone after each delete (`tombstones.on.delete`, default true).
    pub tombstones_on_delete: bool,
}

/// The Connect schemas of one table's events.
#[derive(Debug, Clone)]
pub struct TableSchemas {
    /// The table.
    pub table: Table,
    /// Kafka topic.
    pub topic: String,
    /// Key struct (`None` without a primary key: Debezium writes a null key).
    pub key: Option<ConnectSchema>,
    /// Row struct (optional, as `before`/`after` are).
    pub row: ConnectSchema,
    /// Envelope.
    pub envelope: ConnectSchema,
}

/// The `source` block's schema.
pub fn source_schema() -> ConnectSchema {
    let s = |k: T, opt: bool| ConnectSchema::new(k, opt);
    let mut snapshot = ConnectSchema::logical(T::String, true, "io.debezium.data.Enum");
    snapshot.parameters = vec![(
        "allowed".into(),
        "true,first,first_in_data_collection,last_in_data_collection,last,false,incremental".into(),
    )];
    snapshot.default = Some(json!("false"));
    let fields = vec![
        ("version", s(T::String, false)),
        ("connector", s(T::String, false)),
        ("name", s(T::String, false)),
        ("ts_ms", s(T::Int64, false)),
        ("snapshot", snapshot),
        ("db", s(T::String, false)),
        ("sequence", s(T::String, true)),
        ("ts_us", s(T::Int64, true)),
        ("ts_ns", s(T::Int64, true)),
        ("schema", s(T::String, false)),
        ("table", s(T::String, false)),
        ("txId", s(T::Int64, true)),
        ("lsn", s(T::Int64, true)),
        ("xmin", s(T::Int64, true)),
        ("origin", s(T::String, true)),
        ("origin_lsn", s(T::Int64, true)),
    ];
    let mut src = ConnectSchema::structure(
        "io.debezium.connector.postgresql.Source",
        false,
        fields.into_iter().map(|(n, s)| (n.to_string(), s)).collect(),
    );
    src.version = Some(1);
    src
}

fn transaction_schema() -> ConnectSchema {
    let mut t = ConnectSchema::structure(
        "event.block",
        true,
        vec![
            ("id".into(), ConnectSchema::new(T::String, false)),
            ("total_order".into(), ConnectSchema::new(T::Int64, false)),
            (
                "data_collection_order".into(),
                ConnectSchema::new(T::Int64, false),
            ),
        ],
    );
    t.version = Some(1);
    t
}

impl TableSchemas {
    /// Derive the schemas of `table`'s events.
    pub fn new(table: Table, cfg: &EventConfig) -> Self {
        let base = format!("{}.{}.{}", cfg.topic_prefix, table.schema, table.name);
        let fields: Vec<(String, ConnectSchema)> = table
            .columns
            .iter()
            .map(|c| (c.name.clone(), types::column_schema(c, &cfg.types)))
            .collect();
        let key_cols = table.key_columns();
        let key = (!key_cols.is_empty()).then(|| {
            let kf = key_cols
                .iter()
                .filter_map(|c| fields.iter().find(|(n, _)| *n == c.name).cloned())
                .collect();
            ConnectSchema::structure(&format!("{base}.Key"), false, kf)
        });
        let row = ConnectSchema::structure(&format!("{base}.Value"), true, fields);
        let mut envelope = ConnectSchema::structure(
            &format!("{base}.Envelope"),
            false,
            vec![
                ("before".into(), row.clone()),
                ("after".into(), row.clone()),
                ("source".into(), source_schema()),
                ("transaction".into(), transaction_schema()),
                ("op".into(), ConnectSchema::new(T::String, false)),
                ("ts_ms".into(), ConnectSchema::new(T::Int64, true)),
                ("ts_us".into(), ConnectSchema::new(T::Int64, true)),
                ("ts_ns".into(), ConnectSchema::new(T::Int64, true)),
            ],
        );
        envelope.version = Some(2);
        TableSchemas {
            table,
            topic: base,
            key,
            row,
            envelope,
        }
    }

    /// The row struct value for an image. `key_only` images (a DEFAULT replica identity's delete)
    /// carry real values only for key columns; NOT NULL columns get placeholders as in Debezium.
    fn row_value(&self, row: &Row, key_only: bool, o: &TypeOptions) -> Result<Value, CaptureError> {
        let mut m = Map::new();
        for (col, (name, schema)) in self.table.columns.iter().zip(&self.row.fields) {
            let v = if key_only && col.pk_position.is_none() {
                if schema.optional {
                    Value::Null
                } else {
                    types::placeholder(schema)
                }
            } else {
                match row.get(&col.name).unwrap_or(&Cell::Unchanged) {
                    Cell::Null => Value::Null,
                    Cell::Text(t) => types::to_value(col, schema, t, o)?,
                    Cell::Unchanged => types::unavailable_value(schema),
                }
            };
            m.insert(name.clone(), v);
        }
        Ok(Value::Object(m))
    }

    fn key_value(&self, row: &Row, o: &TypeOptions) -> Result<Option<ConnectRecord>, CaptureError> {
        let Some(key) = &self.key else { return Ok(None) };
        let mut m = Map::new();
        for (name, schema) in &key.fields {
            let col = self.table.columns.iter().find(|c| &c.name == name);
            let v = match (col, row.get(name)) {
                (Some(col), Some(Cell::Text(t))) => types::to_value(col, schema, t, o)?,
                _ => Value::Null,
            };
            m.insert(name.clone(), v);
        }
        Ok(Some(ConnectRecord {
            schema: key.clone(),
            value: Value::Object(m),
        }))
    }
}

/// One Kafka record to be: topic, key and value as Connect records (`value: None` = tombstone).
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeRecord {
    /// Topic.
    pub topic: String,
    /// Key (`None` for a keyless table or a truncate).
    pub key: Option<ConnectRecord>,
    /// Value (`None` for a tombstone).
    pub value: Option<ConnectRecord>,
    /// The operation, for flattening and counters (`None` for a tombstone).
    pub op: Option<Op>,
}

/// Builds events with a fixed configuration.
#[derive(Debug, Clone)]
pub struct EventBuilder {
    /// The configuration.
    pub config: EventConfig,
}

fn now_ns() -> i64 {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(d.as_nanos()).unwrap_or(i64::MAX)
}

impl EventBuilder {
    fn source_value(&self, t: &TableSchemas, pos: &SourcePosition) -> Value {
        let seq = format!(
            "[{},{}]",
            pos.last_commit_lsn
                .map_or("null".to_string(), |l| format!("\"{l}\"")),
            pos.lsn.map_or("null".to_string(), |l| format!("\"{l}\""))
        );
        json!({
            "version": self.config.connector_version,
            "connector": "postgresql",
            "name": self.config.topic_prefix,
            "ts_ms": pos.ts_us.div_euclid(1000),
            "snapshot": pos.snapshot,
            "db": self.config.database,
            "sequence": seq,
            "ts_us": pos.ts_us,
            "ts_ns": pos.ts_us.saturating_mul(1000),
            "schema": t.table.schema,
            "table": t.table.name,
            "txId": pos.tx_id,
            "lsn": pos.lsn,
            "xmin": null,
            "origin": null,
            "origin_lsn": null,
        })
    }

    /// The records Debezium emits for one change: the envelope, plus a tombstone after a delete.
    /// `before` is the old image pgoutput sent (full with REPLICA IDENTITY FULL, key-only otherwise).
    pub fn change(
        &self,
        t: &TableSchemas,
        op: Op,
        before: Option<&Row>,
        after: Option<&Row>,
        pos: &SourcePosition,
    ) -> Result<Vec<ChangeRecord>, CaptureError> {
        let o = &self.config.types;
        let full = t.table.replica_identity == 'f';
        // A primary-key change is a delete of the old key (and its tombstone) plus a create, as Debezium emits it.
        if op == Op::Update
            && let (Some(b), Some(a)) = (before, after)
            && t.key.is_some()
            && t.key_value(b, o)? != t.key_value(a, o)?
        {
            let mut out = self.change(t, Op::Delete, Some(b), None, pos)?;
            out.extend(self.change(t, Op::Create, None, Some(a), pos)?);
            return Ok(out);
        }
        let before_v = match (op, before) {
            (Op::Update, Some(b)) if full => t.row_value(b, false, o)?,
            (Op::Delete, Some(b)) => t.row_value(b, !full, o)?,
            _ => Value::Null,
        };
        let after_v = match after {
            Some(a) if op != Op::Delete && op != Op::Truncate => t.row_value(a, false, o)?,
            _ => Value::Null,
        };
        let key = match op {
            Op::Truncate => None,
            Op::Delete => before.map(|b| t.key_value(b, o)).transpose()?.flatten(),
            _ => after.map(|a| t.key_value(a, o)).transpose()?.flatten(),
        };
        let ns = now_ns();
        let value = json!({
            "before": before_v,
            "after": after_v,
            "source": self.source_value(t, pos),
            "transaction": null,
            "op": op.code(),
            "ts_ms": ns.div_euclid(1_000_000),
            "ts_us": ns.div_euclid(1000),
            "ts_ns": ns,
        });
        let mut out = vec![ChangeRecord {
            topic: t.topic.clone(),
            key: key.clone(),
            value: Some(ConnectRecord {
                schema: t.envelope.clone(),
                value,
            }),
            op: Some(op),
        }];
        if op == Op::Delete && self.config.tombstones_on_delete {
            out.push(ChangeRecord {
                topic: t.topic.clone(),
                key,
                value: None,
                op: None,
            });
        }
        Ok(out)
    }
}
