//! Cumulative request counters and the windows derived from them.
//!
//! Latencies go into a fixed log-spaced histogram ([`LATENCY_BUCKETS`]
//! buckets, 16 per decade from 100 µs to 1,000 s), counted in fractional
//! requests so that an analytic model can spread a batch of requests over
//! the buckets by its distribution. Percentiles interpolate within a
//! bucket (log-linearly): their error is at most one bucket's width,
//! 15.5 % of the value.

use kubesim_core::{ReplicaSetId, ServiceId};

/// Number of latency buckets.
pub const LATENCY_BUCKETS: usize = 16 * 7;
/// The lower edge of the first bucket (seconds); faster requests count
/// in the first bucket.
const LATENCY_MIN_S: f64 = 1e-4;
/// Buckets per factor of ten.
const PER_DECADE: f64 = 16.0;

/// Requests counted since the start of the run (for one Service, or for
/// one Service's requests served by one ReplicaSet's pods).
#[derive(Debug, Clone, PartialEq)]
pub struct Totals {
    /// Requests that arrived (a retried request counts once).
    pub requests: f64,
    /// Requests that failed (an error answer, a timeout, no endpoint, a
    /// pod that stopped under them) after their retries.
    pub errors: f64,
    /// Sum of the latencies of answered requests (seconds).
    pub latency_sum_s: f64,
    /// Answered requests (successes and error answers), the latencies'
    /// count.
    pub answered: f64,
    /// Answered requests by latency bucket.
    pub histogram: [f64; LATENCY_BUCKETS],
}

impl Default for Totals {
    fn default() -> Self {
        Totals {
            requests: 0.0,
            errors: 0.0,
            latency_sum_s: 0.0,
            answered: 0.0,
            histogram: [0.0; LATENCY_BUCKETS],
        }
    }
}

/// The lower edge of bucket `i` (seconds).
pub fn bucket_lower_s(i: usize) -> f64 {
    LATENCY_MIN_S * 10f64.powf(i as f64 / PER_DECADE)
}

/// The bucket a latency falls in.
pub fn bucket_of(latency_s: f64) -> usize {
    if latency_s <= LATENCY_MIN_S || latency_s.is_nan() {
        return 0;
    }
    let i = ((latency_s / LATENCY_MIN_S).log10() * PER_DECADE).floor();
    (i as usize).min(LATENCY_BUCKETS - 1)
}

impl Totals {
    /// Adds `n` answered requests of latency `latency_s` each.
    pub fn add_answered(&mut self, n: f64, latency_s: f64) {
        debug_assert!(n >= 0.0 && latency_s >= 0.0);
        self.answered += n;
        self.latency_sum_s += n * latency_s;
        self.histogram[bucket_of(latency_s)] += n;
    }

    /// What happened between `earlier` (a snapshot of the same counters)
    /// and `self`, over `seconds` of simulated time.
    pub fn since(&self, earlier: &Totals, seconds: f64) -> Window {
        let mut histogram = [0.0; LATENCY_BUCKETS];
        for (h, (a, b)) in histogram
            .iter_mut()
            .zip(self.histogram.iter().zip(earlier.histogram.iter()))
        {
            *h = (a - b).max(0.0);
        }
        Window {
            seconds,
            requests: (self.requests - earlier.requests).max(0.0),
            errors: (self.errors - earlier.errors).max(0.0),
            answered: (self.answered - earlier.answered).max(0.0),
            latency_sum_s: (self.latency_sum_s - earlier.latency_sum_s).max(0.0),
            histogram,
        }
    }
}

/// Requests of one interval.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    /// Its length (seconds).
    pub seconds: f64,
    /// Requests that arrived.
    pub requests: f64,
    /// Requests that failed.
    pub errors: f64,
    /// Requests answered.
    pub answered: f64,
    /// Sum of their latencies.
    pub latency_sum_s: f64,
    /// Answered requests by latency bucket.
    pub histogram: [f64; LATENCY_BUCKETS],
}

impl Window {
    /// Requests per second (`None` for an empty interval).
    pub fn request_rate(&self) -> Option<f64> {
        (self.seconds > 0.0).then(|| self.requests / self.seconds)
    }
    /// Failed share of the requests (`None` without requests).
    pub fn error_rate(&self) -> Option<f64> {
        (self.requests > 0.0).then(|| self.errors / self.requests)
    }
    /// Mean latency of answered requests (`None` without any).
    pub fn latency_mean_s(&self) -> Option<f64> {
        (self.answered > 0.0).then(|| self.latency_sum_s / self.answered)
    }
    /// The `q` quantile (0 < q < 1) of answered requests' latency
    /// (`None` without any), interpolated log-linearly in its bucket.
    pub fn latency_quantile_s(&self, q: f64) -> Option<f64> {
        let total: f64 = self.histogram.iter().sum();
        if total <= 0.0 {
            return None;
        }
        let target = q.clamp(0.0, 1.0) * total;
        let mut below = 0.0;
        for (i, &n) in self.histogram.iter().enumerate() {
            if n > 0.0 && below + n >= target {
                let frac = ((target - below) / n).clamp(0.0, 1.0);
                let (lo, hi) = (bucket_lower_s(i), bucket_lower_s(i + 1));
                return Some(lo * (hi / lo).powf(frac));
            }
            below += n;
        }
        Some(bucket_lower_s(LATENCY_BUCKETS))
    }
}

/// What controllers may read of the traffic: cumulative totals.
pub trait TrafficQuery {
    /// Requests to Service `service` so far — all of them (`replica_set:
    /// None`), or those served by pods of ReplicaSet `replica_set`.
    fn totals(&self, service: ServiceId, replica_set: Option<ReplicaSetId>) -> Totals;
}

/// No traffic at all (a run without a `traffic:` section, and tests).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoTraffic;

impl TrafficQuery for NoTraffic {
    fn totals(&self, _: ServiceId, _: Option<ReplicaSetId>) -> Totals {
        Totals::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_cover_their_edges() {
        for i in 0..LATENCY_BUCKETS - 1 {
            let mid = (bucket_lower_s(i) * bucket_lower_s(i + 1)).sqrt();
            assert_eq!(bucket_of(mid), i);
        }
        assert_eq!(bucket_of(0.0), 0);
        assert_eq!(bucket_of(1e9), LATENCY_BUCKETS - 1);
    }

    #[test]
    fn window_is_the_difference() {
        let mut a = Totals {
            requests: 10.0,
            ..Default::default()
        };
        a.add_answered(10.0, 0.02);
        let mut b = a.clone();
        b.requests += 100.0;
        b.errors += 5.0;
        b.add_answered(95.0, 0.2);
        let w = b.since(&a, 10.0);
        assert_eq!(w.request_rate(), Some(10.0));
        assert_eq!(w.error_rate(), Some(0.05));
        assert!((w.latency_mean_s().unwrap() - 0.2).abs() < 1e-12);
        let p50 = w.latency_quantile_s(0.5).unwrap();
        assert!((p50 / 0.2 - 1.0).abs() < 0.155, "{p50}");
    }

    #[test]
    fn quantiles_of_a_spread() {
        let mut t = Totals::default();
        // 1 ms … 1 s, evenly by count.
        for k in 0..1000 {
            t.add_answered(1.0, 0.001 * (k + 1) as f64);
        }
        let w = t.since(&Totals::default(), 1.0);
        for (q, want) in [(0.5, 0.5), (0.95, 0.95), (0.99, 0.99)] {
            let got = w.latency_quantile_s(q).unwrap();
            assert!((got / want - 1.0).abs() < 0.16, "q{q}: {got} vs {want}");
        }
        assert_eq!(
            Window {
                requests: 0.0,
                ..w.clone()
            }
            .error_rate(),
            None
        );
    }
}
