//! The node model: pods bound to nodes and the kubelet that runs them.
//!
//! [`Cluster`] owns every node and pod of a run. It is driven from outside
//! (the simulation in `kubesim-scheduler`) through a few entry points —
//! [`Cluster::add_node`], [`Cluster::add_pod`], [`Cluster::bind`],
//! [`Cluster::delete_pod`], [`Cluster::handle`] for its own timers, and
//! [`Cluster::flush`] — and answers through an [`Effects`] buffer: timers to
//! schedule, Kubernetes events to record, and notices for controllers.
//!
//! Kubelet behaviour modelled here: init containers run one after another
//! (sidecars keep running), then app containers start together; a container
//! is ready once its image's startup time has passed; finite CPU work ends a
//! container with exit code 0; `restartPolicy: Always` restarts it with
//! kubelet's back-off (immediately, then 10 s doubling to 300 s).
//!
//! CPU accounting is fluid: each running container has a rate (cores) from
//! the node's [`CpuTree`] solve; integrals of used, throttled and starved CPU
//! are advanced lazily per node ([`Cluster::accrue_all`]). A node whose
//! demand or membership changed is marked dirty and re-solved once per
//! instant in [`Cluster::flush`] — work per node, not per event.

use crate::cgroup::{
    container_cgroup, milli_cpu_to_quota, milli_cpu_to_shares, CgroupConfig, ContainerCgroup,
    MIN_SHARES, QUOTA_PERIOD_US,
};
use crate::cpu::{CgroupIdx, CpuTree};
use crate::image::ImageBehavior;
use crate::node::Node;
use crate::pod::{Pod, PodConditionType, PodPhase, RestartPolicy};
use crate::qos::{compute_pod_qos, QosClass};
use crate::resources::{
    pod_limits, pod_nonzero_requests, pod_requests, NodeId, PodId, ResourceList,
};
use crate::time::SimTime;
use std::collections::BTreeMap;

/// First restart back-off after the immediate one (pkg/kubelet/kubelet.go `backOffPeriod`).
pub const BACKOFF_INITIAL: SimTime = SimTime::from_secs(10);
/// Longest restart back-off (`MaxContainerBackOff`).
pub const BACKOFF_MAX: SimTime = SimTime::from_secs(300);
/// A container that ran this long has its back-off reset.
pub const BACKOFF_RESET: SimTime = SimTime::from_secs(600);

/// Timers the node model schedules for itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeEvent {
    /// The container's process is up: it becomes ready.
    ContainerUp {
        pod: PodId,
        container: u16,
        gen: u32,
    },
    /// The container's CPU demand profile moves to its next value.
    DemandChange {
        pod: PodId,
        container: u16,
        gen: u32,
    },
    /// The container's finite CPU work is done; it exits 0.
    WorkDone {
        pod: PodId,
        container: u16,
        gen: u32,
    },
    /// Back-off over: kubelet restarts the container.
    Restart {
        pod: PodId,
        container: u16,
        gen: u32,
    },
}

/// `Normal` or `Warning`, as in `kubectl get events`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    Normal,
    Warning,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Normal => "Normal",
            EventType::Warning => "Warning",
        }
    }
}

/// A Kubernetes event (`kubectl get events`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KubeEvent {
    pub time: SimTime,
    pub kind: EventType,
    pub reason: &'static str,
    /// `pod/NAME`, `node/NAME`, `deployment/NAME`, …
    pub object: String,
    pub message: String,
}

/// What controllers and the scheduler need to hear about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    PodReady(PodId),
    /// The pod stopped holding resources on `node` (finished or deleted).
    PodReleased {
        pod: PodId,
        node: NodeId,
    },
}

/// Output buffer of the node model's entry points. The caller drains it;
/// its vectors are reused, so steady-state operation does not allocate.
#[derive(Debug, Default)]
pub struct Effects {
    pub timers: Vec<(SimTime, NodeEvent)>,
    pub events: Vec<KubeEvent>,
    pub notices: Vec<Notice>,
}

impl Effects {
    fn event(
        &mut self,
        time: SimTime,
        kind: EventType,
        reason: &'static str,
        object: String,
        message: String,
    ) {
        self.events.push(KubeEvent {
            time,
            kind,
            reason,
            object,
            message,
        });
    }
}

/// `v1.ContainerState`, collapsed to its three cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContainerState {
    Waiting,
    Running,
    Terminated,
}

/// A container's runtime status and CPU accounting.
#[derive(Debug, Clone)]
pub struct ContainerStatus {
    pub name: String,
    pub image: String,
    pub image_id: u32,
    pub is_init: bool,
    pub is_sidecar: bool,
    pub cgroup: ContainerCgroup,
    pub state: ContainerState,
    pub ready: bool,
    pub started_at: Option<SimTime>,
    pub restarts: u32,
    /// Current rates, in cores, from the last solve.
    pub demand_cores: f64,
    pub used_cores: f64,
    pub throttled_cores: f64,
    pub starved_cores: f64,
    /// Integrals since the container was created, in CPU-seconds.
    pub used_cpu_s: f64,
    pub throttled_cpu_s: f64,
    pub starved_cpu_s: f64,
    /// Resident memory now.
    pub memory_bytes: i64,
    /// CPU-seconds of finite work left, if the image has finite work.
    pub work_remaining_cpu_s: Option<f64>,
    life_gen: u32,
    /// Generation of the pending WorkDone timer; never reset, so a timer
    /// left over from an earlier run of the container cannot match.
    work_gen: u32,
    /// Whether this run's finish time has been computed at least once.
    work_scheduled: bool,
    /// When the finite work finishes at the current rate (`None`: rate 0).
    work_due: Option<SimTime>,
    /// Time of the one live WorkDone timer in the queue, if any. A new
    /// timer is pushed only when the finish moves *earlier*; when it moves
    /// later, the live timer re-arms itself on firing.
    work_timer_at: Option<SimTime>,
    backoff: SimTime,
}

impl ContainerStatus {
    fn quota_cores(&self) -> f64 {
        self.cgroup.cpu_quota_us.map_or(f64::INFINITY, |q| {
            q as f64 / crate::cgroup::QUOTA_PERIOD_US as f64
        })
    }
}

/// A pod and everything the kubelet and the run know about it.
#[derive(Debug, Clone)]
pub struct PodRuntime {
    pub pod: Pod,
    pub qos: QosClass,
    /// `deployment/NAME` or `pod/NAME`: what created the pod.
    pub workload: String,
    pub node: Option<NodeId>,
    /// Init containers first, then app containers.
    pub containers: Vec<ContainerStatus>,
    pub n_init: usize,
    next_init: usize,
    /// `PodRequests` (for fit and metrics).
    pub requests: ResourceList,
    /// Non-zero cpu (m) and memory (bytes) requests, for scoring.
    pub nonzero_requests: (i64, i64),
    pub created: SimTime,
    pub scheduled: Option<SimTime>,
    pub started: Option<SimTime>,
    pub ready: Option<SimTime>,
    pub finished: Option<SimTime>,
    /// Why the pod ended, when it did (`Completed`, `Deleted`).
    pub reason: String,
    pod_shares: u64,
    pod_limit_cores: f64,
}

impl PodRuntime {
    pub fn name(&self) -> &str {
        &self.pod.metadata.name
    }
    pub fn phase(&self) -> PodPhase {
        self.pod.status.phase
    }
    /// Bound and not yet finished: holds resources on its node.
    pub fn is_active_on_node(&self) -> bool {
        self.node.is_some() && self.finished.is_none()
    }
    pub fn restarts(&self) -> u32 {
        self.containers.iter().map(|c| c.restarts).sum()
    }
    pub fn is_ready(&self) -> bool {
        self.pod.status.condition(PodConditionType::Ready)
    }
    pub fn app_containers(&self) -> &[ContainerStatus] {
        &self.containers[self.n_init..]
    }
}

/// A node and its kubelet's state.
#[derive(Debug, Clone)]
pub struct NodeRuntime {
    pub node: Node,
    /// Pods bound here and not finished, in bind order.
    pub pods: Vec<PodId>,
    /// Sum of `PodRequests` of those pods; `pods` field = their count.
    pub requested: ResourceList,
    /// Sum of non-zero cpu/memory requests (scoring).
    pub nonzero_requested: (i64, i64),
    /// CPU-seconds used on this node since the start.
    pub used_cpu_s: f64,
    /// Cores in use now.
    pub used_cores: f64,
    last_accrual: SimTime,
    dirty: bool,
    tree: CpuTree,
    leaves: Vec<(PodId, u16, CgroupIdx)>,
}

impl NodeRuntime {
    pub fn name(&self) -> &str {
        self.node.name()
    }
    /// Memory in use by running containers now.
    pub fn memory_usage_bytes(&self, pods: &[PodRuntime]) -> i64 {
        self.pods
            .iter()
            .flat_map(|p| pods[p.index()].containers.iter())
            .map(|c| c.memory_bytes)
            .sum()
    }
}

/// Settings of the node model.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClusterConfig {
    pub cgroup: CgroupConfig,
}

/// All nodes and pods of a run, and the kubelet behaviour that drives them.
#[derive(Debug)]
pub struct Cluster {
    pub config: ClusterConfig,
    pub nodes: Vec<NodeRuntime>,
    pub pods: Vec<PodRuntime>,
    images: Vec<ImageBehavior>,
    image_ids: BTreeMap<String, u32>,
    node_ids: BTreeMap<String, NodeId>,
    pod_ids: BTreeMap<String, PodId>,
    dirty: Vec<NodeId>,
    /// Timers made stale since the last [`Cluster::reset_stale_timers`]
    /// (an upper bound), so the caller can compact its queue.
    stale_timers: u64,
}

impl Cluster {
    /// A cluster with the given image behaviours. Containers whose image is
    /// not listed behave as [`ImageBehavior::default`] (idle, up at once).
    pub fn new(
        config: ClusterConfig,
        images: impl IntoIterator<Item = (String, ImageBehavior)>,
    ) -> Self {
        let mut c = Cluster {
            config,
            nodes: Vec::new(),
            pods: Vec::new(),
            images: vec![ImageBehavior::default()],
            image_ids: BTreeMap::new(),
            node_ids: BTreeMap::new(),
            pod_ids: BTreeMap::new(),
            dirty: Vec::new(),
            stale_timers: 0,
        };
        for (name, behavior) in images {
            let id = c.images.len() as u32;
            c.images.push(behavior);
            c.image_ids.insert(name, id);
        }
        c
    }

    pub fn node_id(&self, name: &str) -> Option<NodeId> {
        self.node_ids.get(name).copied()
    }
    pub fn pod_id(&self, name: &str) -> Option<PodId> {
        self.pod_ids.get(name).copied()
    }
    pub fn node(&self, id: NodeId) -> &NodeRuntime {
        &self.nodes[id.index()]
    }
    pub fn pod(&self, id: PodId) -> &PodRuntime {
        &self.pods[id.index()]
    }

    /// Adds a node; its name must be unique (checked by the caller).
    pub fn add_node(&mut self, node: Node, now: SimTime) -> NodeId {
        let id = NodeId(self.nodes.len() as u32);
        self.node_ids.insert(node.name().to_string(), id);
        self.nodes.push(NodeRuntime {
            node,
            pods: Vec::new(),
            requested: ResourceList::default(),
            nonzero_requested: (0, 0),
            used_cpu_s: 0.0,
            used_cores: 0.0,
            last_accrual: now,
            dirty: false,
            tree: CpuTree::default(),
            leaves: Vec::new(),
        });
        id
    }

    /// Adds a pod (API defaulting applied here). Its name must be unique.
    pub fn add_pod(&mut self, mut pod: Pod, workload: String, now: SimTime) -> PodId {
        let id = PodId(self.pods.len() as u32);
        for c in pod
            .spec
            .containers
            .iter_mut()
            .chain(pod.spec.init_containers.iter_mut())
        {
            c.resources.apply_defaults();
        }
        pod.metadata.creation_timestamp = now;
        pod.status.phase = PodPhase::Pending;
        let qos = compute_pod_qos(&pod.spec);
        let requests = pod_requests(&pod.spec);
        let nonzero_requests = pod_nonzero_requests(&pod.spec);
        // ResourceConfigForPod: the pod cgroup gets a CPU quota only when
        // every container declares a CPU limit; its size is PodLimits.
        let all_limited = pod
            .spec
            .containers
            .iter()
            .chain(&pod.spec.init_containers)
            .all(|c| c.resources.cpu_limit_m.is_some_and(|m| m.0 > 0));
        let pod_limit_cores = if all_limited {
            let quota_us = milli_cpu_to_quota(pod_limits(&pod.spec).milli_cpu, QUOTA_PERIOD_US);
            quota_us as f64 / QUOTA_PERIOD_US as f64
        } else {
            f64::INFINITY
        };
        let pod_shares = if qos == QosClass::BestEffort {
            MIN_SHARES
        } else {
            milli_cpu_to_shares(requests.milli_cpu)
        };
        let mut containers =
            Vec::with_capacity(pod.spec.init_containers.len() + pod.spec.containers.len());
        let init = pod.spec.init_containers.iter().map(|c| (c, true));
        for (c, is_init) in init.chain(pod.spec.containers.iter().map(|c| (c, false))) {
            let image_id = self.image_ids.get(&c.image).copied().unwrap_or(0);
            containers.push(ContainerStatus {
                name: c.name.clone(),
                image: c.image.clone(),
                image_id,
                is_init,
                is_sidecar: is_init && c.is_sidecar(),
                // Memory capacity is unknown until bind; recomputed there.
                cgroup: container_cgroup(&pod.spec, qos, c, 0, &self.config.cgroup),
                state: ContainerState::Waiting,
                ready: false,
                started_at: None,
                restarts: 0,
                demand_cores: 0.0,
                used_cores: 0.0,
                throttled_cores: 0.0,
                starved_cores: 0.0,
                used_cpu_s: 0.0,
                throttled_cpu_s: 0.0,
                starved_cpu_s: 0.0,
                memory_bytes: 0,
                work_remaining_cpu_s: None,
                life_gen: 0,
                work_gen: 0,
                work_scheduled: false,
                work_due: None,
                work_timer_at: None,
                backoff: SimTime::ZERO,
            });
        }
        self.pod_ids.insert(pod.metadata.name.clone(), id);
        self.pods.push(PodRuntime {
            n_init: pod.spec.init_containers.len(),
            pod,
            qos,
            workload,
            node: None,
            containers,
            next_init: 0,
            requests,
            nonzero_requests,
            created: now,
            scheduled: None,
            started: None,
            ready: None,
            finished: None,
            reason: String::new(),
            pod_shares,
            pod_limit_cores,
        });
        id
    }

    /// Binds `pod` to `node` (the scheduler's decision) and lets the kubelet
    /// start it.
    pub fn bind(&mut self, pid: PodId, nid: NodeId, now: SimTime, fx: &mut Effects) {
        self.touch(nid, now);
        let mem_cap = self.nodes[nid.index()].node.capacity.memory;
        let cfg = self.config.cgroup;
        let p = &mut self.pods[pid.index()];
        p.node = Some(nid);
        p.scheduled = Some(now);
        p.pod.spec.node_name = Some(self.nodes[nid.index()].node.name().to_string());
        p.pod
            .status
            .set_condition(PodConditionType::PodScheduled, true, now, "");
        p.pod.status.start_time = Some(now);
        let spec = &p.pod.spec;
        for (i, cs) in p.containers.iter_mut().enumerate() {
            let c = if i < p.n_init {
                &spec.init_containers[i]
            } else {
                &spec.containers[i - p.n_init]
            };
            cs.cgroup = container_cgroup(spec, p.qos, c, mem_cap, &cfg);
        }
        let n = &mut self.nodes[nid.index()];
        n.pods.push(pid);
        n.requested.add(&p.requests);
        n.requested.pods += 1;
        n.nonzero_requested.0 += p.nonzero_requests.0;
        n.nonzero_requested.1 += p.nonzero_requests.1;
        self.advance_init(pid, now, fx);
    }

    /// Deletes a pod: its containers stop at once (graceful termination is
    /// not modelled yet) and it releases its node.
    pub fn delete_pod(&mut self, pid: PodId, now: SimTime, fx: &mut Effects) {
        let p = &mut self.pods[pid.index()];
        if p.finished.is_some() || p.pod.metadata.deletion_timestamp.is_some() {
            return;
        }
        p.pod.metadata.deletion_timestamp = Some(now);
        if let Some(nid) = p.node {
            self.touch(nid, now);
            let p = &mut self.pods[pid.index()];
            for c in p
                .containers
                .iter_mut()
                .filter(|c| c.state == ContainerState::Running)
            {
                fx.event(
                    now,
                    EventType::Normal,
                    "Killing",
                    format!("pod/{}", p.pod.metadata.name),
                    format!("Stopping container {}", c.name),
                );
                self.stale_timers += u64::from(stop_container(c));
            }
            // Processes exit 0 on SIGTERM: since Kubernetes 1.27 kubelet then
            // records the deleted pod as Succeeded.
            self.finish_pod(pid, PodPhase::Succeeded, "Deleted", now, fx);
        } else {
            p.finished = Some(now);
            p.reason = "Deleted".into();
        }
    }

    /// Handles one of the node model's own timers.
    pub fn handle(&mut self, now: SimTime, ev: NodeEvent, fx: &mut Effects) {
        // One definition of staleness, shared with queue compaction.
        if self.is_stale(now, &ev) {
            return;
        }
        match ev {
            NodeEvent::ContainerUp { pod, container, .. } => {
                self.on_container_up(pod, container as usize, now, fx)
            }
            NodeEvent::DemandChange {
                pod,
                container,
                gen,
            } => self.on_demand_change(pod, container as usize, gen, now, fx),
            NodeEvent::WorkDone {
                pod,
                container,
                gen,
            } => self.on_work_done(pod, container as usize, gen, now, fx),
            NodeEvent::Restart { pod, container, .. } => {
                self.pods[pod.index()].containers[container as usize].restarts += 1;
                self.start_container(pod, container as usize, now, fx);
            }
        }
    }

    /// How many timers became stale since the last reset (an upper bound).
    pub fn stale_timers(&self) -> u64 {
        self.stale_timers
    }

    /// Call after dropping stale timers from the queue.
    pub fn reset_stale_timers(&mut self) {
        self.stale_timers = 0;
    }

    /// Whether the timer `ev` due at `time` is stale: from an earlier run of
    /// its container, superseded by an earlier WorkDone timer, or a restart
    /// of a pod that finished or is being deleted. Stale timers do nothing.
    pub fn is_stale(&self, time: SimTime, ev: &NodeEvent) -> bool {
        let (pod, container) = match *ev {
            NodeEvent::ContainerUp { pod, container, .. }
            | NodeEvent::DemandChange { pod, container, .. }
            | NodeEvent::WorkDone { pod, container, .. }
            | NodeEvent::Restart { pod, container, .. } => (pod, container),
        };
        let p = &self.pods[pod.index()];
        let c = &p.containers[container as usize];
        match *ev {
            NodeEvent::ContainerUp { gen, .. } | NodeEvent::DemandChange { gen, .. } => {
                c.life_gen != gen || c.state != ContainerState::Running
            }
            NodeEvent::WorkDone { gen, .. } => {
                c.work_gen != gen
                    || c.state != ContainerState::Running
                    || c.work_timer_at != Some(time)
            }
            NodeEvent::Restart { gen, .. } => {
                c.life_gen != gen
                    || c.state != ContainerState::Terminated
                    || p.finished.is_some()
                    || p.pod.metadata.deletion_timestamp.is_some()
            }
        }
    }

    /// Whether some node needs its CPU re-divided.
    pub fn has_dirty(&self) -> bool {
        !self.dirty.is_empty()
    }

    /// Re-divides CPU on every node that changed at `now`, and reschedules
    /// the finish of finite work whose rate moved.
    pub fn flush(&mut self, now: SimTime, fx: &mut Effects) {
        let mut dirty = std::mem::take(&mut self.dirty);
        for nid in dirty.drain(..) {
            self.solve_node(nid, now, fx);
        }
        self.dirty = dirty;
    }

    /// Advances every node's CPU integrals to `now` (before sampling).
    pub fn accrue_all(&mut self, now: SimTime) {
        for i in 0..self.nodes.len() {
            self.accrue(NodeId(i as u32), now);
        }
    }

    fn touch(&mut self, nid: NodeId, now: SimTime) {
        self.accrue(nid, now);
        let n = &mut self.nodes[nid.index()];
        if !n.dirty {
            n.dirty = true;
            self.dirty.push(nid);
        }
    }

    fn accrue(&mut self, nid: NodeId, now: SimTime) {
        let n = &mut self.nodes[nid.index()];
        if now <= n.last_accrual {
            return;
        }
        let dt = (now - n.last_accrual).as_secs_f64();
        n.last_accrual = now;
        n.used_cpu_s += n.used_cores * dt;
        for &pid in &n.pods {
            for c in self.pods[pid.index()].containers.iter_mut() {
                if c.state != ContainerState::Running {
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

    fn solve_node(&mut self, nid: NodeId, now: SimTime, fx: &mut Effects) {
        let cfg = self.config.cgroup;
        let n = &mut self.nodes[nid.index()];
        n.dirty = false;
        let tree = &mut n.tree;
        tree.clear();
        n.leaves.clear();
        let inf = f64::INFINITY;
        let root = tree.add(None, 1.0, inf, 0.0);
        let burstable_m: i64 = n
            .pods
            .iter()
            .map(|p| &self.pods[p.index()])
            .filter(|p| p.qos == QosClass::Burstable)
            .map(|p| p.requests.milli_cpu)
            .sum();
        let burstable = tree.add(
            Some(root),
            cfg.pod_weight(milli_cpu_to_shares(burstable_m)),
            inf,
            0.0,
        );
        let besteffort = tree.add(Some(root), cfg.pod_weight(MIN_SHARES), inf, 0.0);
        for &pid in &n.pods {
            let p = &self.pods[pid.index()];
            let parent = match p.qos {
                QosClass::Guaranteed => root,
                QosClass::Burstable => burstable,
                QosClass::BestEffort => besteffort,
            };
            let pod_cg = tree.add(
                Some(parent),
                cfg.pod_weight(p.pod_shares),
                p.pod_limit_cores,
                0.0,
            );
            for (ci, c) in p.containers.iter().enumerate() {
                if c.state == ContainerState::Running {
                    let w = cfg.container_weight(c.cgroup.cpu_shares);
                    let leaf = tree.add(Some(pod_cg), w, c.quota_cores(), c.demand_cores);
                    n.leaves.push((pid, ci as u16, leaf));
                }
            }
        }
        tree.solve(n.node.capacity.milli_cpu as f64 / 1000.0);
        n.used_cores = tree.alloc(root);
        for &(pid, ci, leaf) in &n.leaves {
            let c = &mut self.pods[pid.index()].containers[ci as usize];
            let used = tree.alloc(leaf);
            let need = tree.need(leaf);
            let rate_changed = used != c.used_cores;
            c.used_cores = used;
            c.throttled_cores = (c.demand_cores - c.quota_cores()).max(0.0);
            c.starved_cores = (need - used).max(0.0);
            if let Some(w) = c.work_remaining_cpu_s {
                if rate_changed || !c.work_scheduled {
                    c.work_scheduled = true;
                    c.work_due = (used > 1e-12)
                        .then(|| now.saturating_add(SimTime::from_secs_f64_ceil(w / used)));
                    if let Some(due) = c.work_due {
                        if c.work_timer_at.is_none_or(|t| due < t) {
                            if c.work_timer_at.is_some() {
                                self.stale_timers += 1;
                            }
                            c.work_timer_at = Some(due);
                            fx.timers.push((
                                due,
                                NodeEvent::WorkDone {
                                    pod: pid,
                                    container: ci,
                                    gen: c.work_gen,
                                },
                            ));
                        }
                    }
                }
            }
        }
    }

    fn start_container(&mut self, pid: PodId, ci: usize, now: SimTime, fx: &mut Effects) {
        let Some(nid) = self.pods[pid.index()].node else {
            return;
        };
        self.touch(nid, now);
        let p = &mut self.pods[pid.index()];
        let c = &mut p.containers[ci];
        let img = &self.images[c.image_id as usize];
        c.state = ContainerState::Running;
        c.ready = false;
        c.started_at = Some(now);
        c.life_gen += 1;
        c.work_gen += 1;
        c.work_scheduled = false;
        c.memory_bytes = img.memory_bytes;
        c.work_remaining_cpu_s = img.cpu_seconds;
        let (demand, next) = img.cpu.at(SimTime::ZERO);
        c.demand_cores = demand;
        let gen = c.life_gen;
        let ev = |f: fn(PodId, u16, u32) -> NodeEvent| f(pid, ci as u16, gen);
        if let Some(next) = next {
            fx.timers.push((
                now + next,
                ev(|pod, container, gen| NodeEvent::DemandChange {
                    pod,
                    container,
                    gen,
                }),
            ));
        }
        fx.timers.push((
            now + img.startup,
            ev(|pod, container, gen| NodeEvent::ContainerUp {
                pod,
                container,
                gen,
            }),
        ));
        let object = format!("pod/{}", p.pod.metadata.name);
        fx.event(
            now,
            EventType::Normal,
            "Pulled",
            object.clone(),
            format!("Container image \"{}\" already present on machine", c.image),
        );
        fx.event(
            now,
            EventType::Normal,
            "Created",
            object.clone(),
            format!("Created container: {}", c.name),
        );
        fx.event(
            now,
            EventType::Normal,
            "Started",
            object,
            format!("Started container {}", c.name),
        );
    }

    /// Starts the next init container, or all app containers once every init
    /// container has completed (sidecars keep running).
    fn advance_init(&mut self, pid: PodId, now: SimTime, fx: &mut Effects) {
        let p = &mut self.pods[pid.index()];
        if p.started.is_some() {
            return;
        }
        if p.next_init < p.n_init {
            let ci = p.next_init;
            p.next_init += 1;
            self.start_container(pid, ci, now, fx);
            return;
        }
        p.pod
            .status
            .set_condition(PodConditionType::Initialized, true, now, "");
        p.pod.status.phase = PodPhase::Running;
        p.started = Some(now);
        for ci in p.n_init..p.containers.len() {
            self.start_container(pid, ci, now, fx);
        }
    }

    fn on_container_up(&mut self, pid: PodId, ci: usize, now: SimTime, fx: &mut Effects) {
        let p = &mut self.pods[pid.index()];
        let node = p.node;
        let c = &mut p.containers[ci];
        c.ready = true;
        if c.is_init {
            // Only the init container the pod is waiting on moves init
            // along; a sidecar coming back after a restart does not.
            let waited_on = p.started.is_none() && ci + 1 == p.next_init;
            if !waited_on {
                if c.is_sidecar {
                    self.update_ready(pid, now, fx);
                }
                return;
            }
            if c.is_sidecar {
                self.advance_init(pid, now, fx);
            } else if c.work_remaining_cpu_s.is_none() {
                // An init container without finite work completes once up.
                self.touch(node.expect("running pods are bound"), now);
                let c = &mut self.pods[pid.index()].containers[ci];
                self.stale_timers += u64::from(stop_container(c));
                self.advance_init(pid, now, fx);
            }
            return;
        }
        self.update_ready(pid, now, fx);
    }

    fn update_ready(&mut self, pid: PodId, now: SimTime, fx: &mut Effects) {
        let p = &mut self.pods[pid.index()];
        let all_ready = p.next_init >= p.n_init
            && p.containers[p.n_init..].iter().all(|c| c.ready)
            && p.containers[..p.n_init]
                .iter()
                .filter(|c| c.is_sidecar)
                .all(|c| c.ready);
        let was_ready = p.is_ready();
        p.pod
            .status
            .set_condition(PodConditionType::ContainersReady, all_ready, now, "");
        p.pod
            .status
            .set_condition(PodConditionType::Ready, all_ready, now, "");
        if all_ready && !was_ready {
            p.ready.get_or_insert(now);
            fx.notices.push(Notice::PodReady(pid));
        }
    }

    fn on_demand_change(
        &mut self,
        pid: PodId,
        ci: usize,
        gen: u32,
        now: SimTime,
        fx: &mut Effects,
    ) {
        let nid = self.pods[pid.index()].node.expect("running pods are bound");
        self.touch(nid, now);
        let c = &mut self.pods[pid.index()].containers[ci];
        let offset = now - c.started_at.expect("running containers have started");
        let (demand, next) = self.images[c.image_id as usize].cpu.at(offset);
        c.demand_cores = demand;
        if let Some(next) = next {
            let started = c.started_at.unwrap_or(now);
            fx.timers.push((
                started + next,
                NodeEvent::DemandChange {
                    pod: pid,
                    container: ci as u16,
                    gen,
                },
            ));
        }
    }

    fn on_work_done(&mut self, pid: PodId, ci: usize, gen: u32, now: SimTime, fx: &mut Effects) {
        let p = &mut self.pods[pid.index()];
        let c = &mut p.containers[ci];
        c.work_timer_at = None;
        match c.work_due {
            Some(due) if due <= now => {}
            Some(due) => {
                // The finish moved later since this timer was set: re-arm.
                c.work_timer_at = Some(due);
                fx.timers.push((
                    due,
                    NodeEvent::WorkDone {
                        pod: pid,
                        container: ci as u16,
                        gen,
                    },
                ));
                return;
            }
            // Rate 0 now; the next solve that gives it CPU re-arms.
            None => return,
        }
        let p = &self.pods[pid.index()];
        let nid = p.node.expect("running pods are bound");
        self.touch(nid, now);
        let p = &mut self.pods[pid.index()];
        let c = &mut p.containers[ci];
        let ran = now - c.started_at.unwrap_or(now);
        self.stale_timers += u64::from(stop_container(c));
        if c.is_init && !c.is_sidecar {
            self.advance_init(pid, now, fx);
            return;
        }
        let object = format!("pod/{}", p.pod.metadata.name);
        if p.pod.spec.restart_policy == RestartPolicy::Always || c.is_sidecar {
            if ran >= BACKOFF_RESET {
                c.backoff = SimTime::ZERO;
            }
            let delay = c.backoff;
            c.backoff = if delay == SimTime::ZERO {
                BACKOFF_INITIAL
            } else {
                SimTime(delay.0.saturating_mul(2)).min(BACKOFF_MAX)
            };
            if delay > SimTime::ZERO {
                fx.event(
                    now,
                    EventType::Warning,
                    "BackOff",
                    object,
                    format!(
                        "Back-off restarting failed container {} in pod {}",
                        c.name, p.pod.metadata.name
                    ),
                );
            }
            let gen = c.life_gen;
            fx.timers.push((
                now + delay,
                NodeEvent::Restart {
                    pod: pid,
                    container: ci as u16,
                    gen,
                },
            ));
            self.update_ready(pid, now, fx);
            return;
        }
        // OnFailure or Never with exit 0: the container stays completed.
        if p.containers[p.n_init..]
            .iter()
            .all(|c| c.state == ContainerState::Terminated)
        {
            for c in p
                .containers
                .iter_mut()
                .filter(|c| c.state == ContainerState::Running)
            {
                self.stale_timers += u64::from(stop_container(c));
            }
            self.finish_pod(pid, PodPhase::Succeeded, "Completed", now, fx);
        } else {
            self.update_ready(pid, now, fx);
        }
    }

    fn finish_pod(
        &mut self,
        pid: PodId,
        phase: PodPhase,
        reason: &str,
        now: SimTime,
        fx: &mut Effects,
    ) {
        let p = &mut self.pods[pid.index()];
        p.pod.status.phase = phase;
        p.finished = Some(now);
        p.reason = reason.to_string();
        p.pod.status.reason = reason.to_string();
        p.pod.status.set_condition(
            PodConditionType::ContainersReady,
            false,
            now,
            "PodCompleted",
        );
        p.pod
            .status
            .set_condition(PodConditionType::Ready, false, now, "PodCompleted");
        let Some(nid) = p.node else {
            return;
        };
        let n = &mut self.nodes[nid.index()];
        if let Some(pos) = n.pods.iter().position(|&x| x == pid) {
            n.pods.remove(pos);
        }
        n.requested.sub(&p.requests);
        n.requested.pods -= 1;
        n.nonzero_requested.0 -= p.nonzero_requests.0;
        n.nonzero_requested.1 -= p.nonzero_requests.1;
        fx.notices.push(Notice::PodReleased {
            pod: pid,
            node: nid,
        });
    }
}

/// Stops a container; returns whether it left a live timer in the queue
/// (which is now stale).
fn stop_container(c: &mut ContainerStatus) -> bool {
    let left_timer = c.work_timer_at.take().is_some();
    c.work_due = None;
    c.state = ContainerState::Terminated;
    c.ready = false;
    c.life_gen += 1;
    c.work_gen += 1;
    c.demand_cores = 0.0;
    c.used_cores = 0.0;
    c.throttled_cores = 0.0;
    c.starved_cores = 0.0;
    c.memory_bytes = 0;
    left_timer
}
