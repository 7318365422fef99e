//! Request traffic to Services.
//!
//! [`stats`] holds what every consumer of traffic reads: cumulative
//! [`Totals`] per Service and per ReplicaSet (so a window is the
//! difference of two snapshots, [`Totals::since`]), and the
//! [`TrafficQuery`] trait through which controllers (Argo Rollouts'
//! analysis) read them without owning the traffic model.

mod stats;

pub use stats::{
    bucket_lower_s, bucket_of, NoTraffic, Totals, TrafficQuery, Window, LATENCY_BUCKETS,
};
