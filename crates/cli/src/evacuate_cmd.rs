//! `corridor evacuate`: the evacuation plan through the declared corridors, and
//! `--verify PLAN.json`: the independent check of a plan.

use crate::route::Format;
use crate::scenario_cmd;
use anyhow::{anyhow, bail, Context, Result};
use clap::Args;
use corridor_analysis::evacuate::verify::{verify, PlanToVerify, Verification};
use corridor_analysis::evacuate::EvacuationReport;
use corridor_roads::Profile;
use serde_json::json;
use std::path::{Path, PathBuf};

#[derive(Args)]
pub struct EvacuateArgs {
    /// The scenario manifest (scenario.toml).
    pub scenario: PathBuf,
    /// Propose this many new checkpoints among the front line's road crossings.
    #[arg(long)]
    pub suggest: Option<usize>,
    /// Check a plan written by `corridor evacuate S.toml > PLAN.json` against the scenario and
    /// the graph (every road and checkpoint load per time bucket, opening hours, routes,
    /// separation, people per neighbourhood) instead of planning. Exits non-zero if it fails.
    #[arg(long, value_name = "PLAN.json", conflicts_with = "suggest")]
    pub verify: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "json")]
    pub format: Format,
}

/// Runs the plan and returns it with its computation time.
pub fn plan(loaded: &scenario_cmd::LoadedScenario) -> Result<(EvacuationReport, f64)> {
    corridor_app::results::evacuate::plan(&loaded.on(Profile::Foot), &loaded.on(Profile::Car))
}

pub fn run(args: &EvacuateArgs) -> Result<()> {
    let loaded = scenario_cmd::load(&args.scenario)?;
    if let Some(p) = &args.verify {
        return run_verify(&loaded, p);
    }
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

/// Reads a plan's JSON and checks it; prints the verification, fails if it does not hold.
fn run_verify(loaded: &scenario_cmd::LoadedScenario, path: &Path) -> Result<()> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read the plan", path.display()))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| anyhow!("{}: not JSON: {e}", path.display()))?;
    let plan_map = value["map"]["sha256"].as_str().unwrap_or_default();
    let map = &loaded.map.graph.meta.source_sha256;
    if plan_map != map {
        bail!(
            "{}: the plan was made on map sha256 {:?}, the scenario's map is {map}",
            path.display(),
            plan_map
        );
    }
    let plan: PlanToVerify = serde_json::from_value(value)
        .map_err(|e| anyhow!("{}: not an evacuation plan: {e}", path.display()))?;
    let v = check(loaded, &plan);
    if !v.ok {
        for x in &v.violations {
            eprintln!("corridor: violation: {x}");
        }
        bail!("{}: {}", path.display(), v.summary());
    }
    let out = loaded.result_json(json!({"plan": path.display().to_string()}), &v)?;
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}

/// The independent check of a plan against a loaded scenario.
pub fn check(loaded: &scenario_cmd::LoadedScenario, plan: &PlanToVerify) -> Verification {
    verify(&loaded.on(Profile::Foot), &loaded.on(Profile::Car), plan)
}
