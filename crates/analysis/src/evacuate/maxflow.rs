//! Maximum flow with real capacities (Dinic): the relaxed schedules of the lower bounds
//! ([`super::bound`], [`super::road_bound`], [`super::chain_bound`]) and the flow over time
//! ([`super::flow_schedule`]). `routing::min_cut` is integral and meant for cuts of road
//! networks.
//!
//! Sized for time-expanded networks (hundreds of thousands of nodes, millions of arcs): arcs
//! are added to flat arrays by id, and before the first run (again only if arcs were added
//! since) laid out in slots grouped by tail (a compressed adjacency, RoutingKit-style: each
//! slot holds its residual capacity, its head and its reverse slot side by side, so a search
//! reads one slot where it read an index, a head and a capacity); the augmenting-path search is
//! an explicit stack (no recursion as deep as the longest path) with Dinic's current-arc
//! pointers, so each phase costs `O(V · E)` at worst and one sweep of the arcs in practice.
//!
//! The slots keep each node's arcs in the order they were added, so the flow found is the one
//! the former layout (arcs by id and an index array, `maxflow_reference.rs`, the test oracle)
//! finds, bit for bit: the planner takes its starts from the flow.

/// Residual capacity (people) below which an arc counts as full and a push as nothing: far
/// below one person, above the rounding of sums of bucket capacities.
const RESIDUAL_TINY: f64 = 1e-12;

/// One arc's slot: residual capacity, head, and the slot of its reverse arc.
#[derive(Clone, Copy)]
struct Slot {
    cap: f64,
    head: u32,
    rev: u32,
}

/// A flow network; [`MaxFlow::run`] adds to the flow it already carries, so capacities may be
/// raised ([`MaxFlow::raise`]) and the flow continued. [`MaxFlow::save`] and
/// [`MaxFlow::restore`] return to an earlier flow (a bisection's probe undone without copying
/// the network).
pub(crate) struct MaxFlow {
    nodes: usize,
    /// Per arc id (forward `2i`, reverse `2i + 1`): its head (the tail is the reverse's head).
    head: Vec<u32>,
    /// Per arc id: its slot in `slots`.
    slot_of: Vec<u32>,
    /// The arcs' slots; grouped by tail (out of node `u`: `first[u]..first[u + 1]`, in the
    /// order added) once built, else arcs added since are at the end with `rev` unset.
    slots: Vec<Slot>,
    /// Per forward arc: the capacity it was given (to raise it keeping its flow).
    initial: Vec<f64>,
    /// Per node, its first slot; empty while arcs or nodes were added since the layout.
    first: Vec<u32>,
    /// Which network this is ([`NEXT_NETWORK`]): a saved flow records it, so that
    /// [`MaxFlow::restore`] can tell a flow saved from another network of the same size.
    network: u64,
}

/// The next [`MaxFlow::network`] id.
static NEXT_NETWORK: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// A copy of a network's flow ([`MaxFlow::save`]), its buffers reused from save to save.
#[derive(Default)]
pub(crate) struct SavedFlow {
    slots: Vec<Slot>,
    initial: Vec<f64>,
    /// The network it was saved from (0: none yet), and its nodes and arcs then.
    network: u64,
    nodes: usize,
    arcs: usize,
}

impl MaxFlow {
    pub(crate) fn new(nodes: usize) -> MaxFlow {
        MaxFlow {
            nodes,
            head: Vec::new(),
            slot_of: Vec::new(),
            slots: Vec::new(),
            initial: Vec::new(),
            first: Vec::new(),
            network: NEXT_NETWORK.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
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
        self.head.push(u as u32);
        for (cap, head) in [(c, v as u32), (0.0, u as u32)] {
            self.slot_of.push(self.slots.len() as u32);
            self.slots.push(Slot {
                cap,
                head,
                rev: u32::MAX,
            });
        }
        self.initial.push(c);
        self.first.clear();
        i
    }

    /// Raises arc `arc`'s capacity to `c` (not below its present one), keeping its flow.
    /// Saturates: raising an unlimited arc to unlimited again leaves it unlimited (the
    /// difference ∞ − ∞ would make its residual capacity NaN, which no search crosses).
    pub(crate) fn raise(&mut self, arc: usize, c: f64) {
        let initial = &mut self.initial[arc / 2];
        debug_assert!(c >= *initial);
        if c == *initial {
            return;
        }
        let cap = &mut self.slots[self.slot_of[arc] as usize].cap;
        if c == f64::INFINITY {
            *cap = f64::INFINITY;
        } else {
            *cap += c - *initial;
        }
        *initial = c;
    }

    /// Arc `arc`'s capacity (as given or raised).
    pub(crate) fn capacity(&self, arc: usize) -> f64 {
        self.initial[arc / 2]
    }

    pub(crate) fn flow_on(&self, arc: usize) -> f64 {
        self.slots[self.slot_of[arc ^ 1] as usize].cap
    }

    /// Copies the present flow (and raised capacities) into `into`.
    pub(crate) fn save(&mut self, into: &mut SavedFlow) {
        self.build_slots();
        into.slots.clear();
        into.slots.extend_from_slice(&self.slots);
        into.initial.clear();
        into.initial.extend_from_slice(&self.initial);
        into.network = self.network;
        into.nodes = self.nodes;
        into.arcs = self.arc_count();
    }

    /// Returns to the flow of `from` ([`MaxFlow::save`]d from this network with no arc or
    /// node added since: the slots are copied as they lie, so a flow saved from another
    /// network of the same size would be taken silently — checked by its id, two integer
    /// comparisons per restore).
    pub(crate) fn restore(&mut self, from: &SavedFlow) {
        assert_eq!(
            from.network, self.network,
            "a flow saved from another network"
        );
        assert_eq!(
            (from.nodes, from.arcs),
            (self.nodes, self.arc_count()),
            "nodes or arcs added since the flow was saved"
        );
        assert_eq!(
            from.slots.len(),
            self.slots.len(),
            "no arc added since saved"
        );
        self.slots.copy_from_slice(&from.slots);
        self.initial.copy_from_slice(&from.initial);
    }

    /// Lays the arcs out in slots grouped by tail, each node's in the order they were added
    /// (so the flow found does not depend on the layout).
    fn build_slots(&mut self) {
        if self.first.len() == self.nodes + 1 {
            return;
        }
        let arcs = self.head.len();
        let mut first = vec![0u32; self.nodes + 1];
        for e in 0..arcs {
            first[self.head[e ^ 1] as usize + 1] += 1;
        }
        for u in 0..self.nodes {
            first[u + 1] += first[u];
        }
        let mut fill = first.clone();
        let mut slot_of = vec![0u32; arcs];
        for (e, slot) in slot_of.iter_mut().enumerate() {
            let u = self.head[e ^ 1] as usize;
            *slot = fill[u];
            fill[u] += 1;
        }
        let mut slots = vec![
            Slot {
                cap: 0.0,
                head: 0,
                rev: 0
            };
            arcs
        ];
        for e in 0..arcs {
            slots[slot_of[e] as usize] = Slot {
                cap: self.slots[self.slot_of[e] as usize].cap,
                head: self.head[e],
                rev: slot_of[e ^ 1],
            };
        }
        self.first = first;
        self.slot_of = slot_of;
        self.slots = slots;
    }

    /// After [`MaxFlow::run`]: the nodes still reachable from `s` in the residual network —
    /// the source side of a minimum cut.
    pub(crate) fn source_side(&mut self, s: usize) -> Vec<bool> {
        self.build_slots();
        let mut seen = vec![false; self.nodes];
        seen[s] = true;
        let mut stack = vec![s];
        while let Some(u) = stack.pop() {
            for a in &self.slots[self.first[u] as usize..self.first[u + 1] as usize] {
                let v = a.head as usize;
                if a.cap > RESIDUAL_TINY && !seen[v] {
                    seen[v] = true;
                    stack.push(v);
                }
            }
        }
        seen
    }

    /// Dinic's levels: breadth-first distances from `s` over arcs with residual capacity, into
    /// `level` (all `u32::MAX` on entry); with `stop_at_sink`, nodes beyond the sink's level
    /// are not explored. Whether `t` was reached. `queue` is scratch.
    fn levels(
        &self,
        s: usize,
        t: usize,
        level: &mut [u32],
        queue: &mut Vec<u32>,
        stop_at_sink: bool,
    ) -> bool {
        level[s] = 0;
        queue.clear();
        queue.push(s as u32);
        let mut next = 0;
        while next < queue.len() {
            let u = queue[next] as usize;
            next += 1;
            let lu = level[u];
            if stop_at_sink && level[t] != u32::MAX && lu >= level[t] {
                break;
            }
            for a in &self.slots[self.first[u] as usize..self.first[u + 1] as usize] {
                let v = a.head as usize;
                if a.cap > RESIDUAL_TINY && level[v] == u32::MAX {
                    level[v] = lu + 1;
                    queue.push(v as u32);
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
        self.build_slots();
        let mut total = 0.0;
        let mut level = vec![u32::MAX; self.nodes];
        let mut next = vec![0u32; self.nodes];
        let mut path: Vec<u32> = Vec::new();
        let mut queue: Vec<u32> = Vec::new();
        loop {
            level.iter_mut().for_each(|x| *x = u32::MAX);
            if !self.levels(s, t, &mut level, &mut queue, stop_at_sink) {
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
        next: &mut [u32],
        path: &mut Vec<u32>,
    ) -> f64 {
        let slots = &mut self.slots[..];
        let first = &self.first[..];
        let mut pushed = 0.0;
        path.clear();
        let mut u = s;
        loop {
            if u == t {
                let got = path
                    .iter()
                    .map(|&e| slots[e as usize].cap)
                    .fold(f64::INFINITY, f64::min);
                for &e in path.iter() {
                    let a = &mut slots[e as usize];
                    a.cap -= got;
                    let r = a.rev as usize;
                    slots[r].cap += got;
                }
                pushed += got;
                // Back to the tail of the first arc now full; search on from there.
                let full = path
                    .iter()
                    .position(|&e| slots[e as usize].cap <= RESIDUAL_TINY)
                    .unwrap_or(0);
                path.truncate(full);
                u = path.last().map_or(s, |&e| slots[e as usize].head as usize);
                continue;
            }
            let end = first[u + 1];
            let want = level[u].wrapping_add(1);
            let mut at = next[u];
            while at < end {
                let a = slots[at as usize];
                if a.cap > RESIDUAL_TINY && level[a.head as usize] == want {
                    break;
                }
                at += 1;
            }
            next[u] = at;
            if at < end {
                path.push(at);
                u = slots[at as usize].head as usize;
                continue;
            }
            // A dead end: out of the level graph, and the arc into it skipped.
            level[u] = u32::MAX;
            match path.pop() {
                None => return pushed,
                Some(e) => {
                    u = slots[slots[e as usize].rev as usize].head as usize;
                    next[u] += 1;
                }
            }
        }
    }
}

#[cfg(test)]
#[path = "maxflow_reference.rs"]
mod reference;

#[cfg(test)]
mod tests {
    use super::reference::MaxFlow as Reference;
    use super::{MaxFlow, SavedFlow};

    /// A small random generator (xorshift), so the cases are the same every run.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
        /// A capacity: often integral and tied, sometimes fractional, sometimes unlimited.
        fn cap(&mut self) -> f64 {
            match self.below(10) {
                0 => f64::INFINITY,
                1 => 0.0,
                2..=4 => (self.below(1000) as f64) / 7.0,
                _ => (1 + self.below(5)) as f64,
            }
        }
    }

    /// Both layouts on one random network, arcs added in the same order; `late` arcs and nodes
    /// are added after a first run (the layout is rebuilt), some arcs raised between runs.
    fn same_flows(seed: u64, nodes: usize, arcs: usize, blocking: bool) {
        let mut rng = Rng(seed);
        let (mut new, mut old) = (MaxFlow::new(nodes), Reference::new(nodes));
        let mut ids = Vec::new();
        let mut n = nodes;
        let add = |rng: &mut Rng, new: &mut MaxFlow, old: &mut Reference, n: usize| {
            let (u, v) = (rng.below(n), rng.below(n));
            let c = rng.cap();
            let (a, b) = (new.add(u, v, c), old.add(u, v, c));
            assert_eq!(a, b);
            a
        };
        for _ in 0..arcs {
            ids.push(add(&mut rng, &mut new, &mut old, n));
        }
        let (s, t) = (0, nodes - 1);
        for round in 0..4 {
            let (a, b) = if blocking {
                (new.run_blocking(s, t), old.run_blocking(s, t))
            } else {
                (new.run(s, t), old.run(s, t))
            };
            assert_eq!(a.to_bits(), b.to_bits(), "seed {seed} round {round}: value");
            for &e in &ids {
                assert_eq!(
                    new.flow_on(e).to_bits(),
                    old.flow_on(e).to_bits(),
                    "seed {seed} round {round}: flow on arc {e}"
                );
            }
            assert_eq!(new.source_side(s), old.source_side(s), "seed {seed}");
            // Raise some arcs (by a finite amount or to unlimited) and add a few.
            for &e in &ids {
                let given = old.initial_of(e);
                if given.is_finite() && rng.below(4) == 0 {
                    let c = given + rng.cap();
                    new.raise(e, c);
                    old.raise(e, c);
                }
            }
            if round == 1 {
                assert_eq!(new.add_node(), old.add_node());
                n += 1;
                for _ in 0..arcs / 4 {
                    ids.push(add(&mut rng, &mut new, &mut old, n));
                }
            }
        }
    }

    #[test]
    fn same_flow_bit_for_bit_as_the_former_layout() {
        for seed in 1..400u64 {
            let nodes = 2 + (seed as usize % 30);
            let arcs = nodes * (1 + seed as usize % 5);
            same_flows(seed * 7919, nodes, arcs, seed % 2 == 0);
        }
        // A few larger ones.
        for seed in 400..410u64 {
            same_flows(seed * 104_729, 400, 2_000, seed % 2 == 0);
        }
    }

    /// Raising an unlimited arc to unlimited again keeps it unlimited (not NaN): hand count,
    /// s → m unlimited (raised from 1 to ∞ twice), m → t 5: the flow is 5.
    #[test]
    fn raising_to_unlimited_twice_saturates() {
        let mut f = MaxFlow::new(3);
        let a = f.add(0, 1, 1.0);
        f.add(1, 2, 5.0);
        assert_eq!(f.run(0, 2), 1.0);
        f.raise(a, f64::INFINITY);
        f.raise(a, f64::INFINITY);
        assert_eq!(f.run(0, 2), 4.0);
        assert_eq!(f.flow_on(a), 5.0);
        // Raised twice before any run, too.
        let mut g = MaxFlow::new(3);
        let b = g.add(0, 1, 0.0);
        g.add(1, 2, 7.0);
        g.raise(b, f64::INFINITY);
        g.raise(b, f64::INFINITY);
        assert_eq!(g.run(0, 2), 7.0);
    }

    /// A flow saved from one network is not restored into another of the same size.
    #[test]
    #[should_panic(expected = "a flow saved from another network")]
    fn restore_refuses_a_flow_saved_from_another_network() {
        let build = || {
            let mut f = MaxFlow::new(3);
            f.add(0, 1, 2.0);
            f.add(1, 2, 3.0);
            f
        };
        let (mut one, mut other) = (build(), build());
        one.run(0, 2);
        let mut saved = SavedFlow::default();
        one.save(&mut saved);
        other.run(0, 2);
        other.restore(&saved);
    }

    /// Save, run on, restore: the flow is the saved one, and runs from it go as they went.
    #[test]
    fn restore_returns_to_the_saved_flow() {
        for seed in 1..100u64 {
            let mut rng = Rng(seed * 31 + 5);
            let nodes = 3 + rng.below(20);
            let mut f = MaxFlow::new(nodes);
            let ids: Vec<usize> = (0..nodes * 3)
                .map(|_| {
                    let (u, v, c) = (rng.below(nodes), rng.below(nodes), rng.cap());
                    f.add(u, v, c)
                })
                .collect();
            let t = nodes - 1;
            f.run_blocking(0, t);
            let mut saved = SavedFlow::default();
            f.save(&mut saved);
            let before: Vec<u64> = ids.iter().map(|&e| f.flow_on(e).to_bits()).collect();
            for &e in &ids {
                f.raise(e, f64::INFINITY);
            }
            f.run_blocking(0, t);
            f.restore(&saved);
            let after: Vec<u64> = ids.iter().map(|&e| f.flow_on(e).to_bits()).collect();
            assert_eq!(before, after, "seed {seed}");
            // Nothing more to push at the restored capacities.
            assert_eq!(f.run_blocking(0, t), 0.0, "seed {seed}");
        }
    }
}
