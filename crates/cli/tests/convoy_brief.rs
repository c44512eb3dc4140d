//! `corridor convoy` and `corridor brief` end to end: the documented outputs, numbers that agree
//! across commands, a brief that headless Chromium renders (every key figure found in the page)
//! and prints to one A4 page, and bad input refused in one line.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn corridor(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_corridor"))
        .args(args)
        .env(
            "XDG_CACHE_HOME",
            std::env::temp_dir().join("corridor-test-cache"),
        )
        .output()
        .expect("binary runs")
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn example() -> PathBuf {
    root().join("data/scenarios/andorra-siege/scenario.toml")
}

fn json(args: &[&str]) -> Value {
    let o = corridor(args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

fn assert_fails(o: &Output, needles: &[&str]) {
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(1), "stderr: {err}");
    assert!(!err.contains("panicked"), "panic: {err}");
    let last = err.lines().last().unwrap_or_default();
    assert!(last.starts_with("corridor: error: "), "last line: {last}");
    for n in needles {
        assert!(last.contains(n), "'{n}' missing from: {last}");
    }
    assert!(o.stdout.is_empty());
}

/// A copy of the example's folder with `edit` applied to the manifest.
fn edited(edit: impl Fn(String) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = root().join("data/scenarios/andorra-siege");
    for entry in std::fs::read_dir(&src).unwrap() {
        let f = entry.unwrap().file_name();
        std::fs::copy(src.join(&f), dir.path().join(&f)).unwrap();
    }
    let m = std::fs::read_to_string(src.join("scenario.toml"))
        .unwrap()
        .replace(
            "../../andorra.osm.pbf",
            root().join("data/andorra.osm.pbf").to_str().unwrap(),
        );
    std::fs::write(dir.path().join("scenario.toml"), edit(m)).unwrap();
    dir
}

fn minutes_of(t: &str) -> i64 {
    let d = chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M").unwrap();
    d.and_utc().timestamp() / 60
}

#[test]
fn convoy_reports_route_timing_backup_cuts_and_supply() {
    let sc = example();
    let v = json(&["convoy", sc.to_str().unwrap()]);
    for k in [
        "scenario",
        "map",
        "parameters",
        "headline",
        "side",
        "crossings",
        "route",
        "timing",
        "backup",
        "road_cuts",
        "schedule",
        "supply",
        "assumptions",
    ] {
        assert!(!v[k].is_null(), "{k} missing");
    }
    assert_eq!(v["side"], "civilian:gov");
    let r = &v["route"];
    // Waypoints: warehouse first, the crossing, both stops, with road names.
    let w = r["waypoints"].as_array().unwrap();
    assert_eq!(w[0]["kind"], "warehouse");
    assert_eq!(w.last().unwrap()["kind"], "distribution point");
    assert!(w
        .iter()
        .any(|x| x["kind"] == "crossing" && x["name"] == r["crossing"]));
    assert!(w.iter().all(|x| x["road"].is_string()));
    // The clock adds up: arrival at the last stop = cleared + the inside legs' driving time.
    let t = &v["timing"];
    let legs = r["legs"].as_array().unwrap();
    let inside: f64 = legs[1..]
        .iter()
        .map(|l| l["duration_s"].as_f64().unwrap())
        .sum();
    let cleared = minutes_of(t["cleared"].as_str().unwrap());
    let last = minutes_of(
        t["arrivals"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()
            .as_str()
            .unwrap(),
    );
    assert!(((last - cleared) as f64 - inside / 60.0).abs() <= 1.0);
    // 12 trucks × 20 minutes of inspection at the Enclar crossing.
    assert_eq!(r["crossing"], "Enclar aid crossing");
    assert_eq!(t["inspection_s"].as_f64().unwrap(), 12.0 * 20.0 * 60.0);
    // The backup enters by the other crossing.
    assert_eq!(v["backup"]["crossing"], "Tarragona aid crossing");
    // Every road of the route has a verdict.
    let roads: Vec<&str> = r["roads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["road"].as_str().unwrap())
        .collect();
    for c in v["road_cuts"].as_array().unwrap() {
        assert!(roads.contains(&c["road"].as_str().unwrap()));
        assert!(c["verdict"].as_str().unwrap().len() > 5);
    }
    // The plan feeds the pieces its distribution points lie in: their people, as `siege` gives
    // them. People × 2,100 kcal × 7 ÷ (20 t × 3,500 kcal/kg), rounded up (250,000 people would
    // take 52.5 → 53 trucks a week).
    let siege = json(&["siege", example().to_str().unwrap()]);
    let fed: f64 = v["feeds_pieces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            siege["enclaves"][0]["pieces"][p.as_u64().unwrap() as usize]["forecast"]["people"]
                .as_f64()
                .unwrap()
        })
        .sum();
    let people = v["supply"]["people"].as_f64().unwrap();
    assert!((people - fed).abs() < 1e-6, "{people} vs {fed}");
    assert!(people > 0.0 && people <= 250_000.0);
    let weekly = (people * 2100.0 * 7.0 / (20.0 * 3500.0 * 1000.0)).ceil();
    assert_eq!(
        v["supply"]["trucks_per_week_to_cover_need"]
            .as_f64()
            .unwrap(),
        weekly
    );
}

#[test]
fn convoy_geojson_and_gpx() {
    let sc = example();
    let dir = tempfile::tempdir().unwrap();
    let gpx = dir.path().join("convoy.gpx");
    let o = corridor(&[
        "convoy",
        sc.to_str().unwrap(),
        "--format",
        "gpx",
        "-o",
        gpx.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&gpx).unwrap();
    assert!(text.starts_with("<?xml") && text.trim_end().ends_with("</gpx>"));
    assert_eq!(
        text.matches("<trk>").count(),
        2,
        "primary and backup tracks"
    );
    assert!(text.contains("<wpt ") && text.contains("<rtept "));
    let g = json(&["convoy", sc.to_str().unwrap(), "--format", "geojson"]);
    let layers: Vec<&str> = g["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["layer"].as_str().unwrap())
        .collect();
    for l in ["convoy_route", "backup_route", "waypoint", "aid_crossing"] {
        assert!(layers.contains(&l), "{l} missing");
    }
}

#[test]
fn the_siege_forecast_uses_the_declared_convoy_plan_and_the_brief_agrees() {
    // No other supply: 4,500 t × 3,500 kcal/kg ÷ (250,000 × 2,100 kcal) = 30 days without the
    // convoy, so food runs out on 27 August 2016 without it.
    let dir = edited(|m| {
        m.replace(
            "trucks_per_day_per_route = 5",
            "trucks_per_day_per_route = 0",
        )
    });
    let sc = dir.path().join("scenario.toml");
    let sc = sc.to_str().unwrap();
    let siege = json(&["siege", sc]);
    let convoy = json(&["convoy", sc]);
    // The plan feeds the piece(s) its distribution points lie in; their forecast counts it.
    let fed = convoy["feeds_pieces"].as_array().unwrap();
    assert!(!fed.is_empty(), "the distribution points lie in no piece");
    let piece = fed[0].as_u64().unwrap() as usize;
    let f = &siege["enclaves"][0]["pieces"][piece]["forecast"];
    let s = &convoy["supply"];
    assert_eq!(s["without"]["days_left"].as_f64().unwrap(), 30.0);
    assert_eq!(s["without"]["runs_out_on"], "2016-08-27");
    assert_eq!(f["runs_out_on"], s["with"]["runs_out_on"]);
    assert_eq!(f["days_left"], s["with"]["days_left"]);
    assert!(f["assumptions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a.as_str().unwrap().contains("declared convoy plan")));
    // The convoy adds days: it runs out later with the plan than without.
    assert!(s["with"]["days_left"].as_f64().unwrap() > 30.0);

    let out = tempfile::tempdir().unwrap();
    let html = out.path().join("brief.html");
    let b = json(&[
        "brief",
        sc,
        "--since",
        "2016-07-21",
        "-o",
        html.to_str().unwrap(),
    ]);
    let e = &b["enclaves"][0];
    let se = &siege["enclaves"][0];
    assert_eq!(e["status"], se["status"]);
    assert_eq!(e["population"], se["population"]);
    assert_eq!(e["days_of_food"], se["forecast"]["days_left"]);
    assert_eq!(e["food_runs_out_on"], se["forecast"]["runs_out_on"]);
    assert_eq!(e["headline_piece"], se["headline_piece"]);
    let (bp, sp) = (
        e["pieces"].as_array().unwrap(),
        se["pieces"].as_array().unwrap(),
    );
    assert_eq!(bp.len(), sp.len());
    for (b, s) in bp.iter().zip(sp) {
        assert_eq!(b["status"], s["status"]);
        assert_eq!(b["population"], s["population"]);
        assert_eq!(b["days_of_food"], s["forecast"]["days_left"]);
    }
    assert_eq!(bp[piece]["days_of_food"], f["days_left"]);
    assert_eq!(b["convoy"]["crossing"], convoy["route"]["crossing"]);
    assert_eq!(
        b["convoy"]["delivered_tonnes_30_days"],
        convoy["supply"]["delivered_tonnes"]
    );
    let ev = json(&["evacuate", sc]);
    assert_eq!(b["evacuation"]["egress_time_s"], ev["egress_time_s"]);
    assert_eq!(b["evacuation"]["staying"], ev["staying"]);
    let acc = json(&["access", sc]);
    let thirty = acc["coverage"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["minutes"] == 30.0)
        .unwrap();
    assert_eq!(b["access"]["people_within"], thirty["people"]);
    // Changes since 21 July: the incidents after that date, each with its id.
    let ids: Vec<&str> = b["changes"]["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert!(!ids.is_empty());
    let page = std::fs::read_to_string(&html).unwrap();
    for id in &ids {
        assert!(page.contains(id), "incident {id} not in the brief");
    }
    assert!(page.contains(siege["map"]["sha256"].as_str().unwrap()));
    assert!(page.contains(siege["scenario"]["sha256"].as_str().unwrap()));
    // HXL: the hashtag row under the header.
    let csv = std::fs::read_to_string(out.path().join("brief.figures.csv")).unwrap();
    assert_eq!(
        csv.lines().nth(1).unwrap(),
        "#adm1+name,#indicator+name,#indicator+value,#meta+tag"
    );
    assert!(csv.contains("#affected+ind") && csv.contains("#status"));
    let ch = std::fs::read_to_string(out.path().join("brief.changes.csv")).unwrap();
    assert!(ch.lines().nth(1).unwrap().contains("#geo+lat"));
    assert_eq!(
        ch.lines().count(),
        2 + ids.len() + b["changes"]["closures"].as_array().unwrap().len()
    );
}

/// The Chromium binary, if installed.
fn chromium() -> Option<PathBuf> {
    for name in [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ] {
        for dir in std::env::var("PATH").unwrap_or_default().split(':') {
            let p = Path::new(dir).join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

fn headless(chrome: &Path, args: &[&str]) -> Output {
    Command::new(chrome)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--no-pdf-header-footer",
        ])
        .args(args)
        .output()
        .expect("chromium runs")
}

#[test]
fn chromium_renders_the_brief_and_prints_one_a4_page() {
    let Some(chrome) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install chromium (.ci/run does: apt-get install -y chromium)"
        );
        eprintln!(
            "SKIPPED: chromium is not installed (apt-get install -y chromium); CI runs this test"
        );
        return;
    };
    let out = tempfile::tempdir().unwrap();
    let html = out.path().join("brief.html");
    let sc = example();
    let b = json(&["brief", sc.to_str().unwrap(), "-o", html.to_str().unwrap()]);
    let url = format!("file://{}", html.display());
    let dom = headless(&chrome, &["--dump-dom", &url]);
    let dom = String::from_utf8_lossy(&dom.stdout).into_owned();
    assert!(dom.contains("<svg"), "no map rendered");
    // Every key figure, as the JSON gives it, is on the rendered page.
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    for k in b["key_figures"].as_array().unwrap() {
        let v = esc(k["value"].as_str().unwrap());
        assert!(dom.contains(&v), "figure '{v}' not rendered");
    }
    let pdf = out.path().join("brief.pdf");
    let o = headless(
        &chrome,
        &[&format!("--print-to-pdf={}", pdf.display()), &url],
    );
    let bytes = std::fs::read(&pdf)
        .unwrap_or_else(|_| panic!("no PDF: {}", String::from_utf8_lossy(&o.stderr)));
    assert!(bytes.starts_with(b"%PDF"));
    let text = String::from_utf8_lossy(&bytes).replace("/Type/", "/Type /");
    // Page objects ("/Type /Page", not the "/Type /Pages" tree).
    let pages = text
        .match_indices("/Type /Page")
        .filter(|(i, _)| !text[i + 11..].starts_with('s'))
        .count();
    assert_eq!(pages, 1, "the brief must print on one page");
    // A4 is 595.3 × 841.9 points.
    let mb = text.split("/MediaBox [").nth(1).expect("a MediaBox");
    let nums: Vec<f64> = mb
        .split(']')
        .next()
        .unwrap()
        .split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect();
    assert!(
        (nums[2] - 595.3).abs() < 1.0 && (nums[3] - 841.9).abs() < 1.0,
        "not A4: {nums:?}"
    );
}

#[test]
fn bad_convoy_and_brief_input_is_refused_in_one_line() {
    let sc = example();
    let sc = sc.to_str().unwrap();
    // A "distribution point" outside the enclave: no crossing is needed, the plan is refused.
    let o = corridor(&["convoy", sc, "--to", "42.4950,1.5000"]);
    assert_fails(&o, &["distribution point 1", "without an aid crossing"]);
    let o = corridor(&["convoy", sc, "--from", "43.5,1.5"]);
    assert_fails(&o, &["warehouse", "off the map"]);
    let o = corridor(&["convoy", sc, "--crossing", "Nowhere"]);
    assert_fails(&o, &["crossing 'Nowhere'", "Enclar aid crossing"]);
    let o = corridor(&["convoy", sc, "--days", "0"]);
    assert_fails(&o, &["--days 0"]);
    let o = corridor(&["brief", sc, "--since", "last week", "-o", "/tmp/never.html"]);
    assert_fails(&o, &["--since 'last week'"]);
    assert!(!Path::new("/tmp/never.html").exists());
    // Aid fields on a civilian crossing; a weekday that is none; a crossing off the front.
    let cases: [(&str, &str, &[&str]); 8] = [
        (
            "capacity_per_hour = 2000\nreception",
            "capacity_per_hour = 2000\ntrucks_per_day = 3\nreception",
            &[
                "corridor 'Enclar crossing'",
                "trucks_per_day is only for purpose = \"aid\"",
            ],
        ),
        (
            "weekdays = [\"Tue\", \"Thu\", \"Sat\"]",
            "weekdays = [\"Tue\", \"Caturday\"]",
            &["Enclar aid crossing", "weekday 'Caturday'"],
        ),
        (
            "checkpoint = [42.50255, 1.51318]\nhours = \"09:00-13:00\"",
            "checkpoint = [42.5080, 1.5230]\nhours = \"09:00-13:00\"",
            &["aid crossing 'Enclar aid crossing'"],
        ),
        (
            "every_days = 2",
            "every_days = 0",
            &["[convoy] every_days = 0"],
        ),
        (
            "open_from = \"2016-07-29\"",
            "open_from = \"2016-07-29\"\nopen_until = \"2016-07-01\"",
            &[
                "Tarragona aid crossing",
                "open_until 2016-07-01 is before open_from 2016-07-29",
            ],
        ),
        (
            "trucks_per_day = 20",
            "trucks_per_day = 0",
            &["Tarragona aid crossing", "trucks_per_day = 0"],
        ),
        (
            "inspection_minutes = 15",
            "inspection_minutes = -5",
            &["Tarragona aid crossing", "inspection_minutes = -5"],
        ),
        (
            "every_days = 2",
            "every_days = 2\ncrossing = \"Nowhere\"",
            &["[convoy] crossing 'Nowhere'"],
        ),
    ];
    for (from, to, needles) in cases {
        let dir = edited(|m| {
            assert!(m.contains(from), "{from}");
            m.replacen(from, to, 1)
        });
        let o = corridor(&[
            "scenario",
            "check",
            dir.path().join("scenario.toml").to_str().unwrap(),
        ]);
        assert_fails(&o, needles);
    }
}
