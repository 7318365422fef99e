//! Memory per container and per node.
//!
//! A running container's resident memory is its image's
//! [`MemoryProfile`] evaluated at the time since it started: integer bytes,
//! piecewise linear, so usage at any instant is exact and nothing is
//! polled. A node's memory in use is the sum over the containers of its
//! pods plus its `systemUsage` (the OS and system daemons outside pods).
//!
//! [`Accounting::node_pods_first_reaching`] answers "when will the pods on
//! this node together reach `threshold` bytes?": exactly when only one
//! container moves, otherwise a time that is never late, which the caller
//! re-checks (the sum of floored linear pieces lags the linear sum by less
//! than a byte per container).

use super::Accounting;
use crate::api::{ContainerId, NodeId};
use crate::kernel::SimTime;
use crate::kubelet::MemoryProfile;

/// One container's memory track.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct MemTrack {
    running: bool,
    profile: u32,
    started: SimTime,
}

/// When a node's pods reach a memory threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crossing {
    /// Already at or over it.
    Now,
    /// Not before this time: re-check then (it may be the crossing, or a
    /// piece boundary where the slope changes).
    CheckAt(SimTime),
    /// Not while nothing on the node changes.
    Never,
}

impl Accounting {
    /// Sets the memory profiles, indexed like the kubelet's images.
    pub(crate) fn set_memory_profiles(&mut self, profiles: Vec<MemoryProfile>) {
        self.memory_profiles = profiles;
    }

    /// Memory outside pods on `node`.
    pub(crate) fn set_system_memory(&mut self, node: NodeId, bytes: i64) {
        self.nodes[node.index()].system_memory_bytes = bytes.max(0);
    }

    pub(super) fn start_memory(&mut self, id: ContainerId, profile: u32, now: SimTime) {
        self.memory[id.index()] = MemTrack {
            running: true,
            profile,
            started: now,
        };
    }

    pub(super) fn stop_memory(&mut self, id: ContainerId) {
        self.memory[id.index()].running = false;
    }

    fn profile(&self, t: &MemTrack) -> Option<&MemoryProfile> {
        self.memory_profiles.get(t.profile as usize)
    }

    /// Whether container `id` has a running memory track.
    pub fn memory_tracked(&self, id: ContainerId) -> bool {
        self.memory.get(id.index()).is_some_and(|t| t.running)
    }

    /// Resident memory of container `id` at `now` (0 when not running).
    pub fn container_memory(&self, id: ContainerId, now: SimTime) -> i64 {
        let Some(t) = self.memory.get(id.index()).filter(|t| t.running) else {
            return 0;
        };
        self.profile(t)
            .map_or(0, |p| p.usage(now.saturating_sub(t.started)))
    }

    /// When container `id`'s memory first reaches `threshold` at or after
    /// `now` (exact), if it ever does while it runs.
    pub fn container_first_reaching(
        &self,
        id: ContainerId,
        now: SimTime,
        threshold: i64,
    ) -> Option<SimTime> {
        let t = self.memory.get(id.index()).filter(|t| t.running)?;
        let p = self.profile(t)?;
        let offset = p.first_reaching(now.saturating_sub(t.started), threshold)?;
        Some(t.started.saturating_add(offset))
    }

    fn running_tracks(&self, node: NodeId) -> impl Iterator<Item = (ContainerId, &MemTrack)> + '_ {
        self.nodes[node.index()]
            .pods
            .iter()
            .filter_map(|p| self.pods[p.index()])
            .flat_map(|p| Self::pod_containers(&p))
            .filter_map(|c| {
                self.memory
                    .get(c.index())
                    .filter(|t| t.running)
                    .map(|t| (c, t))
            })
    }

    /// Memory of the pods' containers on `node` at `now`.
    pub fn node_pods_memory(&self, node: NodeId, now: SimTime) -> i64 {
        self.running_tracks(node)
            .filter_map(|(_, t)| {
                self.profile(t)
                    .map(|p| p.usage(now.saturating_sub(t.started)))
            })
            .fold(0i64, i64::saturating_add)
    }

    /// Memory in use on `node` at `now`: its pods plus `systemUsage`.
    pub fn node_memory(&self, node: NodeId, now: SimTime) -> i64 {
        self.node_pods_memory(node, now)
            .saturating_add(self.nodes[node.index()].system_memory_bytes)
    }

    /// `systemUsage.memory` of `node`.
    pub fn node_system_memory(&self, node: NodeId) -> i64 {
        self.nodes[node.index()].system_memory_bytes
    }

    /// When the pods on `node` together reach `threshold` bytes, from `now`.
    pub fn node_pods_first_reaching(&self, node: NodeId, now: SimTime, threshold: i64) -> Crossing {
        let mut total = 0i64;
        let mut slope = 0f64;
        let mut next_piece: Option<SimTime> = None;
        for (_, t) in self.running_tracks(node) {
            let Some(p) = self.profile(t) else { continue };
            let offset = now.saturating_sub(t.started);
            let piece = p.piece(offset);
            total = total.saturating_add(piece.at(offset));
            slope += piece.slope_num as f64 / piece.slope_den as f64;
            if let Some(end) = piece.end {
                let at = t.started.saturating_add(end);
                next_piece = Some(next_piece.map_or(at, |n| n.min(at)));
            }
        }
        if total >= threshold {
            return Crossing::Now;
        }
        let linear = (slope > 0.0).then(|| {
            let dt = ((threshold - total) as f64 / slope).ceil().max(1.0);
            now.saturating_add(SimTime(dt.min(u64::MAX as f64) as u64))
        });
        match (linear, next_piece) {
            (Some(a), Some(b)) => Crossing::CheckAt(a.min(b)),
            (Some(a), None) => Crossing::CheckAt(a),
            (None, Some(b)) => Crossing::CheckAt(b),
            (None, None) => Crossing::Never,
        }
    }

    /// The running containers on `node`, in evaluation order (pods in bind
    /// order, containers in spec order), with their memory at `now`.
    pub fn node_containers_memory(
        &self,
        node: NodeId,
        now: SimTime,
        out: &mut Vec<(ContainerId, i64)>,
    ) {
        out.clear();
        for (c, t) in self.running_tracks(node) {
            let bytes = self
                .profile(t)
                .map_or(0, |p| p.usage(now.saturating_sub(t.started)));
            out.push((c, bytes));
        }
    }
}
