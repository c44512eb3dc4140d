//! `--suggest K`: new checkpoints proposed among the front line's road crossings.

use super::EvacuationError;
use crate::siege::enclave_ground;
use corridor_roads::geometry::haversine_m;
use corridor_roads::{ProfileGraph, Snapper};
use corridor_routing::{OneToAll, Seed, INVALID};
use corridor_scenario::{Mode, Purpose, ScenarioMap, Side};
use geo::{Contains, Point};
use serde::Serialize;
use std::collections::HashSet;

/// Adds a corridor to a scenario; when the scenario is placed on its map, the new checkpoint is
/// placed on the way nearest across both profiles, as `corridor_scenario::place` does, so the
/// walkers' and drivers' checkpoint stand on one OSM way.
fn add_corridor(
    s: &mut corridor_scenario::Scenario,
    c: corridor_scenario::Corridor,
    graphs: [&ProfileGraph; 2],
    snappers: &[Snapper; 2],
) {
    let placed = s.placement.checkpoints.len() == s.corridors.len();
    if placed {
        let pairs = [(graphs[0], &snappers[0]), (graphs[1], &snappers[1])];
        let at = corridor_scenario::nearest_way(&pairs, c.checkpoint, s.risk.checkpoint_radius_m);
        s.placement.checkpoints.push(at);
    }
    s.corridors.push(c);
}

fn nearest_node(g: &ProfileGraph, at: [f64; 2], usable: &[bool]) -> Option<u32> {
    (0..g.node_count() as u32)
        .filter(|&v| usable[v as usize])
        .min_by(|&a, &b| {
            haversine_m(g.node_coord[a as usize], at)
                .total_cmp(&haversine_m(g.node_coord[b as usize], at))
        })
}

/// A proposed checkpoint and why.
#[derive(Debug, Clone, Serialize)]
pub struct Suggestion {
    pub road: String,
    pub osm_way_id: i64,
    /// `[lon, lat]` on the front-line crossing.
    pub checkpoint: [f64; 2],
    /// People for whom it would be the nearest corridor (with the others chosen before it).
    pub serves_people: f64,
    pub mean_walk_min: f64,
    pub mean_exposure: f64,
    /// Distance to the nearest declared or already suggested checkpoint, metres.
    pub nearest_other_corridor_m: Option<f64>,
    pub why: String,
}

/// Up to `k` road crossings of the enclave's front line, greedily minimising the
/// population-weighted generalised cost (walking time + λ · exposure) of the way to the nearest
/// corridor. A crossing on an OSM way that a declared checkpoint (or one chosen before) already
/// opens shares its road and queue, and is left out. Fast: no plan is made (the evacuation
/// benchmark places its corridors with it; `suggest_corridors` evaluates them by egress).
pub fn crossing_candidates(
    foot: &ScenarioMap,
    k: usize,
) -> Result<Vec<Suggestion>, EvacuationError> {
    let s = foot.scenario;
    let g = foot.graph;
    let err = |m: String| EvacuationError(format!("{}: {m}", s.file.display()));
    let enclave = s
        .enclaves
        .first()
        .ok_or_else(|| err("the scenario declares no [[enclave]]".into()))?;
    let side = Side::CivilianOf(enclave.party);
    let ground = enclave_ground(s, 0);
    let inside = |v: u32| {
        let c = g.node_coord[v as usize];
        ground.contains(&Point::new(c[0], c[1]))
    };
    let blocked = foot.blocked_arcs(side, false);
    let lambda = s.risk.lambda;
    let w = foot.weights_from_arcs(&blocked, Mode::Balanced, lambda);
    let pop = crate::siege::enclave_population(s, &ground);
    let usable: Vec<bool> = (0..g.node_count() as u32)
        .map(|v| inside(v) && g.graph.out_arcs(v).any(|a| w[a as usize].is_finite()))
        .collect();
    let units: Vec<(f64, u32)> = pop
        .iter()
        .filter_map(|(p, at)| nearest_node(g, *at, &usable).map(|v| (*p, v)))
        .collect();
    let total: f64 = units.iter().map(|u| u.0).sum();
    if total <= 0.0 {
        return Err(err(
            "nobody lives inside the enclave: give a population layer".into(),
        ));
    }
    // Candidates: front-line crossings by road (not closed), one per road name.
    struct Cand {
        edge: u32,
        inner: u32,
        at: [f64; 2],
        cost: Vec<f64>,
        exposure: Vec<f64>,
        beyond: usize,
    }
    let mut cands: Vec<Cand> = Vec::new();
    let mut search = OneToAll::new(&g.graph);
    for e in 0..g.edge_count() as u32 {
        if foot.closure_of(e).is_some()
            || foot.blocked_with(e, side, false)
                != Some("crosses a front line away from a declared crossing")
        {
            continue;
        }
        let (a, b) = (g.edges.from[e as usize], g.edges.to[e as usize]);
        let (inner, outer) = match (inside(a), inside(b)) {
            (true, false) => (a, b),
            (false, true) => (b, a),
            _ => continue,
        };
        let name = g.edge_name(e).map(str::to_string);
        if name.is_some()
            && cands
                .iter()
                .any(|c| g.edge_name(c.edge).map(str::to_string) == name)
        {
            continue;
        }
        // It must lead somewhere beyond the line.
        search.run(
            &g.graph,
            &w,
            &[Seed {
                node: outer,
                cost: 0.0,
            }],
            f64::INFINITY,
            false,
        );
        let beyond = (0..g.node_count() as u32)
            .filter(|&v| !inside(v) && search.cost(v).is_finite())
            .count();
        if beyond < 20 {
            continue;
        }
        search.run(
            &g.graph,
            &w,
            &[Seed {
                node: inner,
                cost: 0.0,
            }],
            f64::INFINITY,
            true,
        );
        let cost: Vec<f64> = units.iter().map(|u| search.cost(u.1)).collect();
        let exposure: Vec<f64> = units
            .iter()
            .map(|u| {
                let (mut x, mut ex) = (u.1, 0.0);
                if search.cost(x).is_infinite() {
                    return f64::INFINITY;
                }
                while search.parent_arc(x) != INVALID {
                    let a = search.parent_arc(x);
                    ex += foot.edge_exposure(g.arc_edge(a).0);
                    x = g.graph.arc_head(a);
                }
                ex
            })
            .collect();
        // The checkpoint goes where the road crosses the enclave's edge.
        let shape = g.edge_shape(e);
        let within = |p: &[f64; 2]| ground.contains(&Point::new(p[0], p[1]));
        let at = shape
            .windows(2)
            .find(|w| within(&w[0]) != within(&w[1]))
            .map_or(shape[shape.len() / 2], |w| {
                [(w[0][0] + w[1][0]) / 2.0, (w[0][1] + w[1][1]) / 2.0]
            });
        cands.push(Cand {
            edge: e,
            inner,
            at,
            cost,
            exposure,
            beyond,
        });
    }
    let mut others: Vec<[f64; 2]> = foot.checkpoints.iter().map(|c| c.point).collect();
    let mut taken_ways: HashSet<i64> = foot
        .checkpoints
        .iter()
        .flat_map(|c| c.edges.iter().map(|&e| g.edges.way_id[e as usize]))
        .collect();
    let mut chosen: Vec<usize> = Vec::new();
    let mut best_cost: Vec<f64> = vec![f64::INFINITY; units.len()];
    let mut out = Vec::new();
    for _ in 0..k {
        let objective = |c: &Cand| -> f64 {
            units
                .iter()
                .enumerate()
                .map(|(i, u)| {
                    let x = best_cost[i].min(c.cost[i]);
                    if x.is_finite() {
                        u.0 * x
                    } else {
                        u.0 * 1e9
                    }
                })
                .sum()
        };
        let pick = (0..cands.len())
            .filter(|i| !chosen.contains(i))
            .filter(|&i| !taken_ways.contains(&g.edges.way_id[cands[i].edge as usize]))
            .min_by(|&a, &b| objective(&cands[a]).total_cmp(&objective(&cands[b])));
        let Some(i) = pick else { break };
        let c = &cands[i];
        let mut serves = 0.0;
        let (mut walk, mut expo) = (0.0, 0.0);
        for (j, u) in units.iter().enumerate() {
            if c.cost[j] < best_cost[j] {
                serves += u.0;
                walk += u.0 * c.cost[j];
                expo += u.0 * c.exposure[j];
            }
        }
        let nearest = others
            .iter()
            .map(|o| haversine_m(*o, c.at))
            .fold(None, |m: Option<f64>, d| Some(m.map_or(d, |m| m.min(d))));
        let road = g.edge_name(c.edge).map_or_else(
            || format!("way {}", g.edges.way_id[c.edge as usize]),
            str::to_string,
        );
        let (mean_walk_min, mean_exposure) = if serves > 0.0 {
            // The cost is time + λ·exposure: take the exposure part out for the walk.
            ((walk - lambda * expo) / serves / 60.0, expo / serves)
        } else {
            (0.0, 0.0)
        };
        out.push(Suggestion {
            road: road.clone(),
            osm_way_id: g.edges.way_id[c.edge as usize],
            checkpoint: c.at,
            serves_people: serves.round(),
            mean_walk_min: (mean_walk_min * 10.0).round() / 10.0,
            mean_exposure: (mean_exposure * 10.0).round() / 10.0,
            nearest_other_corridor_m: nearest.map(|d| d.round()),
            why: format!(
                "a crossing of the front line on {road}: nearest corridor for {:.0} people ({:.0} % of the enclave), {:.1} min mean walk to it with mean exposure {:.1}; {} road nodes reachable beyond the line; {}",
                serves,
                serves / total * 100.0,
                mean_walk_min,
                mean_exposure,
                c.beyond,
                nearest.map_or_else(|| "no other corridor yet".into(), |d| format!("{d:.0} m from the nearest other corridor"))
            ),
        });
        let _ = c.inner;
        for (j, best) in best_cost.iter_mut().enumerate() {
            *best = best.min(c.cost[j]);
        }
        others.push(c.at);
        taken_ways.insert(g.edges.way_id[c.edge as usize]);
        chosen.push(i);
    }
    Ok(out)
}

/// Crossings evaluated per round by re-planning (the best by walking cost first).
pub const CANDIDATES_EVALUATED: usize = 6;

/// A suggested corridor with the egress it achieves.
#[derive(Debug, Clone, Serialize)]
pub struct EvaluatedSuggestion {
    pub road: String,
    pub osm_way_id: i64,
    /// `[lon, lat]` on the front-line crossing.
    pub checkpoint: [f64; 2],
    pub capacity_per_hour: f64,
    /// The reception assumed beyond it: that of the nearest civilian corridor.
    pub reception: [f64; 2],
    /// Egress with it and the suggestions before it; seconds.
    pub egress_time_s: Option<f64>,
    /// How much earlier the last person is out than without it.
    pub egress_gain_s: Option<f64>,
    /// People the plan sends through it.
    pub people: f64,
    pub why: String,
}

/// What `--suggest K` answers.
#[derive(Debug, Clone, Serialize)]
pub struct Suggestions {
    /// Egress with the declared corridors only.
    pub egress_before_s: Option<f64>,
    pub chosen: Vec<EvaluatedSuggestion>,
    /// Why fewer than K were chosen, if so.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fewer_because: Option<String>,
}

/// Proposes up to `k` new civilian checkpoints greedily by the egress they achieve: each round
/// re-plans the evacuation with each of the [`CANDIDATES_EVALUATED`] best remaining crossings
/// added (by walking cost; none on an OSM way another checkpoint already opens) and keeps the
/// one that brings the last person out earliest. Each gets the median declared civilian
/// capacity and the reception of the nearest civilian corridor.
pub fn suggest_corridors(
    foot: &ScenarioMap,
    car: &ScenarioMap,
    bbox: [f64; 4],
    k: usize,
) -> Result<Suggestions, EvacuationError> {
    let s = foot.scenario;
    let err = |m: String| EvacuationError(format!("{}: {m}", s.file.display()));
    let civilian: Vec<&corridor_scenario::Corridor> = s
        .corridors
        .iter()
        .filter(|c| c.purpose == Purpose::Civilian && c.reception.is_some())
        .collect();
    if civilian.is_empty() {
        return Err(err(
            "--suggest needs at least one civilian corridor with a reception to place new checkpoints beside".into(),
        ));
    }
    let mut caps: Vec<f64> = civilian
        .iter()
        .filter_map(|c| c.capacity_per_hour)
        .collect();
    caps.sort_by(f64::total_cmp);
    let capacity = caps.get(caps.len() / 2).copied().unwrap_or(2000.0);
    let before = super::evacuate(foot, car)?.egress_time_s;
    let snappers = [
        Snapper::new(foot.graph, bbox),
        Snapper::new(car.graph, bbox),
    ];
    let mut scenario = s.clone();
    let mut current = before;
    let mut chosen: Vec<EvaluatedSuggestion> = Vec::new();
    let mut fewer_because = None;
    for round in 0..k {
        let base_foot = ScenarioMap::new(&scenario, foot.graph, bbox, &snappers[0])
            .map_err(|e| err(e.to_string()))?;
        let candidates = crossing_candidates(&base_foot, CANDIDATES_EVALUATED)?;
        if candidates.is_empty() {
            fewer_because = Some(format!(
                "{round} chosen: no other road crossing of the front line leads beyond it without sharing an OSM way with a checkpoint"
            ));
            break;
        }
        let mut best: Option<(f64, EvaluatedSuggestion, corridor_scenario::Corridor)> = None;
        for c in &candidates {
            let reception = civilian
                .iter()
                .min_by(|a, b| {
                    haversine_m(a.checkpoint, c.checkpoint)
                        .total_cmp(&haversine_m(b.checkpoint, c.checkpoint))
                })
                .and_then(|x| x.reception)
                .expect("civilian corridors have receptions");
            let corridor = corridor_scenario::Corridor {
                name: format!("suggested: {}", c.road),
                purpose: Purpose::Civilian,
                checkpoint: c.checkpoint,
                capacity_per_hour: Some(capacity),
                reception: Some(reception),
                hours: None,
                opens: Default::default(),
            };
            let mut trial = scenario.clone();
            add_corridor(
                &mut trial,
                corridor.clone(),
                [foot.graph, car.graph],
                &snappers,
            );
            let (Ok(f), Ok(m)) = (
                ScenarioMap::new(&trial, foot.graph, bbox, &snappers[0]),
                ScenarioMap::new(&trial, car.graph, bbox, &snappers[1]),
            ) else {
                continue;
            };
            let Ok(r) = super::evacuate(&f, &m) else {
                continue;
            };
            let Some(e) = r.egress_time_s else { continue };
            let people = r.corridors.last().map_or(0.0, |x| x.people);
            if best.as_ref().is_none_or(|b| e < b.0) {
                let gain = current.map(|x| x - e);
                best = Some((
                    e,
                    EvaluatedSuggestion {
                        road: c.road.clone(),
                        osm_way_id: c.osm_way_id,
                        checkpoint: c.checkpoint,
                        capacity_per_hour: capacity,
                        reception,
                        egress_time_s: Some(e),
                        egress_gain_s: gain,
                        people,
                        why: format!(
                            "of {} crossings evaluated by re-planning, the one that brings the last person out earliest: {:.1} h{}; {:.0} people would use it at {capacity:.0}/h",
                            candidates.len(),
                            e / 3600.0,
                            gain.map_or_else(String::new, |g| format!(" ({:.1} h earlier)", g / 3600.0)),
                            people
                        ),
                    },
                    corridor,
                ));
            }
        }
        match best {
            Some((e, sug, corridor)) if current.is_none_or(|x| e < x - 1.0) => {
                current = Some(e);
                add_corridor(&mut scenario, corridor, [foot.graph, car.graph], &snappers);
                chosen.push(sug);
            }
            Some(_) => {
                fewer_because = Some(format!(
                    "{round} chosen: none of the {} best remaining crossings brings the last person out earlier (the bottleneck is elsewhere: see bottlenecks)",
                    candidates.len()
                ));
                break;
            }
            None => {
                fewer_because = Some(format!(
                    "{round} chosen: no remaining crossing gives a plan (their checkpoints or receptions cannot be reached)"
                ));
                break;
            }
        }
    }
    Ok(Suggestions {
        egress_before_s: before,
        chosen,
        fewer_because,
    })
}
