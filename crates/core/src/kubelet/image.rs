//! How a container running a given image behaves (simulation only).
//!
//! Real manifests name an image; the scenario's `images:` section says what
//! a process of that image does: how long it takes to come up, how much CPU
//! it wants over time, how much memory it holds, and optionally a finite
//! amount of CPU work after which it exits (a batch job).

use super::probes::Health;
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

/// The shape of a container's resident memory over time since it started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemoryShape {
    /// The same number of bytes for ever.
    Constant(i64),
    /// A leak: `start` bytes, growing by `growth_bytes` every `per`, up to
    /// `max` if given (then constant).
    Leak {
        /// Bytes at start.
        start: i64,
        /// Bytes added every `per`.
        growth_bytes: i64,
        /// The growth period.
        per: SimTime,
        /// Where growth stops.
        max: Option<i64>,
    },
    /// Points `(offset, bytes)`, sorted, the first at offset 0; step or
    /// linear between them; optionally repeating with `period`.
    Points {
        /// The points.
        points: Vec<(SimTime, i64)>,
        /// Step or linear.
        interpolation: Interpolation,
        /// Repeat with this period.
        period: Option<SimTime>,
    },
}

/// Extra memory a process holds while it starts (`startupBurst`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StartupBurst {
    /// Bytes on top of the shape.
    pub bytes: i64,
    /// For how long after start.
    pub duration: SimTime,
}

/// A container's resident memory over time since it started. All values
/// are integer bytes at integer nanoseconds, so the time a usage crosses a
/// threshold is exact ([`MemoryProfile::first_reaching`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoryProfile {
    /// The shape.
    pub shape: MemoryShape,
    /// Optional burst at start, on top of the shape.
    pub startup_burst: Option<StartupBurst>,
}

/// One piece of a memory profile on which usage is
/// `value + floor(slope_num × (t − start) / slope_den)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryPiece {
    /// Offset where the piece starts.
    pub start: SimTime,
    /// Offset where it ends (`None`: never).
    pub end: Option<SimTime>,
    /// Bytes at `start`.
    pub value: i64,
    /// Bytes gained (or lost) over `slope_den`.
    pub slope_num: i64,
    /// Nanoseconds of that change (≥ 1).
    pub slope_den: u64,
}

impl MemoryPiece {
    /// Usage at offset `t` within the piece.
    pub fn at(&self, t: SimTime) -> i64 {
        let dt = i128::from(t.0.saturating_sub(self.start.0));
        let gained = (i128::from(self.slope_num) * dt).div_euclid(i128::from(self.slope_den));
        (i128::from(self.value) + gained).clamp(0, i128::from(i64::MAX)) as i64
    }
    /// Slope in bytes per second (for display and estimates).
    pub fn slope_per_s(&self) -> f64 {
        self.slope_num as f64 * 1e9 / self.slope_den as f64
    }
    /// The first offset `≥ from` within the piece where usage `≥ threshold`.
    pub fn first_reaching(&self, from: SimTime, threshold: i64) -> Option<SimTime> {
        let from = from.max(self.start);
        if self.end.is_some_and(|e| from >= e) {
            return None;
        }
        if self.at(from) >= threshold {
            return Some(from);
        }
        if self.slope_num <= 0 {
            return None;
        }
        // value + floor(num·dt/den) ≥ thr  ⇔  num·dt ≥ (thr − value)·den.
        let need = i128::from(threshold) - i128::from(self.value);
        let dt = (need * i128::from(self.slope_den) + i128::from(self.slope_num) - 1)
            / i128::from(self.slope_num);
        let t = i128::from(self.start.0) + dt;
        let t = SimTime(u64::try_from(t).unwrap_or(u64::MAX));
        match self.end {
            Some(e) if t >= e => None,
            _ => Some(t),
        }
    }
}

impl MemoryProfile {
    /// A constant usage.
    pub fn constant(bytes: i64) -> Self {
        MemoryProfile {
            shape: MemoryShape::Constant(bytes),
            startup_burst: None,
        }
    }

    /// Usage at `offset` since the container started.
    pub fn usage(&self, offset: SimTime) -> i64 {
        self.piece(offset).at(offset)
    }

    /// The piece of the profile that `offset` falls in (the burst counts as
    /// its own pieces).
    pub fn piece(&self, offset: SimTime) -> MemoryPiece {
        let mut p = self.shape_piece(offset);
        if let Some(b) = self.startup_burst {
            if offset < b.duration {
                p.value = p.value.saturating_add(b.bytes);
                p.end = Some(p.end.map_or(b.duration, |e| e.min(b.duration)));
            } else {
                // The burst's end is a piece boundary.
                p.start = p.start.max(b.duration);
                p.value = self.shape_piece(p.start).at(p.start);
            }
        }
        p
    }

    fn shape_piece(&self, offset: SimTime) -> MemoryPiece {
        let flat = |value: i64, start: SimTime, end: Option<SimTime>| MemoryPiece {
            start,
            end,
            value,
            slope_num: 0,
            slope_den: 1,
        };
        match &self.shape {
            MemoryShape::Constant(b) => flat(*b, SimTime::ZERO, None),
            MemoryShape::Leak {
                start,
                growth_bytes,
                per,
                max,
            } => {
                let rising = MemoryPiece {
                    start: SimTime::ZERO,
                    end: None,
                    value: *start,
                    slope_num: *growth_bytes,
                    slope_den: per.0.max(1),
                };
                match max {
                    Some(m) if *growth_bytes > 0 => {
                        match rising.first_reaching(SimTime::ZERO, *m) {
                            Some(t) if offset >= t => flat(*m, t, None),
                            Some(t) => MemoryPiece {
                                end: Some(t),
                                ..rising
                            },
                            None => rising,
                        }
                    }
                    _ => rising,
                }
            }
            MemoryShape::Points {
                points,
                interpolation,
                period,
            } => {
                let (local, base) = match period {
                    Some(p) if p.0 > 0 => (SimTime(offset.0 % p.0), offset.0 - offset.0 % p.0),
                    _ => (offset, 0),
                };
                let Some(first) = points.first() else {
                    return flat(0, SimTime::ZERO, None);
                };
                let i = points
                    .partition_point(|(at, _)| *at <= local)
                    .saturating_sub(1);
                let (t0, v0) = points.get(i).copied().unwrap_or(*first);
                let next = points.get(i + 1).copied();
                let shift = |t: SimTime| SimTime(t.0.saturating_add(base));
                match (next, interpolation, period) {
                    (Some((t1, v1)), Interpolation::Linear, _) => MemoryPiece {
                        start: shift(t0),
                        end: Some(shift(t1)),
                        value: v0,
                        slope_num: v1.saturating_sub(v0),
                        slope_den: (t1.0 - t0.0).max(1),
                    },
                    (Some((t1, _)), Interpolation::Step, _) => flat(v0, shift(t0), Some(shift(t1))),
                    (None, _, Some(p)) if p.0 > 0 => {
                        flat(v0, shift(t0), Some(SimTime(base.saturating_add(p.0))))
                    }
                    (None, _, _) => flat(v0, shift(t0), None),
                }
            }
        }
    }

    /// The first offset `≥ from` at which usage reaches `threshold`, or
    /// `None` if it never does. Exact: walks the pieces (for a periodic
    /// profile, at most one period's worth).
    pub fn first_reaching(&self, from: SimTime, threshold: i64) -> Option<SimTime> {
        let mut t = from;
        let limit = match &self.shape {
            MemoryShape::Points { points, period, .. } => {
                2 * points.len() + 4 + usize::from(period.is_some()) * points.len()
            }
            _ => 4,
        };
        for _ in 0..limit {
            let p = self.piece(t);
            if let Some(hit) = p.first_reaching(t, threshold) {
                return Some(hit);
            }
            t = p.end?;
        }
        None
    }
}

/// When a container's process exits on its own (besides finishing finite
/// work): after a fixed time, or at random with a constant rate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExitBehavior {
    /// Exits this long after it starts.
    pub after: Option<SimTime>,
    /// Or exits at random, this many times per hour on average (an
    /// exponential time to exit, drawn from the container's own stream).
    pub rate_per_hour: Option<f64>,
    /// The exit code.
    pub code: i32,
}

/// Behaviour of a container running one image.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageBehavior {
    /// From container start until the process is up (and the container ready).
    pub startup: SimTime,
    /// CPU demand over time since start.
    pub cpu: CpuProfile,
    /// Resident memory over time since start.
    pub memory: MemoryProfile,
    /// Finite CPU work in CPU-seconds; the process exits 0 once done.
    pub cpu_seconds: Option<f64>,
    /// Exits on its own, if it does.
    pub exit: Option<ExitBehavior>,
    /// How long an `exec` or `httpGet` preStop hook takes.
    pub pre_stop_time: SimTime,
    /// How long the process takes to exit after SIGTERM.
    pub shutdown: SimTime,
    /// What probes see once the process answers (after `startup`).
    pub health: Health,
    /// How long a probe takes to answer (a probe fails when this reaches
    /// its `timeoutSeconds`).
    pub probe_latency: SimTime,
    /// How long pulling the image takes (0: on every node from the start).
    pub pull_time: SimTime,
    /// The image's size, as `Pulled` events report it.
    pub size_bytes: i64,
    /// What answering one request takes, if the image serves requests
    /// (the traffic model in kubesim-scheduler reads it; kubelet does not).
    pub serve: Option<Serve>,
}

/// What answering one request to a Service takes in a container of this
/// image (`images.<image>.serve`).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Serve {
    /// CPU-seconds of work per request.
    pub cpu_seconds: f64,
    /// Fixed latency added to every answer (network, downstream calls).
    pub latency: SimTime,
    /// Share of answered requests that are errors (0–1).
    pub error_rate: f64,
}

impl Default for ImageBehavior {
    fn default() -> Self {
        ImageBehavior {
            startup: SimTime::ZERO,
            cpu: CpuProfile::constant(0.0),
            memory: MemoryProfile::constant(0),
            cpu_seconds: None,
            exit: None,
            pre_stop_time: SimTime::ZERO,
            shutdown: SimTime::ZERO,
            health: Health::default(),
            probe_latency: SimTime::ZERO,
            pull_time: SimTime::ZERO,
            size_bytes: 0,
            serve: None,
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

    fn mi(x: i64) -> i64 {
        x << 20
    }

    #[test]
    fn leak_crossing_is_exact() {
        // 200Mi growing 20Mi/min: 1Gi (824Mi more) after 41.2 min.
        let p = MemoryProfile {
            shape: MemoryShape::Leak {
                start: mi(200),
                growth_bytes: mi(20),
                per: s(60),
                max: Some(mi(2048)),
            },
            startup_burst: None,
        };
        let t = p.first_reaching(SimTime::ZERO, mi(1024)).unwrap();
        assert_eq!(t, SimTime(2472 * 1_000_000_000));
        assert!(p.usage(t) >= mi(1024));
        assert!(p.usage(SimTime(t.0 - 1)) < mi(1024));
        // Growth stops at max.
        assert_eq!(p.usage(s(100_000)), mi(2048));
        assert_eq!(p.first_reaching(SimTime::ZERO, mi(2049)), None);
    }

    #[test]
    fn points_and_burst() {
        let p = MemoryProfile {
            shape: MemoryShape::Points {
                points: vec![(s(0), mi(300)), (s(300), mi(1024))],
                interpolation: Interpolation::Linear,
                period: Some(s(1800)),
            },
            startup_burst: Some(StartupBurst {
                bytes: mi(1024),
                duration: s(20),
            }),
        };
        assert_eq!(p.usage(s(0)), mi(1324));
        assert_eq!(p.usage(s(19)), mi(300) + mi(724) * 19 / 300 + mi(1024));
        assert_eq!(p.usage(s(20)), mi(300) + mi(724) * 20 / 300);
        // During the burst usage reaches 1300Mi at once; after it, the
        // line reaches 1000Mi at 300·700/724 s.
        assert_eq!(p.first_reaching(s(0), mi(1300)), Some(s(0)));
        let t = p.first_reaching(s(20), mi(1000)).unwrap();
        assert!(p.usage(t) >= mi(1000) && p.usage(SimTime(t.0 - 1)) < mi(1000));
        // The last point holds until the period ends; the next period
        // starts at 300Mi again, and 1Gi is reached again at 1800 + 300 s.
        assert_eq!(p.first_reaching(s(301), mi(1024)), Some(s(301)));
        assert_eq!(p.usage(s(1799)), mi(1024));
        assert_eq!(p.usage(s(1800)), mi(300));
        assert_eq!(p.first_reaching(s(1800), mi(1024)), Some(s(2100)));
        assert_eq!(p.first_reaching(s(0), mi(5000)), None);
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
