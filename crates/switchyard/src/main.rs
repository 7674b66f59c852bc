//! The `switchyard` command line: one module per subcommand under `commands/`, glue only.
//!
//! Exit codes: 0 success; 1 the command ran and found a problem (a record that would not decode, an
//! incompatible schema); 2 usage error (bad flags or input that cannot be read).

use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

/// mimalloc rather than the system allocator: `run` makes and frees several small values per record
/// (strings, rows, output buffers), and glibc's malloc was a fifth of its pipeline thread.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod commands;
mod config;
mod connect;
mod http;
mod infer;
mod output;
mod pipeline;
mod progress;
mod render;
mod sample;
mod schemas;

/// Change-data-capture pipelines on Kafka and the Confluent Schema Registry.
#[derive(Debug, Parser)]
#[command(name = "switchyard", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Decode Kafka records (capture file, raw bytes or hex): framing, schema id, shape and body.
    Decode(commands::decode::Args),
    /// Diagnose a CDC pipeline that reads nothing: SQL, connector, registry and sampled records.
    Doctor(commands::doctor::Args),
    /// Read a topic like kcat, decoding JSON_SR and Debezium through the registry.
    Tail(commands::tail::Args),
    /// Produce JSON lines (or generated samples) as JSON_SR records, registering the schema.
    Produce(commands::produce::Args),
    /// Capture PostgreSQL (logical replication) as Debezium change events on Kafka.
    Capture(commands::capture::Args),
    /// Run a pipeline's Flink SQL natively: route records between topics, dead-letter bad ones.
    Run(commands::run::Args),
    /// Show what `run` would do with a pipeline, checked against the registry, without reading records.
    Explain(commands::explain::Args),
    /// Export a pipeline as SQL for Confluent Cloud for Apache Flink or Apache Flink.
    #[command(
        subcommand,
        after_help = "Example:\n  switchyard export flink pipeline.sql --target apache-flink -b kafka:9092 -o ./flink"
    )]
    Export(commands::export::Command),
    /// Schema Registry: serve an embedded registry, query one, check compatibility.
    #[command(subcommand)]
    Registry(commands::registry::Command),
    /// Configuration: show the merged settings (secrets redacted) and where each came from.
    #[command(subcommand)]
    Config(commands::config::Command),
    /// Print shell completions (bash, zsh, fish, powershell, elvish).
    #[command(after_help = "Example:\n  switchyard completions bash > /etc/bash_completion.d/switchyard")]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Write man pages for switchyard and every subcommand into a directory.
    #[command(after_help = "Example:\n  switchyard man ./man && man ./man/switchyard-tail.1")]
    Man {
        /// Where to write the pages.
        dir: std::path::PathBuf,
    },
}

/// One roff page per command: `switchyard.1`, `switchyard-tail.1`, `switchyard-registry-serve.1`, …
fn write_man_pages(dir: &std::path::Path) -> anyhow::Result<ExitCode> {
    fn walk(cmd: &clap::Command, name: &str, dir: &std::path::Path) -> anyhow::Result<usize> {
        let page = cmd.clone().name(name.to_string());
        let mut out = Vec::new();
        clap_mangen::Man::new(page).render(&mut out)?;
        std::fs::write(dir.join(format!("{name}.1")), out)?;
        let mut n = 1;
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            n += walk(sub, &format!("{name}-{}", sub.get_name()), dir)?;
        }
        Ok(n)
    }
    std::fs::create_dir_all(dir)?;
    let mut cmd = Cli::command();
    cmd.build();
    let n = walk(&cmd, "switchyard", dir)?;
    eprintln!("{n} man pages written to {}", dir.display());
    Ok(ExitCode::SUCCESS)
}

/// Output piped into a reader that stopped early (`| head`) is not an error: exit quietly, as Unix tools do,
/// instead of letting `println!` panic on the closed pipe.
fn quiet_on_broken_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if message.contains("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(0);
        }
        default(info);
    }));
}

fn main() -> ExitCode {
    quiet_on_broken_pipe();
    // Logs go to stderr; SWITCHYARD_LOG (or RUST_LOG) sets the filter, e.g. SWITCHYARD_LOG=debug.
    let filter = std::env::var("SWITCHYARD_LOG")
        .ok()
        .and_then(|f| tracing_subscriber::EnvFilter::try_new(f).ok())
        .or_else(|| tracing_subscriber::EnvFilter::try_from_default_env().ok())
        .unwrap_or_else(|| tracing_subscriber::EnvFilter::new("warn"));
    // Colours only for a terminal, and never with NO_COLOR set: logs piped to a file stay plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr()) && std::env::var_os("NO_COLOR").is_none();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .try_init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Decode(args) => commands::decode::run(args),
        Command::Doctor(args) => commands::doctor::run(args),
        Command::Tail(args) => commands::tail::run(args),
        Command::Produce(args) => commands::produce::run(args),
        Command::Capture(args) => commands::capture::run(args),
        Command::Registry(cmd) => commands::registry::run(cmd),
        Command::Run(args) => commands::run::run(args),
        Command::Explain(args) => commands::explain::run(args),
        Command::Config(cmd) => commands::config::run(cmd),
        Command::Export(cmd) => commands::export::run(cmd),
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "switchyard", &mut script);
            // A closed pipe (`| head`) is not worth a panic.
            let _ = std::io::Write::write_all(&mut std::io::stdout(), &script);
            Ok(ExitCode::SUCCESS)
        }
        Command::Man { dir } => write_man_pages(&dir),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            output::print_error(&err);
            ExitCode::from(2)
        }
    }
}
