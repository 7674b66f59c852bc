//! `CREATE TABLE` in Flink's dialect, and Flink's data types.
//!
//! Flink's DDL has constructs no `sqlparser` dialect accepts (`METADATA FROM 'k' VIRTUAL`, `ROW<…>`,
//! `WATERMARK FOR`, `DISTRIBUTED BY`), so this is a small parser of its own. It keeps everything the user wrote —
//! including what `switchyard run` ignores (watermarks, distribution) — so the planner can report it as a note.

use super::{Ident, ObjectName, PResult, Parser, Tok};
use crate::error::{Span, SqlError};
use crate::parse::ast::Expr;
use crate::types::{DataType, Field, MAX_LENGTH, TypeKind};

/// `CREATE TABLE`.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateTable {
    /// The table's name.
    pub name: ObjectName,
    /// `IF NOT EXISTS`.
    pub if_not_exists: bool,
    /// `TEMPORARY`.
    pub temporary: bool,
    /// Columns in declaration order.
    pub columns: Vec<ColumnSpec>,
    /// `PRIMARY KEY (…) NOT ENFORCED`, table-level or on a column.
    pub primary_key: Option<PrimaryKey>,
    /// `WATERMARK FOR c AS expr`.
    pub watermark: Option<Watermark>,
    /// The table's `COMMENT`.
    pub comment: Option<String>,
    /// `DISTRIBUTED BY …` / `DISTRIBUTED INTO …` / `PARTITIONED BY …`, as written.
    pub distribution: Option<(String, Span)>,
    /// The `WITH (…)` options, in order.
    pub options: Vec<TableOption>,
}

/// A column of `CREATE TABLE`.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnSpec {
    /// Its name.
    pub name: Ident,
    /// Physical, metadata or computed.
    pub kind: ColumnSpecKind,
    /// Its `COMMENT`.
    pub comment: Option<String>,
    /// The whole definition.
    pub span: Span,
}

/// What kind of column.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnSpecKind {
    /// Read from or written to the record's value (or key).
    Physical(DataType),
    /// `METADATA [FROM 'key'] [VIRTUAL]`.
    Metadata {
        /// Declared type.
        data_type: DataType,
        /// `FROM 'key'`; the column name when absent.
        key: Option<String>,
        /// `VIRTUAL`: read-only.
        is_virtual: bool,
    },
    /// `name AS expr`.
    Computed(Expr),
}

/// `PRIMARY KEY (…) NOT ENFORCED`.
#[derive(Debug, Clone, PartialEq)]
pub struct PrimaryKey {
    /// Key columns.
    pub columns: Vec<Ident>,
    /// `false` when written `NOT ENFORCED` (the only form Flink accepts).
    pub enforced: bool,
    /// Where.
    pub span: Span,
}

/// `WATERMARK FOR column AS expr`.
#[derive(Debug, Clone, PartialEq)]
pub struct Watermark {
    /// The rowtime column.
    pub column: Ident,
    /// The watermark expression.
    pub expr: Expr,
    /// Where.
    pub span: Span,
}

/// One `'key' = 'value'` of `WITH (…)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableOption {
    /// The key.
    pub key: String,
    /// The value.
    pub value: String,
    /// Where the key is.
    pub key_span: Span,
    /// Where the value is.
    pub value_span: Span,
}

impl Parser<'_> {
    pub(super) fn create_table(&mut self) -> PResult<CreateTable> {
        self.expect_kw("CREATE")?;
        let temporary = self.eat_kw("TEMPORARY");
        self.expect_kw("TABLE")?;
        let if_not_exists = if self.is_kw("IF") {
            self.pos += 1;
            self.expect_kw("NOT")?;
            self.expect_kw("EXISTS")?;
            true
        } else {
            false
        };
        let name = self.object_name()?;
        let mut table = CreateTable {
            name,
            if_not_exists,
            temporary,
            columns: Vec::new(),
            primary_key: None,
            watermark: None,
            comment: None,
            distribution: None,
            options: Vec::new(),
        };
        if self.is_kw("AS") || self.is_kw("LIKE") {
            let what = if self.is_kw("AS") {
                "CREATE TABLE … AS SELECT"
            } else {
                "CREATE TABLE … LIKE"
            };
            return Err(super::refusal(what, self.here()));
        }
        if self.eat_sym("(") {
            loop {
                self.table_element(&mut table)?;
                if self.eat_sym(",") {
                    continue;
                }
                self.expect_sym(")")?;
                break;
            }
        }
        loop {
            if self.eat_kw("COMMENT") {
                table.comment = Some(self.string_lit()?.0);
            } else if self.is_kw("DISTRIBUTED") || self.is_kw("PARTITIONED") {
                let start = self.tok().start;
                self.distribution_clause()?;
                let end = self.prev_end();
                table.distribution = Some((self.text(start, end).to_string(), self.map.span(start, end)));
            } else if self.eat_kw("WITH") {
                self.expect_sym("(")?;
                if !self.eat_sym(")") {
                    loop {
                        let (key, key_span) = self.string_lit()?;
                        self.expect_sym("=")?;
                        let (value, value_span) = self.string_lit()?;
                        table.options.push(TableOption {
                            key,
                            value,
                            key_span,
                            value_span,
                        });
                        if self.eat_sym(",") {
                            continue;
                        }
                        self.expect_sym(")")?;
                        break;
                    }
                }
            } else if self.is_kw("AS") || self.is_kw("LIKE") {
                let what = if self.is_kw("AS") {
                    "CREATE TABLE … AS SELECT"
                } else {
                    "CREATE TABLE … LIKE"
                };
                return Err(super::refusal(what, self.here()));
            } else {
                break;
            }
        }
        Ok(table)
    }

    /// `DISTRIBUTED BY [HASH|RANGE] (cols) [INTO n BUCKETS]`, `DISTRIBUTED INTO n BUCKETS`, `PARTITIONED BY (…)`.
    fn distribution_clause(&mut self) -> PResult<()> {
        if self.eat_kw("PARTITIONED") {
            self.expect_kw("BY")?;
            return self.skip_parens();
        }
        self.expect_kw("DISTRIBUTED")?;
        if self.eat_kw("BY") {
            if !self.is_sym("(") {
                self.ident()?;
            }
            self.skip_parens()?;
        }
        if self.eat_kw("INTO") {
            match self.peek() {
                Tok::Num(_) => self.pos += 1,
                _ => return Err(self.expected("a number of buckets")),
            }
            self.expect_kw("BUCKETS")?;
        }
        Ok(())
    }

    fn skip_parens(&mut self) -> PResult<()> {
        self.expect_sym("(")?;
        let mut depth = 1;
        while depth > 0 {
            if self.at_eof() {
                return Err(self.expected("`)`"));
            }
            if self.is_sym("(") {
                depth += 1;
            } else if self.is_sym(")") {
                depth -= 1;
            }
            self.pos += 1;
        }
        Ok(())
    }

    fn table_element(&mut self, table: &mut CreateTable) -> PResult<()> {
        let start = self.tok().start;
        if self.is_kw("PRIMARY") || self.is_kw("CONSTRAINT") {
            if self.eat_kw("CONSTRAINT") {
                self.ident()?;
            }
            self.expect_kw("PRIMARY")?;
            self.expect_kw("KEY")?;
            self.expect_sym("(")?;
            let mut columns = vec![self.ident()?];
            while self.eat_sym(",") {
                columns.push(self.ident()?);
            }
            self.expect_sym(")")?;
            let enforced = self.not_enforced()?;
            let span = self.span_from(start);
            if table.primary_key.is_some() {
                return Err(SqlError::new("the table has more than one primary key", span));
            }
            table.primary_key = Some(PrimaryKey {
                columns,
                enforced,
                span,
            });
            return Ok(());
        }
        if self.is_kw("WATERMARK") && self.is_kw_at(1, "FOR") {
            self.pos += 2;
            let column = self.ident()?;
            self.expect_kw("AS")?;
            let expr = self.expr()?;
            table.watermark = Some(Watermark {
                column,
                expr,
                span: self.span_from(start),
            });
            return Ok(());
        }
        let name = self.ident()?;
        let kind = if self.eat_kw("AS") {
            ColumnSpecKind::Computed(self.expr()?)
        } else {
            let data_type = self.data_type()?;
            if self.eat_kw("METADATA") {
                let key = if self.eat_kw("FROM") {
                    Some(self.string_lit()?.0)
                } else {
                    None
                };
                let is_virtual = self.eat_kw("VIRTUAL");
                ColumnSpecKind::Metadata {
                    data_type,
                    key,
                    is_virtual,
                }
            } else {
                ColumnSpecKind::Physical(data_type)
            }
        };
        if self.is_kw("PRIMARY") {
            let pk_start = self.tok().start;
            self.pos += 1;
            self.expect_kw("KEY")?;
            let enforced = self.not_enforced()?;
            table.primary_key = Some(PrimaryKey {
                columns: vec![name.clone()],
                enforced,
                span: self.span_from(pk_start),
            });
        }
        let comment = if self.eat_kw("COMMENT") {
            Some(self.string_lit()?.0)
        } else {
            None
        };
        table.columns.push(ColumnSpec {
            name,
            kind,
            comment,
            span: self.span_from(start),
        });
        Ok(())
    }

    /// `NOT ENFORCED` (returns `false`) or nothing (`true`, which the planner refuses as Flink does).
    fn not_enforced(&mut self) -> PResult<bool> {
        if self.eat_kw("NOT") {
            self.expect_kw("ENFORCED")?;
            Ok(false)
        } else {
            self.eat_kw("ENFORCED");
            Ok(true)
        }
    }

    /// A Flink data type with its nullability: `STRING`, `DECIMAL(10, 2) NOT NULL`, `ROW<a INT, b ARRAY<STRING>>`.
    pub(crate) fn data_type(&mut self) -> PResult<DataType> {
        let span = self.here();
        let Tok::Word { text, quoted: false } = self.peek().clone() else {
            return Err(self.expected("a data type"));
        };
        let upper = text.to_ascii_uppercase();
        self.pos += 1;
        let kind = match upper.as_str() {
            "STRING" => TypeKind::Varchar(MAX_LENGTH),
            "VARCHAR" => TypeKind::Varchar(self.opt_length(1)?),
            "CHAR" | "CHARACTER" => {
                if self.eat_kw("VARYING") {
                    TypeKind::Varchar(self.opt_length(1)?)
                } else {
                    TypeKind::Char(self.opt_length(1)?)
                }
            }
            "BOOLEAN" | "BOOL" => TypeKind::Boolean,
            "TINYINT" => TypeKind::TinyInt,
            "SMALLINT" => TypeKind::SmallInt,
            "INT" | "INTEGER" => TypeKind::Int,
            "BIGINT" => TypeKind::BigInt,
            "FLOAT" | "REAL" => TypeKind::Float,
            "DOUBLE" => {
                self.eat_kw("PRECISION");
                TypeKind::Double
            }
            "DECIMAL" | "DEC" | "NUMERIC" => {
                let (mut precision, mut scale) = (10u32, 0u32);
                if self.eat_sym("(") {
                    precision = self.small_number()?;
                    if self.eat_sym(",") {
                        scale = self.small_number()?;
                    }
                    self.expect_sym(")")?;
                }
                if !(1..=38).contains(&precision) || scale > precision {
                    return Err(SqlError::new(
                        format!(
                            "DECIMAL({precision}, {scale}) is not a valid type: precision must be 1 to 38 and scale 0 to the precision"
                        ),
                        self.span_from_span(span),
                    ));
                }
                TypeKind::Decimal {
                    precision: precision as u8,
                    scale: scale as u8,
                }
            }
            "DATE" => TypeKind::Date,
            "TIME" => {
                let p = self.opt_precision(0, span)?;
                if self.eat_kw("WITHOUT") {
                    self.expect_kw("TIME")?;
                    self.expect_kw("ZONE")?;
                }
                TypeKind::Time(p)
            }
            "TIMESTAMP" => {
                let p = self.opt_precision(6, span)?;
                if self.eat_kw("WITHOUT") {
                    self.expect_kw("TIME")?;
                    self.expect_kw("ZONE")?;
                    TypeKind::Timestamp(p)
                } else if self.is_kw("WITH") && self.is_kw_at(1, "LOCAL") {
                    self.pos += 2;
                    self.expect_kw("TIME")?;
                    self.expect_kw("ZONE")?;
                    TypeKind::TimestampLtz(p)
                } else if self.is_kw("WITH") && self.is_kw_at(1, "TIME") {
                    return Err(SqlError::new(
                        "TIMESTAMP WITH TIME ZONE is not supported by Flink",
                        self.span_from_span(span),
                    )
                    .with_hint("use TIMESTAMP_LTZ(p) (TIMESTAMP(p) WITH LOCAL TIME ZONE) for instants"));
                } else {
                    TypeKind::Timestamp(p)
                }
            }
            "TIMESTAMP_LTZ" => TypeKind::TimestampLtz(self.opt_precision(6, span)?),
            "BYTES" => TypeKind::Varbinary(MAX_LENGTH),
            "BINARY" => TypeKind::Binary(self.opt_length(1)?),
            "VARBINARY" => TypeKind::Varbinary(self.opt_length(1)?),
            "ARRAY" => {
                self.expect_sym("<")?;
                let t = self.data_type()?;
                self.expect_sym(">")?;
                TypeKind::Array(Box::new(t))
            }
            "MULTISET" => {
                self.expect_sym("<")?;
                let t = self.data_type()?;
                self.expect_sym(">")?;
                TypeKind::Multiset(Box::new(t))
            }
            "MAP" => {
                self.expect_sym("<")?;
                let k = self.data_type()?;
                self.expect_sym(",")?;
                let v = self.data_type()?;
                self.expect_sym(">")?;
                TypeKind::Map(Box::new(k), Box::new(v))
            }
            "ROW" => {
                let close = if self.eat_sym("<") {
                    ">"
                } else if self.eat_sym("(") {
                    ")"
                } else {
                    return Err(self.expected("`<` or `(` after ROW"));
                };
                let mut fields = Vec::new();
                if !self.eat_sym(close) {
                    loop {
                        let name = self.ident()?;
                        let data_type = self.data_type()?;
                        if let Tok::Str(_) = self.peek() {
                            self.pos += 1; // a field description
                        }
                        fields.push(Field {
                            name: name.value,
                            data_type,
                        });
                        if self.eat_sym(",") {
                            continue;
                        }
                        self.expect_sym(close)?;
                        break;
                    }
                }
                TypeKind::Row(fields)
            }
            "INTERVAL" | "RAW" | "NULL" | "VARIANT" | "STRUCTURED" => {
                return Err(SqlError::new(
                    format!("the {upper} type is not supported by `switchyard run`"),
                    span,
                )
                .with_hint(super::FLINK_HINT));
            }
            _ => {
                return Err(SqlError::new(format!("unknown data type `{text}`"), span).with_hint(
                    "Flink's types are STRING, VARCHAR(n), CHAR(n), BOOLEAN, TINYINT, SMALLINT, INT, BIGINT, FLOAT, \
                     DOUBLE, DECIMAL(p, s), DATE, TIME(p), TIMESTAMP(p), TIMESTAMP_LTZ(p), BYTES, BINARY(n), \
                     VARBINARY(n), ARRAY<T>, MAP<K, V>, MULTISET<T>, ROW<name T, …>",
                ));
            }
        };
        let nullable = if self.is_kw("NOT") && self.is_kw_at(1, "NULL") {
            self.pos += 2;
            false
        } else {
            self.eat_kw("NULL");
            true
        };
        Ok(DataType { kind, nullable })
    }

    fn span_from_span(&self, start: Span) -> Span {
        let end = self.map.span(self.prev_end().saturating_sub(1), self.prev_end());
        self.join(start, end)
    }

    fn small_number(&mut self) -> PResult<u32> {
        match self.peek().clone() {
            Tok::Num(n) => match n.parse::<u32>() {
                Ok(v) => {
                    self.pos += 1;
                    Ok(v)
                }
                Err(_) => Err(self.expected("a whole number")),
            },
            _ => Err(self.expected("a whole number")),
        }
    }

    fn opt_length(&mut self, default: u32) -> PResult<u32> {
        if !self.eat_sym("(") {
            return Ok(default);
        }
        let span = self.here();
        let n = self.small_number()?;
        if n == 0 || n > MAX_LENGTH {
            return Err(SqlError::new(
                format!("length {n} is out of range (1 to {MAX_LENGTH})"),
                span,
            ));
        }
        self.expect_sym(")")?;
        Ok(n)
    }

    fn opt_precision(&mut self, default: u8, type_span: Span) -> PResult<u8> {
        if !self.eat_sym("(") {
            return Ok(default);
        }
        let n = self.small_number()?;
        self.expect_sym(")")?;
        if n > 9 {
            return Err(SqlError::new(
                format!("precision {n} is out of range: Flink's temporal precision is 0 to 9"),
                self.span_from_span(type_span),
            ));
        }
        Ok(n as u8)
    }
}
