//! A DIMACS topology prepared into a topology file (`corridor import --dimacs`) and loaded
//! back answers every pair exactly as Floyd–Warshall on the test's own edge list, as does the
//! CCH built straight from the DIMACS text; the `.xz` form reads the same.

mod common;

use common::topology::{assert_cch_answers, dimacs_text, sample, sample_oracle};
use corridor_roads::{dimacs, topology_file};
use std::path::Path;

#[test]
fn a_prepared_topology_file_answers_like_floyd_warshall_on_the_written_edges() {
    for seed in [1, 2, 3] {
        let s = sample(seed);
        let dir = tempfile::tempdir().unwrap();
        let gr = dir.path().join("sample.gr");
        std::fs::write(&gr, dimacs_text(&s)).unwrap();
        let built = dimacs::prepare(&gr).unwrap();
        assert_eq!(built.graph.node_count(), s.n);
        assert_eq!(built.graph.arc_count(), 2 * s.edges.len());
        let file = dir.path().join("sample.topo");
        topology_file::save(&built, &file).unwrap();
        let loaded = topology_file::load(&file).unwrap();
        assert_eq!(loaded.source_file, "sample.gr");
        assert_eq!(loaded.source_sha256, built.source_sha256);
        for weighted in [false, true] {
            let expect = sample_oracle(&s, weighted);
            assert_cch_answers(&built.graph, &built.cch, weighted, &expect, "from the .gr");
            assert_cch_answers(
                &loaded.graph,
                &loaded.cch,
                weighted,
                &expect,
                "from the file",
            );
        }
        // Bytes in memory and the streamed file decode alike.
        let again = topology_file::from_bytes(&std::fs::read(&file).unwrap(), &file).unwrap();
        assert_eq!(again.graph, loaded.graph);
        assert_eq!(again.cch.upward_edges(), loaded.cch.upward_edges());
    }
}

#[test]
fn an_xz_topology_reads_like_the_plain_text() {
    let s = sample(4);
    let dir = tempfile::tempdir().unwrap();
    let text = dimacs_text(&s);
    let mut xz = Vec::new();
    lzma_rs::xz_compress(&mut text.as_bytes(), &mut xz).unwrap();
    let path = dir.path().join("sample.gr.xz");
    std::fs::write(&path, xz).unwrap();
    let t = dimacs::prepare(&path).unwrap();
    assert_cch_answers(&t.graph, &t.cch, true, &sample_oracle(&s, true), "from .xz");
}

#[test]
fn bad_dimacs_text_is_refused_with_the_line() {
    let dir = tempfile::tempdir().unwrap();
    for (text, words) in [
        (
            "p tw 3 2\n1 2\n2 9\n",
            &["bad.gr", "line 3", "out of 1..=3"][..],
        ),
        ("1 2\n", &["bad.gr", "line 1", "expected 'p tw N M'"][..]),
        ("c only a comment\n", &["bad.gr", "no 'p' line"][..]),
        ("p tw 3 1\n1 x\n", &["bad.gr", "line 2"][..]),
        ("p tw 99999999999 1\n", &["bad.gr", "line 1"][..]),
        // Four billion nodes in a 20-byte file: refused before 16 GB of offsets are made.
        (
            "p tw 4000000000 1\n1 2\n",
            &["bad.gr", "line 1", "4000000000 nodes", "22-byte"][..],
        ),
        // A second `p` line shrinking the graph under edges already read (panicked).
        (
            "p tw 5 1\n1 5\np tw 2 1\n",
            &["bad.gr", "line 3", "second 'p' line"][..],
        ),
        (
            "p tw 3 5\n1 2\n",
            &["bad.gr", "says 5 edges", "lists 1"][..],
        ),
        (
            "p 3 1\n1 2\n",
            &["bad.gr", "line 1", "expected 'p tw N M'"][..],
        ),
        ("p tw 3 1\n1 2", &[][..]),
        ("p tw 3 1\r\n1 2\r\n", &[][..]),
    ] {
        let p = dir.path().join("bad.gr");
        std::fs::write(&p, text).unwrap();
        if words.is_empty() {
            // Well-formed after all: no final newline, or CRLF line ends.
            let g = dimacs::prepare(&p).unwrap().graph;
            assert_eq!((g.node_count(), g.arc_count()), (3, 2), "{text:?}");
            continue;
        }
        let msg = dimacs::prepare(&p).unwrap_err().to_string();
        for w in words {
            assert!(msg.contains(w), "{msg:?} lacks {w:?}");
        }
        assert!(!msg.contains('\n'));
    }
    let msg = dimacs::prepare(Path::new("/nonexistent/x.gr"))
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("x.gr") && msg.contains("no such file"),
        "{msg}"
    );
}

#[test]
fn a_truncated_or_damaged_xz_topology_is_refused_in_one_line() {
    let s = sample(5);
    let dir = tempfile::tempdir().unwrap();
    let mut xz = Vec::new();
    lzma_rs::xz_compress(&mut dimacs_text(&s).as_bytes(), &mut xz).unwrap();
    let mut flipped = xz.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x55;
    for (name, bytes) in [
        ("cut.gr.xz", xz[..xz.len() / 2].to_vec()),
        ("flipped.gr.xz", flipped),
        ("empty.gr.xz", Vec::new()),
    ] {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        let msg = dimacs::prepare(&p).unwrap_err().to_string();
        assert!(msg.contains(name), "{msg}");
        assert!(!msg.contains('\n'), "{msg}");
    }
}

#[test]
fn an_endless_line_or_a_binary_line_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("p tw 3 1\n1 2\n{}", "9".repeat(10_000));
    let mut xz = Vec::new();
    lzma_rs::xz_compress(&mut text.as_bytes(), &mut xz).unwrap();
    for (name, bytes, words) in [
        ("long.gr", text.into_bytes(), ["line 3", "longer than"]),
        ("long.gr.xz", xz, ["line 3", "longer than"]),
        (
            "bin.gr",
            b"p tw 3 1\n1 \xff\n".to_vec(),
            ["line 2", "not text"],
        ),
    ] {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        let msg = dimacs::prepare(&p).unwrap_err().to_string();
        assert!(msg.contains(name), "{msg}");
        for w in words {
            assert!(msg.contains(w), "{msg:?} lacks {w:?}");
        }
    }
}
