//! Wall-clock time: the calendar behind cron schedules and the timestamps
//! Kubernetes prints.
//!
//! Simulated time counts from an instant in UTC (the run's clock origin);
//! what follows the calendar — a CronJob's schedule, a `MissSchedule`
//! message — converts to whole seconds since the Unix epoch and works
//! here, in the proleptic Gregorian calendar, as Go's `time` package does.
//! A time zone is a fixed offset the caller adds first (no daylight-saving
//! rules).
//!
//! Days ↔ dates use Howard Hinnant's `days_from_civil` /
//! `civil_from_days`: exact, no tables, no loops. Valid for any instant
//! within [`MAX_WALL_SECS`] of the epoch; callers check that bound.

/// Seconds in a day.
pub const SECS_PER_DAY: i64 = 86_400;

/// The largest distance from the Unix epoch, in seconds, that the calendar
/// functions accept (about 35,000 years): far beyond any scenario, and far
/// from any overflow in the arithmetic below.
pub const MAX_WALL_SECS: i64 = 1 << 40;

/// A date and time of day in some fixed-offset zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Civil {
    /// The year (astronomical: year 0 exists).
    pub year: i64,
    /// 1 (January) to 12.
    pub month: u32,
    /// 1 to 31.
    pub day: u32,
    /// 0 to 23.
    pub hour: u32,
    /// 0 to 59.
    pub minute: u32,
    /// 0 to 59.
    pub second: u32,
}

impl Civil {
    /// The date and time `secs` seconds after 1970-01-01T00:00:00.
    pub fn from_secs(secs: i64) -> Civil {
        debug_assert!(secs.abs() <= MAX_WALL_SECS, "wall time {secs} out of range");
        let days = secs.div_euclid(SECS_PER_DAY);
        let rem = secs.rem_euclid(SECS_PER_DAY) as u32;
        let (year, month, day) = civil_from_days(days);
        Civil {
            year,
            month,
            day,
            hour: rem / 3600,
            minute: rem / 60 % 60,
            second: rem % 60,
        }
    }
}

/// Days from 1970-01-01 to `year-month-day` (Hinnant's `days_from_civil`).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    debug_assert!((1..=12).contains(&month));
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date `days` days after 1970-01-01 (Hinnant's `civil_from_days`).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Go's `time.Date(year, month, day, hour, minute, second, 0, loc)` for a
/// fixed-offset zone, as seconds: out-of-range values normalize the way Go
/// normalizes them (month 13 is January of the next year, day 32 of July
/// is August 1, hour 24 is the next day).
pub fn date(year: i64, month: i64, day: i64, hour: i64, minute: i64, second: i64) -> i64 {
    let y = year + (month - 1).div_euclid(12);
    let m = (month - 1).rem_euclid(12) as u32 + 1;
    let days = days_from_civil(y, m, 1) + day - 1;
    days * SECS_PER_DAY + hour * 3600 + minute * 60 + second
}

/// The day of the week, 0 = Sunday (Go's `time.Weekday`).
pub fn weekday(secs: i64) -> u32 {
    // 1970-01-01 was a Thursday.
    (secs.div_euclid(SECS_PER_DAY) + 4).rem_euclid(7) as u32
}

const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `t.UTC().Format(time.RFC1123Z)`: `Mon, 02 Jan 2006 15:04:05 +0000`.
pub fn format_rfc1123z(unix_secs: i64) -> String {
    let c = Civil::from_secs(unix_secs);
    format!(
        "{}, {:02} {} {:04} {:02}:{:02}:{:02} +0000",
        WEEKDAYS[weekday(unix_secs) as usize],
        c.day,
        MONTHS[c.month as usize - 1],
        c.year,
        c.hour,
        c.minute,
        c.second
    )
}

/// `t.In(zone).Format(time.RFC3339)` for a zone `offset_secs` east of UTC:
/// `2006-01-02T15:04:05Z`, or `…+05:30` when the offset is not zero.
pub fn format_rfc3339(unix_secs: i64, offset_secs: i32) -> String {
    let c = Civil::from_secs(unix_secs + i64::from(offset_secs));
    let zone = if offset_secs == 0 {
        "Z".to_string()
    } else {
        let sign = if offset_secs < 0 { '-' } else { '+' };
        let a = offset_secs.unsigned_abs();
        format!("{sign}{:02}:{:02}", a / 3600, a / 60 % 60)
    };
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{zone}",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_days() {
        for days in (-800_000..800_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
    }

    #[test]
    fn date_normalizes_like_go() {
        // time.Date(2012, 13, 1, …) is January 2013; Oct 31 + 1 month is Dec 1.
        assert_eq!(date(2012, 13, 1, 0, 0, 0), date(2013, 1, 1, 0, 0, 0));
        assert_eq!(date(2012, 11, 31, 0, 0, 0), date(2012, 12, 1, 0, 0, 0));
        assert_eq!(date(2012, 7, 9, 24, 0, 0), date(2012, 7, 10, 0, 0, 0));
        assert_eq!(date(2012, 0, 1, 0, 0, 0), date(2011, 12, 1, 0, 0, 0));
    }

    #[test]
    fn formats_like_go() {
        // 2016-05-19T10:00:00Z, a Thursday (the upstream cronjob tests' T1).
        let t = date(2016, 5, 19, 10, 0, 0);
        assert_eq!(format_rfc1123z(t), "Thu, 19 May 2016 10:00:00 +0000");
        assert_eq!(format_rfc3339(t, 0), "2016-05-19T10:00:00Z");
        assert_eq!(format_rfc3339(t, 5 * 3600), "2016-05-19T15:00:00+05:00");
        assert_eq!(
            format_rfc3339(t, -(3600 + 1800)),
            "2016-05-19T08:30:00-01:30"
        );
        assert_eq!(format_rfc1123z(0), "Thu, 01 Jan 1970 00:00:00 +0000");
        assert_eq!(weekday(date(2012, 7, 15, 0, 0, 0)), 0);
    }
}
