//! The human report: a verdict line, one section per finding (evidence indented, SQL with carets), the
//! engine predictions and what was not checked. Colour only when the caller asks for it.

use std::fmt::Write as _;

use crate::{Report, Severity, Verdict};

struct Paint(bool);

impl Paint {
    fn code(&self, code: &str, s: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn sev(&self, sev: Severity) -> String {
        match sev {
            Severity::Error => self.code("1;31", "error"),
            Severity::Warning => self.code("1;33", "warning"),
            Severity::Info => self.code("1;34", "info"),
        }
    }
    fn bold(&self, s: &str) -> String {
        self.code("1", s)
    }
}

fn indent(text: &str, pad: &str) -> String {
    text.lines()
        .map(|l| format!("{pad}{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The report as text.
pub fn human(r: &Report, color: bool) -> String {
    let p = Paint(color);
    let mut out = String::new();
    let verdict = match r.verdict {
        Verdict::Broken => p.code("1;31", "BROKEN"),
        Verdict::Degraded => p.code("1;33", "DEGRADED"),
        Verdict::Healthy => p.code("1;32", "HEALTHY"),
    };
    let _ = writeln!(
        out,
        "{} {verdict} — root cause: {}",
        p.bold("verdict:"),
        p.bold(r.root_cause.as_str())
    );
    let _ = writeln!(
        out,
        "{} {}{}",
        p.bold("engine:"),
        r.engine.label(),
        r.sql_name.as_ref().map(|n| format!(" ({n})")).unwrap_or_default()
    );
    if !r.connector_summary.is_empty() {
        let _ = writeln!(out, "{}", p.bold("connector (predicted from its config):"));
        for l in &r.connector_summary {
            let _ = writeln!(out, "  {l}");
        }
    }
    for (i, f) in r.findings.iter().enumerate() {
        let _ = writeln!(
            out,
            "\n[{}] {} {} {}",
            i + 1,
            p.sev(f.severity),
            p.bold(f.code.as_str()),
            f.title
        );
        let _ = writeln!(out, "{}", indent(&f.detail, "    "));
        for e in &f.evidence {
            if e.text.contains('\n') {
                let _ = writeln!(out, "    {}:\n{}", e.kind, indent(&e.text, "      "));
            } else {
                let _ = writeln!(out, "    {}: {}", e.kind, e.text);
            }
        }
        if let Some(fix) = &f.fix {
            let _ = writeln!(out, "    {} {}", p.code("1;32", "fix:"), fix.summary);
            if let Some(sql) = &fix.sql {
                let _ = writeln!(out, "      sql: {sql}");
            }
            for (k, v) in &fix.connector {
                let _ = writeln!(out, "      connector: {k} = {v}");
            }
        }
    }
    let _ = writeln!(
        out,
        "\n{}",
        p.bold("What each engine would do with the sampled records:")
    );
    for (engine, pr) in &r.predictions {
        let marker = if *engine == r.engine { " (this job)" } else { "" };
        let _ = writeln!(
            out,
            "  {}{marker}: {} — {}",
            engine.label(),
            pr.outcome,
            pr.detail
        );
        for s in &pr.statements {
            let rows = s
                .rows
                .map_or("no rows read".to_string(), |n| format!("{n} of {} rows", s.of));
            let _ = writeln!(out, "    statement {} → {}: {rows}", s.statement, s.sink);
        }
    }
    if !r.connector_changes.is_empty() {
        let _ = writeln!(out, "\n{}", p.bold("Connector changes:"));
        for (k, v) in &r.connector_changes {
            let _ = writeln!(out, "  {k} = {v}");
        }
    }
    if !r.unchecked.is_empty() {
        let _ = writeln!(out, "\n{}", p.bold("Not checked:"));
        for u in &r.unchecked {
            let _ = writeln!(out, "  - {u}");
        }
    }
    if r.fixed_sql.is_some() {
        let _ = writeln!(
            out,
            "\nA corrected SQL is available: run again with --fix to write it."
        );
    }
    out
}
