//! The connection flags every command that talks to Kafka or the Schema Registry shares, and how they
//! combine: a flag beats its environment variable, which beats the `--config` file (a `switchyard.toml`
//! or a Confluent `client.properties`, taken as is; `./switchyard.toml` when no file is named), which
//! beats Switchyard's defaults. [`Settings`] keeps where each value came from, for `config show`.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use anyhow::{Context, Result};
use switchyard_kafka::{ClientConfig, KafkaError};
use switchyard_registry::{RegistryClient, RegistryConfig};

use crate::config::{self, RunDefaults};
use crate::output::with_hint;

/// Where the `--config` help says the file comes from and how settings combine; shared by every command.
const CONFIG_HELP: &str = "Configuration file: a switchyard.toml ([kafka], [registry], [run]) or a \
Confluent client.properties (by extension: .toml or .properties; otherwise a file with a [section] line is TOML). \
Without --config or SWITCHYARD_CONFIG, ./switchyard.toml in the current directory is read when it exists. \
Precedence: flags > environment variables (SWITCHYARD_BOOTSTRAP, SCHEMA_REGISTRY_URL) > this file > defaults; \
`${NAME}` in values reads the environment. See `switchyard config show`.";

/// Kafka and Schema Registry connection settings.
#[derive(Debug, Clone, clap::Args)]
pub struct ConnectArgs {
    /// Kafka bootstrap servers (`host:port,…`).
    #[arg(
        short = 'b',
        long = "bootstrap",
        env = "SWITCHYARD_BOOTSTRAP",
        value_name = "BROKERS"
    )]
    pub bootstrap: Option<String>,
    #[command(flatten)]
    pub common: RegistryArgs,
}

/// Schema Registry settings and the configuration file (for commands that need no broker).
#[derive(Debug, Clone, clap::Args)]
pub struct RegistryArgs {
    /// Schema Registry URL(s), comma-separated for failover.
    #[arg(long = "registry", env = "SCHEMA_REGISTRY_URL", value_name = "URL")]
    pub registry: Option<String>,
    /// A switchyard.toml or a Confluent client.properties (default: ./switchyard.toml when present).
    #[arg(
        long = "config",
        env = "SWITCHYARD_CONFIG",
        value_name = "FILE",
        long_help = CONFIG_HELP
    )]
    pub config: Option<PathBuf>,
    /// Set any client property, e.g. `-X security.protocol=SASL_SSL` (repeatable; beats the file).
    #[arg(short = 'X', value_name = "KEY=VALUE")]
    pub properties: Vec<String>,
}

/// Where a setting came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A command-line flag.
    Flag(&'static str),
    /// An environment variable.
    Env(&'static str),
    /// A configuration file.
    File(PathBuf),
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Flag(flag) => write!(f, "flag {flag}"),
            Self::Env(var) => write!(f, "env {var}"),
            Self::File(path) => write!(f, "file {}", path.display()),
        }
    }
}

/// The merged configuration: client properties with their origins, and `switchyard run`'s file defaults.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Kafka and Schema Registry client properties.
    pub client: ClientConfig,
    /// Where each property came from.
    pub origins: BTreeMap<String, Origin>,
    /// Defaults for `switchyard run` from the file's `[run]`.
    pub run: RunDefaults,
    /// The configuration file read, if any.
    pub file: Option<PathBuf>,
}

impl Settings {
    fn set(&mut self, key: &str, value: &str, origin: Origin) {
        self.client.set(key, value);
        self.origins.insert(key.to_string(), origin);
    }
}

/// A flag's origin: the environment variable when the value is the variable's (clap read it there).
fn flag_or_env(value: &str, flag: &'static str, var: &'static str) -> Origin {
    match std::env::var(var) {
        Ok(v) if v == value => Origin::Env(var),
        _ => Origin::Flag(flag),
    }
}

impl ConnectArgs {
    /// The merged client configuration.
    pub fn client_config(&self) -> Result<ClientConfig> {
        Ok(self.settings()?.client)
    }

    /// The merged configuration with where each setting came from.
    pub fn settings(&self) -> Result<Settings> {
        let mut settings = self.common.settings()?;
        if let Some(b) = &self.bootstrap {
            let origin = flag_or_env(b, "--bootstrap", "SWITCHYARD_BOOTSTRAP");
            settings.set("bootstrap.servers", b, origin);
        }
        Ok(settings)
    }
}

impl RegistryArgs {
    /// The merged client configuration.
    pub fn client_config(&self) -> Result<ClientConfig> {
        Ok(self.settings()?.client)
    }

    /// The merged configuration (without `--bootstrap`) with where each setting came from.
    pub fn settings(&self) -> Result<Settings> {
        let mut settings = Settings::default();
        if let Some(path) = config::find(self.config.as_deref()) {
            let file = config::load(&path)?;
            settings.origins = file
                .sources
                .into_iter()
                .map(|(k, p)| (k, Origin::File(p)))
                .collect();
            settings.client = file.client;
            settings.run = file.run;
            settings.file = Some(path);
        }
        for kv in &self.properties {
            let (k, v) = kv.split_once('=').ok_or_else(|| {
                with_hint(
                    format!("`-X {kv}` is not KEY=VALUE"),
                    "e.g. -X security.protocol=SASL_SSL",
                )
            })?;
            settings.set(k.trim(), v.trim(), Origin::Flag("-X"));
        }
        if let Some(r) = &self.registry {
            let origin = flag_or_env(r, "--registry", "SCHEMA_REGISTRY_URL");
            settings.set("schema.registry.url", r, origin);
        }
        Ok(settings)
    }
}

/// A registry client when a registry is configured.
pub fn registry_client(cfg: &ClientConfig) -> Result<Option<RegistryClient>> {
    let props: HashMap<String, String> = cfg.registry_properties().into_iter().collect();
    if !props.contains_key("schema.registry.url") {
        return Ok(None);
    }
    let config = RegistryConfig::from_properties(&props).context("Schema Registry settings")?;
    Ok(Some(
        RegistryClient::new(config).context("building the Schema Registry client")?,
    ))
}

/// Turn a Kafka edge error into an `anyhow` error that carries its hint.
pub fn kafka_error(err: KafkaError) -> anyhow::Error {
    match err.hint() {
        Some(hint) => with_hint(err.to_string(), hint),
        None => anyhow::Error::new(err),
    }
}
