//! `corridor bench`: import time, graph size, load time and query latency on one map, so that
//! speed claims in BENCHMARKS.md come from a command anyone can re-run.

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use corridor_roads::{file, import, Profile, Router, Snapper};
use corridor_routing::{AltSearch, BidirectionalDijkstra, Cch, CchQuery, Seed};
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
    #[arg(long, required_unless_present_any = ["scenario", "dimacs", "evacuation", "access"])]
    pub map: Option<PathBuf>,
    /// Measure applying a scenario instead: laying it onto the map, recomputing all edge risks
    /// for `--incidents` random incidents, and building arc weights.
    #[arg(long, conflicts_with = "map")]
    pub scenario: Option<PathBuf>,
    /// Random incidents for the scenario benchmark.
    #[arg(long, default_value_t = 10_000)]
    pub incidents: usize,
    /// Measure the routing core on a DIMACS/PACE road topology (`.gr` or `.gr.xz`, `p tw N M`
    /// then `u v` per line, 1-based): both directions, unit weights (hop count), as the peer
    /// figures use. Reports Dijkstra and A*-with-landmarks queries (`--queries`, default 10,000:
    /// use ~100 on million-node graphs).
    #[arg(long, conflicts_with_all = ["map", "scenario"])]
    pub dimacs: Option<PathBuf>,
    /// Measure evacuation planning on a map: a synthetic enclave of up to 2 × 2 km around the densest
    /// part of the road network, `--people` in an 8 × 8 grid of neighbourhoods, four suggested
    /// crossings (three civilian, one combatant). `--evacuation data/andorra.osm.pbf`.
    #[arg(long, conflicts_with_all = ["map", "scenario", "dimacs"])]
    pub evacuation: Option<PathBuf>,
    /// Measure health-care access on a map: a grid of `--points` population points over the
    /// road network's extent, the map's facilities all working; one multi-source search per
    /// profile.
    #[arg(long, conflicts_with_all = ["map", "scenario", "dimacs", "evacuation"])]
    pub access: Option<PathBuf>,
    /// Population points in the access benchmark.
    #[arg(long, default_value_t = 10_000)]
    pub points: usize,
    /// People in the evacuation benchmark.
    #[arg(long, default_value_t = 250_000.0)]
    pub people: f64,
    /// Screening capacity of each civilian checkpoint in the evacuation benchmark, people per
    /// hour; 200000 makes the checkpoints wide enough that streets are the bottleneck.
    #[arg(long, default_value_t = 2000.0)]
    pub checkpoint_capacity: f64,
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
    /// Contracting the stored order into the CCH (done at every load), milliseconds.
    pub cch_contract_ms: f64,
    /// CCH edges (original plus shortcuts).
    pub cch_edges: usize,
    /// Customizing the CCH for one weight vector (the price of a scenario change), ms.
    pub customize_ms: f64,
    /// Node-to-node shortest path cost on the customized CCH (no path unpacking, as
    /// RoutingKit measures), microseconds.
    pub query_us_mean: f64,
    pub query_us_p50: f64,
    pub query_us_p99: f64,
    /// The same pairs by A* with landmarks (single queries without customization), µs.
    pub alt_us_mean: f64,
    pub alt_us_p99: f64,
    /// The same pairs by bidirectional Dijkstra (used for arbitrary weights), microseconds.
    pub dijkstra_us_mean: f64,
    pub dijkstra_us_p99: f64,
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
    if let Some(s) = &args.scenario {
        return bench_scenario(s, args);
    }
    if let Some(d) = &args.dimacs {
        return bench_dimacs(d, args);
    }
    if let Some(m) = &args.evacuation {
        return bench_evacuation(m, args);
    }
    if let Some(m) = &args.access {
        return bench_access(m, args);
    }
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
        let mut rng = SmallRng::seed_from_u64(args.seed);
        let pairs: Vec<(u32, u32)> = (0..args.queries)
            .map(|_| {
                (
                    main[rng.random_range(0..main.len())],
                    main[rng.random_range(0..main.len())],
                )
            })
            .collect();
        let t = Instant::now();
        let cch = Cch::new(&pg.graph, pg.cch.order().to_vec());
        let cch_contract_ms = t.elapsed().as_secs_f64() * 1e3;
        let mut customize = Vec::new();
        for _ in 0..5 {
            let t = Instant::now();
            std::hint::black_box(cch.customize(&pg.arc_duration_s));
            customize.push(t.elapsed().as_secs_f64() * 1e3);
        }
        customize.sort_by(f64::total_cmp);
        let metric = cch.customize(&pg.arc_duration_s);
        let mut cch_query = CchQuery::new(&cch);
        let mut dijkstra = BidirectionalDijkstra::new(&pg.graph);
        let mut alt = AltSearch::new(&pg.graph);
        let mut times = Vec::with_capacity(pairs.len());
        let mut atimes = Vec::with_capacity(pairs.len());
        let mut dtimes = Vec::with_capacity(pairs.len());
        for &(s, t) in &pairs {
            let (src, dst) = ([Seed { node: s, cost: 0.0 }], [Seed { node: t, cost: 0.0 }]);
            let start = Instant::now();
            let cc = cch_query.cost(&cch, &metric, &src, &dst);
            times.push(start.elapsed().as_secs_f64() * 1e6);
            let start = Instant::now();
            let a = alt.run(&pg.graph, &pg.arc_duration_s, &pg.landmarks, &src, &dst);
            atimes.push(start.elapsed().as_secs_f64() * 1e6);
            let start = Instant::now();
            let d = dijkstra.run(&pg.graph, &pg.arc_duration_s, &src, &dst);
            dtimes.push(start.elapsed().as_secs_f64() * 1e6);
            // All three are exact: a disagreement is a bug, not noise.
            let cost = |r: Option<corridor_routing::Route>| r.map_or(f64::INFINITY, |r| r.cost);
            let (ca, cd) = (cost(a), cost(d));
            let same = |x: f64, y: f64| x == y || (x - y).abs() <= 1e-9 * y;
            anyhow::ensure!(
                same(ca, cd) && same(cc, cd),
                "searches disagree on {s}->{t}: CCH {cc}, A* {ca}, Dijkstra {cd}"
            );
        }
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
        let (query_us_mean, alt_us_mean, dijkstra_us_mean) =
            (mean(&times), mean(&atimes), mean(&dtimes));
        times.sort_by(f64::total_cmp);
        atimes.sort_by(f64::total_cmp);
        dtimes.sort_by(f64::total_cmp);
        let mut router = Router::new(pg);
        let customized = pg.customize(pg.arc_duration_s.clone());

        let t = Instant::now();
        let snapper = Snapper::new(pg, g.meta.bbox);
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
            queries: times.len(),
            query_us_mean,
            query_us_p50: percentile(&times, 0.5),
            query_us_p99: percentile(&times, 0.99),
            alt_us_mean,
            alt_us_p99: percentile(&atimes, 0.99),
            cch_contract_ms,
            cch_edges: cch.edge_count(),
            customize_ms: customize[2],
            dijkstra_us_mean,
            dijkstra_us_p99: percentile(&dtimes, 0.99),
            route_us_mean,
            threads: rayon_threads(),
        };
        match args.format {
            BenchFormat::Json => println!("{}", serde_json::to_string(&res)?),
            BenchFormat::Text => println!(
                "{} {:<4} nodes {:>7} edges {:>7} arcs {:>7} | import {:.2} s, file {:.1} MB, load {:.1} ms, snap index {:.1} ms | CCH contract {:.1} ms, customize {:.1} ms | query mean {:.1} µs p50 {:.1} µs p99 {:.1} µs | A* mean {:.1} µs p99 {:.1} µs | Dijkstra mean {:.1} µs p99 {:.1} µs | point-to-point route {:.1} µs",
                res.map,
                profile.name(),
                res.nodes,
                res.edges,
                res.arcs,
                res.import_s,
                res.graph_file_bytes as f64 / 1e6,
                res.load_ms,
                res.snap_index_ms,
                res.cch_contract_ms,
                res.customize_ms,
                res.query_us_mean,
                res.query_us_p50,
                res.query_us_p99,
                res.alt_us_mean,
                res.alt_us_p99,
                res.dijkstra_us_mean,
                res.dijkstra_us_p99,
                res.route_us_mean
            ),
        }
    }
    Ok(())
}

fn rayon_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Scenario application figures for one profile.
#[derive(Serialize)]
pub struct ScenarioBenchResult {
    pub scenario: String,
    pub map: String,
    pub profile: Profile,
    pub edges: usize,
    /// Laying the scenario onto the graph: territory per sample point, closures, checkpoints,
    /// front lines, and the incident risk of the scenario's own incidents (milliseconds).
    pub overlay_ms: f64,
    pub incidents: usize,
    /// Recomputing every edge's incident risk from scratch for `incidents` incidents (median of
    /// 5, milliseconds): the cost of a new incident log.
    pub risk_update_ms: f64,
    /// Building arc weights for one side and mode from edge risks (median of 5, ms).
    pub weights_ms: f64,
    pub threads: usize,
}

fn bench_scenario(path: &std::path::Path, args: &BenchArgs) -> Result<()> {
    use corridor_scenario::{Incident, Mode, ScenarioMap, Side};
    let loaded = crate::scenario_cmd::load(path)?;
    let s = &loaded.scenario;
    let bbox = loaded.map.graph.meta.bbox;
    // Random incidents of every ACLED kind within 200 m of random road nodes (incidents happen
    // where people and roads are, the expensive case) over the two weeks before as_of.
    let nodes = &loaded.map.graph.profile(Profile::Foot).node_coord;
    let kinds = [
        (
            "Explosions/Remote violence",
            "Shelling/artillery/missile attack",
        ),
        ("Explosions/Remote violence", "Air/drone strike"),
        ("Battles", "Armed clash"),
        ("Violence against civilians", "Attack"),
        (
            "Explosions/Remote violence",
            "Remote explosive/landmine/IED",
        ),
    ];
    let mut rng = SmallRng::seed_from_u64(args.seed);
    let incidents: Vec<Incident> = (0..args.incidents)
        .map(|i| {
            let (t, st) = kinds[i % kinds.len()];
            Incident {
                id: format!("R{i}"),
                date: s.as_of - chrono::Duration::days(rng.random_range(0..14)),
                event_type: t.into(),
                sub_event_type: st.into(),
                actor1: String::new(),
                actor2: String::new(),
                point: {
                    let c = nodes[rng.random_range(0..nodes.len())];
                    [
                        c[0] + rng.random_range(-0.0025..0.0025),
                        c[1] + rng.random_range(-0.0018..0.0018),
                    ]
                },
                fatalities: rng.random_range(0..5),
                notes: String::new(),
            }
        })
        .collect();
    for p in Profile::ALL {
        let pg = loaded.map.graph.profile(p);
        let t = Instant::now();
        let sm = ScenarioMap::new(s, pg, bbox, &loaded.snappers[p.index()])?;
        let overlay_ms = t.elapsed().as_secs_f64() * 1e3;
        let median = |f: &mut dyn FnMut()| {
            let mut v: Vec<f64> = (0..5)
                .map(|_| {
                    let t = Instant::now();
                    f();
                    t.elapsed().as_secs_f64() * 1e3
                })
                .collect();
            v.sort_by(f64::total_cmp);
            v[2]
        };
        let risk_update_ms = median(&mut || {
            std::hint::black_box(sm.incident_risk_for(&incidents));
        });
        let side = Side::default_for(s);
        let weights_ms = median(&mut || {
            std::hint::black_box(sm.weights(side, Mode::Balanced, s.risk.lambda));
        });
        let r = ScenarioBenchResult {
            scenario: s.name.clone(),
            map: loaded.map.graph.meta.source_file.clone(),
            profile: p,
            edges: pg.edge_count(),
            overlay_ms,
            incidents: incidents.len(),
            risk_update_ms,
            weights_ms,
            threads: rayon_threads(),
        };
        match args.format {
            BenchFormat::Json => println!("{}", serde_json::to_string(&r)?),
            BenchFormat::Text => println!(
                "{} {:<4} edges {:>7} | overlay {:.1} ms | risk update for {} incidents {:.1} ms | weights {:.2} ms",
                r.map, p.name(), r.edges, r.overlay_ms, r.incidents, r.risk_update_ms, r.weights_ms
            ),
        }
    }
    Ok(())
}

/// Reads a PACE/DIMACS `.gr` topology (optionally xz-compressed) into a graph with both
/// directions of every edge.
fn read_dimacs(path: &std::path::Path) -> Result<corridor_routing::Graph> {
    use std::io::Read;
    let raw = std::fs::read(path).with_context(|| format!("{}", path.display()))?;
    let text = if path.extension().and_then(|e| e.to_str()) == Some("xz") {
        let mut out = Vec::new();
        lzma_rs::xz_decompress(&mut std::io::BufReader::new(raw.as_slice()), &mut out)
            .map_err(|e| anyhow::anyhow!("{}: not a valid .xz file: {e}", path.display()))?;
        out
    } else {
        let mut out = Vec::new();
        raw.as_slice().read_to_end(&mut out)?;
        out
    };
    let text = std::str::from_utf8(&text)
        .map_err(|_| anyhow::anyhow!("{}: not a text .gr file", path.display()))?;
    let mut n = None;
    let mut arcs: Vec<(u32, u32)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('c') {
            continue;
        }
        let bad = || {
            anyhow::anyhow!(
                "{}, line {}: expected 'p tw N M' or 'u v'",
                path.display(),
                i + 1
            )
        };
        let mut it = line.split_whitespace();
        if line.starts_with('p') {
            let _ = it.next();
            let _ = it.next();
            n = Some(
                it.next()
                    .and_then(|x| x.parse::<usize>().ok())
                    .ok_or_else(bad)?,
            );
            continue;
        }
        let nn = n.ok_or_else(bad)?;
        let u: usize = it.next().and_then(|x| x.parse().ok()).ok_or_else(bad)?;
        let v: usize = it.next().and_then(|x| x.parse().ok()).ok_or_else(bad)?;
        if u == 0 || v == 0 || u > nn || v > nn {
            return Err(anyhow::anyhow!(
                "{}, line {}: node id out of 1..={nn}",
                path.display(),
                i + 1
            ));
        }
        arcs.push((u as u32 - 1, v as u32 - 1));
        arcs.push((v as u32 - 1, u as u32 - 1));
    }
    let n = n.ok_or_else(|| anyhow::anyhow!("{}: no 'p' line", path.display()))?;
    Ok(corridor_routing::Graph::from_arcs(n, &arcs).0)
}

/// Routing-core figures on a topology without coordinates.
#[derive(Serialize)]
pub struct DimacsBenchResult {
    pub graph: String,
    pub nodes: usize,
    pub arcs: usize,
    pub load_s: f64,
    pub landmarks_s: f64,
    pub queries: usize,
    pub dijkstra_us_mean: f64,
    pub dijkstra_us_p99: f64,
    pub alt_us_mean: f64,
    pub alt_us_p99: f64,
}

fn bench_dimacs(path: &std::path::Path, args: &BenchArgs) -> Result<()> {
    use corridor_routing::Landmarks;
    let t = Instant::now();
    let g = read_dimacs(path)?;
    let load_s = t.elapsed().as_secs_f64();
    let w = vec![1.0; g.arc_count()];
    let comp = corridor_routing::weakly_connected_components(&g);
    let main: Vec<u32> = (0..g.node_count() as u32)
        .filter(|&v| comp[v as usize] == 0)
        .collect();
    let t = Instant::now();
    let lm = Landmarks::build(&g, &w, &main, corridor_roads::LANDMARK_COUNT);
    let landmarks_s = t.elapsed().as_secs_f64();
    let mut rng = SmallRng::seed_from_u64(args.seed);
    let mut dijkstra = BidirectionalDijkstra::new(&g);
    let mut alt = AltSearch::new(&g);
    let (mut dt, mut at) = (Vec::new(), Vec::new());
    for _ in 0..args.queries {
        let (s, d) = (
            main[rng.random_range(0..main.len())],
            main[rng.random_range(0..main.len())],
        );
        let (src, dst) = ([Seed { node: s, cost: 0.0 }], [Seed { node: d, cost: 0.0 }]);
        let t = Instant::now();
        let a = dijkstra.run(&g, &w, &src, &dst).map(|r| r.cost);
        dt.push(t.elapsed().as_secs_f64() * 1e6);
        let t = Instant::now();
        let b = alt.run(&g, &w, &lm, &src, &dst).map(|r| r.cost);
        at.push(t.elapsed().as_secs_f64() * 1e6);
        anyhow::ensure!(a == b, "searches disagree on {s}->{d}: {a:?} vs {b:?}");
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    let (dm, am) = (mean(&dt), mean(&at));
    dt.sort_by(f64::total_cmp);
    at.sort_by(f64::total_cmp);
    let r = DimacsBenchResult {
        graph: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        nodes: g.node_count(),
        arcs: g.arc_count(),
        load_s,
        landmarks_s,
        queries: args.queries,
        dijkstra_us_mean: dm,
        dijkstra_us_p99: percentile(&dt, 0.99),
        alt_us_mean: am,
        alt_us_p99: percentile(&at, 0.99),
    };
    match args.format {
        BenchFormat::Json => println!("{}", serde_json::to_string(&r)?),
        BenchFormat::Text => println!(
            "{} nodes {} arcs {} | load {:.2} s, 16 landmarks {:.2} s | bidirectional Dijkstra mean {:.0} µs p99 {:.0} µs | A* mean {:.0} µs p99 {:.0} µs ({} queries, unit weights)",
            r.graph, r.nodes, r.arcs, r.load_s, r.landmarks_s, r.dijkstra_us_mean, r.dijkstra_us_p99, r.alt_us_mean, r.alt_us_p99, r.queries
        ),
    }
    Ok(())
}

/// Evacuation benchmark figures.
#[derive(Serialize)]
pub struct EvacuationBenchResult {
    pub map: String,
    pub people: f64,
    pub neighbourhoods: usize,
    pub civilian_corridors: usize,
    pub combatant_corridors: usize,
    pub checkpoint_capacity_per_hour: f64,
    pub plan_s: f64,
    pub stranded: f64,
    pub egress_time_h: Option<f64>,
    pub lower_bound_h: Option<f64>,
    pub gap: Option<f64>,
    pub method: &'static str,
    /// Every planning method's egress.
    pub methods: Vec<corridor_analysis::evacuate::MethodResult>,
    /// The three most saturated resources.
    pub bottlenecks: Vec<String>,
    /// The independent check of the plan (`evacuate --verify`) passed.
    pub verified: bool,
}

fn bench_evacuation(map: &std::path::Path, args: &BenchArgs) -> Result<()> {
    use corridor_roads::geometry::haversine_m;
    use corridor_scenario::*;
    use geo::{LineString, MultiPolygon, Polygon};
    let loaded = crate::maps::load(None, Some(map))?;
    let g = &loaded.graph;
    let foot = g.profile(Profile::Foot);
    // The densest part of the walkable network: the node with most neighbours within 1 km,
    // among a sample.
    let mut rng = SmallRng::seed_from_u64(args.seed);
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
    let per = args.people / 64.0;
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
        layer_files: vec![],
    };
    let snappers: Vec<Snapper> = Profile::ALL
        .iter()
        .map(|&p| Snapper::new(g.profile(p), bb))
        .collect();
    let suggestions = {
        let fm = ScenarioMap::new(&s, foot, bb, &snappers[0])?;
        corridor_analysis::evacuate::crossing_candidates(&fm, 4)
            .map_err(|e| anyhow::anyhow!("{e}"))?
    };
    anyhow::ensure!(
        suggestions.len() >= 2,
        "{}: fewer than two usable crossings around the synthetic enclave",
        map.display()
    );
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
            capacity_per_hour: Some(if i == 3 {
                500.0
            } else {
                args.checkpoint_capacity
            }),
            reception: None,
            hours: None,
        });
    }
    let receptions: Vec<Option<[f64; 2]>> = {
        let fm = ScenarioMap::new(&s, foot, bb, &snappers[0])?;
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
                foot.edges.from[cp.near_edges[0] as usize],
                foot.edges.to[cp.near_edges[0] as usize],
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
        checkpoint_capacity_per_hour: args.checkpoint_capacity,
        plan_s,
        stranded: r.stranded,
        egress_time_h: r.egress_time_s.map(|x| x / 3600.0),
        lower_bound_h: r.lower_bound_s.map(|x| x / 3600.0),
        gap: r.gap,
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
            "{}: {} people in {} neighbourhoods, {} civilian ({}/h) + {} combatant corridors | plan {:.2} s | {} stranded | egress {} h, lower bound {} h, gap {} % | {} | verified {}",
            res.map, res.people, res.neighbourhoods, res.civilian_corridors, res.checkpoint_capacity_per_hour, res.combatant_corridors, res.plan_s, res.stranded,
            res.egress_time_h.map_or("–".into(), |x| format!("{x:.1}")),
            res.lower_bound_h.map_or("–".into(), |x| format!("{x:.1}")),
            res.gap.map_or("–".into(), |x| format!("{:.1}", x * 100.0)),
            res.method, res.verified
        ),
    }
    Ok(())
}

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

fn bench_access(map: &std::path::Path, args: &BenchArgs) -> Result<()> {
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
