//! Where people start when the valid road cut binds: the road bound ([`super::road_bound`])
//! lets each cell's people start from any node within [`super::MAX_START_M`], and counts a cell
//! behind the cut only if every node it may start from lies inside. A cell with a node beyond
//! the bottleneck is not counted — so a plan that starts all of its people on the near side
//! pushes through the bottleneck people the bound never put there. This places each cell's
//! people as the cut's relaxed schedule does: the people the cut does not count start from a
//! node of theirs outside it (the one nearest in time to a reception), and the counted people
//! are split over the cut's roads by the relaxed schedule's assignment, each share starting
//! from its node inside the cut that reaches its road first and forbidden the cut's other
//! roads. Only nodes the caller lists as usable are picked (the plan's own network closes some).

use super::road_bound::RoadBound;
use corridor_routing::{Graph, OneToAll, Seed};

/// People of one cell (an entry of the people the cut was computed for) starting at `node`,
/// not allowed to use the resources in `forbidden` (the cut's roads other than theirs).
#[derive(Debug, Clone, PartialEq)]
pub struct CutShare {
    /// Index of the cell among the people given to the road bound.
    pub cell: usize,
    pub node: u32,
    pub people: f64,
    pub forbidden: Vec<u32>,
}

/// The network the starts are picked on: the plan's own (its travel times close what the plan
/// may not use).
pub struct StartNetwork<'a> {
    pub graph: &'a Graph,
    /// Per arc, seconds; `INFINITY` = closed.
    pub travel_s: &'a [f64],
    /// Per arc: its capacity resource (`INVALID` = unlimited).
    pub resource: &'a [u32],
    pub sinks: &'a [u32],
}

/// Per cell (`people[k]`, `usable[k]`: its people and the nodes it may start from in the plan's
/// network, the first its fallback), the shares of [`cut_shares`]. A cell without usable nodes
/// gets none (the caller keeps it where it was).
pub fn cut_shares(
    net: &StartNetwork,
    cut: &RoadBound,
    people: &[f64],
    usable: &[Vec<u32>],
) -> Vec<CutShare> {
    let onward = to_sinks(net);
    let reach = reach_by_road(net, cut, &onward);
    let mut assigned: Vec<Option<&Vec<f64>>> = vec![None; people.len()];
    for (k, row) in &cut.assignment {
        if *k < assigned.len() {
            assigned[*k] = Some(row);
        }
    }
    let mut out = Vec::new();
    for (k, nodes) in usable.iter().enumerate() {
        if nodes.is_empty() || people[k] <= 0.0 {
            continue;
        }
        let nearest_out = |pick: &dyn Fn(u32) -> bool| {
            nodes
                .iter()
                .copied()
                .filter(|&v| pick(v) && onward[v as usize].is_finite())
                .min_by(|&a, &b| onward[a as usize].total_cmp(&onward[b as usize]))
        };
        let free = |node: u32, people: f64| CutShare {
            cell: k,
            node,
            people,
            forbidden: Vec::new(),
        };
        let Some(row) = assigned[k] else {
            // Not counted: beyond the cut if it can, else wherever it leaves fastest.
            let node = nearest_out(&|v| !cut.inside[v as usize])
                .or_else(|| nearest_out(&|_| true))
                .unwrap_or(nodes[0]);
            out.push(free(node, people[k]));
            continue;
        };
        let total: f64 = row.iter().sum();
        if total <= 0.0 {
            out.push(free(nodes[0], people[k]));
            continue;
        }
        for (j, &q) in row.iter().enumerate().filter(|x| *x.1 > 1e-9) {
            let share = people[k] * q / total;
            let first = nodes
                .iter()
                .copied()
                .filter(|&v| cut.inside[v as usize] && reach[j][v as usize].is_finite())
                .min_by(|&a, &b| {
                    reach[j][a as usize]
                        .total_cmp(&reach[j][b as usize])
                        .then(a.cmp(&b))
                });
            match first {
                Some(node) => out.push(CutShare {
                    cell: k,
                    node,
                    people: share,
                    forbidden: cut
                        .cut_resources
                        .iter()
                        .enumerate()
                        .filter(|&(i, _)| i != j)
                        .map(|(_, &r)| r)
                        .collect(),
                }),
                // Its road cannot be reached from its usable nodes in this network.
                None => out.push(free(nodes[0], share)),
            }
        }
    }
    out
}

/// Per node: the shortest time to any sink on the network.
fn to_sinks(net: &StartNetwork) -> Vec<f64> {
    let g = net.graph;
    let mut q = OneToAll::new(g);
    let seeds: Vec<Seed> = net
        .sinks
        .iter()
        .map(|&v| Seed { node: v, cost: 0.0 })
        .collect();
    q.run(g, net.travel_s, &seeds, f64::INFINITY, true);
    (0..g.node_count() as u32).map(|v| q.cost(v)).collect()
}

/// Per cut resource and node: the shortest time inside the cut to the tail of one of the
/// resource's arcs leaving it towards a reception (`INFINITY` if none, or the node is
/// outside).
fn reach_by_road(net: &StartNetwork, cut: &RoadBound, onward: &[f64]) -> Vec<Vec<f64>> {
    let g = net.graph;
    let inside = &cut.inside;
    let within: Vec<f64> = (0..g.arc_count() as u32)
        .map(|a| {
            if inside[g.arc_tail(a) as usize] && inside[g.arc_head(a) as usize] {
                net.travel_s[a as usize]
            } else {
                f64::INFINITY
            }
        })
        .collect();
    let mut q = OneToAll::new(g);
    cut.cut_resources
        .iter()
        .map(|&r| {
            let seeds: Vec<Seed> = (0..g.arc_count() as u32)
                .filter(|&a| {
                    net.resource[a as usize] == r
                        && net.travel_s[a as usize].is_finite()
                        && inside[g.arc_tail(a) as usize]
                        && !inside[g.arc_head(a) as usize]
                        && onward[g.arc_head(a) as usize].is_finite()
                })
                .map(|a| Seed {
                    node: g.arc_tail(a),
                    cost: 0.0,
                })
                .collect();
            q.run(g, &within, &seeds, f64::INFINITY, true);
            (0..g.node_count() as u32)
                .map(|v| {
                    if inside[v as usize] {
                        q.cost(v)
                    } else {
                        f64::INFINITY
                    }
                })
                .collect()
        })
        .collect()
}
