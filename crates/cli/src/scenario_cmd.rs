//! Loading a scenario with its map, `corridor scenario check`, and the scenario identity every
//! scenario-based result carries.

use crate::maps::{self, LoadedMap};
use crate::route::Format;
use anyhow::Result;
use clap::{Args, Subcommand};
use corridor_roads::{Profile, Snapper};
use corridor_scenario::{ClosureGeometry, RiskParams, Scenario, ScenarioMap, Side};
use serde::Serialize;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// A scenario, its map, and the scenario laid onto each profile (validated on load).
pub struct LoadedScenario {
    pub scenario: Scenario,
    pub map: LoadedMap,
    pub snappers: Vec<Snapper>,
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
    let mut scenario = corridor_scenario::load(path)?;
    let map = if scenario.map.extension().and_then(|e| e.to_str()) == Some("graph") {
        maps::load(Some(&scenario.map), None)?
    } else {
        maps::load_map_cached(&scenario.map)?
    };
    let snappers: Vec<Snapper> = Profile::ALL
        .iter()
        .map(|&p| Snapper::new(map.graph.profile(p), map.graph.meta.bbox))
        .collect();
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

#[derive(Subcommand)]
pub enum ScenarioCommand {
    /// Validate a scenario against its map and summarise it (or draw it as GeoJSON).
    Check(CheckArgs),
}

#[derive(Args)]
pub struct CheckArgs {
    /// The scenario manifest (scenario.toml).
    pub scenario: PathBuf,
    #[arg(long, value_enum, default_value = "json")]
    pub format: Format,
}

fn line_feature(coords: Vec<[f64; 2]>, props: Value) -> Value {
    json!({"type": "Feature", "geometry": {"type": "LineString", "coordinates": coords}, "properties": props})
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

/// Per corridor: the way its checkpoint stands on and, per profile, the crossing it opens
/// (edges, the OSM way, distance from the declared point) and whether it is in force.
fn checkpoint_report(s: &Scenario, maps: &[&ScenarioMap]) -> Vec<Value> {
    s.corridors
        .iter()
        .enumerate()
        .map(|(k, c)| {
            let by_profile: Vec<Value> = maps
                .iter()
                .filter_map(|m| {
                    let cp = m.checkpoints.iter().find(|x| x.corridor == k)?;
                    Some(json!({
                        "profile": m.graph.profile,
                        "osm_way_id": cp.way_id,
                        "distance_m": (cp.snap_m * 10.0).round() / 10.0,
                        "crossing_edges": cp.edges.len(),
                        "opens": !cp.edges.is_empty(),
                        "in_force_on_as_of": cp.in_force,
                    }))
                })
                .collect();
            let at = maps
                .iter()
                .find_map(|m| m.checkpoints.iter().find(|x| x.corridor == k))
                .map(|cp| cp.point)
                .unwrap_or(c.checkpoint);
            json!({
                "name": c.name,
                "purpose": c.purpose,
                "checkpoint": {"lat": at[1], "lon": at[0]},
                "osm_way_id": s.placement.checkpoints.get(k).copied().flatten().map(|p| p.osm_way_id),
                "crossing": by_profile,
                "modes": if c.opens.modes.is_empty() { json!(["foot", "car"]) } else { json!(c.opens.modes) },
                "into": c.opens.into.map(|p| s.parties[p].id.clone()),
                "since": c.opens.since.map(|d| d.to_string()),
                "until": c.opens.until.map(|d| d.to_string()),
                "capacity_per_hour": c.capacity_per_hour,
            })
        })
        .collect()
}

pub fn run(cmd: &ScenarioCommand) -> Result<()> {
    let ScenarioCommand::Check(args) = cmd;
    let ls = load(&args.scenario)?;
    let s = &ls.scenario;
    let foot = ls.on(Profile::Foot);
    let car = ls.on(Profile::Car);
    let cut = |sm: &ScenarioMap| -> Vec<u32> {
        (0..sm.graph.edge_count() as u32)
            .filter(|&e| sm.closure_of(e).is_some())
            .collect()
    };
    match args.format {
        Format::Json => {
            let front_len: f64 = foot
                .front_lines
                .iter()
                .map(|f| {
                    corridor_roads::geometry::polyline_length_m(
                        &f.line.0.iter().map(|c| [c.x, c.y]).collect::<Vec<_>>(),
                    )
                })
                .sum();
            let corridors = checkpoint_report(s, &[&foot, &car]);
            let v = json!({
                "scenario": ls.identity(),
                "map": ls.map.identity(),
                "parties": s.parties.iter().map(|p| json!({"id": p.id, "name": p.name, "allies": p.allies.iter().map(|&a| s.parties[a].id.clone()).collect::<Vec<_>>()})).collect::<Vec<_>>(),
                "territories": s.territories.len(),
                "front_lines": {"count": foot.front_lines.len(), "length_m": front_len.round()},
                "incidents": {"used": s.incidents.len(), "ignored_after_as_of": s.incidents_after_as_of,
                              "no_local_risk_geo_precision_3": s.incidents_imprecise},
                "closures": {"in_force": s.closures.len(), "ignored_after_as_of": s.closures_after_as_of,
                              "foot_edges_cut": cut(&foot).len(), "car_edges_cut": cut(&car).len()},
                "enclaves": s.enclaves.iter().map(|e| json!({"name": e.name, "party": s.parties[e.party].id})).collect::<Vec<_>>(),
                "corridors": corridors,
                "aid_crossings": aid_crossings_on_map(&car, &ls.snappers[Profile::Car.index()])?.iter().map(|x| {
                    let c = &s.aid_crossings[x.crossing];
                    json!({"name": c.name, "checkpoint": {"lat": x.snap.point[1], "lon": x.snap.point[0], "snap_m": (x.snap.distance_m * 10.0).round() / 10.0},
                           "osm_way_id": x.osm_way_id, "way_distance_m": (x.way_distance_m * 10.0).round() / 10.0,
                           "opens_edges": x.opens.len(),
                           "trucks_per_day": c.trucks_per_day, "trucks_per_week": c.trucks_per_week, "inspection_minutes": c.inspection_s / 60.0})
                }).collect::<Vec<_>>(),
                "convoy": s.convoy,
                "default_side": describe_side(s, Side::default_for(s)),
            });
            println!("{}", serde_json::to_string_pretty(&v)?);
        }
        Format::Geojson => {
            let mut features = Vec::new();
            for t in &s.territories {
                features.push(json!({"type": "Feature", "geometry": polygon_json(&t.area),
                    "properties": {"layer": "territory", "party": s.parties[t.party].id, "feature": t.feature}}));
            }
            for f in &foot.front_lines {
                features.push(line_feature(
                    f.line.0.iter().map(|c| [c.x, c.y]).collect(),
                    json!({"layer": "front_line", "parties": [s.parties[f.parties.0].id, s.parties[f.parties.1].id]}),
                ));
            }
            for i in &s.incidents {
                features.push(json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": i.point},
                    "properties": {"layer": "incident", "event_id_cnty": i.id, "event_date": i.date.to_string(), "event_type": i.event_type,
                                   "sub_event_type": i.sub_event_type, "fatalities": i.fatalities}}));
            }
            for sm in [&foot, &car] {
                for e in cut(sm) {
                    let c = &s.closures[sm.closure_of(e).expect("cut")];
                    features.push(line_feature(
                        sm.graph.edge_shape(e).to_vec(),
                        json!({"layer": "closure", "profile": sm.graph.profile.name(), "osm_way_id": sm.graph.edges.way_id[e as usize],
                               "name": c.name, "since": c.since.to_string(),
                               "matched_by": match &c.geometry { Some(ClosureGeometry::Point(_)) => "point", Some(ClosureGeometry::Line(_)) => "line", None => "osm_way_id" }}),
                    ));
                }
            }
            for c in &foot.checkpoints {
                let k = &s.corridors[c.corridor];
                features.push(json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": c.point},
                    "properties": {"layer": "checkpoint", "corridor": k.name, "purpose": k.purpose}}));
            }
            let v = ls.feature_collection(features, json!({}));
            println!("{}", serde_json::to_string_pretty(&v)?);
        }
    }
    Ok(())
}
