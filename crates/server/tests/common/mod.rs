//! A real server on 127.0.0.1 (an ephemeral port) over the bundled Andorra map, the example
//! scenario and a SQLite file in a temporary directory (or PostgreSQL), and a small client.

#![allow(dead_code)]

use corridor_server::state::AppState;
use corridor_store::{Role, SqliteStore, Store};
use serde_json::Value;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

pub fn repo(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

pub fn scenario_path() -> PathBuf {
    repo("data/scenarios/andorra-siege/scenario.toml")
}

/// The map, imported once per test binary.
fn map() -> corridor_app::maps::LoadedMap {
    static LOCK: OnceLock<std::sync::Mutex<()>> = OnceLock::new();
    let _one = LOCK.get_or_init(Default::default).lock().unwrap();
    corridor_app::maps::load_map_cached(&repo("data/andorra.osm.pbf")).unwrap()
}

pub struct Server {
    pub base: String,
    pub state: Arc<AppState>,
    pub admin: String,
    pub editor: String,
    pub viewer: String,
    pub _dir: Option<tempfile::TempDir>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A server on SQLite in a fresh temporary directory.
pub fn start() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> =
        Arc::new(SqliteStore::open(&dir.path().join("corridor.sqlite3")).unwrap());
    start_with(store, Some(dir), false)
}

pub fn start_with(
    store: Arc<dyn Store>,
    dir: Option<tempfile::TempDir>,
    public_read: bool,
) -> Server {
    let state = Arc::new(AppState::new(map(), store.clone(), public_read));
    corridor_server::api::import_manifest(&state, &scenario_path()).unwrap();
    state.reload_all().unwrap();
    let tok = |r| store.create_token(r, "test", None).unwrap().1;
    let (admin, editor, viewer) = (tok(Role::Admin), tok(Role::Editor), tok(Role::Viewer));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let st = state.clone();
    let thread = std::thread::spawn(move || {
        rt.block_on(corridor_server::serve_listener(listener, st, async {
            let _ = rx.await;
        }))
        .unwrap();
    });
    Server {
        base: format!("http://{addr}"),
        state,
        admin,
        editor,
        viewer,
        _dir: dir,
        stop: Some(tx),
        thread: Some(thread),
    }
}

/// Status and JSON body of a request (4xx/5xx included).
pub fn call(req: ureq::Request, body: Option<(&str, &[u8])>) -> (u16, Value) {
    let res = match body {
        Some((ct, b)) => req.set("Content-Type", ct).send_bytes(b),
        None => req.call(),
    };
    let resp = match res {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("transport error: {e}"),
    };
    let status = resp.status();
    let text = resp.into_string().unwrap();
    let v = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"));
    (status, v)
}

impl Server {
    pub fn get(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        let mut r = ureq::get(&format!("{}{path}", self.base));
        if let Some(t) = token {
            r = r.set("Authorization", &format!("Bearer {t}"));
        }
        call(r, None)
    }

    pub fn post(&self, path: &str, token: Option<&str>, ct: &str, body: &[u8]) -> (u16, Value) {
        let mut r = ureq::post(&format!("{}{path}", self.base));
        if let Some(t) = token {
            r = r.set("Authorization", &format!("Bearer {t}"));
        }
        call(r, Some((ct, body)))
    }
}

/// Great-circle distance in metres (an oracle independent of the crate's own geometry code).
pub fn haversine_m(a: [f64; 2], b: [f64; 2]) -> f64 {
    let r = 6_371_008.8;
    let (la1, la2) = (a[1].to_radians(), b[1].to_radians());
    let (dla, dlo) = ((b[1] - a[1]).to_radians(), (b[0] - a[0]).to_radians());
    let h = (dla / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlo / 2.0).sin().powi(2);
    2.0 * r * h.sqrt().asin()
}

pub fn coords(geojson: &Value) -> Vec<[f64; 2]> {
    geojson["coordinates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| [c[0].as_f64().unwrap(), c[1].as_f64().unwrap()])
        .collect()
}

/// Nearest distance from `p` to a polyline, metres, by sampling each segment every ~2 m.
pub fn distance_to_line_m(p: [f64; 2], line: &[[f64; 2]]) -> f64 {
    let mut best = f64::INFINITY;
    for w in line.windows(2) {
        let n = ((haversine_m(w[0], w[1]) / 2.0).ceil() as usize).max(1);
        for k in 0..=n {
            let t = k as f64 / n as f64;
            let q = [
                w[0][0] + t * (w[1][0] - w[0][0]),
                w[0][1] + t * (w[1][1] - w[0][1]),
            ];
            best = best.min(haversine_m(p, q));
        }
    }
    best
}
