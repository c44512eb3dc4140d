//! Health-care access and isochrones as `corridor access` / `corridor isochrone` print them
//! and `/v1/scenarios/{id}/access` / `/isochrone` return them.

use crate::scenario::{describe_side, polygon_json, LoadedScenario};
use crate::snapping::snap_usable;
use anyhow::{anyhow, bail, Result};
use chrono::NaiveDate;
use corridor_analysis::access::{
    access_customized, compare, facilities_on, AccessParams, AccessReport, IsochroneParams,
    DESTROYED_WORDS, NOT_QUITE_WORDS,
};
use corridor_analysis::engine::EngineChoice;
use corridor_analysis::isochrone::isochrones_from_point_customized;
use corridor_roads::snap::edge_open;
use corridor_roads::{CustomizedWeights, Profile};
use corridor_scenario::{ScenarioMap, Side};
use serde_json::{json, Value};

/// Which engine answers the searches, and the customizations a caller already holds (per
/// profile, foot then car: the server's, of the scenario's fastest weights on `as_of`). Each
/// is used only for exactly the weights searched; the default is `auto` with none.
#[derive(Clone, Copy, Default)]
pub struct Engines<'a> {
    pub choice: EngineChoice,
    pub customized: [Option<&'a CustomizedWeights>; 2],
}

/// Minutes must be positive numbers; at least one.
pub fn check_minutes(m: &[f64]) -> Result<()> {
    if m.is_empty() || m.iter().any(|x| !(x.is_finite() && *x > 0.0)) {
        bail!("--minutes: give positive numbers of minutes, e.g. 15,30,60");
    }
    Ok(())
}

/// A `--compare` date, `YYYY-MM-DD`.
pub fn parse_compare_date(d: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(d, "%Y-%m-%d")
        .map_err(|_| anyhow!("--compare '{d}': expected a date YYYY-MM-DD"))
}

fn facility_feature(f: &corridor_analysis::access::FacilityState, when: &str) -> Value {
    json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": f.coord},
        "properties": {"layer": "facility", "id": f.id, "name": f.name, "kind": f.kind, "status": f.status,
                       "beds": f.beds, "changed_by": f.changed_by, "state_on": when}})
}

/// The scenario as it stood (or will stand) on a date, read again from its files: incidents up
/// to the date, closures and facility records in force on it (`corridor_scenario::load_at`).
/// The CLI reads the manifest; the server its stored version's files plus its incident log.
pub type ScenarioOn<'a> = &'a dyn Fn(NaiveDate) -> Result<corridor_scenario::Scenario>;

/// The CLI's [`ScenarioOn`]: the manifest on disk, read again for the date; without a file on
/// disk, the loaded scenario cut back to the date ([`crate::scenario::cut_back_to`]), which
/// cannot see what was dropped at load (closures that ended before `as_of`).
pub fn from_files(loaded: &LoadedScenario, date: NaiveDate) -> Result<corridor_scenario::Scenario> {
    let here = &loaded.scenario;
    Ok(if here.file.is_file() {
        corridor_scenario::load_at(&here.file, Some(date))?
    } else {
        crate::scenario::cut_back_to(here, date)
    })
}

/// The access report on `date`: the scenario as it was (or will be) on that date — incidents up
/// to it, closures in force on it, facility records in force — on the loaded map, read by
/// [`from_files`].
pub fn report_on(
    loaded: &LoadedScenario,
    date: NaiveDate,
    params: &AccessParams,
) -> Result<(AccessReport, Value)> {
    report_on_with(loaded, &|d| from_files(loaded, d), date, params)
}

/// [`report_on`] with the scenario on `date` from `scenario_on` (the loaded one on `as_of`).
pub fn report_on_with(
    loaded: &LoadedScenario,
    scenario_on: ScenarioOn,
    date: NaiveDate,
    params: &AccessParams,
) -> Result<(AccessReport, Value)> {
    let here = &loaded.scenario;
    let other;
    let s = if date == here.as_of {
        here
    } else {
        other = scenario_on(date)?;
        &other
    };
    let g = &loaded.map.graph;
    let on = |p: Profile| {
        ScenarioMap::new(s, g.profile(p), g.meta.bbox, &loaded.snappers[p.index()])
            .map_err(|e| anyhow!("scenario on {date}: {e}"))
    };
    let (foot, car) = (on(Profile::Foot)?, on(Profile::Car)?);
    let fac = facilities_on(s, &g.facilities, date, &params.hits).map_err(|e| anyhow!("{e}"))?;
    let r = access_customized(&foot, &car, fac, date, params, [None, None])
        .map_err(|e| anyhow!("{e}"))?;
    let state = json!({"as_of": date, "incidents": s.incidents.len(),
        "closures_in_force": s.closures.len(),
        "territory_features_in_force": s.territories.len(),
        "roads_closed_on_foot": (0..foot.graph.edge_count() as u32).filter(|&e| foot.closure_of(e).is_some()).count(),
        "roads_closed_by_car": (0..car.graph.edge_count() as u32).filter(|&e| car.closure_of(e).is_some()).count()});
    Ok((r, state))
}

/// Which engine answered each profile's searches, on `as_of` and on the compare date.
fn engine_json(now: &AccessReport, then: Option<&AccessReport>) -> Value {
    let of = |r: &AccessReport| -> Value {
        r.by_profile
            .iter()
            .map(|p| (p.profile.name().to_string(), json!(p.engine)))
            .collect::<serde_json::Map<_, _>>()
            .into()
    };
    json!({"as_of": of(now), "compare_date": then.map(of),
           "rule": "auto: the customized CCH (multi-source PHAST) when a customization (unless cached, as the server keeps one) plus two sweeps is expected to cost less than two Dijkstra searches, from the graph's sizes and measured costs (corridor_analysis::engine::one_to_all_engine); both engines give the same minutes and the same nearest facility (equal times in whole milliseconds: the smallest road-node id)"})
}

fn assumptions(params: &AccessParams, s: &corridor_scenario::Scenario) -> Value {
    json!([
        "facilities from the map are functioning unless a facilities record in force or an incident says otherwise; a dated record (since/until) supersedes incidents before its since, so a facility can reopen",
        format!("an incident hits a facility within {} m, or within {} m when its notes name the facility (whole name, as words)", params.hits.hit_radius_m, params.hits.named_hit_radius_m),
        format!("explosive kinds (air/drone strike, shelling/artillery/missile, remote explosive/IED, suicide bomb, chemical weapon, other explosions) make it not functioning; attacks, armed clashes, grenades and looting/property destruction partially functioning; any of them destroyed when the notes say {} (not after {})", DESTROYED_WORDS.join("/"), NOT_QUITE_WORDS.join("/")),
        "partially functioning facilities count as working in coverage and catchments; coverage_fully_functioning counts fully functioning ones only",
        "each person goes to the nearest working facility by travel time (fastest, on the scenario's passability), without capacity limits: a catchment is a facility's load",
        "population units are reached at their point (or an interior point of their area); farther than max_snap_m from a road is unreachable",
        territory_assumption(s),
    ])
}

/// What `--compare` does with territory: a dated timeline (`since`/`until` on its features) is
/// read for each date, so the front in force on the compare date decides passability there.
fn territory_assumption(s: &corridor_scenario::Scenario) -> String {
    let dated = s
        .territory_timeline
        .iter()
        .any(|t| t.since.is_some() || t.until.is_some());
    if dated {
        "territory is dated (since/until): each date is evaluated with the features in force on it (territory_features_in_force); --compare also re-reads incidents, closures and facility records for its date".to_string()
    } else {
        "territory is undated: the same on every date; --compare re-reads incidents, closures and facility records for its date".to_string()
    }
}

/// Facility status and coverage on `as_of` (and on `compare_date`, with what changed), as
/// JSON or a GeoJSON FeatureCollection; the scenario on `compare_date` is read by
/// [`from_files`].
pub fn access_result(
    loaded: &LoadedScenario,
    foot: &ScenarioMap,
    car: &ScenarioMap,
    minutes: &[f64],
    compare_date: Option<NaiveDate>,
    geojson: bool,
    engines: Engines,
) -> Result<Value> {
    let on = |d| from_files(loaded, d);
    access_result_with(
        loaded,
        foot,
        car,
        minutes,
        compare_date,
        &on,
        geojson,
        engines,
    )
}

/// [`access_result`] with the scenario on `compare_date` from `scenario_on` (the server reads
/// its stored files and incident log there, as the CLI reads the manifest).
#[allow(clippy::too_many_arguments)]
pub fn access_result_with(
    loaded: &LoadedScenario,
    foot: &ScenarioMap,
    car: &ScenarioMap,
    minutes: &[f64],
    compare_date: Option<NaiveDate>,
    scenario_on: ScenarioOn,
    geojson: bool,
    engines: Engines,
) -> Result<Value> {
    check_minutes(minutes)?;
    let s = &loaded.scenario;
    let params = AccessParams {
        thresholds_min: minutes.to_vec(),
        engine: engines.choice,
        ..Default::default()
    };
    // On `as_of`, the maps the caller laid (a server's carry its live incidents).
    let now_fac = facilities_on(s, &loaded.map.graph.facilities, s.as_of, &params.hits)
        .map_err(|e| anyhow!("{e}"))?;
    let now = access_customized(foot, car, now_fac, s.as_of, &params, engines.customized)
        .map_err(|e| anyhow!("{e}"))?;
    let then = compare_date
        .map(|d| report_on_with(loaded, scenario_on, d, &params))
        .transpose()?;
    let v = match geojson {
        false => {
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
            v["assumptions"] = assumptions(&params, s);
            v["engine"] = engine_json(&now, then.as_ref().map(|t| &t.0));
            v
        }
        true => {
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
    Ok(v)
}

/// The areas reachable from `from` (`[lon, lat]`; `from_arg` names it in errors) within each
/// of `minutes`, on `sm` (the scenario on `profile`), as a GeoJSON FeatureCollection.
pub fn isochrone_result(
    loaded: &LoadedScenario,
    sm: &ScenarioMap,
    profile: Profile,
    from: [f64; 2],
    from_arg: &str,
    minutes: &[f64],
    engines: Engines,
) -> Result<Value> {
    check_minutes(minutes)?;
    let g = sm.graph;
    let side = Side::default_for(&loaded.scenario);
    // Start only on a road open to this traveller on this side (a closed road is no start).
    let w = sm.weights(side, corridor_scenario::Mode::Fastest, 0.0);
    let start = snap_usable(
        g,
        &loaded.snappers[profile.index()],
        from,
        500.0,
        ["--from", from_arg],
        &|e| edge_open(g, &w, e),
    )?;
    let snap = *start.best();
    let mut minutes = minutes.to_vec();
    minutes.sort_by(f64::total_cmp);
    let params = IsochroneParams {
        engine: engines.choice,
        ..Default::default()
    };
    let customized = engines.customized[profile.index()];
    let polys = isochrones_from_point_customized(
        sm,
        side,
        start.candidates(),
        &minutes,
        &params,
        customized,
    );
    let features: Vec<Value> = polys
        .areas
        .iter()
        .rev()
        .map(|(m, mp)| {
            json!({"type": "Feature", "geometry": polygon_json(mp),
                   "properties": {"minutes": m, "profile": profile}})
        })
        .collect();
    let v = loaded.feature_collection(
        features,
        json!({"from": {"lat": snap.point[1], "lon": snap.point[0], "snap_m": snap.distance_m},
               "side": describe_side(&loaded.scenario, side),
               "parameters": params,
               // The cell grows past `cell_m` on large areas (at most a million cells).
               "grid_cell_m": polys.grid_cell_m,
               "engine": polys.engine}),
    );
    Ok(v)
}
