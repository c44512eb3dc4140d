//! Capacity-constrained route planning (CCRP, Lu, George & Shekhar 2005) and the exact optimum
//! by maximum flow over a time-expanded network, on a plain graph.
//!
//! Time is continuous; capacity is counted per time bucket of `bucket_s` seconds: a resource
//! (a road, a checkpoint) lets at most `cap` people *enter* during each bucket. CCRP repeatedly
//! finds the path that reaches any exit earliest given the capacity already reserved (waiting at
//! nodes allowed), reserves as many people on it as its tightest bucket or its source allows,
//! and repeats until nobody is left. It never exceeds a capacity; it is not always optimal,
//! which is why the evacuation report states its gap to a lower bound.

use corridor_routing::{Graph, INVALID};
use std::collections::BinaryHeap;

/// A network for CCRP: per arc a travel time (`INFINITY` = unusable) and a shared capacity
/// resource (`INVALID` = unlimited), per resource a capacity per bucket and opening hours.
pub struct FlowNetwork<'a> {
    pub graph: &'a Graph,
    pub travel_s: Vec<f64>,
    pub resource: Vec<u32>,
    /// People per bucket, per resource.
    pub capacity: Vec<f64>,
    /// Per resource: whether it is open in bucket `b` (opening hours); `None` = always.
    pub open: Vec<Option<Vec<(f64, f64)>>>,
    pub bucket_s: f64,
    /// Buckets to look ahead for free capacity before giving up on an arc.
    pub horizon_buckets: u32,
}

/// One group of people sent along one path.
#[derive(Debug, Clone, PartialEq)]
pub struct Reservation {
    /// Index into the sources.
    pub source: usize,
    /// The exit (sink node) reached.
    pub sink: u32,
    pub arcs: Vec<u32>,
    /// When the group enters each arc (seconds from the start).
    pub enter_s: Vec<f64>,
    /// When the group starts moving (leaves its source).
    pub depart_s: f64,
    /// When the first of the group reaches the exit.
    pub arrive_s: f64,
    /// When the last of the group reaches it: the group passes its tightest resource at that
    /// resource's rate.
    pub last_arrive_s: f64,
    pub people: f64,
    /// Seconds spent waiting for capacity on the way.
    pub waited_s: f64,
}

/// The result of CCRP.
#[derive(Debug, Clone, Default)]
pub struct CcrpPlan {
    pub reservations: Vec<Reservation>,
    /// People who could not be routed within the horizon, per source.
    pub stranded: Vec<f64>,
    /// Capacity used per (resource, bucket).
    pub used: Vec<Vec<f64>>,
}

impl CcrpPlan {
    pub fn egress_s(&self) -> f64 {
        self.reservations
            .iter()
            .map(|r| r.last_arrive_s)
            .fold(0.0, f64::max)
    }
}

const EPS: f64 = 1e-9;

#[derive(PartialEq)]
struct Item(f64, u32);
impl Eq for Item {}
impl Ord for Item {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        o.0.total_cmp(&self.0).then(o.1.cmp(&self.1))
    }
}
impl PartialOrd for Item {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}

impl FlowNetwork<'_> {
    fn is_open(&self, r: usize, b: u32) -> bool {
        match &self.open[r] {
            None => true,
            Some(windows) => {
                let t = b as f64 * self.bucket_s;
                windows.iter().any(|&(a, z)| t >= a && t < z)
            }
        }
    }

    fn free(&self, used: &[Vec<f64>], r: usize, b: u32) -> f64 {
        if !self.is_open(r, b) {
            return 0.0;
        }
        self.capacity[r] - used[r].get(b as usize).copied().unwrap_or(0.0)
    }

    /// Earliest time ≥ `t` at which arc `a` can be entered, and the bucket used.
    fn earliest_entry(&self, used: &[Vec<f64>], a: usize, t: f64) -> Option<(f64, u32)> {
        let r = self.resource[a];
        let b0 = (t / self.bucket_s).floor() as u32;
        if r == INVALID {
            return Some((t, b0));
        }
        (b0..b0 + self.horizon_buckets)
            .find(|&b| self.free(used, r as usize, b) > EPS)
            .map(|b| (t.max(b as f64 * self.bucket_s), b))
    }
}

/// Plans the evacuation of `sources` (node, people) to any of `sinks`. `allowed_sinks[i]`, if
/// given, limits source i to those sinks (e.g. corridors whose routes are not under fire).
pub fn ccrp(
    net: &FlowNetwork,
    sources: &[(u32, f64)],
    sinks: &[u32],
    allowed_sinks: Option<&[Vec<u32>]>,
) -> CcrpPlan {
    let g = net.graph;
    let n = g.node_count();
    let mut used: Vec<Vec<f64>> = vec![Vec::new(); net.capacity.len()];
    let mut remaining: Vec<f64> = sources.iter().map(|s| s.1).collect();
    let mut stranded = vec![0.0; sources.len()];
    let mut reservations = Vec::new();
    // Sources grouped by their allowed sink set: one search per group and round.
    let mut groups: Vec<(Vec<u32>, Vec<usize>)> = Vec::new();
    for i in 0..sources.len() {
        let set = allowed_sinks.map_or_else(|| sinks.to_vec(), |a| a[i].clone());
        match groups.iter_mut().find(|g| g.0 == set) {
            Some(gr) => gr.1.push(i),
            None => groups.push((set, vec![i])),
        }
    }
    let mut arrival = vec![f64::INFINITY; n];
    let mut parent: Vec<(u32, f64, u32)> = vec![(INVALID, 0.0, 0); n]; // arc, entry time, bucket
    let mut origin = vec![usize::MAX; n];
    let mut touched: Vec<u32> = Vec::new();
    let mut is_sink = vec![false; n];
    loop {
        // (arrival, sink, path as (arc, entry time, bucket), source)
        type Found = (f64, u32, Vec<(u32, f64, u32)>, usize);
        let mut best: Option<Found> = None;
        for (set, members) in &groups {
            if members.iter().all(|&i| remaining[i] <= EPS) {
                continue;
            }
            for &v in &touched {
                arrival[v as usize] = f64::INFINITY;
                origin[v as usize] = usize::MAX;
            }
            touched.clear();
            for &s in set {
                is_sink[s as usize] = true;
            }
            let mut heap = BinaryHeap::new();
            for &i in members {
                if remaining[i] > EPS {
                    let v = sources[i].0;
                    if arrival[v as usize] > 0.0 {
                        arrival[v as usize] = 0.0;
                        parent[v as usize] = (INVALID, 0.0, 0);
                        origin[v as usize] = i;
                        touched.push(v);
                        heap.push(Item(0.0, v));
                    }
                }
            }
            let mut reached = None;
            while let Some(Item(t, u)) = heap.pop() {
                if t > arrival[u as usize] {
                    continue;
                }
                if is_sink[u as usize] {
                    reached = Some((t, u));
                    break;
                }
                for a in g.out_arcs(u) {
                    let tau = net.travel_s[a as usize];
                    if !tau.is_finite() {
                        continue;
                    }
                    let Some((enter, b)) = net.earliest_entry(&used, a as usize, t) else {
                        continue;
                    };
                    let h = g.arc_head(a);
                    let at = enter + tau;
                    if at < arrival[h as usize] {
                        if arrival[h as usize].is_infinite() {
                            touched.push(h);
                        }
                        arrival[h as usize] = at;
                        parent[h as usize] = (a, enter, b);
                        origin[h as usize] = origin[u as usize];
                        heap.push(Item(at, h));
                    }
                }
            }
            for &s in set {
                is_sink[s as usize] = false;
            }
            if let Some((t, sink)) = reached {
                if best.as_ref().is_none_or(|b| t < b.0) {
                    let mut path = Vec::new();
                    let mut v = sink;
                    while parent[v as usize].0 != INVALID {
                        let p = parent[v as usize];
                        path.push(p);
                        v = g.arc_tail(p.0);
                    }
                    path.reverse();
                    best = Some((t, sink, path, origin[sink as usize]));
                }
            } else {
                for &i in members {
                    stranded[i] += remaining[i];
                    remaining[i] = 0.0;
                }
            }
        }
        let Some((arrive, sink, path, src)) = best else {
            break;
        };
        // As many people as the tightest bucket on the path (counting a resource used twice
        // in one bucket twice) and the source allow.
        let mut need: Vec<(u32, u32, f64)> = Vec::new();
        for &(a, _, b) in &path {
            let r = net.resource[a as usize];
            if r == INVALID {
                continue;
            }
            match need.iter_mut().find(|x| x.0 == r && x.1 == b) {
                Some(x) => x.2 += 1.0,
                None => need.push((r, b, 1.0)),
            }
        }
        let mut amount = remaining[src];
        let mut rate = f64::INFINITY;
        for &(r, b, k) in &need {
            amount = amount.min(net.free(&used, r as usize, b) / k);
            rate = rate.min(net.capacity[r as usize] / net.bucket_s);
        }
        if amount <= EPS {
            // Cannot happen: the search only uses buckets with free capacity.
            break;
        }
        // Leave as late as possible without arriving later: move waiting from the road (a
        // queue at a checkpoint) back to the origin wherever the later buckets have room.
        let mut path = path;
        for i in (0..path.len().saturating_sub(1)).rev() {
            let (a, enter, _) = path[i];
            let target = path[i + 1].1 - net.travel_s[a as usize];
            if target <= enter + EPS {
                continue;
            }
            let r = net.resource[a as usize];
            let b = (target / net.bucket_s).floor() as u32;
            let fits = r == INVALID || {
                let already: f64 = need
                    .iter()
                    .filter(|x| x.0 == r && x.1 == b)
                    .map(|x| x.2 * amount)
                    .sum();
                net.free(&used, r as usize, b) - already >= amount - EPS
            };
            if fits {
                if r != INVALID {
                    // Move this arc's need from its old bucket to the new one.
                    let old = path[i].2;
                    if let Some(x) = need.iter_mut().find(|x| x.0 == r && x.1 == old) {
                        x.2 -= 1.0;
                    }
                    match need.iter_mut().find(|x| x.0 == r && x.1 == b) {
                        Some(x) => x.2 += 1.0,
                        None => need.push((r, b, 1.0)),
                    }
                }
                path[i] = (a, target, b);
            }
        }
        need.retain(|x| x.2 > 0.5);
        for &(r, b, k) in &need {
            let u = &mut used[r as usize];
            if u.len() <= b as usize {
                u.resize(b as usize + 1, 0.0);
            }
            u[b as usize] += amount * k;
        }
        remaining[src] -= amount;
        let travel: f64 = path.iter().map(|p| net.travel_s[p.0 as usize]).sum();
        let spread = if rate.is_finite() { amount / rate } else { 0.0 };
        reservations.push(Reservation {
            source: src,
            sink,
            arcs: path.iter().map(|p| p.0).collect(),
            enter_s: path.iter().map(|p| p.1).collect(),
            depart_s: path.first().map_or(0.0, |p| p.1),
            arrive_s: arrive,
            last_arrive_s: arrive + spread,
            people: amount,
            waited_s: (arrive - travel - path.first().map_or(0.0, |p| p.1)).max(0.0),
        });
    }
    CcrpPlan {
        reservations,
        stranded,
        used,
    }
}

/// The exact minimum evacuation time, in whole steps, of integer people on a network with
/// integer travel times (steps) and integer per-step arc capacities (`None` = unlimited), by
/// maximum flow over the time-expanded network (Ford & Fulkerson's dynamic flow construction).
/// For small instances only: the expanded network has `nodes × T` nodes.
pub fn time_expanded_optimum(
    g: &Graph,
    travel_steps: &[u32],
    cap_per_step: &[Option<u32>],
    sources: &[(u32, u32)],
    sinks: &[u32],
    max_steps: u32,
) -> Option<u32> {
    let total: u64 = sources.iter().map(|s| s.1 as u64).sum();
    let feasible = |t: u32| -> bool {
        // Node (v, k) for k in 0..=t is v * (t + 1) + k; a super source and sink follow.
        let n = g.node_count();
        let layers = t as usize + 1;
        let count = n * layers;
        let mut arcs: Vec<(u32, u32)> = Vec::new();
        let mut caps: Vec<u32> = Vec::new();
        let id = |v: usize, k: usize| (v * layers + k) as u32;
        const BIG: u32 = u32::MAX / 4;
        for v in 0..n {
            for k in 0..t as usize {
                arcs.push((id(v, k), id(v, k + 1)));
                caps.push(BIG); // waiting
            }
            for a in g.out_arcs(v as u32) {
                let tau = travel_steps[a as usize] as usize;
                let c = cap_per_step[a as usize].unwrap_or(BIG);
                for k in 0..layers.saturating_sub(tau) {
                    arcs.push((id(v, k), id(g.arc_head(a) as usize, k + tau)));
                    caps.push(c);
                }
            }
        }
        let (s, z) = (count as u32, count as u32 + 1);
        for &(v, p) in sources {
            arcs.push((s, id(v as usize, 0)));
            caps.push(p);
        }
        for &v in sinks {
            arcs.push((id(v as usize, t as usize), z));
            caps.push(BIG);
        }
        let (eg, ids) = Graph::from_arcs(count + 2, &arcs);
        let mut c = vec![0u32; arcs.len()];
        for (i, &x) in ids.iter().enumerate() {
            c[x as usize] = caps[i];
        }
        corridor_routing::min_cut(&eg, &c, &[s], &[z]).value >= total
    };
    if total == 0 {
        return Some(0);
    }
    if !feasible(max_steps) {
        return None;
    }
    let (mut lo, mut hi) = (0u32, max_steps);
    while lo < hi {
        let mid = (lo + hi) / 2;
        if feasible(mid) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    Some(lo)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two sources, one exit; a bridge 2 -> 3 in the middle, the only capacitated resource (0).
    fn bridge() -> (Graph, Vec<(u32, u32)>, Vec<u32>) {
        let arcs = vec![(0, 2), (1, 2), (2, 3), (3, 4)];
        let g = Graph::from_arcs(5, &arcs).0;
        let resource = (0..g.arc_count() as u32)
            .map(|a| {
                if (g.arc_tail(a), g.arc_head(a)) == (2, 3) {
                    0
                } else {
                    INVALID
                }
            })
            .collect();
        (g, arcs, resource)
    }

    #[test]
    fn ccrp_respects_the_bridge_capacity_and_matches_the_optimum() {
        // Travel 1 step on every arc; the bridge admits 2 people per step.
        let (g, arcs, resource) = bridge();
        let net = FlowNetwork {
            graph: &g,
            travel_s: vec![1.0; arcs.len()],
            resource: resource.clone(),
            capacity: vec![2.0],
            open: vec![None],
            bucket_s: 1.0,
            horizon_buckets: 1000,
        };
        let plan = ccrp(&net, &[(0, 5.0), (1, 3.0)], &[4], None);
        let people: f64 = plan.reservations.iter().map(|r| r.people).sum();
        assert!((people - 8.0).abs() < 1e-9);
        // 8 people through 2 per step: entries at steps 1..=4, arrivals (first of group) at 3..=6.
        let last_first = plan
            .reservations
            .iter()
            .map(|r| r.arrive_s)
            .fold(0.0, f64::max);
        assert_eq!(last_first, 6.0);
        // The exact optimum: the last person arrives at step 6.
        let caps: Vec<Option<u32>> = resource
            .iter()
            .map(|&r| (r != INVALID).then_some(2))
            .collect();
        let opt = time_expanded_optimum(&g, &[1; 4], &caps, &[(0, 5), (1, 3)], &[4], 50);
        assert_eq!(opt, Some(6));
        // Replay: no bucket of the bridge carries more than 2.
        for b in &plan.used[0] {
            assert!(*b <= 2.0 + 1e-9);
        }
    }

    #[test]
    fn closed_hours_delay_everyone() {
        let (g, arcs, resource) = bridge();
        let net = FlowNetwork {
            graph: &g,
            travel_s: vec![1.0; arcs.len()],
            resource,
            capacity: vec![10.0],
            open: vec![Some(vec![(5.0, 100.0)])],
            bucket_s: 1.0,
            horizon_buckets: 1000,
        };
        let plan = ccrp(&net, &[(0, 4.0)], &[4], None);
        assert!(plan.reservations.iter().all(|r| r.enter_s[1] >= 5.0));
        assert_eq!(plan.reservations[0].arrive_s, 7.0);
        // They wait at home, not at the closed checkpoint: leave at 4, reach it at 5.
        assert_eq!(plan.reservations[0].depart_s, 4.0);
        assert_eq!(plan.reservations[0].waited_s, 0.0);
    }
}
