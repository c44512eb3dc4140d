//! Parsing OSRM request URLs: `{lon},{lat};{lon},{lat}…` and the query parameters, with OSRM's
//! error codes. Kept apart from the handlers so that each rule has one place.

use crate::error::{ApiError, ApiResult};
use corridor_roads::Profile;
use std::collections::BTreeMap;

/// Most coordinates one request may carry (osrm-routed's default `--max-table-size` is 100).
pub const MAX_COORDINATES: usize = 100;

/// OSRM profile names as clients send them: `foot`/`walking`, `car`/`driving`.
pub fn profile(name: &str) -> ApiResult<Profile> {
    match name {
        "foot" | "walking" | "walk" => Ok(Profile::Foot),
        "car" | "driving" | "drive" => Ok(Profile::Car),
        _ => Err(ApiError::osrm(
            "InvalidValue",
            format!("profile '{name}': this server has foot (walking) and car (driving)"),
        )),
    }
}

/// `lon,lat;lon,lat…`, or as OSRM also accepts them `polyline({polyline})` (Google's encoded
/// polyline, 5 decimals, latitude first) and `polyline6({polyline6})` (6 decimals); an optional
/// `.json` suffix is accepted, as OSRM does.
pub fn coordinates(s: &str) -> ApiResult<Vec<[f64; 2]>> {
    let s = s.strip_suffix(".json").unwrap_or(s);
    let out = match encoded(s) {
        Some((text, precision)) => decode(text, precision)?,
        None => lon_lat_pairs(s)?,
    };
    if out.len() > MAX_COORDINATES {
        return Err(ApiError::osrm(
            "TooBig",
            format!("{} coordinates: at most {MAX_COORDINATES}", out.len()),
        ));
    }
    Ok(out)
}

/// The text inside `polyline(…)` or `polyline6(…)`, with its precision (decimal digits).
fn encoded(s: &str) -> Option<(&str, u32)> {
    let inner = |prefix: &str| s.strip_prefix(prefix)?.strip_suffix(')');
    inner("polyline6(")
        .map(|t| (t, 6))
        .or_else(|| inner("polyline(").map(|t| (t, 5)))
}

/// Decodes an encoded polyline into `[lon, lat]` points, each checked like a plain pair.
fn decode(text: &str, precision: u32) -> ApiResult<Vec<[f64; 2]>> {
    let kind = if precision == 6 {
        "polyline6"
    } else {
        "polyline"
    };
    use polyline::errors::PolylineError::{LatitudeCoordError, LongitudeCoordError};
    let line = polyline::decode_polyline(text, precision).map_err(|e| match e {
        LongitudeCoordError { .. } | LatitudeCoordError { .. } => ApiError::osrm(
            "InvalidValue",
            format!("{kind}({text}): {e}: longitude must be within ±180 and latitude within ±90"),
        ),
        _ => ApiError::osrm(
            "InvalidUrl",
            format!("{kind}({text}): not a valid encoded polyline: {e}"),
        ),
    })?;
    if line.0.is_empty() {
        return Err(ApiError::osrm(
            "InvalidUrl",
            format!("{kind}({text}): no coordinates"),
        ));
    }
    let mut out = Vec::new();
    for (i, c) in line.0.iter().enumerate() {
        out.push(checked(i, &format!("{},{}", c.x, c.y), c.x, c.y)?);
    }
    Ok(out)
}

/// A coordinate within ±180/±90, or OSRM's `InvalidValue` naming it.
fn checked(i: usize, text: &str, lon: f64, lat: f64) -> ApiResult<[f64; 2]> {
    if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
        return Err(ApiError::osrm(
            "InvalidValue",
            format!(
                "coordinate {i} '{text}': longitude must be within ±180 and latitude within ±90"
            ),
        ));
    }
    Ok([lon, lat])
}

/// `lon,lat;lon,lat…` in decimal degrees.
fn lon_lat_pairs(s: &str) -> ApiResult<Vec<[f64; 2]>> {
    let mut out = Vec::new();
    for (i, pair) in s.split(';').enumerate() {
        let bad = || {
            ApiError::osrm(
                "InvalidUrl",
                format!("coordinate {i} '{pair}': expected lon,lat in decimal degrees"),
            )
        };
        let (a, b) = pair.split_once(',').ok_or_else(bad)?;
        let lon: f64 = a.trim().parse().map_err(|_| bad())?;
        let lat: f64 = b.trim().parse().map_err(|_| bad())?;
        if !lon.is_finite() || !lat.is_finite() {
            return Err(bad());
        }
        out.push(checked(i, pair, lon, lat)?);
    }
    Ok(out)
}

/// Query parameters, each given at most once, checked against the names an endpoint accepts.
pub struct Params(BTreeMap<String, String>);

impl Params {
    /// Rejects unknown and repeated parameters with `InvalidQuery`.
    pub fn parse(pairs: Vec<(String, String)>, allowed: &[&str]) -> ApiResult<Params> {
        let mut m = BTreeMap::new();
        for (k, v) in pairs {
            if !allowed.contains(&k.as_str()) {
                return Err(ApiError::osrm(
                    "InvalidQuery",
                    format!(
                        "unknown query parameter '{k}' (this endpoint takes: {})",
                        allowed.join(", ")
                    ),
                ));
            }
            if m.insert(k.clone(), v).is_some() {
                return Err(ApiError::osrm(
                    "InvalidQuery",
                    format!("query parameter '{k}' given twice"),
                ));
            }
        }
        Ok(Params(m))
    }

    pub fn get(&self, k: &str) -> Option<&str> {
        self.0.get(k).map(String::as_str)
    }

    /// One of `choices` (the first is the default).
    pub fn choice<'a>(&'a self, k: &str, choices: &[&'a str]) -> ApiResult<&'a str> {
        match self.get(k) {
            None => Ok(choices[0]),
            Some(v) if choices.contains(&v) => Ok(v),
            Some(v) => Err(invalid_value(
                k,
                v,
                &format!("one of {}", choices.join(", ")),
            )),
        }
    }

    pub fn bool(&self, k: &str) -> ApiResult<bool> {
        Ok(self.choice(k, &["false", "true"])? == "true")
    }

    /// A non-negative finite number, if given.
    pub fn number(&self, k: &str) -> ApiResult<Option<f64>> {
        self.get(k)
            .map(|v| {
                v.parse::<f64>()
                    .ok()
                    .filter(|x| x.is_finite() && *x >= 0.0)
                    .ok_or_else(|| invalid_value(k, v, "a non-negative number"))
            })
            .transpose()
    }

    /// `a;b;c` with one entry per coordinate, each parsed by `f` (`None` = not given).
    pub fn per_coordinate<T>(
        &self,
        k: &str,
        n: usize,
        f: impl Fn(&str) -> Option<T>,
        what: &str,
    ) -> ApiResult<Option<Vec<T>>> {
        let Some(v) = self.get(k) else {
            return Ok(None);
        };
        let parts: Vec<&str> = v.split(';').collect();
        if parts.len() != n {
            return Err(invalid_value(
                k,
                v,
                &format!("{n} values separated by ';', one per coordinate"),
            ));
        }
        parts
            .iter()
            .map(|p| f(p).ok_or_else(|| invalid_value(k, v, what)))
            .collect::<ApiResult<Vec<T>>>()
            .map(Some)
    }

    /// `all` or `i;j;…` indices below `n`.
    pub fn indices(&self, k: &str, n: usize) -> ApiResult<Vec<usize>> {
        match self.get(k) {
            None | Some("all") => Ok((0..n).collect()),
            Some(v) => v
                .split(';')
                .map(|x| x.parse::<usize>().ok().filter(|&i| i < n))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| {
                    invalid_value(
                        k,
                        v,
                        &format!("'all' or indices below {n} separated by ';'"),
                    )
                }),
        }
    }
}

pub fn invalid_value(k: &str, v: &str, expected: &str) -> ApiError {
    ApiError::osrm("InvalidValue", format!("{k}='{v}': expected {expected}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates_are_lon_lat_and_checked() {
        assert_eq!(
            coordinates("1.52,42.5;1.53,42.51.json").unwrap(),
            vec![[1.52, 42.5], [1.53, 42.51]]
        );
        for (bad, code) in [
            ("1.52", "InvalidUrl"),
            ("a,b", "InvalidUrl"),
            ("1,NaN", "InvalidUrl"),
            ("1.5,42;", "InvalidUrl"),
            ("181,0", "InvalidValue"),
            ("0,-91", "InvalidValue"),
            ("polyline(_p~iF~ps|U", "InvalidUrl"),
            ("polyline()", "InvalidUrl"),
            ("polyline(_p~iF)", "InvalidUrl"),
            // 10°N, 200°E, Google's algorithm step by step (an independent encoder agrees):
            // 1,000,000 → "_c`|@", 20,000,000 → "_ouce@".
            ("polyline(_c`|@_ouce@)", "InvalidValue"),
        ] {
            assert_eq!(coordinates(bad).unwrap_err().body.code, code, "{bad}");
        }
        let many = vec!["1,1"; MAX_COORDINATES + 1].join(";");
        assert_eq!(coordinates(&many).unwrap_err().body.code, "TooBig");
    }

    #[test]
    fn polyline_coordinates_as_googles_documented_example() {
        // developers.google.com/maps/documentation/utilities/polylinealgorithm: the points
        // (38.5, -120.2), (40.7, -120.95), (43.252, -126.453) encode as below.
        let close = |a: &[[f64; 2]], b: &[[f64; 2]]| {
            a.len() == b.len()
                && a.iter()
                    .zip(b)
                    .all(|(x, y)| (x[0] - y[0]).abs() < 1e-9 && (x[1] - y[1]).abs() < 1e-9)
        };
        let google = [[-120.2, 38.5], [-120.95, 40.7], [-126.453, 43.252]];
        let got = coordinates("polyline(_p~iF~ps|U_ulLnnqC_mqNvxq`@)").unwrap();
        assert!(close(&got, &google), "{got:?}");
        // The same integers at 6 decimals are ten times smaller (polyline6).
        let got = coordinates("polyline6(_p~iF~ps|U_ulLnnqC_mqNvxq`@).json").unwrap();
        let tenth: Vec<[f64; 2]> = google.iter().map(|c| [c[0] / 10.0, c[1] / 10.0]).collect();
        assert!(close(&got, &tenth), "{got:?}");
        // (42.5 N, 1.5 E) at 5 decimals, Google's algorithm step by step (an independent
        // encoder agrees): 4,250,000 → "_xkbG", 150,000 → "_~cH".
        let got = coordinates("polyline(_xkbG_~cH)").unwrap();
        assert!(close(&got, &[[1.5, 42.5]]), "{got:?}");
    }

    #[test]
    fn unknown_and_repeated_parameters_are_rejected() {
        let p = |v: &[(&str, &str)]| {
            Params::parse(
                v.iter()
                    .map(|(a, b)| (a.to_string(), b.to_string()))
                    .collect(),
                &["steps", "radiuses"],
            )
        };
        assert_eq!(p(&[("zoom", "1")]).err().unwrap().body.code, "InvalidQuery");
        assert_eq!(
            p(&[("steps", "true"), ("steps", "false")])
                .err()
                .unwrap()
                .body
                .code,
            "InvalidQuery"
        );
        let ok = p(&[("steps", "true"), ("radiuses", "5;unlimited")]).unwrap();
        assert!(ok.bool("steps").unwrap());
        assert_eq!(
            p(&[("steps", "yes")])
                .unwrap()
                .bool("steps")
                .unwrap_err()
                .body
                .code,
            "InvalidValue"
        );
        assert!(ok
            .per_coordinate("radiuses", 3, |x| x.parse::<f64>().ok(), "metres")
            .is_err());
        assert_eq!(ok.indices("sources", 3).unwrap(), vec![0, 1, 2]);
    }
}
