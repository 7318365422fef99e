//! Memory and the OOM killer.
//!
//! Three limits, all enforced by the kernel, never by polling — the time
//! each is exceeded is computed from the memory profiles (a cgroup may sit
//! exactly at its `memory.max`; the OOM killer runs when a charge would
//! take it past):
//! - a container's own `memory.max` (its limit): exceeding it OOM-kills
//!   that container (scope `container`);
//! - kubelet's `kubepods` cgroup, `memory.max = capacity − reserved`
//!   (pkg/kubelet/cm/node_container_manager_linux.go): when the pods
//!   together reach it, the kernel OOM killer chooses among all of them
//!   (scope `kubepods`);
//! - the node's RAM: when pods plus `systemUsage` reach capacity, the
//!   global OOM killer runs (scope `node`; kubesim assumes the system
//!   daemons protected, as kubelet and the runtime run at
//!   `oom_score_adj` −999, so the victim is a container).
//!
//! The victim is the one `oom_badness` ranks highest (see [`crate::oom`]),
//! every candidate is reported (`oom.csv`), the victim terminates with
//! reason `OOMKilled` and exit code 137, and the node gets a Warning event
//! `SystemOOM`. Its restart follows the pod's `restartPolicy`.

use super::{events, Effects, Kubelet, KubeletTimer, KubeletTimerKind, NodeTimerKind};
use super::{OomCandidate, OomScope};
use crate::accounting::Crossing;
use crate::api::{ContainerId, NodeId, PodId, Store, Termination};
use crate::kernel::SimTime;
use crate::oom::{oom_badness, select_victim, total_pages};

impl Kubelet {
    /// Arms the container's limit timer (at start): the time its memory
    /// exceeds `limit`, exactly.
    pub(super) fn arm_memory_limit(
        &mut self,
        cid: ContainerId,
        limit: Option<i64>,
        now: SimTime,
        fx: &mut Effects,
    ) {
        let Some(limit) = limit else { return };
        let over = limit.saturating_add(1);
        let Some(at) = self.accounting.container_first_reaching(cid, now, over) else {
            return;
        };
        let gen = self.timers.arm(cid.index(), KubeletTimerKind::MemoryLimit);
        fx.timers.push((
            at,
            KubeletTimer::Container {
                kind: KubeletTimerKind::MemoryLimit,
                container: cid,
                gen,
            },
        ));
    }

    /// The container exceeded its memory limit: its cgroup OOM-kills it.
    pub(super) fn on_memory_limit(
        &mut self,
        store: &mut Store,
        pid: PodId,
        ci: usize,
        now: SimTime,
        fx: &mut Effects,
    ) {
        let cid = store.pod(pid).container_id(ci);
        let Some(node) = store.pod(pid).node() else {
            return;
        };
        let cg = self.containers[cid.index()].cgroup;
        let limit = cg.and_then(|c| c.memory_limit_bytes).unwrap_or(0);
        let adj = cg.map_or(0, |c| c.oom_score_adj);
        let bytes = self.accounting.container_memory(cid, now);
        fx.oom.push(OomCandidate {
            time: now,
            node,
            scope: OomScope::Container,
            container: cid,
            memory_bytes: bytes,
            oom_score_adj: adj,
            points: oom_badness(bytes, adj, total_pages(limit)),
            victim: true,
        });
        self.oom_kill(store, pid, ci, now, fx);
    }

    /// Kills container `ci` of `pid` for the OOM killer.
    fn oom_kill(
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
        self.stop_container(store, pid, ci, Some(Termination::OOM_KILLED));
        let exit = super::lifecycle::Exit {
            code: Termination::OOM_KILLED.exit_code,
        };
        self.on_exit(store, pid, ci, exit, now, fx);
    }

    /// The pods' memory on `node` at which the kernel steps in (one byte
    /// past what they may use), which limit that is, and its size.
    fn node_memory_limit(&self, store: &Store, node: NodeId) -> (i64, OomScope, i64) {
        let n = store.node(node);
        let capacity = n.capacity.memory;
        let kubepods = capacity.saturating_sub(n.reserved.memory);
        let for_pods = capacity.saturating_sub(self.accounting.node_system_memory(node));
        if kubepods <= for_pods {
            (kubepods.saturating_add(1), OomScope::Kubepods, kubepods)
        } else {
            (for_pods.saturating_add(1), OomScope::Node, capacity)
        }
    }

    /// Re-arms `node`'s memory check after something on it changed.
    pub(super) fn arm_node_memory(
        &mut self,
        store: &Store,
        node: NodeId,
        now: SimTime,
        fx: &mut Effects,
    ) {
        let (threshold, _, _) = self.node_memory_limit(store, node);
        let at = match self
            .accounting
            .node_pods_first_reaching(node, now, threshold)
        {
            Crossing::Now => now,
            Crossing::CheckAt(t) => t,
            Crossing::Never => {
                self.node_timers.cancel(node.index(), NodeTimerKind::Memory);
                return;
            }
        };
        let gen = self.node_timers.arm(node.index(), NodeTimerKind::Memory);
        fx.timers.push((
            at,
            KubeletTimer::Node {
                kind: NodeTimerKind::Memory,
                node,
                gen,
            },
        ));
    }

    /// The node's memory check: if the pods are at the limit, the OOM
    /// killer runs until they are below it; then the next check is armed.
    pub(super) fn on_node_memory(
        &mut self,
        store: &mut Store,
        node: NodeId,
        now: SimTime,
        fx: &mut Effects,
    ) {
        let (threshold, scope, limit_bytes) = self.node_memory_limit(store, node);
        let pages = total_pages(limit_bytes);
        let mut scratch = std::mem::take(&mut self.oom_scratch);
        self.accounting
            .node_containers_memory(node, now, &mut scratch);
        let mut total: i64 = scratch.iter().map(|(_, b)| *b).fold(0, i64::saturating_add);
        let mut killed_any = false;
        while total >= threshold && !scratch.is_empty() {
            let adj: Vec<i64> = scratch
                .iter()
                .map(|(c, _)| {
                    self.containers[c.index()]
                        .cgroup
                        .map_or(0, |g| g.oom_score_adj)
                })
                .collect();
            let points: Vec<Option<i64>> = scratch
                .iter()
                .zip(&adj)
                .map(|((_, b), a)| oom_badness(*b, *a, pages))
                .collect();
            let Some(v) = select_victim(&points) else {
                break; // nothing killable: the kernel would panic; kubesim waits
            };
            for (i, ((c, b), a)) in scratch.iter().zip(&adj).enumerate() {
                fx.oom.push(OomCandidate {
                    time: now,
                    node,
                    scope,
                    container: *c,
                    memory_bytes: *b,
                    oom_score_adj: *a,
                    points: points[i],
                    victim: i == v,
                });
            }
            let victim = scratch[v].0;
            let (pid, ci) = store.container_pod(victim);
            let name = store.pod(pid).pod().spec.container(ci).name.clone();
            fx.events.push(events::system_oom(store, node, &name, now));
            self.oom_kill(store, pid, ci, now, fx);
            killed_any = true;
            // The kill may have stopped more (a pod that ended takes its
            // sidecars with it): weigh what still runs.
            self.accounting
                .node_containers_memory(node, now, &mut scratch);
            total = scratch.iter().map(|(_, b)| *b).fold(0, i64::saturating_add);
        }
        self.oom_scratch = scratch;
        if !killed_any {
            // Not there yet (the check was early, or a piece ended): the
            // next check. After a kill the node is re-solved and re-armed.
            let next = match self
                .accounting
                .node_pods_first_reaching(node, now, threshold)
            {
                Crossing::CheckAt(t) if t > now => Some(t),
                Crossing::CheckAt(_) => Some(SimTime(now.0.saturating_add(1))),
                // Over the limit with nothing killable: wait for a change.
                Crossing::Now | Crossing::Never => None,
            };
            if let Some(at) = next {
                let gen = self.node_timers.arm(node.index(), NodeTimerKind::Memory);
                fx.timers.push((
                    at,
                    KubeletTimer::Node {
                        kind: NodeTimerKind::Memory,
                        node,
                        gen,
                    },
                ));
            }
        }
    }
}
