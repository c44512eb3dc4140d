//! Maximum flow with real capacities (Dinic): the relaxed schedules of the lower bounds
//! ([`super::bound`], [`super::road_bound`]). `routing::min_cut` is integral and meant for cuts
//! of road networks.

/// Residual capacity (people) below which an arc counts as full and a push as nothing: far
/// below one person, above the rounding of sums of bucket capacities.
const RESIDUAL_TINY: f64 = 1e-12;

/// A flow network; [`MaxFlow::run`] adds to the flow it already carries, so capacities may be
/// raised ([`MaxFlow::raise`]) and the flow continued.
pub(crate) struct MaxFlow {
    head: Vec<usize>,
    cap: Vec<f64>,
    initial: Vec<f64>,
    adj: Vec<Vec<usize>>,
}

impl MaxFlow {
    pub(crate) fn new(nodes: usize) -> MaxFlow {
        MaxFlow {
            head: Vec::new(),
            cap: Vec::new(),
            initial: Vec::new(),
            adj: vec![Vec::new(); nodes],
        }
    }

    pub(crate) fn add_node(&mut self) -> usize {
        self.adj.push(Vec::new());
        self.adj.len() - 1
    }

    /// Adds arc `u → v`; returns its index.
    pub(crate) fn add(&mut self, u: usize, v: usize, c: f64) -> usize {
        let i = self.head.len();
        self.adj[u].push(i);
        self.head.push(v);
        self.cap.push(c);
        self.initial.push(c);
        self.adj[v].push(i + 1);
        self.head.push(u);
        self.cap.push(0.0);
        self.initial.push(0.0);
        i
    }

    /// Raises arc `arc`'s capacity to `c` (not below its present one), keeping its flow.
    pub(crate) fn raise(&mut self, arc: usize, c: f64) {
        debug_assert!(c >= self.initial[arc]);
        self.cap[arc] += c - self.initial[arc];
        self.initial[arc] = c;
    }

    pub(crate) fn flow_on(&self, arc: usize) -> f64 {
        self.cap[arc ^ 1]
    }

    /// After [`MaxFlow::run`]: the nodes still reachable from `s` in the residual network —
    /// the source side of a minimum cut.
    pub(crate) fn source_side(&self, s: usize) -> Vec<bool> {
        let mut seen = vec![false; self.adj.len()];
        seen[s] = true;
        let mut stack = vec![s];
        while let Some(u) = stack.pop() {
            for &e in &self.adj[u] {
                let v = self.head[e];
                if self.cap[e] > RESIDUAL_TINY && !seen[v] {
                    seen[v] = true;
                    stack.push(v);
                }
            }
        }
        seen
    }

    /// Dinic's levels: breadth-first distances from `s` over arcs with residual capacity, into
    /// `level` (all `usize::MAX` on entry); with `stop_at_sink`, nodes beyond the sink's level
    /// are not explored. Whether `t` was reached.
    fn levels(&self, s: usize, t: usize, level: &mut [usize], stop_at_sink: bool) -> bool {
        level[s] = 0;
        let mut queue = std::collections::VecDeque::from([s]);
        while let Some(u) = queue.pop_front() {
            if stop_at_sink && level[t] != usize::MAX && level[u] >= level[t] {
                break;
            }
            for &e in &self.adj[u] {
                let v = self.head[e];
                if self.cap[e] > RESIDUAL_TINY && level[v] == usize::MAX {
                    level[v] = level[u] + 1;
                    queue.push_back(v);
                }
            }
        }
        level[t] != usize::MAX
    }

    pub(crate) fn run(&mut self, s: usize, t: usize) -> f64 {
        let n = self.adj.len();
        let mut total = 0.0;
        loop {
            let mut level = vec![usize::MAX; n];
            if !self.levels(s, t, &mut level, false) {
                return total;
            }
            let mut next = vec![0usize; n];
            loop {
                let pushed = self.push(s, t, f64::INFINITY, &level, &mut next);
                if pushed <= RESIDUAL_TINY {
                    break;
                }
                total += pushed;
            }
        }
    }

    /// [`MaxFlow::run`] for large networks (the road bound's static cuts): the levels stop at
    /// the sink's and each search pushes a whole blocking flow, branching, instead of one path
    /// from the source at a time. Same value; possibly another maximum flow, so the checkpoint
    /// bound (whose flow is an assignment the planner uses) keeps `run`.
    pub(crate) fn run_blocking(&mut self, s: usize, t: usize) -> f64 {
        let n = self.adj.len();
        let mut total = 0.0;
        let mut level = vec![usize::MAX; n];
        let mut next = vec![0usize; n];
        loop {
            level.iter_mut().for_each(|x| *x = usize::MAX);
            if !self.levels(s, t, &mut level, true) {
                return total;
            }
            next.iter_mut().for_each(|x| *x = 0);
            loop {
                let pushed = self.push_blocking(s, t, f64::INFINITY, &level, &mut next);
                if pushed <= RESIDUAL_TINY {
                    break;
                }
                total += pushed;
            }
        }
    }

    fn push_blocking(
        &mut self,
        u: usize,
        t: usize,
        limit: f64,
        level: &[usize],
        next: &mut [usize],
    ) -> f64 {
        if u == t {
            return limit;
        }
        let mut pushed = 0.0;
        while next[u] < self.adj[u].len() {
            let e = self.adj[u][next[u]];
            let v = self.head[e];
            if self.cap[e] > RESIDUAL_TINY && level[v] == level[u] + 1 {
                let want = (limit - pushed).min(self.cap[e]);
                let got = self.push_blocking(v, t, want, level, next);
                if got > RESIDUAL_TINY {
                    self.cap[e] -= got;
                    self.cap[e ^ 1] += got;
                    pushed += got;
                    if limit - pushed <= RESIDUAL_TINY {
                        return pushed;
                    }
                }
            }
            next[u] += 1;
        }
        pushed
    }

    fn push(&mut self, u: usize, t: usize, limit: f64, level: &[usize], next: &mut [usize]) -> f64 {
        if u == t {
            return limit;
        }
        while next[u] < self.adj[u].len() {
            let e = self.adj[u][next[u]];
            let v = self.head[e];
            if self.cap[e] > RESIDUAL_TINY && level[v] == level[u] + 1 {
                let got = self.push(v, t, limit.min(self.cap[e]), level, next);
                if got > RESIDUAL_TINY {
                    self.cap[e] -= got;
                    self.cap[e ^ 1] += got;
                    return got;
                }
            }
            next[u] += 1;
        }
        0.0
    }
}
