//! The scheduling framework: what plugins see and how they answer.
//!
//! Mirrors pkg/scheduler/framework: a [`NodeInfo`] per node (allocatable,
//! requested, non-zero requested, labels, taints), a [`PodInfo`] per pod in
//! a cycle, [`FilterPlugin`]s that reject a node with one or more
//! [`Reason`]s, and [`ScorePlugin`]s that score feasible nodes 0..=100
//! after [`default_normalize_score`].
//!
//! Filters push reasons into a caller-owned buffer, so the common path (a
//! node that fits) allocates nothing.

use kubesim_core::{
    pod_nonzero_requests, pod_requests, Labels, NodeId, Pod, PodEntry, ResourceList, Taint,
};
use std::fmt;

/// `framework.MaxNodeScore`.
pub const MAX_NODE_SCORE: i64 = 100;
/// `framework.MinNodeScore`.
pub const MIN_NODE_SCORE: i64 = 0;
/// `framework.MaxCustomPriorityScore` (scale of RequestedToCapacityRatio shapes).
pub const MAX_CUSTOM_PRIORITY_SCORE: i64 = 10;

/// The scheduler's view of one node (`framework.NodeInfo`).
#[derive(Debug, Clone)]
pub struct NodeInfo {
    /// Dense node id.
    pub id: NodeId,
    /// Node name.
    pub name: String,
    /// Node labels.
    pub labels: Labels,
    /// Node taints.
    pub taints: Vec<Taint>,
    /// Cordoned.
    pub unschedulable: bool,
    /// What pods may request in all.
    pub allocatable: ResourceList,
    /// Sum of `PodRequests` of the pods on the node (`Requested`).
    pub requested: ResourceList,
    /// cpu (m) and memory (bytes) with non-zero defaults (`NonZeroRequested`).
    pub nonzero_requested: (i64, i64),
    /// Pods on the node (`len(nodeInfo.Pods)`).
    pub pod_count: i64,
    /// Bumped whenever the pods on the node change (`NodeInfo.Generation`);
    /// lets the scheduler reuse scores that depend only on requests.
    pub generation: u64,
}

impl NodeInfo {
    /// An empty node with `allocatable`.
    pub fn new(id: NodeId, name: impl Into<String>, allocatable: ResourceList) -> Self {
        NodeInfo {
            id,
            name: name.into(),
            labels: Labels::new(),
            taints: Vec::new(),
            unschedulable: false,
            allocatable,
            requested: ResourceList::default(),
            nonzero_requested: (0, 0),
            pod_count: 0,
            generation: 0,
        }
    }

    /// The scheduler's view of a stored node.
    pub fn of_node(id: NodeId, node: &kubesim_core::Node) -> Self {
        let mut info = NodeInfo::new(id, node.name(), node.allocatable.clone());
        info.labels = node.metadata.labels.clone();
        info.taints = node.taints.clone();
        info.unschedulable = node.unschedulable;
        info
    }

    /// Accounts for `pod` now running here (`NodeInfo.AddPod`).
    pub fn add_pod(&mut self, pod: &PodInfo) {
        self.requested.add(&pod.requests);
        self.nonzero_requested.0 = self.nonzero_requested.0.saturating_add(pod.nonzero.0);
        self.nonzero_requested.1 = self.nonzero_requested.1.saturating_add(pod.nonzero.1);
        self.pod_count += 1;
        self.generation += 1;
    }

    /// Forgets `pod` (`NodeInfo.RemovePod`).
    pub fn remove_pod(&mut self, pod: &PodInfo) {
        self.requested.sub(&pod.requests);
        self.nonzero_requested.0 = self.nonzero_requested.0.saturating_sub(pod.nonzero.0);
        self.nonzero_requested.1 = self.nonzero_requested.1.saturating_sub(pod.nonzero.1);
        self.pod_count -= 1;
        self.generation += 1;
    }
}

/// A pod being scheduled, with its requests computed once per cycle.
#[derive(Debug, Clone)]
pub struct PodInfo<'a> {
    /// The pod.
    pub pod: &'a Pod,
    /// `PodRequests`: no defaults.
    pub requests: ResourceList,
    /// cpu (m) and memory (bytes) with non-zero defaults per container.
    pub nonzero: (i64, i64),
}

impl<'a> PodInfo<'a> {
    /// From a stored pod (requests computed at creation).
    pub fn of_entry(e: &'a PodEntry) -> Self {
        PodInfo {
            pod: e.pod(),
            requests: e.requests().clone(),
            nonzero: e.nonzero_requests(),
        }
    }

    /// Computes the requests of `pod` (tests, benchmarks).
    pub fn new(pod: &'a Pod) -> Self {
        PodInfo {
            pod,
            requests: pod_requests(&pod.spec),
            nonzero: pod_nonzero_requests(&pod.spec),
        }
    }
}

/// Why a filter rejected a node; `Display` gives upstream's reason string.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reason {
    /// NodeResourcesFit: "Too many pods".
    TooManyPods,
    /// NodeResourcesFit: "Insufficient cpu".
    InsufficientCpu,
    /// NodeResourcesFit: "Insufficient memory".
    InsufficientMemory,
    /// NodeResourcesFit: "Insufficient <extended resource>".
    InsufficientScalar(String),
    /// TaintToleration: "node(s) had untolerated taint {key: value}".
    UntoleratedTaint {
        /// Taint key.
        key: String,
        /// Taint value.
        value: String,
    },
    /// NodeAffinity: "node(s) didn't match Pod's node affinity/selector".
    NodeAffinityMismatch,
    /// NodeUnschedulable: "node(s) were unschedulable".
    Unschedulable,
    /// NodeName: "node(s) didn't match the requested node name".
    NodeNameMismatch,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::TooManyPods => f.write_str("Too many pods"),
            Reason::InsufficientCpu => f.write_str("Insufficient cpu"),
            Reason::InsufficientMemory => f.write_str("Insufficient memory"),
            Reason::InsufficientScalar(r) => write!(f, "Insufficient {r}"),
            Reason::UntoleratedTaint { key, value } => {
                write!(f, "node(s) had untolerated taint {{{key}: {value}}}")
            }
            Reason::NodeAffinityMismatch => {
                f.write_str("node(s) didn't match Pod's node affinity/selector")
            }
            Reason::Unschedulable => f.write_str("node(s) were unschedulable"),
            Reason::NodeNameMismatch => f.write_str("node(s) didn't match the requested node name"),
        }
    }
}

/// A Filter extension point plugin.
pub trait FilterPlugin: Send + Sync {
    /// The plugin's name, as upstream spells it.
    fn name(&self) -> &'static str;
    /// PreFilter: `false` means Skip — the plugin's Filter would accept
    /// every node for this pod, so it is not run (as upstream's `Skip`).
    fn pre_filter(&self, _pod: &PodInfo<'_>) -> bool {
        true
    }
    /// Whether `node` can run `pod`; on rejection, pushes the reasons.
    fn filter(&self, pod: &PodInfo<'_>, node: &NodeInfo, reasons: &mut Vec<Reason>) -> bool;
}

/// A Score extension point plugin (with its PreScore and NormalizeScore).
pub trait ScorePlugin: Send + Sync {
    /// The plugin's name, as upstream spells it.
    fn name(&self) -> &'static str;
    /// PreScore: `false` means Skip (the plugin scores no node for this pod).
    fn pre_score(&self, _pod: &PodInfo<'_>) -> bool {
        true
    }
    /// Raw score of `node` for `pod`.
    fn score(&self, pod: &PodInfo<'_>, node: &NodeInfo) -> i64;
    /// NormalizeScore over the feasible nodes' raw scores (default: none).
    fn normalize(&self, _scores: &mut [i64]) {}
    /// Whether the raw score is a function of the pod's cpu/memory requests
    /// and the node's allocatable and requested resources only. The
    /// scheduler then reuses a node's score while neither changes.
    fn depends_only_on_requests(&self) -> bool {
        false
    }
}

/// `helper.DefaultNormalizeScore` (pkg/scheduler/framework/plugins/helper/normalize_score.go).
pub fn default_normalize_score(max_priority: i64, reverse: bool, scores: &mut [i64]) {
    let max_count = scores.iter().copied().fold(0, i64::max);
    if max_count == 0 {
        if reverse {
            scores.iter_mut().for_each(|s| *s = max_priority);
        }
        return;
    }
    for s in scores.iter_mut() {
        *s = max_priority * *s / max_count;
        if reverse {
            *s = max_priority - *s;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // upstream: TestDefaultNormalizeScore (pkg/scheduler/framework/plugins/helper/normalize_score_test.go)
    #[test]
    fn default_normalize_score_table() {
        let cases: &[(bool, &[i64], &[i64])] = &[
            (false, &[1, 2, 3, 4], &[25, 50, 75, 100]),
            (true, &[1, 2, 3, 4], &[75, 50, 25, 0]),
            (false, &[1000, 10, 20, 30], &[100, 1, 2, 3]),
            (true, &[1000, 10, 20, 30], &[0, 99, 98, 97]),
            (false, &[1, 1, 1, 1], &[100, 100, 100, 100]),
            (false, &[1000, 1, 1, 1], &[100, 0, 0, 0]),
            (true, &[0, 1, 1, 1], &[100, 0, 0, 0]),
        ];
        for (reverse, input, want) in cases {
            let mut s = input.to_vec();
            default_normalize_score(MAX_NODE_SCORE, *reverse, &mut s);
            assert_eq!(&s, want, "reverse={reverse} input={input:?}");
        }
    }

    #[test]
    fn reason_strings_match_upstream() {
        assert_eq!(Reason::InsufficientCpu.to_string(), "Insufficient cpu");
        assert_eq!(
            Reason::UntoleratedTaint {
                key: "dedicated".into(),
                value: "db".into()
            }
            .to_string(),
            "node(s) had untolerated taint {dedicated: db}"
        );
        assert_eq!(
            Reason::InsufficientScalar("nvidia.com/gpu".into()).to_string(),
            "Insufficient nvidia.com/gpu"
        );
    }
}
