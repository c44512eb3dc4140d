//! The routing core on DIMACS/PACE topologies (no coordinates).

use super::cch::{self, CchFigures};
use super::{percentile, BenchArgs, BenchFormat};
use anyhow::Result;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use std::time::Instant;

use corridor_routing::{AltSearch, BidirectionalDijkstra, Seed};

/// Routing-core figures on a topology without coordinates.
#[derive(Serialize)]
pub struct DimacsBenchResult {
    pub graph: String,
    pub nodes: usize,
    pub arcs: usize,
    /// What the arc weights are: hop counts (every arc costs 1), as the peer figures use.
    pub weights: &'static str,
    /// Reading the input: the `.gr` text parsed into a graph, or a prepared topology file
    /// (`corridor import --dimacs`) loaded with its order and CCH and every array checked.
    pub load_s: f64,
    /// Whether the CCH came from a prepared file (`order_s` and `cch_build_s` are then 0: the
    /// load covers them).
    pub cch_stored: bool,
    /// Customizing three metrics (weights `1 + arc % (k + 1)`, k = 1..3, made beforehand) after
    /// the load, each into freshly allocated arrays.
    pub three_metrics_s: f64,
    /// Peak resident memory right after the load and the three customizations (graph, order,
    /// CCH, three metrics: the state a server would hold), MB.
    pub loaded_peak_rss_mb: f64,
    /// Random pairs for the CCH queries.
    pub queries: usize,
    /// The CCH with a coordinate-free (METIS) order, every answer checked against Dijkstra.
    #[serde(flatten)]
    pub cch: CchFigures,
    pub landmarks_s: f64,
    /// Pairs for bidirectional Dijkstra and A* (at most `DIJKSTRA_PAIRS`: each costs up to
    /// 100 ms on a million-node graph).
    pub dijkstra_queries: usize,
    pub dijkstra_us_mean: f64,
    pub dijkstra_us_p99: f64,
    pub alt_us_mean: f64,
    pub alt_us_p99: f64,
    /// Every node's nearest of this many labelled sources (access's search), by multi-source
    /// Dijkstra and by multi-source PHAST on a customized metric, median ms; checked equal.
    pub nearest_sources: usize,
    pub nearest_dijkstra_ms: f64,
    pub nearest_phast_ms: f64,
    /// Peak resident memory of the process: graph, CCH, three metrics and the search state, MB.
    pub peak_rss_mb: f64,
}

/// Pairs measured with bidirectional Dijkstra and A* on a DIMACS topology.
const DIJKSTRA_PAIRS: usize = 200;

pub fn bench_dimacs(path: &std::path::Path, args: &BenchArgs) -> Result<()> {
    use corridor_routing::Landmarks;
    let t = Instant::now();
    let opened = crate::dimacs::open(path)?;
    let load_s = t.elapsed().as_secs_f64();
    let g = opened.graph;
    let w = vec![1.0; g.arc_count()];
    let comp = corridor_routing::weakly_connected_components(&g);
    let main: Vec<u32> = (0..g.node_count() as u32)
        .filter(|&v| comp[v as usize] == 0)
        .collect();
    let stored = opened.cch.is_some();
    let (cch_structure, origin) = match opened.cch {
        Some(c) => (
            c,
            cch::Origin {
                order: "metis, stored in the prepared file".into(),
                order_s: 0.0,
                cch_build_s: 0.0,
            },
        ),
        None => cch::build(&g, "metis", || corridor_routing::metis_order(&g)),
    };
    // Three metrics side by side, as a server holding three scenarios would; the time is the
    // three customizations alone (each weight vector is made before its clock starts).
    let mut three_metrics_s = 0.0;
    let metrics: Vec<_> = (1..=3)
        .map(|k| {
            let wk: Vec<f64> = (0..g.arc_count())
                .map(|a| (1 + a % (k + 1)) as f64)
                .collect();
            let t = Instant::now();
            let m = cch_structure.customize(&wk);
            three_metrics_s += t.elapsed().as_secs_f64();
            m
        })
        .collect();
    let loaded_peak_rss_mb = cch::peak_rss_mb();
    let cch = cch::measure(
        &g,
        &cch_structure,
        origin,
        &w,
        &main,
        args.queries,
        args.seed,
    )?;
    let t = Instant::now();
    let lm = Landmarks::build(&g, &w, &main, corridor_roads::LANDMARK_COUNT);
    let landmarks_s = t.elapsed().as_secs_f64();
    let mut rng = SmallRng::seed_from_u64(args.seed);
    let mut dijkstra = BidirectionalDijkstra::new(&g);
    let mut alt = AltSearch::new(&g);
    let (mut dt, mut at) = (Vec::new(), Vec::new());
    let dijkstra_queries = args.queries.min(DIJKSTRA_PAIRS);
    for _ in 0..dijkstra_queries {
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
    let (nearest_dijkstra_ms, nearest_phast_ms) =
        nearest_sources(&g, &w, &cch_structure, &main, &mut rng)?;
    let peak_rss_mb = cch::peak_rss_mb();
    std::hint::black_box(&metrics);
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
        weights: "hop count (1 per arc)",
        load_s,
        cch_stored: stored,
        three_metrics_s,
        loaded_peak_rss_mb,
        queries: args.queries,
        cch,
        landmarks_s,
        dijkstra_queries,
        dijkstra_us_mean: dm,
        dijkstra_us_p99: percentile(&dt, 0.99),
        alt_us_mean: am,
        alt_us_p99: percentile(&at, 0.99),
        nearest_sources: NEAREST_SOURCES,
        nearest_dijkstra_ms,
        nearest_phast_ms,
        peak_rss_mb,
    };
    match args.format {
        BenchFormat::Json => println!("{}", serde_json::to_string(&r)?),
        BenchFormat::Text => println!(
            "{} nodes {} arcs {} ({}) | load {:.2} s{} | three metrics {:.2} s, peak RSS {:.0} MB | {} | 16 landmarks {:.2} s | bidirectional Dijkstra mean {:.0} µs p99 {:.0} µs | A* mean {:.0} µs p99 {:.0} µs ({} pairs) | nearest of {} sources to every node: Dijkstra {:.1} ms, PHAST {:.1} ms | peak RSS {:.0} MB",
            r.graph, r.nodes, r.arcs, r.weights, r.load_s, if r.cch_stored { " (with order and CCH)" } else { "" }, r.three_metrics_s, r.loaded_peak_rss_mb, r.cch.text(), r.landmarks_s, r.dijkstra_us_mean, r.dijkstra_us_p99, r.alt_us_mean, r.alt_us_p99, r.dijkstra_queries, r.nearest_sources, r.nearest_dijkstra_ms, r.nearest_phast_ms, r.peak_rss_mb
        ),
    }
    Ok(())
}

/// Labelled sources of the nearest-source benchmark (as many as a city's hospitals).
const NEAREST_SOURCES: usize = 16;

/// Every node's nearest of [`NEAREST_SOURCES`] random labelled sources (costs to them, as
/// access searches): multi-source Dijkstra against a multi-source PHAST sweep on an already
/// customized metric, median of 5 each, ms; fails unless both give every node the same cost
/// and label.
fn nearest_sources(
    g: &corridor_routing::Graph,
    w: &[f64],
    cch: &corridor_routing::Cch,
    main: &[u32],
    rng: &mut SmallRng,
) -> Result<(f64, f64)> {
    use corridor_routing::{CchNearestSource, Direction, LabelledSeed, NearestSource};
    let seeds: Vec<LabelledSeed> = (0..NEAREST_SOURCES)
        .map(|i| LabelledSeed {
            node: main[rng.random_range(0..main.len())],
            cost: 0.0,
            label: i as u32,
        })
        .collect();
    let metric = cch.customize(w);
    let median = |mut f: Box<dyn FnMut() + '_>| {
        let mut t: Vec<f64> = (0..5)
            .map(|_| {
                let s = Instant::now();
                f();
                s.elapsed().as_secs_f64() * 1e3
            })
            .collect();
        t.sort_by(f64::total_cmp);
        t[2]
    };
    let mut d = NearestSource::new(g);
    let mut p = CchNearestSource::new(cch);
    let d_ms = median(Box::new(|| d.run(g, w, &seeds, f64::INFINITY, true)));
    let p_ms = median(Box::new(|| p.run(cch, &metric, &seeds, Direction::ToSeeds)));
    for v in 0..g.node_count() as u32 {
        anyhow::ensure!(
            (d.cost(v), d.label(v)) == (p.cost(cch, v), p.label(cch, v)),
            "nearest source differs at node {v}"
        );
    }
    Ok((d_ms, p_ms))
}
