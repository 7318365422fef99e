//! pkg/controller/cronjob/utils_test.go, ported as data: each row keeps
//! its upstream name. Times are offsets from `topOfTheHour()`,
//! 2016-05-19T10:00:00Z.

use super::*;
use kubesim_core::kernel::wallclock::date;

const MIN: i64 = 60;
const HOUR: i64 = 3600;
const DAY: i64 = 24 * HOUR;

/// `deltaTimeAfterTopOfTheHour(secs)`.
fn top(secs: i64) -> WallNs {
    WallNs::from(date(2016, 5, 19, 10, 0, 0) + secs) * NANOS
}

fn parse(spec: &str) -> CronSchedule {
    CronSchedule::parse(spec).expect(spec)
}

fn utc(s: &CronSchedule) -> Schedule<'_> {
    Schedule {
        schedule: s,
        offset_s: 0,
    }
}

struct Row {
    name: &'static str,
    schedule: &'static str,
    creation: i64,
    last: Option<i64>,
    sds: Option<i64>,
    include_sds: bool,
    now: i64,
    earliest: i64,
    recent: Option<i64>,
    missed: MissedSchedules,
}

impl Row {
    /// A row with no status, deadline or misses, created at the top of the
    /// hour; fields are then overridden.
    fn new(name: &'static str, schedule: &'static str, now: i64) -> Self {
        Row {
            name,
            schedule,
            creation: 0,
            last: None,
            sds: None,
            include_sds: false,
            now,
            earliest: 0,
            recent: None,
            missed: MissedSchedules::None,
        }
    }
}

// utils_test.go TestMostRecentScheduleTime.
#[test]
fn most_recent_schedule_time_table() {
    use MissedSchedules::{Few, Many};
    let rows = [
        Row::new("now before next schedule", "0 * * * *", 30),
        Row {
            recent: Some(60 * MIN),
            ..Row::new("now just after next schedule", "0 * * * *", 61 * MIN)
        },
        Row {
            creation: 10,
            earliest: 10,
            recent: Some(300 * MIN),
            missed: Few,
            ..Row::new("missed 5 schedules", "0 * * * *", 301 * MIN)
        },
        Row {
            last: Some(30 * MIN),
            earliest: 30 * MIN,
            recent: Some(DAY + 30 * MIN),
            missed: Few,
            ..Row::new("complex schedule", "30 6-16/4 * * 1-5", DAY + 31 * MIN)
        },
        Row {
            last: Some(30 * MIN),
            earliest: 30 * MIN,
            missed: Few,
            ..Row::new(
                "another complex schedule",
                "30 10,11,12 * * 1-5",
                30 * HOUR + 30 * MIN,
            )
        },
        Row {
            last: Some(30 * MIN),
            earliest: 30 * MIN,
            recent: Some(96 * HOUR + 30 * MIN),
            missed: Few,
            ..Row::new(
                "complex schedule with longer diff between executions",
                "30 6-16/4 * * 1-5",
                96 * HOUR + 31 * MIN,
            )
        },
        Row {
            recent: Some(DAY + 30 * MIN),
            missed: Few,
            ..Row::new(
                "complex schedule with shorter diff between executions",
                "30 6-16/4 * * 1-5",
                DAY + 31 * MIN,
            )
        },
        Row {
            creation: -59 * MIN,
            last: Some(MIN),
            sds: Some(10),
            earliest: MIN,
            recent: Some(6 * DAY + 23 * HOUR + MIN),
            missed: Many,
            ..Row::new("@every schedule", "@every 1h", 7 * DAY)
        },
        Row {
            last: Some(0),
            ..Row::new(
                "earliestTime being CreationTimestamp and LastScheduleTime",
                "0 * * * *",
                30,
            )
        },
        Row {
            last: Some(30 * MIN),
            earliest: 30 * MIN,
            ..Row::new(
                "earliestTime being LastScheduleTime",
                "*/5 * * * *",
                31 * MIN,
            )
        },
        Row {
            last: Some(30 * MIN),
            sds: Some(60),
            earliest: 30 * MIN,
            ..Row::new(
                "earliestTime being LastScheduleTime (within StartingDeadlineSeconds)",
                "*/5 * * * *",
                31 * MIN,
            )
        },
        Row {
            last: Some(30 * MIN),
            sds: Some(60),
            include_sds: true,
            earliest: 31 * MIN,
            ..Row::new(
                "earliestTime being LastScheduleTime (outside StartingDeadlineSeconds)",
                "*/5 * * * *",
                32 * MIN,
            )
        },
    ];
    for r in rows {
        let s = parse(r.schedule);
        let st = ScheduleState {
            creation: top(r.creation),
            last_schedule: r.last.map(top),
            starting_deadline_s: r.sds,
        };
        let got = most_recent_schedule_time(&st, top(r.now), utc(&s), r.include_sds);
        let want = MostRecent {
            earliest: top(r.earliest),
            most_recent: r.recent.map(top),
            missed: r.missed,
        };
        assert_eq!(got, Ok(want), "{}", r.name);
    }
    // "rogue cronjob": 31 February.
    let s = parse("59 23 31 2 *");
    let st = ScheduleState {
        creation: top(10),
        last_schedule: None,
        starting_deadline_s: None,
    };
    let got = most_recent_schedule_time(&st, top(HOUR), utc(&s), false);
    assert_eq!(got, Err(SCHEDULE_TOO_DENSE));
}

// utils_test.go TestNextScheduleTimeDuration (durations from `now`).
#[test]
fn next_schedule_time_duration_table() {
    let delta = WallNs::from(NEXT_SCHEDULE_DELTA.as_nanos());
    let rows = [
        (
            "complex schedule skipping weekend",
            "30 6-16/4 * * 1-5",
            Some(30 * MIN),
            DAY + 31 * MIN,
            3 * HOUR + 59 * MIN,
        ),
        (
            "another complex schedule skipping weekend",
            "30 10,11,12 * * 1-5",
            Some(30 * MIN),
            30 * HOUR + 30 * MIN,
            66 * HOUR,
        ),
        (
            "once a week cronjob, missed two runs",
            "0 12 * * 4",
            Some(2 * HOUR),
            19 * DAY + HOUR + 30 * MIN,
            48 * HOUR + 30 * MIN,
        ),
        (
            "no previous run of a cronjob",
            "0 12 * * 5",
            None,
            6 * HOUR,
            20 * HOUR,
        ),
    ];
    for (name, spec, last, now, want) in rows {
        let s = parse(spec);
        let st = ScheduleState {
            creation: top(0),
            last_schedule: last.map(top),
            starting_deadline_s: None,
        };
        let at = next_schedule_time_requeue(&st, top(now), utc(&s)).expect(name);
        assert_eq!(at - top(now), WallNs::from(want) * NANOS + delta, "{name}");
    }
}

// utils_test.go TestNextScheduleTime.
#[test]
fn next_schedule_time_table() {
    let hourly = parse("0 * * * ?");
    let (t1, t2) = (0, HOUR);
    let case = |creation: i64, last: Option<i64>, sds: Option<i64>, now: i64| {
        let st = ScheduleState {
            creation: top(creation),
            last_schedule: last.map(top),
            starting_deadline_s: sds,
        };
        next_schedule_time(&st, top(now), utc(&hourly)).map(|r| r.map(|(t, _)| t))
    };
    // Case 1: no known start times, and none needed yet.
    assert_eq!(case(t1 - 10 * MIN, None, None, t1 - 7 * MIN), Ok(None));
    // Case 2: no known start times, and one needed.
    assert_eq!(case(t1 - 10 * MIN, None, None, t1 + 2), Ok(Some(top(t1))));
    // Case 3: known LastScheduleTime, no start needed.
    assert_eq!(case(t1 - 10 * MIN, Some(t1), None, t1 + 2 * MIN), Ok(None));
    // Case 4: known LastScheduleTime, a start needed.
    let want = Ok(Some(top(t2)));
    assert_eq!(case(t1 - 10 * MIN, Some(t1), None, t2 + 5 * MIN), want);
    // Case 5: known LastScheduleTime, two starts needed.
    assert_eq!(
        case(t1 - 2 * HOUR, Some(t1 - HOUR), None, t2 + 5 * MIN),
        want
    );
    // Case 6: now is way ahead of last start time, and there is no deadline.
    let far = t2 + 10 * DAY;
    let want = Ok(Some(top(far)));
    assert_eq!(case(t1 - 2 * HOUR, Some(t1 - HOUR), None, far), want);
    // Case 7: … but there is a short deadline.
    let short = Some(2 * HOUR);
    assert_eq!(case(t1 - 2 * HOUR, Some(t1 - HOUR), short, far), want);
    // Case 8: the error from mostRecentScheduleTime gets populated up.
    let rogue = parse("59 23 31 2 *");
    let st = ScheduleState {
        creation: top(t1 + 10),
        last_schedule: None,
        starting_deadline_s: None,
    };
    let got = next_schedule_time(&st, top(HOUR), utc(&rogue));
    assert_eq!(got, Err(SCHEDULE_TOO_DENSE));
}

// utils_test.go TestByJobStartTime.
#[test]
fn by_job_start_time_table() {
    type Jobs = Vec<(Option<SimTime>, &'static str)>;
    let now = Some(SimTime::from_secs(10));
    let later = Some(SimTime::from_secs(20));
    let rows: [(&str, Jobs, Jobs); 5] = [
        (
            "both have nil start times",
            vec![(None, "b"), (None, "a")],
            vec![(None, "a"), (None, "b")],
        ),
        (
            "only the first has a nil start time",
            vec![(None, "a"), (now, "b")],
            vec![(now, "b"), (None, "a")],
        ),
        (
            "only the second has a nil start time",
            vec![(now, "a"), (None, "b")],
            vec![(now, "a"), (None, "b")],
        ),
        (
            "both have non-nil, equal start time",
            vec![(now, "b"), (now, "a")],
            vec![(now, "a"), (now, "b")],
        ),
        (
            "both have non-nil, different start time",
            vec![(later, "a"), (now, "b")],
            vec![(now, "b"), (later, "a")],
        ),
    ];
    for (name, mut input, want) in rows {
        input.sort_by_key(|&(s, n)| by_job_start_time(s, n));
        assert_eq!(input, want, "{name}");
    }
}

// getJobName / getTimeHashInMinutes.
#[test]
fn job_name_is_minutes_since_epoch() {
    assert_eq!(get_job_name("hello", top(0)), "hello-24394200");
    assert_eq!(get_job_name("hello", 59 * NANOS), "hello-0");
    assert_eq!(get_job_name("hello", 60 * NANOS), "hello-1");
}
