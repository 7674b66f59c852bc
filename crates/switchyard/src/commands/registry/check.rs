//! `switchyard registry check`: would this schema be accepted under the subject? A CI gate.
//!
//! The check runs locally with `switchyard_schema::check_compatibility` against the subject's versions
//! and effective level, fetched from a live registry or read from an export directory. Running it
//! locally (instead of asking the registry's compatibility endpoint) gives every problem with its JSON
//! path, whichever registry holds the versions.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use serde_json::json;
use switchyard_registry::{SchemaReference, SchemaType, VersionSpec, error_codes};
use switchyard_schema::{CompatibilityLevel, JsonSchema, ResolvedReference, check_compatibility};

use super::transfer::{Export, ExportedVersion, read_dir};
use super::{Conn, Format, client, explain, parse_reference, parse_schema_type};
use crate::output::with_hint;

/// Arguments of `check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The subject the schema would be registered under.
    #[arg(long)]
    subject: String,
    /// The candidate schema file.
    #[arg(long, value_name = "FILE")]
    schema: PathBuf,
    /// Schema type (only JSON can be checked).
    #[arg(long = "type", default_value = "JSON", value_parser = parse_schema_type)]
    schema_type: SchemaType,
    /// A reference `NAME=SUBJECT/VERSION` of the candidate (repeatable).
    #[arg(long = "reference", value_name = "NAME=SUBJECT/VERSION", value_parser = parse_reference)]
    references: Vec<SchemaReference>,
    /// Read versions from an export directory instead of a live registry.
    #[arg(long, value_name = "DIR")]
    from: Option<PathBuf>,
    /// Check at this level instead of the subject's effective one.
    #[arg(long)]
    level: Option<CompatibilityLevel>,
    #[command(flatten)]
    conn: Conn,
}

impl CheckArgs {
    /// The registry connection.
    pub(super) fn conn_mut(&mut self) -> &mut Conn {
        &mut self.conn
    }
}

/// Versions and references, from wherever they live.
enum Source {
    Dir(Export),
    Registry(switchyard_registry::RegistryClient),
}

impl Source {
    async fn version(&self, subject: &str, version: i32, conn: &Conn) -> Result<ExportedVersion> {
        match self {
            Self::Dir(e) => e
                .subjects
                .get(subject)
                .and_then(|vs| vs.iter().find(|v| v.version == version))
                .cloned()
                .ok_or_else(|| anyhow::anyhow!("the export has no {subject} version {version}")),
            Self::Registry(c) => {
                let r = c
                    .get_version(subject, VersionSpec::Number(version), true)
                    .await
                    .map_err(|e| explain(e, conn))?;
                Ok(ExportedVersion {
                    id: u32::try_from(r.id)
                        .with_context(|| format!("{subject} version {version} has a negative id"))?,
                    version: r.version,
                    schema_type: r.schema_type,
                    schema: r.schema,
                    references: r.references,
                })
            }
        }
    }

    async fn resolve(&self, refs: &[SchemaReference], conn: &Conn) -> Result<Vec<ResolvedReference>> {
        let mut out = Vec::new();
        let mut queue = refs.to_vec();
        let mut seen = std::collections::HashSet::new();
        while let Some(r) = queue.pop() {
            if !seen.insert((r.name.clone(), r.subject.clone(), r.version)) {
                continue;
            }
            let v = self.version(&r.subject, r.version, conn).await?;
            queue.extend(v.references.iter().cloned());
            out.push(ResolvedReference {
                name: r.name,
                schema: v.schema,
            });
        }
        Ok(out)
    }
}

pub(super) async fn run(args: CheckArgs) -> Result<ExitCode> {
    let conn = &args.conn;
    if args.schema_type != SchemaType::Json {
        bail!(
            "only JSON Schema compatibility can be checked; {} is not supported",
            args.schema_type
        );
    }
    let text = std::fs::read_to_string(&args.schema)
        .with_context(|| format!("cannot read {}", args.schema.display()))?;

    let source = match &args.from {
        Some(dir) => Source::Dir(read_dir(dir)?),
        None => Source::Registry(client(conn)?),
    };
    let (previous, level): (Vec<ExportedVersion>, CompatibilityLevel) = match &source {
        Source::Dir(e) => (
            e.subjects.get(&args.subject).cloned().unwrap_or_default(),
            e.subject_compatibility
                .get(&args.subject)
                .copied()
                .or(e.compatibility)
                .unwrap_or(CompatibilityLevel::Backward),
        ),
        Source::Registry(c) => {
            let versions = match c.versions(&args.subject, false).await {
                Ok(v) => v,
                Err(e) if e.error_code() == Some(error_codes::SUBJECT_NOT_FOUND) => Vec::new(),
                Err(e) => return Err(explain(e, conn)),
            };
            let mut prev = Vec::new();
            for v in versions {
                prev.push(source.version(&args.subject, v, conn).await?);
            }
            let level = match c.get_config(Some(&args.subject), true).await {
                Ok(l) => l,
                Err(e) if e.status() == Some(404) => {
                    c.get_config(None, false).await.map_err(|e| explain(e, conn))?
                }
                Err(e) => return Err(explain(e, conn)),
            };
            (prev, level)
        }
    };
    let level = args.level.unwrap_or(level);

    let refs = source.resolve(&args.references, conn).await?;
    let candidate = JsonSchema::parse(&text, &refs).map_err(|e| {
        with_hint(
            format!("{} is not a valid JSON Schema: {e}", args.schema.display()),
            "pass --reference NAME=SUBJECT/VERSION for each schema it references",
        )
    })?;
    let mut parsed = Vec::with_capacity(previous.len());
    for v in &previous {
        if v.schema_type != SchemaType::Json {
            bail!(
                "{} version {} is a {} schema; only JSON Schema compatibility can be checked",
                args.subject,
                v.version,
                v.schema_type
            );
        }
        let refs = source.resolve(&v.references, conn).await?;
        let schema = JsonSchema::parse(&v.schema, &refs)
            .map_err(|e| anyhow::anyhow!("{} version {} does not parse: {e}", args.subject, v.version))?;
        parsed.push(schema);
    }
    let diffs = check_compatibility(level, &candidate, &parsed);

    match conn.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&json!({
                "subject": args.subject,
                "level": level.to_string(),
                "versions": previous.iter().map(|v| v.version).collect::<Vec<_>>(),
                "compatible": diffs.is_empty(),
                "differences": diffs.iter().map(|d| json!({
                    "kind": d.kind.to_string(), "path": d.path, "message": d.message,
                })).collect::<Vec<_>>(),
            }))?
        ),
        Format::Text => {
            if diffs.is_empty() {
                if previous.is_empty() {
                    println!("{}: compatible (the subject has no versions yet)", args.subject);
                } else {
                    println!(
                        "{}: compatible at {level} with {} version(s)",
                        args.subject,
                        previous.len()
                    );
                }
            } else {
                println!(
                    "{}: INCOMPATIBLE at {level} ({} problem(s))",
                    args.subject,
                    diffs.len()
                );
                for d in &diffs {
                    println!("  {}: {}: {}", d.path, d.kind, d.message);
                }
            }
        }
    }
    Ok(if diffs.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
