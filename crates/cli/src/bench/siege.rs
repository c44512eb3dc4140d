//! The siege analysis on a synthetic enclave, per stage and per engine.
//!
//! The enclave is the evacuation benchmark's (`evacuate::synthetic::synthetic_scenario`: a
//! square of up to 2 × 2 km around the densest part of the walkable network, 64 point
//! neighbourhoods), with the besieger's ground changed into a 1 km band around it on the
//! north, west and south only — the east side is unclaimed, so supply routes exist — and 40
//! shellings on random road nodes within 3 km of its middle over the week before `as_of`, so
//! that routes carry exposure. Each engine runs the whole analysis three times (median);
//! the reports of Dijkstra and of the CCH must be identical or the benchmark fails.

use super::{BenchArgs, BenchFormat};
use anyhow::Result;
use corridor_analysis::engine::EngineChoice;
use corridor_analysis::siege::{siege, EnclaveReport, SiegeParams};
use corridor_roads::geometry::haversine_m;
use corridor_roads::{Profile, RoadGraph};
use corridor_scenario::{Incident, Scenario, ScenarioMap, Territory};
use geo::{BooleanOps, BoundingRect, LineString, MultiPolygon, Polygon};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use std::time::Instant;

/// One stage of one profile on one engine.
#[derive(Serialize)]
pub struct StageTime {
    pub stage: &'static str,
    pub profile: Profile,
    pub engine: corridor_roads::Engine,
    pub searches: usize,
    pub ms: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redecided_arcs: Option<usize>,
}

/// One engine's run: the whole analysis (median of 3) and its stages (of that run).
#[derive(Serialize)]
pub struct EngineRun {
    pub asked: EngineChoice,
    /// `siege()` for the enclave: terrain, both profiles' stages, cuts, forecasts.
    pub total_ms: f64,
    pub stages: Vec<StageTime>,
}

/// One profile's search costs on the siege's safest weights (the enclave's side, crossings
/// closed), median of 5 each: what the `auto` rule's constants are measured from.
#[derive(Serialize)]
pub struct SearchCosts {
    pub profile: Profile,
    pub nodes: usize,
    /// Nodes with an arc the enclave's side may use: the most a Dijkstra can settle.
    pub usable_nodes: usize,
    pub cch_edges: usize,
    pub cch_triangles: u64,
    /// `u64` customization of the safest weights, ms.
    pub customize_u64_ms: f64,
    /// One multi-source `u64` PHAST sweep from every 50th node, ms.
    pub phast_u64_ms: f64,
    /// One multi-source 64-bit integer Dijkstra from the same nodes, ms.
    pub dijkstra_ms: f64,
    /// Derived: ns per triangle, per CCH edge, per usable node.
    pub customize_ns_per_triangle: f64,
    pub phast_ns_per_edge: f64,
    pub dijkstra_ns_per_usable_node: f64,
}

fn median_ms(mut f: impl FnMut()) -> f64 {
    let mut t: Vec<f64> = (0..5)
        .map(|_| {
            let c = Instant::now();
            f();
            c.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    t.sort_by(f64::total_cmp);
    t[2]
}

/// The search costs of one profile's safest weights.
fn search_costs(sm: &ScenarioMap) -> SearchCosts {
    use corridor_routing::{CchOneToAll, Direction, LabelledSeed, NearestSource, Seed};
    let g = sm.graph;
    let blocked = sm.blocked_arcs(corridor_scenario::Side::CivilianOf(1), false);
    let w = sm.weights_from_arcs(&blocked, corridor_scenario::Mode::Safest, 0.0);
    let cch = g.cch();
    let customize_u64_ms = median_ms(|| {
        std::hint::black_box(cch.customize_wide(&w));
    });
    let metric = cch.customize_wide(&w);
    let starts: Vec<u32> = (0..g.node_count() as u32).step_by(50).collect();
    let seeds: Vec<Seed> = starts
        .iter()
        .map(|&v| Seed { node: v, cost: 0.0 })
        .collect();
    let labelled: Vec<LabelledSeed> = starts
        .iter()
        .map(|&v| LabelledSeed {
            node: v,
            cost: 0.0,
            label: 0,
        })
        .collect();
    let mut phast = CchOneToAll::<u64>::new(cch);
    let phast_u64_ms = median_ms(|| phast.run(cch, &metric, &seeds, Direction::FromSeeds));
    let mut dij = NearestSource::new(&g.graph);
    let dijkstra_ms = median_ms(|| dij.run(&g.graph, &w, &labelled, f64::INFINITY, false));
    let usable_nodes = (0..g.node_count() as u32)
        .filter(|&v| {
            g.graph.out_arcs(v).any(|a| w[a as usize].is_finite())
                || g.graph.in_arcs(v).any(|(_, a)| w[a as usize].is_finite())
        })
        .count();
    SearchCosts {
        profile: g.profile,
        nodes: g.node_count(),
        usable_nodes,
        cch_edges: cch.edge_count(),
        cch_triangles: cch.triangle_count(),
        customize_u64_ms,
        phast_u64_ms,
        dijkstra_ms,
        customize_ns_per_triangle: customize_u64_ms * 1e6 / cch.triangle_count().max(1) as f64,
        phast_ns_per_edge: phast_u64_ms * 1e6 / cch.edge_count().max(1) as f64,
        dijkstra_ns_per_usable_node: dijkstra_ms * 1e6 / usable_nodes.max(1) as f64,
    }
}

/// Siege benchmark figures.
#[derive(Serialize)]
pub struct SiegeBenchResult {
    pub map: String,
    pub foot_nodes: usize,
    pub car_nodes: usize,
    pub pieces: usize,
    pub status: corridor_analysis::Status,
    pub supply_routes: usize,
    pub incidents: usize,
    pub exposure_threshold: f64,
    /// Dijkstra and CCH reports identical (statuses, exposures, routes, people, cuts).
    pub identical: bool,
    pub runs: Vec<EngineRun>,
    pub search_costs: Vec<SearchCosts>,
}

/// The square enclave of the synthetic scenario (its party's territory).
fn enclave_square(s: &Scenario) -> [f64; 4] {
    let r = s.territories[0]
        .area
        .bounding_rect()
        .expect("the enclave has ground");
    [r.min().x, r.min().y, r.max().x, r.max().y]
}

fn rect(b: [f64; 4]) -> MultiPolygon<f64> {
    MultiPolygon(vec![Polygon::new(
        LineString::from(vec![
            (b[0], b[1]),
            (b[2], b[1]),
            (b[2], b[3]),
            (b[0], b[3]),
            (b[0], b[1]),
        ]),
        vec![],
    )])
}

/// The besieger's ground: a 1 km band around the enclave, open to the east.
fn ring_open_to_the_east(s: &mut Scenario) {
    let sq = enclave_square(s);
    let mid_lat = (sq[1] + sq[3]) / 2.0;
    let (dlat, dlon) = (
        1000.0 / 111_195.0,
        1000.0 / (111_195.0 * mid_lat.to_radians().cos()),
    );
    let outer = rect([sq[0] - dlon, sq[1] - dlat, sq[2] + dlon, sq[3] + dlat]);
    let east = rect([
        sq[2],
        sq[1] - dlat / 2.0,
        sq[2] + 2.0 * dlon,
        sq[3] + dlat / 2.0,
    ]);
    let band = outer.difference(&rect(sq)).difference(&east);
    s.territories[1] = Territory {
        party: 0,
        area: band,
        feature: 1,
    };
}

/// `n` shellings on random road nodes within 3 km of the enclave's middle, one a day over the
/// week before `as_of`.
fn shellings(s: &mut Scenario, g: &RoadGraph, n: usize, seed: u64) {
    let sq = enclave_square(s);
    let mid = [(sq[0] + sq[2]) / 2.0, (sq[1] + sq[3]) / 2.0];
    let foot = g.profile(Profile::Foot);
    let near: Vec<[f64; 2]> = foot
        .node_coord
        .iter()
        .copied()
        .filter(|c| haversine_m(*c, mid) < 3000.0)
        .collect();
    if near.is_empty() {
        return;
    }
    let mut rng = SmallRng::seed_from_u64(seed);
    for i in 0..n {
        let point = near[rng.random_range(0..near.len())];
        s.incidents.push(Incident {
            id: format!("B{i}"),
            date: s.as_of - chrono::Duration::days((i % 7) as i64),
            event_type: "Explosions/Remote violence".into(),
            sub_event_type: "Shelling/artillery/missile attack".into(),
            actor1: "besieging".into(),
            actor2: String::new(),
            point,
            fatalities: 0,
            notes: "synthetic".into(),
            geo_precision: 1,
            time_precision: 1,
        });
    }
}

/// The report without the stage engines (the only part the engines may change).
fn comparable(r: &[EnclaveReport]) -> Result<serde_json::Value> {
    let mut v = serde_json::to_value(r)?;
    for e in v.as_array_mut().into_iter().flatten() {
        if let Some(o) = e.as_object_mut() {
            o.remove("engines");
        }
    }
    Ok(v)
}

/// Three runs of the whole analysis on `engine`: the median run's time and stages, and its
/// reports.
fn run_engine(
    fm: &ScenarioMap,
    cm: &ScenarioMap,
    bb: [f64; 4],
    params: SiegeParams,
    engine: EngineChoice,
) -> (EngineRun, Vec<EnclaveReport>) {
    let params = SiegeParams { engine, ..params };
    let mut runs: Vec<(f64, Vec<EnclaveReport>)> = (0..3)
        .map(|_| {
            let t = Instant::now();
            let r = siege(fm, cm, bb, &params);
            (t.elapsed().as_secs_f64() * 1e3, r)
        })
        .collect();
    runs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (total_ms, reports) = runs.swap_remove(1);
    let stages = reports
        .iter()
        .flat_map(|r| &r.engines)
        .map(|s| StageTime {
            stage: s.stage,
            profile: s.profile,
            engine: s.engine,
            searches: s.searches,
            ms: s.ms,
            redecided_arcs: s.redecided_arcs,
        })
        .collect();
    (
        EngineRun {
            asked: engine,
            total_ms,
            stages,
        },
        reports,
    )
}

pub fn bench_siege(map: &std::path::Path, args: &BenchArgs) -> Result<()> {
    let (loaded, mut s, snappers) = super::evacuation::synthetic_enclave(map, args)?;
    let g = &loaded.graph;
    ring_open_to_the_east(&mut s);
    shellings(&mut s, g, 40, args.seed);
    let bb = g.meta.bbox;
    let fm = ScenarioMap::new(&s, g.profile(Profile::Foot), bb, &snappers[0])?;
    let cm = ScenarioMap::new(&s, g.profile(Profile::Car), bb, &snappers[1])?;
    // The hierarchies are built (or loaded) before timing, as a server holds them.
    let _ = (fm.graph.cch(), cm.graph.cch());
    let params = SiegeParams::for_scenario(&s);
    let (d, dr) = run_engine(&fm, &cm, bb, params, EngineChoice::Dijkstra);
    let (c, cr) = run_engine(&fm, &cm, bb, params, EngineChoice::Cch);
    let (a, _) = run_engine(&fm, &cm, bb, params, EngineChoice::Auto);
    let identical = comparable(&dr)? == comparable(&cr)?;
    anyhow::ensure!(
        identical,
        "{}: the siege reports of Dijkstra and of the CCH differ",
        map.display()
    );
    let r = &dr[0];
    let res = SiegeBenchResult {
        map: g.meta.source_file.clone(),
        foot_nodes: fm.graph.node_count(),
        car_nodes: cm.graph.node_count(),
        pieces: r.pieces.len(),
        status: r.status,
        supply_routes: r.pieces.iter().map(|p| p.supply_routes.len()).sum(),
        incidents: s.incidents.len(),
        exposure_threshold: params.exposure_threshold,
        identical,
        runs: vec![d, c, a],
        search_costs: vec![search_costs(&fm), search_costs(&cm)],
    };
    match args.format {
        BenchFormat::Json => println!("{}", serde_json::to_string(&res)?),
        BenchFormat::Text => {
            println!(
                "{}: synthetic enclave, {} piece(s), {}, {} supply routes, {} incidents; reports identical by both engines",
                res.map,
                res.pieces,
                res.status.name(),
                res.supply_routes,
                res.incidents
            );
            for run in &res.runs {
                let stages: Vec<String> = run
                    .stages
                    .iter()
                    .map(|s| {
                        format!(
                            "{} {} {:?} {:.1} ms",
                            s.profile.name(),
                            s.stage,
                            s.engine,
                            s.ms
                        )
                    })
                    .collect();
                println!(
                    "  {:?}: total {:.1} ms | {}",
                    run.asked,
                    run.total_ms,
                    stages.join(" | ")
                );
            }
            for c in &res.search_costs {
                println!(
                    "  {} searches: customize u64 {:.2} ms ({:.1} ns/triangle), PHAST u64 {:.2} ms ({:.2} ns/edge), Dijkstra {:.2} ms ({:.0} ns/usable node; {} of {} nodes usable)",
                    c.profile.name(),
                    c.customize_u64_ms,
                    c.customize_ns_per_triangle,
                    c.phast_u64_ms,
                    c.phast_ns_per_edge,
                    c.dijkstra_ms,
                    c.dijkstra_ns_per_usable_node,
                    c.usable_nodes,
                    c.nodes
                );
            }
        }
    }
    Ok(())
}
