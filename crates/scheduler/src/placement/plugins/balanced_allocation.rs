//! NodeResourcesBalancedAllocation
//! (pkg/scheduler/framework/plugins/noderesources/balanced_allocation.go):
//! favours nodes whose resource fractions stay close to each other after
//! placing the pod. Score = (1 − standard deviation of the fractions) × 100,
//! on real requests (no non-zero defaults); skipped for pods that request
//! nothing. This is the formula up to Kubernetes 1.35.

use crate::placement::framework::{NodeInfo, PodInfo, ScorePlugin, MAX_NODE_SCORE};
use crate::placement::plugins::node_resources_fit::{allocatable_and_requested, ResourceSpec};

/// The BalancedAllocation score plugin.
#[derive(Debug, Clone)]
pub struct BalancedAllocation {
    /// Resources balanced (default cpu and memory).
    pub resources: Vec<ResourceSpec>,
}

/// `balancedResourceScorer`: resources with zero allocatable are skipped;
/// fractions are capped at 1. At most [`MAX_RESOURCES`] resources count.
pub fn balanced_resource_score(requested: &[i64], allocatable: &[i64]) -> i64 {
    let mut fractions = [0f64; MAX_RESOURCES];
    let mut n = 0;
    let mut total = 0.0;
    for (r, a) in requested.iter().zip(allocatable) {
        if *a == 0 || n == MAX_RESOURCES {
            continue;
        }
        let f = (*r as f64 / *a as f64).min(1.0);
        fractions[n] = f;
        total += f;
        n += 1;
    }
    let std = match n {
        0 | 1 => 0.0,
        2 => ((fractions[0] - fractions[1]) / 2.0).abs(),
        _ => {
            let mean = total / n as f64;
            (fractions[..n]
                .iter()
                .map(|f| (f - mean) * (f - mean))
                .sum::<f64>()
                / n as f64)
                .sqrt()
        }
    };
    ((1.0 - std) * MAX_NODE_SCORE as f64) as i64
}

/// Most resources BalancedAllocation looks at.
pub const MAX_RESOURCES: usize = 8;

impl ScorePlugin for BalancedAllocation {
    fn name(&self) -> &'static str {
        "NodeResourcesBalancedAllocation"
    }

    fn depends_only_on_requests(&self) -> bool {
        true
    }

    /// `isBestEffortPod` over the configured resources: a pod requesting
    /// none of them is skipped.
    fn pre_score(&self, pod: &PodInfo<'_>) -> bool {
        let r = &pod.requests;
        self.resources.iter().any(|res| match res.name.as_str() {
            "cpu" => r.milli_cpu != 0,
            "memory" => r.memory != 0,
            name => r.scalar(name) != 0,
        })
    }

    fn score(&self, pod: &PodInfo<'_>, node: &NodeInfo) -> i64 {
        if !self.pre_score(pod) {
            return 0;
        }
        let mut req = [0i64; MAX_RESOURCES];
        let mut alloc = [0i64; MAX_RESOURCES];
        let n = self.resources.len().min(MAX_RESOURCES);
        for (i, r) in self.resources.iter().take(n).enumerate() {
            let (a, q) = allocatable_and_requested(pod, node, r, false);
            alloc[i] = a;
            req[i] = q;
        }
        balanced_resource_score(&req[..n], &alloc[..n])
    }
}
