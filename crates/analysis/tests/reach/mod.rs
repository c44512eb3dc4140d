//! An independent reachability check for evacuation tests: a state BFS over petgraph on the
//! raw scenario rules (arcs open to the side; one crossing, at an open checkpoint of the
//! side's purpose; once across, no arc back into the enclave and no second checkpoint),
//! optionally with the road stretches a plan's combatants walk closed to civilians.
#![allow(dead_code)]

use corridor_scenario::*;
use geo::Contains;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::Bfs;

/// A stretch of road: OSM way and its two shape points (1e-7°), in order.
pub type Stretch = (i64, [i64; 4]);

pub fn stretches(g: &corridor_roads::ProfileGraph, e: u32) -> Vec<Stretch> {
    let q = |p: [f64; 2]| [(p[0] * 1e7).round() as i64, (p[1] * 1e7).round() as i64];
    g.edge_shape(e)
        .windows(2)
        .map(|w| {
            let (a, b) = (q(w[0]), q(w[1]));
            let (a, b) = (a.min(b), a.max(b));
            (g.edges.way_id[e as usize], [a[0], a[1], b[0], b[1]])
        })
        .collect()
}

/// The stretches of road the plan's combatant groups walk (from their OSM node and way ids).
pub fn combatant_stretches(
    g: &corridor_roads::ProfileGraph,
    r: &corridor_analysis::evacuate::EvacuationReport,
) -> std::collections::HashSet<Stretch> {
    let index: std::collections::HashMap<i64, u32> = g
        .node_osm_id
        .iter()
        .enumerate()
        .map(|(i, &id)| (id, i as u32))
        .collect();
    let mut out = std::collections::HashSet::new();
    for gr in r.groups.iter().filter(|x| x.purpose == Purpose::Combatant) {
        for k in 0..gr.ways.len() {
            let (u, v) = (index[&gr.nodes[k]], index[&gr.nodes[k + 1]]);
            for a in g.graph.out_arcs(u) {
                let e = g.arc_edge(a).0;
                if g.graph.arc_head(a) == v && g.edges.way_id[e as usize] == gr.ways[k] {
                    out.extend(stretches(g, e));
                }
            }
        }
    }
    out
}

/// Whether each of `starts` (per cell: its point) can reach a civilian reception in `sm`'s
/// mode, on roads sharing no stretch with `closed`.
pub fn cells_that_leave(
    sm: &ScenarioMap,
    ground: &geo::MultiPolygon<f64>,
    starts: &[[f64; 2]],
    closed: &std::collections::HashSet<Stretch>,
) -> Vec<bool> {
    let side = Side::CivilianOf(sm.scenario.enclaves[0].party);
    cells_that_leave_as(sm, ground, starts, closed, side)
}

/// [`cells_that_leave`] for travellers of `side`: its crossings, its purpose's receptions.
pub fn cells_that_leave_as(
    sm: &ScenarioMap,
    ground: &geo::MultiPolygon<f64>,
    starts: &[[f64; 2]],
    closed: &std::collections::HashSet<Stretch>,
    side: Side,
) -> Vec<bool> {
    use corridor_roads::geometry::haversine_m;
    let s = sm.scenario;
    let g = sm.graph;
    let inside: Vec<bool> = g
        .node_coord
        .iter()
        .map(|c| ground.contains(&geo::Point::new(c[0], c[1])))
        .collect();
    let n = g.node_count();
    let mut pg = DiGraph::<(), ()>::with_capacity(2 * n, 0);
    for _ in 0..2 * n {
        pg.add_node(());
    }
    let state = |v: u32, crossed: bool| NodeIndex::new(v as usize + if crossed { n } else { 0 });
    for a in 0..g.arc_count() as u32 {
        if sm.arc_blocked(a, side).is_some()
            || stretches(g, g.arc_edge(a).0)
                .iter()
                .any(|x| closed.contains(x))
        {
            continue;
        }
        let (u, v) = (g.graph.arc_tail(a), g.graph.arc_head(a));
        let crossing = sm.arc_blocked_with(a, side, false).is_some();
        if crossing {
            pg.add_edge(state(u, false), state(v, true), ());
        } else {
            pg.add_edge(state(u, false), state(v, false), ());
            if !inside[v as usize] || inside[u as usize] {
                pg.add_edge(state(u, true), state(v, true), ());
            }
        }
    }
    let receptions: Vec<[f64; 2]> = s
        .corridors
        .iter()
        .filter(|c| c.purpose == side.purpose())
        .filter_map(|c| c.reception)
        .collect();
    let mut out = vec![false; 2 * n];
    let reversed = petgraph::visit::Reversed(&pg);
    for v in 0..n as u32 {
        let near = receptions
            .iter()
            .any(|&r| haversine_m(g.node_coord[v as usize], r) <= 500.0);
        if near && !out[state(v, true).index()] {
            let mut bfs = Bfs::new(reversed, state(v, true));
            while let Some(x) = bfs.next(reversed) {
                out[x.index()] = true;
            }
        }
    }
    starts
        .iter()
        .map(|&p| {
            (0..n as u32).any(|v| {
                inside[v as usize]
                    && haversine_m(g.node_coord[v as usize], p) <= 500.0
                    && out[state(v, false).index()]
            })
        })
        .collect()
}
