//! `corridor route`: snap both points, find the exact shortest route, print JSON or GeoJSON.

use crate::maps::{self, LoadedMap, MapIdentity};
use crate::scenario_cmd::{self, describe_side, LoadedScenario, ScenarioIdentity};
use anyhow::{anyhow, bail, Result};
use clap::{Args, ValueEnum};
use corridor_app::alternatives::alternative_routes;
use corridor_app::scenario::INCIDENT_REPORT_RADIUS_M;
use corridor_roads::route::RoadRoute;
use corridor_roads::{Profile, ProfileGraph, Router, Snap, Snapper, WeightBound};
use corridor_scenario::{Exposure, Mode, ScenarioMap, Side};
use serde::Serialize;
use serde_json::json;
use std::path::PathBuf;

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    Json,
    Geojson,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ProfileArg {
    Foot,
    Car,
}

impl From<ProfileArg> for Profile {
    fn from(p: ProfileArg) -> Profile {
        match p {
            ProfileArg::Foot => Profile::Foot,
            ProfileArg::Car => Profile::Car,
        }
    }
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ModeArg {
    Fastest,
    Safest,
    Balanced,
}

impl From<ModeArg> for Mode {
    fn from(m: ModeArg) -> Mode {
        match m {
            ModeArg::Fastest => Mode::Fastest,
            ModeArg::Safest => Mode::Safest,
            ModeArg::Balanced => Mode::Balanced,
        }
    }
}

#[derive(Args)]
pub struct RouteArgs {
    /// A scenario manifest: routes respect its territory, closures and checkpoints, and report
    /// their exposure. The map is the scenario's.
    #[arg(long, conflicts_with_all = ["graph", "map"])]
    pub scenario: Option<PathBuf>,
    /// With --scenario: fastest (time only), safest (least exposure, then time) or balanced
    /// (time + λ·exposure).
    #[arg(long, value_enum, default_value = "fastest")]
    pub mode: ModeArg,
    /// With --scenario and --mode balanced: seconds of travel one unit of exposure is worth
    /// (default: the scenario's [risk] lambda, else 5).
    #[arg(long)]
    pub lambda: Option<f64>,
    /// With --scenario: who travels: civilian (default: a civilian of the first enclave's
    /// party), neutral, a party id, or civilian:PARTY.
    #[arg(long)]
    pub side: Option<String>,
    /// With --scenario: up to N alternative routes that differ substantially.
    #[arg(long, default_value_t = 0)]
    pub alternatives: usize,
    /// Largest share of its length an alternative may have in common with a better route.
    #[arg(long, default_value_t = 0.5)]
    pub max_share: f64,
    /// A graph file written by `corridor import`.
    #[arg(long, conflicts_with = "map")]
    pub graph: Option<PathBuf>,
    /// An OSM .pbf extract; imported on first use and cached beside it by checksum.
    #[arg(long)]
    pub map: Option<PathBuf>,
    /// Start, as LAT,LON.
    #[arg(long, allow_hyphen_values = true)]
    pub from: String,
    /// Destination, as LAT,LON.
    #[arg(long, allow_hyphen_values = true)]
    pub to: String,
    #[arg(long, value_enum, default_value = "foot")]
    pub profile: ProfileArg,
    /// Farthest a point may lie from a usable road, metres.
    #[arg(long, default_value_t = 500.0)]
    pub max_snap: f64,
    #[arg(long, value_enum, default_value = "json")]
    pub format: Format,
}

#[derive(Serialize)]
pub struct SnappedPoint {
    /// What was asked, `[lat, lon]`.
    pub input: [f64; 2],
    pub lat: f64,
    pub lon: f64,
    pub distance_m: f64,
    pub osm_way_id: i64,
}

/// The JSON answer of `corridor route`. The scenario fields appear with `--scenario`.
#[derive(Serialize)]
pub struct RouteReport {
    pub distance_m: f64,
    pub duration_s: f64,
    pub profile: Profile,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<Mode>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub side: Option<String>,
    /// Total risk exposure (Σ risk per metre × metres).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risk: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exposure: Option<Exposure>,
    /// For an alternative: the largest share of its length it has in common with a better route.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shared_fraction: Option<f64>,
    pub geometry: serde_json::Value,
    pub streets: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapped: Option<Snapped>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alternatives: Option<Vec<RouteReport>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub map: Option<MapIdentity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scenario: Option<ScenarioIdentity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameters: Option<serde_json::Value>,
}

impl RouteReport {
    /// Alternatives repeat neither the map nor the snapped points of their parent route.
    fn map_omitted(&mut self) {
        self.map = None;
        self.snapped = None;
        self.parameters = None;
    }
}

#[derive(Serialize)]
pub struct Snapped {
    pub from: SnappedPoint,
    pub to: SnappedPoint,
}

fn round(x: f64, digits: i32) -> f64 {
    let k = 10f64.powi(digits);
    (x * k).round() / k
}

pub use corridor_app::snapping::snap_point;

fn snapped_point(g: &ProfileGraph, s: &Snap) -> SnappedPoint {
    SnappedPoint {
        input: [s.query[1], s.query[0]],
        lat: round(s.point[1], 7),
        lon: round(s.point[0], 7),
        distance_m: round(s.distance_m, 1),
        osm_way_id: g.edges.way_id[s.edge as usize],
    }
}

/// What a scenario adds to a route request.
pub struct ScenarioRequest<'a> {
    pub loaded: &'a LoadedScenario,
    pub mode: Mode,
    pub lambda: Option<f64>,
    pub side: Side,
    pub alternatives: usize,
    pub max_share: f64,
}

/// Routes between two `LAT,LON` arguments on a loaded map, optionally under a scenario.
pub fn compute(
    map: &LoadedMap,
    profile: Profile,
    from_arg: &str,
    to_arg: &str,
    max_snap: f64,
    scenario: Option<&ScenarioRequest>,
) -> Result<RouteReport> {
    let from = maps::parse_lat_lon(from_arg, "--from")?;
    let to = maps::parse_lat_lon(to_arg, "--to")?;
    if !(max_snap.is_finite() && max_snap >= 0.0) {
        bail!("--max-snap {max_snap}: must be a non-negative number of metres");
    }
    let g = map.graph.profile(profile);
    let snapper = Snapper::new(g, map.graph.meta.bbox);
    let sf = snap_point(g, &snapper, from, max_snap, "--from", from_arg)?;
    let st = snap_point(g, &snapper, to, max_snap, "--to", to_arg)?;
    let mut router = Router::new(g);
    let no_route = |why: &str| {
        anyhow!(
            "no {} route from {from_arg} to {to_arg}: {why}",
            profile.name()
        )
    };
    let Some(req) = scenario else {
        let r = router
            .route(
                g,
                &g.arc_duration_s,
                WeightBound::AtLeastTravelTime,
                &sf,
                &st,
            )
            .ok_or_else(|| no_route("the points lie on road networks that do not connect"))?;
        return Ok(report(map, g, &r, &sf, &st, None));
    };
    let sm = req.loaded.on(profile);
    let lambda = req.lambda.unwrap_or(req.loaded.scenario.risk.lambda);
    if !(lambda.is_finite() && lambda >= 0.0) {
        bail!("--lambda {lambda}: must be zero or more seconds per unit of exposure");
    }
    let weights = sm.weights(req.side, req.mode, lambda);
    let r = router
        .route(g, &weights, WeightBound::AtLeastTravelTime, &sf, &st)
        .ok_or_else(|| {
            if router
                .route(g, &g.arc_duration_s, WeightBound::AtLeastTravelTime, &sf, &st)
                .is_some()
            {
                no_route(&format!(
                    "every road between them is closed to side {} in this scenario (front lines away from a declared crossing for this side, closures or avoid areas)",
                    describe_side(&req.loaded.scenario, req.side)
                ))
            } else {
                no_route("the points lie on road networks that do not connect")
            }
        })?;
    let mut rep = report(map, g, &r, &sf, &st, Some((&sm, req, lambda)));
    if req.alternatives > 0 {
        rep.alternatives = Some(alternatives(
            &sm,
            &mut router,
            &weights,
            &r,
            &sf,
            &st,
            req,
            map,
            lambda,
        ));
    }
    Ok(rep)
}

fn report(
    map: &LoadedMap,
    g: &ProfileGraph,
    r: &RoadRoute,
    sf: &Snap,
    st: &Snap,
    scenario: Option<(&ScenarioMap, &ScenarioRequest, f64)>,
) -> RouteReport {
    let coords: Vec<[f64; 2]> = r
        .geometry(g)
        .iter()
        .map(|c| [round(c[0], 7), round(c[1], 7)])
        .collect();
    let mut rep = RouteReport {
        distance_m: round(r.distance_m, 1),
        duration_s: round(r.duration_s, 1),
        profile: g.profile,
        mode: None,
        side: None,
        risk: None,
        exposure: None,
        geometry: json!({"type": "LineString", "coordinates": coords}),
        streets: r.streets(g),
        snapped: Some(Snapped {
            from: snapped_point(g, sf),
            to: snapped_point(g, st),
        }),
        alternatives: None,
        shared_fraction: None,
        map: Some(map.identity()),
        scenario: None,
        parameters: None,
    };
    if let Some((sm, req, lambda)) = scenario {
        let ex = sm.exposure(r, INCIDENT_REPORT_RADIUS_M);
        rep.mode = Some(req.mode);
        rep.side = Some(describe_side(&req.loaded.scenario, req.side));
        rep.risk = Some(round(ex.risk, 3));
        rep.exposure = Some(ex);
        rep.scenario = Some(req.loaded.identity());
        rep.parameters = Some(
            json!({"lambda_s_per_unit": lambda, "incident_report_radius_m": INCIDENT_REPORT_RADIUS_M}),
        );
    }
    rep
}

/// Up to `req.alternatives` substantially different routes (`corridor_app::alternatives`).
#[allow(clippy::too_many_arguments)]
fn alternatives(
    sm: &ScenarioMap,
    router: &mut Router,
    weights: &[f64],
    best: &RoadRoute,
    sf: &Snap,
    st: &Snap,
    req: &ScenarioRequest,
    map: &LoadedMap,
    lambda: f64,
) -> Vec<RouteReport> {
    let g = sm.graph;
    alternative_routes(
        g,
        router,
        weights,
        best,
        sf,
        st,
        req.alternatives,
        req.max_share,
    )
    .into_iter()
    .map(|(cand, share)| {
        let mut rep = report(map, g, &cand, sf, st, Some((sm, req, lambda)));
        rep.scenario = None;
        rep.map_omitted();
        rep.shared_fraction = Some(round(share, 3));
        rep
    })
    .collect()
}

/// Prints a report as JSON, or as a GeoJSON Feature whose properties are everything but the
/// geometry.
pub fn print(report: &impl Serialize, format: Format) -> Result<()> {
    let mut v = serde_json::to_value(report)?;
    if format == Format::Geojson {
        let geometry = v
            .as_object_mut()
            .and_then(|o| o.remove("geometry"))
            .unwrap_or(serde_json::Value::Null);
        v = json!({"type": "Feature", "geometry": geometry, "properties": v});
    }
    println!("{}", serde_json::to_string_pretty(&v)?);
    Ok(())
}

pub fn run(args: &RouteArgs) -> Result<()> {
    // Validate the cheap arguments before the possibly slow map load.
    maps::parse_lat_lon(&args.from, "--from")?;
    maps::parse_lat_lon(&args.to, "--to")?;
    if !(0.0..=1.0).contains(&args.max_share) {
        bail!("--max-share {}: must be between 0 and 1", args.max_share);
    }
    if args.scenario.is_none()
        && (args.side.is_some()
            || args.lambda.is_some()
            || args.alternatives > 0
            || args.mode != ModeArg::Fastest)
    {
        bail!("--mode, --lambda, --side and --alternatives need --scenario");
    }
    let report = match &args.scenario {
        None => {
            let map = maps::load(args.graph.as_deref(), args.map.as_deref())?;
            compute(
                &map,
                args.profile.into(),
                &args.from,
                &args.to,
                args.max_snap,
                None,
            )?
        }
        Some(path) => {
            let loaded = scenario_cmd::load(path)?;
            let side = scenario_cmd::parse_side(&loaded.scenario, args.side.as_deref())?;
            let req = ScenarioRequest {
                loaded: &loaded,
                mode: args.mode.into(),
                lambda: args.lambda,
                side,
                alternatives: args.alternatives,
                max_share: args.max_share,
            };
            compute(
                &loaded.map,
                args.profile.into(),
                &args.from,
                &args.to,
                args.max_snap,
                Some(&req),
            )?
        }
    };
    print(&report, args.format)
}
