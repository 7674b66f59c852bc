//! `switchyard registry …`: serve an embedded Schema Registry, query and change one, copy one, and gate
//! schema changes in CI.
//!
//! Every subcommand but `serve` talks to a registry through `switchyard_registry::RegistryClient`
//! (`--registry`, env `SCHEMA_REGISTRY_URL`, else the configuration file's `[registry]`), so they work
//! the same against Confluent's registry and ours. Errors carry a hint saying what to do next; `check` exits 1 on incompatibility so it can gate
//! a pipeline.

mod check;
mod serve;
mod transfer;
mod util;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use serde_json::json;
use switchyard_registry::{Mode, RegisterRequest, SchemaReference, SchemaType, VersionSpec, error_codes};
use switchyard_schema::CompatibilityLevel;

use crate::output::with_hint;
pub(crate) use util::{
    client, client_for, explain, explain_for, parse_reference, parse_schema_type, pretty_schema, print_list,
    split_target,
};

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people.
    Text,
    /// JSON, for scripts.
    Json,
}

/// Where the registry is and how to log in.
#[derive(Debug, Clone, Args)]
pub struct Conn {
    /// Registry URL; a comma-separated list fails over to the next URL on transient errors
    /// [default: the config file's [registry] url, else http://127.0.0.1:8081].
    #[arg(long = "registry", env = "SCHEMA_REGISTRY_URL", value_name = "URL")]
    registry_flag: Option<String>,
    /// Basic auth credentials for the registry (default: the config file's `basic.auth.user.info`).
    #[arg(
        long,
        env = "SCHEMA_REGISTRY_USER_INFO",
        value_name = "USER:PASS",
        hide_env_values = true
    )]
    registry_user_info: Option<String>,
    /// A switchyard.toml or a Confluent client.properties for the registry settings (default:
    /// ./switchyard.toml when present). Flags and environment variables beat it.
    #[arg(long = "config", env = "SWITCHYARD_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// The URL in use: the flag, else the configuration file, else the default.
    #[arg(skip)]
    registry: String,
}

impl Conn {
    /// Fill in the URL and credentials: flag or environment > configuration file > default.
    fn resolve(&mut self) -> Result<()> {
        let file = match crate::config::find(self.config.as_deref()) {
            Some(path) => Some(crate::config::load(&path)?.client),
            None => None,
        };
        let from_file = |key: &str| file.as_ref().and_then(|c| c.get(key)).map(String::from);
        self.registry = self
            .registry_flag
            .clone()
            .or_else(|| from_file("schema.registry.url"))
            .unwrap_or_else(|| DEFAULT_REGISTRY.to_string());
        if self.registry_user_info.is_none() {
            self.registry_user_info = from_file("basic.auth.user.info");
        }
        Ok(())
    }
}

/// The registry `switchyard registry` talks to when nothing names one.
const DEFAULT_REGISTRY: &str = "http://127.0.0.1:8081";

/// `switchyard registry` subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run an embedded Confluent-compatible Schema Registry.
    #[command(after_help = "Example:
  switchyard registry serve --listen 127.0.0.1:8081 --data ./registry-data --user admin:secret

The first line on standard output is `listening on http://ADDR` (useful with --listen 127.0.0.1:0).")]
    Serve(serve::ServeArgs),

    /// List subjects.
    #[command(
        after_help = "Example:\n  switchyard registry subjects --registry http://127.0.0.1:8081 --deleted"
    )]
    Subjects {
        /// Include soft-deleted subjects.
        #[arg(long)]
        deleted: bool,
        #[command(flatten)]
        conn: Conn,
    },

    /// List the versions of a subject.
    #[command(after_help = "Example:\n  switchyard registry versions orders-value")]
    Versions {
        /// The subject.
        subject: String,
        /// Include soft-deleted versions.
        #[arg(long)]
        deleted: bool,
        #[command(flatten)]
        conn: Conn,
    },

    /// Show a subject's version (default: latest).
    #[command(
        after_help = "Examples:\n  switchyard registry get orders-value\n  switchyard registry get orders-value/2 --format json"
    )]
    Get {
        /// `SUBJECT` or `SUBJECT/VERSION` (`latest` allowed).
        target: String,
        #[command(flatten)]
        conn: Conn,
    },

    /// Show the schema with a global id.
    #[command(after_help = "Example:\n  switchyard registry id 42")]
    Id {
        /// The schema id.
        id: i32,
        #[command(flatten)]
        conn: Conn,
    },

    /// Register a schema file under a subject.
    #[command(after_help = "Examples:
  switchyard registry register orders-value schemas/order.json
  switchyard registry register orders-value order.json --reference customer.json=customers-value/3")]
    Register {
        /// The subject.
        subject: String,
        /// The schema file.
        file: PathBuf,
        /// Schema type.
        #[arg(long = "type", default_value = "JSON", value_parser = parse_schema_type)]
        schema_type: SchemaType,
        /// A reference `NAME=SUBJECT/VERSION` (repeatable).
        #[arg(long = "reference", value_name = "NAME=SUBJECT/VERSION", value_parser = parse_reference)]
        references: Vec<SchemaReference>,
        #[command(flatten)]
        conn: Conn,
    },

    /// Show or set the compatibility level (global, or of a subject).
    #[command(after_help = "Examples:
  switchyard registry config                      # global level
  switchyard registry config FULL                 # set the global level
  switchyard registry config orders-value         # the subject's level (falls back to global)
  switchyard registry config orders-value NONE    # set the subject's level")]
    Config {
        /// A subject, or a level to set globally.
        subject: Option<String>,
        /// The level to set for the subject.
        level: Option<String>,
        /// Remove the subject's level so the global one applies.
        #[arg(long)]
        delete: bool,
        #[command(flatten)]
        conn: Conn,
    },

    /// Show or set the mode (READWRITE, READONLY, IMPORT), global or of a subject.
    #[command(after_help = "Examples:
  switchyard registry mode                 # global mode
  switchyard registry mode IMPORT          # before `switchyard registry import`
  switchyard registry mode orders-value READONLY")]
    Mode {
        /// A subject, or a mode to set globally.
        subject: Option<String>,
        /// The mode to set for the subject.
        mode: Option<String>,
        /// Enter IMPORT mode even though schemas exist.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        conn: Conn,
    },

    /// Delete a subject or one version (soft; `--permanent` after a soft delete).
    #[command(after_help = "Examples:
  switchyard registry delete orders-value/3
  switchyard registry delete orders-value/3 --permanent
  switchyard registry delete orders-value")]
    Delete {
        /// `SUBJECT` or `SUBJECT/VERSION`.
        target: String,
        /// Hard delete (the subject or version must be soft-deleted first).
        #[arg(long)]
        permanent: bool,
        #[command(flatten)]
        conn: Conn,
    },

    /// Export every subject version and config to a directory.
    #[command(after_help = "Example:
  switchyard registry export ./registry-backup --registry https://prod-registry:8081

Layout: DIR/config.json, DIR/subjects/<subject>/<version>.json ({id, version, schemaType, schema,
references}) and DIR/config/<subject>.json. `/` and `%` in subject names are written %2F, %25.")]
    Export {
        /// The directory to write.
        dir: PathBuf,
        #[command(flatten)]
        conn: Conn,
    },

    /// Copy schemas, keeping ids and versions, into a registry in IMPORT mode.
    #[command(after_help = "Example:
  switchyard registry mode IMPORT --registry http://127.0.0.1:8081
  switchyard registry import --from https://prod-registry:8081 --registry http://127.0.0.1:8081
  switchyard registry mode READWRITE --registry http://127.0.0.1:8081")]
    Import {
        /// Source: a registry URL or an export directory.
        #[arg(long, value_name = "URL|DIR")]
        from: String,
        /// Basic auth credentials for a source registry.
        #[arg(long, value_name = "USER:PASS")]
        from_user_info: Option<String>,
        #[command(flatten)]
        conn: Conn,
    },

    /// Check a schema file against a subject's versions; exit 1 when incompatible (a CI gate).
    #[command(after_help = "Examples:
  switchyard registry check --subject orders-value --schema order.json --registry http://127.0.0.1:8081
  switchyard registry check --subject orders-value --schema order.json --from ./registry-backup

Exit codes: 0 compatible; 1 incompatible (each problem printed with its JSON path); 2 error.")]
    Check(check::CheckArgs),
}

impl Command {
    /// The registry connection, for every subcommand but `serve`.
    fn conn_mut(&mut self) -> Option<&mut Conn> {
        match self {
            Self::Serve(_) => None,
            Self::Check(args) => Some(args.conn_mut()),
            Self::Subjects { conn, .. }
            | Self::Versions { conn, .. }
            | Self::Get { conn, .. }
            | Self::Id { conn, .. }
            | Self::Register { conn, .. }
            | Self::Config { conn, .. }
            | Self::Mode { conn, .. }
            | Self::Delete { conn, .. }
            | Self::Export { conn, .. }
            | Self::Import { conn, .. } => Some(conn),
        }
    }
}

/// Run a `switchyard registry` subcommand.
pub fn run(cmd: Command) -> Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(dispatch(cmd))
}

async fn dispatch(mut cmd: Command) -> Result<ExitCode> {
    if let Some(conn) = cmd.conn_mut() {
        conn.resolve()?;
    }
    match cmd {
        Command::Serve(args) => serve::run(args).await,
        Command::Subjects { deleted, conn } => {
            let list = client(&conn)?
                .subjects(deleted)
                .await
                .map_err(|e| explain(e, &conn))?;
            print_list(&conn, &list);
            Ok(ExitCode::SUCCESS)
        }
        Command::Versions {
            subject,
            deleted,
            conn,
        } => {
            let list = client(&conn)?
                .versions(&subject, deleted)
                .await
                .map_err(|e| explain(e, &conn))?;
            print_list(&conn, &list);
            Ok(ExitCode::SUCCESS)
        }
        Command::Get { target, conn } => {
            let (subject, version) = split_target(&target);
            let r = client(&conn)?
                .get_version(&subject, version.unwrap_or(VersionSpec::Latest), false)
                .await
                .map_err(|e| explain(e, &conn))?;
            match conn.format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&r)?),
                Format::Text => {
                    println!(
                        "subject: {}\nversion: {}\nid: {}\ntype: {}",
                        r.subject, r.version, r.id, r.schema_type
                    );
                    for rf in &r.references {
                        println!("reference: {} = {}/{}", rf.name, rf.subject, rf.version);
                    }
                    println!("{}", pretty_schema(&r.schema));
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Id { id, conn } => {
            let s = client(&conn)?
                .get_schema_string(id, None)
                .await
                .map_err(|e| explain(e, &conn))?;
            let used = client(&conn)?.get_schema_versions(id).await.unwrap_or_default();
            match conn.format {
                Format::Json => println!(
                    "{}",
                    serde_json::to_string_pretty(&json!({
                        "id": id, "schemaType": s.schema_type, "schema": s.schema,
                        "references": s.references, "versions": used,
                    }))?
                ),
                Format::Text => {
                    println!("id: {id}\ntype: {}", s.schema_type);
                    for sv in &used {
                        println!("used by: {} version {}", sv.subject, sv.version);
                    }
                    println!("{}", pretty_schema(&s.schema));
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Register {
            subject,
            file,
            schema_type,
            references,
            conn,
        } => {
            let text =
                std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let req = RegisterRequest::new(text, schema_type).with_references(references);
            let c = client(&conn)?;
            let id = c.register(&subject, &req).await.map_err(|e| explain(e, &conn))?;
            let version = c.lookup(&subject, &req, false).await.map(|r| r.version).ok();
            match conn.format {
                Format::Json => println!("{}", json!({"subject": subject, "id": id, "version": version})),
                Format::Text => match version {
                    Some(v) => println!("registered {subject} version {v}: id {id}"),
                    None => println!("registered {subject}: id {id}"),
                },
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Config {
            subject,
            level,
            delete,
            conn,
        } => config(subject, level, delete, &conn).await,
        Command::Mode {
            subject,
            mode,
            force,
            conn,
        } => mode_cmd(subject, mode, force, &conn).await,
        Command::Delete {
            target,
            permanent,
            conn,
        } => {
            let (subject, version) = split_target(&target);
            let c = client(&conn)?;
            let deleted: Vec<i32> = match version {
                Some(v) => vec![
                    c.delete_version(&subject, v, permanent)
                        .await
                        .map_err(|e| explain(e, &conn))?,
                ],
                None => c
                    .delete_subject(&subject, permanent)
                    .await
                    .map_err(|e| explain(e, &conn))?,
            };
            match conn.format {
                Format::Json => println!(
                    "{}",
                    json!({"subject": subject, "deleted": deleted, "permanent": permanent})
                ),
                Format::Text => println!(
                    "{} {subject} version(s) {:?}",
                    if permanent {
                        "permanently deleted"
                    } else {
                        "soft-deleted"
                    },
                    deleted
                ),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Export { dir, conn } => transfer::export(&client(&conn)?, &dir, &conn).await,
        Command::Import {
            from,
            from_user_info,
            conn,
        } => transfer::import(&from, from_user_info.as_deref(), &client(&conn)?, &conn).await,
        Command::Check(args) => check::run(args).await,
    }
}

async fn config(
    subject: Option<String>,
    level: Option<String>,
    delete: bool,
    conn: &Conn,
) -> Result<ExitCode> {
    let c = client(conn)?;
    // One positional that names a level sets the global level; otherwise it is a subject.
    let (subject, level) = match (subject, level) {
        (Some(s), None) if s.parse::<CompatibilityLevel>().is_ok() => (None, Some(s)),
        other => other,
    };
    let label = subject.clone().unwrap_or_else(|| "global".to_string());
    let mut inherited = false;
    let result = if delete {
        let subject = subject.as_deref().ok_or_else(|| anyhow::anyhow!("--delete needs a subject"))?;
        c.delete_config(Some(subject)).await.map(|_| None)
    } else {
        match level {
            Some(l) => {
                let l: CompatibilityLevel = l.parse().map_err(|e: String| {
                    with_hint(e, "levels: NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE")
                })?;
                c.set_config(subject.as_deref(), l).await.map(Some)
            }
            None => match subject.as_deref() {
                // Say whether the subject's level is its own or the global one.
                Some(s) => match c.get_config(Some(s), false).await {
                    Err(e) if e.error_code() == Some(error_codes::SUBJECT_COMPATIBILITY_NOT_CONFIGURED) => {
                        inherited = true;
                        c.get_config(None, false).await.map(Some)
                    }
                    other => other.map(Some),
                },
                None => c.get_config(None, false).await.map(Some),
            },
        }
    }
    .map_err(|e| explain(e, conn))?;
    match (conn.format, result) {
        (Format::Json, Some(l)) => println!(
            "{}",
            json!({"subject": subject, "compatibilityLevel": l.to_string(), "inherited": inherited})
        ),
        (Format::Json, None) => println!("{}", json!({"subject": subject, "deleted": true})),
        (Format::Text, Some(l)) if inherited => {
            println!("{label}: {l} (global level; none set for the subject)")
        }
        (Format::Text, Some(l)) => println!("{label}: {l}"),
        (Format::Text, None) => {
            println!("{label}: subject-level compatibility removed (global level applies)")
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn mode_cmd(
    subject: Option<String>,
    mode: Option<String>,
    force: bool,
    conn: &Conn,
) -> Result<ExitCode> {
    let c = client(conn)?;
    let (subject, mode) = match (subject, mode) {
        (Some(s), None) if s.parse::<Mode>().is_ok() => (None, Some(s)),
        other => other,
    };
    let m = match mode {
        Some(m) => {
            let m: Mode = m.parse().map_err(|e: String| anyhow::anyhow!(e))?;
            c.set_mode(subject.as_deref(), m, force).await
        }
        None => c.get_mode(subject.as_deref(), true).await,
    }
    .map_err(|e| explain(e, conn))?;
    match conn.format {
        Format::Json => println!("{}", json!({"subject": subject, "mode": m.to_string()})),
        Format::Text => println!("{}: {m}", subject.as_deref().unwrap_or("global")),
    }
    Ok(ExitCode::SUCCESS)
}
