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
pub fn parse(path: &Path, raw: &[u8]) -> Result<Graph, RoadsError> {
    let decompressed;
    let text: &[u8] = if path.extension().and_then(|e| e.to_str()) == Some("xz") {
        let mut out = Vec::new();
        lzma_rs::xz_decompress(&mut std::io::BufReader::new(raw), &mut out)
            .map_err(|e| bad_file(path, format!("not a valid .xz file: {e}")))?;
        decompressed = out;
        &decompressed
    } else {
        raw
    };
    let text =
        std::str::from_utf8(text).map_err(|_| bad_file(path, "not a text .gr file".into()))?;
    let mut header: Option<(usize, usize)> = None;
    let mut arcs: Vec<(u32, u32)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('c') {
            continue;
        }
        let bad = || {
            bad_file(
                path,
                format!("line {}: expected 'p tw N M' or 'u v'", i + 1),
            )
        };
        let mut it = line.split_whitespace();
        if line.starts_with('p') {
            if header.is_some() {
                return Err(bad_file(path, format!("line {}: a second 'p' line", i + 1)));
            }
            header = Some(problem_line(path, i + 1, it, text.len())?);
            continue;
        }
        let (nn, _) = header.ok_or_else(bad)?;
        let u: usize = it.next().and_then(|x| x.parse().ok()).ok_or_else(bad)?;
        let v: usize = it.next().and_then(|x| x.parse().ok()).ok_or_else(bad)?;
        if u == 0 || v == 0 || u > nn || v > nn {
            return Err(bad_file(
                path,
                format!("line {}: node id out of 1..={nn}", i + 1),
            ));
        }
        arcs.push((u as u32 - 1, v as u32 - 1));
        arcs.push((v as u32 - 1, u as u32 - 1));
    }
    let (n, m) = header.ok_or_else(|| bad_file(path, "no 'p' line".into()))?;
    if arcs.len() / 2 != m {
        return Err(bad_file(
            path,
            format!(
                "the 'p' line says {m} edges, the file lists {}",
                arcs.len() / 2
            ),
        ));
    }
    Ok(Graph::from_arcs(n, &arcs).0)
}

/// Reads `p tw N M` (the words after `p`) on line `line`. `N` is bounded by the text's length
/// in bytes (`text_len`): a node costs 4 bytes of offsets and its share of the order and the
/// CCH, so a two-line file claiming four billion nodes must not allocate 16 GB before anything
/// else is read; an honest file names its nodes in edge lines and is longer than their count.
fn problem_line<'l>(
    path: &Path,
    line: usize,
    mut words: impl Iterator<Item = &'l str>,
    text_len: usize,
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
    if n >= u32::MAX as usize || n > text_len {
        return Err(bad_file(
            path,
            format!(
                "line {line}: 'p' claims {n} nodes, more than a {text_len}-byte file can describe"
            ),
        ));
    }
    Ok((n, m))
}
