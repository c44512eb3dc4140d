//! Health-care access and isochrones as `corridor access` / `corridor isochrone` print them
//! and `/v1/scenarios/{id}/access` / `/isochrone` return them.

use crate::scenario::{describe_side, polygon_json, LoadedScenario};
use crate::snapping::snap_point;
use anyhow::{anyhow, bail, Result};
use chrono::NaiveDate;
use corridor_analysis::access::{access, compare, facilities_on, isochrones, AccessParams};
use corridor_roads::Profile;
use corridor_routing::Seed;
use corridor_scenario::{ScenarioMap, Side};
use serde_json::{json, Value};

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

/// Facility status and coverage on `as_of` (and on `compare_date`, with what changed), as
/// JSON or a GeoJSON FeatureCollection.
pub fn access_result(
    loaded: &LoadedScenario,
    foot: &ScenarioMap,
    car: &ScenarioMap,
    minutes: &[f64],
    compare_date: Option<NaiveDate>,
    geojson: bool,
) -> Result<Value> {
    check_minutes(minutes)?;
    let s = &loaded.scenario;
    let params = AccessParams {
        thresholds_min: minutes.to_vec(),
        ..Default::default()
    };
    let now_fac = facilities_on(s, &loaded.map.graph.facilities, s.as_of, &params)
        .map_err(|e| anyhow!("{e}"))?;
    let now = access(foot, car, now_fac, s.as_of, &params).map_err(|e| anyhow!("{e}"))?;
    let then = match compare_date {
        Some(d) => {
            let f = facilities_on(s, &loaded.map.graph.facilities, d, &params)
                .map_err(|e| anyhow!("{e}"))?;
            Some(access(foot, car, f, d, &params).map_err(|e| anyhow!("{e}"))?)
        }
        None => None,
    };
    let v = match geojson {
        false => {
            let mut v = loaded.result_json(&params, &now)?;
            v["changes"] = match &then {
                Some(t) => serde_json::to_value(if t.date <= now.date {
                    compare(t, &now, now.population)
                } else {
                    compare(&now, t, now.population)
                })?,
                None => json!([]),
            };
            v["assumptions"] = json!([
                "facilities from the map are functioning unless the scenario or an incident says otherwise",
                format!("an air or drone strike, shelling, explosive or chemical attack within {} m of a facility, or naming it in its notes, makes it not functioning (destroyed if the notes say so); an attack, clash or grenade there makes it partially functioning; the worst status holds", params.hit_radius_m),
                "partially functioning facilities still count as working",
                "each person goes to the nearest working facility by travel time, without capacity limits",
                "population units are reached at their point (or an interior point of their area)",
            ]);
            v
        }
        true => {
            let mut features: Vec<Value> = now
                .facilities
                .list
                .iter()
                .map(|f| facility_feature(f, &s.as_of.to_string()))
                .collect();
            if let Some(t) = &then {
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
) -> Result<Value> {
    check_minutes(minutes)?;
    let g = sm.graph;
    let snap = snap_point(
        g,
        &loaded.snappers[profile.index()],
        from,
        500.0,
        "--from",
        from_arg,
    )?;
    let f = snap.fraction(g);
    let side = Side::default_for(&loaded.scenario);
    let w = sm.weights(side, corridor_scenario::Mode::Fastest, 0.0);
    let arc_w = |a: u32| {
        if a == corridor_routing::INVALID {
            f64::INFINITY
        } else {
            w[a as usize]
        }
    };
    let e = snap.edge as usize;
    let seeds = [
        Seed {
            node: g.edges.to[e],
            cost: (1.0 - f) * arc_w(g.edge_fwd_arc[e]),
        },
        Seed {
            node: g.edges.from[e],
            cost: f * arc_w(g.edge_bwd_arc[e]),
        },
    ];
    let mut minutes = minutes.to_vec();
    minutes.sort_by(f64::total_cmp);
    let polys = isochrones(sm, side, &seeds, &minutes);
    let features: Vec<Value> = polys
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
               "side": describe_side(&loaded.scenario, side)}),
    );
    Ok(v)
}
