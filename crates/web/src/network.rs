//! The base layer: the road network of the loaded graph as GeoJSON, one LineString per edge,
//! with its road class and name, so the page needs no tile server.

use corridor_roads::{Profile, ProfileGraph, RoadGraph};
use serde_json::{json, Value};
use std::collections::HashSet;

/// Coordinates are rounded to 6 decimals (about 0.1 m): enough to draw, a third of the bytes.
fn round6(c: [f64; 2]) -> [f64; 2] {
    [(c[0] * 1e6).round() / 1e6, (c[1] * 1e6).round() / 1e6]
}

fn edge_feature(g: &ProfileGraph, e: u32) -> Value {
    let coords: Vec<[f64; 2]> = g.edge_shape(e).iter().map(|&c| round6(c)).collect();
    json!({
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": coords},
        "properties": {
            "class": g.edge_class(e).as_str(),
            "name": g.edge_name(e),
            "osm_way_id": g.edges.way_id[e as usize],
            "foot": g.profile == Profile::Foot,
        }
    })
}

/// Every road of the map once: the foot graph's edges (it holds almost every way), then the car
/// graph's edges of ways the foot graph lacks (motorways and other roads closed to walkers).
/// Properties: `class` (OSM highway value), `name` (or null), `osm_way_id`, `foot` (walkable).
pub fn road_network(graph: &RoadGraph) -> Value {
    let foot = graph.profile(Profile::Foot);
    let car = graph.profile(Profile::Car);
    let foot_ways: HashSet<i64> = foot.edges.way_id.iter().copied().collect();
    let mut features: Vec<Value> = (0..foot.edge_count() as u32)
        .map(|e| edge_feature(foot, e))
        .collect();
    features.extend(
        (0..car.edge_count() as u32)
            .filter(|&e| !foot_ways.contains(&car.edges.way_id[e as usize]))
            .map(|e| edge_feature(car, e)),
    );
    json!({
        "type": "FeatureCollection",
        "features": features,
        "properties": {
            "map": {"source": graph.meta.source_file, "sha256": graph.meta.source_sha256},
            "bbox": graph.meta.bbox,
        }
    })
}
