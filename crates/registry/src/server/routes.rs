//! HTTP routes: Confluent's paths, query parameters, status codes and bodies, mapped onto the store.
//!
//! Bodies are read by hand ([`read_body`]) rather than with axum's extractors so that every failure —
//! malformed JSON, a wrong shape, a body over the limit — is a Confluent-style error body, never
//! axum's plain-text rejections.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use http_body_util::BodyExt;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::json;
use switchyard_schema::CompatibilityLevel;

use super::api_error::{ApiError, CONTENT_TYPE};
use super::store::Store;
use crate::types::{ConfigBody, Mode, ModeBody, RegisterRequest, SchemaType, VersionSpec};

/// Shared state of all handlers.
#[derive(Debug)]
pub(crate) struct AppState {
    pub store: Store,
    pub body_limit: usize,
}

type App = State<Arc<AppState>>;
type Params = Query<HashMap<String, String>>;
type ApiResult = Result<Response, ApiError>;

/// The router for every endpoint.
pub(crate) fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(|| async { ok(&json!({})) }))
        .route(
            "/schemas/types",
            get(|| async { ok(&["JSON", "PROTOBUF", "AVRO"]) }),
        )
        .route("/schemas/ids/{id}", get(schema_by_id))
        .route("/schemas/ids/{id}/schema", get(schema_text_by_id))
        .route("/schemas/ids/{id}/versions", get(id_versions))
        .route("/schemas/ids/{id}/subjects", get(id_subjects))
        .route("/subjects", get(subjects))
        .route("/subjects/{subject}", post(lookup).delete(delete_subject))
        .route("/subjects/{subject}/versions", get(versions).post(register))
        .route(
            "/subjects/{subject}/versions/{version}",
            get(get_version).delete(delete_version),
        )
        .route(
            "/subjects/{subject}/versions/{version}/schema",
            get(get_version_schema),
        )
        .route(
            "/subjects/{subject}/versions/{version}/referencedby",
            get(referenced_by),
        )
        .route("/compatibility/subjects/{subject}/versions", post(compat_all))
        .route(
            "/compatibility/subjects/{subject}/versions/{version}",
            post(compat_version),
        )
        .route(
            "/config",
            get(get_global_config)
                .put(put_global_config)
                .delete(delete_global_config),
        )
        .route(
            "/config/{subject}",
            get(get_config).put(put_config).delete(delete_config),
        )
        .route("/mode", get(get_global_mode).put(put_global_mode))
        .route("/mode/{subject}", get(get_mode).put(put_mode).delete(delete_mode))
        .route("/contexts", get(contexts))
        .fallback(|| async { ApiError::http(StatusCode::NOT_FOUND, "HTTP 404 Not Found") })
        .method_not_allowed_fallback(|| async {
            ApiError::http(StatusCode::METHOD_NOT_ALLOWED, "HTTP 405 Method Not Allowed")
        })
        .with_state(state)
}

/// A 200 answer with Confluent's content type.
fn ok<T: Serialize + ?Sized>(value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(bytes) => {
            let mut resp = (StatusCode::OK, bytes).into_response();
            resp.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
            resp
        }
        Err(e) => ApiError::store(format!("cannot serialize answer: {e}")).into_response(),
    }
}

/// Read and parse a JSON body of at most `limit` bytes. A larger body is drained (up to four times the
/// limit, so the client sees our answer instead of a reset connection) and refused with 413.
async fn read_body<T: DeserializeOwned>(body: Body, limit: usize) -> Result<T, ApiError> {
    let mut body = body;
    let mut buf: Vec<u8> = Vec::new();
    let mut total = 0usize;
    while let Some(frame) = body.frame().await {
        let frame =
            frame.map_err(|e| ApiError::http(StatusCode::BAD_REQUEST, format!("cannot read body: {e}")))?;
        if let Ok(data) = frame.into_data() {
            total = total.saturating_add(data.len());
            if total <= limit {
                buf.extend_from_slice(&data);
            } else if total > limit.saturating_mul(4) {
                break;
            }
        }
    }
    if total > limit {
        return Err(ApiError::http(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("Request body of {total}+ bytes is larger than the limit of {limit} bytes"),
        ));
    }
    serde_json::from_slice(&buf).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => ApiError::http(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("Unrecognized request body: {e}"),
        ),
        _ => ApiError::http(
            StatusCode::BAD_REQUEST,
            format!("Malformed JSON request body: {e}"),
        ),
    })
}

/// A schema request body, normalized when `?normalize=true`.
async fn request(
    app: &AppState,
    body: Body,
    q: &HashMap<String, String>,
) -> Result<RegisterRequest, ApiError> {
    let req: RegisterRequest = read_body(body, app.body_limit).await?;
    if flag(q, "normalize") {
        app.store.normalized(req)
    } else {
        Ok(req)
    }
}

fn flag(params: &HashMap<String, String>, name: &str) -> bool {
    params.get(name).is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

fn version_spec(raw: &str) -> Result<VersionSpec, ApiError> {
    raw.parse().map_err(|_| ApiError::invalid_version(raw))
}

fn schema_id(raw: &str) -> Result<i32, ApiError> {
    raw.parse().map_err(|_| ApiError::schema_not_found(None))
}

// ---- schemas by id ----

async fn schema_by_id(State(app): App, Path(id): Path<String>) -> ApiResult {
    Ok(ok(&app.store.schema_by_id(schema_id(&id)?)?))
}

async fn schema_text_by_id(State(app): App, Path(id): Path<String>) -> ApiResult {
    let s = app.store.schema_by_id(schema_id(&id)?)?;
    Ok(raw_schema(s.schema_type, &s.schema))
}

/// `…/schema` endpoints answer the schema itself (parsed JSON for JSON and AVRO).
fn raw_schema(schema_type: SchemaType, text: &str) -> Response {
    match (schema_type, serde_json::from_str::<serde_json::Value>(text)) {
        (SchemaType::Json | SchemaType::Avro, Ok(v)) => ok(&v),
        _ => ok(text),
    }
}

async fn id_versions(State(app): App, Path(id): Path<String>, Query(q): Params) -> ApiResult {
    Ok(ok(&app
        .store
        .id_versions(schema_id(&id)?, flag(&q, "deleted"))?))
}

async fn id_subjects(State(app): App, Path(id): Path<String>, Query(q): Params) -> ApiResult {
    let mut subjects: Vec<String> = app
        .store
        .id_versions(schema_id(&id)?, flag(&q, "deleted"))?
        .into_iter()
        .map(|sv| sv.subject)
        .collect();
    subjects.dedup();
    Ok(ok(&subjects))
}

// ---- subjects ----

async fn subjects(State(app): App, Query(q): Params) -> ApiResult {
    let deleted = flag(&q, "deleted");
    let deleted_only = flag(&q, "deleted_only");
    let prefix = q.get("subjectPrefix").cloned().unwrap_or_default();
    let list = app.store.read(|st| {
        Ok(st
            .subjects
            .iter()
            .filter(|(name, _)| name.starts_with(prefix.as_str()))
            .filter(|(_, s)| {
                let live = s.has_live();
                let dead = s.versions.values().any(|e| e.deleted);
                if deleted_only {
                    dead
                } else {
                    live || (deleted && dead)
                }
            })
            .map(|(name, _)| name.clone())
            .collect::<Vec<_>>())
    })?;
    Ok(ok(&page(list, &q)))
}

/// Confluent's `offset` / `limit` (`-1` for all).
fn page<T>(list: Vec<T>, q: &HashMap<String, String>) -> Vec<T> {
    let offset = q.get("offset").and_then(|o| o.parse::<usize>().ok()).unwrap_or(0);
    let limit = q.get("limit").and_then(|l| l.parse::<i64>().ok()).unwrap_or(-1);
    let it = list.into_iter().skip(offset);
    match usize::try_from(limit) {
        Ok(n) if limit > 0 => it.take(n).collect(),
        _ => it.collect(),
    }
}

async fn versions(State(app): App, Path(subject): Path<String>, Query(q): Params) -> ApiResult {
    let deleted = flag(&q, "deleted");
    let deleted_only = flag(&q, "deleted_only");
    let list = app.store.read(|st| {
        let s = st
            .subjects
            .get(&subject)
            .filter(|s| s.versions.values().any(|e| deleted || deleted_only || !e.deleted));
        let s = s.ok_or_else(|| ApiError::subject_not_found(&subject))?;
        Ok(s.versions
            .iter()
            .filter(|(_, e)| {
                if deleted_only {
                    e.deleted
                } else {
                    deleted || !e.deleted
                }
            })
            .map(|(v, _)| *v)
            .collect::<Vec<_>>())
    })?;
    Ok(ok(&page(list, &q)))
}

async fn get_version(
    State(app): App,
    Path((subject, version)): Path<(String, String)>,
    Query(q): Params,
) -> ApiResult {
    Ok(ok(&app.store.subject_version(
        &subject,
        version_spec(&version)?,
        flag(&q, "deleted"),
    )?))
}

async fn get_version_schema(
    State(app): App,
    Path((subject, version)): Path<(String, String)>,
    Query(q): Params,
) -> ApiResult {
    let r = app
        .store
        .subject_version(&subject, version_spec(&version)?, flag(&q, "deleted"))?;
    Ok(raw_schema(r.schema_type, &r.schema))
}

async fn referenced_by(State(app): App, Path((subject, version)): Path<(String, String)>) -> ApiResult {
    let r = app
        .store
        .subject_version(&subject, version_spec(&version)?, false)?;
    Ok(ok(&app
        .store
        .read(|st| Ok(st.referenced_by(&subject, r.version)))?))
}

async fn lookup(State(app): App, Path(subject): Path<String>, Query(q): Params, body: Body) -> ApiResult {
    let req = request(&app, body, &q).await?;
    Ok(ok(&app.store.lookup(&subject, &req, flag(&q, "deleted"))?))
}

async fn register(State(app): App, Path(subject): Path<String>, Query(q): Params, body: Body) -> ApiResult {
    let req = request(&app, body, &q).await?;
    let id = app.store.register(&subject, req)?;
    Ok(ok(&json!({ "id": id })))
}

async fn delete_subject(State(app): App, Path(subject): Path<String>, Query(q): Params) -> ApiResult {
    Ok(ok(&app.store.delete_subject(&subject, flag(&q, "permanent"))?))
}

async fn delete_version(
    State(app): App,
    Path((subject, version)): Path<(String, String)>,
    Query(q): Params,
) -> ApiResult {
    Ok(ok(&app.store.delete_version(
        &subject,
        version_spec(&version)?,
        flag(&q, "permanent"),
    )?))
}

// ---- compatibility ----

async fn compat_version(
    State(app): App,
    Path((subject, version)): Path<(String, String)>,
    Query(q): Params,
    body: Body,
) -> ApiResult {
    let spec = version_spec(&version)?;
    let req = request(&app, body, &q).await?;
    Ok(ok(&app.store.test_compatibility(
        &subject,
        Some(spec),
        &req,
        flag(&q, "verbose"),
    )?))
}

async fn compat_all(State(app): App, Path(subject): Path<String>, Query(q): Params, body: Body) -> ApiResult {
    let req = request(&app, body, &q).await?;
    Ok(ok(&app.store.test_compatibility(
        &subject,
        None,
        &req,
        flag(&q, "verbose"),
    )?))
}

// ---- config ----

fn level_answer(level: CompatibilityLevel) -> Response {
    ok(&json!({ "compatibilityLevel": level.to_string() }))
}

async fn get_global_config(State(app): App) -> ApiResult {
    Ok(level_answer(app.store.read(|st| Ok(st.global_compat))?))
}

async fn get_config(State(app): App, Path(subject): Path<String>, Query(q): Params) -> ApiResult {
    let level = app
        .store
        .read(|st| match st.subjects.get(&subject).and_then(|s| s.compat) {
            Some(l) => Ok(l),
            None if flag(&q, "defaultToGlobal") => Ok(st.global_compat),
            None => Err(ApiError::compatibility_not_configured(&subject)),
        })?;
    Ok(level_answer(level))
}

async fn parse_level(body: Body, limit: usize) -> Result<CompatibilityLevel, ApiError> {
    let cfg: ConfigBody = read_body(body, limit).await?;
    cfg.level()
        .and_then(|l| l.parse().ok())
        .ok_or_else(ApiError::invalid_compatibility_level)
}

async fn put_global_config(State(app): App, body: Body) -> ApiResult {
    let level = parse_level(body, app.body_limit).await?;
    app.store.set_config(None, Some(level))?;
    Ok(ok(&json!({ "compatibility": level.to_string() })))
}

async fn put_config(State(app): App, Path(subject): Path<String>, body: Body) -> ApiResult {
    let level = parse_level(body, app.body_limit).await?;
    app.store.set_config(Some(&subject), Some(level))?;
    Ok(ok(&json!({ "compatibility": level.to_string() })))
}

async fn delete_global_config(State(app): App) -> ApiResult {
    let previous = app.store.set_config(None, None)?;
    Ok(level_answer(previous.unwrap_or(CompatibilityLevel::Backward)))
}

async fn delete_config(State(app): App, Path(subject): Path<String>) -> ApiResult {
    let known = app.store.read(|st| Ok(st.subjects.contains_key(&subject)))?;
    if !known {
        return Err(ApiError::subject_not_found(&subject));
    }
    let previous = app.store.set_config(Some(&subject), None)?;
    match previous {
        Some(l) => Ok(level_answer(l)),
        None => Err(ApiError::compatibility_not_configured(&subject)),
    }
}

// ---- mode ----

fn mode_answer(mode: Mode) -> Response {
    ok(&ModeBody {
        mode: mode.to_string(),
    })
}

async fn parse_mode(body: Body, limit: usize) -> Result<Mode, ApiError> {
    let m: ModeBody = read_body(body, limit).await?;
    m.mode.parse().map_err(|_| ApiError::invalid_mode(&m.mode))
}

async fn get_global_mode(State(app): App) -> ApiResult {
    Ok(mode_answer(app.store.read(|st| Ok(st.global_mode))?))
}

async fn get_mode(State(app): App, Path(subject): Path<String>, Query(q): Params) -> ApiResult {
    let mode = app
        .store
        .read(|st| match st.subjects.get(&subject).and_then(|s| s.mode) {
            Some(m) => Ok(m),
            None if flag(&q, "defaultToGlobal") => Ok(st.global_mode),
            None => Err(ApiError::mode_not_configured(&subject)),
        })?;
    Ok(mode_answer(mode))
}

async fn put_global_mode(State(app): App, Query(q): Params, body: Body) -> ApiResult {
    let mode = parse_mode(body, app.body_limit).await?;
    app.store.set_mode(None, Some(mode), flag(&q, "force"))?;
    Ok(mode_answer(mode))
}

async fn put_mode(State(app): App, Path(subject): Path<String>, Query(q): Params, body: Body) -> ApiResult {
    let mode = parse_mode(body, app.body_limit).await?;
    app.store
        .set_mode(Some(&subject), Some(mode), flag(&q, "force"))?;
    Ok(mode_answer(mode))
}

async fn delete_mode(State(app): App, Path(subject): Path<String>) -> ApiResult {
    let configured = app
        .store
        .read(|st| Ok(st.subjects.get(&subject).and_then(|s| s.mode)))?;
    let Some(previous) = configured else {
        return Err(ApiError::mode_not_configured(&subject));
    };
    app.store.set_mode(Some(&subject), None, false)?;
    Ok(mode_answer(previous))
}

async fn contexts(State(app): App) -> ApiResult {
    let list = app.store.read(|st| {
        let mut ctx: Vec<String> = vec![".".to_string()];
        for name in st.subjects.keys() {
            if let Some(rest) = name.strip_prefix(":.")
                && let Some((c, _)) = rest.split_once(':')
            {
                let c = format!(".{c}");
                if !ctx.contains(&c) {
                    ctx.push(c);
                }
            }
        }
        ctx.sort();
        Ok(ctx)
    })?;
    Ok(ok(&list))
}
