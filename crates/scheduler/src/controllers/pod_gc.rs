//! PodGC for pods whose node no longer exists
//! (pkg/controller/podgc/gc_controller.go `gcOrphaned`).
//!
//! The collector runs every `gcCheckPeriod` (20 s, from time 0). The
//! first run that finds a pod bound to a missing node puts the node in
//! quarantine for `quarantineTime` (40 s); the first run after that
//! deletes every pod of the node — a pod still running is marked `Failed`
//! (`DeletionByPodGC`) — with a grace period of 0. kubesim computes that
//! run rather than ticking: deleting a node arms a timer at it.

use super::ControllerTimer;
use kubesim_core::{NodeId, PodId, SimTime, Store};

/// `gcCheckPeriod`.
pub const GC_CHECK_PERIOD: SimTime = SimTime::from_secs(20);
/// `quarantineTime`.
pub const QUARANTINE_TIME: SimTime = SimTime::from_secs(40);

/// The part of PodGC kubesim models.
#[derive(Debug, Default)]
pub struct PodGcController;

impl PodGcController {
    /// A node was deleted: the run that will delete its pods.
    pub fn node_deleted(
        &mut self,
        node: NodeId,
        now: SimTime,
        timers: &mut Vec<(SimTime, ControllerTimer)>,
    ) {
        let p = GC_CHECK_PERIOD.0;
        let first_seen = SimTime(now.0.div_ceil(p).saturating_mul(p));
        let ready = first_seen + QUARANTINE_TIME;
        let run = SimTime(ready.0.div_ceil(p).saturating_mul(p));
        timers.push((run, ControllerTimer::PodGcOrphans(node)));
    }

    /// The run that deletes the pods of a node that is gone.
    pub fn delete_orphans(&mut self, store: &mut Store, node: NodeId, now: SimTime) {
        if !store.node(node).is_deleted() {
            return;
        }
        let pods: Vec<PodId> = store
            .pods()
            .filter(|(_, p)| p.node() == Some(node) && !(p.is_deleting() && p.is_finished()))
            .map(|(id, _)| id)
            .collect();
        for pod in pods {
            store.force_delete_pod(pod, now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // TestGCOrphaned's timing: first seen at a run, deleted at the first
    // run 40 s later.
    #[test]
    fn orphan_run_times() {
        let cases = [(0, 40), (1, 60), (20, 60), (35, 80), (40, 80)];
        for (deleted, want) in cases {
            let mut timers = Vec::new();
            PodGcController.node_deleted(NodeId(0), SimTime::from_secs(deleted), &mut timers);
            assert_eq!(
                timers[0].0,
                SimTime::from_secs(want),
                "deleted at {deleted}"
            );
        }
    }
}
