//! Schema validation and compatibility for the store: resolving references, parsing, identity
//! (fingerprints), and checking a candidate against earlier versions with `switchyard_schema`.
//!
//! Kept apart from [`super::store`] so the write path reads as "decide, log, apply" and the schema rules
//! can be read (and changed) in one place.

use switchyard_schema::{CompatibilityLevel, Difference, JsonSchema, ResolvedReference, check_compatibility};

use super::api_error::ApiError;
use super::state::{State, canonical_text, fingerprint};
use crate::types::{RegisterRequest, RegisteredSchema, SchemaReference, SchemaType, VersionSpec};

/// A schema request after validation.
pub(crate) struct Prepared {
    pub fingerprint: String,
    pub json: Option<JsonSchema>,
}

/// Resolve `spec` in `subject` to (version, id).
pub(crate) fn find_version(
    st: &State,
    subject: &str,
    spec: VersionSpec,
    deleted: bool,
) -> Result<(i32, i32), ApiError> {
    let s = st
        .subjects
        .get(subject)
        .filter(|s| s.versions.values().any(|e| deleted || !e.deleted));
    let s = s.ok_or_else(|| ApiError::subject_not_found(subject))?;
    match spec {
        VersionSpec::Latest => {
            let found = s.versions.iter().rev().find(|(_, e)| deleted || !e.deleted);
            found
                .map(|(v, e)| (*v, e.id))
                .ok_or_else(|| ApiError::subject_not_found(subject))
        }
        VersionSpec::Number(v) => match s.versions.get(&v) {
            Some(e) if deleted || !e.deleted => Ok((v, e.id)),
            _ => Err(ApiError::version_not_found(v)),
        },
    }
}

pub(crate) fn registered(st: &State, subject: &str, version: i32, id: i32) -> RegisteredSchema {
    let def = st.schemas.get(&id);
    RegisteredSchema {
        subject: subject.to_string(),
        version,
        id,
        schema_type: def.map(|d| d.schema_type).unwrap_or_default(),
        references: def.map(|d| d.references.clone()).unwrap_or_default(),
        schema: def.map(|d| d.schema.clone()).unwrap_or_default(),
    }
}

/// Every schema `references` names, transitively, from the store.
pub(crate) fn resolve(
    st: &State,
    references: &[SchemaReference],
) -> Result<Vec<ResolvedReference>, ApiError> {
    let mut out = Vec::new();
    let mut queue = references.to_vec();
    let mut seen = std::collections::HashSet::new();
    while let Some(r) = queue.pop() {
        if !seen.insert((r.name.clone(), r.subject.clone(), r.version)) {
            continue;
        }
        let (_, id) = find_version(st, &r.subject, VersionSpec::Number(r.version), true).map_err(|_| {
            ApiError::invalid_schema(format!(
                "Invalid schema: reference '{}' points at subject '{}' version {}, which does not exist",
                r.name, r.subject, r.version
            ))
        })?;
        let Some(def) = st.schemas.get(&id) else { continue };
        queue.extend(def.references.iter().cloned());
        out.push(ResolvedReference {
            name: r.name,
            schema: def.schema.clone(),
        });
    }
    Ok(out)
}

/// Validate a request's schema and compute its identity.
pub(crate) fn prepare(st: &State, req: &RegisterRequest) -> Result<Prepared, ApiError> {
    let canonical = canonical_text(req.schema_type, &req.schema).map_err(|e| {
        ApiError::invalid_schema(format!("Invalid schema {}, details: {e}", shorten(&req.schema)))
    })?;
    let refs = resolve(st, &req.references)?;
    let json = match req.schema_type {
        SchemaType::Json => Some(JsonSchema::parse(&req.schema, &refs).map_err(|e| {
            ApiError::invalid_schema(format!(
                "Invalid schema {} with refs {:?} of type JSON, details: {e}",
                shorten(&req.schema),
                req.references
                    .iter()
                    .map(|r| format!("{}={}/{}", r.name, r.subject, r.version))
                    .collect::<Vec<_>>()
            ))
        })?),
        SchemaType::Avro | SchemaType::Protobuf => None,
    };
    Ok(Prepared {
        fingerprint: fingerprint(req.schema_type, &canonical, &req.references),
        json,
    })
}

/// Check the candidate against `previous` ids (oldest first) at `level`: the list of reasons it fails.
pub(crate) fn check(
    st: &State,
    level: CompatibilityLevel,
    req: &RegisterRequest,
    candidate: Option<&JsonSchema>,
    previous: &[i32],
) -> Result<Vec<String>, ApiError> {
    if level == CompatibilityLevel::None || previous.is_empty() {
        return Ok(Vec::new());
    }
    let Some(candidate) = candidate else {
        return Err(ApiError::not_permitted(format!(
            "Compatibility checking of {} schemas is not supported by the switchyard registry (only JSON \
             schemas are checked); set the subject's compatibility to NONE to register without a check",
            req.schema_type
        )));
    };
    let mut prev = Vec::with_capacity(previous.len());
    for id in previous {
        let Some(def) = st.schemas.get(id) else { continue };
        if def.schema_type != SchemaType::Json {
            return Ok(vec![format!(
                "Incompatible because of different schema type: version with id {id} is {}, the new schema is JSON",
                def.schema_type
            )]);
        }
        let refs = resolve(st, &def.references)?;
        let parsed = JsonSchema::parse(&def.schema, &refs)
            .map_err(|e| ApiError::store(format!("stored schema {id} no longer parses: {e}")))?;
        prev.push(parsed);
    }
    let diffs = check_compatibility(level, candidate, &prev);
    Ok(diffs.iter().map(describe).collect())
}

/// `{errorType:"TYPE_CHANGED", description:"…", path:"#/…"}`, close to Confluent's verbose messages.
pub(crate) fn describe(d: &Difference) -> String {
    format!(
        "{{errorType:\"{}\", description:\"{}\", path:\"{}\"}}",
        screaming_snake(&format!("{:?}", d.kind)),
        d.message,
        d.path
    )
}

fn screaming_snake(camel: &str) -> String {
    let mut out = String::new();
    for (i, c) in camel.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

fn shorten(s: &str) -> String {
    let mut out: String = s.chars().take(300).collect();
    if s.chars().count() > 300 {
        out.push('…');
    }
    out
}
