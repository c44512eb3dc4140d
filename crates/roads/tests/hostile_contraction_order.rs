//! A graph file whose stored contraction order is a valid permutation but hostile (it makes
//! the hierarchy nearly complete, so customization would take minutes on a city) must not
//! make `route --engine cch` or `bench` hang: the hierarchy's size is capped and the graph is
//! contracted on a fresh order instead. Truth: on a grid every shortest route is as long as
//! the Manhattan distance between its ends.

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

/// The payload bytes of `order` as the file stores it: a u64 count, then u32 node ids.
fn stored(order: &[u32]) -> Vec<u8> {
    let mut b = (order.len() as u64).to_le_bytes().to_vec();
    b.extend(order.iter().flat_map(|v| v.to_le_bytes()));
    b
}

#[test]
fn a_hostile_contraction_order_is_capped_and_routes_stay_exact() {
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

    // Craft the file: the stored order replaced (in both profiles: on this grid foot and car
    // are the same graph), checksum fixed up.
    let mut bytes = file::to_bytes(&rg);
    let (old, new) = (stored(g.cch_order()), stored(&hostile));
    let mut replaced = 0;
    while let Some(at) = bytes.windows(old.len()).position(|w| w == old.as_slice()) {
        bytes[at..at + new.len()].copy_from_slice(&new);
        replaced += 1;
    }
    assert!(replaced >= 1);
    let len = (bytes.len() - 24) as u64;
    bytes[12..20].copy_from_slice(&len.to_le_bytes());
    let crc = crc32fast::hash(&bytes[24..]);
    bytes[20..24].copy_from_slice(&crc.to_le_bytes());

    let loaded = file::from_bytes(&bytes, Path::new("x.graph")).unwrap();
    let g = loaded.profile(Profile::Car);
    assert_eq!(g.cch_order(), hostile.as_slice());
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
