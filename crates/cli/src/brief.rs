//! `corridor brief`: a one-page situation brief in the form of an OCHA flash update — headline,
//! key figures, what changed since a date, a map drawn from the graph and the scenario layers
//! (SVG, no tiles), and the sources behind every number — plus the tables as HXL-tagged CSV.
//!
//! Every figure is taken from the same computations the commands print (`siege`, `convoy`,
//! `evacuate`, `access`): `brief_figures` returns them as JSON, and the HTML shows exactly those.

use crate::evacuate_cmd;
use crate::scenario_cmd::{self, LoadedScenario};
use anyhow::{anyhow, Result};
use chrono::NaiveDate;
use clap::Args;
use corridor_analysis::access::{access, facilities_on, AccessParams};
use corridor_app::results::convoy::{self, ConvoyOptions};
use corridor_roads::Profile;
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

#[derive(Args)]
pub struct BriefArgs {
    /// The scenario manifest (scenario.toml).
    pub scenario: PathBuf,
    /// Report what changed after this date (YYYY-MM-DD; default: 7 days before `as_of`).
    #[arg(long)]
    pub since: Option<String>,
    /// The HTML file to write (atomically). The HXL CSV tables are written beside it
    /// (`NAME.figures.csv`, `NAME.changes.csv`).
    #[arg(short, long)]
    pub output: PathBuf,
}

/// Minutes to a working hospital that count as "within reach" in the key figures.
const ACCESS_MINUTES: f64 = 30.0;

/// All figures of the brief, as JSON (what the HTML and CSV show).
pub fn brief_figures(loaded: &LoadedScenario, since: NaiveDate) -> Result<Value> {
    let s = &loaded.scenario;
    let car = loaded.on(Profile::Car);
    let mut sieges = convoy::siege_reports(loaded);
    let plain = sieges.clone();
    // The forecast as `corridor siege` prints it: with the declared convoy plan, if any.
    convoy::apply_declared_plan(loaded, &car, &mut sieges);
    let convoy = if s.convoy.is_some() && !s.aid_crossings.is_empty() {
        match convoy::compute(loaded, &car, &ConvoyOptions::default(), &plain) {
            Ok(r) => Some(json!({
                "crossing": r.route.crossing,
                "distance_m": r.route.distance_m,
                "exposure": r.route.exposure.risk,
                "backup_crossing": r.backup.as_ref().map(|b| b.route.crossing.clone()),
                // The plan and its deliveries need no [stock]; only the need does.
                "plan_trucks_per_week": r.params.schedule.trucks as f64 * 7.0 / r.params.schedule.every_days as f64,
                "delivered_tonnes_30_days": r.schedule.daily_tonnes.iter().sum::<f64>(),
                "trucks_per_week_to_cover_need": r.supply.as_ref().map(|x| x.trucks_per_week_to_cover_need),
                "runs_out_without": r.supply.as_ref().and_then(|x| x.without.runs_out_on),
                "runs_out_with": r.supply.as_ref().and_then(|x| x.with.runs_out_on),
                "verdict": r.supply.as_ref().map(|x| x.verdict.clone()),
                "unreached_words": (!r.unreached_pieces.is_empty()).then(|| convoy::unreached_words(&r.unreached_pieces)),
                "unreached_pieces": r.unreached_pieces,
                "feeds_pieces": r.feeds_pieces,
                "outlook_days": r.supply.as_ref().map(|x| x.outlook_days),
                "geometry": r.route.geometry,
                "backup_geometry": r.backup.as_ref().map(|b| b.route.geometry.clone()),
            })),
            Err(e) => Some(json!({"error": e.to_string()})),
        }
    } else {
        None
    };
    let evac = if s.corridors.is_empty() || s.enclaves.is_empty() {
        None
    } else {
        evacuate_cmd::plan(loaded).ok().map(|(r, _)| r)
    };
    let params = AccessParams::default();
    let (foot, car) = (loaded.on(Profile::Foot), loaded.on(Profile::Car));
    let fac = facilities_on(s, &loaded.map.graph.facilities, s.as_of, &params.hits)
        .map_err(|e| anyhow!("{e}"))?;
    let acc = access(&foot, &car, fac, s.as_of, &params).map_err(|e| anyhow!("{e}"))?;
    let within_of = |cov: &[corridor_analysis::access::Coverage]| {
        cov.iter()
            .find(|c| c.minutes == ACCESS_MINUTES)
            .map(|c| c.people)
    };
    let within = within_of(&acc.coverage);
    let within_full = within_of(&acc.coverage_fully_functioning);
    let enclaves: Vec<Value> = sieges
        .iter()
        .map(|e| {
            json!({
                "name": e.name, "status": e.status, "pieces_km2": e.pieces_km2, "population": e.population,
                "headline": e.headline,
                "days_of_food": e.forecast.as_ref().and_then(|f| f.days_left),
                "food_runs_out_on": e.forecast.as_ref().and_then(|f| f.runs_out_on),
                "food_forecast": e.forecast.is_some(),
                "headline_piece": e.headline_piece,
                "pieces": e.pieces.iter().map(|p| json!({
                    "index": p.index, "status": p.status, "population": p.population, "near": p.near,
                    "food_forecast": p.forecast.is_some(),
                    "days_of_food": p.forecast.as_ref().and_then(|f| f.days_left),
                    "food_runs_out_on": p.forecast.as_ref().and_then(|f| f.runs_out_on),
                })).collect::<Vec<_>>(),
                "forecast_assumptions": e.forecast.as_ref().map(|f| f.assumptions.clone()),
                "outline": scenario_cmd::polygon_json(&e.outline),
            })
        })
        .collect();
    let incidents: Vec<Value> = s
        .incidents
        .iter()
        .filter(|i| i.date > since)
        .map(|i| json!({"id": i.id, "date": i.date, "event_type": i.event_type, "sub_event_type": i.sub_event_type,
                        "fatalities": i.fatalities, "lat": i.point[1], "lon": i.point[0], "notes": i.notes}))
        .collect();
    let closures: Vec<Value> = s
        .closures
        .iter()
        .filter(|c| c.since > since)
        .map(|c| json!({"name": c.name, "since": c.since, "osm_way_ids": c.way_ids}))
        .collect();
    let facilities_lost: Vec<Value> = acc
        .facilities
        .list
        .iter()
        .filter(|f| !f.status.works() && f.changed_by.iter().any(|c| c.date > since))
        .map(|f| json!({"name": f.name, "id": f.id, "status": f.status,
                        "date": f.changed_by.iter().filter(|c| c.date > since).map(|c| c.date).max(),
                        "lat": f.coord[1], "lon": f.coord[0],
                        "incidents": f.changed_by.iter().map(|c| c.incident.clone()).collect::<Vec<_>>()}))
        .collect();
    Ok(json!({
        "scenario": loaded.identity(),
        "map": loaded.map.identity(),
        "since": since,
        "enclaves": enclaves,
        "convoy": convoy,
        "evacuation": evac.as_ref().map(|r| json!({"people": r.people, "leaving": r.leaving, "staying": r.staying,
            "egress_time_s": r.egress_time_s, "lower_bound_s": r.lower_bound_s})),
        "access": {"minutes": ACCESS_MINUTES, "people_within": within, "people_within_fully_functioning": within_full, "population": acc.population,
                   "functioning": acc.facilities.functioning + acc.facilities.partially_functioning,
                   "not_functioning": acc.facilities.not_functioning + acc.facilities.destroyed},
        "changes": {"incidents": incidents, "closures": closures, "facilities_lost": facilities_lost},
    }))
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Thousands with a separator as OCHA's products print them: 250,000.
pub fn people(x: f64) -> String {
    convoy::thousands(x)
}

/// "12 days of food (runs out 2016-08-09)", "food does not run out" or "no food forecast".
fn food_words(v: &Value) -> String {
    match v["days_of_food"].as_f64() {
        Some(d) => format!(
            "{d:.0} days of food (runs out {})",
            v["food_runs_out_on"].as_str().unwrap_or("")
        ),
        None if v["food_forecast"] == false => "no food forecast".into(),
        None => "food does not run out".into(),
    }
}

/// `food_words` for a piece the declared convoy plan feeds: "does not run out" only ever means
/// within the outlook, the convoys running as planned throughout.
fn fed_food_words(v: &Value, f: &Value) -> String {
    match (
        v["days_of_food"].as_f64(),
        f["convoy"]["outlook_days"].as_u64(),
    ) {
        (None, Some(n)) if v["food_forecast"] == true => format!(
            "food does not run out within {n} days, the convoy plan running as planned throughout"
        ),
        _ => food_words(v),
    }
}

/// The key figures as `(label, value, HXL tag)`: the same strings go into the HTML and the CSV.
pub fn key_figures(f: &Value) -> Vec<(String, String, &'static str)> {
    let mut out = Vec::new();
    // The pieces of the first enclave no convoy reaches (`corridor convoy`'s `unreached_pieces`).
    let unreached: Vec<Option<u64>> = f["convoy"]["unreached_pieces"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|u| u["piece"].as_u64())
        .collect();
    // The pieces the declared convoy plan feeds: their forecast counts it.
    let fed: Vec<Option<u64>> = f["convoy"]["feeds_pieces"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| p.as_u64())
        .collect();
    for (k, e) in f["enclaves"].as_array().into_iter().flatten().enumerate() {
        let name = e["name"].as_str().unwrap_or_default();
        let pieces = e["pieces"].as_array().cloned().unwrap_or_default();
        let worst = e["headline_piece"].as_u64().unwrap_or(0) as usize;
        let status = |v: &Value| v["status"].as_str().unwrap_or("").to_uppercase();
        out.push((
            format!("{name}: status"),
            if pieces.len() > 1 {
                format!(
                    "{} (the worst of {} pieces: piece {})",
                    status(e),
                    pieces.len(),
                    worst + 1
                )
            } else {
                status(e)
            },
            "#status",
        ));
        out.push((
            format!("{name}: people"),
            people(e["population"].as_f64().unwrap_or(0.0)),
            "#affected+ind",
        ));
        if pieces.len() > 1 {
            for p in &pieces {
                out.push((
                    format!("{name}, piece {}", p["index"].as_u64().unwrap_or(0) + 1),
                    format!(
                        "{}, {} people, {}{}",
                        status(p),
                        people(p["population"].as_f64().unwrap_or(0.0)),
                        if k == 0 && fed.contains(&p["index"].as_u64()) {
                            fed_food_words(p, f)
                        } else {
                            food_words(p)
                        },
                        if k == 0 && unreached.contains(&p["index"].as_u64()) {
                            "; NO CONVOY REACHES IT"
                        } else {
                            ""
                        }
                    ),
                    "#status+piece",
                ));
            }
        }
        out.push((
            if pieces.len() > 1 {
                format!("{name}: days of food (piece {})", worst + 1)
            } else {
                format!("{name}: days of food")
            },
            food_words(e),
            "#indicator+days_food",
        ));
    }
    if let Some(c) = f["convoy"].as_object() {
        if let Some(err) = c.get("error") {
            out.push((
                "Convoy plan".into(),
                format!("cannot run: {}", err.as_str().unwrap_or("")),
                "#access+convoy",
            ));
        } else {
            out.push((
                "Convoy plan".into(),
                format!(
                    "via {}: {:.0} trucks/week planned, {}; {} t in 30 days{}",
                    c["crossing"].as_str().unwrap_or(""),
                    c["plan_trucks_per_week"].as_f64().unwrap_or(0.0),
                    c["trucks_per_week_to_cover_need"]
                        .as_u64()
                        .map_or("need unknown (no [stock])".into(), |n| format!(
                            "{n} needed"
                        )),
                    people(c["delivered_tonnes_30_days"].as_f64().unwrap_or(0.0)),
                    match unreached.len() {
                        0 => String::new(),
                        _ => format!(
                            "; does not reach piece {}",
                            unreached
                                .iter()
                                .map(|p| (p.unwrap_or(0) + 1).to_string())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    }
                ),
                "#access+convoy",
            ));
        }
    }
    if let Some(e) = f["evacuation"].as_object() {
        out.push((
            "Evacuation egress".into(),
            format!(
                "{:.1} h for {} people",
                e["egress_time_s"].as_f64().unwrap_or(0.0) / 3600.0,
                people(e["leaving"].as_f64().unwrap_or(0.0))
            ),
            "#indicator+egress_hours",
        ));
        out.push((
            "People staying or stranded".into(),
            people(e["staying"].as_f64().unwrap_or(0.0)),
            "#affected+stranded",
        ));
    }
    let a = &f["access"];
    // Any working facility (a partially functioning field clinic counts) and, apart, the fully
    // functioning ones: "a working hospital" would overstate care when only clinics remain.
    let minutes = a["minutes"].as_f64().unwrap_or(30.0);
    out.push((
        format!("People within {minutes:.0} min on foot of a working health facility (any, even partially functioning)"),
        a["people_within"].as_f64().map_or("unknown".into(), people),
        "#reached+ind",
    ));
    out.push((
        format!("People within {minutes:.0} min on foot of a fully functioning health facility"),
        a["people_within_fully_functioning"]
            .as_f64()
            .map_or("unknown".into(), people),
        "#reached+ind+fully_functioning",
    ));
    out
}

/// A CSV field, quoted when it must be.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// One machine-readable row of `NAME.figures.csv`: a plain number (or none) with its unit; the
/// prose the page prints goes into the description.
struct FigureRow {
    area: String,
    figure: String,
    value: Option<f64>,
    unit: &'static str,
    description: String,
    tag: &'static str,
}

fn row(
    area: &str,
    figure: &str,
    value: Option<f64>,
    unit: &'static str,
    description: String,
    tag: &'static str,
) -> FigureRow {
    FigureRow {
        area: area.into(),
        figure: figure.into(),
        value,
        unit,
        description,
        tag,
    }
}

/// The key figures' numbers, from the same JSON the page is drawn from: people, days, tonnes,
/// trucks and hours as plain numbers, each with the page's prose as its description.
fn figure_rows(f: &Value) -> Vec<FigureRow> {
    let mut out = Vec::new();
    let prose: std::collections::HashMap<String, String> = key_figures(f)
        .into_iter()
        .map(|(label, value, _)| (label, value))
        .collect();
    let say = |label: &str| prose.get(label).cloned().unwrap_or_default();
    for e in f["enclaves"].as_array().into_iter().flatten() {
        let name = e["name"].as_str().unwrap_or_default();
        let pieces = e["pieces"].as_array().cloned().unwrap_or_default();
        let worst = e["headline_piece"].as_u64().unwrap_or(0);
        out.push(row(
            name,
            "status",
            None,
            "",
            say(&format!("{name}: status")),
            "#status",
        ));
        out.push(row(
            name,
            "people",
            e["population"].as_f64(),
            "people",
            say(&format!("{name}: people")),
            "#affected+ind",
        ));
        if pieces.len() > 1 {
            for p in &pieces {
                let n = p["index"].as_u64().unwrap_or(0) + 1;
                let d = say(&format!("{name}, piece {n}"));
                out.push(row(
                    name,
                    &format!("piece {n}: people"),
                    p["population"].as_f64(),
                    "people",
                    d.clone(),
                    "#affected+ind+piece",
                ));
                out.push(row(
                    name,
                    &format!("piece {n}: days of food"),
                    p["days_of_food"].as_f64(),
                    "days",
                    d,
                    "#indicator+days_food+piece",
                ));
            }
        }
        let label = if pieces.len() > 1 {
            format!("{name}: days of food (piece {})", worst + 1)
        } else {
            format!("{name}: days of food")
        };
        let figure = label.split_once(": ").map_or("", |x| x.1).to_string();
        out.push(row(
            name,
            &figure,
            e["days_of_food"].as_f64(),
            "days",
            say(&label),
            "#indicator+days_food",
        ));
    }
    if let Some(c) = f["convoy"].as_object() {
        let d = say("Convoy plan");
        let num = |k: &str| c.get(k).and_then(Value::as_f64);
        out.push(row(
            "",
            "Convoy plan: trucks a week planned",
            num("plan_trucks_per_week"),
            "trucks per week",
            d.clone(),
            "#access+convoy+trucks_planned",
        ));
        out.push(row(
            "",
            "Convoy plan: trucks a week the need takes",
            num("trucks_per_week_to_cover_need"),
            "trucks per week",
            d.clone(),
            "#access+convoy+trucks_needed",
        ));
        out.push(row(
            "",
            "Convoy plan: delivered in 30 days",
            num("delivered_tonnes_30_days"),
            "tonnes",
            d,
            "#access+convoy+tonnes",
        ));
        for u in c
            .get("unreached_pieces")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            out.push(row(
                "",
                &format!(
                    "Convoy plan: people in piece {} no convoy reaches",
                    u["piece"].as_u64().unwrap_or(0) + 1
                ),
                u["people"].as_f64(),
                "people",
                format!(
                    "no aid crossing has a road there; food runs out {}",
                    u["food_runs_out_on"].as_str().unwrap_or("(no date)")
                ),
                "#affected+ind+unreached",
            ));
        }
    }
    if let Some(e) = f["evacuation"].as_object() {
        let num = |k: &str| e.get(k).and_then(Value::as_f64);
        out.push(row(
            "",
            "Evacuation egress",
            num("egress_time_s").map(|x| x / 3600.0),
            "hours",
            say("Evacuation egress"),
            "#indicator+egress_hours",
        ));
        out.push(row(
            "",
            "People leaving",
            num("leaving"),
            "people",
            say("Evacuation egress"),
            "#affected+leaving",
        ));
        out.push(row(
            "",
            "People staying or stranded",
            num("staying"),
            "people",
            say("People staying or stranded"),
            "#affected+stranded",
        ));
    }
    let a = &f["access"];
    let minutes = a["minutes"].as_f64().unwrap_or(30.0);
    for (k, tag, label) in [
        ("people_within", "#reached+ind", format!("People within {minutes:.0} min on foot of a working health facility (any, even partially functioning)")),
        ("people_within_fully_functioning", "#reached+ind+fully_functioning", format!("People within {minutes:.0} min on foot of a fully functioning health facility")),
    ] {
        out.push(row("", &label, a[k].as_f64(), "people", say(&label), tag));
    }
    out
}

/// A number as plain CSV text: no thousands separators, no unit; empty when unknown.
fn plain_number(x: Option<f64>) -> String {
    x.filter(|v| v.is_finite()).map_or(String::new(), |v| {
        if v.fract() == 0.0 {
            format!("{v:.0}")
        } else {
            format!("{v}")
        }
    })
}

/// The key figures as HXL-tagged CSV (header row, then the hashtag row): one number per row
/// (`#indicator+num`, plain, machine-readable), its unit, and the prose in `#description`.
pub fn figures_csv(f: &Value) -> String {
    let mut out = String::from(
        "Area,Figure,Value,Unit,Description,Indicator tag\n#adm1+name,#indicator+name,#indicator+num,#indicator+unit,#description,#meta+tag\n",
    );
    for r in figure_rows(f) {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{}",
            csv_field(&r.area),
            csv_field(&r.figure),
            plain_number(r.value),
            csv_field(r.unit),
            csv_field(&r.description),
            r.tag
        );
    }
    out
}

/// What changed, as HXL-tagged CSV.
pub fn changes_csv(f: &Value) -> String {
    let mut out = String::from(
        "Date,Kind,Event,Fatalities,Latitude,Longitude,Source id\n#date,#event+type,#event+description,#affected+killed,#geo+lat,#geo+lon,#meta+id\n",
    );
    for i in f["changes"]["incidents"].as_array().into_iter().flatten() {
        let _ = writeln!(
            out,
            "{},incident,{},{},{},{},{}",
            i["date"].as_str().unwrap_or(""),
            csv_field(&format!(
                "{} / {}",
                i["event_type"].as_str().unwrap_or(""),
                i["sub_event_type"].as_str().unwrap_or("")
            )),
            i["fatalities"],
            i["lat"],
            i["lon"],
            csv_field(i["id"].as_str().unwrap_or(""))
        );
    }
    for c in f["changes"]["closures"].as_array().into_iter().flatten() {
        let _ = writeln!(
            out,
            "{},closure,{},,,,{}",
            c["since"].as_str().unwrap_or(""),
            csv_field(c["name"].as_str().unwrap_or("road closed")),
            csv_field(&c["osm_way_ids"].to_string())
        );
    }
    // Facilities lost: the date of the latest incident since `since` that hit it, its place,
    // and the incident ids as the source.
    for f in f["changes"]["facilities_lost"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let ids: Vec<&str> = f["incidents"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|i| i.as_str())
            .collect();
        let _ = writeln!(
            out,
            "{},facility lost,{},,{},{},{}",
            f["date"].as_str().unwrap_or(""),
            csv_field(&format!(
                "{} {}",
                f["name"].as_str().unwrap_or("a health facility"),
                f["status"].as_str().unwrap_or("lost").replace('_', " ")
            )),
            f["lat"],
            f["lon"],
            csv_field(&ids.join(" "))
        );
    }
    out
}

/// Lon/lat to SVG coordinates for a bounding box, keeping metres square.
struct Frame {
    min: [f64; 2],
    max: [f64; 2],
    k: f64,
    width: f64,
    height: f64,
}

impl Frame {
    fn new(min: [f64; 2], max: [f64; 2], width: f64) -> Frame {
        let k = ((min[1] + max[1]) / 2.0).to_radians().cos();
        let height = width * (max[1] - min[1]) / ((max[0] - min[0]) * k);
        Frame {
            min,
            max,
            k,
            width,
            height,
        }
    }
    fn xy(&self, p: [f64; 2]) -> (f64, f64) {
        (
            (p[0] - self.min[0]) * self.k / ((self.max[0] - self.min[0]) * self.k) * self.width,
            (self.max[1] - p[1]) / (self.max[1] - self.min[1]) * self.height,
        )
    }
    fn inside(&self, p: [f64; 2]) -> bool {
        (self.min[0]..=self.max[0]).contains(&p[0]) && (self.min[1]..=self.max[1]).contains(&p[1])
    }
    fn path(&self, pts: &[[f64; 2]]) -> String {
        let mut d = String::new();
        for (i, p) in pts.iter().enumerate() {
            let (x, y) = self.xy(*p);
            let _ = write!(d, "{}{x:.1},{y:.1}", if i == 0 { "M" } else { "L" });
        }
        d
    }
}

fn coords(v: &Value) -> Vec<[f64; 2]> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| Some([c[0].as_f64()?, c[1].as_f64()?]))
        .collect()
}

/// The map: roads from the car graph, territories, front lines, closures, incidents, the
/// convoy route and its backup, crossings and facilities. Plain SVG, no tiles.
fn map_svg(loaded: &LoadedScenario, f: &Value) -> String {
    let s = &loaded.scenario;
    let car = loaded.on(Profile::Car);
    let g = car.graph;
    // Frame: the enclaves' outlines and the convoy route, with a margin.
    let mut pts: Vec<[f64; 2]> = Vec::new();
    for e in f["enclaves"].as_array().into_iter().flatten() {
        for poly in e["outline"]["coordinates"].as_array().into_iter().flatten() {
            pts.extend(coords(&poly[0]));
        }
    }
    pts.extend(coords(&f["convoy"]["geometry"]));
    if pts.is_empty() {
        let b = loaded.map.graph.meta.bbox;
        pts = vec![[b[0], b[1]], [b[2], b[3]]];
    }
    let (mut min, mut max) = ([f64::MAX; 2], [f64::MIN; 2]);
    for p in &pts {
        for d in 0..2 {
            min[d] = min[d].min(p[d]);
            max[d] = max[d].max(p[d]);
        }
    }
    let pad = [
        (max[0] - min[0]) * 0.08 + 0.002,
        (max[1] - min[1]) * 0.08 + 0.002,
    ];
    let fr = Frame::new(
        [min[0] - pad[0], min[1] - pad[1]],
        [max[0] + pad[0], max[1] + pad[1]],
        1000.0,
    );
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {:.0} {:.0}\" role=\"img\" aria-label=\"Situation map\">\n",
        fr.width, fr.height
    );
    for t in &s.territories {
        let hostile_to_enclave = s
            .enclaves
            .first()
            .is_some_and(|e| s.hostile(e.party, t.party));
        let fill = if hostile_to_enclave {
            "#f4d6d2"
        } else {
            "#dbe8f4"
        };
        for p in &t.area.0 {
            let ring: Vec<[f64; 2]> = p.exterior().0.iter().map(|c| [c.x, c.y]).collect();
            let _ = writeln!(
                svg,
                "<path d=\"{}Z\" fill=\"{fill}\" stroke=\"none\"/>",
                fr.path(&ring)
            );
        }
    }
    let mut roads = String::new();
    for e in 0..g.edge_count() as u32 {
        let shape = g.edge_shape(e);
        if shape.iter().any(|p| fr.inside(*p)) {
            roads += &fr.path(shape);
        }
    }
    let _ = writeln!(
        svg,
        "<path d=\"{roads}\" fill=\"none\" stroke=\"#9a9a9a\" stroke-width=\"1.2\"/>"
    );
    for fl in &car.front_lines {
        let line: Vec<[f64; 2]> = fl.line.0.iter().map(|c| [c.x, c.y]).collect();
        let _ = writeln!(svg, "<path d=\"{}\" fill=\"none\" stroke=\"#b0281a\" stroke-width=\"3\" stroke-dasharray=\"8 5\"/>", fr.path(&line));
    }
    for e in 0..g.edge_count() as u32 {
        if car.closure_of(e).is_some() {
            let _ = writeln!(
                svg,
                "<path d=\"{}\" fill=\"none\" stroke=\"#000\" stroke-width=\"5\"/>",
                fr.path(g.edge_shape(e))
            );
        }
    }
    let backup = coords(&f["convoy"]["backup_geometry"]);
    if !backup.is_empty() {
        let _ = writeln!(svg, "<path d=\"{}\" fill=\"none\" stroke=\"#e08a00\" stroke-width=\"4\" stroke-dasharray=\"10 6\"/>", fr.path(&backup));
    }
    let route = coords(&f["convoy"]["geometry"]);
    if !route.is_empty() {
        let _ = writeln!(
            svg,
            "<path d=\"{}\" fill=\"none\" stroke=\"#0a6ebd\" stroke-width=\"5\"/>",
            fr.path(&route)
        );
    }
    for i in &s.incidents {
        if fr.inside(i.point) {
            let (x, y) = fr.xy(i.point);
            let _ = writeln!(svg, "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"7\" fill=\"#d7301f\" stroke=\"#fff\"><title>{}</title></circle>", esc(&i.id));
        }
    }
    for c in &s.aid_crossings {
        let (x, y) = fr.xy(c.checkpoint);
        let _ = writeln!(svg, "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"14\" height=\"14\" fill=\"#fff\" stroke=\"#0a3d6e\" stroke-width=\"4\"><title>{}</title></rect>", x - 7.0, y - 7.0, esc(&c.name));
    }
    for c in &s.corridors {
        let (x, y) = fr.xy(c.checkpoint);
        let _ = writeln!(svg, "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"11\" height=\"11\" fill=\"#2c8a3c\" stroke=\"#fff\"><title>{}</title></rect>", x - 5.5, y - 5.5, esc(&c.name));
    }
    for fac in &loaded.map.graph.facilities {
        let p = fac.coord;
        if fr.inside(p) {
            let (x, y) = fr.xy(p);
            let _ = writeln!(svg, "<text x=\"{x:.1}\" y=\"{y:.1}\" font-size=\"22\" fill=\"#c2185b\" text-anchor=\"middle\">+</text>");
        }
    }
    svg += "</svg>\n";
    svg
}

/// The brief as one HTML page, printable to A4.
pub fn html(loaded: &LoadedScenario, f: &Value) -> String {
    let s = &loaded.scenario;
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Flash update: {}</title>\n<style>{}</style></head><body>\n",
        esc(&s.name),
        CSS
    );
    let _ = writeln!(
        h,
        "<header><div class=\"kind\">FLASH UPDATE</div><h1>{}</h1><div class=\"date\">Situation as of {} · changes since {}</div></header>",
        esc(&s.name),
        s.as_of,
        f["since"].as_str().unwrap_or("")
    );
    h += "<section class=\"headline\"><h2>Highlights</h2><ul>\n";
    for e in f["enclaves"].as_array().into_iter().flatten() {
        for line in e["headline"].as_array().into_iter().flatten() {
            let _ = writeln!(h, "<li>{}</li>", esc(line.as_str().unwrap_or("")));
        }
    }
    if let Some(v) = f["convoy"]["verdict"].as_str() {
        let _ = writeln!(h, "<li>Convoys: {}.</li>", esc(v));
    }
    h += "</ul></section>\n<div class=\"cols\"><section class=\"figures\"><h2>Key figures</h2><table>\n";
    for (label, value, tag) in key_figures(f) {
        let _ = writeln!(
            h,
            "<tr data-hxl=\"{tag}\"><th>{}</th><td>{}</td></tr>",
            esc(&label),
            esc(&value)
        );
    }
    h += "</table></section>\n<section class=\"map\"><h2>Map</h2>\n";
    h += &map_svg(loaded, f);
    h += "<div class=\"legend\"><span class=\"k route\"></span>convoy route <span class=\"k backup\"></span>backup <span class=\"k front\"></span>front line <span class=\"k closed\"></span>closed road <span class=\"k inc\"></span>incident <span class=\"k aid\"></span>aid crossing <span class=\"k civ\"></span>civilian crossing <span class=\"plus\">+</span>health facility</div>\n";
    h += "</section></div>\n<section class=\"changes\"><h2>What changed</h2><ul>\n";
    let ch = &f["changes"];
    for i in ch["incidents"].as_array().into_iter().flatten() {
        let _ = writeln!(
            h,
            "<li>{}: {} ({}), {} killed <span class=\"src\">[{}]</span></li>",
            i["date"].as_str().unwrap_or(""),
            esc(i["event_type"].as_str().unwrap_or("")),
            esc(i["sub_event_type"].as_str().unwrap_or("")),
            i["fatalities"],
            esc(i["id"].as_str().unwrap_or(""))
        );
    }
    for c in ch["closures"].as_array().into_iter().flatten() {
        let _ = writeln!(
            h,
            "<li>{}: road closed: {} <span class=\"src\">[OSM ways {}]</span></li>",
            c["since"].as_str().unwrap_or(""),
            esc(c["name"].as_str().unwrap_or("unnamed road")),
            esc(&c["osm_way_ids"].to_string())
        );
    }
    for fl in ch["facilities_lost"].as_array().into_iter().flatten() {
        let _ = writeln!(
            h,
            "<li>Facility lost: {} is {} <span class=\"src\">[{}]</span></li>",
            esc(fl["name"].as_str().unwrap_or("unnamed")),
            esc(&fl["status"].as_str().unwrap_or("").replace('_', " ")),
            esc(&fl["incidents"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(", "))
        );
    }
    if ch["incidents"].as_array().is_some_and(Vec::is_empty)
        && ch["closures"].as_array().is_some_and(Vec::is_empty)
    {
        h += "<li>No new incidents or closures in this period.</li>\n";
    }
    h += "</ul></section>\n<footer><h2>Sources and assumptions</h2><p>";
    let _ = write!(
        h,
        "Scenario “{}” ({}), sha256 {}, as_of {}. Map {} (OpenStreetMap contributors, ODbL), sha256 {}. ",
        esc(&s.name),
        esc(&s.file.display().to_string()),
        s.sha256,
        s.as_of,
        esc(&loaded.map.graph.meta.source_file),
        loaded.map.graph.meta.source_sha256
    );
    let _ = write!(
        h,
        "Risk: half-life {} days, front band {} m, exposure threshold {}. Access: {} min on foot, nearest working facility. Convoy: {}. ",
        s.risk.half_life_days,
        s.risk.front_band_m,
        s.risk.exposure_threshold,
        ACCESS_MINUTES,
        s.convoy.as_ref().map_or("none declared".into(), |c| format!("{} trucks × {} t every {} days (declared in [convoy])", c.trucks, c.tonnes_per_truck, c.every_days))
    );
    for e in f["enclaves"].as_array().into_iter().flatten() {
        for a in e["forecast_assumptions"].as_array().into_iter().flatten() {
            let _ = write!(h, "{}. ", esc(a.as_str().unwrap_or("")));
        }
    }
    h += "Produced by corridor; every figure is reproducible with corridor siege, convoy, evacuate and access on these inputs.</p></footer>\n</body></html>\n";
    h
}

const CSS: &str = "@page { size: A4; margin: 10mm; }
* { box-sizing: border-box; }
body { font-family: 'DejaVu Sans', Arial, sans-serif; font-size: 8.2pt; color: #222; margin: 0; }
header { border-bottom: 3px solid #0a6ebd; margin-bottom: 4px; }
.kind { color: #0a6ebd; font-weight: bold; letter-spacing: 1px; font-size: 8pt; }
h1 { font-size: 14pt; margin: 2px 0; }
h2 { font-size: 9.5pt; color: #0a6ebd; margin: 5px 0 3px; text-transform: uppercase; }
.date { color: #555; }
ul { margin: 0; padding-left: 14px; }
.cols { display: flex; gap: 8px; }
.figures { flex: 0 0 42%; }
.map { flex: 1; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 2px 3px; border-bottom: 1px solid #ddd; }
th { font-weight: normal; color: #444; width: 48%; }
td { font-weight: bold; }
svg { width: 100%; height: auto; max-height: 92mm; border: 1px solid #ccc; }
.legend { font-size: 7pt; color: #444; }
.k { display: inline-block; width: 14px; height: 4px; margin: 0 2px 2px 6px; vertical-align: middle; }
.route { background: #0a6ebd; } .backup { background: #e08a00; } .front { background: #b0281a; }
.closed { background: #000; } .inc { background: #d7301f; height: 8px; width: 8px; border-radius: 4px; }
.aid { background: #fff; border: 2px solid #0a3d6e; height: 9px; width: 9px; } .civ { background: #2c8a3c; height: 8px; width: 8px; }
.plus { color: #c2185b; font-weight: bold; }
.src { color: #777; font-size: 7.5pt; }
footer { font-size: 7pt; color: #555; border-top: 1px solid #ccc; margin-top: 4px; }
footer p { margin: 2px 0; }
section, tr, li { break-inside: avoid; }
";

/// Writes the page and its CSV tables as one set: each to a temporary file beside it first,
/// then all renamed, so a failure leaves none of them written (not new tables beside an old
/// page).
fn write_all(files: &[(PathBuf, String)]) -> Result<()> {
    if let Some((p, _)) = files.iter().find(|(p, _)| p.is_dir()) {
        return Err(anyhow!(
            "{}: is a directory, not a file to write",
            p.display()
        ));
    }
    let mut staged: Vec<(PathBuf, &Path)> = Vec::new();
    for (p, text) in files {
        let name = p
            .file_name()
            .map_or("brief".into(), |n| n.to_string_lossy());
        let tmp = p.with_file_name(format!(".{name}.{}.partial", std::process::id()));
        let res = std::fs::File::create(&tmp).and_then(|mut f| {
            std::io::Write::write_all(&mut f, text.as_bytes())?;
            f.sync_all()
        });
        if let Err(e) = res {
            let _ = std::fs::remove_file(&tmp);
            for (t, _) in &staged {
                let _ = std::fs::remove_file(t);
            }
            let why = match e.kind() {
                std::io::ErrorKind::NotFound => "no such directory".to_string(),
                std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
                _ => e.to_string(),
            };
            return Err(anyhow!("{}: cannot write: {why}", p.display()));
        }
        staged.push((tmp, p));
    }
    for (tmp, p) in &staged {
        std::fs::rename(tmp, p).map_err(|e| anyhow!("{}: cannot write: {e}", p.display()))?;
    }
    Ok(())
}

/// `NAME.html` → `NAME.<what>.csv` beside it.
pub fn csv_path(html: &Path, what: &str) -> PathBuf {
    let stem = html
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "brief".into());
    html.with_file_name(format!("{stem}.{what}.csv"))
}

pub fn run(args: &BriefArgs) -> Result<()> {
    let since = match &args.since {
        Some(d) => Some(
            NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d")
                .map_err(|_| anyhow!("--since '{d}': expected a date YYYY-MM-DD"))?,
        ),
        None => None,
    };
    let loaded = scenario_cmd::load(&args.scenario)?;
    let since = since.unwrap_or(loaded.scenario.as_of - chrono::Duration::days(7));
    let f = brief_figures(&loaded, since)?;
    let page = html(&loaded, &f);
    write_all(&[
        (csv_path(&args.output, "figures"), figures_csv(&f)),
        (csv_path(&args.output, "changes"), changes_csv(&f)),
        (args.output.clone(), page),
    ])?;
    // The figures as JSON on stdout: what the page shows, for checking and reuse.
    let mut out = f;
    if let Some(c) = out["convoy"].as_object_mut() {
        c.remove("geometry");
        c.remove("backup_geometry");
    }
    for e in out["enclaves"].as_array_mut().into_iter().flatten() {
        e.as_object_mut().map(|o| o.remove("outline"));
    }
    out["key_figures"] = key_figures(&out)
        .into_iter()
        .map(|(l, v, t)| json!({"label": l, "value": v, "hxl": t}))
        .collect();
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}
