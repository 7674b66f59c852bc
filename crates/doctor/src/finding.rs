//! Findings: what a check concluded, with the evidence for it and the fix.
//!
//! Every finding carries a stable [`Code`] (scripts and tests match on it), a [`Severity`], and evidence a
//! reader can verify without trusting the doctor: the first bytes of a record in hex, a schema excerpt, the
//! SQL with a caret under the offending text, the connector setting, counts. Codes are ranked by how
//! fundamental the problem is — a table that reads the wrong topic makes every later check moot — so the
//! first error after sorting is the root cause.

use serde::Serialize;

/// The stable identifier of a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Code {
    /// The SQL does not parse or plan (other than a metadata key).
    SqlInvalid,
    /// A `METADATA FROM 'key'` the connector/format does not define.
    MetadataKeyInvalid,
    /// The table reads a topic the data is not in.
    TopicMismatch,
    /// The table's topic holds no records.
    TopicEmpty,
    /// Startup mode or committed offsets leave nothing to read.
    OffsetsAtEnd,
    /// The bytes' frame (0x00 + schema id or not) is not what the format reads.
    FramingMismatch,
    /// The frame fits but the payload encoding (or the converter) does not.
    ConverterMismatch,
    /// A record's schema id is not in the registry.
    SchemaNotFound,
    /// The schema is registered, but not under the subject the reader looks at.
    SubjectMismatch,
    /// Debezium envelope read as a flat row, or the other way round.
    EnvelopeMismatch,
    /// The engine has no such connector or format (ranked after what the bytes show: the bytes decide).
    FormatUnsupported,
    /// A declared column is not in the records.
    ColumnMissing,
    /// A declared column's type cannot hold the writer's values.
    TypeMismatch,
    /// A NOT NULL column receives nulls.
    Nullability,
    /// Debezium updates without before-images under a format that needs them.
    ReplicaIdentity,
    /// Deletes cannot reach the SQL the way it expects them.
    DeleteHandling,
    /// The registered schema is not the one the connector config would register: the records were
    /// written under another config.
    SchemaDrift,
    /// A WHERE matches none of the sampled records.
    PredicateNeverMatches,
    /// Kafka tombstones (null values) in the topic.
    Tombstones,
    /// An option that hides every failure.
    SilentSkip,
    /// Nothing wrong found.
    Healthy,
}

impl Code {
    /// The code as written in reports (`FRAMING_MISMATCH`).
    pub fn as_str(&self) -> &'static str {
        match self {
            Code::SqlInvalid => "SQL_INVALID",
            Code::MetadataKeyInvalid => "METADATA_KEY_INVALID",
            Code::FormatUnsupported => "FORMAT_UNSUPPORTED",
            Code::TopicMismatch => "TOPIC_MISMATCH",
            Code::TopicEmpty => "TOPIC_EMPTY",
            Code::OffsetsAtEnd => "OFFSETS_AT_END",
            Code::FramingMismatch => "FRAMING_MISMATCH",
            Code::ConverterMismatch => "CONVERTER_MISMATCH",
            Code::SchemaNotFound => "SCHEMA_NOT_FOUND",
            Code::SubjectMismatch => "SUBJECT_MISMATCH",
            Code::EnvelopeMismatch => "ENVELOPE_MISMATCH",
            Code::ColumnMissing => "COLUMN_MISSING",
            Code::TypeMismatch => "TYPE_MISMATCH",
            Code::Nullability => "NULLABILITY",
            Code::ReplicaIdentity => "REPLICA_IDENTITY",
            Code::DeleteHandling => "DELETE_HANDLING",
            Code::SchemaDrift => "SCHEMA_DRIFT",
            Code::PredicateNeverMatches => "PREDICATE_NEVER_MATCHES",
            Code::Tombstones => "TOMBSTONES",
            Code::SilentSkip => "SILENT_SKIP",
            Code::Healthy => "HEALTHY",
        }
    }

    /// Whether this code may be named the root cause (`SILENT_SKIP` only ever hides another failure).
    pub fn can_be_root(&self) -> bool {
        !matches!(self, Code::SilentSkip)
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The pipeline cannot deliver (some of) its rows.
    Error,
    /// Something that loses or hides data, or will bite later.
    Warning,
    /// Worth knowing; nothing to fix.
    Info,
}

impl Severity {
    /// `error`, `warning`, `info`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// One piece of evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// `bytes`, `schema`, `sql`, `connector`, `counts`, `offsets`, `records`, `note`.
    pub kind: &'static str,
    /// The evidence as text (SQL excerpts are multi-line, with a caret line).
    pub text: String,
}

impl Evidence {
    /// Evidence of `kind`.
    pub fn new(kind: &'static str, text: impl Into<String>) -> Self {
        Evidence {
            kind,
            text: text.into(),
        }
    }
}

/// What to change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Fix {
    /// The change in one or two sentences.
    pub summary: String,
    /// The SQL to write instead (a fragment), when the fix is in the SQL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sql: Option<String>,
    /// Connector settings to set (`key`, `value`); an empty value means "remove".
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub connector: Vec<(String, String)>,
    /// Text edits to the SQL file that apply this fix (what `--fix` writes).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub edits: Vec<Edit>,
}

/// One edit of the SQL text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Edit {
    /// 1-based line where `from` is (the first match on that line is replaced, case-insensitively).
    pub line: usize,
    /// With `end_line`: the lines `line..=end_line` are replaced by `to` as a whole.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_line: Option<usize>,
    /// The text to replace; empty inserts `to` as a new line before `line`.
    pub from: String,
    /// The replacement.
    pub to: String,
}

impl Fix {
    /// A fix described in words only.
    pub fn text(summary: impl Into<String>) -> Self {
        Fix {
            summary: summary.into(),
            ..Fix::default()
        }
    }

    /// The same fix with a SQL fragment.
    pub fn with_sql(mut self, sql: impl Into<String>) -> Self {
        self.sql = Some(sql.into());
        self
    }

    /// The same fix with an edit replacing `from` on `line` by `to`.
    pub fn with_edit(mut self, line: usize, from: impl Into<String>, to: impl Into<String>) -> Self {
        self.edits.push(Edit {
            line,
            end_line: None,
            from: from.into(),
            to: to.into(),
        });
        self
    }

    /// The same fix with an edit.
    pub fn with(mut self, edit: Edit) -> Self {
        self.edits.push(edit);
        self
    }

    /// The same fix with a connector setting.
    pub fn with_connector(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.connector.push((key.into(), value.into()));
        self
    }
}

/// What a check concluded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable code.
    pub code: Code,
    /// How bad.
    pub severity: Severity,
    /// One line.
    pub title: String,
    /// The explanation: what happens, in which engine, and why.
    pub detail: String,
    /// What shows it.
    pub evidence: Vec<Evidence>,
    /// What to change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
    /// The source table it is about, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
}

impl Finding {
    /// A finding without evidence or fix yet.
    pub fn new(code: Code, severity: Severity, title: impl Into<String>, detail: impl Into<String>) -> Self {
        Finding {
            code,
            severity,
            title: title.into(),
            detail: detail.into(),
            evidence: Vec::new(),
            fix: None,
            table: None,
        }
    }

    /// Adds evidence.
    pub fn evidence(mut self, kind: &'static str, text: impl Into<String>) -> Self {
        self.evidence.push(Evidence::new(kind, text));
        self
    }

    /// Sets the fix.
    pub fn fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }

    /// Sets the table.
    pub fn table(mut self, table: &str) -> Self {
        self.table = Some(table.to_string());
        self
    }
}

/// Sorts findings: errors first, then by how fundamental the code is; merges findings with the same code,
/// table and title (their evidence is concatenated).
pub fn rank(findings: Vec<Finding>) -> Vec<Finding> {
    let mut merged: Vec<Finding> = Vec::new();
    for f in findings {
        match merged
            .iter_mut()
            .find(|m| m.code == f.code && m.table == f.table && m.title == f.title)
        {
            Some(m) => {
                if f.severity < m.severity {
                    m.severity = f.severity;
                    m.title = f.title;
                    m.detail = f.detail;
                    if f.fix.is_some() {
                        m.fix = f.fix;
                    }
                } else {
                    match (&mut m.fix, f.fix) {
                        (Some(mine), Some(theirs)) => {
                            for e in theirs.edits {
                                if !mine.edits.contains(&e) {
                                    mine.edits.push(e);
                                }
                            }
                        }
                        (mine @ None, theirs) => *mine = theirs,
                        _ => {}
                    }
                }
                for e in f.evidence {
                    if !m.evidence.contains(&e) {
                        m.evidence.push(e);
                    }
                }
            }
            None => merged.push(f),
        }
    }
    merged.sort_by_key(|f| (f.severity, f.code));
    merged
}

/// The root cause: the first error (or, without errors, the first warning) that can be one.
pub fn root_cause(ranked: &[Finding]) -> Code {
    ranked
        .iter()
        .filter(|f| f.severity != Severity::Info && f.code.can_be_root())
        .map(|f| f.code)
        .next()
        .unwrap_or(Code::Healthy)
}
