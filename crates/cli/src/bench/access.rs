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
        };
        match args.format {
            BenchFormat::Json => println!("{}", serde_json::to_string(&res)?),
            BenchFormat::Text => println!(
                "{} {:<4} {} points, {} facilities | coverage {:.1} ms | {:.1} % within 30 min | isochrones 10/20/30 min {:.0} ms ({} vertices, {} holes at 30 min)",
                res.map,
                p.name(),
                res.points,
                res.facilities,
                res.coverage_ms,
                res.share_within_30_min * 100.0,
                res.isochrone_ms,
                res.isochrone_vertices,
                res.isochrone_holes
            ),
        }
    }
    Ok(())
}
