//! The scheduler profile: which scoring strategy, which plugin weights, how
//! many nodes to score. Defaults are kube-scheduler's default profile
//! (pkg/scheduler/apis/config/v1/default_plugins.go).

use crate::placement::plugins::{default_resources, ResourceSpec, ScoringStrategy};

/// Weights of the score plugins kubesim models.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PluginWeights {
    /// Weight of TaintToleration.
    pub taint_toleration: i64,
    /// Weight of NodeAffinity.
    pub node_affinity: i64,
    /// Weight of NodeResourcesFit.
    pub node_resources_fit: i64,
    /// Weight of NodeResourcesBalancedAllocation.
    pub node_resources_balanced_allocation: i64,
}

impl Default for PluginWeights {
    fn default() -> Self {
        PluginWeights {
            taint_toleration: 3,
            node_affinity: 2,
            node_resources_fit: 1,
            node_resources_balanced_allocation: 1,
        }
    }
}

/// One scheduler profile (`KubeSchedulerProfile`), the parts kubesim models.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchedulerProfile {
    /// `schedulerName` (also names the scheduler's random stream).
    pub scheduler_name: String,
    /// NodeResourcesFitArgs.ScoringStrategy.
    pub scoring_strategy: ScoringStrategy,
    /// Resources (and weights) the Fit strategy scores.
    pub resources: Vec<ResourceSpec>,
    /// Resources BalancedAllocation looks at.
    pub balanced_resources: Vec<ResourceSpec>,
    /// Score plugin weights.
    pub weights: PluginWeights,
    /// `percentageOfNodesToScore`; `None` or 0 means the adaptive default.
    pub percentage_of_nodes_to_score: Option<i32>,
}

impl Default for SchedulerProfile {
    fn default() -> Self {
        SchedulerProfile {
            scheduler_name: "default-scheduler".into(),
            scoring_strategy: ScoringStrategy::LeastAllocated,
            resources: default_resources(),
            balanced_resources: default_resources(),
            weights: PluginWeights::default(),
            percentage_of_nodes_to_score: None,
        }
    }
}

/// `minFeasibleNodesToFind`.
pub const MIN_FEASIBLE_NODES_TO_FIND: usize = 100;
/// `minFeasibleNodesPercentageToFind`.
pub const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND: i64 = 5;

/// `numFeasibleNodesToFind` (pkg/scheduler/schedule_one.go): how many
/// feasible nodes to find before scoring stops looking.
pub fn num_feasible_nodes_to_find(
    percentage_of_nodes_to_score: Option<i32>,
    num_all_nodes: usize,
) -> usize {
    if num_all_nodes < MIN_FEASIBLE_NODES_TO_FIND {
        return num_all_nodes;
    }
    let n = num_all_nodes as i64;
    let mut pct = i64::from(percentage_of_nodes_to_score.unwrap_or(0));
    if pct == 0 {
        pct = (50 - n / 125).max(MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND);
    }
    let num = (n * pct / 100) as usize;
    num.max(MIN_FEASIBLE_NODES_TO_FIND)
}

#[cfg(test)]
mod tests {
    use super::*;

    // upstream: TestNumFeasibleNodesToFind (pkg/scheduler/schedule_one_test.go).
    // Rows: (percentage: global or profile value that wins, numAllNodes, want).
    #[test]
    fn num_feasible_nodes_to_find_table() {
        let cases: &[(Option<i32>, usize, usize)] = &[
            (None, 10, 10),     // not set, <minFeasibleNodesToFind
            (Some(40), 10, 10), // set, <minFeasibleNodesToFind
            (None, 1000, 420),  // not set, >minFeasibleNodesToFind
            (Some(40), 1000, 400),
            (None, 6000, 300),
            (Some(40), 6000, 2400),
        ];
        for (pct, n, want) in cases {
            assert_eq!(
                num_feasible_nodes_to_find(*pct, *n),
                *want,
                "pct={pct:?} n={n}"
            );
        }
    }
}
