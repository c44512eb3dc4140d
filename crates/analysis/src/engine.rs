//! Which engine answers an analysis's one-to-all searches (issue 11, item 3): plain Dijkstra
//! or a PHAST sweep on the customized CCH. Both give the same answer — costs in the CCH's
//! integer units (milliseconds per arc, [`corridor_routing::cost_to_units`]) and, for several
//! sources, the nearest one by [`corridor_routing::NearestSource`]'s tie rule (equal cost:
//! smallest label) — so the choice is about speed only, and every report names the engine.
//!
//! The rule ([`one_to_all_engine`]) compares what each engine costs for the searches an
//! analysis runs on one weight vector, from sizes the graph knows before any search. The
//! constants are measured (BENCHMARKS.md, "Every command on the CCH").

use corridor_roads::{in_cch_range, Engine, ProfileGraph};
use corridor_routing::{Cch, CchMetric, CchNearestSource, Direction, LabelledSeed, NearestSource};
use serde::Serialize;

/// The engine a caller asks for: `auto` applies [`one_to_all_engine`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EngineChoice {
    #[default]
    Auto,
    Dijkstra,
    Cch,
}

/// Nanoseconds a multi-source one-to-all Dijkstra costs per node of the graph: 250–340 on
/// Malta (car, foot), 22–67 on the small Helsinki extract (`corridor bench --access`, one
/// thread, load average 8.7 on the 2-core machine; BENCHMARKS.md "Every command on the CCH").
/// The country-scale figure is the one that matters, so Malta's lower value.
pub const DIJKSTRA_NS_PER_NODE: f64 = 250.0;
/// Nanoseconds a multi-source PHAST sweep costs per CCH edge: 3.3–4.0 on Malta, 1.9 on Helsinki.
pub const PHAST_NS_PER_EDGE: f64 = 4.0;
/// Nanoseconds a full customization costs per lower triangle: 14.4–16.7 on Malta, 3.7–4.9 on
/// Helsinki (same runs).
pub const CUSTOMIZE_NS_PER_TRIANGLE: f64 = 15.0;

/// The siege's stages (`corridor bench --siege`, Malta, one thread, minimum of four runs on
/// the loaded 2-core machine; BENCHMARKS.md "Siege on the CCH"): what a whole stage costs per
/// search and per graph node, Dijkstra's searches included with their per-piece verdict loop.
/// A siege's Dijkstra searches stop at hostile ground (a search to an enclosed piece settles
/// little more than the piece), so per search they cost far less than a whole-graph Dijkstra:
/// 33–53 ns per node against 250 for access's.
pub const SIEGE_DIJKSTRA_NS_PER_NODE: f64 = 40.0;
/// Per sweep of a siege stage on the CCH, per node: the PHAST sweep (0.42–0.46 ms on Malta,
/// 3–4.8 ns per CCH edge) plus the node- and arc-sized work around it (distances by node, the
/// per-arc verdicts): 33–58 ns per node measured.
pub const SIEGE_SWEEP_NS_PER_NODE: f64 = 45.0;
/// A `u64` customization (the siege's safest and scaled exposure weights): 3.7–4.5 ns per
/// lower triangle on Malta at best, up to 14 under load.
pub const WIDE_CUSTOMIZE_NS_PER_TRIANGLE: f64 = 5.0;

/// What a siege stage of `searches` searches is expected to cost, ms, as (CCH, Dijkstra):
/// a `u64` customization plus a sweep per search against a Dijkstra per search, with the
/// siege's measured constants above. With these constants Dijkstra wins at every size (a
/// sweep costs about what a siege's bounded Dijkstra does, and the CCH pays a customization
/// on top): the measured outcome on Malta, so `auto` answers sieges by Dijkstra and says so.
pub fn siege_estimated_ms(g: &ProfileGraph, searches: usize) -> (f64, f64) {
    let (k, n) = (searches as f64, g.node_count() as f64);
    let customize = WIDE_CUSTOMIZE_NS_PER_TRIANGLE * g.cch().triangle_count() as f64;
    let cch = customize + k * SIEGE_SWEEP_NS_PER_NODE * n;
    let dijkstra = k * SIEGE_DIJKSTRA_NS_PER_NODE * n;
    (cch / 1e6, dijkstra / 1e6)
}

/// The engine for `searches` one-to-all searches on one weight vector: the CCH when a
/// customization (unless `customized` already, as the server keeps one) plus a sweep per
/// search is expected to cost less than a Dijkstra per search. Weights the CCH cannot hold
/// exactly (`in_range` false) always go to Dijkstra. A `bounded` search (an isochrone: Dijkstra
/// stops at the largest time, PHAST cannot) goes to the CCH only when it is customized already,
/// since one customization alone costs about one whole-graph Dijkstra (Malta foot: 11.3 vs
/// 12.5 ms; car 5.7 vs 6.2 ms).
///
/// Measured outcome: `access` (two searches per profile and date) runs on the CCH on every
/// measured map (Malta foot: 2 × 12.5 ms of Dijkstra against 11.3 + 2 × 0.47 ms); isochrones
/// run on Dijkstra in the CLI and on the CCH in the server, whose customization is cached.
pub fn one_to_all_engine(
    g: &ProfileGraph,
    searches: usize,
    customized: bool,
    in_range: bool,
    bounded: bool,
) -> Engine {
    if !in_range || (bounded && !customized) {
        return Engine::Dijkstra;
    }
    let (cch_ms, dijkstra_ms) = estimated_ms(g, searches, customized);
    if cch_ms < dijkstra_ms {
        Engine::Cch
    } else {
        Engine::Dijkstra
    }
}

/// What `searches` one-to-all searches on one weight vector are expected to cost, in
/// milliseconds, as (CCH, Dijkstra): a customization (none if `customized`) plus a sweep per
/// search, against a Dijkstra per search — the measured constants above times the graph's
/// sizes. Reports quote it as the reason for `auto`'s choice.
pub fn estimated_ms(g: &ProfileGraph, searches: usize, customized: bool) -> (f64, f64) {
    let cch = g.cch();
    let k = searches as f64;
    let dijkstra = k * DIJKSTRA_NS_PER_NODE * g.node_count() as f64;
    let customize = if customized {
        0.0
    } else {
        CUSTOMIZE_NS_PER_TRIANGLE * cch.triangle_count() as f64
    };
    let cch_cost = customize + k * PHAST_NS_PER_EDGE * cch.edge_count() as f64;
    (cch_cost / 1e6, dijkstra / 1e6)
}

/// Resolves a caller's choice for `searches` searches on `weight`: `cch` falls back to
/// Dijkstra (said in the report) when the weights do not fit the CCH.
pub fn resolve(
    choice: EngineChoice,
    g: &ProfileGraph,
    weight: &[f64],
    searches: usize,
    customized: bool,
    bounded: bool,
) -> Engine {
    let in_range = customized || in_cch_range(weight);
    match choice {
        EngineChoice::Dijkstra => Engine::Dijkstra,
        EngineChoice::Cch if in_range => Engine::Cch,
        EngineChoice::Cch => Engine::Dijkstra,
        EngineChoice::Auto => one_to_all_engine(g, searches, customized, in_range, bounded),
    }
}

/// Whether two weight vectors are bit for bit the same (a caller's customization is used only
/// for exactly the weights it was made of).
pub fn same_weights(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

/// The nearest labelled source of every node, by the engine chosen, with a customization made
/// on first use (or given by the caller) and reused by every later search.
pub struct NearestSearch<'a> {
    g: &'a ProfileGraph,
    weight: &'a [f64],
    /// The engine that answers.
    pub engine: Engine,
    metric: Option<std::borrow::Cow<'a, CchMetric>>,
    dijkstra: Option<NearestSource>,
    phast: Option<CchNearestSource>,
    limit: f64,
}

impl<'a> NearestSearch<'a> {
    /// `metric`: a customization of exactly `weight` the caller already holds (the server's).
    pub fn new(
        g: &'a ProfileGraph,
        weight: &'a [f64],
        engine: Engine,
        metric: Option<&'a CchMetric>,
    ) -> Self {
        NearestSearch {
            g,
            weight,
            engine,
            metric: metric.map(std::borrow::Cow::Borrowed),
            dijkstra: None,
            phast: None,
            limit: f64::INFINITY,
        }
    }

    /// Searches from `seeds`; `to_seeds`: costs from each node to its nearest seed. Nodes
    /// costing more than `limit` (seconds) count as unreached, on either engine.
    pub fn run(&mut self, seeds: &[LabelledSeed], to_seeds: bool, limit: f64) {
        let (g, w) = (self.g, self.weight);
        // In whole units like the searches' costs, not clamped to the CCH's largest arc
        // (Dijkstra answers exactly past it).
        let units = corridor_routing::UNITS_PER_COST;
        self.limit = if limit.is_finite() {
            (limit.max(0.0) * units).round() / units
        } else {
            f64::INFINITY
        };
        if self.engine == Engine::Cch {
            let cch = g.cch();
            let metric = self
                .metric
                .get_or_insert_with(|| std::borrow::Cow::Owned(cch.customize(w)));
            let dir = if to_seeds {
                Direction::ToSeeds
            } else {
                Direction::FromSeeds
            };
            self.phast
                .get_or_insert_with(|| CchNearestSource::new(cch))
                .run(cch, metric, seeds, dir);
        } else {
            self.dijkstra
                .get_or_insert_with(|| NearestSource::new(&g.graph))
                .run(&g.graph, w, seeds, limit, to_seeds);
        }
    }

    fn cch(&self) -> &Cch {
        self.g.cch()
    }

    /// Cost between `v` and its nearest seed, `INFINITY` if unreached or beyond the limit.
    pub fn cost(&self, v: u32) -> f64 {
        let c = match (&self.phast, &self.dijkstra, self.engine) {
            (Some(p), _, Engine::Cch) => p.cost(self.cch(), v),
            (_, Some(d), _) => d.cost(v),
            _ => f64::INFINITY,
        };
        if c <= self.limit {
            c
        } else {
            f64::INFINITY
        }
    }

    /// The label of `v`'s nearest seed (`None` if unreached or beyond the limit).
    pub fn label(&self, v: u32) -> Option<u32> {
        if self.cost(v).is_infinite() {
            return None;
        }
        match (&self.phast, &self.dijkstra, self.engine) {
            (Some(p), _, Engine::Cch) => p.label(self.cch(), v),
            (_, Some(d), _) => d.label(v),
            _ => None,
        }
    }
}
