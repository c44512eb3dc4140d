//! The values the store keeps, shared by both back ends.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a token may do. Each role includes the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads: routes, analyses, scenarios, incidents.
    Viewer,
    /// Also adds and retracts incidents and creates scenarios and versions.
    Editor,
    /// Also manages tokens.
    Admin,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }

    /// Parses `viewer`, `editor` or `admin`.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "viewer" => Some(Role::Viewer),
            "editor" => Some(Role::Editor),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// A token as listed: never its secret, which is shown once at creation and stored only as a
/// SHA-256 hash.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TokenInfo {
    pub id: i64,
    pub role: Role,
    pub label: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
    /// When it stops working (`YYYY-MM-DDTHH:MM:SS.sssZ`, UTC); `None`: never.
    pub expires_at: Option<String>,
}

impl TokenInfo {
    /// Expired at `now` (same format as `expires_at`: the strings order as the times do).
    pub fn expired_at(&self, now: &str) -> bool {
        self.expires_at.as_deref().is_some_and(|e| e <= now)
    }
}

/// Who made a write: a token id, or `None` for the server itself (scenarios given with
/// `--scenario` at start-up, `corridor token create` on the command line).
pub type Actor = Option<i64>;

/// A scenario and its newest version number.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioSummary {
    pub id: String,
    pub name: String,
    pub latest_version: i64,
    pub created_at: String,
}

/// One version of a scenario: its manifest and layer files, byte for byte as uploaded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioVersion {
    pub scenario_id: String,
    pub version: i64,
    pub note: String,
    /// File name (relative to the manifest) → content. `scenario.toml` is the manifest.
    #[serde(skip)]
    pub files: BTreeMap<String, Vec<u8>>,
    pub created_by: Actor,
    pub created_at: String,
}

/// An incident as reported: ACLED's column names (`event_id_cnty`, `event_date`, `event_type`,
/// `sub_event_type`, `latitude`, `longitude`, `fatalities`, `notes`), all as strings, validated
/// by the scenario crate's own ACLED reader before the store sees them.
pub type IncidentFields = BTreeMap<String, String>;

/// An incident in the log. Retraction never deletes: it records who, when and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncidentRecord {
    pub id: i64,
    pub scenario_id: String,
    pub fields: IncidentFields,
    pub added_by: Actor,
    pub added_at: String,
    pub retracted: Option<Retraction>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Retraction {
    pub reason: String,
    pub by: Actor,
    pub at: String,
}

/// One line of the audit log: every write, in order, with the token that made it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    pub seq: i64,
    pub at: String,
    pub actor: Actor,
    pub action: String,
    pub scenario_id: Option<String>,
    pub detail: serde_json::Value,
}
