//! A scenario loaded with its map and laid onto both profiles, the identity every
//! scenario-based result carries, and the JSON envelope those results share.

use crate::maps::{self, LoadedMap};
use anyhow::Result;
use corridor_roads::{Profile, Snapper};
use corridor_scenario::{RiskParams, Scenario, ScenarioMap, Side};
use serde::Serialize;
use serde_json::{json, Value};
use std::path::Path;
use std::sync::Arc;

/// Incidents within this distance of a route are listed in its exposure report.
pub const INCIDENT_REPORT_RADIUS_M: f64 = 250.0;

/// A scenario, its map, and the scenario laid onto each profile (validated on load).
/// The map and snappers are shared (`Arc`), so that a server holding many scenarios and versions
/// on one map keeps one copy of each.
pub struct LoadedScenario {
    pub scenario: Scenario,
    pub map: Arc<LoadedMap>,
    pub snappers: Arc<Vec<Snapper>>,
}

/// `"scenario"` in every scenario-based result.
#[derive(Serialize)]
pub struct ScenarioIdentity {
    pub name: String,
    pub file: String,
    pub as_of: String,
    pub sha256: String,
    pub parameters: RiskParams,
}

impl LoadedScenario {
    pub fn identity(&self) -> ScenarioIdentity {
        let s = &self.scenario;
        ScenarioIdentity {
            name: s.name.clone(),
            file: s.file.display().to_string(),
            as_of: s.as_of.to_string(),
            sha256: s.sha256.clone(),
            parameters: s.risk,
        }
    }

    /// The scenario on one profile's graph. Validation (closures, checkpoints) runs for every
    /// profile at load, so this cannot fail afterwards.
    pub fn on(&self, p: Profile) -> ScenarioMap<'_> {
        ScenarioMap::new(
            &self.scenario,
            self.map.graph.profile(p),
            self.map.graph.meta.bbox,
            &self.snappers[p.index()],
        )
        .expect("validated when the scenario was loaded")
    }
}

/// Loads the manifest, its layers and its map, and lays it onto both profiles: any error in any
/// of them is reported here, before any analysis starts.
pub fn load(path: &Path) -> Result<LoadedScenario> {
    let scenario = corridor_scenario::load(path)?;
    let map = if scenario.map.extension().and_then(|e| e.to_str()) == Some("graph") {
        maps::load(Some(&scenario.map), None)?
    } else {
        maps::load_map_cached(&scenario.map)?
    };
    let map = Arc::new(map);
    let snappers = Arc::new(snappers_for(&map));
    on_map(scenario, map, snappers)
}

/// One snapper per profile, in `Profile::ALL` order.
pub fn snappers_for(map: &LoadedMap) -> Vec<Snapper> {
    Profile::ALL
        .iter()
        .map(|&p| Snapper::new(map.graph.profile(p), map.graph.meta.bbox))
        .collect()
}

/// Lays an already read scenario onto an already loaded map (whatever map its manifest names:
/// the server serves one map), validating closures and checkpoints on both profiles.
pub fn on_map(
    mut scenario: Scenario,
    map: Arc<LoadedMap>,
    snappers: Arc<Vec<Snapper>>,
) -> Result<LoadedScenario> {
    // Checkpoints and point closures resolve to one OSM way for every profile.
    corridor_scenario::place(&mut scenario, &map.graph, &snappers);
    let laid: Vec<ScenarioMap> = Profile::ALL
        .iter()
        .map(|&p| {
            ScenarioMap::new(
                &scenario,
                map.graph.profile(p),
                map.graph.meta.bbox,
                &snappers[p.index()],
            )
        })
        .collect::<Result<_, _>>()?;
    corridor_scenario::check_on_map(&laid.iter().collect::<Vec<_>>())?;
    check_aid_crossings(&laid[Profile::Car.index()], &snappers[Profile::Car.index()])?;
    drop(laid);
    Ok(LoadedScenario {
        scenario,
        map,
        snappers,
    })
}

/// Every aid crossing must sit on a car road next to a road across a front line, for the side
/// convoys travel as (from the `[convoy]` warehouse, else the besieger's).
fn check_aid_crossings(car: &ScenarioMap, snapper: &Snapper) -> Result<()> {
    aid_crossings_on_map(car, snapper)?;
    Ok(())
}

/// The aid crossings on the car graph, for the side convoys travel as.
pub fn aid_crossings_on_map(
    car: &ScenarioMap,
    snapper: &Snapper,
) -> Result<Vec<corridor_analysis::convoy::CrossingOnMap>> {
    use corridor_analysis::convoy::{convoy_side, crossings_on_map};
    let s = car.scenario;
    let side = convoy_side(car, s.convoy.as_ref().and_then(|c| c.warehouse));
    Ok(crossings_on_map(car, snapper, side)?)
}

/// The scenario as it stood on `day` (not after its `as_of`), from what was loaded: incidents
/// and closures dated after `day` are left out and counted as such; the territory is the one
/// held on `day` (its features' `since`/`until`).
pub fn cut_back_to(now: &Scenario, day: chrono::NaiveDate) -> Scenario {
    let mut s = now.clone();
    s.as_of = day;
    let (inc, clo) = (s.incidents.len(), s.closures.len());
    s.incidents.retain(|i| i.date <= day);
    s.closures.retain(|c| c.since <= day);
    s.territories = corridor_scenario::territory_on(&s.territory_timeline, day);
    s.incidents_after_as_of += inc - s.incidents.len();
    s.closures_after_as_of += clo - s.closures.len();
    s
}

/// Parses `--side`: `civilian` (the default: a civilian of the first enclave's party), `neutral`,
/// a party id (a member of that party), or `civilian:PARTY`.
pub fn parse_side(s: &Scenario, arg: Option<&str>) -> Result<Side> {
    let party = |id: &str| {
        s.party_index(id).ok_or_else(|| {
            anyhow::anyhow!(
                "--side '{id}': unknown party (the scenario declares: {})",
                s.parties
                    .iter()
                    .map(|p| p.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
    };
    Ok(match arg {
        None | Some("civilian") => Side::default_for(s),
        Some("neutral") => Side::Neutral,
        Some(a) => match a.strip_prefix("civilian:") {
            Some(id) => Side::CivilianOf(party(id)?),
            None => Side::Party(party(a)?),
        },
    })
}

pub fn describe_side(s: &Scenario, side: Side) -> String {
    match side {
        Side::CivilianOf(p) => format!("civilian:{}", s.parties[p].id),
        Side::Party(p) => s.parties[p].id.clone(),
        Side::Neutral => "neutral".into(),
    }
}

impl LoadedScenario {
    /// A scenario-based JSON result: `scenario`, `map` and `parameters` first, then every field
    /// of `body` (a report struct), so that each result names its inputs the same way.
    pub fn result_json(&self, parameters: impl Serialize, body: impl Serialize) -> Result<Value> {
        let mut v = json!({
            "scenario": self.identity(),
            "map": self.map.identity(),
            "parameters": serde_json::to_value(parameters)?,
        });
        if let Value::Object(fields) = serde_json::to_value(body)? {
            for (k, x) in fields {
                v[k] = x;
            }
        }
        Ok(v)
    }

    /// A GeoJSON FeatureCollection whose properties name the scenario and map, plus `extra`.
    pub fn feature_collection(&self, features: Vec<Value>, extra: Value) -> Value {
        let mut props = json!({"scenario": self.identity(), "map": self.map.identity()});
        if let Value::Object(fields) = extra {
            for (k, x) in fields {
                props[k] = x;
            }
        }
        json!({"type": "FeatureCollection", "features": features, "properties": props})
    }
}

/// A MultiPolygon as a GeoJSON geometry (`[lon, lat]` rings).
pub fn polygon_json(m: &geo::MultiPolygon<f64>) -> Value {
    let polys: Vec<Vec<Vec<[f64; 2]>>> =
        m.0.iter()
            .map(|p| {
                std::iter::once(p.exterior())
                    .chain(p.interiors())
                    .map(|r| r.0.iter().map(|c| [c.x, c.y]).collect())
                    .collect()
            })
            .collect();
    json!({"type": "MultiPolygon", "coordinates": polys})
}
