//! Kubernetes events (`kubectl get events`): what each component says
//! about the objects it acts on, in upstream's wording.

use crate::kernel::SimTime;

/// `Normal` or `Warning`, as in `kubectl get events`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    /// Something expected happened.
    Normal,
    /// Something went wrong, or may.
    Warning,
}

impl EventType {
    /// `Normal` or `Warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Normal => "Normal",
            EventType::Warning => "Warning",
        }
    }
}

/// A Kubernetes event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KubeEvent {
    /// When it happened.
    pub time: SimTime,
    /// `type`.
    pub kind: EventType,
    /// `reason`, e.g. `Scheduled`.
    pub reason: &'static str,
    /// The involved object: `pod/NAME`, `node/NAME`, `deployment/NAME`, …
    /// (`pod/NAMESPACE/NAME` outside the `default` namespace).
    pub object: String,
    /// `message`.
    pub message: String,
}

impl KubeEvent {
    /// A `Normal` event.
    pub fn normal(time: SimTime, reason: &'static str, object: String, message: String) -> Self {
        KubeEvent {
            time,
            kind: EventType::Normal,
            reason,
            object,
            message,
        }
    }
    /// A `Warning` event.
    pub fn warning(time: SimTime, reason: &'static str, object: String, message: String) -> Self {
        KubeEvent {
            time,
            kind: EventType::Warning,
            reason,
            object,
            message,
        }
    }
}
