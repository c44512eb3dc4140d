//! Nearest labelled source, by Dijkstra (`NearestSource`) and by the CCH (`CchNearestSource`),
//! against an independent oracle: one petgraph Dijkstra per seed, then per node the smallest
//! (seed cost + distance, label) pair in whole milliseconds. Weights are small so that ties
//! between sources are common; graphs include zero and `INFINITY` arcs, parallel arcs,
//! self-loops, disconnected parts, several seeds on one node and one label on several nodes.
//! Checked in both directions, under three orders, and after partial customization.

use corridor_routing::{
    geometric_bisection_order, metis_order, Cch, CchNearestSource, CchUpdater, Direction, Graph,
    LabelledSeed, NearestSource,
};
use proptest::prelude::*;

mod common;
use common::*;

const NONE: (u64, u32) = (u64::MAX, u32::MAX);

fn got(cost: f64, label: Option<u32>) -> (u64, u32) {
    match label {
        None => {
            assert!(cost.is_infinite(), "a label for every reached node");
            NONE
        }
        Some(l) => ((cost * 1000.0).round() as u64, l),
    }
}

fn graph_strategy() -> impl Strategy<Value = (usize, Arcs)> {
    (1usize..30).prop_flat_map(|n| {
        let weight = prop_oneof![
            5 => (0u64..6).prop_map(Some),
            3 => (0u64..4_000).prop_map(Some),
            1 => Just(None),
        ];
        (
            Just(n),
            proptest::collection::vec((0..n as u32, 0..n as u32, weight), 0..90),
        )
    })
}

fn build(n: usize, arcs: &Arcs, which: u8) -> (Graph, Vec<f64>, Vec<u32>, Cch) {
    let (g, w, ids) = graph_and_weights(n, arcs);
    let order = match which {
        0 => metis_order(&g),
        1 => {
            let xy: Vec<[f64; 2]> = (0..n)
                .map(|i| [(i * 7 % 11) as f64, (i * 5 % 13) as f64])
                .collect();
            geometric_bisection_order(&g, &xy)
        }
        _ => (0..n as u32).rev().collect(),
    };
    let cch = Cch::new(&g, order);
    (g, w, ids, cch)
}

fn labelled(n: usize, seeds: &[(u32, u64, u32)]) -> (Vec<(u32, u64, u32)>, Vec<LabelledSeed>) {
    let seeds: Vec<(u32, u64, u32)> = seeds
        .iter()
        .map(|&(v, c, l)| (v % n as u32, c, l))
        .collect();
    let ls = seeds
        .iter()
        .map(|&(node, c, label)| LabelledSeed {
            node,
            cost: c as f64 / 1000.0,
            label,
        })
        .collect();
    (seeds, ls)
}

/// Both engines against the oracle, both directions.
#[allow(clippy::too_many_arguments)]
fn check_all(
    n: usize,
    arcs: &Arcs,
    g: &Graph,
    w: &[f64],
    cch: &Cch,
    metric: &corridor_routing::CchMetric,
    seeds: &[(u32, u64, u32)],
    ls: &[LabelledSeed],
) -> Result<(), TestCaseError> {
    let mut dij = NearestSource::new(g);
    let mut phast = CchNearestSource::new(cch);
    for (reverse, dir) in [(false, Direction::FromSeeds), (true, Direction::ToSeeds)] {
        let expect = nearest_oracle(n, arcs, seeds, reverse);
        dij.run(g, w, ls, f64::INFINITY, reverse);
        phast.run(cch, metric, ls, dir);
        for v in 0..n as u32 {
            let e = expect[v as usize];
            prop_assert_eq!(
                got(dij.cost(v), dij.label(v)),
                e,
                "Dijkstra, node {} rev {}",
                v,
                reverse
            );
            prop_assert_eq!(
                got(phast.cost(cch, v), phast.label(cch, v)),
                e,
                "CCH, node {} rev {}",
                v,
                reverse
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn nearest_source_and_label_match_the_oracle(
        (n, arcs) in graph_strategy(),
        which in 0u8..3,
        seeds in proptest::collection::vec((0u32..30, prop_oneof![3 => Just(0u64), 1 => 0u64..8], 0u32..5), 0..6),
    ) {
        let (g, w, _, cch) = build(n, &arcs, which);
        let metric = cch.customize(&w);
        let (seeds, ls) = labelled(n, &seeds);
        check_all(n, &arcs, &g, &w, &cch, &metric, &seeds, &ls)?;
    }

    #[test]
    fn nearest_source_matches_after_partial_updates(
        (n, arcs) in graph_strategy(),
        which in 0u8..3,
        seeds in proptest::collection::vec((0u32..30, Just(0u64), 0u32..4), 1..5),
        changes in proptest::collection::vec((0usize..90, prop_oneof![2 => (0u64..6).prop_map(Some), 1 => Just(None)]), 1..6),
    ) {
        prop_assume!(!arcs.is_empty());
        let (g, mut w, ids, cch) = build(n, &arcs, which);
        let mut metric = cch.customize(&w);
        let mut arcs = arcs;
        let mut applied = Vec::new();
        for (i, c) in changes {
            let i = i % arcs.len();
            arcs[i].2 = c;
            let a = ids[i];
            w[a as usize] = c.map_or(f64::INFINITY, |c| c as f64 / 1000.0);
            applied.push((a, w[a as usize]));
        }
        CchUpdater::new().update(&cch, &mut metric, &applied);
        let (seeds, ls) = labelled(n, &seeds);
        check_all(n, &arcs, &g, &w, &cch, &metric, &seeds, &ls)?;
    }
}

/// A hand-computed tie: node 2 is 5 ms from both sources (labels 7 and 3): label 3 wins in
/// both engines and both directions, whatever order the searches settle nodes in.
#[test]
fn a_tie_goes_to_the_smallest_label() {
    let (g, ids) = Graph::from_arcs(3, &[(0, 2), (1, 2), (2, 0), (2, 1)]);
    let mut w = vec![0.0; 4];
    for i in 0..4 {
        w[ids[i] as usize] = 0.005;
    }
    let cch = Cch::new(&g, metis_order(&g));
    let metric = cch.customize(&w);
    let seeds = [
        LabelledSeed {
            node: 0,
            cost: 0.0,
            label: 7,
        },
        LabelledSeed {
            node: 1,
            cost: 0.0,
            label: 3,
        },
    ];
    let mut d = NearestSource::new(&g);
    let mut p = CchNearestSource::new(&cch);
    for (rev, dir) in [(false, Direction::FromSeeds), (true, Direction::ToSeeds)] {
        d.run(&g, &w, &seeds, f64::INFINITY, rev);
        p.run(&cch, &metric, &seeds, dir);
        assert_eq!((d.cost(2), d.label(2)), (0.005, Some(3)));
        assert_eq!((p.cost(&cch, 2), p.label(&cch, 2)), (0.005, Some(3)));
        assert_eq!(d.label(0), Some(7));
        assert_eq!(p.label(&cch, 0), Some(7));
    }
    // A limit leaves farther nodes unreached.
    d.run(&g, &w, &seeds, 0.004, false);
    assert_eq!((d.cost(2), d.label(2)), (f64::INFINITY, None));
    assert_eq!(d.label(1), Some(3));
}

/// Both engines' (cost in ms, label) at every node, one direction.
fn both_engines(
    g: &Graph,
    w: &[f64],
    seeds: &[LabelledSeed],
    reverse: bool,
) -> [Vec<(u64, u32)>; 2] {
    let cch = Cch::new(g, metis_order(g));
    let metric = cch.customize(w);
    let mut d = NearestSource::new(g);
    let mut p = CchNearestSource::new(&cch);
    let dir = if reverse {
        Direction::ToSeeds
    } else {
        Direction::FromSeeds
    };
    d.run(g, w, seeds, f64::INFINITY, reverse);
    p.run(&cch, &metric, seeds, dir);
    let n = g.node_count() as u32;
    [
        (0..n).map(|v| got(d.cost(v), d.label(v))).collect(),
        (0..n)
            .map(|v| got(p.cost(&cch, v), p.label(&cch, v)))
            .collect(),
    ]
}

/// Weights in seconds by arc, from `(tail, head, seconds)` in input order.
fn hand_graph(n: usize, arcs: &[(u32, u32, f64)]) -> (Graph, Vec<f64>) {
    let pairs: Vec<(u32, u32)> = arcs.iter().map(|&(a, b, _)| (a, b)).collect();
    let (g, ids) = Graph::from_arcs(n, &pairs);
    let mut w = vec![0.0; arcs.len()];
    for (i, &(_, _, s)) in arcs.iter().enumerate() {
        w[ids[i] as usize] = s;
    }
    (g, w)
}

/// One-way streets, computed by hand: a home (node 2) drives to clinic A (node 0, label 10)
/// in 10 s on a one-way street and to clinic B (node 1, label 20) in 30 s; B reaches the home
/// in 5 s, A cannot reach it at all. People travelling *to* a clinic (reverse search) go to A
/// in 10 s; from the clinics (forward) B is nearest at 5 s. Node 3 is a one-way dead end
/// entered from the home (2 → 3, 1 s): nobody there can leave, so it reaches no clinic.
#[test]
fn one_way_streets_give_each_direction_its_own_nearest_clinic() {
    let (g, w) = hand_graph(4, &[(2, 0, 10.0), (1, 2, 5.0), (2, 1, 30.0), (2, 3, 1.0)]);
    let seeds = [
        LabelledSeed {
            node: 0,
            cost: 0.0,
            label: 10,
        },
        LabelledSeed {
            node: 1,
            cost: 0.0,
            label: 20,
        },
    ];
    let to = [(0, 10), (0, 20), (10_000, 10), NONE];
    let from = [(0, 10), (0, 20), (5_000, 20), (6_000, 20)];
    for got in both_engines(&g, &w, &seeds, true) {
        assert_eq!(got, to, "to the clinics");
    }
    for got in both_engines(&g, &w, &seeds, false) {
        assert_eq!(got, from, "from the clinics");
    }
}

/// Closed roads (`INFINITY`), a clinic only reachable over a closed road, a clinic on an
/// isolated node, two clinics on one node, a seed with an `INFINITY` or NaN cost, no seeds at
/// all: by hand, both engines and both directions (the graph is symmetric).
#[test]
fn closed_roads_isolated_and_shared_clinics_by_hand() {
    let inf = f64::INFINITY;
    // 0 —1 s— 1 —(closed)— 2 —2 s— 3; node 4 isolated.
    let (g, w) = hand_graph(
        5,
        &[
            (0, 1, 1.0),
            (1, 0, 1.0),
            (1, 2, inf),
            (2, 1, inf),
            (2, 3, 2.0),
            (3, 2, 2.0),
        ],
    );
    let seed = |node, label, cost| LabelledSeed { node, cost, label };
    let seeds = [
        seed(0, 9, 0.0),
        seed(0, 4, 0.0), // same node, smaller label: wins everywhere node 0 is nearest
        seed(4, 1, 0.0),
        seed(3, 0, inf),
        seed(2, 2, f64::NAN),
    ];
    let expect = [(0, 4), (1_000, 4), NONE, NONE, (0, 1)];
    for rev in [false, true] {
        for got in both_engines(&g, &w, &seeds, rev) {
            assert_eq!(got, expect, "reverse {rev}");
        }
        for got in both_engines(&g, &w, &[], rev) {
            assert_eq!(got, vec![NONE; 5], "no seeds, reverse {rev}");
        }
    }
}

/// Whole milliseconds: two clinics 1.0004 s and 1.0001 s away round to the same 1,000 ms, so
/// the smaller label wins and the cost reported is the rounded one the label was chosen by
/// (not the f64 of either path). 0.6 ms rounds up: 1.0006 s is 1,001 ms and loses.
#[test]
fn the_rounded_cost_decides_and_is_reported() {
    let (g, w) = hand_graph(4, &[(1, 0, 1.0004), (2, 0, 1.0001), (3, 0, 0.9994)]);
    let seed = |node, label| LabelledSeed {
        node,
        cost: 0.0,
        label,
    };
    for got in both_engines(&g, &w, &[seed(1, 5), seed(2, 6)], false) {
        assert_eq!(got[0], (1_000, 5));
    }
    let (g, w) = hand_graph(3, &[(1, 0, 1.0006), (2, 0, 1.0001)]);
    for got in both_engines(&g, &w, &[seed(1, 5), seed(2, 6)], false) {
        assert_eq!(got[0], (1_000, 6));
    }
}

/// The limit keeps nodes exactly at it (in whole ms) and drops the next millisecond.
#[test]
fn a_node_exactly_at_the_limit_is_reached() {
    let (g, w) = hand_graph(3, &[(0, 1, 0.5), (1, 2, 0.001)]);
    let mut d = NearestSource::new(&g);
    let s = [LabelledSeed {
        node: 0,
        cost: 0.0,
        label: 0,
    }];
    d.run(&g, &w, &s, 0.5, false);
    assert_eq!((d.cost(1), d.label(1)), (0.5, Some(0)));
    assert_eq!((d.cost(2), d.label(2)), (f64::INFINITY, None));
    d.run(&g, &w, &s, 0.501, false);
    assert_eq!(d.cost(2), 0.501);
}

/// Past the CCH's integer range, by hand. Arcs of 2^31 − 2 ms: on the CCH sums saturate at
/// `INF_UNITS` (documented: 49.7 days or more counts as unreachable), so two fit
/// (4,294,967,292 ms) and the third overflows; Dijkstra keeps 64 bits and reaches node 3 at
/// 6,442,450,938 ms.
#[test]
fn sums_past_the_integer_range_saturate_on_the_cch_only() {
    let big = ((1u64 << 31) - 2) as f64 / 1000.0;
    let (g, w) = hand_graph(4, &[(0, 1, big), (1, 2, big), (2, 3, big)]);
    let s = [LabelledSeed {
        node: 0,
        cost: 0.0,
        label: 0,
    }];
    let one = (1u64 << 31) - 2;
    let [dijkstra, cch] = both_engines(&g, &w, &s, false);
    assert_eq!(cch, [(0, 0), (one, 0), (2 * one, 0), NONE]);
    assert_eq!(dijkstra, [(0, 0), (one, 0), (2 * one, 0), (3 * one, 0)]);
}

/// Weights out of the CCH's range go to Dijkstra, which must not clamp them: clinic A is one
/// 30-day arc away (2,592,000 s, above the CCH's largest finite arc of 24.8 days), clinic B two
/// 13-day arcs (2,246,400 s in all). B is nearer, by hand; a clamp would make A 24.8 days and
/// pick it.
#[test]
fn dijkstra_does_not_clamp_weights_out_of_the_cch_range() {
    let day = 86_400.0;
    let (g, w) = hand_graph(
        4,
        &[(1, 0, 30.0 * day), (2, 3, 13.0 * day), (3, 0, 13.0 * day)],
    );
    let seeds = [
        LabelledSeed {
            node: 1,
            cost: 0.0,
            label: 1,
        },
        LabelledSeed {
            node: 2,
            cost: 0.0,
            label: 2,
        },
    ];
    let mut d = NearestSource::new(&g);
    d.run(&g, &w, &seeds, f64::INFINITY, false);
    assert_eq!((d.cost(0), d.label(0)), (26.0 * day, Some(2)));
    d.run(&g, &w, &seeds, f64::INFINITY, true);
    assert_eq!((d.cost(1), d.label(1)), (0.0, Some(1)));
    // A seed's own cost is not clamped either: 40 days to enter at node 0.
    let s = [LabelledSeed {
        node: 0,
        cost: 40.0 * day,
        label: 7,
    }];
    d.run(&g, &w, &s, f64::INFINITY, true);
    assert_eq!((d.cost(1), d.label(1)), (70.0 * day, Some(7)));
}
