//! Workload controllers. This release has the Deployment controller's
//! replica management (one ReplicaSet per Deployment, kept at
//! `spec.replicas`); rollout strategies come in later releases, one file
//! per strategy.

mod deployment;

pub use deployment::{
    compute_hash, safe_encode_string, ActivePodRank, Deployment, DeploymentController,
    DeploymentState, PodTemplate,
};
