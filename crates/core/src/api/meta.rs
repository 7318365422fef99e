//! Object metadata shared by every kind, named as Kubernetes names it.
//!
//! Controllers rely on labels, owner references and deletion timestamps,
//! so they are part of the model even where only a few are read today.

use crate::api::ids::ObjectRef;
use crate::kernel::SimTime;
use std::collections::BTreeMap;

/// Labels and other string maps: a `BTreeMap` so iteration is sorted.
pub type Labels = BTreeMap<String, String>;

/// The namespace objects land in when their manifest names none.
pub const DEFAULT_NAMESPACE: &str = "default";

/// `metav1.OwnerReference`. The owner is a typed reference into the store
/// (what upstream's `uid` identifies); `name` is kept for display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerReference {
    /// The owning object.
    pub owner: ObjectRef,
    /// Its `metadata.name`.
    pub name: String,
    /// `controller: true`: the managing controller (at most one).
    pub controller: bool,
}

impl OwnerReference {
    /// The owner's kind (`ReplicaSet`, `Deployment`, …).
    pub fn kind(&self) -> &'static str {
        self.owner.kind()
    }
}

/// `metav1.ObjectMeta`, the parts kubesim models.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ObjectMeta {
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace`; empty for cluster-scoped objects (nodes).
    pub namespace: String,
    /// `metadata.labels`.
    pub labels: Labels,
    /// `metadata.annotations`.
    pub annotations: Labels,
    /// `metadata.ownerReferences`.
    pub owner_references: Vec<OwnerReference>,
    /// `metadata.creationTimestamp`.
    pub creation_timestamp: SimTime,
    /// `metadata.deletionTimestamp`: set when deletion starts.
    pub deletion_timestamp: Option<SimTime>,
    /// `metadata.deletionGracePeriodSeconds`: the grace the deletion gave.
    pub deletion_grace_period_s: Option<i64>,
    /// `metadata.generation`.
    pub generation: i64,
}

impl ObjectMeta {
    /// Metadata of an object `name` in the `default` namespace.
    pub fn named(name: impl Into<String>) -> Self {
        ObjectMeta {
            name: name.into(),
            namespace: DEFAULT_NAMESPACE.into(),
            ..Default::default()
        }
    }
    /// The controlling owner, if any (`metav1.GetControllerOf`).
    pub fn controller_of(&self) -> Option<&OwnerReference> {
        self.owner_references.iter().find(|o| o.controller)
    }
    /// The namespace, `default` when empty (namespaced kinds only).
    pub fn namespace_or_default(&self) -> &str {
        if self.namespace.is_empty() {
            DEFAULT_NAMESPACE
        } else {
            &self.namespace
        }
    }
    /// How kubesim names the object in output: `NAME` in the `default`
    /// namespace (and for cluster-scoped objects), `NAMESPACE/NAME`
    /// elsewhere, so that equal names in two namespaces never collide.
    pub fn qualified_name(&self) -> std::borrow::Cow<'_, str> {
        match self.namespace.as_str() {
            "" | DEFAULT_NAMESPACE => std::borrow::Cow::Borrowed(&self.name),
            ns => std::borrow::Cow::Owned(format!("{ns}/{}", self.name)),
        }
    }
}
