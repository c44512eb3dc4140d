//! The convoy plan as `corridor convoy` prints it, and the declared `[convoy]` plan as the siege
//! forecast counts it (`corridor siege`, `/v1/scenarios/{id}/siege`, the brief): one
//! implementation, so that the CLI and the API give the same numbers. Every function takes the
//! car map it plans on, so that a what-if (closed roads) re-plans the convoy on its own map.

use crate::maps::parse_lat_lon;
use crate::scenario::{describe_side, LoadedScenario};
use anyhow::{anyhow, bail, Result};
use corridor_analysis::convoy::forecast_with_convoy;
use corridor_analysis::convoy::{
    allowed, best_route, convoy_side, crossings_on_map, disjoint_backup, leg_times,
    open_in_horizon, reachable_without_crossing, road_cuts, snap_stops, supply, time_one, Backup,
    ConvoyParams, ConvoyRoute, FoodBase, RoadCut, RouteSummary, Stops, Supply, Timing,
    OUTLOOK_DAYS,
};
use corridor_analysis::convoy::{outlook_words, route_via};
use corridor_analysis::convoy_schedule::{
    crossing_week_capacity, schedule, Schedule, ScheduleParams,
};
use corridor_analysis::siege::{siege, EnclaveReport, Forecast, SiegeParams, Status};
use corridor_roads::Profile;
use corridor_scenario::ScenarioMap;
use serde::Serialize;
use serde_json::{json, Value};

/// What a convoy request may set; `None` takes the scenario's `[convoy]` value. Coordinates
/// are `LAT,LON` text as the user typed them (`to`: `LAT,LON;LAT,LON…`), so that errors name
/// the argument.
#[derive(Clone, Debug)]
pub struct ConvoyOptions {
    pub from: Option<String>,
    pub to: Option<String>,
    pub trucks: Option<u32>,
    pub tonnes_per_truck: Option<f64>,
    pub every: Option<u32>,
    /// `HH:MM`.
    pub depart: Option<String>,
    pub crossing: Option<String>,
    /// The horizon of the schedule, days from `as_of`.
    pub days: u32,
    /// Farthest the warehouse or a distribution point may lie from a car road, metres.
    pub max_snap: f64,
}

impl Default for ConvoyOptions {
    /// The declared plan over 30 days, stops within 500 m of a car road (`corridor convoy`'s
    /// defaults).
    fn default() -> Self {
        ConvoyOptions {
            from: None,
            to: None,
            trucks: None,
            tonnes_per_truck: None,
            every: None,
            depart: None,
            crossing: None,
            days: 30,
            max_snap: 500.0,
        }
    }
}

/// Everything `corridor convoy` reports.
#[derive(Serialize)]
pub struct ConvoyReport {
    pub headline: Vec<String>,
    pub side: String,
    pub crossings: Vec<Value>,
    pub route: ConvoyRoute,
    pub timing: Timing,
    pub backup: Option<Backup>,
    pub road_cuts: Vec<RoadCut>,
    pub schedule: Schedule,
    pub supply: Option<Supply>,
    /// The pieces of the first enclave (indices into the siege report's `pieces`) that the
    /// distribution points lie in: the supply figures are theirs, pooled.
    pub feeds_pieces: Vec<usize>,
    /// The contested or besieged pieces of the first enclave that the plan does not feed and
    /// that no aid crossing route reaches at all: the people the plan leaves out.
    pub unreached_pieces: Vec<UnreachedPiece>,
    /// When the chosen crossing's weekly limit is below the trucks the need takes: each other
    /// usable aid crossing that could let the need through in a week, with its route's
    /// exposure against the chosen one's. Empty when the chosen crossing suffices.
    pub crossings_that_could_carry_the_need: Vec<CrossingAlternative>,
    pub assumptions: Vec<String>,
    /// The plan's numbers (reported in `parameters.plan`).
    #[serde(skip)]
    pub params: ConvoyParams,
}

/// A piece of the enclave in need that no convoy through any aid crossing can reach by road.
#[derive(Debug, Clone, Serialize)]
pub struct UnreachedPiece {
    /// Index into the siege report's `pieces` (the headline says "piece N", 1-based).
    pub piece: usize,
    pub status: String,
    pub people: f64,
    /// When its food runs out (the siege forecast); `None`: no forecast or it does not.
    pub food_runs_out_on: Option<chrono::NaiveDate>,
}

/// Another aid crossing that could carry the whole need where the chosen one cannot.
#[derive(Debug, Clone, Serialize)]
pub struct CrossingAlternative {
    pub crossing: String,
    /// The most trucks it lets through in the plan's first week (hours ÷ inspection, day and
    /// week limits, open days); `None`: nothing limits it.
    pub trucks_per_week_max: Option<u32>,
    /// The trucks a week the need takes (as `supply.trucks_per_week_to_cover_need`).
    pub trucks_per_week_needed: u32,
    /// The safest route through it to the same stops.
    pub distance_m: f64,
    pub exposure: f64,
    /// (its exposure − the chosen route's) ÷ the chosen route's, in %.
    pub exposure_change_pct: f64,
}

/// The plan's inputs, from the arguments or the scenario's `[convoy]`.
struct Request {
    warehouse: [f64; 2],
    distribution: Vec<[f64; 2]>,
    crossing: Option<String>,
    params: ConvoyParams,
}

fn request(loaded: &LoadedScenario, args: &ConvoyOptions) -> Result<Request> {
    let s = &loaded.scenario;
    let plan = s.convoy.as_ref();
    let need = |what: &str, flag: &str| {
        anyhow!(
            "{}: no {what}: give {flag} or declare it in [convoy]",
            s.file.display()
        )
    };
    let warehouse = match &args.from {
        Some(a) => parse_lat_lon(a, "--from")?,
        None => plan
            .and_then(|p| p.warehouse)
            .ok_or_else(|| need("warehouse", "--from LAT,LON"))?,
    };
    let distribution = match &args.to {
        Some(a) => a
            .split(';')
            .map(|x| parse_lat_lon(x, "--to"))
            .collect::<Result<Vec<_>>>()?,
        None => plan
            .map(|p| p.distribution_points.clone())
            .filter(|d| !d.is_empty())
            .ok_or_else(|| need("distribution points", "--to LAT,LON[;LAT,LON…]"))?,
    };
    let trucks = args
        .trucks
        .or(plan.map(|p| p.trucks))
        .ok_or_else(|| need("truck count", "--trucks N"))?;
    let tonnes = args
        .tonnes_per_truck
        .or(plan.map(|p| p.tonnes_per_truck))
        .ok_or_else(|| need("tonnes per truck", "--tonnes-per-truck T"))?;
    let every = args
        .every
        .or(plan.map(|p| p.every_days))
        .ok_or_else(|| need("frequency", "--every DAYS"))?;
    if trucks == 0 || every == 0 || !(tonnes.is_finite() && tonnes > 0.0) {
        bail!("--trucks, --every and --tonnes-per-truck must be positive");
    }
    if args.days == 0 || args.days > 3650 {
        bail!("--days {}: must be between 1 and 3650", args.days);
    }
    let depart_s = match &args.depart {
        Some(t) => parse_clock(t).ok_or_else(|| anyhow!("--depart '{t}': expected HH:MM"))?,
        None => plan.map_or(6.0 * 3600.0, |p| p.depart_s),
    };
    let kcal_per_kg = plan
        .and_then(|p| p.kcal_per_kg)
        .or(s.stock.as_ref().and_then(|st| st.kcal_per_kg))
        .ok_or_else(|| {
            anyhow!(
                "{}: the cargo's kcal_per_kg is unknown: declare it in [convoy] or [stock]",
                s.file.display()
            )
        })?;
    // A plan declared to start before `as_of` (or a scenario evaluated at a later date) has been
    // running: its first convoy from `as_of` on is the next one on its cadence.
    let first_day = plan.and_then(|p| p.first_departure).map_or(1, |d| {
        let k = (d - s.as_of).num_days();
        let every = i64::from(every.max(1));
        if k >= 0 {
            k
        } else {
            k + (-k + every - 1) / every * every
        }
    });
    Ok(Request {
        warehouse,
        distribution,
        crossing: args
            .crossing
            .clone()
            .or(plan.and_then(|p| p.crossing.clone())),
        params: ConvoyParams {
            schedule: ScheduleParams {
                trucks,
                tonnes_per_truck: tonnes,
                every_days: every,
                depart_s,
                first_day,
                kcal_per_kg,
            },
            days: args.days,
        },
    })
}

fn parse_clock(t: &str) -> Option<f64> {
    let (h, m) = t.trim().split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some((h * 3600 + m * 60) as f64)
}

/// The food the convoy feeds: the pieces of the first enclave the distribution points lie in
/// (each point in the piece of its nearest road node, as population units are assigned), their
/// forecasts pooled. `None`: no forecast (no `[stock]`) for those pieces.
pub fn food_base(
    reports: &[EnclaveReport],
    distribution: &[[f64; 2]],
) -> Option<(FoodBase, Vec<usize>)> {
    let r = reports.first()?;
    let mut pieces: Vec<usize> = distribution.iter().filter_map(|&p| r.piece_at(p)).collect();
    pieces.sort_unstable();
    pieces.dedup();
    let fs: Vec<&Forecast> = pieces
        .iter()
        .filter_map(|&p| r.pieces.get(p)?.forecast.as_ref())
        .collect();
    if fs.is_empty() {
        return None;
    }
    let sum = |f: fn(&Forecast) -> f64| fs.iter().map(|x| f(x)).sum::<f64>();
    let base = FoodBase {
        people: sum(|f| f.people),
        stock_kcal: sum(|f| f.stock_kcal),
        need_kcal_per_day: sum(|f| f.need_kcal_per_day),
        inflow_kcal_per_day: sum(|f| f.inflow_kcal_per_day),
    };
    Some((base, pieces))
}

/// "piece 2" or "pieces 1 and 3" (1-based, as the siege headline names them).
pub fn pieces_words(pieces: &[usize]) -> String {
    let n: Vec<String> = pieces.iter().map(|p| (p + 1).to_string()).collect();
    match n.as_slice() {
        [one] => format!("piece {one}"),
        [rest @ .., last] => format!("pieces {} and {last}", rest.join(", ")),
        [] => "no piece".into(),
    }
}

/// The siege analysis as `corridor siege` reports it (without what-ifs).
pub fn siege_reports(loaded: &LoadedScenario) -> Vec<EnclaveReport> {
    let (foot, car) = (loaded.on(Profile::Foot), loaded.on(Profile::Car));
    let params = SiegeParams::for_scenario(&loaded.scenario);
    siege(&foot, &car, loaded.map.graph.meta.bbox, &params)
}

/// What the siege forecast made of the scenario's declared `[convoy]` plan: the siege result
/// carries it as `convoy_plan`, so that it says whether and how the plan is counted.
#[derive(Debug, Clone, Serialize)]
pub struct DeclaredPlan {
    /// Whether the forecast counts the plan's deliveries.
    pub counted: bool,
    /// The plan in words, with the crossing it runs through and the pieces it feeds.
    pub plan: Option<String>,
    /// The convoy route it runs on (`None`: it cannot run).
    pub route: Option<RouteSummary>,
    /// Pieces of the first enclave it feeds: indices into the siege report's `pieces`, as
    /// `corridor convoy`'s `feeds_pieces`.
    pub feeds_pieces: Vec<usize>,
    /// Why it is not counted, when it is not.
    pub note: Option<String>,
}

/// The siege forecast hook: when the scenario declares a `[convoy]` plan, the forecast of each
/// piece of the first enclave that a distribution point lies in counts the plan's deliveries
/// (pieces fed together share one pool) and says so — or says why the plan cannot run. The
/// plan is routed on `car` (a what-if's map re-plans it). `None`: no plan is declared.
pub fn apply_declared_plan(
    loaded: &LoadedScenario,
    car: &ScenarioMap,
    reports: &mut [EnclaveReport],
) -> Option<DeclaredPlan> {
    if loaded.scenario.convoy.is_none() || reports.is_empty() {
        return None;
    }
    let horizon = SiegeParams::for_scenario(&loaded.scenario).horizon_days;
    let computed = compute(loaded, car, &ConvoyOptions::default(), reports);
    let r = &mut reports[0];
    let c = match computed {
        Ok(c) => c,
        Err(e) => {
            let note =
                format!("the declared convoy plan ([convoy]) cannot run and is not counted: {e}");
            for f in r
                .pieces
                .iter_mut()
                .filter_map(|p| p.forecast.as_mut())
                .chain(r.forecast.as_mut())
            {
                f.assumptions.push(note.clone());
            }
            return Some(DeclaredPlan {
                counted: false,
                plan: None,
                route: None,
                feeds_pieces: Vec::new(),
                note: Some(note),
            });
        }
    };
    let fed = pieces_words(&c.feeds_pieces);
    let pooled = if c.feeds_pieces.len() > 1 {
        format!(" ({fed} fed as one pool: their stock and need added up)")
    } else {
        String::new()
    };
    let words = format!(
        "{} through {} to {fed}{pooled}",
        plan_words(&c.params),
        c.route.crossing
    );
    let mut declared = DeclaredPlan {
        counted: c.supply.is_some(),
        plan: Some(words.clone()),
        route: Some(c.route.summary()),
        feeds_pieces: c.feeds_pieces.clone(),
        note: None,
    };
    let Some(sup) = c.supply.as_ref() else {
        declared.note =
            Some("no food forecast for the pieces it feeds (no [stock]): nothing to count".into());
        return Some(declared);
    };
    for &p in &c.feeds_pieces {
        if let Some(f) = r.pieces[p].forecast.as_ref() {
            r.pieces[p].forecast = Some(forecast_with_convoy(f, sup, &words, horizon));
        }
    }
    if c.feeds_pieces.contains(&r.headline_piece) {
        r.forecast = r.pieces[r.headline_piece].forecast.clone();
    }
    r.headline.push(match sup.with.runs_out_on {
        Some(d) => format!("With the declared convoy plan ({words}) food there runs out on {d}."),
        None => format!(
            "With the declared convoy plan ({words}) food there {}.",
            outlook_words(&sup.with, loaded.scenario.as_of, sup.outlook_days, true)
        ),
    });
    Some(declared)
}

/// What a what-if did to the declared plan's convoy, in words: it keeps its route, switches to
/// another, or no longer runs (the enclave besieged for convoys).
pub fn plan_change(before: Option<&DeclaredPlan>, after: Option<&DeclaredPlan>) -> Option<String> {
    let (b, a) = (before?, after?);
    let route = |d: &DeclaredPlan| d.route.clone();
    Some(match (route(b), route(a)) {
        (Some(x), Some(y)) if x.crossing == y.crossing && x.roads == y.roads => {
            format!("the convoy keeps its route via {}", x.crossing)
        }
        (Some(_), Some(y)) => format!(
            "the convoy switches to its backup via {} ({:.1} km, exposure {:.1}; roads: {})",
            y.crossing,
            y.distance_m / 1000.0,
            y.exposure,
            y.roads.join(", ")
        ),
        (Some(_), None) => format!(
            "the convoy can no longer run: {}",
            a.note.as_deref().unwrap_or("no route")
        ),
        (None, Some(y)) => format!("the convoy can run again, via {}", y.crossing),
        (None, None) => "the declared convoy plan cannot run, before or after".into(),
    })
}

/// Computes the whole convoy report on `car` (the scenario on the car graph, with whatever
/// what-if closures it carries); `sieges` give the food base (no forecast: no supply figures).
pub fn compute(
    loaded: &LoadedScenario,
    car: &ScenarioMap,
    args: &ConvoyOptions,
    sieges: &[EnclaveReport],
) -> Result<ConvoyReport> {
    let s = &loaded.scenario;
    if s.aid_crossings.is_empty() {
        bail!(
            "{}: no aid crossing: declare a [[corridor]] with purpose = \"aid\"",
            s.file.display()
        );
    }
    let req = request(loaded, args)?;
    let fed = food_base(sieges, &req.distribution);
    let snapper = &loaded.snappers[Profile::Car.index()];
    let side = convoy_side(car, Some(req.warehouse));
    let on_map = crossings_on_map(car, snapper, side)?;
    let usable = allowed(s, &on_map, req.crossing.as_deref())?;
    let (usable, shut) = match req.crossing {
        Some(_) => (usable, Vec::new()),
        None => {
            let from = req.params.schedule.first_day;
            open_in_horizon(s, usable, from, from.max(0) + i64::from(req.params.days))
        }
    };
    let stops = snap_stops(
        car,
        snapper,
        req.warehouse,
        &req.distribution,
        args.max_snap,
    )?;
    if let Some(&i) = reachable_without_crossing(car, side, &stops).first() {
        bail!(
            "distribution point {} is reachable from the warehouse without an aid crossing: it is not behind the besieger's lines (or the warehouse is not outside them)",
            i + 1
        );
    }
    let route = best_route(car, side, &usable, &stops, &[]).ok_or_else(|| {
        match stops_on_closed_roads(car, &stops) {
            Some(which) => anyhow!("no convoy route: {which} on a closed road, so no aid crossing leads from the warehouse to every distribution point as they are placed (besieged for convoys unless the stop moves or the road reopens)"),
            None => match unreachable_stops(car, side, &usable, &stops) {
                Some(which) if which.len() < stops.distribution.len() => anyhow!("no convoy route: no aid crossing leads from the warehouse to {which} (that part of the enclave is besieged for convoys; the other points are reachable)", which = which.join(" and ")),
                Some(which) => anyhow!("no convoy route: no aid crossing leads from the warehouse to {} (the enclave is besieged for convoys)", which.join(" and ")),
                None => anyhow!("no convoy route: no aid crossing leads from the warehouse to every distribution point (the enclave is besieged for convoys)"),
            },
        }
    })?;
    let backup = disjoint_backup(car, side, &usable, &stops, &route);
    let cuts = road_cuts(car, side, &usable, &stops, &route);
    let crossing = &s.aid_crossings[route.crossing_index];
    let legs = leg_times(&route);
    let p = &req.params;
    let timing = time_one(crossing, s.as_of, &p.schedule, &legs);
    let series = OUTLOOK_DAYS.max(p.days);
    let sched = schedule(crossing, s.as_of, &p.schedule, &legs, series, p.days);
    let sup = fed
        .as_ref()
        .map(|(b, _)| supply(crossing, s.as_of, p, &sched, b));
    let fed_pieces = fed
        .as_ref()
        .map_or(&[][..], |(_, pieces)| pieces.as_slice());
    let unreached = unreached_pieces(car, snapper, side, &usable, &stops, sieges, fed_pieces);
    let carriers = sup.as_ref().map_or_else(Vec::new, |sp| {
        could_carry_the_need(loaded, car, side, &usable, &stops, &route, p, sp)
    });
    let mut headline = headline(s.as_of, &route, backup.as_ref(), &timing, sup.as_ref(), p);
    if let Some(w) = sup
        .as_ref()
        .and_then(|sp| carriers_words(&route, sp, &carriers))
    {
        headline.push(w);
    }
    if !unreached.is_empty() {
        headline.insert(0, unreached_words(&unreached));
    }
    let crossings = on_map
        .iter()
        .map(|x| {
            let c = &s.aid_crossings[x.crossing];
            json!({"name": c.name, "lat": x.snap.point[1], "lon": x.snap.point[0], "snap_m": (x.snap.distance_m * 10.0).round() / 10.0,
                   "hours": c.hours.map(|(a, b)| format!("{}-{}", hhmm(a), hhmm(b))), "open_from": c.open_from, "open_until": c.open_until,
                   "weekdays": c.weekdays, "trucks_per_day": c.trucks_per_day, "trucks_per_week": c.trucks_per_week,
                   "inspection_minutes": c.inspection_s / 60.0, "osm_way_id": x.osm_way_id, "way_distance_m": (x.way_distance_m * 10.0).round() / 10.0,
                   "opens_osm_way_ids": x.opens.iter().map(|&e| car.graph.edges.way_id[e as usize]).collect::<Vec<_>>()})
        })
        .collect();
    Ok(ConvoyReport {
        headline,
        side: describe_side(s, side),
        crossings,
        route,
        timing,
        backup,
        road_cuts: cuts,
        schedule: Schedule {
            runs: sched.runs,
            daily_tonnes: sched
                .daily_tonnes
                .into_iter()
                .take(p.days as usize)
                .collect(),
        },
        supply: sup,
        assumptions: assumptions(p, fed.as_ref().map(|(_, pieces)| pieces.as_slice()), &shut),
        feeds_pieces: fed.map_or_else(Vec::new, |(_, pieces)| pieces),
        unreached_pieces: unreached,
        crossings_that_could_carry_the_need: carriers,
        params: req.params,
    })
}

/// When the chosen crossing lets fewer trucks a week through than the need takes: the other
/// usable aid crossings whose own weekly capacity (same rule, same first week) covers the need
/// and that have a route to the same stops, with that route's exposure.
#[allow(clippy::too_many_arguments)]
fn could_carry_the_need(
    loaded: &LoadedScenario,
    car: &ScenarioMap,
    side: corridor_scenario::Side,
    usable: &[&corridor_analysis::convoy::CrossingOnMap],
    stops: &Stops,
    chosen: &ConvoyRoute,
    p: &ConvoyParams,
    sup: &Supply,
) -> Vec<CrossingAlternative> {
    let s = &loaded.scenario;
    let needed = sup.trucks_per_week_to_cover_need;
    if sup.crossing_trucks_per_week_max.is_none_or(|m| m >= needed) {
        return Vec::new();
    }
    usable
        .iter()
        .filter(|x| x.crossing != chosen.crossing_index)
        .filter_map(|x| {
            let cap =
                crossing_week_capacity(&s.aid_crossings[x.crossing], s.as_of, p.schedule.first_day);
            if cap.is_some_and(|m| m < needed) {
                return None;
            }
            let r = route_via(car, side, x, stops, &[], &[])?;
            let base = chosen.exposure.risk;
            Some(CrossingAlternative {
                crossing: r.crossing.clone(),
                trucks_per_week_max: cap,
                trucks_per_week_needed: needed,
                distance_m: r.distance_m,
                exposure: r.exposure.risk,
                exposure_change_pct: if base > 0.0 {
                    (r.exposure.risk - base) / base * 100.0
                } else {
                    0.0
                },
            })
        })
        .collect()
}

/// "Enclar aid crossing lets at most 30 trucks a week through, below the 49 the need takes;
/// Tarragona aid crossing could carry 49 trucks a week (at most 140) at +88 % exposure."
fn carriers_words(
    chosen: &ConvoyRoute,
    sup: &Supply,
    alts: &[CrossingAlternative],
) -> Option<String> {
    let cap = sup.crossing_trucks_per_week_max?;
    let needed = sup.trucks_per_week_to_cover_need;
    if cap >= needed {
        return None;
    }
    let lead = format!(
        "{} lets at most {cap} trucks a week through, below the {needed} the need takes",
        chosen.crossing
    );
    if alts.is_empty() {
        return Some(format!("{lead}; no other aid crossing could carry them."));
    }
    let each: Vec<String> = alts
        .iter()
        .map(|a| {
            format!(
                "{} could carry {needed} trucks a week ({}) at {:+.0} % exposure ({:.1} against {:.1})",
                a.crossing,
                a.trucks_per_week_max
                    .map_or("no limit".into(), |m| format!("at most {m}")),
                a.exposure_change_pct,
                a.exposure,
                chosen.exposure.risk
            )
        })
        .collect();
    Some(format!("{lead}; {}.", each.join("; ")))
}

/// The contested or besieged pieces of the first enclave, other than `fed`, to which no aid
/// crossing leads a convoy from the warehouse: each piece is tried as the only stop, at its
/// car road node nearest its middle.
fn unreached_pieces(
    car: &ScenarioMap,
    snapper: &corridor_roads::Snapper,
    side: corridor_scenario::Side,
    usable: &[&corridor_analysis::convoy::CrossingOnMap],
    stops: &Stops,
    sieges: &[EnclaveReport],
    fed: &[usize],
) -> Vec<UnreachedPiece> {
    let Some(r) = sieges.first() else {
        return Vec::new();
    };
    let reached = |piece: usize, near: [f64; 2]| {
        let node = r.piece_nodes[Profile::Car.index()]
            .iter()
            .filter(|(_, p)| *p == piece)
            .min_by(|a, b| haversine(a.0, near).total_cmp(&haversine(b.0, near)));
        let Some(snap) = node.and_then(|(at, _)| snapper.snap(car.graph, *at, 50.0)) else {
            return false;
        };
        let one = Stops {
            warehouse: stops.warehouse,
            distribution: vec![snap],
        };
        best_route(car, side, usable, &one, &[]).is_some()
    };
    r.pieces
        .iter()
        .filter(|p| p.status != Status::Open && !fed.contains(&p.index))
        .filter(|p| !reached(p.index, p.near))
        .map(|p| UnreachedPiece {
            piece: p.index,
            status: p.status.name().into(),
            people: p.forecast.as_ref().map_or(p.population, |f| f.people),
            food_runs_out_on: p.forecast.as_ref().and_then(|f| f.runs_out_on),
        })
        .collect()
}

fn haversine(a: [f64; 2], b: [f64; 2]) -> f64 {
    corridor_roads::geometry::haversine_m(a, b)
}

/// "The plan does not reach piece 2 (19,067 people, food runs out 27 Aug 2016): …" — first in
/// the headline, so that nobody reads the plan as feeding the whole enclave.
pub fn unreached_words(u: &[UnreachedPiece]) -> String {
    let each: Vec<String> = u
        .iter()
        .map(|x| {
            format!(
                "piece {} ({} people, {})",
                x.piece + 1,
                thousands(x.people),
                x.food_runs_out_on
                    .map_or("no food run-out date".into(), |d| format!(
                        "food runs out {}",
                        d.format("%-d %b %Y")
                    ))
            )
        })
        .collect();
    format!(
        "The plan does not reach {}: no convoy through any aid crossing has a road there.",
        each.join(" or ")
    )
}

/// A whole number with thousands separators, as OCHA's products print people: 250,000.
pub fn thousands(x: f64) -> String {
    let n = x.round() as i64;
    let s = n.abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// The stops that sit on a road the scenario (or a what-if) closes, in words ("the warehouse
/// is", "distribution point 2 is"), or `None`: a closure there, not a siege, stops the convoy.
fn stops_on_closed_roads(car: &ScenarioMap, stops: &Stops) -> Option<String> {
    let mut which = Vec::new();
    if car.closure_of(stops.warehouse.edge).is_some() {
        which.push("the warehouse".to_string());
    }
    for (i, d) in stops.distribution.iter().enumerate() {
        if car.closure_of(d.edge).is_some() {
            which.push(format!("distribution point {}", i + 1));
        }
    }
    match which.len() {
        0 => None,
        1 => Some(format!("{} is", which[0])),
        _ => Some(format!("{} are", which.join(" and "))),
    }
}

/// The distribution points no aid crossing leads to on their own, in words ("distribution point
/// 1"), or `None` when each is reachable alone (only the order of the stops fails).
fn unreachable_stops(
    car: &ScenarioMap,
    side: corridor_scenario::Side,
    usable: &[&corridor_analysis::convoy::CrossingOnMap],
    stops: &Stops,
) -> Option<Vec<String>> {
    let which: Vec<String> = stops
        .distribution
        .iter()
        .enumerate()
        .filter(|(_, d)| {
            let one = Stops {
                warehouse: stops.warehouse,
                distribution: vec![**d],
            };
            best_route(car, side, usable, &one, &[]).is_none()
        })
        .map(|(i, _)| format!("distribution point {}", i + 1))
        .collect();
    (!which.is_empty()).then_some(which)
}

fn hhmm(s: f64) -> String {
    let m = (s / 60.0).round() as u32;
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// The plan in words, e.g. "10 trucks × 20 t every 2 days".
pub fn plan_words(p: &ConvoyParams) -> String {
    let s = &p.schedule;
    format!(
        "{} trucks × {} t every {} day{}, leaving at {}",
        s.trucks,
        s.tonnes_per_truck,
        s.every_days,
        if s.every_days == 1 { "" } else { "s" },
        hhmm(s.depart_s)
    )
}

/// The wait at the crossing in words when it matters to the plan: more than a day before the
/// first inspection, or a convoy too large for one day's opening or limits.
fn crossing_delay_words(t: &Timing, p: &ConvoyParams) -> Option<String> {
    let days = t.cleared_per_day.len();
    if days <= 1 && t.wait_s <= 86_400.0 {
        return None;
    }
    let spread = if days > 1 {
        format!(
            "; its {} trucks are cleared over {days} opening days ({}), the convoy moving on when the last is through",
            p.schedule.trucks,
            t.cleared_per_day
                .iter()
                .map(|(d, n)| format!("{n} on {d}"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    } else {
        String::new()
    };
    Some(format!(
        "At the crossing the first convoy waits {:.0} h for its first inspection (hours, open days, truck limits){spread}.",
        t.wait_s / 3600.0
    ))
}

fn headline(
    as_of: chrono::NaiveDate,
    route: &ConvoyRoute,
    backup: Option<&Backup>,
    t: &Timing,
    sup: Option<&Supply>,
    p: &ConvoyParams,
) -> Vec<String> {
    let mut h = vec![format!(
        "Convoy route via {}: {:.1} km, {:.0} min driving, exposure {:.1}; {} reach the last stop {}.",
        route.crossing,
        route.distance_m / 1000.0,
        route.driving_s / 60.0,
        route.exposure.risk,
        plan_words(p),
        t.arrivals.last().map_or("never (the crossing does not clear them)".into(), |a| format!("at {a}"))
    )];
    if let Some(w) = crossing_delay_words(t, p) {
        h.push(w);
    }
    h.push(match backup {
        Some(b) if b.disjoint => format!(
            "Disjoint backup via {}: {:.1} km, exposure {:.1}.",
            b.route.crossing,
            b.route.distance_m / 1000.0,
            b.route.exposure.risk
        ),
        Some(b) => format!(
            "Backup via {}: {:.1} km, exposure {:.1}; no fully disjoint route exists: it shares {:.1} km ({}) with the primary.",
            b.route.crossing,
            b.route.distance_m / 1000.0,
            b.route.exposure.risk,
            b.shared_m / 1000.0,
            b.shared_roads.join(", ")
        ),
        None => "No backup: no other aid crossing road leads in.".into(),
    });
    if let Some(s) = sup {
        h.push(format!(
            "In {} days the plan delivers {:.0} t ({:.0} % of the need, {:.1} days of food); with it food {}; without it food {}. {} trucks a week would cover the need: {}.",
            s.horizon_days,
            s.delivered_tonnes,
            s.share_of_need * 100.0,
            s.days_of_food_added,
            outlook_words(&s.with, as_of, s.outlook_days, true),
            outlook_words(&s.without, as_of, s.outlook_days, false),
            s.trucks_per_week_to_cover_need,
            s.verdict
        ));
    }
    h
}

fn assumptions(p: &ConvoyParams, fed: Option<&[usize]>, shut: &[String]) -> Vec<String> {
    let mut out = vec![
        "the convoy travels as a civilian of the party holding the warehouse's ground and enters hostile ground only at an aid crossing".into(),
        "safest route: least exposure (incidents and front line), then least time; each leg passes the crossing's point".into(),
        "trucks are inspected one after another; a truck passes only if its inspection ends within the opening hours, on an open day, within the day's and week's truck limits".into(),
        "the convoy moves as one: it leaves the crossing when its last truck is cleared; unloading time is not counted; each distribution point receives an equal share".into(),
        format!("deliveries count on the day they arrive; the cargo carries {} kcal/kg", p.schedule.kcal_per_kg),
        "driving times are the road graph's (speed limits or class defaults), without escorts' or checkpoints' other delays".into(),
    ];
    if !shut.is_empty() {
        out.push(format!(
            "not used: {} (lets no truck through within the plan's {} days; name it with --crossing or [convoy] crossing to plan through it anyway)",
            shut.join(", "),
            p.days
        ));
    }
    if let Some(pieces) = fed {
        out.push(format!(
            "the plan feeds {} of the first enclave (where its distribution points lie: the piece of each point's nearest road node); supply is counted against their people, stock and other inflow{}",
            pieces_words(pieces),
            if pieces.len() > 1 { ", added up into one pool" } else { "" }
        ));
    }
    out
}
