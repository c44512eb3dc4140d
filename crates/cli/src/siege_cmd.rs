//! `corridor siege`: the siege analysis of every enclave, with what-if closures and openings.

use crate::access_cmd::SearchEngineArg;
use crate::route::Format;
use crate::scenario_cmd;
use anyhow::Result;
use clap::Args;
use corridor_roads::Profile;
use std::path::PathBuf;

#[derive(Args)]
pub struct SiegeArgs {
    /// The scenario manifest (scenario.toml).
    pub scenario: PathBuf,
    /// What if this road were closed: an OSM way id or a street name (repeatable).
    #[arg(long = "close", value_name = "WAY_ID|NAME")]
    pub close: Vec<String>,
    /// What if this road were open again (repeatable).
    #[arg(long = "open", value_name = "WAY_ID|NAME")]
    pub open: Vec<String>,
    #[arg(long, value_enum, default_value = "json")]
    pub format: Format,
    /// Which engine answers the one-to-all searches: auto (the measured rule: the CCH where a
    /// customization plus sweeps is expected to beat Dijkstra), dijkstra, or cch (PHAST sweeps;
    /// exposure verdicts near the threshold re-decided by Dijkstra). Same report either way;
    /// the output's `engine` says which ran for each stage and why.
    #[arg(long, value_enum, default_value = "auto")]
    pub engine: SearchEngineArg,
}

pub fn run(args: &SiegeArgs) -> Result<()> {
    let loaded = scenario_cmd::load(&args.scenario)?;
    let v = corridor_app::results::siege::result_with(
        &loaded,
        &loaded.on(Profile::Foot),
        &loaded.on(Profile::Car),
        &args.close,
        &args.open,
        args.format == Format::Geojson,
        args.engine.into(),
    )?;
    println!("{}", serde_json::to_string_pretty(&v)?);
    Ok(())
}
