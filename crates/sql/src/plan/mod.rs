//! Planning: from a parsed [`Script`] to what the router executes — tables, and per source table one pipeline
//! of `INSERT`s, each a filter plus one compiled projection per sink column.
//!
//! The planner is where Flink's *semantic* rules live: names resolve case-sensitively, expressions are typed
//! with Flink's rules, the select list must be implicitly castable to the sink's columns, `WITH` options and
//! metadata keys are checked against what the Kafka connector defines, and a changelog source cannot feed an
//! append-only sink. It collects every error rather than stopping at the first, so `switchyard run` and
//! `switchyard doctor` can show the whole list with carets. Tables the script does not create come from a
//! [`Catalog`] (Confluent Cloud treats every topic as a table; the caller infers those from the registry).

mod bind;
mod funcs;
mod funcs_time;
mod insert;
mod ops;
mod options;
mod suggest;
mod table;
mod typing;

use std::collections::BTreeMap;

pub use crate::error::{EvalError, Span, SqlError};
pub use crate::eval::{CompiledExpr, EvalContext, eval_filter};
use crate::parse::{Script, StatementKind};
use crate::types::{DataType, Value};

pub use options::{metadata_keys, metadata_type, writable_metadata_keys};

/// Supplies tables the script uses without creating them.
pub trait Catalog {
    /// The table called `name` (as written, possibly dotted), if it exists.
    fn table(&self, name: &str) -> Option<TableDef>;
}

/// A catalog with no tables: every table must be created by the script.
#[derive(Debug, Clone, Copy, Default)]
pub struct EmptyCatalog;

impl Catalog for EmptyCatalog {
    fn table(&self, _name: &str) -> Option<TableDef> {
        None
    }
}

/// The executable plan of a script.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Every table the script creates or uses, creations first in script order, then catalog tables.
    pub tables: Vec<TableDef>,
    /// One pipeline per source table, in order of first use.
    pub pipelines: Vec<SourcePipeline>,
    /// Things accepted but not acted on (watermarks, distribution, unknown options, …).
    pub notes: Vec<Note>,
    /// `SET 'key' = 'value'` settings, after `RESET`s.
    pub settings: BTreeMap<String, String>,
}

/// Something the user wrote that was accepted but is worth telling them about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// What.
    pub message: String,
    /// Where, when it came from the script.
    pub span: Option<Span>,
}

/// A table: its columns and `WITH` options.
#[derive(Debug, Clone)]
pub struct TableDef {
    /// The name as written in `CREATE TABLE` (or as the catalog names it).
    pub name: String,
    /// Columns in declaration order; rows have one slot per column.
    pub columns: Vec<ColumnDef>,
    /// `WITH` options.
    pub options: BTreeMap<String, String>,
    /// `PRIMARY KEY (…) NOT ENFORCED`.
    pub primary_key: Option<Vec<String>>,
    /// Where the `CREATE TABLE` is (`None` for catalog tables).
    pub span: Option<Span>,
    /// `true` for tables supplied by the [`Catalog`] rather than created by the script.
    pub inferred: bool,
}

/// A column of a table.
#[derive(Debug, Clone)]
pub struct ColumnDef {
    /// Its name (case-sensitive).
    pub name: String,
    /// Its type.
    pub data_type: DataType,
    /// Physical, metadata or computed.
    pub kind: ColumnKind,
}

/// How a column gets its value.
#[derive(Debug, Clone)]
pub enum ColumnKind {
    /// From the record's value (or key, per `key.fields`).
    Physical,
    /// From the record's metadata (`METADATA FROM 'key'`).
    Metadata {
        /// The metadata key (`offset`, `timestamp`, `value.source.table`, …).
        key: String,
        /// `VIRTUAL`: read-only, not written by `INSERT`.
        is_virtual: bool,
    },
    /// `name AS expr`, computed from the other columns of the row.
    Computed(CompiledExpr),
}

impl TableDef {
    /// A `WITH` option.
    pub fn option(&self, key: &str) -> Option<&str> {
        self.options.get(key).map(String::as_str)
    }

    /// The physical columns with their row slots.
    pub fn physical_columns(&self) -> impl Iterator<Item = (usize, &ColumnDef)> {
        self.columns
            .iter()
            .enumerate()
            .filter(|(_, c)| matches!(c.kind, ColumnKind::Physical))
    }

    /// The columns an `INSERT` writes: physical and non-virtual metadata columns, with their slots.
    pub fn persisted_columns(&self) -> impl Iterator<Item = (usize, &ColumnDef)> {
        self.columns.iter().enumerate().filter(|(_, c)| {
            matches!(
                c.kind,
                ColumnKind::Physical
                    | ColumnKind::Metadata {
                        is_virtual: false,
                        ..
                    }
            )
        })
    }

    /// The slot of a column (exact, case-sensitive name).
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    /// `connector`, or `confluent` when absent (Confluent Cloud's default).
    pub fn connector(&self) -> &str {
        self.option("connector").unwrap_or("confluent")
    }

    /// `value.format`, or `format`.
    pub fn value_format(&self) -> Option<&str> {
        self.option("value.format").or_else(|| self.option("format"))
    }

    /// The Kafka topic: `topic`, or for Confluent Cloud tables the table's own name (its last part).
    pub fn topic(&self) -> Option<&str> {
        match self.option("topic") {
            Some(t) => Some(t),
            None if self.connector() == "confluent" => {
                Some(self.name.rsplit('.').next().unwrap_or(&self.name))
            }
            None => None,
        }
    }

    /// Whether reading the table yields a changelog (updates and deletes), not just inserts.
    pub fn is_changelog(&self) -> bool {
        options::is_changelog_source(self)
    }

    /// Whether a computed column reads the clock (see [`CompiledExpr::reads_clock`]).
    pub fn reads_clock(&self) -> bool {
        self.columns
            .iter()
            .any(|c| matches!(&c.kind, ColumnKind::Computed(expr) if expr.reads_clock()))
    }

    /// Evaluates the computed columns in place. `row` has one slot per column in declaration order, with the
    /// physical and metadata slots already filled.
    pub fn fill_computed(&self, row: &mut [Value], ctx: &EvalContext) -> Result<(), EvalError> {
        for (i, c) in self.columns.iter().enumerate() {
            if let ColumnKind::Computed(expr) = &c.kind {
                let v = expr
                    .eval(row, ctx)
                    .map_err(|e| EvalError::new(format!("computed column `{}`: {}", c.name, e.message)))?;
                match row.get_mut(i) {
                    Some(slot) => *slot = v,
                    None => {
                        return Err(EvalError::new(format!(
                            "the row has {} slots but table `{}` has {} columns",
                            row.len(),
                            self.name,
                            self.columns.len()
                        )));
                    }
                }
            }
        }
        Ok(())
    }
}

/// All statements that read one source table: the router decodes each record once and runs them all.
#[derive(Debug, Clone)]
pub struct SourcePipeline {
    /// Index of the source in [`Plan::tables`].
    pub source: usize,
    /// The statements, in script order.
    pub statements: Vec<StatementPlan>,
}

/// One `INSERT INTO sink SELECT … FROM source WHERE …`.
#[derive(Debug, Clone)]
pub struct StatementPlan {
    /// 0-based position among the script's `INSERT` statements (statement sets included, in order).
    pub index: usize,
    /// Index of the sink in [`Plan::tables`].
    pub sink: usize,
    /// The `WHERE` condition (keep a row when it is `TRUE`; see [`eval_filter`](crate::eval_filter)).
    pub filter: Option<CompiledExpr>,
    /// One expression per sink *physical* column, in order, already cast to the column's type.
    pub projection: Vec<CompiledExpr>,
    /// Values for the sink's writable (non-virtual) metadata columns: (sink column slot, expression).
    pub metadata: Vec<(usize, CompiledExpr)>,
    /// Where the `INSERT` is.
    pub span: Span,
    /// The `INSERT`'s text.
    pub sql: String,
}

impl StatementPlan {
    /// Whether evaluating it reads the clock (see [`CompiledExpr::reads_clock`]).
    pub fn reads_clock(&self) -> bool {
        self.filter.iter().any(CompiledExpr::reads_clock)
            || self.projection.iter().any(CompiledExpr::reads_clock)
            || self.metadata.iter().any(|(_, e)| e.reads_clock())
    }
}

/// Plans a parsed script. Returns every error found.
pub fn plan(script: &Script, catalog: &dyn Catalog) -> Result<Plan, Vec<SqlError>> {
    let mut cx = table::Planner::new(catalog);
    for st in &script.statements {
        match &st.kind {
            StatementKind::Set { key, value } => {
                cx.settings.insert(key.clone(), value.clone());
            }
            StatementKind::Reset(key) => match key {
                Some(k) => {
                    cx.settings.remove(k);
                }
                None => cx.settings.clear(),
            },
            StatementKind::Use(name) => cx.notes.push(Note {
                message: format!(
                    "USE {} is ignored: tables are resolved by the names the script uses",
                    name.name()
                ),
                span: Some(st.span),
            }),
            StatementKind::CreateTable(ct) => cx.create_table(ct, st.span),
            StatementKind::Insert(ins) => cx.insert(ins, st),
            StatementKind::StatementSet(inner) => {
                for s in inner {
                    if let StatementKind::Insert(ins) = &s.kind {
                        cx.insert(ins, s);
                    }
                }
            }
        }
    }
    cx.finish()
}

/// Compiles a standalone expression against a table's columns (unqualified or qualified by the table's name),
/// e.g. a `WHERE` condition the doctor wants to try on sample records.
pub fn compile_expression(sql: &str, table: &TableDef) -> Result<CompiledExpr, Vec<SqlError>> {
    let expr = crate::parse::parse_expression(sql)?;
    let last = table.name.rsplit('.').next().unwrap_or(&table.name).to_string();
    let scope = bind::Scope {
        table,
        qualifiers: vec![table.name.clone(), last],
        allow_computed: true,
    };
    scope.bind(&expr).map_err(|e| vec![e])
}

#[cfg(test)]
mod tests;
