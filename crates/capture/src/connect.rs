//! The Kafka Connect data model Debezium describes its records with: a schema (type, optional, name,
//! version, parameters, default, fields) and a value.
//!
//! Events are built as Connect schema + value first and serialized afterwards, exactly as Debezium
//! does, so that the three output formats cannot disagree: `json-schemas` is what `JsonConverter`
//! writes with `schemas.enable=true` (`{"schema":…,"payload":…}`), `json` the payload alone, and
//! `json-sr` registers the JSON Schema that `JsonSchemaConverter` derives from the same Connect schema
//! (via `switchyard_schema::json_schema_from_connect`). Values are kept as `serde_json::Value` in
//! their `JsonConverter` form (bytes as base64 text, Decimal as base64 of the unscaled integer),
//! which is also the form `JsonSchemaConverter` writes.

use serde_json::{Map, Value, json};

/// A Connect schema type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectType {
    /// `int8`.
    Int8,
    /// `int16`.
    Int16,
    /// `int32`.
    Int32,
    /// `int64`.
    Int64,
    /// `float32`.
    Float32,
    /// `float64`.
    Float64,
    /// `boolean`.
    Boolean,
    /// `string`.
    String,
    /// `bytes`.
    Bytes,
    /// `array` (see [`ConnectSchema::items`]).
    Array,
    /// `struct` (see [`ConnectSchema::fields`]).
    Struct,
}

impl ConnectType {
    /// The name `JsonConverter` writes.
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectType::Int8 => "int8",
            ConnectType::Int16 => "int16",
            ConnectType::Int32 => "int32",
            ConnectType::Int64 => "int64",
            ConnectType::Float32 => "float",
            ConnectType::Float64 => "double",
            ConnectType::Boolean => "boolean",
            ConnectType::String => "string",
            ConnectType::Bytes => "bytes",
            ConnectType::Array => "array",
            ConnectType::Struct => "struct",
        }
    }
}

/// A Connect schema (the subset Debezium's PostgreSQL connector produces).
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectSchema {
    /// The type.
    pub kind: ConnectType,
    /// Whether null is allowed.
    pub optional: bool,
    /// Logical or record name (`io.debezium.time.MicroTimestamp`, `pg1.public.t.Value`).
    pub name: Option<String>,
    /// Schema version (Debezium's logical types are version 1, the envelope version 2).
    pub version: Option<i32>,
    /// Documentation (`doc`), as Debezium sets on `VariableScaleDecimal`.
    pub doc: Option<String>,
    /// Parameters (`scale`, `connect.decimal.precision`, `allowed`), in insertion order.
    pub parameters: Vec<(String, String)>,
    /// Default value in `JsonConverter` form.
    pub default: Option<Value>,
    /// Struct fields, in order.
    pub fields: Vec<(String, ConnectSchema)>,
    /// Array element schema.
    pub items: Option<Box<ConnectSchema>>,
}

impl ConnectSchema {
    /// A primitive schema.
    pub fn new(kind: ConnectType, optional: bool) -> Self {
        ConnectSchema {
            kind,
            optional,
            name: None,
            version: None,
            doc: None,
            parameters: Vec::new(),
            default: None,
            fields: Vec::new(),
            items: None,
        }
    }

    /// A named logical type (Debezium's are all version 1).
    pub fn logical(kind: ConnectType, optional: bool, name: &str) -> Self {
        let mut s = ConnectSchema::new(kind, optional);
        s.name = Some(name.to_string());
        s.version = Some(1);
        s
    }

    /// A struct with the given fields.
    pub fn structure(name: &str, optional: bool, fields: Vec<(String, ConnectSchema)>) -> Self {
        let mut s = ConnectSchema::new(ConnectType::Struct, optional);
        s.name = Some(name.to_string());
        s.fields = fields;
        s
    }

    /// An array of `items`.
    pub fn array(items: ConnectSchema, optional: bool) -> Self {
        let mut s = ConnectSchema::new(ConnectType::Array, optional);
        s.items = Some(Box::new(items));
        s
    }

    /// The same schema with `optional` set.
    pub fn with_optional(mut self, optional: bool) -> Self {
        self.optional = optional;
        self
    }

    /// The schema as `JsonConverter` writes it (`schemas.enable=true`), key order included.
    pub fn to_json(&self) -> Value {
        self.to_json_field(None)
    }

    fn to_json_field(&self, field: Option<&str>) -> Value {
        let mut m = Map::new();
        m.insert("type".into(), json!(self.kind.as_str()));
        if self.kind == ConnectType::Struct {
            let fields = self
                .fields
                .iter()
                .map(|(n, s)| s.to_json_field(Some(n)))
                .collect();
            m.insert("fields".into(), Value::Array(fields));
        }
        if let Some(items) = &self.items {
            m.insert("items".into(), items.to_json_field(None));
        }
        m.insert("optional".into(), json!(self.optional));
        if let Some(name) = &self.name {
            m.insert("name".into(), json!(name));
        }
        if let Some(v) = self.version {
            m.insert("version".into(), json!(v));
        }
        if let Some(d) = &self.doc {
            m.insert("doc".into(), json!(d));
        }
        if !self.parameters.is_empty() {
            let p: Map<String, Value> = self
                .parameters
                .iter()
                .map(|(k, v)| (k.clone(), json!(v)))
                .collect();
            m.insert("parameters".into(), Value::Object(p));
        }
        if let Some(d) = &self.default {
            m.insert("default".into(), d.clone());
        }
        if let Some(f) = field {
            m.insert("field".into(), json!(f));
        }
        Value::Object(m)
    }

    /// The field schema named `name`, for structs.
    pub fn field(&self, name: &str) -> Option<&ConnectSchema> {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, s)| s)
    }
}

/// A record half (key or value) as Debezium hands it to a converter: a schema and a value that
/// conforms to it (`Value::Null` for a null struct).
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectRecord {
    /// The schema.
    pub schema: ConnectSchema,
    /// The value, in `JsonConverter` form.
    pub value: Value,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_json_matches_json_converter_key_order() {
        let mut s = ConnectSchema::logical(ConnectType::Int64, false, "io.debezium.time.MicroTimestamp");
        s.default = Some(json!(0));
        let st = ConnectSchema::structure("t.Value", true, vec![("created".into(), s)]);
        let text = serde_json::to_string(&st.to_json()).unwrap_or_default();
        assert_eq!(
            text,
            r#"{"type":"struct","fields":[{"type":"int64","optional":false,"name":"io.debezium.time.MicroTimestamp","version":1,"default":0,"field":"created"}],"optional":true,"name":"t.Value"}"#
        );
    }
}
