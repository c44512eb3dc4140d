//! A shortest-path tree from exact integer distances, by one rule for every engine.
//!
//! A PHAST sweep gives distances but no search tree; Dijkstra gives a tree whose ties depend on
//! the order nodes leave its heap. To read *paths* identically from either engine, the tree is
//! derived from the distances alone, in whole units (every distance and arc weight an integer,
//! so "this arc is tight" is an exact test, never a float comparison):
//!
//! 1. a seed whose distance is its own seed cost is a root (no parent);
//! 2. any other node with a tight arc of positive weight (`d(u) + w(u,v) = d(v)`, `w > 0`)
//!    takes the tight one with the **smallest arc id**;
//! 3. the rest lie on zero-weight plateaus: a breadth-first pass over tight zero-weight arcs
//!    from the nodes already in the tree, in ascending node id and arc id, gives each its first
//!    finder as parent.
//!
//! Parents point to strictly smaller distances (rule 2) or to nodes already in the tree
//! (rule 3), so the result is a tree — no cycle, even with zero-weight arcs — and every path
//! in it is a shortest path. Linear in the graph's size.

use crate::{Graph, INVALID};
use std::collections::VecDeque;

/// "Unreached" / "unusable" in the tree's units.
pub const NO_UNITS: u64 = u64::MAX;

/// Per node, the arc to its parent in the shortest-path tree of `dist` ([`INVALID`] for roots
/// and unreached nodes). `units`: per arc, its weight in whole units ([`NO_UNITS`] =
/// unusable); `dist`: per node, the exact distance in the same units ([`NO_UNITS`] =
/// unreached); `seeds`: `(node, seed cost in units)`. With `reverse`, distances run from each
/// node *to* the seeds and the parent arc leaves the node (towards the seeds).
pub fn shortest_path_tree(
    g: &Graph,
    units: &[u64],
    dist: &[u64],
    seeds: &[(u32, u64)],
    reverse: bool,
) -> Vec<u32> {
    let n = g.node_count();
    let mut parent = vec![INVALID; n];
    let mut in_tree = vec![false; n];
    for &(s, c) in seeds {
        if dist[s as usize] == c && c != NO_UNITS {
            in_tree[s as usize] = true;
        }
    }
    let tight = |u: u32, a: u32, v: u32| {
        let (du, w) = (dist[u as usize], units[a as usize]);
        w > 0 && du != NO_UNITS && w != NO_UNITS && du.checked_add(w) == Some(dist[v as usize])
    };
    for v in 0..n as u32 {
        if in_tree[v as usize] || dist[v as usize] == NO_UNITS {
            continue;
        }
        // Rule 2 over the arcs into `v` in the direction of the tree.
        let best = if reverse {
            g.out_arcs(v).filter(|&a| tight(g.arc_head(a), a, v)).min()
        } else {
            g.in_arcs(v)
                .filter(|&(u, a)| tight(u, a, v))
                .map(|(_, a)| a)
                .min()
        };
        if let Some(a) = best {
            parent[v as usize] = a;
            in_tree[v as usize] = true;
        }
    }
    plateaus(g, units, dist, reverse, &mut parent, &mut in_tree);
    parent
}

/// Rule 3: nodes reached only over zero-weight arcs from nodes of equal distance.
fn plateaus(
    g: &Graph,
    units: &[u64],
    dist: &[u64],
    reverse: bool,
    parent: &mut [u32],
    in_tree: &mut [bool],
) {
    let mut queue: VecDeque<u32> = (0..g.node_count() as u32)
        .filter(|&v| in_tree[v as usize])
        .collect();
    // Arcs out of `u` in the direction of the tree, as (other end, arc).
    let away = |u: u32| -> Vec<(u32, u32)> {
        if reverse {
            let mut v: Vec<(u32, u32)> = g.in_arcs(u).collect();
            v.sort_unstable_by_key(|x| x.1);
            v
        } else {
            g.out_arcs(u).map(|a| (g.arc_head(a), a)).collect()
        }
    };
    while let Some(u) = queue.pop_front() {
        for (v, a) in away(u) {
            let vi = v as usize;
            if !in_tree[vi] && units[a as usize] == 0 && dist[vi] == dist[u as usize] {
                parent[vi] = a;
                in_tree[vi] = true;
                queue.push_back(v);
            }
        }
    }
}
