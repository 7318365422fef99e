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
    /// `metadata.uid` as kubesim makes it up: there is no API server to
    /// assign a random one, so it is a stable hash (FNV-1a 64, twice) of
    /// `kind`, namespace and name, written as a version-4 UUID. Names are
    /// unique in a run, and so are these.
    pub fn uid(&self, kind: &str) -> String {
        let key = format!("{kind}/{}/{}", self.namespace_or_default(), self.name);
        let a = crate::kernel::fnv1a_64(key.as_bytes());
        let b = crate::kernel::fnv1a_64(format!("uid:{key}").as_bytes());
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0x0fff,
            0x8000 | ((b >> 48) & 0x3fff),
            b & 0xffff_ffff_ffff
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A UUID of version 4, variant 10, that depends on kind, namespace
    /// and name only.
    #[test]
    fn uid_is_a_stable_v4_uuid() {
        let mut m = ObjectMeta::named("web-1");
        let u = m.uid("Pod");
        let parts: Vec<&str> = u.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(u.chars().all(|c| c.is_ascii_hexdigit() || c == '-'));
        assert!(parts[2].starts_with('4'));
        assert!(matches!(parts[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b'));
        assert_eq!(u, m.uid("Pod"));
        assert_ne!(u, m.uid("Job"));
        m.namespace = "prod".into();
        assert_ne!(u, m.uid("Pod"));
        m.namespace = DEFAULT_NAMESPACE.into();
        assert_eq!(u, m.uid("Pod"), "default is the empty namespace");
    }
}
