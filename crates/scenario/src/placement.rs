//! Declared points on the map: a checkpoint or a point closure is resolved to **one OSM way**
//! first — the way of the nearest road of any profile — so that the car and the foot network
//! agree on which road it stands on (a footpath a few metres closer must not move a checkpoint
//! off the road it guards for walkers only).

use crate::model::{ClosureGeometry, PlacedPoint, Placement, Scenario};
use corridor_roads::geometry::{closest_on_segment, LocalProjection};
use corridor_roads::{ProfileGraph, RoadGraph, Snapper};

/// Point closures resolve to the way of the nearest road within this distance (metres).
pub const CLOSURE_RADIUS_M: f64 = 50.0;

/// The OSM way of the road nearest to `p` (`[lon, lat]`) among the given profile graphs, within
/// `max_m` metres.
pub fn nearest_way(
    graphs: &[(&ProfileGraph, &Snapper)],
    p: [f64; 2],
    max_m: f64,
) -> Option<PlacedPoint> {
    graphs
        .iter()
        .filter_map(|(g, snapper)| {
            // 1 % slack: the R-tree measures in the projection, the distance is haversine.
            snapper
                .nearest_where(g, p, max_m * 1.01 + 1.0, |_| true)
                .filter(|s| s.distance_m <= max_m)
                .map(|s| PlacedPoint {
                    osm_way_id: g.edges.way_id[s.edge as usize],
                    distance_m: s.distance_m,
                })
        })
        .min_by(|a, b| a.distance_m.total_cmp(&b.distance_m))
}

/// Resolves every checkpoint and point closure of the scenario to one OSM way on `road`'s
/// profiles (snappers in `Profile::ALL` order). Call once after loading the map; every
/// `ScenarioMap` of the scenario then agrees on the ways.
pub fn place(s: &mut Scenario, road: &RoadGraph, snappers: &[Snapper]) {
    let graphs: Vec<(&ProfileGraph, &Snapper)> = road.profiles.iter().zip(snappers).collect();
    s.placement = resolve(s, &graphs);
}

/// The placement of `s` on the given profile graphs.
pub(crate) fn resolve(s: &Scenario, graphs: &[(&ProfileGraph, &Snapper)]) -> Placement {
    Placement {
        checkpoints: s
            .corridors
            .iter()
            .map(|c| nearest_way(graphs, c.checkpoint, s.risk.checkpoint_radius_m))
            .collect(),
        closures: s
            .closures
            .iter()
            .map(|c| match &c.geometry {
                Some(ClosureGeometry::Point(p)) => {
                    nearest_way(graphs, [p.x(), p.y()], CLOSURE_RADIUS_M)
                }
                _ => None,
            })
            .collect(),
    }
}

/// Edges of way `way` in `g`, each with its distance from `p` (metres, local projection).
pub fn way_edges_near(
    g: &ProfileGraph,
    proj: &LocalProjection,
    way: i64,
    p: [f64; 2],
) -> Vec<(u32, f64)> {
    let q = proj.project(p);
    (0..g.edge_count() as u32)
        .filter(|&e| g.edges.way_id[e as usize] == way)
        .map(|e| {
            let shape: Vec<[f64; 2]> = g.edge_shape(e).iter().map(|c| proj.project(*c)).collect();
            let d = shape
                .windows(2)
                .map(|w| {
                    let (c, _) = closest_on_segment(q, w[0], w[1]);
                    (c[0] - q[0]).hypot(c[1] - q[1])
                })
                .fold(f64::INFINITY, f64::min);
            (e, d)
        })
        .collect()
}
