//! The event kernel: simulated time, the event queue, random streams,
//! timer generations and run limits.
//!
//! - [`SimTime`] is an integer number of nanoseconds; [`parse_duration`]
//!   reads Go-style durations.
//! - [`EventQueue`] orders events by (time, insertion sequence): equal
//!   times fire first-in first-out.
//! - [`entity_rng`] gives every entity its own seeded `ChaCha8Rng` stream.
//! - [`TimerTable`] is the one place that decides whether a timer popped
//!   from the queue is still current (generations), so no component writes
//!   its own staleness rules.
//! - [`RunLimits`] bounds a run; [`LimitExceeded`] says which bound was hit.
//! - [`wallclock`] is the calendar (dates, weekdays, Go's timestamp
//!   formats) for what follows wall-clock time, like cron schedules.
//!
//! Nothing here knows about Kubernetes.

mod limits;
mod queue;
mod rng;
mod time;
mod timers;
pub mod wallclock;

pub use limits::{LimitExceeded, ModelLimits, RunLimits};
pub use queue::EventQueue;
pub use rng::{entity_rng, fnv1a_64, stable_hash};
pub use time::{parse_duration, DurationError, SecsDisplay, SimTime, NANOS_PER_SEC};
pub use timers::{Gen, TimerKind, TimerTable};
