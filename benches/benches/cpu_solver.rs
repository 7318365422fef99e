//! One CPU re-division on a node with 100 containers (Guaranteed,
//! Burstable and BestEffort pods, all demanding more than they get).

use criterion::{criterion_group, criterion_main, Criterion};
use kubesim_core::{cpu_shares_to_cpu_weight, milli_cpu_to_shares, CpuTree, CpuWeightConversion};
use std::hint::black_box;

fn build(tree: &mut CpuTree) {
    tree.clear();
    let inf = f64::INFINITY;
    let w = |m: i64| {
        cpu_shares_to_cpu_weight(milli_cpu_to_shares(m), CpuWeightConversion::Linear) as f64
    };
    let root = tree.add(None, 1.0, inf, 0.0);
    let burstable = tree.add(Some(root), w(30_000), inf, 0.0);
    let besteffort = tree.add(Some(root), 1.0, inf, 0.0);
    for i in 0..100i64 {
        let (parent, req, limit) = match i % 3 {
            0 => (root, 500 + i * 10, (500 + i * 10) as f64 / 1000.0),
            1 => (burstable, 250 + i * 5, 4.0),
            _ => (besteffort, 0, inf),
        };
        let pod = tree.add(Some(parent), w(req), limit, 0.0);
        tree.add(Some(pod), w(req), limit, 1.0 + (i % 7) as f64);
    }
}

fn solve(c: &mut Criterion) {
    let mut tree = CpuTree::default();
    build(&mut tree);
    c.bench_function("cpu_solve_100_containers", |b| {
        b.iter(|| {
            tree.solve(black_box(64.0));
        })
    });
    c.bench_function("cpu_build_and_solve_100_containers", |b| {
        b.iter(|| {
            build(&mut tree);
            tree.solve(black_box(64.0));
        })
    });
}

criterion_group!(benches, solve);
criterion_main!(benches);
