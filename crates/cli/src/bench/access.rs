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
}

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
        layer_files: vec![],
        placement: Default::default(),
        incidents_imprecise: 0,
    };
    let maps: Vec<ScenarioMap> = Profile::ALL
        .iter()
        .map(|&p| ScenarioMap::new(&s, g.profile(p), bb, &Snapper::new(g.profile(p), bb)))
        .collect::<Result<_, _>>()?;
    let params = AccessParams::default();
    let fac =
        facilities_on(&s, &g.facilities, s.as_of, &params).map_err(|e| anyhow::anyhow!("{e}"))?;
    // `access` computes both profiles it is given; passing one profile's map twice and halving
    // the time measures that profile alone.
    for (k, p) in Profile::ALL.iter().enumerate() {
        let mut times = Vec::new();
        let mut share = 0.0;
        for _ in 0..5 {
            let t = Instant::now();
            let r = access(&maps[k], &maps[k], fac.clone(), s.as_of, &params)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            times.push(t.elapsed().as_secs_f64() * 1e3 / 2.0);
            share = r
                .coverage
                .iter()
                .find(|c| c.minutes == 30.0)
                .map_or(0.0, |c| c.share);
        }
        times.sort_by(f64::total_cmp);
        let res = AccessBenchResult {
            map: g.meta.source_file.clone(),
            profile: *p,
            points: args.points,
            facilities: g.facilities.len(),
            coverage_ms: times[2],
            share_within_30_min: share,
        };
        match args.format {
            BenchFormat::Json => println!("{}", serde_json::to_string(&res)?),
            BenchFormat::Text => println!(
                "{} {:<4} {} points, {} facilities | coverage {:.1} ms | {:.1} % within 30 min",
                res.map,
                p.name(),
                res.points,
                res.facilities,
                res.coverage_ms,
                res.share_within_30_min * 100.0
            ),
        }
    }
    Ok(())
}
