//! From snapped points to a route with geometry: seeds the search with the partial edges the
//! points lie on, runs the exact search on the given arc weights, and walks the result back into
//! metres, seconds, a polyline and street names.

use crate::graph::CustomizedWeights;
use crate::graph::ProfileGraph;
use crate::snap::Snap;
use corridor_routing::{AltSearch, BidirectionalDijkstra, CchQuery, Seed, INVALID};
use serde::Serialize;

/// One traversed piece of an edge: `edge`, walked from `from_m` to `to_m` metres along it
/// (`from_m > to_m` means against the edge's digitised direction).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EdgePiece {
    pub edge: u32,
    pub arc: u32,
    pub from_m: f64,
    pub to_m: f64,
}

/// A route between two snapped points.
#[derive(Debug, Clone)]
pub struct RoadRoute {
    /// The minimised cost (sum of the weights used, pro rata on partial edges).
    pub cost: f64,
    pub distance_m: f64,
    pub duration_s: f64,
    pub pieces: Vec<EdgePiece>,
    /// The search that answered (every engine is exact; this says which one ran).
    pub engine: Engine,
}

/// The exact search algorithms a route can come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    /// The customized contraction hierarchy: microseconds per query once a weight vector is
    /// customized (milliseconds), so it pays off from a few dozen queries on one vector.
    Cch,
    /// A* with landmarks: no preparation per weight vector, sub-millisecond on a city.
    Alt,
    /// Bidirectional Dijkstra: for weights below travel time, where landmark bounds fail.
    Dijkstra,
    /// Dijkstra on nodes × a state the traveller carries (for a traveller of no party: the last
    /// party's ground held), for rules no per-arc weight can express.
    #[serde(rename = "state_dijkstra")]
    StateDijkstra,
}

impl RoadRoute {
    /// The route's polyline, `[lon, lat]`, without repeated points.
    pub fn geometry(&self, g: &ProfileGraph) -> Vec<[f64; 2]> {
        let mut out: Vec<[f64; 2]> = Vec::new();
        for p in &self.pieces {
            for c in g.edge_subshape(p.edge, p.from_m, p.to_m) {
                if out.last() != Some(&c) {
                    out.push(c);
                }
            }
        }
        if out.len() == 1 {
            out.push(out[0]);
        }
        out
    }

    /// Street names in the order they are travelled, each run named once; unnamed roads skipped.
    pub fn streets(&self, g: &ProfileGraph) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for p in &self.pieces {
            if let Some(n) = g.edge_name(p.edge) {
                if out.last().map(String::as_str) != Some(n) {
                    out.push(n.to_string());
                }
            }
        }
        out
    }
}

/// The engine for one route on a weight vector nobody has customized yet (`corridor route
/// --engine auto`): the CCH when customizing it is expected to cost less than one A* query,
/// else A* with landmarks. Both costs are estimated from sizes the graph knows before any
/// search: a full customization does one relaxation per lower triangle of the hierarchy
/// (measured 3.3–9.9 ns each, median 6.5), and an A* query between random points costs
/// 11–23 ns per node of the graph (median 15), on Andorra, Liechtenstein, Helsinki and Malta,
/// both profiles (BENCHMARKS.md, "Engine choice"). Break-even is at about 2.3 lower triangles
/// per node before the CCH's own query and path unpacking are counted, so the rule is: the CCH
/// when the hierarchy has at most [`AUTO_CCH_MAX_TRIANGLES_PER_NODE`] lower triangles per node.
/// Every measured map has more (2.2 to 22 per node, and the smallest, Helsinki's car graph,
/// customizes in 15 µs against 10 µs for A*), so `auto` answers by A* on them: for one route,
/// customizing costs more than it saves. The CCH pays off from a few queries on one weight
/// vector (the server, which customizes once per scenario key).
pub fn auto_engine(g: &ProfileGraph) -> Engine {
    let triangles = g.cch().triangle_count() as f64;
    if triangles <= AUTO_CCH_MAX_TRIANGLES_PER_NODE * g.node_count() as f64 {
        Engine::Cch
    } else {
        Engine::Alt
    }
}

/// The break-even of [`auto_engine`]: nanoseconds an A* query between random points costs per
/// node of the graph, divided by nanoseconds a customization costs per lower triangle (both
/// measured in one run of `corridor bench`, BENCHMARKS.md "Engine choice"), rounded down for
/// the CCH query and path unpacking the estimate leaves out.
pub const AUTO_CCH_MAX_TRIANGLES_PER_NODE: f64 = 2.0;

/// What the caller knows about a weight vector, which decides the search algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightBound {
    /// Every arc costs at least its travel time (`fastest` and `balanced` costs, closures as
    /// `INFINITY`): the landmark bounds hold and A* (ALT) answers.
    AtLeastTravelTime,
    /// Anything non-negative (e.g. pure exposure for `safest`): bidirectional Dijkstra answers.
    Arbitrary,
}

/// Search state for one profile graph, reused between queries so that they do not allocate.
/// The CCH query state is made on first use, so that a process that never customizes never
/// contracts the hierarchy.
pub struct Router {
    alt: AltSearch,
    dijkstra: BidirectionalDijkstra,
    cch: Option<CchQuery>,
    /// The same for `u64` customizations ([`CustomizedWeights::wide`]).
    cch_wide: Option<CchQuery<u64>>,
}

impl Router {
    pub fn new(g: &ProfileGraph) -> Router {
        Router {
            alt: AltSearch::new(&g.graph),
            dijkstra: BidirectionalDijkstra::new(&g.graph),
            cch: None,
            cch_wide: None,
        }
    }

    /// The cheapest route under customized weights: an elimination-tree query on the
    /// contraction hierarchy (`u32` or `u64` units, whichever the weights were customized in),
    /// for when many routes share one weight vector; A* with landmarks (weights at least
    /// travel time) when the weights lie outside even the `u64` range and were not customized
    /// ([`CustomizedWeights::wide`]). `from` and `to` are a [`Snap`] or a
    /// [`crate::snap::Waypoint`] (all its candidates seed the search). The route's `engine`
    /// says which answered.
    pub fn route_customized(
        &mut self,
        g: &ProfileGraph,
        w: &CustomizedWeights,
        from: &(impl AsRef<[Snap]> + ?Sized),
        to: &(impl AsRef<[Snap]> + ?Sized),
    ) -> Option<RoadRoute> {
        let cch = g.cch();
        let Some(metric) = &w.metric else {
            let Some(wide) = &w.wide else {
                return self.route(g, &w.weight, WeightBound::AtLeastTravelTime, from, to);
            };
            let query = self.cch_wide.get_or_insert_with(|| CchQuery::new(cch));
            return route_with(
                g,
                &w.weight,
                from.as_ref(),
                to.as_ref(),
                Engine::Cch,
                |sources, targets| query.run(cch, wide, sources, targets),
            );
        };
        let query = self.cch.get_or_insert_with(|| CchQuery::new(cch));
        route_with(
            g,
            &w.weight,
            from.as_ref(),
            to.as_ref(),
            Engine::Cch,
            |sources, targets| query.run(cch, metric, sources, targets),
        )
    }

    /// [`Router::route_customized`], and when the CCH finds no path, A* to confirm it (a path
    /// costing over 49.7 days saturates `u32` units; A* then finds it if it exists).
    pub fn route_on(
        &mut self,
        g: &ProfileGraph,
        w: &CustomizedWeights,
        from: &(impl AsRef<[Snap]> + ?Sized),
        to: &(impl AsRef<[Snap]> + ?Sized),
    ) -> Option<RoadRoute> {
        if let Some(r) = self.route_customized(g, w, from, to) {
            return Some(r);
        }
        if w.on_cch() {
            return self.route(g, &w.weight, WeightBound::AtLeastTravelTime, from, to);
        }
        None
    }

    /// The cheapest route from `from` to `to` under `weight` (per arc, `INFINITY` = unusable);
    /// `None` when no route exists. Exact with either bound.
    pub fn route(
        &mut self,
        g: &ProfileGraph,
        weight: &[f64],
        bound: WeightBound,
        from: &(impl AsRef<[Snap]> + ?Sized),
        to: &(impl AsRef<[Snap]> + ?Sized),
    ) -> Option<RoadRoute> {
        let engine = match bound {
            WeightBound::AtLeastTravelTime => Engine::Alt,
            WeightBound::Arbitrary => Engine::Dijkstra,
        };
        route_with(
            g,
            weight,
            from.as_ref(),
            to.as_ref(),
            engine,
            |sources, targets| match bound {
                WeightBound::AtLeastTravelTime => {
                    self.alt
                        .run(&g.graph, weight, &g.landmarks, sources, targets)
                }
                WeightBound::Arbitrary => self.dijkstra.run(&g.graph, weight, sources, targets),
            },
        )
    }
}

/// How a search seed joins its snapped point: the point is the node itself, or lies on the
/// edge beyond the seed's node along the edge's digitised direction (`Forward`: a source
/// leaves towards `to`, a target is reached from `from`) or against it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Approach {
    AtNode,
    Forward,
    Backward,
}

/// A seed and the snapped candidate it stands for.
#[derive(Debug, Clone, Copy)]
struct TaggedSeed {
    seed: Seed,
    candidate: usize,
    approach: Approach,
}

fn arc_weight(weight: &[f64], a: u32) -> f64 {
    if a == INVALID {
        f64::INFINITY
    } else {
        weight[a as usize]
    }
}

/// The cost of `share` of an arc: nothing for no share, even on an arc that does not exist
/// (0 × ∞ would be NaN and silently drop the seed).
fn partial_cost(share: f64, w: f64) -> f64 {
    if share <= 0.0 {
        0.0
    } else {
        share * w
    }
}

/// Source seeds (`outbound`) or target seeds for every candidate of a snapped point.
fn seeds(g: &ProfileGraph, weight: &[f64], points: &[Snap], outbound: bool) -> Vec<TaggedSeed> {
    let mut out = Vec::new();
    for (candidate, s) in points.iter().enumerate() {
        let e = s.edge as usize;
        let mut push = |node: u32, cost: f64, approach: Approach| {
            if cost.is_finite() {
                out.push(TaggedSeed {
                    seed: Seed { node, cost },
                    candidate,
                    approach,
                });
            }
        };
        if let Some(v) = s.node(g) {
            push(v, 0.0, Approach::AtNode);
            continue;
        }
        let f = s.fraction(g);
        let (fwd, bwd) = (
            arc_weight(weight, g.edge_fwd_arc[e]),
            arc_weight(weight, g.edge_bwd_arc[e]),
        );
        if outbound {
            push(g.edges.to[e], partial_cost(1.0 - f, fwd), Approach::Forward);
            push(g.edges.from[e], partial_cost(f, bwd), Approach::Backward);
        } else {
            push(g.edges.from[e], partial_cost(f, fwd), Approach::Forward);
            push(
                g.edges.to[e],
                partial_cost(1.0 - f, bwd),
                Approach::Backward,
            );
        }
    }
    out
}

/// The search seeds of a snapped point (a [`Snap`] or every candidate of a
/// [`crate::snap::Waypoint`]) under `weight`: leaving it (`outbound`) or reaching it. For
/// one-to-all searches (isochrones, access) that must treat a point on a node as the node and
/// never seed at `0 × ∞`.
pub fn point_seeds(
    g: &ProfileGraph,
    weight: &[f64],
    point: &(impl AsRef<[Snap]> + ?Sized),
    outbound: bool,
) -> Vec<Seed> {
    seeds(g, weight, point.as_ref(), outbound)
        .into_iter()
        .map(|t| t.seed)
        .collect()
}

/// The seed a search result starts (or ends) at: the cheapest one on that node, which is the
/// one the search used.
fn seed_at(seeds: &[TaggedSeed], node: u32) -> Option<TaggedSeed> {
    seeds
        .iter()
        .filter(|s| s.seed.node == node)
        .min_by(|a, b| a.seed.cost.total_cmp(&b.seed.cost))
        .copied()
}

/// The partial edge between a snapped point and its seed's node, `None` at a node.
fn seed_piece(g: &ProfileGraph, s: &Snap, approach: Approach, outbound: bool) -> Option<EdgePiece> {
    let e = s.edge as usize;
    let len = g.edges.length_m[e];
    let (arc, end) = match approach {
        Approach::AtNode => return None,
        Approach::Forward => (g.edge_fwd_arc[e], if outbound { len } else { 0.0 }),
        Approach::Backward => (g.edge_bwd_arc[e], if outbound { 0.0 } else { len }),
    };
    let (from_m, to_m) = if outbound {
        (s.offset_m, end)
    } else {
        (end, s.offset_m)
    };
    Some(EdgePiece {
        edge: s.edge,
        arc,
        from_m,
        to_m,
    })
}

/// Where a candidate lies along its edge, as a share from the `from` node: exactly 0 or 1 for
/// a candidate that is a node.
fn position(g: &ProfileGraph, s: &Snap) -> f64 {
    match s.node(g) {
        Some(_) if s.offset_m <= g.edges.length_m[s.edge as usize] - s.offset_m => 0.0,
        Some(_) => 1.0,
        None => s.fraction(g),
    }
}

/// The cheapest way between two candidates on the same edge without leaving it.
fn along_one_edge(g: &ProfileGraph, weight: &[f64], a: &Snap, b: &Snap) -> Option<(f64, u32)> {
    let e = a.edge as usize;
    let (fa, fb) = (position(g, a), position(g, b));
    let (fwd, bwd) = (g.edge_fwd_arc[e], g.edge_bwd_arc[e]);
    let forward = (fa <= fb && arc_weight(weight, fwd).is_finite())
        .then(|| (partial_cost(fb - fa, arc_weight(weight, fwd)), fwd));
    let backward = (fa >= fb && arc_weight(weight, bwd).is_finite())
        .then(|| (partial_cost(fa - fb, arc_weight(weight, bwd)), bwd));
    match (forward, backward) {
        (Some(x), Some(y)) => Some(if y.0 < x.0 { y } else { x }),
        (x, y) => x.or(y),
    }
}

fn route_with(
    g: &ProfileGraph,
    weight: &[f64],
    from: &[Snap],
    to: &[Snap],
    engine: Engine,
    search: impl FnOnce(&[Seed], &[Seed]) -> Option<corridor_routing::Route>,
) -> Option<RoadRoute> {
    route_by_search(g, weight, from, to, engine, search, |_, _, _| true)
}

/// A route between snapped points by any exact `search` from source seeds to target seeds
/// (for searches other than the router's: the scenario's state search). `weight` prices the
/// partial edges at both ends and must be the weight the search minimises. `direct_allowed(a,
/// b, arc)` says whether going straight from candidate `a` to `b` along their shared edge by
/// `arc` is allowed (a rule the weights cannot express).
pub fn route_by_search(
    g: &ProfileGraph,
    weight: &[f64],
    from: &[Snap],
    to: &[Snap],
    engine: Engine,
    search: impl FnOnce(&[Seed], &[Seed]) -> Option<corridor_routing::Route>,
    direct_allowed: impl Fn(&Snap, &Snap, u32) -> bool,
) -> Option<RoadRoute> {
    let sources = seeds(g, weight, from, true);
    let targets = seeds(g, weight, to, false);
    let plain = |v: &[TaggedSeed]| v.iter().map(|t| t.seed).collect::<Vec<_>>();
    let found = if sources.is_empty() || targets.is_empty() {
        None
    } else {
        search(&plain(&sources), &plain(&targets))
    };
    // Both points on one edge: travelling straight along it may beat any detour.
    let mut direct: Option<(f64, EdgePiece)> = None;
    for a in from {
        for b in to.iter().filter(|b| b.edge == a.edge) {
            if let Some((cost, arc)) = along_one_edge(g, weight, a, b) {
                if !direct_allowed(a, b, arc) {
                    continue;
                }
                if direct.as_ref().is_none_or(|(c, _)| cost < *c) {
                    let len = g.edges.length_m[a.edge as usize];
                    let piece = EdgePiece {
                        edge: a.edge,
                        arc,
                        from_m: position(g, a) * len,
                        to_m: position(g, b) * len,
                    };
                    direct = Some((cost, piece));
                }
            }
        }
    }
    let (cost, mut pieces) = match (direct, found) {
        (Some((dc, piece)), gr) if gr.as_ref().is_none_or(|r| dc <= r.cost) => (dc, vec![piece]),
        (_, Some(r)) => {
            let first = seed_at(&sources, r.first_node)?;
            let last = seed_at(&targets, r.last_node)?;
            let mut pieces = Vec::new();
            pieces.extend(seed_piece(g, &from[first.candidate], first.approach, true));
            for &a in &r.arcs {
                let (e, rev) = g.arc_edge(a);
                let len = g.edges.length_m[e as usize];
                let (s, t) = if rev { (len, 0.0) } else { (0.0, len) };
                pieces.push(EdgePiece {
                    edge: e,
                    arc: a,
                    from_m: s,
                    to_m: t,
                });
            }
            pieces.extend(seed_piece(g, &to[last.candidate], last.approach, false));
            if pieces.is_empty() {
                // Both points are the same node: a route of no length at that node.
                let s = &from[first.candidate];
                let at = if g.edges.from[s.edge as usize] == r.first_node {
                    0.0
                } else {
                    g.edges.length_m[s.edge as usize]
                };
                pieces.push(EdgePiece {
                    edge: s.edge,
                    arc: INVALID,
                    from_m: at,
                    to_m: at,
                });
            }
            (r.cost, pieces)
        }
        _ => return None,
    };
    let mut distance_m = 0.0;
    let mut duration_s = 0.0;
    for p in &pieces {
        let len = g.edges.length_m[p.edge as usize];
        let part = (p.to_m - p.from_m).abs();
        distance_m += part;
        if len > 0.0 && p.arc != INVALID {
            duration_s += g.arc_duration_s[p.arc as usize] * part / len;
        }
    }
    if pieces.iter().any(|p| p.from_m != p.to_m) {
        pieces.retain(|p| p.from_m != p.to_m);
    } else {
        pieces.truncate(1);
    }
    Some(RoadRoute {
        cost,
        distance_m,
        duration_s,
        pieces,
        engine,
    })
}
