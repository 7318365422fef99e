//! Request traffic at scale: a 50-replica Service at 2,000 requests/s for
//! 24 simulated hours with one rolling update, metrics every 10 s (target:
//! under 2 s wall). Before measuring, the benchmark prints the run's
//! requests and events and the simulated requests per wall second of one
//! run.

use criterion::{criterion_group, criterion_main, Criterion};
use kubesim_benches::traffic_input;
use kubesim_scheduler::{NullSink, Simulation};
use std::time::{Duration, Instant};

fn traffic(c: &mut Criterion) {
    let input = traffic_input();
    let start = Instant::now();
    let mut sim = Simulation::new(input.clone()).expect("within limits");
    let s = sim.run(&mut NullSink).expect("runs");
    let wall = start.elapsed().as_secs_f64();
    eprintln!(
        "requests {} (failed {:.0}), events {}, one run {wall:.3} s: {:.0} simulated requests per wall second",
        s.requests_total,
        s.requests_failed,
        s.events,
        s.requests_total / wall
    );
    let mut group = c.benchmark_group("traffic");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.bench_function("50_replicas_2000rps_24h_rolling_update", |b| {
        b.iter(|| {
            let mut sim = Simulation::new(input.clone()).expect("within limits");
            sim.run(&mut NullSink).expect("runs to the end")
        })
    });
    group.finish();
}

criterion_group!(benches, traffic);
criterion_main!(benches);
