//! How many people a road carries per hour (README, "Evacuation", capacities).
//!
//! - on foot: 1.3 people per second per metre of walkable width (the maximum specific flow of
//!   the SFPE Handbook's hydraulic model, ~4,700 people/h/m), 1.0 on steps; width from `width`,
//!   else by road class;
//! - by vehicle: 1,800 vehicles per hour per lane (urban saturation flow, HCM order of
//!   magnitude) × people per vehicle; lanes from `lanes`, else by class.

use corridor_roads::{Profile, ProfileGraph, RoadClass};
use corridor_routing::INVALID;

/// Pedestrian maximum specific flow, people per second per metre of width (SFPE Handbook).
pub const WALK_FLOW_PER_M_S: f64 = 1.3;
/// On stairs.
pub const STEPS_FLOW_PER_M_S: f64 = 1.0;
/// Vehicles per hour per lane.
pub const VEHICLES_PER_LANE_H: f64 = 1800.0;

/// Walkable width in metres: the `width` tag, else a class default.
fn walk_width_m(g: &ProfileGraph, e: u32) -> f64 {
    let w = g.edges.width_dm[e as usize];
    if w > 0 {
        return w as f64 / 10.0;
    }
    use RoadClass::*;
    match g.edge_class(e) {
        Footway | Path | Steps | Cycleway | Bridleway | Track => 2.0,
        Residential | LivingStreet | Service | Road => 5.0,
        Unclassified | Tertiary | TertiaryLink => 6.0,
        Secondary | SecondaryLink => 8.0,
        _ => 10.0,
    }
}

fn lanes_one_way(g: &ProfileGraph, e: u32) -> f64 {
    let tagged = g.edges.lanes[e as usize] as f64;
    let two_way = g.edge_fwd_arc[e as usize] != INVALID && g.edge_bwd_arc[e as usize] != INVALID;
    if tagged > 0.0 {
        return if two_way {
            (tagged / 2.0).max(1.0)
        } else {
            tagged
        };
    }
    use RoadClass::*;
    match g.edge_class(e) {
        Motorway | Trunk => 2.0,
        Primary | Secondary if !two_way => 2.0,
        _ => 1.0,
    }
}

/// People per hour an edge carries for a mode.
pub fn edge_capacity_per_hour(g: &ProfileGraph, e: u32, people_per_vehicle: f64) -> f64 {
    match g.profile {
        Profile::Foot => {
            let rate = if g.edge_class(e) == RoadClass::Steps {
                STEPS_FLOW_PER_M_S
            } else {
                WALK_FLOW_PER_M_S
            };
            rate * walk_width_m(g, e) * 3600.0
        }
        Profile::Car => lanes_one_way(g, e) * VEHICLES_PER_LANE_H * people_per_vehicle,
    }
}
