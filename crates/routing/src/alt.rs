//! A* with landmarks and the triangle inequality (ALT, Goldberg & Harrelson 2005).
//!
//! Why ALT and not only a contraction hierarchy: scenario costs are travel time *plus* risk, and
//! closures make arcs impassable, so every scenario weight is at least the base travel time.
//! Lower bounds computed once on base times therefore stay valid for every scenario: the
//! landmarks are built at import and never need rebuilding when shells fall or roads are cut.

use crate::dijkstra::{Entry, Route, Seed};
use crate::{Graph, OneToAll, INVALID};
use std::collections::BinaryHeap;

/// Distances from and to a few well-spread nodes, stored as `f32` (half the memory of `f64`;
/// bounds are shrunk by a relative margin that covers the rounding, so they stay admissible).
#[derive(Debug, Clone, PartialEq)]
pub struct Landmarks {
    nodes: Vec<u32>,
    /// `from[v * k + l]` = cost from landmark `l` to `v` (`INFINITY` if unreachable), with `k`
    /// landmarks: one node's values share a cache line.
    from: Vec<f32>,
    /// `to[v * k + l]` = cost from `v` to landmark `l`.
    to: Vec<f32>,
}

/// Relative safety margin on every bound: f32 keeps 24 bits (relative error 6e-8 per value).
const MARGIN: f64 = 1e-6;

impl Landmarks {
    /// Picks `count` landmarks by farthest selection among `candidates` (a node far from all
    /// chosen ones, repeatedly) and computes their distances under `weight`.
    pub fn build(g: &Graph, weight: &[f64], candidates: &[u32], count: usize) -> Landmarks {
        let n = g.node_count();
        let mut nodes: Vec<u32> = Vec::new();
        let mut search = OneToAll::new(g);
        if let Some(&start) = candidates.first() {
            let mut seeds = vec![Seed {
                node: start,
                cost: 0.0,
            }];
            while nodes.len() < count.min(candidates.len()) {
                search.run(g, weight, &seeds, f64::INFINITY, false);
                let far = candidates
                    .iter()
                    .copied()
                    .filter(|v| !nodes.contains(v))
                    .max_by(|&a, &b| {
                        let (ca, cb) = (finite_or(search.cost(a)), finite_or(search.cost(b)));
                        ca.total_cmp(&cb).then(b.cmp(&a))
                    });
                let Some(far) = far else { break };
                if nodes.is_empty() {
                    seeds.clear();
                }
                nodes.push(far);
                seeds.push(Seed {
                    node: far,
                    cost: 0.0,
                });
            }
        }
        let k = nodes.len();
        let mut from = vec![f32::INFINITY; k * n];
        let mut to = vec![f32::INFINITY; k * n];
        for (l, &lm) in nodes.iter().enumerate() {
            let seed = [Seed {
                node: lm,
                cost: 0.0,
            }];
            for (reverse, out) in [(false, &mut from), (true, &mut to)] {
                let d = distances_rounded_down(g, weight, seed[0].node, reverse);
                for (v, x) in d.into_iter().enumerate() {
                    out[v * k + l] = x;
                }
            }
        }
        Landmarks { nodes, from, to }
    }

    /// Rebuilds from stored arrays (a graph file); checks the sizes.
    pub fn from_parts(
        nodes: Vec<u32>,
        from: Vec<f32>,
        to: Vec<f32>,
        node_count: usize,
    ) -> Result<Landmarks, String> {
        if from.len() != nodes.len() * node_count || to.len() != from.len() {
            return Err("landmark arrays do not match the graph".into());
        }
        if nodes.iter().any(|&v| v as usize >= node_count)
            || from.iter().chain(&to).any(|d| d.is_nan() || *d < 0.0)
        {
            return Err("landmark data out of range".into());
        }
        Ok(Landmarks { nodes, from, to })
    }

    pub fn nodes(&self) -> &[u32] {
        &self.nodes
    }
    pub fn from_costs(&self) -> &[f32] {
        &self.from
    }
    pub fn to_costs(&self) -> &[f32] {
        &self.to
    }

    /// A lower bound on the cost from `v` to a target whose landmark values are `t`,
    /// `INFINITY` when the landmarks prove the target unreachable from `v`.
    #[inline]
    fn lower_bound(&self, v: u32, t: &TargetBounds) -> f64 {
        let k = self.nodes.len();
        let (fv, tv) = (
            &self.from[v as usize * k..v as usize * k + k],
            &self.to[v as usize * k..v as usize * k + k],
        );
        let mut best = 0.0f64;
        for &(l, lt, tl) in &t.active {
            let (lv, vl) = (fv[l], tv[l]);
            // d(v,t) >= d(L,t) - d(L,v)
            if lv.is_finite() {
                if lt.is_infinite() {
                    return f64::INFINITY;
                }
                let (lv, lt) = (lv as f64, lt as f64);
                best = best.max(lt - lv - MARGIN * (lt + lv));
            }
            // d(v,t) >= d(v,L) - d(t,L)
            if tl.is_finite() {
                if vl.is_infinite() {
                    return f64::INFINITY;
                }
                let (vl, tl) = (vl as f64, tl as f64);
                best = best.max(vl - tl - MARGIN * (vl + tl));
            }
        }
        best
    }

    fn target_bounds(&self, t: Seed, active: &[usize]) -> TargetBounds {
        let k = self.nodes.len();
        let base = t.node as usize * k;
        TargetBounds {
            cost: t.cost,
            active: active
                .iter()
                .map(|&l| (l, self.from[base + l], self.to[base + l]))
                .collect(),
        }
    }
}

/// One target's landmark values, read once per query instead of once per node.
struct TargetBounds {
    cost: f64,
    /// `(landmark, d(L, t), d(t, L))` for the active landmarks.
    active: Vec<(usize, f32, f32)>,
}

/// `x` rounded down to an `f32` (towards −∞; `f32::MAX` for anything larger).
fn f32_down(x: f64) -> f32 {
    let c = x as f32;
    if c as f64 <= x {
        c
    } else if c == f32::INFINITY {
        f32::MAX
    } else if c > 0.0 {
        f32::from_bits(c.to_bits() - 1)
    } else {
        // x is a tiny non-negative sum that rounded up to the smallest subnormal: 0 is below it.
        0.0
    }
}

/// Distances from (or, `reverse`, to) `source` in `f32`, every relaxation rounded *down*: each
/// value `d[v]` is then at most `d[u] + w` computed in `f64` for every arc `u→v`, exactly, not
/// up to a rounding slack. A graph file's landmarks are checked against that inequality with no
/// slack at load, so that a crafted file cannot smuggle in bounds that overstate by "just
/// under the slack" on every arc of a long path.
fn distances_rounded_down(g: &Graph, weight: &[f64], source: u32, reverse: bool) -> Vec<f32> {
    let mut dist = vec![f32::INFINITY; g.node_count()];
    let mut heap = BinaryHeap::new();
    dist[source as usize] = 0.0;
    heap.push(Entry {
        key: 0.0,
        node: source,
    });
    while let Some(Entry { key, node }) = heap.pop() {
        let du = dist[node as usize];
        if key > du as f64 {
            continue; // stale entry
        }
        let mut relax = |h: u32, a: u32| {
            let w = weight[a as usize];
            if w.is_finite() {
                let c = f32_down(du as f64 + w);
                if c < dist[h as usize] {
                    dist[h as usize] = c;
                    heap.push(Entry {
                        key: c as f64,
                        node: h,
                    });
                }
            }
        };
        if reverse {
            for (t, a) in g.in_arcs(node) {
                relax(t, a);
            }
        } else {
            for a in g.out_arcs(node) {
                relax(g.arc_head(a), a);
            }
        }
    }
    dist
}

fn finite_or(x: f64) -> f64 {
    if x.is_finite() {
        x
    } else {
        -1.0
    }
}

/// Exact point-to-point queries by A* with landmark bounds. Reuse one per thread.
#[derive(Clone)]
pub struct AltSearch {
    dist: Vec<f64>,
    pot: Vec<f64>,
    parent_arc: Vec<u32>,
    stamp: Vec<u32>,
    round: u32,
    heap: BinaryHeap<Entry>,
}

/// How many landmarks a query uses: the ones that bound its source–target pair best.
const ACTIVE: usize = 4;

impl AltSearch {
    pub fn new(g: &Graph) -> Self {
        let n = g.node_count();
        AltSearch {
            dist: vec![f64::INFINITY; n],
            pot: vec![0.0; n],
            parent_arc: vec![INVALID; n],
            stamp: vec![0; n],
            round: 0,
            heap: BinaryHeap::new(),
        }
    }

    /// The cheapest path from any source seed to any target seed. `weight` must be at least
    /// the weight the landmarks were built with on every arc (scenario costs add risk to travel
    /// time, never subtract), otherwise the result may not be the cheapest.
    pub fn run(
        &mut self,
        g: &Graph,
        weight: &[f64],
        lm: &Landmarks,
        sources: &[Seed],
        targets: &[Seed],
    ) -> Option<Route> {
        let n = g.node_count();
        if self.dist.len() != n {
            *self = AltSearch::new(g);
        }
        self.heap.clear();
        self.round = self.round.wrapping_add(1);
        if self.round == 0 {
            self.stamp.iter_mut().for_each(|s| *s = 0);
            self.round = 1;
        }
        let targets: Vec<Seed> = targets
            .iter()
            .copied()
            .filter(|t| t.cost.is_finite())
            .collect();
        if targets.is_empty() {
            return None;
        }
        // Choose the landmarks that bound this query best, measured from the first source.
        let s0 = sources.iter().find(|s| s.cost.is_finite())?.node;
        let mut scored: Vec<(f64, usize)> = (0..lm.nodes.len())
            .map(|l| {
                let b = targets
                    .iter()
                    .map(|&t| lm.lower_bound(s0, &lm.target_bounds(t, &[l])))
                    .fold(f64::INFINITY, f64::min);
                (b, l)
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        let active: Vec<usize> = scored.iter().take(ACTIVE).map(|x| x.1).collect();
        let bounds: Vec<TargetBounds> = targets
            .iter()
            .map(|&t| lm.target_bounds(t, &active))
            .collect();
        let potential = |v: u32| {
            bounds
                .iter()
                .map(|t| lm.lower_bound(v, t) + t.cost)
                .fold(f64::INFINITY, f64::min)
        };

        for s in sources.iter().filter(|s| s.cost.is_finite()) {
            let v = s.node as usize;
            if self.stamp[v] != self.round {
                self.stamp[v] = self.round;
                self.pot[v] = potential(s.node);
                self.dist[v] = f64::INFINITY;
            }
            if s.cost < self.dist[v] && self.pot[v].is_finite() {
                self.dist[v] = s.cost;
                self.parent_arc[v] = INVALID;
                self.heap.push(Entry {
                    key: s.cost + self.pot[v],
                    node: s.node,
                });
            }
        }
        let mut best = f64::INFINITY;
        let mut best_target = INVALID;
        while let Some(Entry { key, node }) = self.heap.pop() {
            if key >= best {
                break;
            }
            let v = node as usize;
            let dv = self.dist[v];
            if key != dv + self.pot[v] {
                continue; // stale entry
            }
            for t in &targets {
                if t.node == node && dv + t.cost < best {
                    best = dv + t.cost;
                    best_target = node;
                }
            }
            for a in g.out_arcs(node) {
                let w = weight[a as usize];
                if w.is_infinite() {
                    continue;
                }
                let h = g.arc_head(a);
                let hu = h as usize;
                if self.stamp[hu] != self.round {
                    self.stamp[hu] = self.round;
                    self.pot[hu] = potential(h);
                    self.dist[hu] = f64::INFINITY;
                }
                let d = dv + w;
                if d < self.dist[hu] && self.pot[hu].is_finite() {
                    self.dist[hu] = d;
                    self.parent_arc[hu] = a;
                    self.heap.push(Entry {
                        key: d + self.pot[hu],
                        node: h,
                    });
                }
            }
        }
        if best_target == INVALID {
            return None;
        }
        let mut arcs = Vec::new();
        let mut v = best_target;
        while self.parent_arc[v as usize] != INVALID {
            let a = self.parent_arc[v as usize];
            arcs.push(a);
            v = g.arc_tail(a);
        }
        arcs.reverse();
        Some(Route {
            cost: best,
            first_node: v,
            last_node: best_target,
            arcs,
        })
    }
}
