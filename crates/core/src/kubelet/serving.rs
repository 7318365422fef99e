//! What kubelet lets the request-traffic model see and set: whether a
//! container's process is up (it answers `startup` after its container
//! started — the same instant the readiness of a probe-less container
//! ignores), which image it runs, and the CPU demand of the requests it
//! serves on top of its image's profile.
//!
//! Invariant: the traffic model never writes kubelet state other than a
//! running container's extra demand, and only through
//! [`Kubelet::set_extra_demand`], which marks the node for re-solving.

use super::{ImageBehavior, Kubelet};
use crate::api::{ContainerId, NodeId, PodId, Store};
use crate::kernel::SimTime;

impl Kubelet {
    /// The image behaviour of container `cid` (`None` before its pod was
    /// admitted on a node).
    pub fn container_image(&self, cid: ContainerId) -> Option<&ImageBehavior> {
        let rt = self.containers.get(cid.index())?;
        self.images.get(rt.image_id as usize)
    }

    /// When the process of container `ci` of pod `pid` answers (its start
    /// plus its image's `startup`), if the container runs now.
    pub fn process_up_at(&self, store: &Store, pid: PodId, ci: usize) -> Option<SimTime> {
        let p = store.pod(pid);
        let cid = p.container_id(ci);
        if !self.accounting.container(cid).running {
            return None;
        }
        let started = p.pod().status.container_statuses.get(ci)?.started_at?;
        Some(started.saturating_add(self.container_image(cid)?.startup))
    }

    /// Sets the CPU demand of the requests running container `cid` of pod
    /// `pid` serves (cores, on top of its image's profile); the node is
    /// re-solved before time moves on. A container not running is left
    /// alone (its extra demand is cleared when it stops).
    pub fn set_extra_demand(
        &mut self,
        store: &Store,
        pid: PodId,
        cid: ContainerId,
        cores: f64,
        now: SimTime,
    ) {
        debug_assert!(cores >= 0.0 && cores.is_finite(), "extra demand {cores}");
        let Some(node) = store.pod(pid).node() else {
            return;
        };
        if !self.accounting.container(cid).running {
            return;
        }
        self.accounting.touch(node, now);
        self.accounting.set_extra_demand(cid, cores);
    }

    /// The CPU (cores) running container `cid` of pod `pid` would get if
    /// it were saturated — everything it asks for, within its quota and
    /// its pod's limit, against the other containers' current demands
    /// (work-conserving CFS on the node's cgroup tree). 0 when it does
    /// not run. Changes nothing.
    pub fn burst_capacity(&mut self, store: &Store, pid: PodId, cid: ContainerId) -> f64 {
        let Some(node) = store.pod(pid).node() else {
            return 0.0;
        };
        if !self.accounting.container(cid).running || self.node_crashed(node) {
            return 0.0;
        }
        self.accounting.burst_alloc(node, cid)
    }

    /// The nodes the last [`flush`](Kubelet::flush) re-solved.
    pub fn flushed_nodes(&self) -> &[NodeId] {
        self.accounting.flushed()
    }
}
