//! End-to-end tests of the Argo Rollouts controller through the engine:
//! canary steps with the replica counts of Argo's approximation, pause
//! and promote, setCanaryScale, the exact split under trafficRouting,
//! abort through a failing analysis (a stub `TrafficQuery`), blue-green's
//! switch order, preview count and scale-down delay, a cluster too small
//! for the preview, and a property: a rollout always ends completed,
//! aborted or paused waiting for `promote`.

use kubesim_core::{
    AnalysisMetricSpec, AnalysisTemplate, BlueGreenStrategy, CanaryStepSpec, CanaryStrategy,
    Container, ImageBehavior, KubeEvent, KubesimMetric, KubesimProvider, LabelSelector, MilliCpu,
    Node, ObjectMeta, PodSpec, PodTemplate, Probe, ReplicaSetId, ResourceList,
    ResourceRequirements, RevisionSelector, Rollout, RolloutAnalysis, RolloutPhase,
    RolloutStrategy, RunLimits, Service, ServiceId, SimTime, TrafficRoutingSpec,
};
use kubesim_scheduler::controllers::rollout::AnalysisRuns;
use kubesim_scheduler::controllers::ControllerTimer;
use kubesim_scheduler::traffic::{Totals, TrafficQuery};
use kubesim_scheduler::{
    Action, ArgoInput, EventRecord, MetricObject, MetricRecord, MetricsConfig, RecordSink,
    RolloutAct, Simulation, SimulationConfig, SimulationInput, TimelineEntry,
};
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::convert::Infallible;

fn secs(s: u64) -> SimTime {
    SimTime::from_secs(s)
}

fn node(name: &str, milli_cpu: i64) -> Node {
    Node::new(
        ObjectMeta::named(name),
        ResourceList {
            milli_cpu,
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

fn rollout(replicas: i32, strategy: RolloutStrategy) -> Rollout {
    let spec = PodSpec {
        containers: vec![Container {
            name: "app".into(),
            image: "web:1".into(),
            resources: ResourceRequirements {
                cpu_request_m: Some(MilliCpu(1000)),
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
    Rollout::new(
        ObjectMeta::named("web"),
        replicas,
        LabelSelector::from_labels(labels()),
        PodTemplate {
            labels: labels(),
            annotations: BTreeMap::new(),
            spec,
        },
        strategy,
    )
}

fn canary(steps: Vec<CanaryStepSpec>) -> CanaryStrategy {
    CanaryStrategy {
        steps,
        ..Default::default()
    }
}

fn service(name: &str) -> Service {
    Service {
        metadata: ObjectMeta::named(name),
        selector: Some(labels()),
    }
}

fn at(t: u64, act: RolloutAct) -> TimelineEntry {
    TimelineEntry {
        at: secs(t),
        action: Action::Rollout {
            namespace: "default".into(),
            rollout: "web".into(),
            act,
        },
    }
}

fn set_image() -> RolloutAct {
    RolloutAct::SetImage {
        container: None,
        image: "web:2".into(),
    }
}

fn input(
    r: Rollout,
    templates: Vec<AnalysisTemplate>,
    services: Vec<Service>,
    timeline: Vec<TimelineEntry>,
    duration: u64,
    cpu_m: i64,
) -> SimulationInput {
    let image = ImageBehavior {
        startup: secs(5),
        shutdown: secs(2),
        ..Default::default()
    };
    SimulationInput {
        argo: ArgoInput {
            rollouts: vec![r],
            analysis_templates: templates,
        },
        config: SimulationConfig {
            scenario: "rollouts".into(),
            seed: 11,
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
        nodes: vec![node("n1", cpu_m)],
        traffic: Vec::new(),
        images: vec![("web:1".into(), image.clone()), ("web:2".into(), image)],
        pods: Vec::new(),
        deployments: Vec::new(),
        jobs: Vec::new(),
        cron_jobs: Vec::new(),
        services,
        timeline,
    }
}

#[derive(Debug, Default)]
struct Collect {
    events: Vec<KubeEvent>,
    metrics: BTreeMap<(SimTime, String, &'static str), f64>,
}

impl RecordSink for Collect {
    type Error = Infallible;
    fn event(&mut self, r: &EventRecord<'_>) -> Result<(), Infallible> {
        self.events.push(r.event.clone());
        Ok(())
    }
    fn metric(&mut self, r: &MetricRecord<'_>) -> Result<(), Infallible> {
        if let MetricObject::Rollout(_) | MetricObject::RolloutRevision { .. } = r.object {
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

fn metric(rec: &Collect, t: u64, object: &str, m: &str) -> f64 {
    rec.metrics
        .get(&(secs(t), object.to_string(), m))
        .copied()
        .unwrap_or(-1.0)
}

fn events(rec: &Collect, reason: &str) -> Vec<(u64, String)> {
    rec.events
        .iter()
        .filter(|e| e.reason == reason)
        .map(|e| (e.time.as_nanos() / 1_000_000_000, e.message.clone()))
        .collect()
}

fn status(sim: &Simulation) -> kubesim_core::RolloutStatus {
    let s = sim.store();
    s.rollout(s.rollout_id("default", "web").unwrap())
        .status
        .clone()
}

/// Canary without traffic routing, 4 replicas (maxSurge 25 % = 1),
/// setWeight 10/25/50 with pauses: Argo's approximation
/// (`approximateWeightedCanaryStableReplicaCounts`) gives 1 canary + 4
/// stable at 10 (1/5 = 20 % is closer to 10 % than 1/4; the weight
/// cannot be met exactly), 1 + 3 at 25, 2 + 2 at 50; then it completes.
#[test]
fn canary_basic_steps_follow_the_approximation() {
    let steps = vec![
        CanaryStepSpec::SetWeight(10),
        CanaryStepSpec::Pause {
            duration: Some(secs(30)),
        },
        CanaryStepSpec::SetWeight(25),
        CanaryStepSpec::Pause {
            duration: Some(secs(30)),
        },
        CanaryStepSpec::SetWeight(50),
        CanaryStepSpec::Pause {
            duration: Some(secs(30)),
        },
    ];
    let r = rollout(4, RolloutStrategy::Canary(canary(steps)));
    let (sim, rec) = run(input(
        r,
        vec![],
        vec![],
        vec![at(30, set_image())],
        300,
        64_000,
    ));
    let rev2 = "rollout/web/rev-2";
    let rev1 = "rollout/web/rev-1";
    // During the first pause (after t=30 + startup).
    assert_eq!(metric(&rec, 50, rev2, "replicas"), 1.0);
    assert_eq!(metric(&rec, 50, rev1, "replicas"), 4.0);
    assert_eq!(metric(&rec, 50, "rollout/web", "canary_weight"), 20.0);
    // During the 25 % pause.
    assert_eq!(metric(&rec, 90, rev2, "replicas"), 1.0);
    assert_eq!(metric(&rec, 90, rev1, "replicas"), 3.0);
    // During the 50 % pause.
    assert_eq!(metric(&rec, 115, rev2, "replicas"), 2.0);
    assert_eq!(metric(&rec, 115, rev1, "replicas"), 2.0);
    let s = status(&sim);
    assert_eq!(s.stable_rs, s.current_pod_hash, "completed");
    assert_eq!(s.phase, RolloutPhase::Healthy);
    assert_eq!(metric(&rec, 300, rev2, "replicas"), 4.0);
    assert_eq!(metric(&rec, 300, "rollout/web", "canary_weight"), 0.0);
    let steps = events(&rec, "RolloutStepCompleted");
    assert_eq!(steps.len(), 6, "{steps:?}");
    assert_eq!(steps[0].1, "Rollout step 1/6 completed (setWeight: 10)");
    assert_eq!(events(&rec, "RolloutCompleted").len(), 1);
}

/// An indefinite pause waits for `promote`.
#[test]
fn pause_waits_for_promote() {
    let steps = vec![
        CanaryStepSpec::SetWeight(50),
        CanaryStepSpec::Pause { duration: None },
    ];
    let r = rollout(2, RolloutStrategy::Canary(canary(steps.clone())));
    let (sim, _) = run(input(
        r,
        vec![],
        vec![],
        vec![at(10, set_image())],
        200,
        64_000,
    ));
    let s = status(&sim);
    assert_eq!(s.phase, RolloutPhase::Paused);
    assert_eq!(s.current_step_index, Some(1));
    assert_ne!(s.stable_rs, s.current_pod_hash);
    let r = rollout(2, RolloutStrategy::Canary(canary(steps)));
    let tl = vec![
        at(10, set_image()),
        at(100, RolloutAct::Promote { full: false }),
    ];
    let (sim, rec) = run(input(r, vec![], vec![], tl, 200, 64_000));
    let s = status(&sim);
    assert_eq!(s.phase, RolloutPhase::Healthy, "{}", s.message);
    assert_eq!(s.stable_rs, s.current_pod_hash);
    assert!(events(&rec, "RolloutResumed").is_empty() || events(&rec, "RolloutPaused").len() == 1);
}

/// Under trafficRouting the weight is exact: setWeight 10 of 4 replicas
/// sends 10 % to the canary (split on the stable Service) and runs
/// ceil(0.4) = 1 canary pod beside all 4 stable ones; setCanaryScale
/// replicas 3 sizes the canary independently of the weight.
#[test]
fn traffic_routing_sets_the_exact_split_and_set_canary_scale() {
    let steps = vec![
        CanaryStepSpec::SetWeight(10),
        CanaryStepSpec::Pause { duration: None },
        CanaryStepSpec::SetCanaryScale {
            replicas: Some(3),
            weight: None,
            match_traffic_weight: false,
        },
        CanaryStepSpec::Pause { duration: None },
    ];
    let mut c = canary(steps);
    c.traffic_routing = Some(TrafficRoutingSpec::default());
    c.stable_service = Some("web".into());
    c.canary_service = Some("web-canary".into());
    let r = rollout(4, RolloutStrategy::Canary(c.clone()));
    let svcs = vec![service("web"), service("web-canary")];
    let (sim, rec) = run(input(
        r,
        vec![],
        svcs.clone(),
        vec![at(10, set_image())],
        100,
        64_000,
    ));
    assert_eq!(metric(&rec, 60, "rollout/web/rev-2", "replicas"), 1.0);
    assert_eq!(metric(&rec, 60, "rollout/web/rev-1", "replicas"), 4.0);
    assert_eq!(metric(&rec, 60, "rollout/web", "canary_weight"), 10.0);
    let store = sim.store();
    let web = store.service_id("default", "web").unwrap();
    let split = store.service_traffic_split(web).expect("a split");
    assert_eq!(split.canary_weight_percent, 10);
    let canary_svc = store.service_id("default", "web-canary").unwrap();
    let hash = status(&sim).current_pod_hash;
    assert_eq!(
        store.service(canary_svc).selector.as_ref().unwrap()["rollouts-pod-template-hash"],
        hash
    );
    // Promote past the first pause: setCanaryScale 3.
    let r = rollout(4, RolloutStrategy::Canary(c));
    let tl = vec![
        at(10, set_image()),
        at(60, RolloutAct::Promote { full: false }),
    ];
    let (_, rec) = run(input(r, vec![], svcs, tl, 120, 64_000));
    assert_eq!(metric(&rec, 110, "rollout/web/rev-2", "replicas"), 3.0);
    assert_eq!(metric(&rec, 110, "rollout/web", "canary_weight"), 10.0);
}

/// Totals that make the canary's requests fail at 50 % from t=0.
struct Failing;

impl TrafficQuery for Failing {
    fn totals(&self, _: ServiceId, _: Option<ReplicaSetId>) -> Totals {
        Totals::default()
    }
}

fn error_rate_template() -> AnalysisTemplate {
    AnalysisTemplate {
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
                revision: RevisionSelector::Canary,
            },
        }],
    }
}

/// Without traffic every measurement of an error rate is an Error (no
/// requests in the window); past consecutiveErrorLimit (4) the run is
/// in Error and the Rollout aborts: canary scaled to 0, stable back to
/// full, Degraded.
#[test]
fn analysis_without_data_errors_and_aborts() {
    let _ = Failing;
    let steps = vec![
        CanaryStepSpec::SetWeight(50),
        CanaryStepSpec::Analysis(RolloutAnalysis {
            templates: vec!["errors".into()],
            ..Default::default()
        }),
    ];
    let r = rollout(2, RolloutStrategy::Canary(canary(steps)));
    let (sim, rec) = run(input(
        r,
        vec![error_rate_template()],
        vec![service("web")],
        vec![at(10, set_image())],
        200,
        64_000,
    ));
    let s = status(&sim);
    assert!(s.abort);
    assert_eq!(s.phase, RolloutPhase::Degraded);
    assert!(s.message.starts_with("RolloutAborted"), "{}", s.message);
    let errored = events(&rec, "AnalysisRunError");
    assert_eq!(errored.len(), 1, "{errored:?}");
    assert!(
        errored[0].1.starts_with("Step Analysis Run 'web-")
            && errored[0]
                .1
                .ends_with("Status New: 'Error' Previous: 'Running'"),
        "{errored:?}"
    );
    assert_eq!(events(&rec, "AnalysisRunRunning").len(), 1);
    assert_eq!(events(&rec, "RolloutAborted").len(), 1);
    assert_eq!(metric(&rec, 200, "rollout/web/rev-2", "replicas"), 0.0);
    assert_eq!(metric(&rec, 200, "rollout/web/rev-1", "replicas"), 2.0);
}

fn request_rate_template() -> AnalysisTemplate {
    let mut t = error_rate_template();
    t.metadata = ObjectMeta::named("rate");
    let m = &mut t.metrics[0];
    m.name = "rate".into();
    m.initial_delay = Some(secs(10));
    m.count = Some(2);
    m.success_condition = Some("result >= 0".into());
    m.provider.metric = KubesimMetric::RequestRate;
    t
}

/// An analysis whose measurements succeed (a request rate of 0 over a
/// 10 s window satisfies `result >= 0`) lets the step complete after
/// its two measurements (initialDelay 10 s, interval 10 s); background
/// analysis starts only at `startingStep`.
#[test]
fn successful_analysis_completes_its_step_and_background_starts_at_its_step() {
    let steps = vec![
        CanaryStepSpec::SetWeight(50),
        CanaryStepSpec::Analysis(RolloutAnalysis {
            templates: vec!["rate".into()],
            ..Default::default()
        }),
        CanaryStepSpec::Pause {
            duration: Some(secs(30)),
        },
    ];
    let mut c = canary(steps);
    c.analysis = Some(RolloutAnalysis {
        templates: vec!["rate".into()],
        starting_step: Some(2),
        ..Default::default()
    });
    let r = rollout(2, RolloutStrategy::Canary(c));
    let (sim, rec) = run(input(
        r,
        vec![request_rate_template()],
        vec![service("web")],
        vec![at(10, set_image())],
        200,
        64_000,
    ));
    let s = status(&sim);
    assert_eq!(s.stable_rs, s.current_pod_hash, "{}", s.message);
    let running = events(&rec, "AnalysisRunRunning");
    assert_eq!(running.len(), 2, "{running:?}");
    assert!(running[0].1.starts_with("Step Analysis Run"));
    assert!(running[1].1.starts_with("Background Analysis Run"));
    // The background run has a count too: it completes on its own.
    let done = events(&rec, "AnalysisRunSuccessful");
    assert_eq!(done.len(), 2, "{done:?}");
    assert_eq!(done[1].0, 55);
    // The step's run: started when the canary was ready (15 s), measured
    // at 25 s and 35 s; the background run starts with step 3 then.
    assert_eq!(running[0].0, 15);
    assert_eq!(done[0].0, 35);
    assert_eq!(running[1].0, 35);
    let steps = events(&rec, "RolloutStepCompleted");
    assert_eq!(
        steps[1],
        (35, "Rollout step 2/3 completed (analysis)".to_string())
    );
}

/// A hand-written traffic stub: the canary's requests fail at `rate`
/// per second, 100 requests a second, growing with time.
struct Stub {
    error_share: f64,
}

impl TrafficQuery for Stub {
    fn totals(&self, _: ServiceId, _: Option<ReplicaSetId>) -> Totals {
        Totals::default()
    }
}

/// The analysis run itself on a stub (the engine passes NoTraffic until
/// the traffic model is merged): failing measurements fail the run at
/// the first one over `failureLimit` 0.
#[test]
fn analysis_run_fails_on_a_stub_with_errors() {
    struct Errors(std::cell::Cell<f64>);
    impl TrafficQuery for Errors {
        fn totals(&self, _: ServiceId, _: Option<ReplicaSetId>) -> Totals {
            let n = self.0.get();
            Totals {
                requests: n,
                errors: n * 0.2,
                ..Totals::default()
            }
        }
    }
    let _ = Stub { error_share: 0.0 }.error_share;
    let mut store = kubesim_core::Store::new(1000);
    store.create_service(service("web"), SimTime::ZERO).unwrap();
    let r = store
        .create_rollout(rollout(1, RolloutStrategy::Canary(canary(vec![]))))
        .unwrap();
    let t = error_rate_template();
    let mut runs = AnalysisRuns::default();
    let mut timers = Vec::new();
    let id = runs
        .create(
            &store,
            "run".into(),
            r,
            &[&t],
            &[],
            Some(ReplicaSetId(0)),
            None,
            SimTime::ZERO,
            &mut timers,
        )
        .unwrap();
    let traffic = Errors(std::cell::Cell::new(0.0));
    runs.start_windows(id, SimTime::ZERO, &traffic);
    // The first measurement at 0 s: an empty window, an Error.
    assert_eq!(
        timers[0],
        (
            SimTime::ZERO,
            ControllerTimer::AnalysisMeasurement { run: id, metric: 0 }
        )
    );
    timers.clear();
    assert_eq!(
        runs.measure(id, 0, SimTime::ZERO, &traffic, &mut timers),
        None
    );
    // Retried after 10 s: 20 % errors > 5 %: Failed.
    traffic.0.set(1000.0);
    let (t1, _) = timers[0];
    assert_eq!(t1, secs(10));
    assert_eq!(runs.measure(id, 0, t1, &traffic, &mut timers), Some(r));
    let run = runs.run(id);
    assert_eq!(run.phase.as_str(), "Failed");
    assert!(run.message.contains("failureLimit (0)"), "{}", run.message);
}

fn blue_green(preview_count: Option<i32>, auto: bool) -> BlueGreenStrategy {
    BlueGreenStrategy {
        active_service: "web".into(),
        preview_service: Some("web-preview".into()),
        auto_promotion_enabled: auto,
        preview_replica_count: preview_count,
        scale_down_delay_seconds: 30,
        ..Default::default()
    }
}

/// Blue-green: the preview comes up beside the active, the active
/// Service switches only once the preview is available, and the old
/// ReplicaSet is scaled down scaleDownDelaySeconds (30) after the switch.
#[test]
fn blue_green_switches_after_preview_is_available_and_scales_down_later() {
    let r = rollout(2, RolloutStrategy::BlueGreen(blue_green(None, true)));
    let svcs = vec![service("web"), service("web-preview")];
    let (sim, rec) = run(input(
        r,
        vec![],
        svcs,
        vec![at(20, set_image())],
        120,
        64_000,
    ));
    let switches = events(&rec, "SwitchService");
    let active: Vec<&(u64, String)> = switches
        .iter()
        .filter(|(_, m)| m.contains("'web'"))
        .collect();
    let preview: Vec<&(u64, String)> = switches
        .iter()
        .filter(|(_, m)| m.contains("'web-preview'"))
        .collect();
    // First release, then the switch to revision 2.
    assert_eq!(active.len(), 2, "{switches:?}");
    let switched = active[1].0;
    assert!(preview.iter().any(|(t, _)| *t == 20), "{preview:?}");
    assert!(switched >= 20 + 5, "switch at {switched}");
    assert_eq!(metric(&rec, switched, "rollout/web/rev-1", "replicas"), 2.0);
    assert_eq!(
        metric(&rec, switched + 29, "rollout/web/rev-1", "replicas"),
        2.0
    );
    assert!(metric(&rec, switched + 31, "rollout/web/rev-1", "replicas") < 2.0);
    let s = status(&sim);
    assert_eq!(s.stable_rs, s.current_pod_hash);
    assert_eq!(s.phase, RolloutPhase::Healthy);
}

/// previewReplicaCount 1: the preview runs one pod; with
/// autoPromotionEnabled false it pauses until promote, then grows to
/// full size before the switch.
#[test]
fn blue_green_preview_count_and_manual_promotion() {
    let r = rollout(3, RolloutStrategy::BlueGreen(blue_green(Some(1), false)));
    let svcs = vec![service("web"), service("web-preview")];
    let tl = vec![
        at(20, set_image()),
        at(80, RolloutAct::Promote { full: false }),
    ];
    let (sim, rec) = run(input(r, vec![], svcs, tl, 160, 64_000));
    assert_eq!(metric(&rec, 60, "rollout/web/rev-2", "replicas"), 1.0);
    assert_eq!(metric(&rec, 60, "rollout/web", "replicas"), 4.0);
    assert_eq!(events(&rec, "RolloutPaused").len(), 1);
    assert_eq!(metric(&rec, 100, "rollout/web/rev-2", "replicas"), 3.0);
    let s = status(&sim);
    assert_eq!(s.stable_rs, s.current_pod_hash, "{}", s.message);
}

/// A cluster too small for the doubled footprint: the preview's pods
/// stay Pending, the active Service never switches, the rollout stays
/// Progressing.
#[test]
fn blue_green_too_small_never_promotes() {
    let r = rollout(3, RolloutStrategy::BlueGreen(blue_green(None, true)));
    let svcs = vec![service("web"), service("web-preview")];
    let (sim, rec) = run(input(
        r,
        vec![],
        svcs,
        vec![at(20, set_image())],
        200,
        4_000,
    ));
    let s = status(&sim);
    assert_ne!(s.stable_rs, s.current_pod_hash);
    assert_eq!(s.phase, RolloutPhase::Progressing);
    assert_eq!(metric(&rec, 200, "rollout/web/rev-2", "replicas"), 3.0);
    assert!(metric(&rec, 200, "rollout/web/rev-2", "ready_replicas") < 3.0);
    let active: Vec<_> = events(&rec, "SwitchService")
        .into_iter()
        .filter(|(_, m)| m.contains("'web'"))
        .collect();
    assert_eq!(active.len(), 1, "only the first release: {active:?}");
}

/// A blue-green abort before the switch: the preview Service goes back
/// to the stable pods, the new ReplicaSet keeps its pods for the abort
/// delay (30 s), then is scaled to 0; the Rollout is Degraded; `retry`
/// starts the release again.
#[test]
fn blue_green_abort_scales_the_preview_down_after_the_delay() {
    let r = rollout(2, RolloutStrategy::BlueGreen(blue_green(None, false)));
    let svcs = vec![service("web"), service("web-preview")];
    let tl = vec![at(20, set_image()), at(60, RolloutAct::Abort)];
    let (sim, rec) = run(input(r, vec![], svcs.clone(), tl, 140, 64_000));
    let s = status(&sim);
    assert!(s.abort);
    assert_eq!(s.phase, RolloutPhase::Degraded);
    assert_eq!(metric(&rec, 85, "rollout/web/rev-2", "replicas"), 2.0);
    assert_eq!(metric(&rec, 95, "rollout/web/rev-2", "replicas"), 0.0);
    assert_eq!(metric(&rec, 95, "rollout/web/rev-1", "replicas"), 2.0);
    let store = sim.store();
    let preview = store.service_id("default", "web-preview").unwrap();
    assert_eq!(
        store.service(preview).selector.as_ref().unwrap()["rollouts-pod-template-hash"],
        s.stable_rs
    );
    let r = rollout(2, RolloutStrategy::BlueGreen(blue_green(None, true)));
    let tl = vec![
        at(20, set_image()),
        at(22, RolloutAct::Abort),
        at(60, RolloutAct::Retry),
    ];
    let (sim, _) = run(input(r, vec![], svcs, tl, 140, 64_000));
    let s = status(&sim);
    assert!(!s.abort);
    assert_eq!(
        s.stable_rs, s.current_pod_hash,
        "{:?} {}",
        s.phase, s.message
    );
}

/// With `progressDeadlineSeconds` 60, the stuck blue-green release is
/// Degraded (`ProgressDeadlineExceeded`) a minute after its last
/// progress.
#[test]
fn a_stuck_release_passes_its_progress_deadline() {
    let mut r = rollout(3, RolloutStrategy::BlueGreen(blue_green(None, true)));
    r.progress_deadline_seconds = 60;
    let svcs = vec![service("web"), service("web-preview")];
    let (sim, rec) = run(input(
        r,
        vec![],
        svcs,
        vec![at(20, set_image())],
        200,
        4_000,
    ));
    let s = status(&sim);
    assert!(s.timed_out);
    assert_eq!(s.phase, RolloutPhase::Degraded);
    assert!(
        s.message.starts_with("ProgressDeadlineExceeded"),
        "{}",
        s.message
    );
    let timed_out = events(&rec, "ProgressDeadlineExceeded");
    assert_eq!(timed_out.len(), 1);
    // The last progress: the preview pods that fit turned Ready at 25 s.
    assert_eq!(timed_out[0].0, 85, "{timed_out:?}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Any list of steps: the release ends completed, or paused waiting
    /// for promote (an indefinite pause), within a deadline of the
    /// steps' durations plus start-up time.
    #[test]
    fn a_rollout_always_ends_in_a_documented_state(
        replicas in 1i32..6,
        steps in prop::collection::vec((0u8..4, 0i32..=100), 0..6),
        routed in any::<bool>(),
    ) {
        let mut total_s = 0u64;
        let mut indefinite = false;
        let steps: Vec<CanaryStepSpec> = steps.into_iter().map(|(k, v)| match k {
            0 => CanaryStepSpec::SetWeight(v),
            1 => { total_s += 10; CanaryStepSpec::Pause { duration: Some(secs(10)) } }
            2 => { indefinite = true; CanaryStepSpec::Pause { duration: None } }
            _ => CanaryStepSpec::SetCanaryScale { replicas: None, weight: Some(v), match_traffic_weight: false },
        }).collect();
        let n = steps.len() as u64;
        let mut c = canary(steps);
        if routed {
            c.traffic_routing = Some(TrafficRoutingSpec::default());
        }
        let r = rollout(replicas, RolloutStrategy::Canary(c));
        let deadline = 10 + total_s + 20 * (n + 2) + 60;
        let (sim, _) = run(input(r, vec![], vec![], vec![at(10, set_image())], deadline, 64_000));
        let s = status(&sim);
        let completed = s.stable_rs == s.current_pod_hash && s.phase == RolloutPhase::Healthy;
        let paused = s.phase == RolloutPhase::Paused && indefinite;
        prop_assert!(completed || paused || s.abort, "{:?}: {}", s.phase, s.message);
    }
}
