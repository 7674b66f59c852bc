//! Flink SQL's logical types and the values a row holds.
//!
//! The representation follows Flink's internal one where it matters for correctness: integers keep their
//! width, `DECIMAL(p,s)` is exact (`rust_decimal`), temporal values are integers since the epoch
//! (`DATE` days, `TIME` microseconds of the day, `TIMESTAMP`/`TIMESTAMP_LTZ` microseconds), strings and
//! bytes are reference-counted so that projecting a column into several sinks copies nothing.

use std::fmt;
use std::sync::Arc;

pub use rust_decimal::Decimal;

/// A Flink SQL data type with its nullability.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DataType {
    /// The type without nullability.
    pub kind: TypeKind,
    /// `false` for `NOT NULL`.
    pub nullable: bool,
}

/// The kinds of Flink SQL types Switchyard supports.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TypeKind {
    /// `CHAR(n)`.
    Char(u32),
    /// `VARCHAR(n)`; `STRING` is `VARCHAR(2147483647)`.
    Varchar(u32),
    /// `BOOLEAN`.
    Boolean,
    /// `BINARY(n)`.
    Binary(u32),
    /// `VARBINARY(n)`; `BYTES` is `VARBINARY(2147483647)`.
    Varbinary(u32),
    /// `DECIMAL(p, s)`.
    Decimal {
        /// Precision (1..=38).
        precision: u8,
        /// Scale (0..=precision).
        scale: u8,
    },
    /// `TINYINT`.
    TinyInt,
    /// `SMALLINT`.
    SmallInt,
    /// `INT`.
    Int,
    /// `BIGINT`.
    BigInt,
    /// `FLOAT`.
    Float,
    /// `DOUBLE`.
    Double,
    /// `DATE`.
    Date,
    /// `TIME(p)`.
    Time(u8),
    /// `TIMESTAMP(p)` (without time zone).
    Timestamp(u8),
    /// `TIMESTAMP_LTZ(p)` (an instant).
    TimestampLtz(u8),
    /// `ARRAY<T>`.
    Array(Box<DataType>),
    /// `MAP<K, V>`.
    Map(Box<DataType>, Box<DataType>),
    /// `MULTISET<T>`.
    Multiset(Box<DataType>),
    /// `ROW<name T, …>`.
    Row(Vec<Field>),
}

/// A named field of a `ROW` type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Field {
    /// Field name.
    pub name: String,
    /// Field type.
    pub data_type: DataType,
}

/// `VARCHAR` length that Flink spells `STRING`.
pub const MAX_LENGTH: u32 = i32::MAX as u32;

impl DataType {
    /// A nullable type.
    pub fn nullable(kind: TypeKind) -> Self {
        DataType { kind, nullable: true }
    }

    /// A `NOT NULL` type.
    pub fn not_null(kind: TypeKind) -> Self {
        DataType {
            kind,
            nullable: false,
        }
    }

    /// `STRING`.
    pub fn string() -> Self {
        Self::nullable(TypeKind::Varchar(MAX_LENGTH))
    }

    /// The same type with other nullability.
    pub fn with_nullable(mut self, nullable: bool) -> Self {
        self.nullable = nullable;
        self
    }

    /// Character string types.
    pub fn is_string(&self) -> bool {
        matches!(self.kind, TypeKind::Char(_) | TypeKind::Varchar(_))
    }

    /// Exact and approximate numeric types.
    pub fn is_numeric(&self) -> bool {
        matches!(
            self.kind,
            TypeKind::TinyInt
                | TypeKind::SmallInt
                | TypeKind::Int
                | TypeKind::BigInt
                | TypeKind::Float
                | TypeKind::Double
                | TypeKind::Decimal { .. }
        )
    }
}

impl fmt::Display for DataType {
    /// Flink SQL spelling: `STRING`, `DECIMAL(10, 2)`, `ROW<`a` INT NOT NULL>`, `TIMESTAMP_LTZ(3)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            TypeKind::Char(n) => write!(f, "CHAR({n})")?,
            TypeKind::Varchar(MAX_LENGTH) => f.write_str("STRING")?,
            TypeKind::Varchar(n) => write!(f, "VARCHAR({n})")?,
            TypeKind::Boolean => f.write_str("BOOLEAN")?,
            TypeKind::Binary(n) => write!(f, "BINARY({n})")?,
            TypeKind::Varbinary(MAX_LENGTH) => f.write_str("BYTES")?,
            TypeKind::Varbinary(n) => write!(f, "VARBINARY({n})")?,
            TypeKind::Decimal { precision, scale } => write!(f, "DECIMAL({precision}, {scale})")?,
            TypeKind::TinyInt => f.write_str("TINYINT")?,
            TypeKind::SmallInt => f.write_str("SMALLINT")?,
            TypeKind::Int => f.write_str("INT")?,
            TypeKind::BigInt => f.write_str("BIGINT")?,
            TypeKind::Float => f.write_str("FLOAT")?,
            TypeKind::Double => f.write_str("DOUBLE")?,
            TypeKind::Date => f.write_str("DATE")?,
            TypeKind::Time(p) => write!(f, "TIME({p})")?,
            TypeKind::Timestamp(p) => write!(f, "TIMESTAMP({p})")?,
            TypeKind::TimestampLtz(p) => write!(f, "TIMESTAMP_LTZ({p})")?,
            TypeKind::Array(t) => write!(f, "ARRAY<{t}>")?,
            TypeKind::Map(k, v) => write!(f, "MAP<{k}, {v}>")?,
            TypeKind::Multiset(t) => write!(f, "MULTISET<{t}>")?,
            TypeKind::Row(fields) => {
                f.write_str("ROW<")?;
                for (i, field) in fields.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "`{}` {}", field.name, field.data_type)?;
                }
                f.write_str(">")?;
            }
        }
        if !self.nullable {
            f.write_str(" NOT NULL")?;
        }
        Ok(())
    }
}

/// A value of a row's column.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// SQL `NULL`.
    Null,
    /// `BOOLEAN`.
    Boolean(bool),
    /// `TINYINT`.
    TinyInt(i8),
    /// `SMALLINT`.
    SmallInt(i16),
    /// `INT`.
    Int(i32),
    /// `BIGINT`.
    BigInt(i64),
    /// `FLOAT`.
    Float(f32),
    /// `DOUBLE`.
    Double(f64),
    /// `DECIMAL(p, s)`.
    Decimal(Decimal),
    /// `CHAR` / `VARCHAR` / `STRING`.
    String(Arc<str>),
    /// `BINARY` / `VARBINARY` / `BYTES`.
    Bytes(Arc<[u8]>),
    /// `DATE`: days since 1970-01-01.
    Date(i32),
    /// `TIME(p)`: microseconds since midnight.
    Time(i64),
    /// `TIMESTAMP(p)`: microseconds since 1970-01-01T00:00 (a wall-clock reading, no zone).
    Timestamp(i64),
    /// `TIMESTAMP_LTZ(p)`: microseconds since the epoch (an instant).
    TimestampLtz(i64),
    /// `ARRAY<T>` / `MULTISET<T>`.
    Array(Arc<[Value]>),
    /// `MAP<K, V>`, in insertion order.
    Map(Arc<[(Value, Value)]>),
    /// `ROW<…>`, fields in declaration order.
    Row(Arc<[Value]>),
}

impl Value {
    /// Whether this is SQL `NULL`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// A string value.
    pub fn string(s: &str) -> Self {
        Value::String(Arc::from(s))
    }
}

/// Flink's change kinds: how a row changes the table it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RowKind {
    /// `+I`: an insertion (Debezium `c` and `r`).
    Insert,
    /// `-U`: the row as it was before an update.
    UpdateBefore,
    /// `+U`: the row as it is after an update.
    UpdateAfter,
    /// `-D`: a deletion.
    Delete,
}

impl RowKind {
    /// Flink's short string: `+I`, `-U`, `+U`, `-D`.
    pub fn short(&self) -> &'static str {
        match self {
            RowKind::Insert => "+I",
            RowKind::UpdateBefore => "-U",
            RowKind::UpdateAfter => "+U",
            RowKind::Delete => "-D",
        }
    }
}

/// A row: its change kind and its column values, in the table's column order.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// How the row changes its table.
    pub kind: RowKind,
    /// Column values.
    pub values: Vec<Value>,
}

impl Row {
    /// An insertion row.
    pub fn insert(values: Vec<Value>) -> Self {
        Row {
            kind: RowKind::Insert,
            values,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_print_as_flink_spells_them() {
        let row = DataType::not_null(TypeKind::Row(vec![
            Field {
                name: "a".into(),
                data_type: DataType::not_null(TypeKind::Int),
            },
            Field {
                name: "b".into(),
                data_type: DataType::string(),
            },
        ]));
        assert_eq!(row.to_string(), "ROW<`a` INT NOT NULL, `b` STRING> NOT NULL");
        let d = DataType::nullable(TypeKind::Decimal {
            precision: 10,
            scale: 2,
        });
        assert_eq!(d.to_string(), "DECIMAL(10, 2)");
        assert_eq!(
            DataType::nullable(TypeKind::TimestampLtz(3)).to_string(),
            "TIMESTAMP_LTZ(3)"
        );
    }
}
