//! The web map's endpoints on a real server: the page without a token, its data only with one,
//! and the replay of the analyses on earlier days checked against the scenario's own files
//! (the incident CSV's dates) and against the analysis endpoints on `as_of`.

mod common;

use serde_json::Value;

fn raw(base: &str, path: &str, etag: Option<&str>) -> (u16, String, String) {
    let mut r = ureq::get(&format!("{base}{path}"));
    if let Some(e) = etag {
        r = r.set("If-None-Match", e);
    }
    let resp = match r.call() {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{e}"),
    };
    let ct = resp.header("Content-Type").unwrap_or("").to_string();
    let tag = resp.header("ETag").unwrap_or("").to_string();
    (resp.status(), ct, tag)
}

#[test]
fn the_page_is_served_without_a_token_and_revalidates_with_its_etag() {
    let s = common::start();
    let (status, ct, etag) = raw(&s.base, "/", None);
    assert_eq!(status, 200);
    assert!(ct.starts_with("text/html"), "{ct}");
    assert_eq!(raw(&s.base, "/", Some(&etag)).0, 304);
    for p in ["/app.js", "/worker.js"] {
        let (status, ct, _) = raw(&s.base, p, None);
        assert_eq!(
            (status, ct.starts_with("text/javascript")),
            (200, true),
            "{p}"
        );
    }
    assert_eq!(raw(&s.base, "/nothing.js", None).0, 404);
}

#[test]
fn the_map_data_needs_a_token() {
    let s = common::start();
    for p in [
        "/v1/web/network",
        "/v1/scenarios/andorra-siege/layers",
        "/v1/scenarios/andorra-siege/replay/siege?as_of=2016-07-20",
    ] {
        let (status, body) = s.get(p, None);
        assert_eq!(status, 401, "{p}: {body}");
        let (status, body) = s.get(p, Some("crd_wrong"));
        assert_eq!(status, 401, "{p}: {body}");
    }
    let (status, net) = s.get("/v1/web/network", Some(&s.viewer));
    assert_eq!(status, 200);
    assert!(net["features"].as_array().unwrap().len() > 1000);
}

fn incident_ids(layers: &Value) -> Vec<String> {
    layers["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["properties"]["layer"] == "incident")
        .map(|f| f["properties"]["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn an_incident_added_through_the_api_is_in_the_layers_with_its_date() {
    let s = common::start();
    let body = br#"{"event_date":"2016-07-27","event_type":"Battles","sub_event_type":"Armed clash","latitude":42.507,"longitude":1.52,"event_id_cnty":"WEB1"}"#;
    let (status, r) = s.post(
        "/v1/scenarios/andorra-siege/incidents",
        Some(&s.editor),
        "application/json",
        body,
    );
    assert!(status == 200 || status == 201, "{status} {r}");
    let (_, layers) = s.get("/v1/scenarios/andorra-siege/layers", Some(&s.viewer));
    assert!(incident_ids(&layers).contains(&"WEB1".to_string()));
    let tl = layers["properties"]["timeline"].to_string();
    assert!(tl.contains("2016-07-27"), "{tl}");
}

#[test]
fn replay_on_as_of_equals_the_analysis_and_earlier_days_leave_out_later_events() {
    let s = common::start();
    let t = Some(s.viewer.as_str());
    let (_, now) = s.get("/v1/scenarios/andorra-siege/siege", t);
    let (st, replay) = s.get(
        "/v1/scenarios/andorra-siege/replay/siege?as_of=2016-07-28",
        t,
    );
    assert_eq!(st, 200, "{replay}");
    assert_eq!(replay["enclaves"], now["enclaves"]);

    // The hospital is struck on 2016-07-26 (incidents.csv, AND10): destroyed on the 28th,
    // not on the 25th.
    let status_of = |day: &str| {
        let (st, a) = s.get(
            &format!("/v1/scenarios/andorra-siege/replay/access?as_of={day}"),
            t,
        );
        assert_eq!(st, 200, "{a}");
        assert_eq!(a["scenario"]["as_of"], day);
        a["facilities"]["list"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == "osm:w194554955")
            .map(|f| f["status"].as_str().unwrap().to_string())
            .unwrap()
    };
    assert_eq!(status_of("2016-07-28"), "destroyed");
    assert_ne!(status_of("2016-07-25"), "destroyed");
}

#[test]
fn bad_replay_requests_get_a_clear_4xx() {
    let s = common::start();
    let t = Some(s.viewer.as_str());
    for (path, status, says) in [
        ("replay/siege", 400, "as_of"),
        ("replay/siege?as_of=28.07.2016", 400, "YYYY-MM-DD"),
        (
            "replay/siege?as_of=2016-08-01",
            400,
            "after the scenario's as_of",
        ),
        ("replay/siege?as_of=2016-07-20&color=red", 400, "color"),
        ("replay/route?as_of=2016-07-20", 404, "route"),
        ("replay/siege?as_of=2016-07-20&format=xml", 400, "format"),
    ] {
        let (st, body) = s.get(&format!("/v1/scenarios/andorra-siege/{path}"), t);
        assert_eq!(st, status, "{path}: {body}");
        assert!(
            body["message"].as_str().unwrap().contains(says),
            "{path}: {body}"
        );
    }
    let (st, _) = s.get("/v1/scenarios/nowhere/layers", t);
    assert_eq!(st, 404);
}

/// Length of a line in metres (haversine), independent of the graph's own lengths.
fn metres(line: &[Value]) -> f64 {
    let p: Vec<(f64, f64)> = line
        .iter()
        .map(|c| (c[0].as_f64().unwrap(), c[1].as_f64().unwrap()))
        .collect();
    p.windows(2)
        .map(|w| {
            let (la1, la2) = (w[0].1.to_radians(), w[1].1.to_radians());
            let (dla, dlo) = (la2 - la1, (w[1].0 - w[0].0).to_radians());
            let h = (dla / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlo / 2.0).sin().powi(2);
            2.0 * 6_371_008.8 * h.sqrt().asin()
        })
        .sum()
}

/// `as_of=` on `/route/v1`: the closed tunnel (closures.geojson: OSM way 24364447, closed since
/// 2016-07-19) carries the car route between its own two ends on the 18th and not on the
/// scenario's `as_of`; the incidents a route passes are never dated after the day asked for
/// (incidents.csv); on `as_of` itself the answer is the one without `as_of`.
#[test]
fn routes_as_of_an_earlier_day_are_routed_on_that_day() {
    let s = common::start();
    let t = Some(s.viewer.as_str());
    let (_, net) = s.get("/v1/web/network", t);
    let tunnel = net["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["properties"]["osm_way_id"] == 24364447)
        .map(|f| f["geometry"]["coordinates"].as_array().unwrap().clone())
        .max_by(|a, b| metres(a).total_cmp(&metres(b)))
        .expect("the tunnel is on the map");
    let length = metres(&tunnel);
    assert!(length > 200.0, "{length}");
    let end = |c: &Value| format!("{},{}", c[0], c[1]);
    let base = format!(
        "/route/v1/car/{};{}?scenario=andorra-siege&overview=false",
        end(&tunnel[0]),
        end(tunnel.last().unwrap())
    );
    let distance = |extra: &str| {
        let (st, r) = s.get(&format!("{base}{extra}"), t);
        match st {
            200 => r["routes"][0]["distance"].as_f64().unwrap(),
            400 if r["code"] == "NoRoute" => f64::INFINITY,
            _ => panic!("{extra}: {st} {r}"),
        }
    };
    let open = distance("&as_of=2016-07-18");
    assert!(
        (open - length).abs() < 0.1 * length + 30.0,
        "through the tunnel on the 18th: {open} m, tunnel {length} m"
    );
    let closed = distance("&as_of=2016-07-28");
    assert!(
        closed > 1.5 * length,
        "a detour once it is closed: {closed} m, tunnel {length} m"
    );
    assert_eq!(closed, distance(""));
    // `/table/v1` takes the same day: its duration is the route's on each day.
    let coords = format!("{};{}", end(&tunnel[0]), end(tunnel.last().unwrap()));
    for day in ["2016-07-18", "2016-07-28"] {
        let (_, r) = s.get(&format!("{base}&as_of={day}"), t);
        let (st, m) = s.get(
            &format!("/table/v1/car/{coords}?scenario=andorra-siege&as_of={day}"),
            t,
        );
        assert_eq!(st, 200, "{m}");
        let route = r["routes"][0]["duration"].as_f64();
        let table = m["durations"][0][1].as_f64();
        match (route, table) {
            (Some(a), Some(b)) => assert!((a - b).abs() <= 0.1, "{day}: route {a} s, table {b} s"),
            (a, b) => assert_eq!(a, b, "{day}: {r} {m}"),
        }
    }
    let (_, a) = s.get(&format!("{base}&as_of=2016-07-28&mode=safest"), t);
    let (_, b) = s.get(&format!("{base}&mode=safest"), t);
    assert_eq!(a, b, "on as_of the answer is the one without as_of");

    // The incidents each leg passes, as of each day: none dated after it.
    let csv = std::fs::read_to_string(common::repo("data/scenarios/andorra-siege/incidents.csv"))
        .unwrap();
    let dated: std::collections::HashMap<String, String> = csv
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0].to_string(), f[1].to_string())
        })
        .collect();
    let across = "/route/v1/foot/1.5180,42.5070;1.5400,42.5100?scenario=andorra-siege&overview=false&mode=fastest";
    let passed = |day: &str| {
        let (st, r) = s.get(&format!("{across}&as_of={day}"), t);
        assert_eq!(st, 200, "{r}");
        assert_eq!(r["scenario"]["as_of"], day);
        let ids: Vec<String> = r["routes"][0]["legs"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|l| {
                l["exposure"]["incidents_within_250m"]
                    .as_array()
                    .unwrap()
                    .clone()
            })
            .map(|i| i["id"].as_str().unwrap().to_string())
            .collect();
        for id in &ids {
            assert!(
                dated[id].as_str() <= day,
                "{id} ({}) passed as of {day}",
                dated[id]
            );
        }
        ids
    };
    let (early, late) = (passed("2016-07-20"), passed("2016-07-28"));
    assert!(
        late.len() > early.len(),
        "later incidents are passed on the 28th: {early:?} vs {late:?}"
    );
}

#[test]
fn bad_as_of_on_a_route_is_an_osrm_error() {
    let s = common::start();
    let t = Some(s.viewer.as_str());
    let base = "/route/v1/foot/1.5180,42.5070;1.5400,42.5100";
    for (q, code, says) in [
        ("?as_of=2016-07-20", "InvalidQuery", "needs 'scenario'"),
        (
            "?scenario=andorra-siege&as_of=20.07.2016",
            "InvalidValue",
            "YYYY-MM-DD",
        ),
        (
            "?scenario=andorra-siege&as_of=2016-08-01",
            "InvalidValue",
            "after the scenario's as_of",
        ),
    ] {
        let (st, r) = s.get(&format!("{base}{q}"), t);
        assert_eq!((st, r["code"].as_str().unwrap()), (400, code), "{q}: {r}");
        assert!(r["message"].as_str().unwrap().contains(says), "{q}: {r}");
    }
}
