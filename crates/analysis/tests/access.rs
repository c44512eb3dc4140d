//! Health-care access checked against independent answers: petgraph's Dijkstra from every
//! population unit, a strike that leaves nobody in reach, isochrones against the nodes' times,
//! and bad facility records.

use corridor_analysis::access::{
    access, compare, facilities_on, isochrones, AccessParams, IsochroneParams,
};
use corridor_roads::geometry::haversine_m;
mod common;
use common::*;
use corridor_analysis::engine::EngineChoice;
use corridor_roads::{Engine, ProfileGraph};
use corridor_routing::Seed;
use corridor_scenario::{FacilityStatus, Mode, Scenario, ScenarioMap, Side};
use geo::{Area, Contains, GeodesicArea, Point, Validation};
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

/// petgraph's graph of a profile's passable arcs under weights `w`, skipping edges `skip`.
fn petgraph_of(g: &ProfileGraph, w: &[f64], skip: &dyn Fn(u32) -> bool) -> DiGraph<(), f64> {
    let mut pg = DiGraph::<(), f64>::new();
    for _ in 0..g.node_count() {
        pg.add_node(());
    }
    for v in 0..g.node_count() as u32 {
        for a in g.graph.out_arcs(v) {
            if w[a as usize].is_finite() && !skip(g.arc_edge(a).0) {
                pg.add_edge(
                    NodeIndex::new(v as usize),
                    NodeIndex::new(g.graph.arc_head(a) as usize),
                    w[a as usize],
                );
            }
        }
    }
    pg
}

/// Per unit: seconds from the unit's node to each target node, by one petgraph Dijkstra per unit.
fn times_to(
    pg: &DiGraph<(), f64>,
    g: &ProfileGraph,
    w: &[f64],
    units: &[[f64; 2]],
    targets: &[u32],
) -> Vec<Vec<f64>> {
    units
        .iter()
        .map(|&u| {
            let from = nearest(g, w, u);
            if haversine_m(g.node_coord[from as usize], u) > AccessParams::default().max_snap_m {
                return vec![f64::INFINITY; targets.len()];
            }
            let d =
                petgraph::algo::dijkstra(pg, NodeIndex::new(from as usize), None, |e| *e.weight());
            targets
                .iter()
                .map(|t| {
                    d.get(&NodeIndex::new(*t as usize))
                        .copied()
                        .unwrap_or(f64::INFINITY)
                })
                .collect()
        })
        .collect()
}

/// A grid of `n × n` population points of 100 people over a box, as a population layer.
fn grid_population(n: usize, lo: [f64; 2], hi: [f64; 2]) -> String {
    let feats: Vec<String> = (0..n * n)
        .map(|i| {
            let (x, y) = ((i % n) as f64 + 0.5, (i / n) as f64 + 0.5);
            let lon = lo[0] + (hi[0] - lo[0]) * x / n as f64;
            let lat = lo[1] + (hi[1] - lo[1]) * y / n as f64;
            format!("{{\"type\": \"Feature\", \"properties\": {{\"name\": \"g{i}\", \"people\": {}}}, \"geometry\": {{\"type\": \"Point\", \"coordinates\": [{lon}, {lat}]}}}}", 100 + i % 7)
        })
        .collect();
    format!(
        "{{\"type\": \"FeatureCollection\", \"features\": [{}]}}",
        feats.join(",")
    )
}

/// Times, coverage (any working and fully functioning facilities), every unit's catchment and
/// every facility's load against a brute force: one petgraph Dijkstra per unit to every
/// facility, the nearest one by hand.
#[test]
fn catchment_loads_match_a_brute_force_nearest_facility() {
    let population = grid_population(14, [1.505, 42.497], [1.545, 42.517]);
    // The example's facilities plus two invented clinics in the enclave: one with beds, one
    // with zero beds (no per-bed figure).
    let facilities =
        std::fs::read_to_string(root().join("data/scenarios/andorra-siege/facilities.geojson"))
            .unwrap()
            .replace("\"features\": [", "\"features\": [\
                {\"type\": \"Feature\", \"properties\": {\"name\": \"Clinic east\", \"status\": \"functioning\", \"beds\": 12}, \"geometry\": {\"type\": \"Point\", \"coordinates\": [1.5420, 42.5090]}},\
                {\"type\": \"Feature\", \"properties\": {\"name\": \"Clinic centre\", \"status\": \"functioning\", \"beds\": 0}, \"geometry\": {\"type\": \"Point\", \"coordinates\": [1.5300, 42.5100]}},");
    let dir = example_dir(
        |m| m,
        &[
            ("population.geojson", &population),
            ("facilities.geojson", &facilities),
        ],
    );
    let s = load_dir(dir.path());
    let m = maps(&s);
    for engine in [EngineChoice::Dijkstra, EngineChoice::Cch] {
        catchment_loads_by(&s, &m, engine);
    }
}

/// Arc costs in whole milliseconds, the searches' documented unit (`cost_to_units`), rounded
/// here by hand so that the oracle solves the same problem.
fn in_whole_ms(w: Vec<f64>) -> Vec<f64> {
    w.into_iter()
        .map(|x| {
            if x.is_finite() {
                (x * 1000.0).round() / 1000.0
            } else {
                x
            }
        })
        .collect()
}

/// Access by `engine` against one petgraph Dijkstra per unit: minutes, the facility (nearest;
/// equally near ones: the one on the smallest road-node id), loads and per-bed figures.
fn catchment_loads_by(s: &Scenario, m: &[ScenarioMap], engine: EngineChoice) {
    let params = AccessParams {
        engine,
        ..Default::default()
    };
    let fac = facilities_on(s, &graph().facilities, s.as_of, &params.hits).unwrap();
    assert!(fac
        .iter()
        .any(|f| f.status == FacilityStatus::PartiallyFunctioning));
    let r = access(&m[0], &m[1], fac.clone(), s.as_of, &params).unwrap();
    let units: Vec<[f64; 2]> = s.population.iter().map(|u| u.point).collect();
    for (k, sm) in m.iter().enumerate() {
        let g = sm.graph;
        assert_eq!(
            r.by_profile[k].engine,
            if engine == EngineChoice::Cch {
                Engine::Cch
            } else {
                Engine::Dijkstra
            }
        );
        let w = in_whole_ms(sm.weights(Side::default_for(s), Mode::Fastest, 0.0));
        let pg = petgraph_of(g, &w, &|_| false);
        let working: Vec<usize> = (0..fac.len()).filter(|&i| fac[i].status.works()).collect();
        let targets: Vec<u32> = working
            .iter()
            .map(|&i| nearest(g, &w, fac[i].coord))
            .collect();
        let t = times_to(&pg, g, &w, &units, &targets);
        let ours = &r.by_profile[k];
        let mut load = vec![0.0; fac.len()];
        for (i, u) in s.population.iter().enumerate() {
            let best = t[i].iter().copied().fold(f64::INFINITY, f64::min);
            match (ours.minutes_by_unit[i], &ours.facility_by_unit[i]) {
                (None, None) => assert!(
                    best.is_infinite(),
                    "{:?} unit {i}: oracle {best}",
                    g.profile
                ),
                (Some(min), Some(id)) => {
                    assert!(
                        (min * 60.0 - best).abs() < 1e-6,
                        "{:?} unit {i}: {min} min vs {best} s",
                        g.profile
                    );
                    // The facility it goes to is the nearest; among equally near ones, the
                    // one on the smallest road node.
                    let j = working.iter().position(|&f| &fac[f].id == id).unwrap();
                    assert!(
                        (t[i][j] - best).abs() < 1e-6,
                        "{:?} unit {i} goes to {id}",
                        g.profile
                    );
                    let tie_node = (0..working.len())
                        .filter(|&x| (t[i][x] - best).abs() < 1e-6)
                        .map(|x| targets[x])
                        .min();
                    assert_eq!(Some(targets[j]), tie_node, "{:?} unit {i}", g.profile);
                    load[working[j]] += u.people;
                }
                other => panic!("{:?} unit {i}: {other:?}", g.profile),
            }
        }
        assert!(
            load.iter().filter(|&&l| l > 0.0).count() >= 3,
            "a test that spreads people: {:?} {load:?}",
            g.profile
        );
        for &f in &working {
            let c = ours
                .catchments
                .iter()
                .find(|c| c.facility == fac[f].id)
                .unwrap();
            assert_eq!(c.people, load[f].round(), "{:?} {}", g.profile, fac[f].id);
            assert_eq!(c.status, fac[f].status);
            match fac[f].beds {
                Some(b) if b > 0 => {
                    assert!((c.people_per_bed.unwrap() - load[f] / b as f64).abs() < 1e-9)
                }
                _ => assert_eq!(c.people_per_bed, None),
            }
        }
        // Coverage by fully functioning facilities only: the oracle restricted to them.
        let full: Vec<usize> = (0..working.len())
            .filter(|&j| fac[working[j]].status == FacilityStatus::Functioning)
            .collect();
        for c in &ours.coverage_fully_functioning {
            let within: f64 = s
                .population
                .iter()
                .enumerate()
                .filter(|(i, _)| full.iter().any(|&j| t[*i][j] <= c.minutes * 60.0))
                .map(|(_, u)| u.people)
                .sum();
            assert_eq!(
                c.people,
                within.round(),
                "{:?} {} min",
                g.profile,
                c.minutes
            );
        }
        for c in &ours.coverage {
            let within: f64 = s
                .population
                .iter()
                .enumerate()
                .filter(|(i, _)| t[*i].iter().any(|&x| x <= c.minutes * 60.0))
                .map(|(_, u)| u.people)
                .sum();
            assert_eq!(
                c.people,
                within.round(),
                "{:?} {} min",
                g.profile,
                c.minutes
            );
        }
    }
    // Load by status on foot: the catchments split by their facility's status.
    let split = |st: FacilityStatus| -> f64 {
        r.catchments
            .iter()
            .filter(|c| c.status == st)
            .map(|c| c.people)
            .sum()
    };
    assert_eq!(
        r.load.functioning_people,
        split(FacilityStatus::Functioning)
    );
    assert_eq!(
        r.load.partially_functioning_people,
        split(FacilityStatus::PartiallyFunctioning)
    );
    assert!(r.load.partially_functioning_people > 0.0);
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
    let before_fac = facilities_on(&s, &graph().facilities, before_day, &params.hits).unwrap();
    let after_fac = facilities_on(&s, &graph().facilities, s.as_of, &params.hits).unwrap();
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
    // Named in its notes and 774 m away: within the 1,000 m bound for named facilities.
    assert!(x1.reason.starts_with("named in the notes"), "{}", x1.reason);
    assert_eq!(x1.status, FacilityStatus::NotFunctioning);
    let before = access(&m[0], &m[1], before_fac, before_day, &params).unwrap();
    let after = access(&m[0], &m[1], after_fac, s.as_of, &params).unwrap();
    // By hand: both households are within 15 minutes' walk of the clinic before; nothing works after.
    assert_eq!(before.coverage[0].people, 1500.0);
    assert_eq!(after.coverage.iter().map(|c| c.people).sum::<f64>(), 0.0);
    assert!(after.catchments.is_empty());
    let change = compare(&before, &after, 1500.0);
    assert_eq!(change.facilities_lost.len(), 1);
    assert_eq!(change.people_lost_access[0].people, 1500.0);
}

/// Off-road budget at `p` by brute force: every reached node, and points every 2 m along every
/// arc out of a reached node, each with its petgraph time; haversine metres.
fn off_road_budget(
    road: &[([f64; 2], f64)],
    p: [f64; 2],
    limit_s: f64,
    ip: &IsochroneParams,
) -> f64 {
    // Points farther than ~250 m cannot have a budget above −150 m: the caller needs no more.
    road.iter()
        .filter(|(q, c)| {
            *c <= limit_s && (q[0] - p[0]).abs() < 0.003 && (q[1] - p[1]).abs() < 0.00225
        })
        .map(|&(q, c)| {
            ((limit_s - c) * ip.off_road_speed_mps).min(ip.max_off_road_m) - haversine_m(p, q)
        })
        .fold(f64::NEG_INFINITY, f64::max)
}

/// Isochrones against an independent petgraph Dijkstra and a brute-force off-road budget: every
/// node reached in time is inside; every point short of budget by more than the grid's margin
/// plus the radius of the smallest kept hole is outside; no hole is smaller than a block; the
/// polygons are valid.
#[test]
fn isochrones_are_filled_areas_around_the_reached_network() {
    let s = example();
    let m = maps(&s);
    let side = Side::default_for(&s);
    let ip = IsochroneParams::default();
    // Four starts: the enclave centre and its east on foot, two streets by car.
    for (sm, start_at, minutes) in [
        (&m[0], [1.5220, 42.5063], [4.0, 8.0]),
        (&m[0], [1.5330, 42.5082], [2.0, 6.0]),
        (&m[1], [1.5290, 42.5078], [1.0, 2.0]),
        (&m[1], [1.5380, 42.5110], [1.0, 2.0]),
    ] {
        let g = sm.graph;
        let w = sm.weights(side, Mode::Fastest, 0.0);
        let start = nearest(g, &w, start_at);
        let seeds = [Seed {
            node: start,
            cost: 0.0,
        }];
        let polys = isochrones(sm, side, &seeds, &minutes, &ip);
        let pg = petgraph_of(g, &w, &|_| false);
        let d =
            petgraph::algo::dijkstra(&pg, NodeIndex::new(start as usize), None, |e| *e.weight());
        let cost = |v: u32| {
            d.get(&NodeIndex::new(v as usize))
                .copied()
                .unwrap_or(f64::INFINITY)
        };
        // The reached road, densely: nodes, and every 2 m along arcs out of reached nodes.
        let mut road: Vec<([f64; 2], f64)> = Vec::new();
        let longest = minutes[1] * 60.0;
        for v in (0..g.node_count() as u32).filter(|&v| cost(v) <= longest) {
            road.push((g.node_coord[v as usize], cost(v)));
            for a in g.graph.out_arcs(v) {
                let (e, rev) = g.arc_edge(a);
                let len = g.edges.length_m[e as usize];
                if !w[a as usize].is_finite() || len <= 0.0 {
                    continue;
                }
                let steps = (len / 2.0).ceil() as usize;
                for k in 1..steps {
                    let at = len * k as f64 / steps as f64;
                    let (from, to) = if rev { (len, len - at) } else { (0.0, at) };
                    let p = *g.edge_subshape(e, from, to).last().unwrap();
                    road.push((p, cost(v) + w[a as usize] * at / len));
                }
            }
        }
        let cell = ip.cell_m;
        let margin = 2.0 * cell * std::f64::consts::SQRT_2
            + (ip.min_hole_m2 / std::f64::consts::PI).sqrt()
            + 5.0;
        for (mins, poly) in &polys {
            let limit = mins * 60.0;
            assert!(
                poly.is_valid(),
                "{:?} {mins} min: invalid polygon",
                g.profile
            );
            let mut inside = 0;
            for v in 0..g.node_count() as u32 {
                if cost(v) <= limit {
                    let c = g.node_coord[v as usize];
                    assert!(
                        poly.contains(&Point::new(c[0], c[1])),
                        "{:?} {mins} min: node {v} reached in {} s is outside",
                        g.profile,
                        cost(v)
                    );
                    inside += 1;
                }
            }
            assert!(
                inside > 10,
                "{:?} {mins} min: only {inside} nodes",
                g.profile
            );
            // Points on a 40 × 40 grid over the area and its surroundings.
            let bb = geo::BoundingRect::bounding_rect(poly).unwrap();
            let (lo, hi) = (bb.min(), bb.max());
            let pad = 0.004;
            let (mut far, mut checked) = (0, 0);
            for i in 0..40 {
                for j in 0..40 {
                    let p = [
                        lo.x - pad + (hi.x - lo.x + 2.0 * pad) * (i as f64 + 0.5) / 40.0,
                        lo.y - pad + (hi.y - lo.y + 2.0 * pad) * (j as f64 + 0.5) / 40.0,
                    ];
                    let b = off_road_budget(&road, p, limit, &ip);
                    if b < -margin {
                        far += 1;
                        assert!(
                            !poly.contains(&Point::new(p[0], p[1])),
                            "{:?} {mins} min: {p:?} short by {:.0} m is inside",
                            g.profile,
                            -b
                        );
                    } else if b > 0.0 {
                        checked += 1;
                    }
                }
            }
            assert!(far > 100 && checked > 10, "{far} far, {checked} near");
            for hole in poly.0.iter().flat_map(|p| p.interiors()) {
                let a = geo::Polygon::new(hole.clone(), vec![]).geodesic_area_unsigned();
                assert!(
                    a >= 0.98 * ip.min_hole_m2,
                    "{:?} {mins} min: hole of {a:.0} m²",
                    g.profile
                );
            }
        }
        // Longer times give larger areas that contain the shorter ones' nodes.
        assert!(polys[1].1.unsigned_area() > polys[0].1.unsigned_area());
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
        (
            "{\"osm_id\": 194554955, \"status\": \"functioning\", \"since\": \"July\"}",
            "null",
            "since: 'July' is not a date",
        ),
        (
            "{\"osm_id\": 194554955, \"status\": \"functioning\", \"since\": \"2016-07-10\", \"until\": \"2016-07-01\"}",
            "null",
            "until 2016-07-01 is before since 2016-07-10",
        ),
        (
            "{\"osm_id\": 194554955, \"until\": 20160701}",
            "null",
            "'until' must be a date string",
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
    let e = facilities_on(
        &s,
        &graph().facilities,
        s.as_of,
        &AccessParams::default().hits,
    )
    .err()
    .unwrap()
    .to_string();
    assert!(
        e.contains("feature 0") && e.contains("osm_id 12345 is not a health facility"),
        "{e}"
    );
}

fn date(s: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// The hit rule and dated records on a hand-built case: a named strike 300 m away hits, a named
/// shelling 5.6 km away does not, an unnamed shelling 220 m away does not, a clash 50 m away
/// "partially destroyed" leaves it partially functioning, a protest 10 m away saying
/// "destroyed" does nothing; a strike 50 m away whose notes name another facility hits that one
/// only; a dated record reopens the clinic; a record with `until` ends; a
/// facility added with `since` does not exist before.
#[test]
fn hit_rules_and_dated_records_by_hand() {
    let facilities = r#"{"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"osm_id": 194554955, "beds": 180}, "geometry": null},
        {"type": "Feature", "properties": {"osm_id": 194554955, "status": "not_functioning", "since": "2016-07-01", "until": "2016-07-05"}, "geometry": null},
        {"type": "Feature", "properties": {"name": "Clinica Test", "status": "functioning"}, "geometry": {"type": "Point", "coordinates": [1.5150, 42.5000]}},
        {"type": "Feature", "properties": {"name": "Clinica Test", "status": "functioning", "since": "2016-07-15"}, "geometry": null},
        {"type": "Feature", "properties": {"name": "Field post", "status": "functioning", "since": "2016-07-18"}, "geometry": {"type": "Point", "coordinates": [1.5170, 42.5015]}}]}"#;
    let incidents = "\
T1,2016-07-10,2016,Explosions/Remote violence,Air/drone strike,G,,A,X,42.5027,1.5150,0,Strike hits Clinica Test\n\
T2,2016-07-12,2016,Explosions/Remote violence,Shelling/artillery/missile attack,G,,A,X,42.5500,1.5150,0,Clinica Test shelled and destroyed\n\
T3,2016-07-20,2016,Battles,Armed clash,G,O,A,X,42.50045,1.5150,0,the building was partially destroyed\n\
T4,2016-07-21,2016,Protests,Peaceful protest,P,,A,X,42.50009,1.5150,0,protest: clinic destroyed\n\
T5,2016-07-22,2016,Explosions/Remote violence,Shelling/artillery/missile attack,G,,A,X,42.5020,1.5150,0,shelling of the district\n\
T6,2016-07-25,2016,Explosions/Remote violence,Air/drone strike,G,,A,X,42.50045,1.5150,0,Strike on the Field post\n";
    let pop =
        std::fs::read_to_string(root().join("data/scenarios/andorra-siege/population.geojson"))
            .unwrap();
    let (_d, s) = scenario_dir(Some(incidents), facilities, &pop);
    let hits = AccessParams::default().hits;
    let on = |d: &str| facilities_on(&s, &graph().facilities, date(d), &hits).unwrap();
    let get = |list: &[corridor_analysis::access::FacilityState], id: &str| {
        list.iter().find(|f| f.id == id).cloned()
    };
    let clinic = |d: &str| get(&on(d), "scenario:2").expect("clinic exists");
    use FacilityStatus::*;
    let c = clinic("2016-07-09");
    assert_eq!((c.status, c.changed_by.len()), (Functioning, 0));
    let c = clinic("2016-07-11");
    assert_eq!(c.status, NotFunctioning);
    assert_eq!(c.changed_by.len(), 1);
    assert_eq!(c.changed_by[0].incident, "T1");
    assert_eq!(c.changed_by[0].reason, "named in the notes, 300 m away");
    let c = clinic("2016-07-13");
    assert_eq!(
        (c.status, c.changed_by.len()),
        (NotFunctioning, 1),
        "T2 is too far"
    );
    let c = clinic("2016-07-15");
    assert_eq!((c.status, c.changed_by.len()), (Functioning, 0), "reopened");
    assert_eq!(c.status_source, "scenario feature 3 (since 2016-07-15)");
    for d in ["2016-07-20", "2016-07-28"] {
        let c = clinic(d);
        assert_eq!(c.status, PartiallyFunctioning, "{d}");
        let ids: Vec<&str> = c.changed_by.iter().map(|x| x.incident.as_str()).collect();
        assert_eq!(
            ids,
            ["T3"],
            "{d}: T4 is a protest, T5 is 222 m away unnamed"
        );
        assert_eq!(c.changed_by[0].reason, "50 m away");
    }
    // T6 fell 50 m from the clinic but its notes name the Field post (about 200 m away, by
    // hand): it hits the Field post only.
    let post = get(&on("2016-07-28"), "scenario:4").expect("field post open");
    let ids: Vec<&str> = post
        .changed_by
        .iter()
        .map(|x| x.incident.as_str())
        .collect();
    assert_eq!(ids, ["T6"]);
    assert_eq!(post.status, NotFunctioning);
    assert!(post.changed_by[0].reason.starts_with("named in the notes"));
    let hospital = |d: &str| get(&on(d), "osm:w194554955").unwrap();
    assert_eq!(hospital("2016-06-30").status, Functioning);
    assert_eq!(hospital("2016-07-03").status, NotFunctioning);
    assert_eq!(hospital("2016-07-05").status, NotFunctioning);
    assert_eq!(hospital("2016-07-06").status, Functioning);
    assert_eq!(hospital("2016-07-06").beds, Some(180));
    assert_eq!(hospital("2016-07-28").status, Destroyed, "AND10, 6 m away");
    assert!(
        get(&on("2016-07-17"), "scenario:4").is_none(),
        "not open yet"
    );
    assert_eq!(
        get(&on("2016-07-18"), "scenario:4").unwrap().status,
        Functioning
    );
}

/// `access` on the scenario as of an earlier date against a hand computation: before the Pont
/// Pla tunnel closure (since 19 July) and a strike on the hospital (25 July), by one petgraph
/// Dijkstra per unit on the graph with and without the tunnel's way and with and without the
/// hospital.
#[test]
fn the_scenario_at_an_earlier_date_differs_as_a_hand_computation_says() {
    let strike = "S1,2016-07-25,2016,Explosions/Remote violence,Air/drone strike,G,,A,X,42.5116,1.5341,0,strike\n";
    let incidents =
        std::fs::read_to_string(root().join("data/scenarios/andorra-siege/incidents.csv"))
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .to_string()
            + "\n"
            + strike;
    let population = grid_population(12, [1.515, 42.506], [1.540, 42.522]);
    let dir = example_dir(
        |m| m,
        &[
            ("incidents.csv", &incidents),
            ("population.geojson", &population),
        ],
    );
    let manifest = dir.path().join("scenario.toml");
    let now = corridor_scenario::load(&manifest).unwrap();
    let then_day = date("2016-07-18");
    let then = corridor_scenario::load_at(&manifest, Some(then_day)).unwrap();
    // The scenario on 18 July, by hand: no incident yet, the tunnel still open.
    assert_eq!(
        (then.as_of, then.incidents.len(), then.closures.len()),
        (then_day, 0, 0)
    );
    assert_eq!((now.incidents.len(), now.closures.len()), (1, 1));
    assert_eq!(then.sha256, now.sha256);
    let params = AccessParams::default();
    let report = |s: &corridor_scenario::Scenario| {
        let m = maps(s);
        let f = facilities_on(s, &graph().facilities, s.as_of, &params.hits).unwrap();
        access(&m[0], &m[1], f, s.as_of, &params).unwrap()
    };
    let (before, after) = (report(&then), report(&now));
    let change = compare(&before, &after, before.population);
    let lost: Vec<&str> = change
        .facilities_lost
        .iter()
        .map(|f| f.id.as_str())
        .collect();
    assert_eq!(lost, ["osm:w194554955"]);
    assert!(change.facilities_gained.is_empty());

    // The oracle: foot weights of the scenario without closures; the tunnel removed by way id.
    let open_dir = example_dir(
        |m| m.replace("closures = \"closures.geojson\"", ""),
        &[
            ("incidents.csv", &incidents),
            ("population.geojson", &population),
        ],
    );
    let open = load_dir(open_dir.path());
    let om = maps(&open);
    let g = om[0].graph;
    let w = om[0].weights(Side::default_for(&open), Mode::Fastest, 0.0);
    let tunnel = |e: u32| g.edges.way_id[e as usize] == 24364447;
    let mut coords: Vec<[f64; 2]> = graph().facilities.iter().map(|f| f.coord).collect();
    coords.push([1.5195, 42.5068]); // the field clinic the layer adds
    let hospital = graph()
        .facilities
        .iter()
        .position(|f| f.osm_id == 194554955)
        .unwrap();
    let all: Vec<u32> = coords.iter().map(|&c| nearest(g, &w, c)).collect();
    let units: Vec<[f64; 2]> = open.population.iter().map(|u| u.point).collect();
    let best = |t: Vec<Vec<f64>>, skip: Option<usize>| -> Vec<f64> {
        t.iter()
            .map(|row| {
                row.iter()
                    .enumerate()
                    .filter(|(j, _)| Some(*j) != skip)
                    .map(|(_, x)| *x)
                    .fold(f64::INFINITY, f64::min)
            })
            .collect()
    };
    let t_before = best(
        times_to(&petgraph_of(g, &w, &|_| false), g, &w, &units, &all),
        None,
    );
    let closed = times_to(&petgraph_of(g, &w, &tunnel), g, &w, &units, &all);
    let t_after = best(closed.clone(), Some(hospital));
    let t_closed_only = best(closed, None);
    assert!(
        t_before
            .iter()
            .zip(&t_closed_only)
            .any(|(a, b)| b > &(a + 1.0)),
        "the closure must matter in this test"
    );
    for (k, c) in change.people_lost_access.iter().enumerate() {
        let within = |t: f64| t <= c.minutes * 60.0;
        let moved = |a: &[f64], b: &[f64]| -> f64 {
            open.population
                .iter()
                .enumerate()
                .filter(|(i, _)| within(a[*i]) && !within(b[*i]))
                .map(|(_, u)| u.people)
                .sum()
        };
        assert_eq!(
            c.people,
            moved(&t_before, &t_after),
            "lost, {} min",
            c.minutes
        );
        assert_eq!(
            change.people_gained_access[k].people,
            moved(&t_after, &t_before),
            "gained, {} min",
            c.minutes
        );
    }
    assert!(change.people_lost_access.iter().any(|c| c.people > 0.0));
}

/// An isochrone from the middle of a long one-way road: the start and the road ahead of it
/// (in the direction of travel, reached in a few seconds by the edge's own length and time)
/// are inside. Seeds built as `t·w` at a one-way end gave 0 × ∞ = NaN or left the start's own
/// road unpainted, so a car "could not reach" where it stood.
#[test]
fn an_isochrone_from_a_one_way_road_holds_its_start_and_the_road_ahead() {
    use corridor_analysis::access::isochrones_from_point;
    use corridor_roads::Snap;
    let s = example();
    let m = maps(&s);
    let sm = &m[1];
    let g = sm.graph;
    let side = Side::default_for(&s);
    let w = sm.weights(side, Mode::Fastest, 0.0);
    let ip = IsochroneParams::default();
    let one_way: Vec<u32> = (0..g.edges.length_m.len() as u32)
        .filter(|&e| {
            let (f, b) = (g.edge_fwd_arc[e as usize], g.edge_bwd_arc[e as usize]);
            f != corridor_routing::INVALID
                && b == corridor_routing::INVALID
                && w[f as usize].is_finite()
                && g.edges.length_m[e as usize] > 400.0
        })
        .take(5)
        .collect();
    assert!(
        !one_way.is_empty(),
        "no long one-way road on the example map"
    );
    for e in one_way {
        let len = g.edges.length_m[e as usize];
        let at = |m: f64| *g.edge_subshape(e, 0.0, m).last().unwrap();
        let start = at(len / 2.0);
        let snap = Snap {
            query: start,
            point: start,
            edge: e,
            distance_m: 0.0,
            offset_m: len / 2.0,
        };
        // The edge's time for the half ahead is well under a minute; one minute must hold it.
        let half_s = w[g.edge_fwd_arc[e as usize] as usize] / 2.0;
        assert!(half_s < 60.0, "edge {e}: {half_s} s for half");
        let polys = isochrones_from_point(sm, side, &[snap], &[1.0], &ip);
        let poly = &polys.areas[0].1;
        for ahead in [0.0, len / 4.0, len / 2.0 - 1.0] {
            let p = at(len / 2.0 + ahead);
            assert!(
                poly.contains(&Point::new(p[0], p[1])),
                "edge {e} ({len:.0} m): the point {ahead:.0} m ahead of the start is outside"
            );
        }
    }
}

/// A car isochrone over all the map it can reach (a day's drive): the grid cannot stay at the
/// asked cell within a million cells, and the result says which cell it used. Oracle: the area's own geodesic
/// bounding box, which a grid of at most a million cells must cover.
#[test]
fn a_map_wide_isochrone_says_how_coarse_its_grid_was() {
    use corridor_analysis::access::isochrones_from_point;
    use corridor_analysis::isochrone::MAX_CELLS;
    use corridor_roads::Snap;
    let s = example();
    let m = maps(&s);
    let sm = &m[1];
    let g = sm.graph;
    let side = Side::default_for(&s);
    let w = sm.weights(side, Mode::Fastest, 0.0);
    // A 2 m grid: the besieged example's car area (about 9 × 10 km) then needs far more than a
    // million cells, as Malta does at 10 m.
    let ip = IsochroneParams {
        cell_m: 2.0,
        ..IsochroneParams::default()
    };
    let start = nearest(g, &w, [1.5220, 42.5063]);
    let e = (0..g.edges.length_m.len() as u32)
        .find(|&e| g.edges.from[e as usize] == start)
        .expect("an edge at the start");
    let p = g.node_coord[start as usize];
    let snap = Snap {
        query: p,
        point: p,
        edge: e,
        distance_m: 0.0,
        offset_m: 0.0,
    };
    let out = isochrones_from_point(sm, side, &[snap], &[1440.0], &ip);
    let bb = geo::BoundingRect::bounding_rect(&out.areas[0].1).expect("a non-empty area");
    let (lo, hi) = (bb.min(), bb.max());
    let width = haversine_m([lo.x, lo.y], [hi.x, lo.y]);
    let height = haversine_m([lo.x, lo.y], [lo.x, hi.y]);
    assert!(width > 5_000.0 && height > 5_000.0, "{width} × {height} m");
    let least = (width * height / MAX_CELLS).sqrt();
    assert!(
        out.grid_cell_m > ip.cell_m && out.grid_cell_m >= 0.95 * least,
        "{width:.0} × {height:.0} m drawn on {} m cells (at least {least:.1} m)",
        out.grid_cell_m
    );
}

#[test]
fn facilities_on_one_road_node_share_its_people_by_beds() {
    // Every map facility closed; two clinics at the same point (so on one road node), with 30
    // and 10 beds, and a third without beds beside them in the second case. By the documented
    // rule the 1,500 people of the two households split 30 : 10 (1,125 and 375); when one of
    // them declares no beds, equally.
    let closed: Vec<String> = graph()
        .facilities
        .iter()
        .map(|f| format!("{{\"type\": \"Feature\", \"properties\": {{\"osm_id\": {}, \"status\": \"not_functioning\"}}, \"geometry\": null}}", f.osm_id))
        .collect();
    let clinic = |name: &str, beds: Option<u32>| {
        let beds = beds.map_or(String::new(), |b| format!(", \"beds\": {b}"));
        format!("{{\"type\": \"Feature\", \"properties\": {{\"name\": \"{name}\", \"status\": \"functioning\"{beds}}}, \"geometry\": {{\"type\": \"Point\", \"coordinates\": [1.5220, 42.5063]}}}}")
    };
    let population = "{\"type\": \"FeatureCollection\", \"features\": [\
        {\"type\": \"Feature\", \"properties\": {\"name\": \"a\", \"people\": 1000}, \"geometry\": {\"type\": \"Point\", \"coordinates\": [1.5200, 42.5070]}},\
        {\"type\": \"Feature\", \"properties\": {\"name\": \"b\", \"people\": 500}, \"geometry\": {\"type\": \"Point\", \"coordinates\": [1.5250, 42.5075]}}]}";
    for (beds_b, expect) in [(Some(10), [1125.0, 375.0]), (None, [750.0, 750.0])] {
        let mut feats = closed.clone();
        feats.push(clinic("North clinic one", Some(30)));
        feats.push(clinic("North clinic two", beds_b));
        let facilities = format!(
            "{{\"type\": \"FeatureCollection\", \"features\": [{}]}}",
            feats.join(",")
        );
        let (_d, s) = scenario_dir(None, &facilities, population);
        let m = maps(&s);
        let params = AccessParams::default();
        let day = chrono::NaiveDate::from_ymd_opt(2016, 7, 20).unwrap();
        let fac = facilities_on(&s, &graph().facilities, day, &params.hits).unwrap();
        let r = access(&m[0], &m[1], fac, day, &params).unwrap();
        let load = |name: &str| {
            r.catchments
                .iter()
                .find(|c| c.name.as_deref() == Some(name))
                .map(|c| c.people)
                .unwrap()
        };
        assert_eq!(
            [load("North clinic one"), load("North clinic two")],
            expect,
            "beds of the second: {beds_b:?}"
        );
    }
}

/// The `auto` rule by hand from the graph's sizes and the documented constants: access's two
/// searches on the CCH when customization + 2 sweeps < 2 Dijkstra; an isochrone (bounded) on
/// Dijkstra unless a customization is cached; weights out of the CCH's range never on it.
#[test]
fn the_auto_rule_follows_the_measured_costs() {
    use corridor_analysis::engine::*;
    for p in corridor_roads::Profile::ALL {
        let g = graph().profile(p);
        let (n, m, t) = (
            g.node_count() as f64,
            g.cch().edge_count() as f64,
            g.cch().triangle_count() as f64,
        );
        let by_hand = if CUSTOMIZE_NS_PER_TRIANGLE * t + 2.0 * PHAST_NS_PER_EDGE * m
            < 2.0 * DIJKSTRA_NS_PER_NODE * n
        {
            Engine::Cch
        } else {
            Engine::Dijkstra
        };
        assert_eq!(one_to_all_engine(g, 2, false, true, false), by_hand);
        assert_eq!(one_to_all_engine(g, 1, false, true, true), Engine::Dijkstra);
        assert_eq!(one_to_all_engine(g, 1, true, true, true), Engine::Cch);
        assert_eq!(
            one_to_all_engine(g, 2, true, false, false),
            Engine::Dijkstra
        );
        let huge = vec![1.0e7; g.arc_count()];
        assert_eq!(
            resolve(EngineChoice::Cch, g, &huge, 2, false, false),
            Engine::Dijkstra
        );
    }
}

/// A customization repaired by partial updates (as the server's after an incident) answers
/// access exactly as Dijkstra does: 300 arcs slower in the base, then put back.
#[test]
fn access_on_a_partially_updated_customization_equals_dijkstra() {
    use corridor_analysis::access::access_customized;
    use corridor_analysis::engine::EngineChoice;
    let s = load_dir(&root().join("data/scenarios/andorra-siege"));
    let m = maps(&s);
    let fac = facilities_on(&s, &graph().facilities, s.as_of, &Default::default()).unwrap();
    let repaired: Vec<_> = m
        .iter()
        .map(|sm| {
            let w = sm.weights(Side::default_for(&s), Mode::Fastest, 0.0);
            let mut slower = w.clone();
            for a in (0..w.len()).step_by(7).take(300) {
                slower[a] *= 3.0;
            }
            let base = sm.graph.customize(slower);
            let (fixed, changed) = sm.graph.customize_from(&base, w);
            assert!(changed > 100 && changed <= 300, "{changed}");
            fixed
        })
        .collect();
    let by = |engine, c: [Option<&corridor_roads::CustomizedWeights>; 2]| {
        let p = AccessParams {
            engine,
            ..Default::default()
        };
        access_customized(&m[0], &m[1], fac.clone(), s.as_of, &p, c).unwrap()
    };
    let d = by(EngineChoice::Dijkstra, [None, None]);
    let c = by(EngineChoice::Auto, [Some(&repaired[0]), Some(&repaired[1])]);
    for (x, y) in d.by_profile.iter().zip(&c.by_profile) {
        assert_eq!(y.engine, Engine::Cch, "a cached customization is used");
        assert_eq!(x.minutes_by_unit, y.minutes_by_unit);
        assert_eq!(x.facility_by_unit, y.facility_by_unit);
        assert!(x.minutes_by_unit.iter().any(|m| m.is_some()));
    }
}

/// On the real map (both profiles, both directions, and after a partial update of 200 arcs):
/// every node's nearest of 24 labelled sources — several on one node, seed costs giving ties —
/// by Dijkstra and by PHAST equals one petgraph Dijkstra per source on whole-millisecond arcs,
/// smallest label among equally near sources.
#[test]
fn nearest_labelled_source_on_the_real_map_equals_petgraph() {
    use corridor_routing::{CchNearestSource, Direction, LabelledSeed, NearestSource};
    for p in corridor_roads::Profile::ALL {
        let g = graph().profile(p);
        let n = g.node_count();
        let mut w: Vec<f64> = in_whole_ms(g.arc_duration_s.clone());
        let seeds: Vec<LabelledSeed> = (0..24u32)
            .map(|i| LabelledSeed {
                node: (i * 7919 + 13) % n as u32 / if i % 5 == 0 { 2 } else { 1 },
                cost: f64::from(i % 3),
                label: (i * 37) % 11,
            })
            .collect();
        let base = g.customize(w.clone());
        for round in 0..2 {
            let metric = if round == 0 {
                base.metric.clone().unwrap()
            } else {
                for a in (0..w.len()).step_by(13).take(200) {
                    w[a] = if a % 2 == 0 {
                        f64::INFINITY
                    } else {
                        w[a] + 7.0
                    };
                }
                g.customize_from(&base, w.clone()).0.metric.unwrap()
            };
            for reverse in [false, true] {
                let mut pg = DiGraph::<(), u64>::new();
                for _ in 0..n {
                    pg.add_node(());
                }
                for a in 0..g.arc_count() as u32 {
                    if w[a as usize].is_finite() {
                        let (t, h) = (g.graph.arc_tail(a), g.graph.arc_head(a));
                        let (t, h) = if reverse { (h, t) } else { (t, h) };
                        let ms = (w[a as usize] * 1000.0).round() as u64;
                        pg.add_edge(NodeIndex::new(t as usize), NodeIndex::new(h as usize), ms);
                    }
                }
                let mut expect = vec![(u64::MAX, u32::MAX); n];
                for s in &seeds {
                    let d =
                        petgraph::algo::dijkstra(&pg, NodeIndex::new(s.node as usize), None, |e| {
                            *e.weight()
                        });
                    for (v, c) in d {
                        let key = (c + (s.cost * 1000.0) as u64, s.label);
                        expect[v.index()] = expect[v.index()].min(key);
                    }
                }
                let mut dij = NearestSource::new(&g.graph);
                dij.run(&g.graph, &w, &seeds, f64::INFINITY, reverse);
                let mut phast = CchNearestSource::new(g.cch());
                let dir = if reverse {
                    Direction::ToSeeds
                } else {
                    Direction::FromSeeds
                };
                phast.run(g.cch(), &metric, &seeds, dir);
                let as_key = |c: f64, l: Option<u32>| match l {
                    Some(l) => ((c * 1000.0).round() as u64, l),
                    None => (u64::MAX, u32::MAX),
                };
                let mut reached = 0;
                for v in 0..n as u32 {
                    let e = expect[v as usize];
                    reached += usize::from(e.1 != u32::MAX);
                    assert_eq!(
                        as_key(dij.cost(v), dij.label(v)),
                        e,
                        "{p:?} Dijkstra node {v}"
                    );
                    let got = as_key(phast.cost(g.cch(), v), phast.label(g.cch(), v));
                    assert_eq!(got, e, "{p:?} PHAST node {v} round {round} rev {reverse}");
                }
                assert!(reached > n / 2, "{p:?}: {reached} of {n} reached");
            }
        }
    }
}

/// `--engine cch` on weights out of the CCH's range (the real roads' times × 100,000: many
/// arcs above its largest finite arc of 24.8 days) falls back to Dijkstra, and that answers
/// exactly, not clamped: every node's cost to the nearest of three seeds equals a petgraph
/// Dijkstra on the same weights in whole milliseconds, also under a limit of 300 days.
#[test]
fn out_of_range_weights_fall_back_to_an_exact_dijkstra() {
    use corridor_analysis::engine::{resolve, NearestSearch};
    use corridor_routing::LabelledSeed;
    for p in corridor_roads::Profile::ALL {
        let g = graph().profile(p);
        let w: Vec<f64> = g.arc_duration_s.iter().map(|x| x * 1.0e5).collect();
        assert!(
            !corridor_roads::in_cch_range(&w),
            "{p:?}: a test out of range"
        );
        let engine = resolve(EngineChoice::Cch, g, &w, 2, false, false);
        assert_eq!(engine, Engine::Dijkstra);
        let seeds: Vec<u32> = [0, g.node_count() / 3, g.node_count() / 2]
            .map(|v| v as u32)
            .to_vec();
        let labelled: Vec<LabelledSeed> = seeds
            .iter()
            .map(|&node| LabelledSeed {
                node,
                cost: 0.0,
                label: node,
            })
            .collect();
        let ms = in_whole_ms(w.clone());
        let pg = petgraph_of(g, &ms, &|_| false);
        let from: Vec<_> = seeds
            .iter()
            .map(|&s| {
                petgraph::algo::dijkstra(&pg, NodeIndex::new(s as usize), None, |e| *e.weight())
            })
            .collect();
        let mut q = NearestSearch::new(g, &w, engine, None);
        let limit = 300.0 * 86_400.0;
        for lim in [f64::INFINITY, limit] {
            q.run(&labelled, false, lim);
            let mut beyond_24_8_days = 0;
            for v in 0..g.node_count() {
                let best = from
                    .iter()
                    .filter_map(|d| d.get(&NodeIndex::new(v)).copied())
                    .fold(f64::INFINITY, f64::min);
                let best = if best <= lim { best } else { f64::INFINITY };
                let got = q.cost(v as u32);
                assert!(
                    got == best || (got - best).abs() < 1e-3,
                    "{p:?} node {v}: {got} s vs {best} s (limit {lim})"
                );
                beyond_24_8_days += usize::from(best.is_finite() && best > 2.2e6);
            }
            assert!(
                beyond_24_8_days > 0,
                "{p:?}: a test past the CCH's largest arc"
            );
        }
    }
}
