//! The nearest labelled source of every node on the CCH: a multi-source PHAST carrying
//! (cost, label) keys, with the tie rule of [`crate::NearestSource`] (smallest label among
//! equally near sources, costs in integer units), so both engines give the same answer.
//!
//! Upward: every seed's elimination-tree ancestors, in ascending rank, relax their upward
//! edges (the walk weights of the direction). Downward: every rank, descending, takes the best
//! key of its upper neighbours. A key's label rides along unchanged; only its cost grows.
//!
//! Generic over the metric's [`Units`]: `u32` keys pack into a `u64`, `u64` keys (metrics past
//! `u32`'s range, the siege's safest costs) into a `u128` — one implementation for both.

use super::sweep::{walk_and_sweep, Direction};
use super::walk::{for_each_ancestor, TreeWalk};
use super::{Cch, CchMetric, Units};
use crate::nearest::LabelledSeed;

/// Multi-source one-to-all with labels (PHAST), in units `W`. Reuse one per thread.
#[derive(Debug, Clone)]
pub struct CchNearestSource<W: Units = u32> {
    /// Keys by rank.
    key: Vec<W::Key>,
    walk: TreeWalk,
}

impl<W: Units> CchNearestSource<W> {
    pub fn new(cch: &Cch) -> Self {
        CchNearestSource {
            key: vec![W::NO_KEY; cch.node_count()],
            walk: TreeWalk::default(),
        }
    }

    /// Every node's nearest source: `FromSeeds` costs run from the source to the node,
    /// `ToSeeds` from the node to the source (people travelling to a facility).
    pub fn run(
        &mut self,
        cch: &Cch,
        metric: &CchMetric<W>,
        seeds: &[LabelledSeed],
        dir: Direction,
    ) {
        let (walk_w, sweep_w) = walk_and_sweep(metric, dir);
        self.key.fill(W::NO_KEY);
        for s in seeds {
            let r = cch.rank[s.node as usize] as usize;
            self.key[r] = self.key[r].min(W::from_cost(s.cost).key(s.label));
        }
        let key = &mut self.key;
        let starts = seeds.iter().map(|s| cch.rank[s.node as usize]);
        for_each_ancestor(&mut self.walk, &cch.parent, starts, |x| {
            let kx = key[x as usize];
            if kx == W::NO_KEY {
                return;
            }
            for e in cch.edges_of(x) {
                let y = cch.up_head[e] as usize;
                key[y] = key[y].min(W::extend_key(kx, walk_w[e]));
            }
        });
        for x in (0..cch.node_count()).rev() {
            let mut best = key[x];
            for e in cch.edges_of(x as u32) {
                best = best.min(W::extend_key(key[cch.up_head[e] as usize], sweep_w[e]));
            }
            key[x] = best;
        }
    }

    /// Cost between `node` and its nearest source (`INFINITY` = unreachable).
    pub fn cost(&self, cch: &Cch, node: u32) -> f64 {
        self.units(cch, node).to_cost()
    }

    /// [`CchNearestSource::cost`] in whole units ([`Units::INF`] = unreachable).
    pub fn units(&self, cch: &Cch, node: u32) -> W {
        W::key_units(self.key[cch.rank[node as usize] as usize])
    }

    /// The label of `node`'s nearest source (smallest label among equally near ones).
    pub fn label(&self, cch: &Cch, node: u32) -> Option<u32> {
        let k = self.key[cch.rank[node as usize] as usize];
        (k != W::NO_KEY).then(|| W::key_label(k))
    }
}
