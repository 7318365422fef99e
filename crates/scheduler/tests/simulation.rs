//! End-to-end tests of the simulation event loop: determinism and per-entity
//! random streams, scheduling outcomes and their Kubernetes events, the
//! scheduling queue's retries, timeline scaling of Deployments, run limits
//! and metric sampling.

use kubesim_core::{
    Container, CpuProfile, Deployment, EventType, ImageBehavior, KubeEvent, LabelSelector,
    LimitExceeded, MilliCpu, Node, ObjectMeta, Pod, PodEntry, PodPhase, PodSpec, PodTemplate,
    ResourceList, ResourceRequirements, RestartPolicy, RunLimits, SimTime, Taint, TaintEffect,
};
use kubesim_scheduler::controllers::compute_hash;
use kubesim_scheduler::{
    Action, EventRecord, MetricObject, MetricRecord, MetricsConfig, NullSink as NullRecorder,
    RecordSink, RunSummary, SimError, Simulation, SimulationConfig, SimulationInput, TimelineEntry,
};
use std::collections::{BTreeMap, BTreeSet};
use std::convert::Infallible;

// ---------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------

const GI: i64 = 1 << 30;

fn secs(s: u64) -> SimTime {
    SimTime::from_secs(s)
}

fn node(name: &str, milli_cpu: i64, memory: i64, pods: i64) -> Node {
    Node::new(
        ObjectMeta::named(name),
        ResourceList {
            milli_cpu,
            memory,
            pods,
            scalar: Vec::new(),
        },
        ResourceList::default(),
    )
}

fn container(name: &str, image: &str, cpu_m: Option<i64>) -> Container {
    Container {
        name: name.into(),
        image: image.into(),
        resources: ResourceRequirements {
            cpu_request_m: cpu_m.map(MilliCpu),
            ..Default::default()
        },
        restart_policy: None,
        ..Default::default()
    }
}

fn spec(image: &str, cpu_m: Option<i64>) -> PodSpec {
    PodSpec {
        containers: vec![container("app", image, cpu_m)],
        ..Default::default()
    }
}

fn pod(name: &str, spec: PodSpec) -> Pod {
    Pod {
        metadata: ObjectMeta::named(name),
        spec,
        status: Default::default(),
    }
}

fn template(app: &str, spec: PodSpec) -> PodTemplate {
    let mut labels = BTreeMap::new();
    labels.insert("app".to_string(), app.to_string());
    PodTemplate {
        labels,
        annotations: BTreeMap::new(),
        spec,
    }
}

fn deployment(name: &str, replicas: i32, spec: PodSpec) -> Deployment {
    let t = template(name, spec);
    Deployment::new(
        ObjectMeta::named(name),
        replicas,
        LabelSelector::from_labels(t.labels.clone()),
        t,
    )
}

/// The ReplicaSet name the controller gives `d`.
fn replica_set_name(d: &Deployment) -> String {
    format!("{}-{}", d.metadata.name, compute_hash(&d.template))
}

fn config(seed: u64, duration: SimTime) -> SimulationConfig {
    SimulationConfig {
        scenario: "test".into(),
        seed,
        duration,
        sample_interval: SimTime::ZERO,
        limits: RunLimits::default(),
        metrics: MetricsConfig::default(),
        kubelet: Default::default(),
        profile: Default::default(),
        controller_manager: Default::default(),
        check_invariants: true,
        clock_origin_unix_s: 0,
    }
}

fn input(config: SimulationConfig, nodes: Vec<Node>, pods: Vec<Pod>) -> SimulationInput {
    SimulationInput {
        argo: Default::default(),
        config,
        nodes,
        images: Vec::new(),
        pods,
        deployments: Vec::new(),
        jobs: Vec::new(),
        cron_jobs: Vec::new(),
        services: Vec::new(),
        traffic: Vec::new(),
        timeline: Vec::new(),
    }
}

fn scale(at: SimTime, deployment: &str, replicas: i32) -> TimelineEntry {
    TimelineEntry {
        at,
        action: Action::Scale {
            namespace: "default".into(),
            deployment: deployment.into(),
            replicas,
        },
    }
}

/// An image whose process wants `cores` and exits after `work` CPU-seconds.
fn batch_image(cores: f64, work: f64) -> ImageBehavior {
    ImageBehavior {
        startup: SimTime::ZERO,
        cpu: CpuProfile::constant(cores),
        memory: kubesim_core::MemoryProfile::constant(64 << 20),
        cpu_seconds: Some(work),
        exit: None,
        ..Default::default()
    }
}

/// A Recorder that keeps everything.
#[derive(Debug, Default)]
struct Collect {
    events: Vec<KubeEvent>,
    /// (time, object, metric, value); object is the node name or `pod/container`.
    metrics: Vec<(SimTime, String, &'static str, f64)>,
}

impl RecordSink for Collect {
    type Error = Infallible;
    fn event(&mut self, r: &EventRecord<'_>) -> Result<(), Infallible> {
        self.events.push(r.event.clone());
        Ok(())
    }
    fn metric(&mut self, r: &MetricRecord<'_>) -> Result<(), Infallible> {
        let obj = match r.object {
            MetricObject::Cluster => "cluster".to_string(),
            MetricObject::Node(n) => format!("node/{n}"),
            MetricObject::Container { pod, container } => format!("container/{pod}/{container}"),
            other => other.to_string(),
        };
        self.metrics.push((r.time, obj, r.metric, r.value));
        Ok(())
    }
}

fn new_sim(input: SimulationInput) -> Simulation {
    match Simulation::new(input) {
        Ok(s) => s,
        Err(e) => panic!("Simulation::new failed: {e}"),
    }
}

/// Runs `input` to the end with a collecting recorder.
fn run(input: SimulationInput) -> (Simulation, RunSummary, Collect) {
    let mut sim = new_sim(input);
    let mut rec = Collect::default();
    let summary = sim.run(&mut rec).expect("run succeeds");
    (sim, summary, rec)
}

/// Per pod: (name, node name, scheduled, started, finished, deleted).
type PodRow = (
    String,
    Option<String>,
    Option<SimTime>,
    Option<SimTime>,
    Option<SimTime>,
    Option<SimTime>,
);

fn pod_rows(sim: &Simulation) -> Vec<PodRow> {
    let c = sim.store();
    c.pods()
        .map(|(_, p)| {
            (
                p.name().to_string(),
                p.node().map(|n| c.node(n).name().to_string()),
                p.times().scheduled,
                p.times().started,
                p.times().finished,
                p.pod().metadata.deletion_timestamp,
            )
        })
        .collect()
}

/// Names of the pods a workload (`deployment/NAME`) created, in creation order.
fn workload_pods(sim: &Simulation, workload: &str) -> Vec<String> {
    let c = sim.store();
    c.pods()
        .filter(|(id, _)| c.workload_of(*id) == workload)
        .map(|(_, p)| p.name().to_string())
        .collect()
}

fn events_with_reason<'a>(rec: &'a Collect, reason: &str) -> Vec<&'a KubeEvent> {
    rec.events.iter().filter(|e| e.reason == reason).collect()
}

fn pod_by_name<'a>(sim: &'a Simulation, name: &str) -> &'a PodEntry {
    let c = sim.store();
    c.pod(
        c.pod_id("default", name)
            .unwrap_or_else(|| panic!("pod {name} exists")),
    )
}

fn node_of(sim: &Simulation, pod: &str) -> Option<String> {
    let c = sim.store();
    pod_by_name(sim, pod)
        .node()
        .map(|n| c.node(n).name().to_string())
}

// ---------------------------------------------------------------------------
// Determinism and random streams
// ---------------------------------------------------------------------------

/// A scenario with contention, finite work, restarts and a scale timeline.
fn busy_scenario(seed: u64, extra_deployment: bool) -> SimulationInput {
    let mut cfg = config(seed, secs(300));
    cfg.sample_interval = secs(15);
    let nodes = (0..4)
        .map(|i| node(&format!("node-{i}"), 2000, 8 * GI, 10))
        .collect();
    let mut job = spec("batch", Some(500));
    job.restart_policy = RestartPolicy::Never;
    let mut crash = spec("crashy", Some(200));
    crash.restart_policy = RestartPolicy::Always;
    let pods = vec![
        pod("job-a", job.clone()),
        pod("job-b", job),
        pod("crash", crash),
        pod("besteffort", spec("spiky", None)),
    ];
    let mut deployments = vec![deployment("web", 3, spec("spiky", Some(300)))];
    if extra_deployment {
        deployments.push(deployment("other", 4, spec("batchy-idle", Some(100))));
    }
    let mut timeline = vec![scale(secs(60), "web", 6), scale(secs(200), "web", 2)];
    if extra_deployment {
        timeline.push(scale(secs(100), "other", 7));
    }
    SimulationInput {
        argo: Default::default(),
        config: cfg,
        nodes,
        images: vec![
            ("batch".into(), batch_image(1.0, 40.0)),
            ("crashy".into(), batch_image(0.5, 5.0)),
            (
                "spiky".into(),
                ImageBehavior {
                    startup: secs(3),
                    cpu: CpuProfile {
                        points: vec![(SimTime::ZERO, 0.2), (secs(20), 1.5)],
                        period: Some(secs(40)),
                        ..CpuProfile::constant(0.0)
                    },
                    memory: kubesim_core::MemoryProfile::constant(128 << 20),
                    cpu_seconds: None,
                    exit: None,
                    ..Default::default()
                },
            ),
        ],
        pods,
        deployments,
        jobs: Vec::new(),
        cron_jobs: Vec::new(),
        services: Vec::new(),
        traffic: Vec::new(),
        timeline,
    }
}

#[test]
fn same_input_gives_identical_runs() {
    let (sim1, sum1, rec1) = run(busy_scenario(7, false));
    let (sim2, sum2, rec2) = run(busy_scenario(7, false));
    assert_eq!(sum1, sum2);
    assert_eq!(pod_rows(&sim1), pod_rows(&sim2));
    assert_eq!(rec1.events, rec2.events);
    assert_eq!(rec1.metrics.len(), rec2.metrics.len());
    for (a, b) in rec1.metrics.iter().zip(&rec2.metrics) {
        assert_eq!(a.0, b.0);
        assert_eq!(a.1, b.1);
        assert_eq!(a.2, b.2);
        assert_eq!(a.3.to_bits(), b.3.to_bits(), "metric {a:?} vs {b:?}");
    }
    // The scenario actually did something.
    assert!(sum1.pods_scheduled >= 8, "{sum1:?}");
    assert!(sum1.pods_succeeded >= 2, "{sum1:?}");
    assert!(sum1.container_restarts >= 1, "{sum1:?}");
    assert!(sum1.pods_deleted >= 4, "{sum1:?}");
}

#[test]
fn seed_changes_deployment_pod_names() {
    let (a, _, _) = run(busy_scenario(1, false));
    let (b, _, _) = run(busy_scenario(2, false));
    let names_a = workload_pods(&a, "deployment/web");
    let names_b = workload_pods(&b, "deployment/web");
    assert_eq!(names_a.len(), names_b.len());
    // Same ReplicaSet prefix (template hash does not depend on the seed) …
    let rs = replica_set_name(&deployment("web", 3, spec("spiky", Some(300))));
    for n in names_a.iter().chain(&names_b) {
        let suffix = n
            .strip_prefix(&format!("{rs}-"))
            .unwrap_or_else(|| panic!("{n} starts with {rs}-"));
        assert_eq!(suffix.len(), 5, "{n}");
        assert!(
            suffix
                .bytes()
                .all(|c| b"bcdfghjklmnpqrstvwxz2456789".contains(&c)),
            "{n}"
        );
    }
    // … but different random suffixes.
    assert_ne!(names_a, names_b);
    let set_a: BTreeSet<_> = names_a.iter().collect();
    assert!(
        names_b.iter().all(|n| !set_a.contains(n)),
        "{names_a:?} vs {names_b:?}"
    );
}

#[test]
fn unrelated_deployment_does_not_shift_pod_names() {
    let (alone, _, _) = run(busy_scenario(42, false));
    let (with_other, _, _) = run(busy_scenario(42, true));
    let web_alone = workload_pods(&alone, "deployment/web");
    let web_with = workload_pods(&with_other, "deployment/web");
    assert!(web_alone.len() >= 6);
    assert_eq!(web_alone, web_with);
    assert!(workload_pods(&with_other, "deployment/other").len() >= 7);
}

#[test]
fn tie_break_is_random_but_seeded() {
    let scenario = |seed| {
        input(
            config(seed, secs(10)),
            (0..4)
                .map(|i| node(&format!("n{i}"), 4000, 16 * GI, 110))
                .collect(),
            vec![pod("p", spec("idle", Some(100)))],
        )
    };
    let mut chosen = BTreeSet::new();
    for seed in 0..40 {
        let (sim, _, _) = run(scenario(seed));
        let n = node_of(&sim, "p").expect("pod bound");
        let (again, _, _) = run(scenario(seed));
        assert_eq!(
            node_of(&again, "p").as_deref(),
            Some(n.as_str()),
            "seed {seed}"
        );
        chosen.insert(n);
    }
    assert!(chosen.len() > 1, "every seed chose {chosen:?}");
}

// ---------------------------------------------------------------------------
// Scheduling outcomes
// ---------------------------------------------------------------------------

#[test]
fn failed_scheduling_event_and_message() {
    let mut db = node("db", 4000, 16 * GI, 110);
    db.taints.push(Taint {
        key: "dedicated".into(),
        value: "db".into(),
        effect: TaintEffect::NoSchedule,
    });
    let mut busy1 = spec("idle", Some(3000));
    busy1.node_name = Some("n1".into());
    let mut busy2 = spec("idle", Some(3000));
    busy2.node_name = Some("n2".into());
    let inp = input(
        config(3, secs(900)),
        vec![
            node("n1", 4000, 16 * GI, 110),
            node("n2", 4000, 16 * GI, 110),
            db,
        ],
        vec![
            pod("busy-1", busy1),
            pod("busy-2", busy2),
            pod("big", spec("idle", Some(2000))),
        ],
    );
    let (sim, summary, rec) = run(inp);
    let failed = events_with_reason(&rec, "FailedScheduling");
    assert!(!failed.is_empty());
    for e in &failed {
        assert_eq!(e.object, "pod/big");
        assert_eq!(e.kind, EventType::Warning);
        assert_eq!(
            e.message,
            "0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: db}, 2 Insufficient cpu."
        );
    }
    // Nothing changes, so the pod is retried only by the leftover flush
    // (every 30 s, for pods more than 5 minutes in the unschedulable pool),
    // not in a tight loop.
    let times: Vec<SimTime> = failed.iter().map(|e| e.time).collect();
    assert_eq!(times, vec![SimTime::ZERO, secs(330), secs(660)]);
    assert_eq!(summary.failed_scheduling, failed.len() as u64);
    assert_eq!(summary.pods_pending, 1);
    let big = pod_by_name(&sim, "big");
    assert_eq!(big.node(), None);
    assert_eq!(big.phase(), PodPhase::Pending);
    assert_eq!(events_with_reason(&rec, "Scheduled").len(), 0);
}

#[test]
fn pending_pod_scheduled_after_other_pod_completes() {
    let mut job = spec("batch", Some(2000));
    job.restart_policy = RestartPolicy::Never;
    let mut inp = input(
        config(5, secs(120)),
        vec![node("n", 2000, 8 * GI, 110)],
        vec![pod("job", job), pod("waiter", spec("idle", Some(2000)))],
    );
    inp.images = vec![("batch".into(), batch_image(1.0, 10.0))];
    let (sim, summary, rec) = run(inp);
    let job = pod_by_name(&sim, "job");
    let done = job.times().finished.expect("job completes");
    assert_eq!(job.phase(), PodPhase::Succeeded);
    assert_eq!(done, secs(10));
    let waiter = pod_by_name(&sim, "waiter");
    let at = waiter
        .times()
        .scheduled
        .expect("waiter scheduled after the job");
    assert!(at >= done, "scheduled {at} before completion {done}");
    assert!(
        at < done + secs(10),
        "scheduled {at}, completion {done}: waited longer than the back-off cap"
    );
    assert_eq!(summary.pods_pending, 0);
    assert_eq!(summary.failed_scheduling, 1);
    let sched: Vec<_> = events_with_reason(&rec, "Scheduled")
        .into_iter()
        .filter(|e| e.object == "pod/waiter")
        .collect();
    assert_eq!(sched.len(), 1);
    assert_eq!(sched[0].time, at);
    assert_eq!(
        sched[0].message,
        "Successfully assigned default/waiter to n"
    );
}

#[test]
fn released_pod_waits_for_its_backoff() {
    // The job ends at 0.5 s, but the waiter failed at 0 s and backs off 1 s.
    let mut job = spec("batch", Some(2000));
    job.restart_policy = RestartPolicy::Never;
    let mut inp = input(
        config(5, secs(60)),
        vec![node("n", 2000, 8 * GI, 110)],
        vec![pod("job", job), pod("waiter", spec("idle", Some(2000)))],
    );
    inp.images = vec![("batch".into(), batch_image(1.0, 0.5))];
    let (sim, _, _) = run(inp);
    let done = pod_by_name(&sim, "job")
        .times()
        .finished
        .expect("job completes");
    assert_eq!(done, SimTime::from_millis(500));
    assert_eq!(pod_by_name(&sim, "waiter").times().scheduled, Some(secs(1)));
}

#[test]
fn higher_priority_pod_gets_the_only_room() {
    let mut low = spec("idle", Some(1000));
    low.priority = 0;
    let mut high = spec("idle", Some(1000));
    high.priority = 100;
    let inp = input(
        config(1, secs(30)),
        vec![node("n", 1000, 8 * GI, 110)],
        // `low` is created first: priority beats FIFO.
        vec![pod("low", low), pod("high", high)],
    );
    let (sim, summary, rec) = run(inp);
    assert_eq!(node_of(&sim, "high").as_deref(), Some("n"));
    assert_eq!(node_of(&sim, "low"), None);
    assert_eq!(summary.pods_pending, 1);
    let failed = events_with_reason(&rec, "FailedScheduling");
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].object, "pod/low");
    assert_eq!(
        failed[0].message,
        "0/1 nodes are available: 1 Insufficient cpu."
    );
}

#[test]
fn equal_priority_is_first_in_first_out() {
    let inp = input(
        config(1, secs(30)),
        vec![node("n", 1000, 8 * GI, 110)],
        vec![
            pod("first", spec("idle", Some(1000))),
            pod("second", spec("idle", Some(1000))),
        ],
    );
    let (sim, _, _) = run(inp);
    assert_eq!(node_of(&sim, "first").as_deref(), Some("n"));
    assert_eq!(node_of(&sim, "second"), None);
}

#[test]
fn node_name_pods_bypass_the_scheduler() {
    let mut tainted = node("n2", 1000, 8 * GI, 110);
    tainted.taints.push(Taint {
        key: "dedicated".into(),
        value: "db".into(),
        effect: TaintEffect::NoSchedule,
    });
    let mut pinned = spec("idle", Some(500));
    pinned.node_name = Some("n2".into());
    let inp = input(
        config(1, secs(30)),
        vec![node("n1", 4000, 8 * GI, 110), tainted],
        vec![pod("pinned", pinned)],
    );
    let (sim, summary, rec) = run(inp);
    let p = pod_by_name(&sim, "pinned");
    assert_eq!(node_of(&sim, "pinned").as_deref(), Some("n2"));
    assert_eq!(p.times().scheduled, Some(SimTime::ZERO));
    assert_eq!(p.phase(), PodPhase::Running);
    assert_eq!(summary.scheduling_attempts, 0);
    assert_eq!(summary.pods_scheduled, 1);
    assert!(events_with_reason(&rec, "Scheduled").is_empty());
    assert!(events_with_reason(&rec, "FailedScheduling").is_empty());
    // The kubelet still starts it.
    assert!(rec
        .events
        .iter()
        .any(|e| e.reason == "Started" && e.object == "pod/pinned"));
}

// ---------------------------------------------------------------------------
// Deployments and the timeline
// ---------------------------------------------------------------------------

fn scale_scenario(duration: SimTime) -> SimulationInput {
    // Room for three 1-cpu pods: after scaling to 5, two stay pending.
    let d = deployment("web", 2, spec("idle", Some(1000)));
    let mut inp = input(
        config(11, duration),
        vec![node("n", 3000, 8 * GI, 110)],
        vec![],
    );
    inp.deployments = vec![d];
    inp.timeline = vec![scale(secs(60), "web", 5), scale(secs(120), "web", 1)];
    inp
}

#[test]
fn scale_up_via_timeline() {
    let (sim, summary, rec) = run(scale_scenario(secs(90)));
    let rs = replica_set_name(&deployment("web", 2, spec("idle", Some(1000))));
    let pods = workload_pods(&sim, "deployment/web");
    assert_eq!(pods.len(), 5);
    assert_eq!(summary.pods_deleted, 0);
    let running = pods
        .iter()
        .filter(|n| pod_by_name(&sim, n).node().is_some())
        .count();
    assert_eq!(running, 3);
    assert_eq!(summary.pods_pending, 2);
    let scaling: Vec<_> = events_with_reason(&rec, "ScalingReplicaSet")
        .into_iter()
        .map(|e| (e.time, e.object.as_str(), e.message.as_str()))
        .collect();
    assert_eq!(
        scaling,
        vec![
            (
                SimTime::ZERO,
                "deployment/web",
                format!("Scaled up replica set {rs} from 0 to 2").as_str()
            ),
            (
                secs(60),
                "deployment/web",
                format!("Scaled up replica set {rs} from 2 to 5").as_str()
            ),
        ]
    );
    let created = events_with_reason(&rec, "SuccessfulCreate");
    assert_eq!(created.len(), 5);
    for (e, name) in created.iter().zip(&pods) {
        assert_eq!(e.object, format!("replicaset/{rs}"));
        assert_eq!(e.message, format!("Created pod: {name}"));
    }
    for name in &pods {
        let p = pod_by_name(&sim, name);
        assert_eq!(
            p.pod().metadata.labels.get("app").map(String::as_str),
            Some("web")
        );
        let hash = rs.rsplit('-').next().unwrap();
        assert_eq!(
            p.pod()
                .metadata
                .labels
                .get("pod-template-hash")
                .map(String::as_str),
            Some(hash)
        );
        let owner = p.pod().metadata.controller_of().expect("owned");
        assert_eq!(
            (owner.kind(), owner.name.as_str()),
            ("ReplicaSet", rs.as_str())
        );
    }
}

#[test]
fn scale_down_deletes_pending_pods_first() {
    let (sim, summary, rec) = run(scale_scenario(secs(180)));
    let rs = replica_set_name(&deployment("web", 2, spec("idle", Some(1000))));
    let pods = workload_pods(&sim, "deployment/web");
    assert_eq!(pods.len(), 5, "no replacement pods for scaled-down ones");
    let deleted: Vec<&String> = pods
        .iter()
        .filter(|n| {
            pod_by_name(&sim, n)
                .pod()
                .metadata
                .deletion_timestamp
                .is_some()
        })
        .collect();
    assert_eq!(deleted.len(), 4);
    for n in &deleted {
        assert_eq!(
            pod_by_name(&sim, n).pod().metadata.deletion_timestamp,
            Some(secs(120))
        );
    }
    assert_eq!(summary.pods_deleted, 4);
    assert_eq!(summary.pods_pending, 0);
    assert_eq!(summary.pods_running, 1);
    let scaling: Vec<_> = events_with_reason(&rec, "ScalingReplicaSet")
        .into_iter()
        .map(|e| e.message.clone())
        .collect();
    assert_eq!(
        scaling.last().map(String::as_str),
        Some(format!("Scaled down replica set {rs} from 5 to 1").as_str())
    );
    assert_eq!(
        scaling[1],
        format!("Scaled up replica set {rs} from 2 to 5")
    );

    // The two pods that were still pending go first (ActivePods order).
    let never_bound: Vec<&String> = pods
        .iter()
        .filter(|n| pod_by_name(&sim, n).times().scheduled.is_none())
        .collect();
    assert_eq!(never_bound.len(), 2);
    let delete_events = events_with_reason(&rec, "SuccessfulDelete");
    assert_eq!(delete_events.len(), 4);
    let first_two: BTreeSet<String> = delete_events[..2]
        .iter()
        .map(|e| e.message.trim_start_matches("Deleted pod: ").to_string())
        .collect();
    let pending: BTreeSet<String> = never_bound.iter().map(|s| s.to_string()).collect();
    assert_eq!(first_two, pending);
    for e in &delete_events {
        assert_eq!(e.time, secs(120));
        assert_eq!(e.object, format!("replicaset/{rs}"));
    }
    // Then running pods, the newest (ready for the shortest time) first: the
    // survivor is one of the two original replicas.
    let survivor: Vec<&String> = pods
        .iter()
        .filter(|n| {
            pod_by_name(&sim, n)
                .pod()
                .metadata
                .deletion_timestamp
                .is_none()
        })
        .collect();
    assert_eq!(survivor.len(), 1);
    let s = pod_by_name(&sim, survivor[0]);
    assert_eq!(s.times().created, SimTime::ZERO);
    assert_eq!(s.phase(), PodPhase::Running);
    // Deleted pending pods are never scheduled later.
    for n in &never_bound {
        assert_eq!(pod_by_name(&sim, n).node(), None);
    }
    // Running pods that were deleted were killed.
    assert_eq!(events_with_reason(&rec, "Killing").len(), 2);
}

#[test]
fn completed_deployment_pod_is_replaced() {
    // restartPolicy Never is not valid for Deployments upstream, but the
    // controller must still keep the replica count when a pod goes away.
    let mut s = spec("batch", Some(100));
    s.restart_policy = RestartPolicy::Never;
    let mut inp = input(
        config(3, secs(25)),
        vec![node("n", 4000, 8 * GI, 110)],
        vec![],
    );
    inp.images = vec![("batch".into(), batch_image(1.0, 10.0))];
    inp.deployments = vec![deployment("jobs", 1, s)];
    let (sim, summary, _) = run(inp);
    let pods = workload_pods(&sim, "deployment/jobs");
    // Created at 0 s, 10 s and 20 s.
    assert_eq!(pods.len(), 3, "{pods:?}");
    assert_eq!(summary.pods_succeeded, 2);
    assert_eq!(summary.pods_running, 1);
}

#[test]
fn finite_work_completes_when_the_queue_drains() {
    // One batch pod, no sampling: after the pod starts, the event queue is
    // empty while the node still waits for its CPU re-solve.
    let mut job = spec("batch", Some(100));
    job.restart_policy = RestartPolicy::Never;
    let mut inp = input(
        config(1, secs(60)),
        vec![node("n", 4000, 8 * GI, 110)],
        vec![pod("job", job)],
    );
    inp.images = vec![("batch".into(), batch_image(1.0, 10.0))];
    let (sim, summary, _rec) = run(inp);
    let job = pod_by_name(&sim, "job");
    // The node is re-solved before the run leaves its loop, so the WorkDone
    // timer is scheduled and the container never uses more CPU than its work.
    let cid = job.container_id(0);
    let used = sim.kubelet().accounting().container(cid).used_cpu_s;
    assert!(used <= 10.0 + 1e-6, "used {used} CPU-s of 10");
    assert_eq!(job.phase(), PodPhase::Succeeded);
    assert_eq!(job.times().finished, Some(secs(10)));
    assert_eq!(summary.pods_succeeded, 1);
}

// ---------------------------------------------------------------------------
// Node model seen through the simulation
// ---------------------------------------------------------------------------

fn started_times(rec: &Collect, pod: &str, container: &str) -> Vec<SimTime> {
    let object = format!("pod/{pod}");
    let message = format!("Started container {container}");
    rec.events
        .iter()
        .filter(|e| e.reason == "Started" && e.object == object && e.message == message)
        .map(|e| e.time)
        .collect()
}

#[test]
fn restarted_container_does_all_its_work() {
    // One core, two equal Burstable pods: `pa` (10 CPU-s, restartPolicy
    // Always) and `pb` (2 CPU-s, Never). Both get 0.5 cores until `pb` is
    // done at 4 s; `pa` then has the core and finishes at 12 s (2 + 8 CPU-s),
    // restarts at once (first restart has no back-off), finishes its second
    // life at 22 s, backs off 10 s and starts again at 32 s.
    let mut cfg = config(0, secs(40));
    cfg.sample_interval = secs(1);
    let mut b = spec("b", Some(500));
    b.restart_policy = RestartPolicy::Never;
    let mut inp = input(
        cfg,
        vec![node("n", 1000, 2 * GI, 10)],
        vec![pod("pa", spec("a", Some(500))), pod("pb", b)],
    );
    inp.images = vec![
        ("a".into(), batch_image(1.0, 10.0)),
        ("b".into(), batch_image(1.0, 2.0)),
    ];
    let (sim, _, rec) = run(inp);
    assert_eq!(pod_by_name(&sim, "pb").times().finished, Some(secs(4)));
    let started = started_times(&rec, "pa", "app");
    assert_eq!(started[..2], [SimTime::ZERO, secs(12)]);
    let backoff: Vec<SimTime> = events_with_reason(&rec, "BackOff")
        .iter()
        .map(|e| e.time)
        .collect();
    // The first life's superseded WorkDone (issued at 0 s, due at 20 s at
    // 0.5 cores) must not end the second life early: that life does all
    // 10 CPU-s and ends at 22 s; back-off 10 s, third start at 32 s.
    assert_eq!(backoff.first(), Some(&secs(22)));
    assert_eq!(started, vec![SimTime::ZERO, secs(12), secs(32)]);
}

#[test]
fn sidecar_restart_leaves_app_containers_running() {
    // A sidecar whose process exits after 5 CPU-s is restarted by the
    // kubelet; the app container keeps running meanwhile.
    let mut cfg = config(0, secs(60));
    cfg.sample_interval = secs(5);
    let mut s = spec("server", Some(100));
    s.init_containers = vec![Container {
        restart_policy: Some(RestartPolicy::Always),
        ..container("side", "side", Some(100))
    }];
    let mut inp = input(cfg, vec![node("n", 2000, 2 * GI, 10)], vec![pod("p", s)]);
    inp.images = vec![
        ("side".into(), batch_image(1.0, 5.0)),
        (
            "server".into(),
            ImageBehavior {
                startup: SimTime::ZERO,
                cpu: CpuProfile::constant(0.5),
                memory: kubesim_core::MemoryProfile::constant(1 << 20),
                cpu_seconds: None,
                exit: None,
                ..Default::default()
            },
        ),
    ];
    let (sim, _, rec) = run(inp);
    let p = pod_by_name(&sim, "p");
    let side = &p.pod().status.container_statuses[0];
    let app = &p.pod().status.container_statuses[1];
    let app_cpu = sim.kubelet().accounting().container(p.container_id(1));
    assert!(p.pod().spec.init_containers[0].is_sidecar());
    assert!(
        side.restart_count >= 2,
        "sidecar restarts: {}",
        side.restart_count
    );
    assert_eq!(
        started_times(&rec, "p", "side")[..2],
        [SimTime::ZERO, secs(5)]
    );
    assert_eq!(app.restart_count, 0);
    let app_started = started_times(&rec, "p", "app");
    assert_eq!(app_started[0], SimTime::ZERO);
    // A sidecar coming back up after a restart does not re-run pod
    // initialization: the app is started once (upstream the kubelet restarts
    // only the exited sidecar: `computeInitContainerActions`,
    // pkg/kubelet/kuberuntime/kuberuntime_container.go).
    assert_eq!(app_started, vec![SimTime::ZERO]);
    assert_eq!(app.started_at, Some(SimTime::ZERO));
    assert_eq!(p.times().started, Some(SimTime::ZERO));
    // App CPU: 0.5 cores all the time.
    assert!(
        (app_cpu.used_cpu_s - 30.0).abs() < 1e-6,
        "{}",
        app_cpu.used_cpu_s
    );
}

// ---------------------------------------------------------------------------
// Limits
// ---------------------------------------------------------------------------

#[test]
fn event_limit_stops_the_run() {
    let mut inp = busy_scenario(1, false);
    inp.config.limits.max_events = 20;
    let mut sim = new_sim(inp);
    match sim.run(&mut NullRecorder) {
        Err(SimError::Limit(LimitExceeded::Events { limit, .. })) => assert_eq!(limit, 20),
        Err(e) => panic!("wrong error: {e:?}"),
        Ok(s) => panic!("run finished: {s:?}"),
    }
}

#[test]
fn event_limit_is_inclusive() {
    let events = new_sim(busy_scenario(1, false))
        .run(&mut NullRecorder)
        .expect("runs")
        .events;
    assert!(events > 100);
    let mut at_limit = busy_scenario(1, false);
    at_limit.config.limits.max_events = events;
    let again = new_sim(at_limit).run(&mut NullRecorder).expect("runs");
    assert_eq!(again.events, events);
    let mut below = busy_scenario(1, false);
    below.config.limits.max_events = events - 1;
    assert!(matches!(
        new_sim(below).run(&mut NullRecorder),
        Err(SimError::Limit(LimitExceeded::Events { .. }))
    ));
}

#[test]
fn object_limit_rejects_the_input() {
    let mut cfg = config(1, secs(10));
    cfg.limits.max_objects = 3;
    let inp = input(
        cfg,
        vec![node("a", 1000, GI, 110), node("b", 1000, GI, 110)],
        vec![pod("p1", spec("idle", None)), pod("p2", spec("idle", None))],
    );
    match Simulation::new(inp) {
        Err(LimitExceeded::Objects { limit, .. }) => assert_eq!(limit, 3),
        Err(e) => panic!("wrong error: {e}"),
        Ok(_) => panic!("4 objects accepted with max_objects = 3"),
    }
    // Deployment replicas count too.
    let mut cfg = config(1, secs(10));
    cfg.limits.max_objects = 3;
    let mut inp = input(cfg, vec![node("a", 1000, GI, 110)], vec![]);
    inp.deployments = vec![deployment("web", 5, spec("idle", None))];
    assert!(matches!(
        Simulation::new(inp),
        Err(LimitExceeded::Objects { limit: 3, .. })
    ));
}

#[test]
fn object_limit_during_the_run() {
    let mut cfg = config(1, secs(100));
    cfg.limits.max_objects = 4;
    let mut inp = input(cfg, vec![node("a", 8000, GI, 110)], vec![]);
    inp.deployments = vec![deployment("web", 2, spec("idle", None))];
    inp.timeline = vec![scale(secs(50), "web", 10)];
    let mut sim = new_sim(inp);
    match sim.run(&mut NullRecorder) {
        Err(SimError::Limit(LimitExceeded::Objects { limit, at })) => {
            assert_eq!(limit, 4);
            assert_eq!(at, secs(50));
        }
        Err(e) => panic!("wrong error: {e:?}"),
        Ok(s) => panic!("run finished: {s:?}"),
    }
}

#[test]
fn duration_over_sim_time_limit() {
    let mut cfg = config(1, secs(3601));
    cfg.limits.max_sim_time = secs(3600);
    let inp = input(cfg, vec![node("a", 1000, GI, 110)], vec![]);
    match Simulation::new(inp) {
        Err(LimitExceeded::SimTime { requested, limit }) => {
            assert_eq!(requested, secs(3601));
            assert_eq!(limit, secs(3600));
        }
        Err(e) => panic!("wrong error: {e}"),
        Ok(_) => panic!("duration over the limit accepted"),
    }
    // Exactly at the limit is fine.
    let mut cfg = config(1, secs(3600));
    cfg.limits.max_sim_time = secs(3600);
    let inp = input(cfg, vec![node("a", 1000, GI, 110)], vec![]);
    let summary = new_sim(inp).run(&mut NullRecorder).expect("runs");
    assert_eq!(summary.sim_time, secs(3600));
}

// ---------------------------------------------------------------------------
// Metrics
// ---------------------------------------------------------------------------

fn metrics_scenario(container_every: u32) -> SimulationInput {
    let mut inp = busy_scenario(9, true);
    inp.config.duration = secs(240);
    inp.config.sample_interval = secs(10);
    inp.config.metrics = MetricsConfig {
        cluster: true,
        nodes: true,
        containers: true,
        container_every,
        deployments: false,
    };
    inp
}

/// Per sample time: node name → value of `metric`.
fn node_metric(rec: &Collect, metric: &str) -> BTreeMap<SimTime, BTreeMap<String, f64>> {
    let mut out: BTreeMap<SimTime, BTreeMap<String, f64>> = BTreeMap::new();
    for (t, obj, m, v) in &rec.metrics {
        if let Some(n) = obj.strip_prefix("node/") {
            if *m == metric {
                out.entry(*t).or_default().insert(n.to_string(), *v);
            }
        }
    }
    out
}

/// Per sample time: node name → sum of container `metric` of pods on it.
fn container_metric_by_node(
    sim: &Simulation,
    rec: &Collect,
    metric: &str,
) -> BTreeMap<SimTime, BTreeMap<String, f64>> {
    let mut out: BTreeMap<SimTime, BTreeMap<String, f64>> = BTreeMap::new();
    for (t, obj, m, v) in &rec.metrics {
        let Some(rest) = obj.strip_prefix("container/") else {
            continue;
        };
        if *m != metric {
            continue;
        }
        let pod = rest.rsplit_once('/').expect("pod/container").0;
        let node = node_of(sim, pod).expect("container metrics only for bound pods");
        *out.entry(*t).or_default().entry(node).or_default() += *v;
    }
    out
}

#[test]
fn node_cpu_usage_is_sum_of_containers() {
    let (sim, summary, rec) = run(metrics_scenario(1));
    let nodes = node_metric(&rec, "cpu_usage_cores");
    let containers = container_metric_by_node(&sim, &rec, "cpu_usage_cores");
    let times: Vec<SimTime> = nodes.keys().copied().collect();
    let want: Vec<SimTime> = (1..=24).map(|i| secs(10 * i)).collect();
    assert_eq!(times, want);
    let mut total = 0.0;
    for (t, per_node) in &nodes {
        assert_eq!(per_node.len(), 4);
        for (n, used) in per_node {
            let sum = containers
                .get(t)
                .and_then(|m| m.get(n))
                .copied()
                .unwrap_or(0.0);
            assert!(
                (used - sum).abs() < 1e-6,
                "t={t} node {n}: node {used} vs containers {sum}"
            );
            assert!(*used <= 2.0 + 1e-9, "t={t} node {n} uses {used} > capacity");
            assert!(*used >= -1e-12);
            total += used * 10.0;
        }
    }
    assert!(total > 10.0, "the scenario uses CPU");
    assert!(
        (total - summary.cpu_used_core_s).abs() < 1e-6 * summary.cpu_used_core_s.max(1.0),
        "integral of node usage {total} vs summary {}",
        summary.cpu_used_core_s
    );
    // The other node metrics are present at every sample too.
    for m in [
        "cpu_requested_cores",
        "memory_usage_bytes",
        "memory_requested_bytes",
        "pods",
    ] {
        assert_eq!(node_metric(&rec, m).len(), 24, "{m}");
    }
}

#[test]
fn container_metrics_every_third_sample() {
    let (sim, _, rec) = run(metrics_scenario(3));
    let nodes = node_metric(&rec, "cpu_usage_cores");
    assert_eq!(nodes.len(), 24);
    let container_times: BTreeSet<SimTime> = rec
        .metrics
        .iter()
        .filter(|(_, obj, _, _)| obj.starts_with("container/"))
        .map(|(t, _, _, _)| *t)
        .collect();
    let want: BTreeSet<SimTime> = (1..=8).map(|i| secs(30 * i)).collect();
    assert_eq!(container_times, want);
    // Each container row covers the 30 s since the last one: its rate is the
    // mean of the three node samples in that span.
    let containers = container_metric_by_node(&sim, &rec, "cpu_usage_cores");
    for (t, per_node) in &containers {
        for (n, sum) in per_node {
            let mean: f64 = (0..3).map(|k| nodes[&(*t - secs(10 * k))][n]).sum::<f64>() / 3.0;
            assert!(
                (mean - sum).abs() < 1e-6,
                "t={t} node {n}: node mean {mean} vs containers {sum}"
            );
        }
    }
    for m in [
        "cpu_throttled_cores",
        "cpu_starved_cores",
        "memory_usage_bytes",
    ] {
        assert!(rec
            .metrics
            .iter()
            .any(|(_, obj, mm, _)| obj.starts_with("container/") && *mm == m));
    }
}

#[test]
fn metrics_can_be_turned_off() {
    let mut inp = metrics_scenario(1);
    inp.config.metrics = MetricsConfig {
        cluster: false,
        nodes: false,
        containers: false,
        container_every: 1,
        deployments: false,
    };
    let (_, _, rec) = run(inp);
    assert!(rec.metrics.is_empty());
    assert!(!rec.events.is_empty());
}

// ---------------------------------------------------------------------------
// Namespaces
// ---------------------------------------------------------------------------

/// Two pods named `p` in two namespaces are two objects: their events,
/// metric rows and pod records are told apart by `NAMESPACE/NAME` outside
/// the `default` namespace.
#[test]
fn equal_names_in_two_namespaces_do_not_collide() {
    let mut cfg = config(1, secs(20));
    cfg.sample_interval = secs(10);
    let mut other = pod("p", spec("idle", Some(100)));
    other.metadata.namespace = "team-a".into();
    let inp = input(
        cfg,
        vec![node("n", 4000, 8 * GI, 110)],
        vec![pod("p", spec("idle", Some(100))), other],
    );
    let (sim, summary, rec) = run(inp);
    assert_eq!(summary.pods_created, 2);
    let scheduled: BTreeSet<&str> = events_with_reason(&rec, "Scheduled")
        .iter()
        .map(|e| e.object.as_str())
        .collect();
    assert_eq!(scheduled, BTreeSet::from(["pod/p", "pod/team-a/p"]));
    assert!(events_with_reason(&rec, "Scheduled")
        .iter()
        .any(|e| e.message == "Successfully assigned team-a/p to n"));
    let objects: BTreeSet<&str> = rec
        .metrics
        .iter()
        .filter(|m| m.2 == "cpu_usage_cores" && m.1.starts_with("container/"))
        .map(|m| m.1.as_str())
        .collect();
    assert_eq!(
        objects,
        BTreeSet::from(["container/p/app", "container/team-a/p/app"])
    );
    let names: Vec<String> = sim.pod_records().into_iter().map(|r| r.pod).collect();
    assert_eq!(names, ["p", "team-a/p"]);
    let ns: Vec<String> = sim
        .container_records()
        .into_iter()
        .map(|r| r.namespace)
        .collect();
    assert_eq!(ns, ["default", "team-a"]);
}

/// `cluster` rows: the API server's object count, the pods and Jobs ever
/// created, and the registry's pulls, at every sample.
#[test]
fn cluster_metrics() {
    let mut inp = metrics_scenario(1);
    inp.config.metrics = MetricsConfig {
        nodes: false,
        containers: false,
        container_every: 1,
        cluster: true,
        deployments: false,
    };
    let (sim, _, rec) = run(inp);
    let samples = 240 / 10;
    let rows: Vec<_> = rec.metrics.iter().filter(|m| m.1 == "cluster").collect();
    assert_eq!(rows.len(), 5 * samples);
    assert_eq!(rec.metrics.len(), rows.len());
    let last = |metric: &str| rows.iter().rev().find(|m| m.2 == metric).unwrap().3;
    assert_eq!(last("pods_total"), sim.store().pod_count() as f64);
    assert_eq!(last("jobs_total"), 0.0);
    assert_eq!(last("api_objects"), sim.store().api_objects() as f64);
}
