//! Workload objects: `PodTemplateSpec`, `apps/v1` Deployment and
//! ReplicaSet, the parts kubesim models. Controllers in
//! `kubesim-scheduler` read them from the [`Store`](super::Store) and
//! write their changes back through it.

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

/// `apps/v1.Deployment`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployment {
    /// `metadata`.
    pub metadata: ObjectMeta,
    /// `spec.replicas` (defaulted to 1).
    pub replicas: i32,
    /// `spec.selector`.
    pub selector: LabelSelector,
    /// `spec.template`.
    pub template: PodTemplate,
}

/// `apps/v1.ReplicaSet`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicaSet {
    /// `metadata` (named `<deployment>-<pod-template-hash>`, owned by its
    /// Deployment).
    pub metadata: ObjectMeta,
    /// `spec.replicas`.
    pub replicas: i32,
    /// `spec.selector`.
    pub selector: LabelSelector,
    /// `spec.template`, with the `pod-template-hash` label.
    pub template: PodTemplate,
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
