//! The `switchyard` command line: one module per subcommand under `commands/`, glue only.
//!
//! Exit codes: 0 success; 1 the command ran and found a problem (a record that would not decode, an
//! incompatible schema); 2 usage error (bad flags or input that cannot be read).

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod commands;
mod connect;
mod infer;
mod output;
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
    /// Read a topic like kcat, decoding JSON_SR and Debezium through the registry.
    Tail(commands::tail::Args),
    /// Produce JSON lines (or generated samples) as JSON_SR records, registering the schema.
    Produce(commands::produce::Args),
    /// Schema Registry: serve an embedded registry, query one, check compatibility.
    #[command(subcommand)]
    Registry(commands::registry::Command),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Decode(args) => commands::decode::run(args),
        Command::Tail(args) => commands::tail::run(args),
        Command::Produce(args) => commands::produce::run(args),
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
