//! Point-to-point queries: both sides walk their elimination-tree paths in one interleaved
//! sweep by rank, pruned once a side's distance reaches the best meeting found so far, and the
//! path is unpacked by lower triangles (no per-shortcut tags stored).

use super::customize::for_each_lower_triangle;
use super::walk::TreeWalk;
use super::{Cch, CchMetric, Units};
use crate::dijkstra::{Route, Seed};
use crate::INVALID;

/// One side of a query: distances and parent edges by rank. Every distance is `W::INF`
/// between queries: the search resets each rank as soon as it is done with it (nothing reads a
/// rank's distance after that), so no second walk is needed. Parent edges are not reset: a
/// path query only follows ranks whose parent edge it wrote itself.
#[derive(Clone)]
struct Side<W: Units> {
    dist: Vec<W>,
    parent_edge: Vec<u32>,
    walk: TreeWalk,
}

impl<W: Units> Side<W> {
    fn new(n: usize) -> Self {
        Side {
            dist: vec![W::INF; n],
            parent_edge: vec![INVALID; n],
            walk: TreeWalk::default(),
        }
    }

    fn seed(&mut self, cch: &Cch, seeds: &[Seed]) {
        for s in seeds {
            let (r, c) = (cch.rank[s.node as usize], W::from_cost(s.cost));
            if c < self.dist[r as usize] {
                self.dist[r as usize] = c;
                self.parent_edge[r as usize] = INVALID;
            }
        }
        self.walk.start(
            seeds
                .iter()
                .filter(|s| s.cost.is_finite())
                .map(|s| cch.rank[s.node as usize]),
        );
    }

    /// Relaxes the upward edges of `x` with `weight` unless `x` is already no better than
    /// `best`; records parent edges only for a path query (`PATH`).
    #[inline(always)]
    fn relax<const PATH: bool>(&mut self, cch: &Cch, weight: &[W], x: u32, best: W) {
        let dx = self.dist[x as usize];
        if dx >= best {
            return;
        }
        let r = cch.edges_of(x);
        let first = r.start;
        let edges = cch.up_head[r.clone()].iter().zip(&weight[r]);
        if !PATH {
            // No branch on the comparison: whether an edge improves its head is a coin toss
            // the predictor loses, and the head's distance is in cache after the load anyway.
            for (&y, &w) in edges {
                let slot = &mut self.dist[y as usize];
                *slot = (*slot).min(dx.sat_add(w));
            }
            return;
        }
        for (i, (&y, &w)) in edges.enumerate() {
            let d = dx.sat_add(w);
            let slot = &mut self.dist[y as usize];
            if d < *slot {
                *slot = d;
                self.parent_edge[y as usize] = (first + i) as u32;
            }
        }
    }
}

/// Query state for elimination-tree searches on metrics in units `W`; reuse one per thread.
#[derive(Clone)]
pub struct CchQuery<W: Units = u32> {
    fwd: Side<W>,
    bwd: Side<W>,
}

impl<W: Units> CchQuery<W> {
    pub fn new(cch: &Cch) -> Self {
        let n = cch.node_count();
        CchQuery {
            fwd: Side::new(n),
            bwd: Side::new(n),
        }
    }

    /// The cheapest path from any source seed to any target seed under the metric's weights
    /// rounded to whole units; `Route::cost` is that path's exact cost in the unrounded
    /// weights (seed costs plus arc costs), so it matches the arcs the caller sums up.
    pub fn run(
        &mut self,
        cch: &Cch,
        metric: &CchMetric<W>,
        sources: &[Seed],
        targets: &[Seed],
    ) -> Option<Route> {
        let (_, meet) = self.search::<true>(cch, metric, sources, targets);
        (meet != INVALID).then(|| self.unpack(cch, metric, meet, sources, targets))
    }

    /// Only the cost of the cheapest path (`INFINITY` if none): no path unpacking. This is what
    /// RoutingKit's published query times measure.
    pub fn cost(
        &mut self,
        cch: &Cch,
        metric: &CchMetric<W>,
        sources: &[Seed],
        targets: &[Seed],
    ) -> f64 {
        let (best, _) = self.search::<false>(cch, metric, sources, targets);
        best.to_cost()
    }

    /// Both sides up their elimination-tree paths in one pass by rank; a rank on both paths is
    /// a meeting candidate once both have relaxed everything below it. Each rank's distances
    /// are reset once it is done (see [`Side`]).
    fn search<const PATH: bool>(
        &mut self,
        cch: &Cch,
        metric: &CchMetric<W>,
        sources: &[Seed],
        targets: &[Seed],
    ) -> (W, u32) {
        self.fwd.seed(cch, sources);
        self.bwd.seed(cch, targets);
        let (mut best, mut meet) = (W::INF, INVALID);
        loop {
            // `INVALID` (u32::MAX) once a side is done, so the lower rank is the next one.
            let (f, b) = (self.fwd.walk.next_rank(), self.bwd.walk.next_rank());
            let x = f.min(b);
            if x == INVALID {
                break;
            }
            if f == b {
                let d = self.fwd.dist[x as usize].sat_add(self.bwd.dist[x as usize]);
                if d < best {
                    best = d;
                    meet = x;
                }
            }
            if f == x {
                self.fwd.relax::<PATH>(cch, &metric.up, x, best);
                self.fwd.dist[x as usize] = W::INF;
                self.fwd.walk.advance(x, &cch.parent);
            }
            if b == x {
                self.bwd.relax::<PATH>(cch, &metric.down, x, best);
                self.bwd.dist[x as usize] = W::INF;
                self.bwd.walk.advance(x, &cch.parent);
            }
        }
        (best, meet)
    }

    fn unpack(
        &self,
        cch: &Cch,
        metric: &CchMetric<W>,
        meet: u32,
        sources: &[Seed],
        targets: &[Seed],
    ) -> Route {
        let (first, up_steps) = climb(&self.fwd, cch, meet);
        let (last, down_steps) = climb(&self.bwd, cch, meet);
        // Up the source side (reversed to run forward), then down the target side.
        let mut stack: Vec<(u32, bool)> = down_steps.iter().rev().map(|&e| (e, false)).collect();
        stack.extend(up_steps.iter().map(|&e| (e, true)));
        let mut arcs = Vec::new();
        while let Some((e, is_up)) = stack.pop() {
            expand(cch, metric, e, is_up, &mut stack, &mut arcs);
        }
        let (first_node, last_node) = (cch.order[first as usize], cch.order[last as usize]);
        let seed_cost = |seeds: &[Seed], node: u32| {
            seeds
                .iter()
                .filter(|s| s.node == node)
                .map(|s| s.cost)
                .fold(f64::INFINITY, f64::min)
        };
        let cost = seed_cost(sources, first_node)
            + arcs
                .iter()
                .map(|&a| metric.arc_cost[a as usize])
                .sum::<f64>()
            + seed_cost(targets, last_node);
        Route {
            cost,
            first_node,
            last_node,
            arcs,
        }
    }
}

/// The parent edges from `meet` down to where the side started; returns that start rank and
/// the edges, highest first.
fn climb<W: Units>(side: &Side<W>, cch: &Cch, meet: u32) -> (u32, Vec<u32>) {
    let mut steps = Vec::new();
    let mut x = meet;
    while side.parent_edge[x as usize] != INVALID {
        let e = side.parent_edge[x as usize];
        steps.push(e);
        x = cch.up_tail[e as usize];
    }
    (x, steps)
}

/// Replaces edge `e` (run upward or downward) by a road arc of exactly its weight, or else by
/// the two sides of a lower triangle whose sum is its weight (pushed so the path stays in order).
pub(super) fn expand<W: Units>(
    cch: &Cch,
    metric: &CchMetric<W>,
    e: u32,
    is_up: bool,
    stack: &mut Vec<(u32, bool)>,
    arcs: &mut Vec<u32>,
) {
    let w = if is_up {
        metric.up[e as usize]
    } else {
        metric.down[e as usize]
    };
    if let Some(&a) = cch.arcs_of_edge(e).iter().find(|&&a| {
        cch.arc_up[a as usize] == is_up && W::from_cost(metric.arc_cost[a as usize]) == w
    }) {
        arcs.push(a);
        return;
    }
    let (x, y) = (cch.up_tail[e as usize], cch.up_head[e as usize]);
    let mut via = None;
    for_each_lower_triangle(cch, x, y, |zx, zy| {
        if via.is_none() {
            let sum = if is_up {
                metric.down[zx].sat_add(metric.up[zy])
            } else {
                metric.down[zy].sat_add(metric.up[zx])
            };
            if sum == w {
                via = Some((zx as u32, zy as u32));
            }
        }
    });
    let (zx, zy) = via.expect("a finite edge is a road arc or a lower triangle");
    // up (x -> y) = x -> z (down of z–x) then z -> y (up of z–y);
    // down (y -> x) = y -> z (down of z–y) then z -> x (up of z–x).
    if is_up {
        stack.push((zy, true));
        stack.push((zx, false));
    } else {
        stack.push((zx, true));
        stack.push((zy, false));
    }
}
