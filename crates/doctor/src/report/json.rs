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
