//! The topology file: a road topology without coordinates (a DIMACS/PACE `.gr` graph) with its
//! contraction order and CCH, so that a process loads a country-size hierarchy instead of
//! ordering and contracting it again (NE: 6.3 s of order and build on every run before).
//!
//! A sibling of the graph file ([`crate::file`]): the same header, CRC-32 and streaming reader,
//! the same CCH section and its checks, with its own magic so that neither is mistaken for the
//! other.
//!
//! Layout (all little-endian):
//! ```text
//! magic        8 bytes  "CORRTOPO"
//! version      u32      TOPOLOGY_VERSION
//! payload_len  u64
//! payload_crc  u32      CRC-32 of the payload
//! payload:
//!   source_file str, source_sha256 str (of the source file's bytes as read, e.g. the .gr.xz),
//!   first_out [u32] (node_count + 1 offsets), head [u32] (per arc),
//!   CCH section (see `file::encode_cch`): order [u32], upward edge offsets [u32], heads [u32]
//! ```
//! Invariants checked on every load (a crafted file with a valid CRC is refused with a one-line
//! error, never a panic): the CSR offsets start at 0, grow and span the arcs, every head is a
//! node (`Graph::from_csr`); the order is a permutation, the upward edges sorted, in range,
//! chordal and covering every arc, at most 32 per arc plus one per node (`Cch::from_parts`); no
//! byte after the last section.

use crate::error::RoadsError;
use crate::file::{self, Format, Reader, Writer};
use corridor_routing::{Cch, Graph};
use std::io::Read;
use std::path::Path;

pub const TOPOLOGY_MAGIC: &[u8; 8] = b"CORRTOPO";
/// Bump on any change to the layout above.
pub const TOPOLOGY_VERSION: u32 = 1;

const TOPOLOGY: Format = Format {
    magic: TOPOLOGY_MAGIC,
    version: TOPOLOGY_VERSION,
    wrong_magic: "wrong magic bytes; a DIMACS .gr topology must be prepared first with \
                  `corridor import --dimacs FILE.gr.xz -o FILE.topo`",
};

/// A topology with its CCH, as stored.
#[derive(Debug, Clone)]
pub struct Topology {
    /// The file the topology was read from (its name only), and the SHA-256 of its bytes, so
    /// that figures name what they were measured on.
    pub source_file: String,
    pub source_sha256: String,
    pub graph: Graph,
    /// The metric-independent hierarchy of `graph` (its order and chordal supergraph).
    pub cch: Cch,
}

/// Does `bytes` start like a topology file (to tell it from a text `.gr` by content)?
pub fn is_topology_file(bytes: &[u8]) -> bool {
    bytes.starts_with(TOPOLOGY_MAGIC)
}

fn encode(t: &Topology) -> Vec<u8> {
    let mut w = Writer(Vec::new());
    w.str(&t.source_file);
    w.str(&t.source_sha256);
    w.slice(t.graph.first_out());
    w.slice(t.graph.head());
    file::encode_cch(&mut w, &t.cch);
    w.0
}

fn decode(r: &mut Reader<&mut dyn Read>) -> Result<Topology, String> {
    let source_file = r.str()?;
    let source_sha256 = r.str()?;
    let first_out = r.vec()?;
    let head = r.vec()?;
    let graph = Graph::from_csr(first_out, head)?;
    let cch = file::decode_cch(r, &graph)?;
    Ok(Topology {
        source_file,
        source_sha256,
        graph,
        cch,
    })
}

/// Serialises a topology and its CCH into the file format.
pub fn to_bytes(t: &Topology) -> Vec<u8> {
    file::frame(&TOPOLOGY, &encode(t))
}

/// Writes a topology file atomically (temporary file, then rename).
pub fn save(t: &Topology, path: &Path) -> Result<(), RoadsError> {
    file::write_atomically(path, &to_bytes(t))
}

/// Loads and checks a topology file (see the module docs for what is checked).
pub fn load(path: &Path) -> Result<Topology, RoadsError> {
    file::load_framed(&TOPOLOGY, path, decode)
}

/// Parses topology file bytes; `path` only names the file in errors.
pub fn from_bytes(bytes: &[u8], path: &Path) -> Result<Topology, RoadsError> {
    file::from_framed_bytes(&TOPOLOGY, bytes, path, decode)
}
