//! The compact road graph of one travel profile, and the graph file's in-memory form.

use crate::geometry::haversine_m;
use crate::profile::{Profile, RoadClass};
use corridor_routing::{
    fits_units, metis_order, Cch, CchMetric, CchMetricWide, CchUpdater, Graph, Landmarks, Units,
    INVALID,
};
use serde::Serialize;
use std::sync::OnceLock;

/// Road edges (contracted chains of OSM way segments between intersections) as parallel arrays.
/// An edge is undirected geometry; the arcs of the routing graph say in which directions a
/// profile may travel it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Edges {
    pub from: Vec<u32>,
    pub to: Vec<u32>,
    /// Length along the real geometry, metres (haversine on the shape points).
    pub length_m: Vec<f64>,
    pub way_id: Vec<i64>,
    /// Index into [`ProfileGraph::names`], `u32::MAX` when the way has no name or ref.
    pub name: Vec<u32>,
    /// [`RoadClass`] as `u8`.
    pub class: Vec<u8>,
    /// `lanes=*` when tagged, else 0.
    pub lanes: Vec<u8>,
    /// `width=*` in decimetres when tagged, else 0.
    pub width_dm: Vec<u16>,
    /// Travel speed of this profile on the edge, km/h.
    pub speed_kmh: Vec<f32>,
    /// The edge's shape points are `shape[shape_first[e]..shape_first[e+1]]`, `[lon, lat]`,
    /// from `from` to `to`, end nodes included.
    pub shape_first: Vec<u32>,
    pub shape: Vec<[f64; 2]>,
}

impl Edges {
    pub fn len(&self) -> usize {
        self.from.len()
    }

    pub fn is_empty(&self) -> bool {
        self.from.is_empty()
    }
}

/// Where the graph came from. Every result carries this so that it can be reproduced.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GraphMeta {
    /// File name of the OSM extract the graph was imported from.
    pub source_file: String,
    /// SHA-256 of that file, hex.
    pub source_sha256: String,
    /// `[min_lon, min_lat, max_lon, max_lat]` of the graph's nodes.
    pub bbox: [f64; 4],
}

/// One profile's routable graph: CSR arcs over intersection nodes, plus edge attributes.
#[derive(Debug, Clone)]
pub struct ProfileGraph {
    pub profile: Profile,
    pub graph: Graph,
    /// `[lon, lat]` per node.
    pub node_coord: Vec<[f64; 2]>,
    pub node_osm_id: Vec<i64>,
    /// Per arc: `edge << 1 | reversed` (reversed = the arc runs from the edge's `to` to `from`).
    pub arc_edge: Vec<u32>,
    /// Per arc: travel time in seconds: the base weight of the `fastest` routes.
    pub arc_duration_s: Vec<f64>,
    pub edges: Edges,
    pub names: Vec<String>,
    /// Derived at load: the arc running along edge e forwards / backwards, or `INVALID`.
    pub edge_fwd_arc: Vec<u32>,
    pub edge_bwd_arc: Vec<u32>,
    /// Derived at load: weakly connected component per node, 0 = largest.
    pub component: Vec<u32>,
    /// Lower bounds for A* (built on `arc_duration_s` at import, stored in the graph file):
    /// valid for every scenario weight, since those only add cost to travel time.
    pub landmarks: Landmarks,
    /// The contraction order (`order[rank] = node`), stored in the graph file.
    cch_order: Vec<u32>,
    /// The metric-independent contraction hierarchy, contracted from `cch_order` on first use
    /// ([`ProfileGraph::cch`]): a command that never customizes never pays for it.
    cch: OnceLock<Cch>,
}

/// A weight vector together with its CCH customization, for many queries on the same costs.
/// At most one of `metric` and `wide` is set: `u32` units whenever they hold every finite
/// weight unclamped (the fast path), `u64` units otherwise.
pub struct CustomizedWeights {
    pub weight: Vec<f64>,
    /// The `u32` customization, or `None` when some finite weight does not fit `u32` units
    /// unclamped (at or above [`corridor_routing::MAX_FINITE_UNITS`], 24.8 days: e.g. `safest`
    /// costs of a million seconds per unit of exposure near an incident).
    pub metric: Option<CchMetric>,
    /// The `u64` customization of weights that do not fit `u32` (exact up to 2⁵³ ms, 285,000
    /// years); `None` when `metric` is set, or when even `u64` would clamp, in which case
    /// [`crate::Router::route_customized`] answers by A*.
    pub wide: Option<CchMetricWide>,
}

/// Whether every finite weight fits the CCH's `u32` units unclamped (see
/// [`CustomizedWeights::metric`]).
pub fn in_cch_range(weight: &[f64]) -> bool {
    fits_units::<u32>(weight)
}

/// A copy of `base` repaired for the changed arcs by partial customization.
fn repaired<W: Units>(cch: &Cch, base: &CchMetric<W>, changes: &[(u32, f64)]) -> CchMetric<W> {
    let mut m = base.clone();
    CchUpdater::new().update(cch, &mut m, changes);
    m
}

/// Whether the CCH can answer `weight` exactly in either width (`u32`, else `u64`).
pub fn in_wide_cch_range(weight: &[f64]) -> bool {
    fits_units::<u64>(weight)
}

impl CustomizedWeights {
    /// Whether the weights were customized in `u32` units (see [`CustomizedWeights::metric`]).
    pub fn in_range(&self) -> bool {
        self.metric.is_some()
    }

    /// Whether the CCH answers these weights (in either width).
    pub fn on_cch(&self) -> bool {
        self.metric.is_some() || self.wide.is_some()
    }
}

/// [`ProfileGraph::customize_from`] repairs a customization in place when at most one arc in
/// this many changed, and customizes afresh otherwise. A partial update of 500 arcs costs about
/// a fifth of a full customization on Malta's car graph (0.38 vs 1.74 ms, BENCHMARKS.md), and
/// its cost grows with the arcs changed; 1/16 of the arcs keeps it below a full customization.
pub const PARTIAL_UPDATE_SHARE: usize = 16;

/// Landmarks per profile: 16 is the usual sweet spot for ALT on road networks (Goldberg &
/// Harrelson); each query uses the 4 that bound it best.
pub const LANDMARK_COUNT: usize = 16;

impl ProfileGraph {
    /// Assembles a profile graph and derives the lookup arrays; checks that the arrays agree,
    /// since they may come from a file.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        profile: Profile,
        graph: Graph,
        node_coord: Vec<[f64; 2]>,
        node_osm_id: Vec<i64>,
        arc_edge: Vec<u32>,
        arc_duration_s: Vec<f64>,
        edges: Edges,
        names: Vec<String>,
        landmarks: Option<Landmarks>,
        cch: Option<Cch>,
    ) -> Result<ProfileGraph, String> {
        let n = graph.node_count();
        let m = edges.len();
        if node_coord.len() != n || node_osm_id.len() != n {
            return Err("node arrays differ in length".into());
        }
        if arc_edge.len() != graph.arc_count() || arc_duration_s.len() != graph.arc_count() {
            return Err("arc arrays differ in length".into());
        }
        let e = &edges;
        if [
            e.to.len(),
            e.length_m.len(),
            e.way_id.len(),
            e.name.len(),
            e.class.len(),
            e.lanes.len(),
            e.width_dm.len(),
            e.speed_kmh.len(),
        ]
        .iter()
        .any(|&l| l != m)
            || e.shape_first.len() != m + 1
        {
            return Err("edge arrays differ in length".into());
        }
        // Checked arithmetic: offsets near u32::MAX must not wrap into a valid-looking range.
        if e.shape_first.first() != Some(&0)
            || e.shape_first.last().map(|&l| l as usize) != Some(e.shape.len())
            || e.shape_first
                .windows(2)
                .any(|w| w[0].checked_add(2).is_none_or(|min| w[1] < min))
        {
            return Err("edge shapes are inconsistent".into());
        }
        if !node_coord.iter().chain(&e.shape).all(|&c| on_earth(c)) {
            return Err("a coordinate is not a finite longitude and latitude".into());
        }
        if e.from.iter().chain(&e.to).any(|&v| v as usize >= n)
            || e.class.iter().any(|&c| RoadClass::from_u8(c).is_none())
            || e.name
                .iter()
                .any(|&i| i != INVALID && i as usize >= names.len())
            || e.length_m.iter().any(|l| !(l.is_finite() && *l >= 0.0))
            || e.speed_kmh.iter().any(|s| !(s.is_finite() && *s > 0.0))
            || arc_duration_s.iter().any(|d| !(d.is_finite() && *d >= 0.0))
        {
            return Err("edge attributes are out of range".into());
        }
        // An edge's shape runs from its `from` node to its `to` node.
        if (0..m).any(|i| {
            let (first, last) = (e.shape_first[i] as usize, e.shape_first[i + 1] as usize - 1);
            e.shape[first] != node_coord[e.from[i] as usize]
                || e.shape[last] != node_coord[e.to[i] as usize]
        }) {
            return Err("an edge's shape does not join its end nodes".into());
        }
        let mut edge_fwd_arc = vec![INVALID; m];
        let mut edge_bwd_arc = vec![INVALID; m];
        let arcs = (0..n as u32).flat_map(|v| graph.out_arcs(v).map(move |a| (v, a as usize)));
        for (tail, a) in arcs {
            let code = arc_edge[a];
            let edge = (code >> 1) as usize;
            if edge >= m {
                return Err("an arc refers to a missing edge".into());
            }
            let head = graph.arc_head(a as u32);
            let (ef, et) = (e.from[edge], e.to[edge]);
            let ok = if code & 1 == 0 {
                (tail, head) == (ef, et)
            } else {
                (tail, head) == (et, ef)
            };
            if !ok {
                return Err("an arc does not run along its edge".into());
            }
            // The base weight is the edge's length at the edge's speed (f32 speed: 1e-7).
            let expected = e.length_m[edge] * 3.6 / e.speed_kmh[edge] as f64;
            if (arc_duration_s[a] - expected).abs() > 1e-5 * expected + 1e-9 {
                return Err(
                    "an arc's travel time does not match its edge's length and speed".into(),
                );
            }
            let slot = if code & 1 == 0 {
                &mut edge_fwd_arc[edge]
            } else {
                &mut edge_bwd_arc[edge]
            };
            if std::mem::replace(slot, a as u32) != INVALID {
                return Err("two arcs run the same way along one edge".into());
            }
        }
        if (0..m).any(|i| edge_fwd_arc[i] == INVALID && edge_bwd_arc[i] == INVALID) {
            return Err("an edge has no arc in either direction".into());
        }
        let component = corridor_routing::weakly_connected_components(&graph);
        let landmarks = match landmarks {
            Some(l) => {
                check_landmarks(&graph, &arc_duration_s, &l)?;
                l
            }
            None => {
                let main: Vec<u32> = (0..n as u32)
                    .filter(|&v| component[v as usize] == 0)
                    .collect();
                Landmarks::build(&graph, &arc_duration_s, &main, LANDMARK_COUNT)
            }
        };
        // A stored CCH (checked by the file reader) is used as it is: no contraction at load.
        // Without one, only the order is computed now; the contraction waits for `cch()`.
        let lazy = OnceLock::new();
        let order = match cch {
            Some(c) if c.node_count() == n => {
                let order = c.order().to_vec();
                let _ = lazy.set(c);
                order
            }
            Some(_) => return Err("the CCH does not rank every node".into()),
            None => metis_order(&graph),
        };
        Ok(ProfileGraph {
            profile,
            graph,
            node_coord,
            node_osm_id,
            arc_edge,
            arc_duration_s,
            edges,
            names,
            edge_fwd_arc,
            edge_bwd_arc,
            component,
            landmarks,
            cch_order: order,
            cch: lazy,
        })
    }

    pub fn node_count(&self) -> usize {
        self.graph.node_count()
    }

    /// The contraction hierarchy, contracted on first use (tens of milliseconds on a country's
    /// city-size graph) and kept for the life of the graph. A stored order whose hierarchy has
    /// more than [`CCH_EDGES_PER_ARC_CAP`] edges per arc is not used (a crafted file's order
    /// can make customization take minutes: a random order on Malta's car graph gives 6.1
    /// million edges instead of 131,000 and a 24 s customization); the graph is contracted on
    /// a freshly computed order instead, with a warning. Answers are exact either way.
    pub fn cch(&self) -> &Cch {
        self.cch.get_or_init(|| {
            let cch = Cch::new(&self.graph, self.cch_order.clone());
            let cap = CCH_EDGES_PER_ARC_CAP * self.graph.arc_count().max(self.node_count());
            if cch.edge_count() <= cap {
                return cch;
            }
            eprintln!(
                "corridor: {} graph: the stored contraction order gives {} hierarchy edges for {} \
                 arcs (limit {cap}); contracting on a freshly computed order instead",
                self.profile.name(),
                cch.edge_count(),
                self.graph.arc_count()
            );
            drop(cch);
            Cch::new(&self.graph, metis_order(&self.graph))
        })
    }

    /// The contraction order, node by rank.
    pub fn cch_order(&self) -> &[u32] {
        &self.cch_order
    }

    /// Puts a hierarchy built elsewhere in place of this one (an order from another tool, or a
    /// test writing a crafted file): it must rank every node. The graph file checks it again
    /// at load, so a hierarchy that does not fit the roads is refused there.
    pub fn replace_cch(&mut self, cch: Cch) -> Result<(), String> {
        if cch.node_count() != self.node_count() {
            return Err("the CCH does not rank every node".into());
        }
        self.cch_order = cch.order().to_vec();
        self.cch = OnceLock::from(cch);
        Ok(())
    }

    /// Customizes the contraction hierarchy for `weight` (per arc, `INFINITY` = unusable):
    /// in `u32` units when every finite weight fits them, else in `u64` units, else (a cost
    /// past 285,000 years) not at all (`metric` and `wide` both `None`).
    pub fn customize(&self, weight: Vec<f64>) -> CustomizedWeights {
        let metric = in_cch_range(&weight).then(|| self.cch().customize(&weight));
        let wide = (metric.is_none() && in_wide_cch_range(&weight))
            .then(|| self.cch().customize_wide(&weight));
        CustomizedWeights {
            weight,
            metric,
            wide,
        }
    }

    /// Customizes `weight` starting from `base`, the customization of a nearby weight vector
    /// (the same scenario before an incident was added): only the arcs whose weight differs are
    /// repaired by partial customization ([`CchUpdater`]) when they are at most
    /// 1/[`PARTIAL_UPDATE_SHARE`] of the arcs, else the whole hierarchy is customized. Either
    /// way the result equals `self.customize(weight)` (the updater is exact). Returns the
    /// customization and how many arcs changed.
    pub fn customize_from(
        &self,
        base: &CustomizedWeights,
        weight: Vec<f64>,
    ) -> (CustomizedWeights, usize) {
        assert_eq!(weight.len(), base.weight.len(), "one weight per arc");
        let changes: Vec<(u32, f64)> = weight
            .iter()
            .zip(&base.weight)
            .enumerate()
            .filter(|(_, (new, old))| new.to_bits() != old.to_bits())
            .map(|(a, (&new, _))| (a as u32, new))
            .collect();
        let n = changes.len();
        let partial = n <= self.arc_count() / PARTIAL_UPDATE_SHARE;
        // The same width as the base, or a full customization (which picks the width anew).
        let customized = match (&base.metric, &base.wide) {
            (Some(m), _) if partial && in_cch_range(&weight) => CustomizedWeights {
                metric: Some(repaired(self.cch(), m, &changes)),
                wide: None,
                weight,
            },
            (_, Some(m)) if partial && !in_cch_range(&weight) && in_wide_cch_range(&weight) => {
                CustomizedWeights {
                    metric: None,
                    wide: Some(repaired(self.cch(), m, &changes)),
                    weight,
                }
            }
            _ => self.customize(weight),
        };
        (customized, n)
    }

    pub fn edge_count(&self) -> usize {
        self.edges.len()
    }

    pub fn arc_count(&self) -> usize {
        self.graph.arc_count()
    }

    /// The shape points of edge `e`, `[lon, lat]`, from its `from` node to its `to` node.
    pub fn edge_shape(&self, e: u32) -> &[[f64; 2]] {
        let s = &self.edges.shape_first;
        &self.edges.shape[s[e as usize] as usize..s[e as usize + 1] as usize]
    }

    pub fn edge_name(&self, e: u32) -> Option<&str> {
        let i = self.edges.name[e as usize];
        (i != INVALID).then(|| self.names[i as usize].as_str())
    }

    pub fn edge_class(&self, e: u32) -> RoadClass {
        RoadClass::from_u8(self.edges.class[e as usize]).expect("validated at load")
    }

    /// Edge id and direction of an arc.
    #[inline]
    pub fn arc_edge(&self, a: u32) -> (u32, bool) {
        let code = self.arc_edge[a as usize];
        (code >> 1, code & 1 == 1)
    }

    /// The polyline of a chain of arcs, `[lon, lat]`, without repeated points.
    pub fn arcs_geometry(&self, arcs: &[u32]) -> Vec<[f64; 2]> {
        let mut out: Vec<[f64; 2]> = Vec::new();
        for &a in arcs {
            let (e, rev) = self.arc_edge(a);
            let shape = self.edge_shape(e);
            let mut push = |c: [f64; 2]| {
                if out.last() != Some(&c) {
                    out.push(c);
                }
            };
            if rev {
                shape.iter().rev().for_each(|&c| push(c));
            } else {
                shape.iter().for_each(|&c| push(c));
            }
        }
        out
    }

    /// Street names along a chain of arcs, each run named once; unnamed roads skipped.
    pub fn arcs_streets(&self, arcs: &[u32]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for &a in arcs {
            if let Some(n) = self.edge_name(self.arc_edge(a).0) {
                if out.last().map(String::as_str) != Some(n) {
                    out.push(n.to_string());
                }
            }
        }
        out
    }

    /// The part of edge `e`'s shape between `from_m` and `to_m` metres from its start
    /// (`from_m > to_m` walks it backwards), with interpolated end points.
    pub fn edge_subshape(&self, e: u32, from_m: f64, to_m: f64) -> Vec<[f64; 2]> {
        let shape = self.edge_shape(e);
        if from_m > to_m {
            let mut v = self.edge_subshape(e, to_m, from_m);
            v.reverse();
            return v;
        }
        let mut out = Vec::new();
        let mut acc = 0.0;
        for w in shape.windows(2) {
            let seg = haversine_m(w[0], w[1]);
            let (s0, s1) = (acc, acc + seg);
            let lerp = |x: f64| {
                let t = if seg > 0.0 {
                    ((x - s0) / seg).clamp(0.0, 1.0)
                } else {
                    0.0
                };
                [
                    w[0][0] + (w[1][0] - w[0][0]) * t,
                    w[0][1] + (w[1][1] - w[0][1]) * t,
                ]
            };
            if out.is_empty() && from_m <= s1 {
                out.push(lerp(from_m));
            }
            if !out.is_empty() {
                if to_m <= s1 {
                    out.push(lerp(to_m));
                    return out;
                }
                out.push(w[1]);
            }
            acc = s1;
        }
        if out.is_empty() {
            out.push(*shape.last().unwrap());
        }
        if out.len() == 1 {
            out.push(out[0]);
        }
        out
    }
}

/// Most contraction-hierarchy edges per graph arc a stored order may give: road graphs on a
/// nested-dissection order give 2–3 (Malta: 131,364 for 55,815 car arcs); a random order gives
/// over 100, and a hostile one up to n²/2.
pub const CCH_EDGES_PER_ARC_CAP: usize = 32;

/// Whether `[lon, lat]` is a finite point on the earth.
pub(crate) fn on_earth(c: [f64; 2]) -> bool {
    c[0].is_finite() && c[1].is_finite() && c[0].abs() <= 180.0 && c[1].abs() <= 90.0
}

/// Landmark distances are lower bounds only if they are consistent with every arc: for each
/// landmark L and arc u→v of weight w, `d(L,v) ≤ d(L,u) + w` and `d(u,L) ≤ w + d(v,L)`, and L
/// is at distance 0 from itself. Bounds from a damaged or crafted file (say every distance
/// × 1000) would make A* return a longer route as the shortest; these checks refuse them at
/// load (a linear pass over the arcs per landmark). The inequalities are checked *exactly*
/// (in `f64`, no slack): the import rounds every landmark distance down as it computes it, so
/// an honest file meets them exactly, and a relative slack would let a crafted file overstate
/// by just under it on every arc (with distances of 10⁹ s in a component no landmark reaches,
/// a 1e-6 slack is 1,000 s per arc: enough to hide the shortest route).
fn check_landmarks(graph: &Graph, weight: &[f64], l: &Landmarks) -> Result<(), String> {
    let k = l.nodes().len();
    if k > 4 * LANDMARK_COUNT {
        return Err(format!("{k} landmarks, more than {}", 4 * LANDMARK_COUNT));
    }
    let (from, to) = (l.from_costs(), l.to_costs());
    for (i, &lm) in l.nodes().iter().enumerate() {
        if from[lm as usize * k + i] != 0.0 || to[lm as usize * k + i] != 0.0 {
            return Err("a landmark is not at distance 0 from itself".into());
        }
    }
    let within = |x: f32, bound: f64| x as f64 <= bound;
    for u in 0..graph.node_count() as u32 {
        let (fu, tu) = (&from[u as usize * k..][..k], &to[u as usize * k..][..k]);
        for a in graph.out_arcs(u) {
            let v = graph.arc_head(a) as usize;
            let w = weight[a as usize];
            let (fv, tv) = (&from[v * k..][..k], &to[v * k..][..k]);
            for i in 0..k {
                if !within(fv[i], fu[i] as f64 + w) || !within(tu[i], w + tv[i] as f64) {
                    return Err("landmark distances contradict the arc weights".into());
                }
            }
        }
    }
    Ok(())
}

/// A road graph file in memory: both profiles and where they came from.
#[derive(Debug, Clone)]
pub struct RoadGraph {
    pub meta: GraphMeta,
    pub profiles: Vec<ProfileGraph>,
    /// Health facilities found in the map (the access analysis starts from them).
    pub facilities: Vec<Facility>,
}

/// A hospital, clinic or doctors' practice from OSM (`amenity=hospital|clinic|doctors` or any
/// `healthcare=*`), as a point or a building outline (then its vertices' mean).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Facility {
    /// `n` for a node, `w` for a way.
    pub osm_type: char,
    pub osm_id: i64,
    pub name: Option<String>,
    /// `hospital`, `clinic`, `doctors`, or the `healthcare` value.
    pub kind: String,
    /// The `beds` tag, when a whole number.
    pub beds: Option<u32>,
    /// `[lon, lat]`.
    pub coord: [f64; 2],
}

impl Facility {
    /// Reads the health facility a tag set describes, if any.
    pub fn from_tags<'a>(
        osm_type: char,
        osm_id: i64,
        tags: impl Iterator<Item = (&'a str, &'a str)>,
        coord: [f64; 2],
    ) -> Option<Facility> {
        let (mut amenity, mut healthcare, mut name, mut beds) = (None, None, None, None);
        for (k, v) in tags {
            match k {
                "amenity" => amenity = Some(v),
                "healthcare" => healthcare = Some(v),
                "name" => name = Some(v.to_string()),
                "beds" => beds = v.trim().parse::<u32>().ok(),
                _ => {}
            }
        }
        let kind = match (amenity, healthcare) {
            (Some(a @ ("hospital" | "clinic" | "doctors")), _) => a.to_string(),
            (_, Some(h)) if h != "no" => h.to_string(),
            _ => return None,
        };
        Some(Facility {
            osm_type,
            osm_id,
            name,
            kind,
            beds,
            coord,
        })
    }
}

impl RoadGraph {
    pub fn profile(&self, p: Profile) -> &ProfileGraph {
        &self.profiles[p.index()]
    }
}
