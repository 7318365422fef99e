//! When a CronJob's next Job is due: pkg/controller/cronjob/utils.go
//! (`mostRecentScheduleTime`, `nextScheduleTimeDuration`,
//! `nextScheduleTime`, `getJobName`, `byJobStartTime`), ported on
//! wall-clock instants.
//!
//! Instants are [`WallNs`], nanoseconds since the Unix epoch, because a
//! schedule follows the calendar while simulated time counts from the
//! run's clock origin. Durations follow Go's `time.Duration`: differences
//! saturate at ±292 years and products wrap, as they do upstream (neither
//! happens in a scenario of sane length).

use kubesim_core::{CronSchedule, SimTime};

/// A wall-clock instant: nanoseconds since 1970-01-01T00:00:00Z.
pub type WallNs = i128;

/// Nanoseconds per second, as a [`WallNs`].
pub const NANOS: WallNs = 1_000_000_000;

/// `nextScheduleDelta`: a requeue comes this long after the scheduled
/// time, for clock skew between controller and API server.
pub const NEXT_SCHEDULE_DELTA: SimTime = SimTime::from_millis(100);

/// `missedSchedulesType`: how many start times passed unmet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissedSchedules {
    /// `noneMissed`.
    None,
    /// `fewMissed`.
    Few,
    /// `manyMissed`: more than 100.
    Many,
}

/// The one error of `mostRecentScheduleTime`: a schedule that parses but
/// has no two activations a second apart (`59 23 31 2 *`). kubesim also
/// reports it when there is no activation within robfig's five years.
pub const SCHEDULE_TOO_DENSE: &str = "time difference between two schedules is less than 1 second";

/// A schedule in its zone.
#[derive(Debug, Clone, Copy)]
pub struct Schedule<'a> {
    /// The parsed schedule.
    pub schedule: &'a CronSchedule,
    /// Seconds east of UTC of the CronJob's `timeZone`.
    pub offset_s: i32,
}

impl Schedule<'_> {
    /// `schedule.Next(t)`: `None` for robfig's zero time.
    pub fn next(&self, t: WallNs) -> Option<WallNs> {
        let secs = i64::try_from(t.div_euclid(NANOS)).ok()?;
        let next = self.schedule.next(secs, self.offset_s)?;
        Some(WallNs::from(next) * NANOS)
    }
}

/// What `mostRecentScheduleTime` reads of a CronJob.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScheduleState {
    /// `metadata.creationTimestamp`.
    pub creation: WallNs,
    /// `status.lastScheduleTime`.
    pub last_schedule: Option<WallNs>,
    /// `spec.startingDeadlineSeconds`.
    pub starting_deadline_s: Option<i64>,
}

/// What `mostRecentScheduleTime` found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MostRecent {
    /// The last schedule time or creation time (or the deadline's start).
    pub earliest: WallNs,
    /// The most recent unmet start time, if one is due.
    pub most_recent: Option<WallNs>,
    /// How many were missed.
    pub missed: MissedSchedules,
}

/// Go's `t.Sub(u)`: saturates at the range of `time.Duration`.
fn go_sub(t: WallNs, u: WallNs) -> i64 {
    (t - u).clamp(WallNs::from(i64::MIN), WallNs::from(i64::MAX)) as i64
}

/// `mostRecentScheduleTime`: the most recent start time in
/// `(earliest, now]`, counting the ones missed. The count is upstream's
/// approximation (the gap between the first two start times divided into
/// the time elapsed), and so is the search, which starts one gap before
/// the estimate.
pub fn most_recent_schedule_time(
    st: &ScheduleState,
    now: WallNs,
    sched: Schedule<'_>,
    include_starting_deadline: bool,
) -> Result<MostRecent, &'static str> {
    let mut earliest = st.last_schedule.unwrap_or(st.creation);
    if let (true, Some(sds)) = (include_starting_deadline, st.starting_deadline_s) {
        // The controller schedules nothing before this point.
        let deadline = now - WallNs::from(sds) * NANOS;
        earliest = earliest.max(deadline);
    }
    let none = |most_recent, missed| MostRecent {
        earliest,
        most_recent,
        missed,
    };
    let t1 = sched.next(earliest).ok_or(SCHEDULE_TOO_DENSE)?;
    if now < t1 {
        return Ok(none(None, MissedSchedules::None));
    }
    let t2 = sched.next(t1).ok_or(SCHEDULE_TOO_DENSE)?;
    if now < t2 {
        return Ok(none(Some(t1), MissedSchedules::None));
    }
    let between = go_sub(t2, t1) / 1_000_000_000;
    if between < 1 {
        return Err(SCHEDULE_TOO_DENSE);
    }
    let elapsed = go_sub(now, t1) / 1_000_000_000;
    let missed_count = elapsed / between + 1;
    let back = (missed_count - 2)
        .wrapping_mul(between)
        .wrapping_mul(1_000_000_000);
    let mut t = sched.next(t1 + WallNs::from(back));
    let mut most_recent = None;
    while let Some(x) = t.filter(|&x| x <= now) {
        most_recent = Some(x);
        t = sched.next(x);
    }
    let missed = if missed_count > 100 {
        MissedSchedules::Many
    } else {
        MissedSchedules::Few
    };
    Ok(none(most_recent, missed))
}

/// `nextScheduleTimeDuration`, as the instant of the requeue: the start
/// time after the most recent one (or after `earliest`, or `now`), plus
/// [`NEXT_SCHEDULE_DELTA`]. `None` when the schedule has no next start.
pub fn next_schedule_time_requeue(
    st: &ScheduleState,
    now: WallNs,
    sched: Schedule<'_>,
) -> Option<WallNs> {
    let from = match most_recent_schedule_time(st, now, sched, false) {
        Err(_) => now,
        Ok(MostRecent {
            most_recent: Some(t),
            ..
        }) => t,
        Ok(MostRecent {
            earliest,
            most_recent: None,
            missed: MissedSchedules::None,
        }) => earliest,
        // Missed ones but none found: aim after now.
        Ok(_) => now,
    };
    let delta = WallNs::from(NEXT_SCHEDULE_DELTA.as_nanos());
    sched.next(from).map(|t| t + delta)
}

/// `nextScheduleTime`: the start time due now (`None` if none), with the
/// missed count for the `TooManyMissedTimes` warning.
pub fn next_schedule_time(
    st: &ScheduleState,
    now: WallNs,
    sched: Schedule<'_>,
) -> Result<Option<(WallNs, MissedSchedules)>, &'static str> {
    let r = most_recent_schedule_time(st, now, sched, true)?;
    Ok(r.most_recent.filter(|&t| t <= now).map(|t| (t, r.missed)))
}

/// `getJobName`: `<cronjob>-<scheduled time in minutes since the epoch>`,
/// so a start time names one Job and is never run twice.
pub fn get_job_name(cron_job: &str, scheduled: WallNs) -> String {
    let unix_s = scheduled.div_euclid(NANOS);
    format!("{cron_job}-{}", unix_s / 60)
}

/// `byJobStartTime`: Jobs with a start time first, earliest first; then by
/// name.
pub fn by_job_start_time(start: Option<SimTime>, name: &str) -> (bool, Option<SimTime>, String) {
    (start.is_none(), start, name.to_string())
}

#[cfg(test)]
mod tests;
