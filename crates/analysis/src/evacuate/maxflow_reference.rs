//! The maximum flow (Dinic) as it was before the slot layout of session 10 (arcs by id, an
//! index array into them): kept as the test oracle of [`super::MaxFlow`], which must find the
//! same flow, bit for bit (the planner takes its starts from the flow, so any other maximum
//! flow would change the plans).

#![allow(dead_code)]

/// Residual capacity (people) below which an arc counts as full and a push as nothing: far
/// below one person, above the rounding of sums of bucket capacities.
const RESIDUAL_TINY: f64 = 1e-12;

/// A flow network; [`MaxFlow::run`] adds to the flow it already carries, so capacities may be
/// raised ([`MaxFlow::raise`]) and the flow continued. Cloning keeps the flow (the
/// flow-over-time bound continues a copy of an infeasible state).
#[derive(Clone)]
pub(crate) struct MaxFlow {
    nodes: usize,
    /// Per arc (forward `2i`, reverse `2i + 1`): its head and residual capacity.
    head: Vec<u32>,
    cap: Vec<f64>,
    /// Per forward arc: the capacity it was given (to raise it keeping its flow).
    initial: Vec<f64>,
    /// Compressed adjacency: the arcs out of node `u` are `adj[first[u]..first[u + 1]]`, in
    /// the order they were added; empty while arcs were added since it was built.
    first: Vec<usize>,
    adj: Vec<u32>,
}

impl MaxFlow {
    pub(crate) fn new(nodes: usize) -> MaxFlow {
        MaxFlow {
            nodes,
            head: Vec::new(),
            cap: Vec::new(),
            initial: Vec::new(),
            first: Vec::new(),
            adj: Vec::new(),
        }
    }

    pub(crate) fn add_node(&mut self) -> usize {
        self.nodes += 1;
        self.first.clear();
        self.nodes - 1
    }

    pub(crate) fn node_count(&self) -> usize {
        self.nodes
    }

    /// Forward arcs added.
    pub(crate) fn arc_count(&self) -> usize {
        self.head.len() / 2
    }

    /// Adds arc `u → v`; returns its index.
    pub(crate) fn add(&mut self, u: usize, v: usize, c: f64) -> usize {
        debug_assert!(u < self.nodes && v < self.nodes);
        let i = self.head.len();
        self.head.push(v as u32);
        self.cap.push(c);
        self.head.push(u as u32);
        self.cap.push(0.0);
        self.initial.push(c);
        self.first.clear();
        i
    }

    /// Raises arc `arc`'s capacity to `c` (not below its present one), keeping its flow.
    pub(crate) fn raise(&mut self, arc: usize, c: f64) {
        let initial = &mut self.initial[arc / 2];
        debug_assert!(c >= *initial);
        self.cap[arc] += c - *initial;
        *initial = c;
    }

    /// The capacity arc `arc` was given (or raised to).
    pub(crate) fn initial_of(&self, arc: usize) -> f64 {
        self.initial[arc / 2]
    }

    pub(crate) fn flow_on(&self, arc: usize) -> f64 {
        self.cap[arc ^ 1]
    }

    /// The compressed adjacency, in the order arcs were added (so the flow found does not
    /// depend on how the adjacency is stored).
    fn build_adjacency(&mut self) {
        if self.first.len() == self.nodes + 1 {
            return;
        }
        let mut first = vec![0usize; self.nodes + 1];
        for e in 0..self.head.len() {
            first[self.head[e ^ 1] as usize + 1] += 1;
        }
        for u in 0..self.nodes {
            first[u + 1] += first[u];
        }
        let mut fill = first.clone();
        let mut adj = vec![0u32; self.head.len()];
        for e in 0..self.head.len() {
            let u = self.head[e ^ 1] as usize;
            adj[fill[u]] = e as u32;
            fill[u] += 1;
        }
        self.first = first;
        self.adj = adj;
    }

    fn out(&self, u: usize) -> &[u32] {
        &self.adj[self.first[u]..self.first[u + 1]]
    }

    /// After [`MaxFlow::run`]: the nodes still reachable from `s` in the residual network —
    /// the source side of a minimum cut.
    pub(crate) fn source_side(&mut self, s: usize) -> Vec<bool> {
        self.build_adjacency();
        let mut seen = vec![false; self.nodes];
        seen[s] = true;
        let mut stack = vec![s];
        while let Some(u) = stack.pop() {
            for &e in self.out(u) {
                let v = self.head[e as usize] as usize;
                if self.cap[e as usize] > RESIDUAL_TINY && !seen[v] {
                    seen[v] = true;
                    stack.push(v);
                }
            }
        }
        seen
    }

    /// Dinic's levels: breadth-first distances from `s` over arcs with residual capacity, into
    /// `level` (all `u32::MAX` on entry); with `stop_at_sink`, nodes beyond the sink's level
    /// are not explored. Whether `t` was reached.
    fn levels(&self, s: usize, t: usize, level: &mut [u32], stop_at_sink: bool) -> bool {
        level[s] = 0;
        let mut queue = std::collections::VecDeque::from([s]);
        while let Some(u) = queue.pop_front() {
            if stop_at_sink && level[t] != u32::MAX && level[u] >= level[t] {
                break;
            }
            for &e in self.out(u) {
                let v = self.head[e as usize] as usize;
                if self.cap[e as usize] > RESIDUAL_TINY && level[v] == u32::MAX {
                    level[v] = level[u] + 1;
                    queue.push_back(v);
                }
            }
        }
        level[t] != u32::MAX
    }

    /// Adds a maximum flow from `s` to `t` to the present one; returns the flow added.
    pub(crate) fn run(&mut self, s: usize, t: usize) -> f64 {
        self.dinic(s, t, false)
    }

    /// [`MaxFlow::run`] for large networks: the breadth-first levels stop at the sink's. Same
    /// value; possibly another maximum flow, so the checkpoint bound (whose flow is an
    /// assignment the planner uses) keeps `run`. The source side of a minimum cut
    /// ([`MaxFlow::source_side`]) is the same after either: it is one set for every maximum
    /// flow.
    pub(crate) fn run_blocking(&mut self, s: usize, t: usize) -> f64 {
        self.dinic(s, t, true)
    }

    fn dinic(&mut self, s: usize, t: usize, stop_at_sink: bool) -> f64 {
        self.build_adjacency();
        let mut total = 0.0;
        let mut level = vec![u32::MAX; self.nodes];
        let mut next = vec![0usize; self.nodes];
        let mut path: Vec<u32> = Vec::new();
        loop {
            level.iter_mut().for_each(|x| *x = u32::MAX);
            if !self.levels(s, t, &mut level, stop_at_sink) {
                return total;
            }
            next.copy_from_slice(&self.first[..self.nodes]);
            total += self.blocking_flow(s, t, &mut level, &mut next, &mut path);
        }
    }

    /// One phase: augmenting paths from `s` along arcs one level up, each node's current arc
    /// `next[u]` only moving forward, dead ends taken out of the level graph. The paths are
    /// those the recursive depth-first search of the textbook finds, in the same order.
    fn blocking_flow(
        &mut self,
        s: usize,
        t: usize,
        level: &mut [u32],
        next: &mut [usize],
        path: &mut Vec<u32>,
    ) -> f64 {
        let mut pushed = 0.0;
        path.clear();
        let mut u = s;
        loop {
            if u == t {
                let got = path
                    .iter()
                    .map(|&e| self.cap[e as usize])
                    .fold(f64::INFINITY, f64::min);
                for &e in path.iter() {
                    self.cap[e as usize] -= got;
                    self.cap[e as usize ^ 1] += got;
                }
                pushed += got;
                // Back to the tail of the first arc now full; search on from there.
                let full = path
                    .iter()
                    .position(|&e| self.cap[e as usize] <= RESIDUAL_TINY)
                    .unwrap_or(0);
                path.truncate(full);
                u = path.last().map_or(s, |&e| self.head[e as usize] as usize);
                continue;
            }
            let end = self.first[u + 1];
            let mut advanced = false;
            while next[u] < end {
                let e = self.adj[next[u]] as usize;
                let v = self.head[e] as usize;
                if self.cap[e] > RESIDUAL_TINY && level[v] == level[u] + 1 {
                    path.push(e as u32);
                    u = v;
                    advanced = true;
                    break;
                }
                next[u] += 1;
            }
            if advanced {
                continue;
            }
            // A dead end: out of the level graph, and the arc into it skipped.
            level[u] = u32::MAX;
            match path.pop() {
                None => return pushed,
                Some(e) => {
                    u = self.head[e as usize ^ 1] as usize;
                    next[u] += 1;
                }
            }
        }
    }
}
