//! Evacuation planning on a synthetic enclave.

use super::{BenchArgs, BenchFormat};
use anyhow::Result;
use serde::Serialize;
use std::time::Instant;

use corridor_roads::geometry::haversine_m;
use corridor_roads::{Profile, Snapper};

/// Evacuation benchmark figures.
#[derive(Serialize)]
pub struct EvacuationBenchResult {
    pub map: String,
    pub people: f64,
    pub neighbourhoods: usize,
    pub civilian_corridors: usize,
    pub combatant_corridors: usize,
    /// All combatants at one assembly point (`--combatants-assembled`), else spread.
    pub combatants_assembled: bool,
    pub checkpoint_capacity_per_hour: f64,
    pub plan_s: f64,
    pub stranded: f64,
    /// Civilians who would drive but walk (no car road near them, or by the plan's choice).
    pub walking_drivers: f64,
    pub egress_time_h: Option<f64>,
    /// When the last civilian reaches a reception (the latest civilian corridor's last arrival).
    pub civilian_egress_h: Option<f64>,
    /// The same for the combatants.
    pub combatant_egress_h: Option<f64>,
    pub lower_bound_h: Option<f64>,
    /// Which valid bound that is (e.g. `civilian road cut`, `combatant checkpoints`).
    pub lower_bound_binds: Option<String>,
    /// Every valid bound computed, largest first (h), with its flow and kind.
    pub lower_bounds_h: Vec<(String, f64)>,
    /// Seconds spent on the road-cut bounds (within `plan_s`).
    pub bound_s: f64,
    /// The civilians' road-cut bound with the combatants' roads closed (see the evacuation
    /// report; only when their plan is > 3 % above the valid bounds).
    pub road_bound_given_combatant_roads_h: Option<f64>,
    /// The search for a civilian bound over every combatant routing (see the evacuation
    /// report's `bound_over_combatant_routings`; only when their plan is > 3 % above the valid
    /// bounds; its seconds are within `bound_s`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bound_over_combatant_routings:
        Option<corridor_analysis::evacuate::routing_bound::OverRoutings>,
    /// The civilians' bound with the combatants' roads closed (see the evacuation report).
    pub lower_bound_given_combatant_roads_h: Option<f64>,
    pub gap: Option<f64>,
    /// A second floor, for when roads bind (the bound relaxes road capacities): per mode, the
    /// people the plan moves over the minimum road cut between the enclave and the receptions
    /// (see `road_cut_floor_s`); `null` if no cut separates them.
    pub road_cut_floor_h: Option<f64>,
    /// Egress over the larger of the two floors, minus one.
    pub gap_to_best_floor: Option<f64>,
    /// Road pieces every combatant routing uses, closed to civilians in the bound too.
    pub combatant_roads_in_bound: usize,
    /// The combatants' routings tried and the civilian plan after each.
    pub combatant_routings: Vec<corridor_analysis::evacuate::RoutingResult>,
    pub method: &'static str,
    /// Every planning method's egress.
    pub methods: Vec<corridor_analysis::evacuate::MethodResult>,
    /// The three most saturated resources.
    pub bottlenecks: Vec<String>,
    /// The independent check of the plan (`evacuate --verify`) passed.
    pub verified: bool,
}

/// The map, the benchmarks' synthetic enclave on it (`evacuate::synthetic`, also the siege
/// benchmark's starting point) and a snapper per profile.
pub(super) fn synthetic_enclave(
    map: &std::path::Path,
    args: &BenchArgs,
) -> Result<(
    corridor_app::maps::LoadedMap,
    corridor_scenario::Scenario,
    Vec<Snapper>,
)> {
    let loaded = crate::maps::load(None, Some(map))?;
    let g = &loaded.graph;
    let s = corridor_analysis::evacuate::synthetic::synthetic_scenario(
        map,
        g,
        args.people,
        args.checkpoint_capacity,
        args.seed,
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let snappers = Profile::ALL
        .iter()
        .map(|&p| Snapper::new(g.profile(p), g.meta.bbox))
        .collect();
    Ok((loaded, s, snappers))
}

pub fn bench_evacuation(map: &std::path::Path, args: &BenchArgs) -> Result<()> {
    use corridor_scenario::*;
    let (loaded, mut s, snappers) = synthetic_enclave(map, args)?;
    let g = &loaded.graph;
    let foot = g.profile(Profile::Foot);
    let bb = g.meta.bbox;
    if args.combatants_assembled {
        assemble_combatants(&mut s);
    }
    let fm = ScenarioMap::new(&s, foot, bb, &snappers[0])?;
    let cm = ScenarioMap::new(&s, g.profile(Profile::Car), bb, &snappers[1])?;
    let t = Instant::now();
    let r = corridor_analysis::evacuate::evacuate(&fm, &cm).map_err(|e| anyhow::anyhow!("{e}"))?;
    let plan_s = t.elapsed().as_secs_f64();
    let plan_json: corridor_analysis::evacuate::verify::PlanToVerify =
        serde_json::from_value(serde_json::to_value(&r)?)?;
    let check = corridor_analysis::evacuate::verify::verify(&fm, &cm, &plan_json);
    anyhow::ensure!(
        check.ok,
        "{}: the independent check of the benchmark's plan fails: {:?}",
        map.display(),
        check.violations
    );
    let moved = |mode: Profile| -> f64 {
        r.groups
            .iter()
            .filter(|g| g.mode == mode && g.purpose == Purpose::Civilian)
            .map(|g| g.people)
            .sum()
    };
    let road_cut_floor_s = road_cut_floor_s(&fm, &s, moved(Profile::Foot))
        .zip(road_cut_floor_s(&cm, &s, moved(Profile::Car)))
        .map(|(a, b)| a.max(b));
    let best_floor_s = match (r.lower_bound_s, road_cut_floor_s) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    let res = EvacuationBenchResult {
        map: g.meta.source_file.clone(),
        people: r.people,
        neighbourhoods: 64,
        civilian_corridors: s
            .corridors
            .iter()
            .filter(|c| c.purpose == Purpose::Civilian)
            .count(),
        combatant_corridors: s
            .corridors
            .iter()
            .filter(|c| c.purpose == Purpose::Combatant)
            .count(),
        combatants_assembled: args.combatants_assembled,
        checkpoint_capacity_per_hour: args.checkpoint_capacity,
        plan_s,
        stranded: r.stranded,
        walking_drivers: r.walking_drivers,
        egress_time_h: r.egress_time_s.map(|x| x / 3600.0),
        civilian_egress_h: last_arrival_h(&r, Purpose::Civilian),
        combatant_egress_h: last_arrival_h(&r, Purpose::Combatant),
        lower_bound_h: r.lower_bound_s.map(|x| x / 3600.0),
        lower_bound_binds: r.lower_bound_binds.clone(),
        lower_bounds_h: r
            .lower_bounds
            .iter()
            .map(|b| (format!("{} {}", b.flow, b.kind), b.time_s / 3600.0))
            .collect(),
        bound_s: r.bound_seconds,
        road_bound_given_combatant_roads_h: r
            .road_bound_given_combatant_roads_s
            .map(|x| x / 3600.0),
        bound_over_combatant_routings: r.bound_over_combatant_routings.clone(),
        lower_bound_given_combatant_roads_h: r
            .lower_bound_given_combatant_roads_s
            .map(|x| x / 3600.0),
        gap: r.gap,
        road_cut_floor_h: road_cut_floor_s.map(|x| x / 3600.0),
        gap_to_best_floor: r
            .egress_time_s
            .zip(best_floor_s)
            .filter(|&(_, f)| f > 0.0)
            .map(|(e, f)| e / f - 1.0),
        combatant_roads_in_bound: r.combatant_roads_in_bound,
        combatant_routings: r.combatant_routings.clone(),
        method: r.method,
        methods: r.methods.clone(),
        bottlenecks: r
            .bottlenecks
            .iter()
            .take(3)
            .map(|b| {
                format!(
                    "{} {}/h ({} buckets)",
                    b.name, b.capacity_per_hour, b.saturated_buckets
                )
            })
            .collect(),
        verified: check.ok,
    };
    match args.format {
        BenchFormat::Json => println!("{}", serde_json::to_string(&res)?),
        BenchFormat::Text => println!(
            "{}: {} people in {} neighbourhoods, {} civilian ({}/h) + {} combatant corridors | plan {:.2} s | {} stranded | egress {} h, lower bound {} h, gap {} % | road cut floor {} h | {} | verified {}",
            res.map, res.people, res.neighbourhoods, res.civilian_corridors, res.checkpoint_capacity_per_hour, res.combatant_corridors, res.plan_s, res.stranded,
            res.egress_time_h.map_or("–".into(), |x| format!("{x:.1}")),
            res.lower_bound_h.map_or("–".into(), |x| format!("{x:.1}")),
            res.gap.map_or("–".into(), |x| format!("{:.1}", x * 100.0)),
            res.road_cut_floor_h.map_or("–".into(), |x| format!("{x:.1}")),
            res.method, res.verified
        ),
    }
    Ok(())
}

/// A floor on the time `people` of one mode need to leave, from road capacities alone: the
/// maximum flow (people per hour, each road at its capacity, the checkpoints' own roads
/// unlimited) over the roads open to civilians except back into the enclave, from every node inside the enclave (groups
/// start at a road node inside it, `Network::start_nodes`) to each civilian reception's node
/// (the nearest node within `MAX_RECEPTION_M` that an open road enters, as the planner picks
/// it). Everyone must
/// enter an arc of the minimum cut, which admits at most that flow per hour, so the last cannot
/// enter before `people / flow` hours less one bucket. Travel times are ignored, so it is
/// below the optimum; with the checkpoint bound (which relaxes roads) it brackets the roads-bind
/// case. `None` if no cut separates the two sets.
fn road_cut_floor_s(
    sm: &corridor_scenario::ScenarioMap,
    s: &corridor_scenario::Scenario,
    people: f64,
) -> Option<f64> {
    use corridor_analysis::evacuate::edge_capacity_per_hour;
    use corridor_scenario::{Purpose, Side};
    use geo::Contains;
    if people <= 0.0 {
        return Some(0.0);
    }
    let g = sm.graph;
    let side = Side::CivilianOf(s.enclaves[0].party);
    let ground = corridor_analysis::siege::enclave_ground(s, 0);
    let crossing: std::collections::HashSet<u32> = sm
        .checkpoints
        .iter()
        .flat_map(|c| c.edges.iter().copied())
        .collect();
    let inside: Vec<bool> = g
        .node_coord
        .iter()
        .map(|c| ground.contains(&geo::Point::new(c[0], c[1])))
        .collect();
    let capacity: Vec<u32> = (0..g.arc_count() as u32)
        .map(|a| {
            let e = g.arc_edge(a).0;
            let (u, v) = (g.graph.arc_tail(a) as usize, g.graph.arc_head(a) as usize);
            // Closed, or back into the enclave from outside (once across, nobody goes back).
            if sm.arc_blocked(a, side).is_some() || (!inside[u] && inside[v]) {
                0
            } else if crossing.contains(&e) {
                u32::MAX / 4
            } else {
                edge_capacity_per_hour(g, e, s.evacuation.people_per_vehicle).ceil() as u32
            }
        })
        .collect();
    let receptions: Vec<[f64; 2]> = s
        .corridors
        .iter()
        .filter(|c| c.purpose == Purpose::Civilian)
        .filter_map(|c| c.reception)
        .collect();
    let nodes = 0..g.node_count() as u32;
    let starts: Vec<u32> = nodes.clone().filter(|&v| inside[v as usize]).collect();
    // Each reception is one node (as the planner has it): the nearest within
    // `MAX_RECEPTION_M` that an open road leads into.
    let entered: Vec<bool> = {
        let mut e = vec![false; g.node_count()];
        for a in 0..g.arc_count() as u32 {
            if capacity[a as usize] > 0 {
                e[g.graph.arc_head(a) as usize] = true;
            }
        }
        e
    };
    let ends: Vec<u32> = receptions
        .iter()
        .filter_map(|&r| {
            nodes
                .clone()
                .filter(|&v| entered[v as usize])
                .map(|v| (haversine_m(g.node_coord[v as usize], r), v))
                .filter(|x| x.0 <= corridor_analysis::evacuate::network::MAX_RECEPTION_M)
                .min_by(|a, b| a.0.total_cmp(&b.0))
                .map(|x| x.1)
        })
        .collect();
    let cut = corridor_routing::min_cut(&g.graph, &capacity, &starts, &ends).value;
    (cut > 0 && cut < u64::MAX / 8)
        .then(|| (people / cut as f64 * 3600.0 - s.evacuation.bucket_s).max(0.0))
}

/// All combatants at one assembly point: the neighbourhood point nearest the combatant
/// crossing (`--combatants-assembled`).
fn assemble_combatants(s: &mut corridor_scenario::Scenario) {
    let Some(c) = s
        .corridors
        .iter()
        .find(|c| c.purpose == corridor_scenario::Purpose::Combatant)
    else {
        return;
    };
    let Some(nearest) = s.population.iter().min_by(|a, b| {
        haversine_m(a.point, c.checkpoint).total_cmp(&haversine_m(b.point, c.checkpoint))
    }) else {
        return;
    };
    s.assembly_points = vec![corridor_scenario::AssemblyPoint {
        name: format!("{} (nearest the combatant crossing)", nearest.name),
        point: nearest.point,
        combatants: s.evacuation.combatants,
    }];
}

/// The last arrival through the corridors of `purpose`, hours.
fn last_arrival_h(
    r: &corridor_analysis::evacuate::EvacuationReport,
    purpose: corridor_scenario::Purpose,
) -> Option<f64> {
    r.corridors
        .iter()
        .filter(|c| c.purpose == purpose)
        .filter_map(|c| c.last_arrival_s)
        .reduce(f64::max)
        .map(|x| x / 3600.0)
}
