//! CCH figures for one graph and one weight vector, shared by the map and DIMACS benchmarks:
//! order, build, customization, partial update, point queries, one-to-all (PHAST) and a
//! many-to-many matrix, every answer checked against Dijkstra before any figure is printed.

use super::cch_wide::{self, WideFigures};
use super::percentile;
use anyhow::{ensure, Result};
use corridor_routing::{
    cost_to_units, Cch, CchManyToMany, CchMetric, CchOneToAll, CchQuery, CchUpdater, Direction,
    Graph, OneToAll, Seed, Units, INF_UNITS,
};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use std::time::Instant;

/// Arcs changed by one simulated incident in the partial-update figure (the issue's "a few
/// hundred edges near a new incident").
pub(super) const INCIDENT_ARCS: usize = 500;
/// Sources and targets of the many-to-many matrix and of the Dijkstra cross-check.
const MATRIX_SIDE: usize = 100;

/// What the CCH costs and how fast it answers, with the order that made it.
#[derive(Serialize)]
pub struct CchFigures {
    /// Which engine answered the timed queries.
    pub engine: &'static str,
    /// How the contraction order was computed.
    pub order: String,
    pub order_s: f64,
    pub cch_build_s: f64,
    /// CCH edges (original plus shortcuts), mean elimination-tree depth, lower triangles.
    pub cch_edges: usize,
    pub mean_tree_depth: f64,
    pub triangles: u64,
    /// Median of 5 full customizations reusing the metric's buffers, seconds.
    pub customize_s: f64,
    /// The fastest of those 5 (on a shared machine, the one least disturbed), seconds.
    pub customize_min_s: f64,
    /// Median over 5 simulated incidents of re-customizing after `INCIDENT_ARCS` arcs near a
    /// random node change (times 4, every tenth closed), milliseconds.
    pub partial_update_ms: f64,
    pub partial_update_arcs: usize,
    /// "Incident recorded → next safest route answered", in process, median of 5 synthetic
    /// incidents: finding the `INCIDENT_ARCS` arcs nearest a random node (breadth-first), their
    /// new risk weights (×4, every tenth closed), the partial update and one query with its
    /// path between two random nodes (milliseconds).
    pub incident_to_route_ms: f64,
    /// Node-to-node cost without unpacking (as RoutingKit measures), microseconds.
    pub query_us_mean: f64,
    pub query_us_p50: f64,
    pub query_us_p99: f64,
    /// The same pairs timed in 3 passes, each pair's fastest pass: mean and p99 (on a shared
    /// machine, a query preempted once counts with an undisturbed time), microseconds.
    pub query_us_mean_best_of_3: f64,
    pub query_us_p99_best_of_3: f64,
    /// The same pairs with the path unpacked into road arcs, microseconds.
    pub path_query_us_mean: f64,
    /// One-to-all (PHAST) from one node, median of 5, milliseconds.
    pub phast_ms: f64,
    /// A 100 × 100 many-to-many matrix, milliseconds.
    pub matrix_ms: f64,
    /// Pairs whose CCH cost was checked equal to Dijkstra's (per metric: before and after the
    /// partial updates), plus every node of one one-to-all sweep per metric.
    pub checked_pairs: usize,
    /// The largest difference between the CCH's cost (integer milliseconds) and Dijkstra's on
    /// the unrounded `f64` weights, over the checked pairs of the first 10 sources, seconds.
    pub max_rounding_gap_s: f64,
    /// The same graph in `u64` units: on these weights, and on a `safest`-like metric past
    /// `u32`'s range.
    pub wide: WideFigures,
}

impl CchFigures {
    /// One line for `--format text`.
    pub fn text(&self) -> String {
        format!(
            "CCH ({} order {:.2} s) build {:.3} s, {} edges, depth {:.0} | customize {:.1} ms, partial update ({} arcs) {:.2} ms, incident to route {:.2} ms | query mean {:.1} µs p50 {:.1} µs p99 {:.1} µs, with path {:.1} µs | one-to-all {:.1} ms, 100×100 matrix {:.1} ms | {} pairs equal to Dijkstra, rounding gap ≤ {:.3} s",
            self.order,
            self.order_s,
            self.cch_build_s,
            self.cch_edges,
            self.mean_tree_depth,
            self.customize_s * 1e3,
            self.partial_update_arcs,
            self.partial_update_ms,
            self.incident_to_route_ms,
            self.query_us_mean,
            self.query_us_p50,
            self.query_us_p99,
            self.path_query_us_mean,
            self.phast_ms,
            self.matrix_ms,
            self.checked_pairs,
            self.max_rounding_gap_s
        )
    }
}

/// How the measured CCH came to be: its order's name and what ordering and contracting cost
/// (both 0 when it was loaded from a prepared file, whose load time the caller reports).
pub struct Origin {
    pub order: String,
    pub order_s: f64,
    pub cch_build_s: f64,
}

/// Orders `g` with `order` and contracts it, timed.
pub fn build(g: &Graph, order_name: &str, order: impl FnOnce() -> Vec<u32>) -> (Cch, Origin) {
    let t = Instant::now();
    let order = order();
    let order_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let cch = Cch::new(g, order);
    let origin = Origin {
        order: order_name.into(),
        order_s,
        cch_build_s: t.elapsed().as_secs_f64(),
    };
    (cch, origin)
}

/// Runs every CCH measurement on `g`'s hierarchy `cch` with `weight`, random pairs from `main`.
pub fn measure(
    g: &Graph,
    cch: &Cch,
    origin: Origin,
    weight: &[f64],
    main: &[u32],
    queries: usize,
    seed: u64,
) -> Result<CchFigures> {
    ensure!(
        !main.is_empty() && g.arc_count() > 0,
        "the graph has no roads to query ({} nodes, {} arcs)",
        g.node_count(),
        g.arc_count()
    );
    let Origin {
        order,
        order_s,
        cch_build_s,
    } = origin;
    let mut metric = cch.customize(weight);
    let (customize_s, customize_min_s) = median_and_min(5, || metric.recustomize(cch, weight));
    let (customize_s, customize_min_s) = (customize_s / 1e3, customize_min_s / 1e3);
    let mut rng = SmallRng::seed_from_u64(seed);
    let pairs: Vec<(u32, u32)> = (0..queries)
        .map(|_| (pick(&mut rng, main), pick(&mut rng, main)))
        .collect();
    let (times, best_times, path_query_us_mean) = time_queries(cch, &metric, &pairs);
    let (query_us_mean_best_of_3, _, query_us_p99_best_of_3) = summarize(best_times);
    let phast_ms = time_phast(cch, &metric, main, &mut rng);
    let (sources, targets) = matrix_sides(main, &mut rng);
    let t = Instant::now();
    let matrix = CchManyToMany::new(cch).run(cch, &metric, &sources, &targets);
    let matrix_ms = t.elapsed().as_secs_f64() * 1e3;
    let mut checked = verify(g, cch, &metric, weight, &sources, &targets, &matrix)?;
    let max_rounding_gap_s = rounding_gap(
        g,
        weight,
        &sources[..sources.len().min(10)],
        &targets,
        &matrix,
    )?;
    let (partial_update_ms, incident_to_route_ms, changed_weight) =
        time_partial_updates(g, cch, &mut metric, weight, main, &mut rng)?;
    let matrix = CchManyToMany::new(cch).run(cch, &metric, &sources, &targets);
    checked += verify(
        g,
        cch,
        &metric,
        &changed_weight,
        &sources,
        &targets,
        &matrix,
    )?;
    let wide = cch_wide::measure(g, cch, weight, main, &pairs, &mut rng)?;
    let (mean, p50, p99) = summarize(times);
    let figures = CchFigures {
        engine: "cch",
        order,
        order_s,
        cch_build_s,
        cch_edges: cch.edge_count(),
        mean_tree_depth: cch.mean_tree_depth(),
        triangles: cch.triangle_count(),
        customize_s,
        customize_min_s,
        partial_update_ms,
        partial_update_arcs: INCIDENT_ARCS,
        incident_to_route_ms,
        query_us_mean: mean,
        query_us_p50: p50,
        query_us_p99: p99,
        query_us_mean_best_of_3,
        query_us_p99_best_of_3,
        path_query_us_mean,
        phast_ms,
        matrix_ms,
        checked_pairs: checked,
        max_rounding_gap_s,
        wide,
    };
    Ok(figures)
}

pub(super) fn pick(rng: &mut SmallRng, main: &[u32]) -> u32 {
    main[rng.random_range(0..main.len())]
}

/// Median wall time of `runs` calls, milliseconds.
pub(super) fn median(runs: usize, f: impl FnMut()) -> f64 {
    median_and_min(runs, f).0
}

/// Median and fastest wall time of `runs` calls, milliseconds.
pub(super) fn median_and_min(runs: usize, mut f: impl FnMut()) -> (f64, f64) {
    let mut v: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    v.sort_by(f64::total_cmp);
    (v[runs / 2], v[0])
}

/// Per-pair cost-only query times (µs) of the first pass, each pair's fastest of 3 passes, and
/// the mean time with path unpacking.
pub(super) fn time_queries<W: Units>(
    cch: &Cch,
    metric: &CchMetric<W>,
    pairs: &[(u32, u32)],
) -> (Vec<f64>, Vec<f64>, f64) {
    let mut q = CchQuery::new(cch);
    let seeds = |v: u32| [Seed { node: v, cost: 0.0 }];
    let mut pass = || -> Vec<f64> {
        pairs
            .iter()
            .map(|&(s, t)| {
                let start = Instant::now();
                std::hint::black_box(q.cost(cch, metric, &seeds(s), &seeds(t)));
                start.elapsed().as_secs_f64() * 1e6
            })
            .collect()
    };
    let times = pass();
    let mut best = times.clone();
    for _ in 1..3 {
        for (b, t) in best.iter_mut().zip(pass()) {
            *b = b.min(t);
        }
    }
    let start = Instant::now();
    for &(s, t) in pairs {
        std::hint::black_box(q.run(cch, metric, &seeds(s), &seeds(t)));
    }
    let path_mean = start.elapsed().as_secs_f64() * 1e6 / pairs.len().max(1) as f64;
    (times, best, path_mean)
}

/// Mean, p50 and p99 of per-query times.
pub(super) fn summarize(mut times: Vec<f64>) -> (f64, f64, f64) {
    let mean = times.iter().sum::<f64>() / times.len().max(1) as f64;
    times.sort_by(f64::total_cmp);
    (mean, percentile(&times, 0.5), percentile(&times, 0.99))
}

fn time_phast(cch: &Cch, metric: &CchMetric, main: &[u32], rng: &mut SmallRng) -> f64 {
    let mut all = CchOneToAll::new(cch);
    let s = pick(rng, main);
    median(5, || {
        all.run(
            cch,
            metric,
            &[Seed { node: s, cost: 0.0 }],
            Direction::FromSeeds,
        )
    })
}

fn matrix_sides(main: &[u32], rng: &mut SmallRng) -> (Vec<u32>, Vec<u32>) {
    let side = |rng: &mut SmallRng| (0..MATRIX_SIDE).map(|_| pick(rng, main)).collect();
    (side(rng), side(rng))
}

/// Dijkstra on the weights as whole units (exact in `f64`), one search per source: every point
/// query, every matrix entry and, for the first source, every node of a one-to-all sweep must
/// equal it exactly. Returns the number of pairs checked.
fn verify(
    g: &Graph,
    cch: &Cch,
    metric: &CchMetric,
    weight: &[f64],
    sources: &[u32],
    targets: &[u32],
    matrix: &[f64],
) -> Result<usize> {
    let units: Vec<f64> = weight
        .iter()
        .map(|&w| match cost_to_units(w) {
            INF_UNITS => f64::INFINITY,
            u => u as f64,
        })
        .collect();
    let as_units = |c: f64| if c.is_finite() { (c * 1e3).round() } else { c };
    let mut dijkstra = OneToAll::new(g);
    let mut q = CchQuery::new(cch);
    let mut checked = 0;
    for (i, &s) in sources.iter().enumerate() {
        let seed = [Seed { node: s, cost: 0.0 }];
        dijkstra.run(g, &units, &seed, f64::INFINITY, false);
        for (j, &t) in targets.iter().enumerate() {
            let want = dijkstra.cost(t);
            let got = as_units(q.cost(cch, metric, &seed, &[Seed { node: t, cost: 0.0 }]));
            let row = as_units(matrix[i * targets.len() + j]);
            ensure!(
                got == want && row == want,
                "CCH disagrees with Dijkstra on {s}->{t}: query {got}, matrix {row}, Dijkstra {want} (ms)"
            );
            checked += 1;
        }
        if i == 0 {
            let mut all = CchOneToAll::new(cch);
            all.run(cch, metric, &seed, Direction::FromSeeds);
            for v in 0..g.node_count() as u32 {
                let got = as_units(all.cost(cch, v));
                ensure!(
                    got == dijkstra.cost(v),
                    "one-to-all disagrees with Dijkstra at {v} from {s}"
                );
            }
        }
    }
    Ok(checked)
}

/// The largest gap between the CCH's integer costs and Dijkstra on the raw `f64` weights.
fn rounding_gap(
    g: &Graph,
    weight: &[f64],
    sources: &[u32],
    targets: &[u32],
    matrix: &[f64],
) -> Result<f64> {
    let mut dijkstra = OneToAll::new(g);
    let mut gap: f64 = 0.0;
    for (i, &s) in sources.iter().enumerate() {
        dijkstra.run(
            g,
            weight,
            &[Seed { node: s, cost: 0.0 }],
            f64::INFINITY,
            false,
        );
        for (j, &t) in targets.iter().enumerate() {
            let (a, b) = (matrix[i * targets.len() + j], dijkstra.cost(t));
            ensure!(
                a.is_finite() == b.is_finite(),
                "reachability differs on {s}->{t}"
            );
            if a.is_finite() {
                gap = gap.max((a - b).abs());
            }
        }
    }
    Ok(gap)
}

/// Five incidents: each changes the `INCIDENT_ARCS` arcs nearest a random node (by hops),
/// timed, checked equal to a full customization, then reverted, except the last, whose weights
/// are returned for the Dijkstra check after partial updates. Returns the median update time
/// and the median time from the incident to the next route (arc search, weights, update, one
/// query with its path).
fn time_partial_updates(
    g: &Graph,
    cch: &Cch,
    metric: &mut CchMetric,
    weight: &[f64],
    main: &[u32],
    rng: &mut SmallRng,
) -> Result<(f64, f64, Vec<f64>)> {
    let mut updater = CchUpdater::new();
    let mut query = CchQuery::new(cch);
    let mut times = Vec::new();
    let mut incident_times = Vec::new();
    let mut changed = weight.to_vec();
    for round in 0..5 {
        let (incident, s, t) = (pick(rng, main), pick(rng, main), pick(rng, main));
        let recorded = Instant::now();
        let arcs = arcs_near(g, incident, INCIDENT_ARCS);
        let change: Vec<(u32, f64)> = arcs
            .iter()
            .enumerate()
            .map(|(i, &a)| {
                let w = if i % 10 == 9 {
                    f64::INFINITY
                } else {
                    weight[a as usize] * 4.0
                };
                (a, w)
            })
            .collect();
        let start = Instant::now();
        updater.update(cch, metric, &change);
        times.push(start.elapsed().as_secs_f64() * 1e3);
        let (src, dst) = ([Seed { node: s, cost: 0.0 }], [Seed { node: t, cost: 0.0 }]);
        std::hint::black_box(query.run(cch, metric, &src, &dst));
        incident_times.push(recorded.elapsed().as_secs_f64() * 1e3);
        for &(a, w) in &change {
            changed[a as usize] = w;
        }
        let fresh = cch.customize(&changed);
        ensure!(
            (0..cch.edge_count()).all(|e| fresh.edge_units(e) == metric.edge_units(e)),
            "partial update differs from a full customization"
        );
        if round < 4 {
            let back: Vec<(u32, f64)> = arcs.iter().map(|&a| (a, weight[a as usize])).collect();
            updater.update(cch, metric, &back);
            changed.copy_from_slice(weight);
        }
    }
    times.sort_by(f64::total_cmp);
    incident_times.sort_by(f64::total_cmp);
    Ok((times[2], incident_times[2], changed))
}

/// The first `count` arcs met by a breadth-first search (both directions) from `start`.
pub(super) fn arcs_near(g: &Graph, start: u32, count: usize) -> Vec<u32> {
    let mut seen = std::collections::HashSet::from([start]);
    let mut queue = std::collections::VecDeque::from([start]);
    let mut arcs = Vec::new();
    let mut taken = std::collections::HashSet::new();
    while let Some(v) = queue.pop_front() {
        let out = g.out_arcs(v).map(|a| (a, g.arc_head(a)));
        let inc = g.in_arcs(v).map(|(t, a)| (a, t));
        for (a, w) in out.chain(inc) {
            if arcs.len() < count && taken.insert(a) {
                arcs.push(a);
            }
            if seen.insert(w) {
                queue.push_back(w);
            }
        }
        if arcs.len() >= count {
            break;
        }
    }
    arcs
}

/// Peak resident memory of this process so far, MB (Linux `VmHWM`; 0 where unknown).
pub fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}
