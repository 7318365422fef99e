//! Workload objects: `PodTemplateSpec`, `apps/v1` Deployment and
//! ReplicaSet, the parts kubesim models. Controllers in
//! `kubesim-scheduler` read them from the [`Store`](super::Store) and
//! write their changes back through it.

use crate::api::meta::{Labels, ObjectMeta};
use crate::api::pod::PodSpec;
use crate::api::selector::LabelSelector;

/// `v1.PodTemplateSpec`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PodTemplate {
    /// `template.metadata.labels`.
    pub labels: Labels,
    /// `template.metadata.annotations`.
    pub annotations: Labels,
    /// `template.spec`.
    pub spec: PodSpec,
}

/// `apps/v1.Deployment`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployment {
    /// `metadata`.
    pub metadata: ObjectMeta,
    /// `spec.replicas` (defaulted to 1).
    pub replicas: i32,
    /// `spec.selector`.
    pub selector: LabelSelector,
    /// `spec.template`.
    pub template: PodTemplate,
}

/// `apps/v1.ReplicaSet`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicaSet {
    /// `metadata` (named `<deployment>-<pod-template-hash>`, owned by its
    /// Deployment).
    pub metadata: ObjectMeta,
    /// `spec.replicas`.
    pub replicas: i32,
    /// `spec.selector`.
    pub selector: LabelSelector,
    /// `spec.template`, with the `pod-template-hash` label.
    pub template: PodTemplate,
}
