//! `corridor evacuate`: the evacuation plan through the declared corridors.

use crate::route::Format;
use crate::scenario_cmd;
use anyhow::{anyhow, Result};
use clap::Args;
use corridor_analysis::evacuate::{evacuate, suggest_corridors, EvacuationReport};
use corridor_roads::Profile;
use serde_json::json;
use std::path::PathBuf;
use std::time::Instant;

#[derive(Args)]
pub struct EvacuateArgs {
    /// The scenario manifest (scenario.toml).
    pub scenario: PathBuf,
    /// Propose this many new checkpoints among the front line's road crossings.
    #[arg(long)]
    pub suggest: Option<usize>,
    #[arg(long, value_enum, default_value = "json")]
    pub format: Format,
}

/// Runs the plan and returns it with its computation time.
pub fn plan(loaded: &scenario_cmd::LoadedScenario) -> Result<(EvacuationReport, f64)> {
    let (foot, car) = (loaded.on(Profile::Foot), loaded.on(Profile::Car));
    let t = Instant::now();
    let r = evacuate(&foot, &car).map_err(|e| anyhow!("{e}"))?;
    Ok((r, t.elapsed().as_secs_f64()))
}

pub fn run(args: &EvacuateArgs) -> Result<()> {
    let loaded = scenario_cmd::load(&args.scenario)?;
    let (report, secs) = plan(&loaded)?;
    let suggestions = match args.suggest {
        Some(k) => Some(
            suggest_corridors(&loaded.on(Profile::Foot), k, 500.0).map_err(|e| anyhow!("{e}"))?,
        ),
        None => None,
    };
    let v = match args.format {
        Format::Json => {
            let mut v = loaded.result_json(loaded.scenario.evacuation, &report)?;
            v["plan_seconds"] = json!((secs * 1000.0).round() / 1000.0);
            if let Some(s) = suggestions {
                v["suggested_corridors"] = serde_json::to_value(s)?;
            }
            v
        }
        Format::Geojson => {
            let mut features: Vec<serde_json::Value> = report
                .routes
                .iter()
                .map(|r| {
                    json!({"type": "Feature", "geometry": {"type": "LineString", "coordinates": r.geometry},
                        "properties": {"layer": "evacuation_route", "mode": r.mode, "corridor": r.corridor, "people": r.people}})
                })
                .collect();
            if let Some(s) = suggestions {
                for c in s {
                    features.push(json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": c.checkpoint},
                        "properties": {"layer": "suggested_checkpoint", "road": c.road, "why": c.why}}));
                }
            }
            loaded.feature_collection(
                features,
                json!({"egress_time_s": report.egress_time_s, "lower_bound_s": report.lower_bound_s, "gap": report.gap}),
            )
        }
    };
    println!("{}", serde_json::to_string_pretty(&v)?);
    Ok(())
}
