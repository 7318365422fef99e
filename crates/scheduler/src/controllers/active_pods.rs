//! Which pods a ReplicaSet deletes first when it scales down:
//! `ActivePodsWithRanks` (pkg/controller/controller_utils.go), as the
//! ReplicaSet controller uses it (`getPodsToDelete` with
//! `getPodsRankedByRelatedPodsOnSameNode`, pkg/controller/replicaset/replica_set.go),
//! with the `PodDeletionCost` and `LogarithmicScaleDown` features on (their
//! defaults since Kubernetes 1.22).
//!
//! Order, first deleted first:
//! 1. unscheduled before scheduled;
//! 2. Pending before Unknown before Running;
//! 3. not ready before ready;
//! 4. lower `controller.kubernetes.io/pod-deletion-cost` first;
//! 5. more pods of the same set on the same node ("doubled up") first;
//! 6. both ready: ready more recently first, compared on a log₂ scale of
//!    age (ties in the same bucket by UID);
//! 7. higher maximum restart count of the app containers first, then
//!    (equal) of the sidecars — restartable init containers
//!    (`compareMaxContainerRestarts`);
//! 8. created more recently first, on the same log₂ scale.
//!
//! Ready and creation times are `metav1.Time`s the controller reads from
//! the API, so they are compared at whole seconds
//! ([`whole_seconds`]); the age on the log₂ scale is measured from the
//! controller's own clock (`metav1.Now()`, not truncated).
//!
//! kubesim's pod UID is the FNV-1a hash of the pod's name: pseudorandom, as
//! upstream's UIDs, but reproducible. Pods with the same ready (creation)
//! time share the smallest of their UIDs, which makes the order total
//! (upstream's is not; see `unify_uids`).

use super::deployment::util::whole_seconds;
use kubesim_core::{stable_hash, PodConditionType, PodEntry, PodId, PodPhase, SimTime, Store};
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// The annotation that orders pods for deletion (`PodDeletionCost`).
pub const POD_DELETION_COST: &str = "controller.kubernetes.io/pod-deletion-cost";

/// What `ActivePodsWithRanks.Less` looks at, for one pod.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivePodRank {
    /// The pod ranked.
    pub pod: PodId,
    assigned: bool,
    phase_ordinal: u8,
    ready: bool,
    deletion_cost: i32,
    /// Active pods of the same set on this pod's node.
    colocated: usize,
    /// The Ready condition's `lastTransitionTime`, at whole seconds.
    ready_since: Option<SimTime>,
    /// `maxContainerRestarts`: the app containers' maximum restarts.
    max_restarts: u32,
    /// The same for restartable init containers (sidecars).
    max_sidecar_restarts: u32,
    /// `creationTimestamp`, at whole seconds.
    created: SimTime,
    /// The UID standing for `ready_since` within its log₂ bucket: the
    /// smallest UID of the ranked pods ready since that instant.
    ready_uid: u64,
    /// The same for `created`.
    created_uid: u64,
}

impl ActivePodRank {
    /// Ranks `pods` (all owned by one set) as upstream does before sorting.
    pub fn rank_all(store: &Store, pods: &[PodId]) -> Vec<ActivePodRank> {
        Self::rank_with_related(store, pods, pods)
    }

    /// Ranks `pods`, counting pods "doubled up" on a node among `related`
    /// (`getPodsRankedByRelatedPodsOnSameNode`: the active pods of every
    /// ReplicaSet of the same Deployment).
    pub fn rank_with_related(
        store: &Store,
        pods: &[PodId],
        related: &[PodId],
    ) -> Vec<ActivePodRank> {
        let mut per_node: BTreeMap<Option<u32>, usize> = BTreeMap::new();
        for &p in related {
            *per_node
                .entry(store.pod(p).node().map(|n| n.0))
                .or_default() += 1;
        }
        let mut ranks: Vec<ActivePodRank> = pods
            .iter()
            .map(|&pid| {
                let p = store.pod(pid);
                let ready = p.is_ready();
                ActivePodRank {
                    pod: pid,
                    assigned: p.node().is_some(),
                    phase_ordinal: match p.phase() {
                        PodPhase::Pending => 0,
                        PodPhase::Running => 2,
                        _ => 0,
                    },
                    ready,
                    deletion_cost: p
                        .pod()
                        .metadata
                        .annotations
                        .get(POD_DELETION_COST)
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(0),
                    colocated: per_node.get(&p.node().map(|n| n.0)).copied().unwrap_or(0),
                    ready_since: ready
                        .then(|| {
                            p.pod()
                                .status
                                .conditions
                                .iter()
                                .find(|c| c.kind == PodConditionType::Ready && c.status)
                                .map(|c| whole_seconds(c.last_transition_time))
                        })
                        .flatten(),
                    max_restarts: max_container_restarts(p).0,
                    max_sidecar_restarts: max_container_restarts(p).1,
                    created: whole_seconds(p.pod().metadata.creation_timestamp),
                    ready_uid: stable_hash("pod", p.name()),
                    created_uid: stable_hash("pod", p.name()),
                }
            })
            .collect();
        unify_uids(&mut ranks);
        ranks
    }

    /// `ActivePodsWithRanks.Less` as an ordering: `Less` when `self` is
    /// deleted before `other`. Total (see [`unify_uids`]), so sorting is
    /// deterministic and never sees an inconsistent order.
    pub fn cmp_delete_first(&self, other: &Self, now: SimTime) -> Ordering {
        let (a, b) = (self, other);
        // 1. Unassigned < assigned.
        a.assigned
            .cmp(&b.assigned)
            // 2. PodPending < PodUnknown < PodRunning.
            .then(a.phase_ordinal.cmp(&b.phase_ordinal))
            // 3. Not ready < ready.
            .then(a.ready.cmp(&b.ready))
            // 4. Lower pod-deletion-cost < higher.
            .then(a.deletion_cost.cmp(&b.deletion_cost))
            // 5. Doubled up < not doubled up.
            .then(b.colocated.cmp(&a.colocated))
            // 6. Been ready for less time < more time (log scale), then
            //    the UID of the ready time.
            .then_with(
                || match (a.ready && b.ready, a.ready_since, b.ready_since) {
                    (true, Some(ta), Some(tb)) => log_rank(ta, now)
                        .cmp(&log_rank(tb, now))
                        .then(a.ready_uid.cmp(&b.ready_uid)),
                    _ => Ordering::Equal,
                },
            )
            // 7. Higher restart count < lower: app containers, then
            //    (equal) sidecars (`compareMaxContainerRestarts`).
            .then(b.max_restarts.cmp(&a.max_restarts))
            .then(b.max_sidecar_restarts.cmp(&a.max_sidecar_restarts))
            // 8. Newer < older (log scale), then the UID of the creation
            //    time.
            .then_with(|| {
                log_rank(a.created, now)
                    .cmp(&log_rank(b.created, now))
                    .then(a.created_uid.cmp(&b.created_uid))
            })
            // kubesim: a final tie-break so the order is total.
            .then(b.pod.cmp(&a.pod))
    }
}

/// `maxContainerRestarts`: the highest restart count of the app
/// containers (`status.containerStatuses`) and of the restartable init
/// containers (`initContainerStatuses` of those with `restartPolicy:
/// Always`); ordinary init containers count in neither.
fn max_container_restarts(p: &PodEntry) -> (u32, u32) {
    let pod = p.pod();
    let n_init = p.init_count();
    let statuses = &pod.status.container_statuses;
    debug_assert!(statuses.is_empty() || statuses.len() == pod.spec.container_count());
    let app = statuses
        .iter()
        .skip(n_init)
        .map(|c| c.restart_count)
        .max()
        .unwrap_or(0);
    let sidecar = statuses
        .iter()
        .zip(&pod.spec.init_containers)
        .filter(|(_, c)| c.is_sidecar())
        .map(|(s, _)| s.restart_count)
        .max()
        .unwrap_or(0);
    (app, sidecar)
}

/// Pods with the same ready (creation) time share one UID for rule 6
/// (8): the smallest of theirs. Upstream decides two *different* times of
/// one log₂ bucket by the pods' UIDs but lets *equal* times fall through
/// to the next rule — not a total order when both happen among three
/// pods. Giving every time one UID keeps both behaviours and makes the
/// order total.
fn unify_uids(ranks: &mut [ActivePodRank]) {
    let mut ready: BTreeMap<SimTime, u64> = BTreeMap::new();
    let mut created: BTreeMap<SimTime, u64> = BTreeMap::new();
    for r in ranks.iter() {
        if let Some(t) = r.ready_since {
            let e = ready.entry(t).or_insert(r.ready_uid);
            *e = (*e).min(r.ready_uid);
        }
        let e = created.entry(r.created).or_insert(r.created_uid);
        *e = (*e).min(r.created_uid);
    }
    for r in ranks.iter_mut() {
        if let Some(t) = r.ready_since {
            r.ready_uid = ready[&t];
        }
        r.created_uid = created[&r.created];
    }
}

/// `logarithmicRankDiff`'s rank of a timestamp: ⌊log₂(age in ns)⌋, −1
/// for no age.
fn log_rank(t: SimTime, now: SimTime) -> i64 {
    let d = now.0.saturating_sub(t.0);
    if d > 0 {
        (d as f64).log2() as i64
    } else {
        -1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A month, and the test's "now" (a month and a day in, so that
    /// "then" is after time 0).
    const MONTH: u64 = 30 * 24 * 3600;
    const NOW: u64 = MONTH + 24 * 3600;

    #[derive(Clone, Copy)]
    struct P {
        id: u32,
        assigned: bool,
        running: bool,
        ready: bool,
        restarts: u32,
        ready_ago_s: u64,
        created_ago_s: u64,
        cost: i32,
    }

    /// controller_utils_test.go `TestSortingActivePodsWithRanks`'s `pod`
    /// (UIDs all empty there).
    fn rank(p: P, colocated: usize) -> ActivePodRank {
        ActivePodRank {
            pod: PodId(p.id),
            assigned: p.assigned,
            phase_ordinal: if p.running { 2 } else { 0 },
            ready: p.ready,
            deletion_cost: p.cost,
            colocated,
            ready_since: p.ready.then(|| SimTime::from_secs(NOW - p.ready_ago_s)),
            max_restarts: p.restarts,
            max_sidecar_restarts: 0,
            created: SimTime::from_secs(NOW - p.created_ago_s),
            ready_uid: 0,
            created_uid: 0,
        }
    }

    // controller_utils_test.go `TestSortingActivePodsWithRanks` with
    // `PodDeletionCost` and `LogarithmicScaleDown` on. Not ported: the
    // `PodUnknown` phase and Ready conditions without a transition time
    // (kubesim has neither) and the cases with the features off.
    #[test]
    fn sorting_active_pods_with_ranks_table() {
        let pod = |id, assigned, running, ready, restarts, ready_ago_s, created_ago_s, cost| P {
            id,
            assigned,
            running,
            ready,
            restarts,
            ready_ago_s,
            created_ago_s,
            cost,
        };
        let h = 3600;
        let unscheduled = pod(0, false, false, false, 0, 0, NOW, 0);
        let scheduled_pending = pod(1, true, false, false, 0, 0, NOW, 0);
        let running_not_ready = pod(2, true, true, false, 0, 0, NOW, 0);
        let ready_now = pod(3, true, true, true, 0, 0, 0, 0);
        let ready_then = pod(4, true, true, true, 0, MONTH, MONTH, 0);
        let ready_now_high_restarts = pod(5, true, true, true, 9001, 0, 0, 0);
        let ready_now_created_then = pod(6, true, true, true, 0, 0, MONTH, 0);
        let low_cost = pod(7, true, true, true, 0, 0, MONTH, 10);
        let high_cost = pod(8, true, true, true, 0, 0, MONTH, 100);
        let unscheduled_5h = pod(9, false, false, false, 0, 5 * h, 5 * h, 0);
        let unscheduled_8h = pod(10, false, false, false, 0, 8 * h, 8 * h, 0);
        let ready_2h = pod(11, false, true, true, 0, 2 * h, MONTH, 0);
        let ready_5h = pod(12, false, true, true, 0, 5 * h, MONTH, 0);
        let ready_8h = pod(13, false, true, true, 0, 8 * h, MONTH, 0);
        let now = SimTime::from_secs(NOW);
        // Equality: neither is less (the same pod, or the same log₂ bucket).
        let same = |a: P, b: P| {
            let (mut x, y) = (rank(a, 1), rank(b, 1));
            x.pod = y.pod;
            x.cmp_delete_first(&y, now) == Ordering::Equal
        };
        for p in [
            unscheduled,
            scheduled_pending,
            running_not_ready,
            ready_now_created_then,
            ready_now,
            ready_then,
            ready_now_high_restarts,
        ] {
            assert!(same(p, p), "pod {}", p.id);
        }
        // Same log₂ bucket, same (empty) UIDs: equal.
        assert!(same(unscheduled_5h, unscheduled_8h));
        assert!(same(ready_5h, ready_8h));
        // Inequality: (lesser, its rank, greater, its rank).
        let table = [
            (unscheduled, 1, scheduled_pending, 2),
            (unscheduled, 2, scheduled_pending, 1),
            (scheduled_pending, 1, running_not_ready, 2),
            (running_not_ready, 1, ready_now, 1),
            (ready_now, 1, ready_then, 1),
            (ready_now, 2, ready_then, 1),
            (ready_now_high_restarts, 1, ready_now, 1),
            (ready_now, 2, ready_now_high_restarts, 1),
            (ready_now, 1, ready_now_created_then, 1),
            (ready_now_created_then, 2, ready_now, 1),
            (low_cost, 2, high_cost, 1),
            (ready_2h, 1, ready_5h, 1),
        ];
        for (i, (a, ra, b, rb)) in table.into_iter().enumerate() {
            let (x, y) = (rank(a, ra), rank(b, rb));
            assert_eq!(x.cmp_delete_first(&y, now), Ordering::Less, "case {i}");
            assert_eq!(y.cmp_delete_first(&x, now), Ordering::Greater, "case {i}");
        }
    }

    /// One pod of a store-backed test: created and Ready at (ms), app
    /// container and sidecar restarts.
    struct Made {
        created_ms: u64,
        ready_ms: u64,
        app_restarts: u32,
        sidecar_restarts: u32,
    }

    /// Pods with a sidecar (a restartable init container) and an app
    /// container, bound, running and Ready as `made` says.
    fn store_with(made: &[Made]) -> (Store, Vec<PodId>) {
        use kubesim_core::{
            Container, Node, ObjectMeta, Pod, PodSpec, ResourceList, RestartPolicy,
        };
        let mut store = Store::new(1000);
        let node = Node::new(
            ObjectMeta::named("n1"),
            ResourceList {
                milli_cpu: 64_000,
                memory: 256 << 30,
                pods: 110,
                scalar: Vec::new(),
            },
            ResourceList::default(),
        );
        let n = store.add_node(node, SimTime::ZERO).unwrap();
        let mut pids = Vec::new();
        for (i, m) in made.iter().enumerate() {
            let spec = PodSpec {
                init_containers: vec![Container {
                    name: "proxy".into(),
                    image: "proxy".into(),
                    restart_policy: Some(RestartPolicy::Always),
                    ..Default::default()
                }],
                containers: vec![Container {
                    name: "app".into(),
                    image: "app".into(),
                    ..Default::default()
                }],
                ..Default::default()
            };
            let pod = Pod {
                metadata: ObjectMeta::named(format!("web-{i}")),
                spec,
                status: Default::default(),
            };
            let created = SimTime::from_millis(m.created_ms);
            let pid = store.create_pod(pod, created).unwrap();
            store.bind(pid, n, created);
            for (ci, restarts) in [(0, m.sidecar_restarts), (1, m.app_restarts)] {
                store.set_container_running(pid, ci, created);
                for _ in 0..restarts {
                    store.set_container_terminated(pid, ci, None);
                    store.record_restart(pid, ci);
                    store.set_container_running(pid, ci, created);
                }
            }
            store.set_pod_ready(pid, true, SimTime::from_millis(m.ready_ms));
            pids.push(pid);
        }
        (store, pids)
    }

    fn first_deleted(made: &[Made], now: SimTime) -> PodId {
        let (store, pids) = store_with(made);
        let mut ranks = ActivePodRank::rank_all(&store, &pids);
        ranks.sort_by(|a, b| a.cmp_delete_first(b, now));
        ranks[0].pod
    }

    // controller_utils.go `compareMaxContainerRestarts` (1.35): app
    // containers' restarts first; only when equal, the restartable init
    // containers' (sidecars'). Same times otherwise, so without the
    // sidecar rule the pods would tie and the later pod id go first.
    #[test]
    fn sidecar_restarts_break_equal_app_restarts() {
        let pod = |app_restarts, sidecar_restarts| Made {
            created_ms: 1_000,
            ready_ms: 5_000,
            app_restarts,
            sidecar_restarts,
        };
        let now = SimTime::from_secs(100);
        // Equal app restarts: more sidecar restarts first.
        assert_eq!(first_deleted(&[pod(1, 3), pod(1, 0)], now), PodId(0));
        // App restarts decide before sidecar restarts.
        assert_eq!(first_deleted(&[pod(0, 9), pod(1, 0)], now), PodId(1));
        // Nothing differs: the kubesim tie-break, the later pod id.
        assert_eq!(first_deleted(&[pod(2, 2), pod(2, 2)], now), PodId(1));
    }

    // `podReadyTime` is the Ready condition's `lastTransitionTime`, a
    // `metav1.Time` at whole seconds: pods Ready at 10.2 s and 10.7 s have
    // the same ready time, so rule 6 passes and restarts decide. `now` is
    // chosen so that the nanosecond ages would fall in different log₂
    // buckets (34.16 s < 2³⁵ ns ≤ 34.66 s), which would delete the pod
    // Ready at 10.7 s first.
    #[test]
    fn ready_times_compare_at_whole_seconds() {
        let now = SimTime(10_500_000_000 + (1u64 << 35));
        let made = [
            Made {
                created_ms: 1_000,
                ready_ms: 10_200,
                app_restarts: 1,
                sidecar_restarts: 0,
            },
            Made {
                created_ms: 1_000,
                ready_ms: 10_700,
                app_restarts: 0,
                sidecar_restarts: 0,
            },
        ];
        assert_eq!(first_deleted(&made, now), PodId(0));
    }

    // `CreationTimestamp` is at whole seconds too: pods created at 3.7 s
    // and 3.2 s (ids 0 and 1) tie on rule 8 (upstream's `Less` is false
    // both ways), and the kubesim tie-break takes the later id; with
    // nanoseconds the pod created at 3.7 s would be the newer one, in a
    // lower log₂ bucket.
    #[test]
    fn creation_times_compare_at_whole_seconds() {
        let now = SimTime(3_450_000_000 + (1u64 << 35));
        let pod = |created_ms| Made {
            created_ms,
            ready_ms: 8_000,
            app_restarts: 0,
            sidecar_restarts: 0,
        };
        let (store, pids) = store_with(&[pod(3_700), pod(3_200)]);
        let ranks = ActivePodRank::rank_all(&store, &pids);
        assert_eq!(ranks[0].created, ranks[1].created);
        assert_eq!(ranks[0].created_uid, ranks[1].created_uid);
        assert_eq!(first_deleted(&[pod(3_700), pod(3_200)], now), PodId(1));
    }

    #[test]
    fn log_scale_buckets() {
        let now = SimTime::from_secs(1000);
        // 100 s and 120 s old: both in bucket ⌊log2(1e11..1.2e11 ns)⌋ = 36.
        assert_eq!(log_rank(SimTime::from_secs(900), now), 36);
        assert_eq!(log_rank(SimTime::from_secs(880), now), 36);
        // 10 s old vs 500 s old: different buckets.
        assert!(log_rank(SimTime::from_secs(990), now) < log_rank(SimTime::from_secs(500), now));
        assert_eq!(log_rank(now, now), -1);
    }

    proptest::proptest! {
        /// The order is total: antisymmetric and transitive on any pods
        /// (upstream's `Less` is not; see `cmp_delete_first`).
        #[test]
        fn delete_order_is_total(pods in proptest::collection::vec(
            (proptest::bool::ANY, proptest::bool::ANY, 0u32..3, 0u64..40, 0u64..40, 0usize..3, 0u64..5),
            1..8,
        )) {
            let now = SimTime::from_secs(NOW);
            let mut ranks: Vec<ActivePodRank> = pods
                .iter()
                .enumerate()
                .map(|(i, &(running, ready, restarts, ready_ago, created_ago, coloc, uid))| {
                    let mut r = rank(P {
                        id: i as u32,
                        assigned: true,
                        running,
                        ready,
                        restarts,
                        ready_ago_s: ready_ago,
                        created_ago_s: created_ago,
                        cost: 0,
                    }, coloc);
                    (r.ready_uid, r.created_uid) = (uid, uid);
                    r
                })
                .collect();
            unify_uids(&mut ranks);
            for a in &ranks {
                for b in &ranks {
                    let ab = a.cmp_delete_first(b, now);
                    proptest::prop_assert_eq!(ab, b.cmp_delete_first(a, now).reverse());
                    for c in &ranks {
                        if ab != Ordering::Greater && b.cmp_delete_first(c, now) != Ordering::Greater {
                            proptest::prop_assert_ne!(a.cmp_delete_first(c, now), Ordering::Greater);
                        }
                    }
                }
            }
        }
    }
}
