//! "Regular and sustained": when trucks clear an aid crossing, what a convoy plan delivers over a
//! horizon, and how long the food lasts with and without it. Pure arithmetic on times and
//! tonnes — no graph — so that every figure can be checked by hand.
//!
//! Times are seconds after midnight of the scenario's `as_of` date (day 0).
//!
//! The crossing model: trucks are inspected one after another (one lane); a truck is let through
//! only if its inspection ends within the day's opening window, on a day the crossing opens
//! (dates, weekdays), while the day's and the ISO week's truck limits are not reached; otherwise
//! it waits for the next opening. A convoy moves as one: it leaves the crossing when its last
//! truck is cleared, and queues behind the trucks of an earlier convoy still waiting.

use chrono::{Datelike, Duration, NaiveDate};
use corridor_scenario::AidCrossing;
use serde::Serialize;
use std::collections::HashMap;

pub const DAY_S: f64 = 86_400.0;

/// How long the scheduler looks ahead for an opening before it declares a truck stuck (days).
const LOOKAHEAD_DAYS: i64 = 400;

/// Trucks already let through, per day and per ISO week: the crossing's limits are shared by
/// every convoy of a schedule.
#[derive(Debug, Default, Clone)]
pub struct CrossingUse {
    per_day: HashMap<NaiveDate, u32>,
    per_week: HashMap<(i32, u32), u32>,
    /// When the inspection lane is next free.
    lane_free_at: f64,
}

/// The date of day `k` after `as_of`.
pub fn day_date(as_of: NaiveDate, k: i64) -> NaiveDate {
    as_of + Duration::days(k)
}

/// `t` (seconds after `as_of` midnight) as local date and time, `YYYY-MM-DDTHH:MM`.
pub fn clock(as_of: NaiveDate, t: f64) -> String {
    let start = as_of.and_hms_opt(0, 0, 0).expect("midnight exists");
    (start + Duration::seconds(t.round() as i64))
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// The crossing's opening window on day `k`, `(open, close)` in seconds after `as_of`
/// midnight, or `None` if it does not open that day.
pub fn window(c: &AidCrossing, as_of: NaiveDate, k: i64) -> Option<(f64, f64)> {
    if !c.opens_on(day_date(as_of, k)) {
        return None;
    }
    let base = k as f64 * DAY_S;
    Some(match c.hours {
        None => (base, base + DAY_S),
        Some((open, close)) if close > open => (base + open, base + close),
        Some((open, close)) => (base + open, base + DAY_S + close),
    })
}

fn week_of(d: NaiveDate) -> (i32, u32) {
    let w = d.iso_week();
    (w.year(), w.week())
}

/// When one truck that is at the crossing at `t` is cleared, or `None` if no opening within
/// [`LOOKAHEAD_DAYS`] lets it through. Records the passage in `used`.
pub fn clear_one(c: &AidCrossing, as_of: NaiveDate, t: f64, used: &mut CrossingUse) -> Option<f64> {
    let t = t.max(used.lane_free_at);
    // A window that passes midnight starts the day before.
    let first = (t / DAY_S).floor() as i64 - 1;
    for k in first..first + LOOKAHEAD_DAYS {
        let Some((open, close)) = window(c, as_of, k) else {
            continue;
        };
        let date = day_date(as_of, k);
        let day_n = used.per_day.get(&date).copied().unwrap_or(0);
        let week_n = used.per_week.get(&week_of(date)).copied().unwrap_or(0);
        if c.trucks_per_day.is_some_and(|m| day_n >= m)
            || c.trucks_per_week.is_some_and(|m| week_n >= m)
        {
            continue;
        }
        let start = t.max(open);
        let done = start + c.inspection_s;
        if start < close && done <= close {
            *used.per_day.entry(date).or_default() += 1;
            *used.per_week.entry(week_of(date)).or_default() += 1;
            used.lane_free_at = done;
            return Some(done);
        }
    }
    None
}

/// One convoy at the crossing.
#[derive(Debug, Clone, Serialize)]
pub struct Passage {
    /// Arrival at the crossing.
    pub arrives_s: f64,
    /// Waiting for the crossing to open (and for earlier trucks), before the first inspection.
    pub first_cleared_s: Option<f64>,
    /// The last truck cleared: the convoy moves on. `None`: some truck never gets through.
    pub cleared_s: Option<f64>,
    /// Trucks cleared, per date.
    pub cleared_per_day: Vec<(NaiveDate, u32)>,
}

/// Takes `trucks` arriving together at `arrives_s` through the crossing.
pub fn pass_convoy(
    c: &AidCrossing,
    as_of: NaiveDate,
    arrives_s: f64,
    trucks: u32,
    used: &mut CrossingUse,
) -> Passage {
    let mut times = Vec::new();
    for _ in 0..trucks {
        match clear_one(c, as_of, arrives_s, used) {
            Some(t) => times.push(t),
            None => break,
        }
    }
    let mut per_day: Vec<(NaiveDate, u32)> = Vec::new();
    for &t in &times {
        // The day whose window cleared the truck: its inspection started at t - inspection.
        let d = day_date(as_of, ((t - c.inspection_s) / DAY_S).floor() as i64);
        match per_day.last_mut() {
            Some((last, n)) if *last == d => *n += 1,
            _ => per_day.push((d, 1)),
        }
    }
    Passage {
        arrives_s,
        first_cleared_s: times.first().copied(),
        cleared_s: (times.len() == trucks as usize)
            .then(|| times.last().copied().unwrap_or(arrives_s)),
        cleared_per_day: per_day,
    }
}

/// The convoy plan in numbers (from `[convoy]` or the command line).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ScheduleParams {
    pub trucks: u32,
    pub tonnes_per_truck: f64,
    pub every_days: u32,
    /// Departure from the warehouse, seconds after midnight.
    pub depart_s: f64,
    /// Day of the first departure, counted from `as_of` (day 0).
    pub first_day: i64,
    pub kcal_per_kg: f64,
}

/// The route's times that the schedule needs: warehouse to crossing, then crossing to each
/// distribution point in turn (seconds).
#[derive(Debug, Clone, Serialize)]
pub struct LegTimes {
    pub to_crossing_s: f64,
    pub inside_s: Vec<f64>,
}

/// One convoy of the schedule.
#[derive(Debug, Clone, Serialize)]
pub struct ConvoyRun {
    pub departs: String,
    pub at_crossing: String,
    /// When the last truck is cleared; `None`: not every truck gets through.
    pub cleared: Option<String>,
    /// Arrival at the last distribution point.
    pub delivered: Option<String>,
    pub trucks: u32,
    pub tonnes: f64,
    /// Delivered within the horizon.
    pub within_horizon: bool,
}

/// What the plan delivers, day by day.
#[derive(Debug, Clone, Serialize)]
pub struct Schedule {
    pub runs: Vec<ConvoyRun>,
    /// Tonnes arriving on each day `0..series_days` (day 0 = `as_of`).
    #[serde(skip)]
    pub daily_tonnes: Vec<f64>,
}

/// Runs the plan through the crossing for `series_days` days: each convoy departs, queues,
/// is cleared, and unloads an equal share at each distribution point as it reaches it.
pub fn schedule(
    c: &AidCrossing,
    as_of: NaiveDate,
    p: &ScheduleParams,
    legs: &LegTimes,
    series_days: u32,
    horizon_days: u32,
) -> Schedule {
    let mut used = CrossingUse::default();
    let mut daily = vec![0.0; series_days as usize];
    let mut runs = Vec::new();
    let stops = legs.inside_s.len().max(1);
    let tonnes = p.trucks as f64 * p.tonnes_per_truck;
    let mut day = p.first_day.max(0);
    while day < series_days as i64 {
        let departs = day as f64 * DAY_S + p.depart_s;
        let at_crossing = departs + legs.to_crossing_s;
        let passage = pass_convoy(c, as_of, at_crossing, p.trucks, &mut used);
        let mut last = None;
        if let Some(t) = passage.cleared_s {
            let mut t = t;
            for leg in legs
                .inside_s
                .iter()
                .chain(legs.inside_s.is_empty().then_some(&0.0))
            {
                t += leg;
                let k = (t / DAY_S).floor() as usize;
                if k < daily.len() {
                    daily[k] += tonnes / stops as f64;
                }
            }
            last = Some(t);
        }
        runs.push(ConvoyRun {
            departs: clock(as_of, departs),
            at_crossing: clock(as_of, at_crossing),
            cleared: passage.cleared_s.map(|t| clock(as_of, t)),
            delivered: last.map(|t| clock(as_of, t)),
            trucks: p.trucks,
            tonnes,
            within_horizon: last.is_some_and(|t| t < horizon_days as f64 * DAY_S),
        });
        day += p.every_days.max(1) as i64;
    }
    runs.retain(|r| r.departs < clock(as_of, horizon_days as f64 * DAY_S));
    Schedule {
        runs,
        daily_tonnes: daily,
    }
}

/// The most trucks the crossing lets through in the 7 days from day `from` (hours, dates,
/// inspection time and limits), or `None` when nothing limits it.
pub fn crossing_week_capacity(c: &AidCrossing, as_of: NaiveDate, from: i64) -> Option<u32> {
    let per_day_cap = |k: i64| -> Option<u32> {
        let (open, close) = window(c, as_of, k)?;
        let by_time =
            (c.inspection_s > 0.0).then(|| ((close - open) / c.inspection_s).floor() as u32);
        match (by_time, c.trucks_per_day) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b).or(Some(u32::MAX)),
        }
    };
    let days: u64 = (from..from + 7)
        .map(|k| per_day_cap(k).unwrap_or(0) as u64)
        .sum();
    let week = match c.trucks_per_week {
        Some(w) => days.min(w as u64),
        None => days,
    };
    (week < u32::MAX as u64).then_some(week as u32)
}

/// How long food lasts: stock, need and steady inflow per day, plus deliveries per day.
#[derive(Debug, Clone, Serialize)]
pub struct Outlook {
    /// Days of food left from `as_of` (fractional); `None`: lasts beyond the series.
    pub days_left: Option<f64>,
    pub runs_out_on: Option<NaiveDate>,
    /// Stock at the start of each day, kcal (until it runs out or the series ends).
    #[serde(skip)]
    pub daily_stock_kcal: Vec<f64>,
}

/// Day by day: the stock at the start of day k is S_k; deliveries d_k count on the day they
/// arrive; food runs out on the first day k with S_k + inflow + d_k < need, and the days left
/// are k + (S_k + d_k) / (need − inflow): the stock drains at the net rate within the day. With
/// no deliveries this is stock / (need − inflow), the siege forecast's formula.
pub fn outlook(
    as_of: NaiveDate,
    stock_kcal: f64,
    need_kcal_per_day: f64,
    inflow_kcal_per_day: f64,
    deliveries_kcal: &[f64],
    series_days: u32,
) -> Outlook {
    let mut s = stock_kcal;
    let mut daily = Vec::new();
    for k in 0..series_days as usize {
        daily.push(s);
        let delivered = deliveries_kcal.get(k).copied().unwrap_or(0.0);
        let available = s + inflow_kcal_per_day + delivered;
        if available < need_kcal_per_day {
            let days = k as f64 + (s + delivered) / (need_kcal_per_day - inflow_kcal_per_day);
            return Outlook {
                days_left: Some(days),
                runs_out_on: Some(day_date(as_of, days.floor() as i64)),
                daily_stock_kcal: daily,
            };
        }
        s = available - need_kcal_per_day;
    }
    daily.push(s);
    Outlook {
        days_left: None,
        runs_out_on: None,
        daily_stock_kcal: daily,
    }
}

/// Trucks a week that cover the need left after the steady inflow (rounded up).
pub fn trucks_per_week_for_need(
    need_kcal_per_day: f64,
    inflow_kcal_per_day: f64,
    tonnes_per_truck: f64,
    kcal_per_kg: f64,
) -> u32 {
    let gap = (need_kcal_per_day - inflow_kcal_per_day).max(0.0) * 7.0;
    let per_truck = tonnes_per_truck * 1000.0 * kcal_per_kg;
    if gap <= 0.0 || per_truck <= 0.0 {
        return 0;
    }
    (gap / per_truck - 1e-9).ceil() as u32
}
