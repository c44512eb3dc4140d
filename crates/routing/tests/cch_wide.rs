//! The CCH in `u64` units against petgraph's Dijkstra, for metrics whose finite costs pass
//! `u32`'s 24.8 days (`safest` costs near incidents): point queries with their paths and
//! partial updates on random graphs with weights up to 10⁹ seconds, and a hand-built case where
//! clamping to `u32` picks the wrong road and the `u64` customization picks the right one.

use corridor_routing::{
    fits_units, metis_order, Cch, CchQuery, CchUpdater, Graph, Seed, MAX_FINITE_UNITS,
};
mod common;
use common::*;
use proptest::prelude::*;

const DAY_S: f64 = 86_400.0;

/// Random graphs whose weights mix travel times (up to 5 s) with risk costs up to 10⁹ s
/// (11,574 days: past `u32`'s 24.8 days), zero, `INFINITY`, parallel arcs and self-loops.
fn graph_strategy() -> impl Strategy<Value = (usize, Arcs)> {
    (1usize..36).prop_flat_map(|n| {
        let weight = prop_oneof![
            4 => (0u64..5_000).prop_map(Some),
            3 => (1u64 << 31..1_000_000_000_000u64).prop_map(Some),
            1 => Just(Some(0)),
            1 => Just(None),
        ];
        let arc = (0..n as u32, 0..n as u32, weight);
        (Just(n), proptest::collection::vec(arc, 0..110))
    })
}

fn build(n: usize, arcs: &Arcs) -> (Graph, Vec<f64>, Vec<u32>, Cch) {
    let (g, w, ids) = graph_and_weights(n, arcs);
    let cch = Cch::new(&g, metis_order(&g));
    (g, w, ids, cch)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn wide_queries_paths_and_partial_updates_match_dijkstra(
        (n, arcs) in graph_strategy(),
        pairs in proptest::collection::vec((0u32..36, 0u32..36), 1..6),
        rounds in proptest::collection::vec(
            proptest::collection::vec((0usize..110, prop_oneof![
                2 => (0u64..5_000).prop_map(Some),
                2 => (1u64 << 31..1_000_000_000_000u64).prop_map(Some),
                1 => Just(None),
            ]), 0..6),
            0..3),
    ) {
        let (g, mut w, ids, cch) = build(n, &arcs);
        let mut arcs = arcs;
        let mut metric = cch.customize_wide(&w);
        let mut updater = CchUpdater::new();
        let mut q = CchQuery::<u64>::new(&cch);
        for round in 0..=rounds.len() {
            if round > 0 && !arcs.is_empty() {
                let mut applied = Vec::new();
                for &(i, c) in &rounds[round - 1] {
                    let i = i % arcs.len();
                    arcs[i].2 = c;
                    w[ids[i] as usize] = seconds(c);
                    applied.push((ids[i], seconds(c)));
                }
                updater.update(&cch, &mut metric, &applied);
                let fresh = cch.customize_wide(&w);
                for e in 0..cch.edge_count() {
                    prop_assert_eq!(metric.edge_units(e), fresh.edge_units(e), "edge {}", e);
                }
            }
            for &(s, t) in &pairs {
                let (s, t) = (s % n as u32, t % n as u32);
                let expect = oracle(n, &arcs, s)[t as usize];
                let (src, dst) = ([Seed { node: s, cost: 0.0 }], [Seed { node: t, cost: 0.0 }]);
                prop_assert_eq!(ms(q.cost(&cch, &metric, &src, &dst)), expect);
                match q.run(&cch, &metric, &src, &dst) {
                    None => prop_assert_eq!(expect, INF),
                    Some(r) => {
                        // The unpacked path is a chain of road arcs adding up to the cost.
                        let mut v = s;
                        let mut sum = 0u64;
                        for &a in &r.arcs {
                            prop_assert_eq!(g.arc_tail(a), v);
                            sum += ms(w[a as usize]);
                            v = g.arc_head(a);
                        }
                        prop_assert_eq!(v, t);
                        prop_assert_eq!(sum, expect);
                    }
                }
            }
        }
    }
}

/// Two roads from 0 to 3: the north one crosses an arc costing 30 days (an incident's risk),
/// the south one costs 26 days in all. `u32` units clamp the 30 days to 24.8 and would take
/// the north road; the `u64` customization takes the south road, as Dijkstra does.
#[test]
fn clamping_picks_the_wrong_road_and_u64_units_do_not() {
    let arcs = [(0, 1), (1, 3), (0, 2), (2, 3)];
    let (g, ids) = Graph::from_arcs(4, &arcs);
    let mut w = vec![0.0; 4];
    let costs = [30.0 * DAY_S, 60.0, 13.0 * DAY_S, 13.0 * DAY_S];
    for (i, &c) in costs.iter().enumerate() {
        w[ids[i] as usize] = c;
    }
    let (south_1, south_2) = (ids[2], ids[3]);
    // Dijkstra by hand: north 30 d + 60 s, south 26 d.
    let want = 26.0 * DAY_S;
    assert!(!fits_units::<u32>(&w) && fits_units::<u64>(&w));
    let cch = Cch::new(&g, metis_order(&g));
    let (src, dst) = ([Seed { node: 0, cost: 0.0 }], [Seed { node: 3, cost: 0.0 }]);

    let narrow = cch.customize(&w);
    let lie = CchQuery::new(&cch).run(&cch, &narrow, &src, &dst).unwrap();
    assert!(
        lie.cost > want,
        "u32 units clamp 30 days to {} ms and pick the north road",
        MAX_FINITE_UNITS
    );

    let wide = cch.customize_wide(&w);
    let mut q = CchQuery::<u64>::new(&cch);
    let route = q.run(&cch, &wide, &src, &dst).unwrap();
    assert_eq!(route.arcs, vec![south_1, south_2]);
    assert_eq!(route.cost, want);
    assert_eq!(q.cost(&cch, &wide, &src, &dst), want);

    // After a partial update (the south road's second arc gains 5 days of risk) the north road
    // is the cheaper one: 30 d + 60 s against 31 d.
    let mut wide = wide;
    CchUpdater::new().update(&cch, &mut wide, &[(south_2, 18.0 * DAY_S)]);
    let route = q.run(&cch, &wide, &src, &dst).unwrap();
    assert_eq!(route.arcs, vec![ids[0], ids[1]]);
    assert_eq!(route.cost, 30.0 * DAY_S + 60.0);
}
