//! Scenario loading: a generated scenario of 8,152 bare pods (the size of
//! a public trace, 3.5 MB), in one file and split into a scenario and a
//! multi-document manifest file. Throughput is reported in bytes of YAML
//! per second (criterion prints MB/s or MiB/s).
//!
//! `cargo bench -p kubesim-benches --bench load`

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use kubesim_benches::pods_scenario_yaml;
use std::time::Duration;

fn load(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut group = c.benchmark_group("load");
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(10));

    let (one, _) = pods_scenario_yaml(8_152, false);
    let one_path = dir.path().join("one.yaml");
    std::fs::write(&one_path, &one).expect("write");
    group.throughput(Throughput::Bytes(one.len() as u64));
    group.bench_function("one_file_8152_pods", |b| {
        b.iter(|| kubesim_runner::load(&one_path).expect("loads"))
    });

    let (scenario, pods) = pods_scenario_yaml(8_152, true);
    let split_path = dir.path().join("split.yaml");
    std::fs::write(&split_path, &scenario).expect("write");
    std::fs::write(dir.path().join("pods.yaml"), &pods).expect("write");
    group.throughput(Throughput::Bytes((scenario.len() + pods.len()) as u64));
    group.bench_function("manifest_8152_pods", |b| {
        b.iter(|| kubesim_runner::load(&split_path).expect("loads"))
    });
    group.finish();
}

criterion_group!(benches, load);
criterion_main!(benches);
