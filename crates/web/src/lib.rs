//! The web map served by `corridor serve` at `/`.
//!
//! The page itself is built from `web/` (MapLibre GL JS and the page's code, bundled by esbuild
//! into `web/dist/`, committed) and embedded into the binary here (`assets`), so that serving it
//! needs neither node nor the internet. The page draws no tiles: its base layer is the road
//! network of the loaded graph (`network`), and the situation is the scenario's own layers
//! (`layers`), each feature carrying the date it starts to count so that the page can replay
//! the history up to the scenario's `as_of`. Analyses come from the API's own endpoints; this
//! crate adds no numbers of its own.

pub mod assets;
pub mod layers;
pub mod network;
