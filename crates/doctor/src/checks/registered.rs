//! `SCHEMA_DRIFT`: the registered value schema is not the JSON Schema the connector config would have
//! `JsonSchemaConverter` register ([`crate::compare`]). The records were then written under another config
//! (or by another connector), so what the doctor predicts from the config is not what the topic holds, and
//! the next schema the connector registers will differ from the one the SQL was written against.
//!
//! Each difference is also added as evidence to the findings it explains (a logical type to the column's
//! `TYPE_MISMATCH`, the shape to `ENVELOPE_MISMATCH`, an added field to `COLUMN_MISSING` /
//! `DELETE_HANDLING`), so a reader sees the config's part in them.

use crate::compare::{Comparison, DiffKind, Difference};
use crate::connector::Prediction;
use crate::context::Context;
use crate::finding::{Code, Evidence, Finding, Fix, Severity};

/// The findings, and the evidence added to `existing`.
pub(super) fn check(cx: &Context<'_>, existing: &mut [Finding]) -> Vec<Finding> {
    let Some(p) = cx.prediction.as_ref() else {
        return Vec::new();
    };
    // Confluent Cloud's `after.state.only` is not ExtractNewRecordState: its row is predicted alike, but
    // not firmly enough to call a difference drift.
    if p.unwrap.as_ref().is_some_and(|u| u.alias == "after.state.only") {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (topic, c) in &cx.comparisons {
        if c.differences.is_empty() {
            continue;
        }
        let table = cx
            .sources
            .iter()
            .find(|s| s.topic.as_deref() == Some(topic.as_str()))
            .map(|s| cx.tables[s.table].name.clone());
        for d in &c.differences {
            attach(existing, table.as_deref(), d, c);
        }
        out.push(finding(p, topic, c, table.as_deref()));
    }
    out
}

fn attach(existing: &mut [Finding], table: Option<&str>, d: &Difference, c: &Comparison) {
    let codes: &[Code] = match d.kind {
        DiffKind::Shape => &[Code::EnvelopeMismatch],
        DiffKind::LogicalType | DiffKind::Optionality => &[Code::TypeMismatch, Code::Nullability],
        DiffKind::MissingField | DiffKind::ExtraField => &[Code::ColumnMissing, Code::DeleteHandling],
        DiffKind::RecordName | DiffKind::Order => &[],
    };
    let column = d.field.as_deref().map(|f| f.trim_start_matches("after."));
    for f in existing.iter_mut().filter(|f| codes.contains(&f.code)) {
        if table.is_some() && f.table.as_deref() != table {
            continue;
        }
        // A column's finding names it in its title or evidence.
        if let Some(col) = column
            && d.kind != DiffKind::MissingField
            && d.kind != DiffKind::ExtraField
            && !f.title.contains(&format!("`{col}`"))
        {
            continue;
        }
        let e = Evidence::new(
            "connector",
            format!("predicted vs registered (schema id {}): {}", c.id, d.text),
        );
        if !f.evidence.contains(&e) {
            f.evidence.push(e);
        }
    }
}

/// The setting the registered logical type implies, when one difference says so.
fn implied_settings(diffs: &[Difference]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for d in diffs.iter().filter(|d| d.kind == DiffKind::LogicalType) {
        let registered = d.registered_type.as_deref().unwrap_or("");
        let kv = if registered.starts_with("io.debezium.time.") && !registered.contains("Zoned") {
            Some(("time.precision.mode", "adaptive"))
        } else if matches!(
            registered,
            "org.apache.kafka.connect.data.Timestamp"
                | "org.apache.kafka.connect.data.Date"
                | "org.apache.kafka.connect.data.Time"
        ) {
            Some(("time.precision.mode", "connect"))
        } else if matches!(
            registered,
            "org.apache.kafka.connect.data.Decimal" | "io.debezium.data.VariableScaleDecimal"
        ) {
            Some(("decimal.handling.mode", "precise"))
        } else {
            None
        };
        if let Some((k, v)) = kv
            && !out.iter().any(|(ok, _): &(String, String)| ok == k)
        {
            out.push((k.to_string(), v.to_string()));
        }
    }
    out
}

/// `add.fields.prefix` of the registered added fields, when they are the predicted ones under another
/// prefix (`__op` registered, `_op` predicted).
fn implied_prefix(p: &Prediction, diffs: &[Difference]) -> Option<(String, String)> {
    let u = p.unwrap.as_ref().filter(|u| u.alias != "after.state.only")?;
    let named = |k: DiffKind| -> Vec<&str> {
        diffs
            .iter()
            .filter(|d| d.kind == k)
            .filter_map(|d| d.field.as_deref())
            .collect()
    };
    let (missing, extra) = (named(DiffKind::MissingField), named(DiffKind::ExtraField));
    let first = u.added_fields.first()?;
    let bare = first.strip_prefix(u.prefix.as_str())?;
    if !missing.contains(&first.as_str()) {
        return None;
    }
    let registered = extra.iter().find_map(|x| x.strip_suffix(bare))?;
    let all_renamed = u.added_fields.iter().all(|f| {
        f.strip_prefix(u.prefix.as_str())
            .is_some_and(|b| extra.contains(&format!("{registered}{b}").as_str()))
    });
    all_renamed.then(|| {
        (
            format!("transforms.{}.add.fields.prefix", u.alias),
            registered.to_string(),
        )
    })
}

fn finding(p: &Prediction, topic: &str, c: &Comparison, table: Option<&str>) -> Finding {
    let serious = c.differences.iter().any(|d| d.kind != DiffKind::Order);
    let n = c.differences.len();
    let mut implied = implied_settings(&c.differences);
    implied.extend(implied_prefix(p, &c.differences));
    let mut detail = format!(
        "Schema id {} (`{}` v{}) is not the JSON Schema JsonSchemaConverter would register for `{topic}` under this connector config (predicted from the config and the registered row's own columns): {}. ",
        c.id,
        c.subject,
        c.version,
        super::plural(n, "difference")
    );
    if implied.is_empty() {
        detail.push_str("The records were written under another config (or by another connector), so the config in the incident is not the one that produced them, and the next schema this config registers will differ from the one the SQL was written against.");
    } else {
        let settings: Vec<String> = implied.iter().map(|(k, v)| format!("{k}={v}")).collect();
        detail.push_str(&format!(
            "The registered schema is what {} would write, not this config: the data was written under another config, and once this config registers its schema the fields and types change under the SQL.",
            settings.join(" and ")
        ));
    }
    let severity = if serious {
        Severity::Warning
    } else {
        Severity::Info
    };
    let mut f = Finding::new(
        Code::SchemaDrift,
        severity,
        format!("The registered schema of `{topic}` is not what this connector config registers"),
        detail,
    );
    if let Some(t) = table {
        f = f.table(t);
    }
    for d in &c.differences {
        f = f.evidence("schema", d.text.clone());
    }
    f = f.evidence(
        "connector",
        format!(
            "time.precision.mode={}, decimal.handling.mode={}, {}",
            p.time_precision_mode,
            p.decimal_handling_mode,
            match &p.unwrap {
                Some(u) => format!(
                    "ExtractNewRecordState `{}` (add.fields {}, prefix `{}`, deletes: {})",
                    u.alias,
                    if u.fields.is_empty() {
                        "none".into()
                    } else {
                        u.fields.join(",")
                    },
                    u.prefix,
                    u.delete_mode
                ),
                None => "no ExtractNewRecordState (envelopes)".into(),
            }
        ),
    );
    let mut fix = Fix::text(
        "find the config that wrote these records and make the deployed one match it (or, if this config is the one going forward, write the SQL for the schema it will register: see predictions.connector.value_schema)",
    );
    for (k, v) in implied {
        fix = fix.with_connector(k, v);
    }
    f.fix(fix)
}
