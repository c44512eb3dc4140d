//! Where a neighbourhood's people start, against hand counts: an area's people spread evenly
//! over the area on the documented grid, each cell to its nearest road node that leads out
//! within 500 m, the rest stranded with the reason.

use corridor_analysis::evacuate::start::{cells, spread, Candidate, StartShare};
use geo::{LineString, MultiPolygon, Polygon};

/// Metres per degree on the mean earth radius (the sphere haversine uses), written out by hand.
const M_PER_DEG: f64 = 6_371_008.8 * std::f64::consts::PI / 180.0;
const LAT: f64 = 42.5;
const LON: f64 = 1.5;

/// `[lon, lat]` of a point `x` m east and `y` m north of the origin.
fn at(x: f64, y: f64) -> [f64; 2] {
    [
        LON + x / (M_PER_DEG * LAT.to_radians().cos()),
        LAT + y / M_PER_DEG,
    ]
}

/// The rectangle from (0, 0) to (w, h) metres.
fn rectangle(w: f64, h: f64) -> MultiPolygon<f64> {
    let ring: Vec<(f64, f64)> = [(0.0, 0.0), (w, 0.0), (w, h), (0.0, h), (0.0, 0.0)]
        .iter()
        .map(|&(x, y)| {
            let p = at(x, y);
            (p[0], p[1])
        })
        .collect();
    MultiPolygon(vec![Polygon::new(LineString::from(ring), vec![])])
}

fn share_of(shares: &[StartShare], start: &Result<u32, String>) -> f64 {
    shares
        .iter()
        .filter(|s| &s.start == start)
        .map(|s| s.share)
        .sum()
}

/// A 1,000 × 100 m area: 50 m cells (its 0.1 km² is under 64 cells of 50 m), 20 × 2 cells with
/// centres at x = 25, 75, …, 975 and y = 25, 75. Node A at (0, 50), node B at (300, 50) both
/// lead out; node C at (950, 50) does not. By hand: a cell goes to A when x < 150 (3 columns),
/// to B when 150 < x and √((x − 300)² + 25²) ≤ 500, i.e. x ≤ 799 (columns 175 … 775: 13), and
/// the 4 columns 825 … 975 have only C within 500 m: stranded, as C leads nowhere.
#[test]
fn an_area_spreads_over_the_nodes_nearest_its_cells_by_hand() {
    let area = rectangle(1000.0, 100.0);
    let cs = cells(at(500.0, 50.0), Some(&area));
    assert_eq!(cs.len(), 40, "20 × 2 cells of 50 m");
    let nodes = [
        Candidate {
            at: at(0.0, 50.0),
            node: 1,
            open: true,
            leads_out: true,
        },
        Candidate {
            at: at(300.0, 50.0),
            node: 2,
            open: true,
            leads_out: true,
        },
        Candidate {
            at: at(950.0, 50.0),
            node: 3,
            open: true,
            leads_out: false,
        },
    ];
    let shares = spread(&cs, &nodes, "foot");
    let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
    assert!(close(share_of(&shares, &Ok(1)), 3.0 / 20.0), "{shares:?}");
    assert!(close(share_of(&shares, &Ok(2)), 13.0 / 20.0), "{shares:?}");
    let stranded: Vec<&StartShare> = shares.iter().filter(|s| s.start.is_err()).collect();
    assert_eq!(stranded.len(), 1, "one reason: {shares:?}");
    assert!(close(stranded[0].share, 4.0 / 20.0));
    let why = stranded[0].start.as_ref().unwrap_err();
    assert!(why.contains("leads to a corridor's reception"), "{why}");
    assert!(close(shares.iter().map(|s| s.share).sum(), 1.0));
    // Without C the same 4 columns have no road within 500 m at all.
    let shares = spread(&cs, &nodes[..2], "foot");
    let why = shares
        .iter()
        .find_map(|s| s.start.as_ref().err())
        .expect("stranded");
    assert!(
        why.contains("no foot road inside the enclave within 500 m"),
        "{why}"
    );
    assert!(close(share_of(&shares, &Ok(2)), 13.0 / 20.0));
}

/// A 2 × 2 km area has 4 km², so cells of √(4 km² / 64) = 250 m: 8 × 8 cells; one node at the
/// centre reaches the cells whose centre is within 500 m: centres at ±125 and ±375 m, so
/// (125, 125), (125, 375), (375, 125) (√(375² + 125²) = 395 m) in each quadrant, but not
/// (375, 375) (530 m): 3 × 4 = 12 of 64 cells.
#[test]
fn a_large_area_uses_at_most_64_cells_by_hand() {
    let area = rectangle(2000.0, 2000.0);
    let cs = cells(at(1000.0, 1000.0), Some(&area));
    assert_eq!(cs.len(), 64);
    let nodes = [Candidate {
        at: at(1000.0, 1000.0),
        node: 7,
        open: true,
        leads_out: true,
    }];
    let shares = spread(&cs, &nodes, "car");
    assert!(
        (share_of(&shares, &Ok(7)) - 12.0 / 64.0).abs() < 1e-9,
        "{shares:?}"
    );
}

/// A point neighbourhood is one cell at its point; an area thinner than a cell starts at its
/// interior point.
#[test]
fn points_and_slivers_start_from_one_place() {
    let p = at(0.0, 0.0);
    assert_eq!(cells(p, None), vec![p]);
    let sliver = rectangle(300.0, 10.0);
    let cs = cells(p, Some(&sliver));
    assert_eq!(cs.len(), 1, "{cs:?}");
    let node = [Candidate {
        at: at(150.0, 5.0),
        node: 9,
        open: true,
        leads_out: true,
    }];
    assert_eq!(
        spread(&cs, &node, "foot"),
        vec![StartShare {
            start: Ok(9),
            share: 1.0
        }]
    );
    // 600 m from the only node: stranded, with the reason.
    let far = spread(&[at(750.0, 5.0)], &node, "foot");
    assert_eq!(far.len(), 1);
    assert!(far[0].start.is_err());
}

mod common;
mod reach;
use common::*;

/// `n` points spread uniformly over `area` ∩ `ground` by a fixed linear congruential sequence.
fn sample(
    area: &MultiPolygon<f64>,
    ground: &MultiPolygon<f64>,
    n: usize,
    seed: &mut u64,
) -> Vec<[f64; 2]> {
    use geo::{BoundingRect, Contains, Point};
    let mut uniform = || {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (*seed >> 11) as f64 / (1u64 << 53) as f64
    };
    let b = area.bounding_rect().unwrap();
    let mut out = Vec::new();
    while out.len() < n {
        let p = [
            b.min().x + uniform() * b.width(),
            b.min().y + uniform() * b.height(),
        ];
        let pt = Point::new(p[0], p[1]);
        if area.contains(&pt) && ground.contains(&pt) {
            out.push(p);
        }
    }
    out
}

/// The example's walkers stranded for want of a road, against sampling: 400 random points
/// (a fixed linear congruential sequence) spread uniformly over each sector's part of the
/// enclave, each checked for a foot road node inside the enclave within 500 m (by haversine,
/// over every node of the raw foot graph). People live where a road is (README "Where people
/// start"): a sector where sampling finds a road near at least 2 % of its ground strands nobody
/// for want of a road; one where no point has a road strands all its walkers for that reason.
#[test]
fn the_example_strands_the_walkers_sampling_finds_far_from_any_road() {
    use corridor_analysis::evacuate::evacuate;
    use corridor_roads::geometry::haversine_m;
    use geo::{BoundingRect, Contains, Point};
    let s = example();
    let m = maps(&s);
    let r = evacuate(&m[0], &m[1]).unwrap();
    let ground = corridor_analysis::siege::enclave_ground(&s, 0);
    let g = m[0].graph;
    let roads: Vec<[f64; 2]> = g
        .node_coord
        .iter()
        .copied()
        .filter(|c| ground.contains(&Point::new(c[0], c[1])))
        .collect();
    let mut seed: u64 = 12345;
    let mut uniform = move || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    let walkers = (1.0 - s.evacuation.stay_share) * s.evacuation.foot_share;
    for n in &r.neighbourhoods {
        let unit = s.population.iter().find(|u| u.name == n.name).unwrap();
        let area = unit.area.as_ref().unwrap();
        let b = area.bounding_rect().unwrap();
        let (mut inside, mut far) = (0, 0);
        while inside < 400 {
            let p = [
                b.min().x + uniform() * b.width(),
                b.min().y + uniform() * b.height(),
            ];
            let pt = Point::new(p[0], p[1]);
            if !area.contains(&pt) || !ground.contains(&pt) {
                continue;
            }
            inside += 1;
            if roads.iter().all(|&c| haversine_m(c, p) > 500.0) {
                far += 1;
            }
        }
        let sampled = match far {
            400 => 1.0,
            f if f <= 392 => 0.0,
            _ => continue, // a road near under 2 % of the ground: the grid may miss it
        };
        let by_foot: f64 = n
            .stranded_because
            .iter()
            .filter(|x| x.contains("by foot: no foot road"))
            .map(|x| x.split(' ').next().unwrap().parse::<f64>().unwrap())
            .sum();
        let planned = by_foot / (n.people * walkers);
        assert!(
            (planned - sampled).abs() <= 1e-9,
            "{}: {planned:.3} of walkers stranded for want of a road, sampling says {sampled:.3}",
            n.name
        );
    }
}

/// Every stranded person of the example, against sampling and an independent reachability
/// check: 200 random points per sector; a point's walkers can leave when a foot road node inside
/// the enclave within 500 m reaches a civilian reception by the state BFS of `reach` (one
/// outward crossing, nobody back in) on roads the plan's combatants do not walk, and its drivers
/// likewise by car (or they walk). The sector's stranded share must agree within 8 points.
#[test]
fn the_example_strands_those_whom_no_road_within_500_m_leads_out() {
    use corridor_analysis::evacuate::evacuate;
    let s = example();
    let m = maps(&s);
    let r = evacuate(&m[0], &m[1]).unwrap();
    let ground = corridor_analysis::siege::enclave_ground(&s, 0);
    let fighters = reach::combatant_stretches(m[0].graph, &r);
    let mut seed = 777;
    let ev = s.evacuation;
    let mut points = Vec::new();
    for n in &r.neighbourhoods {
        let unit = s.population.iter().find(|u| u.name == n.name).unwrap();
        points.extend(sample(unit.area.as_ref().unwrap(), &ground, 200, &mut seed));
    }
    let walk = reach::cells_that_leave(&m[0], &ground, &points, &fighters);
    let drive = reach::cells_that_leave(&m[1], &ground, &points, &fighters);
    // People live where a road is (README "Where people start"): a point with no foot road
    // node inside the enclave within 500 m holds nobody, unless no point of its sector has one.
    let foot_roads: Vec<[f64; 2]> = m[0]
        .graph
        .node_coord
        .iter()
        .copied()
        .filter(|c| geo::Contains::contains(&ground, &geo::Point::new(c[0], c[1])))
        .collect();
    let lived_in: Vec<bool> = points
        .iter()
        .map(|&p| {
            foot_roads
                .iter()
                .any(|&c| corridor_roads::geometry::haversine_m(c, p) <= 500.0)
        })
        .collect();
    for (k, n) in r.neighbourhoods.iter().enumerate() {
        let mut sector: Vec<usize> = (k * 200..(k + 1) * 200).filter(|&i| lived_in[i]).collect();
        if sector.is_empty() {
            sector = (k * 200..(k + 1) * 200).collect();
        }
        let sampled: f64 = sector
            .iter()
            .map(|&i| {
                let w = f64::from(u8::from(!walk[i]));
                let d = f64::from(u8::from(!drive[i] && !walk[i]));
                ev.foot_share * w + (1.0 - ev.foot_share) * d
            })
            .sum::<f64>()
            / sector.len() as f64;
        let planned = n.stranded / (n.people * (1.0 - ev.stay_share));
        assert!(
            (planned - sampled).abs() <= 0.08,
            "{}: {planned:.3} of its leavers stranded, sampling and BFS say {sampled:.3}",
            n.name
        );
    }
}

/// The example's 1,492 stranded combatants, by an independent count: the combatants spread
/// over the sectors in proportion to their people and, within a sector, evenly over its
/// inhabited cells (the documented grid; a cell is inhabited when a foot road node inside the
/// enclave lies within 500 m of it, or when none of its sector's cells is); a cell's
/// combatants are stranded when no foot node inside the enclave within 500 m of it reaches the
/// combatant reception by the state BFS of `reach` as members of the enclave's party (their
/// crossing only, once, outward; no road closed: they are planned first). On the example this
/// is everyone outside the pocket of Carretera de la Comella around the CS-101 crossing, whose
/// foot roads join the rest of the enclave only across government ground — so every reason
/// must name the front line and the government, not "roads kept for the other flow".
#[test]
fn the_example_strands_the_combatants_no_foot_road_leads_to_their_corridor() {
    use corridor_analysis::evacuate::evacuate;
    use corridor_roads::geometry::haversine_m;
    use corridor_scenario::Side;
    let s = example();
    let m = maps(&s);
    let r = evacuate(&m[0], &m[1]).unwrap();
    let ground = corridor_analysis::siege::enclave_ground(&s, 0);
    let foot_roads: Vec<[f64; 2]> = m[0]
        .graph
        .node_coord
        .iter()
        .copied()
        .filter(|c| geo::Contains::contains(&ground, &geo::Point::new(c[0], c[1])))
        .collect();
    let party = Side::Party(s.enclaves[0].party);
    let none = std::collections::HashSet::new();
    let total: f64 = r.neighbourhoods.iter().map(|n| n.people).sum();
    let mut expected = 0.0;
    for n in &r.neighbourhoods {
        let unit = s.population.iter().find(|u| u.name == n.name).unwrap();
        let area = geo::BooleanOps::intersection(unit.area.as_ref().unwrap(), &ground);
        let all = cells(unit.point, Some(&area));
        let lived: Vec<[f64; 2]> = all
            .iter()
            .copied()
            .filter(|&c| foot_roads.iter().any(|&k| haversine_m(k, c) <= 500.0))
            .collect();
        let lived = if lived.is_empty() { all } else { lived };
        let leave = reach::cells_that_leave_as(&m[0], &ground, &lived, &none, party);
        let cut = leave.iter().filter(|&&x| !x).count() as f64;
        expected += s.evacuation.combatants * n.people / total * cut / lived.len() as f64;
    }
    assert!(
        (r.combatants_stranded - expected).abs() <= 1.0,
        "planned {} stranded combatants, the BFS count says {expected:.1}",
        r.combatants_stranded
    );
    assert_eq!(
        r.combatants_stranded, 1492.0,
        "the figure BENCHMARKS quotes"
    );
    for why in &r.combatants_stranded_because {
        assert!(
            why.contains("without entering ground held by Government forces (illustrative) away from a combatant crossing"),
            "{why}"
        );
    }
    // The civilians of Sector A4 stranded on the same pocket: the same cause, not the
    // combatants' roads (which do run through the pocket).
    let a4 = r
        .neighbourhoods
        .iter()
        .find(|n| n.name == "Sector A4")
        .unwrap();
    assert!(a4.stranded > 0.0);
    for why in &a4.stranded_because {
        assert!(
            why.contains("entering ground held by Government forces (illustrative) away from a civilian crossing"),
            "{why}"
        );
    }
}

/// The pocket behind the example's combatant crossing, by plain geometry (no ground model, no
/// front-line rule, no search of the planner's): join the foot roads whose whole drawn line
/// lies inside the enclave's ground (`geo` containment of the edge's shape) into pieces, by
/// union–find. The piece holding the inner end of the CS-101 crossing is tiny and is not the
/// piece holding most of the enclave's roads: every way from the rest of the enclave to that
/// crossing leaves the enclave's ground — held by the government — away from it. And the
/// combatants who can leave are exactly those of cells with a foot node of that piece within
/// 500 m (the documented start rule): 2,000 − 1,492 = 508.
#[test]
fn the_example_combatant_crossing_lies_in_a_pocket_by_plain_geometry() {
    use corridor_roads::geometry::haversine_m;
    use geo::{Contains, Point};
    let s = example();
    let m = maps(&s);
    let g = m[0].graph;
    let ground = corridor_analysis::siege::enclave_ground(&s, 0);
    let inside = |c: [f64; 2]| ground.contains(&Point::new(c[0], c[1]));
    let n = g.node_coord.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(p: &mut [usize], mut v: usize) -> usize {
        while p[v] != v {
            p[v] = p[p[v]];
            v = p[v];
        }
        v
    }
    for e in 0..g.edge_count() as u32 {
        let line: LineString<f64> = g.edge_shape(e).iter().map(|p| (p[0], p[1])).collect();
        if g.edge_shape(e).iter().all(|&p| inside(p)) && ground.contains(&line) {
            let (a, b) = (
                g.edges.from[e as usize] as usize,
                g.edges.to[e as usize] as usize,
            );
            let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
            parent[ra] = rb;
        }
    }
    let mut size = vec![0usize; n];
    for v in 0..n {
        if inside(g.node_coord[v]) {
            let r = root(&mut parent, v);
            size[r] += 1;
        }
    }
    let main = (0..n).max_by_key(|&r| size[r]).unwrap();
    let k = s
        .corridors
        .iter()
        .position(|c| c.name == "CS-101 crossing (combatants)")
        .unwrap();
    let cp = m[0].checkpoints.iter().find(|c| c.corridor == k).unwrap();
    assert!(!cp.edges.is_empty());
    let mut pocket = None;
    for &e in &cp.edges {
        for v in [g.edges.from[e as usize], g.edges.to[e as usize]] {
            if inside(g.node_coord[v as usize]) {
                pocket = Some(root(&mut parent, v as usize));
            }
        }
    }
    let pocket = pocket.expect("the crossing has an end inside the enclave");
    assert_ne!(
        pocket, main,
        "the crossing's piece is the enclave's main piece"
    );
    let members: Vec<usize> = (0..n)
        .filter(|&v| inside(g.node_coord[v]) && root(&mut parent, v) == pocket)
        .collect();
    eprintln!(
        "pocket: {} foot nodes; main piece {}",
        members.len(),
        size[main]
    );
    assert!(members.len() <= 10, "pocket of {} nodes", members.len());
    // The combatants who can leave: by sector, in proportion to people, evenly over the
    // inhabited cells (a foot node inside the enclave within 500 m, or all cells if none).
    let foot_inside: Vec<[f64; 2]> = g
        .node_coord
        .iter()
        .copied()
        .filter(|&c| inside(c))
        .collect();
    let r = corridor_analysis::evacuate::evacuate(&m[0], &m[1]).unwrap();
    let total: f64 = r.neighbourhoods.iter().map(|x| x.people).sum();
    let mut leave = 0.0;
    for nb in &r.neighbourhoods {
        let unit = s.population.iter().find(|u| u.name == nb.name).unwrap();
        let area = geo::BooleanOps::intersection(unit.area.as_ref().unwrap(), &ground);
        let all = cells(unit.point, Some(&area));
        let lived: Vec<[f64; 2]> = all
            .iter()
            .copied()
            .filter(|&c| foot_inside.iter().any(|&f| haversine_m(f, c) <= 500.0))
            .collect();
        let lived = if lived.is_empty() { all } else { lived };
        let near_pocket = lived
            .iter()
            .filter(|&&c| {
                members
                    .iter()
                    .any(|&v| haversine_m(g.node_coord[v], c) <= 500.0)
            })
            .count();
        leave +=
            s.evacuation.combatants * nb.people / total * near_pocket as f64 / lived.len() as f64;
    }
    assert!(
        (s.evacuation.combatants - leave - r.combatants_stranded).abs() <= 1.0,
        "geometry: {leave:.1} can leave; planned stranded {}",
        r.combatants_stranded
    );
}
