//! The transport under [`super::RegistryClient`]: one request, tried across URLs and retried.
//!
//! Policy: within a round, a transient failure (timeout, refused connection, 5xx, 429) moves on to the
//! next URL; a permanent one (any other 4xx, an unparsable 2xx body) ends the request at once. After a
//! round in which every URL failed transiently the transport sleeps (exponential backoff, capped) and
//! starts another, at most `max_retries` more times. The URL that last answered is tried first next time.

use std::sync::atomic::{AtomicUsize, Ordering};

use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{Auth, RegistryConfig, RegistryError};
use crate::types::ErrorBody;

/// Confluent's content type; sent on requests and accepted on answers.
pub const CONTENT_TYPE: &str = "application/vnd.schemaregistry.v1+json";
const ACCEPT: &str =
    "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json, application/json";

/// Reqwest client plus the retry policy.
#[derive(Debug)]
pub(crate) struct Transport {
    http: reqwest::Client,
    config: RegistryConfig,
    preferred: AtomicUsize,
}

impl Transport {
    pub(crate) fn new(config: RegistryConfig) -> Result<Self, RegistryError> {
        if config.urls.is_empty() {
            return Err(RegistryError::Config("no registry URL configured".to_string()));
        }
        let mut builder = reqwest::Client::builder()
            .timeout(config.request_timeout)
            .connect_timeout(config.connect_timeout)
            .user_agent(concat!("switchyard-registry/", env!("CARGO_PKG_VERSION")));
        if let Some(path) = &config.ca_location {
            let pem = std::fs::read(path)
                .map_err(|e| RegistryError::Config(format!("cannot read CA file {}: {e}", path.display())))?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
                RegistryError::Config(format!(
                    "CA file {} holds no usable PEM certificate: {e}",
                    path.display()
                ))
            })?;
            if certs.is_empty() {
                return Err(RegistryError::Config(format!(
                    "CA file {} holds no PEM certificate",
                    path.display()
                )));
            }
            builder = builder.tls_built_in_root_certs(false);
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        let http = builder
            .build()
            .map_err(|e| RegistryError::Config(format!("cannot build the HTTP client: {e}")))?;
        Ok(Self {
            http,
            config,
            preferred: AtomicUsize::new(0),
        })
    }

    pub(crate) fn config(&self) -> &RegistryConfig {
        &self.config
    }

    /// Send `method path?query` with an optional JSON body and parse the JSON answer.
    pub(crate) async fn request<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&B>,
    ) -> Result<T, RegistryError> {
        let body = body
            .map(serde_json::to_vec)
            .transpose()
            .map_err(|e| RegistryError::Config(format!("cannot serialize request body: {e}")))?;
        let urls = &self.config.urls;
        let mut backoff = self.config.retry_backoff;
        let mut last_err = None;
        for round in 0..=self.config.max_retries {
            if round > 0 {
                tracing::debug!(
                    round,
                    ?backoff,
                    "retrying schema registry request after transient failure"
                );
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(self.config.retry_backoff_max);
            }
            let start = self.preferred.load(Ordering::Relaxed) % urls.len();
            for offset in 0..urls.len() {
                let idx = (start + offset) % urls.len();
                let url = format!("{}{}", urls[idx], path);
                match self.once::<T>(method.clone(), &url, query, body.as_deref()).await {
                    Ok(v) => {
                        self.preferred.store(idx, Ordering::Relaxed);
                        return Ok(v);
                    }
                    Err(e) if e.is_transient() => {
                        tracing::warn!(error = %e, "schema registry request failed; trying the next URL");
                        last_err = Some(e);
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        Err(last_err.unwrap_or_else(|| RegistryError::Config("no registry URL configured".to_string())))
    }

    async fn once<T: DeserializeOwned>(
        &self,
        method: Method,
        url: &str,
        query: &[(&str, String)],
        body: Option<&[u8]>,
    ) -> Result<T, RegistryError> {
        let mut req = self
            .http
            .request(method, url)
            .header(reqwest::header::ACCEPT, ACCEPT);
        if !query.is_empty() {
            req = req.query(query);
        }
        match &self.config.auth {
            Auth::None => {}
            Auth::Basic { user, password } => req = req.basic_auth(user, Some(password.expose())),
            Auth::Bearer {
                token,
                logical_cluster,
                identity_pool_id,
            } => {
                req = req.bearer_auth(token.expose());
                if let Some(c) = logical_cluster {
                    req = req.header("target-sr-cluster", c);
                }
                if let Some(p) = identity_pool_id {
                    req = req.header("Confluent-Identity-Pool-Id", p);
                }
            }
        }
        if let Some(body) = body {
            req = req
                .header(reqwest::header::CONTENT_TYPE, CONTENT_TYPE)
                .body(body.to_vec());
        }
        let resp = req
            .send()
            .await
            .map_err(|e| RegistryError::from_reqwest(url, &e))?;
        let status = resp.status();
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| RegistryError::from_reqwest(url, &e))?;
        if status.is_success() {
            let bytes: &[u8] = if bytes.is_empty() || status == StatusCode::NO_CONTENT {
                b"null"
            } else {
                &bytes
            };
            return serde_json::from_slice(bytes).map_err(|e| RegistryError::Decode {
                url: url.to_string(),
                reason: format!("{e}; body: {}", snippet(bytes)),
            });
        }
        let (code, message) = match serde_json::from_slice::<ErrorBody>(&bytes) {
            Ok(b) => (b.error_code, b.message),
            Err(_) => (
                i32::from(status.as_u16()),
                format!(
                    "{}{}",
                    status.canonical_reason().unwrap_or("error"),
                    if bytes.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", snippet(&bytes))
                    }
                ),
            ),
        };
        Err(RegistryError::Api {
            url: url.to_string(),
            status: status.as_u16(),
            code,
            message,
        })
    }
}

fn snippet(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(bytes);
    let mut out: String = s.chars().take(200).collect();
    if s.chars().count() > 200 {
        out.push('…');
    }
    out
}
