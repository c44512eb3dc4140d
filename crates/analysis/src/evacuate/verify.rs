//! `corridor evacuate --verify PLAN.json`: checks a plan from its JSON and the scenario alone.
//!
//! Nothing here uses the planner's structures: every route is walked on the graph by OSM node
//! and way ids; travel times, road capacities, which arcs cross the line at which checkpoint
//! (`checkpoint_passed`, from the scenario's ground rule and placed checkpoints), opening
//! hours (by the clock, `open_seconds_between`), road stretches, the distance from each start
//! to its neighbourhood's own point or area and from each end to a reception, and the
//! neighbourhoods' people are recomputed from the graph and the scenario.
//!
//! What is shared, and why: the documented capacity table (`capacity::edge_capacity_per_hour`:
//! SFPE walking flow per metre of width, HCM vehicles per lane, widths and lanes by road class)
//! is a model *input*, like the scenario's `capacity_per_hour` — the README documents it as the
//! capacity assumption, and a check with another table would check another model. The
//! population layer's reading (`siege::enclave_units`: who lives inside the enclave, area units
//! by the share of their area inside) is the scenario's population, shared by every analysis,
//! and so is the grid of cells over an area (`siege::area_cells`: the README's rule of where an
//! area's people live, each cell an equal share); which cells have a road, and whether the
//! groups fit them, are the check's own ([`Checker::cells`]).
//! The start and reception limits are the README's documented 500 m, kept here as the check's
//! own constants ([`START_LIMIT_M`], [`RECEPTION_LIMIT_M`]) rather than the planner's, so a
//! planner that drifts from the documented limits fails the check.
//!
//! Checked: routes connected, passable for their traveller, one checkpoint, never going back
//! into the enclave after it; nobody enters a road before reaching it; every road's and every
//! checkpoint's load per time bucket within capacity (a crossing road's people count against
//! both its own road and its checkpoint), checkpoints entered only while open;
//! routes start inside the enclave within [`START_LIMIT_M`] of their neighbourhood (its point,
//! or anywhere in its area inside the enclave; an area's civilians spread over its cells) and
//! end within [`RECEPTION_LIMIT_M`] of a
//! reception of their purpose; civilians and combatants share no stretch of road; people
//! conserved per neighbourhood, and no more of them in vehicles than it has drivers (its
//! leaving people times `1 − foot_share`: walkers never drive, drivers may walk); the egress
//! covers every arrival and the bound is below it.

use super::{edge_capacity_per_hour, PlannedGroup};
use crate::siege::{enclave_ground, enclave_units};
use corridor_roads::geometry::{closest_on_segment, haversine_m, LocalProjection};
use corridor_roads::{Profile, ProfileGraph};
use corridor_scenario::{parse_hours, Purpose, Scenario, ScenarioMap, Side};
use geo::{BooleanOps, Contains, MultiPolygon, Point};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// The documented start limit (README, "Where people start"): people start at a road node at
/// most this far from their neighbourhood (its point, or its area inside the enclave), metres.
pub const START_LIMIT_M: f64 = 500.0;
/// The documented reception limit: a route ends at most this far from its reception, metres.
pub const RECEPTION_LIMIT_M: f64 = 500.0;

/// Where a neighbourhood lives, as the scenario's population layer says: its point, and its area
/// inside the enclave when it is given as an area.
struct Place {
    point: [f64; 2],
    area: Option<MultiPolygon<f64>>,
}

impl Place {
    /// Metres from `p` to the place: 0 inside its area, else to the area's nearest edge (in a
    /// local projection around `p`, exact to well under a metre at these distances); to the
    /// point for a point unit.
    fn distance_m(&self, p: [f64; 2]) -> f64 {
        let Some(area) = &self.area else {
            return haversine_m(p, self.point);
        };
        if area.contains(&Point::new(p[0], p[1])) {
            return 0.0;
        }
        let proj = LocalProjection::for_bbox([p[0], p[1], p[0], p[1]]);
        let q = proj.project(p);
        area.0
            .iter()
            .flat_map(|poly| std::iter::once(poly.exterior()).chain(poly.interiors()))
            .flat_map(|ring| ring.lines())
            .map(|l| {
                let a = proj.project([l.start.x, l.start.y]);
                let b = proj.project([l.end.x, l.end.y]);
                let (c, _) = closest_on_segment(q, a, b);
                (c[0] - q[0]).hypot(c[1] - q[1])
            })
            .fold(f64::INFINITY, f64::min)
    }
}

/// Each neighbourhood's place, in the order of the plan's `neighbourhoods`.
fn places(s: &Scenario, ground: &MultiPolygon<f64>) -> Vec<Place> {
    enclave_units(s, ground)
        .into_iter()
        .map(|(i, _, at)| Place {
            point: at,
            area: s.population[i]
                .area
                .as_ref()
                .map(|a| a.intersection(ground)),
        })
        .collect()
}

/// A stretch of road as the check compares flows: the OSM way and the two shape points (1e-7°)
/// it runs between, in a fixed order — the same for a walker's and a driver's edge.
type Stretch = (i64, [i64; 4]);

/// The stretches of road edge `e` runs over (the check's own reading of the graph's shapes).
fn stretches(g: &ProfileGraph, e: u32) -> Vec<Stretch> {
    let way = g.edges.way_id[e as usize];
    let fixed = |p: [f64; 2]| [(p[0] * 1e7).round() as i64, (p[1] * 1e7).round() as i64];
    g.edge_shape(e)
        .windows(2)
        .map(|w| {
            let (a, b) = (fixed(w[0]), fixed(w[1]));
            let (a, b) = (a.min(b), a.max(b));
            (way, [a[0], a[1], b[0], b[1]])
        })
        .collect()
}

/// Which corridor's checkpoint a traveller of `side` passes on arc `a`, read from the scenario
/// and the graph (not from the planner): the arc is closed to `side` when declared crossings
/// open nothing and open when they do — it enters hostile ground — and a checkpoint of the
/// side's purpose, in force, stands on its road; of several, the first declared. The other
/// direction of such a road leaves hostile ground and passes no checkpoint.
fn checkpoint_passed(sm: &ScenarioMap, a: u32, side: Side) -> Option<usize> {
    let needs_crossing = sm.arc_blocked_with(a, side, false).is_some();
    if !needs_crossing || sm.arc_blocked(a, side).is_some() {
        return None;
    }
    let e = sm.graph.arc_edge(a).0;
    sm.usable_checkpoints(side)
        .filter(|c| c.edges.contains(&e))
        .map(|c| c.corridor)
        .min()
}

/// Seconds corridor `c` is open within `[a, z)` (seconds from the evacuation start), from its
/// daily `hours` (the whole span when it has none); overnight hours wrap past midnight.
fn open_seconds_between(s: &Scenario, c: usize, a: f64, z: f64) -> f64 {
    let Some(hours) = &s.corridors[c].hours else {
        return (z - a).max(0.0);
    };
    let Ok((open, close)) = parse_hours(hours) else {
        return 0.0;
    };
    let close = if close <= open {
        close + 86400.0
    } else {
        close
    };
    let (from, to) = (s.evacuation.start_s + a, s.evacuation.start_s + z);
    let first_day = (from / 86400.0).floor() as i64 - 1;
    let last_day = (to / 86400.0).floor() as i64;
    (first_day..=last_day)
        .map(|d| {
            let day = d as f64 * 86400.0;
            ((day + close).min(to) - (day + open).max(from)).max(0.0)
        })
        .sum()
}

/// The parts of a plan's JSON the check reads.
#[derive(Debug, Clone, Deserialize)]
pub struct PlanToVerify {
    pub people: f64,
    pub leaving: f64,
    pub staying: f64,
    pub combatants: f64,
    pub combatants_stranded: f64,
    pub egress_time_s: Option<f64>,
    pub lower_bound_s: Option<f64>,
    pub neighbourhoods: Vec<NeighbourhoodToVerify>,
    pub groups: Vec<PlannedGroup>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct NeighbourhoodToVerify {
    pub name: String,
    pub people: f64,
    pub leaving: f64,
    pub staying: f64,
    pub stranded: f64,
}

/// What the check found.
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    pub ok: bool,
    pub groups: usize,
    /// (road, bucket) and (checkpoint, bucket) loads recounted.
    pub road_loads_checked: usize,
    pub checkpoint_loads_checked: usize,
    /// Highest load / capacity found on a road and at a checkpoint.
    pub busiest_road: f64,
    pub busiest_checkpoint: f64,
    /// The latest arrival recomputed from the routes (head of each group), seconds.
    pub latest_arrival_s: Option<f64>,
    /// Every problem found (at most 50 listed), one line each.
    pub violations: Vec<String>,
    pub violation_count: usize,
    /// The kinds of problem found, in the order first met, with their counts.
    pub problems: Vec<Problem>,
}

impl Verification {
    /// The verdict in one line: the kinds of problem (with counts), then the first violation.
    pub fn summary(&self) -> String {
        if self.ok {
            return format!("the plan passes ({} groups)", self.groups);
        }
        let kinds: Vec<String> = self
            .problems
            .iter()
            .map(|p| format!("{} ({})", p.problem, p.count))
            .collect();
        format!(
            "the plan fails {} check(s): {}; first: {}",
            self.violation_count,
            kinds.join("; "),
            self.violations.first().map_or("", String::as_str)
        )
    }
}

/// One kind of problem and how often the check found it.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    pub problem: &'static str,
    pub count: usize,
}

// The kinds of problem, as the one-line verdict names them.
const MALFORMED: &str = "a malformed group or scenario";
const BROKEN_ROUTE: &str =
    "a route the graph does not have (broken, or timed faster than its roads)";
const UNDECLARED_CROSSING: &str = "a route that crosses a front line away from a declared crossing";
const CLOSED_ROAD: &str = "a route on a road closed to its travellers";
const CROSSING: &str =
    "a route that crosses the line more than once, back in, or not where the plan says";
const CLOSED_CHECKPOINT: &str = "people through a checkpoint while it is closed";
const START: &str = "a group that starts too far from its neighbourhood or outside the enclave";
const END: &str = "a route that does not end at a reception";
const ROAD_LOAD: &str = "a road over capacity";
const CHECKPOINT_LOAD: &str = "a checkpoint over capacity";
const SEPARATION: &str = "civilians and combatants on the same road";
const PEOPLE: &str = "people not conserved";
const CELLS: &str = "an area's people not spread over its cells";
const MODE: &str = "more people in vehicles than the neighbourhood has drivers";
const EGRESS: &str = "an egress or bound that does not match the groups";

/// Rounding in the plan's reported figures: whole people.
const PEOPLE_TOLERANCE: f64 = 1.0;
const TIME_TOLERANCE_S: f64 = 1e-3;

struct Checker<'a> {
    foot: &'a ScenarioMap<'a>,
    car: &'a ScenarioMap<'a>,
    node_index: [HashMap<i64, u32>; 2],
    ground: geo::MultiPolygon<f64>,
    road_load: HashMap<(Profile, u32, u64), f64>,
    checkpoint_load: HashMap<(usize, u64), f64>,
    segments: [HashSet<Stretch>; 2],
    violations: Vec<String>,
    count: usize,
    problems: Vec<Problem>,
    /// Per civilian group: its neighbourhood, where it starts and its people (for
    /// [`Checker::cells`]).
    civilian_starts: Vec<(usize, [f64; 2], f64)>,
}

impl<'a> Checker<'a> {
    fn fail(&mut self, kind: &'static str, m: String) {
        self.count += 1;
        match self.problems.iter_mut().find(|p| p.problem == kind) {
            Some(p) => p.count += 1,
            None => self.problems.push(Problem {
                problem: kind,
                count: 1,
            }),
        }
        if self.violations.len() < 50 {
            self.violations.push(m);
        }
    }

    fn map(&self, mode: Profile) -> &'a ScenarioMap<'a> {
        match mode {
            Profile::Foot => self.foot,
            Profile::Car => self.car,
        }
    }

    fn inside(&self, g: &ProfileGraph, v: u32) -> bool {
        let c = g.node_coord[v as usize];
        self.ground.contains(&Point::new(c[0], c[1]))
    }

    /// The road of `way` from `u` to `v` a traveller can take: the quickest such arc.
    /// The arc of `way` from `u` to `v` that the group took `gap_s` to pass (to the next
    /// piece's entry, waiting included): a way can join the same two nodes twice (a loop), and
    /// the plan names nodes and ways only. The arc whose time fits the gap most closely without
    /// exceeding it; the quickest if none fits.
    fn arc(g: &ProfileGraph, u: u32, v: u32, way: i64, gap_s: f64) -> Option<u32> {
        let duration = |a: u32| g.arc_duration_s[a as usize];
        let arcs: Vec<u32> = g
            .graph
            .out_arcs(u)
            .filter(|&a| g.graph.arc_head(a) == v)
            .filter(|&a| g.edges.way_id[g.arc_edge(a).0 as usize] == way)
            .collect();
        arcs.iter()
            .copied()
            .filter(|&a| duration(a) <= gap_s + TIME_TOLERANCE_S)
            .max_by(|&a, &b| duration(a).total_cmp(&duration(b)))
            .or_else(|| {
                arcs.iter()
                    .copied()
                    .min_by(|&a, &b| duration(a).total_cmp(&duration(b)))
            })
    }

    fn group(&mut self, i: usize, gr: &PlannedGroup, places: &[Place]) {
        let s = self.foot.scenario;
        let party = s.enclaves[0].party;
        let side = match gr.purpose {
            Purpose::Civilian => Side::CivilianOf(party),
            Purpose::Combatant => Side::Party(party),
        };
        let sm = self.map(gr.mode);
        let g = sm.graph;
        let bucket = s.evacuation.bucket_s;
        let name = format!("group {i} ({} people, {})", gr.people, gr.mode.name());
        if gr.people.is_nan()
            || gr.people <= 0.0
            || gr.nodes.len() != gr.ways.len() + 1
            || gr.enter_s.len() != gr.ways.len()
            || gr.ways.is_empty()
        {
            self.fail(
                MALFORMED,
                format!("{name}: malformed (people, nodes, ways and enter_s must agree)"),
            );
            return;
        }
        let idx = &self.node_index[gr.mode.index()];
        let Some(nodes) = gr
            .nodes
            .iter()
            .map(|id| idx.get(id).copied())
            .collect::<Option<Vec<u32>>>()
        else {
            self.fail(
                BROKEN_ROUTE,
                format!("{name}: a node is not on the {} graph", gr.mode.name()),
            );
            return;
        };
        self.start(&name, gr, g, nodes[0], places);
        let mut t = 0.0;
        let mut first_corridor = None;
        for (k, &way) in gr.ways.iter().enumerate() {
            let (u, v) = (nodes[k], nodes[k + 1]);
            let next = gr.enter_s.get(k + 1).copied().unwrap_or(gr.arrive_s);
            let gap = gr.enter_s.get(k).map_or(f64::INFINITY, |&e| next - e);
            let Some(a) = Self::arc(g, u, v, way, gap) else {
                self.fail(
                    BROKEN_ROUTE,
                    format!(
                        "{name}: no road of way {way} from node {} to {}",
                        gr.nodes[k],
                        gr.nodes[k + 1]
                    ),
                );
                return;
            };
            let e = g.arc_edge(a).0;
            if let Some(why) = sm.arc_blocked(a, side) {
                let kind = if sm.arc_enters_hostile(a, side) {
                    UNDECLARED_CROSSING
                } else {
                    CLOSED_ROAD
                };
                self.fail(
                    kind,
                    format!(
                        "{name}: on way {way} from node {} to {}: {why} (for {}s)",
                        gr.nodes[k],
                        gr.nodes[k + 1],
                        gr.purpose.name()
                    ),
                );
            }
            let enter = gr.enter_s[k];
            if enter < t - TIME_TOLERANCE_S {
                self.fail(
                    BROKEN_ROUTE,
                    format!(
                        "{name}: enters way {way} at {enter:.1} s before reaching it at {t:.1} s"
                    ),
                );
            }
            let b = (enter / bucket).floor().max(0.0) as u64;
            let back_in = self.inside(g, v) && !self.inside(g, u);
            if back_in && first_corridor.is_some() {
                self.fail(
                    CROSSING,
                    format!(
                        "{name}: goes back into the enclave on way {way} after crossing the line"
                    ),
                );
            }
            if let Some(c) = checkpoint_passed(sm, a, side) {
                if back_in {
                    self.fail(
                        CROSSING,
                        format!("{name}: crosses back into the enclave on way {way}"),
                    );
                }
                if first_corridor.is_some() {
                    self.fail(
                        CROSSING,
                        format!(
                            "{name}: passes a second checkpoint ('{}') on way {way}",
                            s.corridors[c].name
                        ),
                    );
                }
                first_corridor.get_or_insert(c);
                if open_seconds_between(s, c, enter, enter + TIME_TOLERANCE_S) <= 0.0 {
                    self.fail(
                        CLOSED_CHECKPOINT,
                        format!(
                            "{name}: passes checkpoint '{}' at {enter:.0} s, while it is closed",
                            s.corridors[c].name
                        ),
                    );
                }
                *self.checkpoint_load.entry((c, b)).or_insert(0.0) += gr.people;
            }
            // Every road within its own capacity, a crossing road too (its checkpoint's
            // screening rate is a second limit, not a replacement).
            *self.road_load.entry((gr.mode, e, b)).or_insert(0.0) += gr.people;
            let seg = &mut self.segments[(gr.purpose == Purpose::Combatant) as usize];
            seg.extend(stretches(g, e));
            t = enter + g.arc_duration_s[a as usize];
        }
        if (t - gr.arrive_s).abs() > TIME_TOLERANCE_S * 10.0 {
            self.fail(
                BROKEN_ROUTE,
                format!(
                    "{name}: arrives at {t:.1} s by the graph's travel times, not {:.1} s",
                    gr.arrive_s
                ),
            );
        }
        let end = g.node_coord[*nodes.last().expect("nodes") as usize];
        let at_reception = s.corridors.iter().any(|c| {
            c.purpose == gr.purpose
                && c.reception
                    .is_some_and(|r| haversine_m(r, end) <= RECEPTION_LIMIT_M)
        });
        if !at_reception {
            self.fail(
                END,
                format!(
                    "{name}: does not end within {RECEPTION_LIMIT_M:.0} m of a reception for {}s",
                    gr.purpose.name()
                ),
            );
        }
        let named = first_corridor.map(|c| s.corridors[c].name.clone());
        if named.is_some() && named != gr.corridor {
            self.fail(
                CROSSING,
                format!(
                    "{name}: passes {:?}, not {:?} as the plan says",
                    named, gr.corridor
                ),
            );
        }
    }

    /// The group's first node: inside the enclave, within [`START_LIMIT_M`] of its
    /// neighbourhood's own place.
    fn start(&mut self, name: &str, gr: &PlannedGroup, g: &ProfileGraph, v: u32, places: &[Place]) {
        let at = g.node_coord[v as usize];
        match (gr.neighbourhood, &gr.assembly_point) {
            (Some(i), _) => {
                let Some(place) = places.get(i) else {
                    self.fail(START, format!("{name}: neighbourhood {i} does not exist"));
                    return;
                };
                let d = place.distance_m(at);
                if d > START_LIMIT_M + 1e-6 {
                    self.fail(START, format!(
                        "{name}: starts at node {} {d:.0} m from its neighbourhood {i} (limit {START_LIMIT_M:.0} m)",
                        gr.nodes[0]
                    ));
                }
                if gr.purpose == Purpose::Civilian {
                    self.civilian_starts.push((i, at, gr.people));
                }
            }
            (None, Some(a)) => {
                let point = self
                    .foot
                    .scenario
                    .assembly_points
                    .iter()
                    .find(|x| x.name == *a)
                    .map(|x| x.point);
                let Some(p) = point else {
                    self.fail(
                        START,
                        format!("{name}: assembly point '{a}' is not in the scenario"),
                    );
                    return;
                };
                let d = haversine_m(at, p);
                if d > START_LIMIT_M + 1e-6 {
                    self.fail(START, format!(
                        "{name}: starts at node {} {d:.0} m from its assembly point '{a}' (limit {START_LIMIT_M:.0} m)",
                        gr.nodes[0]
                    ));
                }
            }
            (None, None) => {
                self.fail(
                    START,
                    format!("{name}: neither a neighbourhood nor an assembly point"),
                );
                return;
            }
        }
        if !self.inside(g, v) {
            self.fail(
                START,
                format!(
                    "{name}: starts at node {}, outside the enclave",
                    gr.nodes[0]
                ),
            );
        }
    }

    /// Road and checkpoint loads against capacities; returns the busiest ratios.
    fn loads(&mut self) -> (f64, f64) {
        let s = self.foot.scenario;
        let bucket = s.evacuation.bucket_s;
        let mut busiest = (0.0f64, 0.0f64);
        let road: Vec<_> = self.road_load.iter().map(|(k, v)| (*k, *v)).collect();
        for ((mode, e, b), load) in road {
            let g = self.map(mode).graph;
            let cap =
                edge_capacity_per_hour(g, e, s.evacuation.people_per_vehicle) * bucket / 3600.0;
            busiest.0 = busiest.0.max(load / cap);
            if load > cap * (1.0 + 1e-9) + 1e-6 {
                self.fail(
                    ROAD_LOAD,
                    format!(
                        "{} (way {}, {}) carries {load:.1} people in bucket {b}, capacity {cap:.1}",
                        g.edge_name(e).unwrap_or("unnamed road"),
                        g.edges.way_id[e as usize],
                        mode.name()
                    ),
                );
            }
        }
        let cps: Vec<_> = self.checkpoint_load.iter().map(|(k, v)| (*k, *v)).collect();
        for ((c, b), load) in cps {
            let corridor = &s.corridors[c];
            let a = b as f64 * bucket;
            let cap = corridor.capacity_per_hour.unwrap_or(0.0)
                * open_seconds_between(s, c, a, a + bucket)
                / 3600.0;
            busiest.1 = busiest
                .1
                .max(if cap > 0.0 { load / cap } else { f64::INFINITY });
            if load > cap * (1.0 + 1e-9) + 1e-6 {
                self.fail(
                    CHECKPOINT_LOAD,
                    format!(
                        "checkpoint '{}' screens {load:.1} people in bucket {b}, capacity {cap:.1}",
                        corridor.name
                    ),
                );
            }
        }
        busiest
    }

    fn separation(&mut self) {
        let shared = self.segments[0].intersection(&self.segments[1]).count();
        if shared > 0 {
            let way = self.segments[0]
                .intersection(&self.segments[1])
                .next()
                .map_or(0, |x| x.0);
            self.fail(
                SEPARATION,
                format!(
                "civilians and combatants share {shared} stretch(es) of road, e.g. on way {way}"
            ),
            );
        }
    }

    fn conservation(&mut self, plan: &PlanToVerify, people: &[f64]) {
        let ev = self.foot.scenario.evacuation;
        if plan.neighbourhoods.len() != people.len() {
            self.fail(
                PEOPLE,
                format!(
                    "{} neighbourhoods in the plan, {} in the scenario's enclave",
                    plan.neighbourhoods.len(),
                    people.len()
                ),
            );
            return;
        }
        let mut moved = vec![0.0; people.len()];
        let mut by_vehicle = vec![0.0; people.len()];
        let mut combatants = 0.0;
        for g in &plan.groups {
            match g.purpose {
                Purpose::Civilian => {
                    if let Some(m) = g.neighbourhood.and_then(|i| moved.get_mut(i)) {
                        *m += g.people;
                    }
                    if g.mode != Profile::Foot {
                        if let Some(m) = g.neighbourhood.and_then(|i| by_vehicle.get_mut(i)) {
                            *m += g.people;
                        }
                    }
                }
                Purpose::Combatant => combatants += g.people,
            }
        }
        for (i, n) in plan.neighbourhoods.iter().enumerate() {
            let close = |a: f64, b: f64| (a - b).abs() <= PEOPLE_TOLERANCE;
            if !close(n.people, people[i]) {
                self.fail(
                    PEOPLE,
                    format!(
                        "{}: {} people in the plan, {:.0} in the scenario",
                        n.name, n.people, people[i]
                    ),
                );
            }
            if !close(n.leaving, moved[i]) {
                self.fail(
                    PEOPLE,
                    format!(
                        "{}: {} leaving, but its groups carry {:.1}",
                        n.name, n.leaving, moved[i]
                    ),
                );
            }
            if !close(n.leaving + n.staying, n.people) {
                self.fail(
                    PEOPLE,
                    format!(
                        "{}: leaving + staying = {} ≠ {} people",
                        n.name,
                        n.leaving + n.staying,
                        n.people
                    ),
                );
            }
            // Modes: walkers never drive (drivers may walk). The drivers are the scenario's
            // people who leave, times the share not on foot.
            let drivers = people[i] * (1.0 - ev.stay_share) * (1.0 - ev.foot_share);
            if by_vehicle[i] > drivers + PEOPLE_TOLERANCE {
                self.fail(
                    MODE,
                    format!(
                        "{}: {:.1} people in vehicles, more than its {drivers:.1} drivers (people × (1 − stay_share) × (1 − foot_share)): walkers never drive",
                        n.name, by_vehicle[i]
                    ),
                );
            }
            // Exactly the stay share and the stranded stay: more would be people the plan
            // leaves behind (a plan made with a higher `stay_share` passed here before).
            let should_stay = people[i] * ev.stay_share + n.stranded;
            if (n.staying - should_stay).abs() > PEOPLE_TOLERANCE {
                self.fail(
                    PEOPLE,
                    format!(
                        "{}: {} staying, not people × stay_share plus the stranded ({should_stay:.1})",
                        n.name, n.staying
                    ),
                );
            }
        }
        let total: f64 = people.iter().sum();
        if (plan.people - total).abs() > PEOPLE_TOLERANCE
            || (plan.leaving + plan.staying - plan.people).abs() > PEOPLE_TOLERANCE
        {
            self.fail(
                PEOPLE,
                format!(
                "totals: {} people, {} leaving, {} staying; the scenario's enclave has {total:.0}",
                plan.people, plan.leaving, plan.staying
            ),
            );
        }
        if (plan.combatants - ev.combatants).abs() > PEOPLE_TOLERANCE {
            self.fail(
                PEOPLE,
                format!(
                    "combatants: the plan moves {} of them, the scenario has {}",
                    plan.combatants, ev.combatants
                ),
            );
        }
        if (combatants + plan.combatants_stranded - plan.combatants).abs() > PEOPLE_TOLERANCE {
            self.fail(
                PEOPLE,
                format!(
                    "combatants: groups carry {combatants:.1} + {} stranded ≠ {}",
                    plan.combatants_stranded, plan.combatants
                ),
            );
        }
    }
}

impl Checker<'_> {
    /// An area's people live all over it: the documented grid of cells (`siege::area_cells`, the
    /// README's "Where people start": cells of at least 50 m, at most 64, a model input like
    /// the capacity table) kept where a foot road node inside the enclave lies within
    /// [`START_LIMIT_M`] (found here by the check's own scan of the graph; every cell where
    /// nobody walks, `foot_share = 0`, as the planner has no foot layer then), each cell an equal
    /// share of those who leave. Each civilian group must start within [`START_LIMIT_M`] of a
    /// cell whose share it can take: the groups' people fit the cells' shares (a maximum flow
    /// from start points to the cells within reach, [`fits`]). A plan that started a whole
    /// area at its best node passed before, while the bounds count each cell from its own
    /// nodes. Point neighbourhoods are checked by the start distance alone.
    fn cells(&mut self, places: &[Place], people: &[f64], plan: &PlanToVerify) {
        let ev = self.foot.scenario.evacuation;
        let g = self.foot.graph;
        let roads: Vec<[f64; 2]> = (0..g.node_count() as u32)
            .filter(|&v| self.inside(g, v))
            .map(|v| g.node_coord[v as usize])
            .collect();
        for (i, place) in places.iter().enumerate() {
            if place.area.is_none() {
                continue;
            }
            let starts: Vec<([f64; 2], f64)> = self
                .civilian_starts
                .iter()
                .filter(|x| x.0 == i)
                .map(|x| (x.1, x.2))
                .collect();
            if starts.is_empty() {
                continue;
            }
            let all = crate::siege::area_cells(place.point, place.area.as_ref());
            let near = |c: &[f64; 2]| roads.iter().any(|r| haversine_m(*r, *c) <= START_LIMIT_M);
            // Nobody walks: the plan has no foot layer to tell where people live, and every
            // cell counts (as the planner counts them; a review's plans with foot_share 0
            // failed here when cells without a foot road were left out).
            let lived: Vec<[f64; 2]> = if ev.foot_share > 0.0 {
                all.iter().copied().filter(near).collect()
            } else {
                Vec::new()
            };
            let cells = if lived.is_empty() { all } else { lived };
            let share = people[i] * (1.0 - ev.stay_share) / cells.len() as f64;
            let moved: f64 = starts.iter().map(|x| x.1).sum();
            let fitted = fits(&starts, &cells, share);
            if fitted < moved - PEOPLE_TOLERANCE {
                let name = plan.neighbourhoods.get(i).map_or("?", |n| n.name.as_str());
                self.fail(
                    CELLS,
                    format!(
                        "neighbourhood {i} ({name}): {moved:.1} people start from its nodes, but its {} cells take {share:.1} each and only {fitted:.1} fit those within {START_LIMIT_M:.0} m of where they start",
                        cells.len()
                    ),
                );
            }
        }
    }
}

/// How many of `starts` (point, people) fit `cells` of `share` people each, every person in a
/// cell within [`START_LIMIT_M`] of their start: a maximum flow (Edmonds–Karp on the dense
/// bipartite network; starts at one point merged first), the check's own.
fn fits(starts: &[([f64; 2], f64)], cells: &[[f64; 2]], share: f64) -> f64 {
    let mut points: Vec<([f64; 2], f64)> = Vec::new();
    for &(p, n) in starts {
        match points.iter_mut().find(|x| x.0 == p) {
            Some(x) => x.1 += n,
            None => points.push((p, n)),
        }
    }
    // Nodes: source 0, points 1..=P, cells P+1..=P+C, sink P+C+1.
    let (np, nc) = (points.len(), cells.len());
    let n = np + nc + 2;
    let sink = n - 1;
    let mut cap = vec![vec![0.0f64; n]; n];
    for (k, (p, people)) in points.iter().enumerate() {
        cap[0][1 + k] = *people;
        for (j, c) in cells.iter().enumerate() {
            if haversine_m(*p, *c) <= START_LIMIT_M + 1e-6 {
                cap[1 + k][1 + np + j] = f64::INFINITY;
            }
        }
    }
    for j in 0..nc {
        cap[1 + np + j][sink] = share;
    }
    let mut total = 0.0;
    loop {
        let mut prev = vec![usize::MAX; n];
        prev[0] = 0;
        let mut queue = std::collections::VecDeque::from([0usize]);
        while let Some(u) = queue.pop_front() {
            for v in 0..n {
                if prev[v] == usize::MAX && cap[u][v] > 1e-9 {
                    prev[v] = u;
                    queue.push_back(v);
                }
            }
        }
        if prev[sink] == usize::MAX {
            return total;
        }
        let mut push = f64::INFINITY;
        let mut v = sink;
        while v != 0 {
            push = push.min(cap[prev[v]][v]);
            v = prev[v];
        }
        let mut v = sink;
        while v != 0 {
            let u = prev[v];
            cap[u][v] -= push;
            cap[v][u] += push;
            v = u;
        }
        total += push;
    }
}

/// Checks `plan` against the scenario on both profile graphs.
pub fn verify(foot: &ScenarioMap, car: &ScenarioMap, plan: &PlanToVerify) -> Verification {
    let s = foot.scenario;
    let index = |g: &ProfileGraph| -> HashMap<i64, u32> {
        g.node_osm_id
            .iter()
            .enumerate()
            .map(|(i, &id)| (id, i as u32))
            .collect()
    };
    let ground = if s.enclaves.is_empty() {
        geo::MultiPolygon(vec![])
    } else {
        enclave_ground(s, 0)
    };
    let places = places(s, &ground);
    let people: Vec<f64> = enclave_units(s, &ground).iter().map(|u| u.1).collect();
    let mut c = Checker {
        foot,
        car,
        node_index: [index(foot.graph), index(car.graph)],
        ground,
        road_load: HashMap::new(),
        checkpoint_load: HashMap::new(),
        segments: [HashSet::new(), HashSet::new()],
        violations: Vec::new(),
        count: 0,
        problems: Vec::new(),
        civilian_starts: Vec::new(),
    };
    if s.enclaves.is_empty() {
        c.fail(MALFORMED, "the scenario declares no [[enclave]]".into());
    }
    for (i, g) in plan.groups.iter().enumerate() {
        c.group(i, g, &places);
    }
    let (busiest_road, busiest_checkpoint) = c.loads();
    c.separation();
    c.conservation(plan, &people);
    c.cells(&places, &people, plan);
    let latest = plan.groups.iter().map(|g| g.arrive_s).reduce(f64::max);
    match (latest, plan.egress_time_s) {
        (Some(l), Some(e)) if l > e + 1.0 => c.fail(
            EGRESS,
            format!("a group arrives at {l:.0} s, after the reported egress {e:.0} s"),
        ),
        (Some(_), None) => c.fail(
            EGRESS,
            "groups move but the plan reports no egress time".into(),
        ),
        (None, Some(e)) => c.fail(
            EGRESS,
            format!("no group moves but the plan reports egress {e:.0} s"),
        ),
        _ => {}
    }
    if let (Some(b), Some(e)) = (plan.lower_bound_s, plan.egress_time_s) {
        if b > e + 1.0 {
            c.fail(
                EGRESS,
                format!("the lower bound {b:.0} s exceeds the egress {e:.0} s"),
            );
        }
    }
    Verification {
        ok: c.count == 0,
        groups: plan.groups.len(),
        road_loads_checked: c.road_load.len(),
        checkpoint_loads_checked: c.checkpoint_load.len(),
        busiest_road,
        busiest_checkpoint,
        latest_arrival_s: latest,
        violations: c.violations,
        violation_count: c.count,
        problems: c.problems,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A way can join the same two nodes twice (a roundabout or a loop between two junctions):
    /// the plan names nodes and ways only, so the check must take the arc whose time fits the
    /// group's time to its next piece. On the bundled Andorra map, every such pair of arcs of
    /// differing times (found by a scan over every arc, the oracle) is read as the slower arc
    /// when the group took the slower arc's time, as the quicker when it took the quicker's,
    /// and as the quicker when the gap fits neither (then the arrival check reports it).
    #[test]
    fn a_way_that_joins_two_nodes_twice_is_read_as_the_arc_whose_time_fits() {
        let map =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/andorra.osm.pbf");
        let roads = corridor_roads::import::import_pbf(&map).expect("the bundled map");
        let mut pairs = 0;
        for profile in [Profile::Foot, Profile::Car] {
            let g = roads.profile(profile);
            let way = |a: u32| g.edges.way_id[g.arc_edge(a).0 as usize];
            let d = |a: u32| g.arc_duration_s[a as usize];
            for u in 0..g.graph.node_count() as u32 {
                let out: Vec<u32> = g.graph.out_arcs(u).collect();
                for (i, &a) in out.iter().enumerate() {
                    for &b in &out[i + 1..] {
                        let same = g.graph.arc_head(a) == g.graph.arc_head(b) && way(a) == way(b);
                        let twins = out
                            .iter()
                            .filter(|&&c| {
                                g.graph.arc_head(c) == g.graph.arc_head(a) && way(c) == way(a)
                            })
                            .count();
                        if !same || twins != 2 || (d(a) - d(b)).abs() < 1.0 {
                            continue;
                        }
                        pairs += 1;
                        let (quick, slow) = if d(a) < d(b) { (a, b) } else { (b, a) };
                        let v = g.graph.arc_head(a);
                        let read = |gap: f64| Checker::arc(g, u, v, way(a), gap);
                        assert_eq!(read(d(slow)), Some(slow), "{profile:?} {u}->{v}");
                        assert_eq!(read(d(slow) + 30.0), Some(slow), "waiting after it");
                        assert_eq!(read(d(quick)), Some(quick));
                        assert_eq!(read(d(quick) * 0.5), Some(quick), "fits neither");
                    }
                }
            }
        }
        assert!(
            pairs > 0,
            "no way joins two nodes twice on the map: the test checks nothing"
        );
    }
}
