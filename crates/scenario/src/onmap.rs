//! A scenario laid onto one profile graph: per-edge territory, closures, risk and front-line
//! exposure, computed once; then arc weights for any traveller and mode in one pass over arcs.

use crate::frontline::{front_lines, FrontLine};
use crate::ground::{ground_bit, EdgeGround, GroundCode, NOBODY};
use crate::model::{ClosureGeometry, PlacedPoint, Purpose, Scenario, Side};
use crate::placement::{resolve, way_edges_near, CLOSURE_RADIUS_M};
use crate::risk::{incident_kernel, incident_peak};
use crate::ScenarioError;
use corridor_roads::geometry::{closest_on_segment, haversine_m, LocalProjection};
use corridor_roads::route::RoadRoute;
use corridor_roads::{ProfileGraph, Snapper};
use geo::{Contains, Coord, Intersects, LineString, MultiPolygon, Point};
use rayon::prelude::*;
use rstar::primitives::{GeomWithData, Line as RLine};
use rstar::RTree;
use serde::Serialize;
use std::sync::Arc;

/// How a route weighs safety against time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Travel time only (still respecting passability).
    Fastest,
    /// Minimise exposure; among equally exposed routes, the fastest.
    Safest,
    /// Travel time + λ · exposure.
    Balanced,
}

/// The closure index of roads closed by a what-if rather than by a scenario closure.
pub const WHAT_IF: usize = usize::MAX;

/// Seconds one unit of exposure costs in `safest` mode: large enough that no saving of time
/// can buy any exposure on maps of city or country size, small enough to keep f64 precise.
const SAFEST_SECONDS_PER_UNIT: f64 = 1e6;
/// Length of the pieces edges are cut into for risk sampling (metres).
const SAMPLE_M: f64 = 25.0;

/// A risk sample: projected position, (edge, metres it stands for, ground code).
type Sample = GeomWithData<[f64; 2], (u32, f32, GroundCode)>;
type FrontSeg = GeomWithData<RLine<[f64; 2]>, ()>;

/// The scenario on one profile graph.
#[derive(Clone)]
pub struct ScenarioMap<'a> {
    pub scenario: &'a Scenario,
    pub graph: &'a ProfileGraph,
    proj: LocalProjection,
    /// Per edge: whose ground its shape runs over, in order (the crossing rule reads it).
    /// Shared (`Arc`) with the maps [`ScenarioMap::with_incidents`] derives: an incident
    /// changes none of it, and copying it per incident cost milliseconds on a country.
    pub(crate) ground: Arc<EdgeGround>,
    /// Per edge: the index of a closure that cuts it, if any.
    closed_by: Vec<Option<usize>>,
    /// Per edge: inside an `avoid` polygon.
    avoided: Vec<bool>,
    /// Per edge: incident risk per metre (averaged along the edge).
    pub incident_risk: Vec<f64>,
    /// Per edge: front-line risk per metre (averaged along the edge), from the distance to
    /// hostile ground (see [`front_distance_m`]).
    pub front_risk: Vec<f64>,
    /// Per edge: metres within the front-line band.
    pub front_m: Vec<f64>,
    /// Per corridor whose checkpoint stands on a road of this profile: the crossing it opens.
    pub checkpoints: Vec<Checkpoint>,
    pub front_lines: Vec<FrontLine>,
    /// The risk samples, as a tree and as a grid; shared like `ground`.
    samples: Arc<RTree<Sample>>,
    grid: Arc<SampleGrid>,
}

/// The risk samples bucketed in a uniform grid, row-major, as flat arrays: an incident visits
/// one contiguous slice per grid row of its disc, a tight loop with no tree to walk. This is
/// what makes recomputing risk for a whole new incident log cheap.
#[derive(Clone)]
struct SampleGrid {
    origin: [f64; 2],
    cell_m: f64,
    cols: usize,
    rows: usize,
    /// Samples of cell `c` are `cell_start[c]..cell_start[c + 1]`.
    cell_start: Vec<u32>,
    x: Vec<f32>,
    y: Vec<f32>,
    edge: Vec<u32>,
    len: Vec<f32>,
}

impl SampleGrid {
    const CELL_M: f64 = 100.0;

    fn new(samples: &[Sample]) -> SampleGrid {
        let (mut lo, mut hi) = ([f64::MAX; 2], [f64::MIN; 2]);
        for s in samples {
            let p = s.geom();
            for d in 0..2 {
                lo[d] = lo[d].min(p[d]);
                hi[d] = hi[d].max(p[d]);
            }
        }
        if samples.is_empty() {
            lo = [0.0; 2];
            hi = [0.0; 2];
        }
        let cell_m = Self::CELL_M;
        let cols = ((hi[0] - lo[0]) / cell_m).floor() as usize + 1;
        let rows = ((hi[1] - lo[1]) / cell_m).floor() as usize + 1;
        let cell_of = |p: &[f64; 2]| {
            let cx = ((p[0] - lo[0]) / cell_m) as usize;
            let cy = ((p[1] - lo[1]) / cell_m) as usize;
            cy.min(rows - 1) * cols + cx.min(cols - 1)
        };
        let mut cell_start = vec![0u32; rows * cols + 1];
        for s in samples {
            cell_start[cell_of(s.geom()) + 1] += 1;
        }
        for i in 0..rows * cols {
            cell_start[i + 1] += cell_start[i];
        }
        let mut fill = cell_start.clone();
        let n = samples.len();
        let (mut x, mut y, mut edge, mut len) =
            (vec![0f32; n], vec![0f32; n], vec![0u32; n], vec![0f32; n]);
        for s in samples {
            let c = cell_of(s.geom());
            let i = fill[c] as usize;
            fill[c] += 1;
            x[i] = (s.geom()[0] - lo[0]) as f32;
            y[i] = (s.geom()[1] - lo[1]) as f32;
            edge[i] = s.data.0;
            len[i] = s.data.1;
        }
        SampleGrid {
            origin: lo,
            cell_m,
            cols,
            rows,
            cell_start,
            x,
            y,
            edge,
            len,
        }
    }

    /// Adds `peak · K(d / radius) · sample length` to `acc[edge]` for every sample within
    /// `radius` of `q` (projected metres).
    #[inline]
    fn accumulate(&self, q: [f64; 2], radius: f64, peak: f64, acc: &mut [f64]) {
        let (qx, qy) = (q[0] - self.origin[0], q[1] - self.origin[1]);
        let cell = |v: f64, n: usize| ((v / self.cell_m).floor().max(0.0) as usize).min(n - 1);
        if qx + radius < 0.0 || qy + radius < 0.0 {
            return;
        }
        let (cy0, cy1) = (cell(qy - radius, self.rows), cell(qy + radius, self.rows));
        let (cx0, cx1) = (cell(qx - radius, self.cols), cell(qx + radius, self.cols));
        let (fx, fy) = (qx as f32, qy as f32);
        let r2 = (radius * radius) as f32;
        let inv_r2 = 1.0 / r2;
        let peak = peak as f32;
        for cy in cy0..=cy1 {
            let row = cy * self.cols;
            let a = self.cell_start[row + cx0] as usize;
            let b = self.cell_start[row + cx1 + 1] as usize;
            for i in a..b {
                let dx = self.x[i] - fx;
                let dy = self.y[i] - fy;
                let d2 = dx * dx + dy * dy;
                if d2 < r2 {
                    let v = 1.0 - d2 * inv_r2;
                    acc[self.edge[i] as usize] += (peak * v * v * self.len[i]) as f64;
                }
            }
        }
    }
}

/// A declared crossing on one profile's road network: the checkpoint stands on one OSM way
/// (resolved across profiles), and opens the crossing of that way — its edges within
/// `checkpoint_radius_m` of the checkpoint along which the ground changes.
#[derive(Debug, Clone)]
pub struct Checkpoint {
    pub corridor: usize,
    /// The OSM way the checkpoint stands on.
    pub way_id: i64,
    /// The checkpoint on that way `[lon, lat]`, and its distance from the declared point.
    pub point: [f64; 2],
    pub snap_m: f64,
    /// The crossing edges it opens (sorted): edges of its way within `checkpoint_radius_m`
    /// whose ground changes along them. Empty: it opens nothing on this profile.
    pub edges: Vec<u32>,
    /// Open on `as_of` for this profile (its corridor's `modes`, `since`, `until`).
    pub in_force: bool,
}

/// An incident a route passes near.
#[derive(Debug, Clone, Serialize)]
pub struct PassedIncident {
    pub id: String,
    pub event_type: String,
    pub sub_event_type: String,
    pub date: chrono::NaiveDate,
    pub fatalities: u32,
    pub distance_m: f64,
}

/// The stretch of a route with the highest risk per metre.
#[derive(Debug, Clone, Serialize)]
pub struct RiskiestSegment {
    pub osm_way_id: i64,
    pub name: Option<String>,
    pub risk_per_metre: f64,
    pub length_m: f64,
    /// `[lon, lat]` of the stretch's midpoint.
    pub at: [f64; 2],
}

/// Why a route is as dangerous as it is.
#[derive(Debug, Clone, Serialize)]
pub struct Exposure {
    /// Total risk exposure: Σ risk per metre × metres.
    pub risk: f64,
    pub incident_risk: f64,
    pub front_risk: f64,
    /// Metres within the front-line band.
    pub front_line_m: f64,
    /// Incidents within `radius` metres of the route, nearest first.
    pub incidents_within_250m: Vec<PassedIncident>,
    pub riskiest_segment: Option<RiskiestSegment>,
}

pub(crate) fn code(owner: Option<usize>) -> GroundCode {
    owner.map_or(NOBODY, |p| 1 + p as GroundCode)
}

/// Distance (metres) from a point to the front for front-line risk: over every pair of hostile
/// parties (a, b) with ground, the larger of its distances to a's and to b's ground, at the
/// smallest. On a's ground that is the distance to hostile ground; in a strip of nobody's ground
/// between them it is at most half the strip's width — a gap between polygons never makes a
/// road safe. `dist[p]` is the distance to party p's ground (`None`: p holds no ground).
pub fn front_distance_m(s: &Scenario, dist: &[Option<f64>]) -> f64 {
    let mut best = f64::INFINITY;
    for a in 0..dist.len() {
        for b in a + 1..dist.len() {
            if let (Some(da), Some(db)) = (dist[a], dist[b]) {
                if s.hostile(a, b) {
                    best = best.min(da.max(db));
                }
            }
        }
    }
    best
}

impl<'a> ScenarioMap<'a> {
    /// Lays the scenario onto `graph`: samples every edge for ground and risk, closes roads,
    /// marks avoided roads, places checkpoints on their crossings and computes front-line and
    /// incident risk. Declared points resolve to OSM ways through `scenario.placement` (see
    /// [`crate::place`]); a scenario not placed on its map resolves them on this profile alone.
    /// Whether every closure and checkpoint found a road on *some* profile is checked across
    /// profiles by [`check_on_map`].
    pub fn new(
        scenario: &'a Scenario,
        graph: &'a ProfileGraph,
        bbox: [f64; 4],
        snapper: &Snapper,
    ) -> Result<ScenarioMap<'a>, ScenarioError> {
        let proj = LocalProjection::for_bbox(bbox);
        let placement = if scenario.placement.checkpoints.len() == scenario.corridors.len()
            && scenario.placement.closures.len() == scenario.closures.len()
        {
            scenario.placement.clone()
        } else {
            resolve(scenario, &[(graph, snapper)])
        };
        let (samples, ground) = sample_edges(scenario, graph, &proj);
        let grid = SampleGrid::new(&samples);
        let samples = RTree::bulk_load(samples);
        let closed_by = close_roads(scenario, graph, &proj, &placement.closures);
        let avoided = avoided_edges(scenario, graph);
        let front_lines = front_lines(scenario, &proj);
        let m = graph.edge_count();
        let mut sm = ScenarioMap {
            scenario,
            graph,
            proj,
            ground: Arc::new(ground),
            closed_by,
            avoided,
            incident_risk: vec![0.0; m],
            front_risk: vec![0.0; m],
            front_m: vec![0.0; m],
            checkpoints: Vec::new(),
            front_lines,
            samples: Arc::new(samples),
            grid: Arc::new(grid),
        };
        sm.checkpoints = sm.place_checkpoints(&placement.checkpoints);
        sm.compute_front();
        sm.incident_risk = sm.incident_risk_for(&scenario.incidents);
        Ok(sm)
    }

    /// Each corridor whose checkpoint's way exists on this profile: the crossing edges of that
    /// way near the checkpoint.
    fn place_checkpoints(&self, ways: &[Option<PlacedPoint>]) -> Vec<Checkpoint> {
        let s = self.scenario;
        let g = self.graph;
        let radius = s.risk.checkpoint_radius_m;
        let mut out = Vec::new();
        for (k, c) in s.corridors.iter().enumerate() {
            let Some(placed) = ways.get(k).copied().flatten() else {
                continue;
            };
            let on_way = way_edges_near(g, &self.proj, placed.osm_way_id, c.checkpoint);
            let Some(&(nearest, _)) = on_way.iter().min_by(|x, y| x.1.total_cmp(&y.1)) else {
                // The way is not on this profile's network (a footpath for cars).
                continue;
            };
            let mut edges: Vec<u32> = on_way
                .iter()
                .filter(|&&(e, d)| d <= radius && self.ground.changes(e))
                .map(|&(e, _)| e)
                .collect();
            edges.sort_unstable();
            let point = nearest_point_on(g, &self.proj, nearest, c.checkpoint);
            out.push(Checkpoint {
                corridor: k,
                way_id: placed.osm_way_id,
                point,
                snap_m: haversine_m(point, c.checkpoint),
                edges,
                in_force: c.opens.in_force(g.profile, s.as_of),
            });
        }
        out
    }

    /// Front-line risk and metres in the band for every edge, from each sample's distance to
    /// hostile ground ([`front_distance_m`]).
    fn compute_front(&mut self) {
        let s = self.scenario;
        let band = s.risk.front_band_m;
        let weight = s.risk.front_weight;
        let boundaries = party_boundaries(s, &self.proj);
        if boundaries.iter().filter(|b| b.is_some()).count() < 2 {
            return;
        }
        let m = self.graph.edge_count();
        let mut risk = vec![0.0; m];
        let mut within = vec![0.0; m];
        let mut dist = vec![None; boundaries.len()];
        for smp in self.samples.iter() {
            let (e, len, code) = smp.data;
            for (p, tree) in boundaries.iter().enumerate() {
                dist[p] = tree.as_ref().map(|t| {
                    if code as usize == p + 1 {
                        0.0
                    } else {
                        t.nearest_neighbor_iter_with_distance_2(smp.geom())
                            .next()
                            .map_or(f64::INFINITY, |(_, d2)| d2.sqrt())
                    }
                });
            }
            let d = front_distance_m(s, &dist);
            if d <= band {
                within[e as usize] += len as f64;
                risk[e as usize] += weight * incident_kernel(d, band) * len as f64;
            }
        }
        for (e, r) in risk.iter_mut().enumerate() {
            let l = self.graph.edges.length_m[e];
            *r = if l > 0.0 { *r / l } else { 0.0 };
        }
        self.front_risk = risk;
        self.front_m = within;
    }

    /// Incident risk per metre for every edge, from scratch, for a set of incidents: what a new
    /// incident log costs to apply (see `corridor bench-scenario`).
    pub fn incident_risk_for(&self, incidents: &[crate::Incident]) -> Vec<f64> {
        let m = self.graph.edge_count();
        let as_of = self.scenario.as_of;
        let half_life = self.scenario.risk.half_life_days;
        let total = incidents
            .par_chunks(256)
            .fold(
                || vec![0.0f64; m],
                |mut acc, chunk| {
                    for inc in chunk {
                        let (peak, radius) = incident_peak(inc, as_of, half_life);
                        if peak <= 0.0 || radius <= 0.0 {
                            continue;
                        }
                        let q = self.proj.project(inc.point);
                        self.grid.accumulate(q, radius, peak, &mut acc);
                    }
                    acc
                },
            )
            .reduce(
                || vec![0.0f64; m],
                |mut a, b| {
                    for (x, y) in a.iter_mut().zip(b) {
                        *x += y;
                    }
                    a
                },
            );
        total
            .into_iter()
            .enumerate()
            .map(|(e, r)| {
                let l = self.graph.edges.length_m[e];
                if l > 0.0 {
                    r / l
                } else {
                    0.0
                }
            })
            .collect()
    }

    /// Total risk per metre of an edge.
    pub fn risk_per_metre(&self, e: u32) -> f64 {
        self.incident_risk[e as usize] + self.front_risk[e as usize]
    }

    /// Why edge `e` is closed to `side` in some direction, if it is.
    pub fn blocked(&self, e: u32, side: Side) -> Option<&'static str> {
        self.blocked_with(e, side, true)
    }

    /// As [`blocked`](Self::blocked); with `use_crossings == false` declared checkpoints open
    /// nothing (the siege analysis asks whether an enclave connects *without* the besieger's
    /// crossings). Edge level: an edge is blocked when either of its arcs is.
    pub fn blocked_with(&self, e: u32, side: Side, use_crossings: bool) -> Option<&'static str> {
        let g = self.graph;
        [g.edge_fwd_arc[e as usize], g.edge_bwd_arc[e as usize]]
            .into_iter()
            .filter(|&a| a != corridor_routing::INVALID)
            .find_map(|a| self.arc_blocked_with(a, side, use_crossings))
            .or_else(|| self.edge_closed(e))
    }

    /// Why arc `a` is closed to `side`, if it is (declared crossings open).
    pub fn arc_blocked(&self, a: u32, side: Side) -> Option<&'static str> {
        self.arc_blocked_with(a, side, true)
    }

    /// Why arc `a` is closed to `side`: a closure, an avoid area, or entering hostile ground
    /// away from an open declared crossing (see the `ground` module for the rule).
    pub fn arc_blocked_with(
        &self,
        a: u32,
        side: Side,
        use_crossings: bool,
    ) -> Option<&'static str> {
        let (e, _) = self.graph.arc_edge(a);
        if let Some(why) = self.edge_closed(e) {
            return Some(why);
        }
        (self.line_entries(a, side, use_crossings) != 0)
            .then_some("crosses a front line away from a declared crossing")
    }

    /// The parties (indices into `scenario.parties`) whose ground arc `a` enters against the
    /// rule for `side`, away from an open declared crossing — closures and avoid areas aside:
    /// where the front line alone stops `side` (empty where it lets `side` through). Names the
    /// holder of the ground that cuts people off (evacuation's stranded reasons).
    pub fn line_parties(&self, a: u32, side: Side) -> Vec<usize> {
        let entered = self.line_entries(a, side, true);
        (0..self.scenario.parties.len())
            .filter(|&p| entered & ground_bit(code(Some(p))) != 0)
            .collect()
    }

    /// The grounds (bits) arc `a` enters against the rule for `side`, less those a declared
    /// crossing opens (`use_crossings`).
    fn line_entries(&self, a: u32, side: Side, use_crossings: bool) -> u64 {
        let (e, reversed) = self.graph.arc_edge(a);
        let entered =
            self.ground
                .forbidden_entries(e, reversed, self.graph.graph.arc_tail(a), side.party());
        if entered == 0 {
            return 0;
        }
        let opened = if use_crossings {
            self.opened_for(e, side)
        } else {
            0
        };
        entered & !opened
    }

    /// Whether arc `a` enters ground hostile to `side`, whatever closures, avoid areas and
    /// crossings say: where the front line is, which a closure does not move.
    pub fn arc_enters_hostile(&self, a: u32, side: Side) -> bool {
        let (e, reversed) = self.graph.arc_edge(a);
        self.ground
            .forbidden_entries(e, reversed, self.graph.graph.arc_tail(a), side.party())
            != 0
    }

    pub(crate) fn edge_closed(&self, e: u32) -> Option<&'static str> {
        if self.closed_by[e as usize].is_some() {
            Some("closed")
        } else if self.avoided[e as usize] {
            Some("avoid area")
        } else {
            None
        }
    }

    /// The grounds (bits) into which checkpoints open edge `e` for `side`: checkpoints of the
    /// side's purpose in force on this profile and date, standing on `e`'s crossing, each for
    /// its declared direction.
    pub(crate) fn opened_for(&self, e: u32, side: Side) -> u64 {
        self.usable_checkpoints(side)
            .filter(|c| c.edges.binary_search(&e).is_ok())
            .fold(0, |m, c| {
                m | match self.scenario.corridors[c.corridor].opens.into {
                    Some(p) => ground_bit(code(Some(p))),
                    None => u64::MAX,
                }
            })
    }

    /// Per arc: closed to `side` (see [`arc_blocked_with`](Self::arc_blocked_with)).
    pub fn blocked_arcs(&self, side: Side, use_crossings: bool) -> Vec<bool> {
        (0..self.graph.arc_count() as u32)
            .map(|a| self.arc_blocked_with(a, side, use_crossings).is_some())
            .collect()
    }

    /// The ground set an edge touches (bit 0 = nobody's, bit 1 + p = party p's).
    pub fn ground_mask(&self, e: u32) -> u64 {
        self.ground.mask(e)
    }

    /// Arc weights for `side` in `mode` (`lambda` seconds per unit of exposure for
    /// `balanced`). Blocked arcs are `INFINITY`; every weight is at least the arc's travel time,
    /// so the landmark bounds of the graph stay valid.
    pub fn weights(&self, side: Side, mode: Mode, lambda: f64) -> Vec<f64> {
        self.weights_from_arcs(&self.blocked_arcs(side, true), mode, lambda)
    }

    /// Arc weights from a per-edge blocked flag (see [`weights`](Self::weights)).
    pub fn weights_from(&self, blocked: &[bool], mode: Mode, lambda: f64) -> Vec<f64> {
        let g = self.graph;
        let per_arc: Vec<bool> = (0..g.arc_count() as u32)
            .map(|a| blocked[g.arc_edge(a).0 as usize])
            .collect();
        self.weights_from_arcs(&per_arc, mode, lambda)
    }

    /// Arc weights from a per-arc blocked flag (see [`weights`](Self::weights)).
    pub fn weights_from_arcs(&self, blocked: &[bool], mode: Mode, lambda: f64) -> Vec<f64> {
        let g = self.graph;
        let per_unit = match mode {
            Mode::Fastest => 0.0,
            Mode::Safest => SAFEST_SECONDS_PER_UNIT,
            Mode::Balanced => lambda,
        };
        (0..g.arc_count())
            .map(|a| {
                let (e, _) = g.arc_edge(a as u32);
                if blocked[a] {
                    f64::INFINITY
                } else {
                    let exposure = self.risk_per_metre(e) * g.edges.length_m[e as usize];
                    g.arc_duration_s[a] + per_unit * exposure
                }
            })
            .collect()
    }

    /// The exposure of a route: totals, front-line metres, incidents passed, riskiest stretch.
    pub fn exposure(&self, route: &RoadRoute, incident_radius_m: f64) -> Exposure {
        let g = self.graph;
        let (mut inc, mut front, mut front_m) = (0.0, 0.0, 0.0);
        let mut riskiest: Option<RiskiestSegment> = None;
        for p in &route.pieces {
            let len = (p.to_m - p.from_m).abs();
            let e = p.edge as usize;
            inc += self.incident_risk[e] * len;
            front += self.front_risk[e] * len;
            let full = g.edges.length_m[e];
            if full > 0.0 {
                front_m += self.front_m[e] * len / full;
            }
            let r = self.risk_per_metre(p.edge);
            if len > 0.0 && r > 0.0 && riskiest.as_ref().is_none_or(|x| r > x.risk_per_metre) {
                let mid = g.edge_subshape(p.edge, p.from_m, p.to_m);
                let at = mid[mid.len() / 2];
                riskiest = Some(RiskiestSegment {
                    osm_way_id: g.edges.way_id[e],
                    name: g.edge_name(p.edge).map(str::to_string),
                    risk_per_metre: r,
                    length_m: len,
                    at,
                });
            }
        }
        let line: Vec<[f64; 2]> = route
            .geometry(g)
            .iter()
            .map(|p| self.proj.project(*p))
            .collect();
        let mut passed: Vec<PassedIncident> = self
            .scenario
            .incidents
            .iter()
            .filter_map(|i| {
                let q = self.proj.project(i.point);
                let d = line
                    .windows(2)
                    .map(|w| {
                        let (c, _) = closest_on_segment(q, w[0], w[1]);
                        (c[0] - q[0]).hypot(c[1] - q[1])
                    })
                    .fold(f64::INFINITY, f64::min);
                (d <= incident_radius_m).then(|| PassedIncident {
                    id: i.id.clone(),
                    event_type: i.event_type.clone(),
                    sub_event_type: i.sub_event_type.clone(),
                    date: i.date,
                    fatalities: i.fatalities,
                    distance_m: (d * 10.0).round() / 10.0,
                })
            })
            .collect();
        passed.sort_by(|a, b| a.distance_m.total_cmp(&b.distance_m));
        Exposure {
            risk: inc + front,
            incident_risk: inc,
            front_risk: front,
            front_line_m: front_m,
            incidents_within_250m: passed,
            riskiest_segment: riskiest,
        }
    }

    /// Which party holds a point (`None`: nobody's ground).
    pub fn owner_at(&self, p: [f64; 2]) -> Option<usize> {
        let pt = Point::new(p[0], p[1]);
        self.scenario
            .territories
            .iter()
            .find(|t| t.area.contains(&pt))
            .map(|t| t.party)
    }

    /// Lays the checkpoints out for another day than `as_of` (a route departing then): each
    /// is in force when its corridor's modes and `since`/`until` allow that date.
    pub fn set_date(&mut self, date: chrono::NaiveDate) {
        let (s, profile) = (self.scenario, self.graph.profile);
        for c in &mut self.checkpoints {
            c.in_force = s.corridors[c.corridor].opens.in_force(profile, date);
        }
    }

    /// The checkpoints a side may cross at on this profile and date.
    pub fn usable_checkpoints(&self, side: Side) -> impl Iterator<Item = &Checkpoint> {
        self.checkpoints.iter().filter(move |c| {
            c.in_force && self.scenario.corridors[c.corridor].purpose == side.purpose()
        })
    }

    pub fn projection(&self) -> &LocalProjection {
        &self.proj
    }

    /// The closure (index into `scenario.closures`) that cuts edge `e`; [`WHAT_IF`] for a road
    /// closed by [`set_closed`](Self::set_closed).
    pub fn closure_of(&self, e: u32) -> Option<usize> {
        self.closed_by[e as usize]
    }

    /// Closes or reopens a road edge for a what-if analysis.
    pub fn set_closed(&mut self, e: u32, closed: bool) {
        self.closed_by[e as usize] = closed.then_some(WHAT_IF);
    }

    /// Risk exposure of travelling the whole edge: risk per metre × length.
    pub fn edge_exposure(&self, e: u32) -> f64 {
        self.risk_per_metre(e) * self.graph.edges.length_m[e as usize]
    }

    /// This scenario map for `scenario`, a version of this map's scenario that differs only in
    /// its incidents, on the same profile graph (`graph`, borrowed anew): ground, closures,
    /// checkpoints and front lines are kept, incident risk is recomputed from the samples. What
    /// a new incident log costs (milliseconds), instead of laying the scenario out again.
    pub fn with_incidents<'b>(
        &self,
        scenario: &'b Scenario,
        graph: &'b ProfileGraph,
    ) -> ScenarioMap<'b> {
        debug_assert_eq!(graph.edge_count(), self.graph.edge_count());
        let mut sm = ScenarioMap {
            scenario,
            graph,
            proj: self.proj,
            ground: self.ground.clone(),
            closed_by: self.closed_by.clone(),
            avoided: self.avoided.clone(),
            incident_risk: Vec::new(),
            front_risk: self.front_risk.clone(),
            front_m: self.front_m.clone(),
            checkpoints: self.checkpoints.clone(),
            front_lines: self.front_lines.clone(),
            samples: self.samples.clone(),
            grid: self.grid.clone(),
        };
        sm.incident_risk = sm.incident_risk_for(&scenario.incidents);
        sm
    }
}

/// Checks the scenario against its map across profiles (`maps`: the scenario on each profile):
/// every closure in force closes a road of at least one profile, and every corridor's checkpoint
/// stands on a road of some profile and opens a crossing there.
pub fn check_on_map(maps: &[&ScenarioMap]) -> Result<(), ScenarioError> {
    let Some(first) = maps.first() else {
        return Ok(());
    };
    let s = first.scenario;
    for (ci, c) in s.closures.iter().enumerate() {
        if !maps.iter().any(|m| m.closed_by.contains(&Some(ci))) {
            return Err(ScenarioError::at(
                &c.file,
                Some(format!("feature {}", c.feature)),
                format!(
                    "closure{} matches no road on the map (on foot or by car)",
                    c.name
                        .as_ref()
                        .map(|n| format!(" '{n}'"))
                        .unwrap_or_default(),
                ),
            ));
        }
    }
    for (k, c) in s.corridors.iter().enumerate() {
        let on: Vec<&Checkpoint> = maps
            .iter()
            .flat_map(|m| m.checkpoints.iter().filter(|x| x.corridor == k))
            .collect();
        let err = |msg: String| {
            ScenarioError::at(
                &s.file,
                None,
                format!(
                    "corridor '{}': checkpoint {},{} {msg}",
                    c.name, c.checkpoint[1], c.checkpoint[0]
                ),
            )
        };
        let Some(cp) = on.first() else {
            return Err(err(format!(
                "is not on the road network (no road within {} m)",
                s.risk.checkpoint_radius_m
            )));
        };
        if on.iter().all(|x| x.edges.is_empty()) {
            return Err(err(format!(
                "opens no crossing: its road (OSM way {}, {:.0} m away) does not cross from one side's ground to another's within {} m of it",
                cp.way_id, cp.snap_m, s.risk.checkpoint_radius_m
            )));
        }
    }
    Ok(())
}

/// Former name of [`check_on_map`].
pub fn check_checkpoints(maps: &[&ScenarioMap]) -> Result<(), ScenarioError> {
    check_on_map(maps)
}

impl Purpose {
    pub fn name(self) -> &'static str {
        match self {
            Purpose::Civilian => "civilian",
            Purpose::Combatant => "combatant",
        }
    }
}

/// Samples every edge every ≤ 25 m: risk samples (with their ground) and each edge's sequence
/// of grounds from its `from` to its `to` node.
fn sample_edges(
    s: &Scenario,
    graph: &ProfileGraph,
    proj: &LocalProjection,
) -> (Vec<Sample>, EdgeGround) {
    // Territory bounding boxes make the point-in-polygon tests cheap.
    let terr: Vec<(usize, &MultiPolygon<f64>, geo::Rect<f64>)> = s
        .territories
        .iter()
        .filter_map(|t| geo::BoundingRect::bounding_rect(&t.area).map(|r| (t.party, &t.area, r)))
        .collect();
    let owner = |p: [f64; 2]| -> GroundCode {
        let pt = Point::new(p[0], p[1]);
        code(
            terr.iter()
                .find(|(_, area, r)| {
                    r.min().x <= p[0]
                        && p[0] <= r.max().x
                        && r.min().y <= p[1]
                        && p[1] <= r.max().y
                        && area.contains(&pt)
                })
                .map(|(party, _, _)| *party),
        )
    };
    let m = graph.edge_count();
    let mut samples = Vec::new();
    let mut sequences = Vec::with_capacity(m);
    for e in 0..m as u32 {
        let shape = graph.edge_shape(e);
        let mut seq = Vec::new();
        for w in shape.windows(2) {
            seq.push(owner(w[0]));
            let len = haversine_m(w[0], w[1]);
            let n = ((len / SAMPLE_M).ceil() as usize).max(1);
            for i in 0..n {
                let t = (i as f64 + 0.5) / n as f64;
                let p = [
                    w[0][0] + (w[1][0] - w[0][0]) * t,
                    w[0][1] + (w[1][1] - w[0][1]) * t,
                ];
                let c = owner(p);
                seq.push(c);
                samples.push(Sample::new(
                    proj.project(p),
                    (e, (len / n as f64) as f32, c),
                ));
            }
        }
        if let Some(last) = shape.last() {
            seq.push(owner(*last));
        }
        sequences.push(seq);
    }
    let ground = EdgeGround::new(
        s,
        graph.node_count(),
        |e| (graph.edges.from[e as usize], graph.edges.to[e as usize]),
        sequences,
    );
    (samples, ground)
}

/// Per edge, the closure (index into `s.closures`) that cuts it: by way id; a point closure at
/// the edge of its resolved way nearest the point; a line closure where the road runs along it.
fn close_roads(
    s: &Scenario,
    graph: &ProfileGraph,
    proj: &LocalProjection,
    point_ways: &[Option<PlacedPoint>],
) -> Vec<Option<usize>> {
    let m = graph.edge_count();
    let mut closed_by = vec![None; m];
    for (ci, c) in s.closures.iter().enumerate() {
        if !c.way_ids.is_empty() {
            for (slot, way) in closed_by.iter_mut().zip(&graph.edges.way_id) {
                if c.way_ids.contains(way) {
                    *slot = Some(ci);
                }
            }
        }
        match &c.geometry {
            Some(ClosureGeometry::Point(p)) => {
                let Some(placed) = point_ways.get(ci).copied().flatten() else {
                    continue;
                };
                let on_way = way_edges_near(graph, proj, placed.osm_way_id, [p.x(), p.y()]);
                let nearest = on_way.iter().map(|x| x.1).fold(f64::INFINITY, f64::min);
                for (e, d) in on_way {
                    // The way's edge at the point (two if the point is on a node between them).
                    if d <= nearest + 0.5 && d <= CLOSURE_RADIUS_M {
                        closed_by[e as usize] = Some(ci);
                    }
                }
            }
            Some(ClosureGeometry::Line(l)) => {
                // Edges whose shape points all lie within 30 m of the line.
                let line: Vec<[f64; 2]> = l.0.iter().map(|c| proj.project([c.x, c.y])).collect();
                let near = |q: [f64; 2]| {
                    line.windows(2).any(|w| {
                        let (c, _) = closest_on_segment(q, w[0], w[1]);
                        (c[0] - q[0]).hypot(c[1] - q[1]) <= 30.0
                    })
                };
                for (e, slot) in closed_by.iter_mut().enumerate() {
                    if graph
                        .edge_shape(e as u32)
                        .iter()
                        .all(|p| near(proj.project(*p)))
                    {
                        *slot = Some(ci);
                    }
                }
            }
            None => {}
        }
    }
    closed_by
}

/// Per edge: inside an `avoid` polygon.
fn avoided_edges(s: &Scenario, graph: &ProfileGraph) -> Vec<bool> {
    let mut avoided = vec![false; graph.edge_count()];
    for area in &s.avoid {
        for (e, flag) in avoided.iter_mut().enumerate() {
            let line = LineString(
                graph
                    .edge_shape(e as u32)
                    .iter()
                    .map(|p| Coord { x: p[0], y: p[1] })
                    .collect(),
            );
            if area.intersects(&line) {
                *flag = true;
            }
        }
    }
    avoided
}

/// Per party: an R-tree over its ground's boundary segments (projected), `None` if it holds
/// no ground.
fn party_boundaries(s: &Scenario, proj: &LocalProjection) -> Vec<Option<RTree<FrontSeg>>> {
    (0..s.parties.len())
        .map(|p| {
            let segs: Vec<FrontSeg> = s
                .territories
                .iter()
                .filter(|t| t.party == p)
                .flat_map(|t| t.area.0.iter())
                .flat_map(|poly| std::iter::once(poly.exterior()).chain(poly.interiors()))
                .flat_map(|ring| ring.lines())
                .map(|l| {
                    FrontSeg::new(
                        RLine::new(
                            proj.project([l.start.x, l.start.y]),
                            proj.project([l.end.x, l.end.y]),
                        ),
                        (),
                    )
                })
                .collect();
            (!segs.is_empty()).then(|| RTree::bulk_load(segs))
        })
        .collect()
}

/// The point of edge `e` nearest to `p`, `[lon, lat]`.
fn nearest_point_on(g: &ProfileGraph, proj: &LocalProjection, e: u32, p: [f64; 2]) -> [f64; 2] {
    let q = proj.project(p);
    g.edge_shape(e)
        .windows(2)
        .map(|w| closest_on_segment(q, proj.project(w[0]), proj.project(w[1])).0)
        .min_by(|a, b| {
            (a[0] - q[0])
                .hypot(a[1] - q[1])
                .total_cmp(&(b[0] - q[0]).hypot(b[1] - q[1]))
        })
        .map_or(p, |c| proj.unproject(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sample grid must add up exactly what a brute force over every sample adds up.
    #[test]
    fn grid_accumulation_matches_brute_force() {
        let pts: Vec<Sample> = (0..2000)
            .map(|i| {
                let f = i as f64;
                Sample::new(
                    [(f * 37.0) % 1500.0 - 200.0, (f * 91.0) % 1300.0],
                    (i % 50, 10.0 + (i % 7) as f32, 0),
                )
            })
            .collect();
        let grid = SampleGrid::new(&pts);
        for (q, r, peak) in [
            ([300.0, 400.0], 250.0, 1.5),
            ([-500.0, 0.0], 1000.0, 0.7),
            ([0.0, 0.0], 90.0, 2.0),
            ([5000.0, 5000.0], 100.0, 1.0),
        ] {
            let mut acc = vec![0.0; 50];
            grid.accumulate(q, r, peak, &mut acc);
            let mut expect = vec![0.0; 50];
            for s in &pts {
                let p = s.geom();
                let d = (p[0] - q[0]).hypot(p[1] - q[1]);
                expect[s.data.0 as usize] += peak * incident_kernel(d, r) * s.data.1 as f64;
            }
            for (a, b) in acc.iter().zip(&expect) {
                assert!((a - b).abs() <= 1e-4 * b.abs().max(1.0), "{a} vs {b}");
            }
        }
    }
}
