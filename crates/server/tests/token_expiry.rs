//! Token expiry: a token past its `expires_at` gets 401 `TokenExpired` saying when, on reads
//! and writes alike, and changes nothing; one before it works. On a real SQLite file, and on
//! PostgreSQL when `CORRIDOR_TEST_DATABASE_URL` is set (`.ci/start-postgres` prints one).

mod common;
use common::*;
use corridor_store::{PgStore, Role, Store};
use std::sync::Arc;

const SCEN: &str = "/v1/scenarios/andorra-siege";
const PAST: &str = "2000-01-01T00:00:00.000Z";
const FUTURE: &str = "2999-01-01T00:00:00.000Z";

fn incident() -> Vec<u8> {
    br#"{"event_id_cnty": "EXP1", "event_date": "2016-07-28", "event_type": "Battles",
         "sub_event_type": "Armed clash", "latitude": 42.508, "longitude": 1.53, "fatalities": 0}"#
        .to_vec()
}

fn expired_tokens_are_refused(s: &Server) {
    let store = &s.state.store;
    let make = |at: &str| {
        store
            .create_token_expiring(Role::Editor, "expiry test", Some(at), None)
            .unwrap()
    };
    let (old, old_secret) = make(PAST);
    let (_, live_secret) = make(FUTURE);
    assert_eq!(
        old.expires_at.as_deref(),
        Some(PAST),
        "the expiry is stored"
    );
    // One that expires at this very moment is expired (the end is exclusive).
    let (_, now_secret) = make(&corridor_store::now());
    let log = || store.incidents("andorra-siege").unwrap().len();
    let tokens = || store.tokens().unwrap();
    let (log_before, tokens_before) = (log(), tokens());

    for secret in [&old_secret, &now_secret] {
        let (st, v) = s.get(&format!("{SCEN}/incidents"), Some(secret));
        assert_eq!(st, 401, "{v}");
        assert_eq!(v["code"], "TokenExpired", "{v}");
        let msg = v["message"].as_str().unwrap();
        assert!(msg.contains("expired at 20"), "{msg}");
        let (st, v) = s.post(
            &format!("{SCEN}/incidents"),
            Some(secret),
            "application/json",
            &incident(),
        );
        assert_eq!((st, v["code"].as_str()), (401, Some("TokenExpired")), "{v}");
    }
    let (_, v) = s.get(&format!("{SCEN}/incidents"), Some(&old_secret));
    assert!(v["message"]
        .as_str()
        .unwrap()
        .contains(&format!("token {} expired at {PAST}", old.id)));
    assert_eq!(log(), log_before, "an expired token wrote nothing");
    assert_eq!(tokens(), tokens_before, "nor changed a token");

    // Before its expiry a token works as any other.
    let (st, v) = s.get(&format!("{SCEN}/incidents"), Some(&live_secret));
    assert_eq!(st, 200, "{v}");
    let listed = tokens();
    let expiries: Vec<_> = listed
        .iter()
        .filter_map(|t| t.expires_at.as_deref())
        .collect();
    assert!(
        expiries.contains(&PAST) && expiries.contains(&FUTURE),
        "{expiries:?}"
    );
    assert!(
        listed.iter().any(|t| t.expires_at.is_none()),
        "tokens made without an expiry never expire"
    );
}

#[test]
fn expired_tokens_get_401_and_change_nothing_on_sqlite() {
    expired_tokens_are_refused(&start());
}

#[test]
fn expired_tokens_get_401_and_change_nothing_on_postgres() {
    let Some(url) = corridor_store::test_database_url("token_expiry_postgres") else {
        return;
    };
    let store: Arc<dyn Store> = Arc::new(PgStore::open(&url).unwrap());
    expired_tokens_are_refused(&start_with(store, None, false));
}

#[test]
fn post_tokens_takes_an_expiry_and_refuses_a_bad_one() {
    let s = start();
    let post = |body: &str| {
        s.post(
            "/v1/tokens",
            Some(&s.admin),
            "application/json",
            body.as_bytes(),
        )
    };
    let (st, v) = post(r#"{"role": "viewer", "expires": "2001-01-01"}"#);
    assert_eq!(st, 201, "{v}");
    assert_eq!(v["token"]["expires_at"], "2001-01-02T00:00:00.000Z");
    let (st, e) = s.get(&format!("{SCEN}/incidents"), v["secret"].as_str());
    assert_eq!((st, e["code"].as_str()), (401, Some("TokenExpired")), "{e}");
    let (st, v) = post(r#"{"role": "viewer", "expires_in_days": 30}"#);
    assert_eq!(st, 201, "{v}");
    assert!(v["token"]["expires_at"].as_str().unwrap() > corridor_store::now().as_str());
    assert_eq!(
        s.get(&format!("{SCEN}/incidents"), v["secret"].as_str()).0,
        200
    );
    let count = s.state.store.tokens().unwrap().len();
    for (body, needle) in [
        (
            r#"{"role": "viewer", "expires": "2001-02-30"}"#,
            "expires '2001-02-30'",
        ),
        (
            r#"{"role": "viewer", "expires_in_days": -1}"#,
            "expires_in_days",
        ),
        (
            r#"{"role": "viewer", "expires": "2030-01-01", "expires_in_days": 3}"#,
            "not both",
        ),
        // Found by the API fuzz: 95,005,450 days overflowed the clock and dropped the
        // connection. 100 years (36,525 days) is the documented limit.
        (
            r#"{"role": "viewer", "expires_in_days": 95005450}"#,
            "at most 36525",
        ),
        (
            r#"{"role": "viewer", "expires_in_days": 36526}"#,
            "at most 36525",
        ),
        (
            r#"{"role": "viewer", "expires": "99999-01-01"}"#,
            "expires '99999-01-01'",
        ),
    ] {
        let (st, v) = post(body);
        assert_eq!(st, 400, "{body}: {v}");
        assert!(
            v["message"].as_str().unwrap().contains(needle),
            "{body}: {v}"
        );
    }
    assert_eq!(
        s.state.store.tokens().unwrap().len(),
        count,
        "a refused request made no token"
    );
}
