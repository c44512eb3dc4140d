//! Walking the union of elimination-tree paths from a few start ranks up to the roots, in
//! increasing rank: the whole search space of a CCH query side, with no queue and no sort.

use crate::INVALID;

/// The current rank on each start's path; a snapped point has one or two starts, so a linear
/// scan for the lowest is cheaper than any heap.
#[derive(Debug, Clone, Default)]
pub(super) struct TreeWalk {
    frontier: Vec<u32>,
}

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

/// Calls `f` for every rank on the union of the paths from `starts` to the roots, ascending.
pub(super) fn for_each_ancestor(
    walk: &mut TreeWalk,
    parent: &[u32],
    starts: impl Iterator<Item = u32>,
    mut f: impl FnMut(u32),
) {
    walk.start(starts);
    while let Some(x) = walk.peek() {
        f(x);
        walk.advance(x, parent);
    }
}
