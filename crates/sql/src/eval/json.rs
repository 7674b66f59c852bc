//! `JSON_VALUE`, `JSON_QUERY` and `JSON_EXISTS` with Calcite's semantics (which Flink inherits): invalid JSON
//! and path errors go to `ON ERROR`, no match (or a JSON `null`, or a non-scalar in lax mode) goes to
//! `ON EMPTY`, and both default to `NULL` (`FALSE` for `JSON_EXISTS`).

use std::sync::Arc;

use serde_json::Value as Json;

use super::functions::{Func, JsonOn};
use super::json_path::{JsonPath, scalar_text};
use super::{CompiledExpr, EvalContext, cast};
use crate::error::EvalError;
use crate::parse::{JsonExistsBehavior, JsonQueryBehavior, JsonWrapper};
use crate::types::{DataType, Value};

fn out(text: String) -> Value {
    Value::String(Arc::from(text.as_str()))
}

pub(crate) fn json_call(
    func: &Func,
    args: &[CompiledExpr],
    ret: &DataType,
    row: &[Value],
    ctx: &EvalContext,
) -> Result<Value, EvalError> {
    let json = args[0].eval(row, ctx)?;
    let Value::String(text) = json else {
        return Ok(Value::Null);
    };
    let compiled;
    let path = match func {
        Func::JsonValue { path: Some(p), .. }
        | Func::JsonQuery { path: Some(p), .. }
        | Func::JsonExists { path: Some(p), .. } => p,
        _ => {
            let Value::String(p) = args[1].eval(row, ctx)? else {
                return Ok(Value::Null);
            };
            compiled = JsonPath::parse(&p);
            match &compiled {
                Ok(p) => p,
                Err(e) => return Err(EvalError::new(format!("{}: {e}", func.name()))),
            }
        }
    };
    let parsed: Result<Json, String> = serde_json::from_str(&text).map_err(|e| format!("invalid JSON: {e}"));
    let selected: Result<Vec<&Json>, String> = match &parsed {
        Ok(doc) => path.eval(doc),
        Err(e) => Err(e.clone()),
    };
    match func {
        Func::JsonValue {
            on_empty, on_error, ..
        } => {
            let on = |b: &JsonOn, why: String| -> Result<Value, EvalError> {
                match b {
                    JsonOn::Null => Ok(Value::Null),
                    JsonOn::Error => Err(EvalError::new(format!("JSON_VALUE: {why}"))),
                    JsonOn::Default(idx) => {
                        let d = &args[*idx];
                        let v = d.eval(row, ctx)?;
                        cast::cast(&v, &d.data_type, ret)
                            .map_err(|e| EvalError::new(format!("JSON_VALUE: {e}")))
                    }
                }
            };
            let items = match selected {
                Ok(items) => items,
                Err(e) => return on(on_error, e),
            };
            let scalar = match items.as_slice() {
                [one] => match one {
                    Json::Object(_) | Json::Array(_) if path.is_strict() => {
                        return on(
                            on_error,
                            "the path selects an object or array, not a scalar".into(),
                        );
                    }
                    _ => scalar_text(one).map(|t| (t, *one)),
                },
                [] => None,
                _ if path.is_strict() => return on(on_error, "the path selects more than one item".into()),
                _ => None,
            };
            let Some((text, item)) = scalar else {
                return on(on_empty, "the path selects nothing".into());
            };
            if ret.is_string() {
                return Ok(out(text));
            }
            // Numbers convert from their exact text; strings and booleans as CAST from STRING would.
            let source = match item {
                Json::Number(n) => n.to_string(),
                _ => text,
            };
            match cast::cast(&out(source), &DataType::string(), ret) {
                Ok(v) => Ok(v),
                Err(e) => on(on_error, e),
            }
        }
        Func::JsonQuery {
            wrapper,
            on_empty,
            on_error,
            ..
        } => {
            let on = |b: &JsonQueryBehavior, why: String| -> Result<Value, EvalError> {
                Ok(match b {
                    JsonQueryBehavior::Null => Value::Null,
                    JsonQueryBehavior::Error => return Err(EvalError::new(format!("JSON_QUERY: {why}"))),
                    JsonQueryBehavior::EmptyArray => out("[]".into()),
                    JsonQueryBehavior::EmptyObject => out("{}".into()),
                })
            };
            let items = match selected {
                Ok(items) => items,
                Err(e) => return on(on_error, e),
            };
            let value: Json = match items.as_slice() {
                [] => return on(on_empty, "the path selects nothing".into()),
                [one] => (*one).clone(),
                many => Json::Array(many.iter().map(|x| (*x).clone()).collect()),
            };
            if value.is_null() && items.len() == 1 {
                return on(on_empty, "the path selects null".into());
            }
            let is_container = value.is_object() || value.is_array();
            let value = match wrapper {
                JsonWrapper::Without if !is_container => {
                    return on(on_error, "the path selects a scalar; use WITH WRAPPER".into());
                }
                JsonWrapper::Without => value,
                JsonWrapper::Conditional if is_container && items.len() == 1 => value,
                _ if items.len() > 1 => value,
                _ => Json::Array(vec![value]),
            };
            Ok(out(serde_json::to_string(&value).unwrap_or_default()))
        }
        Func::JsonExists { on_error, .. } => match selected {
            Ok(items) => Ok(Value::Boolean(!items.is_empty())),
            Err(e) => match on_error {
                JsonExistsBehavior::False => Ok(Value::Boolean(false)),
                JsonExistsBehavior::True => Ok(Value::Boolean(true)),
                JsonExistsBehavior::Unknown => Ok(Value::Null),
                JsonExistsBehavior::Error => Err(EvalError::new(format!("JSON_EXISTS: {e}"))),
            },
        },
        _ => Ok(Value::Null),
    }
}
