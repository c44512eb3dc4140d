//! The flow over time of one flow's people on its own network (the other flow's roads closed)
//! from the planner's start nodes: how early they could leave GIVEN the other flow's routing,
//! and which bottleneck roads each start's people take in that optimum — an assignment the
//! planner schedules with CCRP ([`super::plan::replan_by_flow_over_time`]).
//!
//! **The time-expanded network.** As in a flow-over-time bound: `Δ` is the bucket; copies
//! `(v, b)` of a node stand for "leaves `v` in bucket `b`" for `first(v) ≤ b ≤ last(v)`
//! (`first` from the least time from any start, `last` from the least time to a reception and
//! the horizon `T`); an arc entered in bucket `b` lands in bucket
//! `max(b + ⌊t / Δ⌋, first(head))`; waiting arcs `(v, b) → (v, b + 1)`; per (resource, bucket)
//! one gate of capacity `capacity × open share of the bucket` that every copy of an arc of that
//! resource entered in that bucket passes (a crossing road passes its checkpoint's gate and
//! then its own road's). A super-source gives each start its people; each reception's last
//! copy leads to the super-sink. The least `T` at which everyone gets out (bisected to half a
//! second) is reported.
//!
//! **What it is.** Every plan of the planner's model on these roads from these starts maps to
//! a flow in this network (each person's entry buckets), so the time is a lower bound for
//! *those* roads and starts only (not over every combatant routing: a yardstick, like
//! `road_bound_given_combatant_roads_s`). It relaxes: travel rounded down to whole buckets
//! (partly recovered by the `first` clamp), a gate's flow leaving by another arc of its
//! resource than it entered (both directions of a road, two crossing roads of one checkpoint),
//! the exposure rule (every reception open to everyone) and the one-checkpoint rule.
//!
//! **The assignment.** The maximum flow at the reported time is decomposed into paths; the
//! resources whose gates are full in at least [`FULL_BUCKETS`] buckets are the bottlenecks, and
//! each start's people are split by the set of bottlenecks their paths pass. CCRP then
//! schedules each share with the other bottlenecks forbidden.

use super::maxflow::MaxFlow;
use super::road_bound::RoadNetwork;
use crate::ccrp::open_seconds;
use corridor_routing::{OneToAll, Seed, INVALID};
use std::collections::HashMap;

/// Nodes beyond which the network is not built (`None`): Andorra with roads binding (about
/// 7 h in 300-s buckets) needs about half a million.
pub const MAX_NODES: usize = 2_000_000;

/// A resource is a bottleneck of the flow when its gate is full in at least this many buckets.
pub const FULL_BUCKETS: usize = 3;

/// The flow over time of one flow's people and its decomposition.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowOverTime {
    /// No plan on these roads from these starts gets everyone out before this (seconds).
    pub time_s: f64,
    /// People counted (those whose start reaches a reception).
    pub people_counted: f64,
    /// Nodes and arcs of the largest time-expanded network built.
    pub nodes: usize,
    pub arcs: usize,
    /// Per resource: buckets in which its gate is full in the flow at `time_s`.
    pub full_buckets: Vec<usize>,
    /// Per source (in the order given): its people per set of bottlenecks passed (sorted).
    pub shares: Vec<Vec<(Vec<u32>, f64)>>,
}

/// What a forward arc of the time-expanded network stands for.
#[derive(Clone, Copy, PartialEq)]
enum Tag {
    Other,
    /// The capacity arc of resource `r`'s gate.
    Gate(u32),
}

/// The flow over time of `sources` (start node, people) to any of `sinks` on `net`; `None` if
/// nobody can reach a reception, everyone stands on one, not everyone leaves within the
/// horizon, or the network would exceed [`MAX_NODES`]. `guess_s` is a time by which everyone
/// can probably leave (a plan's egress): the network is built up to it and doubled while too
/// short; the time found does not depend on it.
pub fn flow_over_time(
    net: &RoadNetwork,
    sources: &[(u32, f64)],
    sinks: &[u32],
    guess_s: f64,
) -> Option<FlowOverTime> {
    let times = Times::new(net, sources, sinks)?;
    let mut until = guess_s.max(net.bucket_s).min(net.horizon_s);
    loop {
        let start = Expanded::build(net, &times, until)?;
        let size = (start.flow.node_count(), start.flow.arc_count());
        if start.clone().reaches_everyone(0.0) {
            return None;
        }
        if let Some((time_s, done)) = bisect(start, until) {
            let full_buckets = done.full_buckets(net.capacity.len());
            let shares = done.shares(&times, &full_buckets);
            return Some(FlowOverTime {
                time_s,
                people_counted: times.total,
                nodes: size.0,
                arcs: size.1,
                full_buckets,
                shares,
            });
        }
        if until >= net.horizon_s {
            return None;
        }
        until = (2.0 * until).min(net.horizon_s);
    }
}

/// The largest `T` (to half a second) below `until` at which not everyone gets out, and the
/// network with the flow of the least feasible probe; `None` if not everyone gets out by
/// `until`. Each probe continues the flow of the last infeasible one.
fn bisect(mut lo_state: Expanded, until: f64) -> Option<(f64, Expanded)> {
    let (mut lo, mut hi) = (0.0, until);
    let mut hi_state = None;
    while hi - lo > 0.5 {
        let mid = 0.5 * (lo + hi);
        let mut probe = lo_state.clone();
        if probe.reaches_everyone(mid) {
            hi = mid;
            hi_state = Some(probe);
        } else {
            lo = mid;
            lo_state = probe;
        }
    }
    let done = match hi_state {
        Some(s) => s,
        None => {
            lo_state.reaches_everyone(until).then_some(())?;
            lo_state
        }
    };
    Some((lo, done))
}

/// Shortest times the network needs, and the people it counts.
struct Times {
    earliest: Vec<f64>,
    to_sink: Vec<f64>,
    /// Per source: its people if its start reaches a reception, else 0.
    people: Vec<f64>,
    nodes: Vec<u32>,
    total: f64,
    sinks: Vec<u32>,
}

impl Times {
    fn new(net: &RoadNetwork, sources: &[(u32, f64)], sinks: &[u32]) -> Option<Times> {
        if sinks.is_empty() {
            return None;
        }
        let g = net.graph;
        let mut q = OneToAll::new(g);
        let seeds: Vec<Seed> = sinks.iter().map(|&v| Seed { node: v, cost: 0.0 }).collect();
        q.run(g, net.travel_s, &seeds, f64::INFINITY, true);
        let to_sink: Vec<f64> = (0..g.node_count() as u32).map(|v| q.cost(v)).collect();
        let people: Vec<f64> = sources
            .iter()
            .map(|&(v, p)| {
                if p > 0.0 && to_sink[v as usize].is_finite() {
                    p
                } else {
                    0.0
                }
            })
            .collect();
        let total: f64 = people.iter().sum();
        if total <= 0.0 {
            return None;
        }
        let seeds: Vec<Seed> = sources
            .iter()
            .zip(&people)
            .filter(|x| *x.1 > 0.0)
            .map(|(s, _)| Seed {
                node: s.0,
                cost: 0.0,
            })
            .collect();
        q.run(g, net.travel_s, &seeds, f64::INFINITY, false);
        Some(Times {
            earliest: (0..g.node_count() as u32).map(|v| q.cost(v)).collect(),
            to_sink,
            people,
            nodes: sources.iter().map(|s| s.0).collect(),
            total,
            sinks: sinks.to_vec(),
        })
    }
}

const SOURCE: usize = 0;
const SINK: usize = 1;

/// Per graph node, its copies: the first bucket, the flow node of `(v, first)`, how many.
#[derive(Clone, Copy)]
struct Copies {
    first: u32,
    base: usize,
    count: u32,
}

impl Copies {
    fn at(&self, b: u32) -> Option<usize> {
        (b >= self.first && b < self.first + self.count)
            .then(|| self.base + (b - self.first) as usize)
    }

    fn last(&self) -> u32 {
        self.first + self.count - 1
    }
}

/// The time-expanded network for times up to `until`, and the flow it carries.
#[derive(Clone)]
struct Expanded {
    flow: MaxFlow,
    /// Per forward arc (`index / 2`): its tail, head and what it stands for.
    ends: Vec<(u32, u32)>,
    tags: Vec<Tag>,
    /// Per forward arc: its capacity once open (gates) — to tell a full gate.
    caps: Vec<f64>,
    /// (deadline, arc): opened (capacity unlimited) for `T ≥ deadline`; sorted by deadline.
    due: Vec<(f64, usize)>,
    opened: usize,
    value: f64,
    total: f64,
}

impl Expanded {
    fn add(&mut self, u: usize, v: usize, c: f64, tag: Tag) -> usize {
        let i = self.flow.add(u, v, c);
        self.ends.push((u as u32, v as u32));
        self.tags.push(tag);
        self.caps.push(c);
        i
    }

    fn build(net: &RoadNetwork, times: &Times, until: f64) -> Option<Expanded> {
        let g = net.graph;
        let dt = net.bucket_s;
        let mut nodes = 2 + times.people.len();
        let copies: Vec<Copies> = (0..g.node_count())
            .map(|v| {
                let (e, d) = (times.earliest[v], times.to_sink[v]);
                let mut c = Copies {
                    first: 0,
                    base: 0,
                    count: 0,
                };
                if e.is_finite() && d.is_finite() && e + d <= until {
                    c.first = (e / dt).floor() as u32;
                    let last = ((until - d) / dt).floor() as u32;
                    if last >= c.first {
                        c.base = nodes;
                        c.count = last - c.first + 1;
                        nodes += c.count as usize;
                    }
                }
                c
            })
            .collect();
        if nodes > MAX_NODES {
            return None;
        }
        let mut x = Expanded {
            flow: MaxFlow::new(nodes),
            ends: Vec::new(),
            tags: Vec::new(),
            caps: Vec::new(),
            due: Vec::new(),
            opened: 0,
            value: 0.0,
            total: times.total,
        };
        for (i, (&p, &v)) in times.people.iter().zip(&times.nodes).enumerate() {
            if p <= 0.0 {
                continue;
            }
            x.add(SOURCE, 2 + i, p, Tag::Other);
            if let Some(c) = copies[v as usize].at(0) {
                x.add(2 + i, c, f64::INFINITY, Tag::Other);
            }
        }
        for c in copies.iter().filter(|c| c.count > 0) {
            for k in 0..c.count as usize - 1 {
                x.add(c.base + k, c.base + k + 1, f64::INFINITY, Tag::Other);
            }
        }
        for &v in &times.sinks {
            let c = copies[v as usize];
            if c.count > 0 {
                x.add(
                    c.base + c.count as usize - 1,
                    SINK,
                    f64::INFINITY,
                    Tag::Other,
                );
            }
        }
        let mut gates = Gates::new(net, until);
        for a in 0..g.arc_count() as u32 {
            let t = net.travel_s[a as usize];
            let (tail, head) = (
                copies[g.arc_tail(a) as usize],
                copies[g.arc_head(a) as usize],
            );
            if !t.is_finite() || tail.count == 0 || head.count == 0 {
                continue;
            }
            let onward = t + times.to_sink[g.arc_head(a) as usize];
            let shift = (t / dt).floor() as u32;
            let rs: Vec<u32> = [
                net.resource[a as usize],
                net.second_resource
                    .get(a as usize)
                    .copied()
                    .unwrap_or(INVALID),
            ]
            .into_iter()
            .filter(|&r| r != INVALID)
            .collect();
            if x.flow.node_count() > MAX_NODES {
                return None;
            }
            for b in tail.first..=tail.last() {
                let deadline = b as f64 * dt + onward;
                if deadline > until {
                    break;
                }
                let to = (b + shift).max(head.first);
                let (Some(from), Some(to)) = (tail.at(b), head.at(to)) else {
                    continue;
                };
                x.arc_copy(net, &mut gates, &rs, b, (from, to), deadline);
            }
        }
        x.due.sort_by(|p, q| p.0.total_cmp(&q.0));
        Some(x)
    }

    /// One copy of an arc entered in bucket `b` from `from` to `to`, through the gates of its
    /// resources `rs` (none: a direct arc), opened at `deadline`.
    fn arc_copy(
        &mut self,
        net: &RoadNetwork,
        gates: &mut Gates,
        rs: &[u32],
        b: u32,
        (from, to): (usize, usize),
        deadline: f64,
    ) {
        let mut pairs = Vec::with_capacity(rs.len());
        for &r in rs {
            match gates.of(net, self, r, b) {
                Some(p) => pairs.push(p),
                None => return,
            }
        }
        let Some(&(first_in, _)) = pairs.first() else {
            let e = self.add(from, to, 0.0, Tag::Other);
            self.due.push((deadline, e));
            return;
        };
        let e = self.add(from, first_in, 0.0, Tag::Other);
        self.due.push((deadline, e));
        // A crossing road: from its checkpoint's gate into its own road's.
        for w in pairs.windows(2) {
            let link = (w[0].1, w[1].0);
            if gates.links.insert(link) {
                self.add(link.0, link.1, f64::INFINITY, Tag::Other);
            }
        }
        let last_out = pairs.last().expect("a gate").1;
        let e = self.add(last_out, to, 0.0, Tag::Other);
        self.due.push((deadline, e));
    }

    /// Opens the arcs due by `t` and continues the maximum flow: whether everyone gets out.
    fn reaches_everyone(&mut self, t: f64) -> bool {
        while self.opened < self.due.len() && self.due[self.opened].0 <= t {
            self.flow.raise(self.due[self.opened].1, f64::INFINITY);
            self.opened += 1;
        }
        self.value += self.flow.run_blocking(SOURCE, SINK);
        self.value >= self.total * (1.0 - 1e-9) - 1e-6
    }

    /// Per resource: gates full (within a thousandth of a person) in the present flow.
    fn full_buckets(&self, resources: usize) -> Vec<usize> {
        let mut out = vec![0; resources];
        for (k, tag) in self.tags.iter().enumerate() {
            if let Tag::Gate(r) = *tag {
                let c = self.caps[k];
                if c > 0.0 && self.flow.flow_on(2 * k) >= c - 1e-3 {
                    out[r as usize] += 1;
                }
            }
        }
        out
    }

    /// The present flow decomposed into paths from each source: per source, its people per
    /// set of bottlenecks (resources with at least [`FULL_BUCKETS`] full gates) passed.
    fn shares(&self, times: &Times, full: &[usize]) -> Vec<Vec<(Vec<u32>, f64)>> {
        let n = self.flow.node_count();
        let mut rest: Vec<f64> = (0..self.tags.len())
            .map(|k| self.flow.flow_on(2 * k).max(0.0))
            .collect();
        // Arcs carrying flow, by tail.
        let mut first = vec![0usize; n + 1];
        for (k, &(u, _)) in self.ends.iter().enumerate() {
            if rest[k] > TINY {
                first[u as usize + 1] += 1;
            }
        }
        for u in 0..n {
            first[u + 1] += first[u];
        }
        let mut fill = first.clone();
        let mut adj = vec![0u32; first[n]];
        for (k, &(u, _)) in self.ends.iter().enumerate() {
            if rest[k] > TINY {
                adj[fill[u as usize]] = k as u32;
                fill[u as usize] += 1;
            }
        }
        let mut next = first.clone();
        let mut on_path = vec![usize::MAX; n];
        let mut out = vec![Vec::new(); times.people.len()];
        for (i, row) in out.iter_mut().enumerate() {
            let mut amounts: HashMap<Vec<u32>, f64> = HashMap::new();
            let mut path: Vec<u32> = Vec::new();
            let mut u = 2 + i;
            on_path[u] = 0;
            loop {
                if u == SINK {
                    let got = path
                        .iter()
                        .map(|&k| rest[k as usize])
                        .fold(f64::INFINITY, f64::min);
                    let mut used: Vec<u32> = path
                        .iter()
                        .filter_map(|&k| match self.tags[k as usize] {
                            Tag::Gate(r) if full[r as usize] >= FULL_BUCKETS => Some(r),
                            _ => None,
                        })
                        .collect();
                    used.sort_unstable();
                    used.dedup();
                    *amounts.entry(used).or_insert(0.0) += got;
                    for &k in &path {
                        rest[k as usize] -= got;
                    }
                    for &k in &path {
                        on_path[self.ends[k as usize].1 as usize] = usize::MAX;
                    }
                    path.clear();
                    u = 2 + i;
                    on_path[u] = 0;
                    continue;
                }
                // The next arc out of `u` with flow left.
                while next[u] < first[u + 1] && rest[adj[next[u]] as usize] <= TINY {
                    next[u] += 1;
                }
                if next[u] == first[u + 1] {
                    // Nothing left out of `u`: done with this source, or a rounding remnant.
                    if path.is_empty() {
                        break;
                    }
                    let k = path.pop().expect("an arc") as usize;
                    rest[k] = 0.0;
                    on_path[u] = usize::MAX;
                    u = self.ends[k].0 as usize;
                    continue;
                }
                let k = adj[next[u]] as usize;
                let v = self.ends[k].1 as usize;
                if on_path[v] != usize::MAX {
                    // A cycle: cancel it and go on from `v`.
                    let at = on_path[v];
                    let mut cycle: Vec<u32> = path.split_off(at);
                    cycle.push(k as u32);
                    let got = cycle
                        .iter()
                        .map(|&c| rest[c as usize])
                        .fold(f64::INFINITY, f64::min);
                    for &c in &cycle {
                        rest[c as usize] -= got;
                        on_path[self.ends[c as usize].1 as usize] = usize::MAX;
                    }
                    on_path[v] = at;
                    u = v;
                    continue;
                }
                path.push(k as u32);
                on_path[v] = path.len();
                u = v;
            }
            on_path[2 + i] = usize::MAX;
            let mut shares: Vec<(Vec<u32>, f64)> = amounts.into_iter().collect();
            shares.sort_by(|a, b| a.0.cmp(&b.0));
            *row = shares;
        }
        out
    }
}

/// Flow below which an arc counts as empty in the decomposition.
const TINY: f64 = 1e-9;

/// The gates of the (resource, bucket) pairs, made when first used; `None` where the resource
/// admits nobody in the bucket. Also the links from a checkpoint's gate to a crossing road's.
struct Gates {
    made: Vec<Vec<usize>>,
    buckets: usize,
    links: std::collections::HashSet<(usize, usize)>,
}

impl Gates {
    fn new(net: &RoadNetwork, until: f64) -> Gates {
        Gates {
            made: vec![Vec::new(); net.capacity.len()],
            buckets: (until / net.bucket_s).floor() as usize + 1,
            links: Default::default(),
        }
    }

    fn of(
        &mut self,
        net: &RoadNetwork,
        x: &mut Expanded,
        r: u32,
        b: u32,
    ) -> Option<(usize, usize)> {
        let row = &mut self.made[r as usize];
        if row.is_empty() {
            *row = vec![usize::MAX; self.buckets];
        }
        let slot = &mut row[b as usize];
        if *slot == usize::MAX {
            let dt = net.bucket_s;
            let a = b as f64 * dt;
            let cap =
                net.capacity[r as usize] * open_seconds(&net.open[r as usize], a, a + dt) / dt;
            *slot = if cap > 0.0 {
                let (i, o) = (x.flow.add_node(), x.flow.add_node());
                x.add(i, o, cap, Tag::Gate(r));
                i
            } else {
                0
            };
        }
        (*slot != 0).then_some((*slot, *slot + 1))
    }
}

/// The flow's startable groups as sources (start node, people), in [`super::plan::Classes`]
/// order.
pub(crate) fn own_sources(f: &super::Flow) -> (super::plan::Classes, Vec<(u32, f64)>) {
    let classes = super::plan::Classes::of(&f.net, &f.groups);
    let sources = classes
        .startable
        .iter()
        .zip(&classes.nodes)
        .map(|(&g, &v)| (v, f.groups[g].people))
        .collect();
    (classes, sources)
}

/// The flow over time of `f`'s people on its own network from its own starts.
pub(crate) fn given_the_other_flow(f: &super::Flow) -> Option<FlowOverTime> {
    let (_, sources) = own_sources(f);
    flow_over_time(
        &super::road_bound::road_network(f, &f.net.travel_s),
        &sources,
        f.net.sink_nodes(),
        f.plan.egress_s().unwrap_or(f.net.bucket_s),
    )
}

/// Measurement printout (env `CORRIDOR_PROBE_FLOW`).
pub(crate) fn probe(f: &super::Flow) {
    let t0 = std::time::Instant::now();
    let (classes, sources) = own_sources(f);
    let x = given_the_other_flow(f);
    let secs = t0.elapsed().as_secs_f64();
    eprintln!(
        "PROBE egress {:?} method {} sources {} classes {} (sizes {:?}) only_exposed {}",
        f.plan.egress_s(),
        f.method,
        sources.len(),
        classes.class_sinks.len(),
        classes
            .class_sinks
            .iter()
            .map(|c| c.len())
            .collect::<Vec<_>>(),
        classes.rules.iter().filter(|r| r.1).count()
    );
    for (c, sinks) in classes.class_sinks.iter().enumerate() {
        let people: f64 = (0..sources.len())
            .filter(|&i| classes.class[i] == c)
            .map(|i| sources[i].1)
            .sum();
        eprintln!(
            "PROBE class {c}: {} sinks of {}, people {people:.0}",
            sinks.len(),
            f.net.sink_nodes().len()
        );
    }
    let net = super::road_bound::road_network(f, &f.net.travel_s);
    for (c, sinks) in classes.class_sinks.iter().enumerate() {
        let only: Vec<(u32, f64)> = (0..sources.len())
            .map(|i| {
                (
                    sources[i].0,
                    if classes.class[i] == c {
                        sources[i].1
                    } else {
                        0.0
                    },
                )
            })
            .collect();
        let y = flow_over_time(&net, &only, sinks, f.plan.egress_s().unwrap_or(1.0));
        eprintln!(
            "PROBE class {c} alone to its receptions: {:?} s",
            y.map(|y| y.time_s)
        );
    }
    let Some(x) = x else {
        eprintln!("PROBE flow over time: none ({secs:.2} s)");
        return;
    };
    eprintln!(
        "PROBE flow over time given the other flow: {:.0} s = {:.3} h; counted {:.0}; nodes {} arcs {}; {secs:.2} s",
        x.time_s, x.time_s / 3600.0, x.people_counted, x.nodes, x.arcs
    );
    let mut full: Vec<(usize, usize)> = x
        .full_buckets
        .iter()
        .copied()
        .enumerate()
        .filter(|p| p.1 > 0)
        .collect();
    full.sort_by_key(|p| std::cmp::Reverse(p.1));
    for (r, n) in full.iter().take(15) {
        let info = &f.net.resources[*r];
        eprintln!(
            "PROBE full {n} buckets: r{r} {} {:?} {}/h",
            info.name, info.osm_way_id, info.capacity_per_hour
        );
    }
    let mut sig: HashMap<Vec<u32>, f64> = HashMap::new();
    for row in &x.shares {
        for (s, p) in row {
            *sig.entry(s.clone()).or_insert(0.0) += p;
        }
    }
    let mut sig: Vec<_> = sig.into_iter().collect();
    sig.sort_by(|a, b| b.1.total_cmp(&a.1));
    for (s, p) in sig.iter().take(15) {
        eprintln!("PROBE signature {s:?}: {p:.0}");
    }
}

/// Measurement printout (env `CORRIDOR_PROBE_FLOW`): the civilians' flow over time from their
/// planner's starts on their network with only `closed` pieces closed besides the mandatory
/// ones.
pub(crate) fn probe_closed(
    label: &str,
    civilian_net: &super::network::Network,
    closed: &std::collections::HashSet<super::network::Segment>,
    units: &[super::Unit],
    civilians: &[Vec<(usize, f64)>],
) {
    let mut net = civilian_net.clone();
    net.close_segments(closed);
    let Ok(f) = super::plan_flow(net, units, civilians) else {
        eprintln!("PROBE {label}: no plan");
        return;
    };
    let lost: f64 = (0..f.groups.len()).map(|g| f.stranded(g)).sum();
    let x = given_the_other_flow(&f);
    eprintln!(
        "PROBE {label}: {} pieces closed; plan egress {:?} stranded {lost:.0}; flow over time {:?}",
        closed.len(),
        f.plan.egress_s(),
        x.map(|x| x.time_s)
    );
}

/// The road pieces of every edge of OSM way `way` in `net` (probe).
pub(crate) fn way_pieces(
    net: &super::network::Network,
    way: i64,
) -> std::collections::HashSet<super::network::Segment> {
    let mut out = std::collections::HashSet::new();
    for &(l, pa) in &net.arc_of {
        let g = net.layers[l].graph;
        let e = g.arc_edge(pa).0;
        if g.edges.way_id[e as usize] == way {
            out.extend(super::network::segments(g, e));
        }
    }
    out
}
