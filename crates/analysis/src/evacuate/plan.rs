//! Planning one flow: three CCRP schedules (more where streets bind, and again with drivers walking), the
//! earliest-finishing one kept.
//!
//! 1. *earliest arrival*: plain CCRP — every group may use every checkpoint;
//! 2. *relaxed optimum*: the people per group and checkpoint of the bound's relaxed schedule
//!    (on the planner's own travel times), each share scheduled by CCRP through its checkpoint
//!    only — CCRP's greedy order cannot then crowd a checkpoint with people who had another;
//! 3. *proportional*: each group split over the checkpoints it can reach in proportion to their
//!    capacity, then CCRP — the simple rule a plan must never be worse than.
//!
//! A method whose schedule strands people the first one moves is discarded. Once the road
//! bounds are known, [`replan_by_road_cut`] may add a fourth: the road cut's assignment; and
//! [`replan_from_valid_cut`] a fifth: the valid road cut's starts and assignment; and
//! [`replan_by_flow_over_time`] a sixth: the starts a flow over time on the flow's own roads
//! uses, and a seventh: those of a second flow over time half a bucket later; and, last,
//! [`replan_spread`]: each cell's people from every usable start node at once, its tail
//! planned first.

use super::bound::{instance, instance_any_start, lower_bound, Bound, BoundInstance};
use super::network::Network;
use super::road_bound::StartingPeople;
use super::{Flow, Group, MethodResult};
use crate::ccrp::{ccrp, ccrp_in_phases, CcrpPlan, Source};
use corridor_scenario::Purpose;
use rayon::prelude::*;

/// Sources per method: the CCRP sources and, per source, its group.
struct Split {
    method: &'static str,
    sources: Vec<Source>,
    source_group: Vec<usize>,
}

/// People the bound treats as one: a cell's people in one mode, who may start from any node
/// the start rule could give them under some routing of the other flow ([`super::start`]).
#[derive(Debug, Clone)]
pub(crate) struct BoundCell {
    /// Their group in the plan.
    pub group: usize,
    pub people: f64,
    /// Every node within [`super::MAX_START_M`] of the cell inside the enclave in their mode,
    /// and for drivers their foot nodes too, whether they drive or walk in this plan
    /// ([`super::start::bound_start_nodes`]: drivers may leave the car and walk when the plan
    /// says so, and a routing of the other flow that closes every car road near them makes
    /// them walk — the bounds cover both). Which of them is usable depends on the roads the
    /// other flow takes; the planner picks among the usable ones of its group's mode.
    pub nodes: Vec<u32>,
    /// Why they walk though they would drive, if so (no usable road for vehicles near them).
    pub walk_because: Option<String>,
    /// Their mode is a vehicle's: they may also start on foot from their foot nodes in
    /// `nodes` (drivers may leave the car and walk when the plan says so) — the sixth and
    /// seventh schedules choose per cell ([`replan_by_flow_over_time`]).
    pub drives: bool,
}

/// The note on drivers who walk because the plan chose it for their cell.
pub(crate) const WALK_BY_CHOICE: &str = "by the plan's choice, per place: from where they live, walking gets them out sooner than driving on the roads and through the checkpoints left to them (the mode is chosen per place)";

/// The startable groups of a flow and the receptions each may use (the exposure rule).
pub(crate) struct Classes {
    /// Groups with a start node, and that node.
    pub startable: Vec<usize>,
    pub nodes: Vec<u32>,
    /// Per startable group: its receptions, and whether only exposed routes lead there.
    pub rules: Vec<(Vec<u32>, bool)>,
    /// Distinct reception sets, and per startable group the index of its set.
    pub class_sinks: Vec<Vec<u32>>,
    pub class: Vec<usize>,
}

impl Classes {
    pub fn of(net: &Network, groups: &[Group]) -> Classes {
        let startable: Vec<usize> = (0..groups.len())
            .filter(|&g| groups[g].start.is_ok())
            .collect();
        let nodes: Vec<u32> = startable
            .iter()
            .map(|&g| *groups[g].start.as_ref().expect("startable"))
            .collect();
        let rules = net.allowed_sinks(&nodes);
        let mut class_sinks: Vec<Vec<u32>> = Vec::new();
        let class = rules
            .iter()
            .map(|r| class_index(&mut class_sinks, &r.0))
            .collect();
        Classes {
            startable,
            nodes,
            rules,
            class_sinks,
            class,
        }
    }

    /// Per startable group: its start node, people and class.
    pub fn sources(&self, groups: &[Group]) -> Vec<(u32, f64, usize)> {
        self.startable
            .iter()
            .enumerate()
            .map(|(i, &g)| (self.nodes[i], groups[g].people, self.class[i]))
            .collect()
    }
}

/// The index of `sinks` in `classes`, added if new.
fn class_index(classes: &mut Vec<Vec<u32>>, sinks: &[u32]) -> usize {
    match classes.iter().position(|c| c == sinks) {
        Some(i) => i,
        None => {
            classes.push(sinks.to_vec());
            classes.len() - 1
        }
    }
}

/// The relaxation on the planner's own network (the other flow's roads closed) with the
/// planner's start nodes: what a plan with these roads and starts cannot beat, and the
/// relaxed schedule's assignment per startable group and checkpoint.
pub(crate) fn own_bound(
    net: &Network,
    groups: &[Group],
) -> (Classes, BoundInstance, Option<Bound>) {
    let classes = Classes::of(net, groups);
    let own = instance(
        &net.bound_network(false, classes.class_sinks.clone()),
        &classes.sources(groups),
    );
    let bound = lower_bound(&own);
    (classes, own, bound)
}

/// The lower bound from the inputs alone (relaxed network: the other flow's roads open but
/// for those every plan of it uses), valid whichever start node the rule gives each cell: per
/// cell the least time over every node it could start from, its receptions those allowed from
/// any of them (or from the planner's start). Only the cells of startable groups count: it
/// bounds the time to move the people this plan moves. The receptions are those the exposure
/// rule allows each node: for the civilians decided once on the bound's roads
/// ([`super::network::ExposureRules`]) and kept under every routing of the combatants, so the
/// union over a cell's nodes holds for every routing and every pick of start node.
///
/// With `relaxed` false, the same on the planner's own network (the other flow's roads
/// closed, the exposure rule the planner applies): the bound given the other flow's roads,
/// valid for every plan on those roads whichever start and mode (drivers' foot nodes
/// included) each cell takes — the fourth to seventh schedules and "drivers walk" restart
/// cells on any of them, so a bound from the planner's first starts alone ([`own_bound`])
/// could lie above the plan kept.
fn any_start_bound(
    net: &Network,
    classes: &Classes,
    cells: &[BoundCell],
    relaxed: bool,
) -> Option<f64> {
    let sets = any_start_sets(classes, cells);
    let mut nodes: Vec<u32> = sets.iter().flat_map(|c| c.0.iter().copied()).collect();
    nodes.sort_unstable();
    nodes.dedup();
    let relaxed_rules = if relaxed {
        net.bound_allowed_sinks(&nodes)
    } else {
        net.allowed_sinks(&nodes)
    };
    let rule_of = |v: u32| &relaxed_rules[nodes.binary_search(&v).expect("listed")].0;
    let mut class_sinks: Vec<Vec<u32>> = Vec::new();
    let sources: Vec<(Vec<u32>, f64, usize)> = sets
        .into_iter()
        .map(|(from, people, i)| {
            let mut sinks = classes.rules[i].0.clone();
            for &v in &from {
                sinks.extend(rule_of(v));
            }
            sinks.sort_unstable();
            sinks.dedup();
            (from, people, class_index(&mut class_sinks, &sinks))
        })
        .collect();
    lower_bound(&instance_any_start(
        &net.bound_network(relaxed, class_sinks),
        &sources,
    ))
    .map(|b| b.time_s)
}

/// Per cell of a startable group: every node it may start from under any routing of the other
/// flow (its nodes within [`super::MAX_START_M`] and the planner's start), its people, and the
/// index of its group among `classes.startable`. Nodes whose roads every routing of the other
/// flow closes are listed too: the bound's travel times close them, so they reach nothing.
fn any_start_sets(classes: &Classes, cells: &[BoundCell]) -> Vec<(Vec<u32>, f64, usize)> {
    cells
        .iter()
        .filter_map(|c| {
            let i = classes.startable.binary_search(&c.group).ok()?;
            let mut from = c.nodes.clone();
            from.push(classes.nodes[i]);
            from.sort_unstable();
            from.dedup();
            Some((from, c.people, i))
        })
        .collect()
}

/// Where each cell's people start, once the planner knows where they should go: the relaxed
/// optimum over every start the rule allows (any usable node of their group's mode within
/// [`super::MAX_START_M`], on this flow's own roads) splits each cell's people over the
/// checkpoints, and each share starts from the usable node nearest in time to its checkpoint.
/// The bound lets people start from any such node; a planner that kept everyone at the node
/// nearest to their cell would give away what the bound allows (on the synthetic Malta enclave
/// about 14 %). Cells the relaxation cannot route keep their first start.
pub(crate) fn starts_by_checkpoint(
    net: &Network,
    groups: Vec<Group>,
    cells: Vec<BoundCell>,
) -> (Vec<Group>, Vec<BoundCell>) {
    let usable: std::collections::HashSet<u32> = (0..net.layers.len())
        .flat_map(|l| net.start_candidates(l))
        .filter(|k| k.open && k.leads_out)
        .map(|k| k.node)
        .collect();
    // Per cell: its usable nodes in its group's mode (none if the group has no start).
    let options: Vec<Vec<u32>> = cells
        .iter()
        .map(|c| {
            let g = &groups[c.group];
            if g.start.is_err() {
                return Vec::new();
            }
            c.nodes
                .iter()
                .copied()
                .filter(|v| usable.contains(v) && net.layer_node(*v).0 == g.layer)
                .collect()
        })
        .collect();
    let people: Vec<f64> = cells.iter().map(|c| c.people).collect();
    let Some(rows) = relaxed_assignment(net, &options, &people) else {
        return (groups, cells);
    };
    let trees = net.checkpoint_trees();
    let mut out: Vec<Group> = Vec::new();
    let mut out_cells = Vec::new();
    for (j, cell) in cells.into_iter().enumerate() {
        let g = &groups[cell.group];
        let mut shares: Vec<(Result<u32, String>, f64)> = Vec::new();
        if let Some(row) = &rows[j] {
            let total: f64 = row.iter().sum();
            for (ci, &q) in row.iter().enumerate().filter(|x| *x.1 > 1e-9) {
                let best = options[j].iter().copied().min_by(|&a, &b| {
                    trees[ci]
                        .0
                        .cost(a)
                        .total_cmp(&trees[ci].0.cost(b))
                        .then(a.cmp(&b))
                });
                if let Some(v) = best {
                    shares.push((Ok(v), cell.people * q / total));
                }
            }
        }
        if shares.is_empty() {
            shares.push((g.start.clone(), cell.people));
        }
        let mut first = None;
        for (start, people) in shares {
            let i = super::add_to_group(
                &mut out,
                g.unit,
                g.layer,
                start,
                people,
                cell.walk_because.clone(),
            );
            first.get_or_insert(i);
        }
        out_cells.push(BoundCell {
            group: first.expect("a share"),
            ..cell
        });
    }
    (out, out_cells)
}

/// The relaxed optimum's assignment (the bound's relaxation on this flow's own roads) when
/// each cell `j` may start from any of `options[j]` with `people[j]`: per cell its people per
/// checkpoint (in the order of the network's checkpoints), `None` for a cell without options;
/// `None` if the relaxation cannot route them.
fn relaxed_assignment(
    net: &Network,
    options: &[Vec<u32>],
    people: &[f64],
) -> Option<Vec<Option<Vec<f64>>>> {
    let mut nodes: Vec<u32> = options.iter().flatten().copied().collect();
    nodes.sort_unstable();
    nodes.dedup();
    let rules = net.allowed_sinks(&nodes);
    let mut class_sinks: Vec<Vec<u32>> = Vec::new();
    let mut sources = Vec::new();
    let mut source_of_cell = vec![None; options.len()];
    for (j, opts) in options.iter().enumerate() {
        if opts.is_empty() {
            continue;
        }
        let mut sinks: Vec<u32> = opts
            .iter()
            .flat_map(|v| {
                rules[nodes.binary_search(v).expect("listed")]
                    .0
                    .iter()
                    .copied()
            })
            .collect();
        sinks.sort_unstable();
        sinks.dedup();
        source_of_cell[j] = Some(sources.len());
        sources.push((
            opts.clone(),
            people[j],
            class_index(&mut class_sinks, &sinks),
        ));
    }
    let relaxed = lower_bound(&instance_any_start(
        &net.bound_network(false, class_sinks),
        &sources,
    ))?;
    Some(
        source_of_cell
            .iter()
            .map(|k| k.map(|k| relaxed.assignment[k].clone()))
            .collect(),
    )
}

pub(crate) fn plan<'a>(
    net: Network<'a>,
    purpose: Purpose,
    groups: Vec<Group>,
    cells: &[BoundCell],
) -> Result<Flow<'a>, super::EvacuationError> {
    let (classes, own, own_bound) = own_bound(&net, &groups);
    let mut only_exposed = vec![false; groups.len()];
    for (i, &g) in classes.startable.iter().enumerate() {
        only_exposed[g] = classes.rules[i].1;
    }
    // The bound: relaxed network, inputs only, any start the rule allows.
    let bound_s = any_start_bound(&net, &classes, cells, true);
    let bound_starts = any_start_sets(&classes, cells)
        .into_iter()
        .map(|(starts, people, _)| StartingPeople { starts, people })
        .collect();
    let bound_cells: Vec<BoundCell> = cells
        .iter()
        .filter(|c| classes.startable.binary_search(&c.group).is_ok())
        .cloned()
        .collect();
    // Not `own_bound`'s time: that counts each group from its first start (drivers on their
    // car nodes), and the later schedules may start them elsewhere or on foot.
    let bound_given_separation_s = any_start_bound(&net, &classes, cells, false);
    let assignment = own_bound.map(|b| b.assignment);
    let (startable, nodes, rules) = (&classes.startable, &classes.nodes, &classes.rules);
    let people: Vec<(u32, f64)> = startable
        .iter()
        .zip(nodes)
        .map(|(&g, &v)| (v, groups[g].people))
        .collect();
    let checkpoint_resources: Vec<u32> = net.checkpoints.iter().map(|x| x.1).collect();
    let base = |i: usize, people: f64, forbidden: Vec<u32>| Source {
        node: nodes[i],
        people,
        sinks: rules[i].0.clone(),
        forbidden,
        also_from: Vec::new(),
        same_people_as: None,
    };
    let mut splits = vec![Split {
        method: "earliest arrival (CCRP)",
        sources: (0..startable.len())
            .map(|i| base(i, people[i].1, Vec::new()))
            .collect(),
        source_group: startable.clone(),
    }];
    // Even when it splits nobody it differs from plain CCRP: each group keeps to the
    // checkpoint the relaxed optimum gave it instead of taking whichever frees up first.
    if let Some(a) = assignment.as_ref() {
        splits.push(by_shares(
            "relaxed optimum's assignment, then CCRP",
            startable,
            &people,
            a,
            &checkpoint_resources,
            &base,
        ));
    }
    let prop = proportional(&own, &net);
    if splits_any(&prop) {
        splits.push(by_shares(
            "proportional to checkpoint capacity, then CCRP",
            startable,
            &people,
            &prop,
            &checkpoint_resources,
            &base,
        ));
    }
    let fnet = net.flow_network();
    let mut best: Option<(CcrpPlan, Split)> = None;
    let mut methods = Vec::new();
    let mut reference_stranded = None;
    // The methods are independent schedules on one network: computed side by side.
    let plans: Vec<CcrpPlan> = splits
        .par_iter()
        .map(|split| ccrp(&fnet, &split.sources))
        .collect();
    for (split, plan) in splits.into_iter().zip(plans) {
        let stranded: f64 = plan.stranded.iter().sum();
        let reference = *reference_stranded.get_or_insert(stranded);
        let egress = plan.egress_s();
        methods.push(MethodResult {
            method: split.method,
            egress_time_s: egress.map(f64::round),
            stranded,
        });
        if stranded > reference + 1e-6 {
            continue;
        }
        let better = match &best {
            None => true,
            Some((b, _)) => {
                egress.unwrap_or(f64::INFINITY) < b.egress_s().unwrap_or(f64::INFINITY) - 1e-6
            }
        };
        if better {
            best = Some((plan, split));
        }
    }
    let (plan, split) = best.expect("the first method is always kept");
    drop(fnet);
    Ok(Flow {
        net,
        purpose,
        groups,
        plan,
        source_group: split.source_group,
        only_exposed,
        bound_s,
        bound_given_separation_s,
        road_bound: None,
        over_time_bound: None,
        bound_starts,
        bound_cells,
        method: split.method,
        methods,
    })
}

/// Whether some group is split over two or more checkpoints (else the split is plain CCRP).
fn splits_any(shares: &[Vec<f64>]) -> bool {
    shares
        .iter()
        .any(|g| g.iter().filter(|&&q| q > 1e-9).count() > 1)
}

/// Sources from per-group shares per checkpoint: each share may pass its checkpoint only.
fn by_shares(
    method: &'static str,
    startable: &[usize],
    people: &[(u32, f64)],
    shares: &[Vec<f64>],
    checkpoint_resources: &[u32],
    base: &dyn Fn(usize, f64, Vec<u32>) -> Source,
) -> Split {
    let mut sources = Vec::new();
    let mut source_group = Vec::new();
    for (i, &g) in startable.iter().enumerate() {
        let total: f64 = shares[i].iter().sum();
        let scale = if total > 0.0 {
            people[i].1 / total
        } else {
            0.0
        };
        if total <= 1e-9 {
            sources.push(base(i, people[i].1, Vec::new()));
            source_group.push(g);
            continue;
        }
        for (c, &q) in shares[i].iter().enumerate() {
            if q * scale <= 1e-9 {
                continue;
            }
            let forbidden: Vec<u32> = checkpoint_resources
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != c)
                .map(|(_, &r)| r)
                .collect();
            sources.push(base(i, q * scale, forbidden));
            source_group.push(g);
        }
    }
    Split {
        method,
        sources,
        source_group,
    }
}

/// Shares in proportion to the capacity of the checkpoints each group can reach.
fn proportional(inst: &BoundInstance, net: &Network) -> Vec<Vec<f64>> {
    inst.groups
        .iter()
        .map(|g| {
            let caps: Vec<f64> = g
                .reach_s
                .iter()
                .zip(&net.checkpoints)
                .zip(&inst.checkpoints)
                .map(|((t, &(_, r)), c)| {
                    if t.is_finite() && c.onward_s[g.class].is_finite() {
                        net.capacity[r as usize]
                    } else {
                        0.0
                    }
                })
                .collect();
            let sum: f64 = caps.iter().sum();
            caps.iter()
                .map(|c| if sum > 0.0 { g.people * c / sum } else { 0.0 })
                .collect()
        })
        .collect()
}

/// The flow's egress if it is worth one more schedule where streets bind: it finishes after
/// the other flow (`others_finish_s`) and more than [`super::road_bound::EXPLAIN_ABOVE`] after
/// its valid bounds — the terms on which the fourth to seventh schedules run.
fn egress_worth_replanning(f: &Flow, others_finish_s: f64) -> Option<f64> {
    let egress = f.plan.egress_s()?;
    let valid = super::road_bound::valid_bound_s(f);
    (egress > others_finish_s
        && valid > 0.0
        && egress > valid * (1.0 + super::road_bound::EXPLAIN_ABOVE))
        .then_some(egress)
}

/// Where streets bind and the plan finishes well after the valid bounds: the road bound on the
/// flow's own network and starts ([`super::road_bound`]) splits each group's people over the
/// roads leaving its tightest cut, and CCRP schedules each share through its road only (the
/// other roads of the cut forbidden to it) — the road analogue of the relaxed optimum's
/// checkpoint assignment. Kept when it strands nobody more and finishes earlier. Not tried
/// when the flow finishes by `others_finish_s` (the other flow's egress).
pub(crate) fn replan_by_road_cut(f: &mut Flow, others_finish_s: f64) {
    if egress_worth_replanning(f, others_finish_s).is_none() {
        return;
    }
    let Some(cut) = super::road_bound::on_own_starts(f) else {
        return;
    };
    let classes = Classes::of(&f.net, &f.groups);
    let people: Vec<(u32, f64)> = classes
        .startable
        .iter()
        .zip(&classes.nodes)
        .map(|(&g, &v)| (v, f.groups[g].people))
        .collect();
    // The cut's entries are the startable groups in order (`on_own_starts`).
    let mut shares = vec![vec![0.0; cut.cut_resources.len()]; classes.startable.len()];
    for (i, row) in &cut.assignment {
        shares[*i] = row.clone();
    }
    let base = |i: usize, people: f64, forbidden: Vec<u32>| Source {
        node: classes.nodes[i],
        people,
        sinks: classes.rules[i].0.clone(),
        forbidden,
        also_from: Vec::new(),
        same_people_as: None,
    };
    let split = by_shares(
        "road cut's relaxed schedule, then CCRP",
        &classes.startable,
        &people,
        &shares,
        &cut.cut_resources,
        &base,
    );
    let plan = ccrp(&f.net.flow_network(), &split.sources);
    if listed_and_better(f, split.method, &plan) {
        f.plan = plan;
        f.source_group = split.source_group;
        f.method = split.method;
    }
}

/// Where streets bind and the plan finishes well after the valid bounds: the valid road cut
/// ([`super::road_bound::of_flow`]: each cell's people may start from any of its nodes within
/// [`super::MAX_START_M`]) places each cell's people ([`super::cut_starts`]) — those it does not
/// count start beyond it, the counted ones split over its roads from the nodes that reach them
/// first — and CCRP schedules each share (the cut's other roads forbidden to it). Only nodes
/// usable in the flow's own network are picked. Kept when it strands nobody more and finishes
/// earlier; the flow's groups then are the new starts. Not tried when the flow finishes by
/// `others_finish_s` (the other flow's egress).
pub(crate) fn replan_from_valid_cut(f: &mut Flow, others_finish_s: f64) {
    if egress_worth_replanning(f, others_finish_s).is_none() {
        return;
    }
    let Some(cut) = f.road_bound.clone() else {
        return;
    };
    // Measured and dropped: the same from a cut on the flow's own roads (the other flow's
    // closed) from every usable start — never earlier on the bench cases (BENCHMARKS.md).
    let method = "valid road cut's starts and schedule, then CCRP";
    let (groups, plan, source_group, only_exposed, cell_group) =
        from_cut(f, &cut, &usable_starts(f, true));
    adopt_if_better(
        f,
        method,
        (groups, plan, source_group, only_exposed, cell_group),
    );
}

/// The flow's people placed and split by `cut` ([`super::cut_starts`]) and scheduled by CCRP:
/// the new groups, the plan, per source its group, per group whether only exposed routes
/// exist.
fn from_cut(f: &Flow, cut: &super::road_bound::RoadBound, usable: &[Vec<u32>]) -> Replanned {
    let people: Vec<f64> = f.bound_cells.iter().map(|c| c.people).collect();
    let shares = super::cut_starts::cut_shares(
        &super::cut_starts::StartNetwork {
            graph: &f.net.graph,
            travel_s: &f.net.travel_s,
            resource: &f.net.resource,
            sinks: f.net.sink_nodes(),
        },
        cut,
        &people,
        usable,
    );
    schedule_shares(f, &shares)
}

/// The flow's cells placed and split by `shares` ([`restarted`]), each share's receptions
/// those the exposure rule allows from its start, scheduled by CCRP: the new groups, the plan,
/// per source its group, per group whether only exposed routes exist. A share stranded by its
/// forbidden roads is scheduled again without them.
fn schedule_shares(f: &Flow, shares: &[super::cut_starts::CutShare]) -> Replanned {
    let (groups, sources, source_group, cell_group) = restarted(f, shares);
    let nodes: Vec<u32> = sources.iter().map(|s| s.node).collect();
    let rules = f.net.allowed_sinks(&nodes);
    let mut only_exposed = vec![false; groups.len()];
    let mut sources: Vec<Source> = sources
        .into_iter()
        .zip(&rules)
        .zip(&source_group)
        .map(|((mut s, rule), &g)| {
            s.sinks = rule.0.clone();
            only_exposed[g] = rule.1;
            s
        })
        .collect();
    let net = f.net.flow_network();
    let mut plan = ccrp(&net, &sources);
    // The relaxations open every reception to everyone: a share whose receptions (the
    // exposure rule) lie only beyond the roads forbidden to it is stranded by them. Those
    // shares are scheduled again without the restriction.
    let mut again = false;
    for (i, s) in sources.iter_mut().enumerate() {
        if plan.stranded[i] > 1e-9 && !s.forbidden.is_empty() {
            s.forbidden.clear();
            again = true;
        }
    }
    if again {
        plan = ccrp(&net, &sources);
    }
    (groups, plan, source_group, only_exposed, cell_group)
}

/// A replanned flow: its groups, plan, per source its group, per group whether only exposed
/// routes exist, per bound cell its (first) group.
type Replanned = (Vec<Group>, CcrpPlan, Vec<usize>, Vec<bool>, Vec<usize>);

/// [`restarted`]'s groups, sources, per source its group, per bound cell its (first) group.
type Restarted = (Vec<Group>, Vec<Source>, Vec<usize>, Vec<usize>);

/// After a replan that changed the flow's groups: each bound cell points at its new group
/// (a later replan places the cell's people from it).
fn regroup_cells(f: &mut Flow, cell_group: &[usize]) {
    for (c, &g) in f.bound_cells.iter_mut().zip(cell_group) {
        if g != usize::MAX {
            c.group = g;
        }
    }
}

/// Per bound cell of the flow: the nodes it may start from in the flow's own network (its
/// group's mode, a road open to the flow, a reception reachable), its group's start first.
/// With `choose_mode`, a driving cell's foot nodes count too ([`BoundCell::drives`]): a
/// schedule from them chooses per cell whether its drivers drive or walk, and may split it.
fn usable_starts(f: &Flow, choose_mode: bool) -> Vec<Vec<u32>> {
    let usable: std::collections::HashSet<u32> = (0..f.net.layers.len())
        .flat_map(|l| f.net.start_candidates(l))
        .filter(|k| k.open && k.leads_out)
        .map(|k| k.node)
        .collect();
    f.bound_cells
        .iter()
        .map(|c| {
            let g = &f.groups[c.group];
            let Ok(first) = g.start else {
                return Vec::new();
            };
            let mut out = vec![first];
            out.extend(c.nodes.iter().copied().filter(|&v| {
                v != first
                    && usable.contains(&v)
                    && ((choose_mode && c.drives) || f.net.layer_node(v).0 == g.layer)
            }));
            out
        })
        .collect()
}

/// Of `usable` (per bound cell, [`usable_starts`] with the mode chosen), the nodes of the
/// cell's own mode: cars for a driving cell that has a usable car road near it, feet otherwise.
fn own_mode_starts(f: &Flow, usable: &[Vec<u32>]) -> Vec<Vec<u32>> {
    usable
        .iter()
        .zip(&f.bound_cells)
        .map(|(nodes, c)| {
            let drives = c.drives && c.walk_because.is_none();
            nodes
                .iter()
                .copied()
                .filter(|&v| {
                    let on_foot = f.net.profile_graph(f.net.layer_node(v).0).profile
                        == corridor_roads::Profile::Foot;
                    on_foot != drives
                })
                .collect()
        })
        .collect()
}

/// Per bound cell: its usable start nodes in the cell's own mode ([`own_mode_starts`]), not
/// its group's — an earlier schedule (the fifth) may have regrouped a driving cell into a
/// foot group, and "per mode" would then have started its drivers on foot only. A cell
/// without a usable node of its own mode keeps its group's ([`usable_starts`]).
fn starts_in_own_mode(f: &Flow) -> Vec<Vec<u32>> {
    own_mode_starts(f, &usable_starts(f, true))
        .into_iter()
        .zip(usable_starts(f, false))
        .map(|(own, group)| if own.is_empty() { group } else { own })
        .collect()
}

/// The flow's groups without a start (stranded where they live): every schedule that
/// restarts the cells keeps them as they are.
fn unstartable_groups(f: &Flow) -> Vec<Group> {
    f.groups
        .iter()
        .filter(|g| g.start.is_err())
        .cloned()
        .collect()
}

/// Why people of bound cell `c` starting in `layer` walk though they would drive, if they do:
/// the cell's own reason (no usable road for vehicles near it), else the plan's choice.
fn walk_reason(f: &Flow, c: &BoundCell, layer: usize) -> Option<String> {
    let on_foot = f.net.profile_graph(layer).profile == corridor_roads::Profile::Foot;
    match (&c.walk_because, c.drives && on_foot) {
        (_, false) => None,
        (Some(why), true) => Some(why.clone()),
        (None, true) => Some(WALK_BY_CHOICE.to_string()),
    }
}

/// The flow's groups with its cells' people placed by `shares` (cells without a share keep
/// their group's start; groups without a start are kept as they are), one CCRP source per
/// group and set of forbidden roads (its sinks left to fill), and per source its group.
fn restarted(f: &Flow, shares: &[super::cut_starts::CutShare]) -> Restarted {
    let mut groups = unstartable_groups(f);
    let mut placed: Vec<(usize, Option<u32>, f64, Vec<u32>)> = Vec::new();
    let mut has_share = vec![false; f.bound_cells.len()];
    for s in shares {
        has_share[s.cell] = true;
        placed.push((s.cell, Some(s.node), s.people, s.forbidden.clone()));
    }
    for (k, c) in f.bound_cells.iter().enumerate() {
        if !has_share[k] {
            placed.push((k, None, c.people, Vec::new()));
        }
    }
    let mut sources: Vec<Source> = Vec::new();
    let mut source_group: Vec<usize> = Vec::new();
    let mut cell_group = vec![usize::MAX; f.bound_cells.len()];
    for (k, node, people, forbidden) in placed {
        let c = &f.bound_cells[k];
        let old = &f.groups[c.group];
        let start = node.map_or_else(|| old.start.clone(), Ok);
        // The mode is the start node's: a driving cell's share placed on a foot node walks.
        let layer = start.as_ref().map_or(old.layer, |&v| f.net.layer_node(v).0);
        let walk_because = walk_reason(f, c, layer);
        let gi = super::add_to_group(&mut groups, old.unit, layer, start, people, walk_because);
        if cell_group[k] == usize::MAX {
            cell_group[k] = gi;
        }
        let node = *groups[gi].start.as_ref().expect("a start");
        match (0..sources.len())
            .find(|&i| source_group[i] == gi && sources[i].forbidden == forbidden)
        {
            Some(i) => sources[i].people += people,
            None => {
                sources.push(Source {
                    node,
                    people,
                    sinks: Vec::new(),
                    forbidden,
                    also_from: Vec::new(),
                    same_people_as: None,
                });
                source_group.push(gi);
            }
        }
    }
    (groups, sources, source_group, cell_group)
}

/// Where streets bind and the plan finishes well after the valid bounds: the flow over time
/// on the flow's own network ([`super::flow_schedule`]: every cell's people from any usable
/// node of theirs, every road and checkpoint per bucket) places each cell's people on the
/// start nodes that flow uses, and CCRP routes them from there ("flow over time's starts, then
/// CCRP"; forbidding each share the bottlenecks its flow paths avoid was measured worse and
/// dropped, BENCHMARKS.md). Kept
/// when it strands nobody more and finishes earlier. Not tried when the flow finishes by
/// `others_finish_s`. Where the time-expanded network would exceed
/// [`super::flow_schedule::MAX_NODES`] it is built on coarser buckets
/// ([`super::flow_schedule::COARSER`]); not tried if even the coarsest is too large.
pub(crate) fn replan_by_flow_over_time(f: &mut Flow, others_finish_s: f64) {
    let so_far = usable_starts(f, false);
    if so_far != starts_in_own_mode(f) {
        // An earlier schedule (the fifth) chose modes per place and regrouped cells: each
        // cell's people start in the mode its (first) group now has — that choice as a guide,
        // named apart from the per-mode schedules. Measured on Liechtenstein roads bind
        // assembled: 10.07 h with it, 10.52 h without (BENCHMARKS.md, "Review fixes").
        flow_over_time_from(f, others_finish_s, &so_far, None, METHODS_MODES_SO_FAR);
    }
    let per_mode = starts_in_own_mode(f);
    flow_over_time_from(f, others_finish_s, &per_mode, None, METHODS_PER_MODE);
    let choosing = usable_starts(f, true);
    if choosing != starts_in_own_mode(f) {
        // Each cell's own mode, not its group's: an earlier schedule may have walked some of
        // a driving cell's people (the fifth did on the hand-built town of
        // `cli/tests/evacuate_mode_choice.rs`, and the flow then held its car nodes).
        let per_mode = own_mode_starts(f, &choosing);
        let held: Vec<Vec<u32>> = choosing
            .iter()
            .zip(&per_mode)
            .map(|(c, own)| c.iter().copied().filter(|v| !own.contains(v)).collect())
            .collect();
        flow_over_time_from(
            f,
            others_finish_s,
            &choosing,
            Some((&per_mode, &held)),
            METHODS_CHOOSING_MODE,
        );
    }
}

/// The sixth and seventh schedules' names, each cell's people in its own mode.
const METHODS_PER_MODE: [&str; 2] = [
    "flow over time's starts, then CCRP",
    "flow over time's starts a little later, then CCRP",
];
/// The same with each cell in the mode its group has after an earlier schedule regrouped it
/// (the fifth's choice of mode per place kept as a guide).
const METHODS_MODES_SO_FAR: [&str; 2] = [
    "flow over time's starts in the modes chosen so far, then CCRP",
    "flow over time's starts in the modes chosen so far a little later, then CCRP",
];
/// The same with driving cells' foot nodes among their starts: the flow chooses per cell
/// whether its drivers drive or walk.
const METHODS_CHOOSING_MODE: [&str; 2] = [
    "flow over time's starts and modes, then CCRP",
    "flow over time's starts and modes a little later, then CCRP",
];

/// Per bound cell: its own-mode start nodes, and the foot nodes held until those are used.
type OwnAndHeld<'a> = (&'a [Vec<u32>], &'a [Vec<u32>]);

/// [`replan_by_flow_over_time`] from the start nodes `usable` (per bound cell), its two
/// schedules named `methods`.
/// With `preferring` (per cell its own-mode starts and its held foot nodes), each split is the
/// maximum flow that walks only the drivers who cannot drive out in time
/// ([`super::flow_schedule::starts_at_preferring`]): at the coarse buckets the larger maps
/// need, many splits reach the least time, and an arbitrary one (on Liechtenstein roads bind,
/// 96 % on foot) was measured far worse (BENCHMARKS.md, "Per-cell mode choice").
fn flow_over_time_from(
    f: &mut Flow,
    others_finish_s: f64,
    usable: &[Vec<u32>],
    preferring: Option<OwnAndHeld>,
    methods: [&'static str; 2],
) {
    let Some(egress) = egress_worth_replanning(f, others_finish_s) else {
        return;
    };
    let cells: Vec<(Vec<u32>, f64)> = usable
        .iter()
        .zip(&f.bound_cells)
        .map(|(u, c)| (u.clone(), c.people))
        .collect();
    // Coarser buckets where the network in the plan's would be too large: the starts only.
    let network = |k: f64| {
        let mut net = super::road_bound::road_network(f, &f.net.travel_s);
        net.bucket_s *= k;
        net
    };
    let mut found = None;
    for k in super::flow_schedule::COARSER {
        let capacity: Vec<f64> = f.net.capacity.iter().map(|c| c * k).collect();
        let mut net = network(k);
        net.capacity = &capacity;
        found = super::flow_schedule::flow_over_time(&net, &cells, f.net.sink_nodes(), egress)
            .map(|x| (k, x));
        if found.is_some() {
            break;
        }
    }
    let Some((k, over_time)) = found else {
        return;
    };
    // The least time's starts, and (on the other core) those of a flow a little later.
    let ff: &Flow = f;
    let split_at = |t_buckets: f64| {
        let capacity: Vec<f64> = ff.net.capacity.iter().map(|c| c * k).collect();
        let mut net = network(k);
        net.capacity = &capacity;
        let t = over_time.time_s + t_buckets * net.bucket_s;
        match preferring {
            None => super::flow_schedule::starts_at(&net, &cells, ff.net.sink_nodes(), t),
            Some((own, held)) => {
                let own: Vec<(Vec<u32>, f64)> = own
                    .iter()
                    .zip(&cells)
                    .map(|(o, c)| (o.clone(), c.1))
                    .collect();
                super::flow_schedule::starts_at_preferring(&net, &own, held, ff.net.sink_nodes(), t)
            }
        }
    };
    let (least, later) = rayon::join(
        || match preferring {
            None => Some(schedule_flow_starts(ff, &cells, &over_time.starts)),
            // The least time is found to a tenth of a bucket below: just above it.
            Some(_) => split_at(0.1).map(|starts| schedule_flow_starts(ff, &cells, &starts)),
        },
        || {
            split_at(super::flow_schedule::SLACK_BUCKETS)
                .map(|starts| schedule_flow_starts(ff, &cells, &starts))
        },
    );
    if let Some(least) = least {
        adopt_if_better(f, methods[0], least);
    }
    if let Some(later) = later {
        adopt_if_better(f, methods[1], later);
    }
}

/// Lists `plan` among the flow's methods and says whether it beats the flow's plan: strands
/// nobody more and finishes earlier (the terms of every schedule after the first three).
fn listed_and_better(f: &mut Flow, method: &'static str, plan: &CcrpPlan) -> bool {
    let stranded: f64 = plan.stranded.iter().sum();
    let before: f64 = f.plan.stranded.iter().sum();
    let new_egress = plan.egress_s();
    f.methods.push(MethodResult {
        method,
        egress_time_s: new_egress.map(f64::round),
        stranded,
    });
    let earlier = match (new_egress, f.plan.egress_s()) {
        (Some(new), Some(old)) => new < old - 1e-6,
        _ => false,
    };
    stranded <= before + 1e-6 && earlier
}

/// A replan with new groups (fifth to seventh schedules), kept if [`listed_and_better`].
fn adopt_if_better(f: &mut Flow, method: &'static str, replanned: Replanned) {
    let (groups, plan, source_group, only_exposed, cell_group) = replanned;
    if listed_and_better(f, method, &plan) {
        f.groups = groups;
        f.plan = plan;
        f.source_group = source_group;
        f.only_exposed = only_exposed;
        f.method = method;
        regroup_cells(f, &cell_group);
    }
}

/// The flow's cells started as a flow over time starts them (`starts`: per cell, its people
/// per start node), scaled to each cell's people, and scheduled by CCRP ([`schedule_shares`]).
fn schedule_flow_starts(
    f: &Flow,
    cells: &[(Vec<u32>, f64)],
    starts: &[Vec<(u32, f64)>],
) -> Replanned {
    let shares: Vec<super::cut_starts::CutShare> = starts
        .iter()
        .enumerate()
        .flat_map(|(cell, row)| {
            // The flow moves the cell's counted people; scaled to the cell's, to the person.
            let moved: f64 = row.iter().map(|x| x.1).sum();
            let scale = cells[cell].1 / moved.max(1e-9);
            row.iter()
                .map(move |&(node, people)| super::cut_starts::CutShare {
                    cell,
                    node,
                    people: people * scale,
                    forbidden: Vec::new(),
                })
        })
        .collect();
    schedule_shares(f, &shares)
}

/// The spread schedules' names: each cell's people from every usable node of its own mode at
/// once, and the same with driving cells' foot nodes too.
const METHODS_SPREAD: [&str; 2] = [
    "every usable start at once (CCRP)",
    "every usable start and mode at once (CCRP)",
];

/// Rounds of "the tail first" at most ([`tail_first`]).
const TAIL_ROUNDS: usize = 8;
/// Which people are the tail, in turn: those arriving after `egress − share × (egress −
/// valid bound)`. No one share did best on the benchmark cases (Liechtenstein roads bind:
/// 0.5 alone 3.12 %, 1.0 alone 1.63 %; Malta assembled: 0.5 alone 7.23 %, 0.8 alone 6.15 %;
/// BENCHMARKS.md, "Spread starts"); a round that does not finish earlier moves on to the next.
const TAIL_SHARES: [f64; 3] = [1.0, 0.8, 0.5];

/// Where streets bind and the plan finishes well after the valid bounds: each cell's people
/// may start from any usable node of theirs (as the bounds let them), its sources listing them
/// all ([`Source::also_from`]) — CCRP then spreads a cell over its nodes itself, taking the
/// next node whenever the roads near the last have filled, instead of keeping the starts an
/// earlier relaxation picked — and the cells arriving last then planned first
/// ([`tail_first`]). Two schedules: each cell in its own mode, and driving cells also from
/// their foot nodes (CCRP chooses, person by person, whether they drive or walk). Kept when it
/// strands nobody more and finishes earlier. Run last, on the flow kept so far (driving or
/// walking): on Malta roads bind the planner's one start per share left the road bound on its
/// own starts 21 % above the valid one (5.38 h against 4.45 h; BENCHMARKS.md, "Main at the
/// end of session 11").
pub(crate) fn replan_spread(f: &mut Flow, others_finish_s: f64) {
    if egress_worth_replanning(f, others_finish_s).is_none() {
        return;
    }
    let own = starts_in_own_mode(f);
    let choosing = usable_starts(f, true);
    let ff: &Flow = f;
    let (own_plan, choosing_plan) = rayon::join(
        || spread_schedule(ff, &own),
        || (choosing != own).then(|| spread_schedule(ff, &choosing)),
    );
    adopt_if_better(f, METHODS_SPREAD[0], own_plan);
    if let Some(p) = choosing_plan {
        adopt_if_better(f, METHODS_SPREAD[1], p);
    }
}

/// Per bound cell with people and usable nodes (`usable[cell]`): one CCRP source per set of
/// receptions its nodes may use (the exposure rule is per node, and each layer has its own
/// receptions), listing those nodes, the first holding the cell's people and the others
/// drawing on them ([`Source::same_people_as`]); and per source its cell.
fn spread_sources(f: &Flow, usable: &[Vec<u32>]) -> (Vec<Source>, Vec<usize>) {
    let mut listed: Vec<u32> = usable.iter().flatten().copied().collect();
    listed.sort_unstable();
    listed.dedup();
    let rules = f.net.allowed_sinks(&listed);
    let sinks_of = |v: u32| &rules[listed.binary_search(&v).expect("a listed node")].0;
    let mut sources: Vec<Source> = Vec::new();
    let mut cell_of_source: Vec<usize> = Vec::new();
    for (k, nodes) in usable.iter().enumerate() {
        let people = f.bound_cells[k].people;
        if people <= 0.0 {
            continue;
        }
        let first = sources.len();
        for &v in nodes {
            let sinks = sinks_of(v);
            if sinks.is_empty() {
                continue;
            }
            match sources[first..].iter_mut().find(|s| &s.sinks == sinks) {
                Some(s) => s.also_from.push(v),
                None => {
                    sources.push(Source {
                        node: v,
                        people,
                        sinks: sinks.clone(),
                        forbidden: Vec::new(),
                        also_from: Vec::new(),
                        same_people_as: (sources.len() > first).then_some(first),
                    });
                    cell_of_source.push(k);
                }
            }
        }
        if sources.len() == first && !nodes.is_empty() {
            // No node of the cell may use a reception on these roads: a source with none, so
            // that CCRP counts its people stranded (rather than losing them).
            sources.push(Source {
                node: nodes[0],
                people,
                sinks: Vec::new(),
                forbidden: Vec::new(),
                also_from: Vec::new(),
                same_people_as: None,
            });
            cell_of_source.push(k);
        }
    }
    (sources, cell_of_source)
}

/// CCRP of `sources` (per source its cell, `cell_of_source`), then the tail first: the cells
/// whose people arrive after `egress − share × (egress − valid bound)` ([`TAIL_SHARES`] in
/// turn) are planned before everyone else ([`ccrp_in_phases`]), their set growing while that
/// finishes earlier and strands nobody more. Where everyone queues for the same roads, CCRP
/// serves first whoever arrives earliest, and the people behind a narrow road of their own
/// lose every tie: they come through it alone at the end, at its rate, though it could have
/// carried them all along.
fn tail_first(f: &Flow, sources: &[Source], cell_of_source: &[usize]) -> CcrpPlan {
    let net = f.net.flow_network();
    let mut phase = vec![1u32; sources.len()];
    let mut plan = ccrp_in_phases(&net, sources, &phase);
    let bound = super::road_bound::valid_bound_s(f);
    let mut share = 0;
    let mut failed = 0;
    for _ in 0..TAIL_ROUNDS {
        let Some(egress) = plan.egress_s() else { break };
        if failed >= TAIL_SHARES.len() {
            break;
        }
        let after = egress - (egress - bound).max(0.0) * TAIL_SHARES[share % TAIL_SHARES.len()];
        let mut late = vec![false; f.bound_cells.len()];
        for r in plan.reservations.iter().filter(|r| r.last_arrive_s > after) {
            late[cell_of_source[r.source]] = true;
        }
        let before = phase.clone();
        for (i, p) in phase.iter_mut().enumerate() {
            if late[cell_of_source[i]] {
                *p = 0;
            }
        }
        let again = (phase != before).then(|| ccrp_in_phases(&net, sources, &phase));
        let stranded = |p: &CcrpPlan| p.stranded.iter().sum::<f64>();
        match again {
            Some(again)
                if stranded(&again) <= stranded(&plan) + 1e-6
                    && again.egress_s().is_some_and(|e| e < egress - 1e-6) =>
            {
                plan = again;
                failed = 0;
            }
            _ => {
                phase = before;
                share += 1;
                failed += 1;
            }
        }
    }
    plan
}

/// The spread schedule from `usable` (per bound cell its start nodes): [`spread_sources`],
/// [`tail_first`], then the flow's groups rebuilt from where each reservation starts — one
/// group per neighbourhood, mode and start node, as every other schedule has.
fn spread_schedule(f: &Flow, usable: &[Vec<u32>]) -> Replanned {
    let (sources, cell_of_source) = spread_sources(f, usable);
    let plan = tail_first(f, &sources, &cell_of_source);
    // Groups as the other schedules have them: per neighbourhood, layer and start node.
    let mut groups = unstartable_groups(f);
    // One source per group now, at the group's start, with those it could not route.
    let mut start_of_source: Vec<u32> = Vec::new();
    let mut source_of_group: Vec<Option<usize>> = Vec::new();
    let mut source_group: Vec<usize> = Vec::new();
    let mut stranded: Vec<f64> = Vec::new();
    let mut cell_group = vec![usize::MAX; f.bound_cells.len()];
    // Cell `k`'s people starting at `v`: `moved` of them routed, `left` not.
    let mut place = |k: usize, v: u32, moved: f64, left: f64, groups: &mut Vec<Group>| {
        let people = moved + left;
        let c = &f.bound_cells[k];
        let layer = f.net.layer_node(v).0;
        let walk_because = walk_reason(f, c, layer);
        let unit = f.groups[c.group].unit;
        let gi = super::add_to_group(groups, unit, layer, Ok(v), people, walk_because);
        if cell_group[k] == usize::MAX {
            cell_group[k] = gi;
        }
        if source_of_group.len() <= gi {
            source_of_group.resize(gi + 1, None);
        }
        let si = *source_of_group[gi].get_or_insert_with(|| {
            start_of_source.push(v);
            source_group.push(gi);
            stranded.push(0.0);
            start_of_source.len() - 1
        });
        stranded[si] += left;
        si
    };
    let CcrpPlan {
        mut reservations,
        stranded: left,
        used,
    } = plan;
    for r in &mut reservations {
        let start = r.arcs.first().map_or(r.sink, |&a| f.net.graph.arc_tail(a));
        r.source = place(cell_of_source[r.source], start, r.people, 0.0, &mut groups);
    }
    for (i, &people) in left.iter().enumerate() {
        if people > 1e-9 {
            place(cell_of_source[i], sources[i].node, 0.0, people, &mut groups);
        }
    }
    let mut only_exposed = vec![false; groups.len()];
    let rules = f.net.allowed_sinks(&start_of_source);
    for (rule, &g) in rules.iter().zip(&source_group) {
        only_exposed[g] = rule.1;
    }
    let plan = CcrpPlan {
        reservations,
        stranded,
        used,
    };
    (groups, plan, source_group, only_exposed, cell_group)
}
