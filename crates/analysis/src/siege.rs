//! `corridor siege`: is an enclave besieged, which roads still feed it, which cut would close it,
//! and when does food run out.
//!
//! Definitions (README, "Siege analysis", sets them beside OCHA's and Siege Watch's):
//! - *inside*: road nodes on the enclave's ground;
//! - *outside*: road nodes off the enclave on ground that leads away — nobody's ground, or
//!   territory of the enclave's party or its allies that reaches within
//!   [`SiegeParams::edge_band_m`] of the map's edge — and beyond the front-line band (or within
//!   [`SiegeParams::reception_radius_m`] of a declared reception point on such ground): a route
//!   counts once it has left the fighting behind, and its exposure is what it takes to get there;
//! - roads that cross a front line are closed, **declared crossings included**: a corridor the
//!   besieger opens and controls does not lift a siege;
//! - per profile (trucks: car, people: foot): `open` if the least exposed route from outside in
//!   stays below the exposure threshold, `contested` if routes exist but all are above it,
//!   `besieged` if none exists. The enclave is `besieged` when neither trucks nor people get
//!   through, `open` when both do below the threshold, `contested` otherwise.

use corridor_roads::geometry::LocalProjection;
use corridor_roads::{Profile, ProfileGraph, RoadClass};
use corridor_routing::{min_cut, OneToAll, Seed, INVALID};
use corridor_scenario::{Mode, Scenario, ScenarioMap, Side};
use geo::{Area, BooleanOps, BoundingRect, Contains, MapCoords, MultiPolygon, Point};
use serde::Serialize;

/// Tunables of the siege analysis, with documented defaults.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct SiegeParams {
    /// Exposure above which a route counts as under fire (from the scenario's `[risk]`).
    pub exposure_threshold: f64,
    /// Territory of the party or its allies this close to the map's bounding box "leads away"
    /// (metres).
    pub edge_band_m: f64,
    /// Road nodes this close to a reception point on safe ground count as "outside" (metres).
    pub reception_radius_m: f64,
    /// Days of daily stock shown in the forecast series at most.
    pub horizon_days: u32,
}

impl SiegeParams {
    pub fn for_scenario(s: &Scenario) -> SiegeParams {
        SiegeParams {
            exposure_threshold: s.risk.exposure_threshold,
            edge_band_m: 1000.0,
            reception_radius_m: 300.0,
            horizon_days: 365,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Open,
    Contested,
    Besieged,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Contested => "contested",
            Status::Besieged => "besieged",
        }
    }
}

/// Reachability for one travel profile.
#[derive(Debug, Clone, Serialize)]
pub struct ProfileStatus {
    pub profile: Profile,
    pub status: Status,
    /// Exposure of the least exposed route from outside into the enclave.
    pub best_exposure: Option<f64>,
    pub inside_nodes: usize,
    pub outside_nodes: usize,
}

/// A road that still carries routes from outside into the enclave.
#[derive(Debug, Clone, Serialize)]
pub struct SupplyRoute {
    /// Street name, else `way <id>`.
    pub road: String,
    pub osm_way_ids: Vec<i64>,
    pub profile: Profile,
    /// Exposure of the least exposed route from outside entering by this road.
    pub exposure: f64,
    /// Below the exposure threshold.
    pub open: bool,
    /// Share of the enclave's population for whom this road is the best way in.
    pub population_share: f64,
    /// `[lon, lat]` where the road enters the enclave.
    pub entry: [f64; 2],
    /// The least exposed route from outside to the entry, `[lon, lat]`.
    pub geometry: Vec<[f64; 2]>,
}

/// One road segment of a cut.
#[derive(Debug, Clone, Serialize)]
pub struct CutRoad {
    pub road: String,
    pub osm_way_id: i64,
    pub class: RoadClass,
    /// Lanes counted for the weighted cut (tagged, else the class default).
    pub lanes: u32,
    pub geometry: Vec<[f64; 2]>,
}

/// The fewest road segments (and the least total lanes) whose closure cuts a profile's access.
#[derive(Debug, Clone, Serialize)]
pub struct CutReport {
    pub profile: Profile,
    /// Number of road segments in the smallest cut (= edge-disjoint routes in, by Menger).
    pub size: usize,
    pub roads: Vec<CutRoad>,
    /// The cut with the least total lanes, and that total.
    pub weighted_lanes: u64,
    pub weighted_roads: Vec<CutRoad>,
    /// `size == 1`: one road's loss means total blockade for this profile.
    pub single_road_blockade: bool,
}

/// When food runs out.
#[derive(Debug, Clone, Serialize)]
pub struct Forecast {
    pub people: f64,
    pub stock_kcal: f64,
    pub need_kcal_per_day: f64,
    pub open_supply_routes: usize,
    pub inflow_kcal_per_day: f64,
    /// `None`: inflow covers the need; stocks do not run out.
    pub days_left: Option<f64>,
    pub runs_out_on: Option<chrono::NaiveDate>,
    /// Stock at the start of each day from `as_of`, kcal (to the horizon or exhaustion).
    pub daily_stock_kcal: Vec<f64>,
    pub assumptions: Vec<String>,
}

/// When food runs out if some roads are lost.
#[derive(Debug, Clone, Serialize)]
pub struct CutForecast {
    /// The roads lost (names), all open truck supply roads for the last entry.
    pub roads_cut: Vec<String>,
    pub open_supply_routes: usize,
    pub days_left: Option<f64>,
    pub runs_out_on: Option<chrono::NaiveDate>,
}

/// Everything about one enclave.
#[derive(Debug, Clone, Serialize)]
pub struct EnclaveReport {
    pub name: String,
    pub party: String,
    pub status: Status,
    pub headline: Vec<String>,
    pub status_by_profile: Vec<ProfileStatus>,
    /// Areas of the enclave's pieces of ground, km².
    pub pieces_km2: Vec<f64>,
    pub population: f64,
    pub supply_routes: Vec<SupplyRoute>,
    /// The truck (car) cut: what a blockade of supplies must close.
    pub min_cut: CutReport,
    /// The people (foot) cut.
    pub min_cut_foot: CutReport,
    pub forecast: Option<Forecast>,
    /// The forecast if each open truck supply road were cut in turn, and if all were.
    pub forecast_if_cut: Vec<CutForecast>,
    /// The enclave's outline, for drawing.
    #[serde(skip)]
    pub outline: MultiPolygon<f64>,
}

/// The enclave's ground: its party's territory, limited to its `area` if one is given.
pub fn enclave_ground(s: &Scenario, enclave: usize) -> MultiPolygon<f64> {
    let e = &s.enclaves[enclave];
    let own: Vec<_> = s
        .territories
        .iter()
        .filter(|t| t.party == e.party)
        .flat_map(|t| t.area.0.iter().cloned())
        .collect();
    let own = MultiPolygon(own);
    match &e.area {
        Some(a) => own.intersection(a),
        None => own,
    }
}

/// Lanes a road segment counts for in the weighted cut: the `lanes` tag, else a class default
/// (two for roads of tertiary class and above, one otherwise).
fn lanes(g: &ProfileGraph, e: u32) -> u32 {
    let tagged = g.edges.lanes[e as usize] as u32;
    if tagged > 0 {
        return tagged;
    }
    use RoadClass::*;
    match g.edge_class(e) {
        Motorway | Trunk => 4,
        Primary | Secondary | Tertiary | MotorwayLink | TrunkLink | PrimaryLink => 2,
        _ => 1,
    }
}

fn road_name(g: &ProfileGraph, e: u32) -> String {
    g.edge_name(e).map_or_else(
        || format!("way {}", g.edges.way_id[e as usize]),
        str::to_string,
    )
}

/// What the analysis found for one profile, kept for the supply-route and forecast steps.
struct ProfileRun {
    status: ProfileStatus,
    routes: Vec<SupplyRoute>,
    cut: CutReport,
}

fn run_profile(
    sm: &ScenarioMap,
    enclave: usize,
    ground: &MultiPolygon<f64>,
    bbox: [f64; 4],
    params: &SiegeParams,
    population: &[(f64, [f64; 2])],
) -> ProfileRun {
    let s = sm.scenario;
    let g = sm.graph;
    let party = s.enclaves[enclave].party;
    let side = Side::CivilianOf(party);
    let proj = LocalProjection::for_bbox(bbox);
    let rect = ground.bounding_rect();
    let inside: Vec<bool> = g
        .node_coord
        .iter()
        .map(|c| {
            rect.is_some_and(|r| {
                r.min().x <= c[0] && c[0] <= r.max().x && r.min().y <= c[1] && c[1] <= r.max().y
            }) && ground.contains(&Point::new(c[0], c[1]))
        })
        .collect();
    let edge_xy = [
        proj.project([bbox[0], bbox[1]]),
        proj.project([bbox[2], bbox[3]]),
    ];
    let near_map_edge = |r: &geo::Rect<f64>| {
        let (a, b) = (
            proj.project([r.min().x, r.min().y]),
            proj.project([r.max().x, r.max().y]),
        );
        a[0] - edge_xy[0][0] <= params.edge_band_m
            || edge_xy[1][0] - b[0] <= params.edge_band_m
            || a[1] - edge_xy[0][1] <= params.edge_band_m
            || edge_xy[1][1] - b[1] <= params.edge_band_m
    };
    // Safe ground that leads away: nobody's ground (what lies beyond the drawn territories), or
    // territory of the party or its allies that reaches the map's edge.
    let leads_away: Vec<bool> = s
        .territories
        .iter()
        .map(|t| {
            !s.hostile(party, t.party) && t.area.bounding_rect().is_some_and(|r| near_map_edge(&r))
        })
        .collect();
    let outside_ground = |c: [f64; 2]| {
        let pt = Point::new(c[0], c[1]);
        match s.territories.iter().position(|t| t.area.contains(&pt)) {
            None => true,
            Some(i) => leads_away[i],
        }
    };
    let receptions: Vec<[f64; 2]> = s
        .corridors
        .iter()
        .filter_map(|c| c.reception)
        .filter(|&r| {
            !ground.contains(&Point::new(r[0], r[1]))
                && sm.owner_at(r).is_none_or(|p| !s.hostile(party, p))
        })
        .collect();
    // Outside: such ground beyond the front-line band (every road at the node is clear of it),
    // or near a reception point on it. A route only counts once it has left the fighting.
    let calm = |v: u32| {
        g.graph
            .out_arcs(v)
            .map(|a| g.arc_edge(a).0)
            .chain(g.graph.in_arcs(v).map(|(_, a)| g.arc_edge(a).0))
            .all(|e| sm.front_m[e as usize] == 0.0)
    };
    let outside: Vec<u32> = (0..g.node_count() as u32)
        .filter(|&v| {
            let c = g.node_coord[v as usize];
            !inside[v as usize]
                && outside_ground(c)
                && (calm(v)
                    || receptions.iter().any(|r| {
                        corridor_roads::geometry::haversine_m(*r, c) <= params.reception_radius_m
                    }))
        })
        .collect();
    let blocked: Vec<bool> = (0..g.edge_count() as u32)
        .map(|e| sm.blocked_with(e, side, false).is_some())
        .collect();
    let weights = sm.weights_from(&blocked, Mode::Safest, 0.0);
    // From outside in: supplies travel this way (one-way streets matter for trucks).
    let mut search = OneToAll::new(&g.graph);
    let seeds: Vec<Seed> = outside
        .iter()
        .map(|&v| Seed { node: v, cost: 0.0 })
        .collect();
    search.run(&g.graph, &weights, &seeds, f64::INFINITY, false);
    let path_arcs = |mut v: u32| {
        let mut arcs = Vec::new();
        while search.parent_arc(v) != INVALID {
            let a = search.parent_arc(v);
            arcs.push(a);
            v = g.graph.arc_tail(a);
        }
        arcs.reverse();
        arcs
    };
    let exposure_of = |arcs: &[u32]| -> f64 {
        arcs.iter()
            .map(|&a| sm.edge_exposure(g.arc_edge(a).0))
            .sum()
    };

    // Entry arcs: from a reached outside-of-enclave node straight into the enclave, on a route
    // that has not passed through the enclave before.
    struct Entry {
        arc: u32,
        exposure: f64,
        cost: f64,
    }
    let mut entries: Vec<Entry> = Vec::new();
    for u in 0..g.node_count() as u32 {
        if inside[u as usize] || search.cost(u).is_infinite() {
            continue;
        }
        for a in g.graph.out_arcs(u) {
            let v = g.graph.arc_head(a);
            if !inside[v as usize] || weights[a as usize].is_infinite() {
                continue;
            }
            let arcs = path_arcs(u);
            if arcs.iter().any(|&x| inside[g.graph.arc_head(x) as usize]) {
                continue;
            }
            let ex = exposure_of(&arcs) + sm.edge_exposure(g.arc_edge(a).0);
            entries.push(Entry {
                arc: a,
                exposure: ex,
                cost: search.cost(u) + weights[a as usize],
            });
        }
    }
    let best_exposure = entries
        .iter()
        .map(|e| e.exposure)
        .fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.min(x))));
    let status = match best_exposure {
        None => Status::Besieged,
        Some(x) if x < params.exposure_threshold => Status::Open,
        Some(_) => Status::Contested,
    };

    // Group entries by road; keep each road's least exposed entry.
    let mut groups: Vec<(String, Vec<i64>, usize)> = Vec::new(); // name, way ids, best entry index
    for (i, en) in entries.iter().enumerate() {
        let e = g.arc_edge(en.arc).0;
        let name = road_name(g, e);
        let way = g.edges.way_id[e as usize];
        match groups.iter_mut().find(|x| x.0 == name) {
            Some(gr) => {
                if !gr.1.contains(&way) {
                    gr.1.push(way);
                }
                if en.exposure < entries[gr.2].exposure {
                    gr.2 = i;
                }
            }
            None => groups.push((name, vec![way], i)),
        }
    }
    // Who is served best by which road: a search inward from every entry at its cost.
    let mut inward = OneToAll::new(&g.graph);
    let entry_seeds: Vec<Seed> = entries
        .iter()
        .map(|en| Seed {
            node: g.graph.arc_head(en.arc),
            cost: en.cost,
        })
        .collect();
    inward.run(&g.graph, &weights, &entry_seeds, f64::INFINITY, false);
    let mut served = vec![0.0; groups.len()];
    let total_people: f64 = population.iter().map(|p| p.0).sum();
    for &(people, at) in population {
        // The unit's nearest inside node.
        let v = (0..g.node_count()).filter(|&v| inside[v]).min_by(|&a, &b| {
            let d = |v: usize| corridor_roads::geometry::haversine_m(g.node_coord[v], at);
            d(a).total_cmp(&d(b))
        });
        let Some(mut v) = v.map(|v| v as u32) else {
            continue;
        };
        if inward.cost(v).is_infinite() {
            continue;
        }
        while inward.parent_arc(v) != INVALID {
            v = g.graph.arc_tail(inward.parent_arc(v));
        }
        // v is an entry's inside node: credit the cheapest entry arriving there.
        let best = entries
            .iter()
            .enumerate()
            .filter(|(_, en)| g.graph.arc_head(en.arc) == v)
            .min_by(|a, b| a.1.cost.total_cmp(&b.1.cost))
            .map(|(i, _)| i);
        if let Some(i) = best {
            let name = road_name(g, g.arc_edge(entries[i].arc).0);
            if let Some(k) = groups.iter().position(|x| x.0 == name) {
                served[k] += people;
            }
        }
    }
    let mut routes: Vec<SupplyRoute> = groups
        .iter()
        .enumerate()
        .map(|(k, (name, ways, i))| {
            let en = &entries[*i];
            let tail = g.graph.arc_tail(en.arc);
            let mut arcs = path_arcs(tail);
            arcs.push(en.arc);
            let geometry = g.arcs_geometry(&arcs);
            SupplyRoute {
                road: name.clone(),
                osm_way_ids: ways.clone(),
                profile: g.profile,
                exposure: en.exposure,
                open: en.exposure < params.exposure_threshold,
                population_share: if total_people > 0.0 {
                    served[k] / total_people
                } else {
                    0.0
                },
                entry: g.node_coord[g.graph.arc_head(en.arc) as usize],
                geometry,
            }
        })
        .collect();
    routes.sort_by(|a, b| a.exposure.total_cmp(&b.exposure));

    // Minimum cuts on the passable network, outside -> inside.
    let inside_nodes: Vec<u32> = (0..g.node_count() as u32)
        .filter(|&v| inside[v as usize])
        .collect();
    let unit: Vec<u32> = (0..g.arc_count())
        .map(|a| u32::from(!weights[a].is_infinite()))
        .collect();
    let by_lanes: Vec<u32> = (0..g.arc_count() as u32)
        .map(|a| {
            if weights[a as usize].is_infinite() {
                0
            } else {
                let (e, _) = g.arc_edge(a);
                let l = lanes(g, e);
                // Lanes in this direction: half of a two-way road's.
                if g.edge_fwd_arc[e as usize] != INVALID && g.edge_bwd_arc[e as usize] != INVALID {
                    l.div_ceil(2)
                } else {
                    l
                }
            }
        })
        .collect();
    let cut_roads = |arcs: &[u32]| -> Vec<CutRoad> {
        let mut edges: Vec<u32> = arcs.iter().map(|&a| g.arc_edge(a).0).collect();
        edges.sort_unstable();
        edges.dedup();
        edges
            .into_iter()
            .map(|e| CutRoad {
                road: road_name(g, e),
                osm_way_id: g.edges.way_id[e as usize],
                class: g.edge_class(e),
                lanes: lanes(g, e),
                geometry: g.edge_shape(e).to_vec(),
            })
            .collect()
    };
    let (plain, weighted) = if outside.is_empty() || inside_nodes.is_empty() {
        (None, None)
    } else {
        (
            Some(min_cut(&g.graph, &unit, &outside, &inside_nodes)),
            Some(min_cut(&g.graph, &by_lanes, &outside, &inside_nodes)),
        )
    };
    let roads = plain
        .as_ref()
        .map_or_else(Vec::new, |c| cut_roads(&c.cut_arcs));
    let cut = CutReport {
        profile: g.profile,
        size: roads.len(),
        single_road_blockade: roads.len() == 1,
        roads,
        weighted_lanes: weighted.as_ref().map_or(0, |c| c.value),
        weighted_roads: weighted
            .as_ref()
            .map_or_else(Vec::new, |c| cut_roads(&c.cut_arcs)),
    };
    ProfileRun {
        status: ProfileStatus {
            profile: g.profile,
            status,
            best_exposure,
            inside_nodes: inside_nodes.len(),
            outside_nodes: outside.len(),
        },
        routes,
        cut,
    }
}

/// Population inside the enclave, as `(people, point)`: point units inside count whole, area
/// units by the share of their area inside.
pub fn enclave_population(s: &Scenario, ground: &MultiPolygon<f64>) -> Vec<(f64, [f64; 2])> {
    let mut out = Vec::new();
    for u in &s.population {
        match &u.area {
            None => {
                if ground.contains(&Point::new(u.point[0], u.point[1])) {
                    out.push((u.people, u.point));
                }
            }
            Some(a) => {
                // Areas in a local metric projection so that shares are true area shares.
                let c = u.point;
                let k = c[1].to_radians().cos();
                let proj =
                    |m: &MultiPolygon<f64>| m.map_coords(|p| geo::coord! {x: p.x * k, y: p.y});
                let whole = proj(a).unsigned_area();
                if whole <= 0.0 {
                    continue;
                }
                let part = proj(&a.intersection(ground)).unsigned_area();
                let share = (part / whole).clamp(0.0, 1.0);
                if share > 0.0 {
                    let at = if ground.contains(&Point::new(c[0], c[1])) {
                        c
                    } else {
                        geo::InteriorPoint::interior_point(&a.intersection(ground))
                            .map_or(c, |p| [p.x(), p.y()])
                    };
                    out.push((u.people * share, at));
                }
            }
        }
    }
    out
}

/// The food forecast for `people` given the open truck supply routes.
pub fn forecast(
    s: &Scenario,
    population: f64,
    open_routes: usize,
    horizon_days: u32,
) -> Option<Forecast> {
    let st = s.stock.as_ref()?;
    let people = st.people.unwrap_or(population);
    let need = people * st.kcal_per_person_day;
    let inflow = open_routes as f64 * st.inflow_kcal_per_route_day;
    let net = need - inflow;
    let days_left = (net > 0.0).then(|| st.food_kcal / net);
    let runs_out_on = days_left.map(|d| s.as_of + chrono::Duration::days(d.floor() as i64));
    let days = days_left.map_or(horizon_days, |d| (d.ceil() as u32).min(horizon_days));
    let daily_stock_kcal = (0..=days)
        .map(|k| (st.food_kcal - k as f64 * net).clamp(0.0, f64::MAX))
        .collect();
    let mut assumptions = vec![
        format!(
            "{people:.0} people ({}) each need {:.0} kcal a day{}",
            if st.people.is_some() {
                "from [stock] people"
            } else {
                "the population layer inside the enclave"
            },
            st.kcal_per_person_day,
            if st.kcal_per_person_day == corridor_scenario::SPHERE_KCAL_PER_PERSON_DAY {
                " (Sphere Handbook minimum planning figure)"
            } else {
                ""
            }
        ),
        format!(
            "stock on {}: {:.3e} kcal{}",
            s.as_of,
            st.food_kcal,
            st.ration
                .as_ref()
                .map(|r| format!(
                    " of {r} at {} kcal/kg",
                    st.kcal_per_kg.unwrap_or_default()
                ))
                .unwrap_or_default()
        ),
        format!(
            "deliveries only along open truck supply routes ({open_routes}), each {} trucks a day × {} t{}",
            st.trucks_per_day_per_route,
            st.tonnes_per_truck,
            if st.inflow_kcal_per_route_day > 0.0 { "" } else { " (no deliveries assumed)" }
        ),
        "the stock is shared evenly and nothing is lost, looted or sold out of the enclave"
            .into(),
        "the situation on as_of holds for the whole forecast".into(),
    ];
    if people <= 0.0 {
        assumptions.push("no people: nothing is consumed".into());
    }
    Some(Forecast {
        people,
        stock_kcal: st.food_kcal,
        need_kcal_per_day: need,
        open_supply_routes: open_routes,
        inflow_kcal_per_day: inflow,
        days_left,
        runs_out_on,
        daily_stock_kcal,
        assumptions,
    })
}

/// Runs the siege analysis for every enclave of the scenario.
pub fn siege(
    foot: &ScenarioMap,
    car: &ScenarioMap,
    bbox: [f64; 4],
    params: &SiegeParams,
) -> Vec<EnclaveReport> {
    let s = foot.scenario;
    let proj = LocalProjection::for_bbox(bbox);
    (0..s.enclaves.len())
        .map(|i| {
            let e = &s.enclaves[i];
            let ground = enclave_ground(s, i);
            let pop = enclave_population(s, &ground);
            // Whole people: area shares of units wholly inside are 1 up to rounding.
            let population: f64 = pop.iter().map(|p| p.0).sum::<f64>().round();
            let f = run_profile(foot, i, &ground, bbox, params, &pop);
            let c = run_profile(car, i, &ground, bbox, params, &pop);
            let status = match (c.status.status, f.status.status) {
                (Status::Besieged, Status::Besieged) => Status::Besieged,
                (Status::Open, Status::Open) => Status::Open,
                _ => Status::Contested,
            };
            let open_routes = c.routes.iter().filter(|r| r.open).count();
            // [stock] describes the first enclave.
            let fc = if i == 0 {
                forecast(s, population, open_routes, params.horizon_days)
            } else {
                None
            };
            // With and without each road: close its ways and look again.
            let mut forecast_if_cut = Vec::new();
            if fc.is_some() {
                let open: Vec<&SupplyRoute> = c.routes.iter().filter(|r| r.open).collect();
                let mut sets: Vec<Vec<&SupplyRoute>> = open.iter().map(|r| vec![*r]).collect();
                if open.len() > 1 {
                    sets.push(open.clone());
                }
                for set in sets {
                    let mut cm = car.clone();
                    for e in 0..cm.graph.edge_count() as u32 {
                        let w = cm.graph.edges.way_id[e as usize];
                        if set.iter().any(|r| r.osm_way_ids.contains(&w)) {
                            cm.set_closed(e, true);
                        }
                    }
                    let again = run_profile(&cm, i, &ground, bbox, params, &[]);
                    let n_open = again.routes.iter().filter(|r| r.open).count();
                    let f = forecast(s, population, n_open, params.horizon_days)
                        .expect("stock present");
                    forecast_if_cut.push(CutForecast {
                        roads_cut: set.iter().map(|r| r.road.clone()).collect(),
                        open_supply_routes: n_open,
                        days_left: f.days_left,
                        runs_out_on: f.runs_out_on,
                    });
                }
            }
            let pieces_km2 = ground
                .0
                .iter()
                .map(|p| {
                    let m = p.map_coords(|c| {
                        let xy = proj.project([c.x, c.y]);
                        geo::coord! {x: xy[0], y: xy[1]}
                    });
                    (m.unsigned_area() / 1e6 * 1000.0).round() / 1000.0
                })
                .collect();
            let mut headline = vec![match status {
                Status::Besieged => format!(
                    "{} is BESIEGED: no road links it to safe outside ground without crossing hostile lines (the besieger's declared crossings do not count).",
                    e.name
                ),
                Status::Open => format!(
                    "{} is OPEN: {} truck supply route(s) below the exposure threshold ({}).",
                    e.name, open_routes, params.exposure_threshold
                ),
                Status::Contested => format!(
                    "{} is CONTESTED: trucks {}, people {} (exposure threshold {}).",
                    e.name,
                    c.status.status.name(),
                    f.status.status.name(),
                    params.exposure_threshold
                ),
            }];
            if c.cut.single_road_blockade {
                let r = &c.cut.roads[0];
                let road = if r.road.starts_with("way ") {
                    format!("an unnamed {} road (OSM way {})", r.class.as_str(), r.osm_way_id)
                } else {
                    format!("{} (OSM way {})", r.road, r.osm_way_id)
                };
                headline.push(format!(
                    "ONE ROAD: every truck route into {} uses {road}; cutting it imposes a total blockade of supplies.",
                    e.name
                ));
            } else if c.cut.size > 1 {
                headline.push(format!(
                    "{} road segments would have to be cut to stop all trucks.",
                    c.cut.size
                ));
            }
            if let Some(fc) = &fc {
                headline.push(match (fc.runs_out_on, fc.days_left) {
                    (Some(d), Some(n)) => format!("Food runs out on {d} ({n:.0} days after {}).", s.as_of),
                    _ => "Deliveries cover the need: food does not run out.".into(),
                });
            }
            let mut supply_routes = c.routes;
            supply_routes.extend(f.routes);
            EnclaveReport {
                name: e.name.clone(),
                party: s.parties[e.party].id.clone(),
                status,
                headline,
                status_by_profile: vec![c.status, f.status],
                pieces_km2,
                population,
                supply_routes,
                min_cut: c.cut,
                min_cut_foot: f.cut,
                forecast: fc,
                forecast_if_cut,
                outline: ground,
            }
        })
        .collect()
}
