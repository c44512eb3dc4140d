//! Walking the union of elimination-tree paths from a few start ranks up to the roots, in
//! increasing rank: the whole search space of a CCH query side, with no queue and no sort.

use crate::INVALID;

/// The current rank on each start's path; a snapped point has one or two starts, so a linear
/// scan for the lowest is cheaper than any heap. Many starts (a multi-source sweep from every
/// node outside a siege: thousands) would make that scan quadratic, so past [`FEW_STARTS`] the
/// union of paths is marked once and sorted instead.
#[derive(Debug, Clone, Default)]
pub(super) struct TreeWalk {
    frontier: Vec<u32>,
    /// Per rank: on the union already (many starts only; all false between walks).
    marked: Vec<bool>,
    /// The union of paths, ascending (many starts only).
    union: Vec<u32>,
}

/// Up to this many distinct starts the frontier scan is cheapest; beyond, mark and sort.
const FEW_STARTS: usize = 16;

impl TreeWalk {
    /// Starts from the given ranks (duplicates allowed).
    pub(super) fn start(&mut self, ranks: impl Iterator<Item = u32>) {
        self.frontier.clear();
        self.frontier.extend(ranks);
        self.frontier.sort_unstable();
        self.frontier.dedup();
    }

    /// The lowest rank not yet visited, if any.
    #[inline]
    pub(super) fn peek(&self) -> Option<u32> {
        match self.frontier.len() {
            0 => None,
            1 => Some(self.frontier[0]),
            _ => self.frontier.iter().copied().min(),
        }
    }

    /// The lowest rank not yet visited, or `INVALID` when every path is done.
    #[inline]
    pub(super) fn next_rank(&self) -> u32 {
        match self.frontier.len() {
            0 => INVALID,
            1 => self.frontier[0],
            _ => self.frontier.iter().copied().min().unwrap_or(INVALID),
        }
    }

    /// Moves every path standing at `x` (the lowest) to `x`'s parent, merging paths that meet.
    #[inline]
    pub(super) fn advance(&mut self, x: u32, parent: &[u32]) {
        if self.frontier.len() == 1 {
            let p = parent[x as usize];
            if p == INVALID {
                self.frontier.clear();
            } else {
                self.frontier[0] = p;
            }
            return;
        }
        let p = parent[x as usize];
        self.frontier.retain(|&f| f != x);
        if p != INVALID && !self.frontier.contains(&p) {
            self.frontier.push(p);
        }
    }
}

impl TreeWalk {
    /// The union of the paths from the frontier to the roots, ascending, into `union`: each
    /// path is followed up to the first rank already marked, so every rank is visited once.
    fn mark_union(&mut self, parent: &[u32]) {
        self.marked.resize(parent.len(), false);
        self.union.clear();
        for &s in &self.frontier {
            let mut x = s;
            while x != INVALID && !self.marked[x as usize] {
                self.marked[x as usize] = true;
                self.union.push(x);
                x = parent[x as usize];
            }
        }
        self.union.sort_unstable();
        for &x in &self.union {
            self.marked[x as usize] = false;
        }
        self.frontier.clear();
    }
}

/// Calls `f` for every rank on the union of the paths from `starts` to the roots, ascending.
pub(super) fn for_each_ancestor(
    walk: &mut TreeWalk,
    parent: &[u32],
    starts: impl Iterator<Item = u32>,
    mut f: impl FnMut(u32),
) {
    walk.start(starts);
    if walk.frontier.len() > FEW_STARTS {
        walk.mark_union(parent);
        for &x in &walk.union {
            f(x);
        }
        return;
    }
    while let Some(x) = walk.peek() {
        f(x);
        walk.advance(x, parent);
    }
}
