//! `corridor demo`: the main job on the bundled real map, as a first taste.

use crate::maps;
use crate::route::{compute, RouteReport, ScenarioRequest};
use crate::scenario_cmd;
use anyhow::{bail, Result};
use corridor_analysis::siege::{siege, SiegeParams};
use corridor_roads::Profile;
use corridor_scenario::{Mode, Side};
use std::path::PathBuf;

/// The bundled map: `data/andorra.osm.pbf` from the working directory, else from the source tree
/// this binary was built from (so `cargo run -- demo` works from any directory of the checkout).
pub fn bundled(rel: &str) -> Result<PathBuf> {
    let here = PathBuf::from(rel);
    if here.exists() {
        return Ok(here);
    }
    let built = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel);
    if built.exists() {
        return Ok(built);
    }
    bail!("{rel}: bundled file not found (run from the corridor checkout)")
}

/// Across Andorra la Vella: from Plaça del Poble to the Caldea spa in Escaldes-Engordany.
const FROM: &str = "42.5063,1.5218";
const TO: &str = "42.5114,1.5383";

pub fn run() -> Result<()> {
    let map_path = bundled("data/andorra.osm.pbf")?;
    let map = maps::load_map_cached(&map_path)?;
    println!(
        "corridor demo: {} (sha256 {}…), © OpenStreetMap contributors, ODbL",
        map.graph.meta.source_file,
        &map.graph.meta.source_sha256[..16]
    );
    for p in Profile::ALL {
        let g = map.graph.profile(p);
        println!(
            "  {} graph: {} intersections, {} road edges",
            p.name(),
            g.node_count(),
            g.edge_count()
        );
    }
    println!("\nAcross Andorra la Vella, from {FROM} (Plaça del Poble) to {TO} (Caldea):");
    for p in Profile::ALL {
        let r = compute(&map, p, FROM, TO, 500.0, None)?;
        println!(
            "  {:<4} {:>6.0} m  {:>5.1} min  via {}",
            p.name(),
            r.distance_m,
            r.duration_s / 60.0,
            if r.streets.is_empty() {
                "unnamed roads".to_string()
            } else {
                r.streets.join(" → ")
            }
        );
    }
    println!(
        "\nFull JSON: cargo run --release -- route --map {} --from {FROM} --to {TO} --profile car",
        map_path.display()
    );
    scenario_part()?;
    println!("\n{}", crate::serve_cmd::how_to_start());
    Ok(())
}

/// Across the enclave of the example scenario, and out of it through the declared crossing.
const ENCLAVE_WEST: &str = "42.5070,1.5180";
const ENCLAVE_EAST: &str = "42.5100,1.5400";
const RECEPTION: &str = "42.4945,1.4990";

fn scenario_part() -> Result<()> {
    let path = bundled("data/scenarios/andorra-siege/scenario.toml")?;
    let loaded = scenario_cmd::load(&path)?;
    let s = &loaded.scenario;
    println!(
        "\nScenario: {} — as of {}, {} incidents ({} after as_of ignored), {} closure(s), {} declared crossing(s)",
        s.name,
        s.as_of,
        s.incidents.len(),
        s.incidents_after_as_of,
        s.closures.len(),
        s.corridors.len()
    );
    let side = Side::default_for(s);
    let line = |label: &str, r: &RouteReport| {
        let ex = r.exposure.as_ref().expect("scenario routes carry exposure");
        println!(
            "  {label:<8} {:>5.0} m {:>5.1} min  risk {:>7.1}  {:>4.0} m near the front  {} incident(s) within 250 m{}",
            r.distance_m,
            r.duration_s / 60.0,
            ex.risk,
            ex.front_line_m,
            ex.incidents_within_250m.len(),
            ex.riskiest_segment
                .as_ref()
                .map(|x| format!(
                    "; riskiest: {}",
                    x.name.clone().unwrap_or_else(|| format!("way {}", x.osm_way_id))
                ))
                .unwrap_or_default()
        );
    };
    println!("\nOn foot across the enclave, {ENCLAVE_WEST} → {ENCLAVE_EAST}:");
    for mode in [Mode::Fastest, Mode::Safest] {
        let req = ScenarioRequest {
            depart: None,
            loaded: &loaded,
            mode,
            lambda: None,
            side,
            alternatives: 0,
            max_share: 0.5,
        };
        let r = compute(
            &loaded.map,
            Profile::Foot,
            ENCLAVE_WEST,
            ENCLAVE_EAST,
            500.0,
            Some(&req),
        )?;
        line(
            if mode == Mode::Fastest {
                "fastest"
            } else {
                "safest"
            },
            &r,
        );
    }
    println!("\nOut of the enclave to the reception point at Santa Coloma ({RECEPTION}), safest:");
    for p in Profile::ALL {
        let req = ScenarioRequest {
            depart: None,
            loaded: &loaded,
            mode: Mode::Safest,
            lambda: None,
            side,
            alternatives: 0,
            max_share: 0.5,
        };
        let r = compute(&loaded.map, p, ENCLAVE_WEST, RECEPTION, 500.0, Some(&req))?;
        line(p.name(), &r);
    }
    println!(
        "  (a civilian may leave only through the declared crossing: `corridor route --scenario {} --from {ENCLAVE_WEST} --to {RECEPTION} --mode safest`)",
        path.display()
    );
    siege_part(&loaded)
}

fn siege_part(loaded: &scenario_cmd::LoadedScenario) -> Result<()> {
    let s = &loaded.scenario;
    let (foot, car) = (loaded.on(Profile::Foot), loaded.on(Profile::Car));
    let bbox = loaded.map.graph.meta.bbox;
    let params = SiegeParams::for_scenario(s);
    let before = siege(&foot, &car, bbox, &params);
    let Some(e) = before.first() else {
        return Ok(());
    };
    println!("\nSiege analysis of {} ({} people):", e.name, e.population);
    for h in &e.headline {
        println!("  {h}");
    }
    // The piece most people live in: its roads and its food.
    let Some(city) = e
        .pieces
        .iter()
        .max_by(|a, b| a.population.total_cmp(&b.population))
    else {
        return Ok(());
    };
    println!(
        "  Piece {} ({:.0} people) is {}:",
        city.index + 1,
        city.population,
        city.status.name()
    );
    for r in &city.supply_routes {
        println!(
            "  supply route ({}): {:<48} exposure {:>6.1}{}  best way in for {:>3.0} % of the people",
            r.profile.name(),
            r.road,
            r.exposure,
            if r.open { "" } else { " (under fire)" },
            r.population_share * 100.0
        );
    }
    if let Some(f) = &city.forecast {
        println!(
            "  food: {:.0} trucks a day over {} open truck route(s) that share no road; {}",
            f.trucks_per_day,
            f.open_supply_routes,
            f.runs_out_on.map_or_else(
                || "it does not run out".to_string(),
                |d| format!("it runs out on {d}")
            )
        );
    }
    for f in &city.forecast_if_cut {
        println!(
            "  if {} were cut: {} open truck route(s) left, food runs out {}",
            f.roads_cut.join(" and "),
            f.open_supply_routes,
            f.runs_out_on
                .map_or_else(|| "never".to_string(), |d| format!("on {d}"))
        );
    }
    // What if the besieger cuts the first road of the truck cut?
    let Some(cut) = city.min_cut.roads.first() else {
        return Ok(());
    };
    let (mut f2, mut c2) = (foot.clone(), car.clone());
    for sm in [&mut f2, &mut c2] {
        for edge in 0..sm.graph.edge_count() as u32 {
            if sm.graph.edges.way_id[edge as usize] == cut.osm_way_id {
                sm.set_closed(edge, true);
            }
        }
    }
    let after = siege(&f2, &c2, bbox, &params);
    println!(
        "\nWhat if {} (OSM way {}) is cut too?",
        cut.road, cut.osm_way_id
    );
    for h in &after[0].headline {
        println!("  {h}");
    }
    println!(
        "  (full report: cargo run --release -- siege {} --close {})",
        s.file.display(),
        cut.osm_way_id
    );
    evacuation_part(loaded)
}

fn evacuation_part(loaded: &scenario_cmd::LoadedScenario) -> Result<()> {
    let (r, secs) = crate::evacuate_cmd::plan(loaded)?;
    println!(
        "\nEvacuation of {} people ({} leaving, {} staying) through the declared corridors, planned in {:.2} s:",
        r.people, r.leaving, r.staying, secs
    );
    for line in &r.headline {
        println!("  {line}");
    }
    for c in &r.corridors {
        println!(
            "  {:<32} {:>9} {:>7.0} people, last arrival after {:>5.1} h, checkpoint busy {:>3.0} % of its open time",
            c.name,
            c.purpose.name(),
            c.people,
            c.last_arrival_s.unwrap_or(0.0) / 3600.0,
            c.checkpoint_utilisation * 100.0
        );
    }
    let worst: Vec<String> = r
        .bottlenecks
        .iter()
        .take(3)
        .map(|b| {
            format!(
                "{} ({}, {:.0}/h)",
                b.name,
                b.mode.map_or("walkers and drivers", |m| m.name()),
                b.capacity_per_hour
            )
        })
        .collect();
    println!("  bottlenecks: {}", worst.join("; "));
    let days: Vec<String> = r
        .remaining_by_hour
        .iter()
        .filter(|h| h.hour % 24 == 0)
        .map(|h| format!("day {}: {:.0}", h.hour / 24, h.inside))
        .collect();
    println!(
        "  still inside at the start of each day: {}",
        days.join(", ")
    );
    println!(
        "  (full plan: cargo run --release -- evacuate {})",
        loaded.scenario.file.display()
    );
    access_part(loaded)
}

fn access_part(loaded: &scenario_cmd::LoadedScenario) -> Result<()> {
    use corridor_analysis::access::{compare, AccessParams};
    let s = &loaded.scenario;
    let params = AccessParams::default();
    let before_day = s.as_of - chrono::Duration::days(14);
    let run = |day| -> Result<_> { Ok(crate::access_cmd::report_on(loaded, day, &params)?.0) };
    let (before, after) = (run(before_day)?, run(s.as_of)?);
    println!("\nHealth care on foot, {} people:", after.population);
    for (label, r) in [("before the strikes", &before), ("on as_of", &after)] {
        let cov: Vec<String> = r
            .coverage
            .iter()
            .map(|c| format!("{:.0} % within {:.0} min", c.share * 100.0, c.minutes))
            .collect();
        println!(
            "  {label} ({}): {} working facilities ({} partially); {}",
            r.date,
            r.facilities.functioning + r.facilities.partially_functioning,
            r.facilities.partially_functioning,
            cov.join(", ")
        );
        if let Some(c) = r.catchments.first() {
            println!(
                "    largest load: {} ({}) — {:.0} people{}",
                c.name.clone().unwrap_or_else(|| c.facility.clone()),
                serde_json::to_value(c.status)?
                    .as_str()
                    .unwrap_or_default()
                    .replace('_', " "),
                c.people,
                c.people_per_bed
                    .map(|x| format!(", {x:.0} per bed"))
                    .unwrap_or_default()
            );
        }
        if let Some(full) = r.coverage_fully_functioning.last() {
            println!(
                "    {:.0} % within {:.0} min of a fully functioning facility",
                full.share * 100.0,
                full.minutes
            );
        }
    }
    let ch = compare(&before, &after, after.population);
    for f in &ch.facilities_lost {
        let why: Vec<String> = f
            .changed_by
            .iter()
            .map(|c| format!("{} on {} ({})", c.incident, c.date, c.reason))
            .collect();
        println!(
            "  lost: {} — {:?} by {}",
            f.name.clone().unwrap_or_else(|| f.id.clone()),
            f.status,
            why.join(", ")
        );
    }
    for c in &ch.people_lost_access {
        if c.people > 0.0 {
            println!(
                "  {:.0} people lost care within {:.0} min",
                c.people, c.minutes
            );
        }
    }
    println!(
        "  (full report: cargo run --release -- access {} --compare {before_day})",
        s.file.display()
    );
    convoy_part(loaded)
}

/// The declared convoy plan: route through the aid crossing, clock, backup, deliveries.
fn convoy_part(loaded: &scenario_cmd::LoadedScenario) -> Result<()> {
    use corridor_app::results::convoy::{compute, siege_reports, ConvoyOptions};
    let s = &loaded.scenario;
    let car = loaded.on(corridor_roads::Profile::Car);
    let r = compute(
        loaded,
        &car,
        &ConvoyOptions::default(),
        &siege_reports(loaded),
    )?;
    let c = s.convoy.as_ref().expect("the example declares [convoy]");
    println!(
        "\nConvoy plan ([convoy]): {} trucks × {} t every {} days, through an aid crossing:",
        c.trucks, c.tonnes_per_truck, c.every_days
    );
    let route = &r.route;
    println!(
        "  route via {}: {:.1} km, {:.0} min driving, exposure {:.1}; {} waypoints for the notification",
        route.crossing,
        route.distance_m / 1000.0,
        route.driving_s / 60.0,
        route.exposure.risk,
        route.waypoints.len()
    );
    let t = &r.timing;
    println!(
        "  first convoy: leaves {}, at the crossing {}, waits {:.1} h, inspection {:.1} h, last stop {}",
        t.departs,
        t.at_crossing,
        t.wait_s / 3600.0,
        t.inspection_s / 3600.0,
        t.arrivals.last().map_or("never", String::as_str)
    );
    if let Some(b) = &r.backup {
        println!(
            "  backup via {}: {:.1} km, exposure {:.1}{}",
            b.route.crossing,
            b.route.distance_m / 1000.0,
            b.route.exposure.risk,
            if b.disjoint {
                String::new()
            } else {
                format!(" (shares {:.1} km with the route)", b.shared_m / 1000.0)
            }
        );
    }
    if let Some(x) = &r.supply {
        println!(
            "  feeds {} of the enclave ({:.0} people, where its distribution points lie)",
            corridor_app::results::convoy::pieces_words(&r.feeds_pieces),
            x.people
        );
        println!(
            "  {} days: {:.0} t delivered ({:.0} % of the need, {:.1} days of food); {} trucks a week would cover the need",
            x.horizon_days,
            x.delivered_tonnes,
            x.share_of_need * 100.0,
            x.days_of_food_added,
            x.trucks_per_week_to_cover_need
        );
        println!("  {}", x.verdict);
    }
    println!(
        "  (full plan: cargo run --release -- convoy {0}; one-page brief: cargo run --release -- brief {0} -o brief.html)",
        s.file.display()
    );
    Ok(())
}
