//! Many answers from one customization: one-to-all (PHAST), one-to-many and many-to-many.
//!
//! Access coverage, isochrones and the siege's multi-source searches need distances from (or
//! to) a set of places to every node, or to a chosen set of nodes. On a CCH that is an upward
//! elimination-tree walk from the sources followed by one downward sweep over the ranks in
//! descending order (PHAST, Delling et al. 2011): every node takes the best of its upper
//! neighbours, a linear scan of the edge arrays with no priority queue. Restricting the sweep
//! to the targets' elimination-tree ancestors gives one-to-many; buckets on the targets'
//! upward search spaces give many-to-many matrices.

use super::walk::{for_each_ancestor, TreeWalk};
use super::{Cch, CchMetric, Units};
use crate::dijkstra::Seed;
use crate::INVALID;

/// Which way costs run: from the seeds outward, or from every node to the seeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Cost from the nearest seed to each node.
    FromSeeds,
    /// Cost from each node to its nearest seed.
    ToSeeds,
}

/// The weights of the upward walk and of the downward sweep for a direction.
pub(super) fn walk_and_sweep<W: Units>(metric: &CchMetric<W>, dir: Direction) -> (&[W], &[W]) {
    match dir {
        Direction::FromSeeds => (&metric.up, &metric.down),
        Direction::ToSeeds => (&metric.down, &metric.up),
    }
}

/// Seeds' costs at their ranks, then the upward walk over all their ancestors.
fn upward<W: Units>(
    cch: &Cch,
    weight: &[W],
    seeds: &[Seed],
    dist: &mut [W],
    walk: &mut TreeWalk,
    mut visit: impl FnMut(u32),
) {
    for s in seeds {
        let r = cch.rank[s.node as usize] as usize;
        dist[r] = dist[r].min(W::from_cost(s.cost));
    }
    let starts = seeds.iter().map(|s| cch.rank[s.node as usize]);
    for_each_ancestor(walk, &cch.parent, starts, |x| {
        visit(x);
        let dx = dist[x as usize];
        if dx == W::INF {
            return;
        }
        for e in cch.edges_of(x) {
            let y = cch.up_head[e] as usize;
            dist[y] = dist[y].min(dx.sat_add(weight[e]));
        }
    });
}

/// Rank `x` takes the best of its upper neighbours (all final when ranks descend).
#[inline]
fn pull_from_above<W: Units>(cch: &Cch, weight: &[W], dist: &mut [W], x: u32) {
    let mut best = dist[x as usize];
    for e in cch.edges_of(x) {
        best = best.min(dist[cch.up_head[e] as usize].sat_add(weight[e]));
    }
    dist[x as usize] = best;
}

/// One-to-all distances (PHAST): from a set of seeds to every node, or from every node to them.
/// Reuse one per thread; costs are exact for the metric's integer weights, in units `W`
/// (`u32`, or `u64` for metrics past `u32`'s range).
#[derive(Debug, Clone)]
pub struct CchOneToAll<W: Units = u32> {
    dist: Vec<W>,
    walk: TreeWalk,
}

impl<W: Units> CchOneToAll<W> {
    pub fn new(cch: &Cch) -> Self {
        CchOneToAll {
            dist: vec![W::INF; cch.node_count()],
            walk: TreeWalk::default(),
        }
    }

    /// Computes the distance of every node; read them with [`CchOneToAll::cost`].
    pub fn run(&mut self, cch: &Cch, metric: &CchMetric<W>, seeds: &[Seed], dir: Direction) {
        let (walk_w, sweep_w) = walk_and_sweep(metric, dir);
        self.dist.fill(W::INF);
        upward(cch, walk_w, seeds, &mut self.dist, &mut self.walk, |_| {});
        for x in (0..cch.node_count() as u32).rev() {
            pull_from_above(cch, sweep_w, &mut self.dist, x);
        }
    }

    /// Cost between the seeds and `node` after [`CchOneToAll::run`] (`INFINITY` = unreachable).
    pub fn cost(&self, cch: &Cch, node: u32) -> f64 {
        self.units(cch, node).to_cost()
    }

    /// [`CchOneToAll::cost`] in whole units ([`Units::INF`] = unreachable).
    pub fn units(&self, cch: &Cch, node: u32) -> W {
        self.dist[cch.rank[node as usize] as usize]
    }

    /// All costs in whole units as `u64`, indexed by node (`u64::MAX` = unreachable).
    pub fn units_by_node(&self, cch: &Cch) -> Vec<u64> {
        cch.rank
            .iter()
            .map(|&r| self.dist[r as usize].to_u64())
            .collect()
    }

    /// All costs indexed by node.
    pub fn costs_by_node(&self, cch: &Cch) -> Vec<f64> {
        cch.rank
            .iter()
            .map(|&r| self.dist[r as usize].to_cost())
            .collect()
    }
}

/// One-to-many: distances between seeds and a fixed set of targets. Selecting the targets once
/// (their elimination-tree ancestors, the only ranks the sweep must visit) makes every later
/// run cost the upward walk plus a sweep over that selection, not over the whole graph.
#[derive(Debug, Clone)]
pub struct CchOneToMany<W: Units = u32> {
    target_ranks: Vec<u32>,
    /// The targets' ancestors, descending.
    selection: Vec<u32>,
    dist: Vec<W>,
    touched: Vec<u32>,
    walk: TreeWalk,
}

impl<W: Units> CchOneToMany<W> {
    /// Selects the targets (nodes).
    pub fn new(cch: &Cch, targets: &[u32]) -> Self {
        let target_ranks: Vec<u32> = targets.iter().map(|&t| cch.rank[t as usize]).collect();
        let mut selection = Vec::new();
        let mut seen = vec![false; cch.node_count()];
        for &r in &target_ranks {
            let mut x = r;
            while x != INVALID && !seen[x as usize] {
                seen[x as usize] = true;
                selection.push(x);
                x = cch.parent[x as usize];
            }
        }
        selection.sort_unstable_by(|a, b| b.cmp(a));
        CchOneToMany {
            target_ranks,
            selection,
            dist: vec![W::INF; cch.node_count()],
            touched: Vec::new(),
            walk: TreeWalk::default(),
        }
    }

    /// Costs between the seeds and each target, in the order the targets were given.
    pub fn run(
        &mut self,
        cch: &Cch,
        metric: &CchMetric<W>,
        seeds: &[Seed],
        dir: Direction,
    ) -> Vec<f64> {
        let (walk_w, sweep_w) = walk_and_sweep(metric, dir);
        let touched = &mut self.touched;
        touched.clear();
        upward(cch, walk_w, seeds, &mut self.dist, &mut self.walk, |x| {
            touched.push(x)
        });
        for &x in &self.selection {
            pull_from_above(cch, sweep_w, &mut self.dist, x);
        }
        let out = self
            .target_ranks
            .iter()
            .map(|&r| self.dist[r as usize].to_cost())
            .collect();
        for &x in self.selection.iter().chain(self.touched.iter()) {
            self.dist[x as usize] = W::INF;
        }
        out
    }
}

/// Many-to-many matrices by buckets: each target's upward search space leaves (target, cost)
/// at every rank it reaches; each source's upward search meets them. Exact, and linear in
/// sources plus targets times the elimination-tree depth.
#[derive(Debug, Clone)]
pub struct CchManyToMany<W: Units = u32> {
    dist: Vec<W>,
    bucket_of: Vec<u32>,
    walk: TreeWalk,
}

impl<W: Units> CchManyToMany<W> {
    pub fn new(cch: &Cch) -> Self {
        CchManyToMany {
            dist: vec![W::INF; cch.node_count()],
            bucket_of: vec![INVALID; cch.node_count()],
            walk: TreeWalk::default(),
        }
    }

    /// `matrix[i * targets.len() + j]` = cost from `sources[i]` to `targets[j]` (nodes).
    pub fn run(
        &mut self,
        cch: &Cch,
        metric: &CchMetric<W>,
        sources: &[u32],
        targets: &[u32],
    ) -> Vec<f64> {
        let (bucket_start, entries, ranks) = self.fill_buckets(cch, metric, targets);
        let mut matrix = vec![W::INF; sources.len() * targets.len()];
        for (i, &s) in sources.iter().enumerate() {
            let row = &mut matrix[i * targets.len()..(i + 1) * targets.len()];
            let seed = [Seed { node: s, cost: 0.0 }];
            let mut visited = Vec::new();
            upward(
                cch,
                &metric.up,
                &seed,
                &mut self.dist,
                &mut self.walk,
                |x| visited.push(x),
            );
            for &x in &visited {
                let (dx, b) = (self.dist[x as usize], self.bucket_of[x as usize]);
                self.dist[x as usize] = W::INF;
                if dx == W::INF || b == INVALID {
                    continue;
                }
                let r = bucket_start[b as usize] as usize..bucket_start[b as usize + 1] as usize;
                for &(j, d) in &entries[r] {
                    row[j as usize] = row[j as usize].min(dx.sat_add(d));
                }
            }
        }
        for &x in &ranks {
            self.bucket_of[x as usize] = INVALID;
        }
        matrix.into_iter().map(W::to_cost).collect()
    }

    /// Backward upward searches from every target; returns bucket offsets, `(target, cost)`
    /// entries grouped by rank, and the ranks that got a bucket.
    #[allow(clippy::type_complexity)]
    fn fill_buckets(
        &mut self,
        cch: &Cch,
        metric: &CchMetric<W>,
        targets: &[u32],
    ) -> (Vec<u32>, Vec<(u32, W)>, Vec<u32>) {
        let mut raw: Vec<(u32, u32, W)> = Vec::new();
        for (j, &t) in targets.iter().enumerate() {
            let seed = [Seed { node: t, cost: 0.0 }];
            let mut visited = Vec::new();
            upward(
                cch,
                &metric.down,
                &seed,
                &mut self.dist,
                &mut self.walk,
                |x| visited.push(x),
            );
            for &x in &visited {
                let d = std::mem::replace(&mut self.dist[x as usize], W::INF);
                if d != W::INF {
                    raw.push((x, j as u32, d));
                }
            }
        }
        raw.sort_unstable();
        let mut bucket_start = vec![0u32];
        let mut ranks = Vec::new();
        for (i, &(x, _, _)) in raw.iter().enumerate() {
            if ranks.last() != Some(&x) {
                if i > 0 {
                    bucket_start.push(i as u32);
                }
                self.bucket_of[x as usize] = ranks.len() as u32;
                ranks.push(x);
            }
        }
        bucket_start.push(raw.len() as u32);
        let entries = raw.into_iter().map(|(_, j, d)| (j, d)).collect();
        (bucket_start, entries, ranks)
    }
}
