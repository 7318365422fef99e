//! kubelet: what happens to a pod on its node, from binding to the end.
//!
//! [`Kubelet`] runs the pods of every node. It hears about pods through
//! store [`Notice`]s (a pod bound to a node, a pod being deleted), fires
//! its own timers ([`KubeletTimer`]), and answers through the [`Store`]'s
//! status writes and an [`Effects`] buffer (timers to schedule, Kubernetes
//! events to record). It owns node [`Accounting`] and tells it when
//! containers start, stop or change what they want.
//!
//! One file per behaviour:
//! - `lifecycle`: admission, init containers and sidecars, start, stop,
//!   readiness, the end of a pod, deletion;
//! - `restart`: restart policy and crash-loop back-off;
//! - `work`: CPU demand profiles and finite work;
//! - `image`: how a container of an image behaves (scenario input);
//! - `events`: the wording of kubelet's events.
//!
//! - `memory`: memory limits and the kernel OOM killer;
//! - `probes`: startup, liveness and readiness probes;
//! - `pull`: image pulls, the node's puller and the registry;
//! - `eviction`: the eviction manager under memory pressure;
//! - `termination`: graceful termination of deleted pods;
//! - `node_state`: a node crashing or cut off, and coming back.
//!
//! Invariant: only the kubelet writes pod status after binding, and only
//! through [`Store`] methods; a timer is current only while its slot in
//! the one [`TimerTable`] says so.

mod events;
mod eviction;
mod image;
mod lifecycle;
mod memory;
mod node_state;
pub mod probes;
mod pull;
mod restart;
mod serving;
mod termination;
mod work;

pub use eviction::{rank_memory_pressure, EvictionCandidate, IMMEDIATE_EVICTION_GRACE_PERIOD_S};
pub use image::{
    CpuProfile, ExitBehavior, ImageBehavior, Interpolation, MemoryPiece, MemoryProfile,
    MemoryShape, Serve, StartupBurst, DEFAULT_PROFILE_RESOLUTION,
};
pub use node_state::NodeDownMode;
pub use probes::{Health, ProbeKind};
pub use restart::{BACKOFF_INITIAL, BACKOFF_MAX, BACKOFF_RESET};

use crate::accounting::Accounting;
use crate::api::{ContainerId, ContainerState, KubeEvent, NodeId, Notice, PodPhase, Store};
use crate::cgroup::{CgroupConfig, ContainerCgroup};
use crate::kernel::{Gen, SimTime, TimerKind, TimerTable};
use std::collections::BTreeMap;

/// Settings of the node model that are the same on every node.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KubeletConfig {
    /// cgroup version and weight conversion of every node.
    pub cgroup: CgroupConfig,
    /// The image registry's limit on concurrent pulls
    /// (`cluster.registry.maxConcurrentPulls`; `None`: no limit).
    pub registry_max_concurrent_pulls: Option<u32>,
}

/// The kinds of timer kubelet sets per container, one slot each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KubeletTimerKind {
    /// The container's process is up: it becomes ready.
    ContainerUp,
    /// The container's CPU demand profile moves to its next value.
    DemandChange,
    /// The container's finite CPU work is done; it exits 0.
    WorkDone,
    /// Back-off over: restart the container.
    Restart,
    /// The container's memory reaches its limit: the cgroup OOM-kills it.
    MemoryLimit,
    /// The container's process exits on its own (`images.<i>.exit`).
    Exit,
    /// A container being stopped stops (it exited after SIGTERM, or
    /// SIGKILL came at the end of the grace period).
    Stop,
    /// The startup probe's next transition.
    StartupProbe,
    /// The liveness probe's next transition.
    LivenessProbe,
    /// The readiness probe's next transition.
    ReadinessProbe,
}

impl KubeletTimerKind {
    /// Every kind, in slot order.
    pub const ALL: [KubeletTimerKind; 10] = [
        KubeletTimerKind::ContainerUp,
        KubeletTimerKind::DemandChange,
        KubeletTimerKind::WorkDone,
        KubeletTimerKind::Restart,
        KubeletTimerKind::MemoryLimit,
        KubeletTimerKind::Exit,
        KubeletTimerKind::Stop,
        KubeletTimerKind::StartupProbe,
        KubeletTimerKind::LivenessProbe,
        KubeletTimerKind::ReadinessProbe,
    ];
}

impl TimerKind for KubeletTimerKind {
    const COUNT: usize = KubeletTimerKind::ALL.len();
    fn index(self) -> usize {
        self as usize
    }
}

/// The kinds of timer kubelet sets per node, one slot each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeTimerKind {
    /// Check the node's memory against kubepods' and the node's limits.
    Memory,
    /// The eviction manager's next check.
    Eviction,
}

impl TimerKind for NodeTimerKind {
    const COUNT: usize = 2;
    fn index(self) -> usize {
        self as usize
    }
}

/// A kubelet timer as it sits in the event queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KubeletTimer {
    /// A container's timer.
    Container {
        /// What it is for.
        kind: KubeletTimerKind,
        /// The container.
        container: ContainerId,
        /// Its generation (see [`TimerTable`]).
        gen: Gen,
    },
    /// An image pull finished.
    Pull {
        /// The pull's slot.
        pull: u32,
    },
    /// A node's timer.
    Node {
        /// What it is for.
        kind: NodeTimerKind,
        /// The node.
        node: NodeId,
        /// Its generation.
        gen: Gen,
    },
}

impl KubeletTimer {
    /// The kind of a container timer.
    pub fn container_kind(&self) -> Option<KubeletTimerKind> {
        match self {
            KubeletTimer::Container { kind, .. } => Some(*kind),
            KubeletTimer::Node { .. } | KubeletTimer::Pull { .. } => None,
        }
    }
}

/// Which memory limit an OOM kill enforced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OomScope {
    /// The container's own cgroup limit.
    Container,
    /// kubelet's `kubepods` cgroup (capacity − reserved).
    Kubepods,
    /// The whole node's RAM.
    Node,
}

impl OomScope {
    /// `container`, `kubepods` or `node`.
    pub fn as_str(self) -> &'static str {
        match self {
            OomScope::Container => "container",
            OomScope::Kubepods => "kubepods",
            OomScope::Node => "node",
        }
    }
}

/// One candidate of one OOM kill, as the kernel weighed it (a row of
/// `oom.csv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OomCandidate {
    /// When.
    pub time: SimTime,
    /// On which node.
    pub node: NodeId,
    /// Which limit ran out.
    pub scope: OomScope,
    /// The candidate container.
    pub container: ContainerId,
    /// Its resident memory.
    pub memory_bytes: i64,
    /// Its `oom_score_adj`.
    pub oom_score_adj: i64,
    /// `oom_badness` points (`None`: unkillable, -1000).
    pub points: Option<i64>,
    /// Whether it was chosen.
    pub victim: bool,
}

/// What kubelet asks of the rest of the simulation. The caller drains it;
/// its vectors are reused, so steady-state operation does not allocate.
#[derive(Debug, Default)]
pub struct Effects {
    /// Timers to push on the event queue.
    pub timers: Vec<(SimTime, KubeletTimer)>,
    /// Kubernetes events, in order.
    pub events: Vec<KubeEvent>,
    /// Candidates of OOM kills, in order.
    pub oom: Vec<OomCandidate>,
    /// Pods ranked by the eviction manager, in order.
    pub evictions: Vec<EvictionCandidate>,
}

/// What kubelet keeps per container besides the API status.
#[derive(Debug, Clone, Default)]
struct ContainerRuntime {
    image_id: u32,
    is_init: bool,
    is_sidecar: bool,
    cgroup: Option<ContainerCgroup>,
    /// When the finite work finishes at the current rate (`None`: rate 0).
    work_due: Option<SimTime>,
    /// Time of the one live WorkDone timer in the queue, if any. A new
    /// timer is pushed only when the finish moves *earlier*; when it moves
    /// later, the live timer re-arms itself on firing.
    work_timer_at: Option<SimTime>,
    /// Crash-loop back-off (`doBackOff`).
    backoff: restart::Backoff,
    /// When its latest instance exited.
    last_exit_at: Option<SimTime>,
    /// While it is being stopped: the exit code it will stop with.
    stop_code: Option<i32>,
    /// Probe workers: startup, liveness, readiness.
    probes: [Option<probes::Worker>; 3],
    /// Waiting for its image.
    pulling: bool,
    /// Being stopped because a liveness or startup probe failed: it
    /// restarts unless the pod's policy is `Never`.
    probe_killed: bool,
}

/// What kubelet keeps per pod.
#[derive(Debug, Clone, Default)]
struct PodRuntime {
    admitted: bool,
    /// Being terminated by kubelet: why.
    terminating: Option<termination::Cause>,
    next_init: usize,
    /// When the probe workers started (admission): they tick from here.
    probe_anchor: SimTime,
    /// On the books of a node that is down: kubelet starts (or stops) it
    /// when the node is back.
    awaiting_sync: bool,
}

/// The kubelets of every node.
#[derive(Debug)]
pub struct Kubelet {
    config: KubeletConfig,
    images: Vec<ImageBehavior>,
    image_ids: BTreeMap<String, u32>,
    pods: Vec<PodRuntime>,
    containers: Vec<ContainerRuntime>,
    timers: TimerTable<KubeletTimerKind>,
    node_timers: TimerTable<NodeTimerKind>,
    accounting: Accounting,
    /// Reused buffer of a node's containers and their memory.
    oom_scratch: Vec<(ContainerId, i64)>,
    /// Reused buffer for rate changes after a flush.
    work_changed: Vec<ContainerId>,
    /// The run seed: containers' random exits draw from streams derived
    /// from it.
    seed: u64,
    /// Image pulls and the registry.
    pulls: pull::Pulls,
    /// Per node: how many pulls its puller runs at once.
    node_parallel_pulls: Vec<u32>,
    /// Per node: the eviction manager's state.
    eviction: Vec<eviction::NodeEviction>,
    /// Per node: up, or down and how.
    node_run: Vec<node_state::NodeRun>,
}

impl Kubelet {
    /// Kubelets with the given image behaviours. Containers whose image
    /// is not listed behave as [`ImageBehavior::default`] (idle, up at once).
    pub fn new(
        config: KubeletConfig,
        images: impl IntoIterator<Item = (String, ImageBehavior)>,
    ) -> Self {
        let mut k = Kubelet {
            config,
            images: vec![ImageBehavior::default()],
            image_ids: BTreeMap::new(),
            pods: Vec::new(),
            containers: Vec::new(),
            timers: TimerTable::default(),
            node_timers: TimerTable::default(),
            accounting: Accounting::new(config.cgroup),
            oom_scratch: Vec::new(),
            work_changed: Vec::new(),
            seed: 0,
            pulls: pull::Pulls::default(),
            node_parallel_pulls: Vec::new(),
            eviction: Vec::new(),
            node_run: Vec::new(),
        };
        for (name, behavior) in images {
            let id = k.images.len() as u32;
            k.images.push(behavior);
            k.image_ids.insert(name, id);
        }
        let profiles = k.images.iter().map(|i| i.memory.clone()).collect();
        k.accounting.set_memory_profiles(profiles);
        k
    }

    /// Sets the run seed (each container's random stream derives from it
    /// and the container's `namespace/pod/container` name).
    pub fn set_seed(&mut self, seed: u64) {
        self.seed = seed;
    }

    /// The settings.
    pub fn config(&self) -> &KubeletConfig {
        &self.config
    }

    /// The node books (read-only).
    pub fn accounting(&self) -> &Accounting {
        &self.accounting
    }

    /// A node joined: open its books (with the node's `systemUsage`).
    pub fn add_node(&mut self, store: &Store, node: NodeId, now: SimTime) {
        let cap = store.node(node).capacity.milli_cpu;
        self.accounting.add_node(node, cap, now);
        self.accounting
            .set_system_memory(node, store.node(node).system_memory_bytes);
        self.node_timers.ensure(node.index() + 1);
        if self.node_parallel_pulls.len() <= node.index() {
            self.node_parallel_pulls.resize(node.index() + 1, 1);
        }
        self.node_parallel_pulls[node.index()] = store.node(node).kubelet.parallel_pulls();
        self.add_node_puller(node);
        if self.eviction.len() <= node.index() {
            self.eviction.resize(node.index() + 1, Default::default());
        }
        if self.node_run.len() <= node.index() {
            self.node_run.resize(node.index() + 1, Default::default());
        }
    }

    /// Reacts to a store notice: admits bound pods, stops deleted ones.
    pub fn on_notice(&mut self, store: &mut Store, notice: Notice, now: SimTime, fx: &mut Effects) {
        match notice {
            Notice::PodBound { pod, .. } => self.admit(store, pod, now, fx),
            Notice::PodDeleted(pod) => {
                let node = store.pod(pod).node();
                if node.is_some_and(|n| store.node(n).is_deleted()) {
                    // PodGC's force deletion of a pod whose node is gone:
                    // nothing on the node is left to wait for.
                    self.release_orphan(store, pod, now);
                    return;
                }
                if node.is_some_and(|n| self.node_is_down(n)) {
                    // A kubelet that is down hears of it when it is back.
                    return;
                }
                if self
                    .pods
                    .get(pod.index())
                    .is_some_and(|p| p.terminating.is_some())
                {
                    // Already stopping (evicted): it finishes as it is.
                    return;
                }
                self.kill_deleted(store, pod, now, fx)
            }
            _ => {}
        }
    }

    /// Handles one of kubelet's own timers (stale ones do nothing).
    pub fn handle(&mut self, store: &mut Store, now: SimTime, t: KubeletTimer, fx: &mut Effects) {
        let (kind, container, gen) = match t {
            KubeletTimer::Pull { pull } => {
                self.on_pull_done(store, pull, now, fx);
                return;
            }
            KubeletTimer::Node { kind, node, gen } => {
                if self.node_timers.fire(node.index(), kind, gen) {
                    match kind {
                        NodeTimerKind::Memory => self.on_node_memory(store, node, now, fx),
                        NodeTimerKind::Eviction => self.on_eviction_check(store, node, now, fx),
                    }
                }
                return;
            }
            KubeletTimer::Container {
                kind,
                container,
                gen,
            } => (kind, container, gen),
        };
        if !self.timers.fire(container.index(), kind, gen) {
            return;
        }
        let (pod, ci) = store.container_pod(container);
        debug_assert!(
            store.pod(pod).is_active_on_node(),
            "timer {t:?} of a pod that left its node"
        );
        match kind {
            KubeletTimerKind::ContainerUp => self.on_container_up(store, pod, ci, now, fx),
            KubeletTimerKind::DemandChange => self.on_demand_change(store, pod, ci, now, fx),
            KubeletTimerKind::WorkDone => self.on_work_done(store, pod, ci, now, fx),
            KubeletTimerKind::Restart => {
                store.record_restart(pod, ci);
                self.start_container(store, pod, ci, now, fx);
            }
            KubeletTimerKind::MemoryLimit => self.on_memory_limit(store, pod, ci, now, fx),
            KubeletTimerKind::Exit => self.on_exit_timer(store, pod, ci, now, fx),
            KubeletTimerKind::Stop => self.on_stop(store, pod, ci, now, fx),
            KubeletTimerKind::StartupProbe => {
                self.on_probe(store, pod, ci, probes::ProbeKind::Startup, now, fx)
            }
            KubeletTimerKind::LivenessProbe => {
                self.on_probe(store, pod, ci, probes::ProbeKind::Liveness, now, fx)
            }
            KubeletTimerKind::ReadinessProbe => {
                self.on_probe(store, pod, ci, probes::ProbeKind::Readiness, now, fx)
            }
        }
    }

    /// Whether the timer `t` is stale (its slot moved on).
    pub fn is_stale(&self, t: &KubeletTimer) -> bool {
        match *t {
            KubeletTimer::Container {
                kind,
                container,
                gen,
            } => !self.timers.is_current(container.index(), kind, gen),
            KubeletTimer::Node { kind, node, gen } => {
                !self.node_timers.is_current(node.index(), kind, gen)
            }
            // Pulls are never superseded.
            KubeletTimer::Pull { .. } => false,
        }
    }

    /// How many timers became stale since the last reset (an upper bound).
    pub fn stale_timers(&self) -> u64 {
        self.timers.stale() + self.node_timers.stale()
    }

    /// Call after dropping stale timers from the queue.
    pub fn reset_stale_timers(&mut self) {
        self.timers.reset_stale();
        self.node_timers.reset_stale();
    }

    /// Whether some node needs its CPU re-divided.
    pub fn has_dirty(&self) -> bool {
        self.accounting.has_dirty()
    }

    /// Re-divides CPU on every node that changed at `now`, and reschedules
    /// the finish of finite work whose rate moved.
    pub fn flush(&mut self, store: &Store, now: SimTime, fx: &mut Effects) {
        self.accounting.flush();
        let mut changed = std::mem::take(&mut self.work_changed);
        self.accounting.take_work_changed(&mut changed);
        for cid in changed.drain(..) {
            self.schedule_work(cid, now, fx);
        }
        self.work_changed = changed;
        for i in 0..self.accounting.flushed().len() {
            let node = self.accounting.flushed()[i];
            if self.node_crashed(node) {
                continue; // nothing runs there; its timers are gone
            }
            self.arm_node_memory(store, node, now, fx);
            self.arm_eviction(store, node, now, fx);
        }
    }

    /// Advances every node's CPU integrals to `now` (before sampling).
    pub fn accrue_all(&mut self, now: SimTime) {
        self.accounting.accrue_all(now);
    }

    /// The cgroup values kubelet set for container `cid` (bound pods).
    pub fn container_cgroup(&self, cid: ContainerId) -> Option<&ContainerCgroup> {
        self.containers.get(cid.index())?.cgroup.as_ref()
    }

    /// Checks kubelet's invariants against the store: accounting agrees,
    /// every running container is on the books (CPU and memory alike), no
    /// container both runs and is terminated, and pods that finished hold
    /// no live timer.
    pub fn check_invariants(&self, store: &Store) -> Result<(), String> {
        self.accounting.check_invariants(store)?;
        for (pid, p) in store.pods() {
            let rt = self.pods.get(pid.index());
            let admitted = rt.is_some_and(|r| r.admitted);
            if p.is_active_on_node() != admitted && !p.is_finished() {
                return Err(format!(
                    "pod {}: bound={} but admitted={admitted}",
                    p.name(),
                    p.is_active_on_node()
                ));
            }
            for (ci, cid) in p.container_ids().enumerate() {
                let st = &p.pod().status.container_statuses[ci];
                let running = st.state == ContainerState::Running;
                let on_books = self.accounting.container(cid).running;
                // On a crashed node the API still shows what kubelet last
                // reported, but nothing runs.
                let crashed = p.node().is_some_and(|n| self.node_crashed(n));
                if crashed && on_books {
                    return Err(format!(
                        "pod {} container {}: running on crashed node",
                        p.name(),
                        st.name
                    ));
                }
                // Memory is counted for exactly the containers the CPU
                // books run: the node's memory adds up to theirs.
                if on_books != self.accounting.memory_tracked(cid) {
                    return Err(format!(
                        "pod {} container {}: on the CPU books {on_books}, memory tracked {}",
                        p.name(),
                        st.name,
                        !on_books
                    ));
                }
                if running != on_books && !crashed {
                    return Err(format!(
                        "pod {} container {}: status {:?} but on the CPU books: {on_books}",
                        p.name(),
                        st.name,
                        st.state
                    ));
                }
                if p.is_finished() && cid.index() < self.timers.entities() {
                    for kind in KubeletTimerKind::ALL {
                        if self.timers.is_live(cid.index(), kind) {
                            return Err(format!(
                                "pod {} finished with a live {kind:?} timer on {}",
                                p.name(),
                                st.name
                            ));
                        }
                    }
                }
            }
            if p.phase() == PodPhase::Running && p.node().is_none() {
                return Err(format!("pod {} running without a node", p.name()));
            }
        }
        Ok(())
    }

    fn image(&self, cid: ContainerId) -> &ImageBehavior {
        &self.images[self.containers[cid.index()].image_id as usize]
    }
}
