//! How a container running a given image behaves (simulation only).
//!
//! Real manifests name an image; the scenario's `images:` section says what
//! a process of that image does: how long it takes to come up, how much CPU
//! it wants over time, how much memory it holds, and optionally a finite
//! amount of CPU work after which it exits (a batch job).

use crate::kernel::SimTime;

/// How a [`CpuProfile`] moves between its points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Interpolation {
    /// Hold each point's value until the next point.
    #[default]
    Step,
    /// Straight lines between points, sampled every `resolution` (each step
    /// takes the line's value at the step's midpoint, which is its exact
    /// average within one segment).
    Linear,
}

/// CPU demand in cores as a function of time since the container started.
#[derive(Debug, Clone, PartialEq)]
pub struct CpuProfile {
    /// `(offset from container start, cores)`, sorted, first at offset 0.
    pub points: Vec<(SimTime, f64)>,
    /// How values move between points.
    pub interpolation: Interpolation,
    /// Repeat the profile with this period (offsets taken modulo the period).
    pub period: Option<SimTime>,
    /// Step width for [`Interpolation::Linear`].
    pub resolution: SimTime,
}

/// Default step width for linear CPU profiles.
pub const DEFAULT_PROFILE_RESOLUTION: SimTime = SimTime::from_secs(1);

impl CpuProfile {
    /// A demand that never changes.
    pub fn constant(cores: f64) -> Self {
        CpuProfile {
            points: vec![(SimTime::ZERO, cores)],
            interpolation: Interpolation::Step,
            period: None,
            resolution: DEFAULT_PROFILE_RESOLUTION,
        }
    }

    /// Demand at `offset` and the offset of the next change (`None` if the
    /// demand stays put for ever).
    pub fn at(&self, offset: SimTime) -> (f64, Option<SimTime>) {
        let (local, base) = match self.period {
            Some(p) if p.0 > 0 => (SimTime(offset.0 % p.0), SimTime(offset.0 - offset.0 % p.0)),
            _ => (offset, SimTime::ZERO),
        };
        let (value, next_local) = self.at_local(local);
        let next = match (next_local, self.period) {
            (Some(n), _) => Some(base + n),
            // Periodic: the next change is the wrap-around, if the value differs.
            (None, Some(p)) if p.0 > 0 => {
                let first = self.at_local(SimTime::ZERO).0;
                if first != value || self.points.len() > 1 {
                    Some(base + p)
                } else {
                    None
                }
            }
            _ => None,
        };
        (value, next)
    }

    fn at_local(&self, t: SimTime) -> (f64, Option<SimTime>) {
        let pts = &self.points;
        if pts.is_empty() {
            return (0.0, None);
        }
        // Index of the last point at or before t.
        let i = pts.partition_point(|(at, _)| *at <= t).saturating_sub(1);
        let next_point = pts.get(i + 1).map(|p| p.0);
        match self.interpolation {
            Interpolation::Step => (pts[i].1, next_point),
            Interpolation::Linear => {
                let Some(end) = next_point else {
                    return (pts[i].1, None);
                };
                let res = self.resolution.0.max(1);
                let start = pts[i].0 .0;
                let k = (t.0 - start) / res;
                let step_start = start + k * res;
                let step_end = (step_start + res).min(end.0);
                let mid = (step_start + step_end) as f64 / 2.0;
                let (t0, v0) = (start as f64, pts[i].1);
                let (t1, v1) = (end.0 as f64, pts[i + 1].1);
                let v = v0 + (v1 - v0) * (mid - t0) / (t1 - t0);
                (v, Some(SimTime(step_end)))
            }
        }
    }
}

/// Behaviour of a container running one image.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageBehavior {
    /// From container start until the process is up (and the container ready).
    pub startup: SimTime,
    /// CPU demand over time since start.
    pub cpu: CpuProfile,
    /// Resident memory while running.
    pub memory_bytes: i64,
    /// Finite CPU work in CPU-seconds; the process exits 0 once done.
    pub cpu_seconds: Option<f64>,
}

impl Default for ImageBehavior {
    fn default() -> Self {
        ImageBehavior {
            startup: SimTime::ZERO,
            cpu: CpuProfile::constant(0.0),
            memory_bytes: 0,
            cpu_seconds: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: u64) -> SimTime {
        SimTime::from_secs(x)
    }

    #[test]
    fn step_profile() {
        let p = CpuProfile {
            points: vec![(s(0), 1.0), (s(60), 4.0)],
            ..CpuProfile::constant(0.0)
        };
        assert_eq!(p.at(s(0)), (1.0, Some(s(60))));
        assert_eq!(p.at(s(59)), (1.0, Some(s(60))));
        assert_eq!(p.at(s(60)), (4.0, None));
    }

    #[test]
    fn linear_profile_midpoint_steps() {
        let p = CpuProfile {
            points: vec![(s(0), 0.0), (s(10), 10.0)],
            interpolation: Interpolation::Linear,
            period: None,
            resolution: s(1),
        };
        assert_eq!(p.at(s(0)), (0.5, Some(s(1))));
        assert_eq!(p.at(s(3)), (3.5, Some(s(4))));
        assert_eq!(p.at(s(10)), (10.0, None));
    }

    #[test]
    fn periodic_profile_wraps() {
        let p = CpuProfile {
            points: vec![(s(0), 1.0), (s(30), 3.0)],
            interpolation: Interpolation::Step,
            period: Some(s(60)),
            resolution: s(1),
        };
        assert_eq!(p.at(s(45)), (3.0, Some(s(60))));
        assert_eq!(p.at(s(60)), (1.0, Some(s(90))));
        assert_eq!(p.at(s(125)), (1.0, Some(s(150))));
    }
}
