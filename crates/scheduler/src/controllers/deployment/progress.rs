//! The `Progressing` condition, ported from
//! pkg/controller/deployment/progress.go (`syncRolloutStatus`,
//! `requeueStuckDeployment`) and sync.go (`checkPausedConditions`), with
//! `SetDeploymentCondition` from deployment_util.go.

use super::util::{
    deployment_complete, deployment_progressing, deployment_timed_out, progress_deadline_at,
    reasons,
};
use kubesim_core::{Deployment, DeploymentCondition, DeploymentStatus, SimTime};

/// A `Progressing` condition set at `now`.
pub fn condition(
    status: &'static str,
    reason: &'static str,
    message: String,
    now: SimTime,
) -> DeploymentCondition {
    DeploymentCondition {
        status,
        reason,
        message,
        last_update_time: now,
        last_transition_time: now,
    }
}

/// `SetDeploymentCondition` on the condition in `slot`: nothing if status
/// and reason are the same; the transition time kept if the status is.
pub fn set_condition(slot: &mut Option<DeploymentCondition>, mut c: DeploymentCondition) {
    if let Some(cur) = slot.as_ref() {
        if cur.status == c.status && cur.reason == c.reason {
            return;
        }
        if cur.status == c.status {
            c.last_transition_time = cur.last_transition_time;
        }
    }
    *slot = Some(c);
}

/// `checkPausedConditions`: `Unknown`/`DeploymentPaused` when paused,
/// `Unknown`/`DeploymentResumed` when resumed (a timed-out condition is
/// kept). `true` if it changed.
pub fn check_paused_conditions(d: &Deployment, s: &mut DeploymentStatus, now: SimTime) -> bool {
    if d.progress_deadline_seconds.is_none() {
        return false;
    }
    let cur = s.progressing.as_ref();
    if cur.is_some_and(|c| c.reason == reasons::TIMED_OUT) {
        return false;
    }
    let paused_exists = cur.is_some_and(|c| c.reason == reasons::PAUSED);
    let c = if d.paused && !paused_exists {
        condition(
            "Unknown",
            reasons::PAUSED,
            "Deployment is paused".into(),
            now,
        )
    } else if !d.paused && paused_exists {
        condition(
            "Unknown",
            reasons::RESUMED,
            "Deployment is resumed".into(),
            now,
        )
    } else {
        return false;
    };
    set_condition(&mut s.progressing, c);
    true
}

/// `syncRolloutStatus`: the new status's `Progressing` condition —
/// `NewReplicaSetAvailable` when complete, `ReplicaSetUpdated` (its update
/// time moved to now) on any progress, `ProgressDeadlineExceeded` once
/// the deadline passed without progress.
pub fn sync_rollout_status(
    d: &Deployment,
    mut new: DeploymentStatus,
    new_rs: Option<&str>,
    now: SimTime,
) -> DeploymentStatus {
    if d.progress_deadline_seconds.is_none() {
        new.progressing = None;
        return new;
    }
    let current = d.status.progressing.as_ref();
    let complete_before = new.replicas == new.updated_replicas
        && current.is_some_and(|c| c.reason == reasons::NEW_RS_AVAILABLE);
    if complete_before {
        return new;
    }
    let subject = |what: &str| match new_rs {
        Some(rs) => format!("ReplicaSet {rs:?} {what}"),
        None => format!("Deployment {:?} {what}", d.metadata.name),
    };
    if deployment_complete(d, &new) {
        let msg = subject("has successfully progressed.");
        set_condition(
            &mut new.progressing,
            condition("True", reasons::NEW_RS_AVAILABLE, msg, now),
        );
    } else if deployment_progressing(d, &new) {
        let mut c = condition(
            "True",
            reasons::REPLICA_SET_UPDATED,
            subject("is progressing."),
            now,
        );
        if let Some(cur) = current.filter(|c| c.status == "True") {
            c.last_transition_time = cur.last_transition_time;
        }
        // Unlike `SetDeploymentCondition`, progress always moves the
        // update time.
        new.progressing = Some(c);
    } else if deployment_timed_out(d, &new, now) {
        let msg = subject("has timed out progressing.");
        set_condition(
            &mut new.progressing,
            condition("False", reasons::TIMED_OUT, msg, now),
        );
    }
    new
}

/// The delay of `enqueueRateLimited` for a Deployment whose last sync
/// succeeded: the base delay of client-go's
/// `DefaultTypedControllerRateLimiter` (`ItemExponentialFailureRateLimiter`
/// from 5 ms; a successful sync `Forget`s the item, so it stays at 5 ms).
/// The limiter's shared token bucket (10 qps, burst 100) is not modelled.
pub const RATE_LIMITED_REQUEUE: SimTime = SimTime::from_millis(5);

/// `requeueStuckDeployment`, called when a sync leaves the status as it
/// was (`d.status` is that status): when to sync again for a timeout, or
/// `None`. With the deadline `after = LastUpdateTime + deadline − now`
/// (`LastUpdateTime` at whole seconds) at least a second away, after
/// `after` plus a second (`enqueueAfter(d, after+time.Second)`, "to
/// avoid milliseconds skew"); closer, rate-limited at once
/// ([`RATE_LIMITED_REQUEUE`]). Nothing when there is no deadline or
/// condition, when complete, or when already timed out.
///
/// kubesim also skips a Deployment whose condition is
/// `NewReplicaSetAvailable` (a finished rollout that lost a pod): upstream
/// requeues it rate-limited until it is complete again, but those syncs
/// cannot change the condition (`syncRolloutStatus` does not estimate
/// progress and `DeploymentTimedOut` is false for that reason), and
/// everything else a sync does, kubesim's notices already trigger.
pub fn requeue_stuck_deployment(d: &Deployment, now: SimTime) -> Option<SimTime> {
    let deadline = d.progress_deadline_seconds?;
    let c = d.status.progressing.as_ref()?;
    if deployment_complete(d, &d.status) || c.reason == reasons::TIMED_OUT {
        return None;
    }
    if c.reason == reasons::NEW_RS_AVAILABLE {
        return None;
    }
    let at = progress_deadline_at(c.last_update_time, deadline);
    let second = SimTime::from_secs(1);
    if at < now.saturating_add(second) {
        Some(now.saturating_add(RATE_LIMITED_REQUEUE))
    } else {
        Some(at.saturating_add(second))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubesim_core::{LabelSelector, ObjectMeta, PodTemplate};

    fn status(current: i32, updated: i32, ready: i32, available: i32) -> DeploymentStatus {
        DeploymentStatus {
            replicas: current,
            updated_replicas: updated,
            ready_replicas: ready,
            available_replicas: available,
            ..Default::default()
        }
    }

    fn deployment(replicas: i32) -> Deployment {
        Deployment::new(
            ObjectMeta::named("foo"),
            replicas,
            LabelSelector::default(),
            PodTemplate::default(),
        )
    }

    // deployment_util_test.go `TestDeploymentProgressing`: (old status,
    // new status, progressing).
    #[test]
    fn deployment_progressing_table() {
        let table = [
            ((10, 4, 4, 4), (10, 6, 4, 4), true),
            ((10, 4, 4, 4), (10, 4, 4, 4), false),
            ((10, 4, 6, 6), (8, 4, 6, 6), true),
            ((10, 7, 3, 3), (10, 6, 3, 3), false),
            ((10, 4, 7, 7), (8, 8, 5, 5), true),
            ((10, 10, 9, 8), (10, 10, 10, 8), true),
            ((10, 10, 10, 9), (10, 10, 10, 10), true),
        ];
        for (i, (old, new, want)) in table.into_iter().enumerate() {
            let mut d = deployment(10);
            d.status = status(old.0, old.1, old.2, old.3);
            let n = status(new.0, new.1, new.2, new.3);
            assert_eq!(deployment_progressing(&d, &n), want, "case {i}");
        }
    }

    // deployment_util_test.go `TestDeploymentTimedOut`: deadline (None
    // for nil), condition updated at (min, sec), now, timed out.
    #[test]
    fn deployment_timed_out_table() {
        let t = |m: u64, s: u64| SimTime::from_secs(60 * m + s);
        let ms = |m: u64, s: u64, ms: u64| SimTime(t(m, s).0 + ms * 1_000_000);
        let table = [
            (None, t(1, 9), t(1, 20), false),
            (Some(10), t(1, 9), t(1, 20), true),
            (Some(10), t(1, 11), t(1, 20), false),
            // kubesim: the update time is read at whole seconds (1:09),
            // `now` is not: 1:19 is before 1:19.2.
            (Some(10), ms(1, 9, 500), ms(1, 19, 200), true),
            (Some(10), ms(1, 9, 500), t(1, 19), false),
        ];
        for (i, (deadline, from, now, want)) in table.into_iter().enumerate() {
            let mut d = deployment(1);
            d.progress_deadline_seconds = deadline;
            let s = DeploymentStatus {
                progressing: Some(condition("True", "", String::new(), from)),
                ..Default::default()
            };
            assert_eq!(deployment_timed_out(&d, &s, now), want, "case {i}");
        }
        // "previous status was a complete deployment".
        let d = deployment(1);
        let s = DeploymentStatus {
            progressing: Some(condition(
                "True",
                reasons::NEW_RS_AVAILABLE,
                String::new(),
                SimTime::ZERO,
            )),
            ..Default::default()
        };
        assert!(!deployment_timed_out(&d, &s, SimTime::from_secs(10_000)));
    }

    // deployment_util_test.go `TestDeploymentComplete`: (desired, current,
    // updated, available) → complete.
    #[test]
    fn deployment_complete_table() {
        let table = [
            ((5, 5, 5, 4), false),
            ((5, 5, 5, 3), false),
            ((5, 5, 5, 5), true),
            ((5, 5, 4, 5), false),
            ((1, 2, 1, 1), false),
            ((1, 1, 1, 0), false),
        ];
        for (i, ((desired, current, updated, available), want)) in table.into_iter().enumerate() {
            let d = deployment(desired);
            let s = status(current, updated, 0, available);
            assert_eq!(deployment_complete(&d, &s), want, "case {i}");
        }
    }

    // progress.go `requeueStuckDeployment` (progress_test.go
    // `TestRequeueStuckDeployment`'s cases, on kubesim's clock): deadline
    // 10 s; (condition reason, its update time in ms, now in ms, complete)
    // → when to sync again.
    #[test]
    fn requeue_stuck_deployment_table() {
        let ms = SimTime::from_millis;
        let table = [
            // No progress for 3 s of 10: at update + 10 s + 1 s.
            (
                reasons::REPLICA_SET_UPDATED,
                0,
                3_000,
                false,
                Some(ms(11_000)),
            ),
            // The update time is at whole seconds: 1.9 s reads as 1 s.
            (
                reasons::REPLICA_SET_UPDATED,
                1_900,
                3_000,
                false,
                Some(ms(12_000)),
            ),
            // Less than a second left: rate-limited, now.
            (
                reasons::REPLICA_SET_UPDATED,
                0,
                9_500,
                false,
                Some(ms(9_505)),
            ),
            // Already past (a sync without progress): rate-limited.
            (
                reasons::REPLICA_SET_UPDATED,
                0,
                12_000,
                false,
                Some(ms(12_005)),
            ),
            // Exactly a second left: `after < time.Second` is false.
            (
                reasons::REPLICA_SET_UPDATED,
                0,
                9_000,
                false,
                Some(ms(11_000)),
            ),
            (reasons::REPLICA_SET_UPDATED, 0, 3_000, true, None),
            (reasons::TIMED_OUT, 0, 3_000, false, None),
            (reasons::NEW_RS_AVAILABLE, 0, 3_000, false, None),
        ];
        for (i, (reason, updated_ms, now_ms, complete, want)) in table.into_iter().enumerate() {
            let mut d = deployment(2);
            d.progress_deadline_seconds = Some(10);
            d.status = if complete {
                status(2, 2, 2, 2)
            } else {
                status(2, 1, 1, 1)
            };
            d.status.progressing = Some(condition("True", reason, String::new(), ms(updated_ms)));
            assert_eq!(requeue_stuck_deployment(&d, ms(now_ms)), want, "case {i}");
        }
        let mut d = deployment(2);
        d.status = status(2, 1, 1, 1);
        assert_eq!(requeue_stuck_deployment(&d, ms(0)), None, "no deadline");
        d.progress_deadline_seconds = Some(10);
        assert_eq!(requeue_stuck_deployment(&d, ms(0)), None, "no condition");
    }

    #[test]
    fn stuck_rollout_times_out_after_deadline() {
        let mut d = deployment(2);
        d.progress_deadline_seconds = Some(60);
        d.status = status(2, 1, 1, 1);
        d.status.progressing = Some(condition(
            "True",
            reasons::REPLICA_SET_UPDATED,
            String::new(),
            SimTime::from_secs(10),
        ));
        let again = requeue_stuck_deployment(&d, SimTime::from_secs(20)).unwrap();
        assert_eq!(again, SimTime::from_secs(71));
        let s = sync_rollout_status(&d, d.status.clone(), Some("foo-1"), again);
        let c = s.progressing.unwrap();
        assert_eq!((c.status, c.reason), ("False", reasons::TIMED_OUT));
        assert_eq!(c.message, "ReplicaSet \"foo-1\" has timed out progressing.");
    }
}
