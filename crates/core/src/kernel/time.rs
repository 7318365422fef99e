//! Simulated time.
//!
//! [`SimTime`] is an integer number of nanoseconds since the start of a run.
//! Integer time keeps runs bit-for-bit reproducible: there is no rounding
//! drift when events are added in a different order. [`parse_duration`] reads
//! the Go-style durations that Kubernetes users write (`500ms`, `1h30m`).

use std::fmt;
use std::ops::{Add, AddAssign, Sub};

/// Nanoseconds per second.
pub const NANOS_PER_SEC: u64 = 1_000_000_000;

/// A point in (or span of) simulated time, in integer nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct SimTime(pub u64);

impl SimTime {
    /// Time zero, the start of a run.
    pub const ZERO: SimTime = SimTime(0);
    /// The end of time: "never".
    pub const MAX: SimTime = SimTime(u64::MAX);

    /// `ns` nanoseconds.
    pub const fn from_nanos(ns: u64) -> Self {
        SimTime(ns)
    }
    /// `ms` milliseconds (saturating at [`SimTime::MAX`]).
    pub const fn from_millis(ms: u64) -> Self {
        SimTime(ms.saturating_mul(1_000_000))
    }
    /// `s` seconds (saturating at [`SimTime::MAX`]: a grace period of
    /// `i64::MAX` seconds is "never").
    pub const fn from_secs(s: u64) -> Self {
        SimTime(s.saturating_mul(NANOS_PER_SEC))
    }
    /// Converts fractional seconds, rounding up to the next nanosecond so that
    /// an event computed from a rate never fires before its work is done.
    pub fn from_secs_f64_ceil(s: f64) -> Self {
        if !s.is_finite() || s >= (u64::MAX / 2) as f64 / NANOS_PER_SEC as f64 {
            return SimTime::MAX;
        }
        SimTime((s.max(0.0) * NANOS_PER_SEC as f64).ceil() as u64)
    }
    /// Nanoseconds.
    pub const fn as_nanos(self) -> u64 {
        self.0
    }
    /// Seconds, fractional.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / NANOS_PER_SEC as f64
    }
    /// `self + d`, capped at [`SimTime::MAX`].
    pub fn saturating_add(self, d: SimTime) -> SimTime {
        SimTime(self.0.saturating_add(d.0))
    }
    /// `self - d`, floored at zero.
    pub fn saturating_sub(self, d: SimTime) -> SimTime {
        SimTime(self.0.saturating_sub(d.0))
    }
    /// Seconds with millisecond precision, as every CSV column ending in `_s`
    /// prints them (`12.345`). Truncates sub-millisecond parts.
    pub fn display_secs(self) -> SecsDisplay {
        SecsDisplay(self)
    }
}

/// Saturating: a time past the end of time is [`SimTime::MAX`] ("never"),
/// so a timer computed from a huge offset can never come back around.
impl Add for SimTime {
    type Output = SimTime;
    fn add(self, rhs: SimTime) -> SimTime {
        SimTime(self.0.saturating_add(rhs.0))
    }
}
impl AddAssign for SimTime {
    fn add_assign(&mut self, rhs: SimTime) {
        self.0 = self.0.saturating_add(rhs.0);
    }
}
/// A span between two times; the earlier time must come second (checked
/// in debug builds; floored at zero otherwise, never wrapped).
impl Sub for SimTime {
    type Output = SimTime;
    fn sub(self, rhs: SimTime) -> SimTime {
        debug_assert!(self >= rhs, "time span {self} - {rhs} is negative");
        SimTime(self.0.saturating_sub(rhs.0))
    }
}

/// Formats a [`SimTime`] as seconds with exactly three decimals.
pub struct SecsDisplay(SimTime);

impl fmt::Display for SecsDisplay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0 .0 / 1_000_000;
        write!(f, "{}.{:03}", ms / 1000, ms % 1000)
    }
}

impl fmt::Display for SimTime {
    /// Go-style duration text (`1h30m0s`, `500ms`), as `kubectl` prints ages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ns = self.0;
        if ns == 0 {
            return f.write_str("0s");
        }
        if ns < NANOS_PER_SEC {
            return if ns.is_multiple_of(1_000_000) {
                write!(f, "{}ms", ns / 1_000_000)
            } else if ns.is_multiple_of(1_000) {
                write!(f, "{}µs", ns / 1_000)
            } else {
                write!(f, "{ns}ns")
            };
        }
        let secs = ns / NANOS_PER_SEC;
        let frac = ns % NANOS_PER_SEC;
        let (h, m, s) = (secs / 3600, (secs / 60) % 60, secs % 60);
        if h > 0 {
            write!(f, "{h}h{m}m")?;
        } else if m > 0 {
            write!(f, "{m}m")?;
        }
        if frac == 0 {
            write!(f, "{s}s")
        } else {
            let digits = format!("{frac:09}");
            write!(f, "{s}.{}s", digits.trim_end_matches('0'))
        }
    }
}

/// A malformed duration string.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid duration {text:?}: {why} (expected e.g. 500ms, 30s, 10m, 2h, 1h30m)")]
pub struct DurationError {
    /// The text that did not parse.
    pub text: String,
    /// What is wrong with it.
    pub why: &'static str,
}

/// Parses a Go `time.ParseDuration` string into [`SimTime`].
///
/// Units: `ns`, `us`/`µs`, `ms`, `s`, `m`, `h`; components may repeat and carry
/// decimals (`1.5h`, `1h30m`). Negative durations are rejected: simulated time
/// only moves forward. A bare `0` is accepted, as in Go.
pub fn parse_duration(text: &str) -> Result<SimTime, DurationError> {
    let err = |why| DurationError {
        text: text.to_string(),
        why,
    };
    let s = text.trim();
    if s == "0" {
        return Ok(SimTime::ZERO);
    }
    if s.is_empty() {
        return Err(err("empty"));
    }
    if s.starts_with('-') {
        return Err(err("negative durations are not allowed"));
    }
    let s = s.strip_prefix('+').unwrap_or(s);
    let bytes = s.as_bytes();
    let mut i = 0;
    let mut total: u128 = 0;
    while i < bytes.len() {
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        let int_part = &s[start..i];
        let mut frac_part = "";
        if i < bytes.len() && bytes[i] == b'.' {
            i += 1;
            let fs = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            frac_part = &s[fs..i];
        }
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(err("expected a number"));
        }
        let us = i;
        while i < bytes.len() && !bytes[i].is_ascii_digit() && bytes[i] != b'.' {
            i += 1;
        }
        let unit: u128 = match &s[us..i] {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            "" => return Err(err("missing unit")),
            _ => return Err(err("unknown unit")),
        };
        let int: u128 = if int_part.is_empty() {
            0
        } else {
            int_part.parse().map_err(|_| err("number too large"))?
        };
        let mut value = int.checked_mul(unit).ok_or_else(|| err("too large"))?;
        let mut scale = unit;
        for d in frac_part.bytes() {
            scale /= 10;
            if scale == 0 {
                break;
            }
            value += u128::from(d - b'0') * scale;
        }
        total = total.checked_add(value).ok_or_else(|| err("too large"))?;
    }
    u64::try_from(total)
        .map(SimTime)
        .map_err(|_| err("too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_units_saturate() {
        assert_eq!(SimTime::from_secs(3), SimTime(3 * NANOS_PER_SEC));
        assert_eq!(SimTime::from_secs(i64::MAX as u64), SimTime::MAX);
        assert_eq!(SimTime::from_millis(u64::MAX), SimTime::MAX);
    }

    // Cases from Go's TestParseDuration (src/time/time_test.go), non-negative subset.
    #[test]
    fn parse_duration_table() {
        let cases: &[(&str, u64)] = &[
            ("0", 0),
            ("5s", 5 * NANOS_PER_SEC),
            ("30s", 30 * NANOS_PER_SEC),
            ("1478s", 1478 * NANOS_PER_SEC),
            ("+5s", 5 * NANOS_PER_SEC),
            ("5.0s", 5 * NANOS_PER_SEC),
            ("5.6s", 5_600_000_000),
            ("5.s", 5 * NANOS_PER_SEC),
            (".5s", 500_000_000),
            ("1.004s", 1_004_000_000),
            ("100.00100s", 100_001_000_000),
            ("10ns", 10),
            ("11us", 11_000),
            ("12µs", 12_000),
            ("13ms", 13_000_000),
            ("14s", 14 * NANOS_PER_SEC),
            ("15m", 15 * 60 * NANOS_PER_SEC),
            ("16h", 16 * 3600 * NANOS_PER_SEC),
            ("3h30m", (3 * 3600 + 30 * 60) * NANOS_PER_SEC),
            ("10.5s4m", 4 * 60 * NANOS_PER_SEC + 10_500_000_000),
            ("1h30m", 5400 * NANOS_PER_SEC),
            ("500ms", 500_000_000),
            ("1.5h", 5400 * NANOS_PER_SEC),
        ];
        for (text, want) in cases {
            assert_eq!(parse_duration(text), Ok(SimTime(*want)), "{text}");
        }
    }

    #[test]
    fn parse_duration_rejects() {
        for text in [
            "",
            "3",
            "-3s",
            "s",
            ".s",
            "3x",
            "1h-30m",
            "99999999999999999999h",
        ] {
            assert!(parse_duration(text).is_err(), "{text} should be rejected");
        }
    }

    #[test]
    fn display_secs_millisecond_precision() {
        assert_eq!(SimTime(0).display_secs().to_string(), "0.000");
        assert_eq!(SimTime(1_234_567_890).display_secs().to_string(), "1.234");
        assert_eq!(
            SimTime::from_secs(600).display_secs().to_string(),
            "600.000"
        );
    }

    #[test]
    fn display_go_style() {
        assert_eq!(SimTime::from_secs(5400).to_string(), "1h30m0s");
        assert_eq!(SimTime::from_millis(500).to_string(), "500ms");
        assert_eq!(SimTime::from_millis(1500).to_string(), "1.5s");
    }
}
