//! The corrected SQL: every error and warning finding's fix carries text edits; applying them all to the
//! original file gives `<name>.fixed.sql`. Edits are line-anchored and replace the first case-insensitive
//! match on their line, so they survive the user's formatting; whole-statement replacements (removing a
//! Confluent Cloud `CREATE TABLE` that made a new topic) are applied bottom-up so line numbers stay valid.

use crate::finding::{Edit, Finding, Severity};

/// Applies the edits of the findings' fixes; `None` when no finding has an SQL edit.
pub fn fixed_sql(original: &str, findings: &[Finding]) -> Option<String> {
    let mut edits: Vec<Edit> = Vec::new();
    for f in findings.iter().filter(|f| f.severity != Severity::Info) {
        for e in f.fix.iter().flat_map(|x| &x.edits) {
            if !edits.contains(e) {
                edits.push(e.clone());
            }
        }
    }
    if edits.is_empty() {
        return None;
    }
    let mut lines: Vec<String> = original.lines().map(String::from).collect();
    let blocks: Vec<(usize, usize)> = edits
        .iter()
        .filter_map(|e| e.end_line.map(|end| (e.line, end)))
        .collect();
    for e in edits
        .iter()
        .filter(|e| e.end_line.is_none() && !e.from.is_empty())
    {
        if blocks.iter().any(|(a, b)| e.line >= *a && e.line <= *b) {
            continue;
        }
        if let Some(line) = lines.get_mut(e.line.saturating_sub(1)) {
            *line = replace_ci(line, &e.from, &e.to);
        }
    }
    let mut structural: Vec<&Edit> = edits
        .iter()
        .filter(|e| e.end_line.is_some() || e.from.is_empty())
        .collect();
    structural.sort_by_key(|e| std::cmp::Reverse(e.line));
    for e in structural {
        let start = e.line.saturating_sub(1).min(lines.len());
        match e.end_line {
            Some(end) => {
                let end = end.min(lines.len());
                if start < end {
                    lines.splice(start..end, [e.to.clone()]);
                }
            }
            None => lines.insert(start, e.to.clone()),
        }
    }
    let mut out = lines.join("\n");
    if original.ends_with('\n') {
        out.push('\n');
    }
    Some(out)
}

/// Replaces the first case-insensitive occurrence of `from` in `line`.
fn replace_ci(line: &str, from: &str, to: &str) -> String {
    let lower = line.to_lowercase();
    match lower.find(&from.to_lowercase()) {
        Some(i) if lower.len() == line.len() => format!("{}{}{}", &line[..i], to, &line[i + from.len()..]),
        _ => line.replacen(from, to, 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Code, Fix};

    #[test]
    fn edits_apply_bottom_up() {
        let sql =
            "-- h\nCREATE TABLE t (\n  a INT\n) WITH ('format' = 'json');\nINSERT INTO s SELECT a FROM t;\n";
        let f = Finding::new(Code::FramingMismatch, Severity::Error, "", "").fix(
            Fix::text("")
                .with_edit(4, "'json'", "'json-registry'")
                .with(Edit {
                    line: 1,
                    end_line: None,
                    from: String::new(),
                    to: "-- new".into(),
                }),
        );
        let out = fixed_sql(sql, &[f]).unwrap_or_default();
        assert_eq!(
            out,
            "-- new\n-- h\nCREATE TABLE t (\n  a INT\n) WITH ('format' = 'json-registry');\nINSERT INTO s SELECT a FROM t;\n"
        );
    }
}
