//! The RollingUpdate strategy, ported from
//! pkg/controller/deployment/rolling.go: scale the new ReplicaSet up as
//! far as `maxSurge` allows (`reconcileNewReplicaSet`), then the old ones
//! down as far as `maxUnavailable` allows (`reconcileOldReplicaSets`),
//! unhealthy replicas first (`cleanupUnhealthyReplicas`).
//!
//! The functions decide on [`RsView`]s, changing their `spec.replicas` in
//! place and recording each change as a [`ScaleOp`]; the controller then
//! writes the ops to the store, as upstream's `scaleReplicaSetAndRecordEvent`
//! writes each to the API server.

use super::util::{
    by_creation, get_available_replica_count, get_replica_count, max_unavailable,
    new_rs_new_replicas, RsView, ScaleOp,
};
use super::{Rollout, Strategy};
use kubesim_core::Deployment;

/// `RollingUpdateDeploymentStrategyType`.
#[derive(Debug, Clone, Copy, Default)]
pub struct RollingUpdate;

impl Strategy for RollingUpdate {
    /// `rolloutRolling`: scale up if we can, else scale down if we can.
    fn rollout(&self, d: &Deployment, r: &mut Rollout) {
        let Some(new) = r.new else { return };
        let all = r.all();
        if reconcile_new_replica_set(d, &mut r.views, &all, new, &mut r.ops) {
            return;
        }
        let active_old: Vec<usize> = r
            .old
            .iter()
            .copied()
            .filter(|&i| r.views[i].replicas > 0)
            .collect();
        if reconcile_old_replica_sets(d, &mut r.views, &all, &active_old, new, &mut r.ops) {
            return;
        }
        // Nothing scaled: `cleanupDeployment` if complete.
        r.cleanup = true;
    }
}

/// `scaleReplicaSetAndRecordEvent`: nothing when the size is already
/// right; `true` when it scaled.
pub fn scale_and_record(views: &mut [RsView], i: usize, to: i32, ops: &mut Vec<ScaleOp>) -> bool {
    let from = views[i].replicas;
    if from == to {
        return false;
    }
    debug_assert!(to >= 0, "scaling a ReplicaSet to {to}");
    views[i].replicas = to;
    ops.push(ScaleOp {
        index: i,
        from,
        to,
        up: from < to,
    });
    true
}

/// `reconcileNewReplicaSet`: the new ReplicaSet grows by what `maxSurge`
/// leaves room for (or shrinks to `spec.replicas` if it is larger).
pub fn reconcile_new_replica_set(
    d: &Deployment,
    views: &mut [RsView],
    all: &[usize],
    new: usize,
    ops: &mut Vec<ScaleOp>,
) -> bool {
    let current = views[new].replicas;
    if current == d.replicas {
        return false;
    }
    if current > d.replicas {
        return scale_and_record(views, new, d.replicas, ops);
    }
    let to = new_rs_new_replicas(d, views, all, new);
    scale_and_record(views, new, to, ops)
}

/// `reconcileOldReplicaSets`: how many old pods may go without breaking
/// `maxUnavailable` (the new ReplicaSet's unavailable pods count against
/// it), unhealthy ones first.
pub fn reconcile_old_replica_sets(
    d: &Deployment,
    views: &mut [RsView],
    all: &[usize],
    old: &[usize],
    new: usize,
    ops: &mut Vec<ScaleOp>,
) -> bool {
    if get_replica_count(views, old) == 0 {
        return false;
    }
    let all_pods = get_replica_count(views, all);
    let min_available = d.replicas - max_unavailable(d);
    let new_unavailable = views[new].replicas - views[new].available;
    let max_scaled_down = all_pods - min_available - new_unavailable;
    if max_scaled_down <= 0 {
        return false;
    }
    let mut old = old.to_vec();
    let cleaned = cleanup_unhealthy_replicas(d, views, &mut old, max_scaled_down, ops);
    let mut after: Vec<usize> = old.clone();
    after.push(new);
    let scaled = scale_down_old_replica_sets_for_rolling_update(d, views, &after, &mut old, ops);
    cleaned + scaled > 0
}

/// `cleanupUnhealthyReplicas`: oldest first, each old ReplicaSet drops
/// its unavailable replicas, `max_cleanup` in all. Returns how many.
pub fn cleanup_unhealthy_replicas(
    _d: &Deployment,
    views: &mut [RsView],
    old: &mut [usize],
    max_cleanup: i32,
    ops: &mut Vec<ScaleOp>,
) -> i32 {
    old.sort_by(|&a, &b| by_creation(&views[a], &views[b]));
    let mut total = 0;
    for &i in old.iter() {
        if total >= max_cleanup {
            break;
        }
        let rs = &views[i];
        if rs.replicas == 0 || rs.replicas == rs.available {
            continue;
        }
        let count = (max_cleanup - total).min(rs.replicas - rs.available);
        let to = rs.replicas - count;
        debug_assert!(to <= rs.replicas);
        scale_and_record(views, i, to, ops);
        total += count;
    }
    total
}

/// `scaleDownOldReplicaSetsForRollingUpdate`: oldest first, old
/// ReplicaSets shrink by what availability above `replicas -
/// maxUnavailable` allows. `all` are the ReplicaSets whose available pods
/// count. Returns how many replicas went.
pub fn scale_down_old_replica_sets_for_rolling_update(
    d: &Deployment,
    views: &mut [RsView],
    all: &[usize],
    old: &mut [usize],
    ops: &mut Vec<ScaleOp>,
) -> i32 {
    let min_available = d.replicas - max_unavailable(d);
    let available = get_available_replica_count(views, all);
    if available <= min_available {
        return 0;
    }
    old.sort_by(|&a, &b| by_creation(&views[a], &views[b]));
    let want = available - min_available;
    let mut total = 0;
    for &i in old.iter() {
        if total >= want {
            break;
        }
        let replicas = views[i].replicas;
        if replicas == 0 {
            continue;
        }
        let count = replicas.min(want - total);
        scale_and_record(views, i, replicas - count, ops);
        total += count;
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubesim_core::{DeploymentStrategy, IntOrPercent, LabelSelector, ObjectMeta, PodTemplate};

    /// deployment_controller_test.go `newDeployment`: RollingUpdate with
    /// both fenceposts 0 unless given.
    pub(crate) fn deployment(replicas: i32, surge: i32, unavailable: i32) -> Deployment {
        let mut d = Deployment::new(
            ObjectMeta::named("foo"),
            replicas,
            LabelSelector::default(),
            PodTemplate::default(),
        );
        d.strategy = DeploymentStrategy::RollingUpdate {
            max_surge: IntOrPercent::Int(surge),
            max_unavailable: IntOrPercent::Int(unavailable),
        };
        d
    }

    fn with_available(mut v: RsView, available: i32) -> RsView {
        v.available = available;
        v
    }

    // rolling_test.go `TestDeploymentController_reconcileNewReplicaSet`:
    // (deploymentReplicas, maxSurge, oldReplicas, newReplicas, expected
    // new replicas or None for no scaling); maxUnavailable 0.
    #[test]
    fn reconcile_new_replica_set_table() {
        let table: [(i32, i32, i32, i32, Option<i32>); 5] = [
            (10, 0, 10, 0, None),
            (10, 2, 10, 0, Some(2)),
            (10, 2, 5, 0, Some(7)),
            (10, 2, 10, 2, None),
            (10, 2, 2, 11, Some(10)),
        ];
        for (i, (dr, surge, old, new, want)) in table.into_iter().enumerate() {
            let d = deployment(dr, surge, 0);
            let mut views = vec![RsView::new(0, 0, new), RsView::new(1, 0, old)];
            let mut ops = Vec::new();
            let scaled = reconcile_new_replica_set(&d, &mut views, &[0, 1], 0, &mut ops);
            assert_eq!(scaled, want.is_some(), "case {i}");
            if let Some(w) = want {
                assert_eq!(ops.len(), 1, "case {i}");
                assert_eq!(views[0].replicas, w, "case {i}");
            } else {
                assert!(ops.is_empty(), "case {i}");
            }
        }
    }

    // rolling_test.go `TestDeploymentController_reconcileOldReplicaSets`:
    // (deploymentReplicas, maxUnavailable, oldReplicas, newReplicas,
    // readyPodsFromOldRS, readyPodsFromNewRS, scaleExpected,
    // expectedOldReplicas); maxSurge 0.
    #[test]
    fn reconcile_old_replica_sets_table() {
        type Row = (i32, i32, i32, i32, i32, i32, bool, i32);
        let table: [Row; 5] = [
            (10, 0, 10, 0, 10, 0, true, 9),
            (10, 2, 10, 0, 10, 0, true, 8),
            // Unhealthy replicas of old ReplicaSets cleaned up.
            (10, 2, 10, 0, 8, 0, true, 8),
            // One unhealthy cleaned up, one ready scaled down.
            (10, 2, 10, 0, 9, 0, true, 8),
            // Unavailable new pods stop further scale-down.
            (10, 2, 8, 2, 8, 0, false, 8),
        ];
        for (i, (dr, ua, old, new, old_ready, new_ready, scale, want)) in
            table.into_iter().enumerate()
        {
            let d = deployment(dr, 0, ua);
            let mut views = vec![
                with_available(RsView::new(0, 0, old), old_ready),
                with_available(RsView::new(1, 1, new), new_ready),
            ];
            let mut ops = Vec::new();
            let scaled = reconcile_old_replica_sets(&d, &mut views, &[0, 1], &[0], 1, &mut ops);
            assert_eq!(scaled, scale, "case {i}");
            assert_eq!(views[0].replicas, want, "case {i}");
        }
    }

    // rolling_test.go `TestDeploymentController_cleanupUnhealthyReplicas`:
    // (oldReplicas, readyPods, maxCleanupCount, cleanupCountExpected);
    // maxSurge 2, maxUnavailable 2, 10 replicas.
    #[test]
    fn cleanup_unhealthy_replicas_table() {
        let table = [(10, 8, 1, 1), (10, 8, 3, 2), (10, 8, 0, 0), (10, 10, 3, 0)];
        for (i, (old, ready, max, want)) in table.into_iter().enumerate() {
            let d = deployment(10, 2, 2);
            let mut views = vec![with_available(RsView::new(0, 0, old), ready)];
            let mut ops = Vec::new();
            let n = cleanup_unhealthy_replicas(&d, &mut views, &mut [0], max, &mut ops);
            assert_eq!(n, want, "case {i}");
            assert_eq!(views[0].replicas, old - want, "case {i}");
        }
    }

    // rolling_test.go
    // `TestDeploymentController_scaleDownOldReplicaSetsForRollingUpdate`:
    // (deploymentReplicas, maxUnavailable, readyPods, oldReplicas,
    // expected old replicas or None for no scaling); maxSurge 0.
    #[test]
    fn scale_down_old_replica_sets_table() {
        let table: [(i32, i32, i32, i32, Option<i32>); 5] = [
            (10, 0, 10, 10, Some(9)),
            (10, 2, 10, 10, Some(8)),
            (10, 2, 8, 10, None),
            (10, 2, 10, 0, None),
            (10, 2, 1, 10, None),
        ];
        for (i, (dr, ua, ready, old, want)) in table.into_iter().enumerate() {
            let d = deployment(dr, 0, ua);
            let mut views = vec![with_available(RsView::new(0, 0, old), ready)];
            let mut ops = Vec::new();
            let n = scale_down_old_replica_sets_for_rolling_update(
                &d,
                &mut views,
                &[0],
                &mut [0],
                &mut ops,
            );
            match want {
                None => assert_eq!(n, 0, "case {i}"),
                Some(w) => {
                    assert!(n > 0, "case {i}");
                    assert_eq!(ops.len(), 1, "case {i}");
                    assert_eq!(views[0].replicas, w, "case {i}");
                }
            }
        }
    }
}
