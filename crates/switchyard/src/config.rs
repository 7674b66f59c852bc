//! The `--config` file: a `switchyard.toml`, or a Confluent `client.properties` taken as is.
//!
//! ```toml
//! client-properties = "client.properties"   # optional: load this too (relative to this file); the
//!                                           # settings below beat it
//! [kafka]                                   # any librdkafka / Java client property, as is
//! "bootstrap.servers" = "localhost:9092"
//! "sasl.password" = "${KAFKA_PASSWORD}"
//!
//! [registry]
//! url = "http://localhost:8081"             # schema.registry.url
//! "basic.auth.user.info" = "${SR_KEY}:${SR_SECRET}"
//!
//! [run]                                     # defaults for `switchyard run`
//! group = "orders-router"
//! http = "127.0.0.1:9464"
//! exactly-once = true
//! parallelism = 4                           # consumers per source table, one thread each
//! ```
//!
//! `[kafka]` and `[registry]` keep the client property names users already know, so a key may be quoted
//! (`"bootstrap.servers"`) or written as a TOML dotted key (`bootstrap.servers`): both mean the same
//! property. Values may be strings, numbers, booleans or arrays (joined with commas, as librdkafka lists
//! are). `${NAME}` or `${env:NAME}` in any string reads the environment. Unknown keys are errors with
//! their line and column, and no error ever shows a value, so secrets stay out of terminals and logs.
//!
//! Without `--config` (or `SWITCHYARD_CONFIG`), `./switchyard.toml` is read when it exists.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Result;
use serde::Deserialize;
use switchyard_kafka::ClientConfig;
use switchyard_kafka::config::is_registry_key;
use toml::Spanned;

use crate::output::with_hint;

/// The file read when no `--config` is given, in the current directory.
pub const DEFAULT_FILE: &str = "switchyard.toml";

/// The file to read: the one named by `--config`/`SWITCHYARD_CONFIG`, else `./switchyard.toml` if present.
pub fn find(explicit: Option<&Path>) -> Option<PathBuf> {
    match explicit {
        Some(path) => Some(path.to_path_buf()),
        None => {
            let default = PathBuf::from(DEFAULT_FILE);
            default.is_file().then_some(default)
        }
    }
}

/// What a configuration file holds.
#[derive(Debug, Clone, Default)]
pub struct FileSettings {
    /// Kafka and Schema Registry client properties.
    pub client: ClientConfig,
    /// The file each property was read from (a `switchyard.toml` or the `client.properties` it loads).
    pub sources: BTreeMap<String, PathBuf>,
    /// Defaults for `switchyard run`.
    pub run: RunDefaults,
}

/// Defaults for `switchyard run`, from `[run]`; its flags beat them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunDefaults {
    /// Consumer group id (`--group`).
    pub group: Option<String>,
    /// Address for /metrics, /health, /ready (`--http`).
    pub http: Option<SocketAddr>,
    /// Commit in Kafka transactions (`--exactly-once`).
    pub exactly_once: bool,
    /// Consumers per source table (`--parallelism`).
    pub parallelism: Option<usize>,
}

/// Read a configuration file: TOML when it ends in `.toml` (or, with another extension, when it has a
/// `[section]` line), else a Confluent `client.properties`.
pub fn load(path: &Path) -> Result<FileSettings> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        with_hint(
            format!("cannot read {}: {e}", path.display()),
            format!(
                "--config takes a {DEFAULT_FILE} or a Confluent client.properties; without --config, \
                 ./{DEFAULT_FILE} is read when it exists"
            ),
        )
    })?;
    if is_toml(path, &text) {
        parse_toml(&text, path, &|name| std::env::var(name).ok())
    } else {
        let client = ClientConfig::parse(&text, &path.display().to_string(), &|name| {
            std::env::var(name).ok()
        })
        .map_err(|e| {
            with_hint(
                e.to_string(),
                "the file uses Java properties syntax: `key=value` per line, `#` comments \
                 (a switchyard.toml must end in .toml)",
            )
        })?;
        Ok(properties_settings(client, path))
    }
}

fn is_toml(path: &Path, text: &str) -> bool {
    match path.extension().and_then(|e| e.to_str()) {
        Some("toml") => true,
        Some("properties") => false,
        _ => text.lines().any(|l| {
            let l = l.trim();
            l.starts_with('[') && l.ends_with(']')
        }),
    }
}

fn properties_settings(client: ClientConfig, path: &Path) -> FileSettings {
    let sources = client
        .redacted()
        .into_keys()
        .map(|k| (k, path.to_path_buf()))
        .collect();
    FileSettings {
        client,
        sources,
        run: RunDefaults::default(),
    }
}

type Properties = BTreeMap<Spanned<String>, Spanned<toml::Value>>;

/// The file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct TomlFile {
    /// A Confluent `client.properties` to load as well, relative to this file.
    client_properties: Option<Spanned<String>>,
    /// Kafka client properties.
    #[serde(default)]
    kafka: Properties,
    /// `url` and the Schema Registry client's properties.
    #[serde(default)]
    registry: Properties,
    /// Defaults for `switchyard run`.
    #[serde(default)]
    run: RunSection,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RunSection {
    /// Consumer group id.
    group: Option<Spanned<String>>,
    /// `HOST:PORT` for /metrics, /health, /ready and /api/stats.
    http: Option<Spanned<String>>,
    /// Commit outputs, dead letters and offsets in Kafka transactions.
    exactly_once: Option<bool>,
    /// Consumers per source table.
    parallelism: Option<Spanned<i64>>,
}

/// Parse a `switchyard.toml`; `env` looks up variables for `${NAME}`.
pub fn parse_toml(text: &str, path: &Path, env: &dyn Fn(&str) -> Option<String>) -> Result<FileSettings> {
    let at = |offset: usize| {
        let (line, col) = line_col(text, offset);
        format!("{}:{line}:{col}", path.display())
    };
    let file: TomlFile = toml::from_str(text).map_err(|e| {
        // Our own one-line form: toml's snippet would print the offending line, which may hold a secret.
        let message = e.message().trim_end().to_string();
        match e.span() {
            Some(span) => anyhow::anyhow!("{}: {message}", at(span.start)),
            None => anyhow::anyhow!("{}: {message}", path.display()),
        }
    })?;
    let mut out = FileSettings::default();
    if let Some(props) = &file.client_properties {
        let value = interpolate(props.get_ref(), "client-properties", env)
            .map_err(|e| e.at(&at(props.span().start)))?;
        let base = path.parent().unwrap_or(Path::new(""));
        let included = base.join(value);
        let client = ClientConfig::from_file(&included).map_err(|e| {
            with_hint(
                e.to_string(),
                format!(
                    "`client-properties` in {} names a Confluent client.properties, relative to that file",
                    path.display()
                ),
            )
        })?;
        out = properties_settings(client, &included);
    }
    let mut set = |key: String, value: String| {
        out.sources.insert(key.clone(), path.to_path_buf());
        out.client.set(key, value);
    };
    for (key, value) in &file.kafka {
        for (name, leaf) in leaves(key.get_ref(), value.get_ref()) {
            let here = at(key.span().start);
            if is_registry_key(&name) {
                return Err(with_hint(
                    format!("{here}: `{name}` is a Schema Registry setting, not a Kafka one"),
                    "move it to [registry]",
                ));
            }
            let text = scalar(leaf, &format!("[kafka] {name}"), env).map_err(|e| e.at(&here))?;
            set(name, text);
        }
    }
    for (key, value) in &file.registry {
        for (name, leaf) in leaves(key.get_ref(), value.get_ref()) {
            let here = at(key.span().start);
            let property = match name.as_str() {
                "url" => "schema.registry.url".to_string(),
                _ if is_registry_key(&name) => name.clone(),
                _ => {
                    return Err(with_hint(
                        format!("{here}: unknown key `{name}` in [registry]"),
                        "[registry] takes `url` and the registry client's own properties, as Confluent \
                         spells them: `basic.auth.*`, `bearer.auth.*`, `schema.registry.*`",
                    ));
                }
            };
            let text = scalar(leaf, &format!("[registry] {name}"), env).map_err(|e| e.at(&here))?;
            set(property, text);
        }
    }
    if let Some(group) = &file.run.group {
        let value =
            interpolate(group.get_ref(), "[run] group", env).map_err(|e| e.at(&at(group.span().start)))?;
        out.run.group = Some(value);
    }
    if let Some(http) = &file.run.http {
        let here = at(http.span().start);
        let value = interpolate(http.get_ref(), "[run] http", env).map_err(|e| e.at(&here))?;
        out.run.http = Some(value.parse().map_err(|e| {
            with_hint(
                format!("{here}: [run] http: `{value}` is not an address: {e}"),
                "e.g. http = \"127.0.0.1:9464\"",
            )
        })?);
    }
    out.run.exactly_once = file.run.exactly_once.unwrap_or(false);
    if let Some(p) = &file.run.parallelism {
        let value = *p.get_ref();
        let n = usize::try_from(value).ok().filter(|n| *n >= 1).ok_or_else(|| {
            with_hint(
                format!(
                    "{}: [run] parallelism: {value} is not a number of consumers",
                    at(p.span().start)
                ),
                "e.g. parallelism = 4 (1 or more)",
            )
        })?;
        out.run.parallelism = Some(n);
    }
    Ok(out)
}

/// `key` and its value as property names and scalar values: a dotted TOML key (`bootstrap.servers = …`)
/// arrives as nested tables, which join back into the property name.
fn leaves<'v>(key: &str, value: &'v toml::Value) -> Vec<(String, &'v toml::Value)> {
    match value {
        toml::Value::Table(table) => table
            .iter()
            .flat_map(|(k, v)| leaves(&format!("{key}.{k}"), v))
            .collect(),
        other => vec![(key.to_string(), other)],
    }
}

/// A value as the client sees it: text, with `${NAME}` read from the environment.
fn scalar(
    value: &toml::Value,
    key: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<String, ValueError> {
    Ok(match value {
        toml::Value::String(s) => interpolate(s, key, env)?,
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(f) => f.to_string(),
        toml::Value::Boolean(b) => b.to_string(),
        toml::Value::Array(items) => items
            .iter()
            .map(|item| match item {
                toml::Value::Array(_) | toml::Value::Table(_) => Err(ValueError::Shape(key.to_string())),
                other => scalar(other, key, env),
            })
            .collect::<Result<Vec<_>, _>>()?
            .join(","),
        toml::Value::Datetime(_) | toml::Value::Table(_) => return Err(ValueError::Shape(key.to_string())),
    })
}

/// Why one value could not be used. Never holds the value itself.
#[derive(Debug)]
enum ValueError {
    MissingEnv { key: String, var: String },
    Shape(String),
}

impl ValueError {
    fn at(self, here: &str) -> anyhow::Error {
        match self {
            Self::MissingEnv { key, var } => with_hint(
                format!("{here}: `{key}` refers to environment variable `{var}`, which is not set"),
                format!("set {var}, or write the value into the file"),
            ),
            Self::Shape(key) => with_hint(
                format!("{here}: `{key}` must be a string, a number, a boolean or a list of them"),
                "client properties are text: e.g. \"bootstrap.servers\" = \"localhost:9092\"",
            ),
        }
    }
}

/// Replace `${NAME}` and `${env:NAME}` with the variable's value; a `${` without `}` stays as written.
fn interpolate(value: &str, key: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<String, ValueError> {
    switchyard_kafka::config::interpolate_env(value, env).map_err(|var| ValueError::MissingEnv {
        key: key.to_string(),
        var,
    })
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "KAFKA_PASSWORD" => Some("hunter2".into()),
            "SR_KEY" => Some("key".into()),
            "SR_SECRET" => Some("secret".into()),
            _ => None,
        }
    }

    fn parse(text: &str) -> Result<FileSettings> {
        parse_toml(text, Path::new("switchyard.toml"), &env)
    }

    /// The error and its hint, as one line: `error: message: hint`.
    fn error(text: &str) -> String {
        format!("error: {:#}", parse(text).unwrap_err())
    }

    #[test]
    fn sections_quoted_and_dotted_keys_and_interpolation() {
        let s = parse(
            r#"
[kafka]
"bootstrap.servers" = ["a:9092", "b:9092"]
sasl.password = "${KAFKA_PASSWORD}"
"session.timeout.ms" = 45000
"enable.idempotence" = true

[registry]
url = "http://localhost:8081"
"basic.auth.user.info" = "${SR_KEY}:${env:SR_SECRET}"
basic.auth.credentials.source = "USER_INFO"

[run]
group = "g"
http = "127.0.0.1:9464"
exactly-once = true
parallelism = 3
"#,
        )
        .unwrap();
        let c = &s.client;
        assert_eq!(c.bootstrap(), Some("a:9092,b:9092"));
        assert_eq!(c.get("sasl.password"), Some("hunter2"));
        assert_eq!(c.get("session.timeout.ms"), Some("45000"));
        assert_eq!(c.get("enable.idempotence"), Some("true"));
        assert_eq!(c.get("schema.registry.url"), Some("http://localhost:8081"));
        assert_eq!(c.get("basic.auth.user.info"), Some("key:secret"));
        assert_eq!(c.get("basic.auth.credentials.source"), Some("USER_INFO"));
        assert_eq!(
            s.run,
            RunDefaults {
                group: Some("g".into()),
                http: Some("127.0.0.1:9464".parse().unwrap()),
                exactly_once: true,
                parallelism: Some(3),
            }
        );
        assert_eq!(s.sources["sasl.password"], Path::new("switchyard.toml"));
        assert!(!format!("{c:?}").contains("hunter2"));
    }

    #[test]
    fn parallelism_is_one_or_more_consumers() {
        let err = error("[run]\nparallelism = 0\n");
        assert!(
            err.starts_with("error: switchyard.toml:2:15: [run] parallelism: 0 is not a number of consumers"),
            "{err}"
        );
        assert!(err.contains("e.g. parallelism = 4"), "{err}");
        assert!(error("[run]\nparallelism = \"4\"\n").contains("invalid type"));
        assert_eq!(parse("").unwrap().run.parallelism, None);
    }

    #[test]
    fn unknown_keys_are_named_with_line_and_column() {
        let err = error("[kafka]\n\"bootstrap.servers\" = \"x\"\n[kafak]\n");
        assert!(err.starts_with("error: switchyard.toml:3:"), "{err}");
        assert!(err.contains("unknown field `kafak`"), "{err}");
        let err = error("[run]\ngroup = \"g\"\n  dlq = \"x\"\n");
        assert!(
            err.starts_with("error: switchyard.toml:3:3: unknown field `dlq`"),
            "{err}"
        );
        let err = error("[registry]\nurl = \"http://r\"\n\"sasl.username\" = \"u\"\n");
        assert!(
            err.starts_with("error: switchyard.toml:3:1: unknown key `sasl.username` in [registry]"),
            "{err}"
        );
        let err = error("[kafka]\n\"schema.registry.url\" = \"http://r\"\n");
        assert!(
            err.contains("2:1: `schema.registry.url` is a Schema Registry setting"),
            "{err}"
        );
        assert!(err.contains("move it to [registry]"), "{err}");
    }

    #[test]
    fn missing_variables_name_the_variable_and_the_key_but_never_a_value() {
        let err = error("[kafka]\n\"sasl.username\" = \"u\"\n\"sasl.password\" = \"pre-${NOPE}\"\n");
        assert!(
            err.starts_with(
                "error: switchyard.toml:3:1: `[kafka] sasl.password` refers to environment variable `NOPE`, \
                 which is not set"
            ),
            "{err}"
        );
        assert!(!err.contains("pre-"), "{err}");
        // A syntax error on a line holding a secret does not echo the line.
        let err = error("[kafka]\n\"sasl.password\" = \"hunter2\n");
        assert!(err.starts_with("error: switchyard.toml:2:"), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
    }

    #[test]
    fn bad_values() {
        let err = error("[run]\nhttp = \"nine\"\n");
        assert!(
            err.starts_with("error: switchyard.toml:2:8: [run] http: `nine` is not an address"),
            "{err}"
        );
        let err = error("[kafka]\n\"acks\" = 1979-05-27\n");
        assert!(err.contains("`[kafka] acks` must be a string"), "{err}");
    }

    #[test]
    fn client_properties_are_loaded_relative_to_the_file_and_lose_to_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("client.properties"),
            "bootstrap.servers=from-properties:9092\nsecurity.protocol=SASL_SSL\n",
        )
        .unwrap();
        let toml_path = dir.path().join("switchyard.toml");
        let text = "client-properties = \"client.properties\"\n[kafka]\n\"bootstrap.servers\" = \"from-toml:9092\"\n";
        let s = parse_toml(text, &toml_path, &env).unwrap();
        assert_eq!(s.client.bootstrap(), Some("from-toml:9092"));
        assert_eq!(s.client.get("security.protocol"), Some("SASL_SSL"));
        assert_eq!(
            s.sources["security.protocol"],
            dir.path().join("client.properties")
        );
        assert_eq!(s.sources["bootstrap.servers"], toml_path);
    }

    #[test]
    fn format_is_decided_by_extension_then_content() {
        assert!(is_toml(Path::new("x.toml"), "a=1"));
        assert!(!is_toml(Path::new("client.properties"), "[kafka]"));
        assert!(is_toml(Path::new("cfg"), "# c\n[kafka]\n"));
        assert!(!is_toml(Path::new("cfg"), "bootstrap.servers=x\n"));
    }

    #[test]
    fn line_and_column_count_characters() {
        assert_eq!(line_col("ab\nçd", 5), (2, 2));
        assert_eq!(line_col("x", 0), (1, 1));
    }
}
