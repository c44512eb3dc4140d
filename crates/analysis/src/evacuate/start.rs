//! Where a neighbourhood's people start on the road network.
//!
//! The rule (README, "Where people start"): the scenario's population model spreads an area
//! unit's people evenly over its area (`PopulationUnit`), so the area inside the enclave is
//! cut into square cells of [`START_CELL_M`] (larger for big areas, so that there are at most
//! about [`MAX_START_CELLS`] cells), each cell holding the people of its area share (the grid,
//! [`cells`], is `siege::area_cells`: `verify` reads the population layer alike). A cell's
//! people walk or drive from the road node nearest to its centre, among the nodes of their mode
//! inside the enclave from which a reception can be reached, if one lies within
//! [`MAX_START_M`]; otherwise they are stranded, with the reason. Any such usable node within
//! [`MAX_START_M`] may start them: once the bound's relaxed optimum has split a cell over the
//! checkpoints, the planner starts each share at the usable node nearest in time to its
//! checkpoint (`plan::starts_by_checkpoint`), and the bound allows every node. A node therefore starts the
//! share of the area nearer to it than to any other usable node — the node's Voronoi cell on
//! the grid, the way evacuation models load a network from a population raster (each cell to
//! its nearest network node). A point unit is one cell at its point.
//!
//! This differs on purpose from the siege's rule for splitting an area over separated pieces
//! (in proportion to road junctions): there the question is which piece people belong to,
//! here how far each of them is from a road.

pub use crate::siege::{area_cells as cells, MAX_START_CELLS, START_CELL_M};
use corridor_roads::geometry::haversine_m;

/// People start at a road node at most this far from where they live (metres); farther, they
/// count as stranded. The same limit as health-care access uses.
pub const MAX_START_M: f64 = 500.0;
/// A road node people could start from.
#[derive(Debug, Clone, Copy)]
pub struct Candidate {
    /// `[lon, lat]`.
    pub at: [f64; 2],
    pub node: u32,
    /// Whether a road from it is open to the flow (not closed, not kept for the other flow).
    pub open: bool,
    /// Whether a reception can be reached from it.
    pub leads_out: bool,
}

/// A share of a neighbourhood's people and where they start (or why they cannot).
#[derive(Debug, Clone, PartialEq)]
pub struct StartShare {
    pub start: Result<u32, String>,
    /// Of the neighbourhood's people, in `(0, 1]`; the shares of one neighbourhood add to 1.
    pub share: f64,
}

/// The cells of one place where people live: those with a foot road node inside the enclave
/// within [`MAX_START_M`] (`foot`: the foot layer's candidates, open or closed). An area's
/// population figure counts residents, and residents live where a road is; spreading them
/// evenly over mountainside or water would strand people who do not exist (on the example,
/// 4,185 of sector C1). This is the dasymetric step of population mapping (people spread over
/// the inhabitable part of an area, not all of it), with "a road within 500 m" as the
/// inhabitable test because the scenario carries no land-use layer. When no cell of the place
/// has a road, every cell is kept, and its people are stranded with the reason "no road".
pub fn inhabited(cells: Vec<[f64; 2]>, foot: &[Candidate]) -> Vec<[f64; 2]> {
    let near_road = |c: &[f64; 2]| foot.iter().any(|k| haversine_m(k.at, *c) <= MAX_START_M);
    if !cells.iter().any(near_road) {
        return cells;
    }
    cells.into_iter().filter(near_road).collect()
}

/// How the people of a place spread over start nodes: each of `cells` (equal shares) to the
/// nearest candidate within [`MAX_START_M`] that leads out; the rest stranded, by reason.
/// Shares are merged per start node and per reason, start nodes first in order of first use.
pub fn spread(cells: &[[f64; 2]], candidates: &[Candidate], mode: &str) -> Vec<StartShare> {
    let weight = 1.0 / cells.len().max(1) as f64;
    let mut out: Vec<StartShare> = Vec::new();
    for &c in cells {
        let start = nearest_way_out(c, candidates).map_err(|x| x.describe(mode));
        match out.iter_mut().find(|s| s.start == start) {
            Some(s) => s.share += weight,
            None => out.push(StartShare {
                start,
                share: weight,
            }),
        }
    }
    out.sort_by_key(|s| s.start.is_err());
    out
}

/// Every node the bounds let a cell's people start from (the cell at `at`): the candidates of
/// their own mode within [`MAX_START_M`] (open or not: which are usable depends on the roads the
/// other flow takes), and for drivers (`foot`: the foot layer's candidates, given for every mode
/// but walking) the foot candidates within [`MAX_START_M`] as well — **drivers may leave the car
/// and walk when the plan says so**, and any routing of the other flow that closes every car
/// road near the cell makes them walk. So the bounds hold whether a plan (or a routing) has a
/// cell's drivers drive or walk. Before, drivers got their foot nodes only when they walked in
/// the plan bounded, and a routing that made them walk could beat the bound (README, "Lower
/// bound"; `analysis/tests/evacuate_drivers_walk.rs`). Sorted, each node once.
pub fn bound_start_nodes(at: [f64; 2], own: &[Candidate], foot: Option<&[Candidate]>) -> Vec<u32> {
    let mut out: Vec<u32> = own
        .iter()
        .chain(foot.unwrap_or(&[]))
        .filter(|k| haversine_m(k.at, at) <= MAX_START_M)
        .map(|k| k.node)
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Why a cell has no start node, before its cause is named ([`super::stranding`] names it
/// for the plan's flows).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoStart {
    /// No road node of the mode inside the enclave within [`MAX_START_M`].
    NoRoad,
    /// Road nodes within [`MAX_START_M`], none leading to a reception on the flow's roads.
    NoWayOut,
}

impl NoStart {
    /// The reason in words, without its cause.
    pub fn describe(self, mode: &str) -> String {
        match self {
            NoStart::NoRoad => {
                format!("no {mode} road inside the enclave within {MAX_START_M:.0} m")
            }
            NoStart::NoWayOut => {
                format!("no {mode} road within {MAX_START_M:.0} m leads to a corridor's reception")
            }
        }
    }
}

/// The candidate nearest to `at` within [`MAX_START_M`] that is open and leads out (ties: the
/// lower node id), or why there is none.
pub fn nearest_way_out(at: [f64; 2], candidates: &[Candidate]) -> Result<u32, NoStart> {
    let near: Vec<(f64, &Candidate)> = candidates
        .iter()
        .map(|c| (haversine_m(c.at, at), c))
        .filter(|x| x.0 <= MAX_START_M)
        .collect();
    if near.is_empty() {
        return Err(NoStart::NoRoad);
    }
    near.iter()
        .filter(|x| x.1.open && x.1.leads_out)
        .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.node.cmp(&b.1.node)))
        .map(|x| x.1.node)
        .ok_or(NoStart::NoWayOut)
}
