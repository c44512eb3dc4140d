//! One rule's earliest-arrival tree, kept between CCRP's searches and repaired instead of
//! searched again from scratch.
//!
//! Why it is exact: the ledger only ever adds load, so a node's earliest arrival can only get
//! later, and it changes only if the path the tree holds for it enters a (resource, bucket)
//! that has become full since, or starts at a source that has run out of people. Those nodes
//! and their descendants in the tree are *affected*; every other label is still the true
//! earliest arrival (its path still works at the same times and nothing can be earlier). The
//! repair resets the affected nodes, seeds them again from their settled unaffected
//! in-neighbours and continues the time-dependent Dijkstra (FIFO: entering later never leaves
//! earlier) until a sink is the earliest node left — the same arrival a fresh search finds
//! (Ramalingam & Reps' dynamic shortest-path repair, for arc delays that only grow). Only
//! the choice among paths of equal arrival may differ from a fresh search.
//!
//! The search is goal-directed (A*): a node's key is its arrival plus a lower bound of the
//! time left to the nearest sink (free-flow travel times, by one backward Dijkstra per rule),
//! a consistent potential, so the first sink taken is still the earliest. It matters in the
//! common case where a checkpoint binds: everyone waits for its next free bucket, each
//! reservation fills that bucket and affects everything beyond the checkpoint, and without
//! the potential each repair would re-explore the whole area beyond it rather than the
//! corridor towards the reception.

use super::{FlowNetwork, Found, Item, Ledger, Rule, Source, EPS};
use corridor_routing::{OneToAll, Seed, INVALID};
use std::collections::BinaryHeap;

/// Seconds by which float sums along different paths may disagree.
const ROUNDING_S: f64 = 1e-6;

/// How a node was reached: the arc's tail, the arc, when it was entered and in which bucket.
#[derive(Clone, Copy)]
struct Parent {
    tail: u32,
    arc: u32,
    enter: f64,
    bucket: u32,
}

const ROOT: Parent = Parent {
    tail: INVALID,
    arc: INVALID,
    enter: 0.0,
    bucket: 0,
};

/// Arcs per resource (CSR), to find the nodes a full (resource, bucket) affects.
pub(super) struct ArcsOfResource {
    first: Vec<u32>,
    arcs: Vec<u32>,
}

impl ArcsOfResource {
    pub(super) fn new(net: &FlowNetwork) -> ArcsOfResource {
        let mut first = vec![0u32; net.capacity.len() + 1];
        for a in 0..net.resource.len() {
            for r in net.resources_of(a) {
                first[r as usize + 1] += 1;
            }
        }
        for i in 0..net.capacity.len() {
            first[i + 1] += first[i];
        }
        let mut fill = first.clone();
        let mut arcs = vec![0u32; first[net.capacity.len()] as usize];
        for a in 0..net.resource.len() {
            for r in net.resources_of(a) {
                arcs[fill[r as usize] as usize] = a as u32;
                fill[r as usize] += 1;
            }
        }
        ArcsOfResource { first, arcs }
    }

    fn of(&self, r: u32) -> &[u32] {
        &self.arcs[self.first[r as usize] as usize..self.first[r as usize + 1] as usize]
    }
}

/// The persistent search state of one rule (its sources, sinks and forbidden resources).
pub(super) struct Tree {
    arrival: Vec<f64>,
    parent: Vec<Parent>,
    origin: Vec<u32>,
    settled: Vec<bool>,
    affected: Vec<bool>,
    is_sink: Vec<bool>,
    forbidden: Vec<bool>,
    /// Free-flow seconds to the nearest sink (`INFINITY`: none reachable): the A* potential.
    to_sink: Vec<f64>,
    /// Keys are arrival + `to_sink`.
    heap: BinaryHeap<Item>,
    /// How many of the ledger's `filled` entries the labels already reflect.
    seen: usize,
    /// Every (start node, member) of the rule, by node then member order: which sources may
    /// root a node again once the repair has reset it.
    starts: Vec<(u32, u32)>,
    /// Per source: its emptying has been repaired (its roots reset) already.
    emptied: Vec<bool>,
}

impl Tree {
    /// The tree of `rule` on the current ledger: its sources with people left as roots.
    pub(super) fn new(
        net: &FlowNetwork,
        ledger: &Ledger,
        by_resource: &ArcsOfResource,
        rule: &Rule,
        sources: &[Source],
        remaining: &[f64],
    ) -> Tree {
        let n = net.graph.node_count();
        let mut t = Tree {
            arrival: vec![f64::INFINITY; n],
            parent: vec![ROOT; n],
            origin: vec![u32::MAX; n],
            settled: vec![false; n],
            affected: vec![false; n],
            is_sink: vec![false; n],
            forbidden: vec![false; net.capacity.len()],
            to_sink: time_to_sinks(net, by_resource, rule),
            heap: BinaryHeap::new(),
            seen: ledger.filled.len(),
            starts: rule
                .members
                .iter()
                .flat_map(|&i| sources[i].start_nodes().map(move |v| (v, i as u32)))
                .collect(),
            emptied: vec![false; sources.len()],
        };
        // Stable: members keep their order per node, the order `seed_roots` seeds in.
        t.starts.sort_by_key(|x| x.0);
        for &s in &rule.sinks {
            t.is_sink[s as usize] = true;
        }
        for &r in &rule.forbidden {
            t.forbidden[r as usize] = true;
        }
        t.seed_roots(rule, sources, remaining);
        t
    }

    /// The nodes of `reset` that a source with people left may start from become roots at
    /// time 0 again, each of the first such source in the rule's order (as [`Tree::seed_roots`]
    /// seeds them): only reset nodes can have lost a root, so the rest need no scan — with
    /// sources of hundreds of start nodes each, scanning them all per search cost a sixth of
    /// a plan (review of session 12).
    fn reseed(&mut self, reset: &[u32], remaining: &[f64]) {
        for &v in reset {
            let vi = v as usize;
            if self.arrival[vi] <= 0.0 {
                continue;
            }
            let from = self.starts.partition_point(|x| x.0 < v);
            let first = self.starts[from..]
                .iter()
                .take_while(|x| x.0 == v)
                .find(|x| remaining[x.1 as usize] > EPS);
            if let Some(&(_, i)) = first {
                self.arrival[vi] = 0.0;
                self.parent[vi] = ROOT;
                self.origin[vi] = i;
                if self.to_sink[vi].is_finite() {
                    self.heap.push(Item(self.to_sink[vi], v));
                }
            }
        }
    }

    /// Sources with people left whose node has no label yet become roots at time 0.
    fn seed_roots(&mut self, rule: &Rule, sources: &[Source], remaining: &[f64]) {
        for &i in &rule.members {
            for v in sources[i].start_nodes() {
                let v = v as usize;
                if remaining[i] > EPS && self.arrival[v] > 0.0 {
                    self.arrival[v] = 0.0;
                    self.parent[v] = ROOT;
                    self.origin[v] = i as u32;
                    if self.to_sink[v].is_finite() {
                        self.heap.push(Item(self.to_sink[v], v as u32));
                    }
                }
            }
        }
    }

    /// The earliest arrival at any of the rule's sinks given the ledger, and its path.
    pub(super) fn search(
        &mut self,
        net: &FlowNetwork,
        ledger: &mut Ledger,
        by_resource: &ArcsOfResource,
        rule: &Rule,
        sources: &[Source],
        remaining: &[f64],
    ) -> Option<Found> {
        self.repair(net, ledger, by_resource, rule, sources, remaining);
        let (arrive, sink) = self.grow(net, ledger, rule)?;
        let mut path = Vec::new();
        let mut v = sink;
        while self.parent[v as usize].tail != INVALID {
            let p = self.parent[v as usize];
            path.push((p.arc, p.enter, p.bucket));
            v = p.tail;
        }
        path.reverse();
        Some(Found {
            arrive,
            sink,
            path,
            source: self.origin[sink as usize] as usize,
        })
    }

    /// Resets the nodes whose labels the ledger's new full buckets and the emptied sources
    /// invalidate, and seeds them again from their settled neighbours.
    fn repair(
        &mut self,
        net: &FlowNetwork,
        ledger: &mut Ledger,
        by_resource: &ArcsOfResource,
        rule: &Rule,
        sources: &[Source],
        remaining: &[f64],
    ) {
        let g = net.graph;
        let mut stack: Vec<u32> = Vec::new();
        for &(r, b) in &ledger.filled[self.seen..] {
            for &a in by_resource.of(r) {
                let h = g.arc_head(a) as usize;
                let p = self.parent[h];
                if p.arc == a && p.bucket == b && self.arrival[h].is_finite() && !self.affected[h] {
                    self.affected[h] = true;
                    stack.push(h as u32);
                }
            }
        }
        self.seen = ledger.filled.len();
        for &i in &rule.members {
            if remaining[i] > EPS || self.emptied[i] {
                continue;
            }
            self.emptied[i] = true;
            for v in sources[i].start_nodes() {
                let v = v as usize;
                if self.origin[v] == i as u32
                    && self.parent[v].tail == INVALID
                    && self.arrival[v] == 0.0
                    && !self.affected[v]
                {
                    self.affected[v] = true;
                    stack.push(v as u32);
                }
            }
        }
        if stack.is_empty() {
            return;
        }
        // The descendants of the directly affected nodes.
        let mut affected = Vec::new();
        while let Some(v) = stack.pop() {
            affected.push(v);
            for a in g.out_arcs(v) {
                let h = g.arc_head(a) as usize;
                if !self.affected[h] && self.parent[h].arc == a && self.arrival[h].is_finite() {
                    self.affected[h] = true;
                    stack.push(h as u32);
                }
            }
        }
        for &v in &affected {
            let v = v as usize;
            self.arrival[v] = f64::INFINITY;
            self.parent[v] = ROOT;
            self.settled[v] = false;
            self.affected[v] = false;
        }
        self.reseed(&affected, remaining);
        for &v in &affected {
            for (u, a) in g.in_arcs(v) {
                if self.settled[u as usize] && !self.is_sink[u as usize] {
                    self.relax(net, ledger, u, a);
                }
            }
        }
    }

    /// Continues the search until the earliest node left is a sink (or nothing is left).
    fn grow(&mut self, net: &FlowNetwork, ledger: &mut Ledger, rule: &Rule) -> Option<(f64, u32)> {
        let mut best: Option<(f64, u32)> = rule
            .sinks
            .iter()
            .filter(|&&s| self.settled[s as usize])
            .map(|&s| (self.arrival[s as usize], s))
            .min_by(|x, y| x.0.total_cmp(&y.0));
        while let Some(&Item(key, u)) = self.heap.peek() {
            // The slack covers rounding: keys and arrivals are sums taken in different orders.
            if best.is_some_and(|(bt, _)| key > bt + ROUNDING_S) {
                break;
            }
            self.heap.pop();
            let ui = u as usize;
            if self.settled[ui] || key != self.arrival[ui] + self.to_sink[ui] {
                continue;
            }
            self.settled[ui] = true;
            if self.is_sink[ui] {
                if best.is_none_or(|(bt, _)| self.arrival[ui] < bt) {
                    best = Some((self.arrival[ui], u));
                }
                continue;
            }
            for a in net.graph.out_arcs(u) {
                self.relax(net, ledger, u, a);
            }
        }
        best
    }

    /// Offers the head of arc `a` the earliest arrival through it from settled node `u`.
    fn relax(&mut self, net: &FlowNetwork, ledger: &mut Ledger, u: u32, a: u32) {
        let tau = net.travel_s[a as usize];
        let forbidden = net
            .resources_of(a as usize)
            .any(|r| self.forbidden[r as usize]);
        if !tau.is_finite() || forbidden {
            return;
        }
        let h = net.graph.arc_head(a) as usize;
        if self.settled[h] || self.to_sink[h].is_infinite() {
            return;
        }
        let Some((enter, bucket)) =
            ledger.earliest_entry(net, a as usize, self.arrival[u as usize])
        else {
            return;
        };
        let at = enter + tau;
        if at < self.arrival[h] {
            self.arrival[h] = at;
            self.parent[h] = Parent {
                tail: u,
                arc: a,
                enter,
                bucket,
            };
            self.origin[h] = self.origin[u as usize];
            self.heap.push(Item(at + self.to_sink[h], h as u32));
        }
    }
}

/// Free-flow seconds from every node to the nearest of the rule's sinks, on the arcs the rule
/// may use: a lower bound of the time left whatever the ledger holds (waiting only adds).
fn time_to_sinks(net: &FlowNetwork, by_resource: &ArcsOfResource, rule: &Rule) -> Vec<f64> {
    let mut weight = net.travel_s.clone();
    for &r in &rule.forbidden {
        for &a in by_resource.of(r) {
            weight[a as usize] = f64::INFINITY;
        }
    }
    let seeds: Vec<Seed> = rule
        .sinks
        .iter()
        .map(|&s| Seed { node: s, cost: 0.0 })
        .collect();
    let mut search = OneToAll::new(net.graph);
    search.run(net.graph, &weight, &seeds, f64::INFINITY, true);
    (0..net.graph.node_count() as u32)
        .map(|v| search.cost(v))
        .collect()
}
