//! The siege's one-to-all searches on the engine chosen per stage (issue 11, item 3): plain
//! Dijkstra or PHAST sweeps on the customized CCH, with the same answers either way.
//!
//! - **Supply routes** ([`SafestSearch`]): one multi-source search on safest costs from the
//!   calm outside nodes, read as a shortest-path tree, and one labelled search per piece from
//!   its entries (`people_served`). Safest costs reach a million seconds per unit of exposure,
//!   so the CCH runs in `u64` units. Both engines give exact distances in whole milliseconds
//!   (Dijkstra in 64-bit integers, [`NearestSource`]; the CCH in `u64` units), the tree comes
//!   from those distances by one rule ([`shortest_path_tree`]) and the entry serving a node by
//!   one tie rule (smallest label), so routes and people served are identical.
//! - **Exposure reachability** ([`ExposureReach`]): exposure (risk × length) from outside and
//!   to each piece, compared with the threshold for every arc. Exposure is not seconds: the CCH
//!   runs on exposure scaled so that the map's total fits 2⁵² units, and a verdict the integer
//!   rounding could move is re-decided by the `f64` Dijkstra (see [`ExposureReach`] for the
//!   margin), so the disjoint-route counts are those of the `f64` search exactly.
//! - Cuts stay max-flow.

use super::terrain::Terrain;
use crate::engine::{siege_estimated_ms, EngineChoice};
use corridor_roads::{Engine, Profile, ProfileGraph};
use corridor_routing::{
    fits_units, shortest_path_tree, CchMetric, CchNearestSource, CchOneToAll, Direction,
    LabelledSeed, NearestSource, OneToAll, Seed, NO_UNITS, UNITS_PER_COST,
};
use serde::Serialize;
use std::borrow::Cow;
use std::time::Instant;

/// Which engine answered one stage of one profile's analysis, and why.
#[derive(Debug, Clone, Serialize)]
pub struct StageEngine {
    /// `supply_routes` (with `people_served`, one customization) or `exposure_reachability`.
    pub stage: &'static str,
    pub profile: Profile,
    pub engine: Engine,
    /// One-to-all searches the stage runs on one weight vector.
    pub searches: usize,
    pub why: String,
    /// Exposure stage on the CCH: arcs whose verdict lay within the rounding margin of the
    /// threshold and were re-decided by the `f64` Dijkstra.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redecided_arcs: Option<usize>,
    /// Wall time of the stage's searches (customization included), ms: for `corridor bench
    /// --siege`, not serialized (a report must not change from run to run).
    #[serde(skip)]
    pub ms: f64,
}

/// The engine for a stage of `searches` searches and why; `unfit`: why the CCH cannot hold
/// the stage's weights exactly (then Dijkstra answers whatever was asked).
pub(crate) fn choose(
    choice: EngineChoice,
    g: &ProfileGraph,
    searches: usize,
    unfit: Option<&str>,
) -> (Engine, String) {
    match (choice, unfit) {
        (EngineChoice::Dijkstra, _) => (Engine::Dijkstra, "asked for (--engine dijkstra)".into()),
        (EngineChoice::Cch, None) => (Engine::Cch, "asked for (--engine cch)".into()),
        (_, Some(why)) => (Engine::Dijkstra, format!("{why}: the CCH cannot hold them")),
        (EngineChoice::Auto, None) => {
            let (cch, dijkstra) = siege_estimated_ms(g, searches);
            let engine = if cch < dijkstra {
                Engine::Cch
            } else {
                Engine::Dijkstra
            };
            let why = format!(
                "auto: {searches} searches estimated at {cch:.1} ms on the CCH (u64 customization + sweeps) against {dijkstra:.1} ms of Dijkstra (engine.rs siege constants, measured on Malta)"
            );
            (engine, why)
        }
    }
}

/// A cost in whole units, exactly as both engines round it (`NO_UNITS`: unusable).
fn units_of(w: f64) -> u64 {
    if w.is_nan() || w == f64::INFINITY {
        NO_UNITS
    } else {
        (w.max(0.0) * UNITS_PER_COST).round() as u64
    }
}

/// Why safest costs do not fit the `u64` CCH exactly, if they do not: an arc past 2⁵³ units,
/// or a total that a path's sum could saturate.
fn safest_unfit(weights: &[f64]) -> Option<&'static str> {
    if !fits_units::<u64>(weights) {
        return Some("safest costs past 2^53 ms on some arc");
    }
    let total = weights
        .iter()
        .filter(|w| w.is_finite())
        .map(|&w| units_of(w) as u128)
        .sum::<u128>();
    (total >= 1 << 63).then_some("safest costs whose sum passes 2^63 ms")
}

/// Safest costs that do not fit 64-bit milliseconds, scaled down so that their total is
/// 2⁵² ms, and the factor: only their order matters to the supply search (which roads, which
/// entry serves whom), and without it an arc past 2⁶⁴ ms — a `front_weight` of 1e9 makes
/// them — counted as no road and turned a contested piece (a route, badly exposed) into a
/// besieged one. `INFINITY` (blocked) stays unusable. The total is taken relative to the
/// largest weight, so that it cannot overflow.
fn fitted_safest(weights: &[f64]) -> (Vec<f64>, f64) {
    let finite = || {
        weights
            .iter()
            .copied()
            .filter(|w| w.is_finite() && *w > 0.0)
    };
    let largest = finite().fold(0.0, f64::max);
    if largest == 0.0 {
        return (weights.to_vec(), 1.0);
    }
    let relative: f64 = finite().map(|w| w / largest).sum();
    let k = (1u64 << 52) as f64 / UNITS_PER_COST / largest / relative;
    (weights.iter().map(|&w| w * k).collect(), k)
}

/// The supply search's shortest-path tree: distances in whole units and parent arcs.
pub(crate) struct SupplyTree {
    dist: Vec<u64>,
    parent: Vec<u32>,
}

impl SupplyTree {
    /// Whether the search reached `v`.
    pub fn reached(&self, v: u32) -> bool {
        self.dist[v as usize] != NO_UNITS
    }

    /// Distance to `v` in whole units (`NO_UNITS`: unreached).
    pub fn units(&self, v: u32) -> u64 {
        self.dist[v as usize]
    }

    /// The tree's arc into `v` ([`corridor_routing::INVALID`] at a seed or unreached).
    pub fn parent_arc(&self, v: u32) -> u32 {
        self.parent[v as usize]
    }
}

/// Safest-cost searches of one profile on one engine, with one customization shared by the
/// supply search and every piece's `people_served` search.
pub(crate) struct SafestSearch<'g> {
    g: &'g ProfileGraph,
    /// The safest costs, or, when they do not fit 64-bit milliseconds, those costs scaled
    /// down to fit ([`fitted_safest`]).
    weights: Cow<'g, [f64]>,
    /// Per arc: the weight in whole units, as both engines round it.
    pub units: Vec<u64>,
    pub stage: StageEngine,
    metric: Option<CchMetric<u64>>,
    dijkstra: Option<NearestSource>,
    labelled: Option<CchNearestSource<u64>>,
}

impl<'g> SafestSearch<'g> {
    /// `searches`: the supply search plus one per piece.
    pub fn new(
        g: &'g ProfileGraph,
        weights: &'g [f64],
        choice: EngineChoice,
        searches: usize,
    ) -> Self {
        let unfit = safest_unfit(weights);
        let (engine, mut why) = choose(choice, g, searches, unfit);
        let weights = match unfit {
            None => Cow::Borrowed(weights),
            Some(_) => {
                let (scaled, k) = fitted_safest(weights);
                why.push_str(&format!(
                    "; costs scaled by {k:.3e} to fit 64-bit milliseconds (an arc past them \
                     would otherwise count as no road)"
                ));
                Cow::Owned(scaled)
            }
        };
        SafestSearch {
            g,
            units: weights.iter().map(|&w| units_of(w)).collect(),
            weights,
            stage: StageEngine {
                stage: "supply_routes",
                profile: g.profile,
                engine,
                searches,
                why,
                redecided_arcs: None,
                ms: 0.0,
            },
            metric: None,
            dijkstra: None,
            labelled: None,
        }
    }

    fn metric(&mut self) -> &CchMetric<u64> {
        let (g, w) = (self.g, &self.weights);
        self.metric.get_or_insert_with(|| g.cch().customize_wide(w))
    }

    /// The shortest-path tree from `seeds` (cost 0).
    pub fn tree(&mut self, seeds: &[u32]) -> SupplyTree {
        let clock = Instant::now();
        let g = self.g;
        let plain: Vec<Seed> = seeds.iter().map(|&v| Seed { node: v, cost: 0.0 }).collect();
        let dist = if self.stage.engine == Engine::Cch {
            let cch = g.cch();
            let mut phast = CchOneToAll::<u64>::new(cch);
            let metric = self.metric();
            phast.run(cch, metric, &plain, Direction::FromSeeds);
            phast.units_by_node(cch)
        } else {
            let labelled: Vec<LabelledSeed> = seeds
                .iter()
                .map(|&v| LabelledSeed {
                    node: v,
                    cost: 0.0,
                    label: 0,
                })
                .collect();
            let d = self.dijkstra_run(&labelled);
            (0..g.node_count() as u32).map(|v| d.units(v)).collect()
        };
        let roots: Vec<(u32, u64)> = seeds.iter().map(|&v| (v, 0)).collect();
        let parent = shortest_path_tree(&g.graph, &self.units, &dist, &roots, false);
        self.stage.ms += clock.elapsed().as_secs_f64() * 1e3;
        SupplyTree { dist, parent }
    }

    fn dijkstra_run(&mut self, seeds: &[LabelledSeed]) -> &NearestSource {
        let (g, w) = (self.g, &self.weights);
        let d = self
            .dijkstra
            .get_or_insert_with(|| NearestSource::new(&g.graph));
        d.run(&g.graph, w, seeds, f64::INFINITY, false);
        d
    }

    /// Every node's nearest labelled seed (smallest label among equally near ones): returns
    /// a lookup from node to label.
    pub fn nearest_labels(&mut self, seeds: &[LabelledSeed]) -> impl Fn(u32) -> Option<u32> + '_ {
        let g = self.g;
        let clock = Instant::now();
        if self.stage.engine == Engine::Cch {
            let cch = g.cch();
            self.metric();
            let labelled = self
                .labelled
                .get_or_insert_with(|| CchNearestSource::new(cch));
            labelled.run(
                cch,
                self.metric.as_ref().expect("customized"),
                seeds,
                Direction::FromSeeds,
            );
            self.stage.ms += clock.elapsed().as_secs_f64() * 1e3;
            let l: &CchNearestSource<u64> = labelled;
            Box::new(move |v| l.label(cch, v)) as Box<dyn Fn(u32) -> Option<u32>>
        } else {
            self.dijkstra_run(seeds);
            self.stage.ms += clock.elapsed().as_secs_f64() * 1e3;
            let d: &NearestSource = self.dijkstra.as_ref().expect("just run");
            Box::new(move |v| d.label(v))
        }
    }
}

/// Calls `f(tail, arc)` for every arc, tails known without a search.
fn for_each_arc(g: &corridor_routing::Graph, mut f: impl FnMut(u32, u32)) {
    for u in 0..g.node_count() as u32 {
        for a in g.out_arcs(u) {
            f(u, a);
        }
    }
}

/// Exposure weights of a profile: risk × length per arc, `INFINITY` where blocked.
fn exposure_weights(t: &Terrain) -> Vec<f64> {
    let g = t.sm.graph;
    (0..g.arc_count() as u32)
        .map(|a| {
            if t.blocked[a as usize] {
                f64::INFINITY
            } else {
                t.sm.edge_exposure(g.arc_edge(a).0)
            }
        })
        .collect()
}

/// The scale `S` of the CCH's exposure units (see [`ExposureReach`]): `2⁵² / max(total of the
/// finite exposures, threshold)`, or 1 when both are 0; `None` when no finite positive scale
/// exists — the total overflows `f64` (exposures near `f64::MAX`), or the largest of total and
/// threshold is so small (below 2⁵² / `f64::MAX`, e.g. a threshold of 1e-300 over roads of
/// zero exposure) that `2⁵²` divided by it overflows and `0 × ∞` would make every arc unusable.
fn exposure_scale(w: &[f64], threshold: f64) -> Option<f64> {
    let total: f64 = w.iter().filter(|w| w.is_finite()).sum();
    // The threshold too, so that `S × threshold` stays in range when it passes the total.
    let top = total.max(threshold);
    if top == 0.0 {
        return Some(1.0);
    }
    let scale = (1u64 << 52) as f64 / top;
    (scale.is_finite() && scale > 0.0).then_some(scale)
}

/// Why exposures do not fit the CCH's scaled units, if they do not (see [`exposure_scale`]).
fn exposure_unfit(w: &[f64], threshold: f64) -> Option<&'static str> {
    exposure_scale(w, threshold)
        .is_none()
        .then_some("exposures past the CCH's scaled range (their total overflows f64, or total and threshold lie below 2^52 / f64::MAX)")
}

/// Whether an arc lies on a route from outside into a piece whose exposure is below the
/// threshold: `from_outside(tail) + exposure(arc) + to_piece(head) < threshold`, decided
/// exactly as the `f64` Dijkstra decides it on either engine.
///
/// On the CCH exposure runs in integer units: each arc's exposure `x` becomes `round(x × S)`
/// with `S = 2⁵² / max(sum of all finite exposures, threshold)` ([`exposure_scale`]; when no
/// finite positive `S` exists Dijkstra answers, [`exposure_unfit`]), so every part of a
/// through-route (a simple path, at most the total) stays within 2⁵² units. Error argument,
/// in units, for `N` nodes (a through-route's parts hold at most `2N − 1` arcs):
/// - an arc's units come from three `f64` operations (× `S`, ÷ 1000, × 1000) and a rounding:
///   within `0.5 + 3 × 2⁻⁵³ × xS` of `xS`, so a part is within `0.5 k + 1.5` of `S ×` its
///   exact sum (`k` arcs, the relative terms adding up to at most `3 × 2⁻⁵³ × 2⁵²`); minima
///   over paths keep the bound, so the integer through-sum is within `N + 4` of exact;
/// - the `f64` Dijkstra's sum is within `2N × 1.5` units of exact (at most `2N` additions,
///   each off by at most 2⁻⁵³ of a result below `3 × 2⁵²` units), and adding the three `u64`
///   parts as `f64` costs at most 2 units more;
/// - `S × threshold` as `f64` is off by at most `2⁻⁵³ × S × threshold`.
///
/// In all at most `4N + 6.5 + 2⁻⁵³ S × threshold`, below the margin `M = 8(N + 1) + 2⁻⁵⁰ × S ×
/// threshold`. An arc whose integer sum lies farther than `M` from `S × threshold` gets the
/// `f64` verdict; one within it is re-decided by the `f64` Dijkstra itself (forward once, and
/// backward for that piece), counted in [`StageEngine::redecided_arcs`]. Exposures of 0,
/// blocked arcs (`INFINITY`, unusable on both engines) and a threshold of 0 need nothing more
/// (tested in `analysis/tests/siege_engines.rs`).
pub(crate) struct ExposureReach<'t, 'm, 'a> {
    t: &'t Terrain<'m, 'a>,
    w: Vec<f64>,
    seeds: Vec<u32>,
    pub stage: StageEngine,
    /// The `f64` search from outside (Dijkstra's engine, or the CCH's re-decisions).
    from_outside: Option<OneToAll>,
    cch: Option<ScaledExposure>,
}

/// The CCH side of [`ExposureReach`].
struct ScaledExposure {
    scale: f64,
    margin: f64,
    metric: CchMetric<u64>,
    sweep: CchOneToAll<u64>,
    from_outside: Vec<u64>,
    arc_units: Vec<u64>,
}

impl<'t, 'm, 'a> ExposureReach<'t, 'm, 'a> {
    /// `searches`: from outside, plus one per piece.
    pub fn new(
        t: &'t Terrain<'m, 'a>,
        seeds: &[u32],
        choice: EngineChoice,
        searches: usize,
        threshold: f64,
    ) -> Self {
        let clock = Instant::now();
        let g = t.sm.graph;
        let w = exposure_weights(t);
        let (engine, why) = choose(choice, g, searches, exposure_unfit(&w, threshold));
        let mut me = ExposureReach {
            t,
            seeds: seeds.to_vec(),
            stage: StageEngine {
                stage: "exposure_reachability",
                profile: g.profile,
                engine,
                searches,
                why,
                redecided_arcs: (engine == Engine::Cch).then_some(0),
                ms: 0.0,
            },
            from_outside: None,
            cch: None,
            w,
        };
        if engine == Engine::Cch {
            me.cch = Some(me.scaled(threshold));
        } else {
            me.from_outside = Some(me.f64_search(seeds, false));
        }
        me.stage.ms += clock.elapsed().as_secs_f64() * 1e3;
        me
    }

    fn f64_search(&self, from: &[u32], reverse: bool) -> OneToAll {
        let g = &self.t.sm.graph.graph;
        let mut search = OneToAll::new(g);
        let seeds: Vec<Seed> = from.iter().map(|&v| Seed { node: v, cost: 0.0 }).collect();
        search.run(g, &self.w, &seeds, f64::INFINITY, reverse);
        search
    }

    /// Customizes the scaled exposure and sweeps from outside.
    fn scaled(&self, threshold: f64) -> ScaledExposure {
        let g = self.t.sm.graph;
        let scale = exposure_scale(&self.w, threshold).expect("checked by exposure_unfit");
        let scaled: Vec<f64> = self.w.iter().map(|&x| x * scale / UNITS_PER_COST).collect();
        let arc_units: Vec<u64> = scaled.iter().map(|&x| units_of(x)).collect();
        let cch = g.cch();
        let metric = cch.customize_wide(&scaled);
        let mut sweep = CchOneToAll::<u64>::new(cch);
        let seeds: Vec<Seed> = self
            .seeds
            .iter()
            .map(|&v| Seed { node: v, cost: 0.0 })
            .collect();
        sweep.run(cch, &metric, &seeds, Direction::FromSeeds);
        let from_outside = sweep.units_by_node(cch);
        let n = g.node_count() as f64;
        ScaledExposure {
            scale,
            margin: 8.0 * (n + 1.0) + (scale * threshold) * 2f64.powi(-50),
            metric,
            sweep,
            from_outside,
            arc_units,
        }
    }

    /// Per arc: 1 if it lies on a route into `piece` below `threshold`, 0 if not or blocked.
    pub fn open_arcs(&mut self, piece: &[u32], threshold: f64) -> Vec<u32> {
        let clock = Instant::now();
        let out = self.open_arcs_untimed(piece, threshold);
        self.stage.ms += clock.elapsed().as_secs_f64() * 1e3;
        out
    }

    fn open_arcs_untimed(&mut self, piece: &[u32], threshold: f64) -> Vec<u32> {
        match self.cch.take() {
            Some(mut c) => {
                let out = self.open_arcs_cch(&mut c, piece, threshold);
                self.cch = Some(c);
                out
            }
            None => {
                let to_piece = self.f64_search(piece, true);
                let from = self.from_outside.as_ref().expect("Dijkstra's engine");
                let mut out = vec![0; self.w.len()];
                for_each_arc(&self.t.sm.graph.graph, |u, a| {
                    out[a as usize] = self.f64_verdict(from, &to_piece, u, a, threshold);
                });
                out
            }
        }
    }

    /// The `f64` Dijkstra's verdict on arc `a` out of `u`.
    fn f64_verdict(
        &self,
        from: &OneToAll,
        to_piece: &OneToAll,
        u: u32,
        a: u32,
        threshold: f64,
    ) -> u32 {
        if self.t.blocked[a as usize] {
            return 0;
        }
        let v = self.t.sm.graph.graph.arc_head(a);
        u32::from(from.cost(u) + self.w[a as usize] + to_piece.cost(v) < threshold)
    }

    fn open_arcs_cch(&mut self, c: &mut ScaledExposure, piece: &[u32], threshold: f64) -> Vec<u32> {
        let t = self.t;
        let g = &t.sm.graph.graph;
        let cch = t.sm.graph.cch();
        let seeds: Vec<Seed> = piece.iter().map(|&v| Seed { node: v, cost: 0.0 }).collect();
        c.sweep.run(cch, &c.metric, &seeds, Direction::ToSeeds);
        let to_piece = c.sweep.units_by_node(cch);
        let limit = c.scale * threshold;
        let mut unsure = Vec::new();
        let mut out = vec![0; g.arc_count()];
        for_each_arc(g, |u, a| {
            if t.blocked[a as usize] {
                return;
            }
            let parts = [
                c.from_outside[u as usize],
                c.arc_units[a as usize],
                to_piece[g.arc_head(a) as usize],
            ];
            if parts.contains(&NO_UNITS) {
                return;
            }
            let through = parts.iter().map(|&x| x as f64).sum::<f64>();
            if through < limit - c.margin {
                out[a as usize] = 1;
            } else if through <= limit + c.margin {
                unsure.push((u, a));
            }
        });
        if !unsure.is_empty() {
            if self.from_outside.is_none() {
                self.from_outside = Some(self.f64_search(&self.seeds, false));
            }
            let back = self.f64_search(piece, true);
            let from = self.from_outside.as_ref().expect("just run");
            for &(u, a) in &unsure {
                out[a as usize] = self.f64_verdict(from, &back, u, a, threshold);
            }
            *self.stage.redecided_arcs.get_or_insert(0) += unsure.len();
        }
        out
    }
}
