//! `corridor token create --expires DATE | --expires-in DAYS` and `token list`: the stored
//! expiry is the end of DATE (UTC) or DAYS × 24 h from now; a bad date is refused, naming the
//! option, and creates nothing.

use serde_json::Value;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_corridor");

fn corridor(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .output()
        .unwrap()
}

fn list(dir: &std::path::Path) -> Vec<Value> {
    let out = corridor(dir, &["token", "list"]);
    assert!(out.status.success());
    serde_json::from_slice::<Value>(&out.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn tokens_carry_the_expiry_they_were_made_with() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = corridor(
        d,
        &[
            "token",
            "create",
            "--role",
            "viewer",
            "--expires",
            "2030-06-30",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("expires at 2030-07-01T00:00:00.000Z"));
    let before = chrono::Utc::now();
    assert!(corridor(
        d,
        &["token", "create", "--role", "viewer", "--expires-in", "2"]
    )
    .status
    .success());
    let after = chrono::Utc::now();
    assert!(corridor(d, &["token", "create", "--role", "viewer"])
        .status
        .success());
    let out = corridor(
        d,
        &[
            "token",
            "create",
            "--role",
            "viewer",
            "--expires",
            "2001-01-01",
        ],
    );
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("already expired (at 2001-01-02T00:00:00.000Z)"));

    let tokens = list(d);
    assert_eq!(tokens.len(), 4);
    assert_eq!(tokens[0]["expires_at"], "2030-07-01T00:00:00.000Z");
    let in_two = chrono::DateTime::parse_from_rfc3339(tokens[1]["expires_at"].as_str().unwrap())
        .unwrap()
        .with_timezone(&chrono::Utc);
    let two_days = chrono::Duration::days(2);
    let slack = chrono::Duration::milliseconds(1);
    assert!(
        before + two_days - slack <= in_two && in_two <= after + two_days,
        "{in_two}"
    );
    assert_eq!(
        tokens[2]["expires_at"],
        Value::Null,
        "without --expires: never"
    );
}

#[test]
fn a_bad_expiry_is_refused_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (args, needle) in [
        (
            vec!["--expires", "2030-13-01"],
            "--expires '2030-13-01': expected a date YYYY-MM-DD",
        ),
        (vec!["--expires-in", "-3"], "'-3'"),
        (
            vec!["--expires", "2030-01-01", "--expires-in", "3"],
            "cannot be used with",
        ),
    ] {
        let out = corridor(
            d,
            &[&["token", "create", "--role", "viewer"][..], &args].concat(),
        );
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{needle}: {err}");
    }
    assert!(list(d).is_empty());
}
