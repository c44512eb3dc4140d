//! Shared by the analysis tests: the bundled map, the example scenario, and edited copies of it.

#![allow(dead_code)]

use corridor_roads::{import_pbf, Profile, RoadGraph, Snapper};
use corridor_scenario::{Scenario, ScenarioMap};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn graph() -> &'static RoadGraph {
    static G: OnceLock<RoadGraph> = OnceLock::new();
    G.get_or_init(|| import_pbf(&root().join("data/andorra.osm.pbf")).unwrap())
}

pub fn snappers() -> &'static [Snapper] {
    static S: OnceLock<Vec<Snapper>> = OnceLock::new();
    S.get_or_init(|| {
        Profile::ALL
            .iter()
            .map(|&p| Snapper::new(graph().profile(p), graph().meta.bbox))
            .collect()
    })
}

/// The scenario laid onto both profiles, `[foot, car]`.
pub fn maps(s: &Scenario) -> Vec<ScenarioMap<'_>> {
    let g = graph();
    Profile::ALL
        .iter()
        .map(|&p| ScenarioMap::new(s, g.profile(p), g.meta.bbox, &snappers()[p.index()]).unwrap())
        .collect()
}

/// Loads a scenario and places its declared points on the bundled map, as the CLI does.
pub fn load_placed(path: &Path) -> Scenario {
    let mut s = corridor_scenario::load(path).unwrap();
    corridor_scenario::place(&mut s, graph(), snappers());
    s
}

pub fn example() -> Scenario {
    load_placed(&root().join("data/scenarios/andorra-siege/scenario.toml"))
}

/// A copy of the example scenario's folder with `edit` applied to the manifest and `files`
/// written over (or beside) its layers; the map path points at the bundled map.
pub fn example_dir(edit: impl Fn(String) -> String, files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = root().join("data/scenarios/andorra-siege");
    for entry in std::fs::read_dir(&src).unwrap() {
        let f = entry.unwrap().file_name();
        std::fs::copy(src.join(&f), dir.path().join(&f)).unwrap();
    }
    let m = std::fs::read_to_string(src.join("scenario.toml"))
        .unwrap()
        .replace(
            "../../andorra.osm.pbf",
            root().join("data/andorra.osm.pbf").to_str().unwrap(),
        );
    std::fs::write(dir.path().join("scenario.toml"), edit(m)).unwrap();
    for (name, content) in files {
        std::fs::write(dir.path().join(name), content).unwrap();
    }
    dir
}

/// Loads the scenario in a folder made by [`example_dir`].
pub fn load_dir(dir: &Path) -> Scenario {
    load_placed(&dir.join("scenario.toml"))
}

/// The example's incidents with `lines` appended.
pub fn incidents_plus(lines: &str) -> String {
    std::fs::read_to_string(root().join("data/scenarios/andorra-siege/incidents.csv")).unwrap()
        + lines
}

/// A hand-built graph from `(tail, head, seconds, resource)` arcs: the graph, and per graph arc
/// its travel time and capacity resource (the graph may renumber arcs; this undoes it).
pub fn graph_of_arcs(
    nodes: usize,
    arcs: &[(u32, u32, f64, u32)],
) -> (corridor_routing::Graph, Vec<f64>, Vec<u32>) {
    let pairs: Vec<(u32, u32)> = arcs.iter().map(|a| (a.0, a.1)).collect();
    let (g, ids) = corridor_routing::Graph::from_arcs(nodes, &pairs);
    let mut travel = vec![0.0; arcs.len()];
    let mut resource = vec![corridor_routing::INVALID; arcs.len()];
    for (i, a) in arcs.iter().enumerate() {
        travel[ids[i] as usize] = a.2;
        resource[ids[i] as usize] = a.3;
    }
    (g, travel, resource)
}

/// Every simple path from `from` to `to` over arcs with a road, as its set of roads (at most
/// `limit`; `None` if there are more) — the brute-force oracles' enumeration of combatant
/// routings.
pub fn simple_paths_roads(
    g: &corridor_routing::Graph,
    road: &[u32],
    from: u32,
    to: u32,
    limit: usize,
) -> Option<Vec<std::collections::BTreeSet<u32>>> {
    struct Walk<'a> {
        g: &'a corridor_routing::Graph,
        road: &'a [u32],
        to: u32,
        limit: usize,
        on: Vec<bool>,
        roads: Vec<u32>,
        out: Vec<std::collections::BTreeSet<u32>>,
    }
    impl Walk<'_> {
        /// False once more than `limit` paths are found.
        fn from(&mut self, v: u32) -> bool {
            if v == self.to {
                self.out.push(self.roads.iter().copied().collect());
                return self.out.len() <= self.limit;
            }
            for a in self.g.out_arcs(v) {
                let h = self.g.arc_head(a);
                if self.road[a as usize] == corridor_routing::INVALID || self.on[h as usize] {
                    continue;
                }
                self.on[h as usize] = true;
                self.roads.push(self.road[a as usize]);
                let ok = self.from(h);
                self.roads.pop();
                self.on[h as usize] = false;
                if !ok {
                    return false;
                }
            }
            true
        }
    }
    let mut w = Walk {
        g,
        road,
        to,
        limit,
        on: vec![false; g.node_count()],
        roads: Vec::new(),
        out: Vec::new(),
    };
    w.on[from as usize] = true;
    w.from(from).then_some(w.out)
}
