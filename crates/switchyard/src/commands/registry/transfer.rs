//! `export` and `import`: a registry as a directory, and back, keeping ids and versions.
//!
//! The directory layout is the one the doctor's incident directories use under `registry/`, so an
//! incident can be replayed into a local registry with `import --from DIR`:
//! `DIR/config.json` `{"compatibilityLevel":…}`, `DIR/subjects/<subject>/<version>.json`
//! `{"id","version","schemaType","schema","references"}` and `DIR/config/<subject>.json` for subject-level
//! compatibility (outside `subjects/`, whose subject directories hold version files only). A directory
//! whose export sits under `registry/` (an incident directory) is read too.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use serde_json::json;
use switchyard_registry::{
    Mode, RegisterRequest, RegistryClient, SchemaReference, SchemaType, VersionSpec, error_codes,
};
use switchyard_schema::CompatibilityLevel;

use super::{Conn, Format, client_for, explain, explain_for};
use crate::output::with_hint;

/// One exported version file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ExportedVersion {
    pub id: i32,
    pub version: i32,
    #[serde(rename = "schemaType", default)]
    pub schema_type: SchemaType,
    pub schema: String,
    #[serde(default)]
    pub references: Vec<SchemaReference>,
}

/// A whole export: subjects → versions (oldest first), plus levels.
#[derive(Debug, Default)]
pub(crate) struct Export {
    pub global: Option<CompatibilityLevel>,
    pub subjects: BTreeMap<String, Vec<ExportedVersion>>,
    pub subject_levels: BTreeMap<String, CompatibilityLevel>,
}

#[derive(Debug, Serialize, Deserialize)]
struct ConfigFile {
    #[serde(rename = "compatibilityLevel")]
    compatibility_level: String,
}

/// Subject names as directory names: `%` → `%25`, `/` → `%2F`.
pub(crate) fn subject_dir_name(subject: &str) -> String {
    subject.replace('%', "%25").replace('/', "%2F")
}

fn subject_from_dir_name(name: &str) -> String {
    name.replace("%2F", "/").replace("%2f", "/").replace("%25", "%")
}

/// Read everything a live registry holds (live versions only).
pub(crate) async fn read_registry(c: &RegistryClient, label: &str) -> Result<Export> {
    let mut out = Export {
        global: Some(
            c.get_config(None, false)
                .await
                .map_err(|e| explain_for(e, label))?,
        ),
        ..Export::default()
    };
    for subject in c.subjects(false).await.map_err(|e| explain_for(e, label))? {
        let mut versions = Vec::new();
        for v in c
            .versions(&subject, false)
            .await
            .map_err(|e| explain_for(e, label))?
        {
            let r = c
                .get_version(&subject, VersionSpec::Number(v), false)
                .await
                .map_err(|e| explain_for(e, label))?;
            versions.push(ExportedVersion {
                id: r.id,
                version: r.version,
                schema_type: r.schema_type,
                schema: r.schema,
                references: r.references,
            });
        }
        match c.get_config(Some(&subject), false).await {
            Ok(level) => {
                out.subject_levels.insert(subject.clone(), level);
            }
            Err(e) if e.error_code() == Some(error_codes::SUBJECT_COMPATIBILITY_NOT_CONFIGURED) => {}
            Err(e) if e.status() == Some(404) => {}
            Err(e) => return Err(explain_for(e, label)),
        }
        out.subjects.insert(subject, versions);
    }
    Ok(out)
}

/// Read an export directory.
pub(crate) fn read_dir(dir: &Path) -> Result<Export> {
    let mut out = Export::default();
    // An incident directory holds the export under `registry/`.
    let nested = dir.join("registry");
    let dir: &Path = if !dir.join("subjects").is_dir() && nested.join("subjects").is_dir() {
        &nested
    } else {
        dir
    };
    let global = dir.join("config.json");
    if global.exists() {
        out.global = Some(read_level(&global)?);
    }
    let subjects_dir = dir.join("subjects");
    let entries = std::fs::read_dir(&subjects_dir).map_err(|e| {
        with_hint(
            format!("cannot read {}: {e}", subjects_dir.display()),
            "an export directory holds subjects/<subject>/<version>.json (see `switchyard registry export`)",
        )
    })?;
    for entry in entries {
        let entry = entry?;
        if !entry.file_type()?.is_dir() {
            continue;
        }
        let subject = subject_from_dir_name(&entry.file_name().to_string_lossy());
        let mut versions = Vec::new();
        for file in std::fs::read_dir(entry.path())? {
            let path = file?.path();
            let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
                continue;
            };
            if path.extension().and_then(|e| e.to_str()) != Some("json") {
                continue;
            }
            if stem == "config" {
                out.subject_levels.insert(subject.clone(), read_level(&path)?);
                continue;
            }
            if stem.parse::<i32>().is_err() {
                continue;
            }
            let text =
                std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
            let v: ExportedVersion = serde_json::from_str(&text)
                .with_context(|| format!("{} is not an exported version", path.display()))?;
            versions.push(v);
        }
        versions.sort_by_key(|v| v.version);
        out.subjects.insert(subject, versions);
    }
    let configs = dir.join("config");
    if configs.is_dir() {
        for file in std::fs::read_dir(&configs)? {
            let path = file?.path();
            if path.extension().and_then(|e| e.to_str()) != Some("json") {
                continue;
            }
            let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
                continue;
            };
            out.subject_levels
                .insert(subject_from_dir_name(stem), read_level(&path)?);
        }
    }
    Ok(out)
}

fn read_level(path: &Path) -> Result<CompatibilityLevel> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let cfg: ConfigFile = serde_json::from_str(&text)
        .with_context(|| format!("{} is not {{\"compatibilityLevel\": …}}", path.display()))?;
    cfg.compatibility_level
        .parse()
        .map_err(|e: String| anyhow::anyhow!("{}: {e}", path.display()))
}

fn write_json(path: &Path, value: &impl Serialize) -> Result<()> {
    let text = serde_json::to_string_pretty(value)?;
    std::fs::write(path, text + "\n").with_context(|| format!("cannot write {}", path.display()))
}

/// `switchyard registry export DIR`.
pub(super) async fn export(c: &RegistryClient, dir: &Path, conn: &Conn) -> Result<ExitCode> {
    let data = read_registry(c, &conn.registry).await?;
    let subjects_dir = dir.join("subjects");
    std::fs::create_dir_all(&subjects_dir)
        .with_context(|| format!("cannot create {}", subjects_dir.display()))?;
    if let Some(level) = data.global {
        write_json(
            &dir.join("config.json"),
            &json!({"compatibilityLevel": level.to_string()}),
        )?;
    }
    let mut files = 0usize;
    for (subject, versions) in &data.subjects {
        let sdir: PathBuf = subjects_dir.join(subject_dir_name(subject));
        std::fs::create_dir_all(&sdir).with_context(|| format!("cannot create {}", sdir.display()))?;
        for v in versions {
            write_json(
                &sdir.join(format!("{}.json", v.version)),
                &json!({
                    "id": v.id, "version": v.version, "schemaType": v.schema_type.as_str(),
                    "schema": v.schema, "references": v.references,
                }),
            )?;
            files += 1;
        }
    }
    if !data.subject_levels.is_empty() {
        let cdir = dir.join("config");
        std::fs::create_dir_all(&cdir).with_context(|| format!("cannot create {}", cdir.display()))?;
        for (subject, level) in &data.subject_levels {
            write_json(
                &cdir.join(format!("{}.json", subject_dir_name(subject))),
                &json!({"compatibilityLevel": level.to_string()}),
            )?;
        }
    }
    match conn.format {
        Format::Json => println!(
            "{}",
            json!({"dir": dir, "subjects": data.subjects.len(), "versions": files})
        ),
        Format::Text => {
            println!(
                "exported {} subjects, {files} versions to {}",
                data.subjects.len(),
                dir.display()
            )
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `switchyard registry import --from URL|DIR`.
pub(super) async fn import(
    from: &str,
    from_user_info: Option<&str>,
    target: &RegistryClient,
    conn: &Conn,
) -> Result<ExitCode> {
    let data = if from.starts_with("http://") || from.starts_with("https://") {
        read_registry(&client_for(from, from_user_info)?, from).await?
    } else {
        read_dir(Path::new(from))?
    };
    let mode = target.get_mode(None, true).await.map_err(|e| explain(e, conn))?;
    if mode != Mode::Import {
        return Err(with_hint(
            format!(
                "the target registry {} is in {mode} mode, not IMPORT",
                conn.registry
            ),
            format!(
                "switch it first: `switchyard registry mode IMPORT --registry {}` (add --force if it already \
                 holds schemas), and back to READWRITE after the import",
                conn.registry
            ),
        ));
    }
    // Referenced schemas must exist before the schemas referencing them: register in id order.
    let mut all: Vec<(&String, &ExportedVersion)> = data
        .subjects
        .iter()
        .flat_map(|(s, vs)| vs.iter().map(move |v| (s, v)))
        .collect();
    all.sort_by_key(|(s, v)| (v.id, (*s).clone(), v.version));
    let mut count = 0usize;
    for (subject, v) in &all {
        let mut req =
            RegisterRequest::new(v.schema.clone(), v.schema_type).with_references(v.references.clone());
        req.id = Some(v.id);
        req.version = Some(v.version);
        let id = target.register(subject, &req).await.map_err(|e| {
            explain(e, conn).context(format!("importing {subject} version {} (id {})", v.version, v.id))
        })?;
        if id != v.id {
            bail!(
                "importing {subject} version {}: the target gave id {id} instead of {}",
                v.version,
                v.id
            );
        }
        count += 1;
    }
    if let Some(level) = data.global {
        target
            .set_config(None, level)
            .await
            .map_err(|e| explain(e, conn))?;
    }
    for (subject, level) in &data.subject_levels {
        target
            .set_config(Some(subject), *level)
            .await
            .map_err(|e| explain(e, conn))?;
    }
    match conn.format {
        Format::Json => println!(
            "{}",
            json!({"from": from, "subjects": data.subjects.len(), "versions": count})
        ),
        Format::Text => {
            println!(
                "imported {} subjects, {count} versions from {from}",
                data.subjects.len()
            );
            eprintln!(
                "hint: switch the registry back with `switchyard registry mode READWRITE --registry {}`",
                conn.registry
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
