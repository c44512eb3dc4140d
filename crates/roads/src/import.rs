//! OSM PBF → compact road graphs for every profile, in one pass over the file.
//!
//! Stages: read the file once (hashing it for the graph's identity), split it into blobs,
//! decode blobs in parallel (rayon) keeping all node coordinates and the ways any profile can
//! use, then per profile: keep the OSM nodes where ways meet or end, cut ways there into edges
//! whose shape keeps the intermediate points, order nodes along a space-filling curve so that
//! nearby nodes sit nearby in memory, and lay the arcs out as CSR.

use crate::error::RoadsError;
use crate::geometry::polyline_length_m;
use crate::graph::{Edges, Facility, GraphMeta, ProfileGraph, RoadGraph};
use crate::profile::{car_usage, foot_usage, Profile, Usage, WayTags};
use corridor_routing::{Graph, INVALID};
use indicatif::{ProgressBar, ProgressStyle};
use osmpbf::{BlobDecode, BlobReader, Element};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::Cursor;
use std::path::Path;

/// A way some profile can use, with only the tags the profiles read.
struct RawWay {
    id: i64,
    refs: Vec<i64>,
    tags: WayTags,
}

#[derive(Default)]
struct Chunk {
    nodes: Vec<(i64, [f64; 2])>,
    ways: Vec<RawWay>,
    /// Facilities on nodes (complete) and on ways (coordinates filled in later from refs).
    facilities: Vec<Facility>,
    facility_refs: Vec<Vec<i64>>,
}

/// Reports progress: a bar on a terminal, plain lines otherwise (indicatif hides itself when
/// stderr is not a terminal).
pub(crate) fn log(msg: &str) {
    eprintln!("corridor: {msg}");
}

/// Hex SHA-256 of a byte string: the identity of a map file in every result.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Imports an OSM PBF file into road graphs for all profiles.
pub fn import_pbf(path: &Path) -> Result<RoadGraph, RoadsError> {
    let bytes = std::fs::read(path).map_err(|e| RoadsError::io(path, e))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    import_pbf_bytes(&bytes, &name, path)
}

/// Imports from bytes already in memory; `path` only names the source in errors.
pub fn import_pbf_bytes(
    bytes: &[u8],
    source_file: &str,
    path: &Path,
) -> Result<RoadGraph, RoadsError> {
    let pbf_err = |msg: String| RoadsError::Pbf {
        path: path.to_path_buf(),
        msg,
    };
    if bytes.is_empty() {
        return Err(pbf_err("the file is empty".into()));
    }
    let sha = sha256_hex(bytes);
    let reader =
        BlobReader::new_seekable(Cursor::new(bytes)).map_err(|e| pbf_err(e.to_string()))?;
    let mut blobs = Vec::new();
    for blob in reader {
        let blob = blob.map_err(|e| pbf_err(describe_pbf_error(&e.to_string(), bytes.len())))?;
        blobs.push(blob);
    }
    match blobs.first().map(|b| b.decode()) {
        Some(Ok(BlobDecode::OsmHeader(_))) => {}
        Some(Err(e)) => return Err(pbf_err(e.to_string())),
        _ => {
            return Err(pbf_err(
                "not an OSM PBF file (it does not start with an OSM header block)".into(),
            ))
        }
    }
    let bar = ProgressBar::new(blobs.len() as u64).with_style(
        ProgressStyle::with_template("decoding {bar:30} {pos}/{len} blocks {elapsed}")
            .expect("static template"),
    );
    let chunks: Vec<Result<Chunk, String>> = blobs
        .par_iter()
        .map(|blob| {
            let r = decode_blob(blob);
            bar.inc(1);
            r
        })
        .collect();
    bar.finish_and_clear();
    let mut nodes = Vec::new();
    let mut ways = Vec::new();
    let mut facilities = Vec::new();
    for c in chunks {
        let c = c.map_err(pbf_err)?;
        nodes.extend(c.nodes);
        ways.extend(c.ways);
        facilities.extend(c.facilities.into_iter().zip(c.facility_refs));
    }
    log(&format!(
        "read {} ({} blocks, {} nodes, {} candidate road ways)",
        source_file,
        blobs.len(),
        nodes.len(),
        ways.len()
    ));
    nodes.par_sort_unstable_by_key(|n| n.0);
    nodes.dedup_by_key(|n| n.0);
    // Building outlines: the mean of their vertices present in the extract.
    let facilities: Vec<Facility> = facilities
        .into_iter()
        .filter_map(|(mut f, refs)| {
            if f.osm_type == 'w' {
                let pts: Vec<[f64; 2]> = refs
                    .iter()
                    .filter_map(|r| nodes.binary_search_by_key(r, |n| n.0).ok())
                    .map(|i| nodes[i].1)
                    .collect();
                if pts.is_empty() {
                    return None;
                }
                let k = pts.len() as f64;
                f.coord = [
                    pts.iter().map(|p| p[0]).sum::<f64>() / k,
                    pts.iter().map(|p| p[1]).sum::<f64>() / k,
                ];
            }
            Some(f)
        })
        .collect();
    log(&format!("{} health facilities", facilities.len()));

    let mut profiles = Vec::new();
    for profile in Profile::ALL {
        let usage: Vec<Option<Usage>> = ways
            .iter()
            .map(|w| match profile {
                Profile::Foot => foot_usage(&w.tags),
                Profile::Car => car_usage(&w.tags),
            })
            .collect();
        let pg =
            build_profile(profile, &ways, &usage, &nodes).map_err(|msg| RoadsError::Graph {
                path: path.to_path_buf(),
                msg,
            })?;
        log(&format!(
            "{} graph: {} nodes, {} edges, {} arcs",
            profile.name(),
            pg.node_count(),
            pg.edge_count(),
            pg.arc_count()
        ));
        profiles.push(pg);
    }
    if profiles.iter().all(|p| p.edge_count() == 0) {
        return Err(RoadsError::NoRoads {
            path: path.to_path_buf(),
        });
    }
    let mut bbox = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for p in &profiles {
        for c in &p.node_coord {
            bbox[0] = bbox[0].min(c[0]);
            bbox[1] = bbox[1].min(c[1]);
            bbox[2] = bbox[2].max(c[0]);
            bbox[3] = bbox[3].max(c[1]);
        }
    }
    Ok(RoadGraph {
        meta: GraphMeta {
            source_file: source_file.to_string(),
            source_sha256: sha,
            bbox,
        },
        profiles,
        facilities,
    })
}

fn describe_pbf_error(msg: &str, len: usize) -> String {
    let lower = msg.to_ascii_lowercase();
    if lower.contains("eof") || lower.contains("end of file") {
        format!("truncated or not an OSM PBF file ({len} bytes): {msg}")
    } else {
        format!("not an OSM PBF file: {msg}")
    }
}

fn decode_blob(blob: &osmpbf::Blob) -> Result<Chunk, String> {
    let mut chunk = Chunk::default();
    let block = match blob.decode().map_err(|e| e.to_string())? {
        BlobDecode::OsmData(b) => b,
        _ => return Ok(chunk),
    };
    for el in block.elements() {
        match el {
            Element::DenseNode(n) => {
                chunk.nodes.push((n.id(), [n.lon(), n.lat()]));
                if let Some(f) = Facility::from_tags('n', n.id(), n.tags(), [n.lon(), n.lat()]) {
                    chunk.facilities.push(f);
                    chunk.facility_refs.push(Vec::new());
                }
            }
            Element::Node(n) => {
                chunk.nodes.push((n.id(), [n.lon(), n.lat()]));
                if let Some(f) = Facility::from_tags('n', n.id(), n.tags(), [n.lon(), n.lat()]) {
                    chunk.facilities.push(f);
                    chunk.facility_refs.push(Vec::new());
                }
            }
            Element::Way(w) => {
                if let Some(f) = Facility::from_tags('w', w.id(), w.tags(), [f64::NAN, f64::NAN]) {
                    chunk.facilities.push(f);
                    chunk.facility_refs.push(w.refs().collect());
                }
                let tags = WayTags::from_tags(w.tags());
                if tags.class().is_some()
                    && (foot_usage(&tags).is_some() || car_usage(&tags).is_some())
                {
                    chunk.ways.push(RawWay {
                        id: w.id(),
                        refs: w.refs().collect(),
                        tags,
                    });
                }
            }
            Element::Relation(_) => {}
        }
    }
    Ok(chunk)
}

/// A piece of a way between two kept nodes, before node renumbering.
struct RawEdge {
    from: u32,
    to: u32,
    shape: Vec<[f64; 2]>,
    way: usize,
}

fn build_profile(
    profile: Profile,
    ways: &[RawWay],
    usage: &[Option<Usage>],
    nodes: &[(i64, [f64; 2])],
) -> Result<ProfileGraph, String> {
    let lookup = |id: i64| -> u32 {
        nodes
            .binary_search_by_key(&id, |n| n.0)
            .map_or(INVALID, |i| i as u32)
    };
    // Each usable way as runs of consecutive nodes present in the extract (ways clipped at the
    // extract's border reference missing nodes; the run stops there).
    let mut runs: Vec<(usize, Vec<u32>)> = Vec::new();
    for (wi, w) in ways.iter().enumerate() {
        if usage[wi].is_none() {
            continue;
        }
        let mut run: Vec<u32> = Vec::new();
        for &r in &w.refs {
            let idx = lookup(r);
            if idx == INVALID {
                if run.len() >= 2 {
                    runs.push((wi, std::mem::take(&mut run)));
                }
                run.clear();
            } else if run.last() != Some(&idx) {
                run.push(idx);
            }
        }
        if run.len() >= 2 {
            runs.push((wi, run));
        }
    }
    // Keep a node where two runs meet, where a run ends, or where a run visits it twice.
    let mut uses: HashMap<u32, u8> = HashMap::new();
    for (_, run) in &runs {
        for (i, &v) in run.iter().enumerate() {
            let c = uses.entry(v).or_insert(0);
            let add = if i == 0 || i + 1 == run.len() { 2 } else { 1 };
            *c = c.saturating_add(add);
        }
    }
    let kept = |v: u32| uses.get(&v).copied().unwrap_or(0) >= 2;
    let mut raw_edges = Vec::new();
    for (wi, run) in &runs {
        let mut start = 0;
        for i in 1..run.len() {
            if kept(run[i]) {
                raw_edges.push(RawEdge {
                    from: run[start],
                    to: run[i],
                    shape: run[start..=i]
                        .iter()
                        .map(|&v| nodes[v as usize].1)
                        .collect(),
                    way: *wi,
                });
                start = i;
            }
        }
    }
    // Renumber kept nodes along a Z-order curve so that graph neighbours share cache lines.
    let mut used: Vec<u32> = raw_edges.iter().flat_map(|e| [e.from, e.to]).collect();
    used.sort_unstable();
    used.dedup();
    let bbox = used
        .iter()
        .fold([f64::MAX, f64::MAX, f64::MIN, f64::MIN], |b, &v| {
            let c = nodes[v as usize].1;
            [
                b[0].min(c[0]),
                b[1].min(c[1]),
                b[2].max(c[0]),
                b[3].max(c[1]),
            ]
        });
    let zkey = |c: [f64; 2]| -> u64 {
        let q = |x: f64, lo: f64, hi: f64| {
            (((x - lo) / (hi - lo).max(1e-9)) * 65535.0).clamp(0.0, 65535.0) as u32
        };
        interleave(q(c[0], bbox[0], bbox[2]), q(c[1], bbox[1], bbox[3]))
    };
    used.sort_by_key(|&v| (zkey(nodes[v as usize].1), v));
    let mut new_id: HashMap<u32, u32> = HashMap::with_capacity(used.len());
    for (i, &v) in used.iter().enumerate() {
        new_id.insert(v, i as u32);
    }
    raw_edges.sort_by_key(|e| (new_id[&e.from], new_id[&e.to]));

    let mut names: Vec<String> = Vec::new();
    let mut name_index: HashMap<String, u32> = HashMap::new();
    let mut edges = Edges::default();
    edges.shape_first.push(0);
    let mut arcs: Vec<(u32, u32)> = Vec::new();
    let mut arc_code: Vec<u32> = Vec::new();
    let mut arc_dur: Vec<f64> = Vec::new();
    for (ei, e) in raw_edges.iter().enumerate() {
        let w = &ways[e.way];
        let u = usage[e.way].expect("runs come from usable ways");
        let (from, to) = (new_id[&e.from], new_id[&e.to]);
        let length = polyline_length_m(&e.shape);
        let duration = length / (u.speed_kmh / 3.6);
        let name = match w.tags.display_name() {
            Some(n) => *name_index.entry(n.to_string()).or_insert_with(|| {
                names.push(n.to_string());
                (names.len() - 1) as u32
            }),
            None => INVALID,
        };
        edges.from.push(from);
        edges.to.push(to);
        edges.length_m.push(length);
        edges.way_id.push(w.id);
        edges.name.push(name);
        edges
            .class
            .push(w.tags.class().expect("filtered at decode") as u8);
        edges.lanes.push(w.tags.lanes().unwrap_or(0));
        edges
            .width_dm
            .push(w.tags.width_m().map_or(0, |m| (m * 10.0).round() as u16));
        edges.speed_kmh.push(u.speed_kmh as f32);
        edges.shape.extend_from_slice(&e.shape);
        edges.shape_first.push(edges.shape.len() as u32);
        if u.forward {
            arcs.push((from, to));
            arc_code.push((ei as u32) << 1);
            arc_dur.push(duration);
        }
        if u.backward {
            arcs.push((to, from));
            arc_code.push((ei as u32) << 1 | 1);
            arc_dur.push(duration);
        }
    }
    let (graph, ids) = Graph::from_arcs(used.len(), &arcs);
    let mut arc_edge = vec![0u32; arcs.len()];
    let mut arc_duration_s = vec![0f64; arcs.len()];
    for (i, &id) in ids.iter().enumerate() {
        arc_edge[id as usize] = arc_code[i];
        arc_duration_s[id as usize] = arc_dur[i];
    }
    let node_coord = used.iter().map(|&v| nodes[v as usize].1).collect();
    let node_osm_id = used.iter().map(|&v| nodes[v as usize].0).collect();
    ProfileGraph::new(
        profile,
        graph,
        node_coord,
        node_osm_id,
        arc_edge,
        arc_duration_s,
        edges,
        names,
        None,
        None,
    )
}

/// Interleaves the bits of two 16-bit values (a Morton / Z-order key).
fn interleave(x: u32, y: u32) -> u64 {
    let spread = |mut v: u64| {
        v &= 0xffff;
        v = (v | (v << 8)) & 0x00ff_00ff;
        v = (v | (v << 4)) & 0x0f0f_0f0f;
        v = (v | (v << 2)) & 0x3333_3333;
        v = (v | (v << 1)) & 0x5555_5555;
        v
    };
    spread(x as u64) | (spread(y as u64) << 1)
}

#[cfg(test)]
mod tests {
    use super::interleave;

    #[test]
    fn morton_interleaves_bits() {
        assert_eq!(interleave(0b11, 0), 0b0101);
        assert_eq!(interleave(0, 0b11), 0b1010);
        assert_eq!(interleave(0xffff, 0xffff), 0xffff_ffff);
    }
}
