//! Snapping coordinates to the nearest point on the nearest usable road edge (not the nearest
//! node: a long road with few intersections would otherwise snap far away).

use crate::geometry::{closest_on_segment, haversine_m, LocalProjection};
use crate::graph::ProfileGraph;
use rstar::primitives::{GeomWithData, Line};
use rstar::RTree;
use serde::Serialize;

type Segment = GeomWithData<Line<[f64; 2]>, (u32, u32)>;

/// A coordinate snapped onto a road edge.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Snap {
    /// The query point, `[lon, lat]`.
    pub query: [f64; 2],
    /// The snapped point on the edge, `[lon, lat]`.
    pub point: [f64; 2],
    pub edge: u32,
    /// Distance from the query to the snapped point, metres.
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
}

/// An R-tree over every segment of every edge of one profile, in local metres.
pub struct Snapper {
    tree: RTree<Segment>,
    proj: LocalProjection,
}

impl Snapper {
    pub fn new(g: &ProfileGraph, bbox: [f64; 4]) -> Snapper {
        let proj = LocalProjection::for_bbox(bbox);
        let mut segs = Vec::with_capacity(g.edges.shape.len());
        for e in 0..g.edge_count() as u32 {
            for (i, w) in g.edge_shape(e).windows(2).enumerate() {
                segs.push(Segment::new(
                    Line::new(proj.project(w[0]), proj.project(w[1])),
                    (e, i as u32),
                ));
            }
        }
        Snapper {
            tree: RTree::bulk_load(segs),
            proj,
        }
    }

    pub fn projection(&self) -> &LocalProjection {
        &self.proj
    }

    fn make_snap(&self, g: &ProfileGraph, query: [f64; 2], seg: &Segment) -> Snap {
        let (e, i) = seg.data;
        let q = self.proj.project(query);
        let (c, _) = closest_on_segment(q, seg.geom().from, seg.geom().to);
        let point = self.proj.unproject(c);
        let shape = g.edge_shape(e);
        let before: f64 = shape[..=i as usize]
            .windows(2)
            .map(|w| haversine_m(w[0], w[1]))
            .sum();
        let offset_m =
            (before + haversine_m(shape[i as usize], point)).min(g.edges.length_m[e as usize]);
        Snap {
            query,
            point,
            edge: e,
            distance_m: haversine_m(query, point),
            offset_m,
        }
    }

    /// The nearest point on any edge accepted by `accept`, searching at most `max_m` metres
    /// away (planar distance in the local projection).
    pub fn nearest_where(
        &self,
        g: &ProfileGraph,
        query: [f64; 2],
        max_m: f64,
        mut accept: impl FnMut(u32) -> bool,
    ) -> Option<Snap> {
        let q = self.proj.project(query);
        let max2 = max_m * max_m;
        for (seg, d2) in self.tree.nearest_neighbor_iter_with_distance_2(&q) {
            if d2 > max2 {
                return None;
            }
            if accept(seg.data.0) {
                return Some(self.make_snap(g, query, seg));
            }
        }
        None
    }

    /// Snaps `query` (`[lon, lat]`) to the nearest edge of the main (largest) connected network
    /// within `max_m`; if none is that close, to the nearest edge at all. Preferring the main
    /// network keeps a point next to an isolated car park from snapping onto it and finding no
    /// route (OSRM does the same with its "big component" phantom nodes).
    pub fn snap(&self, g: &ProfileGraph, query: [f64; 2], max_m: f64) -> Option<Snap> {
        // 1 % slack: the R-tree measures in the projection, the reported distance is haversine.
        let limit = max_m * 1.01 + 1.0;
        let main = self.nearest_where(g, query, limit, |e| {
            g.component[g.edges.from[e as usize] as usize] == 0
        });
        let any = self.nearest_where(g, query, limit, |_| true);
        let best = match (main, any) {
            (Some(m), _) => Some(m),
            (None, a) => a,
        };
        best.filter(|s| s.distance_m <= max_m)
    }
}
