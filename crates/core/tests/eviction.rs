//! kubelet's eviction manager through the shared `NodeHarness`: the check
//! at housekeeping ticks once `memory.available` drops below the hard
//! threshold, the ranking (`rankMemoryPressure`), the eviction itself
//! (Failed, `Evicted`, kubelet's message), the `MemoryPressure` condition
//! and taint held for the transition period, and soft thresholds with
//! their grace period.

use kubesim_core::harness::NodeHarness;
use kubesim_core::{
    Bytes, Container, CpuProfile, EvictionSignal, EvictionThreshold, ImageBehavior, KubeletConfig,
    KubeletConfiguration, MemoryProfile, MemoryShape, Node, NodeId, ObjectMeta, Pod, PodId,
    PodPhase, PodSpec, ResourceList, ResourceRequirements, RestartPolicy, SimTime, ThresholdValue,
};

const MI: i64 = 1 << 20;
const GI: i64 = 1 << 30;

fn secs(s: u64) -> SimTime {
    SimTime::from_secs(s)
}

fn leak(start_mi: i64, per_min_mi: i64) -> ImageBehavior {
    ImageBehavior {
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
        ..Default::default()
    }
}

fn steady(mi: i64) -> ImageBehavior {
    ImageBehavior {
        memory: MemoryProfile::constant(mi * MI),
        ..Default::default()
    }
}

fn pod(name: &str, image: &str, req_mi: Option<i64>, priority: i32) -> Pod {
    Pod {
        metadata: ObjectMeta::named(name),
        spec: PodSpec {
            containers: vec![Container {
                name: "app".into(),
                image: image.into(),
                resources: ResourceRequirements {
                    memory_request_bytes: req_mi.map(|m| Bytes(m * MI)),
                    ..Default::default()
                },
                ..Default::default()
            }],
            priority,
            restart_policy: RestartPolicy::Always,
            ..Default::default()
        },
        ..Default::default()
    }
}

fn setup(
    images: Vec<(&str, ImageBehavior)>,
    kubelet: KubeletConfiguration,
) -> (NodeHarness, NodeId) {
    let mut h = NodeHarness::new(KubeletConfig::default(), images);
    let cap = ResourceList {
        milli_cpu: 8000,
        memory: 4 * GI,
        pods: 110,
        scalar: vec![],
    };
    let n = h.add_node(Node::with_kubelet(
        ObjectMeta::named("n"),
        cap,
        ResourceList::default(),
        kubelet,
    ));
    (h, n)
}

fn run(h: &mut NodeHarness, n: NodeId, p: Pod) -> PodId {
    let id = h.add_pod(p);
    h.bind(id, n);
    id
}

/// A 4 GiB node with the default hard threshold (100Mi): a steady pod at
/// its request (1 GiB), a leaking pod above its request (from 1 GiB at
/// 512 MiB/min, request 512Mi) and a low-priority pod below its request.
/// `memory.available` (4096 − 2148 − leak) drops below 100Mi once the
/// leak has added 1848Mi, 216.6 s in; the check at the next housekeeping
/// tick (220 s) ranks the
/// leak first (it exceeds its request) and evicts it with kubelet's
/// message; the node gets `MemoryPressure` and its taint, kept for the
/// 5-minute transition period.
#[test]
fn hard_threshold_evicts_the_pod_over_its_request() {
    let (mut h, n) = setup(
        vec![
            ("steady", steady(1024)),
            ("leaky", leak(1024, 512)),
            ("small", steady(100)),
        ],
        KubeletConfiguration::default(),
    );
    let steady_pod = run(&mut h, n, pod("steady", "steady", Some(1024), 0));
    let leaky = run(&mut h, n, pod("leaky", "leaky", Some(512), 100));
    let low = run(&mut h, n, pod("low", "small", Some(200), -10));
    h.run_until(secs(219));
    assert!(h.evictions.is_empty());
    assert!(!h.store.node(n).memory_pressure);
    h.run_until(secs(220));
    let rows: Vec<_> = h.evictions.iter().filter(|r| r.time == secs(220)).collect();
    assert_eq!(rows.len(), 3, "every pod ranked");
    let order: Vec<PodId> = rows.iter().map(|r| r.pod).collect();
    assert_eq!(order, [leaky, low, steady_pod]);
    assert!(rows[0].evicted && !rows[1].evicted && !rows[2].evicted);
    assert_eq!(rows[0].threshold_bytes, 100 * MI);
    assert!(rows[0].observed_bytes < 100 * MI);
    // The eviction: 1 s grace, then Failed / Evicted with the message.
    h.run_until(secs(222));
    let e = h.pod(leaky);
    assert_eq!(e.phase(), PodPhase::Failed);
    assert_eq!(e.pod().status.reason, "Evicted");
    let msg = &e.pod().status.message;
    assert!(
        msg.starts_with(
            "The node was low on resource: memory. Threshold quantity: 100Mi, available: "
        ),
        "{msg}"
    );
    assert!(msg.contains("Container app was using "), "{msg}");
    assert!(
        msg.ends_with(", request is 512Mi, has larger consumption of memory. "),
        "{msg}"
    );
    assert!(h
        .events
        .iter()
        .any(|e| e.reason == "Evicted" && e.object == "pod/leaky"));
    assert!(h.events.iter().any(|e| e.reason == "EvictionThresholdMet"));
    // The condition and its taint.
    let node = h.store.node(n);
    assert!(node.memory_pressure);
    assert!(node
        .taints
        .iter()
        .any(|t| t.key == "node.kubernetes.io/memory-pressure"));
    assert!(h
        .events
        .iter()
        .any(|e| e.reason == "NodeHasInsufficientMemory"
            && e.message == "Node n status is now: NodeHasInsufficientMemory"));
    // Kept until five minutes after the last time the threshold was met.
    h.run_until(secs(510));
    assert!(h.store.node(n).memory_pressure);
    h.run_until(secs(530));
    assert!(!h.store.node(n).memory_pressure);
    assert!(h.store.node(n).taints.is_empty());
    assert!(h
        .events
        .iter()
        .any(|e| e.reason == "NodeHasSufficientMemory"));
    // The others are untouched.
    assert_eq!(h.pod(low).phase(), PodPhase::Running);
    assert_eq!(h.pod(steady_pod).phase(), PodPhase::Running);
}

/// A soft threshold (1 GiB, grace 60 s) sets the condition at once but
/// evicts only after it has held for its grace period.
#[test]
fn soft_threshold_waits_for_its_grace_period() {
    let kubelet = KubeletConfiguration {
        eviction_soft: vec![EvictionThreshold {
            signal: EvictionSignal::MemoryAvailable,
            value: ThresholdValue::Bytes(GI),
            grace_period: Some(secs(60)),
        }],
        ..Default::default()
    };
    let (mut h, n) = setup(vec![("leaky", leak(2048, 512))], kubelet);
    let p = run(&mut h, n, pod("p", "leaky", None, 0));
    // available < 1 GiB once the leak adds 1 GiB + 1 byte: ~120 s; first
    // check at 130 s sets the condition; eviction at 190 s (60 s later).
    h.run_until(secs(130));
    assert!(h.store.node(n).memory_pressure);
    assert!(h.evictions.is_empty());
    h.run_until(secs(189));
    assert!(h.evictions.is_empty());
    h.run_until(secs(195));
    assert_eq!(h.evictions.len(), 1);
    assert_eq!(h.evictions[0].time, secs(190));
    assert_eq!(h.pod(p).pod().status.reason, "Evicted");
}

/// No checks while memory is plentiful: a quiet node costs no timers.
#[test]
fn no_checks_without_pressure() {
    let (mut h, n) = setup(
        vec![("steady", steady(100))],
        KubeletConfiguration::default(),
    );
    run(&mut h, n, pod("p", "steady", None, 0));
    h.run_until(secs(24 * 3600));
    assert!(h.handled.len() < 5, "{} timers", h.handled.len());
}
