//! The predicted value schema ([`crate::expected`]) against the registered one, field by field: the
//! record name (`title`), envelope vs flat row, missing and extra fields, each field's Connect/logical
//! type (`connect.type`, `title`), optionality (`oneOf` with null) and `connect.index` order.
//!
//! Which registered schemas: those the sampled records of a predicted topic name by id (a topic can hold
//! several versions: `ExtractNewRecordState`'s delete registers the optional row), else the latest
//! version of `<topic>-value`. Only for a Debezium connector writing JSON_SR, whose registry holds what
//! its `JsonSchemaConverter` registered. Defaults, `connect.version` and the inside of the `source` block
//! (which follows the Debezium release) are in the predicted text but not compared.

use serde::Serialize;
use serde_json::Value;

use crate::connector::{Prediction, ValueEncoding};
use crate::expected::{ExpectedSchema, expected_schema, ordered_properties, unwrap_optional};
use crate::incident::Incident;

/// What kind of difference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DiffKind {
    /// Envelope where the config writes a flat row, or the other way round.
    Shape,
    /// Another record name (`title`): another `topic.prefix` or table.
    RecordName,
    /// A field the config would write is not registered.
    MissingField,
    /// A registered field the config would not write.
    ExtraField,
    /// Another Connect or logical type (`connect.type`, `title`).
    LogicalType,
    /// Optional (`oneOf` with null) on one side only.
    Optionality,
    /// Same fields, another `connect.index` order.
    Order,
}

/// One difference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    /// The kind.
    pub kind: DiffKind,
    /// The field (`after.created_date` inside an envelope), when about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// What differs, registered first.
    pub text: String,
    /// For a [`DiffKind::LogicalType`]: the registered field's logical type (`title`), if any.
    #[serde(skip)]
    pub registered_type: Option<String>,
}

/// One registered schema compared with the prediction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// The subject and version the registered schema was found under.
    pub subject: String,
    /// Its version.
    pub version: i32,
    /// Its id.
    pub id: u32,
    /// The prediction (built from this schema's columns), or why there is none.
    pub expected: Result<ExpectedSchema, String>,
    /// Whether the registered text is exactly the predicted one.
    pub exact: bool,
    /// The differences.
    pub differences: Vec<Difference>,
}

fn sig(s: &Value) -> (Option<&str>, Option<&str>, Option<&str>) {
    let get = |k: &str| s.get(k).and_then(Value::as_str);
    (get("type"), get("connect.type"), get("title"))
}

fn describe(s: &Value) -> String {
    let (ty, ct, title) = sig(s);
    let base = ct.or(ty).unwrap_or("?");
    match title {
        Some(t) => format!("{t} ({base})"),
        None => base.to_string(),
    }
}

fn setting_for(a: &Value, b: &Value, p: &Prediction) -> String {
    let titles = format!("{} {}", describe(a), describe(b));
    if titles.contains(".time.")
        || titles.contains("data.Timestamp")
        || titles.contains("data.Date")
        || titles.contains("data.Time")
    {
        format!(" under time.precision.mode={}", p.time_precision_mode)
    } else if titles.contains("Decimal") || titles.contains("float64") {
        format!(" under decimal.handling.mode={}", p.decimal_handling_mode)
    } else {
        String::new()
    }
}

fn shape(title: &str) -> &'static str {
    if title.ends_with(".Envelope") {
        "a Debezium envelope"
    } else {
        "a flat row"
    }
}

/// The differences between a registered JSON Schema and the predicted one.
pub fn diff(registered: &Value, predicted: &Value, p: &Prediction) -> Vec<Difference> {
    let mut out = Vec::new();
    let (r, r_opt) = unwrap_optional(registered);
    let (e, e_opt) = unwrap_optional(predicted);
    let rt = r.get("title").and_then(Value::as_str).unwrap_or("");
    let et = e.get("title").and_then(Value::as_str).unwrap_or("");
    if rt.ends_with(".Envelope") != et.ends_with(".Envelope") {
        let why = match &p.unwrap {
            Some(u) => format!("ExtractNewRecordState `{}` flattens", u.alias),
            None => "no ExtractNewRecordState: envelopes".into(),
        };
        out.push(Difference {
            kind: DiffKind::Shape,
            field: None,
            text: format!(
                "registered `{rt}` is {}; this config ({why}) writes `{et}`",
                shape(rt)
            ),
            registered_type: None,
        });
        return out;
    }
    if rt != et {
        out.push(Difference {
            kind: DiffKind::RecordName,
            field: None,
            text: format!(
                "registered record name `{rt}`; this config (topic.prefix `{}`) writes `{et}`",
                p.topic_prefix.as_deref().unwrap_or("?")
            ),
            registered_type: None,
        });
    }
    if r_opt != e_opt {
        out.push(Difference {
            kind: DiffKind::Optionality,
            field: None,
            text: format!(
                "the registered record is {}, the predicted one {}",
                if r_opt {
                    "optional (oneOf with null)"
                } else {
                    "required"
                },
                if e_opt {
                    "optional (oneOf with null)"
                } else {
                    "required"
                }
            ),
            registered_type: None,
        });
    }
    fields(r, e, "", p, &mut out);
    out
}

fn fields(r: &Value, e: &Value, path: &str, p: &Prediction, out: &mut Vec<Difference>) {
    let rp = ordered_properties(r);
    let ep = ordered_properties(e);
    let has = |props: &[(String, Value)], n: &str| props.iter().any(|(k, _)| k == n);
    let mut set_differs = false;
    for (n, s) in &ep {
        if !has(&rp, n) {
            set_differs = true;
            out.push(Difference {
                kind: DiffKind::MissingField,
                field: Some(format!("{path}{n}")),
                text: format!(
                    "`{path}{n}` ({}) is predicted but not registered",
                    describe(unwrap_optional(s).0)
                ),
                registered_type: None,
            });
        }
    }
    for (n, s) in &rp {
        if !has(&ep, n) {
            set_differs = true;
            out.push(Difference {
                kind: DiffKind::ExtraField,
                field: Some(format!("{path}{n}")),
                text: format!(
                    "`{path}{n}` ({}) is registered but this config would not write it",
                    describe(unwrap_optional(s).0)
                ),
                registered_type: None,
            });
        }
    }
    for (n, rs) in &rp {
        let Some((_, es)) = ep.iter().find(|(k, _)| k == n) else {
            continue;
        };
        let ((ri, ro), (ei, eo)) = (unwrap_optional(rs), unwrap_optional(es));
        let field = Some(format!("{path}{n}"));
        if sig(ri) != sig(ei) {
            out.push(Difference {
                kind: DiffKind::LogicalType,
                field: field.clone(),
                text: format!(
                    "`{path}{n}` is registered as {}, but this config writes {}{}",
                    describe(ri),
                    describe(ei),
                    setting_for(ri, ei, p)
                ),
                registered_type: sig(ri).2.map(String::from),
            });
        }
        if ro != eo {
            out.push(Difference {
                kind: DiffKind::Optionality,
                field: field.clone(),
                text: format!(
                    "`{path}{n}` is registered {}, predicted {}",
                    if ro { "optional" } else { "required" },
                    if eo { "optional" } else { "required" }
                ),
                registered_type: None,
            });
        }
        let index = |s: &Value| s.get("connect.index").and_then(Value::as_u64);
        if !set_differs && index(rs) != index(es) {
            out.push(Difference {
                kind: DiffKind::Order,
                field: field.clone(),
                text: format!(
                    "`{path}{n}` has connect.index {:?} registered, {:?} predicted",
                    index(rs),
                    index(es)
                ),
                registered_type: None,
            });
        }
        if n == "after" && path.is_empty() {
            fields(ri, ei, "after.", p, out);
        }
    }
}

/// The registered value schemas of `topic` worth comparing: those its sampled records name, else the
/// subject's latest.
fn registered_for<'a>(
    incident: &'a Incident,
    topic: &str,
) -> Vec<(&'a str, &'a crate::incident::SchemaVersion)> {
    let Some(reg) = incident.registry.as_ref() else {
        return Vec::new();
    };
    let mut ids: Vec<u32> = Vec::new();
    if let Some(records) = incident.topics.get(topic).and_then(|t| t.records.as_ref()) {
        for r in records {
            let id = r
                .value
                .as_deref()
                .and_then(|v| switchyard_wire::parse_frame(v).ok())
                .and_then(|f| f.schema.id());
            if let Some(id) = id
                && !ids.contains(&id)
            {
                ids.push(id);
            }
        }
    }
    let mut out: Vec<(&str, &crate::incident::SchemaVersion)> = ids
        .iter()
        .filter_map(|id| reg.by_id(*id).into_iter().next())
        .collect();
    if out.is_empty() {
        let subject = format!("{topic}-value");
        if let Some((s, v)) = reg
            .subjects
            .get_key_value(&subject)
            .and_then(|(s, _)| Some((s, reg.latest(s)?)))
        {
            out.push((s.as_str(), v));
        }
    }
    out
}

/// Every comparison the incident allows.
pub fn comparisons(incident: &Incident, p: &Prediction) -> Vec<(String, Comparison)> {
    if !p.is_debezium() || p.encoding != ValueEncoding::JsonSr {
        return Vec::new();
    }
    let mut out = Vec::new();
    for topic in &p.topics {
        for (subject, v) in registered_for(incident, topic) {
            let Some(registered) = v.json() else { continue };
            let expected = expected_schema(p, topic, v.id, &registered);
            let (exact, differences) = match &expected {
                Ok(x) => {
                    let predicted = match (&x.delete_schema, unwrap_optional(&registered).1) {
                        (Some(d), true) => d,
                        _ => &x.value_schema,
                    };
                    (*predicted == registered, diff(&registered, predicted, p))
                }
                Err(_) => (false, Vec::new()),
            };
            out.push((
                topic.clone(),
                Comparison {
                    subject: subject.to_string(),
                    version: v.version,
                    id: v.id,
                    expected,
                    exact,
                    differences,
                },
            ));
        }
    }
    out
}
