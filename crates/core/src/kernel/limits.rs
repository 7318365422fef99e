//! Limits on everything that grows during a run.
//!
//! A scenario that would run forever, or create objects without bound, ends
//! with a [`LimitExceeded`] error naming the limit and how to raise it,
//! instead of hanging or exhausting memory.

use crate::kernel::SimTime;

/// Upper bounds for one run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunLimits {
    /// Latest simulated time a run may reach.
    pub max_sim_time: SimTime,
    /// Most events a run may process.
    pub max_events: u64,
    /// Most objects (nodes, pods, Jobs and CronJobs, counting every one
    /// ever created) a run may hold; checked before an object is created.
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
    /// The scenario's duration is over `maxSimTime`.
    SimTime {
        /// The scenario's duration.
        requested: SimTime,
        /// The limit.
        limit: SimTime,
    },
    #[error("event limit exceeded: more than {limit} events at t={at} (raise limits.maxEvents)")]
    /// More events than `maxEvents`.
    Events {
        /// The limit.
        limit: u64,
        /// When it was hit.
        at: SimTime,
    },
    #[error("object limit exceeded: more than {limit} objects (nodes, pods, Jobs, CronJobs) at t={at} (raise limits.maxObjects)")]
    /// More objects than `maxObjects`.
    Objects {
        /// The limit.
        limit: u64,
        /// When it was hit.
        at: SimTime,
    },
    #[error("{what}: no free name after {attempts} attempts at t={at}")]
    /// A controller found no free generated name.
    Names {
        /// What was being named.
        what: String,
        /// Attempts made.
        attempts: u32,
        /// When.
        at: SimTime,
    },
}

/// Fixed bounds of the model, the same for every run: they keep ids and
/// counts inside the integer types that hold them and stop a single object
/// from growing without end. The runner checks scenarios against them and
/// names the field that goes over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelLimits;

impl ModelLimits {
    /// Containers (init and app) in one pod. Upstream sets no number; this
    /// keeps a container index in a `u16` with room to spare.
    pub const MAX_CONTAINERS_PER_POD: usize = 256;
    /// Entries in a scenario's timeline.
    pub const MAX_TIMELINE_ENTRIES: usize = 100_000;
    /// Points in one demand profile.
    pub const MAX_PROFILE_POINTS: usize = 100_000;
    /// Random suffixes a controller tries before giving up on a pod name
    /// (the API server's `generateName` retries a conflict a few times too).
    pub const MAX_NAME_ATTEMPTS: u32 = 64;
    /// Objects a run may ever hold: ids are `u32`.
    pub const MAX_OBJECTS: u64 = u32::MAX as u64 - 1;
}
