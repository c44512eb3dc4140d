//! `corridor evacuate`: who leaves by which corridor, when, and how long it takes — a plan
//! under road and checkpoint capacities, its gap to a lower bound computed from the inputs
//! alone, who cannot leave, and who stays.
//!
//! Steps: combatants first, on foot, from where the scenario puts them (spread over the
//! neighbourhoods in proportion to their people), through the combatant corridors; their road
//! segments are then closed to civilians in both modes. Civilians walk or drive on one network
//! whose checkpoints are one screening pool per corridor ([`network`]); the lower bound comes
//! from a relaxation of that network ([`bound`]); the plan is the best of three CCRP schedules
//! (more where streets bind, [`plan`]); the report is built from the plan's groups ([`report`]), which carry everything
//! [`verify`] needs to check the plan from the scenario and the graph alone.

pub mod bound;
pub mod capacity;
pub mod chain_bound;
pub mod cut_starts;
pub mod flow_schedule;
mod maxflow;
pub mod network;
mod plan;
mod report;
pub mod road_bound;
pub mod routing_bound;
pub mod separation;
pub mod start;
mod stranding;
mod suggest;
pub mod synthetic;
pub mod verify;

pub use capacity::{
    edge_capacity_per_hour, STEPS_FLOW_PER_M_S, VEHICLES_PER_LANE_H, WALK_FLOW_PER_M_S,
};
pub use network::MAX_START_M;
pub use separation::RoutingResult;
pub use suggest::{
    crossing_candidates, suggest_corridors, EvaluatedSuggestion, Suggestion, Suggestions,
};

use crate::ccrp::CcrpPlan;
use crate::siege::enclave_ground;
use corridor_roads::Profile;
use corridor_scenario::{Purpose, Scenario, ScenarioMap, Side};
use geo::{Contains, Point};
use network::{segments, Network, Segment};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

#[derive(Debug, Clone, Serialize)]
pub struct CorridorReport {
    pub name: String,
    pub purpose: Purpose,
    pub people: f64,
    pub first_arrival_s: Option<f64>,
    pub last_arrival_s: Option<f64>,
    /// Most people waiting at the checkpoint at once.
    pub peak_queue: f64,
    /// People processed / (capacity × open time from first to last processing).
    pub checkpoint_utilisation: f64,
    /// Most people waiting at the checkpoint during each hour from the start (hour 0 first):
    /// the queue over time, as the web map charts it; its largest entry is `peak_queue`.
    pub queue_by_hour: Vec<f64>,
    /// People through the checkpoint during each hour from the start.
    pub crossed_by_hour: Vec<f64>,
    /// Why it carries no one, if so, by name (`stranding::why_unused`): its crossing road
    /// closed (the closures named), not in force, its crossing roads taken by the other flow,
    /// its reception out of reach, its crossing roads out of every group's reach, no road on from
    /// them to a reception, or slower for everyone than another corridor; "no combatants" for a
    /// combatant corridor without.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unused_because: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DepartureWindow {
    pub from_s: f64,
    pub to_s: f64,
    pub people: f64,
    pub mode: Profile,
}

#[derive(Debug, Clone, Serialize)]
pub struct NeighbourhoodReport {
    pub name: String,
    pub people: f64,
    pub leaving: f64,
    /// Those who stay by choice or need (`stay_share`) plus the stranded.
    pub staying: f64,
    /// The corridor most of its people use.
    pub corridor: Option<String>,
    /// Streets of the route most of its people take.
    pub route: Vec<String>,
    pub departure_windows: Vec<DepartureWindow>,
    /// Every corridor's route from here is above the exposure threshold, so exposed routes
    /// are used.
    pub only_exposed_routes: bool,
    /// People who cannot reach any corridor (counted in `staying`).
    pub stranded: f64,
    /// Why, per mode, when anyone is stranded.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stranded_because: Vec<String>,
    /// Changes of plan, e.g. people who walk because no road for vehicles is within reach.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Bottleneck {
    /// Road name or checkpoint.
    pub name: String,
    pub kind: &'static str,
    pub osm_way_id: Option<i64>,
    /// `null` for a checkpoint (one pool for both modes).
    pub mode: Option<Profile>,
    /// Time buckets in which it ran at capacity.
    pub saturated_buckets: usize,
    pub capacity_per_hour: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct HourRow {
    pub hour: u32,
    /// Civilians still inside (not yet through a checkpoint), stayers and stranded included.
    pub inside: f64,
    /// The same per neighbourhood, in the order of `neighbourhoods`.
    pub by_neighbourhood: Vec<f64>,
    /// Combatants not yet through their checkpoint.
    pub combatants_inside: f64,
}

/// A route's drawn load, for GeoJSON.
#[derive(Debug, Clone, Serialize)]
pub struct LoadedRoute {
    pub mode: Profile,
    pub corridor: String,
    pub people: f64,
    pub geometry: Vec<[f64; 2]>,
}

/// One group of people as planned: everything needed to check the plan without the planner.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PlannedGroup {
    /// Index into `neighbourhoods` where the group starts (combatants too, when they start
    /// spread over them); `null` for combatants who start at an assembly point.
    pub neighbourhood: Option<usize>,
    /// The `[[evacuation.assembly_points]]` name where these combatants start, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assembly_point: Option<String>,
    #[serde(deserialize_with = "purpose_from_name")]
    pub purpose: Purpose,
    #[serde(deserialize_with = "profile_from_name")]
    pub mode: Profile,
    pub people: f64,
    /// The corridor whose checkpoint it passes.
    pub corridor: Option<String>,
    /// OSM node ids along the route, from the start node to the reception's node.
    pub nodes: Vec<i64>,
    /// OSM way of each road piece between consecutive nodes.
    pub ways: Vec<i64>,
    /// When the group (its head) enters each road piece, seconds from the start.
    pub enter_s: Vec<f64>,
    /// When its head reaches the reception.
    pub arrive_s: f64,
}

fn purpose_from_name<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Purpose, D::Error> {
    let name = String::deserialize(d)?;
    [Purpose::Civilian, Purpose::Combatant]
        .into_iter()
        .find(|p| p.name() == name)
        .ok_or_else(|| {
            serde::de::Error::custom(format!("purpose '{name}': expected civilian or combatant"))
        })
}

fn profile_from_name<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Profile, D::Error> {
    let name = String::deserialize(d)?;
    Profile::ALL
        .into_iter()
        .find(|p| p.name() == name)
        .ok_or_else(|| serde::de::Error::custom(format!("mode '{name}': expected foot or car")))
}

/// How one planning method did, for transparency.
#[derive(Debug, Clone, Serialize)]
pub struct MethodResult {
    pub method: &'static str,
    pub egress_time_s: Option<f64>,
    /// People this method could not route (a method that strands more than the first is
    /// never chosen).
    pub stranded: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct EvacuationReport {
    pub enclave: String,
    /// Civilians in the enclave (the population layer).
    pub people: f64,
    pub leaving: f64,
    pub staying: f64,
    /// Civilians who cannot reach any corridor (included in `staying`).
    pub stranded: f64,
    /// Of the civilians who leave, those who would drive but walk: because no usable road for
    /// vehicles lies within 500 m of their home, or by the plan's choice (the "drivers walk"
    /// schedules; `neighbourhoods[].notes` says which).
    pub walking_drivers: f64,
    /// Fighters leaving through combatant corridors (not part of `people`).
    pub combatants: f64,
    pub combatants_stranded: f64,
    /// Why, per neighbourhood they start in.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub combatants_stranded_because: Vec<String>,
    /// What matters first, in one line each: stranded people, then egress and bound.
    pub headline: Vec<String>,
    /// When the last person reaches a reception; `null` when nobody can leave.
    pub egress_time_s: Option<f64>,
    /// No plan gets the people who can leave out before this; from the inputs alone: the
    /// largest of `lower_bounds`.
    pub lower_bound_s: Option<f64>,
    /// Which bound that is: flow and kind (`civilian road cut`, `combatant checkpoints`, ...).
    pub lower_bound_binds: Option<String>,
    /// Every valid bound computed, largest first: per flow, the checkpoint bound (road
    /// capacities relaxed) and the road-cut bound ([`road_bound`]).
    pub lower_bounds: Vec<road_bound::LowerBoundRow>,
    /// Seconds spent on the road-cut bounds (the checkpoint bounds are part of planning).
    pub bound_seconds: f64,
    /// The search for a civilian bound over every combatant routing ([`routing_bound`]), when
    /// the civilians finish more than 3 % after their other valid bounds: its bound is one of
    /// `lower_bounds` when it raises theirs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bound_over_combatant_routings: Option<routing_bound::OverRoutings>,
    /// The same bound with the roads the combatants' plan uses closed to civilians: no
    /// civilian plan that keeps off those roads beats it, whichever start and mode it gives
    /// each cell (drivers may walk, as in `lower_bound_s`). It depends on the combatants' plan
    /// (not on the civilians'), so it is not a bound on every evacuation; when it is well above
    /// `lower_bound_s`, the separation from combatants explains the gap.
    pub lower_bound_given_combatant_roads_s: Option<f64>,
    /// The road-cut bound with the roads the combatants' plan uses closed to civilians, when
    /// the civilians' plan finishes more than 3 % after their valid bounds: like
    /// `lower_bound_given_combatant_roads_s`, not a bound on every evacuation, but when it is
    /// near the civilians' egress the separation, not the planner, explains the gap.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub road_bound_given_combatant_roads_s: Option<f64>,
    /// Road pieces (stretches of OSM ways) every routing of the combatants must use: closed to
    /// civilians in `lower_bound_s` too, which stays a bound on every plan in which every
    /// combatant who can leave does.
    pub combatant_roads_in_bound: usize,
    /// The combatants' routings tried, each with the civilian plan after it; the kept one
    /// is `kept`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub combatant_routings: Vec<RoutingResult>,
    /// egress / bound − 1; `null` when there is no egress.
    pub gap: Option<f64>,
    /// Why egress is `null`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_egress_because: Option<String>,
    /// The civilian planning method that won, and how each did.
    pub method: &'static str,
    pub methods: Vec<MethodResult>,
    pub corridors: Vec<CorridorReport>,
    pub neighbourhoods: Vec<NeighbourhoodReport>,
    pub bottlenecks: Vec<Bottleneck>,
    pub remaining_by_hour: Vec<HourRow>,
    pub assumptions: Vec<String>,
    /// Every group as planned (route, departure, amount): what `--verify` checks.
    pub groups: Vec<PlannedGroup>,
    #[serde(skip)]
    pub routes: Vec<LoadedRoute>,
}

/// How the combatants were kept apart from the civilians, for the report.
pub(crate) struct Separation {
    pub routings: Vec<RoutingResult>,
    pub mandatory_segments: usize,
    /// The combatants start at the scenario's assembly points (else in the neighbourhoods).
    pub assembly: bool,
    /// Where they start: the assembly points, or the neighbourhoods.
    pub starts: Vec<Unit>,
    /// The civilians' bound over every combatant routing, if searched.
    pub over_routings: Option<routing_bound::OverRoutings>,
    /// The combatants' valid bounds, on their network with every corridor and road open
    /// ([`separation::Apart::combatant_bounds`]): not the kept routing's.
    pub combatant_bounds: Vec<road_bound::LowerBoundRow>,
}

/// People per starting place: (index of the place, people).
type Placed = Vec<(usize, f64)>;

/// Where the combatants start and how many at each: the scenario's assembly points (each
/// inside the enclave, else an error), or the neighbourhoods in proportion to their people.
fn combatant_starts(
    s: &Scenario,
    units: &[Unit],
    ground: &geo::MultiPolygon<f64>,
) -> Result<(Vec<Unit>, Placed), EvacuationError> {
    if s.assembly_points.is_empty() {
        let total: f64 = units.iter().map(|u| u.people).sum();
        let spread = units
            .iter()
            .enumerate()
            .map(|(i, u)| (i, s.evacuation.combatants * u.people / total))
            .collect();
        let copy = units
            .iter()
            .map(|u| Unit {
                name: u.name.clone(),
                people: u.people,
                point: u.point,
                area: u.area.clone(),
            })
            .collect();
        return Ok((copy, spread));
    }
    let mut starts = Vec::new();
    for a in &s.assembly_points {
        if !ground.contains(&Point::new(a.point[0], a.point[1])) {
            return Err(EvacuationError(format!(
                "{}: assembly point '{}' at [{}, {}] lies outside the enclave '{}': combatants assemble inside the enclave they leave",
                s.file.display(),
                a.name,
                a.point[1],
                a.point[0],
                s.enclaves[0].name
            )));
        }
        starts.push(Unit {
            name: a.name.clone(),
            people: a.combatants,
            point: a.point,
            area: None,
        });
    }
    let placed = starts
        .iter()
        .enumerate()
        .map(|(i, u)| (i, u.people))
        .collect();
    Ok((starts, placed))
}

/// A problem with the evacuation inputs that loading could not see (it needs the map).
#[derive(Debug, Clone)]
pub struct EvacuationError(pub String);

impl std::fmt::Display for EvacuationError {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A neighbourhood of the enclave.
pub(crate) struct Unit {
    pub name: String,
    pub people: f64,
    pub point: [f64; 2],
    /// Its area inside the enclave, when the population layer gives an area: its people start
    /// spread over it ([`start`]).
    pub area: Option<geo::MultiPolygon<f64>>,
}

/// People of one neighbourhood in one mode (layer of the flow's network).
#[derive(Debug, Clone)]
pub(crate) struct Group {
    pub unit: usize,
    pub layer: usize,
    pub people: f64,
    /// Start node in the flow's network, or why there is none.
    pub start: Result<u32, String>,
    /// Why some of its people walk who would drive, and how many for each reason (first met
    /// first): no usable road for vehicles near them, or the plan's choice of mode for their
    /// cell ([`plan::WALK_BY_CHOICE`], [`BY_CHOICE`]). One group can gather cells walking for
    /// different reasons (they start at the same foot node); the note names every reason.
    pub walk_reasons: Vec<(String, f64)>,
    /// Of `people`, those who would drive but walk (the sum over `walk_reasons`).
    pub walking_drivers: f64,
}

/// One flow (civilians, or combatants) planned on its network.
pub(crate) struct Flow<'a> {
    pub net: Network<'a>,
    pub purpose: Purpose,
    pub groups: Vec<Group>,
    pub plan: CcrpPlan,
    /// Per CCRP source: its group.
    pub source_group: Vec<usize>,
    /// Per group: only exposed routes exist.
    pub only_exposed: Vec<bool>,
    pub bound_s: Option<f64>,
    /// The same relaxation on the planner's own network (roads the other flow uses closed),
    /// every cell from any start the model allows it (drivers' foot nodes too): it holds for
    /// every plan on these roads, whichever schedule restarts or walks whom.
    pub bound_given_separation_s: Option<f64>,
    /// The bound that counts road capacities ([`road_bound`]), set once the flow is final.
    pub road_bound: Option<road_bound::RoadBound>,
    /// The bound that keeps every road's and checkpoint's capacity in every bucket
    /// ([`road_bound::over_time_of_flow`]): computed last, for the civilians only, where their
    /// plan finishes more than [`road_bound::EXPLAIN_ABOVE`] after every other valid bound.
    pub over_time_bound: Option<flow_schedule::TimeBound>,
    /// The people the plan moves, per cell, with every node they may start from under any
    /// routing of the other flow ([`plan::BoundCell`]): what the road bound counts, so that it
    /// holds whichever start nodes and routing a plan takes.
    pub bound_starts: Vec<road_bound::StartingPeople>,
    /// The cells of `bound_starts`, in the same order: whose people they are (their group
    /// in the plan) and why they walk ([`plan::replan_from_valid_cut`] restarts them).
    pub bound_cells: Vec<plan::BoundCell>,
    pub method: &'static str,
    pub methods: Vec<MethodResult>,
}

impl Flow<'_> {
    /// People of the whole flow who cannot leave (the sum of [`Flow::stranded`]).
    pub fn stranded_total(&self) -> f64 {
        // From +0.0: an empty f64 `sum()` is -0.0 (no groups when everyone stays), which
        // reports would print as "-0.0".
        (0..self.groups.len()).fold(0.0, |total, g| total + self.stranded(g))
    }

    /// People of group `gi` who cannot leave: no start node, or no route found.
    pub fn stranded(&self, gi: usize) -> f64 {
        let g = &self.groups[gi];
        if g.start.is_err() {
            return g.people;
        }
        self.source_group
            .iter()
            .enumerate()
            .filter(|(_, &x)| x == gi)
            .map(|(si, _)| self.plan.stranded[si])
            // From +0.0: an empty f64 `sum()` is -0.0, which reports print as "-0.0".
            .fold(0.0, |total, x| total + x)
    }
}

/// The enclave's neighbourhoods, named from the population layer, with the part of each area
/// inside the enclave.
fn units(s: &Scenario, ground: &geo::MultiPolygon<f64>) -> Vec<Unit> {
    crate::siege::enclave_units(s, ground)
        .into_iter()
        .map(|(i, people, at)| {
            let u = &s.population[i];
            Unit {
                name: if u.name.is_empty() {
                    format!("unit {i}")
                } else {
                    u.name.clone()
                },
                people,
                point: at,
                area: u
                    .area
                    .as_ref()
                    .map(|a| geo::BooleanOps::intersection(a, ground)),
            }
        })
        .collect()
}

/// Checks what loading could not: receptions outside, checkpoints on the line, receptions
/// given, capacities declared.
fn check_corridors(s: &Scenario, ground: &geo::MultiPolygon<f64>) -> Result<(), EvacuationError> {
    let err = |m: String| EvacuationError(format!("{}: {m}", s.file.display()));
    let proj = corridor_roads::geometry::LocalProjection::for_bbox(
        geo::BoundingRect::bounding_rect(ground)
            .map_or([0.0; 4], |r| [r.min().x, r.min().y, r.max().x, r.max().y]),
    );
    let to_boundary = |p: [f64; 2]| -> f64 {
        let q = proj.project(p);
        ground
            .0
            .iter()
            .flat_map(|poly| std::iter::once(poly.exterior()).chain(poly.interiors()))
            .flat_map(|ring| ring.lines())
            .map(|l| {
                let (a, b) = (
                    proj.project([l.start.x, l.start.y]),
                    proj.project([l.end.x, l.end.y]),
                );
                let (c, _) = corridor_roads::geometry::closest_on_segment(q, a, b);
                (c[0] - q[0]).hypot(c[1] - q[1])
            })
            .fold(f64::INFINITY, f64::min)
    };
    for c in &s.corridors {
        if let Some(r) = c.reception {
            if ground.contains(&Point::new(r[0], r[1])) {
                return Err(err(format!(
                    "corridor '{}': its reception point lies inside the enclave",
                    c.name
                )));
            }
        }
        // A checkpoint sits on the front line: slightly inside is fine, deep inside is an error.
        if ground.contains(&Point::new(c.checkpoint[0], c.checkpoint[1]))
            && to_boundary(c.checkpoint) > s.risk.checkpoint_radius_m
        {
            return Err(err(format!(
                "corridor '{}': its checkpoint lies inside the enclave it is meant to lead out of",
                c.name
            )));
        }
        if c.reception.is_none() {
            return Err(err(format!(
                "corridor '{}': no reception point (evacuation needs one per corridor)",
                c.name
            )));
        }
        if c.capacity_per_hour.is_none() {
            return Err(err(format!(
                "corridor '{}': no capacity_per_hour (evacuation needs the screening rate of every corridor, people per hour)",
                c.name
            )));
        }
    }
    Ok(())
}

/// Plans the evacuation of the first enclave.
pub fn evacuate(
    foot: &ScenarioMap,
    car: &ScenarioMap,
) -> Result<EvacuationReport, EvacuationError> {
    let s = foot.scenario;
    let err = |m: String| EvacuationError(format!("{}: {m}", s.file.display()));
    let enclave = s
        .enclaves
        .first()
        .ok_or_else(|| err("the scenario declares no [[enclave]] to evacuate".into()))?;
    let ground = enclave_ground(s, 0);
    check_corridors(s, &ground)?;
    let units = units(s, &ground);
    let people: f64 = units.iter().map(|u| u.people).sum::<f64>().round();
    if people <= 0.0 {
        return Err(err(
            "nobody lives inside the enclave: give a population layer with people".into(),
        ));
    }
    let party = enclave.party;
    let of_purpose = |p: Purpose| -> Vec<usize> {
        (0..s.corridors.len())
            .filter(|&k| s.corridors[k].purpose == p)
            .collect()
    };
    let ev = s.evacuation;
    let (layers, shares): (Vec<&ScenarioMap>, Vec<f64>) =
        [(foot, ev.foot_share), (car, 1.0 - ev.foot_share)]
            .into_iter()
            .filter(|x| x.1 > 0.0)
            .unzip();
    let civilian_net = Network::build(
        &layers,
        Side::CivilianOf(party),
        &of_purpose(Purpose::Civilian),
        &HashSet::new(),
        &ground,
    )?;
    let leaving: Vec<(usize, f64)> = units
        .iter()
        .enumerate()
        .map(|(i, u)| (i, u.people * (1.0 - ev.stay_share)))
        .collect();
    let civilian_people = shares_by_layer(&leaving, &shares);
    // Seconds the separation search spent on the civilians' road bound (kept with their plan).
    let (civilians, combatants, separation, bound_in_search_s, alternative) = if ev.combatants > 0.0
    {
        let comb = of_purpose(Purpose::Combatant);
        if comb.is_empty() {
            return Err(err(format!(
                "[evacuation] combatants = {} but no corridor has purpose = \"combatant\"",
                ev.combatants
            )));
        }
        let (starts, placed) = combatant_starts(s, &units, &ground)?;
        let input = separation::CombatantInput {
            foot,
            party,
            corridors: comb,
            ground: &ground,
            units: &starts,
            people: shares_by_layer(&placed, &[1.0]),
        };
        let apart = separation::plan_apart(&input, civilian_net, &units, &civilian_people)?;
        let how = Separation {
            routings: apart.routings,
            mandatory_segments: apart.mandatory_segments,
            assembly: !s.assembly_points.is_empty(),
            starts,
            over_routings: None,
            combatant_bounds: apart.combatant_bounds,
        };
        let search = (apart.open_net, apart.starts);
        let searched_s = apart.road_bound_seconds;
        (
            apart.civilians,
            Some(apart.combatants),
            Some((how, search)),
            searched_s,
            apart.alternative,
        )
    } else {
        let civilians = plan_flow(civilian_net, &units, &civilian_people)?;
        (civilians, None, None, 0.0, None)
    };
    // The bounds that count roads, once per final flow (they hold for every plan); the
    // combatants' were found on their open network (`Separation::combatant_bounds`).
    let timer = std::time::Instant::now();
    let mut combatants = combatants;
    let mut civilians = finish_civilians(civilians, combatants.as_ref(), &units, &civilian_people)?;
    let mut separation = separation;
    // The kept routing's finished egress, whether or not a second routing is carried as far:
    // its `civilian_egress_s` is the first plan's, before the later schedules.
    if let Some((how, _)) = separation.as_mut() {
        if let Some(k) = how.routings.iter().position(|r| r.kept) {
            how.routings[k].final_civilian_egress_s = civilians.plan.egress_s().map(f64::round);
        }
    }
    // A second combatant routing (separation's step 7, where streets bind the civilians):
    // both carried to the end, the earlier kept (fewest civilians stranded, then the later
    // of the two flows' finishes first).
    if let (Some((civ, comb, row)), Some((how, _))) = (alternative, separation.as_mut()) {
        let civ = finish_civilians(civ, Some(&comb), &units, &civilian_people)?;
        how.routings[row].final_civilian_egress_s = civ.plan.egress_s().map(f64::round);
        if let Some(k) = how.routings.iter().position(|r| r.kept) {
            how.routings[k].final_civilian_egress_s = civilians.plan.egress_s().map(f64::round);
            let kept = combatants
                .as_ref()
                .expect("a combatant flow with its routing");
            let (new, old) = (
                separation::outcome((&civ, &comb)),
                separation::outcome((&civilians, kept)),
            );
            if separation::earlier((&civ, &comb), (&civilians, kept)) {
                how.routings[k].kept = false;
                how.routings[k].rejected_because = Some(format!(
                    "with its finished plans {old}; with those of '{}' {new} (fewer stranded, then the earlier end, wins)",
                    how.routings[row].routing
                ));
                how.routings[row].kept = true;
                how.routings[row].rejected_because = None;
                civilians = civ;
                combatants = Some(comb);
            } else {
                how.routings[row].rejected_because = Some(format!(
                    "with its finished plans {new}; with those of '{}' {old} (fewer stranded, then the earlier end, wins)",
                    how.routings[k].routing
                ));
            }
        }
    }
    // Where the civilians finish well above their valid bounds: a bound over every combatant
    // routing (a search over classes of routings, within its budget).
    let combatants_valid = separation.as_ref().map_or(0.0, |(how, _)| {
        how.combatant_bounds
            .iter()
            .map(|b| b.time_s)
            .fold(0.0, f64::max)
    });
    let separation = separation.map(|(mut how, (comb_net, starts))| {
        let others = combatants_valid;
        how.over_routings = over_routings(&civilians, others, &comb_net, &starts);
        how
    });
    // Last, where the civilians still finish well after every valid bound: the bound that
    // keeps every road's and checkpoint's capacity over time (large networks: seconds). For
    // the civilians only: the combatants' bounds are computed on their open network in
    // `separation::plan_apart`, and the combatants have never been the ones left > 3 % above
    // their bounds on the bench cases (a flow over time on their open network is not built).
    let searched = separation
        .as_ref()
        .and_then(|how| how.over_routings.as_ref())
        .map_or(0.0, |o| o.bound_s);
    let every_valid = road_bound::valid_bound_s(&civilians)
        .max(combatants_valid)
        .max(searched);
    let worth = civilians
        .plan
        .egress_s()
        .is_some_and(|e| e > every_valid * (1.0 + road_bound::EXPLAIN_ABOVE));
    if worth {
        civilians.over_time_bound = road_bound::over_time_of_flow(&civilians, every_valid);
    }
    let bound_seconds = timer.elapsed().as_secs_f64() + bound_in_search_s;
    // Where the civilians' plan is well above the bounds: is it the separation?
    let civilian_roads_given_combatants = combatants
        .as_ref()
        .and_then(|_| road_bound::given_the_other_flow(&civilians));
    let mut r = report::build(
        s,
        &enclave.name,
        &units,
        &civilians,
        combatants.as_ref(),
        separation,
    );
    r.bound_seconds = bound_seconds;
    r.road_bound_given_combatant_roads_s =
        civilian_roads_given_combatants.map(|b| b.time_s.floor());
    Ok(r)
}

/// The civilians' plan as the report gives it, from their plan on the network a combatant
/// routing leaves them (`combatants`: that routing's flow, its road bound set): the road
/// bound, then the later schedules (road cut's, valid cut's, flow over time's), then "drivers
/// walk", then every usable start at once ([`plan::replan_spread`]). Once per routing carried
/// to the end ([`separation::FINISHED_ROUTINGS`]).
fn finish_civilians<'a>(
    mut civilians: Flow<'a>,
    combatants: Option<&Flow>,
    units: &[Unit],
    civilian_people: &[Vec<(usize, f64)>],
) -> Result<Flow<'a>, EvacuationError> {
    // (The separation search may have computed it for the civilians' kept plan.)
    if civilians.road_bound.is_none() {
        civilians.road_bound = road_bound::of_flow(&civilians);
    }
    // The civilians' network has the combatants' roads closed: a new civilian plan on it
    // keeps the separation (a new combatant plan could take the civilians' roads). Tried only
    // when the civilians finish last: otherwise it cannot change the egress.
    let combatants_finish = combatants.and_then(|c| c.plan.egress_s()).unwrap_or(0.0);
    plan::replan_by_road_cut(&mut civilians, combatants_finish);
    plan::replan_from_valid_cut(&mut civilians, combatants_finish);
    plan::replan_by_flow_over_time(&mut civilians, combatants_finish);
    // Drivers may walk when the plan says so: the civilians planned with every driver on foot
    // too, kept if that strands nobody more and finishes earlier than the plan so far (after
    // the later schedules: adopted before them, it kept them from finding a better driving
    // plan — 2,897 s against 2,276 s on `cli/tests/evacuate_cut_starts.rs`'s drivers).
    civilians = drivers_walk(civilians, units, civilian_people)?;
    if civilians.road_bound.is_none() {
        civilians.road_bound = road_bound::of_flow(&civilians);
    }
    // Last, from the flow kept (driving or walking): every usable start at once.
    plan::replan_spread(&mut civilians, combatants_finish);
    Ok(civilians)
}

/// The civilians' bound over every combatant routing ([`routing_bound`]), when their plan
/// finishes more than [`road_bound::EXPLAIN_ABOVE`] after every valid bound (theirs and the
/// combatants', `others_s`): otherwise it could not change the gap enough to matter.
fn over_routings(
    civ: &Flow,
    others_s: f64,
    comb_net: &Network,
    starts: &[Vec<u32>],
) -> Option<routing_bound::OverRoutings> {
    let egress = civ.plan.egress_s()?;
    let valid = road_bound::valid_bound_s(civ);
    let every = valid.max(others_s);
    if every > 0.0 && egress <= every * (1.0 + road_bound::EXPLAIN_ABOVE) {
        return None;
    }
    let search = routing_bound::civilian_bound_over_routings(
        civ,
        comb_net,
        starts,
        routing_bound::planner_budget(civ),
    )?;
    Some(routing_bound::OverRoutings::of(&search, valid))
}

/// The "drivers walk" schedules: the flow planned again ([`plan_from_starts`]) with every
/// driver who has a foot start ([`start::nearest_way_out`] on the foot layer: an open foot
/// node within 500 m of their cell from which a reception can be reached) walking from it
/// ([`lay_out_starts`]: group in the foot layer, counted in `walking_drivers`, noted
/// [`BY_CHOICE`]) — drivers may leave the car when the plan says so, as the bounds allow
/// ([`start::bound_start_nodes`]). Its schedules are listed among the flow's methods
/// (`drivers walk: …`); it is kept when it strands nobody more and finishes earlier (the terms
/// of the fourth to seventh schedules). Not planned when nobody would walk by that choice (no
/// foot or no vehicle layer, or every driver walks already). A plan in which some cells drive
/// and others walk is left to a per-cell choice; this is the all-or-nothing candidate.
fn drivers_walk<'a>(
    mut f: Flow<'a>,
    units: &[Unit],
    people: &[Vec<(usize, f64)>],
) -> Result<Flow<'a>, EvacuationError> {
    let (groups, cells, changed) = lay_out_starts(&f.net, units, people, true, true);
    if !changed {
        return Ok(f);
    }
    let mut walking = plan_from_starts(f.net.clone(), groups, cells)?;
    let listed: Vec<MethodResult> = walking
        .methods
        .iter()
        .map(|m| MethodResult {
            method: walking_method(m.method),
            ..m.clone()
        })
        .collect();
    let earlier = match (walking.plan.egress_s(), f.plan.egress_s()) {
        (Some(new), Some(old)) => new < old - 1e-6,
        _ => false,
    };
    if !(earlier && walking.stranded_total() <= f.stranded_total() + 1e-6) {
        f.methods.extend(listed);
        return Ok(f);
    }
    walking.methods = std::mem::take(&mut f.methods);
    walking.methods.extend(listed);
    walking.method = walking_method(walking.method);
    // The road bound counts the cells' people and nodes, not the plan: the same unless the
    // cells differ.
    if walking.bound_starts == f.bound_starts {
        walking.road_bound = f.road_bound.take();
    }
    Ok(walking)
}

/// A schedule's name when every driver walks ([`drivers_walk`]).
fn walking_method(m: &'static str) -> &'static str {
    match m {
        "earliest arrival (CCRP)" => "drivers walk: earliest arrival (CCRP)",
        "relaxed optimum's assignment, then CCRP" => {
            "drivers walk: relaxed optimum's assignment, then CCRP"
        }
        "proportional to checkpoint capacity, then CCRP" => {
            "drivers walk: proportional to checkpoint capacity, then CCRP"
        }
        _ => "drivers walk",
    }
}

/// Per layer, the people of each unit in that layer's mode.
fn shares_by_layer(people: &[(usize, f64)], shares: &[f64]) -> Vec<Vec<(usize, f64)>> {
    shares
        .iter()
        .map(|sh| people.iter().map(|&(u, p)| (u, p * sh)).collect())
        .collect()
}

/// Every road segment a flow's plan uses.
fn used_segments(f: &Flow) -> HashSet<Segment> {
    let mut out = HashSet::new();
    for r in &f.plan.reservations {
        for &a in &r.arcs {
            let (l, pa) = f.net.arc_of[a as usize];
            let g = f.net.profile_graph(l);
            out.extend(segments(g, g.arc_edge(pa).0));
        }
    }
    out
}

/// Where the units' people start from: every cell of every unit ([`start::cells`]).
fn start_points(units: &[Unit]) -> Vec<[f64; 2]> {
    units
        .iter()
        .flat_map(|u| start::cells(u.point, u.area.as_ref()))
        .collect()
}

/// Starts a flow's groups on its network ([`start_groups`]), bounds and plans it.
fn plan_flow<'a>(
    net: Network<'a>,
    units: &[Unit],
    people: &[Vec<(usize, f64)>],
) -> Result<Flow<'a>, EvacuationError> {
    let (nearest, cells) = start_groups_with(&net, units, people, true);
    plan_from_starts(net, nearest, cells)
}

/// [`plan_flow`] for groups and cells already laid out: from the nearest starts and from
/// the starts the relaxed optimum splits over the checkpoints, the plan that strands fewer,
/// then finishes earlier.
fn plan_from_starts<'a>(
    net: Network<'a>,
    nearest: Vec<Group>,
    cells: Vec<plan::BoundCell>,
) -> Result<Flow<'a>, EvacuationError> {
    let (by_checkpoint, bound_cells) =
        plan::starts_by_checkpoint(&net, nearest.clone(), cells.clone());
    let purpose = net.side.purpose();
    let moved = by_checkpoint.len() != nearest.len()
        || by_checkpoint
            .iter()
            .zip(&nearest)
            .any(|(a, b)| a.start != b.start);
    if !moved {
        return plan::plan(net, purpose, nearest, &cells);
    }
    // Where streets bind, starting near the checkpoints crowds their approaches: the nearest
    // starts are planned too, and the plan that strands fewer, then finishes earlier, kept.
    let apart = plan::plan(net.clone(), purpose, by_checkpoint, &bound_cells)?;
    let near = plan::plan(net, purpose, nearest, &cells)?;
    let finish = |f: &Flow| {
        (
            f.stranded_total().round(),
            f.plan.egress_s().unwrap_or(f64::INFINITY),
        )
    };
    let given = match (
        near.bound_given_separation_s,
        apart.bound_given_separation_s,
    ) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    let mut kept = if finish(&near) < finish(&apart) {
        near
    } else {
        apart
    };
    // Both relaxations hold for plans on these roads from their own starts: the lesser holds
    // for either plan.
    kept.bound_given_separation_s = given;
    Ok(kept)
}

/// A flow's groups on its network ([`start`]: a neighbourhood's people spread over the road
/// nodes of its area, one group per start node and mode, the stranded apart by reason), and
/// per cell and mode every node the bound must allow them to start from. People of a cell who
/// would drive but have no usable road within reach walk from that cell, if they can: a car
/// left behind does not strand a family.
fn start_groups(
    net: &Network,
    units: &[Unit],
    people: &[Vec<(usize, f64)>],
) -> (Vec<Group>, Vec<plan::BoundCell>) {
    start_groups_with(net, units, people, false)
}

/// [`start_groups`]; with `explain`, the stranded reasons name their causes
/// ([`stranding`]: three more searches, made only when someone is stranded) — for the plans
/// reported, not the many trial layouts of the separation search.
fn start_groups_with(
    net: &Network,
    units: &[Unit],
    people: &[Vec<(usize, f64)>],
    explain: bool,
) -> (Vec<Group>, Vec<plan::BoundCell>) {
    let (groups, cells, _) = lay_out_starts(net, units, people, explain, false);
    (groups, cells)
}

/// Why drivers walk in the "drivers walk" schedules ([`drivers_walk`]): the neighbourhood's note.
const BY_CHOICE: &str = "by the plan's choice (every driver who has, within 500 m of their cell, a node of a foot road open to them from which a corridor's reception can be reached walks from the nearest such node: that plan finishes earlier than driving)";

/// [`start_groups_with`]; with `walk_by_choice`, every cell's drivers who have a foot start walk
/// from it (their group in the foot layer, counted in `walking_drivers`, noted [`BY_CHOICE`]),
/// those without one drive as before. Also says whether anyone walks by that choice.
fn lay_out_starts(
    net: &Network,
    units: &[Unit],
    people: &[Vec<(usize, f64)>],
    explain: bool,
    walk_by_choice: bool,
) -> (Vec<Group>, Vec<plan::BoundCell>, bool) {
    let mut changed = false;
    let candidates: Vec<Vec<start::Candidate>> =
        (0..people.len()).map(|l| net.start_candidates(l)).collect();
    let mode = |l: usize| net.profile_graph(l).profile.name();
    let causes = std::cell::OnceCell::new();
    let start_of = |c: [f64; 2], l: usize| {
        start::nearest_way_out(c, &candidates[l]).map_err(|why| match why {
            start::NoStart::NoWayOut if explain => causes
                .get_or_init(|| stranding::Causes::new(net))
                .why(c, &candidates[l], mode(l)),
            _ => why.describe(mode(l)),
        })
    };
    let foot = (0..people.len()).find(|&l| net.profile_graph(l).profile == Profile::Foot);
    let foot_roads: &[start::Candidate] = foot.map_or(&[], |f| &candidates[f]);
    let cells: Vec<Vec<[f64; 2]>> = units
        .iter()
        .map(|u| start::inhabited(start::cells(u.point, u.area.as_ref()), foot_roads))
        .collect();
    // A cell's nodes in its mode, and on foot too for every driver (they may walk).
    let near = |c: [f64; 2], l: usize| -> Vec<u32> {
        let walkable = foot.filter(|&f| f != l).map(|f| &candidates[f][..]);
        start::bound_start_nodes(c, &candidates[l], walkable)
    };
    let mut groups: Vec<Group> = Vec::new();
    let mut bound_cells = Vec::new();
    for (l, per_unit) in people.iter().enumerate() {
        for &(u, p) in per_unit {
            if p <= 0.0 {
                continue;
            }
            let per_cell = p / cells[u].len() as f64;
            for &c in &cells[u] {
                let start = start_of(c, l);
                let walk = match (&start, foot) {
                    (Err(why), Some(f)) if f != l => start::nearest_way_out(c, &candidates[f])
                        .ok()
                        .map(|v| (f, v, why.clone())),
                    // By the plan's choice: from the cell's foot start, if it has one.
                    (Ok(_), Some(f)) if f != l && walk_by_choice => {
                        start::nearest_way_out(c, &candidates[f])
                            .ok()
                            .map(|v| (f, v, BY_CHOICE.to_string()))
                    }
                    _ => None,
                };
                let walk_because = walk.as_ref().map(|w| w.2.clone());
                changed |= walk_because.as_deref() == Some(BY_CHOICE);
                let group = match walk {
                    Some((f, v, why)) => {
                        add_to_group(&mut groups, u, f, Ok(v), per_cell, Some(why))
                    }
                    None => add_to_group(&mut groups, u, l, start, per_cell, None),
                };
                bound_cells.push(plan::BoundCell {
                    group,
                    people: per_cell,
                    nodes: near(c, l),
                    walk_because,
                    drives: foot != Some(l),
                });
            }
        }
    }
    (groups, bound_cells, changed)
}

/// Adds `people` of unit `unit` starting at `start` in `layer` to its group (one per unit,
/// layer and start); `walk_because`: they would drive but walk, for that reason (noted).
fn add_to_group(
    groups: &mut Vec<Group>,
    unit: usize,
    layer: usize,
    start: Result<u32, String>,
    people: f64,
    walk_because: Option<String>,
) -> usize {
    let i = match groups
        .iter()
        .position(|g| g.unit == unit && g.layer == layer && g.start == start)
    {
        Some(i) => i,
        None => {
            groups.push(Group {
                unit,
                layer,
                people: 0.0,
                start,
                walk_reasons: Vec::new(),
                walking_drivers: 0.0,
            });
            groups.len() - 1
        }
    };
    let g = &mut groups[i];
    g.people += people;
    if let Some(why) = walk_because {
        g.walking_drivers += people;
        match g.walk_reasons.iter_mut().find(|r| r.0 == why) {
            Some(r) => r.1 += people,
            None => g.walk_reasons.push((why, people)),
        }
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Drivers who walk for two reasons and start at the same foot node share a group: the
    /// group keeps both reasons with their people (hand-given), and the neighbourhood's note
    /// names both (it named only the last one added).
    #[test]
    fn drivers_walking_for_two_reasons_get_both_in_the_note() {
        let mut groups = Vec::new();
        let no_road = "no car road inside the enclave within 500 m".to_string();
        let a = add_to_group(&mut groups, 0, 0, Ok(7), 300.0, Some(no_road.clone()));
        let b = add_to_group(&mut groups, 0, 0, Ok(7), 200.0, Some(BY_CHOICE.to_string()));
        let c = add_to_group(&mut groups, 0, 0, Ok(7), 1000.0, None);
        let d = add_to_group(&mut groups, 0, 0, Ok(7), 100.0, Some(no_road.clone()));
        assert!(a == b && b == c && c == d);
        let g = &groups[a];
        assert_eq!(g.people, 1600.0);
        assert_eq!(g.walking_drivers, 600.0);
        assert_eq!(
            g.walk_reasons,
            vec![(no_road.clone(), 400.0), (BY_CHOICE.to_string(), 200.0)]
        );
        let note = report::walking_drivers_note(&groups, &[a]).unwrap();
        assert!(
            note.starts_with("600 who would drive walk instead: "),
            "{note}"
        );
        assert!(note.contains(&format!("400: {no_road}")), "{note}");
        assert!(note.contains(&format!("200: {BY_CHOICE}")), "{note}");
        // One reason: the note as before.
        let mut one = Vec::new();
        let k = add_to_group(&mut one, 0, 0, Ok(7), 300.0, Some(no_road.clone()));
        assert_eq!(
            report::walking_drivers_note(&one, &[k]).unwrap(),
            format!("300 who would drive walk instead: {no_road}")
        );
    }
}
