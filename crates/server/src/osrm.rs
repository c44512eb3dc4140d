//! OSRM-compatible `/route/v1`, `/nearest/v1` and `/table/v1`: OSRM's URLs, parameters,
//! response fields and error codes (<https://project-osrm.org/docs/v5.24.0/api/>), so that
//! OSRM clients and map plugins work unchanged. corridor adds fields, never replaces OSRM's:
//! `map`, `scenario`, `version` and `parameters` at the top, `mode` and `risk` on routes,
//! `risk` and `exposure` on legs.

use crate::auth::require;
use crate::error::{ApiError, ApiResult};
use crate::live::Live;
use crate::osrm_query::{coordinates, invalid_value, profile, Params};
use crate::osrm_shape::{
    route_json, waypoint_json, Annotations, Geometries, Overview, RouteOptions,
};
use crate::state::AppState;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::Json;
use corridor_app::alternatives::alternative_routes;
use corridor_app::scenario::{describe_side, parse_side};
use corridor_roads::route::RoadRoute;
use corridor_roads::{CustomizedWeights, Profile, Snap};
use corridor_scenario::{Mode, Side};
use corridor_store::Role;
use serde_json::{json, Value};
use std::sync::Arc;

/// Farthest a coordinate may lie from a usable road unless `radiuses` says otherwise, metres
/// (the CLI's `--max-snap` default; osrm-routed has no limit, which answers points far off the
/// map with routes that start somewhere else).
pub const DEFAULT_RADIUS_M: f64 = 500.0;

/// Parameters every OSRM endpoint accepts and ignores, because corridor has nothing to do with
/// them: it returns empty hints.
const IGNORED: [&str; 2] = ["hints", "generate_hints"];
const SCENARIO_PARAMS: [&str; 5] = ["scenario", "mode", "side", "lambda", "as_of"];

pub type PathArgs = Result<Path<(String, String)>, PathRejection>;
pub type QueryArgs = Result<Query<Vec<(String, String)>>, QueryRejection>;
/// Profile, coordinates and query pairs of an OSRM URL.
type Unpacked = (String, String, Vec<(String, String)>);

/// Path and query rejections become OSRM errors.
fn unpack(path: PathArgs, query: QueryArgs) -> ApiResult<Unpacked> {
    let Path((p, c)) = path.map_err(|e| ApiError::osrm("InvalidUrl", e.body_text()))?;
    let Query(q) = query.map_err(|e| ApiError::osrm("InvalidQuery", e.body_text()))?;
    Ok((p, c, q))
}

fn allowed(own: &[&'static str]) -> Vec<&'static str> {
    own.iter()
        .chain(&IGNORED)
        .chain(&SCENARIO_PARAMS)
        .copied()
        .collect()
}

/// The costs a request routes on: travel time (CCH), or a scenario's weights (A*).
pub enum Costs {
    TravelTime,
    Scenario {
        live: Arc<Live>,
        weights: Arc<CustomizedWeights>,
        mode: Mode,
        side: Side,
        lambda: f64,
        /// For a traveller of no party: weights that block only closed roads, on which the
        /// exact crossing rule searches (computed once per request, not per table cell).
        neutral_open: Option<Vec<f64>>,
    },
}

impl Costs {
    /// From `scenario`, `mode`, `side` and `lambda`; the last three need the first.
    fn from_params(st: &AppState, p: &Params, profile: Profile) -> ApiResult<Costs> {
        let Some(id) = p.get("scenario") else {
            if let Some(k) = SCENARIO_PARAMS[1..].iter().find(|k| p.get(k).is_some()) {
                return Err(ApiError::osrm(
                    "InvalidQuery",
                    format!(
                        "'{k}' needs 'scenario' (routes without one are fastest by travel time)"
                    ),
                ));
            }
            return Ok(Costs::TravelTime);
        };
        let live = st.scenario(id).map_err(|e| {
            ApiError::osrm(
                "InvalidValue",
                format!("scenario='{id}': {}", e.body.message),
            )
        })?;
        let live = match p.get("as_of") {
            Some(d) => as_of_day(&live, d)?,
            None => live,
        };
        let mode = match p.choice("mode", &["fastest", "safest", "balanced"])? {
            "safest" => Mode::Safest,
            "balanced" => Mode::Balanced,
            _ => Mode::Fastest,
        };
        let scenario = &live.owner().loaded.scenario;
        let side = parse_side(scenario, p.get("side")).map_err(|e| {
            ApiError::osrm("InvalidValue", e.to_string().replace("--side", "side="))
        })?;
        let lambda = p.number("lambda")?.unwrap_or(scenario.risk.lambda);
        let weights = live.weights(profile, side, mode, lambda);
        let neutral_open = (side == Side::Neutral).then(|| {
            let sm = live.on(profile);
            sm.weights_from_arcs(&sm.closed_arcs(), mode, lambda)
        });
        Ok(Costs::Scenario {
            live,
            weights,
            mode,
            side,
            lambda,
            neutral_open,
        })
    }

    fn weights<'a>(&'a self, st: &'a AppState, p: Profile) -> &'a [f64] {
        match self {
            Costs::TravelTime => &st.base[p.index()].weight,
            Costs::Scenario { weights, .. } => &weights.weight,
        }
    }

    fn mode_name(&self) -> &'static str {
        match self {
            Costs::TravelTime => "fastest",
            Costs::Scenario { mode, .. } => match mode {
                Mode::Fastest => "fastest",
                Mode::Safest => "safest",
                Mode::Balanced => "balanced",
            },
        }
    }

    /// The exact cheapest route between two snapped points. A traveller of no party is routed
    /// as `corridor route --side neutral` routes it: by the exact crossing rule (the last
    /// party's ground held, engine `state_dijkstra`), on weights that block only closed roads;
    /// no per-arc weight (and so no CCH) can express that rule.
    fn search(&self, st: &AppState, p: Profile, a: &Snap, b: &Snap) -> Option<RoadRoute> {
        let g = st.map.graph.profile(p);
        if let Costs::Scenario {
            live,
            neutral_open: Some(open),
            ..
        } = self
        {
            let sm = live.on(p);
            return sm.neutral_route(open, std::slice::from_ref(a), std::slice::from_ref(b));
        }
        st.with_router(p, |r| match self {
            Costs::TravelTime => r.route_on(g, &st.base[p.index()], a, b),
            Costs::Scenario { weights, .. } => r.route_on(g, weights, a, b),
        })
    }

    /// `map`, `scenario`, `version` and `parameters`: what the answer rests on.
    fn identity(&self, st: &AppState, out: &mut Value) {
        out["map"] = json!(st.map.identity());
        if let Costs::Scenario {
            live,
            mode,
            side,
            lambda,
            ..
        } = self
        {
            let s = &live.owner().loaded.scenario;
            out["scenario"] = json!(live.owner().loaded.identity());
            out["version"] = live.version_json();
            out["parameters"] =
                json!({"mode": mode, "side": describe_side(s, *side), "lambda_s_per_unit": lambda});
        }
    }
}

/// `as_of=YYYY-MM-DD`: the scenario as it stood on that day (not after its own `as_of`).
fn as_of_day(live: &Arc<Live>, d: &str) -> ApiResult<Arc<Live>> {
    let day = chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
        .map_err(|_| invalid_value("as_of", d, "a date YYYY-MM-DD"))?;
    crate::web::live_as_of(live, day).map_err(|e| ApiError::osrm("InvalidValue", e.body.message))
}

/// Snaps every coordinate within its radius, or `NoSegment` naming the first that is off the
/// network.
fn snap_all(
    st: &AppState,
    p: Profile,
    coords: &[[f64; 2]],
    params: &Params,
) -> ApiResult<Vec<Snap>> {
    let radii = params.per_coordinate(
        "radiuses",
        coords.len(),
        |x| match x {
            "unlimited" | "" => Some(f64::INFINITY),
            _ => x.parse::<f64>().ok().filter(|r| *r >= 0.0 && !r.is_nan()),
        },
        "metres (a non-negative number or 'unlimited') per coordinate",
    )?;
    let g = st.map.graph.profile(p);
    coords
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let r = radii.as_ref().map_or(DEFAULT_RADIUS_M, |v| v[i]);
            st.snappers[p.index()].snap(g, c, r).ok_or_else(|| {
                ApiError::osrm(
                    "NoSegment",
                    format!(
                        "Could not find a matching segment for coordinate {i} ({},{}) within {r} m of a {} road",
                        c[0], c[1], p.name()
                    ),
                )
            })
        })
        .collect()
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> ApiResult<T> + Send + 'static,
) -> ApiResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::internal(format!("request failed: {e}")))?
}

/// `GET /route/v1/{profile}/{coordinates}`.
#[utoipa::path(get, path = "/route/v1/{profile}/{coordinates}", tag = "osrm",
    params(
        ("profile" = String, Path, description = "foot (walking) or car (driving)"),
        ("coordinates" = String, Path, description = "lon,lat;lon,lat… (2 to 100), or polyline(…) / polyline6(…)"),
        ("alternatives" = Option<String>, Query, description = "true, false or a number of alternatives"),
        ("steps" = Option<bool>, Query, description = "turn-by-turn steps per leg"),
        ("geometries" = Option<String>, Query, description = "polyline (default), polyline6 or geojson"),
        ("overview" = Option<String>, Query, description = "full (default), simplified (Douglas–Peucker, 10 m) or false"),
        ("radiuses" = Option<String>, Query, description = "snap limit per coordinate, metres or 'unlimited' (default 500)"),
        ("continue_straight" = Option<String>, Query, description = "accepted, without effect (no turn costs)"),
        ("annotations" = Option<String>, Query, description = "true, false or a comma-separated list of distance, duration, speed, nodes"),
        ("scenario" = Option<String>, Query, description = "a scenario id: threat-aware routing"),
        ("mode" = Option<String>, Query, description = "with scenario: fastest (default), safest or balanced"),
        ("side" = Option<String>, Query, description = "with scenario: civilian, neutral, PARTY or civilian:PARTY"),
        ("lambda" = Option<f64>, Query, description = "with scenario and mode=balanced: seconds per unit of exposure"),
        ("as_of" = Option<String>, Query, description = "with scenario: YYYY-MM-DD, route on the scenario as it stood that day (default its as_of)"),
    ),
    responses((status = 200, description = "OSRM route response", body = Object),
              (status = 400, description = "OSRM error", body = crate::error::ErrorBody),
              (status = 401, description = "no valid token", body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn route(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    path: PathArgs,
    query: QueryArgs,
) -> ApiResult<Json<Value>> {
    require(&st, &headers, Role::Viewer).await?;
    let (prof, coords, q) = unpack(path, query)?;
    let params = Params::parse(
        q,
        &allowed(&[
            "alternatives",
            "steps",
            "geometries",
            "overview",
            "radiuses",
            "continue_straight",
            "annotations",
        ]),
    )?;
    let p = profile(&prof)?;
    let coords = coordinates(&coords)?;
    if coords.len() < 2 {
        return Err(ApiError::osrm(
            "InvalidValue",
            "a route needs at least 2 coordinates",
        ));
    }
    blocking(move || route_blocking(&st, p, &coords, &params).map(Json)).await
}

fn route_options(params: &Params, n: usize) -> ApiResult<RouteOptions> {
    let alternatives = match params.get("alternatives") {
        None | Some("false") => 0,
        Some("true") => 1,
        Some(v) => v.parse::<usize>().ok().filter(|&k| k <= 3).ok_or_else(|| {
            invalid_value("alternatives", v, "true, false or a number from 0 to 3")
        })?,
    };
    if alternatives > 0 && n != 2 {
        return Err(ApiError::osrm(
            "InvalidValue",
            "alternatives need exactly 2 coordinates",
        ));
    }
    params.choice("continue_straight", &["default", "true", "false"])?;
    Ok(RouteOptions {
        alternatives,
        steps: params.bool("steps")?,
        geometries: match params.choice("geometries", &["polyline", "polyline6", "geojson"])? {
            "polyline6" => Geometries::Polyline6,
            "geojson" => Geometries::GeoJson,
            _ => Geometries::Polyline,
        },
        // Default `full`, where osrm-routed's is `simplified`: corridor's clients (the web map,
        // `corridor route`'s users) expect the whole line.
        overview: match params.choice("overview", &["full", "simplified", "false"])? {
            "simplified" => Overview::Simplified,
            "false" => Overview::False,
            _ => Overview::Full,
        },
        annotations: annotations(params)?,
    })
}

/// `annotations=true|false` or a comma-separated list of `distance`, `duration`, `speed`,
/// `nodes` (OSRM's names; `true` is all of them).
fn annotations(params: &Params) -> ApiResult<Annotations> {
    let Some(v) = params.get("annotations") else {
        return Ok(Annotations::default());
    };
    let mut a = Annotations::default();
    for part in v.split(',') {
        match part {
            "false" => {}
            "true" => {
                a = Annotations {
                    distance: true,
                    duration: true,
                    speed: true,
                    nodes: true,
                }
            }
            "distance" => a.distance = true,
            "duration" => a.duration = true,
            "speed" => a.speed = true,
            "nodes" => a.nodes = true,
            _ => {
                return Err(invalid_value(
                    "annotations",
                    v,
                    "true, false or a comma-separated list of distance, duration, speed, nodes",
                ))
            }
        }
    }
    Ok(a)
}

fn route_blocking(
    st: &AppState,
    p: Profile,
    coords: &[[f64; 2]],
    params: &Params,
) -> ApiResult<Value> {
    let opts = route_options(params, coords.len())?;
    let costs = Costs::from_params(st, params, p)?;
    let snaps = snap_all(st, p, coords, params)?;
    let mut legs = Vec::with_capacity(snaps.len() - 1);
    for (i, w) in snaps.windows(2).enumerate() {
        let leg = costs.search(st, p, &w[0], &w[1]).ok_or_else(|| {
            ApiError::osrm("NoRoute", format!("Impossible route between points {i} and {}{}", i + 1,
                if matches!(costs, Costs::Scenario { .. }) { " (no road between them is open to this side in the scenario, or the networks do not connect)" } else { "" }))
        })?;
        legs.push(leg);
    }
    let g = st.map.graph.profile(p);
    let sm = match &costs {
        Costs::Scenario { live, .. } => Some(live.on(p)),
        Costs::TravelTime => None,
    };
    let mut routes = vec![route_json(g, &legs, &opts, sm, costs.mode_name())];
    if opts.alternatives > 0 {
        let weights = costs.weights(st, p);
        let alts = st.with_router(p, |r| {
            alternative_routes(
                g,
                r,
                weights,
                &legs[0],
                &snaps[0],
                &snaps[1],
                opts.alternatives,
                0.5,
            )
        });
        for (alt, _share) in alts {
            routes.push(route_json(g, &[alt], &opts, sm, costs.mode_name()));
        }
    }
    let mut out = json!({
        "code": "Ok",
        "routes": routes,
        "waypoints": snaps.iter().map(|s| waypoint_json(g, s, false)).collect::<Vec<_>>(),
    });
    costs.identity(st, &mut out);
    Ok(out)
}

/// `GET /nearest/v1/{profile}/{coordinates}`.
#[utoipa::path(get, path = "/nearest/v1/{profile}/{coordinates}", tag = "osrm",
    params(
        ("profile" = String, Path, description = "foot (walking) or car (driving)"),
        ("coordinates" = String, Path, description = "one lon,lat"),
        ("number" = Option<u32>, Query, description = "how many nearest road segments (1 to 100, default 1)"),
    ),
    responses((status = 200, description = "OSRM nearest response", body = Object),
              (status = 400, description = "OSRM error", body = crate::error::ErrorBody),
              (status = 401, description = "no valid token", body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn nearest(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    path: PathArgs,
    query: QueryArgs,
) -> ApiResult<Json<Value>> {
    require(&st, &headers, Role::Viewer).await?;
    let (prof, coords, q) = unpack(path, query)?;
    let params = Params::parse(q, &["number", "radiuses", "hints", "generate_hints"])?;
    let p = profile(&prof)?;
    let coords = coordinates(&coords)?;
    if coords.len() != 1 {
        return Err(ApiError::osrm(
            "InvalidValue",
            "nearest takes exactly 1 coordinate",
        ));
    }
    let number = match params.get("number") {
        None => 1,
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=100).contains(n))
            .ok_or_else(|| invalid_value("number", v, "a whole number from 1 to 100"))?,
    };
    blocking(move || {
        let first = snap_all(&st, p, &coords, &params)?;
        let g = st.map.graph.profile(p);
        let snapper = &st.snappers[p.index()];
        let mut found = vec![first[0]];
        while found.len() < number {
            let seen: Vec<u32> = found.iter().map(|s| s.edge).collect();
            match snapper.nearest_where(g, coords[0], f64::INFINITY, |e| !seen.contains(&e)) {
                Some(s) => found.push(s),
                None => break,
            }
        }
        let mut out = json!({
            "code": "Ok",
            "waypoints": found.iter().map(|s| waypoint_json(g, s, true)).collect::<Vec<_>>(),
        });
        out["map"] = json!(st.map.identity());
        Ok(Json(out))
    })
    .await
}

/// `GET /table/v1/{profile}/{coordinates}`.
#[utoipa::path(get, path = "/table/v1/{profile}/{coordinates}", tag = "osrm",
    params(
        ("profile" = String, Path, description = "foot (walking) or car (driving)"),
        ("coordinates" = String, Path, description = "lon,lat;lon,lat… (up to 100)"),
        ("sources" = Option<String>, Query, description = "'all' or indices i;j;…"),
        ("destinations" = Option<String>, Query, description = "'all' or indices i;j;…"),
        ("annotations" = Option<String>, Query, description = "duration (default), distance or duration,distance"),
        ("radiuses" = Option<String>, Query, description = "snap limit per coordinate, metres or 'unlimited' (default 500)"),
        ("scenario" = Option<String>, Query, description = "a scenario id: threat-aware costs"),
        ("mode" = Option<String>, Query, description = "with scenario: fastest (default), safest or balanced"),
        ("side" = Option<String>, Query, description = "with scenario: civilian, neutral, PARTY or civilian:PARTY"),
        ("lambda" = Option<f64>, Query, description = "with scenario and mode=balanced: seconds per unit of exposure"),
        ("as_of" = Option<String>, Query, description = "with scenario: YYYY-MM-DD, route on the scenario as it stood that day (default its as_of)"),
    ),
    responses((status = 200, description = "OSRM table response", body = Object),
              (status = 400, description = "OSRM error", body = crate::error::ErrorBody),
              (status = 401, description = "no valid token", body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn table(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    path: PathArgs,
    query: QueryArgs,
) -> ApiResult<Json<Value>> {
    require(&st, &headers, Role::Viewer).await?;
    let (prof, coords, q) = unpack(path, query)?;
    let params = Params::parse(
        q,
        &allowed(&["sources", "destinations", "annotations", "radiuses"]),
    )?;
    let p = profile(&prof)?;
    let coords = coordinates(&coords)?;
    let annotations = params.choice(
        "annotations",
        &[
            "duration",
            "distance",
            "duration,distance",
            "distance,duration",
        ],
    )?;
    let (want_duration, want_distance) = (
        annotations.contains("duration"),
        annotations.contains("distance"),
    );
    let sources = params.indices("sources", coords.len())?;
    let destinations = params.indices("destinations", coords.len())?;
    blocking(move || {
        let costs = Costs::from_params(&st, &params, p)?;
        let snaps = snap_all(&st, p, &coords, &params)?;
        let g = st.map.graph.profile(p);
        let round1 = |x: f64| (x * 10.0).round() / 10.0;
        let mut durations = Vec::new();
        let mut distances = Vec::new();
        for &s in &sources {
            let (mut drow, mut lrow) = (Vec::new(), Vec::new());
            for &d in &destinations {
                let r = costs.search(&st, p, &snaps[s], &snaps[d]);
                drow.push(r.as_ref().map(|r| round1(r.duration_s)));
                lrow.push(r.as_ref().map(|r| round1(r.distance_m)));
            }
            durations.push(drow);
            distances.push(lrow);
        }
        let mut out = json!({
            "code": "Ok",
            "sources": sources.iter().map(|&i| waypoint_json(g, &snaps[i], false)).collect::<Vec<_>>(),
            "destinations": destinations.iter().map(|&i| waypoint_json(g, &snaps[i], false)).collect::<Vec<_>>(),
        });
        if want_duration {
            out["durations"] = json!(durations);
        }
        if want_distance {
            out["distances"] = json!(distances);
        }
        costs.identity(&st, &mut out);
        Ok(Json(out))
    })
    .await
}
