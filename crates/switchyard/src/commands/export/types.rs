//! How a column's type crosses the Apache Flink bridge: dates and times as the text Flink's `json` format
//! parses, everything else as it is.

use anyhow::{Result, bail};
use switchyard_sql::plan::ColumnDef;
use switchyard_sql::{DataType, TypeKind};

use super::ident;
use crate::output::with_hint;

/// How a column crosses the bridge: the expression the bridge selects and the type it writes.
pub(super) fn bridge_column(c: &ColumnDef, table: &str) -> Result<(String, DataType)> {
    let col = ident(&c.name);
    let text = |nullable: bool| {
        if nullable {
            DataType::string()
        } else {
            DataType::not_null(TypeKind::Varchar(switchyard_sql::types::MAX_LENGTH))
        }
    };
    Ok(match &c.data_type.kind {
        // Flink's `json` reads these from text; `run`'s `json` sink writes them as epoch numbers, so the
        // bridge writes the text Flink parses (its default 'json.timestamp-format.standard' = 'SQL').
        TypeKind::Timestamp(_) | TypeKind::Date | TypeKind::Time(_) => {
            (format!("CAST({col} AS STRING)"), text(c.data_type.nullable))
        }
        TypeKind::TimestampLtz(_) => (
            format!("CAST({col} AS STRING) || 'Z'"),
            text(c.data_type.nullable),
        ),
        k if contains_temporal(k) => bail!(with_hint(
            format!(
                "table `{table}`: column `{}` {} nests a date or time, which cannot cross the bridge faithfully",
                c.name, c.data_type
            ),
            "declare the nested field as BIGINT (its number on the wire) and convert it in Flink"
        )),
        _ => (col, c.data_type.clone()),
    })
}

pub(super) fn contains_temporal(k: &TypeKind) -> bool {
    match k {
        TypeKind::Timestamp(_) | TypeKind::TimestampLtz(_) | TypeKind::Date | TypeKind::Time(_) => true,
        TypeKind::Array(t) | TypeKind::Multiset(t) => contains_temporal(&t.kind),
        TypeKind::Map(a, b) => contains_temporal(&a.kind) || contains_temporal(&b.kind),
        TypeKind::Row(fields) => fields.iter().any(|f| contains_temporal(&f.data_type.kind)),
        _ => false,
    }
}
