//! DIMACS/PACE road topologies on the command line: preparing one into a topology file with
//! its order and CCH (`corridor import --dimacs`), and opening either form.

use anyhow::{Context, Result};
use corridor_roads::{dimacs, topology_file};
use corridor_routing::{Cch, Graph};
use std::path::Path;
use std::time::Instant;

/// A topology as opened: the graph and, from a prepared file, its stored CCH.
pub struct Opened {
    pub graph: Graph,
    pub cch: Option<Cch>,
}

/// Opens a prepared topology file (by its magic bytes) or a `.gr` / `.gr.xz` text topology.
pub fn open(path: &Path) -> Result<Opened> {
    if starts_like_topology_file(path)? {
        let t = topology_file::load(path)?;
        return Ok(Opened {
            graph: t.graph,
            cch: Some(t.cch),
        });
    }
    let raw = std::fs::read(path).with_context(|| format!("{}", path.display()))?;
    Ok(Opened {
        graph: dimacs::parse(path, &raw)?,
        cch: None,
    })
}

fn starts_like_topology_file(path: &Path) -> Result<bool> {
    use std::io::Read;
    let mut head = Vec::with_capacity(8);
    std::fs::File::open(path)
        .and_then(|f| f.take(8).read_to_end(&mut head))
        .with_context(|| format!("{}", path.display()))?;
    Ok(topology_file::is_topology_file(&head))
}

/// `corridor import --dimacs`: reads the topology, orders it (METIS, coordinate-free),
/// contracts it and writes graph, order and CCH to `output` atomically.
pub fn import_command(input: &Path, output: &Path) -> Result<()> {
    let t = Instant::now();
    let topology = dimacs::prepare(input)?;
    let prepare_s = t.elapsed().as_secs_f64();
    topology_file::save(&topology, output)?;
    let size = std::fs::metadata(output).map(|m| m.len()).unwrap_or(0);
    eprintln!(
        "corridor: wrote {} ({} nodes, {} arcs, {} CCH edges, {:.1} MB): read, order and CCH {:.2} s, write {:.2} s",
        output.display(),
        topology.graph.node_count(),
        topology.graph.arc_count(),
        topology.cch.edge_count(),
        size as f64 / 1e6,
        prepare_s,
        t.elapsed().as_secs_f64() - prepare_s
    );
    Ok(())
}
