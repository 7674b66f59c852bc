//! The registry's in-memory state, rebuilt by applying log records in order.
//!
//! `apply` is the only way the state changes, both on replay and on a live write, so the state after a
//! restart is by construction the state before it. Decisions (which id, which version, is it allowed)
//! are made in [`super::store`] before a record is written; `apply` never fails.

use std::collections::{BTreeMap, HashMap};

use switchyard_schema::CompatibilityLevel;

use super::log::Record;
use crate::types::{Mode, SchemaReference, SchemaType};

/// A schema known under an id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SchemaDef {
    pub schema_type: SchemaType,
    /// The text as first registered.
    pub schema: String,
    pub references: Vec<SchemaReference>,
    /// Type, canonical text and references: equal fingerprints mean "the same schema".
    pub fingerprint: String,
}

/// One version of a subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct VersionEntry {
    pub id: i32,
    pub deleted: bool,
}

/// A subject: its versions and subject-level settings.
#[derive(Debug, Clone, Default)]
pub(crate) struct SubjectState {
    pub versions: BTreeMap<i32, VersionEntry>,
    pub compat: Option<CompatibilityLevel>,
    pub mode: Option<Mode>,
}

impl SubjectState {
    /// Versions not soft-deleted, oldest first.
    pub fn live(&self) -> impl Iterator<Item = (i32, VersionEntry)> + '_ {
        self.versions
            .iter()
            .filter(|(_, e)| !e.deleted)
            .map(|(v, e)| (*v, *e))
    }

    pub fn has_live(&self) -> bool {
        self.live().next().is_some()
    }

    pub fn latest_live(&self) -> Option<(i32, VersionEntry)> {
        self.live().last()
    }
}

/// Everything the registry knows.
#[derive(Debug, Clone)]
pub(crate) struct State {
    pub schemas: BTreeMap<i32, SchemaDef>,
    pub fingerprints: HashMap<String, i32>,
    pub subjects: BTreeMap<String, SubjectState>,
    pub global_compat: CompatibilityLevel,
    pub global_mode: Mode,
    pub max_id: i32,
}

impl Default for State {
    fn default() -> Self {
        Self {
            schemas: BTreeMap::new(),
            fingerprints: HashMap::new(),
            subjects: BTreeMap::new(),
            global_compat: CompatibilityLevel::Backward,
            global_mode: Mode::Readwrite,
            max_id: 0,
        }
    }
}

/// The canonical form used for "same schema": compact JSON for JSON and AVRO, trimmed text otherwise.
pub(crate) fn canonical_text(schema_type: SchemaType, schema: &str) -> Result<String, String> {
    match schema_type {
        SchemaType::Json | SchemaType::Avro => serde_json::from_str::<serde_json::Value>(schema)
            .map(|v| v.to_string())
            .map_err(|e| format!("schema is not valid JSON: {e}")),
        SchemaType::Protobuf => Ok(schema.trim().to_string()),
    }
}

/// The identity of a schema: type, canonical text and references.
pub(crate) fn fingerprint(
    schema_type: SchemaType,
    canonical: &str,
    references: &[SchemaReference],
) -> String {
    let refs = references
        .iter()
        .map(|r| format!("{}\u{1}{}\u{1}{}", r.name, r.subject, r.version))
        .collect::<Vec<_>>()
        .join("\u{2}");
    format!("{schema_type}\u{0}{canonical}\u{0}{refs}")
}

impl State {
    /// Apply one committed record.
    pub fn apply(&mut self, record: &Record) {
        match record {
            Record::Register {
                subject,
                version,
                id,
                schema_type,
                schema,
                references,
            } => {
                if !self.schemas.contains_key(id) {
                    let canonical = canonical_text(*schema_type, schema).unwrap_or_else(|_| schema.clone());
                    let fp = fingerprint(*schema_type, &canonical, references);
                    self.fingerprints.entry(fp.clone()).or_insert(*id);
                    self.schemas.insert(
                        *id,
                        SchemaDef {
                            schema_type: *schema_type,
                            schema: schema.clone(),
                            references: references.clone(),
                            fingerprint: fp,
                        },
                    );
                }
                self.max_id = self.max_id.max(*id);
                self.subjects.entry(subject.clone()).or_default().versions.insert(
                    *version,
                    VersionEntry {
                        id: *id,
                        deleted: false,
                    },
                );
            }
            Record::DeleteVersion {
                subject,
                version,
                permanent,
            } => {
                if let Some(s) = self.subjects.get_mut(subject) {
                    if *permanent {
                        s.versions.remove(version);
                    } else if let Some(e) = s.versions.get_mut(version) {
                        e.deleted = true;
                    }
                    if s.versions.is_empty() && s.compat.is_none() && s.mode.is_none() {
                        self.subjects.remove(subject);
                    }
                }
            }
            Record::DeleteSubject { subject, permanent } => {
                if *permanent {
                    self.subjects.remove(subject);
                } else if let Some(s) = self.subjects.get_mut(subject) {
                    s.versions.values_mut().for_each(|e| e.deleted = true);
                }
            }
            Record::Config { subject: None, level } => {
                self.global_compat = level.unwrap_or(CompatibilityLevel::Backward);
            }
            Record::Config {
                subject: Some(subject),
                level,
            } => {
                self.subjects.entry(subject.clone()).or_default().compat = *level;
                self.prune(subject);
            }
            Record::Mode { subject: None, mode } => {
                self.global_mode = mode.unwrap_or(Mode::Readwrite);
            }
            Record::Mode {
                subject: Some(subject),
                mode,
            } => {
                self.subjects.entry(subject.clone()).or_default().mode = *mode;
                self.prune(subject);
            }
        }
    }

    fn prune(&mut self, subject: &str) {
        if let Some(s) = self.subjects.get(subject)
            && s.versions.is_empty()
            && s.compat.is_none()
            && s.mode.is_none()
        {
            self.subjects.remove(subject);
        }
    }

    /// The compatibility level in force for `subject`.
    pub fn effective_compat(&self, subject: &str) -> CompatibilityLevel {
        self.subjects
            .get(subject)
            .and_then(|s| s.compat)
            .unwrap_or(self.global_compat)
    }

    /// The mode in force for `subject`.
    pub fn effective_mode(&self, subject: &str) -> Mode {
        self.subjects
            .get(subject)
            .and_then(|s| s.mode)
            .unwrap_or(self.global_mode)
    }

    /// Every (subject, version, deleted) using `id`.
    pub fn usages(&self, id: i32) -> Vec<(&str, i32, bool)> {
        let mut out = Vec::new();
        for (name, s) in &self.subjects {
            for (v, e) in &s.versions {
                if e.id == id {
                    out.push((name.as_str(), *v, e.deleted));
                }
            }
        }
        out
    }

    /// Ids of live schemas whose references point at `subject`/`version`.
    pub fn referenced_by(&self, subject: &str, version: i32) -> Vec<i32> {
        let mut ids: Vec<i32> = self
            .schemas
            .iter()
            .filter(|(_, d)| {
                d.references
                    .iter()
                    .any(|r| r.subject == subject && r.version == version)
            })
            .map(|(id, _)| *id)
            .filter(|id| self.usages(*id).iter().any(|(_, _, deleted)| !deleted))
            .collect();
        ids.sort_unstable();
        ids
    }

    /// True when some subject has a version (deleted or not).
    pub fn has_any_versions(&self) -> bool {
        self.subjects.values().any(|s| !s.versions.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reg(subject: &str, version: i32, id: i32, schema: &str) -> Record {
        Record::Register {
            subject: subject.into(),
            version,
            id,
            schema_type: SchemaType::Json,
            schema: schema.into(),
            references: vec![],
        }
    }

    #[test]
    fn replay_builds_subjects_ids_and_deletes() {
        let mut s = State::default();
        s.apply(&reg("a", 1, 1, r#"{"type":"string"}"#));
        s.apply(&reg("b", 1, 1, r#"{ "type": "string" }"#));
        s.apply(&reg("a", 2, 2, r#"{"type":"integer"}"#));
        s.apply(&Record::DeleteVersion {
            subject: "a".into(),
            version: 1,
            permanent: false,
        });
        assert_eq!(s.max_id, 2);
        assert_eq!(s.schemas.len(), 2);
        assert_eq!(s.usages(1), vec![("a", 1, true), ("b", 1, false)]);
        assert_eq!(s.subjects["a"].latest_live().map(|(v, _)| v), Some(2));
        s.apply(&Record::DeleteSubject {
            subject: "a".into(),
            permanent: true,
        });
        assert!(!s.subjects.contains_key("a"));
        assert_eq!(s.max_id, 2, "ids are never reused");
    }

    #[test]
    fn canonical_text_ignores_whitespace_but_not_types() {
        let a = canonical_text(SchemaType::Json, "{ \"type\" : \"string\" }").unwrap();
        let b = canonical_text(SchemaType::Json, "{\"type\":\"string\"}").unwrap();
        assert_eq!(a, b);
        assert_ne!(
            fingerprint(SchemaType::Json, &a, &[]),
            fingerprint(SchemaType::Avro, &a, &[])
        );
        assert!(canonical_text(SchemaType::Json, "{").is_err());
    }

    #[test]
    fn config_and_mode_records() {
        let mut s = State::default();
        s.apply(&Record::Config {
            subject: None,
            level: Some(CompatibilityLevel::Full),
        });
        s.apply(&Record::Config {
            subject: Some("x".into()),
            level: Some(CompatibilityLevel::None),
        });
        s.apply(&Record::Mode {
            subject: None,
            mode: Some(Mode::Import),
        });
        assert_eq!(s.effective_compat("x"), CompatibilityLevel::None);
        assert_eq!(s.effective_compat("y"), CompatibilityLevel::Full);
        assert_eq!(s.effective_mode("y"), Mode::Import);
        s.apply(&Record::Config {
            subject: Some("x".into()),
            level: None,
        });
        assert!(!s.subjects.contains_key("x"));
    }
}
