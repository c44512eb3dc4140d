//! `corridor evacuate`: who leaves by which corridor, when, and how long it takes — a CCRP plan
//! under road and checkpoint capacities, its gap to a lower bound, and who stays.
//!
//! Capacity model (README, "Evacuation"):
//! - on foot: 1.3 people per second per metre of walkable width (the maximum specific flow of
//!   the SFPE Handbook's hydraulic model, ~4,700 people/h/m), 1.0 on steps; width from `width`,
//!   else by road class;
//! - by vehicle: 1,800 vehicles per hour per lane (urban saturation flow, HCM order of
//!   magnitude) × people per vehicle; lanes from `lanes`, else by class;
//! - checkpoints: `capacity_per_hour` people (screening), shared by the modes in proportion to
//!   their people, only within `hours`.

use crate::ccrp::{ccrp, CcrpPlan, FlowNetwork};
use crate::siege::enclave_ground;
use corridor_roads::geometry::haversine_m;
use corridor_roads::{Profile, ProfileGraph, RoadClass};
use corridor_routing::{OneToAll, Seed, INVALID};
use corridor_scenario::{parse_hours, Mode, Purpose, Scenario, ScenarioMap, Side};
use geo::{Contains, Point};
use serde::Serialize;

/// Pedestrian maximum specific flow, people per second per metre of width (SFPE Handbook).
pub const WALK_FLOW_PER_M_S: f64 = 1.3;
/// On stairs.
pub const STEPS_FLOW_PER_M_S: f64 = 1.0;
/// Vehicles per hour per lane.
pub const VEHICLES_PER_LANE_H: f64 = 1800.0;

/// Walkable width in metres: the `width` tag, else a class default.
fn walk_width_m(g: &ProfileGraph, e: u32) -> f64 {
    let w = g.edges.width_dm[e as usize];
    if w > 0 {
        return w as f64 / 10.0;
    }
    use RoadClass::*;
    match g.edge_class(e) {
        Footway | Path | Steps | Cycleway | Bridleway | Track => 2.0,
        Residential | LivingStreet | Service | Road => 5.0,
        Unclassified | Tertiary | TertiaryLink => 6.0,
        Secondary | SecondaryLink => 8.0,
        _ => 10.0,
    }
}

fn lanes_one_way(g: &ProfileGraph, e: u32) -> f64 {
    let tagged = g.edges.lanes[e as usize] as f64;
    let two_way = g.edge_fwd_arc[e as usize] != INVALID && g.edge_bwd_arc[e as usize] != INVALID;
    if tagged > 0.0 {
        return if two_way {
            (tagged / 2.0).max(1.0)
        } else {
            tagged
        };
    }
    use RoadClass::*;
    match g.edge_class(e) {
        Motorway | Trunk => 2.0,
        Primary | Secondary if !two_way => 2.0,
        _ => 1.0,
    }
}

/// People per hour an edge carries for a mode.
pub fn edge_capacity_per_hour(g: &ProfileGraph, e: u32, people_per_vehicle: f64) -> f64 {
    match g.profile {
        Profile::Foot => {
            let rate = if g.edge_class(e) == RoadClass::Steps {
                STEPS_FLOW_PER_M_S
            } else {
                WALK_FLOW_PER_M_S
            };
            rate * walk_width_m(g, e) * 3600.0
        }
        Profile::Car => lanes_one_way(g, e) * VEHICLES_PER_LANE_H * people_per_vehicle,
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CorridorReport {
    pub name: String,
    pub purpose: Purpose,
    pub people: f64,
    pub first_arrival_s: Option<f64>,
    pub last_arrival_s: Option<f64>,
    /// Most people waiting at the checkpoint at once.
    pub peak_queue: f64,
    /// People processed / (capacity × open time from first to last processing).
    pub checkpoint_utilisation: f64,
    /// Why it carries no one, if so.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unused_because: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DepartureWindow {
    pub from_s: f64,
    pub to_s: f64,
    pub people: f64,
    pub mode: Profile,
}

#[derive(Debug, Clone, Serialize)]
pub struct NeighbourhoodReport {
    pub name: String,
    pub people: f64,
    pub leaving: f64,
    pub staying: f64,
    /// The corridor most of its people use.
    pub corridor: Option<String>,
    /// Streets of the route most of its people take.
    pub route: Vec<String>,
    pub departure_windows: Vec<DepartureWindow>,
    /// Every corridor's route from here is above the exposure threshold, so exposed routes
    /// are used.
    pub only_exposed_routes: bool,
    /// People who could not be routed at all (no corridor reachable).
    pub stranded: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Bottleneck {
    /// Road name or checkpoint.
    pub name: String,
    pub kind: &'static str,
    pub osm_way_id: Option<i64>,
    pub mode: Profile,
    /// Time buckets in which it ran at capacity.
    pub saturated_buckets: usize,
    pub capacity_per_hour: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct HourRow {
    pub hour: u32,
    /// People still inside (not yet through a checkpoint), stayers included.
    pub inside: f64,
    pub by_neighbourhood: Vec<f64>,
}

/// A route's drawn load, for GeoJSON.
#[derive(Debug, Clone, Serialize)]
pub struct LoadedRoute {
    pub mode: Profile,
    pub corridor: String,
    pub people: f64,
    pub geometry: Vec<[f64; 2]>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EvacuationReport {
    pub enclave: String,
    pub people: f64,
    pub leaving: f64,
    pub staying: f64,
    pub egress_time_s: f64,
    pub lower_bound_s: f64,
    pub gap: f64,
    pub corridors: Vec<CorridorReport>,
    pub neighbourhoods: Vec<NeighbourhoodReport>,
    pub bottlenecks: Vec<Bottleneck>,
    pub remaining_by_hour: Vec<HourRow>,
    pub assumptions: Vec<String>,
    #[serde(skip)]
    pub routes: Vec<LoadedRoute>,
    /// For replay checks: each flow's network and plan.
    #[serde(skip)]
    pub plans: Vec<PlanDetail>,
}

/// One flow (civilians on foot, civilians by vehicle, combatants) as planned, with the network
/// it was planned on, so that the schedule can be replayed and checked.
#[derive(Debug, Clone)]
pub struct PlanDetail {
    pub profile: Profile,
    pub purpose: Purpose,
    pub plan: CcrpPlan,
    /// People per bucket, per resource.
    pub capacity: Vec<f64>,
    pub resource_of_arc: Vec<u32>,
    pub travel_s: Vec<f64>,
    /// Checkpoint resources and their corridors.
    pub checkpoints: Vec<(usize, u32)>,
    pub source_nodes: Vec<u32>,
    pub sinks: Vec<u32>,
    pub bucket_s: f64,
}

/// A problem with the evacuation inputs that loading could not see (it needs the map).
#[derive(Debug, Clone)]
pub struct EvacuationError(pub String);

impl std::fmt::Display for EvacuationError {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

struct Unit {
    index: usize,
    name: String,
    people: f64,
    point: [f64; 2],
}

/// One mode's plan, with what is needed to report it.
struct ModePlan<'a> {
    sm: &'a ScenarioMap<'a>,
    plan: CcrpPlan,
    capacity: Vec<f64>,
    resource_name: Vec<(String, &'static str, Option<i64>, f64)>,
    checkpoint_resource: Vec<(usize, u32)>,
    sources: Vec<(usize, f64)>, // unit index, people
    sink_corridor: Vec<(u32, usize)>,
    bound_s: f64,
    only_exposed: Vec<bool>,
    resource_of_arc: Vec<u32>,
    travel_s: Vec<f64>,
    purpose: Purpose,
    source_nodes: Vec<u32>,
}

fn nearest_node(g: &ProfileGraph, at: [f64; 2], usable: &[bool]) -> Option<u32> {
    (0..g.node_count() as u32)
        .filter(|&v| usable[v as usize])
        .min_by(|&a, &b| {
            haversine_m(g.node_coord[a as usize], at)
                .total_cmp(&haversine_m(g.node_coord[b as usize], at))
        })
}

#[allow(clippy::too_many_arguments)]
fn plan_mode<'a>(
    sm: &'a ScenarioMap<'a>,
    side: Side,
    corridor_ids: &[usize],
    units: &[Unit],
    src: Vec<(usize, f64)>,
    share: f64,
    forbidden_edges: &[u32],
    start_inside: Option<&geo::MultiPolygon<f64>>,
    enclave: &geo::MultiPolygon<f64>,
) -> ModePlan<'a> {
    let s = sm.scenario;
    let g = sm.graph;
    let ev = s.evacuation;
    let m = g.edge_count();
    let mut forbidden = vec![false; m];
    for &e in forbidden_edges {
        forbidden[e as usize] = true;
    }
    // Per arc: crossings have a direction (leaving hostile ground needs no checkpoint).
    let blocked: Vec<bool> = (0..g.arc_count() as u32)
        .map(|a| forbidden[g.arc_edge(a).0 as usize] || sm.arc_blocked(a, side).is_some())
        .collect();
    let travel_s: Vec<f64> = (0..g.arc_count())
        .map(|a| {
            if blocked[a] {
                f64::INFINITY
            } else {
                g.arc_duration_s[a]
            }
        })
        .collect();
    let usable: Vec<bool> = (0..g.node_count() as u32)
        .map(|v| {
            let c = g.node_coord[v as usize];
            g.graph
                .out_arcs(v)
                .any(|a| travel_s[a as usize].is_finite())
                && start_inside.is_none_or(|gr| gr.contains(&Point::new(c[0], c[1])))
        })
        .collect();
    // Resources: one per road edge, one per checkpoint (its opened crossing edges share it).
    let bucket = ev.bucket_s;
    let mut capacity: Vec<f64> = Vec::with_capacity(m + corridor_ids.len());
    let mut resource_name = Vec::with_capacity(m + corridor_ids.len());
    let mut open: Vec<Option<Vec<(f64, f64)>>> = Vec::new();
    for e in 0..m as u32 {
        let cap_h = edge_capacity_per_hour(g, e, ev.people_per_vehicle);
        capacity.push(cap_h * bucket / 3600.0);
        resource_name.push((
            g.edge_name(e).map_or_else(
                || format!("way {}", g.edges.way_id[e as usize]),
                str::to_string,
            ),
            "road",
            Some(g.edges.way_id[e as usize]),
            cap_h,
        ));
        open.push(None);
    }
    let mut edge_resource: Vec<u32> = (0..m as u32).collect();
    let mut checkpoint_resource = Vec::new();
    for &k in corridor_ids {
        let c = &s.corridors[k];
        let Some(cp) = sm.checkpoints.iter().find(|x| x.corridor == k) else {
            continue;
        };
        let r = capacity.len() as u32;
        let cap_h = c.capacity_per_hour.map_or(f64::INFINITY, |x| x * share);
        capacity.push(cap_h * bucket / 3600.0);
        resource_name.push((format!("checkpoint {}", c.name), "checkpoint", None, cap_h));
        open.push(windows(s, k));
        for &e in &cp.edges {
            // The crossing roads this checkpoint opens.
            if sm.blocked_with(e, side, false).is_some() && sm.blocked(e, side).is_none() {
                edge_resource[e as usize] = r;
            }
        }
        checkpoint_resource.push((k, r));
    }
    let resource_of_arc: Vec<u32> = (0..g.arc_count() as u32)
        .map(|a| edge_resource[g.arc_edge(a).0 as usize])
        .collect();
    // People cross the line once, outward: no checkpoint road may be taken back in.
    let inside = |v: u32| {
        let c = g.node_coord[v as usize];
        enclave.contains(&Point::new(c[0], c[1]))
    };
    let mut travel_s = travel_s;
    for a in 0..g.arc_count() as u32 {
        if checkpoint_resource
            .iter()
            .any(|x| x.1 == resource_of_arc[a as usize])
            && inside(g.graph.arc_head(a))
            && !inside(g.graph.arc_tail(a))
        {
            travel_s[a as usize] = f64::INFINITY;
        }
    }
    // Exits: each corridor's reception.
    let mut sink_corridor: Vec<(u32, usize)> = Vec::new();
    for &k in corridor_ids {
        if let Some(rp) = s.corridors[k].reception {
            let into: Vec<bool> = (0..g.node_count() as u32)
                .map(|v| {
                    g.graph
                        .in_arcs(v)
                        .any(|(_, a)| travel_s[a as usize].is_finite())
                })
                .collect();
            if let Some(v) = nearest_node(g, rp, &into) {
                sink_corridor.push((v, k));
            }
        }
    }
    let sinks: Vec<u32> = sink_corridor.iter().map(|x| x.0).collect();
    // Start each unit at the nearest road node from which some exit can be reached (a point
    // next to an isolated path would otherwise strand the whole unit).
    let mut to_exit = OneToAll::new(&g.graph);
    let sink_seeds: Vec<Seed> = sinks.iter().map(|&v| Seed { node: v, cost: 0.0 }).collect();
    to_exit.run(&g.graph, &travel_s, &sink_seeds, f64::INFINITY, true);
    let leads_out: Vec<bool> = (0..g.node_count() as u32)
        .map(|v| usable[v as usize] && to_exit.cost(v).is_finite())
        .collect();
    let sources: Vec<(u32, f64)> = src
        .iter()
        .map(|&(u, p)| {
            let v = nearest_node(g, units[u].point, &leads_out)
                .or_else(|| nearest_node(g, units[u].point, &usable))
                .unwrap_or(0);
            (v, p)
        })
        .collect();
    // Which corridors each source may use: those whose least exposed route stays below the
    // threshold; all reachable ones if none does.
    let safest = sm.weights_from_arcs(&blocked, Mode::Safest, 0.0);
    let mut search = OneToAll::new(&g.graph);
    let mut exposure_to: Vec<Vec<f64>> = Vec::new(); // per sink, per source
    for &(sink, _) in &sink_corridor {
        search.run(
            &g.graph,
            &safest,
            &[Seed {
                node: sink,
                cost: 0.0,
            }],
            f64::INFINITY,
            true,
        );
        exposure_to.push(
            sources
                .iter()
                .map(|&(v, _)| {
                    if search.cost(v).is_infinite() {
                        return f64::INFINITY;
                    }
                    let (mut x, mut ex) = (v, 0.0);
                    while search.parent_arc(x) != INVALID {
                        let a = search.parent_arc(x);
                        ex += sm.edge_exposure(g.arc_edge(a).0);
                        x = g.graph.arc_head(a);
                    }
                    ex
                })
                .collect(),
        );
    }
    let threshold = s.risk.exposure_threshold;
    let mut only_exposed = vec![false; sources.len()];
    let allowed: Vec<Vec<u32>> = (0..sources.len())
        .map(|i| {
            let calm: Vec<u32> = (0..sink_corridor.len())
                .filter(|&j| exposure_to[j][i] < threshold)
                .map(|j| sink_corridor[j].0)
                .collect();
            if calm.is_empty() {
                let any: Vec<u32> = (0..sink_corridor.len())
                    .filter(|&j| exposure_to[j][i].is_finite())
                    .map(|j| sink_corridor[j].0)
                    .collect();
                only_exposed[i] = !any.is_empty();
                any
            } else {
                calm
            }
        })
        .collect();
    let net = FlowNetwork {
        graph: &g.graph,
        travel_s: travel_s.clone(),
        resource: resource_of_arc.clone(),
        capacity: capacity.clone(),
        open,
        bucket_s: bucket,
        horizon_buckets: (40.0 * 86400.0 / bucket) as u32,
    };
    let plan = ccrp(&net, &sources, &sinks, Some(&allowed));

    // Lower bound (relaxation: road capacities ignored).
    let t_travel = sources
        .iter()
        .enumerate()
        .filter(|(i, x)| x.1 > 0.0 && plan.stranded[*i] < x.1)
        .map(|(_, x)| to_exit.cost(x.0))
        .filter(|c| c.is_finite())
        .fold(0.0, f64::max);
    // Travel to a checkpoint and on from it, without passing any checkpoint on the way: a
    // person crosses the line once.
    let no_crossing: Vec<f64> = (0..g.arc_count())
        .map(|a| {
            if checkpoint_resource
                .iter()
                .any(|x| x.1 == resource_of_arc[a])
            {
                f64::INFINITY
            } else {
                travel_s[a]
            }
        })
        .collect();
    // The checkpoint bound for a set of sources restricted to a set of exits: they must all
    // pass the checkpoints from which one of those exits can be reached.
    let cap_bound = |members: &[usize], exits: &[u32]| -> f64 {
        let people: f64 = members.iter().map(|&i| src[i].1 - plan.stranded[i]).sum();
        if people <= 1e-9 {
            return 0.0;
        }
        let mut from_src = OneToAll::new(&g.graph);
        let seeds: Vec<Seed> = members
            .iter()
            .filter(|&&i| src[i].1 > 0.0)
            .map(|&i| Seed {
                node: sources[i].0,
                cost: 0.0,
            })
            .collect();
        from_src.run(&g.graph, &no_crossing, &seeds, f64::INFINITY, false);
        let mut back = OneToAll::new(&g.graph);
        let exit_seeds: Vec<Seed> = exits.iter().map(|&v| Seed { node: v, cost: 0.0 }).collect();
        back.run(&g.graph, &no_crossing, &exit_seeds, f64::INFINITY, true);
        // Per checkpoint: rate (people/s), earliest reach t0, onward time t1, opening windows.
        type Lane = (f64, f64, f64, Option<Vec<(f64, f64)>>);
        let mut lanes: Vec<Lane> = Vec::new();
        for &(k, r) in &checkpoint_resource {
            // Across a checkpoint edge: reach its one end, cross, leave from the other.
            let (mut t0, mut t1, mut best) = (f64::INFINITY, f64::INFINITY, f64::INFINITY);
            for e in 0..m as u32 {
                if edge_resource[e as usize] == r {
                    let (a, b) = (g.edges.from[e as usize], g.edges.to[e as usize]);
                    let (fa, ba) = (g.edge_fwd_arc[e as usize], g.edge_bwd_arc[e as usize]);
                    // Only the directions one may travel (one-way streets, no way back in).
                    for (x, y, arc) in [(a, b, fa), (b, a, ba)] {
                        if arc == INVALID || !travel_s[arc as usize].is_finite() {
                            continue;
                        }
                        let (c0, c1) = (from_src.cost(x), back.cost(y));
                        if c0 + c1 < best {
                            best = c0 + c1;
                            t0 = c0;
                            t1 = c1;
                        }
                    }
                }
            }
            if t0.is_finite() && t1.is_finite() {
                lanes.push((capacity[r as usize] / bucket, t0, t1, windows(s, k)));
            }
        }
        if lanes.is_empty() {
            return 0.0;
        }
        let processed_by = |t: f64| -> f64 {
            lanes
                .iter()
                .map(|(rate, t0, t1, w)| {
                    let (a, z) = (*t0, t - t1);
                    if z <= a {
                        return 0.0;
                    }
                    let open = match w {
                        None => z - a,
                        Some(w) => w.iter().map(|&(x, y)| (y.min(z) - x.max(a)).max(0.0)).sum(),
                    };
                    if rate.is_infinite() {
                        f64::INFINITY
                    } else {
                        rate * open
                    }
                })
                .sum()
        };
        let (mut lo, mut hi) = (0.0, 60.0 * 86400.0);
        if processed_by(hi) < people {
            return hi;
        }
        for _ in 0..60 {
            let mid = (lo + hi) / 2.0;
            if processed_by(mid) >= people {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        hi
    };
    let all: Vec<usize> = (0..sources.len()).collect();
    let mut t_cap = cap_bound(&all, &sinks);
    // Sources that can reach only some checkpoints (closed or reserved roads cut them off) must
    // all pass those: for each source's set of reachable checkpoints R, everyone whose set lies
    // within R bounds the time too.
    let reach: Vec<Vec<u32>> = {
        let mut per_source = vec![Vec::new(); sources.len()];
        for &(_, r) in &checkpoint_resource {
            let tails: Vec<Seed> = (0..g.arc_count() as u32)
                .filter(|&a| resource_of_arc[a as usize] == r && travel_s[a as usize].is_finite())
                .map(|a| Seed {
                    node: g.graph.arc_tail(a),
                    cost: 0.0,
                })
                .collect();
            let mut q = OneToAll::new(&g.graph);
            q.run(&g.graph, &no_crossing, &tails, f64::INFINITY, true);
            for (i, x) in sources.iter().enumerate() {
                if q.cost(x.0).is_finite() {
                    per_source[i].push(r);
                }
            }
        }
        per_source
    };
    let mut sets: Vec<&Vec<u32>> = reach.iter().collect();
    sets.sort();
    sets.dedup();
    if sets.len() > 1 {
        for set in sets {
            let members: Vec<usize> = (0..sources.len())
                .filter(|&i| reach[i].iter().all(|r| set.contains(r)))
                .collect();
            t_cap = t_cap.max(cap_bound(&members, &sinks));
        }
    }
    // Sources that may use only some exits (the others' routes are under fire) bound too.
    let mut groups: Vec<(Vec<u32>, Vec<usize>)> = Vec::new();
    for (i, set) in allowed.iter().enumerate() {
        match groups.iter_mut().find(|g| &g.0 == set) {
            Some(gr) => gr.1.push(i),
            None => groups.push((set.clone(), vec![i])),
        }
    }
    if groups.len() > 1 {
        for (set, members) in &groups {
            t_cap = t_cap.max(cap_bound(members, set));
        }
    }
    ModePlan {
        sm,
        plan,
        capacity,
        resource_name,
        checkpoint_resource,
        sources: src,
        sink_corridor,
        bound_s: t_travel.max(t_cap),
        only_exposed,
        resource_of_arc,
        travel_s,
        purpose: side.purpose(),
        source_nodes: sources.iter().map(|x| x.0).collect(),
    }
}

/// Plans the evacuation of the first enclave.
pub fn evacuate(
    foot: &ScenarioMap,
    car: &ScenarioMap,
) -> Result<EvacuationReport, EvacuationError> {
    let s = foot.scenario;
    let err = |m: String| EvacuationError(format!("{}: {m}", s.file.display()));
    let enclave = s
        .enclaves
        .first()
        .ok_or_else(|| err("the scenario declares no [[enclave]] to evacuate".into()))?;
    let ground = enclave_ground(s, 0);
    let proj = corridor_roads::geometry::LocalProjection::for_bbox(
        geo::BoundingRect::bounding_rect(&ground)
            .map_or([0.0; 4], |r| [r.min().x, r.min().y, r.max().x, r.max().y]),
    );
    // Metres from a point to the enclave's boundary.
    let to_boundary = |p: [f64; 2]| -> f64 {
        let q = proj.project(p);
        ground
            .0
            .iter()
            .flat_map(|poly| std::iter::once(poly.exterior()).chain(poly.interiors()))
            .flat_map(|ring| ring.lines())
            .map(|l| {
                let (a, b) = (
                    proj.project([l.start.x, l.start.y]),
                    proj.project([l.end.x, l.end.y]),
                );
                let (c, _) = corridor_roads::geometry::closest_on_segment(q, a, b);
                (c[0] - q[0]).hypot(c[1] - q[1])
            })
            .fold(f64::INFINITY, f64::min)
    };
    for c in &s.corridors {
        if let Some(r) = c.reception {
            if ground.contains(&Point::new(r[0], r[1])) {
                return Err(err(format!(
                    "corridor '{}': its reception point lies inside the enclave",
                    c.name
                )));
            }
        }
        // A checkpoint sits on the front line: slightly inside is fine, deep inside is an error.
        if ground.contains(&Point::new(c.checkpoint[0], c.checkpoint[1]))
            && to_boundary(c.checkpoint) > s.risk.checkpoint_radius_m
        {
            return Err(err(format!(
                "corridor '{}': its checkpoint lies inside the enclave it is meant to lead out of",
                c.name
            )));
        }
        if c.reception.is_none() {
            return Err(err(format!(
                "corridor '{}': no reception point (evacuation needs one per corridor)",
                c.name
            )));
        }
    }
    let ev = s.evacuation;
    let pop = crate::siege::enclave_population(s, &ground);
    let units: Vec<Unit> = pop
        .iter()
        .enumerate()
        .map(|(i, (people, at))| Unit {
            index: i,
            name: s
                .population
                .iter()
                .filter(|u| {
                    u.area
                        .as_ref()
                        .is_some_and(|a| a.contains(&Point::new(at[0], at[1])))
                        || u.point == *at
                })
                .map(|u| u.name.clone())
                .next()
                .unwrap_or_else(|| format!("unit {i}")),
            people: *people,
            point: *at,
        })
        .collect();
    let people: f64 = units.iter().map(|u| u.people).sum::<f64>().round();
    if people <= 0.0 {
        return Err(err(
            "nobody lives inside the enclave: give a population layer with people".into(),
        ));
    }
    let party = enclave.party;
    let civ: Vec<usize> = (0..s.corridors.len())
        .filter(|&k| s.corridors[k].purpose == Purpose::Civilian)
        .collect();
    // Combatants first: few, on their own roads; they assemble at the enclave road node nearest
    // their corridor's checkpoint and walk out. Civilians then get every road they did not use.
    let comb: Vec<usize> = (0..s.corridors.len())
        .filter(|&k| s.corridors[k].purpose == Purpose::Combatant)
        .collect();
    let mut combatant_mode = None;
    let mut combatant_edges: Vec<u32> = Vec::new();
    if ev.combatants > 0.0 {
        let Some(&k0) = comb.first() else {
            return Err(err(format!(
                "[evacuation] combatants = {} but no corridor has purpose = \"combatant\"",
                ev.combatants
            )));
        };
        let assembly = Unit {
            index: 0,
            name: "combatants".into(),
            people: ev.combatants,
            point: s.corridors[k0].checkpoint,
        };
        let m = plan_mode(
            foot,
            Side::Party(party),
            &comb,
            std::slice::from_ref(&assembly),
            vec![(0, ev.combatants)],
            1.0,
            &[],
            Some(&ground),
            &ground,
        );
        combatant_edges = m
            .plan
            .reservations
            .iter()
            .flat_map(|r| r.arcs.iter().map(|&a| foot.graph.arc_edge(a).0))
            .collect();
        combatant_edges.sort_unstable();
        combatant_edges.dedup();
        combatant_mode = Some(m);
    }
    let mut modes = Vec::new();
    for (sm, share) in [(foot, ev.foot_share), (car, 1.0 - ev.foot_share)] {
        if share <= 0.0 {
            continue;
        }
        let src: Vec<(usize, f64)> = units
            .iter()
            .map(|u| (u.index, u.people * (1.0 - ev.stay_share) * share))
            .collect();
        let forbid: &[u32] = if sm.graph.profile == Profile::Foot {
            &combatant_edges
        } else {
            &[]
        };
        modes.push(plan_mode(
            sm,
            Side::CivilianOf(party),
            &civ,
            &units,
            src,
            share,
            forbid,
            Some(&ground),
            &ground,
        ));
    }
    let all_modes: Vec<&ModePlan> = modes.iter().chain(combatant_mode.iter()).collect();

    let egress = all_modes
        .iter()
        .map(|m| m.plan.egress_s())
        .fold(0.0, f64::max);
    let bound = all_modes.iter().map(|m| m.bound_s).fold(0.0, f64::max);

    // Per corridor.
    let mut corridors: Vec<CorridorReport> = s
        .corridors
        .iter()
        .map(|c| CorridorReport {
            name: c.name.clone(),
            purpose: c.purpose,
            people: 0.0,
            first_arrival_s: None,
            last_arrival_s: None,
            peak_queue: 0.0,
            checkpoint_utilisation: 0.0,
            unused_because: None,
        })
        .collect();
    let mut processed = vec![0.0; s.corridors.len()];
    let mut queue_events: Vec<Vec<(f64, f64)>> = vec![Vec::new(); s.corridors.len()];
    let mut proc_span: Vec<(f64, f64)> = vec![(f64::INFINITY, 0.0); s.corridors.len()];
    for m in &all_modes {
        let g = m.sm.graph;
        for r in &m.plan.reservations {
            let k = m.corridor_of(r);
            let Some(k) = k else { continue };
            let c = &mut corridors[k];
            c.people += r.people;
            c.first_arrival_s = Some(
                c.first_arrival_s
                    .map_or(r.arrive_s, |x: f64| x.min(r.arrive_s)),
            );
            c.last_arrival_s = Some(
                c.last_arrival_s
                    .map_or(r.last_arrive_s, |x: f64| x.max(r.last_arrive_s)),
            );
            // Waiting at the checkpoint: from reaching its arc's tail to entering it.
            for (i, &a) in r.arcs.iter().enumerate() {
                let res = m.plan_resource(a);
                if m.checkpoint_resource.iter().any(|x| x.1 == res && x.0 == k) {
                    let reach = if i == 0 {
                        r.depart_s
                    } else {
                        r.enter_s[i - 1] + m.travel(g, r.arcs[i - 1])
                    };
                    queue_events[k].push((reach, r.people));
                    queue_events[k].push((r.enter_s[i], -r.people));
                    processed[k] += r.people;
                    proc_span[k].0 = proc_span[k].0.min(r.enter_s[i]);
                    proc_span[k].1 = proc_span[k].1.max(r.enter_s[i] + s.evacuation.bucket_s);
                    break;
                }
            }
        }
    }
    for (k, c) in corridors.iter_mut().enumerate() {
        let mut ev_k = std::mem::take(&mut queue_events[k]);
        ev_k.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        let mut q: f64 = 0.0;
        for (_, d) in ev_k {
            q += d;
            c.peak_queue = c.peak_queue.max(q);
        }
        c.peak_queue = c.peak_queue.round();
        let cap = s.corridors[k].capacity_per_hour.unwrap_or(f64::INFINITY);
        let (a, z) = proc_span[k];
        if z > a && cap.is_finite() {
            let open = open_seconds(s, k, a, z);
            c.checkpoint_utilisation = (processed[k] / (cap * open / 3600.0)).min(1.0);
        }
        if c.people <= 0.0 {
            c.unused_because = Some(
                if all_modes
                    .iter()
                    .any(|m| m.sink_corridor.iter().any(|x| x.1 == k))
                {
                    "no one's route reaches it as early as another corridor, or its roads are needed by the other flow".into()
                } else {
                    "its checkpoint or reception cannot be reached (closed roads, or no route for its purpose)".into()
                },
            );
        }
        c.people = c.people.round();
    }

    // Per neighbourhood.
    let mut neighbourhoods = Vec::new();
    for u in &units {
        let mut departures: Vec<(Profile, u64, f64)> = Vec::new(); // mode, bucket, people
        let mut by_corridor = vec![0.0; s.corridors.len()];
        let mut best_route: (f64, Vec<String>) = (0.0, Vec::new());
        let mut stranded = 0.0;
        let mut only_exposed = false;
        for m in &modes {
            let si = m.sources.iter().position(|x| x.0 == u.index);
            let Some(si) = si else { continue };
            stranded += m.plan.stranded[si];
            only_exposed |= m.only_exposed[si];
            for r in m.plan.reservations.iter().filter(|r| r.source == si) {
                if let Some(k) = m.corridor_of(r) {
                    by_corridor[k] += r.people;
                }
                let bucket = (r.depart_s / s.evacuation.bucket_s).floor() as u64;
                departures.push((m.sm.graph.profile, bucket, r.people));
                if r.people > best_route.0 {
                    best_route = (r.people, m.sm.graph.arcs_streets(&r.arcs));
                }
            }
        }
        // Consecutive departure buckets of one mode merge into one window.
        departures.sort_by_key(|a| (a.0 as u8, a.1));
        let b = s.evacuation.bucket_s;
        let mut windows: Vec<DepartureWindow> = Vec::new();
        for (mode, bucket, p) in departures {
            let (from, to) = (bucket as f64 * b, (bucket + 1) as f64 * b);
            match windows.last_mut() {
                Some(w) if w.mode == mode && w.to_s >= from - 1e-6 => {
                    w.to_s = w.to_s.max(to);
                    w.people += p;
                }
                _ => windows.push(DepartureWindow {
                    from_s: from,
                    to_s: to,
                    people: p,
                    mode,
                }),
            }
        }
        for w in &mut windows {
            w.people = w.people.round();
        }
        let k = (0..by_corridor.len())
            .filter(|&k| by_corridor[k] > 0.0)
            .max_by(|&a, &b| by_corridor[a].total_cmp(&by_corridor[b]));
        neighbourhoods.push(NeighbourhoodReport {
            name: u.name.clone(),
            people: u.people.round(),
            leaving: (u.people * (1.0 - ev.stay_share) - stranded).round(),
            staying: (u.people * ev.stay_share + stranded).round(),
            corridor: k.map(|k| s.corridors[k].name.clone()),
            route: best_route.1,
            departure_windows: windows,
            only_exposed_routes: only_exposed,
            stranded: stranded.round(),
        });
    }

    // Bottlenecks: resources at capacity in some bucket.
    let mut bottlenecks = Vec::new();
    for m in &all_modes {
        for (r, used) in m.plan.used.iter().enumerate() {
            let sat = used
                .iter()
                .filter(|&&x| x >= m.capacity[r] * (1.0 - 1e-6) && x > 0.0)
                .count();
            if sat > 0 {
                let (name, kind, way, cap_h) = m.resource_name[r].clone();
                bottlenecks.push(Bottleneck {
                    name,
                    kind,
                    osm_way_id: way,
                    mode: m.sm.graph.profile,
                    saturated_buckets: sat,
                    capacity_per_hour: cap_h.round(),
                });
            }
        }
    }
    bottlenecks.sort_by_key(|b| std::cmp::Reverse(b.saturated_buckets));
    bottlenecks.truncate(12);

    // People still inside, hour by hour: until they pass their checkpoint.
    let hours = (egress / 3600.0).ceil() as u32 + 1;
    let mut remaining_by_hour = Vec::new();
    let staying_total: Vec<f64> = units.iter().map(|u| u.people * ev.stay_share).collect();
    for h in 0..=hours {
        let t = h as f64 * 3600.0;
        let mut by = units.iter().map(|u| u.people).collect::<Vec<f64>>();
        for m in &all_modes {
            for r in &m.plan.reservations {
                let out_at = m.exit_time(r);
                if out_at <= t {
                    let unit = m.sources[r.source].0;
                    by[unit] -= r.people;
                }
            }
        }
        for (i, b) in by.iter_mut().enumerate() {
            *b = b.max(staying_total[i]).round();
        }
        remaining_by_hour.push(HourRow {
            hour: h,
            inside: by.iter().sum(),
            by_neighbourhood: by,
        });
    }

    let mut routes = Vec::new();
    for m in &all_modes {
        // Aggregate people per path for drawing.
        let mut agg: Vec<(Vec<u32>, f64, usize)> = Vec::new();
        for r in &m.plan.reservations {
            let k = m.corridor_of(r).unwrap_or(0);
            match agg.iter_mut().find(|x| x.0 == r.arcs) {
                Some(x) => x.1 += r.people,
                None => agg.push((r.arcs.clone(), r.people, k)),
            }
        }
        for (arcs, p, k) in agg {
            routes.push(LoadedRoute {
                mode: m.sm.graph.profile,
                corridor: s.corridors[k].name.clone(),
                people: p.round(),
                geometry: m.sm.graph.arcs_geometry(&arcs),
            });
        }
    }
    let staying = (people * ev.stay_share
        + all_modes
            .iter()
            .map(|m| m.plan.stranded.iter().sum::<f64>())
            .sum::<f64>())
    .round();
    let assumptions = vec![
        format!("{:.0} % of the people stay (the wounded, the elderly, those who refuse): [evacuation] stay_share", ev.stay_share * 100.0),
        format!("{:.0} % of those leaving walk, the rest drive with {} people per vehicle", ev.foot_share * 100.0, ev.people_per_vehicle),
        format!("walking capacity {WALK_FLOW_PER_M_S} people/s per metre of width ({STEPS_FLOW_PER_M_S} on steps), widths from OSM or by road class; vehicles {VEHICLES_PER_LANE_H} per lane per hour"),
        "checkpoint capacity is shared by walkers and vehicles in proportion to their numbers, and applies only in the corridor's opening hours".into(),
        format!("the evacuation starts at {:02}:{:02} on {}; capacity is counted in {:.0}-minute buckets", (ev.start_s / 3600.0) as u32, ((ev.start_s % 3600.0) / 60.0) as u32, s.as_of, ev.bucket_s / 60.0),
        format!("routes above the exposure threshold ({}) are used only where no other exists (see neighbourhoods[].only_exposed_routes)", s.risk.exposure_threshold),
        "civilians and combatants never share a road segment; combatants walk, assembled in proportion to the population, planned after civilians".into(),
        "lower bound: the larger of the longest free-flow walk or drive to a reception, and the time the checkpoints need at full rate within their opening hours (road capacities relaxed)".into(),
        "nobody is reported as gone until they pass a checkpoint; the plan never reports an area as emptied".into(),
    ];
    Ok(EvacuationReport {
        enclave: enclave.name.clone(),
        people,
        leaving: (people - staying).round(),
        staying,
        egress_time_s: egress.round(),
        lower_bound_s: bound.round(),
        gap: if bound > 0.0 {
            egress / bound - 1.0
        } else {
            0.0
        },
        corridors,
        neighbourhoods,
        bottlenecks,
        remaining_by_hour,
        assumptions,
        routes,
        plans: all_modes
            .iter()
            .map(|m| PlanDetail {
                profile: m.sm.graph.profile,
                purpose: m.purpose,
                plan: m.plan.clone(),
                capacity: m.capacity.clone(),
                resource_of_arc: m.resource_of_arc.clone(),
                travel_s: m.travel_s.clone(),
                checkpoints: m.checkpoint_resource.clone(),
                source_nodes: m.source_nodes.clone(),
                sinks: m.sink_corridor.iter().map(|x| x.0).collect(),
                bucket_s: ev.bucket_s,
            })
            .collect(),
    })
}

/// The corridor's opening windows as seconds from the evacuation start, for ~30 days.
fn windows(s: &Scenario, k: usize) -> Option<Vec<(f64, f64)>> {
    let h = s.corridors[k].hours.as_ref()?;
    let (open, close) = parse_hours(h).expect("validated at load");
    let start = s.evacuation.start_s;
    let mut w = Vec::new();
    for day in 0..31 {
        let d = day as f64 * 86400.0;
        let (a, mut z) = (d + open, d + close);
        if z <= a {
            z += 86400.0;
        }
        w.push((a - start, z - start));
    }
    Some(w)
}

fn open_seconds(s: &Scenario, k: usize, a: f64, z: f64) -> f64 {
    match windows(s, k) {
        None => z - a,
        Some(w) => w.iter().map(|&(x, y)| (y.min(z) - x.max(a)).max(0.0)).sum(),
    }
}

impl ModePlan<'_> {
    fn plan_resource(&self, a: u32) -> u32 {
        self.resource_of_arc[a as usize]
    }
    fn travel(&self, _g: &ProfileGraph, a: u32) -> f64 {
        self.travel_s[a as usize]
    }
    /// The corridor a group uses: the checkpoint it passes (several corridors may share a
    /// reception), else the one whose reception it reaches.
    fn corridor_of(&self, r: &crate::ccrp::Reservation) -> Option<usize> {
        r.arcs
            .iter()
            .find_map(|&a| {
                let res = self.resource_of_arc[a as usize];
                self.checkpoint_resource
                    .iter()
                    .find(|x| x.1 == res)
                    .map(|x| x.0)
            })
            .or_else(|| {
                self.sink_corridor
                    .iter()
                    .find(|x| x.0 == r.sink)
                    .map(|x| x.1)
            })
    }

    /// When a group leaves the enclave: entering its checkpoint (or reaching the exit).
    fn exit_time(&self, r: &crate::ccrp::Reservation) -> f64 {
        for (i, &a) in r.arcs.iter().enumerate() {
            let res = self.resource_of_arc[a as usize];
            if self.checkpoint_resource.iter().any(|x| x.1 == res) {
                return r.enter_s[i];
            }
        }
        r.arrive_s
    }
}

/// A proposed checkpoint and why.
#[derive(Debug, Clone, Serialize)]
pub struct Suggestion {
    pub road: String,
    pub osm_way_id: i64,
    /// `[lon, lat]` on the front-line crossing.
    pub checkpoint: [f64; 2],
    /// People for whom it would be the nearest corridor (with the others chosen before it).
    pub serves_people: f64,
    pub mean_walk_min: f64,
    pub mean_exposure: f64,
    /// Distance to the nearest declared or already suggested checkpoint, metres.
    pub nearest_other_corridor_m: Option<f64>,
    pub why: String,
}

/// Proposes `k` checkpoints among the road crossings of the enclave's front line, greedily
/// minimising the population-weighted generalised cost (walking time + λ · exposure) of the way
/// to the nearest corridor, keeping each at least `min_separation_m` from every other corridor
/// (declared or suggested) so that they do not share roads and queues.
pub fn suggest_corridors(
    foot: &ScenarioMap,
    k: usize,
    min_separation_m: f64,
) -> Result<Vec<Suggestion>, EvacuationError> {
    let s = foot.scenario;
    let g = foot.graph;
    let err = |m: String| EvacuationError(format!("{}: {m}", s.file.display()));
    let enclave = s
        .enclaves
        .first()
        .ok_or_else(|| err("the scenario declares no [[enclave]]".into()))?;
    let side = Side::CivilianOf(enclave.party);
    let ground = enclave_ground(s, 0);
    let inside = |v: u32| {
        let c = g.node_coord[v as usize];
        ground.contains(&Point::new(c[0], c[1]))
    };
    let blocked: Vec<bool> = (0..g.edge_count() as u32)
        .map(|e| foot.blocked_with(e, side, false).is_some())
        .collect();
    let lambda = s.risk.lambda;
    let w = foot.weights_from(&blocked, Mode::Balanced, lambda);
    let pop = crate::siege::enclave_population(s, &ground);
    let usable: Vec<bool> = (0..g.node_count() as u32)
        .map(|v| inside(v) && g.graph.out_arcs(v).any(|a| w[a as usize].is_finite()))
        .collect();
    let units: Vec<(f64, u32)> = pop
        .iter()
        .filter_map(|(p, at)| nearest_node(g, *at, &usable).map(|v| (*p, v)))
        .collect();
    let total: f64 = units.iter().map(|u| u.0).sum();
    if total <= 0.0 {
        return Err(err(
            "nobody lives inside the enclave: give a population layer".into(),
        ));
    }
    // Candidates: front-line crossings by road (not closed), one per road name.
    struct Cand {
        edge: u32,
        inner: u32,
        at: [f64; 2],
        cost: Vec<f64>,
        exposure: Vec<f64>,
        beyond: usize,
    }
    let mut cands: Vec<Cand> = Vec::new();
    let mut search = OneToAll::new(&g.graph);
    for e in 0..g.edge_count() as u32 {
        if foot.closure_of(e).is_some()
            || foot.blocked_with(e, side, false)
                != Some("crosses a front line away from a declared crossing")
        {
            continue;
        }
        let (a, b) = (g.edges.from[e as usize], g.edges.to[e as usize]);
        let (inner, outer) = match (inside(a), inside(b)) {
            (true, false) => (a, b),
            (false, true) => (b, a),
            _ => continue,
        };
        let name = g.edge_name(e).map(str::to_string);
        if name.is_some()
            && cands
                .iter()
                .any(|c| g.edge_name(c.edge).map(str::to_string) == name)
        {
            continue;
        }
        // It must lead somewhere beyond the line.
        search.run(
            &g.graph,
            &w,
            &[Seed {
                node: outer,
                cost: 0.0,
            }],
            f64::INFINITY,
            false,
        );
        let beyond = (0..g.node_count() as u32)
            .filter(|&v| !inside(v) && search.cost(v).is_finite())
            .count();
        if beyond < 20 {
            continue;
        }
        search.run(
            &g.graph,
            &w,
            &[Seed {
                node: inner,
                cost: 0.0,
            }],
            f64::INFINITY,
            true,
        );
        let cost: Vec<f64> = units.iter().map(|u| search.cost(u.1)).collect();
        let exposure: Vec<f64> = units
            .iter()
            .map(|u| {
                let (mut x, mut ex) = (u.1, 0.0);
                if search.cost(x).is_infinite() {
                    return f64::INFINITY;
                }
                while search.parent_arc(x) != INVALID {
                    let a = search.parent_arc(x);
                    ex += foot.edge_exposure(g.arc_edge(a).0);
                    x = g.graph.arc_head(a);
                }
                ex
            })
            .collect();
        // The checkpoint goes where the road crosses the enclave's edge.
        let shape = g.edge_shape(e);
        let within = |p: &[f64; 2]| ground.contains(&Point::new(p[0], p[1]));
        let at = shape
            .windows(2)
            .find(|w| within(&w[0]) != within(&w[1]))
            .map_or(shape[shape.len() / 2], |w| {
                [(w[0][0] + w[1][0]) / 2.0, (w[0][1] + w[1][1]) / 2.0]
            });
        cands.push(Cand {
            edge: e,
            inner,
            at,
            cost,
            exposure,
            beyond,
        });
    }
    let mut others: Vec<[f64; 2]> = foot.checkpoints.iter().map(|c| c.point).collect();
    let mut chosen: Vec<usize> = Vec::new();
    let mut best_cost: Vec<f64> = vec![f64::INFINITY; units.len()];
    let mut out = Vec::new();
    for _ in 0..k {
        let objective = |c: &Cand| -> f64 {
            units
                .iter()
                .enumerate()
                .map(|(i, u)| {
                    let x = best_cost[i].min(c.cost[i]);
                    if x.is_finite() {
                        u.0 * x
                    } else {
                        u.0 * 1e9
                    }
                })
                .sum()
        };
        let pick = (0..cands.len())
            .filter(|i| !chosen.contains(i))
            .filter(|&i| {
                others
                    .iter()
                    .all(|o| haversine_m(*o, cands[i].at) >= min_separation_m)
            })
            .min_by(|&a, &b| objective(&cands[a]).total_cmp(&objective(&cands[b])));
        let Some(i) = pick else { break };
        let c = &cands[i];
        let mut serves = 0.0;
        let (mut walk, mut expo) = (0.0, 0.0);
        for (j, u) in units.iter().enumerate() {
            if c.cost[j] < best_cost[j] {
                serves += u.0;
                walk += u.0 * c.cost[j];
                expo += u.0 * c.exposure[j];
            }
        }
        let nearest = others
            .iter()
            .map(|o| haversine_m(*o, c.at))
            .fold(None, |m: Option<f64>, d| Some(m.map_or(d, |m| m.min(d))));
        let road = g.edge_name(c.edge).map_or_else(
            || format!("way {}", g.edges.way_id[c.edge as usize]),
            str::to_string,
        );
        let (mean_walk_min, mean_exposure) = if serves > 0.0 {
            // The cost is time + λ·exposure: take the exposure part out for the walk.
            ((walk - lambda * expo) / serves / 60.0, expo / serves)
        } else {
            (0.0, 0.0)
        };
        out.push(Suggestion {
            road: road.clone(),
            osm_way_id: g.edges.way_id[c.edge as usize],
            checkpoint: c.at,
            serves_people: serves.round(),
            mean_walk_min: (mean_walk_min * 10.0).round() / 10.0,
            mean_exposure: (mean_exposure * 10.0).round() / 10.0,
            nearest_other_corridor_m: nearest.map(|d| d.round()),
            why: format!(
                "a crossing of the front line on {road}: nearest corridor for {:.0} people ({:.0} % of the enclave), {:.1} min mean walk to it with mean exposure {:.1}; {} road nodes reachable beyond the line; {}",
                serves,
                serves / total * 100.0,
                mean_walk_min,
                mean_exposure,
                c.beyond,
                nearest.map_or_else(|| "no other corridor yet".into(), |d| format!("{d:.0} m from the nearest other corridor"))
            ),
        });
        let _ = c.inner;
        for (j, best) in best_cost.iter_mut().enumerate() {
            *best = best.min(c.cost[j]);
        }
        others.push(c.at);
        chosen.push(i);
    }
    Ok(out)
}
