//! Parsed JSON Schemas: the text a subject registers, checked, with its Confluent references
//! resolved and its instance validator compiled once.
//!
//! A [`JsonSchema`] is parsed once (when registered or first fetched) and then shared by many
//! readers, so it is an `Arc` around immutable state: cloning is cheap and the compiled
//! `jsonschema` validator is reused for every record. Parsing rejects what Confluent rejects
//! with 42201 "Invalid schema": text that is not JSON, a value that is not a schema, a schema
//! that breaks its draft's meta-schema, and a `$ref` to a reference that was not supplied.
//! The draft comes from `$schema` (4, 6, 7, 2019-09, 2020-12), defaulting to draft-07 like
//! Confluent. References are served to the validator from memory by an in-process retriever:
//! nothing is ever fetched over the network.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use serde_json::{Map, Value};

/// A schema that another schema references by name (Confluent schema references).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedReference {
    /// The name used in `$ref`.
    pub name: String,
    /// The referenced schema's text.
    pub schema: String,
}

/// Why a schema could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    /// The text is not JSON.
    #[error("schema is not valid JSON: {0}")]
    NotJson(#[from] serde_json::Error),
    /// The JSON is neither an object nor a boolean.
    #[error("schema must be a JSON object or boolean, found {found}")]
    NotASchema {
        /// The JSON type found.
        found: &'static str,
    },
    /// The schema breaks its draft's meta-schema (e.g. `{"type": 5}`).
    #[error("invalid JSON schema at '{location}': {message}")]
    Invalid {
        /// JSON pointer into the schema where the problem is (empty for the root).
        location: String,
        /// What is wrong.
        message: String,
    },
    /// A `$ref` names a schema that is neither local nor among the supplied references.
    #[error("unresolvable reference '{reference}' (not among the schema's references)")]
    UnresolvedReference {
        /// The `$ref` as written.
        reference: String,
    },
    /// A supplied reference is itself not a usable schema.
    #[error("invalid referenced schema '{name}': {source}")]
    InvalidReference {
        /// The reference name.
        name: String,
        /// Why it is not usable.
        #[source]
        source: Box<SchemaError>,
    },
}

/// One way an instance fails a schema.
///
/// `message` is worded as Python's `jsonschema` (and so Confluent's Python deserializer) words
/// it, e.g. `'x' is not of type 'integer'`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationIssue {
    /// JSON pointer into the instance.
    pub instance_path: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ValidationIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.instance_path.is_empty() {
            "/"
        } else {
            &self.instance_path
        };
        write!(f, "{path}: {}", self.message)
    }
}

/// The JSON Schema draft a schema is written in (from its `$schema`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Draft {
    /// Draft 4.
    Draft4,
    /// Draft 6.
    Draft6,
    /// Draft 7 (the default).
    Draft7,
    /// Draft 2019-09.
    Draft201909,
    /// Draft 2020-12.
    Draft202012,
}

impl Draft {
    /// The draft a `$schema` URI names; `None` when it names none of the supported drafts.
    pub fn from_uri(uri: &str) -> Option<Draft> {
        let u = uri.trim_end_matches('#').trim_end_matches('/');
        let u = u
            .strip_prefix("https://")
            .or_else(|| u.strip_prefix("http://"))
            .unwrap_or(u);
        Some(match u {
            "json-schema.org/draft-04/schema" => Draft::Draft4,
            "json-schema.org/draft-06/schema" => Draft::Draft6,
            "json-schema.org/draft-07/schema" => Draft::Draft7,
            "json-schema.org/draft/2019-09/schema" => Draft::Draft201909,
            "json-schema.org/draft/2020-12/schema" => Draft::Draft202012,
            _ => return None,
        })
    }

    /// The draft of a schema value: its `$schema`, or draft-07.
    pub fn of(value: &Value) -> Draft {
        value
            .get("$schema")
            .and_then(Value::as_str)
            .and_then(Draft::from_uri)
            .unwrap_or(Draft::Draft7)
    }

    fn to_jsonschema(self) -> jsonschema::Draft {
        match self {
            Draft::Draft4 => jsonschema::Draft::Draft4,
            Draft::Draft6 => jsonschema::Draft::Draft6,
            Draft::Draft7 => jsonschema::Draft::Draft7,
            Draft::Draft201909 => jsonschema::Draft::Draft201909,
            Draft::Draft202012 => jsonschema::Draft::Draft202012,
        }
    }
}

/// A referenced schema, parsed.
#[derive(Debug)]
pub(crate) struct Reference {
    pub name: String,
    pub value: Value,
    pub draft: Draft,
}

#[derive(Debug)]
struct Inner {
    text: String,
    value: Value,
    draft: Draft,
    references: Vec<Reference>,
    canonical: String,
    validator: jsonschema::Validator,
}

/// A parsed JSON Schema. Cheap to clone (shared, immutable).
#[derive(Debug, Clone)]
pub struct JsonSchema {
    inner: Arc<Inner>,
}

impl JsonSchema {
    /// Parse schema text (with its resolved references).
    ///
    /// # Errors
    /// [`SchemaError`] when the text is not JSON, not a valid schema for its draft, or has a
    /// `$ref` that resolves neither locally nor to one of `references`.
    pub fn parse(text: &str, references: &[ResolvedReference]) -> Result<Self, SchemaError> {
        let value = parse_value(text)?;
        let draft = Draft::of(&value);
        let mut refs = Vec::with_capacity(references.len());
        for r in references {
            let parsed = parse_value(&r.schema).map_err(|e| SchemaError::InvalidReference {
                name: r.name.clone(),
                source: Box::new(e),
            })?;
            let draft = Draft::of(&parsed);
            refs.push(Reference {
                name: r.name.clone(),
                value: parsed,
                draft,
            });
        }
        crate::refs::check_references(&value, &refs)?;
        let validator = build_validator(&value, draft, &refs)?;
        let canonical = value.to_string();
        Ok(Self {
            inner: Arc::new(Inner {
                text: text.to_owned(),
                value,
                draft,
                references: refs,
                canonical,
                validator,
            }),
        })
    }

    /// The schema as JSON.
    pub fn value(&self) -> &Value {
        &self.inner.value
    }

    /// The text the schema was parsed from, as given.
    pub fn text(&self) -> &str {
        &self.inner.text
    }

    /// Compact serialization (no insignificant whitespace, key order kept), used to recognise
    /// the same schema registered again. Like Confluent, key order is significant.
    pub fn canonical_text(&self) -> &str {
        &self.inner.canonical
    }

    /// Compact serialization with object keys sorted recursively: equal for schemas that differ
    /// only in whitespace or key order (Confluent's `normalize=true`).
    pub fn normalized_text(&self) -> String {
        sorted(&self.inner.value).to_string()
    }

    /// The draft the schema is written in.
    pub fn draft(&self) -> Draft {
        self.inner.draft
    }

    /// The names of the references this schema was parsed with.
    pub fn reference_names(&self) -> impl Iterator<Item = &str> {
        self.inner.references.iter().map(|r| r.name.as_str())
    }

    pub(crate) fn references(&self) -> &[Reference] {
        &self.inner.references
    }

    /// Validate an instance against the schema.
    ///
    /// # Errors
    /// Every way the instance fails the schema, each with its JSON pointer into the instance.
    pub fn validate(&self, instance: &Value) -> Result<(), Vec<ValidationIssue>> {
        let issues: Vec<ValidationIssue> = self
            .inner
            .validator
            .iter_errors(instance)
            .map(|e| ValidationIssue {
                instance_path: e.instance_path().to_string(),
                message: crate::messages::python_message(&e, &self.inner.value),
            })
            .collect();
        if issues.is_empty() { Ok(()) } else { Err(issues) }
    }

    /// Whether an instance is valid (faster than [`JsonSchema::validate`]: stops at the first
    /// failure and builds no messages).
    pub fn is_valid(&self, instance: &Value) -> bool {
        self.inner.validator.is_valid(instance)
    }
}

fn parse_value(text: &str) -> Result<Value, SchemaError> {
    let value: Value = serde_json::from_str(text)?;
    let found = match &value {
        Value::Object(_) | Value::Bool(_) => return Ok(value),
        Value::Null => "null",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
    };
    Err(SchemaError::NotASchema { found })
}

fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(m) => {
            let mut entries: Vec<(&String, &Value)> = m.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k.clone(), sorted(v))).collect())
        }
        Value::Array(a) => Value::Array(a.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// Serves the supplied references to the validator by URI, from memory.
struct ReferenceRetriever {
    by_uri: HashMap<String, Value>,
    by_name: Vec<(String, Value)>,
}

impl jsonschema::Retrieve for ReferenceRetriever {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let uri = uri.as_str();
        if let Some(v) = self.by_uri.get(uri) {
            return Ok(v.clone());
        }
        let found = self.by_name.iter().find(|(name, _)| {
            let name = name.trim_start_matches("./");
            uri == name || uri.ends_with(&format!("/{name}"))
        });
        match found {
            Some((_, v)) => Ok(v.clone()),
            None => Err(format!("schema reference '{uri}' was not supplied").into()),
        }
    }
}

/// Confluent copies top-level `definitions` into `$defs` before loading, so that
/// `"$ref": "#/$defs/X"` also finds a body placed under `definitions`; do the same.
fn merge_def_buckets(value: &Value) -> Cow<'_, Value> {
    let Some(Value::Object(definitions)) = value.get("definitions") else {
        return Cow::Borrowed(value);
    };
    let mut merged = value.clone();
    if let Some(root) = merged.as_object_mut() {
        let defs = root.entry("$defs").or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(defs) = defs {
            for (k, v) in definitions {
                defs.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
    }
    Cow::Owned(merged)
}

fn build_validator(
    value: &Value,
    draft: Draft,
    refs: &[Reference],
) -> Result<jsonschema::Validator, SchemaError> {
    let base = value
        .get("$id")
        .or_else(|| value.get("id"))
        .and_then(Value::as_str)
        .unwrap_or("json-schema:///");
    let base_uri = jsonschema::uri::from_str(base).ok();
    let mut by_uri = HashMap::new();
    for r in refs {
        if let Some(base) = &base_uri
            && let Ok(resolved) = jsonschema::uri::resolve_against(&base.borrow(), &r.name)
        {
            by_uri.insert(resolved.as_str().to_owned(), r.value.clone());
        }
    }
    let retriever = ReferenceRetriever {
        by_uri,
        by_name: refs
            .iter()
            .map(|r| (r.name.clone(), merge_def_buckets(&r.value).into_owned()))
            .collect(),
    };
    jsonschema::options()
        .with_draft(draft.to_jsonschema())
        .with_retriever(retriever)
        .should_validate_formats(false)
        .build(&merge_def_buckets(value))
        .map_err(|e| SchemaError::Invalid {
            location: e.instance_path().to_string(),
            message: e.to_string(),
        })
}
