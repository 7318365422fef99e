//! The Job controller end to end: completions and parallelism, the
//! pod-failure back-off and `backoffLimit`, `activeDeadlineSeconds`,
//! `ttlSecondsAfterFinished`, and the events, in upstream's wording.

use kubesim_core::{
    Container, CpuProfile, ExitBehavior, ImageBehavior, Job, JobOutcome, JobStatus, KubeEvent,
    MilliCpu, Node, ObjectMeta, PodSpec, PodTemplate, ResourceList, ResourceRequirements,
    RestartPolicy, SimTime,
};
use kubesim_scheduler::{
    EventRecord, MetricRecord, RecordSink, Simulation, SimulationConfig, SimulationInput,
};
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

fn job(name: &str, image: &str, completions: Option<i32>, parallelism: i32) -> Job {
    Job {
        metadata: ObjectMeta::named(name),
        completions,
        parallelism,
        backoff_limit: 6,
        active_deadline_s: None,
        ttl_seconds_after_finished: None,
        template: PodTemplate {
            spec: PodSpec {
                containers: vec![Container {
                    name: "work".into(),
                    image: image.into(),
                    resources: ResourceRequirements {
                        cpu_request_m: Some(MilliCpu(1000)),
                        ..Default::default()
                    },
                    ..Default::default()
                }],
                restart_policy: RestartPolicy::Never,
                ..Default::default()
            },
            ..Default::default()
        },
        status: JobStatus::default(),
    }
}

fn run(jobs: Vec<Job>, duration: u64) -> (Simulation, Vec<KubeEvent>) {
    let images = vec![
        (
            "batch:1".to_string(),
            ImageBehavior {
                cpu: CpuProfile::constant(1.0),
                cpu_seconds: Some(30.0),
                ..Default::default()
            },
        ),
        (
            "fail:1".to_string(),
            ImageBehavior {
                cpu: CpuProfile::constant(0.1),
                exit: Some(ExitBehavior {
                    after: Some(secs(5)),
                    rate_per_hour: None,
                    code: 1,
                }),
                ..Default::default()
            },
        ),
    ];
    let cap = ResourceList {
        milli_cpu: 8000,
        memory: 32 << 30,
        pods: 110,
        scalar: vec![],
    };
    let input = SimulationInput {
        argo: Default::default(),
        config: SimulationConfig {
            scenario: "jobs".into(),
            seed: 1,
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
        nodes: vec![Node::new(
            ObjectMeta::named("n"),
            cap,
            ResourceList::default(),
        )],
        images,
        pods: Vec::new(),
        deployments: Vec::new(),
        jobs,
        cron_jobs: Vec::new(),
        services: Vec::new(),
        traffic: Vec::new(),
        timeline: Vec::new(),
    };
    let mut sim = Simulation::new(input).expect("within limits");
    let mut ev = Events::default();
    sim.run(&mut ev).expect("runs");
    (sim, ev.0)
}

fn times(ev: &[KubeEvent], reason: &str) -> Vec<SimTime> {
    ev.iter()
        .filter(|e| e.reason == reason)
        .map(|e| e.time)
        .collect()
}

/// Three completions, two at a time, 30 s each: pods at 0, 0, then 30;
/// complete at 60 s with `Completed`.
#[test]
fn completions_two_at_a_time() {
    let (sim, ev) = run(vec![job("batch", "batch:1", Some(3), 2)], 300);
    let j = sim
        .store()
        .job(sim.store().job_id("default", "batch").unwrap());
    assert_eq!(j.status.outcome, Some(JobOutcome::Complete));
    assert_eq!(j.status.succeeded, 3);
    assert_eq!(j.status.finished, Some(secs(60)));
    assert_eq!(times(&ev, "SuccessfulCreate"), [secs(0), secs(0), secs(30)]);
    assert!(ev.iter().any(|e| e.reason == "Completed"
        && e.object == "job/batch"
        && e.message == "Job completed"));
    let records = sim.pod_records();
    assert!(records.iter().all(|r| r.workload == "job/batch"));
    assert!(records.iter().all(|r| r.phase == "Succeeded"));
}

/// Pods that fail after 5 s under `Never`: each replacement waits the
/// pod-failure back-off (10, 20, 40 … s since the last failure); the 7th
/// failure exceeds `backoffLimit: 6`.
#[test]
fn failing_pods_back_off_until_the_limit() {
    let (sim, ev) = run(vec![job("flaky", "fail:1", Some(1), 1)], 3600);
    let j = sim
        .store()
        .job(sim.store().job_id("default", "flaky").unwrap());
    assert_eq!(j.status.outcome, Some(JobOutcome::BackoffLimitExceeded));
    assert_eq!(j.status.failed, 7);
    // Creations: 0, then 5+10, 20+20, 45+40, 90+80, 175+160, 340+320.
    assert_eq!(
        times(&ev, "SuccessfulCreate"),
        [0, 15, 40, 85, 170, 335, 660].map(secs)
    );
    assert!(ev.iter().any(|e| e.reason == "BackoffLimitExceeded"
        && e.message == "Job has reached the specified backoff limit"));
    assert_eq!(j.status.finished, Some(secs(665)));
}

/// `activeDeadlineSeconds: 20` stops a Job whose pods take 30 s; its
/// running pods are deleted; `ttlSecondsAfterFinished: 100` then deletes
/// the Job.
#[test]
fn deadline_and_ttl() {
    let mut j = job("slow", "batch:1", Some(1), 1);
    j.active_deadline_s = Some(20);
    j.ttl_seconds_after_finished = Some(100);
    let (sim, ev) = run(vec![j], 300);
    let id = sim
        .store()
        .jobs()
        .find(|(_, j)| j.metadata.name == "slow")
        .unwrap()
        .0;
    let j = sim.store().job(id);
    assert_eq!(j.status.outcome, Some(JobOutcome::DeadlineExceeded));
    assert_eq!(j.status.finished, Some(secs(20)));
    assert!(ev.iter().any(|e| e.reason == "DeadlineExceeded"
        && e.message == "Job was active longer than specified deadline"));
    assert_eq!(j.metadata.deletion_timestamp, Some(secs(120)));
    assert!(sim.store().job_id("default", "slow").is_none());
}

/// Deleting a finished Job deletes its finished pods too, as the garbage
/// collector does: the API server is left with the node alone.
#[test]
fn ttl_deletes_completed_pods() {
    let mut j = job("batch", "batch:1", Some(3), 2);
    j.ttl_seconds_after_finished = Some(10);
    let (sim, _) = run(vec![j], 300);
    let store = sim.store();
    assert!(store.job_id("default", "batch").is_none());
    assert!(store.pods().all(|(_, p)| p.is_deleting()));
    assert_eq!(store.api_objects(), 1);
}
