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
use petgraph::graph::{DiGraph, NodeIndex};
use proptest::prelude::*;

type Arcs = Vec<(u32, u32, Option<u64>)>;
const NONE: (u64, u32) = (u64::MAX, u32::MAX);

/// Milliseconds from `from` over arcs `(tail, head, ms)` (reversed arcs with `reverse`).
fn dijkstra_ms(n: usize, arcs: &Arcs, from: u32, reverse: bool) -> Vec<Option<u64>> {
    let mut g = DiGraph::<(), u64>::new();
    let nodes: Vec<NodeIndex> = (0..n).map(|_| g.add_node(())).collect();
    for &(t, h, w) in arcs {
        let (t, h) = if reverse { (h, t) } else { (t, h) };
        if let Some(w) = w {
            g.add_edge(nodes[t as usize], nodes[h as usize], w);
        }
    }
    let d = petgraph::algo::dijkstra(&g, nodes[from as usize], None, |e| *e.weight());
    (0..n).map(|i| d.get(&nodes[i]).copied()).collect()
}

/// Per node: (ms, label) of the nearest seed, smallest label among ties; `NONE` if unreached.
fn oracle(n: usize, arcs: &Arcs, seeds: &[(u32, u64, u32)], reverse: bool) -> Vec<(u64, u32)> {
    let mut best = vec![NONE; n];
    for &(node, cost, label) in seeds {
        for (v, d) in dijkstra_ms(n, arcs, node, reverse).into_iter().enumerate() {
            if let Some(d) = d {
                best[v] = best[v].min((cost + d, label));
            }
        }
    }
    best
}

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
    let pairs: Vec<(u32, u32)> = arcs.iter().map(|&(a, b, _)| (a, b)).collect();
    let (g, ids) = Graph::from_arcs(n, &pairs);
    let mut w = vec![0.0; arcs.len()];
    for (i, &(_, _, c)) in arcs.iter().enumerate() {
        w[ids[i] as usize] = c.map_or(f64::INFINITY, |c| c as f64 / 1000.0);
    }
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
        let expect = oracle(n, arcs, seeds, reverse);
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
