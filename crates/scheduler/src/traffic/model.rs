//! The queueing formulas of the traffic model: pure functions, no state.
//!
//! A pod serving requests is a processor-sharing server whose speed is
//! the CPU it gets (`capacity_cores`); one request needs `cpu_s`
//! CPU-seconds and uses at most one core at a time. With `k = ⌈c⌉`
//! servers each of speed `c / k` cores, the mean time in system is the
//! M/M/k (Erlang C) mean; at `k = 1` that is the M/G/1-PS mean
//! `(S/c) / (1 − ρ)`, which does not depend on the service-time
//! distribution (Kleinrock, *Queueing Systems* vol. 2, §4.4).
//!
//! The sojourn is approximated as exponential with that mean, shifted by
//! the image's fixed latency; requests whose sojourn would pass the
//! timeout fail. [`PodOutcome`] holds what the accounting needs.
//!
//! Invariant: every function here is pure and total on finite,
//! non-negative input (no panics, no NaN out of finite input).

use super::stats::{bucket_lower_s, bucket_of, LATENCY_BUCKETS};

/// Erlang C: the probability that an arrival waits, for `k ≥ 1` servers
/// and offered load `a < k` Erlangs (through the Erlang B recursion,
/// which is stable for any `k`).
pub fn erlang_c(k: u32, a: f64) -> f64 {
    debug_assert!(k >= 1 && a >= 0.0 && a < f64::from(k));
    let mut b = 1.0;
    for n in 1..=k {
        b = a * b / (f64::from(n) + a * b);
    }
    let k = f64::from(k);
    (k * b / (k - a * (1.0 - b))).clamp(0.0, 1.0)
}

/// Mean time in system (seconds, without the fixed latency) of requests
/// arriving at `lambda` per second, each needing `cpu_s` CPU-seconds, at
/// a pod that gets `capacity_cores` = `c`: `None` when the pod cannot keep
/// up (ρ = λS/c ≥ 1).
///
/// The pod is a birth–death queue in which `n` requests in progress
/// complete at `min(n, c) / S` per second — processor sharing of `c`
/// cores where one request uses at most one core. For integer `c` this is
/// exactly M/M/c (its mean is the Erlang C mean, [`erlang_c`]); for
/// `c ≤ 1` it is M/M/1 at speed `c`, whose mean `(S/c)/(1 − ρ)` is also
/// the M/G/1-PS mean for any service-time distribution (Kleinrock); a
/// non-integer `c > 1` is handled exactly by the same chain (no
/// rounding), so the mean falls continuously as `c` grows.
pub fn mean_response_s(lambda: f64, cpu_s: f64, capacity_cores: f64) -> Option<f64> {
    if cpu_s <= 0.0 {
        return Some(0.0);
    }
    if capacity_cores <= 0.0 || lambda * cpu_s >= capacity_cores {
        return None;
    }
    if lambda <= 0.0 {
        return Some(cpu_s / capacity_cores.min(1.0));
    }
    let c = capacity_cores.min(4096.0);
    let a = lambda * cpu_s;
    // Below K = ⌈c⌉ every request has its own core: p_n ∝ aⁿ/n!. From K
    // on, a geometric tail of ratio r = a/c. Terms are scaled from the
    // largest (n = ⌊a⌋) so nothing overflows.
    let k = (c.ceil() as usize).max(1);
    let mode = (a.floor() as usize).min(k - 1);
    let (mut sum, mut sum_n) = (1.0, mode as f64);
    let mut p = 1.0;
    for n in (1..=mode).rev() {
        p *= n as f64 / a;
        sum += p;
        sum_n += (n - 1) as f64 * p;
    }
    p = 1.0;
    for n in mode + 1..k {
        p *= a / n as f64;
        sum += p;
        sum_n += n as f64 * p;
    }
    // p is now p_{K-1} (relative to the mode's term).
    let r = a / c;
    let tail = p * r / (1.0 - r);
    sum += tail;
    sum_n += p * ((k - 1) as f64 * r / (1.0 - r) + r / ((1.0 - r) * (1.0 - r)));
    Some(sum_n / sum / lambda)
}

/// What one pod does with the requests it gets, for the accounting.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PodOutcome {
    /// Share of attempts that fail (timeout or error answer).
    pub fail_p: f64,
    /// Share of attempts that time out.
    pub timeout_p: f64,
    /// Mean of the exponential sojourn (seconds, without fixed latency);
    /// 0: every answer takes exactly the fixed latency.
    pub sojourn_mean_s: f64,
    /// Fixed latency (seconds).
    pub fixed_s: f64,
    /// Sojourn beyond which a request times out (`timeout − fixed`).
    pub window_s: f64,
    /// The pod cannot keep up: answers take the timeout.
    pub overloaded: bool,
    /// Mean latency of answered attempts (seconds).
    pub answered_mean_s: f64,
    /// Mean time an attempt stays in flight (Little's law's `W`).
    pub in_flight_s: f64,
}

/// The outcome at a pod getting `lambda` attempts per second (`cpu_s`,
/// `fixed_s`, `error_rate` from the image's `serve`) with `capacity_cores`
/// and the Service's `timeout_s`. Overloaded (ρ ≥ 1): the pod answers
/// `capacity / cpu_s` per second at about the timeout and the rest time
/// out.
pub fn pod_outcome(
    lambda: f64,
    cpu_s: f64,
    fixed_s: f64,
    error_rate: f64,
    capacity_cores: f64,
    timeout_s: f64,
) -> PodOutcome {
    let window_s = timeout_s - fixed_s;
    let mut o = PodOutcome {
        fixed_s,
        window_s,
        ..Default::default()
    };
    if window_s <= 0.0 {
        o.timeout_p = 1.0;
        o.fail_p = 1.0;
        o.in_flight_s = timeout_s.max(0.0);
        return o;
    }
    match mean_response_s(lambda, cpu_s, capacity_cores) {
        Some(t) if t <= 0.0 => {
            o.answered_mean_s = fixed_s;
            o.in_flight_s = fixed_s;
        }
        Some(t) => {
            let tail = (-window_s / t).exp();
            o.sojourn_mean_s = t;
            o.timeout_p = tail;
            // Mean of an exponential truncated at the window.
            let trunc = if tail < 1.0 {
                t - window_s * tail / (1.0 - tail)
            } else {
                window_s
            };
            o.answered_mean_s = fixed_s + trunc.clamp(0.0, window_s);
            o.in_flight_s = (1.0 - tail) * o.answered_mean_s + tail * timeout_s;
        }
        None => {
            o.overloaded = true;
            let served = if lambda > 0.0 && cpu_s > 0.0 {
                (capacity_cores.max(0.0) / cpu_s / lambda).min(1.0)
            } else {
                0.0
            };
            o.timeout_p = 1.0 - served;
            o.answered_mean_s = timeout_s;
            o.in_flight_s = timeout_s;
        }
    }
    let e = error_rate.clamp(0.0, 1.0);
    o.fail_p = o.timeout_p + (1.0 - o.timeout_p) * e;
    o
}

/// Spreads `n` answered requests over `hist` by their latency
/// distribution under `o`: the fixed latency plus an exponential sojourn
/// truncated at the window (all at the timeout when overloaded), by CDF
/// differences at the bucket edges. Adds exactly `n`.
pub fn spread(hist: &mut [f64; LATENCY_BUCKETS], n: f64, o: &PodOutcome) {
    if n <= 0.0 {
        return;
    }
    if o.overloaded {
        hist[bucket_of(o.fixed_s + o.window_s)] += n;
        return;
    }
    let t = o.sojourn_mean_s;
    if t <= 0.0 {
        hist[bucket_of(o.fixed_s)] += n;
        return;
    }
    // Beyond 40 means the tail is below e^-40: the last bucket takes it.
    let span = o.window_s.min(40.0 * t);
    let norm = 1.0 - (-o.window_s / t).exp();
    let first = bucket_of(o.fixed_s);
    let last = bucket_of(o.fixed_s + span);
    let mut done: f64 = 0.0;
    for (i, h) in hist.iter_mut().enumerate().take(last + 1).skip(first) {
        if i == last {
            *h += n * (1.0 - done).max(0.0);
            break;
        }
        let hi = bucket_lower_s(i + 1) - o.fixed_s;
        let cdf = (1.0 - (-hi / t).exp()) / norm;
        let cdf = cdf.clamp(done, 1.0);
        *h += n * (cdf - done);
        done = cdf;
    }
}

/// Routing under a traffic router's split: `canary_percent` % of requests
/// go evenly to the `n_canary` canary endpoints, the rest evenly to the
/// `n_other` others. Returns each canary endpoint's share, each other
/// endpoint's share, and the share that finds no endpoint on its side
/// (it fails with a 503, as an Envoy weighted cluster without a healthy
/// host answers).
pub fn split_shares(n_canary: usize, n_other: usize, canary_percent: u32) -> (f64, f64, f64) {
    let wc = f64::from(canary_percent.min(100)) / 100.0;
    let wo = 1.0 - wc;
    let each = |w: f64, n: usize| if n > 0 { w / n as f64 } else { 0.0 };
    let unrouted = if n_canary == 0 { wc } else { 0.0 } + if n_other == 0 { wo } else { 0.0 };
    (each(wc, n_canary), each(wo, n_other), unrouted)
}

/// `1 + f + f² + … + f^r`: attempts per request when each attempt fails
/// with probability `f` and a failed one is retried up to `r` times.
pub fn attempts_per_request(f: f64, retries: u32) -> f64 {
    let mut sum = 1.0;
    let mut term = 1.0;
    for _ in 0..retries.min(64) {
        term *= f;
        sum += term;
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs().max(1e-12)
    }

    #[test]
    fn processor_sharing_means() {
        // (λ, S, c, expected T): M/G/1-PS S/c/(1−ρ) below one core; M/M/k
        // (Erlang C) at integer capacities.
        let cases = [
            (30.0, 0.01, 1.0, 0.01 / 0.7),
            (50.0, 0.01, 1.0, 0.02),
            (80.0, 0.01, 1.0, 0.05),
            (10.0, 0.01, 0.5, 0.02 / 0.8),
            (0.0, 0.01, 1.0, 0.01),
            // M/M/2, ρ = 0.5: C = 1/3, W = C·S/(2−a) + S with a = 1.
            (100.0, 0.01, 2.0, 0.01 / 3.0 + 0.01),
        ];
        for (i, (l, s, c, want)) in cases.iter().enumerate() {
            let got = mean_response_s(*l, *s, *c).unwrap();
            assert!(close(got, *want, 1e-9), "case {i}: {got} vs {want}");
        }
        assert_eq!(mean_response_s(100.0, 0.01, 1.0), None);
        assert_eq!(mean_response_s(1.0, 0.01, 0.0), None);
        assert_eq!(mean_response_s(1e6, 0.0, 0.0), Some(0.0));
    }

    #[test]
    fn erlang_c_table() {
        // Textbook values: C(1, a) = a; C(2, 1) = 1/3; C(3, 2) = 4/9.
        for (k, a, want) in [(1, 0.3, 0.3), (2, 1.0, 1.0 / 3.0), (3, 2.0, 4.0 / 9.0)] {
            assert!(close(erlang_c(k, a), want, 1e-12), "C({k},{a})");
        }
    }

    #[test]
    fn integer_capacity_is_erlang_c() {
        // M/M/k: W = C(k, a)·S/(k − a) + S.
        for k in [1u32, 2, 3, 8, 32] {
            for rho in [0.1, 0.5, 0.9, 0.99] {
                let (s, a) = (0.01, rho * f64::from(k));
                let want = erlang_c(k, a) * s / (f64::from(k) - a) + s;
                let got = mean_response_s(a / s, s, f64::from(k)).unwrap();
                assert!(close(got, want, 1e-9), "k={k} ρ={rho}: {got} vs {want}");
            }
        }
    }

    #[test]
    fn capacity_monotone() {
        // More CPU never makes it slower, across the integer steps.
        let mut last = f64::INFINITY;
        for i in 1..=40 {
            let c = 0.25 * f64::from(i);
            let t = mean_response_s(20.0, 0.04, c).unwrap_or(f64::INFINITY);
            assert!(t <= last + 1e-12, "c={c}: {t} > {last}");
            last = t;
        }
    }

    #[test]
    fn outcome_table() {
        // (λ, S, fixed, err, c, timeout) → (timeout_p, fail_p, overloaded)
        let o = pod_outcome(50.0, 0.01, 0.0, 0.0, 1.0, 1.0);
        assert!(close(o.timeout_p, (-1.0f64 / 0.02).exp(), 1e-9));
        assert!(!o.overloaded);
        let o = pod_outcome(200.0, 0.01, 0.02, 0.1, 1.0, 1.0);
        assert!(o.overloaded && close(o.timeout_p, 0.5, 1e-12));
        assert!(close(o.fail_p, 0.5 + 0.5 * 0.1, 1e-12));
        let o = pod_outcome(1.0, 0.0, 0.02, 0.2, 1.0, 1.0);
        assert_eq!((o.timeout_p, o.answered_mean_s), (0.0, 0.02));
        assert!(close(o.fail_p, 0.2, 1e-12));
        let o = pod_outcome(1.0, 0.01, 2.0, 0.0, 1.0, 1.0);
        assert_eq!(o.fail_p, 1.0);
    }

    #[test]
    fn spread_adds_exactly_n_with_the_right_median() {
        let o = pod_outcome(50.0, 0.01, 0.005, 0.0, 1.0, 10.0);
        let mut h = [0.0; LATENCY_BUCKETS];
        spread(&mut h, 1000.0, &o);
        assert!(close(h.iter().sum::<f64>(), 1000.0, 1e-12));
        let w = super::super::stats::Totals {
            histogram: h,
            answered: 1000.0,
            ..Default::default()
        }
        .since(&Default::default(), 1.0);
        let p50 = w.latency_quantile_s(0.5).unwrap();
        let want = 0.005 + 0.02 * std::f64::consts::LN_2;
        assert!(close(p50, want, 0.16), "{p50} vs {want}");
    }

    #[test]
    fn split_table() {
        // (canary endpoints, others, weight %) → (each canary, each other, unrouted)
        let cases = [
            (1, 3, 25, (0.25, 0.25, 0.0)),
            (2, 2, 10, (0.05, 0.45, 0.0)),
            (0, 4, 20, (0.0, 0.2, 0.2)),
            (2, 0, 20, (0.1, 0.0, 0.8)),
            (0, 0, 50, (0.0, 0.0, 1.0)),
            (3, 1, 100, (1.0 / 3.0, 0.0, 0.0)),
            (1, 1, 0, (0.0, 1.0, 0.0)),
        ];
        for (i, (c, o, w, want)) in cases.iter().enumerate() {
            let got = split_shares(*c, *o, *w);
            assert!(
                close(got.0, want.0, 1e-12)
                    && close(got.1, want.1, 1e-12)
                    && close(got.2, want.2, 1e-12),
                "case {i}: {got:?} vs {want:?}"
            );
        }
    }

    #[test]
    fn retries_table() {
        for (f, r, want) in [(0.5, 0, 1.0), (0.5, 1, 1.5), (0.5, 2, 1.75), (1.0, 3, 4.0)] {
            assert!(close(attempts_per_request(f, r), want, 1e-12));
        }
    }
}
