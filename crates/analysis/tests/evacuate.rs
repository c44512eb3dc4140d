//! Evacuation plans checked against independent answers: the exact optimum of small networks
//! by time-expanded maximum flow (shared checkpoints, opening hours, two modes) for both the
//! planner and the lower bound; every plan the tests make re-checked by `verify` from its JSON,
//! the scenario and the graph; the verifier itself caught on tampered plans; separation of
//! civilians and combatants checked geometrically; stranded people and plans with no egress.

use corridor_analysis::ccrp::{
    ccrp, ccrp_cross_checked, plain_sources, time_expanded_optimum, time_expanded_optimum_shared,
    time_expanded_optimum_with_roads, ExpandedNetwork, FlowNetwork,
};
use corridor_analysis::evacuate::bound::{instance, lower_bound, BoundNetwork};
use corridor_analysis::evacuate::verify::{verify, PlanToVerify, Verification};
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

/// The plan as its JSON says it, read back as the verifier reads files.
fn as_json(r: &EvacuationReport) -> PlanToVerify {
    serde_json::from_value(serde_json::to_value(r).unwrap()).unwrap()
}

fn check(s: &Scenario, plan: &PlanToVerify) -> Verification {
    let m = maps(s);
    verify(&m[0], &m[1], plan)
}

/// The independent check passes.
fn verified(s: &Scenario, r: &EvacuationReport) {
    let v = check(s, &as_json(r));
    assert!(v.ok, "{:#?}", v.violations);
    assert_eq!(v.groups, r.groups.len());
}

#[test]
fn the_example_plan_passes_the_independent_check_and_is_within_3_percent_of_its_bound() {
    let (s, r) = example_plan();
    verified(s, r);
    assert_eq!(r.people, 250_000.0);
    // 10 % stay; everyone else leaves but those who live more than 500 m from any road inside
    // the enclave: only on the hillsides of sectors A4 and C1 (tests/evacuate_starts.rs checks
    // the share by sampling).
    let stranded: f64 = r.neighbourhoods.iter().map(|n| n.stranded).sum();
    assert!((r.stranded - stranded).abs() <= 1.0);
    for n in &r.neighbourhoods {
        assert!(
            n.stranded == 0.0 || ["Sector A4", "Sector C1"].contains(&n.name.as_str()),
            "{n:?}"
        );
    }
    assert!(r.headline[0].contains("stranded"), "{:?}", r.headline);
    assert_eq!(r.staying, 25_000.0 + r.stranded);
    assert_eq!(r.leaving, 225_000.0 - r.stranded);
    let (e, b, gap) = (
        r.egress_time_s.unwrap(),
        r.lower_bound_s.unwrap(),
        r.gap.unwrap(),
    );
    assert!(b > 0.0 && b <= e + 1.0);
    // Within 3 % of the bound. (After issue 9's directional crossings the gap was 25.6 %:
    // walkers who crossed at Tarragona walked back into the enclave and out through Enclar,
    // which the bound counted once and the planner twice; nobody goes back in now.)
    assert!((0.0..0.03).contains(&gap), "gap {gap}");
    // Pooled checkpoints: by hand, 225,000 people through 2,000/h around the clock plus
    // 2 × 1,500/h for 14 h a day (42,000/day): 48,000 + 42,000 = 90,000 people a day, so
    // more than two days (48 h) and less than three (72 h). The old split-capacity plan took
    // 77.6 h.
    assert!(e > 48.0 * 3600.0 && e < 72.0 * 3600.0, "egress {e}");
    // Nobody is reported gone before crossing: stayers remain inside to the end.
    let last = r.remaining_by_hour.last().unwrap();
    assert_eq!(last.inside, 25_000.0 + r.stranded);
    assert_eq!(last.combatants_inside, r.combatants_stranded);
    for w in r.remaining_by_hour.windows(2) {
        assert!(w[1].inside <= w[0].inside + 1e-6);
        for (a, b) in w[0].by_neighbourhood.iter().zip(&w[1].by_neighbourhood) {
            assert!(b <= a, "a neighbourhood's people inside never increase");
        }
    }
    // Per neighbourhood: everyone at the start (combatants are not taken from the first one),
    // the stayers at the end.
    let first = &r.remaining_by_hour[0];
    for (i, n) in r.neighbourhoods.iter().enumerate() {
        assert_eq!(first.by_neighbourhood[i], n.people, "{}", n.name);
        assert_eq!(last.by_neighbourhood[i], n.staying, "{}", n.name);
    }
    // Civilian people by corridor add up to those leaving (combatants come on top).
    let civ: f64 = r
        .corridors
        .iter()
        .filter(|c| c.purpose == Purpose::Civilian)
        .map(|c| c.people)
        .sum();
    assert!((civ - r.leaving).abs() <= 2.0, "{civ}");
    let comb: f64 = r
        .corridors
        .iter()
        .filter(|c| c.purpose == Purpose::Combatant)
        .map(|c| c.people)
        .sum();
    assert!((comb + r.combatants_stranded - s.evacuation.combatants).abs() <= 1.0);
    // One pool per checkpoint: Tarragona, which walkers cannot use, is busy all its open time.
    let tarragona = r
        .corridors
        .iter()
        .find(|c| c.name == "Tarragona crossing")
        .unwrap();
    assert!(tarragona.checkpoint_utilisation > 0.9, "{tarragona:?}");
}

/// Midpoints of a route piece's shape segments, and the piece's polyline, from the graph.
fn pieces(r: &EvacuationReport, purpose: Purpose) -> Vec<(i64, Vec<[f64; 2]>)> {
    let g = graph();
    let mut out = Vec::new();
    for gr in r.groups.iter().filter(|x| x.purpose == purpose) {
        let pg = g.profile(gr.mode);
        let node = |id: i64| pg.node_osm_id.iter().position(|&x| x == id).unwrap() as u32;
        for (k, &way) in gr.ways.iter().enumerate() {
            let (u, v) = (node(gr.nodes[k]), node(gr.nodes[k + 1]));
            let a = pg
                .graph
                .out_arcs(u)
                .find(|&a| {
                    pg.graph.arc_head(a) == v && pg.edges.way_id[pg.arc_edge(a).0 as usize] == way
                })
                .unwrap();
            out.push((way, pg.edge_shape(pg.arc_edge(a).0).to_vec()));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.len().cmp(&b.1.len())));
    out.dedup();
    out
}

#[test]
fn civilians_and_combatants_never_share_a_stretch_of_road_on_foot_or_by_vehicle() {
    let (_, r) = example_plan();
    let combatant = pieces(r, Purpose::Combatant);
    let civilian = pieces(r, Purpose::Civilian);
    assert!(!combatant.is_empty());
    assert!(r.groups.iter().any(|g| g.mode == Profile::Car));
    // Geometric oracle: a stretch of one OSM way is shared if the middle of some segment of
    // one piece lies on the other piece (within 0.5 m).
    let m_per_deg = 111_195.0;
    let on = |p: [f64; 2], line: &[[f64; 2]]| {
        let k = p[1].to_radians().cos();
        line.windows(2).any(|w| {
            let (ax, ay) = (
                (w[0][0] - p[0]) * k * m_per_deg,
                (w[0][1] - p[1]) * m_per_deg,
            );
            let (bx, by) = (
                (w[1][0] - p[0]) * k * m_per_deg,
                (w[1][1] - p[1]) * m_per_deg,
            );
            let (dx, dy) = (bx - ax, by - ay);
            let t = (-(ax * dx + ay * dy) / (dx * dx + dy * dy).max(1e-12)).clamp(0.0, 1.0);
            (ax + t * dx).hypot(ay + t * dy) < 0.5
        })
    };
    for (way, a) in &combatant {
        for (w2, b) in civilian.iter().filter(|x| x.0 == *way) {
            for s in a.windows(2) {
                let mid = [(s[0][0] + s[1][0]) / 2.0, (s[0][1] + s[1][1]) / 2.0];
                assert!(!on(mid, b), "way {w2} is used by both");
            }
        }
    }
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
    verified(&s, &r);
    let gil = r
        .corridors
        .iter()
        .find(|c| c.name == "Gil Torres crossing")
        .unwrap();
    assert_eq!(gil.people, 0.0);
    assert!(gil.unused_because.is_some());
    // The others carry everyone, and it takes longer than with the corridor open.
    assert_eq!(r.leaving + r.stranded, 225_000.0);
    assert!(r.egress_time_s.unwrap() > example_plan().1.egress_time_s.unwrap());
    // Checkpoints bind, and the plan is within 3 % of its bound. By hand: walkers (157,500
    // less those stranded, at most `stranded`) can only leave by Enclar (after Tarragona their
    // way to the reception leads back into the enclave), 2,000/h around the clock: at least
    // (157,500 − stranded) / 2,000 h; the 67,500 drivers fit through Tarragona (1,500/h,
    // 06:00-20:00) in 3 days and 8 h. So no plan beats that, and one exists in under 82 h.
    let (e, b) = (r.egress_time_s.unwrap(), r.lower_bound_s.unwrap());
    let walkers_h = (157_500.0 - r.stranded) / 2000.0;
    assert!(b <= e + 1.0 && b >= walkers_h * 3600.0, "bound {b}");
    assert!(e < 82.0 * 3600.0, "egress {e}");
    assert!(r.gap.unwrap() < 0.03, "{:?}", r.methods);
}

#[test]
fn with_nobody_able_to_leave_egress_and_gap_are_null_with_the_reason() {
    // No civilian corridor at all: every civilian is stranded.
    let (_d, s) = example_with(
        |m| {
            m.replace("purpose = \"civilian\"", "purpose = \"combatant\"")
                .replace("combatants = 2000", "combatants = 0")
        },
        &[],
    );
    let m = maps(&s);
    let r = evacuate(&m[0], &m[1]).unwrap();
    verified(&s, &r);
    assert_eq!(r.stranded, 225_000.0);
    assert_eq!(r.leaving, 0.0);
    assert_eq!(r.egress_time_s, None);
    assert_eq!(r.gap, None);
    assert_eq!(r.lower_bound_s, None);
    assert!(r.no_egress_because.is_some());
    assert!(r.headline[0].contains("stranded"), "{:?}", r.headline);
    let v = serde_json::to_value(&r).unwrap();
    assert!(v["egress_time_s"].is_null() && v["gap"].is_null());
    assert!(r
        .neighbourhoods
        .iter()
        .all(|n| !n.stranded_because.is_empty()));
}

#[test]
fn the_verifier_catches_tampered_plans() {
    let (s, r) = example_plan();
    let good = as_json(r);
    // More people on a group than its checkpoint admits in that bucket, and than its
    // neighbourhood has leaving.
    let mut p = good.clone();
    let i = p
        .groups
        .iter()
        .position(|g| g.corridor.as_deref() == Some("Enclar crossing"))
        .unwrap();
    p.groups[i].people *= 50.0;
    let v = check(s, &p);
    assert!(!v.ok);
    assert!(
        v.violations
            .iter()
            .any(|x| x.contains("checkpoint 'Enclar crossing' screens")),
        "{:#?}",
        v.violations
    );
    assert!(v
        .violations
        .iter()
        .any(|x| x.contains("leaving, but its groups carry")));
    // Through Gil Torres (open 06:00-20:00, the plan starts at 06:00) at 23:00 on day one.
    let mut p = good.clone();
    let i = p
        .groups
        .iter()
        .position(|g| g.corridor.as_deref() == Some("Gil Torres crossing"))
        .unwrap();
    let shift = 17.0 * 3600.0 - p.groups[i].enter_s[0];
    for t in &mut p.groups[i].enter_s {
        *t += shift;
    }
    p.groups[i].arrive_s += shift;
    let v = check(s, &p);
    assert!(
        v.violations
            .iter()
            .any(|x| x.contains("while it is closed")),
        "{:#?}",
        v.violations
    );
    // Entering a road before reaching it.
    let mut p = good.clone();
    let i = p.groups.iter().position(|g| g.enter_s.len() > 2).unwrap();
    p.groups[i].enter_s[2] = p.groups[i].enter_s[1] - 1.0;
    let v = check(s, &p);
    assert!(v
        .violations
        .iter()
        .any(|x| x.contains("before reaching it")));
    // A route that jumps between nodes no road joins.
    let mut p = good;
    p.groups[0].nodes.swap(1, 2);
    let v = check(s, &p);
    assert!(v.violations.iter().any(|x| x.contains("no road of way")));
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
    // A corridor without a screening rate.
    let (_d, s) = example_with(|m| m.replacen("capacity_per_hour = 2000\n", "", 1), &[]);
    let m = maps(&s);
    let e = evacuate(&m[0], &m[1]).expect_err("no capacity").to_string();
    assert!(
        e.contains("Enclar crossing") && e.contains("no capacity_per_hour"),
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

/// Random small networks with two modes: walkers from node 0 on nodes `0..n`, drivers from
/// node `n` on nodes `n..2n`; two checkpoints, each passed by one walking and one driving arc
/// into its own far-side node (one shared pool per checkpoint), closed for a stretch of steps;
/// from the far sides on to one reception.
#[derive(Debug, Clone)]
struct Small {
    n: usize,
    foot: Vec<(u32, u32, u32, u32)>, // tail, head, travel, capacity
    car: Vec<(u32, u32, u32, u32)>,
    checkpoint_cap: [u32; 2],
    checkpoint_travel: [u32; 2],
    closed: [(u32, u32); 2],
    onward: [u32; 2],
    walkers: u32,
    drivers: u32,
}

fn small() -> impl Strategy<Value = Small> {
    (4usize..7).prop_flat_map(|n| {
        let arcs = move || {
            proptest::collection::vec((0..n as u32, 0..n as u32, 1u32..4, 1u32..5), n..3 * n)
        };
        (
            Just(n),
            arcs(),
            arcs(),
            [1u32..4, 1u32..4],
            [1u32..3, 1u32..3],
            [(0u32..6, 0u32..5), (0u32..6, 0u32..5)],
            [1u32..4, 1u32..4],
            0u32..9,
            0u32..9,
        )
            .prop_map(|(n, foot, car, cc, ct, cl, on, w, d)| Small {
                n,
                foot,
                car,
                checkpoint_cap: cc,
                checkpoint_travel: ct,
                closed: [(cl[0].0, cl[0].0 + cl[0].1), (cl[1].0, cl[1].0 + cl[1].1)],
                onward: on,
                walkers: w,
                drivers: d,
            })
    })
}

/// The instance as a graph: arcs (tail, head, travel, resource), resource capacities and
/// closed steps, sources and the sink.
struct Built {
    g: Graph,
    travel: Vec<u32>,
    resource: Vec<u32>,
    cap: Vec<u32>,
    closed: Vec<Option<(u32, u32)>>,
    checkpoint_of_arc: Vec<u32>,
    sources: Vec<(u32, u32)>,
    sink: u32,
}

fn build(x: &Small) -> Built {
    let n = x.n as u32;
    let far = [2 * n, 2 * n + 1];
    let sink = 2 * n + 2;
    // (tail, head, travel, resource or INVALID, checkpoint or INVALID)
    let mut list: Vec<(u32, u32, u32, u32, u32)> = Vec::new();
    let mut cap: Vec<u32> = Vec::new();
    let mut closed: Vec<Option<(u32, u32)>> = Vec::new();
    let mut road = |t: u32, h: u32, tau: u32, c: u32, list: &mut Vec<_>| {
        list.push((t, h, tau, cap.len() as u32, INVALID));
        cap.push(c);
        closed.push(None);
    };
    for &(t, h, tau, c) in x.foot.iter().filter(|a| a.0 != a.1) {
        road(t, h, tau, c, &mut list);
    }
    for &(t, h, tau, c) in x.car.iter().filter(|a| a.0 != a.1) {
        road(t + n, h + n, tau, c, &mut list);
    }
    // Guaranteed ways to the checkpoints' approaches: walkers n-1 and n-2, drivers 2n-1, 2n-2.
    for (a, b) in [(0, n - 1), (0, n - 2), (n, 2 * n - 1), (n, 2 * n - 2)] {
        road(a, b, 1, 2, &mut list);
    }
    for (c, &far_side) in far.iter().enumerate() {
        let r = cap.len() as u32;
        cap.push(x.checkpoint_cap[c]);
        closed.push(Some(x.closed[c]));
        let tau = x.checkpoint_travel[c];
        list.push((n - 1 - c as u32, far_side, tau, r, c as u32));
        list.push((2 * n - 1 - c as u32, far_side, tau, r, c as u32));
        list.push((far_side, sink, x.onward[c], INVALID, INVALID));
    }
    let pairs: Vec<(u32, u32)> = list.iter().map(|a| (a.0, a.1)).collect();
    let (g, ids) = Graph::from_arcs(2 * x.n + 3, &pairs);
    let mut travel = vec![0; list.len()];
    let mut resource = vec![INVALID; list.len()];
    let mut checkpoint_of_arc = vec![INVALID; list.len()];
    for (i, a) in list.iter().enumerate() {
        let id = ids[i] as usize;
        travel[id] = a.2;
        resource[id] = a.3;
        checkpoint_of_arc[id] = a.4;
    }
    Built {
        g,
        travel,
        resource,
        cap,
        closed,
        checkpoint_of_arc,
        sources: vec![(0, x.walkers), (n, x.drivers)],
        sink,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    /// On random two-mode networks with shared checkpoints and opening hours: the lower bound
    /// never exceeds the exact optimum, and CCRP never beats it (which would mean a broken
    /// capacity) and routes everyone the optimum routes.
    #[test]
    fn bound_below_and_ccrp_above_the_exact_optimum(x in small()) {
        let b = build(&x);
        let max_steps = 80u32;
        let open: Vec<Option<Vec<bool>>> = b.closed.iter().map(|c| c.map(|(a, z)| (0..=max_steps).map(|k| k < a || k >= z).collect())).collect();
        let opt = time_expanded_optimum_shared(
            &ExpandedNetwork { graph: &b.g, travel_steps: &b.travel, resource: &b.resource, cap_per_step: &b.cap, open: &open },
            &b.sources, &[b.sink], max_steps,
        );
        let Some(opt) = opt else { return Ok(()) };
        let total = x.walkers + x.drivers;
        let windows = |c: &Option<(u32, u32)>| c.map(|(a, z)| vec![(0.0, a as f64), (z as f64, 1e9)]);
        // The planner.
        let net = FlowNetwork {
            graph: &b.g,
            travel_s: b.travel.iter().map(|&t| t as f64).collect(),
            resource: b.resource.clone(),
            second_resource: Vec::new(),
            capacity: b.cap.iter().map(|&c| c as f64).collect(),
            open: b.closed.iter().map(windows).collect(),
            bucket_s: 1.0,
            horizon_buckets: 500,
        };
        let people: Vec<(u32, f64)> = b.sources.iter().map(|&(v, p)| (v, p as f64)).collect();
        let plan = ccrp_cross_checked(&net, &plain_sources(&people, &[b.sink]));
        let routed: f64 = plan.reservations.iter().map(|r| r.people).sum();
        prop_assert!((routed - total as f64).abs() < 1e-6, "routed {routed} of {total}");
        if total > 0 {
            let egress = plan.reservations.iter().map(|r| r.arrive_s).fold(0.0, f64::max);
            prop_assert!(egress + 1e-9 >= opt as f64, "CCRP {egress} < optimum {opt}");
        }
        for (r, used) in plan.used.iter().enumerate() {
            for (k, &u) in used.iter().enumerate() {
                prop_assert!(u <= net.bucket_capacity(r, k as u32) + 1e-9);
            }
        }
        // The bound, from the network alone.
        let travel_s: Vec<f64> = b.travel.iter().map(|&t| t as f64).collect();
        let bn = BoundNetwork {
            graph: &b.g,
            crossing_road_capacity: Vec::new(),
            class_sinks: vec![vec![b.sink]],
            travel_s: &travel_s,
            checkpoint_of_arc: &b.checkpoint_of_arc,
            checkpoints: (0..2).map(|c| {
                let r = b.resource[(0..b.g.arc_count()).find(|&a| b.checkpoint_of_arc[a] == c).unwrap()] as usize;
                (b.cap[r] as f64, windows(&b.closed[r]))
            }).collect(),
            bucket_s: 1.0,
            horizon_s: 1000.0,
        };
        let people: Vec<(u32, f64, usize)> = people.into_iter().filter(|p| p.1 > 0.0).map(|(v, p)| (v, p, 0)).collect();
        match lower_bound(&instance(&bn, &people)) {
            None => prop_assert_eq!(total, 0),
            Some(bound) => {
                prop_assert!(bound.time_s <= opt as f64 + 1e-9, "bound {} > optimum {opt}", bound.time_s);
                // Its assignment moves everyone.
                let moved: f64 = bound.assignment.iter().flatten().sum();
                prop_assert!((moved - total as f64).abs() < 1e-6);
            }
        }
    }

    /// As above with each crossing road keeping its own capacity (1–3 people per step, often
    /// below its checkpoint's): the arc draws on its checkpoint and on its road in the planner
    /// (`second_resource`), the exact optimum counts both (`time_expanded_optimum_with_roads`),
    /// and the bound's checkpoint admits per step the lesser of its screening and its crossing
    /// roads' sum (`crossing_road_capacity`): bound ≤ optimum ≤ CCRP, no bucket overfilled.
    #[test]
    fn crossing_roads_with_their_own_capacity_keep_bound_and_plan_around_the_optimum(
        x in small(),
        roads in [1u32..4, 1u32..4, 1u32..4, 1u32..4],
    ) {
        let b = build(&x);
        let max_steps = 80u32;
        let crossing: Vec<usize> = (0..b.g.arc_count()).filter(|&a| b.checkpoint_of_arc[a] != INVALID).collect();
        prop_assert_eq!(crossing.len(), 4);
        let mut arc_cap: Vec<Option<u32>> = vec![None; b.g.arc_count()];
        let mut second = vec![INVALID; b.g.arc_count()];
        let mut cap = b.cap.clone();
        let mut closed = b.closed.clone();
        for (i, &a) in crossing.iter().enumerate() {
            arc_cap[a] = Some(roads[i]);
            second[a] = cap.len() as u32;
            cap.push(roads[i]);
            closed.push(None);
        }
        let open: Vec<Option<Vec<bool>>> = b.closed.iter().map(|c| c.map(|(a, z)| (0..=max_steps).map(|k| k < a || k >= z).collect())).collect();
        let opt = time_expanded_optimum_with_roads(
            &ExpandedNetwork { graph: &b.g, travel_steps: &b.travel, resource: &b.resource, cap_per_step: &b.cap, open: &open },
            &arc_cap, &b.sources, &[b.sink], max_steps,
        );
        let Some(opt) = opt else { return Ok(()) };
        let total = x.walkers + x.drivers;
        let windows = |c: &Option<(u32, u32)>| c.map(|(a, z)| vec![(0.0, a as f64), (z as f64, 1e9)]);
        let net = FlowNetwork {
            graph: &b.g,
            travel_s: b.travel.iter().map(|&t| t as f64).collect(),
            resource: b.resource.clone(),
            second_resource: second.clone(),
            capacity: cap.iter().map(|&c| c as f64).collect(),
            open: closed.iter().map(windows).collect(),
            bucket_s: 1.0,
            horizon_buckets: 500,
        };
        let people: Vec<(u32, f64)> = b.sources.iter().map(|&(v, p)| (v, p as f64)).collect();
        let plan = ccrp_cross_checked(&net, &plain_sources(&people, &[b.sink]));
        let routed: f64 = plan.reservations.iter().map(|r| r.people).sum();
        prop_assert!((routed - total as f64).abs() < 1e-6, "routed {routed} of {total}");
        if total > 0 {
            let egress = plan.reservations.iter().map(|r| r.arrive_s).fold(0.0, f64::max);
            prop_assert!(egress + 1e-9 >= opt as f64, "CCRP {egress} < optimum {opt}");
        }
        for (r, used) in plan.used.iter().enumerate() {
            for (k, &u) in used.iter().enumerate() {
                prop_assert!(u <= net.bucket_capacity(r, k as u32) + 1e-9);
            }
        }
        let travel_s: Vec<f64> = b.travel.iter().map(|&t| t as f64).collect();
        let bn = BoundNetwork {
            graph: &b.g,
            crossing_road_capacity: arc_cap.iter().map(|c| c.map_or(f64::INFINITY, |c| c as f64)).collect(),
            class_sinks: vec![vec![b.sink]],
            travel_s: &travel_s,
            checkpoint_of_arc: &b.checkpoint_of_arc,
            checkpoints: (0..2).map(|c| {
                let r = b.resource[(0..b.g.arc_count()).find(|&a| b.checkpoint_of_arc[a] == c).unwrap()] as usize;
                (b.cap[r] as f64, windows(&b.closed[r]))
            }).collect(),
            bucket_s: 1.0,
            horizon_s: 1000.0,
        };
        let people: Vec<(u32, f64, usize)> = people.into_iter().filter(|p| p.1 > 0.0).map(|(v, p)| (v, p, 0)).collect();
        match lower_bound(&instance(&bn, &people)) {
            None => prop_assert_eq!(total, 0),
            Some(bound) => prop_assert!(bound.time_s <= opt as f64 + 1e-9, "bound {} > optimum {opt}", bound.time_s),
        }
    }

    /// The same on one-mode networks without checkpoints: CCRP is never better than the
    /// optimum and both agree on who can leave at all.
    #[test]
    fn ccrp_is_never_better_than_the_exact_optimum((n, arcs, p0, p1) in (4usize..8).prop_flat_map(|n| (
        Just(n),
        proptest::collection::vec((0..n as u32, 0..n as u32, 1u32..4), n..3 * n),
        1u32..6,
        0u32..5,
    ))) {
        let mut list: Vec<(u32, u32, u32)> = arcs.into_iter().filter(|a| a.0 != a.1).collect();
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
            second_resource: Vec::new(),
            capacity: cap.iter().map(|&c| c as f64).collect(),
            open: vec![None; list.len()],
            bucket_s: 1.0,
            horizon_buckets: 500,
        };
        let sink = n as u32 - 1;
        let plan = ccrp_cross_checked(&net, &plain_sources(&[(0, p0 as f64), (1, p1 as f64)], &[sink]));
        let routed: f64 = plan.reservations.iter().map(|r| r.people).sum();
        prop_assert!((routed - (p0 + p1) as f64).abs() < 1e-9);
        let ccrp_egress = plan.reservations.iter().map(|r| r.arrive_s).fold(0.0, f64::max);
        let caps: Vec<Option<u32>> = cap.iter().map(|&c| Some(c)).collect();
        let opt = time_expanded_optimum(&g, &vec![1; list.len()], &caps, &[(0, p0), (1, p1)], &[sink], 60).unwrap();
        prop_assert!(ccrp_egress + 1e-9 >= opt as f64, "CCRP {ccrp_egress} < optimum {opt}");
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
        second_resource: Vec::new(),
        capacity: cap.iter().map(|c| c.unwrap() as f64).collect(),
        open: vec![None; 3],
        bucket_s: 1.0,
        horizon_buckets: 100,
    };
    let plan = ccrp(&net, &plain_sources(&[(0, 10.0)], &[1, 3]));
    let egress = plan
        .reservations
        .iter()
        .map(|r| r.arrive_s)
        .fold(0.0, f64::max);
    assert_eq!(egress, 3.0);
}

#[test]
fn a_shared_checkpoint_by_hand() {
    // Walkers (node 0) and drivers (node 1) both pass checkpoint X (2 per step, shared) into
    // node 2, the reception. 4 walkers and 4 drivers, one step each: 8 people through 2 per
    // step: steps 0..=3, the last arrives at step 4. Split 1 + 1 per mode (the old model) it
    // would be the same here; with 6 walkers and 2 drivers a split pool takes 6 steps.
    let arcs = [(0, 2), (1, 2)];
    let (g, _) = Graph::from_arcs(3, &arcs);
    let open = vec![None];
    let net = ExpandedNetwork {
        graph: &g,
        travel_steps: &[1, 1],
        resource: &[0, 0],
        cap_per_step: &[2],
        open: &open,
    };
    assert_eq!(
        time_expanded_optimum_shared(&net, &[(0, 6), (1, 2)], &[2], 50),
        Some(4)
    );
}

/// Which receptions people who crossed at corridor `k` can reach in a profile without going
/// back into the enclave: petgraph's BFS over the arcs the scenario's rules leave open to
/// civilians (`arc_blocked`), starting where the corridor's crossing road enters hostile ground,
/// never stepping onto a node inside the enclave (ray-cast by `geo` on the declared territory).
fn reaches_reception_after_crossing(
    sm: &corridor_scenario::ScenarioMap,
    s: &Scenario,
    k: usize,
) -> bool {
    use geo::Contains;
    use petgraph::visit::Bfs;
    let g = sm.graph;
    let side = corridor_scenario::Side::CivilianOf(s.enclaves[0].party);
    let ground = corridor_analysis::siege::enclave_ground(s, 0);
    let inside = |v: u32| {
        ground.contains(&geo::Point::new(
            g.node_coord[v as usize][0],
            g.node_coord[v as usize][1],
        ))
    };
    let mut pg = petgraph::graph::DiGraph::<(), ()>::new();
    let nodes: Vec<_> = (0..g.node_count()).map(|_| pg.add_node(())).collect();
    for a in 0..g.arc_count() as u32 {
        let (u, v) = (g.graph.arc_tail(a), g.graph.arc_head(a));
        if sm.arc_blocked(a, side).is_none() && !inside(v) {
            pg.add_edge(nodes[u as usize], nodes[v as usize], ());
        }
    }
    let cp = sm.checkpoints.iter().find(|c| c.corridor == k).unwrap();
    let entries: Vec<u32> = (0..g.arc_count() as u32)
        .filter(|&a| cp.edges.contains(&g.arc_edge(a).0))
        .filter(|&a| {
            sm.arc_blocked_with(a, side, false).is_some() && sm.arc_blocked(a, side).is_none()
        })
        .collect();
    if entries.is_empty() {
        return false; // its road is closed
    }
    let reception = s.corridors[k].reception.unwrap();
    entries.iter().any(|&a| {
        let mut bfs = Bfs::new(&pg, nodes[g.graph.arc_head(a) as usize]);
        while let Some(x) = bfs.next(&pg) {
            let c = g.node_coord[x.index()];
            if corridor_roads::geometry::haversine_m(c, reception) <= 500.0 {
                return true;
            }
        }
        false
    })
}

#[test]
fn who_can_use_tarragona_by_an_independent_reachability_check() {
    // Drivers who cross at Tarragona reach the reception; walkers cannot without going back
    // into the enclave (and out by another crossing): the planner must not count on Tarragona
    // for walkers, and its plan carries none there.
    let (s, r) = example_plan();
    let m = maps(s);
    let tarragona = s
        .corridors
        .iter()
        .position(|c| c.name == "Tarragona crossing")
        .unwrap();
    assert!(!reaches_reception_after_crossing(&m[0], s, tarragona));
    assert!(reaches_reception_after_crossing(&m[1], s, tarragona));
    let enclar = s
        .corridors
        .iter()
        .position(|c| c.name == "Enclar crossing")
        .unwrap();
    assert!(reaches_reception_after_crossing(&m[0], s, enclar));
    let walkers_at_tarragona: f64 = r
        .groups
        .iter()
        .filter(|g| g.mode == Profile::Foot && g.corridor.as_deref() == Some("Tarragona crossing"))
        .map(|g| g.people)
        .sum();
    assert_eq!(walkers_at_tarragona, 0.0);
}

/// Hours (from the 06:00 start) a checkpoint needs to screen `people` at `per_hour`, open
/// `hours` (opening, closing hour of the day) or around the clock: stepped by minutes.
fn screening_hours(people: f64, per_hour: f64, hours: Option<(f64, f64)>) -> f64 {
    let (mut left, mut t) = (people, 0.0f64);
    while left > 0.0 {
        let clock = (6.0 + t) % 24.0;
        let open = match hours {
            Some((a, z)) => clock >= a && clock < z,
            None => true,
        };
        if open {
            left -= per_hour / 60.0;
        }
        t += 1.0 / 60.0;
    }
    t
}

/// The baseline: each neighbourhood's walkers and drivers split over the corridors their mode
/// can use (by the independent reachability check) in proportion to capacity. Even with no
/// travel time at all, it cannot finish before its busiest checkpoint has screened its share:
/// the plan must be at least that good.
fn proportional_floor_h(s: &Scenario, r: &EvacuationReport) -> f64 {
    let m = maps(s);
    let civilian: Vec<usize> = (0..s.corridors.len())
        .filter(|&k| s.corridors[k].purpose == Purpose::Civilian)
        .collect();
    let mut load = vec![0.0; s.corridors.len()];
    let walkers = s.evacuation.foot_share;
    for (mode, share) in [(0, walkers), (1, 1.0 - walkers)] {
        let usable: Vec<usize> = civilian
            .iter()
            .copied()
            .filter(|&k| reaches_reception_after_crossing(&m[mode], s, k))
            .collect();
        let total: f64 = usable
            .iter()
            .map(|&k| s.corridors[k].capacity_per_hour.unwrap())
            .sum();
        for &k in &usable {
            load[k] += r.leaving * share * s.corridors[k].capacity_per_hour.unwrap() / total;
        }
    }
    civilian
        .iter()
        .map(|&k| {
            let c = &s.corridors[k];
            let hours = c.hours.as_deref().map(|h| {
                let (a, z) = corridor_scenario::parse_hours(h).unwrap();
                (a / 3600.0, z / 3600.0)
            });
            screening_hours(load[k], c.capacity_per_hour.unwrap(), hours)
        })
        .fold(0.0, f64::max)
}

#[test]
fn plans_are_never_worse_than_proportional_shares() {
    // By hand for the example: of those leaving, walkers (70 %) over Enclar and Gil Torres
    // (2,000 : 1,500), drivers (30 %) over all three: Gil Torres gets 0.7 × 3/7 + 0.3 × 0.3 =
    // 39 % of them at 1,500/h for 14 h a day from the 06:00 start (with nobody stranded,
    // 87,750 people: 98.5 h); the plan is much better.
    let (s, r) = example_plan();
    let floor = proportional_floor_h(s, r);
    let open_h = 0.39 * r.leaving / 1500.0;
    let days = (open_h / 14.0).floor();
    let by_hand = days * 24.0 + (open_h - days * 14.0);
    assert!((floor - by_hand).abs() < 0.1, "{floor} vs {by_hand}");
    assert!(r.egress_time_s.unwrap() / 3600.0 <= floor);
    for edit in [
        |m: String| m.replace("foot_share = 0.7", "foot_share = 1.0"),
        |m: String| m.replace("foot_share = 0.7", "foot_share = 0.0"),
        |m: String| m.replace("capacity_per_hour = 2000", "capacity_per_hour = 600"),
    ] {
        let (_d, s) = example_with(edit, &[]);
        let m = maps(&s);
        let r = evacuate(&m[0], &m[1]).unwrap();
        verified(&s, &r);
        let floor = proportional_floor_h(&s, &r);
        let e = r.egress_time_s.unwrap() / 3600.0;
        assert!(e <= floor, "egress {e} h, proportional at best {floor} h");
        assert!(r.gap.unwrap() < 0.03, "gap {:?}: {:?}", r.gap, r.methods);
    }
}

#[test]
fn combatants_stranded_agree_with_an_independent_reachability_check() {
    // Per neighbourhood: can a fighter starting on any foot road inside the enclave within
    // 500 m of its point reach the combatant reception, by petgraph's BFS over the arcs the
    // scenario's rules leave open to the enclave's party? Combatants are spread in proportion
    // to people, so those of the neighbourhoods that cannot are the stranded ones.
    use geo::Contains;
    use petgraph::visit::Bfs;
    let (s, r) = example_plan();
    let m = maps(s);
    let sm = &m[0];
    let g = sm.graph;
    let side = corridor_scenario::Side::Party(s.enclaves[0].party);
    let ground = corridor_analysis::siege::enclave_ground(s, 0);
    let inside =
        |v: usize| ground.contains(&geo::Point::new(g.node_coord[v][0], g.node_coord[v][1]));
    let mut pg = petgraph::graph::DiGraph::<(), ()>::new();
    let nodes: Vec<_> = (0..g.node_count()).map(|_| pg.add_node(())).collect();
    for a in 0..g.arc_count() as u32 {
        if sm.arc_blocked(a, side).is_none() {
            let (u, v) = (g.graph.arc_tail(a), g.graph.arc_head(a));
            pg.add_edge(nodes[u as usize], nodes[v as usize], ());
        }
    }
    let reception = s
        .corridors
        .iter()
        .find(|c| c.purpose == Purpose::Combatant)
        .and_then(|c| c.reception)
        .unwrap();
    let near = |p: [f64; 2], v: usize, d: f64| {
        corridor_roads::geometry::haversine_m(g.node_coord[v], p) <= d
    };
    // Which nodes reach the reception: one BFS on the reversed graph from the nodes near it.
    let mut out = vec![false; g.node_count()];
    let reversed = petgraph::visit::Reversed(&pg);
    for v in (0..g.node_count()).filter(|&v| near(reception, v, 500.0)) {
        if out[v] {
            continue;
        }
        let mut bfs = Bfs::new(reversed, nodes[v]);
        while let Some(x) = bfs.next(reversed) {
            out[x.index()] = true;
        }
    }
    // Where people start (each cell of an area's documented grid, README "Where people
    // start") is the placement rule; reachability from each cell is checked here by BFS.
    let units = corridor_analysis::siege::enclave_units(s, &ground);
    let total: f64 = units.iter().map(|u| u.1).sum();
    let mut stranded = 0.0;
    for (i, people, at) in &units {
        let area = s.population[*i]
            .area
            .as_ref()
            .map(|a| geo::BooleanOps::intersection(a, &ground));
        let all = corridor_analysis::evacuate::start::cells(*at, area.as_ref());
        // People live where a foot road is within 500 m (README "Where people start").
        let lived_in: Vec<[f64; 2]> = all
            .iter()
            .copied()
            .filter(|c| (0..g.node_count()).any(|v| inside(v) && near(*c, v, 500.0)))
            .collect();
        let cells = if lived_in.is_empty() { all } else { lived_in };
        for c in &cells {
            let leaves = (0..g.node_count()).any(|v| inside(v) && near(*c, v, 500.0) && out[v]);
            if !leaves {
                stranded += s.evacuation.combatants * people / total / cells.len() as f64;
            }
        }
    }
    assert!(
        (stranded - r.combatants_stranded).abs() <= 1.0,
        "independent check: {stranded:.0} stranded, the plan: {}",
        r.combatants_stranded
    );
}

/// A lower bound of the civilians' egress from road capacities alone, in seconds, for one
/// mode: petgraph's Dinic maximum flow (people per hour, each arc at its road's documented
/// capacity, crossing arcs unlimited) from every node inside the enclave or within
/// `MAX_START_M` of a neighbourhood (where groups may start) to every node within 500 m of a
/// civilian reception, over the arcs the scenario leaves open to civilians. Every
/// person must enter an arc of the minimum cut, which admits at most that flow per hour, so
/// `people` cannot all have entered it before `people / flow` hours less one bucket.
fn road_cut_floor_s(sm: &corridor_scenario::ScenarioMap, s: &Scenario, people: f64) -> f64 {
    use geo::Contains;
    use petgraph::algo::dinics;
    let g = sm.graph;
    let side = corridor_scenario::Side::CivilianOf(s.enclaves[0].party);
    let ground = corridor_analysis::siege::enclave_ground(s, 0);
    let receptions: Vec<[f64; 2]> = s
        .corridors
        .iter()
        .filter(|c| c.purpose == Purpose::Civilian)
        .filter_map(|c| c.reception)
        .collect();
    let crossing: std::collections::HashSet<u32> = sm
        .checkpoints
        .iter()
        .flat_map(|c| c.edges.iter().copied())
        .collect();
    const UNLIMITED: u64 = 1 << 40;
    let mut pg = petgraph::graph::DiGraph::<(), u64>::new();
    let nodes: Vec<_> = (0..g.node_count()).map(|_| pg.add_node(())).collect();
    let (source, sink) = (pg.add_node(()), pg.add_node(()));
    for a in 0..g.arc_count() as u32 {
        if sm.arc_blocked(a, side).is_some() {
            continue;
        }
        let e = g.arc_edge(a).0;
        let cap = if crossing.contains(&e) {
            UNLIMITED
        } else {
            corridor_analysis::evacuate::edge_capacity_per_hour(
                g,
                e,
                s.evacuation.people_per_vehicle,
            )
            .ceil() as u64
        };
        let (u, v) = (g.graph.arc_tail(a), g.graph.arc_head(a));
        pg.add_edge(nodes[u as usize], nodes[v as usize], cap);
    }
    for (&node, &c) in nodes.iter().zip(&g.node_coord) {
        let start = s.population.iter().any(|p| {
            corridor_roads::geometry::haversine_m(c, p.point)
                <= corridor_analysis::evacuate::MAX_START_M
        });
        if start || ground.contains(&geo::Point::new(c[0], c[1])) {
            pg.add_edge(source, node, UNLIMITED);
        }
        if receptions
            .iter()
            .any(|&r| corridor_roads::geometry::haversine_m(c, r) <= 500.0)
        {
            pg.add_edge(node, sink, UNLIMITED);
        }
    }
    let (per_hour, _) = dinics(&pg, source, sink);
    assert!(per_hour > 0 && per_hour < UNLIMITED, "cut {per_hour}");
    (people / per_hour as f64 * 3600.0 - s.evacuation.bucket_s).max(0.0)
}

#[test]
fn roads_bind_plans_finish_pass_the_check_and_respect_the_road_cut() {
    // Every civilian checkpoint at 200,000 people an hour: streets, not screening, limit the
    // evacuation (the case that did not finish in 180 s before the planner kept its trees).
    let (_d, s) = example_with(
        |m: String| {
            m.replace("capacity_per_hour = 2000", "capacity_per_hour = 200000")
                .replace("capacity_per_hour = 1500", "capacity_per_hour = 200000")
        },
        &[],
    );
    let m = maps(&s);
    let r = evacuate(&m[0], &m[1]).unwrap();
    verified(&s, &r);
    // Those stranded (sector A4's people with only closed roads near, checked by sampling in
    // tests/evacuate_starts.rs) do not depend on checkpoint capacity; everyone else leaves.
    let leaving: f64 = r
        .groups
        .iter()
        .filter(|g| g.purpose == Purpose::Civilian)
        .map(|g| g.people)
        .sum();
    assert!(r.stranded < 0.02 * 250_000.0, "{:?}", r.headline);
    assert!(
        (leaving + r.staying - 250_000.0).abs() < 1.0,
        "people lost: {leaving} leave, {} stay, {} stranded",
        r.staying,
        r.stranded
    );
    assert_ne!(
        r.bottlenecks[0].kind, "checkpoint",
        "roads bind: {:?}",
        r.bottlenecks
    );
    let e = r.egress_time_s.unwrap();
    // People per mode as the plan moves them (a neighbourhood without a car road nearby
    // walks): whatever the split, each mode's people must pass that mode's road cut.
    let moved = |mode: Profile| -> f64 {
        r.groups
            .iter()
            .filter(|g| g.mode == mode && g.purpose == Purpose::Civilian)
            .map(|g| g.people)
            .sum()
    };
    let floor = road_cut_floor_s(&m[0], &s, moved(Profile::Foot)).max(road_cut_floor_s(
        &m[1],
        &s,
        moved(Profile::Car),
    ));
    assert!(
        e + 1e-6 >= floor,
        "egress {e} s below the road cut's {floor} s"
    );
    // The valid bound still holds; it is the road cut's, and it sees at least what the
    // independent road-cut floor sees (that floor starts each person at the cut's entry at
    // once; the bound has their travel times, less at most one bucket of entry rounding).
    // Drivers may walk (README, "Lower bound"), so the bound need not see the plan's mode
    // split: only those who walk whatever the plan does (the scenario's walkers: the foot
    // groups less the drivers who walk) must pass the foot cut in every plan of the model.
    let bound = r.lower_bound_s.unwrap();
    assert!(e + 1.0 >= bound);
    assert_eq!(r.lower_bound_binds.as_deref(), Some("civilian road cut"));
    let walkers = moved(Profile::Foot) - r.walking_drivers;
    assert!(walkers > 0.5 * moved(Profile::Foot), "{walkers} walkers");
    let walkers_floor = road_cut_floor_s(&m[0], &s, walkers);
    assert!(
        bound + s.evacuation.bucket_s >= walkers_floor,
        "road-cut bound {bound} s below the walkers' road-cut floor {walkers_floor} s"
    );
    eprintln!(
        "roads bind: egress {:.2} h, road cut floor {:.2} h, valid bound {:.2} h",
        e / 3600.0,
        floor / 3600.0,
        bound / 3600.0
    );
}

/// The walkers' roads of a [`build`] instance (arcs between nodes `0..n`): per arc its road id
/// (one per unordered pair of ends, so both directions are one road), `INVALID` otherwise.
fn foot_roads(b: &Built, n: u32) -> Vec<u32> {
    (0..b.g.arc_count() as u32)
        .map(|a| {
            let (t, h) = (b.g.arc_tail(a), b.g.arc_head(a));
            if t < n && h < n {
                t.min(h) * n + t.max(h)
            } else {
                INVALID
            }
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]
    /// Combatants walk from `cs` to `cz` on the walkers' roads, and civilians may not use any
    /// road they use. The roads every combatant path must use (`mandatory_edges`) equal the
    /// intersection of the roads of every simple path (brute force), and the civilians' bound
    /// with those roads closed never exceeds the exact optimum over every combatant routing
    /// (the least, over every simple combatant path, of the time-expanded optimum with that
    /// path's roads closed to civilians).
    #[test]
    fn bound_with_the_combatants_mandatory_roads_is_below_the_exact_optimum_of_every_routing(
        x in small(), cs in 0u32..6, cz in 0u32..6,
    ) {
        use corridor_analysis::evacuate::separation::mandatory_edges;
        let b = build(&x);
        let n = x.n as u32;
        let (cs, cz) = (cs % n, cz % n);
        prop_assume!(cs != cz);
        let road = foot_roads(&b, n);
        let open: Vec<bool> = road.iter().map(|&r| r != INVALID).collect();
        let ids: Vec<u32> = road.iter().map(|&r| if r == INVALID { 0 } else { r }).collect();
        let mandatory = mandatory_edges(&b.g, &open, &ids, &[vec![cs]], &[cz]).remove(0);
        let Some(paths) = common::simple_paths_roads(&b.g, &road, cs, cz, 40) else { return Ok(()) };
        if paths.is_empty() {
            prop_assert_eq!(mandatory, None);
            return Ok(());
        }
        let mut every: std::collections::BTreeSet<u32> = paths[0].clone();
        for p in &paths[1..] {
            every = every.intersection(p).copied().collect();
        }
        let mandatory = mandatory.expect("a path exists");
        prop_assert_eq!(&mandatory, &every.iter().copied().collect::<Vec<_>>());
        // The exact optimum over every routing.
        let max_steps = 80u32;
        let open_steps: Vec<Option<Vec<bool>>> = b.closed.iter().map(|c| c.map(|(a, z)| (0..=max_steps).map(|k| k < a || k >= z).collect())).collect();
        let best = paths.iter().filter_map(|used| {
            let mut cap = b.cap.clone();
            for a in 0..b.g.arc_count() {
                if road[a] != INVALID && used.contains(&road[a]) {
                    cap[b.resource[a] as usize] = 0;
                }
            }
            time_expanded_optimum_shared(
                &ExpandedNetwork { graph: &b.g, travel_steps: &b.travel, resource: &b.resource, cap_per_step: &cap, open: &open_steps },
                &b.sources, &[b.sink], max_steps,
            )
        }).min();
        let Some(best) = best else { return Ok(()) };
        // The bound, with the mandatory roads closed to civilians.
        let travel_s: Vec<f64> = (0..b.g.arc_count()).map(|a| {
            if road[a] != INVALID && mandatory.contains(&road[a]) { f64::INFINITY } else { b.travel[a] as f64 }
        }).collect();
        let windows = |c: &Option<(u32, u32)>| c.map(|(a, z)| vec![(0.0, a as f64), (z as f64, 1e9)]);
        let bn = BoundNetwork {
            graph: &b.g,
            crossing_road_capacity: Vec::new(),
            class_sinks: vec![vec![b.sink]],
            travel_s: &travel_s,
            checkpoint_of_arc: &b.checkpoint_of_arc,
            checkpoints: (0..2).map(|c| {
                let r = b.resource[(0..b.g.arc_count()).find(|&a| b.checkpoint_of_arc[a] == c).unwrap()] as usize;
                (b.cap[r] as f64, windows(&b.closed[r]))
            }).collect(),
            bucket_s: 1.0,
            horizon_s: 1000.0,
        };
        let people: Vec<(u32, f64, usize)> = b.sources.iter().filter(|p| p.1 > 0).map(|&(v, p)| (v, p as f64, 0)).collect();
        if let Some(bound) = lower_bound(&instance(&bn, &people)) {
            prop_assert!(bound.time_s <= best as f64 + 1e-9, "bound {} > optimum over routings {best}", bound.time_s);
        } else {
            prop_assert!(people.is_empty(), "the bound finds no schedule but routing exists with optimum {best}");
        }
    }

    /// Spread combatants and civilians who may start from more than one node: two combatant
    /// groups walk from `c0` and `c1` to `cz` (each along any simple path of its own), the
    /// walkers may start from node 0 or `w`, the drivers from `n` or `n + d`. The bound with
    /// every combatant group's mandatory roads closed, its groups' times the least over their
    /// start nodes (`instance_any_start`), never exceeds the exact optimum over every pair of
    /// combatant paths and every choice of start nodes (the time-expanded optimum with the two
    /// paths' roads closed to civilians).
    #[test]
    fn the_any_start_bound_is_below_the_exact_optimum_over_every_spread_routing_and_start(
        x in small(), c0 in 0u32..6, c1 in 0u32..6, cz in 0u32..6, w in 0u32..6, d in 0u32..6,
    ) {
        use corridor_analysis::evacuate::bound::instance_any_start;
        use corridor_analysis::evacuate::separation::mandatory_edges;
        let b = build(&x);
        let n = x.n as u32;
        let (c0, c1, cz, w, d) = (c0 % n, c1 % n, cz % n, w % n, d % n);
        prop_assume!(c0 != cz && c1 != cz);
        let road = foot_roads(&b, n);
        let open: Vec<bool> = road.iter().map(|&r| r != INVALID).collect();
        let ids: Vec<u32> = road.iter().map(|&r| if r == INVALID { 0 } else { r }).collect();
        let mandatory = mandatory_edges(&b.g, &open, &ids, &[vec![c0], vec![c1]], &[cz]);
        let (Some(p0), Some(p1)) = (
            common::simple_paths_roads(&b.g, &road, c0, cz, 6),
            common::simple_paths_roads(&b.g, &road, c1, cz, 6),
        ) else {
            return Ok(());
        };
        prop_assume!(!p0.is_empty() && !p1.is_empty());
        let closed_in_bound: std::collections::BTreeSet<u32> =
            mandatory.iter().flatten().flatten().copied().collect();
        // The exact optimum over every routing and start choice.
        let max_steps = 80u32;
        let open_steps: Vec<Option<Vec<bool>>> = b.closed.iter().map(|c| c.map(|(a, z)| (0..=max_steps).map(|k| k < a || k >= z).collect())).collect();
        let mut best: Option<u32> = None;
        for r0 in &p0 {
            for r1 in &p1 {
                let mut cap = b.cap.clone();
                for a in 0..b.g.arc_count() {
                    if road[a] != INVALID && (r0.contains(&road[a]) || r1.contains(&road[a])) {
                        cap[b.resource[a] as usize] = 0;
                    }
                }
                for (sw, sd) in [(0, n), (w, n), (0, n + d), (w, n + d)] {
                    let sources = [(sw, b.sources[0].1), (sd, b.sources[1].1)];
                    let opt = time_expanded_optimum_shared(
                        &ExpandedNetwork { graph: &b.g, travel_steps: &b.travel, resource: &b.resource, cap_per_step: &cap, open: &open_steps },
                        &sources, &[b.sink], max_steps,
                    );
                    if let Some(t) = opt {
                        best = Some(best.map_or(t, |x| x.min(t)));
                    }
                }
            }
        }
        let Some(best) = best else { return Ok(()) };
        let travel_s: Vec<f64> = (0..b.g.arc_count()).map(|a| {
            if road[a] != INVALID && closed_in_bound.contains(&road[a]) { f64::INFINITY } else { b.travel[a] as f64 }
        }).collect();
        let windows = |c: &Option<(u32, u32)>| c.map(|(a, z)| vec![(0.0, a as f64), (z as f64, 1e9)]);
        let bn = BoundNetwork {
            graph: &b.g,
            crossing_road_capacity: Vec::new(),
            class_sinks: vec![vec![b.sink]],
            travel_s: &travel_s,
            checkpoint_of_arc: &b.checkpoint_of_arc,
            checkpoints: (0..2).map(|c| {
                let r = b.resource[(0..b.g.arc_count()).find(|&a| b.checkpoint_of_arc[a] == c).unwrap()] as usize;
                (b.cap[r] as f64, windows(&b.closed[r]))
            }).collect(),
            bucket_s: 1.0,
            horizon_s: 1000.0,
        };
        let people: Vec<(Vec<u32>, f64, usize)> = [(vec![0, w], b.sources[0].1), (vec![n, n + d], b.sources[1].1)]
            .into_iter()
            .filter(|p| p.1 > 0)
            .map(|(v, p)| (v, p as f64, 0))
            .collect();
        match lower_bound(&instance_any_start(&bn, &people)) {
            Some(bound) => prop_assert!(bound.time_s <= best as f64 + 1e-9, "bound {} > optimum over routings and starts {best}", bound.time_s),
            None => prop_assert!(people.is_empty(), "the bound finds no schedule but one exists with optimum {best}"),
        }
    }

    /// `mandatory_edges` against petgraph: a road is on every way from the start set to the
    /// sinks iff removing it leaves no way (breadth-first search over the rest).
    #[test]
    fn mandatory_roads_are_exactly_those_whose_removal_cuts_the_way(
        (n, roads, starts, sinks) in (3usize..9).prop_flat_map(|n| (
            Just(n),
            proptest::collection::vec((0..n as u32, 0..n as u32, any::<bool>()), 1..2 * n),
            proptest::collection::vec(0..n as u32, 1..3),
            proptest::collection::vec(0..n as u32, 1..3),
        ))
    ) {
        use corridor_analysis::evacuate::separation::mandatory_edges;
        use petgraph::visit::{Bfs, EdgeFiltered};
        // Road i joins (u, v), both ways or (one_way) u -> v only.
        let mut pairs = Vec::new();
        let mut road_of = Vec::new();
        for (i, &(u, v, one_way)) in roads.iter().enumerate() {
            pairs.push((u, v));
            road_of.push(i as u32);
            if !one_way {
                pairs.push((v, u));
                road_of.push(i as u32);
            }
        }
        let (g, ids) = Graph::from_arcs(n, &pairs);
        let mut edge = vec![0u32; pairs.len()];
        for (i, &id) in ids.iter().enumerate() {
            edge[id as usize] = road_of[i];
        }
        let got = mandatory_edges(&g, &vec![true; pairs.len()], &edge, std::slice::from_ref(&starts), &sinks).remove(0);
        let mut pg = petgraph::graph::DiGraph::<(), u32>::new();
        let nodes: Vec<_> = (0..n).map(|_| pg.add_node(())).collect();
        for (i, &(u, v)) in pairs.iter().enumerate() {
            pg.add_edge(nodes[u as usize], nodes[v as usize], road_of[i]);
        }
        let reaches = |without: Option<u32>| {
            let view = EdgeFiltered::from_fn(&pg, |e| Some(*e.weight()) != without);
            starts.iter().any(|&s| {
                let mut bfs = Bfs::new(&view, nodes[s as usize]);
                while let Some(x) = bfs.next(&view) {
                    if sinks.contains(&(x.index() as u32)) {
                        return true;
                    }
                }
                false
            })
        };
        if !reaches(None) {
            prop_assert_eq!(got, None);
        } else {
            let oracle: Vec<u32> = (0..roads.len() as u32).filter(|&r| !reaches(Some(r))).collect();
            prop_assert_eq!(got, Some(oracle));
        }
    }
}

/// The example with its combatants at `[[evacuation.assembly_points]]` (`points`: TOML of
/// the entries), `[evacuation] combatants` replaced by `combatants`.
fn with_assembly_points(combatants: &str, points: &str) -> tempfile::TempDir {
    let points = points.to_string();
    let combatants = combatants.to_string();
    example_dir(
        move |m| m.replace("combatants = 2000\n", &combatants) + "\n" + &points,
        &[],
    )
}

#[test]
fn combatants_start_at_their_assembly_points_by_hand() {
    // 1,500 at the middle of Sector A3 (whose spread combatants reach CS-101) and 500 at the
    // middle of Sector A1 (from which no foot road within 500 m leads to a combatant
    // corridor's reception); `combatants` left out: it is their sum.
    let dir = with_assembly_points(
        "",
        "[[evacuation.assembly_points]]\nname = \"South barracks\"\npoint = [42.5045, 1.533]\ncombatants = 1500\n\n\
         [[evacuation.assembly_points]]\nname = \"West school\"\npoint = [42.5045, 1.51625]\ncombatants = 500\n",
    );
    let s = load_dir(dir.path());
    assert_eq!(s.evacuation.combatants, 2000.0);
    let m = maps(&s);
    let r = evacuate(&m[0], &m[1]).unwrap();
    verified(&s, &r);
    // By hand: everyone from the West school is stranded, nobody else.
    assert_eq!(
        r.combatants_stranded, 500.0,
        "{:?}",
        r.combatants_stranded_because
    );
    assert!(r
        .combatants_stranded_because
        .iter()
        .all(|x| x.contains("West school")));
    let from = |name: &str| -> f64 {
        r.groups
            .iter()
            .filter(|g| g.purpose == Purpose::Combatant)
            .inspect(|g| assert_eq!(g.neighbourhood, None))
            .filter(|g| g.assembly_point.as_deref() == Some(name))
            .map(|g| g.people)
            .sum()
    };
    assert!((from("South barracks") - 1500.0).abs() < 1e-6);
    assert_eq!(from("West school"), 0.0);
    // CS-101 screens 500 an hour, 500 / 12 per 5-minute bucket, and a bucket that starts at
    // the hour counts as crossed at it: by hour h at most 500 h + 500 / 12 have crossed, so at
    // least 2,000 − that are inside (the 500 stranded stay to the end); civilians'
    // neighbourhoods start full (no combatant is taken from them).
    for row in &r.remaining_by_hour {
        let crossed_at_most = 500.0 * row.hour as f64 + 500.0 / 12.0;
        assert!(
            row.combatants_inside >= 2000.0 - crossed_at_most - 1.0,
            "{row:?}"
        );
        assert!(row.combatants_inside >= 500.0);
    }
    assert_eq!(r.remaining_by_hour.last().unwrap().combatants_inside, 500.0);
    for (i, n) in r.neighbourhoods.iter().enumerate() {
        assert_eq!(r.remaining_by_hour[0].by_neighbourhood[i], n.people);
    }
    assert!(r
        .assumptions
        .iter()
        .any(|a| a.contains("1500 at 'South barracks'")));
}

#[test]
fn bad_assembly_points_get_clear_messages() {
    let load = |combatants: &str, points: &str| {
        let dir = with_assembly_points(combatants, points);
        corridor_scenario::load(&dir.path().join("scenario.toml"))
            .map(|_| ())
            .map_err(|e| e.to_string())
    };
    let one = |name: &str, point: &str, n: &str| {
        format!("[[evacuation.assembly_points]]\nname = \"{name}\"\npoint = {point}\ncombatants = {n}\n")
    };
    let e = load("", &one("Depot", "[42.5045, 1.533]", "-5")).unwrap_err();
    assert!(
        e.contains("scenario.toml")
            && e.contains("'Depot'")
            && e.contains("combatants = -5")
            && e.contains("more than zero"),
        "{e}"
    );
    let e = load(
        "combatants = 2000\n",
        &one("Depot", "[42.5045, 1.533]", "1500"),
    )
    .unwrap_err();
    assert!(
        e.contains("combatants = 2000") && e.contains("hold 1500"),
        "{e}"
    );
    let e = load("", &one("Depot", "[95.0, 1.533]", "10")).unwrap_err();
    assert!(
        e.contains("'Depot'") && e.contains("not a valid [LAT, LON]"),
        "{e}"
    );
    let two =
        one("Depot", "[42.5045, 1.533]", "10") + "\n" + &one("Depot", "[42.5085, 1.533]", "10");
    let e = load("", &two).unwrap_err();
    assert!(e.contains("second assembly point"), "{e}");
    // Valid coordinates, but outside the enclave: refused when planning (it needs the map).
    assert!(load(
        "combatants = 10\n",
        &one("Beyond", "[42.4990, 1.5300]", "10")
    )
    .is_ok());
    let dir = with_assembly_points("", &one("Beyond", "[42.4990, 1.5300]", "10"));
    let s = load_dir(dir.path());
    let m = maps(&s);
    let e = evacuate(&m[0], &m[1])
        .expect_err("outside the enclave")
        .to_string();
    assert!(
        e.contains("scenario.toml")
            && e.contains("assembly point 'Beyond'")
            && e.contains("outside the enclave"),
        "{e}"
    );
}

/// The example with `population` as its population layer (GeoJSON features, joined by commas).
fn with_population(features: &[String]) -> Scenario {
    let geojson = format!(
        "{{\"type\":\"FeatureCollection\",\"features\":[{}]}}",
        features.join(",")
    );
    let dir = example_dir(|m| m, &[("population.geojson", &geojson)]);
    load_dir(dir.path())
}

#[test]
fn an_areas_combatants_close_the_roads_every_cell_of_it_needs_as_points_at_its_cells_do() {
    // One long area (row B of the example, 2.7 km by 450 m) holding everyone, its combatants
    // spread over it; and the same people as point places at the centres of its start cells.
    // Combatants start from every cell either way, so the roads every combatant routing must
    // use — closed to civilians in the bound — are the same: the oracle is the point places,
    // whose start sets are the 500 m around each point (not the area's one interior point).
    let ring = "[[1.512,42.5065],[1.545,42.5065],[1.545,42.5105],[1.512,42.5105],[1.512,42.5065]]";
    let area = format!(
        "{{\"type\":\"Feature\",\"properties\":{{\"name\":\"Row B\",\"people\":60000}},\"geometry\":{{\"type\":\"Polygon\",\"coordinates\":[{ring}]}}}}"
    );
    let x = with_population(&[area]);
    let cells = corridor_analysis::evacuate::start::cells(
        x.population[0].point,
        x.population[0].area.as_ref(),
    );
    assert!(cells.len() > 30, "{}", cells.len());
    let each = 60000.0 / cells.len() as f64;
    let points: Vec<String> = cells
        .iter()
        .enumerate()
        .map(|(i, c)| {
            format!(
                "{{\"type\":\"Feature\",\"properties\":{{\"name\":\"cell {i}\",\"people\":{each}}},\"geometry\":{{\"type\":\"Point\",\"coordinates\":[{},{}]}}}}",
                c[0], c[1]
            )
        })
        .collect();
    let y = with_population(&points);
    let (mx, my) = (maps(&x), maps(&y));
    let (rx, ry) = (
        evacuate(&mx[0], &mx[1]).unwrap(),
        evacuate(&my[0], &my[1]).unwrap(),
    );
    assert!(ry.combatant_roads_in_bound > 0);
    assert_eq!(rx.combatant_roads_in_bound, ry.combatant_roads_in_bound);
    verified(&x, &rx);
}

#[test]
fn when_everyone_stays_the_report_says_so_not_that_nobody_can_leave() {
    // stay_share = 1 and no combatants: by hand, nobody leaves and nobody is stranded, so
    // there is no egress and no gap, and the reason is that everyone stays — not that every
    // neighbourhood is cut off (the example's people can reach its corridors).
    let dir = example_dir(
        |m| {
            m.replace("stay_share = 0.1", "stay_share = 1.0")
                .replace("combatants = 2000\n", "combatants = 0\n")
        },
        &[],
    );
    let s = load_dir(dir.path());
    let m = maps(&s);
    let r = evacuate(&m[0], &m[1]).unwrap();
    assert_eq!((r.leaving, r.stranded), (0.0, 0.0));
    assert_eq!((r.egress_time_s, r.gap), (None, None));
    let why = r.no_egress_because.as_deref().unwrap();
    assert!(why.contains("stay_share"), "{why}");
    assert!(!why.contains("stranded"), "{why}");
    assert!(
        r.headline.iter().all(|h| !h.contains("cannot leave")),
        "{:?}",
        r.headline
    );
    assert!(r.headline[0].contains("nobody leaves"), "{:?}", r.headline);
    verified(&s, &r);
}

#[test]
fn the_kept_routing_reports_the_civilians_finished_egress() {
    // The kept combatant routing's `final_civilian_egress_s` is the civilians' egress after
    // every schedule (review, session 11: it was given only when a second routing was carried
    // as far, and the kept row's `civilian_egress_s` is the first plan's). Oracle: the latest
    // civilian corridor's last arrival, which the report adds up from the reservations.
    let (_, r) = example_plan();
    let kept: Vec<_> = r.combatant_routings.iter().filter(|x| x.kept).collect();
    assert_eq!(kept.len(), 1, "{:?}", r.combatant_routings);
    let last = r
        .corridors
        .iter()
        .filter(|c| c.purpose == Purpose::Civilian)
        .filter_map(|c| c.last_arrival_s)
        .fold(0.0, f64::max);
    let f = kept[0]
        .final_civilian_egress_s
        .expect("the kept routing's finished egress");
    assert!(
        (f - last).abs() <= 1.0,
        "final {f} s, last civilian arrival {last} s"
    );
}

#[test]
fn when_everyone_stays_no_count_is_negative_zero() {
    // stay_share = 1 with combatants: no civilian leaves, so every civilian count is 0 — and a
    // plain 0, not -0.0 (an empty f64 sum is -0.0 in Rust, which JSON prints as "-0.0").
    let dir = example_dir(|m| m.replace("stay_share = 0.1", "stay_share = 1.0"), &[]);
    let s = load_dir(dir.path());
    let m = maps(&s);
    let r = evacuate(&m[0], &m[1]).unwrap();
    assert_eq!(r.leaving, 0.0);
    let rows = &r.combatant_routings;
    assert!(!rows.is_empty());
    for row in rows {
        if let Some(x) = row.civilians_stranded {
            assert!(x == 0.0 && x.is_sign_positive(), "{}: {x:?}", row.routing);
        }
    }
    assert!(r.stranded.is_sign_positive(), "{:?}", r.stranded);
}

#[test]
fn odd_places_conserve_their_people_and_pass_the_check() {
    // Places the start rule must handle: partly outside, thinner than a cell, on a hillside
    // corner (an area and a point) where every road within 500 m is closed.
    let feature = |name: &str, people: f64, geometry: String| {
        format!("{{\"type\":\"Feature\",\"properties\":{{\"name\":\"{name}\",\"people\":{people}}},\"geometry\":{geometry}}}")
    };
    let square = |lon0: f64, lat0: f64, lon1: f64, lat1: f64| {
        format!("{{\"type\":\"Polygon\",\"coordinates\":[[[{lon0},{lat0}],[{lon1},{lat0}],[{lon1},{lat1}],[{lon0},{lat1}],[{lon0},{lat0}]]]}}")
    };
    let s = with_population(&[
        // Half of it west of the enclave (lon < 1.512).
        feature(
            "half outside",
            10000.0,
            square(1.505, 42.506, 1.519, 42.509),
        ),
        // 10 m by 10 m in town: thinner than a cell.
        feature("tiny", 3000.0, square(1.5300, 42.5080, 1.53012, 42.50809)),
        // The south-east hillside corner.
        feature("corner", 2000.0, square(1.5435, 42.5025, 1.545, 42.5035)),
        feature(
            "point corner",
            1000.0,
            "{\"type\":\"Point\",\"coordinates\":[1.5449,42.5026]}".into(),
        ),
        feature("town", 20000.0, square(1.525, 42.505, 1.535, 42.51)),
    ]);
    let m = maps(&s);
    let r = evacuate(&m[0], &m[1]).unwrap();
    verified(&s, &r);
    // By hand: half the first area lies outside the enclave (lon 1.505 to 1.519, the enclave
    // from 1.512), so half its people are besieged; a place thinner than a cell still starts
    // its people (from its interior point); nobody is lost between leaving and staying.
    let n = |name: &str| r.neighbourhoods.iter().find(|n| n.name == name).unwrap();
    assert_eq!(n("half outside").people, 5000.0);
    assert_eq!((n("tiny").stranded, n("tiny").leaving), (0.0, 2700.0));
    for n in &r.neighbourhoods {
        assert!((n.leaving + n.staying - n.people).abs() <= 1.0, "{n:?}");
    }
    let by_group: f64 = r
        .groups
        .iter()
        .filter(|g| g.purpose == Purpose::Civilian)
        .map(|g| g.people)
        .sum();
    assert!((by_group - r.leaving).abs() <= 1.0);
}

#[test]
fn combatants_assembled_on_a_civilian_checkpoint_keep_the_plan_checkable() {
    // 300 combatants assemble exactly on the Enclar crossing's checkpoint and 200 at the
    // middle of Sector A3; the roads every combatant way needs are closed to civilians in plan
    // and bound alike, so the bound stays below the plan.
    let dir = with_assembly_points(
        "",
        "[[evacuation.assembly_points]]\nname = \"On Enclar\"\npoint = [42.50255, 1.51284]\ncombatants = 300\n\n\
         [[evacuation.assembly_points]]\nname = \"South barracks\"\npoint = [42.5045, 1.533]\ncombatants = 200\n",
    );
    let s = load_dir(dir.path());
    let m = maps(&s);
    let r = evacuate(&m[0], &m[1]).unwrap();
    verified(&s, &r);
    // By hand: from the Enclar checkpoint, as from the middle of Sector A1, no foot road within
    // 500 m leads to CS-101's reception, so those 300 never move and close no road to
    // civilians: Enclar still screens civilians; the 200 from the barracks all leave.
    assert_eq!(r.combatants_stranded, 300.0);
    assert!(r
        .combatants_stranded_because
        .iter()
        .all(|x| x.contains("On Enclar")));
    let enclar = r.corridors.iter().find(|c| c.name == "Enclar crossing");
    assert!(enclar.unwrap().people > 50_000.0);
    let (e, b) = (r.egress_time_s.unwrap(), r.lower_bound_s.unwrap());
    assert!(b <= e, "{b} > {e}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// The kept search trees against checkpoints that open late (buckets of zero capacity
    /// before opening), many sources on few nodes and tied travel times: `ccrp_cross_checked`
    /// compares every repaired tree's answer with a search from scratch (and panics if they
    /// differ); the plan routes everyone the exact time-expanded optimum routes, never beats
    /// it, and never overfills a bucket.
    #[test]
    fn kept_trees_agree_with_fresh_searches_when_checkpoints_open_late(
        (n, roads, sources, open_a, open_b, cap_a, cap_b) in (4usize..8).prop_flat_map(|n| (
            Just(n),
            proptest::collection::vec((0..n as u32, 0..n as u32, 1u32..3, 1u32..4), n..3 * n),
            proptest::collection::vec((0..n as u32, 0u32..12), 1..5),
            0u32..6, 0u32..12, 1u32..4, 1u32..3,
        ))
    ) {
        let sink = n as u32;
        // Every node walks to checkpoint A's approach (n − 1) in 2 steps, one person a step:
        // ties everywhere. A: n − 1 → sink, 1 step, opens at `open_a`; B: n − 2 → sink,
        // 2 steps, opens at `open_b`.
        let mut list: Vec<(u32, u32, u32, u32)> = roads.into_iter().filter(|a| a.0 != a.1).collect();
        list.extend((0..n as u32 - 1).map(|v| (v, n as u32 - 1, 2, 1)));
        let roads_end = list.len();
        list.push((n as u32 - 1, sink, 1, cap_a));
        list.push((n as u32 - 2, sink, 2, cap_b));
        let pairs: Vec<(u32, u32)> = list.iter().map(|a| (a.0, a.1)).collect();
        let (g, ids) = Graph::from_arcs(n + 1, &pairs);
        let m = list.len();
        let (mut travel, mut cap, mut resource) = (vec![0u32; m], vec![0u32; m], vec![0u32; m]);
        for (i, a) in list.iter().enumerate() {
            let id = ids[i] as usize;
            travel[id] = a.2;
            resource[id] = id as u32;
            cap[id] = a.3;
        }
        let opens_at = |a: usize| -> Option<u32> {
            let i = ids.iter().position(|&x| x as usize == a).unwrap();
            match i.checked_sub(roads_end) {
                Some(0) => Some(open_a),
                Some(_) => Some(open_b),
                None => None,
            }
        };
        let max_steps = 90u32;
        let open: Vec<Option<Vec<bool>>> = (0..m)
            .map(|a| opens_at(a).map(|o| (0..=max_steps).map(|k| k >= o).collect()))
            .collect();
        let people: Vec<(u32, u32)> = sources;
        let opt = time_expanded_optimum_shared(
            &ExpandedNetwork { graph: &g, travel_steps: &travel, resource: &resource, cap_per_step: &cap, open: &open },
            &people, &[sink], max_steps,
        );
        let Some(opt) = opt else { return Ok(()) };
        let net = FlowNetwork {
            graph: &g,
            travel_s: travel.iter().map(|&t| t as f64).collect(),
            resource: resource.clone(),
            second_resource: Vec::new(),
            capacity: cap.iter().map(|&c| c as f64).collect(),
            open: (0..m).map(|a| opens_at(a).map(|o| vec![(o as f64, 1e9)])).collect(),
            bucket_s: 1.0,
            horizon_buckets: 500,
        };
        let fp: Vec<(u32, f64)> = people.iter().map(|&(v, p)| (v, p as f64)).collect();
        let plan = ccrp_cross_checked(&net, &plain_sources(&fp, &[sink]));
        let total: u32 = people.iter().map(|p| p.1).sum();
        let routed: f64 = plan.reservations.iter().map(|r| r.people).sum();
        prop_assert!((routed - total as f64).abs() < 1e-6, "routed {routed} of {total}");
        let egress = plan.reservations.iter().map(|r| r.arrive_s).fold(0.0, f64::max);
        prop_assert!(total == 0 || egress + 1e-9 >= opt as f64, "CCRP {egress} < optimum {opt}");
        for (r, used) in plan.used.iter().enumerate() {
            for (k, &u) in used.iter().enumerate() {
                prop_assert!(u <= net.bucket_capacity(r, k as u32) + 1e-9);
            }
        }
        // The same answer without the cross-check.
        prop_assert_eq!(ccrp(&net, &plain_sources(&fp, &[sink])).reservations, plan.reservations);
    }
}

#[test]
fn only_combatants_can_leave_and_the_headline_says_the_civilians_cannot_first() {
    // Every civilian crossing becomes a combatant one (civilians have none), and 200
    // combatants assemble in the middle of Sector A3, from where CS-101 is reachable.
    let (_d, s) = example_with(
        |m| {
            m.replace("purpose = \"civilian\"", "purpose = \"combatant\"")
                .replace("combatants = 2000\n", "")
                + "\n[[evacuation.assembly_points]]\nname = \"South barracks\"\npoint = [42.5045, 1.533]\ncombatants = 200\n"
        },
        &[],
    );
    let m = maps(&s);
    let r = evacuate(&m[0], &m[1]).unwrap();
    verified(&s, &r);
    // Those who can leave (the combatants) have an egress time and a bound below it.
    assert!(r.lower_bound_s.unwrap() <= r.egress_time_s.unwrap());
    assert!(
        r.headline[1].starts_with("of those who can leave"),
        "{:?}",
        r.headline
    );
    // By hand: 90 % of 250,000 would leave, none can; the 200 combatants all can.
    assert_eq!(r.stranded, 225_000.0);
    assert_eq!(r.combatants_stranded, 0.0);
    assert!(
        r.headline[0].contains("225000 of 250000"),
        "{:?}",
        r.headline
    );
}

#[test]
fn with_nobody_walking_the_assumptions_do_not_promise_walking_drivers() {
    // foot_share = 0 builds no walking network (README, "Lower bound", "Drivers may walk"):
    // drivers cannot walk and the bound counts them from car roads only, so the assumptions
    // must say that, not that the bound lets every driver start on foot (found in review).
    let (_d, s) = example_with(
        |m: String| m.replace("foot_share = 0.7", "foot_share = 0.0"),
        &[],
    );
    assert_eq!(s.evacuation.foot_share, 0.0);
    let m = maps(&s);
    let r = evacuate(&m[0], &m[1]).unwrap();
    assert_eq!(r.walking_drivers, 0.0, "nobody can walk");
    assert!(
        r.assumptions
            .iter()
            .any(|a| a.contains("nobody walks (foot_share 0)")),
        "{:?}",
        r.assumptions
    );
    assert!(
        !r.assumptions
            .iter()
            .any(|a| a.contains("start on foot or by car")),
        "{:?}",
        r.assumptions
    );
    // The example's own scenario (70 % walk) keeps the walking-drivers wording.
    let (_, e) = example_plan();
    assert!(e
        .assumptions
        .iter()
        .any(|a| a.contains("start on foot or by car")));
}
