//! Health-care access checked against independent answers: petgraph's Dijkstra from every
//! population unit, a strike that leaves nobody in reach, isochrones against the nodes' times,
//! and bad facility records.

use corridor_analysis::access::{access, compare, facilities_on, isochrones, AccessParams};
use corridor_roads::geometry::haversine_m;
mod common;
use common::*;
use corridor_roads::ProfileGraph;
use corridor_routing::{OneToAll, Seed};
use corridor_scenario::{FacilityStatus, Mode, Scenario, Side};
use geo::{Contains, Point};
use petgraph::graph::{DiGraph, NodeIndex};
use std::path::Path;

/// The nearest node with a usable arc, by brute force, in the same local metres the engine
/// snaps in (the definition of a unit's node, not the algorithm under test).
fn nearest(g: &ProfileGraph, w: &[f64], at: [f64; 2]) -> u32 {
    let proj = corridor_roads::geometry::LocalProjection::for_bbox(graph().meta.bbox);
    let q = proj.project(at);
    let d = |v: u32| {
        let p = proj.project(g.node_coord[v as usize]);
        (p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2)
    };
    (0..g.node_count() as u32)
        .filter(|&v| {
            g.graph.out_arcs(v).any(|a| w[a as usize].is_finite())
                || g.graph.in_arcs(v).any(|(_, a)| w[a as usize].is_finite())
        })
        .min_by(|&a, &b| d(a).total_cmp(&d(b)))
        .unwrap()
}

#[test]
fn travel_times_match_one_dijkstra_per_unit() {
    let s = example();
    let m = maps(&s);
    let params = AccessParams::default();
    let fac = facilities_on(&s, &graph().facilities, s.as_of, &params).unwrap();
    let working: Vec<[f64; 2]> = fac
        .iter()
        .filter(|f| f.status.works())
        .map(|f| f.coord)
        .collect();
    let r = access(&m[0], &m[1], fac, s.as_of, &params).unwrap();
    for (k, sm) in m.iter().enumerate() {
        let g = sm.graph;
        let w = sm.weights(Side::default_for(&s), Mode::Fastest, 0.0);
        let mut pg = DiGraph::<(), f64>::new();
        let nodes: Vec<NodeIndex> = (0..g.node_count()).map(|_| pg.add_node(())).collect();
        for v in 0..g.node_count() as u32 {
            for a in g.graph.out_arcs(v) {
                if w[a as usize].is_finite() {
                    pg.add_edge(
                        nodes[v as usize],
                        nodes[g.graph.arc_head(a) as usize],
                        w[a as usize],
                    );
                }
            }
        }
        let targets: Vec<u32> = working.iter().map(|&c| nearest(g, &w, c)).collect();
        for (i, u) in s.population.iter().enumerate() {
            let from = nearest(g, &w, u.point);
            let d = petgraph::algo::dijkstra(&pg, nodes[from as usize], None, |e| *e.weight());
            let best = targets
                .iter()
                .filter_map(|t| d.get(&nodes[*t as usize]).copied())
                .fold(f64::INFINITY, f64::min);
            let ours = r.by_profile[k].minutes_by_unit[i];
            match ours {
                None => assert!(
                    best.is_infinite()
                        || haversine_m(g.node_coord[from as usize], u.point) > params.max_snap_m,
                    "{:?} unit {i}: oracle {best}, snap {} m",
                    g.profile,
                    haversine_m(g.node_coord[from as usize], u.point)
                ),
                Some(t) => assert!(
                    (t * 60.0 - best).abs() < 1e-6,
                    "{:?} unit {i}: {t} min vs {best} s",
                    g.profile
                ),
            }
        }
        // Coverage is the oracle's count of people within each threshold.
        for c in &r.by_profile[k].coverage {
            let within: f64 = s
                .population
                .iter()
                .zip(&r.by_profile[k].minutes_by_unit)
                .filter(|(_, t)| t.is_some_and(|t| t <= c.minutes))
                .map(|(u, _)| u.people)
                .sum();
            assert_eq!(c.people, within.round());
        }
    }
}

fn scenario_dir(
    extra_incident: Option<&str>,
    facilities: &str,
    population: &str,
) -> (tempfile::TempDir, Scenario) {
    let incidents = incidents_plus(extra_incident.unwrap_or(""));
    let dir = example_dir(
        |m| m,
        &[
            ("facilities.geojson", facilities),
            ("population.geojson", population),
            ("incidents.csv", &incidents),
        ],
    );
    let s = load_dir(dir.path());
    (dir, s)
}

#[test]
fn a_strike_on_the_only_facility_in_reach_drops_coverage_to_zero() {
    // Only one facility: an invented clinic in Andorra la Vella; every map hospital is closed.
    let mut feats: Vec<String> = graph()
        .facilities
        .iter()
        .map(|f| format!("{{\"type\": \"Feature\", \"properties\": {{\"osm_id\": {}, \"status\": \"not_functioning\"}}, \"geometry\": null}}", f.osm_id))
        .collect();
    feats.push("{\"type\": \"Feature\", \"properties\": {\"name\": \"Clinica Test\", \"status\": \"functioning\"}, \"geometry\": {\"type\": \"Point\", \"coordinates\": [1.5220, 42.5063]}}".into());
    let facilities = format!(
        "{{\"type\": \"FeatureCollection\", \"features\": [{}]}}",
        feats.join(",")
    );
    // Two households a few hundred metres away: 1,000 and 500 people.
    let population = "{\"type\": \"FeatureCollection\", \"features\": [\
        {\"type\": \"Feature\", \"properties\": {\"name\": \"a\", \"people\": 1000}, \"geometry\": {\"type\": \"Point\", \"coordinates\": [1.5200, 42.5070]}},\
        {\"type\": \"Feature\", \"properties\": {\"name\": \"b\", \"people\": 500}, \"geometry\": {\"type\": \"Point\", \"coordinates\": [1.5250, 42.5075]}}]}";
    // A drone strike on the clinic on 27 July whose notes name it.
    let strike = "X1,2016-07-27,2016,Explosions/Remote violence,Air/drone strike,G,,A,X,42.5100,1.5300,2,strike on Clinica Test\n";
    let (_d, s) = scenario_dir(Some(strike), &facilities, population);
    let m = maps(&s);
    let params = AccessParams::default();
    let before_day = chrono::NaiveDate::from_ymd_opt(2016, 7, 20).unwrap();
    let before_fac = facilities_on(&s, &graph().facilities, before_day, &params).unwrap();
    let after_fac = facilities_on(&s, &graph().facilities, s.as_of, &params).unwrap();
    let clinic = after_fac
        .iter()
        .find(|f| f.name.as_deref() == Some("Clinica Test"))
        .unwrap();
    assert_eq!(clinic.status, FacilityStatus::NotFunctioning);
    // AND7 (an attack near it on 26 July) made it partially functioning; X1 took it out.
    let x1 = clinic
        .changed_by
        .iter()
        .find(|c| c.incident == "X1")
        .unwrap();
    assert_eq!(x1.reason, "named in the notes");
    assert_eq!(x1.status, FacilityStatus::NotFunctioning);
    let before = access(&m[0], &m[1], before_fac, before_day, &params).unwrap();
    let after = access(&m[0], &m[1], after_fac, s.as_of, &params).unwrap();
    // By hand: both households are within 15 minutes' walk of the clinic before; nothing works after.
    assert_eq!(before.coverage[0].people, 1500.0);
    assert_eq!(after.coverage.iter().map(|c| c.people).sum::<f64>(), 0.0);
    assert_eq!(after.people_per_functioning_facility, None);
    let change = compare(&before, &after, 1500.0);
    assert_eq!(change.facilities_lost.len(), 1);
    assert_eq!(change.people_lost_access[0].people, 1500.0);
}

#[test]
fn isochrones_contain_exactly_the_nodes_reached_in_time() {
    let s = example();
    let m = maps(&s);
    let sm = &m[0];
    let g = sm.graph;
    let side = Side::default_for(&s);
    let start = nearest(g, &sm.weights(side, Mode::Fastest, 0.0), [1.5220, 42.5063]);
    let seeds = [Seed {
        node: start,
        cost: 0.0,
    }];
    let polys = isochrones(sm, side, &seeds, &[5.0, 10.0]);
    let w = sm.weights(side, Mode::Fastest, 0.0);
    let mut q = OneToAll::new(&g.graph);
    q.run(&g.graph, &w, &seeds, f64::INFINITY, false);
    for (minutes, poly) in polys {
        let mut inside = 0;
        for v in 0..g.node_count() as u32 {
            let c = g.node_coord[v as usize];
            let p = Point::new(c[0], c[1]);
            if q.cost(v) <= minutes * 60.0 {
                assert!(
                    poly.contains(&p) || poly.intersects_point(&p),
                    "node {v} reached in time is outside"
                );
                inside += 1;
            } else {
                assert!(
                    !poly.contains(&p),
                    "node {v} reached only later is inside the {minutes} min isochrone"
                );
            }
        }
        assert!(inside > 10);
    }
}

trait IntersectsPoint {
    fn intersects_point(&self, p: &Point<f64>) -> bool;
}
impl IntersectsPoint for geo::MultiPolygon<f64> {
    fn intersects_point(&self, p: &Point<f64>) -> bool {
        geo::Intersects::intersects(self, p)
    }
}

fn load_err(dir: &Path) -> String {
    corridor_scenario::load(&dir.join("scenario.toml"))
        .expect_err("invalid")
        .to_string()
}

#[test]
fn bad_facility_records_are_refused() {
    let pop =
        std::fs::read_to_string(root().join("data/scenarios/andorra-siege/population.geojson"))
            .unwrap();
    let cases = [
        (
            "{\"osm_id\": 194554955, \"status\": \"bombed\"}",
            "null",
            "status 'bombed'",
        ),
        ("{\"name\": \"x\"}", "null", "needs an osm_id"),
        (
            "{\"name\": \"x\", \"beds\": -3, \"status\": \"functioning\"}",
            "{\"type\": \"Point\", \"coordinates\": [1.52, 42.5]}",
            "beds -3",
        ),
        (
            "{\"name\": \"x\"}",
            "{\"type\": \"Point\", \"coordinates\": [1.52, 42.5]}",
            "needs a status",
        ),
        (
            "{\"osm_id\": 1, \"status\": \"functioning\"}",
            "{\"type\": \"LineString\", \"coordinates\": [[1.52, 42.5], [1.53, 42.5]]}",
            "expected a Point",
        ),
    ];
    for (props, geom, needle) in cases {
        let f = format!("{{\"type\": \"FeatureCollection\", \"features\": [{{\"type\": \"Feature\", \"properties\": {props}, \"geometry\": {geom}}}]}}");
        let dir = example_dir(|m| m, &[("facilities.geojson", &f)]);
        let e = load_err(dir.path());
        assert!(
            e.contains("facilities.geojson") && e.contains("feature 0") && e.contains(needle),
            "{needle}: {e}"
        );
    }
    // An osm_id that is no health facility on the map: refused once the map is known.
    let f = "{\"type\": \"FeatureCollection\", \"features\": [{\"type\": \"Feature\", \"properties\": {\"osm_id\": 12345, \"status\": \"destroyed\"}, \"geometry\": null}]}";
    let (_d, s) = scenario_dir(None, f, &pop);
    let e = facilities_on(&s, &graph().facilities, s.as_of, &AccessParams::default())
        .err()
        .unwrap()
        .to_string();
    assert!(
        e.contains("feature 0") && e.contains("osm_id 12345 is not a health facility"),
        "{e}"
    );
}
