//! Node accounting: what each node has handed out (requests) and what its
//! containers use (CPU rates and integrals, memory).
//!
//! [`Accounting`] is owned by the kubelet, which tells it when a pod is
//! admitted or released and when a container starts, stops or changes its
//! demand. CPU is fluid: each running container has a rate (cores) from
//! the last solve of its node's cgroup tree ([`CpuTree`]); integrals of
//! used, throttled and starved CPU advance lazily per node. A node whose
//! picture changed is marked dirty and re-solved once per instant in
//! [`Accounting::flush`] — work per node, not per event.
//!
//! Invariant: a node's `requested` is the sum of `PodRequests` of the pods
//! in its `pods` list, which are exactly the bound, unfinished pods of the
//! store on that node ([`Accounting::check_invariants`]).

mod cpu;
mod memory;
mod solver;

pub use cpu::{ContainerCpu, ContainerStart};
pub use memory::Crossing;
pub use solver::{CgroupIdx, CpuTree};

use crate::api::{ContainerId, NodeId, PodId, ResourceList, Store};
use crate::cgroup::CgroupConfig;
use crate::kernel::SimTime;
use crate::kubelet::MemoryProfile;
use crate::qos::QosClass;
use memory::MemTrack;

/// What the CPU solver needs of a pod (its pod-level cgroup).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PodCpu {
    /// QoS class: where the pod's cgroup hangs.
    pub qos: QosClass,
    /// `cpu.shares` of the pod cgroup.
    pub shares: u64,
    /// CPU quota of the pod cgroup, in cores (`INFINITY`: none).
    pub limit_cores: f64,
    /// The pod's cpu request (millicores), for the Burstable group's shares.
    pub request_m: i64,
    /// Its first container.
    pub first: ContainerId,
    /// Its number of containers.
    pub count: u16,
}

/// One node's books.
#[derive(Debug, Clone)]
pub struct NodeAccount {
    capacity_cores: f64,
    /// Pods bound here and not finished, in bind order.
    pods: Vec<PodId>,
    /// Sum of `PodRequests` of those pods; `pods` field = their count.
    requested: ResourceList,
    /// Sum of non-zero cpu/memory requests (scoring).
    nonzero_requested: (i64, i64),
    /// CPU-seconds used on this node since the start.
    used_cpu_s: f64,
    /// Cores in use now.
    used_cores: f64,
    /// Memory used outside pods (`systemUsage.memory`).
    system_memory_bytes: i64,
    last_accrual: SimTime,
    dirty: bool,
    tree: CpuTree,
    leaves: Vec<(ContainerId, CgroupIdx)>,
}

impl NodeAccount {
    /// Pods bound here and not finished, in bind order.
    pub fn pods(&self) -> &[PodId] {
        &self.pods
    }
    /// Sum of `PodRequests` of the pods here (`pods` = their count).
    pub fn requested(&self) -> &ResourceList {
        &self.requested
    }
    /// Sum of non-zero cpu (m) and memory (bytes) requests.
    pub fn nonzero_requested(&self) -> (i64, i64) {
        self.nonzero_requested
    }
    /// CPU-seconds used since the start (up to the last accrual).
    pub fn used_cpu_s(&self) -> f64 {
        self.used_cpu_s
    }
    /// Cores in use now.
    pub fn used_cores(&self) -> f64 {
        self.used_cores
    }
    /// The node's CPU capacity (cores).
    pub fn capacity_cores(&self) -> f64 {
        self.capacity_cores
    }
}

/// The books of every node and container.
#[derive(Debug, Default)]
pub struct Accounting {
    config: CgroupConfig,
    nodes: Vec<NodeAccount>,
    pods: Vec<Option<PodCpu>>,
    containers: Vec<ContainerCpu>,
    memory: Vec<MemTrack>,
    memory_profiles: Vec<MemoryProfile>,
    dirty: Vec<NodeId>,
    /// Nodes re-solved by the last flush.
    flushed: Vec<NodeId>,
    /// Containers with finite work whose rate changed in the last flush.
    work_changed: Vec<ContainerId>,
    /// Scratch tree for [`Accounting::burst_alloc`].
    probe: (CpuTree, Vec<(ContainerId, CgroupIdx)>),
}

impl Accounting {
    /// Empty books with the cluster's cgroup settings.
    pub fn new(config: CgroupConfig) -> Self {
        Accounting {
            config,
            ..Default::default()
        }
    }

    /// Opens the books of node `id` (ids dense, in order).
    pub fn add_node(&mut self, id: NodeId, capacity_milli_cpu: i64, now: SimTime) {
        debug_assert_eq!(id.index(), self.nodes.len());
        self.nodes.push(NodeAccount {
            capacity_cores: capacity_milli_cpu as f64 / 1000.0,
            pods: Vec::new(),
            requested: ResourceList::default(),
            nonzero_requested: (0, 0),
            used_cpu_s: 0.0,
            used_cores: 0.0,
            system_memory_bytes: 0,
            last_accrual: now,
            dirty: false,
            tree: CpuTree::default(),
            leaves: Vec::new(),
        });
    }

    /// Node `id`'s books.
    pub fn node(&self, id: NodeId) -> &NodeAccount {
        &self.nodes[id.index()]
    }
    /// Container `id`'s CPU and memory (all zero for a container whose
    /// pod was never admitted).
    pub fn container(&self, id: ContainerId) -> &ContainerCpu {
        self.containers.get(id.index()).unwrap_or(&cpu::IDLE)
    }
    /// Pod `id`'s pod-level CPU picture, while it is on a node's books.
    pub fn pod_cpu(&self, id: PodId) -> Option<&PodCpu> {
        self.pods.get(id.index())?.as_ref()
    }
    /// Containers on the books (ids `0..containers_len()`).
    pub fn containers_len(&self) -> usize {
        self.containers.len()
    }
    #[allow(dead_code)]
    pub(crate) fn container_mut(&mut self, id: ContainerId) -> &mut ContainerCpu {
        &mut self.containers[id.index()]
    }
    /// Makes room for `pods` pods and `containers` containers.
    pub(crate) fn ensure(&mut self, pods: usize, containers: usize) {
        if self.pods.len() < pods {
            self.pods.resize(pods, None);
        }
        if self.containers.len() < containers {
            self.containers.resize(containers, ContainerCpu::default());
            self.memory.resize(containers, MemTrack::default());
        }
    }

    /// A pod admitted on `node`: its requests count there from now on.
    pub(crate) fn add_pod(&mut self, node: NodeId, pod: PodId, cpu: PodCpu, store: &Store) {
        let entry = store.pod(pod);
        debug_assert!(self.pods[pod.index()].is_none(), "pod admitted twice");
        self.pods[pod.index()] = Some(cpu);
        let n = &mut self.nodes[node.index()];
        debug_assert!(!n.pods.contains(&pod));
        n.pods.push(pod);
        n.requested.add(entry.requests());
        n.requested.pods += 1;
        let (cpu, mem) = entry.nonzero_requests();
        n.nonzero_requested.0 = n.nonzero_requested.0.saturating_add(cpu);
        n.nonzero_requested.1 = n.nonzero_requested.1.saturating_add(mem);
    }

    /// A pod released `node`: its requests no longer count.
    pub(crate) fn remove_pod(&mut self, node: NodeId, pod: PodId, store: &Store) {
        let entry = store.pod(pod);
        let n = &mut self.nodes[node.index()];
        let pos = n.pods.iter().position(|&x| x == pod);
        debug_assert!(pos.is_some(), "releasing pod not on node");
        if let Some(pos) = pos {
            n.pods.remove(pos);
        }
        n.requested.sub(entry.requests());
        n.requested.pods -= 1;
        let (cpu, mem) = entry.nonzero_requests();
        n.nonzero_requested.0 = n.nonzero_requested.0.saturating_sub(cpu);
        n.nonzero_requested.1 = n.nonzero_requested.1.saturating_sub(mem);
    }

    /// Advances `node`'s integrals to `now` and marks it for re-solving.
    pub(crate) fn touch(&mut self, node: NodeId, now: SimTime) {
        self.accrue(node, now);
        let n = &mut self.nodes[node.index()];
        if !n.dirty {
            n.dirty = true;
            self.dirty.push(node);
        }
    }

    /// Whether some node needs its CPU re-divided.
    pub fn has_dirty(&self) -> bool {
        !self.dirty.is_empty()
    }

    /// Re-divides CPU on every node that changed; containers with finite
    /// work whose rate moved are then in [`take_work_changed`](Self::take_work_changed).
    pub(crate) fn flush(&mut self) {
        let mut dirty = std::mem::take(&mut self.dirty);
        self.flushed.clear();
        for nid in dirty.drain(..) {
            self.solve_node(nid);
            self.flushed.push(nid);
        }
        self.dirty = dirty;
    }

    /// The nodes the last [`flush`](Self::flush) re-solved, in order.
    pub(crate) fn flushed(&self) -> &[NodeId] {
        &self.flushed
    }

    /// Containers whose finite work must be rescheduled, in solve order.
    pub(crate) fn take_work_changed(&mut self, out: &mut Vec<ContainerId>) {
        out.append(&mut self.work_changed);
    }

    /// Advances every node's CPU integrals to `now` (before sampling).
    pub fn accrue_all(&mut self, now: SimTime) {
        for i in 0..self.nodes.len() {
            self.accrue(NodeId(i as u32), now);
        }
    }

    /// The books agree with the store: each node lists exactly its bound,
    /// unfinished pods, and its sums are theirs.
    pub fn check_invariants(&self, store: &Store) -> Result<(), String> {
        let mut expected: Vec<Vec<PodId>> = vec![Vec::new(); self.nodes.len()];
        for (pid, p) in store.pods() {
            if let (Some(n), true) = (p.node(), p.is_active_on_node()) {
                expected[n.index()].push(pid);
            }
        }
        for (i, n) in self.nodes.iter().enumerate() {
            let mut have = n.pods.clone();
            have.sort_unstable();
            if have != expected[i] {
                return Err(format!(
                    "node {}: accounting lists pods {:?}, the store {:?}",
                    store.node(NodeId(i as u32)).name(),
                    have,
                    expected[i]
                ));
            }
            let mut sum = ResourceList::default();
            let mut nonzero = (0, 0);
            for &p in &have {
                let e = store.pod(p);
                sum.add(e.requests());
                nonzero.0 = i64::saturating_add(nonzero.0, e.nonzero_requests().0);
                nonzero.1 = i64::saturating_add(nonzero.1, e.nonzero_requests().1);
            }
            sum.pods = have.len() as i64;
            sum.scalar.retain(|(_, v)| *v != 0);
            let mut req = n.requested.clone();
            req.scalar.retain(|(_, v)| *v != 0);
            if req != sum || n.nonzero_requested != nonzero {
                return Err(format!(
                    "node {}: requested {:?} but its pods request {:?}",
                    store.node(NodeId(i as u32)).name(),
                    n.requested,
                    sum
                ));
            }
            if n.used_cores > n.capacity_cores + 1e-9 {
                return Err(format!(
                    "node {}: {} cores used of {}",
                    store.node(NodeId(i as u32)).name(),
                    n.used_cores,
                    n.capacity_cores
                ));
            }
        }
        Ok(())
    }
}
