//! A pod's life on its node: admission, init containers one after another
//! (sidecars keep running), then every app container together; readiness;
//! the end of the pod; deletion.
//!
//! Init order and sidecars follow pkg/kubelet/kuberuntime
//! (`computeInitContainerActions`): a regular init container must complete
//! before the next starts; a sidecar (an init container with
//! `restartPolicy: Always`) lets the next one start once it is up.

use super::{events, restart, ContainerRuntime, Effects, Kubelet, KubeletTimer, KubeletTimerKind};
use crate::accounting::{ContainerStart, PodCpu};
use crate::api::pod_limits;
use crate::api::{ContainerState, PodId, PodPhase, RestartPolicy, Store, Termination};
use crate::cgroup::{
    container_cgroup, milli_cpu_to_quota, milli_cpu_to_shares, MIN_SHARES, QUOTA_PERIOD_US,
};
use crate::kernel::SimTime;
use crate::qos::QosClass;

impl Kubelet {
    /// A pod was bound here: set up its cgroups and start it (once the
    /// node is reachable).
    pub(super) fn admit(&mut self, store: &mut Store, pid: PodId, now: SimTime, fx: &mut Effects) {
        let Some(nid) = store.pod(pid).node() else {
            debug_assert!(false, "admitting an unbound pod");
            return;
        };
        self.ensure(store);
        self.accounting.touch(nid, now);
        let mem_cap = store.node(nid).capacity.memory;
        let entry = store.pod(pid);
        let spec = &entry.pod().spec;
        let qos = entry.qos();
        let n_init = entry.init_count();
        for (ci, cid) in entry.container_ids().enumerate() {
            let c = spec.container(ci);
            let is_init = ci < n_init;
            self.containers[cid.index()] = ContainerRuntime {
                image_id: self.image_ids.get(&c.image).copied().unwrap_or(0),
                is_init,
                is_sidecar: is_init && c.is_sidecar(),
                cgroup: Some(container_cgroup(spec, qos, c, mem_cap, &self.config.cgroup)),
                ..Default::default()
            };
        }
        let cpu = pod_cpu(store, pid);
        self.accounting.add_pod(nid, pid, cpu, store);
        let rt = &mut self.pods[pid.index()];
        debug_assert!(!rt.admitted, "pod admitted twice");
        rt.admitted = true;
        if self.node_is_down(nid) {
            self.pods[pid.index()].awaiting_sync = true;
            return;
        }
        self.start_pod(store, pid, now, fx);
    }

    /// Starts an admitted pod from its first init container.
    pub(super) fn start_pod(
        &mut self,
        store: &mut Store,
        pid: PodId,
        now: SimTime,
        fx: &mut Effects,
    ) {
        store.set_start_time(pid, now);
        let rt = &mut self.pods[pid.index()];
        rt.next_init = 0;
        rt.probe_anchor = now;
        rt.terminating = None;
        rt.awaiting_sync = false;
        self.advance_init(store, pid, now, fx);
    }

    /// Grows the per-pod and per-container tables to the store's size.
    fn ensure(&mut self, store: &Store) {
        let (pods, containers) = (store.pod_count(), store.container_count());
        if self.pods.len() < pods {
            self.pods.resize(pods, Default::default());
        }
        if self.containers.len() < containers {
            self.containers.resize(containers, Default::default());
        }
        self.timers.ensure(containers);
        self.accounting.ensure(pods, containers);
    }

    /// Starts container `ci` of `pid` now (its image is on the node).
    pub(super) fn run_container(
        &mut self,
        store: &mut Store,
        pid: PodId,
        ci: usize,
        now: SimTime,
        fx: &mut Effects,
    ) {
        let Some(nid) = store.pod(pid).node() else {
            return;
        };
        self.accounting.touch(nid, now);
        let cid = store.pod(pid).container_id(ci);
        store.set_container_running(pid, ci, now);
        let rt = &self.containers[cid.index()];
        let cg = rt.cgroup.expect("admitted containers have cgroups");
        let image_id = rt.image_id;
        let img = &self.images[image_id as usize];
        let (demand, next) = img.cpu.at(SimTime::ZERO);
        let (startup, work) = (img.startup, img.cpu_seconds);
        let start = ContainerStart {
            weight: self.config.cgroup.container_weight(cg.cpu_shares),
            quota_cores: cg
                .cpu_quota_us
                .map_or(f64::INFINITY, |q| q as f64 / QUOTA_PERIOD_US as f64),
            demand_cores: demand,
            work_cpu_s: work,
            memory_profile: image_id,
        };
        self.accounting.start_container(cid, start, now);
        self.arm_memory_limit(cid, cg.memory_limit_bytes, now, fx);
        self.arm_exit(store, pid, ci, now, fx);
        if let Some(next) = next {
            let gen = self.timers.arm(cid.index(), KubeletTimerKind::DemandChange);
            fx.timers.push((
                now + next,
                KubeletTimer::Container {
                    kind: KubeletTimerKind::DemandChange,
                    container: cid,
                    gen,
                },
            ));
        }
        let rt = &self.containers[cid.index()];
        let completes_when_up =
            rt.is_init && !rt.is_sidecar && work.is_none() && self.image(cid).exit.is_none();
        if completes_when_up {
            // A regular init container with nothing to do completes once its
            // process is up.
            let gen = self.timers.arm(cid.index(), KubeletTimerKind::ContainerUp);
            fx.timers.push((
                now + startup,
                KubeletTimer::Container {
                    kind: KubeletTimerKind::ContainerUp,
                    container: cid,
                    gen,
                },
            ));
        }
        let spec = &store.pod(pid).pod().spec;
        let c = spec.container(ci);
        fx.events.push(events::created(store, pid, &c.name, now));
        fx.events.push(events::started(store, pid, &c.name, now));
        if !(rt_is_regular_init(&self.containers[cid.index()])) {
            self.start_probes(store, pid, ci, now, fx);
        }
    }

    /// Stops container `ci` of `pid` (`how` it ended, when it ended on its
    /// own): off the books, its timers cancelled (a pending restart is the
    /// caller's business).
    pub(super) fn stop_container(
        &mut self,
        store: &mut Store,
        pid: PodId,
        ci: usize,
        how: Option<Termination>,
    ) {
        let cid = store.pod(pid).container_id(ci);
        store.set_container_terminated(pid, ci, how);
        self.accounting.stop_container(cid);
        for kind in [
            KubeletTimerKind::ContainerUp,
            KubeletTimerKind::DemandChange,
            KubeletTimerKind::WorkDone,
            KubeletTimerKind::MemoryLimit,
            KubeletTimerKind::Exit,
            KubeletTimerKind::Stop,
            KubeletTimerKind::StartupProbe,
            KubeletTimerKind::LivenessProbe,
            KubeletTimerKind::ReadinessProbe,
        ] {
            self.timers.cancel(cid.index(), kind);
        }
        let rt = &mut self.containers[cid.index()];
        rt.work_due = None;
        rt.work_timer_at = None;
    }

    /// Starts the next init container, or all app containers once every
    /// init container has completed (sidecars keep running).
    pub(super) fn advance_init(
        &mut self,
        store: &mut Store,
        pid: PodId,
        now: SimTime,
        fx: &mut Effects,
    ) {
        if store.pod_started(pid) {
            return;
        }
        let n_init = store.pod(pid).init_count();
        let rt = &mut self.pods[pid.index()];
        if rt.next_init < n_init {
            let ci = rt.next_init;
            rt.next_init += 1;
            self.start_container(store, pid, ci, now, fx);
            return;
        }
        store.set_pod_initialized(pid, now);
        let total = store.pod(pid).pod().spec.container_count();
        for ci in n_init..total {
            self.start_container(store, pid, ci, now, fx);
        }
    }

    /// A sidecar or app container became *started* (its startup probe
    /// succeeded, or it has none): liveness and readiness probes begin, it
    /// is ready if it has no readiness probe, and a sidecar the pod waits
    /// on lets init move on (`computeInitContainerActions`).
    pub(super) fn on_started(
        &mut self,
        store: &mut Store,
        pid: PodId,
        ci: usize,
        now: SimTime,
        fx: &mut Effects,
    ) {
        let cid = store.pod(pid).container_id(ci);
        let has_readiness = store
            .pod(pid)
            .pod()
            .spec
            .container(ci)
            .readiness_probe
            .is_some();
        self.arm_probe(store, pid, ci, super::probes::ProbeKind::Liveness, now, fx);
        self.arm_probe(store, pid, ci, super::probes::ProbeKind::Readiness, now, fx);
        if !has_readiness {
            store.set_container_ready(pid, ci, true);
        }
        let rt = &self.containers[cid.index()];
        let waited_on =
            rt.is_sidecar && !store.pod_started(pid) && ci + 1 == self.pods[pid.index()].next_init;
        if waited_on {
            self.advance_init(store, pid, now, fx);
        }
        self.update_ready(store, pid, now);
    }

    /// The container's process is up: a regular init container without
    /// work completes.
    pub(super) fn on_container_up(
        &mut self,
        store: &mut Store,
        pid: PodId,
        ci: usize,
        now: SimTime,
        fx: &mut Effects,
    ) {
        let waited_on = !store.pod_started(pid) && ci + 1 == self.pods[pid.index()].next_init;
        debug_assert!(
            waited_on,
            "only the init container waited on completes when up"
        );
        let nid = store.pod(pid).node().expect("running pods are bound");
        self.accounting.touch(nid, now);
        self.stop_container(store, pid, ci, Some(Termination::exited(0)));
        if waited_on {
            self.advance_init(store, pid, now, fx);
        }
    }

    /// Ready when init is done and every app container and sidecar is.
    pub(super) fn update_ready(&mut self, store: &mut Store, pid: PodId, now: SimTime) {
        let entry = store.pod(pid);
        let n_init = entry.init_count();
        let statuses = &entry.pod().status.container_statuses;
        let init_done = self.pods[pid.index()].next_init >= n_init;
        let sidecars_ready = entry
            .container_ids()
            .take(n_init)
            .zip(statuses)
            .filter(|(cid, _)| self.containers[cid.index()].is_sidecar)
            .all(|(_, s)| s.ready);
        let all_ready = init_done && statuses[n_init..].iter().all(|s| s.ready) && sidecars_ready;
        store.set_pod_ready(pid, all_ready, now);
    }

    /// A container exited: restart it (with back-off), move init along,
    /// or end the pod.
    pub(super) fn on_exit(
        &mut self,
        store: &mut Store,
        pid: PodId,
        ci: usize,
        exit: Exit,
        now: SimTime,
        fx: &mut Effects,
    ) {
        let Exit { code: exit_code } = exit;
        if store.pod(pid).is_deleting() || self.pods[pid.index()].terminating.is_some() {
            // A pod being deleted restarts nothing; it is gone once every
            // container has stopped.
            self.finish_if_stopped(store, pid, now);
            return;
        }
        let cid = store.pod(pid).container_id(ci);
        let rt = &self.containers[cid.index()];
        if rt.is_init && !rt.is_sidecar && exit_code == 0 {
            self.advance_init(store, pid, now, fx);
            return;
        }
        let policy = store.pod(pid).pod().spec.restart_policy;
        let restart = if rt.probe_killed {
            // A container killed by its liveness or startup probe restarts
            // unless the pod never restarts (`computePodActions`).
            rt.is_sidecar || policy != RestartPolicy::Never
        } else {
            restart::should_restart(policy, rt.is_sidecar, exit_code)
        };
        let rt = &mut self.containers[cid.index()];
        // The restarting sync sees this exit, or after a probe kill (kill
        // and start in one sync) the exit before it.
        let seen_exit = if rt.probe_killed {
            rt.last_exit_at
        } else {
            Some(now)
        };
        rt.last_exit_at = Some(now);
        if restart {
            let delay = restart::restart_delay(&mut rt.backoff, now, seen_exit);
            if delay > SimTime::ZERO {
                let name = &store.pod(pid).pod().spec.container(ci).name;
                fx.events.push(events::back_off(store, pid, name, now));
            }
            let gen = self.timers.arm(cid.index(), KubeletTimerKind::Restart);
            fx.timers.push((
                now + delay,
                KubeletTimer::Container {
                    kind: KubeletTimerKind::Restart,
                    container: cid,
                    gen,
                },
            ));
            self.update_ready(store, pid, now);
            return;
        }
        // Not restarted: the container stays terminated. A regular init
        // container that failed for good fails the pod; otherwise the pod
        // ends when every app container has (`getPhase`,
        // pkg/kubelet/kubelet_pods.go): Succeeded if all exited 0, Failed
        // if any did not.
        let n_init = store.pod(pid).init_count();
        let statuses = &store.pod(pid).pod().status.container_statuses;
        let init_failed = ci < n_init && exit_code != 0;
        if init_failed
            || statuses[n_init..]
                .iter()
                .all(|s| s.state == ContainerState::Terminated)
        {
            let failed = statuses[n_init..]
                .iter()
                .chain(init_failed.then(|| &statuses[ci]))
                .filter_map(|s| s.last_termination)
                .find(|t| t.exit_code != 0);
            let running: Vec<usize> = statuses
                .iter()
                .enumerate()
                .filter(|(_, s)| s.state == ContainerState::Running)
                .map(|(i, _)| i)
                .collect();
            for ci in running {
                self.stop_container(store, pid, ci, None);
            }
            match failed {
                Some(t) => self.finish_pod(store, pid, PodPhase::Failed, t.reason, now),
                None => self.finish_pod(store, pid, PodPhase::Succeeded, "Completed", now),
            }
        } else {
            self.update_ready(store, pid, now);
        }
    }

    /// The pod ends: it gives its node back and holds no timer.
    pub(super) fn finish_pod(
        &mut self,
        store: &mut Store,
        pid: PodId,
        phase: PodPhase,
        reason: &str,
        now: SimTime,
    ) {
        let entry = store.pod(pid);
        let node = entry.node();
        for cid in entry.container_ids() {
            self.timers.cancel(cid.index(), KubeletTimerKind::Restart);
        }
        store.finish_pod(pid, phase, reason, now);
        if let Some(nid) = node {
            self.accounting.remove_pod(nid, pid, store);
        }
        self.pods[pid.index()].admitted = false;
    }
}

fn rt_is_regular_init(rt: &ContainerRuntime) -> bool {
    rt.is_init && !rt.is_sidecar
}

/// How a container's process ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Exit {
    /// Exit code.
    pub code: i32,
}

/// The pod-level cgroup values the CPU solver needs
/// (`ResourceConfigForPod`, pkg/kubelet/cm/helpers_linux.go): the pod
/// cgroup gets a CPU quota only when every container declares a CPU
/// limit, sized by `PodLimits`; BestEffort pods get the minimum shares.
fn pod_cpu(store: &Store, pid: PodId) -> PodCpu {
    let entry = store.pod(pid);
    let spec = &entry.pod().spec;
    let all_limited = spec
        .all_containers()
        .all(|c| c.resources.cpu_limit_m.is_some_and(|m| m.0 > 0));
    let limit_cores = if all_limited {
        let quota_us = milli_cpu_to_quota(pod_limits(spec).milli_cpu, QUOTA_PERIOD_US);
        quota_us as f64 / QUOTA_PERIOD_US as f64
    } else {
        f64::INFINITY
    };
    let shares = if entry.qos() == QosClass::BestEffort {
        MIN_SHARES
    } else {
        milli_cpu_to_shares(entry.requests().milli_cpu)
    };
    PodCpu {
        qos: entry.qos(),
        shares,
        limit_cores,
        request_m: entry.requests().milli_cpu,
        first: entry.container_id(0),
        // The store refuses pods over MAX_CONTAINERS_PER_POD (256).
        count: u16::try_from(spec.container_count()).unwrap_or(u16::MAX),
    }
}
