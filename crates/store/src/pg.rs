//! The PostgreSQL back end, for several servers on one database. Same schema and behaviour as
//! SQLite; every write to a scenario also runs `pg_notify('corridor_changes', scenario_id)`,
//! delivered at commit, which [`Store::watch`] turns into reloads in the other servers.
//!
//! The `postgres` client blocks: call it from plain threads (the server uses
//! `spawn_blocking`), never from inside an async task.

use crate::schema::{files_from_json, files_to_json, migrations};
use crate::{
    hash_secret, new_secret, now, Actor, ChangeListener, Event, IncidentFields, IncidentRecord,
    Result, Retraction, Role, ScenarioSummary, ScenarioVersion, Store, StoreError, TokenInfo,
};
use postgres::fallible_iterator::FallibleIterator;
use postgres::{Client, NoTls, Row, Transaction};
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

/// The channel every server listens on; the payload is the scenario id.
pub const CHANNEL: &str = "corridor_changes";

pub struct PgStore {
    url: String,
    client: Mutex<Client>,
}

impl PgStore {
    /// Connects and migrates. `url` is a libpq-style URL, e.g.
    /// `postgres://corridor:secret@127.0.0.1/corridor`.
    pub fn open(url: &str) -> anyhow::Result<PgStore> {
        let client = Client::connect(url, NoTls)
            .map_err(|e| anyhow::anyhow!("--database: cannot connect to PostgreSQL: {e}"))?;
        let mut store = PgStore {
            url: url.to_string(),
            client: Mutex::new(client),
        };
        store
            .migrate()
            .map_err(|e| anyhow::anyhow!("--database: {e}"))?;
        Ok(store)
    }

    fn migrate(&mut self) -> Result<()> {
        let client = self.client.get_mut().expect("not poisoned");
        let mut tx = client.transaction()?;
        // Two servers starting at once must not both migrate.
        tx.execute("SELECT pg_advisory_xact_lock(74110012)", &[])?;
        tx.batch_execute("CREATE TABLE IF NOT EXISTS corridor_schema (version BIGINT NOT NULL)")?;
        let current: i64 = tx
            .query_opt("SELECT version FROM corridor_schema", &[])?
            .map(|r| r.get(0))
            .unwrap_or(0);
        let all = migrations("BIGSERIAL PRIMARY KEY");
        if current as usize > all.len() {
            return Err(StoreError::Backend(format!(
                "schema version {current} is newer than this corridor knows ({}); upgrade corridor",
                all.len()
            )));
        }
        for m in all.iter().skip(current as usize) {
            tx.batch_execute(m)?;
        }
        tx.execute("DELETE FROM corridor_schema", &[])?;
        tx.execute(
            "INSERT INTO corridor_schema (version) VALUES ($1)",
            &[&(all.len() as i64)],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn with<T>(&self, f: impl FnOnce(&mut Transaction) -> Result<T>) -> Result<T> {
        let mut client = self
            .client
            .lock()
            .map_err(|_| StoreError::Backend("connection lock poisoned".into()))?;
        if client.is_closed() {
            *client = Client::connect(&self.url, NoTls)?;
        }
        let mut tx = client.transaction()?;
        let out = f(&mut tx)?;
        tx.commit()?;
        Ok(out)
    }
}

fn log(
    tx: &mut Transaction,
    actor: Actor,
    action: &str,
    scenario: Option<&str>,
    detail: serde_json::Value,
) -> Result<()> {
    tx.execute(
        "INSERT INTO events (at, actor, action, scenario_id, detail) VALUES ($1, $2, $3, $4, $5)",
        &[&now(), &actor, &action, &scenario, &detail.to_string()],
    )?;
    if let Some(s) = scenario {
        tx.execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &s])?;
    }
    Ok(())
}

const TOKEN_COLS: &str = "id, role, label, created_at, revoked_at, expires_at";
const INCIDENT_COLS: &str =
    "id, scenario_id, fields, added_by, added_at, retracted_reason, retracted_by, retracted_at";

fn token_row(r: &Row) -> TokenInfo {
    let role: String = r.get(1);
    TokenInfo {
        id: r.get(0),
        role: Role::parse(&role).unwrap_or(Role::Viewer),
        label: r.get(2),
        created_at: r.get(3),
        revoked_at: r.get(4),
        expires_at: r.get(5),
    }
}

fn incident_row(r: &Row) -> Result<IncidentRecord> {
    let reason: Option<String> = r.get(5);
    let fields: String = r.get(2);
    Ok(IncidentRecord {
        id: r.get(0),
        scenario_id: r.get(1),
        fields: serde_json::from_str(&fields)?,
        added_by: r.get(3),
        added_at: r.get(4),
        retracted: reason.map(|reason| Retraction {
            reason,
            by: r.get(6),
            at: r.get::<_, Option<String>>(7).unwrap_or_default(),
        }),
    })
}

fn version_row(r: &Row, with_files: bool) -> Result<ScenarioVersion> {
    let files: String = r.get(3);
    Ok(ScenarioVersion {
        scenario_id: r.get(0),
        version: r.get(1),
        note: r.get(2),
        files: if with_files {
            files_from_json(&files)?
        } else {
            BTreeMap::new()
        },
        created_by: r.get(4),
        created_at: r.get(5),
    })
}

fn require_scenario(tx: &mut Transaction, id: &str) -> Result<()> {
    tx.query_opt("SELECT id FROM scenarios WHERE id = $1", &[&id])?
        .map(|_| ())
        .ok_or_else(|| StoreError::NotFound(format!("no scenario '{id}'")))
}

fn insert_version(
    tx: &mut Transaction,
    id: &str,
    files: &BTreeMap<String, Vec<u8>>,
    note: &str,
    by: Actor,
) -> Result<ScenarioVersion> {
    let next: i64 = tx
        .query_one(
            "SELECT COALESCE(MAX(version), 0) + 1 FROM scenario_versions WHERE scenario_id = $1",
            &[&id],
        )?
        .get(0);
    let at = now();
    tx.execute(
        "INSERT INTO scenario_versions (scenario_id, version, note, files, created_at, created_by)
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[&id, &next, &note, &files_to_json(files)?, &at, &by],
    )?;
    log(
        tx,
        by,
        "scenario_version",
        Some(id),
        serde_json::json!({"version": next, "note": note}),
    )?;
    Ok(ScenarioVersion {
        scenario_id: id.to_string(),
        version: next,
        note: note.to_string(),
        files: files.clone(),
        created_by: by,
        created_at: at,
    })
}

impl Store for PgStore {
    fn describe(&self) -> String {
        "postgres".into()
    }

    fn create_token_expiring(
        &self,
        role: Role,
        label: &str,
        expires_at: Option<&str>,
        by: Actor,
    ) -> Result<(TokenInfo, String)> {
        let secret = new_secret();
        self.with(|tx| {
            let row = tx.query_one(
                &format!("INSERT INTO tokens (hash, role, label, created_at, created_by, expires_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING {TOKEN_COLS}"),
                &[&hash_secret(&secret), &role.name(), &label, &now(), &by, &expires_at],
            )?;
            let info = token_row(&row);
            log(tx, by, "token_create", None, serde_json::json!({"token": info.id, "role": role, "label": label}))?;
            Ok((info, secret.clone()))
        })
    }

    fn authenticate(&self, secret: &str) -> Result<Option<TokenInfo>> {
        self.with(|tx| {
            Ok(tx
                .query_opt(
                    &format!(
                        "SELECT {TOKEN_COLS} FROM tokens WHERE hash = $1 AND revoked_at IS NULL"
                    ),
                    &[&hash_secret(secret)],
                )?
                .map(|r| token_row(&r)))
        })
    }

    fn tokens(&self) -> Result<Vec<TokenInfo>> {
        self.with(|tx| {
            Ok(tx
                .query(&format!("SELECT {TOKEN_COLS} FROM tokens ORDER BY id"), &[])?
                .iter()
                .map(token_row)
                .collect())
        })
    }

    fn revoke_token(&self, id: i64, by: Actor) -> Result<TokenInfo> {
        self.with(|tx| {
            let n = tx.execute(
                "UPDATE tokens SET revoked_at = $1, revoked_by = $2 WHERE id = $3 AND revoked_at IS NULL",
                &[&now(), &by, &id],
            )?;
            let info = tx
                .query_opt(&format!("SELECT {TOKEN_COLS} FROM tokens WHERE id = $1"), &[&id])?
                .map(|r| token_row(&r))
                .ok_or_else(|| StoreError::NotFound(format!("no token {id}")))?;
            if n > 0 {
                log(tx, by, "token_revoke", None, serde_json::json!({"token": id}))?;
            }
            Ok(info)
        })
    }

    fn create_scenario(
        &self,
        id: &str,
        name: &str,
        files: &BTreeMap<String, Vec<u8>>,
        note: &str,
        by: Actor,
    ) -> Result<ScenarioVersion> {
        self.with(|tx| {
            let n = tx.execute(
                "INSERT INTO scenarios (id, name, created_at, created_by) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (id) DO NOTHING",
                &[&id, &name, &now(), &by],
            )?;
            if n == 0 {
                return Err(StoreError::Conflict(format!(
                    "scenario '{id}' exists; add a version instead"
                )));
            }
            insert_version(tx, id, files, note, by)
        })
    }

    fn add_version(
        &self,
        id: &str,
        name: &str,
        files: &BTreeMap<String, Vec<u8>>,
        note: &str,
        by: Actor,
    ) -> Result<ScenarioVersion> {
        self.with(|tx| {
            // Lock the scenario row so that concurrent versions number one after the other.
            let found =
                tx.query_opt("SELECT id FROM scenarios WHERE id = $1 FOR UPDATE", &[&id])?;
            if found.is_none() {
                return Err(StoreError::NotFound(format!("no scenario '{id}'")));
            }
            tx.execute(
                "UPDATE scenarios SET name = $1 WHERE id = $2",
                &[&name, &id],
            )?;
            insert_version(tx, id, files, note, by)
        })
    }

    fn scenarios(&self) -> Result<Vec<ScenarioSummary>> {
        self.with(|tx| {
            Ok(tx
                .query(
                    "SELECT s.id, s.name, (SELECT MAX(version) FROM scenario_versions v WHERE v.scenario_id = s.id), s.created_at
                     FROM scenarios s ORDER BY s.id",
                    &[],
                )?
                .iter()
                .map(|r| ScenarioSummary {
                    id: r.get(0),
                    name: r.get(1),
                    latest_version: r.get::<_, Option<i64>>(2).unwrap_or(0),
                    created_at: r.get(3),
                })
                .collect())
        })
    }

    fn versions(&self, id: &str) -> Result<Vec<ScenarioVersion>> {
        self.with(|tx| {
            require_scenario(tx, id)?;
            tx.query(
                "SELECT scenario_id, version, note, '{}', created_by, created_at FROM scenario_versions
                 WHERE scenario_id = $1 ORDER BY version",
                &[&id],
            )?
            .iter()
            .map(|r| version_row(r, false))
            .collect()
        })
    }

    fn version(&self, id: &str, version: Option<i64>) -> Result<ScenarioVersion> {
        self.with(|tx| {
            require_scenario(tx, id)?;
            let row = tx.query_opt(
                "SELECT scenario_id, version, note, files, created_by, created_at FROM scenario_versions
                 WHERE scenario_id = $1 AND version = COALESCE($2,
                    (SELECT MAX(version) FROM scenario_versions WHERE scenario_id = $1))",
                &[&id, &version],
            )?;
            let row = row.ok_or_else(|| {
                StoreError::NotFound(format!(
                    "scenario '{id}' has no version {}",
                    version.map(|v| v.to_string()).unwrap_or_default()
                ))
            })?;
            version_row(&row, true)
        })
    }

    fn add_incidents(
        &self,
        scenario: &str,
        incidents: &[IncidentFields],
        by: Actor,
    ) -> Result<Vec<IncidentRecord>> {
        self.with(|tx| {
            require_scenario(tx, scenario)?;
            let mut out = Vec::with_capacity(incidents.len());
            for f in incidents {
                let row = tx.query_one(
                    &format!("INSERT INTO incidents (scenario_id, fields, added_at, added_by) VALUES ($1, $2, $3, $4) RETURNING {INCIDENT_COLS}"),
                    &[&scenario, &serde_json::to_string(f)?, &now(), &by],
                )?;
                out.push(incident_row(&row)?);
            }
            let ids: Vec<i64> = out.iter().map(|r| r.id).collect();
            log(tx, by, "incident_add", Some(scenario), serde_json::json!({"incidents": ids}))?;
            Ok(out)
        })
    }

    fn incidents(&self, scenario: &str) -> Result<Vec<IncidentRecord>> {
        self.with(|tx| {
            require_scenario(tx, scenario)?;
            tx.query(
                &format!(
                    "SELECT {INCIDENT_COLS} FROM incidents WHERE scenario_id = $1 ORDER BY id"
                ),
                &[&scenario],
            )?
            .iter()
            .map(incident_row)
            .collect()
        })
    }

    fn retract_incident(
        &self,
        scenario: &str,
        id: i64,
        reason: &str,
        by: Actor,
    ) -> Result<IncidentRecord> {
        self.with(|tx| {
            let sql = format!(
                "SELECT {INCIDENT_COLS} FROM incidents WHERE id = $1 AND scenario_id = $2 FOR UPDATE"
            );
            let row = tx.query_opt(&sql, &[&id, &scenario])?.ok_or_else(|| {
                StoreError::NotFound(format!("scenario '{scenario}' has no incident {id}"))
            })?;
            if incident_row(&row)?.retracted.is_some() {
                return Err(StoreError::Conflict(format!(
                    "incident {id} is already retracted"
                )));
            }
            tx.execute(
                "UPDATE incidents SET retracted_reason = $1, retracted_by = $2, retracted_at = $3 WHERE id = $4",
                &[&reason, &by, &now(), &id],
            )?;
            log(
                tx,
                by,
                "incident_retract",
                Some(scenario),
                serde_json::json!({"incident": id, "reason": reason}),
            )?;
            incident_row(&tx.query_one(&sql, &[&id, &scenario])?)
        })
    }

    fn events(&self, scenario: Option<&str>, after_seq: i64) -> Result<Vec<Event>> {
        self.with(|tx| {
            tx.query(
                "SELECT seq, at, actor, action, scenario_id, detail FROM events
                 WHERE seq > $1 AND ($2::TEXT IS NULL OR scenario_id = $2) ORDER BY seq",
                &[&after_seq, &scenario],
            )?
            .iter()
            .map(|r| {
                let d: String = r.get(5);
                Ok(Event {
                    seq: r.get(0),
                    at: r.get(1),
                    actor: r.get(2),
                    action: r.get(3),
                    scenario_id: r.get(4),
                    detail: serde_json::from_str(&d)?,
                })
            })
            .collect()
        })
    }

    fn watch(&self, listener: ChangeListener) -> Result<()> {
        let url = self.url.clone();
        // Connect once here so that a bad URL fails at start-up, not silently in the thread.
        let first = Client::connect(&url, NoTls)?;
        std::thread::Builder::new()
            .name("corridor-pg-listen".into())
            .spawn(move || listen_forever(url, first, listener))
            .map_err(|e| StoreError::Backend(format!("cannot start the listener: {e}")))?;
        Ok(())
    }
}

/// `LISTEN`s and calls `listener` per notification; on a lost connection, reconnects every
/// second and then calls `listener("*")` (anything may have changed meanwhile).
fn listen_forever(url: String, mut client: Client, listener: ChangeListener) {
    loop {
        if client.batch_execute(&format!("LISTEN {CHANNEL}")).is_ok() {
            loop {
                let mut n = client.notifications();
                let mut it = n.timeout_iter(Duration::from_secs(30));
                match it.next() {
                    Ok(Some(note)) => listener(note.payload()),
                    Ok(None) => {
                        drop(it);
                        drop(n);
                        if client.is_valid(Duration::from_secs(5)).is_err() {
                            break;
                        }
                    }
                    Err(_) => break,
                }
            }
        }
        loop {
            std::thread::sleep(Duration::from_secs(1));
            if let Ok(c) = Client::connect(&url, NoTls) {
                client = c;
                listener("*");
                break;
            }
        }
    }
}
