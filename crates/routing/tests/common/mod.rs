//! Test helpers shared by the routing tests: random graphs given as arcs `(tail, head, ms)`
//! (`None` = unusable) and petgraph's Dijkstra on them — an oracle that shares nothing with the
//! crate's searches or its CCH.
#![allow(dead_code)]

use corridor_routing::Graph;
use petgraph::graph::{DiGraph, NodeIndex};

/// Arcs `(tail, head, whole milliseconds)`; `None` is an arc no search may use.
pub type Arcs = Vec<(u32, u32, Option<u64>)>;

/// "Unreached" in the oracles' `u64` distances.
pub const INF: u64 = u64::MAX;

/// Milliseconds from `from` by petgraph's Dijkstra (over reversed arcs with `reverse`).
pub fn dijkstra_ms(
    n: usize,
    arcs: &[(u32, u32, Option<u64>)],
    from: u32,
    reverse: bool,
) -> Vec<Option<u64>> {
    let mut g = DiGraph::<(), u64>::new();
    let nodes: Vec<NodeIndex> = (0..n).map(|_| g.add_node(())).collect();
    for &(t, h, w) in arcs {
        let (t, h) = if reverse { (h, t) } else { (t, h) };
        if let Some(w) = w {
            g.add_edge(nodes[t as usize], nodes[h as usize], w);
        }
    }
    let d = petgraph::algo::dijkstra(&g, nodes[from as usize], None, |e| *e.weight());
    (0..n).map(|i| d.get(&nodes[i]).copied()).collect()
}

/// [`dijkstra_ms`] forwards, unreached nodes at [`INF`].
pub fn oracle(n: usize, arcs: &[(u32, u32, Option<u64>)], from: u32) -> Vec<u64> {
    dijkstra_ms(n, arcs, from, false)
        .into_iter()
        .map(|d| d.unwrap_or(INF))
        .collect()
}

/// Per node: (ms, label) of the nearest seed `(node, cost, label)`, smallest label among ties;
/// `(INF, u32::MAX)` if unreached.
pub fn nearest_oracle(
    n: usize,
    arcs: &[(u32, u32, Option<u64>)],
    seeds: &[(u32, u64, u32)],
    reverse: bool,
) -> Vec<(u64, u32)> {
    let mut best = vec![(INF, u32::MAX); n];
    for &(node, cost, label) in seeds {
        for (v, d) in dijkstra_ms(n, arcs, node, reverse).into_iter().enumerate() {
            if let Some(d) = d {
                best[v] = best[v].min((cost + d, label));
            }
        }
    }
    best
}

/// An arc's weight in seconds, as the crate takes it.
pub fn seconds(w: Option<u64>) -> f64 {
    w.map_or(f64::INFINITY, |w| w as f64 / 1000.0)
}

/// A cost in seconds back to whole milliseconds ([`INF`] if infinite).
pub fn ms(cost: f64) -> u64 {
    if cost.is_infinite() {
        INF
    } else {
        (cost * 1000.0).round() as u64
    }
}

/// The crate's graph of `arcs`, the weight per graph arc in seconds, and each input arc's id.
pub fn graph_and_weights(
    n: usize,
    arcs: &[(u32, u32, Option<u64>)],
) -> (Graph, Vec<f64>, Vec<u32>) {
    let pairs: Vec<(u32, u32)> = arcs.iter().map(|&(a, b, _)| (a, b)).collect();
    let (g, ids) = Graph::from_arcs(n, &pairs);
    let mut w = vec![0.0; arcs.len()];
    for (i, &(_, _, c)) in arcs.iter().enumerate() {
        w[ids[i] as usize] = seconds(c);
    }
    (g, w, ids)
}
