//! Nodes failing and changing, end to end: the node lifecycle controller
//! (lease → Unknown → taints), the taint eviction controller (300 s
//! default toleration), a Deployment replacing its pods, crash versus
//! partition, a node coming back, cordon, drain, nodes joining, and
//! master disruption mode when every node is down.

use kubesim_core::{
    ConditionStatus, Container, Deployment, KubeEvent, LabelSelector, MilliCpu, Node, NodeDownMode,
    NodeId, ObjectMeta, PodPhase, PodSpec, PodTemplate, ResourceList, ResourceRequirements,
    SimTime, TaintEffect, Toleration, TolerationOperator, TAINT_NODE_UNREACHABLE,
};
use kubesim_scheduler::{
    Action, EventRecord, MetricRecord, RecordSink, Simulation, SimulationConfig, SimulationInput,
    TimelineEntry,
};
use std::collections::BTreeMap;
use std::convert::Infallible;

fn secs(s: u64) -> SimTime {
    SimTime::from_secs(s)
}

#[derive(Default)]
struct Events(Vec<KubeEvent>);

impl RecordSink for Events {
    type Error = Infallible;
    fn event(&mut self, r: &EventRecord<'_>) -> Result<(), Infallible> {
        self.0.push(r.event.clone());
        Ok(())
    }
    fn metric(&mut self, _: &MetricRecord<'_>) -> Result<(), Infallible> {
        Ok(())
    }
}

fn node(name: &str, zone: Option<&str>) -> Node {
    let mut meta = ObjectMeta::named(name);
    if let Some(z) = zone {
        meta.labels
            .insert("topology.kubernetes.io/zone".into(), z.into());
    }
    let cap = ResourceList {
        milli_cpu: 4000,
        memory: 16 << 30,
        pods: 110,
        scalar: vec![],
    };
    Node::new(meta, cap, ResourceList::default())
}

fn web(replicas: i32, tolerations: Vec<Toleration>) -> Deployment {
    let mut labels = BTreeMap::new();
    labels.insert("app".to_string(), "web".to_string());
    Deployment::new(
        ObjectMeta::named("web"),
        replicas,
        LabelSelector::from_labels(labels.clone()),
        PodTemplate {
            labels,
            annotations: BTreeMap::new(),
            spec: PodSpec {
                containers: vec![Container {
                    name: "app".into(),
                    image: "web:1".into(),
                    resources: ResourceRequirements {
                        cpu_request_m: Some(MilliCpu(1000)),
                        ..Default::default()
                    },
                    ..Default::default()
                }],
                tolerations,
                ..Default::default()
            },
        },
    )
}

fn at(t: u64, action: Action) -> TimelineEntry {
    TimelineEntry {
        at: secs(t),
        action,
    }
}

fn down(node: &str, mode: NodeDownMode) -> Action {
    Action::NodeDown {
        node: node.into(),
        mode,
    }
}

fn run(
    nodes: Vec<Node>,
    d: Deployment,
    timeline: Vec<TimelineEntry>,
    duration: u64,
) -> (Simulation, Vec<KubeEvent>) {
    let input = SimulationInput {
        argo: Default::default(),
        config: SimulationConfig {
            scenario: "nodes".into(),
            seed: 7,
            duration: secs(duration),
            sample_interval: SimTime::ZERO,
            limits: Default::default(),
            metrics: Default::default(),
            kubelet: Default::default(),
            profile: Default::default(),
            controller_manager: Default::default(),
            check_invariants: true,
            clock_origin_unix_s: 0,
        },
        nodes,
        images: Vec::new(),
        pods: Vec::new(),
        deployments: vec![d],
        jobs: Vec::new(),
        cron_jobs: Vec::new(),
        services: Vec::new(),
        traffic: Vec::new(),
        timeline,
    };
    let mut sim = Simulation::new(input).expect("within limits");
    let mut ev = Events::default();
    sim.run(&mut ev).expect("runs");
    (sim, ev.0)
}

fn first(ev: &[KubeEvent], reason: &str, object: &str) -> Option<SimTime> {
    ev.iter()
        .find(|e| e.reason == reason && e.object.starts_with(object))
        .map(|e| e.time)
}

fn three_nodes() -> Vec<Node> {
    vec![node("a", None), node("b", None), node("c", None)]
}

/// Pods of `web` on node `n` that are neither finished nor deleted.
fn live_on(sim: &Simulation, n: &str) -> usize {
    let s = sim.store();
    let id = s.node_id(n).unwrap();
    s.pods_on_node(id)
        .iter()
        .filter(|&&p| !s.pod(p).is_deleting())
        .count()
}

/// The default timeline: the crash at 100 s follows a renewal at 100 s;
/// the pass at 100 s sees it; Unknown at the first pass after 150 s
/// (155 s); the NoExecute taint at the next pass (160 s); the pods'
/// 300 s toleration runs out at 460 s and they are replaced.
#[test]
fn crashed_node_pods_move_after_lease_grace_and_toleration() {
    let tl = vec![at(100, down("a", NodeDownMode::Crash))];
    let (sim, ev) = run(three_nodes(), web(3, vec![]), tl, 900);
    assert_eq!(first(&ev, "NodeNotReady", "node/a"), Some(secs(155)));
    assert_eq!(first(&ev, "NodeNotReady", "pod/web-"), Some(secs(155)));
    let evict = ev
        .iter()
        .filter(|e| e.reason == "TaintManagerEviction")
        .collect::<Vec<_>>();
    assert_eq!(evict.len(), 1, "one pod was on a");
    assert_eq!(evict[0].time, secs(460));
    assert!(evict[0]
        .message
        .starts_with("Marking for deletion Pod default/web-"));
    let a = sim.store().node(sim.store().node_id("a").unwrap());
    assert_eq!(a.ready, ConditionStatus::Unknown);
    let keys: Vec<(&str, TaintEffect)> = a
        .taints
        .iter()
        .map(|t| (t.key.as_str(), t.effect))
        .collect();
    assert!(keys.contains(&(TAINT_NODE_UNREACHABLE, TaintEffect::NoSchedule)));
    assert!(keys.contains(&(TAINT_NODE_UNREACHABLE, TaintEffect::NoExecute)));
    // The deleted pod stays Terminating on the dead node; its replacement
    // runs elsewhere.
    assert_eq!(live_on(&sim, "a"), 0);
    assert_eq!(live_on(&sim, "b") + live_on(&sim, "c"), 3);
    let running = sim
        .store()
        .pods()
        .filter(|(_, p)| p.phase() == PodPhase::Running && !p.is_deleting())
        .count();
    assert_eq!(running, 3);
}

/// A pod that tolerates `unreachable:NoExecute` for ever stays put.
#[test]
fn forever_toleration_keeps_the_pod() {
    let tol = Toleration {
        key: TAINT_NODE_UNREACHABLE.into(),
        operator: TolerationOperator::Exists,
        value: String::new(),
        effect: Some(TaintEffect::NoExecute),
        toleration_seconds: None,
    };
    let tl = vec![at(100, down("a", NodeDownMode::Crash))];
    let (_, ev) = run(three_nodes(), web(3, vec![tol]), tl, 900);
    assert!(first(&ev, "NodeNotReady", "node/a").is_some());
    assert_eq!(first(&ev, "TaintManagerEviction", "pod/"), None);
}

/// Back before the toleration runs out: the taints go, the scheduled
/// deletion is cancelled, the pod restarts in a new sandbox.
#[test]
fn node_back_in_time_cancels_the_eviction() {
    let tl = vec![
        at(100, down("a", NodeDownMode::Crash)),
        at(300, Action::NodeUp { node: "a".into() }),
    ];
    let (sim, ev) = run(three_nodes(), web(3, vec![]), tl, 900);
    let cancel = ev
        .iter()
        .find(|e| {
            e.message
                .starts_with("Cancelling deletion of Pod default/web-")
        })
        .expect("cancelled");
    assert_eq!(
        cancel.time,
        secs(300),
        "the next pass removes the NoExecute taint"
    );
    let a = sim.store().node(sim.store().node_id("a").unwrap());
    assert_eq!(a.ready, ConditionStatus::True);
    assert!(a.taints.is_empty(), "{:?}", a.taints);
    // The restarted kubelet says so, and turns the Unknown Ready True.
    assert_eq!(first(&ev, "Starting", "node/a"), Some(secs(300)));
    let ready = ev
        .iter()
        .find(|e| e.reason == "NodeReady")
        .expect("NodeReady");
    assert_eq!(
        (ready.time, ready.message.as_str()),
        (secs(300), "Node a status is now: NodeReady")
    );
    assert_eq!(live_on(&sim, "a"), 1);
    let pod = sim.store().pods_on_node(sim.store().node_id("a").unwrap())[0];
    let st = &sim.store().pod(pod).pod().status.container_statuses[0];
    assert_eq!(st.restart_count, 1, "a new sandbox after the crash");
    assert_eq!(
        st.last_termination.unwrap().reason,
        "ContainerStatusUnknown"
    );
    assert!(sim.store().pod(pod).is_ready());
}

/// Cut off, the node's pods keep running even after they are deleted
/// and replaced: for a while the Deployment runs 4 pods; when the node is
/// back, kubelet stops the deleted one.
#[test]
fn partitioned_node_runs_on_until_it_is_back() {
    let tl = vec![
        at(100, down("a", NodeDownMode::Partition)),
        at(700, Action::NodeUp { node: "a".into() }),
    ];
    let (sim, ev) = run(three_nodes(), web(3, vec![]), tl.clone(), 650);
    assert_eq!(first(&ev, "TaintManagerEviction", "pod/"), Some(secs(460)));
    let s = sim.store();
    let a = s.node_id("a").unwrap();
    let old = s.pods_on_node(a)[0];
    assert!(s.pod(old).is_deleting());
    assert_eq!(
        s.pod(old).phase(),
        PodPhase::Running,
        "still running, cut off"
    );
    assert!(sim.kubelet().accounting().node(a).used_cores() >= 0.0);
    let (sim, ev) = run(three_nodes(), web(3, vec![]), tl, 900);
    let s = sim.store();
    assert!(s.pod(old).is_finished(), "stopped when the node was back");
    // A partition stops no kubelet: NodeReady, but no `Starting`.
    assert_eq!(first(&ev, "NodeReady", "node/a"), Some(secs(700)));
    assert_eq!(first(&ev, "Starting", "node/a"), None);
    assert_eq!(s.pod(old).times().finished, Some(secs(700)));
}

/// Crashed and back after the eviction: the deleted pod is simply gone.
#[test]
fn crashed_node_back_after_eviction_drops_the_deleted_pod() {
    let tl = vec![
        at(100, down("a", NodeDownMode::Crash)),
        at(600, Action::NodeUp { node: "a".into() }),
    ];
    let (sim, _) = run(three_nodes(), web(3, vec![]), tl, 900);
    let s = sim.store();
    let gone: Vec<_> = s
        .pods()
        .filter(|(_, p)| p.is_deleting())
        .map(|(_, p)| (p.phase(), p.times().finished))
        .collect();
    assert_eq!(gone, [(PodPhase::Failed, Some(secs(600)))]);
}

/// One node, and it fails: every zone is fully disrupted, so the
/// controller assumes the fault is its own and evicts nothing.
#[test]
fn all_nodes_down_is_master_disruption() {
    let tl = vec![at(100, down("a", NodeDownMode::Crash))];
    let (sim, ev) = run(vec![node("a", None)], web(1, vec![]), tl, 900);
    assert!(first(&ev, "NodeNotReady", "node/a").is_some());
    assert_eq!(first(&ev, "TaintManagerEviction", "pod/"), None);
    let a = sim.store().node(sim.store().node_id("a").unwrap());
    assert!(!a.taints.iter().any(|t| t.effect == TaintEffect::NoExecute));
}

/// A zone whose only node fails is fully disrupted while another zone is
/// healthy: evictions go on at the normal rate.
#[test]
fn one_zone_down_others_healthy_still_evicts() {
    let nodes = vec![
        node("a", Some("z1")),
        node("b", Some("z2")),
        node("c", Some("z2")),
    ];
    let tl = vec![at(100, down("a", NodeDownMode::Crash))];
    let (_, ev) = run(nodes, web(3, vec![]), tl, 900);
    assert_eq!(first(&ev, "TaintManagerEviction", "pod/"), Some(secs(460)));
}

/// Two nodes of one zone down at once: the second is tainted 10 s after
/// the first (`--node-eviction-rate` 0.1), so its pods go 10 s later.
#[test]
fn eviction_rate_limits_tainting() {
    let nodes = vec![
        node("a", None),
        node("b", None),
        node("c", None),
        node("d", None),
        node("e", None),
        node("f", None),
        node("g", None),
    ];
    let tl = vec![
        at(100, down("a", NodeDownMode::Crash)),
        at(100, down("b", NodeDownMode::Crash)),
    ];
    let (_, ev) = run(nodes, web(7, vec![]), tl, 900);
    let times: Vec<SimTime> = ev
        .iter()
        .filter(|e| e.reason == "TaintManagerEviction")
        .map(|e| e.time)
        .collect();
    assert_eq!(times, [secs(460), secs(470)]);
}

/// Cordon keeps new pods off; drain deletes the node's pods, which are
/// replaced elsewhere; uncordon lets pods in again.
#[test]
fn cordon_drain_uncordon() {
    let tl = vec![
        at(10, Action::Drain { node: "a".into() }),
        at(
            20,
            Action::Scale {
                namespace: "default".into(),
                deployment: "web".into(),
                replicas: 6,
            },
        ),
    ];
    let (sim, _) = run(three_nodes(), web(3, vec![]), tl, 120);
    assert_eq!(live_on(&sim, "a"), 0);
    assert_eq!(live_on(&sim, "b") + live_on(&sim, "c"), 6);
    let a = sim.store().node(sim.store().node_id("a").unwrap());
    assert!(a.unschedulable);
    let tl = vec![
        at(10, Action::Cordon { node: "a".into() }),
        at(20, Action::Uncordon { node: "a".into() }),
        at(
            30,
            Action::Scale {
                namespace: "default".into(),
                deployment: "web".into(),
                replicas: 12,
            },
        ),
    ];
    let (sim, _) = run(three_nodes(), web(3, vec![]), tl, 120);
    assert!(live_on(&sim, "a") >= 1);
}

/// Pending pods find room on nodes that join later.
#[test]
fn added_nodes_take_pending_pods() {
    let tl = vec![at(
        60,
        Action::AddNodes {
            nodes: vec![node("d", None), node("e", None)],
        },
    )];
    let (sim, ev) = run(vec![node("a", None)], web(10, vec![]), tl, 120);
    assert!(first(&ev, "RegisteredNode", "node/d").is_some());
    let placed = live_on(&sim, "a") + live_on(&sim, "d") + live_on(&sim, "e");
    assert_eq!(placed, 10);
}

/// A removed node: the scheduler forgets it at once, PodGC deletes its
/// pods at the first run 40 s after it noticed, and the Deployment puts
/// them elsewhere.
#[test]
fn removed_node_pods_are_collected() {
    let tl = vec![at(25, Action::RemoveNode { node: "a".into() })];
    let (sim, ev) = run(three_nodes(), web(3, vec![]), tl, 300);
    assert_eq!(first(&ev, "RemovingNode", "node/a"), Some(secs(25)));
    let s = sim.store();
    let a = s.node(NodeId(0));
    assert!(a.is_deleted());
    assert_eq!(s.node_id("a"), None);
    let orphans: Vec<_> = s
        .pods()
        .filter(|(_, p)| p.node() == Some(NodeId(0)))
        .map(|(_, p)| (p.phase(), p.pod().status.reason.clone(), p.times().finished))
        .collect();
    // First seen by the run at 40 s, deleted by the run at 80 s.
    assert_eq!(
        orphans,
        [(
            PodPhase::Failed,
            "DeletionByPodGC".to_string(),
            Some(secs(80))
        )]
    );
    assert_eq!(live_on(&sim, "b") + live_on(&sim, "c"), 3);
}
