//! The flow over time of one flow's people on its own network (the other flow's roads closed):
//! how early they could leave GIVEN the other flow's routing, and from which start nodes —
//! where the planner starts each cell's people before CCRP schedules them
//! ([`super::plan::replan_by_flow_over_time`]).
//!
//! **The time-expanded network** (as s7-flow-bound's bound, here on the plan's own roads):
//! `Δ` is the bucket; copies `(v, b)` of a node stand for "leaves `v` in bucket `b`" for
//! `first(v) ≤ b ≤ last(v)` (`first` from the least time from any start, `last` from the least
//! time to a reception and the horizon `T`); an arc entered in bucket `b` lands in bucket
//! `max(b + ⌊t / Δ⌋, first(head))`; waiting arcs `(v, b) → (v, b + 1)`; per (resource, bucket)
//! one gate of capacity `capacity × open share of the bucket` that every copy of an arc of that
//! resource entered in that bucket passes (a crossing road passes its checkpoint's gate and
//! then its own road's, as `verify` counts both); for the bound ([`time_bound`]) the gates
//! count at the resource's rate instead ([`RatedGate`]: within the bucket, only from the first
//! moment anyone can reach the resource and while an exit can still be reached by `T`).
//! A super-source gives each cell its people,
//! who may enter any of the cell's start nodes in bucket 0; each reception's last copy leads to
//! the super-sink. The least `T` at which everyone gets out (bisected to a tenth of a bucket, each
//! probe continuing the flow of the last infeasible one) is reported.
//!
//! **What it is.** Every plan of the planner's model on these roads from these starts maps to
//! a flow in this network (each person's entry buckets), so the time is below the optimum for
//! *those* roads and starts (not over every combatant routing: a yardstick). It relaxes travel
//! within buckets (rounded down, partly recovered by the `first` clamp), a gate's flow leaving
//! by another arc of its resource than it entered (both directions of a road, two crossing
//! roads of one checkpoint), the exposure rule (every reception open to everyone) and the
//! one-checkpoint rule.
//!
//! **The starts.** The flow at the reported time on each arc from a cell to one of its start
//! nodes is how many of the cell's people start there: the planner takes that split and lets
//! CCRP route them (forbidding the other bottleneck roads to each share, as the road cut's
//! assignment does, was measured and lost: BENCHMARKS.md, "Andorra roads bind: where the plan
//! loses").

use super::maxflow::{MaxFlow, SavedFlow};
use super::road_bound::RoadNetwork;
use crate::ccrp::open_seconds;
use corridor_routing::{OneToAll, Seed, INVALID};

/// Nodes beyond which the network is not built (`None`): Andorra with roads binding (about
/// 6 h in 300-s buckets, any start within 500 m) needs 143,000 (0.5 s); Liechtenstein with
/// roads binding (9 h) over a million, tens of seconds — more than a plan may take.
pub const MAX_NODES: usize = 300_000;

/// Bucket multiples the planner tries, in order, until the network fits [`MAX_NODES`]
/// (capacities per bucket scaled alike): coarser buckets round travel further down, but the
/// planner takes only the starts from the flow (Liechtenstein roads bind: 16 × 300 s, 210,000
/// nodes, 0.2 s; the same starts' plan as with 8 × 300 s).
pub const COARSER: [f64; 5] = [1.0, 2.0, 4.0, 8.0, 16.0];

/// The flow over time of one flow's people.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowOverTime {
    /// No plan on these roads from these starts gets everyone out before this (seconds; at
    /// most a tenth of a bucket below the least time at which the relaxation gets everyone
    /// out).
    pub time_s: f64,
    /// People counted (those with a start that reaches a reception).
    pub people_counted: f64,
    /// Nodes and arcs of the largest time-expanded network built.
    pub nodes: usize,
    pub arcs: usize,
    /// Per source (in the order given): its people per start node in the flow at `time_s`.
    pub starts: Vec<Vec<(u32, f64)>>,
}

/// The flow over time of `sources` (start nodes — any of them —, people) to any of `sinks` on
/// `net`; `None` if
/// nobody can reach a reception, everyone stands on one, not everyone leaves within the
/// horizon, or the network would exceed [`MAX_NODES`]. `guess_s` is a time by which everyone
/// can probably leave (a plan's egress): the network is built up to it and doubled while too
/// short; the time found does not depend on it.
pub fn flow_over_time(
    net: &RoadNetwork,
    sources: &[(Vec<u32>, f64)],
    sinks: &[u32],
    guess_s: f64,
) -> Option<FlowOverTime> {
    let times = Times::new(net, sources, sinks)?;
    let mut until = guess_s.max(net.bucket_s).min(net.horizon_s);
    let mut saved = Saved::default();
    loop {
        let mut x = Expanded::build(net, &times, until, &[], MAX_NODES, false)?;
        let size = (x.flow.node_count(), x.flow.arc_count());
        x.save(&mut saved);
        if x.reaches_everyone(0.0) {
            return None;
        }
        x.restore(&saved);
        if let Some((time_s, starts)) = bisect(&mut x, &mut saved, (0.0, until), 0.1 * net.bucket_s)
        {
            return Some(FlowOverTime {
                time_s,
                people_counted: times.total,
                nodes: size.0,
                arcs: size.1,
                starts,
            });
        }
        if until >= net.horizon_s {
            return None;
        }
        until = (2.0 * until).min(net.horizon_s);
    }
}

/// Buckets above the flow over time's least time at which the planner takes a second split
/// of starts ([`starts_at`]): at the least time every bottleneck is full in every bucket, and
/// the flow's split is the one that just fits; a little later the maximum flow (found afresh)
/// spreads the cells differently and CCRP, which cannot keep a tight split's timing, does
/// better from it. Andorra roads bind (BENCHMARKS.md, "A little slack"): 0.25–1 bucket gives
/// 22,655 s on both cases against 22,847 / 22,823 s at the least time; 1.25–2 buckets
/// 22,709–22,745 s; 3 buckets 23,009–23,045 s.
pub const SLACK_BUCKETS: f64 = 0.5;

/// Nodes beyond which the bound's network ([`time_bound`]) is not built: Malta with roads
/// binding (250,000 people, its plan's egress 4.8 h) has 3.9 million nodes in 600-s buckets
/// (1 GB, 3.6 s on one core) and 7–9 million in 300-s buckets (4 GB, 17 s): the bound takes the
/// coarser, which lies 19 s lower (BENCHMARKS.md, "A bound from the flow over time").
pub const BOUND_MAX_NODES: usize = 6_000_000;

/// A lower bound from the flow over time ([`time_bound`]).
#[derive(Debug, Clone, PartialEq)]
pub struct TimeBound {
    /// Not everyone can be out before this (seconds): the relaxation cannot get everyone out
    /// by it.
    pub time_s: f64,
    /// The bucket of the time-expanded network it was found on (seconds).
    pub bucket_s: f64,
    /// Counted at the roads' rates ([`RatedGate`]); false: in whole buckets, where the plan's
    /// egress lay below what the rate allows ([`time_bound`]).
    pub at_rate: bool,
    pub people_counted: f64,
    pub nodes: usize,
    pub arcs: usize,
}

/// What [`time_bound`] found.
#[derive(Debug, Clone, PartialEq)]
pub enum TimeBoundOutcome {
    /// The time-expanded network would exceed the node limit (try coarser buckets).
    TooLarge,
    /// The relaxation gets everyone out by `above_s` (or nobody can move, or not everyone
    /// by `upto_s`): it adds nothing.
    NotAbove,
    Bound(TimeBound),
}

/// **A lower bound over every plan**, where `net` and `sources` are the road bound's (the
/// bound's travel times, every start a cell may take under any routing of the other flow):
/// the flow over time's relaxation keeps every road's and checkpoint's capacity in every
/// bucket at once, where the road bound keeps only the roads leaving one cut. Why it holds:
/// every plan of the planner's model maps to a flow in the time-expanded network (module
/// docs: each person's entry buckets, travel rounded down, each (resource, bucket) at most its
/// capacity times the bucket's open share, as `verify` counts), so if the maximum flow for
/// time `T` cannot carry everyone, no plan gets everyone out by `T`. The gates count each
/// road and checkpoint at its rate ([`RatedGate`]) — people pass it one after another, as the
/// plan's egress counts them, not a whole bucket's capacity in its last second — which lifts
/// the bound by up to a bucket at each end of a bottleneck's busy time (Malta roads bind:
/// 16,649 → 16,886 s, BENCHMARKS.md "The bound at the roads' rate"); so it holds for plans at
/// the rate, the model of the egress the report states, and lies at most a step above the
/// optimum of a model in whole steps (`tests/evacuate_road_bound.rs` checks it against the
/// optimum in quarter steps).
///
/// `above_s`: a valid bound already known; the network is probed there first and, if
/// everyone gets out by then, nothing more is done. `upto_s`: a time by which everyone can
/// leave (the plan's egress): the network is built to it once and the least time bisected
/// between the two to a tenth of a bucket, each probe continuing the flow of the last
/// infeasible one.
///
/// Where the relaxation at the rate cannot get everyone out by `upto_s`, the plan's egress
/// lies below what any plan at the rate achieves: the planner's queue pass
/// ([`crate::ccrp`]) takes each group as ready at its planned entry to a road, although a group
/// held back upstream trickles in at the slower rate (review of session 14: two roads of 1 and
/// 2 a second in a row, egress 3.0 s where 3.45 s is the least possible). The bound is then
/// counted in whole buckets — the model in which every plan the planner makes is feasible
/// (`TimeBound::at_rate` false) — rather than reported above the plan's own egress.
pub fn time_bound(
    net: &RoadNetwork,
    sources: &[(Vec<u32>, f64)],
    sinks: &[u32],
    above_s: f64,
    upto_s: f64,
    max_nodes: usize,
) -> TimeBoundOutcome {
    let Some(times) = Times::new(net, sources, sinks) else {
        return TimeBoundOutcome::NotAbove;
    };
    let until = upto_s.min(net.horizon_s);
    if until <= above_s {
        return TimeBoundOutcome::NotAbove;
    }
    match time_bound_counting(net, &times, (above_s, until), max_nodes, true) {
        Counted::Bound(b) => return TimeBoundOutcome::Bound(b),
        Counted::TooLarge => return TimeBoundOutcome::TooLarge,
        Counted::NotAbove => return TimeBoundOutcome::NotAbove,
        Counted::NotByUntil => {}
    }
    match time_bound_counting(net, &times, (above_s, until), max_nodes, false) {
        Counted::Bound(b) => TimeBoundOutcome::Bound(b),
        Counted::TooLarge => TimeBoundOutcome::TooLarge,
        Counted::NotAbove => TimeBoundOutcome::NotAbove,
        Counted::NotByUntil => {
            // Every plan of the planner is a flow of the whole-bucket network, so not getting
            // everyone out by its egress means the plan and this network disagree (a bug the
            // tests should see; in a release build nothing is reported rather than a bound
            // above a plan).
            debug_assert!(
                until < upto_s,
                "the relaxation in whole buckets cannot get everyone out by the plan's egress {upto_s} s (above {above_s})"
            );
            TimeBoundOutcome::NotAbove
        }
    }
}

/// What one count of [`time_bound`] found.
enum Counted {
    Bound(TimeBound),
    TooLarge,
    /// Everyone gets out by the known bound: nothing to add.
    NotAbove,
    /// Not everyone gets out by the end of the span.
    NotByUntil,
}

/// [`time_bound`] counted at the rate or in whole buckets, on `(above_s, until)`.
fn time_bound_counting(
    net: &RoadNetwork,
    times: &Times,
    (above_s, until): (f64, f64),
    max_nodes: usize,
    at_rate: bool,
) -> Counted {
    let Some(mut x) = Expanded::build(net, times, until, &[], max_nodes, at_rate) else {
        return Counted::TooLarge;
    };
    let size = (x.flow.node_count(), x.flow.arc_count());
    if x.reaches_everyone(above_s.max(0.0)) {
        return Counted::NotAbove;
    }
    let mut saved = Saved::default();
    let span = (above_s.max(0.0), until);
    let Some((lo, _)) = bisect(&mut x, &mut saved, span, 0.1 * net.bucket_s) else {
        return Counted::NotByUntil;
    };
    Counted::Bound(TimeBound {
        time_s: lo,
        bucket_s: net.bucket_s,
        at_rate,
        people_counted: times.total,
        nodes: size.0,
        arcs: size.1,
    })
}

/// Per source (in the order given): its people per start node in a maximum flow, found from
/// scratch, of the network for time `t`; `None` where [`flow_over_time`] would give none or
/// not everyone gets out by `t`.
pub fn starts_at(
    net: &RoadNetwork,
    sources: &[(Vec<u32>, f64)],
    sinks: &[u32],
    t: f64,
) -> Option<Vec<Vec<(u32, f64)>>> {
    let times = Times::new(net, sources, sinks)?;
    let mut x = Expanded::build(net, &times, t, &[], MAX_NODES, false)?;
    x.reaches_everyone(t).then(|| x.starts())
}

/// [`starts_at`] with a second choice of starts: per source, `held` start nodes (beside its
/// own) that the maximum flow may use only once it has sent all it can from the own ones — so
/// a source's people use a held node (a driving cell's foot node) only where the own ones
/// (its car nodes) cannot get them out by `t`. Of the many maximum flows, the one that leaves
/// people in their own mode where it can: the planner's choice of mode per cell
/// ([`super::plan::replan_by_flow_over_time`]).
pub fn starts_at_preferring(
    net: &RoadNetwork,
    sources: &[(Vec<u32>, f64)],
    held: &[Vec<u32>],
    sinks: &[u32],
    t: f64,
) -> Option<Vec<Vec<(u32, f64)>>> {
    let all: Vec<(Vec<u32>, f64)> = sources
        .iter()
        .zip(held)
        .map(|((own, p), h)| {
            let mut v = own.clone();
            v.extend(h.iter().filter(|x| !own.contains(x)));
            (v, *p)
        })
        .collect();
    let times = Times::new(net, &all, sinks)?;
    let mut x = Expanded::build(net, &times, t, held, MAX_NODES, false)?;
    x.reaches_everyone(t);
    for &e in &x.held {
        x.flow.raise(e, f64::INFINITY);
    }
    x.reaches_everyone(t).then(|| x.starts())
}

/// The largest `T` (to `tolerance_s`) between `from` (a time at which `x`'s flow is known not
/// to get everyone out) and `until` at which not everyone gets out, and the starts
/// ([`Expanded::starts`]) of the flow of the least feasible probe; `None` if not everyone gets
/// out by `until`. Each probe continues the flow of the last infeasible one
/// (`x` holds it: a feasible probe is undone, [`Expanded::restore`]). The planner bisects to a
/// tenth of a bucket: about 8 probes fewer than to half a second on 300-s buckets, the same
/// starts on Andorra roads bind (to half a bucket they were worse: 6.405 h against 6.346 h;
/// BENCHMARKS.md).
fn bisect(
    x: &mut Expanded,
    saved: &mut Saved,
    (from, until): (f64, f64),
    tolerance_s: f64,
) -> Option<(f64, Starts)> {
    let (mut lo, mut hi) = (from, until);
    let mut hi_starts = None;
    while hi - lo > tolerance_s {
        let mid = 0.5 * (lo + hi);
        x.save(saved);
        if x.reaches_everyone(mid) {
            hi = mid;
            hi_starts = Some(x.starts());
            x.restore(saved);
        } else {
            lo = mid;
        }
    }
    let starts = match hi_starts {
        Some(s) => s,
        None => {
            x.reaches_everyone(until).then_some(())?;
            x.starts()
        }
    };
    Some((lo, starts))
}

/// Per source: its people per start node.
type Starts = Vec<Vec<(u32, f64)>>;

/// Shortest times the network needs, and the people it counts.
struct Times {
    earliest: Vec<f64>,
    to_sink: Vec<f64>,
    /// Per source: its people if a start reaches a reception, else 0.
    people: Vec<f64>,
    /// Per source: its starts from which a reception is reached.
    nodes: Vec<Vec<u32>>,
    total: f64,
    sinks: Vec<u32>,
}

impl Times {
    fn new(net: &RoadNetwork, sources: &[(Vec<u32>, f64)], sinks: &[u32]) -> Option<Times> {
        if sinks.is_empty() {
            return None;
        }
        let g = net.graph;
        let mut q = OneToAll::new(g);
        let seeds: Vec<Seed> = sinks.iter().map(|&v| Seed { node: v, cost: 0.0 }).collect();
        q.run(g, net.travel_s, &seeds, f64::INFINITY, true);
        let to_sink: Vec<f64> = (0..g.node_count() as u32).map(|v| q.cost(v)).collect();
        let nodes: Vec<Vec<u32>> = sources
            .iter()
            .map(|(starts, _)| {
                let useful = starts.iter().copied();
                useful
                    .filter(|&v| to_sink[v as usize].is_finite())
                    .collect()
            })
            .collect();
        let people: Vec<f64> = sources
            .iter()
            .zip(&nodes)
            .map(|((_, p), n)| if *p > 0.0 && !n.is_empty() { *p } else { 0.0 })
            .collect();
        let total: f64 = people.iter().sum();
        if total <= 0.0 {
            return None;
        }
        let seeds: Vec<Seed> = nodes
            .iter()
            .zip(&people)
            .filter(|x| *x.1 > 0.0)
            .flat_map(|(n, _)| n.iter().map(|&v| Seed { node: v, cost: 0.0 }))
            .collect();
        q.run(g, net.travel_s, &seeds, f64::INFINITY, false);
        Some(Times {
            earliest: (0..g.node_count() as u32).map(|v| q.cost(v)).collect(),
            to_sink,
            people,
            nodes,
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
struct Expanded {
    flow: MaxFlow,
    /// Sources (the starts' rows).
    sources: usize,
    /// Per arc from a source to its start's first copy: the source, the start, the arc.
    start_arcs: Vec<(usize, u32, usize)>,
    /// (deadline, arc): opened (capacity unlimited) for `T ≥ deadline`; sorted by deadline.
    due: Vec<(f64, usize)>,
    /// Start arcs to held nodes ([`starts_at_preferring`]): closed until raised.
    held: Vec<usize>,
    opened: usize,
    value: f64,
    total: f64,
    /// Gates counted at their resource's rate ([`RatedGate`]; built `at_rate`, else none),
    /// sorted by the time from which their capacity grows with `T`.
    rated: Vec<RatedGate>,
    /// The time up to which the rated gates have been raised.
    rated_at: f64,
    /// Per resource its opening windows, for the rated gates.
    rated_open: Vec<Option<Vec<(f64, f64)>>>,
    bucket_s: f64,
}

/// A (resource, bucket) gate counted at the resource's rate: people enter a road or checkpoint
/// one after another at `capacity / bucket` a second while it is open (as the plan's egress
/// counts them, [`crate::ccrp`]'s queue), only once someone can have reached it (`from`: the
/// bucket's start or the resource's earliest entry) and only while an exit can still be reached
/// by the end time `T` (before `T − onward`). Its capacity for `T` is the rate times the open
/// seconds of `[from, min(to, T − onward))` — at most the whole bucket's, and growing with
/// `T` (raised as the bisection probes later times).
#[derive(Clone, Copy)]
struct RatedGate {
    arc: usize,
    resource: u32,
    /// People per second while open.
    per_s: f64,
    /// The bucket's start, or the earliest anyone reaches an arc of the resource if later.
    from: f64,
    /// The bucket's end.
    to: f64,
    /// The least time from entering an arc of the resource to a reception (its travel and
    /// on).
    onward: f64,
}

impl RatedGate {
    fn starts(&self) -> f64 {
        self.from + self.onward
    }

    fn capacity(&self, open: &Option<Vec<(f64, f64)>>, t: f64) -> f64 {
        let z = self.to.min(t - self.onward);
        if z <= self.from {
            return 0.0;
        }
        self.per_s * open_seconds(open, self.from, z)
    }
}

impl Expanded {
    /// `held` (per source, may be empty): start nodes whose arcs are made closed. `at_rate`:
    /// gates counted at their resources' rates ([`RatedGate`]: the bound's; the planner's
    /// starts count whole buckets). `None` if the network would have more than `max_nodes`
    /// nodes.
    fn build(
        net: &RoadNetwork,
        times: &Times,
        until: f64,
        held: &[Vec<u32>],
        max_nodes: usize,
        at_rate: bool,
    ) -> Option<Expanded> {
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
        if nodes + gate_nodes_at_least(net, times, &copies, until) > max_nodes {
            return None;
        }
        let mut x = Expanded {
            flow: MaxFlow::new(nodes),
            sources: times.people.len(),
            start_arcs: Vec::new(),
            due: Vec::new(),
            held: Vec::new(),
            opened: 0,
            value: 0.0,
            total: times.total,
            rated: Vec::new(),
            rated_at: f64::NEG_INFINITY,
            rated_open: if at_rate {
                net.open.to_vec()
            } else {
                Vec::new()
            },
            bucket_s: dt,
        };
        for (i, (&p, starts)) in times.people.iter().zip(&times.nodes).enumerate() {
            if p <= 0.0 {
                continue;
            }
            x.flow.add(SOURCE, 2 + i, p);
            for &v in starts {
                if let Some(c) = copies[v as usize].at(0) {
                    let later = held.get(i).is_some_and(|h| h.contains(&v));
                    let e = x
                        .flow
                        .add(2 + i, c, if later { 0.0 } else { f64::INFINITY });
                    if later {
                        x.held.push(e);
                    }
                    x.start_arcs.push((i, v, e));
                }
            }
        }
        for c in copies.iter().filter(|c| c.count > 0) {
            for k in 0..c.count as usize - 1 {
                x.flow.add(c.base + k, c.base + k + 1, f64::INFINITY);
            }
        }
        for &v in &times.sinks {
            let c = copies[v as usize];
            if c.count > 0 {
                x.flow
                    .add(c.base + c.count as usize - 1, SINK, f64::INFINITY);
            }
        }
        let mut gates = Gates::new(net, until);
        if at_rate {
            let mut entry = vec![(f64::INFINITY, f64::INFINITY); net.capacity.len()];
            for a in 0..g.arc_count() as u32 {
                let t = net.travel_s[a as usize];
                if !t.is_finite() {
                    continue;
                }
                let e = times.earliest[g.arc_tail(a) as usize];
                let o = t + times.to_sink[g.arc_head(a) as usize];
                for r in net.resources_of(a as usize) {
                    let x = &mut entry[r as usize];
                    *x = (x.0.min(e), x.1.min(o));
                }
            }
            gates.rated = Some(entry);
        }
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
            let mut rs = [INVALID; 2];
            let mut count = 0;
            for r in net.resources_of(a as usize) {
                rs[count] = r;
                count += 1;
            }
            let rs = &rs[..count];
            if x.flow.node_count() > max_nodes {
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
                x.arc_copy(net, &mut gates, rs, b, (from, to), deadline);
            }
        }
        x.due.sort_by(|p, q| p.0.total_cmp(&q.0));
        x.rated.sort_by(|p, q| p.starts().total_cmp(&q.starts()));
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
        let mut pairs = [(0, 0); 2];
        for (k, &r) in rs.iter().enumerate() {
            match gates.of(net, self, r, b) {
                Some(p) => pairs[k] = p,
                None => return,
            }
        }
        let pairs = &pairs[..rs.len()];
        let Some(&(first_in, _)) = pairs.first() else {
            let e = self.flow.add(from, to, 0.0);
            self.due.push((deadline, e));
            return;
        };
        let e = self.flow.add(from, first_in, 0.0);
        self.due.push((deadline, e));
        // A crossing road: from its checkpoint's gate into its own road's.
        for w in pairs.windows(2) {
            let link = (w[0].1, w[1].0);
            if gates.links.insert(link) {
                self.flow.add(link.0, link.1, f64::INFINITY);
            }
        }
        let last_out = pairs.last().expect("a gate").1;
        let e = self.flow.add(last_out, to, 0.0);
        self.due.push((deadline, e));
    }

    /// Copies the present flow (and the arcs opened) into `into`.
    fn save(&mut self, into: &mut Saved) {
        self.flow.save(&mut into.flow);
        (into.opened, into.value, into.rated_at) = (self.opened, self.value, self.rated_at);
    }

    /// Returns to the flow [`Expanded::save`]d in `from`.
    fn restore(&mut self, from: &Saved) {
        self.flow.restore(&from.flow);
        (self.opened, self.value, self.rated_at) = (from.opened, from.value, from.rated_at);
    }

    /// Opens the arcs due by `t` and continues the maximum flow: whether everyone gets out.
    fn reaches_everyone(&mut self, t: f64) -> bool {
        while self.opened < self.due.len() && self.due[self.opened].0 <= t {
            self.flow.raise(self.due[self.opened].1, f64::INFINITY);
            self.opened += 1;
        }
        if t > self.rated_at {
            // Gates still growing at the last time, or started since: a gate grows for at
            // most a bucket after it starts.
            let low = self.rated_at - self.bucket_s;
            let first = self.rated.partition_point(|g| g.starts() <= low);
            for g in &self.rated[first..] {
                if g.starts() >= t {
                    break;
                }
                let c = g.capacity(&self.rated_open[g.resource as usize], t);
                if c > self.flow.capacity(g.arc) {
                    self.flow.raise(g.arc, c);
                }
            }
            self.rated_at = t;
        }
        self.value += self.flow.run_blocking(SOURCE, SINK);
        self.value >= self.total * (1.0 - 1e-9) - 1e-6
    }

    /// Per source: its people per start node in the present flow (the flow on each arc from
    /// the source to its start's first copy).
    fn starts(&self) -> Vec<Vec<(u32, f64)>> {
        let mut out = vec![Vec::new(); self.sources];
        for &(i, v, e) in &self.start_arcs {
            let people = self.flow.flow_on(e);
            if people > 1e-9 {
                out[i].push((v, people));
            }
        }
        out
    }
}

/// Nodes the gates of a network for `until` take at least: per resource, two per bucket in
/// which one arc of it alone is entered (a copy of its tail there, an exit reachable from its
/// head by `until`, the resource open for some of the bucket; an arc's second resource is not
/// counted) — counted before building, so
/// that a network too large is refused at once (Malta roads bind in 300-s buckets: half a
/// second spent building 6 million nodes before, BENCHMARKS.md).
fn gate_nodes_at_least(net: &RoadNetwork, times: &Times, copies: &[Copies], until: f64) -> usize {
    let g = net.graph;
    let dt = net.bucket_s;
    // Per resource, the longest span of buckets one of its arcs is entered in.
    let mut span: Vec<Option<(u32, u32)>> = vec![None; net.capacity.len()];
    for a in 0..g.arc_count() as u32 {
        let t = net.travel_s[a as usize];
        let (tail, head) = (
            copies[g.arc_tail(a) as usize],
            copies[g.arc_head(a) as usize],
        );
        if !t.is_finite() || tail.count == 0 || head.count == 0 {
            continue;
        }
        let latest = until - t - times.to_sink[g.arc_head(a) as usize];
        if latest < tail.first as f64 * dt {
            continue;
        }
        // Less one bucket: the build tests `b·Δ + onward > until`, which rounding may decide
        // the other way in the last bucket.
        let last = tail.last().min((latest / dt).floor() as u32);
        if last <= tail.first {
            continue;
        }
        let last = last - 1;
        // The arc's first resource only: a crossing road's own gate is made only where its
        // checkpoint's is (review of session 14: counting it in the checkpoint's closed
        // buckets refused networks that fit).
        let r = net.resource[a as usize];
        if r != INVALID {
            let s = &mut span[r as usize];
            if s.is_none_or(|(f, l)| l - f < last - tail.first) {
                *s = Some((tail.first, last));
            }
        }
    }
    let open_buckets = |r: usize, (first, last): (u32, u32)| {
        if net.capacity[r] <= 0.0 {
            return 0;
        }
        if net.open[r].is_none() {
            return (last - first + 1) as usize;
        }
        (first..=last)
            .filter(|&b| {
                let a0 = b as f64 * dt;
                open_seconds(&net.open[r], a0, a0 + dt) > 0.0
            })
            .count()
    };
    let gates: usize = span
        .iter()
        .enumerate()
        .filter_map(|(r, s)| s.map(|s| open_buckets(r, s)))
        .sum();
    2 * gates
}

/// A copy of an [`Expanded`]'s flow, to undo a probe.
#[derive(Default)]
struct Saved {
    flow: SavedFlow,
    opened: usize,
    value: f64,
    rated_at: f64,
}

/// The gates of the (resource, bucket) pairs, made when first used; `None` where the resource
/// admits nobody in the bucket. Also the links from a checkpoint's gate to a crossing road's.
struct Gates {
    made: Vec<Vec<usize>>,
    buckets: usize,
    links: std::collections::HashSet<(usize, usize)>,
    /// Per resource, its earliest entry and least onward time: gates limited by the rate
    /// ([`RatedGate`]); `None` = whole buckets.
    rated: Option<Vec<(f64, f64)>>,
}

impl Gates {
    fn new(net: &RoadNetwork, until: f64) -> Gates {
        Gates {
            made: vec![Vec::new(); net.capacity.len()],
            buckets: (until / net.bucket_s).floor() as usize + 1,
            links: Default::default(),
            rated: None,
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
                match &self.rated {
                    None => {
                        x.flow.add(i, o, cap);
                    }
                    Some(entry) => {
                        let (e, onward) = entry[r as usize];
                        let arc = x.flow.add(i, o, 0.0);
                        x.rated.push(RatedGate {
                            arc,
                            resource: r,
                            per_s: net.capacity[r as usize] / dt,
                            from: a.max(e),
                            to: a + dt,
                            onward,
                        });
                    }
                }
                i
            } else {
                0
            };
        }
        (*slot != 0).then_some((*slot, *slot + 1))
    }
}
