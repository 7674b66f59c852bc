//! JSON Schema → Flink types, the way Confluent Cloud for Apache Flink infers a table from a topic's
//! latest value schema (`json-registry`).
//!
//! Confluent Cloud reads the Connect annotations, not the Debezium ones: `connect.type` picks the
//! integer/float width, the Connect logical types (`org.apache.kafka.connect.data.Date|Time|Timestamp|
//! Decimal` in `title`) become `DATE`/`TIME`/`TIMESTAMP`/`DECIMAL`, while Debezium's logical types keep
//! their encoding: `io.debezium.time.MicroTimestamp` is a `BIGINT`, `io.debezium.time.Date` an `INT`,
//! `ZonedTimestamp` and `Json` a `STRING`. That is why a `TIMESTAMP(3)` declared over a Debezium
//! `timestamp(6)` column is a type mismatch in Confluent Cloud, and why [`super::check_column`]
//! explains what Switchyard can read instead.
//!
//! Nullability: `oneOf[null, T]` (or `"type": [T, "null"]`) is a nullable `T`; any other schema is
//! `NOT NULL`. This is Connect's view too (`use.optional.for.nonrequired=false`): a property without a
//! null branch is required whether or not it is listed in `required`, and `JsonSchemaConverter` writes no
//! `required` list.

use serde_json::Value as Json;

use super::error::MappingError;
use super::schema::{
    CONNECT_DATE, CONNECT_DECIMAL, CONNECT_TIME, CONNECT_TIMESTAMP, connect_param, connect_type, title,
};
use crate::types::{DataType, Field, MAX_LENGTH, TypeKind};

/// The columns of a topic's table from its latest value schema: one per property of the top-level
/// object, in the schema's order.
///
/// # Errors
/// [`MappingError`] when the schema is not an object schema or a property has no Flink type.
pub fn infer_columns(schema: &Json) -> Result<Vec<(String, DataType)>, MappingError> {
    let t = flink_type(schema)?;
    match t.kind {
        TypeKind::Row(fields) => Ok(fields.into_iter().map(|f| (f.name, f.data_type)).collect()),
        other => Err(MappingError::unsupported(
            "",
            format!(
                "a value schema must be an object to become columns, this one is {}",
                DataType::not_null(other)
            ),
        )),
    }
}

/// The Flink type of one JSON subschema.
///
/// # Errors
/// [`MappingError`] for schemas with no Flink type (`{}`, an unresolved `$ref`, `null` alone) or
/// malformed Connect annotations.
pub fn flink_type(schema: &Json) -> Result<DataType, MappingError> {
    type_at(schema, "")
}

fn is_null_branch(s: &Json) -> bool {
    s.get("type").and_then(Json::as_str) == Some("null")
}

fn type_at(schema: &Json, path: &str) -> Result<DataType, MappingError> {
    let Some(obj) = schema.as_object() else {
        return Err(MappingError::unsupported(
            path,
            "a boolean schema has no Flink type",
        ));
    };
    for key in ["oneOf", "anyOf"] {
        if let Some(branches) = obj.get(key).and_then(Json::as_array) {
            let non_null: Vec<(usize, &Json)> = branches
                .iter()
                .enumerate()
                .filter(|(_, b)| !is_null_branch(b))
                .collect();
            let nullable = non_null.len() < branches.len();
            return match non_null.as_slice() {
                [] => Err(MappingError::unsupported(
                    path,
                    "a schema that only admits null has no Flink type",
                )),
                [(i, one)] => Ok(type_at(one, &format!("{path}/{key}/{i}"))?.with_nullable(nullable)),
                many => {
                    // Combined schemas become a ROW with one nullable field per branch.
                    let fields = many
                        .iter()
                        .enumerate()
                        .map(|(n, (i, b))| {
                            Ok(Field {
                                name: format!("connect_union_field_{n}"),
                                data_type: type_at(b, &format!("{path}/{key}/{i}"))?.with_nullable(true),
                            })
                        })
                        .collect::<Result<Vec<_>, MappingError>>()?;
                    Ok(DataType {
                        kind: TypeKind::Row(fields),
                        nullable,
                    })
                }
            };
        }
    }
    if let Some(all) = obj.get("allOf").and_then(Json::as_array) {
        // allOf of objects: the union of their properties.
        let mut fields: Vec<Field> = Vec::new();
        for (i, b) in all.iter().enumerate() {
            match type_at(b, &format!("{path}/allOf/{i}"))?.kind {
                TypeKind::Row(fs) => {
                    for f in fs {
                        if !fields.iter().any(|g| g.name == f.name) {
                            fields.push(f);
                        }
                    }
                }
                _ => return Err(MappingError::unsupported(path, "allOf of non-object schemas")),
            }
        }
        return Ok(DataType::not_null(TypeKind::Row(fields)));
    }
    let (json_type, nullable) = match obj.get("type") {
        Some(Json::String(t)) => (t.as_str(), false),
        Some(Json::Array(ts)) => {
            let nn: Vec<&str> = ts
                .iter()
                .filter_map(Json::as_str)
                .filter(|t| *t != "null")
                .collect();
            let nullable = nn.len() < ts.len();
            match nn.as_slice() {
                [one] => (*one, nullable),
                many if !many.is_empty() && many.iter().all(|t| *t == "integer" || *t == "number") => {
                    ("number", nullable)
                }
                _ => {
                    return Err(MappingError::unsupported(
                        path,
                        "a type list other than [T, \"null\"]",
                    ));
                }
            }
        }
        _ if obj.contains_key("enum") => ("string", false),
        _ if obj.contains_key("properties") => ("object", false),
        _ if obj.contains_key("$ref") => {
            return Err(MappingError::unsupported(
                path,
                "resolve $ref before inferring types",
            ));
        }
        _ => {
            return Err(MappingError::unsupported(
                path,
                "a schema without a type has no Flink type",
            ));
        }
    };
    let kind = kind_of(obj, json_type, path)?;
    Ok(DataType { kind, nullable })
}

fn precision_hint(schema: &Json, default: u8) -> u8 {
    schema
        .get("flink.precision")
        .and_then(|p| p.as_u64().or_else(|| p.as_str().and_then(|s| s.parse().ok())))
        .and_then(|p| u8::try_from(p).ok())
        .filter(|p| *p <= 9)
        .unwrap_or(default)
}

fn length_hint(schema: &Json, key: &str) -> Option<u32> {
    schema
        .get(key)
        .and_then(|p| p.as_u64().or_else(|| p.as_str().and_then(|s| s.parse().ok())))
        .and_then(|n| u32::try_from(n).ok())
}

fn kind_of(
    obj: &serde_json::Map<String, Json>,
    json_type: &str,
    path: &str,
) -> Result<TypeKind, MappingError> {
    let schema = &Json::Object(obj.clone());
    let ct = connect_type(schema);
    if obj.contains_key("enum") {
        return Ok(TypeKind::Varchar(MAX_LENGTH));
    }
    match title(schema) {
        Some(CONNECT_DECIMAL) => {
            let scale: u8 = match connect_param(schema, "scale") {
                Some(s) => s.parse().map_err(|_| {
                    MappingError::invalid(path, format!("Decimal scale {s:?} is not a number"))
                })?,
                None => {
                    return Err(MappingError::invalid(
                        path,
                        "Decimal without connect.parameters.scale",
                    ));
                }
            };
            let precision: u8 = match connect_param(schema, "connect.decimal.precision") {
                Some(p) => p.parse().map_err(|_| {
                    MappingError::invalid(path, format!("Decimal precision {p:?} is not a number"))
                })?,
                None => 38,
            };
            if precision == 0 || precision > 38 || scale > precision {
                return Err(MappingError::unsupported(
                    path,
                    format!("DECIMAL({precision}, {scale}) is outside Flink's DECIMAL(1..38, 0..p)"),
                ));
            }
            return Ok(TypeKind::Decimal { precision, scale });
        }
        Some(CONNECT_DATE) if json_type != "string" => return Ok(TypeKind::Date),
        Some(CONNECT_TIME) if json_type != "string" => return Ok(TypeKind::Time(precision_hint(schema, 3))),
        Some(CONNECT_TIMESTAMP) if json_type != "string" => {
            let p = precision_hint(schema, 3);
            return Ok(
                if schema.get("flink.type").and_then(Json::as_str) == Some("timestamp") {
                    TypeKind::Timestamp(p)
                } else {
                    TypeKind::TimestampLtz(p)
                },
            );
        }
        _ => {}
    }
    Ok(match json_type {
        "boolean" => TypeKind::Boolean,
        "integer" | "number" => match ct {
            Some("int8") => TypeKind::TinyInt,
            Some("int16") => TypeKind::SmallInt,
            Some("int32") => TypeKind::Int,
            Some("int64") => TypeKind::BigInt,
            Some("float32") => TypeKind::Float,
            Some("float64") => TypeKind::Double,
            _ if json_type == "integer" => TypeKind::BigInt,
            _ => TypeKind::Double,
        },
        "string" => {
            if ct == Some("bytes") {
                let max = length_hint(schema, "flink.maxLength").unwrap_or(MAX_LENGTH);
                match length_hint(schema, "flink.minLength") {
                    Some(min) if min == max && max != MAX_LENGTH => TypeKind::Binary(max),
                    _ => TypeKind::Varbinary(max),
                }
            } else {
                let max = length_hint(schema, "maxLength").unwrap_or(MAX_LENGTH);
                match length_hint(schema, "minLength") {
                    Some(min) if min == max && max != MAX_LENGTH => TypeKind::Char(max),
                    _ => TypeKind::Varchar(max),
                }
            }
        }
        "array" => {
            let items = obj.get("items").filter(|i| i.is_object());
            if ct == Some("map") {
                let props = items.and_then(|i| i.get("properties"));
                let key = props
                    .and_then(|p| p.get("key"))
                    .ok_or_else(|| MappingError::invalid(path, "map entries without a key"))?;
                let value = props
                    .and_then(|p| p.get("value"))
                    .ok_or_else(|| MappingError::invalid(path, "map entries without a value"))?;
                let k = type_at(key, &format!("{path}/items/properties/key"))?;
                let v = type_at(value, &format!("{path}/items/properties/value"))?;
                if obj.get("flink.type").and_then(Json::as_str) == Some("multiset") {
                    TypeKind::Multiset(Box::new(k))
                } else {
                    TypeKind::Map(Box::new(k), Box::new(v))
                }
            } else {
                let items = items
                    .ok_or_else(|| MappingError::unsupported(path, "an array without an items schema"))?;
                TypeKind::Array(Box::new(type_at(items, &format!("{path}/items"))?))
            }
        }
        "object" => {
            let props = obj.get("properties").and_then(Json::as_object);
            let values = obj.get("additionalProperties").filter(|v| v.is_object());
            if ct == Some("map") || (props.is_none() && values.is_some()) {
                let values = values
                    .ok_or_else(|| MappingError::invalid(path, "a map without additionalProperties"))?;
                let v = type_at(values, &format!("{path}/additionalProperties"))?;
                let k = DataType::not_null(TypeKind::Varchar(MAX_LENGTH));
                if obj.get("flink.type").and_then(Json::as_str) == Some("multiset") {
                    TypeKind::Multiset(Box::new(k))
                } else {
                    TypeKind::Map(Box::new(k), Box::new(v))
                }
            } else {
                let mut fields = Vec::new();
                for (name, sub) in props.into_iter().flatten() {
                    let data_type = type_at(sub, &format!("{path}/properties/{name}"))?;
                    fields.push(Field {
                        name: name.clone(),
                        data_type,
                    });
                }
                TypeKind::Row(fields)
            }
        }
        "null" => {
            return Err(MappingError::unsupported(
                path,
                "a schema that only admits null has no Flink type",
            ));
        }
        other => {
            return Err(MappingError::unsupported(
                path,
                format!("unknown JSON type {other:?}"),
            ));
        }
    })
}
