//! # kubesim-scheduler
//!
//! Placement and control: kube-scheduler's filter/score framework with the
//! default profile's plugins, the scheduling queue, the workload
//! controllers, and the [`Simulation`] event loop that drives them together
//! with the node model of `kubesim-core`.
//!
//! - [`framework`]: [`NodeInfo`], [`PodInfo`], the [`FilterPlugin`] /
//!   [`ScorePlugin`] traits, [`default_normalize_score`].
//! - [`plugins`]: NodeUnschedulable, NodeName, TaintToleration,
//!   NodeAffinity, NodeResourcesFit (LeastAllocated, MostAllocated,
//!   RequestedToCapacityRatio), NodeResourcesBalancedAllocation.
//! - [`Scheduler`]: one cycle per pod — filter a rotating window of nodes
//!   (`numFeasibleNodesToFind`), score, pick, ties by seeded random.
//! - [`SchedulingQueue`]: activeQ (priority, then FIFO), backoffQ and the
//!   unschedulable pool.
//! - [`controllers`]: the Deployment controller (replica management).
//! - [`Simulation`]: input → event loop → [`Recorder`] + [`RunSummary`].
//!
//! No I/O here: output goes through the [`Recorder`] trait.

#![forbid(unsafe_code)]

pub mod controllers;
pub mod framework;
pub mod plugins;
mod profile;
mod queue;
mod scheduler;
mod simulation;

pub use controllers::{Deployment, DeploymentController, PodTemplate};
pub use framework::{
    default_normalize_score, FilterPlugin, NodeInfo, PodInfo, Reason, ScorePlugin, MAX_NODE_SCORE,
};
pub use profile::{num_feasible_nodes_to_find, PluginWeights, SchedulerProfile};
pub use queue::{backoff_duration, SchedulingQueue};
pub use scheduler::{ScheduleResult, Scheduler};
pub use simulation::{
    Action, Event, MetricObject, MetricsConfig, NullRecorder, Recorder, RunSummary, SimError,
    Simulation, SimulationConfig, SimulationInput, TimelineEntry,
};
