//! Shared plumbing of the `registry` subcommands: building clients, turning client errors into
//! actionable messages, and parsing `SUBJECT[/VERSION]` and `NAME=SUBJECT/VERSION` arguments.

use std::collections::HashMap;

use anyhow::Result;
use switchyard_registry::{
    RegistryClient, RegistryConfig, RegistryError, SchemaReference, SchemaType, VersionSpec, error_codes,
};

use super::{Conn, Format};
use crate::output::with_hint;

/// A client for `conn`.
pub(crate) fn client(conn: &Conn) -> Result<RegistryClient> {
    client_for(&conn.registry, conn.registry_user_info.as_deref())
}

/// A client for `url` with optional `user:pass`; CLI calls retry twice, quickly.
pub(crate) fn client_for(url: &str, user_info: Option<&str>) -> Result<RegistryClient> {
    let mut props = HashMap::new();
    props.insert("schema.registry.url".to_string(), url.to_string());
    if let Some(info) = user_info {
        props.insert(
            "basic.auth.credentials.source".to_string(),
            "USER_INFO".to_string(),
        );
        props.insert("basic.auth.user.info".to_string(), info.to_string());
    }
    props.insert("max.retries".to_string(), "2".to_string());
    props.insert("retries.wait.ms".to_string(), "200".to_string());
    let config = RegistryConfig::from_properties(&props)
        .map_err(|e| with_hint(e, "pass --registry http://HOST:PORT (or set SCHEMA_REGISTRY_URL)"))?;
    RegistryClient::new(config).map_err(|e| with_hint(e, "check the registry URL and CA settings"))
}

/// Turn a client error into an actionable message.
pub(crate) fn explain(err: RegistryError, conn: &Conn) -> anyhow::Error {
    explain_for(err, &conn.registry)
}

pub(crate) fn explain_for(err: RegistryError, registry: &str) -> anyhow::Error {
    let hint = match (&err, err.error_code()) {
        (RegistryError::Connect { .. } | RegistryError::Timeout { .. }, _) => format!(
            "is a registry running at {registry}? Start one with `switchyard registry serve --data DIR`, or \
             pass --registry URL (env SCHEMA_REGISTRY_URL)"
        ),
        (_, Some(error_codes::UNAUTHORIZED | 401 | 403)) => {
            "pass credentials with --registry-user-info USER:PASS (env SCHEMA_REGISTRY_USER_INFO)".to_string()
        }
        (_, Some(error_codes::SUBJECT_NOT_FOUND)) => {
            "list subjects with `switchyard registry subjects`".to_string()
        }
        (_, Some(error_codes::VERSION_NOT_FOUND)) => {
            "list versions with `switchyard registry versions SUBJECT`".to_string()
        }
        (_, Some(error_codes::INCOMPATIBLE_SCHEMA)) => {
            "see each problem with `switchyard registry check --subject SUBJECT --schema FILE`".to_string()
        }
        (_, Some(error_codes::SCHEMA_VERSION_NOT_SOFT_DELETED | error_codes::SUBJECT_NOT_SOFT_DELETED)) => {
            "delete without --permanent first (soft delete), then with --permanent".to_string()
        }
        (_, Some(error_codes::OPERATION_NOT_PERMITTED)) => {
            "check the registry mode with `switchyard registry mode`".to_string()
        }
        _ => return anyhow::Error::new(err),
    };
    with_hint(err, hint)
}

/// `SUBJECT[/VERSION]`: the part after the last `/` is a version when it parses as one.
pub(crate) fn split_target(target: &str) -> (String, Option<VersionSpec>) {
    if let Some((subject, v)) = target.rsplit_once('/')
        && let Ok(spec) = v.parse::<VersionSpec>()
    {
        return (subject.to_string(), Some(spec));
    }
    (target.to_string(), None)
}

pub(crate) fn print_list<T: serde::Serialize + std::fmt::Display>(conn: &Conn, list: &[T]) {
    match conn.format {
        Format::Json => println!("{}", serde_json::to_string(list).unwrap_or_default()),
        Format::Text => list.iter().for_each(|x| println!("{x}")),
    }
}

pub(crate) fn pretty_schema(text: &str) -> String {
    serde_json::from_str::<serde_json::Value>(text)
        .and_then(|v| serde_json::to_string_pretty(&v))
        .unwrap_or_else(|_| text.to_string())
}

pub(crate) fn parse_schema_type(s: &str) -> Result<SchemaType, String> {
    s.parse()
}

/// `NAME=SUBJECT/VERSION`.
pub(crate) fn parse_reference(s: &str) -> Result<SchemaReference, String> {
    let err = || format!("`{s}` is not NAME=SUBJECT/VERSION");
    let (name, rest) = s.split_once('=').ok_or_else(err)?;
    let (subject, version) = rest.rsplit_once('/').ok_or_else(err)?;
    let version = version.parse::<i32>().map_err(|_| err())?;
    if name.is_empty() || subject.is_empty() {
        return Err(err());
    }
    Ok(SchemaReference {
        name: name.to_string(),
        subject: subject.to_string(),
        version,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_and_references() {
        assert_eq!(split_target("a/b"), ("a/b".to_string(), None));
        assert_eq!(
            split_target("a/3"),
            ("a".to_string(), Some(VersionSpec::Number(3)))
        );
        assert_eq!(
            split_target("a/latest"),
            ("a".to_string(), Some(VersionSpec::Latest))
        );
        let r = parse_reference("c.json=customers-value/3").unwrap();
        assert_eq!(
            (r.name.as_str(), r.subject.as_str(), r.version),
            ("c.json", "customers-value", 3)
        );
        assert!(parse_reference("nope").is_err());
    }
}
