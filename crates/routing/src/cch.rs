//! Customizable Contraction Hierarchies (Dibbelt, Strasser & Wagner 2016), after RoutingKit.
//!
//! Three phases with separate costs, so that a scenario change pays only the middle one:
//! 1. **order** (once per map): nested dissection by recursive geometric bisection, separators
//!    ranked highest;
//! 2. **contract** (once per map, metric-independent): the chordal supergraph of the road graph
//!    in that order and its elimination tree;
//! 3. **customize** (per weight vector, milliseconds): shortcut weights by lower triangles.
//!
//! Queries walk the elimination tree up from source and target: no priority queue at all.
//! Coordinates are used by the ordering only, never by customization or queries.

use crate::dijkstra::{Route, Seed};
use crate::{Graph, INVALID};

/// Nested dissection order by recursive coordinate bisection: split the node set at the median
/// of its longer side, take the smaller boundary as separator, rank separators above both halves.
/// Returns `order[rank] = node`.
pub fn nested_dissection_order(g: &Graph, coords: &[[f64; 2]]) -> Vec<u32> {
    let n = g.node_count();
    assert_eq!(coords.len(), n, "one coordinate per node");
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

/// The metric-independent part: the chordal supergraph in rank space and how the road graph's
/// arcs map onto its edges.
#[derive(Debug, Clone)]
pub struct Cch {
    rank: Vec<u32>,
    order: Vec<u32>,
    /// Upward edges in rank space: edge `e` of rank `x` leads to `up_head[e] > x`.
    up_first: Vec<u32>,
    up_head: Vec<u32>,
    /// The lower end of each edge (so that unpacking needs no search).
    up_tail: Vec<u32>,
    /// Elimination tree: the lowest upper neighbour of each rank.
    parent: Vec<u32>,
    /// Per road-graph arc: the CCH edge it lies on, and whether it runs upward.
    arc_edge: Vec<u32>,
    arc_up: Vec<bool>,
}

/// Shortcut weights for one weight vector, with what each shortcut stands for.
#[derive(Debug, Clone)]
pub struct CchMetric {
    /// Cost of edge `e` from its lower to its upper end, and back.
    up: Vec<f64>,
    down: Vec<f64>,
    /// The lower-triangle middle rank of a shortcut, or the road arc of an original edge.
    up_via: Vec<Via>,
    down_via: Vec<Via>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Via {
    None,
    Arc(u32),
    Middle(u32),
}

impl Cch {
    /// Contracts `g` in the given order (`order[rank] = node`).
    pub fn new(g: &Graph, order: Vec<u32>) -> Cch {
        let n = g.node_count();
        assert_eq!(order.len(), n, "the order must rank every node");
        let mut rank = vec![INVALID; n];
        for (r, &v) in order.iter().enumerate() {
            rank[v as usize] = r as u32;
        }
        let mut upper: Vec<Vec<u32>> = vec![Vec::new(); n];
        for v in 0..n as u32 {
            for a in g.out_arcs(v) {
                let (x, y) = (rank[v as usize], rank[g.arc_head(a) as usize]);
                if x != y {
                    upper[x.min(y) as usize].push(x.max(y));
                }
            }
        }
        // Elimination game: the upper neighbours of x become a clique, which it suffices to
        // record at x's lowest upper neighbour (the others follow when that one is eliminated).
        let mut parent = vec![INVALID; n];
        for x in 0..n {
            let mut l = std::mem::take(&mut upper[x]);
            l.sort_unstable();
            l.dedup();
            if let Some((&p, rest)) = l.split_first() {
                parent[x] = p;
                upper[p as usize].extend_from_slice(rest);
            }
            upper[x] = l;
        }
        let mut up_first = Vec::with_capacity(n + 1);
        let mut up_head = Vec::new();
        up_first.push(0);
        for l in &upper {
            up_head.extend_from_slice(l);
            up_first.push(up_head.len() as u32);
        }
        let mut up_tail = vec![0u32; up_head.len()];
        for x in 0..n {
            for e in up_first[x]..up_first[x + 1] {
                up_tail[e as usize] = x as u32;
            }
        }
        let mut cch = Cch {
            rank,
            order,
            up_first,
            up_head,
            up_tail,
            parent,
            arc_edge: Vec::new(),
            arc_up: Vec::new(),
        };
        let mut arc_edge = vec![INVALID; g.arc_count()];
        let mut arc_up = vec![false; g.arc_count()];
        for v in 0..n as u32 {
            for a in g.out_arcs(v) {
                let (x, y) = (cch.rank[v as usize], cch.rank[g.arc_head(a) as usize]);
                if x != y {
                    arc_edge[a as usize] = cch.find_edge(x.min(y), x.max(y));
                    arc_up[a as usize] = x < y;
                }
            }
        }
        cch.arc_edge = arc_edge;
        cch.arc_up = arc_up;
        cch
    }

    pub fn edge_count(&self) -> usize {
        self.up_head.len()
    }

    /// `order[rank] = node`, e.g. to store it.
    pub fn order(&self) -> &[u32] {
        &self.order
    }

    #[inline]
    fn edges_of(&self, x: u32) -> std::ops::Range<usize> {
        self.up_first[x as usize] as usize..self.up_first[x as usize + 1] as usize
    }

    /// The edge between ranks `x < y` (it exists for every triangle by chordality).
    #[inline]
    fn find_edge(&self, x: u32, y: u32) -> u32 {
        let r = self.edges_of(x);
        let start = r.start;
        match self.up_head[r].binary_search(&y) {
            Ok(i) => (start + i) as u32,
            Err(_) => INVALID,
        }
    }

    /// Shortcut weights for `weight` (per road-graph arc, `INFINITY` = unusable) by the basic
    /// lower-triangle customization, ranks ascending.
    pub fn customize(&self, weight: &[f64]) -> CchMetric {
        let m = self.edge_count();
        let mut up = vec![f64::INFINITY; m];
        let mut down = vec![f64::INFINITY; m];
        let mut up_via = vec![Via::None; m];
        let mut down_via = vec![Via::None; m];
        for (a, &w) in weight.iter().enumerate() {
            let e = self.arc_edge[a];
            if e == INVALID || w.is_nan() || w == f64::INFINITY {
                continue;
            }
            let (slot, via) = if self.arc_up[a] {
                (&mut up[e as usize], &mut up_via[e as usize])
            } else {
                (&mut down[e as usize], &mut down_via[e as usize])
            };
            if w < *slot {
                *slot = w;
                *via = Via::Arc(a as u32);
            }
        }
        for x in 0..self.rank.len() as u32 {
            let r = self.edges_of(x);
            for i in r.clone() {
                let yi = self.up_head[i];
                let (down_i, up_i) = (down[i], up[i]);
                if down_i.is_infinite() && up_i.is_infinite() {
                    continue;
                }
                // Edges (yi, yj) for the later upper neighbours yj of x: one merge walk.
                let mut f = self.up_first[yi as usize] as usize;
                let f_end = self.up_first[yi as usize + 1] as usize;
                for j in i + 1..r.end {
                    let yj = self.up_head[j];
                    while f < f_end && self.up_head[f] < yj {
                        f += 1;
                    }
                    debug_assert!(f < f_end && self.up_head[f] == yj, "chordal");
                    // yi -> x -> yj and yj -> x -> yi
                    let c = down_i + up[j];
                    if c < up[f] {
                        up[f] = c;
                        up_via[f] = Via::Middle(x);
                    }
                    let c = down[j] + up_i;
                    if c < down[f] {
                        down[f] = c;
                        down_via[f] = Via::Middle(x);
                    }
                }
            }
        }
        CchMetric {
            up,
            down,
            up_via,
            down_via,
        }
    }
}

/// Query state for elimination-tree searches; reuse one per thread.
#[derive(Clone)]
pub struct CchQuery {
    fwd: Vec<f64>,
    bwd: Vec<f64>,
    fwd_parent: Vec<u32>,
    bwd_parent: Vec<u32>,
    fwd_seen: Vec<u32>,
    bwd_seen: Vec<u32>,
    fwd_mark: Vec<bool>,
    bwd_mark: Vec<bool>,
}

impl CchQuery {
    pub fn new(cch: &Cch) -> Self {
        let n = cch.rank.len();
        CchQuery {
            fwd: vec![f64::INFINITY; n],
            bwd: vec![f64::INFINITY; n],
            fwd_parent: vec![INVALID; n],
            bwd_parent: vec![INVALID; n],
            fwd_seen: Vec::new(),
            bwd_seen: Vec::new(),
            fwd_mark: vec![false; n],
            bwd_mark: vec![false; n],
        }
    }

    /// The cheapest path from any source seed to any target seed under the metric's weights.
    pub fn run(
        &mut self,
        cch: &Cch,
        metric: &CchMetric,
        sources: &[Seed],
        targets: &[Seed],
    ) -> Option<Route> {
        self.search(cch, metric, sources, targets, true).1
    }

    /// Only the cost of the cheapest path (`INFINITY` if none): no path unpacking. This is what
    /// RoutingKit's published query times measure.
    pub fn cost(
        &mut self,
        cch: &Cch,
        metric: &CchMetric,
        sources: &[Seed],
        targets: &[Seed],
    ) -> f64 {
        self.search(cch, metric, sources, targets, false).0
    }

    fn search(
        &mut self,
        cch: &Cch,
        metric: &CchMetric,
        sources: &[Seed],
        targets: &[Seed],
        want_path: bool,
    ) -> (f64, Option<Route>) {
        let up_search = |dist: &mut Vec<f64>,
                         parent: &mut Vec<u32>,
                         seen: &mut Vec<u32>,
                         mark: &mut Vec<bool>,
                         seeds: &[Seed],
                         w: &[f64]| {
            for s in seeds.iter().filter(|s| s.cost.is_finite()) {
                let r = cch.rank[s.node as usize];
                if s.cost < dist[r as usize] {
                    dist[r as usize] = s.cost;
                    parent[r as usize] = INVALID;
                }
                // Mark the elimination-tree path up to the root (or a marked node).
                let mut x = r;
                while x != INVALID && !mark[x as usize] {
                    mark[x as usize] = true;
                    seen.push(x);
                    x = cch.parent[x as usize];
                }
            }
            seen.sort_unstable();
            for &x in seen.iter() {
                let dx = dist[x as usize];
                if dx.is_infinite() {
                    continue;
                }
                for e in cch.edges_of(x) {
                    let y = cch.up_head[e] as usize;
                    let d = dx + w[e];
                    if d < dist[y] {
                        dist[y] = d;
                        parent[y] = e as u32;
                    }
                }
            }
        };
        up_search(
            &mut self.fwd,
            &mut self.fwd_parent,
            &mut self.fwd_seen,
            &mut self.fwd_mark,
            sources,
            &metric.up,
        );
        up_search(
            &mut self.bwd,
            &mut self.bwd_parent,
            &mut self.bwd_seen,
            &mut self.bwd_mark,
            targets,
            &metric.down,
        );
        let mut best = f64::INFINITY;
        let mut meet = INVALID;
        for &x in &self.fwd_seen {
            let d = self.fwd[x as usize] + self.bwd[x as usize];
            if d < best {
                best = d;
                meet = x;
            }
        }
        let result = (meet != INVALID && want_path).then(|| self.unpack(cch, metric, meet, best));
        for &x in &self.fwd_seen {
            self.fwd[x as usize] = f64::INFINITY;
            self.fwd_parent[x as usize] = INVALID;
            self.fwd_mark[x as usize] = false;
        }
        for &x in &self.bwd_seen {
            self.bwd[x as usize] = f64::INFINITY;
            self.bwd_parent[x as usize] = INVALID;
            self.bwd_mark[x as usize] = false;
        }
        self.fwd_seen.clear();
        self.bwd_seen.clear();
        (best, result)
    }

    fn unpack(&self, cch: &Cch, metric: &CchMetric, meet: u32, cost: f64) -> Route {
        // CCH edges from the source's rank up to the meeting rank, then down to the target's.
        let mut steps: Vec<(u32, bool)> = Vec::new();
        let mut x = meet;
        let mut first = meet;
        while self.fwd_parent[x as usize] != INVALID {
            let e = self.fwd_parent[x as usize];
            steps.push((e, true));
            x = lower_end(cch, e);
            first = x;
        }
        steps.reverse();
        let mut y = meet;
        let mut last = meet;
        while self.bwd_parent[y as usize] != INVALID {
            let e = self.bwd_parent[y as usize];
            steps.push((e, false));
            y = lower_end(cch, e);
            last = y;
        }
        let mut arcs = Vec::new();
        // Expand shortcuts depth-first, keeping the path order.
        let mut stack: Vec<(u32, bool)> = steps.into_iter().rev().collect();
        while let Some((e, is_up)) = stack.pop() {
            let via = if is_up {
                metric.up_via[e as usize]
            } else {
                metric.down_via[e as usize]
            };
            match via {
                Via::Arc(a) => arcs.push(a),
                Via::Middle(z) => {
                    let (lo, hi) = (lower_end(cch, e), cch.up_head[e as usize]);
                    let (e_lo, e_hi) = (cch.find_edge(z, lo), cch.find_edge(z, hi));
                    // up (lo -> hi) = lo -> z (down of z-lo) then z -> hi (up of z-hi);
                    // down (hi -> lo) = hi -> z (down of z-hi) then z -> lo (up of z-lo).
                    let (first_step, second_step) = if is_up {
                        ((e_lo, false), (e_hi, true))
                    } else {
                        ((e_hi, false), (e_lo, true))
                    };
                    stack.push(second_step);
                    stack.push(first_step);
                }
                Via::None => unreachable!("a finite path uses only finite edges"),
            }
        }
        Route {
            cost,
            first_node: cch.order[first as usize],
            last_node: cch.order[last as usize],
            arcs,
        }
    }
}

/// The lower rank of CCH edge `e`.
#[inline]
fn lower_end(cch: &Cch, e: u32) -> u32 {
    cch.up_tail[e as usize]
}
