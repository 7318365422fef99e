//! Limits on everything that grows during a run.
//!
//! A scenario that would run forever, or create objects without bound, ends
//! with a [`LimitExceeded`] error naming the limit and how to raise it,
//! instead of hanging or exhausting memory.

use crate::time::SimTime;

/// Upper bounds for one run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunLimits {
    /// Latest simulated time a run may reach.
    pub max_sim_time: SimTime,
    /// Most events a run may process.
    pub max_events: u64,
    /// Most objects (nodes + pods) a run may hold.
    pub max_objects: u64,
}

impl Default for RunLimits {
    fn default() -> Self {
        RunLimits {
            max_sim_time: SimTime::from_secs(30 * 24 * 3600),
            max_events: 500_000_000,
            max_objects: 2_000_000,
        }
    }
}

/// Which limit a run exceeded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LimitExceeded {
    #[error("simulated time limit exceeded: the run asks for {requested}, the limit is {limit} (raise limits.maxSimTime)")]
    SimTime { requested: SimTime, limit: SimTime },
    #[error("event limit exceeded: more than {limit} events at t={at} (raise limits.maxEvents)")]
    Events { limit: u64, at: SimTime },
    #[error("object limit exceeded: more than {limit} nodes and pods at t={at} (raise limits.maxObjects)")]
    Objects { limit: u64, at: SimTime },
}
