//! `$ref` resolution shared by parsing (reject what cannot resolve) and the compatibility diff
//! (compare what a `$ref` points at, not the `$ref` itself).
//!
//! Confluent resolves a `$ref` to another registered schema by the *reference name* it was
//! registered with (`"$ref": "address.json"`, `"other.json#/definitions/x"`), so a schema and
//! its references form a small set of documents ([`Docs`]); local refs are JSON pointers or
//! anchors within the same document.

use serde_json::Value;

use crate::json_schema::{Draft, JsonSchema, Reference, SchemaError};

/// The documents of a parsed schema: the root first, then its references.
pub(crate) fn docs_of(schema: &JsonSchema) -> Docs<'_> {
    docs_from(schema.value(), schema.draft(), schema.references())
}

fn docs_from<'a>(root: &'a Value, draft: Draft, refs: &'a [Reference]) -> Docs<'a> {
    let mut docs = vec![Doc {
        value: root,
        draft,
        name: None,
    }];
    docs.extend(refs.iter().map(|r| Doc {
        value: &r.value,
        draft: r.draft,
        name: Some(r.name.as_str()),
    }));
    Docs { docs }
}

/// Fail on the first `$ref` (in the schema or its references) that resolves nowhere.
pub(crate) fn check_references(root: &Value, refs: &[Reference]) -> Result<(), SchemaError> {
    let docs = docs_from(root, Draft::of(root), refs);
    for (i, doc) in docs.docs.iter().enumerate() {
        let mut found = Vec::new();
        collect_refs(doc.value, &mut found, false, 0);
        for r in found {
            if is_meta_schema(r) {
                continue;
            }
            if docs.resolve(i, r).is_none() {
                return Err(SchemaError::UnresolvedReference {
                    reference: r.to_owned(),
                });
            }
        }
    }
    Ok(())
}

fn is_meta_schema(r: &str) -> bool {
    let uri = r.split('#').next().unwrap_or(r);
    Draft::from_uri(uri).is_some() || uri.starts_with("https://json-schema.org/draft/")
}

/// Keywords whose values are data, not schemas: a `$ref` inside them is not a reference.
const DATA_KEYWORDS: &[&str] = &["enum", "const", "default", "examples"];

/// Keywords whose values map names to schemas (their keys are names, not keywords).
const NAME_KEYWORDS: &[&str] = &[
    "properties",
    "patternProperties",
    "definitions",
    "$defs",
    "dependencies",
    "dependentSchemas",
];

/// Collect `$ref` strings; `names` is true when the keys of `value` are names, not keywords.
fn collect_refs<'a>(value: &'a Value, out: &mut Vec<&'a str>, names: bool, depth: usize) {
    if depth > 256 {
        return;
    }
    match value {
        Value::Object(m) => {
            if !names && let Some(Value::String(r)) = m.get("$ref") {
                out.push(r);
            }
            for (k, v) in m {
                if names {
                    collect_refs(v, out, false, depth + 1);
                } else if !DATA_KEYWORDS.contains(&k.as_str()) {
                    collect_refs(v, out, NAME_KEYWORDS.contains(&k.as_str()), depth + 1);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|v| collect_refs(v, out, false, depth + 1)),
        _ => {}
    }
}

/// One JSON document a schema consists of: the root schema or one of its references.
#[derive(Debug)]
pub(crate) struct Doc<'a> {
    pub value: &'a Value,
    pub draft: Draft,
    /// The reference name (`None` for the root).
    pub name: Option<&'a str>,
}

/// The root schema and its references; `$ref`s are resolved within this set.
#[derive(Debug)]
pub(crate) struct Docs<'a> {
    pub docs: Vec<Doc<'a>>,
}

impl<'a> Docs<'a> {
    /// Resolve `reference` as written in document `from`.
    pub fn resolve(&self, from: usize, reference: &str) -> Option<(usize, &'a Value)> {
        let (uri, fragment) = match reference.split_once('#') {
            Some((u, f)) => (u, f),
            None => (reference, ""),
        };
        let (doc, base) = if uri.is_empty() {
            (from, self.docs.get(from)?.value)
        } else {
            self.find_doc(uri)?
        };
        let target = resolve_fragment(base, fragment)?;
        Some((doc, target))
    }

    /// The document (or the subschema with that `$id`) a `$ref`'s URI part names.
    fn find_doc(&self, uri: &str) -> Option<(usize, &'a Value)> {
        let trimmed = uri.trim_start_matches("./");
        let names = |id: &str| id == uri || id.ends_with(&format!("/{trimmed}"));
        let by_name = self.docs.iter().enumerate().find(|(_, d)| {
            d.name
                .is_some_and(|n| n == uri || n == trimmed || uri.ends_with(&format!("/{n}")))
        });
        if let Some((i, d)) = by_name {
            return Some((i, d.value));
        }
        self.docs
            .iter()
            .enumerate()
            .find_map(|(i, d)| find_id(d.value, &names, 0).map(|v| (i, v)))
    }

    pub fn draft(&self, doc: usize) -> Draft {
        self.docs.get(doc).map_or(Draft::Draft7, |d| d.draft)
    }
}

fn id_of(value: &Value) -> Option<&str> {
    let m = value.as_object()?;
    m.get("$id").or_else(|| m.get("id")).and_then(Value::as_str)
}

/// The (sub)schema whose `$id` `matches`, searching depth first.
fn find_id<'a>(value: &'a Value, matches: &dyn Fn(&str) -> bool, depth: usize) -> Option<&'a Value> {
    if depth > 64 {
        return None;
    }
    if id_of(value).is_some_and(matches) {
        return Some(value);
    }
    match value {
        Value::Object(m) => m.values().find_map(|v| find_id(v, matches, depth + 1)),
        Value::Array(a) => a.iter().find_map(|v| find_id(v, matches, depth + 1)),
        _ => None,
    }
}

fn resolve_fragment<'a>(root: &'a Value, fragment: &str) -> Option<&'a Value> {
    if fragment.is_empty() {
        return Some(root);
    }
    if fragment.starts_with('/') {
        let decoded = percent_decode(fragment);
        // Confluent merges `definitions` into `$defs`, so `#/$defs/X` also finds
        // `#/definitions/X`.
        return root.pointer(&decoded).or_else(|| {
            let rest = decoded.strip_prefix("/$defs/")?;
            root.pointer(&format!("/definitions/{rest}"))
        });
    }
    find_anchor(root, fragment, 0)
}

fn find_anchor<'a>(value: &'a Value, anchor: &str, depth: usize) -> Option<&'a Value> {
    if depth > 64 {
        return None;
    }
    match value {
        Value::Object(m) => {
            let named = m.get("$anchor").and_then(Value::as_str) == Some(anchor)
                || m.get("$id")
                    .and_then(Value::as_str)
                    .and_then(|s| s.strip_prefix('#'))
                    == Some(anchor);
            if named {
                return Some(value);
            }
            m.values().find_map(|v| find_anchor(v, anchor, depth + 1))
        }
        Value::Array(a) => a.iter().find_map(|v| find_anchor(v, anchor, depth + 1)),
        _ => None,
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 3 <= bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
