//! The connection flags every command that talks to Kafka or the Schema Registry shares, and how they
//! combine: a flag beats its environment variable, which beats the `--config` file (a Confluent
//! `client.properties`, taken as is), which beats Switchyard's defaults.

use std::collections::HashMap;
use std::path::PathBuf;

use anyhow::{Context, Result};
use switchyard_kafka::{ClientConfig, KafkaError};
use switchyard_registry::{RegistryClient, RegistryConfig};

use crate::output::with_hint;

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

/// Schema Registry settings and the client configuration file (for commands that need no broker).
#[derive(Debug, Clone, clap::Args)]
pub struct RegistryArgs {
    /// Schema Registry URL(s), comma-separated for failover.
    #[arg(long = "registry", env = "SCHEMA_REGISTRY_URL", value_name = "URL")]
    pub registry: Option<String>,
    /// A Confluent `client.properties` file (Kafka and `schema.registry.*` / `basic.auth.*` settings);
    /// `${NAME}` in values reads the environment.
    #[arg(long = "config", env = "SWITCHYARD_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Set any client property, e.g. `-X security.protocol=SASL_SSL` (repeatable; beats the file).
    #[arg(short = 'X', value_name = "KEY=VALUE")]
    pub properties: Vec<String>,
}

impl ConnectArgs {
    /// The merged client configuration.
    pub fn client_config(&self) -> Result<ClientConfig> {
        let mut cfg = self.common.client_config()?;
        if let Some(b) = &self.bootstrap {
            cfg.set("bootstrap.servers", b.as_str());
        }
        Ok(cfg)
    }
}

impl RegistryArgs {
    /// The merged client configuration.
    pub fn client_config(&self) -> Result<ClientConfig> {
        let mut cfg = match &self.config {
            Some(path) => ClientConfig::from_file(path).map_err(|e| {
                with_hint(
                    e.to_string(),
                    "the file uses Java properties syntax: `key=value` per line, `#` comments",
                )
            })?,
            None => ClientConfig::new(),
        };
        for kv in &self.properties {
            let (k, v) = kv.split_once('=').ok_or_else(|| {
                with_hint(
                    format!("`-X {kv}` is not KEY=VALUE"),
                    "e.g. -X security.protocol=SASL_SSL",
                )
            })?;
            cfg.set(k.trim(), v.trim());
        }
        if let Some(r) = &self.registry {
            cfg.set("schema.registry.url", r.as_str());
        }
        Ok(cfg)
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
