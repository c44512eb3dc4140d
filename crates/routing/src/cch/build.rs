//! The metric-independent part: the chordal supergraph of the road graph in a given order.

use crate::{Graph, INVALID};

/// The chordal supergraph in rank space, its elimination tree, its lower-triangle lists and how
/// the road graph's arcs map onto its edges. Built once per map; every metric shares it.
#[derive(Debug, Clone)]
pub struct Cch {
    pub(super) rank: Vec<u32>,
    pub(super) order: Vec<u32>,
    /// Upward edges in rank space, sorted by lower end then upper end: edge `e` of rank `x`
    /// leads to `up_head[e] > x`. Edge ids therefore grow with the lower end, which is the
    /// order customization needs.
    pub(super) up_first: Vec<u32>,
    pub(super) up_head: Vec<u32>,
    /// The lower end of each edge.
    pub(super) up_tail: Vec<u32>,
    /// The same edges seen from their upper end: for rank `x`, its lower neighbours `z`
    /// (ascending) and the id of edge `z–x`. Lower triangles of `x–y` are the common entries
    /// of the lists of `x` and `y`.
    pub(super) down_first: Vec<u32>,
    pub(super) down_tail: Vec<u32>,
    pub(super) down_edge: Vec<u32>,
    /// Elimination tree: the lowest upper neighbour of each rank (`INVALID` at a root).
    pub(super) parent: Vec<u32>,
    /// Per road-graph arc: the edge it lies on (`INVALID` for a self-loop) and whether it runs
    /// from the lower to the upper end.
    pub(super) arc_edge: Vec<u32>,
    pub(super) arc_up: Vec<bool>,
    /// Per edge, the road-graph arcs lying on it (both directions), for partial customization
    /// and for telling original edges from shortcuts when unpacking.
    pub(super) edge_arc_first: Vec<u32>,
    pub(super) edge_arcs: Vec<u32>,
}

impl Cch {
    /// Contracts `g` in the given order (`order[rank] = node`, a permutation of the nodes).
    pub fn new(g: &Graph, order: Vec<u32>) -> Cch {
        let n = g.node_count();
        assert_eq!(order.len(), n, "the order must rank every node");
        let rank = invert(&order);
        let (up_first, up_head, parent) = contract(g, &rank);
        Cch::assemble(g, order, rank, up_first, up_head, parent)
    }

    /// Rebuilds a CCH from a stored order and stored upward edges (`up_first`, `up_head`), e.g.
    /// from a graph file: checks that the order is a permutation, that the edges are sorted,
    /// in range and chordal (every rank's upper neighbours form a clique) and that every arc of
    /// `g` lies on an edge, so that customization and queries stay exact. `max_edges` caps the
    /// size a file may claim.
    pub fn from_parts(
        g: &Graph,
        order: Vec<u32>,
        up_first: Vec<u32>,
        up_head: Vec<u32>,
        max_edges: usize,
    ) -> Result<Cch, String> {
        let n = g.node_count();
        check_permutation(&order, n)?;
        check_upward_csr(&up_first, &up_head, n, max_edges)?;
        let parent: Vec<u32> = (0..n)
            .map(|x| {
                let r = up_first[x] as usize..up_first[x + 1] as usize;
                up_head[r].first().copied().unwrap_or(INVALID)
            })
            .collect();
        check_chordal(&up_first, &up_head, &parent)?;
        let rank = invert(&order);
        let cch = Cch::assemble(g, order, rank, up_first, up_head, parent);
        if (0..g.node_count() as u32).any(|v| {
            g.out_arcs(v)
                .any(|a| g.arc_head(a) != v && cch.arc_edge[a as usize] == INVALID)
        }) {
            return Err("the stored CCH lacks an edge of the road graph".into());
        }
        Ok(cch)
    }

    /// Derives the lookup arrays from the upward edges.
    fn assemble(
        g: &Graph,
        order: Vec<u32>,
        rank: Vec<u32>,
        up_first: Vec<u32>,
        up_head: Vec<u32>,
        parent: Vec<u32>,
    ) -> Cch {
        let n = order.len();
        let m = up_head.len();
        let mut up_tail = vec![0u32; m];
        for x in 0..n {
            up_tail[up_first[x] as usize..up_first[x + 1] as usize].fill(x as u32);
        }
        let (down_first, down_tail, down_edge) = transpose(&up_first, &up_head, &up_tail);
        let mut cch = Cch {
            rank,
            order,
            up_first,
            up_head,
            up_tail,
            down_first,
            down_tail,
            down_edge,
            parent,
            arc_edge: Vec::new(),
            arc_up: Vec::new(),
            edge_arc_first: Vec::new(),
            edge_arcs: Vec::new(),
        };
        cch.map_arcs(g);
        cch
    }

    /// Which edge each road arc lies on, and the arcs per edge.
    fn map_arcs(&mut self, g: &Graph) {
        let mut arc_edge = vec![INVALID; g.arc_count()];
        let mut arc_up = vec![false; g.arc_count()];
        let mut count = vec![0u32; self.up_head.len() + 1];
        for v in 0..g.node_count() as u32 {
            for a in g.out_arcs(v) {
                let (x, y) = (self.rank[v as usize], self.rank[g.arc_head(a) as usize]);
                if x != y {
                    let e = self.find_edge(x.min(y), x.max(y));
                    arc_edge[a as usize] = e;
                    arc_up[a as usize] = x < y;
                    if e != INVALID {
                        count[e as usize + 1] += 1;
                    }
                }
            }
        }
        for i in 1..count.len() {
            count[i] += count[i - 1];
        }
        let mut fill = count.clone();
        let mut edge_arcs = vec![0u32; count[self.up_head.len()] as usize];
        for (a, &e) in arc_edge.iter().enumerate() {
            if e != INVALID {
                edge_arcs[fill[e as usize] as usize] = a as u32;
                fill[e as usize] += 1;
            }
        }
        self.arc_edge = arc_edge;
        self.arc_up = arc_up;
        self.edge_arc_first = count;
        self.edge_arcs = edge_arcs;
    }

    /// Edges of the chordal supergraph (original plus shortcuts).
    pub fn edge_count(&self) -> usize {
        self.up_head.len()
    }

    pub fn node_count(&self) -> usize {
        self.order.len()
    }

    /// `order[rank] = node`, e.g. to store it.
    pub fn order(&self) -> &[u32] {
        &self.order
    }

    /// `rank[node]`: the position of a node in the order.
    pub fn rank(&self) -> &[u32] {
        &self.rank
    }

    /// The upward edges as CSR (`up_first` per rank, `up_head` per edge), to store them.
    pub fn upward_edges(&self) -> (&[u32], &[u32]) {
        (&self.up_first, &self.up_head)
    }

    /// Mean number of elimination-tree ancestors of a node (including itself): what one side
    /// of a query visits. The figure that says how good an order is.
    pub fn mean_tree_depth(&self) -> f64 {
        let n = self.node_count();
        let mut depth = vec![0u32; n];
        for x in (0..n).rev() {
            let p = self.parent[x];
            depth[x] = if p == INVALID {
                1
            } else {
                depth[p as usize] + 1
            };
        }
        depth.iter().map(|&d| d as f64).sum::<f64>() / n.max(1) as f64
    }

    /// Number of lower triangles (the work of one full customization).
    pub fn triangle_count(&self) -> u64 {
        (0..self.node_count())
            .map(|z| {
                let d = (self.up_first[z + 1] - self.up_first[z]) as u64;
                d * d.saturating_sub(1) / 2
            })
            .sum()
    }

    #[inline]
    pub(super) fn edges_of(&self, x: u32) -> std::ops::Range<usize> {
        self.up_first[x as usize] as usize..self.up_first[x as usize + 1] as usize
    }

    #[inline]
    pub(super) fn lower_of(&self, x: u32) -> std::ops::Range<usize> {
        self.down_first[x as usize] as usize..self.down_first[x as usize + 1] as usize
    }

    /// The edge between ranks `x < y`, or `INVALID`.
    #[inline]
    pub(super) fn find_edge(&self, x: u32, y: u32) -> u32 {
        let r = self.edges_of(x);
        let start = r.start;
        match self.up_head[r].binary_search(&y) {
            Ok(i) => (start + i) as u32,
            Err(_) => INVALID,
        }
    }

    /// The road arcs lying on edge `e`.
    #[inline]
    pub(super) fn arcs_of_edge(&self, e: u32) -> &[u32] {
        &self.edge_arcs
            [self.edge_arc_first[e as usize] as usize..self.edge_arc_first[e as usize + 1] as usize]
    }
}

fn invert(order: &[u32]) -> Vec<u32> {
    let mut rank = vec![INVALID; order.len()];
    for (r, &v) in order.iter().enumerate() {
        rank[v as usize] = r as u32;
    }
    rank
}

/// The elimination game: the upper neighbours of `x` become a clique, which it suffices to
/// record at `x`'s lowest upper neighbour (the others follow when that one is eliminated).
/// Returns `(up_first, up_head, parent)`.
fn contract(g: &Graph, rank: &[u32]) -> (Vec<u32>, Vec<u32>, Vec<u32>) {
    let n = rank.len();
    let mut upper: Vec<Vec<u32>> = vec![Vec::new(); n];
    for v in 0..n as u32 {
        for a in g.out_arcs(v) {
            let (x, y) = (rank[v as usize], rank[g.arc_head(a) as usize]);
            if x != y {
                upper[x.min(y) as usize].push(x.max(y));
            }
        }
    }
    let mut parent = vec![INVALID; n];
    let mut up_first = Vec::with_capacity(n + 1);
    let mut up_head = Vec::new();
    up_first.push(0);
    for x in 0..n {
        let mut l = std::mem::take(&mut upper[x]);
        l.sort_unstable();
        l.dedup();
        if let Some((&p, rest)) = l.split_first() {
            parent[x] = p;
            upper[p as usize].extend_from_slice(rest);
        }
        up_head.extend_from_slice(&l);
        up_first.push(up_head.len() as u32);
    }
    (up_first, up_head, parent)
}

/// The lower neighbours of every rank with the connecting edge ids, ascending.
fn transpose(up_first: &[u32], up_head: &[u32], up_tail: &[u32]) -> (Vec<u32>, Vec<u32>, Vec<u32>) {
    let n = up_first.len() - 1;
    let mut down_first = vec![0u32; n + 1];
    for &y in up_head {
        down_first[y as usize + 1] += 1;
    }
    for i in 0..n {
        down_first[i + 1] += down_first[i];
    }
    let mut fill = down_first.clone();
    let mut down_tail = vec![0u32; up_head.len()];
    let mut down_edge = vec![0u32; up_head.len()];
    // Edges come sorted by lower end, so every list fills in ascending order.
    for (e, (&y, &z)) in up_head.iter().zip(up_tail).enumerate() {
        let slot = fill[y as usize] as usize;
        down_tail[slot] = z;
        down_edge[slot] = e as u32;
        fill[y as usize] += 1;
    }
    (down_first, down_tail, down_edge)
}

fn check_permutation(order: &[u32], n: usize) -> Result<(), String> {
    if order.len() != n {
        return Err("the contraction order does not rank every node".into());
    }
    let mut seen = vec![false; n];
    for &v in order {
        if v as usize >= n || std::mem::replace(&mut seen[v as usize], true) {
            return Err("the contraction order is not a permutation".into());
        }
    }
    Ok(())
}

fn check_upward_csr(
    up_first: &[u32],
    up_head: &[u32],
    n: usize,
    max_edges: usize,
) -> Result<(), String> {
    if up_head.len() > max_edges {
        return Err(format!(
            "the stored CCH claims {} edges, more than the cap of {max_edges}",
            up_head.len()
        ));
    }
    if up_first.len() != n + 1
        || up_first[0] != 0
        || up_first[n] as usize != up_head.len()
        || up_first.windows(2).any(|w| w[0] > w[1])
    {
        return Err("the stored CCH's edge offsets are inconsistent".into());
    }
    for x in 0..n {
        let heads = &up_head[up_first[x] as usize..up_first[x + 1] as usize];
        if heads.first().is_some_and(|&y| y as usize <= x)
            || heads.last().is_some_and(|&y| y as usize >= n)
            || heads.windows(2).any(|w| w[0] >= w[1])
        {
            return Err(format!(
                "the stored CCH's edges of rank {x} are not sorted upward"
            ));
        }
    }
    Ok(())
}

/// Every rank's upper neighbours other than its parent are upper neighbours of the parent:
/// by induction up the tree, all upper neighbourhoods are cliques (the graph is chordal).
fn check_chordal(up_first: &[u32], up_head: &[u32], parent: &[u32]) -> Result<(), String> {
    for x in 0..parent.len() {
        let p = parent[x];
        if p == INVALID {
            continue;
        }
        let mine = &up_head[up_first[x] as usize + 1..up_first[x + 1] as usize];
        let theirs = &up_head[up_first[p as usize] as usize..up_first[p as usize + 1] as usize];
        // Binary search, not a merge walk: a crafted file must not make this quadratic.
        if let Some(&y) = mine.iter().find(|y| theirs.binary_search(y).is_err()) {
            return Err(format!(
                "the stored CCH is not chordal at rank {x} (edge to {y} missing at rank {p})"
            ));
        }
    }
    Ok(())
}
