//! Request traffic through the engine: the queueing model against an
//! exact per-request processor-sharing simulation and S/(1−ρ), CPU
//! contention and throttling coupled to latency, conservation of
//! requests, and common random numbers across deploy strategies.

use kubesim_core::{
    entity_rng, Bytes, Container, CpuProfile, Deployment, DeploymentStrategy, ImageBehavior,
    IntOrPercent, LabelSelector, MilliCpu, Node, ObjectMeta, PodSpec, PodTemplate, ResourceList,
    ResourceRequirements, RunLimits, Serve, Service, SimTime,
};
use kubesim_scheduler::traffic::{TrafficQuery, TrafficSpec};
use kubesim_scheduler::{
    Action, EventRecord, MetricObject, MetricRecord, MetricsConfig, NullSink, RecordSink,
    Simulation, SimulationConfig, SimulationInput, TimelineEntry,
};
use proptest::prelude::*;
use rand::Rng;
use std::collections::BTreeMap;
use std::convert::Infallible;

fn secs(s: u64) -> SimTime {
    SimTime::from_secs(s)
}

fn labels(app: &str) -> BTreeMap<String, String> {
    [("app".to_string(), app.to_string())].into()
}

fn deployment(
    app: &str,
    image: &str,
    replicas: i32,
    resources: ResourceRequirements,
) -> Deployment {
    let spec = PodSpec {
        containers: vec![Container {
            name: "app".into(),
            image: image.into(),
            resources,
            ..Default::default()
        }],
        ..Default::default()
    };
    Deployment::new(
        ObjectMeta::named(app),
        replicas,
        LabelSelector::from_labels(labels(app)),
        PodTemplate {
            labels: labels(app),
            annotations: BTreeMap::new(),
            spec,
        },
    )
}

fn cpu(request_m: Option<i64>, limit_m: Option<i64>) -> ResourceRequirements {
    ResourceRequirements {
        cpu_request_m: request_m.map(MilliCpu),
        cpu_limit_m: limit_m.map(MilliCpu),
        memory_request_bytes: limit_m.map(|_| Bytes(1 << 30)),
        memory_limit_bytes: limit_m.map(|_| Bytes(1 << 30)),
        ..Default::default()
    }
}

fn serving(cpu_s: f64) -> ImageBehavior {
    ImageBehavior {
        serve: Some(Serve {
            cpu_seconds: cpu_s,
            ..Default::default()
        }),
        ..Default::default()
    }
}

struct Setup {
    cores: i64,
    deployments: Vec<Deployment>,
    images: Vec<(String, ImageBehavior)>,
    traffic: Vec<TrafficSpec>,
    duration_s: u64,
    timeline: Vec<TimelineEntry>,
    seed: u64,
}

fn input(s: Setup) -> SimulationInput {
    let node = Node::new(
        ObjectMeta::named("n1"),
        ResourceList {
            milli_cpu: s.cores * 1000,
            memory: 64 << 30,
            pods: 110,
            scalar: Vec::new(),
        },
        ResourceList::default(),
    );
    SimulationInput {
        config: SimulationConfig {
            scenario: "traffic".into(),
            seed: s.seed,
            duration: secs(s.duration_s),
            sample_interval: secs(10),
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
        nodes: vec![node],
        argo: Default::default(),
        images: s.images,
        pods: Vec::new(),
        deployments: s.deployments,
        jobs: Vec::new(),
        cron_jobs: Vec::new(),
        services: vec![Service {
            metadata: ObjectMeta::named("web"),
            selector: Some(labels("web")),
        }],
        traffic: s.traffic,
        timeline: s.timeline,
    }
}

/// Runs and returns the Service's mean latency, requests and errors.
fn run(s: Setup) -> (f64, f64, f64, Simulation) {
    let mut sim = Simulation::new(input(s)).unwrap();
    sim.run(&mut NullSink).unwrap();
    let svc = sim.store().service_id("default", "web").unwrap();
    let t = sim.traffic().totals(svc, None);
    let c = sim.traffic().conservation(svc).unwrap();
    assert!((c.arrived - c.ok - c.failed - c.in_flight).abs() < 1e-6 * c.arrived.max(1.0));
    (t.latency_sum_s / t.answered, t.requests, t.errors, sim)
}

/// An exact processor-sharing server, one request at a time: Poisson
/// arrivals at `lambda`, service times from `service`; the mean sojourn
/// of `n` requests.
fn ps_reference(
    lambda: f64,
    n: usize,
    seed: u64,
    service: impl Fn(&mut rand_chacha::ChaCha8Rng) -> f64,
) -> f64 {
    let mut rng = entity_rng(seed, "test", "ps");
    let mut jobs: Vec<(f64, f64)> = Vec::new(); // (arrival, remaining work)
    let mut t = 0.0;
    let mut next_arrival = -(1.0 - rng.random::<f64>()).ln() / lambda;
    let (mut done, mut total) = (0usize, 0.0);
    let mut arrived = 0usize;
    while done < n {
        let k = jobs.len() as f64;
        let min_work = jobs.iter().map(|j| j.1).fold(f64::INFINITY, f64::min);
        let finish = t + min_work * k;
        if jobs.is_empty() || (next_arrival < finish && arrived < n) {
            let dt = next_arrival - t;
            for j in &mut jobs {
                j.1 -= dt / k.max(1.0);
            }
            t = next_arrival;
            jobs.push((t, service(&mut rng)));
            arrived += 1;
            next_arrival = t - (1.0 - rng.random::<f64>()).ln() / lambda;
        } else {
            for j in &mut jobs {
                j.1 -= min_work;
            }
            t = finish;
            let before = jobs.len();
            jobs.retain(|j| {
                if j.1 <= 1e-12 {
                    total += t - j.0;
                    false
                } else {
                    true
                }
            });
            done += before - jobs.len();
        }
    }
    total / done as f64
}

#[test]
fn reference_ps_simulator_matches_s_over_one_minus_rho() {
    let s = 0.01;
    for rho in [0.3, 0.5, 0.8] {
        let want = s / (1.0 - rho);
        let exp = ps_reference(rho / s, 300_000, 1, |r| -(1.0 - r.random::<f64>()).ln() * s);
        let det = ps_reference(rho / s, 300_000, 2, |_| s);
        for (kind, got) in [("exponential", exp), ("deterministic", det)] {
            assert!(
                (got / want - 1.0).abs() < 0.05,
                "ρ={rho} {kind}: {got} vs {want}"
            );
        }
    }
}

#[test]
fn one_pod_at_utilisation_rho_has_the_ps_mean() {
    let s = 0.01;
    for rho in [0.3, 0.5, 0.8] {
        let (mean, requests, errors, _) = run(Setup {
            cores: 4,
            deployments: vec![deployment("web", "web:1", 1, cpu(Some(1000), Some(1000)))],
            images: vec![("web:1".into(), serving(s))],
            traffic: vec![TrafficSpec::constant("web", rho / s)],
            duration_s: 2000,
            timeline: Vec::new(),
            seed: 5,
        });
        let want = s / (1.0 - rho);
        assert!(
            (mean / want - 1.0).abs() < 0.05,
            "ρ={rho}: {mean} vs {want}"
        );
        let expected = rho / s * 2000.0;
        assert!(
            (requests / expected - 1.0).abs() < 0.02,
            "{requests} vs {expected}"
        );
        assert!(errors < 1e-3 * requests, "errors {errors}");
    }
}

fn busy_image() -> ImageBehavior {
    ImageBehavior {
        cpu: CpuProfile::constant(2.0),
        ..Default::default()
    }
}

#[test]
fn contention_and_throttling_slow_requests_down() {
    let s = 0.01;
    let alone = |limit: Option<i64>, neighbour: bool| {
        let mut deployments = vec![deployment("web", "web:1", 1, cpu(limit, limit))];
        if neighbour {
            deployments.push(deployment(
                "batch",
                "batch:1",
                1,
                cpu(Some(2000), Some(2000)),
            ));
        }
        run(Setup {
            cores: 2,
            deployments,
            images: vec![
                ("web:1".into(), serving(s)),
                ("batch:1".into(), busy_image()),
            ],
            traffic: vec![TrafficSpec::constant("web", 20.0)],
            duration_s: 300,
            timeline: Vec::new(),
            seed: 9,
        })
    };
    let (free, _, free_err, _) = alone(None, false);
    assert!(free < 0.02 && free_err == 0.0, "alone: {free}");
    // BestEffort beside a Guaranteed pod that uses both cores: it gets
    // the minimum weight and cannot keep up.
    let (starved, req, starved_err, _) = alone(None, true);
    assert!(starved > 10.0 * free, "starved {starved} vs {free}");
    assert!(
        starved_err > 0.5 * req,
        "starved errors {starved_err} of {req}"
    );
    // Throttled at 100m: ρ = 0.2/0.1 > 1 would fail; at 300m ρ = 2/3.
    let (throttled, _, _, _) = alone(Some(300), false);
    let want = (s / 0.3) / (1.0 - 0.2 / 0.3);
    assert!(
        (throttled / want - 1.0).abs() < 0.05,
        "throttled {throttled} vs {want}"
    );
    assert!(throttled > 5.0 * free);
}

/// Requests per 10-second window of `service/web`.
#[derive(Default)]
struct Windows(Vec<(u64, f64)>);

impl RecordSink for Windows {
    type Error = Infallible;
    fn event(&mut self, _: &EventRecord<'_>) -> Result<(), Infallible> {
        Ok(())
    }
    fn metric(&mut self, r: &MetricRecord<'_>) -> Result<(), Infallible> {
        if r.object == MetricObject::Service("web") && r.metric == "requests" {
            self.0.push((r.time.0, r.value));
        }
        Ok(())
    }
}

fn release(strategy: DeploymentStrategy, seed: u64, rate: f64, retries: u32) -> Setup {
    let mut d = deployment("web", "web:1", 3, cpu(Some(200), Some(500)));
    d.strategy = strategy;
    let mut spec = TrafficSpec::constant("web", rate);
    spec.retries = retries;
    Setup {
        cores: 4,
        deployments: vec![d],
        images: vec![
            (
                "web:1".into(),
                ImageBehavior {
                    shutdown: secs(5),
                    ..serving(0.004)
                },
            ),
            (
                "web:2".into(),
                ImageBehavior {
                    startup: secs(5),
                    serve: Some(Serve {
                        cpu_seconds: 0.006,
                        error_rate: 0.1,
                        ..Default::default()
                    }),
                    ..Default::default()
                },
            ),
        ],
        traffic: vec![spec],
        duration_s: 120,
        timeline: vec![TimelineEntry {
            at: secs(30),
            action: Action::SetImage {
                namespace: "default".into(),
                deployment: "web".into(),
                container: None,
                image: "web:2".into(),
            },
        }],
        seed,
    }
}

#[test]
fn strategies_see_the_same_arrivals() {
    let rolling = DeploymentStrategy::RollingUpdate {
        max_surge: IntOrPercent::Percent(25),
        max_unavailable: IntOrPercent::Percent(25),
    };
    let windows = |strategy| {
        let mut sim = Simulation::new(input(release(strategy, 11, 150.0, 0))).unwrap();
        let mut w = Windows::default();
        let summary = sim.run(&mut w).unwrap();
        (w.0, summary.requests_failed)
    };
    let (a, failed_a) = windows(rolling);
    let (b, failed_b) = windows(DeploymentStrategy::Recreate);
    assert_eq!(a.len(), 12);
    assert_eq!(a, b, "arrivals differ between strategies");
    // Recreate leaves no endpoint while the old pods shut down: those
    // requests fail too.
    assert!(failed_b > failed_a, "{failed_b} vs {failed_a}");
}

#[test]
fn a_new_revision_without_readiness_probe_refuses_while_starting() {
    // web:2 takes 5 s to start and has no readinessProbe: Ready at
    // container start, its requests fail until the process is up.
    let (_, requests, errors, sim) = run(release(
        DeploymentStrategy::RollingUpdate {
            max_surge: IntOrPercent::Int(1),
            max_unavailable: IntOrPercent::Int(0),
        },
        3,
        100.0,
        0,
    ));
    let svc = sim.store().service_id("default", "web").unwrap();
    assert!(errors > 0.0 && errors < requests);
    // Per ReplicaSet totals add up to the Service's.
    let by_rs: f64 = sim
        .store()
        .replica_sets()
        .map(|(id, _)| sim.traffic().totals(svc, Some(id)).requests)
        .sum();
    assert!((by_rs - requests).abs() < 1e-9, "{by_rs} vs {requests}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]
    #[test]
    fn requests_are_conserved(seed in 0u64..1000, rate in 1.0f64..400.0, retries in 0u32..3, recreate: bool) {
        let strategy = if recreate {
            DeploymentStrategy::Recreate
        } else {
            DeploymentStrategy::RollingUpdate {
                max_surge: IntOrPercent::Int(1),
                max_unavailable: IntOrPercent::Int(1),
            }
        };
        // The state checker asserts conservation after every event; `run`
        // checks it at the end.
        let (_, requests, errors, _) = run(release(strategy, seed, rate, retries));
        prop_assert!(errors <= requests + 1e-9);
    }
}

#[test]
fn a_crash_fails_what_the_pod_holds_and_refuses_until_it_is_back() {
    // One pod whose process exits every 60 s (restarted by kubelet after
    // its back-off) and needs 5 s to come up again.
    let crashing = ImageBehavior {
        startup: secs(5),
        exit: Some(kubesim_core::ExitBehavior {
            after: Some(secs(60)),
            rate_per_hour: None,
            code: 1,
        }),
        ..serving(0.01)
    };
    let setup = |image: ImageBehavior| Setup {
        cores: 2,
        deployments: vec![deployment("web", "web:1", 1, cpu(Some(1000), Some(1000)))],
        images: vec![("web:1".into(), image)],
        traffic: vec![TrafficSpec::constant("web", 50.0)],
        duration_s: 300,
        timeline: Vec::new(),
        seed: 4,
    };
    let (_, requests, steady_errors, _) = run(setup(ImageBehavior {
        startup: secs(5),
        ..serving(0.01)
    }));
    let (_, crash_requests, crash_errors, sim) = run(setup(crashing));
    assert_eq!(requests, crash_requests, "same arrivals");
    // Without a readinessProbe the pod is an endpoint from container
    // start: the first 5 s of each run are refused, and the crashes fail
    // what was in flight.
    let restarts = sim.store().pods().map(|(_, p)| p.restarts()).sum::<u32>();
    assert!(restarts >= 2, "restarts {restarts}");
    assert!(
        crash_errors > steady_errors + f64::from(restarts) * 5.0 * 50.0 * 0.5,
        "{crash_errors} vs {steady_errors} with {restarts} restarts"
    );
}
