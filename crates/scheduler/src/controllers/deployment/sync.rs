//! Scaling and status, ported from pkg/controller/deployment/sync.go:
//! `scale` (proportional scaling of every active ReplicaSet when the
//! Deployment's replicas change mid-rollout), `cleanupDeployment`
//! (`revisionHistoryLimit`) and `calculateStatus`.

use super::progress::{condition, set_condition};
use super::rolling::scale_and_record;
use super::util::{
    by_size_newer, by_size_older, find_active_or_latest, get_actual_replica_count,
    get_available_replica_count, get_proportion, get_ready_replica_count, get_replica_count,
    is_saturated, max_surge, max_unavailable, RsView, ScaleOp,
};
use kubesim_core::{Deployment, DeploymentStatus, DeploymentStrategy, SimTime};

/// `scale`: one active ReplicaSet (or none: the newest) gets
/// `spec.replicas`; a saturated new ReplicaSet takes everything from the
/// old ones; otherwise, under RollingUpdate, the difference to
/// `replicas + maxSurge` is shared in proportion to each ReplicaSet's size
/// (`GetProportion`), leftovers to the largest.
pub fn scale(
    d: &Deployment,
    views: &mut [RsView],
    new: Option<usize>,
    old: &[usize],
    ops: &mut Vec<ScaleOp>,
) {
    if let Some(one) = find_active_or_latest(views, new, old) {
        scale_and_record(views, one, d.replicas, ops);
        return;
    }
    if new.is_some_and(|n| is_saturated(d, &views[n])) {
        for &i in old {
            if views[i].replicas > 0 {
                scale_and_record(views, i, 0, ops);
            }
        }
        return;
    }
    if !matches!(d.strategy, DeploymentStrategy::RollingUpdate { .. }) {
        return;
    }
    let mut all: Vec<usize> = old
        .iter()
        .copied()
        .chain(new)
        .filter(|&i| views[i].replicas > 0)
        .collect();
    let current = get_replica_count(views, &all);
    let allowed = if d.replicas > 0 {
        d.replicas.saturating_add(max_surge(d))
    } else {
        0
    };
    let to_add = allowed - current;
    if to_add > 0 {
        all.sort_by(|&a, &b| by_size_newer(&views[a], &views[b]));
    } else if to_add < 0 {
        all.sort_by(|&a, &b| by_size_older(&views[a], &views[b]));
    }
    let mut added = 0;
    let mut sizes: Vec<i32> = Vec::with_capacity(all.len());
    for &i in &all {
        let rs = &views[i];
        if to_add != 0 {
            let p = get_proportion(rs, d, to_add, added);
            sizes.push(rs.replicas + p);
            added += p;
        } else {
            sizes.push(rs.replicas);
        }
    }
    for (k, &i) in all.iter().enumerate() {
        let mut size = sizes[k];
        if k == 0 && to_add != 0 {
            size = (size + to_add - added).max(0);
        }
        // `scaleReplicaSet`: always rewrites the replicas annotations.
        let from = views[i].replicas;
        views[i].replicas = size;
        ops.push(ScaleOp {
            index: i,
            from,
            to: size,
            // Each ReplicaSet's own direction (`scaleReplicaSetAndRecordEvent`:
            // `*(rs.Spec.Replicas) < newScale`): one can shrink while the
            // total grows.
            up: size > from,
        });
    }
}

/// `cleanupDeployment`: beyond `revisionHistoryLimit`, the old
/// ReplicaSets with no replicas (spec and status) and, in 1.35, no
/// terminating pods, lowest revision first, are deleted. Returns the
/// indexes to delete.
pub fn cleanup_deployment(
    d: &Deployment,
    views: &[RsView],
    old: &[usize],
    revisions: &[i64],
) -> Vec<usize> {
    let limit = usize::try_from(d.revision_history_limit).unwrap_or(0);
    if old.len() <= limit {
        return Vec::new();
    }
    let diff = old.len() - limit;
    let mut by_revision: Vec<usize> = old.to_vec();
    by_revision.sort_by(|&a, &b| {
        revisions[a]
            .cmp(&revisions[b])
            .then_with(|| super::util::by_creation(&views[a], &views[b]))
    });
    by_revision
        .into_iter()
        .take(diff)
        // 1.35 also keeps a ReplicaSet whose pods are still terminating
        // (`DeploymentReplicaSetTerminatingReplicas`).
        .filter(|&i| {
            views[i].replicas == 0 && views[i].status_replicas == 0 && views[i].terminating == 0
        })
        .collect()
}

/// `calculateStatus`: the counts of the Deployment from its ReplicaSets',
/// and the `Available` condition (`MinimumReplicasAvailable` when at
/// least replicas − maxUnavailable are available); the `Progressing`
/// condition is carried over (see `progress`).
pub fn calculate_status(
    d: &Deployment,
    views: &[RsView],
    all: &[usize],
    new: Option<usize>,
    now: SimTime,
) -> DeploymentStatus {
    let available = get_available_replica_count(views, all);
    let total = get_replica_count(views, all);
    let mut status = DeploymentStatus {
        observed_generation: d.metadata.generation,
        replicas: get_actual_replica_count(views, all),
        updated_replicas: new.map_or(0, |n| views[n].status_replicas),
        ready_replicas: get_ready_replica_count(views, all),
        available_replicas: available,
        unavailable_replicas: (total - available).max(0),
        terminating_replicas: all
            .iter()
            .fold(0i32, |n, &i| n.saturating_add(views[i].terminating)),
        progressing: d.status.progressing.clone(),
        available: d.status.available.clone(),
    };
    let c = if available >= d.replicas - max_unavailable(d) {
        condition(
            "True",
            "MinimumReplicasAvailable",
            "Deployment has minimum availability.".into(),
            now,
        )
    } else {
        condition(
            "False",
            "MinimumReplicasUnavailable",
            "Deployment does not have minimum availability.".into(),
            now,
        )
    };
    set_condition(&mut status.available, c);
    status
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubesim_core::{IntOrPercent, LabelSelector, ObjectMeta, PodTemplate};

    fn deployment(replicas: i32, surge: i32, unavailable: i32) -> Deployment {
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

    /// One case of sync_test.go `TestScale`.
    struct Case {
        name: &'static str,
        /// (replicas, maxSurge, maxUnavailable) after and before.
        deployment: (i32, i32, i32),
        old_deployment: (i32, i32, i32),
        /// (name, replicas, created hour); `None` for no new ReplicaSet.
        new: Option<(&'static str, i32, u64)>,
        old: &'static [(&'static str, i32, u64)],
        expected_new: Option<i32>,
        expected_old: &'static [i32],
        /// The new ReplicaSet's available replicas (saturation).
        new_available: Option<i32>,
    }

    // sync_test.go `TestScale`, every case but "failed rs update" (which
    // needs an API write to fail). Timestamps: new 2h, old 1h, older 0h.
    const CASES: &[Case] = &[
        Case {
            name: "normal scaling event: 10 -> 12",
            deployment: (12, 0, 0),
            old_deployment: (10, 0, 0),
            new: Some(("foo-v1", 10, 2)),
            old: &[],
            expected_new: Some(12),
            expected_old: &[],
            new_available: None,
        },
        Case {
            name: "normal scaling event: 10 -> 5",
            deployment: (5, 0, 0),
            old_deployment: (10, 0, 0),
            new: Some(("foo-v1", 10, 2)),
            old: &[],
            expected_new: Some(5),
            expected_old: &[],
            new_available: None,
        },
        Case {
            name: "proportional scaling: 5 -> 10",
            deployment: (10, 0, 0),
            old_deployment: (5, 0, 0),
            new: Some(("foo-v2", 2, 2)),
            old: &[("foo-v1", 3, 1)],
            expected_new: Some(4),
            expected_old: &[6],
            new_available: None,
        },
        Case {
            name: "proportional scaling: 5 -> 3",
            deployment: (3, 0, 0),
            old_deployment: (5, 0, 0),
            new: Some(("foo-v2", 2, 2)),
            old: &[("foo-v1", 3, 1)],
            expected_new: Some(1),
            expected_old: &[2],
            new_available: None,
        },
        Case {
            name: "proportional scaling: 9 -> 4",
            deployment: (4, 0, 0),
            old_deployment: (9, 0, 0),
            new: Some(("foo-v2", 8, 2)),
            old: &[("foo-v1", 1, 1)],
            expected_new: Some(4),
            expected_old: &[0],
            new_available: None,
        },
        Case {
            name: "proportional scaling: 7 -> 10",
            deployment: (10, 0, 0),
            old_deployment: (7, 0, 0),
            new: Some(("foo-v3", 2, 2)),
            old: &[("foo-v2", 3, 1), ("foo-v1", 2, 0)],
            expected_new: Some(3),
            expected_old: &[4, 3],
            new_available: None,
        },
        Case {
            name: "proportional scaling: 13 -> 8",
            deployment: (8, 0, 0),
            old_deployment: (13, 0, 0),
            new: Some(("foo-v3", 2, 2)),
            old: &[("foo-v2", 8, 1), ("foo-v1", 3, 0)],
            expected_new: Some(1),
            expected_old: &[5, 2],
            new_available: None,
        },
        Case {
            name: "leftover distribution: 3 -> 4",
            deployment: (4, 0, 0),
            old_deployment: (3, 0, 0),
            new: Some(("foo-v3", 1, 2)),
            old: &[("foo-v2", 1, 1), ("foo-v1", 1, 0)],
            expected_new: Some(2),
            expected_old: &[1, 1],
            new_available: None,
        },
        Case {
            name: "leftover distribution: 3 -> 2",
            deployment: (2, 0, 0),
            old_deployment: (3, 0, 0),
            new: Some(("foo-v3", 1, 2)),
            old: &[("foo-v2", 1, 1), ("foo-v1", 1, 0)],
            expected_new: Some(1),
            expected_old: &[1, 0],
            new_available: None,
        },
        Case {
            name: "proportional scaling (no new rs): 4 -> 5",
            deployment: (5, 0, 0),
            old_deployment: (4, 0, 0),
            new: None,
            old: &[("foo-v2", 2, 1), ("foo-v1", 2, 0)],
            expected_new: None,
            expected_old: &[3, 2],
            new_available: None,
        },
        Case {
            name: "proportional scaling: 6 -> 0",
            deployment: (0, 0, 0),
            old_deployment: (6, 0, 0),
            new: Some(("foo-v3", 3, 2)),
            old: &[("foo-v2", 2, 1), ("foo-v1", 1, 0)],
            expected_new: Some(0),
            expected_old: &[0, 0],
            new_available: None,
        },
        Case {
            name: "proportional scaling: 0 -> 6",
            deployment: (6, 0, 0),
            old_deployment: (6, 0, 0),
            new: Some(("foo-v3", 0, 2)),
            old: &[("foo-v2", 0, 1), ("foo-v1", 0, 0)],
            expected_new: Some(6),
            expected_old: &[0, 0],
            new_available: None,
        },
        Case {
            name: "deployment with surge pods",
            deployment: (20, 2, 0),
            old_deployment: (10, 2, 0),
            new: Some(("foo-v2", 6, 2)),
            old: &[("foo-v1", 6, 1)],
            expected_new: Some(11),
            expected_old: &[11],
            new_available: None,
        },
        Case {
            name: "change both surge and size",
            deployment: (50, 6, 0),
            old_deployment: (10, 3, 0),
            new: Some(("foo-v2", 5, 2)),
            old: &[("foo-v1", 8, 1)],
            expected_new: Some(22),
            expected_old: &[34],
            new_available: None,
        },
        Case {
            name: "change both size and template",
            deployment: (14, 0, 0),
            old_deployment: (10, 0, 0),
            new: None,
            old: &[("foo-v2", 7, 2), ("foo-v1", 3, 1)],
            expected_new: None,
            expected_old: &[10, 4],
            new_available: None,
        },
        Case {
            name: "saturated but broken new replica set does not affect old pods",
            deployment: (2, 1, 1),
            old_deployment: (2, 1, 1),
            new: Some(("foo-v2", 2, 2)),
            old: &[("foo-v1", 1, 1)],
            expected_new: Some(2),
            expected_old: &[1],
            new_available: Some(0),
        },
    ];

    #[test]
    fn scale_table() {
        for c in CASES {
            let (r, s, u) = c.deployment;
            let d = deployment(r, s, u);
            let (or, os, ou) = c.old_deployment;
            let od = deployment(or, os, ou);
            // The test sets each ReplicaSet's annotations from the old
            // Deployment (`SetReplicasAnnotations`).
            let annotate = |replicas: i32, hour: u64, id: u32| {
                let mut v = RsView::new(id, hour * 3600, replicas);
                v.desired_annotation = Some(od.replicas);
                v.max_annotation = Some(od.replicas + max_surge(&od));
                v
            };
            let mut views: Vec<RsView> = c
                .old
                .iter()
                .enumerate()
                .map(|(i, &(_, r, h))| annotate(r, h, i as u32))
                .collect();
            let old: Vec<usize> = (0..views.len()).collect();
            let new = c.new.map(|(_, r, h)| {
                let mut v = annotate(r, h, 100);
                if let Some(a) = c.new_available {
                    v.available = a;
                }
                views.push(v);
                views.len() - 1
            });
            let mut ops = Vec::new();
            scale(&d, &mut views, new, &old, &mut ops);
            if let (Some(n), Some(want)) = (new, c.expected_new) {
                assert_eq!(views[n].replicas, want, "{}: new", c.name);
            }
            for (k, &want) in c.expected_old.iter().enumerate() {
                assert_eq!(views[k].replicas, want, "{}: old {k}", c.name);
            }
        }
    }

    // sync_test.go `TestDeploymentController_cleanupDeployment`:
    // (old ReplicaSets as (spec, status) replicas, revisionHistoryLimit,
    // expected deletions). The already-deleted case has no counterpart:
    // kubesim's views hold live ReplicaSets only.
    #[test]
    fn cleanup_deployment_table() {
        type Row = (&'static [(i32, i32)], i32, usize);
        let table: [Row; 5] = [
            (&[(0, 0), (0, 0), (0, 0)], 1, 2),
            (&[(0, 0), (0, 1), (1, 0), (1, 1)], 0, 1),
            (&[(0, 0), (0, 0)], 0, 2),
            (&[(1, 1), (1, 1)], 0, 0),
            (&[(0, 0), (0, 0), (0, 0)], i32::MAX, 0),
        ];
        for (i, (sets, limit, want)) in table.into_iter().enumerate() {
            let mut d = deployment(1, 0, 1);
            d.revision_history_limit = limit;
            let views: Vec<RsView> = sets
                .iter()
                .enumerate()
                .map(|(k, &(spec, status))| {
                    let mut v = RsView::new(k as u32, k as u64, spec);
                    v.status_replicas = status;
                    v
                })
                .collect();
            let old: Vec<usize> = (0..views.len()).collect();
            let revisions: Vec<i64> = (1..=views.len() as i64).collect();
            let gone = cleanup_deployment(&d, &views, &old, &revisions);
            assert_eq!(gone.len(), want, "case {i}");
        }
    }

    /// 1.35 (`DeploymentReplicaSetTerminatingReplicas`): an old ReplicaSet
    /// scaled to 0 whose pods are still terminating is kept until they
    /// are gone.
    #[test]
    fn cleanup_keeps_replica_sets_with_terminating_pods() {
        let mut d = deployment(1, 0, 1);
        d.revision_history_limit = 0;
        let mut views = vec![RsView::new(0, 0, 0), RsView::new(1, 1, 0)];
        views[0].terminating = 2;
        let gone = cleanup_deployment(&d, &views, &[0, 1], &[1, 2]);
        assert_eq!(gone, [1]);
    }
}
