//! Inferring a JSON Schema from an example record, for `produce` without `--schema`: the shape of the
//! first record, kept open (no `required`, `additionalProperties` left open), every scalar nullable (CDC
//! rows are full of nullable columns) and `null` seen as "any type", so later records that fill those
//! fields in, or leave them empty, still validate.

use serde_json::{Map, Value, json};

/// A draft-07 schema describing `example`, titled `title`.
pub fn infer_schema(example: &Value, title: &str) -> Value {
    let mut schema = infer(example);
    if let Value::Object(map) = &mut schema {
        map.insert("$schema".into(), json!("http://json-schema.org/draft-07/schema#"));
        map.insert("title".into(), json!(title));
    }
    schema
}

fn infer(v: &Value) -> Value {
    match v {
        Value::Null => json!({}),
        Value::Bool(_) => json!({"type": ["boolean", "null"]}),
        Value::Number(n) if n.is_i64() || n.is_u64() => json!({"type": ["integer", "null"]}),
        Value::Number(_) => json!({"type": ["number", "null"]}),
        Value::String(_) => json!({"type": ["string", "null"]}),
        Value::Array(items) => match items.first() {
            Some(first) => json!({"type": "array", "items": infer(first)}),
            None => json!({"type": "array"}),
        },
        Value::Object(fields) => {
            let props: Map<String, Value> = fields.iter().map(|(k, v)| (k.clone(), infer(v))).collect();
            json!({"type": "object", "properties": props})
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchyard_schema::JsonSchema;

    #[test]
    fn inferred_schema_accepts_its_example_and_later_fills() {
        let first =
            json!({"id": 1, "name": "a", "score": 1.5, "tags": ["x"], "note": null, "nested": {"ok": true}});
        let schema = infer_schema(&first, "example");
        assert_eq!(schema["properties"]["id"], json!({"type": ["integer", "null"]}));
        assert_eq!(schema["properties"]["note"], json!({}));
        let compiled = JsonSchema::parse(&schema.to_string(), &[]).unwrap();
        assert!(compiled.validate(&first).is_ok());
        assert!(
            compiled
                .validate(&json!({"id": 2, "note": "now set", "name": null, "extra": 1}))
                .is_ok()
        );
        assert!(compiled.validate(&json!({"id": "two"})).is_err());
    }
}
