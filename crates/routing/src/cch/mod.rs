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
//! Customization and queries run on integer weights as RoutingKit does (exact sums, half or a
//! quarter of the memory traffic of `f64`): a cost `w` (seconds, or seconds plus a risk
//! penalty) becomes `round(w × UNITS_PER_COST)` units, i.e. milliseconds as in RoutingKit's
//! travel times. Two widths share that unit ([`Units`]): `u32` ([`CchMetric`], the default and
//! the fast path) and `u64` ([`CchMetricWide`], for metrics whose finite costs pass 24.8 days,
//! e.g. `safest` costs near incidents). A finite cost above the width's `MAX_FINITE` is
//! clamped to it ([`fits_units`] tells the caller beforehand, so that nobody customizes a
//! clamped metric); `INFINITY` and NaN become the width's `INF` (the arc is unusable). Sums
//! saturate at `INF`. Answers are exact for the rounded weights; against `f64` costs a path
//! can be off by at most half a millisecond per arc.

mod build;
mod customize;
mod nearest;
mod order;
mod query;
pub mod sweep;
mod units;
mod walk;

pub use build::Cch;
pub use customize::{CchMetric, CchUpdater};
pub use nearest::CchNearestSource;
pub use order::{geometric_bisection_order, metis_order};
pub use query::CchQuery;
pub use units::{fits_units, Units};

/// A customization in `u64` units, for metrics whose finite costs do not fit `u32`.
pub type CchMetricWide = CchMetric<u64>;

/// Weight units per unit of cost: costs are seconds, units are milliseconds (RoutingKit's unit).
pub const UNITS_PER_COST: f64 = 1000.0;
/// "Unusable" in `u32` units: an `INFINITY` cost, and any sum that reaches it.
pub const INF_UNITS: u32 = <u32 as Units>::INF;
/// The largest finite `u32` arc weight; larger finite costs are clamped here.
pub const MAX_FINITE_UNITS: u32 = <u32 as Units>::MAX_FINITE;

/// A cost as `u32` units (see the module docs for rounding, clamping and `INFINITY`).
#[inline]
pub fn cost_to_units(w: f64) -> u32 {
    u32::from_cost(w)
}

/// `u32` units back to a cost; [`INF_UNITS`] is `INFINITY`.
#[inline]
pub fn units_to_cost(u: u32) -> f64 {
    u.to_cost()
}
