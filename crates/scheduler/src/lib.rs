//! # kubesim-scheduler
//!
//! The control plane and the engine of kubesim: kube-scheduler's
//! placement, the workload controllers, and the event loop that drives
//! them together with the node side of `kubesim-core`.
//!
//! - [`placement`]: kube-scheduler — the framework ([`NodeInfo`],
//!   [`PodInfo`], the [`FilterPlugin`] / [`ScorePlugin`] traits), one file
//!   per plugin, the scheduling queue, the scheduler's cache, the profile,
//!   the cycle ([`Scheduler`]) and the driver ([`Placement`]).
//! - [`controllers`]: one file or folder per controller (the Deployment
//!   controller with its RollingUpdate and Recreate strategies, the
//!   ReplicaSet, Job and CronJob controllers, the node controllers),
//!   fed by store notices and their own timers.
//! - [`traffic`]: requests to Services — cumulative [`traffic::Totals`]
//!   and the [`traffic::TrafficQuery`] controllers read them through.
//! - [`engine`]: the closed [`Event`] enum, the loop ([`Simulation`]), the
//!   [`Sampler`], the timeline, and the typed [`records`](engine) every
//!   writer consumes.
//!
//! Data flows one way: [`SimulationInput`] → [`Simulation`] → records
//! ([`EventRecord`], [`MetricRecord`] streamed to a [`RecordSink`];
//! [`PodRecord`], [`ContainerRecord`], [`ReleaseRecord`], [`SummaryRecord`] at the end). No
//! I/O here.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod controllers;
pub mod engine;
pub mod placement;
pub mod traffic;

pub use controllers::{Controllers, DeploymentController};
pub use engine::{
    Action, ArgoInput, ContainerRecord, Event, EventRecord, EvictionRecord, Field, MetricObject,
    MetricRecord, MetricsConfig, NullSink, OomRecord, PodRecord, Record, RecordSink, ReleaseConfig,
    ReleaseOutcome, ReleaseRecord, Releases, RolloutAct, RunSummary, Sampler, SimError, Simulation,
    SimulationConfig, SimulationInput, Slo, SummaryRecord, TimelineEntry, CHECK_EVERY_EVENT_MAX,
    DEPLOYMENT_METRICS, REVISION_METRICS,
};
pub use placement::framework;
pub use placement::{
    backoff_duration, default_normalize_score, num_feasible_nodes_to_find, plugins, FilterPlugin,
    NodeInfo, Placement, PlacementTimer, PluginWeights, PodInfo, Reason, ScheduleResult, Scheduler,
    SchedulerProfile, SchedulingQueue, ScorePlugin, MAX_NODE_SCORE,
};
