//! Contraction orders: which node is contracted first. The order decides everything the
//! customization and the queries cost: RoutingKit's published times come from inertial-flow or
//! METIS orders; the geometric bisection corridor used before gave 1.35× more CCH edges and
//! elimination trees almost twice as deep on Malta (measured in BENCHMARKS.md).
//!
//! [`metis_order`] (METIS's multilevel nested dissection, `METIS_NodeND`, the same tool RoutingKit
//! uses for its METIS orders) needs no coordinates, so it orders the DIMACS topologies too.

use crate::{weakly_connected_components, Graph};

/// Symmetric neighbour lists without self-loops or duplicates, per node.
fn undirected_neighbours(g: &Graph) -> Vec<Vec<u32>> {
    let n = g.node_count();
    let mut nbrs: Vec<Vec<u32>> = vec![Vec::new(); n];
    for v in 0..n as u32 {
        for a in g.out_arcs(v) {
            let h = g.arc_head(a);
            if h != v {
                nbrs[v as usize].push(h);
                nbrs[h as usize].push(v);
            }
        }
    }
    for l in &mut nbrs {
        l.sort_unstable();
        l.dedup();
    }
    nbrs
}

/// Components smaller than this are ordered by degree (fill is negligible there) instead of
/// paying METIS's set-up per component: maps have thousands of tiny islands.
const SMALL_COMPONENT: usize = 64;

/// Nested dissection by METIS (`METIS_NodeND`), one weakly connected component at a time, so
/// that no separator is spent on a graph that is already split. Coordinate-free.
/// Returns `order[rank] = node`.
pub fn metis_order(g: &Graph) -> Vec<u32> {
    let n = g.node_count();
    let nbrs = undirected_neighbours(g);
    let comp = weakly_connected_components(g);
    let comp_count = comp.iter().map(|&c| c as usize + 1).max().unwrap_or(0);
    let mut members: Vec<Vec<u32>> = vec![Vec::new(); comp_count];
    for v in 0..n as u32 {
        members[comp[v as usize] as usize].push(v);
    }
    let mut local = vec![0u32; n];
    let mut order = Vec::with_capacity(n);
    // Smallest components first: their ranks do not matter, the big one's top stays on top.
    for nodes in members.iter().rev() {
        if nodes.len() < SMALL_COMPONENT {
            let mut nodes = nodes.clone();
            nodes.sort_by_key(|&v| (nbrs[v as usize].len(), v));
            order.extend(nodes);
            continue;
        }
        for (i, &v) in nodes.iter().enumerate() {
            local[v as usize] = i as u32;
        }
        let perm = metis_component(nodes, &nbrs, &local);
        order.extend(perm.into_iter().map(|i| nodes[i as usize]));
    }
    order
}

/// `METIS_NodeND` on one component given in local ids; returns local ids in elimination order.
fn metis_component(nodes: &[u32], nbrs: &[Vec<u32>], local: &[u32]) -> Vec<u32> {
    use metis_sys::*;
    let mut xadj: Vec<idx_t> = Vec::with_capacity(nodes.len() + 1);
    let mut adjncy: Vec<idx_t> = Vec::new();
    xadj.push(0);
    for &v in nodes {
        adjncy.extend(nbrs[v as usize].iter().map(|&w| local[w as usize] as idx_t));
        xadj.push(adjncy.len() as idx_t);
    }
    let mut nvtxs = nodes.len() as idx_t;
    let mut options = [0 as idx_t; METIS_NOPTIONS as usize];
    let mut perm = vec![0 as idx_t; nodes.len()];
    let mut iperm = vec![0 as idx_t; nodes.len()];
    // SAFETY: the arrays have the lengths METIS documents (xadj n+1, adjncy xadj[n], perm and
    // iperm n, options METIS_NOPTIONS), the adjacency is symmetric without self-loops, and
    // METIS keeps no pointer past the call.
    let status = unsafe {
        METIS_SetDefaultOptions(options.as_mut_ptr());
        options[moptions_et_METIS_OPTION_SEED as usize] = 1;
        options[moptions_et_METIS_OPTION_NUMBERING as usize] = 0;
        METIS_NodeND(
            &mut nvtxs,
            xadj.as_mut_ptr(),
            adjncy.as_mut_ptr(),
            std::ptr::null_mut(),
            options.as_mut_ptr(),
            perm.as_mut_ptr(),
            iperm.as_mut_ptr(),
        )
    };
    if status != rstatus_et_METIS_OK {
        // Out of memory inside METIS: a valid (if slower) order is still an order.
        let mut ids: Vec<u32> = (0..nodes.len() as u32).collect();
        ids.sort_by_key(|&i| (nbrs[nodes[i as usize] as usize].len(), i));
        return ids;
    }
    perm.into_iter().map(|i| i as u32).collect()
}

/// The order corridor used before METIS, kept as the baseline the benchmarks compare against
/// and as a second, very different order for the tests (any order must give exact answers):
/// recursive bisection along the best of four straight lines, no max-flow, no split into
/// components. Returns `order[rank] = node`.
pub fn geometric_bisection_order(g: &Graph, coords: &[[f64; 2]]) -> Vec<u32> {
    let n = g.node_count();
    assert_eq!(coords.len(), n, "one coordinate per node");
    let nbrs = undirected_neighbours(g);
    let mut label = vec![0u32; n];
    let mut position = vec![0u32; n];
    let mut next_label = 1u32;
    let mut order = Vec::with_capacity(n);
    // Explicit stack of (node set, separator to emit after both halves).
    enum Task {
        Split(Vec<u32>),
        Emit(Vec<u32>),
    }
    let mut stack = vec![Task::Split((0..n as u32).collect())];
    while let Some(task) = stack.pop() {
        let mut set = match task {
            Task::Emit(sep) => {
                order.extend(sep);
                continue;
            }
            Task::Split(set) => set,
        };
        if set.len() <= 8 {
            // Tiny cells: lowest degree first keeps fill-in small.
            set.sort_by_key(|&v| (nbrs[v as usize].len(), v));
            order.extend(set);
            continue;
        }
        // Inertial-flow style cut without the flow: order the cell along four directions
        // (east, north and both diagonals), sweep the split point over the middle 40 % and keep
        // the split that cuts the fewest edges. Road networks have natural narrow places
        // (rivers, ridges, main roads) and this finds them far better than a plain median.
        let pos: Vec<u32> = {
            let mut best: Option<(f64, Vec<u32>, usize)> = None;
            let lat0 = set.iter().map(|&v| coords[v as usize][1]).sum::<f64>() / set.len() as f64;
            let kx = lat0.to_radians().cos().abs().max(0.01);
            for dir in [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [1.0, -1.0]] {
                let key = |v: u32| {
                    let c = coords[v as usize];
                    c[0] * kx * dir[0] + c[1] * dir[1]
                };
                let mut sorted = set.clone();
                sorted.sort_by(|&a, &b| key(a).total_cmp(&key(b)).then(a.cmp(&b)));
                let tag = next_label;
                next_label += 1;
                for (i, &v) in sorted.iter().enumerate() {
                    label[v as usize] = tag;
                    position[v as usize] = i as u32;
                }
                // cut(p) = edges between sorted[..p] and sorted[p..].
                let mut cut: i64 = 0;
                let (lo, hi) = (sorted.len() * 3 / 10, sorted.len() * 7 / 10);
                let mut best_here = (f64::INFINITY, sorted.len() / 2);
                for (i, &v) in sorted.iter().enumerate() {
                    if i >= lo.max(1) && i <= hi {
                        let balance = (i as f64) * ((sorted.len() - i) as f64);
                        let score = cut as f64 / balance;
                        if score < best_here.0 {
                            best_here = (score, i);
                        }
                    }
                    for &w in &nbrs[v as usize] {
                        if label[w as usize] == tag {
                            if position[w as usize] > i as u32 {
                                cut += 1;
                            } else {
                                cut -= 1;
                            }
                        }
                    }
                }
                if best.as_ref().is_none_or(|b| best_here.0 < b.0) {
                    best = Some((best_here.0, sorted, best_here.1));
                }
            }
            let (_, sorted, split) = best.expect("four directions tried");
            set = sorted;
            vec![split as u32]
        };
        let mid = pos[0] as usize;
        let (la, lb) = (next_label, next_label + 1);
        next_label += 2;
        let (a_half, b_half) = set.split_at(mid);
        for &v in a_half {
            label[v as usize] = la;
        }
        for &v in b_half {
            label[v as usize] = lb;
        }
        let boundary = |half: &[u32], other: u32| -> Vec<u32> {
            half.iter()
                .copied()
                .filter(|&v| nbrs[v as usize].iter().any(|&w| label[w as usize] == other))
                .collect()
        };
        let (sa, sb) = (boundary(a_half, lb), boundary(b_half, la));
        let sep = if sa.len() <= sb.len() { sa } else { sb };
        let sep_label = next_label;
        next_label += 1;
        for &v in &sep {
            label[v as usize] = sep_label;
        }
        let rest_a: Vec<u32> = a_half
            .iter()
            .copied()
            .filter(|&v| label[v as usize] == la)
            .collect();
        let rest_b: Vec<u32> = b_half
            .iter()
            .copied()
            .filter(|&v| label[v as usize] == lb)
            .collect();
        // Popped in reverse: A, then B, then the separator.
        stack.push(Task::Emit(sep));
        stack.push(Task::Split(rest_b));
        stack.push(Task::Split(rest_a));
    }
    order
}
