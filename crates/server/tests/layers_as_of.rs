//! `GET /v1/scenarios/{id}/layers?as_of=DAY`: the layers as they stood that day (the page's
//! date slider redraws territory and front lines from it); bad days get a 400 naming them.

mod common;
use common::*;

const LAYERS: &str = "/v1/scenarios/andorra-siege/layers";

#[test]
fn layers_as_of_a_day_hold_only_what_was_known_then() {
    let s = start();
    let (st, now) = s.get(LAYERS, Some(&s.viewer));
    assert_eq!(st, 200, "{now}");
    let (st, then) = s.get(&format!("{LAYERS}?as_of=2016-07-18"), Some(&s.viewer));
    assert_eq!(st, 200, "{then}");
    assert_eq!(then["properties"]["as_of"], "2016-07-18");
    let of = |v: &serde_json::Value, layer: &str| -> Vec<serde_json::Value> {
        v["features"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["properties"]["layer"] == layer)
            .cloned()
            .collect()
    };
    let dates = |v: &serde_json::Value| -> Vec<String> {
        of(v, "incident")
            .iter()
            .map(|f| f["properties"]["date"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(dates(&then).iter().all(|d| d.as_str() <= "2016-07-18"));
    assert!(
        dates(&then).len() < dates(&now).len(),
        "later incidents left out"
    );
    // The example's territory is undated: the same two features on both days, since/until null.
    for v in [&now, &then] {
        let t = of(v, "territory");
        assert_eq!(t.len(), 2);
        assert!(t
            .iter()
            .all(|f| f["properties"]["since"].is_null() && f["properties"]["until"].is_null()));
    }
    for (q, needle) in [
        ("as_of=2016-13-01", "as_of='2016-13-01'"),
        ("as_of=2016-08-01", "after the scenario's as_of"),
        ("day=2016-07-18", "unknown query parameter 'day'"),
    ] {
        let (st, v) = s.get(&format!("{LAYERS}?{q}"), Some(&s.viewer));
        assert_eq!(st, 400, "{q}: {v}");
        assert!(v["message"].as_str().unwrap().contains(needle), "{q}: {v}");
    }
}
