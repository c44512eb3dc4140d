//! Where an enclave is on one profile's road graph: the nodes on its ground (*inside*), the
//! nodes on ground that leads away (*outside*), and the enclave's connected *pieces*.
//!
//! Outside is found by a search on the graph, never by bounding boxes or ownership alone: from
//! the map's edge and from declared receptions, over roads the enclave's side may use (not
//! closed, not in an avoid area, touching no hostile ground), never through the enclave itself.
//! Unclaimed ground that this search does not reach — a strip of no-man's land inside the
//! besieger's ring — is not a way out: it belongs to the siege, and to the piece it joins.

use super::SiegeParams;
use corridor_roads::geometry::{haversine_m, LocalProjection};
use corridor_scenario::{ScenarioMap, Side};
use geo::{
    BoundingRect, Contains, ConvexHull, Distance, Euclidean, LineString, MultiPoint, MultiPolygon,
    Point,
};
use std::collections::{HashMap, VecDeque};

/// No piece.
pub(crate) const NO_PIECE: u32 = u32::MAX;

/// The enclave laid out on one profile graph.
pub(crate) struct Terrain<'m, 'a> {
    pub sm: &'m ScenarioMap<'a>,
    /// Per node: on the enclave's ground.
    pub inside: Vec<bool>,
    /// Per node: on ground that leads away (see the module docs).
    pub outside: Vec<bool>,
    /// Per node: the piece of the enclave it belongs to, [`NO_PIECE`] if none.
    pub piece_of: Vec<u32>,
    /// Per piece: whether one of its own nodes lies at the map's edge (or at a reception): the
    /// piece leads away by itself.
    pub piece_reaches_edge: Vec<bool>,
    /// Per arc: closed to the enclave's side when the besieger's declared crossings are not
    /// counted (a corridor the besieger opens and controls does not lift a siege).
    pub blocked: Vec<bool>,
    /// Per node: reached from the map's edge along the profile's arcs with no conflict at all
    /// (see [`entered_in_peacetime`]).
    pub entered_in_peacetime: Vec<bool>,
}

impl<'m, 'a> Terrain<'m, 'a> {
    /// Marks inside and outside nodes and finds the pieces. `index` maps nodes to the piece
    /// numbering of another profile (the foot pieces), so that both profiles speak of the same
    /// pieces; without it the pieces are this profile's own components.
    pub fn new(
        sm: &'m ScenarioMap<'a>,
        enclave: usize,
        ground: &MultiPolygon<f64>,
        bbox: [f64; 4],
        params: &SiegeParams,
        index: Option<&PieceIndex>,
    ) -> Terrain<'m, 'a> {
        let s = sm.scenario;
        let side = Side::CivilianOf(s.enclaves[enclave].party);
        let inside = mark_inside(sm, ground);
        let usable = usable_edges(sm, side);
        let at_edge = leads_away_by_itself(sm, side, ground, bbox, params, &usable);
        let outside = find_outside(sm, &inside, &usable, &at_edge);
        let on_network = on_the_network(sm, bbox, params);
        let (local, count) = components(sm, &inside, &outside, &usable, &on_network);
        let piece_of = match index {
            None => local,
            Some(ix) => ix.map(sm, &local, count),
        };
        let pieces = piece_of
            .iter()
            .filter(|&&p| p != NO_PIECE)
            .map(|&p| p as usize + 1)
            .max()
            .unwrap_or(0)
            .max(index.map_or(0, |ix| ix.count));
        let mut piece_reaches_edge = vec![false; pieces];
        for (v, &p) in piece_of.iter().enumerate() {
            if p != NO_PIECE && at_edge[v] {
                piece_reaches_edge[p as usize] = true;
            }
        }
        Terrain {
            sm,
            inside,
            outside,
            piece_of,
            piece_reaches_edge,
            blocked: sm.blocked_arcs(side, false),
            entered_in_peacetime: entered_in_peacetime(sm, bbox, params),
        }
    }

    pub fn piece_count(&self) -> usize {
        self.piece_reaches_edge.len()
    }

    /// The nodes of piece `p`.
    pub fn piece_nodes(&self, p: usize) -> Vec<u32> {
        (0..self.piece_of.len() as u32)
            .filter(|&v| self.piece_of[v as usize] == p as u32)
            .collect()
    }
}

/// Nodes on the enclave's ground (point in polygon, bounding box first).
fn mark_inside(sm: &ScenarioMap, ground: &MultiPolygon<f64>) -> Vec<bool> {
    let rect = ground.bounding_rect();
    sm.graph
        .node_coord
        .iter()
        .map(|c| {
            rect.is_some_and(|r| {
                r.min().x <= c[0] && c[0] <= r.max().x && r.min().y <= c[1] && c[1] <= r.max().y
            }) && ground.contains(&Point::new(c[0], c[1]))
        })
        .collect()
}

/// Per edge: the side may use it in both directions without any crossing — not closed, not
/// avoided, and touching no ground hostile to the side.
fn usable_edges(sm: &ScenarioMap, side: Side) -> Vec<bool> {
    let s = sm.scenario;
    let q = side.party();
    let hostile: u64 = (0..s.parties.len())
        .filter(|&p| q.is_none_or(|q| s.hostile(q, p)))
        .fold(0, |m, p| m | 1 << (1 + p));
    (0..sm.graph.edge_count() as u32)
        .map(|e| sm.ground_mask(e) & hostile == 0 && sm.blocked_with(e, side, false).is_none())
        .collect()
}

/// Per node: usable ground at the map's edge — within `map_edge_m` of the convex hull of the
/// profile's roads, where roads run on beyond the extract (a country extract's border
/// crossings; a bounding box would miss them) — or near a declared reception on ground the side
/// may use and outside the enclave.
fn leads_away_by_itself(
    sm: &ScenarioMap,
    side: Side,
    ground: &MultiPolygon<f64>,
    bbox: [f64; 4],
    params: &SiegeParams,
    usable: &[bool],
) -> Vec<bool> {
    let s = sm.scenario;
    let g = sm.graph;
    let proj = LocalProjection::for_bbox(bbox);
    let hull = map_hull(sm, &proj);
    let receptions: Vec<[f64; 2]> = s
        .corridors
        .iter()
        .filter_map(|c| c.reception)
        .filter(|&r| {
            !ground.contains(&Point::new(r[0], r[1]))
                && sm
                    .owner_at(r)
                    .is_none_or(|p| side.party().is_none_or(|q| !s.hostile(q, p)))
        })
        .collect();
    (0..g.node_count() as u32)
        .map(|v| {
            let has_usable = g
                .graph
                .out_arcs(v)
                .map(|a| g.arc_edge(a).0)
                .chain(g.graph.in_arcs(v).map(|(_, a)| g.arc_edge(a).0))
                .any(|e| usable[e as usize]);
            if !has_usable {
                return false;
            }
            let c = g.node_coord[v as usize];
            let xy = proj.project(c);
            Euclidean.distance(&Point::new(xy[0], xy[1]), &hull) <= params.map_edge_m
                || receptions
                    .iter()
                    .any(|r| haversine_m(*r, c) <= params.reception_radius_m)
        })
        .collect()
}

/// The boundary of the convex hull of every point of the profile's roads, projected (metres).
fn map_hull(sm: &ScenarioMap, proj: &LocalProjection) -> LineString<f64> {
    let pts: MultiPoint<f64> = sm
        .graph
        .edges
        .shape
        .iter()
        .map(|c| {
            let xy = proj.project(*c);
            Point::new(xy[0], xy[1])
        })
        .collect();
    pts.convex_hull().exterior().clone()
}

/// Per node: its road network, with no conflict at all (every edge of the profile, closed or
/// not, on anybody's ground), reaches the map's edge. Nodes that fail this are an island of the
/// OSM data (a footway network joined to no street, a mapping gap): sealed in peacetime too,
/// they say nothing about a siege, and are left out of the enclave's pieces — otherwise an
/// eight-node footway island in the example's town centre was reported as a besieged piece
/// holding 2,906 people.
fn on_the_network(sm: &ScenarioMap, bbox: [f64; 4], params: &SiegeParams) -> Vec<bool> {
    flood_from_map_edge(sm, bbox, params, |v| {
        neighbours(sm, v).map(|(w, _)| w).collect::<Vec<_>>()
    })
}

/// Per node: reached from the map's edge along the profile's arcs in their direction, every
/// arc usable (no closure, no ground): where a vehicle could drive to with no war. A piece none
/// of whose nodes is reached (no road of the profile, or one-way streets leading only out) is
/// not cut off by the conflict on this profile.
fn entered_in_peacetime(sm: &ScenarioMap, bbox: [f64; 4], params: &SiegeParams) -> Vec<bool> {
    let g = &sm.graph.graph;
    flood_from_map_edge(sm, bbox, params, |v| {
        g.out_arcs(v).map(|a| g.arc_head(a)).collect::<Vec<_>>()
    })
}

/// Breadth-first search from the nodes within `map_edge_m` of the convex hull of the
/// profile's roads, to the nodes `next` gives.
fn flood_from_map_edge(
    sm: &ScenarioMap,
    bbox: [f64; 4],
    params: &SiegeParams,
    next: impl Fn(u32) -> Vec<u32>,
) -> Vec<bool> {
    let g = sm.graph;
    let proj = LocalProjection::for_bbox(bbox);
    let hull = map_hull(sm, &proj);
    let mut reached = vec![false; g.node_count()];
    let mut queue: VecDeque<u32> = VecDeque::new();
    for (v, c) in g.node_coord.iter().enumerate() {
        let xy = proj.project(*c);
        if Euclidean.distance(&Point::new(xy[0], xy[1]), &hull) <= params.map_edge_m {
            reached[v] = true;
            queue.push_back(v as u32);
        }
    }
    while let Some(v) = queue.pop_front() {
        for w in next(v) {
            if !reached[w as usize] {
                reached[w as usize] = true;
                queue.push_back(w);
            }
        }
    }
    reached
}

/// Breadth-first search from the nodes that lead away by themselves, over usable edges in
/// either direction, never entering the enclave.
fn find_outside(sm: &ScenarioMap, inside: &[bool], usable: &[bool], at_edge: &[bool]) -> Vec<bool> {
    let g = sm.graph;
    let mut outside = vec![false; g.node_count()];
    let mut queue: VecDeque<u32> = VecDeque::new();
    for v in 0..g.node_count() {
        if at_edge[v] && !inside[v] {
            outside[v] = true;
            queue.push_back(v as u32);
        }
    }
    while let Some(v) = queue.pop_front() {
        for (w, e) in neighbours(sm, v) {
            if usable[e as usize] && !inside[w as usize] && !outside[w as usize] {
                outside[w as usize] = true;
                queue.push_back(w);
            }
        }
    }
    outside
}

/// Neighbours of `v` along arcs in either direction, with the edge between.
fn neighbours<'g>(sm: &'g ScenarioMap, v: u32) -> impl Iterator<Item = (u32, u32)> + 'g {
    let g = sm.graph;
    g.graph
        .out_arcs(v)
        .map(move |a| (g.graph.arc_head(a), g.arc_edge(a).0))
        .chain(g.graph.in_arcs(v).map(move |(t, a)| (t, g.arc_edge(a).0)))
}

/// Connected components over usable edges of the nodes that are not outside, keeping those that
/// hold inside nodes on the road network (see [`on_the_network`]): the enclave's pieces, each
/// with the unclaimed ground enclosed with it.
fn components(
    sm: &ScenarioMap,
    inside: &[bool],
    outside: &[bool],
    usable: &[bool],
    on_network: &[bool],
) -> (Vec<u32>, usize) {
    let n = sm.graph.node_count();
    let mut piece = vec![NO_PIECE; n];
    let mut count = 0u32;
    for start in 0..n {
        if !inside[start] || !on_network[start] || piece[start] != NO_PIECE {
            continue;
        }
        piece[start] = count;
        let mut queue = VecDeque::from([start as u32]);
        while let Some(v) = queue.pop_front() {
            for (w, e) in neighbours(sm, v) {
                let wi = w as usize;
                if usable[e as usize] && !outside[wi] && piece[wi] == NO_PIECE {
                    piece[wi] = count;
                    queue.push_back(w);
                }
            }
        }
        count += 1;
    }
    (piece, count as usize)
}

/// The foot pieces, for numbering the pieces of another profile the same way: a node takes the
/// piece of the foot node with the same OSM id, else of the nearest foot piece node within
/// [`PieceIndex::MATCH_M`], else a new piece of its own.
pub(crate) struct PieceIndex {
    by_osm_node: HashMap<i64, u32>,
    points: Vec<([f64; 2], u32)>,
    pub count: usize,
}

impl PieceIndex {
    const MATCH_M: f64 = 200.0;

    pub fn new(t: &Terrain) -> PieceIndex {
        let g = t.sm.graph;
        let mut by_osm_node = HashMap::new();
        let mut points = Vec::new();
        for (v, &p) in t.piece_of.iter().enumerate() {
            if p != NO_PIECE {
                by_osm_node.insert(g.node_osm_id[v], p);
                points.push((g.node_coord[v], p));
            }
        }
        PieceIndex {
            by_osm_node,
            points,
            count: t.piece_count(),
        }
    }

    /// Renumbers another profile's local components (`local`, `count` of them).
    fn map(&self, sm: &ScenarioMap, local: &[u32], count: usize) -> Vec<u32> {
        let g = sm.graph;
        // Each local component takes the piece most of its nodes match.
        let mut votes: Vec<HashMap<u32, usize>> = vec![HashMap::new(); count];
        for (v, &c) in local.iter().enumerate() {
            if c == NO_PIECE {
                continue;
            }
            let matched = self
                .by_osm_node
                .get(&g.node_osm_id[v])
                .copied()
                .or_else(|| {
                    self.points
                        .iter()
                        .map(|(at, p)| (haversine_m(*at, g.node_coord[v]), *p))
                        .filter(|(d, _)| *d <= Self::MATCH_M)
                        .min_by(|a, b| a.0.total_cmp(&b.0))
                        .map(|x| x.1)
                });
            if let Some(p) = matched {
                *votes[c as usize].entry(p).or_default() += 1;
            }
        }
        let mut next = self.count as u32;
        let piece_of_component: Vec<u32> = votes
            .iter()
            .map(
                |v| match v.iter().max_by_key(|(p, n)| (**n, std::cmp::Reverse(**p))) {
                    Some((&p, _)) => p,
                    None => {
                        next += 1;
                        next - 1
                    }
                },
            )
            .collect();
        local
            .iter()
            .map(|&c| {
                if c == NO_PIECE {
                    NO_PIECE
                } else {
                    piece_of_component[c as usize]
                }
            })
            .collect()
    }
}
