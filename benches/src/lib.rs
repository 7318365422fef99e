//! Builders for the large inputs the criterion benchmarks use.
//!
//! Kept in code rather than YAML so that the placement and event-loop
//! benchmarks measure the model, not the parser. `scenarios/` beside this
//! crate holds the same 5,000-node scenario as a YAML file for timing the
//! whole `kubesim run` path.

#![forbid(unsafe_code)]

use kubesim_core::{
    Bytes, Container, CpuProfile, Deployment, ImageBehavior, LabelSelector, MilliCpu, Node,
    ObjectMeta, PodSpec, PodTemplate, ResourceList, ResourceRequirements, SimTime,
};
use kubesim_scheduler::{MetricsConfig, SchedulerProfile, SimulationConfig, SimulationInput};

/// A node with `cpu_m` millicores, `mem` bytes and 110 pods.
pub fn node(name: &str, cpu_m: i64, mem: i64) -> Node {
    let cap = ResourceList {
        milli_cpu: cpu_m,
        memory: mem,
        pods: 110,
        scalar: Vec::new(),
    };
    Node::new(ObjectMeta::named(name), cap, ResourceList::default())
}

/// `n` nodes of 32 cores and 128 GiB.
pub fn nodes(n: usize) -> Vec<Node> {
    (0..n)
        .map(|i| node(&format!("node-{i}"), 32_000, 128 << 30))
        .collect()
}

/// A pod template requesting `cpu_m` and `mem` bytes.
pub fn template(app: &str, cpu_m: i64, mem: i64) -> PodTemplate {
    let mut t = PodTemplate::default();
    t.labels.insert("app".into(), app.into());
    t.spec = PodSpec {
        containers: vec![Container {
            name: "app".into(),
            image: format!("{app}:1"),
            resources: ResourceRequirements {
                cpu_request_m: Some(MilliCpu(cpu_m)),
                memory_request_bytes: Some(Bytes(mem)),
                cpu_limit_m: Some(MilliCpu(cpu_m * 2)),
                memory_limit_bytes: Some(Bytes(mem)),
                ..Default::default()
            },
            restart_policy: None,
            ..Default::default()
        }],
        ..Default::default()
    };
    t
}

/// The 5,000-node, 100,000-pod, one-hour scenario: 20 Deployments of 5,000
/// replicas with requests from 100m to 2 cores, node metrics every minute,
/// container metrics off.
pub fn scale_input(n_nodes: usize, n_pods: usize, duration: SimTime) -> SimulationInput {
    let apps = 20;
    let per_app = n_pods / apps;
    let mut deployments = Vec::new();
    let mut images = Vec::new();
    for a in 0..apps {
        let name = format!("app{a}");
        let cpu_m = 100 + (a as i64 % 10) * 190;
        let mem = (256 + (a as i64 % 8) * 256) << 20;
        let mut meta = ObjectMeta::named(&name);
        meta.labels.insert("app".into(), name.clone());
        deployments.push(Deployment {
            metadata: meta,
            replicas: per_app as i32,
            selector: LabelSelector::from_labels(
                [("app".to_string(), name.clone())].into_iter().collect(),
            ),
            template: template(&name, cpu_m, mem),
        });
        images.push((
            format!("{name}:1"),
            ImageBehavior {
                startup: SimTime::from_secs(5 + a as u64),
                cpu: CpuProfile::constant(cpu_m as f64 / 1000.0 * 1.5),
                memory: kubesim_core::MemoryProfile::constant(mem / 2),
                cpu_seconds: None,
                exit: None,
                ..Default::default()
            },
        ));
    }
    SimulationInput {
        config: SimulationConfig {
            scenario: "scale".into(),
            seed: 1,
            duration,
            sample_interval: SimTime::from_secs(60),
            limits: Default::default(),
            metrics: MetricsConfig {
                cluster: true,
                nodes: true,
                containers: false,
                container_every: 1,
            },
            kubelet: Default::default(),
            profile: SchedulerProfile::default(),
            controller_manager: Default::default(),
            check_invariants: false,
            clock_origin_unix_s: 0,
        },
        nodes: nodes(n_nodes),
        images,
        pods: Vec::new(),
        deployments,
        jobs: Vec::new(),
        cron_jobs: Vec::new(),
        timeline: Vec::new(),
    }
}
