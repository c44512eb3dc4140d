//! Stranded people are told the real cause, by name: a hand-built map with one neighbourhood
//! cut off by each cause — a named closure, the front line, the combatants' road, and roads
//! that lead nowhere — and combatants cut off by the front line. The oracle is the map's
//! construction: each neighbourhood has exactly one cause, so its reasons (per mode) must name
//! that cause and no other.

mod common;
use common::hand_map::*;
use common::*;
use serde_json::Value;

/// The main street W0 (1, at 0 m) – X (2, 1,000 m) – E0 (3, 2,000 m) with the two crossings
/// (107 west to the civilian reception 9, 108 east to the combatant reception 10), and:
/// - Hillside H (11, at (0, 1,500)), joined to W0 only by Bridge Street (201), which the
///   closure "Collapsed bridge" cuts;
/// - Ridge P (12, at (1,000, 2,300)), joined to the rest only by a road over government ground
///   north of the enclave (202–204: P – (1,000, 2,900) – (200, 2,900) – S (200, 2,300)) and
///   Ridge Road S – W0 (205): leaving P enters the besieger's ground away from any crossing;
/// - Mill T (16, at (2,000, 1,000)), joined to E0 only by Mill Road (206); the barracks U (17,
///   at (2,000, 2,000)) beyond it by Barracks Lane (207): the combatants from U must walk Mill
///   Road, which the civilians then may not use;
/// - Orchard (1,600, 1,500): Lonely Lane (208) between V1 (18) and V2 (19), joined to nothing;
/// - a second civilian corridor, the North crossing at (2,450, 2,500) on Culvert Lane (209, from
///   (2,450, 2,400) to (2,450, 2,900)), which the closure "Blown culvert" cuts: it carries
///   nobody, and must say why by name.
///
/// Within 500 m of each neighbourhood's point lie only its own nodes (the nearest other node
/// is 640 m away), so each is stranded by its cause alone.
fn stranded_by_each_cause() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let nodes = [
        (1, 0.0, 0.0),
        (2, 1000.0, 0.0),
        (3, 2000.0, 0.0),
        (9, -1200.0, 0.0),
        (10, 3800.0, 0.0),
        (11, 0.0, 1500.0),
        (12, 1000.0, 2300.0),
        (13, 1000.0, 2900.0),
        (14, 200.0, 2900.0),
        (15, 200.0, 2300.0),
        (16, 2000.0, 1000.0),
        (17, 2000.0, 2000.0),
        (18, 1500.0, 1500.0),
        (19, 1700.0, 1500.0),
        (20, 2450.0, 2400.0),
        (21, 2450.0, 2900.0),
    ];
    let road = |id: i64, n: &[i64], name: &'static str| {
        osm::way(id, n, &[("highway", "residential"), ("name", name)])
    };
    let ways = [
        road(101, &[1, 2], "Main Street"),
        road(102, &[2, 3], "Main Street"),
        road(107, &[1, 9], "West Road"),
        road(108, &[3, 10], "East Road"),
        road(201, &[11, 1], "Bridge Street"),
        road(202, &[12, 13], "Ridge Track"),
        road(203, &[13, 14], "Ridge Track"),
        road(204, &[14, 15], "Ridge Track"),
        road(205, &[15, 1], "Ridge Road"),
        road(206, &[16, 3], "Mill Road"),
        road(207, &[17, 16], "Barracks Lane"),
        road(208, &[18, 19], "Lonely Lane"),
        road(209, &[20, 21], "Culvert Lane"),
    ];
    write_map(dir.path(), &nodes, &ways);
    write_territory(dir.path());
    write_population(
        dir.path(),
        &[
            ("Centre", 1000.0, 0.0, 1000.0),
            ("Hillside", 0.0, 1500.0, 100.0),
            ("Ridge", 1000.0, 2300.0, 200.0),
            ("Mill", 2000.0, 1000.0, 300.0),
            ("Orchard", 1600.0, 1500.0, 400.0),
        ],
    );
    let assembly = |name: &str, x: f64, y: f64, n: u32| {
        format!(
            "[[evacuation.assembly_points]]\nname = \"{name}\"\npoint = {}\ncombatants = {n}\n",
            lat_lon(x, y)
        )
    };
    let evacuation = format!(
        "foot_share = 0.5\nstay_share = 0\n\n{}\n{}",
        assembly("Barracks", 2000.0, 2000.0, 100),
        assembly("Ridge post", 1000.0, 2300.0, 50)
    );
    write_manifest(
        dir.path(),
        "Stranded reasons (hand-built)",
        1000,
        500,
        &evacuation,
    );
    let manifest = dir.path().join("scenario.toml");
    let north = format!(
        "\n[[corridor]]\nname = \"North crossing\"\npurpose = \"civilian\"\ncheckpoint = {}\ncapacity_per_hour = 1000\nreception = {}\n",
        lat_lon(2450.0, 2500.0),
        lat_lon(2450.0, 3300.0)
    );
    edit_manifest(
        dir.path(),
        "population = \"population.geojson\"",
        "population = \"population.geojson\"\nclosures = \"closures.geojson\"",
    );
    let text = std::fs::read_to_string(&manifest).unwrap() + &north;
    std::fs::write(&manifest, text).unwrap();
    std::fs::write(
        dir.path().join("closures.geojson"),
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"Collapsed bridge","since":"2016-07-01","osm_way_id":201},"geometry":null},{"type":"Feature","properties":{"name":"Blown culvert","since":"2016-07-01","osm_way_id":209},"geometry":null}]}"#,
    )
    .unwrap();
    dir
}

/// What names each cause in a reason (and nothing else does).
const CLOSURE: &str = "Collapsed bridge";
const FRONT_LINE: &str = "entering ground held by Besieger";
const COMBATANTS: &str = "takes a road the combatants take (on the quickest: Mill Road)";
const NOWHERE: &str = "connect to the reception of no civilian corridor";

fn reasons_of(v: &Value, name: &str) -> Vec<String> {
    let n = v["neighbourhoods"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["name"] == name)
        .unwrap_or_else(|| panic!("no neighbourhood {name}"));
    n["stranded_because"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

/// Every reason of `name` names `cause` and no other cause; one reason per mode, and the
/// stranded figures are the neighbourhood's people (all of them: each is cut off).
fn stranded_by(v: &Value, name: &str, people: f64, cause: &str) {
    let reasons = reasons_of(v, name);
    assert_eq!(reasons.len(), 2, "{name}: one reason per mode: {reasons:?}");
    for mode in ["by foot", "by car"] {
        assert!(
            reasons.iter().any(|r| r.contains(mode)),
            "{name}: {mode}: {reasons:?}"
        );
    }
    let counted: f64 = reasons
        .iter()
        .map(|r| r.split(' ').next().unwrap().parse::<f64>().unwrap())
        .sum();
    assert_eq!(counted, people, "{name}: {reasons:?}");
    for r in &reasons {
        for other in [CLOSURE, FRONT_LINE, COMBATANTS, NOWHERE] {
            assert_eq!(
                r.contains(other),
                other == cause,
                "{name}: '{r}' should name {cause} only"
            );
        }
        assert!(
            !r.contains("closures, front lines, or roads kept"),
            "a list of possibilities: {r}"
        );
    }
}

#[test]
fn each_stranded_neighbourhood_is_told_its_own_cause_by_name() {
    let dir = stranded_by_each_cause();
    let v = plan_and_verify(&dir);
    assert_eq!(v["stranded"], 1000.0, "{:#}", v["neighbourhoods"]);
    assert!(reasons_of(&v, "Centre").is_empty());
    stranded_by(&v, "Hillside", 100.0, CLOSURE);
    stranded_by(&v, "Ridge", 200.0, FRONT_LINE);
    stranded_by(&v, "Mill", 300.0, COMBATANTS);
    stranded_by(&v, "Orchard", 400.0, NOWHERE);
    // The combatants: those at the barracks leave (over Mill Road); those at the ridge post
    // are cut off by the besieger's ground, and told so (not "roads kept for the other flow":
    // the combatants are planned first).
    assert_eq!(v["combatants_stranded"], 50.0);
    let because: Vec<&str> = v["combatants_stranded_because"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    assert_eq!(because.len(), 1, "{because:?}");
    assert!(because[0].starts_with("50 from Ridge post by foot"));
    assert!(because[0].contains(FRONT_LINE), "{}", because[0]);
    assert!(
        because[0].contains("a combatant corridor (East crossing (combatants))"),
        "{}",
        because[0]
    );
    assert!(ways_of(&v, "combatant").contains(&206));
    // The unused corridor names its cause; the used ones give none.
    for c in v["corridors"].as_array().unwrap() {
        let why = c["unused_because"].as_str();
        if c["name"] == "North crossing" {
            assert_eq!(c["people"], 0.0);
            assert_eq!(
                why,
                Some("its crossing road is closed: Blown culvert"),
                "{c}"
            );
        } else {
            assert_eq!(why, None, "{c}");
        }
    }
}

/// Corner Q (11, at (2,300, 2,000)) inside the enclave has two roads out, both over hostile
/// ground away from any crossing: North Loop (201–203) over the besieger's ground north of the
/// enclave to R (14, (1,500, 2,200)) and on to X by Link Road (204); East Loop (205–207) over a
/// militia's ground east of it (x 2,600–3,400, y 800–2,200, cut out of the besieger's) to S
/// (17, (2,400, 1,000)) and on to E0 by South Link (208). No node but Q lies within 500 m of
/// Corner. By construction no way from Q avoids both grounds, and each of the two avoids one:
/// the reason must name both parties — naming only the one the quickest way enters claims
/// that no way avoids it, which North Loop (for the militia) or East Loop (for the besieger)
/// refutes.
#[test]
fn a_cell_cut_off_by_two_parties_grounds_is_told_both() {
    let dir = tempfile::tempdir().unwrap();
    let nodes = [
        (1, 0.0, 0.0),
        (2, 1000.0, 0.0),
        (3, 2000.0, 0.0),
        (9, -1200.0, 0.0),
        (10, 3800.0, 0.0),
        (11, 2300.0, 2000.0),
        (12, 2300.0, 2700.0),
        (13, 1500.0, 2700.0),
        (14, 1500.0, 2200.0),
        (15, 2900.0, 2000.0),
        (16, 2900.0, 1000.0),
        (17, 2400.0, 1000.0),
    ];
    let road = |id: i64, n: &[i64], name: &'static str| {
        osm::way(id, n, &[("highway", "residential"), ("name", name)])
    };
    let ways = [
        road(101, &[1, 2], "Main Street"),
        road(102, &[2, 3], "Main Street"),
        road(107, &[1, 9], "West Road"),
        road(108, &[3, 10], "East Road"),
        road(201, &[11, 12], "North Loop"),
        road(202, &[12, 13], "North Loop"),
        road(203, &[13, 14], "North Loop"),
        road(204, &[14, 2], "Link Road"),
        road(205, &[11, 15], "East Loop"),
        road(206, &[15, 16], "East Loop"),
        road(207, &[16, 17], "East Loop"),
        road(208, &[17, 3], "South Link"),
    ];
    write_map(dir.path(), &nodes, &ways);
    let p = |x: f64, y: f64| {
        let q = at(x, y);
        format!("[{},{}]", q[0], q[1])
    };
    let hole = [
        (-300.0, -500.0),
        (-300.0, 2500.0),
        (2600.0, 2500.0),
        (2600.0, 2200.0),
        (3400.0, 2200.0),
        (3400.0, 800.0),
        (2600.0, 800.0),
        (2600.0, -500.0),
        (-300.0, -500.0),
    ]
    .iter()
    .map(|&(x, y)| p(x, y))
    .collect::<Vec<_>>()
    .join(",");
    let territory = format!(
        r#"{{"type":"FeatureCollection","features":[
        {{"type":"Feature","properties":{{"party":"gov"}},"geometry":{{"type":"Polygon","coordinates":[{},[{hole}]]}}}},
        {{"type":"Feature","properties":{{"party":"mil"}},"geometry":{{"type":"Polygon","coordinates":[{}]}}}},
        {{"type":"Feature","properties":{{"party":"opp"}},"geometry":{{"type":"Polygon","coordinates":[{}]}}}}]}}"#,
        ring(-5000.0, -5000.0, 8000.0, 8000.0),
        ring(2600.0, 800.0, 3400.0, 2200.0),
        ring(-300.0, -500.0, 2600.0, 2500.0)
    );
    std::fs::write(dir.path().join("territory.geojson"), territory).unwrap();
    write_population(
        dir.path(),
        &[
            ("Centre", 1000.0, 0.0, 1000.0),
            ("Corner", 2300.0, 2000.0, 100.0),
        ],
    );
    write_manifest(
        dir.path(),
        "Two hostile grounds (hand-built)",
        1000,
        500,
        "foot_share = 1\nstay_share = 0\n",
    );
    edit_manifest(
        dir.path(),
        "[[enclave]]",
        "[[party]]\nid = \"mil\"\nname = \"Militia\"\n\n[[enclave]]",
    );
    let v = plan_and_verify(&dir);
    assert_eq!(v["stranded"], 100.0, "{:#}", v["neighbourhoods"]);
    let reasons = reasons_of(&v, "Corner");
    assert_eq!(reasons.len(), 1, "{reasons:?}");
    assert!(
        reasons[0].contains(
            "without entering ground held by Militia or Besieger away from a civilian crossing"
        ) || reasons[0].contains(
            "without entering ground held by Besieger or Militia away from a civilian crossing"
        ),
        "{}",
        reasons[0]
    );
}

/// A second civilian corridor, "Spur crossing" at (−300, 1,000) on Spur Road (302: from N
/// (11, at (0, 1,000)) west to a dead end at (−800, 1,000), on government ground), with the
/// West crossing's reception: everyone can reach its crossing road (Spur Lane 301 joins N to
/// W0), but beyond it no road leads anywhere, so it carries nobody. Its reason must say that
/// nobody reaches a reception through it — not that people reach one earlier elsewhere.
#[test]
fn a_corridor_whose_crossing_leads_to_a_dead_end_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let nodes = [
        (1, 0.0, 0.0),
        (2, 1000.0, 0.0),
        (3, 2000.0, 0.0),
        (9, -1200.0, 0.0),
        (10, 3800.0, 0.0),
        (11, 0.0, 1000.0),
        (12, -800.0, 1000.0),
    ];
    let road = |id: i64, n: &[i64], name: &'static str| {
        osm::way(id, n, &[("highway", "residential"), ("name", name)])
    };
    let ways = [
        road(101, &[1, 2], "Main Street"),
        road(102, &[2, 3], "Main Street"),
        road(107, &[1, 9], "West Road"),
        road(108, &[3, 10], "East Road"),
        road(301, &[1, 11], "Spur Lane"),
        road(302, &[11, 12], "Spur Road"),
    ];
    write_map(dir.path(), &nodes, &ways);
    write_territory(dir.path());
    write_population(dir.path(), &[("Centre", 1000.0, 0.0, 1000.0)]);
    write_manifest(
        dir.path(),
        "Dead-end crossing (hand-built)",
        1000,
        500,
        "foot_share = 1\nstay_share = 0\n",
    );
    let manifest = dir.path().join("scenario.toml");
    let spur = format!(
        "\n[[corridor]]\nname = \"Spur crossing\"\npurpose = \"civilian\"\ncheckpoint = {}\ncapacity_per_hour = 1000\nreception = {}\n",
        lat_lon(-300.0, 1000.0),
        lat_lon(-1200.0, 0.0)
    );
    let text = std::fs::read_to_string(&manifest).unwrap() + &spur;
    std::fs::write(&manifest, text).unwrap();
    let v = plan_and_verify(&dir);
    let spur = v["corridors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Spur crossing")
        .unwrap();
    assert_eq!(spur["people"], 0.0);
    let why = spur["unused_because"].as_str().unwrap();
    assert!(!why.contains("earlier through another corridor"), "{why}");
    assert!(why.contains("no road leads on to a reception"), "{why}");
}
