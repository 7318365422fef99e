//! A node going down and coming back, as its kubelet lives through it.
//!
//! - **Crash** (`nodeDown`, `mode: crash`): the machine stops. Every
//!   container stops using CPU and memory at once, every timer of the
//!   node is dropped, and kubelet writes nothing more — the API keeps
//!   showing what it last reported (pods `Running`) until the control
//!   plane decides otherwise. The pods still hold their node's requests
//!   in the books, as they do in the scheduler's cache.
//! - **Partition** (`mode: partition`): the machine runs on but cannot
//!   reach the API server. Its containers keep running (and restarting);
//!   kubelet does not hear of new bindings or deletions until it is back.
//!   (kubesim lets its status writes through meanwhile; a real kubelet's
//!   would wait for the network.)
//!
//! Either way kubelet stops renewing the node's Lease; that is all the
//! node lifecycle controller sees.
//!
//! Coming back (`nodeUp`), kubelet renews the Lease, posts `Ready=True`
//! and catches up on what it missed: pods deleted meanwhile are stopped
//! (after a crash their containers are already gone, so they are gone at
//! once); pods bound meanwhile start. After a crash every other pod
//! starts over in a new sandbox: the containers it had are reported
//! `ContainerStatusUnknown` (137) and restarted — init containers first —
//! unless the pod's `restartPolicy` is `Never`, in which case it fails
//! (pkg/kubelet/kuberuntime `computePodActions`).

use super::{events, Effects, Kubelet, KubeletTimerKind, NodeTimerKind};
use crate::api::{ConditionStatus, NodeId, PodId, PodPhase, RestartPolicy, Store};
use crate::kernel::SimTime;

/// How a node goes down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NodeDownMode {
    /// The machine stops: its containers die with it.
    #[default]
    Crash,
    /// The network is cut: its containers keep running.
    Partition,
}

/// Whether a node's kubelet is reachable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) enum NodeRun {
    /// Up and reporting.
    #[default]
    Up,
    /// Down, in the given way.
    Down(NodeDownMode),
}

impl Kubelet {
    /// Whether `node`'s kubelet is down (crashed or cut off).
    pub fn node_is_down(&self, node: NodeId) -> bool {
        self.node_run
            .get(node.index())
            .is_some_and(|r| *r != NodeRun::Up)
    }

    /// Whether `node` crashed (its containers are not running whatever
    /// the API says).
    pub(super) fn node_crashed(&self, node: NodeId) -> bool {
        self.node_run.get(node.index()) == Some(&NodeRun::Down(NodeDownMode::Crash))
    }

    /// `nodeDown`: the node crashes or loses the network at `now`.
    pub fn node_down(&mut self, store: &mut Store, node: NodeId, mode: NodeDownMode, now: SimTime) {
        if self.node_is_down(node) {
            return;
        }
        self.node_run[node.index()] = NodeRun::Down(mode);
        store.set_lease_renewing(node, false, now);
        if mode == NodeDownMode::Crash {
            self.crash(store, node, now);
        }
    }

    /// Everything on `node` stops; the books keep its pods' requests.
    fn crash(&mut self, store: &Store, node: NodeId, now: SimTime) {
        self.accounting.touch(node, now);
        for &pid in store.pods_on_node(node) {
            for cid in store.pod(pid).container_ids() {
                for kind in KubeletTimerKind::ALL {
                    self.timers.cancel(cid.index(), kind);
                }
                if self.accounting.container(cid).running {
                    self.accounting.stop_container(cid);
                }
                let rt = &mut self.containers[cid.index()];
                rt.pulling = false;
                rt.stop_code = None;
                rt.probes = Default::default();
                rt.probe_killed = false;
                rt.work_due = None;
                rt.work_timer_at = None;
                // kubelet's back-off lives in its memory, and the runtime
                // lost the exited instances with the sandbox.
                rt.backoff.reset();
                rt.last_exit_at = None;
            }
            let prt = &mut self.pods[pid.index()];
            prt.terminating = None;
            prt.awaiting_sync = true;
        }
        for kind in [NodeTimerKind::Memory, NodeTimerKind::Eviction] {
            self.node_timers.cancel(node.index(), kind);
        }
        self.eviction[node.index()] = Default::default();
        self.drop_queued_pulls(node);
    }

    /// `nodeUp`: the node's kubelet is back at `now` and catches up.
    pub fn node_up(&mut self, store: &mut Store, node: NodeId, now: SimTime, fx: &mut Effects) {
        let NodeRun::Down(mode) = self.node_run[node.index()] else {
            return;
        };
        if store.node(node).is_deleted() {
            return; // no node object to come back to
        }
        self.node_run[node.index()] = NodeRun::Up;
        if mode == NodeDownMode::Crash {
            fx.events.push(events::starting_kubelet(store, node, now));
        }
        if store.node(node).ready != ConditionStatus::True {
            fx.events.push(events::node_ready(store, node, now));
        }
        store.set_lease_renewing(node, true, now);
        store.set_node_ready(node, ConditionStatus::True);
        self.accounting.touch(node, now);
        let pods: Vec<PodId> = store.pods_on_node(node).to_vec();
        for pid in pods {
            self.catch_up(store, pid, mode, now, fx);
        }
    }

    /// A pod of a deleted node was force-deleted: it leaves the books,
    /// `Failed` (PodGC's `DeletionByPodGC`).
    pub(super) fn release_orphan(&mut self, store: &mut Store, pid: PodId, now: SimTime) {
        if store.pod(pid).is_finished() || !self.pods[pid.index()].admitted {
            return;
        }
        debug_assert!(
            store.pod(pid).node().is_some_and(|n| self.node_crashed(n)),
            "a deleted node's machine is gone"
        );
        store.lose_containers(pid);
        self.finish_pod(store, pid, PodPhase::Failed, "DeletionByPodGC", now);
    }

    fn catch_up(
        &mut self,
        store: &mut Store,
        pid: PodId,
        mode: NodeDownMode,
        now: SimTime,
        fx: &mut Effects,
    ) {
        let entry = store.pod(pid);
        if entry.is_finished() {
            return;
        }
        let deleting = entry.is_deleting();
        let never_started = entry.pod().status.start_time.is_none();
        let awaiting = std::mem::take(&mut self.pods[pid.index()].awaiting_sync);
        match mode {
            NodeDownMode::Partition => {
                if awaiting && deleting {
                    self.finish_pod(store, pid, PodPhase::Failed, "Deleted", now);
                } else if awaiting {
                    self.start_pod(store, pid, now, fx);
                } else if deleting && self.pods[pid.index()].terminating.is_none() {
                    self.kill_deleted(store, pid, now, fx);
                }
            }
            NodeDownMode::Crash => {
                if deleting {
                    store.lose_containers(pid);
                    self.finish_pod(store, pid, PodPhase::Failed, "Deleted", now);
                } else if never_started {
                    self.start_pod(store, pid, now, fx);
                } else if entry.pod().spec.restart_policy == RestartPolicy::Never {
                    store.lose_containers(pid);
                    self.finish_pod(store, pid, PodPhase::Failed, "ContainerStatusUnknown", now);
                } else {
                    store.reboot_pod(pid, now);
                    self.start_pod(store, pid, now, fx);
                }
            }
        }
    }
}
