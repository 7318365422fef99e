//! End-to-end tests of the Deployment and ReplicaSet controllers through
//! the engine: rolling updates within maxSurge / maxUnavailable (a
//! property test), rollback reusing the old ReplicaSet, Recreate waiting
//! for old pods to be gone, proportional scaling mid-rollout,
//! minReadySeconds at the exact instant, the progress deadline,
//! revisionHistoryLimit and syncDelay.

use kubesim_core::{
    Container, Deployment, DeploymentStrategy, Health, ImageBehavior, IntOrPercent, KubeEvent,
    LabelSelector, MilliCpu, Node, ObjectMeta, ObjectRef, PodSpec, PodTemplate, Probe,
    ResourceList, ResourceRequirements, RunLimits, SimTime,
};
use kubesim_scheduler::controllers::deployment::util::REVISION_ANNOTATION;
use kubesim_scheduler::{
    Action, EventRecord, MetricObject, MetricRecord, MetricsConfig, RecordSink, Simulation,
    SimulationConfig, SimulationInput, TimelineEntry,
};
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::convert::Infallible;

fn secs(s: u64) -> SimTime {
    SimTime::from_secs(s)
}

fn node(name: &str) -> Node {
    Node::new(
        ObjectMeta::named(name),
        ResourceList {
            milli_cpu: 64_000,
            memory: 256 << 30,
            pods: 110,
            scalar: Vec::new(),
        },
        ResourceList::default(),
    )
}

/// A Deployment `web` of `replicas` running `image`, with a readiness
/// probe every second.
fn web(replicas: i32, image: &str, strategy: DeploymentStrategy) -> Deployment {
    let mut labels = BTreeMap::new();
    labels.insert("app".to_string(), "web".to_string());
    let spec = PodSpec {
        containers: vec![Container {
            name: "app".into(),
            image: image.into(),
            resources: ResourceRequirements {
                cpu_request_m: Some(MilliCpu(100)),
                ..Default::default()
            },
            readiness_probe: Some(Probe {
                period_s: 1,
                ..Default::default()
            }),
            ..Default::default()
        }],
        ..Default::default()
    };
    let mut d = Deployment::new(
        ObjectMeta::named("web"),
        replicas,
        LabelSelector::from_labels(labels.clone()),
        PodTemplate {
            labels,
            annotations: BTreeMap::new(),
            spec,
        },
    );
    d.strategy = strategy;
    d
}

fn rolling(surge: IntOrPercent, unavailable: IntOrPercent) -> DeploymentStrategy {
    DeploymentStrategy::RollingUpdate {
        max_surge: surge,
        max_unavailable: unavailable,
    }
}

fn image(startup_s: u64, shutdown_s: u64) -> ImageBehavior {
    ImageBehavior {
        startup: secs(startup_s),
        shutdown: secs(shutdown_s),
        ..Default::default()
    }
}

fn at(t: u64, action: Action) -> TimelineEntry {
    TimelineEntry {
        at: secs(t),
        action,
    }
}

fn set_image(image: &str) -> Action {
    Action::SetImage {
        namespace: "default".into(),
        deployment: "web".into(),
        container: None,
        image: image.into(),
    }
}

fn input(d: Deployment, timeline: Vec<TimelineEntry>, duration: u64) -> SimulationInput {
    SimulationInput {
        argo: Default::default(),
        config: SimulationConfig {
            scenario: "deployments".into(),
            seed: 7,
            duration: secs(duration),
            sample_interval: secs(1),
            limits: RunLimits::default(),
            metrics: MetricsConfig {
                cluster: false,
                nodes: false,
                containers: false,
                container_every: 1,
                deployments: true,
            },
            kubelet: Default::default(),
            profile: Default::default(),
            controller_manager: Default::default(),
            check_invariants: true,
            clock_origin_unix_s: 0,
        },
        nodes: vec![node("n1"), node("n2")],
        images: vec![
            ("web:1".into(), image(5, 2)),
            ("web:2".into(), image(5, 2)),
            (
                "broken:1".into(),
                ImageBehavior {
                    health: Health {
                        never: true,
                        ..Default::default()
                    },
                    ..image(1, 0)
                },
            ),
        ],
        pods: Vec::new(),
        deployments: vec![d],
        jobs: Vec::new(),
        cron_jobs: Vec::new(),
        services: Vec::new(),
        traffic: Vec::new(),
        timeline,
    }
}

/// Keeps events and deployment metrics.
#[derive(Debug, Default)]
struct Collect {
    events: Vec<KubeEvent>,
    /// (time, object, metric) → value.
    metrics: BTreeMap<(SimTime, String, &'static str), f64>,
}

impl RecordSink for Collect {
    type Error = Infallible;
    fn event(&mut self, r: &EventRecord<'_>) -> Result<(), Infallible> {
        self.events.push(r.event.clone());
        Ok(())
    }
    fn metric(&mut self, r: &MetricRecord<'_>) -> Result<(), Infallible> {
        if let MetricObject::Deployment(_) | MetricObject::Revision { .. } = r.object {
            self.metrics
                .insert((r.time, r.object.to_string(), r.metric), r.value);
        }
        Ok(())
    }
}

fn run(input: SimulationInput) -> (Simulation, Collect) {
    let mut sim = Simulation::new(input).expect("builds");
    let mut rec = Collect::default();
    sim.run(&mut rec).expect("runs");
    (sim, rec)
}

fn metric(rec: &Collect, t: u64, object: &str, m: &str) -> Option<f64> {
    rec.metrics.get(&(secs(t), object.to_string(), m)).copied()
}

fn messages(rec: &Collect, reason: &str) -> Vec<(SimTime, String)> {
    rec.events
        .iter()
        .filter(|e| e.reason == reason)
        .map(|e| (e.time, e.message.clone()))
        .collect()
}

/// The live ReplicaSets of the run, (name, replicas, revision).
fn replica_sets(sim: &Simulation) -> Vec<(String, i32, String)> {
    sim.store()
        .replica_sets()
        .filter(|(_, rs)| rs.metadata.deletion_timestamp.is_none())
        .map(|(_, rs)| {
            (
                rs.metadata.name.clone(),
                rs.replicas,
                rs.metadata
                    .annotations
                    .get(REVISION_ANNOTATION)
                    .cloned()
                    .unwrap_or_default(),
            )
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// During an undisturbed RollingUpdate, sampled every second: pods
    /// never exceed replicas + maxSurge, and available pods never drop
    /// below replicas − maxUnavailable (the rollout starts with all pods
    /// available); the rollout completes.
    #[test]
    fn rolling_update_stays_within_fenceposts(
        replicas in 1i32..16,
        surge_pct in prop::option::of(0i32..=100),
        surge in 0i32..5,
        unavailable_pct in prop::option::of(0i32..=100),
        unavailable in 0i32..5,
        startup in 1u64..20,
    ) {
        let s = surge_pct.map_or(IntOrPercent::Int(surge), IntOrPercent::Percent);
        let u = unavailable_pct.map_or(IntOrPercent::Int(unavailable), IntOrPercent::Percent);
        let value = |v: IntOrPercent| match v { IntOrPercent::Int(n) | IntOrPercent::Percent(n) => n };
        prop_assume!(value(s) != 0 || value(u) != 0);
        let d = web(replicas, "web:1", rolling(s, u));
        let (max_surge, max_unavailable) =
            kubesim_scheduler::controllers::deployment::util::resolve_fenceposts(
                Some(s), Some(u), replicas);
        let max_unavailable = max_unavailable.min(replicas);
        let mut inp = input(d, vec![at(60, set_image("web:2"))], 400);
        inp.images[1].1 = image(startup, 2);
        let (sim, rec) = run(inp);
        let mut checked = 0;
        for t in 60..=400 {
            let Some(pods) = metric(&rec, t, "deployment/web", "replicas") else { continue };
            checked += 1;
            let available = metric(&rec, t, "deployment/web", "available_replicas").unwrap();
            prop_assert!(pods <= f64::from(replicas + max_surge), "t={t}: {pods} pods");
            prop_assert!(
                available >= f64::from(replicas - max_unavailable),
                "t={t}: {available} available"
            );
        }
        prop_assert_eq!(checked, 341);
        let d = sim.store().deployment(sim.store().deployment_id("default", "web").unwrap());
        prop_assert_eq!(d.status.updated_replicas, replicas);
        prop_assert_eq!(d.status.available_replicas, replicas);
        prop_assert_eq!(d.status.replicas, replicas);
    }
}

fn deployment_action(kind: u8, arg: u8) -> Action {
    let (namespace, deployment) = ("default".to_string(), "web".to_string());
    match kind % 5 {
        0 => set_image(["web:1", "web:2", "broken:1"][usize::from(arg % 3)]),
        1 => Action::Scale {
            namespace,
            deployment,
            replicas: i32::from(arg % 12),
        },
        2 => Action::Pause {
            namespace,
            deployment,
        },
        3 => Action::Resume {
            namespace,
            deployment,
        },
        _ => Action::Rollback {
            namespace,
            deployment,
            to_revision: arg.is_multiple_of(2).then_some(i64::from(arg % 5) + 1),
        },
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// Any mix of setImage, scale, pause, resume and rollback, under
    /// either strategy, with or without a sync delay: the run completes
    /// with the state checker on after every event (each pod held by
    /// exactly its ReplicaSet, ReplicaSet counts ordered, no negative
    /// replicas, the deletion order total), and once the timeline is
    /// over and the Deployment is not paused, it settles on
    /// `spec.replicas` pods of its template.
    #[test]
    fn any_timeline_of_deployment_actions_keeps_the_invariants(
        recreate in proptest::bool::ANY,
        replicas in 0i32..8,
        delay_ms in prop::sample::select(vec![0u64, 100, 1500]),
        actions in proptest::collection::vec((0u8..5, 0u8..20, 1u64..8), 0..25),
    ) {
        let strategy = if recreate {
            DeploymentStrategy::Recreate
        } else {
            rolling(IntOrPercent::Percent(25), IntOrPercent::Int(1))
        };
        let mut d = web(replicas, "web:1", strategy);
        d.revision_history_limit = 2;
        d.min_ready_seconds = 1;
        let mut t = 0;
        let mut timeline = Vec::new();
        for &(kind, arg, gap) in &actions {
            t += gap * 5;
            timeline.push(at(t, deployment_action(kind, arg)));
        }
        // End resumed, so the last template rolls out.
        t += 5;
        timeline.push(at(t, Action::Resume {
            namespace: "default".into(),
            deployment: "web".into(),
        }));
        let mut inp = input(d, timeline, t + 600);
        inp.config.controller_manager.sync_delay = SimTime::from_millis(delay_ms);
        let (sim, _) = run(inp);
        let store = sim.store();
        let dep = store.deployment(store.deployment_id("default", "web").unwrap());
        let broken = dep.template.spec.containers[0].image == "broken:1";
        if broken {
            // A stuck rollout holds at most the surge.
            let surge = kubesim_scheduler::controllers::deployment::util::max_surge(dep);
            prop_assert!(dep.status.replicas <= dep.replicas + surge);
        } else {
            prop_assert_eq!(dep.status.replicas, dep.replicas);
            prop_assert_eq!(dep.status.updated_replicas, dep.replicas);
            prop_assert_eq!(dep.status.available_replicas, dep.replicas);
        }
    }
}

/// `kubectl rollout undo`: the first ReplicaSet is found again
/// (`FindNewReplicaSet`) and scaled back up; its revision becomes 3; no
/// third ReplicaSet appears.
#[test]
fn rollback_reuses_the_old_replica_set() {
    let d = web(
        4,
        "web:1",
        rolling(IntOrPercent::Int(1), IntOrPercent::Int(0)),
    );
    let tl = vec![
        at(30, set_image("web:2")),
        at(
            120,
            Action::Rollback {
                namespace: "default".into(),
                deployment: "web".into(),
                to_revision: None,
            },
        ),
    ];
    let (sim, rec) = run(input(d, tl, 300));
    let sets = replica_sets(&sim);
    assert_eq!(sets.len(), 2, "{sets:?}");
    let first = &sets[0];
    assert_eq!((first.1, first.2.as_str()), (4, "3"), "{sets:?}");
    assert_eq!((sets[1].1, sets[1].2.as_str()), (0, "2"), "{sets:?}");
    let dep = sim
        .store()
        .deployment(sim.store().deployment_id("default", "web").unwrap());
    assert_eq!(
        dep.metadata.annotations.get(REVISION_ANNOTATION).unwrap(),
        "3"
    );
    assert_eq!(dep.template.spec.containers[0].image, "web:1");
    // The rollback scales the first ReplicaSet up from 0.
    let ups = messages(&rec, "ScalingReplicaSet");
    assert!(ups
        .iter()
        .any(|(t, m)| *t == secs(120)
            && m == &format!("Scaled up replica set {} from 0 to 1", first.0)));
    // Metrics name revisions by their annotation: rev-3 is the first set.
    assert_eq!(
        metric(&rec, 300, "deployment/web/rev-3", "available_replicas"),
        Some(4.0)
    );
    assert_eq!(
        metric(&rec, 300, "deployment/web/rev-2", "replicas"),
        Some(0.0)
    );
}

/// Recreate: every old ReplicaSet goes to zero at once, and the new one
/// is created only once every old pod has finished (not when it starts
/// terminating).
#[test]
fn recreate_creates_new_pods_after_old_ones_are_gone() {
    let d = web(3, "web:1", DeploymentStrategy::Recreate);
    let mut inp = input(d, vec![at(30, set_image("web:2"))], 120);
    // Old pods take 10 s to stop.
    inp.images[0].1 = image(5, 10);
    let (sim, rec) = run(inp);
    let scaling = messages(&rec, "ScalingReplicaSet");
    let old = &replica_sets(&sim)[0].0;
    let new = &replica_sets(&sim)[1].0;
    assert_eq!(
        scaling[1..],
        [
            (
                secs(30),
                format!("Scaled down replica set {old} from 3 to 0")
            ),
            (secs(40), format!("Scaled up replica set {new} from 0 to 3")),
        ]
    );
    // No pod of the new revision exists before 40 s.
    let first_new = sim
        .store()
        .pods()
        .filter(|(_, p)| p.name().starts_with(new.as_str()))
        .map(|(_, p)| p.times().created)
        .min();
    assert_eq!(first_new, Some(secs(40)));
}

/// Scaling a Deployment mid-rollout spreads the new replicas over both
/// ReplicaSets in proportion (sync.go `scale`).
#[test]
fn scaling_mid_rollout_is_proportional() {
    // maxUnavailable 0 and a slow image keep both ReplicaSets alive.
    let d = web(
        10,
        "web:1",
        rolling(IntOrPercent::Int(3), IntOrPercent::Int(0)),
    );
    let mut inp = input(
        d,
        vec![
            at(30, set_image("web:2")),
            at(
                32,
                Action::Scale {
                    namespace: "default".into(),
                    deployment: "web".into(),
                    replicas: 20,
                },
            ),
        ],
        34,
    );
    inp.images[1].1 = image(100, 2);
    let (sim, rec) = run(inp);
    let sets = replica_sets(&sim);
    // Before: old 10, new 3 (max 13). After: max 23 → old 10·23/13 ≈ 18,
    // new 3·23/13 ≈ 5.
    assert_eq!((sets[0].1, sets[1].1), (18, 5), "{sets:?}");
    let scaling = messages(&rec, "ScalingReplicaSet");
    assert!(scaling.iter().any(|(t, m)| *t == secs(32)
        && m == &format!("Scaled up replica set {} from 10 to 18", sets[0].0)));
    for (_, rs) in sim.store().replica_sets() {
        assert_eq!(
            rs.metadata
                .annotations
                .get("deployment.kubernetes.io/desired-replicas"),
            Some(&"20".to_string())
        );
        assert_eq!(
            rs.metadata
                .annotations
                .get("deployment.kubernetes.io/max-replicas"),
            Some(&"23".to_string())
        );
    }
}

/// minReadySeconds: a Ready pod counts as available exactly that long
/// after it became Ready.
#[test]
fn min_ready_seconds_makes_pods_available_on_time() {
    let mut d = web(
        1,
        "web:1",
        rolling(IntOrPercent::Int(1), IntOrPercent::Int(0)),
    );
    d.min_ready_seconds = 10;
    let (sim, rec) = run(input(d, Vec::new(), 30));
    let ready_at = sim.store().pods().next().unwrap().1.times().ready.unwrap();
    let ready_s = ready_at.0 / 1_000_000_000;
    assert_eq!(ready_at, secs(ready_s), "ready on a whole second");
    let available = |t| metric(&rec, t, "deployment/web", "available_replicas");
    assert_eq!(available(ready_s + 9), Some(0.0));
    assert_eq!(available(ready_s + 10), Some(1.0));
    assert_eq!(
        metric(&rec, ready_s + 9, "deployment/web", "ready_replicas"),
        Some(1.0)
    );
}

/// A rollout to pods that never become Ready times out after
/// progressDeadlineSeconds; the old pods stay (maxUnavailable 0).
#[test]
fn progress_deadline_exceeded() {
    let mut d = web(
        2,
        "web:1",
        rolling(IntOrPercent::Int(1), IntOrPercent::Int(0)),
    );
    d.progress_deadline_seconds = Some(60);
    let set = TimelineEntry {
        at: SimTime::from_millis(30_600),
        action: set_image("broken:1"),
    };
    let (sim, _) = run(input(d, vec![set], 200));
    let dep = sim
        .store()
        .deployment(sim.store().deployment_id("default", "web").unwrap());
    let c = dep.status.progressing.as_ref().expect("condition");
    assert_eq!((c.status, c.reason), ("False", "ProgressDeadlineExceeded"));
    // Last progress: the new pod created at 30.6 s, which the controller
    // reads back as 30 s (`metav1.Time`); `requeueStuckDeployment` syncs
    // again a second after 30 + 60 s, and that sync times out.
    assert_eq!(c.last_update_time, secs(91));
    assert_eq!(dep.status.available_replicas, 2);
    assert_eq!(dep.status.updated_replicas, 1);
    // Still 2 of 2 − maxUnavailable 0 available.
    let a = dep.status.available.as_ref().expect("Available condition");
    assert_eq!((a.status, a.reason), ("True", "MinimumReplicasAvailable"));
}

/// revisionHistoryLimit: old, empty ReplicaSets beyond the limit are
/// deleted once the rollout completes.
#[test]
fn revision_history_limit_deletes_old_replica_sets() {
    let mut d = web(
        2,
        "web:1",
        rolling(IntOrPercent::Int(1), IntOrPercent::Int(0)),
    );
    d.revision_history_limit = 1;
    let tl = vec![
        at(30, set_image("web:2")),
        at(90, set_image("web:1x")),
        at(150, set_image("web:3")),
    ];
    let mut inp = input(d, tl, 240);
    for name in ["web:1x", "web:3"] {
        inp.images.push((name.into(), image(5, 2)));
    }
    let (sim, _) = run(inp);
    let live = replica_sets(&sim);
    let revisions: Vec<&str> = live.iter().map(|s| s.2.as_str()).collect();
    assert_eq!(revisions, ["3", "4"], "{live:?}");
    assert_eq!(sim.store().replica_sets().len(), 4);
}

/// syncDelay: the Deployment controller's first sync (and so the first
/// pods) come that long after the Deployment was created.
#[test]
fn sync_delay_delays_each_sync() {
    let d = web(
        2,
        "web:1",
        rolling(IntOrPercent::Int(1), IntOrPercent::Int(0)),
    );
    let mut inp = input(d, Vec::new(), 30);
    inp.config.controller_manager.sync_delay = SimTime::from_millis(500);
    let (sim, rec) = run(inp);
    let scaling = messages(&rec, "ScalingReplicaSet");
    assert_eq!(scaling[0].0, SimTime::from_millis(500));
    // The ReplicaSet syncs (creates pods) another 500 ms later.
    let created = messages(&rec, "SuccessfulCreate");
    assert_eq!(created[0].0, SimTime::from_secs(1));
    assert!(sim.store().pods().all(|(_, p)| p
        .controller()
        .is_some_and(|o| matches!(o, ObjectRef::ReplicaSet(_)))));
}

/// syncDelay applies to timer-driven syncs too: `requeueStuckDeployment`'s
/// `enqueueAfter` (like the ReplicaSet's `minReadySeconds` requeue) only
/// puts the Deployment on the work queue when its time comes, and a
/// worker picks it up like any other queued key — `syncDelay` later.
#[test]
fn sync_delay_applies_to_the_progress_deadline_requeue() {
    let mut d = web(
        2,
        "web:1",
        rolling(IntOrPercent::Int(1), IntOrPercent::Int(0)),
    );
    d.progress_deadline_seconds = Some(60);
    let set = TimelineEntry {
        at: SimTime::from_millis(30_600),
        action: set_image("broken:1"),
    };
    let mut inp = input(d, vec![set], 200);
    inp.config.controller_manager.sync_delay = SimTime::from_millis(500);
    let (sim, _) = run(inp);
    let dep = sim
        .store()
        .deployment(sim.store().deployment_id("default", "web").unwrap());
    let c = dep.status.progressing.as_ref().expect("condition");
    assert_eq!((c.status, c.reason), ("False", "ProgressDeadlineExceeded"));
    // The Deployment syncs 0.5 s after the change and creates the new
    // ReplicaSet at 31.1 s (`NewReplicaSetCreated`, read back as 31 s);
    // the next sync changes nothing and requeues for 31 + 60 + 1 = 92 s.
    // Its pod (31.6 s) is progress at 32.1 s, whose requeue (93 s) is
    // later than the waiting one and dropped. The 92 s requeue syncs
    // 0.5 s later, when 32 + 60 s has passed: timed out at 92.5 s.
    assert_eq!(c.last_update_time, SimTime::from_millis(92_500));
}
