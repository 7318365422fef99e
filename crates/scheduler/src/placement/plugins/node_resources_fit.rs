//! NodeResourcesFit (pkg/scheduler/framework/plugins/noderesources/fit.go):
//! the resource Filter and the scoring strategies `LeastAllocated`,
//! `MostAllocated` and `RequestedToCapacityRatio`.
//!
//! Filter compares `PodRequests` (no defaults) with allocatable minus
//! requested; scoring uses the non-zero requests for cpu and memory
//! (`NonZeroRequested`) and skips extended resources the pod does not ask for.

use crate::placement::framework::{
    FilterPlugin, NodeInfo, PodInfo, Reason, ScorePlugin, MAX_CUSTOM_PRIORITY_SCORE, MAX_NODE_SCORE,
};

/// A resource a scoring strategy looks at, with its weight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceSpec {
    /// Resource name.
    pub name: String,
    /// Its weight in the score.
    pub weight: i64,
    /// Resolved once so scoring does not compare names per node.
    kind: ResourceKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ResourceKind {
    Cpu,
    Memory,
    Scalar,
}

impl ResourceSpec {
    /// A resource and its weight.
    pub fn new(name: &str, weight: i64) -> Self {
        let kind = match name {
            "cpu" => ResourceKind::Cpu,
            "memory" => ResourceKind::Memory,
            _ => ResourceKind::Scalar,
        };
        ResourceSpec {
            name: name.to_string(),
            weight,
            kind,
        }
    }
}

/// The default `[cpu: 1, memory: 1]`.
pub fn default_resources() -> Vec<ResourceSpec> {
    vec![ResourceSpec::new("cpu", 1), ResourceSpec::new("memory", 1)]
}

/// A point of a RequestedToCapacityRatio shape: utilization (0..=100) → score (0..=10).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UtilizationShapePoint {
    /// Utilization, 0..=100.
    pub utilization: i64,
    /// Score at that utilization, 0..=10.
    pub score: i64,
}

/// `ScoringStrategyType`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ScoringStrategy {
    #[default]
    /// Prefer nodes with more free resources (spreading).
    LeastAllocated,
    /// Prefer nodes with fewer free resources (bin packing).
    MostAllocated,
    /// Score by a piecewise-linear function of utilization.
    RequestedToCapacityRatio {
        /// The function's points.
        shape: Vec<UtilizationShapePoint>,
    },
}

/// The Filter half of NodeResourcesFit.
#[derive(Debug, Default)]
pub struct NodeResourcesFitFilter;

impl FilterPlugin for NodeResourcesFitFilter {
    fn name(&self) -> &'static str {
        "NodeResourcesFit"
    }

    /// `fitsRequest`: reasons in upstream's order (pods, cpu, memory, scalars).
    fn filter(&self, pod: &PodInfo<'_>, node: &NodeInfo, reasons: &mut Vec<Reason>) -> bool {
        let before = reasons.len();
        if node.pod_count.saturating_add(1) > node.allocatable.pods {
            reasons.push(Reason::TooManyPods);
        }
        let req = &pod.requests;
        if req.milli_cpu == 0 && req.memory == 0 && req.scalar.iter().all(|(_, v)| *v == 0) {
            return reasons.len() == before;
        }
        let (alloc, used) = (&node.allocatable, &node.requested);
        if req.milli_cpu > 0 && req.milli_cpu > alloc.milli_cpu - used.milli_cpu {
            reasons.push(Reason::InsufficientCpu);
        }
        if req.memory > 0 && req.memory > alloc.memory - used.memory {
            reasons.push(Reason::InsufficientMemory);
        }
        for (name, q) in &req.scalar {
            if *q == 0 {
                continue;
            }
            if *q > alloc.scalar(name) - used.scalar(name) {
                reasons.push(Reason::InsufficientScalar(name.clone()));
            }
        }
        reasons.len() == before
    }
}

/// The Score half of NodeResourcesFit.
#[derive(Debug, Clone)]
pub struct NodeResourcesFitScore {
    /// With a RequestedToCapacityRatio shape already scaled to 0..=100.
    strategy: ScoringStrategy,
    resources: Vec<ResourceSpec>,
}

impl NodeResourcesFitScore {
    /// A RequestedToCapacityRatio shape is given in 0..=10 scores and
    /// scaled to 0..=100 here, once (`MaxNodeScore / MaxCustomPriorityScore`).
    pub fn new(strategy: ScoringStrategy, resources: Vec<ResourceSpec>) -> Self {
        let strategy = match strategy {
            ScoringStrategy::RequestedToCapacityRatio { shape } => {
                ScoringStrategy::RequestedToCapacityRatio {
                    shape: shape
                        .iter()
                        .map(|p| UtilizationShapePoint {
                            utilization: p.utilization,
                            score: p.score * (MAX_NODE_SCORE / MAX_CUSTOM_PRIORITY_SCORE),
                        })
                        .collect(),
                }
            }
            other => other,
        };
        NodeResourcesFitScore {
            strategy,
            resources,
        }
    }
}

/// `calculateResourceAllocatableRequest` with `useRequested = false`:
/// (allocatable, requested including the pod). An extended resource the pod
/// does not request, or the node does not have, is bypassed as (0, 0).
pub(crate) fn allocatable_and_requested(
    pod: &PodInfo<'_>,
    node: &NodeInfo,
    resource: &ResourceSpec,
    nonzero: bool,
) -> (i64, i64) {
    match resource.kind {
        ResourceKind::Cpu => {
            let (base, pod_req) = if nonzero {
                (node.nonzero_requested.0, pod.nonzero.0)
            } else {
                (node.requested.milli_cpu, pod.requests.milli_cpu)
            };
            (node.allocatable.milli_cpu, base.saturating_add(pod_req))
        }
        ResourceKind::Memory => {
            let (base, pod_req) = if nonzero {
                (node.nonzero_requested.1, pod.nonzero.1)
            } else {
                (node.requested.memory, pod.requests.memory)
            };
            (node.allocatable.memory, base.saturating_add(pod_req))
        }
        ResourceKind::Scalar => {
            let name = resource.name.as_str();
            let pod_req = pod.requests.scalar(name);
            if pod_req == 0 {
                return (0, 0);
            }
            let alloc = node.allocatable.scalar(name);
            if alloc == 0 && !node.allocatable.scalar.iter().any(|(n, _)| n == name) {
                return (0, 0);
            }
            (alloc, node.requested.scalar(name).saturating_add(pod_req))
        }
    }
}

/// `leastRequestedScore`.
pub fn least_requested_score(requested: i64, capacity: i64) -> i64 {
    if capacity == 0 || requested > capacity {
        return 0;
    }
    ((capacity - requested) * MAX_NODE_SCORE) / capacity
}

/// `mostRequestedScore`.
pub fn most_requested_score(requested: i64, capacity: i64) -> i64 {
    if capacity == 0 {
        return 0;
    }
    (requested.min(capacity) * MAX_NODE_SCORE) / capacity
}

/// `helper.BuildBrokenLinearFunction` evaluated at `p` over an already
/// scaled shape (scores 0..=100).
pub fn broken_linear(shape: &[UtilizationShapePoint], p: i64) -> i64 {
    for (i, pt) in shape.iter().enumerate() {
        if p <= pt.utilization {
            if i == 0 {
                return shape[0].score;
            }
            let prev = shape[i - 1];
            return prev.score
                + (pt.score - prev.score) * (p - prev.utilization)
                    / (pt.utilization - prev.utilization);
        }
    }
    shape.last().map_or(0, |p| p.score)
}

impl NodeResourcesFitScore {
    fn score_least_most(&self, pod: &PodInfo<'_>, node: &NodeInfo, f: fn(i64, i64) -> i64) -> i64 {
        let (mut node_score, mut weight_sum) = (0i64, 0i64);
        for r in &self.resources {
            let (alloc, req) = allocatable_and_requested(pod, node, r, true);
            if alloc == 0 {
                continue;
            }
            node_score += f(req, alloc) * r.weight;
            weight_sum += r.weight;
        }
        if weight_sum == 0 {
            0
        } else {
            node_score / weight_sum
        }
    }

    fn score_ratio(
        &self,
        pod: &PodInfo<'_>,
        node: &NodeInfo,
        shape: &[UtilizationShapePoint],
    ) -> i64 {
        let (mut node_score, mut weight_sum) = (0i64, 0i64);
        for r in &self.resources {
            let (alloc, req) = allocatable_and_requested(pod, node, r, true);
            if alloc == 0 {
                continue;
            }
            let s = if req > alloc {
                broken_linear(shape, 100)
            } else {
                broken_linear(shape, req * 100 / alloc)
            };
            if s > 0 {
                node_score += s * r.weight;
                weight_sum += r.weight;
            }
        }
        if weight_sum == 0 {
            0
        } else {
            (node_score as f64 / weight_sum as f64).round() as i64
        }
    }
}

impl ScorePlugin for NodeResourcesFitScore {
    fn name(&self) -> &'static str {
        "NodeResourcesFit"
    }

    fn depends_only_on_requests(&self) -> bool {
        true
    }

    fn score(&self, pod: &PodInfo<'_>, node: &NodeInfo) -> i64 {
        match &self.strategy {
            ScoringStrategy::LeastAllocated => {
                self.score_least_most(pod, node, least_requested_score)
            }
            ScoringStrategy::MostAllocated => {
                self.score_least_most(pod, node, most_requested_score)
            }
            ScoringStrategy::RequestedToCapacityRatio { shape } => {
                self.score_ratio(pod, node, shape)
            }
        }
    }
}
