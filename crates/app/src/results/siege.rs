//! The siege result as `corridor siege` prints it and `/v1/scenarios/{id}/siege` returns it:
//! every enclave, and with closures or openings the what-if comparison.

use crate::results::convoy::{apply_declared_plan, plan_change};
use crate::scenario::{polygon_json, LoadedScenario};
use anyhow::{bail, Result};
use corridor_analysis::engine::EngineChoice;
use corridor_analysis::siege::{siege, EnclaveReport, SiegeParams};
use corridor_scenario::ScenarioMap;
use serde_json::{json, Value};

/// Edges of `sm`'s graph that a `WAY_ID|NAME` argument names.
pub fn matching_edges(sm: &ScenarioMap, arg: &str) -> Vec<u32> {
    let g = sm.graph;
    let by_id = arg.trim().parse::<i64>().ok();
    (0..g.edge_count() as u32)
        .filter(|&e| match by_id {
            Some(id) => g.edges.way_id[e as usize] == id,
            None => g
                .edge_name(e)
                .is_some_and(|n| n.eq_ignore_ascii_case(arg.trim())),
        })
        .collect()
}

fn apply<'a>(base: &ScenarioMap<'a>, close: &[String], open: &[String]) -> ScenarioMap<'a> {
    let mut sm = base.clone();
    for a in close {
        for e in matching_edges(base, a) {
            sm.set_closed(e, true);
        }
    }
    for a in open {
        for e in matching_edges(base, a) {
            sm.set_closed(e, false);
        }
    }
    sm
}

fn route_names(r: &EnclaveReport) -> Vec<String> {
    r.pieces
        .iter()
        .flat_map(|p| &p.supply_routes)
        .map(|x| format!("{} ({}, piece {})", x.road, x.profile.name(), x.piece + 1))
        .collect()
}

fn change(before: &EnclaveReport, after: &EnclaveReport) -> Value {
    let (b, a) = (route_names(before), route_names(after));
    json!({
        "enclave": before.name,
        "status": {"before": before.status, "after": after.status},
        "pieces": {"before": before.pieces.len(), "after": after.pieces.len()},
        "routes_lost": b.iter().filter(|x| !a.contains(x)).collect::<Vec<_>>(),
        "routes_gained": a.iter().filter(|x| !b.contains(x)).collect::<Vec<_>>(),
        "cut_size": {"before": before.min_cut.size, "after": after.min_cut.size},
        "runs_out_on": {
            "before": before.forecast.as_ref().and_then(|f| f.runs_out_on),
            "after": after.forecast.as_ref().and_then(|f| f.runs_out_on),
        },
    })
}

fn line(coords: &[[f64; 2]], props: Value) -> Value {
    json!({"type": "Feature", "geometry": {"type": "LineString", "coordinates": coords}, "properties": props})
}

fn features(reports: &[EnclaveReport], what_if: bool) -> Vec<Value> {
    let mut out = Vec::new();
    for r in reports {
        out.push(json!({"type": "Feature", "geometry": polygon_json(&r.outline),
            "properties": {"layer": "enclave", "name": r.name, "status": r.status, "population": r.population, "what_if": what_if}}));
        for p in &r.pieces {
            out.push(json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": p.near},
                "properties": {"layer": "piece", "enclave": r.name, "piece": p.index + 1, "status": p.status,
                               "population": p.population, "what_if": what_if}}));
            for s in &p.supply_routes {
                out.push(line(&s.geometry, json!({"layer": "supply_route", "enclave": r.name, "piece": p.index + 1, "road": s.road, "profile": s.profile,
                    "exposure": s.exposure, "open": s.open, "population_share": s.population_share, "what_if": what_if})));
            }
            for (cut, kind) in [(&p.min_cut, "min_cut"), (&p.min_cut_foot, "min_cut_foot")] {
                for c in &cut.roads {
                    out.push(line(&c.geometry, json!({"layer": kind, "enclave": r.name, "piece": p.index + 1, "road": c.road, "osm_way_id": c.osm_way_id,
                        "profile": cut.profile, "single_road_blockade": cut.single_road_blockade, "what_if": what_if})));
                }
            }
        }
    }
    out
}

/// The siege analysis on the scenario laid onto `foot` and `car`, with what-if closures and
/// openings (`WAY_ID|NAME`), as JSON or a GeoJSON FeatureCollection. A declared `[convoy]`
/// plan feeds the forecast (`convoy_plan` says how); a what-if re-plans it on the what-if's
/// roads, so a cut road switches the convoy to another route or stops it
/// (`what_if.convoy`).
///
/// The output's `engine` names the engine behind each search stage (issue 11, item 3), per
/// enclave and profile, and why; the engine is chosen by `auto`'s measured rule.
pub fn result(
    loaded: &LoadedScenario,
    foot: &ScenarioMap,
    car: &ScenarioMap,
    close: &[String],
    open: &[String],
    geojson: bool,
) -> Result<Value> {
    result_with(loaded, foot, car, close, open, geojson, EngineChoice::Auto)
}

/// [`result`] with the engine chosen by the caller (`corridor siege --engine`).
pub fn result_with(
    loaded: &LoadedScenario,
    foot: &ScenarioMap,
    car: &ScenarioMap,
    close: &[String],
    open: &[String],
    geojson: bool,
    engine: EngineChoice,
) -> Result<Value> {
    let s = &loaded.scenario;
    if s.enclaves.is_empty() {
        bail!(
            "{}: the scenario declares no [[enclave]] to analyse",
            s.file.display()
        );
    }
    for a in close.iter().chain(open) {
        if matching_edges(foot, a).is_empty() && matching_edges(car, a).is_empty() {
            bail!("--close/--open '{a}': no road on the map has that OSM way id or name");
        }
    }
    let bbox = loaded.map.graph.meta.bbox;
    let params = SiegeParams {
        engine,
        ..SiegeParams::for_scenario(s)
    };
    let mut reports = siege(foot, car, bbox, &params);
    let plan = apply_declared_plan(loaded, car, &mut reports);
    let what_if = if close.is_empty() && open.is_empty() {
        None
    } else {
        let (f2, c2) = (apply(foot, close, open), apply(car, close, open));
        let mut after = siege(&f2, &c2, bbox, &params);
        let plan_after = apply_declared_plan(loaded, &c2, &mut after);
        Some((after, plan_after))
    };
    Ok(if geojson {
        let mut f = features(&reports, false);
        if let Some((after, _)) = &what_if {
            f.extend(features(after, true));
        }
        loaded.feature_collection(f, json!({}))
    } else {
        let mut v =
            loaded.result_json(params, json!({ "enclaves": reports, "convoy_plan": plan }))?;
        v["checkpoints_on_as_of"] = checkpoints_on(s);
        v["engine"] = engine_json(engine, &reports);
        if let Some((after, plan_after)) = &what_if {
            v["what_if"] = json!({
                "closed": close,
                "opened": open,
                "changes": reports.iter().zip(after).map(|(b, a)| change(b, a)).collect::<Vec<_>>(),
                "convoy": plan_change(plan.as_ref(), plan_after.as_ref()),
                "convoy_plan": plan_after,
                "enclaves": after,
            });
        }
        v
    })
}

/// Every declared checkpoint and whether it is open on `as_of`, per profile, with why not
/// (modes, `since`, `until`). The siege verdict itself never counts the besieger's checkpoints
/// (aid or people passing only where the besieger allows is what a siege is); this says which
/// of them the supply and evacuation figures could use that day.
fn checkpoints_on(s: &corridor_scenario::Scenario) -> Value {
    let list: Vec<Value> = s
        .corridors
        .iter()
        .map(|c| {
            let closed: serde_json::Map<String, Value> = corridor_roads::Profile::ALL
                .iter()
                .filter_map(|&p| {
                    c.opens
                        .closed_why(p, s.as_of)
                        .map(|why| (p.name().to_string(), json!(why)))
                })
                .collect();
            json!({
                "name": c.name,
                "open": closed.len() < corridor_roads::Profile::ALL.len(),
                "closed": closed,
                "hours": c.hours,
            })
        })
        .collect();
    json!(list)
}

/// Which engine answered each search stage of the siege analysis (per enclave and profile)
/// and why; cuts are max-flow.
fn engine_json(choice: EngineChoice, reports: &[EnclaveReport]) -> Value {
    json!({
        "asked": choice,
        "stages": reports
            .iter()
            .map(|r| json!({"enclave": r.name, "stages": r.engines}))
            .collect::<Vec<_>>(),
        "cuts": {"engine": "max-flow (min_cut)", "why": "a cut is a flow problem, not a shortest path"}
    })
}
