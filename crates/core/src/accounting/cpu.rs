//! CPU per container: rates from the node's solve, integrals advanced
//! lazily, and the countdown of finite work.
//!
//! A node's tree is rebuilt from its pods on every solve, as kubelet lays
//! it out: `kubepods` → Guaranteed pods directly, `burstable` and
//! `besteffort` groups → pod cgroups → container cgroups (leaves). The
//! Burstable group's weight follows the sum of its pods' cpu requests, the
//! BestEffort group's is the minimum (pkg/kubelet/cm/qos_container_manager_linux.go).

use super::{Accounting, PodCpu};
use crate::api::{ContainerId, NodeId};
use crate::cgroup::{milli_cpu_to_shares, MIN_SHARES};
use crate::kernel::SimTime;
use crate::qos::QosClass;

/// What the books need when a container starts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ContainerStart {
    /// CFS weight of its cgroup.
    pub weight: f64,
    /// Quota cap in cores (`INFINITY`: none).
    pub quota_cores: f64,
    /// Demand at start (cores).
    pub demand_cores: f64,
    /// Finite work (CPU-seconds), if any.
    pub work_cpu_s: Option<f64>,
    /// Its memory profile (index into the kubelet's images).
    pub memory_profile: u32,
}

/// One container's CPU picture.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContainerCpu {
    /// In the node's tree (running).
    pub running: bool,
    /// CFS weight of its cgroup.
    pub weight: f64,
    /// Quota cap in cores (`INFINITY`: none).
    pub quota_cores: f64,
    /// What the process would use now, unconstrained (cores), from its
    /// image's CPU profile.
    pub demand_cores: f64,
    /// Demand on top of the profile that the profile does not overwrite:
    /// the requests it serves (set by the traffic model, cleared when the
    /// container stops).
    pub extra_demand_cores: f64,
    /// What it gets now (cores).
    pub used_cores: f64,
    /// Demand cut by its quota now (cores).
    pub throttled_cores: f64,
    /// Demand within quota it does not get now: contention (cores).
    pub starved_cores: f64,
    /// CPU-seconds used since the container was created.
    pub used_cpu_s: f64,
    /// CPU-seconds throttled.
    pub throttled_cpu_s: f64,
    /// CPU-seconds starved.
    pub starved_cpu_s: f64,
    /// CPU-seconds of finite work left, if the image has finite work.
    pub work_remaining_cpu_s: Option<f64>,
    /// The finish of this run's work has not been computed yet.
    pub work_unscheduled: bool,
}

/// A container that never ran.
pub(super) const IDLE: ContainerCpu = ContainerCpu {
    running: false,
    weight: 0.0,
    quota_cores: 0.0,
    demand_cores: 0.0,
    extra_demand_cores: 0.0,
    used_cores: 0.0,
    throttled_cores: 0.0,
    starved_cores: 0.0,
    used_cpu_s: 0.0,
    throttled_cpu_s: 0.0,
    starved_cpu_s: 0.0,
    work_remaining_cpu_s: None,
    work_unscheduled: false,
};

impl Accounting {
    /// Puts container `id` on its node's books (it started running at
    /// `now`; its memory follows profile `memory_profile`).
    pub(crate) fn start_container(&mut self, id: ContainerId, start: ContainerStart, now: SimTime) {
        let c = &mut self.containers[id.index()];
        debug_assert!(!c.running, "container started twice");
        c.running = true;
        c.weight = start.weight;
        c.quota_cores = start.quota_cores;
        c.demand_cores = start.demand_cores;
        c.work_remaining_cpu_s = start.work_cpu_s;
        c.work_unscheduled = true;
        self.start_memory(id, start.memory_profile, now);
    }

    /// Takes container `id` off the tree (it stopped); integrals stay.
    pub(crate) fn stop_container(&mut self, id: ContainerId) {
        let c = &mut self.containers[id.index()];
        c.running = false;
        c.demand_cores = 0.0;
        c.extra_demand_cores = 0.0;
        c.used_cores = 0.0;
        c.throttled_cores = 0.0;
        c.starved_cores = 0.0;
        self.stop_memory(id);
    }

    /// Sets what container `id` would use (its demand profile moved).
    pub(crate) fn set_demand(&mut self, id: ContainerId, demand_cores: f64) {
        self.containers[id.index()].demand_cores = demand_cores;
    }

    /// Sets container `id`'s demand beyond its profile (served requests).
    pub(crate) fn set_extra_demand(&mut self, id: ContainerId, cores: f64) {
        debug_assert!(cores >= 0.0 && cores.is_finite());
        self.containers[id.index()].extra_demand_cores = cores;
    }

    pub(super) fn pod_containers(p: &PodCpu) -> impl Iterator<Item = ContainerId> + use<> {
        let (first, count) = (p.first.0, p.count);
        (0..count).map(move |i| ContainerId(first + u32::from(i)))
    }

    pub(super) fn accrue(&mut self, nid: NodeId, now: SimTime) {
        let n = &mut self.nodes[nid.index()];
        if now <= n.last_accrual {
            return;
        }
        let dt = (now - n.last_accrual).as_secs_f64();
        n.last_accrual = now;
        n.used_cpu_s += n.used_cores * dt;
        for &pid in &n.pods {
            let Some(p) = &self.pods[pid.index()] else {
                continue;
            };
            for cid in Self::pod_containers(p) {
                let c = &mut self.containers[cid.index()];
                if !c.running {
                    continue;
                }
                c.used_cpu_s += c.used_cores * dt;
                c.throttled_cpu_s += c.throttled_cores * dt;
                c.starved_cpu_s += c.starved_cores * dt;
                if let Some(w) = c.work_remaining_cpu_s.as_mut() {
                    *w = (*w - c.used_cores * dt).max(0.0);
                }
            }
        }
    }

    pub(super) fn solve_node(&mut self, nid: NodeId) {
        let n = &mut self.nodes[nid.index()];
        n.dirty = false;
        build_tree(
            self.config,
            &n.pods,
            &self.pods,
            &self.containers,
            (&mut n.tree, &mut n.leaves),
            None,
        );
        let tree = &mut n.tree;
        tree.solve(n.capacity_cores);
        n.used_cores = tree.alloc(0);
        for &(cid, leaf) in &n.leaves {
            let c = &mut self.containers[cid.index()];
            let used = tree.alloc(leaf);
            let need = tree.need(leaf);
            let rate_changed = used != c.used_cores;
            c.used_cores = used;
            c.throttled_cores = (c.demand_cores + c.extra_demand_cores - c.quota_cores).max(0.0);
            c.starved_cores = (need - used).max(0.0);
            if c.work_remaining_cpu_s.is_some() && (rate_changed || c.work_unscheduled) {
                c.work_unscheduled = false;
                self.work_changed.push(cid);
            }
        }
    }
}

impl Accounting {
    /// What running container `cid` on node `nid` would get if it wanted
    /// every core (within its quota and its pod's limit), every other
    /// container's demand as it is: its allocation when saturated, under
    /// work-conserving CFS. Solved on a scratch tree; the books do not
    /// change.
    pub(crate) fn burst_alloc(&mut self, nid: NodeId, cid: ContainerId) -> f64 {
        let n = &self.nodes[nid.index()];
        let (mut tree, mut leaves) = std::mem::take(&mut self.probe);
        build_tree(
            self.config,
            &n.pods,
            &self.pods,
            &self.containers,
            (&mut tree, &mut leaves),
            Some((cid, n.capacity_cores)),
        );
        tree.solve(n.capacity_cores);
        let alloc = leaves
            .iter()
            .find(|l| l.0 == cid)
            .map_or(0.0, |&(_, leaf)| tree.alloc(leaf));
        self.probe = (tree, leaves);
        alloc
    }
}

/// Lays a node's cgroup tree out as kubelet does (root first, index 0),
/// with container `boost.0`'s demand replaced by `boost.1`.
fn build_tree(
    cfg: crate::cgroup::CgroupConfig,
    node_pods: &[crate::api::PodId],
    pods: &[Option<PodCpu>],
    containers: &[ContainerCpu],
    (tree, leaves): (
        &mut super::CpuTree,
        &mut Vec<(ContainerId, super::CgroupIdx)>,
    ),
    boost: Option<(ContainerId, f64)>,
) {
    tree.clear();
    leaves.clear();
    let inf = f64::INFINITY;
    let root = tree.add(None, 1.0, inf, 0.0);
    let burstable_m: i64 = node_pods
        .iter()
        .filter_map(|p| pods[p.index()].as_ref())
        .filter(|p| p.qos == QosClass::Burstable)
        .map(|p| p.request_m)
        .sum();
    let burstable = tree.add(
        Some(root),
        cfg.pod_weight(milli_cpu_to_shares(burstable_m)),
        inf,
        0.0,
    );
    let besteffort = tree.add(Some(root), cfg.pod_weight(MIN_SHARES), inf, 0.0);
    for &pid in node_pods {
        let Some(p) = &pods[pid.index()] else {
            continue;
        };
        let parent = match p.qos {
            QosClass::Guaranteed => root,
            QosClass::Burstable => burstable,
            QosClass::BestEffort => besteffort,
        };
        let pod_cg = tree.add(Some(parent), cfg.pod_weight(p.shares), p.limit_cores, 0.0);
        for cid in Accounting::pod_containers(p) {
            let c = &containers[cid.index()];
            if c.running {
                let demand = match boost {
                    Some((b, cores)) if b == cid => cores,
                    _ => c.demand_cores + c.extra_demand_cores,
                };
                let leaf = tree.add(Some(pod_cg), c.weight, c.quota_cores, demand);
                leaves.push((cid, leaf));
            }
        }
    }
}
