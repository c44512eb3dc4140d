//! `corridor access`: who can still reach a working health facility, how many people each
//! facility must serve (its catchment, and per bed), and what changed between two dates.
//!
//! Facilities and their status on a date come from [`facilities_on`] (map, dated scenario
//! records, incidents that hit them: the rule is documented in [`crate::facility_status`]).
//! Travel times come from one multi-source Dijkstra per profile from the facilities (walking
//! backwards along one-way streets), never one query per pair: once from every working
//! facility (functioning or partially functioning), once from the fully functioning ones only,
//! so the two are reported apart.

pub use crate::facility_status::{
    damage_of, facilities_on, says_destroyed, AccessError, FacilityState, HitParams, StatusChange,
    DESTROYED_WORDS, NOT_QUITE_WORDS,
};
pub use crate::isochrone::{isochrones, isochrones_from_point, IsochroneParams};

use crate::engine::{resolve, same_weights, EngineChoice, NearestSearch};
use crate::node_index::NodeIndex;
use chrono::NaiveDate;

use corridor_roads::{CustomizedWeights, Engine};
use corridor_roads::{Profile, ProfileGraph};
use corridor_routing::{LabelledSeed, INVALID};
use corridor_scenario::{FacilityStatus, Mode, ScenarioMap, Side};
use serde::Serialize;

/// Tunables with documented defaults.
#[derive(Debug, Clone, Serialize)]
pub struct AccessParams {
    /// Coverage thresholds in minutes.
    pub thresholds_min: Vec<f64>,
    /// Which incidents hit a facility.
    #[serde(flatten)]
    pub hits: HitParams,
    /// A facility or population unit farther than this from any road is unreachable (metres).
    pub max_snap_m: f64,
    /// Which engine answers the searches (`auto`: [`crate::engine::one_to_all_engine`]'s
    /// measured rule for the two searches per profile and date).
    pub engine: EngineChoice,
}

impl Default for AccessParams {
    fn default() -> Self {
        AccessParams {
            thresholds_min: vec![15.0, 30.0, 60.0],
            hits: HitParams::default(),
            max_snap_m: 500.0,
            engine: EngineChoice::Auto,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    pub minutes: f64,
    pub people: f64,
    pub share: f64,
}

/// The people for whom a facility is the nearest working one: its load.
#[derive(Debug, Clone, Serialize)]
pub struct Catchment {
    pub facility: String,
    pub name: Option<String>,
    pub status: FacilityStatus,
    pub beds: Option<u32>,
    pub people: f64,
    /// `people / beds`; `None` when the beds are unknown or zero.
    pub people_per_bed: Option<f64>,
    pub mean_minutes: f64,
}

/// Access for one travel profile.
#[derive(Debug, Clone, Serialize)]
pub struct ProfileAccess {
    pub profile: Profile,
    /// The engine that answered this profile's searches (both give the same answer).
    pub engine: Engine,
    /// People within each threshold of a working (functioning or partially) facility.
    pub coverage: Vec<Coverage>,
    /// People within each threshold of a fully functioning facility.
    pub coverage_fully_functioning: Vec<Coverage>,
    /// People who cannot reach any working facility at all.
    pub unreachable_people: f64,
    /// Every working facility's catchment, the largest load first (empty ones included).
    pub catchments: Vec<Catchment>,
    /// Minutes to the nearest working facility, per population unit (`None`: unreachable).
    pub minutes_by_unit: Vec<Option<f64>>,
    /// The facility (id) each population unit goes to: its catchment.
    pub facility_by_unit: Vec<Option<String>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StatusCounts {
    pub functioning: usize,
    pub partially_functioning: usize,
    pub not_functioning: usize,
    pub destroyed: usize,
    pub list: Vec<FacilityState>,
}

/// Catchment totals by the status of the facility people go to (on foot).
#[derive(Debug, Clone, Serialize)]
pub struct LoadByStatus {
    /// People whose nearest working facility is fully functioning.
    pub functioning_people: f64,
    /// People whose nearest working facility only partially functions.
    pub partially_functioning_people: f64,
    /// The largest catchment and its facility.
    pub largest_catchment: Option<(String, f64)>,
    /// The highest people per bed among facilities with known beds, and its facility.
    pub most_people_per_bed: Option<(String, f64)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AccessReport {
    pub date: NaiveDate,
    pub facilities: StatusCounts,
    pub population: f64,
    /// On foot (the headline: most people in a besieged city walk to care).
    pub coverage: Vec<Coverage>,
    /// On foot, counting fully functioning facilities only.
    pub coverage_fully_functioning: Vec<Coverage>,
    /// On foot: who goes to functioning and to partially functioning facilities.
    pub load: LoadByStatus,
    /// On foot, the largest load first.
    pub catchments: Vec<Catchment>,
    pub by_profile: Vec<ProfileAccess>,
    /// People per population unit, in the order of `minutes_by_unit`.
    #[serde(skip)]
    pub unit_people: Vec<f64>,
}

/// Per population unit: minutes to the nearest of some facilities and which one it is.
struct Nearest {
    minutes: Vec<Option<f64>>,
    facility: Vec<Option<usize>>,
    /// Every chosen facility on the same road node as `facility` (itself included): they
    /// share the unit's people (see [`shares_on_one_node`]).
    sharing: Vec<Vec<usize>>,
}

/// How facilities that snap to one road node share the people who reach it: in proportion to
/// their beds when every one of them declares beds, else equally.
fn shares_on_one_node(facilities: &[FacilityState], on_node: &[usize]) -> Vec<f64> {
    let beds: Option<Vec<f64>> = on_node
        .iter()
        .map(|&i| facilities[i].beds.filter(|&b| b > 0).map(|b| b as f64))
        .collect();
    match beds {
        Some(b) => {
            let sum: f64 = b.iter().sum();
            b.iter().map(|x| x / sum).collect()
        }
        None => vec![1.0 / on_node.len() as f64; on_node.len()],
    }
}

/// One profile's passable arcs, usable nodes and node index.
struct Network<'a> {
    g: &'a ProfileGraph,
    w: Vec<f64>,
    index: NodeIndex,
}

impl<'a> Network<'a> {
    fn new(sm: &'a ScenarioMap) -> Self {
        let g = sm.graph;
        let w = sm.weights(Side::default_for(sm.scenario), Mode::Fastest, 0.0);
        let usable: Vec<bool> = (0..g.node_count() as u32)
            .map(|v| {
                g.graph.out_arcs(v).any(|a| w[a as usize].is_finite())
                    || g.graph.in_arcs(v).any(|(_, a)| w[a as usize].is_finite())
            })
            .collect();
        let index = NodeIndex::new(g, &usable, sm.projection());
        Network { g, w, index }
    }

    /// One backwards multi-source search from `chosen` facilities: the cost at a node is its
    /// time *to* the nearest one, the label which one (a facility's road node; among equally
    /// near ones the smallest node id, the engines' one tie rule,
    /// [`corridor_routing::NearestSource`]).
    fn nearest(
        &self,
        search: &mut NearestSearch,
        facilities: &[FacilityState],
        chosen: &[usize],
        units: &[[f64; 2]],
        max_snap_m: f64,
    ) -> Nearest {
        let g = self.g;
        let seeds: Vec<(u32, usize)> = chosen
            .iter()
            .filter_map(|&i| {
                let v = self.index.nearest(g, facilities[i].coord, max_snap_m)?;
                Some((v, i))
            })
            .collect();
        let starts: Vec<LabelledSeed> = seeds
            .iter()
            .map(|&(node, _)| LabelledSeed {
                node,
                cost: 0.0,
                label: node,
            })
            .collect();
        search.run(&starts, true, f64::INFINITY);
        let mut out = Nearest {
            minutes: Vec::with_capacity(units.len()),
            facility: Vec::with_capacity(units.len()),
            sharing: Vec::with_capacity(units.len()),
        };
        for &at in units {
            let v = self.index.nearest(g, at, max_snap_m);
            let Some(v) = v.filter(|&v| search.cost(v).is_finite()) else {
                out.minutes.push(None);
                out.facility.push(None);
                out.sharing.push(Vec::new());
                continue;
            };
            out.minutes.push(Some(search.cost(v) / 60.0));
            let at_node = search.label(v).unwrap_or(INVALID);
            out.facility
                .push(seeds.iter().find(|x| x.0 == at_node).map(|&(_, i)| i));
            out.sharing.push(
                seeds
                    .iter()
                    .filter(|x| x.0 == at_node)
                    .map(|x| x.1)
                    .collect(),
            );
        }
        out
    }
}

/// A sum that is +0 when empty (`Iterator::sum` of no `f64` gives −0, printed as "-0.0").
fn total(values: impl Iterator<Item = f64>) -> f64 {
    values.fold(0.0, |a, b| a + b)
}

fn coverage(thresholds: &[f64], people: &[f64], minutes: &[Option<f64>]) -> Vec<Coverage> {
    let population: f64 = total(people.iter().copied());
    thresholds
        .iter()
        .map(|&m| {
            let within = total(
                people
                    .iter()
                    .zip(minutes)
                    .filter(|(_, t)| t.is_some_and(|t| t <= m))
                    .map(|(p, _)| *p),
            );
            Coverage {
                minutes: m,
                people: within.round(),
                share: if population > 0.0 {
                    within / population
                } else {
                    0.0
                },
            }
        })
        .collect()
}

/// Every working facility's catchment from the units' assignment, the largest load first.
fn catchments(
    facilities: &[FacilityState],
    working: &[usize],
    people: &[f64],
    near: &Nearest,
) -> Vec<Catchment> {
    let mut sum: Vec<(f64, f64)> = vec![(0.0, 0.0); facilities.len()];
    for ((p, on_node), t) in people.iter().zip(&near.sharing).zip(&near.minutes) {
        let Some(t) = t else { continue };
        for (&i, share) in on_node.iter().zip(shares_on_one_node(facilities, on_node)) {
            sum[i].0 += p * share;
            sum[i].1 += p * share * t;
        }
    }
    let mut out: Vec<Catchment> = working
        .iter()
        .map(|&i| {
            let f = &facilities[i];
            let (people, minutes) = sum[i];
            Catchment {
                facility: f.id.clone(),
                name: f.name.clone(),
                status: f.status,
                beds: f.beds,
                people: people.round(),
                people_per_bed: f.beds.filter(|&b| b > 0).map(|b| people / b as f64),
                mean_minutes: if people > 0.0 { minutes / people } else { 0.0 },
            }
        })
        .collect();
    out.sort_by(|a, b| b.people.total_cmp(&a.people));
    out
}

fn load_by_status(catchments: &[Catchment]) -> LoadByStatus {
    let of = |st: FacilityStatus| {
        total(
            catchments
                .iter()
                .filter(|c| c.status == st)
                .map(|c| c.people),
        )
    };
    let most = |key: fn(&Catchment) -> Option<f64>| {
        catchments
            .iter()
            .filter_map(|c| Some((c.facility.clone(), key(c)?)))
            .max_by(|a, b| a.1.total_cmp(&b.1))
    };
    LoadByStatus {
        functioning_people: of(FacilityStatus::Functioning),
        partially_functioning_people: of(FacilityStatus::PartiallyFunctioning),
        largest_catchment: most(|c| Some(c.people)),
        most_people_per_bed: most(|c| c.people_per_bed),
    }
}

fn profile_access(
    sm: &ScenarioMap,
    facilities: &[FacilityState],
    units: &[[f64; 2]],
    people: &[f64],
    params: &AccessParams,
    customized: Option<&CustomizedWeights>,
) -> ProfileAccess {
    let net = Network::new(sm);
    // A caller's customization is used only if it is of exactly these weights.
    let customized = customized
        .filter(|c| same_weights(&c.weight, &net.w))
        .and_then(|c| c.metric.as_ref());
    let engine = resolve(
        params.engine,
        sm.graph,
        &net.w,
        2,
        customized.is_some(),
        false,
    );
    let mut search = NearestSearch::new(sm.graph, &net.w, engine, customized);
    let with = |ok: fn(FacilityStatus) -> bool| -> Vec<usize> {
        (0..facilities.len())
            .filter(|&i| ok(facilities[i].status))
            .collect()
    };
    let working = with(FacilityStatus::works);
    let full = with(|s| s == FacilityStatus::Functioning);
    let near = net.nearest(&mut search, facilities, &working, units, params.max_snap_m);
    let near_full = net.nearest(&mut search, facilities, &full, units, params.max_snap_m);
    let unreachable = total(
        people
            .iter()
            .zip(&near.minutes)
            .filter(|(_, t)| t.is_none())
            .map(|(p, _)| *p),
    );
    ProfileAccess {
        profile: sm.graph.profile,
        engine,
        coverage: coverage(&params.thresholds_min, people, &near.minutes),
        coverage_fully_functioning: coverage(&params.thresholds_min, people, &near_full.minutes),
        unreachable_people: unreachable.round(),
        catchments: catchments(facilities, &working, people, &near),
        facility_by_unit: near
            .facility
            .iter()
            .map(|f| f.map(|i| facilities[i].id.clone()))
            .collect(),
        minutes_by_unit: near.minutes,
    }
}

/// Minutes from each population unit to the nearest working facility (and to the nearest
/// fully functioning one), coverage, and each facility's catchment on `date`.
pub fn access(
    foot: &ScenarioMap,
    car: &ScenarioMap,
    facilities: Vec<FacilityState>,
    date: NaiveDate,
    params: &AccessParams,
) -> Result<AccessReport, AccessError> {
    access_customized(foot, car, facilities, date, params, [None, None])
}

/// [`access`] with a customization per profile (foot, car) the caller already holds (the
/// server keeps one per scenario): used when it is of exactly the weights access searches
/// (fastest, the scenario's default side), so `auto` then only weighs sweeps against Dijkstra.
pub fn access_customized(
    foot: &ScenarioMap,
    car: &ScenarioMap,
    facilities: Vec<FacilityState>,
    date: NaiveDate,
    params: &AccessParams,
    customized: [Option<&CustomizedWeights>; 2],
) -> Result<AccessReport, AccessError> {
    let s = foot.scenario;
    if s.population.is_empty() {
        return Err(AccessError(format!(
            "{}: access needs a population layer (points or areas with people)",
            s.file.display()
        )));
    }
    let units: Vec<[f64; 2]> = s.population.iter().map(|u| u.point).collect();
    let people: Vec<f64> = s.population.iter().map(|u| u.people).collect();
    let by_profile: Vec<ProfileAccess> = [foot, car]
        .iter()
        .zip(customized)
        .map(|(sm, c)| profile_access(sm, &facilities, &units, &people, params, c))
        .collect();
    let count = |st: FacilityStatus| facilities.iter().filter(|f| f.status == st).count();
    let on_foot = &by_profile[0];
    Ok(AccessReport {
        date,
        population: total(people.iter().copied()),
        coverage: on_foot.coverage.clone(),
        coverage_fully_functioning: on_foot.coverage_fully_functioning.clone(),
        load: load_by_status(&on_foot.catchments),
        catchments: on_foot.catchments.clone(),
        facilities: StatusCounts {
            functioning: count(FacilityStatus::Functioning),
            partially_functioning: count(FacilityStatus::PartiallyFunctioning),
            not_functioning: count(FacilityStatus::NotFunctioning),
            destroyed: count(FacilityStatus::Destroyed),
            list: facilities,
        },
        by_profile,
        unit_people: people,
    })
}

/// What changed between two dates' reports.
#[derive(Debug, Clone, Serialize)]
pub struct AccessChange {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Facilities working on `from` and not on `to` (or gone), with the incidents that did it.
    pub facilities_lost: Vec<FacilityState>,
    /// Facilities working on `to` and not on `from` (reopened or opened).
    pub facilities_gained: Vec<FacilityState>,
    /// Per threshold, on foot: people within it on `from` and beyond it on `to`.
    pub people_lost_access: Vec<Coverage>,
    /// Per threshold, on foot: people beyond it on `from` and within it on `to`.
    pub people_gained_access: Vec<Coverage>,
    /// Catchments (on foot) that grew, with their people before and after.
    pub catchments_grew: Vec<(String, f64, f64)>,
}

fn works_in(r: &AccessReport, id: &str) -> bool {
    r.facilities
        .list
        .iter()
        .any(|f| f.id == id && f.status.works())
}

/// Facilities working in `a` and not in `b`, as `report` (one of the two) has them (as `a` has
/// them when `report` lacks them).
fn working_only_in(
    a: &AccessReport,
    b: &AccessReport,
    report: &AccessReport,
) -> Vec<FacilityState> {
    a.facilities
        .list
        .iter()
        .filter(|f| f.status.works() && !works_in(b, &f.id))
        .map(|f| {
            report
                .facilities
                .list
                .iter()
                .find(|x| x.id == f.id)
                .unwrap_or(f)
                .clone()
        })
        .collect()
}

/// People within each threshold in `a` and beyond it in `b`, on foot.
fn people_moved_out(a: &AccessReport, b: &AccessReport, population: f64) -> Vec<Coverage> {
    let (ta, tb) = (
        &a.by_profile[0].minutes_by_unit,
        &b.by_profile[0].minutes_by_unit,
    );
    a.coverage
        .iter()
        .map(|c| {
            let m = c.minutes;
            let within = |t: &Option<f64>| t.is_some_and(|t| t <= m);
            let moved = total(
                ta.iter()
                    .zip(tb)
                    .zip(&a.unit_people)
                    .filter(|((x, y), _)| within(x) && !within(y))
                    .map(|(_, p)| *p),
            );
            Coverage {
                minutes: m,
                people: moved.round(),
                share: if population > 0.0 {
                    moved / population
                } else {
                    0.0
                },
            }
        })
        .collect()
}

/// What changed from `before` to `after` (both of the same population units).
pub fn compare(before: &AccessReport, after: &AccessReport, population: f64) -> AccessChange {
    let catchments_grew = after
        .catchments
        .iter()
        .filter_map(|c| {
            let was = before
                .catchments
                .iter()
                .find(|x| x.facility == c.facility)
                .map_or(0.0, |x| x.people);
            (c.people > was).then(|| (c.facility.clone(), was, c.people))
        })
        .collect();
    AccessChange {
        from: before.date,
        to: after.date,
        facilities_lost: working_only_in(before, after, after),
        facilities_gained: working_only_in(after, before, after),
        people_lost_access: people_moved_out(before, after, population),
        people_gained_access: people_moved_out(after, before, population),
        catchments_grew,
    }
}
