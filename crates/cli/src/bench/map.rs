//! The routing benchmark on one OSM map: import, load, CCH, A*, Dijkstra and coordinate routes.

use super::{percentile, rayon_threads, BenchArgs, BenchFormat};
use anyhow::{Context, Result};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use std::time::Instant;

use super::cch::{self, CchFigures};
use corridor_roads::{file, import, Profile, Router, Snapper};
use corridor_routing::{metis_order, AltSearch, BidirectionalDijkstra, Seed};

/// One line of results: one map and one profile.
#[derive(Serialize)]
pub struct BenchResult {
    pub map: String,
    pub sha256: String,
    pub profile: Profile,
    pub nodes: usize,
    pub edges: usize,
    pub arcs: usize,
    /// Import of the whole file, all profiles (seconds).
    pub import_s: f64,
    pub graph_file_bytes: u64,
    /// Median of 5 loads of the whole graph file, all profiles (milliseconds).
    pub load_ms: f64,
    /// Building this profile's snapping index (milliseconds).
    pub snap_index_ms: f64,
    pub queries: usize,
    /// The CCH on this profile's travel times (order, build, customization, partial update,
    /// queries, one-to-all, matrix), every answer checked against Dijkstra.
    #[serde(flatten)]
    pub cch: CchFigures,
    /// The same pairs by A* with landmarks (single queries without customization), µs.
    pub alt_us_mean: f64,
    pub alt_us_p99: f64,
    /// The same pairs by bidirectional Dijkstra (used for arbitrary weights), microseconds.
    pub dijkstra_us_mean: f64,
    pub dijkstra_us_p99: f64,
    /// Coordinate-to-coordinate: snapping both points, the search and the route's geometry.
    pub route_us_mean: f64,
    /// Peak resident memory of the process after this profile, MB.
    pub peak_rss_mb: f64,
    pub threads: usize,
}

pub fn bench_map(args: &BenchArgs) -> Result<()> {
    let map = args
        .map
        .as_ref()
        .expect("clap requires --map without --scenario");
    let bytes = std::fs::read(map).with_context(|| format!("{}", map.display()))?;
    let name = map
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let t = Instant::now();
    let g = import::import_pbf_bytes(&bytes, &name, map)?;
    let import_s = t.elapsed().as_secs_f64();
    let dir = std::env::temp_dir().join(format!("corridor-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("bench.graph");
    file::save(&g, &path)?;
    let graph_file_bytes = std::fs::metadata(&path)?.len();
    let mut loads = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let loaded = file::load(&path)?;
        loads.push(t.elapsed().as_secs_f64() * 1e3);
        std::hint::black_box(loaded);
    }
    let _ = std::fs::remove_dir_all(&dir);
    loads.sort_by(f64::total_cmp);
    let load_ms = loads[2];

    for profile in Profile::ALL {
        let pg = g.profile(profile);
        let main: Vec<u32> = (0..pg.node_count() as u32)
            .filter(|&v| pg.component[v as usize] == 0)
            .collect();
        if main.is_empty() {
            eprintln!(
                "corridor: {name}: no {} roads, nothing to measure",
                profile.name()
            );
            continue;
        }
        let mut rng = SmallRng::seed_from_u64(args.seed);
        let pairs: Vec<(u32, u32)> = (0..args.queries)
            .map(|_| {
                (
                    main[rng.random_range(0..main.len())],
                    main[rng.random_range(0..main.len())],
                )
            })
            .collect();
        let (built, origin) = cch::build(&pg.graph, "metis", || metis_order(&pg.graph));
        let cch = cch::measure(
            &pg.graph,
            &built,
            origin,
            &pg.arc_duration_s,
            &main,
            args.queries,
            args.seed,
        )?;
        let mut dijkstra = BidirectionalDijkstra::new(&pg.graph);
        let mut alt = AltSearch::new(&pg.graph);
        let mut atimes = Vec::with_capacity(pairs.len());
        let mut dtimes = Vec::with_capacity(pairs.len());
        for &(s, t) in &pairs {
            let (src, dst) = ([Seed { node: s, cost: 0.0 }], [Seed { node: t, cost: 0.0 }]);
            let start = Instant::now();
            let a = alt.run(&pg.graph, &pg.arc_duration_s, &pg.landmarks, &src, &dst);
            atimes.push(start.elapsed().as_secs_f64() * 1e6);
            let start = Instant::now();
            let d = dijkstra.run(&pg.graph, &pg.arc_duration_s, &src, &dst);
            dtimes.push(start.elapsed().as_secs_f64() * 1e6);
            // Both are exact on the f64 weights: a disagreement is a bug, not noise.
            let cost = |r: Option<corridor_routing::Route>| r.map_or(f64::INFINITY, |r| r.cost);
            let (ca, cd) = (cost(a), cost(d));
            let same = |x: f64, y: f64| x == y || (x - y).abs() <= 1e-9 * y;
            anyhow::ensure!(
                same(ca, cd),
                "searches disagree on {s}->{t}: A* {ca}, Dijkstra {cd}"
            );
        }
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
        let (alt_us_mean, dijkstra_us_mean) = (mean(&atimes), mean(&dtimes));
        atimes.sort_by(f64::total_cmp);
        dtimes.sort_by(f64::total_cmp);
        let mut router = Router::new(pg);
        let customized = pg.customize(pg.arc_duration_s.clone());

        let t = Instant::now();
        let snapper = Snapper::with_index(pg, g.meta.bbox);
        let snap_index_ms = t.elapsed().as_secs_f64() * 1e3;
        let route_n = args.queries.min(2_000);
        let t = Instant::now();
        for &(s, d) in pairs.iter().take(route_n) {
            let a = snapper.snap(pg, pg.node_coord[s as usize], 500.0);
            let b = snapper.snap(pg, pg.node_coord[d as usize], 500.0);
            if let (Some(a), Some(b)) = (a, b) {
                let r = router.route_customized(pg, &customized, &a, &b);
                std::hint::black_box(r.map(|r| r.geometry(pg).len()));
            }
        }
        let route_us_mean = t.elapsed().as_secs_f64() * 1e6 / route_n.max(1) as f64;

        let res = BenchResult {
            map: name.clone(),
            sha256: g.meta.source_sha256.clone(),
            profile,
            nodes: pg.node_count(),
            edges: pg.edge_count(),
            arcs: pg.arc_count(),
            import_s,
            graph_file_bytes,
            load_ms,
            snap_index_ms,
            queries: pairs.len(),
            cch,
            alt_us_mean,
            alt_us_p99: percentile(&atimes, 0.99),
            dijkstra_us_mean,
            dijkstra_us_p99: percentile(&dtimes, 0.99),
            route_us_mean,
            peak_rss_mb: cch::peak_rss_mb(),
            threads: rayon_threads(),
        };
        match args.format {
            BenchFormat::Json => println!("{}", serde_json::to_string(&res)?),
            BenchFormat::Text => println!(
                "{} {:<4} nodes {:>7} edges {:>7} arcs {:>7} | import {:.2} s, file {:.1} MB, load {:.1} ms, snap index {:.1} ms | {} | A* mean {:.1} µs p99 {:.1} µs | Dijkstra mean {:.1} µs p99 {:.1} µs | point-to-point route {:.1} µs | peak RSS {:.0} MB",
                res.map,
                profile.name(),
                res.nodes,
                res.edges,
                res.arcs,
                res.import_s,
                res.graph_file_bytes as f64 / 1e6,
                res.load_ms,
                res.snap_index_ms,
                res.cch.text(),
                res.alt_us_mean,
                res.alt_us_p99,
                res.dijkstra_us_mean,
                res.dijkstra_us_p99,
                res.route_us_mean,
                res.peak_rss_mb
            ),
        }
    }
    Ok(())
}
