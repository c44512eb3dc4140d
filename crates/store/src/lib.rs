//! The durable state of `corridor serve`: scenario versions, the incident log (append-only:
//! retraction records a reason, never deletes) with an audit log of every write and the token
//! that made it, and access tokens stored only as hashes.
//!
//! One trait, [`Store`], two back ends with the same behaviour and the same tests:
//! [`SqliteStore`] (a file in the data directory, WAL, the default) and [`PgStore`]
//! (PostgreSQL, for several servers behind a load balancer; writes are announced with
//! `NOTIFY corridor_changes` so that every server reloads within milliseconds).
//! Both migrate their schema on open.

mod model;
mod pg;
mod schema;
mod sqlite;
mod token;

pub use model::*;
pub use pg::PgStore;
pub use sqlite::SqliteStore;
pub use token::{hash_secret, new_secret};

use std::path::Path;

/// What can go wrong, split by what the caller should answer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The named scenario, version, incident or token does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The write contradicts what is stored (a scenario id taken, an incident already retracted).
    #[error("{0}")]
    Conflict(String),
    /// The database failed; the write did not happen.
    #[error("database: {0}")]
    Backend(String),
}

pub type Result<T> = std::result::Result<T, StoreError>;

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> StoreError {
        StoreError::Backend(e.to_string())
    }
}

impl From<postgres::Error> for StoreError {
    fn from(e: postgres::Error) -> StoreError {
        StoreError::Backend(e.to_string())
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> StoreError {
        StoreError::Backend(format!("stored JSON: {e}"))
    }
}

/// Called with a scenario id whenever another process changed that scenario's incidents or
/// versions.
pub type ChangeListener = Box<dyn Fn(&str) + Send + 'static>;

/// The service's state. Every method is one transaction: when it returns `Ok`, the write is
/// durable (SQLite `synchronous=FULL`, PostgreSQL commit).
pub trait Store: Send + Sync {
    /// Which back end, for logs and `/health`: `sqlite:PATH` or `postgres`.
    fn describe(&self) -> String;

    /// A new token that never expires; returns it with its secret, which is never stored or
    /// shown again.
    fn create_token(&self, role: Role, label: &str, by: Actor) -> Result<(TokenInfo, String)> {
        self.create_token_expiring(role, label, None, by)
    }
    /// A new token that stops working at `expires_at` (format of [`now`]; `None`: never).
    fn create_token_expiring(
        &self,
        role: Role,
        label: &str,
        expires_at: Option<&str>,
        by: Actor,
    ) -> Result<(TokenInfo, String)>;
    /// The token with this secret, if it exists and is not revoked.
    fn authenticate(&self, secret: &str) -> Result<Option<TokenInfo>>;
    fn tokens(&self) -> Result<Vec<TokenInfo>>;
    /// Revokes a token (idempotent: revoking twice keeps the first time).
    fn revoke_token(&self, id: i64, by: Actor) -> Result<TokenInfo>;

    /// A new scenario with its first version. `Conflict` if the id is taken.
    fn create_scenario(
        &self,
        id: &str,
        name: &str,
        files: &std::collections::BTreeMap<String, Vec<u8>>,
        note: &str,
        by: Actor,
    ) -> Result<ScenarioVersion>;
    /// The next version of a scenario.
    fn add_version(
        &self,
        id: &str,
        name: &str,
        files: &std::collections::BTreeMap<String, Vec<u8>>,
        note: &str,
        by: Actor,
    ) -> Result<ScenarioVersion>;
    fn scenarios(&self) -> Result<Vec<ScenarioSummary>>;
    /// Versions of a scenario, oldest first, without their files.
    fn versions(&self, id: &str) -> Result<Vec<ScenarioVersion>>;
    /// One version with its files (`None` = the newest).
    fn version(&self, id: &str, version: Option<i64>) -> Result<ScenarioVersion>;

    /// Appends incidents to a scenario's log, all or none.
    fn add_incidents(
        &self,
        scenario: &str,
        incidents: &[IncidentFields],
        by: Actor,
    ) -> Result<Vec<IncidentRecord>>;
    /// The whole log of a scenario, retracted incidents included, in the order added.
    fn incidents(&self, scenario: &str) -> Result<Vec<IncidentRecord>>;
    /// Marks an incident retracted with a reason. `Conflict` if it already is.
    fn retract_incident(
        &self,
        scenario: &str,
        id: i64,
        reason: &str,
        by: Actor,
    ) -> Result<IncidentRecord>;

    /// The audit log after `after_seq`, optionally of one scenario.
    fn events(&self, scenario: Option<&str>, after_seq: i64) -> Result<Vec<Event>>;

    /// Calls `listener` when another process changes a scenario. SQLite: nothing to watch (one
    /// server per data directory); PostgreSQL: `LISTEN corridor_changes` on its own connection.
    fn watch(&self, listener: ChangeListener) -> Result<()>;
}

/// Opens the store a `serve` or `token` command names: PostgreSQL when `database` is given,
/// else `corridor.sqlite3` in `data_dir` (created if missing).
pub fn open(database: Option<&str>, data_dir: &Path) -> anyhow::Result<Box<dyn Store>> {
    Ok(match database {
        Some(url) => Box::new(PgStore::open(url)?),
        None => Box::new(SqliteStore::open(&data_dir.join("corridor.sqlite3"))?),
    })
}

/// The current time as RFC 3339 (UTC, milliseconds), the form every stored time takes.
/// The current time as the store writes it (`YYYY-MM-DDTHH:MM:SS.sssZ`, UTC): token expiry is
/// compared with it.
pub fn now() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

/// For tests against PostgreSQL: the URL in `CORRIDOR_TEST_DATABASE_URL`, pointed at a fresh
/// schema of its own (so that tests running in parallel do not see each other's rows), or
/// `None` after printing that the test is skipped.
pub fn test_database_url(test: &str) -> Option<String> {
    let Ok(base) = std::env::var("CORRIDOR_TEST_DATABASE_URL") else {
        eprintln!("{test}: skipped against PostgreSQL: CORRIDOR_TEST_DATABASE_URL is not set");
        return None;
    };
    let schema = format!("t_{}", &new_secret()[4..16]);
    let mut c = postgres::Client::connect(&base, postgres::NoTls)
        .unwrap_or_else(|e| panic!("CORRIDOR_TEST_DATABASE_URL: {e}"));
    c.batch_execute(&format!("CREATE SCHEMA {schema}"))
        .expect("create a test schema");
    let sep = if base.contains('?') { '&' } else { '?' };
    Some(format!("{base}{sep}options=-csearch_path%3D{schema}"))
}
