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
