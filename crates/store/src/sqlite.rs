//! The SQLite back end: one file, WAL journal, `synchronous=FULL`, one connection behind a
//! mutex (writes are short; reads of the incident log happen on changes, not per request).

use crate::schema::{files_from_json, files_to_json, migrations};
use crate::{
    hash_secret, new_secret, now, Actor, ChangeListener, Event, IncidentFields, IncidentRecord,
    Result, Retraction, Role, ScenarioSummary, ScenarioVersion, Store, StoreError, TokenInfo,
};
use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub struct SqliteStore {
    path: PathBuf,
    conn: Mutex<Connection>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and its folder, and migrates the schema.
    pub fn open(path: &Path) -> anyhow::Result<SqliteStore> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| anyhow::anyhow!("{}: cannot create: {e}", dir.display()))?;
        }
        let conn = Connection::open(path)
            .map_err(|e| anyhow::anyhow!("{}: cannot open: {e}", path.display()))?;
        configure(&conn).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        let mut store = SqliteStore {
            path: path.to_path_buf(),
            conn: Mutex::new(conn),
        };
        store
            .migrate()
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        Ok(store)
    }

    fn migrate(&mut self) -> Result<()> {
        let conn = self.conn.get_mut().expect("not poisoned");
        let tx = conn.transaction()?;
        let current: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let all = migrations("INTEGER PRIMARY KEY AUTOINCREMENT");
        if current as usize > all.len() {
            return Err(StoreError::Backend(format!(
                "schema version {current} is newer than this corridor knows ({}); upgrade corridor",
                all.len()
            )));
        }
        for (i, m) in all.iter().enumerate().skip(current as usize) {
            tx.execute_batch(m)?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        }
        tx.commit()?;
        Ok(())
    }

    fn with<T>(&self, f: impl FnOnce(&Transaction) -> Result<T>) -> Result<T> {
        let mut conn = self
            .conn
            .lock()
            .map_err(|_| StoreError::Backend("connection lock poisoned".into()))?;
        let tx = conn.transaction()?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }
}

/// Write-ahead log (readers never block the writer), full sync at every commit (an
/// acknowledged write survives a crash of the process or the machine), foreign keys on.
fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))
}

fn log(
    tx: &Transaction,
    actor: Actor,
    action: &str,
    scenario: Option<&str>,
    detail: serde_json::Value,
) -> Result<()> {
    tx.execute(
        "INSERT INTO events (at, actor, action, scenario_id, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![now(), actor, action, scenario, detail.to_string()],
    )?;
    Ok(())
}

fn token_row(r: &Row) -> rusqlite::Result<TokenInfo> {
    let role: String = r.get(1)?;
    Ok(TokenInfo {
        id: r.get(0)?,
        role: Role::parse(&role).unwrap_or(Role::Viewer),
        label: r.get(2)?,
        created_at: r.get(3)?,
        revoked_at: r.get(4)?,
        expires_at: r.get(5)?,
    })
}

const TOKEN_COLS: &str = "id, role, label, created_at, revoked_at, expires_at";
const INCIDENT_COLS: &str =
    "id, scenario_id, fields, added_by, added_at, retracted_reason, retracted_by, retracted_at";

fn incident_row(r: &Row) -> rusqlite::Result<(IncidentRecord, String)> {
    let reason: Option<String> = r.get(5)?;
    let retracted = match reason {
        Some(reason) => Some(Retraction {
            reason,
            by: r.get(6)?,
            at: r.get::<_, Option<String>>(7)?.unwrap_or_default(),
        }),
        None => None,
    };
    Ok((
        IncidentRecord {
            id: r.get(0)?,
            scenario_id: r.get(1)?,
            fields: BTreeMap::new(),
            added_by: r.get(3)?,
            added_at: r.get(4)?,
            retracted,
        },
        r.get(2)?,
    ))
}

fn with_fields((mut rec, fields): (IncidentRecord, String)) -> Result<IncidentRecord> {
    rec.fields = serde_json::from_str(&fields)?;
    Ok(rec)
}

fn version_row(r: &Row) -> rusqlite::Result<(ScenarioVersion, String)> {
    Ok((
        ScenarioVersion {
            scenario_id: r.get(0)?,
            version: r.get(1)?,
            note: r.get(2)?,
            files: BTreeMap::new(),
            created_by: r.get(4)?,
            created_at: r.get(5)?,
        },
        r.get(3)?,
    ))
}

fn require_scenario(tx: &Transaction, id: &str) -> Result<()> {
    let found: Option<String> = tx
        .query_row("SELECT id FROM scenarios WHERE id = ?1", [id], |r| r.get(0))
        .optional()?;
    found
        .map(|_| ())
        .ok_or_else(|| StoreError::NotFound(format!("no scenario '{id}'")))
}

fn insert_version(
    tx: &Transaction,
    id: &str,
    files: &BTreeMap<String, Vec<u8>>,
    note: &str,
    by: Actor,
) -> Result<ScenarioVersion> {
    let next: i64 = tx.query_row(
        "SELECT COALESCE(MAX(version), 0) + 1 FROM scenario_versions WHERE scenario_id = ?1",
        [id],
        |r| r.get(0),
    )?;
    let at = now();
    tx.execute(
        "INSERT INTO scenario_versions (scenario_id, version, note, files, created_at, created_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![id, next, note, files_to_json(files)?, at, by],
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

impl Store for SqliteStore {
    fn describe(&self) -> String {
        format!("sqlite:{}", self.path.display())
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
            tx.execute(
                "INSERT INTO tokens (hash, role, label, created_at, created_by, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![hash_secret(&secret), role.name(), label, now(), by, expires_at],
            )?;
            let id = tx.last_insert_rowid();
            log(tx, by, "token_create", None, serde_json::json!({"token": id, "role": role, "label": label}))?;
            let info = tx.query_row(&format!("SELECT {TOKEN_COLS} FROM tokens WHERE id = ?1"), [id], token_row)?;
            Ok((info, secret.clone()))
        })
    }

    fn authenticate(&self, secret: &str) -> Result<Option<TokenInfo>> {
        self.with(|tx| {
            Ok(tx
                .query_row(
                    &format!(
                        "SELECT {TOKEN_COLS} FROM tokens WHERE hash = ?1 AND revoked_at IS NULL"
                    ),
                    [hash_secret(secret)],
                    token_row,
                )
                .optional()?)
        })
    }

    fn tokens(&self) -> Result<Vec<TokenInfo>> {
        self.with(|tx| {
            let mut st = tx.prepare(&format!("SELECT {TOKEN_COLS} FROM tokens ORDER BY id"))?;
            let rows = st.query_map([], token_row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    fn revoke_token(&self, id: i64, by: Actor) -> Result<TokenInfo> {
        self.with(|tx| {
            let n = tx.execute(
                "UPDATE tokens SET revoked_at = ?1, revoked_by = ?2 WHERE id = ?3 AND revoked_at IS NULL",
                params![now(), by, id],
            )?;
            let info = tx
                .query_row(&format!("SELECT {TOKEN_COLS} FROM tokens WHERE id = ?1"), [id], token_row)
                .optional()?
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
            let exists: Option<String> = tx
                .query_row("SELECT id FROM scenarios WHERE id = ?1", [id], |r| r.get(0))
                .optional()?;
            if exists.is_some() {
                return Err(StoreError::Conflict(format!(
                    "scenario '{id}' exists; add a version instead"
                )));
            }
            tx.execute(
                "INSERT INTO scenarios (id, name, created_at, created_by) VALUES (?1, ?2, ?3, ?4)",
                params![id, name, now(), by],
            )?;
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
            require_scenario(tx, id)?;
            tx.execute(
                "UPDATE scenarios SET name = ?1 WHERE id = ?2",
                params![name, id],
            )?;
            insert_version(tx, id, files, note, by)
        })
    }

    fn scenarios(&self) -> Result<Vec<ScenarioSummary>> {
        self.with(|tx| {
            let mut st = tx.prepare(
                "SELECT s.id, s.name, (SELECT MAX(version) FROM scenario_versions v WHERE v.scenario_id = s.id), s.created_at
                 FROM scenarios s ORDER BY s.id",
            )?;
            let rows = st.query_map([], |r| {
                Ok(ScenarioSummary {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    latest_version: r.get(2)?,
                    created_at: r.get(3)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    fn versions(&self, id: &str) -> Result<Vec<ScenarioVersion>> {
        self.with(|tx| {
            require_scenario(tx, id)?;
            let mut st = tx.prepare(
                "SELECT scenario_id, version, note, '{}', created_by, created_at FROM scenario_versions
                 WHERE scenario_id = ?1 ORDER BY version",
            )?;
            let rows = st.query_map([id], version_row)?;
            Ok(rows
                .map(|r| r.map(|(v, _)| v))
                .collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    fn version(&self, id: &str, version: Option<i64>) -> Result<ScenarioVersion> {
        self.with(|tx| {
            require_scenario(tx, id)?;
            let row = tx
                .query_row(
                    "SELECT scenario_id, version, note, files, created_by, created_at FROM scenario_versions
                     WHERE scenario_id = ?1 AND version = COALESCE(?2,
                        (SELECT MAX(version) FROM scenario_versions WHERE scenario_id = ?1))",
                    params![id, version],
                    version_row,
                )
                .optional()?;
            let (mut v, files) = row.ok_or_else(|| {
                StoreError::NotFound(format!(
                    "scenario '{id}' has no version {}",
                    version.map(|v| v.to_string()).unwrap_or_default()
                ))
            })?;
            v.files = files_from_json(&files)?;
            Ok(v)
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
            let mut ids = Vec::with_capacity(incidents.len());
            for f in incidents {
                tx.execute(
                    "INSERT INTO incidents (scenario_id, fields, added_at, added_by) VALUES (?1, ?2, ?3, ?4)",
                    params![scenario, serde_json::to_string(f)?, now(), by],
                )?;
                ids.push(tx.last_insert_rowid());
            }
            log(tx, by, "incident_add", Some(scenario), serde_json::json!({"incidents": ids}))?;
            let mut st = tx.prepare(&format!("SELECT {INCIDENT_COLS} FROM incidents WHERE id = ?1"))?;
            ids.iter()
                .map(|id| with_fields(st.query_row([id], incident_row)?))
                .collect()
        })
    }

    fn incidents(&self, scenario: &str) -> Result<Vec<IncidentRecord>> {
        self.with(|tx| {
            require_scenario(tx, scenario)?;
            let mut st = tx.prepare(&format!(
                "SELECT {INCIDENT_COLS} FROM incidents WHERE scenario_id = ?1 ORDER BY id"
            ))?;
            let rows = st.query_map([scenario], incident_row)?;
            rows.map(|r| with_fields(r?)).collect()
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
            let sql = format!("SELECT {INCIDENT_COLS} FROM incidents WHERE id = ?1 AND scenario_id = ?2");
            let rec = tx
                .query_row(&sql, params![id, scenario], incident_row)
                .optional()?
                .ok_or_else(|| StoreError::NotFound(format!("scenario '{scenario}' has no incident {id}")))?;
            if rec.0.retracted.is_some() {
                return Err(StoreError::Conflict(format!("incident {id} is already retracted")));
            }
            tx.execute(
                "UPDATE incidents SET retracted_reason = ?1, retracted_by = ?2, retracted_at = ?3 WHERE id = ?4",
                params![reason, by, now(), id],
            )?;
            log(tx, by, "incident_retract", Some(scenario), serde_json::json!({"incident": id, "reason": reason}))?;
            with_fields(tx.query_row(&sql, params![id, scenario], incident_row)?)
        })
    }

    fn events(&self, scenario: Option<&str>, after_seq: i64) -> Result<Vec<Event>> {
        self.with(|tx| {
            let mut st = tx.prepare(
                "SELECT seq, at, actor, action, scenario_id, detail FROM events
                 WHERE seq > ?1 AND (?2 IS NULL OR scenario_id = ?2) ORDER BY seq",
            )?;
            let rows = st.query_map(params![after_seq, scenario], |r| {
                Ok((
                    Event {
                        seq: r.get(0)?,
                        at: r.get(1)?,
                        actor: r.get(2)?,
                        action: r.get(3)?,
                        scenario_id: r.get(4)?,
                        detail: serde_json::Value::Null,
                    },
                    r.get::<_, String>(5)?,
                ))
            })?;
            rows.map(|r| {
                let (mut e, d) = r?;
                e.detail = serde_json::from_str(&d)?;
                Ok(e)
            })
            .collect()
        })
    }

    fn watch(&self, _listener: ChangeListener) -> Result<()> {
        Ok(())
    }
}
