//! Nodes: capacity, reservations, allocatable, labels, taints.
//!
//! Allocatable is capacity minus system and kube reservations (and the hard
//! eviction threshold), as kubelet reports it
//! (pkg/kubelet/cm/node_container_manager_linux.go `GetNodeAllocatableAbsolute`).

use crate::api::meta::ObjectMeta;
use crate::api::resources::ResourceList;
use crate::api::taint::Taint;

/// `v1.Node`, the parts kubesim models.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Node {
    /// `metadata` (cluster-scoped: no namespace).
    pub metadata: ObjectMeta,
    /// `spec.unschedulable` (cordoned).
    pub unschedulable: bool,
    /// `spec.taints`.
    pub taints: Vec<Taint>,
    /// `status.capacity`.
    pub capacity: ResourceList,
    /// System-reserved plus kube-reserved plus eviction thresholds.
    pub reserved: ResourceList,
    /// Capacity minus reserved, never below zero.
    pub allocatable: ResourceList,
    /// Memory the OS and system daemons use outside pods
    /// (`systemUsage.memory`); counts toward the node's memory in use.
    pub system_memory_bytes: i64,
}

impl Node {
    /// Builds a node and derives `allocatable = capacity - reserved`.
    pub fn new(metadata: ObjectMeta, capacity: ResourceList, reserved: ResourceList) -> Node {
        let mut allocatable = capacity.clone();
        allocatable.sub(&reserved);
        allocatable.milli_cpu = allocatable.milli_cpu.max(0);
        allocatable.memory = allocatable.memory.max(0);
        allocatable.pods = allocatable.pods.max(0);
        for (_, v) in &mut allocatable.scalar {
            *v = (*v).max(0);
        }
        Node {
            metadata,
            unschedulable: false,
            taints: Vec::new(),
            capacity,
            reserved,
            allocatable,
            system_memory_bytes: 0,
        }
    }
    /// `metadata.name`.
    pub fn name(&self) -> &str {
        &self.metadata.name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocatable_is_capacity_minus_reserved() {
        let cap = ResourceList {
            milli_cpu: 16000,
            memory: 64 << 30,
            pods: 110,
            scalar: vec![("nvidia.com/gpu".into(), 4)],
        };
        let res = ResourceList {
            milli_cpu: 500,
            memory: 1 << 30,
            ..Default::default()
        };
        let n = Node::new(ObjectMeta::named("n"), cap, res);
        assert_eq!(n.allocatable.milli_cpu, 15500);
        assert_eq!(n.allocatable.memory, 63 << 30);
        assert_eq!(n.allocatable.pods, 110);
        assert_eq!(n.allocatable.scalar("nvidia.com/gpu"), 4);
    }
}
