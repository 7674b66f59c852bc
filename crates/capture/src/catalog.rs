//! What the change stream does not say about a table, read from the PostgreSQL catalog.
//!
//! pgoutput's Relation message carries column names, type OIDs and typmods, but Debezium's schemas
//! also need NOT NULL (optional or not), the primary key (the record key, which pgoutput only reveals
//! for the replica identity), column defaults (`"default":0` on a `bigserial`), enum labels and array
//! element types. One catalog query per table gives all of it; the table is read again when a
//! Relation message announces a schema change.

use std::collections::BTreeMap;

use pg_walstream::PgReplicationConnection;

use crate::error::CaptureError;

/// One column of a captured table.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Column name.
    pub name: String,
    /// Type name (`int4`, `numeric`, `_text` for arrays, an enum's name).
    pub type_name: String,
    /// `typtype`: `b` base, `e` enum, `d` domain, `c` composite.
    pub type_kind: char,
    /// `atttypmod` (`-1` when unspecified).
    pub typmod: i32,
    /// `NOT NULL`.
    pub not_null: bool,
    /// The default expression, as `pg_get_expr` prints it.
    pub default_expr: Option<String>,
    /// Position in the primary key (0-based), if part of it.
    pub pk_position: Option<usize>,
    /// For arrays: element type name and kind.
    pub element: Option<(String, char)>,
    /// Enum labels in sort order (for enums and enum arrays).
    pub enum_labels: Vec<String>,
}

/// A captured table.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Schema (namespace).
    pub schema: String,
    /// Table name.
    pub name: String,
    /// Columns in attribute order (dropped columns excluded).
    pub columns: Vec<Column>,
    /// `REPLICA IDENTITY`: `d` default, `f` full, `i` index, `n` nothing.
    pub replica_identity: char,
}

impl Table {
    /// Primary-key columns in key order.
    pub fn key_columns(&self) -> Vec<&Column> {
        let mut k: Vec<&Column> = self.columns.iter().filter(|c| c.pk_position.is_some()).collect();
        k.sort_by_key(|c| c.pk_position);
        k
    }
}

const COLUMNS_SQL: &str = "SELECT a.attname, t.typname, t.typtype, a.atttypmod, a.attnotnull, \
 pg_get_expr(d.adbin, d.adrelid), array_position(i.indkey::int2[], a.attnum), et.typname, et.typtype, \
 (SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_enum e \
   WHERE e.enumtypid = CASE WHEN t.typelem <> 0 AND t.typcategory = 'A' THEN t.typelem ELSE t.oid END), \
 c.relreplident \
 FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
 JOIN pg_type t ON t.oid = a.atttypid \
 LEFT JOIN pg_type et ON t.typcategory = 'A' AND et.oid = t.typelem \
 LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
 LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary \
 WHERE a.attnum > 0 AND NOT a.attisdropped AND n.nspname = $S AND c.relname = $T ORDER BY a.attnum";

/// Quote a string as an SQL literal.
pub fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Quote an identifier.
pub fn ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// Run a query and return its rows as text cells.
pub fn query(
    conn: &mut PgReplicationConnection,
    sql: &str,
) -> Result<Vec<Vec<Option<String>>>, CaptureError> {
    let res = conn.exec(sql).map_err(|e| CaptureError::postgres(sql, e))?;
    let mut rows = Vec::new();
    for r in 0..res.ntuples() {
        rows.push((0..res.nfields()).map(|c| res.get_value(r, c)).collect());
    }
    Ok(rows)
}

/// Read one table's columns; `None` when the table does not exist.
pub fn load_table(
    conn: &mut PgReplicationConnection,
    schema: &str,
    name: &str,
) -> Result<Option<Table>, CaptureError> {
    let sql = COLUMNS_SQL
        .replace("$S", &literal(schema))
        .replace("$T", &literal(name));
    let rows = query(conn, &sql)?;
    if rows.is_empty() {
        return Ok(None);
    }
    let cell = |r: &Vec<Option<String>>, i: usize| r.get(i).cloned().flatten();
    let ch = |s: Option<String>| s.and_then(|s| s.chars().next()).unwrap_or('b');
    let mut replica_identity = 'd';
    let mut columns = Vec::new();
    for r in &rows {
        replica_identity = ch(cell(r, 10));
        let element = cell(r, 7).map(|n| (n, ch(cell(r, 8))));
        columns.push(Column {
            name: cell(r, 0).unwrap_or_default(),
            type_name: cell(r, 1).unwrap_or_default(),
            type_kind: ch(cell(r, 2)),
            typmod: cell(r, 3).and_then(|s| s.parse().ok()).unwrap_or(-1),
            not_null: cell(r, 4).as_deref() == Some("t"),
            default_expr: cell(r, 5),
            pk_position: cell(r, 6)
                .and_then(|s| s.parse::<usize>().ok())
                .map(|p| p.saturating_sub(1)),
            element,
            enum_labels: cell(r, 9)
                .map(|s| s.split(',').map(str::to_string).collect())
                .unwrap_or_default(),
        });
    }
    Ok(Some(Table {
        schema: schema.to_string(),
        name: name.to_string(),
        columns,
        replica_identity,
    }))
}

/// The tables of a publication, as `schema.table`.
pub fn publication_tables(
    conn: &mut PgReplicationConnection,
    publication: &str,
) -> Result<Vec<(String, String)>, CaptureError> {
    let sql = format!(
        "SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = {} ORDER BY 1, 2",
        literal(publication)
    );
    Ok(query(conn, &sql)?
        .into_iter()
        .map(|r| {
            let mut it = r.into_iter();
            (
                it.next().flatten().unwrap_or_default(),
                it.next().flatten().unwrap_or_default(),
            )
        })
        .collect())
}

/// Tables by `(schema, name)`.
pub type Catalog = BTreeMap<(String, String), Table>;
