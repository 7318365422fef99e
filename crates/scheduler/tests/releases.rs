//! `rollouts.csv` through the engine: one row per release of a
//! Deployment — its outcome (completed, rolled-back — also after it
//! completed —, stuck, in-progress, superseded), the capacity it cost
//! (peak pods, extra pod-seconds, checked against the pods' own
//! lifetimes), the availability it gave up, and the request columns over
//! its whole reign (until the next release) through a stub
//! [`TrafficQuery`]; and the releases of Argo Rollouts (canary completed
//! or aborted by its analysis, blue-green's doubled footprint).

use kubesim_core::{
    AnalysisMetricSpec, AnalysisTemplate, BlueGreenStrategy, CanaryStepSpec, CanaryStrategy,
    Container, Deployment, DeploymentStrategy, Health, ImageBehavior, IntOrPercent, KubesimMetric,
    KubesimProvider, LabelSelector, MilliCpu, Node, ObjectMeta, PodSpec, PodTemplate, Probe,
    ReplicaSetId, ResourceList, ResourceRequirements, RevisionSelector, Rollout, RolloutAnalysis,
    RolloutStrategy, RunLimits, Service, ServiceId, SimTime,
};
use kubesim_scheduler::traffic::{Totals, TrafficQuery};
use kubesim_scheduler::{
    Action, ArgoInput, MetricsConfig, NullSink, ReleaseConfig, ReleaseOutcome, ReleaseRecord,
    RolloutAct, Simulation, SimulationConfig, SimulationInput, Slo, TimelineEntry,
};
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::sync::Mutex;

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

fn labels() -> BTreeMap<String, String> {
    [("app".to_string(), "web".to_string())].into()
}

/// A Deployment `web` of `replicas` running `image`, with a readiness
/// probe every second.
fn web(replicas: i32, image: &str, strategy: DeploymentStrategy) -> Deployment {
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
        LabelSelector::from_labels(labels()),
        PodTemplate {
            labels: labels(),
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

fn rollback() -> Action {
    Action::Rollback {
        namespace: "default".into(),
        deployment: "web".into(),
        to_revision: None,
    }
}

fn input(d: Deployment, timeline: Vec<TimelineEntry>, duration: u64) -> SimulationInput {
    SimulationInput {
        config: SimulationConfig {
            scenario: "releases".into(),
            seed: 7,
            duration: secs(duration),
            sample_interval: secs(1),
            limits: RunLimits::default(),
            metrics: MetricsConfig {
                cluster: false,
                nodes: false,
                containers: false,
                container_every: 1,
                deployments: false,
            },
            kubelet: Default::default(),
            profile: Default::default(),
            controller_manager: Default::default(),
            check_invariants: true,
            clock_origin_unix_s: 0,
        },
        nodes: vec![node("n1"), node("n2")],
        argo: Default::default(),
        traffic: Vec::new(),
        images: vec![
            ("web:1".into(), image(5, 0)),
            ("web:2".into(), image(5, 0)),
            ("web:3".into(), image(5, 0)),
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
        services: vec![Service {
            metadata: ObjectMeta::named("web"),
            selector: Some(labels()),
        }],
        timeline,
    }
}

fn run(input: SimulationInput) -> (Simulation, Vec<ReleaseRecord>) {
    let mut sim = Simulation::new(input).expect("builds");
    sim.run(&mut NullSink).expect("runs");
    let rows = sim.release_records();
    (sim, rows)
}

/// ∫ max(0, pods(t) − replicas) dt over [from, to] and the most pods
/// alive for a positive time, computed from the pods' own lifetimes
/// (created … finished), independently of the tracker.
fn from_pod_lifetimes(sim: &Simulation, replicas: i64, from: SimTime, to: SimTime) -> (f64, i64) {
    let mut edges: Vec<(SimTime, i64)> = Vec::new();
    for (_, p) in sim.store().pods() {
        let t = p.times();
        edges.push((t.created, 1));
        edges.push((t.finished.unwrap_or(SimTime::MAX), -1));
    }
    edges.sort();
    let (mut pods, mut last, mut extra_ns, mut peak) = (0i64, SimTime::ZERO, 0u128, 0i64);
    for (t, d) in edges {
        let (a, b) = (last.max(from), t.min(to));
        if b > a {
            extra_ns += (pods - replicas).max(0) as u128 * u128::from((b - a).as_nanos());
            peak = peak.max(pods);
        }
        pods += d;
        last = t;
    }
    (extra_ns as f64 / 1e9, peak)
}

/// 8 replicas, maxSurge 25% (2), maxUnavailable 0: never more than 10
/// pods, never fewer than 8 available; the extra capacity is what the
/// pods' lifetimes say.
#[test]
fn rolling_update_costs_its_surge() {
    let d = web(
        8,
        "web:1",
        rolling(IntOrPercent::Percent(25), IntOrPercent::Int(0)),
    );
    let (sim, rows) = run(input(d, vec![at(30, set_image("web:2"))], 200));
    assert_eq!(rows.len(), 1, "{rows:?}");
    let r = &rows[0];
    assert_eq!(r.object, "deployment/web");
    assert_eq!((r.from_revision, r.to_revision), (Some(1), Some(2)));
    assert_eq!(r.strategy, "RollingUpdate");
    assert_eq!(r.outcome, ReleaseOutcome::Completed);
    assert_eq!(r.started, secs(30));
    let finished = r.finished.expect("finished");
    assert!(finished > secs(30) && finished < secs(100), "{finished}");
    assert_eq!(r.peak_pods, 10);
    assert_eq!(r.min_available, 8);
    assert_eq!(r.below_desired, SimTime::ZERO);
    let (extra, peak) = from_pod_lifetimes(&sim, 8, secs(30), finished);
    assert_eq!(peak, 10);
    assert!(
        (r.extra_pod_seconds - extra).abs() < 1e-9,
        "{} vs {extra}",
        r.extra_pod_seconds
    );
    // Four waves of two surge pods, each living about startup (5 s) plus
    // the probe's first success (≤ 1 s) before its old pods go.
    assert!(
        r.extra_pod_seconds >= 4.0 * 2.0 * 5.0 && r.extra_pod_seconds <= 4.0 * 2.0 * 7.0,
        "{}",
        r.extra_pod_seconds
    );
    assert_eq!(r.time_to_detect, None);
    assert_eq!(r.slo_violation, None);
}

/// Recreate: never more pods than replicas, and a gap with fewer
/// available than desired.
#[test]
fn recreate_gives_up_availability() {
    let d = web(4, "web:1", DeploymentStrategy::Recreate);
    let (sim, rows) = run(input(d, vec![at(30, set_image("web:2"))], 200));
    assert_eq!(rows.len(), 1, "{rows:?}");
    let r = &rows[0];
    assert_eq!(r.strategy, "Recreate");
    assert_eq!(r.outcome, ReleaseOutcome::Completed);
    assert_eq!(r.peak_pods, 4);
    assert_eq!(r.extra_pod_seconds, 0.0);
    assert_eq!(r.min_available, 0);
    // Old pods stop at once (no shutdown time); the new ones start for 5 s
    // and turn Ready within a probe period.
    assert!(
        r.below_desired >= secs(5) && r.below_desired <= secs(7),
        "{}",
        r.below_desired
    );
    let (extra, peak) = from_pod_lifetimes(&sim, 4, secs(30), r.finished.unwrap());
    assert_eq!((extra, peak), (0.0, 4));
}

/// A rollback while the bad release rolls: the bad one is `rolled-back`
/// and detected after 30 s; the rollback is its own release, completed,
/// from revision 2 to revision 3 (the old ReplicaSet, renumbered).
#[test]
fn rollback_mid_release_is_detected() {
    let mut d = web(
        4,
        "web:1",
        rolling(IntOrPercent::Int(1), IntOrPercent::Int(0)),
    );
    d.progress_deadline_seconds = Some(600);
    let tl = vec![at(30, set_image("broken:1")), at(60, rollback())];
    let (_, rows) = run(input(d, tl, 300));
    assert_eq!(rows.len(), 2, "{rows:?}");
    let (bad, back) = (&rows[0], &rows[1]);
    assert_eq!(bad.outcome, ReleaseOutcome::RolledBack);
    assert_eq!((bad.from_revision, bad.to_revision), (Some(1), Some(2)));
    assert_eq!((bad.started, bad.finished), (secs(30), Some(secs(60))));
    assert_eq!(bad.time_to_detect, Some(secs(30)));
    assert_eq!(bad.time_to_recover, None, "no SLO, no recovery");
    assert_eq!(bad.peak_pods, 5);
    assert_eq!(bad.min_available, 4);
    assert_eq!(back.outcome, ReleaseOutcome::Completed);
    assert_eq!((back.from_revision, back.to_revision), (Some(2), Some(3)));
    assert_eq!(back.started, secs(60));
    assert_eq!(back.time_to_detect, None);
}

/// New pods never become ready: past progressDeadlineSeconds the release
/// is `stuck`, finished at the deadline.
#[test]
fn a_release_past_its_deadline_is_stuck() {
    let mut d = web(
        2,
        "web:1",
        rolling(IntOrPercent::Int(1), IntOrPercent::Int(0)),
    );
    d.progress_deadline_seconds = Some(60);
    let (_, rows) = run(input(d, vec![at(30, set_image("broken:1"))], 200));
    assert_eq!(rows.len(), 1, "{rows:?}");
    let r = &rows[0];
    assert_eq!(r.outcome, ReleaseOutcome::Stuck);
    let f = r.finished.expect("finished at the deadline");
    // LastUpdateTime at whole seconds (30 s) + 60 s, re-checked one
    // second later (requeueStuckDeployment).
    assert_eq!(f, secs(91), "{f}");
    assert_eq!(r.peak_pods, 3);
    assert_eq!(r.min_available, 2);
    // One surge pod from 30 s to the deadline.
    let extra = (f - secs(30)).as_secs_f64();
    assert!(
        (r.extra_pod_seconds - extra).abs() < 1e-9,
        "{}",
        r.extra_pod_seconds
    );
    assert_eq!(r.to_revision, Some(2));
}

/// The run ends while the release rolls: `in-progress`, no finished_s,
/// the window up to the end.
#[test]
fn run_ending_mid_release_is_in_progress() {
    let d = web(
        8,
        "web:1",
        rolling(IntOrPercent::Percent(25), IntOrPercent::Int(0)),
    );
    let (_, rows) = run(input(d, vec![at(30, set_image("web:2"))], 33));
    assert_eq!(rows.len(), 1, "{rows:?}");
    let r = &rows[0];
    assert_eq!(r.outcome, ReleaseOutcome::InProgress);
    assert_eq!(r.finished, None);
    assert_eq!(r.peak_pods, 10);
    assert!(
        (r.extra_pod_seconds - 6.0).abs() < 1e-9,
        "{}",
        r.extra_pod_seconds
    );
}

/// A newer forward change while a release rolls: the first stays
/// `in-progress`, closed at the change; the second completes.
#[test]
fn a_superseded_release_is_closed_in_progress() {
    let d = web(
        4,
        "web:1",
        rolling(IntOrPercent::Int(1), IntOrPercent::Int(0)),
    );
    let tl = vec![at(30, set_image("web:2")), at(32, set_image("web:3"))];
    let (_, rows) = run(input(d, tl, 200));
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0].outcome, ReleaseOutcome::InProgress);
    assert_eq!(rows[0].finished, Some(secs(32)));
    assert_eq!(rows[0].time_to_detect, None);
    assert_eq!(rows[1].outcome, ReleaseOutcome::Completed);
    assert_eq!(
        (rows[1].from_revision, rows[1].to_revision),
        (Some(2), Some(3))
    );
}

/// Without a template change there is no release; scaling is not one.
#[test]
fn creation_and_scaling_are_not_releases() {
    let d = web(
        2,
        "web:1",
        rolling(IntOrPercent::Int(1), IntOrPercent::Int(0)),
    );
    let scale = Action::Scale {
        namespace: "default".into(),
        deployment: "web".into(),
        replicas: 5,
    };
    let (_, rows) = run(input(d, vec![at(30, scale)], 100));
    assert!(rows.is_empty(), "{rows:?}");
}

/// A stub: every query of a key returns 10 more requests and 1 more
/// error than the previous one (and, after `good_after` queries of a
/// Service, no more errors). Deterministic: the engine queries in a fixed
/// order.
#[derive(Default)]
struct Counting {
    calls: Mutex<BTreeMap<(ServiceId, Option<ReplicaSetId>), u64>>,
    good_after: Option<u64>,
}

impl TrafficQuery for Counting {
    fn totals(&self, service: ServiceId, rs: Option<ReplicaSetId>) -> Totals {
        let mut calls = self.calls.lock().unwrap();
        let n = calls.entry((service, rs)).or_default();
        *n += 1;
        let bad = self.good_after.map_or(*n, |g| (*n).min(g));
        let mut t = Totals {
            requests: 10.0 * *n as f64,
            errors: bad as f64,
            ..Default::default()
        };
        t.add_answered(9.0 * *n as f64, 0.01);
        t
    }
}

/// The request columns are differences of cumulative totals between the
/// release's start and its end, over the Services that select it, and
/// for its new ReplicaSet.
#[test]
fn request_columns_come_from_the_traffic() {
    let d = web(
        2,
        "web:1",
        rolling(IntOrPercent::Int(1), IntOrPercent::Int(0)),
    );
    let mut sim = Simulation::new(input(d, vec![at(30, set_image("web:2"))], 200)).unwrap();
    sim.set_traffic_query(Box::new(Counting::default()));
    sim.run(&mut NullSink).unwrap();
    let rows = sim.release_records();
    let r = &rows[0];
    assert_eq!(r.outcome, ReleaseOutcome::Completed);
    // Service: queried at the start and at the end (no SLO: no samples).
    assert_eq!((r.requests_total, r.requests_failed), (10.0, 1.0));
    // The new ReplicaSet did not exist at the start: its totals count
    // from zero.
    assert_eq!((r.requests_served_by_new, r.errors_from_new), (10.0, 1.0));
    assert_eq!(r.slo_violation, None);
}

/// With an SLO: every sample interval of the release misses it (10 %
/// errors > 1 %), so the whole release is in violation; after the
/// rollback the errors stop and the service recovers.
#[test]
fn slo_violation_and_recovery() {
    let mut d = web(
        2,
        "web:1",
        rolling(IntOrPercent::Int(1), IntOrPercent::Int(0)),
    );
    d.progress_deadline_seconds = Some(600);
    let tl = vec![at(30, set_image("broken:1")), at(60, rollback())];
    let mut sim = Simulation::new(input(d, tl, 200)).unwrap();
    sim.set_traffic_query(Box::new(Counting {
        good_after: Some(70),
        ..Default::default()
    }));
    sim.set_release_config(ReleaseConfig {
        slos: vec![(
            ServiceId(0),
            Slo {
                latency_p99_s: Some(1.0),
                error_rate: Some(0.01),
            },
        )],
    });
    sim.run(&mut NullSink).unwrap();
    let rows = sim.release_records();
    assert_eq!(rows.len(), 2, "{rows:?}");
    let bad = &rows[0];
    assert_eq!(bad.outcome, ReleaseOutcome::RolledBack);
    assert_eq!(bad.slo_violation, Some(secs(30)));
    assert_eq!(bad.time_to_detect, Some(secs(30)));
    // Queries of the service: one per sample (1 s) plus one at each
    // release's start and end; after the 70th there are no new errors —
    // about 64 s into the run, so the first whole good interval after
    // the rollback at 60 s ends a few seconds later.
    let recover = bad.time_to_recover.expect("recovers");
    assert!(recover > SimTime::ZERO && recover <= secs(10), "{recover}");
    // The old ReplicaSet kept all its pods (maxUnavailable 0): the
    // rollback completes at once. It reigns from 60 s to the run's end,
    // so the intervals the Service still missed after the rollback (the
    // stub's errors last to its 70th query, at 67 s) are its own — the
    // same intervals that delay the bad release's recovery.
    let back = &rows[1];
    assert_eq!(back.outcome, ReleaseOutcome::Completed);
    assert_eq!(back.finished, Some(secs(60)));
    assert_eq!(back.slo_violation, Some(secs(7)));
    assert!(back.slo_violation < Some(recover), "{recover}");
    assert_eq!(back.time_to_recover, None);
}

fn action(kind: u8, arg: u8) -> Action {
    match kind % 3 {
        0 => set_image(["web:1", "web:2", "web:3", "broken:1"][usize::from(arg % 4)]),
        1 => Action::Scale {
            namespace: "default".into(),
            deployment: "web".into(),
            replicas: i32::from(arg % 9),
        },
        _ => rollback(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Any timeline of setImage / scale / rollback: every row is
    /// well-formed.
    #[test]
    fn every_release_row_is_well_formed(
        replicas in 1i32..8,
        recreate in any::<bool>(),
        steps in prop::collection::vec((0u64..120, any::<u8>(), any::<u8>()), 1..8),
        deadline in prop::option::of(10i32..120),
    ) {
        let strategy = if recreate {
            DeploymentStrategy::Recreate
        } else {
            rolling(IntOrPercent::Percent(25), IntOrPercent::Percent(25))
        };
        let mut d = web(replicas, "web:1", strategy);
        d.progress_deadline_seconds = deadline;
        let tl = steps.iter().map(|&(t, k, a)| at(t, action(k, a))).collect();
        let (_, rows) = run(input(d, tl, 200));
        let most = i64::from(replicas.max(8));
        for r in &rows {
            if let Some(f) = r.finished {
                prop_assert!(r.started <= f, "{r:?}");
            } else {
                prop_assert!(r.outcome == ReleaseOutcome::InProgress, "{r:?}");
            }
            prop_assert!(matches!(
                r.outcome,
                ReleaseOutcome::Completed | ReleaseOutcome::RolledBack
                    | ReleaseOutcome::Stuck | ReleaseOutcome::InProgress
            ), "{r:?}");
            prop_assert!(r.min_available <= most, "{r:?}");
            prop_assert!(r.peak_pods >= r.min_available, "{r:?}");
            prop_assert!(r.extra_pod_seconds >= 0.0, "{r:?}");
            prop_assert_eq!(
                r.time_to_detect.is_some(),
                r.outcome == ReleaseOutcome::RolledBack,
                "{:?}", r
            );
            // Detected at the rollback: when it ended mid-way, or after
            // it completed.
            if let (Some(d), Some(f)) = (r.time_to_detect, r.finished) {
                prop_assert!(r.started + d >= f, "{r:?}");
            }
        }
        for w in rows.windows(2) {
            prop_assert!(w[0].started <= w[1].started);
        }
    }
}

/// A rollback after the release completed is a release of its own that
/// rolls the old ReplicaSet back up (the Progressing condition still says
/// `NewReplicaSetAvailable` from before, as upstream keeps it; the
/// release completes only when the rollback has).
#[test]
fn a_rollback_after_completion_rolls_for_real() {
    let d = web(
        4,
        "web:1",
        rolling(IntOrPercent::Int(1), IntOrPercent::Int(0)),
    );
    let tl = vec![at(30, set_image("web:2")), at(100, rollback())];
    let (_, rows) = run(input(d, tl, 300));
    assert_eq!(rows.len(), 2, "{rows:?}");
    // The release completed, then was rolled back: it turned out bad,
    // detected at the rollback; `finished_s` stays its completion.
    assert_eq!(rows[0].outcome, ReleaseOutcome::RolledBack);
    assert!(rows[0].finished.unwrap() < secs(100));
    assert_eq!(rows[0].time_to_detect, Some(secs(70)));
    let back = &rows[1];
    assert_eq!(back.outcome, ReleaseOutcome::Completed);
    assert_eq!((back.from_revision, back.to_revision), (Some(2), Some(3)));
    // Four waves of one surge pod, each about startup (5 s) long.
    let took = back.finished.unwrap() - secs(100);
    assert!(took >= secs(20) && took <= secs(28), "{took}");
    assert_eq!(back.peak_pods, 5);
    assert!(back.extra_pod_seconds >= 20.0, "{}", back.extra_pod_seconds);
}

/// Requests are summed over the Services that select the template's
/// labels in its namespace — not a Service selecting other pods, nor one
/// in another namespace.
#[test]
fn requests_count_the_services_that_select_the_workload() {
    let d = web(
        2,
        "web:1",
        rolling(IntOrPercent::Int(1), IntOrPercent::Int(0)),
    );
    let mut inp = input(d, vec![at(30, set_image("web:2"))], 200);
    let svc = |name: &str, ns: &str, app: &str| {
        let mut metadata = ObjectMeta::named(name);
        metadata.namespace = ns.into();
        Service {
            metadata,
            selector: Some([("app".to_string(), app.to_string())].into()),
        }
    };
    inp.services.push(svc("web-internal", "default", "web"));
    inp.services.push(svc("other", "default", "other"));
    inp.services.push(svc("web", "staging", "web"));
    let mut sim = Simulation::new(inp).unwrap();
    sim.set_traffic_query(Box::new(Counting::default()));
    sim.run(&mut NullSink).unwrap();
    let r = &sim.release_records()[0];
    // Two Services, 10 requests and 1 error each between the start and the
    // end (see `Counting`).
    assert_eq!((r.requests_total, r.requests_failed), (20.0, 2.0));
    assert_eq!((r.requests_served_by_new, r.errors_from_new), (20.0, 2.0));
}

fn with_slo(sim: &mut Simulation) {
    sim.set_release_config(ReleaseConfig {
        slos: vec![(
            ServiceId(0),
            Slo {
                latency_p99_s: Some(1.0),
                error_rate: Some(0.01),
            },
        )],
    });
}

/// A bad release that completes (at about 37 s) and is rolled back by
/// the operator at 100 s: `rolled-back`, detected 70 s after its start,
/// and its request columns and SLO time run through the rollback — not
/// only to its completion. With an SLO the Service is queried once per
/// 1 s sample, so the stub's totals grow by 10 requests and 1 error per
/// second: about 70 s of them.
#[test]
fn a_completed_release_rolled_back_later_answers_until_the_rollback() {
    let d = web(
        2,
        "web:1",
        rolling(IntOrPercent::Int(1), IntOrPercent::Int(0)),
    );
    let tl = vec![at(30, set_image("web:2")), at(100, rollback())];
    let mut sim = Simulation::new(input(d, tl, 200)).unwrap();
    sim.set_traffic_query(Box::new(Counting {
        good_after: Some(105),
        ..Default::default()
    }));
    with_slo(&mut sim);
    sim.run(&mut NullSink).unwrap();
    let rows = sim.release_records();
    assert_eq!(rows.len(), 2, "{rows:?}");
    let bad = &rows[0];
    assert_eq!(bad.outcome, ReleaseOutcome::RolledBack);
    let finished = bad.finished.expect("completed");
    assert!(finished > secs(30) && finished < secs(45), "{finished}");
    assert_eq!(bad.time_to_detect, Some(secs(70)));
    // Pod counts cover the rollout only: one surge pod while it rolled.
    assert_eq!(bad.peak_pods, 3);
    assert!(bad.extra_pod_seconds <= (finished - secs(30)).as_secs_f64());
    // 70 samples between the start and the rollback, ±1 for the order of
    // the sample and the timeline action at one instant.
    assert!(
        (690.0..=720.0).contains(&bad.requests_total),
        "{}",
        bad.requests_total
    );
    assert!(
        (69.0..=72.0).contains(&bad.requests_failed),
        "{}",
        bad.requests_failed
    );
    // Every interval from the start to the rollback missed the SLO.
    assert_eq!(bad.slo_violation, Some(secs(70)));
    let recover = bad.time_to_recover.expect("recovers");
    assert!(recover > SimTime::ZERO && recover <= secs(10), "{recover}");
    let back = &rows[1];
    assert_eq!(back.started, secs(100));
    assert_eq!(back.outcome, ReleaseOutcome::Completed);
    assert_eq!(back.time_to_detect, None);
}

/// A completed release followed by a forward change stays `completed`;
/// its request columns still run until that change.
#[test]
fn a_completed_release_answers_until_the_next_release() {
    let d = web(
        2,
        "web:1",
        rolling(IntOrPercent::Int(1), IntOrPercent::Int(0)),
    );
    let tl = vec![at(30, set_image("web:2")), at(80, set_image("web:3"))];
    let mut sim = Simulation::new(input(d, tl, 200)).unwrap();
    sim.set_traffic_query(Box::new(Counting::default()));
    with_slo(&mut sim);
    sim.run(&mut NullSink).unwrap();
    let rows = sim.release_records();
    assert_eq!(rows.len(), 2, "{rows:?}");
    let first = &rows[0];
    assert_eq!(first.outcome, ReleaseOutcome::Completed);
    assert!(first.finished.unwrap() < secs(45));
    assert_eq!(first.time_to_detect, None);
    assert!(
        (490.0..=520.0).contains(&first.requests_total),
        "{}",
        first.requests_total
    );
    assert_eq!(first.slo_violation, Some(secs(50)));
    // The last release reigns until the run's end.
    assert_eq!(rows[1].slo_violation, Some(secs(120)));
}

/// An Argo Rollout `web` of `replicas` running web:1 (the Deployment's
/// template), in a run where the Deployment is left out.
fn argo_input(
    strategy: RolloutStrategy,
    replicas: i32,
    templates: Vec<AnalysisTemplate>,
    timeline: Vec<TimelineEntry>,
    duration: u64,
) -> SimulationInput {
    let d = web(replicas, "web:1", DeploymentStrategy::Recreate);
    let r = Rollout::new(
        ObjectMeta::named("web"),
        replicas,
        d.selector.clone(),
        d.template.clone(),
        strategy,
    );
    let mut inp = input(d, timeline, duration);
    inp.deployments.clear();
    inp.services.push(Service {
        metadata: ObjectMeta::named("web-preview"),
        selector: Some(labels()),
    });
    inp.argo = ArgoInput {
        rollouts: vec![r],
        analysis_templates: templates,
    };
    inp
}

fn argo_set_image(t: u64) -> TimelineEntry {
    at(
        t,
        Action::Rollout {
            namespace: "default".into(),
            rollout: "web".into(),
            act: RolloutAct::SetImage {
                container: None,
                image: "web:2".into(),
            },
        },
    )
}

fn canary(steps: Vec<CanaryStepSpec>) -> RolloutStrategy {
    RolloutStrategy::Canary(CanaryStrategy {
        steps,
        ..Default::default()
    })
}

/// A canary of 4 replicas in two steps (50 %, a 10 s pause): `Canary`,
/// revision 1 → 2, completed once Healthy — after the pause, with every
/// replica updated and available and the stable pods gone.
#[test]
fn a_canary_release_completes() {
    let steps = vec![
        CanaryStepSpec::SetWeight(50),
        CanaryStepSpec::Pause {
            duration: Some(secs(10)),
        },
    ];
    let (sim, rows) = run(argo_input(
        canary(steps),
        4,
        vec![],
        vec![argo_set_image(30)],
        200,
    ));
    assert_eq!(rows.len(), 1, "{rows:?}");
    let r = &rows[0];
    assert_eq!(r.object, "rollout/web");
    assert_eq!(r.strategy, "Canary");
    assert_eq!((r.from_revision, r.to_revision), (Some(1), Some(2)));
    assert_eq!(r.outcome, ReleaseOutcome::Completed);
    let f = r.finished.expect("finished");
    // Two canary pods (5 s startup), the 10 s pause, then the rest.
    assert!(f >= secs(30 + 5 + 10 + 5) && f < secs(100), "{f}");
    assert_eq!(r.time_to_detect, None);
    // maxSurge 25 % of 4 (1): Argo's basic canary never runs more than
    // 5 pods, the canary growing as the stable shrinks.
    assert_eq!(r.peak_pods, 5);
    let s = &sim.store().rollouts().next().unwrap().1.status;
    assert_eq!(s.stable_rs, s.current_pod_hash);
}

/// The canary's analysis measures 10 % errors (> 5 %, failureLimit 0):
/// the run fails and the Rollout aborts; the release is `aborted`,
/// finished and detected at the abort (`status.abortedAt`).
#[test]
fn a_canary_aborted_by_its_analysis_is_aborted() {
    let template = AnalysisTemplate {
        metadata: ObjectMeta::named("errors"),
        args: vec![],
        metrics: vec![AnalysisMetricSpec {
            name: "error-rate".into(),
            interval: Some(secs(10)),
            initial_delay: None,
            count: Some(3),
            success_condition: Some("result < 0.05".into()),
            failure_condition: None,
            failure_limit: None,
            inconclusive_limit: None,
            consecutive_error_limit: None,
            provider: KubesimProvider {
                metric: KubesimMetric::ErrorRate,
                service: "web".into(),
                revision: RevisionSelector::All,
            },
        }],
    };
    let steps = vec![
        CanaryStepSpec::SetWeight(50),
        CanaryStepSpec::Analysis(RolloutAnalysis {
            templates: vec!["errors".into()],
            ..Default::default()
        }),
    ];
    let mut sim = Simulation::new(argo_input(
        canary(steps),
        4,
        vec![template],
        vec![argo_set_image(30)],
        200,
    ))
    .unwrap();
    sim.set_traffic_query(Box::new(Counting::default()));
    sim.run(&mut NullSink).unwrap();
    let status = sim.store().rollouts().next().unwrap().1.status.clone();
    assert!(status.abort, "{status:?}");
    let rows = sim.release_records();
    assert_eq!(rows.len(), 1, "{rows:?}");
    let r = &rows[0];
    assert_eq!(r.outcome, ReleaseOutcome::Aborted);
    assert_eq!(r.strategy, "Canary");
    let f = r.finished.expect("finished at the abort");
    assert!(f > secs(30), "{f}");
    assert_eq!(r.time_to_detect, Some(f - secs(30)));
    assert_eq!(status.aborted_at, Some(f));
}

/// Blue-green of 3 replicas: the preview comes up at full size beside
/// the active before the switch — 6 pods at the peak, 2 × replicas;
/// its Services count although the Rollout added the hash to their
/// selectors.
#[test]
fn a_blue_green_release_completes_at_twice_the_size() {
    let bg = BlueGreenStrategy {
        active_service: "web".into(),
        preview_service: Some("web-preview".into()),
        auto_promotion_enabled: true,
        scale_down_delay_seconds: 30,
        ..Default::default()
    };
    let mut sim = Simulation::new(argo_input(
        RolloutStrategy::BlueGreen(bg),
        3,
        vec![],
        vec![argo_set_image(30)],
        200,
    ))
    .unwrap();
    sim.set_traffic_query(Box::new(Counting::default()));
    sim.run(&mut NullSink).unwrap();
    let rows = sim.release_records();
    assert_eq!(rows.len(), 1, "{rows:?}");
    let r = &rows[0];
    assert_eq!(r.object, "rollout/web");
    assert_eq!(r.strategy, "BlueGreen");
    assert_eq!((r.from_revision, r.to_revision), (Some(1), Some(2)));
    assert_eq!(r.outcome, ReleaseOutcome::Completed);
    assert_eq!(r.peak_pods, 6);
    assert_eq!(r.min_available, 3);
    // The old active keeps its pods scaleDownDelaySeconds after the
    // switch: completed only once they are gone.
    let f = r.finished.expect("finished");
    assert!(f >= secs(30 + 5 + 30), "{f}");
    assert!(r.extra_pod_seconds >= 3.0 * 35.0, "{}", r.extra_pod_seconds);
    // The active and preview Services select by
    // `rollouts-pod-template-hash` too: both still count for the
    // release (10 requests each between its start and its end, see
    // `Counting`).
    assert_eq!(r.requests_total, 20.0);
}
