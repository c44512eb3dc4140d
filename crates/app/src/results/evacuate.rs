//! The evacuation plan as `corridor evacuate` prints it and `/v1/scenarios/{id}/evacuate`
//! returns it.

use crate::scenario::LoadedScenario;
use anyhow::{anyhow, Result};
use corridor_analysis::evacuate::{evacuate, suggest_corridors, EvacuationReport};
use corridor_scenario::ScenarioMap;
use serde_json::json;
use std::time::Instant;

/// Runs the plan and returns it with its computation time.
pub fn plan(foot: &ScenarioMap, car: &ScenarioMap) -> Result<(EvacuationReport, f64)> {
    let t = Instant::now();
    let r = evacuate(foot, car).map_err(|e| anyhow!("{e}"))?;
    Ok((r, t.elapsed().as_secs_f64()))
}

/// The plan (and `suggest` proposed checkpoints) as JSON or a GeoJSON FeatureCollection.
pub fn result(
    loaded: &LoadedScenario,
    foot: &ScenarioMap,
    car: &ScenarioMap,
    suggest: Option<usize>,
    geojson: bool,
) -> Result<serde_json::Value> {
    let (report, secs) = plan(foot, car)?;
    let suggestions = match suggest {
        Some(k) => Some(
            suggest_corridors(foot, car, loaded.map.graph.meta.bbox, k)
                .map_err(|e| anyhow!("{e}"))?,
        ),
        None => None,
    };
    let v = match geojson {
        false => {
            let mut v = loaded.result_json(loaded.scenario.evacuation, &report)?;
            v["plan_seconds"] = json!((secs * 1000.0).round() / 1000.0);
            v["engine"] = engine_json();
            if let Some(s) = suggestions {
                v["suggested_corridors"] = serde_json::to_value(s)?;
            }
            v
        }
        true => {
            let mut features: Vec<serde_json::Value> = report
                .routes
                .iter()
                .map(|r| {
                    json!({"type": "Feature", "geometry": {"type": "LineString", "coordinates": r.geometry},
                        "properties": {"layer": "evacuation_route", "mode": r.mode, "corridor": r.corridor, "people": r.people}})
                })
                .collect();
            if let Some(s) = suggestions {
                for c in s.chosen {
                    features.push(json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": c.checkpoint},
                        "properties": {"layer": "suggested_checkpoint", "road": c.road, "why": c.why}}));
                }
            }
            loaded.feature_collection(
                features,
                json!({"egress_time_s": report.egress_time_s, "lower_bound_s": report.lower_bound_s, "gap": report.gap, "headline": report.headline, "engine": engine_json()}),
            )
        }
    };
    Ok(v)
}

/// Which engine plans the evacuation (issue 11, item 3), and why not the CCH.
fn engine_json() -> serde_json::Value {
    json!({"engine": "ccrp on the two-layer network; Dijkstra",
           "why": "the planner searches its own foot + car network (two layers joined at the crossings) with capacities consumed as it plans, arc-level crossing rules and per-group exclusions: the weights change after every route it reserves, so no customization would be reused, and the road graph's CCH does not cover the two-layer network"})
}
