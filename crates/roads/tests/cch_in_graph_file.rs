//! The CCH section of the graph file: stored and loaded without recomputing the order or the
//! contraction, and refused with a clear error (never a panic, never wrong routes) when a file
//! with a valid checksum carries a CCH that does not fit its graph.

use corridor_roads::{file, import_pbf, RoadGraph, RoadsError};
use corridor_routing::{Cch, CchQuery, Graph, OneToAll, Seed};
use std::path::{Path, PathBuf};

fn andorra() -> RoadGraph {
    import_pbf(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/andorra.osm.pbf"))
        .expect("bundled map imports")
}

/// Rewrites the header checksum so the payload passes the CRC check and reaches the decoder.
fn fix_crc(bytes: &mut [u8]) {
    let crc = crc32fast::hash(&bytes[24..]);
    bytes[20..24].copy_from_slice(&crc.to_le_bytes());
}

fn expect_corrupt(bytes: &[u8], words: &[&str]) {
    match file::from_bytes(bytes, Path::new("crafted.graph")) {
        Err(e @ RoadsError::Corrupt { .. }) => {
            let msg = e.to_string();
            for w in words {
                assert!(msg.contains(w), "{msg:?} lacks {w:?}");
            }
        }
        Err(e) => panic!("wrong error: {e}"),
        Ok(_) => panic!("a crafted CCH section was accepted"),
    }
}

#[test]
fn the_stored_cch_is_loaded_as_built_and_answers_like_dijkstra() {
    let g = andorra();
    let bytes = file::to_bytes(&g);
    let back = file::from_bytes(&bytes, Path::new("andorra.graph")).unwrap();
    for (a, b) in g.profiles.iter().zip(&back.profiles) {
        assert_eq!(a.cch().order(), b.cch().order());
        assert_eq!(a.cch().upward_edges(), b.cch().upward_edges());
        // The loaded hierarchy answers exactly (rounded to milliseconds) like Dijkstra.
        let metric = b.cch().customize(&b.arc_duration_s);
        let mut q = CchQuery::new(b.cch());
        let mut d = OneToAll::new(&b.graph);
        let n = b.node_count() as u32;
        for s in (0..n).step_by((n as usize / 7).max(1)) {
            let seed = [Seed { node: s, cost: 0.0 }];
            d.run(&b.graph, &b.arc_duration_s, &seed, f64::INFINITY, false);
            for t in (0..n).step_by((n as usize / 50).max(1)) {
                let c = q.cost(b.cch(), &metric, &seed, &[Seed { node: t, cost: 0.0 }]);
                let want = d.cost(t);
                assert_eq!(c.is_finite(), want.is_finite());
                if c.is_finite() {
                    // At most half a millisecond of rounding per arc on these short paths.
                    assert!(
                        (c - want).abs() <= 0.05,
                        "{s}->{t}: CCH {c}, Dijkstra {want}"
                    );
                }
            }
        }
    }
}

#[test]
fn a_cch_missing_road_arcs_is_refused() {
    let mut g = andorra();
    let p = &mut g.profiles[0];
    let n = p.node_count();
    // A valid hierarchy, but of an arc-less graph: queries on it would miss every road.
    let (empty, _) = Graph::from_arcs(n, &[]);
    let cch = Cch::new(&empty, p.cch_order().to_vec());
    p.replace_cch(cch).unwrap();
    expect_corrupt(
        &file::to_bytes(&g),
        &["crafted.graph", "CCH section", "lacks an edge"],
    );
}

#[test]
fn crafted_cch_arrays_with_a_valid_checksum_are_refused() {
    let g = andorra();
    let bytes = file::to_bytes(&g);
    let p = g.profiles.last().unwrap();
    let (_, up_head) = p.cch().upward_edges();
    // Find the last profile's stored upward heads: u64 count then the raw u32s.
    let mut needle = (up_head.len() as u64).to_le_bytes().to_vec();
    needle.extend(up_head.iter().flat_map(|h| h.to_le_bytes()));
    let at = bytes
        .windows(needle.len())
        .position(|w| w == needle.as_slice())
        .expect("the heads are stored as documented")
        + 8;
    let n = p.node_count() as u32;
    for (value, words) in [
        (n + 5, &["CCH section", "not sorted upward"][..]),
        (0, &["CCH section"][..]),
    ] {
        let mut crafted = bytes.clone();
        crafted[at..at + 4].copy_from_slice(&value.to_le_bytes());
        fix_crc(&mut crafted);
        expect_corrupt(&crafted, words);
    }
    // An order that repeats a node.
    let order = p.cch_order();
    let mut needle = (order.len() as u64).to_le_bytes().to_vec();
    needle.extend(order.iter().flat_map(|v| v.to_le_bytes()));
    let at = bytes
        .windows(needle.len())
        .position(|w| w == needle.as_slice())
        .expect("the order is stored as documented")
        + 8;
    let mut crafted = bytes.clone();
    let second = crafted[at + 4..at + 8].to_vec();
    crafted[at..at + 4].copy_from_slice(&second);
    fix_crc(&mut crafted);
    expect_corrupt(&crafted, &["CCH section", "not a permutation"]);
}
