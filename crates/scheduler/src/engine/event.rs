//! The closed set of events the engine's queue holds, namespaced by the
//! subsystem that armed them. `Copy` and small: the queue stores them by
//! value, so pushing and popping allocate nothing.

use crate::controllers::ControllerTimer;
use crate::placement::PlacementTimer;
use crate::traffic::TrafficTimer;
use kubesim_core::KubeletTimer;

/// One entry of the event queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// A kubelet timer (container up, demand change, work done, restart).
    Kubelet(KubeletTimer),
    /// A placement timer (scheduling cycle, back-off and leftover flushes).
    Placement(PlacementTimer),
    /// A controller timer (a Job's back-off, deadline, TTL; a CronJob's
    /// next start time).
    Controller(ControllerTimer),
    /// The scenario's timeline action with this index.
    Timeline(u32),
    /// Take a metric sample.
    Sample,
    /// A Service's traffic has something due (a process coming up, a
    /// rate breakpoint).
    Traffic(TrafficTimer),
}
