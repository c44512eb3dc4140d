//! The shared-roads step (where streets bind, the kept combatant routing is tried off the road
//! pieces it shares with the civilians' plan without combatants) on the two maps its own test
//! lacks: the combatants' only other way is very long (moving them off the civilians' road
//! would make the evacuation end later), and every other way is a civilian road too (moving
//! them off all of them strands them). Oracles: the hand-counted finishes (people ÷ road
//! capacity, then the walk), the plan's JSON (no OSM way used by both flows, the combatants'
//! last arrival) and the independent check (`--verify`).
//!
//! The town of `evacuate_second_narrow_road.rs`: T (20) at (1,000, 1,000) m, 7,800 civilians
//! with two 1 m roads to the crossing (way 201: T – (0, 1,000) – W0 (1), 2,000 m; way 202:
//! T – X (22, at (1,000, 0)) – (500, −400) – W0, 2,281 m); the 50 combatants assembled at T
//! go east to E0 (3, at (2,000, 0)), their shortest way T – X – E0 (way 203 from X) sharing
//! its first stretch with road 202. Crossings 107 (west, civilians) and 108 (east,
//! combatants) are 1,200 m and 1,800 m long.

mod common;
use common::hand_map::*;
use common::*;

/// Writes the town with `extra` nodes and ways added (the combatants' other way), its
/// civilians walking (`foot_share`) or driving.
fn write_town(
    dir: &std::path::Path,
    extra_nodes: &[(i64, f64, f64)],
    extra: &[(i64, &[i64])],
    foot_share: f64,
) {
    let mut nodes = vec![
        (1, 0.0, 0.0),
        (3, 2000.0, 0.0),
        (9, -1200.0, 0.0),
        (10, 3800.0, 0.0),
        (20, 1000.0, 1000.0),
        (21, 0.0, 1000.0),
        (22, 1000.0, 0.0),
        (26, 500.0, -400.0),
    ];
    nodes.extend_from_slice(extra_nodes);
    let narrow = [("highway", "residential"), ("width", "1")];
    // One-way for vehicles from the town (walkers go both ways).
    let narrow_one_way = [
        ("highway", "residential"),
        ("width", "1"),
        ("oneway", "yes"),
    ];
    let wide = [("highway", "residential"), ("width", "20")];
    let street = [("highway", "residential")];
    let mut ways = vec![
        osm::way(107, &[1, 9], &wide),
        osm::way(108, &[3, 10], &wide),
        osm::way(201, &[20, 21, 1], &narrow),
        osm::way(202, &[20, 22, 26, 1], &narrow_one_way),
        osm::way(203, &[22, 3], &street),
    ];
    ways.extend(extra.iter().map(|(id, n)| osm::way(*id, n, &street)));
    write_map(dir, &nodes, &ways);
    write_territory(dir);
    write_population(dir, &[("Town", 1000.0, 1000.0, 7800.0)]);
    let evacuation = "foot_share = SHARE\nstay_share = 0\ncombatants = 50\n\n\
         [[evacuation.assembly_points]]\nname = \"Town square\"\npoint = TPOINT\ncombatants = 50\n"
        .replace("TPOINT", &lat_lon(1000.0, 1000.0))
        .replace("SHARE", &foot_share.to_string());
    write_manifest(
        dir,
        "Shared roads (hand-built)",
        100_000,
        5_000,
        &evacuation,
    );
}

/// Seconds to walk `m` metres at the foot profile's 5 km/h.
fn walk_s(m: f64) -> f64 {
    m / (5000.0 / 3600.0)
}

/// The civilians' finish on one narrow road of `m` metres to W0: 7,800 people at 390 per
/// bucket pass in 20 buckets (the last enter at 5,700 s at the earliest), then the walk and
/// the crossing.
fn one_road_s(m: f64) -> f64 {
    5700.0 + walk_s(m + 1200.0)
}

/// The last combatant's arrival in the plan's JSON.
fn combatants_finish_s(v: &serde_json::Value) -> f64 {
    v["groups"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["purpose"] == "combatant")
        .map(|g| g["arrive_s"].as_f64().unwrap())
        .fold(0.0, f64::max)
}

/// The rows of `combatant_routings` the shared-roads step added.
fn shared_rows(v: &serde_json::Value) -> Vec<serde_json::Value> {
    v["combatant_routings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            r["routing"]
                .as_str()
                .unwrap()
                .contains("with the civilians' plan without combatants (round")
        })
        .cloned()
        .collect()
}

fn assert_apart_and_everyone_out(v: &serde_json::Value) {
    assert_eq!(v["stranded"].as_f64().unwrap(), 0.0, "{}", v["headline"]);
    assert_eq!(v["combatants_stranded"].as_f64().unwrap(), 0.0);
    let combatant = ways_of(v, "combatant");
    let civilian = ways_of(v, "civilian");
    assert!(
        combatant.is_disjoint(&civilian),
        "{combatant:?} / {civilian:?}"
    );
}

/// The combatants' own way (204) zigzags inside the enclave: T – (2,500, 2,400) – (−200,
/// 2,400) – (−200, 2,200) – (2,500, 2,200) – (2,500, 2,000) – (−200, 2,000) – (−200, 1,800) –
/// (2,500, 1,800) – E0, 15,320 m against 2,000 m: on it they arrive after 17,120 m of walking
/// (12,326 s), long after the civilians finish on one road (8,004 s and a bucket). The
/// evacuation must not end later than with the combatants on road 202, and a routing the step
/// tried whose civilians finish earlier must say why it was not kept.
#[test]
fn the_step_keeps_no_routing_whose_combatants_finish_after_the_civilians() {
    let dir = tempfile::tempdir().unwrap();
    let zigzag = [
        (25, 2500.0, 2400.0),
        (29, -200.0, 2400.0),
        (30, -200.0, 2200.0),
        (31, 2500.0, 2200.0),
        (32, 2500.0, 2000.0),
        (33, -200.0, 2000.0),
        (34, -200.0, 1800.0),
        (35, 2500.0, 1800.0),
    ];
    write_town(
        dir.path(),
        &zigzag,
        &[(204, &[20, 25, 29, 30, 31, 32, 33, 34, 35, 3])],
        1.0,
    );
    let v = plan_and_verify(&dir);
    eprintln!(
        "{}",
        serde_json::to_string_pretty(&v["combatant_routings"]).unwrap()
    );
    assert_apart_and_everyone_out(&v);
    let long_way_s = walk_s(15_320.0 + 1800.0);
    let one_s = one_road_s(2000.0);
    let egress = v["egress_time_s"].as_f64().unwrap();
    assert!(
        egress < long_way_s,
        "egress {egress} s: the combatants' long way alone takes {long_way_s:.0} s"
    );
    assert!(egress <= one_s + 300.0 + 1.0, "egress {egress} s");
    assert!(combatants_finish_s(&v) <= egress + 1.0);
    // The step ran and tried the long way (the civilians then finish earlier than the
    // evacuation ends); the report says why it is not kept.
    let rows = shared_rows(&v);
    let earlier: Vec<_> = rows
        .iter()
        .filter(|r| {
            r["civilian_egress_s"]
                .as_f64()
                .is_some_and(|e| e < egress - 1.0)
        })
        .collect();
    assert!(!earlier.is_empty(), "the step did not try the long way");
    for r in earlier {
        assert_eq!(r["kept"], false, "{r}");
        let why = r["rejected_because"].as_str().unwrap_or_default();
        assert!(why.contains("combatants finish"), "{r}");
    }
}

/// The combatants' other way leaves by the civilians' other road: way 205 from (0, 1,000) on
/// road 201 north and round to E0 (1,500 + 2,000 + 2,500 m). Off road 202 they take road
/// 201's first stretch; off both they are stranded. Neither stretch alone is a road every
/// combatant route needs, so the civilians' plan without combatants uses both roads. The kept
/// routing must move every combatant, leave the civilians a whole road, and the row that
/// strands the combatants must say so.
#[test]
fn the_step_keeps_no_routing_that_strands_combatants_off_the_civilians_roads() {
    let dir = tempfile::tempdir().unwrap();
    write_town(
        dir.path(),
        &[(27, 0.0, 2500.0), (28, 2000.0, 2500.0)],
        &[(205, &[21, 27, 28, 3])],
        1.0,
    );
    let v = plan_and_verify(&dir);
    eprintln!(
        "{}",
        serde_json::to_string_pretty(&v["combatant_routings"]).unwrap()
    );
    assert_apart_and_everyone_out(&v);
    // One road left to the civilians whichever the combatants take: the longer (202, 2,281 m)
    // is the worst, then the plan's last bucket and a second of rounding.
    let worst = one_road_s(2281.0) + 300.0 + 1.0;
    let egress = v["egress_time_s"].as_f64().unwrap();
    assert!(egress <= worst, "egress {egress} s, one road {worst:.0} s");
    assert!(combatants_finish_s(&v) <= egress + 1.0);
    let rows = shared_rows(&v);
    assert!(!rows.is_empty(), "the step did not run");
    let stranding: Vec<_> = rows
        .iter()
        .filter(|r| r["combatants_stranded"].as_f64().unwrap() > 0.0)
        .collect();
    for r in &stranding {
        assert_eq!(r["kept"], false, "{r}");
        assert!(
            r["rejected_because"]
                .as_str()
                .is_some_and(|w| w.contains("strands 50 combatants")),
            "{r}"
        );
    }
}

/// Half the civilians drive, and road 202 is one-way for vehicles away from the town: the
/// civilians' drivers and the combatants' walkers would share its first stretch in the same
/// direction on different profiles' edges (one road). The combatants' own way (204, T –
/// (2,000, 1,500) – E0, 618 m longer) must take them off it: no OSM way carries both flows,
/// nobody is stranded, and the evacuation ends no later than with the combatants on 202.
#[test]
fn the_step_closes_the_civilians_driven_one_way_road_to_the_combatants_walking() {
    let dir = tempfile::tempdir().unwrap();
    write_town(
        dir.path(),
        &[(25, 2000.0, 1500.0)],
        &[(204, &[20, 25, 3])],
        0.5,
    );
    let v = plan_and_verify(&dir);
    eprintln!(
        "{}",
        serde_json::to_string_pretty(&v["combatant_routings"]).unwrap()
    );
    assert_apart_and_everyone_out(&v);
    let egress = v["egress_time_s"].as_f64().unwrap();
    let first = v["combatant_routings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["routing"].as_str().unwrap().starts_with("around"))
        .filter_map(|r| r["civilian_egress_s"].as_f64())
        .fold(f64::INFINITY, f64::min);
    assert!(
        egress <= first,
        "egress {egress} s, first routing {first} s"
    );
    assert!(combatants_finish_s(&v) <= egress + 1.0);
    let driven: std::collections::HashSet<i64> = v["groups"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["purpose"] == "civilian" && g["mode"] == "car")
        .flat_map(|g| g["ways"].as_array().unwrap().iter())
        .map(|w| w.as_i64().unwrap())
        .collect();
    // The trap was there (the first routing's civilians finish later) and the step took the
    // combatants off the road the civilians drive.
    assert!(driven.contains(&202), "driven {driven:?}");
    assert!(ways_of(&v, "combatant").contains(&204));
}
