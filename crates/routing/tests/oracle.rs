//! Bidirectional and one-to-all Dijkstra checked against petgraph's Dijkstra on random graphs.

use corridor_routing::{AltSearch, BidirectionalDijkstra, Graph, Landmarks, OneToAll, Seed};
use petgraph::graph::{DiGraph, NodeIndex};
use proptest::prelude::*;

fn oracle(n: usize, arcs: &[(u32, u32, f64)], from: u32) -> Vec<f64> {
    let mut g = DiGraph::<(), f64>::new();
    let nodes: Vec<NodeIndex> = (0..n).map(|_| g.add_node(())).collect();
    for &(t, h, w) in arcs {
        if w.is_finite() {
            g.add_edge(nodes[t as usize], nodes[h as usize], w);
        }
    }
    let d = petgraph::algo::dijkstra(&g, nodes[from as usize], None, |e| *e.weight());
    (0..n)
        .map(|i| d.get(&nodes[i]).copied().unwrap_or(f64::INFINITY))
        .collect()
}

fn graph_strategy() -> impl Strategy<Value = (usize, Vec<(u32, u32, f64)>)> {
    (2usize..40).prop_flat_map(|n| {
        let arc = (
            0..n as u32,
            0..n as u32,
            prop_oneof![9 => 0.0f64..100.0, 1 => Just(f64::INFINITY)],
        );
        (Just(n), proptest::collection::vec(arc, 0..120))
    })
}

proptest! {
    #[test]
    fn bidirectional_matches_oracle((n, arcs) in graph_strategy(), s in 0u32..40, t in 0u32..40) {
        let (s, t) = (s % n as u32, t % n as u32);
        let pairs: Vec<(u32, u32)> = arcs.iter().map(|&(a, b, _)| (a, b)).collect();
        let (g, ids) = Graph::from_arcs(n, &pairs);
        let mut w = vec![0.0; arcs.len()];
        for (i, &(_, _, c)) in arcs.iter().enumerate() { w[ids[i] as usize] = c; }
        let expect = oracle(n, &arcs, s)[t as usize];
        let mut q = BidirectionalDijkstra::new(&g);
        let got = q.run(&g, &w, &[Seed { node: s, cost: 0.0 }], &[Seed { node: t, cost: 0.0 }]);
        match got {
            None => prop_assert!(expect.is_infinite()),
            Some(r) => {
                prop_assert!((r.cost - expect).abs() < 1e-9, "got {} want {}", r.cost, expect);
                // The path is a real chain of arcs from s to t whose weights add up to the cost.
                let mut v = s;
                let mut sum = 0.0;
                for &a in &r.arcs {
                    prop_assert_eq!(g.arc_tail(a), v);
                    sum += w[a as usize];
                    v = g.arc_head(a);
                }
                prop_assert_eq!(v, t);
                prop_assert!((sum - r.cost).abs() < 1e-9);
            }
        }
    }

    #[test]
    fn alt_matches_oracle_for_weights_at_least_the_landmark_weights(
        (n, arcs) in graph_strategy(),
        extra in proptest::collection::vec(prop_oneof![8 => 0.0f64..50.0, 1 => Just(f64::INFINITY)], 120),
        s in 0u32..40, t in 0u32..40, s2 in 0u32..40, sc in 0.0f64..20.0, tc in 0.0f64..20.0,
        count in 1usize..6,
    ) {
        let (s, t, s2) = (s % n as u32, t % n as u32, s2 % n as u32);
        let pairs: Vec<(u32, u32)> = arcs.iter().map(|&(a, b, _)| (a, b)).collect();
        let (g, ids) = Graph::from_arcs(n, &pairs);
        let mut base = vec![0.0; arcs.len()];
        let mut scen = vec![0.0; arcs.len()];
        let mut scen_arcs = arcs.clone();
        for (i, &(_, _, c)) in arcs.iter().enumerate() {
            let c = if c.is_finite() { c } else { 1.0 };
            base[ids[i] as usize] = c;
            scen[ids[i] as usize] = c + extra[i];
            scen_arcs[i].2 = c + extra[i];
        }
        let all: Vec<u32> = (0..n as u32).collect();
        let lm = Landmarks::build(&g, &base, &all, count);
        // Stored landmark distances meet every arc inequality exactly in f64 (what a graph
        // file's loader checks, with no slack) and never exceed the oracle's distances.
        let k = lm.nodes().len();
        let base_arcs: Vec<(u32, u32, f64)> = arcs
            .iter()
            .map(|&(a, b, c)| (a, b, if c.is_finite() { c } else { 1.0 }))
            .collect();
        for (l, &lmk) in lm.nodes().iter().enumerate() {
            let dl = oracle(n, &base_arcs, lmk);
            for u in 0..n as u32 {
                let fu = lm.from_costs()[u as usize * k + l] as f64;
                prop_assert!(fu <= dl[u as usize], "from {} > {}", fu, dl[u as usize]);
                for a in g.out_arcs(u) {
                    let v = g.arc_head(a) as usize;
                    let w = base[a as usize];
                    prop_assert!(lm.from_costs()[v * k + l] as f64 <= fu + w);
                    prop_assert!(lm.to_costs()[u as usize * k + l] as f64 <= w + lm.to_costs()[v * k + l] as f64);
                }
            }
        }
        // Two sources with seed costs, one target with a seed cost: the oracle adds a super
        // source and a super target.
        let mut oarcs = scen_arcs.clone();
        oarcs.push((n as u32, s, 0.0));
        oarcs.push((n as u32, s2, sc));
        oarcs.push((t, n as u32 + 1, tc));
        let expect = oracle(n + 2, &oarcs, n as u32)[n + 1];
        let mut q = AltSearch::new(&g);
        let got = q.run(&g, &scen, &lm, &[Seed { node: s, cost: 0.0 }, Seed { node: s2, cost: sc }], &[Seed { node: t, cost: tc }]);
        match got {
            None => prop_assert!(expect.is_infinite()),
            Some(r) => {
                prop_assert!((r.cost - expect).abs() < 1e-9, "got {} want {}", r.cost, expect);
                let mut v = r.first_node;
                let mut sum = if v == s { 0.0 } else { sc };
                for &a in &r.arcs { prop_assert_eq!(g.arc_tail(a), v); sum += scen[a as usize]; v = g.arc_head(a); }
                prop_assert_eq!(v, t);
                prop_assert!((sum + tc - r.cost).abs() < 1e-9);
            }
        }
    }

    #[test]
    fn one_to_all_matches_oracle((n, arcs) in graph_strategy(), s in 0u32..40) {
        let s = s % n as u32;
        let pairs: Vec<(u32, u32)> = arcs.iter().map(|&(a, b, _)| (a, b)).collect();
        let (g, ids) = Graph::from_arcs(n, &pairs);
        let mut w = vec![0.0; arcs.len()];
        for (i, &(_, _, c)) in arcs.iter().enumerate() { w[ids[i] as usize] = c; }
        let expect = oracle(n, &arcs, s);
        let mut q = OneToAll::new(&g);
        q.run(&g, &w, &[Seed { node: s, cost: 0.0 }], f64::INFINITY, false);
        for v in 0..n as u32 {
            let (a, b) = (q.cost(v), expect[v as usize]);
            prop_assert!(a == b || (a - b).abs() < 1e-9, "node {}: {} vs {}", v, a, b);
        }
        // Limited search: exactly the nodes within the limit are settled.
        q.run(&g, &w, &[Seed { node: s, cost: 0.0 }], 50.0, false);
        for v in 0..n as u32 {
            let b = expect[v as usize];
            if b <= 50.0 { prop_assert!((q.cost(v) - b).abs() < 1e-9); } else { prop_assert!(q.cost(v).is_infinite()); }
        }
    }
}

#[test]
fn seeds_with_costs_pick_the_cheaper_end() {
    // 0 -> 1 -> 2, a source point between nodes 0 and 1 and a target at node 2.
    let (g, _) = Graph::from_arcs(3, &[(0, 1), (1, 2)]);
    let w = [10.0, 5.0];
    let mut q = BidirectionalDijkstra::new(&g);
    let r = q
        .run(
            &g,
            &w,
            &[Seed { node: 1, cost: 4.0 }, Seed { node: 0, cost: 0.5 }],
            &[Seed { node: 2, cost: 0.0 }],
        )
        .unwrap();
    assert_eq!(r.cost, 9.0);
    assert_eq!(r.first_node, 1);
    // Same node on both sides: zero-length path.
    let r = q
        .run(
            &g,
            &w,
            &[Seed { node: 2, cost: 1.0 }],
            &[Seed { node: 2, cost: 2.0 }],
        )
        .unwrap();
    assert_eq!(r.cost, 3.0);
    assert!(r.arcs.is_empty());
    assert!(q
        .run(
            &g,
            &w,
            &[Seed { node: 2, cost: 0.0 }],
            &[Seed { node: 0, cost: 0.0 }]
        )
        .is_none());
}

proptest! {
    #[test]
    fn cch_matches_oracle(
        (n, arcs) in graph_strategy(),
        coords in proptest::collection::vec((0.0f64..1.0, 0.0f64..1.0), 40),
        s in 0u32..40, t in 0u32..40, s2 in 0u32..40, sc in 0.0f64..20.0, tc in 0.0f64..20.0,
    ) {
        use corridor_routing::{geometric_bisection_order, Cch, CchQuery};
        let (s, t, s2) = (s % n as u32, t % n as u32, s2 % n as u32);
        let pairs: Vec<(u32, u32)> = arcs.iter().map(|&(a, b, _)| (a, b)).collect();
        let (g, ids) = Graph::from_arcs(n, &pairs);
        // The CCH works in whole milliseconds: give it (and the oracle) costs it can hold exactly.
        let ms = |c: f64| (c * 1000.0).round() / 1000.0;
        let arcs: Vec<(u32, u32, f64)> = arcs.iter().map(|&(a, b, c)| (a, b, ms(c))).collect();
        let (sc, tc) = (ms(sc), ms(tc));
        let mut w = vec![0.0; arcs.len()];
        for (i, &(_, _, c)) in arcs.iter().enumerate() { w[ids[i] as usize] = c; }
        let xy: Vec<[f64; 2]> = coords[..n].iter().map(|&(x, y)| [x, y]).collect();
        let order = geometric_bisection_order(&g, &xy);
        let mut sorted = order.clone();
        sorted.sort();
        prop_assert_eq!(sorted, (0..n as u32).collect::<Vec<_>>());
        let cch = Cch::new(&g, order);
        let metric = cch.customize(&w);
        let mut oarcs = arcs.clone();
        oarcs.push((n as u32, s, 0.0));
        oarcs.push((n as u32, s2, sc));
        oarcs.push((t, n as u32 + 1, tc));
        let expect = oracle(n + 2, &oarcs, n as u32)[n + 1];
        let mut q = CchQuery::new(&cch);
        let c = q.cost(&cch, &metric, &[Seed { node: s, cost: 0.0 }, Seed { node: s2, cost: sc }], &[Seed { node: t, cost: tc }]);
        prop_assert!(c == expect || (c - expect).abs() < 1e-9);
        for _ in 0..2 { // twice: the query state must reset itself
            let got = q.run(&cch, &metric, &[Seed { node: s, cost: 0.0 }, Seed { node: s2, cost: sc }], &[Seed { node: t, cost: tc }]);
            match got {
                None => prop_assert!(expect.is_infinite()),
                Some(r) => {
                    prop_assert!((r.cost - expect).abs() < 1e-9, "got {} want {}", r.cost, expect);
                    // The unpacked path is a chain of road arcs whose weights add up to the cost.
                    let mut v = r.first_node;
                    prop_assert!(v == s || v == s2);
                    let mut sum = if v == s { 0.0 } else { sc };
                    if v == s && s == s2 { sum = 0.0f64.min(sc); }
                    for &a in &r.arcs { prop_assert_eq!(g.arc_tail(a), v); sum += w[a as usize]; v = g.arc_head(a); }
                    prop_assert_eq!(v, t);
                    prop_assert!((sum + tc - r.cost).abs() < 1e-9, "path sums to {} not {}", sum + tc, r.cost);
                }
            }
        }
    }
}

proptest! {
    /// The cut separates the sets, the paths are real and carry the whole flow, and cut capacity
    /// equals flow: together a certificate that both are optimal (max-flow/min-cut duality),
    /// independent of how they were found.
    #[test]
    fn min_cut_comes_with_its_certificate(
        (n, arcs) in graph_strategy(),
        caps in proptest::collection::vec(0u32..4, 120),
        s in 0u32..40, t in 0u32..40,
    ) {
        use corridor_routing::min_cut;
        let (s, t) = (s % n as u32, t % n as u32);
        prop_assume!(s != t);
        let pairs: Vec<(u32, u32)> = arcs.iter().map(|&(a, b, _)| (a, b)).collect();
        let (g, ids) = Graph::from_arcs(n, &pairs);
        let mut cap = vec![0u32; arcs.len()];
        for i in 0..arcs.len() { cap[ids[i] as usize] = caps[i]; }
        let r = min_cut(&g, &cap, &[s], &[t]);
        // Cut capacity equals the flow value.
        let cut_cap: u64 = r.cut_arcs.iter().map(|&a| cap[a as usize] as u64).sum();
        prop_assert_eq!(cut_cap, r.value);
        // Removing the cut disconnects s from t (BFS over the remaining usable arcs).
        let mut seen = vec![false; n];
        let mut stack = vec![s];
        seen[s as usize] = true;
        while let Some(v) = stack.pop() {
            for a in g.out_arcs(v) {
                if cap[a as usize] > 0 && !r.cut_arcs.contains(&a) && !seen[g.arc_head(a) as usize] {
                    seen[g.arc_head(a) as usize] = true;
                    stack.push(g.arc_head(a));
                }
            }
        }
        prop_assert!(!seen[t as usize]);
        // The paths are s-t chains whose flows respect capacities and add up to the value.
        let mut used = vec![0u64; arcs.len()];
        let mut total = 0;
        for (path, f) in &r.paths {
            let mut v = s;
            for &a in path { prop_assert_eq!(g.arc_tail(a), v); used[a as usize] += f; v = g.arc_head(a); }
            prop_assert_eq!(v, t);
            total += f;
        }
        prop_assert_eq!(total, r.value);
        for a in 0..arcs.len() { prop_assert!(used[a] <= cap[a] as u64); }
    }
}
