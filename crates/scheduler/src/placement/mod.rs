//! kube-scheduler: where pods go.
//!
//! - [`framework`]: [`NodeInfo`], [`PodInfo`], the [`FilterPlugin`] /
//!   [`ScorePlugin`] traits, [`default_normalize_score`].
//! - [`plugins`]: one file per in-tree plugin kubesim models.
//! - `queue`: activeQ, backoffQ and the unschedulable pool.
//! - `cache`: the scheduler's own copy of node requests.
//! - `profile`: the scheduler configuration a scenario sets.
//! - `scheduler`: one scheduling cycle (filter, score, select).
//! - [`Placement`] (this file): the driver. It hears store notices (a pod
//!   was added, bound, released, deleted; a node was added), owns the
//!   queue, the cache and its own timers and counters, and binds pods by
//!   writing to the [`Store`].
//!
//! Invariant: only the driver binds pods or marks them unschedulable, and
//! only through [`Store`] writes; the cache changes only on the store's
//! `PodBound` and `PodReleased` notices, so it always agrees with the
//! kubelet's books.

mod cache;
pub mod framework;
pub mod plugins;
mod profile;
mod queue;
mod scheduler;

pub use cache::Cache;
pub use framework::{
    default_normalize_score, FilterPlugin, NodeInfo, PodInfo, Reason, ScorePlugin, MAX_NODE_SCORE,
};
pub use profile::{num_feasible_nodes_to_find, PluginWeights, SchedulerProfile};
pub use queue::{backoff_duration, SchedulingQueue, UNSCHEDULABLE_FLUSH_PERIOD};
pub use scheduler::{ScheduleResult, Scheduler};

use kubesim_core::{pod_event_object, KubeEvent, NodeId, Notice, PodId, SimTime, Store};
use rand_chacha::ChaCha8Rng;

/// The placement driver's timers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlacementTimer {
    /// Run scheduling cycles for every pod in activeQ.
    ScheduleCycle,
    /// Move pods whose back-off ended to activeQ.
    BackoffFlush,
    /// Move pods unschedulable for over 5 minutes.
    UnschedulableFlush,
}

/// kube-scheduler as a component of the simulation.
pub struct Placement {
    scheduler: Scheduler,
    queue: SchedulingQueue,
    cycle_pending: bool,
    backoff_flush_at: Option<SimTime>,
    leftover_flush_pending: bool,
    attempts: u64,
    failed: u64,
    /// Timers to push on the event queue (drained by the engine).
    pub timers: Vec<(SimTime, PlacementTimer)>,
    candidates: Vec<PodId>,
    movable: Vec<PodId>,
}

impl Placement {
    /// A scheduler running `profile`, breaking ties from `rng`.
    pub fn new(profile: SchedulerProfile, rng: ChaCha8Rng) -> Self {
        Placement {
            scheduler: Scheduler::new(profile, rng),
            queue: SchedulingQueue::default(),
            cycle_pending: false,
            backoff_flush_at: None,
            leftover_flush_pending: false,
            attempts: 0,
            failed: 0,
            timers: Vec::new(),
            candidates: Vec::new(),
            movable: Vec::new(),
        }
    }

    /// The scheduler (its cache and profile).
    pub fn scheduler(&self) -> &Scheduler {
        &self.scheduler
    }
    /// Scheduling cycles run so far.
    pub fn attempts(&self) -> u64 {
        self.attempts
    }
    /// Cycles that found no node.
    pub fn failed(&self) -> u64 {
        self.failed
    }

    /// Reacts to a store notice.
    pub fn on_notice(&mut self, store: &mut Store, notice: Notice, now: SimTime) {
        match notice {
            Notice::NodeAdded(n) => {
                self.scheduler.add_node(NodeInfo::of_node(n, store.node(n)));
                // `NodeAdd`: pods the new node may fit try again.
                self.requeue_for_node(store, n, now);
            }
            Notice::PodAdded(p) => self.enqueue_new_pod(store, p, now),
            Notice::PodBound { pod, node } => {
                let info = PodInfo::of_entry(store.pod(pod));
                self.scheduler.assume(&info, node);
            }
            Notice::PodReleased { pod, node } => {
                let info = PodInfo::of_entry(store.pod(pod));
                self.scheduler.forget(&info, node);
                self.requeue_for_node(store, node, now);
            }
            Notice::PodDeleted(p) => self.queue.forget(p),
            Notice::NodeDeleted(n) => self.scheduler.remove_node(n),
            Notice::NodeUpdated(n) => {
                self.scheduler.update_node(n, store.node(n));
                // `NodeTaintChange`, `NodeSpecUnschedulableChange`: pods
                // the change may let in try again.
                self.requeue_for_node(store, n, now);
            }
            Notice::PodReady(_)
            | Notice::PodUnready(_)
            | Notice::DeploymentChanged(_)
            | Notice::JobAdded(_)
            | Notice::LeaseChanged(_) => {}
            Notice::JobFinished(_)
            | Notice::CronJobAdded(_)
            | Notice::ServiceAdded(_)
            | Notice::RolloutChanged(_)
            | Notice::RolloutStatusChanged(_)
            | Notice::ServiceSelectorChanged(_) => {}
        }
    }

    /// Handles one of its timers. A [`PlacementTimer::ScheduleCycle`]
    /// only starts the cycle: the engine then calls
    /// [`schedule_next`](Self::schedule_next) until it returns `false`.
    pub fn handle(&mut self, timer: PlacementTimer, now: SimTime) {
        match timer {
            PlacementTimer::ScheduleCycle => self.cycle_pending = false,
            PlacementTimer::BackoffFlush => {
                self.backoff_flush_at = None;
                let next = self.queue.flush_backoff_completed(now);
                self.arm_backoff_flush(next);
                self.ensure_cycle(now);
            }
            PlacementTimer::UnschedulableFlush => {
                self.leftover_flush_pending = false;
                let next = self.queue.flush_unschedulable_leftover(now);
                self.arm_backoff_flush(next);
                self.ensure_cycle(now);
                self.arm_leftover_flush(now);
            }
        }
    }

    /// A new pod goes to the scheduling queue — or, with `spec.nodeName`
    /// set, straight to that node, as upstream bypasses the scheduler for
    /// such pods (a node that does not exist leaves it Pending).
    fn enqueue_new_pod(&mut self, store: &mut Store, pid: PodId, now: SimTime) {
        let p = store.pod(pid);
        if let Some(node_name) = &p.pod().spec.node_name {
            if let Some(nid) = store.node_id(node_name) {
                store.bind(pid, nid, now);
            }
            return;
        }
        let prio = p.pod().spec.priority;
        self.queue.add(pid, prio, now);
        self.ensure_cycle(now);
    }

    /// Queueing hint: unschedulable pods that now fit `node` move on.
    fn requeue_for_node(&mut self, store: &Store, node: NodeId, now: SimTime) {
        if self.queue.unschedulable_len() == 0 {
            return;
        }
        self.candidates.clear();
        self.candidates.extend(self.queue.unschedulable_pods());
        self.movable.clear();
        for &pid in &self.candidates {
            let info = PodInfo::of_entry(store.pod(pid));
            if self.scheduler.fits(&info, node) {
                self.movable.push(pid);
            }
        }
        let next = self.queue.move_to_active_or_backoff(&self.movable, now);
        self.arm_backoff_flush(next);
        self.ensure_cycle(now);
    }

    fn ensure_cycle(&mut self, now: SimTime) {
        if !self.cycle_pending && self.queue.active_len() > 0 {
            self.cycle_pending = true;
            self.timers.push((now, PlacementTimer::ScheduleCycle));
        }
    }

    fn arm_backoff_flush(&mut self, at: Option<SimTime>) {
        let Some(at) = at else { return };
        if self.backoff_flush_at.is_none_or(|t| at < t) {
            self.backoff_flush_at = Some(at);
            self.timers.push((at, PlacementTimer::BackoffFlush));
        }
    }

    fn arm_leftover_flush(&mut self, now: SimTime) {
        if !self.leftover_flush_pending && self.queue.unschedulable_len() > 0 {
            self.leftover_flush_pending = true;
            self.timers.push((
                now.saturating_add(UNSCHEDULABLE_FLUSH_PERIOD),
                PlacementTimer::UnschedulableFlush,
            ));
        }
    }

    /// One scheduling cycle for the next pod in activeQ: binds it (a store
    /// write) or records it unschedulable. Returns `false` when activeQ is
    /// empty.
    pub fn schedule_next(
        &mut self,
        store: &mut Store,
        now: SimTime,
        events: &mut Vec<KubeEvent>,
    ) -> bool {
        let Some(pid) = self.queue.pop() else {
            return false;
        };
        let entry = store.pod(pid);
        if entry.node().is_some() || entry.is_finished() {
            return true;
        }
        self.attempts += 1;
        let info = PodInfo::of_entry(entry);
        match self.scheduler.schedule_one(&info) {
            ScheduleResult::Bound(nid) => {
                let meta = &entry.pod().metadata;
                let message = format!(
                    "Successfully assigned {}/{} to {}",
                    meta.namespace_or_default(),
                    meta.name,
                    store.node(nid).name()
                );
                events.push(KubeEvent::normal(
                    now,
                    "Scheduled",
                    pod_event_object(store, pid),
                    message,
                ));
                store.bind(pid, nid, now);
            }
            ScheduleResult::Unschedulable(message) => {
                self.failed += 1;
                let prio = entry.pod().spec.priority;
                self.queue.add_unschedulable(pid, prio, now);
                events.push(KubeEvent::warning(
                    now,
                    "FailedScheduling",
                    pod_event_object(store, pid),
                    message,
                ));
                store.set_unschedulable(pid, now);
                self.arm_leftover_flush(now);
            }
        }
        true
    }

    /// The cache agrees with the kubelet's books; no pod waits in two
    /// queues; no bound or finished pod waits as unschedulable.
    pub fn check_invariants(
        &self,
        store: &Store,
        books: &kubesim_core::Accounting,
    ) -> Result<(), String> {
        self.scheduler.cache().check_invariants(store, books)?;
        self.queue.check_invariants()?;
        for p in self.queue.unschedulable_pods() {
            let e = store.pod(p);
            if e.node().is_some() || e.is_finished() {
                return Err(format!(
                    "pod {} waits as unschedulable but is bound or gone",
                    e.name()
                ));
            }
        }
        Ok(())
    }
}
