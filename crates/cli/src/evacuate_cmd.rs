//! `corridor evacuate`: the evacuation plan through the declared corridors.

use crate::route::Format;
use crate::scenario_cmd;
use anyhow::Result;
use clap::Args;
use corridor_analysis::evacuate::EvacuationReport;
use corridor_roads::Profile;
use std::path::PathBuf;

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
    corridor_app::results::evacuate::plan(&loaded.on(Profile::Foot), &loaded.on(Profile::Car))
}

pub fn run(args: &EvacuateArgs) -> Result<()> {
    let loaded = scenario_cmd::load(&args.scenario)?;
    let v = corridor_app::results::evacuate::result(
        &loaded,
        &loaded.on(Profile::Foot),
        &loaded.on(Profile::Car),
        args.suggest,
        args.format == Format::Geojson,
    )?;
    println!("{}", serde_json::to_string_pretty(&v)?);
    Ok(())
}
