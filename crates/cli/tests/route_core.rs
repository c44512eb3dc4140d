//! `corridor route` on the routing core: every engine gives the same route and says which one
//! answered; a cache folder nobody may write to is a warning, not a panic; `bench` on a map
//! without car roads measures what there is.

mod common;
use common::{bundled_map, corridor_env as corridor, example_scenario, osm, stderr};
use serde_json::Value;

#[test]
fn every_engine_gives_the_same_route_and_names_itself() {
    let dir = tempfile::tempdir().unwrap();
    let graph = dir.path().join("andorra.graph");
    let o = corridor(
        &[
            "import",
            bundled_map().to_str().unwrap(),
            "-o",
            graph.to_str().unwrap(),
        ],
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let loaded = corridor_roads::file::load(&graph).unwrap();
    for profile in ["foot", "car"] {
        let run = |engine: &str| -> Value {
            let o = corridor(
                &[
                    "route",
                    "--graph",
                    graph.to_str().unwrap(),
                    "--from",
                    "42.5063,1.5218",
                    "--to",
                    "42.5114,1.5383",
                    "--profile",
                    profile,
                    "--engine",
                    engine,
                ],
                &[],
            );
            assert!(o.status.success(), "{}", stderr(&o));
            serde_json::from_slice(&o.stdout).unwrap()
        };
        let auto = run("auto");
        // The documented rule: the CCH when the hierarchy has at most
        // AUTO_CCH_MAX_TRIANGLES_PER_NODE lower triangles per node, else A*. The triangles
        // are counted here from the stored upward edges (each rank with d upward neighbours
        // closes d·(d−1)/2 of them), not by the code's own count.
        let pg = loaded.profile(if profile == "foot" {
            corridor_roads::Profile::Foot
        } else {
            corridor_roads::Profile::Car
        });
        let (up_first, _) = pg.cch().upward_edges();
        let triangles: u64 = up_first
            .windows(2)
            .map(|w| {
                let d = (w[1] - w[0]) as u64;
                d * d.saturating_sub(1) / 2
            })
            .sum();
        let expected = if triangles as f64
            <= corridor_roads::AUTO_CCH_MAX_TRIANGLES_PER_NODE * pg.node_count() as f64
        {
            "cch"
        } else {
            "alt"
        };
        assert_eq!(auto["engine"], expected, "{profile}: {triangles} triangles");
        for engine in ["cch", "alt", "dijkstra"] {
            let v = run(engine);
            assert_eq!(v["engine"], engine);
            for k in ["distance_m", "duration_s"] {
                let (a, b) = (v[k].as_f64().unwrap(), auto[k].as_f64().unwrap());
                assert!((a - b).abs() <= 0.1, "{profile} {engine} {k}: {a} vs {b}");
            }
        }
    }
}

#[cfg(unix)]
#[test]
fn a_map_in_read_only_folders_is_routed_with_a_warning() {
    use std::os::unix::fs::PermissionsExt;
    let root = tempfile::tempdir().unwrap();
    let (data, cache, tmp) = (
        root.path().join("data"),
        root.path().join("cache"),
        root.path().join("tmp"),
    );
    let map = data.join("andorra.osm.pbf");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::copy(bundled_map(), &map).unwrap();
    // Every folder the cache could go to exists and has no write bits.
    let folders = [
        data.clone(),
        cache.join("corridor"),
        tmp.join("corridor-cache"),
    ];
    for d in &folders {
        std::fs::create_dir_all(d).unwrap();
        std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o555)).unwrap();
    }
    let o = corridor(
        &[
            "route",
            "--map",
            map.to_str().unwrap(),
            "--from",
            "42.5063,1.5218",
            "--to",
            "42.5114,1.5383",
        ],
        &[("XDG_CACHE_HOME", &cache), ("TMPDIR", &tmp)],
    );
    for d in &folders {
        std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains("no writable cache folder"), "{err}");
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["distance_m"].as_f64().unwrap() > 1400.0);
    for d in &folders {
        assert!(
            !std::fs::read_dir(d).unwrap().any(|e| e
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".graph")),
            "a graph was cached in read-only {}",
            d.display()
        );
    }
}

#[test]
fn bench_on_a_map_without_car_roads_measures_the_footpaths() {
    use osm::{pbf, way};
    let dir = tempfile::tempdir().unwrap();
    let map = dir.path().join("paths.osm.pbf");
    // A square of footpaths, 0.001° a side, and nothing a car may use.
    let nodes = [
        (1, 0.0, 0.0),
        (2, 0.001, 0.0),
        (3, 0.001, 0.001),
        (4, 0.0, 0.001),
    ];
    let ways = [
        way(1, &[1, 2, 3], &[("highway", "footway")]),
        way(2, &[3, 4, 1], &[("highway", "path")]),
    ];
    std::fs::write(&map, pbf(&nodes, &ways)).unwrap();
    let o = corridor(
        &[
            "bench",
            "--map",
            map.to_str().unwrap(),
            "--queries",
            "20",
            "--format",
            "json",
        ],
        &[],
    );
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("no car roads"), "{err}");
    let lines: Vec<Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["profile"], "foot");
}

#[test]
fn a_scenario_route_never_starts_on_a_closed_road() {
    // The example scenario closes the Pont Pla tunnel (way 24364447). A start in the middle of
    // the tunnel snaps onto it without the scenario, and onto another road with it.
    let g = corridor_roads::import_pbf(&bundled_map()).unwrap();
    let car = g.profile(corridor_roads::Profile::Car);
    let e = car
        .edges
        .way_id
        .iter()
        .position(|&w| w == 24364447)
        .expect("tunnel in map");
    let shape = car.edge_shape(e as u32);
    let mid = shape[shape.len() / 2];
    let from = format!("{},{}", mid[1], mid[0]);
    let scenario = example_scenario();
    let dir = tempfile::tempdir().unwrap();
    let graph = dir.path().join("andorra.graph");
    corridor(
        &[
            "import",
            bundled_map().to_str().unwrap(),
            "-o",
            graph.to_str().unwrap(),
        ],
        &[],
    );
    let route = |extra: &[&str]| -> Value {
        let mut args = vec![
            "route",
            "--from",
            &from,
            "--to",
            "42.5100,1.5400",
            "--profile",
            "car",
        ];
        args.extend_from_slice(extra);
        let o = corridor(&args, &[]);
        assert!(o.status.success(), "{}", stderr(&o));
        serde_json::from_slice(&o.stdout).unwrap()
    };
    let plain = route(&["--graph", graph.to_str().unwrap()]);
    assert_eq!(plain["snapped"]["from"]["osm_way_id"], 24364447);
    assert_eq!(plain["parameters"]["max_snap_m"], 500.0);
    assert!(plain["snapped"]["from"]["distance_m"].as_f64().unwrap() < 0.01);
    let under = route(&["--scenario", scenario.to_str().unwrap()]);
    assert_ne!(under["snapped"]["from"]["osm_way_id"], 24364447);
    assert!(under["snapped"]["from"]["distance_m"].as_f64().unwrap() > 0.0);
}

/// Whether `p` lies inside any exterior ring of a GeoJSON MultiPolygon (ray casting).
fn in_multipolygon(mp: &Value, p: [f64; 2]) -> bool {
    mp["coordinates"].as_array().unwrap().iter().any(|poly| {
        let ring: Vec<[f64; 2]> = poly[0]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| [c[0].as_f64().unwrap(), c[1].as_f64().unwrap()])
            .collect();
        let mut inside = false;
        for (a, b) in ring.iter().zip(ring.iter().cycle().skip(1)) {
            if (a[1] > p[1]) != (b[1] > p[1])
                && p[0] < a[0] + (p[1] - a[1]) / (b[1] - a[1]) * (b[0] - a[0])
            {
                inside = !inside;
            }
        }
        inside
    })
}

#[test]
fn an_isochrone_from_the_start_of_a_one_way_road_starts_there() {
    // A car isochrone from exactly the junction where a long one-way road begins, that road
    // being the junction's first candidate. Seeding by (1 − f) × w put the junction at
    // 0 × ∞ = NaN and started from the road's far end instead: a 6-second isochrone then does
    // not even contain its own start. By the rule, the start is reached at 0 s.
    let g = corridor_roads::import_pbf(&bundled_map()).unwrap();
    let car = g.profile(corridor_roads::Profile::Car);
    let first_edge_at = |v: u32| {
        (0..car.edge_count())
            .find(|&e| car.edges.from[e] == v || car.edges.to[e] == v)
            .unwrap()
    };
    let e = (0..car.edge_count())
        .filter(|&e| {
            car.edge_bwd_arc[e] == corridor_routing::INVALID
                && car.edges.length_m[e] > 300.0
                && first_edge_at(car.edges.from[e]) == e
        })
        .max_by(|&a, &b| car.edges.length_m[a].total_cmp(&car.edges.length_m[b]))
        .expect("a long one-way road in Andorra");
    let start = car.node_coord[car.edges.from[e] as usize];
    let scenario = example_scenario();
    let from = format!("{},{}", start[1], start[0]);
    let o = corridor(
        &[
            "isochrone",
            "--scenario",
            scenario.to_str().unwrap(),
            "--from",
            &from,
            "--profile",
            "car",
            "--minutes",
            "0.1",
        ],
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let f = &v["features"][0];
    assert!(
        in_multipolygon(&f["geometry"], start),
        "start {start:?} (one-way way {}) outside its own isochrone",
        car.edges.way_id[e]
    );
}

#[test]
fn a_point_just_beyond_a_small_max_snap_says_how_far_in_centimetres() {
    // 42.5078,1.5211 lies 0.7 m from Carrer Doctor Nequí (the README's figure): within 0.8 m
    // it snaps, within 0.6 m it is refused with a distance that is not rounded below the limit.
    let map = bundled_map();
    let run = |max: &str| {
        corridor(
            &[
                "route",
                "--map",
                map.to_str().unwrap(),
                "--from",
                "42.5078,1.5211",
                "--to",
                "42.5078,1.5211",
                "--profile",
                "car",
                "--max-snap",
                max,
            ],
            &[],
        )
    };
    assert!(run("0.8").status.success());
    let o = run("0.6");
    assert!(!o.status.success());
    let e = stderr(&o);
    let shown: f64 = e
        .split("off the map: ")
        .nth(1)
        .and_then(|r| r.split(" m from").next())
        .and_then(|x| x.parse().ok())
        .unwrap_or_else(|| panic!("{e}"));
    assert!(shown > 0.6 && shown < 0.8, "{e}");
}

/// The other side of `auto`'s rule: a hierarchy with at most two lower triangles per node (a
/// single road, whose elimination tree is a path) is cheaper to customize than an A* query
/// is expected to cost, so `auto` answers from the CCH; the length is the road's, by hand.
#[test]
fn auto_takes_the_cch_on_a_hierarchy_with_few_triangles() {
    use osm::{pbf, way};
    let dir = tempfile::tempdir().unwrap();
    let map = dir.path().join("road.osm.pbf");
    // Six nodes 0.001° of longitude apart on the equator: 5 × 111.2 m of one residential road,
    // with junctions at nodes 3 and 5 so that the road has several edges.
    let nodes: Vec<(i64, f64, f64)> = (1..=6).map(|i| (i, (i - 1) as f64 * 0.001, 0.0)).collect();
    let ways = [
        way(1, &[1, 2, 3], &[("highway", "residential")]),
        way(2, &[3, 4, 5], &[("highway", "residential")]),
        way(3, &[5, 6], &[("highway", "residential")]),
    ];
    std::fs::write(&map, pbf(&nodes, &ways)).unwrap();
    let o = corridor(
        &[
            "route",
            "--map",
            map.to_str().unwrap(),
            "--from",
            "0.0,0.0",
            "--to",
            "0.0,0.005",
            "--profile",
            "car",
        ],
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["engine"], "cch", "{v}");
    // 0.005° of longitude on the equator, haversine on a 6,371,008.8 m sphere: 555.97 m.
    let want = 6_371_008.8 * 0.005f64.to_radians();
    let got = v["distance_m"].as_f64().unwrap();
    assert!((got - want).abs() < 0.2, "{got} vs {want}");
}

/// `access` and `isochrone` answer the same with `--engine dijkstra` and `--engine cch` (the
/// example on two dates, JSON and GeoJSON; isochrones on foot and by car from two points),
/// and each names the engine that ran; siege and evacuate name theirs.
#[test]
fn access_and_isochrones_answer_the_same_on_either_engine() {
    let sc = example_scenario();
    let sc = sc.to_str().unwrap();
    let run = |args: &[&str], engine: &str| -> Value {
        let mut a = args.to_vec();
        a.extend(["--engine", engine]);
        let o = corridor(&a, &[]);
        assert!(o.status.success(), "{}", stderr(&o));
        serde_json::from_slice(&o.stdout).unwrap()
    };
    // Everything but the engine's name (and the engine asked for) must be equal.
    fn strip(mut v: Value) -> Value {
        match &mut v {
            Value::Object(o) => {
                o.remove("engine");
                for x in o.values_mut() {
                    *x = strip(x.take());
                }
            }
            Value::Array(a) => {
                for x in a.iter_mut() {
                    *x = strip(x.take());
                }
            }
            _ => {}
        }
        v
    }
    for args in [
        vec!["access", sc, "--compare", "2016-07-14"],
        vec![
            "access",
            sc,
            "--compare",
            "2016-08-10",
            "--format",
            "geojson",
        ],
    ] {
        let (d, c) = (run(&args, "dijkstra"), run(&args, "cch"));
        if args.len() == 4 {
            assert_eq!(d["engine"]["as_of"]["foot"], "dijkstra");
            assert_eq!(c["engine"]["as_of"]["car"], "cch");
            assert_eq!(c["by_profile"][0]["engine"], "cch");
            assert!(c["by_profile"][0]["minutes_by_unit"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m.is_number()));
        }
        assert_eq!(strip(d), strip(c), "{args:?}");
    }
    for (profile, from) in [("foot", "42.5063,1.5220"), ("car", "42.5114,1.5383")] {
        let args = [
            "isochrone",
            "--scenario",
            sc,
            "--from",
            from,
            "--minutes",
            "5,10",
            "--profile",
            profile,
        ];
        let (d, c) = (run(&args, "dijkstra"), run(&args, "cch"));
        assert_eq!(d["properties"]["engine"], "dijkstra");
        assert_eq!(c["properties"]["engine"], "cch");
        assert!(!d["features"][0]["geometry"]["coordinates"]
            .as_array()
            .unwrap()
            .is_empty());
        assert_eq!(strip(d), strip(c), "{profile}");
    }
    let o = corridor(&["evacuate", sc], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        v["engine"]["engine"],
        "ccrp on the two-layer network; Dijkstra"
    );
    let o = corridor(&["siege", sc], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    // Auto on the example: the siege's measured constants make a sweep cost about what a
    // siege's bounded Dijkstra does, so with the customization on top every stage names
    // Dijkstra and quotes both estimates (the CCH answers with `--engine cch`, identically).
    let stages = v["engine"]["stages"][0]["stages"].as_array().unwrap();
    assert_eq!(stages.len(), 4, "{stages:?}");
    for st in stages {
        assert_eq!(st["engine"], "dijkstra", "{st}");
        assert!(st["why"]
            .as_str()
            .unwrap()
            .starts_with("auto: 5 searches estimated at"));
    }
    assert_eq!(v["engine"]["cuts"]["engine"], "max-flow (min_cut)");
}

/// The example scenario's incidents push `safest` costs past the CCH's `u32` milliseconds
/// (checked here on the scenario model's own weights), so `route --mode safest --engine cch`
/// answers from the `u64` customization: engine `cch`, and the same route as Dijkstra's.
#[test]
fn safest_routes_near_incidents_come_from_the_cch_and_match_dijkstra() {
    use corridor_roads::{in_cch_range, Profile, Snapper};
    use corridor_scenario::{Mode, ScenarioMap, Side};
    let scenario = example_scenario();
    let s = corridor_scenario::load(&scenario).unwrap();
    let road = corridor_roads::import_pbf(&bundled_map()).unwrap();
    let g = road.profile(Profile::Foot);
    let sm = ScenarioMap::new(&s, g, road.meta.bbox, &Snapper::new(g, road.meta.bbox)).unwrap();
    let w = sm.weights(Side::default_for(&s), Mode::Safest, 0.0);
    assert!(
        !in_cch_range(&w),
        "the example's safest costs should pass 24.8 days"
    );
    for (from, to) in [
        ("42.5070,1.5180", "42.5100,1.5400"),
        ("42.5063,1.5218", "42.5114,1.5383"),
        ("42.5000,1.5300", "42.5150,1.5450"),
    ] {
        let run = |engine: &str| -> Value {
            let o = corridor(
                &[
                    "route",
                    "--scenario",
                    scenario.to_str().unwrap(),
                    "--from",
                    from,
                    "--to",
                    to,
                    "--profile",
                    "foot",
                    "--mode",
                    "safest",
                    "--engine",
                    engine,
                ],
                &[],
            );
            assert!(o.status.success(), "{}", stderr(&o));
            serde_json::from_slice(&o.stdout).unwrap()
        };
        let (cch, dijkstra) = (run("cch"), run("dijkstra"));
        assert_eq!(cch["engine"], "cch", "{cch}");
        for k in ["distance_m", "duration_s"] {
            let (a, b) = (cch[k].as_f64().unwrap(), dijkstra[k].as_f64().unwrap());
            assert!((a - b).abs() <= 0.1, "{from} -> {to} {k}: {a} vs {b}");
        }
    }
}
