//! The HTTP side of `switchyard run --http ADDR`: the dashboard at `/`, Prometheus `/metrics`, `/health`
//! (the process is up), `/ready` (the pipeline is built and consuming), and `/api/stats` (the counters as
//! JSON, which the dashboard polls).
//!
//! The dashboard is one HTML page and one script, embedded in the binary so that it works without network
//! access; the script only ever writes data into the page as text, and the Content-Security-Policy allows
//! no script but its own.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, Result};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderName, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use switchyard_router::Metrics;

#[derive(Clone)]
struct AppState {
    metrics: Arc<Metrics>,
    ready: Arc<AtomicBool>,
}

/// Bind `addr` and serve until the process ends; returns the bound address.
pub async fn serve(addr: SocketAddr, metrics: Arc<Metrics>, ready: Arc<AtomicBool>) -> Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr} for --http"))?;
    let bound = listener.local_addr()?;
    // Rates and the throughput history are computed from a sample of the counters taken every second.
    let sampled = metrics.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tick.tick().await;
            sampled.sample();
        }
    });
    let app = Router::new()
        .route("/", get(dashboard))
        .route("/dashboard.js", get(dashboard_js))
        .route("/metrics", get(metrics_text))
        .route("/health", get(|| async { "ok\n" }))
        .route("/ready", get(ready_state))
        .route("/api/stats", get(stats))
        .with_state(AppState { metrics, ready });
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!("http server stopped: {e}");
        }
    });
    Ok(bound)
}

async fn metrics_text(State(s): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        s.metrics.prometheus(),
    )
}

async fn ready_state(State(s): State<AppState>) -> impl IntoResponse {
    if s.ready.load(Ordering::Relaxed) {
        (StatusCode::OK, "ready\n")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "starting\n")
    }
}

async fn stats(State(s): State<AppState>) -> impl IntoResponse {
    let mut body = s.metrics.snapshot();
    if let Some(o) = body.as_object_mut() {
        o.insert("ready".into(), s.ready.load(Ordering::Relaxed).into());
    }
    ([(header::CACHE_CONTROL, "no-store")], axum::Json(body))
}

const DASHBOARD_HTML: &str = include_str!("dashboard.html");
const DASHBOARD_JS: &str = include_str!("dashboard.js");

/// Headers that keep the page to its own script and its own origin.
const PAGE_HEADERS: [(HeaderName, &str); 3] = [
    (
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:",
    ),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::CACHE_CONTROL, "no-cache"),
];

async fn dashboard() -> impl IntoResponse {
    (
        PAGE_HEADERS,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        DASHBOARD_HTML,
    )
}

async fn dashboard_js() -> impl IntoResponse {
    (
        PAGE_HEADERS,
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        DASHBOARD_JS,
    )
}
