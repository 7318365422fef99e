//! The CronJob controller (pkg/controller/cronjob/cronjob_controllerv2.go,
//! `ControllerV2`), with the schedule arithmetic of utils.go in
//! [`utils`].
//!
//! A sync, as upstream's `sync`: first `cleanupFinishedJobs` deletes the
//! oldest finished Jobs beyond `successfulJobsHistoryLimit` and
//! `failedJobsHistoryLimit` (oldest by start time, then name); then
//! `syncCronJob` drops finished Jobs from `status.active`
//! (`SawCompletedJob`), records `lastSuccessfulTime`, drops Jobs that
//! went missing (`MissingJob`), and — unless suspended — asks for the
//! most recent unmet start time (`nextScheduleTime`): too late for
//! `startingDeadlineSeconds` (`MissSchedule`), already started, or
//! blocked by `Forbid` while a Job is active (`JobAlreadyActive`) it
//! skips; under `Replace` it deletes the active Jobs; then it creates the
//! Job `<cronjob>-<minutes since the epoch>` from the template
//! (`SuccessfulCreate`) and sets `lastScheduleTime`.
//!
//! When: upstream's workqueue syncs a CronJob when it is added, when one
//! of its Jobs is added, updated or deleted, and `requeueAfter` each sync
//! returns — the next start time plus 100 ms. kubesim syncs when the
//! CronJob is added, when one of its Jobs is created or finishes, and at
//! the requeue, kept as upstream's delaying queue keeps it: one pending
//! entry per CronJob, the earliest. There is no per-minute tick. The
//! syncs kubesim leaves out (every status update of a Job, a Job's TTL
//! deletion) change nothing upstream but can repeat a `JobAlreadyActive`
//! event.
//!
//! Time: schedules follow the wall clock. Simulated time 0 is the instant
//! `clock_origin_unix_s` in UTC (`SimulationConfig::clock_origin_unix_s`);
//! the controller converts both ways.
//!
//! Ownership: the store owns CronJobs and Jobs; this controller owns only
//! its index of each CronJob's Jobs and its pending requeue. Jobs are run
//! by the Job controller, which also deletes them (with their pods) when
//! asked.

pub mod utils;

use super::{ControllerTimer, JobController};
use kubesim_core::kernel::wallclock::{format_rfc1123z, format_rfc3339};
use kubesim_core::{
    ConcurrencyPolicy, CronJob, CronJobId, CronJobStatus, JobId, JobOutcome, KubeEvent,
    LimitExceeded, ObjectMeta, ObjectRef, OwnerReference, SimTime, Store, StoreError,
};
use std::collections::BTreeSet;
use utils::{
    by_job_start_time, get_job_name, next_schedule_time, next_schedule_time_requeue,
    MissedSchedules, Schedule, ScheduleState, WallNs, NANOS,
};

/// `batch.kubernetes.io/cronjob-scheduled-timestamp`: the scheduled time
/// of a CronJob's Job, RFC 3339 in the CronJob's zone
/// (`CronJobsScheduledAnnotation`).
pub const CRONJOB_SCHEDULED_TIMESTAMP_ANNOTATION: &str =
    "batch.kubernetes.io/cronjob-scheduled-timestamp";

#[derive(Debug, Default)]
struct CronJobState {
    /// Its Jobs, until seen deleted: what upstream lists by controller ref.
    jobs: BTreeSet<JobId>,
    /// When the one pending requeue fires.
    requeue_at: Option<SimTime>,
}

/// Every CronJob of a run, indexed by [`CronJobId`].
#[derive(Debug, Default)]
pub struct CronJobController {
    clock_origin_unix_s: i64,
    states: Vec<Option<CronJobState>>,
}

/// One sync's fixed inputs.
struct SyncCtx<'a> {
    id: CronJobId,
    cj: &'a CronJob,
    /// `cronjob/NAME`, the events' object.
    object: String,
    now: SimTime,
    /// Simulated time 0, in seconds since the Unix epoch.
    origin: i64,
}

/// What became of a start time.
enum Started {
    /// Requeue for the next start time.
    Requeue,
    /// Upstream returns without a requeue (a Job of that name exists and
    /// is active, or is not this CronJob's).
    Stop,
}

impl CronJobController {
    /// A controller whose simulated time 0 is `clock_origin_unix_s`
    /// seconds after 1970-01-01T00:00:00Z.
    pub fn new(clock_origin_unix_s: i64) -> Self {
        CronJobController {
            clock_origin_unix_s,
            states: Vec::new(),
        }
    }

    /// Takes over CronJob `id`.
    pub fn add(&mut self, id: CronJobId) {
        if self.states.len() <= id.index() {
            self.states.resize_with(id.index() + 1, || None);
        }
        self.states[id.index()] = Some(CronJobState::default());
    }

    /// Its Jobs not seen deleted (for checks and tests).
    pub fn jobs(&self, id: CronJobId) -> impl Iterator<Item = JobId> + '_ {
        self.states
            .get(id.index())
            .and_then(Option::as_ref)
            .into_iter()
            .flat_map(|s| s.jobs.iter().copied())
    }

    /// A `CronJobSync` timer: syncs unless a sooner requeue replaced it.
    pub fn on_timer(
        &mut self,
        store: &mut Store,
        jobs: &mut JobController,
        id: CronJobId,
        now: SimTime,
        events: &mut Vec<KubeEvent>,
        timers: &mut Vec<(SimTime, ControllerTimer)>,
    ) -> Result<(), LimitExceeded> {
        let Some(Some(st)) = self.states.get_mut(id.index()) else {
            return Ok(());
        };
        if st.requeue_at != Some(now) {
            return Ok(());
        }
        st.requeue_at = None;
        self.sync(store, jobs, id, now, events, timers)
    }

    /// One sync of CronJob `id` (upstream's `sync`).
    pub fn sync(
        &mut self,
        store: &mut Store,
        jobs: &mut JobController,
        id: CronJobId,
        now: SimTime,
        events: &mut Vec<KubeEvent>,
        timers: &mut Vec<(SimTime, ControllerTimer)>,
    ) -> Result<(), LimitExceeded> {
        let cj = store.cron_job(id).clone();
        let s = SyncCtx {
            id,
            cj: &cj,
            object: format!("cronjob/{}", cj.metadata.qualified_name()),
            now,
            origin: self.clock_origin_unix_s,
        };
        let Some(Some(st)) = self.states.get_mut(id.index()) else {
            return Ok(());
        };
        // The lister's view: Jobs whose deletion started are gone.
        st.jobs
            .retain(|&j| store.job(j).metadata.deletion_timestamp.is_none());
        let mut status = cj.status.clone();
        cleanup_finished_jobs(&s, st, store, jobs, &mut status, events);
        let requeue = sync_cron_job(&s, st, store, jobs, &mut status, events)?;
        store.set_cron_job_status(id, status);
        if let Some(at) = requeue.and_then(|w| s.sim(w)) {
            // The next start time is after now, and the delta is positive.
            debug_assert!(at > now, "requeue at {at} is not after {now}");
            self.requeue(id, at, timers);
        }
        Ok(())
    }

    /// The delaying queue's `AddAfter`: one pending entry, the earliest.
    fn requeue(
        &mut self,
        id: CronJobId,
        at: SimTime,
        timers: &mut Vec<(SimTime, ControllerTimer)>,
    ) {
        let Some(Some(st)) = self.states.get_mut(id.index()) else {
            return;
        };
        if st.requeue_at.is_some_and(|t| t <= at) {
            return;
        }
        st.requeue_at = Some(at);
        timers.push((at, ControllerTimer::CronJobSync(id)));
    }

    /// The controller's own invariants against the store: `status.active`
    /// lists distinct Jobs of this CronJob; every live unfinished Job of it
    /// is active; under `Forbid` at most one is; after every sync the
    /// finished Jobs kept are within the history limits.
    pub fn check_invariants(&self, store: &Store) -> Result<(), String> {
        for (i, st) in self.states.iter().enumerate() {
            let Some(st) = st else { continue };
            let id = CronJobId(i as u32);
            check_cron_job(id, st, store)?;
        }
        Ok(())
    }
}

/// `syncCronJob`: returns the wall-clock instant to requeue at.
fn sync_cron_job(
    s: &SyncCtx<'_>,
    st: &mut CronJobState,
    store: &mut Store,
    jobs: &mut JobController,
    status: &mut CronJobStatus,
    events: &mut Vec<KubeEvent>,
) -> Result<Option<WallNs>, LimitExceeded> {
    reconcile_active(s, st, store, status, events);
    if s.cj.suspend {
        return Ok(None);
    }
    let state = ScheduleState {
        creation: s.wall(s.cj.metadata.creation_timestamp),
        last_schedule: status.last_schedule_time.map(|t| s.wall(t)),
        starting_deadline_s: s.cj.starting_deadline_s,
    };
    let sched = Schedule {
        schedule: &s.cj.schedule,
        offset_s: s.cj.offset_s(),
    };
    let now = s.wall(s.now);
    let scheduled = match next_schedule_time(&state, now, sched) {
        Err(e) => {
            let msg = format!("invalid schedule: {} : {e}", s.cj.schedule);
            events.push(s.warning("InvalidSchedule", msg));
            return Ok(None);
        }
        Ok(None) => return Ok(next_schedule_time_requeue(&state, now, sched)),
        Ok(Some((t, missed))) => {
            if missed == MissedSchedules::Many {
                events.push(s.warning("TooManyMissedTimes", TOO_MANY_MISSED.into()));
            }
            t
        }
    };
    match start(s, st, store, jobs, status, scheduled, events)? {
        // After a start the requeue follows the new lastScheduleTime.
        Started::Requeue => {
            let state = ScheduleState {
                last_schedule: status.last_schedule_time.map(|t| s.wall(t)),
                ..state
            };
            Ok(next_schedule_time_requeue(&state, now, sched))
        }
        Started::Stop => Ok(None),
    }
}

fn check_cron_job(id: CronJobId, st: &CronJobState, store: &Store) -> Result<(), String> {
    let cj = store.cron_job(id);
    let name = &cj.metadata.name;
    let active = &cj.status.active;
    let distinct: BTreeSet<_> = active.iter().collect();
    if distinct.len() != active.len() || active.iter().any(|j| !st.jobs.contains(j)) {
        return Err(format!(
            "cronjob {name}: active list {active:?} is not its Jobs"
        ));
    }
    if cj.concurrency_policy == ConcurrencyPolicy::Forbid && active.len() > 1 {
        return Err(format!(
            "cronjob {name}: {} active Jobs under Forbid",
            active.len()
        ));
    }
    let (mut ok, mut failed) = (0, 0);
    for &j in &st.jobs {
        let job = store.job(j);
        if job.metadata.deletion_timestamp.is_some() {
            continue;
        }
        match job.status.outcome {
            None if !active.contains(&j) => {
                return Err(format!(
                    "cronjob {name}: running Job {} not active",
                    job.metadata.name
                ))
            }
            None => {}
            Some(JobOutcome::Complete) => ok += 1,
            Some(_) => failed += 1,
        }
    }
    let (ok_max, failed_max) = (
        cj.successful_jobs_history_limit.max(0),
        cj.failed_jobs_history_limit.max(0),
    );
    if ok > ok_max || failed > failed_max {
        return Err(format!(
            "cronjob {name}: keeps {ok} complete and {failed} failed Jobs, limits {ok_max} and {failed_max}"
        ));
    }
    Ok(())
}

/// `nextScheduleTime`'s warning.
const TOO_MANY_MISSED: &str =
    "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew";

impl SyncCtx<'_> {
    /// The wall-clock instant of simulated time `t`.
    fn wall(&self, t: SimTime) -> WallNs {
        WallNs::from(self.origin) * NANOS + WallNs::from(t.as_nanos())
    }
    /// The simulated time of a wall-clock instant, if not before the
    /// origin (nor past the end of simulated time).
    fn sim(&self, w: WallNs) -> Option<SimTime> {
        let since = w - WallNs::from(self.origin) * NANOS;
        u64::try_from(since).ok().map(SimTime::from_nanos)
    }
    fn normal(&self, reason: &'static str, message: String) -> KubeEvent {
        KubeEvent::normal(self.now, reason, self.object.clone(), message)
    }
    fn warning(&self, reason: &'static str, message: String) -> KubeEvent {
        KubeEvent::warning(self.now, reason, self.object.clone(), message)
    }
}

/// `cleanupFinishedJobs`: per outcome, the oldest finished Jobs beyond
/// the history limit are deleted.
fn cleanup_finished_jobs(
    s: &SyncCtx<'_>,
    st: &mut CronJobState,
    store: &mut Store,
    jobs: &mut JobController,
    status: &mut CronJobStatus,
    events: &mut Vec<KubeEvent>,
) {
    let (mut ok, mut failed) = (Vec::new(), Vec::new());
    for &j in &st.jobs {
        match store.job(j).status.outcome {
            Some(JobOutcome::Complete) => ok.push(j),
            Some(_) => failed.push(j),
            None => {}
        }
    }
    for (finished, limit) in [
        (ok, s.cj.successful_jobs_history_limit),
        (failed, s.cj.failed_jobs_history_limit),
    ] {
        for j in oldest_beyond_limit(store, finished, limit) {
            delete_job(s, st, store, jobs, status, j, events);
        }
    }
}

/// `removeOldestJobs`: which of `finished` to delete, oldest first.
fn oldest_beyond_limit(store: &Store, mut finished: Vec<JobId>, limit: i32) -> Vec<JobId> {
    let excess = finished.len().saturating_sub(limit.max(0) as usize);
    if excess == 0 {
        // As upstream (`numToDelete <= 0`): nothing to sort when within
        // the limit — a CronJob keeping a long history would otherwise
        // sort all of it on every sync.
        return Vec::new();
    }
    finished.sort_by_cached_key(|&j| {
        let job = store.job(j);
        by_job_start_time(job.status.start_time, &job.metadata.name)
    });
    finished.truncate(excess);
    finished
}

/// `deleteJob`: the Job (and, as the garbage collector would, its pods),
/// and its entry in the active list.
fn delete_job(
    s: &SyncCtx<'_>,
    st: &mut CronJobState,
    store: &mut Store,
    jobs: &mut JobController,
    status: &mut CronJobStatus,
    j: JobId,
    events: &mut Vec<KubeEvent>,
) {
    let name = store.job(j).metadata.name.clone();
    jobs.delete(store, j, s.now);
    st.jobs.remove(&j);
    status.active.retain(|&a| a != j);
    events.push(s.normal("SuccessfulDelete", format!("Deleted job {name}")));
}

/// The first half of `syncCronJob`: finished Jobs leave the active list
/// (`SawCompletedJob`) and set `lastSuccessfulTime`; active Jobs that no
/// longer exist leave it too (`MissingJob`).
fn reconcile_active(
    s: &SyncCtx<'_>,
    st: &CronJobState,
    store: &Store,
    status: &mut CronJobStatus,
    events: &mut Vec<KubeEvent>,
) {
    for &j in &st.jobs {
        let job = store.job(j);
        let Some(outcome) = job.status.outcome else {
            continue;
        };
        if status.active.contains(&j) {
            status.active.retain(|&a| a != j);
            let condition = match outcome {
                JobOutcome::Complete => "Complete",
                _ => "Failed",
            };
            let msg = format!(
                "Saw completed job: {}, condition: {condition}",
                job.metadata.name
            );
            events.push(s.normal("SawCompletedJob", msg));
        }
        if outcome == JobOutcome::Complete {
            let done = job.status.finished;
            if status.last_successful_time.is_none() || done > status.last_successful_time {
                status.last_successful_time = done;
            }
        }
    }
    let missing: Vec<JobId> = (status.active.iter())
        .filter(|j| !st.jobs.contains(j))
        .copied()
        .collect();
    for j in missing {
        let name = &store.job(j).metadata.name;
        events.push(s.normal("MissingJob", format!("Active job went missing: {name}")));
        status.active.retain(|&a| a != j);
    }
}

/// The second half of `syncCronJob`, from a due start time on.
fn start(
    s: &SyncCtx<'_>,
    st: &mut CronJobState,
    store: &mut Store,
    jobs: &mut JobController,
    status: &mut CronJobStatus,
    scheduled: WallNs,
    events: &mut Vec<KubeEvent>,
) -> Result<Started, LimitExceeded> {
    if let Some(sds) = s.cj.starting_deadline_s {
        if scheduled + WallNs::from(sds) * NANOS < s.wall(s.now) {
            let at = format_rfc1123z(scheduled.div_euclid(NANOS) as i64);
            let msg = format!("Missed scheduled time to start a job: {at}");
            events.push(s.warning("MissSchedule", msg));
            return Ok(Started::Requeue);
        }
    }
    let name = get_job_name(&s.cj.metadata.name, scheduled);
    let processed = status
        .active
        .iter()
        .any(|&j| store.job(j).metadata.name == name)
        || status.last_schedule_time.map(|t| s.wall(t)) == Some(scheduled);
    if processed {
        return Ok(Started::Requeue);
    }
    if s.cj.concurrency_policy == ConcurrencyPolicy::Forbid && !status.active.is_empty() {
        let msg =
            "Not starting job because prior execution is running and concurrency policy is Forbid";
        events.push(s.normal("JobAlreadyActive", msg.into()));
        return Ok(Started::Requeue);
    }
    if s.cj.concurrency_policy == ConcurrencyPolicy::Replace {
        for j in status.active.clone() {
            delete_job(s, st, store, jobs, status, j, events);
        }
    }
    create_job(s, st, store, status, scheduled, name, events)
}

/// `getJobFromTemplate2` and `CreateJob`, with upstream's handling of a
/// name that exists (`IsAlreadyExists`).
fn create_job(
    s: &SyncCtx<'_>,
    st: &mut CronJobState,
    store: &mut Store,
    status: &mut CronJobStatus,
    scheduled: WallNs,
    name: String,
    events: &mut Vec<KubeEvent>,
) -> Result<Started, LimitExceeded> {
    let namespace = s.cj.metadata.namespace_or_default().to_string();
    let job = job_from_template(s, scheduled, name.clone());
    let jid = match store.create_job(job, s.now) {
        Ok(jid) => {
            events.push(s.normal("SuccessfulCreate", format!("Created job {name}")));
            st.jobs.insert(jid);
            jid
        }
        Err(StoreError::AlreadyExists { .. }) => {
            // Ours but not active: add it back to the list (upstream's
            // recovery after a lost status update). Someone else's: stop.
            let existing = store.job_id(&namespace, &name);
            match existing.filter(|j| st.jobs.contains(j)) {
                Some(j) if status.active.contains(&j) => return Ok(Started::Stop),
                Some(j) => j,
                None => return Ok(Started::Stop),
            }
        }
        Err(StoreError::Limit(l)) => return Err(l),
        Err(_) => {
            return Err(LimitExceeded::Objects {
                limit: store.max_objects(),
                at: s.now,
            })
        }
    };
    status.active.push(jid);
    // Start times come after the CronJob's creation, so after the origin.
    let at = s.sim(scheduled);
    debug_assert!(at.is_some(), "start time before the clock origin");
    status.last_schedule_time = Some(at.unwrap_or(s.now));
    Ok(Started::Requeue)
}

/// `getJobFromTemplate2`: the template's labels and annotations, the
/// scheduled-timestamp annotation, a controller reference to the
/// CronJob, the template's spec with `SetDefaults_Job`.
fn job_from_template(s: &SyncCtx<'_>, scheduled: WallNs, name: String) -> kubesim_core::Job {
    let t = &s.cj.job_template;
    let mut annotations = t.annotations.clone();
    let unix_s = scheduled.div_euclid(NANOS) as i64;
    annotations.insert(
        CRONJOB_SCHEDULED_TIMESTAMP_ANNOTATION.into(),
        format_rfc3339(unix_s, s.cj.offset_s()),
    );
    let metadata = ObjectMeta {
        name,
        namespace: s.cj.metadata.namespace.clone(),
        labels: t.labels.clone(),
        annotations,
        owner_references: vec![OwnerReference {
            owner: ObjectRef::CronJob(s.id),
            name: s.cj.metadata.name.clone(),
            controller: true,
        }],
        ..Default::default()
    };
    t.job(metadata)
}

#[cfg(test)]
mod tests;
