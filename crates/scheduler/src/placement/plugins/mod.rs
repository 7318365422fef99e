//! The in-tree plugins kubesim models, one file per plugin, each behind the
//! [`FilterPlugin`](crate::FilterPlugin) / [`ScorePlugin`](crate::ScorePlugin)
//! traits, named as in pkg/scheduler/framework/plugins.

mod balanced_allocation;
mod node_affinity;
mod node_name;
mod node_resources_fit;
mod node_unschedulable;
mod taint_toleration;

pub use balanced_allocation::{balanced_resource_score, BalancedAllocation, MAX_RESOURCES};
pub use node_affinity::{
    required_node_affinity_matches, requirement_matches, term_matches, NodeAffinity,
};
pub use node_name::NodeName;
pub use node_resources_fit::{
    broken_linear, default_resources, least_requested_score, most_requested_score,
    NodeResourcesFitFilter, NodeResourcesFitScore, ResourceSpec, ScoringStrategy,
    UtilizationShapePoint,
};
pub use node_unschedulable::{NodeUnschedulable, TAINT_NODE_UNSCHEDULABLE};
pub use taint_toleration::TaintToleration;
