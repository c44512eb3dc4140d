//! `corridor convoy`: the convoy plan through an aid crossing — route, backup, timing, what a
//! closure of each road does, and the regular schedule's deliveries against the need. JSON,
//! GeoJSON, or GPX for drivers' devices.

use crate::maps;
use crate::scenario_cmd::{self, LoadedScenario};
use anyhow::{anyhow, Result};
use clap::{Args, ValueEnum};
use corridor_app::results::convoy::{compute, siege_reports, ConvoyOptions, ConvoyReport};
use corridor_roads::Profile;
use serde_json::{json, Value};
use std::path::PathBuf;

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq, Default)]
pub enum ConvoyFormat {
    #[default]
    Json,
    Geojson,
    Gpx,
}

#[derive(Args, Default)]
pub struct ConvoyArgs {
    /// The scenario manifest (scenario.toml); its aid crossings and `[convoy]` plan are used.
    pub scenario: PathBuf,
    /// The warehouse, as LAT,LON (default: `[convoy] warehouse`).
    #[arg(long, allow_hyphen_values = true)]
    pub from: Option<String>,
    /// Distribution points inside, as LAT,LON;LAT,LON… in the order served (default:
    /// `[convoy] distribution_points`).
    #[arg(long, allow_hyphen_values = true)]
    pub to: Option<String>,
    /// Trucks per convoy (default: `[convoy] trucks`).
    #[arg(long)]
    pub trucks: Option<u32>,
    /// Tonnes each truck carries (default: `[convoy] tonnes_per_truck`).
    #[arg(long)]
    pub tonnes_per_truck: Option<f64>,
    /// A convoy every DAYS days (default: `[convoy] every_days`).
    #[arg(long)]
    pub every: Option<u32>,
    /// Departure from the warehouse, HH:MM (default: `[convoy] depart`, else 06:00).
    #[arg(long)]
    pub depart: Option<String>,
    /// Only this aid crossing (default: `[convoy] crossing`, else the safest).
    #[arg(long)]
    pub crossing: Option<String>,
    /// The horizon of the schedule, days from `as_of`.
    #[arg(long, default_value_t = 30)]
    pub days: u32,
    /// Farthest the warehouse or a distribution point may lie from a car road, metres.
    #[arg(long, default_value_t = 500.0)]
    pub max_snap: f64,
    #[arg(long, value_enum, default_value = "json")]
    pub format: ConvoyFormat,
    /// Write to this file (atomically) instead of stdout.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

impl ConvoyArgs {
    /// The request as the shared convoy code takes it.
    pub fn options(&self) -> ConvoyOptions {
        ConvoyOptions {
            from: self.from.clone(),
            to: self.to.clone(),
            trucks: self.trucks,
            tonnes_per_truck: self.tonnes_per_truck,
            every: self.every,
            depart: self.depart.clone(),
            crossing: self.crossing.clone(),
            days: self.days,
            max_snap: self.max_snap,
        }
    }
}

fn escape_xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// GPX 1.1: the stops as waypoints, the turn-by-turn points as a route, the primary and the
/// backup as tracks.
pub fn gpx(loaded: &LoadedScenario, r: &ConvoyReport) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<gpx version=\"1.1\" creator=\"corridor\" xmlns=\"http://www.topografix.com/GPX/1/1\">\n",
    );
    out +=
        &format!(
        "  <metadata><name>{}</name><desc>scenario sha256 {}, map sha256 {}</desc></metadata>\n",
        escape_xml(&format!("Convoy via {} ({})", r.route.crossing, loaded.scenario.name)),
        loaded.scenario.sha256,
        loaded.map.graph.meta.source_sha256
    );
    for w in r.route.waypoints.iter().filter(|w| w.kind != "turn") {
        out += &format!(
            "  <wpt lat=\"{}\" lon=\"{}\"><name>{}</name><type>{}</type></wpt>\n",
            w.lat,
            w.lon,
            escape_xml(&w.name),
            escape_xml(&w.kind)
        );
    }
    out += "  <rte><name>convoy route</name>\n";
    for w in &r.route.waypoints {
        out += &format!(
            "    <rtept lat=\"{}\" lon=\"{}\"><name>{}</name>{}</rtept>\n",
            w.lat,
            w.lon,
            escape_xml(&w.name),
            w.road
                .as_ref()
                .map(|x| format!("<desc>{}</desc>", escape_xml(x)))
                .unwrap_or_default()
        );
    }
    out += "  </rte>\n";
    let mut track = |name: &str, g: &[[f64; 2]]| {
        out += &format!("  <trk><name>{}</name><trkseg>\n", escape_xml(name));
        for c in g {
            out += &format!("    <trkpt lat=\"{:.7}\" lon=\"{:.7}\"/>\n", c[1], c[0]);
        }
        out += "  </trkseg></trk>\n";
    };
    track(
        &format!("primary via {}", r.route.crossing),
        &r.route.geometry,
    );
    if let Some(b) = &r.backup {
        track(
            &format!("backup via {}", b.route.crossing),
            &b.route.geometry,
        );
    }
    out += "</gpx>\n";
    out
}

fn geojson(loaded: &LoadedScenario, r: &ConvoyReport) -> Value {
    let line = |g: &[[f64; 2]], props: Value| json!({"type": "Feature", "geometry": {"type": "LineString", "coordinates": g}, "properties": props});
    let mut f = vec![line(
        &r.route.geometry,
        json!({"layer": "convoy_route", "crossing": r.route.crossing, "distance_m": r.route.distance_m,
               "driving_s": r.route.driving_s, "exposure": r.route.exposure.risk}),
    )];
    if let Some(b) = &r.backup {
        f.push(line(
            &b.route.geometry,
            json!({"layer": "backup_route", "crossing": b.route.crossing, "distance_m": b.route.distance_m,
                   "driving_s": b.route.driving_s, "exposure": b.route.exposure.risk, "shared_m": b.shared_m}),
        ));
    }
    for w in &r.route.waypoints {
        f.push(json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": [w.lon, w.lat]},
            "properties": {"layer": "waypoint", "seq": w.seq, "kind": w.kind, "name": w.name, "road": w.road, "distance_m": w.distance_m}}));
    }
    for c in &r.crossings {
        f.push(json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": [c["lon"], c["lat"]]},
            "properties": {"layer": "aid_crossing", "name": c["name"], "hours": c["hours"]}}));
    }
    loaded.feature_collection(f, json!({"headline": r.headline}))
}

pub fn run(args: &ConvoyArgs) -> Result<()> {
    if let Some(a) = &args.from {
        maps::parse_lat_lon(a, "--from")?;
    }
    let loaded = scenario_cmd::load(&args.scenario)?;
    let car = loaded.on(Profile::Car);
    let report = compute(&loaded, &car, &args.options(), &siege_reports(&loaded))?;
    let text = match args.format {
        ConvoyFormat::Json => {
            let params = json!({"plan": report.params, "max_snap_m": args.max_snap,
                                "incident_report_radius_m": corridor_analysis::convoy::INCIDENT_RADIUS_M});
            serde_json::to_string_pretty(&loaded.result_json(params, &report)?)? + "\n"
        }
        ConvoyFormat::Geojson => serde_json::to_string_pretty(&geojson(&loaded, &report))? + "\n",
        ConvoyFormat::Gpx => gpx(&loaded, &report),
    };
    match &args.output {
        Some(p) => {
            if let Some(dir) = p
                .parent()
                .filter(|d| !d.as_os_str().is_empty() && !d.is_dir())
            {
                return Err(anyhow!(
                    "{}: cannot write: no such directory {}",
                    p.display(),
                    dir.display()
                ));
            }
            // The error names the file already.
            corridor_roads::file::write_atomically(p, text.as_bytes())
                .map_err(|e| anyhow!("{e}"))?
        }
        None => print!("{text}"),
    }
    Ok(())
}
