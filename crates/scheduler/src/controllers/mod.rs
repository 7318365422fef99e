//! Workload controllers. This release has the Deployment controller's
//! replica management (one ReplicaSet per Deployment, kept at
//! `spec.replicas`); rollout strategies come in later releases, one file
//! per strategy.

mod active_pods;
mod deployment;

pub use active_pods::{ActivePodRank, POD_DELETION_COST};
pub use deployment::{
    compute_hash, safe_encode_string, template_fingerprint, Deployment, DeploymentController,
    DeploymentState, PodTemplate,
};
