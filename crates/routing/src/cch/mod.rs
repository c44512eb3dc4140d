//! Customizable Contraction Hierarchies (Dibbelt, Strasser & Wagner 2016), after RoutingKit.
//!
//! Three phases with separate costs, so that a scenario change pays only the middle one:
//! 1. **order** ([`order`], once per map): a nested dissection order, separators ranked highest;
//! 2. **build** ([`Cch::new`], once per map, metric-independent): the chordal supergraph of the
//!    road graph in that order, its elimination tree and the lower-triangle lists;
//! 3. **customize** ([`Cch::customize`], per weight vector, milliseconds): shortcut weights by
//!    lower triangles; [`CchUpdater`] re-customizes only what a few changed arcs touch.
//!
//! Queries walk the elimination tree up from source and target: no priority queue, no sort
//! ([`CchQuery`]). One-to-all sweeps (PHAST) and one-to-many / many-to-many searches live in
//! [`sweep`]. Coordinates are used by the ordering only, never by customization or queries.
//!
//! ## Integer weights
//! Customization and queries run on `u32` weights as RoutingKit does (half the memory traffic of
//! `f64`, exact sums): a cost `w` (seconds, or seconds plus a risk penalty) becomes
//! `round(w × UNITS_PER_COST)` units, i.e. milliseconds as in RoutingKit's travel times. A
//! finite cost above [`MAX_FINITE_UNITS`] units (24.8 days) is clamped to it; `INFINITY` and NaN
//! become [`INF_UNITS`] (the arc is unusable). Sums saturate at [`INF_UNITS`], so a path costing
//! 49.7 days or more counts as no path. Answers are exact for the rounded weights; against
//! `f64` costs a path can be off by at most half a millisecond per arc.

mod build;
mod customize;
mod nearest;
mod order;
mod query;
pub mod sweep;
mod walk;

pub use build::Cch;
pub use customize::{CchMetric, CchUpdater};
pub use nearest::CchNearestSource;
pub use order::{geometric_bisection_order, metis_order};
pub use query::CchQuery;

/// Weight units per unit of cost: costs are seconds, units are milliseconds (RoutingKit's unit).
pub const UNITS_PER_COST: f64 = 1000.0;
/// "Unusable": an `INFINITY` cost, and any sum that reaches it.
pub const INF_UNITS: u32 = u32::MAX;
/// The largest finite arc weight; larger finite costs are clamped here so the arc stays usable.
pub const MAX_FINITE_UNITS: u32 = (1 << 31) - 1;

/// A cost as integer units (see the module docs for rounding, clamping and `INFINITY`).
#[inline]
pub fn cost_to_units(w: f64) -> u32 {
    if w.is_nan() || w == f64::INFINITY {
        return INF_UNITS;
    }
    let u = (w.max(0.0) * UNITS_PER_COST).round();
    if u >= MAX_FINITE_UNITS as f64 {
        MAX_FINITE_UNITS
    } else {
        u as u32
    }
}

/// Units back to a cost; [`INF_UNITS`] is `INFINITY`.
#[inline]
pub fn units_to_cost(u: u32) -> f64 {
    if u == INF_UNITS {
        f64::INFINITY
    } else {
        u as f64 / UNITS_PER_COST
    }
}
