//! The incident risk model: how much danger an incident adds to road near it.
//!
//! risk per metre at distance d from an incident of kind k, `age` days before `as_of`:
//!
//! ```text
//! weight(k) · (1 + ln(1 + fatalities)) · K(d / radius(k)) · 0.5^(age / half_life)
//! K(u) = (1 − u²)²  for u < 1, else 0      (the quartic kernel of kernel density estimation)
//! ```
//!
//! Weights and radii per ACLED event / sub-event type are in [`IncidentKind::of`]; the README's
//! "Risk model" section gives the reasons. Units are abstract: one unit per metre is what a road
//! right beside a fresh, non-fatal shelling carries.

use crate::model::Incident;
use chrono::NaiveDate;

/// How far and how strongly one kind of incident makes roads dangerous.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IncidentKind {
    pub weight: f64,
    pub radius_m: f64,
}

impl IncidentKind {
    /// Weight and reach by ACLED sub-event type, falling back to the event type. Indirect fire
    /// (shelling, missiles, air strikes) reaches far and lands unpredictably; direct fire
    /// (clashes) reaches the range of small arms; strategic developments carry no physical risk.
    pub fn of(event_type: &str, sub_event_type: &str) -> IncidentKind {
        let k = |weight: f64, radius_m: f64| IncidentKind { weight, radius_m };
        match sub_event_type.to_ascii_lowercase().as_str() {
            "shelling/artillery/missile attack" => return k(1.0, 500.0),
            "air/drone strike" => return k(1.0, 400.0),
            "chemical weapon" => return k(1.0, 1500.0),
            "remote explosive/landmine/ied" => return k(0.8, 200.0),
            "suicide bomb" => return k(0.8, 300.0),
            "grenade" => return k(0.5, 100.0),
            "armed clash" => return k(0.8, 400.0),
            "government regains territory" | "non-state actor overtakes territory" => {
                return k(0.6, 400.0)
            }
            "attack" => return k(0.6, 300.0),
            "abduction/forced disappearance" | "sexual violence" => return k(0.5, 300.0),
            _ => {}
        }
        // Event types before ACLED's 2019 methodology ("Remote violence", "Battle-No change of
        // territory", "Riots/Protests", "Strategic development") map to their successors.
        match event_type.to_ascii_lowercase().as_str() {
            "explosions/remote violence" | "remote violence" => k(1.0, 500.0),
            "battles"
            | "battle-no change of territory"
            | "battle-government regains territory"
            | "battle-non-state actor overtakes territory" => k(0.8, 400.0),
            "violence against civilians" => k(0.6, 300.0),
            "riots" | "riots/protests" => k(0.2, 150.0),
            "protests" => k(0.1, 100.0),
            "strategic developments"
            | "strategic development"
            | "non-violent transfer of territory"
            | "headquarters or base established" => k(0.0, 0.0),
            _ => k(0.5, 300.0),
        }
    }
}

/// The quartic kernel `(1 − u²)²` on `u = d / radius`, 0 beyond the radius.
#[inline]
pub fn incident_kernel(d_m: f64, radius_m: f64) -> f64 {
    if radius_m <= 0.0 || d_m >= radius_m {
        return 0.0;
    }
    let u = d_m / radius_m;
    let v = 1.0 - u * u;
    v * v
}

/// Reach of an incident located only "near" a place (ACLED `geo_precision` 2), metres.
pub const IMPRECISE_RADIUS_M: f64 = 2000.0;

/// An incident's peak risk per metre on `as_of` and its reach: kind weight, fatalities, age
/// decay, and ACLED's precision rule —
/// - `geo_precision` 3 (only the province is known): no local risk at all (its point is a
///   centroid, not a place);
/// - `geo_precision` 2 (near a town): spread over at least [`IMPRECISE_RADIUS_M`], the peak
///   scaled by `radius / widened radius` so that its weight along a road stays the same;
/// - `time_precision` 2 / 3 (week / month): the event may be up to 3 / 15 days more recent than
///   recorded; the age counts from the latest such day not after `as_of`.
pub fn incident_peak(inc: &Incident, as_of: NaiveDate, half_life_days: f64) -> (f64, f64) {
    if inc.geo_precision >= 3 {
        return (0.0, 0.0);
    }
    let kind = IncidentKind::of(&inc.event_type, &inc.sub_event_type);
    let slack_days = match inc.time_precision {
        2 => 3,
        3 => 15,
        _ => 0,
    };
    let age = ((as_of - inc.date).num_days() - slack_days).max(0) as f64;
    let decay = 0.5f64.powf(age / half_life_days);
    let severity = 1.0 + (1.0 + inc.fatalities as f64).ln();
    let peak = kind.weight * severity * decay;
    if inc.geo_precision == 2 && kind.radius_m > 0.0 && kind.radius_m < IMPRECISE_RADIUS_M {
        return (
            peak * kind.radius_m / IMPRECISE_RADIUS_M,
            IMPRECISE_RADIUS_M,
        );
    }
    (peak, kind.radius_m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_shape() {
        assert_eq!(incident_kernel(0.0, 100.0), 1.0);
        assert_eq!(incident_kernel(100.0, 100.0), 0.0);
        assert!((incident_kernel(50.0, 100.0) - 0.5625).abs() < 1e-12);
        assert_eq!(incident_kernel(10.0, 0.0), 0.0);
    }

    #[test]
    fn decay_halves_per_half_life() {
        let mut inc = Incident {
            id: "X1".into(),
            date: NaiveDate::from_ymd_opt(2016, 7, 21).unwrap(),
            event_type: "Explosions/Remote violence".into(),
            sub_event_type: "Shelling/artillery/missile attack".into(),
            actor1: String::new(),
            actor2: String::new(),
            point: [0.0, 0.0],
            fatalities: 0,
            notes: String::new(),
            geo_precision: 1,
            time_precision: 1,
        };
        let as_of = NaiveDate::from_ymd_opt(2016, 7, 28).unwrap();
        let (peak, radius) = incident_peak(&inc, as_of, 7.0);
        assert!((peak - 0.5).abs() < 1e-12);
        assert_eq!(radius, 500.0);
        inc.fatalities = 3;
        let (peak, _) = incident_peak(&inc, as_of, 7.0);
        assert!((peak - 0.5 * (1.0 + 4f64.ln())).abs() < 1e-12);
        // Clashes reach less far than shelling.
        assert!(IncidentKind::of("Battles", "Armed clash").radius_m < radius);
        // ACLED precision: a province centroid carries no local risk; "near a town" spreads
        // the same weight per road metre over 2 km; a month-precise date may be 15 days later.
        inc.fatalities = 0;
        inc.geo_precision = 3;
        assert_eq!(incident_peak(&inc, as_of, 7.0), (0.0, 0.0));
        inc.geo_precision = 2;
        let (p2, r2) = incident_peak(&inc, as_of, 7.0);
        assert_eq!(r2, 2000.0);
        assert!((p2 * r2 - 0.5 * 500.0).abs() < 1e-9);
        inc.geo_precision = 1;
        inc.time_precision = 3;
        assert_eq!(incident_peak(&inc, as_of, 7.0).0, 1.0);
        // Old ACLED event types still carry their weight.
        assert_eq!(IncidentKind::of("Remote violence", "").radius_m, 500.0);
        assert_eq!(
            IncidentKind::of("Battle-No change of territory", "").weight,
            0.8
        );
    }
}
