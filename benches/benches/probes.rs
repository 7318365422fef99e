//! The 5,000-node, 100,000-pod hour with a readiness and a liveness probe
//! on every container and a 1 % hourly crash rate (random exits with code
//! 1; the pods restart under `restartPolicy: Always`).
//!
//! kubelet computes the time of each probe's next transition instead of
//! ticking every period, so the probes should add events only where
//! something changes. Before measuring, the benchmark prints the run's
//! event count with and without probes.

use criterion::{criterion_group, criterion_main, Criterion};
use kubesim_benches::scale_input;
use kubesim_core::{ExitBehavior, Probe, SimTime};
use kubesim_scheduler::{NullSink, Simulation, SimulationInput};
use std::time::Duration;

fn with_probes_and_crashes(mut input: SimulationInput) -> SimulationInput {
    for d in &mut input.deployments {
        for c in &mut d.template.spec.containers {
            c.readiness_probe = Some(Probe::default());
            c.liveness_probe = Some(Probe {
                initial_delay_s: 30,
                ..Probe::default()
            });
        }
    }
    for (_, image) in &mut input.images {
        image.exit = Some(ExitBehavior {
            after: None,
            rate_per_hour: Some(0.01),
            code: 1,
        });
    }
    input
}

fn events(input: &SimulationInput) -> u64 {
    let mut sim = Simulation::new(input.clone()).expect("within limits");
    sim.run(&mut NullSink).expect("runs").events
}

fn probes(c: &mut Criterion) {
    let plain = scale_input(5_000, 100_000, SimTime::from_secs(3600));
    let probed = with_probes_and_crashes(plain.clone());
    eprintln!(
        "events: without probes {}, with probes and 1 %/h crashes {}",
        events(&plain),
        events(&probed)
    );
    let mut group = c.benchmark_group("probes");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(60));
    group.bench_function("5k_nodes_100k_pods_1h_probes_crashes", |b| {
        b.iter(|| {
            let mut sim = Simulation::new(probed.clone()).expect("within limits");
            sim.run(&mut NullSink).expect("runs to the end")
        })
    });
    group.finish();
}

criterion_group!(benches, probes);
criterion_main!(benches);
