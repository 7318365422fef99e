//! Placement throughput: 100,000 pods onto 5,000 nodes with the default
//! profile (adaptive percentageOfNodesToScore = 10 % at this size).
//!
//! `deployments`: 20 Deployments of 5,000 replicas (the shape of a real
//! cluster, and of benches/scenarios/scale-5000-nodes.yaml): consecutive
//! pods share a template. `interleaved`: every pod differs from the one
//! before, the worst case for the scheduler's request-signature score cache.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use kubesim_benches::{nodes, template};
use kubesim_core::{entity_rng, NodeId, ObjectMeta, Pod};
use kubesim_scheduler::{NodeInfo, PodInfo, ScheduleResult, Scheduler, SchedulerProfile};
use std::time::Duration;

fn place(c: &mut Criterion) {
    const PODS: usize = 100_000;
    for (label, per_template) in [("deployments", PODS / 20), ("interleaved", 1)] {
        bench_placement(c, label, per_template);
    }
}

/// Pods come in runs of `per_template` identical pods, cycling through 20
/// request sizes.
fn bench_placement(c: &mut Criterion, label: &str, per_template: usize) {
    const NODES: usize = 5_000;
    const PODS: usize = 100_000;
    let pods: Vec<Pod> = (0..PODS)
        .map(|i| {
            let k = (i / per_template) as i64 % 20;
            let t = template("app", 100 + (k % 10) * 190, (256 + (k % 8) * 256) << 20);
            Pod {
                metadata: ObjectMeta::named(format!("pod-{i}")),
                spec: t.spec,
                status: Default::default(),
            }
        })
        .collect();
    let infos: Vec<PodInfo<'_>> = pods.iter().map(PodInfo::new).collect();
    let node_list = nodes(NODES);
    let mut group = c.benchmark_group("placement");
    group.throughput(Throughput::Elements(PODS as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(30));
    group.bench_function(format!("100k_pods_5k_nodes_{label}"), |b| {
        b.iter_batched(
            || {
                let mut s = Scheduler::new(
                    SchedulerProfile::default(),
                    entity_rng(1, "scheduler", "bench"),
                );
                for (i, n) in node_list.iter().enumerate() {
                    s.add_node(NodeInfo::new(
                        NodeId(i as u32),
                        n.name(),
                        n.allocatable.clone(),
                    ));
                }
                s
            },
            |mut s| {
                for info in &infos {
                    if let ScheduleResult::Bound(n) = s.schedule_one(info) {
                        s.assume(info, n);
                    }
                }
                s
            },
            criterion::BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, place);
criterion_main!(benches);
