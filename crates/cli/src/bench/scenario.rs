//! Applying a scenario: overlay, incident risks and weights.

use super::{rayon_threads, BenchArgs, BenchFormat};
use anyhow::Result;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use std::time::Instant;

use corridor_roads::Profile;

/// Scenario application figures for one profile.
#[derive(Serialize)]
pub struct ScenarioBenchResult {
    pub scenario: String,
    pub map: String,
    pub profile: Profile,
    pub edges: usize,
    /// Laying the scenario onto the graph: territory per sample point, closures, checkpoints,
    /// front lines, and the incident risk of the scenario's own incidents (milliseconds).
    pub overlay_ms: f64,
    pub incidents: usize,
    /// Recomputing every edge's incident risk from scratch for `incidents` incidents (median of
    /// 5, milliseconds): the cost of a new incident log.
    pub risk_update_ms: f64,
    /// Building arc weights for one side and mode from edge risks (median of 5, ms).
    pub weights_ms: f64,
    pub threads: usize,
}

pub fn bench_scenario(path: &std::path::Path, args: &BenchArgs) -> Result<()> {
    use corridor_scenario::{Incident, Mode, ScenarioMap, Side};
    let loaded = crate::scenario_cmd::load(path)?;
    let s = &loaded.scenario;
    let bbox = loaded.map.graph.meta.bbox;
    // Random incidents of every ACLED kind within 200 m of random road nodes (incidents happen
    // where people and roads are, the expensive case) over the two weeks before as_of.
    let nodes = &loaded.map.graph.profile(Profile::Foot).node_coord;
    let kinds = [
        (
            "Explosions/Remote violence",
            "Shelling/artillery/missile attack",
        ),
        ("Explosions/Remote violence", "Air/drone strike"),
        ("Battles", "Armed clash"),
        ("Violence against civilians", "Attack"),
        (
            "Explosions/Remote violence",
            "Remote explosive/landmine/IED",
        ),
    ];
    let mut rng = SmallRng::seed_from_u64(args.seed);
    let incidents: Vec<Incident> = (0..args.incidents)
        .map(|i| {
            let (t, st) = kinds[i % kinds.len()];
            Incident {
                id: format!("R{i}"),
                date: s.as_of - chrono::Duration::days(rng.random_range(0..14)),
                event_type: t.into(),
                sub_event_type: st.into(),
                actor1: String::new(),
                actor2: String::new(),
                point: {
                    let c = nodes[rng.random_range(0..nodes.len())];
                    [
                        c[0] + rng.random_range(-0.0025..0.0025),
                        c[1] + rng.random_range(-0.0018..0.0018),
                    ]
                },
                fatalities: rng.random_range(0..5),
                notes: String::new(),
                geo_precision: 1,
                time_precision: 1,
            }
        })
        .collect();
    for p in Profile::ALL {
        let pg = loaded.map.graph.profile(p);
        let t = Instant::now();
        let sm = ScenarioMap::new(s, pg, bbox, &loaded.snappers[p.index()])?;
        let overlay_ms = t.elapsed().as_secs_f64() * 1e3;
        let median = |f: &mut dyn FnMut()| {
            let mut v: Vec<f64> = (0..5)
                .map(|_| {
                    let t = Instant::now();
                    f();
                    t.elapsed().as_secs_f64() * 1e3
                })
                .collect();
            v.sort_by(f64::total_cmp);
            v[2]
        };
        let risk_update_ms = median(&mut || {
            std::hint::black_box(sm.incident_risk_for(&incidents));
        });
        let side = Side::default_for(s);
        let weights_ms = median(&mut || {
            std::hint::black_box(sm.weights(side, Mode::Balanced, s.risk.lambda));
        });
        let r = ScenarioBenchResult {
            scenario: s.name.clone(),
            map: loaded.map.graph.meta.source_file.clone(),
            profile: p,
            edges: pg.edge_count(),
            overlay_ms,
            incidents: incidents.len(),
            risk_update_ms,
            weights_ms,
            threads: rayon_threads(),
        };
        match args.format {
            BenchFormat::Json => println!("{}", serde_json::to_string(&r)?),
            BenchFormat::Text => println!(
                "{} {:<4} edges {:>7} | overlay {:.1} ms | risk update for {} incidents {:.1} ms | weights {:.2} ms",
                r.map, p.name(), r.edges, r.overlay_ms, r.incidents, r.risk_update_ms, r.weights_ms
            ),
        }
    }
    Ok(())
}
