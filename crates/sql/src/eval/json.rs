//! `JSON_VALUE`, `JSON_QUERY` and `JSON_EXISTS` with Calcite's semantics (which Flink inherits): invalid JSON
//! and path errors go to `ON ERROR`, no match (or a JSON `null`, or a non-scalar in lax mode) goes to
//! `ON EMPTY`, and both default to `NULL` (`FALSE` for `JSON_EXISTS`).
//!
//! Parsing the JSON argument costs more than everything else such a call does, so it is kept small:
//! a path that starts with a member (`$.loanId`, `$.borrower.name`) only builds that member's value,
//! from an index of the document's members made once per string ([`member_only`]); any other path parses
//! the document once per string, not once per call ([`parsed`]) — pipelines typically apply several
//! paths to the same column of the same row, in one or more statements.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::fmt;
use std::ops::Range;
use std::rc::Rc;
use std::sync::Arc;

use serde::de::{DeserializeSeed, Deserializer as _, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value as Json};

use super::functions::{Func, JsonOn};
use super::json_path::{JsonPath, scalar_text};
use super::{CompiledExpr, EvalContext, cast};
use crate::error::EvalError;
use crate::parse::{JsonExistsBehavior, JsonQueryBehavior, JsonWrapper};
use crate::types::{DataType, Value};

/// How many distinct JSON strings [`parsed`] and [`members`] remember (per thread).
const PARSED_CACHE: usize = 4;

type Parsed = Rc<Result<Json, String>>;

/// A per-thread cache of what was made from the last few strings, keyed by their allocation.
type Remembered<T> = RefCell<VecDeque<(Arc<str>, Rc<T>)>>;

thread_local! {
    /// The last few JSON strings parsed, keyed by their allocation. Row values share text through
    /// `Arc<str>`, so every call on one row's column sees the same allocation; the cache holds a
    /// clone of each `Arc`, so an allocation it remembers cannot be freed and reused for other text.
    static PARSED: Remembered<Result<Json, String>> = const { RefCell::new(VecDeque::new()) };
}

/// What `make` gives for `text`, from `cache` when the same string (the same allocation) was seen
/// lately; the cache keeps the last [`PARSED_CACHE`] strings.
fn remembered<T>(
    cache: &'static std::thread::LocalKey<Remembered<T>>,
    text: &Arc<str>,
    make: impl FnOnce(&str) -> T,
) -> Rc<T> {
    cache.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some((_, v)) = cache.iter().find(|(t, _)| Arc::ptr_eq(t, text)) {
            return v.clone();
        }
        let v = Rc::new(make(text));
        if cache.len() >= PARSED_CACHE {
            cache.pop_front();
        }
        cache.push_back((text.clone(), v.clone()));
        v
    })
}

/// `text` parsed as JSON (or why it is not JSON), from the cache when the same string was parsed lately.
fn parsed(text: &Arc<str>) -> Parsed {
    remembered(&PARSED, text, |text| {
        serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))
    })
}

/// Where each top-level member of a JSON object is in its text: (name, byte range of the value).
type Members = Rc<Option<MemberSpans>>;

/// (name, byte range of the value) for each member, in order.
type MemberSpans = Vec<(Box<str>, Range<usize>)>;

thread_local! {
    /// The member index of the last few JSON strings, kept as [`PARSED`] keeps documents.
    static MEMBERS: Remembered<Option<MemberSpans>> = const { RefCell::new(VecDeque::new()) };
}

/// The member index of `text`, from the cache when the same string was indexed lately: a row's
/// `JSON_VALUE(data, '$.a')` and `JSON_VALUE(data, '$.b')` scan `data` once between them. `None` inside
/// when `text` is not a JSON object (or not JSON).
fn members(text: &Arc<str>) -> Members {
    remembered(&MEMBERS, text, |text| {
        let mut de = serde_json::Deserializer::from_str(text);
        de.deserialize_map(MemberIndex {
            base: text.as_ptr() as usize,
        })
        .ok()
        .filter(|_| de.end().is_ok() && escapes_are_valid(text))
    })
}

/// Whether every `\u` escape in `text` decodes (no lone surrogates), as a full parse requires: the
/// member index skips values without decoding their escapes. Most documents have none and cost a scan.
fn escapes_are_valid(text: &str) -> bool {
    if !text.contains("\\u") {
        return true;
    }
    let mut de = serde_json::Deserializer::from_str(text);
    Skip.deserialize(&mut de).is_ok()
}

/// The text of `text`'s top-level member `name` (the last one, if the name repeats, as
/// `serde_json::Value` keeps it), from the member index: `Some(None)` when there is no such member,
/// `None` when `text` is not a JSON object, or not JSON.
fn member_text<'t>(text: &'t Arc<str>, name: &str) -> Option<Option<&'t str>> {
    let index = members(text);
    let index = index.as_ref().as_ref()?;
    match index.iter().rev().find(|(k, _)| &**k == name) {
        Some((_, range)) => text.get(range.clone()).map(Some),
        None => Some(None),
    }
}

/// `text` reduced to its top-level member `name`: an object holding that member only (or nothing),
/// which every path that starts with `.name` evaluates exactly as it would the whole document. The
/// rest of the document is checked as JSON, not kept. `None` when `text` is not a JSON object, or not
/// JSON: the caller then parses it whole, for the exact error.
fn member_only(text: &Arc<str>, name: &str) -> Option<Json> {
    let mut obj = Map::new();
    if let Some(raw) = member_text(text, name)? {
        obj.insert(name.to_owned(), serde_json::from_str(raw).ok()?);
    }
    Some(Json::Object(obj))
}

/// `JSON_VALUE(text, '$.name')` returning a string, with `NULL` on empty and on error, straight from the
/// member index: the member's scalar as text, or `NULL` when it is absent, `null`, an object or an array
/// (lax mode). A string member without escapes is copied once. `None` when `text` is not a JSON object
/// (or not JSON): the caller takes the general path.
fn member_value(text: &Arc<str>, name: &str) -> Option<Value> {
    let Some(raw) = member_text(text, name)? else {
        return Some(Value::Null);
    };
    if let Some(plain) = raw
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .filter(|r| !r.contains('\\'))
    {
        return Some(Value::String(Arc::from(plain)));
    }
    let item: Json = serde_json::from_str(raw).ok()?;
    Some(scalar_text(&item).map_or(Value::Null, out))
}

/// Reads an object's member names and where their values are, relative to `base` (the text's start).
struct MemberIndex {
    base: usize,
}

impl<'de> Visitor<'de> for MemberIndex {
    type Value = MemberSpans;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(name) = map.next_key_seed(Name)? {
            let raw: &'de RawValue = map.next_value()?;
            let start = (raw.get().as_ptr() as usize).wrapping_sub(self.base);
            out.push((name, start..start + raw.get().len()));
        }
        Ok(out)
    }
}

/// A member name.
struct Name;

impl<'de> DeserializeSeed<'de> for Name {
    type Value = Box<str>;

    fn deserialize<D: serde::Deserializer<'de>>(self, de: D) -> Result<Box<str>, D::Error> {
        de.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Name {
    type Value = Box<str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<Box<str>, E> {
        // serde_json's `Value` reads an object with this key as a number: leave that to it.
        if key == "$serde_json::private::Number" {
            return Err(E::custom("number token"));
        }
        Ok(key.into())
    }
}

fn out(text: String) -> Value {
    Value::String(Arc::from(text.as_str()))
}

pub(crate) fn json_call(
    func: &Func,
    args: &[CompiledExpr],
    ret: &DataType,
    row: &[Value],
    ctx: &EvalContext,
) -> Result<Value, EvalError> {
    let json = args[0].eval(row, ctx)?;
    let Value::String(text) = json else {
        return Ok(Value::Null);
    };
    let compiled;
    let path = match func {
        Func::JsonValue { path: Some(p), .. }
        | Func::JsonQuery { path: Some(p), .. }
        | Func::JsonExists { path: Some(p), .. } => p,
        _ => {
            let Value::String(p) = args[1].eval(row, ctx)? else {
                return Ok(Value::Null);
            };
            compiled = JsonPath::parse(&p);
            match &compiled {
                Ok(p) => p,
                Err(e) => return Err(EvalError::new(format!("{}: {e}", func.name()))),
            }
        }
    };
    if let Func::JsonValue {
        on_empty: JsonOn::Null,
        on_error: JsonOn::Null,
        ..
    } = func
        && ret.is_string()
        && let Some(name) = path.lax_member()
        && let Some(value) = member_value(&text, name)
    {
        return Ok(value);
    }
    let parsed = match path.first_member().and_then(|name| member_only(&text, name)) {
        Some(doc) => Rc::new(Ok(doc)),
        None => parsed(&text),
    };
    let selected: Result<Vec<&Json>, String> = match parsed.as_ref() {
        Ok(doc) => path.eval(doc),
        Err(e) => Err(e.clone()),
    };
    match func {
        Func::JsonValue {
            on_empty, on_error, ..
        } => {
            let on = |b: &JsonOn, why: String| -> Result<Value, EvalError> {
                match b {
                    JsonOn::Null => Ok(Value::Null),
                    JsonOn::Error => Err(EvalError::new(format!("JSON_VALUE: {why}"))),
                    JsonOn::Default(idx) => {
                        let d = &args[*idx];
                        let v = d.eval(row, ctx)?;
                        cast::cast(&v, &d.data_type, ret)
                            .map_err(|e| EvalError::new(format!("JSON_VALUE: {e}")))
                    }
                }
            };
            let items = match selected {
                Ok(items) => items,
                Err(e) => return on(on_error, e),
            };
            let scalar = match items.as_slice() {
                [one] => match one {
                    Json::Object(_) | Json::Array(_) if path.is_strict() => {
                        return on(
                            on_error,
                            "the path selects an object or array, not a scalar".into(),
                        );
                    }
                    _ => scalar_text(one).map(|t| (t, *one)),
                },
                [] => None,
                _ if path.is_strict() => return on(on_error, "the path selects more than one item".into()),
                _ => None,
            };
            let Some((text, item)) = scalar else {
                return on(on_empty, "the path selects nothing".into());
            };
            if ret.is_string() {
                return Ok(out(text));
            }
            // Numbers convert from their exact text; strings and booleans as CAST from STRING would.
            let source = match item {
                Json::Number(n) => n.to_string(),
                _ => text,
            };
            match cast::cast(&out(source), &DataType::string(), ret) {
                Ok(v) => Ok(v),
                Err(e) => on(on_error, e),
            }
        }
        Func::JsonQuery {
            wrapper,
            on_empty,
            on_error,
            ..
        } => {
            let on = |b: &JsonQueryBehavior, why: String| -> Result<Value, EvalError> {
                Ok(match b {
                    JsonQueryBehavior::Null => Value::Null,
                    JsonQueryBehavior::Error => return Err(EvalError::new(format!("JSON_QUERY: {why}"))),
                    JsonQueryBehavior::EmptyArray => out("[]".into()),
                    JsonQueryBehavior::EmptyObject => out("{}".into()),
                })
            };
            let items = match selected {
                Ok(items) => items,
                Err(e) => return on(on_error, e),
            };
            let value: Json = match items.as_slice() {
                [] => return on(on_empty, "the path selects nothing".into()),
                [one] => (*one).clone(),
                many => Json::Array(many.iter().map(|x| (*x).clone()).collect()),
            };
            if value.is_null() && items.len() == 1 {
                return on(on_empty, "the path selects null".into());
            }
            let is_container = value.is_object() || value.is_array();
            let value = match wrapper {
                JsonWrapper::Without if !is_container => {
                    return on(on_error, "the path selects a scalar; use WITH WRAPPER".into());
                }
                JsonWrapper::Without => value,
                JsonWrapper::Conditional if is_container && items.len() == 1 => value,
                _ if items.len() > 1 => value,
                _ => Json::Array(vec![value]),
            };
            Ok(out(serde_json::to_string(&value).unwrap_or_default()))
        }
        Func::JsonExists { on_error, .. } => match selected {
            Ok(items) => Ok(Value::Boolean(!items.is_empty())),
            Err(e) => match on_error {
                JsonExistsBehavior::False => Ok(Value::Boolean(false)),
                JsonExistsBehavior::True => Ok(Value::Boolean(true)),
                JsonExistsBehavior::Unknown => Ok(Value::Null),
                JsonExistsBehavior::Error => Err(EvalError::new(format!("JSON_EXISTS: {e}"))),
            },
        },
        _ => Ok(Value::Null),
    }
}

/// Parses one JSON value of any shape and drops it, with every check `serde_json::Value` parsing makes.
#[derive(Debug, Clone, Copy)]
struct Skip;

impl<'de> DeserializeSeed<'de> for Skip {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        de.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Skip {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Skip)?.is_some() {}
        Ok(())
    }

    /// Objects, and numbers serde_json hands over as text (a one-entry map).
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_key_seed(Skip)?.is_some() {
            map.next_value_seed(Skip)?;
        }
        Ok(())
    }
}
