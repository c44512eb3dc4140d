//! Every invalid scenario input gets one message naming the file, the feature or line, and the
//! problem; nothing loads partially (a scenario is either a complete value or an error).

mod common;
use common::*;
use corridor_roads::Profile;
use corridor_scenario::ScenarioMap;

fn assert_msg(msg: &str, needles: &[&str]) {
    assert_eq!(msg.lines().count(), 1, "more than one line: {msg}");
    for n in needles {
        assert!(msg.contains(n), "'{n}' missing from: {msg}");
    }
}

const ENCLAVE: [f64; 4] = [1.512, 42.5025, 1.545, 42.5145];

#[test]
fn invalid_geojson_names_file_and_line() {
    let (_d, m) = write_scenario(&[
        ("scenario.toml", &manifest("territory = \"t.geojson\"", "")),
        (
            "t.geojson",
            "{\"type\": \"FeatureCollection\",\n \"features\": [\n  {\"type\": \"Feature\",, }\n]}",
        ),
    ]);
    assert_msg(&load_err(&m), &["t.geojson", "line 3", "invalid GeoJSON"]);
    let (_d, m) = write_scenario(&[
        ("scenario.toml", &manifest("territory = \"t.geojson\"", "")),
        ("t.geojson", "{\"type\": \"Topology\"}"),
    ]);
    assert_msg(&load_err(&m), &["t.geojson", "FeatureCollection"]);
}

#[test]
fn unclosed_and_self_intersecting_polygons_are_refused() {
    let open = "{\"type\": \"FeatureCollection\", \"features\": [{\"type\": \"Feature\", \"properties\": {\"party\": \"opp\"}, \"geometry\": {\"type\": \"Polygon\", \"coordinates\": [[[1.51, 42.50], [1.54, 42.50], [1.54, 42.51], [1.51, 42.51]]]}}]}";
    let (_d, m) = write_scenario(&[
        ("scenario.toml", &manifest("territory = \"t.geojson\"", "")),
        ("t.geojson", open),
    ]);
    assert_msg(&load_err(&m), &["t.geojson", "feature 0", "does not close"]);
    // A bow tie: its edges cross.
    let bow = territory(&[
        ("opp", &rect(ENCLAVE)),
        (
            "gov",
            &[
                [1.50, 42.49],
                [1.52, 42.51],
                [1.52, 42.49],
                [1.50, 42.51],
                [1.50, 42.49],
            ],
        ),
    ]);
    let (_d, m) = write_scenario(&[
        ("scenario.toml", &manifest("territory = \"t.geojson\"", "")),
        ("t.geojson", &bow),
    ]);
    assert_msg(
        &load_err(&m),
        &["t.geojson", "feature 1", "invalid polygon"],
    );
    // A position outside ±180/±90 (typically lat,lon written in GeoJSON's lon,lat order).
    let swapped = territory(&[(
        "opp",
        &[[42.5, 181.0], [42.6, 1.5], [42.6, 1.6], [42.5, 181.0]],
    )]);
    let (_d, m) = write_scenario(&[
        ("scenario.toml", &manifest("territory = \"t.geojson\"", "")),
        ("t.geojson", &swapped),
    ]);
    assert_msg(&load_err(&m), &["t.geojson", "feature 0", "lon, lat"]);
}

#[test]
fn unknown_parties_are_refused() {
    let t = territory(&[("rebels", &rect(ENCLAVE))]);
    let (_d, m) = write_scenario(&[
        ("scenario.toml", &manifest("territory = \"t.geojson\"", "")),
        ("t.geojson", &t),
    ]);
    assert_msg(
        &load_err(&m),
        &["t.geojson", "feature 0", "unknown party 'rebels'"],
    );
    let (_d, m) = write_scenario(&[(
        "scenario.toml",
        &manifest("", "[[enclave]]\nname = \"E\"\nparty = \"nobody\""),
    )]);
    assert_msg(
        &load_err(&m),
        &["scenario.toml", "enclave 'E'", "unknown party 'nobody'"],
    );
    // An enclave whose party holds no ground.
    let (_d, m) = write_scenario(&[(
        "scenario.toml",
        &manifest("", "[[enclave]]\nname = \"E\"\nparty = \"opp\""),
    )]);
    assert_msg(&load_err(&m), &["enclave 'E'", "holds no territory"]);
}

#[test]
fn csv_problems_name_the_line() {
    let cases: Vec<(String, Vec<&str>)> = vec![
        (
            "event_id_cnty,event_date,event_type,sub_event_type,actor1,actor2,latitude,longitude,notes\nA1,2016-07-20,Battles,Armed clash,x,y,42.5,1.52,n\n".into(),
            vec!["i.csv", "line 1", "missing required column 'fatalities'"],
        ),
        (
            format!("{CSV_HEADER}\nA1,2016-07-20,Battles,Armed clash,x,y,42.5,1.52,0,n\nA2,2016-13-45,Battles,Armed clash,x,y,42.5,1.52,0,n\n"),
            vec!["i.csv", "line 3", "event_date", "2016-13-45"],
        ),
        (
            format!("{CSV_HEADER}\nA1,2016-07-20,Battles,Armed clash,x,y,abc,1.52,0,n\n"),
            vec!["i.csv", "line 2", "latitude 'abc'"],
        ),
        (
            format!("{CSV_HEADER}\nA1,2016-07-20,Battles,Armed clash,x,y,95,1.52,0,n\n"),
            vec!["i.csv", "line 2", "outside"],
        ),
        (
            format!("{CSV_HEADER}\nA1,2016-07-20,Battles,Armed clash,x,y,42.5,1.52,-2,n\n"),
            vec!["i.csv", "line 2", "fatalities"],
        ),
    ];
    for (csv, needles) in cases {
        let (_d, m) = write_scenario(&[
            ("scenario.toml", &manifest("incidents = \"i.csv\"", "")),
            ("i.csv", &csv),
        ]);
        assert_msg(&load_err(&m), &needles);
    }
}

#[test]
fn manifest_problems_are_refused() {
    let (_d, m) = write_scenario(&[(
        "scenario.toml",
        "name = \"x\"\nas_of = \"28/07/2016\"\nmap = \"m.pbf\"\n",
    )]);
    assert_msg(&load_err(&m), &["scenario.toml", "as_of", "28/07/2016"]);
    let (_d, m) = write_scenario(&[(
        "scenario.toml",
        "name = \"x\"\nas_of = \"2016-07-28\"\nmap = \"m.pbf\"\nterritroy = \"t.geojson\"\n",
    )]);
    assert_msg(
        &load_err(&m),
        &["scenario.toml", "line 4", "unknown field `territroy`"],
    );
    let (_d, m) = write_scenario(&[(
        "scenario.toml",
        &manifest("territory = \"missing.geojson\"", ""),
    )]);
    assert_msg(&load_err(&m), &["missing.geojson", "no such file"]);
    let (_d, m) = write_scenario(&[(
        "scenario.toml",
        &manifest(
            "",
            "[[corridor]]\nname = \"N\"\npurpose = \"tourism\"\ncheckpoint = [42.5, 1.52]",
        ),
    )]);
    assert_msg(&load_err(&m), &["corridor 'N'", "purpose 'tourism'"]);
    let (_d, m) = write_scenario(&[(
        "scenario.toml",
        &manifest("", "[risk]\nhalf_life_days = -1"),
    )]);
    assert_msg(&load_err(&m), &["half_life_days", "positive"]);
}

#[test]
fn closures_matching_no_road_and_checkpoints_off_the_network_are_refused() {
    let g = graph();
    let closure = "{\"type\": \"FeatureCollection\", \"features\": [{\"type\": \"Feature\", \"properties\": {\"name\": \"ghost road\", \"since\": \"2016-07-01\", \"osm_way_id\": 1}, \"geometry\": null}]}";
    let (_d, m) = write_scenario(&[
        ("scenario.toml", &manifest("closures = \"c.geojson\"", "")),
        ("c.geojson", closure),
    ]);
    let s = corridor_scenario::load(&m).unwrap();
    let e = ScenarioMap::new(
        &s,
        g.profile(Profile::Foot),
        g.meta.bbox,
        snapper(Profile::Foot),
    )
    .err()
    .expect("closure matches nothing")
    .to_string();
    assert_msg(
        &e,
        &[
            "c.geojson",
            "feature 0",
            "'ghost road'",
            "matches no foot road",
        ],
    );
    // A closure without a date.
    let undated = "{\"type\": \"FeatureCollection\", \"features\": [{\"type\": \"Feature\", \"properties\": {\"osm_way_id\": 24364447}, \"geometry\": null}]}";
    let (_d, m) = write_scenario(&[
        ("scenario.toml", &manifest("closures = \"c.geojson\"", "")),
        ("c.geojson", undated),
    ]);
    assert_msg(&load_err(&m), &["c.geojson", "feature 0", "since"]);
    // A checkpoint on a mountain top, 2 km from any road.
    let (_d, m) = write_scenario(&[(
        "scenario.toml",
        &manifest(
            "",
            "[[corridor]]\nname = \"Peak\"\npurpose = \"civilian\"\ncheckpoint = [42.60, 1.70]",
        ),
    )]);
    let s = corridor_scenario::load(&m).unwrap();
    let laid: Vec<ScenarioMap> = Profile::ALL
        .iter()
        .map(|&p| ScenarioMap::new(&s, g.profile(p), g.meta.bbox, snapper(p)).unwrap())
        .collect();
    let e = corridor_scenario::check_checkpoints(&laid.iter().collect::<Vec<_>>())
        .expect_err("checkpoint is off the network")
        .to_string();
    assert_msg(
        &e,
        &[
            "scenario.toml",
            "corridor 'Peak'",
            "not on the road network",
        ],
    );
}

#[test]
fn records_after_as_of_are_ignored() {
    let csv = format!(
        "{CSV_HEADER}\nA1,2016-07-20,Battles,Armed clash,x,y,42.5,1.52,0,n\nA2,2016-07-29,Battles,Armed clash,x,y,42.5,1.52,0,n\n"
    );
    let closures = "{\"type\": \"FeatureCollection\", \"features\": [{\"type\": \"Feature\", \"properties\": {\"since\": \"2016-08-01\", \"osm_way_id\": 1}, \"geometry\": null}]}";
    let (_d, m) = write_scenario(&[
        (
            "scenario.toml",
            &manifest("incidents = \"i.csv\"\nclosures = \"c.geojson\"", ""),
        ),
        ("i.csv", &csv),
        ("c.geojson", closures),
    ]);
    let s = corridor_scenario::load(&m).unwrap();
    assert_eq!(s.incidents.len(), 1);
    assert_eq!(s.incidents[0].id, "A1");
    assert_eq!(s.incidents_after_as_of, 1);
    // The future closure matches no road, but it is not in force, so the scenario is valid.
    assert!(s.closures.is_empty());
    assert_eq!(s.closures_after_as_of, 1);
    let g = graph();
    assert!(ScenarioMap::new(
        &s,
        g.profile(Profile::Foot),
        g.meta.bbox,
        snapper(Profile::Foot)
    )
    .is_ok());
}

#[test]
fn real_acled_exports_with_extra_columns_and_geojson_incidents_load() {
    let csv = "data_id,iso,event_id_cnty,event_date,year,time_precision,event_type,sub_event_type,actor1,assoc_actor_1,actor2,admin1,location,latitude,longitude,geo_precision,source,notes,fatalities,tags,timestamp\n\
               1,20,AND1,28 July 2016,2016,1,Battles,Armed clash,A,,B,Andorra la Vella,X,42.5063,1.5218,1,src,\"a note, with a comma\",3,,0\n";
    let gj = "{\"type\": \"FeatureCollection\", \"features\": [{\"type\": \"Feature\", \"geometry\": {\"type\": \"Point\", \"coordinates\": [1.5218, 42.5063]}, \"properties\": {\"event_id_cnty\": \"G1\", \"event_date\": \"2016-07-27\", \"event_type\": \"Explosions/Remote violence\", \"sub_event_type\": \"Air/drone strike\", \"fatalities\": 2}}]}";
    for (name, content) in [("i.csv", csv), ("i.geojson", gj)] {
        let (_d, m) = write_scenario(&[
            (
                "scenario.toml",
                &manifest(&format!("incidents = \"{name}\""), ""),
            ),
            (name, content),
        ]);
        let s = corridor_scenario::load(&m).unwrap();
        assert_eq!(s.incidents.len(), 1, "{name}");
        let i = &s.incidents[0];
        assert_eq!(i.point, [1.5218, 42.5063]);
        assert!(i.fatalities == 3 || i.fatalities == 2);
    }
}
