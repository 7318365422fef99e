//! Services and their endpoints through the engine: ready pods only,
//! terminating pods out at once, the capacity a rolling update keeps or
//! gives up (as `service/NAME endpoints` in metrics), and
//! `endpointsDelay`.

use kubesim_core::{
    Container, Deployment, DeploymentStrategy, ImageBehavior, IntOrPercent, LabelSelector,
    MilliCpu, Node, ObjectMeta, PodSpec, PodTemplate, Probe, ResourceList, ResourceRequirements,
    RunLimits, Service, SimTime,
};
use kubesim_scheduler::controllers::ControllerManagerConfig;
use kubesim_scheduler::{
    Action, EventRecord, MetricObject, MetricRecord, MetricsConfig, RecordSink, Simulation,
    SimulationConfig, SimulationInput, TimelineEntry,
};
use std::collections::BTreeMap;
use std::convert::Infallible;

fn secs(s: u64) -> SimTime {
    SimTime::from_secs(s)
}

fn labels() -> BTreeMap<String, String> {
    [("app".to_string(), "web".to_string())].into()
}

fn web(strategy: DeploymentStrategy) -> Deployment {
    let spec = PodSpec {
        containers: vec![Container {
            name: "app".into(),
            image: "web:1".into(),
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
        4,
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

fn service(selector: Option<BTreeMap<String, String>>) -> Service {
    Service {
        metadata: ObjectMeta::named("web"),
        selector,
    }
}

fn input(strategy: DeploymentStrategy, delay_s: u64, services: Vec<Service>) -> SimulationInput {
    let node = Node::new(
        ObjectMeta::named("n1"),
        ResourceList {
            milli_cpu: 64_000,
            memory: 256 << 30,
            pods: 110,
            scalar: Vec::new(),
        },
        ResourceList::default(),
    );
    let image = |startup: u64| ImageBehavior {
        startup: secs(startup),
        shutdown: secs(2),
        ..Default::default()
    };
    SimulationInput {
        argo: Default::default(),
        config: SimulationConfig {
            scenario: "services".into(),
            seed: 3,
            duration: secs(120),
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
            controller_manager: ControllerManagerConfig {
                endpoints_delay: secs(delay_s),
                ..Default::default()
            },
            check_invariants: true,
            clock_origin_unix_s: 0,
        },
        nodes: vec![node],
        images: vec![("web:1".into(), image(5)), ("web:2".into(), image(5))],
        pods: Vec::new(),
        deployments: vec![web(strategy)],
        jobs: Vec::new(),
        cron_jobs: Vec::new(),
        services,
        traffic: Vec::new(),
        timeline: vec![TimelineEntry {
            at: secs(60),
            action: Action::SetImage {
                namespace: "default".into(),
                deployment: "web".into(),
                container: None,
                image: "web:2".into(),
            },
        }],
    }
}

/// `service/web endpoints` at every second.
#[derive(Default)]
struct Endpoints(Vec<(u64, f64)>);

impl RecordSink for Endpoints {
    type Error = Infallible;
    fn event(&mut self, _: &EventRecord<'_>) -> Result<(), Infallible> {
        Ok(())
    }
    fn metric(&mut self, r: &MetricRecord<'_>) -> Result<(), Infallible> {
        if let MetricObject::Service(name) = r.object {
            assert_eq!(name, "web");
            assert_eq!(r.metric, "endpoints");
            self.0.push((r.time.0 / 1_000_000_000, r.value));
        }
        Ok(())
    }
}

fn run(input: SimulationInput) -> Vec<(u64, f64)> {
    let mut sim = Simulation::new(input).expect("builds");
    let mut rec = Endpoints::default();
    sim.run(&mut rec).expect("runs");
    rec.0
}

fn at(series: &[(u64, f64)], t: u64) -> f64 {
    series.iter().find(|(s, _)| *s == t).expect("sampled").1
}

fn rolling(surge: i32, unavailable: i32) -> DeploymentStrategy {
    DeploymentStrategy::RollingUpdate {
        max_surge: IntOrPercent::Int(surge),
        max_unavailable: IntOrPercent::Int(unavailable),
    }
}

/// Pods are endpoints once Ready (their app answers 5 s after it starts;
/// the readiness probe passes at 5 s), not before.
#[test]
fn ready_pods_are_endpoints() {
    let s = run(input(rolling(1, 0), 0, vec![service(Some(labels()))]));
    assert_eq!(at(&s, 4), 0.0);
    assert_eq!(at(&s, 5), 4.0);
    assert_eq!(at(&s, 59), 4.0);
    assert_eq!(at(&s, 120), 4.0, "all replaced by web:2 and Ready");
}

/// maxSurge 1, maxUnavailable 0: the rollout never serves with fewer
/// than 4 endpoints (an old pod leaves only once a new one is Ready);
/// maxSurge 0, maxUnavailable 1: it does, one at a time — and a
/// terminating pod stops being an endpoint at once.
#[test]
fn rolling_update_capacity() {
    let keep = run(input(rolling(1, 0), 0, vec![service(Some(labels()))]));
    let during = |s: &[(u64, f64)]| {
        s.iter()
            .filter(|(t, _)| (60..120).contains(t))
            .map(|(_, v)| *v)
            .fold(f64::INFINITY, f64::min)
    };
    assert_eq!(during(&keep), 4.0);
    let dip = run(input(rolling(0, 1), 0, vec![service(Some(labels()))]));
    assert_eq!(during(&dip), 3.0);
    assert_eq!(at(&dip, 60), 3.0, "the first old pod is out at once");
}

/// With `endpointsDelay: 3s` the published endpoints lag the pods'
/// readiness by 3 s, both ways.
#[test]
fn endpoints_delay_lags_both_ways() {
    let s = run(input(rolling(0, 1), 3, vec![service(Some(labels()))]));
    assert_eq!(at(&s, 7), 0.0);
    assert_eq!(at(&s, 8), 4.0);
    assert_eq!(at(&s, 62), 4.0, "the old pod still gets traffic");
    assert_eq!(at(&s, 63), 3.0);
}

/// A Service without a selector gets no endpoints (and no metric row); a
/// selector that matches nothing gives 0.
#[test]
fn selectorless_and_unmatched_services() {
    let none = run(input(rolling(1, 0), 0, vec![service(None)]));
    assert!(none.is_empty());
    let other: BTreeMap<String, String> = [("app".to_string(), "api".to_string())].into();
    let s = run(input(rolling(1, 0), 0, vec![service(Some(other))]));
    assert!(s.iter().all(|(_, v)| *v == 0.0));
}
