//! The CronJob controller end to end: Jobs at each start time with
//! upstream's names, `Forbid` (and its late start when the running Job
//! ends), `Replace`, `startingDeadlineSeconds`, the history limits and what
//! they do to the API server's object count, the clock origin and time
//! zones, and deterministic output. Every run has the state checker on,
//! which checks the controller's invariants after every event.

use kubesim_core::{
    ConcurrencyPolicy, Container, CpuProfile, CronJob, CronSchedule, EventType, ExitBehavior,
    ImageBehavior, Job, JobOutcome, JobTemplate, KubeEvent, LimitExceeded, MilliCpu, Node,
    ObjectMeta, PodSpec, PodTemplate, ResourceList, ResourceRequirements, RestartPolicy, SimTime,
    TimeZone,
};
use kubesim_scheduler::controllers::CRONJOB_SCHEDULED_TIMESTAMP_ANNOTATION;
use kubesim_scheduler::{
    EventRecord, MetricObject, MetricRecord, MetricsConfig, RecordSink, SimError, Simulation,
    SimulationConfig, SimulationInput,
};
use std::convert::Infallible;

fn secs(s: u64) -> SimTime {
    SimTime::from_secs(s)
}

/// `s` seconds plus upstream's 100 ms requeue delta.
fn tick(s: u64) -> SimTime {
    SimTime::from_millis(s * 1000 + 100)
}

#[derive(Default)]
struct Records {
    events: Vec<KubeEvent>,
    /// `cluster` rows: (time, metric, value).
    cluster: Vec<(SimTime, &'static str, f64)>,
}

impl RecordSink for Records {
    type Error = Infallible;
    fn event(&mut self, r: &EventRecord<'_>) -> Result<(), Infallible> {
        self.events.push(r.event.clone());
        Ok(())
    }
    fn metric(&mut self, r: &MetricRecord<'_>) -> Result<(), Infallible> {
        if r.object == MetricObject::Cluster {
            self.cluster.push((r.time, r.metric, r.value));
        }
        Ok(())
    }
}

/// A CronJob whose Jobs run one pod of `image` (1 CPU, `Never`).
fn cron(name: &str, schedule: &str, image: &str) -> CronJob {
    let spec = PodSpec {
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
    };
    let template = JobTemplate {
        backoff_limit: Some(0),
        template: PodTemplate {
            spec,
            ..Default::default()
        },
        ..Default::default()
    };
    let schedule = CronSchedule::parse(schedule).expect("valid schedule");
    CronJob::new(ObjectMeta::named(name), schedule, template)
}

/// `work:Ns` images do N CPU-seconds at one core; `fail:1` exits 1 after
/// 5 s.
fn images() -> Vec<(String, ImageBehavior)> {
    let work = |s: f64| ImageBehavior {
        cpu: CpuProfile::constant(1.0),
        cpu_seconds: Some(s),
        ..Default::default()
    };
    let fail = ImageBehavior {
        cpu: CpuProfile::constant(0.1),
        exit: Some(ExitBehavior {
            after: Some(secs(5)),
            rate_per_hour: None,
            code: 1,
        }),
        ..Default::default()
    };
    vec![
        ("work:30s".to_string(), work(30.0)),
        ("work:90s".to_string(), work(90.0)),
        ("work:150s".to_string(), work(150.0)),
        ("fail:1".to_string(), fail),
    ]
}

fn input(cron_jobs: Vec<CronJob>, duration: u64, origin: i64) -> SimulationInput {
    let cap = ResourceList {
        milli_cpu: 16_000,
        memory: 64 << 30,
        pods: 110,
        scalar: vec![],
    };
    SimulationInput {
        argo: Default::default(),
        config: SimulationConfig {
            scenario: "cronjobs".into(),
            seed: 1,
            duration: secs(duration),
            sample_interval: secs(60),
            limits: Default::default(),
            metrics: MetricsConfig {
                nodes: false,
                containers: false,
                container_every: 1,
                cluster: true,
                deployments: false,
            },
            kubelet: Default::default(),
            profile: Default::default(),
            controller_manager: Default::default(),
            check_invariants: true,
            clock_origin_unix_s: origin,
        },
        nodes: vec![Node::new(
            ObjectMeta::named("n"),
            cap,
            ResourceList::default(),
        )],
        images: images(),
        pods: Vec::new(),
        deployments: Vec::new(),
        jobs: Vec::new(),
        cron_jobs,
        services: Vec::new(),
        traffic: Vec::new(),
        timeline: Vec::new(),
    }
}

fn run_input(input: SimulationInput) -> (Simulation, Records) {
    let mut sim = Simulation::new(input).expect("within limits");
    let mut rec = Records::default();
    sim.run(&mut rec).expect("runs");
    (sim, rec)
}

fn run(cron_jobs: Vec<CronJob>, duration: u64) -> (Simulation, Records) {
    run_input(input(cron_jobs, duration, 0))
}

/// The CronJob controller's events with this reason (not the Job
/// controller's, which also says `SuccessfulCreate`).
fn with(reason: &str, ev: &[KubeEvent]) -> Vec<(SimTime, String)> {
    ev.iter()
        .filter(|e| e.reason == reason && e.object.starts_with("cronjob/"))
        .map(|e| (e.time, e.message.clone()))
        .collect()
}

/// Every Job ever created (deleted ones too), by creation time.
fn all_jobs(sim: &Simulation) -> Vec<Job> {
    let mut jobs: Vec<Job> = sim.store().jobs().map(|(_, j)| j.clone()).collect();
    jobs.sort_by_key(|j| j.metadata.creation_timestamp);
    jobs
}

fn live_jobs(sim: &Simulation) -> Vec<Job> {
    let jobs = all_jobs(sim).into_iter();
    jobs.filter(|j| j.metadata.deletion_timestamp.is_none())
        .collect()
}

/// `* * * * *` from the epoch: a Job per minute, 100 ms after the
/// minute, named after the minute; `SawCompletedJob` when each ends; the
/// default history limit keeps three.
#[test]
fn every_minute_one_job_per_minute() {
    let (sim, rec) = run(vec![cron("hello", "* * * * *", "work:30s")], 640);
    let created = with("SuccessfulCreate", &rec.events);
    let want: Vec<_> = (1..=10)
        .map(|m| (tick(60 * m), format!("Created job hello-{m}")))
        .collect();
    assert_eq!(created, want);
    assert!(rec
        .events
        .iter()
        .filter(|e| e.object.starts_with("cronjob/"))
        .all(|e| e.object == "cronjob/hello" && e.kind == EventType::Normal));
    let saw = with("SawCompletedJob", &rec.events);
    assert_eq!(
        saw[0],
        (
            tick(90),
            "Saw completed job: hello-1, condition: Complete".into()
        )
    );
    assert_eq!(saw.len(), 10);
    // hello-4 completing leaves four: the oldest goes.
    let deleted = with("SuccessfulDelete", &rec.events);
    assert_eq!(deleted[0], (tick(240 + 30), "Deleted job hello-1".into()));
    let live: Vec<String> = live_jobs(&sim)
        .into_iter()
        .map(|j| j.metadata.name)
        .collect();
    assert_eq!(live, ["hello-8", "hello-9", "hello-10"]);
    let cj = sim
        .store()
        .cron_job(sim.store().cron_job_id("default", "hello").unwrap());
    assert_eq!(cj.status.last_schedule_time, Some(secs(600)));
    assert_eq!(cj.status.last_successful_time, Some(tick(630)));
    assert!(cj.status.active.is_empty());
    let pods = sim.pod_records();
    assert_eq!(pods.len(), 10);
    assert!(pods.iter().any(|p| p.workload == "cronjob/hello/hello-10"));
}

/// `Forbid` with a Job longer than the period: `JobAlreadyActive` at the
/// start times it blocks, and — with no `startingDeadlineSeconds` — the
/// missed start runs late, as soon as the running Job ends (upstream's
/// sync on the Job's update). Never two Jobs at once.
#[test]
fn forbid_skips_while_active_then_starts_late() {
    let mut cj = cron("once", "* * * * *", "work:90s");
    cj.concurrency_policy = ConcurrencyPolicy::Forbid;
    let (sim, rec) = run(vec![cj], 400);
    let blocked = with("JobAlreadyActive", &rec.events);
    assert_eq!(blocked[0].0, tick(120));
    assert_eq!(
        blocked[0].1,
        "Not starting job because prior execution is running and concurrency policy is Forbid"
    );
    let jobs = all_jobs(&sim);
    assert_eq!(jobs[0].metadata.name, "once-1");
    // once-1 ends at 150.1; the 120 s start runs then.
    assert_eq!(jobs[0].status.finished, Some(tick(150)));
    assert_eq!(jobs[1].metadata.name, "once-2");
    assert_eq!(jobs[1].metadata.creation_timestamp, tick(150));
    for w in jobs.windows(2) {
        let prev_end = w[0].status.finished.expect("earlier Job finished");
        assert!(
            w[1].metadata.creation_timestamp >= prev_end,
            "overlap: {w:?}"
        );
    }
}

/// The same with `startingDeadlineSeconds: 10`: the 120 s start is past
/// its deadline when once-1 ends, so nothing starts until 180 s.
#[test]
fn starting_deadline_drops_late_starts() {
    let mut cj = cron("once", "* * * * *", "work:90s");
    cj.concurrency_policy = ConcurrencyPolicy::Forbid;
    cj.starting_deadline_s = Some(10);
    let (sim, _) = run(vec![cj], 400);
    let names: Vec<(String, SimTime)> = all_jobs(&sim)
        .into_iter()
        .map(|j| (j.metadata.name, j.metadata.creation_timestamp))
        .collect();
    assert_eq!(names[0], ("once-1".into(), tick(60)));
    assert_eq!(names[1], ("once-3".into(), tick(180)));
}

/// `Replace`: at each start the running Job is deleted (with its pod) and
/// a new one created.
#[test]
fn replace_replaces_the_running_job() {
    let mut cj = cron("swap", "* * * * *", "work:90s");
    cj.concurrency_policy = ConcurrencyPolicy::Replace;
    let (sim, rec) = run(vec![cj], 200);
    let at_120: Vec<(&str, &str)> = rec
        .events
        .iter()
        .filter(|e| e.time == tick(120) && e.object == "cronjob/swap")
        .map(|e| (e.reason, e.message.as_str()))
        .collect();
    assert_eq!(
        at_120,
        [
            ("SuccessfulDelete", "Deleted job swap-1"),
            ("SuccessfulCreate", "Created job swap-2"),
        ]
    );
    let store = sim.store();
    let first = store
        .jobs()
        .find(|(_, j)| j.metadata.name == "swap-1")
        .unwrap()
        .1;
    assert_eq!(first.metadata.deletion_timestamp, Some(tick(120)));
    let (_, pod) = store
        .pods()
        .find(|(_, p)| p.name().starts_with("swap-1-"))
        .unwrap();
    assert_eq!(pod.pod().metadata.deletion_timestamp, Some(tick(120)));
    assert!(!rec.events.iter().any(|e| e.reason == "JobAlreadyActive"));
}

/// Defaults 3 and 1: over two hours of Jobs every minute, some failing,
/// the API server keeps a bounded number of objects; with limits of
/// 100000 it keeps them all.
#[test]
fn history_limits_bound_api_objects() {
    let ok = cron("ok", "* * * * *", "work:30s");
    let bad = cron("bad", "*/2 * * * *", "fail:1");
    let (sim, rec) = run(vec![ok.clone(), bad.clone()], 7200);
    // Starts at 60.1 … 7140.1 s and 120.1 … 7080.1 s.
    assert_eq!(sim.store().job_count(), 119 + 59);
    let objects = |rec: &Records| -> Vec<f64> {
        let rows = rec.cluster.iter();
        rows.filter(|r| r.1 == "api_objects").map(|r| r.2).collect()
    };
    // node + 2 CronJobs + 3 complete and 1 failed Jobs with their pods,
    // + a running Job and pod.
    let max = objects(&rec).into_iter().fold(0.0, f64::max);
    assert!(
        max <= 1.0 + 2.0 + 2.0 * (3.0 + 1.0) + 2.0,
        "api_objects reached {max}"
    );
    let failed = with("SawCompletedJob", &rec.events);
    assert!(failed
        .iter()
        .any(|(_, m)| m == "Saw completed job: bad-2, condition: Failed"));
    let live = live_jobs(&sim);
    let outcome = |o: JobOutcome| live.iter().filter(|j| j.status.outcome == Some(o)).count();
    assert_eq!(outcome(JobOutcome::Complete), 3);
    assert_eq!(outcome(JobOutcome::BackoffLimitExceeded), 1);

    let keep_all = |mut cj: CronJob| {
        cj.successful_jobs_history_limit = 100_000;
        cj.failed_jobs_history_limit = 100_000;
        cj
    };
    let (sim, rec) = run(vec![keep_all(ok), keep_all(bad)], 7200);
    let last = *objects(&rec).last().unwrap();
    assert_eq!(last, 1.0 + 2.0 + 2.0 * 178.0);
    assert_eq!(sim.store().api_objects(), 1 + 2 + 2 * 178);
    let totals: Vec<(&str, f64)> = rec
        .cluster
        .iter()
        .filter(|r| r.0 == secs(7200) && r.1 != "api_objects")
        .map(|r| (r.1, r.2))
        .collect();
    assert_eq!(
        totals,
        [
            ("pods_total", 178.0),
            ("jobs_total", 178.0),
            ("image_pulls", 0.0),
            ("image_pulls_waiting", 0.0)
        ]
    );
}

/// The clock origin sets the wall clock: 2023-11-14T22:13:20Z is 40 s
/// before a minute, and Job names count minutes since the epoch. A time
/// zone moves `@daily` to its midnight.
#[test]
fn clock_origin_and_time_zone() {
    let origin = 1_700_000_000;
    let cj = cron("m", "* * * * *", "work:30s");
    let (_, rec) = run_input(input(vec![cj], 120, origin));
    let created = with("SuccessfulCreate", &rec.events);
    assert_eq!(created[0], (tick(40), "Created job m-28333334".into()));
    assert_eq!(created[1], (tick(100), "Created job m-28333335".into()));

    // 2023-11-14T22:13:20Z is 00:13:20 on the 15th in UTC+2: midnight
    // there comes at 2023-11-15T22:00:00Z.
    let mut daily = cron("d", "@daily", "work:30s");
    daily.time_zone = Some(TimeZone::parse("Etc/GMT-2").unwrap());
    let (sim, rec) = run_input(input(vec![daily], 2 * 86_400, origin));
    let created = with("SuccessfulCreate", &rec.events);
    let first = 1_700_085_600 - origin as u64;
    assert_eq!(created[0].0, tick(first));
    let job = &all_jobs(&sim)[0];
    let stamp = &job.metadata.annotations[CRONJOB_SCHEDULED_TIMESTAMP_ANNOTATION];
    assert_eq!(stamp, "2023-11-16T00:00:00+02:00");
    assert_eq!(created.len(), 2);
}

/// `suspend: true` starts nothing; a schedule that never comes (31
/// February) is reported once as invalid.
#[test]
fn suspended_and_impossible_schedules() {
    let mut s = cron("s", "* * * * *", "work:30s");
    s.suspend = true;
    let never = cron("never", "59 23 31 2 *", "work:30s");
    let (sim, rec) = run(vec![s, never], 600);
    assert_eq!(sim.store().job_count(), 0);
    let invalid = with("InvalidSchedule", &rec.events);
    assert_eq!(
        invalid,
        [(
            SimTime::ZERO,
            "invalid schedule: 59 23 31 2 * : time difference between two schedules is less than 1 second"
                .to_string()
        )]
    );
}

/// Same input, same output: events and pod records.
#[test]
fn deterministic() {
    let make = || {
        let mut f = cron("f", "*/2 * * * *", "work:150s");
        f.concurrency_policy = ConcurrencyPolicy::Forbid;
        let mut r = cron("r", "* * * * *", "work:90s");
        r.concurrency_policy = ConcurrencyPolicy::Replace;
        let a = cron("a", "*/3 * * * *", "fail:1");
        input(vec![f, r, a], 1800, 1_600_000_000)
    };
    let (s1, r1) = run_input(make());
    let (s2, r2) = run_input(make());
    assert_eq!(r1.events, r2.events);
    assert_eq!(r1.cluster, r2.cluster);
    assert_eq!(
        format!("{:?}", s1.pod_records()),
        format!("{:?}", s2.pod_records())
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;
    use proptest::sample::select;

    fn arb_cron() -> impl Strategy<Value = CronJob> {
        let schedules = vec![
            "* * * * *",
            "*/2 * * * *",
            "*/5 * * * *",
            "0,1,2 * * * *",
            "@hourly",
            "@every 45s",
            "* * * * 1-5",
        ];
        let images = vec!["work:30s", "work:90s", "work:150s", "fail:1"];
        let policies = vec![
            ConcurrencyPolicy::Allow,
            ConcurrencyPolicy::Forbid,
            ConcurrencyPolicy::Replace,
        ];
        (
            select(schedules),
            select(images),
            select(policies),
            0..4i32,
            0..3i32,
            proptest::option::of(0..200i64),
        )
            .prop_map(|(schedule, image, policy, ok, failed, deadline)| {
                let mut cj = cron("p", schedule, image);
                cj.concurrency_policy = policy;
                cj.successful_jobs_history_limit = ok;
                cj.failed_jobs_history_limit = failed;
                cj.starting_deadline_s = deadline;
                cj
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

        /// Under `Forbid` no two Jobs ever run at once, and at the end the
        /// finished Jobs kept are within the history limits (the state
        /// checker also checks both after every event).
        #[test]
        fn forbid_never_overlaps_and_history_is_bounded(
            cj in arb_cron(),
            origin in 0..2_000_000_000i64,
        ) {
            let (sim, _) = run_input(input(vec![cj.clone()], 3600, origin));
            let jobs = all_jobs(&sim);
            if cj.concurrency_policy == ConcurrencyPolicy::Forbid {
                for w in jobs.windows(2) {
                    let end = w[0].status.finished;
                    prop_assert!(end.is_some_and(|e| e <= w[1].metadata.creation_timestamp),
                        "{} and {} overlap", w[0].metadata.name, w[1].metadata.name);
                }
            }
            let live = live_jobs(&sim);
            let count = |f: fn(Option<JobOutcome>) -> bool| {
                live.iter().filter(|j| f(j.status.outcome)).count() as i32
            };
            prop_assert!(count(|o| o == Some(JobOutcome::Complete)) <= cj.successful_jobs_history_limit);
            prop_assert!(count(|o| o.is_some_and(|o| o != JobOutcome::Complete)) <= cj.failed_jobs_history_limit);
            // Every running Job is active. (A finished one can be too, until
            // the next sync: upstream re-lists a finished Job whose name a
            // later start time reuses, as `@every 45s` does.)
            let store = sim.store();
            let active = &store.cron_job(store.cron_job_id("default", "p").unwrap()).status.active;
            for (id, j) in store.jobs() {
                let running = j.status.outcome.is_none() && j.metadata.deletion_timestamp.is_none();
                prop_assert!(!running || active.contains(&id), "{} runs, not active", j.metadata.name);
            }
        }
    }
}

/// Jobs count toward `maxObjects`: with room for the node and the CronJob
/// only, the first start stops the run with the object limit.
#[test]
fn object_limit_stops_the_run() {
    let mut inp = input(vec![cron("c", "* * * * *", "work:30s")], 600, 0);
    inp.config.limits.max_objects = 2;
    let mut sim = Simulation::new(inp).expect("node and CronJob fit");
    match sim.run(&mut Records::default()) {
        Err(SimError::Limit(LimitExceeded::Objects { limit: 2, at })) => assert_eq!(at, tick(60)),
        other => panic!("expected the object limit, got {other:?}"),
    }
}
