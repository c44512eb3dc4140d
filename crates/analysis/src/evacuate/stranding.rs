//! Why people cannot start: the cause of each stranding named, so that a user can act on it.
//!
//! A cell's people are stranded in a mode when no road node of that mode inside the enclave
//! within [`MAX_START_M`] leads to a reception of their corridors on the flow's roads
//! ([`super::start::nearest_way_out`]). The cause is found by lifting the rules one at a time,
//! from the plan's roads outward, and taking the first that lets a node near the cell out:
//!
//! 0. the exposure rule lifted on the plan's own roads (where the rule is decided on the
//!    bound's roads, [`super::network::ExposureRules`]: the civilians'): then the other flow's
//!    routing closes every calm way of theirs — named, the reception the quickest remaining
//!    (exposed) way reaches, which the rule does not open to them;
//! 1. the scenario's own rules (closures, front lines, crossings outward only, nobody back in)
//!    without what the other flow and the routing close: then the other flow's roads strand
//!    them — named, those on the quickest way that the plan closes;
//! 2. closures and avoid areas lifted, the front line kept: the closures strand them — named,
//!    those on the quickest way;
//! 3. the rules of crossing once, outward, lifted too (only entering hostile ground away from
//!    a crossing of the flow's purpose still stops them): those rules strand them;
//! 4. every road open: the front line strands them — named, parties whose ground every way
//!    enters away from a crossing (step 3 let none out): those the quickest way enters, and
//!    while some way avoids them all, the parties that way enters too ("A or B");
//! 5. otherwise no road near them connects to a reception at all.
//!
//! Each step's claim holds for every way, not only the quickest: step `k` is reached only when
//! no way leads out under the stricter rules of step `k − 1`.

use super::network::{road_name, Network};
use super::separation::walk_tree;
use super::start::{Candidate, MAX_START_M};
use corridor_roads::geometry::haversine_m;
use corridor_routing::{OneToAll, Seed};
use corridor_scenario::{Purpose, Side, WHAT_IF};
use std::cell::RefCell;

/// Names listed per reason at most (the rest counted).
const NAMES_SHOWN: usize = 4;

/// What a rule lifted tells about the people it lets out.
#[derive(Clone, Copy, PartialEq)]
enum Lifted {
    /// The exposure rule on the plan's roads: the other flow's routing closes the calm ways.
    Exposure,
    /// The other flow's roads and the routing's choice: the scenario alone remains.
    OtherFlow,
    /// Closures and avoid areas.
    Closures,
    /// The rules of crossing once, outward (no crossing road taken inward, nobody back in).
    OnceOutward,
    /// The front line (everything).
    FrontLine,
}

/// One relaxation of the flow's roads: its travel times and the backward search from its
/// receptions.
struct Relaxation {
    lifted: Lifted,
    travel: Vec<f64>,
    to_exit: OneToAll,
}

/// The searches that name the causes of a flow's strandings (built once per flow, and only
/// when someone is stranded: three searches over the flow's network).
pub(crate) struct Causes<'n, 'a> {
    net: &'n Network<'a>,
    relaxations: Vec<Relaxation>,
    /// Per set of parties whose grounds are closed (and only those): the backward search from
    /// the receptions, kept because every cell the front line strands asks again.
    avoiding: RefCell<Vec<(Vec<usize>, OneToAll)>>,
}

impl<'n, 'a> Causes<'n, 'a> {
    pub fn new(net: &'n Network<'a>) -> Self {
        let duration = |&(l, pa): &(usize, u32)| net.layers[l].graph.arc_duration_s[pa as usize];
        let open: Vec<f64> = net.arc_of.iter().map(duration).collect();
        let line_only: Vec<f64> = net
            .arc_of
            .iter()
            .map(|x| {
                if net.layers[x.0].line_parties(x.1, net.side).is_empty() {
                    duration(x)
                } else {
                    f64::INFINITY
                }
            })
            .collect();
        let exposure = net
            .rules_fixed()
            .then(|| (Lifted::Exposure, net.travel_s.clone()));
        let relaxations = exposure
            .into_iter()
            .chain([
                (Lifted::OtherFlow, net.scenario_travel(false)),
                (Lifted::Closures, net.scenario_travel(true)),
                (Lifted::OnceOutward, line_only),
                (Lifted::FrontLine, open),
            ])
            .map(|(lifted, travel)| {
                let to_exit = to_receptions(net, &travel);
                Relaxation {
                    lifted,
                    travel,
                    to_exit,
                }
            })
            .collect();
        Causes {
            net,
            relaxations,
            avoiding: RefCell::new(Vec::new()),
        }
    }

    /// Why nobody of the cell at `at` can start in `mode` though `candidates` (that mode's,
    /// see [`Network::start_candidates`]) has nodes within [`MAX_START_M`] — none of which
    /// leads out on the plan's roads.
    pub fn why(&self, at: [f64; 2], candidates: &[Candidate], mode: &str) -> String {
        let mut near: Vec<(f64, u32)> = candidates
            .iter()
            .map(|c| (haversine_m(c.at, at), c.node))
            .filter(|x| x.0 <= MAX_START_M)
            .collect();
        near.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let purpose = purpose_name(self.net.side.purpose());
        let from = format!("the {mode} roads within {MAX_START_M:.0} m");
        let to = format!("a {purpose} corridor ({})", listed(self.corridor_names()));
        let mut stricter = &self.net.travel_s;
        for r in &self.relaxations {
            let Some(&(_, v)) = near.iter().find(|x| r.to_exit.cost(x.1).is_finite()) else {
                stricter = &r.travel;
                continue;
            };
            let mut way = Vec::new();
            let reached = walk_tree(&self.net.graph, &r.to_exit, v, &mut way);
            let cut: Vec<u32> = way
                .into_iter()
                .filter(|&a| !stricter[a as usize].is_finite())
                .collect();
            return match r.lifted {
                Lifted::Exposure => format!(
                    "the combatants' roads close every calm way from {from} to {to}: the exposure rule, decided on the roads every combatant routing leaves, keeps these people to receptions reached below the threshold ({}), and the ways left lead only to {} above it",
                    listed(self.allowed_names(v)),
                    listed(self.reception_names(reached))
                ),
                Lifted::OtherFlow => {
                    let whose = match self.net.side {
                        Side::Party(_) => "the combatants' routing leaves to the civilians",
                        _ => "the combatants take",
                    };
                    format!(
                        "every way from {from} to {to} that closures and front lines leave takes a road {whose} (on the quickest: {})",
                        listed(self.road_names(&cut))
                    )
                }
                Lifted::Closures => format!(
                    "every way from {from} to {to} that the front lines leave is closed (on the quickest: {})",
                    listed(self.closure_names(&cut))
                ),
                Lifted::OnceOutward => format!(
                    "every way from {from} to {to} that closures and front lines leave crosses the front line inward or comes back into the enclave after a crossing (people cross once, outward)"
                ),
                Lifted::FrontLine => format!(
                    "no way from {from} reaches {to} without entering ground held by {} away from a {purpose} crossing",
                    self.party_names(&self.parties_every_way_enters(&near, &cut))
                        .join(" or ")
                ),
            };
        }
        format!(
            "{from} connect to the reception of no {purpose} corridor ({}) on any road, even with every closure and front line lifted",
            listed(self.corridor_names())
        )
    }

    /// The corridors whose receptions the exposure rule lets people starting at `v` use.
    fn allowed_names(&self, v: u32) -> Vec<String> {
        let s = self.net.layers[0].scenario;
        let allowed = &self.net.exposure_rules().of(v).0;
        once_each(allowed.iter().map(|&k| s.corridors[k].name.clone()))
    }

    /// The corridors whose reception is at node `sink`.
    fn reception_names(&self, sink: u32) -> Vec<String> {
        let s = self.net.layers[0].scenario;
        let at = self.net.sinks.iter().filter(|x| x.0 == sink);
        once_each(at.map(|x| format!("the reception of {}", s.corridors[x.1].name)))
    }

    /// The flow's corridors.
    fn corridor_names(&self) -> Vec<String> {
        let s = self.net.layers[0].scenario;
        let names = self.net.checkpoints.iter();
        once_each(names.map(|&(k, _)| s.corridors[k].name.clone()))
    }

    /// The roads of `arcs`, once each, in order.
    fn road_names(&self, arcs: &[u32]) -> Vec<String> {
        once_each(arcs.iter().map(|&a| {
            let (l, pa) = self.net.arc_of[a as usize];
            let g = self.net.layers[l].graph;
            road_name(g, g.arc_edge(pa).0)
        }))
    }

    /// The closures (or avoid areas) that close `arcs`, once each, in order.
    fn closure_names(&self, arcs: &[u32]) -> Vec<String> {
        let s = self.net.layers[0].scenario;
        once_each(arcs.iter().filter_map(|&a| {
            let (l, pa) = self.net.arc_of[a as usize];
            let sm = self.net.layers[l];
            let e = sm.graph.arc_edge(pa).0;
            match sm.closure_of(e) {
                Some(WHAT_IF) => Some(format!("{} (closed for a what-if)", road_name(sm.graph, e))),
                Some(i) => Some(
                    s.closures[i]
                        .name
                        .clone()
                        .unwrap_or_else(|| format!("the closure of {}", road_name(sm.graph, e))),
                ),
                None => (sm.arc_blocked(pa, self.net.side) == Some("avoid area"))
                    .then(|| format!("an avoid area on {}", road_name(sm.graph, e))),
            }
        }))
    }

    /// The parties whose ground arc `a` enters away from a crossing of the flow's purpose.
    fn line_parties(&self, a: u32) -> Vec<usize> {
        let (l, pa) = self.net.arc_of[a as usize];
        self.net.layers[l].line_parties(pa, self.net.side)
    }

    /// Parties such that every way from the `near` nodes to a reception enters the ground of
    /// one of them away from a crossing: those the quickest way's `cut` arcs enter, then, while
    /// some way avoids all of those (it enters another party's ground: every way enters some
    /// hostile ground, or an earlier relaxation would have let it out), the parties that way
    /// enters too. Naming only the quickest way's parties would claim that no way avoids them,
    /// which a way over a third party's ground refutes.
    fn parties_every_way_enters(&self, near: &[(f64, u32)], cut: &[u32]) -> Vec<usize> {
        let net = self.net;
        let mut held: Vec<usize> = Vec::new();
        let add = |held: &mut Vec<usize>, arcs: &[u32]| {
            let before = held.len();
            for &a in arcs {
                for p in self.line_parties(a) {
                    if !held.contains(&p) {
                        held.push(p);
                    }
                }
            }
            held.len() > before
        };
        add(&mut held, cut);
        loop {
            held.sort_unstable();
            let mut cache = self.avoiding.borrow_mut();
            let i = match cache.iter().position(|x| x.0 == held) {
                Some(i) => i,
                None => {
                    cache.push((held.clone(), self.search_avoiding(&held)));
                    cache.len() - 1
                }
            };
            let to_exit = &cache[i].1;
            let Some(&(_, v)) = near.iter().find(|x| to_exit.cost(x.1).is_finite()) else {
                return held;
            };
            let mut way = Vec::new();
            walk_tree(&net.graph, to_exit, v, &mut way);
            drop(cache);
            if !add(&mut held, &way) {
                return held; // cannot happen (see above); never loop
            }
        }
    }

    /// The backward search from the receptions on every road but those entering the ground of
    /// one of `parties` away from a crossing.
    fn search_avoiding(&self, parties: &[usize]) -> OneToAll {
        let net = self.net;
        let travel: Vec<f64> = (0..net.arc_of.len() as u32)
            .map(|a| {
                let (l, pa) = net.arc_of[a as usize];
                if self.line_parties(a).iter().any(|p| parties.contains(p)) {
                    f64::INFINITY
                } else {
                    net.layers[l].graph.arc_duration_s[pa as usize]
                }
            })
            .collect();
        to_receptions(net, &travel)
    }

    /// The names of parties `parties`, in order.
    fn party_names(&self, parties: &[usize]) -> Vec<String> {
        let s = self.net.layers[0].scenario;
        parties
            .iter()
            .map(|&p| {
                let party = &s.parties[p];
                if party.name.is_empty() {
                    party.id.clone()
                } else {
                    party.name.clone()
                }
            })
            .collect()
    }
}

/// The backward search to the receptions still reachable on `travel` (per arc, seconds;
/// `INFINITY` = closed): which nodes lead out under one set of rules, and how soon.
fn to_receptions(net: &Network, travel: &[f64]) -> OneToAll {
    let seeds: Vec<Seed> = net
        .sink_nodes_on(travel)
        .into_iter()
        .map(|v| Seed { node: v, cost: 0.0 })
        .collect();
    let mut to_exit = OneToAll::new(&net.graph);
    to_exit.run(&net.graph, travel, &seeds, f64::INFINITY, true);
    to_exit
}

fn purpose_name(p: Purpose) -> &'static str {
    match p {
        Purpose::Civilian => "civilian",
        Purpose::Combatant => "combatant",
    }
}

fn once_each(names: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in names {
        if !out.contains(&n) {
            out.push(n);
        }
    }
    out
}

/// `names` joined, at most [`NAMES_SHOWN`] and how many more.
fn listed(names: Vec<String>) -> String {
    if names.is_empty() {
        return "none named".into();
    }
    let more = names.len().saturating_sub(NAMES_SHOWN);
    let mut out = names[..names.len().min(NAMES_SHOWN)].join(", ");
    if more > 0 {
        out.push_str(&format!(" and {more} more"));
    }
    out
}

/// Why corridor `k` carries nobody of `flow` (the flow of its purpose), by name: its crossing
/// road closed (the closures named), not in force, taken by the other flow, its reception out
/// of reach, its crossing roads out of every group's reach, no road on from them to a
/// reception, or merely slower than another corridor for everyone who could use it.
pub(crate) fn why_unused(flow: &super::Flow, k: usize) -> String {
    let net = &flow.net;
    let purpose = purpose_name(net.side.purpose());
    let Some(ci) = net.checkpoints.iter().position(|c| c.0 == k) else {
        return format!("not planned for {purpose}s");
    };
    let crossing: Vec<usize> = (0..net.arc_of.len())
        .filter(|&a| net.checkpoint_of_arc[a] == ci as u32)
        .collect();
    if crossing.is_empty() {
        return no_crossing(net, k);
    }
    if crossing.iter().all(|&a| !net.travel_s[a].is_finite()) {
        let scenario = net.scenario_travel(false);
        return if crossing.iter().any(|&a| scenario[a].is_finite()) {
            match net.side {
                Side::Party(_) => {
                    "its crossing roads are left to the civilians by the combatants' routing".into()
                }
                _ => "its crossing roads are taken by the combatants".into(),
            }
        } else {
            "its crossing roads lead only back into the enclave".into()
        };
    }
    if !net.sinks.iter().any(|x| x.1 == k) {
        return format!(
            "its reception lies more than {:.0} m from every road {purpose}s can reach beyond the line",
            super::network::MAX_RECEPTION_M
        );
    }
    let (tree, _) = net.checkpoint_trees().swap_remove(ci);
    let reached = flow
        .groups
        .iter()
        .filter_map(|g| g.start.as_ref().ok())
        .any(|&v| tree.cost(v).is_finite());
    if !reached {
        return format!(
            "no {purpose} group can reach its crossing roads on the roads open to them"
        );
    }
    if !leads_on(net, &crossing) {
        return format!(
            "beyond its crossing roads no road leads on to a reception of a {purpose} corridor"
        );
    }
    "groups can reach it, but each reaches a reception earlier through another corridor (or the exposure rule keeps it to a calmer route)".into()
}

/// Whether a reception of the flow can be reached, on the flow's roads, from the far end of
/// one of the open `crossing` arcs.
fn leads_on(net: &Network, crossing: &[usize]) -> bool {
    let seeds: Vec<Seed> = net
        .sink_nodes()
        .iter()
        .map(|&v| Seed { node: v, cost: 0.0 })
        .collect();
    let mut to_exit = OneToAll::new(&net.graph);
    to_exit.run(&net.graph, &net.travel_s, &seeds, f64::INFINITY, true);
    crossing.iter().any(|&a| {
        net.travel_s[a].is_finite() && to_exit.cost(net.graph.arc_head(a as u32)).is_finite()
    })
}

/// Why corridor `k`'s checkpoint opens no crossing arc: its crossing road closed (named), the
/// corridor not in force on the scenario's date for any mode, or no road there enters hostile
/// ground for the flow.
fn no_crossing(net: &Network, k: usize) -> String {
    let s = net.layers[0].scenario;
    let mut closures: Vec<String> = Vec::new();
    let mut in_force = false;
    for sm in &net.layers {
        for c in sm.checkpoints.iter().filter(|c| c.corridor == k) {
            in_force |= c.in_force;
            for &e in &c.edges {
                match sm.closure_of(e) {
                    Some(WHAT_IF) => {
                        closures.push(format!("{} (closed for a what-if)", road_name(sm.graph, e)))
                    }
                    Some(i) => {
                        closures.push(s.closures[i].name.clone().unwrap_or_else(|| {
                            format!("the closure of {}", road_name(sm.graph, e))
                        }))
                    }
                    None => {}
                }
            }
        }
    }
    let closures = once_each(closures.into_iter());
    if !closures.is_empty() {
        format!("its crossing road is closed: {}", listed(closures))
    } else if !in_force {
        "it is not in force on the scenario's date for any mode".into()
    } else {
        "its checkpoint opens no road into hostile ground for this flow".into()
    }
}
