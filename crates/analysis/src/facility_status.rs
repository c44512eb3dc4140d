//! Which health facilities exist on a date and how well each works: the map's facilities, the
//! scenario's (dated) records, and the incidents that hit them — by one documented rule.
//!
//! **Records.** A facility's records are the `facilities` layer's features naming it (`osm_id`
//! for a map facility; the same `name` for one the layer adds). A record is *in force* on a date
//! between its `since` and `until` (both inclusive, either may be absent). On a date, the
//! facility's name, kind, beds and place come from its records in force, later `since`
//! overriding earlier; its base status is the in-force record with the latest `since` (the later
//! feature on a tie). A map facility with no record in force is `functioning`; a facility the
//! layer adds does not exist on a date none of its records is in force (e.g. before it opened).
//!
//! **Incidents.** An incident hits a facility when both hold:
//! - its kind damages buildings ([`damage_of`]: explosive kinds make a facility
//!   `not_functioning`; attacks, armed clashes, grenades and looting/property destruction make
//!   it `partially_functioning`; any of them is `destroyed` when the notes say so: in one
//!   clause, a word of [`DESTROYED_WORDS`] not preceded by one of [`NOT_QUITE_WORDS`], within
//!   [`BUILDING_WORD_WINDOW`] words of a word of [`BUILDING_WORDS`] (see [`says_destroyed`]);
//! - it lies within `hit_radius_m` of the facility, or within `named_hit_radius_m` and its
//!   notes name the facility (the whole name, as words; not a generic name like "Hospital",
//!   see [`GENERIC_NAMES`]). Distance is always bounded. An incident whose notes name another
//!   facility within `named_hit_radius_m` hits that one only, however close it fell to this.
//!
//! The status on a date is the base status worsened by every hit dated on or after the base
//! record's `since` (all hits up to the date when the base is the map's or undated): a dated
//! record is an assessment that supersedes what happened before it — which is how a facility
//! reopens.

use chrono::NaiveDate;
use corridor_roads::geometry::haversine_m;
use corridor_roads::Facility;
use corridor_scenario::{FacilityRecord, FacilityStatus, Incident, Scenario};
use serde::Serialize;

/// Words in an incident's notes that mean the building was destroyed (whole words,
/// case-insensitive).
pub const DESTROYED_WORDS: [&str; 8] = [
    "destroyed",
    "destroying",
    "razed",
    "levelled",
    "leveled",
    "flattened",
    "rubble",
    "collapsed",
];

/// A word right before a destruction word that takes it back ("partially destroyed").
pub const NOT_QUITE_WORDS: [&str; 6] = ["not", "partially", "partly", "nearly", "almost", "half"];

/// Tunables of the hit rule, with documented defaults.
#[derive(Debug, Clone, Serialize)]
pub struct HitParams {
    /// An incident this close to a facility hits it (metres): ACLED's best geo-precision is a
    /// named place, and 100 m keeps a strike on the next block from counting.
    pub hit_radius_m: f64,
    /// An incident whose notes name a facility hits it up to this distance (metres): the
    /// coordinates of a named event may be those of its neighbourhood, not of the building.
    pub named_hit_radius_m: f64,
}

impl Default for HitParams {
    fn default() -> Self {
        HitParams {
            hit_radius_m: 100.0,
            named_hit_radius_m: 1000.0,
        }
    }
}

/// Why a facility's status changed.
#[derive(Debug, Clone, Serialize)]
pub struct StatusChange {
    pub incident: String,
    pub date: NaiveDate,
    pub status: FacilityStatus,
    /// "12 m away", or "named in the notes, 640 m away".
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
    /// Where the base status came from: "map", or "scenario feature 3 (since 2016-07-30)";
    /// "incident X" when an incident worsened it.
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

/// What an incident does to a facility it hits, by ACLED sub-event type (event type for
/// explosions of other sub-types), and the destruction words: `None` for kinds that do not damage
/// buildings (protests, strategic developments other than looting, abductions, …).
pub fn damage_of(inc: &Incident) -> Option<FacilityStatus> {
    let sub = inc.sub_event_type.to_ascii_lowercase();
    let event = inc.event_type.to_ascii_lowercase();
    let explosive = [
        "air/drone strike",
        "shelling/artillery/missile attack",
        "remote explosive/landmine/ied",
        "suicide bomb",
        "chemical weapon",
    ];
    let direct = [
        "attack",
        "armed clash",
        "grenade",
        "looting/property destruction",
    ];
    let base = if explosive.contains(&sub.as_str()) || event == "explosions/remote violence" {
        FacilityStatus::NotFunctioning
    } else if direct.contains(&sub.as_str()) {
        FacilityStatus::PartiallyFunctioning
    } else {
        return None;
    };
    Some(if says_destroyed(&inc.notes) {
        FacilityStatus::Destroyed
    } else {
        base
    })
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Words for a building or a part of a health facility: a destruction word counts only near
/// one of them ("the operating theatres are destroyed", not "destroyed vehicles").
pub const BUILDING_WORDS: [&str; 25] = [
    "hospital",
    "hospitals",
    "clinic",
    "clinics",
    "clinica",
    "clínica",
    "facility",
    "facilities",
    "building",
    "buildings",
    "centre",
    "center",
    "pharmacy",
    "dispensary",
    "ward",
    "wards",
    "theatre",
    "theatres",
    "theater",
    "theaters",
    "wing",
    "premises",
    "infirmary",
    "health",
    "medical",
];

/// Words either side of a destruction word within which a word of [`BUILDING_WORDS`] must be.
pub const BUILDING_WORD_WINDOW: usize = 4;

/// Whether the notes say a building was destroyed: in one clause (the notes split at `.`, `;`,
/// `!`, `?`), a word of [`DESTROYED_WORDS`] not right after a word of [`NOT_QUITE_WORDS`],
/// with a word of [`BUILDING_WORDS`] at most [`BUILDING_WORD_WINDOW`] words from it. "Fighting
/// beside the clinic; destroyed vehicles" destroys no clinic.
pub fn says_destroyed(notes: &str) -> bool {
    notes
        .split(['.', ';', '!', '?'])
        .any(|clause| clause_says_destroyed(&words(clause)))
}

fn clause_says_destroyed(w: &[String]) -> bool {
    (0..w.len()).any(|i| {
        let near =
            i.saturating_sub(BUILDING_WORD_WINDOW)..(i + BUILDING_WORD_WINDOW + 1).min(w.len());
        DESTROYED_WORDS.contains(&w[i].as_str())
            && !(i > 0 && NOT_QUITE_WORDS.contains(&w[i - 1].as_str()))
            && w[near].iter().any(|x| BUILDING_WORDS.contains(&x.as_str()))
    })
}

/// Names that say only what a facility is, not which: notes saying "the hospital" name none.
pub const GENERIC_NAMES: [&str; 10] = [
    "hospital",
    "clinic",
    "clinica",
    "clínica",
    "health centre",
    "health center",
    "doctor",
    "doctors",
    "pharmacy",
    "dispensary",
];

/// Whether the notes name the facility: its whole name as a run of words (names shorter than
/// 4 letters, and [`GENERIC_NAMES`], never match).
fn names(notes: &str, name: &str) -> bool {
    let (n, w) = (words(name), words(notes));
    name.chars().filter(|c| c.is_alphanumeric()).count() >= 4
        && !GENERIC_NAMES.contains(&n.join(" ").as_str())
        && !n.is_empty()
        && w.windows(n.len()).any(|x| x == n.as_slice())
}

/// Whether `inc` hits a facility at `coord` named `name`, and why.
fn hit_reason(
    inc: &Incident,
    coord: [f64; 2],
    name: Option<&str>,
    p: &HitParams,
) -> Option<String> {
    let d = haversine_m(coord, inc.point);
    if d <= p.hit_radius_m {
        return Some(format!("{d:.0} m away"));
    }
    let named = name.is_some_and(|n| names(&inc.notes, n));
    (named && d <= p.named_hit_radius_m).then(|| format!("named in the notes, {d:.0} m away"))
}

/// Whether `inc`'s notes name a facility other than the one at `coord` that lies within
/// `named_hit_radius_m` of it: then it hits the named facility only, however close it fell to
/// this one.
fn names_another(
    inc: &Incident,
    coord: [f64; 2],
    places: &[([f64; 2], Option<String>)],
    p: &HitParams,
) -> bool {
    places.iter().any(|(at, name)| {
        *at != coord
            && name.as_deref().is_some_and(|n| names(&inc.notes, n))
            && haversine_m(*at, inc.point) <= p.named_hit_radius_m
    })
}

fn in_force(r: &FacilityRecord, date: NaiveDate) -> bool {
    r.since.is_none_or(|s| s <= date) && r.until.is_none_or(|u| date <= u)
}

/// One facility before incidents: where it is, its records, and a default if none is in force.
struct Subject<'a> {
    id: String,
    base: Option<FacilityState>,
    records: Vec<&'a FacilityRecord>,
}

/// Groups the map's facilities and the layer's records into facilities (see the module doc).
fn subjects<'a>(s: &'a Scenario, map: &[Facility]) -> Result<Vec<Subject<'a>>, AccessError> {
    let mut out: Vec<Subject> = map
        .iter()
        .map(|f| Subject {
            id: format!("osm:{}{}", f.osm_type, f.osm_id),
            base: Some(FacilityState {
                id: format!("osm:{}{}", f.osm_type, f.osm_id),
                name: f.name.clone(),
                kind: f.kind.clone(),
                beds: f.beds,
                coord: f.coord,
                status: FacilityStatus::Functioning,
                status_source: "map".into(),
                changed_by: Vec::new(),
            }),
            records: Vec::new(),
        })
        .collect();
    let mut added: Vec<(String, usize)> = Vec::new();
    for r in &s.facilities {
        let k = match (r.osm_id, &r.name) {
            (Some(id), _) => map.iter().position(|f| f.osm_id == id).ok_or_else(|| {
                AccessError(format!(
                    "{}, feature {}: osm_id {id} is not a health facility on the map",
                    r.file.display(),
                    r.feature
                ))
            })?,
            (None, Some(n)) if added.iter().any(|a| &a.0 == n) => {
                added.iter().find(|a| &a.0 == n).expect("just found").1
            }
            (None, name) => {
                added.extend(name.clone().map(|n| (n, out.len())));
                out.push(Subject {
                    id: format!("scenario:{}", r.feature),
                    base: None,
                    records: Vec::new(),
                });
                out.len() - 1
            }
        };
        out[k].records.push(r);
    }
    Ok(out)
}

/// The facility on `date` from its records in force, before incidents; `None` if it does not
/// exist then. Also the date from which incidents count against it.
fn from_records(sub: &Subject, date: NaiveDate) -> Option<(FacilityState, Option<NaiveDate>)> {
    let mut live: Vec<&FacilityRecord> = sub
        .records
        .iter()
        .copied()
        .filter(|r| in_force(r, date))
        .collect();
    live.sort_by_key(|r| r.since); // stable: file order on ties; undated first
    let mut f = match (&sub.base, live.first()) {
        (Some(b), _) => b.clone(),
        (None, None) => return None,
        (None, Some(_)) => FacilityState {
            id: sub.id.clone(),
            name: None,
            kind: "clinic".into(),
            beds: None,
            coord: sub.records.iter().find_map(|r| r.point)?,
            status: FacilityStatus::Functioning,
            status_source: "scenario".into(),
            changed_by: Vec::new(),
        },
    };
    let mut counts_from = None;
    for r in &live {
        if let Some(st) = r.status {
            f.status = st;
            f.status_source = match r.since {
                Some(d) => format!("scenario feature {} (since {d})", r.feature),
                None => format!("scenario feature {}", r.feature),
            };
            counts_from = r.since;
        }
        f.beds = r.beds.or(f.beds);
        f.name = r.name.clone().or(f.name);
        f.kind = r.kind.clone().unwrap_or(f.kind);
        f.coord = r.point.unwrap_or(f.coord);
    }
    Some((f, counts_from))
}

/// The facilities that exist on `date` and their status, by the rule in the module doc.
pub fn facilities_on(
    s: &Scenario,
    map: &[Facility],
    date: NaiveDate,
    params: &HitParams,
) -> Result<Vec<FacilityState>, AccessError> {
    let mut incidents: Vec<&Incident> = s.incidents.iter().filter(|i| i.date <= date).collect();
    incidents.sort_by_key(|i| i.date);
    let mut out: Vec<(FacilityState, Option<NaiveDate>)> = Vec::new();
    for sub in subjects(s, map)? {
        if let Some(x) = from_records(&sub, date) {
            out.push(x);
        }
    }
    let places: Vec<([f64; 2], Option<String>)> =
        out.iter().map(|(f, _)| (f.coord, f.name.clone())).collect();
    for (f, counts_from) in &mut out {
        for inc in incidents
            .iter()
            .filter(|i| counts_from.is_none_or(|d| i.date >= d))
        {
            let Some(st) = damage_of(inc) else { continue };
            if names_another(inc, f.coord, &places, params) {
                continue;
            }
            let Some(reason) = hit_reason(inc, f.coord, f.name.as_deref(), params) else {
                continue;
            };
            f.changed_by.push(StatusChange {
                incident: inc.id.clone(),
                date: inc.date,
                status: st,
                reason,
            });
            if st > f.status {
                f.status = st;
                f.status_source = format!("incident {}", inc.id);
            }
        }
    }
    let out = out.into_iter().map(|x| x.0).collect();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inc(event: &str, sub: &str, notes: &str) -> Incident {
        Incident {
            id: "T".into(),
            date: NaiveDate::from_ymd_opt(2016, 7, 1).unwrap(),
            event_type: event.into(),
            sub_event_type: sub.into(),
            actor1: String::new(),
            actor2: String::new(),
            point: [0.0, 0.0],
            fatalities: 0,
            notes: notes.into(),
            geo_precision: 1,
            time_precision: 1,
        }
    }

    #[test]
    fn damage_follows_the_event_type_and_the_word_list() {
        use FacilityStatus::*;
        let ex = "Explosions/Remote violence";
        assert_eq!(
            damage_of(&inc(ex, "Air/drone strike", "")),
            Some(NotFunctioning)
        );
        assert_eq!(
            damage_of(&inc(ex, "Air/drone strike", "the ward was destroyed")),
            Some(Destroyed)
        );
        assert_eq!(
            damage_of(&inc(ex, "Air/drone strike", "partially destroyed")),
            Some(NotFunctioning)
        );
        // Destruction of something else, in another clause or far from any building word, is
        // no destruction of the facility (a spot-check on Liechtenstein marked a clinic
        // destroyed for "fighting beside the clinic; destroyed vehicles").
        let clash = |notes: &str| damage_of(&inc("Battles", "Armed clash", notes));
        assert_eq!(
            clash("fighting beside the clinic; destroyed vehicles"),
            Some(PartiallyFunctioning)
        );
        assert_eq!(
            clash("destroyed two trucks and a tank near the road to the hospital"),
            Some(PartiallyFunctioning)
        );
        assert_eq!(
            clash("clashes; the clinic building was destroyed"),
            Some(Destroyed)
        );
        assert_eq!(
            damage_of(&inc(
                ex,
                "Air/drone strike",
                "air strike on the hospital; the operating theatres are destroyed."
            )),
            Some(Destroyed)
        );
        // "destroy" inside another word, or a protest about destruction, is no destruction.
        assert_eq!(
            damage_of(&inc(
                ex,
                "Shelling/artillery/missile attack",
                "indestroyedness"
            )),
            Some(NotFunctioning)
        );
        assert_eq!(
            damage_of(&inc("Protests", "Peaceful protest", "hospital destroyed")),
            None
        );
        assert_eq!(
            damage_of(&inc("Battles", "Armed clash", "")),
            Some(PartiallyFunctioning)
        );
        assert_eq!(
            damage_of(&inc(
                "Strategic developments",
                "Looting/property destruction",
                ""
            )),
            Some(PartiallyFunctioning)
        );
        assert_eq!(
            damage_of(&inc(
                "Strategic developments",
                "Headquarters or base established",
                "in the destroyed hospital"
            )),
            None
        );
    }

    #[test]
    fn a_name_matches_as_whole_words_only() {
        assert!(names("Strike on Clinica Test at dawn", "Clinica Test"));
        assert!(names("strike on clinica test.", "Clinica Test"));
        assert!(!names("strike on Clinica Testing", "Clinica Test"));
        assert!(!names("strike on ABC", "ABC"));
        assert!(!names("air strike on the hospital", "Hospital"));
        assert!(names(
            "air strike on Hospital Nostra Senyora",
            "Hospital Nostra Senyora"
        ));
    }
}
