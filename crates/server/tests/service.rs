//! Tokens and roles, the incident log and its effect on routing, scenario uploads, the
//! analyses' version stamp: a real server on a real SQLite file (and PostgreSQL when
//! `CORRIDOR_TEST_DATABASE_URL` is set).

mod common;
use common::*;
use corridor_store::{PgStore, Store};
use serde_json::{json, Value};
use std::sync::Arc;

const SCEN: &str = "/v1/scenarios/andorra-siege";
/// Across the enclave of the example scenario (the demo's pair).
const ACROSS: &str = "1.5180,42.5070;1.5400,42.5100";

fn incident_at(p: [f64; 2], id: &str) -> Value {
    json!({"event_id_cnty": id, "event_date": "2016-07-28", "event_type": "Explosions/Remote violence",
           "sub_event_type": "Air/drone strike", "latitude": p[1], "longitude": p[0], "fatalities": 12,
           "notes": "test strike"})
}

fn log_len(s: &Server) -> usize {
    s.state.store.incidents("andorra-siege").unwrap().len()
}

#[test]
fn tokens_decide_who_reads_and_who_writes() {
    let s = start();
    let body = serde_json::to_vec(&incident_at([1.53, 42.508], "T1")).unwrap();
    let route = format!("/route/v1/foot/{ACROSS}");
    // Reads: no token, a wrong one, a malformed header → 401.
    for tok in [None, Some("crd_0000"), Some("")] {
        let (st, v) = s.get(&route, tok);
        assert_eq!(
            (st, v["code"].as_str().unwrap()),
            (401, "Unauthorized"),
            "{tok:?}"
        );
    }
    let (st, _) = call(
        ureq::get(&format!("{}{route}", s.base)).set("Authorization", &s.viewer),
        None,
    );
    assert_eq!(st, 401, "a token without 'Bearer '");
    assert_eq!(s.get("/health", None).0, 200);
    assert_eq!(s.get("/openapi.json", None).0, 401);
    assert_eq!(s.get(&route, Some(&s.viewer)).0, 200);
    // Writes: nobody, a viewer (403), and a revoked editor change nothing.
    let before = log_len(&s);
    let (st, v) = s.post(
        &format!("{SCEN}/incidents"),
        None,
        "application/json",
        &body,
    );
    assert_eq!(st, 401, "{v}");
    let (st, v) = s.post(
        &format!("{SCEN}/incidents"),
        Some(&s.viewer),
        "application/json",
        &body,
    );
    assert_eq!((st, v["code"].as_str().unwrap()), (403, "Forbidden"));
    // The token is checked before the body: a viewer with a malformed body still gets 403.
    assert_eq!(
        s.post(
            &format!("{SCEN}/incidents"),
            Some(&s.viewer),
            "application/json",
            b"{"
        )
        .0,
        403
    );
    // Token management needs admin.
    let (st, _) = s.post(
        "/v1/tokens",
        Some(&s.editor),
        "application/json",
        br#"{"role":"admin"}"#,
    );
    assert_eq!(st, 403);
    assert_eq!(s.get("/v1/tokens", Some(&s.editor)).0, 403);
    let (st, made) = s.post(
        "/v1/tokens",
        Some(&s.admin),
        "application/json",
        br#"{"role":"editor","label":"field"}"#,
    );
    assert_eq!(st, 201, "{made}");
    let (secret, id) = (
        made["secret"].as_str().unwrap().to_string(),
        made["token"]["id"].as_i64().unwrap(),
    );
    let tokens = s.get("/v1/tokens", Some(&s.admin)).1;
    assert!(
        !tokens.to_string().contains(&secret),
        "the list never shows a secret"
    );
    assert_eq!(
        s.post(
            &format!("/v1/tokens/{id}/revoke"),
            Some(&s.admin),
            "application/json",
            b""
        )
        .0,
        200
    );
    let (st, _) = s.post(
        &format!("{SCEN}/incidents"),
        Some(&secret),
        "application/json",
        &body,
    );
    assert_eq!(st, 401, "revoked");
    assert_eq!(
        s.get(&route, Some(&secret)).0,
        401,
        "revoked tokens cannot read either"
    );
    assert_eq!(log_len(&s), before, "nothing was written");
    // A new version needs editor too.
    let (st, _) = s.post(
        &format!("{SCEN}/versions"),
        Some(&s.viewer),
        "multipart/form-data; boundary=x",
        b"--x--\r\n",
    );
    assert_eq!(st, 403);
    assert_eq!(s.state.store.versions("andorra-siege").unwrap().len(), 1);
    // The editor's write records its token.
    let (st, v) = s.post(
        &format!("{SCEN}/incidents"),
        Some(&s.editor),
        "application/json",
        &body,
    );
    assert_eq!(st, 201, "{v}");
    let editor_id = s.state.store.authenticate(&s.editor).unwrap().unwrap().id;
    assert_eq!(v["added"][0]["added_by"], json!(editor_id));
    let hist = s.get(&format!("{SCEN}/history"), Some(&s.viewer)).1;
    let last = hist["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["action"].as_str().unwrap(), last["actor"].as_i64()),
        ("incident_add", Some(editor_id))
    );
}

#[test]
fn public_read_opens_reads_only() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> =
        Arc::new(corridor_store::SqliteStore::open(&dir.path().join("c.sqlite3")).unwrap());
    let s = start_with(store, Some(dir), true);
    assert_eq!(s.get(&format!("/route/v1/foot/{ACROSS}"), None).0, 200);
    assert_eq!(s.get(&format!("{SCEN}/incidents"), None).0, 200);
    let body = serde_json::to_vec(&incident_at([1.53, 42.508], "P1")).unwrap();
    assert_eq!(
        s.post(
            &format!("{SCEN}/incidents"),
            None,
            "application/json",
            &body
        )
        .0,
        401
    );
    assert_eq!(s.get("/v1/tokens", None).0, 401);
}

/// The point halfway along a line, by length.
fn midpoint(line: &[[f64; 2]]) -> [f64; 2] {
    let total: f64 = line.windows(2).map(|w| haversine_m(w[0], w[1])).sum();
    let mut acc = 0.0;
    for w in line.windows(2) {
        let l = haversine_m(w[0], w[1]);
        if acc + l >= total / 2.0 {
            let t = (total / 2.0 - acc) / l.max(1e-9);
            return [
                w[0][0] + t * (w[1][0] - w[0][0]),
                w[0][1] + t * (w[1][1] - w[0][1]),
            ];
        }
        acc += l;
    }
    line[line.len() - 1]
}

fn safest(s: &Server) -> (Vec<[f64; 2]>, f64, Value) {
    let (st, v) = s.get(
        &format!("/route/v1/foot/{ACROSS}?scenario=andorra-siege&mode=safest&geometries=geojson"),
        Some(&s.viewer),
    );
    assert_eq!(st, 200, "{v}");
    let r = &v["routes"][0];
    (coords(&r["geometry"]), r["risk"].as_f64().unwrap(), v)
}

/// Adds a strike halfway along the safest route, checks the next safest route, retracts it and
/// checks the route is back. Shared with the PostgreSQL run.
fn incident_changes_the_next_route(s: &Server) {
    let (line0, risk0, v0) = safest(s);
    let strike = midpoint(&line0);
    assert!(distance_to_line_m(strike, &line0) < 1.0);
    let body = serde_json::to_vec(&json!({"incidents": [incident_at(strike, "STRIKE1")]})).unwrap();
    let (st, added) = s.post(
        &format!("{SCEN}/incidents"),
        Some(&s.editor),
        "application/json",
        &body,
    );
    assert_eq!(st, 201, "{added}");
    let id = added["added"][0]["id"].as_i64().unwrap();
    let (line1, risk1, v1) = safest(s);
    // Hand reasoning: risk only grew, so the least exposure cannot fall; the strike sat on the
    // old route, so the new one either keeps well away from it or pays for it.
    assert!(risk1 >= risk0 - 1e-6, "{risk0} -> {risk1}");
    let away = distance_to_line_m(strike, &line1);
    assert!(
        away > 100.0 || risk1 > risk0 + 1.0,
        "still {away:.0} m from the strike, risk {risk0} -> {risk1}"
    );
    assert_ne!(
        (line1.clone(), risk1),
        (line0.clone(), risk0),
        "the answer did not change"
    );
    let listed: Vec<String> = v1["routes"][0]["legs"][0]["exposure"]["incidents_within_250m"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        listed.contains(&"STRIKE1".to_string()),
        away < 250.0,
        "{listed:?}, {away} m"
    );
    assert_eq!(
        v1["version"]["incident_log"]["in_force"].as_u64().unwrap(),
        v0["version"]["incident_log"]["in_force"].as_u64().unwrap() + 1
    );
    // Retracting restores exactly the old costs, so exactly the old route; the log keeps it.
    let (st, r) = s.post(
        &format!("{SCEN}/incidents/{id}/retract"),
        Some(&s.editor),
        "application/json",
        br#"{"reason":"duplicate of an older report"}"#,
    );
    assert_eq!(st, 200, "{r}");
    let (line2, risk2, _) = safest(s);
    assert_eq!((line2, risk2), (line0, risk0));
    let log = s
        .get(&format!("{SCEN}/incidents?retracted=only"), Some(&s.viewer))
        .1;
    let e = &log["incidents"][0];
    assert_eq!(
        (
            e["id"].as_i64().unwrap(),
            e["retracted"]["reason"].as_str().unwrap(),
            e["in_force"].as_bool().unwrap()
        ),
        (id, "duplicate of an older report", false)
    );
    assert_eq!(
        s.post(
            &format!("{SCEN}/incidents/{id}/retract"),
            Some(&s.editor),
            "application/json",
            br#"{"reason":"again"}"#
        )
        .0,
        409
    );
    assert_eq!(
        s.post(
            &format!("{SCEN}/incidents/{id}/retract"),
            Some(&s.editor),
            "application/json",
            b"{}"
        )
        .0,
        400,
        "a reason is required"
    );
}

#[test]
fn an_added_incident_changes_the_next_safest_route_on_sqlite() {
    incident_changes_the_next_route(&start());
}

#[test]
fn an_added_incident_changes_the_next_safest_route_on_postgres() {
    let Some(url) = corridor_store::test_database_url("incident_route_postgres") else {
        return;
    };
    let store: Arc<dyn Store> = Arc::new(PgStore::open(&url).unwrap());
    incident_changes_the_next_route(&start_with(store, None, false));
}

#[test]
fn incidents_upload_as_csv_all_or_nothing_and_filter() {
    let s = start();
    let head = "event_id_cnty,event_date,event_type,sub_event_type,actor1,actor2,latitude,longitude,fatalities,notes\n";
    let good = format!("{head}C1,2016-07-20,Battles,Armed clash,,,42.505,1.520,0,\nC2,2016-07-27,Riots,Mob violence,,,42.510,1.540,1,\nC3,2016-08-02,Battles,Armed clash,,,42.507,1.530,0,later\n");
    let bad = format!("{head}D1,2016-07-20,Battles,Armed clash,,,42.505,1.520,0,\nD2,2016-13-45,Battles,Armed clash,,,42.505,1.520,0,\n");
    let before = log_len(&s);
    let (st, v) = s.post(
        &format!("{SCEN}/incidents"),
        Some(&s.editor),
        "text/csv",
        bad.as_bytes(),
    );
    assert_eq!(st, 400);
    assert!(v["message"].as_str().unwrap().contains("line 3"), "{v}");
    assert_eq!(log_len(&s), before, "no row of a bad upload is stored");
    for (ct, body, what) in [
        ("text/csv", "event_date,latitude\n2016-07-20,42.5\n".to_string(), "missing columns"),
        ("application/json", r#"{"event_date":"2016-07-20","latitude":42.5,"longitude":1.52,"event_type":"Battles","colour":"red"}"#.to_string(), "unknown field"),
        ("application/json", r#"{"event_date":"2016-07-20","latitude":95,"longitude":1.52,"event_type":"Battles"}"#.to_string(), "latitude"),
        ("application/json", "[]".to_string(), "empty"),
        ("application/xml", "<x/>".to_string(), "media type"),
    ] {
        let (st, v) = s.post(&format!("{SCEN}/incidents"), Some(&s.editor), ct, body.as_bytes());
        assert!(st == 400 || st == 415, "{what}: {st} {v}");
    }
    assert_eq!(log_len(&s), before);
    let (st, v) = s.post(
        &format!("{SCEN}/incidents"),
        Some(&s.editor),
        "text/csv",
        good.as_bytes(),
    );
    assert_eq!(st, 201, "{v}");
    // The version counts C3 (after as_of 2016-07-28) as kept, not applied.
    assert_eq!(v["version"]["incident_log"]["after_as_of"], 1);
    let ids = |q: &str| -> Vec<String> {
        let v = s.get(&format!("{SCEN}/incidents{q}"), Some(&s.viewer)).1;
        v["incidents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["fields"]["event_id_cnty"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(""), ["C1", "C2", "C3"]);
    assert_eq!(ids("?from=2016-07-21&to=2016-07-31"), ["C2"]);
    assert_eq!(ids("?type=Battles"), ["C1", "C3"]);
    assert_eq!(ids("?bbox=1.515,42.500,1.525,42.506"), ["C1"]);
    assert_eq!(ids("?bbox=1.535,42.509,1.545,42.511&type=Riots"), ["C2"]);
    let all = s.get(&format!("{SCEN}/incidents"), Some(&s.viewer)).1;
    let in_force: Vec<bool> = all["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["in_force"].as_bool().unwrap())
        .collect();
    assert_eq!(in_force, [true, true, false]);
}

#[test]
fn oversized_bodies_get_413_and_change_nothing() {
    let s = start();
    let before = log_len(&s);
    let big = vec![b' '; corridor_server::UPLOAD_LIMIT_BYTES + 1024];
    let (st, v) = s.post(
        &format!("{SCEN}/incidents"),
        Some(&s.editor),
        "application/json",
        &big,
    );
    assert_eq!((st, v["code"].as_str().unwrap()), (413, "TooLarge"));
    assert_eq!(log_len(&s), before);
}

fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let b = "corridorboundary7f3a";
    let mut out = Vec::new();
    for (name, file, data) in parts {
        out.extend(format!("--{b}\r\nContent-Disposition: form-data; name=\"{name}\"").as_bytes());
        if let Some(f) = file {
            out.extend(format!("; filename=\"{f}\"").as_bytes());
        }
        out.extend(b"\r\n\r\n");
        out.extend(*data);
        out.extend(b"\r\n");
    }
    out.extend(format!("--{b}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={b}"), out)
}

#[test]
fn scenarios_are_uploaded_validated_and_versioned() {
    let s = start();
    let dir = scenario_path().parent().unwrap().to_path_buf();
    let read = |f: &str| std::fs::read(dir.join(f)).unwrap();
    let names = [
        "scenario.toml",
        "territory.geojson",
        "incidents.csv",
        "closures.geojson",
        "population.geojson",
        "facilities.geojson",
    ];
    let files: Vec<(String, Vec<u8>)> = names.iter().map(|n| (n.to_string(), read(n))).collect();
    let mut parts: Vec<(&str, Option<&str>, &[u8])> =
        vec![("id", None, b"copy"), ("note", None, b"uploaded")];
    for (n, d) in &files {
        parts.push(("file", Some(n), d));
    }
    let (ct, body) = multipart(&parts);
    let (st, v) = s.post("/v1/scenarios", Some(&s.editor), &ct, &body);
    assert_eq!(st, 201, "{v}");
    assert_eq!(v["version"]["version"], 1);
    // The copy answers routes as the original does.
    let q = |id: &str| {
        s.get(
            &format!("/route/v1/foot/{ACROSS}?scenario={id}&mode=safest&overview=false"),
            Some(&s.viewer),
        )
        .1["routes"][0]["risk"]
            .clone()
    };
    assert_eq!(q("copy"), q("andorra-siege"));
    assert_eq!(
        s.post("/v1/scenarios", Some(&s.editor), &ct, &body).0,
        409,
        "id taken"
    );
    // A broken manifest is rejected, naming the problem, and nothing is stored.
    let broken = String::from_utf8(read("scenario.toml"))
        .unwrap()
        .replace("as_of = \"2016-07-28\"", "as_of = \"July\"");
    let mut bad_parts = parts.clone();
    bad_parts[0] = ("id", None, b"broken");
    bad_parts[2] = ("file", Some("scenario.toml"), broken.as_bytes());
    let (ct2, body2) = multipart(&bad_parts);
    let (st, v) = s.post("/v1/scenarios", Some(&s.editor), &ct2, &body2);
    assert_eq!(st, 400, "{v}");
    assert!(v["message"].as_str().unwrap().contains("as_of"), "{v}");
    assert!(s.state.store.version("broken", None).is_err());
    // A missing layer is named.
    let (ct3, body3) = multipart(&[
        ("id", None, b"nolayers"),
        ("file", Some("scenario.toml"), &read("scenario.toml")),
    ]);
    let (st, v) = s.post("/v1/scenarios", Some(&s.editor), &ct3, &body3);
    assert_eq!(st, 400, "{v}");
    assert!(
        v["message"].as_str().unwrap().contains("territory.geojson"),
        "{v}"
    );
    for (id, why) in [("Bad Id", "id"), ("../x", "id")] {
        let (c, b) = multipart(&[
            ("id", None, id.as_bytes()),
            ("file", Some("scenario.toml"), &read("scenario.toml")),
        ]);
        assert_eq!(
            s.post("/v1/scenarios", Some(&s.editor), &c, &b).0,
            400,
            "{why}"
        );
    }
    let (c, b) = multipart(&[
        ("id", None, b"evil"),
        ("file", Some("../../etc/x"), b"x"),
        ("file", Some("scenario.toml"), &read("scenario.toml")),
    ]);
    assert_eq!(
        s.post("/v1/scenarios", Some(&s.editor), &c, &b).0,
        400,
        "path escape"
    );
    // A new version of the copy.
    let (st, v) = s.post("/v1/scenarios/copy/versions", Some(&s.editor), &ct, &body);
    assert_eq!(st, 201, "{v}");
    assert_eq!(v["version"]["version"], 2);
    let got = s.get("/v1/scenarios/copy", Some(&s.viewer)).1;
    assert_eq!(got["versions"].as_array().unwrap().len(), 2);
    let list = s.get("/v1/scenarios", Some(&s.viewer)).1;
    let ids: Vec<&str> = list["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["andorra-siege", "copy"]);
}

#[test]
fn analyses_name_the_version_they_used() {
    let s = start();
    for path in [
        "siege",
        "access",
        "isochrone?from=1.5300,42.5080&minutes=5,10",
    ] {
        let (st, v) = s.get(&format!("{SCEN}/{path}"), Some(&s.viewer));
        assert_eq!(st, 200, "{path}: {v}");
        let version = if v["type"] == "FeatureCollection" {
            &v["properties"]["version"]
        } else {
            &v["version"]
        };
        assert_eq!(version["scenario_id"], "andorra-siege", "{path}");
        assert_eq!(version["version"], 1);
        let sc = if v["type"] == "FeatureCollection" {
            &v["properties"]["scenario"]
        } else {
            &v["scenario"]
        };
        assert_eq!(sc["as_of"], "2016-07-28");
    }
}

/// `/access` and `/isochrone` answer from the server's cached customization (engine `cch`)
/// exactly what the Dijkstra engine computes on the same live scenario.
#[test]
fn access_and_isochrones_reuse_the_cached_customization() {
    use corridor_analysis::engine::EngineChoice;
    use corridor_app::results::access::{access_result_with, Engines};
    use corridor_roads::Profile;
    let s = start();
    let (st, v) = s.get(&format!("{SCEN}/access"), Some(&s.viewer));
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["engine"]["as_of"]["foot"], "cch");
    assert_eq!(v["engine"]["as_of"]["car"], "cch");
    let live = s.state.scenario("andorra-siege").unwrap();
    let loaded = &live.owner().loaded;
    let none = |_| -> anyhow::Result<corridor_scenario::Scenario> { unreachable!() };
    let d = access_result_with(
        loaded,
        live.on(Profile::Foot),
        live.on(Profile::Car),
        &[15.0, 30.0, 60.0],
        None,
        &none,
        false,
        Engines {
            choice: EngineChoice::Dijkstra,
            customized: [None, None],
        },
    )
    .unwrap();
    assert_eq!(d["engine"]["as_of"]["foot"], "dijkstra");
    for k in 0..2 {
        let (a, b) = (&v["by_profile"][k], &d["by_profile"][k]);
        // Within an ulp or so: the HTTP answer's JSON text is parsed back without
        // serde_json's exact float round trip.
        let (x, y) = (
            a["minutes_by_unit"].as_array().unwrap(),
            b["minutes_by_unit"].as_array().unwrap(),
        );
        assert_eq!(x.len(), y.len());
        for (x, y) in x.iter().zip(y) {
            match (x.as_f64(), y.as_f64()) {
                (Some(x), Some(y)) => assert!((x - y).abs() < 1e-9, "{x} vs {y}"),
                (x, y) => assert_eq!(x, y),
            }
        }
        assert_eq!(a["facility_by_unit"], b["facility_by_unit"]);
        let loads = |c: &Value| -> Vec<(Value, Value)> {
            c.as_array()
                .unwrap()
                .iter()
                .map(|c| (c["facility"].clone(), c["people"].clone()))
                .collect()
        };
        assert_eq!(loads(&a["catchments"]), loads(&b["catchments"]));
    }
    let (st, v) = s.get(
        &format!("{SCEN}/isochrone?from=1.5300,42.5080&minutes=5,10"),
        Some(&s.viewer),
    );
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["properties"]["engine"], "cch");
}

/// Every scenario route the server answers (CCH customized per scenario key, repaired by
/// partial customization after each incident; in `u64` units once an incident's `safest`
/// costs pass `u32`'s 24.8 days) comes from the CCH and costs what plain bidirectional
/// Dijkstra finds on the same scenario weights between the same snapped points, before and
/// after incidents, in every mode and on both profiles. The weights come from the scenario
/// model (`ScenarioMap::weights`); the search is the oracle's.
#[test]
fn scenario_routes_cost_what_dijkstra_finds_before_and_after_incidents() {
    use corridor_roads::{in_cch_range, Profile, Router, WeightBound};
    use corridor_scenario::{Mode, Side};
    let s = start();
    let past_u32 = std::cell::Cell::new(0);
    let pairs = [
        [[1.5180, 42.5070], [1.5400, 42.5100]],
        [[1.5218, 42.5063], [1.5383, 42.5114]],
        [[1.5300, 42.5000], [1.5450, 42.5150]],
    ];
    let check = |round: usize| {
        let live = s.state.scenario("andorra-siege").unwrap();
        let scenario = &live.owner().loaded.scenario;
        for p in Profile::ALL {
            let g = s.state.map.graph.profile(p);
            let sm = live.on(p);
            for (mode, name) in [
                (Mode::Fastest, "fastest"),
                (Mode::Balanced, "balanced"),
                (Mode::Safest, "safest"),
            ] {
                let w = sm.weights(Side::default_for(scenario), mode, scenario.risk.lambda);
                past_u32.set(past_u32.get() + usize::from(!in_cch_range(&w)));
                for [a, b] in pairs {
                    let snap = |c| s.state.snappers[p.index()].snap(g, c, 500.0).unwrap();
                    let want = Router::new(g)
                        .route(g, &w, WeightBound::Arbitrary, &[snap(a)], &[snap(b)])
                        .map(|r| r.cost);
                    let (st, v) = s.get(
                        &format!(
                            "/route/v1/{}/{},{};{},{}?scenario=andorra-siege&mode={name}&overview=false",
                            p.name(), a[0], a[1], b[0], b[1]
                        ),
                        Some(&s.viewer),
                    );
                    let Some(want) = want else {
                        assert_eq!(st, 400, "round {round} {p:?} {name}: {v}");
                        continue;
                    };
                    assert_eq!(st, 200, "round {round} {p:?} {name}: {v}");
                    let r = &v["routes"][0];
                    let got = r["weight"].as_f64().unwrap();
                    // The API rounds to 0.1; the CCH to whole milliseconds per arc.
                    assert!(
                        (got - want).abs() <= 0.06 + 1e-9 * want,
                        "round {round} {p:?} {name} {a:?}->{b:?}: API {got} ({}) vs Dijkstra {want}",
                        r["engine"]
                    );
                    assert_eq!(r["engine"], "cch", "round {round} {p:?} {name}: {r}");
                }
            }
        }
    };
    check(0);
    for (k, at) in [[1.5290, 42.5085], [1.5350, 42.5100]]
        .into_iter()
        .enumerate()
    {
        let body =
            serde_json::to_vec(&json!({"incidents": [incident_at(at, &format!("D{k}"))]})).unwrap();
        let (st, v) = s.post(
            &format!("{SCEN}/incidents"),
            Some(&s.editor),
            "application/json",
            &body,
        );
        assert_eq!(st, 201, "{v}");
        check(k + 1);
    }
    assert!(
        past_u32.get() > 0,
        "some safest weights after the incidents should need u64 units"
    );
}
