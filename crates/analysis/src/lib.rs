//! The analyses: pure functions from a graph, a scenario and parameters to typed reports. They
//! read no files and open no sockets; files, HTTP and terminal output live in `cli`, `server`
//! and `store`.

pub mod access;
pub mod ccrp;
pub mod convoy;
pub mod convoy_schedule;
pub mod engine;
pub mod evacuate;
pub mod facility_status;
pub mod isochrone;
mod node_index;
pub mod siege;

pub use siege::{siege, EnclaveReport, SiegeParams, Status};
