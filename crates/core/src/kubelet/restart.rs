//! Restart policy and crash-loop back-off: kubelet's `doBackOff`
//! (pkg/kubelet/kuberuntime/kuberuntime_manager.go) over a
//! `flowcontrol.Backoff` (k8s.io/client-go/util/flowcontrol/backoff.go)
//! made with `backOffPeriod` 10 s and `MaxContainerBackOff` 300 s
//! (pkg/kubelet/kubelet.go), without jitter.
//!
//! The sync that would start a container looks at the latest *exited*
//! instance of it and waits while less than the current back-off has
//! passed since that instance finished; once it starts it, the back-off
//! doubles (`Next`). An entry that was last updated more than twice the
//! maximum before the exit is stale, and the next wait starts over. So a
//! container that keeps crashing restarts at once, then after 10, 20, 40,
//! 80, 160 and 300 s, counted from each exit; one that ran for more than
//! 10 minutes starts over.
//!
//! A container killed by its liveness or startup probe is killed and
//! started again in one sync, whose pod status was read *before* the
//! kill: the latest exited instance it sees is the one before. Its
//! restart is therefore immediate while the time since that earlier exit
//! exceeds the back-off, and the back-off catches up only after a few
//! kills (kubernetes/kubernetes#22240).

use crate::api::RestartPolicy;
use crate::kernel::SimTime;

/// First restart back-off after the immediate one (`backOffPeriod`).
pub const BACKOFF_INITIAL: SimTime = SimTime::from_secs(10);
/// Longest restart back-off (`MaxContainerBackOff`).
pub const BACKOFF_MAX: SimTime = SimTime::from_secs(300);
/// A container that ran longer than this since its last start has its
/// back-off reset (`hasExpired`: twice the maximum).
pub const BACKOFF_RESET: SimTime = SimTime::from_secs(600);

/// Whether a container that exited with `exit_code` restarts: sidecars
/// always do; app containers by the pod's policy.
pub(super) fn should_restart(policy: RestartPolicy, is_sidecar: bool, exit_code: i32) -> bool {
    is_sidecar
        || match policy {
            RestartPolicy::Always => true,
            RestartPolicy::OnFailure => exit_code != 0,
            RestartPolicy::Never => false,
        }
}

/// One container's entry in kubelet's back-off (`backoffEntry`), keyed
/// upstream by `getStableKey(pod, container)`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Backoff {
    /// `(backoff, lastUpdate)`; `None` until the first `Next`.
    entry: Option<(SimTime, SimTime)>,
}

impl Backoff {
    /// `hasExpired`: the entry was last updated more than twice the
    /// maximum before `event`.
    fn expired(event: SimTime, last_update: SimTime) -> bool {
        event.saturating_sub(last_update) > SimTime(BACKOFF_MAX.0.saturating_mul(2))
    }

    /// `IsInBackOffSince(id, eventTime)` at `now`.
    pub(super) fn is_in_backoff_since(&self, event: SimTime, now: SimTime) -> bool {
        match self.entry {
            None => false,
            Some((backoff, last_update)) => {
                !Self::expired(event, last_update) && now.saturating_sub(event) < backoff
            }
        }
    }

    /// `Next(id, eventTime)` at `now`: a fresh or stale entry starts at
    /// the initial back-off, a live one doubles up to the maximum.
    pub(super) fn next(&mut self, event: SimTime, now: SimTime) {
        let backoff = match self.entry {
            Some((b, last_update)) if !Self::expired(event, last_update) => {
                SimTime(b.0.saturating_mul(2)).min(BACKOFF_MAX)
            }
            _ => BACKOFF_INITIAL,
        };
        self.entry = Some((backoff, now));
    }

    /// Forgets everything (a new sandbox after a reboot).
    pub(super) fn reset(&mut self) {
        self.entry = None;
    }
}

/// How long after `exited` a container that stopped then starts again.
/// `seen_exit` is the finish of the latest exited instance the restarting
/// sync sees: this exit itself, or — when kubelet killed the container
/// for a failed probe and restarts it in the same sync — the exit before
/// (`None` if there was none).
pub(super) fn restart_delay(
    backoff: &mut Backoff,
    exited: SimTime,
    seen_exit: Option<SimTime>,
) -> SimTime {
    let Some(seen) = seen_exit else {
        return SimTime::ZERO; // nothing exited before: start, no `Next`
    };
    if !backoff.is_in_backoff_since(seen, exited) {
        backoff.next(seen, exited);
        return SimTime::ZERO;
    }
    // In back-off: the following syncs see this exit and wait it out.
    let wait = backoff.entry.map_or(SimTime::ZERO, |(b, _)| b);
    let start = exited + wait;
    debug_assert!(!backoff.is_in_backoff_since(exited, start));
    backoff.next(exited, start);
    wait
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(x: u64) -> SimTime {
        SimTime::from_secs(x)
    }

    /// A container that crashes 1 s after each start: 0, 10, 20, …, 300 s.
    #[test]
    fn back_off_sequence() {
        let mut b = Backoff::default();
        let mut t = secs(1);
        let mut waits = Vec::new();
        for _ in 0..8 {
            let w = restart_delay(&mut b, t, Some(t));
            waits.push(w.0 / 1_000_000_000);
            t = t + w + secs(1);
        }
        assert_eq!(waits, [0, 10, 20, 40, 80, 160, 300, 300]);
        // More than twice the maximum since the last start: starts over.
        let t = t + secs(601);
        assert_eq!(restart_delay(&mut b, t, Some(t)), SimTime::ZERO);
        assert_eq!(
            restart_delay(&mut b, t + secs(1), Some(t + secs(1))),
            secs(10)
        );
    }

    /// Killed by a liveness probe 30 s after every start (the restarting
    /// sync sees the exit before the kill): immediate restarts until the
    /// back-off outgrows the 30 s between kills, then the back-off — and
    /// once it is at its 300 s maximum, every other restart is immediate
    /// again, as 300 s of waiting plus 30 s of running exceed it.
    #[test]
    fn probe_kills_see_the_previous_exit() {
        let mut b = Backoff::default();
        let mut t = SimTime::ZERO;
        let mut prev = None;
        let mut waits = Vec::new();
        for _ in 0..10 {
            let killed = t + secs(30);
            let w = restart_delay(&mut b, killed, prev);
            waits.push(w.0 / 1_000_000_000);
            prev = Some(killed);
            t = killed + w;
        }
        assert_eq!(waits, [0, 0, 0, 0, 40, 80, 160, 300, 0, 300]);
    }

    #[test]
    fn restart_policy_table() {
        use RestartPolicy::*;
        let cases = [
            (Always, false, 0, true),
            (Always, false, 1, true),
            (OnFailure, false, 0, false),
            (OnFailure, false, 137, true),
            (Never, false, 1, false),
            (Never, true, 0, true),
        ];
        for (policy, sidecar, code, want) in cases {
            assert_eq!(
                should_restart(policy, sidecar, code),
                want,
                "{policy:?} {sidecar} {code}"
            );
        }
    }
}
