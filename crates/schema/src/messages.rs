//! Instance-validation messages worded like Python's `jsonschema`, which is what Confluent's
//! Python deserializer reports (`SerializationError: 'x' is not of type 'integer'`).
//!
//! Switchyard's decoders stand in for Confluent's clients, so their error text should read the
//! same; the validator itself is the Rust `jsonschema` crate, whose own wording differs (double
//! quotes, JSON literals). The common keywords are reworded here with Python's `repr` of the
//! instance; rarer ones keep the crate's message.

use jsonschema::ValidationError;
use jsonschema::error::{TypeKind, ValidationErrorKind as K};
use serde_json::Value;

/// The message Python's `jsonschema` gives for this failure (or the crate's, where not mapped).
/// `schema` is the schema document, to list a `type` array in its declared order.
pub(crate) fn python_message(error: &ValidationError<'_>, schema: &Value) -> String {
    let instance = repr(error.instance());
    match error.kind() {
        K::Type {
            kind: TypeKind::Single(t),
        } => format!("{instance} is not of type '{t}'"),
        K::Type {
            kind: TypeKind::Multiple(types),
        } => {
            let declared = schema
                .pointer(&error.schema_path().to_string())
                .and_then(Value::as_array);
            let types: Vec<String> = match declared {
                Some(declared) => declared.iter().map(repr).collect(),
                None => types.iter().map(|t| format!("'{t}'")).collect(),
            };
            format!("{instance} is not of type {}", types.join(", "))
        }
        K::Required { property } => format!("{} is a required property", repr(property)),
        K::AdditionalProperties { unexpected } => {
            let names: Vec<String> = unexpected.iter().map(|n| repr_str(n)).collect();
            let verb = if names.len() == 1 { "was" } else { "were" };
            format!(
                "Additional properties are not allowed ({} {verb} unexpected)",
                names.join(", ")
            )
        }
        K::Enum { options } => format!("{instance} is not one of {}", repr(options)),
        K::Constant { expected_value } => format!("{} was expected", repr(expected_value)),
        K::Minimum { limit } => format!("{instance} is less than the minimum of {}", repr(limit)),
        K::Maximum { limit } => format!("{instance} is greater than the maximum of {}", repr(limit)),
        K::ExclusiveMinimum { limit } => {
            format!(
                "{instance} is less than or equal to the minimum of {}",
                repr(limit)
            )
        }
        K::ExclusiveMaximum { limit } => {
            format!(
                "{instance} is greater than or equal to the maximum of {}",
                repr(limit)
            )
        }
        K::MinLength { .. } | K::MinItems { .. } => format!("{instance} is too short"),
        K::MaxLength { .. } | K::MaxItems { .. } => format!("{instance} is too long"),
        K::Pattern { pattern } => format!("{instance} does not match {}", repr_str(pattern)),
        K::MinProperties { .. } => format!("{instance} does not have enough properties"),
        K::MaxProperties { .. } => format!("{instance} has too many properties"),
        K::UniqueItems => format!("{instance} has non-unique elements"),
        K::FalseSchema => format!("False schema does not allow {instance}"),
        K::Not { schema } => format!("{instance} should not be valid under {}", repr(schema)),
        K::AnyOf { .. } => format!("{instance} is not valid under any of the given schemas"),
        K::OneOfNotValid { .. } => format!("{instance} is not valid under any of the given schemas"),
        K::OneOfMultipleValid { .. } => format!("{instance} is valid under each of the given schemas"),
        _ => error.to_string(),
    }
}

/// Python's `repr` of a JSON value as `json.loads` would have produced it.
pub(crate) fn repr(value: &Value) -> String {
    match value {
        Value::Null => "None".to_owned(),
        Value::Bool(true) => "True".to_owned(),
        Value::Bool(false) => "False".to_owned(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => repr_str(s),
        Value::Array(a) => format!("[{}]", a.iter().map(repr).collect::<Vec<_>>().join(", ")),
        Value::Object(m) => {
            let items: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{}: {}", repr_str(k), repr(v)))
                .collect();
            format!("{{{}}}", items.join(", "))
        }
    }
}

/// Python's `repr` of a string: single quotes unless the text has a `'` and no `"`.
fn repr_str(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{repr, repr_str};

    #[test]
    fn repr_matches_python() {
        assert_eq!(repr(&json!("x")), "'x'");
        assert_eq!(repr_str("it's"), "\"it's\"");
        assert_eq!(repr_str("a'b\"c"), "'a\\'b\"c'");
        assert_eq!(
            repr(&json!({"a": [1, true, null, 2.5]})),
            "{'a': [1, True, None, 2.5]}"
        );
    }
}
