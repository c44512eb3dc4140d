//! Snapping coordinates to the nearest point on the nearest usable road edge (not the nearest
//! node: a long road with few intersections would otherwise snap far away).
//!
//! Three rules make a snapped point safe to route from:
//! - **Geodesic ranking.** The R-tree lives in one flat projection of the whole map, which
//!   stretches east–west distances away from the map's middle latitude (3 % across Syria's
//!   span, 9 % across Ukraine's). Candidates are therefore measured in a projection centred on
//!   the query and reported in haversine metres, and the search radius is widened by the flat
//!   projection's worst shrink factor over the latitudes involved, so no nearer road is missed.
//! - **Ties are all candidates.** Every edge within [`TIE_TOLERANCE_M`] of the best distance is
//!   kept (OSRM seeds its search from all of them too): at a junction, or between the two
//!   carriageways of a dual road, the route picks the one it can use.
//! - **A point on a node is the node.** A snapped point within [`NODE_EPSILON_M`] of an edge's
//!   end is that node, reached at cost 0, whatever the edge's one-way direction.

use crate::geometry::{closest_on_segment, haversine_m, LocalProjection};
use crate::graph::ProfileGraph;
use rstar::primitives::{GeomWithData, Line};
use rstar::RTree;
use serde::Serialize;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

type Segment = GeomWithData<Line<[f64; 2]>, (u32, u32)>;

/// A snapped point closer than this to an edge's end node is that node (OSM stores coordinates
/// to 1e-7°, about 1 cm: ten times that is still far below any distance that matters on a road,
/// and it absorbs the rounding of a query typed at a node's own coordinates).
pub const NODE_EPSILON_M: f64 = 0.1;

/// Edges whose distance from the query is within this of the nearest one are equally good
/// candidates (two carriageways, the roads of a junction): all of them seed the search.
pub const TIE_TOLERANCE_M: f64 = 0.5;

/// A coordinate snapped onto a road edge.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Snap {
    /// The query point, `[lon, lat]`.
    pub query: [f64; 2],
    /// The snapped point on the edge, `[lon, lat]`.
    pub point: [f64; 2],
    pub edge: u32,
    /// Geodesic (haversine) distance from the query to the snapped point, metres.
    pub distance_m: f64,
    /// Distance along the edge from its `from` node to the snapped point, metres.
    pub offset_m: f64,
}

impl Snap {
    /// Share of the edge between its `from` node and the snapped point, in `[0, 1]`.
    pub fn fraction(&self, g: &ProfileGraph) -> f64 {
        let len = g.edges.length_m[self.edge as usize];
        if len > 0.0 {
            (self.offset_m / len).clamp(0.0, 1.0)
        } else {
            0.0
        }
    }

    /// The node this snapped point is, when it lies within [`NODE_EPSILON_M`] of one of its
    /// edge's ends (the nearer end on a very short edge).
    pub fn node(&self, g: &ProfileGraph) -> Option<u32> {
        let e = self.edge as usize;
        let to_end = (g.edges.length_m[e] - self.offset_m).max(0.0);
        if self.offset_m <= NODE_EPSILON_M && self.offset_m <= to_end {
            Some(g.edges.from[e])
        } else if to_end <= NODE_EPSILON_M {
            Some(g.edges.to[e])
        } else {
            None
        }
    }
}

impl AsRef<[Snap]> for Snap {
    fn as_ref(&self) -> &[Snap] {
        std::slice::from_ref(self)
    }
}

/// Where a point lies on the network: every equally near candidate edge, nearest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Waypoint {
    candidates: Vec<Snap>,
}

impl Waypoint {
    /// The nearest candidate.
    pub fn best(&self) -> &Snap {
        &self.candidates[0]
    }

    /// All candidates within [`TIE_TOLERANCE_M`] of the nearest, nearest first, one per edge.
    pub fn candidates(&self) -> &[Snap] {
        &self.candidates
    }
}

impl AsRef<[Snap]> for Waypoint {
    fn as_ref(&self) -> &[Snap] {
        &self.candidates
    }
}

/// Whether edge `e` can be travelled in at least one direction under `weight` (per arc,
/// `INFINITY` = closed or blocked): the snapping filter for a traveller under a scenario.
pub fn edge_open(g: &ProfileGraph, weight: &[f64], e: u32) -> bool {
    [g.edge_fwd_arc[e as usize], g.edge_bwd_arc[e as usize]]
        .iter()
        .any(|&a| a != corridor_routing::INVALID && weight[a as usize].is_finite())
}

/// Snapping for one profile: an R-tree over every segment of every edge, in one flat
/// projection of the map, built on the [`Snapper::INDEX_AFTER`]-th query and then shared by
/// every later one. The first queries scan the segments instead: a scan costs about a
/// millisecond per 100,000 segments, the index 30 times that to build, so a process that snaps
/// two points (`corridor route`) never builds it and a server builds it once.
pub struct Snapper {
    index: OnceLock<RTree<Segment>>,
    queries: AtomicU32,
    proj: LocalProjection,
    /// The map's latitude span, `[min, max]`: how far the flat projection may shrink distances.
    lat_span: [f64; 2],
}

impl Snapper {
    /// Queries answered by scanning before the index is built.
    pub const INDEX_AFTER: u32 = 16;

    pub fn new(_g: &ProfileGraph, bbox: [f64; 4]) -> Snapper {
        Snapper {
            index: OnceLock::new(),
            queries: AtomicU32::new(0),
            proj: LocalProjection::for_bbox(bbox),
            lat_span: [bbox[1].min(bbox[3]), bbox[1].max(bbox[3])],
        }
    }

    /// Builds the R-tree now (for benchmarks and servers that know they will query a lot).
    pub fn with_index(g: &ProfileGraph, bbox: [f64; 4]) -> Snapper {
        let s = Snapper::new(g, bbox);
        s.index(g);
        s
    }

    fn index(&self, g: &ProfileGraph) -> &RTree<Segment> {
        self.index.get_or_init(|| {
            let mut segs = Vec::with_capacity(g.edges.shape.len());
            for e in 0..g.edge_count() as u32 {
                for (i, w) in g.edge_shape(e).windows(2).enumerate() {
                    segs.push(Segment::new(
                        Line::new(self.proj.project(w[0]), self.proj.project(w[1])),
                        (e, i as u32),
                    ));
                }
            }
            RTree::bulk_load(segs)
        })
    }

    pub fn projection(&self) -> &LocalProjection {
        &self.proj
    }

    /// The exact candidate on segment `seg` for `query`: the closest point found in a
    /// projection centred on the query (exact to second order in the segment's length), its
    /// distance in haversine metres.
    fn candidate(&self, g: &ProfileGraph, query: [f64; 2], (e, i): (u32, u32)) -> Snap {
        let shape = g.edge_shape(e);
        let (a, b) = (shape[i as usize], shape[i as usize + 1]);
        let local = LocalProjection::centred_on(query);
        let (_, t) = closest_on_segment([0.0, 0.0], local.project(a), local.project(b));
        let point = [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
        let before: f64 = shape[..=i as usize]
            .windows(2)
            .map(|w| haversine_m(w[0], w[1]))
            .sum();
        let offset_m = (before + haversine_m(a, point)).min(g.edges.length_m[e as usize].max(0.0));
        Snap {
            query,
            point,
            edge: e,
            distance_m: haversine_m(query, point),
            offset_m,
        }
    }

    /// How much a flat projection true at latitude `lat0` may *overstate* a distance near
    /// `query` within `radius_m`, for points within `span` too: true metres ≥ planar metres ×
    /// this factor.
    fn planar_shrink(lat0: f64, span: [f64; 2], query: [f64; 2], radius_m: f64) -> f64 {
        let reach_deg = (radius_m / LocalProjection::METRES_PER_DEGREE).min(180.0);
        let lo = span[0].min(query[1] - reach_deg).max(-89.9);
        let hi = span[1].max(query[1] + reach_deg).min(89.9);
        let widest = lo.abs().max(hi.abs());
        let ratio = widest.to_radians().cos() / lat0.to_radians().cos();
        // 0.1 % for the sphere's curvature within the radius and f64 rounding.
        ratio.min(1.0) * 0.999
    }

    /// Every candidate accepted by `accept` within `max_m` geodesic metres and within
    /// [`TIE_TOLERANCE_M`] of the nearest of them; `None` when there is none.
    pub fn candidates_where(
        &self,
        g: &ProfileGraph,
        query: [f64; 2],
        max_m: f64,
        accept: impl Fn(u32) -> bool,
    ) -> Option<Waypoint> {
        let mut found = if self.queries.fetch_add(1, Ordering::Relaxed) < Self::INDEX_AFTER
            && self.index.get().is_none()
        {
            self.scan(g, query, max_m, &accept)
        } else {
            self.search_index(g, query, max_m, &accept)
        };
        let best = found
            .iter()
            .map(|s| s.distance_m)
            .fold(f64::INFINITY, f64::min);
        found.retain(|s| s.distance_m <= best + TIE_TOLERANCE_M);
        found.sort_by(|a, b| {
            a.distance_m
                .total_cmp(&b.distance_m)
                .then(a.edge.cmp(&b.edge))
        });
        let mut seen = std::collections::HashSet::new();
        found.retain(|s| seen.insert(s.edge));
        (!found.is_empty()).then_some(Waypoint { candidates: found })
    }

    /// Candidates from the R-tree, nearest planar segments first, until the flat projection's
    /// lower bound passes the best geodesic distance plus the tie tolerance.
    fn search_index(
        &self,
        g: &ProfileGraph,
        query: [f64; 2],
        max_m: f64,
        accept: &impl Fn(u32) -> bool,
    ) -> Vec<Snap> {
        let q = self.proj.project(query);
        let mut found: Vec<Snap> = Vec::new();
        let mut best = f64::INFINITY;
        for (seg, d2) in self.index(g).nearest_neighbor_iter_with_distance_2(&q) {
            let reach = max_m.min(best + TIE_TOLERANCE_M);
            let shrink = Self::planar_shrink(self.proj.lat0(), self.lat_span, query, reach);
            if d2.sqrt() * shrink > reach {
                break;
            }
            if !accept(seg.data.0) {
                continue;
            }
            let s = self.candidate(g, query, seg.data);
            if s.distance_m <= reach {
                best = best.min(s.distance_m);
                found.push(s);
            }
        }
        found
    }

    /// Candidates by scanning every segment in a projection centred on the query: a first pass
    /// finds the nearest, a second measures exactly every segment that may be within the tie
    /// tolerance of it.
    fn scan(
        &self,
        g: &ProfileGraph,
        query: [f64; 2],
        max_m: f64,
        accept: &impl Fn(u32) -> bool,
    ) -> Vec<Snap> {
        let local = LocalProjection::centred_on(query);
        // Planar distance from the query (the origin) to each accepted segment, in one pass.
        let each_segment = |visit: &mut dyn FnMut(f64, (u32, u32))| {
            let (first, shape) = (&g.edges.shape_first, &g.edges.shape);
            for e in 0..g.edge_count() {
                if !accept(e as u32) {
                    continue;
                }
                let (lo, hi) = (first[e] as usize, first[e + 1] as usize);
                let mut a = local.project(shape[lo]);
                for (i, &p) in shape[lo + 1..hi].iter().enumerate() {
                    let b = local.project(p);
                    let (c, _) = closest_on_segment([0.0, 0.0], a, b);
                    visit((c[0] * c[0] + c[1] * c[1]).sqrt(), (e as u32, i as u32));
                    a = b;
                }
            }
        };
        let mut nearest: Option<(f64, (u32, u32))> = None;
        each_segment(&mut |d, seg| {
            if nearest.is_none_or(|(best, _)| d < best) {
                nearest = Some((d, seg));
            }
        });
        let Some((_, nearest)) = nearest else {
            return Vec::new();
        };
        let first = self.candidate(g, query, nearest);
        let reach = max_m.min(first.distance_m + TIE_TOLERANCE_M);
        let shrink = Self::planar_shrink(query[1], [query[1]; 2], query, reach);
        let mut found = Vec::new();
        each_segment(&mut |d, seg| {
            if d * shrink <= reach {
                let s = self.candidate(g, query, seg);
                if s.distance_m <= reach {
                    found.push(s);
                }
            }
        });
        found
    }

    /// The nearest point on any edge accepted by `accept`, at most `max_m` geodesic metres away.
    pub fn nearest_where(
        &self,
        g: &ProfileGraph,
        query: [f64; 2],
        max_m: f64,
        accept: impl Fn(u32) -> bool,
    ) -> Option<Snap> {
        self.candidates_where(g, query, max_m, accept)
            .map(|w| *w.best())
    }

    /// Where `query` lies for routing, among edges accepted by `accept`: the candidates on the
    /// main (largest) connected network within `max_m`, else the nearest candidates at all.
    /// Preferring the main network keeps a point next to an isolated car park from snapping
    /// onto it and finding no route (OSRM does the same with its "big component" phantom nodes).
    pub fn waypoint(
        &self,
        g: &ProfileGraph,
        query: [f64; 2],
        max_m: f64,
        accept: impl Fn(u32) -> bool,
    ) -> Option<Waypoint> {
        let main = |e: u32| g.component[g.edges.from[e as usize] as usize] == 0;
        self.candidates_where(g, query, max_m, |e| main(e) && accept(e))
            .or_else(|| self.candidates_where(g, query, max_m, &accept))
    }

    /// Both ends of a route: when the nearest roads of both points belong to one network (a
    /// small one included: an island, a pedestrian precinct), the route stays on it; otherwise
    /// each end goes to the main network as in [`Snapper::waypoint`].
    pub fn waypoints(
        &self,
        g: &ProfileGraph,
        from: [f64; 2],
        to: [f64; 2],
        max_m: f64,
        accept: impl Fn(u32) -> bool,
    ) -> [Option<Waypoint>; 2] {
        let nearest = [from, to].map(|q| self.candidates_where(g, q, max_m, &accept));
        let network = |w: &Waypoint| g.component[g.edges.from[w.best().edge as usize] as usize];
        if let [Some(a), Some(b)] = &nearest {
            if network(a) == network(b) {
                return nearest;
            }
        }
        [from, to].map(|q| self.waypoint(g, q, max_m, &accept))
    }

    /// Snaps `query` (`[lon, lat]`) to its nearest candidate as [`Snapper::waypoint`] finds it,
    /// over every edge.
    pub fn snap(&self, g: &ProfileGraph, query: [f64; 2], max_m: f64) -> Option<Snap> {
        self.waypoint(g, query, max_m, |_| true).map(|w| *w.best())
    }
}
