//! The `switchyard` command line: one module per subcommand under `commands/`, glue only.
//!
//! Exit codes: 0 success; 1 the command ran and found a problem (a record that would not decode, an
//! incompatible schema); 2 usage error (bad flags or input that cannot be read).

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod commands;
mod output;
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
    /// Schema Registry: serve an embedded registry, query one, check compatibility.
    #[command(subcommand)]
    Registry(commands::registry::Command),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Decode(args) => commands::decode::run(args),
        Command::Registry(cmd) => commands::registry::run(cmd),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            output::print_error(&err);
            ExitCode::from(2)
        }
    }
}
