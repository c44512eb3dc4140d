//! Customization: shortcut weights for one weight vector, by lower triangles (RoutingKit's
//! basic customization), and partial re-customization after a few arcs change.

use super::{Cch, Units};
use crate::INVALID;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Shortcut weights for one weight vector, in integer units `W` (`u32` by default, `u64` for
/// metrics beyond its range: see the module docs of `cch`), in separate arrays per direction
/// so that a query side reads one dense array.
#[derive(Debug, Clone)]
pub struct CchMetric<W: Units = u32> {
    /// Cost of edge `e` from its lower to its upper end.
    pub(super) up: Vec<W>,
    /// Cost of edge `e` from its upper to its lower end.
    pub(super) down: Vec<W>,
    /// The road arcs' costs as given: the base of every edge (rounded when used), kept for
    /// partial updates, for telling an original arc from a shortcut when unpacking, and for
    /// reporting a route's exact cost.
    pub(super) arc_cost: Vec<f64>,
    /// Per rank, the edge from the rank being customized to it (reused between runs).
    edge_to: Vec<u32>,
}

impl Cch {
    /// Shortcut weights for `weight` (per road-graph arc; `INFINITY` = unusable) in `u32`
    /// units: finite costs past 24.8 days are clamped (check [`super::fits_units`] first, or
    /// use [`Cch::customize_wide`]).
    pub fn customize(&self, weight: &[f64]) -> CchMetric {
        self.customize_as(weight)
    }

    /// [`Cch::customize`] in `u64` units: exact for finite costs up to 2⁵³ ms.
    pub fn customize_wide(&self, weight: &[f64]) -> CchMetric<u64> {
        self.customize_as(weight)
    }

    /// Shortcut weights in units `W`.
    pub fn customize_as<W: Units>(&self, weight: &[f64]) -> CchMetric<W> {
        let mut metric = CchMetric {
            up: Vec::new(),
            down: Vec::new(),
            arc_cost: Vec::new(),
            edge_to: Vec::new(),
        };
        metric.recustomize(self, weight);
        metric
    }
}

impl<W: Units> CchMetric<W> {
    /// Customizes again for a new weight vector, reusing this metric's buffers.
    pub fn recustomize(&mut self, cch: &Cch, weight: &[f64]) {
        assert_eq!(weight.len(), cch.arc_edge.len(), "one weight per arc");
        self.arc_cost.clear();
        self.arc_cost.extend_from_slice(weight);
        self.load_arcs(cch);
        self.relax_lower_triangles(cch);
    }

    /// Distance units of edge `e` upward and downward (for tests and diagnostics).
    pub fn edge_units(&self, e: usize) -> (W, W) {
        (self.up[e], self.down[e])
    }

    /// Every edge starts at the cheapest road arc lying on it in its direction.
    fn load_arcs(&mut self, cch: &Cch) {
        let m = cch.edge_count();
        self.up.clear();
        self.up.resize(m, W::INF);
        self.down.clear();
        self.down.resize(m, W::INF);
        for (a, &c) in self.arc_cost.iter().enumerate() {
            let e = cch.arc_edge[a];
            if e == INVALID {
                continue;
            }
            let w = W::from_cost(c);
            let slot = if cch.arc_up[a] {
                &mut self.up[e as usize]
            } else {
                &mut self.down[e as usize]
            };
            *slot = (*slot).min(w);
        }
    }

    /// For each rank `x` ascending, each edge `x–y` takes the cheapest detour `x–z–y` through a
    /// lower neighbour `z` of both: the lower triangles, found by marking `x`'s upper neighbours
    /// and walking each lower neighbour's edges above `x`.
    fn relax_lower_triangles(&mut self, cch: &Cch) {
        let n = cch.node_count();
        self.edge_to.clear();
        self.edge_to.resize(n, INVALID);
        let (up, down, edge_to) = (&mut self.up, &mut self.down, &mut self.edge_to);
        for x in 0..n as u32 {
            let mine = cch.edges_of(x);
            for e in mine.clone() {
                edge_to[cch.up_head[e] as usize] = e as u32;
            }
            for i in cch.lower_of(x) {
                let (z, zx) = (cch.down_tail[i], cch.down_edge[i] as usize);
                let (z_to_x, x_to_z) = (up[zx], down[zx]);
                if z_to_x == W::INF && x_to_z == W::INF {
                    continue;
                }
                // z's edges after z–x lead above x; by chordality each y there is x's neighbour.
                for zy in zx + 1..cch.up_first[z as usize + 1] as usize {
                    let xy = edge_to[cch.up_head[zy] as usize] as usize;
                    debug_assert!(xy != INVALID as usize, "chordal");
                    up[xy] = up[xy].min(x_to_z.sat_add(up[zy]));
                    down[xy] = down[xy].min(down[zy].sat_add(z_to_x));
                }
            }
            for e in mine {
                edge_to[cch.up_head[e] as usize] = INVALID;
            }
        }
    }

    /// Recomputes edge `e` from scratch: its road arcs and all its lower triangles.
    fn recompute_edge(&self, cch: &Cch, e: u32) -> (W, W) {
        let (x, y) = (cch.up_tail[e as usize], cch.up_head[e as usize]);
        let (mut up, mut down) = (W::INF, W::INF);
        for &a in cch.arcs_of_edge(e) {
            let w = W::from_cost(self.arc_cost[a as usize]);
            if cch.arc_up[a as usize] {
                up = up.min(w);
            } else {
                down = down.min(w);
            }
        }
        for_each_lower_triangle(cch, x, y, |zx, zy| {
            up = up.min(self.down[zx].sat_add(self.up[zy]));
            down = down.min(self.down[zy].sat_add(self.up[zx]));
        });
        (up, down)
    }
}

/// Calls `f(edge z–x, edge z–y)` for every `z` below both `x` and `y` adjacent to both.
/// Near the top of the hierarchy one list is often thousands of entries long and the other
/// short: then each short entry is found by binary search in the long one (merge otherwise).
#[inline]
pub(super) fn for_each_lower_triangle(cch: &Cch, x: u32, y: u32, mut f: impl FnMut(usize, usize)) {
    let (xs, ys) = (cch.lower_of(x), cch.lower_of(y));
    if xs.len() * 8 < ys.len() || ys.len() * 8 < xs.len() {
        let swap = xs.len() > ys.len();
        let (short, long) = if swap { (ys, xs) } else { (xs, ys) };
        let mut from = long.start;
        for i in short {
            let z = cch.down_tail[i];
            from += cch.down_tail[from..long.end].partition_point(|&t| t < z);
            if from < long.end && cch.down_tail[from] == z {
                let (e_short, e_long) = (cch.down_edge[i] as usize, cch.down_edge[from] as usize);
                if swap {
                    f(e_long, e_short);
                } else {
                    f(e_short, e_long);
                }
            }
        }
        return;
    }
    let (mut i, mut j) = (xs.start, ys.start);
    while i < xs.end && j < ys.end {
        let (zi, zj) = (cch.down_tail[i], cch.down_tail[j]);
        if zi < zj {
            i += 1;
        } else if zj < zi {
            j += 1;
        } else {
            f(cch.down_edge[i] as usize, cch.down_edge[j] as usize);
            i += 1;
            j += 1;
        }
    }
}

/// Partial customization: after a handful of arcs change (an incident closes a bridge, a
/// checkpoint opens), only the edges whose lower triangles contain a changed edge can change,
/// and they are few. Recomputing those in rank order costs microseconds to milliseconds instead
/// of a full customization; the result is identical to customizing from scratch. Keeps its
/// queue between calls.
#[derive(Debug, Clone, Default)]
pub struct CchUpdater {
    queue: BinaryHeap<Reverse<u32>>,
    queued: Vec<bool>,
}

impl CchUpdater {
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the given arcs to new costs (`INFINITY` = unusable) and repairs every shortcut that
    /// depends on them. Returns how many edges changed weight.
    pub fn update<W: Units>(
        &mut self,
        cch: &Cch,
        metric: &mut CchMetric<W>,
        changes: &[(u32, f64)],
    ) -> usize {
        self.queued.resize(cch.edge_count(), false);
        for &(a, w) in changes {
            metric.arc_cost[a as usize] = w;
            let e = cch.arc_edge[a as usize];
            if e != INVALID {
                self.push(e);
            }
        }
        let mut changed = 0;
        while let Some(Reverse(e)) = self.queue.pop() {
            self.queued[e as usize] = false;
            let (up, down) = metric.recompute_edge(cch, e);
            if (up, down) == (metric.up[e as usize], metric.down[e as usize]) {
                continue;
            }
            metric.up[e as usize] = up;
            metric.down[e as usize] = down;
            changed += 1;
            self.push_dependents(cch, e);
        }
        changed
    }

    /// Edge `x–y` is a lower side of the triangle `x, y, w` for every other upper neighbour
    /// `w` of `x`: the edge `y–w` may change with it.
    fn push_dependents(&mut self, cch: &Cch, e: u32) {
        let (x, y) = (cch.up_tail[e as usize], cch.up_head[e as usize]);
        for f in cch.edges_of(x) {
            let w = cch.up_head[f];
            if w != y {
                let top = cch.find_edge(y.min(w), y.max(w));
                debug_assert!(top != INVALID, "chordal");
                self.push(top);
            }
        }
    }

    fn push(&mut self, e: u32) {
        if !std::mem::replace(&mut self.queued[e as usize], true) {
            self.queue.push(Reverse(e));
        }
    }
}
