//! Client configuration, spelled with Confluent's property names so existing client configs work as is.
//!
//! Secrets (passwords, bearer tokens) are wrapped in [`Secret`], whose `Debug` and `Display` print
//! `***`, so configs can be logged without leaking credentials.

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use super::RegistryError;

/// A string that never appears in `Debug` or `Display` output.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wrap a secret.
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    /// The secret itself, for putting on the wire.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// How the client authenticates.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Auth {
    /// No credentials.
    #[default]
    None,
    /// HTTP basic auth (`basic.auth.user.info`, or credentials in the URL).
    Basic {
        /// The user name.
        user: String,
        /// The password.
        password: Secret,
    },
    /// A static bearer token (`bearer.auth.token`).
    Bearer {
        /// The token.
        token: Secret,
        /// Confluent Cloud logical cluster, sent as `target-sr-cluster` (`bearer.auth.logical.cluster`).
        logical_cluster: Option<String>,
        /// Confluent Cloud identity pool, sent as `Confluent-Identity-Pool-Id` (`bearer.auth.identity.pool.id`).
        identity_pool_id: Option<String>,
    },
}

/// Everything the client needs to reach a registry.
#[derive(Debug, Clone)]
pub struct RegistryConfig {
    /// Base URLs, tried in order; a transient failure moves on to the next (`schema.registry.url`,
    /// comma-separated). Credentials embedded in URLs are moved into [`Auth::Basic`].
    pub urls: Vec<String>,
    /// Credentials.
    pub auth: Auth,
    /// A PEM file of CA certificates to trust instead of the system roots (`schema.registry.ssl.ca.location`).
    pub ca_location: Option<PathBuf>,
    /// Per-request timeout (`request.timeout.ms`, default 30 s).
    pub request_timeout: Duration,
    /// Connection timeout (`connect.timeout.ms`, default 10 s).
    pub connect_timeout: Duration,
    /// Retries after the first attempt over all URLs for transient failures (`max.retries`, default 3).
    pub max_retries: u32,
    /// First backoff between rounds of attempts, doubled each round (`retries.wait.ms`, default 1000 ms).
    pub retry_backoff: Duration,
    /// Upper bound of the backoff (`retries.max.wait.ms`, default 20 s).
    pub retry_backoff_max: Duration,
    /// How many id → schema entries the cache keeps (`cache.capacity`, default 1000).
    pub cache_capacity: usize,
}

impl Default for RegistryConfig {
    fn default() -> Self {
        Self {
            urls: vec!["http://127.0.0.1:8081".to_string()],
            auth: Auth::None,
            ca_location: None,
            request_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            max_retries: 3,
            retry_backoff: Duration::from_millis(1000),
            retry_backoff_max: Duration::from_secs(20),
            cache_capacity: 1000,
        }
    }
}

impl RegistryConfig {
    /// A config for one or more comma-separated URLs with defaults for everything else.
    pub fn new(urls: &str) -> Result<Self, RegistryError> {
        let mut props = HashMap::new();
        props.insert("schema.registry.url".to_string(), urls.to_string());
        Self::from_properties(&props)
    }

    /// Build a config from Confluent client properties.
    ///
    /// Understood: `schema.registry.url` (or `url`), `basic.auth.credentials.source` (`USER_INFO`,
    /// `URL`), `basic.auth.user.info` (`user:password`), `bearer.auth.credentials.source`
    /// (`STATIC_TOKEN`), `bearer.auth.token`, `bearer.auth.logical.cluster`, `bearer.auth.identity.pool.id`,
    /// `schema.registry.ssl.ca.location`, `request.timeout.ms`,
    /// `connect.timeout.ms`, `max.retries`, `retries.wait.ms`, `retries.max.wait.ms`, `cache.capacity`.
    /// Unknown properties are ignored (they usually belong to the Kafka client sharing the map).
    pub fn from_properties(props: &HashMap<String, String>) -> Result<Self, RegistryError> {
        let mut cfg = Self::default();
        let raw = props
            .get("schema.registry.url")
            .or_else(|| props.get("url"))
            .ok_or_else(|| RegistryError::Config("`schema.registry.url` is not set".to_string()))?;
        let mut url_creds: Option<(String, String)> = None;
        cfg.urls = Vec::new();
        for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let mut url = reqwest::Url::parse(part)
                .map_err(|e| RegistryError::Config(format!("`{part}` is not a valid URL: {e}")))?;
            if !matches!(url.scheme(), "http" | "https") {
                return Err(RegistryError::Config(format!(
                    "`{part}`: only http and https URLs are supported"
                )));
            }
            if !url.username().is_empty() {
                let user = decode_percent(url.username());
                let pass = decode_percent(url.password().unwrap_or(""));
                url_creds.get_or_insert((user, pass));
                let _ = url.set_username("");
                let _ = url.set_password(None);
            }
            cfg.urls.push(url.as_str().trim_end_matches('/').to_string());
        }
        if cfg.urls.is_empty() {
            return Err(RegistryError::Config(
                "`schema.registry.url` lists no URL".to_string(),
            ));
        }

        let basic_source = props
            .get("basic.auth.credentials.source")
            .map(|s| s.to_ascii_uppercase());
        let user_info = props.get("basic.auth.user.info");
        match basic_source.as_deref() {
            Some("URL") => {
                let (user, pass) = url_creds.ok_or_else(|| {
                    RegistryError::Config(
                        "basic.auth.credentials.source=URL but no URL carries user:password@".to_string(),
                    )
                })?;
                cfg.auth = Auth::Basic {
                    user,
                    password: Secret(pass),
                };
            }
            Some("USER_INFO") | None if user_info.is_some() => {
                let info = user_info.map(String::as_str).unwrap_or_default();
                let (user, pass) = info.split_once(':').ok_or_else(|| {
                    RegistryError::Config("`basic.auth.user.info` must be `user:password`".to_string())
                })?;
                cfg.auth = Auth::Basic {
                    user: user.to_string(),
                    password: Secret(pass.to_string()),
                };
            }
            Some("USER_INFO") => {
                return Err(RegistryError::Config(
                    "basic.auth.credentials.source=USER_INFO but `basic.auth.user.info` is not set"
                        .to_string(),
                ));
            }
            None => {
                if let Some((user, pass)) = url_creds {
                    cfg.auth = Auth::Basic {
                        user,
                        password: Secret(pass),
                    };
                }
            }
            Some(other) => {
                return Err(RegistryError::Config(format!(
                    "basic.auth.credentials.source `{other}` is not supported (use USER_INFO or URL)"
                )));
            }
        }

        let bearer_source = props
            .get("bearer.auth.credentials.source")
            .map(|s| s.to_ascii_uppercase());
        match (bearer_source.as_deref(), props.get("bearer.auth.token")) {
            (Some("STATIC_TOKEN") | None, Some(token)) => {
                if cfg.auth != Auth::None {
                    return Err(RegistryError::Config(
                        "both basic and bearer authentication are configured; choose one".to_string(),
                    ));
                }
                cfg.auth = Auth::Bearer {
                    token: Secret(token.clone()),
                    logical_cluster: props.get("bearer.auth.logical.cluster").cloned(),
                    identity_pool_id: props.get("bearer.auth.identity.pool.id").cloned(),
                };
            }
            (Some("STATIC_TOKEN"), None) => {
                return Err(RegistryError::Config(
                    "bearer.auth.credentials.source=STATIC_TOKEN but `bearer.auth.token` is not set"
                        .to_string(),
                ));
            }
            (Some(other), _) => {
                return Err(RegistryError::Config(format!(
                    "bearer.auth.credentials.source `{other}` is not supported (use STATIC_TOKEN)"
                )));
            }
            (None, None) => {}
        }

        cfg.ca_location = props.get("schema.registry.ssl.ca.location").map(PathBuf::from);
        if let Some(ms) = parse_num(props, "request.timeout.ms")? {
            cfg.request_timeout = Duration::from_millis(ms);
        }
        if let Some(ms) = parse_num(props, "connect.timeout.ms")? {
            cfg.connect_timeout = Duration::from_millis(ms);
        }
        if let Some(n) = parse_num(props, "max.retries")? {
            cfg.max_retries = u32::try_from(n).unwrap_or(u32::MAX);
        }
        if let Some(ms) = parse_num(props, "retries.wait.ms")? {
            cfg.retry_backoff = Duration::from_millis(ms);
        }
        if let Some(ms) = parse_num(props, "retries.max.wait.ms")? {
            cfg.retry_backoff_max = Duration::from_millis(ms);
        }
        if let Some(n) = parse_num(props, "cache.capacity")? {
            cfg.cache_capacity = usize::try_from(n).unwrap_or(usize::MAX).max(1);
        }
        Ok(cfg)
    }
}

fn parse_num(props: &HashMap<String, String>, key: &str) -> Result<Option<u64>, RegistryError> {
    props
        .get(key)
        .map(|v| {
            v.trim().parse::<u64>().map_err(|_| {
                RegistryError::Config(format!("`{key}` must be a non-negative integer, got `{v}`"))
            })
        })
        .transpose()
}

/// Undo percent-encoding in URL user info (`p%40ss` → `p@ss`).
fn decode_percent(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn urls_and_user_info() {
        let cfg = RegistryConfig::from_properties(&props(&[
            ("schema.registry.url", "http://a:8081/, https://b:8082"),
            ("basic.auth.credentials.source", "USER_INFO"),
            ("basic.auth.user.info", "alice:s3cret"),
            ("max.retries", "5"),
        ]))
        .unwrap();
        assert_eq!(cfg.urls, vec!["http://a:8081", "https://b:8082"]);
        assert_eq!(cfg.max_retries, 5);
        let dbg = format!("{cfg:?}");
        assert!(!dbg.contains("s3cret"), "{dbg}");
        assert!(matches!(cfg.auth, Auth::Basic { ref user, .. } if user == "alice"));
    }

    #[test]
    fn url_credentials_are_moved_out_of_the_url() {
        let cfg = RegistryConfig::from_properties(&props(&[
            ("schema.registry.url", "http://bob:p%40ss@reg:8081"),
            ("basic.auth.credentials.source", "URL"),
        ]))
        .unwrap();
        assert_eq!(cfg.urls, vec!["http://reg:8081"]);
        match cfg.auth {
            Auth::Basic { user, password } => {
                assert_eq!(user, "bob");
                assert_eq!(password.expose(), "p@ss");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn ca_location_must_be_a_readable_pem_file() {
        let cfg = RegistryConfig::from_properties(&props(&[
            ("schema.registry.url", "https://reg:8081"),
            ("schema.registry.ssl.ca.location", "/nonexistent/ca.pem"),
        ]))
        .unwrap();
        let err = crate::RegistryClient::new(cfg).unwrap_err();
        assert!(err.to_string().contains("/nonexistent/ca.pem"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ca.pem");
        std::fs::write(&path, "not a certificate").unwrap();
        let cfg = RegistryConfig::from_properties(&props(&[
            ("schema.registry.url", "https://reg:8081"),
            ("schema.registry.ssl.ca.location", path.to_str().unwrap()),
        ]))
        .unwrap();
        assert!(crate::RegistryClient::new(cfg).is_err());
    }

    #[test]
    fn bearer_token_and_errors() {
        let cfg = RegistryConfig::from_properties(&props(&[
            ("schema.registry.url", "http://reg"),
            ("bearer.auth.credentials.source", "STATIC_TOKEN"),
            ("bearer.auth.token", "tok-123"),
        ]))
        .unwrap();
        assert!(matches!(cfg.auth, Auth::Bearer { .. }));
        assert!(!format!("{cfg:?}").contains("tok-123"));
        assert!(RegistryConfig::from_properties(&props(&[])).is_err());
        assert!(RegistryConfig::from_properties(&props(&[("schema.registry.url", "ftp://x")])).is_err());
        assert!(
            RegistryConfig::from_properties(&props(&[
                ("schema.registry.url", "http://x"),
                ("basic.auth.credentials.source", "USER_INFO"),
            ]))
            .is_err()
        );
    }
}
