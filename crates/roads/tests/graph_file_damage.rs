//! Graph files damaged or crafted with a *valid* checksum: one test per class of damage (each
//! must be refused with a one-line reason, never a panic or a wrong route), and a property test
//! over random byte flips, overwrites and truncations (checksum fixed up) asserting that
//! loading returns an error or a graph whose routes equal petgraph's Dijkstra.
//!
//! The topology file (a DIMACS topology with its order and CCH, `corridor import --dimacs`)
//! gets the same treatment: a test per class of crafted arrays, written by the test's own
//! encoder of the documented layout, and the property test, whose oracle is Floyd–Warshall.
//!
//! `CORRIDOR_FUZZ_CASES` scales the property test (default 48 for CI; BENCHMARKS.md records a
//! ten-minute run).

mod common;

use common::topology::{assert_cch_answers, floyd_warshall, graph_arcs, sample};
use corridor_roads::topology_file::{self, Topology};
use corridor_roads::{file, import_pbf, Profile, RoadGraph, RoadsError, Snapper};
use corridor_routing::{metis_order, AltSearch, Cch, CchQuery, Graph, Landmarks, Seed};
use petgraph::graph::{DiGraph, NodeIndex};
use proptest::prelude::*;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::OnceLock;

fn graph() -> &'static RoadGraph {
    static G: OnceLock<RoadGraph> = OnceLock::new();
    G.get_or_init(|| {
        import_pbf(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/andorra.osm.pbf"))
            .unwrap()
    })
}

fn bytes() -> &'static [u8] {
    static B: OnceLock<Vec<u8>> = OnceLock::new();
    B.get_or_init(|| file::to_bytes(graph()))
}

const HEADER: usize = 24;

/// Sets the header's length and checksum to match the payload, as a crafted file would.
fn fix_header(b: &mut [u8]) {
    let len = (b.len() - HEADER) as u64;
    b[12..20].copy_from_slice(&len.to_le_bytes());
    let crc = crc32fast::hash(&b[HEADER..]);
    b[20..24].copy_from_slice(&crc.to_le_bytes());
}

/// Asserts that `g`, written with a valid checksum, is refused as corrupt for `why`.
fn refused(g: &RoadGraph, why: &str) {
    let e = file::from_bytes(&file::to_bytes(g), Path::new("x.graph")).unwrap_err();
    assert!(matches!(e, RoadsError::Corrupt { .. }), "{e}");
    let msg = e.to_string();
    assert!(msg.contains("x.graph") && msg.contains(why), "{msg}");
    assert!(!msg.contains('\n'));
}

#[test]
fn shape_offsets_that_wrap_around_u32_are_refused() {
    let mut g = graph().clone();
    let e = &mut g.profiles[0].edges;
    // 0, u32::MAX, 1, ...: u32::MAX + 2 wraps to 1, which an unchecked "≥ previous + 2" accepts.
    e.shape_first[1] = u32::MAX;
    e.shape_first[2] = 1;
    refused(&g, "edge shapes are inconsistent");
}

#[test]
fn coordinates_that_are_not_on_the_earth_are_refused() {
    for bad in [f64::NAN, f64::INFINITY, 181.0] {
        let mut g = graph().clone();
        g.profiles[1].node_coord[5][0] = bad;
        refused(&g, "not a finite longitude and latitude");
        let mut g = graph().clone();
        let i = g.profiles[0].edges.shape.len() / 2;
        g.profiles[0].edges.shape[i][1] = if bad == 181.0 { 91.0 } else { bad };
        refused(&g, "not a finite longitude and latitude");
    }
    let mut g = graph().clone();
    g.facilities[0].coord[1] = f64::NAN;
    refused(&g, "facility coordinate");
}

#[test]
fn a_bounding_box_that_is_not_finite_or_misses_nodes_is_refused() {
    for (i, bad) in [(0, f64::NAN), (3, f64::INFINITY), (2, -200.0)] {
        let mut g = graph().clone();
        g.meta.bbox[i] = bad;
        refused(&g, "bounding box");
    }
    let mut g = graph().clone();
    g.meta.bbox[2] -= 0.01; // finite, ordered, but a node lies east of it
    refused(&g, "outside the bounding box");
}

#[test]
fn landmark_distances_that_overstate_are_refused_and_understating_ones_stay_exact() {
    // × 1000: A* would prune the shortest route (2,376 m instead of 1,766 m in the issue).
    let scaled = |k: f32| {
        let mut g = graph().clone();
        let p = &mut g.profiles[0];
        let l = &p.landmarks;
        p.landmarks = Landmarks::from_parts(
            l.nodes().to_vec(),
            l.from_costs().iter().map(|x| x * k).collect(),
            l.to_costs().iter().map(|x| x * k).collect(),
            p.node_count(),
        )
        .unwrap();
        g
    };
    refused(&scaled(1000.0), "landmark distances contradict");
    refused(&scaled(1.01), "landmark distances contradict");
    // × 0.5 is still a set of lower bounds: loaded, and A* stays exact (the fuzz test below
    // compares every loaded graph with petgraph).
    let half = file::from_bytes(&file::to_bytes(&scaled(0.5)), Path::new("x.graph")).unwrap();
    assert_routes_exact(&half, 7, 30);
    // A landmark must be at distance 0 from itself.
    let mut g = graph().clone();
    let p = &mut g.profiles[1];
    let l = &p.landmarks;
    let k = l.nodes().len();
    let mut from = l.from_costs().to_vec();
    from[l.nodes()[0] as usize * k] = 1.0;
    p.landmarks = Landmarks::from_parts(
        l.nodes().to_vec(),
        from,
        l.to_costs().to_vec(),
        p.node_count(),
    )
    .unwrap();
    refused(&g, "distance 0 from itself");
}

#[test]
fn travel_times_and_edge_attributes_that_disagree_are_refused() {
    let mut g = graph().clone();
    g.profiles[0].arc_duration_s[10] *= 0.5;
    refused(&g, "travel time does not match");
    let mut g = graph().clone();
    g.profiles[1].edges.speed_kmh[3] = 0.0;
    refused(&g, "edge attributes are out of range");
    let mut g = graph().clone();
    g.profiles[1].edges.length_m[3] = f64::NAN;
    refused(&g, "edge attributes are out of range");
    let mut g = graph().clone();
    let first = g.profiles[0].edges.shape_first[4] as usize;
    g.profiles[0].edges.shape[first][0] += 1e-4;
    refused(&g, "does not join its end nodes");
}

/// Byte offset of the profile count in a payload: after two strings and the bounding box.
fn profile_count_offset(b: &[u8]) -> usize {
    let mut pos = HEADER;
    for _ in 0..2 {
        let n = u64::from_le_bytes(b[pos..pos + 8].try_into().unwrap()) as usize;
        pos += 8 + n;
    }
    pos + 8 + 32
}

#[test]
fn a_profile_count_other_than_two_is_refused() {
    for count in [0u32, 1, 3, u32::MAX] {
        let mut b = bytes().to_vec();
        let at = profile_count_offset(&b);
        assert_eq!(u32::from_le_bytes(b[at..at + 4].try_into().unwrap()), 2);
        b[at..at + 4].copy_from_slice(&count.to_le_bytes());
        fix_header(&mut b);
        let e = file::from_bytes(&b, Path::new("x.graph")).unwrap_err();
        assert!(
            e.to_string().contains("profiles where 2 were expected"),
            "{e}"
        );
    }
}

/// petgraph's Dijkstra from `s` on the loaded graph's own arcs and travel times.
fn petgraph_costs(g: &corridor_roads::ProfileGraph, s: u32) -> Vec<f64> {
    let mut pg = DiGraph::<(), f64>::new();
    let nodes: Vec<NodeIndex> = (0..g.node_count()).map(|_| pg.add_node(())).collect();
    for v in 0..g.node_count() as u32 {
        for a in g.graph.out_arcs(v) {
            let h = g.graph.arc_head(a) as usize;
            pg.add_edge(nodes[v as usize], nodes[h], g.arc_duration_s[a as usize]);
        }
    }
    let d = petgraph::algo::dijkstra(&pg, nodes[s as usize], None, |e| *e.weight());
    (0..g.node_count())
        .map(|v| d.get(&nodes[v]).copied().unwrap_or(f64::INFINITY))
        .collect()
}

/// A* with the file's landmarks and the file's CCH agree with petgraph (the CCH up to its
/// documented millisecond rounding) on
/// `pairs` random pairs per profile; snapping anywhere on the map does not panic.
fn assert_routes_exact(rg: &RoadGraph, seed: u64, pairs: usize) {
    let mut rng = SmallRng::seed_from_u64(seed);
    for p in Profile::ALL {
        let g = rg.profile(p);
        if g.node_count() == 0 {
            continue;
        }
        let mut alt = AltSearch::new(&g.graph);
        let metric = g.cch().customize(&g.arc_duration_s);
        let mut cch = CchQuery::new(g.cch());
        for _ in 0..pairs.div_ceil(5) {
            let s = rng.random_range(0..g.node_count() as u32);
            let expect = petgraph_costs(g, s);
            for _ in 0..5 {
                let t = rng.random_range(0..g.node_count() as u32);
                let (src, dst) = ([Seed { node: s, cost: 0.0 }], [Seed { node: t, cost: 0.0 }]);
                let a = alt.run(&g.graph, &g.arc_duration_s, &g.landmarks, &src, &dst);
                let c = cch.run(g.cch(), &metric, &src, &dst);
                let e = expect[t as usize];
                let a_cost = a.as_ref().map_or(f64::INFINITY, |r| r.cost);
                assert!(
                    a_cost == e || (a_cost - e).abs() <= 1e-6 * e,
                    "{p:?} {s}->{t}: A* {a_cost}, petgraph {e}"
                );
                // The CCH is exact on millisecond-rounded weights: its path may cost at most
                // half a millisecond per arc of either path more than the optimum, never less.
                let c_cost = c.as_ref().map_or(f64::INFINITY, |r| r.cost);
                let arcs = a.map_or(0, |r| r.arcs.len()) + c.map_or(0, |r| r.arcs.len());
                assert!(
                    c_cost == e
                        || (c_cost >= e - 1e-6 * e
                            && c_cost - e <= 0.5e-3 * arcs as f64 + 1e-6 * e),
                    "{p:?} {s}->{t}: CCH {c_cost}, petgraph {e}"
                );
            }
        }
        let snapper = Snapper::with_index(g, rg.meta.bbox);
        let b = rg.meta.bbox;
        for _ in 0..5 {
            let q = [rng.random_range(b[0]..=b[2]), rng.random_range(b[1]..=b[3])];
            std::hint::black_box(snapper.snap(g, q, 500.0));
        }
    }
}

/// One mutation of a valid file, checksum fixed up.
#[derive(Debug, Clone)]
enum Damage {
    /// XOR a byte of the payload with a non-zero mask.
    Flip { at: usize, mask: u8 },
    /// Overwrite 4 or 8 payload bytes with an extreme value (a length, offset or id).
    Word { at: usize, value: u64, wide: bool },
    /// Cut the payload at this length.
    Truncate { len: usize },
}

fn damage() -> impl Strategy<Value = Damage> {
    let extreme = prop_oneof![
        Just(0u64),
        Just(1u64),
        Just(u32::MAX as u64),
        Just(u32::MAX as u64 - 1),
        Just(u64::MAX),
        Just(f64::NAN.to_bits()),
        Just(f64::INFINITY.to_bits()),
        any::<u64>(),
    ];
    prop_oneof![
        6 => (any::<prop::sample::Index>(), 1u8..=255).prop_map(|(i, mask)| Damage::Flip {
            at: i.index(usize::MAX),
            mask
        }),
        3 => (any::<prop::sample::Index>(), extreme, any::<bool>()).prop_map(|(i, value, wide)| {
            Damage::Word { at: i.index(usize::MAX), value, wide }
        }),
        1 => any::<prop::sample::Index>().prop_map(|i| Damage::Truncate { len: i.index(usize::MAX) }),
    ]
}

fn apply(d: &Damage) -> Vec<u8> {
    apply_to(bytes(), d)
}

fn apply_to(base: &[u8], d: &Damage) -> Vec<u8> {
    let mut b = base.to_vec();
    let payload = b.len() - HEADER;
    match *d {
        Damage::Flip { at, mask } => b[HEADER + at % payload] ^= mask,
        Damage::Word { at, value, wide } => {
            let w = if wide { 8 } else { 4 };
            let at = HEADER + at % (payload - w);
            b[at..at + w].copy_from_slice(&value.to_le_bytes()[..w]);
        }
        Damage::Truncate { len } => b.truncate(HEADER + len % payload),
    }
    fix_header(&mut b);
    b
}

fn fuzz_cases() -> u32 {
    std::env::var("CORRIDOR_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(48)
}

/// Loaded and refused cases of one property test.
type Counts = [std::sync::atomic::AtomicUsize; 2];

/// Counts loaded and refused files, printed every 5,000 cases (for BENCHMARKS.md).
fn tally(loaded: bool) {
    static COUNTS: Counts = [AtomicUsize::new(0), AtomicUsize::new(0)];
    tally_in(&COUNTS, "damaged files", loaded);
}

fn tally_in(counts: &Counts, what: &str, loaded: bool) {
    counts[loaded as usize].fetch_add(1, Relaxed);
    let (refused, ok) = (counts[0].load(Relaxed), counts[1].load(Relaxed));
    if (refused + ok) % 5000 == 0 {
        eprintln!(
            "{what}: {} cases, {refused} refused, {ok} loaded and routed exactly",
            refused + ok
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: fuzz_cases(), ..ProptestConfig::default() })]
    #[test]
    fn a_damaged_file_with_a_valid_checksum_is_refused_or_routes_exactly(d in damage()) {
        let b = apply(&d);
        let loaded = file::from_bytes(&b, Path::new("x.graph"));
        // The file path streams the payload: the same verdict as the bytes in memory.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.graph");
        std::fs::write(&path, &b).unwrap();
        let from_file = file::load(&path);
        prop_assert_eq!(loaded.is_ok(), from_file.is_ok());
        if let (Err(a), Err(b)) = (&loaded, &from_file) {
            prop_assert_eq!(a.to_string().replace(&path.display().to_string(), "x.graph"), b.to_string().replace(&path.display().to_string(), "x.graph"));
        }
        tally(loaded.is_ok());
        match loaded {
            Err(e) => {
                let msg = e.to_string();
                prop_assert!(msg.starts_with("x.graph: ") && !msg.contains('\n'), "{msg}");
            }
            Ok(g) => {
                assert_routes_exact(&g, 1, 10);
                assert_damaged_landmarks_mislead_nothing(&g, 2);
            }
        }
    }
}

/// Nodes whose landmark values in `loaded` differ from the undamaged graph's, per profile.
fn nodes_with_changed_landmarks(loaded: &corridor_roads::ProfileGraph, p: Profile) -> Vec<u32> {
    let orig = graph().profile(p);
    let (a, b) = (&loaded.landmarks, &orig.landmarks);
    if a.nodes() != b.nodes() || loaded.node_count() != orig.node_count() {
        return (0..loaded.node_count() as u32).collect();
    }
    let k = a.nodes().len();
    (0..loaded.node_count())
        .filter(|&v| {
            let row = |x: &[f32]| x[v * k..][..k].to_vec();
            row(a.from_costs()) != row(b.from_costs()) || row(a.to_costs()) != row(b.to_costs())
        })
        .map(|v| v as u32)
        .collect()
}

/// A damaged landmark value at `v` misleads A* when `v` is the target (its values bound every
/// node) or lies on the shortest path. For up to 8 such nodes: A* to `v`, and A* between
/// pairs whose shortest path runs through `v` (by petgraph: d(s,v) + d(v,t) = d(s,t)), equal
/// petgraph's cost.
fn assert_damaged_landmarks_mislead_nothing(rg: &RoadGraph, seed: u64) {
    let mut rng = SmallRng::seed_from_u64(seed);
    for p in Profile::ALL {
        let g = rg.profile(p);
        let changed = nodes_with_changed_landmarks(g, p);
        let mut alt = AltSearch::new(&g.graph);
        let mut astar = |s: u32, t: u32| {
            let (src, dst) = ([Seed { node: s, cost: 0.0 }], [Seed { node: t, cost: 0.0 }]);
            alt.run(&g.graph, &g.arc_duration_s, &g.landmarks, &src, &dst)
                .map_or(f64::INFINITY, |r| r.cost)
        };
        for _ in 0..changed.len().min(8) {
            let v = changed[rng.random_range(0..changed.len())];
            let s = rng.random_range(0..g.node_count() as u32);
            let (from_s, from_v) = (petgraph_costs(g, s), petgraph_costs(g, v));
            let through_v = (0..g.node_count()).filter(|&t| {
                let via = from_s[v as usize] + from_v[t];
                via.is_finite() && (via - from_s[t]).abs() <= 1e-9 * via
            });
            let targets: Vec<usize> = std::iter::once(v as usize)
                .chain(through_v.take(20))
                .collect();
            for t in targets {
                let (x, e) = (astar(s, t as u32), from_s[t]);
                assert!(
                    x == e || (x - e).abs() <= 1e-6 * e,
                    "{p:?} {s}->{t} via damaged landmarks at {v}: A* {x}, petgraph {e}"
                );
            }
        }
    }
}

// ---- The topology file -------------------------------------------------------------------

/// The sample topology of `common::topology`, ordered and contracted.
fn topology() -> &'static Topology {
    static T: OnceLock<Topology> = OnceLock::new();
    T.get_or_init(|| {
        let s = sample(11);
        let arcs: Vec<(u32, u32)> = s
            .edges
            .iter()
            .flat_map(|&(u, v)| [(u, v), (v, u)])
            .collect();
        let (graph, _) = Graph::from_arcs(s.n, &arcs);
        let cch = Cch::new(&graph, metis_order(&graph));
        Topology {
            source_file: "sample.gr".into(),
            source_sha256: "00".into(),
            graph,
            cch,
        }
    })
}

/// The arrays of a topology file, to be crafted and written by [`encode_topology`].
#[derive(Clone)]
struct RawTopology {
    first_out: Vec<u32>,
    head: Vec<u32>,
    order: Vec<u32>,
    up_first: Vec<u32>,
    up_head: Vec<u32>,
}

fn raw(t: &Topology) -> RawTopology {
    let (up_first, up_head) = t.cch.upward_edges();
    RawTopology {
        first_out: t.graph.first_out().to_vec(),
        head: t.graph.head().to_vec(),
        order: t.cch.order().to_vec(),
        up_first: up_first.to_vec(),
        up_head: up_head.to_vec(),
    }
}

/// The test's own writer of the layout documented in `topology_file.rs`, with a valid header
/// and checksum.
fn encode_topology(r: &RawTopology) -> Vec<u8> {
    let mut p = Vec::new();
    for s in ["sample.gr", "00"] {
        p.extend((s.len() as u64).to_le_bytes());
        p.extend(s.as_bytes());
    }
    for a in [&r.first_out, &r.head, &r.order, &r.up_first, &r.up_head] {
        p.extend((a.len() as u64).to_le_bytes());
        p.extend(a.iter().flat_map(|x| x.to_le_bytes()));
    }
    let mut b = b"CORRTOPO".to_vec();
    b.extend(1u32.to_le_bytes());
    b.extend([0; 12]);
    b.extend(p);
    fix_header(&mut b);
    b
}

/// Asserts that `bytes` are refused as a corrupt topology file for `why`, in one line.
fn topology_refused(bytes: &[u8], why: &str) {
    let e = topology_file::from_bytes(bytes, Path::new("x.topo")).unwrap_err();
    assert!(matches!(e, RoadsError::Corrupt { .. }), "{e}");
    let msg = e.to_string();
    assert!(msg.starts_with("x.topo: ") && msg.contains(why), "{msg}");
    assert!(!msg.contains('\n'));
}

#[test]
fn the_test_encoder_writes_what_the_library_writes() {
    assert_eq!(
        encode_topology(&raw(topology())),
        topology_file::to_bytes(topology())
    );
}

#[test]
fn crafted_topology_graph_arrays_are_refused() {
    let t = raw(topology());
    let n = t.order.len() as u32;
    let mut r = t.clone();
    r.head[7] = n;
    topology_refused(
        &encode_topology(&r),
        "an arc points to a node that does not exist",
    );
    let mut r = t.clone();
    r.first_out[3] = r.first_out[4] + 1;
    topology_refused(&encode_topology(&r), "first_out is not monotone");
    let mut r = t.clone();
    r.head.pop();
    topology_refused(&encode_topology(&r), "first_out does not span");
    let mut r = t.clone();
    r.first_out.clear();
    topology_refused(&encode_topology(&r), "first_out is empty");
}

#[test]
fn crafted_topology_cch_arrays_are_refused() {
    let t = raw(topology());
    let n = t.order.len();
    let mut r = t.clone();
    r.order[0] = r.order[1];
    topology_refused(&encode_topology(&r), "not a permutation");
    let mut r = t.clone();
    r.order.pop();
    topology_refused(&encode_topology(&r), "does not rank every node");
    let mut r = t.clone();
    r.up_first[n] -= 1;
    topology_refused(&encode_topology(&r), "edge offsets are inconsistent");
    // A rank whose first upward edge leads down.
    let x = (0..n)
        .find(|&x| t.up_first[x] < t.up_first[x + 1] && x > 0)
        .unwrap();
    let mut r = t.clone();
    r.up_head[t.up_first[x] as usize] = 0;
    topology_refused(&encode_topology(&r), "not sorted upward");
    // The road graph's own edges without the fill-in: sorted and covering, but not chordal,
    // so a query would miss shortcuts (and lie).
    let rank = {
        let mut rank = vec![0u32; n];
        for (i, &v) in t.order.iter().enumerate() {
            rank[v as usize] = i as u32;
        }
        rank
    };
    let mut upper = vec![Vec::new(); n];
    for v in 0..n {
        for a in t.first_out[v]..t.first_out[v + 1] {
            let (x, y) = (rank[v], rank[t.head[a as usize] as usize]);
            if x < y {
                upper[x as usize].push(y);
            }
        }
    }
    let mut r = t.clone();
    r.up_first = vec![0];
    r.up_head.clear();
    for mut l in upper {
        l.sort_unstable();
        l.dedup();
        r.up_head.extend(l);
        r.up_first.push(r.up_head.len() as u32);
    }
    topology_refused(&encode_topology(&r), "not chordal");
    // A valid hierarchy of an arc-less graph: every road would be missing.
    let (empty, _) = Graph::from_arcs(n, &[]);
    let mut r = t.clone();
    let c = Cch::new(&empty, t.order.clone());
    (r.up_first, r.up_head) = (c.upward_edges().0.to_vec(), c.upward_edges().1.to_vec());
    topology_refused(&encode_topology(&r), "lacks an edge");
    // A complete graph's hierarchy on a graph of one arc: past the size cap.
    let few: Vec<(u32, u32)> = vec![(0, 1)];
    let (sparse, _) = Graph::from_arcs(n, &few);
    let all: Vec<(u32, u32)> = (0..n as u32)
        .flat_map(|u| (0..n as u32).filter(move |&v| v != u).map(move |v| (u, v)))
        .collect();
    let (complete, _) = Graph::from_arcs(n, &all);
    let c = Cch::new(&complete, t.order.clone());
    let r = RawTopology {
        first_out: sparse.first_out().to_vec(),
        head: sparse.head().to_vec(),
        order: t.order.clone(),
        up_first: c.upward_edges().0.to_vec(),
        up_head: c.upward_edges().1.to_vec(),
    };
    topology_refused(&encode_topology(&r), "more than the cap");
}

#[test]
fn a_topology_file_with_a_wrong_frame_is_refused() {
    let good = topology_file::to_bytes(topology());
    let mut b = good.clone();
    b.extend([0, 0, 0, 0]);
    fix_header(&mut b);
    topology_refused(&b, "trailing bytes");
    let mut b = good.clone();
    b[HEADER + 40] ^= 1;
    topology_refused(&b, "checksum mismatch");
    let mut b = good.clone();
    b.truncate(b.len() - 3);
    topology_refused(&b, "header says");
    let mut b = good.clone();
    b[8..12].copy_from_slice(&9u32.to_le_bytes());
    let e = topology_file::from_bytes(&b, Path::new("x.topo")).unwrap_err();
    assert!(matches!(e, RoadsError::Version { found: 9, .. }), "{e}");
    // Each file kind refuses the other, naming the command that makes the right one.
    let e = topology_file::from_bytes(bytes(), Path::new("x.topo")).unwrap_err();
    assert!(e.to_string().contains("corridor import --dimacs"), "{e}");
    let e = file::from_bytes(&good, Path::new("x.graph")).unwrap_err();
    assert!(e.to_string().contains("wrong magic bytes"), "{e}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: fuzz_cases(), ..ProptestConfig::default() })]
    #[test]
    fn a_damaged_topology_file_is_refused_or_answers_like_floyd_warshall(d in damage()) {
        let b = apply_to(&topology_file::to_bytes(topology()), &d);
        let loaded = topology_file::from_bytes(&b, Path::new("x.topo"));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.topo");
        std::fs::write(&path, &b).unwrap();
        prop_assert_eq!(loaded.is_ok(), topology_file::load(&path).is_ok());
        static COUNTS: Counts = [AtomicUsize::new(0), AtomicUsize::new(0)];
        tally_in(&COUNTS, "damaged topology files", loaded.is_ok());
        match loaded {
            Err(e) => {
                let msg = e.to_string();
                prop_assert!(msg.starts_with("x.topo: ") && !msg.contains('\n'), "{msg}");
            }
            Ok(t) => {
                // The oracle on the loaded graph's own arcs: whatever the damage left of the
                // graph, the stored CCH must answer for exactly that graph.
                let n = t.graph.node_count();
                let expect = floyd_warshall(n, graph_arcs(&t.graph, true).into_iter());
                assert_cch_answers(&t.graph, &t.cch, true, &expect, "damaged file");
            }
        }
    }
}
