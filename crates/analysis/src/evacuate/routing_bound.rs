//! A lower bound on the civilians' egress over every routing of the combatants, by
//! branch and bound over classes of routings.
//!
//! The exact optimum is the least, over every combatant routing `R`, of the civilians' optimum
//! with `R`'s roads closed to them. The plain bound closes only the roads every routing uses
//! (post-dominators: [`super::separation::mandatory_edges`]) and so relaxes the separation
//! almost entirely. Here a **class** of routings is given by roads every routing in it uses
//! (`used`) and roads none of it uses (`avoid`): its routings all use `used` and the
//! post-dominators of the combatant network without `avoid`, so closing those (`closed`) to
//! civilians gives a bound for every routing of the class. A class is split on one road `r`
//! into "some combatant uses `r`" and "no combatant uses `r`": every routing lies in exactly
//! one child. The bound is the least value over the classes not split yet (the frontier),
//! valid whenever the search stops.
//!
//! Which road to split on: the roads of the class's binding cut first, then roads both flows
//! may use, nearest the combatants' receptions first ([`CombatantRoads::after_cut`]): every
//! routing ends on one of the last roads before a reception, so a reception on a civilian
//! route beyond the cut (Andorra roads bind: the roundabout the civilians' third route needs)
//! closes that route in every child, which the cut's roads never show. Of up to
//! [`TRIES_PER_SPLIT`] such roads the first whose children both rise is taken, else the best
//! tried (strong branching cut short); a class's value is computed once per set of closed
//! roads.
//!
//! Two scores: every class gets the cheap one (the caller's `evaluate`: in the planner the
//! civilians' one road cut); the costlier one (`strengthen`: in the planner two road cuts in
//! series, [`super::chain_bound`]) is computed only for a class that is the least of the
//! frontier, before it is split — only the least class's value is the bound, so the others
//! need not pay for it. The search stops by counts of work ([`Budget`]), never by wall time,
//! so its bound is the same on every machine. It also stops once the least class scores as
//! high as one known routing — the planner's kept one — scored as a class
//! ([`over_every_routing_up_to`], [`Stop::Ceiling`]): every class holding that routing closes
//! a subset of its roads, so (with scores that follow the closures) none could score higher.
//! Measured (BENCHMARKS.md, "Bound over routings (s11-bound)"): on Malta roads bind and
//! Liechtenstein roads bind (assembled) the kept routing scores no higher than the root class
//! (the civilians' bound starts, every usable node within 500 m of a cell, let the cuts pass
//! round the combatants' roads), so 300 classes raised nothing there.
//!
//! What validity rests on: (1) each class's value is a valid bound for the civilians with its
//! `closed` roads closed (the caller's evaluation), (2) the civilians' exact optimum never
//! falls when more roads are closed (fewer roads, the same people, the same starts and
//! receptions to choose from), so it bounds every routing of the class, and (3) a child's
//! value is raised to its parent's (the parent's holds for the child's routings too, and the
//! value of a class is the largest of its valid scores), so the evaluation itself need not be
//! monotone (the road bound's choice of cuts is not). Classes in
//! which some combatant group that can leave on the open network cannot leave hold no routing
//! in which every combatant who can leave does: they are dropped.

use super::network::{segments, Network, Segment};
use super::separation::mandatory_edges;
use corridor_routing::{Graph, OneToAll, Seed};
use std::cmp::Ordering;
use std::collections::{BTreeSet, BinaryHeap, HashMap, HashSet};
use std::time::Instant;

/// The combatants' network as the search sees it: roads (ids shared by both directions of an
/// edge), where each group may start, and the receptions.
pub struct CombatantRoads<'a> {
    pub graph: &'a Graph,
    /// Per arc: usable by combatants at all.
    pub open: &'a [bool],
    pub road_of_arc: &'a [u32],
    /// Per combatant group: every node it may start from.
    pub start_sets: &'a [Vec<u32>],
    pub sinks: &'a [u32],
    /// Roads no routing that matters takes: those whose use would cut off civilians the
    /// bound counts (every way out of some cell of theirs), so every routing that lets the
    /// civilians leave avoids them. Ignored when avoiding them all would leave some combatant
    /// group that can leave no way out.
    pub cut_civilians_off: &'a BTreeSet<u32>,
    /// Roads to split on once a class's own list ([`Evaluation::branch_on`]) has none left to
    /// decide, in order: where the civilians' routes beyond their binding cut meet the
    /// combatants (in the planner: the roads both flows may use, nearest the combatants'
    /// receptions first — every routing ends on one of the last roads before a reception).
    pub after_cut: &'a [u32],
}

/// The civilians' bound for one class (its `closed` roads closed to them), and the combatant
/// roads worth splitting on next (those the bound's cut crosses, most binding first).
#[derive(Clone)]
pub struct Evaluation {
    pub value_s: f64,
    pub branch_on: Vec<u32>,
}

/// How much work, by counts only (so the bound is the same on every machine): the search
/// stops after `evaluations` classes scored, and computes the stronger score
/// ([`over_every_routing_strengthened`]) of at most `strengthenings` classes (the least ones
/// meanwhile go on unstrengthened).
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    pub evaluations: usize,
    pub strengthenings: usize,
}

/// What the search found.
#[derive(Debug, Clone)]
pub struct ClassSearch {
    /// The least value over the frontier: no routing lets the civilians finish sooner.
    pub bound_s: f64,
    /// The value of the class of every routing that cuts no counted civilians off (the roads
    /// every such routing uses closed).
    pub root_s: f64,
    /// Every frontier class's value (for tests: the bound is their least).
    pub frontier_s: Vec<f64>,
    pub evaluations: usize,
    /// Classes whose stronger score was computed.
    pub strengthenings: usize,
    /// The least class could not be split further (its bound's cut crosses no road left to
    /// decide): more search cannot raise the bound this way.
    pub settled: bool,
    /// Why the search stopped: [`Stop`].
    pub stopped: Stop,
    pub seconds: f64,
    /// The roads the least frontier class closes to civilians (where the bound stopped).
    pub least_closed: BTreeSet<u32>,
}

/// Why the search over classes stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stop {
    /// The least class cannot be split further.
    Settled,
    /// [`Budget::evaluations`] classes scored.
    Classes,
    /// The least class is valued at least as high as a known routing's roads
    /// ([`over_every_routing_up_to`]): no class holding that routing would score higher.
    Ceiling,
}

/// One class of routings.
struct Class {
    used: BTreeSet<u32>,
    avoid: BTreeSet<u32>,
    closed: BTreeSet<u32>,
    /// The class's valid bound: its own scores and its parent's value, the largest.
    value_s: f64,
    /// Its road-cut score (raised to its parent's): what the strong-branching test compares.
    cheap_s: f64,
    /// Whether its stronger score has been taken into `value_s`.
    strengthened: bool,
    branch_on: Vec<u32>,
}

impl PartialEq for Class {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}
impl Eq for Class {}
impl PartialOrd for Class {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Class {
    /// Least value first out of the (max-)heap.
    fn cmp(&self, o: &Self) -> Ordering {
        o.value_s.total_cmp(&self.value_s)
    }
}

/// The branch and bound (module docs) with the road-cut score alone. `evaluate` gets a
/// class's closed roads; `None` when no combatant group can leave (nothing to separate from).
pub fn over_every_routing(
    comb: &CombatantRoads,
    budget: Budget,
    evaluate: impl FnMut(&BTreeSet<u32>) -> Evaluation,
) -> Option<ClassSearch> {
    over_every_routing_strengthened(comb, budget, evaluate, |_, _| None)
}

/// The branch and bound with a second, costlier score: `strengthen(closed, value)` is a valid
/// bound for the civilians with `closed` closed (`None`: none above `value`). It is computed
/// lazily, once per class and only when the class is the least of the frontier — the only
/// class whose value is the bound — before the class is split; the class goes back with the
/// larger value. Its children start from that value (what holds for the parent holds for
/// them), and are split by the road-cut score's rise (`cheap_s`).
pub fn over_every_routing_strengthened(
    comb: &CombatantRoads,
    budget: Budget,
    evaluate: impl FnMut(&BTreeSet<u32>) -> Evaluation,
    strengthen: impl FnMut(&BTreeSet<u32>, f64) -> Option<f64>,
) -> Option<ClassSearch> {
    over_every_routing_up_to(comb, budget, None, evaluate, strengthen)
}

/// [`over_every_routing_strengthened`] that also stops ([`Stop::Ceiling`]) once the least
/// class is valued at least as high as `probe`: the roads one known routing uses (the
/// planner's kept one), scored as a class's (`evaluate`, then `strengthen` once the least
/// class reaches its first score; both counted in the budget). Every class the search keeps
/// that holds this routing closes a subset of these roads, and closing fewer roads lowers the
/// civilians' optimum, so with scores that follow it the search's least class can never rise
/// above the probe's: searching on would spend the budget for nothing (Malta and Liechtenstein
/// roads bind, assembled: the kept routing scores no higher than the root class). The scores
/// need not be monotone (the road bound's choice of cuts is not), so the stop can leave the
/// bound below what the count stop would reach — a loss of strength, not of validity. Like every
/// stop, it never affects validity (the bound is the least over the frontier), and it is
/// decided by values alone, so the bound is the same on every machine.
pub fn over_every_routing_up_to(
    comb: &CombatantRoads,
    budget: Budget,
    probe: Option<&BTreeSet<u32>>,
    mut evaluate: impl FnMut(&BTreeSet<u32>) -> Evaluation,
    mut strengthen: impl FnMut(&BTreeSet<u32>, f64) -> Option<f64>,
) -> Option<ClassSearch> {
    let timer = Instant::now();
    let leaving = groups_leaving(comb);
    let (avoid, closed) = match mandatory(comb, comb.cut_civilians_off, &leaving) {
        Some(m) => (comb.cut_civilians_off.clone(), m),
        None => (
            BTreeSet::new(),
            mandatory(comb, &BTreeSet::new(), &leaving)?,
        ),
    };
    let mut memo = Memo {
        evaluate: &mut evaluate,
        seen: HashMap::new(),
        evaluations: 0,
    };
    let mut posts = PostDominators {
        comb,
        leaving: &leaving,
        seen: HashMap::new(),
        open_roads: (0..comb.open.len())
            .filter(|&a| comb.open[a])
            .map(|a| comb.road_of_arc[a])
            .collect(),
    };
    let root = memo.get(&closed);
    // The probe's score (the one-cut score first; the stronger one when the least class
    // reaches it).
    // (With the roads every routing of the root class uses.)
    let probe: Option<BTreeSet<u32>> = probe.map(|p| p.union(&closed).copied().collect());
    let mut probe_s = probe.as_ref().map(|p| (p, memo.get(p).value_s, false));
    let root_s = root.value_s;
    let mut heap = BinaryHeap::new();
    heap.push(Class {
        used: BTreeSet::new(),
        avoid,
        closed,
        value_s: root.value_s,
        cheap_s: root.value_s,
        strengthened: false,
        branch_on: root.branch_on,
    });
    let mut strong: HashMap<BTreeSet<u32>, Option<f64>> = HashMap::new();
    let stop = |m: &Memo<_>| (m.evaluations >= budget.evaluations).then_some(Stop::Classes);
    let stopped = loop {
        let mut least = heap.pop().expect("the 'uses' child is always kept");
        let may_strengthen = strong.len() < budget.strengthenings;
        // Checked before the least class's own stronger score: when the probe's stays at or
        // below the least class's value, that one need not be computed.
        if let Some((p, value, strong_done)) = probe_s.as_mut() {
            if least.value_s >= *value && !*strong_done && may_strengthen && value.is_finite() {
                let v = *value;
                let found = *strong.entry(p.clone()).or_insert_with(|| strengthen(p, v));
                *value = v.max(found.unwrap_or(0.0));
                *strong_done = true;
            }
            if least.value_s >= *value {
                heap.push(least);
                break Stop::Ceiling;
            }
        }
        if !least.strengthened && least.value_s.is_finite() && may_strengthen {
            let value = least.value_s;
            let found = *strong
                .entry(least.closed.clone())
                .or_insert_with(|| strengthen(&least.closed, value));
            least.value_s = least.value_s.max(found.unwrap_or(0.0));
            least.strengthened = true;
            heap.push(least);
            continue;
        }
        let candidates = split_roads(&posts.open_roads, comb, &least);
        if candidates.is_empty() {
            heap.push(least);
            break Stop::Settled;
        }
        if let Some(why) = stop(&memo) {
            heap.push(least);
            break why;
        }
        // Strong branching, cut short: the first split whose children's road-cut scores both
        // rise, else the best tried (its least child, then its greatest).
        let mut best: Option<(f64, f64, Vec<Class>)> = None;
        for r in candidates {
            let children = split(&least, r, &mut posts, &mut memo);
            let low = children
                .iter()
                .map(|c| c.cheap_s)
                .fold(f64::INFINITY, f64::min);
            let high = children.iter().map(|c| c.cheap_s).fold(0.0, f64::max);
            if best.as_ref().is_none_or(|b| (low, high) > (b.0, b.1)) {
                best = Some((low, high, children));
            }
            if low > least.cheap_s || stop(&memo).is_some() {
                break;
            }
        }
        heap.extend(best.expect("one road tried").2);
    };
    let evaluations = memo.evaluations;
    let frontier_s: Vec<f64> = heap.iter().map(|c| c.value_s).collect();
    let bound_s = frontier_s.iter().copied().fold(f64::INFINITY, f64::min);
    let least_closed = heap.peek().map(|c| c.closed.clone()).unwrap_or_default();
    Some(ClassSearch {
        bound_s,
        root_s,
        frontier_s,
        evaluations,
        strengthenings: strong.len(),
        settled: stopped == Stop::Settled,
        stopped,
        seconds: timer.elapsed().as_secs_f64(),
        least_closed,
    })
}

/// How many roads a split tries at most ([`over_every_routing`]: strong branching).
const TRIES_PER_SPLIT: usize = 8;

/// The roads the class's bound crosses that its routings may or may not use, then such roads
/// of [`CombatantRoads::after_cut`]: the first [`TRIES_PER_SPLIT`].
fn split_roads(open_roads: &HashSet<u32>, comb: &CombatantRoads, c: &Class) -> Vec<u32> {
    let mut seen = HashSet::new();
    c.branch_on
        .iter()
        .chain(comb.after_cut)
        .copied()
        .filter(|r| {
            !c.closed.contains(r)
                && !c.avoid.contains(r)
                && seen.insert(*r)
                && open_roads.contains(r)
        })
        .take(TRIES_PER_SPLIT)
        .collect()
}

/// Every class's evaluation once (classes reached by different splits often close the same
/// roads), counting the evaluations made.
struct Memo<'e, F: FnMut(&BTreeSet<u32>) -> Evaluation> {
    evaluate: &'e mut F,
    seen: HashMap<BTreeSet<u32>, Evaluation>,
    evaluations: usize,
}

impl<F: FnMut(&BTreeSet<u32>) -> Evaluation> Memo<'_, F> {
    fn get(&mut self, closed: &BTreeSet<u32>) -> Evaluation {
        if let Some(e) = self.seen.get(closed) {
            return e.clone();
        }
        let e = (self.evaluate)(closed);
        self.evaluations += 1;
        self.seen.insert(closed.clone(), e.clone());
        e
    }
}

/// The children of class `c` split on road `r`: "some combatant uses `r`" and (unless some
/// group in `leaving` could then not leave) "no combatant uses `r`", each valued at least at
/// `c`'s value.
fn split<F: FnMut(&BTreeSet<u32>) -> Evaluation>(
    c: &Class,
    r: u32,
    posts: &mut PostDominators,
    memo: &mut Memo<F>,
) -> Vec<Class> {
    let mut used = c.used.clone();
    used.insert(r);
    let mut closed = c.closed.clone();
    closed.insert(r);
    let e = memo.get(&closed);
    let mut out = vec![Class {
        used,
        avoid: c.avoid.clone(),
        closed,
        value_s: e.value_s.max(c.value_s),
        cheap_s: e.value_s.max(c.cheap_s),
        strengthened: false,
        branch_on: e.branch_on,
    }];
    let mut avoid = c.avoid.clone();
    avoid.insert(r);
    if let Some(m) = posts.get(&avoid) {
        let closed: BTreeSet<u32> = c.used.union(&m).copied().collect();
        let e = memo.get(&closed);
        out.push(Class {
            used: c.used.clone(),
            avoid,
            closed,
            value_s: e.value_s.max(c.value_s),
            cheap_s: e.value_s.max(c.cheap_s),
            strengthened: false,
            branch_on: e.branch_on,
        });
    }
    out
}

/// [`mandatory`] once per set of avoided roads (sibling classes split on the same road avoid
/// the same set), and the roads open to the combatants.
struct PostDominators<'c, 'a> {
    comb: &'c CombatantRoads<'a>,
    leaving: &'c [bool],
    seen: HashMap<BTreeSet<u32>, Option<BTreeSet<u32>>>,
    open_roads: HashSet<u32>,
}

impl PostDominators<'_, '_> {
    fn get(&mut self, avoid: &BTreeSet<u32>) -> Option<BTreeSet<u32>> {
        if let Some(m) = self.seen.get(avoid) {
            return m.clone();
        }
        let m = mandatory(self.comb, avoid, self.leaving);
        self.seen.insert(avoid.clone(), m.clone());
        m
    }
}

/// Per group: whether some start of it reaches a reception on the open network (a search
/// backwards from the receptions: what `post_dominators(comb, ∅)[g].is_some()` says, without
/// building the dominator tree).
fn groups_leaving(comb: &CombatantRoads) -> Vec<bool> {
    let g = comb.graph;
    let mut seen = vec![false; g.node_count()];
    let mut stack: Vec<u32> = Vec::new();
    for &v in comb.sinks {
        if !seen[v as usize] {
            seen[v as usize] = true;
            stack.push(v);
        }
    }
    while let Some(v) = stack.pop() {
        for (t, a) in g.in_arcs(v) {
            if comb.open[a as usize] && !seen[t as usize] {
                seen[t as usize] = true;
                stack.push(t);
            }
        }
    }
    comb.start_sets
        .iter()
        .map(|set| set.iter().any(|&v| seen[v as usize]))
        .collect()
}

/// Per group, the roads on every way out with the `avoid` roads removed (`None`: no way).
fn post_dominators(comb: &CombatantRoads, avoid: &BTreeSet<u32>) -> Vec<Option<Vec<u32>>> {
    let open: Vec<bool> = (0..comb.open.len())
        .map(|a| comb.open[a] && !avoid.contains(&comb.road_of_arc[a]))
        .collect();
    mandatory_edges(
        comb.graph,
        &open,
        comb.road_of_arc,
        comb.start_sets,
        comb.sinks,
    )
}

/// The roads every routing avoiding `avoid` uses; `None` if some group in `leaving` (those
/// that can leave on the open network) could not leave.
fn mandatory(
    comb: &CombatantRoads,
    avoid: &BTreeSet<u32>,
    leaving: &[bool],
) -> Option<BTreeSet<u32>> {
    let per_group = post_dominators(comb, avoid);
    if !per_group
        .iter()
        .zip(leaving)
        .all(|(m, &l)| !l || m.is_some())
    {
        return None;
    }
    if !leaving.iter().any(|&l| l) {
        return None;
    }
    Some(per_group.into_iter().flatten().flatten().collect())
}

/// The search as the report gives it (`bound_over_combatant_routings`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct OverRoutings {
    /// No civilian plan under any combatant routing finishes sooner (floored to the second).
    pub bound_s: f64,
    /// The civilians' valid bound before the search (mandatory roads closed only).
    pub before_s: f64,
    /// Classes of routings whose bound was computed.
    pub classes: usize,
    /// Classes whose two-cut score was computed (the planner's second score).
    pub two_cut_classes: usize,
    /// Whether the least class could be split no further (else the budget stopped it).
    pub settled: bool,
    /// Where the search stopped: `settled`, `classes` (its budget's count, the planner's
    /// budget) or `ceiling` (the least class scores as high as the kept combatant routing's
    /// roads: [`over_every_routing_up_to`]); no wall-clock stop, so the bound is the same on
    /// every machine.
    pub stopped: Stop,
    pub seconds: f64,
}

impl OverRoutings {
    /// The report's figures of a search, `before_s` the civilians' valid bound without it.
    /// An infinite search bound (every class cuts civilians the bounds count off: no routing
    /// lets them all leave) is not claimed: the plan then strands some of them, and its
    /// egress is about fewer people than the bound's.
    pub fn of(s: &ClassSearch, before_s: f64) -> OverRoutings {
        let found = if s.bound_s.is_finite() {
            s.bound_s
        } else {
            before_s
        };
        OverRoutings {
            bound_s: found.max(before_s).floor(),
            before_s: before_s.floor(),
            classes: s.evaluations,
            two_cut_classes: s.strengthenings,
            settled: s.settled,
            stopped: s.stopped,
            seconds: s.seconds,
        }
    }
}

/// The search's work in the planner (`evacuate`, `bench --evacuation`), in arcs of the
/// civilians' network times classes scored: one class's road bound costs about one pass over
/// the network (≈ 12 ms on Andorra's 8,584 arcs, ≈ 35 ms on Liechtenstein's 23,325), so the
/// search costs about the same time on every map and, being a count, stops at the same class
/// on every machine. Measured in BENCHMARKS.md ("Two cuts in series per class"): Andorra roads
/// bind needs 60 classes and 11 two-cut scores to reach 6.145 h (fewer stop at 5.90 h).
pub const PLANNER_WORK_ARCS: usize = 520_000;

/// Classes whose two-cut score the planner's search computes at most (each ≈ 3–5 classes'
/// road bounds).
pub const PLANNER_TWO_CUT_CLASSES: usize = 12;

/// The search's budget for the civilian flow `civ` ([`PLANNER_WORK_ARCS`]): the search runs
/// only when the civilians' plan finishes more than [`super::road_bound::EXPLAIN_ABOVE`]
/// after their valid bounds.
pub(crate) fn planner_budget(civ: &super::Flow) -> Budget {
    let arcs = civ.net.graph.arc_count().max(1);
    Budget {
        evaluations: (PLANNER_WORK_ARCS / arcs).clamp(8, 200),
        strengthenings: PLANNER_TWO_CUT_CLASSES,
    }
}

/// The civilians' road-cut bound over every combatant routing
/// ([`over_every_routing_strengthened`], the least classes raised by two road cuts in series:
/// [`super::chain_bound::chain_bound`] on the same network and starts, towards every reception —
/// it does not keep a cell to its own receptions, a relaxation) for the
/// final civilian flow `civ` and the combatants' open network `comb_net` (no separation rule;
/// `starts`: every node each combatant group may start from). Each class's value is the larger
/// of `civ`'s valid bounds and its road bound with the class's roads closed (the same starts
/// and receptions as `civ`'s road bound: [`super::Flow::bound_starts`], every reception);
/// classes that cut off a cell whose people can leave on `civ`'s bound network are worth
/// infinity: they hold no plan that moves everyone the valid bounds count.
pub(crate) fn civilian_bound_over_routings(
    civ: &super::Flow,
    comb_net: &Network,
    starts: &[Vec<u32>],
    budget: Budget,
) -> Option<ClassSearch> {
    let open: Vec<bool> = comb_net
        .bound_travel_s
        .iter()
        .map(|t| t.is_finite())
        .collect();
    let roads = comb_net.road_of_arc();
    let comb = CombatantRoads {
        graph: &comb_net.graph,
        open: &open,
        road_of_arc: &roads,
        start_sets: starts,
        sinks: comb_net.sink_nodes(),
        cut_civilians_off: &BTreeSet::new(),
        after_cut: &[],
    };
    let civ_arcs = arcs_by_piece(&civ.net);
    let comb_road_of: HashMap<Segment, u32> = (0..roads.len())
        .filter(|&a| open[a])
        .flat_map(|a| piece_of_arc(comb_net, a).into_iter().map(move |s| (s, a)))
        .map(|(s, a)| (s, roads[a]))
        .collect();
    let floor = super::road_bound::valid_bound_s(civ);
    let sinks = civ.net.sink_nodes();
    let reaching = can_leave(&civ.net.graph, &civ.net.bound_travel_s, civ, sinks);
    let critical: BTreeSet<u32> = civilian_critical_pieces(civ, &reaching)
        .iter()
        .filter_map(|s| comb_road_of.get(s).copied())
        .collect();
    let near_receptions = shared_roads_nearest_receptions(comb_net, &open, &roads, &civ_arcs);
    let comb = CombatantRoads {
        cut_civilians_off: &critical,
        after_cut: &near_receptions,
        ..comb
    };
    // Each cell's receptions (the exposure rule, decided once on the bound's roads): the same
    // under every routing, so counted in every class's road bound.
    let receptions = super::road_bound::receptions_of(&civ.net, &civ.bound_starts);
    let mut arcs_of_resource: HashMap<u32, Vec<usize>> = HashMap::new();
    for (a, &res) in civ.net.resource.iter().enumerate() {
        arcs_of_resource.entry(res).or_default().push(a);
    }
    // The probe: the combatant roads of the pieces the civilians' own network closes beyond
    // the bound's (the kept routing's roads).
    let probe: BTreeSet<u32> = (0..civ.net.travel_s.len())
        .filter(|&a| !civ.net.travel_s[a].is_finite() && civ.net.bound_travel_s[a].is_finite())
        .flat_map(|a| piece_of_arc(&civ.net, a))
        .filter_map(|s| comb_road_of.get(&s).copied())
        .collect();
    let class_travel = |closed: &BTreeSet<u32>| {
        let mut travel = civ.net.bound_travel_s.clone();
        for &r in closed {
            for s in comb_net.road_segments(r) {
                for &a in civ_arcs.get(&s).into_iter().flatten() {
                    travel[a] = f64::INFINITY;
                }
            }
        }
        travel
    };
    let evaluate = |closed: &BTreeSet<u32>| {
        let travel = class_travel(closed);
        let now = can_leave(&civ.net.graph, &travel, civ, sinks);
        if reaching.iter().zip(&now).any(|(&was, &is)| was && !is) {
            return Evaluation {
                value_s: f64::INFINITY,
                branch_on: Vec::new(),
            };
        }
        let net = super::road_bound::road_network(civ, &travel);
        let Some(b) =
            super::road_bound::road_bound_to(&net, &civ.bound_starts, sinks, receptions.as_ref())
        else {
            return Evaluation {
                value_s: floor,
                branch_on: Vec::new(),
            };
        };
        let mut seen = HashSet::new();
        let branch_on = b
            .cut_resources
            .iter()
            .flat_map(|res| arcs_of_resource.get(res).into_iter().flatten())
            .flat_map(|&a| piece_of_arc(&civ.net, a))
            .filter_map(|s| comb_road_of.get(&s).copied())
            .filter(|r| seen.insert(*r))
            .collect();
        Evaluation {
            value_s: b.time_s.max(floor),
            branch_on,
        }
    };
    let two_cuts = |closed: &BTreeSet<u32>, value_s: f64| {
        let travel = class_travel(closed);
        let net = super::road_bound::road_network(civ, &travel);
        super::chain_bound::chain_bound(&net, &civ.bound_starts, sinks, value_s).map(|b| b.time_s)
    };
    over_every_routing_up_to(&comb, budget, Some(&probe), evaluate, two_cuts)
}

/// The combatant roads (of `comb_net`, `open` arcs) that the civilians' network also carries
/// (`civ_arcs`), nearest the combatants' receptions first (travel from the road's far end):
/// every routing ends on one of the last roads before a reception, and a reception that sits
/// on a civilian route closes it whichever way the combatants come (module docs).
fn shared_roads_nearest_receptions(
    comb_net: &Network,
    open: &[bool],
    roads: &[u32],
    civ_arcs: &HashMap<Segment, Vec<usize>>,
) -> Vec<u32> {
    let g = &comb_net.graph;
    let mut q = OneToAll::new(g);
    let seeds: Vec<Seed> = comb_net
        .sink_nodes()
        .iter()
        .map(|&v| Seed { node: v, cost: 0.0 })
        .collect();
    q.run(g, &comb_net.bound_travel_s, &seeds, f64::INFINITY, true);
    let mut nearest: HashMap<u32, f64> = HashMap::new();
    for a in (0..roads.len()).filter(|&a| open[a]) {
        let to_sink = q.cost(g.arc_head(a as u32));
        let shared = piece_of_arc(comb_net, a)
            .iter()
            .any(|s| civ_arcs.contains_key(s));
        if to_sink.is_finite() && shared {
            let e = nearest.entry(roads[a]).or_insert(f64::INFINITY);
            *e = e.min(to_sink);
        }
    }
    let mut out: Vec<(u32, f64)> = nearest.into_iter().collect();
    out.sort_by(|x, y| x.1.total_cmp(&y.1).then(x.0.cmp(&y.0)));
    out.into_iter().map(|x| x.0).collect()
}

/// The road pieces of a joint arc.
fn piece_of_arc(net: &Network, a: usize) -> Vec<Segment> {
    let (l, pa) = net.arc_of[a];
    let g = net.profile_graph(l);
    segments(g, g.arc_edge(pa).0)
}

/// Per road piece, the joint arcs carrying it.
fn arcs_by_piece(net: &Network) -> HashMap<Segment, Vec<usize>> {
    let mut out: HashMap<Segment, Vec<usize>> = HashMap::new();
    for a in 0..net.arc_of.len() {
        for s in piece_of_arc(net, a) {
            out.entry(s).or_default().push(a);
        }
    }
    out
}

/// Per cell of the flow's bound ([`super::Flow::bound_starts`]): whether some node of it
/// reaches a reception on `travel`.
fn can_leave(g: &Graph, travel: &[f64], f: &super::Flow, sinks: &[u32]) -> Vec<bool> {
    let mut q = OneToAll::new(g);
    let seeds: Vec<Seed> = sinks.iter().map(|&v| Seed { node: v, cost: 0.0 }).collect();
    q.run(g, travel, &seeds, f64::INFINITY, true);
    f.bound_starts
        .iter()
        .map(|c| c.starts.iter().any(|&v| q.cost(v).is_finite()))
        .collect()
}

/// The road pieces on every way out of some cell the flow's bound counts (`reaching`: per
/// [`super::Flow::bound_starts`] entry, whether it can leave on the bound's network): a
/// combatant routing that takes one cuts those people off.
fn civilian_critical_pieces(civ: &super::Flow, reaching: &[bool]) -> HashSet<Segment> {
    let net = &civ.net;
    let open: Vec<bool> = net.bound_travel_s.iter().map(|t| t.is_finite()).collect();
    let roads = net.road_of_arc();
    let sets: Vec<Vec<u32>> = civ
        .bound_starts
        .iter()
        .zip(reaching)
        .filter(|x| *x.1 && x.0.people > 0.0)
        .map(|x| x.0.starts.clone())
        .collect();
    mandatory_edges(&net.graph, &open, &roads, &sets, net.sink_nodes())
        .into_iter()
        .flatten()
        .flatten()
        .flat_map(|r| net.road_segments(r))
        .collect()
}
