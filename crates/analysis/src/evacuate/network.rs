//! The network one flow of people is planned on: the walking and the driving graph side by side
//! as layers of one graph (a person keeps their mode), a capacity resource per road edge and
//! one per checkpoint — shared by every crossing road it opens, in both layers, so walkers and
//! drivers draw on one screening pool within its opening hours. A crossing road draws on both
//! its checkpoint and its own road capacity (`second_resource`).

use super::capacity::edge_capacity_per_hour;
use super::start::{spread, Candidate};
use super::EvacuationError;
use crate::ccrp::FlowNetwork;
use crate::evacuate::bound::BoundNetwork;
use corridor_roads::geometry::haversine_m;
use corridor_roads::Profile;
use corridor_routing::{Graph, OneToAll, Seed, INVALID};
use corridor_scenario::{parse_hours, Mode, Purpose, Scenario, ScenarioMap, Side};
use geo::{Contains, MultiPolygon, Point};
use std::collections::HashSet;

pub use super::start::MAX_START_M;
/// Reception points must lie this close to a road the flow can reach (metres).
pub const MAX_RECEPTION_M: f64 = 500.0;
/// Days of opening windows planned for (and the planner's horizon).
pub const HORIZON_DAYS: u32 = 60;

/// A corridor's opening windows as seconds from the evacuation start, for the horizon. From
/// the day before the start's: overnight hours (`23:00-06:00`) opened the evening before are
/// still open when the evacuation starts at 02:00 (as `verify` counts them; without that day
/// the planner and every bound took the checkpoint for closed until 23:00).
pub fn windows(s: &Scenario, k: usize) -> Option<Vec<(f64, f64)>> {
    let h = s.corridors[k].hours.as_ref()?;
    let (open, close) = parse_hours(h).ok()?;
    let start = s.evacuation.start_s;
    let mut w = Vec::new();
    for day in -1..=HORIZON_DAYS as i64 {
        let d = day as f64 * 86400.0;
        let (a, mut z) = (d + open, d + close);
        if z <= a {
            z += 86400.0;
        }
        if z > start {
            w.push((a - start, z - start));
        }
    }
    Some(w)
}

/// The corridor whose checkpoint a traveller of `side` passes on arc `a`: the first declared
/// one of the side's purpose standing on the arc's edge, if the arc is closed without the
/// declared crossings and open with them. Crossings have a direction: only entering hostile
/// ground needs a checkpoint, so the other arc of a crossing road (leaving hostile ground) is an
/// ordinary road with the road's capacity.
pub fn crossing_corridor(sm: &ScenarioMap, a: u32, side: Side) -> Option<usize> {
    let opened = sm.arc_blocked_with(a, side, false).is_some() && sm.arc_blocked(a, side).is_none();
    if !opened {
        return None;
    }
    let (e, _) = sm.graph.arc_edge(a);
    sm.usable_checkpoints(side)
        .filter(|c| c.edges.binary_search(&e).is_ok())
        .map(|c| c.corridor)
        .min()
}

/// A piece of road: the OSM way and the two shape points it runs between (1e-7°), the same
/// whichever profile's edge contains it — so a walker's and a driver's edge on one stretch of
/// one way share it.
pub type Segment = (i64, [i64; 4]);

/// The road pieces of an edge.
pub fn segments(g: &corridor_roads::ProfileGraph, e: u32) -> Vec<Segment> {
    let way = g.edges.way_id[e as usize];
    let q = |p: [f64; 2]| [(p[0] * 1e7).round() as i64, (p[1] * 1e7).round() as i64];
    g.edge_shape(e)
        .windows(2)
        .map(|w| {
            let (a, b) = (q(w[0]), q(w[1]));
            let (a, b) = if a <= b { (a, b) } else { (b, a) };
            (way, [a[0], a[1], b[0], b[1]])
        })
        .collect()
}

/// A road's name for reports: its OSM name, else "way <OSM id>".
pub fn road_name(g: &corridor_roads::ProfileGraph, e: u32) -> String {
    g.edge_name(e).map_or_else(
        || format!("way {}", g.edges.way_id[e as usize]),
        str::to_string,
    )
}

/// What a capacity resource is, for reports.
#[derive(Debug, Clone)]
pub struct ResourceInfo {
    pub name: String,
    pub kind: &'static str,
    pub osm_way_id: Option<i64>,
    /// `None` for a checkpoint (both modes).
    pub mode: Option<Profile>,
    pub capacity_per_hour: f64,
}

/// One flow's network.
#[derive(Clone)]
pub struct Network<'a> {
    pub side: Side,
    pub layers: Vec<&'a ScenarioMap<'a>>,
    node0: Vec<u32>,
    pub graph: Graph,
    /// Per joint arc: its layer and its arc in that layer's graph.
    pub arc_of: Vec<(usize, u32)>,
    /// Travel times with every rule of the plan (separation included).
    pub travel_s: Vec<f64>,
    /// Travel times from the scenario alone (for the lower bound).
    pub bound_travel_s: Vec<f64>,
    pub resource: Vec<u32>,
    /// Per joint arc: the road resource of a crossing arc, whose `resource` is its checkpoint
    /// (`INVALID` elsewhere): a road that carries a checkpoint keeps its own capacity too.
    pub second_resource: Vec<u32>,
    pub capacity: Vec<f64>,
    pub open: Vec<Option<Vec<(f64, f64)>>>,
    pub resources: Vec<ResourceInfo>,
    /// (corridor, resource) per checkpoint.
    pub checkpoints: Vec<(usize, u32)>,
    /// Per joint arc: index into `checkpoints`, or `INVALID`.
    pub checkpoint_of_arc: Vec<u32>,
    /// (node, corridor) per reception, per layer.
    pub sinks: Vec<(u32, usize)>,
    /// The sink nodes, sorted, once each.
    sink_list: Vec<u32>,
    pub bucket_s: f64,
    enclave: &'a MultiPolygon<f64>,
    /// The exposure rule's decisions on the bound's roads ([`ExposureRules`]), made once per
    /// bound network (cleared when its roads change) and shared by every copy of it.
    rules: std::sync::OnceLock<std::sync::Arc<ExposureRules>>,
}

/// The exposure rule decided once, on the roads every combatant routing leaves to the
/// civilians (the bound's roads, `bound_travel_s`): per node, the corridors whose reception
/// it may use — those whose least exposed route from it lies below the threshold, or every
/// reachable one if none does. The civilians' plan under every routing uses these decisions
/// (a start node may only use its allowed receptions, on whatever roads the routing leaves),
/// so closing roads can only take options away: a routing that closes a cell's calm ways
/// strands its people instead of opening the exposed receptions to them.
#[derive(Debug)]
pub struct ExposureRules {
    /// Per joint node: index into `sets`.
    set_of: Vec<u32>,
    /// Distinct decisions: the allowed corridors (sorted) and whether only routes above the
    /// threshold reach them. Set 0 is the empty one (nothing reachable).
    sets: Vec<(Vec<usize>, bool)>,
}

impl ExposureRules {
    /// The corridors node `v` may use, and whether only exposed routes reach them.
    pub fn of(&self, v: u32) -> &(Vec<usize>, bool) {
        &self.sets[self.set_of[v as usize] as usize]
    }
}

impl<'a> Network<'a> {
    /// Lays `side`'s flow over `layers` through `corridor_ids`, with roads carrying any
    /// `forbidden` segment closed to it (another flow uses them).
    pub fn build(
        layers: &[&'a ScenarioMap<'a>],
        side: Side,
        corridor_ids: &[usize],
        forbidden: &HashSet<Segment>,
        enclave: &'a MultiPolygon<f64>,
    ) -> Result<Network<'a>, EvacuationError> {
        let s = layers[0].scenario;
        let bucket_s = s.evacuation.bucket_s;
        let mut node0 = Vec::new();
        let mut pairs: Vec<(u32, u32)> = Vec::new();
        let mut origin: Vec<(usize, u32)> = Vec::new();
        let mut n = 0u32;
        for (l, sm) in layers.iter().enumerate() {
            node0.push(n);
            let g = &sm.graph.graph;
            for a in 0..g.arc_count() as u32 {
                pairs.push((g.arc_tail(a) + n, g.arc_head(a) + n));
                origin.push((l, a));
            }
            n += g.node_count() as u32;
        }
        let (graph, ids) = Graph::from_arcs(n as usize, &pairs);
        let mut arc_of = vec![(0, 0); pairs.len()];
        for (i, &id) in ids.iter().enumerate() {
            arc_of[id as usize] = origin[i];
        }
        let mut net = Network {
            side,
            layers: layers.to_vec(),
            node0,
            graph,
            arc_of,
            travel_s: Vec::new(),
            bound_travel_s: Vec::new(),
            resource: Vec::new(),
            second_resource: Vec::new(),
            capacity: Vec::new(),
            open: Vec::new(),
            resources: Vec::new(),
            checkpoints: Vec::new(),
            checkpoint_of_arc: Vec::new(),
            sinks: Vec::new(),
            sink_list: Vec::new(),
            bucket_s,
            enclave,
            rules: std::sync::OnceLock::new(),
        };
        net.add_resources(corridor_ids)?;
        net.set_travel_times(forbidden);
        net.find_sinks(corridor_ids);
        Ok(net)
    }

    /// The profile graph of a layer.
    pub fn profile_graph(&self, layer: usize) -> &corridor_roads::ProfileGraph {
        self.layers[layer].graph
    }

    /// The layer a joint node belongs to, and its node there.
    pub fn layer_node(&self, v: u32) -> (usize, u32) {
        let l = self.node0.iter().rposition(|&o| o <= v).unwrap_or(0);
        (l, v - self.node0[l])
    }

    fn add_resources(&mut self, corridor_ids: &[usize]) -> Result<(), EvacuationError> {
        let s = self.layers[0].scenario;
        let (bucket, ppv) = (s.evacuation.bucket_s, s.evacuation.people_per_vehicle);
        let mut edge0 = Vec::new();
        for sm in &self.layers {
            let g = sm.graph;
            edge0.push(self.capacity.len() as u32);
            for e in 0..g.edge_count() as u32 {
                let cap_h = edge_capacity_per_hour(g, e, ppv);
                self.capacity.push(cap_h * bucket / 3600.0);
                self.open.push(None);
                self.resources.push(ResourceInfo {
                    name: road_name(g, e),
                    kind: "road",
                    osm_way_id: Some(g.edges.way_id[e as usize]),
                    mode: Some(g.profile),
                    capacity_per_hour: cap_h,
                });
            }
        }
        let mut checkpoint_of: Vec<Option<u32>> = vec![None; s.corridors.len()];
        for &k in corridor_ids {
            let c = &s.corridors[k];
            let cap_h = c.capacity_per_hour.ok_or_else(|| {
                EvacuationError(format!(
                    "{}: corridor '{}' has no capacity_per_hour: evacuation planning needs every corridor's screening rate (people per hour)",
                    s.file.display(),
                    c.name
                ))
            })?;
            let r = self.capacity.len() as u32;
            self.capacity.push(cap_h * bucket / 3600.0);
            self.open.push(windows(s, k));
            self.resources.push(ResourceInfo {
                name: format!("checkpoint {}", c.name),
                kind: "checkpoint",
                osm_way_id: None,
                mode: None,
                capacity_per_hour: cap_h,
            });
            checkpoint_of[k] = Some(self.checkpoints.len() as u32);
            self.checkpoints.push((k, r));
        }
        self.resource = vec![INVALID; self.arc_of.len()];
        self.second_resource = vec![INVALID; self.arc_of.len()];
        self.checkpoint_of_arc = vec![INVALID; self.arc_of.len()];
        for (a, &(l, pa)) in self.arc_of.iter().enumerate() {
            let sm = self.layers[l];
            let (e, _) = sm.graph.arc_edge(pa);
            self.resource[a] = edge0[l] + e;
            if let Some(k) = crossing_corridor(sm, pa, self.side) {
                if let Some(ci) = checkpoint_of[k] {
                    self.second_resource[a] = self.resource[a];
                    self.resource[a] = self.checkpoints[ci as usize].1;
                    self.checkpoint_of_arc[a] = ci;
                }
            }
        }
        Ok(())
    }

    fn inside(&self, v: u32) -> bool {
        let (l, x) = self.layer_node(v);
        let c = self.layers[l].graph.node_coord[x as usize];
        self.enclave.contains(&Point::new(c[0], c[1]))
    }

    fn set_travel_times(&mut self, forbidden: &HashSet<Segment>) {
        let bound = self.scenario_travel(false);
        let plan = (0..self.arc_of.len())
            .map(|a| {
                let (l, pa) = self.arc_of[a];
                let g = self.layers[l].graph;
                let shared = !forbidden.is_empty()
                    && segments(g, g.arc_edge(pa).0)
                        .iter()
                        .any(|x| forbidden.contains(x));
                if shared {
                    f64::INFINITY
                } else {
                    bound[a]
                }
            })
            .collect();
        self.bound_travel_s = bound;
        self.travel_s = plan;
    }

    /// Per arc, its travel time under the scenario's rules alone — closures and avoid areas
    /// (lifted with `lift_closures`), the front line crossed only at this flow's checkpoints
    /// and only outward, nobody back in once across — whatever another flow or a routing
    /// closes: the bound's roads before any separation, and what the stranded reasons
    /// ([`super::stranding`]) compare the plan's roads with.
    pub(crate) fn scenario_travel(&self, lift_closures: bool) -> Vec<f64> {
        let inside: Vec<bool> = (0..self.graph.node_count() as u32)
            .map(|v| self.inside(v))
            .collect();
        let mut travel = Vec::with_capacity(self.arc_of.len());
        for a in 0..self.arc_of.len() {
            let (l, pa) = self.arc_of[a];
            let sm = self.layers[l];
            // Per arc: crossings have a direction (leaving hostile ground needs no checkpoint).
            let blocked = if lift_closures {
                !sm.line_parties(pa, self.side).is_empty()
            } else {
                sm.arc_blocked(pa, self.side).is_some()
            };
            let mut t = if blocked {
                f64::INFINITY
            } else {
                sm.graph.arc_duration_s[pa as usize]
            };
            // People cross the line once, outward: no crossing road is taken back in.
            if self.checkpoint_of_arc[a] != INVALID {
                let (tail, head) = (self.graph.arc_tail(a as u32), self.graph.arc_head(a as u32));
                if inside[head as usize] && !inside[tail as usize] {
                    t = f64::INFINITY;
                }
            }
            travel.push(t);
        }
        self.no_way_back_in(&mut travel, &inside);
        travel
    }

    /// Once across the line, nobody walks or drives back into the enclave (to leave again by
    /// another checkpoint): every arc into the enclave from a node that can only be reached by
    /// passing a checkpoint is closed. Nodes reachable from the enclave without a checkpoint
    /// (unclaimed ground beside it) keep their ways back, so no way out before the crossing is
    /// lost.
    fn no_way_back_in(&self, travel_s: &mut [f64], inside: &[bool]) {
        let g = &self.graph;
        let mut before_crossing = inside.to_vec();
        let mut stack: Vec<u32> = (0..g.node_count() as u32)
            .filter(|&v| inside[v as usize])
            .collect();
        while let Some(u) = stack.pop() {
            for a in g.out_arcs(u) {
                let h = g.arc_head(a);
                if travel_s[a as usize].is_finite()
                    && self.checkpoint_of_arc[a as usize] == INVALID
                    && !before_crossing[h as usize]
                {
                    before_crossing[h as usize] = true;
                    stack.push(h);
                }
            }
        }
        for (a, t) in travel_s.iter_mut().enumerate() {
            let (tail, head) = (g.arc_tail(a as u32), g.arc_head(a as u32));
            if inside[head as usize] && !before_crossing[tail as usize] {
                *t = f64::INFINITY;
            }
        }
    }

    fn find_sinks(&mut self, corridor_ids: &[usize]) {
        self.sinks = self.sinks_on(&self.travel_s, corridor_ids);
        self.sink_list = self.sinks.iter().map(|x| x.0).collect();
        self.sink_list.sort_unstable();
        self.sink_list.dedup();
    }

    /// (node, corridor) per reception of `corridor_ids` and layer: the node nearest to the
    /// reception, within [`MAX_RECEPTION_M`], that an arc open in `travel` enters.
    fn sinks_on(&self, travel: &[f64], corridor_ids: &[usize]) -> Vec<(u32, usize)> {
        let s = self.layers[0].scenario;
        let mut out = Vec::new();
        for &k in corridor_ids {
            let Some(rp) = s.corridors[k].reception else {
                continue;
            };
            for l in 0..self.layers.len() {
                let g = self.layers[l].graph;
                let best = (0..g.node_count() as u32)
                    .filter(|&v| {
                        let jv = v + self.node0[l];
                        self.graph
                            .in_arcs(jv)
                            .any(|(_, a)| travel[a as usize].is_finite())
                    })
                    .map(|v| (haversine_m(g.node_coord[v as usize], rp), v))
                    .filter(|x| x.0 <= MAX_RECEPTION_M)
                    .min_by(|a, b| a.0.total_cmp(&b.0));
                if let Some((_, v)) = best {
                    out.push((v + self.node0[l], k));
                }
            }
        }
        out
    }

    /// The reception nodes of this flow's corridors on the roads open in `travel` (see
    /// [`Network::sinks_on`]), sorted, once each.
    pub(crate) fn sink_nodes_on(&self, travel: &[f64]) -> Vec<u32> {
        let corridors: Vec<usize> = self.checkpoints.iter().map(|c| c.0).collect();
        let mut out: Vec<u32> = self
            .sinks_on(travel, &corridors)
            .into_iter()
            .map(|x| x.0)
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The sink nodes, sorted, once each.
    pub fn sink_nodes(&self) -> &[u32] {
        &self.sink_list
    }

    /// The road nodes of `layer` inside the enclave people could start from, each marked by
    /// whether a road from it is open to the flow and whether a reception it may use (the
    /// exposure rule, [`Network::allowed_sinks`]) can be reached on the flow's roads.
    pub fn start_candidates(&self, layer: usize) -> Vec<Candidate> {
        let g = self.layers[layer].graph;
        let inside: Vec<u32> = (0..g.node_count() as u32)
            .map(|v| v + self.node0[layer])
            .filter(|&v| self.inside(v))
            .collect();
        let leads_out = self.leads_out(&inside);
        inside
            .iter()
            .zip(leads_out)
            .map(|(&v, leads_out)| Candidate {
                at: g.node_coord[(v - self.node0[layer]) as usize],
                node: v,
                open: self.open_from(&self.travel_s, v),
                leads_out,
            })
            .collect()
    }

    /// Whether a road from `v` is open in `travel`.
    fn open_from(&self, travel: &[f64], v: u32) -> bool {
        self.graph
            .out_arcs(v)
            .any(|a| travel[a as usize].is_finite())
    }

    /// The backward search from `sinks` on the roads open in `travel`.
    fn to_sinks(&self, travel: &[f64], sinks: &[u32]) -> OneToAll {
        let mut q = OneToAll::new(&self.graph);
        let seeds: Vec<Seed> = sinks.iter().map(|&v| Seed { node: v, cost: 0.0 }).collect();
        q.run(&self.graph, travel, &seeds, f64::INFINITY, true);
        q
    }

    /// Per node of `nodes`: whether one of the receptions it may use ([`Network::allowed_sinks`])
    /// can be reached on the flow's roads. One backward search per distinct set of receptions.
    fn leads_out(&self, nodes: &[u32]) -> Vec<bool> {
        if !self.rules_fixed() {
            let q = self.to_sinks(&self.travel_s, self.sink_nodes());
            return nodes.iter().map(|&v| q.cost(v).is_finite()).collect();
        }
        let allowed = self.allowed_sinks(nodes);
        let mut searched: Vec<(Vec<u32>, OneToAll)> = Vec::new();
        allowed
            .iter()
            .zip(nodes)
            .map(|((sinks, _), &v)| {
                if sinks.is_empty() {
                    return false;
                }
                let i = match searched.iter().position(|x| &x.0 == sinks) {
                    Some(i) => i,
                    None => {
                        searched.push((sinks.clone(), self.to_sinks(&self.travel_s, sinks)));
                        searched.len() - 1
                    }
                };
                searched[i].1.cost(v).is_finite()
            })
            .collect()
    }

    /// Start nodes in `layer` for each point (see [`super::start`]): the nearest road node
    /// inside the enclave, within [`MAX_START_M`], from which a reception can be reached;
    /// `Err(reason)` otherwise.
    pub fn start_nodes(&self, layer: usize, points: &[[f64; 2]]) -> Vec<Result<u32, String>> {
        let candidates = self.start_candidates(layer);
        let mode = self.layers[layer].graph.profile.name();
        points
            .iter()
            .map(|&p| spread(&[p], &candidates, mode).swap_remove(0).start)
            .collect()
    }

    /// Whether this flow's exposure rule is decided once, on the bound's roads
    /// ([`ExposureRules`]): the civilians', whose roads the combatants' routing closes. The
    /// combatants' rule is decided on each of their routings' own roads: those routings are
    /// the planner's choice of where the combatants go, not a constraint put on them.
    pub fn rules_fixed(&self) -> bool {
        self.side.purpose() == Purpose::Civilian
    }

    /// Per source node: the sinks it may use — those whose least exposed route stays below the
    /// exposure threshold, or every reachable one if none does (then `true`). For the civilians
    /// decided on the bound's roads ([`ExposureRules`]) whatever the plan's roads are (its
    /// receptions in the node's layer, on the plan's roads); for the combatants on the plan's.
    pub fn allowed_sinks(&self, nodes: &[u32]) -> Vec<(Vec<u32>, bool)> {
        if !self.rules_fixed() {
            return self.allowed_sinks_on(&self.travel_s, nodes);
        }
        let rules = self.exposure_rules();
        nodes
            .iter()
            .map(|&v| {
                let (corridors, exposed) = rules.of(v);
                (self.sinks_of(v, corridors), *exposed)
            })
            .collect()
    }

    /// The receptions a bound valid for every plan lets `nodes` use: the decided rule
    /// ([`Network::allowed_sinks`]) where it is fixed; else every reception of the node's
    /// layer. Where the rule is evaluated on each routing's own roads (the combatants'), a
    /// routing that closes every calm way of a node allows it every reachable reception, so
    /// the rule on the bound's roads (the calm ones only) holds for no such routing: a bound
    /// that kept a combatant cell to its calm crossing claimed 10 h on a town the model
    /// empties in under 3 h (`cli/tests/evacuate_exposure_rule.rs`). The road bound relaxes
    /// the rule for them alike ([`super::road_bound::receptions_of`]).
    pub fn bound_allowed_sinks(&self, nodes: &[u32]) -> Vec<(Vec<u32>, bool)> {
        if self.rules_fixed() {
            return self.allowed_sinks(nodes);
        }
        let corridors: Vec<usize> = self.checkpoints.iter().map(|c| c.0).collect();
        nodes
            .iter()
            .map(|&v| (self.sinks_of(v, &corridors), false))
            .collect()
    }

    /// The plan's reception nodes of `corridors` in `v`'s layer, sorted, once each.
    fn sinks_of(&self, v: u32, corridors: &[usize]) -> Vec<u32> {
        let layer = self.layer_node(v).0;
        let mut out: Vec<u32> = self
            .sinks
            .iter()
            .filter(|x| corridors.contains(&x.1) && self.layer_node(x.0).0 == layer)
            .map(|x| x.0)
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The exposure rule decided on the bound's roads, once per bound network.
    pub fn exposure_rules(&self) -> &ExposureRules {
        self.rules
            .get_or_init(|| std::sync::Arc::new(self.decide_rules()))
    }

    /// [`ExposureRules`] on `bound_travel_s` and its receptions.
    fn decide_rules(&self) -> ExposureRules {
        let travel = &self.bound_travel_s;
        let corridors: Vec<usize> = self.checkpoints.iter().map(|c| c.0).collect();
        let sinks = self.sinks_on(travel, &corridors);
        let mut nodes: Vec<u32> = sinks.iter().map(|x| x.0).collect();
        nodes.sort_unstable();
        nodes.dedup();
        let n = self.graph.node_count();
        let words = nodes.len().div_ceil(64).max(1);
        let (mut calm, mut reach) = (vec![0u64; n * words], vec![0u64; n * words]);
        let threshold = self.layers[0].scenario.risk.exposure_threshold;
        self.exposure_to_sinks(travel, &nodes, |j, exposure| {
            let (w, bit) = (j / 64, 1u64 << (j % 64));
            for (v, &x) in exposure.iter().enumerate() {
                if x.is_finite() {
                    reach[v * words + w] |= bit;
                }
                if x < threshold {
                    calm[v * words + w] |= bit;
                }
            }
        });
        let mut sets: Vec<(Vec<usize>, bool)> = vec![(Vec::new(), false)];
        let mut index: std::collections::HashMap<(Vec<u64>, bool), u32> =
            std::collections::HashMap::new();
        let mut set_of = Vec::with_capacity(n);
        for v in 0..n {
            let c = &calm[v * words..(v + 1) * words];
            let r = &reach[v * words..(v + 1) * words];
            let (bits, exposed) = if c.iter().any(|&x| x != 0) {
                (c, false)
            } else if r.iter().any(|&x| x != 0) {
                (r, true)
            } else {
                set_of.push(0);
                continue;
            };
            let key = (bits.to_vec(), exposed);
            let i = *index.entry(key).or_insert_with(|| {
                let mut ks: Vec<usize> = sinks
                    .iter()
                    .filter(|x| {
                        let j = nodes.binary_search(&x.0).expect("a sink node");
                        bits[j / 64] & (1u64 << (j % 64)) != 0
                    })
                    .map(|x| x.1)
                    .collect();
                ks.sort_unstable();
                ks.dedup();
                sets.push((ks, exposed));
                (sets.len() - 1) as u32
            });
            set_of.push(i);
        }
        ExposureRules { set_of, sets }
    }

    /// Per sink of `sinks`, in order: per joint node, the exposure of its least exposed route
    /// to that sink on the roads open in `travel_s` (`INFINITY`: none), handed to `each`.
    fn exposure_to_sinks(
        &self,
        travel_s: &[f64],
        sinks: &[u32],
        mut each: impl FnMut(usize, &[f64]),
    ) {
        let per_layer: Vec<Vec<f64>> = self
            .layers
            .iter()
            .map(|sm| {
                let blocked = vec![false; sm.graph.edge_count()];
                sm.weights_from(&blocked, Mode::Safest, 0.0)
            })
            .collect();
        let safest: Vec<f64> = (0..self.arc_of.len())
            .map(|a| {
                let (l, pa) = self.arc_of[a];
                if travel_s[a].is_finite() {
                    per_layer[l][pa as usize]
                } else {
                    f64::INFINITY
                }
            })
            .collect();
        let arc_exposure = |a: u32| {
            let (l, pa) = self.arc_of[a as usize];
            let sm = self.layers[l];
            sm.edge_exposure(sm.graph.arc_edge(pa).0)
        };
        let mut search = OneToAll::new(&self.graph);
        let n = self.graph.node_count();
        let mut exposure = vec![f64::NAN; n];
        let mut path = Vec::new();
        for (j, &sink) in sinks.iter().enumerate() {
            search.run(
                &self.graph,
                &safest,
                &[Seed {
                    node: sink,
                    cost: 0.0,
                }],
                f64::INFINITY,
                true,
            );
            exposure.fill(f64::NAN);
            // Along the search's tree: a node's exposure is its first road's plus its parent's.
            for v in 0..n as u32 {
                let mut x = v;
                while exposure[x as usize].is_nan() {
                    if search.cost(x).is_infinite() {
                        exposure[x as usize] = f64::INFINITY;
                        break;
                    }
                    let a = search.parent_arc(x);
                    if a == INVALID {
                        exposure[x as usize] = 0.0;
                        break;
                    }
                    path.push(x);
                    x = self.graph.arc_head(a);
                }
                while let Some(y) = path.pop() {
                    let a = search.parent_arc(y);
                    exposure[y as usize] =
                        arc_exposure(a) + exposure[self.graph.arc_head(a) as usize];
                }
            }
            each(j, &exposure);
        }
    }

    /// The exposure rule on the roads open in `travel_s`, with this flow's reception nodes:
    /// per node, the sinks whose least exposed route lies below the threshold, or every
    /// reachable one if none does (then `true`).
    pub fn allowed_sinks_on(&self, travel_s: &[f64], nodes: &[u32]) -> Vec<(Vec<u32>, bool)> {
        let threshold = self.layers[0].scenario.risk.exposure_threshold;
        let sinks = self.sink_nodes().to_vec();
        let mut exposure: Vec<Vec<f64>> = Vec::new(); // per sink, per node
        self.exposure_to_sinks(travel_s, &sinks, |_, all| {
            exposure.push(nodes.iter().map(|&v| all[v as usize]).collect());
        });
        (0..nodes.len())
            .map(|i| {
                let calm: Vec<u32> = (0..sinks.len())
                    .filter(|&j| exposure[j][i] < threshold)
                    .map(|j| sinks[j])
                    .collect();
                if calm.is_empty() {
                    let any: Vec<u32> = (0..sinks.len())
                        .filter(|&j| exposure[j][i].is_finite())
                        .map(|j| sinks[j])
                        .collect();
                    let exposed = !any.is_empty();
                    (any, exposed)
                } else {
                    (calm, false)
                }
            })
            .collect()
    }

    /// Closes every road carrying a `forbidden` segment to this flow's plan (not to its bound).
    pub fn close_segments(&mut self, forbidden: &HashSet<Segment>) {
        for a in self.arcs_on(forbidden) {
            self.travel_s[a] = f64::INFINITY;
        }
    }

    /// Closes every road carrying a `mandatory` segment to this flow's plan and to its bound:
    /// segments every plan of the other flow uses (`separation::mandatory_segments`), so the
    /// bound stays valid for every plan.
    pub fn close_segments_for_every_plan(&mut self, mandatory: &HashSet<Segment>) {
        // The exposure rule is decided on the bound's roads: decided again.
        self.rules = std::sync::OnceLock::new();
        for a in self.arcs_on(mandatory) {
            self.travel_s[a] = f64::INFINITY;
            self.bound_travel_s[a] = f64::INFINITY;
        }
    }

    /// The joint arcs whose road carries one of `pieces`.
    fn arcs_on(&self, pieces: &HashSet<Segment>) -> Vec<usize> {
        if pieces.is_empty() {
            return Vec::new();
        }
        (0..self.arc_of.len())
            .filter(|&a| {
                let (l, pa) = self.arc_of[a];
                let g = self.layers[l].graph;
                segments(g, g.arc_edge(pa).0)
                    .iter()
                    .any(|x| pieces.contains(x))
            })
            .collect()
    }

    /// Every node of `layer` a person of the neighbourhood at `point` could start from: inside
    /// the enclave, within [`MAX_START_M`] (joint node ids). [`Network::start_nodes`] picks one
    /// of them; bounds that must hold for any pick use them all.
    pub fn start_nodes_near(&self, layer: usize, point: [f64; 2]) -> Vec<u32> {
        let g = self.layers[layer].graph;
        (0..g.node_count() as u32)
            .filter(|&v| haversine_m(g.node_coord[v as usize], point) <= MAX_START_M)
            .map(|v| v + self.node0[layer])
            .filter(|&v| self.inside(v))
            .collect()
    }

    /// Per joint arc, an id of its road shared by both directions (unique across layers).
    pub fn road_of_arc(&self) -> Vec<u32> {
        let mut first = Vec::new();
        let mut n = 0u32;
        for sm in &self.layers {
            first.push(n);
            n += sm.graph.edge_count() as u32;
        }
        self.arc_of
            .iter()
            .map(|&(l, pa)| first[l] + self.layers[l].graph.arc_edge(pa).0)
            .collect()
    }

    /// Closes to this flow's plan every road not in `roads` (ids from
    /// [`Network::road_of_arc`]): a routing chosen beforehand.
    pub fn keep_only_roads(&mut self, roads: &HashSet<u32>) {
        for (a, r) in self.road_of_arc().into_iter().enumerate() {
            if !roads.contains(&r) {
                self.travel_s[a] = f64::INFINITY;
            }
        }
    }

    /// The road pieces of a road id from [`Network::road_of_arc`].
    pub fn road_segments(&self, road: u32) -> Vec<Segment> {
        let mut r = road;
        for sm in &self.layers {
            let count = sm.graph.edge_count() as u32;
            if r < count {
                return segments(sm.graph, r);
            }
            r -= count;
        }
        Vec::new()
    }

    /// Per arc, its travel time with every checkpoint's crossing arc closed: the roads on
    /// which a search stops before passing any checkpoint.
    fn travel_without_crossings(&self) -> Vec<f64> {
        (0..self.travel_s.len())
            .map(|a| {
                if self.checkpoint_of_arc[a] == INVALID {
                    self.travel_s[a]
                } else {
                    f64::INFINITY
                }
            })
            .collect()
    }

    /// The road segments of every start's quickest way to each checkpoint it can reach, across
    /// it and on to a reception: the roads this flow needs most.
    pub fn approach_segments(&self, points: &[[f64; 2]]) -> HashSet<Segment> {
        let g = &self.graph;
        let no_crossing = self.travel_without_crossings();
        let starts: Vec<u32> = (0..self.layers.len())
            .flat_map(|l| self.start_nodes(l, points))
            .filter_map(Result::ok)
            .collect();
        let mut arcs: HashSet<u32> = HashSet::new();
        let walk = |q: &OneToAll, from: u32, arcs: &mut HashSet<u32>| {
            let mut x = from;
            while q.cost(x).is_finite() && q.parent_arc(x) != INVALID {
                let a = q.parent_arc(x);
                arcs.insert(a);
                x = g.arc_head(a);
            }
        };
        let mut q = OneToAll::new(g);
        let sink_seeds: Vec<Seed> = self
            .sink_list
            .iter()
            .map(|&v| Seed { node: v, cost: 0.0 })
            .collect();
        q.run(g, &self.travel_s, &sink_seeds, f64::INFINITY, true);
        let crossing: Vec<u32> = (0..self.arc_of.len() as u32)
            .filter(|&a| {
                self.checkpoint_of_arc[a as usize] != INVALID
                    && self.travel_s[a as usize].is_finite()
            })
            .collect();
        for &a in &crossing {
            arcs.insert(a);
            walk(&q, g.arc_head(a), &mut arcs);
        }
        for ci in 0..self.checkpoints.len() as u32 {
            let tails: Vec<Seed> = crossing
                .iter()
                .filter(|&&a| self.checkpoint_of_arc[a as usize] == ci)
                .map(|&a| Seed {
                    node: g.arc_tail(a),
                    cost: 0.0,
                })
                .collect();
            q.run(g, &no_crossing, &tails, f64::INFINITY, true);
            for &v in &starts {
                walk(&q, v, &mut arcs);
            }
        }
        arcs.iter()
            .flat_map(|&a| {
                let (l, pa) = self.arc_of[a as usize];
                let pg = self.layers[l].graph;
                segments(pg, pg.arc_edge(pa).0)
            })
            .collect()
    }

    /// Per checkpoint: the backward search from its crossing roads' tails on this flow's roads
    /// that pass no checkpoint (`cost(v)`: the time from `v` to the checkpoint), and its open
    /// crossing arcs.
    pub fn checkpoint_trees(&self) -> Vec<(OneToAll, Vec<u32>)> {
        let g = &self.graph;
        let no_crossing = self.travel_without_crossings();
        (0..self.checkpoints.len() as u32)
            .map(|ci| {
                let crossings: Vec<u32> = (0..g.arc_count() as u32)
                    .filter(|&a| {
                        self.checkpoint_of_arc[a as usize] == ci
                            && self.travel_s[a as usize].is_finite()
                    })
                    .collect();
                let seeds: Vec<Seed> = crossings
                    .iter()
                    .map(|&a| Seed {
                        node: g.arc_tail(a),
                        cost: 0.0,
                    })
                    .collect();
                let mut q = OneToAll::new(g);
                q.run(g, &no_crossing, &seeds, f64::INFINITY, true);
                (q, crossings)
            })
            .collect()
    }

    /// The network as CCRP sees it.
    pub fn flow_network(&self) -> FlowNetwork<'_> {
        FlowNetwork {
            graph: &self.graph,
            travel_s: self.travel_s.clone(),
            resource: self.resource.clone(),
            second_resource: self.second_resource.clone(),
            capacity: self.capacity.clone(),
            open: self.open.clone(),
            bucket_s: self.bucket_s,
            horizon_buckets: (HORIZON_DAYS as f64 * 86400.0 / self.bucket_s) as u32,
        }
    }

    /// The network as the bound sees it, for people whose receptions are `class_sinks`:
    /// `relaxed` drops the rule that depends on another flow's plan (separation) — the lower
    /// bound; otherwise the planner's own travel times.
    pub fn bound_network(&self, relaxed: bool, class_sinks: Vec<Vec<u32>>) -> BoundNetwork<'_> {
        BoundNetwork {
            graph: &self.graph,
            class_sinks,
            travel_s: if relaxed {
                &self.bound_travel_s
            } else {
                &self.travel_s
            },
            checkpoint_of_arc: &self.checkpoint_of_arc,
            checkpoints: self
                .checkpoints
                .iter()
                .map(|&(_, r)| (self.capacity[r as usize], self.open[r as usize].clone()))
                .collect(),
            crossing_road_capacity: self
                .second_resource
                .iter()
                .map(|&r| match r {
                    INVALID => f64::INFINITY,
                    r => self.capacity[r as usize],
                })
                .collect(),
            bucket_s: self.bucket_s,
            horizon_s: HORIZON_DAYS as f64 * 86400.0,
        }
    }
}
