//! Resolving schema ids from a directory of registry files, as an exported registry or an incident directory
//! lays them out: `subjects/<subject>/<version>.json`, each `{"id","version","schemaType","schema","references"}`.
//!
//! `decode --schemas DIR` uses it to name the subject and version behind an id and to validate bodies
//! offline; `DIR` may be the export itself or a directory that holds one under `registry/`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Deserialize;
use switchyard_schema::{JsonSchema, ResolvedReference};

/// One registered schema version, as stored in the directory.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SchemaFile {
    /// Global schema id.
    pub id: u32,
    /// Version under its subject.
    pub version: i32,
    /// `JSON`, `AVRO` or `PROTOBUF` (absent means AVRO, as in Confluent's API).
    #[serde(default)]
    pub schema_type: Option<String>,
    /// Schema text.
    pub schema: String,
    /// References to other subjects' schemas.
    #[serde(default)]
    pub references: Vec<Reference>,
    /// The subject (from the directory name).
    #[serde(skip)]
    pub subject: String,
}

/// A schema reference: `name` resolved to `subject`/`version`.
#[derive(Debug, Clone, Deserialize)]
pub struct Reference {
    /// The name the referring schema uses.
    pub name: String,
    /// The subject of the referenced schema.
    pub subject: String,
    /// Its version.
    pub version: i32,
}

impl SchemaFile {
    /// The schema type, Confluent's default (AVRO) when absent.
    pub fn schema_type(&self) -> &str {
        self.schema_type.as_deref().unwrap_or("AVRO")
    }
}

/// Every schema version found in a directory, by id.
#[derive(Debug, Default)]
pub struct SchemaDir {
    by_id: BTreeMap<u32, Vec<SchemaFile>>,
    by_subject: BTreeMap<(String, i32), SchemaFile>,
}

impl SchemaDir {
    /// Load `DIR/subjects/*/*.json` (or `DIR/registry/subjects/…`).
    pub fn load(dir: &Path) -> Result<Self> {
        let subjects = [dir.join("subjects"), dir.join("registry/subjects")]
            .into_iter()
            .find(|p| p.is_dir())
            .with_context(|| {
                format!(
                    "{} has no `subjects/` or `registry/subjects/` directory",
                    dir.display()
                )
            })?;
        let mut out = SchemaDir::default();
        for subject_dir in sorted_entries(&subjects)? {
            let subject = subject_dir
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_string();
            for file in sorted_entries(&subject_dir)? {
                // Versions are `<N>.json`; anything else (a per-subject config.json) is not a schema.
                let is_version = file.extension().is_some_and(|e| e == "json")
                    && file
                        .file_stem()
                        .and_then(|s| s.to_str())
                        .is_some_and(|s| s.parse::<i32>().is_ok());
                if !is_version {
                    continue;
                }
                let text =
                    std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
                let mut schema: SchemaFile = serde_json::from_str(&text)
                    .with_context(|| format!("{} is not a registry schema file", file.display()))?;
                schema.subject = subject.clone();
                out.by_subject
                    .insert((subject.clone(), schema.version), schema.clone());
                out.by_id.entry(schema.id).or_default().push(schema);
            }
        }
        Ok(out)
    }

    /// The version registered under `id`, preferring `preferred_subject` when several subjects share it.
    pub fn get(&self, id: u32, preferred_subject: &str) -> Option<&SchemaFile> {
        let all = self.by_id.get(&id)?;
        all.iter()
            .find(|s| s.subject == preferred_subject)
            .or_else(|| all.first())
    }

    /// Parse a JSON schema with its references resolved from this directory.
    pub fn compile(&self, schema: &SchemaFile) -> Result<JsonSchema> {
        let references = schema
            .references
            .iter()
            .map(|r| {
                let target = self
                    .by_subject
                    .get(&(r.subject.clone(), r.version))
                    .with_context(|| {
                        format!(
                            "reference `{}` points at {} v{}, which is not in the directory",
                            r.name, r.subject, r.version
                        )
                    })?;
                Ok(ResolvedReference {
                    name: r.name.clone(),
                    schema: target.schema.clone(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        JsonSchema::parse(&schema.schema, &references)
            .with_context(|| format!("schema id {} ({} v{})", schema.id, schema.subject, schema.version))
    }

    /// Number of distinct ids.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }
}

fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut entries = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<Vec<_>>>()?;
    entries.sort();
    Ok(entries)
}
