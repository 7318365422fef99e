//! Property tests of the simulation over random small clusters and
//! workloads: no node is ever over-committed, every bound pod respects its
//! node selector and the node's taints, every pod ends up bound or with a
//! FailedScheduling event, and runs are deterministic.

use kubesim_core::{
    pod_requests, tolerations_tolerate_taint, Bytes, Container, ContainerState, CpuProfile,
    Deployment, ImageBehavior, KubeEvent, LabelSelector, Labels, MilliCpu, Node, ObjectMeta, Pod,
    PodSpec, PodTemplate, ResourceList, ResourceRequirements, RestartPolicy, RunLimits, SimTime,
    Taint, TaintEffect, Toleration, TolerationOperator,
};
use kubesim_scheduler::plugins::TAINT_NODE_UNSCHEDULABLE;
use kubesim_scheduler::{
    Action, EventRecord, MetricObject, MetricRecord, MetricsConfig, RecordSink, RunSummary,
    Simulation, SimulationConfig, SimulationInput, TimelineEntry,
};
use proptest::prelude::*;
use proptest::sample::select;
use std::collections::BTreeMap;

const GPU: &str = "example.com/gpu";
const MI: i64 = 1 << 20;
const GI: i64 = 1 << 30;
const DURATION_S: u64 = 300;
/// CPU-seconds of work of the `batch` image.
const BATCH_WORK_S: f64 = 15.0;

// ---------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------

fn arb_effect() -> impl Strategy<Value = TaintEffect> {
    select(vec![
        TaintEffect::NoSchedule,
        TaintEffect::PreferNoSchedule,
        TaintEffect::NoExecute,
    ])
}

fn arb_taint() -> impl Strategy<Value = Taint> {
    (select(vec!["a", "b"]), select(vec!["x", "y"]), arb_effect()).prop_map(|(k, v, effect)| {
        Taint {
            key: k.into(),
            value: v.into(),
            effect,
        }
    })
}

fn arb_toleration() -> impl Strategy<Value = Toleration> {
    let equal = (
        select(vec!["a", "b"]),
        select(vec!["x", "y"]),
        proptest::option::of(arb_effect()),
    )
        .prop_map(|(k, v, effect)| Toleration {
            key: k.into(),
            operator: TolerationOperator::Equal,
            value: v.into(),
            effect,
            toleration_seconds: None,
        });
    // An empty key with Exists tolerates every taint (also the
    // unschedulable one).
    let exists = (
        select(vec!["a", "b", ""]),
        proptest::option::of(arb_effect()),
    )
        .prop_map(|(k, effect)| Toleration {
            key: k.into(),
            operator: TolerationOperator::Exists,
            value: String::new(),
            effect,
            toleration_seconds: None,
        });
    prop_oneof![3 => equal, 2 => exists]
}

fn arb_node() -> impl Strategy<Value = Node> {
    (
        (
            prop_oneof![
                1 => Just(0i64),
                1 => Just(250i64),
                8 => select(vec![1000i64, 2000, 4000, 8000]),
            ],
            0i64..=300,
            prop_oneof![1 => Just(0i64), 6 => select(vec![256 * MI, 2 * GI, 8 * GI, 16 * GI])],
            prop_oneof![1 => Just(0i64), 6 => 1i64..=6, 2 => Just(110)],
            0i64..=2,
        ),
        prop_oneof![
            3 => Just(Vec::new()),
            1 => proptest::collection::vec(arb_taint(), 1..=2),
        ],
        proptest::option::weighted(0.6, select(vec!["z1", "z2"])),
        proptest::bool::weighted(0.1),
    )
        .prop_map(
            |((cpu, reserved_cpu, mem, pods, gpu), taints, zone, cordoned)| {
                let mut capacity = ResourceList {
                    milli_cpu: cpu,
                    memory: mem,
                    pods,
                    scalar: Vec::new(),
                };
                if gpu > 0 {
                    capacity.set_scalar(GPU, gpu);
                }
                let reserved = ResourceList {
                    milli_cpu: reserved_cpu,
                    memory: 64 * MI,
                    ..Default::default()
                };
                let mut meta = ObjectMeta::named("node");
                if let Some(z) = zone {
                    meta.labels.insert("zone".into(), z.into());
                }
                let mut n = Node::new(meta, capacity, reserved);
                n.taints = taints;
                n.unschedulable = cordoned;
                n
            },
        )
}

fn arb_resources() -> impl Strategy<Value = ResourceRequirements> {
    (
        proptest::option::weighted(0.7, 0i64..=800),
        proptest::option::weighted(0.25, 100i64..=1000),
        proptest::option::weighted(0.6, select(vec![0i64, 64 * MI, 256 * MI, GI])),
        proptest::option::weighted(0.2, select(vec![128 * MI, 512 * MI])),
        prop_oneof![6 => Just(0u8), 1 => Just(1), 1 => Just(2)],
        1i64..=2,
    )
        .prop_map(|(cpu_req, cpu_lim, mem_req, mem_lim, gpu_kind, gpu)| {
            // Valid objects only: limit >= request.
            let cpu_lim = cpu_lim.map(|l| l.max(cpu_req.unwrap_or(0)));
            let mem_lim = mem_lim.map(|l| l.max(mem_req.unwrap_or(0)));
            let mut r = ResourceRequirements {
                cpu_request_m: cpu_req.map(MilliCpu),
                cpu_limit_m: cpu_lim.map(MilliCpu),
                memory_request_bytes: mem_req.map(Bytes),
                memory_limit_bytes: mem_lim.map(Bytes),
                ..Default::default()
            };
            match gpu_kind {
                1 => {
                    r.extended_requests = vec![(GPU.into(), gpu)];
                    r.extended_limits = vec![(GPU.into(), gpu)];
                }
                // Limit only: API defaulting sets the request.
                2 => r.extended_limits = vec![(GPU.into(), gpu)],
                _ => {}
            }
            r
        })
}

fn arb_container() -> impl Strategy<Value = Container> {
    (
        select(vec!["idle", "batch", "spiky", "slow"]),
        arb_resources(),
    )
        .prop_map(|(image, resources)| Container {
            name: "c".into(),
            image: image.into(),
            resources,
            restart_policy: None,
            ..Default::default()
        })
}

fn arb_spec() -> impl Strategy<Value = PodSpec> {
    (
        proptest::collection::vec(arb_container(), 1..=2),
        proptest::option::of((arb_container(), any::<bool>())),
        proptest::collection::vec(arb_toleration(), 0..=2),
        proptest::option::weighted(0.25, select(vec!["z1", "z2"])),
        select(vec![0i32, 10, 100]),
        select(vec![
            RestartPolicy::Always,
            RestartPolicy::OnFailure,
            RestartPolicy::Never,
        ]),
    )
        .prop_map(
            |(mut containers, init, tolerations, zone, priority, restart_policy)| {
                for (i, c) in containers.iter_mut().enumerate() {
                    c.name = format!("c{i}");
                }
                let init_containers = init
                    .map(|(mut c, sidecar)| {
                        c.name = "init".into();
                        if sidecar {
                            c.restart_policy = Some(RestartPolicy::Always);
                        }
                        vec![c]
                    })
                    .unwrap_or_default();
                let mut node_selector = Labels::new();
                if let Some(z) = zone {
                    node_selector.insert("zone".into(), z.into());
                }
                PodSpec {
                    containers,
                    init_containers,
                    restart_policy,
                    node_selector,
                    tolerations,
                    priority,
                    ..Default::default()
                }
            },
        )
}

fn images() -> Vec<(String, ImageBehavior)> {
    vec![
        (
            "batch".into(),
            ImageBehavior {
                startup: SimTime::from_secs(1),
                cpu: CpuProfile::constant(1.0),
                memory: kubesim_core::MemoryProfile::constant(32 * MI),
                cpu_seconds: Some(BATCH_WORK_S),
                exit: None,
                ..Default::default()
            },
        ),
        (
            "spiky".into(),
            ImageBehavior {
                startup: SimTime::ZERO,
                cpu: CpuProfile {
                    points: vec![(SimTime::ZERO, 0.1), (SimTime::from_secs(10), 2.0)],
                    period: Some(SimTime::from_secs(25)),
                    ..CpuProfile::constant(0.0)
                },
                memory: kubesim_core::MemoryProfile::constant(64 * MI),
                cpu_seconds: None,
                exit: None,
                ..Default::default()
            },
        ),
        (
            "slow".into(),
            ImageBehavior {
                startup: SimTime::from_secs(20),
                cpu: CpuProfile::constant(0.3),
                memory: kubesim_core::MemoryProfile::constant(16 * MI),
                cpu_seconds: None,
                exit: None,
                ..Default::default()
            },
        ),
    ]
}

fn arb_input() -> impl Strategy<Value = SimulationInput> {
    (
        any::<u64>(),
        select(vec![0u64, 5, 10, 30]),
        proptest::collection::vec(arb_node(), 1..8),
        proptest::collection::vec(arb_spec(), 0..=6),
        proptest::collection::vec((arb_spec(), 0i32..=4), 0..=2),
        proptest::collection::vec((1u64..DURATION_S, 0usize..2, 0i32..=6), 0..=4),
    )
        .prop_map(|(seed, sample_s, mut nodes, pods, deps, timeline)| {
            for (i, n) in nodes.iter_mut().enumerate() {
                n.metadata.name = format!("node-{i}");
            }
            let pods = pods
                .into_iter()
                .enumerate()
                .map(|(i, spec)| Pod {
                    metadata: ObjectMeta::named(format!("pod-{i}")),
                    spec,
                    status: Default::default(),
                })
                .collect();
            let deployments: Vec<Deployment> = deps
                .into_iter()
                .enumerate()
                .map(|(i, (mut spec, replicas))| {
                    // Deployments only allow restartPolicy Always.
                    spec.restart_policy = RestartPolicy::Always;
                    let name = format!("dep-{i}");
                    let mut labels = Labels::new();
                    labels.insert("app".into(), name.clone());
                    Deployment::new(
                        ObjectMeta::named(name),
                        replicas,
                        LabelSelector::from_labels(labels.clone()),
                        PodTemplate {
                            labels,
                            annotations: Labels::new(),
                            spec,
                        },
                    )
                })
                .collect();
            let timeline = if deployments.is_empty() {
                Vec::new()
            } else {
                timeline
                    .into_iter()
                    .map(|(at, d, replicas)| TimelineEntry {
                        at: SimTime::from_secs(at),
                        action: Action::Scale {
                            namespace: "default".into(),
                            deployment: format!("dep-{}", d % deployments.len()),
                            replicas,
                        },
                    })
                    .collect()
            };
            SimulationInput {
                argo: Default::default(),
                config: SimulationConfig {
                    seed,
                    duration: SimTime::from_secs(DURATION_S),
                    sample_interval: SimTime::from_secs(sample_s),
                    limits: RunLimits::default(),
                    metrics: MetricsConfig {
                        cluster: true,
                        nodes: true,
                        containers: false,
                        container_every: 1,
                        deployments: false,
                    },
                    kubelet: Default::default(),
                    scenario: "prop".into(),
                    check_invariants: true,
                    clock_origin_unix_s: 0,
                    profile: Default::default(),
                    controller_manager: Default::default(),
                },
                nodes,
                images: images(),
                pods,
                deployments,
                jobs: Vec::new(),
                cron_jobs: Vec::new(),
                services: Vec::new(),
                traffic: Vec::new(),
                timeline,
            }
        })
}

// ---------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------

/// Keeps the events, and at every metric sample checks each node's
/// requested cpu, memory and pod count against its allocatable and its CPU
/// usage against its capacity (an intermediate check of the invariants).
struct Checker {
    nodes: BTreeMap<String, Node>,
    events: Vec<KubeEvent>,
    samples: usize,
    /// (pod, container) of every OOM victim.
    oom_victims: std::collections::BTreeSet<(String, String)>,
}

impl Checker {
    fn new(input: &SimulationInput) -> Self {
        Checker {
            nodes: input
                .nodes
                .iter()
                .map(|n| (n.name().to_string(), n.clone()))
                .collect(),
            events: Vec::new(),
            samples: 0,
            oom_victims: Default::default(),
        }
    }
}

impl RecordSink for Checker {
    type Error = String;
    fn event(&mut self, r: &EventRecord<'_>) -> Result<(), String> {
        self.events.push(r.event.clone());
        Ok(())
    }
    fn oom(&mut self, r: &kubesim_scheduler::OomRecord<'_>) -> Result<(), String> {
        if r.victim {
            self.oom_victims
                .insert((r.pod.to_string(), r.container.to_string()));
        }
        Ok(())
    }
    fn metric(&mut self, r: &MetricRecord<'_>) -> Result<(), String> {
        let (time, metric, value) = (r.time, r.metric, r.value);
        let MetricObject::Node(name) = r.object else {
            return Ok(());
        };
        self.samples += 1;
        let n = &self.nodes[name];
        let a = &n.allocatable;
        let bad = match metric {
            "pods" => value > a.pods as f64,
            "cpu_requested_cores" => value * 1000.0 > a.milli_cpu as f64 + 1e-6,
            "memory_requested_bytes" => value > a.memory as f64,
            "cpu_usage_cores" => {
                !(-1e-9..=n.capacity.milli_cpu as f64 / 1000.0 + 1e-9).contains(&value)
            }
            _ => !value.is_finite() || value < 0.0,
        };
        if bad {
            return Err(format!(
                "t={time}: node {name} {metric} = {value}, allocatable {a:?}"
            ));
        }
        Ok(())
    }
}

fn run(input: SimulationInput) -> Result<(Simulation, RunSummary, Checker), TestCaseError> {
    let mut rec = Checker::new(&input);
    let mut sim = Simulation::new(input).map_err(|e| TestCaseError::fail(format!("new: {e}")))?;
    let summary = sim
        .run(&mut rec)
        .map_err(|e| TestCaseError::fail(format!("run: {e:?}")))?;
    Ok((sim, summary, rec))
}

/// No node holds more than its allocatable; bound pods respect selectors,
/// taints and cordons; the node model's bookkeeping matches its pods.
fn check_placement(sim: &Simulation) -> Result<(), TestCaseError> {
    let c = sim.store();
    let books = sim.kubelet().accounting();
    let cordon = Taint {
        key: TAINT_NODE_UNSCHEDULABLE.into(),
        value: String::new(),
        effect: TaintEffect::NoSchedule,
    };
    for (nid, node) in c.nodes() {
        let ni = nid.index();
        let n = books.node(nid);
        let mut sum = ResourceList::default();
        let mut count = 0i64;
        let mut members = Vec::new();
        for (pid, p) in c.pods() {
            if p.node().map(|x| x.index()) != Some(ni) || p.times().finished.is_some() {
                continue;
            }
            count += 1;
            members.push(pid.index());
            sum.add(&pod_requests(&p.pod().spec));
        }
        let a = &node.allocatable;
        let name = node.name();
        prop_assert!(count <= a.pods, "{name}: {count} pods > {}", a.pods);
        prop_assert!(
            sum.milli_cpu <= a.milli_cpu,
            "{name}: cpu {} > {}",
            sum.milli_cpu,
            a.milli_cpu
        );
        prop_assert!(
            sum.memory <= a.memory,
            "{name}: memory {} > {}",
            sum.memory,
            a.memory
        );
        for (r, v) in &sum.scalar {
            prop_assert!(*v <= a.scalar(r), "{name}: {r} {v} > {}", a.scalar(r));
        }
        // The node model's own accounting agrees.
        let mut listed: Vec<usize> = n.pods().iter().map(|p| p.index()).collect();
        listed.sort_unstable();
        prop_assert_eq!(&listed, &members, "{} pod list", name);
        prop_assert_eq!(n.requested().milli_cpu, sum.milli_cpu);
        prop_assert_eq!(n.requested().memory, sum.memory);
        prop_assert_eq!(n.requested().pods, count);
        for (r, v) in &sum.scalar {
            prop_assert_eq!(n.requested().scalar(r), *v);
        }
        // … and so does the scheduler's cache.
        let info = &sim.placement().scheduler().nodes()[ni];
        prop_assert_eq!(info.pod_count, count, "{} scheduler cache", name);
        prop_assert_eq!(info.requested.milli_cpu, sum.milli_cpu);
        prop_assert_eq!(info.requested.memory, sum.memory);
    }
    for (_, p) in c.pods() {
        let Some(nid) = p.node() else { continue };
        let node = c.node(nid);
        let tol = &p.pod().spec.tolerations;
        for (k, v) in &p.pod().spec.node_selector {
            prop_assert_eq!(
                node.metadata.labels.get(k),
                Some(v),
                "{} on {} ignores its node selector",
                p.name(),
                node.name()
            );
        }
        // The scenario's taints; kubelet's memory-pressure taint comes
        // after pods were placed (NoSchedule evicts nobody).
        for t in node
            .taints
            .iter()
            .filter(|t| t.key != kubesim_core::TAINT_MEMORY_PRESSURE)
        {
            if matches!(t.effect, TaintEffect::NoSchedule | TaintEffect::NoExecute) {
                prop_assert!(
                    tolerations_tolerate_taint(tol, t),
                    "{} on {} does not tolerate {t:?}",
                    p.name(),
                    node.name()
                );
            }
        }
        if node.unschedulable {
            prop_assert!(
                tolerations_tolerate_taint(tol, &cordon),
                "{} on cordoned {}",
                p.name(),
                node.name()
            );
        }
        prop_assert_eq!(p.pod().spec.node_name.as_deref(), Some(node.name()));
    }
    Ok(())
}

/// A container of an image with finite work never uses more CPU than that
/// work per life (first start plus restarts), and every life that ended on
/// its own did all of its work. This holds for every container, including
/// the app containers of pods whose sidecar exits and is restarted (a
/// sidecar's restart leaves the app containers running).
fn check_finite_work(sim: &Simulation, rec: &Checker) -> Result<(), TestCaseError> {
    let books = sim.kubelet().accounting();
    for (_, p) in sim.store().pods() {
        let statuses = &p.pod().status.container_statuses;
        for ((ci, cid), c) in p.container_ids().enumerate().zip(statuses) {
            if c.image != "batch" {
                continue;
            }
            let cpu = books.container(cid);
            let is_sidecar = ci < p.init_count() && p.pod().spec.container(ci).is_sidecar();
            let cap = BATCH_WORK_S * f64::from(c.restart_count + 1);
            prop_assert!(
                cpu.used_cpu_s <= cap + 1e-6,
                "{}/{} used {} CPU-s, work {} x {} lives",
                p.name(),
                c.name,
                cpu.used_cpu_s,
                BATCH_WORK_S,
                c.restart_count + 1
            );
            // Every life that ended (not by deletion) did all its work: a
            // WorkDone timer left over from an earlier life must not end a
            // later one early. A sidecar's last life may instead have been
            // ended by the pod completing (sidecars are stopped once the app
            // containers are done), so it is not counted.
            // A life the OOM killer ended (a node with too little memory)
            // did not finish its work either.
            let oom_killed = rec
                .oom_victims
                .contains(&(p.name().to_string(), c.name.clone()));
            let evicted = p.pod().status.reason == "Evicted";
            if p.pod().metadata.deletion_timestamp.is_none() && !oom_killed && !evicted {
                let stopped_with_pod = is_sidecar && p.times().finished.is_some();
                let last_ended = c.state == ContainerState::Terminated && !stopped_with_pod;
                let ended = c.restart_count + u32::from(last_ended);
                let floor = BATCH_WORK_S * f64::from(ended);
                prop_assert!(
                    cpu.used_cpu_s >= floor - 1e-6,
                    "{}/{} used {} CPU-s over {} finished lives of {} CPU-s",
                    p.name(),
                    c.name,
                    cpu.used_cpu_s,
                    ended,
                    BATCH_WORK_S
                );
            }
        }
    }
    Ok(())
}

/// Per pod: name, node index, scheduled and finished times.
type PodRow = (String, Option<u32>, Option<SimTime>, Option<SimTime>);

fn pod_rows(sim: &Simulation) -> Vec<PodRow> {
    sim.store()
        .pods()
        .map(|(_, p)| {
            (
                p.name().to_string(),
                p.node().map(|n| n.0),
                p.times().scheduled,
                p.times().finished,
            )
        })
        .collect()
}

fn proptest_config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        // Integration tests have no lib.rs to put regression files next to.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(proptest_config(64))]

    /// At the end of the run and at an earlier cut-off (the same input run
    /// for a shorter duration), and at every metric sample in both runs.
    #[test]
    fn no_node_over_committed(input in arb_input(), cut in 1u64..DURATION_S) {
        let mut early = input.clone();
        early.config.duration = SimTime::from_secs(cut);
        if early.config.sample_interval > early.config.duration {
            early.config.sample_interval = SimTime::ZERO;
        }
        for inp in [early, input] {
            let (sim, _, rec) = run(inp)?;
            check_placement(&sim)?;
            // Sampled or not: without sampling the event queue can drain
            // while a node still waits for its CPU re-solve, which must not
            // let finite work overrun.
            check_finite_work(&sim, &rec)?;
        }
    }

    #[test]
    fn every_pod_bound_or_failed_scheduling(input in arb_input()) {
        let replicas: BTreeMap<String, i32> = {
            let mut m: BTreeMap<String, i32> = input
                .deployments
                .iter()
                .map(|d| (d.metadata.name.clone(), d.replicas))
                .collect();
            let mut tl = input.timeline.clone();
            tl.sort_by_key(|t| t.at);
            for t in tl {
                if let Action::Scale { deployment, replicas, .. } = t.action {
                    m.insert(deployment, replicas);
                }
            }
            m
        };
        let (sim, summary, rec) = run(input)?;
        let c = sim.store();
        let mut failed: BTreeMap<&str, usize> = BTreeMap::new();
        let mut scheduled_events = 0u64;
        for e in &rec.events {
            match e.reason {
                "FailedScheduling" => {
                    *failed.entry(e.object.strip_prefix("pod/").unwrap()).or_default() += 1;
                }
                "Scheduled" => scheduled_events += 1,
                _ => {}
            }
        }
        for (_, p) in c.pods() {
            let deleted = p.pod().metadata.deletion_timestamp.is_some();
            prop_assert!(
                p.node().is_some() || deleted || failed.contains_key(p.name()),
                "{} neither bound, deleted, nor FailedScheduling",
                p.name()
            );
            if p.node().is_some() {
                prop_assert!(p.times().scheduled.is_some());
            }
        }
        // The summary agrees with the objects and events.
        prop_assert_eq!(summary.pods_created, c.pod_count());
        prop_assert_eq!(
            summary.pods_scheduled,
            c.pods().filter(|(_, p)| p.times().scheduled.is_some()).count()
        );
        prop_assert_eq!(
            summary.failed_scheduling,
            failed.values().sum::<usize>() as u64
        );
        prop_assert_eq!(summary.scheduling_attempts, summary.failed_scheduling + scheduled_events);
        prop_assert_eq!(
            summary.pods_pending,
            c.pods()
                .filter(|(_, p)| p.node().is_none() && p.pod().metadata.deletion_timestamp.is_none())
                .count()
        );
        // Each Deployment ends with its last `replicas` live pods.
        for (name, want) in &replicas {
            let workload = format!("deployment/{name}");
            let live = c
                .pods()
                .filter(|(id, p)| c.workload_of(*id) == workload && p.times().finished.is_none())
                .count();
            prop_assert_eq!(live, (*want).max(0) as usize, "{}", name);
        }
    }
}

proptest! {
    #![proptest_config(proptest_config(32))]

    #[test]
    fn same_input_same_summary(input in arb_input()) {
        let (sim1, sum1, rec1) = run(input.clone())?;
        let (sim2, sum2, rec2) = run(input)?;
        prop_assert_eq!(&sum1, &sum2);
        prop_assert_eq!(rec1.events, rec2.events);
        prop_assert_eq!(pod_rows(&sim1), pod_rows(&sim2));
    }
}
