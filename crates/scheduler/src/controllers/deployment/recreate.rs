//! The Recreate strategy, ported from pkg/controller/deployment/recreate.go
//! (`rolloutRecreate`): scale every old ReplicaSet to zero; while any old
//! pod still runs — terminating counts, only a terminal phase or a pod
//! that is gone does not (`oldPodsRunning`) — do nothing more; then
//! create the new ReplicaSet, or scale it up, to `spec.replicas`.

use super::rolling::scale_and_record;
use super::{Rollout, Strategy};
use kubesim_core::Deployment;

/// `RecreateDeploymentStrategyType`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Recreate;

impl Strategy for Recreate {
    fn rollout(&self, d: &Deployment, r: &mut Rollout) {
        // `scaleDownOldReplicaSetsForRecreate`.
        let mut scaled_down = false;
        for i in r.old.clone() {
            if r.views[i].replicas != 0 {
                scaled_down |= scale_and_record(&mut r.views, i, 0, &mut r.ops);
            }
        }
        if scaled_down || r.old_pods_running {
            return;
        }
        // Scaling the new ReplicaSet up does not stop `cleanupDeployment`.
        r.cleanup = true;
        match r.new {
            // Created with `NewRSNewReplicas`, which is `spec.replicas`.
            None => r.create_new = true,
            // `scaleUpNewReplicaSetForRecreate`.
            Some(new) => {
                scale_and_record(&mut r.views, new, d.replicas, &mut r.ops);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::util::RsView;
    use super::*;
    use kubesim_core::{DeploymentStrategy, LabelSelector, ObjectMeta, PodTemplate};

    fn recreate(replicas: i32) -> Deployment {
        let mut d = Deployment::new(
            ObjectMeta::named("foo"),
            replicas,
            LabelSelector::default(),
            PodTemplate::default(),
        );
        d.strategy = DeploymentStrategy::Recreate;
        d
    }

    fn rollout(old: &[i32], new: Option<i32>, running: bool) -> Rollout {
        let mut views: Vec<RsView> = old
            .iter()
            .enumerate()
            .map(|(i, &r)| RsView::new(i as u32, i as u64, r))
            .collect();
        let old_idx: Vec<usize> = (0..old.len()).collect();
        let new_idx = new.map(|r| {
            views.push(RsView::new(old.len() as u32, 99, r));
            old.len()
        });
        Rollout {
            views,
            new: new_idx,
            old: old_idx,
            ops: Vec::new(),
            old_pods_running: running,
            create_new: false,
            cleanup: false,
        }
    }

    // recreate_test.go `TestScaleDownOldReplicaSets` and `rolloutRecreate`:
    // old ReplicaSets go to zero first; nothing new while old pods run.
    #[test]
    fn old_scaled_down_before_new_created() {
        let d = recreate(3);
        let mut r = rollout(&[2, 1], None, true);
        Recreate.rollout(&d, &mut r);
        assert_eq!(r.ops.len(), 2);
        assert!(r.views.iter().all(|v| v.replicas == 0));
        assert!(!r.create_new);
        // Scaled down, but old pods still terminating: wait.
        let mut r = rollout(&[0, 0], None, true);
        Recreate.rollout(&d, &mut r);
        assert!(r.ops.is_empty() && !r.create_new && !r.cleanup);
        // All gone: create the new ReplicaSet.
        let mut r = rollout(&[0, 0], None, false);
        Recreate.rollout(&d, &mut r);
        assert!(r.create_new);
        // Exists (a rollback): scale it up to spec.replicas.
        let mut r = rollout(&[0], Some(0), false);
        Recreate.rollout(&d, &mut r);
        assert_eq!(r.views[1].replicas, 3);
        // recreate.go: `cleanupDeployment` is not skipped for scaling the
        // new ReplicaSet up (only for scaling old ones down).
        assert!(r.cleanup);
    }
}
