//! The Kubernetes object model: quantities, resources, the API objects
//! (nodes, pods, Deployments, ReplicaSets, Jobs, CronJobs and their cron
//! schedules, PriorityClasses, Services, selectors),
//! their defaulting, events, and the [`Store`] that holds them.
//!
//! Data flows in through [`Store`] writes (each checks its precondition
//! and queues a [`Notice`]); everything else reads through `&Store`.
//! Names, fields and defaults follow the Kubernetes API, so code here can
//! be read beside `k8s.io/api`.

mod admission;
pub mod cron;
pub mod defaults;
mod events;
mod ids;
pub(crate) mod meta;
pub(crate) mod node;
pub(crate) mod pod;
mod priority;
pub mod quantity;
pub(crate) mod resources;
mod rollout;
mod selector;
mod service;
mod store;
pub(crate) mod taint;
mod workload;

pub use admission::{
    admit_default_toleration_seconds, DEFAULT_TOLERATION_SECONDS, TAINT_NODE_NOT_READY,
    TAINT_NODE_UNREACHABLE,
};
pub use cron::{CronError, CronSchedule, TimeZone};
pub use events::{EventType, KubeEvent};
pub use ids::{
    ContainerId, CronJobId, DeploymentId, JobId, NodeId, ObjectRef, PodId, ReplicaSetId, RolloutId,
    ServiceId,
};
pub use meta::{Labels, ObjectMeta, OwnerReference, DEFAULT_NAMESPACE};
pub use node::{
    ConditionStatus, EvictionSignal, EvictionThreshold, KubeletConfiguration, Node, NodeLease,
    ThresholdValue, DEFAULT_EVICTION_HARD_MEMORY_BYTES, NODE_LEASE_RENEW_INTERVAL,
};
pub use pod::{
    Container, ContainerState, ContainerStatus, NodeAffinity, NodeSelectorOperator,
    NodeSelectorRequirement, NodeSelectorTerm, Pod, PodCondition, PodConditionType, PodPhase,
    PodSpec, PodStatus, PreStopHook, PreferredSchedulingTerm, Probe, PullPolicy, RestartPolicy,
    Termination,
};
pub use priority::{
    PriorityClass, PriorityClasses, PriorityError, HIGHEST_USER_DEFINABLE_PRIORITY,
    SYSTEM_CLUSTER_CRITICAL, SYSTEM_CRITICAL_PRIORITY, SYSTEM_NODE_CRITICAL,
};
pub use quantity::{Format as QuantityFormat, Quantity, QuantityError};
pub use resources::{
    nonzero_requests, pod_limits, pod_nonzero_requests, pod_requests, Bytes, MilliCpu,
    ResourceList, ResourceRequirements, DEFAULT_MEMORY_REQUEST, DEFAULT_MILLI_CPU_REQUEST,
    MAX_QUANTITY_BYTES, MAX_QUANTITY_COUNT, MAX_QUANTITY_MILLI_CPU, RESOURCE_CPU, RESOURCE_MEMORY,
    RESOURCE_PODS,
};
pub use rollout::{
    AnalysisArg, AnalysisMetricSpec, AnalysisTemplate, BlueGreenStrategy, CanaryStepSpec,
    CanaryStrategy, KubesimMetric, KubesimProvider, PauseCondition, PauseReason, RevisionSelector,
    Rollout, RolloutAnalysis, RolloutPhase, RolloutStatus, RolloutStrategy, TrafficRoutingSpec,
    DEFAULT_AUTO_PROMOTION_ENABLED, DEFAULT_ROLLOUT_PROGRESS_DEADLINE_SECONDS,
    DEFAULT_ROLLOUT_REVISION_HISTORY_LIMIT, DEFAULT_SCALE_DOWN_DELAY_SECONDS,
};
pub use selector::{LabelSelector, LabelSelectorOperator, LabelSelectorRequirement};
pub use service::{Service, TrafficSplit};
pub use store::{
    pod_event_object, Notice, PodEntry, PodTimes, Store, StoreError, TAINT_MEMORY_PRESSURE,
    TAINT_NODE_UNSCHEDULABLE,
};
pub use taint::{tolerations_tolerate_taint, Taint, TaintEffect, Toleration, TolerationOperator};
pub use workload::{
    ConcurrencyPolicy, CronJob, CronJobStatus, Deployment, DeploymentCondition, DeploymentStatus,
    DeploymentStrategy, IntOrPercent, Job, JobOutcome, JobStatus, JobTemplate, PodTemplate,
    ReplicaSet, ReplicaSetStatus, DEFAULT_FAILED_JOBS_HISTORY_LIMIT, DEFAULT_JOB_BACKOFF_LIMIT,
    DEFAULT_PROGRESS_DEADLINE_SECONDS, DEFAULT_REVISION_HISTORY_LIMIT, DEFAULT_ROLLING_UPDATE,
    DEFAULT_SUCCESSFUL_JOBS_HISTORY_LIMIT,
};
