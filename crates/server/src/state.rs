//! What every request shares: the map (loaded once), search state pools, the live scenarios and
//! the store.

use crate::error::{ApiError, ApiResult};
use crate::live::{Live, LiveOwner};
use anyhow::{anyhow, bail, Context, Result};
use chrono::NaiveDate;
use corridor_app::maps::LoadedMap;
use corridor_app::scenario::{snappers_for, LoadedScenario};
use corridor_roads::{CustomizedWeights, Profile, Router, Snapper};
use corridor_scenario::{incident_from_fields, Scenario};
use corridor_store::{ScenarioVersion, Store};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

pub struct AppState {
    pub map: Arc<LoadedMap>,
    pub snappers: Arc<Vec<Snapper>>,
    /// Travel-time weights per profile, customized for the CCH once at start.
    pub base: Vec<CustomizedWeights>,
    routers: Vec<Mutex<Vec<Router>>>,
    scenarios: RwLock<BTreeMap<String, Arc<Live>>>,
    /// Parsed scenario versions (their files never change).
    parsed: Mutex<HashMap<(String, i64), Scenario>>,
    /// Serialises rebuilds, so that an older log never replaces a newer one.
    reload_lock: Mutex<()>,
    pub store: Arc<dyn Store>,
    pub public_read: bool,
}

impl AppState {
    pub fn new(map: LoadedMap, store: Arc<dyn Store>, public_read: bool) -> AppState {
        let snappers = Arc::new(snappers_for(&map));
        let base = Profile::ALL
            .iter()
            .map(|&p| {
                let g = map.graph.profile(p);
                g.customize(g.arc_duration_s.clone())
            })
            .collect();
        AppState {
            map: Arc::new(map),
            snappers,
            base,
            routers: Profile::ALL
                .iter()
                .map(|_| Mutex::new(Vec::new()))
                .collect(),
            scenarios: RwLock::new(BTreeMap::new()),
            parsed: Mutex::new(HashMap::new()),
            reload_lock: Mutex::new(()),
            store,
            public_read,
        }
    }

    /// Runs `f` with a search state of profile `p` from the pool (made on first use).
    pub fn with_router<T>(&self, p: Profile, f: impl FnOnce(&mut Router) -> T) -> T {
        let pool = &self.routers[p.index()];
        let mut router = pool
            .lock()
            .expect("not poisoned")
            .pop()
            .unwrap_or_else(|| Router::new(self.map.graph.profile(p)));
        let out = f(&mut router);
        pool.lock().expect("not poisoned").push(router);
        out
    }

    /// The live scenario `id`, or 404 naming the ones there are.
    pub fn scenario(&self, id: &str) -> ApiResult<Arc<Live>> {
        let all = self.scenarios.read().expect("not poisoned");
        all.get(id).cloned().ok_or_else(|| {
            ApiError::not_found(format!(
                "no scenario '{id}' (this server has: {})",
                all.keys().cloned().collect::<Vec<_>>().join(", ")
            ))
        })
    }

    pub fn scenario_ids(&self) -> Vec<String> {
        self.scenarios
            .read()
            .expect("not poisoned")
            .keys()
            .cloned()
            .collect()
    }

    /// Rebuilds scenario `id` from the store (newest version, whole incident log) and swaps it
    /// in. Blocking: call from a blocking thread.
    pub fn reload(&self, id: &str) -> Result<Arc<Live>> {
        let _one_at_a_time = self.reload_lock.lock().expect("not poisoned");
        let version = self.store.version(id, None)?;
        let log = self.store.incidents(id)?;
        let mut scenario = self.parsed_version(&version)?;
        let (mut in_force, mut after) = (0, 0);
        for rec in log.iter().filter(|r| r.retracted.is_none()) {
            let inc = incident_from_fields(&rec.fields)
                .map_err(|e| anyhow!("incident {} in the log: {e}", rec.id))?;
            if inc.date > scenario.as_of {
                after += 1;
            } else {
                in_force += 1;
                scenario.incidents.push(inc);
            }
        }
        let loaded = LoadedScenario {
            scenario,
            map: self.map.clone(),
            snappers: self.snappers.clone(),
        };
        let owner = LiveOwner {
            loaded,
            id: id.to_string(),
            version: version.version,
            log,
            log_in_force: in_force,
            log_after_as_of: after,
        };
        let current = self
            .scenarios
            .read()
            .expect("not poisoned")
            .get(id)
            .cloned();
        let live = Arc::new(
            match current.filter(|c| c.owner().version == version.version) {
                Some(old) => Live::with_incidents(&old, owner),
                None => Live::build(owner)?,
            },
        );
        self.scenarios
            .write()
            .expect("not poisoned")
            .insert(id.to_string(), live.clone());
        Ok(live)
    }

    /// Reloads every scenario the store holds (at start, and after a lost database connection).
    pub fn reload_all(&self) -> Result<()> {
        for s in self.store.scenarios()? {
            self.reload(&s.id)
                .with_context(|| format!("scenario '{}'", s.id))?;
        }
        Ok(())
    }

    /// A stored version parsed into a `Scenario` (files written to a temporary folder and read
    /// by the scenario crate's own loader), cached per version.
    fn parsed_version(&self, v: &ScenarioVersion) -> Result<Scenario> {
        let key = (v.scenario_id.clone(), v.version);
        if let Some(s) = self.parsed.lock().expect("not poisoned").get(&key) {
            return Ok(s.clone());
        }
        let s = parse_files(&v.files, &format!("{}@v{}", v.scenario_id, v.version))?;
        self.parsed
            .lock()
            .expect("not poisoned")
            .insert(key, s.clone());
        Ok(s)
    }

    /// The scenario of `live` as it stood on `date`, read again from its stored files (as the
    /// CLI reads its manifest for `access --compare`) with the incident log's entries up to
    /// `date` that were not retracted. Blocking.
    pub fn scenario_on(&self, live: &Live, date: NaiveDate) -> Result<Scenario> {
        let o = live.owner();
        let v = self.store.version(&o.id, Some(o.version))?;
        let mut s = parse_files_at(&v.files, &format!("{}@v{}", o.id, o.version), Some(date))?;
        for rec in o.log.iter().filter(|r| r.retracted.is_none()) {
            let inc = incident_from_fields(&rec.fields)
                .map_err(|e| anyhow!("incident {} in the log: {e}", rec.id))?;
            if inc.date <= date {
                s.incidents.push(inc);
            } else {
                s.incidents_after_as_of += 1;
            }
        }
        Ok(s)
    }
}

/// Reads a scenario from its files (`scenario.toml` plus the layers it names, relative to it).
/// `label` replaces the temporary path in the scenario's `file`, which every result reports.
pub fn parse_files(files: &BTreeMap<String, Vec<u8>>, label: &str) -> Result<Scenario> {
    parse_files_at(files, label, None)
}

/// As [`parse_files`], evaluated on `date` when given (`corridor_scenario::load_at`: incidents
/// up to it, closures in force on it), as the CLI reads its manifest for `access --compare`.
pub fn parse_files_at(
    files: &BTreeMap<String, Vec<u8>>,
    label: &str,
    date: Option<NaiveDate>,
) -> Result<Scenario> {
    if !files.contains_key("scenario.toml") {
        bail!("the upload has no scenario.toml");
    }
    let dir = tempfile::tempdir().context("temporary folder")?;
    for (name, bytes) in files {
        let rel = safe_relative(name)?;
        let path = dir.path().join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, bytes)?;
    }
    let mut s =
        corridor_scenario::load_at(&dir.path().join("scenario.toml"), date).map_err(|e| {
            anyhow!(
                "{}",
                e.to_string()
                    .replace(&format!("{}/", dir.path().display()), "")
            )
        })?;
    s.file = PathBuf::from(label);
    Ok(s)
}

/// A file name from an upload as a relative path without `..`, so that it stays in its folder.
fn safe_relative(name: &str) -> Result<&Path> {
    let p = Path::new(name);
    let ok = !name.is_empty()
        && p.components()
            .all(|c| matches!(c, std::path::Component::Normal(_)));
    if !ok {
        bail!("file name '{name}': must be a plain relative path (no '..', no leading '/')");
    }
    Ok(p)
}

/// A scenario manifest and its layer files as stored: the layers relative to the manifest,
/// which must lie in its folder or below.
pub fn files_of_manifest(path: &Path) -> Result<(Scenario, BTreeMap<String, Vec<u8>>)> {
    let scenario = corridor_scenario::load(path)?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut files = BTreeMap::new();
    files.insert(
        "scenario.toml".to_string(),
        std::fs::read(path).with_context(|| path.display().to_string())?,
    );
    for layer in &scenario.layer_files {
        let rel = layer.strip_prefix(dir).map_err(|_| {
            anyhow!(
                "{}: layer {} lies outside the scenario's folder; the server stores a scenario as one folder",
                path.display(),
                layer.display()
            )
        })?;
        let name = rel.to_string_lossy().replace('\\', "/");
        safe_relative(&name)?;
        files.insert(
            name,
            std::fs::read(layer).with_context(|| layer.display().to_string())?,
        );
    }
    Ok((scenario, files))
}
