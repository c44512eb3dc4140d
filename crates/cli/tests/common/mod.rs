//! What the `corridor` binary's tests share: running it (with a test cache folder), the
//! repository's files, the shape of a clean failure, the roads tests' OSM writer (`osm`) and
//! hand-built evacuation scenarios (`hand_map`).
#![allow(dead_code)]

pub mod hand_map;
/// The roads tests' OSM PBF writer (one implementation of the format for every test).
#[path = "../../../roads/tests/common/mod.rs"]
pub mod osm;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs the binary with `args`, its map cache in a folder of the test machine's temp dir.
pub fn corridor(args: &[&str]) -> Output {
    corridor_env(args, &[])
}

/// [`corridor`] with more environment variables.
pub fn corridor_env(args: &[&str], env: &[(&str, &Path)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_corridor"));
    c.args(args).env(
        "XDG_CACHE_HOME",
        std::env::temp_dir().join("corridor-test-cache"),
    );
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("binary runs")
}

/// The repository's root folder.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn bundled_map() -> PathBuf {
    root().join("data/andorra.osm.pbf")
}

pub fn example_scenario() -> PathBuf {
    root().join("data/scenarios/andorra-siege/scenario.toml")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The JSON a successful run prints.
pub fn json(args: &[&str]) -> Value {
    let o = corridor(args);
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_slice(&o.stdout).unwrap()
}

/// Asserts a clean failure: exit 1, no panic, and a last stderr line that is the error and
/// contains every `needle`; nothing on stdout.
pub fn assert_fails(o: &Output, needles: &[&str]) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(1), "stderr: {err}");
    assert!(!err.contains("panicked"), "panic: {err}");
    let last = err.lines().last().unwrap_or_default();
    assert!(last.starts_with("corridor: error: "), "last line: {last}");
    for n in needles {
        assert!(last.contains(n), "'{n}' missing from: {last}");
    }
    assert!(
        o.stdout.is_empty(),
        "stdout on failure: {}",
        String::from_utf8_lossy(&o.stdout)
    );
}
