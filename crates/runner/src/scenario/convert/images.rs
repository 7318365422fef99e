//! `images`: how containers of each image behave, and CPU profiles.

use super::{Ctx, MIN_INTERVAL};
use crate::scenario::raw;
use crate::scenario::yaml::{At, Kind, Mode, NodeRef, Reader};
use kubesim_core::{
    CpuProfile, ImageBehavior, Interpolation, ModelLimits, SimTime, DEFAULT_PROFILE_RESOLUTION,
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
}

/// How often a CPU profile changes a container's demand.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Changes {
    /// Changes per second of container life (periodic profiles).
    pub per_sec: f64,
    /// Changes per container start (profiles without a period).
    pub per_start: f64,
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
        .map(|(name, img)| {
            let at = sec.key(name);
            let mut b = ImageBehavior::default();
            if let Some(s) = &img.startup {
                b.startup = ctx.duration(s, &at.key("startup")).unwrap_or_default();
            }
            if let Some(m) = &img.memory {
                b.memory = kubesim_core::MemoryProfile::constant(
                    ctx.quantity("memory", m, &at.key("memory")).unwrap_or(0),
                );
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
            Image {
                name: name.clone(),
                behavior: b,
                changes,
            }
        })
        .collect()
}

/// A year of CPU-seconds on a million cores: far beyond any run.
const MAX_CPU_SECONDS: f64 = 3.2e13;

fn cores(ctx: &mut Ctx<'_, '_>, text: &str, at: &At<'_>) -> f64 {
    ctx.quantity("cpu", text, at)
        .map_or(0.0, |m| m as f64 / 1000.0)
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
    let kr = r.with_mode(Mode::Kubesim);
    let p: raw::CpuProfileSection = match kr.read(cpu.0, at) {
        Ok(p) => p,
        Err(i) => {
            ctx.issue(i);
            for i in kr.take_issues() {
                ctx.issue(i);
            }
            return (CpuProfile::constant(0.0), Changes::default());
        }
    };
    for i in kr.take_issues() {
        ctx.issue(i);
    }
    let pts_at = at.key("points");
    if p.points.len() > ModelLimits::MAX_PROFILE_POINTS {
        ctx.err_key(
            &pts_at,
            format!(
                "Too many: {}: must have at most {} points",
                p.points.len(),
                ModelLimits::MAX_PROFILE_POINTS
            ),
        );
        return (CpuProfile::constant(0.0), Changes::default());
    }
    let mut points: Vec<(SimTime, f64)> = Vec::with_capacity(p.points.len());
    for (i, pt) in p.points.iter().enumerate() {
        let pat = pts_at.idx(i);
        let t_at = pat.key("at");
        let t = ctx.duration(&pt.at, &t_at).unwrap_or_default();
        if i == 0 && t != SimTime::ZERO {
            ctx.err(&t_at, "the first point must be at 0s (container start)");
        }
        if let Some((prev, _)) = points.last() {
            if t <= *prev {
                ctx.err(&t_at, "points must be in strictly increasing time order");
            }
        }
        points.push((t, cores(ctx, &pt.cores, &pat.key("cores"))));
    }
    if points.is_empty() {
        points.push((SimTime::ZERO, 0.0));
    }
    let per_at = at.key("period");
    let period = p
        .period
        .as_ref()
        .and_then(|t| ctx.interval(t, &per_at, "a profile's period"));
    if let (Some(per), Some(_)) = (period, &p.period) {
        if points.last().is_some_and(|(t, _)| *t >= per) {
            ctx.err(&per_at, "period must be longer than the last point's time");
        }
    }
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
    let changes = match period {
        Some(per) => Changes {
            per_sec: per_cycle / per.as_secs_f64().max(1e-9),
            per_start: 0.0,
        },
        None => Changes {
            per_sec: 0.0,
            per_start: per_cycle,
        },
    };
    (
        CpuProfile {
            points,
            interpolation,
            period,
            resolution,
        },
        changes,
    )
}
