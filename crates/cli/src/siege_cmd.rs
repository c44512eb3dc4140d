//! `corridor siege`: the siege analysis of every enclave, with what-if closures and openings.

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
}

pub fn run(args: &SiegeArgs) -> Result<()> {
    let loaded = scenario_cmd::load(&args.scenario)?;
    let v = corridor_app::results::siege::result(
        &loaded,
        &loaded.on(Profile::Foot),
        &loaded.on(Profile::Car),
        &args.close,
        &args.open,
        args.format == Format::Geojson,
    )?;
    println!("{}", serde_json::to_string_pretty(&v)?);
    Ok(())
}
