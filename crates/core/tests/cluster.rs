//! Scenario tests for the node model (`Cluster`): finite work, CPU sharing by
//! cgroup weights, restart back-off, init containers and sidecars, the QoS
//! cgroup tree, deletion and determinism.
//!
//! Each test drives the model's own timers with an `EventQueue`, as the
//! simulation's main loop does: before time moves on, dirty nodes are
//! re-solved (`flush`), and the timers that produces are scheduled too.

use kubesim_core::harness::NodeHarness;
use kubesim_core::{
    Bytes, CgroupConfig, CgroupVersion, Container, ContainerCgroup, ContainerState, CpuProfile,
    EventType, ImageBehavior, KubeEvent, KubeletConfig, KubeletTimer, KubeletTimerKind, MilliCpu,
    Node, NodeId, Notice, ObjectMeta, Pod, PodConditionType, PodId, PodPhase, PodSpec, QosClass,
    ResourceList, ResourceRequirements, RestartPolicy, SimTime, BACKOFF_INITIAL, BACKOFF_MAX,
};

const GI: i64 = 1 << 30;

fn secs(s: u64) -> SimTime {
    SimTime::from_secs(s)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

/// The shared node harness, plus the logs these tests read: the notices
/// about readiness and releases, every timer handled and scheduled.
struct Sim {
    h: NodeHarness,
    events: Vec<KubeEvent>,
    notices: Vec<(SimTime, Notice)>,
    handled: Vec<(SimTime, KubeletTimer)>,
    scheduled: Vec<(SimTime, SimTime, KubeletTimer)>,
    c: Views,
}

/// What a test reads of one container: API status, cgroup values and CPU.
#[derive(Debug, Clone)]
struct CView {
    name: String,
    state: ContainerState,
    ready: bool,
    restarts: u32,
    started_at: Option<SimTime>,
    cgroup: ContainerCgroup,
    demand_cores: f64,
    used_cores: f64,
    throttled_cores: f64,
    starved_cores: f64,
    used_cpu_s: f64,
    throttled_cpu_s: f64,
    starved_cpu_s: f64,
    memory_bytes: i64,
    work_remaining_cpu_s: Option<f64>,
}

/// What a test reads of one pod.
#[derive(Debug, Clone)]
struct PView {
    pod: Pod,
    qos: QosClass,
    n_init: usize,
    nonzero_requests: (i64, i64),
    scheduled: Option<SimTime>,
    started: Option<SimTime>,
    ready: Option<SimTime>,
    finished: Option<SimTime>,
    reason: String,
    containers: Vec<CView>,
}

impl PView {
    fn name(&self) -> &str {
        &self.pod.metadata.name
    }
    fn phase(&self) -> PodPhase {
        self.pod.status.phase
    }
    fn is_ready(&self) -> bool {
        self.pod.status.condition(PodConditionType::Ready)
    }
    fn restarts(&self) -> u32 {
        self.containers.iter().map(|c| c.restarts).sum()
    }
    fn is_active_on_node(&self) -> bool {
        self.scheduled.is_some() && self.finished.is_none()
    }
}

/// What a test reads of one node.
#[derive(Debug, Clone)]
struct NView {
    node: Node,
    pods: Vec<PodId>,
    requested: ResourceList,
    nonzero_requested: (i64, i64),
    used_cpu_s: f64,
    used_cores: f64,
}

/// Snapshots of every pod and node, refreshed after each step.
#[derive(Debug, Clone, Default)]
struct Views {
    pods: Vec<PView>,
    nodes: Vec<NView>,
}

impl Views {
    fn node(&self, n: NodeId) -> &NView {
        &self.nodes[n.index()]
    }
}

impl Sim {
    fn new(config: KubeletConfig, images: Vec<(&str, ImageBehavior)>) -> Sim {
        Sim {
            h: NodeHarness::new(config, images),
            events: Vec::new(),
            notices: Vec::new(),
            handled: Vec::new(),
            scheduled: Vec::new(),
            c: Views::default(),
        }
    }

    fn node(&mut self, name: &str, milli_cpu: i64) -> NodeId {
        let cap = ResourceList {
            milli_cpu,
            memory: 64 * GI,
            pods: 110,
            scalar: vec![],
        };
        let id = self.h.add_node(Node::new(
            ObjectMeta::named(name),
            cap,
            ResourceList::default(),
        ));
        self.sync();
        id
    }

    fn pod(&mut self, pod: Pod) -> PodId {
        let id = self.h.add_pod(pod);
        self.sync();
        id
    }

    fn bind(&mut self, pid: PodId, nid: NodeId) {
        self.h.bind(pid, nid);
        self.sync();
    }

    fn delete(&mut self, pid: PodId) {
        self.h.delete(pid);
        self.sync();
    }

    fn run_until(&mut self, end: SimTime) {
        self.h.run_until(end);
        self.sync();
    }

    fn run_to_quiet(&mut self, limit: SimTime) {
        self.h.run_to_quiet(limit);
        self.sync();
    }

    fn p(&self, pid: PodId) -> &PView {
        &self.c.pods[pid.index()]
    }

    /// Refreshes the logs and views from the harness.
    fn sync(&mut self) {
        let h = &self.h;
        self.events = h.events.clone();
        self.notices = h
            .notices
            .iter()
            .filter(|(_, n)| matches!(n, Notice::PodReady(_) | Notice::PodReleased { .. }))
            .copied()
            .collect();
        self.handled = h.handled.clone();
        self.scheduled = h.scheduled.clone();
        let books = h.kubelet.accounting();
        let cfg = h.kubelet.config().cgroup;
        self.c.pods = h
            .store
            .pods()
            .map(|(_, e)| {
                let spec = &e.pod().spec;
                let mem_cap = e.node().map_or(0, |n| h.store.node(n).capacity.memory);
                let containers = e
                    .container_ids()
                    .enumerate()
                    .map(|(ci, cid)| {
                        let st = &e.pod().status.container_statuses[ci];
                        let cpu = books.container(cid);
                        let c = spec.container(ci);
                        CView {
                            name: st.name.clone(),
                            state: st.state,
                            ready: st.ready,
                            restarts: st.restart_count,
                            started_at: st.started_at,
                            cgroup: h.kubelet.container_cgroup(cid).copied().unwrap_or_else(|| {
                                kubesim_core::container_cgroup(spec, e.qos(), c, mem_cap, &cfg)
                            }),
                            demand_cores: cpu.demand_cores,
                            used_cores: cpu.used_cores,
                            throttled_cores: cpu.throttled_cores,
                            starved_cores: cpu.starved_cores,
                            used_cpu_s: cpu.used_cpu_s,
                            throttled_cpu_s: cpu.throttled_cpu_s,
                            starved_cpu_s: cpu.starved_cpu_s,
                            memory_bytes: books.container_memory(cid, h.now),
                            work_remaining_cpu_s: cpu.work_remaining_cpu_s,
                        }
                    })
                    .collect();
                let t = e.times();
                PView {
                    pod: e.pod().clone(),
                    qos: e.qos(),
                    n_init: e.init_count(),
                    nonzero_requests: e.nonzero_requests(),
                    scheduled: t.scheduled,
                    started: t.started,
                    ready: t.ready,
                    finished: t.finished,
                    reason: e.pod().status.reason.clone(),
                    containers,
                }
            })
            .collect();
        self.c.nodes = h
            .store
            .nodes()
            .map(|(id, n)| {
                let b = books.node(id);
                NView {
                    node: n.clone(),
                    pods: b.pods().to_vec(),
                    requested: b.requested().clone(),
                    nonzero_requested: b.nonzero_requested(),
                    used_cpu_s: b.used_cpu_s(),
                    used_cores: b.used_cores(),
                }
            })
            .collect();
    }
}

fn image(startup: SimTime, cores: f64, work: Option<f64>) -> ImageBehavior {
    ImageBehavior {
        startup,
        cpu: CpuProfile::constant(cores),
        memory: kubesim_core::MemoryProfile::constant(64 << 20),
        cpu_seconds: work,
        exit: None,
        ..Default::default()
    }
}

/// A probe every second, as kubesim's earlier releases assumed a
/// container ready once its image's startup time had passed.
fn every_second() -> Option<kubesim_core::Probe> {
    Some(kubesim_core::Probe {
        period_s: 1,
        ..Default::default()
    })
}

/// `c` with a readiness probe every second: ready once the process answers.
fn with_readiness(mut c: Container) -> Container {
    c.readiness_probe = every_second();
    c
}

fn container(name: &str, image: &str, req_m: Option<i64>, lim_m: Option<i64>) -> Container {
    Container {
        name: name.into(),
        image: image.into(),
        resources: ResourceRequirements {
            cpu_request_m: req_m.map(MilliCpu),
            cpu_limit_m: lim_m.map(MilliCpu),
            ..Default::default()
        },
        restart_policy: None,
        ..Default::default()
    }
}

fn pod(name: &str, containers: Vec<Container>, restart: RestartPolicy) -> Pod {
    Pod {
        metadata: ObjectMeta::named(name),
        spec: PodSpec {
            containers,
            restart_policy: restart,
            ..Default::default()
        },
        ..Default::default()
    }
}

fn v1() -> KubeletConfig {
    KubeletConfig {
        cgroup: CgroupConfig {
            version: CgroupVersion::V1,
            ..Default::default()
        },
        ..Default::default()
    }
}

// ---------------------------------------------------------------------------
// Finite work
// ---------------------------------------------------------------------------

/// 600 CPU-seconds at 4 cores on an idle 4-core node: done 150 s after the
/// container starts; the pod Succeeds and releases its node.
#[test]
fn finite_work_alone_finishes_after_work_over_rate() {
    let mut s = Sim::new(
        KubeletConfig::default(),
        vec![("batch", image(SimTime::ZERO, 4.0, Some(600.0)))],
    );
    let n = s.node("n1", 4000);
    let pid = s.pod(pod(
        "job",
        vec![container("main", "batch", None, None)],
        RestartPolicy::Never,
    ));
    s.run_until(secs(7));
    s.bind(pid, n);
    s.run_to_quiet(secs(10_000));

    let p = s.p(pid);
    assert_eq!(p.scheduled, Some(secs(7)));
    assert_eq!(p.started, Some(secs(7)));
    assert_eq!(p.ready, Some(secs(7)));
    assert_eq!(p.finished, Some(secs(7 + 150)));
    assert_eq!(p.phase(), PodPhase::Succeeded);
    assert_eq!(p.reason, "Completed");
    assert!(!p.is_ready());
    let c = &p.containers[0];
    assert_eq!(c.state, ContainerState::Terminated);
    assert_eq!(c.restarts, 0);
    assert!(close(c.used_cpu_s, 600.0), "used {}", c.used_cpu_s);
    assert!(close(c.work_remaining_cpu_s.unwrap(), 0.0));
    assert_eq!(c.used_cores, 0.0);
    // The node is free again and counted exactly the work.
    let node = s.c.node(n);
    assert!(node.pods.is_empty());
    assert_eq!(node.requested, ResourceList::default());
    assert!(close(node.used_cpu_s, 600.0));
    assert_eq!(node.used_cores, 0.0);
    assert!(s.notices.contains(&(secs(7), Notice::PodReady(pid))));
    assert!(s
        .notices
        .contains(&(secs(157), Notice::PodReleased { pod: pid, node: n })));
}

/// The image's startup time delays readiness, not the work: CPU is used from
/// the moment the container starts.
#[test]
fn finite_work_runs_during_startup() {
    let mut s = Sim::new(
        KubeletConfig::default(),
        vec![("batch", image(secs(20), 4.0, Some(600.0)))],
    );
    let n = s.node("n1", 4000);
    let pid = s.pod(pod(
        "job",
        vec![with_readiness(container("main", "batch", None, None))],
        RestartPolicy::Never,
    ));
    s.bind(pid, n);
    s.run_until(secs(10));
    let c = &s.p(pid).containers[0];
    assert!(close(c.used_cpu_s, 40.0));
    assert!(!c.ready);
    s.run_to_quiet(secs(10_000));
    let p = s.p(pid);
    assert_eq!(p.ready, Some(secs(20)));
    assert_eq!(p.finished, Some(secs(150)));
    assert_eq!(p.phase(), PodPhase::Succeeded);
}

/// Burstable pods requesting 1 and 3 cores, each wanting 4 cores for 600
/// CPU-seconds, on a 2-core node (cgroup v1, weight = shares): 1024:3072
/// gives 0.5 and 1.5 cores. The big one is done at 600/1.5 = 400 s, when the
/// small one has 600 - 0.5*400 = 400 left, now at 2 cores: done at 600 s.
#[test]
fn two_burstable_pods_share_by_cpu_shares() {
    let mut s = Sim::new(
        v1(),
        vec![("batch", image(SimTime::ZERO, 4.0, Some(600.0)))],
    );
    let n = s.node("n1", 2000);
    let small = s.pod(pod(
        "small",
        vec![container("main", "batch", Some(1000), None)],
        RestartPolicy::Never,
    ));
    let big = s.pod(pod(
        "big",
        vec![container("main", "batch", Some(3000), None)],
        RestartPolicy::Never,
    ));
    s.bind(small, n);
    s.bind(big, n);
    assert_eq!(s.p(small).qos, QosClass::Burstable);
    assert_eq!(s.p(small).containers[0].cgroup.cpu_shares, 1024);
    assert_eq!(s.p(big).containers[0].cgroup.cpu_shares, 3072);

    s.run_until(secs(100));
    assert!(close(s.p(small).containers[0].used_cores, 0.5));
    assert!(close(s.p(big).containers[0].used_cores, 1.5));
    assert!(close(s.p(small).containers[0].starved_cores, 3.5));
    assert!(close(s.p(small).containers[0].used_cpu_s, 50.0));
    assert!(close(s.p(big).containers[0].used_cpu_s, 150.0));
    assert!(close(s.c.node(n).used_cores, 2.0));

    s.run_until(secs(500));
    assert_eq!(s.p(big).finished, Some(secs(400)));
    assert!(close(s.p(small).containers[0].used_cores, 2.0));
    assert!(close(
        s.p(small).containers[0].used_cpu_s,
        200.0 + 2.0 * 100.0
    ));

    s.run_to_quiet(secs(10_000));
    assert_eq!(s.p(small).finished, Some(secs(600)));
    assert!(close(s.p(small).containers[0].used_cpu_s, 600.0));
    assert!(close(s.p(big).containers[0].used_cpu_s, 600.0));
    assert!(close(s.c.node(n).used_cpu_s, 1200.0));
}

/// The same split between two containers of one pod: the container cgroups'
/// shares (1024:3072) divide the pod's CPU.
#[test]
fn two_containers_in_one_pod_share_by_cpu_shares() {
    let mut s = Sim::new(
        v1(),
        vec![("batch", image(SimTime::ZERO, 4.0, Some(600.0)))],
    );
    let n = s.node("n1", 2000);
    let pid = s.pod(pod(
        "both",
        vec![
            container("small", "batch", Some(1000), None),
            container("big", "batch", Some(3000), None),
        ],
        RestartPolicy::Never,
    ));
    s.bind(pid, n);
    s.run_until(secs(1));
    assert!(close(s.p(pid).containers[0].used_cores, 0.5));
    assert!(close(s.p(pid).containers[1].used_cores, 1.5));
    s.run_until(secs(401));
    assert_eq!(s.p(pid).containers[1].state, ContainerState::Terminated);
    assert_eq!(s.p(pid).containers[0].state, ContainerState::Running);
    assert!(s.p(pid).finished.is_none());
    assert!(close(s.p(pid).containers[0].used_cores, 2.0));
    s.run_to_quiet(secs(10_000));
    assert_eq!(s.p(pid).finished, Some(secs(600)));
    assert_eq!(s.p(pid).phase(), PodPhase::Succeeded);
}

// ---------------------------------------------------------------------------
// Restarts
// ---------------------------------------------------------------------------

/// A finite-work container under `restartPolicy: Always` runs 10 s at a time
/// and is restarted at once, then after 10, 20, 40, 80, 160 s and then 300 s
/// (the cap); each back-off is announced by a `BackOff` warning.
#[test]
fn restart_always_backs_off_exponentially() {
    let mut s = Sim::new(
        KubeletConfig::default(),
        vec![("job", image(SimTime::ZERO, 1.0, Some(10.0)))],
    );
    let n = s.node("n1", 4000);
    let pid = s.pod(pod(
        "loop",
        vec![container("main", "job", None, None)],
        RestartPolicy::Always,
    ));
    s.bind(pid, n);
    let horizon = secs(3000);
    s.run_until(horizon);

    // Expected starts: run 10 s, wait the delay, run again. Delays: 0, then
    // 10 s doubling, capped at 300 s.
    assert_eq!(BACKOFF_INITIAL, secs(10));
    assert_eq!(BACKOFF_MAX, secs(300));
    let mut starts = vec![SimTime::ZERO];
    let mut delays = Vec::new();
    let mut t = SimTime::ZERO;
    for k in 0u32.. {
        let d = if k == 0 {
            0
        } else {
            (10u64 << (k - 1)).min(300)
        };
        t = t + secs(10) + secs(d);
        if t > horizon {
            break;
        }
        delays.push(d);
        starts.push(t);
    }
    assert_eq!(delays[..8], [0, 10, 20, 40, 80, 160, 300, 300]);
    // Each Restart timer was set, when the run ended, for that run's delay.
    let set: Vec<(SimTime, SimTime)> = s
        .scheduled
        .iter()
        .filter(|(_, _, e)| e.container_kind() == Some(KubeletTimerKind::Restart))
        .map(|(at, fire, _)| (*at, *fire - *at))
        .take(delays.len())
        .collect();
    let want_set: Vec<(SimTime, SimTime)> = starts
        .iter()
        .zip(&delays)
        .map(|(&st, &d)| (st + secs(10), secs(d)))
        .collect();
    assert_eq!(set, want_set);
    // Restart timers fire at exactly those times, with nothing in between.
    let restarts: Vec<SimTime> = s
        .handled
        .iter()
        .filter(|(_, e)| e.container_kind() == Some(KubeletTimerKind::Restart))
        .map(|(t, _)| *t)
        .collect();
    assert_eq!(restarts, starts[1..]);
    let c = &s.p(pid).containers[0];
    assert_eq!(c.restarts as usize, starts.len() - 1);
    assert_eq!(s.p(pid).restarts() as usize, starts.len() - 1);
    assert_eq!(c.started_at, starts.last().copied());
    // Each run's end (WorkDone) is 10 s after its start.
    let done: Vec<SimTime> = s
        .handled
        .iter()
        .filter(|(_, e)| e.container_kind() == Some(KubeletTimerKind::WorkDone))
        .map(|(t, _)| *t)
        .collect();
    let want_done: Vec<SimTime> = starts
        .iter()
        .map(|&t| t + secs(10))
        .filter(|&t| t <= horizon)
        .collect();
    assert_eq!(done, want_done);
    // "Started" once per run.
    let started: Vec<SimTime> = s
        .events
        .iter()
        .filter(|e| e.reason == "Started")
        .map(|e| e.time)
        .collect();
    assert_eq!(started, starts);
    // BackOff warnings: none for the first (immediate) restart, then one per
    // delayed restart, at the moment the container exits.
    let backoffs: Vec<SimTime> = s
        .events
        .iter()
        .filter(|e| e.reason == "BackOff")
        .map(|e| {
            assert_eq!(e.kind, EventType::Warning);
            assert_eq!(e.object, "pod/loop");
            e.time
        })
        .collect();
    assert_eq!(backoffs, want_done[1..]);
    // The pod never finishes and keeps its node.
    assert!(s.p(pid).finished.is_none());
    assert_eq!(s.c.node(n).pods, vec![pid]);
    assert_eq!(s.p(pid).phase(), PodPhase::Running);
    // Ready goes up and down with each run: PodReady announced once per run.
    let ready = s
        .notices
        .iter()
        .filter(|(_, n)| *n == Notice::PodReady(pid))
        .count();
    assert_eq!(ready, starts.len());
}

/// A container that ran for longer than `BACKOFF_RESET` (600 s) has its
/// back-off reset: 700 CPU-s at 1 core is a 700 s run, so every restart is
/// immediate and no `BackOff` is reported.
#[test]
fn long_runs_reset_backoff() {
    let mut s = Sim::new(
        KubeletConfig::default(),
        vec![("long", image(SimTime::ZERO, 1.0, Some(700.0)))],
    );
    let n = s.node("n1", 4000);
    let pid = s.pod(pod(
        "loop",
        vec![container("main", "long", None, None)],
        RestartPolicy::Always,
    ));
    s.bind(pid, n);
    s.run_until(secs(5000));
    let restarts: Vec<SimTime> = s
        .handled
        .iter()
        .filter(|(_, e)| e.container_kind() == Some(KubeletTimerKind::Restart))
        .map(|(t, _)| *t)
        .collect();
    let want: Vec<SimTime> = (1..=7).map(|k| secs(700 * k)).collect();
    assert_eq!(restarts, want);
    assert_eq!(s.p(pid).containers[0].restarts, 7);
    assert!(backoff_times(&s).is_empty());
}

/// A container whose rate changed during one run must not be stopped early
/// in its next run by a stale `WorkDone` timer of the previous run.
///
/// `a` (restart Always, 10 CPU-s, wants 2 cores) shares a 2-core node with
/// `b` (2 CPU-s, wants 2 cores): 1 core each, so `a`'s finish is first
/// scheduled for t = 10 s. `b` is done at 2 s, `a` speeds up to 2 cores and
/// is done at 2 + 8/2 = 6 s, restarts at once, and alone at 2 cores needs
/// 5 s: its second run ends at 11 s, not at 10 s.
#[test]
fn stale_work_done_of_previous_run_is_ignored() {
    let mut s = Sim::new(
        KubeletConfig::default(),
        vec![
            ("a", image(SimTime::ZERO, 2.0, Some(10.0))),
            ("b", image(SimTime::ZERO, 2.0, Some(2.0))),
        ],
    );
    let n = s.node("n1", 2000);
    let a = s.pod(pod(
        "a",
        vec![container("main", "a", None, None)],
        RestartPolicy::Always,
    ));
    let b = s.pod(pod(
        "b",
        vec![container("main", "b", None, None)],
        RestartPolicy::Never,
    ));
    s.bind(a, n);
    s.bind(b, n);
    s.run_until(secs(1));
    assert!(close(s.p(a).containers[0].used_cores, 1.0));
    s.run_until(secs(7));
    assert_eq!(s.p(b).finished, Some(secs(2)));
    assert_eq!(s.p(a).containers[0].restarts, 1);
    assert_eq!(s.p(a).containers[0].started_at, Some(secs(6)));
    assert!(close(s.p(a).containers[0].used_cores, 2.0));

    s.run_until(secs(10) + SimTime::from_millis(500));
    // The first run's superseded WorkDone (due at 10 s) must not match the
    // second run: it is still running with 1 CPU-s of its work left.
    let c = &s.p(a).containers[0];
    assert_eq!(c.state, ContainerState::Running, "second run ended early");
    assert!(close(c.work_remaining_cpu_s.unwrap(), 1.0));

    s.run_until(secs(12));
    // The second run ends at 11 s having done all 10 CPU-s of its work.
    assert_eq!(backoff_times(&s), [secs(11)]);
    assert!(close(s.p(a).containers[0].used_cpu_s, 20.0));
}

// ---------------------------------------------------------------------------
// Init containers and sidecars
// ---------------------------------------------------------------------------

/// Init containers run one after another, a sidecar (init container with
/// `restartPolicy: Always`) lets the next one start once it is up and keeps
/// running beside the app; app containers start when the last init container
/// completes, and the pod is ready once app and sidecar are.
///
/// init-a: up after 5 s, no work → completes at 5 s.
/// side:   starts at 5 s, up after 3 s → init-b starts at 8 s.
/// init-b: 10 CPU-s at 1 core → completes at 18 s: the pod starts.
/// app:    up after 2 s → ready at 20 s; 20 CPU-s at 1 core → done at 38 s.
#[test]
fn init_containers_run_in_order_and_sidecar_keeps_running() {
    let mut s = Sim::new(
        KubeletConfig::default(),
        vec![
            ("init-a", image(secs(5), 0.0, None)),
            ("side", image(secs(3), 0.5, None)),
            ("init-b", image(SimTime::ZERO, 1.0, Some(10.0))),
            ("app", image(secs(2), 1.0, Some(20.0))),
        ],
    );
    let n = s.node("n1", 4000);
    let mut p = pod(
        "p",
        vec![with_readiness(container("app", "app", None, None))],
        RestartPolicy::Never,
    );
    // The sidecar is *started* once its startup probe succeeds: when its
    // process answers. Its probe allows 10 failures: the default 3 would
    // have it killed at 7 s, before it answers at 8 s.
    p.spec.init_containers = vec![
        container("init-a", "init-a", None, None),
        Container {
            restart_policy: Some(RestartPolicy::Always),
            startup_probe: every_second().map(|p| kubesim_core::Probe {
                failure_threshold: 10,
                ..p
            }),
            ..container("side", "side", None, None)
        },
        container("init-b", "init-b", None, None),
    ];
    let pid = s.pod(p);
    assert_eq!(s.p(pid).n_init, 3);
    s.bind(pid, n);
    let state =
        |s: &Sim| -> Vec<ContainerState> { s.p(pid).containers.iter().map(|c| c.state).collect() };
    use ContainerState::{Running as R, Terminated as T, Waiting as W};

    s.run_until(secs(4));
    assert_eq!(state(&s), [R, W, W, W]);
    assert_eq!(s.p(pid).phase(), PodPhase::Pending);
    s.run_until(secs(6));
    assert_eq!(state(&s), [T, R, W, W]);
    assert!(!s.p(pid).containers[1].ready);
    s.run_until(secs(10));
    assert_eq!(state(&s), [T, R, R, W]);
    assert!(s.p(pid).containers[1].ready);
    assert!(s.p(pid).started.is_none());
    assert!(!s.p(pid).pod.status.condition(PodConditionType::Initialized));
    assert_eq!(s.p(pid).phase(), PodPhase::Pending);

    s.run_until(secs(19));
    assert_eq!(state(&s), [T, R, T, R]);
    assert_eq!(s.p(pid).started, Some(secs(18)));
    assert_eq!(s.p(pid).phase(), PodPhase::Running);
    assert!(s.p(pid).pod.status.condition(PodConditionType::Initialized));
    assert!(s.p(pid).ready.is_none());

    s.run_until(secs(25));
    assert_eq!(state(&s), [T, R, T, R]);
    assert_eq!(s.p(pid).ready, Some(secs(20)));
    assert!(s.p(pid).is_ready());
    assert!(s.notices.contains(&(secs(20), Notice::PodReady(pid))));
    assert!(close(s.p(pid).containers[1].used_cores, 0.5));
    assert!(close(s.c.node(n).used_cores, 1.5));

    let starts: Vec<Option<SimTime>> = s.p(pid).containers.iter().map(|c| c.started_at).collect();
    assert_eq!(
        starts,
        [Some(secs(0)), Some(secs(5)), Some(secs(8)), Some(secs(18))]
    );
    let started: Vec<(SimTime, &str)> = s
        .events
        .iter()
        .filter(|e| e.reason == "Started")
        .map(|e| (e.time, e.message.as_str()))
        .collect();
    assert_eq!(
        started,
        [
            (secs(0), "Started container init-a"),
            (secs(5), "Started container side"),
            (secs(8), "Started container init-b"),
            (secs(18), "Started container app"),
        ]
    );

    // The app's work ends the pod (restartPolicy Never); the sidecar stops with it.
    s.run_to_quiet(secs(10_000));
    assert_eq!(s.p(pid).finished, Some(secs(38)));
    assert_eq!(s.p(pid).phase(), PodPhase::Succeeded);
    assert_eq!(state(&s), [T, T, T, T]);
    assert_eq!(s.p(pid).restarts(), 0);
    let used: Vec<f64> = s.p(pid).containers.iter().map(|c| c.used_cpu_s).collect();
    for (got, want) in used.iter().zip([0.0, 0.5 * 33.0, 10.0, 20.0]) {
        assert!(close(*got, want), "{used:?}");
    }
}

fn sidecar_pod(init: Vec<Container>, app: Vec<Container>, restart: RestartPolicy) -> Pod {
    let mut p = pod("p", app, restart);
    p.spec.init_containers = init;
    p
}

fn sidecar(name: &str, image: &str) -> Container {
    Container {
        restart_policy: Some(RestartPolicy::Always),
        ..container(name, image, None, None)
    }
}

fn backoff_times(s: &Sim) -> Vec<SimTime> {
    s.events
        .iter()
        .filter(|e| e.reason == "BackOff")
        .map(|e| e.time)
        .collect()
}

fn started_events(s: &Sim, container: &str) -> Vec<SimTime> {
    let msg = format!("Started container {container}");
    s.events
        .iter()
        .filter(|e| e.reason == "Started" && e.message == msg)
        .map(|e| e.time)
        .collect()
}

/// A sidecar that exits is restarted (with back-off) even though the pod's
/// policy is not Always; its restarts must leave the running app container
/// alone. Sidecar runs: [0,4], [4,8], [18,22], [42,46].
#[test]
fn sidecar_restart_leaves_app_containers_running() {
    let mut s = Sim::new(
        KubeletConfig::default(),
        vec![
            ("side", image(SimTime::ZERO, 1.0, Some(4.0))),
            ("app", image(secs(1), 1.0, None)),
        ],
    );
    let n = s.node("n1", 4000);
    let pid = s.pod(sidecar_pod(
        vec![sidecar("side", "side")],
        vec![with_readiness(container("app", "app", None, None))],
        RestartPolicy::Never,
    ));
    s.bind(pid, n);
    s.run_until(secs(3));
    assert_eq!(s.p(pid).started, Some(SimTime::ZERO));
    assert_eq!(s.p(pid).ready, Some(secs(1)));
    assert!(s.p(pid).is_ready());

    s.run_until(secs(30));
    assert_eq!(started_events(&s, "side"), [secs(0), secs(4), secs(18)]);
    let side = &s.p(pid).containers[0];
    assert_eq!(side.restarts, 2);
    assert_eq!(side.state, ContainerState::Terminated); // back-off until 42 s
    let app = &s.p(pid).containers[1];
    assert_eq!(app.state, ContainerState::Running);
    assert_eq!(app.restarts, 0);
    // A sidecar coming back up after a restart does not re-run pod
    // initialization: the app keeps its single run and the pod its start
    // time (upstream the kubelet restarts only the exited sidecar:
    // `computeInitContainerActions`,
    // pkg/kubelet/kuberuntime/kuberuntime_container.go).
    assert_eq!(started_events(&s, "app"), [secs(0)]);
    assert_eq!(app.started_at, Some(SimTime::ZERO));
    assert_eq!(s.p(pid).started, Some(SimTime::ZERO));
    assert!(close(app.used_cpu_s, 30.0));
    assert!(s.p(pid).finished.is_none());
}

/// A sidecar that restarts while a later init container is still running
/// must not let the app containers start early. Sidecar runs [0,2] and is
/// restarted at once at 2 s; init-b runs [0,10]; the app must start at 10 s.
#[test]
fn sidecar_restart_during_init_does_not_start_app_early() {
    let mut s = Sim::new(
        KubeletConfig::default(),
        vec![
            ("side", image(SimTime::ZERO, 1.0, Some(2.0))),
            ("init-b", image(SimTime::ZERO, 1.0, Some(10.0))),
            ("app", image(SimTime::ZERO, 1.0, None)),
        ],
    );
    let n = s.node("n1", 4000);
    let pid = s.pod(sidecar_pod(
        vec![
            sidecar("side", "side"),
            container("init-b", "init-b", None, None),
        ],
        vec![container("app", "app", None, None)],
        RestartPolicy::Always,
    ));
    s.bind(pid, n);
    s.run_until(secs(1));
    assert_eq!(started_events(&s, "init-b"), [secs(0)]);
    s.run_until(secs(5));
    assert_eq!(s.p(pid).containers[0].restarts, 1);
    assert_eq!(s.p(pid).containers[1].state, ContainerState::Running);
    // Only init-b, the init container the pod is waiting on, moves init
    // along: the restarted sidecar coming up at 2 s does not start the app.
    assert_eq!(s.p(pid).containers[2].state, ContainerState::Waiting);
    assert!(s.p(pid).started.is_none());
    s.run_until(secs(11));
    assert_eq!(s.p(pid).started, Some(secs(10)));
    assert_eq!(started_events(&s, "app"), [secs(10)]);
}

/// When the app of a `restartPolicy: Never` pod completes, the pod is done:
/// a sidecar that was waiting out a back-off at that moment must not be
/// restarted (nor the app with it). Sidecar runs [0,4], [4,8], back-off
/// until 18; the app's 10 CPU-s end at 10 s (the sidecar's restart at 4 s
/// leaves the app running).
#[test]
fn sidecar_in_backoff_stays_stopped_after_pod_completes() {
    let mut s = Sim::new(
        KubeletConfig::default(),
        vec![
            ("side", image(SimTime::ZERO, 1.0, Some(4.0))),
            ("app", image(SimTime::ZERO, 1.0, Some(10.0))),
        ],
    );
    let n = s.node("n1", 4000);
    let pid = s.pod(sidecar_pod(
        vec![sidecar("side", "side")],
        vec![container("app", "app", None, None)],
        RestartPolicy::Never,
    ));
    s.bind(pid, n);
    s.run_until(secs(17));
    let done = s.p(pid).finished.expect("the app's work is done by 17 s");
    assert_eq!(done, secs(10));
    assert_eq!(s.p(pid).phase(), PodPhase::Succeeded);
    assert!(s
        .notices
        .contains(&(done, Notice::PodReleased { pod: pid, node: n })));
    assert!(s
        .p(pid)
        .containers
        .iter()
        .all(|c| c.state == ContainerState::Terminated));
    assert_eq!(s.p(pid).containers[0].restarts, 1);
    s.run_until(secs(100));
    // The back-off timer due at 18 s fires on a finished pod and restarts
    // nothing: a Succeeded pod stays Succeeded (upstream the pod worker
    // stops syncing a pod once it reaches a terminal phase).
    assert!(s
        .p(pid)
        .containers
        .iter()
        .all(|c| c.state == ContainerState::Terminated));
    assert_eq!(s.p(pid).containers[0].restarts, 1);
    assert_eq!(started_events(&s, "side"), [secs(0), secs(4)]);
    assert_eq!(s.p(pid).phase(), PodPhase::Succeeded);
    assert_eq!(s.p(pid).finished, Some(done));
}

// ---------------------------------------------------------------------------
// QoS cgroup tree
// ---------------------------------------------------------------------------

/// The classic lesson: a 16-core node with a Guaranteed pod (11/11 cores), a
/// Burstable pod (request 2, limit 12) and a BestEffort pod, each wanting all
/// 16 cores, divided at `kubepods` among the Guaranteed pod, the `burstable`
/// and the `besteffort` QoS groups.
fn qos_lesson(config: KubeletConfig) -> (f64, f64, f64, Sim, [PodId; 3]) {
    let mut s = Sim::new(config, vec![("hog", image(SimTime::ZERO, 16.0, None))]);
    let n = s.node("n1", 16_000);
    let mut g = container("main", "hog", Some(11_000), Some(11_000));
    g.resources.memory_request_bytes = Some(Bytes(GI));
    g.resources.memory_limit_bytes = Some(Bytes(GI));
    let g = s.pod(pod("guaranteed", vec![g], RestartPolicy::Always));
    let b = s.pod(pod(
        "burstable",
        vec![container("main", "hog", Some(2000), Some(12_000))],
        RestartPolicy::Always,
    ));
    let be = s.pod(pod(
        "besteffort",
        vec![container("main", "hog", None, None)],
        RestartPolicy::Always,
    ));
    assert_eq!(s.p(g).qos, QosClass::Guaranteed);
    assert_eq!(s.p(b).qos, QosClass::Burstable);
    assert_eq!(s.p(be).qos, QosClass::BestEffort);
    for pid in [g, b, be] {
        s.bind(pid, n);
    }
    s.run_until(secs(10));
    let used = |pid: PodId| s.p(pid).containers[0].used_cores;
    let (ug, ub, ube) = (used(g), used(b), used(be));
    assert!(close(s.c.node(n).used_cores, 16.0));
    assert!(close(s.c.node(n).used_cpu_s, 160.0));
    (ug, ub, ube, s, [g, b, be])
}

#[test]
fn qos_tree_cgroup_v1_divides_by_shares() {
    let (g, b, be, s, pids) = qos_lesson(v1());
    assert!(close(g, 11.0), "guaranteed {g}");
    assert!(close(b, 5.0 * 2048.0 / 2050.0), "burstable {b}");
    assert!(close(be, 5.0 * 2.0 / 2050.0), "besteffort {be}");
    // Quotas: Guaranteed throttled 16 - 11, Burstable 16 - 12; BestEffort none.
    let c = |i: usize| &s.p(pids[i]).containers[0];
    assert!(close(c(0).throttled_cores, 5.0));
    assert!(close(c(1).throttled_cores, 4.0));
    assert!(close(c(2).throttled_cores, 0.0));
    // Starved: what the quota allows but the node did not give.
    assert!(close(c(0).starved_cores, 0.0));
    assert!(close(c(1).starved_cores, 12.0 - b));
    assert!(close(c(2).starved_cores, 16.0 - be));
    assert!(close(c(1).used_cpu_s, 10.0 * b));
}

#[test]
fn qos_tree_cgroup_v2_divides_by_linear_pod_weights() {
    // kubelet writes pod and QoS cgroup weights with the linear conversion:
    // 11264 shares → 430, 2048 → 79, 2 → 1.
    let (g, b, be, _, _) = qos_lesson(KubeletConfig::default());
    assert!(close(g, 11.0), "guaranteed {g}");
    assert!(close(b, 5.0 * 79.0 / 80.0), "burstable {b}");
    assert!(close(be, 5.0 * 1.0 / 80.0), "besteffort {be}");
    // Same with the runtime's linear container conversion (containers are
    // alone in their pods, so only pod and QoS weights matter).
    let linear = KubeletConfig {
        cgroup: CgroupConfig {
            version: CgroupVersion::V2,
            weight_conversion: kubesim_core::CpuWeightConversion::Linear,
        },
        ..Default::default()
    };
    let (g2, b2, be2, _, _) = qos_lesson(linear);
    assert!(close(g2, g) && close(b2, b) && close(be2, be));
}

/// When the Guaranteed pod leaves, the Burstable pod is capped by its quota
/// (12) and the BestEffort pod gets the remaining 4 cores.
#[test]
fn qos_tree_after_guaranteed_pod_is_deleted() {
    let (_, _, _, mut s, [g, b, be]) = qos_lesson(KubeletConfig::default());
    s.delete(g);
    s.run_until(secs(20));
    assert!(close(s.p(b).containers[0].used_cores, 12.0));
    assert!(close(s.p(be).containers[0].used_cores, 4.0));
    assert_eq!(s.p(g).containers[0].used_cores, 0.0);
    assert!(close(s.p(g).containers[0].used_cpu_s, 110.0));
}

// ---------------------------------------------------------------------------
// Deletion
// ---------------------------------------------------------------------------

#[test]
fn delete_pod_releases_node_and_stops_containers() {
    let mut s = Sim::new(
        KubeletConfig::default(),
        vec![("web", image(secs(1), 4.0, None))],
    );
    let n = s.node("n1", 4000);
    let a = s.pod(pod(
        "a",
        vec![
            container("c1", "web", Some(500), None),
            container("c2", "web", Some(500), None),
        ],
        RestartPolicy::Always,
    ));
    let b = s.pod(pod(
        "b",
        vec![container("c1", "web", Some(1000), None)],
        RestartPolicy::Always,
    ));
    let unbound = s.pod(pod(
        "u",
        vec![container("c1", "web", None, None)],
        RestartPolicy::Always,
    ));
    s.bind(a, n);
    s.bind(b, n);
    s.run_until(secs(30));
    assert_eq!(s.c.node(n).requested.milli_cpu, 2000);
    assert_eq!(s.c.node(n).requested.pods, 2);
    // Equal pod weights (1000m each): 2 cores per pod, 1 per container of a.
    assert!(close(s.p(a).containers[0].used_cores, 1.0));
    assert!(close(s.p(b).containers[0].used_cores, 2.0));

    let before = s.notices.len();
    s.delete(a);
    let new: Vec<(SimTime, Notice)> = s.notices[before..].to_vec();
    assert_eq!(new, [(secs(30), Notice::PodReleased { pod: a, node: n })]);
    let p = s.p(a);
    assert_eq!(p.finished, Some(secs(30)));
    assert_eq!(p.pod.metadata.deletion_timestamp, Some(secs(30)));
    assert_eq!(p.reason, "Deleted");
    assert_eq!(p.phase(), PodPhase::Succeeded);
    assert!(!p.is_ready() && !p.is_active_on_node());
    for c in &p.containers {
        assert_eq!(c.state, ContainerState::Terminated);
        assert_eq!(
            (c.used_cores, c.demand_cores, c.memory_bytes),
            (0.0, 0.0, 0)
        );
        assert!(close(c.used_cpu_s, 30.0));
    }
    let killing = s
        .events
        .iter()
        .filter(|e| e.reason == "Killing" && e.object == "pod/a")
        .count();
    assert_eq!(killing, 2);
    let node = s.c.node(n);
    assert_eq!(node.pods, vec![b]);
    assert_eq!(node.requested.milli_cpu, 1000);
    assert_eq!(node.requested.pods, 1);
    assert_eq!(node.nonzero_requested, s.p(b).nonzero_requests);

    // Deleting again, or deleting an unbound pod, releases nothing.
    let before = s.notices.len();
    s.delete(a);
    s.delete(unbound);
    assert_eq!(s.notices.len(), before);
    assert_eq!(s.p(unbound).finished, Some(secs(30)));

    // b now gets the whole node; a's integrals stay put.
    s.run_until(secs(60));
    assert!(close(s.p(b).containers[0].used_cores, 4.0));
    assert!(close(
        s.p(b).containers[0].used_cpu_s,
        2.0 * 30.0 + 4.0 * 30.0
    ));
    assert!(close(s.p(a).containers[0].used_cpu_s, 30.0));
    assert!(close(s.c.node(n).used_cpu_s, 4.0 * 60.0));
}

/// A pod deleted while one of its containers waits out a restart back-off
/// must stay stopped: the pending Restart timer must not start it again.
#[test]
fn delete_during_backoff_does_not_restart_container() {
    let mut s = Sim::new(
        KubeletConfig::default(),
        vec![("job", image(SimTime::ZERO, 1.0, Some(10.0)))],
    );
    let n = s.node("n1", 4000);
    let pid = s.pod(pod(
        "loop",
        vec![container("main", "job", None, None)],
        RestartPolicy::Always,
    ));
    s.bind(pid, n);
    // Runs [0,10], [10,20], then back-off until 30.
    s.run_until(secs(25));
    assert_eq!(s.p(pid).containers[0].state, ContainerState::Terminated);
    assert_eq!(s.p(pid).containers[0].restarts, 1);
    s.delete(pid);
    assert!(s
        .notices
        .contains(&(secs(25), Notice::PodReleased { pod: pid, node: n })));
    s.run_until(secs(100));
    let c = &s.p(pid).containers[0];
    assert!(close(c.used_cpu_s, 20.0));
    // The back-off timer due at 30 s fires after the deletion and restarts
    // nothing: no new run, no PodReady after the PodReleased at 25 s.
    assert_eq!(
        c.state,
        ContainerState::Terminated,
        "deleted pod's container restarted"
    );
    assert_eq!(c.restarts, 1);
    assert_eq!(started_events(&s, "main"), [secs(0), secs(10)]);
    assert!(!s
        .notices
        .iter()
        .any(|&(t, n)| t > secs(25) && n == Notice::PodReady(pid)));
}

// ---------------------------------------------------------------------------
// Determinism
// ---------------------------------------------------------------------------

/// A busy scenario: several nodes, QoS classes, init containers, restarts,
/// step/linear/periodic demand profiles, a deletion.
fn busy_run() -> Sim {
    use kubesim_core::Interpolation;
    let wave = ImageBehavior {
        startup: SimTime::from_millis(1500),
        cpu: CpuProfile {
            points: vec![(secs(0), 0.2), (secs(30), 3.0), (secs(45), 0.7)],
            interpolation: Interpolation::Linear,
            period: Some(secs(60)),
            resolution: SimTime::from_millis(2500),
        },
        memory: kubesim_core::MemoryProfile::constant(256 << 20),
        cpu_seconds: None,
        exit: None,
        ..Default::default()
    };
    let steps = ImageBehavior {
        startup: secs(4),
        cpu: CpuProfile {
            points: vec![(secs(0), 1.0), (secs(7), 2.5), (secs(19), 0.3)],
            interpolation: kubesim_core::Interpolation::Step,
            period: Some(secs(25)),
            resolution: secs(1),
        },
        memory: kubesim_core::MemoryProfile::constant(128 << 20),
        cpu_seconds: Some(37.3),
        exit: None,
        ..Default::default()
    };
    let mut s = Sim::new(
        KubeletConfig::default(),
        vec![
            ("wave", wave),
            ("steps", steps),
            ("batch", image(secs(2), 3.0, Some(123.4))),
            ("init", image(SimTime::from_millis(700), 0.5, Some(1.7))),
        ],
    );
    let nodes = [s.node("n0", 4000), s.node("n1", 2500), s.node("n2", 8000)];
    let mut pids = Vec::new();
    for i in 0..18 {
        let img = ["wave", "steps", "batch"][i % 3];
        let req = [None, Some(250 + 100 * i as i64), Some(1000)][i % 4 % 3];
        let lim = [None, Some(1500), None, Some(800)][i % 4];
        let mut p = pod(
            &format!("p{i}"),
            vec![
                container("main", img, req, lim),
                container("aux", ["batch", "wave"][i % 2], None, None),
            ],
            [
                RestartPolicy::Always,
                RestartPolicy::Never,
                RestartPolicy::OnFailure,
            ][i % 3],
        );
        if i % 4 == 1 {
            p.spec.init_containers = vec![container("setup", "init", Some(100), None)];
        }
        let pid = s.pod(p);
        pids.push(pid);
        s.run_until(SimTime::from_millis(1700 * i as u64));
        s.bind(pid, nodes[i % 3]);
    }
    s.run_until(secs(200));
    s.delete(pids[4]);
    s.delete(pids[9]);
    s.run_until(secs(900));
    s
}

#[test]
fn identical_runs_are_identical() {
    let a = busy_run();
    let b = busy_run();
    assert!(
        a.handled.len() > 100,
        "scenario too quiet: {}",
        a.handled.len()
    );
    assert_eq!(a.handled, b.handled);
    assert_eq!(a.events, b.events);
    assert_eq!(a.notices, b.notices);
    for (pa, pb) in a.c.pods.iter().zip(&b.c.pods) {
        assert_eq!(pa.finished, pb.finished);
        assert_eq!(pa.ready, pb.ready);
        for (ca, cb) in pa.containers.iter().zip(&pb.containers) {
            let bits = |c: &CView| {
                (
                    c.used_cpu_s.to_bits(),
                    c.throttled_cpu_s.to_bits(),
                    c.starved_cpu_s.to_bits(),
                    c.used_cores.to_bits(),
                    c.restarts,
                    c.started_at,
                )
            };
            assert_eq!(bits(ca), bits(cb), "{}/{}", pa.name(), ca.name);
        }
    }
    for (na, nb) in a.c.nodes.iter().zip(&b.c.nodes) {
        assert_eq!(na.used_cpu_s.to_bits(), nb.used_cpu_s.to_bits());
        assert_eq!(na.requested, nb.requested);
        // Sanity: a node never uses more than it has.
        assert!(na.used_cpu_s <= na.node.capacity.milli_cpu as f64 / 1000.0 * 900.0 + 1e-6);
    }
    // Something actually used CPU, finished and restarted.
    assert!(a.c.pods.iter().any(|p| p.finished.is_some()));
    assert!(a.c.pods.iter().any(|p| p.restarts() > 0));
}

/// The pod cgroup's quota is `PodLimits`, which counts sidecars with the
/// app containers (pkg/kubelet/cm/helpers_linux.go `ResourceConfigForPod`):
/// a sidecar limited to 500m beside an app limited to 1 core may use 1.5
/// cores together on an idle node, and neither is starved.
#[test]
fn pod_quota_counts_sidecar_limits() {
    let mut s = Sim::new(v1(), vec![("hungry", image(SimTime::ZERO, 4.0, None))]);
    let n = s.node("n", 8000);
    let proxy = Container {
        restart_policy: Some(RestartPolicy::Always),
        ..container("proxy", "hungry", Some(500), Some(500))
    };
    let app = container("app", "hungry", Some(1000), Some(1000));
    let p = s.pod(sidecar_pod(vec![proxy], vec![app], RestartPolicy::Always));
    s.bind(p, n);
    s.run_until(secs(10));
    let c = &s.p(p).containers;
    assert!(close(c[0].used_cores, 0.5), "proxy {}", c[0].used_cores);
    assert!(close(c[1].used_cores, 1.0), "app {}", c[1].used_cores);
    assert!(close(c[0].starved_cores + c[1].starved_cores, 0.0));
}
