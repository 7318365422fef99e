//! Builders for the large inputs the criterion benchmarks use.
//!
//! Kept in code rather than YAML so that the placement and event-loop
//! benchmarks measure the model, not the parser. `scenarios/` beside this
//! crate holds the same 5,000-node scenario as a YAML file for timing the
//! whole `kubesim run` path.

#![forbid(unsafe_code)]

use kubesim_core::{
    Bytes, Container, CpuProfile, Deployment, ImageBehavior, LabelSelector, MilliCpu, Node,
    ObjectMeta, PodSpec, PodTemplate, Probe, ResourceList, ResourceRequirements, Serve, Service,
    SimTime,
};
use kubesim_scheduler::traffic::TrafficSpec;
use kubesim_scheduler::{
    Action, MetricsConfig, SchedulerProfile, SimulationConfig, SimulationInput, TimelineEntry,
};

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
        deployments.push(Deployment::new(
            meta,
            per_app as i32,
            LabelSelector::from_labels([("app".to_string(), name.clone())].into_iter().collect()),
            template(&name, cpu_m, mem),
        ));
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
        argo: Default::default(),
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
                deployments: false,
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
        services: Vec::new(),
        traffic: Vec::new(),
        timeline: Vec::new(),
    }
}

/// A scenario file of `pods` bare pods under `workloads:` on 500 nodes,
/// shaped like a public trace: labels, one or two containers with
/// requests and limits, some node selectors and tolerations — about 430
/// bytes per pod (8,152 pods: 3.5 MB). With `manifests`, the pods go to a
/// separate multi-document text instead (returned second) and the
/// scenario names it as `pods.yaml`.
pub fn pods_scenario_yaml(pods: usize, manifests: bool) -> (String, String) {
    use std::fmt::Write;
    let mut s = String::with_capacity(pods * 450 + 1024);
    let mut m = String::new();
    s.push_str(concat!(
        "name: big-pods\n",
        "description: many bare pods\n",
        "seed: 3\n",
        "duration: 10m\n",
        "sampleInterval: 30s\n",
        "cluster:\n",
        "  nodes:\n",
        "    - name: pool-a\n",
        "      count: 400\n",
        "      capacity: {cpu: \"32\", memory: 128Gi, pods: 110}\n",
        "      labels: {topology.kubernetes.io/zone: a, node.kubernetes.io/instance-type: m5.8xlarge}\n",
        "    - name: pool-b\n",
        "      count: 100\n",
        "      capacity: {cpu: \"16\", memory: 64Gi, pods: 110}\n",
        "      labels: {topology.kubernetes.io/zone: b}\n",
        "      taints: [{key: spot, value: \"true\", effect: NoSchedule}]\n",
    ));
    const CPUS: [&str; 5] = ["100m", "250m", "500m", "1", "2"];
    const MEMS: [&str; 5] = ["128Mi", "256Mi", "512Mi", "1Gi", "2Gi"];
    const APPS: [&str; 8] = [
        "web", "api", "worker", "cache", "batch", "auth", "search", "ingest",
    ];
    let (out, p, q) = if manifests {
        s.push_str("manifests: [pods.yaml]\n");
        (&mut m, "", "")
    } else {
        s.push_str("workloads:\n");
        (&mut s, "  - ", "    ")
    };
    // A small linear congruential generator: the same file every time.
    let mut seed: u64 = 42;
    let mut next = |n: u64| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) % n
    };
    for i in 0..pods {
        let app = APPS[i % APPS.len()];
        if manifests {
            out.push_str("---\n");
        }
        let _ = writeln!(out, "{p}apiVersion: v1");
        let _ = writeln!(out, "{q}kind: Pod");
        let _ = writeln!(out, "{q}metadata:");
        let _ = writeln!(out, "{q}  name: {app}-{i:05}");
        let _ = writeln!(out, "{q}  labels:");
        let _ = writeln!(out, "{q}    app: {app}");
        let tier = if i % 3 == 0 { "frontend" } else { "backend" };
        let _ = writeln!(out, "{q}    tier: {tier}");
        let _ = writeln!(out, "{q}spec:");
        if i % 8 == 0 {
            let _ = writeln!(out, "{q}  nodeSelector:");
            let _ = writeln!(out, "{q}    topology.kubernetes.io/zone: a");
        }
        if i % 10 == 0 {
            let _ = writeln!(out, "{q}  tolerations:");
            let _ = writeln!(out, "{q}    - key: spot");
            let _ = writeln!(out, "{q}      operator: Equal");
            let _ = writeln!(out, "{q}      value: \"true\"");
            let _ = writeln!(out, "{q}      effect: NoSchedule");
        }
        let _ = writeln!(out, "{q}  containers:");
        let containers = if i % 10 == 0 { 2 } else { 1 };
        for c in 0..containers {
            let (cr, mr) = (next(5) as usize, next(5) as usize);
            let name = if c == 0 { "main" } else { "sidecar" };
            let _ = writeln!(out, "{q}    - name: {name}");
            let _ = writeln!(
                out,
                "{q}      image: registry.example.com/{app}:{}.{c}",
                1 + i % 4
            );
            let _ = writeln!(out, "{q}      resources:");
            let _ = writeln!(out, "{q}        requests:");
            let _ = writeln!(out, "{q}          cpu: {}", CPUS[cr]);
            let _ = writeln!(out, "{q}          memory: {}", MEMS[mr]);
            let _ = writeln!(out, "{q}        limits:");
            let _ = writeln!(out, "{q}          cpu: \"{}\"", CPUS[(cr + 1).min(4)]);
            let _ = writeln!(out, "{q}          memory: {}", MEMS[mr]);
        }
    }
    (s, m)
}

/// The traffic benchmark: a 50-replica Deployment behind Service `web` on
/// 10 nodes of 32 cores, 2,000 requests/s (5 ms of CPU each) for 24
/// simulated hours, one rolling update (`setImage` to `web:2` at 12h),
/// metrics every 10 s.
pub fn traffic_input() -> SimulationInput {
    let mut t = template("web", 500, 512 << 20);
    t.spec.containers[0].readiness_probe = Some(Probe::default());
    let mut meta = ObjectMeta::named("web");
    meta.labels.insert("app".into(), "web".into());
    let web = Deployment::new(
        meta,
        50,
        LabelSelector::from_labels(
            [("app".to_string(), "web".to_string())]
                .into_iter()
                .collect(),
        ),
        t,
    );
    let image = |startup_s: u64| ImageBehavior {
        startup: SimTime::from_secs(startup_s),
        cpu: CpuProfile::constant(0.05),
        memory: kubesim_core::MemoryProfile::constant(200 << 20),
        serve: Some(Serve {
            cpu_seconds: 0.005,
            latency: SimTime::from_millis(10),
            error_rate: 0.001,
        }),
        ..Default::default()
    };
    let mut svc_selector = std::collections::BTreeMap::new();
    svc_selector.insert("app".to_string(), "web".to_string());
    SimulationInput {
        config: SimulationConfig {
            scenario: "traffic".into(),
            seed: 1,
            duration: SimTime::from_secs(24 * 3600),
            sample_interval: SimTime::from_secs(10),
            limits: Default::default(),
            metrics: MetricsConfig {
                cluster: true,
                nodes: true,
                containers: false,
                container_every: 1,
                deployments: true,
            },
            kubelet: Default::default(),
            profile: SchedulerProfile::default(),
            controller_manager: Default::default(),
            check_invariants: false,
            clock_origin_unix_s: 0,
        },
        nodes: nodes(10),
        argo: Default::default(),
        images: vec![("web:1".into(), image(10)), ("web:2".into(), image(15))],
        pods: Vec::new(),
        deployments: vec![web],
        jobs: Vec::new(),
        cron_jobs: Vec::new(),
        services: vec![Service {
            metadata: ObjectMeta::named("web"),
            selector: Some(svc_selector),
        }],
        traffic: vec![TrafficSpec::constant("web", 2000.0)],
        timeline: vec![TimelineEntry {
            at: SimTime::from_secs(12 * 3600),
            action: Action::SetImage {
                namespace: "default".into(),
                deployment: "web".into(),
                container: None,
                image: "web:2".into(),
            },
        }],
    }
}
