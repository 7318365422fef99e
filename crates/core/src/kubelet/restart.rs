//! Restart policy and crash-loop back-off (pkg/kubelet/kubelet.go
//! `backOffPeriod`, `MaxContainerBackOff`; the back-off of
//! k8s.io/client-go/util/flowcontrol): the first restart is immediate,
//! then waits of 10 s doubling up to 300 s, reset once a container ran
//! for 10 minutes.

use crate::api::RestartPolicy;
use crate::kernel::SimTime;

/// First restart back-off after the immediate one (`backOffPeriod`).
pub const BACKOFF_INITIAL: SimTime = SimTime::from_secs(10);
/// Longest restart back-off (`MaxContainerBackOff`).
pub const BACKOFF_MAX: SimTime = SimTime::from_secs(300);
/// A container that ran this long has its back-off reset.
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

/// The wait before this restart, given how long the container `ran`;
/// moves `backoff` on for the next one.
pub(super) fn take_backoff(backoff: &mut SimTime, ran: SimTime) -> SimTime {
    if ran >= BACKOFF_RESET {
        *backoff = SimTime::ZERO;
    }
    let delay = *backoff;
    *backoff = if delay == SimTime::ZERO {
        BACKOFF_INITIAL
    } else {
        SimTime(delay.0.saturating_mul(2)).min(BACKOFF_MAX)
    };
    delay
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_sequence() {
        let mut b = SimTime::ZERO;
        let waits: Vec<u64> = (0..8)
            .map(|_| take_backoff(&mut b, SimTime::from_secs(1)).0 / 1_000_000_000)
            .collect();
        assert_eq!(waits, [0, 10, 20, 40, 80, 160, 300, 300]);
        // Ten minutes of running resets it.
        assert_eq!(take_backoff(&mut b, BACKOFF_RESET), SimTime::ZERO);
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
