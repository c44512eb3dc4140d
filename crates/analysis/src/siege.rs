//! `corridor siege`: is an enclave besieged, which roads still feed it, which cut would close it,
//! and when does food run out — for every connected piece of it.
//!
//! Definitions (README, "Siege analysis", sets them beside OCHA's and Siege Watch's):
//! - *inside*: road nodes on the enclave's ground;
//! - *outside*: ground that leads away — road nodes the enclave's side may use that are
//!   connected, over roads it may use (touching no hostile ground, not closed), to the map's
//!   edge or to a declared reception on such ground, without passing through the enclave. Found
//!   by a search on the graph ([`terrain`]); unclaimed ground the besieger encloses is not
//!   outside, it is part of the siege;
//! - *pieces*: the enclave's connected parts (foot network; the car network is numbered the
//!   same way), each with the enclosed unclaimed ground it joins. Each piece gets its own
//!   verdict, people, supply routes, cuts and forecast; the headline names the worst piece;
//! - routes that enter hostile ground are closed, **declared crossings included**: a corridor
//!   the besieger opens and controls does not lift a siege; routes start beyond the front-line
//!   band (a route counts once it has left the fighting behind);
//! - per profile (trucks: car, people: foot): `open` if the least exposed route from outside in
//!   stays below the exposure threshold, `contested` if routes exist but all are above it,
//!   `besieged` if none exists;
//! - per piece, after OCHA's definition of a besieged area (aid cannot regularly enter *and*
//!   civilians cannot regularly leave): `besieged` when neither trucks nor people have a route
//!   below the threshold, `open` when both have, `contested` when only one has.

mod search;
mod supply;
mod terrain;

pub use search::StageEngine;

use crate::engine::EngineChoice;
use crate::node_index::NodeIndex;
use corridor_roads::geometry::{haversine_m, LocalProjection};
use corridor_roads::{Profile, RoadClass};
use corridor_scenario::{Scenario, ScenarioMap, Stock};
use geo::{
    Area, BooleanOps, BoundingRect, Contains, InteriorPoint, MapCoords, MultiPolygon, Point,
};
use serde::Serialize;
use supply::PieceRun;
use terrain::{PieceIndex, Terrain, NO_PIECE};

/// Tunables of the siege analysis, with documented defaults.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct SiegeParams {
    /// Exposure above which a route counts as under fire (from the scenario's `[risk]`).
    pub exposure_threshold: f64,
    /// Road nodes this close to the map's bounding box are at the map's edge, where roads
    /// lead on beyond the map (metres).
    pub map_edge_m: f64,
    /// Road nodes this close to a reception point on safe ground count as "outside" (metres).
    pub reception_radius_m: f64,
    /// Days of daily stock shown in the forecast series at most.
    pub horizon_days: u32,
    /// Which engine answers the one-to-all searches (`auto`: the measured rule of
    /// [`crate::engine`]); the same report either way, `engines` says which ran.
    pub engine: EngineChoice,
}

impl SiegeParams {
    pub fn for_scenario(s: &Scenario) -> SiegeParams {
        SiegeParams {
            exposure_threshold: s.risk.exposure_threshold,
            map_edge_m: 500.0,
            reception_radius_m: 300.0,
            horizon_days: 365,
            engine: EngineChoice::Auto,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Open,
    Contested,
    Besieged,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Contested => "contested",
            Status::Besieged => "besieged",
        }
    }

    /// A piece's status from its truck and foot verdicts (OCHA: aid cannot regularly enter and
    /// civilians cannot regularly leave).
    pub fn of_piece(trucks: Status, people: Status) -> Status {
        Status::of_verdicts(Some(trucks), Some(people))
    }

    /// As [`of_piece`](Self::of_piece), leaving out a profile that cannot enter the piece even
    /// in peacetime (`None`): the piece then takes the other profile's verdict.
    pub fn of_verdicts(trucks: Option<Status>, people: Option<Status>) -> Status {
        let (trucks, people) = match (trucks, people) {
            (Some(t), Some(p)) => (t, p),
            (Some(x), None) | (None, Some(x)) => return x,
            (None, None) => return Status::Open,
        };
        match (trucks == Status::Open, people == Status::Open) {
            (true, true) => Status::Open,
            (false, false) => Status::Besieged,
            _ => Status::Contested,
        }
    }
}

/// Reachability of one piece for one travel profile.
#[derive(Debug, Clone, Serialize)]
pub struct ProfileStatus {
    pub profile: Profile,
    pub status: Status,
    /// Exposure of the least exposed route from outside into the piece.
    pub best_exposure: Option<f64>,
    /// The piece itself reaches the map's edge (or a reception): it leads away by itself.
    pub reaches_map_edge: bool,
    /// Some road node of the piece can be reached on this profile from the map's edge with no
    /// conflict at all (OSM's one-way rules only). False when the piece has no road of this
    /// profile, or only one-way streets that lead out of it: the profile then says nothing
    /// about the siege — its status is `open` and the piece takes the other profile's.
    pub enterable_in_peacetime: bool,
    /// Routes from outside in below the exposure threshold that share no road (max-flow).
    pub disjoint_open_routes: Option<u64>,
    pub inside_nodes: usize,
    /// Road nodes of the piece, enclosed unclaimed ground included.
    pub piece_nodes: usize,
    pub outside_nodes: usize,
}

/// A road that still carries routes from outside into a piece of the enclave.
#[derive(Debug, Clone, Serialize)]
pub struct SupplyRoute {
    /// Street name, else `way <id>`.
    pub road: String,
    pub osm_way_ids: Vec<i64>,
    pub profile: Profile,
    /// The piece it enters (index into `EnclaveReport::pieces`).
    pub piece: usize,
    /// Exposure of the least exposed route from outside entering by this road.
    pub exposure: f64,
    /// Below the exposure threshold.
    pub open: bool,
    /// Share of the piece's population for whom this road is the best way in.
    pub population_share: f64,
    /// `[lon, lat]` where the road enters the piece.
    pub entry: [f64; 2],
    /// The least exposed route from outside to the entry, `[lon, lat]`.
    pub geometry: Vec<[f64; 2]>,
}

/// One road segment of a cut.
#[derive(Debug, Clone, Serialize)]
pub struct CutRoad {
    pub road: String,
    pub osm_way_id: i64,
    pub class: RoadClass,
    /// Lanes counted for the weighted cut (tagged, else the class default).
    pub lanes: u32,
    pub geometry: Vec<[f64; 2]>,
}

/// The fewest road segments (and the least total lanes) whose closure cuts a profile's access.
#[derive(Debug, Clone, Serialize)]
pub struct CutReport {
    pub profile: Profile,
    /// Number of road segments in the smallest cut (= edge-disjoint routes in, by Menger).
    pub size: usize,
    pub roads: Vec<CutRoad>,
    /// The cut with the least total lanes, and that total.
    pub weighted_lanes: u64,
    pub weighted_roads: Vec<CutRoad>,
    /// `size == 1`: one road's loss means total blockade for this profile.
    pub single_road_blockade: bool,
}

/// Which bound limits deliveries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InflowBound {
    /// Disjoint open truck routes × the convoy rate per route.
    Routes,
    /// The declared `[stock] max_trucks_per_day` (crossing or authorisation limit).
    Authorisation,
    /// No deliveries declared (`trucks_per_day_per_route` 0 or absent).
    NoneDeclared,
}

/// When food runs out.
#[derive(Debug, Clone, Serialize)]
pub struct Forecast {
    pub people: f64,
    pub stock_kcal: f64,
    pub need_kcal_per_day: f64,
    /// Open truck routes into the piece that share no road (max-flow, unit per road).
    pub open_supply_routes: u64,
    /// Trucks a day: min(open_supply_routes × trucks_per_day_per_route, the declared limit).
    pub trucks_per_day: f64,
    pub inflow_bound: InflowBound,
    pub inflow_kcal_per_day: f64,
    /// `None`: inflow covers the need; stocks do not run out.
    pub days_left: Option<f64>,
    pub runs_out_on: Option<chrono::NaiveDate>,
    /// Stock at the start of each day from `as_of`, kcal (to the horizon or exhaustion).
    pub daily_stock_kcal: Vec<f64>,
    pub assumptions: Vec<String>,
}

/// When food runs out if some roads are lost.
#[derive(Debug, Clone, Serialize)]
pub struct CutForecast {
    /// The roads lost (names), all open truck supply roads for the last entry.
    pub roads_cut: Vec<String>,
    pub open_supply_routes: u64,
    pub days_left: Option<f64>,
    pub runs_out_on: Option<chrono::NaiveDate>,
}

/// Everything about one connected piece of an enclave.
#[derive(Debug, Clone, Serialize)]
pub struct PieceReport {
    pub index: usize,
    pub status: Status,
    /// `[lon, lat]` of the piece's road node nearest its middle, to find it on a map.
    pub near: [f64; 2],
    pub population: f64,
    /// Trucks (car) then people (foot): the profile-level verdicts the status comes from.
    pub status_by_profile: Vec<ProfileStatus>,
    pub supply_routes: Vec<SupplyRoute>,
    /// The truck (car) cut: what a blockade of supplies must close.
    pub min_cut: CutReport,
    /// The people (foot) cut.
    pub min_cut_foot: CutReport,
    pub forecast: Option<Forecast>,
    /// The forecast if each open truck supply road were cut in turn, and if all were.
    pub forecast_if_cut: Vec<CutForecast>,
}

/// Everything about one enclave. The fields from `status_by_profile` to `forecast_if_cut`
/// repeat those of the headline piece (the worst one); `pieces` has every piece.
#[derive(Debug, Clone, Serialize)]
pub struct EnclaveReport {
    pub name: String,
    pub party: String,
    /// The worst piece's status.
    pub status: Status,
    pub headline: Vec<String>,
    /// Index of the worst piece in `pieces`.
    pub headline_piece: usize,
    pub status_by_profile: Vec<ProfileStatus>,
    /// Areas of the enclave's polygons of ground, km².
    pub pieces_km2: Vec<f64>,
    /// People in the whole enclave.
    pub population: f64,
    /// How the population layer's people were placed in the pieces ([`POPULATION_RULE`]).
    pub population_rule: &'static str,
    pub supply_routes: Vec<SupplyRoute>,
    pub min_cut: CutReport,
    pub min_cut_foot: CutReport,
    pub forecast: Option<Forecast>,
    pub forecast_if_cut: Vec<CutForecast>,
    pub pieces: Vec<PieceReport>,
    /// Where each piece's road nodes lie (foot nodes first, then car), to tell which piece a
    /// point is in by the rule population units follow ([`EnclaveReport::piece_at`]).
    #[serde(skip)]
    pub piece_nodes: [Vec<([f64; 2], usize)>; 2],
    /// The enclave's outline, for drawing.
    #[serde(skip)]
    pub outline: MultiPolygon<f64>,
    /// Which engine answered each search stage, per profile, and why (cuts are max-flow).
    pub engines: Vec<StageEngine>,
}

/// The enclave's ground: its party's territory, limited to its `area` if one is given.
pub fn enclave_ground(s: &Scenario, enclave: usize) -> MultiPolygon<f64> {
    s.enclave_ground(enclave)
}

/// Population inside the enclave, as `(people, point)`: point units inside count whole, area
/// units by the share of their area inside.
pub fn enclave_population(s: &Scenario, ground: &MultiPolygon<f64>) -> Vec<(f64, [f64; 2])> {
    enclave_units(s, ground)
        .into_iter()
        .map(|(_, people, at)| (people, at))
        .collect()
}

/// Side of a cell of an area's grid, metres: about a city block.
pub const START_CELL_M: f64 = 50.0;
/// Cells per area at most (cells grow beyond [`START_CELL_M`] for areas above 0.16 km²), which
/// bounds the groups a neighbourhood makes per mode.
pub const MAX_START_CELLS: f64 = 64.0;

/// The points an area's people live at, each an equal share (the evacuation's start cells,
/// `evacuate::start`, and its independent check, `evacuate::verify`, read the population
/// layer alike): the centres
/// of the grid cells whose centre lies in `area`, equally weighted; the area's interior point
/// when no centre falls inside (an area thinner than a cell); `point` without an area.
pub fn area_cells(point: [f64; 2], area: Option<&MultiPolygon<f64>>) -> Vec<[f64; 2]> {
    let Some(area) = area else {
        return vec![point];
    };
    let Some(r) = area.bounding_rect() else {
        return vec![point];
    };
    let proj = LocalProjection::for_bbox([r.min().x, r.min().y, r.max().x, r.max().y]);
    let metric = area.map_coords(|c| {
        let [x, y] = proj.project([c.x, c.y]);
        geo::coord! {x: x, y: y}
    });
    let Some(m) = metric.bounding_rect() else {
        return vec![point];
    };
    let side = START_CELL_M.max((metric.unsigned_area() / MAX_START_CELLS).sqrt());
    let (nx, ny) = (
        (m.width() / side).ceil().max(1.0) as usize,
        (m.height() / side).ceil().max(1.0) as usize,
    );
    let mut out = Vec::new();
    for j in 0..ny {
        for i in 0..nx {
            let c = [
                m.min().x + (i as f64 + 0.5) * side,
                m.min().y + (j as f64 + 0.5) * side,
            ];
            if metric.contains(&Point::new(c[0], c[1])) {
                out.push(proj.unproject(c));
            }
        }
    }
    if out.is_empty() {
        out.push(area.interior_point().map_or(point, |p| [p.x(), p.y()]));
    }
    out
}

/// As [`enclave_population`], with each entry's index into `s.population` (the evacuation's
/// independent check reads each neighbourhood's own point and area through it).
pub fn enclave_units(s: &Scenario, ground: &MultiPolygon<f64>) -> Vec<(usize, f64, [f64; 2])> {
    let mut out = Vec::new();
    for (i, u) in s.population.iter().enumerate() {
        match &u.area {
            None => {
                if ground.contains(&Point::new(u.point[0], u.point[1])) {
                    out.push((i, u.people, u.point));
                }
            }
            Some(a) => {
                // Areas in a local metric projection so that shares are true area shares.
                let c = u.point;
                let k = c[1].to_radians().cos();
                let proj =
                    |m: &MultiPolygon<f64>| m.map_coords(|p| geo::coord! {x: p.x * k, y: p.y});
                let whole = proj(a).unsigned_area();
                if whole <= 0.0 {
                    continue;
                }
                let part = proj(&a.intersection(ground)).unsigned_area();
                let share = (part / whole).clamp(0.0, 1.0);
                if share > 0.0 {
                    let at = if ground.contains(&Point::new(c[0], c[1])) {
                        c
                    } else {
                        geo::InteriorPoint::interior_point(&a.intersection(ground))
                            .map_or(c, |p| [p.x(), p.y()])
                    };
                    out.push((i, u.people * share, at));
                }
            }
        }
    }
    out
}

/// A share of the enclave's stock and deliveries for a piece holding `share` of its people.
pub struct PieceSupply {
    pub people: f64,
    pub share: f64,
    pub open_routes: u64,
}

/// The food forecast for a piece: its share of the stock (and of `[stock] people` and of the
/// declared truck limit) in proportion to its people, and deliveries bounded by its disjoint
/// open truck routes × the convoy rate and by the declared limit.
pub fn forecast(s: &Scenario, piece: &PieceSupply, horizon_days: u32) -> Option<Forecast> {
    let st = s.stock.as_ref()?;
    let people = st.people.map_or(piece.people, |p| p * piece.share);
    let stock_kcal = st.food_kcal * piece.share;
    let need = people * st.kcal_per_person_day;
    let (trucks, bound) = trucks_per_day(st, piece);
    let inflow = trucks * st.tonnes_per_truck * 1000.0 * st.kcal_per_kg.unwrap_or(0.0);
    let net = need - inflow;
    let days_left = (net > 0.0).then(|| stock_kcal / net);
    let runs_out_on = days_left.map(|d| s.as_of + chrono::Duration::days(d.floor() as i64));
    let days = days_left.map_or(horizon_days, |d| (d.ceil() as u32).min(horizon_days));
    let daily_stock_kcal = (0..=days)
        .map(|k| (stock_kcal - k as f64 * net).clamp(0.0, f64::MAX))
        .collect();
    Some(Forecast {
        people,
        stock_kcal,
        need_kcal_per_day: need,
        open_supply_routes: piece.open_routes,
        trucks_per_day: trucks,
        inflow_bound: bound,
        inflow_kcal_per_day: inflow,
        days_left,
        runs_out_on,
        daily_stock_kcal,
        assumptions: assumptions(s, st, piece, people, trucks, bound),
    })
}

/// Trucks a day into a piece and the bound that sets it.
fn trucks_per_day(st: &Stock, piece: &PieceSupply) -> (f64, InflowBound) {
    if st.trucks_per_day_per_route <= 0.0 {
        return (0.0, InflowBound::NoneDeclared);
    }
    let by_routes = piece.open_routes as f64 * st.trucks_per_day_per_route;
    match st.max_trucks_per_day.map(|m| m * piece.share) {
        Some(limit) if limit < by_routes => (limit, InflowBound::Authorisation),
        _ => (by_routes, InflowBound::Routes),
    }
}

fn assumptions(
    s: &Scenario,
    st: &Stock,
    piece: &PieceSupply,
    people: f64,
    trucks: f64,
    bound: InflowBound,
) -> Vec<String> {
    let mut out = vec![
        format!(
            "{people:.0} people ({}) each need {:.0} kcal a day{}",
            if st.people.is_some() {
                "from [stock] people"
            } else {
                "the population layer inside this piece of the enclave"
            },
            st.kcal_per_person_day,
            if st.kcal_per_person_day == corridor_scenario::SPHERE_KCAL_PER_PERSON_DAY {
                " (Sphere Handbook minimum planning figure)"
            } else {
                ""
            }
        ),
        format!(
            "stock on {}: {:.3e} kcal{}",
            s.as_of,
            st.food_kcal * piece.share,
            st.ration
                .as_ref()
                .map(|r| format!(
                    " of {r} at {} kcal/kg",
                    st.kcal_per_kg.unwrap_or_default()
                ))
                .unwrap_or_default()
        ),
        match bound {
            InflowBound::NoneDeclared => "no deliveries assumed ([stock] trucks_per_day_per_route is 0 or absent)".into(),
            InflowBound::Routes => format!(
                "deliveries: {trucks} trucks a day × {} t = {} open truck route(s) that share no road × {} trucks a day each{}",
                st.tonnes_per_truck,
                piece.open_routes,
                st.trucks_per_day_per_route,
                st.max_trucks_per_day
                    .map(|m| format!(" (below the declared limit of {m} a day)"))
                    .unwrap_or_default()
            ),
            InflowBound::Authorisation => format!(
                "deliveries: {trucks} trucks a day × {} t, the declared limit (max_trucks_per_day); the {} open truck route(s) that share no road could carry {}",
                st.tonnes_per_truck,
                piece.open_routes,
                piece.open_routes as f64 * st.trucks_per_day_per_route
            ),
        },
        "the stock is shared evenly and nothing is lost, looted or sold out of the enclave"
            .into(),
        "the situation on as_of holds for the whole forecast".into(),
    ];
    if piece.share < 1.0 {
        out.push(format!(
            "this piece holds {:.1} % of the enclave's people and is assumed to hold that share of its stock (and of any truck limit)",
            piece.share * 100.0
        ));
    }
    if people <= 0.0 {
        out.push("no people: nothing is consumed".into());
    }
    out
}

/// Runs the siege analysis for every enclave of the scenario.
pub fn siege(
    foot: &ScenarioMap,
    car: &ScenarioMap,
    bbox: [f64; 4],
    params: &SiegeParams,
) -> Vec<EnclaveReport> {
    (0..foot.scenario.enclaves.len())
        .map(|i| enclave_report(foot, car, i, bbox, params))
        .collect()
}

/// One enclave: lay it out on both profiles, analyse every piece, name the worst.
fn enclave_report(
    foot: &ScenarioMap,
    car: &ScenarioMap,
    i: usize,
    bbox: [f64; 4],
    params: &SiegeParams,
) -> EnclaveReport {
    let s = foot.scenario;
    let e = &s.enclaves[i];
    let ground = enclave_ground(s, i);
    let foot_t = Terrain::new(foot, i, &ground, bbox, params, None);
    let index = PieceIndex::new(&foot_t);
    let car_t = Terrain::new(car, i, &ground, bbox, params, Some(&index));
    let n = foot_t.piece_count().max(car_t.piece_count());
    let units = assign_population(s, &ground, &foot_t, &car_t);
    let (foot_runs, mut engines) = supply::analyse(&foot_t, params, &units);
    let (car_runs, car_engines) = supply::analyse(&car_t, params, &units);
    engines.extend(car_engines);
    let foot_runs = pad(foot_runs, n, &foot_t);
    let car_runs = pad(car_runs, n, &car_t);
    let total_people: f64 = units.iter().map(|u| u.0).sum::<f64>().round() + 0.0;
    let mut pieces: Vec<PieceReport> = foot_runs
        .into_iter()
        .zip(car_runs)
        .enumerate()
        .map(|(p, (f, c))| {
            let people: f64 = units
                .iter()
                .filter(|u| u.2 == p)
                .map(|u| u.0)
                .sum::<f64>()
                .round()
                + 0.0;
            piece_report(p, f, c, people, total_people, &foot_t, &car_t)
        })
        .collect();
    // [stock] describes the first enclave.
    if i == 0 {
        for p in &mut pieces {
            add_forecasts(p, car, i, &ground, bbox, params, &index, total_people);
        }
    }
    let worst = worst_piece(&pieces);
    let headline = headline(s, i, &pieces, worst, params);
    let w = pieces.get(worst).cloned();
    let proj = LocalProjection::for_bbox(bbox);
    EnclaveReport {
        name: e.name.clone(),
        party: s.parties[e.party].id.clone(),
        status: w.as_ref().map_or(Status::Besieged, |w| w.status),
        headline,
        headline_piece: worst,
        status_by_profile: w
            .as_ref()
            .map_or_else(Vec::new, |w| w.status_by_profile.clone()),
        pieces_km2: polygon_areas_km2(&ground, &proj),
        population: total_people,
        population_rule: POPULATION_RULE,
        supply_routes: w
            .as_ref()
            .map_or_else(Vec::new, |w| w.supply_routes.clone()),
        min_cut: w
            .as_ref()
            .map_or_else(|| empty_cut(Profile::Car), |w| w.min_cut.clone()),
        min_cut_foot: w
            .as_ref()
            .map_or_else(|| empty_cut(Profile::Foot), |w| w.min_cut_foot.clone()),
        forecast: w.as_ref().and_then(|w| w.forecast.clone()),
        forecast_if_cut: w
            .as_ref()
            .map_or_else(Vec::new, |w| w.forecast_if_cut.clone()),
        pieces,
        piece_nodes: [
            piece_nodes(&foot_t).collect(),
            piece_nodes(&car_t).collect(),
        ],
        outline: ground,
        engines,
    }
}

/// Each node of a piece: its coordinates and piece.
fn piece_nodes<'t>(t: &'t Terrain) -> impl Iterator<Item = ([f64; 2], usize)> + 't {
    let g = t.sm.graph;
    (0..g.node_count())
        .filter(|&v| t.piece_of[v] != NO_PIECE)
        .map(move |v| (g.node_coord[v], t.piece_of[v] as usize))
}

impl EnclaveReport {
    /// The piece `at` (`[lon, lat]`) belongs to: the piece of the nearest road node of the
    /// enclave, as population units are assigned (foot network first, then car). `None`: the
    /// enclave has no road node.
    pub fn piece_at(&self, at: [f64; 2]) -> Option<usize> {
        self.piece_nodes.iter().find_map(|nodes| {
            nodes
                .iter()
                .min_by(|a, b| haversine_m(a.0, at).total_cmp(&haversine_m(b.0, at)))
                .map(|x| x.1)
        })
    }
}

fn empty_cut(profile: Profile) -> CutReport {
    CutReport {
        profile,
        size: 0,
        roads: Vec::new(),
        weighted_lanes: 0,
        weighted_roads: Vec::new(),
        single_road_blockade: false,
    }
}

/// A profile's runs for every piece, pieces it has no road in included (the profile cannot
/// enter them even in peacetime, so it says nothing about their siege).
fn pad(mut runs: Vec<PieceRun>, n: usize, t: &Terrain) -> Vec<PieceRun> {
    let profile = t.sm.graph.profile;
    while runs.len() < n {
        runs.push(PieceRun {
            status: ProfileStatus {
                profile,
                status: Status::Open,
                best_exposure: None,
                reaches_map_edge: false,
                enterable_in_peacetime: false,
                disjoint_open_routes: Some(0),
                inside_nodes: 0,
                piece_nodes: 0,
                outside_nodes: t.outside.iter().filter(|&&o| o).count(),
            },
            routes: Vec::new(),
            cut: empty_cut(profile),
        });
    }
    runs
}

fn piece_report(
    p: usize,
    f: PieceRun,
    c: PieceRun,
    people: f64,
    _total: f64,
    foot_t: &Terrain,
    car_t: &Terrain,
) -> PieceReport {
    let verdict = |r: &ProfileStatus| r.enterable_in_peacetime.then_some(r.status);
    let status = Status::of_verdicts(verdict(&c.status), verdict(&f.status));
    let mut supply_routes = c.routes;
    supply_routes.extend(f.routes);
    PieceReport {
        index: p,
        status,
        near: piece_middle(foot_t, p)
            .or_else(|| piece_middle(car_t, p))
            .unwrap_or_default(),
        population: people,
        status_by_profile: vec![c.status, f.status],
        supply_routes,
        min_cut: c.cut,
        min_cut_foot: f.cut,
        forecast: None,
        forecast_if_cut: Vec::new(),
    }
}

/// The piece's road node nearest the mean of its nodes.
fn piece_middle(t: &Terrain, p: usize) -> Option<[f64; 2]> {
    let g = t.sm.graph;
    let nodes = t.piece_nodes(p);
    if nodes.is_empty() {
        return None;
    }
    let k = nodes.len() as f64;
    let mean = nodes.iter().fold([0.0, 0.0], |m, &v| {
        let c = g.node_coord[v as usize];
        [m[0] + c[0] / k, m[1] + c[1] / k]
    });
    nodes
        .iter()
        .map(|&v| g.node_coord[v as usize])
        .min_by(|a, b| haversine_m(*a, mean).total_cmp(&haversine_m(*b, mean)))
}

/// How people are placed in pieces, as every siege result states it (see [`assign_population`]):
/// a piece's people are only as good as the population layer and this proxy.
pub const POPULATION_RULE: &str = "a point unit goes whole to the piece of its nearest road node; an area unit is spread over the pieces in proportion to the foot road junctions of each inside the area (road junctions as the proxy for where people live), so an area with few roads puts its people on the few junctions it has";

/// Each population unit's people per piece, as `(people, point, piece)`: a point unit goes
/// whole to the piece of its nearest road node (foot network, else car); an area unit is spread
/// over the pieces in proportion to the foot road nodes of each inside its area (road nodes as
/// the proxy for where people live), else goes whole to the nearest piece.
fn assign_population(
    s: &Scenario,
    ground: &MultiPolygon<f64>,
    foot_t: &Terrain,
    car_t: &Terrain,
) -> Vec<(f64, [f64; 2], usize)> {
    let indexes = [foot_t, car_t].map(|t| {
        let g = t.sm.graph;
        let nodes = (0..g.node_count() as u32).filter(|&v| t.piece_of[v as usize] != NO_PIECE);
        let proj = LocalProjection::for_bbox(ground_bbox(ground));
        NodeIndex::from_nodes(g, nodes, proj)
    });
    // The piece of the nearest node of any piece (haversine; equally near, the smallest id).
    let nearest = |k: usize, at: [f64; 2]| {
        let t = [foot_t, car_t][k];
        indexes[k]
            .nearest_geodesic(t.sm.graph, at)
            .map(|v| t.piece_of[v as usize] as usize)
    };
    let fg = foot_t.sm.graph;
    let mut out = Vec::new();
    for (i, people, at) in enclave_units(s, ground) {
        let u = &s.population[i];
        let nodes_in_area: Vec<usize> = match &u.area {
            Some(area) => (0..fg.node_count())
                .filter(|&v| foot_t.piece_of[v] != NO_PIECE)
                .filter(|&v| {
                    let c = fg.node_coord[v];
                    area.contains(&Point::new(c[0], c[1]))
                })
                .map(|v| foot_t.piece_of[v] as usize)
                .collect(),
            None => Vec::new(),
        };
        if nodes_in_area.is_empty() {
            if let Some(p) = nearest(0, at).or_else(|| nearest(1, at)) {
                out.push((people, at, p));
            }
            continue;
        }
        let k = nodes_in_area.len() as f64;
        let mut per_piece: Vec<(usize, f64)> = Vec::new();
        for p in nodes_in_area {
            match per_piece.iter_mut().find(|x| x.0 == p) {
                Some(x) => x.1 += 1.0,
                None => per_piece.push((p, 1.0)),
            }
        }
        for (p, n) in per_piece {
            out.push((people * n / k, at, p));
        }
    }
    out
}

/// The bounding box of the enclave's ground (a projection true in its middle).
fn ground_bbox(ground: &MultiPolygon<f64>) -> [f64; 4] {
    use geo::BoundingRect;
    ground
        .bounding_rect()
        .map_or([0.0; 4], |r| [r.min().x, r.min().y, r.max().x, r.max().y])
}

/// The piece's forecast, and the forecast with each of its open truck roads cut in turn and
/// with all of them cut (the car analysis run again on a copy with those roads closed).
#[allow(clippy::too_many_arguments)]
fn add_forecasts(
    piece: &mut PieceReport,
    car: &ScenarioMap,
    enclave: usize,
    ground: &MultiPolygon<f64>,
    bbox: [f64; 4],
    params: &SiegeParams,
    index: &PieceIndex,
    total_people: f64,
) {
    let s = car.scenario;
    let share = if total_people > 0.0 {
        piece.population / total_people
    } else {
        1.0 / index.count.max(1) as f64
    };
    let supply = |open_routes: u64| PieceSupply {
        people: piece.population,
        share,
        open_routes,
    };
    let open_now = piece.status_by_profile[0].disjoint_open_routes.unwrap_or(0);
    piece.forecast = forecast(s, &supply(open_now), params.horizon_days);
    if piece.forecast.is_none() {
        return;
    }
    let open: Vec<&SupplyRoute> = piece
        .supply_routes
        .iter()
        .filter(|r| r.open && r.profile == Profile::Car)
        .collect();
    let mut sets: Vec<Vec<&SupplyRoute>> = open.iter().map(|r| vec![*r]).collect();
    if open.len() > 1 {
        sets.push(open.clone());
    }
    let mut out = Vec::new();
    for set in sets {
        let mut cm = car.clone();
        for e in 0..cm.graph.edge_count() as u32 {
            let w = cm.graph.edges.way_id[e as usize];
            if set.iter().any(|r| r.osm_way_ids.contains(&w)) {
                cm.set_closed(e, true);
            }
        }
        let t = Terrain::new(&cm, enclave, ground, bbox, params, Some(index));
        let (again, _) = supply::analyse(&t, params, &[]);
        let n_open = again
            .get(piece.index)
            .and_then(|r| r.status.disjoint_open_routes)
            .unwrap_or(0);
        let f = forecast(s, &supply(n_open), params.horizon_days).expect("stock present");
        out.push(CutForecast {
            roads_cut: set.iter().map(|r| r.road.clone()).collect(),
            open_supply_routes: n_open,
            days_left: f.days_left,
            runs_out_on: f.runs_out_on,
        });
    }
    piece.forecast_if_cut = out;
}

/// The worst piece: besieged before contested before open; among equals, the most people.
fn worst_piece(pieces: &[PieceReport]) -> usize {
    (0..pieces.len())
        .max_by(|&a, &b| {
            (pieces[a].status, pieces[a].population)
                .partial_cmp(&(pieces[b].status, pieces[b].population))
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(b.cmp(&a))
        })
        .unwrap_or(0)
}

fn polygon_areas_km2(ground: &MultiPolygon<f64>, proj: &LocalProjection) -> Vec<f64> {
    ground
        .0
        .iter()
        .map(|p| {
            let m = p.map_coords(|c| {
                let xy = proj.project([c.x, c.y]);
                geo::coord! {x: xy[0], y: xy[1]}
            });
            (m.unsigned_area() / 1e6 * 1000.0).round() / 1000.0
        })
        .collect()
}

/// How much road a piece has ("3 road junctions on foot"): people are spread over the pieces by
/// their road junctions, so a piece of a few junctions holding many people says the population
/// layer puts them where there are hardly any roads — the reader should see that beside them.
fn junctions(p: &PieceReport) -> String {
    let n = p.status_by_profile[1].piece_nodes;
    format!("{n} road junction{} on foot", if n == 1 { "" } else { "s" })
}

/// The headline: the worst piece's verdict (naming the piece when there are several), the
/// other pieces in one line each, the single-road blockade and the food date.
fn headline(
    s: &Scenario,
    enclave: usize,
    pieces: &[PieceReport],
    worst: usize,
    params: &SiegeParams,
) -> Vec<String> {
    let e = &s.enclaves[enclave];
    let Some(w) = pieces.get(worst) else {
        return vec![format!(
            "{} has no road on its ground: nothing can be said about access to it.",
            e.name
        )];
    };
    let subject = if pieces.len() == 1 {
        e.name.clone()
    } else {
        format!(
            "{} is cut into {} pieces; piece {} ({:.0} people, {}, around {:.4},{:.4})",
            e.name,
            pieces.len(),
            w.index + 1,
            w.population,
            junctions(w),
            w.near[1],
            w.near[0]
        )
    };
    let (trucks, people) = (w.status_by_profile[0].status, w.status_by_profile[1].status);
    let open_routes = w
        .supply_routes
        .iter()
        .filter(|r| r.open && r.profile == Profile::Car)
        .count();
    let mut out = vec![match w.status {
        Status::Besieged => format!(
            "{subject} is BESIEGED: no truck route and no route on foot links it to ground that leads away below the exposure threshold ({}) — trucks {}, people {} (the besieger's declared crossings do not count).",
            params.exposure_threshold,
            trucks.name(),
            people.name()
        ),
        Status::Open => format!(
            "{subject} is OPEN: {open_routes} truck supply road(s) below the exposure threshold ({}).",
            params.exposure_threshold
        ),
        Status::Contested => format!(
            "{subject} is CONTESTED: trucks {}, people {} (exposure threshold {}).",
            trucks.name(),
            people.name(),
            params.exposure_threshold
        ),
    }];
    for p in pieces.iter().filter(|p| p.index != worst) {
        out.push(format!(
            "Piece {} ({:.0} people, {}, around {:.4},{:.4}) is {}.",
            p.index + 1,
            p.population,
            junctions(p),
            p.near[1],
            p.near[0],
            p.status.name().to_uppercase()
        ));
    }
    if w.min_cut.single_road_blockade {
        let r = &w.min_cut.roads[0];
        let road = if r.road.starts_with("way ") {
            format!(
                "an unnamed {} road (OSM way {})",
                r.class.as_str(),
                r.osm_way_id
            )
        } else {
            format!("{} (OSM way {})", r.road, r.osm_way_id)
        };
        out.push(format!(
            "ONE ROAD: every truck route into {} uses {road}; cutting it imposes a total blockade of supplies.",
            if pieces.len() == 1 { e.name.clone() } else { format!("piece {}", w.index + 1) }
        ));
    } else if w.min_cut.size > 1 {
        out.push(format!(
            "{} road segments would have to be cut to stop all trucks.",
            w.min_cut.size
        ));
    }
    if let Some(fc) = &w.forecast {
        out.push(match (fc.runs_out_on, fc.days_left) {
            (Some(d), Some(n)) => format!(
                "Food runs out on {d} ({n:.0} days after {}) for {:.0} people.",
                s.as_of, fc.people
            ),
            _ => format!(
                "Deliveries cover the need of {:.0} people: food does not run out.",
                fc.people
            ),
        });
    }
    out
}
