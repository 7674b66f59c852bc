//! How a raw JSON Schema value is seen by the diff: the same classes Confluent's loader (everit)
//! builds, so that the comparison rules can be ported rule for rule.
//!
//! Confluent does not diff JSON; it diffs everit `Schema` objects, and several of its verdicts
//! come from how everit classifies a schema rather than from the JSON itself:
//! `{"type":"string","enum":[…]}` is a synthetic `allOf[enum, string]`, `"type":[a,b]` is an
//! `anyOf`, `{}`/`true` is the empty schema, keywords without `type` are "sniffed" into the
//! type they belong to, and `$ref` ignores its siblings. [`load`] reproduces that classification
//! lazily over borrowed `serde_json::Value`s (no copy of the schema is made); `$ref`s are
//! resolved across the root schema and its Confluent references by [`Docs`].

use serde_json::{Map, Value};

use crate::json_schema::Draft;
pub(crate) use crate::refs::Docs;

/// `allOf` / `anyOf` / `oneOf`, spelled as Confluent prints a criterion in paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Criterion {
    All,
    Any,
    One,
}

impl Criterion {
    pub fn keyword(self) -> &'static str {
        match self {
            Criterion::All => "allOf",
            Criterion::Any => "anyOf",
            Criterion::One => "oneOf",
        }
    }
}

/// The everit class a schema loads as, with what each class needs to be compared.
#[derive(Debug, Clone)]
pub(crate) enum Kind<'a> {
    /// `{}` (or only annotations): everit's `EmptySchema`.
    Empty,
    /// `true`: everit's `TrueSchema` (a subclass of `EmptySchema`).
    True,
    /// `false`.
    False,
    Boolean,
    Null,
    String(&'a Map<String, Value>),
    /// The map, and whether `type` is `integer`.
    Number(&'a Map<String, Value>, bool),
    Object(&'a Map<String, Value>),
    Array(&'a Map<String, Value>),
    Enum(&'a [Value]),
    Const(&'a Value),
    Combined(Criterion, Vec<Node<'a>>),
    Not(&'a Value),
    Conditional,
    /// An unresolved `$ref`; [`resolve`] replaces it with its target.
    Ref(&'a str),
}

/// A loaded schema: its class, where it lives (for `$ref`s inside it), and its annotations.
#[derive(Debug, Clone)]
pub(crate) struct Node<'a> {
    pub kind: Kind<'a>,
    pub docs: &'a Docs<'a>,
    pub doc: usize,
    /// The map annotations (`title`, `default`, `connect.*`…) are read from; `None` for the parts
    /// of a synthetic `allOf`.
    pub meta: Option<&'a Map<String, Value>>,
    /// Identity for memoisation: address of the JSON value and which part of it this is.
    pub id: (usize, u16),
}

const PART_WHOLE: u16 = 0;
const PART_ENUM: u16 = 1;
const PART_NOT: u16 = 3;
const PART_CONST: u16 = 4;
const PART_TYPE: u16 = 5;
const PART_SNIFF: u16 = 6;
const PART_COND: u16 = 7;
const PART_CRITERION: u16 = 8;
const PART_REF: u16 = 9;
const PART_TYPE_ARRAY: u16 = 16;

/// Keywords next to a `$ref` that do not make it a schema of its own.
const NON_SCHEMA_KEYWORDS: &[&str] = &[
    "$ref",
    "$schema",
    "$id",
    "id",
    "$anchor",
    "$comment",
    "$defs",
    "definitions",
    "title",
    "description",
    "default",
    "examples",
    "deprecated",
    "readOnly",
    "writeOnly",
];

const V4_ARRAY_KEYWORDS: &[&str] = &["items", "additionalItems", "minItems", "maxItems", "uniqueItems"];
const V6_ARRAY_KEYWORDS: &[&str] = &[
    "items",
    "additionalItems",
    "minItems",
    "maxItems",
    "uniqueItems",
    "contains",
];
const V2019_ARRAY_KEYWORDS: &[&str] = &[
    "items",
    "additionalItems",
    "minItems",
    "maxItems",
    "uniqueItems",
    "contains",
    "prefixItems",
    "unevaluatedItems",
    "maxContains",
    "minContains",
];
const V4_OBJECT_KEYWORDS: &[&str] = &[
    "properties",
    "required",
    "minProperties",
    "maxProperties",
    "dependencies",
    "patternProperties",
    "additionalProperties",
];
const V6_OBJECT_KEYWORDS: &[&str] = &[
    "properties",
    "required",
    "minProperties",
    "maxProperties",
    "dependencies",
    "patternProperties",
    "additionalProperties",
    "propertyNames",
];
const V2019_OBJECT_KEYWORDS: &[&str] = &[
    "properties",
    "required",
    "minProperties",
    "maxProperties",
    "dependencies",
    "patternProperties",
    "additionalProperties",
    "propertyNames",
    "dependentRequired",
    "dependentSchemas",
    "unevaluatedProperties",
];

fn array_keywords(draft: Draft) -> &'static [&'static str] {
    match draft {
        Draft::Draft4 => V4_ARRAY_KEYWORDS,
        Draft::Draft6 | Draft::Draft7 => V6_ARRAY_KEYWORDS,
        Draft::Draft201909 | Draft::Draft202012 => V2019_ARRAY_KEYWORDS,
    }
}

fn object_keywords(draft: Draft) -> &'static [&'static str] {
    match draft {
        Draft::Draft4 => V4_OBJECT_KEYWORDS,
        Draft::Draft6 | Draft::Draft7 => V6_OBJECT_KEYWORDS,
        Draft::Draft201909 | Draft::Draft202012 => V2019_OBJECT_KEYWORDS,
    }
}

/// Which keyword families a declared `type` has consumed.
#[derive(Default)]
struct Consumed {
    array: bool,
    object: bool,
    number: bool,
    string: bool,
}

impl Consumed {
    fn add(&mut self, t: &str) {
        match t {
            "array" => self.array = true,
            "object" => self.object = true,
            "integer" | "number" => self.number = true,
            "string" => self.string = true,
            _ => {}
        }
    }
}

const NUMBER_KEYWORDS: &[&str] = &[
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
];
const STRING_KEYWORDS: &[&str] = &["minLength", "maxLength", "pattern", "format"];

fn addr<T>(v: &T) -> usize {
    std::ptr::from_ref(v) as usize
}

/// Load `value` (a schema in document `doc`) as everit would classify it.
pub(crate) fn load<'a>(docs: &'a Docs<'a>, doc: usize, value: &'a Value) -> Node<'a> {
    let node = |kind, meta, part| Node {
        kind,
        docs,
        doc,
        meta,
        id: (addr(value), part),
    };
    match value {
        Value::Bool(true) => node(Kind::True, None, PART_WHOLE),
        Value::Bool(false) => node(Kind::False, None, PART_WHOLE),
        Value::Object(m) => load_object(docs, doc, value, m),
        _ => node(Kind::Empty, None, PART_WHOLE),
    }
}

fn load_object<'a>(docs: &'a Docs<'a>, doc: usize, value: &'a Value, m: &'a Map<String, Value>) -> Node<'a> {
    let base = addr(value);
    let mk = |kind, part| Node {
        kind,
        docs,
        doc,
        meta: None,
        id: (base, part),
    };
    let draft = docs.draft(doc);
    let mut parts: Vec<Node<'a>> = Vec::new();
    if let Some(r) = m.get("$ref").and_then(Value::as_str) {
        // Up to draft 7 a `$ref` replaces its siblings; from 2019-09 on they apply alongside it
        // (Confluent's translator wraps both in an `allOf`).
        let siblings = m.keys().any(|k| !NON_SCHEMA_KEYWORDS.contains(&k.as_str()));
        if draft < Draft::Draft201909 || !siblings {
            return Node {
                kind: Kind::Ref(r),
                docs,
                doc,
                meta: Some(m),
                id: (base, PART_WHOLE),
            };
        }
        parts.push(mk(Kind::Ref(r), PART_REF));
    }
    if let Some(Value::Array(values)) = m.get("enum") {
        parts.push(mk(Kind::Enum(values), PART_ENUM));
    }
    for (i, crit) in [Criterion::All, Criterion::Any, Criterion::One]
        .into_iter()
        .enumerate()
    {
        if let Some(Value::Array(subs)) = m.get(crit.keyword()) {
            let subs = subs.iter().map(|s| load(docs, doc, s)).collect();
            parts.push(mk(Kind::Combined(crit, subs), PART_CRITERION + i as u16));
        }
    }
    if let Some(not) = m.get("not") {
        parts.push(mk(Kind::Not(not), PART_NOT));
    }
    if draft != Draft::Draft4
        && let Some(c) = m.get("const")
    {
        parts.push(mk(Kind::Const(c), PART_CONST));
    }
    // A declared type consumes its own keywords; keywords of other types left over are
    // "sniffed" into schemas of their own, as everit does.
    let mut consumed = Consumed::default();
    match m.get("type") {
        Some(Value::String(t)) => {
            consumed.add(t);
            parts.push(mk(typed(t, m), PART_TYPE));
        }
        Some(Value::Array(types)) => {
            let subs = types
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    let t = t.as_str().unwrap_or("");
                    consumed.add(t);
                    mk(typed(t, m), PART_TYPE_ARRAY + i as u16)
                })
                .collect();
            parts.push(mk(Kind::Combined(Criterion::Any, subs), PART_TYPE));
        }
        _ => {}
    }
    let has = |keys: &[&str]| keys.iter().any(|k| m.contains_key(*k));
    if !consumed.array && has(array_keywords(draft)) {
        parts.push(mk(Kind::Array(m), PART_SNIFF));
    }
    if !consumed.object && has(object_keywords(draft)) {
        parts.push(mk(Kind::Object(m), PART_SNIFF + 1));
    }
    if !consumed.number && has(NUMBER_KEYWORDS) {
        parts.push(mk(Kind::Number(m, false), PART_SNIFF + 2));
    }
    if !consumed.string && has(STRING_KEYWORDS) {
        parts.push(mk(Kind::String(m), PART_SNIFF + 3));
    }
    if draft >= Draft::Draft7 && has(&["if", "then", "else"]) {
        parts.push(mk(Kind::Conditional, PART_COND));
    }
    match parts.len() {
        0 => Node {
            kind: Kind::Empty,
            docs,
            doc,
            meta: Some(m),
            id: (base, PART_WHOLE),
        },
        1 => {
            let mut only = parts.remove(0);
            only.meta = Some(m);
            only
        }
        _ => Node {
            kind: Kind::Combined(Criterion::All, parts),
            docs,
            doc,
            meta: Some(m),
            id: (base, PART_WHOLE),
        },
    }
}

fn typed<'a>(t: &str, m: &'a Map<String, Value>) -> Kind<'a> {
    match t {
        "string" => Kind::String(m),
        "integer" => Kind::Number(m, true),
        "number" => Kind::Number(m, false),
        "boolean" => Kind::Boolean,
        "null" => Kind::Null,
        "object" => Kind::Object(m),
        "array" => Kind::Array(m),
        _ => Kind::Empty,
    }
}

/// Replace a `$ref` with the schema it points at (following chains of `$ref`s). An unresolvable
/// `$ref` (impossible for a parsed [`crate::JsonSchema`]) is treated as the empty schema.
pub(crate) fn resolve<'a>(node: Node<'a>) -> Node<'a> {
    let mut node = node;
    for _ in 0..64 {
        let Kind::Ref(r) = node.kind else {
            return node;
        };
        match node.docs.resolve(node.doc, r) {
            Some((doc, target)) => node = load(node.docs, doc, target),
            None => {
                return Node {
                    kind: Kind::Empty,
                    meta: None,
                    ..node
                };
            }
        }
    }
    Node {
        kind: Kind::Empty,
        meta: None,
        ..node
    }
}

impl Node<'_> {
    /// Whether two nodes are of the same everit class (all combined schemas count as one).
    pub fn same_class(&self, other: &Node<'_>) -> bool {
        match (&self.kind, &other.kind) {
            (Kind::Number(..), Kind::Number(..)) => true,
            (Kind::Combined(..), Kind::Combined(..)) => true,
            (a, b) => std::mem::discriminant(a) == std::mem::discriminant(b),
        }
    }

    /// everit `EmptySchema` (which `TrueSchema` extends).
    pub fn is_empty_schema(&self) -> bool {
        matches!(self.kind, Kind::Empty | Kind::True)
    }

    pub fn is_false(&self) -> bool {
        matches!(self.kind, Kind::False)
    }

    /// A string identifying the schema's content, used to collapse duplicate subschemas.
    pub fn signature(&self) -> String {
        let body = match (&self.kind, self.meta) {
            (Kind::Enum(v), _) => format!("enum:{}", Value::Array(v.to_vec())),
            (Kind::Const(v), _) => format!("const:{v}"),
            (Kind::Not(v), _) => format!("not:{v}"),
            (Kind::True, _) => "true".to_owned(),
            (Kind::False, _) => "false".to_owned(),
            (_, Some(m)) => Value::Object(m.clone()).to_string(),
            (kind, None) => format!("{}:{:?}", self.id.1, std::mem::discriminant(kind)),
        };
        format!("{}|{body}", self.id.1)
    }

    /// The value of an annotation or other keyword on this schema.
    pub fn meta_value(&self, key: &str) -> Option<&Value> {
        self.meta.and_then(|m| m.get(key))
    }
}
