//! A lower bound that counts road capacities: the time no plan can beat because everyone has
//! to cross some set of roads that admit only so many people per bucket.
//!
//! The checkpoint bound ([`super::bound`]) relaxes road capacities: where streets, not
//! checkpoints, are the bottleneck it lies far below every plan and says nothing about their
//! quality. This one takes a *cut* of the network — a set `S` of nodes holding every start node
//! of the people it counts and no reception — and the same relaxed schedule as the checkpoint
//! bound with the roads leaving `S` in the checkpoints' place.
//!
//! **Why it is ≤ the exact optimum.** Take any plan of the planner's model — people leaving
//! from the network's start nodes for its reception nodes, every road and checkpoint load per
//! bucket within what `verify` checks — and let `E` be the last arrival of anyone in it (the
//! planner's reported egress, `last_arrive_s`, is later still);
//! `Δ` is the bucket. For each person `p` starting in `S` let `a_p` be the first arc of their
//! route that leaves `S`, entered at `τ_p`, in bucket `b_p = ⌊τ_p / Δ⌋`, of resource `r_p` (a
//! road — both directions of an edge — or a checkpoint, all its crossing roads in both modes).
//!
//! 1. The route before `a_p` lies in `S`, so `τ_p ≥ reach_S(p, r_p)`, the shortest travel
//!    time from `p`'s start to the tail of an arc of `r_p` leaving `S` over arcs inside `S`;
//!    hence `b_p ≥ ⌊reach_S / Δ⌋`.
//! 2. `p` arrives no earlier than `τ_p + t(a_p) + d(head a_p)` (`d`: shortest time to any
//!    reception) `≥ b_p Δ + onward(r_p)`, `onward` the least `t(a) + d(head a)` over `r_p`'s
//!    arcs leaving `S`; so `b_p Δ + onward(r_p) ≤ E`.
//! 3. The people with `(r_p, b_p) = (r, b)` are among those the plan counts on resource `r` in
//!    bucket `b`, which `verify` holds to `r`'s capacity times the open share of `b`.
//!
//! So putting each `p` on `(r_p, b_p)` is a relaxed schedule finishing by `E`: every group's
//! people on (resource, bucket) pairs with `⌊reach_S / Δ⌋ ≤ b ≤ ⌊(E − onward) / Δ⌋`, within
//! each pair's capacity. [`super::bound::lower_bound`] decides by one maximum flow whether
//! such a schedule exists for a time `T` (Hall's condition for every subset of groups and
//! resources at once); existence is monotone in `T`, and it returns a `T` (to half a second)
//! at which none exists — so `T < E`. Nothing used the plan: `S` only has to hold the counted
//! people's starts and no reception, so every `S` gives a valid bound and so does the largest
//! over several. People starting outside `S` are left out, and fewer people only lower it.
//!
//! Relaxed: everything before the first exit from `S` except its shortest travel time (the
//! roads inside `S` are uncapacitated), everything after it except the shortest onward time,
//! the exposure rule for flows whose rule depends on their own routing (the combatants: every
//! reception open to everyone; the civilians' is decided once on the bound's roads, so
//! [`road_bound_to`] counts each of their cells towards its own receptions), the separation
//! from combatants
//! except the road pieces every combatant routing must use (closed in the network's bound
//! travel times), and the one-checkpoint rule. Which `S`: the source sides of minimum cuts of a
//! static flow (each road at its capacity over `H` hours, each group's people as its supply)
//! at the hours `H` around the least at which everyone fits — the cuts whose capacity per
//! person is smallest — each evaluated, the largest kept. The choice of `S` affects only how
//! tight the bound is, never whether it holds.

use super::bound::{lower_bound, BoundCheckpoint, BoundGroup, BoundInstance};
use super::maxflow::MaxFlow;
use corridor_routing::{Graph, OneToAll, Seed, INVALID};

/// The network the road bound is computed on (the planner's, with the bound's travel times).
pub struct RoadNetwork<'a> {
    pub graph: &'a Graph,
    /// Per arc, seconds; `INFINITY` = closed to this flow in every plan.
    pub travel_s: &'a [f64],
    /// Per arc: its capacity resource (`INVALID` = unlimited).
    pub resource: &'a [u32],
    /// Per arc: the crossing road's own resource where `resource` is its checkpoint
    /// (`INVALID` = none; empty = none anywhere).
    pub second_resource: &'a [u32],
    /// Per resource: people per bucket when open the whole bucket.
    pub capacity: &'a [f64],
    /// Per resource: opening windows (seconds from the start), `None` = always open.
    pub open: &'a [Option<Vec<(f64, f64)>>],
    pub bucket_s: f64,
    /// Give up beyond this (seconds).
    pub horizon_s: f64,
}

impl RoadNetwork<'_> {
    /// The capacity resources arc `a` draws on (none, one, or a checkpoint and its crossing
    /// road's own).
    pub(crate) fn resources_of(&self, a: usize) -> impl Iterator<Item = u32> + '_ {
        let second = self.second_resource.get(a).copied().unwrap_or(INVALID);
        [self.resource[a], second]
            .into_iter()
            .filter(|&r| r != INVALID)
    }

    /// People per bucket the own road of crossing arc `a` admits (`INFINITY` for other arcs).
    fn crossing_road(&self, a: u32) -> f64 {
        match self.second_resource.get(a as usize) {
            Some(&r) if r != INVALID => self.capacity[r as usize],
            _ => f64::INFINITY,
        }
    }
}

/// People who start at one of `starts` (any of them: the bound holds for every pick).
#[derive(Debug, Clone, PartialEq)]
pub struct StartingPeople {
    pub starts: Vec<u32>,
    pub people: f64,
}

/// The road bound and the cut that gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct RoadBound {
    /// No plan gets the counted people to a reception before this (seconds).
    pub time_s: f64,
    /// The resources whose arcs leave the cut (roads and checkpoints), sorted.
    pub cut_resources: Vec<u32>,
    /// People inside the cut (counted by the bound).
    pub people_counted: f64,
    /// Per graph node: inside the cut (its source side).
    pub inside: Vec<bool>,
    /// The relaxed schedule just after `time_s`: per counted entry of the people given (its
    /// index), the people per cut resource (in the order of `cut_resources`).
    pub assignment: Vec<(usize, Vec<f64>)>,
}

/// The road bound of `people` going to any of `sinks`; `None` if there is nobody to move or no
/// cut separates them from the sinks.
pub fn road_bound(
    net: &RoadNetwork,
    people: &[StartingPeople],
    sinks: &[u32],
) -> Option<RoadBound> {
    road_bound_to(net, people, sinks, None)
}

/// Which receptions each entry of the people may use (the exposure rule): per entry the index
/// of its set in `sets`, each set a subset of the bound's sinks.
#[derive(Debug, Clone, PartialEq)]
pub struct Receptions {
    pub class_of: Vec<usize>,
    pub sets: Vec<Vec<u32>>,
}

/// [`road_bound`] with each entry of `people` going only to its own receptions (`None`: any of
/// `sinks`). Still valid: a person whose receptions are `C` arrives no earlier than the first
/// exit from the cut plus the shortest onward time to `C` (step 2 of the argument above, with
/// `d` to `C`); the cut itself is chosen as before (towards every sink), which affects only how
/// tight the bound is.
pub fn road_bound_to(
    net: &RoadNetwork,
    people: &[StartingPeople],
    sinks: &[u32],
    receptions: Option<&Receptions>,
) -> Option<RoadBound> {
    let given: Vec<usize> = (0..people.len())
        .filter(|&i| people[i].people > 0.0 && !people[i].starts.is_empty())
        .collect();
    let class: Vec<usize> = given
        .iter()
        .map(|&i| receptions.map_or(0, |r| r.class_of[i]))
        .collect();
    let people: Vec<&StartingPeople> = given.iter().map(|&i| &people[i]).collect();
    if people.is_empty() || sinks.is_empty() {
        return None;
    }
    let onward_to = |targets: &[u32]| onward_times(net, targets);
    let onward = onward_to(sinks);
    let by_class: Vec<Vec<f64>> = match receptions {
        None => vec![onward.clone()],
        Some(r) => r.sets.iter().map(|set| onward_to(set)).collect(),
    };
    let mut static_net = StaticNetwork::new(net, &people, sinks, &onward);
    let to = Onward {
        any: &onward,
        by_class: &by_class,
        class: &class,
    };
    static_net
        .candidate_cuts()
        .into_iter()
        .filter(|side| sinks.iter().all(|&v| !side[v as usize]))
        .filter_map(|side| evaluate_cut(net, &people, &to, &side))
        .max_by(|a, b| a.time_s.total_cmp(&b.time_s))
        .map(|mut b| {
            for x in &mut b.assignment {
                x.0 = given[x.0];
            }
            b
        })
}

/// Per node: the shortest travel time on to any of `sinks` (`INFINITY` if none is reached).
pub(super) fn onward_times(net: &RoadNetwork, sinks: &[u32]) -> Vec<f64> {
    let g = net.graph;
    let mut to_sink = OneToAll::new(g);
    let seeds: Vec<Seed> = sinks.iter().map(|&v| Seed { node: v, cost: 0.0 }).collect();
    to_sink.run(g, net.travel_s, &seeds, f64::INFINITY, true);
    (0..g.node_count() as u32)
        .map(|v| to_sink.cost(v))
        .collect()
}

/// Shortest times on from each node: to any sink, and to each class's receptions, with each
/// counted entry's class.
struct Onward<'a> {
    any: &'a [f64],
    by_class: &'a [Vec<f64>],
    class: &'a [usize],
}

/// The static flow network the cuts are taken from: the nodes on some way from a start to a
/// sink, a supply per group of people, each road at its capacity per second times a span.
/// The spans only grow, so one flow is continued from span to span.
pub(super) struct StaticNetwork<'a> {
    net: &'a RoadNetwork<'a>,
    people: &'a [&'a StartingPeople],
    /// Per graph node: its node in `flow`, or `INVALID`.
    index: Vec<u32>,
    flow: MaxFlow,
    /// (flow arc, graph arc's tail, graph arc, capacity per second) per road.
    roads: Vec<(usize, u32, u32, f64)>,
    value: f64,
    total: f64,
}

/// Static cuts tried at most (each one continued maximum flow).
const MAX_CUTS: usize = 12;

/// A static minimum cut: its source side (graph nodes), the people and the road capacity
/// per second leaving it, and whether everyone fit.
struct StaticCut {
    side: Vec<bool>,
    people: f64,
    capacity_per_s: f64,
    fits: bool,
}

/// The first flow node of a graph node (0 and 1 are the source and the sink, then the groups).
fn first_node(groups: usize) -> usize {
    2 + groups
}

impl<'a> StaticNetwork<'a> {
    pub(super) fn new(
        net: &'a RoadNetwork<'a>,
        people: &'a [&'a StartingPeople],
        sinks: &[u32],
        onward: &[f64],
    ) -> StaticNetwork<'a> {
        let g = net.graph;
        let mut from = OneToAll::new(g);
        let seeds: Vec<Seed> = people
            .iter()
            .flat_map(|p| p.starts.iter().map(|&v| Seed { node: v, cost: 0.0 }))
            .collect();
        from.run(g, net.travel_s, &seeds, f64::INFINITY, false);
        let first = first_node(people.len());
        let mut index = vec![INVALID; g.node_count()];
        let mut count = first;
        for v in 0..g.node_count() as u32 {
            if from.cost(v).is_finite() && onward[v as usize].is_finite() {
                index[v as usize] = count as u32;
                count += 1;
            }
        }
        let mut flow = MaxFlow::new(count);
        let (s, t) = (0, 1);
        for (i, p) in people.iter().enumerate() {
            flow.add(s, 2 + i, p.people);
            for &v in &p.starts {
                if index[v as usize] != INVALID {
                    flow.add(2 + i, index[v as usize] as usize, f64::INFINITY);
                }
            }
        }
        let mut roads = Vec::new();
        for (tail, a) in arcs_with_tails(g) {
            let (u, v) = (index[tail as usize], index[g.arc_head(a) as usize]);
            if u == INVALID || v == INVALID || !net.travel_s[a as usize].is_finite() {
                continue;
            }
            let r = net.resource[a as usize];
            if r == INVALID {
                flow.add(u as usize, v as usize, f64::INFINITY);
            } else {
                let per_s = net.capacity[r as usize].min(net.crossing_road(a)) / net.bucket_s;
                roads.push((flow.add(u as usize, v as usize, 0.0), tail, a, per_s));
            }
        }
        for &v in sinks {
            if index[v as usize] != INVALID {
                flow.add(index[v as usize] as usize, t, f64::INFINITY);
            }
        }
        StaticNetwork {
            net,
            people,
            index,
            flow,
            roads,
            value: 0.0,
            total: people.iter().map(|p| p.people).sum(),
        }
    }

    /// A minimum cut when every road carries its capacity over `span_s` seconds (not less
    /// than the last span).
    fn cut_at(&mut self, span_s: f64) -> StaticCut {
        for &(arc, _, _, per_s) in &self.roads {
            self.flow.raise(arc, per_s * span_s);
        }
        self.value += self.flow.run_blocking(0, 1);
        let fits = self.value >= self.total * (1.0 - 1e-9);
        let reached = self.flow.source_side(0);
        let g = self.net.graph;
        let side: Vec<bool> = (0..g.node_count())
            .map(|v| self.index[v] != INVALID && reached[self.index[v] as usize])
            .collect();
        let people = (0..self.people.len())
            .filter(|&i| reached[2 + i])
            .map(|i| self.people[i].people)
            .sum();
        let capacity_per_s = self
            .roads
            .iter()
            .filter(|&&(_, u, a, _)| side[u as usize] && !side[g.arc_head(a) as usize])
            .map(|x| x.3)
            .sum();
        StaticCut {
            side,
            people,
            capacity_per_s,
            fits,
        }
    }

    /// Distinct source sides of the static minimum cuts met on the way to the largest ratio of
    /// people inside to capacity leaving (Dinkelbach's iteration: the span that cut needs is
    /// the next span tried, until everyone fits): the cuts with the least capacity per person.
    pub(super) fn candidate_cuts(&mut self) -> Vec<Vec<bool>> {
        let mut cuts: Vec<Vec<bool>> = Vec::new();
        let mut span = 0.0;
        for _ in 0..MAX_CUTS {
            let cut = self.cut_at(span);
            if cut.fits || cut.capacity_per_s <= 0.0 {
                break;
            }
            let next = cut.people / cut.capacity_per_s;
            if cut.side.iter().any(|&x| x) && !cuts.contains(&cut.side) {
                cuts.push(cut.side);
            }
            let grows = next.is_finite() && next > span * (1.0 + 1e-9);
            if !grows || next > self.net.horizon_s {
                break;
            }
            span = next;
        }
        // The last cuts are the tightest: evaluate them first.
        cuts.reverse();
        cuts
    }
}

/// The relaxed schedule's bound for the cut whose source side is `inside`: the people
/// starting in it, the resources of the arcs leaving it.
fn evaluate_cut(
    net: &RoadNetwork,
    people: &[&StartingPeople],
    to: &Onward,
    inside: &[bool],
) -> Option<RoadBound> {
    let g = net.graph;
    let onward = to.any;
    // Per resource of the cut: its leaving arcs.
    let mut resources: Vec<(u32, Vec<u32>)> = Vec::new();
    for (tail, a) in arcs_with_tails(g) {
        let (u, v) = (tail as usize, g.arc_head(a) as usize);
        if !inside[u] || inside[v] || !net.travel_s[a as usize].is_finite() {
            continue;
        }
        if !onward[v].is_finite() {
            continue; // nobody who goes there arrives
        }
        let r = net.resource[a as usize];
        if r == INVALID {
            return None; // an unlimited way out: this cut bounds nothing
        }
        match resources.iter_mut().find(|x| x.0 == r) {
            Some(x) => x.1.push(a),
            None => resources.push((r, vec![a])),
        }
    }
    resources.sort_unstable_by_key(|x| x.0);
    // A start from which no reception can be reached is one nobody who arrives starts from:
    // only the others must lie inside the cut.
    let counted: Vec<usize> = (0..people.len())
        .filter(|&i| {
            let own = &to.by_class[to.class[i]];
            let mut useful = people[i]
                .starts
                .iter()
                .filter(|&&v| own[v as usize].is_finite())
                .peekable();
            useful.peek().is_some() && useful.all(|&v| inside[v as usize])
        })
        .collect();
    if counted.is_empty() || resources.is_empty() {
        return None;
    }
    let within = travel_within(net, inside);
    let groups: Vec<&StartingPeople> = counted.iter().map(|&i| people[i]).collect();
    let reach = reach_within(g, &within, &groups, &resources);
    // People who cannot leave the cut at all cannot leave: not counted.
    let (counted, reach): (Vec<usize>, Vec<Vec<f64>>) = counted
        .into_iter()
        .zip(reach)
        .filter(|(_, r)| r.iter().any(|x| x.is_finite()))
        .unzip();
    if counted.is_empty() {
        return None;
    }
    let checkpoints = resources
        .iter()
        .map(|(r, arcs)| BoundCheckpoint {
            capacity_per_bucket: net.capacity[*r as usize],
            open: net.open[*r as usize].clone(),
            road_capacity_per_bucket: arcs.iter().map(|&a| net.crossing_road(a)).sum(),
            onward_s: to
                .by_class
                .iter()
                .map(|own| {
                    arcs.iter()
                        .map(|&a| net.travel_s[a as usize] + own[g.arc_head(a) as usize])
                        .fold(f64::INFINITY, f64::min)
                })
                .collect(),
        })
        .collect();
    let groups = counted
        .iter()
        .zip(reach)
        .map(|(&i, reach_s)| BoundGroup {
            people: people[i].people,
            class: to.class[i],
            reach_s,
            direct_s: f64::INFINITY,
        })
        .collect();
    let bound = lower_bound(&BoundInstance {
        groups,
        checkpoints,
        bucket_s: net.bucket_s,
        horizon_s: net.horizon_s,
    })?;
    Some(RoadBound {
        time_s: bound.time_s,
        cut_resources: resources.iter().map(|x| x.0).collect(),
        people_counted: counted.iter().map(|&i| people[i].people).sum(),
        inside: inside.to_vec(),
        assignment: counted.into_iter().zip(bound.assignment).collect(),
    })
}

/// Every arc with its tail, in arc order: [`Graph::arc_tail`] is a binary search, too slow
/// for the passes over every arc that each class of the bound over routings makes.
pub(super) fn arcs_with_tails(g: &Graph) -> impl Iterator<Item = (u32, u32)> + '_ {
    (0..g.node_count() as u32).flat_map(move |u| g.out_arcs(u).map(move |a| (u, a)))
}

/// Per arc: its travel time if both its ends lie `inside`, else `INFINITY`.
pub(super) fn travel_within(net: &RoadNetwork, inside: &[bool]) -> Vec<f64> {
    let g = net.graph;
    arcs_with_tails(g)
        .map(|(tail, a)| {
            let both = inside[tail as usize] && inside[g.arc_head(a) as usize];
            if both {
                net.travel_s[a as usize]
            } else {
                f64::INFINITY
            }
        })
        .collect()
}

/// The groups a cut counts: those with a start from which a reception can be reached and all
/// such starts inside. A start from which no reception can be reached is one nobody who
/// arrives starts from: only the others must lie inside the cut.
pub(super) fn groups_inside(
    people: &[&StartingPeople],
    onward: &[f64],
    inside: &[bool],
) -> Vec<usize> {
    (0..people.len())
        .filter(|&i| {
            let mut useful = people[i]
                .starts
                .iter()
                .filter(|&&v| onward[v as usize].is_finite())
                .peekable();
            useful.peek().is_some() && useful.all(|&v| inside[v as usize])
        })
        .collect()
}

/// Per counted group and cut resource: the shortest time from any of its starts to the tail of
/// one of the resource's leaving arcs, on `within` (the cut's inside only). One search per
/// resource backwards, or per group forwards, whichever is fewer.
pub(super) fn reach_within(
    g: &Graph,
    within: &[f64],
    groups: &[&StartingPeople],
    resources: &[(u32, Vec<u32>)],
) -> Vec<Vec<f64>> {
    let mut q = OneToAll::new(g);
    let mut reach = vec![vec![f64::INFINITY; resources.len()]; groups.len()];
    if resources.len() <= groups.len() {
        for (j, (_, arcs)) in resources.iter().enumerate() {
            let seeds: Vec<Seed> = arcs
                .iter()
                .map(|&a| Seed {
                    node: g.arc_tail(a),
                    cost: 0.0,
                })
                .collect();
            q.run(g, within, &seeds, f64::INFINITY, true);
            for (i, p) in groups.iter().enumerate() {
                reach[i][j] = p
                    .starts
                    .iter()
                    .map(|&v| q.cost(v))
                    .fold(f64::INFINITY, f64::min);
            }
        }
    } else {
        for (i, p) in groups.iter().enumerate() {
            let seeds: Vec<Seed> = p
                .starts
                .iter()
                .map(|&v| Seed { node: v, cost: 0.0 })
                .collect();
            q.run(g, within, &seeds, f64::INFINITY, false);
            for (j, (_, arcs)) in resources.iter().enumerate() {
                reach[i][j] = arcs
                    .iter()
                    .map(|&a| q.cost(g.arc_tail(a)))
                    .fold(f64::INFINITY, f64::min);
            }
        }
    }
    reach
}

/// The road bound of a final flow: its network with the bound's travel times (only what every
/// plan must keep closed), every reception, and per cell of the people it moves every node
/// they may start from under any routing of the other flow ([`super::Flow::bound_starts`]):
/// the planner's own start nodes depend on the routing it kept, so a bound from them would
/// hold for that routing only.
pub(crate) fn of_flow(f: &super::Flow) -> Option<RoadBound> {
    road_bound_to(
        &road_network(f, &f.net.bound_travel_s),
        &f.bound_starts,
        f.net.sink_nodes(),
        receptions_of(&f.net, &f.bound_starts).as_ref(),
    )
}

/// Per entry of `people`, the receptions the exposure rule lets its people use — the union
/// over its starts of each node's allowed receptions — where the rule is decided on the
/// bound's roads and kept under every routing of the other flow (the civilians'); `None`
/// otherwise (the combatants': their rule depends on their own routing, so the bound relaxes
/// it and counts every reception).
pub(crate) fn receptions_of(
    net: &super::network::Network,
    people: &[StartingPeople],
) -> Option<Receptions> {
    if !net.rules_fixed() {
        return None;
    }
    let mut sets: Vec<Vec<u32>> = Vec::new();
    let class_of = people
        .iter()
        .map(|p| {
            let mut set: Vec<u32> = net
                .allowed_sinks(&p.starts)
                .into_iter()
                .flat_map(|x| x.0)
                .collect();
            set.sort_unstable();
            set.dedup();
            match sets.iter().position(|x| *x == set) {
                Some(i) => i,
                None => {
                    sets.push(set);
                    sets.len() - 1
                }
            }
        })
        .collect();
    Some(Receptions { class_of, sets })
}

/// Share above a flow's valid bounds from which [`given_the_other_flow`] is computed.
pub const EXPLAIN_ABOVE: f64 = 0.03;

/// The larger of the flow's valid bounds (its road cut and its checkpoints), 0 if it has none.
pub(crate) fn valid_bound_s(f: &super::Flow) -> f64 {
    f.road_bound
        .as_ref()
        .map(|b| b.time_s)
        .into_iter()
        .chain(f.bound_s)
        .chain(f.over_time_bound.as_ref().map(|b| b.time_s))
        .fold(0.0, f64::max)
}

/// The flow over time's bound ([`super::flow_schedule::time_bound`]) of the flow's people on
/// the road bound's network and starts (so it holds for every plan, as the road bound does),
/// on the finest buckets of [`super::flow_schedule::COARSER`] whose network fits
/// [`super::flow_schedule::BOUND_MAX_NODES`] (coarser buckets round travel further down: a
/// lower bound, still valid). `None` if it is not above `above_s` (a valid bound already
/// known) or no network fits.
pub(crate) fn over_time_of_flow(
    f: &super::Flow,
    above_s: f64,
) -> Option<super::flow_schedule::TimeBound> {
    let egress = f.plan.egress_s()?;
    let everyone: Vec<(Vec<u32>, f64)> = f
        .bound_starts
        .iter()
        .map(|b| (b.starts.clone(), b.people))
        .collect();
    // Everyone to every reception: the exposure rule is relaxed. The bound of each set of
    // receptions with only the people who may use no other (they must all leave through it)
    // was tried on Malta roads bind and never rose above this one (3 s each; BENCHMARKS.md,
    // "A bound from the flow over time").
    over_time_to(f, &everyone, f.net.sink_nodes(), above_s, egress)
}

/// [`over_time_of_flow`] of `people` to `sinks`, on the finest buckets that fit.
fn over_time_to(
    f: &super::Flow,
    people: &[(Vec<u32>, f64)],
    sinks: &[u32],
    above_s: f64,
    egress_s: f64,
) -> Option<super::flow_schedule::TimeBound> {
    use super::flow_schedule::{time_bound, TimeBoundOutcome, BOUND_MAX_NODES, COARSER};
    for k in COARSER {
        let capacity: Vec<f64> = f.net.capacity.iter().map(|c| c * k).collect();
        let mut net = road_network(f, &f.net.bound_travel_s);
        net.bucket_s *= k;
        net.capacity = &capacity;
        match time_bound(&net, people, sinks, above_s, egress_s, BOUND_MAX_NODES) {
            TimeBoundOutcome::TooLarge => continue,
            TimeBoundOutcome::NotAbove => return None,
            TimeBoundOutcome::Bound(b) => return Some(b),
        }
    }
    None
}

/// The road bound on the flow's own network (the roads the other flow's plan uses closed):
/// not valid for every plan, but when it is near the egress the separation explains the gap.
/// Computed only when the plan finishes more than [`EXPLAIN_ABOVE`] after the valid bounds.
pub(crate) fn given_the_other_flow(f: &super::Flow) -> Option<RoadBound> {
    let egress = f.plan.egress_s()?;
    let valid = valid_bound_s(f);
    if valid > 0.0 && egress <= valid * (1.0 + EXPLAIN_ABOVE) {
        return None;
    }
    on_travel_times(f, &f.net.travel_s)
}

/// A flow's network with the given travel times, as the road bound sees it.
pub(crate) fn road_network<'a>(f: &'a super::Flow, travel_s: &'a [f64]) -> RoadNetwork<'a> {
    network_of(&f.net, travel_s)
}

/// A network with the given travel times, as the road bound sees it (for networks not yet
/// planned as a flow: separation's routing scores).
pub(crate) fn network_of<'a>(
    n: &'a super::network::Network,
    travel_s: &'a [f64],
) -> RoadNetwork<'a> {
    RoadNetwork {
        graph: &n.graph,
        travel_s,
        resource: &n.resource,
        second_resource: &n.second_resource,
        capacity: &n.capacity,
        open: &n.open,
        bucket_s: n.bucket_s,
        horizon_s: super::network::HORIZON_DAYS as f64 * 86400.0,
    }
}

/// The road bound on the flow's own network from its own start nodes, one entry per group
/// with a start, in order (valid for this network and these starts only): the cut assignment
/// the planner can follow ([`super::plan::replan_by_road_cut`]).
pub(crate) fn on_own_starts(f: &super::Flow) -> Option<RoadBound> {
    on_travel_times(f, &f.net.travel_s)
}

/// The road bound on `travel_s` from the flow's own start nodes (valid for its routing only).
fn on_travel_times(f: &super::Flow, travel_s: &[f64]) -> Option<RoadBound> {
    let net = road_network(f, travel_s);
    let people: Vec<StartingPeople> = f
        .groups
        .iter()
        .filter_map(|g| {
            g.start.as_ref().ok().map(|&v| StartingPeople {
                starts: vec![v],
                people: g.people,
            })
        })
        .collect();
    road_bound_to(
        &net,
        &people,
        f.net.sink_nodes(),
        receptions_of(&f.net, &people).as_ref(),
    )
}

/// One valid lower bound of the report, for transparency: the report's `lower_bound_s` is the
/// largest of them.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LowerBoundRow {
    /// Whose: `civilian` or `combatant`.
    pub flow: &'static str,
    /// `checkpoints` (screening capacity and travel times, road capacities relaxed:
    /// [`super::bound`]) or `road cut` (this module).
    pub kind: &'static str,
    pub time_s: f64,
    /// For a road cut: the roads and checkpoints leaving it, by name (at most
    /// [`NAMED_CUT_RESOURCES`], then how many more).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cut: Vec<String>,
    /// For a road cut: the people starting inside it (those it counts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub people_counted: Option<f64>,
}

/// Cut resources named in a [`LowerBoundRow`].
pub const NAMED_CUT_RESOURCES: usize = 8;

/// Every valid bound of the flows, largest first.
pub(crate) fn rows(flows: &[&super::Flow]) -> Vec<LowerBoundRow> {
    let mut out = Vec::new();
    for f in flows {
        let who = f.purpose.name();
        if let Some(t) = f.bound_s {
            out.push(LowerBoundRow {
                flow: who,
                kind: "checkpoints",
                time_s: t.floor(),
                cut: Vec::new(),
                people_counted: None,
            });
        }
        if let Some(b) = &f.road_bound {
            let mut cut: Vec<String> = b
                .cut_resources
                .iter()
                .take(NAMED_CUT_RESOURCES)
                .map(|&r| f.net.resources[r as usize].name.clone())
                .collect();
            if b.cut_resources.len() > NAMED_CUT_RESOURCES {
                cut.push(format!(
                    "and {} more",
                    b.cut_resources.len() - NAMED_CUT_RESOURCES
                ));
            }
            out.push(LowerBoundRow {
                flow: who,
                kind: "road cut",
                time_s: b.time_s.floor(),
                cut,
                people_counted: Some(b.people_counted.round()),
            });
        }
        if let Some(b) = &f.over_time_bound {
            out.push(LowerBoundRow {
                flow: who,
                kind: "roads and checkpoints over time",
                time_s: b.time_s.floor(),
                cut: Vec::new(),
                people_counted: Some(b.people_counted.round()),
            });
        }
    }
    out.sort_by(|a, b| b.time_s.total_cmp(&a.time_s));
    out
}
