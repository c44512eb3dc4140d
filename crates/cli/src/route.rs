//! `corridor route`: snap both points, find the exact shortest route, print JSON or GeoJSON.

use crate::maps::{self, LoadedMap, MapIdentity};
use anyhow::{anyhow, bail, Result};
use clap::{Args, ValueEnum};
use corridor_roads::{Profile, ProfileGraph, Router, Snap, Snapper, WeightBound};
use serde::Serialize;
use serde_json::json;
use std::path::PathBuf;

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    Json,
    Geojson,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ProfileArg {
    Foot,
    Car,
}

impl From<ProfileArg> for Profile {
    fn from(p: ProfileArg) -> Profile {
        match p {
            ProfileArg::Foot => Profile::Foot,
            ProfileArg::Car => Profile::Car,
        }
    }
}

#[derive(Args)]
pub struct RouteArgs {
    /// A graph file written by `corridor import`.
    #[arg(long, conflicts_with = "map")]
    pub graph: Option<PathBuf>,
    /// An OSM .pbf extract; imported on first use and cached beside it by checksum.
    #[arg(long)]
    pub map: Option<PathBuf>,
    /// Start, as LAT,LON.
    #[arg(long, allow_hyphen_values = true)]
    pub from: String,
    /// Destination, as LAT,LON.
    #[arg(long, allow_hyphen_values = true)]
    pub to: String,
    #[arg(long, value_enum, default_value = "foot")]
    pub profile: ProfileArg,
    /// Farthest a point may lie from a usable road, metres.
    #[arg(long, default_value_t = 500.0)]
    pub max_snap: f64,
    #[arg(long, value_enum, default_value = "json")]
    pub format: Format,
}

#[derive(Serialize)]
pub struct SnappedPoint {
    /// What was asked, `[lat, lon]`.
    pub input: [f64; 2],
    pub lat: f64,
    pub lon: f64,
    pub distance_m: f64,
    pub osm_way_id: i64,
}

/// The JSON answer of `corridor route`.
#[derive(Serialize)]
pub struct RouteReport {
    pub distance_m: f64,
    pub duration_s: f64,
    pub profile: Profile,
    pub geometry: serde_json::Value,
    pub streets: Vec<String>,
    pub snapped: Snapped,
    pub map: MapIdentity,
}

#[derive(Serialize)]
pub struct Snapped {
    pub from: SnappedPoint,
    pub to: SnappedPoint,
}

fn round(x: f64, digits: i32) -> f64 {
    let k = 10f64.powi(digits);
    (x * k).round() / k
}

/// Snaps a `[lon, lat]` point or explains how far off the map it is.
pub fn snap_point(
    g: &ProfileGraph,
    snapper: &Snapper,
    p: [f64; 2],
    max_m: f64,
    what: &str,
    arg: &str,
) -> Result<Snap> {
    if let Some(s) = snapper.snap(g, p, max_m) {
        return Ok(s);
    }
    let nearest = snapper.nearest_where(g, p, f64::INFINITY, |_| true);
    match nearest {
        Some(n) => bail!(
            "{what} {arg} is off the map: {} from the nearest {} road (limit --max-snap {max_m} m)",
            if n.distance_m >= 10_000.0 {
                format!("{:.0} km", n.distance_m / 1000.0)
            } else {
                format!("{:.0} m", n.distance_m)
            },
            g.profile.name()
        ),
        None => bail!("{what} {arg}: the map has no {} roads", g.profile.name()),
    }
}

fn snapped_point(g: &ProfileGraph, s: &Snap) -> SnappedPoint {
    SnappedPoint {
        input: [s.query[1], s.query[0]],
        lat: round(s.point[1], 7),
        lon: round(s.point[0], 7),
        distance_m: round(s.distance_m, 1),
        osm_way_id: g.edges.way_id[s.edge as usize],
    }
}

/// Routes between two `LAT,LON` arguments on a loaded map.
pub fn compute(
    map: &LoadedMap,
    profile: Profile,
    from_arg: &str,
    to_arg: &str,
    max_snap: f64,
) -> Result<RouteReport> {
    let from = maps::parse_lat_lon(from_arg, "--from")?;
    let to = maps::parse_lat_lon(to_arg, "--to")?;
    if !(max_snap.is_finite() && max_snap >= 0.0) {
        bail!("--max-snap {max_snap}: must be a non-negative number of metres");
    }
    let g = map.graph.profile(profile);
    let snapper = Snapper::new(g, map.graph.meta.bbox);
    let sf = snap_point(g, &snapper, from, max_snap, "--from", from_arg)?;
    let st = snap_point(g, &snapper, to, max_snap, "--to", to_arg)?;
    let mut router = Router::new(g);
    let r = router
        .route(g, &g.arc_duration_s, WeightBound::AtLeastTravelTime, &sf, &st)
        .ok_or_else(|| {
        anyhow!(
            "no {} route from {from_arg} to {to_arg}: the points lie on road networks that do not connect",
            profile.name()
        )
    })?;
    let coords: Vec<[f64; 2]> = r
        .geometry(g)
        .iter()
        .map(|c| [round(c[0], 7), round(c[1], 7)])
        .collect();
    Ok(RouteReport {
        distance_m: round(r.distance_m, 1),
        duration_s: round(r.duration_s, 1),
        profile,
        geometry: json!({"type": "LineString", "coordinates": coords}),
        streets: r.streets(g),
        snapped: Snapped {
            from: snapped_point(g, &sf),
            to: snapped_point(g, &st),
        },
        map: map.identity(),
    })
}

/// Prints a report as JSON, or as a GeoJSON Feature whose properties are everything but the
/// geometry.
pub fn print(report: &impl Serialize, format: Format) -> Result<()> {
    let mut v = serde_json::to_value(report)?;
    if format == Format::Geojson {
        let geometry = v
            .as_object_mut()
            .and_then(|o| o.remove("geometry"))
            .unwrap_or(serde_json::Value::Null);
        v = json!({"type": "Feature", "geometry": geometry, "properties": v});
    }
    println!("{}", serde_json::to_string_pretty(&v)?);
    Ok(())
}

pub fn run(args: &RouteArgs) -> Result<()> {
    // Validate the cheap arguments before the possibly slow map load.
    maps::parse_lat_lon(&args.from, "--from")?;
    maps::parse_lat_lon(&args.to, "--to")?;
    let map = maps::load(args.graph.as_deref(), args.map.as_deref())?;
    let report = compute(
        &map,
        args.profile.into(),
        &args.from,
        &args.to,
        args.max_snap,
    )?;
    print(&report, args.format)
}
