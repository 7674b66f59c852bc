//! The direct reader agrees with the general path (parse a `Value`, then read each column), and
//! declines every record the general path fails on or treats specially.

use serde_json::{Value as Json, json};

use super::{field, nn, null, string};
use crate::mapping::{FieldReader, FlatReader, compile_reader};
use crate::types::{DataType, MAX_LENGTH, TypeKind, Value};

fn columns() -> Vec<(&'static str, Option<Json>, DataType)> {
    let micros =
        json!({"type": "integer", "connect.type": "int64", "title": "io.debezium.time.MicroTimestamp"});
    let decimal = json!({"type": "string", "title": "org.apache.kafka.connect.data.Decimal", "connect.type": "bytes",
        "connect.parameters": {"scale": "2", "connect.decimal.precision": "10"}});
    vec![
        (
            "id",
            Some(json!({"type": "integer", "connect.type": "int64"})),
            nn(TypeKind::BigInt),
        ),
        ("name", Some(json!({"type": "string"})), string()),
        ("code", None, null(TypeKind::Varchar(5))),
        ("small", None, null(TypeKind::SmallInt)),
        ("created", Some(micros.clone()), null(TypeKind::Timestamp(6))),
        ("created_ms", Some(micros), null(TypeKind::Timestamp(3))),
        (
            "amount",
            Some(decimal),
            null(TypeKind::Decimal {
                precision: 10,
                scale: 2,
            }),
        ),
        ("ratio", None, null(TypeKind::Double)),
        ("flag", None, null(TypeKind::Boolean)),
        ("tags", None, null(TypeKind::Array(Box::new(null(TypeKind::Int))))),
        (
            "point",
            None,
            null(TypeKind::Row(vec![
                field("x", null(TypeKind::Int)),
                field("y", string()),
            ])),
        ),
        (
            "attrs",
            None,
            null(TypeKind::Map(Box::new(string()), Box::new(null(TypeKind::Int)))),
        ),
        ("text", None, null(TypeKind::Varchar(MAX_LENGTH))),
    ]
}

/// Row slots 1.. (slot 0 stands for a column the record does not feed, such as a metadata column).
fn readers() -> Vec<(String, usize, FieldReader)> {
    columns()
        .into_iter()
        .enumerate()
        .map(|(i, (name, writer, declared))| {
            let reader = compile_reader(writer.as_ref(), &declared).unwrap();
            (name.to_owned(), i + 1, reader)
        })
        .collect()
}

/// The general path: `None` where it fails, or where the router checks the record for an envelope.
fn general(text: &str, fields: &[(String, usize, FieldReader)]) -> Option<Vec<Value>> {
    let Ok(Json::Object(obj)) = serde_json::from_str::<Json>(text) else {
        return None;
    };
    if !fields.iter().any(|(name, _, _)| obj.contains_key(name)) {
        return None;
    }
    let mut row = vec![Value::Null; fields.len() + 1];
    for (name, slot, reader) in fields {
        row[*slot] = reader.read(obj.get(name).unwrap_or(&Json::Null)).ok()?;
    }
    Some(row)
}

fn direct(text: &str, fields: &[(String, usize, FieldReader)]) -> Option<Vec<Value>> {
    let reader = FlatReader::new(fields.to_vec()).unwrap();
    let mut row = vec![Value::Null; fields.len() + 1];
    reader.read(text, &mut row).then_some(row)
}

#[test]
fn direct_reads_what_the_general_path_reads() {
    let fields = readers();
    let ok = [
        r#"{"id": 1, "name": "Ada", "code": "L-1", "small": -7, "created": 1709284500123456, "created_ms": 1709284500123000,
            "amount": "AeI=", "ratio": 1.5, "flag": true, "tags": [1, null, 3], "point": {"y": "b", "x": 2},
            "attrs": {"a": 1, "b": null}, "text": "{\"loanId\": \"L-1\", \"q\": \"\\u00e9\\n\"}"}"#,
        // Other order, unknown fields of every shape, absent nullable columns.
        r#"{"extra": {"deep": [1, {"x": "y"}]}, "text": "plain", "id": 9223372036854775807, "more": [1e400, "s"], "n": null}"#,
        r#"{"id": -9223372036854775808, "name": null, "ratio": -0.0, "small": 32767, "unused": 1.0e-10}"#,
        // Numbers serde_json hands over as text: exponents, fractions, -0, beyond i64.
        r#"{"id": 1e3, "ratio": 12345678901234567890, "small": -0}"#,
        r#"{"id": 1.0, "ratio": 1e-7, "amount": 12.5}"#,
        r#"{"id": 2, "name": "é — ✓ \ud83d\ude00", "code": "abcde", "text": ""}"#,
        "  {\"id\": 3}  \n",
    ];
    for text in ok {
        let want = general(text, &fields);
        assert!(want.is_some(), "the general path reads {text}");
        assert_eq!(direct(text, &fields), want, "{text}");
    }
}

#[test]
fn direct_declines_what_the_general_path_fails_on_or_checks() {
    let fields = readers();
    let declined = [
        r#"{"name": "no id"}"#,                               // NOT NULL column absent
        r#"{"id": null}"#,                                    // NOT NULL column null
        r#"{"id": 1, "code": "abcdef"}"#,                     // too long for VARCHAR(5)
        r#"{"id": 1, "small": 32768}"#,                       // out of SMALLINT range
        r#"{"id": 1.5}"#,                                     // not an integer
        r#"{"id": 9223372036854775808}"#,                     // beyond BIGINT
        r#"{"id": 1, "created_ms": 1709284500123456}"#,       // sub-millisecond digits in TIMESTAMP(3)
        r#"{"id": 1, "amount": "not base64!"}"#,              // bad decimal bytes
        r#"{"id": 1, "flag": 1}"#,                            // a number for a boolean
        r#"{"id": 1, "tags": [1, "x"]}"#,                     // bad element
        r#"{"id": 1, "point": [1, 2]}"#,                      // not an object
        r#"{"id": "1"}"#,                                     // a string for an int64 writer
        r#"{"id": 1, "id": 2}"#,                              // duplicate key
        r#"{"id": 1, "unread": "\ud800"}"#, // a lone surrogate, even in a field no column reads
        r#"{"id": 1, "unread": {"x": [1, "\u0000", "\q"]}}"#, // a bad escape deep in an unread field
        r#"{"id": 1, "unread": [1}}"#,      // a container closed by the wrong bracket
        r#"{"id": 1, "unread": {"a": [{"b": 1]]}}"#, // the same, nested
        r#"{"op": "c", "after": {"id": 1}, "source": {}}"#, // no column present: maybe an envelope
        r#"{}"#,
        r#"{"id": 1"#,
        r#"{"id": 1} x"#,
        r#"[{"id": 1}]"#,
        "null",
        "42",
        "",
    ];
    for text in declined {
        assert_eq!(direct(text, &fields), None, "{text}");
        if !text.contains(r#""id": 2"#) {
            assert_eq!(general(text, &fields), None, "{text}");
        }
    }
    // The general path reads the duplicate-key record (last value wins); the direct reader leaves it
    // to the general path rather than reason about which duplicate fails first.
    assert!(general(r#"{"id": 1, "id": 2}"#, &fields).is_some());
}

#[test]
fn flat_reader_refuses_duplicate_column_names() {
    let mut fields = readers();
    fields.push(fields[0].clone());
    assert!(FlatReader::new(fields).is_none());
}

/// `switchyard run` reads each record into the previous record's row: every slot the reader feeds is
/// overwritten (absent fields become NULL, never the last record's value), and equal strings are shared.
#[test]
fn reading_into_the_previous_row_leaves_nothing_of_it_but_shared_strings() {
    let fields = readers();
    let reader = FlatReader::new(fields.to_vec()).unwrap();
    let records = [
        r#"{"id": 1, "name": "Ada", "code": "L-1", "small": 3, "text": "same", "tags": [1]}"#,
        r#"{"id": 2, "name": "Ada", "text": "same", "ratio": 0.5}"#,
        r#"{"id": 3, "name": "Grace", "code": "L-2", "text": "other"}"#,
        r#"{"id": 4, "flag": false}"#,
    ];
    let mut row = vec![Value::Null; fields.len() + 1];
    row[0] = Value::Int(42);
    let mut before = row.clone();
    for text in records {
        assert!(reader.read(text, &mut row), "{text}");
        let mut fresh = vec![Value::Null; fields.len() + 1];
        fresh[0] = Value::Int(42);
        assert!(reader.read(text, &mut fresh), "{text}");
        assert_eq!(row, fresh, "{text}: the reused row reads as a fresh one");
        for (slot, (was, now)) in before.iter().zip(&row).enumerate() {
            if let (Value::String(a), Value::String(b)) = (was, now) {
                assert_eq!(std::sync::Arc::ptr_eq(a, b), a == b, "{text}: slot {slot}");
            }
        }
        before = row.clone();
    }
    assert_eq!(row[0], Value::Int(42), "a slot no field feeds is left alone");
}

mod generated {
    use proptest::prelude::*;

    use super::{direct, general, readers};

    /// Member names: the columns', those no column reads, and an escaped one.
    const NAMES: &[&str] = &[
        r#""id""#,
        r#""name""#,
        r#""code""#,
        r#""small""#,
        r#""text""#,
        r#""tags""#,
        r#""point""#,
        r#""attrs""#,
        r#""x""#,
        r#""extra""#,
        r#""more""#,
        r#""é""#,
        r#""i\u0064""#,
    ];
    /// Values of every kind.
    const VALUES: &[&str] = &[
        "1",
        "-7",
        "0",
        "-0",
        "1.5",
        "1e3",
        "1E+2",
        "-1.25e-2",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775809",
        "18446744073709551616",
        r#""a""#,
        r#""L-1""#,
        r#""é ✓""#,
        r#""\u00e9""#,
        r#""\ud83d\ude00""#,
        r#""\n\t\/\"\\""#,
        r#""AeI=""#,
        r#""""#,
        "true",
        "false",
        "null",
    ];
    /// Pieces that look like values but are not JSON.
    const BROKEN: &[&str] = &[
        "01",
        "1.",
        "-",
        "2e",
        "+1",
        ".5",
        r#""\ud800""#,
        r#""\udc00""#,
        r#""\ud800\u0041""#,
        r#""\ud800\n""#,
        r#""\q""#,
        r#""\u12""#,
        "\"\u{1}\"",
        "\"\u{1f}\"",
        "nul",
        "tru",
        "True",
        "NaN",
    ];
    /// Structure, whitespace and stray characters.
    const PUNCTUATION: &[&str] = &["{", "}", "[", "]", ",", ":", " ", "\n", "\"", "\\"];

    fn soup() -> impl Strategy<Value = String> {
        let token = proptest::sample::select([NAMES, VALUES, BROKEN, PUNCTUATION].concat());
        proptest::collection::vec(token, 0..24).prop_map(|t| t.concat())
    }

    /// A JSON value of any shape, now and then with a broken piece in it.
    fn value() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            12 => proptest::sample::select(VALUES).prop_map(str::to_owned),
            1 => proptest::sample::select(BROKEN).prop_map(str::to_owned),
        ];
        leaf.prop_recursive(3, 16, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(", "))),
                proptest::collection::vec((proptest::sample::select(NAMES), inner), 0..4).prop_map(|m| {
                    let members: Vec<String> = m.iter().map(|(k, v)| format!("{k}: {v}")).collect();
                    format!("{{{}}}", members.join(", "))
                }),
            ]
        })
    }

    /// An object of members with the columns' names and others, values of any shape; mostly with the
    /// NOT NULL `id` first, so that many of them read.
    fn object() -> impl Strategy<Value = String> {
        let id = prop_oneof![3 => Just(r#""id": 7, "#), 1 => Just("")];
        // Mostly fields no column reads (their values are only checked) and the string columns.
        let name = prop_oneof![
            2 => proptest::sample::select(&NAMES[8..12]),
            1 => proptest::sample::select(vec![NAMES[1], NAMES[4]]),
            1 => proptest::sample::select(NAMES),
        ];
        let members = proptest::collection::vec((name, value()), 0..6);
        (id, members).prop_map(|(id, m)| {
            let members: Vec<String> = m.iter().map(|(k, v)| format!("{k}:{v}")).collect();
            format!("{{{id}{}}}", members.join(","))
        })
    }

    /// An object, a token soup, or an object with a soup put in somewhere.
    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            soup(),
            object(),
            (object(), soup(), 0usize..64).prop_map(|(o, s, at)| {
                let at = o.char_indices().map(|(i, _)| i).nth(at).unwrap_or(o.len());
                format!("{}{s}{}", &o[..at], &o[at..])
            }),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(10000))]

        /// Whatever the direct reader reads, the general path reads the same; it declines nothing the
        /// general path reads except duplicate keys (left to the general path on purpose) and escaped keys.
        #[test]
        fn direct_agrees_with_the_general_path(text in text()) {
            let fields = readers();
            let got = direct(&text, &fields);
            let want = general(&text, &fields);
            if got.is_some() {
                prop_assert_eq!(&got, &want, "{}", text);
            } else if want.is_some() {
                let duplicates = fields.iter().any(|(name, _, _)| text.matches(&format!("\"{name}\"")).count() > 1);
                prop_assert!(duplicates || text.contains(r#""i\u0064""#), "declined what the general path reads: {}", text);
            }
        }
    }
}
