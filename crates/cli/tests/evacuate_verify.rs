//! `corridor evacuate --verify`: the plan the example makes passes, and each way of corrupting
//! its JSON — a road overloaded in one bucket, a checkpoint passed after closing, people lost,
//! a group started far from its neighbourhood, civilians on a combatants' road, a crossing
//! where none is declared — fails with a one-line verdict naming that problem.

mod common;
use common::*;
use serde_json::{json, Value};

/// The plan the example makes, as `corridor evacuate` prints it.
fn example_plan() -> Value {
    json(&["evacuate", example_scenario().to_str().unwrap()])
}

/// Runs `--verify` on `plan` and returns the output.
fn verify(plan: &Value) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.json");
    std::fs::write(&path, serde_json::to_string(plan).unwrap()).unwrap();
    corridor(&[
        "evacuate",
        example_scenario().to_str().unwrap(),
        "--verify",
        path.to_str().unwrap(),
    ])
}

/// `--verify` fails with a last line naming `problem`, and lists a violation containing
/// `detail`.
fn fails_naming(plan: &Value, problem: &str, detail: &str) {
    let o = verify(plan);
    assert_fails(&o, &["plan.json: the plan fails", problem]);
    let err = stderr(&o);
    assert!(
        err.lines()
            .any(|l| l.starts_with("corridor: violation: ") && l.contains(detail)),
        "no violation line with '{detail}': {err}"
    );
}

fn groups(plan: &Value) -> &Vec<Value> {
    plan["groups"].as_array().unwrap()
}

fn of(g: &Value, purpose: &str, mode: &str) -> bool {
    g["purpose"] == purpose && g["mode"] == mode
}

/// Moves one person of a civilian group of neighbourhood `n` into `new`, so that people per
/// neighbourhood stay as they were.
fn add_taking_one_person(plan: &mut Value, n: &Value, mut new: Value) {
    let gs = plan["groups"].as_array_mut().unwrap();
    let donor = gs
        .iter_mut()
        .find(|g| {
            g["purpose"] == "civilian"
                && &g["neighbourhood"] == n
                && g["people"].as_f64().unwrap() > 2.0
        })
        .expect("a civilian group in the combatants' neighbourhood");
    donor["people"] = json!(donor["people"].as_f64().unwrap() - 1.0);
    new["people"] = json!(1.0);
    gs.push(new);
}

#[test]
fn the_verifier_fails_each_corrupted_plan_with_a_line_naming_the_problem() {
    let good = example_plan();
    let o = verify(&good);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["ok"], true);
    assert!(v["road_loads_checked"].as_u64().unwrap() > 1000);
    assert!(v["checkpoint_loads_checked"].as_u64().unwrap() > 100);

    // A road overloaded in one bucket: every walker of the neighbourhood with the most walking
    // groups sent at once along one group's route (people per neighbourhood unchanged). Some
    // 14,000 people enter its first road in one 5-minute bucket; no street in the example
    // carries more than 10 m × 1.3/s × 300 s = 3,900.
    let mut p = good.clone();
    let n = (0..12)
        .max_by_key(|&k| {
            groups(&good)
                .iter()
                .filter(|g| of(g, "civilian", "foot") && g["neighbourhood"] == k)
                .count()
        })
        .unwrap();
    let gs = p["groups"].as_array_mut().unwrap();
    let walkers: f64 = gs
        .iter()
        .filter(|g| of(g, "civilian", "foot") && g["neighbourhood"] == n)
        .map(|g| g["people"].as_f64().unwrap())
        .sum();
    assert!(walkers > 3_900.0, "{walkers}");
    let first = gs
        .iter()
        .position(|g| of(g, "civilian", "foot") && g["neighbourhood"] == n)
        .unwrap();
    gs[first]["people"] = json!(walkers);
    let keep = gs[first].clone();
    gs.retain(|g| !(of(g, "civilian", "foot") && g["neighbourhood"] == n));
    gs.push(keep);
    fails_naming(&p, "a road over capacity", "people in bucket");

    // Through Gil Torres (open 06:00-20:00; the plan starts at 06:00) at 23:00 on day one.
    let mut p = good.clone();
    let g = p["groups"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|g| g["corridor"] == "Gil Torres crossing")
        .unwrap();
    let shift = 17.0 * 3600.0 - g["enter_s"][0].as_f64().unwrap();
    for t in g["enter_s"].as_array_mut().unwrap() {
        *t = json!(t.as_f64().unwrap() + shift);
    }
    g["arrive_s"] = json!(g["arrive_s"].as_f64().unwrap() + shift);
    fails_naming(
        &p,
        "people through a checkpoint while it is closed",
        "passes checkpoint 'Gil Torres crossing'",
    );

    // People lost: a group carries half its people.
    let mut p = good.clone();
    let g = &mut p["groups"][0];
    g["people"] = json!(g["people"].as_f64().unwrap() / 2.0);
    fails_naming(&p, "people not conserved", "leaving, but its groups carry");

    // A group of Sector A1 (the west end, under 700 m wide) said to come from Sector A4 (the
    // east end, starting 2.0 km east of A1's west edge): it starts over 1 km from it.
    let mut p = good.clone();
    let name = |k: usize| {
        good["neighbourhoods"][k]["name"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (a1, a4) = (
        (0..12).find(|&k| name(k) == "Sector A1").unwrap(),
        (0..12).find(|&k| name(k) == "Sector A4").unwrap(),
    );
    let g = p["groups"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|g| g["purpose"] == "civilian" && g["neighbourhood"] == a1)
        .unwrap();
    g["neighbourhood"] = json!(a4);
    let o = verify(&p);
    assert_fails(&o, &["a group that starts too far from its neighbourhood"]);
    let line = stderr(&o)
        .lines()
        .find(|l| l.contains("m from its neighbourhood"))
        .unwrap()
        .to_string();
    let metres: f64 = line
        .split(" m from its neighbourhood")
        .next()
        .and_then(|x| x.rsplit(' ').next())
        .and_then(|x| x.parse().ok())
        .unwrap();
    assert!(metres > 1000.0, "{line}");

    // A civilian on a combatants' road: one person of the neighbourhood walks the first piece
    // of a combatant group's route.
    let comb = groups(&good)
        .iter()
        .find(|g| {
            g["purpose"] == "combatant"
                && groups(&good).iter().any(|c| {
                    c["purpose"] == "civilian"
                        && c["neighbourhood"] == g["neighbourhood"]
                        && c["people"].as_f64().unwrap() > 2.0
                })
        })
        .expect("a combatant group")
        .clone();
    let mut piece = comb.clone();
    piece["purpose"] = json!("civilian");
    piece["corridor"] = Value::Null;
    piece["nodes"] = json!(comb["nodes"].as_array().unwrap()[..2]);
    piece["ways"] = json!(comb["ways"].as_array().unwrap()[..1]);
    piece["enter_s"] = json!(comb["enter_s"].as_array().unwrap()[..1]);
    piece["arrive_s"] = comb["enter_s"][1].clone();
    let mut p = good.clone();
    add_taking_one_person(&mut p, &comb["neighbourhood"], piece);
    fails_naming(
        &p,
        "civilians and combatants on the same road",
        "civilians and combatants share",
    );

    // A crossing where none is declared for civilians: one person walks a combatant group's
    // whole route, across the combatants' checkpoint.
    let mut whole = comb.clone();
    whole["purpose"] = json!("civilian");
    whole["corridor"] = Value::Null;
    let mut p = good.clone();
    add_taking_one_person(&mut p, &comb["neighbourhood"], whole);
    fails_naming(
        &p,
        "a route that crosses a front line away from a declared crossing",
        "crosses a front line away from a declared crossing (for civilians)",
    );
}

/// Walkers never drive (drivers may walk): a plan that puts some of a neighbourhood's walkers
/// in its vehicles — more people by car than it has drivers — fails with a line naming the
/// neighbourhood, though people per neighbourhood are conserved. Hand count from the example's
/// scenario: Sector A1 has 14,000 people, `stay_share = 0.1`, `foot_share = 0.7`, so at most
/// 14,000 × 0.9 × 0.3 = 3,780 of them drive. Walkers moved into one of its car groups (people
/// taken from one of its foot groups) until 5 more than that ride.
#[test]
fn walkers_put_in_vehicles_fail_the_check() {
    let mut p = example_plan();
    assert_eq!(p["neighbourhoods"][0]["name"], "Sector A1");
    let drivers = 14_000.0 * 0.9 * 0.3;
    let gs = p["groups"].as_array_mut().unwrap();
    let of_a1 = |g: &Value, mode: &str| {
        g["purpose"] == "civilian" && g["neighbourhood"] == 0 && g["mode"] == mode
    };
    let by_car: f64 = gs
        .iter()
        .filter(|g| of_a1(g, "car"))
        .map(|g| g["people"].as_f64().unwrap())
        .sum();
    assert!(by_car <= drivers + 1.0, "the plan drives {by_car} of A1");
    let moved = drivers - by_car + 5.0;
    let car = gs
        .iter()
        .position(|g| of_a1(g, "car"))
        .expect("a car group");
    let foot = gs
        .iter()
        .position(|g| of_a1(g, "foot") && g["people"].as_f64().unwrap() > moved)
        .expect("a foot group");
    gs[car]["people"] = json!(gs[car]["people"].as_f64().unwrap() + moved);
    gs[foot]["people"] = json!(gs[foot]["people"].as_f64().unwrap() - moved);
    fails_naming(
        &p,
        "more people in vehicles than the neighbourhood has drivers",
        "Sector A1: 3785.0 people in vehicles, more than its 3780.0 drivers",
    );
}

/// Plans that leave people behind (a review of session 13 verified a plan made with
/// `stay_share = 0.5`, and one made with no combatants, against the example: both passed): the
/// last civilian group of more than two people to arrive dropped and its people counted as staying — people per
/// neighbourhood and in all still add up — fails naming the neighbourhood's staying; a plan
/// that moves no combatants while the scenario has 2,000 fails naming the combatants.
#[test]
fn plans_that_leave_people_behind_fail_the_check() {
    let good = example_plan();
    let mut p = good.clone();
    let gs = p["groups"].as_array_mut().unwrap();
    let arrive = |g: &Value| g["arrive_s"].as_f64().unwrap();
    let last = (0..gs.len())
        .filter(|&i| gs[i]["purpose"] == "civilian" && gs[i]["people"].as_f64().unwrap() > 2.0)
        .max_by(|&a, &b| arrive(&gs[a]).total_cmp(&arrive(&gs[b])))
        .unwrap();
    let g = gs.remove(last);
    let n = g["neighbourhood"].as_u64().unwrap() as usize;
    let people = g["people"].as_f64().unwrap();
    assert!(people > 2.0, "{people}");
    let add = |v: &mut Value, d: f64| *v = json!(v.as_f64().unwrap() + d);
    add(&mut p["neighbourhoods"][n]["leaving"], -people);
    add(&mut p["neighbourhoods"][n]["staying"], people);
    add(&mut p["leaving"], -people);
    add(&mut p["staying"], people);
    fails_naming(
        &p,
        "people not conserved",
        "staying, not people × stay_share plus the stranded",
    );

    let mut p = good.clone();
    p["groups"]
        .as_array_mut()
        .unwrap()
        .retain(|g| g["purpose"] != "combatant");
    p["combatants"] = json!(0.0);
    p["combatants_stranded"] = json!(0.0);
    fails_naming(&p, "people not conserved", "the scenario has 2000");
}

/// An area's people live all over it (the README's grid of cells, each an equal share of those
/// who leave): a plan made for a population layer in which Sector B3's 38,000 people live on a
/// patch at its centre (its polygon shrunk to 15 % about its mean vertex), checked against the
/// example, fails naming the sector's cells — and only that: its starts lie within 500 m of the
/// sector, people per neighbourhood add up, and its loads were planned. It passed before, while
/// the bounds count each cell from its own nodes.
#[test]
fn a_plan_for_a_sector_crowded_at_its_centre_fails_the_check() {
    let dir = tempfile::tempdir().unwrap();
    let from = example_scenario().parent().unwrap().to_path_buf();
    for f in std::fs::read_dir(&from).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, dir.path().join(f.file_name().unwrap())).unwrap();
    }
    let map = root().join("data/andorra.osm.pbf");
    common::hand_map::edit_manifest(
        dir.path(),
        "map = \"../../andorra.osm.pbf\"",
        &format!("map = \"{}\"", map.display()),
    );
    let layer = dir.path().join("population.geojson");
    let mut pop: Value = serde_json::from_str(&std::fs::read_to_string(&layer).unwrap()).unwrap();
    let sector = pop["features"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|f| f["properties"]["name"] == "Sector B3")
        .expect("Sector B3 in the example");
    let ring = sector["geometry"]["coordinates"][0]
        .as_array()
        .unwrap()
        .clone();
    let xy = |p: &Value, k: usize| p[k].as_f64().unwrap();
    let n = (ring.len() - 1) as f64;
    let (cx, cy) = (
        ring[..ring.len() - 1].iter().map(|p| xy(p, 0)).sum::<f64>() / n,
        ring[..ring.len() - 1].iter().map(|p| xy(p, 1)).sum::<f64>() / n,
    );
    let shrunk: Vec<Value> = ring
        .iter()
        .map(|p| json!([cx + 0.15 * (xy(p, 0) - cx), cy + 0.15 * (xy(p, 1) - cy)]))
        .collect();
    sector["geometry"]["coordinates"][0] = json!(shrunk);
    std::fs::write(&layer, pop.to_string()).unwrap();
    let crowded = json(&[
        "evacuate",
        dir.path().join("scenario.toml").to_str().unwrap(),
    ]);
    let o = verify(&crowded);
    assert_fails(
        &o,
        &[
            "the plan fails 1 check(s)",
            "an area's people not spread over its cells",
        ],
    );
    assert!(stderr(&o).contains("(Sector B3): "), "{}", stderr(&o));
}

/// Where nobody walks (`foot_share = 0`) the plan has no foot layer to tell which cells of an
/// area are inhabited, and the planner spreads the area over every cell; the check counts them
/// alike. A review's case (session 14): an enclave around Canillo on the real Andorra map, one
/// area of 1,000 people whose cells near the CG-2 have car roads within 500 m but no foot road
/// — the planner's own plan failed the check (885 people, 743.2 fitting) while cells without a
/// foot road were left out of the check's count; it passes now, and so does the same scenario
/// with 70 % walking (cells counted by their foot roads).
#[test]
fn where_nobody_walks_every_cell_of_an_area_counts() {
    for foot_share in ["0.0", "0.7"] {
        let dir = tempfile::tempdir().unwrap();
        let ring =
            "[[1.605, 42.565], [1.645, 42.565], [1.645, 42.592], [1.605, 42.592], [1.605, 42.565]]";
        std::fs::write(
            dir.path().join("territory.geojson"),
            format!(
                r#"{{"type": "FeatureCollection", "features": [{{"type": "Feature", "properties": {{"party": "opp"}}, "geometry": {{"type": "Polygon", "coordinates": [{ring}]}}}}, {{"type": "Feature", "properties": {{"party": "gov"}}, "geometry": {{"type": "Polygon", "coordinates": [[[1.4, 42.4], [1.8, 42.4], [1.8, 42.7], [1.4, 42.7], [1.4, 42.4]], {ring}]}}}}]}}"#
            ),
        )
        .unwrap();
        std::fs::write(
            dir.path().join("population.geojson"),
            r#"{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "A", "people": 1000}, "geometry": {"type": "Polygon", "coordinates": [[[1.617, 42.5735], [1.632, 42.5735], [1.632, 42.5785], [1.617, 42.5785], [1.617, 42.5735]]]}}]}"#,
        )
        .unwrap();
        let map = root().join("data/andorra.osm.pbf");
        std::fs::write(
            dir.path().join("scenario.toml"),
            format!(
                "name = \"Canillo, nobody walks\"\nas_of = \"2016-07-28\"\nmap = \"{}\"\nterritory = \"territory.geojson\"\npopulation = \"population.geojson\"\n\n\
                 [[party]]\nid = \"gov\"\nname = \"Gov\"\n\n[[party]]\nid = \"opp\"\nname = \"Opp\"\n\n\
                 [[enclave]]\nname = \"E\"\nparty = \"opp\"\n\n\
                 [[corridor]]\nname = \"W\"\npurpose = \"civilian\"\ncheckpoint = [42.570235672697, 1.605]\ncapacity_per_hour = 2000\nreception = [42.5679655, 1.6025024]\n\n\
                 [evacuation]\nfoot_share = {foot_share}\nstay_share = 0.1\ncombatants = 0\n",
                map.display()
            ),
        )
        .unwrap();
        let v = common::hand_map::plan_and_verify(&dir);
        assert!(v["leaving"].as_f64().unwrap() > 0.0, "{}", v["headline"]);
    }
}
