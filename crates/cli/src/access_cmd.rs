//! `corridor access` and `corridor isochrone`: health-care access under attack.

use crate::maps;
use crate::route::{Format, ProfileArg};
use crate::scenario_cmd;
use anyhow::Result;
use clap::Args;
pub use corridor_app::results::access::report_on;
use corridor_app::results::access::{
    access_result, check_minutes, isochrone_result, parse_compare_date,
};
use corridor_roads::Profile;
use std::path::PathBuf;

#[derive(Args)]
pub struct AccessArgs {
    /// The scenario manifest (scenario.toml).
    pub scenario: PathBuf,
    /// Also compute the state on this date (YYYY-MM-DD) and report what changed to `as_of`.
    #[arg(long)]
    pub compare: Option<String>,
    /// Coverage thresholds in minutes.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "15,30,60",
        allow_hyphen_values = true
    )]
    pub minutes: Vec<f64>,
    #[arg(long, value_enum, default_value = "json")]
    pub format: Format,
}

#[derive(Args)]
pub struct IsochroneArgs {
    #[arg(long)]
    pub scenario: PathBuf,
    /// Start, as LAT,LON.
    #[arg(long, allow_hyphen_values = true)]
    pub from: String,
    /// Travel times in minutes.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "10,20,30",
        allow_hyphen_values = true
    )]
    pub minutes: Vec<f64>,
    #[arg(long, value_enum, default_value = "foot")]
    pub profile: ProfileArg,
}

pub fn run_access(args: &AccessArgs) -> Result<()> {
    check_minutes(&args.minutes)?;
    let compare_date = args
        .compare
        .as_deref()
        .map(parse_compare_date)
        .transpose()?;
    let loaded = scenario_cmd::load(&args.scenario)?;
    let v = access_result(
        &loaded,
        &loaded.on(Profile::Foot),
        &loaded.on(Profile::Car),
        &args.minutes,
        compare_date,
        args.format == Format::Geojson,
    )?;
    println!("{}", serde_json::to_string_pretty(&v)?);
    Ok(())
}

pub fn run_isochrone(args: &IsochroneArgs) -> Result<()> {
    check_minutes(&args.minutes)?;
    let from = maps::parse_lat_lon(&args.from, "--from")?;
    let loaded = scenario_cmd::load(&args.scenario)?;
    let profile: Profile = args.profile.into();
    let v = isochrone_result(
        &loaded,
        &loaded.on(profile),
        profile,
        from,
        &args.from,
        &args.minutes,
    )?;
    println!("{}", serde_json::to_string_pretty(&v)?);
    Ok(())
}
