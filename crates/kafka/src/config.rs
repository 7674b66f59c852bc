//! Client configuration the way Kafka users already write it: a Confluent `client.properties` file taken as
//! is, `${ENV}` interpolation for secrets, and flags that beat the file.
//!
//! One [`ClientConfig`] holds both worlds a Confluent client file mixes: the Kafka client properties (handed
//! to librdkafka) and the Schema Registry ones (`schema.registry.url`, `basic.auth.*`, `bearer.auth.*`),
//! which [`ClientConfig::registry_properties`] splits off. Java-only settings that librdkafka does not know
//! are translated (`sasl.jaas.config` → `sasl.username`/`sasl.password`) or dropped with a note, so a file
//! copied from Confluent Cloud's "Java client" snippet works unchanged. Secrets never reach `Debug` or logs.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

/// Why configuration could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A line is not `key=value`.
    #[error("{path}:{line}: expected `key=value`, found `{text}`")]
    Syntax {
        /// The file.
        path: String,
        /// 1-based line number.
        line: usize,
        /// The offending line.
        text: String,
    },
    /// `${NAME}` names an unset environment variable.
    #[error("`{key}` refers to environment variable `{var}`, which is not set")]
    MissingEnv {
        /// The property.
        key: String,
        /// The variable.
        var: String,
    },
    /// `sasl.jaas.config` could not be understood.
    #[error(
        "cannot read username and password from sasl.jaas.config (expected `… username=\"…\" password=\"…\";`)"
    )]
    Jaas,
}

/// Property names whose values are secrets: never printed.
const SECRET_KEYS: [&str; 9] = [
    "sasl.password",
    "sasl.jaas.config",
    "sasl.oauthbearer.client.secret",
    "ssl.key.password",
    "ssl.keystore.password",
    "ssl.truststore.password",
    "basic.auth.user.info",
    "bearer.auth.token",
    "schema.registry.basic.auth.user.info",
];

/// Java client settings with no librdkafka equivalent; dropped before the client is built.
const JAVA_ONLY: [&str; 8] = [
    "client.dns.lookup",
    "key.serializer",
    "value.serializer",
    "key.deserializer",
    "value.deserializer",
    "ssl.truststore.location",
    "ssl.truststore.type",
    "use.latest.version",
];

/// Whether a property holds a secret.
pub fn is_secret(key: &str) -> bool {
    SECRET_KEYS.contains(&key) || key.ends_with(".password") || key.ends_with("user.info")
}

/// Whether a property belongs to the Schema Registry client rather than Kafka.
pub fn is_registry_key(key: &str) -> bool {
    key.starts_with("schema.registry.") || key.starts_with("basic.auth.") || key.starts_with("bearer.auth.")
}

/// Kafka and Schema Registry client properties, in Confluent's spelling.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ClientConfig {
    props: BTreeMap<String, String>,
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.redacted()).finish()
    }
}

impl ClientConfig {
    /// An empty configuration.
    pub fn new() -> Self {
        Self::default()
    }

    /// Read a `client.properties` file (Java properties syntax), interpolating `${NAME}` / `${env:NAME}`.
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&text, &path.display().to_string(), &|v| std::env::var(v).ok())
    }

    /// Parse properties text; `env` looks up variables for interpolation.
    pub fn parse(
        text: &str,
        origin: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let mut cfg = ClientConfig::new();
        for (key, value) in logical_lines(text, origin)? {
            let value = interpolate(&value, &key, env)?;
            cfg.props.insert(key, value);
        }
        Ok(cfg)
    }

    /// Set a property (flags call this after the file, so they win).
    pub fn set(&mut self, key: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.props.insert(key.into(), value.into());
        self
    }

    /// Set a property only if it is not set yet (defaults call this last).
    pub fn set_default(&mut self, key: &str, value: &str) -> &mut Self {
        self.props
            .entry(key.to_string())
            .or_insert_with(|| value.to_string());
        self
    }

    /// Merge `other` over `self`: `other`'s properties win.
    pub fn overlay(&mut self, other: &ClientConfig) -> &mut Self {
        for (k, v) in &other.props {
            self.props.insert(k.clone(), v.clone());
        }
        self
    }

    /// A property's value.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.props.get(key).map(String::as_str)
    }

    /// `bootstrap.servers`, if set.
    pub fn bootstrap(&self) -> Option<&str> {
        self.get("bootstrap.servers")
    }

    /// The Schema Registry properties (`schema.registry.url`, `basic.auth.*`, …), for the registry client.
    pub fn registry_properties(&self) -> BTreeMap<String, String> {
        self.props
            .iter()
            .filter(|(k, _)| is_registry_key(k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// All properties with secret values replaced by `***`, for logs and `explain`.
    pub fn redacted(&self) -> BTreeMap<String, String> {
        self.props
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    if is_secret(k) {
                        "***".to_string()
                    } else {
                        v.clone()
                    },
                )
            })
            .collect()
    }

    /// The properties librdkafka should see: registry keys removed, Java-only keys dropped,
    /// `sasl.jaas.config` turned into `sasl.username`/`sasl.password`. Returns them and notes on what changed.
    pub fn kafka_properties(&self) -> Result<(BTreeMap<String, String>, Vec<String>), ConfigError> {
        let mut out = BTreeMap::new();
        let mut notes = Vec::new();
        for (k, v) in &self.props {
            if is_registry_key(k) {
                continue;
            }
            if JAVA_ONLY.contains(&k.as_str()) {
                notes.push(format!(
                    "ignoring Java-client setting `{k}` (librdkafka has no equivalent)"
                ));
                continue;
            }
            if k == "sasl.jaas.config" {
                let (user, pass) = parse_jaas(v).ok_or(ConfigError::Jaas)?;
                out.entry("sasl.username".to_string()).or_insert(user);
                out.entry("sasl.password".to_string()).or_insert(pass);
                notes.push("translated sasl.jaas.config into sasl.username/sasl.password".into());
                continue;
            }
            out.insert(k.clone(), v.clone());
        }
        Ok((out, notes))
    }
}

/// Java properties: `key=value`, `key: value` or `key value`; `#`/`!` comments; `\` continues a line.
fn logical_lines(text: &str, origin: &str) -> Result<Vec<(String, String)>, ConfigError> {
    let mut out = Vec::new();
    let mut pending: Option<(usize, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_start();
        let (start, mut acc) = match pending.take() {
            Some((start, acc)) => (start, acc),
            None => {
                if line.is_empty() || line.starts_with('#') || line.starts_with('!') {
                    continue;
                }
                (i + 1, String::new())
            }
        };
        // An odd number of trailing backslashes continues the line.
        let trailing = line.chars().rev().take_while(|c| *c == '\\').count();
        if trailing % 2 == 1 {
            acc.push_str(&line[..line.len() - 1]);
            pending = Some((start, acc));
            continue;
        }
        acc.push_str(line);
        match split_property(&acc) {
            (key, Some(value)) if !key.is_empty() => out.push((key.to_string(), unescape(value))),
            _ => {
                return Err(ConfigError::Syntax {
                    path: origin.to_string(),
                    line: start,
                    text: acc,
                });
            }
        }
    }
    if let Some((start, acc)) = pending {
        match split_property(&acc) {
            (key, Some(value)) if !key.is_empty() => out.push((key.to_string(), unescape(value))),
            _ => {
                return Err(ConfigError::Syntax {
                    path: origin.to_string(),
                    line: start,
                    text: acc,
                });
            }
        }
    }
    Ok(out)
}

/// Split `key = value`, `key: value` or `key value` as Java's `Properties.load` does: the key ends at the
/// first `=`, `:` or white space; white space and one `=`/`:` after it are skipped. A line with a key and no
/// separator at all has no value.
fn split_property(line: &str) -> (&str, Option<&str>) {
    let Some(end) = line.find(|c: char| c == '=' || c == ':' || c.is_whitespace()) else {
        return (line.trim(), None);
    };
    let key = &line[..end];
    let rest = line[end..].trim_start();
    let rest = rest.strip_prefix(['=', ':']).unwrap_or(rest).trim_start();
    (key, Some(rest.trim_end()))
}

fn unescape(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

fn interpolate(value: &str, key: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<String, ConfigError> {
    interpolate_env(value, env).map_err(|var| ConfigError::MissingEnv {
        key: key.to_string(),
        var,
    })
}

/// Replace `${NAME}` and `${env:NAME}` in `value` with the variable's value, as Confluent's config
/// providers do; a `${` without `}` stays as written. The error is the name of an unset variable.
pub fn interpolate_env(value: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return Ok(out);
        };
        let name = &after[..end];
        let var = name.strip_prefix("env:").unwrap_or(name);
        out.push_str(&env(var).ok_or_else(|| var.to_string())?);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// `org.apache.kafka.common.security.plain.PlainLoginModule required username='K' password='S';`
fn parse_jaas(v: &str) -> Option<(String, String)> {
    fn field(v: &str, name: &str) -> Option<String> {
        let i = v.find(&format!("{name}="))? + name.len() + 1;
        let rest = &v[i..];
        let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
        let body = &rest[1..];
        let end = body.find(quote)?;
        Some(body[..end].to_string())
    }
    Some((field(v, "username")?, field(v, "password")?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        (name == "SR_SECRET").then(|| "k:s".to_string())
    }

    #[test]
    fn confluent_cloud_java_snippet_works_as_is() {
        let text = r#"
# Required connection configs for Kafka producer, consumer, and admin
bootstrap.servers=pkc-921jm.us-east-1.aws.confluent.cloud:9092
security.protocol=SASL_SSL
sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username='KEY' password='SECRET';
sasl.mechanism=PLAIN
client.dns.lookup=use_all_dns_ips
session.timeout.ms=45000
schema.registry.url=https://psrc-w7xg35.us-east-1.aws.confluent.cloud
basic.auth.credentials.source=USER_INFO
basic.auth.user.info=${SR_SECRET}
"#;
        let cfg = ClientConfig::parse(text, "client.properties", &env).unwrap();
        let (kafka, notes) = cfg.kafka_properties().unwrap();
        assert_eq!(kafka["sasl.username"], "KEY");
        assert_eq!(kafka["sasl.password"], "SECRET");
        assert!(!kafka.contains_key("client.dns.lookup") && !kafka.contains_key("schema.registry.url"));
        assert_eq!(notes.len(), 2);
        let reg = cfg.registry_properties();
        assert_eq!(reg["basic.auth.user.info"], "k:s");
        let shown = format!("{cfg:?}");
        assert!(!shown.contains("SECRET") && !shown.contains("k:s"), "{shown}");
    }

    #[test]
    fn syntax_and_missing_env_errors() {
        let err = ClientConfig::parse("a=1\n\nnovalue\n", "f", &env).unwrap_err();
        assert_eq!(err.to_string(), "f:3: expected `key=value`, found `novalue`");
        let err = ClientConfig::parse("sasl.password=${NOPE}", "f", &env).unwrap_err();
        assert!(err.to_string().contains("`NOPE`"));
    }

    #[test]
    fn continuation_colon_and_precedence() {
        let mut cfg = ClientConfig::parse("a: x\\\n  y\nb = ${env:SR_SECRET}", "f", &env).unwrap();
        assert_eq!(cfg.get("a"), Some("xy"));
        assert_eq!(cfg.get("b"), Some("k:s"));
        cfg.set("a", "flag")
            .set_default("a", "default")
            .set_default("c", "d");
        assert_eq!((cfg.get("a"), cfg.get("c")), (Some("flag"), Some("d")));
    }
}
