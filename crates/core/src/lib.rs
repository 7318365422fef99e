//! # kubesim-core
//!
//! The event kernel and the node side of kubesim, a discrete-event
//! simulator of a Kubernetes cluster. No I/O, no serde, no threads: this
//! crate is pure model, driven by the engine in `kubesim-scheduler`.
//!
//! - [`kernel`]: [`SimTime`] (integer ns), [`EventQueue`] (time, then
//!   FIFO), per-entity random streams ([`entity_rng`]), timer generations
//!   ([`TimerTable`]), [`RunLimits`].
//! - [`api`]: the Kubernetes objects ([`Node`], [`Pod`], [`Deployment`],
//!   [`ReplicaSet`], [`Job`], [`CronJob`] with its [`CronSchedule`],
//!   [`PriorityClass`], [`LabelSelector`]), quantities and
//!   resources, all defaulting, events, and the [`Store`] — the run's API
//!   server, whose every write checks its precondition and queues a
//!   [`Notice`].
//! - [`kubelet`]: what happens to a pod on its node (init containers,
//!   startup, finite work, restarts and back-off, deletion); answers
//!   through store writes and [`Effects`].
//! - [`accounting`]: what each node handed out and what its containers
//!   use; [`CpuTree`] divides a node's CPU by hierarchical weighted
//!   max-min fairness over kubelet's cgroup tree.
//! - Formulas: [`compute_pod_qos`], [`milli_cpu_to_shares`],
//!   [`milli_cpu_to_quota`], [`cpu_shares_to_cpu_weight`],
//!   [`get_container_oom_score_adjust`].
//! - [`harness`]: the node-side event-loop protocol, for tests.
//!
//! Data flows one way: the engine writes to the [`Store`] and calls the
//! [`Kubelet`]'s entry points; both answer with notices, timers and events
//! that the engine hands on.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod accounting;
pub mod api;
mod cgroup;
pub mod harness;
pub mod kernel;
pub mod kubelet;
pub mod oom;
mod qos;

pub use accounting::{Accounting, ContainerCpu, ContainerStart, CpuTree, Crossing, NodeAccount};
pub use api::quantity;
pub use api::{
    admit_default_toleration_seconds, nonzero_requests, pod_event_object, pod_limits,
    pod_nonzero_requests, pod_requests, tolerations_tolerate_taint, AnalysisArg,
    AnalysisMetricSpec, AnalysisTemplate, BlueGreenStrategy, Bytes, CanaryStepSpec, CanaryStrategy,
    ConcurrencyPolicy, ConditionStatus, Container, ContainerId, ContainerState, ContainerStatus,
    CronError, CronJob, CronJobId, CronJobStatus, CronSchedule, Deployment, DeploymentCondition,
    DeploymentId, DeploymentStatus, DeploymentStrategy, EventType, EvictionSignal,
    EvictionThreshold, IntOrPercent, Job, JobId, JobOutcome, JobStatus, JobTemplate, KubeEvent,
    KubeletConfiguration, KubesimMetric, KubesimProvider, LabelSelector, LabelSelectorOperator,
    LabelSelectorRequirement, Labels, MilliCpu, Node, NodeAffinity, NodeId, NodeLease,
    NodeSelectorOperator, NodeSelectorRequirement, NodeSelectorTerm, Notice, ObjectMeta, ObjectRef,
    OwnerReference, PauseCondition, PauseReason, Pod, PodCondition, PodConditionType, PodEntry,
    PodId, PodPhase, PodSpec, PodStatus, PodTemplate, PodTimes, PreStopHook,
    PreferredSchedulingTerm, PriorityClass, PriorityClasses, PriorityError, Probe, PullPolicy,
    Quantity, QuantityError, QuantityFormat, ReplicaSet, ReplicaSetId, ReplicaSetStatus,
    ResourceList, ResourceRequirements, RestartPolicy, RevisionSelector, Rollout, RolloutAnalysis,
    RolloutId, RolloutPhase, RolloutStatus, RolloutStrategy, Service, ServiceId, Store, StoreError,
    Taint, TaintEffect, Termination, ThresholdValue, TimeZone, Toleration, TolerationOperator,
    TrafficRoutingSpec, TrafficSplit, DEFAULT_AUTO_PROMOTION_ENABLED,
    DEFAULT_EVICTION_HARD_MEMORY_BYTES, DEFAULT_FAILED_JOBS_HISTORY_LIMIT,
    DEFAULT_JOB_BACKOFF_LIMIT, DEFAULT_MEMORY_REQUEST, DEFAULT_MILLI_CPU_REQUEST,
    DEFAULT_NAMESPACE, DEFAULT_PROGRESS_DEADLINE_SECONDS, DEFAULT_REVISION_HISTORY_LIMIT,
    DEFAULT_ROLLING_UPDATE, DEFAULT_ROLLOUT_PROGRESS_DEADLINE_SECONDS,
    DEFAULT_ROLLOUT_REVISION_HISTORY_LIMIT, DEFAULT_SCALE_DOWN_DELAY_SECONDS,
    DEFAULT_SUCCESSFUL_JOBS_HISTORY_LIMIT, DEFAULT_TOLERATION_SECONDS, MAX_QUANTITY_BYTES,
    MAX_QUANTITY_COUNT, MAX_QUANTITY_MILLI_CPU, NODE_LEASE_RENEW_INTERVAL, RESOURCE_CPU,
    RESOURCE_MEMORY, RESOURCE_PODS, SYSTEM_CRITICAL_PRIORITY, SYSTEM_NODE_CRITICAL,
    TAINT_MEMORY_PRESSURE, TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE, TAINT_NODE_UNSCHEDULABLE,
};
pub use cgroup::{
    container_cgroup, cpu_shares_to_cpu_weight, get_container_oom_score_adjust, milli_cpu_to_quota,
    milli_cpu_to_shares, CgroupConfig, CgroupVersion, ContainerCgroup, CpuWeightConversion,
    BESTEFFORT_OOM_SCORE_ADJ, CPU_WEIGHT_DEFAULT, CPU_WEIGHT_MAX, CPU_WEIGHT_MIN,
    GUARANTEED_OOM_SCORE_ADJ, KUBELET_OOM_SCORE_ADJ, MAX_SHARES, MIN_QUOTA_PERIOD_US, MIN_SHARES,
    QUOTA_PERIOD_US,
};
pub use kernel::{
    entity_rng, fnv1a_64, parse_duration, stable_hash, DurationError, EventQueue, Gen,
    LimitExceeded, ModelLimits, RunLimits, SimTime, TimerKind, TimerTable, NANOS_PER_SEC,
};
pub use kubelet::{
    rank_memory_pressure, CpuProfile, Effects, EvictionCandidate, ExitBehavior, Health,
    ImageBehavior, Interpolation, Kubelet, KubeletConfig, KubeletTimer, KubeletTimerKind,
    MemoryPiece, MemoryProfile, MemoryShape, NodeDownMode, NodeTimerKind, OomCandidate, OomScope,
    Serve, StartupBurst, BACKOFF_INITIAL, BACKOFF_MAX, BACKOFF_RESET, DEFAULT_PROFILE_RESOLUTION,
    IMMEDIATE_EVICTION_GRACE_PERIOD_S,
};
pub use qos::{compute_pod_qos, QosClass};
