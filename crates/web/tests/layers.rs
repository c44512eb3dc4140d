//! The web map's layers against oracles that do not share the code's model: the road network
//! against a direct read of the OSM file (osmpbf), the scenario layers against the scenario's
//! own files read as plain JSON/CSV text.

use corridor_roads::{import_pbf, Profile, RoadGraph, Snapper};
use corridor_scenario::ScenarioMap;
use osmpbf::{Element, ElementReader};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::OnceLock;

fn data(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../data")
        .join(rel)
}

fn graph() -> &'static RoadGraph {
    static G: OnceLock<RoadGraph> = OnceLock::new();
    G.get_or_init(|| import_pbf(&data("andorra.osm.pbf")).expect("bundled map imports"))
}

/// Per OSM way: its `highway` tag, its name (`name`, else `ref`) and the coordinates of its nodes.
struct OsmWay {
    highway: String,
    name: Option<String>,
    nodes: Vec<i64>,
}

fn osm() -> (HashMap<i64, OsmWay>, HashMap<i64, [f64; 2]>) {
    let mut ways = HashMap::new();
    let mut nodes = HashMap::new();
    ElementReader::from_path(data("andorra.osm.pbf"))
        .unwrap()
        .for_each(|el| match el {
            Element::Way(w) => {
                let tags: HashMap<&str, &str> = w.tags().collect();
                if let Some(h) = tags.get("highway") {
                    let name = tags.get("name").or(tags.get("ref")).map(|s| s.to_string());
                    let way = OsmWay {
                        highway: h.to_string(),
                        name,
                        nodes: w.refs().collect(),
                    };
                    ways.insert(w.id(), way);
                }
            }
            Element::DenseNode(n) => {
                nodes.insert(n.id(), [n.lon(), n.lat()]);
            }
            Element::Node(n) => {
                nodes.insert(n.id(), [n.lon(), n.lat()]);
            }
            Element::Relation(_) => {}
        })
        .unwrap();
    (ways, nodes)
}

#[test]
fn road_network_features_are_the_osm_ways_with_their_class_and_name() {
    let net = corridor_web::network::road_network(graph());
    let (ways, nodes) = osm();
    let features = net["features"].as_array().unwrap();
    assert!(
        features.len() > 1000,
        "Andorra has thousands of road pieces"
    );
    let mut seen_ways = HashSet::new();
    for f in features {
        let p = &f["properties"];
        let id = p["osm_way_id"].as_i64().unwrap();
        let way = ways
            .get(&id)
            .unwrap_or_else(|| panic!("way {id} is no highway in the PBF"));
        assert_eq!(
            p["class"].as_str().unwrap(),
            way.highway,
            "class of way {id}"
        );
        assert_eq!(p["name"].as_str(), way.name.as_deref(), "name of way {id}");
        // Both ends of every piece are nodes of that way, at their OSM position (±0.1 m).
        let coords = f["geometry"]["coordinates"].as_array().unwrap();
        for end in [&coords[0], coords.last().unwrap()] {
            let c = [end[0].as_f64().unwrap(), end[1].as_f64().unwrap()];
            let on_way = way.nodes.iter().any(|n| {
                let o = nodes[n];
                (o[0] - c[0]).abs() < 1.5e-6 && (o[1] - c[1]).abs() < 1.5e-6
            });
            assert!(on_way, "way {id}: end {c:?} is not one of its nodes");
        }
        seen_ways.insert(id);
    }
    // Every way either profile routes on is drawn (a road you can be sent along is on the map).
    for p in Profile::ALL {
        for w in &graph().profile(p).edges.way_id {
            assert!(
                seen_ways.contains(w),
                "way {w} of the {p:?} graph is not drawn"
            );
        }
    }
    // The motorway-like roads closed to walkers come from the car graph.
    let named_primary = features
        .iter()
        .filter(|f| f["properties"]["class"] == "primary" && f["properties"]["name"].is_string())
        .count();
    assert!(named_primary > 10);
}

fn features_of<'a>(v: &'a Value, layer: &str) -> Vec<&'a Value> {
    v["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["properties"]["layer"] == layer)
        .collect()
}

#[test]
fn scenario_layers_carry_every_dated_incident_closure_and_checkpoint_of_the_files() {
    let s = corridor_scenario::load(&data("scenarios/andorra-siege/scenario.toml")).unwrap();
    let g = graph();
    let snap_foot = Snapper::new(g.profile(Profile::Foot), g.meta.bbox);
    let snap_car = Snapper::new(g.profile(Profile::Car), g.meta.bbox);
    let foot = ScenarioMap::new(&s, g.profile(Profile::Foot), g.meta.bbox, &snap_foot).unwrap();
    let car = ScenarioMap::new(&s, g.profile(Profile::Car), g.meta.bbox, &snap_car).unwrap();
    let v = corridor_web::layers::scenario_layers(&s, &foot, &car);

    // Incidents: the CSV's rows on or before as_of, read as text.
    let csv = std::fs::read_to_string(data("scenarios/andorra-siege/incidents.csv")).unwrap();
    let expected: HashSet<(String, String)> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|c| c[1] <= "2016-07-28")
        .map(|c| (c[0].to_string(), c[1].to_string()))
        .collect();
    let got: HashSet<(String, String)> = features_of(&v, "incident")
        .iter()
        .map(|f| {
            let p = &f["properties"];
            (
                p["id"].as_str().unwrap().into(),
                p["date"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(got, expected);

    // Closures: the tunnel way named in closures.geojson, dated by its `since`.
    let closures = features_of(&v, "closure");
    assert!(!closures.is_empty());
    for c in &closures {
        assert_eq!(c["properties"]["osm_way_id"], 24364447);
        assert_eq!(c["properties"]["date"], "2016-07-19");
    }
    // Territory: one feature per polygon of territory.geojson; checkpoints: one per corridor.
    let terr: Value = serde_json::from_str(
        &std::fs::read_to_string(data("scenarios/andorra-siege/territory.geojson")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        features_of(&v, "territory").len(),
        terr["features"].as_array().unwrap().len()
    );
    assert_eq!(features_of(&v, "checkpoint").len(), 4);
    assert_eq!(features_of(&v, "reception").len(), 4);
    assert!(!features_of(&v, "front_line").is_empty());

    // The timeline: every incident and closure day up to as_of, ascending, ending at as_of.
    let tl: Vec<&str> = v["properties"]["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    let mut days: Vec<&str> = expected.iter().map(|(_, d)| d.as_str()).collect();
    days.push("2016-07-19");
    days.push("2016-07-28");
    days.sort();
    days.dedup();
    assert_eq!(tl, days);
}
