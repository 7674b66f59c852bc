//! Resolving schema ids from a directory of registry files, as an exported registry or an incident directory
//! lays them out: `subjects/<subject>/<version>.json`, each `{"id","version","schemaType","schema","references"}`,
//! read by `switchyard_registry::export`.
//!
//! `decode --schemas DIR` uses it to name the subject and version behind an id and to validate bodies
//! offline; `DIR` may be the export itself or a directory that holds one under `registry/`.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};
use switchyard_registry::export::{self, ExportedVersion, RegistryExport};
use switchyard_schema::{JsonSchema, ResolvedReference};

/// One registered schema version and the subject it is registered under.
#[derive(Debug, Clone)]
pub struct SchemaFile {
    /// The subject (from the directory name).
    pub subject: String,
    /// Version under its subject.
    pub version: i32,
    /// The version file.
    pub file: ExportedVersion,
}

impl SchemaFile {
    /// The schema type, Confluent's default (AVRO) when the file leaves it out.
    pub fn schema_type(&self) -> &'static str {
        self.file.schema_type.as_str()
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
        let root = export::locate(dir).with_context(|| {
            format!(
                "{} has no `subjects/` or `registry/subjects/` directory",
                dir.display()
            )
        })?;
        let mut out = SchemaDir::default();
        for (subject, versions) in RegistryExport::read(&root)?.subjects {
            for file in versions {
                let schema = SchemaFile {
                    subject: subject.clone(),
                    version: file.version,
                    file,
                };
                out.by_subject
                    .insert((subject.clone(), schema.version), schema.clone());
                out.by_id.entry(schema.file.id).or_default().push(schema);
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
            .file
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
                    schema: target.file.schema.clone(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        JsonSchema::parse(&schema.file.schema, &references).with_context(|| {
            format!(
                "schema id {} ({} v{})",
                schema.file.id, schema.subject, schema.version
            )
        })
    }

    /// Number of distinct ids.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }
}
