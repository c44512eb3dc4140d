//! The siege analysis on the illustrative scenario and variants of it, with answers known
//! independently: cuts proven by closing roads, statuses by construction (OCHA's definition),
//! and the food forecast computed by hand.

use corridor_analysis::siege::{siege, EnclaveReport, InflowBound, PieceReport, SiegeParams};
use corridor_analysis::Status;
mod common;
use common::*;
use corridor_roads::Profile;
use corridor_scenario::{Scenario, ScenarioMap};
use std::path::{Path, PathBuf};

/// Runs the analysis with roads (OSM way ids) closed.
fn run(s: &Scenario, close: &[i64]) -> EnclaveReport {
    let g = graph();
    let mut maps: Vec<ScenarioMap> = Profile::ALL
        .iter()
        .map(|&p| ScenarioMap::new(s, g.profile(p), g.meta.bbox, &snappers()[p.index()]).unwrap())
        .collect();
    for sm in &mut maps {
        for e in 0..sm.graph.edge_count() as u32 {
            if close.contains(&sm.graph.edges.way_id[e as usize]) {
                sm.set_closed(e, true);
            }
        }
    }
    let params = SiegeParams::for_scenario(s);
    siege(&maps[0], &maps[1], g.meta.bbox, &params).remove(0)
}

/// The piece with the most people: the city itself.
fn main_piece(r: &EnclaveReport) -> &PieceReport {
    r.pieces
        .iter()
        .max_by(|a, b| a.population.total_cmp(&b.population))
        .unwrap()
}

fn status_of(p: &PieceReport, profile: Profile) -> Status {
    p.status_by_profile
        .iter()
        .find(|x| x.profile == profile)
        .unwrap()
        .status
}

fn car_routes(p: &PieceReport) -> Vec<&str> {
    p.supply_routes
        .iter()
        .filter(|x| x.profile == Profile::Car)
        .map(|x| x.road.as_str())
        .collect()
}

#[test]
fn closing_the_cut_roads_besieges_the_city_and_nothing_less_does() {
    let s = example();
    let base = run(&s, &[]);
    let city = main_piece(&base);
    assert_eq!(city.status, Status::Open);
    // Every person is in some piece: nothing is averaged away.
    let total: f64 = base.pieces.iter().map(|p| p.population).sum();
    assert!(
        (total - 250_000.0).abs() <= base.pieces.len() as f64,
        "{total}"
    );
    assert_eq!(base.population, 250_000.0);
    let cut_ways: Vec<i64> = city.min_cut.roads.iter().map(|r| r.osm_way_id).collect();
    assert!(!cut_ways.is_empty());
    assert_eq!(
        car_routes(city).len(),
        city.min_cut.size.min(car_routes(city).len())
    );
    // The cut is a real cut: closing exactly its roads leaves no truck route into the city.
    let closed = run(&s, &cut_ways);
    let city_after = &closed.pieces[city.index];
    assert_eq!(status_of(city_after, Profile::Car), Status::Besieged);
    assert!(car_routes(city_after).is_empty());
    // And minimal: no proper subset of it suffices.
    if cut_ways.len() > 1 {
        for &w in &cut_ways {
            let one = run(&s, &[w]);
            assert_ne!(
                status_of(&one.pieces[city.index], Profile::Car),
                Status::Besieged
            );
        }
    }
    // The piece's status follows OCHA's rule from the two profiles; closing the foot cut too
    // besieges the city on foot as well, and the headline names it.
    assert_eq!(
        city_after.status,
        Status::of_piece(Status::Besieged, status_of(city_after, Profile::Foot))
    );
    let mut all = cut_ways.clone();
    all.extend(city_after.min_cut_foot.roads.iter().map(|r| r.osm_way_id));
    let sealed = run(&s, &all);
    let sealed_city = &sealed.pieces[city.index];
    assert_eq!(sealed_city.status, Status::Besieged);
    assert!(sealed_city.supply_routes.is_empty());
    assert_eq!(sealed.status, Status::Besieged);
    assert!(sealed.headline[0].contains("BESIEGED"));
}

#[test]
fn the_declared_crossing_does_not_lift_the_siege() {
    // The example's declared crossings lead into government ground; sealing the north must
    // still give "besieged" although civilians may leave through them.
    let s = example();
    assert!(s.corridors.len() >= 3);
    let base = run(&s, &[]);
    let city = main_piece(&base);
    let mut all: Vec<i64> = city.min_cut.roads.iter().map(|r| r.osm_way_id).collect();
    all.extend(city.min_cut_foot.roads.iter().map(|r| r.osm_way_id));
    assert_eq!(run(&s, &all).pieces[city.index].status, Status::Besieged);
}

#[test]
fn exits_under_fire_mean_besieged_as_ocha_defines_it() {
    // Heavy shelling on the northern exits, dated as_of: routes exist but all are exposed, so
    // aid cannot regularly enter and civilians cannot regularly leave.
    let mut extra = String::new();
    for (i, (lat, lon)) in [(42.5150, 1.5321), (42.5148, 1.5336), (42.5160, 1.5300)]
        .iter()
        .enumerate()
    {
        extra.push_str(&format!(
            "X{i},2016-07-28,2016,Explosions/Remote violence,Shelling/artillery/missile attack,G,,A,X,{lat},{lon},30,exit under fire\n"
        ));
    }
    let dir = example_dir(|m| m, &[("incidents.csv", &incidents_plus(&extra))]);
    let s = load_dir(dir.path());
    let r = run(&s, &[]);
    let city = main_piece(&r);
    assert_eq!(city.status, Status::Besieged, "{:?}", r.headline);
    for p in &city.status_by_profile {
        assert_eq!(p.status, Status::Contested);
        assert!(p.best_exposure.unwrap() >= s.risk.exposure_threshold);
        assert_eq!(p.disjoint_open_routes, Some(0));
    }
    assert!(city.supply_routes.iter().all(|x| !x.open));
    // No open truck route: no deliveries in the forecast.
    let f = city.forecast.as_ref().unwrap();
    assert_eq!(f.open_supply_routes, 0);
    assert_eq!(f.inflow_kcal_per_day, 0.0);
}

#[test]
fn forecast_arithmetic_matches_the_hand_computation() {
    let s = example();
    // 4,500 t × 3,500 kcal/kg = 1.575e10 kcal for 250,000 people, shared by the pieces in
    // proportion to their people; 2,100 kcal a day each; each open truck route that shares no
    // road with another brings 5 trucks × 20 t × 3,500 kcal/kg = 3.5e8 kcal/day.
    let base = run(&s, &[]);
    for p in &base.pieces {
        let f = p.forecast.as_ref().unwrap();
        let share = p.population / 250_000.0;
        assert!((f.stock_kcal - 1.575e10 * share).abs() < 1.0);
        assert!((f.need_kcal_per_day - p.population * 2100.0).abs() < 1e-3);
        let routes = p.status_by_profile[0].disjoint_open_routes.unwrap();
        assert_eq!(f.open_supply_routes, routes);
        assert!((f.inflow_kcal_per_day - routes as f64 * 3.5e8).abs() < 1e-3);
        // Deliveries never count more routes than there are open truck roads into the piece.
        let open_roads = p
            .supply_routes
            .iter()
            .filter(|r| r.open && r.profile == Profile::Car)
            .count() as u64;
        assert!(routes <= open_roads);
        let net = f.need_kcal_per_day - f.inflow_kcal_per_day;
        match f.days_left {
            Some(d) => assert!((d - f.stock_kcal / net).abs() < 1e-9),
            None => assert!(net <= 0.0),
        }
    }
    // The city: one open truck route of 3.5e8 a day against its need.
    let city = main_piece(&base);
    let f = city.forecast.as_ref().unwrap();
    assert_eq!(f.open_supply_routes, 1);
    assert_eq!(f.daily_stock_kcal[0], f.stock_kcal);
    // Losing its road leaves nothing: the stock lasts stock / need days.
    let ifs = &city.forecast_if_cut;
    assert_eq!(ifs.len(), 1);
    assert_eq!(ifs[0].open_supply_routes, 0);
    let expect = f.stock_kcal / f.need_kcal_per_day;
    assert!((ifs[0].days_left.unwrap() - expect).abs() < 1e-9);
    assert!(f.assumptions.iter().any(|a| a.contains("Sphere")));
    // A declared limit of 2 trucks a day for the whole enclave binds below the route's 5.
    let dir = example_dir(
        |m| {
            m.replace(
                "trucks_per_day_per_route = 5",
                "trucks_per_day_per_route = 5\nmax_trucks_per_day = 2",
            )
        },
        &[],
    );
    let limited = run(&load_dir(dir.path()), &[]);
    let city = main_piece(&limited);
    let f = city.forecast.as_ref().unwrap();
    let share = city.population / 250_000.0;
    assert_eq!(f.inflow_bound, InflowBound::Authorisation);
    assert!((f.trucks_per_day - 2.0 * share).abs() < 1e-9);
    assert!((f.inflow_kcal_per_day - 2.0 * share * 20.0 * 1000.0 * 3500.0).abs() < 1e-3);
}

#[test]
fn population_shares_add_up() {
    let r = run(&example(), &[]);
    for piece in &r.pieces {
        for p in [Profile::Car, Profile::Foot] {
            let total: f64 = piece
                .supply_routes
                .iter()
                .filter(|x| x.profile == p)
                .map(|x| x.population_share)
                .sum();
            assert!(total <= 1.0 + 1e-9, "{p:?}: {total}");
            if piece.population > 0.0 && !piece.supply_routes.iter().all(|x| x.profile != p) {
                assert!(total > 0.0, "{p:?}: routes but nobody served");
            }
        }
    }
}

fn write_stock(stock: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let m =
        format!("name = \"x\"\nas_of = \"2016-07-28\"\nmap = \"m.osm.pbf\"\n[stock]\n{stock}\n");
    let p = dir.path().join("scenario.toml");
    std::fs::write(&p, m).unwrap();
    (dir, p)
}

fn err(p: &Path) -> String {
    corridor_scenario::load(p)
        .expect_err("invalid stock")
        .to_string()
}

#[test]
fn invalid_stock_values_are_refused() {
    for (stock, needle) in [
        ("food_kcal = -5", "food_kcal = -5: must be zero or more"),
        (
            "food_kcal = 1e9\npeople = 0",
            "people = 0: must be positive",
        ),
        ("food_tonnes = 10", "needs kcal_per_kg"),
        (
            "food_kcal = 1e9\nfood_tonnes = 10\nkcal_per_kg = 3500",
            "not both",
        ),
        ("people = 10", "food_kcal or food_tonnes is required"),
        (
            "food_kcal = 1e9\nkcal_per_person_day = 0",
            "kcal_per_person_day = 0",
        ),
        (
            "food_kcal = 1e9\ntrucks_per_day_per_route = 3",
            "needs tonnes_per_truck",
        ),
    ] {
        let (_d, p) = write_stock(stock);
        let e = err(&p);
        assert!(
            e.contains("scenario.toml") && e.contains(needle),
            "{stock}: {e}"
        );
    }
}
