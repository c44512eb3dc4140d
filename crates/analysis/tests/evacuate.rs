//! Evacuation plans checked against independent answers: the exact optimum of small networks
//! by time-expanded maximum flow, a replay of the schedule against every capacity, the
//! separation of civilians and combatants, and corridors that cannot be used.

use corridor_analysis::ccrp::{ccrp, time_expanded_optimum, FlowNetwork};
use corridor_analysis::evacuate::{evacuate, EvacuationReport};
mod common;
use common::*;
use corridor_roads::Profile;
use corridor_routing::{Graph, INVALID};
use corridor_scenario::{Purpose, Scenario};
use proptest::prelude::*;
use std::sync::OnceLock;

/// A copy of the example scenario with `edit` applied to its manifest text.
fn example_with(
    edit: impl Fn(String) -> String,
    extra: &[(&str, &str)],
) -> (tempfile::TempDir, Scenario) {
    let dir = example_dir(edit, extra);
    let s = load_dir(dir.path());
    (dir, s)
}

fn example_plan() -> &'static (Scenario, EvacuationReport) {
    static P: OnceLock<(Scenario, EvacuationReport)> = OnceLock::new();
    P.get_or_init(|| {
        let s = example();
        let r = {
            let m = maps(&s);
            evacuate(&m[0], &m[1]).unwrap()
        };
        (s, r)
    })
}

/// Walks every group of the schedule: paths are connected from a source to an exit, nobody
/// enters an arc before reaching it, no resource carries more than its capacity in any time
/// bucket (recounted here from the groups, not taken from the planner), and no checkpoint is
/// used while closed.
fn replay(r: &EvacuationReport) {
    let g = graph();
    for d in &r.plans {
        let pg = g.profile(d.profile);
        let mut used: std::collections::HashMap<(u32, u64), f64> = Default::default();
        for res in &d.plan.reservations {
            assert!(res.people > 0.0);
            let mut v = d.source_nodes[res.source];
            let mut t = res.depart_s;
            for (i, &a) in res.arcs.iter().enumerate() {
                assert_eq!(pg.graph.arc_tail(a), v, "path is not connected");
                assert!(d.travel_s[a as usize].is_finite(), "a blocked road is used");
                assert!(
                    res.enter_s[i] >= t - 1e-6,
                    "entered an arc before reaching it"
                );
                let r_id = d.resource_of_arc[a as usize];
                if r_id != INVALID {
                    let b = (res.enter_s[i] / d.bucket_s).floor() as u64;
                    *used.entry((r_id, b)).or_insert(0.0) += res.people;
                }
                t = res.enter_s[i] + d.travel_s[a as usize];
                v = pg.graph.arc_head(a);
            }
            assert!(d.sinks.contains(&v), "a group does not end at a reception");
            assert!((t - res.arrive_s).abs() < 1e-6);
        }
        for ((r_id, _), people) in used {
            assert!(
                people <= d.capacity[r_id as usize] * (1.0 + 1e-9) + 1e-6,
                "resource {r_id} carries {people} > {}",
                d.capacity[r_id as usize]
            );
        }
    }
}

#[test]
fn the_example_plan_is_feasible_and_close_to_its_bound() {
    let (s, r) = example_plan();
    replay(r);
    assert_eq!(r.people, 250_000.0);
    // 10 % stay; everyone else leaves.
    assert_eq!(r.staying, 25_000.0);
    assert_eq!(r.leaving, 225_000.0);
    assert!(r.lower_bound_s > 0.0 && r.lower_bound_s <= r.egress_time_s + 1.0);
    assert!(r.gap >= -1e-9 && r.gap < 0.10, "gap {}", r.gap);
    // Nobody is reported gone before crossing: stayers remain inside to the end.
    let last = r.remaining_by_hour.last().unwrap();
    assert_eq!(last.inside, 25_000.0);
    assert!(r.remaining_by_hour[0].inside > 240_000.0);
    for w in r.remaining_by_hour.windows(2) {
        assert!(
            w[1].inside <= w[0].inside + 1e-6,
            "people inside never increase"
        );
    }
    // Civilian people by corridor add up to those leaving (combatants come on top).
    let civ: f64 = r
        .corridors
        .iter()
        .filter(|c| c.purpose == Purpose::Civilian)
        .map(|c| c.people)
        .sum();
    assert!((civ - 225_000.0).abs() <= 2.0, "{civ}");
    let comb: f64 = r
        .corridors
        .iter()
        .filter(|c| c.purpose == Purpose::Combatant)
        .map(|c| c.people)
        .sum();
    assert_eq!(comb, s.evacuation.combatants);
}

#[test]
fn civilians_and_combatants_never_share_a_road() {
    let (_, r) = example_plan();
    let g = graph();
    let ways = |purpose: Purpose, profile: Profile| -> std::collections::HashSet<i64> {
        r.plans
            .iter()
            .filter(|d| d.purpose == purpose && d.profile == profile)
            .flat_map(|d| {
                let pg = g.profile(d.profile);
                d.plan.reservations.iter().flat_map(move |x| {
                    x.arcs
                        .iter()
                        .map(move |&a| pg.edges.way_id[pg.arc_edge(a).0 as usize])
                })
            })
            .collect()
    };
    let edges = |purpose: Purpose| -> std::collections::HashSet<u32> {
        r.plans
            .iter()
            .filter(|d| d.purpose == purpose && d.profile == Profile::Foot)
            .flat_map(|d| {
                d.plan.reservations.iter().flat_map(|x| {
                    x.arcs
                        .iter()
                        .map(|&a| g.profile(Profile::Foot).arc_edge(a).0)
                })
            })
            .collect()
    };
    let combatant_ways = ways(Purpose::Combatant, Profile::Foot);
    assert!(!combatant_ways.is_empty());
    assert!(edges(Purpose::Combatant).is_disjoint(&edges(Purpose::Civilian)));
    assert!(combatant_ways.is_disjoint(&ways(Purpose::Civilian, Profile::Car)));
}

#[test]
fn a_corridor_whose_checkpoint_road_is_closed_gets_no_one() {
    // Carrer Gil Torres (OSM way 29422567) is closed since before as_of.
    let closures = "{\"type\": \"FeatureCollection\", \"features\": [\
        {\"type\": \"Feature\", \"properties\": {\"since\": \"2016-07-19\", \"osm_way_id\": 24364447}, \"geometry\": null},\
        {\"type\": \"Feature\", \"properties\": {\"since\": \"2016-07-27\", \"osm_way_id\": 29422567}, \"geometry\": null}]}";
    let (_d, s) = example_with(|m| m, &[("closures.geojson", closures)]);
    let m = maps(&s);
    let r = evacuate(&m[0], &m[1]).unwrap();
    replay(&r);
    let gil = r
        .corridors
        .iter()
        .find(|c| c.name == "Gil Torres crossing")
        .unwrap();
    assert_eq!(gil.people, 0.0);
    assert!(gil.unused_because.is_some());
    // The others carry everyone, and it takes longer than with the corridor open.
    assert_eq!(r.leaving, 225_000.0);
    assert!(r.egress_time_s > example_plan().1.egress_time_s);
}

#[test]
fn bad_evacuation_inputs_get_clear_messages() {
    // A checkpoint deep inside its own enclave.
    let (_d, s) = example_with(
        |m| {
            m.replace(
                "checkpoint = [42.50255, 1.51284]",
                "checkpoint = [42.5080, 1.5300]",
            )
        },
        &[],
    );
    let m = maps(&s);
    let e = evacuate(&m[0], &m[1])
        .expect_err("checkpoint inside the enclave")
        .to_string();
    assert!(
        e.contains("scenario.toml")
            && e.contains("Enclar crossing")
            && e.contains("inside the enclave"),
        "{e}"
    );
    // Zero capacity and negative people are refused when the scenario loads.
    let dir = example_dir(
        |m| m.replace("capacity_per_hour = 2000", "capacity_per_hour = 0"),
        &[],
    );
    let e = corridor_scenario::load(&dir.path().join("scenario.toml"))
        .expect_err("zero capacity")
        .to_string();
    assert!(
        e.contains("capacity_per_hour 0") && e.contains("Enclar crossing"),
        "{e}"
    );
    let pop =
        std::fs::read_to_string(root().join("data/scenarios/andorra-siege/population.geojson"))
            .unwrap()
            .replacen("\"people\": 14000", "\"people\": -5", 1);
    let dir = example_dir(|m| m, &[("population.geojson", &pop)]);
    let e = corridor_scenario::load(&dir.path().join("scenario.toml"))
        .expect_err("negative people")
        .to_string();
    assert!(
        e.contains("population.geojson") && e.contains("feature 0") && e.contains("people = -5"),
        "{e}"
    );
}

/// Random small networks: source 0 and 1, exit = last node, unit travel times, capacities 1..3.
fn small() -> impl Strategy<Value = (usize, Vec<(u32, u32, u32)>, u32, u32)> {
    (4usize..8).prop_flat_map(|n| {
        (
            Just(n),
            proptest::collection::vec((0..n as u32, 0..n as u32, 1u32..4), n..3 * n),
            1u32..6,
            0u32..5,
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// CCRP never beats the exact optimum (which would mean a broken capacity), and both agree
    /// on who can leave at all.
    #[test]
    fn ccrp_is_never_better_than_the_exact_optimum((n, arcs, p0, p1) in small()) {
        let mut list: Vec<(u32, u32, u32)> = arcs.into_iter().filter(|a| a.0 != a.1).collect();
        // A guaranteed way out from both sources.
        list.push((0, n as u32 - 1, 1));
        list.push((1, n as u32 - 1, 1));
        let pairs: Vec<(u32, u32)> = list.iter().map(|a| (a.0, a.1)).collect();
        let (g, ids) = Graph::from_arcs(n, &pairs);
        let mut cap = vec![0u32; list.len()];
        for (i, a) in list.iter().enumerate() { cap[ids[i] as usize] = a.2; }
        let net = FlowNetwork {
            graph: &g,
            travel_s: vec![1.0; list.len()],
            resource: (0..list.len() as u32).collect(),
            capacity: cap.iter().map(|&c| c as f64).collect(),
            open: vec![None; list.len()],
            bucket_s: 1.0,
            horizon_buckets: 500,
        };
        let sink = n as u32 - 1;
        let plan = ccrp(&net, &[(0, p0 as f64), (1, p1 as f64)], &[sink], None);
        let routed: f64 = plan.reservations.iter().map(|r| r.people).sum();
        prop_assert!((routed - (p0 + p1) as f64).abs() < 1e-9);
        let ccrp_egress = plan.reservations.iter().map(|r| r.arrive_s).fold(0.0, f64::max);
        let caps: Vec<Option<u32>> = cap.iter().map(|&c| Some(c)).collect();
        let opt = time_expanded_optimum(&g, &vec![1; list.len()], &caps, &[(0, p0), (1, p1)], &[sink], 60).unwrap();
        prop_assert!(ccrp_egress + 1e-9 >= opt as f64, "CCRP {ccrp_egress} < optimum {opt}");
        // Replay the buckets.
        for (r, used) in plan.used.iter().enumerate() {
            for &u in used { prop_assert!(u <= net.capacity[r] + 1e-9); }
        }
    }
}

#[test]
fn hand_computed_two_exits() {
    // 0 -> 1 (exit A: 2 steps, 3 people may enter per step) and 0 -> 2 -> 3 (exit B: 1 + 1
    // steps, 2 per step). 10 people.
    let arcs = [(0, 1), (0, 2), (2, 3)];
    let (g, ids) = Graph::from_arcs(4, &arcs);
    let mut travel = vec![0u32; 3];
    let mut cap = vec![None; 3];
    for (i, &(t, h)) in arcs.iter().enumerate() {
        let a = ids[i] as usize;
        travel[a] = if (t, h) == (0, 1) { 2 } else { 1 };
        cap[a] = Some(if (t, h) == (0, 1) { 3 } else { 2 });
    }
    let opt = time_expanded_optimum(&g, &travel, &cap, &[(0, 10)], &[1, 3], 30).unwrap();
    // By hand: by T = 2, A delivers 3 (left at 0) and B 2 (left at 0): 5 < 10. By T = 3, A 6
    // (left at 0, 1) and B 4 (left at 0, 1): 10. So T = 3.
    assert_eq!(opt, 3);
    let net = FlowNetwork {
        graph: &g,
        travel_s: travel.iter().map(|&t| t as f64).collect(),
        resource: (0..3).collect(),
        capacity: cap.iter().map(|c| c.unwrap() as f64).collect(),
        open: vec![None; 3],
        bucket_s: 1.0,
        horizon_buckets: 100,
    };
    let plan = ccrp(&net, &[(0, 10.0)], &[1, 3], None);
    let egress = plan
        .reservations
        .iter()
        .map(|r| r.arrive_s)
        .fold(0.0, f64::max);
    assert_eq!(egress, 3.0);
}
