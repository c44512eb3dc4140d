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

/// Runs `--engine dijkstra` and `--engine cch` on `s` with `threshold`; returns both reports.
fn both_reports(s: &Scenario, threshold: f64) -> (Vec<EnclaveReport>, Vec<EnclaveReport>) {
    let params = SiegeParams {
        exposure_threshold: threshold,
        ..SiegeParams::for_scenario(s)
    };
    let [dijkstra, cch] = [EngineChoice::Dijkstra, EngineChoice::Cch]
        .map(|engine| run(s, &[], SiegeParams { engine, ..params }));
    (dijkstra, cch)
}

fn disjoint_counts(r: &[EnclaveReport]) -> Vec<serde_json::Value> {
    let v = serde_json::to_value(r).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .flat_map(|e| e["pieces"].as_array().unwrap().clone())
        .flat_map(|p| p["status_by_profile"].as_array().unwrap().clone())
        .map(|s| s["disjoint_open_routes"].clone())
        .collect()
}

/// No risk anywhere (no incidents, no front weight): every exposure is exactly 0, so a route
/// is below any positive threshold, however small — the verdicts at 1e-300 and at the
/// smallest positive `f64` must be those at 1.0 (hand-derived: 0 < t for every t > 0). The
/// CCH's scale 2⁵² / 1e-300 overflows (0 × ∞ made every arc unusable: "0 disjoint routes"
/// where Dijkstra found them); it must hand the stage to Dijkstra and say why.
#[test]
fn zero_exposure_under_a_tiny_threshold_keeps_every_open_route() {
    let mut s = example();
    s.incidents.clear();
    s.risk.front_weight = 0.0;
    let (at_one, _) = both_reports(&s, 1.0);
    let want = disjoint_counts(&at_one);
    assert!(
        want.iter().any(|c| c.as_u64().unwrap_or(0) > 0),
        "the riskless example has open routes: {want:?}"
    );
    for t in [1e-300, f64::from_bits(1)] {
        let (dijkstra, cch) = both_reports(&s, t);
        assert_eq!(disjoint_counts(&dijkstra), want, "Dijkstra at {t:e}");
        assert_eq!(disjoint_counts(&cch), want, "--engine cch at {t:e}");
        assert_eq!(without_engines(&dijkstra), without_engines(&cch));
        let exposure_stages: Vec<_> = cch
            .iter()
            .flat_map(|e| &e.engines)
            .filter(|st| st.stage == "exposure_reachability")
            .collect();
        assert!(exposure_stages
            .iter()
            .all(|st| st.engine == Engine::Dijkstra && st.why.contains("scaled range")));
    }
}

/// Exposures near `f64::MAX` (a front weight of 1e305, accepted as finite) whose total
/// overflows, under a threshold of 1.7e308: the CCH's scale fell back to 1, arcs past 2⁶⁴
/// units became unusable and the count of disjoint open routes dropped (2 → 1 on the
/// example). The `f64` Dijkstra is the oracle; `--engine cch` must hand the stage to it.
#[test]
fn exposures_whose_total_overflows_are_answered_by_dijkstra() {
    let mut s = example();
    s.risk.front_weight = 1e305;
    let (dijkstra, cch) = both_reports(&s, 1.7e308);
    assert_eq!(without_engines(&dijkstra), without_engines(&cch));
    assert!(cch
        .iter()
        .flat_map(|e| &e.engines)
        .filter(|st| st.stage == "exposure_reachability")
        .all(|st| st.engine == Engine::Dijkstra));
}

/// Per piece and profile, whether the analysis found a supply route at all (`best_exposure`
/// set), however exposed.
fn has_route(r: &[EnclaveReport]) -> Vec<bool> {
    let v = serde_json::to_value(r).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .flat_map(|e| e["pieces"].as_array().unwrap().clone())
        .flat_map(|p| p["status_by_profile"].as_array().unwrap().clone())
        .map(|s| !s["best_exposure"].is_null())
        .collect()
}

/// A small enclave east of the example's (a 0.01° × 0.005° box with 24,658 people, a strip of
/// government ground along its east side, two clashes near it), with `front_weight` `fw`.
fn small_enclave(fw: f64) -> (tempfile::TempDir, Scenario) {
    let (w, e, s, n) = (1.53362, 1.54362, 42.51131, 42.51631);
    let enclave = format!("[[{w},{s}],[{e},{s}],[{e},{n}],[{w},{n}],[{w},{s}]]");
    let strip = format!(
        "[[{e},42.51031],[1.54462,42.51031],[1.54462,42.51731],[{e},42.51731],[{e},42.51031]]"
    );
    let feature = |props: &str, ring: &str| {
        format!(
            r#"{{"type":"Feature","properties":{{{props}}},"geometry":{{"type":"Polygon","coordinates":[{ring}]}}}}"#
        )
    };
    let territory = format!(
        r#"{{"type":"FeatureCollection","features":[{},{}]}}"#,
        feature(r#""party":"opp","name":"enclave""#, &enclave),
        feature(r#""party":"gov","name":"strip""#, &strip)
    );
    let population = format!(
        r#"{{"type":"FeatureCollection","features":[{}]}}"#,
        feature(r#""name":"P","people":24658"#, &enclave)
    );
    let incidents = "event_id_cnty,event_date,year,event_type,sub_event_type,actor1,actor2,admin1,location,latitude,longitude,fatalities,notes\n\
        R0,2016-07-27,2016,Battles,Armed clash,G,O,X,Y,42.51690,1.53999,5,test\n\
        R1,2016-07-19,2016,Battles,Armed clash,G,O,X,Y,42.50365,1.52940,4,test\n";
    let map = root().join("data/andorra.osm.pbf");
    let manifest = format!(
        "name = \"small\"\nas_of = \"2016-07-28\"\nmap = {:?}\nterritory = \"territory.geojson\"\n\
         incidents = \"incidents.csv\"\npopulation = \"population.geojson\"\n\
         [[party]]\nid = \"gov\"\nname = \"G\"\n[[party]]\nid = \"opp\"\nname = \"O\"\n\
         [[enclave]]\nname = \"E\"\nparty = \"opp\"\n\
         [risk]\nhalf_life_days = 7\nfront_band_m = 500\nfront_weight = {fw:?}\n\
         [stock]\nfood_tonnes = 4500\nkcal_per_kg = 3500\nkcal_per_person_day = 2100\n\
         trucks_per_day_per_route = 5\ntonnes_per_truck = 20\n",
        map.to_str().unwrap()
    );
    let dir = example_dir(
        |_| manifest.clone(),
        &[
            ("territory.geojson", &territory),
            ("population.geojson", &population),
            ("incidents.csv", incidents),
        ],
    );
    let s = load_dir(dir.path());
    (dir, s)
}

/// Risk scales exposure, never whether a road exists: with a `front_weight` of 1e9 and more
/// (safest costs past 2⁶⁴ ms on front-line roads) every piece that has a supply route at
/// weight 1 still has one (hand rule: blocking depends on ground and closures, not on risk).
/// The integer supply search dropped such arcs as "no road" on both engines and turned a
/// contested piece of this small enclave besieged; the previous `f64` search kept them.
#[test]
fn huge_safest_costs_keep_every_supply_route() {
    let (_d, s) = small_enclave(1.0);
    let (at_one, _) = both_reports(&s, 500.0);
    let want = has_route(&at_one);
    assert!(
        want.iter().any(|&x| x),
        "the small enclave has supply routes"
    );
    for fw in [1e9, 1e13, 1e200] {
        let (_d, s) = small_enclave(fw);
        let (dijkstra, cch) = both_reports(&s, 500.0);
        assert_eq!(has_route(&dijkstra), want, "front_weight {fw:e}");
        assert_eq!(without_engines(&dijkstra), without_engines(&cch));
    }
}
