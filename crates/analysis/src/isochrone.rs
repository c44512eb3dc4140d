//! Isochrones as filled areas, the way Valhalla draws them: the time to every point of a grid
//! is the travel time on the road network to a reached road point plus an off-road walk from
//! there, and the isochrone for T is the contour of that time surface at T (marching squares,
//! the `contour` crate), with holes smaller than a city block filled.
//!
//! The time at a point `p` is `min over reached road points s of c(s) + max(0, d(p, s) − b) / v`
//! over the `s` with `d(p, s) ≤ max_off_road_m + b`, where `c(s)` is the network time to `s`
//! (graph nodes, and points every `cell` metres along every arc as far as time allows), `v`
//! the off-road walking speed and `b = cell · √2` a buffer of one cell diagonal. The buffer
//! makes every grid corner of the cell holding a reached road point lie inside, so every road
//! node reached within T lies inside the polygon for T; a point whose off-road budget is
//! short by more than `b + cell · √2` lies outside, unless inside a hole smaller than
//! `min_hole_m2`, which is filled.

use crate::engine::{resolve, same_weights, EngineChoice, NearestSearch};
use corridor_roads::geometry::LocalProjection;
use corridor_roads::route::point_seeds;
use corridor_roads::snap::Snap;
use corridor_roads::ProfileGraph;
use corridor_roads::{CustomizedWeights, Engine};
use corridor_routing::{LabelledSeed, Seed, INVALID};
use corridor_scenario::{Mode, ScenarioMap, Side};
use geo::orient::{Direction, Orient};
use geo::{Area, Coord, LineString, MultiPolygon, Polygon};
use serde::Serialize;

/// How isochrone areas are drawn, with documented defaults.
#[derive(Debug, Clone, Serialize)]
pub struct IsochroneParams {
    /// Walking speed off the road network, m/s: 1.0 m/s (3.6 km/h) is slower than the 5 km/h
    /// road walking speed, for yards, rubble and rough ground.
    pub off_road_speed_mps: f64,
    /// Farthest walk off the network from a reached road point, metres: 100 m covers the inside
    /// of a 200 m city block from its streets without spreading across fields and slopes.
    pub max_off_road_m: f64,
    /// Grid cell, metres (grown when the area would need more than [`MAX_CELLS`] cells).
    pub cell_m: f64,
    /// Holes smaller than this are filled, m²: one city block of 100 m × 100 m.
    pub min_hole_m2: f64,
    /// Which engine answers the search (`auto`: [`crate::engine::one_to_all_engine`]'s
    /// measured rule for one search).
    pub engine: EngineChoice,
}

/// At most this many grid cells: the cell grows on large areas (a 30-minute car isochrone
/// across Malta, 27 × 15 km, gets 20 m cells), which keeps time and memory bounded.
pub const MAX_CELLS: f64 = 1.0e6;

impl Default for IsochroneParams {
    fn default() -> Self {
        IsochroneParams {
            off_road_speed_mps: 1.0,
            max_off_road_m: 100.0,
            cell_m: 10.0,
            min_hole_m2: 10_000.0,
            engine: EngineChoice::Auto,
        }
    }
}

/// A reached road point in local metres and the network time to it, seconds.
type Reached = ([f64; 2], f64);

/// Graph nodes reached within `limit_s`, and points every `step` metres along every arc out of
/// a reached node as far as time allows.
fn reached_points(
    sm: &ScenarioMap,
    q: &NearestSearch,
    w: &[f64],
    limit_s: f64,
    step: f64,
) -> Vec<Reached> {
    let g = sm.graph;
    let proj = sm.projection();
    let mut out: Vec<Reached> = (0..g.node_count() as u32)
        .filter(|&v| q.cost(v) <= limit_s)
        .map(|v| (proj.project(g.node_coord[v as usize]), q.cost(v)))
        .collect();
    for a in 0..g.arc_count() as u32 {
        let (cu, wa) = (q.cost(g.graph.arc_tail(a)), w[a as usize]);
        if cu > limit_s || !wa.is_finite() {
            continue;
        }
        let (e, rev) = g.arc_edge(a);
        let mut shape: Vec<[f64; 2]> = g.edge_shape(e).iter().map(|p| proj.project(*p)).collect();
        if rev {
            shape.reverse();
        }
        along(&shape, step, |p, frac| {
            let c = cu + wa * frac;
            (c <= limit_s).then(|| out.push((p, c))).is_some()
        });
    }
    out
}

/// Points every `step` metres along the start's pieces (and their first point), with their
/// times, as far as `limit_s` allows.
fn piece_points(sm: &ScenarioMap, pieces: &[StartPiece], limit_s: f64, step: f64) -> Vec<Reached> {
    let proj = sm.projection();
    let mut out = Vec::new();
    for (shape, cost) in pieces {
        let line: Vec<[f64; 2]> = shape.iter().map(|p| proj.project(*p)).collect();
        let Some(&first) = line.first() else {
            continue;
        };
        out.push((first, 0.0));
        along(&line, step, |p, frac| {
            let c = cost * frac;
            (c <= limit_s).then(|| out.push((p, c))).is_some()
        });
    }
    out
}

/// Calls `visit(point, fraction of the line)` every `step` metres along `line` and at its end,
/// until `visit` returns false.
fn along(line: &[[f64; 2]], step: f64, mut visit: impl FnMut([f64; 2], f64) -> bool) {
    let seg = |w: &[[f64; 2]]| (w[1][0] - w[0][0]).hypot(w[1][1] - w[0][1]);
    let total: f64 = line.windows(2).map(seg).sum();
    if total <= 0.0 {
        return;
    }
    let (mut at, mut next) = (0.0, step);
    for w in line.windows(2) {
        let len = seg(w);
        while next <= at + len {
            let t = (next - at) / len;
            let p = [
                w[0][0] + (w[1][0] - w[0][0]) * t,
                w[0][1] + (w[1][1] - w[0][1]) * t,
            ];
            if !visit(p, next / total) {
                return;
            }
            next += step;
        }
        at += len;
    }
    visit(*line.last().expect("two points"), 1.0);
}

/// The off-road budget on a grid for one time limit (see the module doc): metres a traveller
/// still has at each grid point, `max over s of min(max_off_road_m, (T − c(s)) · v) + b −
/// d(p, s)`; the area is where it is at least 0. It falls by a metre per metre, so the
/// contour's linear interpolation between grid points puts the edge where the budget runs out.
struct BudgetGrid {
    origin: [f64; 2],
    cell: f64,
    nx: usize,
    ny: usize,
    /// Row-major metres; points beyond every reach hold `-1.5 · cell` (a grid neighbour of a
    /// point inside is never below `-cell`, so the contour's interpolation stays exact).
    budget: Vec<f64>,
}

/// Where the grid lies and how fine it is: over every reached point plus the farthest reach.
#[derive(Debug, Clone, Copy)]
struct GridFrame {
    origin: [f64; 2],
    cell: f64,
    nx: usize,
    ny: usize,
}

impl GridFrame {
    fn new(points: &[Reached], p: &IsochroneParams) -> GridFrame {
        let mut lo = [f64::MAX; 2];
        let mut hi = [f64::MIN; 2];
        for (q, _) in points {
            for d in 0..2 {
                lo[d] = lo[d].min(q[d]);
                hi[d] = hi[d].max(q[d]);
            }
        }
        let pad = 2.0 * p.max_off_road_m;
        let span = (hi[0] - lo[0] + pad) * (hi[1] - lo[1] + pad);
        let cell = p.cell_m.max((span / MAX_CELLS).sqrt());
        // Three cells of margin beyond the farthest reach keep every ring inside the grid.
        let margin = p.max_off_road_m + cell * std::f64::consts::SQRT_2 + 3.0 * cell;
        let origin = [lo[0] - margin, lo[1] - margin];
        GridFrame {
            origin,
            cell,
            nx: ((hi[0] + margin - origin[0]) / cell).ceil() as usize + 1,
            ny: ((hi[1] + margin - origin[1]) / cell).ceil() as usize + 1,
        }
    }
}

impl BudgetGrid {
    fn new(frame: GridFrame, points: &[Reached], limit_s: f64, p: &IsochroneParams) -> Self {
        let GridFrame {
            origin,
            cell,
            nx,
            ny,
        } = frame;
        let buffer = cell * std::f64::consts::SQRT_2;
        let floor = -1.5 * cell;
        let mut budget = vec![floor; nx * ny];
        for &(q, c) in points.iter().filter(|x| x.1 <= limit_s) {
            let reach = ((limit_s - c) * p.off_road_speed_mps).min(p.max_off_road_m) + buffer;
            let paint = reach - floor;
            let (gx, gy) = ((q[0] - origin[0]) / cell, (q[1] - origin[1]) / cell);
            let rows = (((gy - paint / cell).ceil().max(0.0)) as usize)
                ..=((gy + paint / cell).floor().min(ny as f64 - 1.0) as usize);
            for j in rows {
                let dy = origin[1] + j as f64 * cell - q[1];
                let half = (paint * paint - dy * dy).max(0.0).sqrt() / cell;
                let i0 = (gx - half).ceil().max(0.0) as usize;
                let i1 = (gx + half).floor().min(nx as f64 - 1.0);
                if i1 < 0.0 {
                    continue;
                }
                for i in i0..=i1 as usize {
                    let dx = origin[0] + i as f64 * cell - q[0];
                    let slot = &mut budget[j * nx + i];
                    // Improves only if d < reach − slot: compare squares, root only then.
                    let room = reach - *slot;
                    let d2 = dx * dx + dy * dy;
                    if room > 0.0 && d2 < room * room {
                        *slot = reach - d2.sqrt();
                    }
                }
            }
        }
        BudgetGrid {
            origin,
            cell,
            nx,
            ny,
            budget,
        }
    }

    /// The area where the budget is at least 0, in local metres.
    fn area(&self) -> MultiPolygon<f64> {
        // `contour` puts grid value (i, j) at (i + 0.5, j + 0.5) before scaling: shift the
        // origin back by half a cell.
        let builder = contour::ContourBuilder::new(self.nx, self.ny, true)
            .x_origin(self.origin[0] - 0.5 * self.cell)
            .y_origin(self.origin[1] - 0.5 * self.cell)
            .x_step(self.cell)
            .y_step(self.cell);
        builder
            .contours(&self.budget, &[0.0])
            .expect("grid dimensions match")
            .remove(0)
            .into_inner()
            .0
    }
}

/// Drops holes smaller than `min_m2` (areas in local metres).
fn fill_small_holes(mp: MultiPolygon<f64>, min_m2: f64) -> MultiPolygon<f64> {
    MultiPolygon(
        mp.0.into_iter()
            .map(|poly| {
                let (ext, holes) = poly.into_inner();
                let kept = holes
                    .into_iter()
                    .filter(|h| Polygon::new(h.clone(), vec![]).unsigned_area() >= min_m2)
                    .collect();
                Polygon::new(ext, kept)
            })
            .collect(),
    )
}

fn to_lon_lat(mp: &MultiPolygon<f64>, proj: &LocalProjection) -> MultiPolygon<f64> {
    let ring = |r: &LineString<f64>| {
        LineString(
            r.0.iter()
                .map(|c| {
                    let p = proj.unproject([c.x, c.y]);
                    Coord { x: p[0], y: p[1] }
                })
                .collect(),
        )
    };
    MultiPolygon(
        mp.0.iter()
            .map(|p| Polygon::new(ring(p.exterior()), p.interiors().iter().map(ring).collect()))
            .collect(),
    )
}

/// The area reachable from `seeds` within each of `minutes` for `side` (fastest, respecting the
/// scenario's passability), as `[lon, lat]` polygons: see the module doc for the rule.
pub fn isochrones(
    sm: &ScenarioMap,
    side: Side,
    seeds: &[Seed],
    minutes: &[f64],
    params: &IsochroneParams,
) -> Vec<(f64, MultiPolygon<f64>)> {
    let w = sm.weights(side, Mode::Fastest, 0.0);
    isochrones_with(sm, &w, seeds, &[], minutes, params, None).areas
}

/// Isochrone areas and the grid they were drawn on.
#[derive(Debug, Clone)]
pub struct IsochroneAreas {
    /// `(minutes, area)` per requested time, in the order given.
    pub areas: Vec<(f64, MultiPolygon<f64>)>,
    /// The grid cell actually used, metres: `cell_m`, or larger when the area would need more
    /// than [`MAX_CELLS`] cells — outputs must say so, the edges are that much coarser.
    pub grid_cell_m: f64,
    /// The engine that answered the search (both give the same costs).
    pub engine: Engine,
}

/// The area reachable from a snapped point (every candidate of a waypoint) within each of
/// `minutes`: the search starts at [`point_seeds`] (the project's one rule for a point's seeds:
/// a point on a node is that node at cost 0, a one-way edge is left only forwards, never
/// 0 × ∞), and the start's own edge is painted from the point in each direction open to the
/// traveller, so the start and the road ahead of it are inside even on a long one-way edge.
/// Snap `start` onto roads open under `side`'s weights, or the search starts nowhere.
pub fn isochrones_from_point(
    sm: &ScenarioMap,
    side: Side,
    start: &[Snap],
    minutes: &[f64],
    params: &IsochroneParams,
) -> IsochroneAreas {
    let w = sm.weights(side, Mode::Fastest, 0.0);
    let seeds = point_seeds(sm.graph, &w, start, true);
    let pieces = start_pieces(sm.graph, &w, start);
    isochrones_with(sm, &w, &seeds, &pieces, minutes, params, None)
}

/// [`isochrones_from_point`] with a customization the caller already holds (the server's, of
/// the fastest weights for `side`): used when it is of exactly the weights searched.
pub fn isochrones_from_point_customized(
    sm: &ScenarioMap,
    side: Side,
    start: &[Snap],
    minutes: &[f64],
    params: &IsochroneParams,
    customized: Option<&CustomizedWeights>,
) -> IsochroneAreas {
    let w = sm.weights(side, Mode::Fastest, 0.0);
    let seeds = point_seeds(sm.graph, &w, start, true);
    let pieces = start_pieces(sm.graph, &w, start);
    isochrones_with(sm, &w, &seeds, &pieces, minutes, params, customized)
}

/// A stretch of road reached from the start directly: `[lon, lat]` shape from the start point
/// on, and the travel time to its far end.
type StartPiece = (Vec<[f64; 2]>, f64);

/// The start's edge from the snapped point to each end the traveller may drive or walk to.
fn start_pieces(g: &ProfileGraph, w: &[f64], start: &[Snap]) -> Vec<StartPiece> {
    let arc_w = |a: u32| {
        if a == INVALID {
            f64::INFINITY
        } else {
            w[a as usize]
        }
    };
    let mut out = Vec::new();
    for s in start {
        let e = s.edge as usize;
        let len = g.edges.length_m[e];
        let f = s.fraction(g);
        let forward = (
            g.edge_subshape(s.edge, s.offset_m, len),
            (1.0 - f) * arc_w(g.edge_fwd_arc[e]),
        );
        let backward = (
            g.edge_subshape(s.edge, s.offset_m, 0.0),
            f * arc_w(g.edge_bwd_arc[e]),
        );
        out.extend([forward, backward].into_iter().filter(|p| p.1.is_finite()));
    }
    out
}

fn isochrones_with(
    sm: &ScenarioMap,
    w: &[f64],
    seeds: &[Seed],
    pieces: &[StartPiece],
    minutes: &[f64],
    params: &IsochroneParams,
    customized: Option<&CustomizedWeights>,
) -> IsochroneAreas {
    let g = sm.graph;
    let limit_s = minutes.iter().copied().fold(0.0, f64::max) * 60.0;
    let customized = customized
        .filter(|c| same_weights(&c.weight, w))
        .and_then(|c| c.metric.as_ref());
    let engine = resolve(params.engine, g, w, 1, customized.is_some(), true);
    let mut q = NearestSearch::new(g, w, engine, customized);
    let labelled: Vec<LabelledSeed> = seeds
        .iter()
        .map(|s| LabelledSeed {
            node: s.node,
            cost: s.cost,
            label: 0,
        })
        .collect();
    q.run(&labelled, false, limit_s);
    let mut points = reached_points(sm, &q, w, limit_s, params.cell_m);
    points.extend(piece_points(sm, pieces, limit_s, params.cell_m));
    if points.is_empty() {
        return IsochroneAreas {
            areas: minutes
                .iter()
                .map(|&m| (m, MultiPolygon(Vec::new())))
                .collect(),
            grid_cell_m: params.cell_m,
            engine,
        };
    }
    let frame = GridFrame::new(&points, params);
    let areas = minutes
        .iter()
        .map(|&m| {
            let grid = BudgetGrid::new(frame, &points, m * 60.0, params);
            let mut area = fill_small_holes(grid.area(), params.min_hole_m2);
            // GeoJSON's right-hand rule: exteriors counter-clockwise, holes clockwise.
            area = area.orient(Direction::Default);
            (m, to_lon_lat(&area, sm.projection()))
        })
        .collect();
    IsochroneAreas {
        areas,
        grid_cell_m: frame.cell,
        engine,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One reached point at the origin: the area is a disc of radius budget·v + buffer, drawn
    /// on the grid; its area is within a thin ring of π r², centred on the point.
    #[test]
    fn a_single_point_gives_a_disc() {
        let p = IsochroneParams::default();
        let pts = [([0.0, 0.0], 0.0)];
        let frame = GridFrame::new(&pts, &p);
        let buffer = frame.cell * std::f64::consts::SQRT_2;
        for (limit, r) in [(50.0, 50.0 + buffer), (1000.0, 100.0 + buffer)] {
            let mp = BudgetGrid::new(frame, &pts, limit, &p).area();
            assert_eq!(mp.0.len(), 1);
            let a = mp.unsigned_area();
            let disc = std::f64::consts::PI * r * r;
            assert!(
                (a - disc).abs() < 2.0 * std::f64::consts::PI * r * 0.1 * frame.cell,
                "{a} vs {disc}"
            );
            let c = geo::Centroid::centroid(&mp).unwrap();
            assert!(c.x().abs() < 0.5 && c.y().abs() < 0.5, "{c:?}");
        }
    }

    #[test]
    fn along_visits_every_step_and_the_end() {
        let mut seen = Vec::new();
        along(&[[0.0, 0.0], [25.0, 0.0], [25.0, 10.0]], 10.0, |p, f| {
            seen.push((p, f));
            true
        });
        let xs: Vec<[f64; 2]> = seen.iter().map(|s| s.0).collect();
        assert_eq!(
            xs,
            vec![[10.0, 0.0], [20.0, 0.0], [25.0, 5.0], [25.0, 10.0]]
        );
        assert!((seen[2].1 - 30.0 / 35.0).abs() < 1e-12);
    }
}
