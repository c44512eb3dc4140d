//! Nearest source with its label: for every node, the cheapest of several labelled sources
//! (facilities, supply entries) and *which* one it is, by plain Dijkstra or by the CCH
//! ([`crate::CchNearestSource`]), with one tie rule so that both engines give the same labels.
//!
//! ## The tie rule
//! Costs are compared in the CCH's integer units (milliseconds, [`cost_to_units`], on each arc
//! and each seed cost, sums saturating at [`INF_UNITS`]); among sources at the same cost the
//! **smallest label** wins. A search carries the pair (cost, label) as one `u64` key, cost in
//! the high half: adding an arc's weight keeps the order of two keys, so Dijkstra and the
//! PHAST sweep both find the lexicographically smallest pair exactly, whatever order they
//! settle nodes in. A parent-pointer rule ("the first search-tree parent to reach the node")
//! would depend on the order nodes leave the heap, which PHAST does not have.

use crate::{cost_to_units, units_to_cost, Graph, INF_UNITS};
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

/// "Not reached": larger than every real key.
pub(crate) const NO_KEY: u64 = u64::MAX;

/// The key of a seed: its cost in units (high half), its label (low half).
#[inline]
pub(crate) fn seed_key(s: &LabelledSeed) -> u64 {
    let d = cost_to_units(s.cost);
    if d == INF_UNITS {
        NO_KEY
    } else {
        ((d as u64) << 32) | s.label as u64
    }
}

/// `key` extended by an arc of `w` units; saturates to "not reached" as the CCH's sums do.
#[inline]
pub(crate) fn extend(key: u64, w: u32) -> u64 {
    let d = (key >> 32) as u32;
    if key == NO_KEY || w == INF_UNITS {
        return NO_KEY;
    }
    let nd = d.saturating_add(w);
    if nd == INF_UNITS {
        NO_KEY
    } else {
        ((nd as u64) << 32) | (key & 0xffff_ffff)
    }
}

/// The cost of a key (`INFINITY` when not reached).
#[inline]
pub(crate) fn key_cost(key: u64) -> f64 {
    if key == NO_KEY {
        f64::INFINITY
    } else {
        units_to_cost((key >> 32) as u32)
    }
}

/// The label of a key (`None` when not reached).
#[inline]
pub(crate) fn key_label(key: u64) -> Option<u32> {
    (key != NO_KEY).then_some(key as u32)
}

/// Multi-source Dijkstra on (cost, label) keys: the nearest labelled source of every node
/// within a limit. Reuse one per graph: its arrays are sized once.
#[derive(Debug, Clone)]
pub struct NearestSource {
    key: Vec<u64>,
    touched: Vec<u32>,
    heap: BinaryHeap<Reverse<(u64, u32)>>,
}

impl NearestSource {
    pub fn new(g: &Graph) -> Self {
        NearestSource {
            key: vec![NO_KEY; g.node_count()],
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
            self.key[v as usize] = NO_KEY;
        }
        self.touched.clear();
        self.heap.clear();
        let limit = if limit.is_finite() {
            cost_to_units(limit.max(0.0))
        } else {
            INF_UNITS
        };
        for s in seeds {
            self.offer(s.node, seed_key(s));
        }
        while let Some(Reverse((k, v))) = self.heap.pop() {
            if k != self.key[v as usize] {
                continue;
            }
            if (k >> 32) as u32 > limit {
                self.key[v as usize] = NO_KEY;
                continue;
            }
            if reverse {
                for (t, a) in g.in_arcs(v) {
                    self.offer(t, extend(k, cost_to_units(weight[a as usize])));
                }
            } else {
                for a in g.out_arcs(v) {
                    self.offer(g.arc_head(a), extend(k, cost_to_units(weight[a as usize])));
                }
            }
        }
    }

    #[inline]
    fn offer(&mut self, v: u32, k: u64) {
        let cur = &mut self.key[v as usize];
        if k < *cur {
            if *cur == NO_KEY {
                self.touched.push(v);
            }
            *cur = k;
            self.heap.push(Reverse((k, v)));
        }
    }

    /// Cost between `v` and its nearest source (`INFINITY` = unreached or beyond the limit).
    pub fn cost(&self, v: u32) -> f64 {
        key_cost(self.key[v as usize])
    }

    /// The label of `v`'s nearest source (smallest label among equally near ones).
    pub fn label(&self, v: u32) -> Option<u32> {
        key_label(self.key[v as usize])
    }
}
