//! Safest routes after incidents come from the CCH, exactly: on the bundled real map, shelling
//! near random routes pushes `safest` costs (a million seconds per unit of exposure) past the
//! 24.8 days `u32` units hold, so the weights are customized in `u64` units, and every answer
//! equals Dijkstra's on the same weights rounded to milliseconds (10,000 node pairs per profile
//! and incident log), also after a new incident repairs the customization partially
//! (`customize_from`, as the server does). Routes between snapped points name the CCH as
//! their engine and cost what bidirectional Dijkstra's do.

mod common;
use common::*;
use corridor_roads::{
    in_cch_range, CustomizedWeights, Engine, Profile, ProfileGraph, Router, WeightBound,
};
use corridor_routing::{CchQuery, OneToAll, Seed, Units};
use corridor_scenario::{Mode, ScenarioMap, Side};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

/// An ACLED-style shelling row at `[lon, lat]`.
fn shelling(id: usize, at: [f64; 2]) -> String {
    format!(
        "S{id},2016-07-27,Explosions/Remote violence,Shelling/artillery/missile attack,x,,{},{},10,near a route\n",
        at[1], at[0]
    )
}

/// Incidents at random nodes of the profile graph (each lies on or next to many routes).
fn incidents_csv(g: &ProfileGraph, rng: &mut SmallRng, k: usize, first_id: usize) -> String {
    (0..k)
        .map(|i| {
            shelling(
                first_id + i,
                g.node_coord[rng.random_range(0..g.node_count())],
            )
        })
        .collect()
}

/// 100 × 100 random node pairs: the `u64` CCH's cost equals Dijkstra's on the rounded weights.
fn assert_cch_equals_dijkstra(g: &ProfileGraph, w: &CustomizedWeights, rng: &mut SmallRng) {
    let wide = w.wide.as_ref().expect("customized in u64 units");
    let units: Vec<f64> = w
        .weight
        .iter()
        .map(|&c| match u64::from_cost(c) {
            u64::MAX => f64::INFINITY,
            u => u as f64,
        })
        .collect();
    let n = g.node_count() as u32;
    let targets: Vec<u32> = (0..100).map(|_| rng.random_range(0..n)).collect();
    let mut dijkstra = OneToAll::new(&g.graph);
    let mut q = CchQuery::<u64>::new(g.cch());
    for _ in 0..100 {
        let s = [Seed {
            node: rng.random_range(0..n),
            cost: 0.0,
        }];
        dijkstra.run(&g.graph, &units, &s, f64::INFINITY, false);
        for &t in &targets {
            let got = q.cost(g.cch(), wide, &s, &[Seed { node: t, cost: 0.0 }]);
            let got = if got.is_finite() {
                (got * 1e3).round()
            } else {
                got
            };
            assert_eq!(got, dijkstra.cost(t), "{:?} -> {t}", s[0].node);
        }
    }
}

/// Routes between snapped points: the CCH answers, at bidirectional Dijkstra's cost (up to the
/// half millisecond per arc the CCH's rounding allows).
fn assert_routes_from_the_cch(p: Profile, w: &CustomizedWeights, rng: &mut SmallRng) {
    let g = graph().profile(p);
    let mut router = Router::new(g);
    let mut answered = 0;
    for _ in 0..60 {
        let pick = |rng: &mut SmallRng| g.node_coord[rng.random_range(0..g.node_count())];
        let (a, b) = (pick(rng), pick(rng));
        let (Some(sa), Some(sb)) = (snapper(p).snap(g, a, 50.0), snapper(p).snap(g, b, 50.0))
        else {
            continue;
        };
        let want = router.route(g, &w.weight, WeightBound::Arbitrary, &[sa], &[sb]);
        let got = router.route_on(g, w, &[sa], &[sb]);
        match (want, got) {
            (None, None) => {}
            (Some(x), Some(y)) => {
                assert_eq!(y.engine, Engine::Cch);
                let slack = 0.0005 * (y.pieces.len() + x.pieces.len() + 2) as f64;
                assert!((x.cost - y.cost).abs() <= slack, "{} vs {}", x.cost, y.cost);
                answered += 1;
            }
            (x, y) => panic!("{:?} vs {:?}", x.map(|r| r.cost), y.map(|r| r.cost)),
        }
    }
    assert!(answered > 30, "{answered} routes");
}

#[test]
fn safest_routes_after_incidents_come_from_the_cch_and_equal_dijkstra() {
    let mut rng = SmallRng::seed_from_u64(2016);
    for p in Profile::ALL {
        let g = graph().profile(p);
        let csv = format!("{CSV_HEADER}\n{}", incidents_csv(g, &mut rng, 12, 0));
        let (_d, m) = write_scenario(&[
            ("scenario.toml", &manifest("incidents = \"i.csv\"", "")),
            ("i.csv", &csv),
        ]);
        let s = corridor_scenario::load(&m).unwrap();
        let sm = ScenarioMap::new(&s, g, graph().meta.bbox, snapper(p)).unwrap();
        let side = Side::default_for(&s);
        let weight = sm.weights(side, Mode::Safest, 0.0);
        assert!(
            !in_cch_range(&weight),
            "{}: the incidents should push some safest costs past 24.8 days",
            p.name()
        );
        let base = g.customize(weight);
        assert!(base.metric.is_none() && base.wide.is_some());
        assert_cch_equals_dijkstra(g, &base, &mut rng);
        assert_routes_from_the_cch(p, &base, &mut rng);

        // One more incident: the server repairs the customization from the previous one.
        let csv2 = format!("{csv}{}", incidents_csv(g, &mut rng, 1, 100));
        std::fs::write(m.with_file_name("i.csv"), &csv2).unwrap();
        let s2 = corridor_scenario::load(&m).unwrap();
        let sm2 = sm.with_incidents(&s2, g);
        let weight2 = sm2.weights(side, Mode::Safest, 0.0);
        let (next, changed) = g.customize_from(&base, weight2.clone());
        assert!(changed > 0, "the new incident changes some weights");
        assert!(next.wide.is_some());
        let fresh = g.customize(weight2);
        let (a, b) = (next.wide.as_ref().unwrap(), fresh.wide.as_ref().unwrap());
        for e in 0..g.cch().edge_count() {
            assert_eq!(a.edge_units(e), b.edge_units(e), "edge {e}");
        }
        assert_cch_equals_dijkstra(g, &next, &mut rng);
        assert_routes_from_the_cch(p, &next, &mut rng);
    }
}
