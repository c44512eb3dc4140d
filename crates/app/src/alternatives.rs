//! Alternative routes by the penalty method, shared by `corridor route --alternatives` and the
//! server's OSRM `alternatives=` parameter.

use corridor_roads::route::RoadRoute;
use corridor_roads::{ProfileGraph, Router, Snap, WeightBound};
use std::collections::HashMap;

/// Each time a route is chosen, its edges cost this much more (a factor on the weight).
const PENALTY_FACTOR: f64 = 1.4;

/// Up to `count` routes that share at most `max_share` of their length with every route already
/// chosen (the best first), each with that largest share: the edges of chosen routes cost 40 %
/// more for each time they were used, and the search runs again (still exact on the penalised
/// weights, which stay above travel times). At most `4 × count` searches.
#[allow(clippy::too_many_arguments)]
pub fn alternative_routes(
    g: &ProfileGraph,
    router: &mut Router,
    weights: &[f64],
    best: &RoadRoute,
    from: &Snap,
    to: &Snap,
    count: usize,
    max_share: f64,
) -> Vec<(RoadRoute, f64)> {
    let mut chosen: Vec<RoadRoute> = vec![best.clone()];
    let mut penalised = weights.to_vec();
    let mut out = Vec::new();
    for _attempt in 0..count * 4 {
        if out.len() >= count {
            break;
        }
        penalise(g, &chosen, &mut penalised);
        let Some(cand) = router.route(g, &penalised, WeightBound::AtLeastTravelTime, from, to)
        else {
            break;
        };
        let share = chosen
            .iter()
            .map(|r| shared_fraction(&cand, r))
            .fold(0.0, f64::max);
        if share <= max_share {
            out.push((cand.clone(), share));
        }
        chosen.push(cand);
    }
    out
}

fn penalise(g: &ProfileGraph, chosen: &[RoadRoute], penalised: &mut [f64]) {
    for r in chosen {
        for p in &r.pieces {
            for a in [
                g.edge_fwd_arc[p.edge as usize],
                g.edge_bwd_arc[p.edge as usize],
            ] {
                if a != corridor_routing::INVALID {
                    penalised[a as usize] *= PENALTY_FACTOR;
                }
            }
        }
    }
}

fn edge_lengths(r: &RoadRoute) -> HashMap<u32, f64> {
    let mut m = HashMap::new();
    for p in &r.pieces {
        *m.entry(p.edge).or_insert(0.0) += (p.to_m - p.from_m).abs();
    }
    m
}

/// Share of `cand`'s length that runs on the same edges as `other`.
pub fn shared_fraction(cand: &RoadRoute, other: &RoadRoute) -> f64 {
    let (cl, ol) = (edge_lengths(cand), edge_lengths(other));
    let shared: f64 = cl
        .iter()
        .filter_map(|(e, l)| ol.get(e).map(|m| l.min(*m)))
        .sum();
    shared / cand.distance_m.max(1e-9)
}
