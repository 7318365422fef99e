//! Cron schedules as Kubernetes reads them: robfig/cron v3's
//! `ParseStandard` (parser.go) and the `Next` of its `SpecSchedule`
//! (spec.go) and `ConstantDelaySchedule` (constantdelay.go), ported by
//! hand; and the CronJob's `timeZone`.
//!
//! Why here: the parsed schedule is part of the [`CronJob`](super::CronJob) object, and
//! the runner validates `spec.schedule` with [`CronSchedule::parse`] as
//! the API server validates it with `cron.ParseStandard`
//! (pkg/apis/batch/validation `validateScheduleFormat`). Why by hand: the
//! cron crates (`croner`, `cron`, `saffron`) each accept a different
//! grammar (seconds, `L`, `W`, `#`, years) and decide the day-of-month /
//! day-of-week question differently from robfig, whose rule hinges on a
//! "star bit" (`*` and `?` set it, `*/2` does not); they also bring
//! `chrono`. A port keeps the grammar, the OR rule, the five-year search
//! limit and the error texts exactly.
//!
//! The grammar: five fields (minute, hour, day of month, month, day of
//! week) of comma-separated ranges `*`, `?`, `N`, `N-M`, each with an
//! optional `/step` (`N/step` is `N-max/step`); month and weekday names
//! (`JAN`, `mon`, any case); the descriptors `@yearly`, `@annually`,
//! `@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly` and
//! `@every <duration>`. When both day fields are restricted (neither has
//! the star bit) a day matches if *either* does, as in Vixie cron.
//!
//! Time zones: kubesim has no tz database; [`TimeZone`] accepts the
//! zones with a fixed offset (`UTC` and its aliases, `Etc/GMT±N`).
//! A schedule without a zone runs in kube-controller-manager's local zone,
//! which kubesim takes to be UTC (as in its container image).

use crate::kernel::parse_duration;
use crate::kernel::wallclock::{date, weekday, Civil, MAX_WALL_SECS};

/// Why a schedule or time zone was refused; the message is upstream's
/// (robfig/cron's parser, or the API server's validation).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct CronError {
    message: String,
}

impl CronError {
    fn new(message: impl Into<String>) -> Self {
        CronError {
            message: message.into(),
        }
    }
    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// A parsed `spec.schedule`, with its source text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CronSchedule {
    source: String,
    kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Spec(SpecSchedule),
    /// `@every`: whole seconds, at least one.
    Every {
        delay_s: i64,
    },
}

/// robfig's `SpecSchedule`: one bit per allowed value, plus [`STAR_BIT`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct SpecSchedule {
    second: u64,
    minute: u64,
    hour: u64,
    dom: u64,
    month: u64,
    dow: u64,
}

/// Set when a field was `*` or `?` (robfig's `starBit`).
const STAR_BIT: u64 = 1 << 63;

struct Bounds {
    min: u64,
    max: u64,
    names: &'static [(&'static str, u64)],
}

const SECONDS: Bounds = Bounds {
    min: 0,
    max: 59,
    names: &[],
};
const MINUTES: Bounds = Bounds {
    min: 0,
    max: 59,
    names: &[],
};
const HOURS: Bounds = Bounds {
    min: 0,
    max: 23,
    names: &[],
};
const DOM: Bounds = Bounds {
    min: 1,
    max: 31,
    names: &[],
};
const MONTHS: Bounds = Bounds {
    min: 1,
    max: 12,
    names: &[
        ("jan", 1),
        ("feb", 2),
        ("mar", 3),
        ("apr", 4),
        ("may", 5),
        ("jun", 6),
        ("jul", 7),
        ("aug", 8),
        ("sep", 9),
        ("oct", 10),
        ("nov", 11),
        ("dec", 12),
    ],
};
const DOW: Bounds = Bounds {
    min: 0,
    max: 6,
    names: &[
        ("sun", 0),
        ("mon", 1),
        ("tue", 2),
        ("wed", 3),
        ("thu", 4),
        ("fri", 5),
        ("sat", 6),
    ],
};

impl CronSchedule {
    /// Parses `spec.schedule` as the API server validates it:
    /// `cron.ParseStandard`, and no `TZ=`/`CRON_TZ=` prefix (the
    /// `timeZone` field replaces it). Errors carry robfig's message, or
    /// `cannot use TZ or CRON_TZ in schedule, use timeZone field instead`.
    pub fn parse(spec: &str) -> Result<Self, CronError> {
        // Checked first: kubesim cannot load the zone a prefix names.
        if spec.contains("TZ") {
            return Err(CronError::new(
                "cannot use TZ or CRON_TZ in schedule, use timeZone field instead",
            ));
        }
        let kind = parse_standard(spec)?;
        Ok(CronSchedule {
            source: spec.to_string(),
            kind,
        })
    }

    /// The text it was parsed from.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// robfig's `Next`: the first activation strictly after any instant in
    /// the second starting `after_unix_s`, in a zone `offset_s` east of
    /// UTC, as Unix seconds. `None` where robfig returns the zero time: no
    /// activation within five years (`0 0 30 2 *`), or an instant beyond
    /// [`MAX_WALL_SECS`].
    pub fn next(&self, after_unix_s: i64, offset_s: i32) -> Option<i64> {
        if after_unix_s.abs() > MAX_WALL_SECS {
            return None;
        }
        match self.kind {
            // `t.Add(delay - t.Nanosecond())`.
            Kind::Every { delay_s } => after_unix_s.checked_add(delay_s),
            Kind::Spec(s) => {
                let offset = i64::from(offset_s);
                next_spec(&s, after_unix_s + offset).map(|local| local - offset)
            }
        }
    }
}

impl std::fmt::Display for CronSchedule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.source)
    }
}

/// `ParseStandard`: `Minute | Hour | Dom | Month | Dow | Descriptor`.
fn parse_standard(spec: &str) -> Result<Kind, CronError> {
    if spec.is_empty() {
        return Err(CronError::new("empty spec string"));
    }
    if spec.starts_with('@') {
        return parse_descriptor(spec);
    }
    let fields: Vec<&str> = spec.split_whitespace().collect();
    if fields.len() != 5 {
        return Err(CronError::new(format!(
            "expected exactly 5 fields, found {}: [{}]",
            fields.len(),
            fields.join(" ")
        )));
    }
    // The seconds field is not part of the standard spec: it defaults to 0.
    let all = ["0", fields[0], fields[1], fields[2], fields[3], fields[4]];
    parse_fields(all).map(Kind::Spec)
}

/// The six fields, seconds first, each against its bounds (the first
/// error wins, as in `Parser.Parse`).
fn parse_fields(f: [&str; 6]) -> Result<SpecSchedule, CronError> {
    Ok(SpecSchedule {
        second: get_field(f[0], &SECONDS)?,
        minute: get_field(f[1], &MINUTES)?,
        hour: get_field(f[2], &HOURS)?,
        dom: get_field(f[3], &DOM)?,
        month: get_field(f[4], &MONTHS)?,
        dow: get_field(f[5], &DOW)?,
    })
}

/// `parseDescriptor`.
fn parse_descriptor(descriptor: &str) -> Result<Kind, CronError> {
    let first = |b: &Bounds| 1u64 << b.min;
    let (second, minute) = (first(&SECONDS), first(&MINUTES));
    let spec = |hour, dom, month, dow| {
        Ok(Kind::Spec(SpecSchedule {
            second,
            minute,
            hour,
            dom,
            month,
            dow,
        }))
    };
    let (h0, all_hours) = (first(&HOURS), all(&HOURS));
    match descriptor {
        "@yearly" | "@annually" => spec(h0, first(&DOM), first(&MONTHS), all(&DOW)),
        "@monthly" => spec(h0, first(&DOM), all(&MONTHS), all(&DOW)),
        "@weekly" => spec(h0, all(&DOM), all(&MONTHS), first(&DOW)),
        "@daily" | "@midnight" => spec(h0, all(&DOM), all(&MONTHS), all(&DOW)),
        "@hourly" => spec(all_hours, all(&DOM), all(&MONTHS), all(&DOW)),
        _ => match descriptor.strip_prefix("@every ") {
            Some(text) => parse_every(descriptor, text),
            None => Err(CronError::new(format!(
                "unrecognized descriptor: {descriptor}"
            ))),
        },
    }
}

/// `@every <duration>`: `time.ParseDuration`, then `Every`: under a
/// second (negative included) becomes one second, and fractions of a
/// second are dropped.
fn parse_every(descriptor: &str, text: &str) -> Result<Kind, CronError> {
    let fail = || {
        CronError::new(format!(
            "failed to parse duration {descriptor}: time: invalid duration \"{text}\""
        ))
    };
    // Go's ParseDuration takes one sign and no spaces (kubesim's
    // `parse_duration` trims and refuses negatives). Every cause gets Go's
    // generic wording.
    let (negative, magnitude) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if magnitude.trim() != magnitude || magnitude.starts_with(['-', '+']) {
        return Err(fail());
    }
    let d = parse_duration(magnitude).map_err(|_| fail())?;
    // Go durations are int64 nanoseconds.
    if d.as_nanos() > i64::MAX as u64 {
        return Err(fail());
    }
    let secs = if negative {
        0
    } else {
        d.as_nanos() / 1_000_000_000
    };
    Ok(Kind::Every {
        delay_s: secs.max(1) as i64,
    })
}

/// `getField`: the union of comma-separated ranges (empty ones skipped,
/// as `strings.FieldsFunc` does).
fn get_field(field: &str, r: &Bounds) -> Result<u64, CronError> {
    let mut bits = 0;
    for expr in field.split(',').filter(|e| !e.is_empty()) {
        bits |= get_range(expr, r)?;
    }
    Ok(bits)
}

/// `getRange`: `number | number "-" number [ "/" number ]`, or `*`/`?`.
fn get_range(expr: &str, r: &Bounds) -> Result<u64, CronError> {
    let range_and_step: Vec<&str> = expr.split('/').collect();
    let low_and_high: Vec<&str> = range_and_step[0].split('-').collect();
    let single_digit = low_and_high.len() == 1;
    let (start, mut end, mut extra);
    if low_and_high[0] == "*" || low_and_high[0] == "?" {
        (start, end, extra) = (r.min, r.max, STAR_BIT);
    } else {
        start = parse_int_or_name(low_and_high[0], r)?;
        end = match low_and_high.len() {
            1 => start,
            2 => parse_int_or_name(low_and_high[1], r)?,
            _ => return Err(CronError::new(format!("too many hyphens: {expr}"))),
        };
        extra = 0;
    }
    let step = match range_and_step.len() {
        1 => 1,
        2 => {
            let step = must_parse_int(range_and_step[1])?;
            // "N/step" means "N-max/step".
            if single_digit {
                end = r.max;
            }
            if step > 1 {
                extra = 0;
            }
            step
        }
        _ => return Err(CronError::new(format!("too many slashes: {expr}"))),
    };
    check_range(expr, r, start, end, step)?;
    Ok(get_bits(start, end, step) | extra)
}

fn check_range(expr: &str, r: &Bounds, start: u64, end: u64, step: u64) -> Result<(), CronError> {
    let msg = if start < r.min {
        format!(
            "beginning of range ({start}) below minimum ({}): {expr}",
            r.min
        )
    } else if end > r.max {
        format!("end of range ({end}) above maximum ({}): {expr}", r.max)
    } else if start > end {
        format!("beginning of range ({start}) beyond end of range ({end}): {expr}")
    } else if step == 0 {
        format!("step of range should be a positive number: {expr}")
    } else {
        return Ok(());
    };
    Err(CronError::new(msg))
}

/// `parseIntOrName`: a month or weekday name (any case), else a number.
fn parse_int_or_name(expr: &str, r: &Bounds) -> Result<u64, CronError> {
    let lower = expr.to_lowercase();
    match r.names.iter().find(|(name, _)| *name == lower) {
        Some(&(_, value)) => Ok(value),
        None => must_parse_int(expr),
    }
}

/// `mustParseInt`: `strconv.Atoi`, then no negatives.
fn must_parse_int(expr: &str) -> Result<u64, CronError> {
    use std::num::IntErrorKind;
    let num: i64 = expr.parse().map_err(|e: std::num::ParseIntError| {
        let why = match e.kind() {
            IntErrorKind::PosOverflow | IntErrorKind::NegOverflow => "value out of range",
            _ => "invalid syntax",
        };
        CronError::new(format!(
            "failed to parse int from {expr}: strconv.Atoi: parsing \"{expr}\": {why}"
        ))
    })?;
    u64::try_from(num)
        .map_err(|_| CronError::new(format!("negative number ({num}) not allowed: {expr}")))
}

/// `getBits`: the bits `min..=max` stepping by `step` (`max` ≤ 59).
fn get_bits(min: u64, max: u64, step: u64) -> u64 {
    if step == 1 {
        return !(u64::MAX << (max + 1)) & (u64::MAX << min);
    }
    let mut bits = 0;
    let mut i = min;
    while i <= max {
        bits |= 1 << i;
        i += step;
    }
    bits
}

/// `all`: every value, with the star bit.
fn all(r: &Bounds) -> u64 {
    get_bits(r.min, r.max, 1) | STAR_BIT
}

fn has(bits: u64, value: u32) -> bool {
    bits & (1 << value) != 0
}

/// `dayMatches`: with a star in either day field both must match;
/// otherwise either may.
fn day_matches(s: &SpecSchedule, t: i64) -> bool {
    let dom_match = has(s.dom, Civil::from_secs(t).day);
    let dow_match = has(s.dow, weekday(t));
    if s.dom & STAR_BIT != 0 || s.dow & STAR_BIT != 0 {
        dom_match && dow_match
    } else {
        dom_match || dow_match
    }
}

/// `SpecSchedule.Next` in local seconds (offset applied by the caller).
/// Each field is advanced until it matches; the first advance resets the
/// smaller fields, and a wrap-around starts over from the month, so that
/// fields already checked are checked again. Fixed offsets have no
/// daylight-saving gaps, so upstream's DST corrections never apply.
fn next_spec(s: &SpecSchedule, after: i64) -> Option<i64> {
    let mut t = after + 1;
    let mut added = false;
    let year_limit = Civil::from_secs(t).year + 5;
    'wrap: loop {
        let c = Civil::from_secs(t);
        if c.year > year_limit {
            return None;
        }
        while !has(s.month, Civil::from_secs(t).month) {
            let c = Civil::from_secs(t);
            if !added {
                added = true;
                t = date(c.year, c.month.into(), 1, 0, 0, 0);
            }
            let c = Civil::from_secs(t);
            t = date(
                c.year,
                i64::from(c.month) + 1,
                c.day.into(),
                c.hour.into(),
                c.minute.into(),
                c.second.into(),
            );
            if Civil::from_secs(t).month == 1 {
                continue 'wrap;
            }
        }
        if !advance_day(s, &mut t, &mut added) {
            continue 'wrap;
        }
        for (unit, bits, of) in [
            (3600, s.hour, hour_of as fn(i64) -> u32),
            (60, s.minute, minute_of),
            (1, s.second, second_of),
        ] {
            while !has(bits, of(t)) {
                if !added {
                    added = true;
                    t -= t.rem_euclid(unit);
                }
                t += unit;
                if of(t) == 0 {
                    continue 'wrap;
                }
            }
        }
        return Some(t);
    }
}

/// The day loop of `Next`; `false` when it wrapped into a new month.
fn advance_day(s: &SpecSchedule, t: &mut i64, added: &mut bool) -> bool {
    while !day_matches(s, *t) {
        if !*added {
            *added = true;
            *t -= t.rem_euclid(86_400);
        }
        *t += 86_400;
        if Civil::from_secs(*t).day == 1 {
            return false;
        }
    }
    true
}

fn hour_of(t: i64) -> u32 {
    Civil::from_secs(t).hour
}
fn minute_of(t: i64) -> u32 {
    Civil::from_secs(t).minute
}
fn second_of(t: i64) -> u32 {
    Civil::from_secs(t).second
}

/// `spec.timeZone`: a zone with a fixed offset from UTC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeZone {
    name: String,
    offset_s: i32,
}

/// The tz database's names for UTC itself.
const UTC_ALIASES: &[&str] = &[
    "UTC",
    "Etc/UTC",
    "UCT",
    "Etc/UCT",
    "Universal",
    "Etc/Universal",
    "Zulu",
    "Etc/Zulu",
    "GMT",
    "Etc/GMT",
    "GMT0",
    "Etc/GMT0",
    "GMT+0",
    "Etc/GMT+0",
    "GMT-0",
    "Etc/GMT-0",
    "Greenwich",
    "Etc/Greenwich",
];

impl TimeZone {
    /// UTC.
    pub fn utc() -> Self {
        TimeZone {
            name: "UTC".into(),
            offset_s: 0,
        }
    }

    /// Validates `spec.timeZone` (pkg/apis/batch/validation
    /// `validateTimeZone`, with upstream's messages for an empty name and
    /// `Local`) and accepts the zones kubesim can follow: UTC and its
    /// aliases, and `Etc/GMT+N` (UTC−N, N ≤ 12) / `Etc/GMT-N` (UTC+N,
    /// N ≤ 14) — POSIX signs, as in the tz database.
    pub fn parse(name: &str) -> Result<Self, CronError> {
        if name.is_empty() {
            return Err(CronError::new("timeZone must be nil or non-empty string"));
        }
        if name.eq_ignore_ascii_case("Local") {
            return Err(CronError::new(
                "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones",
            ));
        }
        let offset_h = if UTC_ALIASES.contains(&name) {
            Some(0)
        } else {
            etc_gmt_offset_hours(name)
        };
        match offset_h {
            Some(h) => Ok(TimeZone {
                name: name.to_string(),
                offset_s: h * 3600,
            }),
            None => Err(CronError::new(format!(
                "unknown time zone {name}: kubesim supports only fixed-offset zones (UTC, Etc/GMT+N, Etc/GMT-N)"
            ))),
        }
    }

    /// The name it was given.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Seconds east of UTC.
    pub fn offset_s(&self) -> i32 {
        self.offset_s
    }
}

/// `Etc/GMT+5` is five hours *behind* UTC.
fn etc_gmt_offset_hours(name: &str) -> Option<i32> {
    let rest = name.strip_prefix("Etc/GMT")?;
    let (sign, digits) = match rest.as_bytes().first()? {
        b'+' => (-1, &rest[1..]),
        b'-' => (1, &rest[1..]),
        _ => return None,
    };
    if digits.is_empty() || digits.len() > 2 || digits.starts_with('0') {
        return None;
    }
    let h: i32 = digits.parse().ok()?;
    let max = if sign < 0 { 12 } else { 14 };
    (h <= max).then_some(sign * h)
}

#[cfg(test)]
mod tests;
