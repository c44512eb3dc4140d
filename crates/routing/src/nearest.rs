//! Nearest source with its label: for every node, the cheapest of several labelled sources
//! (facilities, supply entries) and *which* one it is, by plain Dijkstra or by the CCH
//! ([`crate::CchNearestSource`]), with one tie rule so that both engines give the same labels.
//!
//! ## The tie rule
//! Costs are compared in the CCH's integer units (milliseconds, [`crate::cost_to_units`], on
//! each arc and each seed cost; on a `u32` CCH sums saturate at [`crate::INF_UNITS`], 49.7
//! days, on a `u64` one at 2⁶⁴ units, while Dijkstra keeps 64 bits and never clamps, see
//! [`NearestSource`]); among sources at the same cost the
//! **smallest label** wins. A search carries the pair (cost, label) as one key, cost in
//! the high half: adding an arc's weight keeps the order of two keys, so Dijkstra and the
//! PHAST sweep both find the lexicographically smallest pair exactly, whatever order they
//! settle nodes in. A parent-pointer rule ("the first search-tree parent to reach the node")
//! would depend on the order nodes leave the heap, which PHAST does not have.

use crate::{Graph, UNITS_PER_COST};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// A labelled start of a nearest-source search: a node, the cost already paid to get there,
/// and the label reported for every node it is nearest to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LabelledSeed {
    pub node: u32,
    pub cost: f64,
    pub label: u32,
}

/// A cost as whole units, exactly: no clamp at [`crate::MAX_FINITE_UNITS`] and no saturation
/// at 2³² units, so Dijkstra stays exact on weights the CCH cannot hold (`None`: unusable).
#[inline]
fn exact_units(w: f64) -> Option<u64> {
    if w.is_nan() || w == f64::INFINITY {
        return None;
    }
    let u = (w.max(0.0) * UNITS_PER_COST).round();
    (u < DIJKSTRA_NO_KEY_COST as f64).then_some(u as u64)
}

/// Dijkstra's "not reached" cost (and key: `u128::MAX`).
const DIJKSTRA_NO_KEY_COST: u64 = u64::MAX;

/// Dijkstra's key: cost in units (high 64 bits), label (low 32 bits).
#[inline]
fn exact_key(units: Option<u64>, label: u32) -> u128 {
    units.map_or(u128::MAX, |u| ((u as u128) << 64) | label as u128)
}

/// Multi-source Dijkstra on (cost, label) keys: the nearest labelled source of every node
/// within a limit. Reuse one per graph: its arrays are sized once.
///
/// Costs are whole units like the CCH's, with the same tie rule, but kept in 64 bits: no arc
/// is clamped and no sum saturates, so this is also the exact fallback for weights outside
/// the CCH's range (a clamped 30-day arc would beat a 26-day path). On weights in the CCH's
/// range the two engines agree wherever the CCH's sums stay below [`INF_UNITS`] (49.7 days).
#[derive(Debug, Clone)]
pub struct NearestSource {
    key: Vec<u128>,
    touched: Vec<u32>,
    heap: BinaryHeap<Reverse<(u128, u32)>>,
}

impl NearestSource {
    pub fn new(g: &Graph) -> Self {
        NearestSource {
            key: vec![u128::MAX; g.node_count()],
            touched: Vec::new(),
            heap: BinaryHeap::new(),
        }
    }

    /// Searches from `seeds` over `weight` (per arc, `INFINITY` = unusable); with `reverse`,
    /// arcs are walked backwards, so costs run from each node *to* its nearest source. Nodes
    /// costing more than `limit` are left unreached.
    pub fn run(
        &mut self,
        g: &Graph,
        weight: &[f64],
        seeds: &[LabelledSeed],
        limit: f64,
        reverse: bool,
    ) {
        for &v in &self.touched {
            self.key[v as usize] = u128::MAX;
        }
        self.touched.clear();
        self.heap.clear();
        let limit = exact_units(limit).unwrap_or(u64::MAX);
        for s in seeds {
            self.offer(s.node, exact_key(exact_units(s.cost), s.label));
        }
        let extend = |k: u128, w: f64| -> u128 {
            let sum = exact_units(w).and_then(|w| ((k >> 64) as u64).checked_add(w));
            exact_key(sum.filter(|&d| d < DIJKSTRA_NO_KEY_COST), k as u32)
        };
        while let Some(Reverse((k, v))) = self.heap.pop() {
            if k != self.key[v as usize] {
                continue;
            }
            if (k >> 64) as u64 > limit {
                self.key[v as usize] = u128::MAX;
                continue;
            }
            if reverse {
                for (t, a) in g.in_arcs(v) {
                    self.offer(t, extend(k, weight[a as usize]));
                }
            } else {
                for a in g.out_arcs(v) {
                    self.offer(g.arc_head(a), extend(k, weight[a as usize]));
                }
            }
        }
    }

    #[inline]
    fn offer(&mut self, v: u32, k: u128) {
        let cur = &mut self.key[v as usize];
        if k < *cur {
            if *cur == u128::MAX {
                self.touched.push(v);
            }
            *cur = k;
            self.heap.push(Reverse((k, v)));
        }
    }

    /// Cost between `v` and its nearest source (`INFINITY` = unreached or beyond the limit).
    pub fn cost(&self, v: u32) -> f64 {
        match self.key[v as usize] {
            u128::MAX => f64::INFINITY,
            k => (k >> 64) as u64 as f64 / UNITS_PER_COST,
        }
    }

    /// [`NearestSource::cost`] in whole units, exactly (`u64::MAX` = unreached): costs past
    /// 2⁵³ units lose nothing here, as they would as `f64`.
    pub fn units(&self, v: u32) -> u64 {
        match self.key[v as usize] {
            u128::MAX => u64::MAX,
            k => (k >> 64) as u64,
        }
    }

    /// The label of `v`'s nearest source (smallest label among equally near ones).
    pub fn label(&self, v: u32) -> Option<u32> {
        let k = self.key[v as usize];
        (k != u128::MAX).then_some(k as u32)
    }
}
