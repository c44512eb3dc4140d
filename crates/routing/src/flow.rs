//! Maximum flow and minimum cut between node sets (Edmonds–Karp: shortest augmenting paths by
//! breadth-first search). The cuts corridor asks about are small — how many roads still feed an
//! enclave — so O(flow · arcs) is fast, and the algorithm is short enough to trust.

use crate::{Graph, INVALID};
use std::collections::VecDeque;

/// A maximum flow and the minimum cut that proves it.
#[derive(Debug, Clone, PartialEq)]
pub struct MinCut {
    /// Total capacity of the cut = value of the maximum flow.
    pub value: u64,
    /// Graph arcs from the source side to the sink side: closing them all separates the sets.
    pub cut_arcs: Vec<u32>,
    /// The flow decomposed into paths of graph arcs, source to sink, each with its flow.
    pub paths: Vec<(Vec<u32>, u64)>,
}

/// Maximum flow from `sources` to `sinks` with `capacity[arc]` (0 = arc unusable). A node in
/// both sets has unbounded flow: `value` is then `u64::MAX` and the cut is empty.
pub fn min_cut(g: &Graph, capacity: &[u32], sources: &[u32], sinks: &[u32]) -> MinCut {
    let n = g.node_count();
    let (s, t) = (n, n + 1);
    let mut is_source = vec![false; n];
    for &v in sources {
        is_source[v as usize] = true;
    }
    if sinks.iter().any(|&v| is_source[v as usize]) {
        return MinCut {
            value: u64::MAX,
            cut_arcs: Vec::new(),
            paths: Vec::new(),
        };
    }
    // Residual network as paired half-edges: 2k forward, 2k+1 its reverse.
    let mut head: Vec<u32> = Vec::new();
    let mut cap: Vec<u64> = Vec::new();
    let mut arc_of: Vec<u32> = Vec::new(); // graph arc of a forward half-edge, INVALID for super arcs
    let mut adj: Vec<Vec<u32>> = vec![Vec::new(); n + 2];
    let mut add =
        |u: usize, v: usize, c: u64, arc: u32, head: &mut Vec<u32>, cap: &mut Vec<u64>| {
            adj[u].push(head.len() as u32);
            head.push(v as u32);
            cap.push(c);
            arc_of.push(arc);
            adj[v].push(head.len() as u32);
            head.push(u as u32);
            cap.push(0);
            arc_of.push(INVALID);
        };
    const UNBOUNDED: u64 = u64::MAX / 4;
    for v in 0..n as u32 {
        for a in g.out_arcs(v) {
            let c = capacity[a as usize];
            if c > 0 {
                add(
                    v as usize,
                    g.arc_head(a) as usize,
                    c as u64,
                    a,
                    &mut head,
                    &mut cap,
                );
            }
        }
    }
    for &v in sources {
        add(s, v as usize, UNBOUNDED, INVALID, &mut head, &mut cap);
    }
    for &v in sinks {
        add(v as usize, t, UNBOUNDED, INVALID, &mut head, &mut cap);
    }
    let original = cap.clone();
    let mut value = 0u64;
    let mut via = vec![INVALID; n + 2];
    loop {
        via.iter_mut().for_each(|x| *x = INVALID);
        let mut queue = VecDeque::from([s]);
        let mut seen = vec![false; n + 2];
        seen[s] = true;
        while let Some(u) = queue.pop_front() {
            if u == t {
                break;
            }
            for &h in &adj[u] {
                let v = head[h as usize] as usize;
                if cap[h as usize] > 0 && !seen[v] {
                    seen[v] = true;
                    via[v] = h;
                    queue.push_back(v);
                }
            }
        }
        if !seen[t] {
            // Source side = everything still reachable: the cut arcs leave it.
            let cut_arcs = (0..head.len())
                .step_by(2)
                .filter(|&h| {
                    let (u, v) = (head[h + 1] as usize, head[h] as usize);
                    arc_of[h] != INVALID && seen[u] && !seen[v]
                })
                .map(|h| arc_of[h])
                .collect();
            let paths = decompose(&head, &cap, &original, &arc_of, &adj, s, t);
            return MinCut {
                value,
                cut_arcs,
                paths,
            };
        }
        let mut bottleneck = u64::MAX;
        let mut v = t;
        while v != s {
            let h = via[v] as usize;
            bottleneck = bottleneck.min(cap[h]);
            v = head[h ^ 1] as usize;
        }
        let mut v = t;
        while v != s {
            let h = via[v] as usize;
            cap[h] -= bottleneck;
            cap[h ^ 1] += bottleneck;
            v = head[h ^ 1] as usize;
        }
        value = value.saturating_add(bottleneck);
    }
}

/// Splits a flow into source-to-sink paths of graph arcs (cycles of flow are dropped).
fn decompose(
    head: &[u32],
    cap: &[u64],
    original: &[u64],
    arc_of: &[u32],
    adj: &[Vec<u32>],
    s: usize,
    t: usize,
) -> Vec<(Vec<u32>, u64)> {
    // Flow on forward half-edge h = original - residual.
    let mut flow: Vec<u64> = (0..head.len())
        .map(|h| {
            if h % 2 == 0 {
                original[h] - cap[h].min(original[h])
            } else {
                0
            }
        })
        .collect();
    let mut paths = Vec::new();
    loop {
        // Walk from s along half-edges with flow, marking to cut cycles.
        let mut path_h: Vec<usize> = Vec::new();
        let mut on_path = vec![false; adj.len()];
        let mut u = s;
        on_path[u] = true;
        while u != t {
            let next = adj[u]
                .iter()
                .map(|&h| h as usize)
                .find(|&h| h % 2 == 0 && flow[h] > 0);
            let Some(h) = next else { break };
            let v = head[h] as usize;
            if on_path[v] {
                // A cycle: remove its flow and restart.
                let start = path_h
                    .iter()
                    .position(|&x| head[x ^ 1] as usize == v)
                    .unwrap_or(path_h.len());
                let cyc: Vec<usize> = path_h[start..].iter().copied().chain([h]).collect();
                let m = cyc.iter().map(|&x| flow[x]).min().unwrap_or(0);
                for x in cyc {
                    flow[x] -= m;
                }
                path_h.clear();
                break;
            }
            path_h.push(h);
            on_path[v] = true;
            u = v;
        }
        if u != t {
            if path_h.is_empty() && adj[s].iter().all(|&h| flow[h as usize] == 0) {
                return paths;
            }
            if !path_h.is_empty() {
                // Dead end with flow: cannot happen in a valid flow; stop safely.
                return paths;
            }
            continue;
        }
        let m = path_h.iter().map(|&h| flow[h]).min().unwrap_or(0);
        for &h in &path_h {
            flow[h] -= m;
        }
        let arcs: Vec<u32> = path_h
            .iter()
            .map(|&h| arc_of[h])
            .filter(|&a| a != INVALID)
            .collect();
        paths.push((arcs, m));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_disjoint_roads_make_a_cut_of_two() {
        // 0 -> 1 -> 3 and 0 -> 2 -> 3, plus 1 -> 2.
        let (g, ids) = Graph::from_arcs(4, &[(0, 1), (1, 3), (0, 2), (2, 3), (1, 2)]);
        let cap = vec![1; 5];
        let r = min_cut(&g, &cap, &[0], &[3]);
        assert_eq!(r.value, 2);
        assert_eq!(r.cut_arcs.len(), 2);
        assert_eq!(r.paths.len(), 2);
        // Weighted: a thick road 1 -> 3 (capacity 5).
        let mut cap = vec![1; 5];
        cap[ids[1] as usize] = 5;
        cap[ids[0] as usize] = 5;
        let r = min_cut(&g, &cap, &[0], &[3]);
        assert_eq!(r.value, 6);
        // A node on both sides: unbounded.
        assert_eq!(min_cut(&g, &[1; 5], &[0, 3], &[3]).value, u64::MAX);
        // Nothing connects.
        let r = min_cut(&g, &[1; 5], &[3], &[0]);
        assert_eq!((r.value, r.cut_arcs.len()), (0, 0));
    }
}
