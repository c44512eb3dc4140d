//! `corridor access` and `corridor isochrone`: health-care access under attack.

use crate::maps;
use crate::route::{Format, ProfileArg};
use crate::scenario_cmd;
use anyhow::Result;
use clap::{Args, ValueEnum};
use corridor_analysis::engine::EngineChoice;
pub use corridor_app::results::access::report_on;
use corridor_app::results::access::{
    access_result, check_minutes, isochrone_result, parse_compare_date, Engines,
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
    /// Which engine answers the nearest-facility searches: auto (the measured rule: the CCH
    /// when a customization plus two sweeps costs less than two Dijkstra searches), dijkstra,
    /// or cch (multi-source PHAST). Same answer either way; the output's `engine` says which ran.
    #[arg(long, value_enum, default_value = "auto")]
    pub engine: SearchEngineArg,
}

/// `--engine` of the one-to-all analyses (access, isochrone, siege).
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq, Debug)]
pub enum SearchEngineArg {
    Auto,
    Dijkstra,
    Cch,
}

impl From<SearchEngineArg> for EngineChoice {
    fn from(a: SearchEngineArg) -> EngineChoice {
        match a {
            SearchEngineArg::Auto => EngineChoice::Auto,
            SearchEngineArg::Dijkstra => EngineChoice::Dijkstra,
            SearchEngineArg::Cch => EngineChoice::Cch,
        }
    }
}

fn engines(a: SearchEngineArg) -> Engines<'static> {
    Engines {
        choice: a.into(),
        customized: [None, None],
    }
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
    /// Which engine answers the search: auto (the measured rule), dijkstra (stops at the
    /// largest time), or cch (a PHAST sweep). Same areas either way; `properties.engine` says
    /// which ran.
    #[arg(long, value_enum, default_value = "auto")]
    pub engine: SearchEngineArg,
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
        engines(args.engine),
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
        engines(args.engine),
    )?;
    println!("{}", serde_json::to_string_pretty(&v)?);
    Ok(())
}
