//! The exposure rule is decided on the roads every combatant routing leaves, not on the roads
//! one routing leaves (README, "Combatants"): on a hand-built town whose only calm way out is
//! the road the combatants' shortest route takes, the plan keeps that road open to the
//! civilians (the combatants detour) instead of letting the combatants push them onto a route
//! along the front line. Checked by the test's own breadth-first search of the hand-built
//! roads with the plan's combatant roads closed, and against the plan's JSON: no civilian
//! takes the exposed crossing, nobody is stranded, and the routing that closes the calm way
//! is reported as stranding the town's civilians (so ranked below the detour).

mod common;
use common::hand_map::*;
use common::*;
use std::collections::{HashMap, HashSet, VecDeque};

/// The town Q's calm way out: Q (4) – X (2), 800 m, then the main street west.
const CALM_WAY: i64 = 103;
/// The southern civilian crossing, reached from Q only along the front line.
const SOUTH_CROSSING: i64 = 114;
const Q: i64 = 4;
const WEST_RECEPTION: i64 = 9;

/// Ways of a hand-built map: `(OSM id, node ids)`.
type Ways = Vec<(i64, Vec<i64>)>;
/// A hand-built map: nodes `(id, x m, y m)` and its ways.
type Map = (Vec<(i64, f64, f64)>, Ways);

/// Nodes `(id, x m, y m)` and ways `(id, nodes)`. Main street W0 (1, 0 m) – X (2, 1,000 m) –
/// E0 (3, 2,000 m) along y = 0, crossing west to the civilians' reception (9) and east to the
/// combatants' (10). The town Q (4, 800 m north of X) leaves by the calm way 103 to X, or by
/// way 111 west to (−250, 800) and then along the front line (50 m inside it: exposure about
/// 0.56 per metre with a 100 m band) south (112) and east (113) to the southern crossing 114 at
/// (500, −500). The combatants assemble at P (5, 800 m north of Q): their shortest way is
/// P–Q–X–E0 (2,600 m, over the calm way); the detour P–R (6)–E0 is 3,382 m.
fn town() -> Map {
    let nodes = vec![
        (1, 0.0, 0.0),
        (2, 1000.0, 0.0),
        (3, 2000.0, 0.0),
        (Q, 1000.0, 800.0),
        (5, 1000.0, 1600.0),
        (6, 2300.0, 2000.0),
        (WEST_RECEPTION, -1200.0, 0.0),
        (10, 3800.0, 0.0),
        (11, -250.0, 800.0),
        (12, -250.0, -450.0),
        (13, 500.0, -450.0),
        (14, 500.0, -1500.0),
    ];
    let ways = vec![
        (101, vec![1, 2]),
        (102, vec![2, 3]),
        (CALM_WAY, vec![2, Q]),
        (104, vec![Q, 5]),
        (105, vec![5, 6]),
        (106, vec![6, 3]),
        (107, vec![1, WEST_RECEPTION]),
        (108, vec![3, 10]),
        (111, vec![Q, 11]),
        (112, vec![11, 12]),
        (113, vec![12, 13]),
        (SOUTH_CROSSING, vec![13, 14]),
    ];
    (nodes, ways)
}

/// Whether `to` can be reached from `from` on `ways`, `closed` ways left out (the oracle: the
/// test's own adjacency, both directions, no planner structure).
fn reachable(ways: &[(i64, Vec<i64>)], closed: &HashSet<i64>, from: i64, to: i64) -> bool {
    let mut next: HashMap<i64, Vec<i64>> = HashMap::new();
    for (_, nodes) in ways.iter().filter(|w| !closed.contains(&w.0)) {
        for w in nodes.windows(2) {
            next.entry(w[0]).or_default().push(w[1]);
            next.entry(w[1]).or_default().push(w[0]);
        }
    }
    let mut seen = HashSet::from([from]);
    let mut queue = VecDeque::from([from]);
    while let Some(u) = queue.pop_front() {
        if u == to {
            return true;
        }
        for &v in next.get(&u).into_iter().flatten() {
            if seen.insert(v) {
                queue.push_back(v);
            }
        }
    }
    false
}

/// The town with the combatants' detour moved west: P – R (6, at (0, 1,600), way 105) – W0
/// (way 106), then the main street east over X. Every combatant way now closes one of Q's calm
/// ways (the shortest takes 103 and 104; the detour 105, 106 and the main street's 101), though
/// no road of them is on every combatant way: Q's people are stranded under every routing,
/// where the old rule sent them along the front line.
fn town_without_a_calm_routing() -> Map {
    let (mut nodes, ways) = town();
    for n in &mut nodes {
        if n.0 == 6 {
            *n = (6, 0.0, 1600.0);
        }
    }
    let ways = ways
        .into_iter()
        .map(|(id, n)| {
            if id == 106 {
                (106, vec![6, 1])
            } else {
                (id, n)
            }
        })
        .collect();
    (nodes, ways)
}

/// The town's scenario: 2,000 people at Q, 1,000 combatants at P through a slow crossing (200
/// an hour: they finish last, so the shortest routing ends the evacuation earliest), a second
/// civilian corridor in the south, a front band of 100 m.
fn scenario(map: fn() -> Map) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let (nodes, ways) = map();
    let ways: Vec<osm::Way> = ways
        .iter()
        .map(|(id, n)| osm::way(*id, n, &[("highway", "residential")]))
        .collect();
    write_map(dir.path(), &nodes, &ways);
    write_territory(dir.path());
    write_population(dir.path(), &[("Q", 1000.0, 800.0, 2000.0)]);
    let evacuation = format!(
        "combatants = 1000\n\n[[evacuation.assembly_points]]\nname = \"P\"\npoint = {}\ncombatants = 1000\n\n[risk]\nfront_band_m = 100.0\n",
        lat_lon(1000.0, 1600.0)
    );
    write_manifest(
        dir.path(),
        "Exposure rule (hand-built)",
        1000,
        200,
        &evacuation,
    );
    let south = format!(
        "[[corridor]]\nname = \"South crossing\"\npurpose = \"civilian\"\ncheckpoint = {}\ncapacity_per_hour = 1000\nreception = {}\n\n[evacuation]",
        lat_lon(500.0, -500.0),
        lat_lon(500.0, -1500.0)
    );
    edit_manifest(dir.path(), "[evacuation]", &south);
    dir
}

#[test]
fn the_combatants_detour_rather_than_push_the_town_onto_the_front_line_route() {
    let dir = scenario(town);
    let v = plan_and_verify(&dir);
    let (_, ways) = town();
    let combatant_ways = ways_of(&v, "combatant");
    assert!(!combatant_ways.is_empty(), "the combatants leave: {v:#}");
    // The oracle: with every road the plan's combatants take closed, Q still reaches the
    // west reception on the hand-built roads (its calm way is open).
    assert!(
        reachable(&ways, &combatant_ways, Q, WEST_RECEPTION),
        "the combatants' roads {combatant_ways:?} close Q's calm way"
    );
    assert!(
        !combatant_ways.contains(&CALM_WAY),
        "combatants on the calm way: {combatant_ways:?}"
    );
    assert!(
        !ways_of(&v, "civilian").contains(&SOUTH_CROSSING),
        "civilians pushed onto the front-line route: {:?}",
        ways_of(&v, "civilian")
    );
    assert_eq!(v["stranded"], 0.0, "{:#}", v["headline"]);
    let q = &v["neighbourhoods"][0];
    assert_eq!(q["only_exposed_routes"], false, "{q:#}");
    // The routing over the calm way strands Q's civilians under the new rule (the old rule
    // sent them south instead), so the detour is kept.
    let rows = v["combatant_routings"].as_array().unwrap();
    let kept = rows.iter().find(|r| r["kept"] == true).unwrap();
    assert_eq!(kept["civilians_stranded"], 0.0, "{rows:#?}");
    assert!(
        rows.iter()
            .any(|r| r["civilians_stranded"].as_f64().unwrap_or(0.0) >= 1000.0),
        "no routing tried strands Q (the shortest takes its calm way): {rows:#?}"
    );
}

#[test]
fn where_every_routing_closes_the_calm_ways_the_town_is_stranded_with_the_reason() {
    let dir = scenario(town_without_a_calm_routing);
    let v = plan_and_verify(&dir);
    let (_, ways) = town_without_a_calm_routing();
    let combatant_ways = ways_of(&v, "combatant");
    assert!(!combatant_ways.is_empty(), "the combatants leave: {v:#}");
    // The oracle: every way from Q to the west reception on the hand-built roads takes a road
    // of the plan's combatants.
    assert!(!reachable(&ways, &combatant_ways, Q, WEST_RECEPTION));
    assert!(
        !ways_of(&v, "civilian").contains(&SOUTH_CROSSING),
        "civilians sent along the front line: {:#}",
        v["groups"]
    );
    let q = &v["neighbourhoods"][0];
    assert!(q["stranded"].as_f64().unwrap() >= 1000.0, "{q:#}");
    let why = q["stranded_because"].to_string();
    assert!(
        why.contains("the combatants' roads close every calm way"),
        "{why}"
    );
    assert!(why.contains("South crossing"), "{why}");
    assert!(
        v["headline"][0].as_str().unwrap().contains("stranded"),
        "{:#}",
        v["headline"]
    );
}

/// A town whose combatants' only calm way, P (5) – T (30, at (2,000, 1,600)) – E0 (3) to the
/// slow east crossing (100 an hour), takes a road (132, T – E0) that a civilian way to a south
/// crossing also takes; their other way, P – A (20, at (2,550, 300)) – B (21, at (2,550,
/// 2,000)) along the eastern front line (50 m inside it, 1,700 m: exposed) leads to a quick
/// northern combatant crossing (1,000 an hour). The civilians at Q (2,000) leave west through a
/// wide crossing (way 103, 101, 107); their south way Q – T – E0 – S is longer and not needed.
fn town_whose_civilians_can_close_the_combatants_calm_way() -> Map {
    let nodes = vec![
        (1, 0.0, 0.0),
        (2, 1000.0, 0.0),
        (3, 2000.0, 0.0),
        (Q, 1000.0, 800.0),
        (5, 1000.0, 1600.0),
        (WEST_RECEPTION, -1200.0, 0.0),
        (10, 3800.0, 0.0),
        (20, 2550.0, 300.0),
        (21, 2550.0, 2000.0),
        (22, 3800.0, 2000.0),
        (30, 2000.0, 1600.0),
        (40, 2000.0, -1500.0),
    ];
    let ways = vec![
        (101, vec![1, 2]),
        (CALM_WAY, vec![2, Q]),
        (107, vec![1, WEST_RECEPTION]),
        (108, vec![3, 10]),
        (120, vec![5, 20]),
        (121, vec![20, 21]),
        (122, vec![21, 22]),
        (131, vec![5, 30]),
        (132, vec![30, 3]),
        (133, vec![Q, 30]),
        (140, vec![3, 40]),
    ];
    (nodes, ways)
}

/// The combatants' exposure rule is evaluated on their routing's own roads (README,
/// "Combatants"): a routing that leaves the road T – E0 to the civilians closes their calm
/// way and so lets them use the exposed northern crossing. The hand-counted plan of the model:
/// one civilian walks Q – T – E0 – S (4.4 km, under 1.5 h with the screening) and the rest
/// leave west (3 km, 2,000 through 100,000 an hour); the combatants, their calm way closed by
/// that civilian, take the northern crossing: 1,000 at 1,000 an hour (1 h) after a 5 km walk
/// (about 1 h) — everyone is out within 3 h (a generous ceiling: 300-s buckets, walking at
/// 4 km/h). No bound may exceed it; a checkpoint bound that kept the combatants to the calm
/// (east, 100 an hour) crossing on the bound's roads claims 10 h.
#[test]
fn no_bound_keeps_the_combatants_to_a_calm_way_a_routing_can_close() {
    let dir = tempfile::tempdir().unwrap();
    let (nodes, ways) = town_whose_civilians_can_close_the_combatants_calm_way();
    let ways: Vec<osm::Way> = ways
        .iter()
        .map(|(id, n)| osm::way(*id, n, &[("highway", "residential")]))
        .collect();
    write_map(dir.path(), &nodes, &ways);
    write_territory(dir.path());
    write_population(dir.path(), &[("Q", 1000.0, 800.0, 2000.0)]);
    let evacuation = format!(
        "combatants = 1000\n\n[[evacuation.assembly_points]]\nname = \"P\"\npoint = {}\ncombatants = 1000\n\n[risk]\nfront_band_m = 100.0\n",
        lat_lon(1000.0, 1600.0)
    );
    write_manifest(dir.path(), "Calm combatant way", 100_000, 100, &evacuation);
    let more = format!(
        "[[corridor]]\nname = \"North crossing (combatants)\"\npurpose = \"combatant\"\ncheckpoint = {}\ncapacity_per_hour = 1000\nreception = {}\n\n[[corridor]]\nname = \"South crossing\"\npurpose = \"civilian\"\ncheckpoint = {}\ncapacity_per_hour = 1000\nreception = {}\n\n[evacuation]",
        lat_lon(2600.0, 2000.0),
        lat_lon(3800.0, 2000.0),
        lat_lon(2000.0, -500.0),
        lat_lon(2000.0, -1500.0)
    );
    edit_manifest(dir.path(), "[evacuation]", &more);
    let v = plan_and_verify(&dir);
    let ceiling = 3.0 * 3600.0;
    for row in v["lower_bounds"].as_array().unwrap() {
        let t = row["time_s"].as_f64().unwrap();
        assert!(
            t <= ceiling,
            "bound {row} above a plan of the model within {ceiling} s"
        );
    }
}

/// One neighbourhood (2,000 people at (1,000, 800)) with two nodes within 500 m that lead to
/// different crossings: Q1 (4, at (900, 800)) only west (way 103 to X, then the main street),
/// through a slow crossing (200 an hour); Q2 (30, at (1,100, 800)) only south (way 150, 2.3 km)
/// through a quick one (1,000 an hour); the combatants' crossing road (108) stands apart. The rule lets each node use only the reception it
/// reaches, so a bound that counted the neighbourhood towards one node's receptions only could
/// claim the slow crossing's 10 h.
fn town_whose_nodes_reach_different_crossings() -> Map {
    let nodes = vec![
        (1, 0.0, 0.0),
        (2, 900.0, 0.0),
        (Q, 900.0, 800.0),
        (WEST_RECEPTION, -1200.0, 0.0),
        (30, 1100.0, 800.0),
        (40, 1100.0, -1500.0),
        (3, 2000.0, 0.0),
        (10, 3800.0, 0.0),
    ];
    let ways = vec![
        (101, vec![1, 2]),
        (CALM_WAY, vec![2, Q]),
        (107, vec![1, WEST_RECEPTION]),
        (150, vec![30, 40]),
        (108, vec![3, 10]),
    ];
    (nodes, ways)
}

/// Every bound counts a neighbourhood towards the receptions of ALL its nodes within 500 m
/// (the union over its starts: `road_bound::receptions_of`, `plan::any_start_bound`): the
/// oracle is the plan itself, which passes `--verify` and sends the people of Q2 south —
/// so no bound may exceed its egress, and the hand count says the south crossing alone
/// empties the neighbourhood in 2 h plus a 2.3 km walk (under 3 h).
#[test]
fn a_neighbourhood_counts_towards_the_receptions_of_every_node_near_it() {
    let dir = tempfile::tempdir().unwrap();
    let (nodes, ways) = town_whose_nodes_reach_different_crossings();
    let ways: Vec<osm::Way> = ways
        .iter()
        .map(|(id, n)| osm::way(*id, n, &[("highway", "residential")]))
        .collect();
    write_map(dir.path(), &nodes, &ways);
    write_territory(dir.path());
    write_population(dir.path(), &[("Q", 1000.0, 800.0, 2000.0)]);
    write_manifest(
        dir.path(),
        "Two nodes, two crossings",
        200,
        100,
        "combatants = 0\n",
    );
    let south = format!(
        "[[corridor]]\nname = \"South crossing\"\npurpose = \"civilian\"\ncheckpoint = {}\ncapacity_per_hour = 1000\nreception = {}\n\n[evacuation]",
        lat_lon(1100.0, -500.0),
        lat_lon(1100.0, -1500.0)
    );
    edit_manifest(dir.path(), "[evacuation]", &south);
    let v = plan_and_verify(&dir);
    assert_eq!(v["stranded"], 0.0, "{:#}", v["headline"]);
    assert!(
        ways_of(&v, "civilian").contains(&150),
        "nobody goes south: {:#}",
        v["groups"]
    );
    let egress = v["egress_time_s"].as_f64().expect("an egress");
    assert!(egress <= 3.0 * 3600.0, "egress {egress}");
    let rows = v["lower_bounds"].as_array().unwrap();
    assert!(!rows.is_empty(), "no bound: {v:#}");
    for row in rows {
        let t = row["time_s"].as_f64().unwrap();
        assert!(
            t <= egress + 1.0,
            "bound {row} above the plan's egress {egress}"
        );
    }
}
