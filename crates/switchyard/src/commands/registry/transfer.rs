//! `export` and `import`: a registry as a directory, and back, keeping ids and versions.
//!
//! The layout, its reader and its writer are `switchyard_registry::export`, shared with the doctor's
//! incident directories (which hold an export under `registry/`) and `decode --schemas`, so an incident
//! can be replayed into a local registry with `import --from DIR`.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use serde_json::json;
use switchyard_registry::{Mode, RegisterRequest, RegistryClient, VersionSpec, error_codes, export};

use super::{Conn, Format, client_for, explain, explain_for};
use crate::output::with_hint;
use crate::progress;

pub(crate) use switchyard_registry::{ExportedVersion, RegistryExport as Export};

/// Read everything a live registry holds (live versions only).
pub(crate) async fn read_registry(c: &RegistryClient, label: &str) -> Result<Export> {
    let mut out = Export {
        compatibility: Some(
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
                id: u32::try_from(r.id)
                    .with_context(|| format!("{subject} version {v} has a negative id {}", r.id))?,
                version: r.version,
                schema_type: r.schema_type,
                schema: r.schema,
                references: r.references,
            });
        }
        match c.get_config(Some(&subject), false).await {
            Ok(level) => {
                out.subject_compatibility.insert(subject.clone(), level);
            }
            Err(e) if e.error_code() == Some(error_codes::SUBJECT_COMPATIBILITY_NOT_CONFIGURED) => {}
            Err(e) if e.status() == Some(404) => {}
            Err(e) => return Err(explain_for(e, label)),
        }
        out.subjects.insert(subject, versions);
    }
    Ok(out)
}

/// Read an export directory, or the export an incident directory holds under `registry/`.
pub(crate) fn read_dir(dir: &Path) -> Result<Export> {
    let Some(root) = export::locate(dir) else {
        return Err(with_hint(
            format!(
                "cannot read {}: no `subjects/` directory",
                dir.join("subjects").display()
            ),
            "an export directory holds subjects/<subject>/<version>.json (see `switchyard registry export`)",
        ));
    };
    let bar = progress::counter("reading", "versions");
    let export = Export::read_with(&root, &mut |_: &str, _: i32| bar.inc(1))?;
    bar.finish_and_clear();
    Ok(export)
}

/// `switchyard registry export DIR`.
pub(super) async fn export(c: &RegistryClient, dir: &Path, conn: &Conn) -> Result<ExitCode> {
    let data = read_registry(c, &conn.registry).await?;
    let bar = progress::bar(data.version_count() as u64, "versions written");
    let files = data.write_with(dir, &mut |_: &str, _: i32| bar.inc(1))?;
    bar.finish_and_clear();
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
    let all = data.in_id_order();
    let bar = progress::bar(all.len() as u64, "versions imported");
    let mut count = 0usize;
    for (subject, v) in all {
        let mut req =
            RegisterRequest::new(v.schema.clone(), v.schema_type).with_references(v.references.clone());
        let wanted = i32::try_from(v.id)
            .with_context(|| format!("{subject} version {}: id {} is out of range", v.version, v.id))?;
        req.id = Some(wanted);
        req.version = Some(v.version);
        let id = target.register(subject, &req).await.map_err(|e| {
            explain(e, conn).context(format!("importing {subject} version {} (id {})", v.version, v.id))
        })?;
        bar.inc(1);
        if id != wanted {
            bail!(
                "importing {subject} version {}: the target gave id {id} instead of {}",
                v.version,
                v.id
            );
        }
        count += 1;
    }
    bar.finish_and_clear();
    if let Some(level) = data.compatibility {
        target
            .set_config(None, level)
            .await
            .map_err(|e| explain(e, conn))?;
    }
    for (subject, level) in &data.subject_compatibility {
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
