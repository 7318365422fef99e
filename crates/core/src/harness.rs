//! The event-loop protocol of the node side, as a reusable driver for
//! tests and benchmarks: the one copy of "drain effects, dispatch notices,
//! re-solve dirty nodes before time moves on, pop the next timer", with
//! the state checker run after every step.
//!
//! The simulation engine in `kubesim-scheduler` follows the same protocol
//! with the scheduler and controllers added; tests of the node model alone
//! use [`NodeHarness`] instead of writing their own loop.

use crate::accounting::ContainerCpu;
use crate::api::{ContainerStatus, KubeEvent, Node, NodeId, Notice, Pod, PodEntry, PodId, Store};
use crate::kernel::{EventQueue, SimTime};
use crate::kubelet::{Effects, ImageBehavior, Kubelet, KubeletConfig, KubeletTimer, OomCandidate};

/// A store and its kubelets, driven through their timers.
pub struct NodeHarness {
    /// The objects.
    pub store: Store,
    /// The kubelets.
    pub kubelet: Kubelet,
    /// The timer queue.
    pub queue: EventQueue<KubeletTimer>,
    fx: Effects,
    notice_buf: Vec<Notice>,
    /// Simulated time now.
    pub now: SimTime,
    /// Every Kubernetes event, in order.
    pub events: Vec<KubeEvent>,
    /// Every notice with its time.
    pub notices: Vec<(SimTime, Notice)>,
    /// Every OOM candidate weighed.
    pub oom: Vec<OomCandidate>,
    /// Every pod ranked for eviction.
    pub evictions: Vec<crate::kubelet::EvictionCandidate>,
    /// Every timer handled, with its time.
    pub handled: Vec<(SimTime, KubeletTimer)>,
    /// Every timer scheduled: (when it was scheduled, when it fires, what).
    pub scheduled: Vec<(SimTime, SimTime, KubeletTimer)>,
    /// Run the state checker after every step (default on).
    pub check: bool,
}

impl NodeHarness {
    /// A harness with `config` and these image behaviours.
    pub fn new(config: KubeletConfig, images: Vec<(&str, ImageBehavior)>) -> Self {
        NodeHarness {
            store: Store::new(u64::MAX),
            kubelet: Kubelet::new(config, images.into_iter().map(|(n, b)| (n.to_string(), b))),
            queue: EventQueue::new(),
            fx: Effects::default(),
            notice_buf: Vec::new(),
            now: SimTime::ZERO,
            events: Vec::new(),
            notices: Vec::new(),
            oom: Vec::new(),
            evictions: Vec::new(),
            handled: Vec::new(),
            scheduled: Vec::new(),
            check: true,
        }
    }

    /// Adds a node.
    pub fn add_node(&mut self, node: Node) -> NodeId {
        let id = self.store.add_node(node, self.now).expect("node added");
        self.kubelet.add_node(&self.store, id, self.now);
        self.drain();
        id
    }

    /// Creates a pod (unbound).
    pub fn add_pod(&mut self, pod: Pod) -> PodId {
        let id = self.store.create_pod(pod, self.now).expect("pod created");
        self.drain();
        id
    }

    /// Binds a pod, as the scheduler would; its kubelet starts it.
    pub fn bind(&mut self, pod: PodId, node: NodeId) {
        self.store.bind(pod, node, self.now);
        self.drain();
    }

    /// Deletes a pod.
    pub fn delete(&mut self, pod: PodId) {
        self.store.delete_pod(pod, self.now);
        self.drain();
    }

    /// The stored pod.
    pub fn pod(&self, pod: PodId) -> &PodEntry {
        self.store.pod(pod)
    }
    /// Status of container `ci` of `pod` (init containers first).
    pub fn status(&self, pod: PodId, ci: usize) -> &ContainerStatus {
        &self.store.pod(pod).pod().status.container_statuses[ci]
    }
    /// CPU and memory of container `ci` of `pod`.
    pub fn cpu(&self, pod: PodId, ci: usize) -> &ContainerCpu {
        let cid = self.store.pod(pod).container_id(ci);
        self.kubelet.accounting().container(cid)
    }

    /// Moves effects on: timers to the queue (never in the past), events
    /// and notices to the logs, notices to the kubelet; then checks state.
    pub fn drain(&mut self) {
        loop {
            for (t, e) in self.fx.timers.drain(..) {
                assert!(
                    t >= self.now,
                    "timer {e:?} at {t:?} is in the past ({:?})",
                    self.now
                );
                self.scheduled.push((self.now, t, e));
                self.queue.push(t, e);
            }
            self.events.append(&mut self.fx.events);
            self.oom.append(&mut self.fx.oom);
            self.evictions.append(&mut self.fx.evictions);
            self.store.take_notices(&mut self.notice_buf);
            if self.notice_buf.is_empty() {
                break;
            }
            for n in std::mem::take(&mut self.notice_buf) {
                self.notices.push((self.now, n));
                self.kubelet
                    .on_notice(&mut self.store, n, self.now, &mut self.fx);
            }
        }
        if self.check {
            self.check_invariants();
        }
    }

    /// Panics with the first broken invariant.
    pub fn check_invariants(&self) {
        if let Err(e) = self.store.check_invariants() {
            panic!("store invariant at {}: {e}", self.now);
        }
        if let Err(e) = self.kubelet.check_invariants(&self.store) {
            panic!("kubelet invariant at {}: {e}", self.now);
        }
    }

    /// Handles every timer up to and including `end`, re-solving dirty
    /// nodes before time moves on; leaves the clock at `end` with
    /// integrals accrued.
    pub fn run_until(&mut self, end: SimTime) {
        loop {
            self.drain();
            let next = self.queue.peek_time();
            if self.kubelet.has_dirty() && next.is_none_or(|t| t > self.now) {
                self.kubelet.flush(&self.store, self.now, &mut self.fx);
                continue;
            }
            match next {
                Some(t) if t <= end => {
                    let Some((t, e)) = self.queue.pop() else {
                        break;
                    };
                    self.now = t;
                    self.handled.push((t, e));
                    self.kubelet.handle(&mut self.store, t, e, &mut self.fx);
                }
                _ => break,
            }
        }
        self.now = self.now.max(end);
        self.kubelet.accrue_all(self.now);
    }

    /// Runs until no timer is left (`limit` must not be reached).
    pub fn run_to_quiet(&mut self, limit: SimTime) {
        self.run_until(limit);
        assert!(
            self.queue.is_empty(),
            "timers left at {limit:?}: {}",
            self.queue.len()
        );
    }
}
