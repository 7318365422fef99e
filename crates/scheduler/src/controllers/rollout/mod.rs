//! Argo Rollouts (`argoproj.io/v1alpha1`): the canary and blue-green
//! strategies and the analysis that can abort them.
//!
//! The module owns the Rollout controller:
//!
//! - [`controller`]: `syncHandler` — ReplicaSets per template revision
//!   (`rollouts-pod-template-hash`, `rollout.argoproj.io/revision`),
//!   status, pause conditions, abort, `revisionHistoryLimit` cleanup; the
//!   [`Strategy`] trait.
//! - [`canary`] and [`bluegreen`]: the two strategies.
//! - [`analysis_run`]: AnalysisRuns measuring the simulation's traffic
//!   through [`TrafficQuery`](crate::traffic::TrafficQuery).
//!
//! Data flows: a notice (the Rollout changed, a ReplicaSet's status
//! changed) or a timer queues a sync; the sync scales ReplicaSets (the
//! ReplicaSet controller creates and deletes the pods), points Services,
//! sets the traffic split and writes the status. Measurements run on
//! their own timers and queue a sync when a run completes.
//!
//! It stands on pure arithmetic ported from argo-rollouts with its
//! upstream test tables:
//!
//! - [`replicas`]: how many pods the canary and the stable ReplicaSet get
//!   at each step (`utils/replicaset/canary.go`), with and without
//!   traffic routing, and the `maxSurge` / `maxUnavailable` fenceposts.
//! - [`analysis`]: the `successCondition` / `failureCondition`
//!   expressions, `{{args.NAME}}` substitution, and how measurements add
//!   up to a metric's and a run's phase (`analysis/analysis.go`,
//!   `utils/evaluate`, `utils/template`).
//!
//! Nothing here reads the store or the clock: every function takes the
//! fields it needs and answers a number or a phase.

pub mod analysis;
pub mod analysis_run;
pub mod bluegreen;
pub mod canary;
pub mod controller;
pub mod replicas;

pub use analysis_run::{AnalysisRun, AnalysisRuns};
pub use controller::{
    rollout_revision, RolloutController, RolloutOut, RolloutState, RunKind, Strategy,
    ROLLOUT_HASH_LABEL, ROLLOUT_REVISION_ANNOTATION,
};

pub use analysis::{
    assess_metric_status, assess_run_status, evaluate_result, resolve_args, AnalysisPhase,
    ArgsError, Condition, ConditionError, ConditionErrorKind, Metric, MetricResult, RunAssessment,
    RunSummary,
};
pub use replicas::{
    approximate_weighted_canary_stable_replica_counts, at_desired_replica_counts_for_canary,
    calculate_replica_counts_for_basic_canary, calculate_replica_counts_for_traffic_routed_canary,
    get_canary_replicas_or_weight, get_current_set_weight, resolve_fenceposts, CanaryRollout,
    CanaryStatus, CanaryStep, IntOrPercent, ReplicaProgressThreshold, ReplicaSetCounts,
    SetCanaryScale, TrafficRouting, TrafficWeights,
};
