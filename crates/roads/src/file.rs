//! The graph file: one versioned binary file per map, read with a single `read` and turned into
//! arrays without parsing element by element.
//!
//! Layout (all little-endian):
//! ```text
//! magic        8 bytes  "CORRGRPH"
//! version      u32      FORMAT_VERSION
//! payload_len  u64
//! payload_crc  u32      CRC-32 of the payload: a flipped bit is an error, not a wrong route
//! payload:
//!   source_file str, source_sha256 str, bbox 4×f64, profile_count u32,
//!   per profile: name str, node_coord [f64], node_osm_id [i64], first_out [u32], head [u32],
//!                arc_edge [u32], arc_duration_s [f64], edge arrays (from, to, length_m,
//!                way_id, name, class, lanes, width_dm, speed_kmh, shape_first, shape), names,
//!                landmark nodes [u32], landmark from-costs [f32], landmark to-costs [f32],
//!                CCH section (see `encode_cch`): order [u32] (node by rank), upward edge
//!                offsets [u32] (per rank), upward edge heads [u32] (ranks)
//!   facility_count u64, per facility: osm_type u32, osm_id u64, name str (empty = none),
//!                kind str, beds u32 (u32::MAX = none), lon f64 bits u64, lat f64 bits u64
//! ```
//! where `str` is a u64 byte length and UTF-8, and `[T]` a u64 element count and raw elements.

use crate::error::RoadsError;
use crate::graph::{Edges, Facility, GraphMeta, ProfileGraph, RoadGraph};
use crate::profile::Profile;
use bytemuck::Pod;
use corridor_routing::{Cch, Graph, Landmarks};
use std::io::Write;
use std::path::Path;

pub const MAGIC: &[u8; 8] = b"CORRGRPH";
/// Bump on any change to the layout above; old files are then refused with a clear message.
pub const FORMAT_VERSION: u32 = 3;
const HEADER_LEN: usize = 8 + 4 + 8 + 4;

struct Writer(Vec<u8>);

impl Writer {
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn str(&mut self, s: &str) {
        self.u64(s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
    }
    fn slice<T: Pod>(&mut self, v: &[T]) {
        self.u64(v.len() as u64);
        self.0.extend_from_slice(bytemuck::cast_slice(v));
    }
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.buf.len())
            .ok_or("payload ends early")?;
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().unwrap()))
    }
    fn u64(&mut self) -> Result<u64, String> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().unwrap()))
    }
    fn str(&mut self) -> Result<String, String> {
        let n = self.u64()? as usize;
        String::from_utf8(self.take(n)?.to_vec()).map_err(|_| "a string is not UTF-8".into())
    }
    fn vec<T: Pod>(&mut self) -> Result<Vec<T>, String> {
        let n = self.u64()? as usize;
        let bytes = n
            .checked_mul(std::mem::size_of::<T>())
            .ok_or("array length overflows")?;
        Ok(bytemuck::pod_collect_to_vec(self.take(bytes)?))
    }
}

fn encode(g: &RoadGraph) -> Vec<u8> {
    let mut w = Writer(Vec::new());
    w.str(&g.meta.source_file);
    w.str(&g.meta.source_sha256);
    w.slice(&g.meta.bbox);
    w.u32(g.profiles.len() as u32);
    for p in &g.profiles {
        w.str(p.profile.name());
        w.slice(&p.node_coord);
        w.slice(&p.node_osm_id);
        w.slice(p.graph.first_out());
        w.slice(p.graph.head());
        w.slice(&p.arc_edge);
        w.slice(&p.arc_duration_s);
        let e = &p.edges;
        w.slice(&e.from);
        w.slice(&e.to);
        w.slice(&e.length_m);
        w.slice(&e.way_id);
        w.slice(&e.name);
        w.slice(&e.class);
        w.slice(&e.lanes);
        w.slice(&e.width_dm);
        w.slice(&e.speed_kmh);
        w.slice(&e.shape_first);
        w.slice(&e.shape);
        w.u64(p.names.len() as u64);
        for n in &p.names {
            w.str(n);
        }
        w.slice(p.landmarks.nodes());
        w.slice(p.landmarks.from_costs());
        w.slice(p.landmarks.to_costs());
        encode_cch(&mut w, &p.cch);
    }
    w.u64(g.facilities.len() as u64);
    for f in &g.facilities {
        w.u32(f.osm_type as u32);
        w.u64(f.osm_id as u64);
        w.str(f.name.as_deref().unwrap_or(""));
        w.str(&f.kind);
        w.u32(f.beds.unwrap_or(u32::MAX));
        w.u64(f.coord[0].to_bits());
        w.u64(f.coord[1].to_bits());
    }
    w.0
}

fn decode(payload: &[u8]) -> Result<RoadGraph, String> {
    let mut r = Reader {
        buf: payload,
        pos: 0,
    };
    let source_file = r.str()?;
    let source_sha256 = r.str()?;
    let bbox: Vec<f64> = r.vec()?;
    let bbox: [f64; 4] = bbox.try_into().map_err(|_| "bad bounding box")?;
    let count = r.u32()?;
    let mut profiles = Vec::new();
    for expected in Profile::ALL.iter().take(count as usize) {
        let name = r.str()?;
        if name != expected.name() {
            return Err(format!(
                "profile '{name}' where '{}' was expected",
                expected.name()
            ));
        }
        let node_coord = r.vec()?;
        let node_osm_id = r.vec()?;
        let first_out = r.vec()?;
        let head = r.vec()?;
        let graph = Graph::from_csr(first_out, head)?;
        let arc_edge = r.vec()?;
        let arc_duration_s = r.vec()?;
        let edges = Edges {
            from: r.vec()?,
            to: r.vec()?,
            length_m: r.vec()?,
            way_id: r.vec()?,
            name: r.vec()?,
            class: r.vec()?,
            lanes: r.vec()?,
            width_dm: r.vec()?,
            speed_kmh: r.vec()?,
            shape_first: r.vec()?,
            shape: r.vec()?,
        };
        let n_names = r.u64()?;
        let mut names = Vec::new();
        for _ in 0..n_names {
            names.push(r.str()?);
        }
        let landmarks = Landmarks::from_parts(r.vec()?, r.vec()?, r.vec()?, graph.node_count())?;
        let cch = decode_cch(&mut r, &graph)?;
        profiles.push(ProfileGraph::new(
            *expected,
            graph,
            node_coord,
            node_osm_id,
            arc_edge,
            arc_duration_s,
            edges,
            names,
            Some(landmarks),
            Some(cch),
        )?);
    }
    if profiles.len() != Profile::ALL.len() {
        return Err(format!(
            "{count} profiles where {} were expected",
            Profile::ALL.len()
        ));
    }
    let n_fac = r.u64()?;
    let mut facilities = Vec::new();
    for _ in 0..n_fac {
        let osm_type = char::from_u32(r.u32()?).filter(|c| *c == 'n' || *c == 'w');
        let osm_type = osm_type.ok_or("bad facility type")?;
        let osm_id = r.u64()? as i64;
        let name = r.str()?;
        let kind = r.str()?;
        let beds = r.u32()?;
        let coord = [f64::from_bits(r.u64()?), f64::from_bits(r.u64()?)];
        if !coord.iter().all(|c| c.is_finite()) {
            return Err("bad facility coordinate".into());
        }
        facilities.push(Facility {
            osm_type,
            osm_id,
            name: (!name.is_empty()).then_some(name),
            kind,
            beds: (beds != u32::MAX).then_some(beds),
            coord,
        });
    }
    if r.pos != payload.len() {
        return Err("trailing bytes after the last profile".into());
    }
    Ok(RoadGraph {
        meta: GraphMeta {
            source_file,
            source_sha256,
            bbox,
        },
        profiles,
        facilities,
    })
}

/// The CCH section: the contraction order and the chordal supergraph's upward edges, so that a
/// load (or a server start) neither orders nor contracts; only the linear-time lookup arrays are
/// derived again.
fn encode_cch(w: &mut Writer, cch: &Cch) {
    let (up_first, up_head) = cch.upward_edges();
    w.slice(cch.order());
    w.slice(up_first);
    w.slice(up_head);
}

/// Edges a stored CCH may claim per road arc (plus one per node). Road graphs in METIS or
/// inertial-flow orders have 1.8–3 edges per arc; a file claiming more is refused before any
/// work is spent on it.
const MAX_CCH_EDGES_PER_ARC: usize = 32;

/// Reads and checks the CCH section: every length, id and offset in range, the order a
/// permutation, the edges sorted, chordal and covering every road arc (`Cch::from_parts`), so
/// that a crafted file can neither panic a query nor make it return a wrong cost.
fn decode_cch(r: &mut Reader, graph: &Graph) -> Result<Cch, String> {
    let order: Vec<u32> = r.vec()?;
    let up_first: Vec<u32> = r.vec()?;
    let up_head: Vec<u32> = r.vec()?;
    let cap = graph
        .arc_count()
        .checked_mul(MAX_CCH_EDGES_PER_ARC)
        .and_then(|c| c.checked_add(graph.node_count()))
        .ok_or("the CCH size cap overflows")?;
    Cch::from_parts(graph, order, up_first, up_head, cap).map_err(|e| format!("CCH section: {e}"))
}

/// Writes `bytes` to `path` atomically: a temporary file beside it, flushed, then renamed, so a
/// crash or a full disk never leaves a half-written file under the final name.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), RoadsError> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile_in(dir, path)?;
    let res = (|| {
        tmp.1.write_all(bytes)?;
        tmp.1.sync_all()?;
        std::fs::rename(&tmp.0, path)
    })();
    if let Err(e) = res {
        let _ = std::fs::remove_file(&tmp.0);
        return Err(RoadsError::io(path, e));
    }
    Ok(())
}

fn tempfile_in(
    dir: &Path,
    target: &Path,
) -> Result<(std::path::PathBuf, std::fs::File), RoadsError> {
    let base = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    for i in 0..100u32 {
        let p = dir.join(format!(".{base}.tmp{}-{i}", std::process::id()));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&p)
        {
            Ok(f) => return Ok((p, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(RoadsError::io(target, e)),
        }
    }
    Err(RoadsError::Io {
        path: target.to_path_buf(),
        msg: "cannot create a temporary file beside it".into(),
    })
}

/// Serialises a graph into the file format.
pub fn to_bytes(g: &RoadGraph) -> Vec<u8> {
    let payload = encode(g);
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
    out.extend_from_slice(&payload);
    out
}

/// Writes a graph file atomically.
pub fn save(g: &RoadGraph, path: &Path) -> Result<(), RoadsError> {
    write_atomically(path, &to_bytes(g))
}

/// Loads a graph file with one read, checking magic, version and checksum first.
pub fn load(path: &Path) -> Result<RoadGraph, RoadsError> {
    let bytes = std::fs::read(path).map_err(|e| RoadsError::io(path, e))?;
    from_bytes(&bytes, path)
}

/// Parses graph file bytes; `path` only names the file in errors.
pub fn from_bytes(bytes: &[u8], path: &Path) -> Result<RoadGraph, RoadsError> {
    let p = || path.to_path_buf();
    if bytes.len() < 8 || &bytes[..8] != MAGIC {
        return Err(RoadsError::NotAGraph {
            path: p(),
            msg: "wrong magic bytes; an OSM .pbf must be imported first with `corridor import`"
                .into(),
        });
    }
    if bytes.len() < HEADER_LEN {
        return Err(RoadsError::Corrupt {
            path: p(),
            msg: "header is truncated".into(),
        });
    }
    let version = u32::from_le_bytes(bytes[8..12].try_into().unwrap());
    if version != FORMAT_VERSION {
        return Err(RoadsError::Version {
            path: p(),
            found: version,
            expected: FORMAT_VERSION,
        });
    }
    let len = u64::from_le_bytes(bytes[12..20].try_into().unwrap());
    let crc = u32::from_le_bytes(bytes[20..24].try_into().unwrap());
    let payload = &bytes[HEADER_LEN..];
    if payload.len() as u64 != len {
        return Err(RoadsError::Corrupt {
            path: p(),
            msg: format!("payload is {} bytes, header says {len}", payload.len()),
        });
    }
    if crc32fast::hash(payload) != crc {
        return Err(RoadsError::Corrupt {
            path: p(),
            msg: "checksum mismatch".into(),
        });
    }
    decode(payload).map_err(|msg| RoadsError::Corrupt { path: p(), msg })
}
