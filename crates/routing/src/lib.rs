//! Shortest paths on directed graphs in compressed sparse row (CSR) form.
//!
//! This crate knows graphs and weights only: no coordinates, no OSM, no scenario types. A
//! weight vector is indexed by arc id and holds non-negative costs; `f64::INFINITY` marks an arc
//! that may not be used (a closed road, hostile territory), so one graph serves every scenario and
//! a scenario change only rewrites the weight vector.
//!
//! Node and arc ids are `u32`, laid out for the cache in the style of RoutingKit.

mod alt;
mod cch;
mod dijkstra;
mod flow;
mod graph;
mod nearest;
mod product;
mod tree;

pub use alt::{AltSearch, Landmarks};
pub use cch::sweep::{CchManyToMany, CchOneToAll, CchOneToMany, Direction};
pub use cch::{
    cost_to_units, fits_units, geometric_bisection_order, metis_order, units_to_cost, Cch,
    CchMetric, CchMetricWide, CchNearestSource, CchQuery, CchUpdater, Units, INF_UNITS,
    MAX_FINITE_UNITS, UNITS_PER_COST,
};
pub use dijkstra::{BidirectionalDijkstra, OneToAll, Route, Seed};
pub use flow::{min_cut, MinCut};
pub use graph::{weakly_connected_components, Graph};
pub use nearest::{LabelledSeed, NearestSource};
pub use product::{product_shortest_path, StateSeed};
pub use tree::{shortest_path_tree, NO_UNITS};

/// Marks "no node" / "no arc" in parent arrays.
pub const INVALID: u32 = u32::MAX;
