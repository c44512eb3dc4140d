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
use crate::graph::{on_earth, Edges, Facility, GraphMeta, ProfileGraph, RoadGraph};
use crate::profile::Profile;
use bytemuck::Pod;
use corridor_routing::{Cch, Graph, Landmarks};
use std::io::{Read, Write};
use std::path::Path;

pub const MAGIC: &[u8; 8] = b"CORRGRPH";
/// Bump on any change to the layout above; old files are then refused with a clear message.
/// Version 3 had two forms on two branches (landmarks rounded down; the CCH section); version 4
/// is both: landmark distances rounded down as computed, so that they meet the arc inequalities
/// exactly, and the stored CCH (order and upward edges).
pub const FORMAT_VERSION: u32 = 4;
const HEADER_LEN: usize = 8 + 4 + 8 + 4;

pub(crate) struct Writer(pub(crate) Vec<u8>);

impl Writer {
    pub(crate) fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    pub(crate) fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    pub(crate) fn str(&mut self, s: &str) {
        self.u64(s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
    }
    pub(crate) fn slice<T: Pod>(&mut self, v: &[T]) {
        self.u64(v.len() as u64);
        self.0.extend_from_slice(bytemuck::cast_slice(v));
    }
}

/// Reads the payload as a stream, straight into the arrays (no second copy of the file in
/// memory), hashing every byte on the way; `left` bounds every length read from the file.
pub(crate) struct Reader<R: Read> {
    src: R,
    left: u64,
    crc: crc32fast::Hasher,
}

impl<R: Read> Reader<R> {
    fn fill(&mut self, out: &mut [u8]) -> Result<(), String> {
        if out.len() as u64 > self.left {
            return Err("payload ends early".into());
        }
        self.src
            .read_exact(out)
            .map_err(|e| format!("cannot read the payload: {e}"))?;
        self.crc.update(out);
        self.left -= out.len() as u64;
        Ok(())
    }
    pub(crate) fn u32(&mut self) -> Result<u32, String> {
        let mut b = [0u8; 4];
        self.fill(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    pub(crate) fn u64(&mut self) -> Result<u64, String> {
        let mut b = [0u8; 8];
        self.fill(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    pub(crate) fn str(&mut self) -> Result<String, String> {
        let n = self.u64()?;
        if n > self.left {
            return Err("payload ends early".into());
        }
        let mut b = vec![0u8; n as usize];
        self.fill(&mut b)?;
        String::from_utf8(b).map_err(|_| "a string is not UTF-8".into())
    }
    pub(crate) fn vec<T: Pod>(&mut self) -> Result<Vec<T>, String> {
        let n = self.u64()?;
        let bytes = n
            .checked_mul(std::mem::size_of::<T>() as u64)
            .ok_or("array length overflows")?;
        if bytes > self.left {
            return Err("payload ends early".into());
        }
        let mut v: Vec<T> = bytemuck::zeroed_vec(n as usize);
        self.fill(bytemuck::cast_slice_mut(&mut v))?;
        Ok(v)
    }
    /// Hashes whatever the decoder did not read, so that the checksum can speak first.
    fn drain(&mut self) -> Result<(), String> {
        let mut chunk = vec![0u8; 1 << 16];
        while self.left > 0 {
            let n = self.left.min(chunk.len() as u64) as usize;
            self.fill(&mut chunk[..n])?;
        }
        Ok(())
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
        encode_cch(&mut w, p.cch());
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

fn decode(r: &mut Reader<&mut dyn Read>) -> Result<RoadGraph, String> {
    let source_file = r.str()?;
    let source_sha256 = r.str()?;
    let bbox: Vec<f64> = r.vec()?;
    let bbox: [f64; 4] = bbox.try_into().map_err(|_| "bad bounding box")?;
    if !(on_earth([bbox[0], bbox[1]]) && on_earth([bbox[2], bbox[3]]))
        || bbox[0] > bbox[2]
        || bbox[1] > bbox[3]
    {
        return Err("the bounding box is not an ordered, finite box on the earth".into());
    }
    let count = r.u32()?;
    if count as usize != Profile::ALL.len() {
        return Err(format!(
            "{count} profiles where {} were expected",
            Profile::ALL.len()
        ));
    }
    let mut profiles = Vec::new();
    for expected in &Profile::ALL {
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
        let cch = decode_cch(r, &graph)?;
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
    let inside =
        |c: &[f64; 2]| (bbox[0]..=bbox[2]).contains(&c[0]) && (bbox[1]..=bbox[3]).contains(&c[1]);
    if !profiles.iter().all(|p| p.node_coord.iter().all(inside)) {
        return Err("a node lies outside the bounding box".into());
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
        if !on_earth(coord) {
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
    if r.left != 0 {
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
pub(crate) fn encode_cch(w: &mut Writer, cch: &Cch) {
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
pub(crate) fn decode_cch<R: Read>(r: &mut Reader<R>, graph: &Graph) -> Result<Cch, String> {
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

/// One file format framed by the common header: its magic, its version and what to tell a
/// user who gave another kind of file. The road graph file and the topology file
/// ([`crate::topology_file`]) share the header, the checksum and the streaming reader.
pub(crate) struct Format {
    pub(crate) magic: &'static [u8; 8],
    pub(crate) version: u32,
    pub(crate) wrong_magic: &'static str,
}

/// The road graph file.
const GRAPH: Format = Format {
    magic: MAGIC,
    version: FORMAT_VERSION,
    wrong_magic: "wrong magic bytes; an OSM .pbf must be imported first with `corridor import`",
};

/// Decodes a payload from the streaming reader (which bounds and hashes every byte).
pub(crate) type Decoder<T> = fn(&mut Reader<&mut dyn Read>) -> Result<T, String>;

/// Frames `payload` with `format`'s header (magic, version, length, CRC-32).
pub(crate) fn frame(format: &Format, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
    out.extend_from_slice(format.magic);
    out.extend_from_slice(&format.version.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

/// Serialises a graph into the file format.
pub fn to_bytes(g: &RoadGraph) -> Vec<u8> {
    frame(&GRAPH, &encode(g))
}

/// Writes a graph file atomically.
pub fn save(g: &RoadGraph, path: &Path) -> Result<(), RoadsError> {
    write_atomically(path, &to_bytes(g))
}

/// Loads a graph file, checking magic, version and length first; the payload is read as a
/// stream into its arrays and its checksum verified before the graph is returned (a damaged
/// file is reported as a checksum mismatch even when its damage also breaks an array).
pub fn load(path: &Path) -> Result<RoadGraph, RoadsError> {
    load_framed(&GRAPH, path, decode)
}

/// Parses graph file bytes; `path` only names the file in errors.
pub fn from_bytes(bytes: &[u8], path: &Path) -> Result<RoadGraph, RoadsError> {
    from_framed_bytes(&GRAPH, bytes, path, decode)
}

/// Loads a file of `format`: header first, then the payload streamed through `decode`, then
/// the checksum over every payload byte.
pub(crate) fn load_framed<T>(
    format: &Format,
    path: &Path,
    decode: Decoder<T>,
) -> Result<T, RoadsError> {
    let file = std::fs::File::open(path).map_err(|e| RoadsError::io(path, e))?;
    let size = file.metadata().map_err(|e| RoadsError::io(path, e))?.len();
    let mut src = std::io::BufReader::with_capacity(1 << 16, file);
    let mut header = Vec::with_capacity(HEADER_LEN);
    (&mut src)
        .take(HEADER_LEN as u64)
        .read_to_end(&mut header)
        .map_err(|e| RoadsError::io(path, e))?;
    let available = size.saturating_sub(HEADER_LEN as u64);
    let (len, crc) = check_header(format, &header, available, path)?;
    decode_checked(&mut src, len, crc, path, decode)
}

/// Parses the bytes of a file of `format`; `path` only names the file in errors.
pub(crate) fn from_framed_bytes<T>(
    format: &Format,
    bytes: &[u8],
    path: &Path,
    decode: Decoder<T>,
) -> Result<T, RoadsError> {
    let available = bytes.len().saturating_sub(HEADER_LEN) as u64;
    let (len, crc) = check_header(format, bytes, available, path)?;
    decode_checked(&mut &bytes[HEADER_LEN..], len, crc, path, decode)
}

/// Checks magic, version and payload length (`available` bytes follow the header); returns
/// the payload's length and checksum.
fn check_header(
    format: &Format,
    bytes: &[u8],
    available: u64,
    path: &Path,
) -> Result<(u64, u32), RoadsError> {
    let p = || path.to_path_buf();
    if bytes.len() < 8 || &bytes[..8] != format.magic {
        return Err(RoadsError::NotAGraph {
            path: p(),
            msg: format.wrong_magic.into(),
        });
    }
    if bytes.len() < HEADER_LEN {
        return Err(RoadsError::Corrupt {
            path: p(),
            msg: "header is truncated".into(),
        });
    }
    let version = u32::from_le_bytes(bytes[8..12].try_into().unwrap());
    if version != format.version {
        return Err(RoadsError::Version {
            path: p(),
            found: version,
            expected: format.version,
        });
    }
    let len = u64::from_le_bytes(bytes[12..20].try_into().unwrap());
    let crc = u32::from_le_bytes(bytes[20..24].try_into().unwrap());
    if available != len {
        return Err(RoadsError::Corrupt {
            path: p(),
            msg: format!("payload is {available} bytes, header says {len}"),
        });
    }
    Ok((len, crc))
}

/// Decodes `len` payload bytes from `src`, then checks the checksum over all of them.
fn decode_checked<T>(
    src: &mut dyn Read,
    len: u64,
    crc: u32,
    path: &Path,
    decode: Decoder<T>,
) -> Result<T, RoadsError> {
    let corrupt = |msg: String| RoadsError::Corrupt {
        path: path.to_path_buf(),
        msg,
    };
    let mut r = Reader {
        src,
        left: len,
        crc: crc32fast::Hasher::new(),
    };
    let decoded = decode(&mut r).and_then(|t| {
        if r.left != 0 {
            return Err("trailing bytes after the last section".to_string());
        }
        Ok(t)
    });
    r.drain().map_err(corrupt)?;
    if r.crc.finalize() != crc {
        return Err(corrupt("checksum mismatch".into()));
    }
    decoded.map_err(corrupt)
}
