//! A lower bound that counts two road cuts in series: everyone who crosses the first cut's
//! roads must still cross a second, further out, and the travel between them takes time.
//!
//! The single road cut ([`super::road_bound`]) lets people go on at free-flow speed after its
//! roads: where two narrow cut roads both feed one road further out (Andorra's roads-bind
//! benchmark: two roads of 780 people per bucket feed one of 780), it never sees that road.
//! This bound takes two nested cuts, an *inner* set `S1` and an *outer* set `S2 ⊇ S1`, both
//! holding every counted person's possible starts and no reception, and a relaxed schedule in
//! two layers: the roads leaving `S1`, then those leaving `S2`.
//!
//! **Why it is ≤ the exact optimum.** Take any plan of the planner's model (as in
//! [`super::road_bound`]: people leave from the network's start nodes for its receptions, every
//! road and checkpoint load per bucket within what `verify` checks), let `E` be the last
//! arrival of anyone in it and `Δ` the bucket. For each counted person `p` (starting in `S1`):
//!
//! 1. Their route leaves `S1` first by an arc `a1` of resource `r1`, entered at `τ1`; the route
//!    before it lies in `S1`, so `τ1 ≥ reach_S1(p, r1)` (shortest time from a start of `p`'s to
//!    the tail of an arc of `r1` leaving `S1`, over arcs inside `S1`) and `b1 = ⌊τ1 / Δ⌋ ≥
//!    ⌊reach_S1 / Δ⌋`.
//! 2. If `a1`'s head lies outside `S2`, `a1` also leaves `S2` and `p` arrives no earlier than
//!    `τ1 + t(a1) + d(head a1) ≥ b1 Δ + direct(r1)` (`d`: shortest time on to any reception;
//!    `direct(r1)`: the least `t(a) + d(head a)` over `r1`'s arcs leaving both cuts), so
//!    `b1 Δ + direct(r1) ≤ E`.
//! 3. Otherwise the route goes on from `head a1 ∈ S2 ∖ S1` and, since it ends outside `S2`,
//!    leaves `S2` first by an arc `a2` of resource `r2`, entered at `τ2`; between the two it
//!    stays in `S2` (it may re-enter `S1`), so `τ2 ≥ τ1 + t(a1) + dist_S2(head a1, tail a2) ≥
//!    τ1 + link(r1, r2)`, `link` the least such sum over `r1`'s arcs with head in `S2 ∖ S1` and
//!    `r2`'s arcs leaving `S2` (`dist_S2` over arcs with both ends in `S2`). In buckets, `b2 Δ +
//!    Δ > τ2 ≥ b1 Δ + link`, so the integer `b2 > b1 + link / Δ − 1`, that is `b2 ≥ b1 +
//!    ⌊link / Δ⌋`. And `p` arrives no earlier than `τ2 + t(a2) + d(head a2) ≥ b2 Δ +
//!    onward(r2)` (the least `t(a) + d(head a)` over `r2`'s arcs leaving `S2`): `b2 Δ +
//!    onward(r2) ≤ E`.
//! 4. The people with `(r1, b1) = (r, b)` are among those the plan counts on `r` in bucket
//!    `b`, and so are those with `(r2, b2) = (r, b)`: each set is at most `r`'s capacity times
//!    the open share of `b` (when `r1 = r2` is one resource, the plan holds their *sum* to
//!    it; holding each alone is weaker, so still implied).
//!
//! So the counted people form a flow source → group → `(r1, b1)` [`b1 ≥ ⌊reach_S1 / Δ⌋`] →
//! either the sink [`b1 Δ + direct(r1) ≤ E`] or `(r2, b2)` [`b2 ≥ b1 + ⌊link / Δ⌋`, `b2 Δ +
//! onward(r2) ≤ E`] → sink, within each `(r, b)`'s capacity in each layer, that carries all of
//! them. [`chain_lower_bound`] decides by one maximum flow whether one exists for a time `T`;
//! every constraint only loosens as `T` grows, so existence is monotone, and it returns a `T`
//! (to half a second) at which none exists — so `T < E`. Nothing used the plan: every nested
//! pair of sets holding the counted starts and no reception gives a valid bound, and so does
//! the largest over several. People starting outside `S1` are left out (fewer people only
//! lower it).
//!
//! Relaxed: the roads inside `S1` and between the cuts (uncapacitated, shortest times only),
//! which `(r2, ·)` a person can reach (from any `(r1, b1)` with a finite link, whatever their
//! start), everything after `S2` except the shortest onward time, and what
//! [`super::road_bound`] relaxes besides (exposure, separation except what every combatant
//! routing must use, the one-checkpoint rule). Which pairs: each candidate cut of the single
//! road bound as `S1` (the tightest two); as `S2`, `S1` joined with the source sides of the
//! static minimum cuts of the same static flow with every road from `S1` uncapacitated (the
//! next bottlenecks beyond `S1`), then of those beyond the tightest of them, and `S1` joined
//! with each other candidate. The choice affects only how tight the
//! bound is, never whether it holds.

use super::maxflow::MaxFlow;
use super::road_bound::{
    arcs_with_tails, groups_inside, onward_times, reach_within, travel_within, RoadNetwork,
    StartingPeople, StaticNetwork,
};
use crate::ccrp::open_seconds;
use corridor_routing::{Graph, OneToAll, Seed, INVALID};

/// A resource (road or checkpoint) with arcs leaving one of the two cuts.
#[derive(Debug, Clone, PartialEq)]
pub struct CutResource {
    /// People per bucket when open the whole bucket.
    pub capacity_per_bucket: f64,
    /// Opening windows, seconds from the start; `None` = always open.
    pub open: Option<Vec<(f64, f64)>>,
    /// Least time from entering one of its arcs to a reception: for the outer cut over its
    /// arcs leaving the outer set, for the inner cut over its arcs leaving both sets
    /// (`INFINITY` if it has none).
    pub onward_s: f64,
}

/// People of one group as the two-cut schedule sees them.
#[derive(Debug, Clone, PartialEq)]
pub struct ChainGroup {
    pub people: f64,
    /// Per inner resource: the least time to the tail of one of its arcs leaving the inner
    /// set, inside it (`INFINITY` if none).
    pub reach_s: Vec<f64>,
}

/// The two-layer relaxed problem of one pair of nested cuts.
#[derive(Debug, Clone)]
pub struct ChainInstance {
    pub groups: Vec<ChainGroup>,
    pub inner: Vec<CutResource>,
    pub outer: Vec<CutResource>,
    /// Per inner and outer resource: the least time from entering the inner one (towards the
    /// space between the cuts) to the tail of the outer one's arc (`INFINITY` if none).
    pub link_s: Vec<Vec<f64>>,
    pub bucket_s: f64,
    /// Give up beyond this (seconds).
    pub horizon_s: f64,
}

/// One pair of nested cuts and its relaxed problem.
#[derive(Debug, Clone)]
pub struct CutPair {
    pub instance: ChainInstance,
    /// The resources of the arcs leaving the inner set, in the order of `instance.inner`.
    pub inner_resources: Vec<u32>,
    /// The resources of the arcs leaving the outer set, in the order of `instance.outer`.
    pub outer_resources: Vec<u32>,
    /// People starting inside the inner set (those it counts).
    pub people_counted: f64,
}

/// The bound of two cuts in series and the cuts that give it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChainBound {
    /// No plan gets the counted people to a reception before this (seconds).
    pub time_s: f64,
    /// The resources leaving the inner cut, then those leaving the outer one (sorted).
    pub inner_resources: Vec<u32>,
    pub outer_resources: Vec<u32>,
    pub people_counted: f64,
}

/// Inner cuts tried (the single road bound's candidates, tightest first).
const MAX_INNER: usize = 2;

/// Rounds of "the next bottlenecks beyond" searched from each inner cut, and the sets (the
/// tightest first) searched beyond in each round. Two sets per round (s6 had one): on Andorra
/// roads bind's least classes of the bound over routings the second set's pairs raise the
/// two-cut score from 21,735 s to 22,122 s (BENCHMARKS.md, "Two cuts in series per class");
/// three rounds with one set raise nothing.
const MAX_DEPTH: usize = 2;
const MAX_WIDTH: usize = 2;

/// The two-cut bound of `people` going to any of `sinks`, if one at least [`ABOVE_FLOOR_S`]
/// above `floor_s` exists (pairs that cannot beat it are dismissed with one maximum flow
/// each).
pub fn chain_bound(
    net: &RoadNetwork,
    people: &[StartingPeople],
    sinks: &[u32],
    floor_s: f64,
) -> Option<ChainBound> {
    let mut best: Option<ChainBound> = None;
    for pair in cut_pairs(net, people, sinks) {
        let floor = best.as_ref().map_or(floor_s, |b| b.time_s);
        if let Some(t) = chain_lower_bound_above(&pair.instance, floor) {
            best = Some(ChainBound {
                time_s: t,
                inner_resources: pair.inner_resources,
                outer_resources: pair.outer_resources,
                people_counted: pair.people_counted,
            });
        }
    }
    best
}

/// Every pair of nested cuts the bound tries, with its relaxed problem (see the module doc).
pub fn cut_pairs(net: &RoadNetwork, people: &[StartingPeople], sinks: &[u32]) -> Vec<CutPair> {
    let given: Vec<&StartingPeople> = people
        .iter()
        .filter(|p| p.people > 0.0 && !p.starts.is_empty())
        .collect();
    let onward = onward_times(net, sinks);
    side_pairs(net, people, sinks)
        .iter()
        .filter_map(|(inner, outer)| cut_pair(net, &given, &onward, inner, outer))
        .collect()
}

/// The nested sets `(inner, outer)` tried (see the module doc).
fn side_pairs(
    net: &RoadNetwork,
    people: &[StartingPeople],
    sinks: &[u32],
) -> Vec<(Vec<bool>, Vec<bool>)> {
    let people: Vec<&StartingPeople> = people
        .iter()
        .filter(|p| p.people > 0.0 && !p.starts.is_empty())
        .collect();
    if people.is_empty() || sinks.is_empty() {
        return Vec::new();
    }
    let onward = onward_times(net, sinks);
    let no_sink = |side: &Vec<bool>| sinks.iter().all(|&v| !side[v as usize]);
    let candidates: Vec<Vec<bool>> = StaticNetwork::new(net, &people, sinks, &onward)
        .candidate_cuts()
        .into_iter()
        .filter(no_sink)
        .collect();
    let join =
        |a: &[bool], b: &[bool]| -> Vec<bool> { a.iter().zip(b).map(|(&x, &y)| x || y).collect() };
    let mut pairs = Vec::new();
    for inner in candidates.iter().take(MAX_INNER) {
        let mut outers: Vec<Vec<bool>> = Vec::new();
        let add = |outers: &mut Vec<Vec<bool>>, outer: Vec<bool>| {
            let new = &outer != inner && no_sink(&outer) && !outers.contains(&outer);
            if new {
                outers.push(outer);
            }
            new
        };
        // The next bottlenecks beyond the inner cut, then beyond those, and so on.
        let mut frontier = vec![inner.clone()];
        for _ in 0..MAX_DEPTH {
            let mut next = Vec::new();
            for set in frontier.iter().take(MAX_WIDTH) {
                for side in cuts_beyond(net, &people, sinks, &onward, set) {
                    let outer = join(set, &side);
                    if add(&mut outers, outer.clone()) {
                        next.push(outer);
                    }
                }
            }
            frontier = next;
        }
        for side in &candidates {
            add(&mut outers, join(inner, side));
        }
        pairs.extend(outers.into_iter().map(|outer| (inner.clone(), outer)));
    }
    pairs
}

/// The static minimum cuts beyond `inner`: those of the static flow in which every road from
/// a node of `inner` is uncapacitated.
fn cuts_beyond(
    net: &RoadNetwork,
    people: &[&StartingPeople],
    sinks: &[u32],
    onward: &[f64],
    inner: &[bool],
) -> Vec<Vec<bool>> {
    let g = net.graph;
    let resource: Vec<u32> = arcs_with_tails(g)
        .map(|(tail, a)| {
            if inner[tail as usize] {
                INVALID
            } else {
                net.resource[a as usize]
            }
        })
        .collect();
    let contracted = RoadNetwork {
        resource: &resource,
        ..*net
    };
    StaticNetwork::new(&contracted, people, sinks, onward).candidate_cuts()
}

/// Per resource: the arcs of it that leave a set.
type ArcsOf = Vec<(u32, Vec<u32>)>;

fn push_arc(list: &mut ArcsOf, r: u32, a: u32) {
    match list.iter_mut().find(|x| x.0 == r) {
        Some(x) => x.1.push(a),
        None => list.push((r, vec![a])),
    }
}

/// The relaxed problem of the nested sets `inner ⊆ outer`; `None` if an unlimited way leaves
/// either, or nobody counted can leave.
fn cut_pair(
    net: &RoadNetwork,
    people: &[&StartingPeople],
    onward: &[f64],
    inner: &[bool],
    outer: &[bool],
) -> Option<CutPair> {
    let g = net.graph;
    // Per inner resource: every arc leaving `inner`, and those whose head is between the sets.
    let (mut leaving_inner, mut into_between, mut leaving_outer) =
        (ArcsOf::new(), ArcsOf::new(), ArcsOf::new());
    for (tail, a) in arcs_with_tails(g) {
        let (u, v) = (tail as usize, g.arc_head(a) as usize);
        if !net.travel_s[a as usize].is_finite() || !onward[v].is_finite() {
            continue; // nobody who goes there arrives
        }
        let r = net.resource[a as usize];
        if outer[u] && !outer[v] {
            if r == INVALID {
                return None;
            }
            push_arc(&mut leaving_outer, r, a);
        }
        if inner[u] && !inner[v] {
            if r == INVALID {
                return None;
            }
            push_arc(&mut leaving_inner, r, a);
            if outer[v] {
                push_arc(&mut into_between, r, a);
            }
        }
    }
    leaving_inner.sort_unstable_by_key(|x| x.0);
    leaving_outer.sort_unstable_by_key(|x| x.0);
    let counted = groups_inside(people, onward, inner);
    if counted.is_empty() || leaving_inner.is_empty() {
        return None;
    }
    let groups: Vec<&StartingPeople> = counted.iter().map(|&i| people[i]).collect();
    let reach = reach_within(g, &travel_within(net, inner), &groups, &leaving_inner);
    let groups: Vec<ChainGroup> = groups
        .iter()
        .zip(reach)
        .filter(|(_, r)| r.iter().any(|x| x.is_finite()))
        .map(|(p, reach_s)| ChainGroup {
            people: p.people,
            reach_s,
        })
        .collect();
    if groups.is_empty() {
        return None;
    }
    let least_onward = |arcs: &[u32]| {
        arcs.iter()
            .map(|&a| net.travel_s[a as usize] + onward[g.arc_head(a) as usize])
            .fold(f64::INFINITY, f64::min)
    };
    let resource = |r: u32, onward_s: f64| CutResource {
        capacity_per_bucket: net.capacity[r as usize],
        open: net.open[r as usize].clone(),
        onward_s,
    };
    let inner_res: Vec<CutResource> = leaving_inner
        .iter()
        .map(|(r, arcs)| {
            let direct: Vec<u32> = arcs
                .iter()
                .copied()
                .filter(|&a| !outer[g.arc_head(a) as usize])
                .collect();
            resource(*r, least_onward(&direct))
        })
        .collect();
    let outer_res: Vec<CutResource> = leaving_outer
        .iter()
        .map(|(r, arcs)| resource(*r, least_onward(arcs)))
        .collect();
    let link_s = links(net, outer, &leaving_inner, &into_between, &leaving_outer);
    let people_counted = groups.iter().map(|x| x.people).sum();
    Some(CutPair {
        instance: ChainInstance {
            groups,
            inner: inner_res,
            outer: outer_res,
            link_s,
            bucket_s: net.bucket_s,
            horizon_s: net.horizon_s,
        },
        inner_resources: leaving_inner.iter().map(|x| x.0).collect(),
        outer_resources: leaving_outer.iter().map(|x| x.0).collect(),
        people_counted,
    })
}

/// Per inner and outer resource: `link` (see the module doc). One search per outer resource
/// backwards, or per inner resource forwards, whichever is fewer; inside `outer` only.
fn links(
    net: &RoadNetwork,
    outer: &[bool],
    leaving_inner: &ArcsOf,
    into_between: &ArcsOf,
    leaving_outer: &ArcsOf,
) -> Vec<Vec<f64>> {
    let g = net.graph;
    let within = travel_within(net, outer);
    let mut q = OneToAll::new(g);
    let mut link = vec![vec![f64::INFINITY; leaving_outer.len()]; leaving_inner.len()];
    let between_of = |r: u32| -> &[u32] {
        into_between
            .iter()
            .find(|x| x.0 == r)
            .map_or(&[], |x| x.1.as_slice())
    };
    if leaving_outer.len() <= leaving_inner.len() {
        for (j, (_, arcs2)) in leaving_outer.iter().enumerate() {
            q.run(g, &within, &tails(g, arcs2), f64::INFINITY, true);
            for (i, (r1, _)) in leaving_inner.iter().enumerate() {
                link[i][j] = between_of(*r1)
                    .iter()
                    .map(|&a| net.travel_s[a as usize] + q.cost(g.arc_head(a)))
                    .fold(f64::INFINITY, f64::min);
            }
        }
    } else {
        for (i, (r1, _)) in leaving_inner.iter().enumerate() {
            let seeds: Vec<Seed> = between_of(*r1)
                .iter()
                .map(|&a| Seed {
                    node: g.arc_head(a),
                    cost: net.travel_s[a as usize],
                })
                .collect();
            if seeds.is_empty() {
                continue;
            }
            q.run(g, &within, &seeds, f64::INFINITY, false);
            for (j, (_, arcs2)) in leaving_outer.iter().enumerate() {
                link[i][j] = arcs2
                    .iter()
                    .map(|&a| q.cost(g.arc_tail(a)))
                    .fold(f64::INFINITY, f64::min);
            }
        }
    }
    link
}

fn tails(g: &Graph, arcs: &[u32]) -> Vec<Seed> {
    arcs.iter()
        .map(|&a| Seed {
            node: g.arc_tail(a),
            cost: 0.0,
        })
        .collect()
}

/// The two-cut bound of an instance: the largest time (to half a second) at which no relaxed
/// schedule carries everyone; `None` if there is nobody to move or even the horizon is too
/// short.
pub fn chain_lower_bound(inst: &ChainInstance) -> Option<f64> {
    bisect_from(inst, 0.0)
}

/// [`chain_lower_bound`] if it lies at least [`ABOVE_FLOOR_S`] above `floor_s`, else `None`
/// (one maximum flow decides).
pub fn chain_lower_bound_above(inst: &ChainInstance, floor_s: f64) -> Option<f64> {
    bisect_from(inst, floor_s + ABOVE_FLOOR_S)
}

/// The largest time (to half a second) at which no relaxed schedule carries everyone, if
/// none does at `lo_s` (else `None`, as when nobody moves or even the horizon is too short).
fn bisect_from(inst: &ChainInstance, lo_s: f64) -> Option<f64> {
    let total: f64 = inst.groups.iter().map(|g| g.people).sum();
    if total <= 1e-9 {
        return None;
    }
    let carries = |t: f64| carries_everyone(inst, total, t);
    if carries(lo_s) {
        return None;
    }
    // Bracket from there upwards (a flow over the whole horizon would be large).
    let mut lo = lo_s;
    let mut step = inst.bucket_s.max(lo_s * 0.125);
    let hi = loop {
        let t = (lo + step).min(inst.horizon_s);
        if carries(t) {
            break t;
        }
        if t >= inst.horizon_s {
            return None;
        }
        lo = t;
        step *= 2.0;
    };
    let mut hi = hi;
    while hi - lo > 0.5 {
        let mid = 0.5 * (lo + hi);
        if carries(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Some(lo)
}

/// How far above a floor the bound must lie to count (seconds): the bisection's resolution
/// and a half, so that a bound equal to the floor is not reported twice.
pub const ABOVE_FLOOR_S: f64 = 1.0;

/// People of a resource in bucket `b` at most: its capacity times the open share.
fn bucket_capacity(r: &CutResource, b: usize, bucket_s: f64) -> f64 {
    let a = b as f64 * bucket_s;
    r.capacity_per_bucket * open_seconds(&r.open, a, a + bucket_s) / bucket_s
}

/// Whether a relaxed two-layer schedule finishing by `t` carries all `total` people (the
/// maximum flow of the module doc).
fn carries_everyone(inst: &ChainInstance, total: f64, t: f64) -> bool {
    let d = inst.bucket_s;
    let last_bucket = |onward: f64| {
        let l = t - onward;
        (l >= 0.0).then(|| (l / d).floor() as usize)
    };
    let lag = |link: f64| (link / d).floor() as usize;
    let last2: Vec<Option<usize>> = inst.outer.iter().map(|r| last_bucket(r.onward_s)).collect();
    let direct: Vec<Option<usize>> = inst.inner.iter().map(|r| last_bucket(r.onward_s)).collect();
    // Per inner resource: the last bucket from which a reception is still reached by `t`.
    let last1: Vec<Option<usize>> = (0..inst.inner.len())
        .map(|i| {
            let via = (0..inst.outer.len()).filter_map(|j| {
                let l = inst.link_s[i][j];
                l.is_finite()
                    .then(|| last2[j]?.checked_sub(lag(l)))
                    .flatten()
            });
            direct[i].into_iter().chain(via).max()
        })
        .collect();
    let first1: Vec<usize> = (0..inst.inner.len())
        .map(|i| {
            inst.groups
                .iter()
                .filter(|g| g.reach_s[i].is_finite())
                .map(|g| (g.reach_s[i] / d).floor() as usize)
                .min()
                .unwrap_or(usize::MAX)
        })
        .collect();
    let mut flow = MaxFlow::new(2 + inst.groups.len());
    let (s, z) = (0, 1);
    for (gi, g) in inst.groups.iter().enumerate() {
        flow.add(s, 2 + gi, g.people);
    }
    // Layer 2: per outer resource a chain of buckets (waiting moves on), each to the sink.
    let first2: Vec<usize> = (0..inst.outer.len())
        .map(|j| {
            (0..inst.inner.len())
                .filter(|&i| inst.link_s[i][j].is_finite() && first1[i] != usize::MAX)
                .map(|i| first1[i] + lag(inst.link_s[i][j]))
                .min()
                .unwrap_or(usize::MAX)
        })
        .collect();
    let layer2: Vec<Vec<usize>> = (0..inst.outer.len())
        .map(|j| {
            let Some(last) = last2[j] else {
                return Vec::new();
            };
            let mut prev: Option<usize> = None;
            (first2[j]..=last)
                .map(|b| {
                    let v = flow.add_node();
                    flow.add(v, z, bucket_capacity(&inst.outer[j], b, d));
                    if let Some(p) = prev {
                        flow.add(p, v, f64::INFINITY);
                    }
                    prev = Some(v);
                    v
                })
                .collect()
        })
        .collect();
    // Layer 1: per inner resource a chain of entries, each through its bucket's capacity to
    // the sink (leaving both cuts) or to the outer resources' buckets it can reach.
    for i in 0..inst.inner.len() {
        let Some(last) = last1[i] else {
            continue;
        };
        let mut prev: Option<usize> = None;
        let mut entries = Vec::new();
        for b in first1[i]..=last {
            let entry = flow.add_node();
            let out = flow.add_node();
            flow.add(entry, out, bucket_capacity(&inst.inner[i], b, d));
            if let Some(p) = prev {
                flow.add(p, entry, f64::INFINITY);
            }
            prev = Some(entry);
            entries.push(entry);
            if direct[i].is_some_and(|l| b <= l) {
                flow.add(out, z, f64::INFINITY);
            }
            for j in 0..inst.outer.len() {
                let l = inst.link_s[i][j];
                if !l.is_finite() {
                    continue;
                }
                let b2 = b + lag(l);
                if let Some(&v) = b2.checked_sub(first2[j]).and_then(|k| layer2[j].get(k)) {
                    flow.add(out, v, f64::INFINITY);
                }
            }
        }
        for (gi, g) in inst.groups.iter().enumerate() {
            if g.reach_s[i].is_finite() {
                let b = (g.reach_s[i] / d).floor() as usize;
                if let Some(&e) = b.checked_sub(first1[i]).and_then(|k| entries.get(k)) {
                    flow.add(2 + gi, e, f64::INFINITY);
                }
            }
        }
    }
    flow.run_blocking(s, z) >= total * (1.0 - 1e-9) - 1e-6
}
