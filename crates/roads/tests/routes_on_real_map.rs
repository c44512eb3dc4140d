//! Routes on the bundled real map checked against independent answers: petgraph's Dijkstra on
//! the same edges, the OSM file's own oneway and highway tags, and brute-force snapping.

use corridor_roads::snap::NODE_EPSILON_M;
use corridor_roads::{
    import_pbf, Profile, ProfileGraph, RoadGraph, Router, Snap, Snapper, WeightBound,
};
use corridor_routing::INVALID;
use osmpbf::{Element, ElementReader};
use petgraph::graph::{DiGraph, NodeIndex};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::OnceLock;

fn bundled_map() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/andorra.osm.pbf")
}

fn graph() -> &'static RoadGraph {
    static G: OnceLock<RoadGraph> = OnceLock::new();
    G.get_or_init(|| import_pbf(&bundled_map()).expect("bundled map imports"))
}

/// A point on edge `e` at `t` of the way along its shape (by shape index, not metres).
fn point_on_edge(g: &ProfileGraph, e: u32, t: f64) -> [f64; 2] {
    let s = g.edge_shape(e);
    let x = t * (s.len() - 1) as f64;
    let i = (x.floor() as usize).min(s.len() - 2);
    let f = x - i as f64;
    [
        s[i][0] + (s[i + 1][0] - s[i][0]) * f,
        s[i][1] + (s[i + 1][1] - s[i][1]) * f,
    ]
}

/// The oracle: petgraph's Dijkstra over every arc, plus a source node wired to the ends of the
/// source edge and a target node wired from the ends of the target edge, at pro-rata costs.
fn oracle_cost(g: &ProfileGraph, a: &Snap, b: &Snap) -> Option<f64> {
    let n = g.node_count();
    let mut pg = DiGraph::<(), f64>::new();
    let nodes: Vec<NodeIndex> = (0..n + 2).map(|_| pg.add_node(())).collect();
    for v in 0..n as u32 {
        for arc in g.graph.out_arcs(v) {
            pg.add_edge(
                nodes[v as usize],
                nodes[g.graph.arc_head(arc) as usize],
                g.arc_duration_s[arc as usize],
            );
        }
    }
    let (s, t) = (nodes[n], nodes[n + 1]);
    // A snapped point within NODE_EPSILON_M of an end node is that node (the documented rule):
    // it sits exactly at the node, so its share of the edge is 0 or 1.
    let frac = |sn: &Snap| {
        let len = g.edges.length_m[sn.edge as usize];
        let to_end = len - sn.offset_m;
        if sn.offset_m <= NODE_EPSILON_M && sn.offset_m <= to_end {
            0.0
        } else if to_end <= NODE_EPSILON_M {
            1.0
        } else {
            sn.offset_m / len.max(1e-300)
        }
    };
    let (fa, fb) = (frac(a), frac(b));
    let ea = a.edge as usize;
    let eb = b.edge as usize;
    let wf = |e: usize| {
        let arc = g.edge_fwd_arc[e];
        (arc != INVALID).then(|| g.arc_duration_s[arc as usize])
    };
    let wb = |e: usize| {
        let arc = g.edge_bwd_arc[e];
        (arc != INVALID).then(|| g.arc_duration_s[arc as usize])
    };
    if let Some(w) = wf(ea) {
        pg.add_edge(s, nodes[g.edges.to[ea] as usize], (1.0 - fa) * w);
    }
    if let Some(w) = wb(ea) {
        pg.add_edge(s, nodes[g.edges.from[ea] as usize], fa * w);
    }
    if let Some(w) = wf(eb) {
        pg.add_edge(nodes[g.edges.from[eb] as usize], t, fb * w);
    }
    if let Some(w) = wb(eb) {
        pg.add_edge(nodes[g.edges.to[eb] as usize], t, (1.0 - fb) * w);
    }
    // At a node (share 0 or 1) the point is the node, whatever the edge's directions allow.
    if fa == 0.0 || fa == 1.0 {
        let v = if fa == 0.0 {
            g.edges.from[ea]
        } else {
            g.edges.to[ea]
        };
        pg.add_edge(s, nodes[v as usize], 0.0);
    }
    if fb == 0.0 || fb == 1.0 {
        let v = if fb == 0.0 {
            g.edges.from[eb]
        } else {
            g.edges.to[eb]
        };
        pg.add_edge(nodes[v as usize], t, 0.0);
    }
    if ea == eb {
        if fa <= fb {
            if let Some(w) = wf(ea) {
                pg.add_edge(s, t, (fb - fa) * w);
            }
        }
        if fa >= fb {
            if let Some(w) = wb(ea) {
                pg.add_edge(s, t, (fa - fb) * w);
            }
        }
    }
    petgraph::algo::dijkstra(&pg, s, Some(t), |e| *e.weight())
        .get(&t)
        .copied()
}

fn random_snap(g: &ProfileGraph, snapper: &Snapper, rng: &mut SmallRng) -> Snap {
    loop {
        let e = rng.random_range(0..g.edge_count() as u32);
        let p = point_on_edge(g, e, rng.random_range(0.0..=1.0));
        if let Some(s) = snapper.snap(g, p, 500.0) {
            return s;
        }
    }
}

#[test]
fn routes_match_petgraph_dijkstra_for_1000_pairs_per_profile() {
    let rg = graph();
    for profile in Profile::ALL {
        let g = rg.profile(profile);
        let snapper = Snapper::new(g, rg.meta.bbox);
        let mut router = Router::new(g);
        let customized = g.customize(g.arc_duration_s.clone());
        let mut rng = SmallRng::seed_from_u64(7);
        let mut found = 0;
        for _ in 0..1000 {
            let a = random_snap(g, &snapper, &mut rng);
            let b = random_snap(g, &snapper, &mut rng);
            let ours = router.route(g, &g.arc_duration_s, WeightBound::AtLeastTravelTime, &a, &b);
            let plain = router.route(g, &g.arc_duration_s, WeightBound::Arbitrary, &a, &b);
            let expect = oracle_cost(g, &a, &b);
            let cch = router.route_customized(g, &customized, &a, &b);
            // A* with landmarks, bidirectional Dijkstra and the CCH agree with each other too,
            // on the cost and on the length of the route they return.
            for other in [&plain, &cch] {
                assert_eq!(ours.is_some(), other.is_some());
                if let (Some(x), Some(y)) = (&ours, other) {
                    assert!((x.cost - y.cost).abs() <= 1e-6 * x.cost.max(1.0));
                    assert!((x.duration_s - y.duration_s).abs() <= 1e-6 * x.cost.max(1.0));
                }
            }
            match (ours, expect) {
                (None, None) => {}
                (Some(r), Some(c)) => {
                    found += 1;
                    assert!(
                        (r.cost - c).abs() <= 1e-6 * c.max(1.0),
                        "{profile:?}: ours {} oracle {c}",
                        r.cost
                    );
                    // With time as the weight, the route's cost is its duration.
                    assert!((r.duration_s - r.cost).abs() <= 1e-6 * c.max(1.0));
                    // The reported distance is the length of the drawn geometry.
                    let drawn = corridor_roads::geometry::polyline_length_m(&r.geometry(g));
                    assert!(
                        (drawn - r.distance_m).abs() <= 0.01 * r.distance_m + 0.5,
                        "drawn {drawn} reported {}",
                        r.distance_m
                    );
                }
                (ours, expect) => panic!(
                    "{profile:?}: ours {:?} oracle {expect:?}",
                    ours.map(|r| r.cost)
                ),
            }
        }
        // Some pairs lie on networks the data does not connect (e.g. trunk roads tagged
        // foot=no); the oracle agrees on those. Most pairs must still be routable.
        assert!(
            found > 600,
            "{profile:?}: only {found} of 1000 pairs routable"
        );
    }
}

/// Way id → (oneway direction from the raw tags, highway value, node ids), read straight from
/// the PBF with osmpbf, independently of the import code.
struct RawWay {
    oneway: i8,
    highway: String,
    nodes: Vec<i64>,
}

fn raw_ways() -> HashMap<i64, RawWay> {
    let mut out = HashMap::new();
    ElementReader::from_path(bundled_map())
        .unwrap()
        .for_each(|el| {
            if let Element::Way(w) = el {
                let tags: HashMap<&str, &str> = w.tags().collect();
                if let Some(h) = tags.get("highway") {
                    let oneway = match (tags.get("oneway"), tags.get("junction"), *h) {
                        (Some(&"yes") | Some(&"1") | Some(&"true"), _, _) => 1,
                        (Some(&"-1"), _, _) => -1,
                        (Some(&"no"), _, _) => 0,
                        (_, Some(&"roundabout"), _) | (_, _, "motorway") => 1,
                        _ => 0,
                    };
                    out.insert(
                        w.id(),
                        RawWay {
                            oneway,
                            highway: h.to_string(),
                            nodes: w.refs().collect(),
                        },
                    );
                }
            }
        })
        .unwrap();
    out
}

#[test]
fn car_routes_never_drive_against_oneway_and_never_use_footways() {
    let rg = graph();
    let raw = raw_ways();
    let g = rg.profile(Profile::Car);
    let snapper = Snapper::new(g, rg.meta.bbox);
    let mut router = Router::new(g);
    let mut rng = SmallRng::seed_from_u64(11);
    let mut oneway_pieces = 0;
    for _ in 0..1000 {
        let a = random_snap(g, &snapper, &mut rng);
        let b = random_snap(g, &snapper, &mut rng);
        let Some(r) = router.route(g, &g.arc_duration_s, WeightBound::AtLeastTravelTime, &a, &b)
        else {
            continue;
        };
        for p in &r.pieces {
            let way = &raw[&g.edges.way_id[p.edge as usize]];
            assert!(
                !["footway", "path", "steps", "pedestrian", "cycleway"]
                    .contains(&way.highway.as_str()),
                "car route on highway={}",
                way.highway
            );
            if way.oneway == 0 {
                continue;
            }
            oneway_pieces += 1;
            // Does the edge run in OSM node order? Find its end nodes k positions apart in the
            // way (k = shape points - 1), which also works on closed ways like roundabouts.
            let (f, t) = (g.edges.from[p.edge as usize], g.edges.to[p.edge as usize]);
            let (of, ot) = (g.node_osm_id[f as usize], g.node_osm_id[t as usize]);
            let k = g.edge_shape(p.edge).len() - 1;
            let spans = |a: i64, b: i64| {
                (0..way.nodes.len().saturating_sub(k))
                    .any(|i| way.nodes[i] == a && way.nodes[i + k] == b)
            };
            let (edge_along, edge_against) = (spans(of, ot), spans(ot, of));
            assert!(edge_along || edge_against, "edge not found in its way");
            if edge_along == edge_against {
                continue;
            }
            let travel_along = edge_along == (p.to_m >= p.from_m);
            assert_eq!(
                travel_along,
                way.oneway == 1,
                "edge {} of way {} driven against its oneway",
                p.edge,
                g.edges.way_id[p.edge as usize]
            );
        }
    }
    assert!(
        oneway_pieces > 100,
        "the sample must exercise oneway roads ({oneway_pieces})"
    );
}

#[test]
fn foot_routes_use_footways_that_cars_cannot() {
    let rg = graph();
    let raw = raw_ways();
    let foot = rg.profile(Profile::Foot);
    let car = rg.profile(Profile::Car);
    let car_ways: std::collections::HashSet<i64> = car.edges.way_id.iter().copied().collect();
    let snapper = Snapper::new(foot, rg.meta.bbox);
    let mut router = Router::new(foot);
    let mut rng = SmallRng::seed_from_u64(5);
    let mut footway_used = 0;
    for _ in 0..300 {
        let a = random_snap(foot, &snapper, &mut rng);
        let b = random_snap(foot, &snapper, &mut rng);
        if let Some(r) = router.route(
            foot,
            &foot.arc_duration_s,
            WeightBound::AtLeastTravelTime,
            &a,
            &b,
        ) {
            for p in &r.pieces {
                let w = foot.edges.way_id[p.edge as usize];
                if ["footway", "steps", "path", "pedestrian"].contains(&raw[&w].highway.as_str()) {
                    assert!(!car_ways.contains(&w));
                    footway_used += 1;
                }
                assert_ne!(raw[&w].highway, "motorway", "foot route on a motorway");
            }
        }
    }
    assert!(footway_used > 0, "no foot route used a footway");
}

#[test]
fn a_footway_shortcut_makes_the_walk_shorter_than_the_drive() {
    // Across the sample, walking distance never exceeds driving distance by more than the
    // snapping difference, and somewhere it is strictly shorter because of paths and steps.
    let rg = graph();
    let (foot, car) = (rg.profile(Profile::Foot), rg.profile(Profile::Car));
    let (sf, sc) = (
        Snapper::new(foot, rg.meta.bbox),
        Snapper::new(car, rg.meta.bbox),
    );
    let (mut qf, mut qc) = (Router::new(foot), Router::new(car));
    let mut rng = SmallRng::seed_from_u64(3);
    let mut shorter = 0;
    let foot_ways: std::collections::HashSet<i64> = foot.edges.way_id.iter().copied().collect();
    for _ in 0..200 {
        let e = rng.random_range(0..car.edge_count() as u32);
        let e2 = rng.random_range(0..car.edge_count() as u32);
        let (p, q) = (point_on_edge(car, e, 0.5), point_on_edge(car, e2, 0.5));
        let (Some(cf), Some(ct)) = (sc.snap(car, p, 50.0), sc.snap(car, q, 50.0)) else {
            continue;
        };
        let (Some(ff), Some(ft)) = (sf.snap(foot, p, 50.0), sf.snap(foot, q, 50.0)) else {
            continue;
        };
        if cf.distance_m > 0.5 || ct.distance_m > 0.5 || ff.distance_m > 0.5 || ft.distance_m > 0.5
        {
            continue;
        }
        let (Some(rc), Some(rf)) = (
            qc.route(
                car,
                &car.arc_duration_s,
                WeightBound::AtLeastTravelTime,
                &cf,
                &ct,
            ),
            qf.route(
                foot,
                &foot.arc_duration_s,
                WeightBound::AtLeastTravelTime,
                &ff,
                &ft,
            ),
        ) else {
            continue;
        };
        // Walking speed is at most 5 km/h everywhere, so the fastest walk is no longer than
        // any walkable route; when every way of the drive is walkable, the drive is one.
        if rc
            .pieces
            .iter()
            .all(|p| foot_ways.contains(&car.edges.way_id[p.edge as usize]))
        {
            assert!(
                rf.distance_m <= rc.distance_m + 1.0,
                "walk {} drive {}",
                rf.distance_m,
                rc.distance_m
            );
        }
        if rf.distance_m + 50.0 < rc.distance_m {
            shorter += 1;
        }
    }
    assert!(shorter > 0);
}
