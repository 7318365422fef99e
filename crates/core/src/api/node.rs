//! Nodes: capacity, reservations, allocatable, labels, taints.
//!
//! Allocatable is capacity minus system and kube reservations (and the hard
//! eviction threshold), as kubelet reports it
//! (pkg/kubelet/cm/node_container_manager_linux.go `GetNodeAllocatableAbsolute`).

use crate::api::meta::ObjectMeta;
use crate::api::resources::ResourceList;
use crate::api::taint::Taint;
use crate::kernel::SimTime;

/// An eviction signal kubelet watches. kubesim models memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EvictionSignal {
    /// `memory.available`: capacity minus the working set.
    MemoryAvailable,
}

impl EvictionSignal {
    /// As kubelet spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            EvictionSignal::MemoryAvailable => "memory.available",
        }
    }
}

/// A threshold's value: bytes, or a percentage of capacity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ThresholdValue {
    /// An absolute quantity.
    Bytes(i64),
    /// A share of capacity, 0..=100.
    Percent(f64),
}

impl ThresholdValue {
    /// The threshold in bytes on a node with `capacity` bytes.
    pub fn bytes(self, capacity: i64) -> i64 {
        match self {
            ThresholdValue::Bytes(b) => b,
            // `GetThresholdQuantity` truncates (int64 conversion).
            ThresholdValue::Percent(p) => (capacity as f64 * (p / 100.0)) as i64,
        }
    }
}

/// One eviction threshold (`evictionHard` / `evictionSoft` entry).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EvictionThreshold {
    /// The signal.
    pub signal: EvictionSignal,
    /// Evict when the signal is below this.
    pub value: ThresholdValue,
    /// For soft thresholds: how long it must hold first.
    pub grace_period: Option<SimTime>,
}

/// `kubelet.config.k8s.io/v1beta1.KubeletConfiguration`, the fields
/// kubesim models, with kubelet's defaults
/// (pkg/kubelet/apis/config/v1beta1/defaults.go).
#[derive(Debug, Clone, PartialEq)]
pub struct KubeletConfiguration {
    /// `evictionHard` (default `memory.available<100Mi`; empty disables).
    pub eviction_hard: Vec<EvictionThreshold>,
    /// `evictionSoft`, each with its `evictionSoftGracePeriod`.
    pub eviction_soft: Vec<EvictionThreshold>,
    /// `evictionPressureTransitionPeriod` (default 5m).
    pub eviction_pressure_transition_period: SimTime,
    /// `evictionMaxPodGracePeriod` (seconds; 0: the pod's own).
    pub eviction_max_pod_grace_period_s: i64,
    /// `housekeepingInterval`: how often the eviction manager checks
    /// (default 10s).
    pub housekeeping_interval: SimTime,
    /// `serializeImagePulls` (default true).
    pub serialize_image_pulls: bool,
    /// `maxParallelImagePulls` (default none: unlimited when parallel).
    pub max_parallel_image_pulls: Option<u32>,
}

/// kubelet's default hard eviction threshold for memory.
pub const DEFAULT_EVICTION_HARD_MEMORY_BYTES: i64 = 100 * 1024 * 1024;

impl Default for KubeletConfiguration {
    fn default() -> Self {
        KubeletConfiguration {
            eviction_hard: vec![EvictionThreshold {
                signal: EvictionSignal::MemoryAvailable,
                value: ThresholdValue::Bytes(DEFAULT_EVICTION_HARD_MEMORY_BYTES),
                grace_period: None,
            }],
            eviction_soft: Vec::new(),
            eviction_pressure_transition_period: SimTime::from_secs(300),
            eviction_max_pod_grace_period_s: 0,
            housekeeping_interval: SimTime::from_secs(10),
            serialize_image_pulls: true,
            max_parallel_image_pulls: None,
        }
    }
}

impl KubeletConfiguration {
    /// How many image pulls the node runs at once.
    pub fn parallel_pulls(&self) -> u32 {
        if self.serialize_image_pulls {
            1
        } else {
            self.max_parallel_image_pulls.unwrap_or(u32::MAX).max(1)
        }
    }
}

/// `v1.Node`, the parts kubesim models.
#[derive(Debug, Clone, PartialEq, Default)]
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
    /// The configuration of the node's kubelet.
    pub kubelet: KubeletConfiguration,
    /// `status.conditions[MemoryPressure]`.
    pub memory_pressure: bool,
    /// `status.conditions[Ready]`: kubelet posts `True`; the node
    /// lifecycle controller writes `Unknown` when the lease goes stale.
    pub ready: ConditionStatus,
    /// The node's Lease in `kube-node-lease`, as kubelet renews it.
    pub lease: NodeLease,
}

/// `v1.ConditionStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ConditionStatus {
    /// `True`.
    #[default]
    True,
    /// `False`.
    False,
    /// `Unknown`: nobody has reported it lately.
    Unknown,
}

impl ConditionStatus {
    /// The API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ConditionStatus::True => "True",
            ConditionStatus::False => "False",
            ConditionStatus::Unknown => "Unknown",
        }
    }
}

/// kubelet renews its Lease every `renewInterval` = 0.25 × the 40 s lease
/// duration (pkg/kubelet/kubelet.go `nodeLeaseRenewIntervalFraction`).
pub const NODE_LEASE_RENEW_INTERVAL: SimTime = SimTime::from_secs(10);

/// A node's `coordination.k8s.io/v1` Lease, held as the pattern of its
/// renewals rather than one write per renewal: kubelet renews it every
/// [`NODE_LEASE_RENEW_INTERVAL`] from `renewing_since` until it stops
/// (the node crashed or lost the network). Readers ask for
/// [`renew_time`](Self::renew_time) at a given instant, which is what
/// a `Get` of the Lease would return then.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NodeLease {
    /// When the current run of renewals began (kubelet start or return).
    pub renewing_since: SimTime,
    /// When renewals stopped (`None`: still renewing).
    pub stopped_at: Option<SimTime>,
}

impl NodeLease {
    /// `spec.renewTime` as seen at `now`: the last renewal at or before
    /// `now` (renewals at `renewing_since + k × interval`, none after
    /// `stopped_at`).
    pub fn renew_time(&self, now: SimTime) -> SimTime {
        let until = self.stopped_at.map_or(now, |s| s.min(now));
        if until < self.renewing_since {
            return self.renewing_since;
        }
        let i = NODE_LEASE_RENEW_INTERVAL.0;
        let k = (until.0 - self.renewing_since.0) / i;
        SimTime(self.renewing_since.0 + k * i)
    }
    /// Whether kubelet is renewing it.
    pub fn is_renewing(&self) -> bool {
        self.stopped_at.is_none()
    }
}

impl Node {
    /// Builds a node with kubelet's default configuration and derives
    /// allocatable (see [`Node::allocatable_of`]).
    pub fn new(metadata: ObjectMeta, capacity: ResourceList, reserved: ResourceList) -> Node {
        Node::with_kubelet(
            metadata,
            capacity,
            reserved,
            KubeletConfiguration::default(),
        )
    }

    /// Builds a node whose kubelet runs with `kubelet`.
    pub fn with_kubelet(
        metadata: ObjectMeta,
        capacity: ResourceList,
        reserved: ResourceList,
        kubelet: KubeletConfiguration,
    ) -> Node {
        let allocatable = Node::allocatable_of(&capacity, &reserved, &kubelet);
        Node {
            metadata,
            unschedulable: false,
            taints: Vec::new(),
            capacity,
            reserved,
            allocatable,
            system_memory_bytes: 0,
            kubelet,
            memory_pressure: false,
            ready: ConditionStatus::True,
            lease: NodeLease::default(),
        }
    }

    /// What kubelet reports as allocatable
    /// (`GetNodeAllocatableAbsolute`, pkg/kubelet/cm/node_container_manager_linux.go):
    /// capacity minus system- and kube-reserved, and for memory minus the
    /// hard eviction threshold of `memory.available`; never below zero.
    pub fn allocatable_of(
        capacity: &ResourceList,
        reserved: &ResourceList,
        kubelet: &KubeletConfiguration,
    ) -> ResourceList {
        let mut allocatable = capacity.clone();
        allocatable.sub(reserved);
        let hard_memory = kubelet
            .eviction_hard
            .iter()
            .filter(|t| t.signal == EvictionSignal::MemoryAvailable)
            .map(|t| t.value.bytes(capacity.memory))
            .max()
            .unwrap_or(0);
        allocatable.memory = allocatable.memory.saturating_sub(hard_memory);
        allocatable.milli_cpu = allocatable.milli_cpu.max(0);
        allocatable.memory = allocatable.memory.max(0);
        allocatable.pods = allocatable.pods.max(0);
        for (_, v) in &mut allocatable.scalar {
            *v = (*v).max(0);
        }
        allocatable
    }
    /// `metadata.name`.
    pub fn name(&self) -> &str {
        &self.metadata.name
    }
    /// Whether the node object was deleted.
    pub fn is_deleted(&self) -> bool {
        self.metadata.deletion_timestamp.is_some()
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
        let n = Node::new(ObjectMeta::named("n"), cap.clone(), res.clone());
        assert_eq!(n.allocatable.milli_cpu, 15500);
        // Minus the default hard eviction threshold, memory.available<100Mi.
        assert_eq!(n.allocatable.memory, (63 << 30) - (100 << 20));
        assert_eq!(n.allocatable.pods, 110);
        assert_eq!(n.allocatable.scalar("nvidia.com/gpu"), 4);
        // `evictionHard: {}` disables it; a percentage is of capacity.
        let none = KubeletConfiguration {
            eviction_hard: Vec::new(),
            ..Default::default()
        };
        let n = Node::with_kubelet(ObjectMeta::named("n"), cap.clone(), res.clone(), none);
        assert_eq!(n.allocatable.memory, 63 << 30);
        let pct = KubeletConfiguration {
            eviction_hard: vec![EvictionThreshold {
                signal: EvictionSignal::MemoryAvailable,
                value: ThresholdValue::Percent(5.0),
                grace_period: None,
            }],
            ..Default::default()
        };
        let n = Node::with_kubelet(ObjectMeta::named("n"), cap, res, pct);
        assert_eq!(n.allocatable.memory, (63 << 30) - (64 << 30) / 20);
    }
}
