//! Image pulls (pkg/kubelet/images: `EnsureImageExists`, the serial and
//! parallel pullers) and a registry that serves a limited number at once.
//!
//! Before a container starts, its image must be on the node:
//! - `imagePullPolicy: Never`: present → start (`Pulled`: already present);
//!   absent → `ErrImageNeverPull`, and the container waits for ever;
//! - `IfNotPresent`: present → start; absent → pull;
//! - `Always`: pull every time (an image already on the node takes no
//!   time to pull again — only its manifest is fetched — but it still
//!   counts as a registry request).
//!
//! A pull announces itself (`Pulling`), waits for the node's puller
//! (`serializeImagePulls`: one at a time; otherwise up to
//! `maxParallelImagePulls`), then for a registry slot
//! (`cluster.registry.maxConcurrentPulls`), takes the image's `pullTime`,
//! and reports `Pulled` with upstream's wording. Requests for an image
//! not yet on the node join the pull of it under way there; a request
//! for an image already there is a registry request of its own. An
//! image whose
//! `pullTime` is 0 is on every node from the start.

use super::{events, Effects, Kubelet, KubeletTimer};
use crate::api::{ContainerId, ContainerState, NodeId, PodId, PullPolicy, Store};
use crate::kernel::SimTime;
use std::collections::VecDeque;

/// One pull of an image onto a node.
#[derive(Debug, Clone, Default)]
pub(super) struct Pull {
    node: u32,
    image: u32,
    requested: SimTime,
    started: Option<SimTime>,
    waiters: Vec<ContainerId>,
    live: bool,
    /// It holds one of the registry's slots (a download; a pull of an
    /// image already on the node fetches only its manifest and holds
    /// none).
    holds_registry: bool,
}

/// A node's puller.
#[derive(Debug, Clone, Default)]
pub(super) struct NodePuller {
    /// Images on the node.
    present: Vec<bool>,
    active: u32,
    queue: VecDeque<u32>,
}

/// Pulls in flight, the nodes' pullers and the registry.
#[derive(Debug, Clone, Default)]
pub(super) struct Pulls {
    table: Vec<Pull>,
    free: Vec<u32>,
    nodes: Vec<NodePuller>,
    registry_active: u32,
    registry_queue: VecDeque<u32>,
    /// Registry pulls started so far.
    pub(super) started_total: u64,
    /// Requests that joined a download on their node and wait for it
    /// (behind a serializing puller each would sit in its queue).
    joined_waiting: usize,
}

impl Pulls {
    /// Pulls waiting for a node or registry slot.
    pub(super) fn waiting(&self) -> usize {
        self.registry_queue.len()
            + self.nodes.iter().map(|n| n.queue.len()).sum::<usize>()
            + self.joined_waiting
    }
}

impl Kubelet {
    /// Sets up a new node's puller: images with no pull time are present.
    pub(super) fn add_node_puller(&mut self, node: NodeId) {
        let present = self
            .images
            .iter()
            .map(|i| i.pull_time == SimTime::ZERO)
            .collect();
        let n = &mut self.pulls.nodes;
        if n.len() <= node.index() {
            n.resize(node.index() + 1, NodePuller::default());
        }
        n[node.index()].present = present;
    }

    /// Whether `image` (kubelet's image id) is on `node`.
    pub fn image_present(&self, node: NodeId, image: u32) -> bool {
        self.pulls.nodes[node.index()]
            .present
            .get(image as usize)
            .copied()
            .unwrap_or(false)
    }

    /// Registry pulls started so far (`image_pulls`).
    pub fn image_pulls(&self) -> u64 {
        self.pulls.started_total
    }

    /// Pulls waiting for a slot (`image_pulls_waiting`).
    pub fn image_pulls_waiting(&self) -> usize {
        self.pulls.waiting()
    }

    /// Makes sure the container's image is on the node, then starts it —
    /// now, or when a pull completes. Returns `false` if the container
    /// waits.
    pub(super) fn start_container(
        &mut self,
        store: &mut Store,
        pid: PodId,
        ci: usize,
        now: SimTime,
        fx: &mut Effects,
    ) {
        let Some(nid) = store.pod(pid).node() else {
            return;
        };
        let entry = store.pod(pid);
        let cid = entry.container_id(ci);
        let c = entry.pod().spec.container(ci);
        let image = self.containers[cid.index()].image_id;
        let policy = c
            .image_pull_policy
            .unwrap_or_else(|| PullPolicy::default_for(&c.image));
        let present = self.image_present(nid, image);
        match (policy, present) {
            (PullPolicy::Never, false) => {
                fx.events.push(events::err_image_never_pull(
                    store,
                    pid,
                    &c.image.clone(),
                    now,
                ));
            }
            (PullPolicy::Never | PullPolicy::IfNotPresent, true) => {
                fx.events
                    .push(events::pulled(store, pid, &c.image.clone(), now));
                self.run_container(store, pid, ci, now, fx);
            }
            _ => {
                fx.events
                    .push(events::pulling(store, pid, &c.image.clone(), now));
                self.request_pull(nid, image, cid, now, fx);
            }
        }
    }

    fn request_pull(
        &mut self,
        node: NodeId,
        image: u32,
        cid: ContainerId,
        now: SimTime,
        fx: &mut Effects,
    ) {
        // An image not on the node yet is fetched once: a request for it
        // joins the pull under way (the runtime shares the layers being
        // downloaded). An image already there is asked for again on its
        // own — a manifest request to the registry each time (`Always`).
        let absent = !self.image_present(node, image);
        if let Some(p) = self
            .pulls
            .table
            .iter_mut()
            .find(|p| absent && p.live && p.node == node.0 && p.image == image)
        {
            p.waiters.push(cid);
            if self.node_parallel_pulls[node.index()] == 1 {
                self.pulls.joined_waiting += 1;
            }
            self.containers[cid.index()].pulling = true;
            return;
        }
        let pull = Pull {
            node: node.0,
            image,
            requested: now,
            started: None,
            waiters: vec![cid],
            live: true,
            holds_registry: false,
        };
        let id = match self.pulls.free.pop() {
            Some(id) => {
                self.pulls.table[id as usize] = pull;
                id
            }
            None => {
                self.pulls.table.push(pull);
                (self.pulls.table.len() - 1) as u32
            }
        };
        self.containers[cid.index()].pulling = true;
        self.pulls.nodes[node.index()].queue.push_back(id);
        self.dispatch_pulls(node, now, fx);
    }

    /// Moves queued pulls on: node slots first, then registry slots.
    fn dispatch_pulls(&mut self, node: NodeId, now: SimTime, fx: &mut Effects) {
        let limit = self.node_parallel_pulls[node.index()];
        while self.pulls.nodes[node.index()].active < limit {
            let Some(id) = self.pulls.nodes[node.index()].queue.pop_front() else {
                break;
            };
            self.pulls.nodes[node.index()].active += 1;
            let image = self.pulls.table[id as usize].image;
            if self.image_present(node, image) {
                // Only the manifest is fetched: no registry slot, no time.
                self.start_pull(id, false, SimTime::ZERO, now, fx);
            } else {
                self.pulls.registry_queue.push_back(id);
            }
        }
        let registry = self
            .config
            .registry_max_concurrent_pulls
            .unwrap_or(u32::MAX);
        while self.pulls.registry_active < registry {
            let Some(id) = self.pulls.registry_queue.pop_front() else {
                break;
            };
            self.pulls.registry_active += 1;
            let p = &self.pulls.table[id as usize];
            let duration = if self.image_present(NodeId(p.node), p.image) {
                SimTime::ZERO
            } else {
                self.images[p.image as usize].pull_time
            };
            self.start_pull(id, true, duration, now, fx);
        }
    }

    /// Pull `id` leaves its queues: a registry request that is done after
    /// `duration`.
    fn start_pull(
        &mut self,
        id: u32,
        holds_registry: bool,
        duration: SimTime,
        now: SimTime,
        fx: &mut Effects,
    ) {
        self.pulls.started_total += 1;
        let p = &mut self.pulls.table[id as usize];
        p.started = Some(now);
        p.holds_registry = holds_registry;
        fx.timers
            .push((now + duration, KubeletTimer::Pull { pull: id }));
    }

    /// A crashed node's queued pulls are dropped (pulls already at the
    /// registry run out; no one waits for them).
    pub(super) fn drop_queued_pulls(&mut self, node: NodeId) {
        let queue = std::mem::take(&mut self.pulls.nodes[node.index()].queue);
        let serialized = self.node_parallel_pulls[node.index()] == 1;
        for id in queue {
            if serialized {
                let joined = self.pulls.table[id as usize]
                    .waiters
                    .len()
                    .saturating_sub(1);
                self.pulls.joined_waiting = self.pulls.joined_waiting.saturating_sub(joined);
            }
            self.pulls.table[id as usize] = Pull::default();
            self.pulls.free.push(id);
        }
    }

    /// A pull finished: the image is on the node; its waiters start.
    pub(super) fn on_pull_done(
        &mut self,
        store: &mut Store,
        id: u32,
        now: SimTime,
        fx: &mut Effects,
    ) {
        let p = std::mem::take(&mut self.pulls.table[id as usize]);
        debug_assert!(p.live, "a pull finished twice");
        self.pulls.free.push(id);
        let node = NodeId(p.node);
        self.pulls.nodes[node.index()].present[p.image as usize] = true;
        self.pulls.nodes[node.index()].active -= 1;
        if p.holds_registry {
            self.pulls.registry_active -= 1;
        }
        let started = p.started.unwrap_or(p.requested);
        let total = now - p.requested;
        // Each pod that joined asked the registry too (kubelet calls the
        // runtime's PullImage once per container): one more request each.
        // Behind a serializing puller its own call came after the
        // download and took no time.
        let joined = p.waiters.len().saturating_sub(1);
        let serialized = self.node_parallel_pulls[node.index()] == 1;
        if serialized {
            self.pulls.joined_waiting = self.pulls.joined_waiting.saturating_sub(joined);
        }
        self.pulls.started_total = self.pulls.started_total.saturating_add(joined as u64);
        for (i, cid) in p.waiters.into_iter().enumerate() {
            let pull_took = if i > 0 && serialized {
                SimTime::ZERO
            } else {
                now - started
            };
            let (pid, ci) = store.container_pod(cid);
            let entry = store.pod(pid);
            let waiting = self.containers[cid.index()].pulling
                && entry.is_active_on_node()
                && !entry.is_deleting()
                && entry.pod().status.container_statuses[ci].state != ContainerState::Running;
            self.containers[cid.index()].pulling = false;
            if !waiting {
                continue;
            }
            let image = entry.pod().spec.container(ci).image.clone();
            let size = self.images[p.image as usize].size_bytes;
            fx.events.push(events::pulled_after_pull(
                store, pid, &image, pull_took, total, size, now,
            ));
            self.run_container(store, pid, ci, now, fx);
        }
        // Every node may have pulls waiting for the registry slot just
        // freed; this node may have one waiting for its own slot.
        self.dispatch_pulls(node, now, fx);
    }
}
