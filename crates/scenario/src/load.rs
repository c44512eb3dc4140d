//! Reading a scenario: the TOML manifest and its layers (GeoJSON, ACLED-style CSV), validated
//! into one [`Scenario`] value or one error naming the file, the feature or line, and the problem.

use crate::model::*;
use crate::ScenarioError;
use chrono::NaiveDate;
use geo::{Coord, LineString, MultiPolygon, Point, Polygon, Validation};
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    name: String,
    as_of: String,
    map: String,
    #[serde(default)]
    party: Vec<PartyToml>,
    territory: Option<String>,
    incidents: Option<String>,
    closures: Option<String>,
    avoid: Option<String>,
    /// Read by later analyses (health-care access, evacuation).
    facilities: Option<String>,
    population: Option<String>,
    #[serde(default)]
    enclave: Vec<EnclaveToml>,
    #[serde(default)]
    corridor: Vec<CorridorToml>,
    /// Supply stock: read by the siege analysis.
    stock: Option<StockToml>,
    #[serde(default)]
    risk: RiskToml,
    #[serde(default)]
    evacuation: EvacuationToml,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct EvacuationToml {
    foot_share: Option<f64>,
    people_per_vehicle: Option<f64>,
    stay_share: Option<f64>,
    combatants: Option<f64>,
    start_time: Option<String>,
    bucket_s: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PartyToml {
    id: String,
    name: String,
    #[serde(default)]
    allies: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EnclaveToml {
    name: String,
    party: String,
    area: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CorridorToml {
    name: String,
    purpose: String,
    checkpoint: [f64; 2],
    capacity_per_hour: Option<f64>,
    reception: Option<[f64; 2]>,
    hours: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StockToml {
    food_kcal: Option<f64>,
    food_tonnes: Option<f64>,
    ration: Option<String>,
    kcal_per_kg: Option<f64>,
    people: Option<f64>,
    kcal_per_person_day: Option<f64>,
    trucks_per_day_per_route: Option<f64>,
    tonnes_per_truck: Option<f64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RiskToml {
    half_life_days: Option<f64>,
    front_band_m: Option<f64>,
    front_weight: Option<f64>,
    front_tolerance_m: Option<f64>,
    lambda: Option<f64>,
    checkpoint_radius_m: Option<f64>,
    exposure_threshold: Option<f64>,
}

fn rel(base: &Path, p: &str) -> PathBuf {
    base.join(p)
}

/// Loads and validates a scenario manifest and every layer it names.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    let text = std::fs::read_to_string(path).map_err(|e| ScenarioError::io(path, e))?;
    let mut hasher = Sha256::new();
    hasher.update(text.as_bytes());
    let m: Manifest = toml::from_str(&text).map_err(|e| {
        let msg = e.message().to_string();
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
        ScenarioError::at(path, line.map(|l| format!("line {l}")), msg)
    })?;
    let base = path.parent().unwrap_or(Path::new(".")).to_path_buf();
    let err = |what: String| ScenarioError::at(path, None, what);
    let as_of = parse_date(&m.as_of).map_err(|e| err(format!("as_of: {e}")))?;

    let mut parties = Vec::new();
    let mut ids: HashMap<String, usize> = HashMap::new();
    for p in &m.party {
        if ids.insert(p.id.clone(), parties.len()).is_some() {
            return Err(err(format!("party '{}' is declared twice", p.id)));
        }
        parties.push(Party {
            id: p.id.clone(),
            name: p.name.clone(),
            allies: Vec::new(),
        });
    }
    for (i, p) in m.party.iter().enumerate() {
        for a in &p.allies {
            let j = *ids
                .get(a)
                .ok_or_else(|| err(format!("party '{}': unknown ally '{a}'", p.id)))?;
            parties[i].allies.push(j);
            // Alliances are mutual: one declaration suffices.
            if !parties[j].allies.contains(&i) {
                parties[j].allies.push(i);
            }
        }
    }
    let party_of = |id: &str| ids.get(id).copied();

    let mut layer_files = Vec::new();
    let mut territories = Vec::new();
    if let Some(f) = &m.territory {
        let (p, features) = read_layer(&base, f, &mut hasher, &mut layer_files)?;
        for (i, feat) in features.iter().enumerate() {
            let fe = |msg: String| ScenarioError::at(&p, Some(format!("feature {i}")), msg);
            let party = feat
                .props
                .get("party")
                .and_then(Value::as_str)
                .ok_or_else(|| fe("missing string property 'party'".into()))?;
            let party = party_of(party).ok_or_else(|| fe(format!("unknown party '{party}'")))?;
            let poly = polygons(&feat.geometry).map_err(fe)?;
            territories.push(Territory {
                party,
                area: poly,
                feature: i,
            });
        }
    }

    let mut incidents = Vec::new();
    let mut incidents_after = 0;
    if let Some(f) = &m.incidents {
        let p = rel(&base, f);
        let (bytes, all) = if p.extension().and_then(|e| e.to_str()) == Some("geojson")
            || p.extension().and_then(|e| e.to_str()) == Some("json")
        {
            read_incidents_geojson(&p)?
        } else {
            read_incidents_csv(&p)?
        };
        hasher.update(&bytes);
        layer_files.push(p.clone());
        for inc in all {
            if inc.date > as_of {
                incidents_after += 1;
            } else {
                incidents.push(inc);
            }
        }
    }

    let mut closures = Vec::new();
    let mut closures_after = 0;
    if let Some(f) = &m.closures {
        let (p, features) = read_layer(&base, f, &mut hasher, &mut layer_files)?;
        for (i, feat) in features.iter().enumerate() {
            let fe = |msg: String| ScenarioError::at(&p, Some(format!("feature {i}")), msg);
            let since = match feat.props.get("since") {
                Some(Value::String(s)) => parse_date(s).map_err(|e| fe(format!("since: {e}")))?,
                Some(_) => return Err(fe("'since' must be a date string".into())),
                None => {
                    return Err(fe(
                        "missing property 'since' (the date the road was cut)".into()
                    ))
                }
            };
            let mut way_ids = Vec::new();
            match feat.props.get("osm_way_id") {
                None | Some(Value::Null) => {}
                Some(Value::Number(n)) => way_ids.push(
                    n.as_i64()
                        .ok_or_else(|| fe("osm_way_id must be an integer".into()))?,
                ),
                Some(Value::Array(a)) => {
                    for v in a {
                        way_ids.push(
                            v.as_i64()
                                .ok_or_else(|| fe("osm_way_id must hold integers".into()))?,
                        );
                    }
                }
                Some(_) => return Err(fe("osm_way_id must be an integer or a list".into())),
            }
            let geometry = if way_ids.is_empty() {
                Some(closure_geometry(&feat.geometry).map_err(fe)?)
            } else {
                None
            };
            let c = Closure {
                name: feat
                    .props
                    .get("name")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                since,
                way_ids,
                geometry,
                feature: i,
                file: p.clone(),
            };
            if since > as_of {
                closures_after += 1;
            } else {
                closures.push(c);
            }
        }
    }

    let mut avoid = Vec::new();
    if let Some(f) = &m.avoid {
        let (p, features) = read_layer(&base, f, &mut hasher, &mut layer_files)?;
        for (i, feat) in features.iter().enumerate() {
            let fe = |msg: String| ScenarioError::at(&p, Some(format!("feature {i}")), msg);
            avoid.push(polygons(&feat.geometry).map_err(fe)?);
        }
    }

    let mut enclaves = Vec::new();
    for e in &m.enclave {
        let party = party_of(&e.party)
            .ok_or_else(|| err(format!("enclave '{}': unknown party '{}'", e.name, e.party)))?;
        let area = match &e.area {
            Some(f) => {
                let p = rel(&base, f);
                let (bytes, features) = read_features(&p)?;
                hasher.update(&bytes);
                let mut polys = Vec::new();
                for (i, feat) in features.iter().enumerate() {
                    let fe = |msg: String| ScenarioError::at(&p, Some(format!("feature {i}")), msg);
                    polys.extend(polygons(&feat.geometry).map_err(fe)?.0);
                }
                Some(MultiPolygon(polys))
            }
            None => None,
        };
        if area.is_none() && !territories.iter().any(|t| t.party == party) {
            return Err(err(format!(
                "enclave '{}': party '{}' holds no territory in the territory layer",
                e.name, e.party
            )));
        }
        enclaves.push(Enclave {
            name: e.name.clone(),
            party,
            area,
        });
    }

    let mut corridors = Vec::new();
    for c in &m.corridor {
        let ce = |msg: String| err(format!("corridor '{}': {msg}", c.name));
        let purpose = match c.purpose.as_str() {
            "civilian" => Purpose::Civilian,
            "combatant" => Purpose::Combatant,
            other => {
                return Err(ce(format!(
                    "purpose '{other}' (expected \"civilian\" or \"combatant\")"
                )))
            }
        };
        let checkpoint = lat_lon(c.checkpoint).map_err(|e| ce(format!("checkpoint {e}")))?;
        let reception = c
            .reception
            .map(lat_lon)
            .transpose()
            .map_err(|e| ce(format!("reception {e}")))?;
        if let Some(cap) = c.capacity_per_hour {
            if !(cap.is_finite() && cap > 0.0) {
                return Err(ce(format!("capacity_per_hour {cap} must be positive")));
            }
        }
        corridors.push(Corridor {
            name: c.name.clone(),
            purpose,
            checkpoint,
            capacity_per_hour: c.capacity_per_hour,
            reception,
            hours: c.hours.clone(),
        });
    }

    let d = RiskParams::default();
    let r = &m.risk;
    let risk = RiskParams {
        half_life_days: r.half_life_days.unwrap_or(d.half_life_days),
        front_band_m: r.front_band_m.unwrap_or(d.front_band_m),
        front_weight: r.front_weight.unwrap_or(d.front_weight),
        front_tolerance_m: r.front_tolerance_m.unwrap_or(d.front_tolerance_m),
        lambda: r.lambda.unwrap_or(d.lambda),
        checkpoint_radius_m: r.checkpoint_radius_m.unwrap_or(d.checkpoint_radius_m),
        exposure_threshold: r.exposure_threshold.unwrap_or(d.exposure_threshold),
    };
    for (name, v) in [
        ("half_life_days", risk.half_life_days),
        ("front_band_m", risk.front_band_m),
        ("front_tolerance_m", risk.front_tolerance_m),
        ("checkpoint_radius_m", risk.checkpoint_radius_m),
    ] {
        if !(v.is_finite() && v > 0.0) {
            return Err(err(format!("[risk] {name} = {v}: must be positive")));
        }
    }
    for (name, v) in [
        ("front_weight", risk.front_weight),
        ("lambda", risk.lambda),
        ("exposure_threshold", risk.exposure_threshold),
    ] {
        if !(v.is_finite() && v >= 0.0) {
            return Err(err(format!("[risk] {name} = {v}: must be zero or more")));
        }
    }

    let population = match &m.population {
        Some(f) => {
            let (p, features) = read_layer(&base, f, &mut hasher, &mut layer_files)?;
            read_population(&p, &features)?
        }
        None => Vec::new(),
    };
    let stock = m.stock.as_ref().map(read_stock).transpose().map_err(err)?;
    let facilities = match &m.facilities {
        Some(f) => {
            let (p, features) = read_layer(&base, f, &mut hasher, &mut layer_files)?;
            read_facilities(&p, &features)?
        }
        None => Vec::new(),
    };
    let evacuation = read_evacuation(&m.evacuation).map_err(err)?;
    for c in &corridors {
        if let Some(h) = &c.hours {
            parse_hours(h).map_err(|e| err(format!("corridor '{}': hours {e}", c.name)))?;
        }
    }

    let sha256 = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(Scenario {
        name: m.name,
        as_of,
        file: path.to_path_buf(),
        map: rel(&base, &m.map),
        sha256,
        parties,
        territories,
        incidents,
        incidents_after_as_of: incidents_after,
        closures,
        closures_after_as_of: closures_after,
        avoid,
        enclaves,
        corridors,
        risk,
        facilities,
        population,
        stock,
        evacuation,
        layer_files,
    })
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    // ACLED exports use "2016-07-28" (ISO) or "28 July 2016".
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s.trim(), "%d %B %Y"))
        .map_err(|_| format!("'{s}' is not a date (expected YYYY-MM-DD)"))
}

/// `[lat, lon]` as written in the manifest, to `[lon, lat]`.
fn lat_lon(v: [f64; 2]) -> Result<[f64; 2], String> {
    let [lat, lon] = v;
    if !((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)) {
        return Err(format!("[{lat}, {lon}] is not a valid [LAT, LON]"));
    }
    Ok([lon, lat])
}

struct Feature {
    geometry: Value,
    props: serde_json::Map<String, Value>,
}

/// Reads a GeoJSON FeatureCollection (or a single Feature); JSON syntax errors name the line.
fn read_features(p: &Path) -> Result<(Vec<u8>, Vec<Feature>), ScenarioError> {
    let bytes = std::fs::read(p).map_err(|e| ScenarioError::io(p, e))?;
    let v: Value = serde_json::from_slice(&bytes).map_err(|e| {
        ScenarioError::at(
            p,
            Some(format!("line {}", e.line())),
            format!("invalid GeoJSON: {e}"),
        )
    })?;
    let list = match v.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => v
            .get("features")
            .and_then(Value::as_array)
            .cloned()
            .ok_or_else(|| {
                ScenarioError::at(
                    p,
                    None,
                    "invalid GeoJSON: FeatureCollection without a 'features' array".into(),
                )
            })?,
        Some("Feature") => vec![v],
        _ => {
            return Err(ScenarioError::at(
                p,
                None,
                "invalid GeoJSON: expected a FeatureCollection or a Feature".into(),
            ))
        }
    };
    let mut out = Vec::new();
    for (i, f) in list.into_iter().enumerate() {
        let fe = |msg: &str| ScenarioError::at(p, Some(format!("feature {i}")), msg.into());
        if f.get("type").and_then(Value::as_str) != Some("Feature") {
            return Err(fe("invalid GeoJSON: not a Feature"));
        }
        let geometry = f.get("geometry").cloned().unwrap_or(Value::Null);
        let props = match f.get("properties") {
            Some(Value::Object(m)) => m.clone(),
            None | Some(Value::Null) => serde_json::Map::new(),
            Some(_) => return Err(fe("invalid GeoJSON: 'properties' must be an object")),
        };
        out.push(Feature { geometry, props });
    }
    Ok((bytes, out))
}

fn position(v: &Value) -> Result<Coord<f64>, String> {
    let a = v
        .as_array()
        .filter(|a| a.len() >= 2)
        .ok_or("a position must be [lon, lat]")?;
    let (x, y) = (
        a[0].as_f64().ok_or("a coordinate is not a number")?,
        a[1].as_f64().ok_or("a coordinate is not a number")?,
    );
    if !(-180.0..=180.0).contains(&x) || !(-90.0..=90.0).contains(&y) {
        return Err(format!(
            "position [{x}, {y}] is not [lon, lat] in degrees (GeoJSON order is lon, lat)"
        ));
    }
    Ok(Coord { x, y })
}

fn ring(v: &Value) -> Result<LineString<f64>, String> {
    let pts: Vec<Coord<f64>> = v
        .as_array()
        .ok_or("a polygon ring must be an array of positions")?
        .iter()
        .map(position)
        .collect::<Result<_, _>>()?;
    if pts.len() < 4 {
        return Err(format!(
            "a polygon ring has {} positions, at least 4 are needed",
            pts.len()
        ));
    }
    if pts.first() != pts.last() {
        return Err("a polygon ring does not close (its first and last positions differ)".into());
    }
    Ok(LineString(pts))
}

fn polygon(v: &Value) -> Result<Polygon<f64>, String> {
    let rings = v
        .as_array()
        .ok_or("polygon coordinates must be an array of rings")?;
    let mut it = rings.iter();
    let ext = ring(it.next().ok_or("a polygon has no rings")?)?;
    let holes = it.map(ring).collect::<Result<Vec<_>, _>>()?;
    let poly = Polygon::new(ext, holes);
    if let Err(e) = poly.check_validation() {
        return Err(format!("invalid polygon: {e}"));
    }
    Ok(poly)
}

/// A Polygon or MultiPolygon geometry.
fn polygons(g: &Value) -> Result<MultiPolygon<f64>, String> {
    let coords = g.get("coordinates").ok_or("geometry without coordinates")?;
    match g.get("type").and_then(Value::as_str) {
        Some("Polygon") => Ok(MultiPolygon(vec![polygon(coords)?])),
        Some("MultiPolygon") => Ok(MultiPolygon(
            coords
                .as_array()
                .ok_or("MultiPolygon coordinates must be an array")?
                .iter()
                .map(polygon)
                .collect::<Result<_, _>>()?,
        )),
        Some(t) => Err(format!(
            "geometry is a {t}, expected Polygon or MultiPolygon"
        )),
        None => Err("missing or null geometry".into()),
    }
}

fn closure_geometry(g: &Value) -> Result<ClosureGeometry, String> {
    let coords = g
        .get("coordinates")
        .ok_or("geometry without coordinates (or give osm_way_id)")?;
    match g.get("type").and_then(Value::as_str) {
        Some("Point") => Ok(ClosureGeometry::Point(Point::from(position(coords)?))),
        Some("LineString") => {
            let pts: Vec<Coord<f64>> = coords
                .as_array()
                .ok_or("LineString coordinates must be an array")?
                .iter()
                .map(position)
                .collect::<Result<_, _>>()?;
            if pts.len() < 2 {
                return Err("a LineString needs at least 2 positions".into());
            }
            Ok(ClosureGeometry::Line(LineString(pts)))
        }
        Some(t) => Err(format!(
            "closure geometry is a {t}, expected Point or LineString"
        )),
        None => Err("missing geometry (or give osm_way_id)".into()),
    }
}

/// ACLED's column names; others in the file are ignored, so a real export loads unchanged.
pub const INCIDENT_COLUMNS: [&str; 10] = [
    "event_id_cnty",
    "event_date",
    "event_type",
    "sub_event_type",
    "actor1",
    "actor2",
    "latitude",
    "longitude",
    "fatalities",
    "notes",
];

fn read_incidents_csv(p: &Path) -> Result<(Vec<u8>, Vec<Incident>), ScenarioError> {
    let bytes = std::fs::read(p).map_err(|e| ScenarioError::io(p, e))?;
    let rows = parse_incidents_csv(&bytes, p)?;
    Ok((bytes, rows.into_iter().map(|(_, i)| i).collect()))
}

/// The fields an incident was given, by ACLED column name (only `INCIDENT_COLUMNS`, trimmed).
pub type IncidentFields = std::collections::BTreeMap<String, String>;

/// Reads ACLED CSV bytes (`p` names them in errors, with the line): each row's fields and the
/// validated incident. Shared by scenario files and the server's incident upload.
pub fn parse_incidents_csv(
    bytes: &[u8],
    p: &Path,
) -> Result<Vec<(IncidentFields, Incident)>, ScenarioError> {
    let mut rdr = csv::ReaderBuilder::new().flexible(false).from_reader(bytes);
    let headers = rdr
        .headers()
        .map_err(|e| {
            ScenarioError::at(p, Some("line 1".into()), format!("unreadable header: {e}"))
        })?
        .clone();
    let mut col = HashMap::new();
    for name in INCIDENT_COLUMNS {
        let i = headers
            .iter()
            .position(|h| h.trim() == name)
            .ok_or_else(|| {
                ScenarioError::at(
                    p,
                    Some("line 1".into()),
                    format!("missing required column '{name}' (ACLED column names are expected)"),
                )
            })?;
        col.insert(name, i);
    }
    let mut out = Vec::new();
    for (k, rec) in rdr.records().enumerate() {
        let line = k + 2;
        let le = |msg: String| ScenarioError::at(p, Some(format!("line {line}")), msg);
        let rec = rec.map_err(|e| le(format!("{e}")))?;
        let fields: IncidentFields = INCIDENT_COLUMNS
            .iter()
            .map(|&c| {
                (
                    c.to_string(),
                    rec.get(col[c]).unwrap_or("").trim().to_string(),
                )
            })
            .collect();
        let incident = incident_from_fields(&fields).map_err(le)?;
        out.push((fields, incident));
    }
    Ok(out)
}

/// One incident from fields named as ACLED's columns (missing ones empty), validated exactly as
/// a row of an incidents file.
pub fn incident_from_fields(f: &IncidentFields) -> Result<Incident, String> {
    let fields: HashMap<&str, String> = INCIDENT_COLUMNS
        .iter()
        .map(|&c| {
            (
                c,
                f.get(c).map(|v| v.trim().to_string()).unwrap_or_default(),
            )
        })
        .collect();
    incident_from(&fields)
}

fn read_incidents_geojson(p: &Path) -> Result<(Vec<u8>, Vec<Incident>), ScenarioError> {
    let (bytes, features) = read_features(p)?;
    let mut out = Vec::new();
    for (i, f) in features.iter().enumerate() {
        let fe = |msg: String| ScenarioError::at(p, Some(format!("feature {i}")), msg);
        if f.geometry.get("type").and_then(Value::as_str) != Some("Point") {
            return Err(fe("incident geometry must be a Point".into()));
        }
        let c = position(f.geometry.get("coordinates").unwrap_or(&Value::Null)).map_err(fe)?;
        let mut fields: HashMap<&str, String> = HashMap::new();
        for name in INCIDENT_COLUMNS {
            let v = match f.props.get(name) {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Number(n)) => n.to_string(),
                _ => String::new(),
            };
            fields.insert(name, v);
        }
        fields.insert("latitude", c.y.to_string());
        fields.insert("longitude", c.x.to_string());
        out.push(incident_from(&fields).map_err(fe)?);
    }
    Ok((bytes, out))
}

fn incident_from(f: &HashMap<&str, String>) -> Result<Incident, String> {
    let id = f["event_id_cnty"].clone();
    if id.is_empty() {
        return Err("empty event_id_cnty".into());
    }
    let date = parse_date(&f["event_date"]).map_err(|e| format!("event_date: {e}"))?;
    let num = |name: &str| -> Result<f64, String> {
        f[name]
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .ok_or_else(|| format!("{name} '{}' is not a number", f[name]))
    };
    let (lat, lon) = (num("latitude")?, num("longitude")?);
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
        return Err(format!("coordinate {lat},{lon} is outside ±90/±180"));
    }
    let fatalities = if f["fatalities"].is_empty() {
        0
    } else {
        f["fatalities"]
            .parse::<u32>()
            .map_err(|_| format!("fatalities '{}' is not a whole number", f["fatalities"]))?
    };
    if f["event_type"].is_empty() {
        return Err("empty event_type".into());
    }
    Ok(Incident {
        id,
        date,
        event_type: f["event_type"].clone(),
        sub_event_type: f["sub_event_type"].clone(),
        actor1: f["actor1"].clone(),
        actor2: f["actor2"].clone(),
        point: [lon, lat],
        fatalities,
        notes: f["notes"].clone(),
    })
}

fn read_population(p: &Path, features: &[Feature]) -> Result<Vec<PopulationUnit>, ScenarioError> {
    use geo::InteriorPoint;
    let mut out = Vec::new();
    for (i, f) in features.iter().enumerate() {
        let fe = |msg: String| ScenarioError::at(p, Some(format!("feature {i}")), msg);
        let people = f
            .props
            .get("people")
            .and_then(Value::as_f64)
            .ok_or_else(|| fe("missing numeric property 'people'".into()))?;
        if !(people.is_finite() && people >= 0.0) {
            return Err(fe(format!("people = {people}: must be zero or more")));
        }
        let name = f
            .props
            .get("name")
            .and_then(Value::as_str)
            .map_or_else(|| format!("unit {i}"), str::to_string);
        let (point, area) = match f.geometry.get("type").and_then(Value::as_str) {
            Some("Point") => {
                let c =
                    position(f.geometry.get("coordinates").unwrap_or(&Value::Null)).map_err(fe)?;
                ([c.x, c.y], None)
            }
            _ => {
                let area = polygons(&f.geometry).map_err(fe)?;
                let ip = area
                    .interior_point()
                    .ok_or_else(|| fe("empty polygon".into()))?;
                ([ip.x(), ip.y()], Some(area))
            }
        };
        out.push(PopulationUnit {
            name,
            people,
            point,
            area,
            feature: i,
        });
    }
    Ok(out)
}

fn read_stock(st: &StockToml) -> Result<Stock, String> {
    let positive = |name: &str, v: f64| {
        if v.is_finite() && v > 0.0 {
            Ok(v)
        } else {
            Err(format!("[stock] {name} = {v}: must be positive"))
        }
    };
    let non_negative = |name: &str, v: f64| {
        if v.is_finite() && v >= 0.0 {
            Ok(v)
        } else {
            Err(format!("[stock] {name} = {v}: must be zero or more"))
        }
    };
    let food_kcal = match (st.food_kcal, st.food_tonnes) {
        (Some(k), None) => non_negative("food_kcal", k)?,
        (None, Some(t)) => {
            let t = non_negative("food_tonnes", t)?;
            let k = st
                .kcal_per_kg
                .ok_or("[stock] food_tonnes needs kcal_per_kg (the ration's energy density)")?;
            t * 1000.0 * positive("kcal_per_kg", k)?
        }
        (Some(_), Some(_)) => return Err("[stock]: give food_kcal or food_tonnes, not both".into()),
        (None, None) => return Err("[stock]: food_kcal or food_tonnes is required".into()),
    };
    let people = st.people.map(|p| positive("people", p)).transpose()?;
    let kcal_per_person_day = positive(
        "kcal_per_person_day",
        st.kcal_per_person_day.unwrap_or(SPHERE_KCAL_PER_PERSON_DAY),
    )?;
    let trucks = non_negative(
        "trucks_per_day_per_route",
        st.trucks_per_day_per_route.unwrap_or(0.0),
    )?;
    let tonnes = non_negative("tonnes_per_truck", st.tonnes_per_truck.unwrap_or(0.0))?;
    if trucks > 0.0 && (tonnes == 0.0 || st.kcal_per_kg.is_none()) {
        return Err(
            "[stock] trucks_per_day_per_route needs tonnes_per_truck and kcal_per_kg".into(),
        );
    }
    let inflow = trucks * tonnes * 1000.0 * st.kcal_per_kg.unwrap_or(0.0);
    Ok(Stock {
        food_kcal,
        ration: st.ration.clone(),
        kcal_per_kg: st.kcal_per_kg,
        people,
        kcal_per_person_day,
        inflow_kcal_per_route_day: inflow,
        trucks_per_day_per_route: trucks,
        tonnes_per_truck: tonnes,
    })
}

/// Parses "HH:MM-HH:MM" into seconds after midnight (closing may pass midnight).
pub fn parse_hours(h: &str) -> Result<(f64, f64), String> {
    let clock = parse_clock;
    let bad = || format!("'{h}': expected HH:MM-HH:MM, e.g. 06:00-18:00");
    let (a, b) = h.split_once('-').ok_or_else(bad)?;
    let (a, b) = (clock(a).ok_or_else(bad)?, clock(b).ok_or_else(bad)?);
    if a == b {
        return Err(format!("'{h}': opens and closes at the same time"));
    }
    Ok((a, b))
}

/// Parses "HH:MM" into seconds after midnight.
fn parse_clock(x: &str) -> Option<f64> {
    let (hh, mm) = x.trim().split_once(':')?;
    let (hh, mm): (u32, u32) = (hh.parse().ok()?, mm.parse().ok()?);
    (hh <= 24 && mm < 60 && hh * 60 + mm <= 1440).then(|| (hh * 3600 + mm * 60) as f64)
}

fn read_evacuation(e: &EvacuationToml) -> Result<EvacuationParams, String> {
    let d = EvacuationParams::default();
    let share = |name: &str, v: Option<f64>, dflt: f64| {
        let v = v.unwrap_or(dflt);
        if (0.0..=1.0).contains(&v) {
            Ok(v)
        } else {
            Err(format!(
                "[evacuation] {name} = {v}: must be between 0 and 1"
            ))
        }
    };
    let p = EvacuationParams {
        foot_share: share("foot_share", e.foot_share, d.foot_share)?,
        stay_share: share("stay_share", e.stay_share, d.stay_share)?,
        people_per_vehicle: e.people_per_vehicle.unwrap_or(d.people_per_vehicle),
        combatants: e.combatants.unwrap_or(d.combatants),
        start_s: match &e.start_time {
            None => d.start_s,
            Some(t) => parse_clock(t)
                .ok_or_else(|| format!("[evacuation] start_time '{t}': expected HH:MM"))?,
        },
        bucket_s: e.bucket_s.unwrap_or(d.bucket_s),
    };
    if !(p.people_per_vehicle.is_finite() && p.people_per_vehicle >= 1.0) {
        return Err(format!(
            "[evacuation] people_per_vehicle = {}: must be at least 1",
            p.people_per_vehicle
        ));
    }
    if !(p.combatants.is_finite() && p.combatants >= 0.0) {
        return Err(format!(
            "[evacuation] combatants = {}: must be zero or more",
            p.combatants
        ));
    }
    if !(p.bucket_s.is_finite() && p.bucket_s >= 10.0) {
        return Err(format!(
            "[evacuation] bucket_s = {}: must be at least 10 seconds",
            p.bucket_s
        ));
    }
    Ok(p)
}

fn read_facilities(p: &Path, features: &[Feature]) -> Result<Vec<FacilityRecord>, ScenarioError> {
    let mut out = Vec::new();
    for (i, f) in features.iter().enumerate() {
        let fe = |msg: String| ScenarioError::at(p, Some(format!("feature {i}")), msg);
        let osm_id = match f.props.get("osm_id") {
            None | Some(Value::Null) => None,
            Some(v) => Some(
                v.as_i64()
                    .ok_or_else(|| fe("osm_id must be an integer".into()))?,
            ),
        };
        let status = match f.props.get("status") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(FacilityStatus::parse(s).ok_or_else(|| {
                fe(format!(
                    "status '{s}' (expected functioning, partially_functioning, not_functioning or destroyed)"
                ))
            })?),
            Some(_) => return Err(fe("status must be a string".into())),
        };
        let beds =
            match f.props.get("beds") {
                None | Some(Value::Null) => None,
                Some(v) => Some(v.as_u64().and_then(|b| u32::try_from(b).ok()).ok_or_else(
                    || fe(format!("beds {v} must be a whole number of zero or more")),
                )?),
            };
        let point = match f.geometry.get("type").and_then(Value::as_str) {
            Some("Point") => {
                let c =
                    position(f.geometry.get("coordinates").unwrap_or(&Value::Null)).map_err(fe)?;
                Some([c.x, c.y])
            }
            None => None,
            Some(t) => return Err(fe(format!("facility geometry is a {t}, expected a Point"))),
        };
        if osm_id.is_none() && point.is_none() {
            return Err(fe(
                "a facility needs an osm_id (to change a map facility) or a Point (to add one)"
                    .into(),
            ));
        }
        if osm_id.is_none() && status.is_none() {
            return Err(fe("a new facility needs a status".into()));
        }
        out.push(FacilityRecord {
            feature: i,
            file: p.to_path_buf(),
            osm_id,
            name: f
                .props
                .get("name")
                .and_then(Value::as_str)
                .map(str::to_string),
            kind: f
                .props
                .get("kind")
                .and_then(Value::as_str)
                .map(str::to_string),
            status,
            beds,
            point,
        });
    }
    Ok(out)
}

/// Reads a GeoJSON layer named in the manifest, adding its bytes to the scenario's checksum.
fn read_layer(
    base: &Path,
    f: &str,
    hasher: &mut Sha256,
    layer_files: &mut Vec<PathBuf>,
) -> Result<(PathBuf, Vec<Feature>), ScenarioError> {
    let p = rel(base, f);
    let (bytes, features) = read_features(&p)?;
    hasher.update(&bytes);
    layer_files.push(p.clone());
    Ok((p, features))
}
