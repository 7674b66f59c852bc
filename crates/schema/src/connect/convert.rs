//! The port of `JsonSchemaData.rawSchemaFromConnectSchema` (see the module docs of [`super`]).

use serde_json::{Map, Value, json};

const NAMESPACE: &str = "io.confluent.connect.json";
const JSON_TYPE_ENUM: &str = "io.confluent.connect.json.Enum";
const JSON_TYPE_ENUM_PREFIX: &str = "io.confluent.connect.json.Enum.";
const JSON_TYPE_ONE_OF: &str = "io.confluent.connect.json.OneOf";
const DECIMAL: &str = "org.apache.kafka.connect.data.Decimal";

/// Options of the conversion; the defaults are what `JsonSchemaConverter` does by default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ConnectOptions {
    /// List the non-optional fields of each struct in `required` (the real converter does not).
    pub emit_required: bool,
    /// Write `"additionalProperties": false` on structs, as the converter does with
    /// `object.additional.properties=false`.
    pub closed_objects: bool,
}

/// A Connect schema that cannot be converted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectError {
    /// The JSON is not a Connect schema (missing or wrong `type`, `fields`, `items`, `keys`, `values`…).
    #[error("invalid Connect schema at {path}: {message}")]
    Invalid {
        /// Where, as a path of field names (`$.fields.after.fields.id`).
        path: String,
        /// What is wrong.
        message: String,
    },
}

fn invalid(path: &str, message: impl Into<String>) -> ConnectError {
    ConnectError::Invalid {
        path: path.to_owned(),
        message: message.into(),
    }
}

/// Convert a Connect schema, as `JsonConverter` writes it (`schemas.enable=true`), to the JSON Schema
/// `JsonSchemaConverter` registers for it.
///
/// # Errors
/// [`ConnectError::Invalid`] when `connect` is not a Connect schema.
///
/// ```
/// use serde_json::json;
/// use switchyard_schema::{ConnectOptions, json_schema_from_connect};
///
/// let connect = json!({"type": "struct", "name": "pg1.public.t.Value", "optional": false, "fields": [
///     {"type": "int64", "optional": false, "field": "id"},
///     {"type": "string", "optional": true, "field": "note"}]});
/// let schema = json_schema_from_connect(&connect, &ConnectOptions::default()).unwrap();
/// assert_eq!(schema, json!({"type": "object", "title": "pg1.public.t.Value", "properties": {
///     "id": {"type": "integer", "connect.type": "int64", "connect.index": 0},
///     "note": {"oneOf": [{"type": "null"}, {"type": "string"}], "connect.index": 1}}}));
/// ```
pub fn json_schema_from_connect(connect: &Value, opts: &ConnectOptions) -> Result<Value, ConnectError> {
    convert(connect, None, false, opts, "$")
}

fn optional(schema: &Value) -> bool {
    schema.get("optional").and_then(Value::as_bool).unwrap_or(false)
}

fn name(schema: &Value) -> Option<&str> {
    schema.get("name").and_then(Value::as_str)
}

/// Key order follows the schemas in the shared corpus: `type`, `title`, `description`, `default`, the
/// type's own keywords, then the `connect.*` properties.
struct Builder {
    head: Map<String, Value>,
    body: Map<String, Value>,
    props: Map<String, Value>,
}

impl Builder {
    fn new(json_type: Option<&str>) -> Self {
        let mut head = Map::new();
        if let Some(t) = json_type {
            head.insert("type".to_owned(), json!(t));
        }
        Builder {
            head,
            body: Map::new(),
            props: Map::new(),
        }
    }

    fn build(self) -> Value {
        let mut out = self.head;
        out.extend(self.body);
        out.extend(self.props);
        Value::Object(out)
    }
}

fn connect_type<'a>(schema: &'a Value, path: &str) -> Result<&'a str, ConnectError> {
    schema
        .get("type")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid(path, "no \"type\""))
}

/// `nonOptional(schema)`: the same schema marked required.
fn non_optional(schema: &Value) -> Value {
    let mut s = schema.clone();
    if let Value::Object(o) = &mut s {
        o.insert("optional".to_owned(), json!(false));
    }
    s
}

fn convert(
    schema: &Value,
    index: Option<usize>,
    ignore_optional: bool,
    opts: &ConnectOptions,
    path: &str,
) -> Result<Value, ConnectError> {
    if !schema.is_object() {
        return Err(invalid(path, "a Connect schema is an object"));
    }
    let ty = connect_type(schema, path)?;
    let params = schema.get("parameters").and_then(Value::as_object);
    let mut combined = false;
    let mut b = match ty {
        "int8" | "int16" | "int32" | "int64" => {
            let mut b = Builder::new(Some("integer"));
            b.props.insert("connect.type".to_owned(), json!(ty));
            b
        }
        "float32" | "float64" => {
            let mut b = Builder::new(Some("number"));
            b.props.insert("connect.type".to_owned(), json!(ty));
            b
        }
        "boolean" => Builder::new(Some("boolean")),
        "string" => {
            let mut b = Builder::new(Some("string"));
            if let Some(p) = params.filter(|p| p.contains_key(JSON_TYPE_ENUM)) {
                let values: Vec<Value> = p
                    .iter()
                    .filter(|(k, _)| k.starts_with(JSON_TYPE_ENUM_PREFIX))
                    .map(|(_, v)| v.clone())
                    .collect();
                b.head.shift_remove("type");
                b.body.insert("enum".to_owned(), Value::Array(values));
            }
            b
        }
        "bytes" => {
            let mut b = Builder::new(Some(if name(schema) == Some(DECIMAL) {
                "number"
            } else {
                "string"
            }));
            b.props.insert("connect.type".to_owned(), json!("bytes"));
            b
        }
        "array" => {
            let items = schema
                .get("items")
                .ok_or_else(|| invalid(path, "an array without \"items\""))?;
            let mut b = Builder::new(Some("array"));
            b.body.insert(
                "items".to_owned(),
                convert(items, None, false, opts, &format!("{path}.items"))?,
            );
            b
        }
        "map" => {
            let keys = schema
                .get("keys")
                .ok_or_else(|| invalid(path, "a map without \"keys\""))?;
            let values = schema
                .get("values")
                .ok_or_else(|| invalid(path, "a map without \"values\""))?;
            let string_keys = connect_type(keys, &format!("{path}.keys"))? == "string" && !optional(keys);
            let mut b;
            if string_keys {
                b = Builder::new(Some("object"));
                b.body.insert(
                    "additionalProperties".to_owned(),
                    convert(values, None, false, opts, &format!("{path}.values"))?,
                );
            } else {
                let key = convert(keys, Some(0), false, opts, &format!("{path}.keys"))?;
                let value = convert(values, Some(1), false, opts, &format!("{path}.values"))?;
                let mut entry = Map::new();
                entry.insert("type".to_owned(), json!("object"));
                entry.insert("properties".to_owned(), json!({"key": key, "value": value}));
                b = Builder::new(Some("array"));
                b.body.insert("items".to_owned(), Value::Object(entry));
            }
            b.props.insert("connect.type".to_owned(), json!("map"));
            b
        }
        "struct" => {
            let fields = schema
                .get("fields")
                .and_then(Value::as_array)
                .ok_or_else(|| invalid(path, "a struct without \"fields\""))?;
            if name(schema) == Some(JSON_TYPE_ONE_OF) {
                combined = true;
                let mut branches = Vec::new();
                if optional(schema) {
                    branches.push(json!({"type": "null"}));
                }
                for (i, f) in fields.iter().enumerate() {
                    let fpath = field_path(path, f, i);
                    branches.push(convert(&non_optional(f), Some(i), true, opts, &fpath)?);
                }
                let mut b = Builder::new(None);
                b.head.insert("oneOf".to_owned(), Value::Array(branches));
                b
            } else if optional(schema) {
                combined = true;
                let inner = convert(&non_optional(schema), None, false, opts, path)?;
                let mut b = Builder::new(None);
                b.head
                    .insert("oneOf".to_owned(), json!([{"type": "null"}, inner]));
                b
            } else {
                let mut properties = Map::new();
                let mut required = Vec::new();
                for (i, f) in fields.iter().enumerate() {
                    let fpath = field_path(path, f, i);
                    let fname = f
                        .get("field")
                        .and_then(Value::as_str)
                        .ok_or_else(|| invalid(&fpath, "a struct field without \"field\""))?;
                    if !optional(f) {
                        required.push(json!(fname));
                    }
                    properties.insert(fname.to_owned(), convert(f, Some(i), false, opts, &fpath)?);
                }
                let mut b = Builder::new(Some("object"));
                b.body.insert("properties".to_owned(), Value::Object(properties));
                if opts.emit_required && !required.is_empty() {
                    b.body.insert("required".to_owned(), Value::Array(required));
                }
                if opts.closed_objects {
                    b.body.insert("additionalProperties".to_owned(), json!(false));
                }
                b
            }
        }
        other => return Err(invalid(path, format!("unknown Connect type {other:?}"))),
    };

    if !combined {
        if let Some(n) = name(schema) {
            b.head.insert("title".to_owned(), json!(n));
        }
        if let Some(d) = schema.get("doc").and_then(Value::as_str) {
            b.head.insert("description".to_owned(), json!(d));
        }
        if let Some(d) = schema.get("default").filter(|d| !d.is_null()) {
            b.head.insert("default".to_owned(), d.clone());
        }
        if let Some(v) = schema.get("version").filter(|v| !v.is_null()) {
            b.props.insert("connect.version".to_owned(), v.clone());
        }
        if let Some(p) = params {
            let kept: Map<String, Value> = p
                .iter()
                .filter(|(k, _)| !k.starts_with(NAMESPACE))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            if !kept.is_empty() {
                b.props
                    .insert("connect.parameters".to_owned(), Value::Object(kept));
            }
        }
        if !ignore_optional && optional(schema) {
            let inner = b.build();
            let mut wrapper = Builder::new(None);
            wrapper
                .head
                .insert("oneOf".to_owned(), json!([{"type": "null"}, inner]));
            b = wrapper;
        }
    }
    if let Some(i) = index {
        b.props.insert("connect.index".to_owned(), json!(i));
    }
    Ok(b.build())
}

fn field_path(path: &str, field: &Value, i: usize) -> String {
    match field.get("field").and_then(Value::as_str) {
        Some(n) => format!("{path}.fields.{n}"),
        None => format!("{path}.fields[{i}]"),
    }
}
