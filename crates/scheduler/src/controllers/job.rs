//! The Job controller (pkg/controller/job/job_controller.go), for
//! non-indexed Jobs, and the TTL-after-finished controller
//! (pkg/controller/ttlafterfinished).
//!
//! A sync counts the Job's pods: active (neither finished nor being
//! deleted), succeeded, failed (with `restartPolicy: OnFailure`, container
//! restarts of active pods count as failures too). Then, in upstream's
//! order: more failures than `backoffLimit` fails the Job
//! (`BackoffLimitExceeded`); running past `activeDeadlineSeconds` fails it
//! (`DeadlineExceeded`); `completions` successes complete it; otherwise it
//! keeps `min(parallelism, completions − succeeded)` pods active — after a
//! failure, new pods wait the pod-failure back-off (10 s doubling per
//! failure since the last success, at most 10 minutes). A finished Job's
//! active pods are deleted; `ttlSecondsAfterFinished` later the Job itself
//! is deleted, and its pods with it (foreground cascading deletion as the
//! garbage collector does it).
//!
//! Events use upstream's wording: `SuccessfulCreate` (`Created pod: X`),
//! `SuccessfulDelete`, `Completed` (`Job completed`),
//! `BackoffLimitExceeded` (`Job has reached the specified backoff limit`),
//! `DeadlineExceeded` (`Job was active longer than specified deadline`).

use super::names::generate_pod_name;
use super::ControllerTimer;
use kubesim_core::{
    entity_rng, JobId, JobOutcome, KubeEvent, LimitExceeded, ObjectMeta, ObjectRef, OwnerReference,
    Pod, PodId, PodPhase, RestartPolicy, SimTime, Store, StoreError,
};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeSet;

/// `DefaultJobPodFailureBackOff`.
pub const JOB_POD_FAILURE_BACKOFF: SimTime = SimTime::from_secs(10);
/// `MaxJobPodFailureBackOff`.
pub const MAX_JOB_POD_FAILURE_BACKOFF: SimTime = SimTime::from_secs(600);

/// The pod-failure back-off after `failures` failures since the last
/// success: 10 s doubling, at most 10 minutes.
pub fn job_backoff(failures: u32) -> SimTime {
    if failures == 0 {
        return SimTime::ZERO;
    }
    let shift = (failures - 1).min(20);
    SimTime(JOB_POD_FAILURE_BACKOFF.0.saturating_mul(1 << shift)).min(MAX_JOB_POD_FAILURE_BACKOFF)
}

#[derive(Debug)]
struct JobState {
    pods: BTreeSet<PodId>,
    rng: ChaCha8Rng,
    /// Failures since the last success, and when the last one happened.
    failures_since_success: u32,
    last_failure: Option<SimTime>,
    /// Pods already counted as failed or succeeded.
    counted: BTreeSet<PodId>,
}

/// Every Job of a run, indexed by [`JobId`].
#[derive(Debug, Default)]
pub struct JobController {
    states: Vec<Option<JobState>>,
}

impl JobController {
    /// Takes over Job `id`.
    pub fn add(&mut self, store: &Store, id: JobId, seed: u64) {
        let j = store.job(id);
        let rng = entity_rng(
            seed,
            "job",
            &format!("{}/{}", j.metadata.namespace, j.metadata.name),
        );
        if self.states.len() <= id.index() {
            self.states.resize_with(id.index() + 1, || None);
        }
        self.states[id.index()] = Some(JobState {
            pods: BTreeSet::new(),
            rng,
            failures_since_success: 0,
            last_failure: None,
            counted: BTreeSet::new(),
        });
    }

    /// Whether this controller manages `id`.
    pub fn manages(&self, id: JobId) -> bool {
        matches!(self.states.get(id.index()), Some(Some(_)))
    }

    /// One sync of Job `id`.
    pub fn sync(
        &mut self,
        store: &mut Store,
        id: JobId,
        now: SimTime,
        events: &mut Vec<KubeEvent>,
        timers: &mut Vec<(SimTime, ControllerTimer)>,
    ) -> Result<(), LimitExceeded> {
        let Some(Some(st)) = self.states.get_mut(id.index()) else {
            return Ok(());
        };
        let job = store.job(id).clone();
        if job.metadata.deletion_timestamp.is_some() {
            return Ok(());
        }
        let object = format!("job/{}", job.metadata.qualified_name());
        let mut status = job.status.clone();
        if status.start_time.is_none() {
            status.start_time = Some(now);
            if let Some(d) = job.active_deadline_s {
                let at = now.saturating_add(SimTime::from_secs(d.max(0) as u64));
                timers.push((at, ControllerTimer::JobSync(id)));
            }
        }
        // Count, and learn the failures since the last success.
        let mut active = Vec::new();
        let (mut succeeded, mut failed) = (0i32, 0i32);
        for &p in &st.pods {
            let e = store.pod(p);
            match e.phase() {
                PodPhase::Succeeded if e.is_finished() && !e.is_deleting() => {
                    succeeded += 1;
                    if st.counted.insert(p) {
                        st.failures_since_success = 0;
                    }
                }
                PodPhase::Failed => {
                    failed += 1;
                    if st.counted.insert(p) {
                        st.failures_since_success += 1;
                        st.last_failure = e.times().finished.or(Some(now));
                    }
                }
                _ if !e.is_finished() && !e.is_deleting() => {
                    active.push(p);
                    if job.template.spec.restart_policy == RestartPolicy::OnFailure {
                        failed += e.restarts() as i32;
                    }
                }
                _ => {}
            }
        }
        status.active = active.len() as i32;
        status.succeeded = succeeded;
        status.failed = failed;
        if status.outcome.is_some() {
            store.set_job_status(id, status);
            return Ok(());
        }
        let started = status.start_time.unwrap_or(now);
        let outcome = if failed > job.backoff_limit {
            events.push(KubeEvent::warning(
                now,
                "BackoffLimitExceeded",
                object.clone(),
                "Job has reached the specified backoff limit".into(),
            ));
            Some(JobOutcome::BackoffLimitExceeded)
        } else if job
            .active_deadline_s
            .is_some_and(|d| now.saturating_sub(started) >= SimTime::from_secs(d.max(0) as u64))
        {
            events.push(KubeEvent::warning(
                now,
                "DeadlineExceeded",
                object.clone(),
                "Job was active longer than specified deadline".into(),
            ));
            Some(JobOutcome::DeadlineExceeded)
        } else {
            let done = match job.completions {
                Some(c) => succeeded >= c,
                None => succeeded > 0 && active.is_empty(),
            };
            done.then(|| {
                events.push(KubeEvent::normal(
                    now,
                    "Completed",
                    object.clone(),
                    "Job completed".into(),
                ));
                JobOutcome::Complete
            })
        };
        if let Some(outcome) = outcome {
            for &p in &active {
                events.push(KubeEvent::normal(
                    now,
                    "SuccessfulDelete",
                    object.clone(),
                    format!("Deleted pod: {}", store.pod(p).name()),
                ));
                store.delete_pod(p, now);
            }
            status.active = 0;
            status.outcome = Some(outcome);
            status.finished = Some(now);
            store.set_job_status(id, status);
            if let Some(ttl) = job.ttl_seconds_after_finished {
                let at = now.saturating_add(SimTime::from_secs(ttl.max(0) as u64));
                timers.push((at, ControllerTimer::JobTtl(id)));
            }
            return Ok(());
        }
        let want = match job.completions {
            Some(c) => job.parallelism.min(c - succeeded).max(0),
            None if succeeded > 0 => 0,
            None => job.parallelism.max(0),
        } as usize;
        if active.len() < want {
            // The pod-failure back-off since the last failure.
            if let Some(last) = st.last_failure {
                let ready_at = last.saturating_add(job_backoff(st.failures_since_success));
                if ready_at > now {
                    timers.push((ready_at, ControllerTimer::JobSync(id)));
                    store.set_job_status(id, status);
                    return Ok(());
                }
            }
            let n = want - active.len();
            store.check_room(n as u64, now)?;
            for _ in 0..n {
                let pod = new_pod(st, store, id, now)?;
                let name = pod.metadata.name.clone();
                let pid = store.create_pod(pod, now).map_err(|e| match e {
                    StoreError::Limit(l) => l,
                    other => panic!("creating a Job's pod: {other}"),
                })?;
                st.pods.insert(pid);
                status.active += 1;
                events.push(KubeEvent::normal(
                    now,
                    "SuccessfulCreate",
                    object.clone(),
                    format!("Created pod: {name}"),
                ));
            }
        } else if active.len() > want {
            for &p in active.iter().rev().take(active.len() - want) {
                events.push(KubeEvent::normal(
                    now,
                    "SuccessfulDelete",
                    object.clone(),
                    format!("Deleted pod: {}", store.pod(p).name()),
                ));
                store.delete_pod(p, now);
                status.active -= 1;
            }
        }
        store.set_job_status(id, status);
        Ok(())
    }

    /// TTL after finished: the Job is deleted, and its pods with it.
    pub fn expire(&mut self, store: &mut Store, id: JobId, now: SimTime) {
        let Some(Some(st)) = self.states.get_mut(id.index()) else {
            return;
        };
        if store.job(id).status.outcome.is_none() || !store.delete_job(id, now) {
            return;
        }
        delete_pods(st, store, now);
    }

    /// Deletes Job `id` and its pods (a CronJob's history limit, or its
    /// `Replace` policy).
    pub fn delete(&mut self, store: &mut Store, id: JobId, now: SimTime) {
        if !store.delete_job(id, now) {
            return;
        }
        if let Some(Some(st)) = self.states.get(id.index()) {
            delete_pods(st, store, now);
        }
    }

    /// Its pods (for checks).
    pub fn pods(&self, id: JobId) -> impl Iterator<Item = PodId> + '_ {
        self.states
            .get(id.index())
            .and_then(Option::as_ref)
            .into_iter()
            .flat_map(|s| s.pods.iter().copied())
    }

    /// A Job never runs more than `parallelism` pods at once.
    pub fn check_invariants(&self, store: &Store) -> Result<(), String> {
        for (i, st) in self.states.iter().enumerate() {
            let Some(st) = st else { continue };
            let job = store.job(JobId(i as u32));
            let active = st
                .pods
                .iter()
                .filter(|&&p| {
                    let e = store.pod(p);
                    !e.is_finished() && !e.is_deleting()
                })
                .count();
            if active > job.parallelism.max(0) as usize {
                return Err(format!(
                    "job {} has {active} active pods, parallelism {}",
                    job.metadata.name, job.parallelism
                ));
            }
        }
        Ok(())
    }
}

/// The garbage collector's part of deleting a Job: every pod goes,
/// running ones through graceful termination, ended ones at once.
fn delete_pods(st: &JobState, store: &mut Store, now: SimTime) {
    for &p in &st.pods {
        if store.pod(p).is_finished() {
            store.delete_finished_pod(p, now);
        } else {
            store.delete_pod(p, now);
        }
    }
}

fn new_pod(
    st: &mut JobState,
    store: &Store,
    id: JobId,
    now: SimTime,
) -> Result<Pod, LimitExceeded> {
    let job = store.job(id);
    let prefix = &job.metadata.name;
    let namespace = job.metadata.namespace_or_default();
    let name = generate_pod_name(
        &mut st.rng,
        store,
        namespace,
        prefix,
        &format!("pods of job {prefix}"),
        now,
    )?;
    let mut labels = job.template.labels.clone();
    labels.insert("batch.kubernetes.io/job-name".into(), prefix.clone());
    labels.insert("job-name".into(), prefix.clone());
    Ok(Pod {
        metadata: ObjectMeta {
            name,
            namespace: job.metadata.namespace.clone(),
            labels,
            annotations: job.template.annotations.clone(),
            owner_references: vec![OwnerReference {
                owner: ObjectRef::Job(id),
                name: prefix.clone(),
                controller: true,
            }],
            creation_timestamp: now,
            deletion_timestamp: None,
            deletion_grace_period_s: None,
            generation: 0,
        },
        spec: job.template.spec.clone(),
        status: Default::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // `DefaultJobPodFailureBackOff` doubling up to `MaxJobPodFailureBackOff`
    // (pkg/controller/job/job_controller.go, backoff_utils.go).
    #[test]
    fn backoff_sequence() {
        let secs: Vec<u64> = (0..9).map(|f| job_backoff(f).0 / 1_000_000_000).collect();
        assert_eq!(secs, [0, 10, 20, 40, 80, 160, 320, 600, 600]);
    }
}
