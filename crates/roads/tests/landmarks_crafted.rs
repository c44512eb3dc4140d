//! A graph file whose landmark distances overstate by *just under* a relative slack on every
//! arc of a path must not bias A*: the loader checks the arc inequalities exactly. The map is
//! hand-built (answers by hand in the comments), the file crafted with a valid checksum.

mod common;

use common::{import, way, M_PER_DEG};
use corridor_roads::{file, Profile, Router, Snapper, WeightBound};
use corridor_routing::Landmarks;
use std::path::Path;

const RESIDENTIAL: (&str, &str) = ("highway", "residential");
const ONEWAY: (&str, &str) = ("oneway", "yes");

/// A main network (a comb of two-way roads at 1° north, where the landmarks go) and, apart
/// from it, a one-way network on the equator: A = 0° → M1 … M5 → B = 0.003° east in steps of
/// 0.0005° (333.6 m in all), and a one-way detour A → (0, −0.001) → (0.003, −0.001) → B
/// (111.2 + 333.6 + 111.2 = 556.0 m). Every node of the short way has a one-way spur north,
/// so that the import keeps it as a junction.
fn map() -> corridor_roads::RoadGraph {
    let mut nodes = Vec::new();
    let mut ways = Vec::new();
    for i in 0..12i64 {
        nodes.push((100 + i, i as f64 * 0.001, 1.0));
        nodes.push((200 + i, i as f64 * 0.001, 1.0005));
        ways.push(way(1000 + i, &[100 + i, 200 + i], &[RESIDENTIAL]));
        if i > 0 {
            ways.push(way(1100 + i, &[99 + i, 100 + i], &[RESIDENTIAL]));
        }
    }
    // The short way: node 1 = A, 2..=6 = M1..M5, 7 = B; spurs 11..=17.
    for i in 0..7i64 {
        nodes.push((1 + i, i as f64 * 0.0005, 0.0));
        nodes.push((11 + i, i as f64 * 0.0005, 0.0002));
        ways.push(way(20 + i, &[1 + i, 11 + i], &[RESIDENTIAL, ONEWAY]));
        if i > 0 {
            ways.push(way(30 + i, &[i, 1 + i], &[RESIDENTIAL, ONEWAY]));
        }
    }
    nodes.push((8, 0.0, -0.001));
    nodes.push((9, 0.003, -0.001));
    ways.push(way(40, &[1, 8, 9, 7], &[RESIDENTIAL, ONEWAY]));
    import(&nodes, &ways)
}

#[test]
fn landmark_bounds_inflated_just_under_a_relative_slack_are_refused() {
    let rg = map();
    let g = rg.profile(Profile::Car);
    let node = |osm: i64| g.node_osm_id.iter().position(|&id| id == osm).unwrap();
    let (a, b) = (node(1), node(7));
    let short = 0.003 * M_PER_DEG;

    // Landmark 0 (in the main network, unreachable from the one-way network: honestly ∞ there)
    // gets d(v, L) = X + 448·(steps from v to B) on M1..M5, X on A and B: each arc Mi→Mi+1
    // overstates by 448 s, under 1e-6 × X = 537 s. A* then thinks M1 is 1,166 s from B and
    // takes the 556 m detour.
    let crafted = {
        let mut rg = rg.clone();
        let p = &mut rg.profiles[Profile::ALL
            .iter()
            .position(|&q| q == Profile::Car)
            .unwrap()];
        let l = &p.landmarks;
        let k = l.nodes().len();
        let mut to = l.to_costs().to_vec();
        let x = (1u32 << 29) as f32;
        to[a * k] = x;
        to[b * k] = x;
        for (steps, osm) in (2..=6).rev().enumerate() {
            to[node(osm) * k] = x + 448.0 * (steps as f32 + 1.0);
        }
        p.landmarks = Landmarks::from_parts(
            l.nodes().to_vec(),
            l.from_costs().to_vec(),
            to,
            p.node_count(),
        )
        .unwrap();
        file::to_bytes(&rg)
    };
    match file::from_bytes(&crafted, Path::new("x.graph")) {
        Err(e) => assert!(
            e.to_string().contains("landmark distances contradict"),
            "{e}"
        ),
        Ok(loaded) => {
            // Loaded: then A* must still find the 333.6 m way.
            let g = loaded.profile(Profile::Car);
            let snapper = Snapper::new(g, loaded.meta.bbox);
            let (from, to) = (g.node_coord[a], g.node_coord[b]);
            let [s, t] = snapper.waypoints(g, from, to, 50.0, |_| true);
            let r = Router::new(g)
                .route(
                    g,
                    &g.arc_duration_s,
                    WeightBound::AtLeastTravelTime,
                    &s.unwrap(),
                    &t.unwrap(),
                )
                .unwrap();
            assert!(
                (r.distance_m - short).abs() < 0.01,
                "A* took {} m, the short way is {short} m",
                r.distance_m
            );
        }
    }
    // The honest file loads, and A* takes the short way.
    let honest = file::from_bytes(&file::to_bytes(&rg), Path::new("x.graph")).unwrap();
    let g = honest.profile(Profile::Car);
    let snapper = Snapper::new(g, honest.meta.bbox);
    let [s, t] = snapper.waypoints(g, g.node_coord[a], g.node_coord[b], 50.0, |_| true);
    let r = Router::new(g)
        .route(
            g,
            &g.arc_duration_s,
            WeightBound::AtLeastTravelTime,
            &s.unwrap(),
            &t.unwrap(),
        )
        .unwrap();
    assert!((r.distance_m - short).abs() < 0.01, "{}", r.distance_m);
}
