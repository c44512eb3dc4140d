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

/// The scenario placed and laid onto both profiles, as the CLI does.
fn laid(s: &mut corridor_scenario::Scenario) -> Vec<ScenarioMap<'_>> {
    let g = graph();
    let snappers: Vec<corridor_roads::Snapper> = Profile::ALL
        .iter()
        .map(|&p| corridor_roads::Snapper::new(g.profile(p), g.meta.bbox))
        .collect();
    corridor_scenario::place(s, g, &snappers);
    let s: &corridor_scenario::Scenario = s;
    Profile::ALL
        .iter()
        .map(|&p| ScenarioMap::new(s, g.profile(p), g.meta.bbox, snapper(p)).unwrap())
        .collect()
}

/// The error `check_on_map` gives for the scenario at `m`.
fn check_err(m: &std::path::Path) -> String {
    let mut s = corridor_scenario::load(m).unwrap();
    let maps = laid(&mut s);
    corridor_scenario::check_on_map(&maps.iter().collect::<Vec<_>>())
        .expect_err("the scenario should not fit its map")
        .to_string()
}

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
    // Hours that open and close at one moment: a checkpoint that would never open.
    for hours in ["06:00-06:00", "24:00-00:00"] {
        let (_d, m) = write_scenario(&[(
            "scenario.toml",
            &manifest(
                "",
                &format!("[[corridor]]\nname = \"N\"\npurpose = \"civilian\"\ncheckpoint = [42.5, 1.52]\nhours = \"{hours}\""),
            ),
        )]);
        assert_msg(
            &load_err(&m),
            &["corridor 'N'", hours, "opens and closes at the same time"],
        );
    }
    // The whole day is not that.
    assert_eq!(
        corridor_scenario::parse_hours("00:00-24:00"),
        Ok((0.0, 86400.0))
    );
}

#[test]
fn closures_matching_no_road_and_checkpoints_off_the_network_are_refused() {
    let closure = "{\"type\": \"FeatureCollection\", \"features\": [{\"type\": \"Feature\", \"properties\": {\"name\": \"ghost road\", \"since\": \"2016-07-01\", \"osm_way_id\": 1}, \"geometry\": null}]}";
    let (_d, m) = write_scenario(&[
        ("scenario.toml", &manifest("closures = \"c.geojson\"", "")),
        ("c.geojson", closure),
    ]);
    let e = check_err(&m);
    assert_msg(
        &e,
        &["c.geojson", "feature 0", "'ghost road'", "matches no road"],
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
    let e = check_err(&m);
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

/// Territory with the enclave rectangle held by `opp` inside government ground.
fn ring_territory() -> String {
    let outer = rect([1.40, 42.42, 1.83, 42.70]);
    let hole: Vec<[f64; 2]> = rect(ENCLAVE).into_iter().rev().collect();
    let ring = |r: &[[f64; 2]]| {
        r.iter()
            .map(|c| format!("[{}, {}]", c[0], c[1]))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "{{\"type\": \"FeatureCollection\", \"features\": [\
         {{\"type\": \"Feature\", \"properties\": {{\"party\": \"opp\"}}, \"geometry\": {{\"type\": \"Polygon\", \"coordinates\": [[{}]]}}}},\
         {{\"type\": \"Feature\", \"properties\": {{\"party\": \"gov\"}}, \"geometry\": {{\"type\": \"Polygon\", \"coordinates\": [[{}], [{}]]}}}}]}}",
        ring(&rect(ENCLAVE)),
        ring(&outer),
        ring(&hole)
    )
}

#[test]
fn a_checkpoint_that_opens_no_crossing_is_refused_and_one_that_does_names_its_road() {
    // On Avinguda Meritxell in the middle of the enclave: a road, but no crossing near.
    let (_d, m) = write_scenario(&[
        (
            "scenario.toml",
            &manifest(
                "territory = \"t.geojson\"",
                "[[corridor]]\nname = \"Middle\"\npurpose = \"civilian\"\ncheckpoint = [42.5075, 1.5300]",
            ),
        ),
        ("t.geojson", &ring_territory()),
    ]);
    assert_msg(
        &check_err(&m),
        &[
            "scenario.toml",
            "corridor 'Middle'",
            "opens no crossing",
            "OSM way",
        ],
    );
    // On Avinguda d'Enclar where it crosses into the enclave: it opens the crossing of that
    // way (24714743), on foot and by car, and nothing else.
    let (_d, m) = write_scenario(&[
        (
            "scenario.toml",
            &manifest(
                "territory = \"t.geojson\"",
                "[[corridor]]\nname = \"Enclar\"\npurpose = \"civilian\"\ncheckpoint = [42.50255, 1.51284]",
            ),
        ),
        ("t.geojson", &ring_territory()),
    ]);
    let mut s = corridor_scenario::load(&m).unwrap();
    let maps = laid(&mut s);
    corridor_scenario::check_on_map(&maps.iter().collect::<Vec<_>>()).unwrap();
    for sm in &maps {
        let cp = &sm.checkpoints[0];
        assert_eq!(cp.way_id, 24714743);
        assert!(!cp.edges.is_empty());
        for &e in &cp.edges {
            assert_eq!(sm.graph.edges.way_id[e as usize], 24714743);
        }
    }
}

#[test]
fn a_crossing_opens_only_for_its_modes_directions_and_dates() {
    use corridor_scenario::{Mode, Side};
    let corridor = |extra: &str| {
        format!("[[corridor]]\nname = \"Enclar\"\npurpose = \"civilian\"\ncheckpoint = [42.50255, 1.51284]\n{extra}")
    };
    // Whether a civilian of the enclave can leave by the crossing, per profile: some arc of the
    // crossing is open outwards.
    let opens = |extra: &str| -> Vec<bool> {
        let (_d, m) = write_scenario(&[
            (
                "scenario.toml",
                &manifest("territory = \"t.geojson\"", &corridor(extra)),
            ),
            ("t.geojson", &ring_territory()),
        ]);
        let mut s = corridor_scenario::load(&m).unwrap();
        let maps = laid(&mut s);
        maps.iter()
            .map(|sm| {
                let w = sm.weights(Side::CivilianOf(1), Mode::Fastest, 0.0);
                sm.checkpoints[0].edges.iter().any(|&e| {
                    let g = sm.graph;
                    [g.edge_fwd_arc[e as usize], g.edge_bwd_arc[e as usize]]
                        .iter()
                        .filter(|&&a| a != corridor_routing::INVALID)
                        .any(|&a| {
                            // Outwards: from the enclave rectangle to outside it.
                            let inside = |v: u32| {
                                let c = g.node_coord[v as usize];
                                c[0] > ENCLAVE[0]
                                    && c[0] < ENCLAVE[2]
                                    && c[1] > ENCLAVE[1]
                                    && c[1] < ENCLAVE[3]
                            };
                            inside(g.graph.arc_tail(a))
                                && !inside(g.graph.arc_head(a))
                                && w[a as usize].is_finite()
                        })
                })
            })
            .collect()
    };
    // [foot, car]
    assert_eq!(opens(""), [true, true]);
    assert_eq!(opens("modes = [\"foot\"]"), [true, false]);
    assert_eq!(opens("into = \"opp\""), [false, false]);
    assert_eq!(opens("into = \"gov\""), [true, true]);
    assert_eq!(opens("since = 2016-07-29"), [false, false]);
    assert_eq!(opens("until = \"2016-07-27\""), [false, false]);
    assert_eq!(
        opens("since = 2016-07-01\nuntil = 2016-07-28"),
        [true, true]
    );
    for (extra, needle) in [
        ("modes = [\"bicycle\"]", "modes: 'bicycle'"),
        ("modes = []", "modes = []"),
        ("into = \"nobody\"", "into: unknown party 'nobody'"),
        ("since = \"July\"", "since:"),
        ("since = 2016-07-29\nuntil = 2016-07-01", "before since"),
    ] {
        let (_d, m) = write_scenario(&[
            (
                "scenario.toml",
                &manifest("territory = \"t.geojson\"", &corridor(extra)),
            ),
            ("t.geojson", &ring_territory()),
        ]);
        assert_msg(
            &load_err(&m),
            &["scenario.toml", "corridor 'Enclar'", needle],
        );
    }
}

#[test]
fn a_closure_on_one_network_only_is_valid_and_a_point_closure_closes_one_way_everywhere() {
    let g = graph();
    let (foot, car) = (g.profile(Profile::Foot), g.profile(Profile::Car));
    // A way on the foot network only (a footway): closing it is valid.
    let foot_only = (0..foot.edge_count())
        .map(|e| foot.edges.way_id[e])
        .find(|w| !car.edges.way_id.contains(w))
        .expect("a footway");
    let closure = format!("{{\"type\": \"FeatureCollection\", \"features\": [{{\"type\": \"Feature\", \"properties\": {{\"since\": \"2016-07-01\", \"osm_way_id\": {foot_only}}}, \"geometry\": null}}]}}");
    let (_d, m) = write_scenario(&[
        ("scenario.toml", &manifest("closures = \"c.geojson\"", "")),
        ("c.geojson", &closure),
    ]);
    let mut s = corridor_scenario::load(&m).unwrap();
    let maps = laid(&mut s);
    corridor_scenario::check_on_map(&maps.iter().collect::<Vec<_>>()).unwrap();
    let closed = |sm: &ScenarioMap| {
        (0..sm.graph.edge_count() as u32)
            .filter(|&e| sm.closure_of(e).is_some())
            .map(|e| sm.graph.edges.way_id[e as usize])
            .collect::<std::collections::BTreeSet<i64>>()
    };
    assert_eq!(closed(&maps[0]), [foot_only].into());
    assert!(closed(&maps[1]).is_empty());
    // Point closures beside car roads with footways near: each closes exactly one way, the
    // same on foot and by car wherever that way exists on both networks.
    let mut checked = 0;
    for e in (0..car.edge_count() as u32).step_by(37).take(40) {
        let sh = car.edge_shape(e);
        let p = sh[sh.len() / 2];
        let closure = format!("{{\"type\": \"FeatureCollection\", \"features\": [{{\"type\": \"Feature\", \"properties\": {{\"since\": \"2016-07-01\"}}, \"geometry\": {{\"type\": \"Point\", \"coordinates\": [{}, {}]}}}}]}}", p[0], p[1]);
        let (_d, m) = write_scenario(&[
            ("scenario.toml", &manifest("closures = \"c.geojson\"", "")),
            ("c.geojson", &closure),
        ]);
        let mut s = corridor_scenario::load(&m).unwrap();
        let maps = laid(&mut s);
        let (f, c) = (closed(&maps[0]), closed(&maps[1]));
        assert_eq!(f.len().max(c.len()), 1, "one way closed: {f:?} {c:?}");
        let way = f.iter().chain(&c).next().copied().unwrap();
        for (sm, set) in maps.iter().zip([&f, &c]) {
            let exists = sm.graph.edges.way_id.contains(&way);
            assert_eq!(set.contains(&way), exists, "{:?}", sm.graph.profile);
        }
        checked += 1;
    }
    assert!(checked >= 20);
}

#[test]
fn nonsense_is_refused() {
    let t = ring_territory();
    // Hostile parties holding the same ground.
    let overlap = territory(&[
        ("opp", &rect([1.51, 42.50, 1.53, 42.52])),
        ("gov", &rect([1.52, 42.49, 1.55, 42.51])),
    ]);
    let (_d, m) = write_scenario(&[
        ("scenario.toml", &manifest("territory = \"t.geojson\"", "")),
        ("t.geojson", &overlap),
    ]);
    assert_msg(
        &load_err(&m),
        &[
            "t.geojson",
            "features 0 and 1",
            "'opp' and 'gov'",
            "overlaps",
        ],
    );
    // Allies may share ground.
    let allied = manifest("territory = \"t.geojson\"", "").replace(
        "name = \"Opposition\"",
        "name = \"Opposition\"\nallies = [\"gov\"]",
    );
    let (_d, m) = write_scenario(&[("scenario.toml", &allied), ("t.geojson", &overlap)]);
    assert!(corridor_scenario::load(&m).is_ok());
    // An enclave whose area misses its party's ground.
    let (_d, m) = write_scenario(&[
        (
            "scenario.toml",
            &manifest(
                "territory = \"t.geojson\"",
                "[[enclave]]\nname = \"Nowhere\"\nparty = \"opp\"\narea = \"a.geojson\"",
            ),
        ),
        ("t.geojson", &t),
        (
            "a.geojson",
            &territory(&[("opp", &rect([1.60, 42.55, 1.62, 42.56]))]),
        ),
    ]);
    assert_msg(&load_err(&m), &["enclave 'Nowhere'", "none of party 'opp'"]);
    // A food stock with nobody to eat it.
    let (_d, m) = write_scenario(&[
        (
            "scenario.toml",
            &manifest(
                "territory = \"t.geojson\"",
                "[[enclave]]\nname = \"E\"\nparty = \"opp\"\n[stock]\nfood_kcal = 1e9",
            ),
        ),
        ("t.geojson", &t),
    ]);
    assert_msg(&load_err(&m), &["[stock]", "nobody lives in enclave 'E'"]);
    // More parties than ground masks hold.
    let mut many = String::from("name = \"x\"\nas_of = \"2016-07-28\"\nmap = \"m.pbf\"\n");
    for i in 0..63 {
        many.push_str(&format!("[[party]]\nid = \"p{i}\"\nname = \"P{i}\"\n"));
    }
    let (_d, m) = write_scenario(&[("scenario.toml", &many)]);
    assert_msg(&load_err(&m), &["63 parties", "at most 62"]);
}

#[test]
fn real_acled_exports_load_and_their_precision_is_used() {
    // Upper-case headers, an old event type, precision columns, an unquoted TOML date.
    let csv = "EVENT_ID_CNTY,EVENT_DATE,EVENT_TYPE,SUB_EVENT_TYPE,ACTOR1,ACTOR2,LATITUDE,LONGITUDE,GEO_PRECISION,TIME_PRECISION,FATALITIES,NOTES\n\
               S1,2016-07-20,Remote violence,,A,,42.5063,1.5218,1,1,0,old category\n\
               S2,2016-07-21,Remote violence,,A,,42.5063,1.5218,3,1,0,province centroid\n\
               S3,2016-07-22,Battles,Armed clash,A,B,42.5063,1.5218,2,3,0,near a town\n";
    let m = manifest("incidents = \"i.csv\"", "")
        .replace("as_of = \"2016-07-28\"", "as_of = 2016-07-28");
    let (_d, p) = write_scenario(&[("scenario.toml", &m), ("i.csv", csv)]);
    let s = corridor_scenario::load(&p).unwrap();
    assert_eq!(s.as_of.to_string(), "2016-07-28");
    assert_eq!(s.incidents.len(), 3);
    assert_eq!(s.incidents_imprecise, 1);
    let by_id = |id: &str| s.incidents.iter().find(|i| i.id == id).unwrap();
    assert_eq!(
        corridor_scenario::incident_peak(by_id("S2"), s.as_of, 7.0).0,
        0.0
    );
    assert_eq!(
        corridor_scenario::incident_peak(by_id("S3"), s.as_of, 7.0).1,
        corridor_scenario::IMPRECISE_RADIUS_M
    );
    assert!(corridor_scenario::incident_peak(by_id("S1"), s.as_of, 7.0).0 > 0.0);
    // The same event twice.
    let dup = format!("{CSV_HEADER}\nD1,2016-07-20,Battles,Armed clash,x,y,42.5,1.52,0,n\nD1,2016-07-20,Battles,Armed clash,x,y,42.5,1.52,0,n\n");
    let (_d, p) = write_scenario(&[
        ("scenario.toml", &manifest("incidents = \"i.csv\"", "")),
        ("i.csv", &dup),
    ]);
    assert_msg(&load_err(&p), &["i.csv", "line 3", "'D1'", "line 2"]);
    // A precision code ACLED does not use.
    let bad = "event_id_cnty,event_date,event_type,sub_event_type,actor1,actor2,latitude,longitude,fatalities,notes,geo_precision\nB1,2016-07-20,Battles,,x,,42.5,1.52,0,n,7\n";
    let (_d, p) = write_scenario(&[
        ("scenario.toml", &manifest("incidents = \"i.csv\"", "")),
        ("i.csv", bad),
    ]);
    assert_msg(&load_err(&p), &["i.csv", "line 2", "geo_precision '7'"]);
}

/// A checkpoint resolves to the way of a road within `checkpoint_radius_m` (50 m) and to none
/// beyond it: placed 49 m and 51 m off the middle of a straight road with no other road within
/// 70 m. Truth: distances from the raw edge shapes, by plain equirectangular geometry.
#[test]
fn a_checkpoint_49_m_from_its_road_stands_on_it_and_one_51_m_away_on_none() {
    let g = graph();
    let k = 42.5f64.to_radians().cos();
    let m_lat = 111_320.0;
    let to_m = |c: [f64; 2]| [c[0] * m_lat * k, c[1] * m_lat];
    let to_deg = |p: [f64; 2]| [p[0] / (m_lat * k), p[1] / m_lat];
    let dist_seg = |p: [f64; 2], a: [f64; 2], b: [f64; 2]| {
        let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
        let l2 = dx * dx + dy * dy;
        let t = if l2 > 0.0 {
            (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / l2).clamp(0.0, 1.0)
        } else {
            0.0
        };
        (p[0] - a[0] - t * dx).hypot(p[1] - a[1] - t * dy)
    };
    // Every segment of every profile, with its way, in metres.
    let segs: Vec<(i64, [f64; 2], [f64; 2])> = Profile::ALL
        .iter()
        .flat_map(|&pr| {
            let pg = g.profile(pr);
            (0..pg.edge_count() as u32).flat_map(move |e| {
                let shape: Vec<[f64; 2]> = pg.edge_shape(e).iter().map(|c| to_m(*c)).collect();
                let w = pg.edges.way_id[e as usize];
                (0..shape.len().saturating_sub(1))
                    .map(move |i| (w, shape[i], shape[i + 1]))
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let found = segs.iter().find_map(|&(w, a, b)| {
        let len = (b[0] - a[0]).hypot(b[1] - a[1]);
        if len < 120.0 {
            return None;
        }
        let mid = [(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0];
        let n = [-(b[1] - a[1]) / len, (b[0] - a[0]) / len];
        let at = |d: f64| [mid[0] + n[0] * d, mid[1] + n[1] * d];
        let clear = |p: [f64; 2]| {
            let own = segs
                .iter()
                .filter(|s| s.0 == w)
                .map(|s| dist_seg(p, s.1, s.2))
                .fold(f64::INFINITY, f64::min);
            let other = segs
                .iter()
                .filter(|s| s.0 != w)
                .map(|s| dist_seg(p, s.1, s.2))
                .fold(f64::INFINITY, f64::min);
            (own, other)
        };
        let (o49, x49) = clear(at(49.0));
        let (o51, x51) = clear(at(51.0));
        ((o49 - 49.0).abs() < 0.01 && (o51 - 51.0).abs() < 0.01 && x49 > 70.0 && x51 > 70.0)
            .then(|| (w, to_deg(at(49.0)), to_deg(at(51.0))))
    });
    let (way, p49, p51) = found.expect("a straight road with no other road near");
    let placed = |p: [f64; 2]| {
        let (_d, m) = write_scenario(&[(
            "scenario.toml",
            &manifest(
                "",
                &format!(
                    "[[corridor]]\nname = \"C\"\npurpose = \"civilian\"\ncheckpoint = [{}, {}]",
                    p[1], p[0]
                ),
            ),
        )]);
        let mut s = corridor_scenario::load(&m).unwrap();
        laid(&mut s);
        s.placement.checkpoints[0]
    };
    let at49 = placed(p49).expect("49 m from its road: on it");
    assert_eq!(at49.osm_way_id, way);
    assert!((at49.distance_m - 49.0).abs() < 0.5, "{}", at49.distance_m);
    assert!(placed(p51).is_none(), "51 m from the nearest road: on none");
}
