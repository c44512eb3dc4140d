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

/// Google's polyline algorithm, written again for the test (developers.google.com/maps/
/// documentation/utilities/polylinealgorithm): latitude first, deltas, zigzag, 5-bit chunks.
fn encode_polyline(points: &[[f64; 2]], precision: i32) -> String {
    let k = 10f64.powi(precision);
    let mut out = String::new();
    let mut prev = [0i64, 0i64];
    for p in points {
        let now = [(p[1] * k).round() as i64, (p[0] * k).round() as i64];
        for (a, b) in now.iter().zip(prev) {
            let d = a - b;
            let mut v = if d < 0 { !(d << 1) } else { d << 1 } as u64;
            while v >= 0x20 {
                out.push(char::from(((0x20 | (v & 0x1f)) + 63) as u8));
                v >>= 5;
            }
            out.push(char::from((v + 63) as u8));
        }
        prev = now;
    }
    out
}

#[test]
fn polyline_coordinates_simplified_overview_and_annotations() {
    let s = start();
    let get = |path: &str| s.get(path, Some(&s.viewer));
    let plain = get(&format!("/route/v1/car/{ACROSS}?geometries=geojson")).1;
    let pts = [[1.5218, 42.5063], [1.5383, 42.5114]];
    // (42.5063 N, 1.5218 E), checked against an independent encoder.
    assert_eq!(encode_polyline(&pts[..1], 5), "k_mbGgfhH");
    // The same two points as polyline(…) and polyline6(…): the same route.
    for (kind, precision) in [("polyline", 5), ("polyline6", 6)] {
        // Percent-encoded, as a client puts it in a URL path.
        let enc: String = encode_polyline(&pts, precision)
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect();
        let (st, v) = get(&format!("/route/v1/car/{kind}({enc})?geometries=geojson"));
        assert_eq!(st, 200, "{kind}: {v}");
        assert_eq!(
            v["routes"][0]["distance"], plain["routes"][0]["distance"],
            "{kind}"
        );
    }
    let (st, v) = get("/route/v1/car/polyline(_xkbG?geometries=geojson");
    assert_eq!((st, v["code"].as_str()), (400, Some("InvalidUrl")), "{v}");
    // overview=simplified: a subsequence of the full line, same ends, fewer or as many points,
    // every full point within the documented 10 m of it (+1 m for the test's 2 m sampling).
    let full = coords(&plain["routes"][0]["geometry"]);
    let (_, v) = get(&format!(
        "/route/v1/car/{ACROSS}?geometries=geojson&overview=simplified"
    ));
    let simple = coords(&v["routes"][0]["geometry"]);
    assert!(simple.len() >= 2 && simple.len() <= full.len());
    assert!(
        simple.len() < full.len(),
        "a real street route has points to drop"
    );
    assert_eq!(
        (simple[0], *simple.last().unwrap()),
        (full[0], *full.last().unwrap())
    );
    let mut at = full.iter();
    for p in &simple {
        assert!(
            at.any(|q| q == p),
            "{p:?} is not a point of the full line, in order"
        );
    }
    for p in &full {
        let d = distance_to_line_m(*p, &simple);
        assert!(d <= 11.0, "{p:?} is {d} m from the simplified line");
    }
    assert_eq!(v["routes"][0]["distance"], plain["routes"][0]["distance"]);
    // annotations=true: OSRM's per-segment arrays in each leg, which add up to the leg.
    let (st, v) = get(&format!(
        "/route/v1/car/{ACROSS}?geometries=geojson&annotations=true"
    ));
    assert_eq!(st, 200, "{v}");
    let leg = &v["routes"][0]["legs"][0];
    let a = &leg["annotation"];
    let nums = |k: &str| -> Vec<f64> {
        a[k].as_array()
            .unwrap_or_else(|| panic!("annotation lacks '{k}': {a}"))
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect()
    };
    let (dist, dur, speed) = (nums("distance"), nums("duration"), nums("speed"));
    let line = coords(&v["routes"][0]["geometry"]);
    assert_eq!(
        dist.len(),
        line.len() - 1,
        "one entry per segment of the geometry"
    );
    assert_eq!((dur.len(), speed.len()), (dist.len(), dist.len()));
    for (i, w) in line.windows(2).enumerate() {
        assert!(
            (haversine_m(w[0], w[1]) - dist[i]).abs() < 0.2,
            "segment {i}"
        );
    }
    let leg_d = leg["distance"].as_f64().unwrap();
    let leg_t = leg["duration"].as_f64().unwrap();
    assert!((dist.iter().sum::<f64>() - leg_d).abs() < 0.005 * leg_d + 1.0);
    assert!((dur.iter().sum::<f64>() - leg_t).abs() < 0.01 * leg_t + 1.0);
    // Car speeds are the class defaults or 80 % of a limit: at most 90 km/h = 25 m/s.
    assert!(speed.iter().all(|&x| x > 0.0 && x <= 25.05), "{speed:?}");
    let nodes = a["nodes"].as_array().unwrap();
    assert!(nodes.len() >= 2 && nodes.iter().all(|n| n.as_i64().is_some()));
    assert!(nodes.windows(2).all(|w| w[0] != w[1]));
    // A subset, and OSRM's error for a value it does not know.
    let (_, v) = get(&format!(
        "/route/v1/car/{ACROSS}?annotations=distance,nodes"
    ));
    let a = &v["routes"][0]["legs"][0]["annotation"];
    assert!(a.get("distance").is_some() && a.get("nodes").is_some());
    assert!(a.get("duration").is_none() && a.get("speed").is_none());
    let (st, v) = get(&format!("/route/v1/car/{ACROSS}?annotations=weight"));
    assert_eq!((st, v["code"].as_str()), (400, Some("InvalidValue")), "{v}");
    let (_, v) = get(&format!("/route/v1/car/{ACROSS}"));
    assert!(v["routes"][0]["legs"][0].get("annotation").is_none());
}
