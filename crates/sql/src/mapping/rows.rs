//! Whole records: a table's columns read from (and checked against) the writer's top-level object
//! schema, one [`FieldReader`] per column.
//!
//! Columns are looked up by exact (case-sensitive) name, as Flink does; a column the writer's schema
//! does not have reads as `NULL` and is reported as lossy at plan time, since it is usually a typo or a
//! column of another schema version.

use serde_json::Value as Json;

use super::compile::{check_column_with, compile_reader_with};
use super::error::{Compatibility, ConversionError, MappingError};
use super::read::{FieldReader, ReadOptions};
use crate::types::{DataType, Value};

/// Reads a record value (a JSON object) into a table's column values.
#[derive(Debug, Clone)]
pub struct RowReader {
    columns: Vec<(String, FieldReader)>,
}

/// The writer's top-level properties, after unwrapping `oneOf[null, object]`.
fn properties(writer: &Json) -> Option<&serde_json::Map<String, Json>> {
    if let Some(p) = writer.get("properties").and_then(Json::as_object) {
        return Some(p);
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(branches) = writer.get(key).and_then(Json::as_array) {
            let objects: Vec<&Json> = branches
                .iter()
                .filter(|b| b.get("type").and_then(Json::as_str) != Some("null"))
                .collect();
            if let [one] = objects.as_slice() {
                return one.get("properties").and_then(Json::as_object);
            }
        }
    }
    None
}

fn missing(column: &str, declared: &DataType) -> ConversionError {
    ConversionError {
        column: column.to_owned(),
        from: "(absent)".to_owned(),
        to: declared.to_string(),
        message: format!("the writer's schema has no field `{column}`: the column is always NULL"),
        fix: format!("check the spelling and case of `{column}` against the topic's value schema"),
    }
}

/// Compile readers for a table's columns against the writer's value schema (`None` for schemaless
/// `json`).
///
/// # Errors
/// [`MappingError::Incompatible`] for the first column no writer value can be read into, and
/// [`MappingError::Unsupported`] when the writer's schema is not an object schema.
pub fn compile_row_reader(
    writer: Option<&Json>,
    columns: &[(String, DataType)],
    opts: &ReadOptions,
) -> Result<RowReader, MappingError> {
    let props = match writer {
        Some(w) => Some(properties(w).ok_or_else(|| {
            MappingError::unsupported("", "the writer's value schema is not an object with properties")
        })?),
        None => None,
    };
    let mut out = Vec::with_capacity(columns.len());
    for (name, declared) in columns {
        let field = props.and_then(|p| p.get(name));
        let mut reader = compile_reader_with(name, field, declared, opts)?;
        if props.is_some() && field.is_none() && reader.lossy.is_none() {
            reader.lossy = Some(missing(name, declared));
        }
        out.push((name.clone(), reader));
    }
    Ok(RowReader { columns: out })
}

/// The plan-time verdict for every column (see [`check_column_with`]).
pub fn check_columns(
    writer: Option<&Json>,
    columns: &[(String, DataType)],
    opts: &ReadOptions,
) -> Vec<(String, Compatibility)> {
    let props = writer.and_then(properties);
    columns
        .iter()
        .map(|(name, declared)| {
            let field = props.and_then(|p| p.get(name));
            let verdict = match check_column_with(name, field, declared, opts) {
                Compatibility::Lossless(_) if writer.is_some() && field.is_none() => {
                    Compatibility::Lossy(missing(name, declared))
                }
                other => other,
            };
            (name.clone(), verdict)
        })
        .collect()
}

impl RowReader {
    /// The columns and their readers, in table order.
    pub fn columns(&self) -> &[(String, FieldReader)] {
        &self.columns
    }

    /// Read a record value. Fields the table does not declare are ignored; absent fields are `NULL`.
    ///
    /// # Errors
    /// The first column's [`ConversionError`], or one naming the value when it is not an object.
    pub fn read(&self, json: &Json) -> Result<Vec<Value>, ConversionError> {
        let Json::Object(obj) = json else {
            let kind = match json {
                Json::Null => "null (a tombstone or a deleted row)",
                Json::Array(_) => "an array",
                _ => "a scalar",
            };
            return Err(ConversionError {
                column: "(value)".to_owned(),
                from: format!("JSON {kind}"),
                to: "ROW".to_owned(),
                message: "a record value must be a JSON object".to_owned(),
                fix: "skip tombstones, or check the topic holds the expected records".to_owned(),
            });
        };
        self.columns
            .iter()
            .map(|(name, r)| r.read(obj.get(name).unwrap_or(&Json::Null)))
            .collect()
    }
}
