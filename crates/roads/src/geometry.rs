//! Small geometry helpers shared by import, snapping and routing output.

use geo::{Distance, Haversine, Point};

/// Great-circle distance between two `[lon, lat]` points in metres (geo's haversine on the mean
/// earth radius): accurate to ~0.5 %, far below the precision of OSM road geometry.
#[inline]
pub fn haversine_m(a: [f64; 2], b: [f64; 2]) -> f64 {
    Haversine.distance(Point::new(a[0], a[1]), Point::new(b[0], b[1]))
}

/// Length of a polyline in metres.
pub fn polyline_length_m(points: &[[f64; 2]]) -> f64 {
    points.windows(2).map(|w| haversine_m(w[0], w[1])).sum()
}

/// A local equirectangular projection to metres around a reference point. Over a city or a
/// small country its distortion is well under 1 %, and unlike Web Mercator distances in it are
/// metres everywhere, which is what snapping and spatial indexes need.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LocalProjection {
    lon0: f64,
    lat0: f64,
    kx: f64,
    ky: f64,
}

impl LocalProjection {
    /// Metres per degree of latitude on the mean earth radius (the one haversine uses).
    pub const METRES_PER_DEGREE: f64 = 6_371_008.8 * std::f64::consts::PI / 180.0;

    /// Centred on the middle of `bbox` (`[min_lon, min_lat, max_lon, max_lat]`).
    pub fn for_bbox(bbox: [f64; 4]) -> Self {
        let lon0 = (bbox[0] + bbox[2]) / 2.0;
        let lat0 = (bbox[1] + bbox[3]) / 2.0;
        LocalProjection {
            lon0,
            lat0,
            kx: Self::METRES_PER_DEGREE * lat0.to_radians().cos(),
            ky: Self::METRES_PER_DEGREE,
        }
    }

    /// Centred on one point: exact there, so distances measured from it are geodesic to second
    /// order in their length (how snapping ranks candidates).
    pub fn centred_on(p: [f64; 2]) -> Self {
        Self::for_bbox([p[0], p[1], p[0], p[1]])
    }

    /// The latitude the projection is true at.
    pub fn lat0(&self) -> f64 {
        self.lat0
    }

    #[inline]
    pub fn project(&self, p: [f64; 2]) -> [f64; 2] {
        [(p[0] - self.lon0) * self.kx, (p[1] - self.lat0) * self.ky]
    }

    #[inline]
    pub fn unproject(&self, xy: [f64; 2]) -> [f64; 2] {
        [xy[0] / self.kx + self.lon0, xy[1] / self.ky + self.lat0]
    }
}

/// The closest point to `p` on segment `a`–`b` (planar), and its parameter `t` in `[0, 1]`.
#[inline]
pub fn closest_on_segment(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> ([f64; 2], f64) {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    ([a[0] + t * dx, a[1] + t * dy], t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_degree_of_latitude_is_about_111_km() {
        let d = haversine_m([1.5, 42.0], [1.5, 43.0]);
        assert!((d - 111_195.0).abs() < 50.0, "{d}");
    }

    #[test]
    fn projection_round_trips_and_measures_metres() {
        let p = LocalProjection::for_bbox([1.4, 42.4, 1.8, 42.7]);
        let a = [1.52, 42.51];
        let b = [1.53, 42.515];
        let (pa, pb) = (p.project(a), p.project(b));
        let planar = ((pa[0] - pb[0]).powi(2) + (pa[1] - pb[1]).powi(2)).sqrt();
        assert!((planar - haversine_m(a, b)).abs() / planar < 0.005);
        let back = p.unproject(pa);
        assert!((back[0] - a[0]).abs() < 1e-12 && (back[1] - a[1]).abs() < 1e-12);
    }

    #[test]
    fn closest_point_is_clamped_to_the_segment() {
        let (c, t) = closest_on_segment([5.0, 5.0], [0.0, 0.0], [10.0, 0.0]);
        assert_eq!((c, t), ([5.0, 0.0], 0.5));
        let (c, t) = closest_on_segment([-3.0, 1.0], [0.0, 0.0], [10.0, 0.0]);
        assert_eq!((c, t), ([0.0, 0.0], 0.0));
    }
}
