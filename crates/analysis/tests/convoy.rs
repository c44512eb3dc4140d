//! Convoys: crossing timing, schedules and food outlooks against hand computations; the route
//! through an aid crossing on the real map against properties it must have (it passes the
//! crossing, crosses the front nowhere else, a cut road switches to the backup).

mod common;

use chrono::NaiveDate;
use common::*;
use corridor_analysis::convoy::{
    best_route, convoy_side, crossings_on_map, disjoint_backup, lets_a_truck_through, road_cuts,
    route_via, snap_stops, time_one, CrossingOnMap,
};
use corridor_analysis::convoy_schedule::{
    clock, crossing_week_capacity, outlook, pass_convoy, schedule, trucks_per_week_for_need,
    CrossingUse, LegTimes, ScheduleParams, DAY_S,
};
use corridor_roads::geometry::haversine_m;
use corridor_roads::Profile;
use corridor_scenario::AidCrossing;

const H: f64 = 3600.0;

fn as_of() -> NaiveDate {
    // A Thursday.
    NaiveDate::from_ymd_opt(2016, 7, 28).unwrap()
}

fn crossing(hours: Option<(f64, f64)>, inspection_min: f64) -> AidCrossing {
    AidCrossing {
        name: "X".into(),
        checkpoint: [0.0, 0.0],
        hours,
        open_from: None,
        open_until: None,
        weekdays: vec![],
        trucks_per_day: None,
        trucks_per_week: None,
        inspection_s: inspection_min * 60.0,
    }
}

#[test]
fn trucks_wait_for_the_opening_and_are_inspected_one_after_another() {
    // Open 08:00-16:00, 15 min per truck; 3 trucks arrive at 07:00 on day 1.
    let c = crossing(Some((8.0 * H, 16.0 * H)), 15.0);
    let p = pass_convoy(&c, as_of(), DAY_S + 7.0 * H, 3, &mut CrossingUse::default());
    // By hand: inspections 08:00-08:15, 08:15-08:30, 08:30-08:45.
    assert_eq!(p.first_cleared_s, Some(DAY_S + 8.25 * H));
    assert_eq!(p.cleared_s, Some(DAY_S + 8.75 * H));
    assert_eq!(clock(as_of(), p.cleared_s.unwrap()), "2016-07-29T08:45");
    // The whole clock: leave 06:00, 1 h to the crossing, wait 1 h, 45 min of inspection, then
    // 10 and 20 min to the two stops: 08:55 and 09:15, 3 h 15 min in all.
    let plan = ScheduleParams {
        trucks: 3,
        tonnes_per_truck: 20.0,
        every_days: 1,
        depart_s: 6.0 * H,
        first_day: 1,
        kcal_per_kg: 3500.0,
    };
    let legs = LegTimes {
        to_crossing_s: H,
        inside_s: vec![600.0, 1200.0],
    };
    let t = time_one(&c, as_of(), &plan, &legs);
    assert_eq!(t.at_crossing, "2016-07-29T07:00");
    assert_eq!(t.wait_s, H);
    assert_eq!(t.inspection_s, 0.75 * H);
    assert_eq!(t.arrivals, vec!["2016-07-29T08:55", "2016-07-29T09:15"]);
    assert_eq!(t.total_s, Some(3.25 * H));
}

#[test]
fn trucks_that_cannot_finish_before_closing_wait_overnight() {
    // Open 08:00-10:00, 30 min per truck: 4 trucks a day; the 5th clears at 08:30 next day.
    let c = crossing(Some((8.0 * H, 10.0 * H)), 30.0);
    let p = pass_convoy(&c, as_of(), DAY_S + 9.0 * H, 5, &mut CrossingUse::default());
    // Arriving at 09:00: 09:30 and 10:00 on day 1, then 08:30, 09:00, 09:30 on day 2.
    assert_eq!(p.cleared_s, Some(2.0 * DAY_S + 9.5 * H));
    let per_day: Vec<u32> = p.cleared_per_day.iter().map(|d| d.1).collect();
    assert_eq!(per_day, vec![2, 3]);
}

#[test]
fn day_week_and_weekday_limits_hold() {
    // 2 trucks a day, 5 a week, only Tuesdays and Thursdays. as_of (day 0) is a Thursday.
    let mut c = crossing(None, 10.0);
    c.trucks_per_day = Some(2);
    c.trucks_per_week = Some(5);
    c.weekdays = vec![1, 3];
    let p = pass_convoy(&c, as_of(), 0.0, 6, &mut CrossingUse::default());
    let days: Vec<(String, u32)> = p
        .cleared_per_day
        .iter()
        .map(|(d, n)| (d.to_string(), *n))
        .collect();
    // Thu 28 Jul: 2 (the day's limit); Tue 2 Aug: 2; Thu 4 Aug: 2 (week of 1-7 Aug: 4 ≤ 5).
    assert_eq!(
        days,
        vec![
            ("2016-07-28".to_string(), 2),
            ("2016-08-02".to_string(), 2),
            ("2016-08-04".to_string(), 2),
        ]
    );
    // A week limit of 3 splits the second week.
    c.trucks_per_week = Some(3);
    let p = pass_convoy(&c, as_of(), 0.0, 6, &mut CrossingUse::default());
    let n: Vec<u32> = p.cleared_per_day.iter().map(|d| d.1).collect();
    assert_eq!(n, vec![2, 2, 1, 1]);
    // Capacity of the week from Monday 1 Aug (day 4): Tue 2 + Thu 2 = 4, capped at 3.
    assert_eq!(crossing_week_capacity(&c, as_of(), 4), Some(3));
}

#[test]
fn a_window_past_midnight_and_closed_dates() {
    // 22:00-02:00; open only from 30 July.
    let mut c = crossing(Some((22.0 * H, 2.0 * H)), 60.0);
    c.open_from = Some(NaiveDate::from_ymd_opt(2016, 7, 30).unwrap());
    // Arriving 01:00 on 29 July: the 28 July window is before open_from; next window 30 July
    // 22:00; 3 trucks: 23:00, 00:00, 01:00.
    let p = pass_convoy(&c, as_of(), DAY_S + H, 3, &mut CrossingUse::default());
    assert_eq!(clock(as_of(), p.cleared_s.unwrap()), "2016-07-31T01:00");
    // The crossing never opens: nobody clears, and the plan says so.
    c.open_until = Some(NaiveDate::from_ymd_opt(2016, 7, 29).unwrap());
    c.open_from = None;
    let p = pass_convoy(&c, as_of(), 3.0 * DAY_S, 1, &mut CrossingUse::default());
    assert_eq!(p.cleared_s, None);
}

#[test]
fn schedule_deliveries_by_hand() {
    // 12 trucks × 20 t every 2 days from day 1, leaving 06:00, 1 h to the crossing, then 10
    // and 20 min to two stops; crossing 08:00-16:00, 15 min per truck, 20 a day.
    let mut c = crossing(Some((8.0 * H, 16.0 * H)), 15.0);
    c.trucks_per_day = Some(20);
    let p = ScheduleParams {
        trucks: 12,
        tonnes_per_truck: 20.0,
        every_days: 2,
        depart_s: 6.0 * H,
        first_day: 1,
        kcal_per_kg: 3500.0,
    };
    let legs = LegTimes {
        to_crossing_s: H,
        inside_s: vec![600.0, 1200.0],
    };
    let s = schedule(&c, as_of(), &p, &legs, 30, 30);
    // Departures on days 1, 3, …, 29: 15 convoys, each cleared at 08:00 + 12 × 15 min = 11:00,
    // at the stops at 11:10 and 11:30, all on their departure day.
    assert_eq!(s.runs.len(), 15);
    assert_eq!(s.runs[0].cleared.as_deref(), Some("2016-07-29T11:00"));
    assert_eq!(s.runs[0].delivered.as_deref(), Some("2016-07-29T11:30"));
    assert_eq!(s.daily_tonnes.iter().sum::<f64>(), 15.0 * 240.0);
    assert_eq!(s.daily_tonnes[1], 240.0);
    assert_eq!(s.daily_tonnes[2], 0.0);
    // 20 a day: a 24-truck convoy leaves 4 for the next day, and the next convoy queues.
    let p24 = ScheduleParams { trucks: 24, ..p };
    let s = schedule(&c, as_of(), &p24, &legs, 30, 30);
    assert_eq!(s.runs[0].cleared.as_deref(), Some("2016-07-30T09:00"));
}

#[test]
fn food_outlook_by_hand() {
    let need = 525e6;
    // Stock for 10 days, no inflow: runs out on day 10.
    let o = outlook(as_of(), 10.0 * need, need, 0.0, &[], 365);
    assert_eq!(o.days_left, Some(10.0));
    assert_eq!(o.runs_out_on, NaiveDate::from_ymd_opt(2016, 8, 7));
    // 3 days of food delivered on day 2: S3 = 10N, then one N a day: S13 = 0 → day 13.
    let mut d = vec![0.0; 365];
    d[2] = 3.0 * need;
    let o = outlook(as_of(), 10.0 * need, need, 0.0, &d, 365);
    assert_eq!(o.days_left, Some(13.0));
    assert_eq!(o.runs_out_on, NaiveDate::from_ymd_opt(2016, 8, 10));
    // 10.5 days of stock and half the need coming in steadily: 10.5 / 0.5 = 21 days (the siege
    // forecast's formula).
    let o = outlook(as_of(), 10.5 * need, need, 0.5 * need, &[], 365);
    assert!((o.days_left.unwrap() - 21.0).abs() < 1e-9);
    // Inflow covering the need: never within the series.
    assert_eq!(outlook(as_of(), 0.0, need, need, &[], 365).days_left, None);
    // 250,000 people × 2,100 kcal a day × 7 ÷ (20 t × 3,500 kcal/kg) = 52.5 → 53 trucks.
    assert_eq!(trucks_per_week_for_need(need, 0.0, 20.0, 3500.0), 53);
    assert_eq!(trucks_per_week_for_need(need, 0.5 * need, 20.0, 3500.0), 27);
    assert_eq!(trucks_per_week_for_need(need, 2.0 * need, 20.0, 3500.0), 0);
}

// --- On the real map: the example scenario's aid crossings.

const WAREHOUSE: [f64; 2] = [1.4990, 42.4945];
const STOPS: [[f64; 2]; 2] = [[1.5230, 42.5070], [1.5360, 42.5100]];

#[test]
fn the_route_passes_its_crossing_and_crosses_the_front_nowhere_else() {
    let s = example();
    let maps = maps(&s);
    let car = &maps[Profile::Car.index()];
    let snapper = &snappers()[Profile::Car.index()];
    let side = convoy_side(car, Some(WAREHOUSE));
    let xs = crossings_on_map(car, snapper, side).unwrap();
    let all: Vec<&CrossingOnMap> = xs.iter().collect();
    let stops = snap_stops(car, snapper, WAREHOUSE, &STOPS, 500.0).unwrap();
    let r = best_route(car, side, &all, &stops, &[]).unwrap();
    let via = xs.iter().find(|x| x.crossing == r.crossing_index).unwrap();
    // Passes within a metre of the crossing's point.
    let near = r
        .geometry
        .iter()
        .map(|p| haversine_m(*p, via.snap.point))
        .fold(f64::INFINITY, f64::min);
    assert!(near < 1.0, "route passes {near} m from the crossing");
    // Every edge that crosses the front for this side is one the crossing opens.
    for &e in &r.edges {
        if car.blocked_with(e, side, false).is_some() {
            assert!(
                via.opens.contains(&e),
                "edge {e} crosses the front elsewhere"
            );
        }
    }
    // Legs add up to the whole: distance, time and exposure.
    let sum = |f: fn(&corridor_analysis::convoy::Leg) -> f64| r.legs.iter().map(f).sum::<f64>();
    assert!((sum(|l| l.distance_m) - r.distance_m).abs() < 1e-6);
    assert!((sum(|l| l.duration_s) - r.driving_s).abs() < 1e-6);
    assert!((sum(|l| l.exposure) - r.exposure.risk).abs() < 1e-6 * r.exposure.risk.max(1.0));
    // Each crossing alone: the best route is the less exposed of the two.
    let each: Vec<f64> = xs
        .iter()
        .filter_map(|x| route_via(car, side, x, &stops, &[], &[]).map(|r| r.exposure.risk))
        .collect();
    assert_eq!(each.len(), 2);
    assert_eq!(
        r.exposure.risk,
        each.iter().copied().fold(f64::INFINITY, f64::min)
    );
}

#[test]
fn a_cut_crossing_road_switches_to_the_backup_and_cutting_both_besieges() {
    let s = example();
    let maps = maps(&s);
    let car = &maps[Profile::Car.index()];
    let snapper = &snappers()[Profile::Car.index()];
    let side = convoy_side(car, Some(WAREHOUSE));
    let xs = crossings_on_map(car, snapper, side).unwrap();
    let all: Vec<&CrossingOnMap> = xs.iter().collect();
    let stops = snap_stops(car, snapper, WAREHOUSE, &STOPS, 500.0).unwrap();
    let r = best_route(car, side, &all, &stops, &[]).unwrap();
    let backup = disjoint_backup(car, side, &all, &stops, &r).unwrap();
    assert_ne!(backup.route.crossing, r.crossing);
    // The backup never uses the primary's crossing roads.
    let via = xs.iter().find(|x| x.crossing == r.crossing_index).unwrap();
    assert!(via.opens.iter().all(|e| !backup.route.edges.contains(e)));
    // Cutting the road the primary crosses on: the cut analysis names the backup's crossing.
    let cuts = road_cuts(car, side, &all, &stops, &r);
    let crossing_road = r
        .roads
        .iter()
        .find(|x| x.edges.iter().any(|e| via.opens.contains(e)))
        .unwrap();
    let cut = cuts.iter().find(|c| c.road == crossing_road.road).unwrap();
    assert_eq!(
        cut.backup.as_ref().map(|b| b.crossing.as_str()),
        Some(backup.route.crossing.as_str()),
        "{}",
        cut.verdict
    );
    // Both crossings' roads closed: no convoy gets in.
    let closed: Vec<u32> = xs.iter().flat_map(|x| x.opens.iter().copied()).collect();
    assert!(best_route(car, side, &all, &stops, &closed).is_none());
    let mut cm = car.clone();
    for &e in &closed {
        cm.set_closed(e, true);
    }
    let again = road_cuts(&cm, side, &all, &stops, &r);
    assert!(again.iter().all(|c| c.backup.is_none()));
    assert!(again
        .iter()
        .any(|c| c.verdict == "no route: the enclave is besieged for convoys"));
    // A road next to the warehouse whose loss cuts it off from both crossings says so.
    assert!(cuts
        .iter()
        .filter(|c| c.backup.is_none())
        .all(|c| c.verdict.starts_with("no route: ")));
}

/// Points every `step` metres along a polyline, with the length each stands for.
fn densify(line: &[[f64; 2]], step: f64) -> Vec<([f64; 2], f64)> {
    let mut out = Vec::new();
    for w in line.windows(2) {
        let len = haversine_m(w[0], w[1]);
        let n = ((len / step).ceil() as usize).max(1);
        for i in 0..n {
            let t = (i as f64 + 0.5) / n as f64;
            let p = [
                w[0][0] + (w[1][0] - w[0][0]) * t,
                w[0][1] + (w[1][1] - w[0][1]) * t,
            ];
            out.push((p, len / n as f64));
        }
    }
    out
}

#[test]
fn the_convoy_routes_incident_exposure_is_the_kernel_integrated_along_the_drawn_route() {
    // Another method than the engine's (25 m samples averaged per edge, pro rata on partial
    // edges): the documented kernel of every incident integrated in 1 m steps along the route
    // as drawn.
    let s = example();
    let maps = maps(&s);
    let car = &maps[Profile::Car.index()];
    let snapper = &snappers()[Profile::Car.index()];
    let side = convoy_side(car, Some(WAREHOUSE));
    let xs = crossings_on_map(car, snapper, side).unwrap();
    let all: Vec<&CrossingOnMap> = xs.iter().collect();
    let stops = snap_stops(car, snapper, WAREHOUSE, &STOPS, 500.0).unwrap();
    let r = best_route(car, side, &all, &stops, &[]).unwrap();
    let integral: f64 = densify(&r.geometry, 1.0)
        .iter()
        .map(|(p, len)| {
            s.incidents
                .iter()
                .map(|i| {
                    // README "Risk model": kind weight × (1 + ln(1 + fatalities)) × ½^(age / half-life).
                    let kind =
                        corridor_scenario::IncidentKind::of(&i.event_type, &i.sub_event_type);
                    let age = (s.as_of - i.date).num_days().max(0) as f64;
                    let peak = kind.weight
                        * (1.0 + (1.0 + i.fatalities as f64).ln())
                        * 0.5f64.powf(age / s.risk.half_life_days);
                    let radius = kind.radius_m;
                    if radius <= 0.0 {
                        return 0.0;
                    }
                    peak * corridor_scenario::incident_kernel(haversine_m(*p, i.point), radius)
                })
                .sum::<f64>()
                * len
        })
        .sum();
    let engine = r.exposure.incident_risk;
    eprintln!("incident exposure: engine {engine:.1}, integral {integral:.1}");
    assert!(
        integral > 0.0,
        "the route passes no incident: the test would prove nothing"
    );
    assert!(
        (engine - integral).abs() <= 0.1 * integral,
        "engine {engine} vs integral {integral}"
    );
}

/// Whether a crossing lets any truck through in a horizon, by the calendar: as_of 2016-07-28 is
/// a Thursday, so days 1..8 are Fri 29 July .. Thu 4 August.
#[test]
fn a_crossing_closed_for_the_whole_horizon_lets_no_truck_through() {
    let as_of = NaiveDate::from_ymd_opt(2016, 7, 28).unwrap();
    let mut c = crossing(Some((9.0 * 3600.0, 13.0 * 3600.0)), 20.0);
    assert!(lets_a_truck_through(&c, as_of, 1, 31));
    // Closed from the day of as_of on: nothing, ever.
    c.open_until = Some(as_of);
    assert!(!lets_a_truck_through(&c, as_of, 1, 31));
    // Opens on 1 October (day 65): not within 30 days, but within 70.
    c.open_until = None;
    c.open_from = NaiveDate::from_ymd_opt(2016, 10, 1);
    assert!(!lets_a_truck_through(&c, as_of, 1, 31));
    assert!(lets_a_truck_through(&c, as_of, 1, 70));
    // Mondays only: the first Monday after Friday 29 July is 1 August (day 4).
    c.open_from = None;
    c.weekdays = vec![0];
    assert!(!lets_a_truck_through(&c, as_of, 1, 4));
    assert!(lets_a_truck_through(&c, as_of, 1, 5));
    // An inspection longer than the 4-hour opening: no truck ever gets through.
    c.weekdays = vec![];
    c.inspection_s = 5.0 * 3600.0;
    assert!(!lets_a_truck_through(&c, as_of, 1, 31));
}
