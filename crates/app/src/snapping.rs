//! Snapping a user's point with an explanation when it is off the map.

use anyhow::{bail, Result};
use corridor_roads::{ProfileGraph, Snap, Snapper};

/// Snaps a `[lon, lat]` point or explains how far off the map it is.
pub fn snap_point(
    g: &ProfileGraph,
    snapper: &Snapper,
    p: [f64; 2],
    max_m: f64,
    what: &str,
    arg: &str,
) -> Result<Snap> {
    if let Some(s) = snapper.snap(g, p, max_m) {
        return Ok(s);
    }
    let nearest = snapper.nearest_where(g, p, f64::INFINITY, |_| true);
    match nearest {
        Some(n) => bail!(
            "{what} {arg} is off the map: {} from the nearest {} road (limit --max-snap {max_m} m)",
            if n.distance_m >= 10_000.0 {
                format!("{:.0} km", n.distance_m / 1000.0)
            } else {
                format!("{:.0} m", n.distance_m)
            },
            g.profile.name()
        ),
        None => bail!("{what} {arg}: the map has no {} roads", g.profile.name()),
    }
}
