//! Territory over time: features dated by `since`/`until` are held on those days only, by
//! `load_at` (the analyses as of a date) as by the replay of an earlier day. The oracle is a
//! plain point-in-rectangle test of which ground each road node stands on.

mod common;
use chrono::NaiveDate;
use common::*;
use corridor_roads::Profile;
use corridor_scenario::{load_at, territory_on, ScenarioMap};

const ENCLAVE: [f64; 4] = [1.512, 42.5025, 1.545, 42.5145];
/// North of the enclave: the opposition's until 2016-07-14, nobody's after.
const STRIP: [f64; 4] = [1.512, 42.5145, 1.545, 42.52];
/// Far west: the government's from 2016-07-20 on.
const WEST: [f64; 4] = [1.42, 42.49, 1.505, 42.58];

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A GeoJSON feature: a rectangle of `party` with extra properties.
fn feature(party: &str, b: [f64; 4], extra: &str) -> String {
    let coords: Vec<String> = rect(b)
        .iter()
        .map(|c| format!("[{}, {}]", c[0], c[1]))
        .collect();
    format!(
        "{{\"type\": \"Feature\", \"properties\": {{\"party\": \"{party}\"{extra}}}, \"geometry\": {{\"type\": \"Polygon\", \"coordinates\": [[{}]]}}}}",
        coords.join(", ")
    )
}

fn collection(features: &[String]) -> String {
    format!(
        "{{\"type\": \"FeatureCollection\", \"features\": [{}]}}",
        features.join(",\n")
    )
}

fn scenario(features: &[String]) -> (tempfile::TempDir, std::path::PathBuf) {
    write_scenario(&[
        (
            "scenario.toml",
            &manifest(
                "territory = \"t.geojson\"",
                "[[enclave]]\nname = \"E\"\nparty = \"opp\"\n",
            ),
        ),
        ("t.geojson", &collection(features)),
    ])
}

fn inside(b: [f64; 4], p: [f64; 2]) -> bool {
    // Strictly inside: nodes on a shared edge belong to either side.
    b[0] < p[0] && p[0] < b[2] && b[1] < p[1] && p[1] < b[3]
}

/// Which party (0 gov, 1 opp) holds `p` on `d`, by hand.
fn oracle(p: [f64; 2], d: NaiveDate) -> Option<usize> {
    if inside(ENCLAVE, p) || (inside(STRIP, p) && d <= day("2016-07-14")) {
        Some(1)
    } else if inside(WEST, p) && d >= day("2016-07-20") {
        Some(0)
    } else {
        None
    }
}

#[test]
fn dated_territory_is_held_on_its_days_only() {
    let (_d, m) = scenario(&[
        feature("opp", ENCLAVE, ""),
        feature("opp", STRIP, ", \"until\": \"2016-07-14\""),
        feature("gov", WEST, ", \"since\": \"2016-07-20\", \"until\": null"),
    ]);
    let g = graph().profile(Profile::Foot);
    let strip_nodes = g.node_coord.iter().filter(|&&p| inside(STRIP, p)).count();
    let west_nodes = g.node_coord.iter().filter(|&&p| inside(WEST, p)).count();
    assert!(
        strip_nodes > 10 && west_nodes > 10,
        "{strip_nodes} {west_nodes}"
    );
    for d in [
        "2016-07-01",
        "2016-07-14",
        "2016-07-15",
        "2016-07-19",
        "2016-07-20",
        "2016-07-28",
    ] {
        let d = day(d);
        let s = load_at(&m, Some(d)).unwrap();
        assert_eq!(
            s.territory_timeline.len(),
            3,
            "every feature is kept for replays"
        );
        // The replay's filter over the timeline gives the same ground as loading on the day.
        let replayed: Vec<usize> = territory_on(&s.territory_timeline, d)
            .iter()
            .map(|t| t.feature)
            .collect();
        assert_eq!(
            replayed,
            s.territories.iter().map(|t| t.feature).collect::<Vec<_>>()
        );
        let on_map = ScenarioMap::new(&s, g, graph().meta.bbox, snapper(Profile::Foot)).unwrap();
        let wrong: Vec<_> = g
            .node_coord
            .iter()
            .filter(|&&p| on_map.owner_at(p) != oracle(p, d))
            .filter(|&&p| ![ENCLAVE, STRIP, WEST].iter().any(|b| on_edge(*b, p)))
            .take(3)
            .collect();
        assert!(
            wrong.is_empty(),
            "{d}: nodes on the wrong ground: {wrong:?}"
        );
    }
}

/// On a rectangle's boundary (either side may hold it).
fn on_edge(b: [f64; 4], p: [f64; 2]) -> bool {
    let within = b[0] <= p[0] && p[0] <= b[2] && b[1] <= p[1] && p[1] <= b[3];
    within && !inside(b, p)
}

#[test]
fn the_default_as_of_drops_what_ended_before_it() {
    let (_d, m) = scenario(&[
        feature("opp", ENCLAVE, ""),
        feature("opp", STRIP, ", \"until\": \"2016-07-14\""),
    ]);
    let s = corridor_scenario::load(&m).unwrap();
    assert_eq!(
        s.territories.iter().map(|t| t.feature).collect::<Vec<_>>(),
        [0]
    );
    let early = load_at(&m, Some(day("2016-07-14"))).unwrap();
    assert_eq!(
        early
            .territories
            .iter()
            .map(|t| t.feature)
            .collect::<Vec<_>>(),
        [0, 1]
    );
}

#[test]
fn hostile_ground_may_change_hands_but_not_be_held_twice() {
    // gov held the strip until 07-14, opp from 07-15: a front that moved, accepted.
    let (_d, m) = scenario(&[
        feature("opp", ENCLAVE, ""),
        feature("gov", STRIP, ", \"until\": \"2016-07-14\""),
        feature("opp", STRIP, ", \"since\": \"2016-07-15\""),
    ]);
    let s = corridor_scenario::load(&m).unwrap();
    assert_eq!(
        s.territories.iter().map(|t| t.feature).collect::<Vec<_>>(),
        [0, 2]
    );
    let early = load_at(&m, Some(day("2016-07-10"))).unwrap();
    assert_eq!(
        early
            .territories
            .iter()
            .map(|t| (t.feature, t.party))
            .collect::<Vec<_>>(),
        [(0, 1), (1, 0)]
    );
    // Both on 07-14: refused, naming both features.
    let (_d, m) = scenario(&[
        feature("opp", ENCLAVE, ""),
        feature("gov", STRIP, ", \"until\": \"2016-07-14\""),
        feature("opp", STRIP, ", \"since\": \"2016-07-14\""),
    ]);
    let e = load_err(&m);
    assert!(
        e.contains("features 1 and 2") && e.contains("overlaps"),
        "{e}"
    );
}

#[test]
fn bad_territory_dates_name_the_feature() {
    for (extra, needles) in [
        (
            ", \"since\": \"2016-13-01\"",
            vec!["t.geojson", "feature 1", "since", "not a date"],
        ),
        (
            ", \"until\": 20160714",
            vec!["t.geojson", "feature 1", "'until' must be a date string"],
        ),
        (
            ", \"since\": \"2016-07-20\", \"until\": \"2016-07-14\"",
            vec![
                "t.geojson",
                "feature 1",
                "until 2016-07-14 is before since 2016-07-20",
            ],
        ),
    ] {
        let (_d, m) = scenario(&[feature("opp", ENCLAVE, ""), feature("opp", STRIP, extra)]);
        let e = load_err(&m);
        assert_eq!(e.lines().count(), 1, "{e}");
        for n in needles {
            assert!(e.contains(n), "'{n}' missing from: {e}");
        }
    }
}
