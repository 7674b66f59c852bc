//! An embedded, Confluent-compatible Schema Registry server.
//!
//! Tests, incident reproductions and `switchyard registry serve` need a registry without a JVM and a
//! Kafka cluster. This one speaks Confluent's REST API (same paths, status codes and error bodies) and
//! keeps its state in an append-only log in a data directory, so it survives `kill -9` with the same
//! ids. Start it on any listener with [`start`]; the returned [`RunningServer`] knows the bound address
//! and shuts the server down gracefully.

mod api_error;
mod auth;
mod log;
mod routes;
mod schema_rules;
mod state;
mod store;
#[cfg(test)]
mod store_tests;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use log::LogError;

/// How to run the server.
#[derive(Clone, Default)]
pub struct ServerConfig {
    /// Where the log lives; `None` keeps everything in memory (lost on exit).
    pub data_dir: Option<PathBuf>,
    /// Require HTTP basic auth with this `(user, password)`.
    pub basic_auth: Option<(String, String)>,
    /// Largest accepted request body in bytes; `0` means the default of 16 MiB.
    pub body_limit: usize,
}

impl std::fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerConfig")
            .field("data_dir", &self.data_dir)
            .field("basic_auth", &self.basic_auth.as_ref().map(|(u, _)| (u, "***")))
            .field("body_limit", &self.body_limit)
            .finish()
    }
}

/// The default request body limit: 16 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 16 * 1024 * 1024;

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The data directory's log could not be opened or replayed.
    #[error("cannot open the registry data directory: {0}")]
    Log(#[from] LogError),
    /// A socket error.
    #[error("registry server I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The server task panicked or was cancelled.
    #[error("registry server task failed: {0}")]
    Task(String),
}

/// A server running on a tokio task. Dropping it (or its shutdown handle) stops the server gracefully,
/// so keep it alive for as long as the registry should serve.
#[derive(Debug)]
pub struct RunningServer {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), std::io::Error>>,
}

impl RunningServer {
    /// The address the server is bound to.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://<addr>`, ready for a client.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stop accepting connections, finish in-flight requests, and wait for the server to end.
    pub async fn shutdown(mut self) -> Result<(), ServerError> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.wait().await
    }

    /// Wait until the server ends (after [`RunningServer::shutdown`] or a fatal error).
    pub async fn wait(self) -> Result<(), ServerError> {
        match self.task.await {
            Ok(r) => r.map_err(ServerError::from),
            Err(e) => Err(ServerError::Task(e.to_string())),
        }
    }

    /// A handle that triggers shutdown when sent to (or dropped), for callers that keep `self` elsewhere.
    pub fn take_shutdown_handle(&mut self) -> Option<oneshot::Sender<()>> {
        self.shutdown.take()
    }
}

/// Open the data directory (replaying its log) and serve on `listener` until shut down. Must be called
/// inside a tokio runtime; the server runs on a task of that runtime.
pub async fn start(
    listener: tokio::net::TcpListener,
    config: ServerConfig,
) -> Result<RunningServer, ServerError> {
    let store = match &config.data_dir {
        Some(dir) => {
            let dir = dir.clone();
            tokio::task::spawn_blocking(move || store::Store::open(&dir))
                .await
                .map_err(|e| ServerError::Task(e.to_string()))??
        }
        None => store::Store::in_memory(),
    };
    let body_limit = if config.body_limit == 0 {
        DEFAULT_BODY_LIMIT
    } else {
        config.body_limit
    };
    let state = Arc::new(routes::AppState { store, body_limit });
    let mut app = routes::router(state);
    if let Some((user, password)) = config.basic_auth {
        let creds = Arc::new(auth::Credentials { user, password });
        app = app.layer(axum::middleware::from_fn_with_state(creds, auth::require_basic));
    }
    let addr = listener.local_addr()?;
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = rx.await;
            })
            .await
    });
    tracing::info!(%addr, "schema registry listening");
    Ok(RunningServer {
        addr,
        shutdown: Some(tx),
        task,
    })
}
