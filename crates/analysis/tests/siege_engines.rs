//! The siege analysis answered by plain Dijkstra and by the CCH (issue 11, item 3): the two
//! reports must be identical — statuses, exposures, supply routes and their geometry, people
//! served, disjoint open routes, cuts and forecasts — on the example, with roads closed, and
//! with the exposure threshold placed exactly on the exposures the analysis compares (where
//! the CCH's integer rounding must hand the verdict back to the `f64` Dijkstra). The oracle is
//! the Dijkstra engine: `f64` exposure searches and an exact 64-bit integer Dijkstra for the
//! safest costs, no CCH involved.

use corridor_analysis::engine::EngineChoice;
use corridor_analysis::siege::{siege, EnclaveReport, SiegeParams};
mod common;
use common::*;
use corridor_roads::Engine;
use corridor_scenario::Scenario;

fn run(s: &Scenario, close: &[i64], params: SiegeParams) -> Vec<EnclaveReport> {
    let g = graph();
    let mut m = maps(s);
    for sm in &mut m {
        for e in 0..sm.graph.edge_count() as u32 {
            if close.contains(&sm.graph.edges.way_id[e as usize]) {
                sm.set_closed(e, true);
            }
        }
    }
    siege(&m[0], &m[1], g.meta.bbox, &params)
}

/// The reports as JSON without the `engines` field (the only part that may differ).
fn without_engines(r: &[EnclaveReport]) -> serde_json::Value {
    let mut v = serde_json::to_value(r).unwrap();
    for e in v.as_array_mut().unwrap() {
        let engines = e.as_object_mut().unwrap().remove("engines");
        assert!(engines.is_some(), "every report names its engines");
    }
    v
}

fn engines_used(r: &[EnclaveReport]) -> Vec<Engine> {
    r.iter()
        .flat_map(|e| e.engines.iter().map(|s| s.engine))
        .collect()
}

/// Runs both engines, checks they answered as asked and that the reports are identical;
/// returns the CCH's re-decided arcs.
fn both_agree(s: &Scenario, close: &[i64], params: SiegeParams) -> usize {
    let dijkstra = run(
        s,
        close,
        SiegeParams {
            engine: EngineChoice::Dijkstra,
            ..params
        },
    );
    let cch = run(
        s,
        close,
        SiegeParams {
            engine: EngineChoice::Cch,
            ..params
        },
    );
    assert!(engines_used(&dijkstra)
        .iter()
        .all(|&e| e == Engine::Dijkstra));
    assert!(engines_used(&cch).iter().all(|&e| e == Engine::Cch));
    assert_eq!(
        without_engines(&dijkstra),
        without_engines(&cch),
        "threshold {}, closed {close:?}",
        params.exposure_threshold
    );
    cch.iter()
        .flat_map(|e| &e.engines)
        .filter_map(|s| s.redecided_arcs)
        .sum()
}

#[test]
fn both_engines_give_the_same_report_on_the_example() {
    let s = example();
    let params = SiegeParams::for_scenario(&s);
    both_agree(&s, &[], params);
    let base = run(&s, &[], params);
    // Close every open car supply road in turn: routes, cuts and forecasts change.
    let roads: Vec<i64> = base[0]
        .pieces
        .iter()
        .flat_map(|p| &p.supply_routes)
        .filter(|r| r.open)
        .flat_map(|r| r.osm_way_ids.clone())
        .collect();
    assert!(!roads.is_empty(), "the example has open supply roads");
    for w in roads.iter().take(4) {
        both_agree(&s, &[*w], params);
    }
    both_agree(&s, &roads, params);
}

/// Thresholds exactly at the exposures the analysis compares — each piece's best exposure,
/// and the float just below and above it — where a verdict flips: the CCH's rounding margin
/// contains them, so it must re-decide those arcs by the `f64` Dijkstra and agree with it.
#[test]
fn both_engines_agree_with_the_threshold_on_an_exposure() {
    let s = example();
    let params = SiegeParams::for_scenario(&s);
    let base = run(&s, &[], params);
    let mut at: Vec<f64> = base
        .iter()
        .flat_map(|e| &e.pieces)
        .flat_map(|p| &p.status_by_profile)
        .filter_map(|x| x.best_exposure)
        .filter(|&x| x > 0.0)
        .collect();
    at.extend(
        base.iter()
            .flat_map(|e| &e.pieces)
            .flat_map(|p| &p.supply_routes)
            .map(|r| r.exposure)
            .filter(|&x| x > 0.0),
    );
    at.sort_by(f64::total_cmp);
    at.dedup();
    assert!(!at.is_empty(), "the example has exposed routes");
    let mut redecided = 0;
    for &x in at.iter().take(6) {
        for t in [x.next_down(), x, x.next_up()] {
            redecided += both_agree(
                &s,
                &[],
                SiegeParams {
                    exposure_threshold: t,
                    ..params
                },
            );
        }
    }
    assert!(
        redecided > 0,
        "thresholds on an exposure must reach the CCH's re-decision path"
    );
}

/// `auto` names an engine and a reason for every stage of both profiles.
#[test]
fn auto_says_which_engine_answered_each_stage_and_why() {
    let s = example();
    let r = run(&s, &[], SiegeParams::for_scenario(&s));
    let stages = &r[0].engines;
    assert_eq!(stages.len(), 4, "two stages × two profiles");
    for st in stages {
        assert!(st.why.starts_with("auto: "), "{}", st.why);
        assert!(st.searches >= 2);
    }
}
