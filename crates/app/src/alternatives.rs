//! Alternative routes by the penalty method, shared by `corridor route --alternatives` and the
//! server's OSRM `alternatives=` parameter.

use corridor_roads::route::RoadRoute;
use corridor_roads::{ProfileGraph, Router, Snap, WeightBound};
use std::collections::HashMap;

/// Each time a route is chosen, its edges cost this much more (a factor on the weight).
const PENALTY_FACTOR: f64 = 1.4;

/// Up to `count` routes that share at most `max_share` of their length with every route already
/// chosen (the best first), each with that largest share: the edges of each route found cost
/// 40 % more (so an edge on k routes found costs 1.4^k times its weight), and the search runs
/// again (still exact on the penalised weights, which stay above travel times). At most
/// `4 × count` searches.
#[allow(clippy::too_many_arguments)]
pub fn alternative_routes(
    g: &ProfileGraph,
    router: &mut Router,
    weights: &[f64],
    best: &RoadRoute,
    from: &(impl AsRef<[Snap]> + ?Sized),
    to: &(impl AsRef<[Snap]> + ?Sized),
    count: usize,
    max_share: f64,
) -> Vec<(RoadRoute, f64)> {
    let mut chosen: Vec<RoadRoute> = vec![best.clone()];
    let mut penalised = weights.to_vec();
    penalise(g, &mut penalised, best);
    let mut out = Vec::new();
    for _attempt in 0..count * 4 {
        if out.len() >= count {
            break;
        }
        let Some(cand) = router.route(g, &penalised, WeightBound::AtLeastTravelTime, from, to)
        else {
            break;
        };
        penalise(g, &mut penalised, &cand);
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

/// Makes every edge of `route` cost [`PENALTY_FACTOR`] times more in `weights`, once per route
/// however often the route runs along the edge.
pub fn penalise(g: &ProfileGraph, weights: &mut [f64], route: &RoadRoute) {
    let edges: std::collections::BTreeSet<u32> = route.pieces.iter().map(|p| p.edge).collect();
    for e in edges {
        for a in [g.edge_fwd_arc[e as usize], g.edge_bwd_arc[e as usize]] {
            if a != corridor_routing::INVALID {
                weights[a as usize] *= PENALTY_FACTOR;
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

#[cfg(test)]
mod tests {
    use super::*;
    use corridor_roads::route::EdgePiece;
    use corridor_roads::{Profile, Snapper};

    #[test]
    fn each_route_found_penalises_its_edges_once() {
        let rg = corridor_roads::import_pbf(
            &std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../data/andorra.osm.pbf"),
        )
        .unwrap();
        let g = rg.profile(Profile::Car);
        let snapper = Snapper::new(g, rg.meta.bbox);
        let [a, b] = snapper.waypoints(g, [1.5218, 42.5063], [1.5383, 42.5114], 500.0, |_| true);
        let mut r = Router::new(g)
            .route(
                g,
                &g.arc_duration_s,
                WeightBound::AtLeastTravelTime,
                &a.unwrap(),
                &b.unwrap(),
            )
            .unwrap();
        // The same edge twice in one route still counts once.
        let twice: EdgePiece = r.pieces[1];
        r.pieces.push(twice);
        let mut w = g.arc_duration_s.clone();
        penalise(g, &mut w, &r);
        penalise(g, &mut w, &r);
        let on_route: std::collections::BTreeSet<u32> = r.pieces.iter().map(|p| p.edge).collect();
        for e in 0..g.edge_count() as u32 {
            let factor = if on_route.contains(&e) {
                1.4 * 1.4
            } else {
                1.0
            };
            for arc in [g.edge_fwd_arc[e as usize], g.edge_bwd_arc[e as usize]] {
                if arc != corridor_routing::INVALID {
                    let (got, base) = (w[arc as usize], g.arc_duration_s[arc as usize]);
                    assert!((got - base * factor).abs() <= 1e-9 * base, "edge {e}");
                }
            }
        }
    }
}
