//! Property tests of nodes failing and coming back, over random clusters
//! (two zones of three to five nodes) and random failures (at most two
//! nodes down at once, so no zone is ever partially or fully disrupted):
//!
//! - no pod stays live (not being deleted) on a node that has been
//!   `NotReady` for longer than the lease grace, the tainting pass, the
//!   zone's rate limit and its 300 s toleration allow;
//! - a Deployment's live pods never exceed its replicas, and it has them
//!   all once the failures are over;
//! - every container that stopped on its own has a reason and an exit
//!   code;
//! - the same input gives the same events.
//!
//! The engine's state checker runs after every event throughout.

use kubesim_core::{
    Container, Deployment, KubeEvent, LabelSelector, MilliCpu, Node, NodeDownMode, ObjectMeta,
    PodSpec, PodTemplate, ResourceList, ResourceRequirements, SimTime,
};
use kubesim_scheduler::{
    Action, EventRecord, MetricRecord, RecordSink, Simulation, SimulationConfig, SimulationInput,
    TimelineEntry,
};
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::convert::Infallible;

const DURATION_S: u64 = 1500;

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

fn node(name: String, zone: &str) -> Node {
    let mut meta = ObjectMeta::named(&name);
    meta.labels
        .insert("topology.kubernetes.io/zone".into(), zone.into());
    let cap = ResourceList {
        milli_cpu: 8000,
        memory: 32 << 30,
        pods: 110,
        scalar: vec![],
    };
    Node::new(meta, cap, ResourceList::default())
}

fn web(replicas: i32) -> Deployment {
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
                        cpu_request_m: Some(MilliCpu(500)),
                        ..Default::default()
                    },
                    ..Default::default()
                }],
                ..Default::default()
            },
        },
    )
}

/// A failure: which node (index), when, how, and for how long (`None`:
/// for good).
type Failure = (usize, u64, bool, Option<u64>);

fn arb_input() -> impl Strategy<Value = (SimulationInput, usize)> {
    (
        3usize..=5,
        3usize..=5,
        1i32..=20,
        proptest::collection::vec(
            (
                0usize..10,
                1u64..900,
                any::<bool>(),
                proptest::option::of(1u64..700),
            ),
            0..=2,
        ),
    )
        .prop_map(|(z1, z2, replicas, failures)| build(z1, z2, replicas, failures))
}

fn build(z1: usize, z2: usize, replicas: i32, failures: Vec<Failure>) -> (SimulationInput, usize) {
    let mut nodes: Vec<Node> = (0..z1).map(|i| node(format!("a{i}"), "z1")).collect();
    nodes.extend((0..z2).map(|i| node(format!("b{i}"), "z2")));
    let mut timeline = Vec::new();
    let mut used = Vec::new();
    for (n, at, crash, back) in failures {
        let n = n % nodes.len();
        if used.contains(&n) {
            continue;
        }
        used.push(n);
        let name = nodes[n].name().to_string();
        let mode = if crash {
            NodeDownMode::Crash
        } else {
            NodeDownMode::Partition
        };
        timeline.push(TimelineEntry {
            at: SimTime::from_secs(at),
            action: Action::NodeDown {
                node: name.clone(),
                mode,
            },
        });
        if let Some(d) = back {
            timeline.push(TimelineEntry {
                at: SimTime::from_secs(at + d),
                action: Action::NodeUp { node: name },
            });
        }
    }
    let input = SimulationInput {
        argo: Default::default(),
        config: SimulationConfig {
            scenario: "node-properties".into(),
            seed: 3,
            duration: SimTime::from_secs(DURATION_S),
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
        deployments: vec![web(replicas)],
        jobs: Vec::new(),
        cron_jobs: Vec::new(),
        services: Vec::new(),
        traffic: Vec::new(),
        timeline,
    };
    (input, used.len())
}

fn run(input: SimulationInput) -> (Simulation, Vec<KubeEvent>) {
    let mut sim = Simulation::new(input).expect("within limits");
    let mut ev = Events::default();
    sim.run(&mut ev).expect("runs");
    (sim, ev.0)
}

fn proptest_config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(proptest_config(48))]

    #[test]
    fn node_failures((input, down) in arb_input()) {
        let replicas = input.deployments[0].replicas as usize;
        let (sim, ev) = run(input.clone());
        let s = sim.store();
        let end = SimTime::from_secs(DURATION_S);
        // Unknown at a pass, queued at the next (+5 s), tainted within the
        // rate limit (10 s per node ahead of it), deleted 300 s later.
        let allowance = SimTime::from_secs(5 + 10 * down as u64 + 300);
        for e in ev.iter().filter(|e| e.reason == "NodeNotReady" && e.object.starts_with("node/")) {
            let name = &e.object["node/".len()..];
            let deadline = e.time + allowance;
            let back_before = input.timeline.iter().any(|t| {
                matches!(&t.action, Action::NodeUp { node } if node == name)
                    && t.at > e.time
                    && t.at <= deadline
            });
            if back_before || deadline >= end {
                continue;
            }
            // The same run, stopped at the deadline.
            let mut cut = input.clone();
            cut.config.duration = deadline;
            let (cut_sim, _) = run(cut);
            let cs = cut_sim.store();
            let nid = cs.node_id(name).unwrap();
            let live = cs.pods_on_node(nid).iter().filter(|&&p| !cs.pod(p).is_deleting()).count();
            prop_assert_eq!(live, 0, "node {} NotReady since {}", name, e.time);
        }
        // Live pods never exceed replicas at the end, and all are there.
        let live: usize = s.pods().filter(|(_, p)| !p.is_finished() && !p.is_deleting()).count();
        prop_assert_eq!(live, replicas);
        // Every container that ended on its own says how.
        for (_, p) in s.pods() {
            for c in &p.pod().status.container_statuses {
                if let Some(t) = c.last_termination {
                    prop_assert!(!t.reason.is_empty());
                    prop_assert!(t.exit_code >= 0);
                }
            }
        }
        // Deterministic.
        let (_, again) = run(input);
        prop_assert_eq!(ev, again);
    }
}
