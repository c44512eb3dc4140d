//! The civilians' bound over every combatant routing (`evacuate::routing_bound`, branch and
//! bound over classes of routings) checked against independent answers: on random small
//! networks shared by civilians and (spread) combatants, the brute-force exact two-flow
//! optimum — every pair of simple combatant paths, their roads closed to civilians, the exact
//! civilian optimum by time-expanded maximum flow (`ccrp::time_expanded_optimum_shared`), the
//! least over the pairs — and the bound with only the roads every routing uses closed; by hand,
//! combatants who must cross one of two narrow parallel roads the civilians need.

mod common;

use corridor_analysis::ccrp::{time_expanded_optimum_shared, ExpandedNetwork};
use corridor_analysis::evacuate::bound::{instance, lower_bound, BoundNetwork};
use corridor_analysis::evacuate::chain_bound::{chain_bound, chain_lower_bound, cut_pairs};
use corridor_analysis::evacuate::road_bound::{road_bound, RoadNetwork, StartingPeople};
use corridor_analysis::evacuate::routing_bound::{
    over_every_routing, over_every_routing_strengthened, over_every_routing_up_to, Budget,
    CombatantRoads, Evaluation, Stop,
};
use corridor_analysis::evacuate::separation::mandatory_edges;
use corridor_routing::{Graph, INVALID};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use std::collections::BTreeSet;

/// A network shared by both flows: two-way roads among nodes `0..n` (each direction its own
/// capacity per step), civilians at nodes 0 and 1, a checkpoint from `n − 1` to `n` and on to
/// the civilians' reception `n + 1`; combatant groups at `c0` and `c1` leaving on the roads to
/// their reception `cz`.
#[derive(Debug, Clone)]
struct Shared {
    n: u32,
    roads: Vec<(u32, u32, u32, u32)>, // ends, travel steps, capacity per step
    civilians: [u32; 2],
    checkpoint_cap: u32,
    combatants: [u32; 2],
    reception: u32,
}

fn shared() -> impl Strategy<Value = Shared> {
    (4u32..7).prop_flat_map(|n| {
        (
            Just(n),
            proptest::collection::vec((0..n, 0..n, 1u32..3, 1u32..4), n as usize..2 * n as usize),
            [0u32..7, 0u32..5],
            1u32..5,
            [0..n, 0..n],
            0..n,
        )
            .prop_map(
                |(n, roads, civilians, checkpoint_cap, combatants, reception)| Shared {
                    n,
                    roads: roads.into_iter().filter(|r| r.0 != r.1).collect(),
                    civilians,
                    checkpoint_cap,
                    combatants,
                    reception,
                },
            )
    })
}

/// The instance as arcs: per arc its travel, resource (its own; the checkpoint's for the
/// crossing), road id (`INVALID` off the roads) and whether it is the checkpoint.
struct Built {
    g: Graph,
    travel: Vec<u32>,
    resource: Vec<u32>,
    cap: Vec<u32>,
    road: Vec<u32>,
    checkpoint_of_arc: Vec<u32>,
    sink: u32,
}

fn build(x: &Shared) -> Built {
    let n = x.n;
    // (tail, head, travel, capacity, road, checkpoint)
    let mut list: Vec<(u32, u32, u32, u32, u32, u32)> = Vec::new();
    for (i, &(a, b, t, c)) in x.roads.iter().enumerate() {
        list.push((a, b, t, c, i as u32, INVALID));
        list.push((b, a, t, c, i as u32, INVALID));
    }
    list.push((n - 1, n, 1, x.checkpoint_cap, INVALID, 0));
    list.push((n, n + 1, 1, 1000, INVALID, INVALID));
    let pairs: Vec<(u32, u32)> = list.iter().map(|a| (a.0, a.1)).collect();
    let (g, ids) = Graph::from_arcs(n as usize + 2, &pairs);
    let m = list.len();
    let (mut travel, mut resource, mut cap, mut road, mut cp) = (
        vec![0; m],
        vec![0; m],
        vec![0; m],
        vec![INVALID; m],
        vec![INVALID; m],
    );
    for (i, a) in list.iter().enumerate() {
        let id = ids[i] as usize;
        travel[id] = a.2;
        resource[id] = id as u32;
        cap[id] = a.3;
        road[id] = a.4;
        cp[id] = a.5;
    }
    Built {
        g,
        travel,
        resource,
        cap,
        road,
        checkpoint_of_arc: cp,
        sink: n + 1,
    }
}

/// The civilians' people per start node (those with people).
fn civilians(x: &Shared) -> Vec<(u32, u32)> {
    [(0, x.civilians[0]), (1, x.civilians[1])]
        .into_iter()
        .filter(|p| p.1 > 0)
        .collect()
}

/// The exact civilian optimum with `closed` roads closed to them (`None`: not everyone out).
fn exact_with_closed(b: &Built, x: &Shared, closed: &BTreeSet<u32>) -> Option<u32> {
    let cap: Vec<u32> = (0..b.g.arc_count())
        .map(|a| {
            if b.road[a] != INVALID && closed.contains(&b.road[a]) {
                0
            } else {
                b.cap[a]
            }
        })
        .collect();
    let open = vec![None; cap.len()];
    let net = ExpandedNetwork {
        graph: &b.g,
        travel_steps: &b.travel,
        resource: &b.resource,
        cap_per_step: &cap,
        open: &open,
    };
    time_expanded_optimum_shared(&net, &civilians(x), &[b.sink], 80)
}

/// The civilians' road network with `closed` roads closed (per arc travel, per resource
/// capacity, opening windows), as the bounds see it.
struct ClassNet {
    travel: Vec<f64>,
    capacity: Vec<f64>,
    open: Vec<Option<Vec<(f64, f64)>>>,
}

fn class_net(b: &Built, closed: &BTreeSet<u32>) -> ClassNet {
    let travel: Vec<f64> = (0..b.g.arc_count())
        .map(|a| {
            if b.road[a] != INVALID && closed.contains(&b.road[a]) {
                f64::INFINITY
            } else {
                b.travel[a] as f64
            }
        })
        .collect();
    let capacity: Vec<f64> = b.cap.iter().map(|&c| c as f64).collect();
    let open = vec![None; capacity.len()];
    ClassNet {
        travel,
        capacity,
        open,
    }
}

impl ClassNet {
    fn road_network<'a>(&'a self, b: &'a Built) -> RoadNetwork<'a> {
        RoadNetwork {
            graph: &b.g,
            travel_s: &self.travel,
            resource: &b.resource,
            second_resource: &[],
            capacity: &self.capacity,
            open: &self.open,
            bucket_s: 1.0,
            horizon_s: 1000.0,
        }
    }
}

/// The civilians as the road bounds count them (one start each).
fn starting(x: &Shared) -> Vec<StartingPeople> {
    civilians(x)
        .iter()
        .map(|&(v, p)| StartingPeople {
            starts: vec![v],
            people: p as f64,
        })
        .collect()
}

/// The civilians' bounds with `closed` roads closed: the larger of the road-cut and the
/// checkpoint bound; infinite if some civilian can no longer reach the reception (the class
/// holds no plan that moves everyone). Splits may be on any road.
fn evaluate(b: &Built, x: &Shared, closed: &BTreeSet<u32>) -> Evaluation {
    let cn = class_net(b, closed);
    let travel = &cn.travel;
    let branch_on: Vec<u32> = (0..x.roads.len() as u32).collect();
    let people = civilians(x);
    if people
        .iter()
        .any(|&(v, _)| !reaches(&b.g, travel, v, b.sink))
    {
        return Evaluation {
            value_s: f64::INFINITY,
            branch_on,
        };
    }
    let net = cn.road_network(b);
    let roads = road_bound(&net, &starting(x), &[b.sink]).map_or(0.0, |r| r.time_s);
    let bn = BoundNetwork {
        graph: &b.g,
        crossing_road_capacity: Vec::new(),
        class_sinks: vec![vec![b.sink]],
        travel_s: travel,
        checkpoint_of_arc: &b.checkpoint_of_arc,
        checkpoints: vec![(x.checkpoint_cap as f64, None)],
        bucket_s: 1.0,
        horizon_s: 1000.0,
    };
    let sources: Vec<(u32, f64, usize)> = people.iter().map(|&(v, p)| (v, p as f64, 0)).collect();
    let checkpoints = lower_bound(&instance(&bn, &sources)).map_or(0.0, |r| r.time_s);
    Evaluation {
        value_s: roads.max(checkpoints),
        branch_on,
    }
}

/// The stronger score with `closed` roads closed: two road cuts in series
/// (`evacuate::chain_bound`, as the planner's search uses it), if above `value_s`.
fn two_cuts(b: &Built, x: &Shared, closed: &BTreeSet<u32>, value_s: f64) -> Option<f64> {
    let cn = class_net(b, closed);
    chain_bound(&cn.road_network(b), &starting(x), &[b.sink], value_s).map(|c| c.time_s)
}

/// A deliberately broken two-cut score: every link between the cuts one step longer than
/// the network allows (people would reach the second cut later than they can), so a schedule
/// the exact optimum meets is ruled out.
fn two_cuts_one_step_late(
    b: &Built,
    x: &Shared,
    closed: &BTreeSet<u32>,
    value_s: f64,
) -> Option<f64> {
    let cn = class_net(b, closed);
    let t = cut_pairs(&cn.road_network(b), &starting(x), &[b.sink])
        .into_iter()
        .filter_map(|mut pair| {
            for row in &mut pair.instance.link_s {
                row.iter_mut().for_each(|l| *l += 1.0);
            }
            chain_lower_bound(&pair.instance)
        })
        .fold(0.0, f64::max);
    (t > value_s).then_some(t)
}

/// Whether `to` is reachable from `from` over arcs of finite travel (the test's own search).
fn reaches(g: &Graph, travel: &[f64], from: u32, to: u32) -> bool {
    let mut seen = vec![false; g.node_count()];
    let mut stack = vec![from];
    seen[from as usize] = true;
    while let Some(v) = stack.pop() {
        if v == to {
            return true;
        }
        for a in g.out_arcs(v) {
            let h = g.arc_head(a);
            if travel[a as usize].is_finite() && !seen[h as usize] {
                seen[h as usize] = true;
                stack.push(h);
            }
        }
    }
    false
}

/// What one instance gives: the brute-force optimum over every routing, the bound with the
/// mandatory roads only, the search's bound and the largest finite frontier value (what a
/// search that wrongly took the greatest child would report). `None` when the instance has no
/// routing to compare (a combatant group without a way out, too many paths, nobody to move).
struct Outcome {
    exact: u32,
    mandatory_only: f64,
    bound: f64,
    greatest_child: f64,
    /// The search with the two-cut score on the least class, and with the broken one.
    two_cuts: f64,
    two_cuts_broken: f64,
    /// The search (both scores) stopped by a probe routing's scores: the brute force's best
    /// routing and its worst (the one leaving the civilians the latest exact optimum).
    probe_best: ClassSearchOutcome,
    probe_worst: ClassSearchOutcome,
}

/// What a probed search gives: its bound, whether the probe stopped it, and the probe
/// routing's own exact civilian optimum.
struct ClassSearchOutcome {
    bound: f64,
    by_ceiling: bool,
    probe_exact: u32,
}

fn outcome(x: &Shared, avoid_cut_off: bool) -> Option<Outcome> {
    let b = build(x);
    let groups: Vec<u32> = x
        .combatants
        .iter()
        .copied()
        .filter(|&c| c != x.reception)
        .collect();
    if groups.is_empty() || civilians(x).is_empty() {
        return None;
    }
    let mut per_group = Vec::new();
    for &c in &groups {
        let paths = common::simple_paths_roads(&b.g, &b.road, c, x.reception, 10)?;
        if paths.is_empty() {
            return None;
        }
        per_group.push(paths);
    }
    // Brute force: every choice of one simple path per group.
    let mut exact: Option<u32> = None;
    // The best and the worst routing that lets every civilian out: (optimum, roads).
    let mut best: Option<(u32, BTreeSet<u32>)> = None;
    let mut worst: Option<(u32, BTreeSet<u32>)> = None;
    let mut pick = vec![0usize; per_group.len()];
    loop {
        let closed: BTreeSet<u32> = pick
            .iter()
            .zip(&per_group)
            .flat_map(|(&i, p)| p[i].iter().copied())
            .collect();
        if let Some(t) = exact_with_closed(&b, x, &closed) {
            exact = Some(exact.map_or(t, |e| e.min(t)));
            if best.as_ref().is_none_or(|b| t < b.0) {
                best = Some((t, closed.clone()));
            }
            if worst.as_ref().is_none_or(|w| t > w.0) {
                worst = Some((t, closed.clone()));
            }
        }
        let mut k = 0;
        while k < pick.len() && pick[k] + 1 == per_group[k].len() {
            pick[k] = 0;
            k += 1;
        }
        if k == pick.len() {
            break;
        }
        pick[k] += 1;
    }
    let exact = exact?;
    let open: Vec<bool> = b.road.iter().map(|&r| r != INVALID).collect();
    let ids: Vec<u32> = b
        .road
        .iter()
        .map(|&r| if r == INVALID { 0 } else { r })
        .collect();
    let starts: Vec<Vec<u32>> = groups.iter().map(|&c| vec![c]).collect();
    let every: BTreeSet<u32> = mandatory_edges(&b.g, &open, &ids, &starts, &[x.reception])
        .into_iter()
        .flatten()
        .flatten()
        .collect();
    let mandatory_only = evaluate(&b, x, &every).value_s;
    // Roads without which some civilian cannot leave (the test's own search): a routing that
    // takes one has no plan that moves everyone.
    let cut_off: BTreeSet<u32> = (0..x.roads.len() as u32)
        .filter(|&r| {
            let travel: Vec<f64> = (0..b.g.arc_count())
                .map(|a| if b.road[a] == r { f64::INFINITY } else { 1.0 })
                .collect();
            civilians(x)
                .iter()
                .any(|&(v, _)| !reaches(&b.g, &travel, v, b.sink))
        })
        .collect();
    let cut_civilians_off = if avoid_cut_off {
        cut_off
    } else {
        BTreeSet::new()
    };
    let comb = CombatantRoads {
        graph: &b.g,
        open: &open,
        road_of_arc: &ids,
        start_sets: &starts,
        sinks: &[x.reception],
        cut_civilians_off: &cut_civilians_off,
        after_cut: &[],
    };
    let budget = Budget {
        evaluations: 60,
        strengthenings: 60,
    };
    let search = over_every_routing(&comb, budget, |closed| evaluate(&b, x, closed))
        .expect("every group has a way out");
    let strengthened = |score: fn(&Built, &Shared, &BTreeSet<u32>, f64) -> Option<f64>| {
        over_every_routing_strengthened(
            &comb,
            budget,
            |closed| evaluate(&b, x, closed),
            |closed, v| score(&b, x, closed, v),
        )
        .expect("every group has a way out")
        .bound_s
    };
    let two_cuts_s = strengthened(two_cuts);
    let probed = |(probe_exact, roads): (u32, BTreeSet<u32>)| {
        let s = over_every_routing_up_to(
            &comb,
            budget,
            Some(&roads),
            |closed| evaluate(&b, x, closed),
            |closed, v| two_cuts(&b, x, closed, v),
        )
        .expect("every group has a way out");
        ClassSearchOutcome {
            bound: s.bound_s,
            by_ceiling: s.stopped == Stop::Ceiling,
            probe_exact,
        }
    };
    let probe_best = probed(best.expect("an optimum"));
    let probe_worst = probed(worst.expect("an optimum"));
    let two_cuts_broken = strengthened(two_cuts_one_step_late);
    let greatest_child = search
        .frontier_s
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(f64::NEG_INFINITY, f64::max);
    Some(Outcome {
        exact,
        mandatory_only,
        bound: search.bound_s,
        greatest_child,
        two_cuts: two_cuts_s,
        two_cuts_broken,
        probe_best,
        probe_worst,
    })
}

#[test]
fn the_bound_over_every_routing_lies_between_the_mandatory_only_bound_and_the_exact_optimum() {
    let mut runner = TestRunner::deterministic();
    let (mut compared, mut raised, mut greatest_breaks) = (0, 0, 0);
    let (mut two_cuts_raise, mut two_cuts_below, mut broken_breaks) = (0, 0, 0);
    let (mut probe_stops, mut probe_stops_above_optimum) = (0, 0);
    for _ in 0..400 {
        let x = shared().new_tree(&mut runner).expect("a case").current();
        let Some(o) = outcome(&x, compared % 2 == 0) else {
            continue;
        };
        compared += 1;
        // Every bound lies between the mandatory-only bound and the exact optimum.
        let between = |what: &str, b: f64| {
            assert!(
                b <= o.exact as f64 + 1e-9,
                "{what} {b} above the exact optimum over every routing {} on {x:?}",
                o.exact
            );
            assert!(
                b >= o.mandatory_only - 1e-9,
                "{what} {b} below the mandatory-only bound {} on {x:?}",
                o.mandatory_only
            );
        };
        between("bound", o.bound);
        if o.bound > o.mandatory_only + 0.5 {
            raised += 1;
        }
        if o.greatest_child > o.exact as f64 + 1e-9 {
            greatest_breaks += 1;
        }
        between("bound with the two-cut score", o.two_cuts);
        if o.two_cuts > o.bound + 0.5 {
            two_cuts_raise += 1;
        }
        if o.two_cuts < o.bound - 0.5 {
            two_cuts_below += 1;
        }
        if o.two_cuts_broken > o.exact as f64 + 1e-9 {
            broken_breaks += 1;
        }
        for p in [&o.probe_best, &o.probe_worst] {
            between(
                &format!(
                    "bound stopped by a probe routing (its own optimum {})",
                    p.probe_exact
                ),
                p.bound,
            );
            if p.by_ceiling {
                probe_stops += 1;
                if p.probe_exact > o.exact {
                    probe_stops_above_optimum += 1;
                }
            }
        }
    }
    eprintln!(
        "{compared} compared, {raised} raised, greatest child above the optimum on {greatest_breaks}; \
         the two-cut score above the road cut's search on {two_cuts_raise}, below on {two_cuts_below}; \
         the broken two-cut score above the optimum on {broken_breaks}; \
         stopped by a probe routing's scores {probe_stops} times, {probe_stops_above_optimum} \
         of them by a routing worse than the best"
    );
    assert!(compared >= 100, "only {compared} instances compared");
    // The search must matter, and the test must be able to fail: the greatest child instead
    // of the least is above the exact optimum on some instance.
    assert!(raised > 0, "the search never raised the bound");
    assert!(
        greatest_breaks > 0,
        "taking the greatest child never broke the bound"
    );
    // The two-cut score must matter, and its check must be able to fail: one step too late
    // between the cuts is above the exact optimum on some instance.
    assert!(
        two_cuts_raise > 0,
        "the two-cut score never raised the bound"
    );
    assert!(
        broken_breaks > 0,
        "the broken two-cut score never broke the bound"
    );
    // The probe's stop must be exercised, also by routings worse than the best (whose own
    // scores may lie above the optimum over every routing: the stop must not claim them).
    assert!(probe_stops > 0, "no search stopped at a probe's scores");
    assert!(
        probe_stops_above_optimum > 0,
        "no search stopped at a worse routing's scores"
    );
}

#[test]
fn combatants_who_must_cross_one_of_two_narrow_roads_leave_the_civilians_one_by_hand() {
    // Civilians: 20 at node 0, over road A or B (0 → 1, 2 per step each, 3 steps), through the
    // checkpoint 1 → 4 (10 per step, 1 step) to the reception 5 (1 step). Combatants: from 2
    // by road C to 0, over A or B to 1, by road D to their reception 3.
    // With one road: 20 / 2 = 10 steps of entries (0..=9), at 1 by 12, across by 13, out at
    // 14. With both (only C and D closed, the mandatory ones): entries 0..=4, out at 9.
    let arcs: Vec<(u32, u32, u32, u32, u32)> = vec![
        // tail, head, travel, capacity, road
        (0, 1, 3, 2, 0),
        (1, 0, 3, 2, 0),
        (0, 1, 3, 2, 1),
        (1, 0, 3, 2, 1),
        (2, 0, 1, 5, 2),
        (0, 2, 1, 5, 2),
        (1, 3, 1, 5, 3),
        (3, 1, 1, 5, 3),
        (1, 4, 1, 10, INVALID),
        (4, 5, 1, 1000, INVALID),
    ];
    let b = hand_built(6, &arcs, (1, 4), 5);
    let x = Shared {
        n: 4,
        roads: Vec::new(),
        civilians: [20, 0],
        checkpoint_cap: 10,
        combatants: [2, 2],
        reception: 3,
    };
    // The exact optimum with either road taken by the combatants.
    for r in [0, 1] {
        let closed: BTreeSet<u32> = [r, 2, 3].into_iter().collect();
        assert_eq!(exact_with_closed(&b, &x, &closed), Some(14));
    }
    let open: Vec<bool> = b.road.iter().map(|&r| r != INVALID).collect();
    let ids: Vec<u32> = b
        .road
        .iter()
        .map(|&r| if r == INVALID { 0 } else { r })
        .collect();
    let starts = vec![vec![2]];
    let none = BTreeSet::new();
    let comb = CombatantRoads {
        graph: &b.g,
        open: &open,
        road_of_arc: &ids,
        start_sets: &starts,
        sinks: &[3],
        cut_civilians_off: &none,
        after_cut: &[],
    };
    let budget = Budget {
        evaluations: 20,
        strengthenings: 60,
    };
    let eval = |closed: &BTreeSet<u32>| {
        let mut e = evaluate(&b, &x, closed);
        e.branch_on = vec![0, 1, 2, 3];
        e
    };
    let search = over_every_routing(&comb, budget, eval).expect("a way out");
    // The mandatory roads alone (C, D) leave both: just below 9.
    assert!(
        search.root_s < 9.0 && search.root_s >= 8.5,
        "root {}",
        search.root_s
    );
    // Over every routing: just below the hand count of 14 (the bound's half-second bisection).
    assert!(
        search.bound_s < 14.0 && search.bound_s >= 13.5,
        "bound {}",
        search.bound_s
    );
    assert!(search.settled, "both classes are decided");
}

/// A hand-built network: arcs (tail, head, travel, capacity, road), the checkpoint arc, the
/// civilians' reception.
fn hand_built(
    nodes: usize,
    arcs: &[(u32, u32, u32, u32, u32)],
    cp: (u32, u32),
    sink: u32,
) -> Built {
    let pairs: Vec<(u32, u32)> = arcs.iter().map(|a| (a.0, a.1)).collect();
    let (g, ids) = Graph::from_arcs(nodes, &pairs);
    let m = arcs.len();
    let (mut travel, mut cap, mut road, mut checkpoint_of_arc) =
        (vec![0; m], vec![0; m], vec![INVALID; m], vec![INVALID; m]);
    for (i, a) in arcs.iter().enumerate() {
        let id = ids[i] as usize;
        travel[id] = a.2;
        cap[id] = a.3;
        road[id] = a.4;
        if (a.0, a.1) == cp {
            checkpoint_of_arc[id] = 0;
        }
    }
    Built {
        g,
        travel,
        resource: (0..m as u32).collect(),
        cap,
        road,
        checkpoint_of_arc,
        sink,
    }
}

#[test]
fn a_combatant_reception_on_the_civilians_second_route_closes_it_either_way_round_by_hand() {
    // Civilians: 20 at node 0, by road A (0 → 1, 3 steps, 2 per step) or by the second route
    // B1 (0 → 6, 1 step) and B2 (6 → 1, 2 steps), 2 per step each, then through the
    // checkpoint 1 → 4 (10 per step) to the reception 5. The combatants' reception is the
    // junction 6; they may start at 0 or at 1 (a cell by both ends), so they come by B1 or by
    // B2 — either way round the second route is closed, though no road is on every way.
    // Hand count: one route, 20 / 2 = 10 entries (0..=9), at 1 by 12, across by 13, out at
    // 14; both routes (nothing closed): entries 0..=4, out at 9.
    let (a, b1, b2) = (0, 1, 2);
    let mut arcs: Vec<(u32, u32, u32, u32, u32)> = Vec::new();
    for (u, v, t, cap, r) in [(0, 1, 3, 2, a), (0, 6, 1, 2, b1), (6, 1, 2, 2, b2)] {
        arcs.push((u, v, t, cap, r));
        arcs.push((v, u, t, cap, r));
    }
    arcs.push((1, 4, 1, 10, INVALID));
    arcs.push((4, 5, 1, 1000, INVALID));
    let b = hand_built(7, &arcs, (1, 4), 5);
    let x = Shared {
        n: 4,
        roads: Vec::new(),
        civilians: [20, 0],
        checkpoint_cap: 10,
        combatants: [2, 2],
        reception: 6,
    };
    // The exact optimum under each way round (the road it comes by closed to civilians).
    for closed in [b1, b2] {
        let closed: BTreeSet<u32> = [closed].into_iter().collect();
        assert_eq!(exact_with_closed(&b, &x, &closed), Some(14));
    }
    assert_eq!(exact_with_closed(&b, &x, &BTreeSet::new()), Some(9));
    let open: Vec<bool> = b.road.iter().map(|&r| r != INVALID).collect();
    let ids: Vec<u32> = b
        .road
        .iter()
        .map(|&r| if r == INVALID { 0 } else { r })
        .collect();
    let starts = vec![vec![0, 1]];
    let none = BTreeSet::new();
    let budget = Budget {
        evaluations: 20,
        strengthenings: 60,
    };
    // The civilians' cut crosses road A only (as the planner's does when the combatants can
    // keep off its roads): "uses A" leaves them route B, "avoids A" keeps the root.
    let eval = |closed: &BTreeSet<u32>| {
        let mut e = evaluate(&b, &x, closed);
        e.branch_on = vec![a];
        e
    };
    let search = |after_cut: &[u32]| {
        let comb = CombatantRoads {
            graph: &b.g,
            open: &open,
            road_of_arc: &ids,
            start_sets: &starts,
            sinks: &[6],
            cut_civilians_off: &none,
            after_cut,
        };
        over_every_routing(&comb, budget, eval).expect("a way out")
    };
    let on_the_cut_only = search(&[]);
    assert!(
        on_the_cut_only.bound_s < 9.0 && on_the_cut_only.bound_s >= 8.5,
        "bound on the cut only {}",
        on_the_cut_only.bound_s
    );
    // Split also on the last roads before the combatants' reception: the hand count for one
    // route (just below 14: the bound's half-second bisection).
    let beyond = search(&[b1, b2]);
    assert!(
        beyond.bound_s < 14.0 && beyond.bound_s >= 13.5,
        "bound {}",
        beyond.bound_s
    );
    assert!(beyond.settled, "every class is decided");
}
