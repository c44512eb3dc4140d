//! The schema, as numbered migrations shared by both back ends. A migration is applied once,
//! in order, in the same transaction as the bump of the stored schema version; never edit one
//! that has shipped: add the next.

/// `{id}` is the auto-increment key type of the back end.
pub const MIGRATIONS: &[&str] = &[
    // 1: tokens, scenarios and versions, the incident log, the audit log.
    "CREATE TABLE tokens (
        id {id},
        hash TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL,
        label TEXT NOT NULL,
        created_at TEXT NOT NULL,
        created_by BIGINT,
        revoked_at TEXT,
        revoked_by BIGINT
    );
    CREATE TABLE scenarios (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        created_at TEXT NOT NULL,
        created_by BIGINT
    );
    CREATE TABLE scenario_versions (
        scenario_id TEXT NOT NULL REFERENCES scenarios(id),
        version BIGINT NOT NULL,
        note TEXT NOT NULL,
        files TEXT NOT NULL,
        created_at TEXT NOT NULL,
        created_by BIGINT,
        PRIMARY KEY (scenario_id, version)
    );
    CREATE TABLE incidents (
        id {id},
        scenario_id TEXT NOT NULL REFERENCES scenarios(id),
        fields TEXT NOT NULL,
        added_at TEXT NOT NULL,
        added_by BIGINT,
        retracted_reason TEXT,
        retracted_at TEXT,
        retracted_by BIGINT
    );
    CREATE INDEX incidents_by_scenario ON incidents (scenario_id, id);
    CREATE TABLE events (
        seq {id},
        at TEXT NOT NULL,
        actor BIGINT,
        action TEXT NOT NULL,
        scenario_id TEXT,
        detail TEXT NOT NULL
    );",
    // 2: a token's expiry (same format as created_at; NULL: never expires).
    "ALTER TABLE tokens ADD COLUMN expires_at TEXT;",
];

/// The migrations with the back end's key type filled in.
pub fn migrations(id_type: &str) -> Vec<String> {
    MIGRATIONS
        .iter()
        .map(|m| m.replace("{id}", id_type))
        .collect()
}

/// Files of a scenario version as stored: a JSON object of UTF-8 texts (every scenario layer is
/// text: TOML, GeoJSON, CSV).
pub fn files_to_json(files: &std::collections::BTreeMap<String, Vec<u8>>) -> crate::Result<String> {
    let mut m = serde_json::Map::new();
    for (name, bytes) in files {
        let text = std::str::from_utf8(bytes)
            .map_err(|_| crate::StoreError::Conflict(format!("{name}: not UTF-8 text")))?;
        m.insert(name.clone(), serde_json::Value::String(text.to_string()));
    }
    Ok(serde_json::Value::Object(m).to_string())
}

pub fn files_from_json(s: &str) -> crate::Result<std::collections::BTreeMap<String, Vec<u8>>> {
    let m: std::collections::BTreeMap<String, String> = serde_json::from_str(s)?;
    Ok(m.into_iter().map(|(k, v)| (k, v.into_bytes())).collect())
}
