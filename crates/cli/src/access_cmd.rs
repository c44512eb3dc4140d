//! `corridor access` and `corridor isochrone`: health-care access under attack.

use crate::maps;
use crate::route::{snap_usable, Format, ProfileArg};
use crate::scenario_cmd;
use anyhow::{anyhow, bail, Result};
use chrono::NaiveDate;
use clap::Args;
use corridor_analysis::access::{
    access, compare, facilities_on, isochrones_from_point, AccessParams, AccessReport,
    IsochroneParams, DESTROYED_WORDS, NOT_QUITE_WORDS,
};
use corridor_roads::snap::edge_open;
use corridor_roads::Profile;
use corridor_scenario::{ScenarioMap, Side};
use serde_json::{json, Value};
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

fn check_minutes(m: &[f64]) -> Result<()> {
    if m.is_empty() || m.iter().any(|x| !(x.is_finite() && *x > 0.0)) {
        bail!("--minutes: give positive numbers of minutes, e.g. 15,30,60");
    }
    Ok(())
}

fn facility_feature(f: &corridor_analysis::access::FacilityState, when: &str) -> Value {
    json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": f.coord},
        "properties": {"layer": "facility", "id": f.id, "name": f.name, "kind": f.kind, "status": f.status,
                       "beds": f.beds, "changed_by": f.changed_by, "state_on": when}})
}

/// The access report on `date`: the scenario as it was (or will be) on that date — incidents up
/// to it, closures in force on it, facility records in force — on the loaded map.
pub fn report_on(
    loaded: &scenario_cmd::LoadedScenario,
    date: NaiveDate,
    params: &AccessParams,
) -> Result<(AccessReport, Value)> {
    let here = &loaded.scenario;
    let other;
    let s = if date == here.as_of {
        here
    } else {
        other = corridor_scenario::load_at(&here.file, Some(date))?;
        &other
    };
    let g = &loaded.map.graph;
    let on = |p: Profile| {
        ScenarioMap::new(s, g.profile(p), g.meta.bbox, &loaded.snappers[p.index()])
            .map_err(|e| anyhow!("scenario on {date}: {e}"))
    };
    let (foot, car) = (on(Profile::Foot)?, on(Profile::Car)?);
    let fac = facilities_on(s, &g.facilities, date, &params.hits).map_err(|e| anyhow!("{e}"))?;
    let r = access(&foot, &car, fac, date, params).map_err(|e| anyhow!("{e}"))?;
    let state = json!({"as_of": date, "incidents": s.incidents.len(),
        "closures_in_force": s.closures.len(),
        "roads_closed_on_foot": (0..foot.graph.edge_count() as u32).filter(|&e| foot.closure_of(e).is_some()).count(),
        "roads_closed_by_car": (0..car.graph.edge_count() as u32).filter(|&e| car.closure_of(e).is_some()).count()});
    Ok((r, state))
}

fn assumptions(params: &AccessParams) -> Value {
    json!([
        "facilities from the map are functioning unless a facilities record in force or an incident says otherwise; a dated record (since/until) supersedes incidents before its since, so a facility can reopen",
        format!("an incident hits a facility within {} m, or within {} m when its notes name the facility (whole name, as words)", params.hits.hit_radius_m, params.hits.named_hit_radius_m),
        format!("explosive kinds (air/drone strike, shelling/artillery/missile, remote explosive/IED, suicide bomb, chemical weapon, other explosions) make it not functioning; attacks, armed clashes, grenades and looting/property destruction partially functioning; any of them destroyed when the notes say {} (not after {})", DESTROYED_WORDS.join("/"), NOT_QUITE_WORDS.join("/")),
        "partially functioning facilities count as working in coverage and catchments; coverage_fully_functioning counts fully functioning ones only",
        "each person goes to the nearest working facility by travel time (fastest, on the scenario's passability), without capacity limits: a catchment is a facility's load",
        "population units are reached at their point (or an interior point of their area); farther than max_snap_m from a road is unreachable",
        "territory is undated: the same on every date; --compare re-reads incidents, closures and facility records for its date",
    ])
}

pub fn run_access(args: &AccessArgs) -> Result<()> {
    check_minutes(&args.minutes)?;
    let compare_date = args
        .compare
        .as_deref()
        .map(|d| {
            NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .map_err(|_| anyhow!("--compare '{d}': expected a date YYYY-MM-DD"))
        })
        .transpose()?;
    let loaded = scenario_cmd::load(&args.scenario)?;
    let s = &loaded.scenario;
    let params = AccessParams {
        thresholds_min: args.minutes.clone(),
        ..Default::default()
    };
    let (now, _) = report_on(&loaded, s.as_of, &params)?;
    let then = compare_date
        .map(|d| report_on(&loaded, d, &params))
        .transpose()?;
    let v = match args.format {
        Format::Json => {
            let mut v = loaded.result_json(&params, &now)?;
            v["changes"] = match &then {
                Some((t, state)) => {
                    let mut c = serde_json::to_value(if t.date <= now.date {
                        compare(t, &now, now.population)
                    } else {
                        compare(&now, t, now.population)
                    })?;
                    c["scenario_on_compare_date"] = state.clone();
                    c
                }
                None => json!([]),
            };
            v["assumptions"] = assumptions(&params);
            v
        }
        Format::Geojson => {
            let mut features: Vec<Value> = now
                .facilities
                .list
                .iter()
                .map(|f| facility_feature(f, &s.as_of.to_string()))
                .collect();
            if let Some((t, _)) = &then {
                features.extend(
                    t.facilities
                        .list
                        .iter()
                        .map(|f| facility_feature(f, &t.date.to_string())),
                );
            }
            let foot = &now.by_profile[0];
            for ((u, minutes), fac) in s
                .population
                .iter()
                .zip(&foot.minutes_by_unit)
                .zip(&foot.facility_by_unit)
            {
                features.push(
                    json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": u.point},
                    "properties": {"layer": "population", "name": u.name, "people": u.people,
                                   "minutes_on_foot": minutes, "catchment_of": fac}}),
                );
            }
            loaded.feature_collection(features, json!({}))
        }
    };
    println!("{}", serde_json::to_string_pretty(&v)?);
    Ok(())
}

pub fn run_isochrone(args: &IsochroneArgs) -> Result<()> {
    check_minutes(&args.minutes)?;
    let from = maps::parse_lat_lon(&args.from, "--from")?;
    let loaded = scenario_cmd::load(&args.scenario)?;
    let profile: Profile = args.profile.into();
    let sm = loaded.on(profile);
    let g = sm.graph;
    let side = Side::default_for(&loaded.scenario);
    // Start only on a road open to this traveller on this side (a closed road is no start).
    let w = sm.weights(side, corridor_scenario::Mode::Fastest, 0.0);
    let start = snap_usable(
        g,
        &loaded.snappers[profile.index()],
        from,
        500.0,
        ["--from", &args.from],
        &|e| edge_open(g, &w, e),
    )?;
    let snap = *start.best();
    let mut minutes = args.minutes.clone();
    minutes.sort_by(f64::total_cmp);
    let params = IsochroneParams::default();
    let polys = isochrones_from_point(&sm, side, start.candidates(), &minutes, &params);
    let features: Vec<Value> = polys
        .areas
        .iter()
        .rev()
        .map(|(m, mp)| {
            json!({"type": "Feature", "geometry": scenario_cmd::polygon_json(mp),
                   "properties": {"minutes": m, "profile": profile}})
        })
        .collect();
    let v = loaded.feature_collection(
        features,
        json!({"from": {"lat": snap.point[1], "lon": snap.point[0], "snap_m": snap.distance_m},
               "side": scenario_cmd::describe_side(&loaded.scenario, side),
               "parameters": params,
               // The cell grows past `cell_m` on large areas (at most a million cells).
               "grid_cell_m": polys.grid_cell_m}),
    );
    println!("{}", serde_json::to_string_pretty(&v)?);
    Ok(())
}
