//! From snapped points to a route with geometry: seeds the search with the partial edges the
//! points lie on, runs the exact search on the given arc weights, and walks the result back into
//! metres, seconds, a polyline and street names.

use crate::graph::CustomizedWeights;
use crate::graph::ProfileGraph;
use crate::snap::Snap;
use corridor_routing::{AltSearch, BidirectionalDijkstra, CchQuery, Seed, INVALID};

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
pub struct Router {
    alt: AltSearch,
    dijkstra: BidirectionalDijkstra,
    cch: CchQuery,
}

impl Router {
    pub fn new(g: &ProfileGraph) -> Router {
        Router {
            alt: AltSearch::new(&g.graph),
            dijkstra: BidirectionalDijkstra::new(&g.graph),
            cch: CchQuery::new(&g.cch),
        }
    }

    /// The cheapest route under customized weights: an elimination-tree query on the
    /// contraction hierarchy, for when many routes share one weight vector.
    pub fn route_customized(
        &mut self,
        g: &ProfileGraph,
        w: &CustomizedWeights,
        from: &Snap,
        to: &Snap,
    ) -> Option<RoadRoute> {
        route_with(g, &w.weight, from, to, |sources, targets| {
            self.cch.run(&g.cch, &w.metric, sources, targets)
        })
    }

    /// The cheapest route from `from` to `to` under `weight` (per arc, `INFINITY` = unusable);
    /// `None` when no route exists. Exact with either bound.
    pub fn route(
        &mut self,
        g: &ProfileGraph,
        weight: &[f64],
        bound: WeightBound,
        from: &Snap,
        to: &Snap,
    ) -> Option<RoadRoute> {
        route_with(g, weight, from, to, |sources, targets| match bound {
            WeightBound::AtLeastTravelTime => {
                self.alt
                    .run(&g.graph, weight, &g.landmarks, sources, targets)
            }
            WeightBound::Arbitrary => self.dijkstra.run(&g.graph, weight, sources, targets),
        })
    }
}

fn route_with(
    g: &ProfileGraph,
    weight: &[f64],
    from: &Snap,
    to: &Snap,
    search: impl FnOnce(&[Seed], &[Seed]) -> Option<corridor_routing::Route>,
) -> Option<RoadRoute> {
    let (ff, tf) = (from.fraction(g), to.fraction(g));
    let (fa, ba) = (
        g.edge_fwd_arc[from.edge as usize],
        g.edge_bwd_arc[from.edge as usize],
    );
    let w = |a: u32| {
        if a == INVALID {
            f64::INFINITY
        } else {
            weight[a as usize]
        }
    };
    let sources = [
        Seed {
            node: g.edges.to[from.edge as usize],
            cost: (1.0 - ff) * w(fa),
        },
        Seed {
            node: g.edges.from[from.edge as usize],
            cost: ff * w(ba),
        },
    ];
    let (tfa, tba) = (
        g.edge_fwd_arc[to.edge as usize],
        g.edge_bwd_arc[to.edge as usize],
    );
    let targets = [
        Seed {
            node: g.edges.from[to.edge as usize],
            cost: tf * w(tfa),
        },
        Seed {
            node: g.edges.to[to.edge as usize],
            cost: (1.0 - tf) * w(tba),
        },
    ];
    let found = search(&sources, &targets);
    // Both points on one edge: travelling straight along it may beat any detour.
    let direct = if from.edge == to.edge {
        if ff <= tf && w(fa).is_finite() {
            Some(((tf - ff) * w(fa), fa))
        } else if ff >= tf && w(ba).is_finite() {
            Some(((ff - tf) * w(ba), ba))
        } else {
            None
        }
    } else {
        None
    };
    let via_graph = found.map(|r| (r.cost, r));
    let mut pieces = Vec::new();
    let cost = match (direct, via_graph) {
        (Some((dc, arc)), gr) if gr.as_ref().is_none_or(|(c, _)| dc <= *c) => {
            pieces.push(EdgePiece {
                edge: from.edge,
                arc,
                from_m: from.offset_m,
                to_m: to.offset_m,
            });
            dc
        }
        (_, Some((c, r))) => {
            let len = |e: u32| g.edges.length_m[e as usize];
            // First partial edge: from the snapped point to the node the path starts at.
            if r.first_node == g.edges.to[from.edge as usize]
                && sources[0].cost.is_finite()
                && (sources[1].node != r.first_node || sources[0].cost <= sources[1].cost)
            {
                pieces.push(EdgePiece {
                    edge: from.edge,
                    arc: fa,
                    from_m: from.offset_m,
                    to_m: len(from.edge),
                });
            } else {
                pieces.push(EdgePiece {
                    edge: from.edge,
                    arc: ba,
                    from_m: from.offset_m,
                    to_m: 0.0,
                });
            }
            for &a in &r.arcs {
                let (e, rev) = g.arc_edge(a);
                let (s, t) = if rev { (len(e), 0.0) } else { (0.0, len(e)) };
                pieces.push(EdgePiece {
                    edge: e,
                    arc: a,
                    from_m: s,
                    to_m: t,
                });
            }
            if r.last_node == g.edges.from[to.edge as usize]
                && targets[0].cost.is_finite()
                && (targets[1].node != r.last_node || targets[0].cost <= targets[1].cost)
            {
                pieces.push(EdgePiece {
                    edge: to.edge,
                    arc: tfa,
                    from_m: 0.0,
                    to_m: to.offset_m,
                });
            } else {
                pieces.push(EdgePiece {
                    edge: to.edge,
                    arc: tba,
                    from_m: len(to.edge),
                    to_m: to.offset_m,
                });
            }
            c
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
    })
}
