//! Loading a scenario with its map, `corridor scenario check`, and the scenario identity every
//! scenario-based result carries.

use crate::route::Format;
use anyhow::Result;
use clap::{Args, Subcommand};
pub use corridor_app::scenario::{
    describe_side, load, parse_side, polygon_json, LoadedScenario, ScenarioIdentity,
};
use corridor_roads::Profile;
use corridor_scenario::{ClosureGeometry, ScenarioMap, Side};
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
            let corridors: Vec<Value> = foot
                .checkpoints
                .iter()
                .map(|c| {
                    let k = &s.corridors[c.corridor];
                    json!({"name": k.name, "purpose": k.purpose, "checkpoint": {"lat": c.point[1], "lon": c.point[0], "snap_m": (c.snap_m * 10.0).round() / 10.0}, "capacity_per_hour": k.capacity_per_hour})
                })
                .collect();
            let v = json!({
                "scenario": ls.identity(),
                "map": ls.map.identity(),
                "parties": s.parties.iter().map(|p| json!({"id": p.id, "name": p.name, "allies": p.allies.iter().map(|&a| s.parties[a].id.clone()).collect::<Vec<_>>()})).collect::<Vec<_>>(),
                "territories": s.territories.len(),
                "front_lines": {"count": foot.front_lines.len(), "length_m": front_len.round()},
                "incidents": {"used": s.incidents.len(), "ignored_after_as_of": s.incidents_after_as_of},
                "closures": {"in_force": s.closures.len(), "ignored_after_as_of": s.closures_after_as_of,
                              "foot_edges_cut": cut(&foot).len(), "car_edges_cut": cut(&car).len()},
                "enclaves": s.enclaves.iter().map(|e| json!({"name": e.name, "party": s.parties[e.party].id})).collect::<Vec<_>>(),
                "corridors": corridors,
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
