//! Run settings: `duration`, `startTime`, `sampleInterval`, `metrics` and
//! `limits`.

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

/// `startTime`: the wall-clock instant of simulated time 0, as seconds
/// since the Unix epoch (default 0, 1970-01-01T00:00:00Z). CronJob
/// schedules and their Jobs' names follow it.
pub fn start_time(ctx: &mut Ctx<'_, '_>, text: Option<&str>) -> i64 {
    let Some(text) = text else { return 0 };
    match parse_rfc3339(text) {
        Ok(s) => s,
        Err(m) => {
            let root = At::ROOT;
            ctx.err(
                &root.key("startTime"),
                format!("Invalid value: {text:?}: {m} (expected an RFC 3339 timestamp such as 2026-01-05T00:00:00Z)"),
            );
            0
        }
    }
}

/// An RFC 3339 `date-time` (`2026-01-05T00:00:00Z`, `…T09:30:00+02:00`;
/// `t`, `z` and a space for `T` as RFC 3339 allows) → seconds since the
/// Unix epoch, in UTC. Fractions of a second must be zero (the clock
/// origin is a whole second); instants before the epoch are refused (a
/// CronJob's Jobs are named after minutes since it).
pub fn parse_rfc3339(text: &str) -> Result<i64, String> {
    let b = text.as_bytes();
    let digits = |from: usize, n: usize| -> Option<i64> {
        let s = b.get(from..from + n)?;
        s.iter()
            .all(u8::is_ascii_digit)
            .then(|| s.iter().fold(0i64, |a, &d| a * 10 + i64::from(d - b'0')))
    };
    let at = |i: usize, c: &[u8]| b.get(i).is_some_and(|x| c.contains(x));
    let shape = "not an RFC 3339 date-time (YYYY-MM-DDTHH:MM:SSZ)";
    let (Some(year), true, Some(month), true, Some(day)) = (
        digits(0, 4),
        at(4, b"-"),
        digits(5, 2),
        at(7, b"-"),
        digits(8, 2),
    ) else {
        return Err(shape.into());
    };
    if !at(10, b"Tt ") {
        return Err(shape.into());
    }
    let (Some(hour), true, Some(minute), true, Some(second)) = (
        digits(11, 2),
        at(13, b":"),
        digits(14, 2),
        at(16, b":"),
        digits(17, 2),
    ) else {
        return Err(shape.into());
    };
    let mut i = 19;
    if at(i, b".") {
        let start = i + 1;
        i = start;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return Err(shape.into());
        }
        if b[start..i].iter().any(|&d| d != b'0') {
            return Err(
                "fractions of a second are not supported: kubesim's clock starts on a whole second"
                    .into(),
            );
        }
    }
    let offset_s = match b.get(i) {
        Some(b'Z' | b'z') if i + 1 == b.len() => 0,
        Some(&sign @ (b'+' | b'-')) if i + 6 == b.len() && at(i + 3, b":") => {
            let (Some(oh), Some(om)) = (digits(i + 1, 2), digits(i + 4, 2)) else {
                return Err(shape.into());
            };
            if oh > 23 || om > 59 {
                return Err("time zone offset out of range".into());
            }
            let s = oh * 3600 + om * 60;
            if sign == b'-' {
                -s
            } else {
                s
            }
        }
        _ => return Err(shape.into()),
    };
    if !(1..=12).contains(&month) {
        return Err("month out of range".into());
    }
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days_in_month = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if !(1..=days_in_month).contains(&day) {
        return Err("day out of range".into());
    }
    if hour > 23 || minute > 59 || second > 59 {
        return Err("time of day out of range".into());
    }
    let days = kubesim_core::kernel::wallclock::days_from_civil(year, month as u32, day as u32);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset_s;
    if secs < 0 {
        return Err("must not be before 1970-01-01T00:00:00Z".into());
    }
    Ok(secs)
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
    cfg.deployments = m.deployments.unwrap_or(false);
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

#[cfg(test)]
mod tests {
    use super::parse_rfc3339;

    #[test]
    fn rfc3339_timestamps() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Ok(0));
        assert_eq!(parse_rfc3339("2026-01-05T00:00:00Z"), Ok(1_767_571_200));
        assert_eq!(parse_rfc3339("2026-01-05t00:00:00z"), Ok(1_767_571_200));
        assert_eq!(parse_rfc3339("2026-01-05 00:00:00.000Z"), Ok(1_767_571_200));
        assert_eq!(
            parse_rfc3339("2026-01-05T02:30:00+02:30"),
            Ok(1_767_571_200)
        );
        assert_eq!(
            parse_rfc3339("2026-01-04T23:00:00-01:00"),
            Ok(1_767_571_200)
        );
        assert_eq!(parse_rfc3339("2024-02-29T12:00:00Z"), Ok(1_709_208_000));
        assert_eq!(parse_rfc3339("9999-12-31T23:59:59Z"), Ok(253_402_300_799));
        for bad in [
            "",
            "2026-01-05",
            "2026-01-05T00:00Z",
            "2026-01-05T00:00:00",
            "2026-1-05T00:00:00Z",
            "2026-01-05T00:00:00.Z",
            "2026-01-05T00:00:00.5Z",
            "2026-01-05T00:00:00+0200",
            "2026-01-05T00:00:00Zjunk",
            "2026-13-05T00:00:00Z",
            "2025-02-29T00:00:00Z",
            "2026-01-05T24:00:00Z",
            "2026-01-05T00:00:60Z",
            "1969-12-31T23:59:59Z",
            "1970-01-01T00:00:00+00:01",
            "２026-01-05T00:00:00Z",
        ] {
            assert!(parse_rfc3339(bad).is_err(), "{bad:?}");
        }
    }
}
