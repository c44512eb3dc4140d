//! Snapping and routing on small hand-built maps (written as OSM PBF and imported through the
//! public import path) whose answers are worked out by hand in the comments: one-way ends at a
//! junction, ties between two carriageways, a map tall enough for the flat projection to pick
//! the wrong road, a small network beside the main one, and roads closed to the traveller.
//!
//! Every map lies on the equator or along meridians, where haversine distances are exact
//! multiples of `M_PER_DEG` (111,195.08 m per degree).

mod common;

use common::{edge_of_way, import, way, M_PER_DEG};
use corridor_roads::{Profile, Router, Snapper, WeightBound};

const RESIDENTIAL: (&str, &str) = ("highway", "residential");
const ONEWAY: (&str, &str) = ("oneway", "yes");

/// J = (0, 0) with a one-way road J→W (W = 0.001° west), a two-way road J–N (N = 0.0008°
/// north), and a detour W–NW–N (NW above W). Also a one-way road S→J from S = 0.001° south,
/// which S reaches from W by W–SW–S.
fn junction_map() -> corridor_roads::RoadGraph {
    let nodes = [
        (1, 0.0, 0.0),       // J
        (2, -0.001, 0.0),    // W
        (3, 0.0, 0.0008),    // N
        (4, -0.001, 0.0008), // NW
        (5, 0.0, -0.001),    // S
        (6, -0.001, -0.001), // SW
    ];
    let ways = [
        way(10, &[1, 2], &[RESIDENTIAL, ONEWAY]),
        way(11, &[1, 3], &[RESIDENTIAL]),
        way(12, &[2, 4], &[RESIDENTIAL]),
        way(13, &[4, 3], &[RESIDENTIAL]),
        way(14, &[5, 1], &[RESIDENTIAL, ONEWAY]),
        way(15, &[2, 6], &[RESIDENTIAL]),
        way(16, &[6, 5], &[RESIDENTIAL]),
    ];
    import(&nodes, &ways)
}

fn car_route_m(rg: &corridor_roads::RoadGraph, from: [f64; 2], to: [f64; 2]) -> Option<f64> {
    let g = rg.profile(Profile::Car);
    let snapper = Snapper::new(g, rg.meta.bbox);
    let [a, b] = snapper.waypoints(g, from, to, 500.0, |_| true);
    let (a, b) = (a?, b?);
    let mut router = Router::new(g);
    let alt = router.route(g, &g.arc_duration_s, WeightBound::AtLeastTravelTime, &a, &b);
    let plain = router.route(g, &g.arc_duration_s, WeightBound::Arbitrary, &a, &b);
    let cch = router.route_customized(g, &g.customize(g.arc_duration_s.clone()), &a, &b);
    let d = |r: &Option<corridor_roads::RoadRoute>| r.as_ref().map(|r| r.distance_m);
    for other in [d(&plain), d(&cch)] {
        match (d(&alt), other) {
            (Some(x), Some(y)) => assert!((x - y).abs() < 1e-6, "engines disagree: {x} vs {y}"),
            (x, y) => assert_eq!(x.is_some(), y.is_some()),
        }
    }
    d(&alt)
}

#[test]
fn a_start_on_the_junction_where_a_one_way_road_begins_is_the_junction() {
    let rg = junction_map();
    let north = 0.0008 * M_PER_DEG; // J–N: 88.956 m
                                    // Exactly at J: every road at J ties at 0 m; J itself is the start at cost 0.
    let d = car_route_m(&rg, [0.0, 0.0], [0.0, 0.0008]).unwrap();
    assert!((d - north).abs() < 0.01, "{d} m, expected {north:.3} m");
    // 5 cm west of J on the one-way road J→W: within NODE_EPSILON_M, so it is J. Seeding only
    // from W (the old 0 × ∞ = NaN bug) gives W–NW–N instead: 111.2 + 89.0 + 111.2 = 311.4 m.
    let d = car_route_m(&rg, [-0.05 / M_PER_DEG, 0.0], [0.0, 0.0008]).unwrap();
    assert!((d - north).abs() < 0.01, "{d} m, expected {north:.3} m");
}

#[test]
fn a_destination_on_the_junction_where_a_one_way_road_ends_is_the_junction() {
    let rg = junction_map();
    let north = 0.0008 * M_PER_DEG;
    // To J from N: 88.956 m, whether J is hit exactly or 5 cm before it on the one-way S→J.
    // Reaching the end of S→J only through S would be N–NW–W–SW–S–J: 533.7 m.
    for to in [[0.0, 0.0], [0.0, -0.05 / M_PER_DEG]] {
        let d = car_route_m(&rg, [0.0, 0.0008], to).unwrap();
        assert!((d - north).abs() < 0.06, "{d} m, expected {north:.3} m");
    }
}

#[test]
fn every_road_at_a_junction_is_a_candidate() {
    let rg = junction_map();
    let g = rg.profile(Profile::Car);
    let snapper = Snapper::new(g, rg.meta.bbox);
    let w = snapper
        .candidates_where(g, [0.0, 0.0], 500.0, |_| true)
        .unwrap();
    let mut ways: Vec<i64> = w
        .candidates()
        .iter()
        .map(|c| g.edges.way_id[c.edge as usize])
        .collect();
    ways.sort();
    assert_eq!(ways, vec![10, 11, 14]);
    for c in w.candidates() {
        assert!(c.distance_m < 1e-6);
        assert!(c.node(g).is_some());
    }
}

/// A dual carriageway: eastbound A at 0.00005° north (5.56 m), westbound B at 0.00005° south,
/// 0.002° long, joined by two-way connectors at both ends.
fn dual_carriageway() -> corridor_roads::RoadGraph {
    let d = 0.00005;
    let nodes = [
        (1, 0.0, d),    // a1
        (2, 0.002, d),  // a2
        (3, 0.002, -d), // b2
        (4, 0.0, -d),   // b1
    ];
    let ways = [
        way(20, &[1, 2], &[RESIDENTIAL, ONEWAY]),
        way(21, &[3, 4], &[RESIDENTIAL, ONEWAY]),
        way(22, &[1, 4], &[RESIDENTIAL]),
        way(23, &[2, 3], &[RESIDENTIAL]),
    ];
    import(&nodes, &ways)
}

#[test]
fn a_point_between_two_carriageways_takes_the_one_going_its_way() {
    let rg = dual_carriageway();
    // From (0.001, 0.0000001), 5.549 m from A and 5.571 m from B (a tie within 0.5 m), to the
    // west connector's middle
    // (0, 0): west along B 0.001° then north 0.00005°: 116.755 m. Starting on A instead:
    // east 0.001°, across 0.0001°, west 0.002°, north 0.00005°: 350.26 m.
    let expect = 0.00105 * M_PER_DEG;
    let d = car_route_m(&rg, [0.001, 0.0000001], [0.0, 0.0]).unwrap();
    assert!((d - expect).abs() < 0.01, "{d} m, expected {expect:.3} m");
}

#[test]
fn snapping_skips_roads_the_traveller_may_not_use() {
    let rg = dual_carriageway();
    let g = rg.profile(Profile::Car);
    let snapper = Snapper::new(g, rg.meta.bbox);
    // 0.00001° north of the middle: 4.448 m from A, 6.672 m from B.
    let q = [0.001, 0.00001];
    let a = edge_of_way(g, 20);
    let s = snapper.nearest_where(g, q, 500.0, |_| true).unwrap();
    assert_eq!(s.edge, a);
    assert!((s.distance_m - 0.00004 * M_PER_DEG).abs() < 0.01);
    // A closed (its arc INFINITY): B is the start, 6.672 m away.
    let mut w = g.arc_duration_s.clone();
    w[g.edge_fwd_arc[a as usize] as usize] = f64::INFINITY;
    let open = |e: u32| corridor_roads::snap::edge_open(g, &w, e);
    let s = snapper.nearest_where(g, q, 500.0, open).unwrap();
    assert_eq!(g.edges.way_id[s.edge as usize], 21);
    assert!((s.distance_m - 0.00006 * M_PER_DEG).abs() < 0.01);
    // Within --max-snap only: with 5 m allowed there is no open road.
    assert!(snapper.nearest_where(g, q, 5.0, open).is_none());
}

/// Roads at 33° and 37° north: a flat projection centred at 35° stretches east–west distances
/// at 37° by cos 35°/cos 37° = 1.0256.
fn tall_map() -> (corridor_roads::RoadGraph, [f64; 2], f64) {
    let q = [30.0, 37.0];
    let east = 800.0 / (M_PER_DEG * 37f64.to_radians().cos()); // 800 m east of q at 37°
    let north = 815.0 / M_PER_DEG; // 815 m north of q
    let lon1 = q[0] + east;
    let nodes = [
        (1, lon1, 36.99),
        (2, lon1, 37.01),
        (3, 29.99, 37.0 + north),
        (4, 30.01, 37.0 + north),
        (5, 30.0, 33.0),
        (6, 30.01, 33.0),
    ];
    let ways = [
        way(30, &[1, 2], &[RESIDENTIAL]),
        way(31, &[3, 4], &[RESIDENTIAL]),
        way(32, &[5, 6], &[RESIDENTIAL]),
    ];
    (import(&nodes, &ways), q, lon1)
}

#[test]
fn candidates_are_ranked_by_geodesic_distance_on_a_tall_map() {
    let (rg, q, lon1) = tall_map();
    let g = rg.profile(Profile::Foot);
    let snapper = Snapper::new(g, rg.meta.bbox);
    // The meridian road is 800 m away, the parallel one 815 m; the flat projection would
    // measure the meridian road at 820.5 m and pick the other.
    for (label, s) in [
        (
            "scan",
            snapper.nearest_where(g, q, 2000.0, |_| true).unwrap(),
        ),
        (
            "index",
            Snapper::with_index(g, rg.meta.bbox)
                .nearest_where(g, q, 2000.0, |_| true)
                .unwrap(),
        ),
    ] {
        assert_eq!(g.edges.way_id[s.edge as usize], 30, "{label}");
        assert!(
            (s.distance_m - 800.0).abs() < 0.5,
            "{label}: {}",
            s.distance_m
        );
    }
    // 495 m from that road with a 500 m limit is on the map (the flat projection says 507.7 m).
    let q2 = [lon1 - 495.0 / (M_PER_DEG * 37f64.to_radians().cos()), 37.0];
    for snapper in [
        Snapper::new(g, rg.meta.bbox),
        Snapper::with_index(g, rg.meta.bbox),
    ] {
        let s = snapper.snap(g, q2, 500.0).expect("495 m is within 500 m");
        assert!((s.distance_m - 495.0).abs() < 0.5, "{}", s.distance_m);
    }
}

/// A main road of five 0.001° edges along the equator and, 0.0003° (33.4 m) north of it, an
/// unconnected service road from 0.001° to 0.002° east (a car park).
fn main_and_car_park() -> corridor_roads::RoadGraph {
    let mut nodes: Vec<(i64, f64, f64)> = (0..6).map(|i| (i + 1, i as f64 * 0.001, 0.0)).collect();
    nodes.push((100, 0.001, 0.0003));
    nodes.push((101, 0.002, 0.0003));
    let ways = [
        way(40, &[1, 2, 3], &[RESIDENTIAL]),
        way(41, &[3, 4, 5, 6], &[RESIDENTIAL]),
        way(42, &[100, 101], &[RESIDENTIAL]),
    ];
    import(&nodes, &ways)
}

#[test]
fn a_route_between_two_points_by_a_small_network_stays_on_it() {
    let rg = main_and_car_park();
    let g = rg.profile(Profile::Car);
    let snapper = Snapper::new(g, rg.meta.bbox);
    // Both points 0.0001° (11.12 m) below the car park and 22.24 m above the main road.
    let (a, b) = ([0.0012, 0.0002], [0.0018, 0.0002]);
    let [wa, wb] = snapper.waypoints(g, a, b, 500.0, |_| true);
    for w in [wa.unwrap(), wb.unwrap()] {
        assert_eq!(g.edges.way_id[w.best().edge as usize], 42);
        assert!((w.best().distance_m - 0.0001 * M_PER_DEG).abs() < 0.01);
    }
    // One point by the car park, the other by the main road only: both go to the main road
    // (the car park would not connect), the first 22.24 m away.
    let c = [0.004, 0.0001];
    let [wa, wc] = snapper.waypoints(g, a, c, 500.0, |_| true);
    let (wa, wc) = (wa.unwrap(), wc.unwrap());
    assert_eq!(g.edges.way_id[wa.best().edge as usize], 40);
    assert!((wa.best().distance_m - 0.0002 * M_PER_DEG).abs() < 0.01);
    assert_eq!(g.edges.way_id[wc.best().edge as usize], 41);
    // And the route: along the main road from 0.0012° to 0.004°: 311.35 m.
    let d = car_route_m(&rg, a, c).unwrap();
    assert!((d - 0.0028 * M_PER_DEG).abs() < 0.01, "{d}");
}

#[test]
fn a_point_on_a_node_seeds_that_node_at_cost_zero_and_never_nan() {
    let rg = junction_map();
    let g = rg.profile(Profile::Car);
    let snapper = Snapper::new(g, rg.meta.bbox);
    // 5 cm west of J on the one-way J→W: the seeds leaving it are J at 0, nothing else.
    let w = snapper
        .candidates_where(g, [-0.05 / M_PER_DEG, 0.0], 500.0, |_| true)
        .unwrap();
    let j = g.node_osm_id.iter().position(|&id| id == 1).unwrap() as u32;
    for outbound in [true, false] {
        let seeds = corridor_roads::route::point_seeds(g, &g.arc_duration_s, &w, outbound);
        assert!(seeds.iter().all(|s| s.cost.is_finite()), "{seeds:?}");
        assert!(
            seeds.iter().any(|s| s.node == j && s.cost == 0.0),
            "{seeds:?}"
        );
    }
    // Mid-way along the one-way J→W (55.6 m from each end): leaving reaches W at half the
    // edge's time and J not at all; arriving comes from J at half the time.
    let mid = snapper
        .candidates_where(g, [-0.0005, 0.0], 500.0, |_| true)
        .unwrap();
    let e = mid.best().edge as usize;
    let half = g.arc_duration_s[g.edge_fwd_arc[e] as usize] / 2.0;
    let out = corridor_roads::route::point_seeds(g, &g.arc_duration_s, &mid, true);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].node, g.edges.to[e]);
    assert!((out[0].cost - half).abs() < 1e-9);
    let arrive = corridor_roads::route::point_seeds(g, &g.arc_duration_s, &mid, false);
    assert_eq!(arrive.len(), 1);
    assert_eq!(arrive[0].node, j);
    assert!((arrive[0].cost - half).abs() < 1e-9);
}

// In `junction_map`, by hand: L = 0.001° = 111.195 m, 0.0008° = 88.956 m. From W the way to J
// is W–NW–N–J = 88.956 + 111.195 + 88.956 = 289.107 m (W–SW–S–J is 333.585 m); from J to S
// it is J→W–SW–S = 333.585 m (J–N–NW–W–SW–S is 511.5 m).
const L: f64 = 0.001 * M_PER_DEG;
const NORTH: f64 = 0.0008 * M_PER_DEG;

#[test]
fn points_exactly_on_the_nodes_of_one_way_roads_in_both_roles() {
    let rg = junction_map();
    let (j, w, s) = ([0.0, 0.0], [-0.001, 0.0], [0.0, -0.001]);
    let around = NORTH + L + NORTH;
    // (from, to, metres): W ends the one-way J→W, S begins the one-way S→J.
    for (from, to, expect) in [
        (w, j, around),
        (j, w, L),
        (j, s, 3.0 * L),
        (s, j, L),
        (w, s, 2.0 * L),
        (s, w, 2.0 * L),
    ] {
        let d = car_route_m(&rg, from, to).unwrap();
        assert!(
            (d - expect).abs() < 0.01,
            "{from:?} -> {to:?}: {d} m, expected {expect:.3} m"
        );
    }
}

#[test]
fn both_ends_on_one_one_way_edge_forward_backward_and_equal() {
    let rg = junction_map();
    let (near, far) = ([-0.0002, 0.0], [-0.0008, 0.0]); // 22.239 m and 88.956 m along J→W
    let d = car_route_m(&rg, near, far).unwrap();
    assert!((d - 0.0006 * M_PER_DEG).abs() < 0.01, "{d}");
    // Against the one-way: on to W, round W–NW–N–J, and J→ 22.239 m: 333.585 m.
    let d = car_route_m(&rg, far, near).unwrap();
    let expect = 0.0002 * M_PER_DEG + NORTH + L + NORTH + 0.0002 * M_PER_DEG;
    assert!((d - expect).abs() < 0.01, "{d}, expected {expect}");
    for p in [near, [0.0, 0.0], [-0.001, 0.0], [0.0, 0.0004]] {
        assert_eq!(car_route_m(&rg, p, p), Some(0.0), "{p:?}");
    }
}

#[test]
fn three_roads_tied_near_a_junction_all_seed_the_route() {
    let rg = junction_map();
    let g = rg.profile(Profile::Car);
    // 0.3 m west and 0.3 m north of J: 0.3 m from J→W and from J–N, 0.42 m from S→J (at J).
    let q = [-0.3 / M_PER_DEG, 0.3 / M_PER_DEG];
    let snapper = Snapper::new(g, rg.meta.bbox);
    let w = snapper.candidates_where(g, q, 500.0, |_| true).unwrap();
    assert_eq!(w.candidates().len(), 3, "{:?}", w.candidates());
    // To N by J–N: 88.956 − 0.3; to W by J→W: 111.195 − 0.3; to S by J→W–SW–S: 333.585 − 0.3
    // (from the J→W candidate, not from J).
    for (to, expect) in [
        ([0.0, 0.0008], NORTH - 0.3),
        ([-0.001, 0.0], L - 0.3),
        ([0.0, -0.001], 3.0 * L - 0.3),
    ] {
        let d = car_route_m(&rg, q, to).unwrap();
        assert!(
            (d - expect).abs() < 0.01,
            "to {to:?}: {d}, expected {expect}"
        );
    }
}

#[test]
fn a_point_on_a_node_whose_roads_are_all_closed_snaps_to_the_nearest_open_road() {
    let rg = junction_map();
    let g = rg.profile(Profile::Car);
    let j = g.node_osm_id.iter().position(|&id| id == 1).unwrap() as u32;
    // Close every road touching J: the nearest open road is NW–N, at N (88.956 m); W and S,
    // at 111.195 m, are farther.
    let mut weight = g.arc_duration_s.clone();
    for e in 0..g.edge_count() {
        if g.edges.from[e] == j || g.edges.to[e] == j {
            for a in [g.edge_fwd_arc[e], g.edge_bwd_arc[e]] {
                if a != corridor_routing::INVALID {
                    weight[a as usize] = f64::INFINITY;
                }
            }
        }
    }
    let open = |e: u32| corridor_roads::snap::edge_open(g, &weight, e);
    let snapper = Snapper::new(g, rg.meta.bbox);
    assert!(snapper
        .candidates_where(g, [0.0, 0.0], 88.9, open)
        .is_none());
    let at_j = snapper.candidates_where(g, [0.0, 0.0], 89.0, open).unwrap();
    assert!((at_j.best().distance_m - NORTH).abs() < 0.01);
    assert_eq!(at_j.candidates().len(), 1);
    assert_eq!(g.edges.way_id[at_j.best().edge as usize], 13);
    // From N to SW: N–NW–W–SW = 111.195 + 88.956 + 111.195 m.
    let sw = snapper
        .candidates_where(g, [-0.001, -0.001], 1.0, open)
        .unwrap();
    let r = Router::new(g)
        .route(g, &weight, WeightBound::Arbitrary, &at_j, &sw)
        .unwrap();
    let expect = L + NORTH + L;
    assert!((r.distance_m - expect).abs() < 0.01, "{}", r.distance_m);
    assert!(r.cost.is_finite());
}
