//! The `/v1` API: scenarios and their versions, the incident log, the analyses, tokens.
//! Every handler checks the token first, so that an unauthorised request learns nothing, not
//! even whether its body was valid.

use crate::auth::{require, Caller};
use crate::error::{ApiError, ApiResult};
use crate::live::Live;
use crate::state::{files_of_manifest, parse_files, AppState};
use axum::body::Bytes;
use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use corridor_app::results;
use corridor_roads::Profile;
use corridor_scenario::{
    incident_from_fields, parse_incidents_csv, IncidentFields, INCIDENT_COLUMNS,
};
use corridor_store::{IncidentRecord, Role};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

pub(crate) type Q = Result<Query<Vec<(String, String)>>, QueryRejection>;

pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> ApiResult<T> + Send + 'static,
) -> ApiResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::internal(format!("request failed: {e}")))?
}

fn invalid_query(msg: String) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "InvalidQuery", msg)
}

/// Query parameters by name; only `allowed` names, only `repeatable` ones more than once.
pub(crate) fn query(
    q: Q,
    allowed: &[&str],
    repeatable: &[&str],
) -> ApiResult<BTreeMap<String, Vec<String>>> {
    let Query(pairs) = q.map_err(|e| invalid_query(e.body_text()))?;
    let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (k, v) in pairs {
        if !allowed.contains(&k.as_str()) {
            return Err(invalid_query(format!(
                "unknown query parameter '{k}' (this endpoint takes: {})",
                if allowed.is_empty() {
                    "none".to_string()
                } else {
                    allowed.join(", ")
                }
            )));
        }
        let e = m.entry(k.clone()).or_default();
        if !e.is_empty() && !repeatable.contains(&k.as_str()) {
            return Err(invalid_query(format!("query parameter '{k}' given twice")));
        }
        e.push(v);
    }
    Ok(m)
}

pub(crate) fn one<'a>(m: &'a BTreeMap<String, Vec<String>>, k: &str) -> Option<&'a str> {
    m.get(k).and_then(|v| v.first()).map(String::as_str)
}

fn path_id(p: Result<Path<String>, PathRejection>) -> ApiResult<String> {
    p.map(|Path(x)| x)
        .map_err(|e| ApiError::invalid(e.body_text()))
}

/// An analysis error (naming the argument or the scenario's problem) as 400, without the
/// CLI's `--` prefixes on argument names.
fn analysis_error(e: anyhow::Error) -> ApiError {
    ApiError::invalid(format!("{e:#}").replace("--", ""))
}

fn body(b: Result<Bytes, BytesRejection>) -> ApiResult<Bytes> {
    b.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            ApiError::invalid(e.body_text())
        }
    })
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "TooLarge",
        format!(
            "request body over the limit of {} bytes",
            crate::UPLOAD_LIMIT_BYTES
        ),
    )
}

/// Any other path: 404 as JSON.
pub async fn not_found() -> ApiError {
    ApiError::not_found("no such endpoint (see /openapi.json)")
}

// ---------------------------------------------------------------- scenarios

fn summary(live: &Live) -> Value {
    let o = live.owner();
    let s = &o.loaded.scenario;
    json!({
        "id": o.id,
        "name": s.name,
        "as_of": s.as_of.to_string(),
        "version": live.version_json(),
        "scenario": o.loaded.identity(),
        "parties": s.parties.iter().map(|p| json!({"id": p.id, "name": p.name})).collect::<Vec<_>>(),
        "enclaves": s.enclaves.iter().map(|e| json!({"name": e.name, "party": s.parties[e.party].id})).collect::<Vec<_>>(),
        "corridors": s.corridors.iter().map(|c| json!({"name": c.name, "purpose": c.purpose, "checkpoint": c.checkpoint, "capacity_per_hour": c.capacity_per_hour})).collect::<Vec<_>>(),
        "incidents_in_force": s.incidents.len(),
    })
}

/// `GET /v1/scenarios`.
#[utoipa::path(get, path = "/v1/scenarios", tag = "scenarios",
    responses((status = 200, description = "the scenarios this server holds", body = Object),
              (status = 401, description = "no valid token", body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_scenarios(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    q: Q,
) -> ApiResult<Json<Value>> {
    require(&st, &headers, Role::Viewer).await?;
    query(q, &[], &[])?;
    let list: Vec<Value> = st
        .scenario_ids()
        .iter()
        .filter_map(|id| st.scenario(id).ok())
        .map(|l| summary(&l))
        .collect();
    Ok(Json(json!({ "scenarios": list })))
}

/// `GET /v1/scenarios/{id}`.
#[utoipa::path(get, path = "/v1/scenarios/{id}", tag = "scenarios",
    params(("id" = String, Path, description = "scenario id")),
    responses((status = 200, description = "the scenario, its versions", body = Object),
              (status = 404, description = "no such scenario", body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_scenario(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
    q: Q,
) -> ApiResult<Json<Value>> {
    require(&st, &headers, Role::Viewer).await?;
    let id = path_id(id)?;
    query(q, &[], &[])?;
    let live = st.scenario(&id)?;
    let store = st.store.clone();
    let versions = blocking(move || Ok(store.versions(&id)?)).await?;
    let mut v = summary(&live);
    v["versions"] = json!(versions);
    Ok(Json(v))
}

/// Files and fields of a multipart scenario upload.
struct Upload {
    id: Option<String>,
    note: String,
    files: BTreeMap<String, Vec<u8>>,
}

async fn read_upload(m: Result<Multipart, MultipartRejection>) -> ApiResult<Upload> {
    let mut m = m.map_err(|e| {
        ApiError::invalid(format!("expected multipart/form-data: {}", e.body_text()))
    })?;
    let mut up = Upload {
        id: None,
        note: String::new(),
        files: BTreeMap::new(),
    };
    loop {
        let field = match m.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
            Err(e) => return Err(ApiError::invalid(format!("multipart: {}", e.body_text()))),
        };
        let name = field.name().unwrap_or("").to_string();
        let file_name = field.file_name().map(str::to_string);
        let bytes = field.bytes().await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                too_large()
            } else {
                ApiError::invalid(format!("multipart field '{name}': {}", e.body_text()))
            }
        })?;
        match (name.as_str(), file_name) {
            ("id", None) => up.id = Some(String::from_utf8_lossy(&bytes).trim().to_string()),
            ("note", None) => up.note = String::from_utf8_lossy(&bytes).trim().to_string(),
            (_, Some(f)) => {
                if up.files.insert(f.clone(), bytes.to_vec()).is_some() {
                    return Err(ApiError::invalid(format!("file '{f}' uploaded twice")));
                }
            }
            (n, None) => {
                return Err(ApiError::invalid(format!(
                    "unknown form field '{n}' (expected id, note and files)"
                )))
            }
        }
    }
    Ok(up)
}

/// A scenario id: 1–64 of `a-z 0-9 - _`, so that it is safe in URLs and logs.
fn check_id(id: &str) -> ApiResult<()> {
    let ok = (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid(format!(
            "scenario id '{id}': use 1 to 64 of a-z, 0-9, '-' and '_'"
        )))
    }
}

/// Parses and lays the uploaded files onto the map: an invalid scenario is rejected before
/// anything is stored.
fn validate_upload(
    st: &AppState,
    files: &BTreeMap<String, Vec<u8>>,
    label: &str,
) -> ApiResult<String> {
    let scenario = parse_files(files, label).map_err(|e| ApiError::invalid(format!("{e:#}")))?;
    let name = scenario.name.clone();
    let loaded = corridor_app::scenario::on_map(scenario, st.map.clone(), st.snappers.clone())
        .map_err(|e| ApiError::invalid(format!("{label}: {e:#}")))?;
    drop(loaded);
    Ok(name)
}

/// `POST /v1/scenarios` (editor): multipart with `id`, optional `note`, and the files
/// (`scenario.toml` and the layers it names).
#[utoipa::path(post, path = "/v1/scenarios", tag = "scenarios",
    request_body(content_type = "multipart/form-data", description = "fields id, note; files scenario.toml and its layers"),
    responses((status = 201, description = "created: the scenario", body = Object),
              (status = 400, description = "invalid scenario", body = crate::error::ErrorBody),
              (status = 403, description = "needs editor", body = crate::error::ErrorBody),
              (status = 409, description = "id taken", body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn create_scenario(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    m: Result<Multipart, MultipartRejection>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let caller = require(&st, &headers, Role::Editor).await?;
    let up = read_upload(m).await?;
    let id = up
        .id
        .clone()
        .ok_or_else(|| ApiError::invalid("the form needs an 'id' field"))?;
    check_id(&id)?;
    store_version(st, caller, id, up, true).await
}

/// `POST /v1/scenarios/{id}/versions` (editor): a new version from uploaded files.
#[utoipa::path(post, path = "/v1/scenarios/{id}/versions", tag = "scenarios",
    params(("id" = String, Path, description = "scenario id")),
    request_body(content_type = "multipart/form-data", description = "field note; files scenario.toml and its layers"),
    responses((status = 201, description = "the new version", body = Object),
              (status = 400, description = "invalid scenario", body = crate::error::ErrorBody),
              (status = 404, description = "no such scenario", body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn new_version(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
    m: Result<Multipart, MultipartRejection>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let caller = require(&st, &headers, Role::Editor).await?;
    let id = path_id(id)?;
    st.scenario(&id)?;
    let up = read_upload(m).await?;
    if up.id.as_deref().is_some_and(|x| x != id) {
        return Err(ApiError::invalid(format!(
            "form id '{}' differs from the URL's '{id}'",
            up.id.unwrap_or_default()
        )));
    }
    store_version(st, caller, id, up, false).await
}

async fn store_version(
    st: Arc<AppState>,
    caller: Caller,
    id: String,
    up: Upload,
    create: bool,
) -> ApiResult<(StatusCode, Json<Value>)> {
    blocking(move || {
        let name = validate_upload(&st, &up.files, &format!("{id}@upload"))?;
        if create {
            st.store
                .create_scenario(&id, &name, &up.files, &up.note, caller.actor())?;
        } else {
            st.store
                .add_version(&id, &name, &up.files, &up.note, caller.actor())?;
        }
        let live = st
            .reload(&id)
            .map_err(|e| ApiError::internal(format!("{e:#}")))?;
        Ok((StatusCode::CREATED, Json(summary(&live))))
    })
    .await
}

/// Stores a scenario manifest given at start-up: a new scenario named after its folder, or a
/// new version when its files changed since the newest stored one.
pub fn import_manifest(st: &AppState, path: &std::path::Path) -> anyhow::Result<String> {
    let (scenario, files) = files_of_manifest(path)?;
    let folder = path
        .canonicalize()
        .ok()
        .and_then(|p| {
            p.parent()
                .and_then(|d| d.file_name())
                .map(|n| n.to_string_lossy().to_lowercase())
        })
        .unwrap_or_else(|| "scenario".into());
    let id: String = folder
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .take(64)
        .collect();
    corridor_app::scenario::on_map(scenario.clone(), st.map.clone(), st.snappers.clone())
        .map_err(|e| anyhow::anyhow!("{}: {e:#}", path.display()))?;
    let note = format!("from {}", path.display());
    match st.store.version(&id, None) {
        Ok(v) if v.files == files => {}
        Ok(_) => {
            st.store
                .add_version(&id, &scenario.name, &files, &note, None)?;
        }
        Err(corridor_store::StoreError::NotFound(_)) => {
            st.store
                .create_scenario(&id, &scenario.name, &files, &note, None)?;
        }
        Err(e) => return Err(e.into()),
    }
    Ok(id)
}

/// `GET /v1/scenarios/{id}/history`: the audit log of the scenario (versions, incidents added
/// and retracted, each with the token that did it).
#[utoipa::path(get, path = "/v1/scenarios/{id}/history", tag = "scenarios",
    params(("id" = String, Path, description = "scenario id")),
    responses((status = 200, description = "audit log", body = Object),
              (status = 404, description = "no such scenario", body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn history(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
    q: Q,
) -> ApiResult<Json<Value>> {
    require(&st, &headers, Role::Viewer).await?;
    let id = path_id(id)?;
    query(q, &[], &[])?;
    st.scenario(&id)?;
    let store = st.store.clone();
    let events = blocking(move || Ok(store.events(Some(&id), 0)?)).await?;
    Ok(Json(json!({ "events": events })))
}

// ---------------------------------------------------------------- incidents

/// ACLED fields from a JSON object: known column names only, strings or numbers.
fn fields_from_json(v: &Value, i: usize) -> ApiResult<IncidentFields> {
    let obj = v.as_object().ok_or_else(|| {
        ApiError::invalid(format!("incident {i}: expected an object of ACLED fields"))
    })?;
    let mut f = IncidentFields::new();
    for (k, x) in obj {
        if !INCIDENT_COLUMNS.contains(&k.as_str()) {
            return Err(ApiError::invalid(format!(
                "incident {i}: unknown field '{k}' (ACLED columns: {})",
                INCIDENT_COLUMNS.join(", ")
            )));
        }
        let s = match x {
            Value::String(s) => s.trim().to_string(),
            Value::Number(n) => n.to_string(),
            Value::Null => String::new(),
            _ => {
                return Err(ApiError::invalid(format!(
                    "incident {i}: field '{k}' must be a string or a number"
                )))
            }
        };
        f.insert(k.clone(), s);
    }
    if f.get("event_id_cnty").is_none_or(|s| s.is_empty()) {
        f.insert(
            "event_id_cnty".into(),
            format!("API-{}", &corridor_store::new_secret()[4..14]),
        );
    }
    Ok(f)
}

/// The incidents of a request body: JSON (`{"incidents": [..]}`, a list, or one object) or an
/// ACLED CSV (`Content-Type: text/csv`). Every one validated; the first error names it.
fn incidents_from_body(headers: &HeaderMap, bytes: &[u8]) -> ApiResult<Vec<IncidentFields>> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let fields: Vec<IncidentFields> = if ct.starts_with("text/csv") {
        parse_incidents_csv(bytes, std::path::Path::new("upload.csv"))
            .map_err(|e| ApiError::invalid(e.to_string()))?
            .into_iter()
            .map(|(f, _)| f)
            .collect()
    } else if ct.starts_with("application/json") {
        let v: Value = serde_json::from_slice(bytes)
            .map_err(|e| ApiError::invalid(format!("body: invalid JSON: {e}")))?;
        let list =
            match &v {
                Value::Array(a) => a.clone(),
                Value::Object(o) if o.contains_key("incidents") => o["incidents"]
                    .as_array()
                    .cloned()
                    .ok_or_else(|| ApiError::invalid("'incidents' must be a list"))?,
                Value::Object(_) => vec![v.clone()],
                _ => {
                    return Err(ApiError::invalid(
                        "body: expected an incident object or a list of them",
                    ))
                }
            };
        list.iter()
            .enumerate()
            .map(|(i, x)| fields_from_json(x, i))
            .collect::<ApiResult<_>>()?
    } else {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UnsupportedMediaType",
            "send application/json or text/csv (ACLED columns)",
        ));
    };
    if fields.is_empty() {
        return Err(ApiError::invalid("no incidents in the body"));
    }
    for (i, f) in fields.iter().enumerate() {
        incident_from_fields(f).map_err(|e| ApiError::invalid(format!("incident {i}: {e}")))?;
    }
    Ok(fields)
}

/// `POST /v1/scenarios/{id}/incidents` (editor): adds incidents; the scenario's routing costs
/// change for the next request.
#[utoipa::path(post, path = "/v1/scenarios/{id}/incidents", tag = "incidents",
    params(("id" = String, Path, description = "scenario id")),
    request_body(description = "JSON: an object of ACLED fields, a list, or {\"incidents\": [...]}; or text/csv with ACLED columns", content = Object),
    responses((status = 201, description = "added, with the version now served", body = Object),
              (status = 400, description = "invalid incident", body = crate::error::ErrorBody),
              (status = 403, description = "needs editor", body = crate::error::ErrorBody),
              (status = 413, description = "body over the limit", body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn add_incidents(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
    b: Result<Bytes, BytesRejection>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let caller = require(&st, &headers, Role::Editor).await?;
    let id = path_id(id)?;
    st.scenario(&id)?;
    let bytes = body(b)?;
    let fields = incidents_from_body(&headers, &bytes)?;
    blocking(move || {
        let added = st.store.add_incidents(&id, &fields, caller.actor())?;
        let live = st
            .reload(&id)
            .map_err(|e| ApiError::internal(format!("{e:#}")))?;
        Ok((
            StatusCode::CREATED,
            Json(json!({"added": added, "version": live.version_json()})),
        ))
    })
    .await
}

fn incident_json(r: &IncidentRecord, as_of: chrono::NaiveDate) -> Value {
    let mut v = json!(r);
    let date = incident_from_fields(&r.fields).ok().map(|i| i.date);
    v["in_force"] = json!(r.retracted.is_none() && date.is_some_and(|d| d <= as_of));
    v
}

/// `GET /v1/scenarios/{id}/incidents`: the log, filtered by date range, type and bounding box.
#[utoipa::path(get, path = "/v1/scenarios/{id}/incidents", tag = "incidents",
    params(("id" = String, Path, description = "scenario id"),
           ("from" = Option<String>, Query, description = "first event_date, YYYY-MM-DD"),
           ("to" = Option<String>, Query, description = "last event_date, YYYY-MM-DD"),
           ("type" = Option<String>, Query, description = "event_type, e.g. Explosions/Remote violence"),
           ("bbox" = Option<String>, Query, description = "min_lon,min_lat,max_lon,max_lat"),
           ("retracted" = Option<String>, Query, description = "include (default), exclude or only")),
    responses((status = 200, description = "incidents of the log", body = Object),
              (status = 400, description = "bad filter", body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_incidents(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
    q: Q,
) -> ApiResult<Json<Value>> {
    require(&st, &headers, Role::Viewer).await?;
    let id = path_id(id)?;
    let m = query(q, &["from", "to", "type", "bbox", "retracted"], &[])?;
    let date = |k: &str| {
        one(&m, k)
            .map(|d| {
                chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
                    .map_err(|_| invalid_query(format!("{k}='{d}': expected YYYY-MM-DD")))
            })
            .transpose()
    };
    let (from, to) = (date("from")?, date("to")?);
    let bbox = one(&m, "bbox")
        .map(|b| {
            let v: Vec<f64> = b
                .split(',')
                .filter_map(|x| x.trim().parse().ok())
                .filter(|x: &f64| x.is_finite())
                .collect();
            if v.len() == 4 && v[0] <= v[2] && v[1] <= v[3] {
                Ok([v[0], v[1], v[2], v[3]])
            } else {
                Err(invalid_query(format!(
                    "bbox='{b}': expected min_lon,min_lat,max_lon,max_lat"
                )))
            }
        })
        .transpose()?;
    let retracted = one(&m, "retracted").unwrap_or("include");
    if !["include", "exclude", "only"].contains(&retracted) {
        return Err(invalid_query(format!(
            "retracted='{retracted}': expected include, exclude or only"
        )));
    }
    let kind = one(&m, "type").map(str::to_string);
    let live = st.scenario(&id)?;
    let as_of = live.owner().loaded.scenario.as_of;
    let list: Vec<Value> = live
        .owner()
        .log
        .iter()
        .filter(|r| match retracted {
            "exclude" => r.retracted.is_none(),
            "only" => r.retracted.is_some(),
            _ => true,
        })
        .filter(|r| {
            let Ok(i) = incident_from_fields(&r.fields) else {
                return false;
            };
            from.is_none_or(|d| i.date >= d)
                && to.is_none_or(|d| i.date <= d)
                && kind.as_ref().is_none_or(|k| &i.event_type == k)
                && bbox.is_none_or(|b| {
                    b[0] <= i.point[0]
                        && i.point[0] <= b[2]
                        && b[1] <= i.point[1]
                        && i.point[1] <= b[3]
                })
        })
        .map(|r| incident_json(r, as_of))
        .collect();
    Ok(Json(
        json!({"incidents": list, "version": live.version_json()}),
    ))
}

/// `POST /v1/scenarios/{id}/incidents/{incident}/retract` (editor): `{"reason": "..."}`.
/// The incident stays in the log, marked retracted with who, when and why.
#[utoipa::path(post, path = "/v1/scenarios/{id}/incidents/{incident}/retract", tag = "incidents",
    params(("id" = String, Path, description = "scenario id"), ("incident" = i64, Path, description = "incident id")),
    request_body(description = "{\"reason\": \"why\"}", content = Retraction),
    responses((status = 200, description = "the retracted incident", body = Object),
              (status = 404, description = "no such incident", body = crate::error::ErrorBody),
              (status = 409, description = "already retracted", body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn retract_incident(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    p: Result<Path<(String, String)>, PathRejection>,
    b: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<Value>> {
    let caller = require(&st, &headers, Role::Editor).await?;
    let Path((id, incident)) = p.map_err(|e| ApiError::invalid(e.body_text()))?;
    let incident: i64 = incident.parse().map_err(|_| {
        ApiError::invalid(format!(
            "incident '{incident}': expected an incident id (a number)"
        ))
    })?;
    st.scenario(&id)?;
    let bytes = body(b)?;
    let v: Value = serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::invalid(format!("body: invalid JSON: {e}")))?;
    let reason = v
        .get("reason")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .ok_or_else(|| {
            ApiError::invalid("body: give {\"reason\": \"why\"}: a retraction needs a reason")
        })?
        .to_string();
    blocking(move || {
        let rec = st
            .store
            .retract_incident(&id, incident, &reason, caller.actor())?;
        let live = st
            .reload(&id)
            .map_err(|e| ApiError::internal(format!("{e:#}")))?;
        Ok(Json(
            json!({"retracted": rec, "version": live.version_json()}),
        ))
    })
    .await
}

// ---------------------------------------------------------------- analyses

fn format_param(m: &BTreeMap<String, Vec<String>>) -> ApiResult<bool> {
    match one(m, "format") {
        None | Some("json") => Ok(false),
        Some("geojson") => Ok(true),
        Some(f) => Err(invalid_query(format!(
            "format='{f}': expected json or geojson"
        ))),
    }
}

fn minutes_param(m: &BTreeMap<String, Vec<String>>, default: &[f64]) -> ApiResult<Vec<f64>> {
    match one(m, "minutes") {
        None => Ok(default.to_vec()),
        Some(s) => {
            let v: Option<Vec<f64>> = s.split(',').map(|x| x.trim().parse::<f64>().ok()).collect();
            let v = v.filter(|v| {
                !v.is_empty()
                    && v.len() <= 12
                    && v.iter()
                        .all(|x| x.is_finite() && *x > 0.0 && *x <= 24.0 * 60.0)
            });
            v.ok_or_else(|| invalid_query(format!("minutes='{s}': expected up to 12 positive numbers of minutes up to 1440, e.g. 15,30,60")))
        }
    }
}

/// Adds the scenario version to a result (in `properties` for a FeatureCollection).
fn with_version(mut v: Value, live: &Live) -> Value {
    if v.get("type").and_then(Value::as_str) == Some("FeatureCollection") {
        v["properties"]["version"] = live.version_json();
    } else {
        v["version"] = live.version_json();
    }
    v
}

async fn analysis(
    st: Arc<AppState>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
    q: Q,
    allowed: &[&str],
    repeatable: &[&str],
    run: impl FnOnce(&Live, &BTreeMap<String, Vec<String>>) -> ApiResult<Value> + Send + 'static,
) -> ApiResult<Json<Value>> {
    require(&st, &headers, Role::Viewer).await?;
    let id = path_id(id)?;
    let m = query(q, allowed, repeatable)?;
    let live = st.scenario(&id)?;
    blocking(move || Ok(Json(with_version(run(&live, &m)?, &live)))).await
}

/// `GET /v1/scenarios/{id}/siege`: `corridor siege`'s JSON (or GeoJSON).
#[utoipa::path(get, path = "/v1/scenarios/{id}/siege", tag = "analyses",
    params(("id" = String, Path, description = "scenario id"),
           ("close" = Option<String>, Query, description = "what if this road (OSM way id or name) were closed; repeatable"),
           ("open" = Option<String>, Query, description = "what if this road were open; repeatable"),
           ("format" = Option<String>, Query, description = "json (default) or geojson")),
    responses((status = 200, description = "the siege analysis", body = Object),
              (status = 400, description = "bad parameter or no enclave", body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn siege(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
    q: Q,
) -> ApiResult<Json<Value>> {
    analysis(
        st,
        headers,
        id,
        q,
        &["close", "open", "format"],
        &["close", "open"],
        |live, m| {
            let list = |k: &str| m.get(k).cloned().unwrap_or_default();
            results::siege::result(
                &live.owner().loaded,
                live.on(Profile::Foot),
                live.on(Profile::Car),
                &list("close"),
                &list("open"),
                format_param(m)?,
            )
            .map_err(analysis_error)
        },
    )
    .await
}

/// `GET /v1/scenarios/{id}/evacuate`: `corridor evacuate`'s JSON (or GeoJSON).
#[utoipa::path(get, path = "/v1/scenarios/{id}/evacuate", tag = "analyses",
    params(("id" = String, Path, description = "scenario id"),
           ("suggest" = Option<u32>, Query, description = "propose this many new checkpoints (0 to 10)"),
           ("format" = Option<String>, Query, description = "json (default) or geojson")),
    responses((status = 200, description = "the evacuation plan", body = Object),
              (status = 400, description = "bad parameter", body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn evacuate(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
    q: Q,
) -> ApiResult<Json<Value>> {
    analysis(
        st,
        headers,
        id,
        q,
        &["suggest", "format"],
        &[],
        |live, m| {
            let suggest = one(m, "suggest")
                .map(|s| {
                    s.parse::<usize>().ok().filter(|k| *k <= 10).ok_or_else(|| {
                        invalid_query(format!(
                            "suggest='{s}': expected a whole number from 0 to 10"
                        ))
                    })
                })
                .transpose()?;
            results::evacuate::result(
                &live.owner().loaded,
                live.on(Profile::Foot),
                live.on(Profile::Car),
                suggest,
                format_param(m)?,
            )
            .map_err(analysis_error)
        },
    )
    .await
}

/// `GET /v1/scenarios/{id}/access`: `corridor access`'s JSON (or GeoJSON); `compare=DATE`
/// reads the stored version's files for that date (and the incident log up to it).
#[utoipa::path(get, path = "/v1/scenarios/{id}/access", tag = "analyses",
    params(("id" = String, Path, description = "scenario id"),
           ("minutes" = Option<String>, Query, description = "coverage thresholds, default 15,30,60"),
           ("compare" = Option<String>, Query, description = "also the state on this date, YYYY-MM-DD, and what changed"),
           ("format" = Option<String>, Query, description = "json (default) or geojson")),
    responses((status = 200, description = "health-care access", body = Object),
              (status = 400, description = "bad parameter", body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn access(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
    q: Q,
) -> ApiResult<Json<Value>> {
    let state = st.clone();
    analysis(
        st,
        headers,
        id,
        q,
        &["minutes", "compare", "format"],
        &[],
        move |live, m| {
            let minutes = minutes_param(m, &[15.0, 30.0, 60.0])?;
            let compare = one(m, "compare")
                .map(results::access::parse_compare_date)
                .transpose()
                .map_err(analysis_error)?;
            // The compare date's scenario from the stored files, as the CLI reads its manifest.
            let on_date = |d| state.scenario_on(live, d);
            // The live scenario's customization of access's weights (fastest, default side),
            // made once and kept for every later request: `auto` then weighs sweeps alone.
            let cached = cached_fastest(live);
            results::access::access_result_with(
                &live.owner().loaded,
                live.on(Profile::Foot),
                live.on(Profile::Car),
                &minutes,
                compare,
                &on_date,
                format_param(m)?,
                results::access::Engines {
                    choice: Default::default(),
                    customized: [Some(&cached[0]), Some(&cached[1])],
                },
            )
            .map_err(analysis_error)
        },
    )
    .await
}

/// The live scenario's customized fastest weights for its default side, foot then car (what
/// access and isochrones search), from the server's cache (customized on first use).
fn cached_fastest(live: &crate::live::Live) -> [Arc<corridor_roads::CustomizedWeights>; 2] {
    let side = corridor_scenario::Side::default_for(&live.owner().loaded.scenario);
    [Profile::Foot, Profile::Car]
        .map(|p| live.weights(p, side, corridor_scenario::Mode::Fastest, 0.0))
}

/// `GET /v1/scenarios/{id}/isochrone?from=lon,lat`: `corridor isochrone`'s GeoJSON.
#[utoipa::path(get, path = "/v1/scenarios/{id}/isochrone", tag = "analyses",
    params(("id" = String, Path, description = "scenario id"),
           ("from" = String, Query, description = "start, lon,lat"),
           ("minutes" = Option<String>, Query, description = "travel times, default 10,20,30"),
           ("profile" = Option<String>, Query, description = "foot (default) or car")),
    responses((status = 200, description = "isochrones as a GeoJSON FeatureCollection", body = Object),
              (status = 400, description = "bad parameter or start off the map", body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn isochrone(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
    q: Q,
) -> ApiResult<Json<Value>> {
    analysis(
        st,
        headers,
        id,
        q,
        &["from", "minutes", "profile"],
        &[],
        |live, m| {
            let from_arg = one(m, "from")
                .ok_or_else(|| invalid_query("'from' is required: lon,lat".into()))?;
            let from = crate::osrm_query::coordinates(from_arg)
                .ok()
                .filter(|c| c.len() == 1)
                .ok_or_else(|| {
                    invalid_query(format!(
                        "from='{from_arg}': expected one lon,lat within ±180/±90"
                    ))
                })?[0];
            let profile = match one(m, "profile").unwrap_or("foot") {
                "foot" => Profile::Foot,
                "car" => Profile::Car,
                p => {
                    return Err(invalid_query(format!(
                        "profile='{p}': expected foot or car"
                    )))
                }
            };
            let minutes = minutes_param(m, &[10.0, 20.0, 30.0])?;
            // Only the asked profile's customization: the other is not searched, and a first
            // call should not pay for it.
            let side = corridor_scenario::Side::default_for(&live.owner().loaded.scenario);
            let cached = live.weights(profile, side, corridor_scenario::Mode::Fastest, 0.0);
            let mut customized = [None, None];
            customized[profile.index()] = Some(&*cached);
            results::access::isochrone_result(
                &live.owner().loaded,
                live.on(profile),
                profile,
                from,
                from_arg,
                &minutes,
                results::access::Engines {
                    choice: Default::default(),
                    customized,
                },
            )
            .map_err(analysis_error)
        },
    )
    .await
}

// ---------------------------------------------------------------- tokens

/// `GET /v1/tokens` (admin): every token, never its secret.
#[utoipa::path(get, path = "/v1/tokens", tag = "tokens",
    responses((status = 200, description = "tokens", body = Object),
              (status = 403, description = "needs admin", body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_tokens(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    q: Q,
) -> ApiResult<Json<Value>> {
    require(&st, &headers, Role::Admin).await?;
    query(q, &[], &[])?;
    let store = st.store.clone();
    let t = blocking(move || Ok(store.tokens()?)).await?;
    Ok(Json(json!({ "tokens": t })))
}

/// The body of `POST /v1/tokens`, as the OpenAPI document describes it (so that clients and
/// the API fuzz send valid ones); the handler reads the JSON itself, to name what is wrong.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct NewToken {
    /// `viewer`, `editor` or `admin`.
    #[schema(pattern = "^(viewer|editor|admin)$")]
    role: String,
    /// Who holds it.
    label: Option<String>,
    /// Last day it works (UTC), `YYYY-MM-DD`; or use `expires_in_days`. Neither: never expires.
    expires: Option<String>,
    /// Days from now until it expires.
    #[schema(minimum = 1, maximum = 36525)]
    expires_in_days: Option<u32>,
}

/// The body of a retraction: why.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct Retraction {
    #[schema(min_length = 1)]
    reason: String,
}

/// `POST /v1/tokens` (admin): `{"role": "viewer|editor|admin", "label": "...", "expires":
/// "YYYY-MM-DD" | "expires_in_days": N}` (no expiry: never expires); the answer holds the
/// secret, shown this once.
#[utoipa::path(post, path = "/v1/tokens", tag = "tokens",
    request_body(description = "{\"role\": \"viewer\", \"label\": \"who holds it\"}", content = NewToken),
    responses((status = 201, description = "the token and its secret", body = Object),
              (status = 400, description = "bad role", body = crate::error::ErrorBody),
              (status = 403, description = "needs admin", body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn create_token(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    b: Result<Bytes, BytesRejection>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let caller = require(&st, &headers, Role::Admin).await?;
    let bytes = body(b)?;
    let v: Value = serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::invalid(format!("body: invalid JSON: {e}")))?;
    let role = v
        .get("role")
        .and_then(Value::as_str)
        .and_then(Role::parse)
        .ok_or_else(|| ApiError::invalid("body: 'role' must be viewer, editor or admin"))?;
    let label = v
        .get("label")
        .and_then(Value::as_str)
        .unwrap_or("")
        .trim()
        .to_string();
    let expires_at = token_expiry(&v)?;
    let store = st.store.clone();
    let (info, secret) = blocking(move || {
        Ok(store.create_token_expiring(role, &label, expires_at.as_deref(), caller.actor())?)
    })
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"token": info, "secret": secret})),
    ))
}

/// `expires` (`YYYY-MM-DD`, works through that day) or `expires_in_days` of a token request.
fn token_expiry(v: &Value) -> ApiResult<Option<String>> {
    let date = match v.get("expires") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.as_str()),
        Some(_) => {
            return Err(ApiError::invalid(
                "body: 'expires' must be a date YYYY-MM-DD",
            ))
        }
    };
    let days = match v.get("expires_in_days") {
        None | Some(Value::Null) => None,
        Some(n) => Some(
            n.as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .ok_or_else(|| {
                    ApiError::invalid("body: 'expires_in_days' must be a whole number of days")
                })?,
        ),
    };
    if date.is_some() && days.is_some() {
        return Err(ApiError::invalid(
            "body: give 'expires' or 'expires_in_days', not both",
        ));
    }
    crate::auth::expiry(date, days).map_err(|e| ApiError::invalid(format!("body: {e}")))
}

/// `POST /v1/tokens/{token}/revoke` (admin).
#[utoipa::path(post, path = "/v1/tokens/{token}/revoke", tag = "tokens",
    params(("token" = i64, Path, description = "token id")),
    responses((status = 200, description = "the revoked token", body = Object),
              (status = 404, description = "no such token", body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn revoke_token(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    p: Result<Path<String>, PathRejection>,
) -> ApiResult<Json<Value>> {
    let caller = require(&st, &headers, Role::Admin).await?;
    let t = path_id(p)?;
    let id: i64 = t
        .parse()
        .map_err(|_| ApiError::invalid(format!("token '{t}': expected a token id (a number)")))?;
    let store = st.store.clone();
    let info = blocking(move || Ok(store.revoke_token(id, caller.actor())?)).await?;
    Ok(Json(json!({ "token": info })))
}
