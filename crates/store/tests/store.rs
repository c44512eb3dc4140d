//! The store's behaviour, once per back end: SQLite in a temporary directory always, PostgreSQL
//! when `CORRIDOR_TEST_DATABASE_URL` is set (`.ci/run` sets it; otherwise the PostgreSQL half
//! says it is skipped).

use corridor_store::{IncidentFields, PgStore, Role, SqliteStore, Store, StoreError};
use std::collections::BTreeMap;

fn sqlite() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let s = SqliteStore::open(&dir.path().join("corridor.sqlite3")).unwrap();
    (dir, s)
}

/// Runs `check` on SQLite and, when configured, on PostgreSQL.
fn both(test: &str, check: impl Fn(&dyn Store)) {
    let (_dir, s) = sqlite();
    check(&s);
    if let Some(url) = corridor_store::test_database_url(test) {
        check(&PgStore::open(&url).unwrap());
    }
}

fn files(manifest: &str) -> BTreeMap<String, Vec<u8>> {
    BTreeMap::from([
        ("scenario.toml".to_string(), manifest.as_bytes().to_vec()),
        (
            "incidents.csv".to_string(),
            b"event_date,latitude\n".to_vec(),
        ),
    ])
}

fn incident(id: &str) -> IncidentFields {
    BTreeMap::from([
        ("event_id_cnty".to_string(), id.to_string()),
        ("event_date".to_string(), "2016-07-27".to_string()),
        ("latitude".to_string(), "42.5".to_string()),
        ("longitude".to_string(), "1.52".to_string()),
    ])
}

#[test]
fn tokens_authenticate_until_revoked() {
    both("tokens_authenticate_until_revoked", |s| {
        let (admin, admin_secret) = s.create_token(Role::Admin, "lead", None).unwrap();
        let (viewer, secret) = s.create_token(Role::Viewer, "map", Some(admin.id)).unwrap();
        assert_ne!(secret, admin_secret);
        assert!(secret.starts_with("crd_") && secret.len() == 68, "{secret}");
        assert_eq!(s.authenticate(&secret).unwrap().unwrap().role, Role::Viewer);
        assert_eq!(s.authenticate(&admin_secret).unwrap().unwrap().id, admin.id);
        assert!(s.authenticate("crd_wrong").unwrap().is_none());
        assert!(s.authenticate("").unwrap().is_none());
        let revoked = s.revoke_token(viewer.id, Some(admin.id)).unwrap();
        assert!(revoked.revoked_at.is_some());
        assert!(s.authenticate(&secret).unwrap().is_none());
        // Revoking again keeps the first revocation time.
        assert_eq!(
            s.revoke_token(viewer.id, None).unwrap().revoked_at,
            revoked.revoked_at
        );
        assert!(matches!(
            s.revoke_token(999, None),
            Err(StoreError::NotFound(_))
        ));
        let listed = s.tokens().unwrap();
        assert_eq!(listed.len(), 2);
        let actions: Vec<(String, Option<i64>)> = s
            .events(None, 0)
            .unwrap()
            .into_iter()
            .map(|e| (e.action, e.actor))
            .collect();
        assert_eq!(
            actions,
            [
                ("token_create".to_string(), None),
                ("token_create".to_string(), Some(admin.id)),
                ("token_revoke".to_string(), Some(admin.id)),
            ]
        );
    });
}

#[test]
fn secrets_are_stored_only_as_hashes() {
    let (dir, s) = sqlite();
    let (_, secret) = s.create_token(Role::Editor, "field", None).unwrap();
    drop(s);
    // Every byte the database wrote: the file and its write-ahead log.
    let mut bytes = Vec::new();
    for e in std::fs::read_dir(dir.path()).unwrap() {
        bytes.extend(std::fs::read(e.unwrap().path()).unwrap());
    }
    let hex = &secret[4..];
    assert!(!bytes.windows(hex.len()).any(|w| w == hex.as_bytes()));
    let hash = corridor_store::hash_secret(&secret);
    assert!(bytes.windows(hash.len()).any(|w| w == hash.as_bytes()));
}

#[test]
fn scenarios_keep_every_version() {
    both("scenarios_keep_every_version", |s| {
        let v1 = s
            .create_scenario("siege", "Siege", &files("v1"), "first", Some(7))
            .unwrap();
        assert_eq!(v1.version, 1);
        assert!(matches!(
            s.create_scenario("siege", "Again", &files("x"), "", None),
            Err(StoreError::Conflict(_))
        ));
        let v2 = s
            .add_version("siege", "Siege (b)", &files("v2"), "second", None)
            .unwrap();
        assert_eq!(v2.version, 2);
        assert!(matches!(
            s.add_version("nope", "n", &files("x"), "", None),
            Err(StoreError::NotFound(_))
        ));
        assert_eq!(s.version("siege", None).unwrap().files, files("v2"));
        assert_eq!(s.version("siege", Some(1)).unwrap().files, files("v1"));
        assert_eq!(s.version("siege", Some(1)).unwrap().created_by, Some(7));
        assert!(matches!(
            s.version("siege", Some(3)),
            Err(StoreError::NotFound(_))
        ));
        let list = s.scenarios().unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(
            (list[0].name.as_str(), list[0].latest_version),
            ("Siege (b)", 2)
        );
        let notes: Vec<String> = s
            .versions("siege")
            .unwrap()
            .into_iter()
            .map(|v| v.note)
            .collect();
        assert_eq!(notes, ["first", "second"]);
    });
}

#[test]
fn incidents_are_retracted_never_deleted() {
    both("incidents_are_retracted_never_deleted", |s| {
        s.create_scenario("a", "A", &files("a"), "", None).unwrap();
        s.create_scenario("b", "B", &files("b"), "", None).unwrap();
        let added = s
            .add_incidents("a", &[incident("X1"), incident("X2")], Some(3))
            .unwrap();
        assert_eq!(added.len(), 2);
        assert_eq!(added[0].fields, incident("X1"));
        assert!(added[0].id < added[1].id);
        s.add_incidents("b", &[incident("Y1")], Some(3)).unwrap();
        let r = s
            .retract_incident("a", added[0].id, "duplicate report", Some(4))
            .unwrap();
        let rt = r.retracted.unwrap();
        assert_eq!((rt.reason.as_str(), rt.by), ("duplicate report", Some(4)));
        assert!(matches!(
            s.retract_incident("a", added[0].id, "again", None),
            Err(StoreError::Conflict(_))
        ));
        // An incident of another scenario cannot be retracted through this one.
        let b_id = s.incidents("b").unwrap()[0].id;
        assert!(matches!(
            s.retract_incident("a", b_id, "x", None),
            Err(StoreError::NotFound(_))
        ));
        let log = s.incidents("a").unwrap();
        assert_eq!(log.len(), 2, "retraction keeps the incident");
        assert!(log[0].retracted.is_some() && log[1].retracted.is_none());
        assert_eq!(log[0].added_by, Some(3));
        let events: Vec<String> = s
            .events(Some("a"), 0)
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(
            events,
            ["scenario_version", "incident_add", "incident_retract"]
        );
        assert!(matches!(
            s.add_incidents("zzz", &[incident("Z")], None),
            Err(StoreError::NotFound(_))
        ));
        assert!(matches!(s.incidents("zzz"), Err(StoreError::NotFound(_))));
    });
}

#[test]
fn sqlite_file_survives_reopening_and_migrates_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub/corridor.sqlite3");
    {
        let s = SqliteStore::open(&path).unwrap();
        s.create_scenario("a", "A", &files("a"), "", None).unwrap();
        s.add_incidents("a", &[incident("X1")], None).unwrap();
    }
    let s = SqliteStore::open(&path).unwrap();
    assert_eq!(s.incidents("a").unwrap().len(), 1);
    let c = rusqlite::Connection::open(&path).unwrap();
    let (v, mode): (i64, String) = (
        c.query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap(),
        c.query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap(),
    );
    assert_eq!((v, mode.as_str()), (2, "wal"));
}

#[test]
fn a_store_from_before_token_expiry_gets_the_column_and_keeps_its_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("corridor.sqlite3");
    let (old, _) = SqliteStore::open(&path)
        .unwrap()
        .create_token(corridor_store::Role::Viewer, "old", None)
        .unwrap();
    // Back to schema 1, as a store made before migration 2 was.
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("ALTER TABLE tokens DROP COLUMN expires_at; PRAGMA user_version = 1;")
        .unwrap();
    let s = SqliteStore::open(&path).unwrap();
    assert_eq!(s.tokens().unwrap(), vec![old.clone()]);
    assert_eq!(old.expires_at, None, "an old token never expires");
    let (t, _) = s
        .create_token_expiring(
            corridor_store::Role::Viewer,
            "new",
            Some("2030-01-01T00:00:00.000Z"),
            None,
        )
        .unwrap();
    assert_eq!(t.expires_at.as_deref(), Some("2030-01-01T00:00:00.000Z"));
}

#[test]
fn a_corrupt_database_file_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("corridor.sqlite3");
    std::fs::write(
        &path,
        b"this is not a database, just some bytes that are long enough......",
    )
    .unwrap();
    let e = SqliteStore::open(&path).err().unwrap().to_string();
    assert!(e.contains("corridor.sqlite3"), "{e}");
}
