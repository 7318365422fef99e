//! One scheduling cycle per pod (pkg/scheduler/schedule_one.go):
//! Filter over a rotating window of nodes until enough feasible nodes are
//! found (`numFeasibleNodesToFind`), Score the feasible ones with each
//! plugin, normalize, weight, sum, and pick the best — ties broken uniformly
//! at random from the scheduler's own seeded stream (reservoir sampling, as
//! `selectHost`).
//!
//! The scheduler keeps its own cache of [`NodeInfo`] (like kube-scheduler's
//! cache), updated when it binds a pod and when a pod releases its node.

use super::cache::Cache;
use crate::placement::framework::{FilterPlugin, NodeInfo, PodInfo, Reason, ScorePlugin};
use crate::placement::plugins::{
    BalancedAllocation, NodeAffinity, NodeName, NodeResourcesFitFilter, NodeResourcesFitScore,
    NodeUnschedulable, TaintToleration,
};
use crate::placement::profile::{num_feasible_nodes_to_find, SchedulerProfile};
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
    /// The profile it runs.
    pub profile: SchedulerProfile,
    filters: Vec<Box<dyn FilterPlugin>>,
    scores: Vec<(Box<dyn ScorePlugin>, i64)>,
    cache: Cache,
    next_start_node_index: usize,
    rng: ChaCha8Rng,
    feasible: Vec<usize>,
    raw: Vec<i64>,
    total: Vec<i64>,
    reasons: Vec<Reason>,
    /// Filters that did not Skip for the pod in this cycle.
    active_filters: Vec<usize>,
    /// Per score plugin, per node: the last raw score of a
    /// requests-only plugin, valid while the node's generation and the
    /// pod's request signature are unchanged.
    score_cache: Vec<Vec<CachedScore>>,
}

/// A remembered raw score (see [`ScorePlugin::depends_only_on_requests`]).
#[derive(Debug, Clone, Copy)]
struct CachedScore {
    generation: u64,
    signature: [i64; 4],
    score: i64,
}

const NO_SCORE: CachedScore = CachedScore {
    generation: u64::MAX,
    signature: [i64::MIN; 4],
    score: 0,
};

/// The request signature of a pod whose resource scores can be cached:
/// cpu and memory (real and non-zero); pods with extended resources are
/// not cached.
fn request_signature(pod: &PodInfo<'_>) -> Option<[i64; 4]> {
    pod.requests.scalar.is_empty().then_some([
        pod.requests.milli_cpu,
        pod.requests.memory,
        pod.nonzero.0,
        pod.nonzero.1,
    ])
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
        let scores: Vec<(Box<dyn ScorePlugin>, i64)> =
            scores.into_iter().filter(|(_, w)| *w > 0).collect();
        let score_cache = vec![Vec::new(); scores.len()];
        Scheduler {
            profile,
            filters,
            scores,
            cache: Cache::default(),
            next_start_node_index: 0,
            rng,
            feasible: Vec::new(),
            raw: Vec::new(),
            total: Vec::new(),
            reasons: Vec::new(),
            score_cache,
            active_filters: Vec::new(),
        }
    }

    /// Adds a node to the cache; `info.id` must be the next dense id.
    pub fn add_node(&mut self, info: NodeInfo) {
        self.cache.add_node(info);
        for cache in &mut self.score_cache {
            cache.push(NO_SCORE);
        }
    }

    /// A node was deleted.
    pub fn remove_node(&mut self, id: NodeId) {
        self.cache.remove_node(id);
        let n = self.cache.order.len();
        if self.next_start_node_index >= n {
            self.next_start_node_index = 0;
        }
    }

    /// A node's labels, taints or cordon changed.
    pub fn update_node(&mut self, id: NodeId, node: &kubesim_core::Node) {
        let info = &mut self.cache.nodes[id.index()];
        info.labels = node.metadata.labels.clone();
        info.taints = node.taints.clone();
        info.unschedulable = node.unschedulable;
        info.allocatable = node.allocatable.clone();
        info.generation += 1;
    }

    /// The cache.
    pub fn cache(&self) -> &Cache {
        &self.cache
    }
    /// Node `id` as the scheduler sees it.
    pub fn node(&self, id: NodeId) -> &NodeInfo {
        self.cache.node(id)
    }
    /// Every node as the scheduler sees it.
    pub fn nodes(&self) -> &[NodeInfo] {
        self.cache.nodes()
    }

    /// Accounts for a pod bound to `node`.
    pub fn assume(&mut self, pod: &PodInfo<'_>, node: NodeId) {
        self.cache.assume(pod, node);
    }
    /// Forgets a pod that left `node`.
    pub fn forget(&mut self, pod: &PodInfo<'_>, node: NodeId) {
        self.cache.forget(pod, node);
    }

    /// Whether `pod` passes every filter on `node` (used as a queueing hint).
    pub fn fits(&mut self, pod: &PodInfo<'_>, node: NodeId) -> bool {
        let n = &self.cache.nodes[node.index()];
        self.reasons.clear();
        run_filters(&self.filters, pod, n, &mut self.reasons)
    }

    /// Runs one scheduling cycle for `pod`.
    pub fn schedule_one(&mut self, info: &PodInfo<'_>) -> ScheduleResult {
        let n = self.cache.order.len();
        if n == 0 {
            return ScheduleResult::Unschedulable(
                "0/0 nodes are available: no nodes available to schedule pods.".into(),
            );
        }
        let to_find = num_feasible_nodes_to_find(self.profile.percentage_of_nodes_to_score, n);
        self.feasible.clear();
        self.active_filters.clear();
        for (i, f) in self.filters.iter().enumerate() {
            if f.pre_filter(info) {
                self.active_filters.push(i);
            }
        }
        let mut processed = 0;
        let mut idx = self.next_start_node_index;
        for _ in 0..n {
            if idx == n {
                idx = 0;
            }
            processed += 1;
            self.reasons.clear();
            let id = self.cache.order[idx].index();
            let node = &self.cache.nodes[id];
            let reasons = &mut self.reasons;
            let fits = self
                .active_filters
                .iter()
                .all(|&f| self.filters[f].filter(info, node, reasons));
            if fits {
                self.feasible.push(id);
                if self.feasible.len() >= to_find {
                    break;
                }
            }
            idx += 1;
        }
        self.next_start_node_index = (self.next_start_node_index + processed) % n;
        match self.feasible.len() {
            0 => ScheduleResult::Unschedulable(self.fit_error(info)),
            1 => ScheduleResult::Bound(self.cache.nodes[self.feasible[0]].id),
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
        let signature = request_signature(info);
        for (pi, (plugin, weight)) in self.scores.iter().enumerate() {
            if !plugin.pre_score(info) {
                continue;
            }
            self.raw.clear();
            match signature.filter(|_| plugin.depends_only_on_requests()) {
                Some(sig) => {
                    let cache = &mut self.score_cache[pi];
                    for &i in &self.feasible {
                        let node = &self.cache.nodes[i];
                        let e = &mut cache[i];
                        if e.generation != node.generation || e.signature != sig {
                            *e = CachedScore {
                                generation: node.generation,
                                signature: sig,
                                score: plugin.score(info, node),
                            };
                        }
                        self.raw.push(e.score);
                    }
                }
                None => self.raw.extend(
                    self.feasible
                        .iter()
                        .map(|&i| plugin.score(info, &self.cache.nodes[i])),
                ),
            }
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
        self.cache.nodes[self.feasible[best]].id
    }

    /// `FitError.Error()`: "0/N nodes are available: <count reason>, … ."
    /// with the "count reason" strings sorted as strings, as upstream does.
    fn fit_error(&mut self, info: &PodInfo<'_>) -> String {
        let mut histogram: BTreeMap<String, usize> = BTreeMap::new();
        for id in &self.cache.order {
            let node = &self.cache.nodes[id.index()];
            self.reasons.clear();
            run_filters(&self.filters, info, node, &mut self.reasons);
            for r in &self.reasons {
                *histogram.entry(r.to_string()).or_default() += 1;
            }
        }
        let mut list: Vec<String> = histogram.iter().map(|(r, c)| format!("{c} {r}")).collect();
        list.sort();
        let mut msg = format!("0/{} nodes are available:", self.cache.order.len());
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
