//! For one profile and every piece of an enclave: the supply routes in from outside, the
//! profile-level status, the minimum cuts, and how many open routes are really disjoint.

use super::search::{ExposureReach, SafestSearch, StageEngine, SupplyTree};
use super::terrain::{Terrain, NO_PIECE};
use super::{CutReport, CutRoad, ProfileStatus, SiegeParams, Status, SupplyRoute};
use crate::node_index::NodeIndex;
use corridor_roads::geometry::LocalProjection;
use corridor_roads::{ProfileGraph, RoadClass};
use corridor_routing::{min_cut, LabelledSeed, INVALID, NO_UNITS, UNITS_PER_COST};
use corridor_scenario::Mode;

/// What one profile's analysis found for one piece.
pub(crate) struct PieceRun {
    pub status: ProfileStatus,
    pub routes: Vec<SupplyRoute>,
    pub cut: CutReport,
}

/// An arc from outside into a piece, on the least exposed route from outside.
struct Entry {
    arc: u32,
    piece: u32,
    exposure: f64,
    /// Safest cost from outside through the arc, in whole units.
    cost: u64,
}

/// Runs the profile's analysis for every piece, on the engines `params.engine` chooses;
/// returns the runs and which engine answered each stage. `population`: `(people, point,
/// piece)`.
pub(crate) fn analyse(
    t: &Terrain,
    params: &SiegeParams,
    population: &[(f64, [f64; 2], usize)],
) -> (Vec<PieceRun>, Vec<StageEngine>) {
    let sm = t.sm;
    let g = sm.graph;
    let weights = sm.weights_from_arcs(&t.blocked, Mode::Safest, 0.0);
    let seeds = calm_outside(t);
    let searches = 1 + t.piece_count();
    let mut safest = SafestSearch::new(g, &weights, params.engine, searches);
    let tree = safest.tree(&seeds);
    let entries = entries(t, &tree, &safest.units);
    let mut exposure = ExposureReach::new(
        t,
        &seeds,
        params.engine,
        searches,
        params.exposure_threshold,
    );
    let outside_nodes: Vec<u32> = (0..g.node_count() as u32)
        .filter(|&v| t.outside[v as usize])
        .collect();
    let mut runs = Vec::with_capacity(t.piece_count());
    for p in 0..t.piece_count() {
        let nodes = t.piece_nodes(p);
        let mine: Vec<&Entry> = entries.iter().filter(|e| e.piece == p as u32).collect();
        let people: Vec<(f64, [f64; 2])> = population
            .iter()
            .filter(|u| u.2 == p)
            .map(|u| (u.0, u.1))
            .collect();
        let routes = supply_routes(t, &tree, &mut safest, &mine, &people, &nodes, params);
        let best_exposure = if t.piece_reaches_edge[p] {
            Some(0.0)
        } else {
            mine.iter()
                .map(|e| e.exposure)
                .fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.min(x))))
        };
        let enterable = nodes.iter().any(|&v| t.entered_in_peacetime[v as usize]);
        let status = match best_exposure {
            _ if !enterable => Status::Open,
            None => Status::Besieged,
            Some(x) if x < params.exposure_threshold => Status::Open,
            Some(_) => Status::Contested,
        };
        let disjoint = if t.piece_reaches_edge[p] {
            None
        } else {
            Some(disjoint_open_routes(
                t,
                &seeds,
                &mut exposure,
                &nodes,
                params,
            ))
        };
        runs.push(PieceRun {
            status: ProfileStatus {
                profile: g.profile,
                status,
                best_exposure,
                reaches_map_edge: t.piece_reaches_edge[p],
                enterable_in_peacetime: enterable,
                disjoint_open_routes: disjoint,
                inside_nodes: nodes.iter().filter(|&&v| t.inside[v as usize]).count(),
                piece_nodes: nodes.len(),
                outside_nodes: outside_nodes.len(),
            },
            routes,
            cut: cuts(t, &outside_nodes, &nodes),
        });
    }
    (runs, vec![safest.stage, exposure.stage])
}

/// Where routes start: outside nodes beyond the front-line band (every road at the node is
/// clear of it) — a route counts once it has left the fighting behind, and its exposure is
/// what it takes to get there. If no outside node is that calm, every outside node.
fn calm_outside(t: &Terrain) -> Vec<u32> {
    let g = t.sm.graph;
    let outside: Vec<u32> = (0..g.node_count() as u32)
        .filter(|&v| t.outside[v as usize])
        .collect();
    let calm: Vec<u32> = outside
        .iter()
        .copied()
        .filter(|&v| {
            g.graph
                .out_arcs(v)
                .map(|a| g.arc_edge(a).0)
                .chain(g.graph.in_arcs(v).map(|(_, a)| g.arc_edge(a).0))
                .all(|e| t.sm.front_m[e as usize] == 0.0)
        })
        .collect();
    if calm.is_empty() {
        outside
    } else {
        calm
    }
}

/// Arcs from a reached node outside a piece straight into it, on a route that has not passed
/// through that piece before.
fn entries(t: &Terrain, tree: &SupplyTree, units: &[u64]) -> Vec<Entry> {
    let sm = t.sm;
    let g = sm.graph;
    let mut out = Vec::new();
    for u in 0..g.node_count() as u32 {
        if !tree.reached(u) {
            continue;
        }
        for a in g.graph.out_arcs(u) {
            let v = g.graph.arc_head(a);
            let p = t.piece_of[v as usize];
            if p == NO_PIECE || t.piece_of[u as usize] == p || units[a as usize] == NO_UNITS {
                continue;
            }
            let arcs = path_arcs(g, tree, u);
            if arcs
                .iter()
                .any(|&x| t.piece_of[g.graph.arc_head(x) as usize] == p)
            {
                continue;
            }
            let exposure: f64 = arcs
                .iter()
                .chain(std::iter::once(&a))
                .map(|&x| sm.edge_exposure(g.arc_edge(x).0))
                .sum();
            out.push(Entry {
                arc: a,
                piece: p,
                exposure,
                cost: tree.units(u).saturating_add(units[a as usize]),
            });
        }
    }
    out
}

/// The tree's path from a seed to `v`, as arcs.
fn path_arcs(g: &ProfileGraph, tree: &SupplyTree, mut v: u32) -> Vec<u32> {
    let mut arcs = Vec::new();
    while tree.parent_arc(v) != INVALID {
        let a = tree.parent_arc(v);
        arcs.push(a);
        v = g.graph.arc_tail(a);
    }
    arcs.reverse();
    arcs
}

pub(crate) fn road_name(g: &ProfileGraph, e: u32) -> String {
    g.edge_name(e).map_or_else(
        || format!("way {}", g.edges.way_id[e as usize]),
        str::to_string,
    )
}

/// The piece's entries grouped by road (each road's least exposed entry), with the share of
/// the piece's people for whom it is the best way in.
fn supply_routes(
    t: &Terrain,
    tree: &SupplyTree,
    safest: &mut SafestSearch,
    entries: &[&Entry],
    people: &[(f64, [f64; 2])],
    piece: &[u32],
    params: &SiegeParams,
) -> Vec<SupplyRoute> {
    let g = t.sm.graph;
    // name, way ids, best entry index
    let mut groups: Vec<(String, Vec<i64>, usize)> = Vec::new();
    for (i, en) in entries.iter().enumerate() {
        let e = g.arc_edge(en.arc).0;
        let name = road_name(g, e);
        let way = g.edges.way_id[e as usize];
        match groups.iter_mut().find(|x| x.0 == name) {
            Some(gr) => {
                if !gr.1.contains(&way) {
                    gr.1.push(way);
                }
                if en.exposure < entries[gr.2].exposure {
                    gr.2 = i;
                }
            }
            None => groups.push((name, vec![way], i)),
        }
    }
    let served = people_served(t, safest, entries, people, piece, &groups);
    let total: f64 = people.iter().map(|p| p.0).sum();
    let mut routes: Vec<SupplyRoute> = groups
        .iter()
        .zip(served)
        .map(|((name, ways, i), served)| {
            let en = entries[*i];
            let mut arcs = path_arcs(g, tree, g.graph.arc_tail(en.arc));
            arcs.push(en.arc);
            SupplyRoute {
                road: name.clone(),
                osm_way_ids: ways.clone(),
                profile: g.profile,
                piece: en.piece as usize,
                exposure: en.exposure,
                open: en.exposure < params.exposure_threshold,
                population_share: if total > 0.0 { served / total } else { 0.0 },
                entry: g.node_coord[g.graph.arc_head(en.arc) as usize],
                geometry: g.arcs_geometry(&arcs),
            }
        })
        .collect();
    routes.sort_by(|a, b| a.exposure.total_cmp(&b.exposure));
    routes
}

/// People per road group: a search inward from every entry at its cost, each entry its own
/// label; each unit's nearest node of the piece (R-tree, geodesic) is served by the nearest
/// entry (equally near: the first entry listed, the smallest label).
fn people_served(
    t: &Terrain,
    safest: &mut SafestSearch,
    entries: &[&Entry],
    people: &[(f64, [f64; 2])],
    piece: &[u32],
    groups: &[(String, Vec<i64>, usize)],
) -> Vec<f64> {
    let g = t.sm.graph;
    let mut served = vec![0.0; groups.len()];
    if entries.is_empty() || piece.is_empty() || people.is_empty() {
        return served;
    }
    let index = NodeIndex::from_nodes(g, piece.iter().copied(), piece_projection(g, piece));
    let seeds: Vec<LabelledSeed> = entries
        .iter()
        .enumerate()
        .map(|(i, en)| LabelledSeed {
            node: g.graph.arc_head(en.arc),
            cost: en.cost as f64 / UNITS_PER_COST,
            label: i as u32,
        })
        .collect();
    let label_of = safest.nearest_labels(&seeds);
    for &(n, at) in people {
        let Some(v) = index.nearest_geodesic(g, at) else {
            continue;
        };
        let Some(i) = label_of(v) else { continue };
        let name = road_name(g, g.arc_edge(entries[i as usize].arc).0);
        if let Some(k) = groups.iter().position(|x| x.0 == name) {
            served[k] += n;
        }
    }
    served
}

/// A projection true at the middle of the piece's nodes (distortion negligible at its size).
fn piece_projection(g: &ProfileGraph, piece: &[u32]) -> LocalProjection {
    let mut bb = [f64::INFINITY, f64::INFINITY, -f64::INFINITY, -f64::INFINITY];
    for &v in piece {
        let c = g.node_coord[v as usize];
        bb = [
            bb[0].min(c[0]),
            bb[1].min(c[1]),
            bb[2].max(c[0]),
            bb[3].max(c[1]),
        ];
    }
    LocalProjection::for_bbox(bb)
}

/// How many routes from outside into the piece below the exposure threshold share no road
/// (arc): the maximum flow, one unit per arc, on the arcs that lie on some such route.
fn disjoint_open_routes(
    t: &Terrain,
    seeds: &[u32],
    exposure: &mut ExposureReach,
    piece: &[u32],
    params: &SiegeParams,
) -> u64 {
    let g = t.sm.graph;
    if seeds.is_empty() || piece.is_empty() {
        return 0;
    }
    let capacity = exposure.open_arcs(piece, params.exposure_threshold);
    min_cut(&g.graph, &capacity, seeds, piece).value
}

/// Lanes a road segment counts for in the weighted cut: the `lanes` tag, else a class default
/// (two for roads of tertiary class and above, one otherwise).
fn lanes(g: &ProfileGraph, e: u32) -> u32 {
    let tagged = g.edges.lanes[e as usize] as u32;
    if tagged > 0 {
        return tagged;
    }
    use RoadClass::*;
    match g.edge_class(e) {
        Motorway | Trunk => 4,
        Primary | Secondary | Tertiary | MotorwayLink | TrunkLink | PrimaryLink => 2,
        _ => 1,
    }
}

/// Minimum cuts on the passable network from outside into the piece: by road segment (unit
/// capacity) and by lanes.
fn cuts(t: &Terrain, outside: &[u32], piece: &[u32]) -> CutReport {
    let g = t.sm.graph;
    let passable = |a: u32| !t.blocked[a as usize];
    let unit: Vec<u32> = (0..g.arc_count() as u32)
        .map(|a| u32::from(passable(a)))
        .collect();
    let by_lanes: Vec<u32> = (0..g.arc_count() as u32)
        .map(|a| {
            if !passable(a) {
                return 0;
            }
            let (e, _) = g.arc_edge(a);
            let l = lanes(g, e);
            // Lanes in this direction: half of a two-way road's.
            if g.edge_fwd_arc[e as usize] != INVALID && g.edge_bwd_arc[e as usize] != INVALID {
                l.div_ceil(2)
            } else {
                l
            }
        })
        .collect();
    let cut_roads = |arcs: &[u32]| -> Vec<CutRoad> {
        let mut edges: Vec<u32> = arcs.iter().map(|&a| g.arc_edge(a).0).collect();
        edges.sort_unstable();
        edges.dedup();
        edges
            .into_iter()
            .map(|e| CutRoad {
                road: road_name(g, e),
                osm_way_id: g.edges.way_id[e as usize],
                class: g.edge_class(e),
                lanes: lanes(g, e),
                geometry: g.edge_shape(e).to_vec(),
            })
            .collect()
    };
    let (plain, weighted) = if outside.is_empty() || piece.is_empty() {
        (None, None)
    } else {
        (
            Some(min_cut(&g.graph, &unit, outside, piece)),
            Some(min_cut(&g.graph, &by_lanes, outside, piece)),
        )
    };
    let roads = plain
        .as_ref()
        .map_or_else(Vec::new, |c| cut_roads(&c.cut_arcs));
    CutReport {
        profile: g.profile,
        size: roads.len(),
        single_road_blockade: roads.len() == 1,
        roads,
        weighted_lanes: weighted.as_ref().map_or(0, |c| c.value),
        weighted_roads: weighted
            .as_ref()
            .map_or_else(Vec::new, |c| cut_roads(&c.cut_arcs)),
    }
}
