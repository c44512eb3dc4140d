//! Road networks from OpenStreetMap: import, compact per-profile graphs, the graph file,
//! snapping coordinates to roads, and turning graph paths back into geometry.
//!
//! This crate knows nothing of conflict: it turns OSM into a graph and answers geometry
//! questions. Scenarios change arc weights; they never change this graph.

pub mod dimacs;
mod error;
pub mod file;
pub mod geometry;
mod graph;
pub mod import;
pub mod profile;
pub mod route;
pub mod snap;
pub mod topology_file;

pub use error::RoadsError;
pub use graph::{
    in_cch_range, in_wide_cch_range, CustomizedWeights, Edges, Facility, GraphMeta, ProfileGraph,
    RoadGraph, CCH_EDGES_PER_ARC_CAP, LANDMARK_COUNT, PARTIAL_UPDATE_SHARE,
};
pub use import::{import_pbf, sha256_hex};
pub use profile::{Profile, RoadClass};
pub use route::{
    auto_engine, Engine, RoadRoute, Router, WeightBound, AUTO_CCH_MAX_TRIANGLES_PER_NODE,
};
pub use snap::{Snap, Snapper, Waypoint};
