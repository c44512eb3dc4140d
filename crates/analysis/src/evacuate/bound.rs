//! The lower bound: a time no evacuation plan can beat, computed from the network and the
//! scenario alone (never from a plan).
//!
//! Relaxation: road capacities, the separation of civilians from combatants and the exposure
//! rule are dropped; what stays is that every person who leaves passes at least one checkpoint
//! (or reaches a reception on a way with none), no earlier than the shortest travel time from
//! their start, at most `capacity × open share` people per checkpoint and bucket, and reaches a
//! reception no earlier than the shortest onward time after passing. The least `T` for which
//! such a relaxed schedule exists is found by bisection on `T`, each step one maximum flow from
//! the groups of people to the checkpoints' buckets (grouped between the moments groups can
//! first arrive; each group may use any bucket from its first onward). That flow decides every
//! Hall-type condition at once — "the people who can only reach these checkpoints need this
//! long at these checkpoints' open hours" for every set of checkpoints — and its flow at the
//! bound is also an assignment of people to checkpoints, which the planner uses.
//!
//! Time semantics match the planner's and the exact time-expanded optimum's: a person entering
//! a checkpoint in bucket `b` does so no earlier than `b × bucket_s`, so one who can reach it at
//! `d` may use buckets `⌊d / bucket_s⌋ ..= ⌊(T − onward) / bucket_s⌋`.

use super::maxflow::MaxFlow;
use crate::ccrp::open_seconds;
use corridor_routing::{Graph, OneToAll, Seed, INVALID};

/// People who start at one place in one mode.
#[derive(Debug, Clone, PartialEq)]
pub struct BoundGroup {
    pub people: f64,
    /// Which receptions they may use (an index into the network's sink sets): what comes after
    /// a checkpoint depends on it.
    pub class: usize,
    /// Per checkpoint: the earliest moment (s) they can be at one of its crossing roads without
    /// having passed any checkpoint; `INFINITY` if never.
    pub reach_s: Vec<f64>,
    /// Shortest time to a reception on a way that passes no checkpoint (`INFINITY` usually).
    pub direct_s: f64,
}

/// A checkpoint as the bound sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct BoundCheckpoint {
    /// People per bucket when open for the whole bucket.
    pub capacity_per_bucket: f64,
    /// Opening windows, seconds from the start; `None` = always open.
    pub open: Option<Vec<(f64, f64)>>,
    /// People per bucket its crossing roads' own capacities let through together, open or
    /// not (`INFINITY`: not counted): a bucket admits the lesser of this and the screening
    /// capacity times the open share — everyone screened in a bucket enters one of the
    /// crossing roads in that bucket, each within its road capacity.
    pub road_capacity_per_bucket: f64,
    /// Per class: shortest time from entering it to a reception (crossing road included);
    /// `INFINITY` if that class cannot go on from it.
    pub onward_s: Vec<f64>,
}

/// The relaxed problem.
#[derive(Debug, Clone)]
pub struct BoundInstance {
    pub groups: Vec<BoundGroup>,
    pub checkpoints: Vec<BoundCheckpoint>,
    pub bucket_s: f64,
    /// Give up beyond this (seconds).
    pub horizon_s: f64,
}

/// The bound and the relaxed schedule's assignment.
#[derive(Debug, Clone)]
pub struct Bound {
    /// No plan gets everyone in the groups to a reception before this (seconds).
    pub time_s: f64,
    /// People per group and checkpoint in a relaxed schedule finishing just after `time_s`.
    pub assignment: Vec<Vec<f64>>,
}

/// The bound of an instance; `None` if there is nobody to move or the horizon is too short.
pub fn lower_bound(inst: &BoundInstance) -> Option<Bound> {
    let total: f64 = inst.groups.iter().map(|g| g.people).sum();
    if total <= 1e-9 {
        return None;
    }
    let prefix = bucket_prefix_sums(inst);
    let feasible = |t: f64| relaxed_flow(inst, &prefix, t);
    let hi_flow = feasible(inst.horizon_s)?;
    let (mut lo, mut hi) = (0.0, inst.horizon_s);
    let mut best = hi_flow;
    while hi - lo > 0.5 {
        let mid = 0.5 * (lo + hi);
        match feasible(mid) {
            Some(a) => {
                hi = mid;
                best = a;
            }
            None => lo = mid,
        }
    }
    Some(Bound {
        time_s: lo,
        assignment: best,
    })
}

/// Per checkpoint, `s[b]` = people admitted in buckets `0..b` over the horizon.
fn bucket_prefix_sums(inst: &BoundInstance) -> Vec<Vec<f64>> {
    let n = (inst.horizon_s / inst.bucket_s).ceil() as usize + 1;
    inst.checkpoints
        .iter()
        .map(|c| {
            let mut s = Vec::with_capacity(n + 1);
            s.push(0.0);
            let mut acc = 0.0;
            for b in 0..n {
                let a = b as f64 * inst.bucket_s;
                let screened = c.capacity_per_bucket * open_seconds(&c.open, a, a + inst.bucket_s)
                    / inst.bucket_s;
                acc += screened.min(c.road_capacity_per_bucket);
                s.push(acc);
            }
            s
        })
        .collect()
}

/// The assignment of a relaxed schedule finishing by `t`, if one exists.
fn relaxed_flow(inst: &BoundInstance, prefix: &[Vec<f64>], t: f64) -> Option<Vec<Vec<f64>>> {
    let total: f64 = inst.groups.iter().map(|g| g.people).sum();
    let ng = inst.groups.len();
    let mut flow = MaxFlow::new(2 + ng);
    let (s, z) = (0, 1);
    let mut group_arcs: Vec<Vec<(usize, usize)>> = vec![Vec::new(); ng]; // (checkpoint, arc)
    for (gi, g) in inst.groups.iter().enumerate() {
        flow.add(s, 2 + gi, g.people);
        if g.direct_s <= t {
            flow.add(2 + gi, z, f64::INFINITY);
        }
    }
    for (ci, c) in inst.checkpoints.iter().enumerate() {
        if c.capacity_per_bucket <= 0.0 {
            continue;
        }
        let p = &prefix[ci];
        // Per class, the last bucket from which a reception is reached by `t`.
        let last_b: Vec<Option<usize>> = c
            .onward_s
            .iter()
            .map(|&o| {
                let last = t - o;
                (last >= 0.0).then(|| ((last / inst.bucket_s).floor() as usize).min(p.len() - 2))
            })
            .collect();
        // First usable bucket per group.
        let firsts: Vec<(usize, usize)> = inst
            .groups
            .iter()
            .enumerate()
            .filter(|(_, g)| g.reach_s[ci].is_finite())
            .filter_map(|(gi, g)| {
                let b = (g.reach_s[ci] / inst.bucket_s).floor() as usize;
                let last = (*last_b.get(g.class)?)?;
                (b <= last).then_some((gi, b))
            })
            .collect();
        if firsts.is_empty() {
            continue;
        }
        // Slots: between every first bucket and every class's deadline.
        let mut bounds: Vec<usize> = firsts.iter().map(|x| x.1).collect();
        bounds.extend(last_b.iter().flatten().map(|&l| l + 1));
        bounds.sort_unstable();
        bounds.dedup();
        let slots: Vec<(usize, usize)> = bounds.windows(2).map(|w| (w[0], w[1])).collect();
        let slot_node: Vec<usize> = slots
            .iter()
            .map(|&(a, z_b)| {
                let v = flow.add_node();
                flow.add(v, z, p[z_b] - p[a]);
                v
            })
            .collect();
        // Per class, a chain of entries over the slots it may use (waiting moves forward).
        let mut entry: Vec<Vec<Option<usize>>> = Vec::new();
        for l in &last_b {
            let mut row = vec![None; slots.len()];
            if let Some(l) = *l {
                let mut prev: Option<usize> = None;
                for (j, &(_, end)) in slots.iter().enumerate() {
                    if end > l + 1 {
                        break;
                    }
                    let e = flow.add_node();
                    flow.add(e, slot_node[j], f64::INFINITY);
                    if let Some(pv) = prev {
                        flow.add(pv, e, f64::INFINITY);
                    }
                    prev = Some(e);
                    row[j] = Some(e);
                }
            }
            entry.push(row);
        }
        for &(gi, b) in &firsts {
            let j = slots
                .iter()
                .position(|x| x.0 == b)
                .expect("a slot starts there");
            if let Some(e) = entry[inst.groups[gi].class][j] {
                let arc = flow.add(2 + gi, e, f64::INFINITY);
                group_arcs[gi].push((ci, arc));
            }
        }
    }
    let value = flow.run(s, z);
    if value < total * (1.0 - 1e-9) - 1e-6 {
        return None;
    }
    let mut assignment = vec![vec![0.0; inst.checkpoints.len()]; ng];
    for (gi, arcs) in group_arcs.iter().enumerate() {
        for &(ci, arc) in arcs {
            assignment[gi][ci] += flow.flow_on(arc);
        }
    }
    Some(assignment)
}

/// Opening windows, seconds from the start; `None` = always open.
pub type Windows = Option<Vec<(f64, f64)>>;

/// A network the bound is computed on: travel times per arc (`INFINITY` = may not be used by
/// this traveller), and which arcs are which checkpoint's crossing roads.
pub struct BoundNetwork<'a> {
    pub graph: &'a Graph,
    /// Per class of people: the receptions (sink nodes) they may use.
    pub class_sinks: Vec<Vec<u32>>,
    pub travel_s: &'a [f64],
    /// Per arc: the checkpoint (index into `checkpoints`) whose crossing it is, or `INVALID`.
    pub checkpoint_of_arc: &'a [u32],
    /// Per checkpoint: people per bucket and opening windows.
    pub checkpoints: Vec<(f64, Windows)>,
    /// Per arc: people per bucket its own road admits where it is a checkpoint's crossing
    /// road (empty, or `INFINITY` for an arc: not counted) — see
    /// [`BoundCheckpoint::road_capacity_per_bucket`].
    pub crossing_road_capacity: Vec<f64>,
    pub bucket_s: f64,
    pub horizon_s: f64,
}

/// The relaxed instance of people `(node, people, class)` on a network: shortest times to each
/// checkpoint (without passing another) and, per class, on from it to the class's receptions,
/// by Dijkstra on the travel times.
pub fn instance(net: &BoundNetwork, sources: &[(u32, f64, usize)]) -> BoundInstance {
    let sets: Vec<(Vec<u32>, f64, usize)> = sources
        .iter()
        .map(|&(v, people, class)| (vec![v], people, class))
        .collect();
    instance_any_start(net, &sets)
}

/// The relaxed instance of people `(nodes, people, class)` who may start from any of `nodes`:
/// each group's times are the least over its nodes, so the bound holds whichever node a plan
/// starts them from (the planner picks the nearest usable one, which depends on the roads the
/// other flow takes). One backward search per checkpoint and per class, whatever the number of
/// groups.
pub fn instance_any_start(net: &BoundNetwork, sources: &[(Vec<u32>, f64, usize)]) -> BoundInstance {
    let g = net.graph;
    let no_crossing: Vec<f64> = (0..g.arc_count())
        .map(|a| {
            if net.checkpoint_of_arc[a] == INVALID {
                net.travel_s[a]
            } else {
                f64::INFINITY
            }
        })
        .collect();
    let crossings: Vec<Vec<u32>> = (0..net.checkpoints.len())
        .map(|c| {
            (0..g.arc_count() as u32)
                .filter(|&a| {
                    net.checkpoint_of_arc[a as usize] == c as u32
                        && net.travel_s[a as usize].is_finite()
                })
                .collect()
        })
        .collect();
    let least = |q: &OneToAll, nodes: &[u32]| {
        nodes
            .iter()
            .map(|&v| q.cost(v))
            .fold(f64::INFINITY, f64::min)
    };
    let mut q = OneToAll::new(g);
    // Per class: the checkpoint-free time to its receptions, per group.
    let mut direct: Vec<Vec<f64>> = Vec::new();
    let mut onward: Vec<Vec<f64>> = vec![Vec::new(); net.checkpoints.len()];
    for sinks in &net.class_sinks {
        let seeds: Vec<Seed> = sinks.iter().map(|&v| Seed { node: v, cost: 0.0 }).collect();
        q.run(g, net.travel_s, &seeds, f64::INFINITY, true);
        for (c, arcs) in crossings.iter().enumerate() {
            onward[c].push(
                arcs.iter()
                    .map(|&a| net.travel_s[a as usize] + q.cost(g.arc_head(a)))
                    .fold(f64::INFINITY, f64::min),
            );
        }
        q.run(g, &no_crossing, &seeds, f64::INFINITY, true);
        direct.push(sources.iter().map(|s| least(&q, &s.0)).collect());
    }
    // Per checkpoint: the time from each group to one of its crossing roads.
    let reach: Vec<Vec<f64>> = crossings
        .iter()
        .map(|arcs| {
            let tails: Vec<Seed> = arcs
                .iter()
                .map(|&a| Seed {
                    node: g.arc_tail(a),
                    cost: 0.0,
                })
                .collect();
            q.run(g, &no_crossing, &tails, f64::INFINITY, true);
            sources.iter().map(|s| least(&q, &s.0)).collect()
        })
        .collect();
    let checkpoints = net
        .checkpoints
        .iter()
        .zip(onward)
        .zip(&crossings)
        .map(|(((cap, open), onward_s), arcs)| BoundCheckpoint {
            capacity_per_bucket: *cap,
            open: open.clone(),
            road_capacity_per_bucket: arcs
                .iter()
                .map(|&a| {
                    let road = net.crossing_road_capacity.get(a as usize);
                    road.copied().unwrap_or(f64::INFINITY)
                })
                .sum(),
            onward_s,
        })
        .collect();
    let groups = sources
        .iter()
        .enumerate()
        .map(|(i, (_, people, class))| BoundGroup {
            people: *people,
            class: *class,
            reach_s: reach.iter().map(|r| r[i]).collect(),
            direct_s: direct.get(*class).map_or(f64::INFINITY, |d| d[i]),
        })
        .collect();
    BoundInstance {
        groups,
        checkpoints,
        bucket_s: net.bucket_s,
        horizon_s: net.horizon_s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(people: f64, reach: &[f64]) -> BoundGroup {
        BoundGroup {
            people,
            class: 0,
            reach_s: reach.to_vec(),
            direct_s: f64::INFINITY,
        }
    }

    fn cp(cap: f64, onward: f64, open: Option<Vec<(f64, f64)>>) -> BoundCheckpoint {
        BoundCheckpoint {
            capacity_per_bucket: cap,
            road_capacity_per_bucket: f64::INFINITY,
            open,
            onward_s: vec![onward],
        }
    }

    #[test]
    fn pooled_capacity_by_hand() {
        // 100 people, two checkpoints of 10 per 1-s bucket, reachable at 0, onward 0: 5 buckets
        // each, the last used bucket is 4, so nobody arrives before 4 s and all by 4 s.
        let inst = BoundInstance {
            groups: vec![group(100.0, &[0.0, 0.0])],
            checkpoints: vec![cp(10.0, 0.0, None), cp(10.0, 0.0, None)],
            bucket_s: 1.0,
            horizon_s: 1000.0,
        };
        let b = lower_bound(&inst).unwrap();
        assert!((b.time_s - 4.0).abs() <= 0.5, "{}", b.time_s);
        let a = &b.assignment[0];
        assert!((a[0] + a[1] - 100.0).abs() < 1e-6);
    }

    #[test]
    fn a_group_that_reaches_one_checkpoint_only_binds() {
        // Group A (90) reaches only checkpoint 0; group B (10) both. 10 per bucket each:
        // A needs 9 buckets at checkpoint 0 (0..=8), B uses checkpoint 1: bound 8 s, not 4.
        let inst = BoundInstance {
            groups: vec![group(90.0, &[0.0, f64::INFINITY]), group(10.0, &[0.0, 0.0])],
            checkpoints: vec![cp(10.0, 0.0, None), cp(10.0, 0.0, None)],
            bucket_s: 1.0,
            horizon_s: 1000.0,
        };
        let b = lower_bound(&inst).unwrap();
        assert!((b.time_s - 8.0).abs() <= 0.5, "{}", b.time_s);
    }

    #[test]
    fn opening_hours_count() {
        // 30 people, 10 per bucket, open [0, 2) and [10, 20): buckets 0, 1, 10; onward 5.
        let inst = BoundInstance {
            groups: vec![group(30.0, &[0.0])],
            checkpoints: vec![cp(10.0, 5.0, Some(vec![(0.0, 2.0), (10.0, 20.0)]))],
            bucket_s: 1.0,
            horizon_s: 1000.0,
        };
        let b = lower_bound(&inst).unwrap();
        assert!((b.time_s - 15.0).abs() <= 0.5, "{}", b.time_s);
    }

    #[test]
    fn a_group_that_may_start_from_two_nodes_reaches_what_either_reaches() {
        // 0 -5-> 2 =cp0(1)=> 4 -2-> 6 (sink); 1 -7-> 3 =cp1(1)=> 5 -3-> 6. From {0, 1}: cp0 at
        // 5 s (onward 3), cp1 at 7 s (onward 4). 100 people, 10 per bucket each: buckets 5..=T-3
        // and 7..=T-4 hold 2T - 17 >= 10 buckets, T = 14; from node 0 alone, T - 7 >= 10: 17.
        let (g, ids) = Graph::from_arcs(7, &[(0, 2), (1, 3), (2, 4), (3, 5), (4, 6), (5, 6)]);
        let mut travel = vec![0.0; 6];
        let mut checkpoint = vec![INVALID; 6];
        for (i, (t, c)) in [
            (5.0, INVALID),
            (7.0, INVALID),
            (1.0, 0),
            (1.0, 1),
            (2.0, INVALID),
            (3.0, INVALID),
        ]
        .into_iter()
        .enumerate()
        {
            travel[ids[i] as usize] = t;
            checkpoint[ids[i] as usize] = c;
        }
        let net = BoundNetwork {
            graph: &g,
            crossing_road_capacity: Vec::new(),
            class_sinks: vec![vec![6]],
            travel_s: &travel,
            checkpoint_of_arc: &checkpoint,
            checkpoints: vec![(10.0, None), (10.0, None)],
            bucket_s: 1.0,
            horizon_s: 1000.0,
        };
        let both = instance_any_start(&net, &[(vec![0, 1], 100.0, 0)]);
        assert_eq!(both.groups[0].reach_s, vec![5.0, 7.0]);
        assert_eq!(both.checkpoints[0].onward_s, vec![3.0]);
        assert_eq!(both.checkpoints[1].onward_s, vec![4.0]);
        let one = instance(&net, &[(0, 100.0, 0)]);
        assert_eq!(one.groups[0].reach_s, vec![5.0, f64::INFINITY]);
        let (t_both, t_one) = (
            lower_bound(&both).unwrap().time_s,
            lower_bound(&one).unwrap().time_s,
        );
        assert!((t_both - 14.0).abs() <= 0.5, "{t_both}");
        assert!((t_one - 17.0).abs() <= 0.5, "{t_one}");
    }
}
