//! Snapping checked against brute force, and the graph file against round trips and damage.

mod common;

use corridor_roads::geometry::haversine_m;
use corridor_roads::{file, import_pbf, Profile, RoadGraph, RoadsError, Snapper};
use proptest::prelude::*;
use std::path::PathBuf;
use std::sync::OnceLock;

fn graph() -> &'static RoadGraph {
    static G: OnceLock<RoadGraph> = OnceLock::new();
    G.get_or_init(|| {
        import_pbf(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/andorra.osm.pbf"))
            .unwrap()
    })
}

fn snappers() -> &'static [Snapper] {
    static S: OnceLock<Vec<Snapper>> = OnceLock::new();
    S.get_or_init(|| {
        Profile::ALL
            .iter()
            .map(|&p| Snapper::new(graph().profile(p), graph().meta.bbox))
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    /// Against brute force by haversine over every segment (tests/common): the nearest edge's
    /// distance, and the snapped point on its edge at the offset it reports.
    #[test]
    fn snapped_point_is_on_its_edge_and_no_edge_is_closer(
        fx in 0.0f64..1.0, fy in 0.0f64..1.0, car in any::<bool>()
    ) {
        let rg = graph();
        let profile = if car { Profile::Car } else { Profile::Foot };
        let g = rg.profile(profile);
        let snapper = &snappers()[profile.index()];
        let b = rg.meta.bbox;
        let q = [b[0] + fx * (b[2] - b[0]), b[1] + fy * (b[3] - b[1])];
        let s = snapper.nearest_where(g, q, f64::INFINITY, |_| true).unwrap();
        let brute = common::brute_force_snap(g, q, 0.0, |_| true);
        prop_assert!((s.distance_m - brute[0].distance_m).abs() < 0.01,
            "snap {} m, brute force {} m", s.distance_m, brute[0].distance_m);
        // The reported distance is the haversine to the reported point, which lies on the
        // edge's shape at the reported offset.
        prop_assert!((haversine_m(q, s.point) - s.distance_m).abs() < 1e-6);
        let on_edge = g.edge_subshape(s.edge, s.offset_m, s.offset_m)[0];
        prop_assert!(haversine_m(on_edge, s.point) < 0.05, "{} m off", haversine_m(on_edge, s.point));
        prop_assert!(s.offset_m >= 0.0 && s.offset_m <= g.edges.length_m[s.edge as usize] + 1e-9);
    }
}

#[test]
fn snapping_refuses_points_beyond_the_limit() {
    let rg = graph();
    let g = rg.profile(Profile::Foot);
    let s = &snappers()[0];
    // 0.1° north of the map's top edge is > 10 km from any road.
    let far = [rg.meta.bbox[0], rg.meta.bbox[3] + 0.1];
    assert!(s.snap(g, far, 500.0).is_none());
    let near = g.node_coord[0];
    let snap = s.snap(g, near, 500.0).unwrap();
    assert!(snap.distance_m < 1e-6);
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

#[test]
fn graph_file_round_trips() {
    let rg = graph();
    let dir = tmp();
    let path = dir.path().join("a.graph");
    file::save(rg, &path).unwrap();
    let back = file::load(&path).unwrap();
    assert_eq!(back.meta, rg.meta);
    assert_eq!(back.facilities, rg.facilities);
    for p in Profile::ALL {
        let (a, b) = (rg.profile(p), back.profile(p));
        assert_eq!(a.graph, b.graph);
        assert_eq!(a.node_coord, b.node_coord);
        assert_eq!(a.node_osm_id, b.node_osm_id);
        assert_eq!(a.arc_edge, b.arc_edge);
        assert_eq!(a.arc_duration_s, b.arc_duration_s);
        assert_eq!(a.edges, b.edges);
        assert_eq!(a.names, b.names);
    }
    // No temporary file is left beside it.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("a.graph")]);
}

#[test]
fn damaged_graph_files_are_refused_with_their_reason() {
    let bytes = file::to_bytes(graph());
    let p = PathBuf::from("x.graph");
    // A flipped bit in the payload.
    let mut flipped = bytes.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x40;
    let e = file::from_bytes(&flipped, &p).unwrap_err();
    assert!(matches!(e, RoadsError::Corrupt { .. }), "{e}");
    assert!(
        e.to_string().contains("x.graph") && e.to_string().contains("checksum"),
        "{e}"
    );
    // Truncated.
    let e = file::from_bytes(&bytes[..bytes.len() - 100], &p).unwrap_err();
    assert!(matches!(e, RoadsError::Corrupt { .. }), "{e}");
    // Another format version.
    let mut v2 = bytes.clone();
    v2[8..12].copy_from_slice(&(file::FORMAT_VERSION + 1).to_le_bytes());
    let e = file::from_bytes(&v2, &p).unwrap_err();
    assert!(
        matches!(e, RoadsError::Version { found, .. } if found == file::FORMAT_VERSION + 1),
        "{e}"
    );
    // Not a graph file at all (an OSM PBF).
    let pbf =
        std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/andorra.osm.pbf"))
            .unwrap();
    let e = file::from_bytes(&pbf, &p).unwrap_err();
    assert!(matches!(e, RoadsError::NotAGraph { .. }), "{e}");
    // A payload with a valid checksum but inconsistent arrays is caught by validation.
    let mut bad = bytes.clone();
    let payload_start = 24;
    // Overwrite the first byte of the source file name's length to something huge, then fix the CRC.
    bad[payload_start + 7] = 0x7f;
    let crc = crc32fast::hash(&bad[payload_start..]);
    bad[20..24].copy_from_slice(&crc.to_le_bytes());
    let e = file::from_bytes(&bad, &p).unwrap_err();
    assert!(matches!(e, RoadsError::Corrupt { .. }), "{e}");
}

#[test]
fn health_facilities_are_read_from_the_map() {
    // Independent count straight from the PBF: nodes and ways tagged as health facilities.
    use osmpbf::{Element, ElementReader};
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/andorra.osm.pbf");
    fn is_health<'a>(mut tags: impl Iterator<Item = (&'a str, &'a str)>) -> bool {
        tags.any(|(k, v)| {
            (k == "amenity" && ["hospital", "clinic", "doctors"].contains(&v))
                || (k == "healthcare" && v != "no")
        })
    }
    let mut expected = Vec::new();
    ElementReader::from_path(&path)
        .unwrap()
        .for_each(|el| match el {
            Element::DenseNode(n) if is_health(n.tags()) => expected.push(('n', n.id())),
            Element::Node(n) if is_health(n.tags()) => expected.push(('n', n.id())),
            Element::Way(w) if is_health(w.tags()) => expected.push(('w', w.id())),
            _ => {}
        })
        .unwrap();
    let mut got: Vec<(char, i64)> = graph()
        .facilities
        .iter()
        .map(|f| (f.osm_type, f.osm_id))
        .collect();
    expected.sort();
    got.sort();
    assert_eq!(got, expected);
    assert!(!got.is_empty());
    let b = graph().meta.bbox;
    for f in &graph().facilities {
        assert!(f.coord[0] >= b[0] - 0.05 && f.coord[0] <= b[2] + 0.05);
        assert!(f.coord[1] >= b[1] - 0.05 && f.coord[1] <= b[3] + 0.05);
    }
}
