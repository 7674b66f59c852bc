//! `PREDICATE_NEVER_MATCHES`: run every statement's `WHERE` (compiled by the planner, evaluated by the
//! router's evaluator) on the sampled rows; a statement that keeps none of them routes nothing. The
//! evidence shows the values the filtered columns do have and the near misses — a literal that differs
//! from a sampled value only in case or surrounding blanks (`'Loan'` vs `'LOAN'`/`'loan'`).

use std::collections::BTreeMap;

use regex::Regex;
use switchyard_sql::{EvalContext, Value, eval_filter};

use super::readable;
use crate::context::Context;
use crate::finding::{Code, Finding, Fix, Severity};

fn text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.to_string()),
        Value::Boolean(b) => Some(b.to_string()),
        Value::TinyInt(n) => Some(n.to_string()),
        Value::SmallInt(n) => Some(n.to_string()),
        Value::Int(n) => Some(n.to_string()),
        Value::BigInt(n) => Some(n.to_string()),
        other => Some(format!("{other:?}")),
    }
}

pub(super) fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    let Some(plan) = &cx.plan else { return out };
    let Ok(literal_re) = Regex::new(r"'((?:[^']|'')*)'") else {
        return out;
    };
    let ctx = EvalContext::default();
    for pipeline in &plan.pipelines {
        let Some(source) = cx.sources.iter().find(|s| s.table == pipeline.source) else {
            continue;
        };
        if !readable(source) {
            continue;
        }
        let table = &cx.tables[source.table];
        let rows: Vec<&Vec<Value>> = source.data_samples().flat_map(|s| s.rows.iter()).collect();
        if rows.is_empty() {
            continue;
        }
        for st in &pipeline.statements {
            let Some(filter) = &st.filter else { continue };
            let matched = rows
                .iter()
                .filter(|r| eval_filter(filter, r, &ctx).unwrap_or(false))
                .count();
            if matched > 0 {
                continue;
            }
            let sink = &cx.tables[st.sink].name;
            let where_text = st
                .sql
                .find("WHERE")
                .or_else(|| st.sql.find("where"))
                .map(|i| st.sql[i + 5..].trim().to_string())
                .unwrap_or_default();
            let literals: Vec<String> = literal_re
                .captures_iter(&where_text)
                .filter_map(|c| c.get(1))
                .map(|m| m.as_str().replace("''", "'"))
                .collect();
            let mut f = Finding::new(
                Code::PredicateNeverMatches,
                Severity::Error,
                format!(
                    "INSERT INTO {sink}: WHERE {where_text} matches none of {} sampled rows",
                    rows.len()
                ),
                format!(
                    "Statement {} routes nothing to `{sink}`: its condition is not TRUE for any sampled row.",
                    st.index + 1
                ),
            )
            .table(&table.name);
            let span = cx.find_span(st.span, "WHERE").unwrap_or(st.span);
            f = f.evidence(
                "sql",
                cx.render_span(span, "never TRUE on the sampled rows")
                    .unwrap_or_default(),
            );
            let mut near: Vec<(String, String, String, usize)> = Vec::new();
            for slot in filter.columns() {
                let Some(col) = table.columns.get(slot) else {
                    continue;
                };
                let mut counts: BTreeMap<String, usize> = BTreeMap::new();
                let mut nulls = 0;
                for r in &rows {
                    match r.get(slot).and_then(text) {
                        Some(t) => *counts.entry(t).or_default() += 1,
                        None => nulls += 1,
                    }
                }
                let mut dist: Vec<(String, usize)> = counts.clone().into_iter().collect();
                dist.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                let shown: Vec<String> = dist.iter().take(12).map(|(v, n)| format!("'{v}' ×{n}")).collect();
                f = f.evidence(
                    "counts",
                    format!(
                        "`{}` in the sample: {}{}",
                        col.name,
                        if shown.is_empty() {
                            "no values".into()
                        } else {
                            shown.join(", ")
                        },
                        if nulls > 0 {
                            format!(", NULL ×{nulls}")
                        } else {
                            String::new()
                        }
                    ),
                );
                for lit in &literals {
                    for (v, n) in &counts {
                        if v != lit && (v.eq_ignore_ascii_case(lit) || v.trim() == lit.trim()) {
                            near.push((col.name.clone(), lit.clone(), v.clone(), *n));
                        }
                    }
                }
            }
            let all_null = filter
                .columns()
                .iter()
                .all(|slot| rows.iter().all(|r| r.get(*slot).is_none_or(Value::is_null)));
            if all_null {
                f.detail.push_str(" The columns it filters on are NULL in every sampled row: a symptom of the missing columns or envelope reported above, not a wrong literal.");
            }
            if !near.is_empty() {
                let text: Vec<String> = near
                    .iter()
                    .map(|(c, l, v, n)| format!("`{c}`: '{l}' vs '{v}' ({n} row(s))"))
                    .collect();
                f.detail.push_str(&format!(
                    " Near misses: {} — string comparison is case-sensitive.",
                    text.join("; ")
                ));
                f = f.evidence("counts", format!("near misses: {}", text.join("; ")));
                let (col, lit, _, _) = &near[0];
                let upper = lit.to_uppercase();
                let replacement = format!("UPPER({col}) = '{upper}'");
                let mut fix = Fix::text(format!("compare case-insensitively: {replacement}"))
                    .with_sql(replacement.clone());
                if let Ok(re) = Regex::new(&format!(
                    r"(?i)\b{}\s*=\s*'{}'",
                    regex::escape(col),
                    regex::escape(lit)
                )) && let Some(sql) = &cx.sql
                {
                    for (i, line) in sql.text.lines().enumerate().skip(st.span.line.saturating_sub(1)) {
                        if let Some(m) = re.find(line) {
                            fix = fix.with_edit(i + 1, m.as_str(), replacement.clone());
                            break;
                        }
                    }
                }
                f = f.fix(fix);
            } else {
                f = f.fix(Fix::text(
                    "check the literal against the values the column really has (shown above)",
                ));
            }
            out.push(f);
        }
    }
    out
}
