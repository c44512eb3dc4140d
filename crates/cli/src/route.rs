//! `corridor route`: snap both points, find the exact shortest route, print JSON or GeoJSON.

use crate::maps::{self, LoadedMap, MapIdentity};
use crate::scenario_cmd::{self, describe_side, LoadedScenario, ScenarioIdentity};
use anyhow::{anyhow, bail, Result};
use chrono::{NaiveDateTime, NaiveTime, Timelike};
use clap::{Args, ValueEnum};
use corridor_app::alternatives::alternative_routes;
use corridor_app::scenario::INCIDENT_REPORT_RADIUS_M;
use corridor_roads::route::{EdgePiece, RoadRoute};
use corridor_roads::snap::edge_open;
use corridor_roads::{
    auto_engine, in_wide_cch_range, Engine, Profile, ProfileGraph, Router, Snap, Snapper, Waypoint,
    WeightBound,
};
use corridor_scenario::{parse_hours, wait_for_opening, Exposure, Mode, ScenarioMap, Side};
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
    /// party), neutral, a party id, or civilian:PARTY. A neutral traveller is routed by the
    /// exact crossing rule (it carries the last party's ground held; engine `state_dijkstra`,
    /// whatever --engine says).
    #[arg(long)]
    pub side: Option<String>,
    /// With --scenario: when the traveller sets out, YYYY-MM-DDTHH:MM local time (default: the
    /// scenario's as_of at 08:00). Checkpoints open only on their corridor's dates (`since`,
    /// `until`) on the departure day; a route reaching a checkpoint outside its `hours` waits
    /// there until it opens (the wait is reported and included in the arrival time).
    #[arg(long)]
    pub depart: Option<String>,
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
    /// Which exact search answers: auto (the CCH when customizing it is expected to cost less
    /// than one A* query: at most 2 lower triangles per node of the map's hierarchy, else A*
    /// with landmarks; on every map measured so far that is A*; the answer's "engine" says
    /// which ran), cch, alt or dijkstra. Weights beyond the CCH's `u32` milliseconds (safest
    /// routes near incidents: a million seconds per unit of exposure) are customized in `u64`
    /// units; only costs past 2^53 ms are answered by A* even with cch.
    #[arg(long, value_enum, default_value = "auto")]
    pub engine: EngineArg,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq, Debug)]
pub enum EngineArg {
    Auto,
    Cch,
    Alt,
    Dijkstra,
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
    /// The exact search that answered: `cch`, `alt` (A* with landmarks) or `dijkstra`.
    pub engine: Engine,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<Mode>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub side: Option<String>,
    /// Total risk exposure (Σ risk per metre × metres).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risk: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exposure: Option<Exposure>,
    /// With a scenario: departure, arrival (travel plus waits at checkpoints), the checkpoints
    /// crossed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub depart: Option<NaiveDateTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arrive: Option<NaiveDateTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crossings: Option<Vec<CrossingPassed>>,
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

use corridor_app::snapping::off_the_map;

/// Snaps both ends of a route onto edges `usable` accepts (see [`Snapper::waypoints`]).
#[allow(clippy::too_many_arguments)]
fn snap_ends(
    g: &ProfileGraph,
    snapper: &Snapper,
    from: [f64; 2],
    to: [f64; 2],
    max_m: f64,
    args: [&str; 2],
    usable: &dyn Fn(u32) -> bool,
) -> Result<[Waypoint; 2]> {
    let [a, b] = snapper.waypoints(g, from, to, max_m, usable);
    let a = a.ok_or_else(|| off_the_map(g, snapper, from, max_m, "--from", args[0], usable))?;
    let b = b.ok_or_else(|| off_the_map(g, snapper, to, max_m, "--to", args[1], usable))?;
    Ok([a, b])
}

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
    /// Departure, local time; `None`: the scenario's `as_of` at [`DEFAULT_DEPART`].
    pub depart: Option<NaiveDateTime>,
}

/// The departure time of day when `--depart` is not given: 08:00 on the scenario's `as_of`
/// (a working-day start; checkpoints in the examples open at 06:00).
pub const DEFAULT_DEPART: NaiveTime = match NaiveTime::from_hms_opt(8, 0, 0) {
    Some(t) => t,
    None => panic!("08:00 is a time"),
};

/// Parses `--depart`: `YYYY-MM-DDTHH:MM` (or with a space, or with seconds).
pub fn parse_depart(arg: &str) -> Result<NaiveDateTime> {
    ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(arg.trim(), f).ok())
        .ok_or_else(|| {
            anyhow!("--depart '{arg}': expected YYYY-MM-DDTHH:MM, e.g. 2016-07-28T08:00")
        })
}

/// A checkpoint a route crosses at, with when it gets there.
#[derive(Serialize)]
pub struct CrossingPassed {
    pub checkpoint: String,
    pub osm_way_id: i64,
    /// Arrival at the crossing, local time.
    pub arrive: NaiveDateTime,
    /// Seconds waited there for the checkpoint to open (its corridor's `hours`).
    pub wait_s: f64,
}

/// Routes between two `LAT,LON` arguments on a loaded map, optionally under a scenario, with
/// the engine chosen automatically.
pub fn compute(
    map: &LoadedMap,
    profile: Profile,
    from_arg: &str,
    to_arg: &str,
    max_snap: f64,
    scenario: Option<&ScenarioRequest>,
) -> Result<RouteReport> {
    compute_with(
        map,
        profile,
        [from_arg, to_arg],
        max_snap,
        scenario,
        EngineArg::Auto,
    )
}

/// One route on `weight` by the chosen engine; `auto` by [`auto_engine`]'s rule (one route per
/// weight vector: a customization plus a query against one A* query).
fn route_by(
    router: &mut Router,
    g: &ProfileGraph,
    weight: &[f64],
    engine: EngineArg,
    from: &Waypoint,
    to: &Waypoint,
) -> Option<RoadRoute> {
    let engine = match engine {
        EngineArg::Auto if auto_engine(g) == Engine::Cch && in_wide_cch_range(weight) => {
            EngineArg::Cch
        }
        EngineArg::Auto => EngineArg::Alt,
        other => other,
    };
    match engine {
        EngineArg::Auto | EngineArg::Alt => {
            router.route(g, weight, WeightBound::AtLeastTravelTime, from, to)
        }
        EngineArg::Dijkstra => router.route(g, weight, WeightBound::Arbitrary, from, to),
        EngineArg::Cch => {
            let customized = g.customize(weight.to_vec());
            router.route_on(g, &customized, from, to)
        }
    }
}

/// [`compute`] with an explicit engine.
pub fn compute_with(
    map: &LoadedMap,
    profile: Profile,
    [from_arg, to_arg]: [&str; 2],
    max_snap: f64,
    scenario: Option<&ScenarioRequest>,
    engine: EngineArg,
) -> Result<RouteReport> {
    let from = maps::parse_lat_lon(from_arg, "--from")?;
    let to = maps::parse_lat_lon(to_arg, "--to")?;
    if !(max_snap.is_finite() && max_snap >= 0.0) {
        bail!("--max-snap {max_snap}: must be a non-negative number of metres");
    }
    let g = map.graph.profile(profile);
    let mut router = Router::new(g);
    let no_route = |why: &str| {
        anyhow!(
            "no {} route from {from_arg} to {to_arg}: {why}",
            profile.name()
        )
    };
    let args = [from_arg, to_arg];
    let Some(req) = scenario else {
        let snapper = map.snapper(profile);
        let [sf, st] = snap_ends(g, snapper, from, to, max_snap, args, &|_| true)?;
        let r = route_by(&mut router, g, &g.arc_duration_s, engine, &sf, &st)
            .ok_or_else(|| no_route("the points lie on road networks that do not connect"))?;
        let mut rep = report(map, g, &r, &sf, &st, None);
        name_max_snap(&mut rep, max_snap);
        return Ok(rep);
    };
    let depart = req
        .depart
        .unwrap_or_else(|| req.loaded.scenario.as_of.and_time(DEFAULT_DEPART));
    let mut sm = req.loaded.on(profile);
    sm.set_date(depart.date());
    let lambda = req.lambda.unwrap_or(req.loaded.scenario.risk.lambda);
    if !(lambda.is_finite() && lambda >= 0.0) {
        bail!("--lambda {lambda}: must be zero or more seconds per unit of exposure");
    }
    let weights = sm.weights(req.side, req.mode, lambda);
    // A traveller of no party is routed by the exact rule (the last party's ground held, a
    // state search); its snapping and end pieces use weights that block only closed roads.
    let neutral = req.side == Side::Neutral;
    let snap_weights = if neutral {
        sm.weights_from_arcs(&sm.closed_arcs(), req.mode, lambda)
    } else {
        weights.clone()
    };
    // Snap only onto roads this traveller may use: a start on a closed road is no start.
    let snapper = &req.loaded.snappers[profile.index()];
    let usable = |e: u32| edge_open(g, &snap_weights, e);
    let [sf, st] = snap_ends(g, snapper, from, to, max_snap, args, &usable)?;
    let found = if neutral {
        sm.neutral_route(&snap_weights, &sf, &st)
    } else {
        route_by(&mut router, g, &weights, engine, &sf, &st)
    };
    let r = found.ok_or_else(|| {
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
    name_max_snap(&mut rep, max_snap);
    let crossings = crossings_passed(&sm, req.side, &r, depart)?;
    let waited: f64 = crossings.iter().map(|c| c.wait_s).sum();
    rep.depart = Some(depart);
    rep.arrive = Some(depart + chrono::Duration::seconds((r.duration_s + waited).round() as i64));
    rep.crossings = Some(crossings);
    if req.alternatives > 0 {
        rep.alternatives = Some(alternatives(
            &sm,
            &mut router,
            &weights,
            &r,
            [&sf, &st],
            req,
            map,
            lambda,
        ));
    }
    Ok(rep)
}

/// Records `--max-snap` among the report's parameters: how far a point was allowed to snap is
/// part of what the answer depends on.
fn name_max_snap(rep: &mut RouteReport, max_snap: f64) {
    let params = rep.parameters.get_or_insert_with(|| json!({}));
    params["max_snap_m"] = json!(max_snap);
}

/// The checkpoints a route crosses at (arcs that need a declared crossing, opened by one in
/// force on the departure day), when it reaches each, and how long it waits for its `hours`. A
/// wait that runs past the corridor's `until` refuses the route: a checkpoint closed for good
/// never opens.
fn crossings_passed(
    sm: &ScenarioMap,
    side: Side,
    r: &RoadRoute,
    depart: NaiveDateTime,
) -> Result<Vec<CrossingPassed>> {
    let g = sm.graph;
    let s = sm.scenario;
    let mut out = Vec::new();
    let mut clock = 0.0f64;
    for p in &r.pieces {
        let needs_crossing = p.arc != corridor_routing::INVALID
            && sm.arc_blocked_with(p.arc, side, false).is_some()
            && sm.arc_blocked_with(p.arc, side, true).is_none();
        if needs_crossing {
            if let Some(cp) = sm
                .usable_checkpoints(side)
                .find(|c| c.edges.binary_search(&p.edge).is_ok())
            {
                let corridor = &s.corridors[cp.corridor];
                let arrive = depart + chrono::Duration::seconds(clock.round() as i64);
                let hours = corridor
                    .hours
                    .as_deref()
                    .map(parse_hours)
                    .transpose()
                    .map_err(|e| anyhow!(e))?;
                let second = f64::from(arrive.time().num_seconds_from_midnight());
                let wait_s = hours.map_or(0.0, |h| wait_for_opening(h, second));
                let opens = arrive + chrono::Duration::seconds(wait_s as i64);
                if let Some(until) = corridor.opens.until.filter(|&u| opens.date() > u) {
                    bail!(
                        "no route: it reaches checkpoint '{}' at {arrive}, closed then, and it does not open again (until = {until})",
                        corridor.name
                    );
                }
                clock += wait_s;
                out.push(CrossingPassed {
                    checkpoint: corridor.name.clone(),
                    osm_way_id: cp.way_id,
                    arrive,
                    wait_s,
                });
            }
        }
        let len = g.edges.length_m[p.edge as usize];
        if len > 0.0 && p.arc != corridor_routing::INVALID {
            clock += g.arc_duration_s[p.arc as usize] * (p.to_m - p.from_m).abs() / len;
        }
    }
    Ok(out)
}

/// The candidate of a waypoint a route actually starts or ends on (the best one when the route
/// starts at a node, where every candidate is the same point).
fn used_candidate<'a>(w: &'a Waypoint, piece: Option<&EdgePiece>) -> &'a Snap {
    piece
        .and_then(|p| w.candidates().iter().find(|c| c.edge == p.edge))
        .unwrap_or(w.best())
}

fn report(
    map: &LoadedMap,
    g: &ProfileGraph,
    r: &RoadRoute,
    sf: &Waypoint,
    st: &Waypoint,
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
        engine: r.engine,
        mode: None,
        side: None,
        risk: None,
        exposure: None,
        depart: None,
        arrive: None,
        crossings: None,
        geometry: json!({"type": "LineString", "coordinates": coords}),
        streets: r.streets(g),
        snapped: Some(Snapped {
            from: snapped_point(g, used_candidate(sf, r.pieces.first())),
            to: snapped_point(g, used_candidate(st, r.pieces.last())),
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
    [sf, st]: [&Waypoint; 2],
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
            || args.depart.is_some()
            || args.mode != ModeArg::Fastest)
    {
        bail!("--mode, --lambda, --side, --depart and --alternatives need --scenario");
    }
    if let Some(d) = &args.depart {
        parse_depart(d)?;
    }
    let report = match &args.scenario {
        None => {
            let map = maps::load(args.graph.as_deref(), args.map.as_deref())?;
            compute_with(
                &map,
                args.profile.into(),
                [&args.from, &args.to],
                args.max_snap,
                None,
                args.engine,
            )?
        }
        Some(path) => {
            let loaded = scenario_cmd::load(path)?;
            let side = scenario_cmd::parse_side(&loaded.scenario, args.side.as_deref())?;
            let depart = args.depart.as_deref().map(parse_depart).transpose()?;
            let req = ScenarioRequest {
                depart,
                loaded: &loaded,
                mode: args.mode.into(),
                lambda: args.lambda,
                side,
                alternatives: args.alternatives,
                max_share: args.max_share,
            };
            compute_with(
                &loaded.map,
                args.profile.into(),
                [&args.from, &args.to],
                args.max_snap,
                Some(&req),
                args.engine,
            )?
        }
    };
    print(&report, args.format)
}
