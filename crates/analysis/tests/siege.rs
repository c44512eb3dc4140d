//! The siege analysis on the illustrative scenario and variants of it, with answers known
//! independently: cut sizes proven by closing roads, statuses by construction, and the food
//! forecast computed by hand.

use corridor_analysis::siege::{siege, EnclaveReport, SiegeParams};
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

fn car_status(r: &EnclaveReport) -> Status {
    r.status_by_profile
        .iter()
        .find(|p| p.profile == Profile::Car)
        .unwrap()
        .status
}

fn car_routes(r: &EnclaveReport) -> Vec<&str> {
    r.supply_routes
        .iter()
        .filter(|x| x.profile == Profile::Car)
        .map(|x| x.road.as_str())
        .collect()
}

#[test]
fn two_truck_roads_feed_the_enclave_and_closing_them_one_by_one_besieges_it() {
    let s = example();
    let base = run(&s, &[]);
    assert_eq!(base.status, Status::Open);
    assert_eq!(base.population, 250_000.0);
    assert_eq!(car_routes(&base).len(), 2, "{:?}", car_routes(&base));
    assert_eq!(base.min_cut.size, 2);
    assert!(!base.min_cut.single_road_blockade);
    let cut_ways: Vec<i64> = base.min_cut.roads.iter().map(|r| r.osm_way_id).collect();
    // The cut is a real cut: closing exactly its roads leaves no truck route.
    let closed_both = run(&s, &cut_ways);
    assert_eq!(car_status(&closed_both), Status::Besieged);
    assert_eq!(closed_both.min_cut.size, 0);
    // And it is minimal: no single one of its roads suffices, so size 2 is the minimum
    // (with the routing crate's flow certificate that no other single road does either).
    for &w in &cut_ways {
        let one = run(&s, &[w]);
        assert_eq!(car_status(&one), Status::Open, "closing way {w} alone");
        assert_eq!(car_routes(&one).len(), 1);
        assert_eq!(one.min_cut.size, 1);
        assert!(one.min_cut.single_road_blockade);
        assert!(one.headline.iter().any(|h| h.starts_with("ONE ROAD")));
    }
    // People on foot still have a path; closing the foot cut too besieges the enclave.
    assert_ne!(closed_both.status, Status::Besieged);
    let mut all: Vec<i64> = closed_both
        .min_cut_foot
        .roads
        .iter()
        .map(|r| r.osm_way_id)
        .collect();
    all.extend(&cut_ways);
    let sealed = run(&s, &all);
    assert_eq!(sealed.status, Status::Besieged);
    assert!(sealed.supply_routes.is_empty());
    assert!(sealed.headline[0].contains("BESIEGED"));
}

#[test]
fn the_declared_crossing_does_not_lift_the_siege() {
    // The example's declared crossings lead into government ground; sealing the north must
    // still give "besieged" although civilians may leave through them.
    let s = example();
    assert!(s.corridors.len() >= 3);
    let base = run(&s, &[]);
    let mut all: Vec<i64> = base.min_cut.roads.iter().map(|r| r.osm_way_id).collect();
    all.extend(base.min_cut_foot.roads.iter().map(|r| r.osm_way_id));
    assert_eq!(run(&s, &all).status, Status::Besieged);
}

#[test]
fn an_exit_under_fire_is_contested() {
    // Heavy shelling on the two northern exits, dated as_of: routes exist but all are exposed.
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
    assert_eq!(r.status, Status::Contested, "{:?}", r.headline);
    for p in &r.status_by_profile {
        assert_eq!(p.status, Status::Contested);
        assert!(p.best_exposure.unwrap() >= s.risk.exposure_threshold);
    }
    assert!(r.supply_routes.iter().all(|x| !x.open));
    // No open truck route: no deliveries in the forecast.
    assert_eq!(r.forecast.as_ref().unwrap().open_supply_routes, 0);
}

#[test]
fn forecast_arithmetic_matches_the_hand_computation() {
    let s = example();
    // 4,500 t × 3,500 kcal/kg = 1.575e10 kcal; 250,000 people × 2,100 kcal = 5.25e8 kcal/day;
    // each open route brings 5 trucks × 20 t × 3,500 kcal/kg = 3.5e8 kcal/day.
    let base = run(&s, &[]);
    let f = base.forecast.as_ref().unwrap();
    assert_eq!(f.stock_kcal, 1.575e10);
    assert_eq!(f.need_kcal_per_day, 5.25e8);
    assert_eq!(f.open_supply_routes, 2);
    assert_eq!(f.inflow_kcal_per_day, 7.0e8);
    assert_eq!(f.days_left, None); // deliveries exceed the need
    assert_eq!(f.daily_stock_kcal.len(), 366);
    // With and without each road, in one report: each road alone keeps one route (90 days),
    // losing both leaves none (30 days).
    let ifs = &base.forecast_if_cut;
    assert_eq!(ifs.len(), 3);
    for x in &ifs[..2] {
        assert_eq!((x.open_supply_routes, x.days_left), (1, Some(90.0)));
    }
    assert_eq!(
        (ifs[2].open_supply_routes, ifs[2].days_left),
        (0, Some(30.0))
    );
    // One route: net 1.75e8 a day -> 90 days -> 2016-10-26.
    let one = run(&s, &[base.min_cut.roads[0].osm_way_id]);
    let f = one.forecast.as_ref().unwrap();
    assert_eq!(f.days_left, Some(90.0));
    assert_eq!(f.runs_out_on.unwrap().to_string(), "2016-10-26");
    assert_eq!(f.daily_stock_kcal[0], 1.575e10);
    assert_eq!(f.daily_stock_kcal[90], 0.0);
    assert!((f.daily_stock_kcal[30] - (1.575e10 - 30.0 * 1.75e8)).abs() < 1.0);
    // No route: 1.575e10 / 5.25e8 = 30 days -> 2016-08-27.
    let ways: Vec<i64> = base.min_cut.roads.iter().map(|r| r.osm_way_id).collect();
    let f = run(&s, &ways).forecast.unwrap();
    assert_eq!(f.days_left, Some(30.0));
    assert_eq!(f.runs_out_on.unwrap().to_string(), "2016-08-27");
    assert!(f.assumptions.iter().any(|a| a.contains("Sphere")));
}

#[test]
fn population_shares_add_up() {
    let r = run(&example(), &[]);
    for p in [Profile::Car, Profile::Foot] {
        let total: f64 = r
            .supply_routes
            .iter()
            .filter(|x| x.profile == p)
            .map(|x| x.population_share)
            .sum();
        assert!(total > 0.5 && total <= 1.0 + 1e-9, "{p:?}: {total}");
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
