//! `corridor bench`: import time, graph size, load time and query latency on one map, so that
//! speed claims in BENCHMARKS.md come from a command anyone can re-run.

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use corridor_roads::{file, import, route, Profile, Snapper};
use corridor_routing::{BidirectionalDijkstra, Seed};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use std::path::PathBuf;
use std::time::Instant;

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum BenchFormat {
    Text,
    Json,
}

#[derive(Args)]
pub struct BenchArgs {
    /// The OSM .pbf extract to measure.
    #[arg(long)]
    pub map: PathBuf,
    /// Random query pairs per profile.
    #[arg(long, default_value_t = 10_000)]
    pub queries: usize,
    /// Seed of the random pairs, so runs are comparable.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[arg(long, value_enum, default_value = "text")]
    pub format: BenchFormat,
}

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
    /// Node-to-node exact shortest path (bidirectional Dijkstra), microseconds.
    pub query_us_mean: f64,
    pub query_us_p50: f64,
    pub query_us_p99: f64,
    /// Coordinate-to-coordinate: snapping both points, the search and the route's geometry.
    pub route_us_mean: f64,
    pub threads: usize,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

pub fn run(args: &BenchArgs) -> Result<()> {
    let bytes = std::fs::read(&args.map).with_context(|| format!("{}", args.map.display()))?;
    let name = args
        .map
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let t = Instant::now();
    let g = import::import_pbf_bytes(&bytes, &name, &args.map)?;
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
        let mut rng = SmallRng::seed_from_u64(args.seed);
        let pairs: Vec<(u32, u32)> = (0..args.queries)
            .map(|_| {
                (
                    main[rng.random_range(0..main.len())],
                    main[rng.random_range(0..main.len())],
                )
            })
            .collect();
        let mut search = BidirectionalDijkstra::new(&pg.graph);
        let mut times = Vec::with_capacity(pairs.len());
        let mut checksum = 0.0;
        for &(s, t) in &pairs {
            let start = Instant::now();
            let r = search.run(
                &pg.graph,
                &pg.arc_duration_s,
                &[Seed { node: s, cost: 0.0 }],
                &[Seed { node: t, cost: 0.0 }],
            );
            times.push(start.elapsed().as_secs_f64() * 1e6);
            checksum += r.map_or(0.0, |r| r.cost);
        }
        std::hint::black_box(checksum);
        let query_us_mean = times.iter().sum::<f64>() / times.len().max(1) as f64;
        times.sort_by(f64::total_cmp);

        let t = Instant::now();
        let snapper = Snapper::new(pg, g.meta.bbox);
        let snap_index_ms = t.elapsed().as_secs_f64() * 1e3;
        let route_n = args.queries.min(2_000);
        let t = Instant::now();
        for &(s, d) in pairs.iter().take(route_n) {
            let a = snapper.snap(pg, pg.node_coord[s as usize], 500.0);
            let b = snapper.snap(pg, pg.node_coord[d as usize], 500.0);
            if let (Some(a), Some(b)) = (a, b) {
                let r = route(pg, &pg.arc_duration_s, &mut search, &a, &b);
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
            queries: times.len(),
            query_us_mean,
            query_us_p50: percentile(&times, 0.5),
            query_us_p99: percentile(&times, 0.99),
            route_us_mean,
            threads: rayon_threads(),
        };
        match args.format {
            BenchFormat::Json => println!("{}", serde_json::to_string(&res)?),
            BenchFormat::Text => println!(
                "{} {:<4} nodes {:>7} edges {:>7} arcs {:>7} | import {:.2} s, file {:.1} MB, load {:.1} ms, snap index {:.1} ms | query mean {:.1} µs p50 {:.1} µs p99 {:.1} µs | point-to-point route {:.1} µs",
                res.map,
                profile.name(),
                res.nodes,
                res.edges,
                res.arcs,
                res.import_s,
                res.graph_file_bytes as f64 / 1e6,
                res.load_ms,
                res.snap_index_ms,
                res.query_us_mean,
                res.query_us_p50,
                res.query_us_p99,
                res.route_us_mean
            ),
        }
    }
    Ok(())
}

fn rayon_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}
