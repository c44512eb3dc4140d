//! The evacuation report's queue at each checkpoint over time (`queue_by_hour`,
//! `crossed_by_hour`, charted by the web map) checked against the corridor's own totals and the
//! checkpoint's capacity from the scenario.

mod common;
use common::*;
use corridor_analysis::evacuate::evacuate;

/// The queue and crossings per hour agree with the corridor's own totals and with the
/// checkpoint's capacity from the scenario: crossings never exceed it in an hour, add up to the
/// people it carries, and the largest hourly queue is the peak queue.
#[test]
fn checkpoint_queues_by_hour_respect_capacity_and_add_up() {
    let s = example();
    let r = {
        let m = maps(&s);
        evacuate(&m[0], &m[1]).unwrap()
    };
    let mut used = 0;
    for (c, k) in r.corridors.iter().zip(&s.corridors) {
        assert_eq!(c.queue_by_hour.len(), c.crossed_by_hour.len(), "{}", c.name);
        let top = c.queue_by_hour.iter().copied().fold(0.0, f64::max);
        assert_eq!(top, c.peak_queue, "{}", c.name);
        let crossed: f64 = c.crossed_by_hour.iter().sum();
        assert!(
            (crossed - c.people).abs() <= c.crossed_by_hour.len() as f64,
            "{}: {crossed} vs {}",
            c.name,
            c.people
        );
        if let Some(cap) = k.capacity_per_hour {
            for (h, x) in c.crossed_by_hour.iter().enumerate() {
                assert!(*x <= cap + 1.0, "{} hour {h}: {x} > {cap}", c.name);
            }
        }
        used += usize::from(c.people > 0.0);
    }
    // (Departures are timed, so queues may be empty: with people starting spread over their
    // areas' roads, the example's plan has nobody waiting at a checkpoint.)
    assert!(used >= 3, "the example's checkpoints carry people");
}
