//! Object metadata shared by every kind, named as Kubernetes names it.
//!
//! Later controllers (ReplicaSets, Rollouts, Jobs) rely on labels, owner
//! references and deletion timestamps, so they are part of the model from
//! the start even where this release only reads a few of them.

use crate::time::SimTime;
use std::collections::BTreeMap;

/// Labels and other string maps: a `BTreeMap` so iteration is sorted.
pub type Labels = BTreeMap<String, String>;

/// `metav1.OwnerReference`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerReference {
    pub kind: String,
    pub name: String,
    pub controller: bool,
}

/// `metav1.ObjectMeta`, the parts kubesim models.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ObjectMeta {
    pub name: String,
    pub namespace: String,
    pub labels: Labels,
    pub annotations: Labels,
    pub owner_references: Vec<OwnerReference>,
    pub creation_timestamp: SimTime,
    pub deletion_timestamp: Option<SimTime>,
    pub generation: i64,
}

impl ObjectMeta {
    pub fn named(name: impl Into<String>) -> Self {
        ObjectMeta {
            name: name.into(),
            namespace: "default".into(),
            ..Default::default()
        }
    }
    /// The controlling owner, if any (`metav1.GetControllerOf`).
    pub fn controller_of(&self) -> Option<&OwnerReference> {
        self.owner_references.iter().find(|o| o.controller)
    }
}
