//! The `corridor` binary end to end: real files in, JSON out, and every bad input refused with a
//! one-line error that names the file or argument, a non-zero exit, no panic and no output file.

mod common;

use common::*;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// Asserts that a JSON object has every documented field.
fn assert_keys(v: &Value, keys: &[&str]) {
    for k in keys {
        assert!(!v[*k].is_null(), "{k} missing from {v}");
    }
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Byte offsets where the blobs of a PBF file end: each blob is a 4-byte big-endian header
/// length, a BlobHeader (protobuf, field 3 `datasize`), then `datasize` bytes.
fn blob_ends(bytes: &[u8]) -> Vec<usize> {
    let mut ends = Vec::new();
    let mut pos = 0;
    while pos + 4 <= bytes.len() {
        let hlen = u32::from_be_bytes(bytes[pos..pos + 4].try_into().unwrap()) as usize;
        let header = &bytes[pos + 4..pos + 4 + hlen];
        let mut i = 0;
        let mut datasize = 0usize;
        while i < header.len() {
            let tag = header[i];
            i += 1;
            let varint = |i: &mut usize| {
                let (mut v, mut shift) = (0usize, 0);
                loop {
                    let b = header[*i];
                    *i += 1;
                    v |= ((b & 0x7f) as usize) << shift;
                    shift += 7;
                    if b & 0x80 == 0 {
                        return v;
                    }
                }
            };
            match tag & 7 {
                0 => {
                    let v = varint(&mut i);
                    if tag >> 3 == 3 {
                        datasize = v;
                    }
                }
                2 => {
                    let l = varint(&mut i);
                    i += l;
                }
                _ => panic!("unexpected wire type"),
            }
        }
        pos += 4 + hlen + datasize;
        ends.push(pos);
    }
    ends
}

#[test]
fn route_prints_the_documented_json() {
    let dir = tempfile::tempdir().unwrap();
    let graph = dir.path().join("andorra.graph");
    let o = corridor(&[
        "import",
        bundled_map().to_str().unwrap(),
        "-o",
        graph.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(files_in(dir.path()), vec!["andorra.graph"]);
    for profile in ["foot", "car"] {
        let o = corridor(&[
            "route",
            "--graph",
            graph.to_str().unwrap(),
            "--from",
            "42.5063,1.5218",
            "--to",
            "42.5114,1.5383",
            "--profile",
            profile,
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["profile"], profile);
        let d = v["distance_m"].as_f64().unwrap();
        // At least the straight-line distance between the snapped points (~1.45 km), and not
        // an absurd detour.
        assert!(d > 1400.0 && d < 4000.0, "{d}");
        assert!(v["duration_s"].as_f64().unwrap() > 0.0);
        let coords = v["geometry"]["coordinates"].as_array().unwrap();
        assert_eq!(v["geometry"]["type"], "LineString");
        // GeoJSON order is lon,lat: the first point is the snapped start.
        assert!(
            (coords[0][0].as_f64().unwrap() - v["snapped"]["from"]["lon"].as_f64().unwrap()).abs()
                < 1e-6
        );
        assert!((coords[0][1].as_f64().unwrap() - 42.5063).abs() < 0.001);
        assert!(v["snapped"]["from"]["distance_m"].as_f64().unwrap() < 50.0);
        assert!(!v["streets"].as_array().unwrap().is_empty());
        assert_eq!(v["map"]["sha256"].as_str().unwrap().len(), 64);
    }
    let o = corridor(&[
        "route",
        "--graph",
        graph.to_str().unwrap(),
        "--from",
        "42.5063,1.5218",
        "--to",
        "42.5114,1.5383",
        "--format",
        "geojson",
    ]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["type"], "Feature");
    assert_eq!(v["geometry"]["type"], "LineString");
    assert!(v["properties"]["distance_m"].as_f64().unwrap() > 0.0);
}

#[test]
fn route_from_a_map_caches_the_graph_keyed_by_checksum() {
    let dir = tempfile::tempdir().unwrap();
    let map = dir.path().join("andorra.osm.pbf");
    std::fs::copy(bundled_map(), &map).unwrap();
    let args = [
        "route",
        "--map",
        map.to_str().unwrap(),
        "--from",
        "42.5063,1.5218",
        "--to",
        "42.5114,1.5383",
    ];
    let first = corridor(&args);
    assert!(first.status.success(), "{}", stderr(&first));
    let cached: Vec<String> = files_in(dir.path())
        .into_iter()
        .filter(|f| f.ends_with(".graph"))
        .collect();
    assert_eq!(cached.len(), 1, "{cached:?}");
    let second = corridor(&args);
    assert!(
        !stderr(&second).contains("cached graph in"),
        "second run re-imported"
    );
    assert_eq!(first.stdout, second.stdout);
}

#[test]
fn the_demo_runs_on_the_bundled_map() {
    let o = corridor(&["demo"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("foot") && out.contains("car") && out.contains("OpenStreetMap"),
        "{out}"
    );
}

#[test]
fn bad_map_files_are_refused_and_leave_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let bytes = std::fs::read(bundled_map()).unwrap();
    let out = d.join("out");
    std::fs::create_dir(&out).unwrap();
    let graph = out.join("x.graph");

    let truncated = d.join("truncated.osm.pbf");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let truncated_early = d.join("truncated-early.osm.pbf");
    std::fs::write(&truncated_early, &bytes[..300_000]).unwrap();
    let text = d.join("text.osm.pbf");
    std::fs::write(&text, "this is not a PBF file\n").unwrap();
    let empty = d.join("empty.osm.pbf");
    std::fs::write(&empty, "").unwrap();
    // The first blobs of a sorted PBF hold only nodes: a valid file with no roads.
    let ends = blob_ends(&bytes);
    assert!(ends.len() > 3 && *ends.last().unwrap() == bytes.len());
    let no_roads = d.join("noroads.osm.pbf");
    std::fs::write(&no_roads, &bytes[..ends[1]]).unwrap();
    let missing = d.join("missing.osm.pbf");

    for (file, needle) in [
        (&truncated, "truncated"),
        (&truncated_early, "truncated"),
        (&text, "not an OSM PBF file"),
        (&empty, "empty"),
        (&no_roads, "no roads"),
        (&missing, "no such file"),
    ] {
        let o = corridor(&[
            "import",
            file.to_str().unwrap(),
            "-o",
            graph.to_str().unwrap(),
        ]);
        let name = file.file_name().unwrap().to_str().unwrap();
        assert_fails(&o, &[name, needle]);
        assert!(
            files_in(&out).is_empty(),
            "left behind: {:?}",
            files_in(&out)
        );
        // The same through `route --map`.
        let o = corridor(&[
            "route",
            "--map",
            file.to_str().unwrap(),
            "--from",
            "42.5,1.52",
            "--to",
            "42.51,1.53",
        ]);
        assert_fails(&o, &[name]);
    }
}

#[test]
fn bad_graph_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let graph = dir.path().join("good.graph");
    let o = corridor(&[
        "import",
        bundled_map().to_str().unwrap(),
        "-o",
        graph.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    let bytes = std::fs::read(&graph).unwrap();
    let mut v9 = bytes.clone();
    v9[8..12].copy_from_slice(&9u32.to_le_bytes());
    let mut flipped = bytes.clone();
    let i = bytes.len() / 3;
    flipped[i] = !flipped[i];
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("v9.graph", v9, "version 9"),
        ("flipped.graph", flipped, "corrupted"),
        (
            "short.graph",
            bytes[..bytes.len() - 7].to_vec(),
            "corrupted",
        ),
        (
            "pbf.graph",
            std::fs::read(bundled_map()).unwrap(),
            "not a corridor graph file",
        ),
    ];
    for (name, content, needle) in cases {
        let p = dir.path().join(name);
        std::fs::write(&p, content).unwrap();
        let o = corridor(&[
            "route",
            "--graph",
            p.to_str().unwrap(),
            "--from",
            "42.5063,1.5218",
            "--to",
            "42.5114,1.5383",
        ]);
        assert_fails(&o, &[name, needle]);
    }
    let o = corridor(&[
        "route",
        "--graph",
        "/nonexistent/x.graph",
        "--from",
        "42.5,1.52",
        "--to",
        "42.51,1.53",
    ]);
    assert_fails(&o, &["/nonexistent/x.graph", "no such file"]);
}

#[test]
fn bad_coordinates_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let graph = dir.path().join("a.graph");
    assert!(corridor(&[
        "import",
        bundled_map().to_str().unwrap(),
        "-o",
        graph.to_str().unwrap()
    ])
    .status
    .success());
    let g = graph.to_str().unwrap();
    for (from, to, needles) in [
        ("36.2,", "42.51,1.53", vec!["--from", "36.2,", "LAT,LON"]),
        ("abc", "42.51,1.53", vec!["--from", "abc"]),
        ("42.5,1.52", "95,1.5", vec!["--to", "latitude"]),
        // Aleppo is not in Andorra: off the map.
        (
            "36.2,37.15",
            "42.51,1.53",
            vec![
                "--from",
                "36.2,37.15",
                "off the map",
                "km from the nearest",
                "--max-snap",
            ],
        ),
        (
            "42.5,1.52",
            "42.6,1.9",
            vec!["--to", "42.6,1.9", "off the map"],
        ),
    ] {
        let o = corridor(&["route", "--graph", g, "--from", from, "--to", to]);
        assert_fails(&o, &needles);
    }
    // Sant Julià de Lòria is cut off from Andorra la Vella on foot in this extract (the CG-1
    // sections, primary roads, are tagged foot=no), but not by car.
    let o = corridor(&[
        "route",
        "--graph",
        g,
        "--from",
        "42.4407395,1.4591088",
        "--to",
        "42.5063,1.5218",
    ]);
    assert_fails(&o, &["no foot route", "do not connect"]);
    let o = corridor(&[
        "route",
        "--graph",
        g,
        "--from",
        "42.4407395,1.4591088",
        "--to",
        "42.5063,1.5218",
        "--profile",
        "car",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    // A negative latitude is a value, not a flag.
    let o = corridor(&[
        "route",
        "--graph",
        g,
        "--from",
        "-42.5,1.52",
        "--to",
        "42.51,1.53",
    ]);
    assert_fails(&o, &["--from", "off the map"]);
}

#[test]
fn scenario_routes_report_their_exposure_and_inputs() {
    let sc = example_scenario();
    let sc = sc.to_str().unwrap();
    let base = [
        "route",
        "--scenario",
        sc,
        "--from",
        "42.5070,1.5180",
        "--to",
        "42.5100,1.5400",
    ];
    let fastest = json(&[&base[..], &["--mode", "fastest"]].concat());
    let safest = json(&[&base[..], &["--mode", "safest", "--alternatives", "2"]].concat());
    let balanced = json(&[&base[..], &["--mode", "balanced", "--lambda", "0.5"]].concat());
    for v in [&fastest, &safest, &balanced] {
        assert_eq!(v["side"], "civilian:opp");
        assert_eq!(v["scenario"]["as_of"], "2016-07-28");
        assert_eq!(v["scenario"]["sha256"].as_str().unwrap().len(), 64);
        assert!(v["scenario"]["name"]
            .as_str()
            .unwrap()
            .contains("Illustrative"));
        assert!(
            v["scenario"]["parameters"]["half_life_days"]
                .as_f64()
                .unwrap()
                > 0.0
        );
        assert!(v["risk"].as_f64().unwrap() > 0.0);
        let ex = &v["exposure"];
        assert!(
            (ex["incident_risk"].as_f64().unwrap() + ex["front_risk"].as_f64().unwrap()
                - ex["risk"].as_f64().unwrap())
            .abs()
                < 1e-6
        );
        for i in ex["incidents_within_250m"].as_array().unwrap() {
            assert!(i["distance_m"].as_f64().unwrap() <= 250.0);
            // The incident dated after as_of never appears.
            assert_ne!(i["id"], "AND9");
        }
        assert!(ex["riskiest_segment"]["risk_per_metre"].as_f64().unwrap() > 0.0);
    }
    assert_eq!(safest["mode"], "safest");
    let (rf, rs, rb) = (
        fastest["risk"].as_f64().unwrap(),
        safest["risk"].as_f64().unwrap(),
        balanced["risk"].as_f64().unwrap(),
    );
    let (tf, ts, tb) = (
        fastest["duration_s"].as_f64().unwrap(),
        safest["duration_s"].as_f64().unwrap(),
        balanced["duration_s"].as_f64().unwrap(),
    );
    // Safest is least exposed, fastest is quickest, balanced lies between.
    assert!(rs <= rb + 1e-6 && rb <= rf + 1e-6, "{rs} {rb} {rf}");
    assert!(tf <= tb + 1e-6 && tb <= ts + 1e-6, "{tf} {tb} {ts}");
    assert!(rs < rf);
    let alts = safest["alternatives"].as_array().unwrap();
    assert!(!alts.is_empty());
    for a in alts {
        assert!(a["shared_fraction"].as_f64().unwrap() <= 0.5);
        // Nothing beats the safest route on exposure.
        assert!(a["risk"].as_f64().unwrap() >= rs - 1e-6);
        assert!(a["exposure"].is_object());
    }
}

#[test]
fn scenario_check_draws_every_layer() {
    let sc = example_scenario();
    let o = corridor(&[
        "scenario",
        "check",
        sc.to_str().unwrap(),
        "--format",
        "geojson",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["type"], "FeatureCollection");
    let count = |layer: &str| {
        v["features"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["properties"]["layer"] == layer)
            .count()
    };
    assert_eq!(count("territory"), 2);
    assert!(count("front_line") >= 1);
    assert_eq!(count("incident"), 9);
    assert!(count("closure") >= 1);
    assert_eq!(count("checkpoint"), 4);
    let o = corridor(&["scenario", "check", sc.to_str().unwrap()]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["incidents"]["ignored_after_as_of"], 1);
    assert_eq!(v["default_side"], "civilian:opp");
}

#[test]
fn scenario_errors_are_one_line() {
    let sc = example_scenario();
    let sc = sc.to_str().unwrap();
    let o = corridor(&["scenario", "check", "/nonexistent/scenario.toml"]);
    assert_fails(&o, &["/nonexistent/scenario.toml", "no such file"]);
    let o = corridor(&[
        "route",
        "--scenario",
        sc,
        "--from",
        "42.5070,1.5180",
        "--to",
        "42.5100,1.5400",
        "--side",
        "rebels",
    ]);
    assert_fails(&o, &["--side 'rebels'", "unknown party", "gov, opp"]);
    let o = corridor(&[
        "route",
        "--map",
        bundled_map().to_str().unwrap(),
        "--from",
        "42.5070,1.5180",
        "--to",
        "42.5100,1.5400",
        "--mode",
        "safest",
    ]);
    assert_fails(&o, &["need --scenario"]);
    // A fighter may not use the civilian crossing: no way out.
    let o = corridor(&[
        "route",
        "--scenario",
        sc,
        "--from",
        "42.5070,1.5180",
        "--to",
        "42.4945,1.4990",
        "--side",
        "opp",
    ]);
    assert_fails(&o, &["no foot route", "closed to side opp"]);
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("scenario.toml");
    std::fs::write(
        &bad,
        "name = \"x\"\nas_of = \"2016-07-28\"\nmap = \"m.osm.pbf\"\nincidents = \"i.csv\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("i.csv"),
        "event_id_cnty,event_date\nA,2016-01-01\n",
    )
    .unwrap();
    let o = corridor(&["scenario", "check", bad.to_str().unwrap()]);
    assert_fails(&o, &["i.csv", "line 1", "missing required column"]);
}

#[test]
fn siege_reports_status_roads_cut_and_forecast() {
    let sc = example_scenario();
    let sc = sc.to_str().unwrap();
    let v = json(&["siege", sc]);
    assert_eq!(v["scenario"]["as_of"], "2016-07-28");
    assert_eq!(v["map"]["sha256"].as_str().unwrap().len(), 64);
    let e = &v["enclaves"][0];
    assert_eq!(e["population"], 250000.0);
    // The result says how the people were placed (the example's sectors are invented).
    assert!(e["population_rule"]
        .as_str()
        .unwrap()
        .contains("foot road junctions"));
    // Every piece is reported; the headline piece is the worst one (besieged first).
    let pieces = e["pieces"].as_array().unwrap();
    assert!(!pieces.is_empty());
    let worst = &pieces[e["headline_piece"].as_u64().unwrap() as usize];
    assert_eq!(e["status"], worst["status"]);
    let rank = |s: &Value| {
        ["open", "contested", "besieged"]
            .iter()
            .position(|x| s == x)
            .unwrap()
    };
    for p in pieces {
        assert!(rank(&p["status"]) <= rank(&worst["status"]));
    }
    // The city: the piece with the most people, fed by one truck road.
    let city = pieces
        .iter()
        .max_by(|a, b| {
            a["population"]
                .as_f64()
                .unwrap()
                .total_cmp(&b["population"].as_f64().unwrap())
        })
        .unwrap();
    assert_eq!(city["status"], "open");
    assert_eq!(city["min_cut"]["size"], 1);
    assert!(city["forecast"]["assumptions"].as_array().unwrap().len() >= 3);
    assert_eq!(city["forecast"]["inflow_bound"], "routes");
    // What if that road is closed: the city loses its truck route and food runs out.
    let way = city["min_cut"]["roads"][0]["osm_way_id"]
        .as_i64()
        .unwrap()
        .to_string();
    let w = json(&["siege", sc, "--close", &way]);
    let c = &w["what_if"]["changes"][0];
    assert!(!c["routes_lost"].as_array().unwrap().is_empty());
    let after = &w["what_if"]["enclaves"][0];
    let city_after = &after["pieces"][city["index"].as_u64().unwrap() as usize];
    assert_eq!(city_after["status"], "besieged");
    assert_eq!(city_after["forecast"]["open_supply_routes"], 0);
    assert!(city_after["forecast"]["runs_out_on"].is_string());
    assert!(after["headline"][0].as_str().unwrap().contains("BESIEGED"));
    // Reopening it again restores the baseline.
    let back = json(&["siege", sc, "--close", &way, "--open", &way]);
    assert_eq!(
        back["what_if"]["enclaves"][0]["pieces"][city["index"].as_u64().unwrap() as usize]
            ["status"],
        "open"
    );
    // GeoJSON: the enclave outline, supply routes and the cut roads.
    let g = json(&["siege", sc, "--format", "geojson"]);
    let layers: Vec<&str> = g["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["layer"].as_str().unwrap())
        .collect();
    for l in ["enclave", "piece", "supply_route", "min_cut"] {
        assert!(layers.contains(&l), "{l} missing");
    }
}

#[test]
fn scenario_check_lists_the_crossing_each_checkpoint_opens() {
    let sc = example_scenario();
    let v = json(&["scenario", "check", sc.to_str().unwrap()]);
    let corridors = v["corridors"].as_array().unwrap();
    assert_eq!(corridors.len(), 4);
    let enclar = &corridors[0];
    assert_eq!(enclar["name"], "Enclar crossing");
    // Avinguda d'Enclar, on foot and by car, within a metre of the declared point.
    assert_eq!(enclar["osm_way_id"], 24714743);
    for c in enclar["crossing"].as_array().unwrap() {
        assert_eq!(c["osm_way_id"], 24714743);
        assert_eq!(c["opens"], true);
        assert!(c["distance_m"].as_f64().unwrap() < 1.0);
    }
    // A checkpoint on a road that crosses nothing is refused, naming its road.
    let dir = tempfile::tempdir().unwrap();
    let src = sc.parent().unwrap();
    for f in std::fs::read_dir(src).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, dir.path().join(f.file_name().unwrap())).unwrap();
    }
    let m = dir.path().join("scenario.toml");
    let text = std::fs::read_to_string(&m)
        .unwrap()
        .replace("../../andorra.osm.pbf", bundled_map().to_str().unwrap())
        .replace(
            "checkpoint = [42.50255, 1.51284]",
            "checkpoint = [42.5075, 1.5300]",
        );
    std::fs::write(&m, text).unwrap();
    let o = corridor(&["scenario", "check", m.to_str().unwrap()]);
    assert_fails(
        &o,
        &[
            "scenario.toml",
            "corridor 'Enclar crossing'",
            "opens no crossing",
        ],
    );
}

/// The example scenario copied to a temporary folder with `edit` applied to its manifest.
fn edited_example(edit: impl Fn(String) -> String) -> (tempfile::TempDir, PathBuf) {
    let sc = example_scenario();
    let dir = tempfile::tempdir().unwrap();
    for f in std::fs::read_dir(sc.parent().unwrap()).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, dir.path().join(f.file_name().unwrap())).unwrap();
    }
    let m = dir.path().join("scenario.toml");
    let text = std::fs::read_to_string(&m)
        .unwrap()
        .replace("../../andorra.osm.pbf", bundled_map().to_str().unwrap());
    std::fs::write(&m, edit(text)).unwrap();
    (dir, m)
}

fn seconds_of(v: &Value) -> i64 {
    let t =
        chrono::NaiveDateTime::parse_from_str(v.as_str().unwrap(), "%Y-%m-%dT%H:%M:%S").unwrap();
    t.and_utc().timestamp()
}

/// Hand-counted: every civilian crossing open 06:00–20:00. Leaving at 03:00, the route waits at
/// its checkpoint until 06:00 exactly, and arrives travel time + that wait after it left; at
/// noon it waits for nothing. With `until` the departure day, a route reaching the checkpoint
/// at 21:00 is refused (it never opens again), and one leaving the day after finds every
/// crossing closed.
#[test]
fn route_waits_for_checkpoint_hours_and_never_passes_a_closed_one() {
    let hours = |t: String| {
        t.replace(
            "capacity_per_hour = 2000\n",
            "capacity_per_hour = 2000\nhours = \"06:00-20:00\"\n",
        )
    };
    let (_d, m) = edited_example(hours);
    let m = m.to_str().unwrap();
    let route = |depart: &str| {
        json(&[
            "route",
            "--scenario",
            m,
            "--from",
            "42.5040,1.5140",
            "--to",
            "42.4945,1.4990",
            "--depart",
            depart,
        ])
    };
    let early = route("2016-07-28T03:00");
    let crossings = early["crossings"].as_array().unwrap();
    assert_eq!(crossings.len(), 1, "{early}");
    let c = &crossings[0];
    let wait = c["wait_s"].as_f64().unwrap();
    assert!(wait > 0.0);
    assert_eq!(
        seconds_of(&c["arrive"]) + wait.round() as i64,
        seconds_of(&json!("2016-07-28T06:00:00"))
    );
    let travel = early["duration_s"].as_f64().unwrap();
    let total = seconds_of(&early["arrive"]) - seconds_of(&early["depart"]);
    assert!(
        (total as f64 - (travel + wait)).abs() <= 1.0,
        "{total} vs {travel} + {wait}"
    );
    let noon = route("2016-07-28T12:00");
    assert_eq!(noon["crossings"][0]["wait_s"], 0.0);
    assert_eq!(noon["duration_s"], early["duration_s"]);
    // Closed for good after the departure day.
    let until = |t: String| {
        hours(t).replace(
            "reception = [42.4945, 1.4990]\n",
            "reception = [42.4945, 1.4990]\nuntil = \"2016-07-28\"\n",
        )
    };
    let (_d2, m2) = edited_example(until);
    let m2 = m2.to_str().unwrap();
    let args = |depart: &'static str| {
        vec![
            "route",
            "--scenario",
            m2,
            "--from",
            "42.5040,1.5140",
            "--to",
            "42.4945,1.4990",
            "--depart",
            depart,
        ]
    };
    let late = corridor(&args("2016-07-28T21:00"));
    assert_fails(
        &late,
        &[
            "Enclar crossing",
            "does not open again",
            "until = 2016-07-28",
        ],
    );
    let after = corridor(&args("2016-07-29T12:00"));
    assert_fails(&after, &["no foot route", "closed to side"]);
    let bad = corridor(&args("28/07/2016"));
    assert_fails(&bad, &["--depart '28/07/2016'", "YYYY-MM-DDTHH:MM"]);
}

/// Hand-set dates: a corridor whose `until` is the day before `as_of`, one that opens the day
/// after, one for cars only; the siege output names each as closed on foot (and why), and the
/// untouched ones as open.
#[test]
fn siege_names_the_checkpoints_closed_on_as_of() {
    let (_d, m) = edited_example(|t| {
        t.replace(
            "capacity_per_hour = 2000\n",
            "capacity_per_hour = 2000\nuntil = \"2016-07-27\"\n",
        )
        .replace(
            "name = \"Gil Torres crossing\"\n",
            "name = \"Gil Torres crossing\"\nsince = \"2016-07-29\"\n",
        )
        .replace(
            "name = \"Tarragona crossing\"\n",
            "name = \"Tarragona crossing\"\nmodes = [\"car\"]\n",
        )
    });
    let v = json(&["siege", m.to_str().unwrap()]);
    let list = v["checkpoints_on_as_of"].as_array().unwrap();
    let by_name = |n: &str| list.iter().find(|c| c["name"] == n).unwrap().clone();
    let enclar = by_name("Enclar crossing");
    assert_eq!(enclar["open"], false);
    assert!(enclar["closed"]["foot"]
        .as_str()
        .unwrap()
        .contains("until = 2016-07-27"));
    let gil = by_name("Gil Torres crossing");
    assert_eq!(gil["open"], false);
    assert!(gil["closed"]["car"]
        .as_str()
        .unwrap()
        .contains("opens only on 2016-07-29"));
    let tarragona = by_name("Tarragona crossing");
    assert_eq!(tarragona["open"], true);
    assert!(tarragona["closed"]["foot"]
        .as_str()
        .unwrap()
        .contains("not open to foot"));
    assert!(tarragona["closed"].get("car").is_none());
    let cs = by_name("CS-101 crossing (combatants)");
    assert_eq!(cs["open"], true);
    assert_eq!(cs["closed"], json!({}));
}

#[test]
fn siege_errors_are_one_line() {
    let sc = example_scenario();
    let o = corridor(&[
        "siege",
        sc.to_str().unwrap(),
        "--close",
        "Nonexistent Street",
    ]);
    assert_fails(&o, &["--close/--open 'Nonexistent Street'", "no road"]);
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("scenario.toml");
    std::fs::write(
        &m,
        format!(
            "name = \"x\"\nas_of = \"2016-07-28\"\nmap = \"{}\"\n",
            bundled_map().display()
        ),
    )
    .unwrap();
    let o = corridor(&["siege", m.to_str().unwrap()]);
    assert_fails(&o, &["scenario.toml", "no [[enclave]]"]);
}

#[test]
fn dimacs_bench_reads_topologies_and_refuses_bad_ones() {
    let dir = tempfile::tempdir().unwrap();
    // A 4-cycle: every query between distinct nodes costs 1 or 2 hops.
    let ok = dir.path().join("ring.gr");
    std::fs::write(&ok, "c ring\np tw 4 4\n1 2\n2 3\n3 4\n4 1\n").unwrap();
    let v = json(&[
        "bench",
        "--dimacs",
        ok.to_str().unwrap(),
        "--queries",
        "20",
        "--format",
        "json",
    ]);
    assert_eq!(v["nodes"], 4);
    assert_eq!(v["arcs"], 8);
    assert_eq!(v["queries"], 20);
    assert_eq!(v["cch_stored"], false);
    // Prepared once with its order and CCH, then benchmarked from the file (the bench checks
    // every answer against Dijkstra and fails otherwise).
    let topo = dir.path().join("ring.topo");
    let o = corridor(&[
        "import",
        "--dimacs",
        ok.to_str().unwrap(),
        "-o",
        topo.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v = json(&[
        "bench",
        "--dimacs",
        topo.to_str().unwrap(),
        "--queries",
        "20",
        "--format",
        "json",
    ]);
    assert_eq!(
        (v["nodes"].clone(), v["arcs"].clone()),
        (4.into(), 8.into())
    );
    assert_eq!(v["cch_stored"], true);
    assert_eq!(v["order_s"], 0.0);
    let mut damaged = std::fs::read(&topo).unwrap();
    let last = damaged.len() - 1;
    damaged[last] ^= 0x40;
    std::fs::write(&topo, damaged).unwrap();
    assert_fails(
        &corridor(&["bench", "--dimacs", topo.to_str().unwrap()]),
        &["ring.topo", "checksum mismatch"],
    );
    let bad = dir.path().join("bad.gr");
    std::fs::write(&bad, "p tw 3 2\n1 2\n2 9\n").unwrap();
    assert_fails(
        &corridor(&["bench", "--dimacs", bad.to_str().unwrap()]),
        &["bad.gr", "line 3", "out of 1..=3"],
    );
    // No arcs at all: one line saying so (it said the synthetic safest metric did not pass
    // u32's range), before and after preparing the file.
    let lone = dir.path().join("lone.gr");
    std::fs::write(&lone, "p tw 1 0\n").unwrap();
    assert_fails(
        &corridor(&["bench", "--dimacs", lone.to_str().unwrap()]),
        &["no roads to query", "1 nodes, 0 arcs"],
    );
    let xz = dir.path().join("bad.gr.xz");
    std::fs::write(&xz, "not xz").unwrap();
    assert_fails(
        &corridor(&["bench", "--dimacs", xz.to_str().unwrap()]),
        &["bad.gr.xz", "not a valid .xz"],
    );
}

#[test]
fn evacuate_prints_the_documented_plan() {
    let sc = example_scenario();
    let sc = sc.to_str().unwrap();
    let v = json(&["evacuate", sc, "--suggest", "2"]);
    assert_keys(
        &v,
        &[
            "people",
            "egress_time_s",
            "lower_bound_s",
            "gap",
            "corridors",
            "neighbourhoods",
            "bottlenecks",
            "remaining_by_hour",
            "assumptions",
            "scenario",
            "map",
        ],
    );
    assert_eq!(v["people"], 250000.0);
    assert!(v["egress_time_s"].as_f64().unwrap() >= v["lower_bound_s"].as_f64().unwrap() - 1.0);
    let c = &v["corridors"][0];
    assert_keys(
        c,
        &[
            "name",
            "purpose",
            "people",
            "first_arrival_s",
            "last_arrival_s",
            "peak_queue",
            "checkpoint_utilisation",
        ],
    );
    let n = &v["neighbourhoods"][0];
    assert_keys(
        n,
        &["name", "people", "corridor", "route", "departure_windows"],
    );
    // Stayers stay in the count to the very end.
    let last = v["remaining_by_hour"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    // The stayers (10 %) and the stranded (those living over 500 m from any road).
    assert_eq!(
        last["inside"].as_f64().unwrap(),
        25000.0 + v["stranded"].as_f64().unwrap()
    );
    // Suggestions are chosen by the egress they achieve, re-planning each time, and say why
    // when there are fewer than asked for.
    let s = &v["suggested_corridors"];
    let chosen = s["chosen"].as_array().unwrap();
    assert!(chosen.len() == 2 || s["fewer_because"].is_string(), "{s}");
    let mut last = s["egress_before_s"].as_f64().unwrap();
    for c in chosen {
        let e = c["egress_time_s"].as_f64().unwrap();
        assert!(
            e < last,
            "each suggestion brings the last person out earlier"
        );
        last = e;
        assert!(c["why"].as_str().unwrap().contains("re-planning"));
    }
    // The plan passes the independent check from its own JSON; a tampered one fails.
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.json");
    std::fs::write(&plan, serde_json::to_string(&v).unwrap()).unwrap();
    let ok = json(&["evacuate", sc, "--verify", plan.to_str().unwrap()]);
    assert_eq!(ok["ok"], true, "{ok}");
    assert!(ok["road_loads_checked"].as_u64().unwrap() > 1000);
    let mut bad = v.clone();
    bad["groups"][0]["people"] = json!(1e6);
    std::fs::write(&plan, serde_json::to_string(&bad).unwrap()).unwrap();
    assert_fails(
        &corridor(&["evacuate", sc, "--verify", plan.to_str().unwrap()]),
        &["plan.json", "the plan fails"],
    );
    std::fs::write(&plan, "{\"people\": 3").unwrap();
    assert_fails(
        &corridor(&["evacuate", sc, "--verify", plan.to_str().unwrap()]),
        &["plan.json", "not JSON"],
    );
    let g = json(&["evacuate", sc, "--format", "geojson"]);
    assert_eq!(g["type"], "FeatureCollection");
    assert!(g["features"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["properties"]["people"].as_f64().unwrap() > 0.0));
    // A scenario without population cannot be evacuated.
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("scenario.toml");
    std::fs::write(
        &m,
        format!(
            "name = \"x\"\nas_of = \"2016-07-28\"\nmap = \"{}\"\n",
            bundled_map().display()
        ),
    )
    .unwrap();
    assert_fails(
        &corridor(&["evacuate", m.to_str().unwrap()]),
        &["scenario.toml", "no [[enclave]]"],
    );
}

#[test]
fn access_and_isochrones_from_the_command_line() {
    let sc = example_scenario();
    let sc = sc.to_str().unwrap();
    let v = json(&["access", sc, "--compare", "2016-07-14"]);
    assert_keys(
        &v,
        &[
            "facilities",
            "population",
            "coverage",
            "coverage_fully_functioning",
            "load",
            "catchments",
            "changes",
            "assumptions",
            "scenario",
            "map",
        ],
    );
    assert_eq!(v["facilities"]["destroyed"], 1);
    // The scenario on 14 July, by hand: AND1 is the only incident so far, and the Pont Pla
    // tunnel (closed since 19 July) is still open.
    let then = &v["changes"]["scenario_on_compare_date"];
    assert_eq!(then["incidents"], 1);
    assert_eq!(then["closures_in_force"], 0);
    // The example's dated record reopens the hospital (partially) on 5 August.
    let later = json(&["access", sc, "--compare", "2016-08-10"]);
    let gained = &later["changes"]["facilities_gained"][0];
    assert_eq!(gained["id"], "osm:w194554955");
    assert_eq!(gained["status"], "partially_functioning");
    assert_eq!(
        later["changes"]["scenario_on_compare_date"]["incidents"],
        10
    );
    let lost = &v["changes"]["facilities_lost"][0];
    assert_eq!(lost["changed_by"][0]["incident"], "AND10");
    assert!(
        v["changes"]["people_lost_access"][0]["people"]
            .as_f64()
            .unwrap()
            > 0.0
    );
    let g = json(&[
        "isochrone",
        "--scenario",
        sc,
        "--from",
        "42.5063,1.5220",
        "--minutes",
        "5,10",
    ]);
    let f = g["features"].as_array().unwrap();
    assert_eq!(f.len(), 2);
    assert_eq!(f[0]["geometry"]["type"], "MultiPolygon");
    assert_eq!(f[0]["properties"]["minutes"], 10.0);
    assert_fails(
        &corridor(&["access", sc, "--compare", "July 14"]),
        &["--compare 'July 14'", "YYYY-MM-DD"],
    );
    assert_fails(
        &corridor(&[
            "isochrone",
            "--scenario",
            sc,
            "--from",
            "42.5,1.52",
            "--minutes",
            "-5",
        ]),
        &["--minutes"],
    );
}
