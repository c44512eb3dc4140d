//! Test helpers shared by the roads tests: a tiny OSM PBF writer for hand-built maps, and
//! snapping by brute force (every segment of every edge, haversine minimised by ternary search)
//! as an oracle that shares nothing with the R-tree and projections of `snap.rs`.
#![allow(dead_code)]

use corridor_roads::geometry::haversine_m;
use corridor_roads::ProfileGraph;

/// Metres per degree along the equator or a meridian on the haversine's sphere.
pub const M_PER_DEG: f64 = 6_371_008.8 * std::f64::consts::PI / 180.0;

/// One OSM way of a hand-built map.
pub struct Way {
    pub id: i64,
    pub nodes: Vec<i64>,
    pub tags: Vec<(&'static str, &'static str)>,
}

pub fn way(id: i64, nodes: &[i64], tags: &[(&'static str, &'static str)]) -> Way {
    Way {
        id,
        nodes: nodes.to_vec(),
        tags: tags.to_vec(),
    }
}

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn key(out: &mut Vec<u8>, field: u64, wire: u64) {
    varint(out, field << 3 | wire);
}

fn bytes_field(out: &mut Vec<u8>, field: u64, b: &[u8]) {
    key(out, field, 2);
    varint(out, b.len() as u64);
    out.extend_from_slice(b);
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn packed(field: u64, values: impl Iterator<Item = u64>) -> Vec<u8> {
    let mut body = Vec::new();
    for v in values {
        varint(&mut body, v);
    }
    let mut out = Vec::new();
    bytes_field(&mut out, field, &body);
    out
}

fn blob(kind: &str, data: &[u8]) -> Vec<u8> {
    let mut blob = Vec::new();
    bytes_field(&mut blob, 1, data); // raw
    key(&mut blob, 2, 0);
    varint(&mut blob, data.len() as u64); // raw_size
    let mut header = Vec::new();
    bytes_field(&mut header, 1, kind.as_bytes());
    key(&mut header, 3, 0);
    varint(&mut header, blob.len() as u64);
    let mut out = (header.len() as u32).to_be_bytes().to_vec();
    out.extend(header);
    out.extend(blob);
    out
}

/// An OSM PBF file (uncompressed blobs, plain nodes and ways) with `nodes` as
/// `(id, lon, lat)` and `ways`.
pub fn pbf(nodes: &[(i64, f64, f64)], ways: &[Way]) -> Vec<u8> {
    let mut header = Vec::new();
    bytes_field(&mut header, 4, b"OsmSchema-V0.6");
    let mut strings: Vec<&str> = vec![""];
    let index = |s: &'static str, strings: &mut Vec<&'static str>| -> u64 {
        if let Some(i) = strings.iter().position(|x| *x == s) {
            return i as u64;
        }
        strings.push(s);
        (strings.len() - 1) as u64
    };
    let mut group = Vec::new();
    for &(id, lon, lat) in nodes {
        let mut n = Vec::new();
        key(&mut n, 1, 0);
        varint(&mut n, zigzag(id));
        key(&mut n, 8, 0);
        varint(&mut n, zigzag((lat * 1e7).round() as i64));
        key(&mut n, 9, 0);
        varint(&mut n, zigzag((lon * 1e7).round() as i64));
        bytes_field(&mut group, 1, &n);
    }
    let mut ways_group = Vec::new();
    for w in ways {
        let mut m = Vec::new();
        key(&mut m, 1, 0);
        varint(&mut m, w.id as u64);
        let keys: Vec<u64> = w.tags.iter().map(|t| index(t.0, &mut strings)).collect();
        let vals: Vec<u64> = w.tags.iter().map(|t| index(t.1, &mut strings)).collect();
        m.extend(packed(2, keys.into_iter()));
        m.extend(packed(3, vals.into_iter()));
        let mut prev = 0i64;
        let deltas: Vec<u64> = w
            .nodes
            .iter()
            .map(|&r| {
                let d = r - prev;
                prev = r;
                zigzag(d)
            })
            .collect();
        m.extend(packed(8, deltas.into_iter()));
        bytes_field(&mut ways_group, 3, &m);
    }
    let mut table = Vec::new();
    for s in &strings {
        bytes_field(&mut table, 1, s.as_bytes());
    }
    let mut block = Vec::new();
    bytes_field(&mut block, 1, &table);
    bytes_field(&mut block, 2, &group);
    bytes_field(&mut block, 2, &ways_group);
    let mut out = blob("OSMHeader", &header);
    out.extend(blob("OSMData", &block));
    out
}

/// Imports a hand-built map through the public import path.
pub fn import(nodes: &[(i64, f64, f64)], ways: &[Way]) -> corridor_roads::RoadGraph {
    let bytes = pbf(nodes, ways);
    corridor_roads::import::import_pbf_bytes(&bytes, "hand.osm.pbf", "hand.osm.pbf".as_ref())
        .expect("hand-built map imports")
}

/// The edge of way `way_id` (the first one when the way has several).
pub fn edge_of_way(g: &ProfileGraph, way_id: i64) -> u32 {
    g.edges
        .way_id
        .iter()
        .position(|&w| w == way_id)
        .expect("way in graph") as u32
}

/// A candidate found by brute force: edge, haversine distance, offset from the edge's start.
#[derive(Debug, Clone, Copy)]
pub struct Found {
    pub edge: u32,
    pub distance_m: f64,
    pub offset_m: f64,
    pub point: [f64; 2],
}

fn lerp(a: [f64; 2], b: [f64; 2], t: f64) -> [f64; 2] {
    [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]
}

/// The point of segment `a`–`b` nearest to `q` by haversine: ternary search on the segment's
/// parameter (haversine along a short lon/lat segment is unimodal).
fn nearest_on_segment(q: [f64; 2], a: [f64; 2], b: [f64; 2]) -> (f64, f64) {
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    for _ in 0..100 {
        let m1 = lo + (hi - lo) / 3.0;
        let m2 = hi - (hi - lo) / 3.0;
        if haversine_m(q, lerp(a, b, m1)) <= haversine_m(q, lerp(a, b, m2)) {
            hi = m2;
        } else {
            lo = m1;
        }
    }
    let t = (lo + hi) / 2.0;
    (t, haversine_m(q, lerp(a, b, t)))
}

/// Every edge accepted by `accept` whose nearest point is within `tie_m` of the nearest
/// one's, one per edge, nearest first.
pub fn brute_force_snap(
    g: &ProfileGraph,
    q: [f64; 2],
    tie_m: f64,
    accept: impl Fn(u32) -> bool,
) -> Vec<Found> {
    // A cheap prefilter (degrees scaled by the query's latitude, generous margin) keeps the
    // haversine search to the segments that can matter.
    let kx = q[1].to_radians().cos();
    let rough = |a: [f64; 2], b: [f64; 2]| {
        let (ax, ay, bx, by) = (
            (a[0] - q[0]) * kx,
            a[1] - q[1],
            (b[0] - q[0]) * kx,
            b[1] - q[1],
        );
        let (dx, dy) = (bx - ax, by - ay);
        let l2 = dx * dx + dy * dy;
        let t = if l2 > 0.0 {
            (-(ax * dx + ay * dy) / l2).clamp(0.0, 1.0)
        } else {
            0.0
        };
        ((ax + t * dx).powi(2) + (ay + t * dy).powi(2)).sqrt() * M_PER_DEG
    };
    let mut rough_best = f64::INFINITY;
    for e in (0..g.edge_count() as u32).filter(|&e| accept(e)) {
        for w in g.edge_shape(e).windows(2) {
            rough_best = rough_best.min(rough(w[0], w[1]));
        }
    }
    let mut per_edge: Vec<Found> = Vec::new();
    for e in (0..g.edge_count() as u32).filter(|&e| accept(e)) {
        let shape = g.edge_shape(e);
        let mut before = 0.0;
        let mut best: Option<Found> = None;
        for w in shape.windows(2) {
            if rough(w[0], w[1]) <= rough_best * 1.1 + 5.0 {
                let (t, d) = nearest_on_segment(q, w[0], w[1]);
                if best.is_none_or(|b| d < b.distance_m) {
                    let point = lerp(w[0], w[1], t);
                    best = Some(Found {
                        edge: e,
                        distance_m: d,
                        offset_m: before + haversine_m(w[0], point),
                        point,
                    });
                }
            }
            before += haversine_m(w[0], w[1]);
        }
        per_edge.extend(best);
    }
    let min = per_edge
        .iter()
        .map(|f| f.distance_m)
        .fold(f64::INFINITY, f64::min);
    per_edge.retain(|f| f.distance_m <= min + tie_m);
    per_edge.sort_by(|a, b| a.distance_m.total_cmp(&b.distance_m));
    per_edge
}

pub mod topology;
