//! An async client for the Confluent Schema Registry REST API.
//!
//! Every endpoint a CDC pipeline, a CI gate or a registry copy needs is a method here. Reads by id go
//! through a bounded cache because ids are immutable: decoding a topic fetches each id once. Subject
//! names may carry a context (`:.ctx:subject`); they are percent-encoded into the path like any other.

mod cache;
mod config;
mod error;
mod http;

use std::sync::Arc;

use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::json;
use switchyard_schema::{CompatibilityLevel, JsonSchema, ResolvedReference};

pub use cache::{CacheStats, CachedSchema};
pub use config::{Auth, RegistryConfig, Secret};
pub use error::RegistryError;
pub use http::CONTENT_TYPE;

use crate::types::{
    CompatibilityCheck, ConfigBody, Mode, ModeBody, RegisterRequest, RegisterResponse, RegisteredSchema,
    SchemaReference, SchemaString, SchemaType, SubjectVersion, VersionSpec,
};

/// Percent-encode one path segment (everything but RFC 3986 unreserved characters).
pub fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A Schema Registry client. Cheap to clone; clones share the connection pool and the cache.
#[derive(Debug, Clone)]
pub struct RegistryClient {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    transport: http::Transport,
    shared: Arc<Shared>,
}

/// What clients made by [`RegistryClient::with_own_connections`] share with the client they came from.
#[derive(Debug)]
struct Shared {
    cache: std::sync::Mutex<cache::LruCache>,
    /// Lookups by id answered from the cache, and those that had to ask the registry.
    counters: cache::CacheCounters,
    /// Serialises cache misses so that concurrent readers of one id cause one request.
    fetch_lock: tokio::sync::Mutex<()>,
}

impl RegistryClient {
    /// Build a client; fails only on configuration errors (bad CA file).
    pub fn new(config: RegistryConfig) -> Result<Self, RegistryError> {
        let capacity = config.cache_capacity;
        Ok(Self {
            inner: Arc::new(Inner {
                transport: http::Transport::new(config)?,
                shared: Arc::new(Shared {
                    cache: std::sync::Mutex::new(cache::LruCache::new(capacity)),
                    counters: cache::CacheCounters::default(),
                    fetch_lock: tokio::sync::Mutex::new(()),
                }),
            }),
        })
    }

    /// A client with the same settings, schema cache and cache counters, but HTTP connections of its
    /// own: for use on another thread's tokio runtime (a connection belongs to the runtime that opened
    /// it, and dies with it).
    pub fn with_own_connections(&self) -> Result<Self, RegistryError> {
        Ok(Self {
            inner: Arc::new(Inner {
                transport: http::Transport::new(self.config().clone())?,
                shared: self.inner.shared.clone(),
            }),
        })
    }

    /// A client for one URL (or a comma-separated list) with default settings.
    pub fn from_url(urls: &str) -> Result<Self, RegistryError> {
        Self::new(RegistryConfig::new(urls)?)
    }

    /// The configuration in use.
    pub fn config(&self) -> &RegistryConfig {
        self.inner.transport.config()
    }

    async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T, RegistryError> {
        self.inner
            .transport
            .request::<(), T>(Method::GET, path, query, None)
            .await
    }

    async fn send<B: serde::Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: &B,
    ) -> Result<T, RegistryError> {
        self.inner
            .transport
            .request(method, path, query, Some(body))
            .await
    }

    async fn delete<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T, RegistryError> {
        self.inner
            .transport
            .request::<(), T>(Method::DELETE, path, query, None)
            .await
    }

    // ---- schemas by id ----

    /// `GET /schemas/ids/{id}` through the cache, with JSON schemas parsed (their references resolved).
    /// Each id reaches the network once while it stays in the cache.
    pub async fn get_schema_by_id(&self, id: i32) -> Result<Arc<CachedSchema>, RegistryError> {
        if let Some(hit) = self.cache_get(id) {
            self.inner.shared.counters.hit();
            return Ok(hit);
        }
        let _guard = self.inner.shared.fetch_lock.lock().await;
        // Another task may have fetched the id while this one waited for the lock.
        if let Some(hit) = self.cache_get(id) {
            self.inner.shared.counters.hit();
            return Ok(hit);
        }
        self.inner.shared.counters.miss();
        let raw = self.get_schema_string(id, None).await?;
        let json = if raw.schema_type == SchemaType::Json {
            let refs = self.resolve_references(&raw.references).await?;
            Some(
                JsonSchema::parse(&raw.schema, &refs)
                    .map_err(|source| RegistryError::Schema { id, source })?,
            )
        } else {
            None
        };
        let entry = Arc::new(CachedSchema {
            id,
            schema_type: raw.schema_type,
            schema: raw.schema,
            references: raw.references,
            json,
        });
        if let Ok(mut c) = self.inner.shared.cache.lock() {
            c.insert(entry.clone());
        }
        Ok(entry)
    }

    /// How many schemas the id cache holds now.
    pub fn cached_schemas(&self) -> usize {
        self.inner.shared.cache.lock().map(|c| c.len()).unwrap_or(0)
    }

    /// Hits and misses of the id cache so far, and how full it is.
    pub fn cache_stats(&self) -> CacheStats {
        self.inner
            .shared
            .counters
            .stats(self.cached_schemas(), self.config().cache_capacity)
    }

    fn cache_get(&self, id: i32) -> Option<Arc<CachedSchema>> {
        self.inner.shared.cache.lock().ok().and_then(|mut c| c.get(id))
    }

    /// Fetch every schema `references` names, transitively, as the schema crate wants them.
    pub async fn resolve_references(
        &self,
        references: &[SchemaReference],
    ) -> Result<Vec<ResolvedReference>, RegistryError> {
        let mut out: Vec<ResolvedReference> = Vec::new();
        let mut queue: Vec<SchemaReference> = references.to_vec();
        let mut seen = std::collections::HashSet::new();
        while let Some(r) = queue.pop() {
            if !seen.insert((r.subject.clone(), r.version, r.name.clone())) {
                continue;
            }
            // `deleted=true`: a soft-deleted version still resolves, as it does in the registry itself.
            let reg = self
                .get_version(&r.subject, VersionSpec::Number(r.version), true)
                .await?;
            queue.extend(reg.references.iter().cloned());
            out.push(ResolvedReference {
                name: r.name,
                schema: reg.schema,
            });
        }
        Ok(out)
    }

    /// `GET /schemas/ids/{id}` (optionally `?subject=`), uncached.
    pub async fn get_schema_string(
        &self,
        id: i32,
        subject: Option<&str>,
    ) -> Result<SchemaString, RegistryError> {
        let query: Vec<(&str, String)> = subject.map(|s| ("subject", s.to_string())).into_iter().collect();
        self.get(&format!("/schemas/ids/{id}"), &query).await
    }

    /// `GET /schemas/ids/{id}/versions`: every (subject, version) using the id.
    pub async fn get_schema_versions(&self, id: i32) -> Result<Vec<SubjectVersion>, RegistryError> {
        self.get(&format!("/schemas/ids/{id}/versions"), &[]).await
    }

    /// `GET /schemas/ids/{id}/subjects`.
    pub async fn get_schema_subjects(&self, id: i32) -> Result<Vec<String>, RegistryError> {
        self.get(&format!("/schemas/ids/{id}/subjects"), &[]).await
    }

    /// `GET /schemas/types`.
    pub async fn schema_types(&self) -> Result<Vec<String>, RegistryError> {
        self.get("/schemas/types", &[]).await
    }

    // ---- subjects and versions ----

    /// `GET /subjects` (`?deleted=true` to include soft-deleted subjects).
    pub async fn subjects(&self, deleted: bool) -> Result<Vec<String>, RegistryError> {
        self.get("/subjects", &[("deleted", deleted.to_string())]).await
    }

    /// `GET /subjects/{s}/versions`.
    pub async fn versions(&self, subject: &str, deleted: bool) -> Result<Vec<i32>, RegistryError> {
        self.get(
            &format!("/subjects/{}/versions", encode_segment(subject)),
            &[("deleted", deleted.to_string())],
        )
        .await
    }

    /// `GET /subjects/{s}/versions/{v|latest}`.
    pub async fn get_version(
        &self,
        subject: &str,
        version: VersionSpec,
        deleted: bool,
    ) -> Result<RegisteredSchema, RegistryError> {
        let path = format!("/subjects/{}/versions/{version}", encode_segment(subject));
        let query: Vec<(&str, String)> = if deleted {
            vec![("deleted", "true".into())]
        } else {
            vec![]
        };
        self.get(&path, &query).await
    }

    /// `GET /subjects/{s}/versions/latest`.
    pub async fn latest(&self, subject: &str) -> Result<RegisteredSchema, RegistryError> {
        self.get_version(subject, VersionSpec::Latest, false).await
    }

    /// `GET /subjects/{s}/versions/{v}/referencedby`: ids of schemas referencing that version.
    pub async fn referenced_by(&self, subject: &str, version: i32) -> Result<Vec<i32>, RegistryError> {
        self.get(
            &format!(
                "/subjects/{}/versions/{version}/referencedby",
                encode_segment(subject)
            ),
            &[],
        )
        .await
    }

    /// `POST /subjects/{s}`: is this schema registered under the subject, and as which version?
    pub async fn lookup(
        &self,
        subject: &str,
        schema: &RegisterRequest,
        deleted: bool,
    ) -> Result<RegisteredSchema, RegistryError> {
        let path = format!("/subjects/{}", encode_segment(subject));
        self.send(Method::POST, &path, &[("deleted", deleted.to_string())], schema)
            .await
    }

    /// `POST /subjects/{s}/versions`: register (or find) the schema; returns its global id.
    pub async fn register(&self, subject: &str, schema: &RegisterRequest) -> Result<i32, RegistryError> {
        let path = format!("/subjects/{}/versions", encode_segment(subject));
        let resp: RegisterResponse = self.send(Method::POST, &path, &[], schema).await?;
        Ok(resp.id)
    }

    /// `DELETE /subjects/{s}` (soft, or `?permanent=true`): the versions deleted.
    pub async fn delete_subject(&self, subject: &str, permanent: bool) -> Result<Vec<i32>, RegistryError> {
        let path = format!("/subjects/{}", encode_segment(subject));
        self.delete(&path, &[("permanent", permanent.to_string())]).await
    }

    /// `DELETE /subjects/{s}/versions/{v}` (soft, or `?permanent=true`): the version deleted.
    pub async fn delete_version(
        &self,
        subject: &str,
        version: VersionSpec,
        permanent: bool,
    ) -> Result<i32, RegistryError> {
        let path = format!("/subjects/{}/versions/{version}", encode_segment(subject));
        self.delete(&path, &[("permanent", permanent.to_string())]).await
    }

    // ---- compatibility ----

    /// `POST /compatibility/subjects/{s}/versions/{v}` (`?verbose=true` for reasons).
    pub async fn test_compatibility(
        &self,
        subject: &str,
        version: VersionSpec,
        schema: &RegisterRequest,
        verbose: bool,
    ) -> Result<CompatibilityCheck, RegistryError> {
        let path = format!(
            "/compatibility/subjects/{}/versions/{version}",
            encode_segment(subject)
        );
        self.send(Method::POST, &path, &[("verbose", verbose.to_string())], schema)
            .await
    }

    /// `GET /config` or `GET /config/{s}` (`default_to_global` falls back to the global level).
    pub async fn get_config(
        &self,
        subject: Option<&str>,
        default_to_global: bool,
    ) -> Result<CompatibilityLevel, RegistryError> {
        let (path, query) = lookup("config", subject, default_to_global);
        let body: ConfigBody = self.get(&path, &query).await?;
        parse_level(&path, body.level())
    }

    /// `PUT /config` or `PUT /config/{s}`; returns the level now in force.
    pub async fn set_config(
        &self,
        subject: Option<&str>,
        level: CompatibilityLevel,
    ) -> Result<CompatibilityLevel, RegistryError> {
        let path = scoped("config", subject);
        let body: ConfigBody = self
            .send(
                Method::PUT,
                &path,
                &[],
                &json!({"compatibility": level.to_string()}),
            )
            .await?;
        parse_level(&path, body.level())
    }

    /// `DELETE /config/{s}` (subject falls back to the global level) or `DELETE /config` (reset global).
    pub async fn delete_config(
        &self,
        subject: Option<&str>,
    ) -> Result<Option<CompatibilityLevel>, RegistryError> {
        let path = scoped("config", subject);
        let body: ConfigBody = self.delete(&path, &[]).await?;
        body.level().map(|l| parse_level(&path, Some(l))).transpose()
    }

    // ---- mode ----

    /// `GET /mode` or `GET /mode/{s}`.
    pub async fn get_mode(
        &self,
        subject: Option<&str>,
        default_to_global: bool,
    ) -> Result<Mode, RegistryError> {
        let (path, query) = lookup("mode", subject, default_to_global);
        let body: ModeBody = self.get(&path, &query).await?;
        parse_mode(&path, &body.mode)
    }

    /// `PUT /mode` or `PUT /mode/{s}` (`force` to enter IMPORT with existing schemas).
    pub async fn set_mode(
        &self,
        subject: Option<&str>,
        mode: Mode,
        force: bool,
    ) -> Result<Mode, RegistryError> {
        let path = scoped("mode", subject);
        let body: ModeBody = self
            .send(
                Method::PUT,
                &path,
                &[("force", force.to_string())],
                &json!({"mode": mode.to_string()}),
            )
            .await?;
        parse_mode(&path, &body.mode)
    }

    /// `DELETE /mode/{s}`: the subject falls back to the global mode.
    pub async fn delete_mode(&self, subject: &str) -> Result<Mode, RegistryError> {
        let path = scoped("mode", Some(subject));
        let body: ModeBody = self.delete(&path, &[]).await?;
        parse_mode(&path, &body.mode)
    }

    /// `GET /contexts`.
    pub async fn contexts(&self) -> Result<Vec<String>, RegistryError> {
        self.get("/contexts", &[]).await
    }
}

/// `/{root}` (the global setting) or `/{root}/{subject}`, for `/config` and `/mode`.
fn scoped(root: &str, subject: Option<&str>) -> String {
    match subject {
        None => format!("/{root}"),
        Some(s) => format!("/{root}/{}", encode_segment(s)),
    }
}

/// The path and query that read a `/config` or `/mode` setting (`defaultToGlobal` applies to subjects).
fn lookup(
    root: &str,
    subject: Option<&str>,
    default_to_global: bool,
) -> (String, Vec<(&'static str, String)>) {
    let query = match subject {
        None => vec![],
        Some(_) => vec![("defaultToGlobal", default_to_global.to_string())],
    };
    (scoped(root, subject), query)
}

fn parse_level(path: &str, level: Option<&str>) -> Result<CompatibilityLevel, RegistryError> {
    let level = level.ok_or_else(|| RegistryError::Decode {
        url: path.to_string(),
        reason: "config answer carries neither `compatibilityLevel` nor `compatibility`".to_string(),
    })?;
    level.parse().map_err(|e: String| RegistryError::Decode {
        url: path.to_string(),
        reason: e,
    })
}

fn parse_mode(path: &str, mode: &str) -> Result<Mode, RegistryError> {
    mode.parse().map_err(|e: String| RegistryError::Decode {
        url: path.to_string(),
        reason: e,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn encodes_context_subjects() {
        assert_eq!(
            super::encode_segment(":.ctx:orders-value"),
            "%3A.ctx%3Aorders-value"
        );
        assert_eq!(super::encode_segment("a/b c"), "a%2Fb%20c");
    }

    #[tokio::test]
    #[allow(clippy::unwrap_used)]
    async fn counts_cache_hits_and_misses() {
        use crate::types::{RegisterRequest, SchemaType};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let server = crate::start(listener, crate::ServerConfig::default())
            .await
            .unwrap();
        let c = super::RegistryClient::from_url(&server.url()).unwrap();
        let id = c
            .register(
                "t-value",
                &RegisterRequest::new(r#"{"type":"object"}"#, SchemaType::Json),
            )
            .await
            .unwrap();
        assert_eq!(c.cache_stats().misses, 0, "registering is not a lookup by id");
        for _ in 0..3 {
            c.get_schema_by_id(id).await.unwrap();
        }
        assert!(c.get_schema_by_id(id + 1000).await.is_err());
        let stats = c.cache_stats();
        assert_eq!((stats.hits, stats.misses), (2, 2));
        assert_eq!((stats.entries, stats.capacity), (1, 1000));
        // Clones share the counters.
        c.clone().get_schema_by_id(id).await.unwrap();
        assert_eq!(c.cache_stats().hits, 3);
    }
}
