//! Errors with positions in the user's SQL file, rendered the way `rustc` renders them.
//!
//! Parsing and planning report *every* problem they find, each pointing at the text that caused it, because a
//! user fixing a routing job wants the whole list at once. Evaluation errors ([`EvalError`]) have no span: they
//! happen per record, long after planning, and name the function, column or value instead.

use std::fmt;

/// A place in the SQL text: 1-based line and column (in characters) and a length in characters.
///
/// A span that crosses lines keeps its first line only when rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
    /// Length in characters (at least 1 when rendered).
    pub len: usize,
}

impl Span {
    /// A span at `line:column` covering `len` characters.
    pub fn new(line: usize, column: usize, len: usize) -> Self {
        Span { line, column, len }
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// A parse or planning error: what is wrong, where, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlError {
    /// What is wrong, in one sentence.
    pub message: String,
    /// The text that caused it.
    pub span: Span,
    /// What to do about it, when there is something to say.
    pub hint: Option<String>,
}

impl SqlError {
    /// An error without a hint.
    pub fn new(message: impl Into<String>, span: Span) -> Self {
        SqlError {
            message: message.into(),
            span,
            hint: None,
        }
    }

    /// The same error with a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Renders the error like `rustc` does:
    ///
    /// ```text
    /// error: JOIN is not supported by `switchyard run`, which routes records one at a time
    ///   --> pipeline.sql:12:5
    ///    |
    /// 12 |   FROM a JOIN b ON a.id = b.id
    ///    |          ^^^^
    ///    = hint: run this part on Flink: `switchyard export flink pipeline.sql`
    /// ```
    pub fn render(&self, source: &str, file_name: &str) -> String {
        let line_no = self.span.line.max(1);
        let width = line_no.to_string().len();
        let pad = " ".repeat(width);
        let mut out = format!(
            "error: {}\n{pad}--> {file_name}:{}:{}\n",
            self.message, line_no, self.span.column
        );
        if let Some(line) = source.lines().nth(line_no - 1) {
            let line = line.trim_end_matches('\r');
            let chars = line.chars().count();
            let col = self.span.column.max(1);
            let available = chars.saturating_sub(col - 1).max(1);
            let len = self.span.len.clamp(1, available);
            // Tabs before the caret keep their width so the caret lines up.
            let lead: String = line
                .chars()
                .take(col - 1)
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            out.push_str(&format!(
                "{pad} |\n{line_no} | {line}\n{pad} | {lead}{}\n",
                "^".repeat(len)
            ));
        }
        if let Some(hint) = &self.hint {
            out.push_str(&format!("{pad} = hint: {hint}\n"));
        }
        out
    }
}

impl fmt::Display for SqlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at {})", self.message, self.span)?;
        if let Some(hint) = &self.hint {
            write!(f, "; hint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SqlError {}

/// A per-record evaluation failure (a failing `CAST`, a division by zero, a `NULL` written into a `NOT NULL`
/// column). The message names the function, column or value involved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct EvalError {
    /// What failed, naming the function, column or value.
    pub message: String,
}

impl EvalError {
    /// An evaluation error.
    pub fn new(message: impl Into<String>) -> Self {
        EvalError {
            message: message.into(),
        }
    }
}
