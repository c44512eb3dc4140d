use crate::{Graph, INVALID};
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// A start (or end) of a search with the cost already paid to get there: a point snapped onto
/// the middle of a road reaches the road's two end nodes at a fraction of the road's cost.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Seed {
    pub node: u32,
    pub cost: f64,
}

/// An exact shortest path between seed sets.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    /// Total cost, seed costs included.
    pub cost: f64,
    /// The source seed's node the path starts at.
    pub first_node: u32,
    /// The target seed's node the path ends at.
    pub last_node: u32,
    /// Forward arc ids from `first_node` to `last_node` (empty if they are the same node).
    pub arcs: Vec<u32>,
}

/// A priority-queue entry: smallest `key` first (ties by node id, for determinism).
#[derive(Clone, Copy, PartialEq)]
pub(crate) struct Entry {
    pub(crate) key: f64,
    pub(crate) node: u32,
}
impl Eq for Entry {}
impl Ord for Entry {
    fn cmp(&self, o: &Self) -> Ordering {
        // Reversed: BinaryHeap is a max-heap and we want the smallest key first.
        o.key.total_cmp(&self.key).then(o.node.cmp(&self.node))
    }
}
impl PartialOrd for Entry {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

/// Tentative distances, parents and a heap that reset in O(touched) between queries
/// (a timestamp per node instead of clearing arrays), so repeated queries cost what they explore.
#[derive(Clone)]
struct SearchSpace {
    dist: Vec<f64>,
    parent_arc: Vec<u32>,
    stamp: Vec<u32>,
    settled: Vec<u32>,
    round: u32,
    heap: BinaryHeap<Entry>,
}

impl SearchSpace {
    fn new(n: usize) -> Self {
        SearchSpace {
            dist: vec![f64::INFINITY; n],
            parent_arc: vec![INVALID; n],
            stamp: vec![0; n],
            settled: vec![0; n],
            round: 0,
            heap: BinaryHeap::new(),
        }
    }

    fn reset(&mut self, n: usize) {
        if self.dist.len() != n {
            *self = SearchSpace::new(n);
        }
        self.heap.clear();
        self.round = self.round.wrapping_add(1);
        if self.round == 0 {
            self.stamp.iter_mut().for_each(|s| *s = 0);
            self.settled.iter_mut().for_each(|s| *s = 0);
            self.round = 1;
        }
    }

    #[inline]
    fn dist(&self, v: u32) -> f64 {
        if self.stamp[v as usize] == self.round {
            self.dist[v as usize]
        } else {
            f64::INFINITY
        }
    }

    #[inline]
    fn is_settled(&self, v: u32) -> bool {
        self.settled[v as usize] == self.round
    }

    #[inline]
    fn relax(&mut self, v: u32, d: f64, arc: u32) -> bool {
        if d < self.dist(v) {
            self.stamp[v as usize] = self.round;
            self.dist[v as usize] = d;
            self.parent_arc[v as usize] = arc;
            self.heap.push(Entry { key: d, node: v });
            true
        } else {
            false
        }
    }

    /// Pops the next unsettled node, skipping stale heap entries.
    #[inline]
    fn pop(&mut self) -> Option<(u32, f64)> {
        while let Some(Entry { key, node }) = self.heap.pop() {
            if !self.is_settled(node) && key == self.dist(node) {
                self.settled[node as usize] = self.round;
                return Some((node, key));
            }
        }
        None
    }

    #[inline]
    fn min_key(&self) -> f64 {
        self.heap.peek().map_or(f64::INFINITY, |e| e.key)
    }
}

/// Exact point-to-point shortest paths by bidirectional Dijkstra. Keep one per thread and reuse
/// it: its arrays are sized to the graph once.
#[derive(Clone)]
pub struct BidirectionalDijkstra {
    fwd: SearchSpace,
    bwd: SearchSpace,
}

impl BidirectionalDijkstra {
    pub fn new(g: &Graph) -> Self {
        BidirectionalDijkstra {
            fwd: SearchSpace::new(g.node_count()),
            bwd: SearchSpace::new(g.node_count()),
        }
    }

    /// The cheapest path from any source seed to any target seed under `weight` (indexed by arc
    /// id, non-negative, `INFINITY` = unusable). `None` if no target is reachable.
    pub fn run(
        &mut self,
        g: &Graph,
        weight: &[f64],
        sources: &[Seed],
        targets: &[Seed],
    ) -> Option<Route> {
        debug_assert_eq!(weight.len(), g.arc_count());
        let n = g.node_count();
        self.fwd.reset(n);
        self.bwd.reset(n);
        for s in sources.iter().filter(|s| s.cost.is_finite()) {
            self.fwd.relax(s.node, s.cost, INVALID);
        }
        for t in targets.iter().filter(|t| t.cost.is_finite()) {
            self.bwd.relax(t.node, t.cost, INVALID);
        }
        let mut best = f64::INFINITY;
        let mut meet = INVALID;
        // Seeds on both sides of one node already form a path.
        for s in sources {
            let d = self.fwd.dist(s.node) + self.bwd.dist(s.node);
            if d < best {
                best = d;
                meet = s.node;
            }
        }
        loop {
            let (fk, bk) = (self.fwd.min_key(), self.bwd.min_key());
            if fk + bk >= best || (fk.is_infinite() && bk.is_infinite()) {
                break;
            }
            if fk <= bk {
                let Some((v, dv)) = self.fwd.pop() else {
                    continue;
                };
                for a in g.out_arcs(v) {
                    let w = weight[a as usize];
                    if w.is_infinite() {
                        continue;
                    }
                    let h = g.arc_head(a);
                    let d = dv + w;
                    self.fwd.relax(h, d, a);
                    let total = d + self.bwd.dist(h);
                    if total < best {
                        best = total;
                        meet = h;
                    }
                }
            } else {
                let Some((v, dv)) = self.bwd.pop() else {
                    continue;
                };
                for (t, a) in g.in_arcs(v) {
                    let w = weight[a as usize];
                    if w.is_infinite() {
                        continue;
                    }
                    let d = dv + w;
                    self.bwd.relax(t, d, a);
                    let total = self.fwd.dist(t) + d;
                    if total < best {
                        best = total;
                        meet = t;
                    }
                }
            }
        }
        if meet == INVALID {
            return None;
        }
        let mut arcs = Vec::new();
        let mut v = meet;
        while self.fwd.parent_arc[v as usize] != INVALID {
            let a = self.fwd.parent_arc[v as usize];
            arcs.push(a);
            v = g.arc_tail(a);
        }
        let first_node = v;
        arcs.reverse();
        let mut v = meet;
        while self.bwd.parent_arc[v as usize] != INVALID {
            let a = self.bwd.parent_arc[v as usize];
            arcs.push(a);
            v = g.arc_head(a);
        }
        Some(Route {
            cost: best,
            first_node,
            last_node: v,
            arcs,
        })
    }
}

/// One-to-all (or many-to-all) Dijkstra: every node's cost from the nearest seed, in one pass.
/// The analyses use it for "time to the nearest working hospital" and reachability.
#[derive(Clone)]
pub struct OneToAll {
    space: SearchSpace,
}

impl OneToAll {
    pub fn new(g: &Graph) -> Self {
        OneToAll {
            space: SearchSpace::new(g.node_count()),
        }
    }

    /// Settles every node with cost `<= limit`; afterwards `cost(v)` and `parent_arc(v)` answer.
    /// With `reverse`, arcs are walked backwards: costs are then *to* the seeds.
    pub fn run(&mut self, g: &Graph, weight: &[f64], seeds: &[Seed], limit: f64, reverse: bool) {
        let s = &mut self.space;
        s.reset(g.node_count());
        for seed in seeds.iter().filter(|s| s.cost.is_finite()) {
            s.relax(seed.node, seed.cost, INVALID);
        }
        while let Some((v, dv)) = s.pop() {
            if dv > limit {
                // Leave it unsettled: callers see only costs within the limit.
                s.settled[v as usize] = s.round.wrapping_sub(1);
                break;
            }
            if reverse {
                for (t, a) in g.in_arcs(v) {
                    let w = weight[a as usize];
                    if w.is_finite() {
                        s.relax(t, dv + w, a);
                    }
                }
            } else {
                for a in g.out_arcs(v) {
                    let w = weight[a as usize];
                    if w.is_finite() {
                        s.relax(g.arc_head(a), dv + w, a);
                    }
                }
            }
        }
    }

    /// Cost of `v` from the seeds, `INFINITY` if unreached or beyond the limit.
    pub fn cost(&self, v: u32) -> f64 {
        if self.space.is_settled(v) {
            self.space.dist(v)
        } else {
            f64::INFINITY
        }
    }

    /// The arc by which `v` was reached, `INVALID` for seeds and unreached nodes.
    pub fn parent_arc(&self, v: u32) -> u32 {
        if self.space.is_settled(v) {
            self.space.parent_arc[v as usize]
        } else {
            INVALID
        }
    }
}
