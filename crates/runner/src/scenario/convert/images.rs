//! `images`: how containers of each image behave — CPU and memory
//! profiles, exits, health, pulls and stop times.

use super::{Ctx, MIN_INTERVAL};
use crate::scenario::raw;
use crate::scenario::yaml::{At, Kind, Mode, NodeRef, Reader};
use kubesim_core::{
    CpuProfile, ExitBehavior, Health, ImageBehavior, Interpolation, MemoryShape, ModelLimits,
    SimTime, StartupBurst, BACKOFF_MAX, BACKOFF_RESET, DEFAULT_PROFILE_RESOLUTION,
};

/// A converted image with what the budget needs to know.
#[derive(Debug, Clone)]
pub struct Image {
    /// The image string containers use.
    pub name: String,
    /// Its behaviour.
    pub behavior: ImageBehavior,
    /// How often its CPU demand changes (each change is an event).
    pub changes: Changes,
    /// How often its memory profile moves to a new piece (each boundary
    /// re-arms its node's memory checks: the OOM watch and the eviction
    /// manager's).
    pub memory_changes: Changes,
    /// Starts per second of container life beyond the first, from the
    /// image's own exits (an estimate that assumes the container restarts).
    pub restarts_per_sec: f64,
}

/// How often a profile moves on.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Changes {
    /// Changes per second of container life (periodic profiles).
    pub per_sec: f64,
    /// Changes per container start (profiles without a period).
    pub per_start: f64,
}

impl Changes {
    /// Whether the profile repeats.
    pub fn periodic(&self) -> bool {
        self.per_sec > 0.0
    }
}

/// `images` → behaviours, in name order.
pub fn images(
    ctx: &mut Ctx<'_, '_>,
    r: &Reader<'_, '_>,
    images: &std::collections::BTreeMap<String, raw::ImageSection>,
) -> Vec<Image> {
    let root = At::ROOT;
    let sec = root.key("images");
    images
        .iter()
        .map(|(name, img)| image(ctx, r, name, img, &sec.key(name)))
        .collect()
}

fn image(
    ctx: &mut Ctx<'_, '_>,
    r: &Reader<'_, '_>,
    name: &str,
    img: &raw::ImageSection,
    at: &At<'_>,
) -> Image {
    let mut b = ImageBehavior::default();
    let dur = |ctx: &mut Ctx<'_, '_>, text: &Option<String>, key: &str| {
        text.as_ref()
            .and_then(|t| ctx.duration(t, &at.key(key)))
            .unwrap_or_default()
    };
    b.startup = dur(ctx, &img.startup, "startup");
    b.probe_latency = dur(ctx, &img.probe_latency, "probeLatency");
    b.pull_time = dur(ctx, &img.pull_time, "pullTime");
    b.pre_stop_time = dur(ctx, &img.pre_stop_time, "preStopTime");
    b.shutdown = dur(ctx, &img.shutdown, "shutdown");
    if let Some(s) = &img.size {
        b.size_bytes = ctx.quantity("bytes", s, &at.key("size")).unwrap_or(0);
    }
    let mut memory_changes = Changes::default();
    if let Some(m) = img.memory {
        let (shape, c) = memory_profile(ctx, r, m, &at.key("memory"));
        b.memory.shape = shape;
        memory_changes = c;
    }
    if let Some(burst) = &img.startup_burst {
        let bat = at.key("startupBurst");
        let bytes = ctx.quantity("memory", &burst.bytes, &bat.key("bytes"));
        let duration = ctx.duration(&burst.duration, &bat.key("for"));
        if let (Some(bytes), Some(duration)) = (bytes, duration) {
            b.memory.startup_burst = Some(StartupBurst { bytes, duration });
            // Its end is a piece boundary.
            memory_changes.per_start += 1.0;
        }
    }
    if let Some(w) = img.cpu_seconds {
        if !(w.is_finite() && w > 0.0 && w <= MAX_CPU_SECONDS) {
            ctx.err(
                &at.key("cpuSeconds"),
                format!("Invalid value: {w}: cpuSeconds must be a positive number of CPU-seconds, at most {MAX_CPU_SECONDS}"),
            );
        } else {
            b.cpu_seconds = Some(w);
        }
    }
    let mut changes = Changes::default();
    let errors = ctx.report.errors.len();
    if let Some(cpu) = img.cpu {
        let (p, c) = cpu_profile(ctx, r, cpu, &at.key("cpu"));
        b.cpu = p;
        changes = c;
    }
    // Not when the demand itself was wrong: that error says it all.
    let cpu_ok = ctx.report.errors.len() == errors;
    if cpu_ok && img.cpu_seconds.is_some() && b.cpu.points.iter().all(|(_, c)| *c <= 0.0) {
        ctx.err(
            &at.key("cpuSeconds"),
            "finite work needs CPU: set a cpu demand above 0, or the container never finishes",
        );
    }
    if let Some(e) = &img.exit {
        b.exit = exit(ctx, e, &at.key("exit"));
    }
    if let Some(h) = &img.health {
        b.health = health(ctx, h, &at.key("health"));
    }
    if let Some(sv) = &img.serve {
        b.serve = Some(super::traffic::serve(ctx, sv, &at.key("serve")));
    }
    let restarts_per_sec = b.exit.map_or(0.0, restarts_per_sec);
    Image {
        name: name.to_string(),
        behavior: b,
        changes,
        memory_changes,
        restarts_per_sec,
    }
}

/// A year of CPU-seconds on a million cores: far beyond any run.
const MAX_CPU_SECONDS: f64 = 3.2e13;

fn cores(ctx: &mut Ctx<'_, '_>, text: &str, at: &At<'_>) -> f64 {
    ctx.quantity("cpu", text, at)
        .map_or(0.0, |m| m as f64 / 1000.0)
}

/// Reads a profile mapping with kubesim's own field rules.
fn read_profile<T: serde::de::DeserializeOwned>(
    ctx: &mut Ctx<'_, '_>,
    r: &Reader<'_, '_>,
    node: NodeRef,
    at: &At<'_>,
) -> Option<T> {
    let kr = r.with_mode(Mode::Kubesim);
    let p = kr.read(node.0, at);
    for i in kr.take_issues() {
        ctx.issue(i);
    }
    p.map_err(|i| ctx.issue(i)).ok()
}

/// Checks the points of a profile: at most [`ModelLimits::MAX_PROFILE_POINTS`],
/// the first at 0s, strictly increasing. Returns the times (`None`: too
/// many points, nothing more to check).
fn point_times<'p>(
    ctx: &mut Ctx<'_, '_>,
    times: impl ExactSizeIterator<Item = &'p String>,
    pts_at: &At<'_>,
) -> Option<Vec<SimTime>> {
    if times.len() > ModelLimits::MAX_PROFILE_POINTS {
        ctx.err_key(
            pts_at,
            format!(
                "Too many: {}: must have at most {} points",
                times.len(),
                ModelLimits::MAX_PROFILE_POINTS
            ),
        );
        return None;
    }
    let mut out: Vec<SimTime> = Vec::with_capacity(times.len());
    for (i, text) in times.enumerate() {
        let pat = pts_at.idx(i);
        let t_at = pat.key("at");
        let t = ctx.duration(text, &t_at).unwrap_or_default();
        if i == 0 && t != SimTime::ZERO {
            ctx.err(&t_at, "the first point must be at 0s (container start)");
        }
        if out.last().is_some_and(|prev| t <= *prev) {
            ctx.err(&t_at, "points must be in strictly increasing time order");
        }
        out.push(t);
    }
    Some(out)
}

/// A profile's `period`: at least 1ms and longer than the last point.
fn period(
    ctx: &mut Ctx<'_, '_>,
    text: Option<&String>,
    last: Option<SimTime>,
    at: &At<'_>,
) -> Option<SimTime> {
    let per_at = at.key("period");
    let per = ctx.interval(text?, &per_at, "a profile's period")?;
    if last.is_some_and(|t| t >= per) {
        ctx.err(&per_at, "period must be longer than the last point's time");
    }
    Some(per)
}

/// A CPU demand: a quantity, or a profile; and how often it changes.
fn cpu_profile(
    ctx: &mut Ctx<'_, '_>,
    r: &Reader<'_, '_>,
    cpu: NodeRef,
    at: &At<'_>,
) -> (CpuProfile, Changes) {
    let tree = r.tree;
    if tree.kind(cpu.0) == Kind::Scalar {
        let text = tree.text(cpu.0).to_string();
        return (
            CpuProfile::constant(cores(ctx, &text, at)),
            Changes::default(),
        );
    }
    let zero = (CpuProfile::constant(0.0), Changes::default());
    let Some(p) = read_profile::<raw::CpuProfileSection>(ctx, r, cpu, at) else {
        return zero;
    };
    let pts_at = at.key("points");
    let Some(times) = point_times(ctx, p.points.iter().map(|pt| &pt.at), &pts_at) else {
        return zero;
    };
    let mut points: Vec<(SimTime, f64)> = times
        .into_iter()
        .zip(&p.points)
        .enumerate()
        .map(|(i, (t, pt))| (t, cores(ctx, &pt.cores, &pts_at.idx(i).key("cores"))))
        .collect();
    if points.is_empty() {
        points.push((SimTime::ZERO, 0.0));
    }
    let period = period(ctx, p.period.as_ref(), points.last().map(|p| p.0), at);
    let resolution = match &p.resolution {
        Some(t) => ctx
            .interval(t, &at.key("resolution"), "a profile's resolution")
            .unwrap_or(DEFAULT_PROFILE_RESOLUTION),
        None => DEFAULT_PROFILE_RESOLUTION,
    };
    let interpolation = match p.interpolation {
        Some(raw::InterpolationText::Linear) => Interpolation::Linear,
        _ => Interpolation::Step,
    };
    // Demand changes: a step profile changes at each point, a linear one
    // every `resolution` while it moves; once per period when periodic.
    let last = points.last().map_or(SimTime::ZERO, |(t, _)| *t);
    let per_cycle = match interpolation {
        Interpolation::Step => points.len() as f64,
        Interpolation::Linear => {
            let span = period.unwrap_or(last).max(MIN_INTERVAL);
            span.0 as f64 / resolution.0.max(1) as f64 + points.len() as f64
        }
    };
    (
        CpuProfile {
            points,
            interpolation,
            period,
            resolution,
        },
        cycle_changes(per_cycle, period),
    )
}

/// `per_cycle` changes once, or once per `period`.
fn cycle_changes(per_cycle: f64, period: Option<SimTime>) -> Changes {
    match period {
        Some(per) => Changes {
            per_sec: per_cycle / per.as_secs_f64().max(1e-9),
            per_start: 0.0,
        },
        None => Changes {
            per_sec: 0.0,
            per_start: per_cycle,
        },
    }
}

/// The leak's keys and the points' keys (a profile is one or the other).
const LEAK_KEYS: [&str; 3] = ["start", "growth", "max"];
const POINTS_KEYS: [&str; 3] = ["points", "interpolation", "period"];

/// Resident memory: a quantity, a leak or points; and how often it moves
/// to a new piece.
fn memory_profile(
    ctx: &mut Ctx<'_, '_>,
    r: &Reader<'_, '_>,
    node: NodeRef,
    at: &At<'_>,
) -> (MemoryShape, Changes) {
    let tree = r.tree;
    let zero = (MemoryShape::Constant(0), Changes::default());
    if tree.kind(node.0) == Kind::Scalar {
        let text = tree.text(node.0).to_string();
        let bytes = ctx.quantity("memory", &text, at).unwrap_or(0);
        return (MemoryShape::Constant(bytes), Changes::default());
    }
    let Some(p) = read_profile::<raw::MemoryProfileSection>(ctx, r, node, at) else {
        return zero;
    };
    let leak = [&p.start, &p.growth, &p.max];
    let points = [
        p.points.is_some(),
        p.interpolation.is_some(),
        p.period.is_some(),
    ];
    if p.points.is_some() {
        for (key, v) in LEAK_KEYS.iter().zip(leak) {
            if v.is_some() {
                ctx.err_key(
                    &at.key(key),
                    format!("Forbidden: {key} describes a leak; a memory profile with points takes points, interpolation and period"),
                );
            }
        }
        return memory_points(ctx, &p, at);
    }
    for (key, set) in POINTS_KEYS.iter().zip(points) {
        if set {
            ctx.err_key(
                &at.key(key),
                format!("Forbidden: {key} needs points; a leak takes start, growth and max"),
            );
        }
    }
    let Some(g) = &p.growth else {
        ctx.err(
            &at.key("growth"),
            "Required value: a memory profile is a leak (start, growth, max) or points (points, interpolation, period)",
        );
        return zero;
    };
    let start = p
        .start
        .as_ref()
        .and_then(|s| ctx.quantity("memory", s, &at.key("start")))
        .unwrap_or(0);
    let growth = growth(ctx, g, &at.key("growth"));
    let max = p
        .max
        .as_ref()
        .and_then(|m| ctx.quantity("memory", m, &at.key("max")));
    if let (Some(m), Some(s)) = (max, &p.start) {
        if m < start {
            ctx.err(
                &at.key("max"),
                format!(
                    "Invalid value: {:?}: max must be greater than or equal to start ({s})",
                    p.max.as_deref().unwrap_or_default()
                ),
            );
        }
    }
    let Some((growth_bytes, per)) = growth else {
        return zero;
    };
    // Reaching `max` ends the rising piece.
    let per_start = if max.is_some() && growth_bytes > 0 {
        1.0
    } else {
        0.0
    };
    (
        MemoryShape::Leak {
            start,
            growth_bytes,
            per,
            max,
        },
        Changes {
            per_sec: 0.0,
            per_start,
        },
    )
}

/// `QUANTITY/UNIT`, UNIT `s`, `min` or `h`: bytes per period.
fn growth(ctx: &mut Ctx<'_, '_>, text: &str, at: &At<'_>) -> Option<(i64, SimTime)> {
    let per = text
        .rsplit_once('/')
        .and_then(|(q, unit)| match unit.trim() {
            "s" => Some((q, SimTime::from_secs(1))),
            "min" => Some((q, SimTime::from_secs(60))),
            "h" => Some((q, SimTime::from_secs(3600))),
            _ => None,
        });
    let Some((q, per)) = per else {
        ctx.err(
            at,
            format!("Invalid value: {text:?}: growth must be QUANTITY/UNIT with UNIT one of s, min, h (e.g. 20Mi/min)"),
        );
        return None;
    };
    Some((ctx.quantity("memory", q, at)?, per))
}

/// Points `{at, bytes}`, step or linear, optionally periodic.
fn memory_points(
    ctx: &mut Ctx<'_, '_>,
    p: &raw::MemoryProfileSection,
    at: &At<'_>,
) -> (MemoryShape, Changes) {
    let zero = (MemoryShape::Constant(0), Changes::default());
    let list = p.points.as_deref().unwrap_or_default();
    let pts_at = at.key("points");
    if list.is_empty() {
        ctx.err(
            &pts_at,
            "Required value: a memory profile needs at least one point (the first at 0s)",
        );
        return zero;
    }
    let Some(times) = point_times(ctx, list.iter().map(|pt| &pt.at), &pts_at) else {
        return zero;
    };
    let points: Vec<(SimTime, i64)> = times
        .into_iter()
        .zip(list)
        .enumerate()
        .map(|(i, (t, pt))| {
            let b = ctx.quantity("memory", &pt.bytes, &pts_at.idx(i).key("bytes"));
            (t, b.unwrap_or(0))
        })
        .collect();
    let period = period(ctx, p.period.as_ref(), points.last().map(|p| p.0), at);
    let interpolation = match p.interpolation {
        Some(raw::InterpolationText::Linear) => Interpolation::Linear,
        _ => Interpolation::Step,
    };
    // Each point after the first starts a piece; a period adds the wrap.
    let per_cycle = match period {
        Some(_) => points.len() as f64,
        None => points.len().saturating_sub(1) as f64,
    };
    (
        MemoryShape::Points {
            points,
            interpolation,
            period,
        },
        cycle_changes(per_cycle, period),
    )
}

/// `exit`: `after` or `ratePerHour` (exactly one), and `code`.
fn exit(ctx: &mut Ctx<'_, '_>, e: &raw::ExitSection, at: &At<'_>) -> Option<ExitBehavior> {
    let after = e
        .after
        .as_ref()
        .and_then(|t| ctx.duration(t, &at.key("after")));
    let rate = e.rate_per_hour.filter(|r| {
        let ok = r.is_finite() && *r > 0.0;
        if !ok {
            ctx.err(
                &at.key("ratePerHour"),
                format!("Invalid value: {r}: ratePerHour must be a positive number"),
            );
        }
        ok
    });
    match (&e.after, e.rate_per_hour) {
        (Some(_), Some(_)) => ctx.err_key(
            &at.key("ratePerHour"),
            "Forbidden: exit takes after or ratePerHour, not both",
        ),
        (None, None) => ctx.err(
            at,
            "Required value: exit needs after (a duration) or ratePerHour (exits per hour, at random)",
        ),
        _ => {}
    }
    let code = e.code.unwrap_or(0);
    let code = match i32::try_from(code).ok().filter(|c| (0..=255).contains(c)) {
        Some(c) => c,
        None => {
            ctx.err(
                &at.key("code"),
                format!("Invalid value: {code}: an exit code is 0-255"),
            );
            0
        }
    };
    if after.is_none() && rate.is_none() {
        return None;
    }
    Some(ExitBehavior {
        after,
        rate_per_hour: rate,
        code,
    })
}

/// Restarts per second an exit causes, as a steady state: each run lasts
/// `after` (or the mean time to a random exit), then kubelet's back-off
/// holds the restart — at most 5 minutes, none after a run of 10 minutes
/// or more.
fn restarts_per_sec(e: ExitBehavior) -> f64 {
    let run = match (e.after, e.rate_per_hour) {
        (Some(a), _) => a.as_secs_f64(),
        (None, Some(r)) => 3600.0 / r,
        (None, None) => return 0.0,
    };
    let backoff = if run < BACKOFF_RESET.as_secs_f64() {
        BACKOFF_MAX.as_secs_f64()
    } else {
        0.0
    };
    1.0 / (run + backoff).max(1e-9)
}

/// `health`: `failAfter`, `failWindows`, `never` (probes fail when any
/// of them says so).
fn health(ctx: &mut Ctx<'_, '_>, h: &raw::HealthSection, at: &At<'_>) -> Health {
    let fail_after = h
        .fail_after
        .as_ref()
        .and_then(|t| ctx.duration(t, &at.key("failAfter")));
    let win_at = at.key("failWindows");
    let windows = h.fail_windows.as_deref().unwrap_or_default();
    let mut fail_windows = Vec::new();
    if windows.len() > ModelLimits::MAX_PROFILE_POINTS {
        ctx.err_key(
            &win_at,
            format!(
                "Too many: {}: must have at most {} windows",
                windows.len(),
                ModelLimits::MAX_PROFILE_POINTS
            ),
        );
    } else {
        for (i, w) in windows.iter().enumerate() {
            let wat = win_at.idx(i);
            let from = ctx.duration(&w.at, &wat.key("at"));
            let length = ctx.duration(&w.length, &wat.key("for"));
            if length == Some(SimTime::ZERO) {
                ctx.err(
                    &wat.key("for"),
                    format!(
                        "Invalid value: {:?}: a window must last longer than 0s",
                        w.length
                    ),
                );
            }
            if let (Some(a), Some(l)) = (from, length) {
                fail_windows.push((a, l));
            }
        }
    }
    Health {
        fail_after,
        fail_windows,
        never: h.never.unwrap_or(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exits_restart_at_the_back_off_pace() {
        let e = |after: Option<u64>, rate: Option<f64>| ExitBehavior {
            after: after.map(SimTime::from_secs),
            rate_per_hour: rate,
            code: 1,
        };
        // 30 s runs, then 5 minutes of back-off.
        assert!((restarts_per_sec(e(Some(30), None)) - 1.0 / 330.0).abs() < 1e-12);
        // An hour's run restarts at once.
        assert!((restarts_per_sec(e(Some(3600), None)) - 1.0 / 3600.0).abs() < 1e-12);
        // Twice an hour on average: 30-minute runs.
        assert!((restarts_per_sec(e(None, Some(2.0))) - 1.0 / 1800.0).abs() < 1e-12);
        // Exiting at start: one start per back-off.
        assert!((restarts_per_sec(e(Some(0), None)) - 1.0 / 300.0).abs() < 1e-12);
    }
}
