//! What a running container does with the CPU: its demand profile moves
//! at known times, and finite work (`cpuSeconds`) ends the process with
//! exit code 0 once done.
//!
//! The finish time of finite work moves with the rate the node's solve
//! gives the container. Each container keeps at most one WorkDone timer
//! in the queue: a new one is pushed only when the finish moves earlier
//! (the old one becomes stale); when it moves later, the queued timer
//! re-arms itself on firing.

use super::lifecycle::Exit;
use super::{Effects, Kubelet, KubeletTimer, KubeletTimerKind};
use crate::api::{ContainerId, PodId, Store, Termination};
use crate::kernel::{entity_rng, SimTime};
use rand::Rng;

impl Kubelet {
    /// The demand profile's next point: new demand, next change armed.
    pub(super) fn on_demand_change(
        &mut self,
        store: &mut Store,
        pid: PodId,
        ci: usize,
        now: SimTime,
        fx: &mut Effects,
    ) {
        let nid = store.pod(pid).node().expect("running pods are bound");
        self.accounting.touch(nid, now);
        let cid = store.pod(pid).container_id(ci);
        let started = store.pod(pid).pod().status.container_statuses[ci]
            .started_at
            .expect("running containers have started");
        let (demand, next) = self.image(cid).cpu.at(now - started);
        self.accounting.set_demand(cid, demand);
        if let Some(next) = next {
            let gen = self.timers.arm(cid.index(), KubeletTimerKind::DemandChange);
            fx.timers.push((
                started + next,
                KubeletTimer::Container {
                    kind: KubeletTimerKind::DemandChange,
                    container: cid,
                    gen,
                },
            ));
        }
    }

    /// The WorkDone timer fired: the work is done (exit 0), or the finish
    /// moved later and the timer re-arms, or the container gets no CPU now
    /// and the next solve that gives it some re-arms.
    pub(super) fn on_work_done(
        &mut self,
        store: &mut Store,
        pid: PodId,
        ci: usize,
        now: SimTime,
        fx: &mut Effects,
    ) {
        let cid = store.pod(pid).container_id(ci);
        let rt = &mut self.containers[cid.index()];
        rt.work_timer_at = None;
        match rt.work_due {
            Some(due) if due <= now => {}
            Some(due) => {
                rt.work_timer_at = Some(due);
                let gen = self.timers.rearm(cid.index(), KubeletTimerKind::WorkDone);
                fx.timers.push((
                    due,
                    KubeletTimer::Container {
                        kind: KubeletTimerKind::WorkDone,
                        container: cid,
                        gen,
                    },
                ));
                return;
            }
            None => return,
        }
        let nid = store.pod(pid).node().expect("running pods are bound");
        self.accounting.touch(nid, now);
        self.stop_container(store, pid, ci, Some(Termination::exited(0)));
        self.on_exit(store, pid, ci, Exit { code: 0 }, now, fx);
    }

    /// After a solve moved container `cid`'s rate: when does its work end
    /// now? Pushes a timer only if that is earlier than the queued one.
    pub(super) fn schedule_work(&mut self, cid: ContainerId, now: SimTime, fx: &mut Effects) {
        let cpu = self.accounting.container(cid);
        let Some(w) = cpu.work_remaining_cpu_s else {
            return;
        };
        let used = cpu.used_cores;
        let rt = &mut self.containers[cid.index()];
        rt.work_due =
            (used > 1e-12).then(|| now.saturating_add(SimTime::from_secs_f64_ceil(w / used)));
        let Some(due) = rt.work_due else {
            return;
        };
        if rt.work_timer_at.is_none_or(|t| due < t) {
            rt.work_timer_at = Some(due);
            let gen = self.timers.arm(cid.index(), KubeletTimerKind::WorkDone);
            fx.timers.push((
                due,
                KubeletTimer::Container {
                    kind: KubeletTimerKind::WorkDone,
                    container: cid,
                    gen,
                },
            ));
        }
    }
}

impl Kubelet {
    /// Arms the container's own exit, if its image exits by itself: after
    /// a fixed time, or after an exponential time with the image's rate,
    /// drawn from the container's own stream (one fixed slice of it per
    /// run, so a restart never shifts another container's draws).
    pub(super) fn arm_exit(
        &mut self,
        store: &Store,
        pid: PodId,
        ci: usize,
        now: SimTime,
        fx: &mut Effects,
    ) {
        let cid = store.pod(pid).container_id(ci);
        let Some(exit) = self.image(cid).exit else {
            return;
        };
        let random = exit.rate_per_hour.filter(|r| *r > 0.0).map(|rate| {
            let entry = store.pod(pid);
            let meta = &entry.pod().metadata;
            let name = format!(
                "{}/{}/{}",
                meta.namespace_or_default(),
                meta.name,
                entry.pod().spec.container(ci).name
            );
            let life = entry.pod().status.container_statuses[ci].restart_count;
            let mut rng = entity_rng(self.seed, "container", &name);
            rng.set_word_pos(u128::from(life) * 16);
            // 1 − U lies in (0, 1]: the logarithm is finite.
            let u: f64 = rng.random();
            SimTime::from_secs_f64_ceil(-(1.0 - u).ln() / rate * 3600.0)
        });
        let after = match (exit.after, random) {
            (Some(a), Some(r)) => a.min(r),
            (a, r) => match a.or(r) {
                Some(t) => t,
                None => return,
            },
        };
        let gen = self.timers.arm(cid.index(), KubeletTimerKind::Exit);
        fx.timers.push((
            now + after,
            KubeletTimer::Container {
                kind: KubeletTimerKind::Exit,
                container: cid,
                gen,
            },
        ));
    }

    /// The process exited by itself with the image's exit code.
    pub(super) fn on_exit_timer(
        &mut self,
        store: &mut Store,
        pid: PodId,
        ci: usize,
        now: SimTime,
        fx: &mut Effects,
    ) {
        let cid = store.pod(pid).container_id(ci);
        let code = self.image(cid).exit.map_or(0, |e| e.code);
        let nid = store.pod(pid).node().expect("running pods are bound");
        self.accounting.touch(nid, now);
        self.stop_container(store, pid, ci, Some(Termination::exited(code)));
        self.on_exit(store, pid, ci, Exit { code }, now, fx);
    }
}
