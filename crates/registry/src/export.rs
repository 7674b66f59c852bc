//! A registry as a directory: the one reader and the one writer of the layout that `registry export`
//! writes, `registry import --from DIR` and `decode --schemas DIR` read, and the doctor's incident
//! directories keep under `registry/`.
//!
//! ```text
//! DIR/config.json                          {"compatibilityLevel": "BACKWARD"}    global level (optional)
//! DIR/subjects/<subject>/<version>.json    {"id","version","schemaType","schema","references"}
//! DIR/subjects/<subject>/config.json       {"compatibilityLevel": …}             subject level (read only)
//! DIR/config/<subject>.json                {"compatibilityLevel": …}             subject level
//! ```
//!
//! Subject names become directory names with `%` written `%25` and `/` written `%2F`, so every subject
//! is one directory. Only `<N>.json` files are versions; anything else in a subject directory is skipped
//! (apart from `config.json`), so notes left beside an export do not break it. Errors name the file.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use switchyard_schema::CompatibilityLevel;

use crate::types::{SchemaReference, SchemaType};

/// Why an export directory could not be read or written. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// A file or directory could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A file or directory could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A version file is not `{"id","version","schemaType","schema","references"}`.
    #[error("{} is not an exported schema version: {source}", path.display())]
    Version {
        /// The file.
        path: PathBuf,
        /// What the JSON parser said.
        source: serde_json::Error,
    },
    /// A level file is not `{"compatibilityLevel": …}` with a known level.
    #[error("{} is not {{\"compatibilityLevel\": …}}: {message}", path.display())]
    Level {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// One version file: `subjects/<subject>/<version>.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportedVersion {
    /// The global schema id.
    pub id: u32,
    /// The version under its subject.
    pub version: i32,
    /// `JSON`, `AVRO` or `PROTOBUF`; absent means AVRO, as in Confluent's API.
    #[serde(rename = "schemaType", default)]
    pub schema_type: SchemaType,
    /// The schema text.
    pub schema: String,
    /// References to other subjects' versions.
    #[serde(default)]
    pub references: Vec<SchemaReference>,
}

/// A whole export: every subject's versions and the compatibility levels.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegistryExport {
    /// The global compatibility level, when `config.json` is there.
    pub compatibility: Option<CompatibilityLevel>,
    /// Subject → versions, oldest first.
    pub subjects: BTreeMap<String, Vec<ExportedVersion>>,
    /// Subject-level compatibility levels.
    pub subject_compatibility: BTreeMap<String, CompatibilityLevel>,
}

/// Observes a directory being read or written, one call per version file, for progress bars.
pub trait ExportProgress {
    /// One more version file was read or written.
    fn version(&mut self, subject: &str, version: i32);
}

impl ExportProgress for () {
    fn version(&mut self, _: &str, _: i32) {}
}

impl<F: FnMut(&str, i32)> ExportProgress for F {
    fn version(&mut self, subject: &str, version: i32) {
        self(subject, version)
    }
}

/// Where the export in `dir` starts: `dir` itself when it holds `subjects/`, or `dir/registry` when that
/// does (an incident directory). `None` when neither does.
pub fn locate(dir: &Path) -> Option<PathBuf> {
    [dir.to_path_buf(), dir.join("registry")]
        .into_iter()
        .find(|root| root.join("subjects").is_dir())
}

/// A subject name as a directory name: `%` → `%25`, `/` → `%2F`.
pub fn subject_dir_name(subject: &str) -> String {
    subject.replace('%', "%25").replace('/', "%2F")
}

/// The subject a directory name stands for (the inverse of [`subject_dir_name`]).
pub fn subject_from_dir_name(name: &str) -> String {
    name.replace("%2F", "/").replace("%2f", "/").replace("%25", "%")
}

impl RegistryExport {
    /// Read the export rooted at `root` (see [`locate`]). A missing `config.json`, `subjects/` or
    /// `config/` is empty, not an error.
    pub fn read(root: &Path) -> Result<Self, ExportError> {
        Self::read_with(root, &mut ())
    }

    /// [`RegistryExport::read`], reporting each version file read.
    pub fn read_with(root: &Path, progress: &mut dyn ExportProgress) -> Result<Self, ExportError> {
        let mut out = RegistryExport::default();
        let global = root.join("config.json");
        if global.is_file() {
            out.compatibility = Some(read_level(&global)?);
        }
        let subjects = root.join("subjects");
        if subjects.is_dir() {
            for subject_dir in sorted_entries(&subjects)? {
                if !subject_dir.is_dir() {
                    continue;
                }
                let name = subject_dir
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let subject = subject_from_dir_name(&name);
                let mut versions = Vec::new();
                for file in sorted_entries(&subject_dir)? {
                    if file.extension().and_then(|e| e.to_str()) != Some("json") {
                        continue;
                    }
                    let Some(stem) = file.file_stem().and_then(|s| s.to_str()) else {
                        continue;
                    };
                    if stem == "config" {
                        out.subject_compatibility
                            .insert(subject.clone(), read_level(&file)?);
                        continue;
                    }
                    if stem.parse::<i32>().is_err() {
                        continue;
                    }
                    let text = fs::read_to_string(&file).map_err(|source| ExportError::Read {
                        path: file.clone(),
                        source,
                    })?;
                    let version: ExportedVersion =
                        serde_json::from_str(&text).map_err(|source| ExportError::Version {
                            path: file.clone(),
                            source,
                        })?;
                    progress.version(&subject, version.version);
                    versions.push(version);
                }
                versions.sort_by_key(|v| v.version);
                out.subjects.insert(subject, versions);
            }
        }
        let configs = root.join("config");
        if configs.is_dir() {
            for file in sorted_entries(&configs)? {
                if file.extension().and_then(|e| e.to_str()) != Some("json") {
                    continue;
                }
                let Some(stem) = file.file_stem().and_then(|s| s.to_str()) else {
                    continue;
                };
                out.subject_compatibility
                    .insert(subject_from_dir_name(stem), read_level(&file)?);
            }
        }
        Ok(out)
    }

    /// Write the export under `root`: `subjects/` (always created), `config.json` when the global level is
    /// known, `config/<subject>.json` for subject levels. Returns the number of version files written.
    pub fn write(&self, root: &Path) -> Result<usize, ExportError> {
        self.write_with(root, &mut ())
    }

    /// [`RegistryExport::write`], reporting each version file written.
    pub fn write_with(&self, root: &Path, progress: &mut dyn ExportProgress) -> Result<usize, ExportError> {
        let subjects = root.join("subjects");
        create_dir(&subjects)?;
        if let Some(level) = self.compatibility {
            write_level(&root.join("config.json"), level)?;
        }
        let mut files = 0;
        for (subject, versions) in &self.subjects {
            let dir = subjects.join(subject_dir_name(subject));
            create_dir(&dir)?;
            for v in versions {
                write_json(&dir.join(format!("{}.json", v.version)), v)?;
                progress.version(subject, v.version);
                files += 1;
            }
        }
        if !self.subject_compatibility.is_empty() {
            let dir = root.join("config");
            create_dir(&dir)?;
            for (subject, level) in &self.subject_compatibility {
                write_level(&dir.join(format!("{}.json", subject_dir_name(subject))), *level)?;
            }
        }
        Ok(files)
    }

    /// Every version file's `(subject, version)`, oldest id first: the order an import must register them
    /// in, because a referenced schema has to exist before the schema that references it.
    pub fn in_id_order(&self) -> Vec<(&str, &ExportedVersion)> {
        let mut all: Vec<(&str, &ExportedVersion)> = self
            .subjects
            .iter()
            .flat_map(|(s, vs)| vs.iter().map(move |v| (s.as_str(), v)))
            .collect();
        all.sort_by_key(|(s, v)| (v.id, *s, v.version));
        all
    }

    /// The number of version files.
    pub fn version_count(&self) -> usize {
        self.subjects.values().map(Vec::len).sum()
    }
}

#[derive(Serialize, Deserialize)]
struct LevelFile {
    #[serde(rename = "compatibilityLevel", alias = "compatibility")]
    compatibility_level: String,
}

fn read_level(path: &Path) -> Result<CompatibilityLevel, ExportError> {
    let text = fs::read_to_string(path).map_err(|source| ExportError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let level = |message: String| ExportError::Level {
        path: path.to_path_buf(),
        message,
    };
    let file: LevelFile = serde_json::from_str(&text).map_err(|e| level(e.to_string()))?;
    file.compatibility_level.parse().map_err(level)
}

fn write_level(path: &Path, level: CompatibilityLevel) -> Result<(), ExportError> {
    write_json(
        path,
        &LevelFile {
            compatibility_level: level.to_string(),
        },
    )
}

fn write_json(path: &Path, value: &impl Serialize) -> Result<(), ExportError> {
    let write = |source| ExportError::Write {
        path: path.to_path_buf(),
        source,
    };
    let mut text = serde_json::to_string_pretty(value).map_err(|e| write(std::io::Error::other(e)))?;
    text.push('\n');
    fs::write(path, text).map_err(write)
}

fn create_dir(path: &Path) -> Result<(), ExportError> {
    fs::create_dir_all(path).map_err(|source| ExportError::Write {
        path: path.to_path_buf(),
        source,
    })
}

fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>, ExportError> {
    let read = |source| ExportError::Read {
        path: dir.to_path_buf(),
        source,
    };
    let mut entries = fs::read_dir(dir)
        .map_err(read)?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<Vec<_>>>()
        .map_err(read)?;
    entries.sort();
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(id: u32, version: i32, references: Vec<SchemaReference>) -> ExportedVersion {
        ExportedVersion {
            id,
            version,
            schema_type: SchemaType::Json,
            schema: format!(r#"{{"type":"object","title":"v{version}"}}"#),
            references,
        }
    }

    #[test]
    fn write_then_read_is_the_same_export_and_escapes_subject_names() {
        let dir = tempfile::tempdir().unwrap();
        let mut export = RegistryExport {
            compatibility: Some(CompatibilityLevel::Full),
            ..RegistryExport::default()
        };
        let reference = SchemaReference {
            name: "common.json".into(),
            subject: "a/b%c".into(),
            version: 1,
        };
        export
            .subjects
            .insert("a/b%c".into(), vec![version(1, 1, vec![])]);
        export.subjects.insert(
            "orders-value".into(),
            vec![version(2, 1, vec![reference]), version(3, 2, vec![])],
        );
        export
            .subject_compatibility
            .insert("a/b%c".into(), CompatibilityLevel::None);
        let mut seen = Vec::new();
        let written = export
            .write_with(dir.path(), &mut |s: &str, v: i32| seen.push((s.to_string(), v)))
            .unwrap();
        assert_eq!(written, 3);
        assert_eq!(seen.len(), 3);
        assert!(dir.path().join("subjects/a%2Fb%25c/1.json").is_file());
        assert_eq!(RegistryExport::read(dir.path()).unwrap(), export);
        let order: Vec<u32> = export.in_id_order().iter().map(|(_, v)| v.id).collect();
        assert_eq!(order, [1, 2, 3]);
    }

    #[test]
    fn incident_layout_is_located_and_old_subject_config_files_are_levels() {
        let dir = tempfile::tempdir().unwrap();
        let subject = dir.path().join("registry/subjects/s-value");
        fs::create_dir_all(&subject).unwrap();
        fs::write(subject.join("1.json"), r#"{"id":7,"version":1,"schema":"{}"}"#).unwrap();
        fs::write(subject.join("config.json"), r#"{"compatibilityLevel":"none"}"#).unwrap();
        fs::write(subject.join("notes.json"), "not json").unwrap();
        let root = locate(dir.path()).unwrap();
        assert_eq!(root, dir.path().join("registry"));
        let export = RegistryExport::read(&root).unwrap();
        let v = &export.subjects["s-value"][0];
        assert_eq!((v.id, v.schema_type), (7, SchemaType::Avro));
        assert_eq!(export.subject_compatibility["s-value"], CompatibilityLevel::None);
        assert_eq!(export.compatibility, None);
        assert!(locate(&subject).is_none());
    }

    #[test]
    fn errors_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let subject = dir.path().join("subjects/s");
        fs::create_dir_all(&subject).unwrap();
        fs::write(subject.join("1.json"), r#"{"version":1}"#).unwrap();
        let err = RegistryExport::read(dir.path()).unwrap_err().to_string();
        assert!(
            err.starts_with(&format!(
                "{} is not an exported schema version",
                subject.join("1.json").display()
            )),
            "{err}"
        );
        fs::remove_file(subject.join("1.json")).unwrap();
        fs::write(
            dir.path().join("config.json"),
            r#"{"compatibilityLevel":"SIDEWAYS"}"#,
        )
        .unwrap();
        let err = RegistryExport::read(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("config.json is not") && err.contains("SIDEWAYS"),
            "{err}"
        );
    }
}
