//! The scheduler's cache (pkg/scheduler/backend/cache): one [`NodeInfo`]
//! per node with what the pods bound there request, kept by the scheduler
//! itself as kube-scheduler keeps its own copy of cluster state.
//!
//! The kubelet's books ([`kubesim_core::Accounting`]) keep the same sums
//! independently; [`Cache::check_invariants`] checks the two agree, and
//! that each `NodeInfo` matches its node object.

use super::framework::{NodeInfo, PodInfo};
use kubesim_core::{Accounting, NodeId, ResourceList, Store};

/// Every node as the scheduler sees it.
#[derive(Debug, Default, Clone)]
pub struct Cache {
    /// By node id, deleted nodes included.
    pub(super) nodes: Vec<NodeInfo>,
    /// The scheduler's node list (the snapshot's `nodeInfoList`): the
    /// ids of the nodes that exist, in the order they joined.
    pub(super) order: Vec<NodeId>,
}

impl Cache {
    /// Adds a node (ids dense, in order).
    pub fn add_node(&mut self, info: NodeInfo) {
        debug_assert_eq!(info.id.index(), self.nodes.len(), "node ids out of order");
        self.order.push(info.id);
        self.nodes.push(info);
    }
    /// A node was deleted: it leaves the node list.
    pub fn remove_node(&mut self, id: NodeId) {
        self.order.retain(|&n| n != id);
    }
    /// The ids of the nodes that exist, in list order.
    pub fn live(&self) -> &[NodeId] {
        &self.order
    }
    /// Node `id`.
    pub fn node(&self, id: NodeId) -> &NodeInfo {
        &self.nodes[id.index()]
    }
    /// Every node.
    pub fn nodes(&self) -> &[NodeInfo] {
        &self.nodes
    }
    /// Accounts for a pod bound to `node` (`AssumePod`, then confirmed).
    pub fn assume(&mut self, pod: &PodInfo<'_>, node: NodeId) {
        self.nodes[node.index()].add_pod(pod);
    }
    /// Forgets a pod that left `node` (`RemovePod`).
    pub fn forget(&mut self, pod: &PodInfo<'_>, node: NodeId) {
        let n = &mut self.nodes[node.index()];
        debug_assert!(n.pod_count > 0, "forgetting a pod on empty node {}", n.name);
        n.remove_pod(pod);
    }

    /// The cache agrees with the kubelet's books and the node objects.
    pub fn check_invariants(&self, store: &Store, books: &Accounting) -> Result<(), String> {
        if self.nodes.len() != store.node_count() {
            return Err(format!(
                "scheduler cache has {} nodes, the store {}",
                self.nodes.len(),
                store.node_count()
            ));
        }
        let live: Vec<NodeId> = store
            .nodes()
            .filter(|(_, n)| !n.is_deleted())
            .map(|(id, _)| id)
            .collect();
        if live != self.order {
            return Err("the scheduler's node list differs from the live nodes".into());
        }
        for info in &self.nodes {
            let node = store.node(info.id);
            if info.name != node.name()
                || info.allocatable != node.allocatable
                || info.taints != node.taints
                || info.unschedulable != node.unschedulable
            {
                return Err(format!("cache entry of node {} is stale", node.name()));
            }
            let b = books.node(info.id);
            let strip = |r: &ResourceList| {
                let mut r = r.clone();
                r.scalar.retain(|(_, v)| *v != 0);
                r.pods = 0;
                r
            };
            if strip(&info.requested) != strip(b.requested())
                || info.pod_count != b.requested().pods
                || info.nonzero_requested != b.nonzero_requested()
            {
                return Err(format!(
                    "node {}: scheduler cache requests {:?} ({} pods, nonzero {:?}), kubelet books {:?} (nonzero {:?})",
                    node.name(),
                    info.requested,
                    info.pod_count,
                    info.nonzero_requested,
                    b.requested(),
                    b.nonzero_requested()
                ));
            }
        }
        Ok(())
    }
}
