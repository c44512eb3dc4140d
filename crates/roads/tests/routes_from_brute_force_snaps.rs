//! Routes on the bundled real map from points snapped by brute force, not by `snap.rs`: every
//! segment of every edge is measured by haversine (ternary search), ties and the node rule are
//! applied as documented, the main-network rule by a union-find of our own, and the route cost
//! comes from petgraph's Dijkstra on a graph where each snapped point splits its edge.

mod common;

use common::{brute_force_snap, Found};
use corridor_roads::snap::{NODE_EPSILON_M, TIE_TOLERANCE_M};
use corridor_roads::{import_pbf, Profile, ProfileGraph, RoadGraph, Router, Snapper, WeightBound};
use corridor_routing::INVALID;
use petgraph::graph::{DiGraph, NodeIndex};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::path::PathBuf;
use std::sync::OnceLock;

fn graph() -> &'static RoadGraph {
    static G: OnceLock<RoadGraph> = OnceLock::new();
    G.get_or_init(|| {
        import_pbf(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/andorra.osm.pbf"))
            .unwrap()
    })
}

/// Connected networks by union-find over the edges; the id of the one with most nodes.
fn networks(g: &ProfileGraph) -> (Vec<usize>, usize) {
    let mut parent: Vec<usize> = (0..g.node_count()).collect();
    fn find(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }
    for e in 0..g.edge_count() {
        let (a, b) = (
            find(&mut parent, g.edges.from[e] as usize),
            find(&mut parent, g.edges.to[e] as usize),
        );
        parent[a] = b;
    }
    let roots: Vec<usize> = (0..g.node_count()).map(|v| find(&mut parent, v)).collect();
    let mut size = vec![0usize; g.node_count()];
    roots.iter().for_each(|&r| size[r] += 1);
    let main = (0..g.node_count()).max_by_key(|&r| size[r]).unwrap();
    (roots, main)
}

/// The documented choice of candidates for both ends, by brute force.
fn oracle_ends(g: &ProfileGraph, a: [f64; 2], b: [f64; 2], max_m: f64) -> Option<[Vec<Found>; 2]> {
    let (net, main) = networks(g);
    let net_of = |f: &Found| net[g.edges.from[f.edge as usize] as usize];
    let within = |v: Vec<Found>| -> Vec<Found> {
        if v.first().is_some_and(|f| f.distance_m <= max_m) {
            v
        } else {
            Vec::new()
        }
    };
    let any = [a, b].map(|q| within(brute_force_snap(g, q, TIE_TOLERANCE_M, |_| true)));
    let [x, y] = &any;
    if !x.is_empty() && !y.is_empty() && net_of(&x[0]) == net_of(&y[0]) {
        return Some(any);
    }
    let on_main = |e: u32| net[g.edges.from[e as usize] as usize] == main;
    let pick = |q: [f64; 2], fallback: &Vec<Found>| {
        let m = within(brute_force_snap(g, q, TIE_TOLERANCE_M, on_main));
        if m.is_empty() {
            fallback.clone()
        } else {
            m
        }
    };
    let ends = [pick(a, &any[0]), pick(b, &any[1])];
    (!ends[0].is_empty() && !ends[1].is_empty()).then_some(ends)
}

/// Share of the edge before the point: 0 or 1 exactly when it is within NODE_EPSILON_M of an
/// end (the point is then that node).
fn share(g: &ProfileGraph, f: &Found) -> f64 {
    let len = g.edges.length_m[f.edge as usize];
    if f.offset_m <= NODE_EPSILON_M && f.offset_m <= len - f.offset_m {
        0.0
    } else if len - f.offset_m <= NODE_EPSILON_M {
        1.0
    } else {
        (f.offset_m / len).clamp(0.0, 1.0)
    }
}

/// The cheapest cost from any `from` candidate to any `to` candidate on travel times, on a
/// petgraph graph in which every candidate is a node splitting its edge.
fn oracle_cost(g: &ProfileGraph, from: &[Found], to: &[Found]) -> Option<f64> {
    let n = g.node_count();
    let mut pg = DiGraph::<(), f64>::new();
    let nodes: Vec<NodeIndex> = (0..n).map(|_| pg.add_node(())).collect();
    for v in 0..n as u32 {
        for arc in g.graph.out_arcs(v) {
            let h = g.graph.arc_head(arc) as usize;
            pg.add_edge(nodes[v as usize], nodes[h], g.arc_duration_s[arc as usize]);
        }
    }
    let (s, t) = (pg.add_node(()), pg.add_node(()));
    let w = |a: u32| (a != INVALID).then(|| g.arc_duration_s[a as usize]);
    let mut splits: Vec<(Found, NodeIndex, bool)> = Vec::new();
    for (list, is_source) in [(from, true), (to, false)] {
        for f in list {
            let e = f.edge as usize;
            let p = pg.add_node(());
            let x = share(g, f);
            let (u, v) = (
                nodes[g.edges.from[e] as usize],
                nodes[g.edges.to[e] as usize],
            );
            if x == 0.0 {
                pg.add_edge(p, u, 0.0);
                pg.add_edge(u, p, 0.0);
            } else if x == 1.0 {
                pg.add_edge(p, v, 0.0);
                pg.add_edge(v, p, 0.0);
            }
            if let Some(wf) = w(g.edge_fwd_arc[e]) {
                pg.add_edge(u, p, x * wf);
                pg.add_edge(p, v, (1.0 - x) * wf);
            }
            if let Some(wb) = w(g.edge_bwd_arc[e]) {
                pg.add_edge(v, p, (1.0 - x) * wb);
                pg.add_edge(p, u, x * wb);
            }
            if is_source {
                pg.add_edge(s, p, 0.0);
            } else {
                pg.add_edge(p, t, 0.0);
            }
            splits.push((*f, p, is_source));
        }
    }
    // Straight along a shared edge between a source and a target split.
    for (fs, ps, _) in splits.iter().filter(|x| x.2) {
        for (ft, pt, _) in splits.iter().filter(|x| !x.2 && x.0.edge == fs.edge) {
            let e = fs.edge as usize;
            let (xs, xt) = (share(g, fs), share(g, ft));
            if let (true, Some(wf)) = (xs <= xt, w(g.edge_fwd_arc[e])) {
                pg.add_edge(*ps, *pt, (xt - xs) * wf);
            }
            if let (true, Some(wb)) = (xs >= xt, w(g.edge_bwd_arc[e])) {
                pg.add_edge(*ps, *pt, (xs - xt) * wb);
            }
        }
    }
    petgraph::algo::dijkstra(&pg, s, Some(t), |e| *e.weight())
        .get(&t)
        .copied()
}

/// Query points of three kinds: exactly on a node (junctions, one-way ends), on an edge's
/// shape vertex, and anywhere up to 60 m from a road.
fn query(g: &ProfileGraph, rng: &mut SmallRng) -> [f64; 2] {
    match rng.random_range(0..3) {
        0 => g.node_coord[rng.random_range(0..g.node_count())],
        1 => g.edges.shape[rng.random_range(0..g.edges.shape.len())],
        _ => {
            let c = g.edges.shape[rng.random_range(0..g.edges.shape.len())];
            let (dx, dy) = (rng.random_range(-60.0..60.0), rng.random_range(-60.0..60.0));
            [
                c[0] + dx / (common::M_PER_DEG * c[1].to_radians().cos()),
                c[1] + dy / common::M_PER_DEG,
            ]
        }
    }
}

#[test]
fn routes_from_snapped_points_match_brute_force_snapping_and_petgraph() {
    let rg = graph();
    for profile in Profile::ALL {
        let g = rg.profile(profile);
        let snapper = Snapper::new(g, rg.meta.bbox);
        let indexed = Snapper::with_index(g, rg.meta.bbox);
        let mut router = Router::new(g);
        let mut rng = SmallRng::seed_from_u64(11);
        let mut routed = 0;
        for _ in 0..300 {
            let (a, b) = (query(g, &mut rng), query(g, &mut rng));
            let ours = snapper.waypoints(g, a, b, 500.0, |_| true);
            let ours_indexed = indexed.waypoints(g, a, b, 500.0, |_| true);
            assert_eq!(ours, ours_indexed, "scan and index differ for {a:?} {b:?}");
            let expect = oracle_ends(g, a, b, 500.0);
            let (Some(wa), Some(wb)) = (&ours[0], &ours[1]) else {
                assert!(
                    expect.is_none(),
                    "{profile:?}: we refuse {a:?} {b:?}, brute force snaps"
                );
                continue;
            };
            let ends = expect.expect("brute force snaps too");
            for (w, e) in [(wa, &ends[0]), (wb, &ends[1])] {
                let mut ours_edges: Vec<u32> = w.candidates().iter().map(|c| c.edge).collect();
                let mut their_edges: Vec<u32> = e.iter().map(|f| f.edge).collect();
                ours_edges.sort();
                their_edges.sort();
                assert_eq!(
                    ours_edges, their_edges,
                    "{profile:?}: candidates for {a:?} {b:?}"
                );
                assert!((w.best().distance_m - e[0].distance_m).abs() < 0.01);
                for c in w.candidates() {
                    let f = e.iter().find(|f| f.edge == c.edge).unwrap();
                    let node_of = |x: f64| match x {
                        0.0 => Some(g.edges.from[f.edge as usize]),
                        1.0 => Some(g.edges.to[f.edge as usize]),
                        _ => None,
                    };
                    match (c.node(g), node_of(share(g, f))) {
                        // A loop edge's node is at both ends: either offset is that node.
                        (Some(x), Some(y)) => assert_eq!(x, y),
                        _ => assert!(
                            (c.offset_m - f.offset_m).abs() < 0.05,
                            "offset {} vs {}",
                            c.offset_m,
                            f.offset_m
                        ),
                    }
                }
            }
            let r = router.route(g, &g.arc_duration_s, WeightBound::AtLeastTravelTime, wa, wb);
            let c = oracle_cost(g, &ends[0], &ends[1]);
            match (&r, c) {
                (Some(r), Some(c)) => {
                    routed += 1;
                    // Offsets agree to 5 cm: the costs to the time of 10 cm on foot.
                    assert!(
                        (r.cost - c).abs() <= 0.1 + 1e-6 * c,
                        "{profile:?} {a:?} {b:?}: ours {} oracle {c}",
                        r.cost
                    );
                    assert!(r.cost.is_finite() && r.distance_m.is_finite());
                }
                (None, None) => {}
                (r, c) => panic!(
                    "{profile:?} {a:?} {b:?}: ours {:?} oracle {c:?}",
                    r.as_ref().map(|r| r.cost)
                ),
            }
        }
        assert!(routed >= 200, "{profile:?}: only {routed} routes");
    }
}
