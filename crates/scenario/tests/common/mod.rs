//! Shared helpers: the bundled map, and scenarios written into temporary folders.

#![allow(dead_code)]

use corridor_roads::{import_pbf, Profile, RoadGraph, Snapper};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

pub fn bundled_map() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/andorra.osm.pbf")
}

pub fn graph() -> &'static RoadGraph {
    static G: OnceLock<RoadGraph> = OnceLock::new();
    G.get_or_init(|| import_pbf(&bundled_map()).expect("bundled map imports"))
}

pub fn snapper(p: Profile) -> &'static Snapper {
    static S: OnceLock<Vec<Snapper>> = OnceLock::new();
    &S.get_or_init(|| {
        Profile::ALL
            .iter()
            .map(|&p| Snapper::new(graph().profile(p), graph().meta.bbox))
            .collect()
    })[p.index()]
}

/// Writes `files` (name, content) into a fresh folder; the manifest is `scenario.toml`.
pub fn write_scenario(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    for (name, content) in files {
        std::fs::write(dir.path().join(name), content).unwrap();
    }
    let manifest = dir.path().join("scenario.toml");
    (dir, manifest)
}

/// A manifest with two hostile parties and the given extra lines (layers first, then tables).
pub fn manifest(layers: &str, tables: &str) -> String {
    format!(
        "name = \"test\"\nas_of = \"2016-07-28\"\nmap = \"{}\"\n{layers}\n\
         [[party]]\nid = \"gov\"\nname = \"Government\"\n\n[[party]]\nid = \"opp\"\nname = \"Opposition\"\n\n{tables}\n",
        bundled_map().display()
    )
}

/// A GeoJSON FeatureCollection of polygons `(party, ring as [lon, lat])`.
pub fn territory(polys: &[(&str, &[[f64; 2]])]) -> String {
    let feats: Vec<String> = polys
        .iter()
        .map(|(party, ring)| {
            let coords: Vec<String> = ring.iter().map(|c| format!("[{}, {}]", c[0], c[1])).collect();
            format!(
                "{{\"type\": \"Feature\", \"properties\": {{\"party\": \"{party}\"}}, \"geometry\": {{\"type\": \"Polygon\", \"coordinates\": [[{}]]}}}}",
                coords.join(", ")
            )
        })
        .collect();
    format!(
        "{{\"type\": \"FeatureCollection\", \"features\": [{}]}}",
        feats.join(",\n")
    )
}

/// A rectangle ring `[lon0, lat0, lon1, lat1]`.
pub fn rect(b: [f64; 4]) -> Vec<[f64; 2]> {
    vec![
        [b[0], b[1]],
        [b[2], b[1]],
        [b[2], b[3]],
        [b[0], b[3]],
        [b[0], b[1]],
    ]
}

pub const CSV_HEADER: &str =
    "event_id_cnty,event_date,event_type,sub_event_type,actor1,actor2,latitude,longitude,fatalities,notes";

pub fn load_err(path: &Path) -> String {
    match corridor_scenario::load(path) {
        Ok(_) => panic!("{} loaded but should not", path.display()),
        Err(e) => e.to_string(),
    }
}
