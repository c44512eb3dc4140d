//! The OSRM endpoints against OSRM's documented response fields
//! (project-osrm.org/docs/v5.24.0/api), with geometry and snapping checked by an independent
//! haversine, and OSRM's error codes for malformed requests.

mod common;
use common::*;
use serde_json::Value;

const ACROSS: &str = "1.5218,42.5063;1.5383,42.5114";

fn has(v: &Value, fields: &[&str], what: &str) {
    for f in fields {
        assert!(v.get(f).is_some(), "{what} lacks OSRM's '{f}': {v}");
    }
}

#[test]
fn route_has_osrms_fields_and_its_numbers_hold() {
    let s = start();
    let (st, v) = s.get(
        &format!("/route/v1/foot/{ACROSS}?geometries=geojson&steps=true&overview=full"),
        Some(&s.viewer),
    );
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["code"], "Ok");
    has(&v, &["code", "routes", "waypoints"], "response");
    let r = &v["routes"][0];
    has(
        r,
        &[
            "distance",
            "duration",
            "weight",
            "weight_name",
            "geometry",
            "legs",
        ],
        "route",
    );
    let leg = &r["legs"][0];
    has(
        leg,
        &["distance", "duration", "weight", "summary", "steps"],
        "leg",
    );
    for w in v["waypoints"].as_array().unwrap() {
        has(w, &["hint", "distance", "name", "location"], "waypoint");
    }
    // The geometry's own length (haversine) is the reported distance.
    let line = coords(&r["geometry"]);
    let len: f64 = line.windows(2).map(|w| haversine_m(w[0], w[1])).sum();
    let d = r["distance"].as_f64().unwrap();
    assert!(
        (len - d).abs() < 0.01 * d + 1.0,
        "geometry {len} m vs distance {d} m"
    );
    // Walking at 5 km/h (2.5 on steps): duration between d/1.39 and d/0.69 seconds.
    let t = r["duration"].as_f64().unwrap();
    assert!(
        t >= d / 1.39 - 1.0 && t <= d / 0.69 + 1.0,
        "{t} s for {d} m"
    );
    // Waypoints lie as far from the asked points as they say, and on the route's ends.
    let asked = [[1.5218, 42.5063], [1.5383, 42.5114]];
    for (w, a) in v["waypoints"].as_array().unwrap().iter().zip(asked) {
        let loc = [
            w["location"][0].as_f64().unwrap(),
            w["location"][1].as_f64().unwrap(),
        ];
        let dist = w["distance"].as_f64().unwrap();
        assert!((haversine_m(a, loc) - dist).abs() < 1.0, "{w}");
        assert!(dist < 50.0);
    }
    let first = [line[0][0], line[0][1]];
    let wp0 = &v["waypoints"][0]["location"];
    assert!(haversine_m(first, [wp0[0].as_f64().unwrap(), wp0[1].as_f64().unwrap()]) < 1.0);
    // Steps: depart first, arrive last, their distances add up to the leg's, each step starts
    // where its maneuver is.
    let steps = leg["steps"].as_array().unwrap();
    assert!(steps.len() >= 3);
    assert_eq!(steps[0]["maneuver"]["type"], "depart");
    assert_eq!(steps.last().unwrap()["maneuver"]["type"], "arrive");
    let sum: f64 = steps.iter().map(|s| s["distance"].as_f64().unwrap()).sum();
    assert!(
        (sum - leg["distance"].as_f64().unwrap()).abs() < 1.0,
        "{sum}"
    );
    for step in steps {
        has(
            step,
            &[
                "distance",
                "duration",
                "weight",
                "name",
                "mode",
                "geometry",
                "maneuver",
                "intersections",
            ],
            "step",
        );
        has(
            &step["maneuver"],
            &["location", "bearing_before", "bearing_after", "type"],
            "maneuver",
        );
        assert_eq!(step["mode"], "walking");
        let g = coords(&step["geometry"]);
        let m = &step["maneuver"]["location"];
        assert!(haversine_m(g[0], [m[0].as_f64().unwrap(), m[1].as_f64().unwrap()]) < 1.0);
        if step["maneuver"]["type"] == "turn" {
            let m = step["maneuver"]["modifier"].as_str().unwrap();
            assert!([
                "uturn",
                "sharp right",
                "right",
                "slight right",
                "straight",
                "slight left",
                "left",
                "sharp left"
            ]
            .contains(&m));
        }
    }
    // corridor's own fields are added beside OSRM's.
    assert_eq!(r["mode"], "fastest");
    assert_eq!(v["map"]["sha256"].as_str().unwrap().len(), 64);
}

#[test]
fn encodings_agree_and_alternatives_differ() {
    let s = start();
    let get = |q: &str| {
        s.get(&format!("/route/v1/car/{ACROSS}?{q}"), Some(&s.viewer))
            .1
    };
    let gj = coords(&get("geometries=geojson")["routes"][0]["geometry"]);
    for (q, precision) in [("geometries=polyline", 5), ("geometries=polyline6", 6)] {
        let enc = get(q)["routes"][0]["geometry"]
            .as_str()
            .unwrap()
            .to_string();
        let line = polyline::decode_polyline(&enc, precision).unwrap();
        assert_eq!(line.0.len(), gj.len());
        let tol = 1.1 * 10f64.powi(-(precision as i32));
        for (a, b) in line.0.iter().zip(&gj) {
            assert!(
                (a.x - b[0]).abs() <= tol && (a.y - b[1]).abs() <= tol,
                "{q}"
            );
        }
    }
    let none = get("overview=false");
    assert!(none["routes"][0].get("geometry").is_none());
    let alt = get("alternatives=2&geometries=geojson");
    let routes = alt["routes"].as_array().unwrap();
    assert!(!routes.is_empty() && routes.len() <= 3);
    let best = routes[0]["duration"].as_f64().unwrap();
    for r in &routes[1..] {
        assert!(r["duration"].as_f64().unwrap() >= best - 0.05);
        assert_ne!(coords(&r["geometry"]), coords(&routes[0]["geometry"]));
    }
    // Three coordinates: two legs that add up.
    let (st, v) = s.get(
        "/route/v1/car/1.5218,42.5063;1.5300,42.5090;1.5383,42.5114",
        Some(&s.viewer),
    );
    assert_eq!(st, 200);
    let legs = v["routes"][0]["legs"].as_array().unwrap();
    assert_eq!(legs.len(), 2);
    let total: f64 = legs.iter().map(|l| l["distance"].as_f64().unwrap()).sum();
    assert!((total - v["routes"][0]["distance"].as_f64().unwrap()).abs() < 0.2);
}

#[test]
fn table_matches_single_routes_and_nearest_lists_segments() {
    let s = start();
    let pts = "1.5218,42.5063;1.5383,42.5114;1.5300,42.5090";
    let (st, t) = s.get(
        &format!("/table/v1/car/{pts}?annotations=duration,distance"),
        Some(&s.viewer),
    );
    assert_eq!(st, 200, "{t}");
    has(
        &t,
        &["code", "durations", "distances", "sources", "destinations"],
        "table",
    );
    let p: Vec<&str> = pts.split(';').collect();
    for i in 0..3 {
        assert_eq!(t["durations"][i][i].as_f64().unwrap(), 0.0);
        for j in 0..3 {
            if i == j {
                continue;
            }
            let (_, r) = s.get(
                &format!("/route/v1/car/{};{}?overview=false", p[i], p[j]),
                Some(&s.viewer),
            );
            assert_eq!(t["durations"][i][j], r["routes"][0]["duration"], "{i}->{j}");
            assert_eq!(t["distances"][i][j], r["routes"][0]["distance"], "{i}->{j}");
        }
    }
    let (_, sub) = s.get(
        &format!("/table/v1/car/{pts}?sources=0&destinations=1;2"),
        Some(&s.viewer),
    );
    assert_eq!(sub["durations"].as_array().unwrap().len(), 1);
    assert_eq!(sub["durations"][0][0], t["durations"][0][1]);
    assert!(sub.get("distances").is_none());

    let (st, n) = s.get("/nearest/v1/foot/1.5218,42.5063?number=3", Some(&s.viewer));
    assert_eq!(st, 200);
    let w = n["waypoints"].as_array().unwrap();
    assert_eq!(w.len(), 3);
    let mut last = 0.0;
    for x in w {
        has(
            x,
            &["nodes", "hint", "distance", "name", "location"],
            "nearest waypoint",
        );
        let d = x["distance"].as_f64().unwrap();
        assert!(d + 0.01 >= last, "nearest first");
        last = d;
        let loc = [
            x["location"][0].as_f64().unwrap(),
            x["location"][1].as_f64().unwrap(),
        ];
        assert!((haversine_m([1.5218, 42.5063], loc) - d).abs() < 1.0);
    }
}

#[test]
fn malformed_requests_get_osrms_codes() {
    let s = start();
    let sc = "scenario=andorra-siege";
    let cases: Vec<(String, u16, &str)> = vec![
        ("/route/v1/foot/1.52,42.50".into(), 400, "InvalidValue"),
        ("/route/v1/foot/abc;def".into(), 400, "InvalidUrl"),
        (
            "/route/v1/foot/1.5218,42.5063;1.5383".into(),
            400,
            "InvalidUrl",
        ),
        (
            "/route/v1/foot/1.5218,91;1.5383,42.5114".into(),
            400,
            "InvalidValue",
        ),
        (format!("/route/v1/bike/{ACROSS}"), 400, "InvalidValue"),
        (
            format!("/route/v1/foot/{ACROSS}?zoom=3"),
            400,
            "InvalidQuery",
        ),
        (
            format!("/route/v1/foot/{ACROSS}?steps=true&steps=false"),
            400,
            "InvalidQuery",
        ),
        (
            format!("/route/v1/foot/{ACROSS}?geometries=wkt"),
            400,
            "InvalidValue",
        ),
        (
            format!("/route/v1/foot/{ACROSS}?alternatives=-1"),
            400,
            "InvalidValue",
        ),
        (
            format!("/route/v1/foot/{ACROSS}?radiuses=5"),
            400,
            "InvalidValue",
        ),
        (
            format!("/route/v1/foot/{ACROSS}?mode=safest"),
            400,
            "InvalidQuery",
        ),
        (
            format!("/route/v1/foot/{ACROSS}?scenario=nope"),
            400,
            "InvalidValue",
        ),
        (
            format!("/route/v1/foot/{ACROSS}?{sc}&side=rebels"),
            400,
            "InvalidValue",
        ),
        (
            format!("/route/v1/foot/{ACROSS}?{sc}&mode=quickest"),
            400,
            "InvalidValue",
        ),
        (
            format!("/route/v1/foot/{ACROSS}?{sc}&lambda=-1"),
            400,
            "InvalidValue",
        ),
        ("/route/v1/foot/0,0;1.5383,42.5114".into(), 400, "NoSegment"),
        (
            format!("/route/v1/foot/{ACROSS}?radiuses=1;1"),
            400,
            "NoSegment",
        ),
        (
            format!("/table/v1/foot/{ACROSS}?sources=5"),
            400,
            "InvalidValue",
        ),
        (
            format!("/table/v1/foot/{ACROSS}?annotations=speed"),
            400,
            "InvalidValue",
        ),
        (
            "/nearest/v1/foot/1.5218,42.5063?number=0".into(),
            400,
            "InvalidValue",
        ),
        (format!("/nearest/v1/foot/{ACROSS}"), 400, "InvalidValue"),
        ("/v1/scenarios/nope/siege".into(), 404, "NotFound"),
        (
            "/v1/scenarios/andorra-siege/siege?close=Nowhere%20Street".into(),
            400,
            "InvalidInput",
        ),
        (
            "/v1/scenarios/andorra-siege/siege?format=kml".into(),
            400,
            "InvalidQuery",
        ),
        (
            "/v1/scenarios/andorra-siege/incidents?from=July".into(),
            400,
            "InvalidQuery",
        ),
        (
            "/v1/scenarios/andorra-siege/incidents?bbox=1,2,3".into(),
            400,
            "InvalidQuery",
        ),
        (
            "/v1/scenarios/andorra-siege/isochrone".into(),
            400,
            "InvalidQuery",
        ),
        (
            "/v1/scenarios/andorra-siege/isochrone?from=0,0".into(),
            400,
            "InvalidInput",
        ),
        (
            "/v1/scenarios/andorra-siege/access?minutes=0".into(),
            400,
            "InvalidQuery",
        ),
        (
            "/v1/scenarios/andorra-siege/access?compare=yesterday".into(),
            400,
            "InvalidInput",
        ),
        (
            "/v1/scenarios/andorra-siege/evacuate?suggest=lots".into(),
            400,
            "InvalidQuery",
        ),
        ("/no/such/endpoint".into(), 404, "NotFound"),
    ];
    for (url, status, code) in cases {
        let (st, v) = s.get(&url, Some(&s.viewer));
        assert_eq!(
            (st, v["code"].as_str().unwrap()),
            (status, code),
            "{url}: {v}"
        );
        let msg = v["message"].as_str().unwrap();
        assert!(!msg.is_empty() && !msg.contains('\n'), "{url}: {msg}");
    }
}

#[test]
fn points_on_networks_that_do_not_connect_get_no_route() {
    let s = start();
    let g = s.state.map.graph.profile(corridor_roads::Profile::Car);
    let snapper = &s.state.snappers[corridor_roads::Profile::Car.index()];
    // A point on a road piece outside the main network (by the graph's component labels, not
    // by a search), with no main-network road within 5 m.
    let island = (0..g.edge_count() as u32)
        .filter(|&e| g.component[g.edges.from[e as usize] as usize] != 0)
        .map(|e| {
            let sh = g.edge_shape(e);
            sh[sh.len() / 2]
        })
        .find(|&p| {
            snapper
                .snap(g, p, 5.0)
                .is_some_and(|x| g.component[g.edges.from[x.edge as usize] as usize] != 0)
        })
        .expect("Andorra's car graph has roads outside its main network");
    let url = format!(
        "/route/v1/car/1.5218,42.5063;{},{}?radiuses=unlimited;5",
        island[0], island[1]
    );
    let (st, v) = s.get(&url, Some(&s.viewer));
    assert_eq!((st, v["code"].as_str().unwrap()), (400, "NoRoute"), "{v}");
    // The same pair in a table is null, not an error.
    let (st, t) = s.get(
        &format!(
            "/table/v1/car/1.5218,42.5063;{},{}?radiuses=unlimited;5",
            island[0], island[1]
        ),
        Some(&s.viewer),
    );
    assert_eq!(st, 200, "{t}");
    assert!(t["durations"][0][1].is_null());
}
