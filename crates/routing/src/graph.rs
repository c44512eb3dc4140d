/// A directed graph in CSR form with its reverse, so that backward searches walk incoming arcs
/// without a second weight vector: every reverse arc remembers the forward arc it mirrors.
#[derive(Debug, Clone, PartialEq)]
pub struct Graph {
    first_out: Vec<u32>,
    head: Vec<u32>,
    rev_first_in: Vec<u32>,
    rev_tail: Vec<u32>,
    rev_arc: Vec<u32>,
}

impl Graph {
    /// Builds a graph from CSR arrays: the arcs of node `v` are `first_out[v]..first_out[v+1]`,
    /// `head[a]` is where arc `a` leads. Returns an error string if the arrays are inconsistent,
    /// because they may come from a file.
    pub fn from_csr(first_out: Vec<u32>, head: Vec<u32>) -> Result<Graph, String> {
        if first_out.is_empty() {
            return Err("first_out is empty (needs node_count + 1 entries)".into());
        }
        let n = first_out.len() - 1;
        if first_out[0] != 0 || *first_out.last().unwrap() as usize != head.len() {
            return Err("first_out does not span the arc array".into());
        }
        if first_out.windows(2).any(|w| w[0] > w[1]) {
            return Err("first_out is not monotone".into());
        }
        if head.iter().any(|&h| h as usize >= n) {
            return Err("an arc points to a node that does not exist".into());
        }
        let mut rev_first_in = vec![0u32; n + 1];
        for &h in &head {
            rev_first_in[h as usize + 1] += 1;
        }
        for i in 0..n {
            rev_first_in[i + 1] += rev_first_in[i];
        }
        let mut fill = rev_first_in.clone();
        let mut rev_tail = vec![0u32; head.len()];
        let mut rev_arc = vec![0u32; head.len()];
        for v in 0..n {
            for a in first_out[v]..first_out[v + 1] {
                let h = head[a as usize] as usize;
                let slot = fill[h] as usize;
                rev_tail[slot] = v as u32;
                rev_arc[slot] = a;
                fill[h] += 1;
            }
        }
        Ok(Graph {
            first_out,
            head,
            rev_first_in,
            rev_tail,
            rev_arc,
        })
    }

    /// Builds a graph from an arc list `(tail, head)`; returns the graph and, for each input arc,
    /// its arc id in the graph (arcs are reordered by tail, stably).
    pub fn from_arcs(node_count: usize, arcs: &[(u32, u32)]) -> (Graph, Vec<u32>) {
        let mut first_out = vec![0u32; node_count + 1];
        for &(t, _) in arcs {
            first_out[t as usize + 1] += 1;
        }
        for i in 0..node_count {
            first_out[i + 1] += first_out[i];
        }
        let mut fill = first_out.clone();
        let mut head = vec![0u32; arcs.len()];
        let mut id = vec![0u32; arcs.len()];
        for (i, &(t, h)) in arcs.iter().enumerate() {
            let slot = fill[t as usize];
            head[slot as usize] = h;
            id[i] = slot;
            fill[t as usize] += 1;
        }
        let g = Graph::from_csr(first_out, head).expect("arc list is consistent by construction");
        (g, id)
    }

    pub fn node_count(&self) -> usize {
        self.first_out.len() - 1
    }

    pub fn arc_count(&self) -> usize {
        self.head.len()
    }

    pub fn first_out(&self) -> &[u32] {
        &self.first_out
    }

    pub fn head(&self) -> &[u32] {
        &self.head
    }

    /// Outgoing arcs of `v` as an id range.
    #[inline]
    pub fn out_arcs(&self, v: u32) -> std::ops::Range<u32> {
        self.first_out[v as usize]..self.first_out[v as usize + 1]
    }

    #[inline]
    pub fn arc_head(&self, a: u32) -> u32 {
        self.head[a as usize]
    }

    /// The tail of forward arc `a` (a binary search: used when reconstructing paths, not in loops).
    pub fn arc_tail(&self, a: u32) -> u32 {
        (self.first_out.partition_point(|&f| f <= a) - 1) as u32
    }

    /// Incoming arcs of `v` as `(tail, forward arc id)` pairs.
    #[inline]
    pub fn in_arcs(&self, v: u32) -> impl Iterator<Item = (u32, u32)> + '_ {
        let r = self.rev_first_in[v as usize] as usize..self.rev_first_in[v as usize + 1] as usize;
        self.rev_tail[r.clone()]
            .iter()
            .copied()
            .zip(self.rev_arc[r].iter().copied())
    }
}

/// Weakly connected components: a component id per node, numbered by decreasing size (0 is
/// the largest), so callers can prefer the main network when snapping.
pub fn weakly_connected_components(g: &Graph) -> Vec<u32> {
    let n = g.node_count();
    let mut parent: Vec<u32> = (0..n as u32).collect();
    fn find(p: &mut [u32], mut x: u32) -> u32 {
        while p[x as usize] != x {
            p[x as usize] = p[p[x as usize] as usize];
            x = p[x as usize];
        }
        x
    }
    for v in 0..n as u32 {
        for a in g.out_arcs(v) {
            let (x, y) = (find(&mut parent, v), find(&mut parent, g.arc_head(a)));
            if x != y {
                parent[x.max(y) as usize] = x.min(y);
            }
        }
    }
    let roots: Vec<u32> = (0..n as u32).map(|v| find(&mut parent, v)).collect();
    let mut size = vec![0u32; n];
    for &r in &roots {
        size[r as usize] += 1;
    }
    let mut order: Vec<u32> = (0..n as u32).filter(|&r| size[r as usize] > 0).collect();
    order.sort_by_key(|&r| (std::cmp::Reverse(size[r as usize]), r));
    let mut rank = vec![0u32; n];
    for (i, &r) in order.iter().enumerate() {
        rank[r as usize] = i as u32;
    }
    roots.iter().map(|&r| rank[r as usize]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reverse_arcs_mirror_forward_arcs() {
        let (g, ids) = Graph::from_arcs(4, &[(0, 1), (2, 1), (1, 3), (0, 3)]);
        assert_eq!(g.arc_count(), 4);
        let mut incoming: Vec<(u32, u32)> = g.in_arcs(1).collect();
        incoming.sort();
        assert_eq!(incoming, vec![(0, ids[0]), (2, ids[1])]);
        for (i, &(t, h)) in [(0, 1), (2, 1), (1, 3), (0, 3)].iter().enumerate() {
            assert_eq!(g.arc_tail(ids[i]), t);
            assert_eq!(g.arc_head(ids[i]), h);
        }
    }

    #[test]
    fn rejects_inconsistent_arrays() {
        assert!(Graph::from_csr(vec![0, 1], vec![5]).is_err());
        assert!(Graph::from_csr(vec![0, 2], vec![0]).is_err());
        assert!(Graph::from_csr(vec![], vec![]).is_err());
    }

    #[test]
    fn components_are_ranked_by_size() {
        let (g, _) = Graph::from_arcs(6, &[(0, 1), (2, 3), (3, 4), (5, 5)]);
        let c = weakly_connected_components(&g);
        assert_eq!(c[2], 0);
        assert_eq!(c[3], 0);
        assert_eq!(c[4], 0);
        assert_eq!(c[0], c[1]);
        assert_eq!(c[0], 1);
        assert_eq!(c[5], 2);
    }
}
