//! The scenario as a value: the state of a conflict on a map at a date. Loading yields a
//! complete, validated `Scenario`; nothing downstream re-validates.

use chrono::NaiveDate;
use geo::{LineString, MultiPolygon, Point};
use serde::Serialize;
use std::path::PathBuf;

/// A party to the conflict. Alliances are mutual.
#[derive(Debug, Clone)]
pub struct Party {
    pub id: String,
    pub name: String,
    /// Indices into [`Scenario::parties`].
    pub allies: Vec<usize>,
}

/// Ground held by a party: one feature of the territory layer.
#[derive(Debug, Clone)]
pub struct Territory {
    pub party: usize,
    /// `[lon, lat]` polygons.
    pub area: MultiPolygon<f64>,
    /// Index of the feature in the territory file, for messages.
    pub feature: usize,
}

/// A territory feature with the days it holds (`since`/`until` properties, inclusive, either
/// open): the front as it moved, so a scenario can be replayed as of an earlier day.
#[derive(Debug, Clone)]
pub struct DatedTerritory {
    pub territory: Territory,
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

impl DatedTerritory {
    /// Held on `day`: on or after `since` and on or before `until`.
    pub fn holds_on(&self, day: NaiveDate) -> bool {
        self.since.is_none_or(|d| d <= day) && self.until.is_none_or(|d| day <= d)
    }
}

/// The territory held on `day`: the features of the timeline whose `since`/`until` hold it.
/// (The one filter of dated territory: loading as of a day and replaying an earlier one.)
pub fn territory_on(timeline: &[DatedTerritory], day: NaiveDate) -> Vec<Territory> {
    timeline
        .iter()
        .filter(|t| t.holds_on(day))
        .map(|t| t.territory.clone())
        .collect()
}

/// One incident, with ACLED's fields.
#[derive(Debug, Clone, Serialize)]
pub struct Incident {
    pub id: String,
    pub date: NaiveDate,
    pub event_type: String,
    pub sub_event_type: String,
    pub actor1: String,
    pub actor2: String,
    /// `[lon, lat]`.
    pub point: [f64; 2],
    pub fatalities: u32,
    pub notes: String,
    /// ACLED `geo_precision`: 1 = the exact town, 2 = near it / a part of a region, 3 = only the
    /// province is known. 1 when the export has no such column.
    pub geo_precision: u8,
    /// ACLED `time_precision`: 1 = the day, 2 = the week, 3 = only the month is known.
    pub time_precision: u8,
}

#[derive(Debug, Clone)]
pub enum ClosureGeometry {
    /// Closes the road edge nearest to the point.
    Point(Point<f64>),
    /// Closes the road edges lying along the line.
    Line(LineString<f64>),
}

/// A road cut or blocked since a date: by OSM way ids or by geometry matched to roads.
#[derive(Debug, Clone)]
pub struct Closure {
    pub name: Option<String>,
    pub since: NaiveDate,
    pub way_ids: Vec<i64>,
    pub geometry: Option<ClosureGeometry>,
    pub feature: usize,
    pub file: PathBuf,
}

#[derive(Debug, Clone)]
pub struct Enclave {
    pub name: String,
    pub party: usize,
    /// Limits the enclave to part of the party's territory.
    pub area: Option<MultiPolygon<f64>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Purpose {
    Civilian,
    Combatant,
}

/// A declared crossing of the front line.
#[derive(Debug, Clone)]
pub struct Corridor {
    pub name: String,
    pub purpose: Purpose,
    /// `[lon, lat]`.
    pub checkpoint: [f64; 2],
    pub capacity_per_hour: Option<f64>,
    pub reception: Option<[f64; 2]>,
    pub hours: Option<String>,
    /// For whom, which way and when the checkpoint opens its crossing.
    pub opens: CrossingRule,
}

/// What a checkpoint lets through, beyond its purpose: travel modes, the direction (into whose
/// ground), and the dates. The default opens the crossing to every mode, both ways, always.
/// Opening hours (`Corridor::hours`) are applied by the time-dependent evacuation planner and
/// by `route --depart` (a wait at the checkpoint, see [`wait_for_opening`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CrossingRule {
    /// Profiles the crossing serves; empty: all (`modes = ["foot"]` in the manifest).
    pub modes: Vec<corridor_roads::Profile>,
    /// Only travel *into* this party's ground is let through (`into = "gov"`); `None`: both ways.
    pub into: Option<usize>,
    /// First and last day the crossing is open (`since`/`until`, inclusive).
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

impl CrossingRule {
    /// Whether the crossing is open to `profile` on `date`.
    pub fn in_force(&self, profile: corridor_roads::Profile, date: NaiveDate) -> bool {
        self.closed_why(profile, date).is_none()
    }

    /// Why the crossing is closed to `profile` on `date`, if it is: not for that mode, not
    /// open yet (`since`), or closed for good (`until`).
    pub fn closed_why(&self, profile: corridor_roads::Profile, date: NaiveDate) -> Option<String> {
        if !(self.modes.is_empty() || self.modes.contains(&profile)) {
            return Some(format!("not open to {}", profile.name()));
        }
        if let Some(d) = self.since.filter(|&d| date < d) {
            return Some(format!("opens only on {d}"));
        }
        if let Some(d) = self.until.filter(|&d| d < date) {
            return Some(format!("closed since {d} (until = {d})"));
        }
        None
    }
}

/// Seconds to wait, arriving at `second_of_day` (0..86400), for a crossing open daily from
/// `open` to `close` (seconds after midnight; `close <= open` means it closes after midnight).
/// 0 when it is open then; arriving exactly at closing time waits for the next opening.
pub fn wait_for_opening((open, close): (f64, f64), second_of_day: f64) -> f64 {
    let t = second_of_day.rem_euclid(86400.0);
    let is_open = if open < close {
        open <= t && t < close
    } else {
        t >= open || t < close
    };
    if is_open {
        0.0
    } else {
        (open - t).rem_euclid(86400.0)
    }
}

/// A declared point (checkpoint, point closure) resolved to one OSM way, the same for every
/// profile: the way of the nearest road of any profile.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PlacedPoint {
    pub osm_way_id: i64,
    /// Distance from the declared point to that way, metres.
    pub distance_m: f64,
}

/// Declared points resolved to OSM ways on the scenario's map (see `place`). Empty until the
/// scenario is placed on a map; a scenario laid onto one profile alone resolves on that profile.
#[derive(Debug, Clone, Default)]
pub struct Placement {
    /// Per corridor: its checkpoint's way (`None`: no road within `checkpoint_radius_m`).
    pub checkpoints: Vec<Option<PlacedPoint>>,
    /// Per closure: the way of a point closure (`None` for other closures or no road near).
    pub closures: Vec<Option<PlacedPoint>>,
}

/// The most parties a scenario may declare: ground sets are 64-bit masks (bit 0 = nobody's).
pub const MAX_PARTIES: usize = 62;

/// Parameters of the risk model, with documented defaults (README, "Risk model").
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RiskParams {
    /// An incident's weight halves every `half_life_days` before `as_of`.
    pub half_life_days: f64,
    /// Road within this distance of a front line carries front-line risk (metres).
    pub front_band_m: f64,
    /// Risk per metre right on the front line (the band's kernel peak), in incident units.
    pub front_weight: f64,
    /// Territory boundaries of hostile parties closer than this are one front line (metres):
    /// hand-drawn polygons rarely share their edges exactly.
    pub front_tolerance_m: f64,
    /// Seconds of travel time one unit of risk exposure is worth in `balanced` mode.
    pub lambda: f64,
    /// Boundary-crossing roads within this distance of a declared checkpoint are open (metres).
    pub checkpoint_radius_m: f64,
    /// Exposure above which a route counts as under fire (siege status, evacuation).
    pub exposure_threshold: f64,
}

impl Default for RiskParams {
    fn default() -> Self {
        RiskParams {
            half_life_days: 7.0,
            front_band_m: 500.0,
            front_weight: 1.0,
            front_tolerance_m: 100.0,
            lambda: 5.0,
            checkpoint_radius_m: 50.0,
            exposure_threshold: 500.0,
        }
    }
}

/// A complete, validated scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: String,
    pub as_of: NaiveDate,
    /// The manifest file.
    pub file: PathBuf,
    /// The map (OSM .pbf or graph file), resolved relative to the manifest.
    pub map: PathBuf,
    /// SHA-256 over the manifest and every layer file, in reading order.
    pub sha256: String,
    pub parties: Vec<Party>,
    /// The territory held on `as_of` (features dated out of it left out).
    pub territories: Vec<Territory>,
    /// Every feature of the territory layer with its days, for replaying an earlier day.
    pub territory_timeline: Vec<DatedTerritory>,
    /// Incidents on or before `as_of`.
    pub incidents: Vec<Incident>,
    pub incidents_after_as_of: usize,
    /// Closures in force on `as_of`.
    pub closures: Vec<Closure>,
    pub closures_after_as_of: usize,
    pub avoid: Vec<MultiPolygon<f64>>,
    pub enclaves: Vec<Enclave>,
    pub corridors: Vec<Corridor>,
    pub risk: RiskParams,
    /// Status overrides and additions for the map's health facilities (the `facilities` layer).
    pub facilities: Vec<FacilityRecord>,
    /// Where people live (the `population` layer); empty if none is given.
    pub population: Vec<PopulationUnit>,
    pub stock: Option<Stock>,
    pub evacuation: EvacuationParams,
    /// Where combatants assemble before leaving (`[[evacuation.assembly_points]]`); empty =
    /// spread over the neighbourhoods in proportion to their people.
    pub assembly_points: Vec<AssemblyPoint>,
    pub layer_files: Vec<PathBuf>,
    /// Crossings the besieger lets aid convoys through (`[[corridor]] purpose = "aid"`). They
    /// open the front to convoys only: civilians and fighters never use them.
    pub aid_crossings: Vec<AidCrossing>,
    /// The declared convoy plan (`[convoy]`), if any: the siege forecast counts its deliveries.
    pub convoy: Option<ConvoyPlan>,
    /// Checkpoints and point closures resolved to OSM ways (filled by `place`).
    pub placement: Placement,
    /// Incidents left out of local risk by the ACLED precision rule (README, "Risk model").
    pub incidents_imprecise: usize,
}

/// Evacuation planning assumptions (`[evacuation]`), with documented defaults.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EvacuationParams {
    /// Share of the people leaving who walk; the rest go by vehicle.
    pub foot_share: f64,
    /// People per vehicle (private cars carrying families and belongings).
    pub people_per_vehicle: f64,
    /// Share who cannot or will not leave (the wounded, the elderly, those who refuse).
    pub stay_share: f64,
    /// Fighters leaving through the combatant corridor(s).
    pub combatants: f64,
    /// Clock time the evacuation starts on `as_of`, seconds after midnight.
    pub start_s: f64,
    /// Width of a capacity time bucket, seconds.
    pub bucket_s: f64,
}

impl Default for EvacuationParams {
    fn default() -> Self {
        EvacuationParams {
            foot_share: 0.7,
            people_per_vehicle: 3.0,
            stay_share: 0.1,
            combatants: 0.0,
            start_s: 6.0 * 3600.0,
            bucket_s: 300.0,
        }
    }
}

/// A place where combatants assemble before they walk to a combatant corridor.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssemblyPoint {
    pub name: String,
    /// `[lon, lat]` (written `[LAT, LON]` in the manifest, like checkpoints).
    pub point: [f64; 2],
    /// Combatants who start here (more than zero).
    pub combatants: f64,
}

/// People at a place: a point, or an area whose people are spread evenly over it.
#[derive(Debug, Clone)]
pub struct PopulationUnit {
    pub name: String,
    pub people: f64,
    /// The point, or the area's interior point (`[lon, lat]`), where routes start.
    pub point: [f64; 2],
    pub area: Option<MultiPolygon<f64>>,
    pub feature: usize,
}

/// Sphere Handbook (2018), food security standard 6.1 / Appendix: 2,100 kcal per person per day
/// is the minimum planning figure for a population that depends on food assistance.
pub const SPHERE_KCAL_PER_PERSON_DAY: f64 = 2100.0;

/// Food stock of an enclave and what can come in (`[stock]`).
#[derive(Debug, Clone, Serialize)]
pub struct Stock {
    /// Food on hand on `as_of`, kcal.
    pub food_kcal: f64,
    /// How the stock was given: a named ration in tonnes and its energy density, if so.
    pub ration: Option<String>,
    pub kcal_per_kg: Option<f64>,
    /// People who eat from it; `None`: the population inside the enclave.
    pub people: Option<f64>,
    pub kcal_per_person_day: f64,
    /// Deliveries per open supply route per day (trucks × tonnes × kcal/kg), kcal.
    pub inflow_kcal_per_route_day: f64,
    pub trucks_per_day_per_route: f64,
    pub tonnes_per_truck: f64,
    /// A declared limit on trucks a day into the enclave (crossing or authorisation limit).
    pub max_trucks_per_day: Option<f64>,
}

impl Scenario {
    /// An enclave's ground: its party's territory, limited to its `area` if one is given
    /// (never empty: `load` refuses an enclave without ground).
    pub fn enclave_ground(&self, enclave: usize) -> MultiPolygon<f64> {
        crate::load::enclave_ground_of(&self.enclaves[enclave], &self.territories)
    }

    pub fn party_index(&self, id: &str) -> Option<usize> {
        self.parties.iter().position(|p| p.id == id)
    }

    /// Whether two parties fight each other: different and not allied.
    pub fn hostile(&self, a: usize, b: usize) -> bool {
        a != b && !self.parties[a].allies.contains(&b)
    }
}

/// Who is travelling, which decides where they may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// A civilian belonging to a party's area (e.g. leaving an enclave): enters ground of a
    /// party hostile to it only at civilian crossings; leaving hostile ground needs none.
    CivilianOf(usize),
    /// A member of a party: same rules, crosses only at combatant crossings.
    Party(usize),
    /// A civilian of no side: goes from one party's ground into a hostile party's ground only
    /// at civilian crossings, also across unclaimed ground between them.
    Neutral,
}

impl Side {
    /// The default: a civilian of the first declared enclave's party, else a neutral civilian.
    pub fn default_for(s: &Scenario) -> Side {
        s.enclaves
            .first()
            .map_or(Side::Neutral, |e| Side::CivilianOf(e.party))
    }

    pub fn purpose(self) -> Purpose {
        match self {
            Side::Party(_) => Purpose::Combatant,
            _ => Purpose::Civilian,
        }
    }

    pub fn party(self) -> Option<usize> {
        match self {
            Side::CivilianOf(p) | Side::Party(p) => Some(p),
            Side::Neutral => None,
        }
    }
}

/// How well a health facility works, from best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FacilityStatus {
    Functioning,
    PartiallyFunctioning,
    NotFunctioning,
    Destroyed,
}

impl FacilityStatus {
    pub fn parse(s: &str) -> Option<FacilityStatus> {
        Some(match s {
            "functioning" => FacilityStatus::Functioning,
            "partially_functioning" => FacilityStatus::PartiallyFunctioning,
            "not_functioning" => FacilityStatus::NotFunctioning,
            "destroyed" => FacilityStatus::Destroyed,
            _ => return None,
        })
    }

    /// Whether people can still be treated there.
    pub fn works(self) -> bool {
        matches!(
            self,
            FacilityStatus::Functioning | FacilityStatus::PartiallyFunctioning
        )
    }
}

/// One feature of the `facilities` layer: an override of a map facility (`osm_id`), a
/// facility missing from the map (a Point), or a further, dated record of a facility the layer
/// added earlier (same `name`, no `osm_id`). Several records may describe one facility over
/// time; how they combine is `corridor_analysis::access::facilities_on`'s documented rule.
#[derive(Debug, Clone)]
pub struct FacilityRecord {
    pub feature: usize,
    pub file: PathBuf,
    pub osm_id: Option<i64>,
    pub name: Option<String>,
    pub kind: Option<String>,
    pub status: Option<FacilityStatus>,
    pub beds: Option<u32>,
    /// `[lon, lat]`, required for a facility not on the map.
    pub point: Option<[f64; 2]>,
    /// The record holds from this date on (inclusive); `None`: from the start.
    pub since: Option<NaiveDate>,
    /// The record holds up to and including this date; `None`: with no end.
    pub until: Option<NaiveDate>,
}

/// A crossing the besieger allows aid convoys through (`[[corridor]] purpose = "aid"`), with
/// the limits negotiated for it. Times are local clock times on the scenario's dates.
#[derive(Debug, Clone, Serialize)]
pub struct AidCrossing {
    pub name: String,
    /// `[lon, lat]`.
    pub checkpoint: [f64; 2],
    /// Opening hours as seconds after midnight (closing may pass midnight); `None`: always open.
    pub hours: Option<(f64, f64)>,
    /// First and last day the crossing is open (inclusive); `None`: no limit.
    pub open_from: Option<NaiveDate>,
    pub open_until: Option<NaiveDate>,
    /// Weekdays the crossing opens, Monday = 0; empty: every day.
    pub weekdays: Vec<u32>,
    pub trucks_per_day: Option<u32>,
    pub trucks_per_week: Option<u32>,
    /// Inspection time per truck at the crossing, seconds (one lane: trucks one after another).
    pub inspection_s: f64,
}

impl AidCrossing {
    /// Whether the crossing opens on `day` (dates and weekdays).
    pub fn opens_on(&self, day: NaiveDate) -> bool {
        use chrono::Datelike;
        self.open_from.is_none_or(|d| day >= d)
            && self.open_until.is_none_or(|d| day <= d)
            && (self.weekdays.is_empty()
                || self
                    .weekdays
                    .contains(&day.weekday().num_days_from_monday()))
    }
}

/// The declared convoy plan (`[convoy]`): what runs, how often, from where to where.
#[derive(Debug, Clone, Serialize)]
pub struct ConvoyPlan {
    /// The warehouse outside, `[lon, lat]`.
    pub warehouse: Option<[f64; 2]>,
    /// Distribution points inside, `[lon, lat]`, in the order the convoy serves them.
    pub distribution_points: Vec<[f64; 2]>,
    pub trucks: u32,
    pub tonnes_per_truck: f64,
    /// A convoy leaves every `every_days` days.
    pub every_days: u32,
    /// Departure from the warehouse, seconds after midnight.
    pub depart_s: f64,
    /// The first departure; `None`: the day after `as_of`.
    pub first_departure: Option<NaiveDate>,
    /// Energy density of the cargo, kcal/kg; `None`: `[stock] kcal_per_kg`.
    pub kcal_per_kg: Option<f64>,
    /// Only this aid crossing (by name); `None`: the safest one.
    pub crossing: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: f64 = 3600.0;

    /// Hand-computed waits for a day crossing (06:00–20:00) and a night one (22:00–02:00).
    #[test]
    fn waits_for_opening_as_counted_on_a_clock() {
        let day = (6.0 * H, 20.0 * H);
        assert_eq!(wait_for_opening(day, 5.0 * H), 1.0 * H);
        assert_eq!(wait_for_opening(day, 6.0 * H), 0.0);
        assert_eq!(wait_for_opening(day, 19.5 * H), 0.0);
        assert_eq!(wait_for_opening(day, 20.0 * H), 10.0 * H);
        assert_eq!(wait_for_opening(day, 23.0 * H), 7.0 * H);
        let night = (22.0 * H, 2.0 * H);
        assert_eq!(wait_for_opening(night, 1.0 * H), 0.0);
        assert_eq!(wait_for_opening(night, 23.0 * H), 0.0);
        assert_eq!(wait_for_opening(night, 3.0 * H), 19.0 * H);
    }

    /// Dates: closed before `since`, after `until`, and to a mode it does not serve.
    #[test]
    fn a_crossing_is_closed_outside_its_dates_and_modes() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let rule = CrossingRule {
            modes: vec![corridor_roads::Profile::Foot],
            into: None,
            since: Some(d("2016-07-01")),
            until: Some(d("2016-07-31")),
        };
        let foot = corridor_roads::Profile::Foot;
        assert!(rule.in_force(foot, d("2016-07-01")));
        assert!(rule.in_force(foot, d("2016-07-31")));
        assert!(!rule.in_force(foot, d("2016-06-30")));
        assert!(!rule.in_force(foot, d("2016-08-01")));
        assert!(!rule.in_force(corridor_roads::Profile::Car, d("2016-07-15")));
    }
}
