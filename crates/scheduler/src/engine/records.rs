//! Records: the typed rows a run produces — the one source of truth that
//! every writer (CSV today; the report and the sweep aggregator later)
//! consumes.
//!
//! Each record type names its columns ([`Record::COLUMNS`]) and yields its
//! values as typed [`Field`]s; how a field is printed (seconds with three
//! decimals, numbers without trailing zeros) is the writer's business.
//! Columns are only ever appended, never reordered.
//!
//! [`EventRecord`]s and [`MetricRecord`]s stream to a [`RecordSink`] while
//! the run goes; [`PodRecord`]s, [`ContainerRecord`]s, [`ReleaseRecord`]s
//! and the [`SummaryRecord`] are built from the final state.

use kubesim_core::{KubeEvent, SimTime};
use std::fmt;

/// One typed value of a row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Field<'a> {
    /// Text.
    Str(&'a str),
    /// A whole number.
    Int(i64),
    /// A non-negative whole number.
    UInt(u64),
    /// A measurement.
    Float(f64),
    /// A point in simulated time (printed in seconds).
    Time(SimTime),
    /// A time that may not have come (empty cell).
    OptTime(Option<SimTime>),
    /// A number that may be unset (empty cell).
    OptInt(Option<i64>),
    /// The object a metric is about.
    Object(MetricObject<'a>),
}

/// A row type with fixed columns.
pub trait Record {
    /// Column names, in order.
    const COLUMNS: &'static [&'static str];
    /// Calls `f` with each value, in column order.
    fn for_each_field(&self, f: &mut dyn FnMut(Field<'_>));
}

/// Where streamed records go while a run goes.
pub trait RecordSink {
    /// What writing can fail with.
    type Error;
    /// A Kubernetes event.
    fn event(&mut self, r: &EventRecord<'_>) -> Result<(), Self::Error>;
    /// A metric sample.
    fn metric(&mut self, r: &MetricRecord<'_>) -> Result<(), Self::Error>;
    /// One candidate of an OOM kill.
    fn oom(&mut self, _r: &OomRecord<'_>) -> Result<(), Self::Error> {
        Ok(())
    }
    /// One pod ranked in an eviction round.
    fn eviction(&mut self, _r: &EvictionRecord<'_>) -> Result<(), Self::Error> {
        Ok(())
    }
    /// Simulated time reached so far, every [`PROGRESS_EVERY`] events
    /// (for progress display; an error stops the run).
    fn progress(&mut self, _now: SimTime) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// How many events pass between two [`RecordSink::progress`] calls.
pub const PROGRESS_EVERY: u64 = 1 << 16;

/// A sink that keeps nothing (benchmarks, tests).
#[derive(Debug, Default)]
pub struct NullSink;

impl RecordSink for NullSink {
    type Error = std::convert::Infallible;
    fn event(&mut self, _: &EventRecord<'_>) -> Result<(), Self::Error> {
        Ok(())
    }
    fn metric(&mut self, _: &MetricRecord<'_>) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// A row of `events.csv`: a Kubernetes event.
#[derive(Debug, Clone, Copy)]
pub struct EventRecord<'a> {
    /// The event.
    pub event: &'a KubeEvent,
}

impl Record for EventRecord<'_> {
    const COLUMNS: &'static [&'static str] = &["time_s", "type", "reason", "object", "message"];
    fn for_each_field(&self, f: &mut dyn FnMut(Field<'_>)) {
        let e = self.event;
        f(Field::Time(e.time));
        f(Field::Str(e.kind.as_str()));
        f(Field::Str(e.reason));
        f(Field::Str(&e.object));
        f(Field::Str(&e.message));
    }
}

/// The object a metric row is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricObject<'a> {
    /// `cluster`: the whole cluster.
    Cluster,
    /// `node/NAME`.
    Node(&'a str),
    /// `pod/NAME/CONTAINER` (`pod/NAMESPACE/NAME/CONTAINER` outside the
    /// `default` namespace).
    Container {
        /// The pod's qualified name.
        pod: &'a str,
        /// The container.
        container: &'a str,
    },
    /// `deployment/NAME` (`deployment/NAMESPACE/NAME` outside `default`).
    Deployment(&'a str),
    /// `deployment/NAME/rev-N`: the pods of its ReplicaSet of revision N.
    Revision {
        /// The Deployment's qualified name.
        deployment: &'a str,
        /// The revision.
        revision: i64,
    },
    /// `service/NAME` (`service/NAMESPACE/NAME` outside `default`).
    Service(&'a str),
    /// `service/NAME/rev-N`: requests served by the Service's pods of
    /// revision N.
    ServiceRevision {
        /// The Service's qualified name.
        service: &'a str,
        /// The revision.
        revision: i64,
    },
    /// `rollout/NAME` (`rollout/NAMESPACE/NAME` outside `default`).
    Rollout(&'a str),
    /// `rollout/NAME/rev-N`: the pods of its ReplicaSet of revision N.
    RolloutRevision {
        /// The Rollout's qualified name.
        rollout: &'a str,
        /// The revision.
        revision: i64,
    },
}

impl fmt::Display for MetricObject<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MetricObject::Cluster => f.write_str("cluster"),
            MetricObject::Node(n) => write!(f, "node/{n}"),
            MetricObject::Container { pod, container } => write!(f, "pod/{pod}/{container}"),
            MetricObject::Deployment(d) => write!(f, "deployment/{d}"),
            MetricObject::Revision {
                deployment,
                revision,
            } => write!(f, "deployment/{deployment}/rev-{revision}"),
            MetricObject::Service(s) => write!(f, "service/{s}"),
            MetricObject::ServiceRevision { service, revision } => {
                write!(f, "service/{service}/rev-{revision}")
            }
            MetricObject::Rollout(r) => write!(f, "rollout/{r}"),
            MetricObject::RolloutRevision { rollout, revision } => {
                write!(f, "rollout/{rollout}/rev-{revision}")
            }
        }
    }
}

/// A row of `metrics.csv` (tidy: one value per row).
#[derive(Debug, Clone, Copy)]
pub struct MetricRecord<'a> {
    /// Sample time.
    pub time: SimTime,
    /// What it measures.
    pub object: MetricObject<'a>,
    /// Metric name (`cpu_usage_cores`, …).
    pub metric: &'static str,
    /// The value.
    pub value: f64,
}

impl Record for MetricRecord<'_> {
    const COLUMNS: &'static [&'static str] = &["time_s", "object", "metric", "value"];
    fn for_each_field(&self, f: &mut dyn FnMut(Field<'_>)) {
        f(Field::Time(self.time));
        f(Field::Object(self.object));
        f(Field::Str(self.metric));
        f(Field::Float(self.value));
    }
}

/// A row of `oom.csv`: one candidate of one OOM kill, with the kernel's
/// `oom_badness` points, so the choice can be read back.
#[derive(Debug, Clone, Copy)]
pub struct OomRecord<'a> {
    /// When.
    pub time: SimTime,
    /// The node.
    pub node: &'a str,
    /// `container`, `kubepods` or `node`.
    pub scope: &'static str,
    /// The pod (qualified name).
    pub pod: &'a str,
    /// The container.
    pub container: &'a str,
    /// Its resident memory.
    pub memory_bytes: i64,
    /// Its `oom_score_adj`.
    pub oom_score_adj: i64,
    /// Its points (empty: unkillable).
    pub points: Option<i64>,
    /// Chosen.
    pub victim: bool,
}

impl Record for OomRecord<'_> {
    const COLUMNS: &'static [&'static str] = &[
        "time_s",
        "node",
        "scope",
        "pod",
        "container",
        "memory_bytes",
        "oom_score_adj",
        "points",
        "victim",
    ];
    fn for_each_field(&self, f: &mut dyn FnMut(Field<'_>)) {
        f(Field::Time(self.time));
        f(Field::Str(self.node));
        f(Field::Str(self.scope));
        f(Field::Str(self.pod));
        f(Field::Str(self.container));
        f(Field::Int(self.memory_bytes));
        f(Field::Int(self.oom_score_adj));
        f(Field::OptInt(self.points));
        f(Field::Str(if self.victim { "true" } else { "false" }));
    }
}

/// A row of `evictions.csv`: one pod ranked in one eviction round of
/// kubelet's eviction manager.
#[derive(Debug, Clone, Copy)]
pub struct EvictionRecord<'a> {
    /// When.
    pub time: SimTime,
    /// The node.
    pub node: &'a str,
    /// `memory.available`.
    pub signal: &'static str,
    /// What the signal observed.
    pub observed_bytes: i64,
    /// The threshold met.
    pub threshold_bytes: i64,
    /// The pod (qualified name).
    pub pod: &'a str,
    /// Its QoS class.
    pub qos_class: &'static str,
    /// Its priority.
    pub priority: i32,
    /// Its memory in use.
    pub usage_bytes: i64,
    /// Its memory request.
    pub request_bytes: i64,
    /// Its rank, 0 first.
    pub rank: u32,
    /// Evicted.
    pub evicted: bool,
}

impl Record for EvictionRecord<'_> {
    const COLUMNS: &'static [&'static str] = &[
        "time_s",
        "node",
        "signal",
        "observed_bytes",
        "threshold_bytes",
        "pod",
        "qos_class",
        "priority",
        "usage_bytes",
        "request_bytes",
        "rank",
        "evicted",
    ];
    fn for_each_field(&self, f: &mut dyn FnMut(Field<'_>)) {
        f(Field::Time(self.time));
        f(Field::Str(self.node));
        f(Field::Str(self.signal));
        f(Field::Int(self.observed_bytes));
        f(Field::Int(self.threshold_bytes));
        f(Field::Str(self.pod));
        f(Field::Str(self.qos_class));
        f(Field::Int(i64::from(self.priority)));
        f(Field::Int(self.usage_bytes));
        f(Field::Int(self.request_bytes));
        f(Field::UInt(u64::from(self.rank)));
        f(Field::Str(if self.evicted { "true" } else { "false" }));
    }
}

/// A row of `pods.csv`: one pod's life.
#[derive(Debug, Clone, PartialEq)]
pub struct PodRecord {
    /// Qualified name (`NAME`, or `NAMESPACE/NAME` outside `default`).
    pub pod: String,
    /// `deployment/NAME` or `pod/NAME`.
    pub workload: String,
    /// Its node, empty if never bound.
    pub node: String,
    /// QoS class.
    pub qos_class: &'static str,
    /// `spec.priority`.
    pub priority: i32,
    /// Created.
    pub created: SimTime,
    /// Bound.
    pub scheduled: Option<SimTime>,
    /// App containers started.
    pub started: Option<SimTime>,
    /// First Ready.
    pub ready: Option<SimTime>,
    /// Ended.
    pub finished: Option<SimTime>,
    /// Final phase.
    pub phase: &'static str,
    /// Why it ended.
    pub reason: String,
    /// Container restarts.
    pub restarts: u32,
    /// Namespace.
    pub namespace: String,
}

impl Record for PodRecord {
    const COLUMNS: &'static [&'static str] = &[
        "pod",
        "workload",
        "node",
        "qos_class",
        "priority",
        "created_s",
        "scheduled_s",
        "started_s",
        "ready_s",
        "finished_s",
        "phase",
        "reason",
        "restarts",
        "namespace",
    ];
    fn for_each_field(&self, f: &mut dyn FnMut(Field<'_>)) {
        f(Field::Str(&self.pod));
        f(Field::Str(&self.workload));
        f(Field::Str(&self.node));
        f(Field::Str(self.qos_class));
        f(Field::Int(i64::from(self.priority)));
        f(Field::Time(self.created));
        f(Field::OptTime(self.scheduled));
        f(Field::OptTime(self.started));
        f(Field::OptTime(self.ready));
        f(Field::OptTime(self.finished));
        f(Field::Str(self.phase));
        f(Field::Str(&self.reason));
        f(Field::UInt(u64::from(self.restarts)));
        f(Field::Str(&self.namespace));
    }
}

/// A row of `containers.csv`: resources and the cgroup values kubelet set.
#[derive(Debug, Clone, PartialEq)]
pub struct ContainerRecord {
    /// The pod's qualified name.
    pub pod: String,
    /// The container.
    pub container: String,
    /// Its image.
    pub image: String,
    /// `requests.cpu` (m), if set.
    pub cpu_request_m: Option<i64>,
    /// `limits.cpu` (m), if set.
    pub cpu_limit_m: Option<i64>,
    /// `requests.memory`, if set.
    pub memory_request_bytes: Option<i64>,
    /// `limits.memory`, if set.
    pub memory_limit_bytes: Option<i64>,
    /// `cpu.shares`.
    pub cpu_shares: u64,
    /// `cpu.weight`.
    pub cpu_weight: u64,
    /// `cpu.cfs_quota_us` (−1: unlimited).
    pub cpu_quota_us: i64,
    /// `oom_score_adj` (empty for a pod never bound).
    pub oom_score_adj: Option<i64>,
    /// The pod's namespace.
    pub namespace: String,
    /// `restartCount`.
    pub restarts: u32,
    /// Why its last run ended (`Completed`, `Error`, `OOMKilled`), if one did.
    pub last_exit_reason: Option<&'static str>,
    /// Its exit code then.
    pub last_exit_code: Option<i32>,
}

impl Record for ContainerRecord {
    const COLUMNS: &'static [&'static str] = &[
        "pod",
        "container",
        "image",
        "cpu_request_m",
        "cpu_limit_m",
        "memory_request_bytes",
        "memory_limit_bytes",
        "cpu_shares",
        "cpu_weight",
        "cpu_quota_us",
        "oom_score_adj",
        "namespace",
        "restarts",
        "last_exit_reason",
        "last_exit_code",
    ];
    fn for_each_field(&self, f: &mut dyn FnMut(Field<'_>)) {
        f(Field::Str(&self.pod));
        f(Field::Str(&self.container));
        f(Field::Str(&self.image));
        f(Field::OptInt(self.cpu_request_m));
        f(Field::OptInt(self.cpu_limit_m));
        f(Field::OptInt(self.memory_request_bytes));
        f(Field::OptInt(self.memory_limit_bytes));
        f(Field::UInt(self.cpu_shares));
        f(Field::UInt(self.cpu_weight));
        f(Field::Int(self.cpu_quota_us));
        f(Field::OptInt(self.oom_score_adj));
        f(Field::Str(&self.namespace));
        f(Field::UInt(u64::from(self.restarts)));
        f(Field::Str(self.last_exit_reason.unwrap_or("")));
        f(Field::OptInt(self.last_exit_code.map(i64::from)));
    }
}

/// The one row of `summary.csv`: counts of a finished run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SummaryRecord {
    /// Scenario name.
    pub scenario: String,
    /// Run seed.
    pub seed: u64,
    /// Simulated time reached.
    pub sim_time: SimTime,
    /// Simulation events processed (timers, cycles, samples…).
    pub events: u64,
    /// Pods ever created.
    pub pods_created: usize,
    /// Pods ever bound.
    pub pods_scheduled: usize,
    /// Pods never bound and not deleted.
    pub pods_pending: usize,
    /// Pods Running at the end.
    pub pods_running: usize,
    /// Pods Succeeded at the end.
    pub pods_succeeded: usize,
    /// Pods Failed at the end.
    pub pods_failed: usize,
    /// Pods deleted.
    pub pods_deleted: usize,
    /// Nodes.
    pub nodes: usize,
    /// Scheduling cycles.
    pub scheduling_attempts: u64,
    /// Cycles that found no node.
    pub failed_scheduling: u64,
    /// Container restarts.
    pub container_restarts: u64,
    /// CPU-seconds used.
    pub cpu_used_core_s: f64,
    /// CPU-seconds throttled by quotas.
    pub cpu_throttled_core_s: f64,
    /// CPU-seconds lost to contention.
    pub cpu_starved_core_s: f64,
    /// Kubernetes events recorded (rows of events.csv).
    pub kube_events: u64,
    /// Requests that arrived at Services with traffic.
    pub requests_total: f64,
    /// Of those, requests that failed.
    pub requests_failed: f64,
}

impl Record for SummaryRecord {
    const COLUMNS: &'static [&'static str] = &[
        "scenario",
        "seed",
        "sim_time_s",
        "events",
        "pods_created",
        "pods_scheduled",
        "pods_pending",
        "pods_running",
        "pods_succeeded",
        "pods_failed",
        "pods_deleted",
        "nodes",
        "scheduling_attempts",
        "failed_scheduling",
        "container_restarts",
        "cpu_used_core_s",
        "cpu_throttled_core_s",
        "cpu_starved_core_s",
        "kube_events",
        "requests_total",
        "requests_failed",
    ];
    fn for_each_field(&self, f: &mut dyn FnMut(Field<'_>)) {
        let u = |n: usize| Field::UInt(n as u64);
        f(Field::Str(&self.scenario));
        f(Field::UInt(self.seed));
        f(Field::Time(self.sim_time));
        f(Field::UInt(self.events));
        f(u(self.pods_created));
        f(u(self.pods_scheduled));
        f(u(self.pods_pending));
        f(u(self.pods_running));
        f(u(self.pods_succeeded));
        f(u(self.pods_failed));
        f(u(self.pods_deleted));
        f(u(self.nodes));
        f(Field::UInt(self.scheduling_attempts));
        f(Field::UInt(self.failed_scheduling));
        f(Field::UInt(self.container_restarts));
        f(Field::Float(self.cpu_used_core_s));
        f(Field::Float(self.cpu_throttled_core_s));
        f(Field::Float(self.cpu_starved_core_s));
        f(Field::UInt(self.kube_events));
        f(Field::Float(self.requests_total));
        f(Field::Float(self.requests_failed));
    }
}

/// How a release ended (`outcome` in `rollouts.csv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReleaseOutcome {
    /// The new revision became complete (Deployment:
    /// `NewReplicaSetAvailable`).
    Completed,
    /// Aborted (Argo Rollouts; never for a Deployment).
    Aborted,
    /// A later template change went back to a template the workload had
    /// before while this release was in progress.
    RolledBack,
    /// Past its progress deadline (`ProgressDeadlineExceeded`) and never
    /// completed.
    Stuck,
    /// Not decided: the run ended first (no `finished_s`), or a newer
    /// forward change replaced it (`finished_s` = that change).
    InProgress,
}

impl ReleaseOutcome {
    /// The CSV word.
    pub fn as_str(self) -> &'static str {
        match self {
            ReleaseOutcome::Completed => "completed",
            ReleaseOutcome::Aborted => "aborted",
            ReleaseOutcome::RolledBack => "rolled-back",
            ReleaseOutcome::Stuck => "stuck",
            ReleaseOutcome::InProgress => "in-progress",
        }
    }
}

/// A row of `rollouts.csv`: one release (a template change of a
/// workload). Columns are documented in docs/scenario-format.md.
#[derive(Debug, Clone, PartialEq)]
pub struct ReleaseRecord {
    /// `deployment/NAME` (`deployment/NAMESPACE/NAME` outside `default`).
    pub object: String,
    /// The revision before the change (empty if none yet).
    pub from_revision: Option<i64>,
    /// The new ReplicaSet's revision (empty if it was never created).
    pub to_revision: Option<i64>,
    /// `RollingUpdate` or `Recreate` (`Canary`, `BlueGreen` for Rollouts).
    pub strategy: &'static str,
    /// The template change.
    pub started: SimTime,
    /// When the outcome was decided (empty: the run ended first).
    pub finished: Option<SimTime>,
    /// The outcome.
    pub outcome: ReleaseOutcome,
    /// Most pods (not finished, terminating included) at any instant.
    pub peak_pods: i64,
    /// ∫ max(0, pods − spec.replicas) dt.
    pub extra_pod_seconds: f64,
    /// Fewest available replicas at any instant.
    pub min_available: i64,
    /// Time with available < spec.replicas.
    pub below_desired: SimTime,
    /// Requests to the Services selecting the template.
    pub requests_total: f64,
    /// Those that failed.
    pub requests_failed: f64,
    /// Requests served by the new ReplicaSet's pods.
    pub requests_served_by_new: f64,
    /// Those that failed.
    pub errors_from_new: f64,
    /// Time in sample intervals that missed an SLO (empty: no SLO).
    pub slo_violation: Option<SimTime>,
    /// From the start to the rollback or abort.
    pub time_to_detect: Option<SimTime>,
    /// From the detection to the end of the first whole sample interval
    /// within every SLO.
    pub time_to_recover: Option<SimTime>,
}

impl Record for ReleaseRecord {
    const COLUMNS: &'static [&'static str] = &[
        "object",
        "from_revision",
        "to_revision",
        "strategy",
        "started_s",
        "finished_s",
        "outcome",
        "peak_pods",
        "extra_pod_seconds",
        "min_available",
        "seconds_below_desired",
        "requests_total",
        "requests_failed",
        "requests_served_by_new",
        "errors_from_new",
        "slo_violation_seconds",
        "time_to_detect_s",
        "time_to_recover_s",
    ];
    fn for_each_field(&self, f: &mut dyn FnMut(Field<'_>)) {
        f(Field::Str(&self.object));
        f(Field::OptInt(self.from_revision));
        f(Field::OptInt(self.to_revision));
        f(Field::Str(self.strategy));
        f(Field::Time(self.started));
        f(Field::OptTime(self.finished));
        f(Field::Str(self.outcome.as_str()));
        f(Field::Int(self.peak_pods));
        f(Field::Float(self.extra_pod_seconds));
        f(Field::Int(self.min_available));
        f(Field::Time(self.below_desired));
        f(Field::Float(self.requests_total));
        f(Field::Float(self.requests_failed));
        f(Field::Float(self.requests_served_by_new));
        f(Field::Float(self.errors_from_new));
        f(Field::OptTime(self.slo_violation));
        f(Field::OptTime(self.time_to_detect));
        f(Field::OptTime(self.time_to_recover));
    }
}
