//! Run settings: `duration`, `sampleInterval`, `metrics` and `limits`.

use super::budget::DEFAULT_MAX_OUTPUT_ROWS;
use super::Ctx;
use crate::scenario::raw;
use crate::scenario::yaml::At;
use kubesim_core::{ModelLimits, RunLimits, SimTime};
use kubesim_scheduler::MetricsConfig;

/// Default `sampleInterval`.
pub const DEFAULT_SAMPLE_INTERVAL: SimTime = SimTime::from_secs(10);

/// The limits of a run: the engine's and the runner's own.
#[derive(Debug, Clone)]
pub struct Limits {
    /// What the engine enforces.
    pub run: RunLimits,
    /// Most metric rows a run may write (checked at validation).
    pub max_output_rows: u64,
}

/// `duration`: positive, at most `limits.maxSimTime`.
pub fn duration(ctx: &mut Ctx<'_, '_>, text: &str, limits: &Limits) -> SimTime {
    let at = At::ROOT;
    let at = at.key("duration");
    let Some(d) = ctx.duration(text, &at) else {
        return SimTime::ZERO;
    };
    if d == SimTime::ZERO {
        ctx.err(
            &at,
            format!("Invalid value: {text:?}: duration must be positive"),
        );
    } else if d > limits.run.max_sim_time {
        ctx.err(
            &at,
            format!(
                "duration {d} exceeds limits.maxSimTime ({})",
                limits.run.max_sim_time
            ),
        );
    }
    d
}

/// `sampleInterval`: at least 1ms; a warning when longer than the run.
pub fn sample_interval(ctx: &mut Ctx<'_, '_>, text: Option<&str>, duration: SimTime) -> SimTime {
    let Some(text) = text else {
        return DEFAULT_SAMPLE_INTERVAL;
    };
    let at = At::ROOT;
    let at = at.key("sampleInterval");
    let Some(d) = ctx.interval(text, &at, "sampleInterval") else {
        return DEFAULT_SAMPLE_INTERVAL;
    };
    if duration > SimTime::ZERO && d > duration {
        ctx.warn(
            &at,
            format!("sampleInterval {d} is longer than the scenario's duration {duration}: no metrics will be sampled"),
        );
    }
    d
}

/// `metrics`.
pub fn metrics(
    ctx: &mut Ctx<'_, '_>,
    m: Option<&raw::MetricsSection>,
    sample_interval: SimTime,
) -> MetricsConfig {
    let mut cfg = MetricsConfig::default();
    let Some(m) = m else { return cfg };
    cfg.nodes = m.nodes.unwrap_or(true);
    cfg.containers = m.containers.unwrap_or(true);
    if let Some(t) = &m.container_interval {
        let root = At::ROOT;
        let sec = root.key("metrics");
        let at = sec.key("containerInterval");
        if let Some(d) = ctx.interval(t, &at, "containerInterval") {
            if sample_interval.0 == 0 || d.0 % sample_interval.0 != 0 {
                ctx.err(
                    &at,
                    format!("Invalid value: {t:?}: must be a positive multiple of sampleInterval ({sample_interval})"),
                );
            } else {
                match u32::try_from(d.0 / sample_interval.0) {
                    Ok(n) => cfg.container_every = n,
                    Err(_) => ctx.err(
                        &at,
                        format!(
                            "Invalid value: {t:?}: at most {} times sampleInterval",
                            u32::MAX
                        ),
                    ),
                }
            }
        }
    }
    cfg
}

/// `limits`.
pub fn limits(ctx: &mut Ctx<'_, '_>, l: Option<&raw::LimitsSection>) -> Limits {
    let mut limits = Limits {
        run: RunLimits::default(),
        max_output_rows: DEFAULT_MAX_OUTPUT_ROWS,
    };
    let Some(l) = l else { return limits };
    let root = At::ROOT;
    let sec = root.key("limits");
    if let Some(t) = &l.max_sim_time {
        if let Some(d) = ctx.duration(t, &sec.key("maxSimTime")) {
            limits.run.max_sim_time = d;
        }
    }
    if let Some(e) = l.max_events {
        limits.run.max_events = e;
    }
    if let Some(o) = l.max_objects {
        if o > ModelLimits::MAX_OBJECTS {
            ctx.err(
                &sec.key("maxObjects"),
                format!(
                    "Invalid value: {o}: kubesim holds at most {} objects in a run",
                    ModelLimits::MAX_OBJECTS
                ),
            );
        } else {
            limits.run.max_objects = o;
        }
    }
    if let Some(r) = l.max_output_rows {
        limits.max_output_rows = r;
    }
    limits
}
