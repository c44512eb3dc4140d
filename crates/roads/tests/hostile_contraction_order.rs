//! A graph file whose stored contraction hierarchy comes from a valid but hostile order (it
//! makes the hierarchy nearly complete, so customization would take minutes on a city) must not
//! make `route --engine cch` or `bench` hang: the file stores the hierarchy itself (format
//! version 4), and one with more than 32 edges per arc is refused at load, before any work is
//! spent on it, with a one-line error. Truth: on a grid every shortest route is as long as the
//! Manhattan distance between its ends, and the comb order's clique is counted by hand.

mod common;

use common::{import, way, M_PER_DEG};
use corridor_roads::{file, Profile, Router, Snapper, CCH_EDGES_PER_ARC_CAP};
use std::path::Path;

const SIDE: i64 = 40;
const STEP: f64 = 0.001;

fn osm_id(row: i64, col: i64) -> i64 {
    row * SIDE + col + 1
}

/// A 40 × 40 grid of two-way residential roads, 0.001° apart, one way per row and column.
fn grid() -> corridor_roads::RoadGraph {
    let mut nodes = Vec::new();
    for r in 0..SIDE {
        for c in 0..SIDE {
            nodes.push((osm_id(r, c), c as f64 * STEP, r as f64 * STEP));
        }
    }
    let mut ways = Vec::new();
    for i in 0..SIDE {
        let row: Vec<i64> = (0..SIDE).map(|c| osm_id(i, c)).collect();
        let col: Vec<i64> = (0..SIDE).map(|r| osm_id(r, i)).collect();
        ways.push(way(10_000 + i, &row, &[("highway", "residential")]));
        ways.push(way(20_000 + i, &col, &[("highway", "residential")]));
    }
    import(&nodes, &ways)
}

/// Column 0 and the even rows (a connected comb) first, then the rest: eliminating the comb
/// joins all 780 nodes of the odd rows into one clique, 303,810 edges.
fn comb_order(g: &corridor_roads::ProfileGraph) -> Vec<u32> {
    let node = |r: i64, c: i64| {
        g.node_osm_id
            .iter()
            .position(|&id| id == osm_id(r, c))
            .unwrap() as u32
    };
    let in_comb = |r: i64, c: i64| c == 0 || r % 2 == 0;
    let cells = || (0..SIDE).flat_map(|r| (0..SIDE).map(move |c| (r, c)));
    cells()
        .filter(|&(r, c)| in_comb(r, c))
        .chain(cells().filter(|&(r, c)| !in_comb(r, c)))
        .map(|(r, c)| node(r, c))
        .collect()
}

#[test]
fn a_hostile_stored_hierarchy_is_refused_and_routes_stay_exact() {
    let rg = grid();
    let car = Profile::ALL
        .iter()
        .position(|&p| p == Profile::Car)
        .unwrap();
    let g = &rg.profiles[car];
    assert_eq!(g.node_count(), (SIDE * SIDE) as usize);
    let hostile = comb_order(g);
    // The order really is hostile: contracted as given it exceeds the cap.
    let as_given = corridor_routing::Cch::new(&g.graph, hostile.clone());
    let cap = CCH_EDGES_PER_ARC_CAP * g.graph.arc_count();
    assert!(
        as_given.edge_count() > cap,
        "{} ≤ {cap}",
        as_given.edge_count()
    );

    // Craft the file: the hierarchy of the hostile order stored in both profiles (on this
    // grid foot and car are the same graph); the writer computes the checksum.
    let mut crafted = grid();
    for p in crafted.profiles.iter_mut() {
        let cch = corridor_routing::Cch::new(&p.graph, comb_order(p));
        p.replace_cch(cch).unwrap();
    }
    let bytes = file::to_bytes(&crafted);
    let Err(err) = file::from_bytes(&bytes, Path::new("x.graph")) else {
        panic!("a hostile hierarchy was accepted");
    };
    let msg = err.to_string();
    assert!(msg.starts_with("x.graph"), "{msg}");
    assert!(!msg.contains('\n'), "{msg}");

    // The honest file loads and answers exactly through its stored CCH.
    let loaded = file::from_bytes(&file::to_bytes(&rg), Path::new("x.graph")).unwrap();
    let g = loaded.profile(Profile::Car);
    assert!(g.cch().edge_count() <= cap, "{}", g.cch().edge_count());

    // Corner to corner and a few other pairs: Manhattan distance, by the CCH.
    let snapper = Snapper::new(g, loaded.meta.bbox);
    let metric = g.customize(g.arc_duration_s.clone());
    let mut router = Router::new(g);
    for ((r0, c0), (r1, c1)) in [((0, 0), (39, 39)), ((3, 17), (28, 2)), ((39, 0), (0, 39))] {
        let at = |r: i64, c: i64| [c as f64 * STEP, r as f64 * STEP];
        let [a, b] = snapper.waypoints(g, at(r0, c0), at(r1, c1), 1.0, |_| true);
        let route = router
            .route_customized(g, &metric, &a.unwrap(), &b.unwrap())
            .unwrap();
        let manhattan = ((r1 - r0).abs() + (c1 - c0).abs()) as f64 * STEP * M_PER_DEG;
        assert!(
            (route.distance_m - manhattan).abs() < 0.01,
            "{} m, expected {manhattan} m",
            route.distance_m
        );
    }
}
