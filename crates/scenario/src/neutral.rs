//! The exact crossing rule for a traveller of no party: it may go from one party's ground into
//! the ground of a party hostile to it only at a declared crossing, also across unclaimed ground
//! between them. Whether an arc is allowed then depends on the last party's ground the traveller
//! held, so routes come from a search on nodes × that state
//! ([`corridor_routing::product_shortest_path`]): state 0 = no party's ground held yet (a start
//! on unclaimed ground), 1 + p = party p's ground held last. A node on a party's ground is only
//! ever reached in that party's state; only nodes on unclaimed ground take more than one, at
//! most parties + 1, and only those the search reaches get a label.
//!
//! The per-arc rule (`ground` module) stays for weights, isochrones and hierarchies: it is
//! conservative (on unclaimed ground it assumes the traveller came from any bordering party).

use crate::ground::{GroundCode, NOBODY};
use crate::model::Side;
use crate::onmap::{code, ScenarioMap};
use corridor_roads::route::{route_by_search, Engine, RoadRoute};
use corridor_roads::snap::Snap;
use corridor_routing::{product_shortest_path, Seed, StateSeed, INVALID};

/// A way to finish a search at a node: the partial arc into a snapped point (or none at a
/// node), its cost and the runs of the arc it walks.
struct Finish {
    cost: f64,
    arc: u32,
    runs: std::ops::Range<usize>,
}

impl ScenarioMap<'_> {
    /// Per arc: closed by a closure or an avoid area (no ground rule). The weights a state
    /// search for a traveller of no party runs on.
    pub fn closed_arcs(&self) -> Vec<bool> {
        (0..self.graph.arc_count() as u32)
            .map(|a| self.edge_closed(self.graph.arc_edge(a).0).is_some())
            .collect()
    }

    /// The state of a traveller of no party standing at `p` (`[lon, lat]`): 1 + p on party p's
    /// ground, 0 on nobody's.
    pub fn neutral_state_at(&self, p: [f64; 2]) -> u32 {
        u32::from(code(self.owner_at(p)))
    }

    /// The exact rule on one whole arc: the state after it, `None` when the arc is closed or
    /// enters ground hostile to the last party held away from an open crossing (declared
    /// crossings ignored unless `use_crossings`).
    pub fn neutral_step(&self, a: u32, state: u32, use_crossings: bool) -> Option<u32> {
        let (e, reversed) = self.graph.arc_edge(a);
        let runs = 0..self.ground.run_count(e);
        self.neutral_walk(e, reversed, runs, state, use_crossings)
    }

    fn neutral_walk(
        &self,
        e: u32,
        reversed: bool,
        runs: std::ops::Range<usize>,
        state: u32,
        use_crossings: bool,
    ) -> Option<u32> {
        if self.edge_closed(e).is_some() {
            return None;
        }
        let (last, entered) = self
            .ground
            .walk_neutral(e, reversed, runs, state as GroundCode);
        let opened = if entered != 0 && use_crossings {
            self.opened_for(e, Side::Neutral)
        } else {
            0
        };
        (entered & !opened == 0).then_some(u32::from(last))
    }

    /// The cheapest route for a traveller of no party under the exact rule, on `weight` (which
    /// must not itself block by ground: [`closed_arcs`](Self::closed_arcs) through
    /// `weights_from_arcs`). Each end snapped mid-road walks only its part of that road's
    /// grounds (from, or up to, the first run of the ground the point stands on).
    pub fn neutral_route(
        &self,
        weight: &[f64],
        from: &(impl AsRef<[Snap]> + ?Sized),
        to: &(impl AsRef<[Snap]> + ?Sized),
    ) -> Option<RoadRoute> {
        let g = self.graph;
        let (from, to) = (from.as_ref(), to.as_ref());
        let sources: Vec<StateSeed> = from
            .iter()
            .flat_map(|s| self.neutral_sources(weight, s))
            .collect();
        let mut finishes: Vec<Vec<(u32, Finish)>> = Vec::new();
        let mut finish_at: std::collections::HashMap<u32, usize> = Default::default();
        for t in to {
            for (node, f) in self.neutral_finishes(weight, t) {
                let k = *finish_at.entry(node).or_insert_with(|| {
                    finishes.push(Vec::new());
                    finishes.len() - 1
                });
                finishes[k].push((node, f));
            }
        }
        let target_cost = |v: u32, state: u32| {
            finish_at.get(&v).map_or(f64::INFINITY, |&k| {
                finishes[k]
                    .iter()
                    .filter(|(_, f)| self.finish_allowed(f, state))
                    .map(|(_, f)| f.cost)
                    .fold(f64::INFINITY, f64::min)
            })
        };
        let step = |a: u32, s: u32| self.neutral_step(a, s, true);
        route_by_search(
            g,
            weight,
            from,
            to,
            Engine::StateDijkstra,
            |_, _| product_shortest_path(&g.graph, weight, &sources, step, target_cost),
            |a, b, arc| self.neutral_direct_allowed(a, b, arc),
        )
    }

    /// Straight along one road from `a` to `b` (by `arc`): the grounds between the two points,
    /// from the first run of `a`'s ground to the last run of `b`'s, walked from `a`'s state.
    fn neutral_direct_allowed(&self, a: &Snap, b: &Snap, arc: u32) -> bool {
        if arc == INVALID {
            return true;
        }
        let (e, reversed) = self.graph.arc_edge(arc);
        let (here, there) = (
            self.neutral_state_at(a.point),
            self.neutral_state_at(b.point) as GroundCode,
        );
        let n = self.ground.run_count(e);
        let start = self
            .ground
            .run_of(e, reversed, here as GroundCode, false)
            .unwrap_or(0);
        let end = if there == NOBODY {
            n
        } else {
            self.ground
                .run_of(e, reversed, there, true)
                .map_or(n, |i| i + 1)
        };
        start >= end
            || self
                .neutral_walk(e, reversed, start..end, here, true)
                .is_some()
    }

    /// Search starts for a point: its node, or both ends of its road reached along the part of
    /// the road from the point, each in the state that part leaves the traveller in.
    fn neutral_sources(&self, weight: &[f64], s: &Snap) -> Vec<StateSeed> {
        let g = self.graph;
        let here = self.neutral_state_at(s.point);
        if let Some(v) = s.node(g) {
            return vec![StateSeed {
                seed: Seed { node: v, cost: 0.0 },
                state: here,
            }];
        }
        let e = s.edge as usize;
        let f = s.fraction(g);
        let mut out = Vec::new();
        for (arc, share, node, reversed) in [
            (g.edge_fwd_arc[e], 1.0 - f, g.edges.to[e], false),
            (g.edge_bwd_arc[e], f, g.edges.from[e], true),
        ] {
            if arc == INVALID || !weight[arc as usize].is_finite() {
                continue;
            }
            let n = self.ground.run_count(s.edge);
            let start = self
                .ground
                .run_of(s.edge, reversed, here as GroundCode, false)
                .unwrap_or(0);
            if let Some(state) = self.neutral_walk(s.edge, reversed, start..n, here, true) {
                out.push(StateSeed {
                    seed: Seed {
                        node,
                        cost: share * weight[arc as usize],
                    },
                    state,
                });
            }
        }
        out
    }

    /// Where a search may end for a point: its node, or either end of its road, then along
    /// the part of the road up to the point.
    fn neutral_finishes(&self, weight: &[f64], t: &Snap) -> Vec<(u32, Finish)> {
        let g = self.graph;
        if let Some(v) = t.node(g) {
            let finish = Finish {
                cost: 0.0,
                arc: INVALID,
                runs: 0..0,
            };
            return vec![(v, finish)];
        }
        let here = self.neutral_state_at(t.point) as GroundCode;
        let e = t.edge as usize;
        let f = t.fraction(g);
        let mut out = Vec::new();
        for (arc, share, node, reversed) in [
            (g.edge_fwd_arc[e], f, g.edges.from[e], false),
            (g.edge_bwd_arc[e], 1.0 - f, g.edges.to[e], true),
        ] {
            if arc == INVALID || !weight[arc as usize].is_finite() {
                continue;
            }
            let n = self.ground.run_count(t.edge);
            let end = if here == NOBODY {
                n
            } else {
                self.ground
                    .run_of(t.edge, reversed, here, true)
                    .map_or(n, |i| i + 1)
            };
            let finish = Finish {
                cost: if share <= 0.0 {
                    0.0
                } else {
                    share * weight[arc as usize]
                },
                arc,
                runs: 0..end,
            };
            out.push((node, finish));
        }
        out
    }

    fn finish_allowed(&self, f: &Finish, state: u32) -> bool {
        if f.arc == INVALID {
            return true;
        }
        let (e, reversed) = self.graph.arc_edge(f.arc);
        self.neutral_walk(e, reversed, f.runs.clone(), state, true)
            .is_some()
    }
}
