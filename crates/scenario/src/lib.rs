//! Conflict scenarios on a road map: who holds which ground, where the front lines run, where
//! shells fell, which roads are cut, where the declared crossings are — and from that, which
//! roads a traveller may use and how dangerous each one is.
//!
//! A scenario changes edge costs, never the graph: [`ScenarioMap`] turns a [`Scenario`] and a
//! profile graph into per-edge risk and passability, and [`ScenarioMap::weights`] into the arc
//! weights the routing crate searches on.

mod frontline;
mod ground;
mod load;
mod model;
mod neutral;
mod onmap;
mod placement;
mod risk;

pub use frontline::{front_lines, FrontLine};
pub use load::{
    incident_from_fields, load, load_at, parse_hours, parse_incidents_csv, IncidentFields,
    INCIDENT_COLUMNS,
};
pub use model::*;
pub use onmap::{
    check_checkpoints, check_on_map, front_distance_m, Checkpoint, Exposure, Mode, PassedIncident,
    RiskiestSegment, ScenarioMap, WHAT_IF,
};
pub use placement::{nearest_way, place, way_edges_near, CLOSURE_RADIUS_M};
pub use risk::{incident_kernel, incident_peak, IncidentKind, IMPRECISE_RADIUS_M};

use std::path::{Path, PathBuf};

/// A problem with a scenario file. The message names the file, the line or feature, and the
/// problem, in one line.
#[derive(Debug, thiserror::Error)]
#[error("{}{}: {msg}", path.display(), place.as_ref().map(|p| format!(", {p}")).unwrap_or_default())]
pub struct ScenarioError {
    pub path: PathBuf,
    /// "line 7", "feature 3", …
    pub place: Option<String>,
    pub msg: String,
}

impl ScenarioError {
    pub fn at(path: &Path, place: Option<String>, msg: String) -> ScenarioError {
        ScenarioError {
            path: path.to_path_buf(),
            place,
            msg,
        }
    }

    pub(crate) fn io(path: &Path, e: std::io::Error) -> ScenarioError {
        let msg = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file".to_string(),
            _ => e.to_string(),
        };
        ScenarioError::at(path, None, msg)
    }
}
