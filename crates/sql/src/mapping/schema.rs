//! How a writer's JSON Schema describes one value: the JSON type, the Kafka Connect annotations
//! (`connect.type`, `connect.parameters`), the logical type named in `title` (Connect's
//! `org.apache.kafka.connect.data.*`, Debezium's `io.debezium.*`) and Confluent Cloud Flink's `flink.*`
//! hints. Inference, reading and the compatibility check all classify a subschema once, here, so that
//! they agree on what a field is.

use serde_json::{Map, Value};

pub(crate) const CONNECT_DATE: &str = "org.apache.kafka.connect.data.Date";
pub(crate) const CONNECT_TIME: &str = "org.apache.kafka.connect.data.Time";
pub(crate) const CONNECT_TIMESTAMP: &str = "org.apache.kafka.connect.data.Timestamp";
pub(crate) const CONNECT_DECIMAL: &str = "org.apache.kafka.connect.data.Decimal";
pub(crate) const DBZ_DATE: &str = "io.debezium.time.Date";
pub(crate) const DBZ_TIME: &str = "io.debezium.time.Time";
pub(crate) const DBZ_MICRO_TIME: &str = "io.debezium.time.MicroTime";
pub(crate) const DBZ_NANO_TIME: &str = "io.debezium.time.NanoTime";
pub(crate) const DBZ_TIMESTAMP: &str = "io.debezium.time.Timestamp";
pub(crate) const DBZ_MICRO_TIMESTAMP: &str = "io.debezium.time.MicroTimestamp";
pub(crate) const DBZ_NANO_TIMESTAMP: &str = "io.debezium.time.NanoTimestamp";
pub(crate) const DBZ_ZONED_TIMESTAMP: &str = "io.debezium.time.ZonedTimestamp";
pub(crate) const DBZ_VARIABLE_SCALE_DECIMAL: &str = "io.debezium.data.VariableScaleDecimal";

/// The integer widths Connect distinguishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum IntWidth {
    I8,
    I16,
    I32,
    I64,
}

impl IntWidth {
    pub(crate) fn name(self) -> &'static str {
        match self {
            IntWidth::I8 => "int8",
            IntWidth::I16 => "int16",
            IntWidth::I32 => "int32",
            IntWidth::I64 => "int64",
        }
    }

    /// Decimal digits needed for every value of the width.
    pub(crate) fn digits(self) -> u32 {
        match self {
            IntWidth::I8 => 3,
            IntWidth::I16 => 5,
            IntWidth::I32 => 10,
            IntWidth::I64 => 19,
        }
    }
}

/// What an epoch-based or ISO temporal encoding counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Temporal {
    /// int32 days since 1970-01-01 (Connect `Date`, Debezium `Date`).
    EpochDays,
    /// int64 milliseconds since the epoch (Connect `Timestamp`, Debezium `Timestamp`).
    EpochMillis,
    /// int64 microseconds since the epoch (Debezium `MicroTimestamp`).
    EpochMicros,
    /// int64 nanoseconds since the epoch (Debezium `NanoTimestamp`).
    EpochNanos,
    /// ISO-8601 instant text with a zone (Debezium `ZonedTimestamp`).
    ZonedText,
    /// int32 milliseconds of the day (Connect `Time`, Debezium `Time`).
    MillisOfDay,
    /// int64 microseconds of the day (Debezium `MicroTime`).
    MicrosOfDay,
    /// int64 nanoseconds of the day (Debezium `NanoTime`).
    NanosOfDay,
}

impl Temporal {
    /// Sub-second digits the encoding carries.
    pub(crate) fn digits(self) -> u8 {
        match self {
            Temporal::EpochDays => 0,
            Temporal::EpochMillis | Temporal::MillisOfDay => 3,
            Temporal::EpochMicros | Temporal::MicrosOfDay => 6,
            Temporal::EpochNanos | Temporal::NanosOfDay | Temporal::ZonedText => 9,
        }
    }

    pub(crate) fn is_time_of_day(self) -> bool {
        matches!(
            self,
            Temporal::MillisOfDay | Temporal::MicrosOfDay | Temporal::NanosOfDay
        )
    }

    pub(crate) fn is_instant(self) -> bool {
        matches!(
            self,
            Temporal::EpochMillis | Temporal::EpochMicros | Temporal::EpochNanos | Temporal::ZonedText
        )
    }

    pub(crate) fn unit(self) -> &'static str {
        match self {
            Temporal::EpochDays => "int32 days since 1970-01-01",
            Temporal::EpochMillis => "int64 ms since epoch",
            Temporal::EpochMicros => "int64 µs since epoch",
            Temporal::EpochNanos => "int64 ns since epoch",
            Temporal::ZonedText => "ISO-8601 string with zone",
            Temporal::MillisOfDay => "int32 ms of day",
            Temporal::MicrosOfDay => "int64 µs of day",
            Temporal::NanosOfDay => "int64 ns of day",
        }
    }
}

/// The shape of one writer value, after unwrapping `oneOf[null, T]`.
#[derive(Debug, Clone)]
pub(crate) enum Kind<'a> {
    /// Only `null`.
    Null,
    Boolean,
    /// An integer; `explicit` when `connect.type` says the width.
    Int {
        width: IntWidth,
        explicit: bool,
    },
    /// `connect.type: float32`.
    Float32,
    /// A JSON number: `connect.type: float64` or none.
    Float64 {
        explicit: bool,
    },
    /// Text; `maxLength` if declared.
    String {
        max_length: Option<u64>,
    },
    /// `enum` of values.
    Enum,
    /// base64 text (`connect.type: bytes`); `flink.maxLength` if declared.
    Bytes {
        max_length: Option<u64>,
    },
    /// Connect `Decimal`: scale from `connect.parameters.scale`, precision from
    /// `connect.decimal.precision` when present.
    Decimal {
        precision: Option<u32>,
        scale: u32,
    },
    /// Debezium `VariableScaleDecimal`: `{scale, value}`.
    VariableScaleDecimal,
    /// A temporal logical type.
    Temporal(Temporal),
    /// An object with named properties (a Connect struct).
    Object {
        properties: Option<&'a Map<String, Value>>,
    },
    /// An object used as a map with string keys (`additionalProperties` = value schema).
    MapObject {
        values: Option<&'a Value>,
    },
    /// An array of `{key, value}` objects with `connect.type: map`.
    MapPairs {
        key: Option<&'a Value>,
        value: Option<&'a Value>,
    },
    /// An array.
    Array {
        items: Option<&'a Value>,
    },
    /// `oneOf`/`anyOf`/`allOf` other than `null` + T.
    Combined,
    /// No type information (`{}`, `true`, an unresolved `$ref`).
    Any,
}

/// A classified writer subschema.
#[derive(Debug, Clone)]
pub(crate) struct Writer<'a> {
    /// The schema after unwrapping the nullable union.
    pub schema: &'a Value,
    /// Whether the writer admits `null`.
    pub nullable: bool,
    /// The classified shape.
    pub kind: Kind<'a>,
}

/// `title` of a schema.
pub(crate) fn title(schema: &Value) -> Option<&str> {
    schema.get("title").and_then(Value::as_str)
}

/// `connect.type` of a schema.
pub(crate) fn connect_type(schema: &Value) -> Option<&str> {
    schema.get("connect.type").and_then(Value::as_str)
}

/// A `connect.parameters` entry.
pub(crate) fn connect_param<'a>(schema: &'a Value, name: &str) -> Option<&'a str> {
    schema
        .get("connect.parameters")
        .and_then(|p| p.get(name))
        .and_then(Value::as_str)
}

fn is_null_schema(s: &Value) -> bool {
    s.get("type").and_then(Value::as_str) == Some("null")
}

/// Split `oneOf`/`anyOf` `[null, T]` (either order) and `"type": ["null", T]` into (T, nullable).
/// Returns `None` for a combination that is not just a nullable `T`.
fn unwrap_nullable(schema: &Value) -> (&Value, bool) {
    for key in ["oneOf", "anyOf"] {
        if let Some(branches) = schema.get(key).and_then(Value::as_array) {
            let non_null: Vec<&Value> = branches.iter().filter(|b| !is_null_schema(b)).collect();
            let has_null = non_null.len() < branches.len();
            if non_null.len() == 1 {
                return (non_null[0], has_null);
            }
            if non_null.is_empty() && has_null {
                return (&branches[0], true);
            }
        }
    }
    (schema, false)
}

impl<'a> Writer<'a> {
    /// Classify a writer subschema.
    pub(crate) fn classify(schema: &'a Value) -> Writer<'a> {
        let (inner, mut nullable) = unwrap_nullable(schema);
        let (kind, type_nullable) = classify_inner(inner);
        nullable |= type_nullable;
        Writer {
            schema: inner,
            nullable,
            kind,
        }
    }

    /// How the writer type reads in messages: the logical name when there is one, then the encoding.
    pub(crate) fn describe(&self) -> String {
        let t = title(self.schema);
        match &self.kind {
            Kind::Null => "null".to_owned(),
            Kind::Boolean => "boolean".to_owned(),
            Kind::Int {
                width,
                explicit: true,
            } => width.name().to_owned(),
            Kind::Int { explicit: false, .. } => "integer".to_owned(),
            Kind::Float32 => "float32".to_owned(),
            Kind::Float64 { explicit: true } => "float64".to_owned(),
            Kind::Float64 { explicit: false } => "number".to_owned(),
            Kind::String { .. } => match t {
                Some(t) => format!("{t} (string)"),
                None => "string".to_owned(),
            },
            Kind::Enum => "enum (string)".to_owned(),
            Kind::Bytes { .. } => match t {
                Some(t) => format!("{t} (base64 bytes)"),
                None => "bytes (base64)".to_owned(),
            },
            Kind::Decimal { precision, scale } => match precision {
                Some(p) => format!("{CONNECT_DECIMAL} (precision {p}, scale {scale})"),
                None => format!("{CONNECT_DECIMAL} (scale {scale})"),
            },
            Kind::VariableScaleDecimal => format!("{DBZ_VARIABLE_SCALE_DECIMAL} ({{scale, value}})"),
            Kind::Temporal(tk) => format!("{} ({})", t.unwrap_or("temporal"), tk.unit()),
            Kind::Object { .. } => match t {
                Some(t) => format!("object {t}"),
                None => "object".to_owned(),
            },
            Kind::MapObject { .. } | Kind::MapPairs { .. } => "map".to_owned(),
            Kind::Array { .. } => "array".to_owned(),
            Kind::Combined => "oneOf/anyOf/allOf".to_owned(),
            Kind::Any => "any JSON".to_owned(),
        }
    }
}

fn classify_inner(schema: &Value) -> (Kind<'_>, bool) {
    let Some(obj) = schema.as_object() else {
        return (Kind::Any, true);
    };
    let (json_type, type_nullable) = match obj.get("type") {
        Some(Value::String(t)) => (Some(t.as_str()), false),
        Some(Value::Array(ts)) => {
            let non_null: Vec<&str> = ts
                .iter()
                .filter_map(Value::as_str)
                .filter(|t| *t != "null")
                .collect();
            let has_null = ts.iter().any(|t| t.as_str() == Some("null"));
            match non_null.as_slice() {
                [one] => (Some(*one), has_null),
                [] => (Some("null"), has_null),
                // ["integer","number"] → number; anything else is a combination.
                many if many.iter().all(|t| *t == "integer" || *t == "number") => (Some("number"), has_null),
                _ => return (Kind::Combined, has_null),
            }
        }
        _ => (None, false),
    };
    let ct = connect_type(schema);
    let t = title(schema);

    if let Some(t) = t {
        let temporal = match t {
            CONNECT_DATE | DBZ_DATE => Some(Temporal::EpochDays),
            CONNECT_TIMESTAMP | DBZ_TIMESTAMP => Some(Temporal::EpochMillis),
            DBZ_MICRO_TIMESTAMP => Some(Temporal::EpochMicros),
            DBZ_NANO_TIMESTAMP => Some(Temporal::EpochNanos),
            DBZ_ZONED_TIMESTAMP => Some(Temporal::ZonedText),
            CONNECT_TIME | DBZ_TIME => Some(Temporal::MillisOfDay),
            DBZ_MICRO_TIME => Some(Temporal::MicrosOfDay),
            DBZ_NANO_TIME => Some(Temporal::NanosOfDay),
            _ => None,
        };
        // Only trust the title when the encoding matches it.
        if let Some(tk) = temporal {
            let text = matches!(json_type, Some("string"));
            if (tk == Temporal::ZonedText) == text && json_type.is_some() {
                return (Kind::Temporal(tk), type_nullable);
            }
        }
        if t == CONNECT_DECIMAL {
            let scale = connect_param(schema, "scale")
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            let precision = connect_param(schema, "connect.decimal.precision").and_then(|s| s.parse().ok());
            return (Kind::Decimal { precision, scale }, type_nullable);
        }
        if t == DBZ_VARIABLE_SCALE_DECIMAL && json_type == Some("object") {
            return (Kind::VariableScaleDecimal, type_nullable);
        }
    }
    if obj.contains_key("enum") {
        return (Kind::Enum, type_nullable);
    }
    let kind = match json_type {
        Some("null") => Kind::Null,
        Some("boolean") => Kind::Boolean,
        Some("integer") | Some("number") => match ct {
            Some("int8") => Kind::Int {
                width: IntWidth::I8,
                explicit: true,
            },
            Some("int16") => Kind::Int {
                width: IntWidth::I16,
                explicit: true,
            },
            Some("int32") => Kind::Int {
                width: IntWidth::I32,
                explicit: true,
            },
            Some("int64") => Kind::Int {
                width: IntWidth::I64,
                explicit: true,
            },
            Some("float32") => Kind::Float32,
            Some("float64") => Kind::Float64 { explicit: true },
            _ if json_type == Some("integer") => Kind::Int {
                width: IntWidth::I64,
                explicit: false,
            },
            _ => Kind::Float64 { explicit: false },
        },
        Some("string") => {
            if ct == Some("bytes") {
                Kind::Bytes {
                    max_length: obj.get("flink.maxLength").and_then(Value::as_u64),
                }
            } else {
                Kind::String {
                    max_length: obj.get("maxLength").and_then(Value::as_u64),
                }
            }
        }
        Some("object") => {
            if ct == Some("map")
                || (!obj.contains_key("properties")
                    && obj.get("additionalProperties").is_some_and(Value::is_object))
            {
                Kind::MapObject {
                    values: obj.get("additionalProperties").filter(|v| v.is_object()),
                }
            } else {
                Kind::Object {
                    properties: obj.get("properties").and_then(Value::as_object),
                }
            }
        }
        Some("array") => {
            let items = obj.get("items").filter(|v| v.is_object());
            if ct == Some("map") {
                let props = items.and_then(|i| i.get("properties"));
                Kind::MapPairs {
                    key: props.and_then(|p| p.get("key")),
                    value: props.and_then(|p| p.get("value")),
                }
            } else {
                Kind::Array { items }
            }
        }
        Some(_) => Kind::Any,
        None => {
            if obj.contains_key("oneOf") || obj.contains_key("anyOf") || obj.contains_key("allOf") {
                Kind::Combined
            } else if obj.contains_key("properties") {
                Kind::Object {
                    properties: obj.get("properties").and_then(Value::as_object),
                }
            } else {
                Kind::Any
            }
        }
    };
    (kind, type_nullable)
}
