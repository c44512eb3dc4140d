//! `corridor bench`: import time, graph size, load time and query latency on one map, so that
//! speed claims in BENCHMARKS.md come from a command anyone can re-run.

mod access;
mod cch;
mod cch_wide;
mod dimacs;
mod evacuation;
mod map;
mod scenario;
mod siege;

use anyhow::Result;
use clap::{Args, ValueEnum};
use std::path::PathBuf;

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum BenchFormat {
    Text,
    Json,
}

#[derive(Args)]
pub struct BenchArgs {
    /// The OSM .pbf extract to measure.
    #[arg(long, required_unless_present_any = ["scenario", "dimacs", "evacuation", "access", "siege"])]
    pub map: Option<PathBuf>,
    /// Measure applying a scenario instead: laying it onto the map, recomputing all edge risks
    /// for `--incidents` random incidents, and building arc weights.
    #[arg(long, conflicts_with = "map")]
    pub scenario: Option<PathBuf>,
    /// Random incidents for the scenario benchmark.
    #[arg(long, default_value_t = 10_000)]
    pub incidents: usize,
    /// Measure the routing core on a DIMACS/PACE road topology (`.gr` or `.gr.xz`, `p tw N M`
    /// then `u v` per line, 1-based): both directions, unit weights (hop count), as the peer
    /// figures use. Reports Dijkstra and A*-with-landmarks queries (`--queries`, default 10,000:
    /// use ~100 on million-node graphs).
    #[arg(long, conflicts_with_all = ["map", "scenario"])]
    pub dimacs: Option<PathBuf>,
    /// Measure evacuation planning on a map: a synthetic enclave of up to 2 × 2 km around the densest
    /// part of the road network, `--people` in an 8 × 8 grid of neighbourhoods, four suggested
    /// crossings (three civilian, one combatant). `--evacuation data/andorra.osm.pbf`.
    #[arg(long, conflicts_with_all = ["map", "scenario", "dimacs"])]
    pub evacuation: Option<PathBuf>,
    /// Measure health-care access on a map: a grid of `--points` population points over the
    /// road network's extent, the map's facilities all working; one multi-source search per
    /// profile.
    #[arg(long, conflicts_with_all = ["map", "scenario", "dimacs", "evacuation"])]
    pub access: Option<PathBuf>,
    /// Measure the siege analysis on a map, per stage and per engine (Dijkstra, CCH, auto): the
    /// evacuation benchmark's synthetic enclave with the besieger's ground a 1 km band around
    /// it open to the east, and 40 shellings within 3 km; fails if the engines' reports differ.
    #[arg(long, conflicts_with_all = ["map", "scenario", "dimacs", "evacuation", "access"])]
    pub siege: Option<PathBuf>,
    /// Population points in the access benchmark.
    #[arg(long, default_value_t = 10_000)]
    pub points: usize,
    /// People in the evacuation benchmark.
    #[arg(long, default_value_t = 250_000.0)]
    pub people: f64,
    /// Screening capacity of each civilian checkpoint in the evacuation benchmark, people per
    /// hour; 200000 makes the checkpoints wide enough that streets are the bottleneck.
    #[arg(long, default_value_t = 2000.0)]
    pub checkpoint_capacity: f64,
    /// In the evacuation benchmark, assemble all combatants at the neighbourhood nearest the
    /// combatant crossing (an `[[evacuation.assembly_points]]` entry) instead of spreading them
    /// over the neighbourhoods in proportion to their people.
    #[arg(long)]
    pub combatants_assembled: bool,
    /// Random query pairs per profile.
    #[arg(long, default_value_t = 10_000)]
    pub queries: usize,
    /// Seed of the random pairs, so runs are comparable.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[arg(long, value_enum, default_value = "text")]
    pub format: BenchFormat,
}

pub(crate) fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

pub fn run(args: &BenchArgs) -> Result<()> {
    if let Some(s) = &args.scenario {
        return scenario::bench_scenario(s, args);
    }
    if let Some(d) = &args.dimacs {
        return dimacs::bench_dimacs(d, args);
    }
    if let Some(m) = &args.evacuation {
        return evacuation::bench_evacuation(m, args);
    }
    if let Some(m) = &args.access {
        return access::bench_access(m, args);
    }
    if let Some(m) = &args.siege {
        return siege::bench_siege(m, args);
    }
    map::bench_map(args)
}

pub(crate) fn rayon_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}
