//! The synthetic Malta evacuation benchmark's stranded people, against an independent
//! reachability check: `corridor bench --evacuation malta.osm.pbf` stranded 10,547 people (three
//! grid cells' leavers) before the combatants were routed to cut nobody off; a state BFS over petgraph, on the raw scenario rules (arcs open to
//! civilians; one crossing, at an open civilian checkpoint; once across, no arc back into the
//! enclave and no second checkpoint), says which cells' walkers and drivers can reach a
//! reception. Ignored by default: it imports Malta (run with `--ignored`; the map is in
//! `../shared/data/`). The scenario is built as `bench/evacuation.rs` builds it.

mod reach;
use corridor_roads::{import_pbf, Profile, Snapper};
use corridor_routing::Seed;
use corridor_scenario::*;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use reach::{cells_that_leave, combatant_stretches};

const SEED: u64 = 1;
const PEOPLE: f64 = 250_000.0;
const CHECKPOINT_CAPACITY: f64 = 2_000.0;

#[test]
#[ignore]
fn malta_benchmark_strands_exactly_the_cells_no_road_leads_out_of() {
    use corridor_roads::geometry::haversine_m;
    use geo::{LineString, MultiPolygon, Polygon};
    let map = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/malta.osm.pbf");
    let g = &import_pbf(&map).unwrap();
    let foot = g.profile(Profile::Foot);
    // The densest part of the walkable network: the node with most neighbours within 1 km,
    // among a sample.
    let mut rng = SmallRng::seed_from_u64(SEED);
    let sample: Vec<[f64; 2]> = (0..300)
        .map(|_| foot.node_coord[rng.random_range(0..foot.node_count())])
        .collect();
    let centre = *sample
        .iter()
        .max_by_key(|c| {
            foot.node_coord
                .iter()
                .filter(|p| haversine_m(**p, **c) < 1000.0)
                .count()
        })
        .expect("nodes");
    // Half a side of 1 km, smaller on small maps so that there is ground beyond the line.
    let bb0 = g.meta.bbox;
    let extent_m = haversine_m([bb0[0], bb0[1]], [bb0[2], bb0[1]])
        .min(haversine_m([bb0[0], bb0[1]], [bb0[0], bb0[3]]));
    let half = (0.2 * extent_m).min(1000.0);
    let (dlat, dlon) = (
        half / 111_195.0,
        half / (111_195.0 * centre[1].to_radians().cos()),
    );
    let sq = [
        centre[0] - dlon,
        centre[1] - dlat,
        centre[0] + dlon,
        centre[1] + dlat,
    ];
    let ring = |b: [f64; 4]| {
        LineString::from(vec![
            (b[0], b[1]),
            (b[2], b[1]),
            (b[2], b[3]),
            (b[0], b[3]),
            (b[0], b[1]),
        ])
    };
    let bb = g.meta.bbox;
    let outer = [bb[0] - 0.01, bb[1] - 0.01, bb[2] + 0.01, bb[3] + 0.01];
    let mut hole = ring(sq);
    hole.0.reverse();
    let per = PEOPLE / 64.0;
    let population: Vec<PopulationUnit> = (0..64)
        .map(|i| {
            let (x, y) = ((i % 8) as f64 + 0.5, (i / 8) as f64 + 0.5);
            PopulationUnit {
                name: format!("cell {i}"),
                people: per,
                point: [
                    sq[0] + (sq[2] - sq[0]) * x / 8.0,
                    sq[1] + (sq[3] - sq[1]) * y / 8.0,
                ],
                area: None,
                feature: i,
            }
        })
        .collect();
    let mut s = Scenario {
        name: "synthetic evacuation benchmark".into(),
        as_of: chrono::NaiveDate::from_ymd_opt(2016, 7, 28).expect("date"),
        file: map.to_path_buf(),
        map: map.to_path_buf(),
        sha256: String::new(),
        parties: vec![
            Party {
                id: "gov".into(),
                name: "besieging".into(),
                allies: vec![],
            },
            Party {
                id: "opp".into(),
                name: "besieged".into(),
                allies: vec![],
            },
        ],
        territories: vec![
            Territory {
                party: 1,
                area: MultiPolygon(vec![Polygon::new(ring(sq), vec![])]),
                feature: 0,
            },
            Territory {
                party: 0,
                area: MultiPolygon(vec![Polygon::new(ring(outer), vec![hole])]),
                feature: 1,
            },
        ],
        territory_timeline: vec![],
        incidents: vec![],
        incidents_after_as_of: 0,
        closures: vec![],
        closures_after_as_of: 0,
        avoid: vec![],
        enclaves: vec![Enclave {
            name: "synthetic enclave".into(),
            party: 1,
            area: None,
        }],
        corridors: vec![],
        risk: RiskParams::default(),
        facilities: vec![],
        population,
        stock: None,
        evacuation: EvacuationParams {
            combatants: 2000.0,
            ..Default::default()
        },
        assembly_points: vec![],
        layer_files: vec![],
        placement: Default::default(),
        incidents_imprecise: 0,
        aid_crossings: vec![],
        convoy: None,
    };
    let snappers: Vec<Snapper> = Profile::ALL
        .iter()
        .map(|&p| Snapper::new(g.profile(p), bb))
        .collect();
    let suggestions = {
        let fm = ScenarioMap::new(&s, foot, bb, &snappers[0]).unwrap();
        corridor_analysis::evacuate::crossing_candidates(&fm, 4).unwrap()
    };
    assert!(suggestions.len() >= 2);
    // Receptions: a reachable node ~15 minutes' walk beyond each crossing.
    for (i, sg) in suggestions.iter().enumerate() {
        s.corridors.push(Corridor {
            name: format!("suggested {i}: {}", sg.road),
            purpose: if i == 3 {
                Purpose::Combatant
            } else {
                Purpose::Civilian
            },
            checkpoint: sg.checkpoint,
            capacity_per_hour: Some(if i == 3 { 500.0 } else { CHECKPOINT_CAPACITY }),
            reception: None,
            hours: None,
            opens: Default::default(),
        });
    }
    let receptions: Vec<Option<[f64; 2]>> = {
        let fm = ScenarioMap::new(&s, foot, bb, &snappers[0]).unwrap();
        let mut out = Vec::new();
        for k in 0..s.corridors.len() {
            let side = if s.corridors[k].purpose == Purpose::Combatant {
                Side::Party(1)
            } else {
                Side::CivilianOf(1)
            };
            let w = fm.weights(side, Mode::Fastest, 0.0);
            let cp = fm
                .checkpoints
                .iter()
                .find(|c| c.corridor == k)
                .expect("snapped");
            let mut q = corridor_routing::OneToAll::new(&foot.graph);
            let seeds: Vec<Seed> = [
                foot.edges.from[cp.edges.first().copied().unwrap_or(0) as usize],
                foot.edges.to[cp.edges.first().copied().unwrap_or(0) as usize],
            ]
            .iter()
            .map(|&v| Seed { node: v, cost: 0.0 })
            .collect();
            q.run(&foot.graph, &w, &seeds, f64::INFINITY, false);
            let best = (0..foot.node_count() as u32)
                .filter(|&v| {
                    q.cost(v).is_finite() && fm.owner_at(foot.node_coord[v as usize]) == Some(0)
                })
                .min_by(|&a, &b| {
                    (q.cost(a) - 900.0)
                        .abs()
                        .total_cmp(&(q.cost(b) - 900.0).abs())
                });
            out.push(best.map(|v| foot.node_coord[v as usize]));
        }
        out
    };
    for (c, r) in s.corridors.iter_mut().zip(receptions) {
        c.reception = r;
    }
    s.corridors.retain(|c| c.reception.is_some());
    let fm = ScenarioMap::new(&s, foot, bb, &snappers[0]).unwrap();
    let cm = ScenarioMap::new(&s, g.profile(Profile::Car), bb, &snappers[1]).unwrap();
    let r = corridor_analysis::evacuate::evacuate(&fm, &cm).unwrap();
    let ground = corridor_analysis::siege::enclave_ground(&s, 0);
    let points: Vec<[f64; 2]> = s.population.iter().map(|u| u.point).collect();
    let none = std::collections::HashSet::new();
    let fighters = combatant_stretches(fm.graph, &r);
    let raw = (
        cells_that_leave(&fm, &ground, &points, &none),
        cells_that_leave(&cm, &ground, &points, &none),
    );
    let walk = cells_that_leave(&fm, &ground, &points, &fighters);
    let drive = cells_that_leave(&cm, &ground, &points, &fighters);
    let ev = s.evacuation;
    let leaving = PEOPLE / 64.0 * (1.0 - ev.stay_share);
    let mut expected = 0.0;
    for i in 0..64 {
        let stranded = leaving
            * (ev.foot_share * f64::from(u8::from(!walk[i]))
                + (1.0 - ev.foot_share) * f64::from(u8::from(!drive[i] && !walk[i])));
        let planned = r.neighbourhoods[i].stranded;
        if stranded > 0.0 || planned > 0.0 {
            println!(
                "cell {i} at {:?}: walkers leave {} ({} ignoring the combatants' roads), drivers leave {} ({}); oracle {stranded:.0}, plan {planned} ({:?})",
                points[i], walk[i], raw.0[i], drive[i], raw.1[i], r.neighbourhoods[i].stranded_because
            );
        }
        expected += stranded;
    }
    println!("stranded: oracle {expected:.0}, plan {}", r.stranded);
    assert!(
        (expected - r.stranded).abs() <= 2.0,
        "oracle {expected:.0}, plan {}",
        r.stranded
    );
}
