//! One scheduling cycle per pod (pkg/scheduler/schedule_one.go):
//! Filter over a rotating window of nodes until enough feasible nodes are
//! found (`numFeasibleNodesToFind`), Score the feasible ones with each
//! plugin, normalize, weight, sum, and pick the best — ties broken uniformly
//! at random from the scheduler's own seeded stream (reservoir sampling, as
//! `selectHost`).
//!
//! The scheduler keeps its own cache of [`NodeInfo`] (like kube-scheduler's
//! cache), updated when it binds a pod and when a pod releases its node.

use crate::framework::{FilterPlugin, NodeInfo, PodInfo, Reason, ScorePlugin};
use crate::plugins::{
    BalancedAllocation, NodeAffinity, NodeName, NodeResourcesFitFilter, NodeResourcesFitScore,
    NodeUnschedulable, TaintToleration,
};
use crate::profile::{num_feasible_nodes_to_find, SchedulerProfile};
use kubesim_core::NodeId;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;

/// The outcome of one scheduling cycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScheduleResult {
    /// The pod goes to this node.
    Bound(NodeId),
    /// No node fits; the message reads as kube-scheduler's `FitError`.
    Unschedulable(String),
}

/// kube-scheduler, one profile.
pub struct Scheduler {
    pub profile: SchedulerProfile,
    filters: Vec<Box<dyn FilterPlugin>>,
    scores: Vec<(Box<dyn ScorePlugin>, i64)>,
    nodes: Vec<NodeInfo>,
    next_start_node_index: usize,
    rng: ChaCha8Rng,
    feasible: Vec<usize>,
    raw: Vec<i64>,
    total: Vec<i64>,
    reasons: Vec<Reason>,
}

impl Scheduler {
    /// A scheduler with `profile`, drawing tie-breaks from `rng`.
    pub fn new(profile: SchedulerProfile, rng: ChaCha8Rng) -> Self {
        let filters: Vec<Box<dyn FilterPlugin>> = vec![
            Box::new(NodeUnschedulable),
            Box::new(NodeName),
            Box::new(TaintToleration),
            Box::new(NodeAffinity),
            Box::new(NodeResourcesFitFilter),
        ];
        let w = profile.weights;
        let scores: Vec<(Box<dyn ScorePlugin>, i64)> = vec![
            (Box::new(TaintToleration), w.taint_toleration),
            (Box::new(NodeAffinity), w.node_affinity),
            (
                Box::new(NodeResourcesFitScore::new(
                    profile.scoring_strategy.clone(),
                    profile.resources.clone(),
                )),
                w.node_resources_fit,
            ),
            (
                Box::new(BalancedAllocation {
                    resources: profile.balanced_resources.clone(),
                }),
                w.node_resources_balanced_allocation,
            ),
        ];
        let scores = scores.into_iter().filter(|(_, w)| *w > 0).collect();
        Scheduler {
            profile,
            filters,
            scores,
            nodes: Vec::new(),
            next_start_node_index: 0,
            rng,
            feasible: Vec::new(),
            raw: Vec::new(),
            total: Vec::new(),
            reasons: Vec::new(),
        }
    }

    /// Adds a node to the cache; `info.id` must be the next dense id.
    pub fn add_node(&mut self, info: NodeInfo) {
        debug_assert_eq!(info.id.index(), self.nodes.len());
        self.nodes.push(info);
    }

    pub fn node(&self, id: NodeId) -> &NodeInfo {
        &self.nodes[id.index()]
    }
    pub fn node_mut(&mut self, id: NodeId) -> &mut NodeInfo {
        &mut self.nodes[id.index()]
    }
    pub fn nodes(&self) -> &[NodeInfo] {
        &self.nodes
    }

    /// Accounts for a pod bound to `node`.
    pub fn assume(&mut self, pod: &PodInfo<'_>, node: NodeId) {
        self.nodes[node.index()].add_pod(pod);
    }
    /// Forgets a pod that left `node`.
    pub fn forget(&mut self, pod: &PodInfo<'_>, node: NodeId) {
        self.nodes[node.index()].remove_pod(pod);
    }

    /// Whether `pod` passes every filter on `node` (used as a queueing hint).
    pub fn fits(&mut self, pod: &PodInfo<'_>, node: NodeId) -> bool {
        let n = &self.nodes[node.index()];
        self.reasons.clear();
        run_filters(&self.filters, pod, n, &mut self.reasons)
    }

    /// Runs one scheduling cycle for `pod`.
    pub fn schedule_one(&mut self, info: &PodInfo<'_>) -> ScheduleResult {
        let n = self.nodes.len();
        if n == 0 {
            return ScheduleResult::Unschedulable(
                "0/0 nodes are available: no nodes available to schedule pods.".into(),
            );
        }
        let to_find = num_feasible_nodes_to_find(self.profile.percentage_of_nodes_to_score, n);
        self.feasible.clear();
        let mut processed = 0;
        for i in 0..n {
            let idx = (self.next_start_node_index + i) % n;
            processed += 1;
            self.reasons.clear();
            if run_filters(&self.filters, info, &self.nodes[idx], &mut self.reasons) {
                self.feasible.push(idx);
                if self.feasible.len() >= to_find {
                    break;
                }
            }
        }
        self.next_start_node_index = (self.next_start_node_index + processed) % n;
        match self.feasible.len() {
            0 => ScheduleResult::Unschedulable(self.fit_error(info)),
            1 => ScheduleResult::Bound(self.nodes[self.feasible[0]].id),
            _ => {
                self.prioritize(info);
                ScheduleResult::Bound(self.select_host())
            }
        }
    }

    /// Runs every score plugin over the feasible nodes into `self.total`.
    fn prioritize(&mut self, info: &PodInfo<'_>) {
        let k = self.feasible.len();
        self.total.clear();
        self.total.resize(k, 0);
        for (plugin, weight) in &self.scores {
            if !plugin.pre_score(info) {
                continue;
            }
            self.raw.clear();
            self.raw.extend(
                self.feasible
                    .iter()
                    .map(|&i| plugin.score(info, &self.nodes[i])),
            );
            plugin.normalize(&mut self.raw);
            for (t, s) in self.total.iter_mut().zip(&self.raw) {
                *t += s * weight;
            }
        }
    }

    /// `selectHost`: the highest total, ties by reservoir sampling.
    fn select_host(&mut self) -> NodeId {
        let mut best = 0;
        let mut count = 0u32;
        let mut max = i64::MIN;
        for (j, &score) in self.total.iter().enumerate() {
            if score > max {
                max = score;
                best = j;
                count = 1;
            } else if score == max {
                count += 1;
                if self.rng.random_range(0..count) == 0 {
                    best = j;
                }
            }
        }
        self.nodes[self.feasible[best]].id
    }

    /// `FitError.Error()`: "0/N nodes are available: <count reason>, … ."
    /// with the "count reason" strings sorted as strings, as upstream does.
    fn fit_error(&mut self, info: &PodInfo<'_>) -> String {
        let mut histogram: BTreeMap<String, usize> = BTreeMap::new();
        for node in &self.nodes {
            self.reasons.clear();
            run_filters(&self.filters, info, node, &mut self.reasons);
            for r in &self.reasons {
                *histogram.entry(r.to_string()).or_default() += 1;
            }
        }
        let mut list: Vec<String> = histogram.iter().map(|(r, c)| format!("{c} {r}")).collect();
        list.sort();
        let mut msg = format!("0/{} nodes are available:", self.nodes.len());
        if !list.is_empty() {
            msg.push(' ');
            msg.push_str(&list.join(", "));
            msg.push('.');
        }
        msg
    }
}

/// `RunFilterPlugins`: stops at the first plugin that rejects the node.
fn run_filters(
    filters: &[Box<dyn FilterPlugin>],
    pod: &PodInfo<'_>,
    node: &NodeInfo,
    reasons: &mut Vec<Reason>,
) -> bool {
    filters.iter().all(|f| f.filter(pod, node, reasons))
}
