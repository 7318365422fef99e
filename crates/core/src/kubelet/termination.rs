//! Graceful termination of a pod being deleted (pkg/kubelet/kuberuntime
//! `killContainer`): each running container runs its preStop hook (a
//! `sleep` takes its seconds, an `exec` or `httpGet` hook the image's
//! `preStopTime`), then gets SIGTERM and exits after the image's
//! `shutdown` time — or is killed with SIGKILL when the grace period
//! (`terminationGracePeriodSeconds`, or the deletion's own) runs out. A
//! hook uses up grace, but after it the container still gets at least
//! `minimumGracePeriodInSeconds` (2 s). Containers are stopped in parallel.
//!
//! A terminating pod is not Ready and restarts nothing, but keeps its
//! node's resources until its last container has stopped; then it is
//! gone (`finished_s`), `Succeeded` if every container exited 0 and
//! `Failed` if one was killed (137).

use super::lifecycle::Exit;
use super::{events, Effects, Kubelet, KubeletTimer, KubeletTimerKind};
use crate::api::{ContainerState, PodId, PodPhase, PreStopHook, Store, Termination};
use crate::kernel::SimTime;

/// Why kubelet is terminating a pod.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Cause {
    /// Its deletion started.
    Deleted,
    /// The eviction manager evicted it.
    Evicted,
}

/// `minimumGracePeriodInSeconds` (pkg/kubelet/kuberuntime/kuberuntime_container.go).
pub const MINIMUM_GRACE_PERIOD: SimTime = SimTime::from_secs(2);

/// When a container stops after a deletion began, and with what exit
/// code, given its preStop hook's duration, its shutdown time and the
/// grace period.
pub fn stop_plan(pre_stop: Option<SimTime>, shutdown: SimTime, grace: SimTime) -> (SimTime, i32) {
    let (hook, remaining) = match pre_stop {
        Some(h) => {
            let used = h.min(grace);
            (used, grace.saturating_sub(used).max(MINIMUM_GRACE_PERIOD))
        }
        None => (SimTime::ZERO, grace),
    };
    if shutdown <= remaining {
        (hook + shutdown, 0)
    } else {
        (hook + remaining, 137)
    }
}

impl Kubelet {
    /// A bound pod is being deleted: every running container goes through
    /// preStop, SIGTERM and (if need be) SIGKILL; the pod keeps its node
    /// until the last has stopped.
    pub(super) fn kill_deleted(
        &mut self,
        store: &mut Store,
        pid: PodId,
        now: SimTime,
        fx: &mut Effects,
    ) {
        let entry = store.pod(pid);
        if entry.node().is_none() || entry.is_finished() {
            return; // the store finished an unbound pod itself
        }
        let grace = entry
            .pod()
            .metadata
            .deletion_grace_period_s
            .unwrap_or(entry.pod().spec.termination_grace_period_s);
        self.terminate(store, pid, grace, Cause::Deleted, now, fx);
    }

    /// Stops every running container of `pid` with `grace_s` seconds of
    /// grace; the pod is finished (by `cause`) once the last has stopped.
    pub(super) fn terminate(
        &mut self,
        store: &mut Store,
        pid: PodId,
        grace_s: i64,
        cause: Cause,
        now: SimTime,
        fx: &mut Effects,
    ) {
        let entry = store.pod(pid);
        let Some(nid) = entry.node() else {
            return;
        };
        debug_assert!(
            self.pods[pid.index()].admitted,
            "terminating a pod never admitted"
        );
        let rt = &mut self.pods[pid.index()];
        if rt.terminating.is_some() && cause == Cause::Evicted {
            return;
        }
        rt.terminating = Some(cause);
        let grace = SimTime::from_secs(grace_s.max(0) as u64);
        self.accounting.touch(nid, now);
        for cid in entry.container_ids() {
            self.timers.cancel(cid.index(), KubeletTimerKind::Restart);
        }
        store.set_pod_ready(pid, false, now);
        let running: Vec<usize> = store
            .pod(pid)
            .pod()
            .status
            .container_statuses
            .iter()
            .enumerate()
            .filter(|(_, s)| s.state == ContainerState::Running)
            .map(|(i, _)| i)
            .collect();
        for ci in running {
            let entry = store.pod(pid);
            let c = entry.pod().spec.container(ci);
            let cid = entry.container_id(ci);
            fx.events.push(events::killing(store, pid, &c.name, now));
            let img = self.image(cid);
            let hook = c.pre_stop.map(|h| match h {
                PreStopHook::Sleep(d) => d,
                PreStopHook::Handler => img.pre_stop_time,
            });
            let (after, code) = stop_plan(hook, img.shutdown, grace);
            if after == SimTime::ZERO {
                self.stop_container(store, pid, ci, Some(Termination::exited(code)));
                continue;
            }
            self.containers[cid.index()].stop_code = Some(code);
            let gen = self.timers.arm(cid.index(), KubeletTimerKind::Stop);
            fx.timers.push((
                now + after,
                KubeletTimer::Container {
                    kind: KubeletTimerKind::Stop,
                    container: cid,
                    gen,
                },
            ));
        }
        self.finish_if_stopped(store, pid, now);
    }

    /// A container of a pod being deleted stops now.
    pub(super) fn on_stop(
        &mut self,
        store: &mut Store,
        pid: PodId,
        ci: usize,
        now: SimTime,
        fx: &mut Effects,
    ) {
        let cid = store.pod(pid).container_id(ci);
        let code = self.containers[cid.index()].stop_code.take().unwrap_or(0);
        let nid = store.pod(pid).node().expect("terminating pods are bound");
        self.accounting.touch(nid, now);
        self.stop_container(store, pid, ci, Some(Termination::exited(code)));
        self.on_exit(store, pid, ci, Exit { code }, now, fx);
    }

    /// A pod being deleted is gone once no container runs: `Failed` if
    /// one was killed or failed on the way out, `Succeeded` otherwise.
    pub(super) fn finish_if_stopped(&mut self, store: &mut Store, pid: PodId, now: SimTime) {
        let entry = store.pod(pid);
        if entry.is_finished() {
            return;
        }
        let statuses = &entry.pod().status.container_statuses;
        if statuses.iter().any(|s| s.state == ContainerState::Running) {
            return;
        }
        if self.pods[pid.index()].terminating == Some(Cause::Evicted) {
            self.finish_pod(store, pid, PodPhase::Failed, "Evicted", now);
            return;
        }
        let failed = statuses
            .iter()
            .filter(|s| s.state == ContainerState::Terminated)
            .filter_map(|s| s.last_termination)
            .any(|t| t.exit_code != 0 && t.reason != "OOMKilled");
        let phase = if failed {
            PodPhase::Failed
        } else {
            PodPhase::Succeeded
        };
        self.finish_pod(store, pid, phase, "Deleted", now);
    }
}

impl Kubelet {
    /// A liveness or startup probe failed: kubelet kills the container
    /// (preStop, SIGTERM, SIGKILL at the pod's grace period) and restarts
    /// it unless the pod's policy is `Never`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn kill_for_probe(
        &mut self,
        store: &mut Store,
        pid: PodId,
        ci: usize,
        name: &str,
        probe: &str,
        now: SimTime,
        fx: &mut Effects,
    ) {
        let entry = store.pod(pid);
        let cid = entry.container_id(ci);
        let restart = self.containers[cid.index()].is_sidecar
            || entry.pod().spec.restart_policy != crate::api::RestartPolicy::Never;
        fx.events.push(events::killing_for_probe(
            store, pid, name, probe, restart, now,
        ));
        for kind in [
            KubeletTimerKind::StartupProbe,
            KubeletTimerKind::LivenessProbe,
            KubeletTimerKind::ReadinessProbe,
        ] {
            self.timers.cancel(cid.index(), kind);
        }
        self.containers[cid.index()].probe_killed = true;
        store.set_container_ready(pid, ci, false);
        self.update_ready(store, pid, now);
        let entry = store.pod(pid);
        let grace = SimTime::from_secs(entry.pod().spec.termination_grace_period_s.max(0) as u64);
        let img = self.image(cid);
        let hook = entry.pod().spec.container(ci).pre_stop.map(|h| match h {
            PreStopHook::Sleep(d) => d,
            PreStopHook::Handler => img.pre_stop_time,
        });
        let (after, code) = stop_plan(hook, img.shutdown, grace);
        self.containers[cid.index()].stop_code = Some(code);
        let gen = self.timers.arm(cid.index(), KubeletTimerKind::Stop);
        fx.timers.push((
            now + after,
            KubeletTimer::Container {
                kind: KubeletTimerKind::Stop,
                container: cid,
                gen,
            },
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: u64) -> SimTime {
        SimTime::from_secs(x)
    }

    // The rule of `killContainer` (pkg/kubelet/kuberuntime/
    // kuberuntime_container.go): a hook uses up grace, but at least
    // `minimumGracePeriodInSeconds` (2 s) remain for SIGTERM.
    #[test]
    fn plan_table() {
        let cases = [
            // (preStop, shutdown, grace) → (stops after, exit code)
            (None, s(0), s(30), (s(0), 0)),
            (None, s(10), s(30), (s(10), 0)),
            (None, s(45), s(30), (s(30), 137)),
            (Some(s(5)), s(10), s(30), (s(15), 0)),
            (Some(s(29)), s(1), s(30), (s(30), 0)),
            (Some(s(29)), s(5), s(30), (s(31), 137)),
            (Some(s(60)), s(1), s(30), (s(31), 0)),
            (Some(s(60)), s(10), s(30), (s(32), 137)),
            (None, s(1), s(0), (s(0), 137)),
        ];
        for (hook, shutdown, grace, want) in cases {
            assert_eq!(
                stop_plan(hook, shutdown, grace),
                want,
                "{hook:?} {shutdown:?} {grace:?}"
            );
        }
    }
}
