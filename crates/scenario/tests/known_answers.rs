//! Hand-built scenarios on the bundled real map with answers known independently of the code:
//! a shelled street the safest route avoids, an enclave entered only at its checkpoint, and a
//! closure whose detour equals petgraph's Dijkstra without the closed road.

mod common;
use common::*;
use corridor_roads::geometry::{haversine_m, polyline_length_m};
use corridor_roads::route::RoadRoute;
use corridor_roads::{Profile, ProfileGraph, Router, Snap, WeightBound};
use corridor_routing::INVALID;
use corridor_scenario::{incident_kernel, Mode, ScenarioMap, Side};
use geo::{Contains, Point};
use petgraph::graph::{DiGraph, NodeIndex};

const WEST: [f64; 2] = [1.5180, 42.5070];
const EAST: [f64; 2] = [1.5400, 42.5100];

fn snap(p: Profile, at: [f64; 2]) -> Snap {
    snapper(p).snap(graph().profile(p), at, 100.0).unwrap()
}

fn base_route(p: Profile, a: [f64; 2], b: [f64; 2]) -> RoadRoute {
    let g = graph().profile(p);
    Router::new(g)
        .route(
            g,
            &g.arc_duration_s,
            WeightBound::AtLeastTravelTime,
            &snap(p, a),
            &snap(p, b),
        )
        .unwrap()
}

/// Points every `step` metres along a polyline.
fn densify(line: &[[f64; 2]], step: f64) -> Vec<([f64; 2], f64)> {
    let mut out = Vec::new();
    for w in line.windows(2) {
        let len = haversine_m(w[0], w[1]);
        let n = ((len / step).ceil() as usize).max(1);
        for i in 0..n {
            let t = (i as f64 + 0.5) / n as f64;
            out.push((
                [
                    w[0][0] + (w[1][0] - w[0][0]) * t,
                    w[0][1] + (w[1][1] - w[0][1]) * t,
                ],
                len / n as f64,
            ));
        }
    }
    out
}

fn min_distance(line: &[[f64; 2]], p: [f64; 2]) -> f64 {
    densify(line, 2.0)
        .iter()
        .map(|(q, _)| haversine_m(*q, p))
        .fold(f64::INFINITY, f64::min)
}

#[test]
fn safest_route_avoids_the_shelled_street_that_the_fastest_crosses() {
    let g = graph().profile(Profile::Foot);
    let fastest0 = base_route(Profile::Foot, WEST, EAST);
    let line = fastest0.geometry(g);
    // The incident sits on the fastest route, half-way along it.
    let pts = densify(&line, 1.0);
    let mid = pts[pts.len() / 2].0;
    let csv = format!(
        "{CSV_HEADER}\nK1,2016-07-27,Explosions/Remote violence,Grenade,x,,{},{},20,on the fastest route\n",
        mid[1], mid[0]
    );
    let (_d, m) = write_scenario(&[
        ("scenario.toml", &manifest("incidents = \"i.csv\"", "")),
        ("i.csv", &csv),
    ]);
    let s = corridor_scenario::load(&m).unwrap();
    let sm = ScenarioMap::new(&s, g, graph().meta.bbox, snapper(Profile::Foot)).unwrap();
    let side = Side::default_for(&s);
    assert_eq!(side, Side::Neutral);
    let (a, b) = (snap(Profile::Foot, WEST), snap(Profile::Foot, EAST));
    let mut router = Router::new(g);
    let fast_w = sm.weights(side, Mode::Fastest, 0.0);
    let safe_w = sm.weights(side, Mode::Safest, 0.0);
    let fastest = router
        .route(g, &fast_w, WeightBound::AtLeastTravelTime, &a, &b)
        .unwrap();
    let safest = router
        .route(g, &safe_w, WeightBound::AtLeastTravelTime, &a, &b)
        .unwrap();
    // Fastest ignores risk: same time as without the scenario, and it passes the incident.
    assert!((fastest.duration_s - fastest0.duration_s).abs() < 1e-6);
    assert!(min_distance(&fastest.geometry(g), mid) < 5.0);
    let fx = sm.exposure(&fastest, 250.0);
    assert!(fx.incident_risk > 0.0);
    assert_eq!(fx.incidents_within_250m.len(), 1);
    assert_eq!(fx.incidents_within_250m[0].id, "K1");
    // Safest keeps out of the grenade's 100 m reach entirely, at the price of time.
    let sx = sm.exposure(&safest, 250.0);
    assert!(min_distance(&safest.geometry(g), mid) >= 99.0);
    assert_eq!(sx.incident_risk, 0.0);
    assert!(safest.duration_s > fastest.duration_s);

    // The exposure the engine reports for the fastest route equals a numerical integration of
    // the documented kernel along the drawn route (1 m steps): peak = 0.5 weight ×
    // (1 + ln 21) severity × 0.5^(1/7) decay.
    let peak = 0.5 * (1.0 + 21f64.ln()) * 0.5f64.powf(1.0 / 7.0);
    let integral: f64 = densify(&fastest.geometry(g), 1.0)
        .iter()
        .map(|(p, len)| peak * incident_kernel(haversine_m(*p, mid), 100.0) * len)
        .sum();
    assert!(
        (fx.incident_risk - integral).abs() <= 0.1 * integral,
        "engine {} vs integral {integral}",
        fx.incident_risk
    );
}

/// An opposition enclave over central Andorra la Vella inside government ground, with one
/// civilian crossing on Avinguda d'Enclar.
fn enclave_scenario(with_corridor: bool) -> (tempfile::TempDir, std::path::PathBuf) {
    let enclave = rect([1.512, 42.5025, 1.545, 42.5145]);
    let outer = rect([1.40, 42.42, 1.83, 42.70]);
    let ring = |r: &[[f64; 2]]| -> String {
        r.iter()
            .map(|c| format!("[{}, {}]", c[0], c[1]))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let t = format!(
        "{{\"type\": \"FeatureCollection\", \"features\": [\
         {{\"type\": \"Feature\", \"properties\": {{\"party\": \"opp\"}}, \"geometry\": {{\"type\": \"Polygon\", \"coordinates\": [[{}]]}}}},\
         {{\"type\": \"Feature\", \"properties\": {{\"party\": \"gov\"}}, \"geometry\": {{\"type\": \"Polygon\", \"coordinates\": [[{}], [{}]]}}}}]}}",
        ring(&enclave),
        ring(&outer),
        ring(&enclave.iter().rev().copied().collect::<Vec<_>>())
    );
    let corridor = if with_corridor {
        "[[corridor]]\nname = \"Enclar\"\npurpose = \"civilian\"\ncheckpoint = [42.50255, 1.51284]\n"
    } else {
        ""
    };
    write_scenario(&[
        (
            "scenario.toml",
            &manifest("territory = \"t.geojson\"", corridor),
        ),
        ("t.geojson", &t),
    ])
}

/// Where a drawn route changes between inside and outside the enclave rectangle (walked every
/// metre: an independent check of the route's geometry, not of the engine's ground model).
fn crossings(g: &ProfileGraph, r: &RoadRoute, enclave: &geo::Rect<f64>) -> Vec<[f64; 2]> {
    let pts = densify(&r.geometry(g), 1.0);
    pts.windows(2)
        .filter(|w| {
            let (p, q) = (w[0].0, w[1].0);
            enclave.contains(&Point::new(p[0], p[1])) != enclave.contains(&Point::new(q[0], q[1]))
        })
        .map(|w| w[0].0)
        .collect()
}

#[test]
fn the_enclave_is_entered_only_through_its_checkpoint() {
    let checkpoint = [1.51284, 42.50255];
    let outside = [1.4990, 42.4945]; // Santa Coloma
    let inside = WEST;
    let enclave = geo::Rect::new(
        geo::coord! {x: 1.512, y: 42.5025},
        geo::coord! {x: 1.545, y: 42.5145},
    );
    let (gov, opp) = (0, 1);
    for profile in Profile::ALL {
        let g = graph().profile(profile);
        let (_d, m) = enclave_scenario(true);
        let s = corridor_scenario::load(&m).unwrap();
        let sm = ScenarioMap::new(&s, g, graph().meta.bbox, snapper(profile)).unwrap();
        let (a, b) = (snap(profile, outside), snap(profile, inside));
        let mut router = Router::new(g);
        let route = |router: &mut Router, side: Side, from: &Snap, to: &Snap| {
            let w = sm.weights(side, Mode::Fastest, 0.0);
            router.route(g, &w, WeightBound::AtLeastTravelTime, from, to)
        };
        // Entering hostile ground needs the crossing: a civilian of no party or of the
        // besieger going in, a civilian of the enclave going out.
        for (side, from, to) in [
            (Side::Neutral, &a, &b),
            (Side::CivilianOf(gov), &a, &b),
            (Side::CivilianOf(opp), &b, &a),
            (Side::Neutral, &b, &a),
        ] {
            let r = route(&mut router, side, from, to)
                .unwrap_or_else(|| panic!("{profile:?} {side:?}: no route through the checkpoint"));
            let xs = crossings(g, &r, &enclave);
            assert!(!xs.is_empty());
            for p in xs {
                assert!(
                    haversine_m(p, checkpoint) <= s.risk.checkpoint_radius_m + 20.0,
                    "{profile:?} {side:?}: crosses the front {:.0} m from the checkpoint",
                    haversine_m(p, checkpoint)
                );
            }
        }
        // Members of a party may not use the civilian crossing into hostile ground.
        assert!(route(&mut router, Side::Party(gov), &a, &b).is_none());
        assert!(route(&mut router, Side::Party(opp), &b, &a).is_none());
        // Leaving hostile ground needs no crossing: the enclave's own people and fighters go
        // home from government ground by the fastest way, wherever it crosses.
        let free = route(&mut router, Side::Party(opp), &a, &b).expect("home is open");
        let w = g.arc_duration_s.clone();
        let base = router
            .route(g, &w, WeightBound::AtLeastTravelTime, &a, &b)
            .unwrap();
        assert!((free.duration_s - base.duration_s).abs() < 1e-6);
        // Without the declared crossing there is no way in.
        let (_d, m) = enclave_scenario(false);
        let s = corridor_scenario::load(&m).unwrap();
        let sm = ScenarioMap::new(&s, g, graph().meta.bbox, snapper(profile)).unwrap();
        let w = sm.weights(Side::Neutral, Mode::Fastest, 0.0);
        assert!(router
            .route(g, &w, WeightBound::AtLeastTravelTime, &a, &b)
            .is_none());
        // Inside the enclave, movement is free.
        let c = snap(profile, EAST);
        assert!(router
            .route(g, &w, WeightBound::AtLeastTravelTime, &b, &c)
            .is_some());
    }
}

/// petgraph's Dijkstra over every arc not on a closed way, from a super source wired to the
/// snapped start edge's ends to a super target wired from the end edge's ends.
fn oracle(g: &ProfileGraph, closed_way: i64, a: &Snap, b: &Snap) -> f64 {
    let n = g.node_count();
    let mut pg = DiGraph::<(), f64>::new();
    let nodes: Vec<NodeIndex> = (0..n + 2).map(|_| pg.add_node(())).collect();
    let open = |e: u32| g.edges.way_id[e as usize] != closed_way;
    for v in 0..n as u32 {
        for arc in g.graph.out_arcs(v) {
            if open(g.arc_edge(arc).0) {
                pg.add_edge(
                    nodes[v as usize],
                    nodes[g.graph.arc_head(arc) as usize],
                    g.arc_duration_s[arc as usize],
                );
            }
        }
    }
    let w = |arc: u32| (arc != INVALID).then(|| g.arc_duration_s[arc as usize]);
    let (s, t) = (nodes[n], nodes[n + 1]);
    let (ea, eb) = (a.edge as usize, b.edge as usize);
    let (fa, fb) = (
        a.offset_m / g.edges.length_m[ea],
        b.offset_m / g.edges.length_m[eb],
    );
    assert!(open(a.edge) && open(b.edge) && ea != eb);
    if let Some(x) = w(g.edge_fwd_arc[ea]) {
        pg.add_edge(s, nodes[g.edges.to[ea] as usize], (1.0 - fa) * x);
    }
    if let Some(x) = w(g.edge_bwd_arc[ea]) {
        pg.add_edge(s, nodes[g.edges.from[ea] as usize], fa * x);
    }
    if let Some(x) = w(g.edge_fwd_arc[eb]) {
        pg.add_edge(nodes[g.edges.from[eb] as usize], t, fb * x);
    }
    if let Some(x) = w(g.edge_bwd_arc[eb]) {
        pg.add_edge(nodes[g.edges.to[eb] as usize], t, (1.0 - fb) * x);
    }
    petgraph::algo::dijkstra(&pg, s, Some(t), |e| *e.weight())[&t]
}

#[test]
fn a_closure_forces_the_detour_the_oracle_finds() {
    for profile in Profile::ALL {
        let g = graph().profile(profile);
        let base = base_route(profile, WEST, EAST);
        // Close the way of the longest stretch in the middle of the route.
        let piece = base.pieces[1..base.pieces.len() - 1]
            .iter()
            .max_by(|x, y| {
                (x.to_m - x.from_m)
                    .abs()
                    .total_cmp(&(y.to_m - y.from_m).abs())
            })
            .unwrap();
        let way = g.edges.way_id[piece.edge as usize];
        let closures = format!(
            "{{\"type\": \"FeatureCollection\", \"features\": [{{\"type\": \"Feature\", \"properties\": {{\"since\": \"2016-07-01\", \"osm_way_id\": {way}}}, \"geometry\": null}}]}}"
        );
        let (_d, m) = write_scenario(&[
            ("scenario.toml", &manifest("closures = \"c.geojson\"", "")),
            ("c.geojson", &closures),
        ]);
        let s = corridor_scenario::load(&m).unwrap();
        let sm = ScenarioMap::new(&s, g, graph().meta.bbox, snapper(profile)).unwrap();
        let (a, b) = (snap(profile, WEST), snap(profile, EAST));
        let w = sm.weights(Side::Neutral, Mode::Fastest, 0.0);
        let detour = Router::new(g)
            .route(g, &w, WeightBound::AtLeastTravelTime, &a, &b)
            .unwrap();
        let expect = oracle(g, way, &a, &b);
        assert!(
            (detour.cost - expect).abs() <= 1e-6 * expect,
            "{profile:?}: {} vs {expect}",
            detour.cost
        );
        assert!(detour.duration_s > base.duration_s);
        assert!(detour
            .pieces
            .iter()
            .all(|p| g.edges.way_id[p.edge as usize] != way));
        assert!(polyline_length_m(&detour.geometry(g)) > 0.0);
    }
}
