//! Travel profiles: which OSM ways a person on foot or a motor vehicle may use, in which
//! direction, and how fast. The defaults are documented in the README ("Profiles") with their
//! sources; change them here and nowhere else.

use serde::Serialize;

/// How someone travels. Each profile gets its own compact graph in the graph file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    Foot,
    Car,
}

impl Profile {
    pub const ALL: [Profile; 2] = [Profile::Foot, Profile::Car];

    pub fn name(self) -> &'static str {
        match self {
            Profile::Foot => "foot",
            Profile::Car => "car",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

impl std::str::FromStr for Profile {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "foot" => Ok(Profile::Foot),
            "car" => Ok(Profile::Car),
            _ => Err(format!("unknown profile '{s}' (expected foot or car)")),
        }
    }
}

/// Walking speed on level ground, km/h. 5 km/h (1.39 m/s) is the usual planning figure for a
/// mixed crowd (OSRM's and GraphHopper's foot profiles use 5 km/h as well).
pub const WALKING_SPEED_KMH: f64 = 5.0;
/// Walking speed on `highway=steps`: half the level speed, a conservative assumption for people
/// carrying belongings, children or the injured.
pub const STEPS_SPEED_KMH: f64 = 2.5;

/// Share of a tagged `maxspeed` that a car is assumed to drive (OSRM `car.lua`:
/// `speed_reduction = 0.8`): traffic, junctions and road condition keep real speeds below limits.
pub const MAXSPEED_FACTOR: f64 = 0.8;

/// Road class from OSM `highway=*`, kept per edge: later analyses derive capacity from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum RoadClass {
    Motorway = 0,
    MotorwayLink,
    Trunk,
    TrunkLink,
    Primary,
    PrimaryLink,
    Secondary,
    SecondaryLink,
    Tertiary,
    TertiaryLink,
    Unclassified,
    Residential,
    LivingStreet,
    Service,
    Track,
    Pedestrian,
    Footway,
    Path,
    Steps,
    Cycleway,
    Bridleway,
    Road,
}

impl RoadClass {
    const TABLE: [(RoadClass, &'static str); 22] = [
        (RoadClass::Motorway, "motorway"),
        (RoadClass::MotorwayLink, "motorway_link"),
        (RoadClass::Trunk, "trunk"),
        (RoadClass::TrunkLink, "trunk_link"),
        (RoadClass::Primary, "primary"),
        (RoadClass::PrimaryLink, "primary_link"),
        (RoadClass::Secondary, "secondary"),
        (RoadClass::SecondaryLink, "secondary_link"),
        (RoadClass::Tertiary, "tertiary"),
        (RoadClass::TertiaryLink, "tertiary_link"),
        (RoadClass::Unclassified, "unclassified"),
        (RoadClass::Residential, "residential"),
        (RoadClass::LivingStreet, "living_street"),
        (RoadClass::Service, "service"),
        (RoadClass::Track, "track"),
        (RoadClass::Pedestrian, "pedestrian"),
        (RoadClass::Footway, "footway"),
        (RoadClass::Path, "path"),
        (RoadClass::Steps, "steps"),
        (RoadClass::Cycleway, "cycleway"),
        (RoadClass::Bridleway, "bridleway"),
        (RoadClass::Road, "road"),
    ];

    pub fn from_highway(tag: &str) -> Option<RoadClass> {
        Self::TABLE.iter().find(|(_, s)| *s == tag).map(|(c, _)| *c)
    }

    pub fn from_u8(v: u8) -> Option<RoadClass> {
        Self::TABLE.get(v as usize).map(|(c, _)| *c)
    }

    pub fn as_str(self) -> &'static str {
        Self::TABLE[self as usize].1
    }

    /// Default car speed in km/h where `maxspeed` is not tagged. These are OSRM's car profile
    /// defaults (`profiles/car.lua`, `speeds.highway`); `None` means cars may not use the class.
    pub fn default_car_speed_kmh(self) -> Option<f64> {
        use RoadClass::*;
        Some(match self {
            Motorway => 90.0,
            MotorwayLink => 45.0,
            Trunk => 85.0,
            TrunkLink => 40.0,
            Primary => 65.0,
            PrimaryLink => 30.0,
            Secondary => 55.0,
            SecondaryLink => 25.0,
            Tertiary => 40.0,
            TertiaryLink => 20.0,
            Unclassified => 25.0,
            Residential => 25.0,
            LivingStreet => 10.0,
            Service => 15.0,
            Road => 25.0,
            Track | Pedestrian | Footway | Path | Steps | Cycleway | Bridleway => return None,
        })
    }

    /// Whether a person may walk along this class by default (motorways and their links are
    /// closed to pedestrians nearly everywhere).
    pub fn walkable(self) -> bool {
        !matches!(self, RoadClass::Motorway | RoadClass::MotorwayLink)
    }
}

/// The OSM tags of a way that the profiles read; everything else is dropped at import.
#[derive(Debug, Default, Clone)]
pub struct WayTags {
    pub highway: Option<String>,
    pub name: Option<String>,
    pub reference: Option<String>,
    pub oneway: Option<String>,
    pub junction: Option<String>,
    pub access: Option<String>,
    pub foot: Option<String>,
    pub vehicle: Option<String>,
    pub motor_vehicle: Option<String>,
    pub motorcar: Option<String>,
    pub maxspeed: Option<String>,
    pub lanes: Option<String>,
    pub width: Option<String>,
    pub area: Option<String>,
}

impl WayTags {
    /// Collects the tags the profiles need from an OSM tag iterator.
    pub fn from_tags<'a>(tags: impl Iterator<Item = (&'a str, &'a str)>) -> WayTags {
        let mut t = WayTags::default();
        for (k, v) in tags {
            let slot = match k {
                "highway" => &mut t.highway,
                "name" => &mut t.name,
                "ref" => &mut t.reference,
                "oneway" => &mut t.oneway,
                "junction" => &mut t.junction,
                "access" => &mut t.access,
                "foot" => &mut t.foot,
                "vehicle" => &mut t.vehicle,
                "motor_vehicle" => &mut t.motor_vehicle,
                "motorcar" => &mut t.motorcar,
                "maxspeed" => &mut t.maxspeed,
                "lanes" => &mut t.lanes,
                "width" => &mut t.width,
                "area" => &mut t.area,
                _ => continue,
            };
            *slot = Some(v.to_string());
        }
        t
    }

    pub fn class(&self) -> Option<RoadClass> {
        RoadClass::from_highway(self.highway.as_deref()?)
    }

    /// The street name shown to users: `name`, else `ref` (many rural roads carry only a ref).
    pub fn display_name(&self) -> Option<&str> {
        self.name.as_deref().or(self.reference.as_deref())
    }

    /// Lanes when tagged as a plain positive integer.
    pub fn lanes(&self) -> Option<u8> {
        self.lanes
            .as_deref()?
            .trim()
            .parse::<u8>()
            .ok()
            .filter(|&l| l > 0)
    }

    /// Width in metres when tagged (`6`, `6 m`, `6.5`); other units are ignored.
    pub fn width_m(&self) -> Option<f64> {
        let w = self.width.as_deref()?.trim().trim_end_matches('m').trim();
        w.parse::<f64>()
            .ok()
            .filter(|w| w.is_finite() && *w > 0.0 && *w < 200.0)
    }
}

const DENY: [&str; 3] = ["no", "private", "agricultural"];
const ALLOW: [&str; 5] = [
    "yes",
    "designated",
    "permissive",
    "destination",
    "customers",
];

fn denies(v: &Option<String>) -> bool {
    v.as_deref().is_some_and(|v| DENY.contains(&v))
}
fn allows(v: &Option<String>) -> bool {
    v.as_deref().is_some_and(|v| ALLOW.contains(&v))
}

/// What a profile may do on a way.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Usage {
    pub forward: bool,
    pub backward: bool,
    /// Speed in km/h in either allowed direction.
    pub speed_kmh: f64,
}

/// Foot access: every walkable class in both directions unless `foot=no` or a general access
/// restriction without an explicit `foot=yes`. `oneway` does not bind pedestrians.
pub fn foot_usage(t: &WayTags) -> Option<Usage> {
    let class = t.class()?;
    if t.area.as_deref() == Some("yes") && class != RoadClass::Pedestrian {
        return None;
    }
    if denies(&t.foot) {
        return None;
    }
    if !class.walkable() && !allows(&t.foot) {
        return None;
    }
    if denies(&t.access) && !allows(&t.foot) {
        return None;
    }
    let speed_kmh = if class == RoadClass::Steps {
        STEPS_SPEED_KMH
    } else {
        WALKING_SPEED_KMH
    };
    Some(Usage {
        forward: true,
        backward: true,
        speed_kmh,
    })
}

/// Car access: motor road classes, honouring `access`, `vehicle`, `motor_vehicle`, `motorcar`
/// (most specific wins), `oneway=yes|1|true|-1|reversible`, roundabouts and motorways (implied
/// oneway), and `maxspeed` (km/h or mph) where tagged.
pub fn car_usage(t: &WayTags) -> Option<Usage> {
    let class = t.class()?;
    let default_speed = class.default_car_speed_kmh()?;
    if t.area.as_deref() == Some("yes") {
        return None;
    }
    // The most specific tag present decides.
    let decisive = [&t.motorcar, &t.motor_vehicle, &t.vehicle, &t.access]
        .into_iter()
        .find(|v| v.is_some());
    if let Some(v) = decisive {
        if denies(v) {
            return None;
        }
    }
    let implied_oneway = matches!(class, RoadClass::Motorway)
        || matches!(t.junction.as_deref(), Some("roundabout" | "circular"));
    let (forward, backward) = match t.oneway.as_deref() {
        Some("yes" | "1" | "true") => (true, false),
        Some("-1" | "reverse") => (false, true),
        Some("reversible" | "alternating") => return None,
        Some("no" | "false" | "0") => (true, true),
        _ if implied_oneway => (true, false),
        _ => (true, true),
    };
    // A tagged limit is not the speed driven: like OSRM's car profile we take 80 % of it.
    let speed_kmh = t
        .maxspeed
        .as_deref()
        .and_then(parse_maxspeed)
        .map_or(default_speed, |s| s * MAXSPEED_FACTOR);
    Some(Usage {
        forward,
        backward,
        speed_kmh,
    })
}

/// Parses `maxspeed` values such as `50`, `50 km/h`, `30 mph`; symbolic values (`none`,
/// `signals`, `AD:urban`) return `None` and the class default applies.
pub fn parse_maxspeed(v: &str) -> Option<f64> {
    let v = v.trim();
    let (num, factor) = if let Some(n) = v.strip_suffix("mph") {
        (n.trim(), 1.609_344)
    } else if let Some(n) = v.strip_suffix("km/h") {
        (n.trim(), 1.0)
    } else {
        (v, 1.0)
    };
    let s: f64 = num.parse().ok()?;
    (5.0..=200.0).contains(&s).then_some(s * factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(kv: &[(&str, &str)]) -> WayTags {
        WayTags::from_tags(kv.iter().copied())
    }

    #[test]
    fn footway_is_walkable_not_drivable() {
        let t = tags(&[("highway", "footway")]);
        assert!(foot_usage(&t).is_some());
        assert!(car_usage(&t).is_none());
    }

    #[test]
    fn motorway_is_drivable_oneway_not_walkable() {
        let t = tags(&[("highway", "motorway")]);
        assert!(foot_usage(&t).is_none());
        let u = car_usage(&t).unwrap();
        assert!(u.forward && !u.backward);
        assert_eq!(u.speed_kmh, 90.0);
    }

    #[test]
    fn oneway_variants() {
        let fwd = car_usage(&tags(&[("highway", "residential"), ("oneway", "yes")])).unwrap();
        assert!(fwd.forward && !fwd.backward);
        let bwd = car_usage(&tags(&[("highway", "residential"), ("oneway", "-1")])).unwrap();
        assert!(!bwd.forward && bwd.backward);
        let rb = car_usage(&tags(&[("highway", "primary"), ("junction", "roundabout")])).unwrap();
        assert!(rb.forward && !rb.backward);
        let walk = foot_usage(&tags(&[("highway", "residential"), ("oneway", "yes")])).unwrap();
        assert!(walk.forward && walk.backward);
        assert!(car_usage(&tags(&[("highway", "primary"), ("oneway", "reversible")])).is_none());
    }

    #[test]
    fn access_restrictions() {
        assert!(car_usage(&tags(&[("highway", "service"), ("access", "private")])).is_none());
        assert!(car_usage(&tags(&[
            ("highway", "service"),
            ("access", "no"),
            ("motorcar", "yes")
        ]))
        .is_some());
        assert!(foot_usage(&tags(&[("highway", "service"), ("access", "private")])).is_none());
        assert!(foot_usage(&tags(&[
            ("highway", "service"),
            ("access", "no"),
            ("foot", "yes")
        ]))
        .is_some());
        assert!(foot_usage(&tags(&[("highway", "path"), ("foot", "no")])).is_none());
    }

    #[test]
    fn speeds() {
        assert_eq!(parse_maxspeed("50"), Some(50.0));
        assert!((parse_maxspeed("30 mph").unwrap() - 48.28).abs() < 0.01);
        assert_eq!(parse_maxspeed("AD:urban"), None);
        assert_eq!(parse_maxspeed("none"), None);
        let steps = foot_usage(&tags(&[("highway", "steps")])).unwrap();
        assert_eq!(steps.speed_kmh, STEPS_SPEED_KMH);
        let u = car_usage(&tags(&[("highway", "primary"), ("maxspeed", "70")])).unwrap();
        assert_eq!(u.speed_kmh, 70.0 * MAXSPEED_FACTOR);
    }
}
