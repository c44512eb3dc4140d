//! `corridor serve` as a process: a SIGKILL in the middle of a stream of writes loses no
//! acknowledged write, SIGTERM stops cleanly, two servers on one PostgreSQL see each other's
//! incidents within a second, the API returns the CLI's JSON. Loopback only, bounded loops.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_corridor");

fn repo(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

fn scenario() -> PathBuf {
    repo("data/scenarios/andorra-siege/scenario.toml")
}

/// `--data-dir DIR` or `--database URL`.
fn store_args(store: &Store) -> Vec<String> {
    match store {
        Store::Dir(d) => vec!["--data-dir".into(), d.display().to_string()],
        Store::Url(u) => vec!["--database".into(), u.clone()],
    }
}

enum Store {
    Dir(PathBuf),
    Url(String),
}

fn token(store: &Store, role: &str) -> String {
    let out = Command::new(BIN)
        .args(["token", "create", "--role", role])
        .args(store_args(store))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

struct Server {
    child: Child,
    base: String,
    log: Arc<Mutex<String>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `corridor serve` on 127.0.0.1 with an ephemeral port and waits (≤ 120 s) until it
/// says where it listens.
fn serve(store: &Store) -> Server {
    let mut child = Command::new(BIN)
        .args(["serve", "--addr", "127.0.0.1:0", "--map"])
        .arg(repo("data/andorra.osm.pbf"))
        .arg("--scenario")
        .arg(scenario())
        .args(store_args(store))
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let log = Arc::new(Mutex::new(String::new()));
    let (tx, rx) = std::sync::mpsc::channel();
    let l2 = log.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(rest) = line.split("listening on http://").nth(1) {
                let _ = tx.send(rest.split_whitespace().next().unwrap_or("").to_string());
            }
            l2.lock().unwrap().push_str(&format!("{line}\n"));
        }
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(120))
        .unwrap_or_else(|_| panic!("server did not start: {}", log.lock().unwrap()));
    Server {
        child,
        base: format!("http://{addr}"),
        log,
    }
}

fn get(base: &str, path: &str, tok: &str) -> (u16, Value) {
    match ureq::get(&format!("{base}{path}"))
        .set("Authorization", &format!("Bearer {tok}"))
        .timeout(Duration::from_secs(30))
        .call()
    {
        Ok(r) => (r.status(), r.into_json().unwrap()),
        Err(ureq::Error::Status(c, r)) => (c, r.into_json().unwrap()),
        Err(e) => panic!("{e}"),
    }
}

fn post_json(base: &str, path: &str, tok: &str, body: &Value) -> Result<(u16, Value), String> {
    match ureq::post(&format!("{base}{path}"))
        .set("Authorization", &format!("Bearer {tok}"))
        .timeout(Duration::from_secs(30))
        .send_json(body.clone())
    {
        Ok(r) => Ok((r.status(), r.into_json().map_err(|e| e.to_string())?)),
        Err(ureq::Error::Status(c, r)) => Ok((c, r.into_json().unwrap_or(Value::Null))),
        Err(e) => Err(e.to_string()),
    }
}

fn incident(id: &str, lon: f64, lat: f64) -> Value {
    json!({"event_id_cnty": id, "event_date": "2016-07-27", "event_type": "Explosions/Remote violence",
           "sub_event_type": "Shelling/artillery/missile attack", "latitude": lat, "longitude": lon, "fatalities": 3})
}

fn logged_ids(base: &str, tok: &str) -> Vec<String> {
    let (st, v) = get(base, "/v1/scenarios/andorra-siege/incidents", tok);
    assert_eq!(st, 200, "{v}");
    v["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["fields"]["event_id_cnty"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn sigkill_during_writes_loses_no_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::Dir(dir.path().to_path_buf());
    let editor = token(&store, "editor");
    let mut server = serve(&store);
    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let count = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (base, editor, acked, count, stop) = (
            server.base.clone(),
            editor.clone(),
            acked.clone(),
            count.clone(),
            stop.clone(),
        );
        std::thread::spawn(move || {
            for i in 0..400 {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let id = format!("K{i}");
                let lon = 1.52 + (i % 20) as f64 * 0.001;
                match post_json(
                    &base,
                    "/v1/scenarios/andorra-siege/incidents",
                    &editor,
                    &incident(&id, lon, 42.507),
                ) {
                    Ok((201, _)) => {
                        acked.lock().unwrap().push(id);
                        count.fetch_add(1, Ordering::SeqCst);
                    }
                    Ok((st, v)) => panic!("write {i} refused: {st} {v}"),
                    Err(_) => break, // the server is gone
                }
            }
        })
    };
    let t = Instant::now();
    while count.load(Ordering::SeqCst) < 15 && t.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(5));
    }
    server.child.kill().unwrap(); // SIGKILL, while the writer keeps writing
    server.child.wait().unwrap();
    stop.store(true, Ordering::SeqCst);
    writer.join().unwrap();
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() >= 15,
        "only {} writes before the kill",
        acked.len()
    );
    let again = serve(&store);
    let viewer = token(&store, "viewer");
    let (st, h) = get(&again.base, "/health", &viewer);
    assert_eq!((st, h["status"].as_str().unwrap()), (200, "ok"));
    let stored = logged_ids(&again.base, &viewer);
    for id in &acked {
        assert!(
            stored.contains(id),
            "acknowledged {id} lost; stored {} of {}",
            stored.len(),
            acked.len()
        );
    }
    let mut dedup = stored.clone();
    dedup.sort();
    dedup.dedup();
    assert_eq!(dedup.len(), stored.len(), "no write stored twice");
    assert!(
        stored.len() <= acked.len() + 1,
        "at most the one write in flight beyond those acknowledged"
    );
}

#[test]
fn sigterm_drains_and_exits_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::Dir(dir.path().to_path_buf());
    let viewer = token(&store, "viewer");
    let mut server = serve(&store);
    assert_eq!(
        get(
            &server.base,
            "/route/v1/foot/1.5218,42.5063;1.5383,42.5114",
            &viewer
        )
        .0,
        200
    );
    let pid = server.child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let t = Instant::now();
    let status = loop {
        if let Some(s) = server.child.try_wait().unwrap() {
            break s;
        }
        assert!(
            t.elapsed() < Duration::from_secs(20),
            "still running after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(
        status.success(),
        "{status:?}: {}",
        server.log.lock().unwrap()
    );
    std::thread::sleep(Duration::from_millis(100));
    assert!(server.log.lock().unwrap().contains("stopped"));
}

#[test]
fn two_servers_on_one_postgres_see_each_others_incidents_within_a_second() {
    let Ok(base_url) = std::env::var("CORRIDOR_TEST_DATABASE_URL") else {
        eprintln!("two_servers_on_one_postgres: skipped: CORRIDOR_TEST_DATABASE_URL is not set");
        return;
    };
    let _ = base_url;
    let url = corridor_store::test_database_url("two_servers").unwrap();
    let store = Store::Url(url);
    let editor = token(&store, "editor");
    let a = serve(&store);
    let b = serve(&store);
    let across = "/route/v1/foot/1.5180,42.5070;1.5400,42.5100?scenario=andorra-siege&mode=safest&geometries=geojson";
    let (_, before) = get(&b.base, across, &editor);
    let line: Vec<[f64; 2]> = before["routes"][0]["geometry"]["coordinates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| [c[0].as_f64().unwrap(), c[1].as_f64().unwrap()])
        .collect();
    let mid = line[line.len() / 2];
    let risk0 = before["routes"][0]["risk"].as_f64().unwrap();
    let (st, v) = post_json(&a.base, "/v1/scenarios/andorra-siege/incidents", &editor,
        &json!({"event_id_cnty": "TWO1", "event_date": "2016-07-28", "event_type": "Explosions/Remote violence",
                "sub_event_type": "Air/drone strike", "latitude": mid[1], "longitude": mid[0], "fatalities": 12})).unwrap();
    assert_eq!(st, 201, "{v}");
    let t = Instant::now();
    loop {
        if logged_ids(&b.base, &editor).contains(&"TWO1".to_string()) {
            break;
        }
        assert!(
            t.elapsed() < Duration::from_secs(1),
            "server B did not see A's incident within a second"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    eprintln!(
        "server B saw the incident after {:.0} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );
    // And B's next safest route reflects it: the strike sat on the old route, so the new one
    // keeps away from it or pays more exposure.
    let (_, after) = get(&b.base, across, &editor);
    let risk1 = after["routes"][0]["risk"].as_f64().unwrap();
    assert!(risk1 >= risk0 - 1e-6);
    assert_ne!(
        after["routes"][0]["geometry"].clone(),
        before["routes"][0]["geometry"].clone(),
        "B still routes through the strike at {mid:?}"
    );
    assert_eq!(after["version"]["incident_log"]["entries"], 1);
}

/// The API returns what the CLI prints, apart from where each read its files.
#[test]
fn the_api_returns_the_clis_json() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::Dir(dir.path().to_path_buf());
    let viewer = token(&store, "viewer");
    let server = serve(&store);
    let strip = |mut v: Value| {
        for k in ["version", "map"] {
            v.as_object_mut().unwrap().remove(k);
        }
        v["scenario"].as_object_mut().unwrap().remove("file");
        v
    };
    for (cmd, path) in [
        (
            vec![
                "siege".to_string(),
                scenario().display().to_string(),
                "--close".into(),
                "24406052".into(),
            ],
            "siege?close=24406052",
        ),
        (
            // A road of the declared convoy's route: the what-if re-plans the convoy.
            vec![
                "siege".to_string(),
                scenario().display().to_string(),
                "--close".into(),
                "181919640".into(),
            ],
            "siege?close=181919640",
        ),
        (
            vec![
                "access".to_string(),
                scenario().display().to_string(),
                "--compare".into(),
                "2016-07-14".into(),
            ],
            "access?compare=2016-07-14",
        ),
        (
            // After `as_of`: an incident dated 2016-07-30 was left out at load; both read the
            // scenario's files again for the date (`load_at`), so both count it.
            vec![
                "access".to_string(),
                scenario().display().to_string(),
                "--compare".into(),
                "2016-08-05".into(),
            ],
            "access?compare=2016-08-05",
        ),
    ] {
        let out = Command::new(BIN).args(&cmd).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let cli: Value = serde_json::from_slice(&out.stdout).unwrap();
        let (st, api) = get(
            &server.base,
            &format!("/v1/scenarios/andorra-siege/{path}"),
            &viewer,
        );
        assert_eq!(st, 200, "{api}");
        assert_eq!(api["version"]["version"], 1);
        let (api, cli) = (strip(api), strip(cli));
        if path.starts_with("siege") {
            // The example declares a `[convoy]`: both count it in the forecast and say so.
            assert_eq!(cli["convoy_plan"]["counted"], true, "{cli}");
            let h = cli["enclaves"][0]["headline"].to_string();
            assert!(h.contains("With the declared convoy plan"), "{h}");
        }
        if let Some(date) = path.strip_prefix("access?compare=") {
            // By hand from the file: the incidents dated on or before the compare date.
            let csv = std::fs::read_to_string(scenario().with_file_name("incidents.csv")).unwrap();
            let on_or_before = csv
                .lines()
                .skip(1)
                .filter(|l| l.split(',').nth(1).is_some_and(|d| d <= date))
                .count();
            let state = &cli["changes"]["scenario_on_compare_date"];
            assert_eq!(state["incidents"], on_or_before, "{path}: {state}");
        }
        assert_eq!(api, cli, "{path}");
    }
    // A traveller of no party: the API routes it by the same exact crossing rule as the CLI
    // (whose answers siege_geometries checks against a brute force on raw OSM).
    for (from, to) in [
        ([1.5140, 42.5040], [1.5800, 42.5350]),
        ([1.5180, 42.5070], [1.5400, 42.5100]),
    ] {
        let out = Command::new(BIN)
            .args(["route", "--scenario"])
            .arg(scenario())
            .args(["--side", "neutral", "--profile", "foot"])
            .args(["--from", &format!("{},{}", from[1], from[0])])
            .args(["--to", &format!("{},{}", to[1], to[0])])
            .output()
            .unwrap();
        let (st, api) = get(
            &server.base,
            &format!(
                "/route/v1/foot/{},{};{},{}?scenario=andorra-siege&side=neutral",
                from[0], from[1], to[0], to[1]
            ),
            &viewer,
        );
        if !out.status.success() {
            // No route for this traveller: the API must not find one either.
            assert_eq!(st, 400, "{api}");
            assert_eq!(api["code"], "NoRoute", "{api}");
            continue;
        }
        let cli: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(st, 200, "{api}");
        let route = &api["routes"][0];
        assert_eq!(route["engine"], "state_dijkstra", "{route}");
        let (a, c) = (
            route["distance"].as_f64().unwrap(),
            cli["distance_m"].as_f64().unwrap(),
        );
        assert!((a - c).abs() <= 1.0, "API {a} m, CLI {c} m");
        // The table answers each cell by the same rule (its weights computed once per request).
        let (st, t) = get(
            &server.base,
            &format!(
                "/table/v1/foot/{},{};{},{}?scenario=andorra-siege&side=neutral&annotations=distance",
                from[0], from[1], to[0], to[1]
            ),
            &viewer,
        );
        assert_eq!(st, 200, "{t}");
        let cell = t["distances"][0][1].as_f64().unwrap();
        assert!((cell - c).abs() <= 1.0, "table {cell} m, CLI {c} m");
    }
}

#[test]
fn serve_help_documents_every_option() {
    let out = Command::new(BIN)
        .args(["serve", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    for opt in [
        "--map",
        "--graph",
        "--scenario",
        "--addr",
        "--data-dir",
        "--database",
        "--public-read",
    ] {
        assert!(help.contains(opt), "serve --help lacks {opt}");
    }
    let out = Command::new(BIN)
        .args(["token", "create", "--role", "boss", "--data-dir"])
        .arg(Path::new("/nonexistent-corridor-test"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--role 'boss'"));
}
