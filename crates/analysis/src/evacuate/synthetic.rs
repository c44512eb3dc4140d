//! The synthetic enclave of `corridor bench --evacuation`, built on any map: one
//! implementation for the benchmark and for the tests that check its figures independently.

use super::crossing_candidates;
use corridor_roads::geometry::haversine_m;
use corridor_roads::{Profile, RoadGraph, Snapper};
use corridor_routing::{OneToAll, Seed};
use corridor_scenario::*;
use geo::{LineString, MultiPolygon, Polygon};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::path::Path;

/// The benchmark's scenario on `g` (read from `map`): a square enclave of up to 2 × 2 km
/// around the densest part of the walkable network (the node with most neighbours within 1 km
/// among 300 drawn with `seed`), `people` in an 8 × 8 grid of point neighbourhoods, 2,000
/// combatants spread in proportion (no assembly point), and up to four suggested crossings —
/// three civilian at `checkpoint_capacity` people an hour, the fourth combatant at 500/h — each
/// with its reception at the reachable node nearest to 15 minutes' walk beyond it; crossings
/// without one are dropped. An error when fewer than two crossings can be suggested.
pub fn synthetic_scenario(
    map: &Path,
    g: &RoadGraph,
    people: f64,
    checkpoint_capacity: f64,
    seed: u64,
) -> Result<Scenario, String> {
    let foot = g.profile(Profile::Foot);
    // The densest part of the walkable network: the node with most neighbours within 1 km,
    // among a sample.
    let mut rng = SmallRng::seed_from_u64(seed);
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
    let per = people / 64.0;
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
        let fm = ScenarioMap::new(&s, foot, bb, &snappers[0]).map_err(|e| e.to_string())?;
        crossing_candidates(&fm, 4).map_err(|e| e.to_string())?
    };
    if suggestions.len() < 2 {
        return Err(format!(
            "{}: fewer than two usable crossings around the synthetic enclave",
            map.display()
        ));
    }
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
            capacity_per_hour: Some(if i == 3 { 500.0 } else { checkpoint_capacity }),
            reception: None,
            hours: None,
            opens: Default::default(),
        });
    }
    let receptions: Vec<Option<[f64; 2]>> = {
        let fm = ScenarioMap::new(&s, foot, bb, &snappers[0]).map_err(|e| e.to_string())?;
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
            let mut q = OneToAll::new(&foot.graph);
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
    Ok(s)
}
