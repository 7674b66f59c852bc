//! Reading a flat JSON object straight into a row's column slots, without building a
//! `serde_json::Value` for the record first.
//!
//! `switchyard run` spends most of its per-record time parsing JSON. The general path parses the whole
//! record into a `Value` (an ordered map with every number kept as text, since the workspace enables
//! `preserve_order` and `arbitrary_precision`) and then walks it with the columns' [`FieldReader`]s.
//! [`FlatReader`] walks the text itself instead ([`Scan`]): each top-level field a column reads is
//! converted as it is read (strings as slices of the text, unescaped only when they have escapes;
//! integers without an intermediate value; nested values parsed by serde_json alone), and every other
//! field is checked and stepped over, with every check `serde_json::Value` parsing makes (lone
//! surrogates in `\u` escapes, control characters, trailing commas…).
//!
//! It is a fast path only. It succeeds exactly when the general path would succeed with the same row;
//! anything else — invalid JSON, a value that is not an object, a duplicate key, a column absent from
//! the record, any conversion error — makes [`FlatReader::read`] return `false`, and the caller runs
//! the general path, which produces the error (or the all-`NULL` row) with its usual message.

use serde_json::{Number, Value as Json};

use super::read::FieldReader;
use super::scan::{Literal, Scan};
use crate::types::Value;

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
        let mut scan = Scan::new(text);
        let seen = match self.members(&mut scan, row) {
            Some(seen) if scan.at_end() => seen,
            _ => return false,
        };
        if seen == 0 {
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

    /// The object's members, each field a column reads converted into its slot; the set of fields read,
    /// one bit per field.
    fn members(&self, scan: &mut Scan<'_>, row: &mut [Value]) -> Option<u128> {
        scan.expect(b'{')?;
        let mut seen = 0u128;
        if scan.peek_token() == b'}' {
            scan.expect(b'}')?;
            return Some(seen);
        }
        // Writers keep their schema's field order, so the field after the last one read is tried first.
        let mut next = 0;
        loop {
            let key = scan.member_key()?;
            let found = match self.fields.get(next) {
                Some((name, _, _)) if *name == key => Some(next),
                _ => self.fields.iter().position(|(name, _, _)| *name == key),
            };
            match found {
                // The general path keeps the last of duplicate keys, after failing on none of them.
                Some(i) if seen & (1u128 << i) != 0 => return None,
                Some(i) => {
                    seen |= 1u128 << i;
                    next = i + 1;
                    let (_, slot, reader) = &self.fields[i];
                    let previous = std::mem::replace(&mut row[*slot], Value::Null);
                    row[*slot] = field_value(scan, reader, &previous)?;
                }
                None => {
                    scan.skip_value()?;
                }
            }
            match scan.peek_token() {
                b',' => scan.expect(b',')?,
                b'}' => {
                    scan.expect(b'}')?;
                    return Some(seen);
                }
                _ => return None,
            }
        }
    }
}

/// The next value, read by `reader`; `previous` is the field's value in the previous record.
fn field_value(scan: &mut Scan<'_>, reader: &FieldReader, previous: &Value) -> Option<Value> {
    let read = |json: Json| reader.read(&json).ok();
    match scan.peek_token() {
        b'"' => {
            let s = scan.string()?;
            reader
                .read_str(&s, previous)
                .or_else(|| read(Json::String(s.into_owned())))
        }
        b't' | b'f' | b'n' => match scan.literal()? {
            Literal::True => read(Json::Bool(true)),
            Literal::False => read(Json::Bool(false)),
            Literal::Null => reader.read_null().or_else(|| read(Json::Null)),
        },
        b'{' | b'[' => read(serde_json::from_str::<Json>(scan.skip_value()?).ok()?),
        _ => {
            let n = scan.number()?;
            // As serde_json parses numbers into a `Value`: an integer that fits an i64 (or u64) as that
            // integer, -0 and everything else as its text.
            let int = match n.magnitude {
                Some(_) if !n.integer || n.text == "-0" => None,
                Some(m) if n.text.starts_with('-') => i64::try_from(-i128::from(m)).ok(),
                Some(m) => match i64::try_from(m) {
                    Ok(i) => Some(i),
                    Err(_) => return read(Json::Number(m.into())),
                },
                None => None,
            };
            match int {
                Some(v) => reader.read_i64(v).or_else(|| read(Json::Number(v.into()))),
                None => read(Json::Number(n.text.parse::<Number>().ok()?)),
            }
        }
    }
}
