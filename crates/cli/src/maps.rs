//! Maps are loaded by `corridor-app` (shared with the server); this re-export keeps the CLI's
//! `maps::load`, `maps::parse_lat_lon`, … paths.

pub use corridor_app::maps::*;
