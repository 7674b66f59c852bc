//! Confluent-compatible JSON Schema compatibility: which schema versions a subject may evolve to.
//!
//! Levels decide *which* pairs are diffed and in which direction, exactly as Confluent's
//! `CompatibilityChecker`/`SchemaValidatorBuilder` do: BACKWARD diffs previous (writer) → new
//! (reader), FORWARD new → previous, FULL both (forward's findings first), `*_TRANSITIVE` every
//! earlier version newest first stopping at the first failure, NONE nothing. The diff itself
//! (`diff`) is a port of Confluent's `SchemaDiff`, and the verdict keeps the differences whose
//! type the [`CompatibilityPolicy`] does not allow.

mod diff;
mod difference;

use std::fmt;
use std::str::FromStr;

pub(crate) use diff::model;
pub use difference::{CompatibilityPolicy, DifferenceType};

use crate::JsonSchema;

/// A subject's or the registry's compatibility level, spelled as Confluent spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CompatibilityLevel {
    /// No check.
    None,
    /// The new schema can read data written with the latest one.
    Backward,
    /// The new schema can read data written with every earlier one.
    BackwardTransitive,
    /// Data written with the new schema can be read with the latest one.
    Forward,
    /// Data written with the new schema can be read with every earlier one.
    ForwardTransitive,
    /// Backward and forward against the latest schema.
    Full,
    /// Backward and forward against every earlier schema.
    FullTransitive,
}

impl FromStr for CompatibilityLevel {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.to_ascii_uppercase().as_str() {
            "NONE" => Self::None,
            "BACKWARD" => Self::Backward,
            "BACKWARD_TRANSITIVE" => Self::BackwardTransitive,
            "FORWARD" => Self::Forward,
            "FORWARD_TRANSITIVE" => Self::ForwardTransitive,
            "FULL" => Self::Full,
            "FULL_TRANSITIVE" => Self::FullTransitive,
            other => return Err(format!("unknown compatibility level `{other}`")),
        })
    }
}

impl fmt::Display for CompatibilityLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::None => "NONE",
            Self::Backward => "BACKWARD",
            Self::BackwardTransitive => "BACKWARD_TRANSITIVE",
            Self::Forward => "FORWARD",
            Self::ForwardTransitive => "FORWARD_TRANSITIVE",
            Self::Full => "FULL",
            Self::FullTransitive => "FULL_TRANSITIVE",
        })
    }
}

impl CompatibilityLevel {
    fn transitive(self) -> bool {
        matches!(
            self,
            Self::BackwardTransitive | Self::ForwardTransitive | Self::FullTransitive
        )
    }
    fn backward(self) -> bool {
        matches!(
            self,
            Self::Backward | Self::BackwardTransitive | Self::Full | Self::FullTransitive
        )
    }
    fn forward(self) -> bool {
        matches!(
            self,
            Self::Forward | Self::ForwardTransitive | Self::Full | Self::FullTransitive
        )
    }
}

/// One difference between two schemas, with the JSON path where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// Confluent's difference type.
    pub kind: DifferenceType,
    /// JSON path into the schema, e.g. `#/properties/amount`.
    pub path: String,
    /// A sentence for people: Confluent's description (with "new"/"old" filled in for the
    /// direction the check ran in) where Confluent has one, otherwise our own.
    pub message: String,
}

impl Difference {
    fn new(kind: DifferenceType, path: String, reader: &str, writer: &str) -> Self {
        let message = difference::human_message(kind, &path, reader, writer);
        Self { kind, path, message }
    }

    /// Confluent's `Difference.toString()` as it appears in its error responses and verbose
    /// compatibility results: `{errorType:"TYPE_CHANGED", description:"A type at path '#/' is
    /// different between the new schema and the old schema"}`. The description is empty for
    /// the types Confluent has no sentence for.
    pub fn confluent_message(&self) -> String {
        let description = if difference::confluent_description(self.kind, "", "", "").is_empty() {
            ""
        } else {
            self.message.as_str()
        };
        format!("{{errorType:\"{}\", description:\"{description}\"}}", self.kind)
    }
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at {}: {}", self.kind, self.path, self.message)
    }
}

/// Confluent's `SchemaDiff.compare(original, update)`: every difference (compatible or not)
/// found when `update` reads data written with `original`. Messages call the update "new" and
/// the original "old".
pub fn schema_diff(original: &JsonSchema, update: &JsonSchema) -> Vec<Difference> {
    diff_pair(CompatibilityPolicy::Strict, original, update, "new", "old")
}

/// Whether `reader` can read everything `writer` wrote: the differences the policy does not
/// allow (empty = compatible). `reader_role`/`writer_role` ("new"/"old") word the messages.
fn incompatibilities(
    policy: CompatibilityPolicy,
    writer: &JsonSchema,
    reader: &JsonSchema,
    reader_role: &str,
    writer_role: &str,
) -> Vec<Difference> {
    let mut all = diff_pair(policy, writer, reader, reader_role, writer_role);
    all.retain(|d| !policy.allows(d.kind));
    all
}

fn diff_pair(
    policy: CompatibilityPolicy,
    original: &JsonSchema,
    update: &JsonSchema,
    reader_role: &str,
    writer_role: &str,
) -> Vec<Difference> {
    let original_docs = crate::refs::docs_of(original);
    let update_docs = crate::refs::docs_of(update);
    let o = model::load(&original_docs, 0, original.value());
    let u = model::load(&update_docs, 0, update.value());
    diff::compare_roots(policy, o, u)
        .into_iter()
        .map(|d| Difference::new(d.kind, d.path, reader_role, writer_role))
        .collect()
}

/// Diff two raw schema values that were never parsed (no validation, no references): used by
/// property tests to show that the diff copes with any JSON at all.
#[cfg(test)]
pub(crate) fn diff_values(original: &serde_json::Value, update: &serde_json::Value) -> Vec<Difference> {
    use crate::json_schema::Draft;
    let doc = |value| crate::refs::Docs {
        docs: vec![crate::refs::Doc {
            value,
            draft: Draft::of(value),
            name: None,
        }],
    };
    let (original_docs, update_docs) = (doc(original), doc(update));
    let o = model::load(&original_docs, 0, original);
    let u = model::load(&update_docs, 0, update);
    diff::compare_roots(CompatibilityPolicy::Strict, o, u)
        .into_iter()
        .map(|d| Difference::new(d.kind, d.path, "new", "old"))
        .collect()
}

/// Check `candidate` against `previous` (oldest first) at `level` under the STRICT policy;
/// an empty result means compatible.
pub fn check_compatibility(
    level: CompatibilityLevel,
    candidate: &JsonSchema,
    previous: &[JsonSchema],
) -> Vec<Difference> {
    check_compatibility_with_policy(level, CompatibilityPolicy::Strict, candidate, previous)
}

/// [`check_compatibility`] under an explicit policy (Confluent's `compatibilityPolicy`).
pub fn check_compatibility_with_policy(
    level: CompatibilityLevel,
    policy: CompatibilityPolicy,
    candidate: &JsonSchema,
    previous: &[JsonSchema],
) -> Vec<Difference> {
    let versions: Vec<PreviousSchema<'_>> = previous
        .iter()
        .map(|schema| PreviousSchema {
            schema,
            version: None,
        })
        .collect();
    check_compatibility_report(level, policy, candidate, &versions).differences
}

/// An earlier version of a subject's schema, for [`check_compatibility_report`].
#[derive(Debug, Clone, Copy)]
pub struct PreviousSchema<'a> {
    /// The schema.
    pub schema: &'a JsonSchema,
    /// Its version number in the subject, if known (Confluent prints it in messages).
    pub version: Option<i32>,
}

/// The outcome of a compatibility check with Confluent's wording.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompatibilityReport {
    /// The incompatible differences; empty means compatible.
    pub differences: Vec<Difference>,
    /// The messages Confluent returns for them (409 `message` details and verbose
    /// `messages`): one `{errorType:…, description:…}` per difference, followed by
    /// `{oldSchemaVersion: N}` and `{oldSchema: '…'}` for the version that failed.
    pub messages: Vec<String>,
}

impl CompatibilityReport {
    /// Whether the candidate is compatible.
    pub fn is_compatible(&self) -> bool {
        self.differences.is_empty()
    }
}

/// Check `candidate` against `previous` (oldest first) and word the result as Confluent does.
pub fn check_compatibility_report(
    level: CompatibilityLevel,
    policy: CompatibilityPolicy,
    candidate: &JsonSchema,
    previous: &[PreviousSchema<'_>],
) -> CompatibilityReport {
    if level == CompatibilityLevel::None {
        return CompatibilityReport::default();
    }
    let to_check: Vec<&PreviousSchema<'_>> = if level.transitive() {
        previous.iter().rev().collect()
    } else {
        previous.last().into_iter().collect()
    };
    for prev in to_check {
        let report = check_one(level, policy, candidate, prev);
        if !report.differences.is_empty() {
            return report;
        }
    }
    CompatibilityReport::default()
}

fn check_one(
    level: CompatibilityLevel,
    policy: CompatibilityPolicy,
    candidate: &JsonSchema,
    prev: &PreviousSchema<'_>,
) -> CompatibilityReport {
    let mut report = CompatibilityReport::default();
    // FULL: Confluent lists the forward findings first, then the backward ones.
    if level.forward() {
        let diffs = incompatibilities(policy, candidate, prev.schema, "old", "new");
        let append_schema = !level.backward();
        push_messages(&mut report, diffs, prev, append_schema);
    }
    if level.backward() {
        let diffs = incompatibilities(policy, prev.schema, candidate, "new", "old");
        push_messages(&mut report, diffs, prev, true);
    }
    report
}

fn push_messages(
    report: &mut CompatibilityReport,
    diffs: Vec<Difference>,
    prev: &PreviousSchema<'_>,
    append_schema: bool,
) {
    if diffs.is_empty() {
        return;
    }
    report
        .messages
        .extend(diffs.iter().map(Difference::confluent_message));
    if append_schema {
        if let Some(v) = prev.version {
            report.messages.push(format!("{{oldSchemaVersion: {v}}}"));
        }
        const MAX: usize = 10 * 1024;
        let text = prev.schema.canonical_text();
        if text.len() <= MAX {
            report.messages.push(format!("{{oldSchema: '{text}'}}"));
        } else {
            let mut cut = MAX;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            report
                .messages
                .push(format!("{{oldSchema: <truncated> '{}...'}}", &text[..cut]));
        }
    }
    report.differences.extend(diffs);
}
