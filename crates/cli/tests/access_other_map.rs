//! `corridor access` and `corridor isochrone` on a map other than the example's: a small
//! invented scenario on Liechtenstein (`data/liechtenstein.osm.pbf`, bundled so that a clean clone runs it), every expected
//! figure worked out by hand from the files below and the documented rules.

mod common;
use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn liechtenstein() -> PathBuf {
    root().join("data/liechtenstein.osm.pbf")
}

/// The scenario: an enclave around Vaduz (opposition), a government strip north of it from
/// 20 July only; four point neighbourhoods (1,000 … 4,000 people); three invented clinics — A
/// functioning, B partially functioning, C functioning with a record saying it works again
/// from 25 July; three incidents; Giessaweg (OSM way 112392269, beside B) closed from 20 July.
fn scenario(dir: &Path) -> PathBuf {
    let files = [
        ("scenario.toml", format!(r#"name = "Access spot-check on Liechtenstein (invented)"
as_of = "2016-07-28"
map = "{}"
territory = "territory.geojson"
incidents = "incidents.csv"
closures = "closures.geojson"
population = "population.geojson"
facilities = "facilities.geojson"

[[party]]
id = "gov"
name = "Government (invented)"

[[party]]
id = "opp"
name = "Opposition (invented)"

[[enclave]]
name = "Vaduz"
party = "opp"
"#, liechtenstein().display())),
        ("territory.geojson", r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"party":"opp"},"geometry":{"type":"Polygon","coordinates":[[[9.505,47.120],[9.545,47.120],[9.545,47.150],[9.505,47.150],[9.505,47.120]]]}},
{"type":"Feature","properties":{"party":"gov","since":"2016-07-20"},"geometry":{"type":"Polygon","coordinates":[[[9.505,47.150],[9.545,47.150],[9.545,47.175],[9.505,47.175],[9.505,47.150]]]}}]}"#.to_string()),
        ("closures.geojson", r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"since":"2016-07-20","osm_way_id":112392269},"geometry":null}]}"#.to_string()),
        ("population.geojson", r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"name":"P1","people":1000},"geometry":{"type":"Point","coordinates":[9.521,47.141]}},
{"type":"Feature","properties":{"name":"P2","people":2000},"geometry":{"type":"Point","coordinates":[9.516,47.129]}},
{"type":"Feature","properties":{"name":"P3","people":3000},"geometry":{"type":"Point","coordinates":[9.530,47.135]}},
{"type":"Feature","properties":{"name":"P4","people":4000},"geometry":{"type":"Point","coordinates":[9.512,47.146]}}]}"#.to_string()),
        ("facilities.geojson", r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"name":"Clinic A (invented)","status":"functioning","beds":50,"kind":"clinic"},"geometry":{"type":"Point","coordinates":[9.5215,47.1405]}},
{"type":"Feature","properties":{"name":"Clinic B (invented)","status":"partially_functioning","beds":20,"kind":"clinic"},"geometry":{"type":"Point","coordinates":[9.5165,47.1285]}},
{"type":"Feature","properties":{"name":"Clinic C (invented)","status":"functioning","beds":10,"kind":"clinic"},"geometry":{"type":"Point","coordinates":[9.5305,47.1355]}},
{"type":"Feature","properties":{"name":"Clinic C (invented)","status":"functioning","since":"2016-07-25"},"geometry":null}]}"#.to_string()),
        ("incidents.csv", "event_id_cnty,event_date,year,event_type,sub_event_type,actor1,actor2,admin1,location,latitude,longitude,fatalities,notes
LI1,2016-07-15,2016,Explosions/Remote violence,Shelling/artillery/missile attack,Government (invented),,Vaduz,far south,47.1150,9.5215,0,Invented: a clinic destroyed; Clinic A (invented) is 2.8 km away.
LI2,2016-07-18,2016,Explosions/Remote violence,Air/drone strike,Government (invented),,Vaduz,Clinic C,47.1356,9.5306,0,Invented: Clinic C (invented) destroyed.
LI3,2016-07-19,2016,Battles,Armed clash,Government (invented),Opposition (invented),Vaduz,near Clinic B,47.1286,9.5166,0,Invented: fighting beside the clinic; destroyed vehicles.
".to_string()),
    ];
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
    dir.join("scenario.toml")
}

fn facility<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["facilities"]["list"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == name)
        .unwrap()
}

#[test]
fn access_on_liechtenstein_follows_the_documented_rules_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let sc = scenario(dir.path());
    let sc = sc.to_str().unwrap();
    let v = json(&["access", sc, "--compare", "2016-07-21"]);
    // LI1 fell 2.8 km from Clinic A: beyond the 100 m hit radius and the 1,000 m radius for
    // incidents naming a facility, so it does not hit A, whatever its notes say.
    let a = facility(&v, "Clinic A (invented)");
    assert_eq!(a["status"], "functioning", "{a}");
    assert!(a["changed_by"].as_array().unwrap().is_empty(), "{a}");
    // LI2 destroyed C (10 m away, "destroyed" next to its name) on 18 July; its record of
    // 25 July says it works again, so on 28 July it is functioning and on 21 July destroyed.
    let c = facility(&v, "Clinic C (invented)");
    assert_eq!(c["status"], "functioning", "{c}");
    let gained: Vec<&str> = v["changes"]["facilities_gained"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(gained, ["Clinic C (invented)"]);
    // LI3, an armed clash 13 m from B, whose notes destroy vehicles, not the clinic: B stays
    // partially functioning (an armed clash makes it so; it already was).
    let b = facility(&v, "Clinic B (invented)");
    assert_eq!(b["status"], "partially_functioning", "{b}");
    // Everyone reaches a working facility: the catchments add up to the population, and the
    // people of the partially functioning one are counted apart. P2 lives 60 m from B.
    assert_eq!(v["population"], 10000.0);
    let catchments = v["catchments"].as_array().unwrap();
    let total: f64 = catchments
        .iter()
        .map(|c| c["people"].as_f64().unwrap())
        .sum();
    assert_eq!(total, 10000.0);
    let partial: f64 = catchments
        .iter()
        .filter(|c| c["status"] == "partially_functioning")
        .map(|c| c["people"].as_f64().unwrap())
        .sum();
    assert!(partial >= 2000.0, "{catchments:?}");
    assert_eq!(v["load"]["partially_functioning_people"], partial);
    assert_eq!(
        v["load"]["functioning_people"].as_f64().unwrap() + partial,
        10000.0
    );
    // On 21 July, incidents up to that date: LI1, LI2 and LI3, and the closure of 20 July in
    // force; on 17 July only LI1, and no closure.
    let on = &v["changes"]["scenario_on_compare_date"];
    assert_eq!(on["incidents"], 3);
    assert_eq!(on["closures_in_force"], 1);
    assert!(on["roads_closed_on_foot"].as_u64().unwrap() >= 1, "{on}");
    // The territory file is dated: the government strip holds from 20 July, so two features on
    // 21 July and only the enclave on 17 July; the assumptions say the timeline is followed.
    assert_eq!(on["territory_features_in_force"], 2);
    let says = |v: &Value| v["assumptions"].to_string();
    assert!(says(&v).contains("territory is dated"), "{}", says(&v));
    let before = json(&["access", sc, "--compare", "2016-07-17"]);
    let on = &before["changes"]["scenario_on_compare_date"];
    assert_eq!(on["incidents"], 1);
    assert_eq!(on["closures_in_force"], 0);
    assert_eq!(on["roads_closed_on_foot"], 0);
    assert_eq!(on["territory_features_in_force"], 1);
}

/// An isochrone on Liechtenstein is a filled area: each polygon holds no hole, it contains its
/// start, and there is no sliver (every polygon over 10,000 m², by the shoelace formula in
/// local metres).
#[test]
fn an_isochrone_on_liechtenstein_is_filled() {
    let dir = tempfile::tempdir().unwrap();
    let sc = scenario(dir.path());
    let v = json(&[
        "isochrone",
        "--scenario",
        sc.to_str().unwrap(),
        "--from",
        "47.141,9.521",
        "--minutes",
        "10,20",
    ]);
    let (lon0, lat0) = (9.521f64, 47.141f64);
    let m = 6_371_008.8 * std::f64::consts::PI / 180.0;
    for f in v["features"].as_array().unwrap() {
        let polys = f["geometry"]["coordinates"].as_array().unwrap();
        assert!(!polys.is_empty());
        let mut holds_start = false;
        for p in polys {
            let rings = p.as_array().unwrap();
            assert_eq!(rings.len(), 1, "a hole in {}", f["properties"]);
            let pts: Vec<[f64; 2]> = rings[0]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    [
                        (c[0].as_f64().unwrap() - lon0) * m * lat0.to_radians().cos(),
                        (c[1].as_f64().unwrap() - lat0) * m,
                    ]
                })
                .collect();
            let area: f64 = pts
                .windows(2)
                .map(|w| w[0][0] * w[1][1] - w[1][0] * w[0][1])
                .sum::<f64>()
                .abs()
                / 2.0;
            assert!(area > 10_000.0, "a sliver of {area:.0} m²");
            // The start (the origin here) inside: a ray to the east crosses the ring oddly.
            let crossings = pts
                .windows(2)
                .filter(|w| (w[0][1] > 0.0) != (w[1][1] > 0.0))
                .filter(|w| {
                    w[0][0] + (0.0 - w[0][1]) * (w[1][0] - w[0][0]) / (w[1][1] - w[0][1]) > 0.0
                })
                .count();
            holds_start |= crossings % 2 == 1;
        }
        assert!(holds_start, "{}", f["properties"]);
    }
}

/// The report without the parts that name the engine (the only parts allowed to differ).
fn siege_without_engines(mut v: Value) -> Value {
    let o = v.as_object_mut().unwrap();
    o.remove("engine");
    o["parameters"].as_object_mut().unwrap().remove("engine");
    for e in o["enclaves"].as_array_mut().unwrap() {
        e.as_object_mut().unwrap().remove("engines");
    }
    v
}

/// `corridor siege --engine dijkstra` and `--engine cch` on the same invented Vaduz enclave
/// (a second map, a second enclave shape): identical reports — statuses, exposures, supply
/// routes and their geometry, people served, cuts, forecasts — and each names its engine for
/// every stage. With Giessaweg's closure and the front line the enclave has exposed routes.
#[test]
fn siege_on_liechtenstein_is_the_same_on_both_engines() {
    let dir = tempfile::tempdir().unwrap();
    let sc = scenario(dir.path());
    let sc = sc.to_str().unwrap();
    let d = json(&["siege", sc, "--engine", "dijkstra"]);
    let c = json(&["siege", sc, "--engine", "cch"]);
    for (v, name) in [(&d, "dijkstra"), (&c, "cch")] {
        let stages = v["engine"]["stages"][0]["stages"].as_array().unwrap();
        assert_eq!(stages.len(), 4, "{v}");
        assert!(stages.iter().all(|s| s["engine"] == name), "{stages:?}");
    }
    assert!(
        !d["enclaves"][0]["pieces"].as_array().unwrap().is_empty(),
        "the enclave has road pieces"
    );
    // Then with the exposure threshold exactly on the largest exposure of a supply route
    // (printed by serde_json as the shortest decimal that reads back as the same float): the
    // verdicts there flip on `<`, and the CCH must agree with Dijkstra's `f64` comparison.
    let x = d["enclaves"][0]["pieces"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["supply_routes"].as_array().unwrap())
        .map(|r| r["exposure"].as_f64().unwrap())
        .fold(0.0, f64::max);
    assert!(x > 0.0, "an exposed supply route");
    assert_eq!(siege_without_engines(d), siege_without_engines(c));
    let manifest = std::fs::read_to_string(sc).unwrap();
    std::fs::write(
        sc,
        format!("{manifest}\n[risk]\nexposure_threshold = {x:?}\n"),
    )
    .unwrap();
    let d = json(&["siege", sc, "--engine", "dijkstra"]);
    let c = json(&["siege", sc, "--engine", "cch"]);
    assert_eq!(
        d["parameters"]["exposure_threshold"], x,
        "{}",
        d["parameters"]
    );
    assert_eq!(siege_without_engines(d), siege_without_engines(c));
}
