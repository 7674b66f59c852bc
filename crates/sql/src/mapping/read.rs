//! Reading JSON field values into [`Value`]s of a declared column type.
//!
//! A [`FieldReader`] is compiled once per column from the writer's JSON subschema (when the format has
//! one) and the declared Flink type, so that the per-record work is a walk over a small tree of
//! conversions with no schema lookups. Compilation ([`compile_reader`], in `compile.rs`) decides the
//! conversion and classifies it; reading applies it and refuses every value it cannot convert exactly,
//! with a [`ConversionError`] that says what the writer sent, what the column is and how to fix the
//! table.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value as Json;

pub use super::compile::{check_column, check_column_with, compile_reader, compile_reader_with};
use super::decimal::{self, DecimalError};
use super::error::ConversionError;
use super::temporal::{self, TimestampFormat};
use crate::types::{DataType, Decimal, Value};

/// The most elements a `MULTISET` value may expand to (counts are multiplied out).
const MAX_MULTISET_ELEMENTS: u64 = 1_000_000;

/// Options for reading values without a writer schema (Flink's `json` format).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// `json.timestamp-format.standard`: how `TIMESTAMP` / `TIMESTAMP_LTZ` text is written.
    pub timestamp_format: TimestampFormat,
}

/// Integer widths of the declared column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IntKind {
    Tiny,
    Small,
    Int,
    Big,
}

impl IntKind {
    fn range(self) -> (i64, i64) {
        match self {
            IntKind::Tiny => (i64::from(i8::MIN), i64::from(i8::MAX)),
            IntKind::Small => (i64::from(i16::MIN), i64::from(i16::MAX)),
            IntKind::Int => (i64::from(i32::MIN), i64::from(i32::MAX)),
            IntKind::Big => (i64::MIN, i64::MAX),
        }
    }

    fn value(self, v: i64) -> Value {
        match self {
            IntKind::Tiny => Value::TinyInt(v as i8),
            IntKind::Small => Value::SmallInt(v as i16),
            IntKind::Int => Value::Int(v as i32),
            IntKind::Big => Value::BigInt(v),
        }
    }
}

/// Where a `DECIMAL` comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DecSrc {
    /// Connect `Decimal`: base64 unscaled with this scale, or a JSON number (`decimal.format=NUMERIC`).
    Connect(u32),
    /// Debezium `VariableScaleDecimal` `{scale, value}`.
    VariableScale,
    /// A JSON number (exact digits) or, when `strings`, numeric text.
    Number { strings: bool },
}

/// Where a string comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StrSrc {
    /// Strings as they are, other scalars as their JSON text, objects/arrays as compact JSON text.
    Text,
    /// A Connect `Decimal` (base64 with this scale) rendered as exact decimal text.
    Decimal(u32),
}

/// Where a temporal value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TempSrc {
    /// An integer count of units of this many nanoseconds (days for `DATE`, since midnight for
    /// `TIME`, since the epoch for timestamps).
    Units(i64),
    /// ISO-8601 instant text with a zone (Debezium `ZonedTimestamp`).
    Zoned,
    /// Flink `json` text: `yyyy-MM-dd`, `HH:mm:ss[.f]`, or a timestamp in this format; `zone` as in
    /// [`temporal::parse_timestamp`].
    Text(TimestampFormat, Option<bool>),
}

/// The conversion a reader applies.
#[derive(Debug, Clone)]
pub(crate) enum Op {
    Boolean {
        strings: bool,
    },
    Integer {
        kind: IntKind,
        strings: bool,
    },
    Float {
        single: bool,
        strings: bool,
        exact_integers: bool,
    },
    Decimal {
        precision: u8,
        scale: u8,
        src: DecSrc,
    },
    String {
        max: u32,
        src: StrSrc,
    },
    Bytes {
        max: u32,
    },
    Date {
        src: TempSrc,
    },
    Time {
        precision: u8,
        src: TempSrc,
    },
    Timestamp {
        precision: u8,
        ltz: bool,
        src: TempSrc,
    },
    Array(Box<FieldReader>),
    /// `MULTISET<T>` from `{elem: count}` or `[{key, value: count}]`.
    Multiset(Box<FieldReader>),
    /// `MAP<K, V>` from an object (keys are text), an array of `{key, value}`, or either.
    Map {
        key: Box<FieldReader>,
        value: Box<FieldReader>,
    },
    Row(Vec<(String, FieldReader)>),
}

/// Reads one JSON field value as a value of the declared column type. Built by [`compile_reader`].
#[derive(Debug, Clone)]
pub struct FieldReader {
    pub(crate) column: String,
    pub(crate) from: String,
    pub(crate) to: DataType,
    pub(crate) fix: String,
    pub(crate) op: Op,
    pub(crate) description: Option<String>,
    pub(crate) lossy: Option<ConversionError>,
}

fn kind_of(json: &Json) -> &'static str {
    match json {
        Json::Null => "null",
        Json::Bool(_) => "boolean",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}

fn snippet(json: &Json) -> String {
    let text = json.to_string();
    if text.chars().count() > 60 {
        let cut: String = text.chars().take(57).collect();
        format!("{cut}…")
    } else {
        text
    }
}

impl FieldReader {
    /// The conversion this reader performs, when it is more than an identity, e.g.
    /// `io.debezium.time.MicroTimestamp (µs since epoch) → TIMESTAMP(6)`. Shown by `switchyard explain`.
    pub fn describe(&self) -> Option<String> {
        self.description.clone()
    }

    /// The declared type values are read as.
    pub fn data_type(&self) -> &DataType {
        &self.to
    }

    /// The column name errors report.
    pub fn column(&self) -> &str {
        &self.column
    }

    /// The writer type, as errors report it.
    pub fn writer_type(&self) -> &str {
        &self.from
    }

    /// The reason some values fail, when the conversion is not lossless for every writer value.
    pub fn lossy(&self) -> Option<&ConversionError> {
        self.lossy.as_ref()
    }

    /// The same reader reporting errors under another column name (nested fields follow).
    pub fn with_column(mut self, column: &str) -> Self {
        let old = std::mem::take(&mut self.column);
        self.rename(&old, column);
        self
    }

    fn rename(&mut self, old: &str, new: &str) {
        let suffix = self.column.strip_prefix(old).unwrap_or("").to_owned();
        self.column = format!("{new}{suffix}");
        if let Some(l) = &mut self.lossy {
            let suffix = l.column.strip_prefix(old).unwrap_or("").to_owned();
            l.column = format!("{new}{suffix}");
        }
        match &mut self.op {
            Op::Array(e) | Op::Multiset(e) => e.rename(old, new),
            Op::Map { key, value } => {
                key.rename(old, new);
                value.rename(old, new);
            }
            Op::Row(fields) => fields.iter_mut().for_each(|(_, f)| f.rename(old, new)),
            _ => {}
        }
    }

    fn err(&self, message: impl Into<String>) -> ConversionError {
        ConversionError {
            column: self.column.clone(),
            from: self.from.clone(),
            to: self.to.to_string(),
            message: message.into(),
            fix: self.fix.clone(),
        }
    }

    fn unexpected(&self, json: &Json, wanted: &str) -> ConversionError {
        self.err(format!(
            "expected {wanted}, got {} {}",
            kind_of(json),
            snippet(json)
        ))
    }

    /// Convert one JSON value. `null` is SQL `NULL` (an error for a `NOT NULL` column).
    ///
    /// # Errors
    /// A [`ConversionError`] when the value does not have the writer's shape or cannot be represented
    /// exactly in the declared type.
    pub fn read(&self, json: &Json) -> Result<Value, ConversionError> {
        if json.is_null() {
            return if self.to.nullable {
                Ok(Value::Null)
            } else {
                Err(self.err("null in a NOT NULL column"))
            };
        }
        match &self.op {
            Op::Boolean { strings } => match json {
                Json::Bool(b) => Ok(Value::Boolean(*b)),
                Json::String(s) if *strings => match s.as_str() {
                    "true" | "TRUE" | "True" => Ok(Value::Boolean(true)),
                    "false" | "FALSE" | "False" => Ok(Value::Boolean(false)),
                    _ => Err(self.unexpected(json, "a boolean")),
                },
                _ => Err(self.unexpected(json, "a boolean")),
            },
            Op::Integer { kind, strings } => {
                let v = self.integer_of(json, *strings)?;
                self.integer_in_range(v, *kind)
            }
            Op::Float {
                single,
                strings,
                exact_integers,
            } => self.read_float(json, *single, *strings, *exact_integers),
            Op::Decimal {
                precision,
                scale,
                src,
            } => {
                let d = self.read_decimal(json, *src)?;
                decimal::fit(d, *precision, *scale)
                    .map(Value::Decimal)
                    .map_err(|e| self.err(e.to_string()))
            }
            Op::String { max, src } => {
                let text: String = match (src, json) {
                    (StrSrc::Decimal(scale), Json::String(s)) => decimal::from_base64(s, *scale)
                        .map_err(|e| self.err(e.to_string()))?
                        .to_string(),
                    (_, Json::String(s)) => s.clone(),
                    (_, other) => other.to_string(),
                };
                self.text_value(&text, *max)?;
                Ok(Value::String(Arc::from(text)))
            }
            Op::Bytes { max } => {
                let Json::String(s) = json else {
                    return Err(self.unexpected(json, "base64 text"));
                };
                let bytes = STANDARD
                    .decode(s)
                    .map_err(|e| self.err(format!("not base64 ({e}): {}", snippet(json))))?;
                if bytes.len() > *max as usize {
                    return Err(self.err(format!("{} bytes exceed the length {max}", bytes.len())));
                }
                Ok(Value::Bytes(Arc::from(bytes)))
            }
            Op::Date { src } => self.read_date(json, *src),
            Op::Time { precision, src } => self.read_time(json, *precision, *src),
            Op::Timestamp { precision, ltz, src } => {
                let nanos = self.read_instant_nanos(json, *src)?;
                self.timestamp_value(nanos, *precision, *ltz)
            }
            Op::Array(elem) => {
                let Json::Array(items) = json else {
                    return Err(self.unexpected(json, "an array"));
                };
                let values = items
                    .iter()
                    .map(|i| elem.read(i))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Value::Array(Arc::from(values)))
            }
            Op::Multiset(elem) => self.read_multiset(json, elem),
            Op::Map { key, value } => self.read_map(json, key, value),
            Op::Row(fields) => {
                let Json::Object(obj) = json else {
                    return Err(self.unexpected(json, "an object"));
                };
                let values = fields
                    .iter()
                    .map(|(name, reader)| reader.read(obj.get(name).unwrap_or(&Json::Null)))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Value::Row(Arc::from(values)))
            }
        }
    }

    fn integer_of(&self, json: &Json, strings: bool) -> Result<i64, ConversionError> {
        let text = match json {
            Json::Number(n) => {
                if let Some(i) = n.as_i64() {
                    return Ok(i);
                }
                n.to_string()
            }
            Json::String(s) if strings => s.trim().to_owned(),
            _ => return Err(self.unexpected(json, "an integer")),
        };
        if let Ok(i) = text.parse::<i64>() {
            return Ok(i);
        }
        let d = decimal::from_number_text(&text).map_err(|_| self.unexpected(json, "an integer"))?;
        if !d.fract().is_zero() {
            return Err(self.err(format!("{text} is not an integer")));
        }
        i64::try_from(d).map_err(|_| self.err(format!("{text} is outside the BIGINT range")))
    }

    /// Shortcuts for [`FieldReader::read`] used by the direct reader (`direct.rs`): the value of a JSON
    /// string `text`, or [`Shortcut::None`] when this reader does more than copy text. `previous` is the
    /// value the column had in the record before: when it is this text, it is shared rather than copied
    /// (the columns of a change stream repeat themselves: the table, the operation, an event type).
    pub(crate) fn read_str(&self, text: &str, previous: &Value) -> Shortcut {
        match &self.op {
            Op::String {
                max,
                src: StrSrc::Text,
            } => self
                .text_value(text, *max)
                .map(|()| match previous {
                    Value::String(p) if **p == *text => Value::String(p.clone()),
                    _ => Value::String(Arc::from(text)),
                })
                .into(),
            _ => Shortcut::None,
        }
    }

    /// The value of a JSON integer `v` (one whose text parses as an `i64`), or [`Shortcut::None`] when
    /// this reader does not read integers as plain counts. Agrees with [`FieldReader::read`] on
    /// `Json::Number(v)`.
    pub(crate) fn read_i64(&self, v: i64) -> Shortcut {
        match &self.op {
            Op::Integer { kind, .. } => self.integer_in_range(v, *kind).into(),
            Op::Timestamp {
                precision,
                ltz,
                src: TempSrc::Units(unit),
            } => self
                .timestamp_value(i128::from(v) * i128::from(*unit), *precision, *ltz)
                .into(),
            _ => Shortcut::None,
        }
    }

    /// [`FieldReader::read`] on JSON `null`.
    pub(crate) fn read_null(&self) -> Shortcut {
        if self.to.nullable {
            Shortcut::Value(Value::Null)
        } else {
            Shortcut::Fails
        }
    }

    /// Checks that `text` fits a string column of length `max`.
    fn text_value(&self, text: &str, max: u32) -> Result<(), ConversionError> {
        // The byte length bounds the character count: count characters only when it can matter.
        if text.len() > max as usize {
            let len = text.chars().count();
            if len > max as usize {
                return Err(self.err(format!("{len} characters exceed the length {max}")));
            }
        }
        Ok(())
    }

    fn timestamp_value(&self, nanos: i128, precision: u8, ltz: bool) -> Result<Value, ConversionError> {
        let micros = self.truncate_exact(nanos, precision)?;
        Ok(if ltz {
            Value::TimestampLtz(micros)
        } else {
            Value::Timestamp(micros)
        })
    }

    fn integer_in_range(&self, v: i64, kind: IntKind) -> Result<Value, ConversionError> {
        let (lo, hi) = kind.range();
        if v < lo || v > hi {
            return Err(self.err(format!(
                "{v} is outside the {} range [{lo}, {hi}]",
                self.to.kind_name()
            )));
        }
        Ok(kind.value(v))
    }

    fn read_float(
        &self,
        json: &Json,
        single: bool,
        strings: bool,
        exact_integers: bool,
    ) -> Result<Value, ConversionError> {
        let text = match json {
            Json::Number(n) => n.to_string(),
            Json::String(s) if strings => s.trim().to_owned(),
            _ => return Err(self.unexpected(json, "a number")),
        };
        let special = matches!(text.as_str(), "NaN" | "Infinity" | "-Infinity");
        let v: f64 = match text.as_str() {
            "NaN" => f64::NAN,
            "Infinity" => f64::INFINITY,
            "-Infinity" => f64::NEG_INFINITY,
            t => t.parse().map_err(|_| self.unexpected(json, "a number"))?,
        };
        if !special && !v.is_finite() {
            return Err(self.err(format!("{text} overflows DOUBLE")));
        }
        // Integers from an integer writer must survive the trip exactly.
        if let Some(i) = text.parse::<i64>().ok().filter(|_| exact_integers) {
            let exact = if single {
                (i as f32) as i128 == i128::from(i)
            } else {
                (i as f64) as i128 == i128::from(i)
            };
            if !exact {
                return Err(self.err(format!(
                    "{i} is not exactly representable as {}",
                    self.to.kind_name()
                )));
            }
        }
        if single {
            let f = text.parse::<f32>().unwrap_or(v as f32);
            if !special && !f.is_finite() {
                return Err(self.err(format!("{text} overflows FLOAT")));
            }
            Ok(Value::Float(f))
        } else {
            Ok(Value::Double(v))
        }
    }

    fn read_decimal(&self, json: &Json, src: DecSrc) -> Result<Decimal, ConversionError> {
        let map = |e: DecimalError| self.err(e.to_string());
        match (src, json) {
            (DecSrc::Connect(scale), Json::String(s)) => decimal::from_base64(s, scale).map_err(map),
            (DecSrc::Connect(_), Json::Number(n)) | (DecSrc::Number { .. }, Json::Number(n)) => {
                decimal::from_number_text(&n.to_string()).map_err(map)
            }
            (DecSrc::Number { strings: true }, Json::String(s)) => {
                decimal::from_number_text(s.trim()).map_err(map)
            }
            (DecSrc::VariableScale, Json::Object(obj)) => {
                let scale = obj
                    .get("scale")
                    .and_then(Json::as_u64)
                    .and_then(|s| u32::try_from(s).ok())
                    .ok_or_else(|| self.unexpected(json, "{scale, value}"))?;
                let value = obj
                    .get("value")
                    .and_then(Json::as_str)
                    .ok_or_else(|| self.unexpected(json, "{scale, value}"))?;
                decimal::from_base64(value, scale).map_err(map)
            }
            (DecSrc::Connect(_), _) => Err(self.unexpected(json, "base64 decimal bytes or a number")),
            (DecSrc::VariableScale, _) => Err(self.unexpected(json, "{scale, value}")),
            (DecSrc::Number { .. }, _) => Err(self.unexpected(json, "a number")),
        }
    }

    fn units(&self, json: &Json) -> Result<i64, ConversionError> {
        match json {
            Json::Number(n) => n
                .as_i64()
                .ok_or_else(|| self.err(format!("{n} is not an integral count"))),
            _ => Err(self.unexpected(json, "an integer")),
        }
    }

    fn text<'j>(&self, json: &'j Json, wanted: &str) -> Result<&'j str, ConversionError> {
        json.as_str().ok_or_else(|| self.unexpected(json, wanted))
    }

    fn read_date(&self, json: &Json, src: TempSrc) -> Result<Value, ConversionError> {
        match src {
            TempSrc::Units(_) => {
                let days = self.units(json)?;
                i32::try_from(days)
                    .map(Value::Date)
                    .map_err(|_| self.err(format!("{days} days is out of range")))
            }
            _ => {
                let text = self.text(json, "a date 'yyyy-MM-dd'")?;
                temporal::parse_date(text)
                    .map(Value::Date)
                    .ok_or_else(|| self.unexpected(json, "a date 'yyyy-MM-dd'"))
            }
        }
    }

    fn read_time(&self, json: &Json, precision: u8, src: TempSrc) -> Result<Value, ConversionError> {
        let nanos = match src {
            TempSrc::Units(unit) => i128::from(self.units(json)?) * i128::from(unit),
            _ => {
                let text = self.text(json, "a time 'HH:mm:ss[.fff]'")?;
                i128::from(
                    temporal::parse_time(text)
                        .ok_or_else(|| self.unexpected(json, "a time 'HH:mm:ss[.fff]'"))?,
                )
            }
        };
        if !(0..86_400_000_000_000).contains(&nanos) {
            return Err(self.err(format!("{nanos} ns is not a time of day")));
        }
        self.truncate_exact(nanos, precision).map(Value::Time)
    }

    fn read_instant_nanos(&self, json: &Json, src: TempSrc) -> Result<i128, ConversionError> {
        match src {
            TempSrc::Units(unit) => Ok(i128::from(self.units(json)?) * i128::from(unit)),
            TempSrc::Zoned => {
                let text = self.text(json, "an ISO-8601 timestamp with zone")?;
                temporal::parse_iso_instant(text)
                    .ok_or_else(|| self.unexpected(json, "an ISO-8601 timestamp with zone"))
            }
            TempSrc::Text(format, zone) => {
                let wanted = match (format, zone) {
                    (TimestampFormat::Sql, Some(true)) => "a timestamp 'yyyy-MM-dd HH:mm:ss[.fff]Z'",
                    (TimestampFormat::Sql, _) => "a timestamp 'yyyy-MM-dd HH:mm:ss[.fff]'",
                    (TimestampFormat::Iso8601, Some(true)) => "a timestamp 'yyyy-MM-ddTHH:mm:ss[.fff]Z'",
                    (TimestampFormat::Iso8601, _) => "a timestamp 'yyyy-MM-ddTHH:mm:ss[.fff]'",
                };
                let text = self.text(json, wanted)?;
                temporal::parse_timestamp(text, format, zone).ok_or_else(|| self.unexpected(json, wanted))
            }
        }
    }

    /// Nanoseconds → microseconds, refusing sub-precision digits.
    fn truncate_exact(&self, nanos: i128, precision: u8) -> Result<i64, ConversionError> {
        let keep = u32::from(precision.min(9));
        let step = 10i128.pow(9 - keep);
        if nanos.rem_euclid(step) != 0 {
            let frac = i64::try_from(nanos.rem_euclid(1_000_000_000)).unwrap_or(0);
            return Err(self.err(format!(
                "the value has {} fractional-second digits, the column keeps {precision}",
                temporal::needed_digits(frac)
            )));
        }
        if nanos.rem_euclid(1000) != 0 {
            return Err(self.err("nanoseconds beyond the microseconds Switchyard keeps"));
        }
        i64::try_from(nanos / 1000).map_err(|_| self.err("out of the timestamp range"))
    }

    fn read_multiset(&self, json: &Json, elem: &FieldReader) -> Result<Value, ConversionError> {
        let mut out = Vec::new();
        let mut push = |e: Value, count: &Json| -> Result<(), ConversionError> {
            let n = count
                .as_u64()
                .filter(|n| *n <= i32::MAX as u64)
                .ok_or_else(|| self.unexpected(count, "a count"))?;
            // Counts expand into elements; refuse a multiset too large to hold in memory.
            if out.len() as u64 + n > MAX_MULTISET_ELEMENTS {
                return Err(self.err(format!("more than {MAX_MULTISET_ELEMENTS} elements")));
            }
            out.extend(std::iter::repeat_n(e, n as usize));
            Ok(())
        };
        match json {
            Json::Object(obj) => {
                for (k, count) in obj {
                    push(elem.read(&Json::String(k.clone()))?, count)?;
                }
            }
            Json::Array(pairs) => {
                for p in pairs {
                    let (k, v) = self.pair(p)?;
                    push(elem.read(k)?, v)?;
                }
            }
            _ => return Err(self.unexpected(json, "an object of counts")),
        }
        Ok(Value::Array(Arc::from(out)))
    }

    fn pair<'j>(&self, p: &'j Json) -> Result<(&'j Json, &'j Json), ConversionError> {
        match (p.get("key"), p.get("value")) {
            (Some(k), v) if p.is_object() => Ok((k, v.unwrap_or(&Json::Null))),
            _ => Err(self.unexpected(p, "a {key, value} entry")),
        }
    }

    fn read_map(
        &self,
        json: &Json,
        key: &FieldReader,
        value: &FieldReader,
    ) -> Result<Value, ConversionError> {
        let mut out = Vec::new();
        match json {
            Json::Object(obj) => {
                for (k, v) in obj {
                    out.push((key.read_key(k)?, value.read(v)?));
                }
            }
            Json::Array(pairs) => {
                for p in pairs {
                    let (k, v) = self.pair(p)?;
                    out.push((key.read(k)?, value.read(v)?));
                }
            }
            _ => return Err(self.unexpected(json, "an object or an array of {key, value}")),
        }
        Ok(Value::Map(Arc::from(out)))
    }

    /// An object key: text, parsed as the key type when that is not a string.
    fn read_key(&self, key: &str) -> Result<Value, ConversionError> {
        let as_json = Json::String(key.to_owned());
        match &self.op {
            Op::String { .. }
            | Op::Date { .. }
            | Op::Time { .. }
            | Op::Timestamp { .. }
            | Op::Bytes { .. } => self.read(&as_json),
            _ => match serde_json::from_str::<Json>(key) {
                Ok(parsed) if !parsed.is_null() => self.read(&parsed),
                _ => self.read(&as_json),
            },
        }
    }
}

trait KindName {
    fn kind_name(&self) -> String;
}

impl KindName for DataType {
    fn kind_name(&self) -> String {
        self.clone().with_nullable(true).to_string()
    }
}

/// What one of [`FieldReader`]'s shortcuts made of a value: no error, which the fast path does not use (it
/// hands a failing record to the general path, which reports it), so that the value moves around in a
/// small enum rather than in a `Result` carrying a [`ConversionError`]'s five strings.
#[derive(Debug, PartialEq)]
pub(crate) enum Shortcut {
    /// The value, as [`FieldReader::read`] returns it.
    Value(Value),
    /// [`FieldReader::read`] fails on it.
    Fails,
    /// No shortcut for this value: use [`FieldReader::read`].
    None,
}

impl Shortcut {
    /// The value; `None` when reading fails; `slow()` when there is no shortcut.
    pub(crate) fn or_else(self, slow: impl FnOnce() -> Option<Value>) -> Option<Value> {
        match self {
            Shortcut::Value(v) => Some(v),
            Shortcut::Fails => None,
            Shortcut::None => slow(),
        }
    }
}

impl From<Result<Value, ConversionError>> for Shortcut {
    fn from(r: Result<Value, ConversionError>) -> Self {
        match r {
            Ok(v) => Shortcut::Value(v),
            Err(_) => Shortcut::Fails,
        }
    }
}
