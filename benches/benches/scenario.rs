//! The whole event loop: a 5,000-node, 100,000-pod, one-hour scenario
//! (node metrics every minute to a recorder that discards them).

use criterion::{criterion_group, criterion_main, Criterion};
use kubesim_benches::scale_input;
use kubesim_core::SimTime;
use kubesim_scheduler::{NullSink, Simulation};
use std::time::Duration;

fn scenario(c: &mut Criterion) {
    let input = scale_input(5_000, 100_000, SimTime::from_secs(3600));
    let mut group = c.benchmark_group("scenario");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(60));
    group.bench_function("5k_nodes_100k_pods_1h", |b| {
        b.iter(|| {
            let mut sim = Simulation::new(input.clone()).expect("within limits");
            sim.run(&mut NullSink).expect("runs to the end")
        })
    });
    group.finish();
}

criterion_group!(benches, scenario);
criterion_main!(benches);
