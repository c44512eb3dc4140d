//! The nearest road node to a point, through an R-tree over nodes in a local projection
//! (metres): what `access` snaps population units with and what the siege places people with,
//! instead of a scan over every node per point.

use corridor_roads::geometry::{haversine_m, LocalProjection};
use corridor_roads::ProfileGraph;
use rstar::primitives::GeomWithData;
use rstar::RTree;

/// How much farther than the projected nearest node the geodesic nearest can lie in the
/// projection: 1.25 covers a projection whose distances are off by up to 11.8 % either way
/// (a piece of an enclave, or a map the size of Ukraine, is far inside that; see
/// [`NodeIndex::nearest_geodesic`]).
const PROJECTION_SLACK: f64 = 1.25;

/// An R-tree over a set of road nodes.
pub(crate) struct NodeIndex {
    tree: RTree<GeomWithData<[f64; 2], u32>>,
    proj: LocalProjection,
}

impl NodeIndex {
    /// The nodes `ok` marks, in `proj`.
    pub fn new(g: &ProfileGraph, ok: &[bool], proj: &LocalProjection) -> Self {
        Self::from_nodes(
            g,
            (0..g.node_count() as u32).filter(|&v| ok[v as usize]),
            *proj,
        )
    }

    /// The given nodes, in `proj`.
    pub fn from_nodes(
        g: &ProfileGraph,
        nodes: impl Iterator<Item = u32>,
        proj: LocalProjection,
    ) -> Self {
        let pts = nodes
            .map(|v| GeomWithData::new(proj.project(g.node_coord[v as usize]), v))
            .collect();
        NodeIndex {
            tree: RTree::bulk_load(pts),
            proj,
        }
    }

    /// The nearest node in the projection, if within `max_m` (geodesic) of `at`.
    pub fn nearest(&self, g: &ProfileGraph, at: [f64; 2], max_m: f64) -> Option<u32> {
        self.tree
            .nearest_neighbor(&self.proj.project(at))
            .map(|n| n.data)
            .filter(|&v| haversine_m(g.node_coord[v as usize], at) <= max_m)
    }

    /// The geodesically nearest node (haversine; equally near: the smallest node id) — the
    /// answer of a scan over every node, exactly. If the projection's distances are within a
    /// factor k of geodesic ones, the geodesic nearest lies within k² × the projected nearest
    /// distance in the projection; every node within [`PROJECTION_SLACK`] × that (plus a metre)
    /// is ranked by haversine.
    pub fn nearest_geodesic(&self, g: &ProfileGraph, at: [f64; 2]) -> Option<u32> {
        let q = self.proj.project(at);
        let first = self.tree.nearest_neighbor(&q)?;
        let d0 = ((first.geom()[0] - q[0]).powi(2) + (first.geom()[1] - q[1]).powi(2)).sqrt();
        let r = d0 * PROJECTION_SLACK + 1.0;
        let d = |v: u32| haversine_m(g.node_coord[v as usize], at);
        self.tree
            .locate_within_distance(q, r * r)
            .map(|n| n.data)
            .min_by(|&a, &b| d(a).total_cmp(&d(b)).then(a.cmp(&b)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use corridor_roads::{import_pbf, Profile};
    use rand::rngs::SmallRng;
    use rand::{Rng, SeedableRng};

    /// The R-tree's geodesic nearest equals a scan over every node by haversine (equally near:
    /// the smallest id), for random points over Andorra and beyond its edge, for points on
    /// nodes, for every node set of a third of the nodes, in the map-wide projection.
    #[test]
    fn nearest_geodesic_is_the_scan_over_every_node() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/andorra.osm.pbf");
        let rg = import_pbf(&path).unwrap();
        let g = rg.profile(Profile::Foot);
        let bb = rg.meta.bbox;
        let mut rng = SmallRng::seed_from_u64(7);
        let subset: Vec<u32> = (0..g.node_count() as u32).filter(|v| v % 3 == 1).collect();
        let index = NodeIndex::from_nodes(g, subset.iter().copied(), LocalProjection::for_bbox(bb));
        let scan = |at: [f64; 2]| {
            subset.iter().copied().min_by(|&a, &b| {
                haversine_m(g.node_coord[a as usize], at)
                    .total_cmp(&haversine_m(g.node_coord[b as usize], at))
                    .then(a.cmp(&b))
            })
        };
        let (w, h) = (bb[2] - bb[0], bb[3] - bb[1]);
        for i in 0..400 {
            let at = if i % 4 == 0 {
                g.node_coord[rng.random_range(0..g.node_count())]
            } else {
                [
                    bb[0] - 0.2 * w + 1.4 * w * rng.random::<f64>(),
                    bb[1] - 0.2 * h + 1.4 * h * rng.random::<f64>(),
                ]
            };
            assert_eq!(index.nearest_geodesic(g, at), scan(at), "point {at:?}");
        }
    }
}
