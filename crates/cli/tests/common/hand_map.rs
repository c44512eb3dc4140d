//! Hand-built evacuation scenarios on one layout (x m east, y m north of (0°, 0°)): the
//! enclave is x in [−300, 2,600] m, y in [−500, 2,500] m; the civilian crossing's checkpoint
//! stands at (−300, 0) with its reception at (−1,200, 0), the combatants' at (2,600, 0) with
//! its reception at (3,800, 0). Each test writes its own roads, people and `[evacuation]` lines.
#![allow(dead_code)]

use super::osm;
use super::{corridor, json, stderr};
use std::collections::HashSet;
use std::path::Path;

/// `[lon, lat]` of a point `x` m east and `y` m north of (0°, 0°).
pub fn at(x: f64, y: f64) -> [f64; 2] {
    [x / osm::M_PER_DEG, y / osm::M_PER_DEG]
}

/// `[LAT, LON]` as the manifest writes checkpoints and receptions.
pub fn lat_lon(x: f64, y: f64) -> String {
    let p = at(x, y);
    format!("[{}, {}]", p[1], p[0])
}

/// A polygon ring x0..x1 × y0..y1 as GeoJSON coordinates.
pub fn ring(x0: f64, y0: f64, x1: f64, y1: f64) -> String {
    let p = |x: f64, y: f64| {
        let q = at(x, y);
        format!("[{},{}]", q[0], q[1])
    };
    format!(
        "[{},{},{},{},{}]",
        p(x0, y0),
        p(x1, y0),
        p(x1, y1),
        p(x0, y1),
        p(x0, y0)
    )
}

/// A residential way 100 m wide with 20 lanes (468,000 walkers/h, 54,000 drivers/h): a
/// crossing road whose own capacities never bind, so that its checkpoint's do.
pub fn never_binding_way(id: i64, nodes: &[i64]) -> osm::Way {
    osm::way(
        id,
        nodes,
        &[
            ("highway", "residential"),
            ("width", "100"),
            ("lanes", "20"),
        ],
    )
}

/// Writes `hand.osm.pbf`: `nodes` as `(id, x m, y m)` and `ways`.
pub fn write_map(dir: &Path, nodes: &[(i64, f64, f64)], ways: &[osm::Way]) {
    let nodes: Vec<(i64, f64, f64)> = nodes
        .iter()
        .map(|&(id, x, y)| {
            let p = at(x, y);
            (id, p[0], p[1])
        })
        .collect();
    std::fs::write(dir.join("hand.osm.pbf"), osm::pbf(&nodes, ways)).unwrap();
}

/// Writes `territory.geojson`: the besieger ("gov") all around, with the enclave ("opp") cut
/// out of it and held by the besieged.
pub fn write_territory(dir: &Path) {
    let territory = format!(
        r#"{{"type":"FeatureCollection","features":[
        {{"type":"Feature","properties":{{"party":"gov"}},"geometry":{{"type":"Polygon","coordinates":[{},{}]}}}},
        {{"type":"Feature","properties":{{"party":"opp"}},"geometry":{{"type":"Polygon","coordinates":[{}]}}}}]}}"#,
        ring(-5000.0, -5000.0, 8000.0, 8000.0),
        ring(-300.0, 2500.0, 2600.0, -500.0),
        ring(-300.0, -500.0, 2600.0, 2500.0)
    );
    std::fs::write(dir.join("territory.geojson"), territory).unwrap();
}

/// Writes `population.geojson`: `population` as (name, x, y, people).
pub fn write_population(dir: &Path, population: &[(&str, f64, f64, f64)]) {
    let features: Vec<String> = population
        .iter()
        .map(|(name, x, y, people)| {
            let p = at(*x, *y);
            format!(
                r#"{{"type":"Feature","properties":{{"name":"{name}","people":{people}}},"geometry":{{"type":"Point","coordinates":[{},{}]}}}}"#,
                p[0], p[1]
            )
        })
        .collect();
    std::fs::write(
        dir.join("population.geojson"),
        format!(
            r#"{{"type":"FeatureCollection","features":[{}]}}"#,
            features.join(",")
        ),
    )
    .unwrap();
}

/// Replaces `from` by `to` in the directory's `scenario.toml`; `from` must occur exactly once
/// (a test whose edit silently matched nothing would plan a scenario other than the one it
/// describes).
pub fn edit_manifest(dir: &Path, from: &str, to: &str) {
    let path = dir.join("scenario.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        text.matches(from).count(),
        1,
        "{from:?} in {}",
        path.display()
    );
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

/// Writes `scenario.toml` named `name`: the two parties, the enclave, the west (civilian)
/// and east (combatant) crossings with their capacities per hour, and `evacuation` (TOML
/// lines after `[evacuation]`).
pub fn write_manifest(
    dir: &Path,
    name: &str,
    civilian_per_hour: u32,
    combatant_per_hour: u32,
    evacuation: &str,
) {
    let manifest = format!(
        r#"name = "{name}"
as_of = "2016-07-28"
map = "hand.osm.pbf"
territory = "territory.geojson"
population = "population.geojson"

[[party]]
id = "gov"
name = "Besieger"

[[party]]
id = "opp"
name = "Besieged"

[[enclave]]
name = "Valley"
party = "opp"

[[corridor]]
name = "West crossing"
purpose = "civilian"
checkpoint = {west}
capacity_per_hour = {civilian_per_hour}
reception = {west_reception}

[[corridor]]
name = "East crossing (combatants)"
purpose = "combatant"
checkpoint = {east}
capacity_per_hour = {combatant_per_hour}
reception = {east_reception}

[evacuation]
{evacuation}
"#,
        west = lat_lon(-300.0, 0.0),
        west_reception = lat_lon(-1200.0, 0.0),
        east = lat_lon(2600.0, 0.0),
        east_reception = lat_lon(3800.0, 0.0),
    );
    std::fs::write(dir.join("scenario.toml"), manifest).unwrap();
}

/// Plans the scenario in `dir`, checks the plan with `--verify`, and returns its JSON.
pub fn plan_and_verify(dir: &tempfile::TempDir) -> serde_json::Value {
    let dir = dir.path();
    let sc = dir.join("scenario.toml");
    let v = json(&["evacuate", sc.to_str().unwrap(), "--format", "json"]);
    let file = dir.join("plan.json");
    std::fs::write(&file, v.to_string()).unwrap();
    let o = corridor(&[
        "evacuate",
        sc.to_str().unwrap(),
        "--verify",
        file.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "verify: {}", stderr(&o));
    v
}

/// The OSM ways any group of `purpose` (in a plan's JSON) takes.
pub fn ways_of(v: &serde_json::Value, purpose: &str) -> HashSet<i64> {
    v["groups"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["purpose"] == purpose)
        .flat_map(|g| g["ways"].as_array().unwrap().iter())
        .map(|w| w.as_i64().unwrap())
        .collect()
}
