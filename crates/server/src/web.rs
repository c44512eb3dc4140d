//! The web map (`corridor-web`) on the server: the page at `/` and its bundle (no token: they
//! hold no data), the layers it draws and the analyses replayed as of an earlier day (viewer
//! token, like every read).
//!
//! - `GET /v1/web/network`: the road network as GeoJSON (class, name, OSM way id).
//! - `GET /v1/scenarios/{id}/layers`: territory, front lines, incidents (log included),
//!   closures, checkpoints; dated features carry `date`, `properties.timeline` the days;
//!   `as_of=` gives them as they stood on that day (territory dated by `since`/`until`).
//! - `GET /v1/scenarios/{id}/replay/{siege|evacuate|access}?as_of=YYYY-MM-DD`: the analysis
//!   endpoint's answer for the scenario as it stood on that day — incidents (the log's too)
//!   and closures dated after it left out — with `format`, and `compare` for access. On the
//!   scenario's own `as_of` it equals `/v1/scenarios/{id}/{analysis}`.
//! - `as_of=` on `/route/v1` and `/table/v1` (with `scenario`): routes on the scenario as it
//!   stood on that day, through `live_as_of` (the page's date slider).

use crate::api::{blocking, one, query, Q};
use crate::auth::require;
use crate::error::{ApiError, ApiResult};
use crate::live::Live;
use crate::state::AppState;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use corridor_app::results;
use corridor_app::scenario::{on_map, LoadedScenario};
use corridor_roads::Profile;
use corridor_store::Role;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// The web map's routes, merged into the service's router.
pub fn routes() -> Router<Arc<AppState>> {
    let mut r = Router::new();
    for path in corridor_web::assets::PATHS {
        r = r.route(path, get(asset));
    }
    r.route("/v1/web/network", get(network))
        .route("/v1/scenarios/{id}/layers", get(layers))
        .route("/v1/scenarios/{id}/replay/{analysis}", get(replay))
}

/// The page and its bundle, with an ETag so a reload costs a 304.
async fn asset(uri: Uri, headers: HeaderMap) -> Response {
    let Some(a) = corridor_web::assets::get(uri.path()) else {
        return crate::api::not_found().await.into_response();
    };
    let etag = a.etag();
    let cached = headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag.as_bytes());
    let common = [
        (header::ETAG, etag),
        (header::CACHE_CONTROL, "no-cache".to_string()),
    ];
    if cached {
        return (StatusCode::NOT_MODIFIED, common).into_response();
    }
    (
        [(header::CONTENT_TYPE, a.content_type.to_string())],
        common,
        a.bytes,
    )
        .into_response()
}

/// `GET /v1/web/network`: built once per map (it never changes while the server runs).
async fn network(State(st): State<Arc<AppState>>, headers: HeaderMap, q: Q) -> ApiResult<Response> {
    require(&st, &headers, Role::Viewer).await?;
    query(q, &[], &[])?;
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<Vec<u8>>>>> = OnceLock::new();
    let key = st.map.graph.meta.source_sha256.clone();
    let bytes = blocking(move || {
        let cache = CACHE.get_or_init(Default::default);
        if let Some(b) = cache.lock().expect("not poisoned").get(&key) {
            return Ok(b.clone());
        }
        let v = corridor_web::network::road_network(&st.map.graph);
        let b = Arc::new(serde_json::to_vec(&v).map_err(|e| ApiError::internal(e.to_string()))?);
        cache.lock().expect("not poisoned").insert(key, b.clone());
        Ok(b)
    })
    .await?;
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        bytes.as_ref().clone(),
    )
        .into_response())
}

fn scenario_id(p: Result<Path<String>, PathRejection>) -> ApiResult<String> {
    p.map(|Path(x)| x)
        .map_err(|e| ApiError::invalid(e.body_text()))
}

/// `GET /v1/scenarios/{id}/layers`: the live scenario's layers (with the incident log); with
/// `as_of=YYYY-MM-DD` as it stood on that day (territory, front lines, incidents, closures).
async fn layers(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
    q: Q,
) -> ApiResult<Json<Value>> {
    require(&st, &headers, Role::Viewer).await?;
    let id = scenario_id(id)?;
    let m = query(q, &["as_of"], &[])?;
    let day = m.contains_key("as_of").then(|| day_param(&m)).transpose()?;
    let live = st.scenario(&id)?;
    blocking(move || {
        let live = match day {
            Some(day) => live_as_of(&live, day)?,
            None => live,
        };
        let s = &live.owner().loaded.scenario;
        let mut v =
            corridor_web::layers::scenario_layers(s, live.on(Profile::Foot), live.on(Profile::Car));
        v["properties"]["version"] = live.version_json();
        Ok(Json(v))
    })
    .await
}

/// Replayed scenarios kept for the next request (the page asks for JSON and GeoJSON of three
/// analyses per day): keyed by the live scenario (a new incident makes a new one) and the day,
/// the oldest dropped first.
type ReplayCache = Vec<(Arc<Live>, NaiveDate, Arc<LoadedScenario>)>;
const REPLAY_CACHE_LEN: usize = 8;

/// `as_of`, through the cache.
fn replayed(live: &Arc<Live>, day: NaiveDate) -> ApiResult<Arc<LoadedScenario>> {
    static CACHE: OnceLock<Mutex<ReplayCache>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let hit = cache
        .lock()
        .expect("not poisoned")
        .iter()
        .find(|(l, d, _)| Arc::ptr_eq(l, live) && *d == day)
        .map(|(_, _, s)| s.clone());
    if let Some(s) = hit {
        return Ok(s);
    }
    let s = Arc::new(as_of(live, day)?);
    let mut c = cache.lock().expect("not poisoned");
    if c.len() >= REPLAY_CACHE_LEN {
        c.remove(0);
    }
    c.push((live.clone(), day, s.clone()));
    Ok(s)
}

/// The scenario as it stood on `day`: what is dated after it is left out.
fn as_of(live: &Live, day: NaiveDate) -> ApiResult<LoadedScenario> {
    let now = &live.owner().loaded;
    if day > now.scenario.as_of {
        return Err(ApiError::invalid(format!(
            "as_of={day}: after the scenario's as_of ({}); nothing is known about later days",
            now.scenario.as_of
        )));
    }
    let s = corridor_app::scenario::cut_back_to(&now.scenario, day);
    on_map(s, now.map.clone(), now.snappers.clone())
        .map_err(|e| ApiError::invalid(format!("as_of={day}: {e:#}")))
}

/// Live scenarios as of an earlier day, for routing: keyed like `ReplayCache`.
type LiveCache = Vec<(Arc<Live>, NaiveDate, Arc<Live>)>;

/// `live` as it stood on `day` (`as_of=` on the OSRM endpoints): incidents and closures dated
/// after `day` left out, laid out once and kept (the page asks for the fastest and the safest
/// route of the same day together). On the scenario's own `as_of` it is `live` itself.
pub fn live_as_of(live: &Arc<Live>, day: NaiveDate) -> ApiResult<Arc<Live>> {
    if day == live.owner().loaded.scenario.as_of {
        return Ok(live.clone());
    }
    static CACHE: OnceLock<Mutex<LiveCache>> = OnceLock::new();
    static BUILDING: Mutex<()> = Mutex::new(());
    let cache = CACHE.get_or_init(Default::default);
    let find = || {
        cache
            .lock()
            .expect("not poisoned")
            .iter()
            .find(|(l, d, _)| Arc::ptr_eq(l, live) && *d == day)
            .map(|(_, _, s)| s.clone())
    };
    if let Some(hit) = find() {
        return Ok(hit);
    }
    let _one_at_a_time = BUILDING.lock().expect("not poisoned");
    if let Some(hit) = find() {
        return Ok(hit);
    }
    let then = Arc::new(live_then(live, day)?);
    let mut c = cache.lock().expect("not poisoned");
    if c.len() >= REPLAY_CACHE_LEN {
        c.remove(0);
    }
    c.push((live.clone(), day, then.clone()));
    Ok(then)
}

/// A new `Live` of `as_of(live, day)`, its incident log counted against `day`.
fn live_then(live: &Live, day: NaiveDate) -> ApiResult<Live> {
    let now = live.owner();
    let log_day = |r: &corridor_store::IncidentRecord| {
        corridor_scenario::incident_from_fields(&r.fields)
            .ok()
            .map(|i| i.date)
    };
    let in_force = now
        .log
        .iter()
        .filter(|r| r.retracted.is_none())
        .filter_map(log_day)
        .filter(|d| *d <= day)
        .count();
    let owner = crate::live::LiveOwner {
        loaded: as_of(live, day)?,
        id: now.id.clone(),
        version: now.version,
        log: now.log.clone(),
        log_in_force: in_force,
        log_after_as_of: now.log.iter().filter(|r| r.retracted.is_none()).count() - in_force,
    };
    Live::build(owner).map_err(|e| ApiError::invalid(format!("as_of={day}: {e:#}")))
}

fn day_param(m: &std::collections::BTreeMap<String, Vec<String>>) -> ApiResult<NaiveDate> {
    let d = one(m, "as_of").ok_or_else(|| ApiError::invalid("'as_of' is required: YYYY-MM-DD"))?;
    NaiveDate::parse_from_str(d, "%Y-%m-%d")
        .map_err(|_| ApiError::invalid(format!("as_of='{d}': expected a date YYYY-MM-DD")))
}

/// `GET /v1/scenarios/{id}/replay/{analysis}?as_of=…`.
async fn replay(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    path: Result<Path<(String, String)>, PathRejection>,
    q: Q,
) -> ApiResult<Json<Value>> {
    require(&st, &headers, Role::Viewer).await?;
    let Path((id, analysis)) = path.map_err(|e| ApiError::invalid(e.body_text()))?;
    let allowed: &[&str] = match analysis.as_str() {
        "siege" | "evacuate" => &["as_of", "format"],
        "access" => &["as_of", "format", "compare"],
        other => {
            return Err(ApiError::not_found(format!(
                "no analysis '{other}' to replay (siege, evacuate, access)"
            )))
        }
    };
    let m = query(q, allowed, &[])?;
    let day = day_param(&m)?;
    let geojson = match one(&m, "format").unwrap_or("json") {
        "json" => false,
        "geojson" => true,
        f => {
            return Err(ApiError::invalid(format!(
                "format='{f}': expected json or geojson"
            )))
        }
    };
    let live = st.scenario(&id)?;
    blocking(move || {
        let loaded = replayed(&live, day)?;
        let (foot, car) = (loaded.on(Profile::Foot), loaded.on(Profile::Car));
        let mut v = match analysis.as_str() {
            "siege" => results::siege::result(&loaded, &foot, &car, &[], &[], geojson),
            "evacuate" => results::evacuate::result(&loaded, &foot, &car, None, geojson),
            _ => {
                let compare = one(&m, "compare")
                    .map(results::access::parse_compare_date)
                    .transpose()
                    .map_err(|e| ApiError::invalid(format!("{e:#}").replace("--", "")))?;
                results::access::access_result(
                    &loaded,
                    &foot,
                    &car,
                    &[15.0, 30.0, 60.0],
                    compare,
                    geojson,
                    Default::default(),
                )
            }
        }
        .map_err(|e| ApiError::invalid(format!("{e:#}").replace("--", "")))?;
        let at = if geojson {
            &mut v["properties"]
        } else {
            &mut v
        };
        at["version"] = live.version_json();
        at["replayed_as_of"] = Value::String(day.to_string());
        Ok(Json(v))
    })
    .await
}
