//! One Deployment synced by hand on a bare [`Store`] (no engine, no
//! pods): ReplicaSet statuses are set directly, so each test puts the
//! controller in exactly the state an upstream case describes.

use super::*;
use kubesim_core::{entity_rng, Container, IntOrPercent, LabelSelector, PodSpec, PodTemplate};

struct Harness {
    store: Store,
    dc: DeploymentController,
    rsc: ReplicaSetController,
    id: DeploymentId,
}

fn template(image: &str) -> PodTemplate {
    let mut labels = kubesim_core::Labels::new();
    labels.insert("app".into(), "web".into());
    PodTemplate {
        labels,
        annotations: Default::default(),
        spec: PodSpec {
            containers: vec![Container {
                name: "app".into(),
                image: image.into(),
                ..Default::default()
            }],
            ..Default::default()
        },
    }
}

impl Harness {
    /// Deployment `web`, RollingUpdate maxSurge 1 maxUnavailable 0,
    /// `replicas` of `web:1`, no revision history kept.
    fn new(replicas: i32) -> Self {
        let mut d = Deployment::new(
            ObjectMeta::named("web"),
            replicas,
            LabelSelector::default(),
            template("web:1"),
        );
        d.strategy = DeploymentStrategy::RollingUpdate {
            max_surge: IntOrPercent::Int(1),
            max_unavailable: IntOrPercent::Int(0),
        };
        d.revision_history_limit = 0;
        let mut store = Store::new(1000);
        let id = store.create_deployment(d).unwrap();
        let mut rsc = ReplicaSetController::default();
        let group = rsc.new_group(entity_rng(1, "deployment", "web"));
        let mut dc = DeploymentController::default();
        dc.add(id, group);
        Harness { store, dc, rsc, id }
    }

    fn sync(&mut self, now_s: u64) {
        let (mut events, mut timers, mut touched) = (Vec::new(), Vec::new(), Vec::new());
        let mut out = SyncOut {
            events: &mut events,
            timers: &mut timers,
            touched: &mut touched,
        };
        let now = SimTime::from_secs(now_s);
        self.dc
            .sync(&mut self.store, &mut self.rsc, self.id, now, &mut out)
            .unwrap();
        self.dc.check_invariants(&self.store).unwrap();
    }

    /// The live ReplicaSet running `image`.
    fn rs(&self, image: &str) -> Option<ReplicaSetId> {
        self.store
            .replica_sets()
            .find(|(_, rs)| {
                rs.metadata.deletion_timestamp.is_none()
                    && rs.template.spec.containers[0].image == image
            })
            .map(|(id, _)| id)
    }

    /// Its pods all there and available (as its controller would report).
    fn settle(&mut self, rs: ReplicaSetId) {
        let n = self.store.replica_set(rs).replicas;
        let status = ReplicaSetStatus {
            replicas: n,
            ready_replicas: n,
            available_replicas: n,
            terminating_replicas: 0,
        };
        self.store.set_replica_set_status(rs, status);
    }

    fn annotation(&self, rs: ReplicaSetId, key: &str) -> Option<String> {
        self.store
            .replica_set(rs)
            .metadata
            .annotations
            .get(key)
            .cloned()
    }
}

/// Rolls `web:1` (2 replicas) out, then starts `web:2`: its ReplicaSet is
/// created with the surge pod (1), which has no pod yet.
fn mid_rollout() -> (Harness, ReplicaSetId, ReplicaSetId) {
    let mut h = Harness::new(2);
    h.sync(0);
    let v1 = h.rs("web:1").unwrap();
    h.settle(v1);
    h.sync(1);
    h.store.set_deployment_template(h.id, template("web:2"));
    h.sync(10);
    let v2 = h.rs("web:2").unwrap();
    assert_eq!(h.store.replica_set(v2).replicas, 1);
    assert_eq!(h.store.replica_set(v2).status.replicas, 0);
    (h, v1, v2)
}

// sync.go `sync` → `cleanupDeployment(ctx, oldRSs, d)`: `oldRSs` is the
// list the sync started with; `scale` writes copies and drops them. A
// paused Deployment rolled back to `web:1` mid-rollout: `scale` takes the
// `web:2` ReplicaSet (spec 1, no pod yet) to 0 because `web:1` is
// saturated; cleanup (revisionHistoryLimit 0) still sees spec 1 and keeps
// it. The next sync deletes it.
#[test]
fn paused_cleanup_judges_replica_sets_as_listed() {
    let (mut h, v1, v2) = mid_rollout();
    h.store.set_deployment_paused(h.id, true);
    h.store.set_deployment_template(h.id, template("web:1"));
    h.sync(20);
    assert_eq!(h.store.replica_set(v1).replicas, 2);
    assert_eq!(h.store.replica_set(v2).replicas, 0);
    assert!(
        h.store
            .replica_set(v2)
            .metadata
            .deletion_timestamp
            .is_none(),
        "deleted in the sync that scaled it down"
    );
    h.sync(21);
    assert!(h
        .store
        .replica_set(v2)
        .metadata
        .deletion_timestamp
        .is_some());
}

// deployment_util.go `SetNewReplicaSetAnnotations`: a rollback reuses
// the `web:1` ReplicaSet; its revision goes from 1 to 3 and the old one
// to `deployment.kubernetes.io/revision-history`. Rolling back again
// (to `web:2`, revision 2 → 4; then `web:1`, 3 → 5) appends.
#[test]
fn rollback_records_the_revision_history() {
    let (mut h, v1, v2) = mid_rollout();
    assert_eq!(h.annotation(v1, REVISION_HISTORY_ANNOTATION), None);
    h.store.set_deployment_template(h.id, template("web:1"));
    h.sync(20);
    assert_eq!(h.annotation(v1, REVISION_ANNOTATION).as_deref(), Some("3"));
    assert_eq!(
        h.annotation(v1, REVISION_HISTORY_ANNOTATION).as_deref(),
        Some("1")
    );
    assert_eq!(h.annotation(v2, REVISION_HISTORY_ANNOTATION), None);
    h.store.set_deployment_template(h.id, template("web:2"));
    h.sync(30);
    assert_eq!(h.annotation(v2, REVISION_ANNOTATION).as_deref(), Some("4"));
    assert_eq!(
        h.annotation(v2, REVISION_HISTORY_ANNOTATION).as_deref(),
        Some("2")
    );
    h.store.set_deployment_template(h.id, template("web:1"));
    h.sync(40);
    assert_eq!(h.annotation(v1, REVISION_ANNOTATION).as_deref(), Some("5"));
    assert_eq!(
        h.annotation(v1, REVISION_HISTORY_ANNOTATION).as_deref(),
        Some("1,3")
    );
}

// `copyDeploymentAnnotationsToReplicaSet`: an existing new ReplicaSet
// takes the Deployment's annotations as they change, but not the
// skipped ones.
#[test]
fn existing_replica_set_takes_deployment_annotations() {
    let mut h = Harness::new(1);
    h.sync(0);
    let v1 = h.rs("web:1").unwrap();
    for (k, v) in [
        ("team", "blue"),
        ("kubectl.kubernetes.io/last-applied-configuration", "{}"),
    ] {
        h.store.set_deployment_annotation(h.id, k, v.into());
    }
    h.sync(1);
    assert_eq!(h.annotation(v1, "team").as_deref(), Some("blue"));
    assert_eq!(
        h.annotation(v1, "kubectl.kubernetes.io/last-applied-configuration"),
        None
    );
}

// deployment_util.go `SetNewReplicaSetAnnotations`'s history step
// (`maxRevHistoryLengthInChars` bounds it): (history, old revision,
// limit) → new history, `None` for unchanged.
#[test]
fn append_revision_history_table() {
    let table: [(Option<&str>, &str, usize, Option<&str>); 6] = [
        (None, "1", 2000, Some("1")),
        (Some(""), "1", 2000, Some("1")),
        (Some("1,3"), "5", 2000, Some("1,3,5")),
        // "1,2,3,4" is 7 > 5: the oldest go until it fits.
        (Some("1,2,3"), "4", 5, Some("2,3,4")),
        (Some("10,2"), "3", 4, Some("2,3")),
        // One revision alone is longer than the limit.
        (Some("1,2"), "123456", 5, None),
    ];
    for (i, (history, old, limit, want)) in table.into_iter().enumerate() {
        assert_eq!(
            append_revision_history(history, old, limit).as_deref(),
            want,
            "case {i}"
        );
    }
}
