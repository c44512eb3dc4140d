//! `corridor convoy`: the safest truck route from a warehouse outside, through an aid crossing
//! of the besieger, to distribution points inside; a disjoint backup; and what a closure of each
//! road of the route does.
//!
//! Who may drive where: a convoy travels as a civilian of the party that holds the warehouse's
//! ground (the side whose lines it crosses; if nobody holds it, of the first party hostile to
//! the first enclave's). Civilian and combatant corridors open nothing for it; it enters hostile
//! ground only at an aid crossing (`[[corridor]] purpose = "aid"`), and each leg passes through
//! the crossing's snapped point.
//!
//! Crossings have a direction (issue 9): only *entering* ground hostile to the convoy needs the
//! aid crossing; leaving it (the way back, or a road that dips out of the enclave) does not.
//! Blocking is therefore per arc, never per road. An aid crossing stands on one OSM way — the
//! car road nearest its checkpoint, within `checkpoint_radius_m`, as checkpoints are resolved
//! for civilians — and opens the front-crossing arcs of that way within the same radius.

use crate::convoy_schedule::{
    clear_one, clock, crossing_week_capacity, outlook, pass_convoy, trucks_per_week_for_need,
    CrossingUse, LegTimes, Outlook, Schedule, ScheduleParams, DAY_S,
};
use corridor_roads::route::{EdgePiece, RoadRoute};
use corridor_roads::{Router, Snap, Snapper, WeightBound};
use corridor_scenario::{AidCrossing, Exposure, Mode, Scenario, ScenarioMap, Side};
use serde::Serialize;

/// Incidents within this distance of a convoy route are listed in its exposure.
pub const INCIDENT_RADIUS_M: f64 = 250.0;

/// A problem with a convoy request, in one line.
#[derive(Debug, Clone, PartialEq)]
pub struct ConvoyError(pub String);

impl std::fmt::Display for ConvoyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConvoyError {}

/// An aid crossing laid on the car graph.
#[derive(Debug, Clone)]
pub struct CrossingOnMap {
    /// Index into `Scenario::aid_crossings`.
    pub crossing: usize,
    pub snap: Snap,
    /// The OSM way the crossing stands on, and the checkpoint's distance from it (metres).
    pub osm_way_id: i64,
    pub way_distance_m: f64,
    /// The front-crossing roads (edges of that way) whose entering arcs the crossing opens.
    pub opens: Vec<u32>,
}

/// The side a convoy travels as (see the module docs).
pub fn convoy_side(sm: &ScenarioMap, warehouse: Option<[f64; 2]>) -> Side {
    let s = sm.scenario;
    let owner = warehouse.and_then(|w| sm.owner_at(w)).or_else(|| {
        let e = s.enclaves.first()?;
        (0..s.parties.len()).find(|&p| s.hostile(p, e.party))
    });
    owner.map_or(Side::Neutral, Side::CivilianOf)
}

/// Lays every aid crossing onto the car graph: each must lie on a car road (within
/// `checkpoint_radius_m`) next to a road that crosses a front line. `side` decides which roads
/// count as crossing the front.
pub fn crossings_on_map(
    car: &ScenarioMap,
    snapper: &Snapper,
    side: Side,
) -> Result<Vec<CrossingOnMap>, ConvoyError> {
    let s = car.scenario;
    let radius = s.risk.checkpoint_radius_m;
    let mut out = Vec::new();
    for (i, c) in s.aid_crossings.iter().enumerate() {
        let fail = |why: String| {
            ConvoyError(format!(
                "{}: aid crossing '{}' at {},{}: {why}",
                s.file.display(),
                c.name,
                c.checkpoint[1],
                c.checkpoint[0]
            ))
        };
        let placed = corridor_scenario::nearest_way(&[(car.graph, snapper)], c.checkpoint, radius)
            .ok_or_else(|| fail(format!("no car road within {radius} m")))?;
        let on_way = corridor_scenario::way_edges_near(
            car.graph,
            car.projection(),
            placed.osm_way_id,
            c.checkpoint,
        );
        let nearest = on_way
            .iter()
            .min_by(|x, y| x.1.total_cmp(&y.1))
            .map(|&(e, _)| e)
            .ok_or_else(|| fail(format!("no car road within {radius} m")))?;
        let snap = snapper
            .nearest_where(car.graph, c.checkpoint, radius * 1.01 + 1.0, |e| {
                e == nearest
            })
            .ok_or_else(|| fail(format!("no car road within {radius} m")))?;
        let mut opens: Vec<u32> = on_way
            .iter()
            .filter(|&&(e, d)| d <= radius && enters_front(car, e, side))
            .map(|&(e, _)| e)
            .collect();
        opens.sort_unstable();
        if opens.is_empty() {
            return Err(fail(format!(
                "its road (OSM way {}) crosses no front line within {radius} m (an aid crossing must sit on the besieger's line)", placed.osm_way_id
            )));
        }
        out.push(CrossingOnMap {
            crossing: i,
            snap,
            osm_way_id: placed.osm_way_id,
            way_distance_m: placed.distance_m,
            opens,
        });
    }
    Ok(out)
}

/// One leg of a convoy route.
#[derive(Debug, Clone, Serialize)]
pub struct Leg {
    pub from: String,
    pub to: String,
    pub distance_m: f64,
    pub duration_s: f64,
    pub exposure: f64,
    pub roads: Vec<String>,
}

/// A point of the route as notification systems ask for it: start, each change of road, the
/// crossing, each stop.
#[derive(Debug, Clone, Serialize)]
pub struct Waypoint {
    pub seq: usize,
    pub kind: String,
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    pub road: Option<String>,
    pub distance_m: f64,
}

/// One road of the route (consecutive pieces of one named road, or of one unnamed OSM way).
#[derive(Debug, Clone, Serialize)]
pub struct RoadOnRoute {
    pub road: String,
    pub osm_way_ids: Vec<i64>,
    pub length_m: f64,
    pub exposure: f64,
    #[serde(skip)]
    pub edges: Vec<u32>,
}

/// A convoy route through one aid crossing.
#[derive(Debug, Clone, Serialize)]
pub struct ConvoyRoute {
    pub crossing: String,
    pub distance_m: f64,
    /// Driving time of all legs, without waiting or inspection.
    pub driving_s: f64,
    pub exposure: Exposure,
    pub legs: Vec<Leg>,
    pub roads: Vec<RoadOnRoute>,
    pub waypoints: Vec<Waypoint>,
    /// `[lon, lat]`.
    pub geometry: Vec<[f64; 2]>,
    #[serde(skip)]
    pub crossing_index: usize,
    #[serde(skip)]
    pub edges: Vec<u32>,
}

/// The convoy's points, snapped to the car graph.
pub struct Stops {
    pub warehouse: Snap,
    pub distribution: Vec<Snap>,
}

/// Snaps the warehouse and the distribution points (within `max_snap_m`).
pub fn snap_stops(
    car: &ScenarioMap,
    snapper: &Snapper,
    warehouse: [f64; 2],
    distribution: &[[f64; 2]],
    max_snap_m: f64,
) -> Result<Stops, ConvoyError> {
    let snap = |p: [f64; 2], what: String| {
        snapper.snap(car.graph, p, max_snap_m).ok_or_else(|| {
            ConvoyError(format!(
                "{what} {:.6},{:.6} is off the map: no car road within {max_snap_m} m",
                p[1], p[0]
            ))
        })
    };
    if distribution.is_empty() {
        return Err(ConvoyError(
            "no distribution point: give --to LAT,LON[;LAT,LON…] or [convoy] distribution_points"
                .into(),
        ));
    }
    Ok(Stops {
        warehouse: snap(warehouse, "the warehouse".into())?,
        distribution: distribution
            .iter()
            .enumerate()
            .map(|(i, p)| snap(*p, format!("distribution point {}", i + 1)))
            .collect::<Result<_, _>>()?,
    })
}

/// Whether an arc of road `e` enters ground hostile to `side` (the only thing an aid crossing
/// opens). A closed road still crosses the front: a what-if that closes the crossing's road
/// leaves the crossing where it is, shut, so the convoy is besieged rather than misplaced.
fn enters_front(car: &ScenarioMap, e: u32, side: Side) -> bool {
    let g = car.graph;
    [g.edge_fwd_arc[e as usize], g.edge_bwd_arc[e as usize]]
        .into_iter()
        .filter(|&a| a != corridor_routing::INVALID)
        .any(|a| car.arc_enters_hostile(a, side))
}

fn front_blocked(car: &ScenarioMap, a: u32, side: Side) -> bool {
    car.arc_blocked_with(a, side, false)
        .is_some_and(|why| why.starts_with("crosses a front line"))
}

/// Per-arc blocked flags for a convoy with no crossing open, with `closed` roads shut both ways.
fn blocked_arcs(car: &ScenarioMap, side: Side, closed: &[u32]) -> Vec<bool> {
    let g = car.graph;
    let mut b = car.blocked_arcs(side, false);
    for &e in closed {
        for a in [g.edge_fwd_arc[e as usize], g.edge_bwd_arc[e as usize]] {
            if a != corridor_routing::INVALID {
                b[a as usize] = true;
            }
        }
    }
    b
}

/// Per-arc blocked flags for a convoy through crossing `via` (only), with `closed` shut too:
/// the arcs of `via`'s roads that enter hostile ground open, unless a closure cuts the road.
fn blocked_for(car: &ScenarioMap, side: Side, via: &CrossingOnMap, closed: &[u32]) -> Vec<bool> {
    let g = car.graph;
    let mut b = car.blocked_arcs(side, false);
    for &e in &via.opens {
        if car.closure_of(e).is_some() {
            continue;
        }
        for a in [g.edge_fwd_arc[e as usize], g.edge_bwd_arc[e as usize]] {
            if a != corridor_routing::INVALID && front_blocked(car, a, side) {
                b[a as usize] = false;
            }
        }
    }
    for &e in closed {
        for a in [g.edge_fwd_arc[e as usize], g.edge_bwd_arc[e as usize]] {
            if a != corridor_routing::INVALID {
                b[a as usize] = true;
            }
        }
    }
    b
}

/// Whether a route uses an arc that `blocked` shuts.
fn uses_blocked(r: &RoadRoute, blocked: &[bool]) -> bool {
    r.pieces.iter().any(|p| blocked[p.arc as usize])
}

/// The safest convoy route (least exposure, then time) over the given crossings, with `closed`
/// roads shut; `None` if no crossing leads to every distribution point.
pub fn best_route(
    car: &ScenarioMap,
    side: Side,
    crossings: &[&CrossingOnMap],
    stops: &Stops,
    closed: &[u32],
) -> Option<ConvoyRoute> {
    crossings
        .iter()
        .filter_map(|x| route_via(car, side, x, stops, closed, &[]))
        .min_by(|a, b| {
            (a.exposure.risk, a.driving_s)
                .partial_cmp(&(b.exposure.risk, b.driving_s))
                .expect("finite")
        })
}

/// Seconds of cost per metre of a road the backup should avoid: more than any exposure can
/// cost (safest mode prices one unit at 1e6 s), so the backup shares a road with the primary
/// only where no other road exists.
const AVOID_S_PER_M: f64 = 1e11;

/// The safest route through one crossing: warehouse → crossing → each distribution point;
/// `avoid` edges are used only where nothing else leads on.
pub fn route_via(
    car: &ScenarioMap,
    side: Side,
    via: &CrossingOnMap,
    stops: &Stops,
    closed: &[u32],
    avoid: &[u32],
) -> Option<ConvoyRoute> {
    let g = car.graph;
    let s = car.scenario;
    let blocked = blocked_for(car, side, via, closed);
    let mut weights = car.weights_from_arcs(&blocked, Mode::Safest, 0.0);
    for &e in avoid {
        for a in [g.edge_fwd_arc[e as usize], g.edge_bwd_arc[e as usize]] {
            if a != corridor_routing::INVALID {
                weights[a as usize] += AVOID_S_PER_M * g.edges.length_m[e as usize];
            }
        }
    }
    let mut router = Router::new(g);
    let crossing_name = s.aid_crossings[via.crossing].name.clone();
    let mut points: Vec<(&Snap, String, &str)> = vec![
        (&stops.warehouse, "warehouse".into(), "warehouse"),
        (&via.snap, crossing_name.clone(), "crossing"),
    ];
    for (i, d) in stops.distribution.iter().enumerate() {
        points.push((
            d,
            format!("distribution point {}", i + 1),
            "distribution point",
        ));
    }
    let mut legs = Vec::new();
    let mut routes = Vec::new();
    for w in points.windows(2) {
        let r = router.route(g, &weights, WeightBound::AtLeastTravelTime, w[0].0, w[1].0)?;
        if uses_blocked(&r, &blocked) {
            return None;
        }
        let ex = car.exposure(&r, INCIDENT_RADIUS_M);
        legs.push(Leg {
            from: w[0].1.clone(),
            to: w[1].1.clone(),
            distance_m: r.distance_m,
            duration_s: r.duration_s,
            exposure: ex.risk,
            roads: r.streets(g),
        });
        routes.push(r);
    }
    let whole = RoadRoute {
        cost: routes.iter().map(|r| r.cost).sum(),
        distance_m: routes.iter().map(|r| r.distance_m).sum(),
        duration_s: routes.iter().map(|r| r.duration_s).sum(),
        pieces: routes
            .iter()
            .flat_map(|r| r.pieces.iter().copied())
            .collect(),
        engine: routes
            .first()
            .map_or(corridor_roads::route::Engine::Dijkstra, |r| r.engine),
    };
    let exposure = car.exposure(&whole, INCIDENT_RADIUS_M);
    let roads = roads_of(car, &whole.pieces);
    let waypoints = waypoints_of(car, &routes, &points);
    let mut edges: Vec<u32> = whole.pieces.iter().map(|p| p.edge).collect();
    edges.sort_unstable();
    edges.dedup();
    Some(ConvoyRoute {
        crossing: crossing_name,
        distance_m: whole.distance_m,
        driving_s: whole.duration_s,
        exposure,
        legs,
        roads,
        waypoints,
        geometry: whole.geometry(g),
        crossing_index: via.crossing,
        edges,
    })
}

fn road_label(car: &ScenarioMap, e: u32) -> String {
    car.graph.edge_name(e).map_or_else(
        || format!("way {}", car.graph.edges.way_id[e as usize]),
        str::to_string,
    )
}

/// Consecutive pieces on one road, merged.
fn roads_of(car: &ScenarioMap, pieces: &[EdgePiece]) -> Vec<RoadOnRoute> {
    let mut out: Vec<RoadOnRoute> = Vec::new();
    for p in pieces {
        let label = road_label(car, p.edge);
        let len = (p.to_m - p.from_m).abs();
        let way = car.graph.edges.way_id[p.edge as usize];
        let ex = car.risk_per_metre(p.edge) * len;
        match out.last_mut() {
            Some(r) if r.road == label => {
                r.length_m += len;
                r.exposure += ex;
                if !r.osm_way_ids.contains(&way) {
                    r.osm_way_ids.push(way);
                }
                if !r.edges.contains(&p.edge) {
                    r.edges.push(p.edge);
                }
            }
            _ => out.push(RoadOnRoute {
                road: label,
                osm_way_ids: vec![way],
                length_m: len,
                exposure: ex,
                edges: vec![p.edge],
            }),
        }
    }
    out
}

/// Start, every change of road, the crossing and the stops, with distance from the start.
fn waypoints_of(
    car: &ScenarioMap,
    legs: &[RoadRoute],
    points: &[(&Snap, String, &str)],
) -> Vec<Waypoint> {
    let g = car.graph;
    let mut out = Vec::new();
    let mut push = |kind: &str, name: String, at: [f64; 2], road: Option<String>, d: f64| {
        out.push(Waypoint {
            seq: out.len() + 1,
            kind: kind.into(),
            name,
            lat: (at[1] * 1e7).round() / 1e7,
            lon: (at[0] * 1e7).round() / 1e7,
            road,
            distance_m: (d * 10.0).round() / 10.0,
        });
    };
    let mut dist = 0.0;
    let mut last_road: Option<String> = None;
    for (i, r) in legs.iter().enumerate() {
        let (snap, name, kind) = &points[i];
        push(
            kind,
            name.clone(),
            snap.point,
            Some(road_label(car, snap.edge)),
            dist,
        );
        last_road = Some(road_label(car, snap.edge));
        for p in &r.pieces {
            let label = road_label(car, p.edge);
            if last_road.as_deref() != Some(&label) {
                let at = g.edge_subshape(p.edge, p.from_m, p.from_m)[0];
                push(
                    "turn",
                    format!("onto {label}"),
                    at,
                    Some(label.clone()),
                    dist,
                );
                last_road = Some(label);
            }
            dist += (p.to_m - p.from_m).abs();
        }
    }
    if let Some((snap, name, kind)) = points.last() {
        push(kind, name.clone(), snap.point, last_road, dist);
    }
    out
}

/// What closing one road of the route does to the convoy.
#[derive(Debug, Clone, Serialize)]
pub struct RoadCut {
    pub road: String,
    pub osm_way_ids: Vec<i64>,
    /// `None`: no route; see `verdict`.
    pub backup: Option<RouteSummary>,
    pub verdict: String,
}

/// A route in brief.
#[derive(Debug, Clone, Serialize)]
pub struct RouteSummary {
    pub crossing: String,
    pub distance_m: f64,
    pub driving_s: f64,
    pub exposure: f64,
    pub roads: Vec<String>,
}

impl ConvoyRoute {
    pub fn summary(&self) -> RouteSummary {
        RouteSummary {
            crossing: self.crossing.clone(),
            distance_m: self.distance_m,
            driving_s: self.driving_s,
            exposure: self.exposure.risk,
            roads: self.roads.iter().map(|r| r.road.clone()).collect(),
        }
    }
}

/// The backup: the safest route that enters hostile ground by another road than `primary`
/// (none of the primary's crossing roads) and shares as few metres with it as the network
/// allows — none, where a fully disjoint route exists.
#[derive(Debug, Clone, Serialize)]
pub struct Backup {
    #[serde(flatten)]
    pub route: ConvoyRoute,
    /// Metres of road edges it shares with the primary route.
    pub shared_m: f64,
    pub shared_roads: Vec<String>,
    pub disjoint: bool,
}

pub fn disjoint_backup(
    car: &ScenarioMap,
    side: Side,
    crossings: &[&CrossingOnMap],
    stops: &Stops,
    primary: &ConvoyRoute,
) -> Option<Backup> {
    let entry: Vec<u32> = crossings
        .iter()
        .flat_map(|c| c.opens.iter().copied())
        .filter(|e| primary.edges.binary_search(e).is_ok())
        .collect();
    let route = crossings
        .iter()
        .filter_map(|x| route_via(car, side, x, stops, &entry, &primary.edges))
        .min_by(|a, b| {
            let shared = |r: &ConvoyRoute| shared_m(car, r, primary);
            (shared(a), a.exposure.risk, a.driving_s)
                .partial_cmp(&(shared(b), b.exposure.risk, b.driving_s))
                .expect("finite")
        })?;
    let shared = shared_m(car, &route, primary);
    let shared_roads: Vec<String> = route
        .roads
        .iter()
        .filter(|r| {
            r.edges
                .iter()
                .any(|e| primary.edges.binary_search(e).is_ok())
        })
        .map(|r| r.road.clone())
        .fold(Vec::new(), |mut v, r| {
            if !v.contains(&r) {
                v.push(r);
            }
            v
        });
    Some(Backup {
        shared_m: (shared * 10.0).round() / 10.0,
        disjoint: shared_roads.is_empty(),
        shared_roads,
        route,
    })
}

/// Metres of `r`'s edges that `primary` also uses (whole edge lengths).
fn shared_m(car: &ScenarioMap, r: &ConvoyRoute, primary: &ConvoyRoute) -> f64 {
    r.edges
        .iter()
        .filter(|e| primary.edges.binary_search(e).is_ok())
        .map(|&e| car.graph.edges.length_m[e as usize])
        .sum()
}

/// For each road of the route: the best route with that road closed, or why there is none.
pub fn road_cuts(
    car: &ScenarioMap,
    side: Side,
    crossings: &[&CrossingOnMap],
    stops: &Stops,
    primary: &ConvoyRoute,
) -> Vec<RoadCut> {
    let mut seen: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for r in &primary.roads {
        if seen.contains(&r.road.as_str()) {
            continue;
        }
        seen.push(&r.road);
        let closed: Vec<u32> = primary
            .roads
            .iter()
            .filter(|x| x.road == r.road)
            .flat_map(|x| x.edges.iter().copied())
            .collect();
        let backup = best_route(car, side, crossings, stops, &closed);
        let verdict = match &backup {
            Some(b) => format!(
                "backup via {} ({:.1} km, exposure {:.1})",
                b.crossing,
                b.distance_m / 1000.0,
                b.exposure.risk
            ),
            None if closed.contains(&stops.warehouse.edge) => {
                "no route: the warehouse is on this road".into()
            }
            None if stops.distribution.iter().any(|d| closed.contains(&d.edge)) => {
                "no route: a distribution point is on this road".into()
            }
            None if !reaches_a_crossing(car, side, crossings, stops, &closed) => {
                "no route: the closure cuts the warehouse off from every aid crossing".into()
            }
            None => "no route: the enclave is besieged for convoys".into(),
        };
        out.push(RoadCut {
            road: r.road.clone(),
            osm_way_ids: r.osm_way_ids.clone(),
            backup: backup.map(|b| b.summary()),
            verdict,
        });
    }
    out
}

/// Whether the warehouse still reaches the end of a road any crossing opens (its approach from
/// outside) with `closed` shut and the front closed everywhere.
fn reaches_a_crossing(
    car: &ScenarioMap,
    side: Side,
    crossings: &[&CrossingOnMap],
    stops: &Stops,
    closed: &[u32],
) -> bool {
    let g = car.graph;
    let blocked = blocked_arcs(car, side, closed);
    let w = stops.warehouse.edge as usize;
    let weights = car.weights_from_arcs(&blocked, Mode::Fastest, 0.0);
    // Leaving the warehouse's edge the way its open arcs allow (one-way roads, closures).
    let seeds: Vec<corridor_routing::Seed> = [
        (g.edge_fwd_arc[w], g.edges.to[w]),
        (g.edge_bwd_arc[w], g.edges.from[w]),
    ]
    .into_iter()
    .filter(|(arc, _)| *arc != corridor_routing::INVALID && !blocked[*arc as usize])
    .map(|(_, node)| corridor_routing::Seed { node, cost: 0.0 })
    .collect();
    let mut search = corridor_routing::OneToAll::new(&g.graph);
    search.run(&g.graph, &weights, &seeds, f64::INFINITY, false);
    crossings.iter().flat_map(|x| x.opens.iter()).any(|&e| {
        let e = e as usize;
        search.cost(g.edges.from[e]).is_finite() || search.cost(g.edges.to[e]).is_finite()
    })
}

/// The crossings a request may use: the named one, or all.
pub fn allowed<'c>(
    s: &Scenario,
    all: &'c [CrossingOnMap],
    name: Option<&str>,
) -> Result<Vec<&'c CrossingOnMap>, ConvoyError> {
    match name {
        None => Ok(all.iter().collect()),
        Some(n) => {
            let v: Vec<&CrossingOnMap> = all
                .iter()
                .filter(|c| s.aid_crossings[c.crossing].name == n)
                .collect();
            if v.is_empty() {
                Err(ConvoyError(format!(
                    "crossing '{n}': no aid crossing of that name (the scenario declares: {})",
                    s.aid_crossings
                        .iter()
                        .map(|c| c.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )))
            } else {
                Ok(v)
            }
        }
    }
}

/// Whether crossing `c` lets a single truck through between the start of day `from` and the
/// start of day `to` (days after `as_of`): hours, dates, weekdays, inspection and limits. A
/// crossing that does not is no way in for a plan over that horizon, however safe its roads.
pub fn lets_a_truck_through(c: &AidCrossing, as_of: chrono::NaiveDate, from: i64, to: i64) -> bool {
    let start = from.max(0) as f64 * DAY_S;
    let end = to as f64 * DAY_S;
    clear_one(c, as_of, start, &mut CrossingUse::default()).is_some_and(|t| t <= end)
}

/// The crossings of `usable` that let a truck through in days `from..to` after `as_of`, and the
/// names of those left out. When none does, all are kept: the plan then says that nothing gets
/// through, rather than that no route exists.
pub fn open_in_horizon<'c>(
    s: &Scenario,
    usable: Vec<&'c CrossingOnMap>,
    from: i64,
    to: i64,
) -> (Vec<&'c CrossingOnMap>, Vec<String>) {
    let (open, shut): (Vec<&CrossingOnMap>, Vec<&CrossingOnMap>) = usable
        .iter()
        .copied()
        .partition(|x| lets_a_truck_through(&s.aid_crossings[x.crossing], s.as_of, from, to));
    if open.is_empty() {
        return (usable, Vec::new());
    }
    let names = shut
        .iter()
        .map(|x| s.aid_crossings[x.crossing].name.clone())
        .collect();
    (open, names)
}

/// Distribution points the warehouse reaches without any aid crossing: they are not behind the
/// besieger's lines, and a convoy plan for them would be meaningless.
pub fn reachable_without_crossing(car: &ScenarioMap, side: Side, stops: &Stops) -> Vec<usize> {
    let w = car.weights_from_arcs(&blocked_arcs(car, side, &[]), Mode::Fastest, 0.0);
    let mut router = Router::new(car.graph);
    (0..stops.distribution.len())
        .filter(|&i| {
            router
                .route(
                    car.graph,
                    &w,
                    WeightBound::AtLeastTravelTime,
                    &stops.warehouse,
                    &stops.distribution[i],
                )
                .is_some()
        })
        .collect()
}

/// The plan's numbers and horizon.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ConvoyParams {
    #[serde(flatten)]
    pub schedule: ScheduleParams,
    /// The horizon the schedule and deliveries are reported over (days).
    pub days: u32,
}

/// Days the food outlook is simulated for: long enough that "never runs out" means it.
pub const OUTLOOK_DAYS: u32 = 3660;

/// One convoy's clock from the warehouse to the last stop.
#[derive(Debug, Clone, Serialize)]
pub struct Timing {
    pub departs: String,
    pub at_crossing: String,
    /// Waiting before the first truck's inspection starts (closed crossing, earlier trucks).
    pub wait_s: f64,
    /// Inspection of all trucks, one after another.
    pub inspection_s: f64,
    /// The last truck cleared; `None`: not all trucks get through within 400 days.
    pub cleared: Option<String>,
    pub cleared_per_day: Vec<(chrono::NaiveDate, u32)>,
    /// Arrival at each distribution point.
    pub arrivals: Vec<String>,
    /// Warehouse to the last stop, seconds.
    pub total_s: Option<f64>,
}

/// One convoy through `c`, departing on day `first_day` at `depart_s`.
pub fn time_one(
    c: &AidCrossing,
    as_of: chrono::NaiveDate,
    p: &ScheduleParams,
    legs: &LegTimes,
) -> Timing {
    let depart = p.first_day as f64 * DAY_S + p.depart_s;
    let at = depart + legs.to_crossing_s;
    let passage = pass_convoy(c, as_of, at, p.trucks, &mut CrossingUse::default());
    let mut arrivals = Vec::new();
    let mut t = passage.cleared_s;
    if let Some(mut x) = t {
        for leg in &legs.inside_s {
            x += leg;
            arrivals.push(clock(as_of, x));
        }
        t = Some(x);
    }
    let wait_s = passage
        .first_cleared_s
        .map_or(0.0, |f| f - c.inspection_s - at);
    Timing {
        departs: clock(as_of, depart),
        at_crossing: clock(as_of, at),
        wait_s,
        inspection_s: p.trucks as f64 * c.inspection_s,
        cleared: passage.cleared_s.map(|x| clock(as_of, x)),
        cleared_per_day: passage.cleared_per_day,
        arrivals,
        total_s: t.map(|x| x - depart),
    }
}

/// What the plan delivers against the need.
#[derive(Debug, Clone, Serialize)]
pub struct Supply {
    pub people: f64,
    pub need_kcal_per_day: f64,
    /// Steady inflow from open truck supply routes (the siege forecast's), kcal a day.
    pub other_inflow_kcal_per_day: f64,
    pub horizon_days: u32,
    pub convoys_in_horizon: usize,
    pub delivered_tonnes: f64,
    pub delivered_kcal: f64,
    /// Delivered ÷ need over the horizon.
    pub share_of_need: f64,
    /// Delivered kcal ÷ need per day.
    pub days_of_food_added: f64,
    pub without: Outlook,
    pub with: Outlook,
    pub plan_trucks_per_week: f64,
    /// Trucks a week (of this plan's tonnes and ration) that would cover the whole need on
    /// their own, whatever other supply arrives.
    pub trucks_per_week_to_cover_need: u32,
    /// The most the crossing lets through in the plan's first week; `None`: unlimited.
    pub crossing_trucks_per_week_max: Option<u32>,
    pub verdict: String,
    /// Days from `as_of` the `with`/`without` outlooks look ahead: "does not run out" means
    /// not within them (the convoys running as planned throughout).
    pub outlook_days: u32,
}

/// "does not run out within 3660 days (by 2026-08-04), the convoys running as planned
/// throughout" or "runs out on DATE": an outlook's verdict with the assumption it rests on. The
/// outlook is a finite series (`OUTLOOK_DAYS` or the plan's horizon, whichever is longer), so
/// "does not run out" is only ever "not within" it.
pub fn outlook_words(
    o: &Outlook,
    as_of: chrono::NaiveDate,
    days: u32,
    with_convoys: bool,
) -> String {
    match o.runs_out_on {
        Some(d) => format!("runs out on {d}"),
        None => format!(
            "does not run out within {days} days (by {}){}",
            as_of + chrono::Duration::days(i64::from(days)),
            if with_convoys {
                ", the convoys running as planned throughout"
            } else {
                ""
            }
        ),
    }
}

/// The food a stock and need leave for the convoy to fill (the siege forecast's inputs).
#[derive(Debug, Clone, Copy)]
pub struct FoodBase {
    pub people: f64,
    pub stock_kcal: f64,
    pub need_kcal_per_day: f64,
    pub inflow_kcal_per_day: f64,
}

/// Deliveries of `schedule` against `base`, over `params.days`.
pub fn supply(
    c: &AidCrossing,
    as_of: chrono::NaiveDate,
    params: &ConvoyParams,
    sched: &Schedule,
    base: &FoodBase,
) -> Supply {
    let p = &params.schedule;
    let kcal_per_t = p.kcal_per_kg * 1000.0;
    let horizon = params.days as usize;
    let delivered_tonnes: f64 = sched.daily_tonnes.iter().take(horizon).sum();
    let delivered_kcal = delivered_tonnes * kcal_per_t;
    let kcal_daily: Vec<f64> = sched.daily_tonnes.iter().map(|t| t * kcal_per_t).collect();
    let series = OUTLOOK_DAYS.max(params.days);
    let without = outlook(
        as_of,
        base.stock_kcal,
        base.need_kcal_per_day,
        base.inflow_kcal_per_day,
        &[],
        series,
    );
    let with = outlook(
        as_of,
        base.stock_kcal,
        base.need_kcal_per_day,
        base.inflow_kcal_per_day,
        &kcal_daily,
        series,
    );
    let need_total = base.need_kcal_per_day * params.days as f64;
    let needed = trucks_per_week_for_need(
        base.need_kcal_per_day,
        0.0,
        p.tonnes_per_truck,
        p.kcal_per_kg,
    );
    let cap = crossing_week_capacity(c, as_of, p.first_day);
    let plan_week = p.trucks as f64 * 7.0 / p.every_days as f64;
    let cap_note = match cap {
        Some(m) if (m as f64) < plan_week.max(needed as f64) => {
            format!("; the crossing lets at most {m} trucks a week through")
        }
        _ => String::new(),
    };
    let verdict = if plan_week >= needed as f64 && cap.is_none_or(|m| m >= needed) {
        format!(
            "the plan alone covers the need: {plan_week:.0} trucks a week against {needed} needed"
        )
    } else if with.runs_out_on.is_none() {
        format!("with the other supply food lasts, but the plan alone would not cover the need: {plan_week:.1} trucks a week, {needed} needed{cap_note}")
    } else {
        format!("the plan does not cover the need: {plan_week:.1} trucks a week, {needed} needed{cap_note}")
    };
    Supply {
        people: base.people,
        need_kcal_per_day: base.need_kcal_per_day,
        other_inflow_kcal_per_day: base.inflow_kcal_per_day,
        horizon_days: params.days,
        convoys_in_horizon: sched.runs.iter().filter(|r| r.within_horizon).count(),
        delivered_tonnes,
        delivered_kcal,
        share_of_need: if need_total > 0.0 {
            delivered_kcal / need_total
        } else {
            0.0
        },
        days_of_food_added: if base.need_kcal_per_day > 0.0 {
            delivered_kcal / base.need_kcal_per_day
        } else {
            0.0
        },
        without,
        with,
        plan_trucks_per_week: plan_week,
        trucks_per_week_to_cover_need: needed,
        crossing_trucks_per_week_max: cap,
        verdict,
        outlook_days: series,
    }
}

/// The route's leg times as the schedule needs them.
pub fn leg_times(r: &ConvoyRoute) -> LegTimes {
    LegTimes {
        to_crossing_s: r.legs.first().map_or(0.0, |l| l.duration_s),
        inside_s: r.legs.iter().skip(1).map(|l| l.duration_s).collect(),
    }
}

/// The siege forecast hook: the forecast with the declared convoy plan's deliveries, saying so.
/// Only the outlook changes; stock, need and the other inflow are the forecast's own.
pub fn forecast_with_convoy(
    f: &crate::siege::Forecast,
    supply: &Supply,
    plan: &str,
    horizon_days: u32,
) -> crate::siege::Forecast {
    let mut out = f.clone();
    out.days_left = supply.with.days_left;
    out.runs_out_on = supply.with.runs_out_on;
    out.daily_stock_kcal = supply
        .with
        .daily_stock_kcal
        .iter()
        .take(horizon_days as usize + 1)
        .copied()
        .collect();
    out.assumptions.push(format!(
        "with the declared convoy plan ([convoy]): {plan}; {:.0} t in the first {} days; with it food {}; without it food would run out on {}",
        supply.delivered_tonnes,
        supply.horizon_days,
        match supply.with.runs_out_on {
            Some(d) => format!("runs out on {d}"),
            None => format!(
                "does not run out within {} days, the convoys running as planned throughout",
                supply.outlook_days
            ),
        },
        supply.without.runs_out_on.map_or_else(
            || format!("no date within {} days", supply.outlook_days),
            |d| d.to_string()
        )
    ));
    out
}
