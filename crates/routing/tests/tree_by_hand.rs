//! `shortest_path_tree` on hand-built cases whose parents are worked out by hand from the
//! module's rule (a seed at its own cost is a root; else the tight arc of positive weight with
//! the smallest id; zero-weight plateaus by breadth-first search from nodes already in the
//! tree): a zero-weight cycle, a seed not at cost 0, a seed reached more cheaply than its own
//! cost, an unreachable node, and the same graph read backwards.

use corridor_routing::{shortest_path_tree, Graph, INVALID, NO_UNITS};

/// Arcs in id order (tail, head, weight): `Graph::from_arcs` of arcs sorted by tail keeps ids.
const ARCS: [(u32, u32, u64); 7] = [
    (0, 1, 2), // 0: seed 0 (cost 5) into the zero cycle
    (1, 2, 0), // 1: zero cycle 1 → 2 → 3 → 1
    (2, 3, 0), // 2
    (3, 1, 0), // 3
    (3, 5, 1), // 4: from the cycle to node 5
    (4, 0, 9), // 5: from node 4, which nothing reaches
    (6, 5, 1), // 6: seed 6 (cost 7) to node 5, tying with arc 4
];

fn graph() -> (Graph, Vec<u64>) {
    let pairs: Vec<(u32, u32)> = ARCS.iter().map(|a| (a.0, a.1)).collect();
    let (g, ids) = Graph::from_arcs(7, &pairs);
    assert_eq!(ids, (0..7).collect::<Vec<u32>>(), "arc ids follow the list");
    (g, ARCS.iter().map(|a| a.2).collect())
}

#[test]
fn zero_cycles_and_seeds_at_cost_get_the_hand_made_tree() {
    let (g, units) = graph();
    // Seeds: 0 at 5, 3 at 7 (its distance: 5 + 2 + 0 + 0 = 7, so it is a root), 5 at 100
    // (reached at 8 by arcs 4 and 6 alike: not a root), 6 at 7.
    let seeds = [(0, 5), (3, 7), (5, 100), (6, 7)];
    // Distances by hand: 0:5, 1:7, 2:7, 3:7, 4 unreached, 5: min(7+1, 7+1, 100) = 8, 6:7.
    let dist = [5, 7, 7, 7, NO_UNITS, 8, 7];
    let parent = shortest_path_tree(&g, &units, &dist, &seeds, false);
    // 0, 3 and 6 are roots; 1 has the positive tight arc 0 (5 + 2 = 7) — arc 3 (3 → 1, zero)
    // is tight too but zero arcs only fill plateaus; 2 is on the plateau, reached first from 1
    // by arc 1; 5: tight arcs 4 and 6, the smaller id is 4; 4 is unreached.
    assert_eq!(parent, vec![INVALID, 0, 1, INVALID, INVALID, 4, INVALID]);
}

#[test]
fn the_reverse_tree_points_towards_the_seeds() {
    let (g, units) = graph();
    // Distances *to* seed 5 (cost 0), by hand: 3:1, 6:1, 1:1 (1 → 2 → 3 free), 2:1, 0:3,
    // 4:12, 5:0.
    let dist = [3, 1, 1, 1, 12, 0, 1];
    let parent = shortest_path_tree(&g, &units, &dist, &[(5, 0)], true);
    // Positive tight arcs leaving each node: 0 → arc 0 (2 + 1 = 3); 3 → arc 4; 6 → arc 6;
    // 4 → arc 5 (9 + 3). Nodes 1 and 2 only by zero arcs: the breadth-first pass from the
    // tree in node order reaches 2 from 3 (arc 2), then 1 from 2 (arc 1).
    assert_eq!(parent, vec![0, 1, 2, 4, 5, INVALID, 6]);
    // Every parent chain ends at the seed and adds up to the distance.
    for v in 0..7u32 {
        let (mut x, mut sum) = (v, 0);
        while parent[x as usize] != INVALID {
            sum += units[parent[x as usize] as usize];
            x = g.arc_head(parent[x as usize]);
        }
        assert_eq!((x, sum), (5, dist[v as usize]), "node {v}");
    }
}
