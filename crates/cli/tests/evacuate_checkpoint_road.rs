//! A road that carries a checkpoint keeps its own capacity: on a hand-built map whose crossing
//! road is far narrower than its checkpoint, the plan, the lower bound and `--verify` all count
//! the road. Oracle: a hand count of the buckets the road needs, and a doctored plan that
//! overloads the road but not the checkpoint, which `--verify` must reject.

mod common;
use common::hand_map::*;
use common::*;
use serde_json::{json, Value};

/// People in the one neighbourhood, all walking: 24 buckets of the crossing road exactly.
const PEOPLE: f64 = 9360.0;

/// W0 (1, at 0 m) – X (2, 1,000 m) – E0 (3, 2,000 m) along y = 0, 20 m wide (26 people/s:
/// 7,800 per 5-minute bucket); the civilian crossing West Road (107) from W0 to the reception
/// (9, 1,200 m west) is 1 m wide: 1.3 people/s, 390 per bucket, while its checkpoint screens
/// 200,000 people an hour (16,667 per bucket). Everyone lives at X.
fn narrow_crossing() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let nodes = [
        (1, 0.0, 0.0),
        (2, 1000.0, 0.0),
        (3, 2000.0, 0.0),
        (9, -1200.0, 0.0),
        (10, 3800.0, 0.0),
    ];
    let road = |id: i64, n: &[i64], name: &'static str, width: &'static str| {
        osm::way(
            id,
            n,
            &[("highway", "residential"), ("name", name), ("width", width)],
        )
    };
    let ways = [
        road(101, &[1, 2], "Main Street", "20"),
        road(102, &[2, 3], "Main Street", "20"),
        road(107, &[1, 9], "West Road", "1"),
        road(108, &[3, 10], "East Road", "20"),
    ];
    write_map(dir.path(), &nodes, &ways);
    write_territory(dir.path());
    write_population(dir.path(), &[("Centre", 1000.0, 0.0, PEOPLE)]);
    write_manifest(
        dir.path(),
        "Narrow crossing road (hand-built)",
        200_000,
        500,
        "foot_share = 1\nstay_share = 0\n",
    );
    dir
}

/// When a group enters West Road (107), if it does.
fn crossing_entry(g: &Value) -> Option<f64> {
    let ways = g["ways"].as_array().unwrap();
    let k = ways.iter().position(|w| w == 107)?;
    g["enter_s"][k].as_f64()
}

/// By hand: walking at 5 km/h, everyone reaches W0 after 720 s at the earliest (bucket 2 of
/// 300 s); West Road admits 390 people per bucket, so the 9,360 need buckets 2 to 25 at the
/// least; the last enter at 7,500 s, arrive 864 s later (1,200 m) at 8,364 s — the least
/// finish the lower bound must find — and, passing the road at its rate of 1.3 people/s, the
/// last of those 390 arrive 300 s after that: 8,664 s, the plan's egress. Counting the
/// checkpoint alone (16,667 per bucket), Main Street would bind instead and everyone would be
/// out in about half an hour.
#[test]
fn a_crossing_road_narrower_than_its_checkpoint_limits_plan_bound_and_verify() {
    let dir = narrow_crossing();
    let v = plan_and_verify(&dir);
    assert_eq!(v["stranded"], 0.0);
    assert_eq!(
        v["corridors"][1]["unused_because"],
        "nobody of its purpose leaves (no combatants in the scenario)"
    );
    let egress = v["egress_time_s"].as_f64().unwrap();
    let bound = v["lower_bound_s"].as_f64().unwrap();
    assert!(
        (egress - 8664.0).abs() <= 1.0,
        "egress {egress} s, by hand 8,664 s"
    );
    assert!(
        (8363.0..=8364.5).contains(&bound),
        "bound {bound} s, by hand 8,364 s"
    );
    // Per bucket, the people entering West Road: never above 390, in 24 buckets.
    let mut per_bucket = std::collections::BTreeMap::<i64, f64>::new();
    for g in v["groups"].as_array().unwrap() {
        let t = crossing_entry(g).expect("every group crosses on West Road");
        *per_bucket.entry((t / 300.0).floor() as i64).or_default() += g["people"].as_f64().unwrap();
    }
    assert!(
        per_bucket.values().all(|&p| p <= 390.0 + 1e-6),
        "{per_bucket:?}"
    );
    assert_eq!(per_bucket.len(), 24, "{per_bucket:?}");

    // Doctored: the last group to cross moved earlier by whole buckets (its whole timeline,
    // so it still reaches each road before entering it), into a bucket West Road already
    // fills: 780 on the road, far below the checkpoint's 16,667.
    let mut p = v.clone();
    let groups = p["groups"].as_array_mut().unwrap();
    let last = (0..groups.len())
        .max_by(|&a, &b| {
            let t = |i: usize| crossing_entry(&groups[i]).unwrap();
            t(a).total_cmp(&t(b))
        })
        .unwrap();
    let g = &mut groups[last];
    let start = g["enter_s"][0].as_f64().unwrap();
    let shift = (start / 300.0).floor() * 300.0;
    assert!(shift >= 300.0, "the last group leaves home late: {start} s");
    let times: Vec<Value> = g["enter_s"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| json!(t.as_f64().unwrap() - shift))
        .collect();
    g["enter_s"] = json!(times);
    g["arrive_s"] = json!(g["arrive_s"].as_f64().unwrap() - shift);
    let file = dir.path().join("doctored.json");
    std::fs::write(&file, p.to_string()).unwrap();
    let sc = dir.path().join("scenario.toml");
    let o = corridor(&[
        "evacuate",
        sc.to_str().unwrap(),
        "--verify",
        file.to_str().unwrap(),
    ]);
    assert_fails(
        &o,
        &["doctored.json: the plan fails", "a road over capacity"],
    );
    let err = stderr(&o);
    let violations: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("corridor: violation: "))
        .collect();
    assert!(
        violations
            .iter()
            .any(|l| l.contains("West Road (way 107") && l.contains("capacity 390.0")),
        "{err}"
    );
    assert!(
        !err.contains("checkpoint 'West crossing' screens"),
        "the checkpoint is not overloaded: {err}"
    );
}
