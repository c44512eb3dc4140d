//! The evacuation report, built from the planned groups of each flow.

use super::network::Network;
use super::{
    Bottleneck, CorridorReport, DepartureWindow, EvacuationReport, Flow, HourRow, LoadedRoute,
    MethodResult, NeighbourhoodReport, PlannedGroup, Unit, STEPS_FLOW_PER_M_S, VEHICLES_PER_LANE_H,
    WALK_FLOW_PER_M_S,
};
use crate::ccrp::{open_seconds, Reservation};
use corridor_roads::Profile;
use corridor_routing::INVALID;
use corridor_scenario::{Purpose, Scenario};

impl Network<'_> {
    /// Index in `arcs` of the checkpoint crossing, if any.
    fn crossing_index(&self, arcs: &[u32]) -> Option<usize> {
        arcs.iter()
            .position(|&a| self.checkpoint_of_arc[a as usize] != INVALID)
    }

    /// The corridor a group uses: the checkpoint it passes, else the reception it reaches.
    fn corridor_of(&self, r: &Reservation) -> Option<usize> {
        self.crossing_index(&r.arcs)
            .map(|i| self.checkpoints[self.checkpoint_of_arc[r.arcs[i] as usize] as usize].0)
            .or_else(|| self.sinks.iter().find(|x| x.0 == r.sink).map(|x| x.1))
    }

    /// When a group leaves the enclave: entering its checkpoint (or reaching the exit).
    fn exit_time(&self, r: &Reservation) -> f64 {
        self.crossing_index(&r.arcs)
            .map_or(r.arrive_s, |i| r.enter_s[i])
    }

    fn profile_of(&self, layer: usize) -> Profile {
        self.profile_graph(layer).profile
    }
}

/// Everything the report needs about one reservation.
struct Planned<'f, 'a> {
    flow: &'f Flow<'a>,
    r: &'f Reservation,
    unit: usize,
    layer: usize,
}

fn planned<'f, 'a>(flow: &'f Flow<'a>) -> impl Iterator<Item = Planned<'f, 'a>> {
    flow.plan.reservations.iter().map(move |r| {
        let g = &flow.groups[flow.source_group[r.source]];
        Planned {
            flow,
            r,
            unit: g.unit,
            layer: g.layer,
        }
    })
}

pub(crate) fn build(
    s: &Scenario,
    enclave: &str,
    units: &[Unit],
    civ: &Flow,
    comb: Option<&Flow>,
    separation: Option<super::Separation>,
) -> EvacuationReport {
    let ev = s.evacuation;
    let flows: Vec<&Flow> = std::iter::once(civ).chain(comb).collect();
    let all: Vec<Planned> = flows.iter().flat_map(|f| planned(f)).collect();
    let people: f64 = units.iter().map(|u| u.people).sum::<f64>().round();
    // Where the combatants start: assembly points (named in their groups) or neighbourhoods.
    let assembly = separation
        .as_ref()
        .filter(|x| x.assembly)
        .map(|x| x.starts.as_slice());
    let groups: Vec<PlannedGroup> = all
        .iter()
        .map(|p| match assembly {
            Some(points) if p.flow.purpose == Purpose::Combatant => PlannedGroup {
                neighbourhood: None,
                assembly_point: Some(points[p.unit].name.clone()),
                ..group_out(p)
            },
            _ => group_out(p),
        })
        .collect();
    let stranded = civ.stranded_total();
    let combatants_stranded = comb.map_or(0.0, Flow::stranded_total);
    let egress = all.iter().map(|p| p.r.last_arrive_s).reduce(f64::max);
    // Every valid bound (checkpoints, road cuts; both flows — the combatants' on their open
    // network, valid whichever routing a plan takes), largest first.
    let mut lower_bounds = super::road_bound::rows(&[civ]);
    if let Some(x) = separation.as_ref() {
        lower_bounds.extend(x.combatant_bounds.iter().cloned());
        lower_bounds.sort_by(|a, b| b.time_s.total_cmp(&a.time_s));
    }
    let over_routings = separation.as_ref().and_then(|x| x.over_routings.clone());
    if let Some(o) = over_routings.as_ref().filter(|o| o.bound_s > o.before_s) {
        lower_bounds.push(super::road_bound::LowerBoundRow {
            flow: "civilian",
            kind: "road cut over every combatant routing",
            time_s: o.bound_s,
            cut: Vec::new(),
            people_counted: None,
        });
        lower_bounds.sort_by(|a, b| b.time_s.total_cmp(&a.time_s));
    }
    let bound = lower_bounds
        .first()
        .map(|b| b.time_s)
        .filter(|_| egress.is_some());
    let gap = match (egress, bound) {
        (Some(e), Some(b)) if b > 0.0 => Some(e / b - 1.0),
        _ => None,
    };
    let no_egress_because = egress
        .is_none()
        .then(|| no_egress_reason(stranded, ev.stay_share));
    let staying = (people * ev.stay_share + stranded).round();
    let headline = headline(people, stranded, combatants_stranded, egress, bound, gap)
        .into_iter()
        .chain(no_egress_because.clone())
        .collect();
    let neighbourhoods = neighbourhoods(s, units, civ);
    EvacuationReport {
        enclave: enclave.to_string(),
        people,
        leaving: (people - staying).round(),
        staying,
        stranded: stranded.round(),
        walking_drivers: civ
            .groups
            .iter()
            .map(|g| g.walking_drivers)
            .sum::<f64>()
            .round(),
        combatants: ev.combatants,
        combatants_stranded: combatants_stranded.round(),
        combatants_stranded_because: comb
            .map_or_else(Vec::new, |f| stranded_because(f, assembly.unwrap_or(units))),
        headline,
        egress_time_s: egress.map(f64::round),
        lower_bound_s: bound.map(f64::floor),
        lower_bound_binds: lower_bounds
            .first()
            .filter(|_| egress.is_some())
            .map(|b| format!("{} {}", b.flow, b.kind)),
        lower_bounds,
        bound_seconds: 0.0,
        bound_over_combatant_routings: over_routings,
        lower_bound_given_combatant_roads_s: civ
            .bound_given_separation_s
            .filter(|_| egress.is_some())
            .map(f64::floor),
        road_bound_given_combatant_roads_s: None,
        combatant_roads_in_bound: separation.as_ref().map_or(0, |x| x.mandatory_segments),
        combatant_routings: separation.map_or_else(Vec::new, |x| x.routings),
        gap,
        no_egress_because,
        method: civ.method,
        methods: civ
            .methods
            .iter()
            .map(|m| MethodResult {
                method: m.method,
                egress_time_s: m.egress_time_s,
                stranded: m.stranded,
            })
            .collect(),
        corridors: corridors(s, &all, &flows),
        neighbourhoods,
        bottlenecks: bottlenecks(&flows),
        remaining_by_hour: remaining_by_hour(s, units, &all, egress.unwrap_or(0.0)),
        assumptions: assumptions(s),
        groups,
        routes: routes(s, &all),
    }
}

fn headline(
    people: f64,
    stranded: f64,
    combatants_stranded: f64,
    egress: Option<f64>,
    bound: Option<f64>,
    gap: Option<f64>,
) -> Vec<String> {
    let mut out = Vec::new();
    if stranded >= 0.5 {
        out.push(format!(
            "{stranded:.0} of {people:.0} people cannot reach any corridor and are stranded inside"
        ));
    }
    if combatants_stranded >= 0.5 {
        out.push(format!(
            "{combatants_stranded:.0} combatants cannot reach a combatant corridor"
        ));
    }
    // With anyone stranded, egress, bound and gap are about those who can leave: say so.
    let who = if stranded >= 0.5 {
        "of those who can leave, the last"
    } else {
        "the last person"
    };
    match (egress, bound, gap) {
        (Some(e), Some(b), Some(g)) => out.push(format!(
            "{who} reaches reception after {:.1} h; no plan can beat {:.1} h (lower bound): gap {:.1} %",
            e / 3600.0,
            b / 3600.0,
            g * 100.0
        )),
        (Some(e), _, _) => out.push(format!(
            "{who} reaches reception after {:.1} h",
            e / 3600.0
        )),
        // The reason follows (`no_egress_reason`).
        _ => {}
    }
    out
}

/// Why there is no egress time (and no gap): nobody who would leave can, or nobody leaves.
fn no_egress_reason(stranded: f64, stay_share: f64) -> String {
    if stranded >= 0.5 {
        "nobody can leave: nobody can reach a corridor's reception, every neighbourhood is stranded (see neighbourhoods[].stranded_because); no egress time and no gap".into()
    } else {
        format!("nobody leaves: stay_share = {stay_share} keeps everyone inside and there are no combatants; no egress time and no gap")
    }
}

/// Why the people of a flow's groups are stranded, one line per group with anyone stranded.
fn stranded_because(f: &Flow, units: &[Unit]) -> Vec<String> {
    (0..f.groups.len())
        .filter_map(|g| {
            let gr = &f.groups[g];
            let mode = f.net.profile_of(gr.layer).name();
            let who = &units[gr.unit].name;
            match &gr.start {
                Err(why) => Some(format!("{:.0} from {who} by {mode}: {why}", gr.people)),
                Ok(_) if f.stranded(g) >= 0.5 => Some(format!(
                    "{:.0} from {who} by {mode}: no route to a reception within the planning horizon",
                    f.stranded(g)
                )),
                Ok(_) => None,
            }
        })
        .collect()
}

fn corridors(s: &Scenario, all: &[Planned], flows: &[&Flow]) -> Vec<CorridorReport> {
    let n = s.corridors.len();
    let mut out: Vec<CorridorReport> = s
        .corridors
        .iter()
        .map(|c| CorridorReport {
            name: c.name.clone(),
            purpose: c.purpose,
            people: 0.0,
            first_arrival_s: None,
            last_arrival_s: None,
            peak_queue: 0.0,
            checkpoint_utilisation: 0.0,
            queue_by_hour: Vec::new(),
            crossed_by_hour: Vec::new(),
            unused_because: None,
        })
        .collect();
    let mut queue_events: Vec<Vec<(f64, f64)>> = vec![Vec::new(); n];
    let mut span: Vec<(f64, f64)> = vec![(f64::INFINITY, 0.0); n];
    let mut processed = vec![0.0; n];
    for p in all {
        let net = &p.flow.net;
        let Some(k) = net.corridor_of(p.r) else {
            continue;
        };
        let c = &mut out[k];
        c.people += p.r.people;
        c.first_arrival_s = Some(
            c.first_arrival_s
                .map_or(p.r.arrive_s, |x| x.min(p.r.arrive_s)),
        );
        c.last_arrival_s = Some(
            c.last_arrival_s
                .map_or(p.r.last_arrive_s, |x| x.max(p.r.last_arrive_s)),
        );
        if let Some(i) = net.crossing_index(&p.r.arcs) {
            let reach = if i == 0 {
                p.r.depart_s
            } else {
                p.r.enter_s[i - 1] + net.travel_s[p.r.arcs[i - 1] as usize]
            };
            queue_events[k].push((reach, p.r.people));
            queue_events[k].push((p.r.enter_s[i], -p.r.people));
            processed[k] += p.r.people;
            span[k].0 = span[k].0.min(p.r.enter_s[i]);
            span[k].1 = span[k].1.max(p.r.enter_s[i] + s.evacuation.bucket_s);
        }
    }
    for (k, c) in out.iter_mut().enumerate() {
        let mut events = std::mem::take(&mut queue_events[k]);
        events.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        (c.queue_by_hour, c.crossed_by_hour) = by_hour(&events);
        let mut q: f64 = 0.0;
        for (_, d) in events {
            q += d;
            c.peak_queue = c.peak_queue.max(q);
        }
        c.peak_queue = c.peak_queue.round();
        let cap = s.corridors[k].capacity_per_hour.unwrap_or(f64::INFINITY);
        let (a, z) = span[k];
        if z > a && cap.is_finite() {
            let open = open_seconds(&super::network::windows(s, k), a, z);
            c.checkpoint_utilisation = (processed[k] / (cap * open / 3600.0)).min(1.0);
        }
        if c.people <= 0.0 {
            let flow = flows.iter().find(|f| f.purpose == s.corridors[k].purpose);
            c.unused_because = Some(match flow {
                Some(f) => super::stranding::why_unused(f, k),
                None => "nobody of its purpose leaves (no combatants in the scenario)".into(),
            });
        }
        c.people = c.people.round();
    }
    out
}

/// From a checkpoint's time-sorted arrivals (+people) and crossings (−people): the largest
/// queue and the people crossed in each hour from the start, rounded to whole people. An hour
/// without events keeps the queue the previous one ended with.
fn by_hour(events: &[(f64, f64)]) -> (Vec<f64>, Vec<f64>) {
    let (mut queue, mut crossed): (Vec<f64>, Vec<f64>) = (Vec::new(), Vec::new());
    let mut q: f64 = 0.0;
    for &(t, d) in events {
        let h = (t / 3600.0).floor().max(0.0) as usize;
        while queue.len() <= h {
            queue.push(q);
            crossed.push(0.0);
        }
        q += d;
        queue[h] = queue[h].max(q);
        if d < 0.0 {
            crossed[h] -= d;
        }
    }
    let whole = |v: Vec<f64>| v.into_iter().map(|x| x.max(0.0).round()).collect();
    (whole(queue), whole(crossed))
}

fn neighbourhoods(s: &Scenario, units: &[Unit], civ: &Flow) -> Vec<NeighbourhoodReport> {
    let ev = s.evacuation;
    let b = ev.bucket_s;
    units
        .iter()
        .enumerate()
        .map(|(ui, u)| {
            let mut departures: Vec<(Profile, u64, f64)> = Vec::new();
            let mut by_corridor = vec![0.0; s.corridors.len()];
            let mut best_route: (f64, Vec<String>) = (0.0, Vec::new());
            for p in planned(civ).filter(|p| p.unit == ui) {
                if let Some(k) = civ.net.corridor_of(p.r) {
                    by_corridor[k] += p.r.people;
                }
                let profile = civ.net.profile_of(p.layer);
                departures.push((profile, (p.r.depart_s / b).floor() as u64, p.r.people));
                if p.r.people > best_route.0 {
                    let g = civ.net.profile_graph(p.layer);
                    let arcs: Vec<u32> =
                        p.r.arcs
                            .iter()
                            .map(|&a| civ.net.arc_of[a as usize].1)
                            .collect();
                    best_route = (p.r.people, g.arcs_streets(&arcs));
                }
            }
            departures.sort_by_key(|a| (a.0 as u8, a.1));
            let mut windows: Vec<DepartureWindow> = Vec::new();
            for (mode, bucket, people) in departures {
                let (from, to) = (bucket as f64 * b, (bucket + 1) as f64 * b);
                match windows.last_mut() {
                    Some(w) if w.mode == mode && w.to_s >= from - 1e-6 => {
                        w.to_s = w.to_s.max(to);
                        w.people += people;
                    }
                    _ => windows.push(DepartureWindow {
                        from_s: from,
                        to_s: to,
                        people,
                        mode,
                    }),
                }
            }
            for w in &mut windows {
                w.people = w.people.round();
            }
            let mine: Vec<usize> = (0..civ.groups.len())
                .filter(|&g| civ.groups[g].unit == ui)
                .collect();
            let stranded = mine.iter().fold(0.0, |total, &g| total + civ.stranded(g));
            let stranded_because: Vec<String> = mine
                .iter()
                .filter_map(|&g| {
                    let gr = &civ.groups[g];
                    let mode = civ.net.profile_of(gr.layer).name();
                    match &gr.start {
                        Err(why) => Some(format!("{:.0} by {mode}: {why}", gr.people)),
                        Ok(_) if civ.stranded(g) >= 0.5 => Some(format!(
                            "{:.0} by {mode}: no route to a reception within the planning horizon",
                            civ.stranded(g)
                        )),
                        Ok(_) => None,
                    }
                })
                .collect();
            let k = (0..by_corridor.len())
                .filter(|&k| by_corridor[k] > 0.0)
                .max_by(|&a, &b| by_corridor[a].total_cmp(&by_corridor[b]));
            NeighbourhoodReport {
                name: u.name.clone(),
                people: u.people.round(),
                leaving: (u.people * (1.0 - ev.stay_share) - stranded).round(),
                staying: (u.people * ev.stay_share + stranded).round(),
                corridor: k.map(|k| s.corridors[k].name.clone()),
                route: best_route.1,
                departure_windows: windows,
                only_exposed_routes: mine.iter().any(|&g| civ.only_exposed[g]),
                stranded: stranded.round(),
                stranded_because,
                notes: walking_drivers_note(&civ.groups, &mine)
                    .into_iter()
                    .collect(),
            }
        })
        .collect()
}

/// One note for a neighbourhood's drivers who walk instead (`mine`: its groups), summed over
/// its groups: the reason, or, when they walk for several (some have no usable road for
/// vehicles near them, others walk by the plan's choice), each reason with its people.
pub(crate) fn walking_drivers_note(groups: &[super::Group], mine: &[usize]) -> Option<String> {
    let walking: f64 = mine.iter().map(|&g| groups[g].walking_drivers).sum();
    let mut reasons: Vec<(&str, f64)> = Vec::new();
    for (why, people) in mine.iter().flat_map(|&g| &groups[g].walk_reasons) {
        match reasons.iter_mut().find(|r| r.0 == why) {
            Some(r) => r.1 += people,
            None => reasons.push((why, *people)),
        }
    }
    if walking < 0.5 || reasons.is_empty() {
        return None;
    }
    let why = match &reasons[..] {
        [(why, _)] => why.to_string(),
        _ => reasons
            .iter()
            .map(|(why, people)| format!("{people:.0}: {why}"))
            .collect::<Vec<_>>()
            .join("; "),
    };
    Some(format!("{walking:.0} who would drive walk instead: {why}"))
}

fn bottlenecks(flows: &[&Flow]) -> Vec<Bottleneck> {
    let mut out = Vec::new();
    for f in flows {
        let fnet = f.net.flow_network();
        for (r, used) in f.plan.used.iter().enumerate() {
            let sat = used
                .iter()
                .enumerate()
                .filter(|&(b, &x)| x > 0.0 && x >= fnet.bucket_capacity(r, b as u32) * (1.0 - 1e-6))
                .count();
            if sat > 0 {
                let info = &f.net.resources[r];
                out.push(Bottleneck {
                    name: info.name.clone(),
                    kind: info.kind,
                    osm_way_id: info.osm_way_id,
                    mode: info.mode,
                    saturated_buckets: sat,
                    capacity_per_hour: info.capacity_per_hour.round(),
                });
            }
        }
    }
    out.sort_by_key(|b| std::cmp::Reverse(b.saturated_buckets));
    out.truncate(12);
    out
}

/// One group's crossing, for the hour-by-hour count.
#[derive(Debug, Clone, Copy)]
struct Exit {
    purpose: Purpose,
    /// Its neighbourhood (civilians); where combatants start does not matter here.
    unit: usize,
    at_s: f64,
    people: f64,
}

/// Civilians still inside per neighbourhood, and combatants, hour by hour: until they pass
/// their checkpoint (at hour 0 everyone is inside: one who passes at that instant is at the
/// checkpoint). Stayers and the stranded stay to the end.
fn remaining_by_hour(s: &Scenario, units: &[Unit], all: &[Planned], egress: f64) -> Vec<HourRow> {
    let exits: Vec<Exit> = all
        .iter()
        .map(|p| Exit {
            purpose: p.flow.purpose,
            unit: p.unit,
            at_s: p.flow.net.exit_time(p.r),
            people: p.r.people,
        })
        .collect();
    let people: Vec<f64> = units.iter().map(|u| u.people).collect();
    remaining_rows(&people, s.evacuation.combatants, &exits, egress)
}

/// The rows of [`remaining_by_hour`]: per hour from 0 to one past the egress, the people of
/// each neighbourhood and the combatants not yet across (a crossing at exactly the hour counts
/// from the next row, so hour 0 counts everyone). Combatants are counted apart, never taken
/// from a neighbourhood.
fn remaining_rows(people: &[f64], combatants: f64, exits: &[Exit], egress: f64) -> Vec<HourRow> {
    let hours = (egress / 3600.0).ceil() as u32 + 1;
    (0..=hours)
        .map(|h| {
            let t = h as f64 * 3600.0;
            let mut by = people.to_vec();
            let mut fighters = combatants;
            for x in exits.iter().filter(|x| x.at_s < t) {
                match x.purpose {
                    Purpose::Civilian => by[x.unit] -= x.people,
                    Purpose::Combatant => fighters -= x.people,
                }
            }
            let by: Vec<f64> = by.iter().map(|x| x.max(0.0).round()).collect();
            HourRow {
                hour: h,
                inside: by.iter().sum(),
                by_neighbourhood: by,
                combatants_inside: fighters.max(0.0).round(),
            }
        })
        .collect()
}

fn group_out(p: &Planned) -> PlannedGroup {
    let net = &p.flow.net;
    let g = net.profile_graph(p.layer);
    let start = net.layer_node(net.graph.arc_tail(p.r.arcs[0])).1;
    let mut nodes = vec![g.node_osm_id[start as usize]];
    let mut ways = Vec::new();
    for &a in &p.r.arcs {
        let pa = net.arc_of[a as usize].1;
        nodes.push(g.node_osm_id[g.graph.arc_head(pa) as usize]);
        ways.push(g.edges.way_id[g.arc_edge(pa).0 as usize]);
    }
    PlannedGroup {
        neighbourhood: Some(p.unit),
        assembly_point: None,
        purpose: p.flow.purpose,
        mode: g.profile,
        people: p.r.people,
        corridor: net
            .corridor_of(p.r)
            .map(|k| net.layers[0].scenario.corridors[k].name.clone()),
        nodes,
        ways,
        enter_s: p.r.enter_s.clone(),
        arrive_s: p.r.arrive_s,
    }
}

fn routes(s: &Scenario, all: &[Planned]) -> Vec<LoadedRoute> {
    let mut agg: Vec<(Profile, Vec<u32>, f64, usize, usize)> = Vec::new();
    for p in all {
        let net = &p.flow.net;
        let k = net.corridor_of(p.r).unwrap_or(0);
        let arcs: Vec<u32> = p.r.arcs.iter().map(|&a| net.arc_of[a as usize].1).collect();
        let mode = net.profile_of(p.layer);
        match agg.iter_mut().find(|x| x.0 == mode && x.1 == arcs) {
            Some(x) => x.2 += p.r.people,
            None => agg.push((mode, arcs, p.r.people, k, p.layer)),
        }
    }
    let find_graph = |mode: Profile| {
        all.iter()
            .find(|p| p.flow.net.profile_of(p.layer) == mode)
            .map(|p| p.flow.net.profile_graph(p.layer))
    };
    agg.into_iter()
        .filter_map(|(mode, arcs, people, k, _)| {
            let g = find_graph(mode)?;
            Some(LoadedRoute {
                mode,
                corridor: s.corridors[k].name.clone(),
                people: people.round(),
                geometry: g.arcs_geometry(&arcs),
            })
        })
        .collect()
}

/// Where the combatants start, in words.
fn combatants_from(s: &Scenario) -> String {
    if s.assembly_points.is_empty() {
        return "the neighbourhoods, spread in proportion to their people".into();
    }
    let each: Vec<String> = s
        .assembly_points
        .iter()
        .map(|a| format!("{} at '{}'", a.combatants, a.name))
        .collect();
    format!(
        "the assembly points of [[evacuation.assembly_points]] ({})",
        each.join(", ")
    )
}

fn assumptions(s: &Scenario) -> Vec<String> {
    let ev = s.evacuation;
    vec![
        format!("{:.0} % of the people stay (the wounded, the elderly, those who refuse): [evacuation] stay_share", ev.stay_share * 100.0),
        if ev.foot_share > 0.0 {
            format!("{:.0} % of those leaving walk, the rest drive with {} people per vehicle; drivers may leave the car and walk from where they live when the plan says so — every driver with a foot start (methods \"drivers walk: …\"), or cell by cell or part of a cell where the road cut's or the flow over time's starts put them on foot (methods \"… and modes …\" and the valid road cut's), kept when that plan strands nobody more and finishes earlier — and those with no usable road for vehicles within 500 m always (walking_drivers counts them, neighbourhoods[].notes says why); the lower bound lets every driver start on foot or by car", ev.foot_share * 100.0, ev.people_per_vehicle)
        } else {
            format!("nobody walks (foot_share 0): everyone leaving drives with {} people per vehicle, no walking network is built, drivers with no usable road for vehicles within 500 m are stranded, and the lower bound counts drivers from car roads only", ev.people_per_vehicle)
        },
        format!("walking capacity {WALK_FLOW_PER_M_S} people/s per metre of width ({STEPS_FLOW_PER_M_S} on steps), widths from OSM or by road class; vehicles {VEHICLES_PER_LANE_H} per lane per hour"),
        "each checkpoint screens capacity_per_hour people in all, walkers and drivers from one pool, only within the corridor's opening hours (a 5-minute bucket partly open admits its open share); the road it stands on keeps its own walking or driving capacity too: a person crossing counts against both".into(),
        format!("the evacuation starts at {:02}:{:02} on {}; capacity is counted in {:.0}-minute buckets", (ev.start_s / 3600.0) as u32, ((ev.start_s % 3600.0) / 60.0) as u32, s.as_of, ev.bucket_s / 60.0),
        format!("people start at the nearest road node within {:.0} m of where they live from which a reception can be reached — a point neighbourhood at its point; an area's people spread evenly over the area on a grid of cells of at least {:.0} m (at most {:.0} cells), each cell from its nearest such node, unless a later schedule (see methods) starts its people from other such nodes of the cell, or from several; otherwise they are stranded and stay", super::MAX_START_M, super::start::START_CELL_M, super::start::MAX_START_CELLS),
        format!("routes above the exposure threshold ({}) are used only where no other exists (see neighbourhoods[].only_exposed_routes)", s.risk.exposure_threshold),
        format!("{:.0} combatants walk from {}, through the combatant corridors; they are planned first, and civilians, walking or driving, never use a stretch of road (a piece of an OSM way) that combatants use", ev.combatants, combatants_from(s)),
        "the combatants' routing is the one, among several tried (see combatant_routings: shortest; off the civilians' quickest ways; off every road of the civilians' plan without combatants; along a tree of the roads civilians need least; through one combatant corridor; where streets bind, off the combatant roads the civilians' road cut crosses, both finished through every later schedule), after which the civilian plan strands fewest civilians and then finishes first; a routing that strands combatants the shortest routing moves is never kept; combatants start at the nearest road node within 500 m from which a reception can be reached on their routing's roads".into(),
        "the civilian plan is the earliest-finishing of its CCRP schedules: plain, each neighbourhood split over checkpoints as in the relaxed optimum, and split in proportion to checkpoint capacity (these three also with every driver walking, kept if that strands nobody more and finishes earlier); where the civilians finish last and more than 3 % above the valid bounds, also split over the roads of the road bound's cut, started where the valid road cut lets them (drivers on car or foot nodes), and started from the nodes a flow over time on their roads uses, at its least finish and half a bucket later — each cell in its own mode, then again with drivers' foot nodes among their starts, the flow choosing the mode per cell; and last, each cell's people from every usable node within 500 m at once (in its own mode, then with drivers' foot nodes too, CCRP choosing per person), the cells arriving last then planned before the rest while that finishes earlier (see methods: each one tried is listed)".into(),
        "lower bound: the least time in which everyone who can leave could pass the checkpoints within their opening hours, each person no earlier than their shortest travel time to a checkpoint and on from it to a reception (from any road node within 500 m of where they live: in their mode, and on foot too for drivers, who may walk), and per 5-minute bucket no more through a checkpoint than its crossing roads' own capacities add up to — other road capacities and the exposure rule relaxed, and the separation from combatants relaxed except on the road pieces every combatant routing must use (combatant_roads_in_bound), closed to civilians: it holds for every plan in which every combatant who can leave does".into(),
        "nobody is reported as gone until they pass a checkpoint; the plan never reports an area as emptied".into(),
    ]
}

#[cfg(test)]
mod tests {
    use super::{by_hour, remaining_rows, Exit};
    use corridor_scenario::Purpose;

    /// Hand-computed: neighbourhoods of 100 and 50 people, 10 combatants who start in the
    /// first. Civilians of the first cross 40 at 0:30 and 30 at exactly 2:00 (30 stay; those
    /// crossing at the hour still count inside at it, so that hour 0 counts everyone); all 50
    /// of the second at 1:30; the combatants at 0:12. Egress 2:00, so hours 0..=3.
    #[test]
    fn remaining_by_hour_per_neighbourhood_with_combatants_apart_by_hand() {
        let exit = |purpose, unit, h: f64, people| Exit {
            purpose,
            unit,
            at_s: h * 3600.0,
            people,
        };
        let exits = [
            exit(Purpose::Civilian, 0, 0.5, 40.0),
            exit(Purpose::Civilian, 1, 1.5, 50.0),
            exit(Purpose::Combatant, 0, 0.2, 10.0),
            exit(Purpose::Civilian, 0, 2.0, 30.0),
        ];
        let rows = remaining_rows(&[100.0, 50.0], 10.0, &exits, 2.0 * 3600.0);
        let got: Vec<(u32, Vec<f64>, f64, f64)> = rows
            .iter()
            .map(|r| {
                (
                    r.hour,
                    r.by_neighbourhood.clone(),
                    r.inside,
                    r.combatants_inside,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (0, vec![100.0, 50.0], 150.0, 10.0),
                (1, vec![60.0, 50.0], 110.0, 0.0),
                (2, vec![60.0, 0.0], 60.0, 0.0),
                (3, vec![30.0, 0.0], 30.0, 0.0),
            ]
        );
    }

    /// Hand-computed: 100 arrive at 0:30 and cross at 0:50; 300 arrive at 1:10, 200 cross at
    /// 2:10 and 100 at 4:20; nothing happens in hour 3, which keeps the 100 still waiting.
    #[test]
    fn queue_and_crossings_by_hour_by_hand() {
        let m = |h: f64, min: f64| h * 3600.0 + min * 60.0;
        let events = [
            (m(0.0, 30.0), 100.0),
            (m(0.0, 50.0), -100.0),
            (m(1.0, 10.0), 300.0),
            (m(2.0, 10.0), -200.0),
            (m(4.0, 20.0), -100.0),
        ];
        let (queue, crossed) = by_hour(&events);
        assert_eq!(queue, vec![100.0, 300.0, 300.0, 100.0, 100.0]);
        assert_eq!(crossed, vec![100.0, 0.0, 200.0, 0.0, 100.0]);
        assert_eq!(by_hour(&[]), (vec![], vec![]));
    }
}
