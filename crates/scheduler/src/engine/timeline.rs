//! The scenario's timeline: actions at points in simulated time, applied
//! as a user with `kubectl` would — by writing to the store.

use kubesim_core::{DeploymentId, SimTime, Store};

/// Something the scenario does at a point in simulated time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// `kubectl scale deployment/NAME --replicas=N`.
    Scale {
        /// The Deployment's namespace.
        namespace: String,
        /// Its name.
        deployment: String,
        /// The new `spec.replicas`.
        replicas: i32,
    },
}

/// A timed action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineEntry {
    /// When.
    pub at: SimTime,
    /// What.
    pub action: Action,
}

/// An action resolved against the store (names → ids) when the run starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Resolved {
    Scale {
        deployment: DeploymentId,
        replicas: i32,
    },
    /// Its target does not exist (the runner's validation prevents this).
    Missing,
}

pub(super) fn resolve(store: &Store, action: &Action) -> Resolved {
    match action {
        Action::Scale {
            namespace,
            deployment,
            replicas,
        } => match store.deployment_id(namespace, deployment) {
            Some(d) => Resolved::Scale {
                deployment: d,
                replicas: *replicas,
            },
            None => Resolved::Missing,
        },
    }
}

pub(super) fn apply(store: &mut Store, action: Resolved) {
    match action {
        Resolved::Scale {
            deployment,
            replicas,
        } => store.scale_deployment(deployment, replicas),
        Resolved::Missing => {}
    }
}
