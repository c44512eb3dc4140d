//! Keeping civilians and combatants apart, at the least cost to the civilians.
//!
//! Two jobs. **Plan side**: the combatants are routed several ways ([`Routing`]) — first around
//! the ways the civilians' relaxed optimum needs ([`RelaxedNeeds`], chosen by the civilians'
//! bound without planning), then, where that cuts civilian cells off, a tree repaired off their
//! ways out ([`repaired_tree`]), and where streets bind the kept routing off the roads it
//! shares with the civilians' plan without combatants — and the routing whose civilian plan
//! strands fewest, then finishes earliest, is kept:
//! combatants still never share a stretch of road with civilians, and a routing that strands
//! combatants the shortest routing moves is never kept. **Bound side**: [`mandatory_edges`] finds the roads every combatant
//! route must use, whatever the routing (on every way from the possible start nodes of each
//! cell combatants live in to every combatant reception); closing them to civilians keeps the lower bound valid
//! for every plan in which every combatant who can leave does, and tightens it.
//!
//! The mandatory roads are post-dominators: in the graph with each road split by a node of its
//! own, a road is on every path from a start to a sink iff its node dominates the start in the
//! reversed graph rooted at a super-sink. The dominator tree is found by Cooper, Harvey &
//! Kennedy's iterative algorithm ("A Simple, Fast Dominance Algorithm", 2001), once for all
//! neighbourhoods.

use super::network::{segments, Network, Segment};
use super::plan::{own_bound, starts_by_checkpoint};
use super::road_bound;
use super::start::{self, MAX_START_M};
use super::{plan_flow, start_groups, start_points, used_segments, EvacuationError, Flow, Unit};
use corridor_roads::geometry::haversine_m;
use corridor_routing::{Graph, OneToAll, Seed, INVALID};
use corridor_scenario::{ScenarioMap, Side};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// When the civilians' bound on their own network (combatants' roads closed) lies within this
/// share of their bound with no routing's roads closed (the mandatory ones only), the
/// separation costs nothing worth a search.
const SEPARATION_NEGLIGIBLE: f64 = 0.005;
/// The same in absolute terms: one planning bucket's worth (the scenarios' 5 minutes), for
/// bounds of an hour or less, where streets bind and a short detour is a large share.
const SEPARATION_NEGLIGIBLE_S: f64 = 300.0;

/// What the separation may cost a civilian bound of `b` seconds and still count as nothing
/// (plus the bound's bisection tolerance, so that exactly one bucket counts).
fn negligible_s(b: f64) -> f64 {
    (b * SEPARATION_NEGLIGIBLE).max(SEPARATION_NEGLIGIBLE_S) + 1.0
}

/// How one routing of the combatants did, for the report.
#[derive(Debug, Clone, Serialize)]
pub struct RoutingResult {
    pub routing: String,
    pub combatants_stranded: f64,
    /// `null` when the routing was not carried on to a civilian plan (see `rejected_because`).
    pub civilians_stranded: Option<f64>,
    pub civilian_egress_s: Option<f64>,
    /// The civilians' bound with this routing's roads closed to them.
    pub lower_bound_given_these_roads_s: Option<f64>,
    /// The civilians' road-cut bound with this routing's roads closed to them (every start
    /// node their cells may use): what the routings where streets bind are chosen by
    /// ([`binding_repair`]); `null` where it was not computed. For the kept routing and every
    /// routing planned, the roads its combatants' plan uses; for a routing scored only (not
    /// planned), every road of its combatants' routing tree — their plan could use fewer, so
    /// that figure may lie above the bound for the roads such a plan would close.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub road_bound_given_these_roads_s: Option<f64>,
    /// The civilians' egress after every schedule the planner tries (the report's egress if
    /// kept): for the kept routing always, and for a second routing carried that far
    /// (separation's step 7, at most [`FINISHED_ROUTINGS`] in all); `civilian_egress_s` is
    /// the first plan's, before the later schedules.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub final_civilian_egress_s: Option<f64>,
    pub kept: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rejected_because: Option<String>,
}

/// Both flows as planned, and how the combatants' routings compared.
pub(crate) struct Apart<'a> {
    pub civilians: Flow<'a>,
    pub combatants: Flow<'a>,
    pub routings: Vec<RoutingResult>,
    /// Road pieces every combatant plan uses (closed to civilians in the bound too).
    pub mandatory_segments: usize,
    /// The combatants' network with no separation rule, and every node each of their groups
    /// may start from: what the bound over every routing searches ([`super::routing_bound`]).
    pub open_net: Network<'a>,
    pub starts: Vec<Vec<u32>>,
    /// Seconds spent on the civilians' road bound and the combatants' bounds here (the report
    /// counts them as bound time).
    pub road_bound_seconds: f64,
    /// The combatants' valid bounds (checkpoints, road cut), on `open_net`: they hold for
    /// every plan, whichever routing it takes.
    pub combatant_bounds: Vec<super::road_bound::LowerBoundRow>,
    /// A second routing to carry to the end (civilians, combatants, its row in `routings`):
    /// the one of [`binding_repair`] whose civilians' road bound lies clearly below the kept
    /// one's; the caller finishes both plans and keeps the earlier ([`earlier`]).
    pub alternative: Option<(Flow<'a>, Flow<'a>, usize)>,
}

/// What the combatants walk on and who they are.
pub(crate) struct CombatantInput<'a, 'g> {
    pub foot: &'a ScenarioMap<'a>,
    pub party: usize,
    pub corridors: Vec<usize>,
    pub ground: &'a geo::MultiPolygon<f64>,
    /// Where they start (neighbourhoods or assembly points) and how many, per layer (one).
    pub units: &'g [Unit],
    pub people: Vec<Vec<(usize, f64)>>,
}

/// Plans the combatants several ways and the civilians after each, keeping the routing whose
/// civilian plan leaves fewest stranded and then finishes earliest; roads every combatant
/// routing needs are closed to civilians first, in the plan and the bound.
pub(crate) fn plan_apart<'a>(
    c: &CombatantInput<'a, '_>,
    mut civilian_net: Network<'a>,
    civilian_units: &[Unit],
    civilians: &[Vec<(usize, f64)>],
) -> Result<Apart<'a>, EvacuationError> {
    let build = |corridors: &[usize], forbidden: &HashSet<Segment>| {
        Network::build(
            &[c.foot],
            Side::Party(c.party),
            corridors,
            forbidden,
            c.ground,
        )
    };
    let open_net = build(&c.corridors, &HashSet::new())?;
    // Every node each cell's combatants could start from (the same nodes on every routing's
    // network: one foot layer), computed once.
    let starts = start_sets(&open_net, c.units, &c.people[0]);
    let mandatory = mandatory_segments(&open_net, &starts);
    civilian_net.close_segments_for_every_plan(&mandatory);
    let mut shortest = plan_flow(open_net.clone(), c.units, &c.people)?;
    // The combatants' bounds on their network with every corridor and road open: every
    // routing's network is a part of it, so these hold for every plan — the kept routing's own
    // network ("through one combatant corridor only" has one corridor) would give bounds
    // for that routing alone.
    let road_timer = std::time::Instant::now();
    shortest.road_bound = super::road_bound::of_flow(&shortest);
    let combatant_bounds = super::road_bound::rows(&[&shortest]);
    shortest.road_bound = None;
    let combatant_bound_seconds = road_timer.elapsed().as_secs_f64();
    // The combatants' finish with no separation: a routing that makes them finish later than
    // this and than the civilians costs the evacuation time, whatever it saves the civilians.
    let shortest_egress = egress(&shortest);
    let shortest_used = used_segments(&shortest);
    // The civilians' bound on their network with no routing's roads closed (their planner's
    // starts): what a routing that costs them nothing leaves.
    let ((free_lost, free), needs) = RelaxedNeeds::of(&civilian_net, civilian_units, civilians);
    let reference = shortest.stranded_total();
    let mut routings: Vec<RoutingResult> = Vec::new();
    // Per row of `routings`: the road pieces of its combatants' plan (empty if rejected).
    let mut tried: Vec<HashSet<Segment>> = Vec::new();
    let mut best: Option<(Flow<'a>, Flow<'a>, usize)> = None;
    let mut consider =
        |name: String, comb: Flow<'a>, best: &mut Option<(Flow<'a>, Flow<'a>, usize)>| {
            let lost = comb.stranded_total();
            let mut row = RoutingResult {
                routing: name,
                combatants_stranded: lost.round(),
                civilians_stranded: None,
                civilian_egress_s: None,
                lower_bound_given_these_roads_s: None,
                road_bound_given_these_roads_s: None,
                final_civilian_egress_s: None,
                kept: false,
                rejected_because: None,
            };
            if lost > reference + 1e-6 {
                row.rejected_because = Some(format!(
                    "strands {:.0} combatants the shortest routing moves",
                    lost - reference
                ));
                routings.push(row);
                tried.push(HashSet::new());
                return Ok::<bool, EvacuationError>(false);
            }
            let used = used_segments(&comb);
            if let Some(k) = tried.iter().position(|x| *x == used) {
                row.rejected_because = Some(format!(
                    "the same roads as '{}' (not planned again)",
                    routings[k].routing
                ));
                routings.push(row);
                tried.push(used);
                return Ok(false);
            }
            let mut net = civilian_net.clone();
            net.close_segments(&used);
            tried.push(used);
            let civ = plan_flow(net, civilian_units, civilians)?;
            row.civilians_stranded = Some(civ.stranded_total().round());
            row.civilian_egress_s = civ.plan.egress_s().map(f64::round);
            row.lower_bound_given_these_roads_s = civ.bound_given_separation_s.map(f64::floor);
            let combatants_late = egress(&comb)
                > egress(&civ).max(shortest_egress) + negligible_s(shortest_egress.min(1e12));
            let negligible = civ.stranded_total() <= free_lost + 1e-6
                && !combatants_late
                && match (civ.bound_given_separation_s, free) {
                    (Some(given), Some(b)) => given <= b + negligible_s(b),
                    _ => true,
                };
            let better = best
                .as_ref()
                .is_none_or(|(b, bc, _)| earlier((&civ, &comb), (b, bc)));
            if let Some((b, bc, k)) = best.as_ref().filter(|_| !better) {
                row.rejected_because = later_combatants((&civ, &comb), (b, bc))
                    .map(|why| format!("{why} '{}'", routings[*k].routing));
            }
            routings.push(row);
            if better {
                *best = Some((civ, comb, routings.len() - 1));
            }
            Ok(negligible)
        };
    // 0. Around the ways the civilians' relaxed optimum needs: a tree of combatant roads that
    //    keeps every group's way to every checkpoint the relaxed optimum gives it, chosen by
    //    the civilians' bound with its roads closed (cheap), planned once.
    let mut done = false;
    if let Some(needs) = &needs {
        let comb_net = build(&c.corridors, &HashSet::new())?;
        if let Some(roads) = needs.best_tree(
            &comb_net,
            &starts,
            &civilian_net,
            civilian_units,
            civilians,
            |x| x.0 <= free_lost.round() && free.is_none_or(|f| x.1 <= f + negligible_s(f)),
        ) {
            let mut net = comb_net;
            net.keep_only_roads(&roads);
            let tree = plan_flow(net, c.units, &c.people)?;
            done = consider(
                "around the ways the civilians' relaxed optimum needs".into(),
                tree,
                &mut best,
            )?;
        }
    }
    // 0b. Where the routings so far cut civilian cells off every reception though the
    //     mandatory pieces alone do not: a tree repaired round by round off their ways out.
    let cuts_off = best
        .as_ref()
        .is_none_or(|(civ, _, _)| civ.stranded_total() > free_lost + 1e-6);
    if !done && cuts_off {
        let comb_net = build(&c.corridors, &HashSet::new())?;
        let roads = repaired_tree(&comb_net, &starts, &civilian_net, civilian_units, civilians);
        let mut net = comb_net;
        net.keep_only_roads(&roads);
        let tree = plan_flow(net, c.units, &c.people)?;
        done = consider(
            "off the ways out of civilian cells a tree cuts off".into(),
            tree,
            &mut best,
        )?;
    }
    // 1. Off the civilians' quickest ways to every checkpoint, where that strands no one.
    if !done {
        let approach = civilian_net.approach_segments(&start_points(civilian_units));
        let apart = plan_flow(build(&c.corridors, &approach)?, c.units, &c.people)?;
        done = consider(
            "off the civilians' quickest ways to the checkpoints".into(),
            apart,
            &mut best,
        )?;
    }
    // 2. The shortest.
    if !done {
        done = consider("shortest".into(), shortest, &mut best)?;
    }
    // 3. Off every road the civilians' plan without combatants uses.
    let mut alone = if done {
        None
    } else {
        Some(Alone::plan(&civilian_net, civilian_units, civilians)?)
    };
    if let Some(alone) = &alone {
        let theirs: HashSet<Segment> = alone.need.keys().copied().collect();
        let off = plan_flow(build(&c.corridors, &theirs)?, c.units, &c.people)?;
        done = consider(
            "off every road of the civilians' plan without combatants".into(),
            off,
            &mut best,
        )?;
    }
    // 4. Along a tree of roads the civilians need least: each road costs its travel time plus
    //    `weight` × the share of the civilians (planned without combatants) on it; where the
    //    tree cuts civilians off (from every checkpoint, or from one), their own ways are
    //    protected and the tree drawn again.
    if let Some(alone) = alone.as_ref().filter(|_| !done) {
        for (weight, keep_checkpoints) in [
            (1800.0, false),
            (8.0 * 3600.0, false),
            (1800.0, true),
            (8.0 * 3600.0, true),
        ] {
            let name = format!(
                "along the roads civilians need least (weight {:.1} h), no {} cut off",
                weight / 3600.0,
                if keep_checkpoints {
                    "checkpoint"
                } else {
                    "one"
                }
            );
            let mut net = build(&c.corridors, &HashSet::new())?;
            let roads = protecting_tree(
                &net,
                civilian_units,
                &starts,
                &civilian_net,
                alone,
                weight,
                keep_checkpoints,
            );
            net.keep_only_roads(&roads);
            let tree = plan_flow(net, c.units, &c.people)?;
            if consider(name, tree, &mut best)? {
                done = true;
                break;
            }
        }
    }
    // 5. Through one combatant corridor only, shortest.
    if !done && c.corridors.len() > 1 {
        for &k in &c.corridors {
            let name = format!("through {} only", c.foot.scenario.corridors[k].name);
            let one = plan_flow(build(&[k], &HashSet::new())?, c.units, &c.people)?;
            if consider(name, one, &mut best)? {
                break;
            }
        }
    }
    // 6. Where streets bind and the civilians finish last, later than without combatants: the
    //    kept routing off the road pieces it shares with the civilians' plan without
    //    combatants, round by round (the bounds above do not count roads, so a routing that
    //    takes a second narrow way of the civilians looks free to them).
    let timer = std::time::Instant::now();
    if let Some((civ, _, _)) = best.as_mut() {
        civ.road_bound = road_bound_if_needed(civ);
    }
    let road_bound_seconds = timer.elapsed().as_secs_f64();
    let kept_plans = best.as_ref().map(|(civ, comb, _)| (civ, comb));
    if let Some((civ, comb)) = kept_plans.filter(|x| roads_bind_civilians_last(x.0, x.1)) {
        let gain_from = egress(civ);
        let mut used = used_segments(comb);
        if alone.is_none() {
            alone = Some(Alone::plan(&civilian_net, civilian_units, civilians)?);
        }
        let theirs = alone.as_ref().filter(|a| {
            a.stranded <= free_lost + 1e-6 && a.egress_s + negligible_s(a.egress_s) < gain_from
        });
        let theirs: HashSet<Segment> = theirs
            .map(|a| a.need.keys().copied().collect())
            .unwrap_or_default();
        let mut forbidden: HashSet<Segment> = HashSet::new();
        for round in 1..=SHARED_ROUNDS {
            let shared: Vec<Segment> = used.intersection(&theirs).copied().collect();
            if shared.is_empty() {
                break;
            }
            forbidden.extend(shared);
            let off = plan_flow(build(&c.corridors, &forbidden)?, c.units, &c.people)?;
            if off.stranded_total() > reference + 1e-6 {
                consider(off_shared_name(round), off, &mut best)?;
                break;
            }
            used = used_segments(&off);
            consider(off_shared_name(round), off, &mut best)?;
            // As early as without combatants: nothing left to gain.
            let left = alone.as_ref().map_or(f64::INFINITY, |a| a.egress_s);
            if best
                .as_ref()
                .is_some_and(|(civ, _, _)| egress(civ) <= left + negligible_s(left))
            {
                break;
            }
        }
    }
    // 7. Where streets bind the civilians: routings drawn off the combatant roads their road
    //    cut crosses, round by round ([`binding_repair`]), scored by the civilians' road bound
    //    from their planner's starts with the routing's roads closed ([`RoadScore`]: no
    //    civilian plan per round); the best scored, if clearly below the kept routing's, is
    //    planned (the next if its plan strands more civilians, up to [`PLANNED_REPAIRS`])
    //    and carried to the end by the caller.
    let timer = std::time::Instant::now();
    let mut alternative = None;
    let kept_civ = best
        .as_ref()
        .filter(|(civ, _, _)| civ.road_bound.is_some())
        .map(|(civ, comb, k)| (civ.stranded_total(), used_segments(comb), *k));
    if let Some((kept_lost, kept_used, k)) = kept_civ.filter(|_| BINDING_REPAIR) {
        let civ = &best.as_ref().expect("a kept routing").0;
        let scorer = RoadScore::new(&civilian_net, civ, civilian_units, civilians);
        // With no routing's roads closed: what a routing that costs them nothing leaves.
        let free = scorer.score(&HashSet::new());
        let kept_score = scorer.score(&kept_used);
        routings[k].road_bound_given_these_roads_s = kept_score.as_ref().map(|b| b.time_s.floor());
        let worth = |b: &Scored| {
            free.as_ref()
                .is_some_and(|f| b.time_s > f.time_s + negligible_s(f.time_s))
        };
        if let Some(kept_score) = kept_score.filter(worth) {
            let comb_net = build(&c.corridors, &HashSet::new())?;
            let relaxed: HashMap<Segment, f64> = needs
                .iter()
                .flat_map(|n| n.ways.iter().flatten())
                .map(|x| (*x, 1.0))
                .collect();
            let seeds: Vec<Seed4> = vec![(
                "the kept routing".into(),
                relaxed,
                kept_used.clone(),
                kept_score.clone(),
            )];
            if let Some(sc) = scorer.score(&shortest_used) {
                routings.push(RoutingResult {
                    routing: "shortest (scored only)".into(),
                    combatants_stranded: reference.round(),
                    civilians_stranded: None,
                    civilian_egress_s: None,
                    lower_bound_given_these_roads_s: None,
                    road_bound_given_these_roads_s: Some(sc.time_s.floor()),
                    final_civilian_egress_s: None,
                    kept: false,
                    rejected_because: Some(
                        "scored by the civilians' road bound only (not planned)".into(),
                    ),
                });
                // Measured and dropped as a seed of the rounds: on bench16 none of its
                // rounds was planned (they cut civilians off, or scored above the kept
                // routing's rounds); the score alone is kept for the report.
                tried.push(HashSet::new());
            }
            let found = binding_repair(&comb_net, &starts, &scorer, seeds);
            // Planned in order of their score while clearly below the kept routing's.
            let mut order: Vec<usize> = (0..found.len())
                .filter(|&i| {
                    let x = &found[i].2;
                    x.lost <= kept_score.lost + 1e-6
                        && x.time_s + negligible_s(x.time_s) < kept_score.time_s
                })
                .collect();
            order.sort_by(|&i, &j| found[i].2.key().partial_cmp(&found[j].2.key()).unwrap());
            order.truncate(PLANNED_REPAIRS);
            let mut rows: Vec<RoutingResult> = found
                .iter()
                .map(|(name, _, score)| RoutingResult {
                    routing: name.clone(),
                    // Its tree leaves no more combatant cells without a way out than the
                    // open network ([`binding_repair`]).
                    combatants_stranded: reference.round(),
                    civilians_stranded: None,
                    civilian_egress_s: None,
                    lower_bound_given_these_roads_s: None,
                    road_bound_given_these_roads_s: Some(score.time_s.floor()),
                    final_civilian_egress_s: None,
                    kept: false,
                    rejected_because: Some(if score.lost > kept_score.lost + 1e-6 {
                        format!(
                            "{:.0} civilians would have no start node (not planned)",
                            score.lost
                        )
                    } else {
                        "its civilians' road bound is not among the least found clearly below \
                         the kept routing's (not planned)"
                            .into()
                    }),
                })
                .collect();
            let mut planned: Vec<(usize, Option<(Flow<'a>, Flow<'a>)>)> = Vec::new();
            for &i in &order {
                if alternative_found(&planned) {
                    break;
                }
                let row = &mut rows[i];
                let mut net = comb_net.clone();
                net.keep_only_roads(&found[i].1);
                let comb = plan_flow(net, c.units, &c.people)?;
                row.combatants_stranded = comb.stranded_total().round();
                if comb.stranded_total() > reference + 1e-6 {
                    row.rejected_because = Some(format!(
                        "strands {:.0} combatants the shortest routing moves",
                        comb.stranded_total() - reference
                    ));
                    continue;
                }
                let used = used_segments(&comb);
                // Scored again on the roads the plan uses, as the kept routing is: the tree's
                // roads may be more, and the score only rises with roads closed.
                row.road_bound_given_these_roads_s = scorer.score(&used).map(|b| b.time_s.floor());
                if let Some(j) = tried.iter().position(|x| *x == used) {
                    row.rejected_because = Some(format!(
                        "the same roads as '{}' (not planned again)",
                        routings[j].routing
                    ));
                    continue;
                }
                let mut net = civilian_net.clone();
                net.close_segments(&used);
                let civ = plan_flow(net, civilian_units, civilians)?;
                row.civilians_stranded = Some(civ.stranded_total().round());
                row.civilian_egress_s = civ.plan.egress_s().map(f64::round);
                row.lower_bound_given_these_roads_s = civ.bound_given_separation_s.map(f64::floor);
                if civ.stranded_total() > kept_lost + 1e-6 {
                    row.rejected_because = Some(format!(
                        "its civilian plan strands {:.0} more than the kept routing's",
                        civ.stranded_total() - kept_lost
                    ));
                    planned.push((i, None));
                    continue;
                }
                row.rejected_because = None;
                planned.push((i, Some((civ, comb))));
            }
            let base = routings.len();
            for row in rows {
                routings.push(row);
                tried.push(HashSet::new());
            }
            alternative = planned
                .into_iter()
                .find_map(|(i, x)| x.map(|(civ, comb)| (civ, comb, base + i)));
        }
    }
    let road_bound_seconds = road_bound_seconds + timer.elapsed().as_secs_f64();
    if let Some(alone) = &alone {
        routings.push(alone.reference.clone());
    }
    let (civilians, combatants, kept) = best.ok_or_else(|| {
        EvacuationError(
            "no routing of the combatants moves as many as the shortest one (internal)".into(),
        )
    })?;
    routings[kept].kept = true;
    // Every routing planned and not kept says why, in the comparison's terms: a row that lost
    // when it was planned, or was kept until a later one beat it, had no reason where the
    // civilians' figures were thought to say it — they do not when the combatants' finish or
    // a tie decided.
    let kept_name = routings[kept].routing.clone();
    let step7 = alternative.as_ref().map(|a| a.2);
    for (i, row) in routings.iter_mut().enumerate() {
        let planned = row.civilian_egress_s.is_some() || row.civilians_stranded.is_some();
        if i != kept && Some(i) != step7 && planned && row.rejected_because.is_none() {
            row.rejected_because = Some(format!(
                "by the first plans, the routing kept ('{kept_name}') strands fewer civilians, or as few and ends the evacuation (the later of the two flows' finishes) no later — a tie keeps the routing tried first"
            ));
        }
    }
    Ok(Apart {
        civilians,
        combatants,
        routings,
        mandatory_segments: mandatory.len(),
        open_net,
        starts,
        road_bound_seconds: road_bound_seconds + combatant_bound_seconds,
        combatant_bounds,
        alternative,
    })
}

/// Whether one of the routings planned in step 7 of [`plan_apart`] is an alternative.
fn alternative_found<T>(planned: &[(usize, Option<T>)]) -> bool {
    planned.iter().any(|x| x.1.is_some())
}

/// How many of [`binding_repair`]'s routings step 7 of [`plan_apart`] plans at most (each
/// costs a combatant and a civilian plan).
const PLANNED_REPAIRS: usize = 3;

/// How many routings are carried to a finished civilian plan (every schedule the planner
/// tries, [`super::evacuate`]): the one kept here and at most one of [`binding_repair`]'s.
pub const FINISHED_ROUTINGS: usize = 2;

/// A routing's cost to the civilians where streets bind, without planning them: the
/// civilians' road-cut bound ([`road_bound::road_bound_to`]) on the bound's roads with the
/// routing's road pieces closed, from every node their cells may start from
/// ([`super::Flow::bound_starts`]) towards their own receptions, and the civilians left
/// without a start node by their planner's start rule on those roads. On Liechtenstein roads
/// bind the kept routing scores 9.90 h and its plan finishes at 10.18 h. Measured and dropped:
/// the bound from the planner's own starts (driving, or drivers walking) — 12.08 h there,
/// above every plan (the planner moves its starts), and blind to the routing on both maps.
struct RoadScore<'n, 'u> {
    net: &'n Network<'n>,
    units: &'u [Unit],
    people: &'u [Vec<(usize, f64)>],
    starts: Vec<road_bound::StartingPeople>,
    receptions: Option<road_bound::Receptions>,
    /// Per road piece, the civilians' joint arcs carrying it.
    arcs: HashMap<Segment, Vec<usize>>,
}

/// A routing's [`RoadScore`]: civilians without a start node, the bound, and its cut.
#[derive(Clone)]
struct Scored {
    lost: f64,
    time_s: f64,
    cut: road_bound::RoadBound,
}

impl Scored {
    /// Fewer civilians without a start first, then the lesser bound.
    fn key(&self) -> (f64, f64) {
        (self.lost.round(), self.time_s)
    }
}

impl<'n, 'u> RoadScore<'n, 'u> {
    fn new(
        net: &'n Network<'n>,
        civ: &Flow,
        units: &'u [Unit],
        people: &'u [Vec<(usize, f64)>],
    ) -> RoadScore<'n, 'u> {
        let mut arcs: HashMap<Segment, Vec<usize>> = HashMap::new();
        for a in 0..net.arc_of.len() {
            for x in arcs_segments(net, &[a as u32]) {
                arcs.entry(x).or_default().push(a);
            }
        }
        RoadScore {
            net,
            units,
            people,
            starts: civ.bound_starts.clone(),
            receptions: road_bound::receptions_of(net, &civ.bound_starts),
            arcs,
        }
    }

    /// The bound's travel times with the roads carrying `closed` pieces closed.
    fn travel(&self, closed: &HashSet<Segment>) -> Vec<f64> {
        let mut travel = self.net.bound_travel_s.clone();
        for x in closed {
            for &a in self.arcs.get(x).into_iter().flatten() {
                travel[a] = f64::INFINITY;
            }
        }
        travel
    }

    fn score(&self, closed: &HashSet<Segment>) -> Option<Scored> {
        let mut net = self.net.clone();
        net.close_segments(closed);
        let lost = stranded_at_start(&start_groups(&net, self.units, self.people).0);
        let travel = self.travel(closed);
        let rn = road_bound::network_of(self.net, &travel);
        let cut = road_bound::road_bound_to(
            &rn,
            &self.starts,
            self.net.sink_nodes(),
            self.receptions.as_ref(),
        )?;
        Some(Scored {
            lost,
            time_s: cut.time_s,
            cut,
        })
    }

    /// The road pieces a routing closed (open on the bound's roads, closed with `closed`)
    /// on the civilians' arcs that leave the cut of `b`: the roads whose closing made that
    /// cut narrow, which a routing off them would give back.
    fn binding(&self, closed: &HashSet<Segment>, b: &road_bound::RoadBound) -> HashSet<Segment> {
        let travel = self.travel(closed);
        let g = &self.net.graph;
        let arcs: Vec<u32> = (0..g.arc_count() as u32)
            .filter(|&a| {
                let (t, h) = (g.arc_tail(a) as usize, g.arc_head(a) as usize);
                b.inside[t]
                    && !b.inside[h]
                    && self.net.bound_travel_s[a as usize].is_finite()
                    && !travel[a as usize].is_finite()
            })
            .collect();
        arcs_segments(self.net, &arcs)
    }
}

/// A seed of [`binding_repair`]: its name, the [`penalised_tree`] needs its rounds start
/// from, the road pieces its combatant plan uses, and the civilians' road bound with them
/// closed.
type Seed4 = (String, HashMap<Segment, f64>, HashSet<Segment>, Scored);

/// Whether step 7 of [`plan_apart`] ([`binding_repair`]) runs: a switch for measuring it
/// (BENCHMARKS.md, "Combatant routings (s11-routing)"). No test yet fails with it off: the
/// wide-road town of `cli/tests/evacuate_second_narrow_road.rs` is found by step 6 already.
const BINDING_REPAIR: bool = true;

/// Rounds of [`binding_repair`] per seed routing.
const BINDING_ROUNDS: usize = 2;
/// What a binding piece costs a combatant tree that cannot do without it (in civilian
/// shares, times the tree's weight): taken only where no other way is left.
const BINDING_NEED: f64 = 1000.0;

/// Combatant routings that cost the civilians less where streets bind them: from each seed
/// (name, the [`penalised_tree`] needs it was drawn with, the civilians' road bound with its
/// roads closed), round by round, the combatant road pieces the bound's cut crosses
/// ([`RoadScore::binding`]) are closed to the combatants (as dear as [`BINDING_NEED`] where
/// closing them would leave some combatants no way out) and the tree drawn again; each tree
/// is scored by the civilians' road bound with its roads closed. Returns (name, tree roads,
/// score) per round; a round that finds no new binding piece ends its seed's rounds.
fn binding_repair(
    comb_net: &Network,
    starts: &[Vec<u32>],
    scorer: &RoadScore,
    seeds: Vec<Seed4>,
) -> Vec<(String, HashSet<u32>, Scored)> {
    const WEIGHT_S: f64 = 8.0 * 3600.0;
    let stuck = penalised_tree(comb_net, starts, &HashMap::new(), WEIGHT_S).1;
    let pieces_of = |roads: &HashSet<u32>| -> HashSet<Segment> {
        roads
            .iter()
            .flat_map(|&r| comb_net.road_segments(r))
            .collect()
    };
    let mut out = Vec::new();
    for (seed, mut need, mut routing, mut cut) in seeds {
        let mut closed: HashSet<Segment> = HashSet::new();
        for round in 1..=BINDING_ROUNDS {
            let fresh: Vec<Segment> = scorer
                .binding(&routing, &cut.cut)
                .into_iter()
                .filter(|x| !closed.contains(x))
                .collect();
            if fresh.is_empty() {
                break;
            }
            closed.extend(fresh.iter().copied());
            let mut trial = need.clone();
            for x in &fresh {
                trial.insert(*x, f64::INFINITY);
            }
            if penalised_tree(comb_net, starts, &trial, WEIGHT_S).1 == stuck {
                need = trial;
            } else {
                for x in &fresh {
                    let n = need.entry(*x).or_default();
                    *n = n.max(BINDING_NEED);
                }
            }
            let roads = penalised_tree(comb_net, starts, &need, WEIGHT_S).0;
            routing = pieces_of(&roads);
            let Some(b) = scorer.score(&routing) else {
                break;
            };
            out.push((
                format!(
                    "off the roads the civilians' road cut crosses, from {seed} (round {round})"
                ),
                roads,
                b.clone(),
            ));
            cut = b;
        }
    }
    out
}

/// The civilians' plan without combatants: how much each road piece carries, and the pieces
/// each neighbourhood's people use.
struct Alone {
    /// Share of the civilians leaving on each piece.
    need: HashMap<Segment, f64>,
    /// Per unit, the pieces its people's routes use.
    ways: HashMap<usize, HashSet<Segment>>,
    /// The plan's figures, as a reference row (never kept).
    reference: RoutingResult,
    /// People it strands, and when its last person arrives (`INFINITY` if nobody can).
    stranded: f64,
    egress_s: f64,
}

impl Alone {
    fn plan(
        net: &Network,
        units: &[Unit],
        civilians: &[Vec<(usize, f64)>],
    ) -> Result<Alone, EvacuationError> {
        let alone = plan_flow(net.clone(), units, civilians)?;
        let total: f64 = alone.plan.reservations.iter().map(|r| r.people).sum();
        let mut need: HashMap<Segment, f64> = HashMap::new();
        let mut ways: HashMap<usize, HashSet<Segment>> = HashMap::new();
        for r in &alone.plan.reservations {
            let mut pieces: HashSet<Segment> = HashSet::new();
            for &a in &r.arcs {
                let (l, pa) = alone.net.arc_of[a as usize];
                let g = alone.net.profile_graph(l);
                pieces.extend(segments(g, g.arc_edge(pa).0));
            }
            let unit = alone.groups[alone.source_group[r.source]].unit;
            for x in &pieces {
                *need.entry(*x).or_default() += r.people / total.max(1.0);
            }
            ways.entry(unit).or_default().extend(pieces);
        }
        let reference = RoutingResult {
            routing: "no combatants at all (reference only: what the separation costs)".into(),
            combatants_stranded: 0.0,
            civilians_stranded: Some(alone.stranded_total().round()),
            civilian_egress_s: alone.plan.egress_s().map(f64::round),
            lower_bound_given_these_roads_s: alone.bound_given_separation_s.map(f64::floor),
            road_bound_given_these_roads_s: None,
            final_civilian_egress_s: None,
            kept: false,
            rejected_because: Some("not a plan: the combatants must leave too".into()),
        };
        Ok(Alone {
            need,
            ways,
            reference,
            stranded: alone.stranded_total(),
            egress_s: egress(&alone),
        })
    }
}

/// The units whose people (in some mode) can reach no checkpoint on `closed` though they can
/// on `open`, or (`checkpoints`) fewer checkpoints.
fn losing(open: &Network, closed: &Network, units: &[Unit], checkpoints: bool) -> HashSet<usize> {
    use super::bound::instance;
    let points: Vec<[f64; 2]> = units.iter().map(|u| u.point).collect();
    let reach = |net: &Network, l: usize| -> Vec<Vec<bool>> {
        let starts = net.start_nodes(l, &points);
        let sources: Vec<(u32, f64, usize)> = starts
            .iter()
            .filter_map(|s| s.as_ref().ok().map(|&v| (v, 1.0, 0)))
            .collect();
        let inst = instance(
            &net.bound_network(false, vec![net.sink_nodes().to_vec()]),
            &sources,
        );
        let mut groups = inst.groups.into_iter();
        starts
            .iter()
            .map(|s| match s {
                Ok(_) => groups
                    .next()
                    .map(|g| g.reach_s.iter().map(|t| t.is_finite()).collect())
                    .unwrap_or_default(),
                Err(_) => Vec::new(),
            })
            .collect()
    };
    let mut out = HashSet::new();
    for l in 0..open.layers.len() {
        let (before, after) = (reach(open, l), reach(closed, l));
        for u in 0..units.len() {
            let reached = |x: &[bool]| x.iter().filter(|&&r| r).count();
            let lost = if checkpoints {
                before[u]
                    .iter()
                    .enumerate()
                    .any(|(k, &r)| r && !after[u].get(k).copied().unwrap_or(false))
            } else {
                reached(&before[u]) > 0 && reached(&after[u]) == 0
            };
            if lost {
                out.insert(u);
            }
        }
    }
    out
}

/// Rounds of protecting the ways of civilians a combatant tree cuts off.
const PROTECT_ROUNDS: usize = 12;

/// A [`penalised_tree`] that cuts no civilians off from every corridor where a few rounds of
/// protecting their ways (their pieces' need raised by 1, the weight of all civilians) can
/// avoid it. Returns the tree's roads (ids of `net`).
fn protecting_tree(
    net: &Network,
    civilian_units: &[Unit],
    starts: &[Vec<u32>],
    civilian_net: &Network,
    alone: &Alone,
    weight_s: f64,
    keep_checkpoints: bool,
) -> HashSet<u32> {
    let mut need = alone.need.clone();
    let mut roads = penalised_tree(net, starts, &need, weight_s).0;
    for _ in 0..PROTECT_ROUNDS {
        let closed = without_roads(civilian_net, net, &roads);
        let cut = losing(civilian_net, &closed, civilian_units, keep_checkpoints);
        if cut.is_empty() {
            break;
        }
        for u in cut {
            for x in alone.ways.get(&u).into_iter().flatten() {
                *need.entry(*x).or_default() += 1.0;
            }
        }
        roads = penalised_tree(net, starts, &need, weight_s).0;
    }
    roads
}

/// The roads of one shortest-path tree towards the combatants' receptions with each road's
/// cost its travel time plus `weight_s` × its civilians' share (`need`): per cell combatants
/// start from, the way from its cheapest possible start node (any within `MAX_START_M`). The
/// tree's ways merge, so the combatants take few roads, and those the civilians need least.
/// Roads of infinite need are never taken. Returns the roads and the number of cells from which
/// no way leads out.
fn penalised_tree(
    net: &Network,
    starts: &[Vec<u32>],
    need: &HashMap<Segment, f64>,
    weight_s: f64,
) -> (HashSet<u32>, usize) {
    let roads = net.road_of_arc();
    let mut road_need: HashMap<u32, f64> = HashMap::new();
    let cost: Vec<f64> = (0..roads.len())
        .map(|a| {
            let t = net.bound_travel_s[a];
            if !t.is_finite() {
                return t;
            }
            let n = *road_need.entry(roads[a]).or_insert_with(|| {
                net.road_segments(roads[a])
                    .iter()
                    .filter_map(|x| need.get(x))
                    .fold(0.0, |m: f64, &v| m.max(v))
            });
            t + weight_s * n
        })
        .collect();
    let seeds: Vec<Seed> = net
        .sink_nodes()
        .iter()
        .map(|&v| Seed { node: v, cost: 0.0 })
        .collect();
    let mut q = OneToAll::new(&net.graph);
    q.run(&net.graph, &cost, &seeds, f64::INFINITY, true);
    let mut keep = HashSet::new();
    let mut uncovered = 0;
    for set in starts {
        let start = set
            .iter()
            .copied()
            .filter(|&v| q.cost(v).is_finite())
            .min_by(|&a, &b| q.cost(a).total_cmp(&q.cost(b)));
        let Some(mut x) = start else {
            uncovered += 1;
            continue;
        };
        while q.parent_arc(x) != INVALID {
            let a = q.parent_arc(x);
            keep.insert(roads[a as usize]);
            x = net.graph.arc_head(a);
        }
    }
    (keep, uncovered)
}

/// People without a start node on `net`, and the civilians' bound on it with their planner's
/// starts (no plan made): the cheap measure by which combatant routings are compared before
/// one is planned.
fn own_score(net: &Network, units: &[Unit], people: &[Vec<(usize, f64)>]) -> (f64, Option<f64>) {
    let (groups, cells) = start_groups(net, units, people);
    let (groups, _) = starts_by_checkpoint(net, groups, cells);
    let lost = stranded_at_start(&groups);
    (lost, own_bound(net, &groups).2.map(|b| b.time_s))
}

/// People of groups without a start node.
fn stranded_at_start(groups: &[super::Group]) -> f64 {
    groups
        .iter()
        .filter(|g| g.start.is_err())
        .map(|g| g.people)
        .sum()
}

/// Rounds of drawing a combatant tree around the civilians' needed ways.
const NEED_ROUNDS: usize = 8;
/// A civilian way whose time to a checkpoint grows by more than this under a combatant tree
/// counts as cut (seconds).
const CUT_SLACK_S: f64 = 600.0;

/// The ways the civilians' relaxed optimum (the bound's schedule on their network with no
/// routing's roads closed) uses: per startable group and checkpoint it sends people through,
/// the quickest way from the group's start to the checkpoint, across it, and on to one of the
/// group's receptions.
struct RelaxedNeeds {
    /// (start node, checkpoint, time to its crossing) per pair the relaxed schedule uses.
    pairs: Vec<(u32, usize, f64)>,
    /// The road pieces of each pair's way.
    ways: Vec<HashSet<Segment>>,
}

impl RelaxedNeeds {
    /// The needs, with [`own_score`] on `net` (computed on the way).
    fn of(
        net: &Network,
        units: &[Unit],
        people: &[Vec<(usize, f64)>],
    ) -> ((f64, Option<f64>), Option<RelaxedNeeds>) {
        let (groups, cells) = start_groups(net, units, people);
        let (groups, _) = starts_by_checkpoint(net, groups, cells);
        let lost = stranded_at_start(&groups);
        let (classes, inst, bound) = own_bound(net, &groups);
        let score = (lost, bound.as_ref().map(|b| b.time_s));
        let Some(assignment) = bound.map(|b| b.assignment) else {
            return (score, None);
        };
        let g = &net.graph;
        let to_checkpoint = net.checkpoint_trees();
        let mut to_sinks: Vec<OneToAll> = Vec::new();
        for sinks in &classes.class_sinks {
            let seeds: Vec<Seed> = sinks.iter().map(|&v| Seed { node: v, cost: 0.0 }).collect();
            let mut q = OneToAll::new(g);
            q.run(g, &net.travel_s, &seeds, f64::INFINITY, true);
            to_sinks.push(q);
        }
        let mut pairs = Vec::new();
        let mut ways = Vec::new();
        for (i, row) in assignment.iter().enumerate() {
            let v = classes.nodes[i];
            let onward = &to_sinks[inst.groups[i].class];
            for (ci, &x) in row.iter().enumerate() {
                if x <= 1e-6 {
                    continue;
                }
                let (q, crossings) = &to_checkpoint[ci];
                let mut arcs = Vec::new();
                let tail = walk_tree(g, q, v, &mut arcs);
                let cross = crossings
                    .iter()
                    .copied()
                    .filter(|&a| g.arc_tail(a) == tail)
                    .min_by(|&a, &b| {
                        let t = |a: u32| net.travel_s[a as usize] + onward.cost(g.arc_head(a));
                        t(a).total_cmp(&t(b))
                    });
                if let Some(a) = cross {
                    arcs.push(a);
                    walk_tree(g, onward, g.arc_head(a), &mut arcs);
                }
                pairs.push((v, ci, q.cost(v)));
                ways.push(arcs_segments(net, &arcs));
            }
        }
        (score, Some(RelaxedNeeds { pairs, ways }))
    }

    /// A tree of combatant roads (ids of `comb_net`) drawn around the needed ways: each needed
    /// road costs eight hours extra, and the ways of the pairs a tree cuts (no way left, or one
    /// more than [`CUT_SLACK_S`] longer) are closed to the combatants in the next round unless
    /// that leaves some combatants no way out; of the rounds' trees, the one that leaves fewest
    /// civilians without a start and then the least civilian bound (the first `good_enough`
    /// (stranded, bound) ends the search).
    fn best_tree(
        &self,
        comb_net: &Network,
        starts: &[Vec<u32>],
        civilian_net: &Network,
        units: &[Unit],
        people: &[Vec<(usize, f64)>],
        good_enough: impl Fn((f64, f64)) -> bool,
    ) -> Option<HashSet<u32>> {
        const WEIGHT_S: f64 = 8.0 * 3600.0;
        let mut need: HashMap<Segment, f64> = HashMap::new();
        for x in self.ways.iter().flatten() {
            need.insert(*x, 1.0);
        }
        let mut best: Option<((f64, f64), HashSet<u32>)> = None;
        let mut protected: HashSet<usize> = HashSet::new();
        // Cells whose combatants have no way out on any routing.
        let stuck = penalised_tree(comb_net, starts, &need, WEIGHT_S).1;
        for _ in 0..NEED_ROUNDS {
            let (roads, _) = penalised_tree(comb_net, starts, &need, WEIGHT_S);
            let closed = without_roads(civilian_net, comb_net, &roads);
            let (lost, bound) = own_score(&closed, units, people);
            let score = (lost.round(), bound.unwrap_or(f64::INFINITY));
            let enough = good_enough(score);
            if best.as_ref().is_none_or(|b| score < b.0) {
                best = Some((score, roads));
            }
            if enough {
                break;
            }
            let trees = closed.checkpoint_trees();
            let cut: Vec<usize> = (0..self.pairs.len())
                .filter(|&k| {
                    let (v, ci, t) = self.pairs[k];
                    !protected.contains(&k) && trees[ci].0.cost(v) > t + CUT_SLACK_S
                })
                .collect();
            // Their ways closed to the combatants, unless that leaves some of them no way out:
            // all at once if that strands none, else one by one.
            let close = |need: &HashMap<Segment, f64>, ks: &[usize]| {
                let mut trial = need.clone();
                for x in ks.iter().flat_map(|&k| &self.ways[k]) {
                    trial.insert(*x, f64::INFINITY);
                }
                (penalised_tree(comb_net, starts, &trial, WEIGHT_S).1 == stuck).then_some(trial)
            };
            let mut added = false;
            if let Some(all) = close(&need, &cut) {
                need = all;
                added = !cut.is_empty();
            } else {
                for &k in &cut {
                    if let Some(trial) = close(&need, &[k]) {
                        need = trial;
                        added = true;
                    }
                }
            }
            protected.extend(cut);
            if !added {
                break;
            }
        }
        best.map(|b| b.1)
    }
}

/// Rounds of re-drawing the combatants' tree off the ways out of the civilian cells it cuts off.
const REPAIR_ROUNDS: usize = 10;
/// What a combatant road costs the civilians' search for a way out per crossing (seconds):
/// more than any way's travel time, so the way found crosses as few as can be.
const CROSSING_COST_S: f64 = 1e7;

/// A tree of combatant roads (ids of `comb_net`, see [`penalised_tree`]) that cuts as few
/// civilian cells off every reception as a few rounds of repair reach: draw the combatants'
/// shortest tree; find the cells whose people have a way out on `civilian_net` (the
/// mandatory pieces closed) but none with the tree's pieces closed; for each, the way out
/// that crosses fewest tree roads (then the quickest), from any node it may start from; close
/// those ways' pieces to the combatants (all at once if no combatant loses his way out, else
/// one by one, else penalise them as much as a needed road) and draw the tree again. Where
/// that leaves cells cut off, the rounds are run again closing such a way piece by piece
/// ([`Fallback::Outward`]). Returns the tree that cut off fewest people (the first that cuts
/// none ends the search).
fn repaired_tree(
    comb_net: &Network,
    starts: &[Vec<u32>],
    civilian_net: &Network,
    units: &[Unit],
    people: &[Vec<(usize, f64)>],
) -> HashSet<u32> {
    let mut best: Option<(f64, HashSet<u32>)> = None;
    for fallback in [Fallback::Dear, Fallback::Outward] {
        let got = repair_rounds(comb_net, starts, civilian_net, units, people, fallback);
        if best.as_ref().is_none_or(|b| got.0 < b.0 - 1e-6) {
            best = Some(got);
        }
        if best.as_ref().is_some_and(|b| b.0 <= 1e-6) {
            break;
        }
    }
    best.expect("one fallback at least").1
}

/// What [`repair_rounds`] does with a civilian way out it cannot close to the combatants
/// whole: make it as dear as a needed road, or close it one OSM way at a time from the cell
/// outward ([`close_piece_by_piece`]; from the reception inward was tried and repaired no
/// more of the random grids of `tests/evacuate_separation.rs`).
#[derive(Clone, Copy, PartialEq)]
enum Fallback {
    Dear,
    Outward,
}

/// The rounds of [`repaired_tree`] with one [`Fallback`]: the tree that cut off fewest people,
/// and how many.
fn repair_rounds(
    comb_net: &Network,
    starts: &[Vec<u32>],
    civilian_net: &Network,
    units: &[Unit],
    people: &[Vec<(usize, f64)>],
    fallback: Fallback,
) -> (f64, HashSet<u32>) {
    const WEIGHT_S: f64 = 8.0 * 3600.0;
    let (free_groups, cells) = start_groups(civilian_net, units, people);
    let mut need: HashMap<Segment, f64> = HashMap::new();
    let stuck = penalised_tree(comb_net, starts, &need, WEIGHT_S).1;
    let mut best: Option<(f64, HashSet<u32>)> = None;
    for _ in 0..REPAIR_ROUNDS {
        let roads = penalised_tree(comb_net, starts, &need, WEIGHT_S).0;
        let closed = without_roads(civilian_net, comb_net, &roads);
        // Cells whose group starts on the open network but not on the closed one (both calls
        // lay out the same cells in the same order).
        let (groups, closed_cells) = start_groups(&closed, units, people);
        let cut: Vec<usize> = (0..cells.len())
            .filter(|&i| {
                free_groups[cells[i].group].start.is_ok()
                    && groups[closed_cells[i].group].start.is_err()
            })
            .collect();
        let lost: f64 = cut.iter().map(|&i| cells[i].people).sum();
        if best.as_ref().is_none_or(|b| lost < b.0 - 1e-6) {
            best = Some((lost, roads));
        }
        if cut.is_empty() {
            break;
        }
        // Pieces every combatant way out takes once the civilians' protected ways are closed
        // to them: no civilian way may take one.
        let critical = critical_pieces(comb_net, starts, &need);
        let ways = least_crossing_ways(civilian_net, &closed, &critical, &cut, &cells);
        let close = |need: &HashMap<Segment, f64>, ways: &[&Vec<Segment>]| {
            let mut trial = need.clone();
            for x in ways.iter().copied().flatten() {
                trial.insert(*x, f64::INFINITY);
            }
            (penalised_tree(comb_net, starts, &trial, WEIGHT_S).1 == stuck).then_some(trial)
        };
        let before = need.clone();
        let all: Vec<&Vec<Segment>> = ways.iter().collect();
        if let Some(trial) = close(&need, &all) {
            need = trial;
        } else {
            for w in &ways {
                match close(&need, &[w]) {
                    Some(trial) => need = trial,
                    None if fallback == Fallback::Outward => {
                        need = close_piece_by_piece(comb_net, starts, need, w, stuck)
                    }
                    None => {
                        for x in w {
                            let n = need.entry(*x).or_default();
                            *n = n.max(1.0);
                        }
                    }
                }
            }
        }
        // Nothing learnt: every further round would draw the same tree.
        if need == before {
            break;
        }
    }
    best.expect("one round at least")
}

/// A civilian way out (its pieces from the cell outward) that cannot be closed to the
/// combatants whole — its pieces together cut some combatants off though none alone need be on
/// every combatant way out, as when it takes both roads of a combatants' cell: its pieces
/// closed one OSM way at a time from the cell outward, each unless that leaves some
/// combatants no way out (`stuck`: cells without one anyway); those left open are made as dear
/// as a needed road. The combatants keep the pieces farthest from the cell, and leave the
/// cell's own roads, of which the civilians have least choice.
fn close_piece_by_piece(
    comb_net: &Network,
    starts: &[Vec<u32>],
    mut need: HashMap<Segment, f64>,
    way: &[Segment],
    stuck: usize,
) -> HashMap<Segment, f64> {
    const WEIGHT_S: f64 = 8.0 * 3600.0;
    // One trial per OSM way along the civilian way (its consecutive pieces together): trials
    // stay few on long ways.
    let mut by_way: Vec<Vec<Segment>> = Vec::new();
    for &x in way {
        match by_way.last_mut() {
            Some(last) if last[0].0 == x.0 => last.push(x),
            _ => by_way.push(vec![x]),
        }
    }
    for group in by_way {
        // Closed already, or tried before and found to strand combatants (closing only
        // grows, so it still would): no tree to draw. On the Andorra benchmark this cuts the
        // pass from 4.4 s to 0.7 s (debug): the cells' ways out share their trunks.
        if group.iter().all(|x| need.contains_key(x)) {
            continue;
        }
        let mut trial = need.clone();
        for x in &group {
            trial.insert(*x, f64::INFINITY);
        }
        if penalised_tree(comb_net, starts, &trial, WEIGHT_S).1 == stuck {
            need = trial;
        } else {
            for x in group {
                let n = need.entry(x).or_default();
                *n = n.max(1.0);
            }
        }
    }
    need
}

/// The road pieces on every way out of some combatants' cell (those with a way out) once the
/// pieces of infinite `need` are closed to them: [`mandatory_segments`] of what is left.
fn critical_pieces(
    comb_net: &Network,
    starts: &[Vec<u32>],
    need: &HashMap<Segment, f64>,
) -> HashSet<Segment> {
    let closed: HashSet<Segment> = need
        .iter()
        .filter(|x| x.1.is_infinite())
        .map(|x| *x.0)
        .collect();
    let mut net = comb_net.clone();
    net.close_segments_for_every_plan(&closed);
    mandatory_segments(&net, starts)
}

/// Per cell of `cut` (indices into `cells`): the road pieces of its way out on `open` (to any
/// reception) that takes fewest roads closed in `closed`, then the quickest, from any node the
/// cell may start from — in order from the cell outward, each once.
fn least_crossing_ways(
    open: &Network,
    closed: &Network,
    critical: &HashSet<Segment>,
    cut: &[usize],
    cells: &[super::plan::BoundCell],
) -> Vec<Vec<Segment>> {
    let g = &open.graph;
    let mut avoid = open.clone();
    avoid.close_segments(critical);
    let cost: Vec<f64> = (0..g.arc_count())
        .map(|a| {
            let t = avoid.travel_s[a];
            if t.is_finite() && !closed.travel_s[a].is_finite() {
                t + CROSSING_COST_S
            } else {
                t
            }
        })
        .collect();
    let seeds: Vec<Seed> = open
        .sink_nodes()
        .iter()
        .map(|&v| Seed { node: v, cost: 0.0 })
        .collect();
    let mut q = OneToAll::new(g);
    q.run(g, &cost, &seeds, f64::INFINITY, true);
    cut.iter()
        .filter_map(|&i| {
            let from = cells[i]
                .nodes
                .iter()
                .copied()
                .filter(|&v| q.cost(v).is_finite())
                .min_by(|&a, &b| q.cost(a).total_cmp(&q.cost(b)))?;
            let mut arcs = Vec::new();
            walk_tree(g, &q, from, &mut arcs);
            let mut seen = HashSet::new();
            let pieces: Vec<Segment> = arcs
                .iter()
                .flat_map(|&a| arcs_segments(open, &[a]))
                .filter(|x| seen.insert(*x))
                .collect();
            Some(pieces)
        })
        .collect()
}

/// The civilians' network with every road piece of the combatant network's `roads` closed: what
/// the civilians have left under a combatant routing drawn on those roads.
fn without_roads<'a>(
    civilian_net: &Network<'a>,
    comb_net: &Network,
    roads: &HashSet<u32>,
) -> Network<'a> {
    let pieces: HashSet<Segment> = roads
        .iter()
        .flat_map(|&r| comb_net.road_segments(r))
        .collect();
    let mut closed = civilian_net.clone();
    closed.close_segments(&pieces);
    closed
}

/// Follows a backward search's tree from `v` to its seed, pushing the arcs; returns the seed.
pub(crate) fn walk_tree(g: &Graph, q: &OneToAll, v: u32, arcs: &mut Vec<u32>) -> u32 {
    let mut x = v;
    while q.cost(x).is_finite() && q.parent_arc(x) != INVALID {
        let a = q.parent_arc(x);
        arcs.push(a);
        x = g.arc_head(a);
    }
    x
}

/// The road pieces of joint arcs.
fn arcs_segments(net: &Network, arcs: &[u32]) -> HashSet<Segment> {
    arcs.iter()
        .flat_map(|&a| {
            let (l, pa) = net.arc_of[a as usize];
            let pg = net.profile_graph(l);
            segments(pg, pg.arc_edge(pa).0)
        })
        .collect()
}

/// Rounds of moving the kept combatant routing off the pieces it shares with the civilians'
/// plan without combatants (step 6 of [`plan_apart`]).
const SHARED_ROUNDS: usize = 3;
/// The name of round `round`'s routing in the report: the planner's shortest routing on the
/// combatants' whole network with the pieces closed (not the kept routing's own roads), which
/// may take other roads of the civilians; each round closes those too.
fn off_shared_name(round: usize) -> String {
    let closed = if round == 1 {
        "the road pieces the kept routing shares".to_string()
    } else {
        format!("those pieces and the ones round {} shares", round - 1)
    };
    format!("shortest off {closed} with the civilians' plan without combatants (round {round})")
}

/// Whether streets bind the civilians' plan `civ` and they finish last, far from their valid
/// bounds: its egress lies more than [`negligible_s`] above its bound given the separation
/// (checkpoints, roads relaxed), after the combatants' (`comb`), and more than
/// [`road_bound::EXPLAIN_ABOVE`] (3 %) above the larger of its valid bounds (the checkpoints,
/// and the road cut if [`road_bound_if_needed`] set it). Only then can a routing that
/// spares the civilians' roads shorten the evacuation where the separation bound does not see
/// it and the gap is worth a search (Malta roads bind, 1 % above: not tried).
fn roads_bind_civilians_last(civ: &Flow, comb: &Flow) -> bool {
    let finish = egress(civ);
    let above_separation_bound = civ
        .bound_given_separation_s
        .is_some_and(|b| finish.is_finite() && finish > b + negligible_s(b));
    if !above_separation_bound || finish <= egress(comb) {
        return false;
    }
    finish > road_bound::valid_bound_s(civ) * (1.0 + road_bound::EXPLAIN_ABOVE)
}

/// The civilians' valid road bound ([`road_bound::of_flow`]), computed only where
/// [`roads_bind_civilians_last`] reads it (it costs a cut): the report reuses it when this
/// plan is kept.
fn road_bound_if_needed(civ: &Flow) -> Option<road_bound::RoadBound> {
    let finish = egress(civ);
    let needed = finish.is_finite()
        && civ
            .bound_given_separation_s
            .is_some_and(|b| finish > b + negligible_s(b));
    needed.then(|| road_bound::of_flow(civ)).flatten()
}

/// When a flow's last person arrives (`INFINITY` if nobody can leave).
fn egress(f: &Flow) -> f64 {
    f.plan.egress_s().unwrap_or(f64::INFINITY)
}

/// Whether the plans `a` (civilians, combatants) beat `b`: fewer civilians stranded, then an
/// earlier finish of the evacuation — the later of the two flows, as the report's egress: a
/// routing that saves the civilians an hour but makes the combatants finish last after
/// them costs the evacuation time.
pub(crate) fn earlier(a: (&Flow, &Flow), b: (&Flow, &Flow)) -> bool {
    let (sa, sb) = (a.0.stranded_total(), b.0.stranded_total());
    if (sa - sb).abs() > 1e-6 {
        return sa < sb;
    }
    let finish = |x: (&Flow, &Flow)| egress(x.0).max(egress(x.1));
    finish(a) < finish(b) - 1e-6
}

/// What [`earlier`] compares, in words: civilians stranded, and when the evacuation ends (the
/// later of the two flows' finishes) — so a routing's "rejected because" says what decided.
pub(crate) fn outcome(a: (&Flow, &Flow)) -> String {
    let s = |t: f64| {
        if t.is_finite() {
            format!("{t:.0} s")
        } else {
            "never".to_string()
        }
    };
    format!(
        "{:.0} civilians stranded, evacuation over at {} (civilians {}, combatants {})",
        a.0.stranded_total(),
        s(egress(a.0).max(egress(a.1))),
        s(egress(a.0)),
        s(egress(a.1))
    )
}

/// Why the plans `a` (civilians, combatants), not [`earlier`] than `b`, lose though their
/// civilians are out as soon and strand no more: the combatants finish after `b`'s evacuation
/// ends (a routing far off the civilians' roads). `None` where the civilians' figures say why.
fn later_combatants(a: (&Flow, &Flow), b: (&Flow, &Flow)) -> Option<String> {
    let civilians_as_good =
        a.0.stranded_total() <= b.0.stranded_total() + 1e-6 && egress(a.0) <= egress(b.0);
    let ends = egress(b.0).max(egress(b.1));
    (civilians_as_good && egress(a.1) >= ends - 1e-6 && ends.is_finite()).then(|| {
        format!(
            "its combatants finish at {:.0} s, when the evacuation has ended ({:.0} s) with",
            egress(a.1),
            ends
        )
    })
}

/// The road pieces every combatant route must use, whatever the routing: per cell combatants
/// start from (`starts`: [`start_sets`]), the roads on every way from any node they could start from there to any
/// combatant reception on `net` (the combatants' network with no separation rule).
pub(crate) fn mandatory_segments(net: &Network, starts: &[Vec<u32>]) -> HashSet<Segment> {
    let open: Vec<bool> = net.bound_travel_s.iter().map(|t| t.is_finite()).collect();
    let roads = net.road_of_arc();
    mandatory_edges(&net.graph, &open, &roads, starts, net.sink_nodes())
        .into_iter()
        .flatten()
        .flatten()
        .flat_map(|r| net.road_segments(r))
        .collect()
}

/// Per cell where a place's combatants live (the plan's cells, [`start::inhabited`] of
/// [`start::cells`]: an area's combatants start all over it, not at its representative point),
/// every foot node inside the enclave within [`MAX_START_M`] of it — any of which some routing
/// may start them from (`net`: the combatants' network, foot only).
fn start_sets(net: &Network, units: &[Unit], people: &[(usize, f64)]) -> Vec<Vec<u32>> {
    let foot = net.start_candidates(0);
    people
        .iter()
        .filter(|x| x.1 > 0.0)
        .flat_map(|&(u, _)| {
            start::inhabited(start::cells(units[u].point, units[u].area.as_ref()), &foot)
        })
        .map(|c| {
            foot.iter()
                .filter(|k| haversine_m(k.at, c) <= MAX_START_M)
                .map(|k| k.node)
                .collect()
        })
        .collect()
}

/// Per start set: the edges (ids from `edge_of_arc`) on every path from any node of the set
/// to any of `sinks` over the `open` arcs, sorted; `None` when no sink can be reached from the
/// set. An edge counts as used by a path that takes any of its arcs, in either direction.
pub fn mandatory_edges(
    graph: &Graph,
    open: &[bool],
    edge_of_arc: &[u32],
    start_sets: &[Vec<u32>],
    sinks: &[u32],
) -> Vec<Option<Vec<u32>>> {
    let split = SplitGraph::new(graph, open, edge_of_arc, start_sets, sinks);
    let idom = post_dominators(&split.graph, split.root);
    (0..start_sets.len())
        .map(|i| {
            let u = split.start_node(i);
            if idom[u as usize] == INVALID {
                return None;
            }
            let mut edges = Vec::new();
            let mut x = idom[u as usize];
            while x != split.root {
                if let Some(e) = split.edge_of_node(x) {
                    edges.push(e);
                }
                x = idom[x as usize];
            }
            edges.sort_unstable();
            Some(edges)
        })
        .collect()
}

/// The graph with a node per road between its arcs' ends, a node per start set joined to its
/// nodes, and a super-sink (`root`) joined from every sink.
struct SplitGraph {
    graph: Graph,
    /// Nodes of the original graph.
    n: u32,
    /// Per road node (from `n`): its edge id.
    edges: Vec<u32>,
    starts: u32,
    root: u32,
}

impl SplitGraph {
    fn new(
        g: &Graph,
        open: &[bool],
        edge_of_arc: &[u32],
        start_sets: &[Vec<u32>],
        sinks: &[u32],
    ) -> SplitGraph {
        let n = g.node_count() as u32;
        let mut edges: Vec<u32> = (0..g.arc_count())
            .filter(|&a| open[a])
            .map(|a| edge_of_arc[a])
            .collect();
        edges.sort_unstable();
        edges.dedup();
        let road = |e: u32| n + edges.binary_search(&e).expect("an open arc's edge") as u32;
        let mut pairs: Vec<(u32, u32)> = Vec::new();
        for a in (0..g.arc_count() as u32).filter(|&a| open[a as usize]) {
            let r = road(edge_of_arc[a as usize]);
            pairs.push((g.arc_tail(a), r));
            pairs.push((r, g.arc_head(a)));
        }
        let starts = n + edges.len() as u32;
        for (i, set) in start_sets.iter().enumerate() {
            pairs.extend(set.iter().map(|&v| (starts + i as u32, v)));
        }
        let root = starts + start_sets.len() as u32;
        pairs.extend(sinks.iter().map(|&v| (v, root)));
        let (graph, _) = Graph::from_arcs(root as usize + 1, &pairs);
        SplitGraph {
            graph,
            n,
            edges,
            starts,
            root,
        }
    }

    fn start_node(&self, i: usize) -> u32 {
        self.starts + i as u32
    }

    fn edge_of_node(&self, x: u32) -> Option<u32> {
        (x >= self.n && x < self.starts).then(|| self.edges[(x - self.n) as usize])
    }
}

/// Immediate post-dominators towards `root`: `idom[v]` is the nearest node through which every
/// path from `v` to `root` passes (`root` for itself; `INVALID` if `v` cannot reach `root`).
/// Dominators of the reversed graph by Cooper, Harvey & Kennedy's iteration.
fn post_dominators(g: &Graph, root: u32) -> Vec<u32> {
    let order = reverse_postorder_backwards(g, root);
    let mut rank = vec![u32::MAX; g.node_count()];
    for (i, &v) in order.iter().enumerate() {
        rank[v as usize] = i as u32;
    }
    let mut idom = vec![INVALID; g.node_count()];
    idom[root as usize] = root;
    let intersect = |idom: &[u32], mut a: u32, mut b: u32| {
        while a != b {
            while rank[a as usize] > rank[b as usize] {
                a = idom[a as usize];
            }
            while rank[b as usize] > rank[a as usize] {
                b = idom[b as usize];
            }
        }
        a
    };
    let mut changed = true;
    while changed {
        changed = false;
        for &v in order.iter().skip(1) {
            // Predecessors in the reversed graph: the successors here.
            let mut new = INVALID;
            for a in g.out_arcs(v) {
                let p = g.arc_head(a);
                if idom[p as usize] == INVALID {
                    continue;
                }
                new = if new == INVALID {
                    p
                } else {
                    intersect(&idom, p, new)
                };
            }
            if new != idom[v as usize] {
                idom[v as usize] = new;
                changed = true;
            }
        }
    }
    idom
}

/// Nodes that reach `root`, in reverse postorder of a depth-first search from `root` along
/// incoming arcs (`root` first).
fn reverse_postorder_backwards(g: &Graph, root: u32) -> Vec<u32> {
    let mut seen = vec![false; g.node_count()];
    let mut post = Vec::new();
    let mut stack: Vec<(u32, Vec<u32>)> = Vec::new();
    let preds = |v: u32| -> Vec<u32> { g.in_arcs(v).map(|(t, _)| t).collect() };
    seen[root as usize] = true;
    stack.push((root, preds(root)));
    while let Some((v, rest)) = stack.last_mut() {
        match rest.pop() {
            Some(p) if !seen[p as usize] => {
                seen[p as usize] = true;
                let next = preds(p);
                stack.push((p, next));
            }
            Some(_) => {}
            None => {
                post.push(*v);
                stack.pop();
            }
        }
    }
    post.reverse();
    post
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both directions of each road `(u, v)`; edge id = index in `roads`.
    fn roads(n: usize, roads: &[(u32, u32)]) -> (Graph, Vec<u32>) {
        let pairs: Vec<(u32, u32)> = roads.iter().flat_map(|&(u, v)| [(u, v), (v, u)]).collect();
        let (g, ids) = Graph::from_arcs(n, &pairs);
        let mut edge = vec![0; pairs.len()];
        for (i, &id) in ids.iter().enumerate() {
            edge[id as usize] = (i / 2) as u32;
        }
        (g, edge)
    }

    #[test]
    fn a_bridge_and_a_ring_by_hand() {
        // 0 - 1 = ring (1-2-4, 1-3-4) - 4 - 5 (sink); road ids: 0:(0,1) 1:(1,2) 2:(1,3)
        // 3:(2,4) 4:(3,4) 5:(4,5). From 0 every way uses roads 0 and 5; from {0, 2} only 5
        // (2 reaches 4 without road 0); from 5 itself nothing; node 6 is cut off.
        let (g, edge) = roads(7, &[(0, 1), (1, 2), (1, 3), (2, 4), (3, 4), (4, 5)]);
        let open = vec![true; g.arc_count()];
        let got = mandatory_edges(
            &g,
            &open,
            &edge,
            &[vec![0], vec![0, 2], vec![5], vec![6]],
            &[5],
        );
        assert_eq!(
            got,
            vec![Some(vec![0, 5]), Some(vec![5]), Some(vec![]), None]
        );
        // With road 4 closed one way (4 -> 3 only), 1-3-4 is no way out: 1-2-4 becomes a must.
        let closed = (0..g.arc_count() as u32)
            .find(|&a| edge[a as usize] == 4 && g.arc_tail(a) == 3)
            .unwrap();
        let mut open = open;
        open[closed as usize] = false;
        let got = mandatory_edges(&g, &open, &edge, &[vec![0]], &[5]);
        assert_eq!(got, vec![Some(vec![0, 1, 3, 5])]);
    }
}
