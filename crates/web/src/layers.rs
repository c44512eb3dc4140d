//! The scenario's own layers as one GeoJSON FeatureCollection for the page: territory, front
//! lines, incidents, closures (as the road edges they cut), checkpoints and reception points.
//!
//! Every feature has a `layer` property naming its layer. Dated features (incidents, closures)
//! carry `date` (`YYYY-MM-DD`, the day they start to count), so the page replays the history
//! by hiding features dated after the chosen day; undated ones hold for the whole scenario.
//! Territory features carry their `since`/`until`; the territory and front lines of an earlier
//! day come from the layers of the scenario as it stood then (`layers?as_of=`).
//! The collection's `properties.timeline` lists those days and `as_of`, for the date slider.

use corridor_scenario::{ClosureGeometry, Scenario, ScenarioMap, Territory};
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashSet};

/// A MultiPolygon as a GeoJSON geometry (`[lon, lat]` rings).
fn multipolygon(m: &geo::MultiPolygon<f64>) -> Value {
    let polys: Vec<Vec<Vec<[f64; 2]>>> =
        m.0.iter()
            .map(|p| {
                std::iter::once(p.exterior())
                    .chain(p.interiors())
                    .map(|r| r.0.iter().map(|c| [c.x, c.y]).collect())
                    .collect()
            })
            .collect();
    json!({"type": "MultiPolygon", "coordinates": polys})
}

fn feature(geometry: Value, properties: Value) -> Value {
    json!({"type": "Feature", "geometry": geometry, "properties": properties})
}

fn point(c: [f64; 2]) -> Value {
    json!({"type": "Point", "coordinates": c})
}

/// The territory held on the scenario's day, each feature with its `since`/`until` (null when
/// open).
fn territories(s: &Scenario) -> impl Iterator<Item = Value> + '_ {
    let dates = |t: &Territory| {
        let d = s
            .territory_timeline
            .iter()
            .find(|d| d.territory.feature == t.feature);
        (
            d.and_then(|d| d.since).map(|x| x.to_string()),
            d.and_then(|d| d.until).map(|x| x.to_string()),
        )
    };
    s.territories.iter().map(move |t| {
        let p = &s.parties[t.party];
        let (since, until) = dates(t);
        feature(
            multipolygon(&t.area),
            json!({"layer": "territory", "party": p.id, "party_name": p.name,
                   "party_index": t.party, "feature": t.feature,
                   "since": since, "until": until}),
        )
    })
}

fn front_lines<'a>(s: &'a Scenario, foot: &'a ScenarioMap) -> impl Iterator<Item = Value> + 'a {
    foot.front_lines.iter().map(|f| {
        let coords: Vec<[f64; 2]> = f.line.0.iter().map(|c| [c.x, c.y]).collect();
        feature(
            json!({"type": "LineString", "coordinates": coords}),
            json!({"layer": "front_line",
                   "parties": [s.parties[f.parties.0].id, s.parties[f.parties.1].id]}),
        )
    })
}

fn incidents(s: &Scenario) -> impl Iterator<Item = Value> + '_ {
    s.incidents.iter().map(|i| {
        feature(
            point(i.point),
            json!({"layer": "incident", "id": i.id, "date": i.date.to_string(),
                   "event_type": i.event_type, "sub_event_type": i.sub_event_type,
                   "actor1": i.actor1, "fatalities": i.fatalities, "notes": i.notes}),
        )
    })
}

/// The road edges each closure cuts, on either profile, each edge once.
fn closures(s: &Scenario, maps: [&ScenarioMap; 2]) -> Vec<Value> {
    let mut seen: HashSet<(i64, Vec<[i64; 2]>)> = HashSet::new();
    let mut out = Vec::new();
    for sm in maps {
        for e in 0..sm.graph.edge_count() as u32 {
            let Some(ci) = sm.closure_of(e) else { continue };
            let shape = sm.graph.edge_shape(e).to_vec();
            let way = sm.graph.edges.way_id[e as usize];
            let key: Vec<[i64; 2]> = shape
                .iter()
                .map(|c| [(c[0] * 1e7) as i64, (c[1] * 1e7) as i64])
                .collect();
            if !seen.insert((way, key)) {
                continue;
            }
            let c = &s.closures[ci];
            let matched_by = match &c.geometry {
                Some(ClosureGeometry::Point(_)) => "point",
                Some(ClosureGeometry::Line(_)) => "line",
                None => "osm_way_id",
            };
            out.push(feature(
                json!({"type": "LineString", "coordinates": shape}),
                json!({"layer": "closure", "name": c.name, "date": c.since.to_string(),
                       "osm_way_id": way, "road": sm.graph.edge_name(e), "matched_by": matched_by}),
            ));
        }
    }
    out
}

fn checkpoints<'a>(s: &'a Scenario, foot: &'a ScenarioMap) -> impl Iterator<Item = Value> + 'a {
    foot.checkpoints.iter().flat_map(move |c| {
        let k = &s.corridors[c.corridor];
        let checkpoint = feature(
            point(c.point),
            json!({"layer": "checkpoint", "corridor": k.name, "purpose": k.purpose,
                   "capacity_per_hour": k.capacity_per_hour, "hours": k.hours,
                   "snap_m": (c.snap_m * 10.0).round() / 10.0}),
        );
        let reception = k.reception.map(|r| {
            feature(
                point(r),
                json!({"layer": "reception", "corridor": k.name, "purpose": k.purpose}),
            )
        });
        std::iter::once(checkpoint).chain(reception)
    })
}

/// The days on which something in the scenario starts to count, oldest first, ending at
/// `as_of`: the stops of the page's date slider.
fn timeline(s: &Scenario) -> Vec<String> {
    let mut days: BTreeSet<_> = s.incidents.iter().map(|i| i.date).collect();
    days.extend(s.closures.iter().map(|c| c.since));
    // The territory changes on a feature's first day and on the day after its last.
    for t in &s.territory_timeline {
        days.extend(t.since);
        days.extend(t.until.and_then(|d| d.succ_opt()));
    }
    days.insert(s.as_of);
    days.retain(|d| *d <= s.as_of);
    days.iter().map(|d| d.to_string()).collect()
}

/// The scenario's layers (see the module doc), laid on the foot and car graphs: `foot` gives
/// front lines and snapped checkpoints, both give the closed edges.
pub fn scenario_layers(s: &Scenario, foot: &ScenarioMap, car: &ScenarioMap) -> Value {
    let mut features: Vec<Value> = territories(s).collect();
    features.extend(front_lines(s, foot));
    features.extend(closures(s, [foot, car]));
    features.extend(checkpoints(s, foot));
    features.extend(incidents(s));
    json!({
        "type": "FeatureCollection",
        "features": features,
        "properties": {
            "scenario": s.name,
            "as_of": s.as_of.to_string(),
            "sha256": s.sha256,
            "parties": s.parties.iter().map(|p| json!({"id": p.id, "name": p.name})).collect::<Vec<_>>(),
            "enclaves": s.enclaves.iter().map(|e| json!({"name": e.name, "party": s.parties[e.party].id})).collect::<Vec<_>>(),
            "timeline": timeline(s),
        }
    })
}
