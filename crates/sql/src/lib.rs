//! The Flink SQL subset that `switchyard run` executes, without a Flink cluster. Pure: no I/O.
//!
//! * [`types`] — Flink's types and values (the contract shared with the mapping and the router).
//! * [`parse`] — scripts (`CREATE TABLE`, `INSERT INTO … SELECT`, statement sets, `SET`) with spans into the
//!   user's file; [`SqlError::render`] prints errors with carets.
//! * [`plan`] — resolves tables (script or [`Catalog`]), types expressions with Flink's rules, checks options,
//!   metadata keys and changelog compatibility, and groups `INSERT`s into one pipeline per source table.
//! * [`eval`] — evaluates [`CompiledExpr`]s on rows with SQL's three-valued logic.
//! * [`mapping`] — JSON records ↔ rows.
//!
//! ```
//! use switchyard_sql::{EmptyCatalog, EvalContext, Value, eval_filter, parse_script, plan};
//!
//! let sql = "CREATE TABLE src (id BIGINT, kind STRING) WITH ('connector'='kafka','topic'='in','value.format'='json-registry');
//!            CREATE TABLE dst (id BIGINT) WITH ('connector'='kafka','topic'='out','value.format'='json-registry');
//!            INSERT INTO dst SELECT id FROM src WHERE UPPER(kind) = 'LOAN';";
//! let plan = plan(&parse_script(sql).unwrap(), &EmptyCatalog).unwrap();
//! let st = &plan.pipelines[0].statements[0];
//! let row = [Value::BigInt(1), Value::string("loan")];
//! let ctx = EvalContext::default();
//! assert!(eval_filter(st.filter.as_ref().unwrap(), &row, &ctx).unwrap());
//! assert_eq!(st.projection[0].eval(&row, &ctx).unwrap(), Value::BigInt(1));
//! ```

pub mod error;
pub mod eval;
pub mod mapping;
pub mod parse;
pub mod plan;
pub mod types;

pub use error::{EvalError, Span, SqlError};
pub use eval::{CompiledExpr, EvalContext, eval_filter};
pub use parse::{Script, parse_expression, parse_script};
pub use plan::{
    Catalog, ColumnDef, ColumnKind, EmptyCatalog, Note, Plan, SourcePipeline, StatementPlan, TableDef,
    compile_expression, metadata_keys, plan,
};
pub use types::{DataType, Decimal, Field, Row, RowKind, TypeKind, Value};
