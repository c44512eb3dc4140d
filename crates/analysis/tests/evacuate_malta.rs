//! The synthetic Malta evacuation benchmark's stranded people, against an independent
//! reachability check: `corridor bench --evacuation malta.osm.pbf` stranded 10,547 people (three
//! grid cells' leavers) before the combatants were routed to cut nobody off; a state BFS over petgraph, on the raw scenario rules (arcs open to
//! civilians; one crossing, at an open civilian checkpoint; once across, no arc back into the
//! enclave and no second checkpoint), says which cells' walkers and drivers can reach a
//! reception. Ignored by default: it imports Malta (run with `--ignored`; the map is in
//! `../shared/data/`). The scenario is the benchmark's (`evacuate::synthetic`).

mod reach;
use corridor_roads::{import_pbf, Profile, Snapper};
use corridor_scenario::*;
use reach::{cells_that_leave, combatant_stretches};

const SEED: u64 = 1;
const PEOPLE: f64 = 250_000.0;
const CHECKPOINT_CAPACITY: f64 = 2_000.0;

#[test]
#[ignore]
fn malta_benchmark_strands_exactly_the_cells_no_road_leads_out_of() {
    let map = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/malta.osm.pbf");
    let g = &import_pbf(&map).unwrap();
    let s = corridor_analysis::evacuate::synthetic::synthetic_scenario(
        &map,
        g,
        PEOPLE,
        CHECKPOINT_CAPACITY,
        SEED,
    )
    .unwrap();
    let foot = g.profile(Profile::Foot);
    let bb = g.meta.bbox;
    let snappers: Vec<Snapper> = Profile::ALL
        .iter()
        .map(|&p| Snapper::new(g.profile(p), bb))
        .collect();
    let fm = ScenarioMap::new(&s, foot, bb, &snappers[0]).unwrap();
    let cm = ScenarioMap::new(&s, g.profile(Profile::Car), bb, &snappers[1]).unwrap();
    let r = corridor_analysis::evacuate::evacuate(&fm, &cm).unwrap();
    let ground = corridor_analysis::siege::enclave_ground(&s, 0);
    let points: Vec<[f64; 2]> = s.population.iter().map(|u| u.point).collect();
    let none = std::collections::HashSet::new();
    let fighters = combatant_stretches(fm.graph, &r);
    let raw = (
        cells_that_leave(&fm, &ground, &points, &none),
        cells_that_leave(&cm, &ground, &points, &none),
    );
    let walk = cells_that_leave(&fm, &ground, &points, &fighters);
    let drive = cells_that_leave(&cm, &ground, &points, &fighters);
    let ev = s.evacuation;
    let leaving = PEOPLE / 64.0 * (1.0 - ev.stay_share);
    let mut expected = 0.0;
    for i in 0..64 {
        let stranded = leaving
            * (ev.foot_share * f64::from(u8::from(!walk[i]))
                + (1.0 - ev.foot_share) * f64::from(u8::from(!drive[i] && !walk[i])));
        let planned = r.neighbourhoods[i].stranded;
        if stranded > 0.0 || planned > 0.0 {
            println!(
                "cell {i} at {:?}: walkers leave {} ({} ignoring the combatants' roads), drivers leave {} ({}); oracle {stranded:.0}, plan {planned} ({:?})",
                points[i], walk[i], raw.0[i], drive[i], raw.1[i], r.neighbourhoods[i].stranded_because
            );
        }
        expected += stranded;
    }
    println!("stranded: oracle {expected:.0}, plan {}", r.stranded);
    assert!(
        (expected - r.stranded).abs() <= 2.0,
        "oracle {expected:.0}, plan {}",
        r.stranded
    );
}
