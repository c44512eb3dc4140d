//! A small DIMACS topology written by the tests, and an oracle that shares nothing with the
//! code: Floyd–Warshall over the test's own edge list, with weights computed from node ids.

use corridor_routing::{Cch, CchQuery, Graph, Seed};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

/// An undirected topology, 0-based node ids.
pub struct Sample {
    pub n: usize,
    pub edges: Vec<(u32, u32)>,
}

/// A 9 × 9 grid with ~15 % of its streets missing and 25 long chords, a separate 3-node path,
/// an isolated node, a self-loop and a duplicated edge: the cases a real topology has.
pub fn sample(seed: u64) -> Sample {
    let mut rng = SmallRng::seed_from_u64(seed);
    let side = 9u32;
    let id = |x: u32, y: u32| y * side + x;
    let mut edges = Vec::new();
    for y in 0..side {
        for x in 0..side {
            if x + 1 < side && rng.random_bool(0.85) {
                edges.push((id(x, y), id(x + 1, y)));
            }
            if y + 1 < side && rng.random_bool(0.85) {
                edges.push((id(x, y), id(x, y + 1)));
            }
        }
    }
    let grid = side * side;
    for _ in 0..25 {
        edges.push((rng.random_range(0..grid), rng.random_range(0..grid)));
    }
    edges.extend([
        (grid, grid + 1),
        (grid + 1, grid + 2),
        (5, 5),
        (0, 1),
        (0, 1),
    ]);
    Sample {
        n: grid as usize + 4,
        edges,
    }
}

/// The sample as DIMACS/PACE text (`p tw N M`, then 1-based `u v` lines, with comments).
pub fn dimacs_text(s: &Sample) -> String {
    let mut t = format!("c written by a test\np tw {} {}\n", s.n, s.edges.len());
    for (i, &(u, v)) in s.edges.iter().enumerate() {
        if i % 17 == 0 {
            t.push_str("c a comment between edges\n");
        }
        t.push_str(&format!("{} {}\n", u + 1, v + 1));
    }
    t
}

/// A direction-dependent integer weight from the ends' ids (seconds; exact in milliseconds).
pub fn weight(u: u32, v: u32) -> f64 {
    1.0 + ((u * 7 + v * 13) % 9) as f64
}

/// All-pairs costs by Floyd–Warshall over `(tail, head, weight)` arcs; `d[s * n + t]`.
pub fn floyd_warshall(n: usize, arcs: impl Iterator<Item = (u32, u32, f64)>) -> Vec<f64> {
    let mut d = vec![f64::INFINITY; n * n];
    for v in 0..n {
        d[v * n + v] = 0.0;
    }
    for (u, v, w) in arcs {
        let c = &mut d[u as usize * n + v as usize];
        *c = c.min(w);
    }
    for k in 0..n {
        for i in 0..n {
            let dik = d[i * n + k];
            if dik.is_infinite() {
                continue;
            }
            for j in 0..n {
                let via = dik + d[k * n + j];
                if via < d[i * n + j] {
                    d[i * n + j] = via;
                }
            }
        }
    }
    d
}

/// The oracle on the sample's own edge list, both directions, `weight` per direction (`None`:
/// hop counts).
pub fn sample_oracle(s: &Sample, weighted: bool) -> Vec<f64> {
    let w = |u, v| if weighted { weight(u, v) } else { 1.0 };
    let arcs = s
        .edges
        .iter()
        .flat_map(|&(u, v)| [(u, v, w(u, v)), (v, u, w(v, u))]);
    floyd_warshall(s.n, arcs)
}

/// The graph's arcs as `(tail, head, weight)` with the same weight rule.
pub fn graph_arcs(g: &Graph, weighted: bool) -> Vec<(u32, u32, f64)> {
    (0..g.node_count() as u32)
        .flat_map(|v| g.out_arcs(v).map(move |a| (v, g.arc_head(a))))
        .map(|(u, v)| (u, v, if weighted { weight(u, v) } else { 1.0 }))
        .collect()
}

/// Asserts that the CCH, customized with the weight rule on `g`'s arcs, answers every pair
/// exactly as `expect` (an all-pairs table).
pub fn assert_cch_answers(g: &Graph, cch: &Cch, weighted: bool, expect: &[f64], what: &str) {
    let n = g.node_count();
    let w: Vec<f64> = graph_arcs(g, weighted).iter().map(|a| a.2).collect();
    let metric = cch.customize(&w);
    let mut q = CchQuery::new(cch);
    for s in 0..n as u32 {
        for t in 0..n as u32 {
            let got = q.cost(
                cch,
                &metric,
                &[Seed { node: s, cost: 0.0 }],
                &[Seed { node: t, cost: 0.0 }],
            );
            let want = expect[s as usize * n + t as usize];
            assert_eq!(got, want, "{what}: {s}->{t} (weighted: {weighted})");
        }
    }
}
