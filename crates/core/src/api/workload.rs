//! Workload objects: `PodTemplateSpec`, `apps/v1` Deployment and
//! ReplicaSet, `batch/v1` Job and CronJob, the parts kubesim models.
//! Controllers in `kubesim-scheduler` read them from the
//! [`Store`](super::Store) and write their changes back through it.

use crate::api::cron::{CronSchedule, TimeZone};
use crate::api::ids::JobId;
use crate::api::meta::{Labels, ObjectMeta};
use crate::api::pod::PodSpec;
use crate::api::selector::LabelSelector;
use crate::kernel::SimTime;

/// `v1.PodTemplateSpec`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PodTemplate {
    /// `template.metadata.labels`.
    pub labels: Labels,
    /// `template.metadata.annotations`.
    pub annotations: Labels,
    /// `template.spec`.
    pub spec: PodSpec,
}

/// `intstr.IntOrString` as `maxSurge` and `maxUnavailable` take it: a
/// number of pods or a percentage of `spec.replicas`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntOrPercent {
    /// A number of pods.
    Int(i32),
    /// A percentage (`"25%"` is `Percent(25)`).
    Percent(i32),
}

/// `apps/v1.DeploymentStrategy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeploymentStrategy {
    /// `Recreate`: every old pod is gone before new ones are created.
    Recreate,
    /// `RollingUpdate` with its `maxSurge` and `maxUnavailable`.
    RollingUpdate {
        /// `rollingUpdate.maxSurge` (default 25%).
        max_surge: IntOrPercent,
        /// `rollingUpdate.maxUnavailable` (default 25%).
        max_unavailable: IntOrPercent,
    },
}

/// `SetDefaults_Deployment` (pkg/apis/apps/v1/defaults.go): 25% and 25%.
pub const DEFAULT_ROLLING_UPDATE: DeploymentStrategy = DeploymentStrategy::RollingUpdate {
    max_surge: IntOrPercent::Percent(25),
    max_unavailable: IntOrPercent::Percent(25),
};
/// `SetDefaults_Deployment`: `revisionHistoryLimit`.
pub const DEFAULT_REVISION_HISTORY_LIMIT: i32 = 10;
/// `SetDefaults_Deployment`: `progressDeadlineSeconds`.
pub const DEFAULT_PROGRESS_DEADLINE_SECONDS: i32 = 600;

/// `apps/v1.Deployment`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployment {
    /// `metadata` (its annotations carry `deployment.kubernetes.io/revision`).
    pub metadata: ObjectMeta,
    /// `spec.replicas` (defaulted to 1).
    pub replicas: i32,
    /// `spec.selector`.
    pub selector: LabelSelector,
    /// `spec.template`.
    pub template: PodTemplate,
    /// `spec.strategy` (default RollingUpdate 25%/25%).
    pub strategy: DeploymentStrategy,
    /// `spec.minReadySeconds` (default 0).
    pub min_ready_seconds: i32,
    /// `spec.revisionHistoryLimit` (default 10).
    pub revision_history_limit: i32,
    /// `spec.progressDeadlineSeconds` (default 600; `None`: no deadline,
    /// as upstream's `math.MaxInt32`).
    pub progress_deadline_seconds: Option<i32>,
    /// `spec.paused`.
    pub paused: bool,
    /// `status`.
    pub status: DeploymentStatus,
}

impl Deployment {
    /// A Deployment with `SetDefaults_Deployment` applied to every field
    /// not given here.
    pub fn new(
        metadata: ObjectMeta,
        replicas: i32,
        selector: LabelSelector,
        template: PodTemplate,
    ) -> Self {
        Deployment {
            metadata,
            replicas,
            selector,
            template,
            strategy: DEFAULT_ROLLING_UPDATE,
            min_ready_seconds: 0,
            revision_history_limit: DEFAULT_REVISION_HISTORY_LIMIT,
            progress_deadline_seconds: Some(DEFAULT_PROGRESS_DEADLINE_SECONDS),
            paused: false,
            status: DeploymentStatus::default(),
        }
    }
}

/// `apps/v1.DeploymentCondition` (`Progressing` or `Available`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeploymentCondition {
    /// `status`: `True`, `False` or `Unknown`.
    pub status: &'static str,
    /// `reason` (`Progressing`: `NewReplicaSetCreated`,
    /// `FoundNewReplicaSet`, `ReplicaSetUpdated`, `NewReplicaSetAvailable`,
    /// `ProgressDeadlineExceeded`, `DeploymentPaused`, `DeploymentResumed`;
    /// `Available`: `MinimumReplicasAvailable`,
    /// `MinimumReplicasUnavailable`).
    pub reason: &'static str,
    /// `message`.
    pub message: String,
    /// `lastUpdateTime`.
    pub last_update_time: SimTime,
    /// `lastTransitionTime`.
    pub last_transition_time: SimTime,
}

/// `apps/v1.DeploymentStatus`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeploymentStatus {
    /// `observedGeneration`.
    pub observed_generation: i64,
    /// `replicas`: pods of all its ReplicaSets (not terminating).
    pub replicas: i32,
    /// `updatedReplicas`: pods of the new ReplicaSet.
    pub updated_replicas: i32,
    /// `readyReplicas`.
    pub ready_replicas: i32,
    /// `availableReplicas`: ready for at least `minReadySeconds`.
    pub available_replicas: i32,
    /// `unavailableReplicas`.
    pub unavailable_replicas: i32,
    /// `terminatingReplicas`: the sum of its ReplicaSets' (1.35).
    pub terminating_replicas: i32,
    /// The `Progressing` condition.
    pub progressing: Option<DeploymentCondition>,
    /// The `Available` condition: `MinimumReplicasAvailable` or
    /// `MinimumReplicasUnavailable`.
    pub available: Option<DeploymentCondition>,
}

/// `apps/v1.ReplicaSetStatus`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReplicaSetStatus {
    /// `replicas`: its pods that are not terminating nor finished.
    pub replicas: i32,
    /// `readyReplicas`.
    pub ready_replicas: i32,
    /// `availableReplicas`.
    pub available_replicas: i32,
    /// `terminatingReplicas`: its pods whose deletion started and that
    /// have not stopped yet (feature `DeploymentReplicaSetTerminatingReplicas`,
    /// beta and on by default in 1.35).
    pub terminating_replicas: i32,
}

/// `apps/v1.ReplicaSet`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicaSet {
    /// `metadata` (named `<deployment>-<pod-template-hash>`, owned by its
    /// Deployment; annotations carry its revision).
    pub metadata: ObjectMeta,
    /// `spec.replicas`.
    pub replicas: i32,
    /// `spec.minReadySeconds` (copied from its Deployment).
    pub min_ready_seconds: i32,
    /// `spec.selector`.
    pub selector: LabelSelector,
    /// `spec.template`, with the `pod-template-hash` label.
    pub template: PodTemplate,
    /// `status`.
    pub status: ReplicaSetStatus,
}

/// `batch/v1.Job`, the parts kubesim models (a non-indexed Job).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// `metadata`.
    pub metadata: ObjectMeta,
    /// `spec.completions` (`None`: a work queue, done when one pod
    /// succeeds and none is running).
    pub completions: Option<i32>,
    /// `spec.parallelism` (default 1).
    pub parallelism: i32,
    /// `spec.backoffLimit` (default 6).
    pub backoff_limit: i32,
    /// `spec.activeDeadlineSeconds`.
    pub active_deadline_s: Option<i64>,
    /// `spec.ttlSecondsAfterFinished`.
    pub ttl_seconds_after_finished: Option<i32>,
    /// `spec.template`.
    pub template: PodTemplate,
    /// `status`.
    pub status: JobStatus,
}

/// Why a Job ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobOutcome {
    /// `Complete`.
    Complete,
    /// `Failed`, `BackoffLimitExceeded`.
    BackoffLimitExceeded,
    /// `Failed`, `DeadlineExceeded`.
    DeadlineExceeded,
}

/// `batch/v1.JobStatus`, the parts kubesim models.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobStatus {
    /// Pods running or pending.
    pub active: i32,
    /// Pods that succeeded.
    pub succeeded: i32,
    /// Pods that failed.
    pub failed: i32,
    /// `startTime`.
    pub start_time: Option<SimTime>,
    /// When it ended (`completionTime` for Complete).
    pub finished: Option<SimTime>,
    /// Its terminal condition.
    pub outcome: Option<JobOutcome>,
}

/// `SetDefaults_Job` (pkg/apis/batch/v1/defaults.go): backoffLimit 6,
/// parallelism 1, and completions 1 when neither is given.
pub const DEFAULT_JOB_BACKOFF_LIMIT: i32 = 6;

/// `batch/v1.JobTemplateSpec`: what a CronJob stamps its Jobs from. The
/// optional fields are defaulted per Job, when it is created
/// ([`JobTemplate::job`]), as the API server defaults a new Job.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct JobTemplate {
    /// `jobTemplate.metadata.labels` (copied to each Job).
    pub labels: Labels,
    /// `jobTemplate.metadata.annotations` (copied to each Job).
    pub annotations: Labels,
    /// `spec.completions`.
    pub completions: Option<i32>,
    /// `spec.parallelism`.
    pub parallelism: Option<i32>,
    /// `spec.backoffLimit`.
    pub backoff_limit: Option<i32>,
    /// `spec.activeDeadlineSeconds`.
    pub active_deadline_s: Option<i64>,
    /// `spec.ttlSecondsAfterFinished`.
    pub ttl_seconds_after_finished: Option<i32>,
    /// `spec.template`.
    pub template: PodTemplate,
}

impl JobTemplate {
    /// A Job with this spec and `metadata`, defaulted by `SetDefaults_Job`
    /// (pkg/apis/batch/v1/defaults.go): completions and parallelism 1 when
    /// neither is set, parallelism 1, backoffLimit 6.
    pub fn job(&self, metadata: ObjectMeta) -> Job {
        let completions = match (self.completions, self.parallelism) {
            (None, None) => Some(1),
            (c, _) => c,
        };
        Job {
            metadata,
            completions,
            parallelism: self.parallelism.unwrap_or(1),
            backoff_limit: self.backoff_limit.unwrap_or(DEFAULT_JOB_BACKOFF_LIMIT),
            active_deadline_s: self.active_deadline_s,
            ttl_seconds_after_finished: self.ttl_seconds_after_finished,
            template: self.template.clone(),
            status: JobStatus::default(),
        }
    }
}

/// `spec.concurrencyPolicy` of a CronJob.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ConcurrencyPolicy {
    /// `Allow` (the default): Jobs may overlap.
    #[default]
    Allow,
    /// `Forbid`: skip a run while the previous one is active.
    Forbid,
    /// `Replace`: delete the active Jobs and start the new one.
    Replace,
}

/// `SetDefaults_CronJob` (pkg/apis/batch/v1/defaults.go):
/// `successfulJobsHistoryLimit`.
pub const DEFAULT_SUCCESSFUL_JOBS_HISTORY_LIMIT: i32 = 3;
/// `SetDefaults_CronJob`: `failedJobsHistoryLimit`.
pub const DEFAULT_FAILED_JOBS_HISTORY_LIMIT: i32 = 1;

/// `batch/v1.CronJob`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CronJob {
    /// `metadata`.
    pub metadata: ObjectMeta,
    /// `spec.schedule`, parsed.
    pub schedule: CronSchedule,
    /// `spec.timeZone` (`None`: kube-controller-manager's zone, UTC).
    pub time_zone: Option<TimeZone>,
    /// `spec.startingDeadlineSeconds`.
    pub starting_deadline_s: Option<i64>,
    /// `spec.concurrencyPolicy` (default `Allow`).
    pub concurrency_policy: ConcurrencyPolicy,
    /// `spec.suspend` (default false).
    pub suspend: bool,
    /// `spec.successfulJobsHistoryLimit` (default 3).
    pub successful_jobs_history_limit: i32,
    /// `spec.failedJobsHistoryLimit` (default 1).
    pub failed_jobs_history_limit: i32,
    /// `spec.jobTemplate`.
    pub job_template: JobTemplate,
    /// `status`.
    pub status: CronJobStatus,
}

impl CronJob {
    /// A CronJob with `SetDefaults_CronJob` applied: concurrency `Allow`,
    /// not suspended, history limits 3 and 1, no deadline, UTC.
    pub fn new(metadata: ObjectMeta, schedule: CronSchedule, job_template: JobTemplate) -> Self {
        CronJob {
            metadata,
            schedule,
            time_zone: None,
            starting_deadline_s: None,
            concurrency_policy: ConcurrencyPolicy::Allow,
            suspend: false,
            successful_jobs_history_limit: DEFAULT_SUCCESSFUL_JOBS_HISTORY_LIMIT,
            failed_jobs_history_limit: DEFAULT_FAILED_JOBS_HISTORY_LIMIT,
            job_template,
            status: CronJobStatus::default(),
        }
    }

    /// Seconds east of UTC its schedule runs in.
    pub fn offset_s(&self) -> i32 {
        self.time_zone.as_ref().map_or(0, TimeZone::offset_s)
    }
}

/// `batch/v1.CronJobStatus`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CronJobStatus {
    /// `active`: its Jobs that have not finished, in creation order.
    pub active: Vec<JobId>,
    /// `lastScheduleTime`: the scheduled time of the last Job it started.
    pub last_schedule_time: Option<SimTime>,
    /// `lastSuccessfulTime`: when its last Job completed.
    pub last_successful_time: Option<SimTime>,
}

#[cfg(test)]
mod tests {
    use super::*;

    // `SetDefaults_Job` cases (pkg/apis/batch/v1/defaults_test.go
    // `TestSetDefaultJob`: "Both completions and parallelism unset",
    // "parallelism set", "completions set").
    #[test]
    fn job_template_defaults() {
        let t = JobTemplate::default();
        let j = t.job(ObjectMeta::named("j"));
        assert_eq!(
            (j.completions, j.parallelism, j.backoff_limit),
            (Some(1), 1, 6)
        );
        let t = JobTemplate {
            parallelism: Some(3),
            ..Default::default()
        };
        let j = t.job(ObjectMeta::named("j"));
        assert_eq!((j.completions, j.parallelism), (None, 3));
        let t = JobTemplate {
            completions: Some(5),
            backoff_limit: Some(0),
            ..Default::default()
        };
        let j = t.job(ObjectMeta::named("j"));
        assert_eq!(
            (j.completions, j.parallelism, j.backoff_limit),
            (Some(5), 1, 0)
        );
    }

    // `SetDefaults_CronJob`.
    #[test]
    fn cron_job_defaults() {
        let s = CronSchedule::parse("* * * * *").unwrap();
        let cj = CronJob::new(ObjectMeta::named("c"), s, JobTemplate::default());
        assert_eq!(cj.concurrency_policy, ConcurrencyPolicy::Allow);
        assert!(!cj.suspend);
        assert_eq!(
            (
                cj.successful_jobs_history_limit,
                cj.failed_jobs_history_limit
            ),
            (3, 1)
        );
        assert_eq!(cj.offset_s(), 0);
    }
}
