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
    /// A date string or a bare TOML date (`as_of = 2016-07-28`).
    as_of: toml::Value,
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
    /// The declared convoy plan: read by `corridor convoy`, the siege forecast and the brief.
    convoy: Option<ConvoyToml>,
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
    #[serde(default)]
    assembly_points: Vec<AssemblyPointToml>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AssemblyPointToml {
    name: String,
    point: [f64; 2],
    combatants: f64,
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
    /// `["foot"]`, `["car"]` or both (the default).
    modes: Option<Vec<String>>,
    /// Party id: the crossing lets travellers into that party's ground only.
    into: Option<String>,
    since: Option<toml::Value>,
    until: Option<toml::Value>,
    // Aid crossings only (purpose = "aid"): see `read_aid_crossings`.
    trucks_per_day: Option<u32>,
    trucks_per_week: Option<u32>,
    inspection_minutes: Option<f64>,
    open_from: Option<toml::Value>,
    open_until: Option<toml::Value>,
    weekdays: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConvoyToml {
    warehouse: Option<[f64; 2]>,
    #[serde(default)]
    distribution_points: Vec<[f64; 2]>,
    trucks: u32,
    tonnes_per_truck: f64,
    every_days: u32,
    depart: Option<String>,
    first_departure: Option<toml::Value>,
    kcal_per_kg: Option<f64>,
    crossing: Option<String>,
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
    max_trucks_per_day: Option<f64>,
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

/// What the layer readers share: the manifest's folder, the running checksum and the list of
/// files read.
struct Reading {
    base: PathBuf,
    hasher: Sha256,
    layer_files: Vec<PathBuf>,
}

impl Reading {
    /// Reads a GeoJSON layer named in the manifest, adding its bytes to the checksum.
    fn layer(&mut self, f: &str) -> Result<(PathBuf, Vec<Feature>), ScenarioError> {
        read_layer(&self.base, f, &mut self.hasher, &mut self.layer_files)
    }
}

/// Loads and validates a scenario manifest and every layer it names.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    load_at(path, None)
}

/// As [`load`], with the scenario evaluated on `date` instead of the manifest's `as_of` when
/// given: incidents up to `date` (risk decaying from it), closures in force on it. The
/// checksum stays the files'; `as_of` becomes `date`. (`access --compare DATE`.)
pub fn load_at(path: &Path, date: Option<NaiveDate>) -> Result<Scenario, ScenarioError> {
    let text = std::fs::read_to_string(path).map_err(|e| ScenarioError::io(path, e))?;
    let m = parse_manifest(path, &text)?;
    let mut rd = Reading {
        base: path.parent().unwrap_or(Path::new(".")).to_path_buf(),
        hasher: Sha256::new(),
        layer_files: Vec::new(),
    };
    rd.hasher.update(text.as_bytes());
    let err = |what: String| ScenarioError::at(path, None, what);
    let as_of = toml_date(&m.as_of).map_err(|e| err(format!("as_of: {e}")))?;
    let as_of = date.unwrap_or(as_of);
    let parties = read_parties(&m.party).map_err(err)?;
    let party_of = |id: &str| parties.iter().position(|p| p.id == id);
    let territory_timeline = match &m.territory {
        Some(f) => read_territories(&mut rd, f, &party_of)?,
        None => Vec::new(),
    };
    check_hostile_overlaps(&parties, &territory_timeline, &rd)?;
    let territories = territory_on(&territory_timeline, as_of);
    let (incidents, incidents_after, incidents_imprecise) = match &m.incidents {
        Some(f) => read_incident_layer(&mut rd, f, as_of)?,
        None => (Vec::new(), 0, 0),
    };
    let (closures, closures_after) = match &m.closures {
        Some(f) => read_closures(&mut rd, f, as_of)?,
        None => (Vec::new(), 0),
    };
    let mut avoid = Vec::new();
    if let Some(f) = &m.avoid {
        let (p, features) = rd.layer(f)?;
        for (i, feat) in features.iter().enumerate() {
            let fe = |msg: String| ScenarioError::at(&p, Some(format!("feature {i}")), msg);
            avoid.push(polygons(&feat.geometry).map_err(fe)?);
        }
    }
    let enclaves = read_enclaves(&mut rd, &m.enclave, &party_of, &territories, path)?;
    let corridors = m
        .corridor
        .iter()
        .filter(|c| c.purpose != "aid")
        .map(|c| {
            read_corridor(c, &party_of).map_err(|e| err(format!("corridor '{}': {e}", c.name)))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let risk = read_risk(&m.risk).map_err(err)?;
    let population = match &m.population {
        Some(f) => {
            let (p, features) = rd.layer(f)?;
            read_population(&p, &features)?
        }
        None => Vec::new(),
    };
    let stock = m.stock.as_ref().map(read_stock).transpose().map_err(err)?;
    let facilities = match &m.facilities {
        Some(f) => {
            let (p, features) = rd.layer(f)?;
            read_facilities(&p, &features)?
        }
        None => Vec::new(),
    };
    let mut evacuation = read_evacuation(&m.evacuation).map_err(err)?;
    let assembly_points = read_assembly_points(&m.evacuation, &mut evacuation).map_err(err)?;
    let aid_crossings = read_aid_crossings(&m.corridor).map_err(err)?;
    let convoy = m
        .convoy
        .as_ref()
        .map(|c| read_convoy(c, &aid_crossings, stock.as_ref()))
        .transpose()
        .map_err(err)?;
    let sha256 = rd
        .hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let s = Scenario {
        name: m.name,
        as_of,
        file: path.to_path_buf(),
        map: rel(&rd.base, &m.map),
        sha256,
        parties,
        territories,
        territory_timeline,
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
        assembly_points,
        layer_files: rd.layer_files,
        placement: Placement::default(),
        incidents_imprecise,
        aid_crossings,
        convoy,
    };
    check_enclaves_hold_people(&s)?;
    Ok(s)
}

/// The manifest's TOML; syntax errors name the line.
fn parse_manifest(path: &Path, text: &str) -> Result<Manifest, ScenarioError> {
    toml::from_str(text).map_err(|e| {
        let msg = e.message().to_string();
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
        ScenarioError::at(path, line.map(|l| format!("line {l}")), msg)
    })
}

/// A date given as a string (`"2016-07-28"`) or as a bare TOML date (`2016-07-28`).
fn toml_date(v: &toml::Value) -> Result<NaiveDate, String> {
    match v {
        toml::Value::String(s) => parse_date(s),
        toml::Value::Datetime(d) if d.date.is_some() && d.time.is_none() => {
            parse_date(&d.to_string())
        }
        other => Err(format!("{other} is not a date (expected YYYY-MM-DD)")),
    }
}

fn read_parties(list: &[PartyToml]) -> Result<Vec<Party>, String> {
    if list.len() > MAX_PARTIES {
        return Err(format!(
            "{} parties declared; the model supports at most {MAX_PARTIES}",
            list.len()
        ));
    }
    let mut parties: Vec<Party> = Vec::new();
    for p in list {
        if parties.iter().any(|x| x.id == p.id) {
            return Err(format!("party '{}' is declared twice", p.id));
        }
        parties.push(Party {
            id: p.id.clone(),
            name: p.name.clone(),
            allies: Vec::new(),
        });
    }
    for (i, p) in list.iter().enumerate() {
        for a in &p.allies {
            let j = parties
                .iter()
                .position(|x| &x.id == a)
                .ok_or_else(|| format!("party '{}': unknown ally '{a}'", p.id))?;
            parties[i].allies.push(j);
            // Alliances are mutual: one declaration suffices.
            if !parties[j].allies.contains(&i) {
                parties[j].allies.push(i);
            }
        }
    }
    Ok(parties)
}

fn read_territories(
    rd: &mut Reading,
    f: &str,
    party_of: &dyn Fn(&str) -> Option<usize>,
) -> Result<Vec<DatedTerritory>, ScenarioError> {
    let (p, features) = rd.layer(f)?;
    let mut territories = Vec::new();
    for (i, feat) in features.iter().enumerate() {
        let fe = |msg: String| ScenarioError::at(&p, Some(format!("feature {i}")), msg);
        let party = feat
            .props
            .get("party")
            .and_then(Value::as_str)
            .ok_or_else(|| fe("missing string property 'party'".into()))?;
        let party = party_of(party).ok_or_else(|| fe(format!("unknown party '{party}'")))?;
        let poly = polygons(&feat.geometry).map_err(fe)?;
        let (since, until) = since_until(&feat.props).map_err(fe)?;
        territories.push(DatedTerritory {
            territory: Territory {
                party,
                area: poly,
                feature: i,
            },
            since,
            until,
        });
    }
    Ok(territories)
}

/// The optional `since`/`until` date properties of a dated feature (territory, facility
/// record), `until` not before `since`.
fn since_until(
    props: &serde_json::Map<String, Value>,
) -> Result<(Option<NaiveDate>, Option<NaiveDate>), String> {
    let date_prop = |key: &str| match props.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => parse_date(s).map(Some).map_err(|e| format!("{key}: {e}")),
        Some(_) => Err(format!("'{key}' must be a date string")),
    };
    let (since, until) = (date_prop("since")?, date_prop("until")?);
    if let (Some(a), Some(b)) = (since, until) {
        if b < a {
            return Err(format!("until {b} is before since {a}"));
        }
    }
    Ok((since, until))
}

/// Ground held by two hostile parties at once has no meaning in the model (which of them
/// controls the road?): refused, naming both features. Overlaps under 1 m² (rounding of shared
/// edges) are tolerated.
fn check_hostile_overlaps(
    parties: &[Party],
    timeline: &[DatedTerritory],
    rd: &Reading,
) -> Result<(), ScenarioError> {
    use geo::{Area, BooleanOps, BoundingRect, Intersects};
    let hostile = |a: usize, b: usize| a != b && !parties[a].allies.contains(&b);
    for (i, da) in timeline.iter().enumerate() {
        for db in &timeline[i + 1..] {
            let (a, b) = (&da.territory, &db.territory);
            if !hostile(a.party, b.party) || !held_together(da, db) {
                continue;
            }
            let (Some(ra), Some(rb)) = (a.area.bounding_rect(), b.area.bounding_rect()) else {
                continue;
            };
            if !ra.intersects(&rb) {
                continue;
            }
            let overlap = a.area.intersection(&b.area);
            // Square degrees to square metres, near enough for a threshold.
            let lat = ra.center().y.to_radians();
            let m2 = overlap.unsigned_area() * 111_320.0 * 111_320.0 * lat.cos();
            if m2 > 1.0 {
                let file = rd
                    .layer_files
                    .first()
                    .cloned()
                    .unwrap_or_else(|| PathBuf::from("territory"));
                return Err(ScenarioError::at(
                    &file,
                    Some(format!("features {} and {}", a.feature, b.feature)),
                    format!(
                        "ground of hostile parties '{}' and '{}' overlaps ({m2:.0} m²): each place is held by one side or by nobody",
                        parties[a.party].id, parties[b.party].id
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Two dated features held on some common day (a front that moved is not an overlap).
fn held_together(a: &DatedTerritory, b: &DatedTerritory) -> bool {
    let starts_before_end = |x: &DatedTerritory, y: &DatedTerritory| match (x.since, y.until) {
        (Some(s), Some(u)) => s <= u,
        _ => true,
    };
    starts_before_end(a, b) && starts_before_end(b, a)
}

type IncidentLayer = (Vec<Incident>, usize, usize);

/// Incidents on or before `as_of`, the number after it, and the number the precision rule keeps
/// out of local risk.
fn read_incident_layer(
    rd: &mut Reading,
    f: &str,
    as_of: NaiveDate,
) -> Result<IncidentLayer, ScenarioError> {
    let p = rel(&rd.base, f);
    let ext = p.extension().and_then(|e| e.to_str());
    let (bytes, all) = if ext == Some("geojson") || ext == Some("json") {
        read_incidents_geojson(&p)?
    } else {
        read_incidents_csv(&p)?
    };
    rd.hasher.update(&bytes);
    rd.layer_files.push(p.clone());
    let (mut kept, mut after, mut imprecise) = (Vec::new(), 0, 0);
    for inc in all {
        if inc.date > as_of {
            after += 1;
        } else {
            if inc.geo_precision >= 3 {
                imprecise += 1;
            }
            kept.push(inc);
        }
    }
    Ok((kept, after, imprecise))
}

fn read_closures(
    rd: &mut Reading,
    f: &str,
    as_of: NaiveDate,
) -> Result<(Vec<Closure>, usize), ScenarioError> {
    let (p, features) = rd.layer(f)?;
    let (mut closures, mut after) = (Vec::new(), 0);
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
            after += 1;
        } else {
            closures.push(c);
        }
    }
    Ok((closures, after))
}

fn read_enclaves(
    rd: &mut Reading,
    list: &[EnclaveToml],
    party_of: &dyn Fn(&str) -> Option<usize>,
    territories: &[Territory],
    manifest: &Path,
) -> Result<Vec<Enclave>, ScenarioError> {
    let err = |what: String| ScenarioError::at(manifest, None, what);
    let mut enclaves = Vec::new();
    for e in list {
        let party = party_of(&e.party)
            .ok_or_else(|| err(format!("enclave '{}': unknown party '{}'", e.name, e.party)))?;
        if !territories.iter().any(|t| t.party == party) {
            return Err(err(format!(
                "enclave '{}': party '{}' holds no territory in the territory layer",
                e.name, e.party
            )));
        }
        let area = match &e.area {
            Some(f) => {
                let p = rel(&rd.base, f);
                let (bytes, features) = read_features(&p)?;
                rd.hasher.update(&bytes);
                let mut polys = Vec::new();
                for (i, feat) in features.iter().enumerate() {
                    let fe = |msg: String| ScenarioError::at(&p, Some(format!("feature {i}")), msg);
                    polys.extend(polygons(&feat.geometry).map_err(fe)?.0);
                }
                Some(MultiPolygon(polys))
            }
            None => None,
        };
        let enclave = Enclave {
            name: e.name.clone(),
            party,
            area,
        };
        if enclave_ground_of(&enclave, territories).0.is_empty() {
            return Err(err(format!(
                "enclave '{}': its area holds none of party '{}''s ground",
                e.name, e.party
            )));
        }
        enclaves.push(enclave);
    }
    Ok(enclaves)
}

/// An enclave's ground: its party's territory, limited to its `area` if one is given.
pub(crate) fn enclave_ground_of(e: &Enclave, territories: &[Territory]) -> MultiPolygon<f64> {
    use geo::{Area, BooleanOps};
    let own = MultiPolygon(
        territories
            .iter()
            .filter(|t| t.party == e.party)
            .flat_map(|t| t.area.0.iter().cloned())
            .collect(),
    );
    let ground = match &e.area {
        Some(a) => own.intersection(a),
        None => own,
    };
    MultiPolygon(
        ground
            .0
            .into_iter()
            .filter(|p| p.unsigned_area() > 0.0)
            .collect(),
    )
}

/// A food forecast needs people: `[stock] people`, or population-layer units inside the (first)
/// enclave, which `[stock]` describes.
fn check_enclaves_hold_people(s: &Scenario) -> Result<(), ScenarioError> {
    use geo::{Contains, Intersects};
    let (Some(st), Some(e)) = (&s.stock, s.enclaves.first()) else {
        return Ok(());
    };
    if st.people.is_some() {
        return Ok(());
    }
    let ground = enclave_ground_of(e, &s.territories);
    let anyone = s.population.iter().any(|u| {
        u.people > 0.0
            && match &u.area {
                Some(a) => a.intersects(&ground),
                None => ground.contains(&Point::new(u.point[0], u.point[1])),
            }
    });
    if anyone {
        return Ok(());
    }
    Err(ScenarioError::at(
        &s.file,
        None,
        format!(
            "[stock]: nobody lives in enclave '{}' (no population-layer unit inside it) and no [stock] people is given: a food forecast needs people",
            e.name
        ),
    ))
}

fn read_corridor(
    c: &CorridorToml,
    party_of: &dyn Fn(&str) -> Option<usize>,
) -> Result<Corridor, String> {
    let purpose = match c.purpose.as_str() {
        "civilian" => Purpose::Civilian,
        "combatant" => Purpose::Combatant,
        other => {
            return Err(format!(
                "purpose '{other}' (expected \"civilian\", \"combatant\" or \"aid\")"
            ))
        }
    };
    let checkpoint = lat_lon(c.checkpoint).map_err(|e| format!("checkpoint {e}"))?;
    let reception = c
        .reception
        .map(lat_lon)
        .transpose()
        .map_err(|e| format!("reception {e}"))?;
    if let Some(cap) = c.capacity_per_hour {
        if !(cap.is_finite() && cap > 0.0) {
            return Err(format!("capacity_per_hour {cap} must be positive"));
        }
    }
    if let Some(h) = &c.hours {
        parse_hours(h).map_err(|e| format!("hours {e}"))?;
    }
    Ok(Corridor {
        name: c.name.clone(),
        purpose,
        checkpoint,
        capacity_per_hour: c.capacity_per_hour,
        reception,
        hours: c.hours.clone(),
        opens: read_crossing_rule(c, party_of)?,
    })
}

fn read_crossing_rule(
    c: &CorridorToml,
    party_of: &dyn Fn(&str) -> Option<usize>,
) -> Result<CrossingRule, String> {
    let modes = c
        .modes
        .iter()
        .flatten()
        .map(|m| match m.as_str() {
            "foot" => Ok(corridor_roads::Profile::Foot),
            "car" => Ok(corridor_roads::Profile::Car),
            other => Err(format!("modes: '{other}' (expected \"foot\" or \"car\")")),
        })
        .collect::<Result<Vec<_>, _>>()?;
    if c.modes.as_ref().is_some_and(Vec::is_empty) {
        return Err("modes = []: the crossing would open to nobody".into());
    }
    let into = c
        .into
        .as_deref()
        .map(|id| party_of(id).ok_or_else(|| format!("into: unknown party '{id}'")))
        .transpose()?;
    let date = |name: &str, v: &Option<toml::Value>| {
        v.as_ref()
            .map(toml_date)
            .transpose()
            .map_err(|e| format!("{name}: {e}"))
    };
    let (since, until) = (date("since", &c.since)?, date("until", &c.until)?);
    if let (Some(a), Some(b)) = (since, until) {
        if b < a {
            return Err(format!("until {b} is before since {a}"));
        }
    }
    Ok(CrossingRule {
        modes,
        into,
        since,
        until,
    })
}

fn read_risk(r: &RiskToml) -> Result<RiskParams, String> {
    let d = RiskParams::default();
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
            return Err(format!("[risk] {name} = {v}: must be positive"));
        }
    }
    for (name, v) in [
        ("front_weight", risk.front_weight),
        ("lambda", risk.lambda),
        ("exposure_threshold", risk.exposure_threshold),
    ] {
        if !(v.is_finite() && v >= 0.0) {
            return Err(format!("[risk] {name} = {v}: must be zero or more"));
        }
    }
    Ok(risk)
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

/// ACLED's optional precision columns, read when present (1 = most precise).
const PRECISION_COLUMNS: [&str; 2] = ["geo_precision", "time_precision"];

fn read_incidents_csv(p: &Path) -> Result<(Vec<u8>, Vec<Incident>), ScenarioError> {
    let bytes = std::fs::read(p).map_err(|e| ScenarioError::io(p, e))?;
    let rows = parse_incidents_csv(&bytes, p)?;
    Ok((bytes, rows.into_iter().map(|(_, i)| i).collect()))
}

/// The fields an incident was given, by ACLED column name (`INCIDENT_COLUMNS` and the optional
/// precision columns, trimmed).
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
    // Real exports come with upper-case or mixed-case headers ("EVENT_ID_CNTY").
    let find = |name: &str| {
        headers.iter().position(|h| {
            h.trim()
                .trim_start_matches('\u{feff}')
                .eq_ignore_ascii_case(name)
        })
    };
    let mut col = HashMap::new();
    for name in INCIDENT_COLUMNS {
        let i = find(name).ok_or_else(|| {
            ScenarioError::at(
                p,
                Some("line 1".into()),
                format!("missing required column '{name}' (ACLED column names are expected)"),
            )
        })?;
        col.insert(name, i);
    }
    for name in PRECISION_COLUMNS {
        if let Some(i) = find(name) {
            col.insert(name, i);
        }
    }
    let mut out = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (k, rec) in rdr.records().enumerate() {
        let line = k + 2;
        let le = |msg: String| ScenarioError::at(p, Some(format!("line {line}")), msg);
        let rec = rec.map_err(|e| le(format!("{e}")))?;
        let fields: IncidentFields = col
            .iter()
            .map(|(&c, &i)| (c.to_string(), rec.get(i).unwrap_or("").trim().to_string()))
            .collect();
        let incident = incident_from_fields(&fields).map_err(le)?;
        if let Some(first) = seen.insert(incident.id.clone(), line) {
            return Err(le(format!(
                "event_id_cnty '{}' also on line {first}: an incident counted twice would double its risk",
                incident.id
            )));
        }
        out.push((fields, incident));
    }
    Ok(out)
}

/// One incident from fields named as ACLED's columns (missing ones empty), validated exactly as
/// a row of an incidents file.
pub fn incident_from_fields(f: &IncidentFields) -> Result<Incident, String> {
    let fields: HashMap<&str, String> = INCIDENT_COLUMNS
        .iter()
        .chain(&PRECISION_COLUMNS)
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
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, f) in features.iter().enumerate() {
        let fe = |msg: String| ScenarioError::at(p, Some(format!("feature {i}")), msg);
        if f.geometry.get("type").and_then(Value::as_str) != Some("Point") {
            return Err(fe("incident geometry must be a Point".into()));
        }
        let c = position(f.geometry.get("coordinates").unwrap_or(&Value::Null)).map_err(fe)?;
        let mut fields: HashMap<&str, String> = HashMap::new();
        for name in INCIDENT_COLUMNS.iter().chain(&PRECISION_COLUMNS) {
            let v = f
                .props
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v);
            let v = match v {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Number(n)) => n.to_string(),
                _ => String::new(),
            };
            fields.insert(name, v);
        }
        fields.insert("latitude", c.y.to_string());
        fields.insert("longitude", c.x.to_string());
        let inc = incident_from(&fields).map_err(fe)?;
        if let Some(first) = seen.insert(inc.id.clone(), i) {
            return Err(fe(format!(
                "event_id_cnty '{}' also in feature {first}: an incident counted twice would double its risk",
                inc.id
            )));
        }
        out.push(inc);
    }
    Ok((bytes, out))
}

/// An ACLED precision code (1, 2 or 3); empty means 1.
fn precision(f: &HashMap<&str, String>, name: &str) -> Result<u8, String> {
    match f.get(name).map(String::as_str) {
        None | Some("") => Ok(1),
        Some(v) => v
            .parse::<u8>()
            .ok()
            .filter(|x| (1..=3).contains(x))
            .ok_or_else(|| format!("{name} '{v}' (expected 1, 2 or 3)")),
    }
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
        geo_precision: precision(f, "geo_precision")?,
        time_precision: precision(f, "time_precision")?,
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
    let max_trucks_per_day = st
        .max_trucks_per_day
        .map(|x| non_negative("max_trucks_per_day", x))
        .transpose()?;
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
        max_trucks_per_day,
    })
}

/// Parses "HH:MM-HH:MM" into seconds after midnight (closing may pass midnight).
pub fn parse_hours(h: &str) -> Result<(f64, f64), String> {
    let clock = parse_clock;
    let bad = || format!("'{h}': expected HH:MM-HH:MM, e.g. 06:00-18:00");
    let (a, b) = h.split_once('-').ok_or_else(bad)?;
    let (a, b) = (clock(a).ok_or_else(bad)?, clock(b).ok_or_else(bad)?);
    // 24:00 is the next midnight: "24:00-00:00" would open and close at one moment (a
    // checkpoint that never opens), while "00:00-24:00" is the whole day.
    if a == b || (a == 86400.0 && b == 0.0) {
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

/// `[[evacuation.assembly_points]]`: names unique, points valid `[LAT, LON]`, combatants
/// more than zero, and their sum equal to `[evacuation] combatants` when that is given (it is
/// set to the sum otherwise). Whether a point lies inside the enclave needs the map: checked
/// by the evacuation planner.
fn read_assembly_points(
    e: &EvacuationToml,
    p: &mut EvacuationParams,
) -> Result<Vec<AssemblyPoint>, String> {
    let mut out: Vec<AssemblyPoint> = Vec::new();
    for (i, a) in e.assembly_points.iter().enumerate() {
        let at = |m: String| {
            format!(
                "[[evacuation.assembly_points]] {} ('{}'): {m}",
                i + 1,
                a.name
            )
        };
        if a.name.trim().is_empty() {
            return Err(at("name is empty".into()));
        }
        if out.iter().any(|x| x.name == a.name) {
            return Err(at("a second assembly point of that name".into()));
        }
        let point = lat_lon(a.point).map_err(|m| at(format!("point {m}")))?;
        if !(a.combatants.is_finite() && a.combatants > 0.0) {
            return Err(at(format!(
                "combatants = {}: must be more than zero",
                a.combatants
            )));
        }
        out.push(AssemblyPoint {
            name: a.name.clone(),
            point,
            combatants: a.combatants,
        });
    }
    if out.is_empty() {
        return Ok(out);
    }
    let sum: f64 = out.iter().map(|a| a.combatants).sum();
    match e.combatants {
        None => p.combatants = sum,
        Some(c) if (c - sum).abs() > 0.5 => {
            return Err(format!(
                "[evacuation] combatants = {c} but the assembly points hold {sum} in all: give the same number, or leave combatants out"
            ))
        }
        Some(_) => {}
    }
    Ok(out)
}

fn read_facilities(p: &Path, features: &[Feature]) -> Result<Vec<FacilityRecord>, ScenarioError> {
    let mut out = Vec::new();
    let mut added: Vec<String> = Vec::new();
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
        let name = f
            .props
            .get("name")
            .and_then(Value::as_str)
            .map(str::to_string);
        // A record without osm_id whose name an earlier added facility carries is a further
        // (dated) record of that facility; otherwise it adds one.
        let further = osm_id.is_none() && name.as_ref().is_some_and(|n| added.contains(n));
        if osm_id.is_none() && point.is_none() && !further {
            return Err(fe(
                "a facility needs an osm_id (to change a map facility), a Point (to add one) or the name of a facility added above"
                    .into(),
            ));
        }
        if osm_id.is_none() && !further {
            if status.is_none() {
                return Err(fe("a new facility needs a status".into()));
            }
            added.extend(name.clone());
        }
        let (since, until) = since_until(&f.props).map_err(fe)?;
        out.push(FacilityRecord {
            feature: i,
            file: p.to_path_buf(),
            osm_id,
            name,
            kind: f
                .props
                .get("kind")
                .and_then(Value::as_str)
                .map(str::to_string),
            status,
            beds,
            point,
            since,
            until,
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

/// The aid crossings among the `[[corridor]]` tables, validated; the limit fields on any other
/// crossing are refused (they would silently mean nothing there).
fn read_aid_crossings(all: &[CorridorToml]) -> Result<Vec<AidCrossing>, String> {
    let mut out = Vec::new();
    for c in all {
        let ce = |msg: String| format!("corridor '{}': {msg}", c.name);
        if c.purpose != "aid" {
            let aid_only = [
                ("trucks_per_day", c.trucks_per_day.is_some()),
                ("trucks_per_week", c.trucks_per_week.is_some()),
                ("inspection_minutes", c.inspection_minutes.is_some()),
                ("open_from", c.open_from.is_some()),
                ("open_until", c.open_until.is_some()),
                ("weekdays", c.weekdays.is_some()),
            ];
            if let Some((name, _)) = aid_only.iter().find(|(_, set)| *set) {
                return Err(ce(format!("{name} is only for purpose = \"aid\"")));
            }
            continue;
        }
        if c.capacity_per_hour.is_some() || c.reception.is_some() {
            return Err(ce(
                "an aid crossing takes trucks_per_day/trucks_per_week and inspection_minutes, not capacity_per_hour or reception".into(),
            ));
        }
        if c.modes.is_some() || c.into.is_some() || c.since.is_some() || c.until.is_some() {
            return Err(ce(
                "an aid crossing lets trucks into the enclave on its open_from/open_until dates; modes, into, since and until are for civilian and combatant crossings".into(),
            ));
        }
        let checkpoint = lat_lon(c.checkpoint).map_err(|e| ce(format!("checkpoint {e}")))?;
        let hours = c
            .hours
            .as_deref()
            .map(parse_hours)
            .transpose()
            .map_err(|e| ce(format!("hours {e}")))?;
        let date = |name: &str, v: &Option<toml::Value>| {
            v.as_ref()
                .map(toml_date)
                .transpose()
                .map_err(|e| ce(format!("{name}: {e}")))
        };
        let (open_from, open_until) = (
            date("open_from", &c.open_from)?,
            date("open_until", &c.open_until)?,
        );
        if let (Some(a), Some(b)) = (open_from, open_until) {
            if b < a {
                return Err(ce(format!("open_until {b} is before open_from {a}")));
            }
        }
        let weekdays = c
            .weekdays
            .iter()
            .flatten()
            .map(|d| {
                weekday(d).ok_or_else(|| {
                    ce(format!(
                        "weekday '{d}' (expected Mon, Tue, Wed, Thu, Fri, Sat or Sun)"
                    ))
                })
            })
            .collect::<Result<Vec<u32>, String>>()?;
        for (name, v) in [
            ("trucks_per_day", c.trucks_per_day),
            ("trucks_per_week", c.trucks_per_week),
        ] {
            if v == Some(0) {
                return Err(ce(format!(
                    "{name} = 0: a crossing that lets no truck through is not an aid crossing"
                )));
            }
        }
        let minutes = c.inspection_minutes.unwrap_or(0.0);
        if !(minutes.is_finite() && minutes >= 0.0) {
            return Err(ce(format!(
                "inspection_minutes = {minutes}: must be zero or more"
            )));
        }
        out.push(AidCrossing {
            name: c.name.clone(),
            checkpoint,
            hours,
            open_from,
            open_until,
            weekdays,
            trucks_per_day: c.trucks_per_day,
            trucks_per_week: c.trucks_per_week,
            inspection_s: minutes * 60.0,
        });
    }
    Ok(out)
}

/// "Mon" … "Sun" (or the full English name) to 0 … 6.
fn weekday(d: &str) -> Option<u32> {
    let d = d.trim().to_ascii_lowercase();
    ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .position(|w| d.len() >= 3 && d.starts_with(w))
        .map(|i| i as u32)
}

/// The `[convoy]` table, checked against the aid crossings and the stock it feeds.
fn read_convoy(
    c: &ConvoyToml,
    crossings: &[AidCrossing],
    stock: Option<&Stock>,
) -> Result<ConvoyPlan, String> {
    let ce = |msg: String| format!("[convoy] {msg}");
    if crossings.is_empty() {
        return Err(ce(
            "needs an aid crossing ([[corridor]] purpose = \"aid\")".into()
        ));
    }
    if let Some(name) = &c.crossing {
        if !crossings.iter().any(|x| &x.name == name) {
            return Err(ce(format!(
                "crossing '{name}' is not an aid crossing of this scenario"
            )));
        }
    }
    if c.trucks == 0 {
        return Err(ce("trucks = 0: a convoy needs at least one truck".into()));
    }
    if c.every_days == 0 {
        return Err(ce("every_days = 0: must be at least 1".into()));
    }
    if !(c.tonnes_per_truck.is_finite() && c.tonnes_per_truck > 0.0) {
        return Err(ce(format!(
            "tonnes_per_truck = {}: must be positive",
            c.tonnes_per_truck
        )));
    }
    let kcal_per_kg = match c.kcal_per_kg {
        Some(k) if k.is_finite() && k > 0.0 => Some(k),
        Some(k) => return Err(ce(format!("kcal_per_kg = {k}: must be positive"))),
        None => None,
    };
    if kcal_per_kg.is_none() && stock.and_then(|s| s.kcal_per_kg).is_none() {
        return Err(ce(
            "needs kcal_per_kg (here or in [stock]) to count what the trucks carry".into(),
        ));
    }
    let warehouse = c
        .warehouse
        .map(lat_lon)
        .transpose()
        .map_err(|e| ce(format!("warehouse {e}")))?;
    let distribution_points = c
        .distribution_points
        .iter()
        .map(|p| lat_lon(*p))
        .collect::<Result<_, _>>()
        .map_err(|e| ce(format!("distribution_points {e}")))?;
    let depart_s = match &c.depart {
        None => 6.0 * 3600.0,
        Some(t) => parse_clock(t).ok_or_else(|| ce(format!("depart '{t}': expected HH:MM")))?,
    };
    let first_departure = c
        .first_departure
        .as_ref()
        .map(toml_date)
        .transpose()
        .map_err(|e| ce(format!("first_departure: {e}")))?;
    Ok(ConvoyPlan {
        warehouse,
        distribution_points,
        trucks: c.trucks,
        tonnes_per_truck: c.tonnes_per_truck,
        every_days: c.every_days,
        depart_s,
        first_departure,
        kcal_per_kg,
        crossing: c.crossing.clone(),
    })
}
