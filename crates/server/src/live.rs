//! A scenario as the server holds it: one stored version with the incident log applied, laid
//! onto both profile graphs once, with the arc weights of each (profile, side, mode, λ) and
//! their CCH customization cached. A change to the log builds a new `Live` and swaps it in;
//! requests in flight keep the old one. The new `Live` inherits the old one's customizations,
//! so that the first request after an incident repairs only the arcs the incident changed
//! (partial customization, [`ProfileGraph::customize_from`]) instead of customizing afresh.

use corridor_app::scenario::LoadedScenario;
use corridor_roads::{CustomizedWeights, Profile};
use corridor_scenario::{Mode, ScenarioMap, Side};
use corridor_store::IncidentRecord;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// What a `Live` owns: the scenario (with the log's incidents in force) and where it came from.
pub struct LiveOwner {
    pub loaded: LoadedScenario,
    pub id: String,
    pub version: i64,
    /// The whole log, retracted incidents included.
    pub log: Vec<IncidentRecord>,
    /// Incidents of the log in force (not retracted, dated on or before `as_of`).
    pub log_in_force: usize,
    /// Incidents of the log dated after `as_of`: kept, not yet applied.
    pub log_after_as_of: usize,
}

/// Customized weights per (profile, side, mode, λ) key.
type CostCache = HashMap<String, Arc<CustomizedWeights>>;

/// The scenario laid onto each profile (indexed by `Profile::index`) and a cache of weights.
pub struct Laid<'a> {
    pub maps: Vec<ScenarioMap<'a>>,
    /// Customized weights computed on this `Live`.
    costs: Mutex<CostCache>,
    /// Customized weights of the `Live` this one replaced (same version, older incident log):
    /// the base each key's partial customization starts from.
    inherited: CostCache,
}

self_cell::self_cell!(
    /// One scenario version with its incident log, ready for queries.
    pub struct Live {
        owner: LiveOwner,
        #[covariant]
        dependent: Laid,
    }
);

impl Live {
    /// Lays the scenario onto both profiles and checks its checkpoints: the same validation as
    /// `corridor_app::scenario::on_map`.
    pub fn build(owner: LiveOwner) -> anyhow::Result<Live> {
        Live::try_new(owner, |o| {
            let l = &o.loaded;
            let maps = Profile::ALL
                .iter()
                .map(|&p| {
                    ScenarioMap::new(
                        &l.scenario,
                        l.map.graph.profile(p),
                        l.map.graph.meta.bbox,
                        &l.snappers[p.index()],
                    )
                })
                .collect::<Result<Vec<_>, _>>()?;
            corridor_scenario::check_checkpoints(&maps.iter().collect::<Vec<_>>())?;
            Ok::<_, anyhow::Error>(Laid {
                maps,
                costs: Mutex::new(HashMap::new()),
                inherited: HashMap::new(),
            })
        })
    }

    /// The same scenario version with another incident log: `old`'s ground, closures and
    /// front lines are kept, only incident risk is recomputed (milliseconds, where `build`
    /// lays the whole scenario out again). Inherits `old`'s customizations as bases.
    pub fn with_incidents(old: &Live, owner: LiveOwner) -> Live {
        debug_assert_eq!(old.owner().version, owner.version);
        let before = old.borrow_dependent();
        let mut inherited = before.inherited.clone();
        inherited.extend(
            before
                .costs
                .lock()
                .expect("not poisoned")
                .iter()
                .map(|(k, v)| (k.clone(), v.clone())),
        );
        Live::new(owner, |o| Laid {
            maps: Profile::ALL
                .iter()
                .map(|&p| {
                    old.on(p)
                        .with_incidents(&o.loaded.scenario, o.loaded.map.graph.profile(p))
                })
                .collect(),
            costs: Mutex::new(HashMap::new()),
            inherited,
        })
    }

    pub fn owner(&self) -> &LiveOwner {
        self.borrow_owner()
    }

    pub fn on(&self, p: Profile) -> &ScenarioMap<'_> {
        &self.borrow_dependent().maps[p.index()]
    }

    /// Arc weights for a request with their CCH customization, computed once per key (one
    /// pass over the arcs, then a partial customization from the replaced `Live`'s weights for
    /// the same key when there are any, else a full one).
    pub fn weights(
        &self,
        p: Profile,
        side: Side,
        mode: Mode,
        lambda: f64,
    ) -> Arc<CustomizedWeights> {
        let key = format!("{}/{side:?}/{mode:?}/{}", p.index(), lambda.to_bits());
        let laid = self.borrow_dependent();
        if let Some(w) = laid.costs.lock().expect("not poisoned").get(&key) {
            return w.clone();
        }
        let weight = laid.maps[p.index()].weights(side, mode, lambda);
        let g = self.owner().loaded.map.graph.profile(p);
        let customized = match laid.inherited.get(&key) {
            Some(base) => g.customize_from(base, weight).0,
            None => g.customize(weight),
        };
        let w = Arc::new(customized);
        laid.costs
            .lock()
            .expect("not poisoned")
            .insert(key, w.clone());
        w
    }

    /// `"version"` in every result computed on this scenario: which stored version and how
    /// much of the incident log it includes.
    pub fn version_json(&self) -> serde_json::Value {
        let o = self.owner();
        serde_json::json!({
            "scenario_id": o.id,
            "version": o.version,
            "incident_log": {
                "entries": o.log.len(),
                "in_force": o.log_in_force,
                "after_as_of": o.log_after_as_of,
                "retracted": o.log.iter().filter(|r| r.retracted.is_some()).count(),
                "last_id": o.log.iter().map(|r| r.id).max(),
            },
        })
    }
}
