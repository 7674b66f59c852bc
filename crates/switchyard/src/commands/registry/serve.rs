//! `switchyard registry serve`: the embedded registry as a process, until Ctrl-C or SIGTERM.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use switchyard_registry::ServerConfig;

use crate::output::with_hint;

/// Arguments of `serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on (loopback by default; port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8081", value_name = "ADDR")]
    listen: SocketAddr,
    /// Directory for the registry's durable log; without it everything is lost on exit.
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
    /// Require HTTP basic auth with these credentials.
    #[arg(long, value_name = "USER:PASS")]
    user: Option<String>,
    /// Largest accepted request body, in bytes.
    #[arg(long, default_value_t = switchyard_registry::server::DEFAULT_BODY_LIMIT, value_name = "BYTES")]
    body_limit: usize,
}

pub(super) async fn run(args: ServeArgs) -> Result<ExitCode> {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .try_init();
    let basic_auth = match &args.user {
        Some(u) => {
            let (user, pass) = u
                .split_once(':')
                .ok_or_else(|| anyhow::anyhow!("--user must be USER:PASS"))?;
            Some((user.to_string(), pass.to_string()))
        }
        None => None,
    };
    if args.data.is_none() {
        tracing::warn!("no --data directory: schemas live in memory and are lost when the server stops");
    }
    let listener = tokio::net::TcpListener::bind(args.listen).await.map_err(|e| {
        with_hint(
            format!("cannot listen on {}: {e}", args.listen),
            "is another registry already running there? Pick another port with --listen 127.0.0.1:PORT",
        )
    })?;
    let config = ServerConfig {
        data_dir: args.data.clone(),
        basic_auth,
        body_limit: args.body_limit,
    };
    let server = switchyard_registry::start(listener, config).await.map_err(|e| {
        with_hint(
            e.to_string(),
            "the data directory must be writable and hold only a registry log",
        )
    })?;
    println!("listening on {}", server.url());
    shutdown_signal().await;
    tracing::info!("shutting down");
    server
        .shutdown()
        .await
        .context("registry server stopped with an error")?;
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
