//! Where the planner starts a cell's people when the valid road cut binds
//! (`evacuate::cut_starts`), against hand-computed finishes: a cell with a node on each side of
//! a narrow road starts beyond it (the road bound allows it, so a plan may), a cell whose far
//! node the plan's network closes stays on the near side, and a cell with no far node is not
//! moved.
//!
//! The network, buckets of 60 s: A (0) → B (1) a narrow road of 1 person per bucket and 60 s;
//! B → R (2, the reception) a wide road of 100 per bucket and 60 s. The planner reports the
//! fluid finish: `n` people through their tightest road of `c` per bucket arrive by the route's
//! travel time plus `n × 60 / c` seconds (`tests/evacuate_road_bound.rs` checks that figure
//! against the time-expanded optimum).

mod common;

use corridor_analysis::ccrp::{ccrp, CcrpPlan, FlowNetwork, Source};
use corridor_analysis::evacuate::cut_starts::{cut_shares, CutShare, StartNetwork};
use corridor_analysis::evacuate::road_bound::{road_bound, RoadNetwork, StartingPeople};
use corridor_routing::Graph;

const A: u32 = 0;
const B: u32 = 1;
const R: u32 = 2;
const BUCKET_S: f64 = 60.0;

struct Hand {
    g: Graph,
    travel: Vec<f64>,
    resource: Vec<u32>,
    capacity: Vec<f64>,
}

/// A → B (resource 0: 1 per bucket), B → R (resource 1: 100 per bucket), 60 s each.
fn narrow_then_wide() -> Hand {
    let arcs = [(A, B, 60.0, 0u32), (B, R, 60.0, 1u32)];
    let (g, travel, resource) = common::graph_of_arcs(3, &arcs);
    Hand {
        g,
        travel,
        resource,
        capacity: vec![1.0, 100.0],
    }
}

/// The shares for cells of `people` that may start from `starts` (the bound's view) and
/// `usable` (the plan's network: nodes it keeps open, the planner's start first).
fn shares(h: &Hand, cells: &[(f64, Vec<u32>)], usable: &[Vec<u32>]) -> Vec<CutShare> {
    let starting: Vec<StartingPeople> = cells
        .iter()
        .map(|(p, s)| StartingPeople {
            starts: s.clone(),
            people: *p,
        })
        .collect();
    let open = vec![None; h.capacity.len()];
    let net = RoadNetwork {
        graph: &h.g,
        travel_s: &h.travel,
        resource: &h.resource,
        second_resource: &[],
        capacity: &h.capacity,
        open: &open,
        bucket_s: BUCKET_S,
        horizon_s: 86400.0,
    };
    let cut = road_bound(&net, &starting, &[R]).expect("a cut binds");
    let people: Vec<f64> = cells.iter().map(|c| c.0).collect();
    cut_shares(
        &StartNetwork {
            graph: &h.g,
            travel_s: &h.travel,
            resource: &h.resource,
            sinks: &[R],
        },
        &cut,
        &people,
        usable,
    )
}

/// CCRP from `from` (node, people, forbidden resources) to R.
fn plan(h: &Hand, from: &[(u32, f64, Vec<u32>)]) -> CcrpPlan {
    let net = FlowNetwork {
        graph: &h.g,
        travel_s: h.travel.clone(),
        resource: h.resource.clone(),
        second_resource: Vec::new(),
        capacity: h.capacity.clone(),
        open: vec![None; h.capacity.len()],
        bucket_s: BUCKET_S,
        horizon_buckets: 10_000,
    };
    let sources: Vec<Source> = from
        .iter()
        .map(|(v, p, f)| Source {
            node: *v,
            people: *p,
            sinks: vec![R],
            forbidden: f.clone(),
            also_from: Vec::new(),
            same_people_as: None,
        })
        .collect();
    ccrp(&net, &sources)
}

/// Everyone given is routed: per source, the people of its reservations add up to its people.
fn assert_conserved(p: &CcrpPlan, from: &[(u32, f64, Vec<u32>)]) {
    for (i, s) in from.iter().enumerate() {
        let moved: f64 = p
            .reservations
            .iter()
            .filter(|r| r.source == i)
            .map(|r| r.people)
            .sum();
        assert!((moved - s.1).abs() < 1e-6, "source {i}: {moved} of {}", s.1);
        assert!(p.stranded[i] < 1e-9);
    }
}

fn as_sources(s: &[CutShare]) -> Vec<(u32, f64, Vec<u32>)> {
    s.iter()
        .map(|x| (x.node, x.people, x.forbidden.clone()))
        .collect()
}

/// Cell X (10 people) has nodes A and B within reach, cell Y (20) only A; the planner's
/// nearest start is A for both. Everyone from A: 30 through the narrow road, 120 + 30 × 60 =
/// 1,920 s. The valid cut {A} counts Y only (X may start beyond it): X starts at B (66 s: 60 +
/// 10 × 60 / 100), Y at A: 120 + 20 × 60 = 1,320 s.
#[test]
fn a_cell_with_a_node_beyond_the_narrow_road_starts_there() {
    let h = narrow_then_wide();
    let old = vec![(A, 30.0, vec![])];
    let p = plan(&h, &old);
    assert_conserved(&p, &old);
    assert_eq!(p.egress_s(), Some(1920.0));
    let s = shares(
        &h,
        &[(10.0, vec![A, B]), (20.0, vec![A])],
        &[vec![A, B], vec![A]],
    );
    let mut got: Vec<(usize, u32, f64)> = s.iter().map(|x| (x.cell, x.node, x.people)).collect();
    got.sort_by(|a, b| a.partial_cmp(b).unwrap());
    assert_eq!(got, vec![(0, B, 10.0), (1, A, 20.0)]);
    assert!(
        s.iter().all(|x| x.forbidden.is_empty()),
        "one road in the cut"
    );
    let new = as_sources(&s);
    let p = plan(&h, &new);
    assert_conserved(&p, &new);
    assert_eq!(p.egress_s(), Some(1320.0));
}

/// The same cells, but the plan's network closes B (the other flow's roads): X is not counted
/// by the cut yet has no usable node beyond it, so it starts at A with Y: 1,920 s as before.
#[test]
fn a_far_node_the_plan_closes_is_not_used() {
    let h = narrow_then_wide();
    let s = shares(
        &h,
        &[(10.0, vec![A, B]), (20.0, vec![A])],
        &[vec![A], vec![A]],
    );
    assert!(s.iter().all(|x| x.node == A), "{s:?}");
    let new = as_sources(&s);
    let p = plan(&h, &new);
    assert_conserved(&p, &new);
    assert_eq!(p.egress_s(), Some(1920.0));
}

/// With two narrow roads out of A (A → R each, 1 and 2 per bucket, 60 s), 30 people of one
/// cell that can start only at A: the relaxed schedule splits them 10 : 20 over the roads
/// (both finish at 60 + 600 s), each share forbidden the other road; the plan finishes at
/// 60 + 10 × 60 = 660 s.
#[test]
fn counted_people_split_over_the_cut_roads() {
    let arcs = [(A, R, 60.0, 0u32), (A, R, 60.0, 1u32)];
    let pairs: Vec<(u32, u32)> = arcs.iter().map(|a| (a.0, a.1)).collect();
    let (g, ids) = Graph::from_arcs(3, &pairs);
    let mut travel = vec![0.0; 2];
    let mut resource = vec![0; 2];
    for (i, a) in arcs.iter().enumerate() {
        travel[ids[i] as usize] = a.2;
        resource[ids[i] as usize] = a.3;
    }
    let h = Hand {
        g,
        travel,
        resource,
        capacity: vec![1.0, 2.0],
    };
    let s = shares(&h, &[(30.0, vec![A])], &[vec![A]]);
    let total: f64 = s.iter().map(|x| x.people).sum();
    assert!((total - 30.0).abs() < 1e-6, "{s:?}");
    for x in &s {
        assert_eq!(x.node, A);
        assert_eq!(x.forbidden.len(), 1, "{s:?}");
        let share = if x.forbidden == vec![0] { 20.0 } else { 10.0 };
        assert!((x.people - share).abs() <= 1.0, "{s:?}");
    }
    let new = as_sources(&s);
    let p = plan(&h, &new);
    assert_conserved(&p, &new);
    let e = p.egress_s().unwrap();
    assert!((e - 660.0).abs() <= 60.0, "{e}");
}
