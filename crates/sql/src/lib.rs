//! The Flink SQL subset that `switchyard run` executes: Flink's type system and values ([`types`]), and —
//! as they land — parsing, planning and expression evaluation. Pure: no I/O.

pub mod mapping;
pub mod types;

pub use types::{DataType, Decimal, Field, Row, RowKind, TypeKind, Value};
