//! Snapping a user's point with an explanation when it is off the map.

use anyhow::{anyhow, Result};
use corridor_roads::{ProfileGraph, Snapper, Waypoint};

/// Snaps one point onto edges `usable` accepts (see [`Snapper::waypoint`]), or explains how far
/// off the map it is: for one-to-all searches, which seed from every candidate with
/// [`corridor_roads::route::point_seeds`].
pub fn snap_usable(
    g: &ProfileGraph,
    snapper: &Snapper,
    p: [f64; 2],
    max_m: f64,
    [what, arg]: [&str; 2],
    usable: &dyn Fn(u32) -> bool,
) -> Result<Waypoint> {
    snapper
        .waypoint(g, p, max_m, usable)
        .ok_or_else(|| off_the_map(g, snapper, p, max_m, what, arg, usable))
}

/// Why a point could not be snapped: how far the nearest usable road is, or that there is none.
pub fn off_the_map(
    g: &ProfileGraph,
    snapper: &Snapper,
    p: [f64; 2],
    max_m: f64,
    what: &str,
    arg: &str,
    usable: &dyn Fn(u32) -> bool,
) -> anyhow::Error {
    match snapper.nearest_where(g, p, f64::INFINITY, usable) {
        Some(n) => anyhow!(
            "{what} {arg} is off the map: {} from the nearest {} road{} (limit --max-snap {max_m} m)",
            if n.distance_m >= 10_000.0 {
                format!("{:.0} km", n.distance_m / 1000.0)
            } else if n.distance_m >= 10.0 {
                format!("{:.0} m", n.distance_m)
            } else {
                // Near a small --max-snap, whole metres read as "1 m (limit 0.6 m)" or
                // "0 m (limit 0 m)".
                format!("{:.2} m", n.distance_m)
            },
            g.profile.name(),
            if snapper.nearest_where(g, p, max_m, |_| true).is_some() {
                " open to this traveller"
            } else {
                ""
            }
        ),
        None => anyhow!("{what} {arg}: the map has no {} roads", g.profile.name()),
    }
}
