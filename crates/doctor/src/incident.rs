//! The doctor's input: an incident — the SQL, the connector config, the registry's subjects and the sampled
//! records of every topic the source side involves — read from (and written to) an incident directory.
//!
//! Live mode builds the same [`Incident`] from a broker and a registry and can save it, so a diagnosis can
//! be replayed offline with the same findings. Every part is optional: a check that lacks its input says
//! so instead of guessing.
//!
//! ```text
//! <dir>/<job>.sql
//! <dir>/connector.json                          {"name","config":{…}} or a flat map
//! <dir>/registry/config.json                    {"compatibilityLevel": …}
//! <dir>/registry/subjects/<subject>/<v>.json    {"id","version","schemaType","schema","references"}
//!                                               (`registry/` is a registry export: switchyard_registry::export)
//! <dir>/topics/<topic>.jsonl                    capture format
//! <dir>/topics/<topic>.offsets.json             {"partitions":[{partition,low,high}],"groups":{g:{p:offset}}}
//! ```

use std::collections::BTreeMap;
use std::fs;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use switchyard_registry::export::{ExportError, ExportedVersion, RegistryExport};
use switchyard_wire::{CaptureRecord, read_capture, write_capture};

/// Why an incident directory could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum IncidentError {
    /// File system error.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// A file is not what the format says.
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> IncidentError + '_ {
    move |source| IncidentError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn invalid(path: &Path, message: impl std::fmt::Display) -> IncidentError {
    IncidentError::Invalid {
        path: path.to_path_buf(),
        message: message.to_string(),
    }
}

/// The SQL job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlFile {
    /// File name (for `--> file:line:col`).
    pub name: String,
    /// The text.
    pub text: String,
}

/// A Kafka Connect connector's configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnectorConfig {
    /// Its name, when given.
    pub name: Option<String>,
    /// The settings, values as strings.
    pub config: BTreeMap<String, String>,
}

impl ConnectorConfig {
    /// Parses `{"name","config":{…}}` or a flat map.
    pub fn parse(text: &str) -> Result<Self, String> {
        let v: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let obj = v.as_object().ok_or("the connector config is not a JSON object")?;
        let (name, map) = match obj.get("config").and_then(|c| c.as_object()) {
            Some(c) => (obj.get("name").and_then(|n| n.as_str()).map(String::from), c),
            None => (obj.get("name").and_then(|n| n.as_str()).map(String::from), obj),
        };
        let config = map
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), String::from)))
            .collect();
        Ok(ConnectorConfig { name, config })
    }

    /// A setting.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.config.get(key).map(String::as_str)
    }

    /// As JSON in the `{"name","config"}` form.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({"name": self.name, "config": self.config})
    }

    /// As JSON in the `{"name","config"}` form with secret values (passwords, API secrets, JAAS configs,
    /// tokens) replaced by `***`, for incident directories that get attached to tickets.
    pub fn to_redacted_json(&self) -> serde_json::Value {
        let config: BTreeMap<&String, &str> = self
            .config
            .iter()
            .map(|(k, v)| (k, if is_secret_setting(k) { "***" } else { v.as_str() }))
            .collect();
        serde_json::json!({"name": self.name, "config": config})
    }
}

/// Whether a connector setting holds a secret: `database.password`, `kafka.api.secret`,
/// `sasl.jaas.config`, `…basic.auth.user.info`, `…token`, ….
fn is_secret_setting(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    [
        "password",
        "secret",
        "jaas.config",
        "user.info",
        "token",
        "credentials",
    ]
    .iter()
    .any(|s| key.ends_with(s))
}

/// One registered schema version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemaVersion {
    /// Global id.
    pub id: u32,
    /// Version in the subject.
    pub version: i32,
    /// `JSON`, `AVRO`, `PROTOBUF` (absent = AVRO, as the registry says).
    #[serde(rename = "schemaType", default)]
    pub schema_type: Option<String>,
    /// The schema text.
    pub schema: String,
    /// References (kept as written).
    #[serde(default)]
    pub references: Vec<serde_json::Value>,
}

impl SchemaVersion {
    /// `JSON`, `AVRO` or `PROTOBUF`.
    pub fn schema_type(&self) -> &str {
        self.schema_type.as_deref().unwrap_or("AVRO")
    }

    /// The schema as JSON, for JSON schemas.
    pub fn json(&self) -> Option<serde_json::Value> {
        (self.schema_type() == "JSON")
            .then(|| serde_json::from_str(&self.schema).ok())
            .flatten()
    }
}

/// The registry's content.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Registry {
    /// Global compatibility level.
    pub compatibility: Option<String>,
    /// Subjects → versions (ascending).
    pub subjects: BTreeMap<String, Vec<SchemaVersion>>,
}

impl Registry {
    /// The schema with `id`, and every subject/version it is registered under.
    pub fn by_id(&self, id: u32) -> Vec<(&str, &SchemaVersion)> {
        self.subjects
            .iter()
            .flat_map(|(s, vs)| {
                vs.iter()
                    .filter(move |v| v.id == id)
                    .map(move |v| (s.as_str(), v))
            })
            .collect()
    }

    /// The registry as read from an export directory (`registry/` in an incident directory).
    pub fn from_export(export: RegistryExport) -> Self {
        let subjects = export
            .subjects
            .into_iter()
            .map(|(subject, versions)| {
                let versions = versions
                    .into_iter()
                    .map(|v| SchemaVersion {
                        id: v.id,
                        version: v.version,
                        schema_type: Some(v.schema_type.as_str().to_string()),
                        schema: v.schema,
                        references: v
                            .references
                            .iter()
                            .filter_map(|r| serde_json::to_value(r).ok())
                            .collect(),
                    })
                    .collect();
                (subject, versions)
            })
            .collect();
        Registry {
            compatibility: export.compatibility.map(|l| l.to_string()),
            subjects,
        }
    }

    /// The registry as an export directory holds it. Fails on a schema type, compatibility level or
    /// reference the registry would not accept.
    pub fn to_export(&self) -> Result<RegistryExport, String> {
        let mut export = RegistryExport {
            compatibility: self.compatibility.as_deref().map(str::parse).transpose()?,
            ..RegistryExport::default()
        };
        for (subject, versions) in &self.subjects {
            let mut out = Vec::with_capacity(versions.len());
            for v in versions {
                out.push(ExportedVersion {
                    id: v.id,
                    version: v.version,
                    schema_type: v.schema_type().parse()?,
                    schema: v.schema.clone(),
                    references: v
                        .references
                        .iter()
                        .map(|r| serde_json::from_value(r.clone()))
                        .collect::<Result<_, _>>()
                        .map_err(|e| format!("a reference of {subject} v{}: {e}", v.version))?,
                });
            }
            export.subjects.insert(subject.clone(), out);
        }
        Ok(export)
    }

    /// The latest version of a subject.
    pub fn latest(&self, subject: &str) -> Option<&SchemaVersion> {
        self.subjects
            .get(subject)
            .and_then(|v| v.iter().max_by_key(|s| s.version))
    }
}

/// One partition's offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionOffsets {
    /// Partition.
    pub partition: i32,
    /// Log start offset.
    pub low: i64,
    /// End offset (next offset to be written).
    pub high: i64,
}

/// A topic's offsets and the consumer groups' committed offsets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offsets {
    /// Partitions; empty when the topic does not exist.
    pub partitions: Vec<PartitionOffsets>,
    /// Group → partition (as text) → committed offset.
    #[serde(default)]
    pub groups: BTreeMap<String, BTreeMap<String, i64>>,
}

impl Offsets {
    /// Records between low and high over all partitions.
    pub fn available(&self) -> i64 {
        self.partitions.iter().map(|p| (p.high - p.low).max(0)).sum()
    }
}

/// What is known about one topic.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TopicData {
    /// Sampled records (`None` when nothing was captured).
    pub records: Option<Vec<CaptureRecord>>,
    /// Offsets (`None` when not captured).
    pub offsets: Option<Offsets>,
}

impl TopicData {
    /// Whether the topic exists, when known.
    pub fn exists(&self) -> Option<bool> {
        match (&self.offsets, &self.records) {
            (Some(o), _) => Some(!o.partitions.is_empty()),
            (None, Some(_)) => Some(true),
            (None, None) => None,
        }
    }
}

/// Everything the doctor looks at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Incident {
    /// The SQL job.
    pub sql: Option<SqlFile>,
    /// The connector config.
    pub connector: Option<ConnectorConfig>,
    /// The registry (`None` when not captured).
    pub registry: Option<Registry>,
    /// Topics by name.
    pub topics: BTreeMap<String, TopicData>,
}

impl Incident {
    /// Reads an incident directory. Missing parts stay `None`; malformed ones are errors.
    pub fn load(dir: &Path) -> Result<Self, IncidentError> {
        let mut incident = Incident::default();
        let entries = fs::read_dir(dir).map_err(io(dir))?;
        let mut sql_files: Vec<PathBuf> = Vec::new();
        for e in entries {
            let path = e.map_err(io(dir))?.path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.ends_with(".sql") && !name.ends_with(".fixed.sql") {
                sql_files.push(path);
            }
        }
        sql_files.sort();
        if let Some(path) = sql_files.first() {
            incident.sql = Some(read_sql(path)?);
        }
        let connector = dir.join("connector.json");
        if connector.exists() {
            let text = fs::read_to_string(&connector).map_err(io(&connector))?;
            incident.connector = Some(ConnectorConfig::parse(&text).map_err(|e| invalid(&connector, e))?);
        }
        let registry = dir.join("registry");
        if registry.is_dir() {
            incident.registry = Some(load_registry(&registry)?);
        }
        let topics = dir.join("topics");
        if topics.is_dir() {
            incident.topics = load_topics(&topics)?;
        }
        Ok(incident)
    }

    /// Writes an incident directory that [`Incident::load`] reads back to the same incident.
    pub fn save(&self, dir: &Path) -> Result<(), IncidentError> {
        fs::create_dir_all(dir).map_err(io(dir))?;
        if let Some(sql) = &self.sql {
            let path = dir.join(&sql.name);
            fs::write(&path, &sql.text).map_err(io(&path))?;
        }
        if let Some(c) = &self.connector {
            write_json(&dir.join("connector.json"), &c.to_redacted_json())?;
        }
        if let Some(r) = &self.registry {
            let base = dir.join("registry");
            r.to_export()
                .map_err(|e| invalid(&base, e))?
                .write(&base)
                .map_err(export_error)?;
        }
        let topics = dir.join("topics");
        for (name, t) in &self.topics {
            fs::create_dir_all(&topics).map_err(io(&topics))?;
            if let Some(records) = &t.records {
                let path = topics.join(format!("{name}.jsonl"));
                let mut out = Vec::new();
                for r in records {
                    write_capture(&mut out, r).map_err(io(&path))?;
                }
                fs::write(&path, out).map_err(io(&path))?;
            }
            if let Some(o) = &t.offsets {
                let path = topics.join(format!("{name}.offsets.json"));
                let value = serde_json::to_value(o).map_err(|e| invalid(&path, e))?;
                write_json(&path, &value)?;
            }
        }
        Ok(())
    }
}

/// Reads a SQL file.
pub fn read_sql(path: &Path) -> Result<SqlFile, IncidentError> {
    let text = fs::read_to_string(path).map_err(io(path))?;
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("pipeline.sql")
        .to_string();
    Ok(SqlFile { name, text })
}

fn write_json(path: &Path, value: &serde_json::Value) -> Result<(), IncidentError> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(io(parent))?;
    }
    let mut text = serde_json::to_string_pretty(value).map_err(|e| invalid(path, e))?;
    text.push('\n');
    fs::write(path, text).map_err(io(path))
}

fn load_registry(dir: &Path) -> Result<Registry, IncidentError> {
    let export = RegistryExport::read(dir).map_err(export_error)?;
    Ok(Registry::from_export(export))
}

fn export_error(e: ExportError) -> IncidentError {
    match e {
        ExportError::Read { path, source } | ExportError::Write { path, source } => {
            IncidentError::Io { path, source }
        }
        ExportError::Version { path, source } => invalid(&path, source),
        ExportError::Level { path, message } => invalid(&path, message),
    }
}

fn load_topics(dir: &Path) -> Result<BTreeMap<String, TopicData>, IncidentError> {
    let mut topics: BTreeMap<String, TopicData> = BTreeMap::new();
    for e in fs::read_dir(dir).map_err(io(dir))? {
        let path = e.map_err(io(dir))?.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_string();
        if let Some(topic) = name.strip_suffix(".offsets.json") {
            let text = fs::read_to_string(&path).map_err(io(&path))?;
            let offsets: Offsets = serde_json::from_str(&text).map_err(|e| invalid(&path, e))?;
            topics.entry(topic.to_string()).or_default().offsets = Some(offsets);
        } else if let Some(topic) = name.strip_suffix(".jsonl") {
            let file = fs::File::open(&path).map_err(io(&path))?;
            let mut records = Vec::new();
            for r in read_capture(BufReader::new(file)) {
                let (_, rec) = r.map_err(|e| invalid(&path, e))?;
                records.push(rec);
            }
            topics.entry(topic.to_string()).or_default().records = Some(records);
        }
    }
    Ok(topics)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_connector_configs_hide_secrets() {
        let c = ConnectorConfig {
            name: Some("pg".into()),
            config: [
                ("database.password", "hunter2"),
                ("kafka.api.secret", "s3cr3t"),
                ("value.converter.basic.auth.user.info", "key:secret"),
                ("database.user", "debezium"),
                ("topic.prefix", "app"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        };
        let saved = c.to_redacted_json().to_string();
        for secret in ["hunter2", "s3cr3t", "key:secret"] {
            assert!(!saved.contains(secret), "{secret} leaked: {saved}");
        }
        assert!(saved.contains("\"database.user\":\"debezium\""), "{saved}");
        assert!(saved.contains("\"topic.prefix\":\"app\""), "{saved}");
    }
}
