//! Drivers may leave the car and walk when the plan says so: on a hand-built town whose one
//! street has room for many walkers and few cars, the plan has every driver walk, says so,
//! passes `--verify`, and its lower bound — which lets drivers start on foot — stays below it;
//! where the street has room for cars and little for walkers, the drivers drive. Oracles: hand
//! counts of the street's capacities per mode.

mod common;
use common::hand_map::*;
use common::*;
use serde_json::Value;

/// Civilians of the one neighbourhood (nobody stays): half walk, half would drive.
const PEOPLE: f64 = 20_000.0;

/// W0 (1, at 0 m) – T (2, 1,000 m) – E0 (3, 2,000 m) along y = 0: Main Street, `width` m wide
/// with `lanes` lanes; the civilian crossing West Road (107) from W0 to the reception (9,
/// 1,200 m west) the same. Everyone lives at T; the checkpoint screens 200,000 an hour, so the
/// street binds.
fn town(width: &'static str, lanes: &'static str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let nodes = [
        (1, 0.0, 0.0),
        (2, 1000.0, 0.0),
        (3, 2000.0, 0.0),
        (9, -1200.0, 0.0),
        (10, 3800.0, 0.0),
    ];
    let road = |id: i64, n: &[i64], name: &'static str| {
        osm::way(
            id,
            n,
            &[
                ("highway", "residential"),
                ("name", name),
                ("width", width),
                ("lanes", lanes),
            ],
        )
    };
    let ways = [
        road(101, &[1, 2], "Main Street"),
        road(102, &[2, 3], "Main Street"),
        road(107, &[1, 9], "West Road"),
        road(108, &[3, 10], "East Road"),
    ];
    write_map(dir.path(), &nodes, &ways);
    write_territory(dir.path());
    write_population(dir.path(), &[("Town", 1000.0, 0.0, PEOPLE)]);
    write_manifest(
        dir.path(),
        "Drivers may walk (hand-built)",
        200_000,
        500,
        "foot_share = 0.5\nstay_share = 0\n",
    );
    dir
}

fn people_by_mode(v: &Value, mode: &str) -> f64 {
    v["groups"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["mode"] == mode)
        .map(|g| g["people"].as_f64().unwrap())
        .sum()
}

fn method_names(v: &Value) -> Vec<String> {
    v["methods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["method"].as_str().unwrap().to_string())
        .collect()
}

/// Main Street 20 m wide (26 walkers a second: 7,800 per 5-minute bucket) with one lane
/// (1,800 vehicles an hour × 3 = 5,400 people an hour, 450 per bucket, both directions
/// together); West Road the same. By car the 10,000 drivers need at least 10,000 / 5,400 h
/// = 6,667 s on Main Street alone. With drivers free to walk, Main Street admits 7,800 + 450
/// per bucket, so the 20,000 enter it in buckets 0, 1 and 2 at the least; the last enter at
/// 600 s, walk 1,000 m to W0 in 720 s and 1,200 m on in 864 s: 2,184 s, the exact optimum of
/// the model (West Road, 8,250 per bucket as well, takes each bucket's people as they come:
/// buckets 2, 3, 4). At the roads' rates (as the plan's egress and the flow over time's bound
/// count): 26 walkers and 1.5 people by car a second enter Main Street; with everyone walking
/// but 1.5 a second driving, the last walkers enter at 20,000 / 27.5 = 727 s and arrive at
/// 727 + 1,584 = 2,311 s (the drivers, faster, before them): a plan at the rate no bound may
/// exceed (everyone walking: 769 s of flow behind the first, who arrives at 1,584 s, about
/// 2,353 s). The plan must have the drivers walk — all but those the lane carries by the end —
/// and finish within 3,000 s, far before the 6,667 s any plan that drives them needs; the bound
/// lets drivers walk, so it lies at or below 2,311 s — with drivers given their car nodes only
/// it would count them through 450 per bucket (above 6,000 s), above this plan.
#[test]
fn where_the_street_has_room_for_walkers_the_drivers_walk() {
    let dir = town("20", "1");
    let v = plan_and_verify(&dir);
    assert_eq!(v["stranded"], 0.0);
    let egress = v["egress_time_s"].as_f64().unwrap();
    let bound = v["lower_bound_s"].as_f64().unwrap();
    assert!(egress <= 3000.0, "egress {egress} s: drivers should walk");
    assert!(
        bound <= egress,
        "bound {bound} s above the plan's {egress} s"
    );
    assert!(
        bound <= 2311.5,
        "bound {bound} s above a plan at the rate by hand, 2,311 s"
    );
    assert!(v["gap"].as_f64().unwrap() >= 0.0);
    // The kept plan is a "drivers walk" one (a later schedule may restart it, on foot still).
    assert!(
        v["methods"].as_array().unwrap().iter().any(|m| m["method"]
            .as_str()
            .unwrap()
            .starts_with("drivers walk: ")
            && m["egress_time_s"].as_f64().unwrap() <= 3000.0),
        "{:?}",
        method_names(&v)
    );
    // Drivers walk but for those the lane carries by the end: at most 450 a bucket (the
    // schedule choosing the mode person by person, last, drives 2,250 in the first five
    // buckets and finishes at 2,267 s against 2,353 s with every driver on foot).
    let (on_foot, by_car) = (people_by_mode(&v, "foot"), people_by_mode(&v, "car"));
    assert!((on_foot + by_car - PEOPLE).abs() < 0.5);
    assert!(
        by_car <= 450.0 * (egress / 300.0).ceil() + 0.5,
        "{by_car} by car: more than one lane carries in {egress} s"
    );
    let walking = v["walking_drivers"].as_f64().unwrap();
    assert!((walking - (10_000.0 - by_car)).abs() < 0.5, "{walking}");
    assert!(walking >= 10_000.0 - 450.0 * 8.0, "{walking}");
    let notes = v["neighbourhoods"][0]["notes"].as_array().unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n.as_str().unwrap().starts_with(&format!(
                "{walking:.0} who would drive walk instead: by the plan's choice"
            ))),
        "{notes:?}"
    );
    // The first three (driving) schedules are listed too, none before the car floor (the later
    // ones restart the walking plan): the last of the
    // drivers enters Main Street no earlier than (⌈10,000 / 450⌉ − 1) × 300 s = 6,600 s.
    let methods = v["methods"].as_array().unwrap();
    for m in methods {
        let name = m["method"].as_str().unwrap();
        let driving = [
            "earliest arrival (CCRP)",
            "relaxed optimum's assignment, then CCRP",
            "proportional to checkpoint capacity, then CCRP",
        ];
        if driving.contains(&name) {
            let e = m["egress_time_s"].as_f64().unwrap();
            assert!(e >= 6600.0, "{name}: {e} s, below the car floor");
        }
    }
    assert!(method_names(&v)
        .iter()
        .any(|m| m == "earliest arrival (CCRP)"));
}

/// Main Street 2 m wide (2.6 walkers a second: 780 per bucket) with four lanes (21,600 people
/// an hour by car, 1,800 per bucket): the 10,000 walkers alone need ⌈10,000 / 780⌉ = 13
/// buckets, everyone on foot 26 — so driving is quicker and the drivers drive. The
/// "drivers walk" schedules are listed, not kept, and finish no earlier than the last of the
/// 20,000 walkers can enter Main Street: (26 − 1) × 300 s = 7,500 s.
#[test]
fn where_the_street_has_room_for_cars_the_drivers_drive() {
    let dir = town("2", "4");
    let v = plan_and_verify(&dir);
    assert_eq!(v["stranded"], 0.0);
    assert_eq!(v["walking_drivers"], 0.0);
    let method = v["method"].as_str().unwrap();
    assert!(!method.starts_with("drivers walk"), "{method}");
    assert!((people_by_mode(&v, "car") - PEOPLE / 2.0).abs() < 0.5);
    let egress = v["egress_time_s"].as_f64().unwrap();
    let walking: Vec<f64> = v["methods"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["method"].as_str().unwrap().starts_with("drivers walk: "))
        .map(|m| m["egress_time_s"].as_f64().unwrap())
        .collect();
    assert!(!walking.is_empty(), "{:?}", method_names(&v));
    for w in walking {
        assert!(w >= egress, "drivers walk {w} s, kept plan {egress} s");
        assert!(w >= 7500.0, "drivers walk {w} s: everyone on a 2 m street");
    }
}
