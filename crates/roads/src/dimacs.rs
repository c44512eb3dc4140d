//! DIMACS/PACE road topologies (no coordinates, e.g. the PACE 2016 US graphs the peer figures
//! use): reading the `.gr` text and preparing it with a coordinate-free order and its CCH, to
//! be stored as a topology file ([`crate::topology_file`]).

use crate::error::RoadsError;
use crate::topology_file::Topology;
use corridor_routing::{metis_order, Cch, Graph};
use std::path::Path;

/// Reads a `.gr` / `.gr.xz` topology, orders it (METIS: no coordinates needed) and contracts
/// it: what `corridor import --dimacs` stores.
pub fn prepare(path: &Path) -> Result<Topology, RoadsError> {
    let raw = std::fs::read(path).map_err(|e| RoadsError::io(path, e))?;
    let graph = parse(path, &raw)?;
    let cch = Cch::new(&graph, metis_order(&graph));
    Ok(Topology {
        source_file: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        source_sha256: crate::sha256_hex(&raw),
        graph,
        cch,
    })
}

fn bad_file(path: &Path, msg: String) -> RoadsError {
    RoadsError::Graph {
        path: path.to_path_buf(),
        msg,
    }
}

/// Parses the bytes of a PACE/DIMACS `.gr` topology (`p tw N M`, then `u v` per line, 1-based;
/// xz-compressed if `path` ends in `.xz`) into a graph with both directions of every edge.
///
/// The text is parsed line by line as the decompressor writes it ([`LineParser`]), never held
/// whole: a small crafted `.xz` that expands to gigabytes costs time, not memory, and nothing
/// is allocated for nodes until the text is known to be long enough to describe them.
pub fn parse(path: &Path, raw: &[u8]) -> Result<Graph, RoadsError> {
    let mut parser = LineParser::new(path);
    if path.extension().and_then(|e| e.to_str()) == Some("xz") {
        let res = lzma_rs::xz_decompress(&mut std::io::BufReader::new(raw), &mut parser);
        if let Some(e) = parser.error.take() {
            return Err(e);
        }
        res.map_err(|e| bad_file(path, format!("not a valid .xz file: {e}")))?;
    } else {
        use std::io::Write;
        if parser.write_all(raw).is_err() {
            return Err(parser.error.take().expect("a parse error"));
        }
    }
    parser.finish()
}

/// Longest line accepted: a `.gr` line is two numbers (or a comment); a longer one is refused
/// rather than buffered without end.
const MAX_LINE_BYTES: usize = 4096;

/// The `.gr` parser as a byte sink: complete lines are parsed as they arrive.
struct LineParser<'p> {
    path: &'p Path,
    /// The bytes of the line not yet ended by `\n`.
    partial: Vec<u8>,
    /// Lines seen so far and bytes of text seen so far.
    line: usize,
    bytes: usize,
    /// `(N, M, line of the p line)`.
    header: Option<(usize, usize, usize)>,
    arcs: Vec<(u32, u32)>,
    /// The first error, kept for the caller (the decompressor only sees an I/O error).
    error: Option<RoadsError>,
}

impl<'p> LineParser<'p> {
    fn new(path: &'p Path) -> Self {
        LineParser {
            path,
            partial: Vec::new(),
            line: 0,
            bytes: 0,
            header: None,
            arcs: Vec::new(),
            error: None,
        }
    }

    fn line(&mut self, bytes: &[u8]) -> Result<(), RoadsError> {
        self.line += 1;
        let i = self.line;
        let bad = || bad_file(self.path, format!("line {i}: expected 'p tw N M' or 'u v'"));
        let line = std::str::from_utf8(bytes)
            .map_err(|_| bad_file(self.path, format!("line {i}: not text (not UTF-8)")))?
            .trim();
        if line.is_empty() || line.starts_with('c') {
            return Ok(());
        }
        let mut it = line.split_whitespace();
        if line.starts_with('p') {
            if self.header.is_some() {
                return Err(bad_file(self.path, format!("line {i}: a second 'p' line")));
            }
            let (n, m) = problem_line(self.path, i, it)?;
            self.header = Some((n, m, i));
            return Ok(());
        }
        let (nn, _, _) = self.header.ok_or_else(bad)?;
        let u: usize = it.next().and_then(|x| x.parse().ok()).ok_or_else(bad)?;
        let v: usize = it.next().and_then(|x| x.parse().ok()).ok_or_else(bad)?;
        if u == 0 || v == 0 || u > nn || v > nn {
            return Err(bad_file(
                self.path,
                format!("line {i}: node id out of 1..={nn}"),
            ));
        }
        self.arcs.push((u as u32 - 1, v as u32 - 1));
        self.arcs.push((v as u32 - 1, u as u32 - 1));
        Ok(())
    }

    fn feed(&mut self, mut buf: &[u8]) -> Result<(), RoadsError> {
        self.bytes += buf.len();
        while let Some(end) = buf.iter().position(|&b| b == b'\n') {
            if self.partial.is_empty() {
                self.line(&buf[..end])?;
            } else {
                let mut whole = std::mem::take(&mut self.partial);
                whole.extend_from_slice(&buf[..end]);
                self.line(&whole)?;
            }
            buf = &buf[end + 1..];
        }
        self.partial.extend_from_slice(buf);
        if self.partial.len() > MAX_LINE_BYTES {
            return Err(bad_file(
                self.path,
                format!("line {}: longer than {MAX_LINE_BYTES} bytes", self.line + 1),
            ));
        }
        Ok(())
    }

    /// The last line, then the whole-file checks: a `p` line, `M` edges, `N` bounded by the
    /// text's length in bytes (a node costs 4 bytes of offsets and its share of the order and
    /// the CCH, so a two-line file claiming four billion nodes must not allocate 16 GB; an
    /// honest file names its nodes in edge lines and is longer than their count).
    fn finish(mut self) -> Result<Graph, RoadsError> {
        if !self.partial.is_empty() {
            let last = std::mem::take(&mut self.partial);
            self.line(&last)?;
        }
        let path = self.path;
        let (n, m, p_line) = self
            .header
            .ok_or_else(|| bad_file(path, "no 'p' line".into()))?;
        if n > self.bytes {
            return Err(bad_file(
                path,
                format!(
                    "line {p_line}: 'p' claims {n} nodes, more than a {}-byte file can describe",
                    self.bytes
                ),
            ));
        }
        let edges = self.arcs.len() / 2;
        if edges != m {
            return Err(bad_file(
                path,
                format!("the 'p' line says {m} edges, the file lists {edges}"),
            ));
        }
        Ok(Graph::from_arcs(n, &self.arcs).0)
    }
}

impl std::io::Write for LineParser<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.error.is_some() {
            return Err(std::io::Error::other("parse error"));
        }
        match self.feed(buf) {
            Ok(()) => Ok(buf.len()),
            Err(e) => {
                self.error = Some(e);
                Err(std::io::Error::other("parse error"))
            }
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Reads `p tw N M` (the words after `p`) on line `line`.
fn problem_line<'l>(
    path: &Path,
    line: usize,
    mut words: impl Iterator<Item = &'l str>,
) -> Result<(usize, usize), RoadsError> {
    let bad = || bad_file(path, format!("line {line}: expected 'p tw N M'"));
    let (p, kind) = (words.next(), words.next());
    if p != Some("p") || kind.is_none() {
        return Err(bad());
    }
    let mut number = || -> Result<usize, RoadsError> {
        words.next().and_then(|x| x.parse().ok()).ok_or_else(bad)
    };
    let (n, m) = (number()?, number()?);
    if n >= u32::MAX as usize {
        return Err(bad_file(
            path,
            format!("line {line}: 'p' claims {n} nodes, more than 32-bit node ids hold"),
        ));
    }
    Ok((n, m))
}
