//! OSRM's response objects built from corridor routes: Route, RouteLeg, RouteStep with its
//! StepManeuver and Intersection, and Waypoint, with the fields OSRM documents.

use corridor_app::scenario::INCIDENT_REPORT_RADIUS_M;
use corridor_roads::route::{EdgePiece, RoadRoute};
use corridor_roads::{Profile, ProfileGraph, Snap};
use corridor_scenario::ScenarioMap;
use serde_json::{json, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Geometries {
    Polyline,
    Polyline6,
    GeoJson,
}

/// OSRM's `overview`: the route's whole geometry, the geometry simplified for display, or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overview {
    Full,
    /// Douglas–Peucker with [`SIMPLIFY_TOLERANCE_M`].
    Simplified,
    False,
}

/// Tolerance of `overview=simplified`, metres: no point of the full geometry lies farther than
/// this from the simplified line. OSRM simplifies for the zoom level the whole route fits;
/// 10 m is below what a street map shows at street zoom (about 1 pixel at zoom 14), so the
/// line still follows every street while dropping the points of straight and gently curved road.
pub const SIMPLIFY_TOLERANCE_M: f64 = 10.0;

/// OSRM's `annotations`: per-segment arrays in each leg's `annotation`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Annotations {
    pub distance: bool,
    pub duration: bool,
    pub speed: bool,
    pub nodes: bool,
}

impl Annotations {
    fn any(self) -> bool {
        self.distance || self.duration || self.speed || self.nodes
    }
}

pub struct RouteOptions {
    pub alternatives: usize,
    pub steps: bool,
    pub geometries: Geometries,
    pub overview: Overview,
    pub annotations: Annotations,
}

fn round(x: f64, digits: i32) -> f64 {
    let k = 10f64.powi(digits);
    (x * k).round() / k
}

/// A line in the requested encoding (`[lon, lat]` in, as GeoJSON has it; polylines encode
/// latitude first, as Google's algorithm and OSRM do).
pub fn geometry(coords: &[[f64; 2]], kind: Geometries) -> Value {
    let encode = |precision| {
        let line = coords.iter().map(|c| geo_types::Coord { x: c[0], y: c[1] });
        polyline::encode_coordinates(line, precision).unwrap_or_default()
    };
    match kind {
        Geometries::Polyline => json!(encode(5)),
        Geometries::Polyline6 => json!(encode(6)),
        Geometries::GeoJson => json!({
            "type": "LineString",
            "coordinates": coords.iter().map(|c| [round(c[0], 6), round(c[1], 6)]).collect::<Vec<_>>(),
        }),
    }
}

/// A Waypoint: the snapped location, its distance from the input, the street's name; `nodes`
/// (OSM ids of the segment's ends) for `/nearest`.
pub fn waypoint_json(g: &ProfileGraph, s: &Snap, with_nodes: bool) -> Value {
    let e = s.edge as usize;
    let mut w = json!({
        "hint": "",
        "distance": round(s.distance_m, 2),
        "name": g.edge_name(s.edge).unwrap_or(""),
        "location": [round(s.point[0], 6), round(s.point[1], 6)],
    });
    if with_nodes {
        w["nodes"] = json!([
            g.node_osm_id[g.edges.from[e] as usize],
            g.node_osm_id[g.edges.to[e] as usize]
        ]);
    }
    w
}

/// Seconds to travel a piece: the arc's travel time pro rata.
fn piece_duration(g: &ProfileGraph, p: &EdgePiece) -> f64 {
    let len = g.edges.length_m[p.edge as usize];
    let part = (p.to_m - p.from_m).abs();
    if len > 0.0 {
        g.arc_duration_s[p.arc as usize] * part / len
    } else {
        0.0
    }
}

fn travel_mode(g: &ProfileGraph) -> &'static str {
    match g.profile {
        Profile::Foot => "walking",
        Profile::Car => "driving",
    }
}

/// The Route object: OSRM's `distance`, `duration`, `weight`, `weight_name`, `geometry` and
/// `legs`, plus corridor's `mode`, `engine` (the exact search that answered: `cch`, in `u32`
/// or `u64` units, or `alt` for costs past even `u64`'s range, see `Router::route_on`) and (with a scenario)
/// `risk`.
pub fn route_json(
    g: &ProfileGraph,
    legs: &[RoadRoute],
    opts: &RouteOptions,
    scenario: Option<&ScenarioMap>,
    mode: &str,
) -> Value {
    let legs_json: Vec<Value> = legs
        .iter()
        .map(|l| leg_json(g, l, opts, scenario))
        .collect();
    let sum = |f: fn(&RoadRoute) -> f64| legs.iter().map(f).sum::<f64>();
    let mut r = json!({
        "distance": round(sum(|l| l.distance_m), 1),
        "duration": round(sum(|l| l.duration_s), 1),
        "weight": round(sum(|l| l.cost), 1),
        "weight_name": if scenario.is_some() { format!("corridor_{mode}") } else { "duration".into() },
        "legs": legs_json,
        "mode": mode,
        "engine": legs.first().map(|l| l.engine),
    });
    if opts.overview != Overview::False {
        let mut coords: Vec<[f64; 2]> = Vec::new();
        for l in legs {
            for c in l.geometry(g) {
                if coords.last() != Some(&c) {
                    coords.push(c);
                }
            }
        }
        if coords.len() == 1 {
            coords.push(coords[0]);
        }
        if opts.overview == Overview::Simplified {
            coords = simplify(&coords, SIMPLIFY_TOLERANCE_M);
        }
        r["geometry"] = geometry(&coords, opts.geometries);
    }
    if scenario.is_some() {
        let risk: f64 = legs_json.iter().filter_map(|l| l["risk"].as_f64()).sum();
        r["risk"] = json!(round(risk, 3));
    }
    r
}

fn leg_json(
    g: &ProfileGraph,
    leg: &RoadRoute,
    opts: &RouteOptions,
    scenario: Option<&ScenarioMap>,
) -> Value {
    let streets = leg.streets(g);
    let mut l = json!({
        "distance": round(leg.distance_m, 1),
        "duration": round(leg.duration_s, 1),
        "weight": round(leg.cost, 1),
        "summary": streets.iter().take(2).cloned().collect::<Vec<_>>().join(", "),
        "steps": if opts.steps { steps(g, leg, opts.geometries) } else { vec![] },
    });
    if opts.annotations.any() {
        l["annotation"] = annotation(g, leg, opts.annotations);
    }
    if let Some(sm) = scenario {
        let ex = sm.exposure(leg, INCIDENT_REPORT_RADIUS_M);
        l["risk"] = json!(round(ex.risk, 3));
        l["exposure"] = json!(ex);
    }
    l
}

/// Douglas–Peucker on a local equirectangular projection in metres (exact enough over a
/// route's extent), keeping the first and last points.
pub fn simplify(coords: &[[f64; 2]], tolerance_m: f64) -> Vec<[f64; 2]> {
    use geo::SimplifyIdx;
    let Some(first) = coords.first() else {
        return Vec::new();
    };
    let m_per_deg = 6_371_008.8 * std::f64::consts::PI / 180.0;
    let kx = m_per_deg * first[1].to_radians().cos();
    let line: geo::LineString<f64> = coords
        .iter()
        .map(|c| geo::Coord {
            x: (c[0] - first[0]) * kx,
            y: (c[1] - first[1]) * m_per_deg,
        })
        .collect();
    line.simplify_idx(tolerance_m)
        .into_iter()
        .map(|i| coords[i])
        .collect()
}

/// A leg's `annotation`: per segment between consecutive coordinates of its geometry, the
/// `distance` (metres), `duration` (seconds, the arc's travel time pro rata) and `speed` (m/s);
/// `nodes`: the OSM ids of the road-graph nodes the leg passes, from the first edge's start to
/// the last edge's end (shape points between junctions carry no id in the graph).
fn annotation(g: &ProfileGraph, leg: &RoadRoute, which: Annotations) -> Value {
    let (mut distance, mut duration, mut speed) = (Vec::new(), Vec::new(), Vec::new());
    let mut last: Option<[f64; 2]> = None;
    for p in &leg.pieces {
        let len = (p.to_m - p.from_m).abs();
        let per_m = if len > 0.0 {
            piece_duration(g, p) / len
        } else {
            0.0
        };
        for c in g.edge_subshape(p.edge, p.from_m, p.to_m) {
            if let Some(prev) = last.filter(|&x| x != c) {
                let d = corridor_roads::geometry::haversine_m(prev, c);
                distance.push(round(d, 1));
                duration.push(round(d * per_m, 1));
                speed.push(if per_m > 0.0 {
                    round(1.0 / per_m, 1)
                } else {
                    0.0
                });
            }
            last = Some(c);
        }
    }
    let mut nodes: Vec<i64> = Vec::new();
    for p in &leg.pieces {
        let e = p.edge as usize;
        let (a, b) = (g.edges.from[e], g.edges.to[e]);
        let (a, b) = if p.to_m >= p.from_m { (a, b) } else { (b, a) };
        for n in [a, b] {
            let id = g.node_osm_id[n as usize];
            if nodes.last() != Some(&id) {
                nodes.push(id);
            }
        }
    }
    let mut out = json!({});
    if which.distance {
        out["distance"] = json!(distance);
    }
    if which.duration {
        out["duration"] = json!(duration);
    }
    if which.speed {
        out["speed"] = json!(speed);
    }
    if which.nodes {
        out["nodes"] = json!(nodes);
    }
    out
}

/// Compass bearing from `a` to `b`, degrees clockwise from north, 0–359.
fn bearing(a: [f64; 2], b: [f64; 2]) -> f64 {
    let (la1, la2) = (a[1].to_radians(), b[1].to_radians());
    let dl = (b[0] - a[0]).to_radians();
    let y = dl.sin() * la2.cos();
    let x = la1.cos() * la2.sin() - la1.sin() * la2.cos() * dl.cos();
    (y.atan2(x).to_degrees() + 360.0).round() % 360.0
}

/// OSRM's turn modifier for a change of bearing.
fn modifier(before: f64, after: f64) -> &'static str {
    let turn = (after - before + 540.0) % 360.0 - 180.0;
    match turn {
        t if t.abs() < 10.0 => "straight",
        t if t.abs() > 170.0 => "uturn",
        t if t > 135.0 => "sharp right",
        t if t > 45.0 => "right",
        t if t > 0.0 => "slight right",
        t if t < -135.0 => "sharp left",
        t if t < -45.0 => "left",
        _ => "slight left",
    }
}

/// One RouteStep per run of the same street name: `depart` first, `turn` (or `continue` when
/// straight on) at each change of name, and a zero-length `arrive`, as OSRM lays them out.
fn steps(g: &ProfileGraph, leg: &RoadRoute, kind: Geometries) -> Vec<Value> {
    let mut runs: Vec<(Option<&str>, Vec<&EdgePiece>)> = Vec::new();
    for p in &leg.pieces {
        let name = g.edge_name(p.edge);
        match runs.last_mut() {
            Some((n, v)) if *n == name => v.push(p),
            _ => runs.push((name, vec![p])),
        }
    }
    let mut out = Vec::new();
    let mut bearing_before = 0.0;
    let mut last_point = None;
    for (i, (name, pieces)) in runs.iter().enumerate() {
        let mut coords: Vec<[f64; 2]> = Vec::new();
        for p in pieces {
            for c in g.edge_subshape(p.edge, p.from_m, p.to_m) {
                if coords.last() != Some(&c) {
                    coords.push(c);
                }
            }
        }
        if coords.len() == 1 {
            coords.push(coords[0]);
        }
        let Some(&start) = coords.first() else {
            continue;
        };
        let after = coords
            .iter()
            .find(|&&c| c != start)
            .map_or(bearing_before, |&c| bearing(start, c));
        let (kind_name, m) = if i == 0 {
            ("depart", None)
        } else {
            let m = modifier(bearing_before, after);
            (if m == "straight" { "continue" } else { "turn" }, Some(m))
        };
        let distance: f64 = pieces.iter().map(|p| (p.to_m - p.from_m).abs()).sum();
        let duration: f64 = pieces.iter().map(|p| piece_duration(g, p)).sum();
        out.push(step_json(
            g,
            name.unwrap_or(""),
            &coords,
            kind,
            distance,
            duration,
            maneuver(start, bearing_before, after, kind_name, m),
        ));
        let n = coords.len();
        bearing_before = bearing(coords[n.saturating_sub(2)], coords[n - 1]);
        last_point = Some(coords[n - 1]);
    }
    if let Some(end) = last_point {
        out.push(step_json(
            g,
            runs.last().and_then(|r| r.0).unwrap_or(""),
            &[end, end],
            kind,
            0.0,
            0.0,
            maneuver(end, bearing_before, 0.0, "arrive", None),
        ));
    }
    out
}

fn maneuver(at: [f64; 2], before: f64, after: f64, kind: &str, modifier: Option<&str>) -> Value {
    let mut m = json!({
        "location": [round(at[0], 6), round(at[1], 6)],
        "bearing_before": before,
        "bearing_after": after,
        "type": kind,
    });
    if let Some(x) = modifier {
        m["modifier"] = json!(x);
    }
    m
}

fn step_json(
    g: &ProfileGraph,
    name: &str,
    coords: &[[f64; 2]],
    kind: Geometries,
    distance: f64,
    duration: f64,
    maneuver: Value,
) -> Value {
    let at = maneuver["location"].clone();
    let out_bearing = maneuver["bearing_after"].clone();
    json!({
        "distance": round(distance, 1),
        "duration": round(duration, 1),
        "weight": round(duration, 1),
        "name": name,
        "mode": travel_mode(g),
        "driving_side": "right",
        "geometry": geometry(coords, kind),
        "maneuver": maneuver,
        "intersections": [{"location": at, "bearings": [out_bearing], "entry": [true], "out": 0}],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearings_and_modifiers_by_hand() {
        assert_eq!(bearing([0.0, 0.0], [0.0, 1.0]), 0.0);
        assert_eq!(bearing([0.0, 0.0], [1.0, 0.0]), 90.0);
        assert_eq!(bearing([0.0, 0.0], [0.0, -1.0]), 180.0);
        assert_eq!(bearing([0.0, 0.0], [-1.0, 0.0]), 270.0);
        assert_eq!(modifier(0.0, 90.0), "right");
        assert_eq!(modifier(0.0, 270.0), "left");
        assert_eq!(modifier(355.0, 3.0), "straight");
        assert_eq!(modifier(350.0, 5.0), "slight right");
        assert_eq!(modifier(10.0, 300.0), "left");
        assert_eq!(modifier(0.0, 150.0), "sharp right");
        assert_eq!(modifier(0.0, 180.0), "uturn");
        assert_eq!(modifier(0.0, 30.0), "slight right");
    }

    #[test]
    fn polyline_matches_googles_documented_example() {
        // developers.google.com/maps/documentation/utilities/polylinealgorithm
        let pts = [[-120.2, 38.5], [-120.95, 40.7], [-126.453, 43.252]];
        assert_eq!(
            geometry(&pts, Geometries::Polyline),
            json!("_p~iF~ps|U_ulLnnqC_mqNvxq`@")
        );
    }
}
