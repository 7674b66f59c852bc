//! Reading a flat JSON object straight into a row's column slots, without building a
//! `serde_json::Value` for the record first.
//!
//! `switchyard run` spends most of its per-record time parsing JSON. The general path parses the whole
//! record into a `Value` (an ordered map with every number kept as text, since the workspace enables
//! `preserve_order` and `arbitrary_precision`) and then walks it with the columns' [`FieldReader`]s.
//! [`FlatReader`] drives the same readers from the parser instead: each top-level field a column reads
//! is converted as it is parsed (strings and integers without an intermediate value), every other field
//! is parsed and dropped ([`Skip`]: parsed, not merely scanned like serde's `IgnoredAny`, which lets
//! through strings the general path refuses, such as lone surrogates in `\u` escapes).
//!
//! It is a fast path only. It succeeds exactly when the general path would succeed with the same row;
//! anything else — invalid JSON, a value that is not an object, a duplicate key, a column absent from
//! the record, any conversion error — makes [`FlatReader::read`] return `false`, and the caller runs
//! the general path, which produces the error (or the all-`NULL` row) with its usual message.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer as _, Error as _, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value as Json};

use super::read::FieldReader;
use crate::types::Value;

/// The key serde_json's `arbitrary_precision` feature uses to hand a number over as its text.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// Reads flat JSON objects into rows: one [`FieldReader`] per top-level field a column reads.
#[derive(Debug, Clone)]
pub struct FlatReader {
    /// (field name, row slot, reader).
    fields: Vec<(String, usize, FieldReader)>,
}

impl FlatReader {
    /// A reader filling `slot` from the field `name` with `reader`, for each entry. `None` when there
    /// are more than 128 fields (the fast path tracks fields in a bit set) or two share a name.
    pub fn new(fields: Vec<(String, usize, FieldReader)>) -> Option<Self> {
        let unique = fields
            .iter()
            .enumerate()
            .all(|(i, (name, _, _))| fields[..i].iter().all(|(n, _, _)| n != name));
        (fields.len() <= 128 && unique).then_some(FlatReader { fields })
    }

    /// Read `text`, a JSON object, into `row`. `true` when every field was read; `false` when the caller
    /// must use the general path (see the module docs), in which case `row` may be partly filled.
    ///
    /// `row` may hold the previous record's values: each field's slot is overwritten (a field the record
    /// lacks reads as `NULL`), and a string equal to the one it replaces is shared, not copied.
    pub fn read(&self, text: &str, row: &mut [Value]) -> bool {
        if self.fields.iter().any(|(_, slot, _)| *slot >= row.len()) {
            return false;
        }
        let mut de = serde_json::Deserializer::from_str(text);
        let seen = match de.deserialize_map(ObjectVisitor { reader: self, row }) {
            Ok(seen) => seen,
            Err(_) => return false,
        };
        if de.end().is_err() || seen == 0 {
            // With no column present the general path checks whether this is a Debezium envelope.
            return false;
        }
        // A field the record does not have reads as JSON null.
        self.fields
            .iter()
            .enumerate()
            .filter(|(i, _)| seen & (1u128 << i) == 0)
            .all(|(_, (_, slot, reader))| {
                row[*slot] = Value::Null;
                reader.data_type().nullable
            })
    }
}

struct ObjectVisitor<'r, 'v> {
    reader: &'r FlatReader,
    row: &'v mut [Value],
}

impl<'de> Visitor<'de> for ObjectVisitor<'_, '_> {
    /// The set of fields read, one bit per field.
    type Value = u128;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<u128, A::Error> {
        let mut seen = 0u128;
        // Writers keep their schema's field order, so the field after the last one read is tried first.
        let mut next = 0;
        while let Some(found) = map.next_key_seed(KeySeed(&self.reader.fields, next))? {
            let Some(i) = found else {
                map.next_value_seed(Skip)?;
                continue;
            };
            if seen & (1u128 << i) != 0 {
                // The general path keeps the last of duplicate keys, after failing on none of them.
                return Err(A::Error::custom("duplicate field"));
            }
            seen |= 1u128 << i;
            next = i + 1;
            let (_, slot, reader) = &self.reader.fields[i];
            let previous = std::mem::replace(&mut self.row[*slot], Value::Null);
            self.row[*slot] = map.next_value_seed(FieldSeed(reader, &previous))?;
        }
        Ok(seen)
    }
}

/// Parses one JSON value of any shape and drops it, with every check `serde_json::Value` parsing makes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Skip;

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

/// A key → the index of the field that reads it, if any; the field at the second index is tried first.
struct KeySeed<'r>(&'r [(String, usize, FieldReader)], usize);

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Option<usize>;

    fn deserialize<D: serde::Deserializer<'de>>(self, de: D) -> Result<Option<usize>, D::Error> {
        de.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<Option<usize>, E> {
        if self.0.get(self.1).is_some_and(|(name, _, _)| name == key) {
            return Ok(Some(self.1));
        }
        Ok(self.0.iter().position(|(name, _, _)| name == key))
    }
}

/// One field's value, converted by its reader; the second is the field's value in the previous record.
struct FieldSeed<'r>(&'r FieldReader, &'r Value);

impl FieldSeed<'_> {
    fn read<E: serde::de::Error>(&self, json: &Json) -> Result<Value, E> {
        self.0.read(json).map_err(|_| E::custom("conversion"))
    }

    fn shortcut<E: serde::de::Error>(
        &self,
        fast: Option<Result<Value, super::ConversionError>>,
        slow: impl FnOnce() -> Json,
    ) -> Result<Value, E> {
        match fast {
            Some(r) => r.map_err(|_| E::custom("conversion")),
            None => self.read(&slow()),
        }
    }

    fn number<E: serde::de::Error>(&self, text: &str) -> Result<Value, E> {
        // serde_json hands over as text the numbers that do not fit an i64/u64 (and -0); its `Value`
        // parses such text into a `Number` the same way.
        let n: Number = text.parse().map_err(E::custom)?;
        self.read(&Json::Number(n))
    }
}

impl<'de> DeserializeSeed<'de> for FieldSeed<'_> {
    type Value = Value;

    fn deserialize<D: serde::Deserializer<'de>>(self, de: D) -> Result<Value, D::Error> {
        de.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for FieldSeed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Value, E> {
        self.read(&Json::Null)
    }

    fn visit_bool<E: serde::de::Error>(self, b: bool) -> Result<Value, E> {
        self.read(&Json::Bool(b))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Value, E> {
        self.shortcut(self.0.read_i64(v), || Json::Number(v.into()))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Value, E> {
        match i64::try_from(v) {
            Ok(i) => self.visit_i64(i),
            Err(_) => self.read(&Json::Number(v.into())),
        }
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Value, E> {
        match Number::from_f64(v) {
            Some(n) => self.read(&Json::Number(n)),
            None => Err(E::custom("not a JSON number")),
        }
    }

    fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Value, E> {
        self.shortcut(self.0.read_str(s, self.1), || Json::String(s.to_owned()))
    }

    fn visit_string<E: serde::de::Error>(self, s: String) -> Result<Value, E> {
        match self.0.read_str(&s, self.1) {
            Some(r) => r.map_err(|_| E::custom("conversion")),
            None => self.read(&Json::String(s)),
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Json>()? {
            items.push(item);
        }
        self.read(&Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        // As serde_json's own `Value` does: a number given as text, else an object.
        let Some(first) = map.next_key::<String>()? else {
            return self.read(&Json::Object(Map::new()));
        };
        if first == NUMBER_TOKEN {
            let text: String = map.next_value()?;
            return self.number(&text);
        }
        let mut obj = Map::new();
        obj.insert(first, map.next_value()?);
        while let Some((k, v)) = map.next_entry::<String, Json>()? {
            obj.insert(k, v);
        }
        self.read(&Json::Object(obj))
    }
}
