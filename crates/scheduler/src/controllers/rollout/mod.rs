//! Argo Rollouts (`argoproj.io/v1alpha1`): the canary and blue-green
//! strategies and the analysis that can abort them.
//!
//! The module will own the Rollout controller — its ReplicaSets per
//! template revision, the canary steps, blue-green's active and preview
//! services, and the AnalysisRuns that measure a release. What is here
//! now is the pure arithmetic that controller stands on, ported from
//! argo-rollouts with its upstream test tables:
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
pub mod replicas;

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
