//! Pods and containers: the API object (`spec`, `status`) as Kubernetes
//! defines it, trimmed to what the simulation reads.
//!
//! Runtime state the kubelet keeps (container states, cgroup values, CPU
//! accounting) lives in [`crate::cluster`], not here: this module is the
//! declarative object a controller creates and a scheduler reads.

use crate::meta::{Labels, ObjectMeta};
use crate::resources::ResourceRequirements;
use crate::taint::Toleration;
use crate::time::SimTime;

/// `v1.RestartPolicy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RestartPolicy {
    #[default]
    Always,
    OnFailure,
    Never,
}

impl RestartPolicy {
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
    Pending,
    Running,
    Succeeded,
    Failed,
}

impl PodPhase {
    pub fn as_str(self) -> &'static str {
        match self {
            PodPhase::Pending => "Pending",
            PodPhase::Running => "Running",
            PodPhase::Succeeded => "Succeeded",
            PodPhase::Failed => "Failed",
        }
    }
    pub fn is_terminal(self) -> bool {
        matches!(self, PodPhase::Succeeded | PodPhase::Failed)
    }
}

/// `v1.Container`, the parts kubesim models.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Container {
    pub name: String,
    pub image: String,
    pub resources: ResourceRequirements,
    /// `restartPolicy: Always` on an init container makes it a sidecar.
    pub restart_policy: Option<RestartPolicy>,
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
    In,
    NotIn,
    Exists,
    DoesNotExist,
    Gt,
    Lt,
}

impl NodeSelectorOperator {
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
    pub key: String,
    pub operator: NodeSelectorOperator,
    pub values: Vec<String>,
}

/// `v1.NodeSelectorTerm`: requirements ANDed. `match_fields` supports only
/// `metadata.name`, as upstream.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NodeSelectorTerm {
    pub match_expressions: Vec<NodeSelectorRequirement>,
    pub match_fields: Vec<NodeSelectorRequirement>,
}

/// `v1.PreferredSchedulingTerm`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreferredSchedulingTerm {
    pub weight: i32,
    pub preference: NodeSelectorTerm,
}

/// `v1.NodeAffinity`: required terms are ORed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NodeAffinity {
    pub required: Option<Vec<NodeSelectorTerm>>,
    pub preferred: Vec<PreferredSchedulingTerm>,
}

/// `v1.PodSpec`, the parts kubesim models.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PodSpec {
    pub containers: Vec<Container>,
    pub init_containers: Vec<Container>,
    pub restart_policy: RestartPolicy,
    pub node_name: Option<String>,
    pub node_selector: Labels,
    pub node_affinity: Option<NodeAffinity>,
    pub tolerations: Vec<Toleration>,
    pub priority: i32,
    pub priority_class_name: String,
    pub termination_grace_period_s: i64,
}

/// `v1.PodConditionType` values kubesim sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PodConditionType {
    PodScheduled,
    Initialized,
    ContainersReady,
    Ready,
}

/// `v1.PodCondition`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodCondition {
    pub kind: PodConditionType,
    pub status: bool,
    pub last_transition_time: SimTime,
    pub reason: String,
}

/// `v1.PodStatus`, the parts kubesim models.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodStatus {
    pub phase: PodPhase,
    pub conditions: Vec<PodCondition>,
    pub reason: String,
    pub start_time: Option<SimTime>,
}

impl Default for PodStatus {
    fn default() -> Self {
        PodStatus {
            phase: PodPhase::Pending,
            conditions: Vec::new(),
            reason: String::new(),
            start_time: None,
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
    pub fn condition(&self, kind: PodConditionType) -> bool {
        self.conditions.iter().any(|c| c.kind == kind && c.status)
    }
}

/// `v1.Pod`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Pod {
    pub metadata: ObjectMeta,
    pub spec: PodSpec,
    pub status: PodStatus,
}
