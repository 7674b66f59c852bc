//! The Markdown report, for tickets and pull requests.

use std::fmt::Write as _;

use crate::Report;

/// The report as Markdown.
pub fn markdown(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# switchyard doctor: {} — root cause `{}`\n",
        r.verdict.as_str(),
        r.root_cause.as_str()
    );
    let _ = writeln!(
        out,
        "Engine: {}{}\n",
        r.engine.label(),
        r.sql_name
            .as_ref()
            .map(|n| format!(" (`{n}`)"))
            .unwrap_or_default()
    );
    if !r.connector_summary.is_empty() {
        let _ = writeln!(out, "## Connector (predicted from its config)\n");
        for l in &r.connector_summary {
            let _ = writeln!(out, "- {l}");
        }
        out.push('\n');
    }
    let _ = writeln!(out, "## Findings\n");
    for (i, f) in r.findings.iter().enumerate() {
        let _ = writeln!(
            out,
            "### {}. `{}` ({}) — {}\n\n{}\n",
            i + 1,
            f.code.as_str(),
            f.severity.as_str(),
            f.title,
            f.detail
        );
        for e in &f.evidence {
            if e.text.contains('\n') {
                let _ = writeln!(out, "- {}:\n\n```text\n{}\n```\n", e.kind, e.text);
            } else {
                let _ = writeln!(out, "- {}: `{}`", e.kind, e.text.replace('`', "'"));
            }
        }
        if let Some(fix) = &f.fix {
            let _ = writeln!(out, "\n**Fix:** {}", fix.summary);
            if let Some(sql) = &fix.sql {
                let _ = writeln!(out, "\n```sql\n{sql}\n```");
            }
            for (k, v) in &fix.connector {
                let _ = writeln!(out, "- connector: `{k}` = `{v}`");
            }
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "## Engine predictions\n\n| engine | outcome | detail |\n|---|---|---|"
    );
    for (engine, p) in &r.predictions {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            engine.label(),
            p.outcome,
            p.detail.replace('|', "\\|")
        );
    }
    if !r.unchecked.is_empty() {
        let _ = writeln!(out, "\n## Not checked\n");
        for u in &r.unchecked {
            let _ = writeln!(out, "- {u}");
        }
    }
    if let Some(sql) = &r.fixed_sql {
        let _ = writeln!(out, "\n## Corrected SQL\n\n```sql\n{}\n```", sql.trim_end());
    }
    out
}
