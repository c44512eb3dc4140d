//! The CCH in `u64` units: what the width costs on the same weights, and a `safest`-like metric
//! whose costs near incidents pass `u32`'s 24.8 days, customized, queried, repaired after a new
//! incident and checked against Dijkstra on the same rounded weights.

use super::cch::{arcs_near, median_and_min, pick, summarize, time_queries, INCIDENT_ARCS};
use anyhow::{ensure, Result};
use corridor_routing::{fits_units, Cch, CchQuery, CchUpdater, Graph, OneToAll, Seed, Units};
use rand::rngs::SmallRng;
use rand::Rng;
use serde::Serialize;
use std::time::Instant;

/// Seconds per unit of exposure in the synthetic risk (the `safest` mode's
/// `SAFEST_SECONDS_PER_UNIT`: a million seconds).
const SECONDS_PER_EXPOSURE: f64 = 1e6;
/// Incidents laid on the map before the timed queries.
const INCIDENTS: usize = 5;
/// Sources × targets checked against Dijkstra after customization and after the partial update.
const CHECK_SIDE: usize = 100;

/// `u64` figures beside the `u32` ones of [`super::cch::CchFigures`].
#[derive(Serialize)]
pub struct WideFigures {
    /// The metric the `u64` figures below were measured on.
    pub weights: &'static str,
    /// Arcs whose cost passes `u32`'s range (the metric cannot be customized in `u32`).
    pub arcs_past_u32: usize,
    /// The largest finite arc cost, days.
    pub max_arc_days: f64,
    /// `u64` customization (median and fastest of 5, seconds) and cost-only queries (each
    /// pair's fastest of 3 passes, µs) on the ordinary weights of the `u32` figures: the price
    /// of the width alone (same pairs as the `u32` queries).
    pub same_weights_customize_s: f64,
    pub same_weights_customize_min_s: f64,
    pub same_weights_query_us_mean_best_of_3: f64,
    pub same_weights_query_us_p99_best_of_3: f64,
    /// On the `safest`-like metric: median and fastest of 5 full customizations, seconds.
    pub customize_s: f64,
    pub customize_min_s: f64,
    /// Cost-only queries, first pass (mean, p50, p99) and each pair's fastest of 3 (mean), µs.
    pub query_us_mean: f64,
    pub query_us_p50: f64,
    pub query_us_p99: f64,
    pub query_us_mean_best_of_3: f64,
    /// One more incident (its `INCIDENT_ARCS` arcs gain risk), median of 5: the partial update
    /// alone, and incident → next route (arc search, new weights, update, one path query), ms.
    pub partial_update_ms: f64,
    pub incident_to_route_ms: f64,
    /// Pairs checked equal to Dijkstra on the rounded weights (before and after the updates).
    pub checked_pairs: usize,
}

/// `weight` plus `SECONDS_PER_EXPOSURE` × an exposure decaying with the hop distance from
/// `incident` over its `INCIDENT_ARCS` nearest arcs (`strength` at the incident, `strength`/51
/// at the 500th arc).
fn add_incident(g: &Graph, weight: &mut [f64], incident: u32, strength: f64) -> Vec<u32> {
    let arcs = arcs_near(g, incident, INCIDENT_ARCS);
    for (i, &a) in arcs.iter().enumerate() {
        let exposure = strength / (1.0 + i as f64 / 10.0);
        weight[a as usize] += SECONDS_PER_EXPOSURE * exposure;
    }
    arcs
}

/// Runs the `u64` measurements; `pairs` are the `u32` queries' pairs.
pub fn measure(
    g: &Graph,
    cch: &Cch,
    weight: &[f64],
    main: &[u32],
    pairs: &[(u32, u32)],
    rng: &mut SmallRng,
) -> Result<WideFigures> {
    let mut same = cch.customize_wide(weight);
    let (same_c, same_c_min) = median_and_min(5, || same.recustomize(cch, weight));
    let (_, same_best, _) = time_queries(cch, &same, pairs);
    let (same_mean, _, same_p99) = summarize(same_best);
    drop(same);

    let mut risky = weight.to_vec();
    for _ in 0..INCIDENTS {
        let strength = rng.random_range(1.0..50.0);
        add_incident(g, &mut risky, pick(rng, main), strength);
    }
    ensure!(
        !fits_units::<u32>(&risky) && fits_units::<u64>(&risky),
        "the synthetic safest metric should pass u32's range and fit u64's"
    );
    let arcs_past_u32 = risky.iter().filter(|&&w| !u32::fits(w)).count();
    let max_arc_days = risky
        .iter()
        .filter(|w| w.is_finite())
        .fold(0.0f64, |m, &w| m.max(w))
        / 86_400.0;
    let mut metric = cch.customize_wide(&risky);
    let (customize_ms, customize_min_ms) = median_and_min(5, || metric.recustomize(cch, &risky));
    let (times, best, _) = time_queries(cch, &metric, pairs);
    let (query_us_mean, query_us_p50, query_us_p99) = summarize(times);
    let (query_us_mean_best_of_3, _, _) = summarize(best);
    let mut checked = verify(g, cch, &metric, &risky, main, rng)?;

    let mut updater = CchUpdater::new();
    let mut query = CchQuery::<u64>::new(cch);
    let (mut update_ms, mut route_ms) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        let (incident, s, t) = (pick(rng, main), pick(rng, main), pick(rng, main));
        let recorded = Instant::now();
        let arcs = add_incident(g, &mut risky, incident, rng.random_range(1.0..50.0));
        let change: Vec<(u32, f64)> = arcs.iter().map(|&a| (a, risky[a as usize])).collect();
        let start = Instant::now();
        updater.update(cch, &mut metric, &change);
        update_ms.push(start.elapsed().as_secs_f64() * 1e3);
        let (src, dst) = ([Seed { node: s, cost: 0.0 }], [Seed { node: t, cost: 0.0 }]);
        std::hint::black_box(query.run(cch, &metric, &src, &dst));
        route_ms.push(recorded.elapsed().as_secs_f64() * 1e3);
        let fresh = cch.customize_wide(&risky);
        ensure!(
            (0..cch.edge_count()).all(|e| fresh.edge_units(e) == metric.edge_units(e)),
            "u64 partial update differs from a full customization"
        );
    }
    checked += verify(g, cch, &metric, &risky, main, rng)?;
    update_ms.sort_by(f64::total_cmp);
    route_ms.sort_by(f64::total_cmp);
    Ok(WideFigures {
        weights: "the u32 figures' weights + 1e6 s per unit of exposure near 5 random incidents \
                  (500 arcs each by hops, exposure 1/(1 + hops-rank/10) × U(1, 50))",
        arcs_past_u32,
        max_arc_days,
        same_weights_customize_s: same_c / 1e3,
        same_weights_customize_min_s: same_c_min / 1e3,
        same_weights_query_us_mean_best_of_3: same_mean,
        same_weights_query_us_p99_best_of_3: same_p99,
        customize_s: customize_ms / 1e3,
        customize_min_s: customize_min_ms / 1e3,
        query_us_mean,
        query_us_p50,
        query_us_p99,
        query_us_mean_best_of_3,
        partial_update_ms: update_ms[2],
        incident_to_route_ms: route_ms[2],
        checked_pairs: checked,
    })
}

/// `CHECK_SIDE` × `CHECK_SIDE` random pairs: each `u64` CCH cost equals Dijkstra's on the
/// weights rounded to whole milliseconds (integers below 2⁵³, so exact in `f64`).
fn verify(
    g: &Graph,
    cch: &Cch,
    metric: &corridor_routing::CchMetricWide,
    weight: &[f64],
    main: &[u32],
    rng: &mut SmallRng,
) -> Result<usize> {
    let units: Vec<f64> = weight
        .iter()
        .map(|&w| match u64::from_cost(w) {
            u64::MAX => f64::INFINITY,
            u => u as f64,
        })
        .collect();
    let mut dijkstra = OneToAll::new(g);
    let mut q = CchQuery::<u64>::new(cch);
    let targets: Vec<u32> = (0..CHECK_SIDE).map(|_| pick(rng, main)).collect();
    for _ in 0..CHECK_SIDE {
        let s = pick(rng, main);
        let seed = [Seed { node: s, cost: 0.0 }];
        dijkstra.run(g, &units, &seed, f64::INFINITY, false);
        for &t in &targets {
            let got = q.cost(cch, metric, &seed, &[Seed { node: t, cost: 0.0 }]);
            let got = if got.is_finite() {
                (got * 1e3).round()
            } else {
                got
            };
            let want = dijkstra.cost(t);
            ensure!(
                got == want,
                "u64 CCH disagrees with Dijkstra on {s}->{t}: {got} vs {want} ms"
            );
        }
    }
    Ok(CHECK_SIDE * CHECK_SIDE)
}
