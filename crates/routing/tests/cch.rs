//! The CCH against petgraph's Dijkstra on random graphs: point queries with path unpacking,
//! one-to-all (PHAST) both ways, one-to-many, many-to-many and partial customization, under
//! three different orders (METIS, geometric, random: any order must give exact answers).
//! Weights are whole milliseconds so that the integer CCH and the oracle solve the same problem
//! exactly; they include zero, `INFINITY`, parallel arcs, self-loops and disconnected parts.

use corridor_routing::{
    geometric_bisection_order, metis_order, Cch, CchManyToMany, CchOneToAll, CchOneToMany,
    CchQuery, CchUpdater, Direction, Graph, Seed,
};
mod common;
use common::*;
use proptest::prelude::*;

fn reversed(arcs: &[(u32, u32, Option<u64>)]) -> Vec<(u32, u32, Option<u64>)> {
    arcs.iter().map(|&(t, h, w)| (h, t, w)).collect()
}

fn graph_strategy() -> impl Strategy<Value = (usize, Arcs)> {
    (1usize..36).prop_flat_map(|n| {
        let weight = prop_oneof![
            6 => (0u64..5_000).prop_map(Some),
            2 => Just(Some(0)),
            2 => Just(None),
        ];
        let arc = (0..n as u32, 0..n as u32, weight);
        (Just(n), proptest::collection::vec(arc, 0..110))
    })
}

/// The graph, the weight per graph arc, and the CCH under order `which` (0 METIS, 1 geometric,
/// 2 a random permutation from `shuffle`).
fn build(n: usize, arcs: &Arcs, which: u8, shuffle: &[u32]) -> (Graph, Vec<f64>, Vec<u32>, Cch) {
    let (g, w, ids) = graph_and_weights(n, arcs);
    let order = match which {
        0 => metis_order(&g),
        1 => {
            let xy: Vec<[f64; 2]> = (0..n)
                .map(|i| [(i * 7 % 11) as f64, (i * 5 % 13) as f64])
                .collect();
            geometric_bisection_order(&g, &xy)
        }
        _ => {
            let mut o: Vec<u32> = (0..n as u32).collect();
            o.sort_by_key(|&v| (shuffle[v as usize % shuffle.len()], v));
            o
        }
    };
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(sorted, (0..n as u32).collect::<Vec<_>>(), "a permutation");
    let cch = Cch::new(&g, order);
    (g, w, ids, cch)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn point_queries_and_paths_match_dijkstra(
        (n, arcs) in graph_strategy(),
        which in 0u8..3,
        shuffle in proptest::collection::vec(0u32..1000, 1..40),
        queries in proptest::collection::vec((0u32..36, 0u32..36, 0u32..36, 0u64..3000), 1..8),
    ) {
        let (g, w, _, cch) = build(n, &arcs, which, &shuffle);
        let metric = cch.customize(&w);
        let mut q = CchQuery::new(&cch);
        for &(s, s2, t, s2_cost) in &queries {
            let (s, s2, t) = (s % n as u32, s2 % n as u32, t % n as u32);
            // Two sources (the second with a start cost, as a snapped point has), one target.
            let mut with_super = arcs.clone();
            with_super.push((n as u32, s, Some(0)));
            with_super.push((n as u32, s2, Some(s2_cost)));
            let expect = oracle(n + 1, &with_super, n as u32)[t as usize];
            let sources = [Seed { node: s, cost: 0.0 }, Seed { node: s2, cost: s2_cost as f64 / 1000.0 }];
            let target = [Seed { node: t, cost: 0.0 }];
            prop_assert_eq!(ms(q.cost(&cch, &metric, &sources, &target)), expect);
            match q.run(&cch, &metric, &sources, &target) {
                None => prop_assert_eq!(expect, INF),
                Some(r) => {
                    prop_assert_eq!(ms(r.cost), expect);
                    // The unpacked path is a chain of usable road arcs adding up to the cost.
                    let mut v = r.first_node;
                    prop_assert!(v == s || v == s2);
                    let mut sum = if v == s { 0 } else { s2_cost };
                    if s == s2 { sum = 0; }
                    for &a in &r.arcs {
                        prop_assert_eq!(g.arc_tail(a), v);
                        prop_assert!(w[a as usize].is_finite());
                        sum += ms(w[a as usize]);
                        v = g.arc_head(a);
                    }
                    prop_assert_eq!(v, t);
                    prop_assert_eq!(r.last_node, t);
                    prop_assert_eq!(sum, expect);
                }
            }
        }
    }

    #[test]
    fn one_to_all_one_to_many_and_matrices_match_dijkstra(
        (n, arcs) in graph_strategy(),
        which in 0u8..3,
        shuffle in proptest::collection::vec(0u32..1000, 1..40),
        sources in proptest::collection::vec(0u32..36, 1..4),
        targets in proptest::collection::vec(0u32..36, 1..6),
    ) {
        let (_, w, _, cch) = build(n, &arcs, which, &shuffle);
        let metric = cch.customize(&w);
        let sources: Vec<u32> = sources.iter().map(|&s| s % n as u32).collect();
        let targets: Vec<u32> = targets.iter().map(|&t| t % n as u32).collect();
        let seeds: Vec<Seed> = sources.iter().map(|&s| Seed { node: s, cost: 0.0 }).collect();
        // Multi-source oracle: a super node joined to every source.
        let mut fwd = arcs.clone();
        let mut bwd = reversed(&arcs);
        for &s in &sources {
            fwd.push((n as u32, s, Some(0)));
            bwd.push((n as u32, s, Some(0)));
        }
        let from_seeds = oracle(n + 1, &fwd, n as u32);
        let to_seeds = oracle(n + 1, &bwd, n as u32);
        let mut all = CchOneToAll::new(&cch);
        for _ in 0..2 { // twice: the state must reset itself
            all.run(&cch, &metric, &seeds, Direction::FromSeeds);
            for v in 0..n as u32 {
                prop_assert_eq!(ms(all.cost(&cch, v)), from_seeds[v as usize], "from seeds to {}", v);
            }
            all.run(&cch, &metric, &seeds, Direction::ToSeeds);
            let by_node = all.costs_by_node(&cch);
            for v in 0..n {
                prop_assert_eq!(ms(by_node[v]), to_seeds[v], "from {} to the seeds", v);
            }
        }
        let mut some = CchOneToMany::new(&cch, &targets);
        for _ in 0..2 {
            let got = some.run(&cch, &metric, &seeds, Direction::FromSeeds);
            for (j, &t) in targets.iter().enumerate() {
                prop_assert_eq!(ms(got[j]), from_seeds[t as usize]);
            }
            let got = some.run(&cch, &metric, &seeds, Direction::ToSeeds);
            for (j, &t) in targets.iter().enumerate() {
                prop_assert_eq!(ms(got[j]), to_seeds[t as usize]);
            }
        }
        let mut mm = CchManyToMany::new(&cch);
        for _ in 0..2 {
            let matrix = mm.run(&cch, &metric, &sources, &targets);
            for (i, &s) in sources.iter().enumerate() {
                let d = oracle(n, &arcs, s);
                for (j, &t) in targets.iter().enumerate() {
                    prop_assert_eq!(ms(matrix[i * targets.len() + j]), d[t as usize], "{} -> {}", s, t);
                }
            }
        }
    }

    /// Partial customization gives exactly the weights of customizing from scratch, and
    /// queries after it match Dijkstra on the changed weights.
    #[test]
    fn partial_updates_equal_full_customization(
        (n, arcs) in graph_strategy(),
        which in 0u8..3,
        shuffle in proptest::collection::vec(0u32..1000, 1..40),
        rounds in proptest::collection::vec(
            proptest::collection::vec((0usize..110, prop_oneof![3 => (0u64..5_000).prop_map(Some), 1 => Just(Some(0)), 1 => Just(None)]), 0..6),
            1..4),
        s in 0u32..36, t in 0u32..36,
    ) {
        prop_assume!(!arcs.is_empty());
        let (_, mut w, ids, cch) = build(n, &arcs, which, &shuffle);
        let mut arcs = arcs;
        let mut metric = cch.customize(&w);
        let mut updater = CchUpdater::new();
        let mut q = CchQuery::new(&cch);
        let (s, t) = (s % n as u32, t % n as u32);
        for changes in rounds {
            let mut applied = Vec::new();
            for (i, c) in changes {
                let i = i % arcs.len();
                arcs[i].2 = c;
                let a = ids[i];
                w[a as usize] = seconds(c);
                applied.push((a, seconds(c)));
            }
            updater.update(&cch, &mut metric, &applied);
            let fresh = cch.customize(&w);
            for e in 0..cch.edge_count() {
                prop_assert_eq!(metric.edge_units(e), fresh.edge_units(e), "edge {}", e);
            }
            let expect = oracle(n, &arcs, s)[t as usize];
            let got = q.cost(&cch, &metric, &[Seed { node: s, cost: 0.0 }], &[Seed { node: t, cost: 0.0 }]);
            prop_assert_eq!(ms(got), expect);
        }
    }
}

#[test]
fn a_stored_cch_round_trips_and_bad_parts_are_refused() {
    let (g, _) = Graph::from_arcs(5, &[(0, 1), (1, 2), (2, 3), (3, 0), (0, 2), (4, 4)]);
    let cch = Cch::new(&g, metis_order(&g));
    let (first, head) = cch.upward_edges();
    let again = Cch::from_parts(&g, cch.order().to_vec(), first.to_vec(), head.to_vec(), 100)
        .expect("what we built is valid");
    assert_eq!(again.upward_edges(), cch.upward_edges());
    // Too many edges for the cap.
    assert!(Cch::from_parts(&g, cch.order().to_vec(), first.to_vec(), head.to_vec(), 2).is_err());
    // Not a permutation.
    let mut bad_order = cch.order().to_vec();
    bad_order[0] = bad_order[1];
    assert!(Cch::from_parts(&g, bad_order, first.to_vec(), head.to_vec(), 100).is_err());
    // An edge removed: a road arc has no edge, or the graph is no longer chordal.
    let mut fewer_first = first.to_vec();
    let mut fewer_head = head.to_vec();
    let x = (0..5).find(|&x| first[x + 1] > first[x]).unwrap();
    fewer_head.remove(first[x] as usize);
    for f in fewer_first.iter_mut().skip(x + 1) {
        *f -= 1;
    }
    assert!(Cch::from_parts(&g, cch.order().to_vec(), fewer_first, fewer_head, 100).is_err());
    // A head out of range or pointing downward.
    let mut wild = head.to_vec();
    wild[0] = 99;
    assert!(Cch::from_parts(&g, cch.order().to_vec(), first.to_vec(), wild, 100).is_err());
    let mut down = head.to_vec();
    down[0] = 0;
    assert!(Cch::from_parts(&g, cch.order().to_vec(), first.to_vec(), down, 100).is_err());
}
