//! Health-care access from a grid of population points.

use super::{BenchArgs, BenchFormat};
use anyhow::Result;
use serde::Serialize;
use std::time::Instant;

use corridor_roads::{Profile, Snapper};

/// Access benchmark figures for one profile.
#[derive(Serialize)]
pub struct AccessBenchResult {
    pub map: String,
    pub profile: Profile,
    pub points: usize,
    pub facilities: usize,
    /// Median of 5 runs of the whole coverage computation for this profile, ms.
    pub coverage_ms: f64,
    pub share_within_30_min: f64,
    /// Median of 5 runs of isochrones for 10, 20 and 30 minutes from the map's first facility
    /// (one search, three filled areas), ms.
    pub isochrone_ms: f64,
    /// Vertices and holes of the 30-minute isochrone.
    pub isochrone_vertices: usize,
    pub isochrone_holes: usize,
    /// The engine `auto` chose for coverage (no cached customization) and for isochrones.
    pub coverage_engine_auto: corridor_roads::Engine,
    pub isochrone_engine_auto: corridor_roads::Engine,
    /// Coverage (two nearest-facility searches) by each engine, median ms: Dijkstra; the CCH
    /// customizing first; the CCH with the customization cached (the server).
    pub coverage_dijkstra_ms: f64,
    pub coverage_cch_ms: f64,
    pub coverage_cch_cached_ms: f64,
    /// Isochrones 10/20/30 min by each engine, median ms (the same three cases).
    pub isochrone_dijkstra_ms: f64,
    pub isochrone_cch_ms: f64,
    pub isochrone_cch_cached_ms: f64,
    /// The searches alone, median ms: one multi-source Dijkstra to every node from the
    /// facilities, one customization, one multi-source PHAST sweep; and the graph's sizes the
    /// rule reads.
    pub search_dijkstra_ms: f64,
    pub customize_ms: f64,
    pub search_phast_ms: f64,
    pub nodes: usize,
    pub cch_edges: usize,
    pub cch_triangles: u64,
}

/// The median of 5 timed runs of `f`, ms, and the last result.
fn median_of_5<T>(mut f: impl FnMut() -> Result<T>) -> Result<(f64, T)> {
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..5 {
        let t = Instant::now();
        last = Some(f()?);
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    Ok((times[2], last.expect("five runs")))
}

/// Isochrones for 10, 20 and 30 minutes from the road node nearest `at`: time, and the
/// 30-minute area's vertices and holes.
fn bench_isochrone(sm: &ScenarioMapOf, at: [f64; 2]) -> Result<(f64, usize, usize)> {
    use corridor_analysis::access::{isochrones, IsochroneParams};
    let (seeds, _) = start_near(sm, at)?;
    let side = corridor_scenario::Side::Neutral;
    let params = IsochroneParams::default();
    let (ms, polys) =
        median_of_5(|| Ok(isochrones(sm, side, &seeds, &[10.0, 20.0, 30.0], &params)))?;
    let area = &polys[2].1;
    let vertices = area
        .0
        .iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .map(|r| r.0.len())
        .sum();
    let holes = area.0.iter().map(|p| p.interiors().len()).sum();
    Ok((ms, vertices, holes))
}

/// The road node nearest `at` with an arc out, as a seed, and a snap onto one of its edges.
fn start_near(sm: &ScenarioMapOf, at: [f64; 2]) -> Result<([corridor_routing::Seed; 1], u32)> {
    let g = sm.graph;
    let start = (0..g.node_count() as u32)
        .filter(|&v| g.graph.out_arcs(v).next().is_some())
        .min_by(|&a, &b| {
            let d = |v: u32| corridor_roads::geometry::haversine_m(g.node_coord[v as usize], at);
            d(a).total_cmp(&d(b))
        })
        .ok_or_else(|| anyhow::anyhow!("no road on the map"))?;
    let seeds = [corridor_routing::Seed {
        node: start,
        cost: 0.0,
    }];
    Ok((seeds, start))
}

/// Isochrones from a snap next to `at` by each engine (Dijkstra, CCH, CCH cached), median ms;
/// fails unless the three give the same areas. Also what `auto` picks.
fn isochrone_engines(
    sm: &ScenarioMapOf,
    at: [f64; 2],
    bbox: [f64; 4],
    cached: &corridor_roads::CustomizedWeights,
) -> Result<([f64; 3], corridor_roads::Engine)> {
    use corridor_analysis::engine::EngineChoice;
    use corridor_analysis::isochrone::{isochrones_from_point_customized, IsochroneParams};
    let g = sm.graph;
    let snap = Snapper::new(g, bbox)
        .snap(g, at, 500.0)
        .ok_or_else(|| anyhow::anyhow!("no road within 500 m of the first facility"))?;
    let side = corridor_scenario::Side::default_for(sm.scenario);
    let run = |engine, c: Option<&corridor_roads::CustomizedWeights>| {
        let params = IsochroneParams {
            engine,
            ..Default::default()
        };
        isochrones_from_point_customized(sm, side, &[snap], &[10.0, 20.0, 30.0], &params, c)
    };
    let (d_ms, d) = median_of_5(|| Ok(run(EngineChoice::Dijkstra, None)))?;
    let (c_ms, c) = median_of_5(|| Ok(run(EngineChoice::Cch, None)))?;
    let (cc_ms, cc) = median_of_5(|| Ok(run(EngineChoice::Cch, Some(cached))))?;
    anyhow::ensure!(
        d.areas == c.areas && c.areas == cc.areas,
        "isochrones differ between Dijkstra and the CCH"
    );
    Ok(([d_ms, c_ms, cc_ms], run(EngineChoice::Auto, None).engine))
}

type ScenarioMapOf<'a> = corridor_scenario::ScenarioMap<'a>;

pub fn bench_access(map: &std::path::Path, args: &BenchArgs) -> Result<()> {
    use corridor_analysis::access::{access, facilities_on, AccessParams};
    use corridor_scenario::*;
    let loaded = crate::maps::load(None, Some(map))?;
    let g = &loaded.graph;
    anyhow::ensure!(
        !g.facilities.is_empty(),
        "{}: the map has no health facilities",
        map.display()
    );
    let bb = g.meta.bbox;
    let side = (args.points as f64).sqrt().ceil() as usize;
    let population: Vec<PopulationUnit> = (0..args.points)
        .map(|i| {
            let (x, y) = ((i % side) as f64 + 0.5, (i / side) as f64 + 0.5);
            PopulationUnit {
                name: format!("p{i}"),
                people: 10.0,
                point: [
                    bb[0] + (bb[2] - bb[0]) * x / side as f64,
                    bb[1] + (bb[3] - bb[1]) * y / side as f64,
                ],
                area: None,
                feature: i,
            }
        })
        .collect();
    let s = Scenario {
        name: "access benchmark".into(),
        as_of: chrono::NaiveDate::from_ymd_opt(2016, 7, 28).expect("date"),
        file: map.to_path_buf(),
        map: map.to_path_buf(),
        sha256: String::new(),
        parties: vec![],
        territories: vec![],
        territory_timeline: vec![],
        incidents: vec![],
        incidents_after_as_of: 0,
        closures: vec![],
        closures_after_as_of: 0,
        avoid: vec![],
        enclaves: vec![],
        corridors: vec![],
        risk: RiskParams::default(),
        facilities: vec![],
        population,
        stock: None,
        evacuation: EvacuationParams::default(),
        assembly_points: vec![],
        layer_files: vec![],
        placement: Default::default(),
        incidents_imprecise: 0,
        aid_crossings: vec![],
        convoy: None,
    };
    let maps: Vec<ScenarioMap> = Profile::ALL
        .iter()
        .map(|&p| ScenarioMap::new(&s, g.profile(p), bb, &Snapper::new(g.profile(p), bb)))
        .collect::<Result<_, _>>()?;
    let params = AccessParams::default();
    let fac = facilities_on(&s, &g.facilities, s.as_of, &params.hits)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    // `access` computes both profiles it is given; passing one profile's map twice and halving
    // the time measures that profile alone.
    for (k, p) in Profile::ALL.iter().enumerate() {
        let (ms, r) = median_of_5(|| {
            access(&maps[k], &maps[k], fac.clone(), s.as_of, &params)
                .map_err(|e| anyhow::anyhow!("{e}"))
        })?;
        let share = r
            .coverage
            .iter()
            .find(|c| c.minutes == 30.0)
            .map_or(0.0, |c| c.share);
        let (iso_ms, vertices, holes) = bench_isochrone(&maps[k], g.facilities[0].coord)?;
        let e = engines(&maps[k], &fac, &params)?;
        let (iso, iso_auto) = isochrone_engines(&maps[k], g.facilities[0].coord, bb, &e.cached)?;
        let res = AccessBenchResult {
            map: g.meta.source_file.clone(),
            profile: *p,
            points: args.points,
            facilities: g.facilities.len(),
            coverage_ms: ms / 2.0,
            share_within_30_min: share,
            isochrone_ms: iso_ms,
            isochrone_vertices: vertices,
            isochrone_holes: holes,
            coverage_engine_auto: r.by_profile[0].engine,
            isochrone_engine_auto: iso_auto,
            coverage_dijkstra_ms: e.coverage[0],
            coverage_cch_ms: e.coverage[1],
            coverage_cch_cached_ms: e.coverage[2],
            isochrone_dijkstra_ms: iso[0],
            isochrone_cch_ms: iso[1],
            isochrone_cch_cached_ms: iso[2],
            search_dijkstra_ms: e.search[0],
            customize_ms: e.search[1],
            search_phast_ms: e.search[2],
            nodes: g.profile(*p).node_count(),
            cch_edges: g.profile(*p).cch().edge_count(),
            cch_triangles: g.profile(*p).cch().triangle_count(),
        };
        match args.format {
            BenchFormat::Json => println!("{}", serde_json::to_string(&res)?),
            BenchFormat::Text => println!(
                "{} {:<4} {} points, {} facilities | coverage {:.1} ms | {:.1} % within 30 min | isochrones 10/20/30 min {:.0} ms ({} vertices, {} holes at 30 min)\n  engines: coverage Dijkstra {:.1} / CCH {:.1} / CCH cached {:.1} ms (auto: {:?}); isochrones Dijkstra {:.1} / CCH {:.1} / CCH cached {:.1} ms (auto: {:?}); one search: Dijkstra {:.2} ms, customize {:.2} ms, PHAST {:.2} ms ({} nodes, {} CCH edges, {} triangles)",
                res.map,
                p.name(),
                res.points,
                res.facilities,
                res.coverage_ms,
                res.share_within_30_min * 100.0,
                res.isochrone_ms,
                res.isochrone_vertices,
                res.isochrone_holes,
                res.coverage_dijkstra_ms,
                res.coverage_cch_ms,
                res.coverage_cch_cached_ms,
                res.coverage_engine_auto,
                res.isochrone_dijkstra_ms,
                res.isochrone_cch_ms,
                res.isochrone_cch_cached_ms,
                res.isochrone_engine_auto,
                res.search_dijkstra_ms,
                res.customize_ms,
                res.search_phast_ms,
                res.nodes,
                res.cch_edges,
                res.cch_triangles
            ),
        }
    }
    Ok(())
}

/// One profile's coverage by each engine, and the searches alone.
struct EngineTimes {
    /// Coverage ms: Dijkstra, CCH customizing, CCH cached.
    coverage: [f64; 3],
    /// One Dijkstra, one customization, one PHAST sweep, ms.
    search: [f64; 3],
    cached: corridor_roads::CustomizedWeights,
}

/// Coverage on one profile by each engine (the map passed twice, time halved, as above);
/// fails unless every engine gives the same minutes and facilities.
fn engines(
    sm: &ScenarioMapOf,
    fac: &[corridor_analysis::access::FacilityState],
    params: &corridor_analysis::access::AccessParams,
) -> Result<EngineTimes> {
    use corridor_analysis::access::{access_customized, AccessParams};
    use corridor_analysis::engine::EngineChoice;
    use corridor_routing::{CchNearestSource, Direction, LabelledSeed, NearestSource};
    let g = sm.graph;
    let side = corridor_scenario::Side::default_for(sm.scenario);
    let w = sm.weights(side, corridor_scenario::Mode::Fastest, 0.0);
    let cached = g.customize(w.clone());
    let by = |engine, c: Option<&corridor_roads::CustomizedWeights>| {
        let p = AccessParams {
            engine,
            ..params.clone()
        };
        access_customized(sm, sm, fac.to_vec(), sm.scenario.as_of, &p, [c, c])
            .map_err(|e| anyhow::anyhow!("{e}"))
    };
    let (d_ms, d) = median_of_5(|| by(EngineChoice::Dijkstra, None))?;
    let (c_ms, c) = median_of_5(|| by(EngineChoice::Cch, None))?;
    let (cc_ms, cc) = median_of_5(|| by(EngineChoice::Cch, Some(&cached)))?;
    for other in [&c, &cc] {
        anyhow::ensure!(
            other.by_profile[0].minutes_by_unit == d.by_profile[0].minutes_by_unit
                && other.by_profile[0].facility_by_unit == d.by_profile[0].facility_by_unit,
            "access differs between Dijkstra and the CCH on {}",
            g.profile.name()
        );
    }
    // The searches alone, from every facility's nearest road node.
    let seeds: Vec<LabelledSeed> = fac
        .iter()
        .filter_map(|f| {
            (0..g.node_count() as u32)
                .filter(|&v| g.graph.out_arcs(v).next().is_some())
                .min_by(|&a, &b| {
                    let d = |v: u32| {
                        corridor_roads::geometry::haversine_m(g.node_coord[v as usize], f.coord)
                    };
                    d(a).total_cmp(&d(b))
                })
        })
        .map(|v| LabelledSeed {
            node: v,
            cost: 0.0,
            label: v,
        })
        .collect();
    let mut dij = NearestSource::new(&g.graph);
    let (s_d, _) = median_of_5(|| {
        dij.run(&g.graph, &w, &seeds, f64::INFINITY, true);
        Ok(())
    })?;
    let cch = g.cch();
    let (s_c, metric) = median_of_5(|| Ok(cch.customize(&w)))?;
    let mut phast = CchNearestSource::new(cch);
    let (s_p, _) = median_of_5(|| {
        phast.run(cch, &metric, &seeds, Direction::ToSeeds);
        Ok(())
    })?;
    for v in 0..g.node_count() as u32 {
        anyhow::ensure!(
            (dij.cost(v), dij.label(v)) == (phast.cost(cch, v), phast.label(cch, v)),
            "nearest facility differs at node {v}"
        );
    }
    Ok(EngineTimes {
        coverage: [d_ms / 2.0, c_ms / 2.0, cc_ms / 2.0],
        search: [s_d, s_c, s_p],
        cached,
    })
}
