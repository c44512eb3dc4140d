//! `corridor demo`: the main job on the bundled real map, as a first taste.

use crate::maps;
use crate::route::compute;
use anyhow::{bail, Result};
use corridor_roads::Profile;
use std::path::PathBuf;

/// The bundled map: `data/andorra.osm.pbf` from the working directory, else from the source tree
/// this binary was built from (so `cargo run -- demo` works from any directory of the checkout).
pub fn bundled(rel: &str) -> Result<PathBuf> {
    let here = PathBuf::from(rel);
    if here.exists() {
        return Ok(here);
    }
    let built = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel);
    if built.exists() {
        return Ok(built);
    }
    bail!("{rel}: bundled file not found (run from the corridor checkout)")
}

/// Across Andorra la Vella: from Plaça del Poble to the Caldea spa in Escaldes-Engordany.
const FROM: &str = "42.5063,1.5218";
const TO: &str = "42.5114,1.5383";

pub fn run() -> Result<()> {
    let map_path = bundled("data/andorra.osm.pbf")?;
    let map = maps::load_map_cached(&map_path)?;
    println!(
        "corridor demo: {} (sha256 {}…), © OpenStreetMap contributors, ODbL",
        map.graph.meta.source_file,
        &map.graph.meta.source_sha256[..16]
    );
    for p in Profile::ALL {
        let g = map.graph.profile(p);
        println!(
            "  {} graph: {} intersections, {} road edges",
            p.name(),
            g.node_count(),
            g.edge_count()
        );
    }
    println!("\nAcross Andorra la Vella, from {FROM} (Plaça del Poble) to {TO} (Caldea):");
    for p in Profile::ALL {
        let r = compute(&map, p, FROM, TO, 500.0, None)?;
        println!(
            "  {:<4} {:>6.0} m  {:>5.1} min  via {}",
            p.name(),
            r.distance_m,
            r.duration_s / 60.0,
            if r.streets.is_empty() {
                "unnamed roads".to_string()
            } else {
                r.streets.join(" → ")
            }
        );
    }
    println!(
        "\nFull JSON: cargo run --release -- route --map {} --from {FROM} --to {TO} --profile car",
        map_path.display()
    );
    Ok(())
}
