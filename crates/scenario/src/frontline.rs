//! Front lines, derived rather than drawn: the parts of a party's territory boundary that lie
//! within `front_tolerance_m` of the territory of a party hostile to it.

use crate::model::Scenario;
use corridor_roads::geometry::LocalProjection;
use geo::{Coord, Distance, Euclidean, LineString, MapCoords, MultiPolygon, Point};

/// One stretch of front line between two hostile parties, `[lon, lat]`.
#[derive(Debug, Clone)]
pub struct FrontLine {
    pub parties: (usize, usize),
    pub line: LineString<f64>,
}

/// Every front line of the scenario. For each pair of hostile parties (a, b) with a < b, walks
/// a's boundary and keeps the segments whose midpoint lies within the tolerance of b's ground.
pub fn front_lines(s: &Scenario, proj: &LocalProjection) -> Vec<FrontLine> {
    let project = |m: &MultiPolygon<f64>| m.map_coords(|c| to_coord(proj.project([c.x, c.y])));
    let mut out = Vec::new();
    let np = s.parties.len();
    let by_party: Vec<Vec<MultiPolygon<f64>>> = (0..np)
        .map(|p| {
            s.territories
                .iter()
                .filter(|t| t.party == p)
                .map(|t| project(&t.area))
                .collect()
        })
        .collect();
    let tol = s.risk.front_tolerance_m;
    for a in 0..np {
        for b in a + 1..np {
            if !s.hostile(a, b) || by_party[a].is_empty() || by_party[b].is_empty() {
                continue;
            }
            for area in &by_party[a] {
                for poly in &area.0 {
                    for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                        let mut current: Vec<Coord<f64>> = Vec::new();
                        for seg in ring.lines().flat_map(densify) {
                            let mid = Point::new(
                                (seg.start.x + seg.end.x) / 2.0,
                                (seg.start.y + seg.end.y) / 2.0,
                            );
                            let near = by_party[b]
                                .iter()
                                .any(|m| Euclidean.distance(&mid, m) <= tol);
                            if near {
                                if current.last() != Some(&seg.start) {
                                    flush(&mut current, &mut out, (a, b), proj);
                                    current.push(seg.start);
                                }
                                current.push(seg.end);
                            } else {
                                flush(&mut current, &mut out, (a, b), proj);
                            }
                        }
                        flush(&mut current, &mut out, (a, b), proj);
                    }
                }
            }
        }
    }
    out
}

/// Splits a projected segment into pieces of at most 25 m, so that a long boundary segment that
/// is only partly near the enemy contributes only that part.
fn densify(seg: geo::Line<f64>) -> Vec<geo::Line<f64>> {
    let len = (seg.dx().powi(2) + seg.dy().powi(2)).sqrt();
    let n = ((len / 25.0).ceil() as usize).max(1);
    (0..n)
        .map(|i| {
            let at = |k: usize| Coord {
                x: seg.start.x + seg.dx() * k as f64 / n as f64,
                y: seg.start.y + seg.dy() * k as f64 / n as f64,
            };
            geo::Line::new(at(i), at(i + 1))
        })
        .collect()
}

fn to_coord(p: [f64; 2]) -> Coord<f64> {
    Coord { x: p[0], y: p[1] }
}

fn flush(
    current: &mut Vec<Coord<f64>>,
    out: &mut Vec<FrontLine>,
    parties: (usize, usize),
    proj: &LocalProjection,
) {
    if current.len() >= 2 {
        let line = LineString(
            current
                .iter()
                .map(|c| to_coord(proj.unproject([c.x, c.y])))
                .collect(),
        );
        out.push(FrontLine { parties, line });
    }
    current.clear();
}
