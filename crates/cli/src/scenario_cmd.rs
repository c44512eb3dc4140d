//! Loading a scenario with its map, `corridor scenario check`, and the scenario identity every
//! scenario-based result carries.

use crate::route::Format;
use anyhow::Result;
use clap::{Args, Subcommand};
pub use corridor_app::scenario::{
    aid_crossings_on_map, describe_side, load, parse_side, polygon_json, LoadedScenario,
    ScenarioIdentity,
};
use corridor_roads::Profile;
use corridor_scenario::{ClosureGeometry, Scenario, ScenarioMap, Side};
use serde_json::{json, Value};
use std::path::PathBuf;

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
