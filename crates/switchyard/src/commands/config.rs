//! `switchyard config show`: the configuration every other command would use, merged from flags,
//! environment variables and the configuration file, with secrets redacted and each value's origin.

use std::process::ExitCode;

use anyhow::Result;
use serde_json::json;
use switchyard_kafka::config::is_secret;

use crate::config::DEFAULT_FILE;
use crate::connect::ConnectArgs;

/// `switchyard config` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Print the merged configuration (secrets redacted) and where each value came from.
    #[command(after_help = "Examples:
  switchyard config show                              # ./switchyard.toml, environment
  switchyard config show --config prod.toml -b localhost:9092
  switchyard config show --format json

Precedence: flags > environment variables (SWITCHYARD_BOOTSTRAP, SCHEMA_REGISTRY_URL) > the --config file
(default ./switchyard.toml) > defaults. Secrets (sasl.password, basic.auth.user.info, ssl.key.password, …)
print as ***.")]
    Show(ShowArgs),
}

/// Arguments of `config show`.
#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    #[command(flatten)]
    connect: ConnectArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// `key = value    # origin` lines.
    Text,
    /// One JSON document.
    Json,
}

/// Runs the command.
pub fn run(cmd: Command) -> Result<ExitCode> {
    let Command::Show(args) = cmd;
    let settings = args.connect.settings()?;
    let redacted = settings.client.redacted();
    let rows: Vec<(String, String, String)> = redacted
        .iter()
        .map(|(k, v)| {
            let origin = settings
                .origins
                .get(k)
                .map_or_else(|| "default".to_string(), ToString::to_string);
            (k.clone(), v.clone(), origin)
        })
        .collect();
    let file_origin = settings
        .file
        .as_ref()
        .map(|p| format!("file {}", p.display()))
        .unwrap_or_default();
    let run = &settings.run;
    let mut run_rows = Vec::new();
    if let Some(g) = &run.group {
        run_rows.push(("group".to_string(), g.clone(), file_origin.clone()));
    }
    if let Some(h) = &run.http {
        run_rows.push(("http".to_string(), h.to_string(), file_origin.clone()));
    }
    if run.exactly_once {
        run_rows.push((
            "exactly-once".to_string(),
            "true".to_string(),
            file_origin.clone(),
        ));
    }
    if let Some(p) = run.parallelism {
        run_rows.push(("parallelism".to_string(), p.to_string(), file_origin.clone()));
    }
    match args.format {
        Format::Json => {
            let entry = |(k, v, o): &(String, String, String)| (k.clone(), json!({"value": v, "from": o}));
            let doc = json!({
                "file": settings.file,
                "properties": rows.iter().map(entry).collect::<serde_json::Map<_, _>>(),
                "run": run_rows.iter().map(entry).collect::<serde_json::Map<_, _>>(),
            });
            println!("{}", serde_json::to_string_pretty(&doc)?);
        }
        Format::Text => {
            match &settings.file {
                Some(p) => println!("# configuration file: {}", p.display()),
                None => println!("# no configuration file (no --config, no ./{DEFAULT_FILE})"),
            }
            if rows.is_empty() {
                println!("# no client properties set");
            }
            let width = rows
                .iter()
                .chain(&run_rows)
                .map(|(k, v, _)| k.len() + v.len() + 3)
                .max()
                .unwrap_or(0);
            for (k, v, o) in &rows {
                let secret = if is_secret(k) { " (secret)" } else { "" };
                let line = format!("{k} = {v}");
                println!("{line:<width$}  # {o}{secret}");
            }
            if !run_rows.is_empty() {
                println!("[run]");
                for (k, v, o) in &run_rows {
                    let line = format!("{k} = {v}");
                    println!("{line:<width$}  # {o}");
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
