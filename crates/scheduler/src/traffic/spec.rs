//! What a scenario asks of a Service's traffic (`traffic:` entries),
//! validated by the runner.
//!
//! Invariant: immutable once the run starts; the traffic model only reads
//! it.

use super::profile::RateProfile;
use kubesim_core::{ServiceId, SimTime, Store};

/// The default `timeout`.
pub const DEFAULT_TIMEOUT: SimTime = SimTime::from_secs(30);

/// One `traffic:` entry: requests to one Service.
#[derive(Debug, Clone, PartialEq)]
pub struct TrafficSpec {
    /// The Service's namespace (empty: `default`).
    pub namespace: String,
    /// The Service's name.
    pub service: String,
    /// Requests per second over time.
    pub rate: RateProfile,
    /// A request not answered within this fails (client timeout).
    pub timeout: SimTime,
    /// How many times a failed attempt is retried.
    pub retries: u32,
    /// The service level objective, if any.
    pub slo: Option<Slo>,
}

impl TrafficSpec {
    /// The Service this entry sends requests to (an empty namespace is
    /// `default`).
    pub fn service_id(&self, store: &Store) -> Option<ServiceId> {
        let ns = if self.namespace.is_empty() {
            "default"
        } else {
            self.namespace.as_str()
        };
        store.service_id(ns, &self.service).or_else(|| {
            store
                .service_id("", &self.service)
                .filter(|_| ns == "default")
        })
    }
}

impl TrafficSpec {
    /// Traffic at a constant `rps` with the defaults.
    pub fn constant(service: &str, rps: f64) -> Self {
        TrafficSpec {
            namespace: String::new(),
            service: service.to_string(),
            rate: RateProfile::constant(rps),
            timeout: DEFAULT_TIMEOUT,
            retries: 0,
            slo: None,
        }
    }
}

/// `traffic[].slo`: a window meets it when its p99 latency is at most
/// `latency` and its error rate at most `error_rate`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Slo {
    /// The p99 latency bound.
    pub latency: SimTime,
    /// The error-rate bound (0–1).
    pub error_rate: f64,
}
