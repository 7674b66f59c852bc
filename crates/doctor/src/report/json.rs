//! The JSON report: `{"verdict","root_cause","engine","findings":[…],"predictions":{…},"fixed_sql",…}`.

use serde_json::{Map, Value, json as j};

use crate::Report;

/// The report as JSON.
pub fn json(r: &Report) -> Value {
    let mut predictions = Map::new();
    for (engine, p) in &r.predictions {
        predictions.insert(
            engine.key().to_string(),
            serde_json::to_value(p).unwrap_or(Value::Null),
        );
    }
    if let Some(connector) = connector_predictions(r) {
        predictions.insert("connector".to_string(), connector);
    }
    j!({
        "verdict": r.verdict.as_str(),
        "root_cause": r.root_cause.as_str(),
        "engine": r.engine.key(),
        "findings": serde_json::to_value(&r.findings).unwrap_or(Value::Null),
        "predictions": predictions,
        "fixed_sql": r.fixed_sql,
        "connector_changes": r.connector_changes.iter().map(|(k, v)| j!({"key": k, "value": v})).collect::<Vec<_>>(),
        "connector": r.connector_summary,
        "not_checked": r.unchecked,
    })
}

/// `predictions.connector`: the value schema `JsonSchemaConverter` would register (for the first compared
/// topic), and every comparison with the registered schemas (with its own prediction where it differs, and
/// the delete's schema in `tombstone` mode).
fn connector_predictions(r: &Report) -> Option<Value> {
    let mut value_schema = None;
    let mut schemas = Vec::new();
    for (topic, c) in &r.connector_schemas {
        let mut entry = j!({
            "topic": topic,
            "registered": {"subject": c.subject, "version": c.version, "id": c.id},
            "exact": c.exact,
            "differences": serde_json::to_value(&c.differences).unwrap_or(Value::Null),
        });
        match &c.expected {
            Ok(x) => {
                entry["subject"] = j!(x.subject);
                // The first topic's prediction is `value_schema` above; repeat only what differs.
                if value_schema.get_or_insert_with(|| x.value_schema.clone()) != &x.value_schema {
                    entry["value_schema"] = x.value_schema.clone();
                }
                if let Some(d) = &x.delete_schema {
                    entry["delete_schema"] = d.clone();
                }
                if !x.assumptions.is_empty() {
                    entry["assumptions"] = j!(x.assumptions);
                }
            }
            Err(e) => entry["error"] = j!(e),
        }
        schemas.push(entry);
    }
    value_schema.map(|v| j!({"value_schema": v, "schemas": schemas}))
}
