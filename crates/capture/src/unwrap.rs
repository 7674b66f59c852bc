//! Flattening like Debezium's `ExtractNewRecordState` SMT: the value becomes the `after` row (or the
//! `before` row of a rewritten delete) plus requested metadata fields.
//!
//! Matches the fixtures of Debezium 3.6.3: the flat struct is `<prefix>.<schema>.<table>.Value` with
//! `optional:false`; added fields are optional, named `<prefix><field>` (`source.ts_ms` →
//! `__source_ts_ms`), typed like the field they copy; `rewrite` puts `__deleted` before them. In the
//! default `tombstone` mode the delete becomes a record with the row schema and a null value and the
//! connector's own tombstone is dropped; `drop` drops both.

use serde_json::{Map, Value, json};

use crate::connect::{ConnectRecord, ConnectSchema, ConnectType};
use crate::event::{ChangeRecord, Op};

/// `delete.tombstone.handling.mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DeleteHandling {
    /// The delete becomes a null value (default).
    #[default]
    Tombstone,
    /// The delete becomes the before-image with `__deleted:"true"`.
    Rewrite,
    /// Deletes are dropped.
    Drop,
}

/// `ExtractNewRecordState` settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnwrapConfig {
    /// `add.fields`: envelope fields (`op`, `ts_ms`) or source fields (`table`, `lsn`, `source.ts_ms`).
    pub add_fields: Vec<String>,
    /// `add.fields.prefix` (default `__`).
    pub prefix: String,
    /// `delete.tombstone.handling.mode`.
    pub delete_handling: DeleteHandling,
}

impl Default for UnwrapConfig {
    fn default() -> Self {
        UnwrapConfig {
            add_fields: Vec::new(),
            prefix: "__".into(),
            delete_handling: DeleteHandling::default(),
        }
    }
}

/// Look a field up in the envelope, then in `source` (what `add.fields` names mean).
fn lookup<'a>(env: &'a ConnectRecord, field: &str) -> Option<(&'a ConnectSchema, &'a Value)> {
    let (container, name) = match field.strip_prefix("source.") {
        Some(f) => ("source", f),
        None if env.schema.field(field).is_some() => ("", field),
        None => ("source", field),
    };
    if container.is_empty() {
        return Some((env.schema.field(name)?, env.value.get(name)?));
    }
    let src_schema = env.schema.field("source")?;
    Some((src_schema.field(name)?, env.value.get("source")?.get(name)?))
}

/// Flatten one record; `None` drops it.
pub fn unwrap(rec: ChangeRecord, cfg: &UnwrapConfig) -> Option<ChangeRecord> {
    let op = rec.op?; // the connector's own tombstone: dropped (drop.tombstones=true)
    let env = rec.value.as_ref()?;
    if op == Op::Truncate {
        return None;
    }
    let row_schema = env.schema.field("after")?.clone();
    let mut flat_schema = row_schema.clone().with_optional(false);
    let deleted = op == Op::Delete;
    match (deleted, cfg.delete_handling) {
        (true, DeleteHandling::Drop) => return None,
        (true, DeleteHandling::Tombstone) => {
            return Some(ChangeRecord {
                value: Some(ConnectRecord {
                    schema: row_schema.with_optional(true),
                    value: Value::Null,
                }),
                ..rec
            });
        }
        _ => {}
    }
    let image = if deleted {
        env.value.get("before")
    } else {
        env.value.get("after")
    };
    let mut m: Map<String, Value> = match image {
        Some(Value::Object(m)) => m.clone(),
        _ => Map::new(),
    };
    if cfg.delete_handling == DeleteHandling::Rewrite {
        flat_schema.fields.push((
            format!("{}deleted", cfg.prefix),
            ConnectSchema::new(ConnectType::String, true),
        ));
        m.insert(
            format!("{}deleted", cfg.prefix),
            json!(if deleted { "true" } else { "false" }),
        );
    }
    for f in &cfg.add_fields {
        let name = format!("{}{}", cfg.prefix, f.replace('.', "_"));
        if let Some((s, v)) = lookup(env, f) {
            let mut s = s.clone().with_optional(true);
            s.default = None;
            flat_schema.fields.push((name.clone(), s));
            m.insert(name, v.clone());
        }
    }
    Some(ChangeRecord {
        value: Some(ConnectRecord {
            schema: flat_schema,
            value: Value::Object(m),
        }),
        ..rec
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Column, Table};
    use crate::event::{Cell, EventBuilder, EventConfig, Row, SourcePosition, TableSchemas};
    use crate::types::TypeOptions;

    fn builder() -> (EventBuilder, TableSchemas) {
        let col = |name: &str, ty: &str, pk: Option<usize>| Column {
            name: name.into(),
            type_name: ty.into(),
            type_kind: 'b',
            typmod: -1,
            not_null: pk.is_some(),
            default_expr: None,
            pk_position: pk,
            element: None,
            enum_labels: Vec::new(),
        };
        let table = Table {
            schema: "public".into(),
            name: "t".into(),
            columns: vec![col("id", "int4", Some(0)), col("note", "text", None)],
            replica_identity: 'd',
        };
        let config = EventConfig {
            topic_prefix: "pg1".into(),
            database: "db".into(),
            connector_version: "3.6.3.Final".into(),
            types: TypeOptions::default(),
            tombstones_on_delete: true,
        };
        let ts = TableSchemas::new(table, &config);
        (EventBuilder { config }, ts)
    }

    fn pos() -> SourcePosition {
        SourcePosition {
            ts_us: 1_700_000_000_123_456,
            snapshot: "false",
            tx_id: Some(7),
            lsn: Some(42),
            last_commit_lsn: None,
        }
    }

    #[test]
    fn added_fields_come_from_envelope_then_source() {
        let (b, ts) = builder();
        let row: Row = [
            ("id".to_string(), Cell::Text("1".into())),
            ("note".into(), Cell::Null),
        ]
        .into();
        let recs = b
            .change(&ts, Op::Create, None, Some(&row), &pos())
            .unwrap_or_default();
        let cfg = UnwrapConfig {
            add_fields: vec!["op".into(), "source.ts_ms".into(), "lsn".into()],
            ..UnwrapConfig::default()
        };
        let flat = recs
            .into_iter()
            .next()
            .and_then(|r| unwrap(r, &cfg))
            .and_then(|r| r.value);
        let flat = flat.map(|v| v.value).unwrap_or_default();
        assert_eq!(flat["__op"], json!("c"));
        assert_eq!(flat["__source_ts_ms"], json!(1_700_000_000_123i64));
        assert_eq!(flat["__lsn"], json!(42));
        assert_eq!(flat["id"], json!(1));
    }

    #[test]
    fn deletes_follow_the_handling_mode() {
        let (b, ts) = builder();
        let key: Row = [
            ("id".to_string(), Cell::Text("1".into())),
            ("note".into(), Cell::Null),
        ]
        .into();
        let recs = b
            .change(&ts, Op::Delete, Some(&key), None, &pos())
            .unwrap_or_default();
        assert_eq!(recs.len(), 2, "delete + tombstone");
        let run = |mode| {
            let cfg = UnwrapConfig {
                delete_handling: mode,
                ..UnwrapConfig::default()
            };
            recs.iter()
                .cloned()
                .filter_map(|r| unwrap(r, &cfg))
                .collect::<Vec<_>>()
        };
        assert!(run(DeleteHandling::Drop).is_empty());
        let tomb = run(DeleteHandling::Tombstone);
        assert_eq!(tomb.len(), 1);
        assert!(tomb[0].value.as_ref().is_some_and(|v| v.value.is_null()));
        let rewrite = run(DeleteHandling::Rewrite);
        assert_eq!(
            rewrite[0].value.as_ref().map(|v| v.value["__deleted"].clone()),
            Some(json!("true"))
        );
    }
}
