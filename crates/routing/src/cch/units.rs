//! The integer weight types a CCH customizes into: `u32` for ordinary metrics (RoutingKit's
//! width, half the memory traffic) and `u64` for metrics whose finite costs pass `u32`'s range
//! (`safest` costs near incidents: a million seconds per unit of exposure). Both count the same
//! unit (milliseconds, [`super::UNITS_PER_COST`]), so a cost means the same in either and the
//! answers of both are exact for the same rounded weights; only the range differs.

use super::UNITS_PER_COST;
use std::fmt::Debug;

/// An integer weight of the CCH: rounding from a cost, saturating sums, "unusable" as the
/// largest value. Implemented for `u32` and `u64`; the query and customization code is generic
/// over it and monomorphized, so the `u32` path costs nothing for the `u64` one existing.
pub trait Units: Copy + Ord + Debug + Send + Sync + 'static {
    /// "Unusable": an `INFINITY` cost, and any sum that reaches it.
    const INF: Self;
    /// The largest finite weight; larger finite costs are clamped here (and
    /// [`Units::fits`] says no, so that callers never customize a clamped metric).
    const MAX_FINITE: Self;
    /// A cost as units: rounded; `INFINITY`/NaN become [`Units::INF`]; clamped to
    /// [`Units::MAX_FINITE`].
    fn from_cost(w: f64) -> Self;
    /// Units back to a cost; [`Units::INF`] is `INFINITY`.
    fn to_cost(self) -> f64;
    fn sat_add(self, other: Self) -> Self;
    /// The units as `u64` ([`Units::INF`] becomes `u64::MAX`): one integer type for callers
    /// that compare distances of either width exactly (a shortest-path tree from distances).
    fn to_u64(self) -> u64;
    /// A (cost, label) pair packed into one integer, cost in the high half, so that the
    /// order of keys is the lexicographic order of the pairs and a sweep carries both in one
    /// comparison: `u64` for `u32` units, `u128` for `u64` units.
    type Key: Copy + Ord + Debug + Send + Sync + 'static;
    /// "Not reached": larger than every real key.
    const NO_KEY: Self::Key;
    /// The key of (`self`, `label`); [`Units::INF`] gives [`Units::NO_KEY`].
    fn key(self, label: u32) -> Self::Key;
    /// The cost half of a key ([`Units::INF`] for [`Units::NO_KEY`]).
    fn key_units(key: Self::Key) -> Self;
    /// The label half of a key.
    fn key_label(key: Self::Key) -> u32;
    /// `key` extended by an arc of `w` units, its label unchanged; saturates to
    /// [`Units::NO_KEY`] as the CCH's sums saturate to [`Units::INF`].
    #[inline]
    fn extend_key(key: Self::Key, w: Self) -> Self::Key {
        if key == Self::NO_KEY {
            return key;
        }
        Self::key_units(key).sat_add(w).key(Self::key_label(key))
    }
    /// Whether the cost converts without clamping (unusable costs always fit).
    #[inline]
    fn fits(w: f64) -> bool {
        !w.is_finite() || Self::from_cost(w) < Self::MAX_FINITE
    }
}

/// `w` (seconds) as a whole number of units, not yet clamped; `None` for "unusable".
#[inline]
fn rounded(w: f64) -> Option<f64> {
    if w.is_nan() || w == f64::INFINITY {
        None
    } else {
        Some((w.max(0.0) * UNITS_PER_COST).round())
    }
}

/// `Units` for one unsigned width: everything but the cap is the same for both.
macro_rules! units_for {
    ($t:ty, $key:ty, $max_finite:expr, $max_doc:literal) => {
        impl Units for $t {
            type Key = $key;
            const NO_KEY: $key = <$key>::MAX;
            const INF: $t = <$t>::MAX;
            #[doc = $max_doc]
            const MAX_FINITE: $t = $max_finite;

            #[inline]
            fn from_cost(w: f64) -> $t {
                match rounded(w) {
                    None => Self::INF,
                    Some(u) if u >= Self::MAX_FINITE as f64 => Self::MAX_FINITE,
                    Some(u) => u as $t,
                }
            }

            #[inline]
            fn to_cost(self) -> f64 {
                if self == Self::INF {
                    f64::INFINITY
                } else {
                    self as f64 / UNITS_PER_COST
                }
            }

            #[inline]
            fn sat_add(self, other: $t) -> $t {
                self.saturating_add(other)
            }

            #[inline]
            fn to_u64(self) -> u64 {
                if self == Self::INF {
                    u64::MAX
                } else {
                    self as u64
                }
            }

            #[inline]
            fn key(self, label: u32) -> $key {
                if self == Self::INF {
                    Self::NO_KEY
                } else {
                    ((self as $key) << <$t>::BITS) | label as $key
                }
            }

            #[inline]
            fn key_units(key: $key) -> $t {
                (key >> <$t>::BITS) as $t
            }

            #[inline]
            fn key_label(key: $key) -> u32 {
                key as u32
            }
        }
    };
}

units_for!(
    u32,
    u64,
    (1 << 31) - 1,
    "2³¹ − 1 ms = 24.8 days: a sum of two finite weights never reaches `INF` by accident."
);
units_for!(
    u64,
    u128,
    (1 << 53) - 1,
    "2⁵³ − 1 ms (285,000 years): every finite weight is an integer `f64` holds exactly, so an `f64` Dijkstra on the rounded weights is an exact oracle for it."
);

/// Whether every finite cost of `weight` converts to `W` without clamping: the condition for
/// customizing `weight` as a `CchMetric<W>` and getting exact answers.
pub fn fits_units<W: Units>(weight: &[f64]) -> bool {
    weight.iter().all(|&w| W::fits(w))
}
