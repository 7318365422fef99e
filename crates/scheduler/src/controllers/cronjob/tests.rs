//! cronjob_controllerv2_test.go `TestControllerV2SyncCronJob`, ported as
//! data: one sync of a CronJob in a given state, checking Jobs created
//! and deleted, the active count, warnings and the requeue. Left out: the
//! invalid-schedule rows (kubesim refuses such a CronJob when it is
//! built, see `CronSchedule::parse`) and the rows about stale informer
//! caches (`jobStillNotFoundInLister`, `jobPresentInCJActiveStatus`, time
//! drift), which a simulation with one consistent store cannot have.
//! Also `TestGetJobFromTemplate2` (utils_test.go).

use super::utils::NEXT_SCHEDULE_DELTA;
use super::*;
use kubesim_core::kernel::wallclock::date;
use kubesim_core::{CronSchedule, EventType, JobStatus, JobTemplate, Labels};

use ConcurrencyPolicy::{Allow as A, Forbid as F, Replace as R};

const SHORT_DEAD: i64 = 10;
const MEDIUM_DEAD: i64 = 2 * 60 * 60;
const LONG_DEAD: i64 = 1_000_000;

fn utc(y: i64, mo: i64, d: i64, h: i64, mi: i64) -> i64 {
    date(y, mo, d, h, mi, 0)
}
fn just_after_the_prior_hour() -> i64 {
    utc(2016, 5, 19, 9, 1)
}
fn just_before_the_prior_hour() -> i64 {
    utc(2016, 5, 19, 8, 59)
}
fn just_after_the_hour() -> i64 {
    utc(2016, 5, 19, 10, 1)
}
fn just_before_the_hour() -> i64 {
    utc(2016, 5, 19, 9, 59)
}
fn week_after_the_hour() -> i64 {
    utc(2016, 5, 26, 10, 0)
}

fn labels(k: &str, v: &str) -> Labels {
    Labels::from([(k.to_string(), v.to_string())])
}

/// `cronJob()` of the upstream test.
fn cron_job(policy: ConcurrencyPolicy, suspend: bool, deadline: Option<i64>) -> CronJob {
    let meta = ObjectMeta {
        namespace: "snazzycats".into(),
        ..ObjectMeta::named("mycronjob")
    };
    let template = JobTemplate {
        labels: labels("a", "b"),
        annotations: labels("x", "y"),
        completions: Some(1),
        parallelism: Some(1),
        ..Default::default()
    };
    let schedule = CronSchedule::parse("0 * * * ?").unwrap();
    let mut cj = CronJob::new(meta, schedule, template);
    cj.concurrency_policy = policy;
    cj.suspend = suspend;
    cj.starting_deadline_s = deadline;
    cj
}

struct Row {
    name: &'static str,
    policy: ConcurrencyPolicy,
    suspend: bool,
    deadline: Option<i64>,
    ran_previously: bool,
    still_active: bool,
    now: i64,
    expect_create: bool,
    expect_delete: bool,
    expect_active: usize,
    expected_warnings: usize,
    expect_requeue: bool,
}

#[rustfmt::skip]
fn rows() -> Vec<Row> {
    let (t, f) = (true, false);
    let (before, after, week) = (just_before_the_hour(), just_after_the_hour(), week_after_the_hour());
    let late = after + 60 * (SHORT_DEAD + 1);
    let (no, short, medium, long) = (None, Some(SHORT_DEAD), Some(MEDIUM_DEAD), Some(LONG_DEAD));
    let r = |name, policy, suspend, deadline, ran_previously, still_active, now,
             expect_create, expect_delete, expect_active, expected_warnings, expect_requeue| Row {
        name, policy, suspend, deadline, ran_previously, still_active, now, expect_create,
        expect_delete, expect_active, expected_warnings, expect_requeue,
    };
    vec![
        r("never ran, not time, A", A, f, no, f, f, before, f, f, 0, 0, t),
        r("never ran, not time, F", F, f, no, f, f, before, f, f, 0, 0, t),
        r("never ran, not time, R", R, f, no, f, f, before, f, f, 0, 0, t),
        r("never ran, is time, A", A, f, no, f, f, after, t, f, 1, 0, t),
        r("never ran, is time, F", F, f, no, f, f, after, t, f, 1, 0, t),
        r("never ran, is time, R", R, f, no, f, f, after, t, f, 1, 0, t),
        r("never ran, is time, suspended", A, t, no, f, f, after, f, f, 0, 0, f),
        r("never ran, is time, past deadline", A, f, short, f, f, late, f, f, 0, 0, t),
        r("never ran, is time, not past deadline", A, f, long, f, f, after, t, f, 1, 0, t),
        r("prev ran but done, not time, A", A, f, no, t, f, before, f, f, 0, 0, t),
        r("prev ran but done, not time, F", F, f, no, t, f, before, f, f, 0, 0, t),
        r("prev ran but done, not time, R", R, f, no, t, f, before, f, f, 0, 0, t),
        r("prev ran but done, is time, A", A, f, no, t, f, after, t, f, 1, 0, t),
        r("prev ran but done, is time, F", F, f, no, t, f, after, t, f, 1, 0, t),
        r("prev ran but done, is time, R", R, f, no, t, f, after, t, f, 1, 0, t),
        r("prev ran but done, is time, suspended", A, t, no, t, f, after, f, f, 0, 0, f),
        r("prev ran but done, is time, past deadline", A, f, short, t, f, after, f, f, 0, 0, t),
        r("prev ran but done, is time, not past deadline", A, f, long, t, f, after, t, f, 1, 0, t),
        r("still active, not time, A", A, f, no, t, t, before, f, f, 1, 0, t),
        r("still active, not time, F", F, f, no, t, t, before, f, f, 1, 0, t),
        r("still active, not time, R", R, f, no, t, t, before, f, f, 1, 0, t),
        r("still active, is time, A", A, f, no, t, t, after, t, f, 2, 0, t),
        r("still active, is time, F", F, f, no, t, t, after, f, f, 1, 0, t),
        r("still active, is time, R", R, f, no, t, t, after, t, t, 1, 0, t),
        r("still active, is time, suspended", A, t, no, t, t, after, f, f, 1, 0, f),
        r("still active, is time, past deadline", A, f, short, t, t, after, f, f, 1, 0, t),
        r("still active, is time, not past deadline", A, f, long, t, t, after, t, f, 2, 0, t),
        r("prev ran but done, long overdue, not past deadline, A", A, f, long, t, f, week, t, f, 1, 1, t),
        r("prev ran but done, long overdue, not past deadline, R", R, f, long, t, f, week, t, f, 1, 1, t),
        r("prev ran but done, long overdue, not past deadline, F", F, f, long, t, f, week, t, f, 1, 1, t),
        r("prev ran but done, long overdue, no deadline, A", A, f, no, t, f, week, t, f, 1, 1, t),
        r("prev ran but done, long overdue, no deadline, R", R, f, no, t, f, week, t, f, 1, 1, t),
        r("prev ran but done, long overdue, no deadline, F", F, f, no, t, f, week, t, f, 1, 1, t),
        r("prev ran but done, long overdue, past medium deadline, A", A, f, medium, t, f, week, t, f, 1, 0, t),
        r("prev ran but done, long overdue, past short deadline, A", A, f, short, t, f, week, t, f, 1, 0, t),
        r("prev ran but done, long overdue, past medium deadline, R", R, f, medium, t, f, week, t, f, 1, 0, t),
        r("prev ran but done, long overdue, past short deadline, R", R, f, short, t, f, week, t, f, 1, 0, t),
        r("prev ran but done, long overdue, past medium deadline, F", F, f, medium, t, f, week, t, f, 1, 0, t),
        r("prev ran but done, long overdue, past short deadline, F", F, f, short, t, f, week, t, f, 1, 0, t),
    ]
}

/// A store holding the row's CronJob (created at simulated time 0, the
/// clock origin) and, if it ran before, its earlier Job.
fn setup(row: &Row) -> (Store, CronJobController, CronJobId, i64) {
    let origin = if row.ran_previously {
        just_before_the_prior_hour()
    } else {
        just_before_the_hour()
    };
    let mut store = Store::new(1000);
    let mut ctl = CronJobController::new(origin);
    let cj = cron_job(row.policy, row.suspend, row.deadline);
    let id = store.create_cron_job(cj, SimTime::ZERO).unwrap();
    ctl.add(id);
    if row.ran_previously {
        let prior = WallNs::from(just_after_the_prior_hour()) * NANOS;
        let cj = store.cron_job(id).clone();
        let s = SyncCtx {
            id,
            cj: &cj,
            object: String::new(),
            now: SimTime::ZERO,
            origin,
        };
        let job = job_from_template(&s, prior, get_job_name("mycronjob", prior));
        let j = store.create_job(job, SimTime::ZERO).unwrap();
        ctl.states[id.index()].as_mut().unwrap().jobs.insert(j);
        let mut status = cj.status.clone();
        status.last_schedule_time = s.sim(prior);
        if row.still_active {
            status.active.push(j);
        } else {
            store.set_job_status(
                j,
                JobStatus {
                    start_time: Some(SimTime::ZERO),
                    finished: Some(SimTime::from_secs(10)),
                    outcome: Some(JobOutcome::Complete),
                    succeeded: 1,
                    ..Default::default()
                },
            );
        }
        store.set_cron_job_status(id, status);
    }
    (store, ctl, id, origin)
}

#[test]
fn sync_cron_job_table() {
    let hourly = CronSchedule::parse("0 * * * ?").unwrap();
    for row in rows() {
        let (mut store, mut ctl, id, origin) = setup(&row);
        let before = store.job_count();
        let now = SimTime::from_secs((row.now - origin) as u64);
        let (mut events, mut timers) = (Vec::new(), Vec::new());
        let mut jobs = JobController::default();
        ctl.sync(&mut store, &mut jobs, id, now, &mut events, &mut timers)
            .unwrap();
        let name = row.name;
        let created = store.job_count() - before;
        assert_eq!(created, usize::from(row.expect_create), "{name}: created");
        let deleted = store
            .jobs()
            .any(|(_, j)| j.metadata.deletion_timestamp.is_some());
        assert_eq!(deleted, row.expect_delete, "{name}: deleted");
        let active = store.cron_job(id).status.active.len();
        assert_eq!(active, row.expect_active, "{name}: active");
        let warnings = events
            .iter()
            .filter(|e| e.kind == EventType::Warning)
            .count();
        assert_eq!(
            warnings, row.expected_warnings,
            "{name}: warnings {events:?}"
        );
        // `nextScheduledTimeDuration(sched, now)`: the next start after now.
        let requeue = row.expect_requeue.then(|| {
            let next = hourly.next(row.now, 0).unwrap();
            let at = SimTime::from_secs((next - origin) as u64) + NEXT_SCHEDULE_DELTA;
            (at, ControllerTimer::CronJobSync(id))
        });
        assert_eq!(timers, Vec::from_iter(requeue), "{name}: requeue");
        ctl.check_invariants(&store).unwrap();
    }
}

// Whole events of a sync that starts a Job, and the Job it creates
// (`TestGetJobFromTemplate2`: name prefix, labels, annotations with the
// scheduled timestamp, controller reference).
#[test]
fn created_job_and_events() {
    let row = rows()
        .into_iter()
        .find(|r| r.name == "still active, is time, R");
    let row = row.unwrap();
    let (mut store, mut ctl, id, origin) = setup(&row);
    let now = SimTime::from_secs((row.now - origin) as u64);
    let (mut events, mut timers) = (Vec::new(), Vec::new());
    let mut jobs = JobController::default();
    ctl.sync(&mut store, &mut jobs, id, now, &mut events, &mut timers)
        .unwrap();
    let msgs: Vec<(&str, &str)> = events
        .iter()
        .map(|e| (e.reason, e.message.as_str()))
        .collect();
    // 10:00 is minute 24394200 since the epoch; the old Job started 09:01.
    assert_eq!(
        msgs,
        [
            ("SuccessfulDelete", "Deleted job mycronjob-24394141"),
            ("SuccessfulCreate", "Created job mycronjob-24394200"),
        ]
    );
    assert!(events
        .iter()
        .all(|e| e.object == "cronjob/snazzycats/mycronjob"));
    let j = store.job_id("snazzycats", "mycronjob-24394200").unwrap();
    let job = store.job(j);
    assert_eq!(job.metadata.labels, labels("a", "b"));
    assert_eq!(job.metadata.annotations.len(), 2);
    assert_eq!(
        job.metadata.annotations[CRONJOB_SCHEDULED_TIMESTAMP_ANNOTATION],
        "2016-05-19T10:00:00Z"
    );
    let owner = job.metadata.controller_of().unwrap();
    assert_eq!(
        (owner.owner, owner.name.as_str()),
        (ObjectRef::CronJob(id), "mycronjob")
    );
    let cj = store.cron_job(id);
    let ten = SimTime::from_secs((utc(2016, 5, 19, 10, 0) - origin) as u64);
    assert_eq!(cj.status.last_schedule_time, Some(ten));
    assert_eq!(cj.status.active, [j]);
}

// A requeue replaced by an earlier one does nothing when it fires.
#[test]
fn superseded_requeue_is_ignored() {
    let row = rows().into_iter().next().unwrap();
    let (mut store, mut ctl, id, _) = setup(&row);
    let (mut events, mut timers) = (Vec::new(), Vec::new());
    let mut jobs = JobController::default();
    ctl.sync(
        &mut store,
        &mut jobs,
        id,
        SimTime::ZERO,
        &mut events,
        &mut timers,
    )
    .unwrap();
    let (at, _) = timers[0];
    // A second sync asks for the same time: no second timer.
    ctl.sync(
        &mut store,
        &mut jobs,
        id,
        SimTime::ZERO,
        &mut events,
        &mut timers,
    )
    .unwrap();
    assert_eq!(timers.len(), 1);
    let early = at - SimTime::from_secs(1);
    ctl.on_timer(&mut store, &mut jobs, id, early, &mut events, &mut timers)
        .unwrap();
    assert_eq!(store.job_count(), 0, "a stale timer synced");
    ctl.on_timer(&mut store, &mut jobs, id, at, &mut events, &mut timers)
        .unwrap();
    assert_eq!(store.job_count(), 1);
}
