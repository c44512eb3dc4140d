//! What the `corridor` CLI and the `corridor serve` HTTP server share: finding, importing and
//! caching maps (`maps`), loading a scenario and laying it onto its map (`scenario`), and the
//! identity and JSON envelope every result carries. Files are read here; the analyses stay pure.

pub mod alternatives;
pub mod maps;
pub mod results;
pub mod scenario;
pub mod snapping;
