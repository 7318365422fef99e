//! robfig/cron v3's parser_test.go and spec_test.go tables, ported as
//! data (test function names cited per table). Cases needing a tz
//! database (`TZ=America/New_York`, daylight-saving transitions) are left
//! out: kubesim supports fixed-offset zones only.

use super::*;

/// `getTime` of spec_test.go for the layouts `Mon Jan 2 15:04 2006` and
/// `Mon Jan 2 15:04:05 2006`, read as UTC; "" is the zero time (`None`).
fn at(value: &str) -> Option<i64> {
    if value.is_empty() {
        return None;
    }
    let f: Vec<&str> = value.split_whitespace().collect();
    let month = MONTHS
        .names
        .iter()
        .find(|(n, _)| f[1].eq_ignore_ascii_case(n));
    let month = month.expect("month").1 as i64;
    let hms: Vec<i64> = f[3].split(':').map(|x| x.parse().unwrap()).collect();
    let second = hms.get(2).copied().unwrap_or(0);
    let (day, year): (i64, i64) = (f[2].parse().unwrap(), f[4].parse().unwrap());
    Some(date(year, month, day, hms[0], hms[1], second))
}

/// robfig's `secondParser` (a seconds field first) for the TestNext
/// table; kubesim's public parser is `ParseStandard`.
fn parse_six(spec: &str) -> CronSchedule {
    let f: Vec<&str> = spec.split_whitespace().collect();
    let s = parse_fields([f[0], f[1], f[2], f[3], f[4], f[5]]).expect(spec);
    CronSchedule {
        source: spec.into(),
        kind: Kind::Spec(s),
    }
}

fn bounds(min: u64, max: u64) -> Bounds {
    Bounds {
        min,
        max,
        names: &[],
    }
}

fn spec_of(s: &CronSchedule) -> SpecSchedule {
    match s.kind {
        Kind::Spec(s) => s,
        Kind::Every { .. } => panic!("not a spec schedule"),
    }
}

// parser_test.go TestRange.
#[test]
fn range_table() {
    let cases: &[(&str, u64, u64, u64, &str)] = &[
        ("5", 0, 7, 1 << 5, ""),
        ("0", 0, 7, 1 << 0, ""),
        ("7", 0, 7, 1 << 7, ""),
        ("5-5", 0, 7, 1 << 5, ""),
        ("5-6", 0, 7, 1 << 5 | 1 << 6, ""),
        ("5-7", 0, 7, 1 << 5 | 1 << 6 | 1 << 7, ""),
        ("5-6/2", 0, 7, 1 << 5, ""),
        ("5-7/2", 0, 7, 1 << 5 | 1 << 7, ""),
        ("5-7/1", 0, 7, 1 << 5 | 1 << 6 | 1 << 7, ""),
        ("*", 1, 3, 1 << 1 | 1 << 2 | 1 << 3 | STAR_BIT, ""),
        ("*/2", 1, 3, 1 << 1 | 1 << 3, ""),
        ("5--5", 0, 0, 0, "too many hyphens"),
        ("jan-x", 0, 0, 0, "failed to parse int from"),
        ("2-x", 1, 5, 0, "failed to parse int from"),
        ("*/-12", 0, 0, 0, "negative number"),
        ("*//2", 0, 0, 0, "too many slashes"),
        ("1", 3, 5, 0, "below minimum"),
        ("6", 3, 5, 0, "above maximum"),
        ("5-3", 3, 5, 0, "beyond end of range"),
        ("*/0", 0, 0, 0, "should be a positive number"),
    ];
    for &(expr, min, max, want, err) in cases {
        match get_range(expr, &bounds(min, max)) {
            Ok(bits) => {
                assert!(err.is_empty(), "{expr}: expected error {err:?}");
                assert_eq!(bits, want, "{expr}");
            }
            Err(e) => assert!(
                !err.is_empty() && e.message().contains(err),
                "{expr}: {e} (expected {err:?})"
            ),
        }
    }
}

// parser_test.go TestField.
#[test]
fn field_table() {
    let cases: &[(&str, u64, u64, u64)] = &[
        ("5", 1, 7, 1 << 5),
        ("5,6", 1, 7, 1 << 5 | 1 << 6),
        ("5,6,7", 1, 7, 1 << 5 | 1 << 6 | 1 << 7),
        ("1,5-7/2,3", 1, 7, 1 << 1 | 1 << 5 | 1 << 7 | 1 << 3),
    ];
    for &(expr, min, max, want) in cases {
        assert_eq!(get_field(expr, &bounds(min, max)), Ok(want), "{expr}");
    }
}

// parser_test.go TestAll and TestBits.
#[test]
fn all_and_bits_tables() {
    for (b, want) in [
        (&MINUTES, 0x0fff_ffff_ffff_ffff_u64),
        (&HOURS, 0xff_ffff),
        (&DOM, 0xffff_fffe),
        (&MONTHS, 0x1ffe),
        (&DOW, 0x7f),
    ] {
        assert_eq!(all(b), want | STAR_BIT);
    }
    for (min, max, step, want) in [
        (0, 0, 1, 0x1),
        (1, 1, 1, 0x2),
        (1, 5, 2, 0x2a),
        (1, 4, 2, 0xa),
    ] {
        assert_eq!(get_bits(min, max, step), want, "{min}-{max}/{step}");
    }
}

// parser_test.go TestParseScheduleErrors (as ParseStandard sees them),
// TestStandardSpecSchedule's errors, spec_test.go TestErrors and
// TestSlash0NoHang.
#[test]
fn parse_errors() {
    let cases = [
        ("* 5 j * *", "failed to parse int from"),
        ("@every Xm", "failed to parse duration"),
        ("@unrecognized", "unrecognized descriptor"),
        ("* * * *", "expected exactly 5 fields"),
        ("", "empty spec string"),
        ("5 j * * *", "failed to parse int from"),
        ("xyz", "expected exactly 5 fields"),
        ("60 0 * * *", "above maximum"),
        ("0 60 * * *", "above maximum"),
        ("0 0 * * XYZ", "failed to parse int from"),
        ("15/0 * * * *", "should be a positive number"),
    ];
    for (spec, want) in cases {
        let e = CronSchedule::parse(spec).expect_err(spec);
        assert!(e.message().contains(want), "{spec}: {e}");
    }
}

// Whole messages, as `kubectl` would show them in a validation error.
#[test]
fn error_messages_are_robfigs() {
    let msg = |s: &str| CronSchedule::parse(s).unwrap_err().to_string();
    assert_eq!(
        msg("* * * *"),
        "expected exactly 5 fields, found 4: [* * * *]"
    );
    assert_eq!(
        msg("5 j * * *"),
        "failed to parse int from j: strconv.Atoi: parsing \"j\": invalid syntax"
    );
    assert_eq!(
        msg("*/-12 * * * *"),
        "negative number (-12) not allowed: -12"
    );
    assert_eq!(
        msg("0 24 * * *"),
        "end of range (24) above maximum (23): 24"
    );
    assert_eq!(
        msg("0 0 0 * *"),
        "beginning of range (0) below minimum (1): 0"
    );
    assert_eq!(
        msg("@every Xm"),
        "failed to parse duration @every Xm: time: invalid duration \"Xm\""
    );
    assert_eq!(
        msg("CRON_TZ=UTC 0 * * * *"),
        "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"
    );
}

// parser_test.go TestParseSchedule and TestStandardSpecSchedule (the
// entries without a TZ prefix).
#[test]
fn parse_table() {
    let h = all(&HOURS);
    let (d, m, w) = (all(&DOM), all(&MONTHS), all(&DOW));
    let every5min = SpecSchedule {
        second: 1,
        minute: 1 << 5,
        hour: h,
        dom: d,
        month: m,
        dow: w,
    };
    let midnight = SpecSchedule {
        second: 1,
        minute: 1,
        hour: 1,
        dom: d,
        month: m,
        dow: w,
    };
    let annual = SpecSchedule {
        dom: 1 << 1,
        month: 1 << 1,
        ..midnight
    };
    assert_eq!(
        spec_of(&CronSchedule::parse("5 * * * *").unwrap()),
        every5min
    );
    assert_eq!(spec_of(&parse_six("0 5 * * * *")), every5min);
    assert_eq!(
        spec_of(&CronSchedule::parse("@midnight").unwrap()),
        midnight
    );
    assert_eq!(spec_of(&CronSchedule::parse("@yearly").unwrap()), annual);
    assert_eq!(spec_of(&CronSchedule::parse("@annually").unwrap()), annual);
    let every = CronSchedule::parse("@every 5m").unwrap();
    assert_eq!(every.kind, Kind::Every { delay_s: 300 });
    assert_eq!(
        spec_of(&parse_six("* 5 * * * *")),
        SpecSchedule {
            second: all(&SECONDS),
            ..every5min
        }
    );
}

// spec_test.go TestActivation.
#[test]
fn activation_table() {
    let cases = [
        // Every fifteen minutes.
        ("Mon Jul 9 15:00 2012", "0/15 * * * *", true),
        ("Mon Jul 9 15:45 2012", "0/15 * * * *", true),
        ("Mon Jul 9 15:40 2012", "0/15 * * * *", false),
        // Every fifteen minutes, starting at 5 minutes.
        ("Mon Jul 9 15:05 2012", "5/15 * * * *", true),
        ("Mon Jul 9 15:20 2012", "5/15 * * * *", true),
        ("Mon Jul 9 15:50 2012", "5/15 * * * *", true),
        // Named months.
        ("Sun Jul 15 15:00 2012", "0/15 * * Jul *", true),
        ("Sun Jul 15 15:00 2012", "0/15 * * Jun *", false),
        // Everything set.
        ("Sun Jul 15 08:30 2012", "30 08 ? Jul Sun", true),
        ("Sun Jul 15 08:30 2012", "30 08 15 Jul ?", true),
        ("Mon Jul 16 08:30 2012", "30 08 ? Jul Sun", false),
        ("Mon Jul 16 08:30 2012", "30 08 15 Jul ?", false),
        // Predefined schedules.
        ("Mon Jul 9 15:00 2012", "@hourly", true),
        ("Mon Jul 9 15:04 2012", "@hourly", false),
        ("Mon Jul 9 15:00 2012", "@daily", false),
        ("Mon Jul 9 00:00 2012", "@daily", true),
        ("Mon Jul 9 00:00 2012", "@weekly", false),
        ("Sun Jul 8 00:00 2012", "@weekly", true),
        ("Sun Jul 8 01:00 2012", "@weekly", false),
        ("Sun Jul 8 00:00 2012", "@monthly", false),
        ("Sun Jul 1 00:00 2012", "@monthly", true),
        // Both day fields restricted: either may match.
        ("Sun Jul 15 00:00 2012", "* * 1,15 * Sun", true),
        ("Fri Jun 15 00:00 2012", "* * 1,15 * Sun", true),
        ("Wed Aug 1 00:00 2012", "* * 1,15 * Sun", true),
        ("Sun Jul 15 00:00 2012", "* * */10 * Sun", true),
        // A star in one: both must match.
        ("Sun Jul 15 00:00 2012", "* * * * Mon", false),
        ("Mon Jul 9 00:00 2012", "* * 1,15 * *", false),
        ("Sun Jul 15 00:00 2012", "* * 1,15 * *", true),
        ("Sun Jul 15 00:00 2012", "* * */2 * Sun", true),
    ];
    for (time, spec, want) in cases {
        let s = CronSchedule::parse(spec).expect(spec);
        let t = at(time).unwrap();
        assert_eq!(s.next(t - 1, 0) == Some(t), want, "{spec} on {time}");
    }
}

// spec_test.go TestNext (with secondParser), the cases without a named
// time zone.
#[test]
fn next_table() {
    let cases = [
        // Simple cases.
        (
            "Mon Jul 9 14:45 2012",
            "0 0/15 * * * *",
            "Mon Jul 9 15:00 2012",
        ),
        (
            "Mon Jul 9 14:59 2012",
            "0 0/15 * * * *",
            "Mon Jul 9 15:00 2012",
        ),
        (
            "Mon Jul 9 14:59:59 2012",
            "0 0/15 * * * *",
            "Mon Jul 9 15:00 2012",
        ),
        // Wrap around hours.
        (
            "Mon Jul 9 15:45 2012",
            "0 20-35/15 * * * *",
            "Mon Jul 9 16:20 2012",
        ),
        // Wrap around days.
        (
            "Mon Jul 9 23:46 2012",
            "0 */15 * * * *",
            "Tue Jul 10 00:00 2012",
        ),
        (
            "Mon Jul 9 23:45 2012",
            "0 20-35/15 * * * *",
            "Tue Jul 10 00:20 2012",
        ),
        (
            "Mon Jul 9 23:35:51 2012",
            "15/35 20-35/15 * * * *",
            "Tue Jul 10 00:20:15 2012",
        ),
        (
            "Mon Jul 9 23:35:51 2012",
            "15/35 20-35/15 1/2 * * *",
            "Tue Jul 10 01:20:15 2012",
        ),
        (
            "Mon Jul 9 23:35:51 2012",
            "15/35 20-35/15 10-12 * * *",
            "Tue Jul 10 10:20:15 2012",
        ),
        (
            "Mon Jul 9 23:35:51 2012",
            "15/35 20-35/15 1/2 */2 * *",
            "Thu Jul 11 01:20:15 2012",
        ),
        (
            "Mon Jul 9 23:35:51 2012",
            "15/35 20-35/15 * 9-20 * *",
            "Wed Jul 10 00:20:15 2012",
        ),
        (
            "Mon Jul 9 23:35:51 2012",
            "15/35 20-35/15 * 9-20 Jul *",
            "Wed Jul 10 00:20:15 2012",
        ),
        // Wrap around months.
        (
            "Mon Jul 9 23:35 2012",
            "0 0 0 9 Apr-Oct ?",
            "Thu Aug 9 00:00 2012",
        ),
        (
            "Mon Jul 9 23:35 2012",
            "0 0 0 */5 Apr,Aug,Oct Mon",
            "Tue Aug 1 00:00 2012",
        ),
        (
            "Mon Jul 9 23:35 2012",
            "0 0 0 */5 Oct Mon",
            "Mon Oct 1 00:00 2012",
        ),
        // Wrap around years.
        (
            "Mon Jul 9 23:35 2012",
            "0 0 0 * Feb Mon",
            "Mon Feb 4 00:00 2013",
        ),
        (
            "Mon Jul 9 23:35 2012",
            "0 0 0 * Feb Mon/2",
            "Fri Feb 1 00:00 2013",
        ),
        // Wrap around minute, hour, day, month, and year.
        (
            "Mon Dec 31 23:59:45 2012",
            "0 * * * * *",
            "Tue Jan 1 00:00:00 2013",
        ),
        // Leap year.
        (
            "Mon Jul 9 23:35 2012",
            "0 0 0 29 Feb ?",
            "Mon Feb 29 00:00 2016",
        ),
        // Unsatisfiable.
        ("Mon Jul 9 23:35 2012", "0 0 0 30 Feb ?", ""),
        ("Mon Jul 9 23:35 2012", "0 0 0 31 Apr ?", ""),
    ];
    for (time, spec, want) in cases {
        let got = parse_six(spec).next(at(time).unwrap(), 0);
        assert_eq!(got, at(want), "{time}, {spec:?}");
    }
}

// spec_test.go TestNextWithTz: a schedule without a zone follows the
// zone of the time it is given (here +05:30).
#[test]
fn next_with_fixed_offset() {
    let ist = 5 * 3600 + 1800;
    let local = |h, m, s| date(2016, 1, 3, h, m, s) - i64::from(ist);
    let want = Some(local(14, 14, 0));
    for (t, spec) in [
        (local(13, 9, 3), "14 14 * * *"),
        (local(4, 9, 3), "14 14 * * ?"),
        (local(14, 9, 3), "14 14 * * *"),
        (local(14, 0, 0), "14 14 * * ?"),
    ] {
        assert_eq!(
            CronSchedule::parse(spec).unwrap().next(t, ist),
            want,
            "{spec}"
        );
    }
}

#[test]
fn every_and_descriptors() {
    let every = CronSchedule::parse("@every 1h30m").unwrap();
    assert_eq!(every.next(100, 0), Some(100 + 5400));
    // `Every` rounds up to a second and drops fractions.
    for (spec, delay) in [("@every 500ms", 1), ("@every -5m", 1), ("@every 90.7s", 90)] {
        let s = CronSchedule::parse(spec).unwrap();
        assert_eq!(s.kind, Kind::Every { delay_s: delay }, "{spec}");
    }
    assert!(CronSchedule::parse("@every  5m").is_err());
    assert!(CronSchedule::parse("@daily ").is_err());
    // Names in any case; `?` anywhere.
    let s = CronSchedule::parse("0 12 ? jan,JUL MoN-fri").unwrap();
    assert_eq!(
        s.next(date(2024, 1, 1, 12, 0, 0), 0),
        Some(date(2024, 1, 2, 12, 0, 0))
    );
}

#[test]
fn time_zones() {
    assert_eq!(TimeZone::parse("UTC").unwrap().offset_s(), 0);
    assert_eq!(TimeZone::parse("Etc/GMT+5").unwrap().offset_s(), -5 * 3600);
    assert_eq!(TimeZone::parse("Etc/GMT-14").unwrap().offset_s(), 14 * 3600);
    for bad in [
        "Etc/GMT+13",
        "Etc/GMT-15",
        "Etc/GMT+05",
        "Europe/Rome",
        "utc",
    ] {
        assert!(TimeZone::parse(bad).is_err(), "{bad}");
    }
    assert_eq!(
        TimeZone::parse("").unwrap_err().message(),
        "timeZone must be nil or non-empty string"
    );
    assert!(TimeZone::parse("local")
        .unwrap_err()
        .message()
        .contains("explicit"));
    // Midnight in UTC+2 is 22:00 UTC the day before.
    let s = CronSchedule::parse("@daily").unwrap();
    let tz = TimeZone::parse("Etc/GMT-2").unwrap();
    assert_eq!(
        s.next(date(2024, 3, 1, 12, 0, 0), tz.offset_s()),
        Some(date(2024, 3, 1, 22, 0, 0))
    );
}
