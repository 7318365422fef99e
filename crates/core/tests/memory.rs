//! Memory and the OOM killer on the node side, through the shared
//! `NodeHarness`: a leak reaching its container limit (exact time,
//! `OOMKilled` 137, restart with back-off), the kernel's choice inside
//! `kubepods` (`oom_badness`, BestEffort first), a node-wide OOM caused by
//! system usage, and the candidates reported for `oom.csv`.

use kubesim_core::harness::NodeHarness;
use kubesim_core::{
    Bytes, Container, ContainerState, CpuProfile, ImageBehavior, KubeletConfig, MemoryProfile,
    MemoryShape, MilliCpu, Node, NodeId, ObjectMeta, OomScope, Pod, PodId, PodPhase, PodSpec,
    ResourceList, ResourceRequirements, RestartPolicy, SimTime,
};

const MI: i64 = 1 << 20;
const GI: i64 = 1 << 30;

fn secs(s: u64) -> SimTime {
    SimTime::from_secs(s)
}

fn leak(start_mi: i64, per_min_mi: i64) -> ImageBehavior {
    ImageBehavior {
        startup: SimTime::ZERO,
        cpu: CpuProfile::constant(0.1),
        memory: MemoryProfile {
            shape: MemoryShape::Leak {
                start: start_mi * MI,
                growth_bytes: per_min_mi * MI,
                per: secs(60),
                max: None,
            },
            startup_burst: None,
        },
        cpu_seconds: None,
        exit: None,
        ..Default::default()
    }
}

fn steady(mi: i64) -> ImageBehavior {
    ImageBehavior {
        memory: MemoryProfile::constant(mi * MI),
        cpu: CpuProfile::constant(0.1),
        ..Default::default()
    }
}

/// A container with memory request and limit (MiB), and CPU 100m both
/// when `guaranteed`.
fn container(image: &str, req_mi: Option<i64>, lim_mi: Option<i64>, cpu: bool) -> Container {
    Container {
        name: "app".into(),
        image: image.into(),
        resources: ResourceRequirements {
            cpu_request_m: cpu.then_some(MilliCpu(100)),
            cpu_limit_m: cpu.then_some(MilliCpu(100)),
            memory_request_bytes: req_mi.map(|m| Bytes(m * MI)),
            memory_limit_bytes: lim_mi.map(|m| Bytes(m * MI)),
            ..Default::default()
        },
        restart_policy: None,
        ..Default::default()
    }
}

fn pod(name: &str, c: Container, restart: RestartPolicy) -> Pod {
    Pod {
        metadata: ObjectMeta::named(name),
        spec: PodSpec {
            containers: vec![c],
            restart_policy: restart,
            ..Default::default()
        },
        ..Default::default()
    }
}

fn node(h: &mut NodeHarness, memory: i64, reserved: i64, system: i64) -> NodeId {
    let cap = ResourceList {
        milli_cpu: 4000,
        memory,
        pods: 110,
        scalar: vec![],
    };
    let res = ResourceList {
        memory: reserved,
        ..Default::default()
    };
    // Eviction off: these tests watch the kernel alone.
    let kubelet = kubesim_core::KubeletConfiguration {
        eviction_hard: Vec::new(),
        ..Default::default()
    };
    let mut n = Node::with_kubelet(ObjectMeta::named("n"), cap, res, kubelet);
    n.system_memory_bytes = system;
    h.add_node(n)
}

fn start(h: &mut NodeHarness, n: NodeId, p: Pod) -> PodId {
    let id = h.add_pod(p);
    h.bind(id, n);
    id
}

/// 200Mi leaking 200Mi/min under a 1Gi limit: it exceeds the limit once
/// 824Mi and one byte have leaked, ⌈(824Mi + 1) · 60 s / 200Mi⌉ after
/// start. The cgroup kills it (OOMKilled, 137); `Always` restarts it at
/// once, then after the usual back-off (10 s); every kill is one
/// `container` row.
#[test]
fn leak_hits_its_limit_at_the_exact_time_and_crash_loops() {
    let mut h = NodeHarness::new(KubeletConfig::default(), vec![("leaky", leak(200, 200))]);
    let n = node(&mut h, 8 * GI, 0, 0);
    let p = start(
        &mut h,
        n,
        pod(
            "p",
            container("leaky", Some(256), Some(1024), false),
            RestartPolicy::Always,
        ),
    );
    let run = {
        let need = (824 * MI + 1) as u128 * 60_000_000_000;
        let per = (200 * MI) as u128;
        SimTime(need.div_ceil(per) as u64)
    };
    let first_kill = run;
    h.run_until(SimTime(first_kill.0 - 1));
    assert_eq!(h.status(p, 0).state, ContainerState::Running);
    h.run_until(first_kill);
    let st = h.status(p, 0);
    // Restarted at once (the first restart has no back-off).
    assert_eq!(st.restart_count, 1);
    assert_eq!(st.started_at, Some(first_kill));
    let t = st.last_termination.expect("terminated once");
    assert_eq!((t.reason, t.exit_code), ("OOMKilled", 137));
    assert_eq!(h.oom.len(), 1);
    let row = h.oom[0];
    assert_eq!(row.scope, OomScope::Container);
    assert!(row.victim);
    assert_eq!(row.time, first_kill);
    assert!(row.memory_bytes > 1024 * MI);
    // The second kill comes one run after the restart; that restart waits
    // 10 s.
    h.run_until(first_kill + run);
    assert_eq!(h.status(p, 0).restart_count, 1);
    assert_eq!(h.status(p, 0).state, ContainerState::Terminated);
    h.run_until(first_kill + run + secs(10));
    assert_eq!(h.status(p, 0).restart_count, 2);
    assert!(h.events.iter().any(|e| e.reason == "BackOff"));
}

/// `restartPolicy: Never`: one OOM kill fails the pod with reason
/// OOMKilled and releases its node.
#[test]
fn oom_kill_fails_a_never_restarting_pod() {
    let mut h = NodeHarness::new(KubeletConfig::default(), vec![("leaky", leak(500, 600))]);
    let n = node(&mut h, 8 * GI, 0, 0);
    let p = start(
        &mut h,
        n,
        pod(
            "p",
            container("leaky", None, Some(512), false),
            RestartPolicy::Never,
        ),
    );
    h.run_until(secs(60));
    let e = h.pod(p);
    assert_eq!(e.phase(), PodPhase::Failed);
    assert_eq!(e.pod().status.reason, "OOMKilled");
    assert!(e.times().finished.is_some());
    assert!(h.kubelet.accounting().node(n).pods().is_empty());
}

/// The classroom case. An 8 GiB node (nothing reserved: kubepods may use
/// it all): a Guaranteed pod holding 4 GiB, a Burstable pod requesting
/// 3.5 GiB and leaking from 2 GiB at 256 MiB/min, and a BestEffort pod
/// holding 1 GiB. Four minutes in, the pods exceed 8 GiB and the kernel's
/// OOM killer runs inside kubepods. The BestEffort pod goes first,
/// although the Burstable one is the leak: a Burstable container is spared
/// while its usage is below `request / capacity` of the limit, because
/// its `oom_score_adj` (1000 − 1000 · request / capacity = 563) is that
/// much lower than BestEffort's 1000.
#[test]
fn kubepods_oom_kills_besteffort_before_the_leaking_burstable() {
    let mut h = NodeHarness::new(
        KubeletConfig::default(),
        vec![
            ("steady", steady(4096)),
            ("leaky", leak(2048, 256)),
            ("big", steady(1024)),
        ],
    );
    let n = node(&mut h, 8 * GI, 0, 0);
    let g = start(
        &mut h,
        n,
        pod(
            "g",
            container("steady", Some(4096), Some(4096), true),
            RestartPolicy::Never,
        ),
    );
    let b = start(
        &mut h,
        n,
        pod(
            "b",
            container("leaky", Some(3584), None, false),
            RestartPolicy::Never,
        ),
    );
    let be = start(
        &mut h,
        n,
        pod(
            "be",
            container("big", None, None, false),
            RestartPolicy::Never,
        ),
    );
    h.run_until(secs(239));
    assert!(h.oom.is_empty());
    h.run_until(secs(241));
    let rows: Vec<_> = h.oom.iter().filter(|r| r.time <= secs(241)).collect();
    assert_eq!(rows.len(), 3, "three candidates weighed once");
    assert!(rows.iter().all(|r| r.scope == OomScope::Kubepods));
    let adj: Vec<i64> = rows.iter().map(|r| r.oom_score_adj).collect();
    assert_eq!(adj, [-997, 563, 1000]);
    let victim: Vec<_> = rows.iter().filter(|r| r.victim).collect();
    assert_eq!(victim.len(), 1);
    assert_eq!(h.store.container_pod(victim[0].container).0, be);
    // Points as the kernel computes them: 8 GiB = 2097152 pages, /1000 =
    // 2097 per unit of oom_score_adj.
    assert_eq!(rows[2].points, Some(GI / 4096 + 1000 * 2097));
    assert_eq!(
        rows[1].points,
        Some(rows[1].memory_bytes / 4096 + 563 * 2097)
    );
    assert!(rows[1].points < rows[2].points);
    assert_eq!(h.pod(be).pod().status.reason, "OOMKilled");
    assert!(h.events.iter().any(|e| e.reason == "SystemOOM"
        && e.object == "node/n"
        && e.message == "System OOM encountered, victim process: app"));
    // With BestEffort gone the leak goes on; at 8 GiB again (4 GiB more
    // leaked, 8 min in) the Burstable pod goes, not the Guaranteed one.
    h.run_until(secs(481));
    assert_eq!(h.pod(b).phase(), PodPhase::Failed);
    assert_eq!(h.pod(g).phase(), PodPhase::Running);
    let second: Vec<_> = h.oom.iter().filter(|r| r.time > secs(241)).collect();
    assert_eq!(second.len(), 2);
    assert_eq!(
        h.store
            .container_pod(second.iter().find(|r| r.victim).unwrap().container)
            .0,
        b
    );
}

/// When the OS and system daemons use so much that pods would run the
/// node out of RAM before kubepods' own limit, the OOM is node-wide: its
/// scope is `node` and points are scaled by the node's RAM.
#[test]
fn system_usage_makes_the_oom_node_wide() {
    let mut h = NodeHarness::new(KubeletConfig::default(), vec![("leaky", leak(1024, 1024))]);
    // 4 GiB node, nothing reserved, 2 GiB used by the system: the pods
    // may use 2 GiB before the node is full.
    let n = node(&mut h, 4 * GI, 0, 2 * GI);
    let p = start(
        &mut h,
        n,
        pod(
            "p",
            container("leaky", None, None, false),
            RestartPolicy::Never,
        ),
    );
    h.run_until(secs(61));
    assert_eq!(h.oom.len(), 1);
    assert_eq!(h.oom[0].scope, OomScope::Node);
    // One byte past 2 GiB: ⌈(1 GiB + 1) · 60 s / 1 GiB⌉.
    assert_eq!(h.oom[0].time, SimTime(60_000_000_000 + 56));
    assert_eq!(
        h.oom[0].points,
        Some((2 * GI + 1) / 4096 + 1000 * ((4 * GI / 4096) / 1000))
    );
    assert_eq!(h.pod(p).phase(), PodPhase::Failed);
    assert_eq!(
        h.kubelet.accounting().node_memory(n, secs(61)),
        2 * GI,
        "only the system's memory is left"
    );
}

/// On equal points the container evaluated later is chosen (the kernel's
/// `points < chosen_points` skips only strictly smaller ones).
#[test]
fn equal_points_choose_the_later_candidate() {
    let mut h = NodeHarness::new(KubeletConfig::default(), vec![("twin", leak(512, 512))]);
    let n = node(&mut h, 4 * GI, 2 * GI, 0);
    let a = start(
        &mut h,
        n,
        pod(
            "a",
            container("twin", None, None, false),
            RestartPolicy::Never,
        ),
    );
    let b = start(
        &mut h,
        n,
        pod(
            "b",
            container("twin", None, None, false),
            RestartPolicy::Never,
        ),
    );
    h.run_until(secs(61));
    let victim = h.oom.iter().find(|r| r.victim).expect("one kill");
    assert_eq!(h.store.container_pod(victim.container).0, b);
    assert_eq!(h.pod(a).phase(), PodPhase::Running);
}

/// Memory adds up: the node's memory is its containers' plus the system's,
/// at any time.
#[test]
fn node_memory_is_the_sum_of_its_containers_and_the_system() {
    let mut h = NodeHarness::new(
        KubeletConfig::default(),
        vec![("leaky", leak(100, 10)), ("steady", steady(300))],
    );
    let n = node(&mut h, 64 * GI, 0, 512 * MI);
    let a = start(
        &mut h,
        n,
        pod(
            "a",
            container("leaky", None, None, false),
            RestartPolicy::Always,
        ),
    );
    let b = start(
        &mut h,
        n,
        pod(
            "b",
            container("steady", None, None, false),
            RestartPolicy::Always,
        ),
    );
    for t in [0u64, 30, 600, 3600] {
        h.run_until(secs(t));
        let books = h.kubelet.accounting();
        let sum = books.container_memory(h.pod(a).container_id(0), h.now)
            + books.container_memory(h.pod(b).container_id(0), h.now)
            + 512 * MI;
        assert_eq!(books.node_memory(n, h.now), sum, "at {t} s");
    }
}
