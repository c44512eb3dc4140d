//! `ProfileGraph::customize_from` (what the server does after an incident: repair only the arcs
//! whose weight changed) checked against plain bidirectional Dijkstra on the new weights, on the
//! bundled real map: clusters of changed arcs (costlier, closed, cheaper again), chained updates
//! (each from the previous result, as successive incidents are) and a change too large for a
//! partial update.

use corridor_roads::{import_pbf, Profile, ProfileGraph, RoadGraph, PARTIAL_UPDATE_SHARE};
use corridor_routing::{BidirectionalDijkstra, CchQuery, Seed};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::collections::VecDeque;
use std::path::PathBuf;

fn graph() -> RoadGraph {
    let map = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/andorra.osm.pbf");
    import_pbf(&map).expect("bundled map imports")
}

/// Up to `k` arcs around a random node, by breadth-first search (an incident's neighbourhood).
fn cluster(g: &ProfileGraph, rng: &mut SmallRng, k: usize) -> Vec<u32> {
    let n = g.node_count() as u32;
    let mut seen = vec![false; n as usize];
    let start = rng.random_range(0..n);
    let mut queue = VecDeque::from([start]);
    seen[start as usize] = true;
    let mut arcs = Vec::new();
    while let Some(v) = queue.pop_front() {
        for a in g.graph.out_arcs(v) {
            if arcs.len() >= k {
                return arcs;
            }
            arcs.push(a);
            let h = g.graph.arc_head(a);
            if !std::mem::replace(&mut seen[h as usize], true) {
                queue.push_back(h);
            }
        }
    }
    arcs
}

/// Every CCH answer on `w` equals plain Dijkstra's on the same weights, up to the CCH's
/// rounding to whole milliseconds (half a millisecond per arc of the path).
fn assert_matches_dijkstra(
    g: &ProfileGraph,
    w: &corridor_roads::CustomizedWeights,
    rng: &mut SmallRng,
) {
    let n = g.node_count() as u32;
    let mut cch = CchQuery::new(g.cch());
    let mut dij = BidirectionalDijkstra::new(&g.graph);
    for _ in 0..300 {
        let s = [Seed {
            node: rng.random_range(0..n),
            cost: 0.0,
        }];
        let t = [Seed {
            node: rng.random_range(0..n),
            cost: 0.0,
        }];
        let want = dij.run(&g.graph, &w.weight, &s, &t);
        let got = cch.run(g.cch(), w.metric.as_ref().unwrap(), &s, &t);
        match (want, got) {
            (None, None) => {}
            (Some(a), Some(b)) => {
                let slack = 0.0005 * (a.arcs.len() + b.arcs.len()) as f64 + 1e-9;
                assert!(
                    (a.cost - b.cost).abs() <= slack,
                    "{s:?} -> {t:?}: Dijkstra {} vs CCH {}",
                    a.cost,
                    b.cost
                );
            }
            (a, b) => panic!(
                "{s:?} -> {t:?}: Dijkstra {:?} vs CCH {:?}",
                a.map(|r| r.cost),
                b.map(|r| r.cost)
            ),
        }
    }
}

#[test]
fn partial_customization_answers_as_dijkstra_on_the_new_weights() {
    let road = graph();
    let mut rng = SmallRng::seed_from_u64(11);
    for p in Profile::ALL {
        let g = road.profile(p);
        let mut current = g.customize(g.arc_duration_s.clone());
        for round in 0..6 {
            let mut w = current.weight.clone();
            let arcs = cluster(g, &mut rng, 150);
            for (i, &a) in arcs.iter().enumerate() {
                w[a as usize] = match (round, i % 7) {
                    // Round 3 takes the last rounds' penalties back: cheaper arcs too.
                    (3, _) => g.arc_duration_s[a as usize],
                    (_, 0) => f64::INFINITY,
                    _ => w[a as usize] * rng.random_range(1.5..6.0),
                };
            }
            let (next, changed) = g.customize_from(&current, w);
            assert!(changed <= arcs.len(), "round {round}: {changed} changed");
            assert_matches_dijkstra(g, &next, &mut rng);
            current = next;
        }
        // More arcs changed than a partial update is worth: customized afresh, same answers.
        let w: Vec<f64> = current.weight.iter().map(|x| x * 1.25 + 0.5).collect();
        let (next, changed) = g.customize_from(&current, w);
        assert!(changed > g.arc_count() / PARTIAL_UPDATE_SHARE);
        assert_matches_dijkstra(g, &next, &mut rng);
    }
}

/// Weights beyond `u32` units (a `safest` cost: a million seconds per unit of exposure) are
/// customized in `u64` units and answered by the CCH at Dijkstra's cost, where `u32`'s clamped
/// units would pick the wrong road; weights beyond even `u64`'s 2⁵³ ms are not customized, and
/// `Router::route_on` answers them by A*.
#[test]
fn weights_beyond_u32_are_answered_by_the_wide_cch_and_beyond_u64_by_a_star() {
    use corridor_roads::{Engine, Router, Snapper, WeightBound};
    let road = graph();
    let g = road.profile(Profile::Foot);
    let mut rng = SmallRng::seed_from_u64(12);
    let mut w = g.arc_duration_s.clone();
    for round in 0..4 {
        for a in cluster(g, &mut rng, 200) {
            w[a as usize] += 1e6 * (round + 1) as f64 * rng.random_range(1.0..50.0);
        }
    }
    let wide = g.customize(w.clone());
    assert!(!wide.in_range() && wide.wide.is_some() && wide.on_cch());
    let mut beyond = w.clone();
    for a in cluster(g, &mut rng, 20) {
        beyond[a as usize] = 1e14; // 3 million years: past 2^53 ms
    }
    let not_customized = g.customize(beyond.clone());
    assert!(!not_customized.on_cch());
    let snapper = Snapper::with_index(g, road.meta.bbox);
    let mut router = Router::new(g);
    for (weights, customized, engine) in [
        (&w, &wide, Engine::Cch),
        (&beyond, &not_customized, Engine::Alt),
    ] {
        let mut answered = 0;
        for _ in 0..100 {
            let pick = |rng: &mut SmallRng| g.node_coord[rng.random_range(0..g.node_count())];
            let (a, b) = (pick(&mut rng), pick(&mut rng));
            let (Some(sa), Some(sb)) = (snapper.snap(g, a, 50.0), snapper.snap(g, b, 50.0)) else {
                continue;
            };
            let want = router.route(g, weights, WeightBound::Arbitrary, &[sa], &[sb]);
            let got = router.route_on(g, customized, &[sa], &[sb]);
            match (want, got) {
                (None, None) => {}
                (Some(x), Some(y)) => {
                    assert_eq!(y.engine, engine);
                    // The CCH is exact for weights rounded to whole milliseconds.
                    let slack = 0.0005 * (x.pieces.len() + y.pieces.len() + 2) as f64;
                    assert!(
                        (x.cost - y.cost).abs() <= slack.max(1e-9 * x.cost),
                        "{} vs {}",
                        x.cost,
                        y.cost
                    );
                    answered += 1;
                }
                (x, y) => panic!("{:?} vs {:?}", x.map(|r| r.cost), y.map(|r| r.cost)),
            }
        }
        assert!(answered > 50, "{answered} routes");
    }
}
