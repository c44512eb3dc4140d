//! The `u64` PHAST sweeps (`CchOneToAll<u64>`, `CchNearestSource<u64>`) and the shortest-path
//! tree derived from distances, against an independent oracle: one petgraph Dijkstra per
//! seed, the minimum of (seed cost + distance, label) per node in whole milliseconds. Weights
//! mix tiny values (ties are common, zero-weight arcs make plateaus) with values far past
//! `u32`'s range (up to 2⁴⁰ ms), so the wide path is exercised; both directions; after partial
//! customization; few seeds and many (the siege seeds every calm outside node). The tree is
//! checked by what must hold of any shortest-path tree (every
//! parent arc tight, every path back to a root as long as the oracle's distance) and for
//! being the same whichever engine's distances it is built from.

use corridor_routing::{
    metis_order, shortest_path_tree, Cch, CchMetric, CchNearestSource, CchOneToAll, CchUpdater,
    Direction, Graph, LabelledSeed, NearestSource, Seed, INVALID, NO_UNITS,
};
use proptest::prelude::*;

mod common;
use common::*;

fn graph_strategy() -> impl Strategy<Value = (usize, Arcs)> {
    (1usize..28).prop_flat_map(|n| {
        let weight = prop_oneof![
            4 => (0u64..4).prop_map(Some),
            3 => (0u64..1 << 40).prop_map(Some),
            1 => Just(None),
        ];
        (
            Just(n),
            proptest::collection::vec((0..n as u32, 0..n as u32, weight), 0..80),
        )
    })
}

fn build(n: usize, arcs: &Arcs) -> (Graph, Vec<f64>, Vec<u32>, Cch) {
    let (g, w, ids) = graph_and_weights(n, arcs);
    let cch = Cch::new(&g, metis_order(&g));
    (g, w, ids, cch)
}

/// Every parent arc is tight and every tree path is a shortest path back to a root.
fn check_tree(
    g: &Graph,
    units: &[u64],
    dist: &[u64],
    seeds: &[(u32, u64)],
    parent: &[u32],
    reverse: bool,
) -> Result<(), TestCaseError> {
    for v in 0..g.node_count() as u32 {
        if dist[v as usize] == NO_UNITS {
            prop_assert_eq!(parent[v as usize], INVALID);
            continue;
        }
        let (mut x, mut sum, mut steps) = (v, 0u64, 0);
        while parent[x as usize] != INVALID {
            let a = parent[x as usize];
            sum += units[a as usize];
            x = if reverse {
                g.arc_head(a)
            } else {
                g.arc_tail(a)
            };
            steps += 1;
            prop_assert!(steps <= g.node_count(), "a cycle through node {}", v);
        }
        let root_cost = seeds
            .iter()
            .filter(|s| s.0 == x)
            .map(|s| s.1)
            .min()
            .unwrap_or(NO_UNITS);
        prop_assert!(root_cost != NO_UNITS, "node {} leads to non-seed {}", v, x);
        prop_assert_eq!(
            root_cost + sum,
            dist[v as usize],
            "path length of node {}",
            v
        );
    }
    Ok(())
}

fn check_all(
    n: usize,
    arcs: &Arcs,
    g: &Graph,
    w: &[f64],
    cch: &Cch,
    metric: &CchMetric<u64>,
    seeds: &[(u32, u64, u32)],
) -> Result<(), TestCaseError> {
    let ls: Vec<LabelledSeed> = seeds
        .iter()
        .map(|&(node, c, label)| LabelledSeed {
            node,
            cost: c as f64 / 1000.0,
            label,
        })
        .collect();
    let plain: Vec<Seed> = ls
        .iter()
        .map(|s| Seed {
            node: s.node,
            cost: s.cost,
        })
        .collect();
    let unit_seeds: Vec<(u32, u64)> = seeds.iter().map(|s| (s.0, s.1)).collect();
    let units: Vec<u64> = w
        .iter()
        .map(|&c| {
            if c.is_finite() {
                (c * 1000.0).round() as u64
            } else {
                NO_UNITS
            }
        })
        .collect();
    let mut phast = CchOneToAll::<u64>::new(cch);
    let mut labelled = CchNearestSource::<u64>::new(cch);
    let mut dij = NearestSource::new(g);
    for (reverse, dir) in [(false, Direction::FromSeeds), (true, Direction::ToSeeds)] {
        let expect = nearest_oracle(n, arcs, seeds, reverse);
        phast.run(cch, metric, &plain, dir);
        labelled.run(cch, metric, &ls, dir);
        dij.run(g, w, &ls, f64::INFINITY, reverse);
        let by_cch = phast.units_by_node(cch);
        let by_dijkstra: Vec<u64> = (0..n as u32).map(|v| dij.units(v)).collect();
        for v in 0..n as u32 {
            let (d, l) = expect[v as usize];
            prop_assert_eq!(
                by_cch[v as usize],
                d,
                "one-to-all, node {} rev {}",
                v,
                reverse
            );
            prop_assert_eq!(
                by_dijkstra[v as usize],
                d,
                "Dijkstra, node {} rev {}",
                v,
                reverse
            );
            prop_assert_eq!(
                labelled.units(cch, v),
                d,
                "nearest, node {} rev {}",
                v,
                reverse
            );
            let want_label = (d != u64::MAX).then_some(l);
            prop_assert_eq!(labelled.label(cch, v), want_label, "label of {}", v);
        }
        let tree = shortest_path_tree(g, &units, &by_cch, &unit_seeds, reverse);
        check_tree(g, &units, &by_cch, &unit_seeds, &tree, reverse)?;
        let again = shortest_path_tree(g, &units, &by_dijkstra, &unit_seeds, reverse);
        prop_assert_eq!(tree, again, "the tree depends on the distances only");
    }
    Ok(())
}

fn seed_strategy() -> impl Strategy<Value = Vec<(u32, u64, u32)>> {
    // Past 16 distinct seeds the upward walk marks the union instead of scanning a frontier
    // (`cch/walk.rs`): both ways are exercised.
    prop_oneof![Just(0usize..6), Just(17usize..40)].prop_flat_map(|len| {
        proptest::collection::vec(
            (
                0u32..28,
                prop_oneof![3 => Just(0u64), 1 => 0u64..8, 1 => 0u64..1 << 38],
                0u32..5,
            ),
            len,
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn wide_sweeps_and_trees_match_the_oracle((n, arcs) in graph_strategy(), seeds in seed_strategy()) {
        let (g, w, _, cch) = build(n, &arcs);
        let metric = cch.customize_wide(&w);
        let seeds: Vec<_> = seeds.into_iter().map(|(v, c, l)| (v % n as u32, c, l)).collect();
        check_all(n, &arcs, &g, &w, &cch, &metric, &seeds)?;
    }

    #[test]
    fn wide_sweeps_match_after_partial_updates(
        (n, arcs) in graph_strategy(),
        seeds in seed_strategy(),
        changes in proptest::collection::vec((0usize..80, prop_oneof![2 => (0u64..4).prop_map(Some), 2 => (0u64..1 << 40).prop_map(Some), 1 => Just(None)]), 1..6),
    ) {
        prop_assume!(!arcs.is_empty());
        let (g, mut w, ids, cch) = build(n, &arcs);
        let mut metric = cch.customize_wide(&w);
        let mut arcs = arcs;
        let mut applied = Vec::new();
        for (i, c) in changes {
            let i = i % arcs.len();
            arcs[i].2 = c;
            let a = ids[i];
            w[a as usize] = seconds(c);
            applied.push((a, w[a as usize]));
        }
        CchUpdater::new().update(&cch, &mut metric, &applied);
        let seeds: Vec<_> = seeds.into_iter().map(|(v, c, l)| (v % n as u32, c, l)).collect();
        check_all(n, &arcs, &g, &w, &cch, &metric, &seeds)?;
    }
}

/// A hand-built plateau: 0 → 1 costs 5 ms, 1 ⇄ 2 ⇄ 3 cost nothing, and 0 → 3 costs 5 ms too.
/// Node 1 takes 0 → 1 (the smaller arc id among positive tight arcs), node 3 takes 0 → 3, and
/// node 2 — reached only over zero arcs — takes its first finder in breadth-first order, node
/// 1. No cycle among the zero arcs.
#[test]
fn zero_weight_plateaus_make_a_tree_not_a_cycle() {
    let arcs = [(0, 1), (1, 2), (2, 1), (2, 3), (3, 2), (0, 3)];
    let (g, ids) = Graph::from_arcs(4, &arcs);
    let ms = [5u64, 0, 0, 0, 0, 5];
    let mut units = vec![0u64; arcs.len()];
    for (i, &m) in ms.iter().enumerate() {
        units[ids[i] as usize] = m;
    }
    let dist = [0, 5, 5, 5];
    let parent = shortest_path_tree(&g, &units, &dist, &[(0, 0)], false);
    assert_eq!(parent[0], INVALID);
    assert_eq!(parent[1], ids[0]);
    assert_eq!(parent[3], ids[5]);
    assert_eq!(parent[2], ids[1], "first found from node 1");
}
