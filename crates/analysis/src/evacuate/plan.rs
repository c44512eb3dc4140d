//! Planning one flow: three CCRP schedules, the earliest-finishing one kept.
//!
//! 1. *earliest arrival*: plain CCRP — every group may use every checkpoint;
//! 2. *relaxed optimum*: the people per group and checkpoint of the bound's relaxed schedule
//!    (on the planner's own travel times), each share scheduled by CCRP through its checkpoint
//!    only — CCRP's greedy order cannot then crowd a checkpoint with people who had another;
//! 3. *proportional*: each group split over the checkpoints it can reach in proportion to their
//!    capacity, then CCRP — the simple rule a plan must never be worse than.
//!
//! A method whose schedule strands people the first one moves is discarded.

use super::bound::{instance, lower_bound, BoundInstance};
use super::network::Network;
use super::{Flow, Group, MethodResult};
use crate::ccrp::{ccrp, CcrpPlan, Source};
use corridor_scenario::Purpose;
use rayon::prelude::*;

/// Sources per method: the CCRP sources and, per source, its group.
struct Split {
    method: &'static str,
    sources: Vec<Source>,
    source_group: Vec<usize>,
}

pub(crate) fn plan<'a>(
    net: Network<'a>,
    purpose: Purpose,
    groups: Vec<Group>,
) -> Result<Flow<'a>, super::EvacuationError> {
    let startable: Vec<usize> = (0..groups.len())
        .filter(|&g| groups[g].start.is_ok())
        .collect();
    let nodes: Vec<u32> = startable
        .iter()
        .map(|&g| *groups[g].start.as_ref().expect("startable"))
        .collect();
    let rules = net.allowed_sinks(&nodes);
    let mut only_exposed = vec![false; groups.len()];
    for (i, &g) in startable.iter().enumerate() {
        only_exposed[g] = rules[i].1;
    }
    // Classes of people by the receptions they may use (the exposure rule, from the inputs).
    let mut class_sinks: Vec<Vec<u32>> = Vec::new();
    let class: Vec<usize> = rules
        .iter()
        .map(|r| match class_sinks.iter().position(|c| *c == r.0) {
            Some(i) => i,
            None => {
                class_sinks.push(r.0.clone());
                class_sinks.len() - 1
            }
        })
        .collect();
    let people: Vec<(u32, f64)> = startable
        .iter()
        .zip(&nodes)
        .map(|(&g, &v)| (v, groups[g].people))
        .collect();
    let classed: Vec<(u32, f64, usize)> = people
        .iter()
        .zip(&class)
        .map(|(&(v, p), &c)| (v, p, c))
        .collect();
    // The bound: relaxed network, inputs only.
    let bound_s = lower_bound(&instance(
        &net.bound_network(true, class_sinks.clone()),
        &classed,
    ))
    .map(|b| b.time_s);
    // The planner's own relaxed schedule, for the assignment.
    let own = instance(&net.bound_network(false, class_sinks), &classed);
    let own_bound = lower_bound(&own);
    let bound_given_separation_s = own_bound.as_ref().map(|b| b.time_s);
    let assignment = own_bound.map(|b| b.assignment);
    let checkpoint_resources: Vec<u32> = net.checkpoints.iter().map(|x| x.1).collect();
    let base = |i: usize, people: f64, forbidden: Vec<u32>| Source {
        node: nodes[i],
        people,
        sinks: rules[i].0.clone(),
        forbidden,
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
            &startable,
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
            &startable,
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
