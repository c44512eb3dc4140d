//! `corridor access`: who can still reach a working hospital, how many people each must serve,
//! and what the last strikes changed.
//!
//! Facilities come from the map (OSM hospitals, clinics, doctors, `healthcare=*`), with the
//! scenario's `facilities` layer overriding status and beds or adding facilities; incidents that
//! hit a facility worsen its status from their date on. Travel times come from one multi-source
//! Dijkstra per profile from every working facility (walking backwards along one-way streets),
//! never one query per pair.

use chrono::NaiveDate;
use corridor_roads::geometry::haversine_m;
use corridor_roads::{Facility, Profile, ProfileGraph};
use corridor_routing::{OneToAll, Seed, INVALID};
use corridor_scenario::{FacilityStatus, Incident, Mode, Scenario, ScenarioMap, Side};
use serde::Serialize;

/// Tunables with documented defaults.
#[derive(Debug, Clone, Serialize)]
pub struct AccessParams {
    /// Coverage thresholds in minutes.
    pub thresholds_min: Vec<f64>,
    /// An incident this close to a facility can hit it (metres).
    pub hit_radius_m: f64,
    /// A facility farther than this from any road is unreachable (metres).
    pub max_snap_m: f64,
}

impl Default for AccessParams {
    fn default() -> Self {
        AccessParams {
            thresholds_min: vec![15.0, 30.0, 60.0],
            hit_radius_m: 100.0,
            max_snap_m: 500.0,
        }
    }
}

/// Why a facility's status changed.
#[derive(Debug, Clone, Serialize)]
pub struct StatusChange {
    pub incident: String,
    pub date: NaiveDate,
    pub status: FacilityStatus,
    /// "12 m away", or "named in the notes".
    pub reason: String,
}

/// A facility's state on a date.
#[derive(Debug, Clone, Serialize)]
pub struct FacilityState {
    /// `osm:n123`, `osm:w456`, or `scenario:<feature>` for one the scenario adds.
    pub id: String,
    pub name: Option<String>,
    pub kind: String,
    pub beds: Option<u32>,
    /// `[lon, lat]`.
    pub coord: [f64; 2],
    pub status: FacilityStatus,
    /// Where the status came from: "map", "scenario", or the incidents below.
    pub status_source: String,
    pub changed_by: Vec<StatusChange>,
}

/// An error in the facilities layer that only the map can reveal.
#[derive(Debug, Clone)]
pub struct AccessError(pub String);

impl std::fmt::Display for AccessError {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn hit_status(inc: &Incident) -> Option<FacilityStatus> {
    let sub = inc.sub_event_type.to_ascii_lowercase();
    let destroyed = inc.notes.to_ascii_lowercase().contains("destroy");
    let explosive = [
        "air/drone strike",
        "shelling/artillery/missile attack",
        "remote explosive/landmine/ied",
        "suicide bomb",
        "chemical weapon",
    ];
    if explosive.contains(&sub.as_str()) {
        return Some(if destroyed {
            FacilityStatus::Destroyed
        } else {
            FacilityStatus::NotFunctioning
        });
    }
    if ["attack", "armed clash", "grenade"].contains(&sub.as_str()) {
        return Some(if destroyed {
            FacilityStatus::Destroyed
        } else {
            FacilityStatus::PartiallyFunctioning
        });
    }
    None
}

/// The facilities and their status on `date`: the map's, the scenario's overrides and
/// additions, then every incident up to `date` that hit one (an air or drone strike, shelling,
/// an explosive or chemical attack within `hit_radius_m`, or any of those and attacks, clashes
/// and grenades whose notes name the facility) — the worst status so far holds; "destroy" in
/// the notes means destroyed.
pub fn facilities_on(
    s: &Scenario,
    map: &[Facility],
    date: NaiveDate,
    params: &AccessParams,
) -> Result<Vec<FacilityState>, AccessError> {
    let mut out: Vec<FacilityState> = map
        .iter()
        .map(|f| FacilityState {
            id: format!("osm:{}{}", f.osm_type, f.osm_id),
            name: f.name.clone(),
            kind: f.kind.clone(),
            beds: f.beds,
            coord: f.coord,
            status: FacilityStatus::Functioning,
            status_source: "map".into(),
            changed_by: Vec::new(),
        })
        .collect();
    for r in &s.facilities {
        let err =
            |m: String| AccessError(format!("{}, feature {}: {m}", r.file.display(), r.feature));
        let target = match r.osm_id {
            Some(id) => {
                let i = map.iter().position(|f| f.osm_id == id).ok_or_else(|| {
                    err(format!("osm_id {id} is not a health facility on the map"))
                })?;
                &mut out[i]
            }
            None => {
                out.push(FacilityState {
                    id: format!("scenario:{}", r.feature),
                    name: None,
                    kind: "clinic".into(),
                    beds: None,
                    coord: r.point.expect("validated at load"),
                    status: FacilityStatus::Functioning,
                    status_source: "scenario".into(),
                    changed_by: Vec::new(),
                });
                out.last_mut().expect("just pushed")
            }
        };
        if let Some(st) = r.status {
            target.status = st;
            target.status_source = "scenario".into();
        }
        if r.beds.is_some() {
            target.beds = r.beds;
        }
        if r.name.is_some() {
            target.name = r.name.clone();
        }
        if let Some(k) = &r.kind {
            target.kind = k.clone();
        }
        if let Some(p) = r.point {
            target.coord = p;
        }
    }
    let mut incidents: Vec<&Incident> = s.incidents.iter().filter(|i| i.date <= date).collect();
    incidents.sort_by_key(|i| i.date);
    for inc in incidents {
        let Some(st) = hit_status(inc) else { continue };
        let notes = inc.notes.to_ascii_lowercase();
        for f in &mut out {
            let d = haversine_m(f.coord, inc.point);
            let named = f
                .name
                .as_ref()
                .is_some_and(|n| n.chars().count() >= 4 && notes.contains(&n.to_ascii_lowercase()));
            if d <= params.hit_radius_m || named {
                f.changed_by.push(StatusChange {
                    incident: inc.id.clone(),
                    date: inc.date,
                    status: st,
                    reason: if named {
                        "named in the notes".into()
                    } else {
                        format!("{d:.0} m away")
                    },
                });
                if st > f.status {
                    f.status = st;
                    f.status_source = format!("incident {}", inc.id);
                }
            }
        }
    }
    Ok(out)
}

#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    pub minutes: f64,
    pub people: f64,
    pub share: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Catchment {
    pub facility: String,
    pub name: Option<String>,
    pub people: f64,
    pub mean_minutes: f64,
}

/// Access for one travel profile.
#[derive(Debug, Clone, Serialize)]
pub struct ProfileAccess {
    pub profile: Profile,
    pub coverage: Vec<Coverage>,
    /// People who cannot reach any working facility at all.
    pub unreachable_people: f64,
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

#[derive(Debug, Clone, Serialize)]
pub struct AccessReport {
    pub date: NaiveDate,
    pub facilities: StatusCounts,
    pub population: f64,
    /// On foot (the headline: most people in a besieged city walk to care).
    pub coverage: Vec<Coverage>,
    /// Population per working (functioning or partially functioning) facility.
    pub people_per_functioning_facility: Option<f64>,
    pub people_per_bed: Option<f64>,
    pub catchments: Vec<Catchment>,
    pub by_profile: Vec<ProfileAccess>,
    /// People per population unit, in the order of `minutes_by_unit`.
    #[serde(skip)]
    pub unit_people: Vec<f64>,
}

/// Nearest usable road node to a point, through an R-tree over the nodes in local metres.
struct NodeIndex<'a> {
    tree: rstar::RTree<rstar::primitives::GeomWithData<[f64; 2], u32>>,
    proj: &'a corridor_roads::geometry::LocalProjection,
}

impl<'a> NodeIndex<'a> {
    fn new(
        g: &ProfileGraph,
        ok: &[bool],
        proj: &'a corridor_roads::geometry::LocalProjection,
    ) -> Self {
        let pts = (0..g.node_count() as u32)
            .filter(|&v| ok[v as usize])
            .map(|v| {
                rstar::primitives::GeomWithData::new(proj.project(g.node_coord[v as usize]), v)
            })
            .collect();
        NodeIndex {
            tree: rstar::RTree::bulk_load(pts),
            proj,
        }
    }

    fn nearest(&self, g: &ProfileGraph, at: [f64; 2], max_m: f64) -> Option<u32> {
        self.tree
            .nearest_neighbor(&self.proj.project(at))
            .map(|n| n.data)
            .filter(|&v| haversine_m(g.node_coord[v as usize], at) <= max_m)
    }
}

/// Minutes from each population unit to the nearest working facility, by one multi-source
/// search per profile, and coverage, catchments and loads on `date`.
pub fn access(
    foot: &ScenarioMap,
    car: &ScenarioMap,
    facilities: Vec<FacilityState>,
    date: NaiveDate,
    params: &AccessParams,
) -> Result<AccessReport, AccessError> {
    let s = foot.scenario;
    if s.population.is_empty() {
        return Err(AccessError(format!(
            "{}: access needs a population layer (points or areas with people)",
            s.file.display()
        )));
    }
    let units: Vec<(f64, [f64; 2])> = s.population.iter().map(|u| (u.people, u.point)).collect();
    let population: f64 = units.iter().map(|u| u.0).sum();
    let working: Vec<usize> = (0..facilities.len())
        .filter(|&i| facilities[i].status.works())
        .collect();
    let side = Side::default_for(s);
    let mut by_profile = Vec::new();
    for sm in [foot, car] {
        let g = sm.graph;
        let w = sm.weights(side, Mode::Fastest, 0.0);
        let usable: Vec<bool> = (0..g.node_count() as u32)
            .map(|v| {
                g.graph.out_arcs(v).any(|a| w[a as usize].is_finite())
                    || g.graph.in_arcs(v).any(|(_, a)| w[a as usize].is_finite())
            })
            .collect();
        let index = NodeIndex::new(g, &usable, sm.projection());
        let mut seed_facility: Vec<(u32, usize)> = Vec::new();
        for &i in &working {
            if let Some(v) = index.nearest(g, facilities[i].coord, params.max_snap_m) {
                seed_facility.push((v, i));
            }
        }
        let seeds: Vec<Seed> = seed_facility
            .iter()
            .map(|x| Seed {
                node: x.0,
                cost: 0.0,
            })
            .collect();
        // Backwards from the facilities: the cost at a node is its time *to* the nearest one.
        let mut q = OneToAll::new(&g.graph);
        q.run(&g.graph, &w, &seeds, f64::INFINITY, true);
        let mut minutes_by_unit = Vec::new();
        let mut facility_by_unit = Vec::new();
        let mut catch: Vec<(f64, f64)> = vec![(0.0, 0.0); facilities.len()];
        for &(people, at) in &units {
            let v = index.nearest(g, at, params.max_snap_m);
            let Some(mut v) = v.filter(|&v| q.cost(v).is_finite()) else {
                minutes_by_unit.push(None);
                facility_by_unit.push(None);
                continue;
            };
            let t = q.cost(v) / 60.0;
            minutes_by_unit.push(Some(t));
            while q.parent_arc(v) != INVALID {
                v = g.graph.arc_head(q.parent_arc(v));
            }
            match seed_facility.iter().find(|x| x.0 == v) {
                Some(&(_, i)) => {
                    catch[i].0 += people;
                    catch[i].1 += people * t;
                    facility_by_unit.push(Some(facilities[i].id.clone()));
                }
                None => facility_by_unit.push(None),
            }
        }
        let coverage = params
            .thresholds_min
            .iter()
            .map(|&m| {
                let people: f64 = units
                    .iter()
                    .zip(&minutes_by_unit)
                    .filter(|(_, t)| t.is_some_and(|t| t <= m))
                    .map(|(u, _)| u.0)
                    .sum();
                Coverage {
                    minutes: m,
                    people: people.round(),
                    share: if population > 0.0 {
                        people / population
                    } else {
                        0.0
                    },
                }
            })
            .collect();
        let unreachable_people: f64 = units
            .iter()
            .zip(&minutes_by_unit)
            .filter(|(_, t)| t.is_none())
            .map(|(u, _)| u.0)
            .sum();
        let catchments = catch
            .iter()
            .enumerate()
            .filter(|(_, c)| c.0 > 0.0)
            .map(|(i, c)| Catchment {
                facility: facilities[i].id.clone(),
                name: facilities[i].name.clone(),
                people: c.0.round(),
                mean_minutes: c.1 / c.0,
            })
            .collect();
        by_profile.push(ProfileAccess {
            profile: g.profile,
            coverage,
            unreachable_people: unreachable_people.round(),
            catchments,
            minutes_by_unit,
            facility_by_unit,
        });
    }
    let count = |st: FacilityStatus| facilities.iter().filter(|f| f.status == st).count();
    let functioning = count(FacilityStatus::Functioning);
    let beds: u32 = working.iter().filter_map(|&i| facilities[i].beds).sum();
    Ok(AccessReport {
        date,
        population,
        coverage: by_profile[0].coverage.clone(),
        people_per_functioning_facility: (!working.is_empty())
            .then(|| population / working.len() as f64),
        people_per_bed: (beds > 0).then(|| population / beds as f64),
        catchments: by_profile[0].catchments.clone(),
        facilities: StatusCounts {
            functioning,
            partially_functioning: count(FacilityStatus::PartiallyFunctioning),
            not_functioning: count(FacilityStatus::NotFunctioning),
            destroyed: count(FacilityStatus::Destroyed),
            list: facilities,
        },
        by_profile,
        unit_people: units.iter().map(|u| u.0).collect(),
    })
}

/// What changed between two dates' reports.
#[derive(Debug, Clone, Serialize)]
pub struct AccessChange {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Facilities working on `from` and not on `to`, with the incidents that did it.
    pub facilities_lost: Vec<FacilityState>,
    /// Per threshold, on foot: people within it on `from` and beyond it on `to`.
    pub people_lost_access: Vec<Coverage>,
    /// Catchments (on foot) that grew, with their people before and after.
    pub catchments_grew: Vec<(String, f64, f64)>,
}

pub fn compare(before: &AccessReport, after: &AccessReport, population: f64) -> AccessChange {
    let lost: Vec<FacilityState> = after
        .facilities
        .list
        .iter()
        .filter(|f| {
            !f.status.works()
                && before
                    .facilities
                    .list
                    .iter()
                    .any(|b| b.id == f.id && b.status.works())
        })
        .cloned()
        .collect();
    let (b, a) = (&before.by_profile[0], &after.by_profile[0]);
    let people_lost_access = before
        .coverage
        .iter()
        .map(|c| {
            let m = c.minutes;
            let lost: f64 = b
                .minutes_by_unit
                .iter()
                .zip(&a.minutes_by_unit)
                .zip(&before.unit_people)
                .filter(|((tb, ta), _)| tb.is_some_and(|t| t <= m) && !ta.is_some_and(|t| t <= m))
                .map(|(_, p)| *p)
                .sum();
            Coverage {
                minutes: m,
                people: lost.round().max(0.0),
                share: if population > 0.0 {
                    (lost / population).max(0.0)
                } else {
                    0.0
                },
            }
        })
        .collect();
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
        facilities_lost: lost,
        people_lost_access,
        catchments_grew,
    }
}

/// The area reachable from `seeds` within each of `minutes`, as polygons: the union of small
/// squares around every road point reachable in time (graph nodes, and points every 25 m along
/// edges), each square kept smaller than half the distance to the nearest node reached only
/// later — so the polygon for T contains every node reachable within T and no other node.
pub fn isochrones(
    sm: &ScenarioMap,
    side: Side,
    seeds: &[Seed],
    minutes: &[f64],
) -> Vec<(f64, geo::MultiPolygon<f64>)> {
    use geo::{coord, Polygon, Rect};
    use rstar::RTree;
    let g = sm.graph;
    let w = sm.weights(side, Mode::Fastest, 0.0);
    let mut q = OneToAll::new(&g.graph);
    q.run(&g.graph, &w, seeds, f64::INFINITY, false);
    let proj = sm.projection();
    let mut out = Vec::new();
    for &m in minutes {
        let t = m * 60.0;
        let later: Vec<[f64; 2]> = (0..g.node_count() as u32)
            .filter(|&v| q.cost(v) > t)
            .map(|v| proj.project(g.node_coord[v as usize]))
            .collect();
        let tree = RTree::bulk_load(later);
        let mut points: Vec<[f64; 2]> = (0..g.node_count() as u32)
            .filter(|&v| q.cost(v) <= t)
            .map(|v| proj.project(g.node_coord[v as usize]))
            .collect();
        // Along edges, as far as time allows from the reached end.
        for a in 0..g.arc_count() as u32 {
            let u = g.graph.arc_tail(a);
            let cu = q.cost(u);
            if cu > t || !w[a as usize].is_finite() {
                continue;
            }
            let (e, rev) = g.arc_edge(a);
            let len = g.edges.length_m[e as usize];
            let reach_m = if w[a as usize] > 0.0 {
                ((t - cu) / w[a as usize] * len).min(len)
            } else {
                len
            };
            let n = (reach_m / 25.0).floor() as usize;
            for k in 1..=n {
                let d = k as f64 * 25.0;
                let (from, to) = if rev { (len, len - d) } else { (0.0, d) };
                let sub = g.edge_subshape(e, from, to);
                points.push(proj.project(*sub.last().expect("non-empty")));
            }
        }
        let squares: Vec<Polygon<f64>> = points
            .iter()
            .map(|p| {
                let nearest = tree.nearest_neighbor(p).map_or(f64::INFINITY, |l| {
                    ((l[0] - p[0]).powi(2) + (l[1] - p[1]).powi(2)).sqrt()
                });
                let r = (0.45 * nearest).clamp(0.5, 20.0);
                let (a, b) = (
                    proj.unproject([p[0] - r, p[1] - r]),
                    proj.unproject([p[0] + r, p[1] + r]),
                );
                Rect::new(coord! {x: a[0], y: a[1]}, coord! {x: b[0], y: b[1]}).to_polygon()
            })
            .collect();
        out.push((m, geo::unary_union(&squares)));
    }
    out
}
