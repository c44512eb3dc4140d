//! The planner chooses per place whether drivers drive or walk (the sixth and seventh
//! schedules' flow over time starts a driving cell's people on its foot nodes as well, README
//! "Evacuation"), checked through the command line on hand-built maps against a brute-force
//! optimum over every split of each neighbourhood's drivers between walking and driving, and by
//! the independent check (`evacuate --verify`).
//!
//! The map (x m east, y m north of (0°, 0°)): the civilian crossing W0 (node 1, (0, 0)) – the
//! reception (node 9, (−1,200, 0)), one residential way carrying the checkpoint (at −300 m,
//! 200,000/h), 100 m wide with 20 lanes so that neither its own capacities nor the
//! checkpoint ever bind. A (node 2, (300, 0)) reaches W0 by way 102 (300 m); B (node 4, (300,
//! 700)) by way 103 over C (node 6, (0, 700)), 1,000 m. Both are residential (25 km/h by car,
//! 5 km/h on foot); each test tags their `width` (walkers: 1.3 × width × 3,600 per hour) and
//! `lanes` (drivers: 1,800 × 3 people per lane and hour, at least one lane a way). A's people
//! live at (600, −100), 316 m from node 2 and farther than 500 m from any other node; B's at
//! (600, 800), 316 m from node 4 alone. Nobody stays.
//!
//! The two neighbourhoods' roads meet only on W0's way, which never binds: the optimum is the
//! later of the two neighbourhoods' own optima, each the best split of its drivers into walkers
//! (who join its walkers on its road's foot capacity) and drivers (on its car capacity), by
//! the fluid count the planner reports (travel time of the route + people ÷ capacity of its
//! narrow road): the brute force below tries every whole number of drivers who walk.

mod common;
use common::hand_map::*;
use common::*;

const WALK_M_S: f64 = 5.0 / 3.6;
const CAR_M_S: f64 = 25.0 / 3.6;
const PEOPLE_PER_VEHICLE: f64 = 3.0;
/// Metres from each neighbourhood's start node to the reception (A: 300 + 1,200; B: 300 + 700
/// + 1,200).
const ROUTE_M: [f64; 2] = [1500.0, 2200.0];

/// One neighbourhood's road to W0: its people, the width (m) and lanes (both directions)
/// tagged on it.
#[derive(Debug, Clone, Copy)]
struct Road {
    people: f64,
    width: &'static str,
    lanes: &'static str,
}

impl Road {
    /// People per second on foot and by car.
    fn capacities(&self) -> (f64, f64) {
        let width: f64 = self.width.parse().unwrap();
        let lanes: f64 = self.lanes.parse().unwrap();
        (
            1.3 * width,
            (lanes / 2.0).max(1.0) * 1800.0 * PEOPLE_PER_VEHICLE / 3600.0,
        )
    }
}

/// The town's nodes: W0 (1), A's start (2), B's (4) over C (6), the reception (9), the
/// combatants' crossing (5 – 10), and `more`.
fn town_nodes(more: &[(i64, f64, f64)]) -> Vec<(i64, f64, f64)> {
    let mut nodes = vec![
        (1, 0.0, 0.0),
        (2, 300.0, 0.0),
        (4, 300.0, 700.0),
        (5, 2000.0, 0.0),
        (6, 0.0, 700.0),
        (9, -1200.0, 0.0),
        (10, 3800.0, 0.0),
    ];
    nodes.extend_from_slice(more);
    nodes
}

/// Writes the town: W0's way (101, never binding), the combatants' crossing (104, unused),
/// `roads` between them, A's and B's people and the manifest; returns the folder.
fn write_town(
    more_nodes: &[(i64, f64, f64)],
    roads: Vec<osm::Way>,
    people: [f64; 2],
    title: &str,
    foot_share: f64,
) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut ways = vec![
        never_binding_way(101, &[1, 9]),
        // The combatants' crossing (no combatants: nobody uses it).
        osm::way(104, &[5, 10], &[("highway", "residential")]),
    ];
    ways.extend(roads);
    write_map(dir.path(), &town_nodes(more_nodes), &ways);
    write_territory(dir.path());
    write_population(
        dir.path(),
        &[
            ("A", 600.0, -100.0, people[0]),
            ("B", 600.0, 800.0, people[1]),
        ],
    );
    write_manifest(
        dir.path(),
        title,
        200_000,
        200_000,
        &format!("foot_share = {foot_share}\nstay_share = 0\n"),
    );
    dir
}

/// The town with A's and B's roads as given (`foot_share` as given).
fn scenario(roads: [Road; 2], foot_share: f64) -> tempfile::TempDir {
    let tags = |r: Road| {
        vec![
            ("highway", "residential"),
            ("width", r.width),
            ("lanes", r.lanes),
        ]
    };
    write_town(
        &[],
        vec![
            osm::way(102, &[2, 1], &tags(roads[0])),
            osm::way(103, &[4, 6, 1], &tags(roads[1])),
        ],
        [roads[0].people, roads[1].people],
        "Mode choice (hand-built)",
        foot_share,
    )
}

/// A neighbourhood's finish when `walking` of its drivers walk (the fluid count: route time +
/// people ÷ narrow road's capacity, per mode; a mode nobody uses finishes at 0).
fn finish_s(k: usize, r: Road, foot_share: f64, walking: f64) -> f64 {
    let (foot, car) = r.capacities();
    let walkers = r.people * foot_share + walking;
    let drivers = r.people * (1.0 - foot_share) - walking;
    let on_foot = if walkers > 0.0 {
        ROUTE_M[k] / WALK_M_S + walkers / foot
    } else {
        0.0
    };
    let by_car = if drivers > 1e-9 {
        ROUTE_M[k] / CAR_M_S + drivers / car
    } else {
        0.0
    };
    on_foot.max(by_car)
}

/// The optimum by brute force over every whole number of each neighbourhood's drivers who
/// walk, and the finishes when every driver drives and when every driver walks.
fn optimum(roads: [Road; 2], foot_share: f64) -> (f64, f64, f64) {
    let mut best = 0.0_f64;
    let (mut drive, mut walk) = (0.0_f64, 0.0_f64);
    for (k, &r) in roads.iter().enumerate() {
        let drivers = r.people * (1.0 - foot_share);
        let own = (0..=drivers.round() as usize)
            .map(|n| finish_s(k, r, foot_share, (n as f64).min(drivers)))
            .fold(f64::INFINITY, f64::min);
        best = best.max(own);
        drive = drive.max(finish_s(k, r, foot_share, 0.0));
        walk = walk.max(finish_s(k, r, foot_share, drivers));
    }
    (best, drive, walk)
}

/// People per neighbourhood (index) and mode among the plan's civilian groups.
fn planned(v: &serde_json::Value, unit: usize, mode: &str) -> f64 {
    v["groups"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["purpose"] == "civilian" && g["neighbourhood"] == unit && g["mode"] == mode)
        .map(|g| g["people"].as_f64().unwrap())
        .sum()
}

/// A's drivers are held up by its one lane but its road is 100 m wide; B's road is 1 m wide but
/// has 20 lanes: the optimum walks A's drivers and drives B's. Every driver driving finishes
/// at 216 s + 5,400 ÷ 1.5/s = 3,816 s (A's lane); every driver walking at 1,584 s + 2,000 ÷
/// 1.3/s = 3,122 s (B's footway); A walking and B driving at B's 200 walkers' 1,584 + 200 ÷ 1.3
/// = 1,738 s. The plan must reach that within 13 s (CCRP's fluid finish on 300-s buckets, as
/// the other hand-built cases), with A's drivers on foot and B's in cars, and pass `--verify`.
/// Filtering the foot nodes out of a driving cell's starts again (`plan::usable_starts`)
/// plans every driver by car: 3,816 s, and the test fails.
#[test]
fn one_neighbourhood_walks_and_the_other_drives() {
    let roads = [
        Road {
            people: 6000.0,
            width: "100",
            lanes: "1",
        },
        Road {
            people: 2000.0,
            width: "1",
            lanes: "20",
        },
    ];
    let (best, drive, walk) = optimum(roads, 0.1);
    assert!((best - 1737.8).abs() < 1.0, "hand count {best}");
    assert!(
        drive > best + 1000.0 && walk > best + 1000.0,
        "{drive} {walk}"
    );
    let dir = scenario(roads, 0.1);
    let v = plan_and_verify(&dir);
    let egress = v["egress_time_s"].as_f64().unwrap();
    assert!(
        egress >= best - 1.0 && egress <= best + 13.0,
        "egress {egress} s, optimum {best} s (all drive {drive} s, all walk {walk} s); methods {}",
        v["methods"]
    );
    let bound = v["lower_bound_s"].as_f64().unwrap();
    assert!(
        bound <= best + 1.0,
        "bound {bound} above the optimum {best}"
    );
    // B's drivers all drive (one of them walking would finish after B's walkers); enough of A's
    // walk that its lane is through by the optimum.
    assert!(
        (planned(&v, 1, "car") - 1800.0).abs() < 1.0,
        "B by car: {}",
        planned(&v, 1, "car")
    );
    let a_on_foot = planned(&v, 0, "foot");
    let (_, a_car) = roads[0].capacities();
    let a_can_drive = (best - ROUTE_M[0] / CAR_M_S) * a_car;
    assert!(
        a_on_foot >= 6000.0 - a_can_drive - 1.0,
        "A on foot: {a_on_foot} (at most {a_can_drive} can drive by {best} s)"
    );
    let notes = v["neighbourhoods"][0]["notes"].to_string();
    assert!(notes.contains("by the plan's choice, per place"), "{notes}");
    // The per-mode flow over time schedules start every cell in its own mode, whatever an
    // earlier schedule did with its group (the fifth walks some of A's drivers and regroups
    // the cell on foot): A's drivers drive, so those schedules finish no earlier than A's
    // lane lets its 5,400 drivers through, 216 s + 5,400 ÷ 1.5/s = 3,816 s (less CCRP's
    // 13 s). Taking the group's mode started them on foot only (review s11, finding 3).
    let (_, a_car) = roads[0].capacities();
    let a_floor = ROUTE_M[0] / CAR_M_S + 5400.0 / a_car;
    assert!((a_floor - 3816.0).abs() < 1.0, "{a_floor}");
    let per_mode: Vec<f64> = v["methods"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| {
            m["method"]
                .as_str()
                .unwrap()
                .starts_with("flow over time's starts, ")
                || m["method"] == "flow over time's starts a little later, then CCRP"
        })
        .map(|m| m["egress_time_s"].as_f64().unwrap())
        .collect();
    assert!(!per_mode.is_empty(), "{}", v["methods"]);
    for e in per_mode {
        assert!(
            e >= a_floor - 13.0,
            "a per-mode schedule finishes at {e} s, before A's drivers can drive out ({a_floor} s): {}",
            v["methods"]
        );
    }
}

/// Random small cases of the same map (people, widths, lanes, share on foot) on which the
/// choice of mode per neighbourhood matters: every driver driving and every driver walking
/// (the all-or-nothing schedules, which need no choice per place) both finish more than 3 %
/// plus 13 s after the brute-force optimum — about one drawn case in five; the others are
/// drawn and skipped. On each of 12, the plan finishes earlier than every all-or-nothing
/// plan, never beats the optimum by more than the rounding to a second, stays within 7 % of
/// it, its bound is below it, and `--verify` passes; at least half reach it within 3 % (the
/// margin within which the planner does not replan, `egress_worth_replanning`) plus 13 s
/// (CCRP's fluid finish on 300-s buckets) — the fraction measured. Filtering the foot nodes
/// out of a driving cell's starts (`plan::usable_starts` ignoring `choose_mode`) fails it
/// (review s11: the former version drew four cases on which driving everyone was optimal and
/// checked soundness only, so it passed with mode choice broken).
#[test]
fn random_cases_reach_the_brute_force_optimum() {
    let widths = ["0.5", "1", "2", "5", "20", "100"];
    let lanes = ["1", "2", "4", "8", "20"];
    let mut seed: u64 = 0x005e_ed10;
    let mut next = |n: usize| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 33) as usize) % n
    };
    let (mut checked, mut drawn) = (0, 0);
    let mut reached = 0;
    while checked < 12 {
        drawn += 1;
        assert!(drawn < 200, "too few cases where the mode choice matters");
        let mut road = || Road {
            people: (500 + 500 * next(12)) as f64,
            width: widths[next(widths.len())],
            lanes: lanes[next(lanes.len())],
        };
        let roads = [road(), road()];
        let foot_share = [0.1, 0.3, 0.5][next(3)];
        let (best, drive, walk) = optimum(roads, foot_share);
        let tolerance = best * 1.03 + 13.0;
        if drive.min(walk) <= tolerance {
            continue;
        }
        checked += 1;
        let dir = scenario(roads, foot_share);
        let v = plan_and_verify(&dir);
        let egress = v["egress_time_s"].as_f64().unwrap();
        let what = format!(
            "case {drawn} {roads:?} foot share {foot_share}: egress {egress} s, optimum {best} s (all drive {drive}, all walk {walk}); methods {}",
            v["methods"]
        );
        assert!(egress >= best - 1.0, "{what}");
        assert!(v["lower_bound_s"].as_f64().unwrap() <= best + 1.0, "{what}");
        // Every one is chosen per place: earlier than every all-or-nothing plan.
        assert!(egress + 13.0 < drive.min(walk), "{what}");
        // Within 7 % of the optimum (measured at most 6.6 %, 12 cases, s11-review).
        assert!(egress <= best * 1.07 + 13.0, "{what}");
        if egress <= tolerance {
            reached += 1;
        }
    }
    // Half of them within 3 % plus 13 s (measured 6 of 12 at s11-review; the others 4.0–6.6 %
    // above: the per-place splits the flow over time finds on 300-s buckets). Without the
    // foot nodes in the mode choice none of the 12 is: they then finish with everyone
    // driving or everyone walking.
    assert!(reached >= 6, "{reached} of {checked} within 3 % + 13 s");
}

/// The map of [`scenario`] with A's road a footway (100 m wide: 130 walkers a second) and
/// A's cars sent round a detour instead: way 105 from node 2 over (2,400, −400), (2,400,
/// 2,400) and (−200, 2,400) to W0, about 9,950 m, `maxspeed = 10` (cars at 8 km/h: about
/// 4,480 s, then 173 s on W0's way). B's road as given (1 m wide, 20 lanes). 6,000 people in A,
/// 2,000 in B, 10 % on foot.
fn detour_scenario() -> tempfile::TempDir {
    write_town(
        &[
            (11, 2400.0, -400.0),
            (12, 2400.0, 2400.0),
            (13, -200.0, 2400.0),
        ],
        vec![
            osm::way(102, &[2, 1], &[("highway", "footway"), ("width", "100")]),
            osm::way(
                103,
                &[4, 6, 1],
                &[("highway", "residential"), ("width", "1"), ("lanes", "20")],
            ),
            osm::way(
                105,
                &[2, 11, 12, 13, 1],
                &[
                    ("highway", "residential"),
                    ("width", "1"),
                    ("lanes", "1"),
                    ("maxspeed", "10"),
                ],
            ),
        ],
        [6000.0, 2000.0],
        "Mode choice, A's cars on a detour (hand-built)",
        0.1,
    )
}

/// The bound given the combatants' roads (`lower_bound_given_combatant_roads_s`) lets drivers
/// walk, as the plan may ([`detour_scenario`]): A's people walk out in 1,080 s + 6,000 ÷ 130/s
/// = 1,126 s, while its first driver needs some 4,650 s by car even with road capacities
/// relaxed; B's 200 walkers on its 1 m road need 1,584 s + 200 ÷ 1.3/s = 1,738 s and its
/// drivers drive in 317 s + 1,800 ÷ 15/s = 437 s. Hand count: the optimum is B's walkers'
/// 1,738 s (they must walk; with A walking and B driving nothing is later); every driver
/// walking takes B's 1,584 s + 2,000 ÷ 1.3/s = 3,122 s, every driver driving A's 4,650 s. The
/// field must lie at or below that optimum and the plan (a per-place schedule, near 1,738 s).
/// Counting A's drivers from their car node only (the planner's first start,
/// `plan::own_bound`) gave about 4,650 s: above both.
#[test]
fn bound_given_the_combatants_roads_lets_drivers_walk() {
    let best = 2200.0 / WALK_M_S + 200.0 / 1.3;
    assert!((best - 1737.8).abs() < 1.0, "hand count {best}");
    let dir = detour_scenario();
    let v = plan_and_verify(&dir);
    let given = v["lower_bound_given_combatant_roads_s"].as_f64().unwrap();
    assert!(
        given <= best + 1.0,
        "bound given the combatants' roads {given} s above the optimum {best} s; methods {}",
        v["methods"]
    );
    let egress = v["egress_time_s"].as_f64().unwrap();
    assert!(
        egress >= best - 1.0 && egress <= best + 13.0,
        "egress {egress} s, optimum {best} s; methods {}",
        v["methods"]
    );
    assert!(given <= egress, "{given} s above the plan's {egress} s");
}
