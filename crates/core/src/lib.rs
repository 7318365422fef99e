//! # kubesim-core
//!
//! The event kernel and the node model of kubesim, a discrete-event
//! simulator of a Kubernetes cluster. No I/O, no serde, no threads: this
//! crate is pure model, driven by the simulation in `kubesim-scheduler`.
//!
//! - Kernel: [`SimTime`] (integer ns), [`EventQueue`] (time, then FIFO),
//!   per-entity random streams ([`entity_rng`]), run [`RunLimits`].
//! - Quantities: [`Quantity`] parses and prints `100m`, `1.5`, `512Mi` …
//!   exactly as apimachinery does; CPU becomes [`MilliCpu`], memory [`Bytes`].
//! - Objects: [`Node`], [`Pod`] with containers, tolerations and node
//!   affinity, named as the Kubernetes API names them.
//! - kubelet formulas: [`compute_pod_qos`], [`milli_cpu_to_shares`],
//!   [`milli_cpu_to_quota`], [`cpu_shares_to_cpu_weight`],
//!   [`get_container_oom_score_adjust`].
//! - CPU contention: [`CpuTree`] divides a node's CPU by hierarchical
//!   weighted max-min fairness over kubelet's cgroup tree.
//! - Runtime: [`Cluster`] runs pods on nodes (init containers, startup,
//!   finite work, restarts) and keeps CPU accounting; it answers through
//!   [`Effects`] (timers, Kubernetes events, notices).
//!
//! Data flows in one direction: the simulation calls [`Cluster`] entry
//! points, schedules the timers it gets back on its [`EventQueue`], and hands
//! the events and notices on to controllers and output.

#![forbid(unsafe_code)]

mod cgroup;
mod cluster;
mod cpu;
mod event;
mod image;
mod limits;
mod meta;
mod node;
mod pod;
mod qos;
pub mod quantity;
mod resources;
mod rng;
mod taint;
mod time;

pub use cgroup::{
    container_cgroup, cpu_shares_to_cpu_weight, get_container_oom_score_adjust, milli_cpu_to_quota,
    milli_cpu_to_shares, CgroupConfig, CgroupVersion, ContainerCgroup, CpuWeightConversion,
    BESTEFFORT_OOM_SCORE_ADJ, CPU_WEIGHT_DEFAULT, CPU_WEIGHT_MAX, CPU_WEIGHT_MIN,
    GUARANTEED_OOM_SCORE_ADJ, KUBELET_OOM_SCORE_ADJ, MAX_SHARES, MIN_QUOTA_PERIOD_US, MIN_SHARES,
    QUOTA_PERIOD_US, SYSTEM_CRITICAL_PRIORITY,
};
pub use cluster::{
    Cluster, ClusterConfig, ContainerState, ContainerStatus, Effects, EventType, KubeEvent,
    NodeEvent, NodeRuntime, Notice, PodRuntime, BACKOFF_INITIAL, BACKOFF_MAX, BACKOFF_RESET,
};
pub use cpu::{CgroupIdx, CpuTree};
pub use event::EventQueue;
pub use image::{CpuProfile, ImageBehavior, Interpolation, DEFAULT_PROFILE_RESOLUTION};
pub use limits::{LimitExceeded, RunLimits};
pub use meta::{Labels, ObjectMeta, OwnerReference};
pub use node::Node;
pub use pod::{
    Container, NodeAffinity, NodeSelectorOperator, NodeSelectorRequirement, NodeSelectorTerm, Pod,
    PodCondition, PodConditionType, PodPhase, PodSpec, PodStatus, PreferredSchedulingTerm,
    RestartPolicy,
};
pub use qos::{compute_pod_qos, QosClass};
pub use quantity::{Format as QuantityFormat, Quantity, QuantityError};
pub use resources::{
    nonzero_requests, pod_limits, pod_nonzero_requests, pod_requests, Bytes, MilliCpu, NodeId,
    PodId, ResourceList, ResourceRequirements, DEFAULT_MEMORY_REQUEST, DEFAULT_MILLI_CPU_REQUEST,
    RESOURCE_CPU, RESOURCE_MEMORY, RESOURCE_PODS,
};
pub use rng::{entity_rng, fnv1a_64, stable_hash};
pub use taint::{tolerations_tolerate_taint, Taint, TaintEffect, Toleration, TolerationOperator};
pub use time::{parse_duration, DurationError, SimTime, NANOS_PER_SEC};
