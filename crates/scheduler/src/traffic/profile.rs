//! A Service's request rate over time (`traffic[].rate`): a constant, or
//! points joined by steps or straight lines, optionally repeating.
//!
//! Before the first point the rate is the first point's; after the last
//! it holds the last point's value — or, with a `period`, the profile
//! starts over (a linear profile runs from its last point back to its
//! first at the period's end). Integrals are exact (prefix sums of
//! trapezoids), so the Poisson means of arrival slots are exact.
//!
//! Invariant: points are strictly increasing in time, within the period,
//! with finite non-negative rates (checked by the runner, asserted here).

use kubesim_core::{Interpolation, SimTime};

/// Requests per second over time.
#[derive(Debug, Clone, PartialEq)]
pub struct RateProfile {
    /// `(at, rps)`, strictly increasing in `at` (at least one point).
    points: Vec<(f64, f64)>,
    /// Breakpoints in simulated time (the points' `at`).
    at: Vec<SimTime>,
    interpolation: Interpolation,
    period: Option<SimTime>,
    /// Integral from 0 to each point (seconds · rps).
    prefix: Vec<f64>,
    /// Integral over one period (with a period).
    cycle: f64,
}

impl RateProfile {
    /// A constant rate.
    pub fn constant(rps: f64) -> Self {
        Self::new(vec![(SimTime::ZERO, rps)], Interpolation::Step, None)
    }

    /// A profile of `points` (`(at, rps)`, strictly increasing, every `at`
    /// below `period` if any).
    pub fn new(
        points: Vec<(SimTime, f64)>,
        interpolation: Interpolation,
        period: Option<SimTime>,
    ) -> Self {
        debug_assert!(!points.is_empty());
        debug_assert!(points.windows(2).all(|w| w[0].0 < w[1].0));
        debug_assert!(points.iter().all(|p| p.1.is_finite() && p.1 >= 0.0));
        debug_assert!(period.is_none_or(|p| points.iter().all(|x| x.0 < p)));
        let at: Vec<SimTime> = points.iter().map(|p| p.0).collect();
        let points: Vec<(f64, f64)> = points.iter().map(|p| (p.0.as_secs_f64(), p.1)).collect();
        let mut r = RateProfile {
            points,
            at,
            interpolation,
            period,
            prefix: Vec::new(),
            cycle: 0.0,
        };
        let mut acc = r.points[0].0 * r.points[0].1;
        r.prefix.push(acc);
        for i in 1..r.points.len() {
            acc += r.segment(i - 1, r.points[i].0);
            r.prefix.push(acc);
        }
        if let Some(p) = period {
            r.cycle = r.cum_in_cycle(p.as_secs_f64());
        }
        r
    }

    /// The value the profile heads to after point `i` (the next point, or
    /// the first again at the period's end), for linear interpolation.
    fn next_of(&self, i: usize) -> Option<(f64, f64)> {
        match (self.points.get(i + 1), self.period) {
            (Some(&p), _) => Some(p),
            (None, Some(per)) => Some((per.as_secs_f64(), self.points[0].1)),
            (None, None) => None,
        }
    }

    /// Integral from point `i` to `x` (≥ its time, before the next point).
    fn segment(&self, i: usize, x: f64) -> f64 {
        let (t0, v0) = self.points[i];
        let dx = (x - t0).max(0.0);
        match (self.interpolation, self.next_of(i)) {
            (Interpolation::Linear, Some((t1, v1))) if t1 > t0 => {
                let vx = v0 + (v1 - v0) * (dx / (t1 - t0)).min(1.0);
                0.5 * (v0 + vx) * dx
            }
            _ => v0 * dx,
        }
    }

    fn in_cycle(&self, t_s: f64) -> (f64, f64) {
        match self.period {
            Some(p) => {
                let p = p.as_secs_f64();
                let k = (t_s / p).floor();
                (k, t_s - k * p)
            }
            None => (0.0, t_s),
        }
    }

    fn cum_in_cycle(&self, x: f64) -> f64 {
        let i = self.points.partition_point(|p| p.0 <= x);
        if i == 0 {
            return self.points[0].1 * x;
        }
        self.prefix[i - 1] + self.segment(i - 1, x)
    }

    /// Integral of the rate from 0 to `t` (expected arrivals).
    fn cum(&self, t: SimTime) -> f64 {
        let (k, x) = self.in_cycle(t.as_secs_f64());
        k * self.cycle + self.cum_in_cycle(x)
    }

    /// Expected arrivals in `[t0, t1)`.
    pub fn integral(&self, t0: SimTime, t1: SimTime) -> f64 {
        (self.cum(t1) - self.cum(t0)).max(0.0)
    }

    /// The rate at `t` (requests per second).
    pub fn rate_at(&self, t: SimTime) -> f64 {
        let (_, x) = self.in_cycle(t.as_secs_f64());
        let i = self.points.partition_point(|p| p.0 <= x);
        if i == 0 {
            return self.points[0].1;
        }
        let (t0, v0) = self.points[i - 1];
        match (self.interpolation, self.next_of(i - 1)) {
            (Interpolation::Linear, Some((t1, v1))) if t1 > t0 => {
                v0 + (v1 - v0) * ((x - t0) / (t1 - t0)).clamp(0.0, 1.0)
            }
            _ => v0,
        }
    }

    /// The first point strictly after `t` (where the rate's shape changes).
    pub fn next_breakpoint(&self, t: SimTime) -> Option<SimTime> {
        let Some(period) = self.period else {
            let i = self.at.partition_point(|&a| a <= t);
            return self.at.get(i).copied();
        };
        if period == SimTime::ZERO {
            return None;
        }
        let k = t.0 / period.0;
        let base = SimTime(k.saturating_mul(period.0));
        let x = SimTime(t.0 - base.0);
        let i = self.at.partition_point(|&a| a <= x);
        Some(match self.at.get(i) {
            Some(&a) => base.saturating_add(a),
            None => base.saturating_add(period).saturating_add(self.at[0]),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: u64) -> SimTime {
        SimTime::from_secs(x)
    }

    #[test]
    fn integrals_table() {
        let step = RateProfile::new(
            vec![(s(0), 100.0), (s(10), 400.0)],
            Interpolation::Step,
            None,
        );
        let lin = RateProfile::new(
            vec![(s(0), 100.0), (s(10), 400.0)],
            Interpolation::Linear,
            None,
        );
        let cyc = RateProfile::new(
            vec![(s(0), 0.0), (s(5), 10.0)],
            Interpolation::Linear,
            Some(s(10)),
        );
        let cases: [(&RateProfile, u64, u64, f64); 7] = [
            (&step, 0, 10, 1000.0),
            (&step, 5, 15, 500.0 + 2000.0),
            (&lin, 0, 10, 2500.0),
            (&lin, 10, 20, 4000.0),
            // Up 0→10 over 5 s, back down 10→0 over 5 s: 50 per cycle.
            (&cyc, 0, 10, 50.0),
            (&cyc, 0, 30, 150.0),
            (&cyc, 12, 17, 21.0 + 16.0),
        ];
        for (i, (p, a, b, want)) in cases.iter().enumerate() {
            let got = p.integral(s(*a), s(*b));
            assert!((got - want).abs() < 1e-6, "case {i}: {got} vs {want}");
        }
        assert_eq!(lin.rate_at(s(5)), 250.0);
        assert_eq!(cyc.rate_at(s(17)), 6.0);
        assert_eq!(step.rate_at(s(99)), 400.0);
    }

    #[test]
    fn breakpoints() {
        let step = RateProfile::new(vec![(s(0), 1.0), (s(10), 2.0)], Interpolation::Step, None);
        assert_eq!(step.next_breakpoint(s(0)), Some(s(10)));
        assert_eq!(step.next_breakpoint(s(10)), None);
        let cyc = RateProfile::new(
            vec![(s(0), 1.0), (s(5), 2.0)],
            Interpolation::Step,
            Some(s(10)),
        );
        assert_eq!(cyc.next_breakpoint(s(5)), Some(s(10)));
        assert_eq!(cyc.next_breakpoint(s(12)), Some(s(15)));
        assert_eq!(RateProfile::constant(3.0).next_breakpoint(s(0)), None);
    }
}
