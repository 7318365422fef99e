//! Pods and containers: the API object (`spec`, `status`) as Kubernetes
//! defines it, trimmed to what the simulation reads.
//!
//! `status` is the API view kubelet reports (phase, conditions, container
//! states, restart counts). What kubelet keeps privately to run a
//! container (cgroup values, timers, back-off) lives in `kubelet`, and CPU
//! rates and integrals in `accounting`.

use crate::api::meta::{Labels, ObjectMeta};
use crate::api::resources::ResourceRequirements;
use crate::api::taint::Toleration;
use crate::kernel::SimTime;

/// `v1.RestartPolicy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RestartPolicy {
    /// Restart whenever the container exits.
    #[default]
    Always,
    /// Restart when it exits with a non-zero code.
    OnFailure,
    /// Never restart.
    Never,
}

impl RestartPolicy {
    /// The API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            RestartPolicy::Always => "Always",
            RestartPolicy::OnFailure => "OnFailure",
            RestartPolicy::Never => "Never",
        }
    }
}

/// `v1.PodPhase`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PodPhase {
    /// Accepted, not all containers started.
    Pending,
    /// Bound, every container created, at least one running.
    Running,
    /// Every container exited 0 and will not restart.
    Succeeded,
    /// Every container terminated, at least one in failure.
    Failed,
}

impl PodPhase {
    /// The API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            PodPhase::Pending => "Pending",
            PodPhase::Running => "Running",
            PodPhase::Succeeded => "Succeeded",
            PodPhase::Failed => "Failed",
        }
    }
    /// `Succeeded` or `Failed`: the pod will not run again.
    pub fn is_terminal(self) -> bool {
        matches!(self, PodPhase::Succeeded | PodPhase::Failed)
    }
}

/// `v1.Container`, the parts kubesim models.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Container {
    /// `name`, unique within the pod.
    pub name: String,
    /// `image`: the key into the scenario's `images:` behaviours.
    pub image: String,
    /// `resources`.
    pub resources: ResourceRequirements,
    /// `restartPolicy: Always` on an init container makes it a sidecar.
    pub restart_policy: Option<RestartPolicy>,
    /// `startupProbe`.
    pub startup_probe: Option<Probe>,
    /// `livenessProbe`.
    pub liveness_probe: Option<Probe>,
    /// `readinessProbe`.
    pub readiness_probe: Option<Probe>,
    /// `lifecycle.preStop`.
    pub pre_stop: Option<PreStopHook>,
    /// `imagePullPolicy` (defaulted by the API server from the tag).
    pub image_pull_policy: Option<PullPolicy>,
}

/// `v1.Probe`: when kubelet probes and how many results count. The
/// handler (exec, httpGet, tcpSocket, grpc) does not matter to kubesim:
/// what the probe sees comes from the image's `health`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Probe {
    /// `initialDelaySeconds` (default 0).
    pub initial_delay_s: i32,
    /// `periodSeconds` (default 10).
    pub period_s: i32,
    /// `timeoutSeconds` (default 1).
    pub timeout_s: i32,
    /// `successThreshold` (default 1; must be 1 for liveness and startup).
    pub success_threshold: i32,
    /// `failureThreshold` (default 3).
    pub failure_threshold: i32,
}

impl Default for Probe {
    /// The API defaults (pkg/apis/core/v1/defaults.go `SetDefaults_Probe`).
    fn default() -> Self {
        Probe {
            initial_delay_s: 0,
            period_s: 10,
            timeout_s: 1,
            success_threshold: 1,
            failure_threshold: 3,
        }
    }
}

/// `v1.LifecycleHandler` of `lifecycle.preStop`, as far as its duration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PreStopHook {
    /// `sleep.seconds`: the hook takes exactly this long.
    Sleep(SimTime),
    /// `exec` or `httpGet`: takes the image's `preStopTime`.
    Handler,
}

/// `v1.PullPolicy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PullPolicy {
    /// Pull every time the container starts.
    Always,
    /// Pull only if the node does not have the image.
    IfNotPresent,
    /// Never pull; fail if the node does not have the image.
    Never,
}

impl PullPolicy {
    /// The API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            PullPolicy::Always => "Always",
            PullPolicy::IfNotPresent => "IfNotPresent",
            PullPolicy::Never => "Never",
        }
    }
    /// The API default for `image` (`SetDefaults_Container`): `Always`
    /// for the `latest` tag or no tag, `IfNotPresent` otherwise (a digest
    /// counts as a tag).
    pub fn default_for(image: &str) -> PullPolicy {
        let last = image.rsplit('/').next().unwrap_or(image);
        let has_digest = image.contains('@');
        match last.rsplit_once(':') {
            _ if has_digest => PullPolicy::IfNotPresent,
            Some((_, "latest")) | None => PullPolicy::Always,
            Some(_) => PullPolicy::IfNotPresent,
        }
    }
}

impl Container {
    /// A restartable init container (KEP-753 sidecar).
    pub fn is_sidecar(&self) -> bool {
        self.restart_policy == Some(RestartPolicy::Always)
    }
}

/// `v1.NodeSelectorOperator`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeSelectorOperator {
    /// The label's value is one of the values.
    In,
    /// The label is absent or its value is none of the values.
    NotIn,
    /// The label is present.
    Exists,
    /// The label is absent.
    DoesNotExist,
    /// The label's value, as an integer, is greater than the value.
    Gt,
    /// The label's value, as an integer, is less than the value.
    Lt,
}

impl NodeSelectorOperator {
    /// Parses the API spelling.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "In" => Self::In,
            "NotIn" => Self::NotIn,
            "Exists" => Self::Exists,
            "DoesNotExist" => Self::DoesNotExist,
            "Gt" => Self::Gt,
            "Lt" => Self::Lt,
            _ => return None,
        })
    }
}

/// `v1.NodeSelectorRequirement`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeSelectorRequirement {
    /// Label key (or `metadata.name` in `matchFields`).
    pub key: String,
    /// How key and values relate.
    pub operator: NodeSelectorOperator,
    /// The values.
    pub values: Vec<String>,
}

/// `v1.NodeSelectorTerm`: requirements ANDed. `match_fields` supports only
/// `metadata.name`, as upstream.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NodeSelectorTerm {
    /// Requirements on node labels.
    pub match_expressions: Vec<NodeSelectorRequirement>,
    /// Requirements on node fields (`metadata.name` only).
    pub match_fields: Vec<NodeSelectorRequirement>,
}

/// `v1.PreferredSchedulingTerm`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreferredSchedulingTerm {
    /// 1..=100.
    pub weight: i32,
    /// The term.
    pub preference: NodeSelectorTerm,
}

/// `v1.NodeAffinity`: required terms are ORed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NodeAffinity {
    /// `requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms`.
    pub required: Option<Vec<NodeSelectorTerm>>,
    /// `preferredDuringSchedulingIgnoredDuringExecution`.
    pub preferred: Vec<PreferredSchedulingTerm>,
}

/// `v1.PodSpec`, the parts kubesim models.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodSpec {
    /// `containers`.
    pub containers: Vec<Container>,
    /// `initContainers` (sidecars among them).
    pub init_containers: Vec<Container>,
    /// `restartPolicy`.
    pub restart_policy: RestartPolicy,
    /// `nodeName`: set by the scheduler's binding, or by the manifest.
    pub node_name: Option<String>,
    /// `nodeSelector`.
    pub node_selector: Labels,
    /// `affinity.nodeAffinity`.
    pub node_affinity: Option<NodeAffinity>,
    /// `tolerations`.
    pub tolerations: Vec<Toleration>,
    /// `priority`, as the Priority admission plugin resolved it.
    pub priority: i32,
    /// `priorityClassName`.
    pub priority_class_name: String,
    /// `terminationGracePeriodSeconds`.
    pub termination_grace_period_s: i64,
}

/// `v1.PodConditionType` values kubesim sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PodConditionType {
    /// Bound to a node.
    PodScheduled,
    /// Every init container completed.
    Initialized,
    /// Every container is ready.
    ContainersReady,
    /// The pod can serve.
    Ready,
}

/// `v1.PodCondition`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodCondition {
    /// `type`.
    pub kind: PodConditionType,
    /// `status`: `True` or `False`.
    pub status: bool,
    /// `lastTransitionTime`.
    pub last_transition_time: SimTime,
    /// `reason`.
    pub reason: String,
}

/// `v1.ContainerState`, collapsed to its three cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ContainerState {
    /// Not started yet, or waiting to restart.
    #[default]
    Waiting,
    /// The process runs.
    Running,
    /// The process exited (or was stopped).
    Terminated,
}

impl ContainerState {
    /// The API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ContainerState::Waiting => "waiting",
            ContainerState::Running => "running",
            ContainerState::Terminated => "terminated",
        }
    }
}

/// `v1.ContainerStatus`: what kubelet reports about one container.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ContainerStatus {
    /// The container's name.
    pub name: String,
    /// Its image.
    pub image: String,
    /// `state`.
    pub state: ContainerState,
    /// `ready`.
    pub ready: bool,
    /// `state.running.startedAt` of the current (or last) run.
    pub started_at: Option<SimTime>,
    /// `restartCount`.
    pub restart_count: u32,
    /// How the current or last run ended (`state.terminated` /
    /// `lastState.terminated`), if one has.
    pub last_termination: Option<Termination>,
}

/// `v1.ContainerStateTerminated`, the parts kubesim records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Termination {
    /// `exitCode`.
    pub exit_code: i32,
    /// `reason`: `Completed`, `Error`, `OOMKilled`.
    pub reason: &'static str,
}

impl Termination {
    /// The reason kubelet reports for an exit code: `Completed` for 0,
    /// `Error` otherwise (pkg/kubelet/kuberuntime/kuberuntime_container.go).
    pub fn exited(exit_code: i32) -> Self {
        Termination {
            exit_code,
            reason: if exit_code == 0 { "Completed" } else { "Error" },
        }
    }
    /// Killed by the OOM killer: exit code 137 (128 + SIGKILL), reason
    /// `OOMKilled`.
    pub const OOM_KILLED: Termination = Termination {
        exit_code: 137,
        reason: "OOMKilled",
    };
    /// A container kubelet can no longer find (its node crashed):
    /// `ContainerStatusUnknown`, 137
    /// (pkg/kubelet/kubelet_pods.go `convertToAPIContainerStatuses`).
    pub const CONTAINER_STATUS_UNKNOWN: Termination = Termination {
        exit_code: 137,
        reason: "ContainerStatusUnknown",
    };
}

/// `v1.PodStatus`, the parts kubesim models.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodStatus {
    /// `phase`.
    pub phase: PodPhase,
    /// `conditions`.
    pub conditions: Vec<PodCondition>,
    /// `reason` (`Evicted`, …; kubesim also records `Completed`, `Deleted`).
    pub reason: String,
    /// `message`: why, in words (an eviction's explanation).
    pub message: String,
    /// `startTime`: when kubelet accepted the pod.
    pub start_time: Option<SimTime>,
    /// `initContainerStatuses`, then `containerStatuses`, in spec order
    /// (index = container index within the pod).
    pub container_statuses: Vec<ContainerStatus>,
}

impl Default for PodStatus {
    fn default() -> Self {
        PodStatus {
            phase: PodPhase::Pending,
            conditions: Vec::new(),
            reason: String::new(),
            message: String::new(),
            start_time: None,
            container_statuses: Vec::new(),
        }
    }
}

impl PodStatus {
    /// Sets (or adds) condition `kind`, recording the transition time only
    /// when the status actually changes.
    pub fn set_condition(
        &mut self,
        kind: PodConditionType,
        status: bool,
        now: SimTime,
        reason: &str,
    ) {
        if let Some(c) = self.conditions.iter_mut().find(|c| c.kind == kind) {
            if c.status != status {
                c.status = status;
                c.last_transition_time = now;
            }
            c.reason = reason.to_string();
        } else {
            self.conditions.push(PodCondition {
                kind,
                status,
                last_transition_time: now,
                reason: reason.to_string(),
            });
        }
    }
    /// Whether condition `kind` is `True`.
    pub fn condition(&self, kind: PodConditionType) -> bool {
        self.conditions.iter().any(|c| c.kind == kind && c.status)
    }
}

/// `v1.Pod`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Pod {
    /// `metadata`.
    pub metadata: ObjectMeta,
    /// `spec`.
    pub spec: PodSpec,
    /// `status`.
    pub status: PodStatus,
}

impl Default for PodSpec {
    /// An empty spec with the API defaults (`restartPolicy: Always`,
    /// `terminationGracePeriodSeconds: 30`).
    fn default() -> Self {
        PodSpec {
            containers: Vec::new(),
            init_containers: Vec::new(),
            restart_policy: RestartPolicy::default(),
            node_name: None,
            node_selector: Labels::new(),
            node_affinity: None,
            tolerations: Vec::new(),
            priority: 0,
            priority_class_name: String::new(),
            termination_grace_period_s: crate::api::defaults::DEFAULT_TERMINATION_GRACE_PERIOD_S,
        }
    }
}

impl PodSpec {
    /// Init containers, then app containers: the order of container
    /// indices (and of `status.container_statuses`).
    pub fn all_containers(&self) -> impl Iterator<Item = &Container> {
        self.init_containers.iter().chain(&self.containers)
    }
    /// The container at index `ci` of [`all_containers`](Self::all_containers).
    pub fn container(&self, ci: usize) -> &Container {
        let n = self.init_containers.len();
        if ci < n {
            &self.init_containers[ci]
        } else {
            &self.containers[ci - n]
        }
    }
    /// Number of containers, init and app.
    pub fn container_count(&self) -> usize {
        self.init_containers.len() + self.containers.len()
    }
}
