//! Shortest paths where whether an arc may be used depends on a small state the traveller
//! carries (a product graph of nodes × states, built lazily): the state after an arc is a
//! function of the arc and the state before it. Labels exist only for the (node, state) pairs
//! the search reaches, so a graph where most nodes are only ever reached in one state costs
//! little more than a plain Dijkstra. This crate knows nothing of what the state means.

use crate::dijkstra::{Route, Seed};
use crate::{Graph, INVALID};
use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

/// A start of a product search: a seed and the state the traveller holds there.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StateSeed {
    pub seed: Seed,
    pub state: u32,
}

/// A label: (node, state).
type Label = (u32, u32);

#[derive(Clone, Copy, PartialEq)]
struct Entry {
    key: f64,
    label: Label,
}
impl Eq for Entry {}
impl Ord for Entry {
    fn cmp(&self, o: &Self) -> Ordering {
        o.key.total_cmp(&self.key).then(o.label.cmp(&self.label))
    }
}
impl PartialOrd for Entry {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

/// The cheapest path from any source to any target where arc `a` may be taken in state `s`
/// only when `step(a, s)` is `Some(next state)`. `target_cost(node, state)` is the cost still
/// to pay to finish at `node` when arriving in `state` (`INFINITY`: not a target, or not in that
/// state). Weights as elsewhere: non-negative, `INFINITY` = unusable. Exact (Dijkstra on the
/// product graph); `None` when no target is reachable.
pub fn product_shortest_path(
    g: &Graph,
    weight: &[f64],
    sources: &[StateSeed],
    step: impl Fn(u32, u32) -> Option<u32>,
    target_cost: impl Fn(u32, u32) -> f64,
) -> Option<Route> {
    // Per label: best cost, parent arc, parent state.
    let mut best: HashMap<Label, (f64, u32, u32)> = HashMap::new();
    let mut settled: HashMap<Label, ()> = HashMap::new();
    let mut heap = BinaryHeap::new();
    for s in sources.iter().filter(|s| s.seed.cost.is_finite()) {
        let label = (s.seed.node, s.state);
        if best.get(&label).is_none_or(|b| s.seed.cost < b.0) {
            best.insert(label, (s.seed.cost, INVALID, u32::MAX));
            heap.push(Entry {
                key: s.seed.cost,
                label,
            });
        }
    }
    let mut found: Option<(f64, Label)> = None;
    while let Some(Entry { key, label }) = heap.pop() {
        if found.is_some_and(|(c, _)| key >= c) {
            break;
        }
        if settled.contains_key(&label) || best.get(&label).is_some_and(|b| key > b.0) {
            continue;
        }
        settled.insert(label, ());
        let (v, state) = label;
        let finish = key + target_cost(v, state);
        if finish.is_finite() && found.is_none_or(|(c, _)| finish < c) {
            found = Some((finish, label));
        }
        for a in g.out_arcs(v) {
            let w = weight[a as usize];
            if !w.is_finite() {
                continue;
            }
            let Some(next) = step(a, state) else {
                continue;
            };
            let to = (g.arc_head(a), next);
            let d = key + w;
            if !settled.contains_key(&to) && best.get(&to).is_none_or(|b| d < b.0) {
                best.insert(to, (d, a, state));
                heap.push(Entry { key: d, label: to });
            }
        }
    }
    let (cost, last) = found?;
    let mut arcs = Vec::new();
    let mut at = last;
    while let Some(&(_, a, prev_state)) = best.get(&at) {
        if a == INVALID {
            break;
        }
        arcs.push(a);
        at = (g.arc_tail(a), prev_state);
    }
    arcs.reverse();
    Some(Route {
        cost,
        first_node: at.0,
        last_node: last.0,
        arcs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A path 0 → 1 → 2 and a detour 0 → 3 → 2; arc 1 → 2 may be taken only in state 0, and
    /// arc 0 → 1 switches to state 1: the search must take the detour though it costs more.
    #[test]
    fn a_state_that_closes_an_arc_forces_the_detour() {
        let (g, ids) = Graph::from_arcs(4, &[(0, 1), (1, 2), (0, 3), (3, 2)]);
        let mut weight = vec![0.0; 4];
        for (k, w) in [1.0, 1.0, 5.0, 5.0].into_iter().enumerate() {
            weight[ids[k] as usize] = w;
        }
        let (a01, a12) = (ids[0], ids[1]);
        let step = |a: u32, s: u32| {
            if a == a01 {
                Some(1)
            } else if a == a12 && s == 1 {
                None
            } else {
                Some(s)
            }
        };
        let src = [StateSeed {
            seed: Seed { node: 0, cost: 0.0 },
            state: 0,
        }];
        let r = product_shortest_path(&g, &weight, &src, step, |v, _| {
            if v == 2 {
                0.0
            } else {
                f64::INFINITY
            }
        })
        .unwrap();
        assert_eq!(r.cost, 10.0);
        assert_eq!(r.arcs, vec![ids[2], ids[3]]);
        // Without the state rule the short path wins.
        let r = product_shortest_path(
            &g,
            &weight,
            &src,
            |_, s| Some(s),
            |v, _| {
                if v == 2 {
                    0.0
                } else {
                    f64::INFINITY
                }
            },
        )
        .unwrap();
        assert_eq!(r.cost, 2.0);
    }
}
