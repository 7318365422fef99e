//! The Deployment controller, ported from pkg/controller/deployment
//! (deployment_controller.go `syncDeployment`): one ReplicaSet per
//! template revision, named `<deployment>-<pod-template-hash>`, with the
//! `deployment.kubernetes.io/revision` annotation; a rollout by its
//! strategy ([`Strategy`]: [`rolling::RollingUpdate`],
//! [`recreate::Recreate`]); proportional scaling when `spec.replicas`
//! changes mid-rollout ([`sync::scale`]); `revisionHistoryLimit` cleanup
//! ([`sync::cleanup_deployment`]); the `Progressing` condition
//! ([`progress`]).
//!
//! The controller only sets ReplicaSets' `spec.replicas`; the
//! [`ReplicaSetController`] creates and deletes their pods. State per
//! Deployment ([`DeploymentState`]) is indexed by its [`DeploymentId`];
//! objects are read and written only through the [`Store`].

pub mod progress;
pub mod recreate;
pub mod rolling;
pub mod sync;
pub mod util;

use super::replicaset::ReplicaSetController;
use super::ControllerTimer;
use kubesim_core::{
    Deployment, DeploymentId, DeploymentStrategy, KubeEvent, LimitExceeded, ModelLimits,
    ObjectMeta, ObjectRef, OwnerReference, ReplicaSet, ReplicaSetId, ReplicaSetStatus, SimTime,
    Store, StoreError,
};
use util::{
    append_revision_history, equal_ignore_hash, max_surge, reasons, revision, RsView, ScaleOp,
    DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION, MAX_REV_HISTORY_LENGTH_IN_CHARS,
    POD_TEMPLATE_HASH_LABEL, REVISION_ANNOTATION, REVISION_HISTORY_ANNOTATION,
};

pub use util::{compute_hash, safe_encode_string, template_fingerprint};

/// A rollout strategy: decides, on the ReplicaSets' numbers, which
/// ReplicaSets to scale (`rolloutRolling`, `rolloutRecreate`).
pub trait Strategy {
    /// Records the scale operations of one sync in `r.ops` (and, for
    /// Recreate, whether to create the new ReplicaSet now).
    fn rollout(&self, d: &Deployment, r: &mut Rollout);
}

/// The ReplicaSets of a Deployment during one sync.
#[derive(Debug, Clone, Default)]
pub struct Rollout {
    /// Every live ReplicaSet, oldest first (`ReplicaSetsByCreationTimestamp`).
    pub views: Vec<RsView>,
    /// The new ReplicaSet (template equal to the Deployment's).
    pub new: Option<usize>,
    /// The others.
    pub old: Vec<usize>,
    /// What the strategy decided.
    pub ops: Vec<ScaleOp>,
    /// An old pod has not finished (`oldPodsRunning`; Recreate).
    pub old_pods_running: bool,
    /// Create the new ReplicaSet with `spec.replicas` (Recreate).
    pub create_new: bool,
    /// The strategy got as far as `cleanupDeployment` (which then runs if
    /// the Deployment's status says complete): RollingUpdate when it
    /// scaled nothing, Recreate once no old pod is left.
    pub cleanup: bool,
}

impl Rollout {
    /// Old ReplicaSets, then the new one.
    pub fn all(&self) -> Vec<usize> {
        self.old.iter().copied().chain(self.new).collect()
    }
}

/// The controller's state of one Deployment.
#[derive(Debug)]
pub struct DeploymentState {
    /// Its live ReplicaSets, in creation order.
    pub replica_sets: Vec<ReplicaSetId>,
    /// Its group (random stream, related pods) in the ReplicaSet
    /// controller.
    pub group: usize,
    /// The waiting progress check (`requeueStuckDeployment`'s
    /// `AddAfter`): the earliest one asked for.
    deadline_timer: Option<SimTime>,
}

/// All Deployments of a run, indexed by [`DeploymentId`].
#[derive(Debug, Default)]
pub struct DeploymentController {
    states: Vec<Option<DeploymentState>>,
}

/// The first ReplicaSet's name: `<deployment>-<pod-template-hash>`.
pub fn replica_set_name(d: &Deployment) -> String {
    format!("{}-{}", d.metadata.name, compute_hash(&d.template))
}

/// Where one sync writes what it did.
pub struct SyncOut<'a> {
    /// Kubernetes events.
    pub events: &'a mut Vec<KubeEvent>,
    /// Timers to arm.
    pub timers: &'a mut Vec<(SimTime, ControllerTimer)>,
    /// ReplicaSets whose `spec.replicas` changed (their controller syncs).
    pub touched: &'a mut Vec<ReplicaSetId>,
}

impl DeploymentController {
    /// Takes over Deployment `id`; its ReplicaSets are of `group`.
    pub fn add(&mut self, id: DeploymentId, group: usize) {
        if self.states.len() <= id.index() {
            self.states.resize_with(id.index() + 1, || None);
        }
        self.states[id.index()] = Some(DeploymentState {
            replica_sets: Vec::new(),
            group,
            deadline_timer: None,
        });
    }

    /// The state of Deployment `id`, if this controller manages it.
    pub fn state(&self, id: DeploymentId) -> Option<&DeploymentState> {
        self.states.get(id.index()).and_then(Option::as_ref)
    }

    /// A progress-deadline timer fired: `true` if it is the current one.
    pub fn deadline_timer_fired(&mut self, id: DeploymentId, now: SimTime) -> bool {
        match self.states.get_mut(id.index()) {
            Some(Some(st)) if st.deadline_timer == Some(now) => {
                st.deadline_timer = None;
                true
            }
            _ => false,
        }
    }

    /// `syncDeployment`.
    pub fn sync(
        &mut self,
        store: &mut Store,
        rsc: &mut ReplicaSetController,
        id: DeploymentId,
        now: SimTime,
        out: &mut SyncOut<'_>,
    ) -> Result<(), LimitExceeded> {
        if self.state(id).is_none() {
            return Ok(());
        }
        let mut d = store.deployment(id).clone();
        let mut status = d.status.clone();
        if progress::check_paused_conditions(&d, &mut status, now) {
            store.set_deployment_status(id, status.clone());
            d.status = status;
        }
        let mut r = self.rollout_view(store, id, &d);
        if d.paused || is_scaling_event(&d, &r) {
            return self.sync_only(store, id, &mut d, &mut r, now, out);
        }
        // The ReplicaSets as listed when the sync started: the strategy
        // scales copies, and `cleanupDeployment` reads the list.
        let listed = r.views.clone();
        match d.strategy {
            DeploymentStrategy::RollingUpdate { .. } => {
                if r.new.is_none() {
                    let count = new_count(&d, &r);
                    self.create_new_replica_set(store, rsc, id, &mut d, &mut r, count, now, out)?;
                } else {
                    sync_new_replica_set(store, id, &mut d, &r, now);
                }
                rolling::RollingUpdate.rollout(&d, &mut r);
            }
            DeploymentStrategy::Recreate => {
                if r.new.is_some() {
                    sync_new_replica_set(store, id, &mut d, &r, now);
                }
                r.old_pods_running = r
                    .old
                    .iter()
                    .any(|&i| r.views[i].status_replicas > 0 || rsc.has_pods(r.views[i].id));
                recreate::Recreate.rollout(&d, &mut r);
                if r.create_new {
                    let count = d.replicas;
                    self.create_new_replica_set(store, rsc, id, &mut d, &mut r, count, now, out)?;
                }
            }
        }
        apply_ops(store, id, &d, &r, now, out);
        if r.cleanup && util::deployment_complete(&d, &d.status) {
            self.cleanup(store, id, &d, &listed, &r.old, now);
        }
        self.sync_rollout_status(store, id, &d, &r, now, out);
        Ok(())
    }

    /// `sync`: a paused Deployment, or a scaling event — scale, clean up
    /// when paused, and write the counts (no progress estimate).
    fn sync_only(
        &mut self,
        store: &mut Store,
        id: DeploymentId,
        d: &mut Deployment,
        r: &mut Rollout,
        now: SimTime,
        out: &mut SyncOut<'_>,
    ) -> Result<(), LimitExceeded> {
        if r.new.is_some() {
            sync_new_replica_set(store, id, d, r, now);
        }
        // `cleanupDeployment` runs on the list the sync started with, not
        // on what `scale` wrote (`scaleReplicaSet`'s results are dropped).
        let listed = r.views.clone();
        let old = r.old.clone();
        sync::scale(d, &mut r.views, r.new, &old, &mut r.ops);
        apply_ops(store, id, d, r, now, out);
        if d.paused {
            self.cleanup(store, id, d, &listed, &old, now);
        }
        let status = sync::calculate_status(d, &r.views, &r.all(), r.new, now);
        if status != d.status {
            store.set_deployment_status(id, status);
        }
        Ok(())
    }

    /// Every live ReplicaSet of `id` as the arithmetic reads it, oldest
    /// first; the new one is `FindNewReplicaSet`'s (the oldest with the
    /// template).
    fn rollout_view(&self, store: &Store, id: DeploymentId, d: &Deployment) -> Rollout {
        let Some(st) = self.state(id) else {
            return Rollout::default();
        };
        let mut views: Vec<RsView> = st
            .replica_sets
            .iter()
            .map(|&rs| view_of(store, rs))
            .collect();
        // `FindNewReplicaSet` sorts the list in place
        // (`ReplicaSetsByCreationTimestamp`, whole seconds, then name);
        // `FindOldReplicaSets` walks the sorted list.
        views.sort_by(util::by_creation);
        let new = views
            .iter()
            .position(|v| equal_ignore_hash(&store.replica_set(v.id).template, &d.template));
        let old = (0..views.len()).filter(|&i| Some(i) != new).collect();
        Rollout {
            views,
            new,
            old,
            ..Default::default()
        }
    }

    /// `getNewReplicaSet` creating the ReplicaSet of the current
    /// template, with `count` replicas and the next revision.
    #[allow(clippy::too_many_arguments)]
    fn create_new_replica_set(
        &mut self,
        store: &mut Store,
        rsc: &mut ReplicaSetController,
        id: DeploymentId,
        d: &mut Deployment,
        r: &mut Rollout,
        count: i32,
        now: SimTime,
        out: &mut SyncOut<'_>,
    ) -> Result<(), LimitExceeded> {
        let Some(st) = self.states.get_mut(id.index()).and_then(Option::as_mut) else {
            return Ok(());
        };
        let rev = max_old_revision(store, r) + 1;
        let rs = new_replica_set(d, id, count, rev, now);
        let rs_id = create_with_collisions(store, rs, d, now)?;
        rsc.add(rs_id, st.group);
        st.replica_sets.push(rs_id);
        r.views.push(view_of(store, rs_id));
        r.new = Some(r.views.len() - 1);
        let name = store.replica_set(rs_id).metadata.name.clone();
        if count > 0 {
            out.events.push(KubeEvent::normal(
                now,
                "ScalingReplicaSet",
                deployment_object(d),
                format!("Scaled up replica set {name} from 0 to {count}"),
            ));
            out.touched.push(rs_id);
        }
        store.set_deployment_annotation(id, REVISION_ANNOTATION, rev.to_string());
        if d.progress_deadline_seconds.is_some() {
            let msg = format!("Created new replica set {name:?}");
            let c = progress::condition("True", reasons::NEW_REPLICA_SET, msg, now);
            progress::set_condition(&mut d.status.progressing, c);
            store.set_deployment_status(id, d.status.clone());
        }
        Ok(())
    }

    /// `cleanupDeployment`: deletes old, empty ReplicaSets beyond
    /// `revisionHistoryLimit`, judged on `views` (the ReplicaSets as the
    /// sync listed them).
    fn cleanup(
        &mut self,
        store: &mut Store,
        id: DeploymentId,
        d: &Deployment,
        views: &[RsView],
        old: &[usize],
        now: SimTime,
    ) {
        let revisions: Vec<i64> = views
            .iter()
            .map(|v| revision(&store.replica_set(v.id).metadata.annotations))
            .collect();
        let gone = sync::cleanup_deployment(d, views, old, &revisions);
        if gone.is_empty() {
            return;
        }
        let Some(st) = self.states.get_mut(id.index()).and_then(Option::as_mut) else {
            return;
        };
        for i in gone {
            let rs = views[i].id;
            store.delete_replica_set(rs, now);
            st.replica_sets.retain(|&x| x != rs);
        }
    }

    /// `syncRolloutStatus`: writes a changed status (whose update event
    /// syncs the Deployment again); only when nothing changed,
    /// `requeueStuckDeployment`.
    fn sync_rollout_status(
        &mut self,
        store: &mut Store,
        id: DeploymentId,
        d: &Deployment,
        r: &Rollout,
        now: SimTime,
        out: &mut SyncOut<'_>,
    ) {
        let counts = sync::calculate_status(d, &r.views, &r.all(), r.new, now);
        let new_name = r
            .new
            .map(|n| store.replica_set(r.views[n].id).metadata.name.clone());
        let status = progress::sync_rollout_status(d, counts, new_name.as_deref(), now);
        if status != d.status {
            store.set_deployment_status(id, status);
            return;
        }
        let Some(t) = progress::requeue_stuck_deployment(d, now) else {
            return;
        };
        let Some(st) = self.states.get_mut(id.index()).and_then(Option::as_mut) else {
            return;
        };
        // The work queue's `AddAfter` keeps one waiting entry per object,
        // the earliest.
        if st.deadline_timer.is_none_or(|armed| t < armed) {
            st.deadline_timer = Some(t);
            out.timers
                .push((t, ControllerTimer::DeploymentProgressCheck(id)));
        }
    }

    /// Each live ReplicaSet is controlled by its Deployment, listed once,
    /// never negative, its revision history within
    /// `maxRevHistoryLengthInChars`; no two Deployments list the same one;
    /// a progress check waits only for a Deployment with a deadline.
    pub fn check_invariants(&self, store: &Store) -> Result<(), String> {
        let mut seen = std::collections::BTreeSet::new();
        for (i, st) in self.states.iter().enumerate() {
            let Some(st) = st else { continue };
            let d = store.deployment(DeploymentId(i as u32));
            if st.deadline_timer.is_some() && d.progress_deadline_seconds.is_none() {
                return Err(format!(
                    "deployment {} waits for a progress check without a deadline",
                    d.metadata.name
                ));
            }
            for &rs in &st.replica_sets {
                let r = store.replica_set(rs);
                let owner = r.metadata.controller_of().map(|o| o.owner);
                if owner != Some(ObjectRef::Deployment(DeploymentId(i as u32))) {
                    return Err(format!(
                        "deployment #{i} lists replicaset {} it does not own",
                        r.metadata.name
                    ));
                }
                if r.metadata.deletion_timestamp.is_some() || !seen.insert(rs) {
                    return Err(format!(
                        "deployment #{i} lists replicaset {} twice or deleted",
                        r.metadata.name
                    ));
                }
                if r.replicas < 0 {
                    return Err(format!(
                        "replicaset {} has negative replicas",
                        r.metadata.name
                    ));
                }
                let history = r.metadata.annotations.get(REVISION_HISTORY_ANNOTATION);
                if history.is_some_and(|h| h.len() > MAX_REV_HISTORY_LENGTH_IN_CHARS) {
                    return Err(format!(
                        "replicaset {} has a revision history beyond {MAX_REV_HISTORY_LENGTH_IN_CHARS} characters",
                        r.metadata.name
                    ));
                }
            }
        }
        Ok(())
    }
}

/// `isScalingEvent`: an active ReplicaSet was last scaled for another
/// `spec.replicas` than the Deployment's.
fn is_scaling_event(d: &Deployment, r: &Rollout) -> bool {
    r.all().into_iter().any(|i| {
        let v = &r.views[i];
        v.replicas > 0 && v.desired_annotation.is_some_and(|w| w != d.replicas)
    })
}

/// `NewRSNewReplicas` for a ReplicaSet about to be created (0 replicas).
fn new_count(d: &Deployment, r: &Rollout) -> i32 {
    let mut views = r.views.clone();
    views.push(RsView::new(u32::MAX, 0, 0));
    let new = views.len() - 1;
    let all: Vec<usize> = (0..views.len()).collect();
    util::new_rs_new_replicas(d, &views, &all, new)
}

fn max_old_revision(store: &Store, r: &Rollout) -> i64 {
    r.old
        .iter()
        .map(|&i| revision(&store.replica_set(r.views[i].id).metadata.annotations))
        .max()
        .unwrap_or(0)
}

/// `getNewReplicaSet` for an existing new ReplicaSet
/// (`SetNewReplicaSetAnnotations`): it takes the Deployment's annotations
/// (but the skipped ones), its revision moves past every old one — a
/// rollback reuses it, and its old revision goes to its
/// `revision-history` — its `minReadySeconds` follows the Deployment's,
/// and the Deployment takes its revision.
fn sync_new_replica_set(
    store: &mut Store,
    id: DeploymentId,
    d: &mut Deployment,
    r: &Rollout,
    now: SimTime,
) {
    let Some(n) = r.new else { return };
    let rs = r.views[n].id;
    copy_deployment_annotations(store, d, rs);
    let next = max_old_revision(store, r) + 1;
    let annotations = &store.replica_set(rs).metadata.annotations;
    let old_revision = annotations.get(REVISION_ANNOTATION).cloned();
    if revision(annotations) < next {
        let history = old_revision.and_then(|old| {
            let h = annotations.get(REVISION_HISTORY_ANNOTATION);
            append_revision_history(h.map(String::as_str), &old, MAX_REV_HISTORY_LENGTH_IN_CHARS)
        });
        store.set_replica_set_annotation(rs, REVISION_ANNOTATION, next.to_string());
        if let Some(h) = history {
            store.set_replica_set_annotation(rs, REVISION_HISTORY_ANNOTATION, h);
        }
    }
    if store.replica_set(rs).min_ready_seconds != d.min_ready_seconds {
        store.set_replica_set_min_ready(rs, d.min_ready_seconds);
    }
    let rev = revision(&store.replica_set(rs).metadata.annotations).to_string();
    store.set_deployment_annotation(id, REVISION_ANNOTATION, rev.clone());
    d.metadata
        .annotations
        .insert(REVISION_ANNOTATION.to_string(), rev);
    if d.progress_deadline_seconds.is_some() && d.status.progressing.is_none() {
        let name = &store.replica_set(rs).metadata.name;
        let msg = format!("Found new replica set {name:?}");
        let c = progress::condition("True", reasons::FOUND_NEW_REPLICA_SET, msg, now);
        progress::set_condition(&mut d.status.progressing, c);
        store.set_deployment_status(id, d.status.clone());
    }
}

/// `copyDeploymentAnnotationsToReplicaSet`: every Deployment annotation
/// but the skipped ones, where the ReplicaSet's differs.
fn copy_deployment_annotations(store: &mut Store, d: &Deployment, rs: ReplicaSetId) {
    for (k, v) in &d.metadata.annotations {
        let same = store.replica_set(rs).metadata.annotations.get(k) == Some(v);
        if !util::skip_copy_annotation(k) && !same {
            store.set_replica_set_annotation(rs, k, v.clone());
        }
    }
}

/// Writes the scale operations (`scaleReplicaSet`): `spec.replicas`, the
/// replicas annotations, a `ScalingReplicaSet` event per change.
fn apply_ops(
    store: &mut Store,
    _id: DeploymentId,
    d: &Deployment,
    r: &Rollout,
    now: SimTime,
    out: &mut SyncOut<'_>,
) {
    let max = d.replicas.saturating_add(max_surge(d));
    for op in &r.ops {
        let rs = r.views[op.index].id;
        if op.from != op.to {
            store.scale_replica_set(rs, op.to);
            let dir = if op.up { "up" } else { "down" };
            let name = &store.replica_set(rs).metadata.name;
            out.events.push(KubeEvent::normal(
                now,
                "ScalingReplicaSet",
                deployment_object(d),
                format!(
                    "Scaled {dir} replica set {name} from {} to {}",
                    op.from, op.to
                ),
            ));
            out.touched.push(rs);
        }
        store.set_replica_set_annotation(rs, DESIRED_REPLICAS_ANNOTATION, d.replicas.to_string());
        store.set_replica_set_annotation(rs, MAX_REPLICAS_ANNOTATION, max.to_string());
    }
}

fn deployment_object(d: &Deployment) -> String {
    format!("deployment/{}", d.metadata.qualified_name())
}

/// A ReplicaSet's numbers.
fn view_of(store: &Store, rs: ReplicaSetId) -> RsView {
    let r = store.replica_set(rs);
    let ann = |k: &str| r.metadata.annotations.get(k).and_then(|v| v.parse().ok());
    RsView {
        id: rs,
        name: r.metadata.name.clone(),
        created: r.metadata.creation_timestamp,
        replicas: r.replicas,
        status_replicas: r.status.replicas,
        ready: r.status.ready_replicas,
        available: r.status.available_replicas,
        terminating: r.status.terminating_replicas,
        desired_annotation: ann(DESIRED_REPLICAS_ANNOTATION),
        max_annotation: ann(MAX_REPLICAS_ANNOTATION),
    }
}

/// The ReplicaSet of `d`'s template (`getNewReplicaSet`): the template
/// with the `pod-template-hash` label, the selector with it too, the
/// Deployment's annotations (but the ones upstream skips), its revision
/// and the replicas annotations.
fn new_replica_set(
    d: &Deployment,
    id: DeploymentId,
    count: i32,
    rev: i64,
    now: SimTime,
) -> ReplicaSet {
    let mut template = d.template.clone();
    let hash = compute_hash(&template);
    template
        .labels
        .insert(POD_TEMPLATE_HASH_LABEL.into(), hash.clone());
    let mut selector = d.selector.clone();
    selector
        .match_labels
        .insert(POD_TEMPLATE_HASH_LABEL.into(), hash.clone());
    let mut metadata = ObjectMeta::named(format!("{}-{hash}", d.metadata.name));
    metadata.namespace = d.metadata.namespace.clone();
    metadata.labels = template.labels.clone();
    metadata.creation_timestamp = now;
    metadata.owner_references = vec![OwnerReference {
        owner: ObjectRef::Deployment(id),
        name: d.metadata.name.clone(),
        controller: true,
    }];
    for (k, v) in &d.metadata.annotations {
        if !util::skip_copy_annotation(k) {
            metadata.annotations.insert(k.clone(), v.clone());
        }
    }
    let max = d.replicas.saturating_add(max_surge(d));
    for (k, v) in [
        (REVISION_ANNOTATION, rev.to_string()),
        (DESIRED_REPLICAS_ANNOTATION, d.replicas.to_string()),
        (MAX_REPLICAS_ANNOTATION, max.to_string()),
    ] {
        metadata.annotations.insert(k.into(), v);
    }
    ReplicaSet {
        metadata,
        replicas: count,
        min_ready_seconds: d.min_ready_seconds,
        selector,
        template,
        status: ReplicaSetStatus::default(),
    }
}

/// Creates `rs`; on a name already taken (a hash collision), hashes
/// again with `collisionCount` 1, 2, … as upstream does.
fn create_with_collisions(
    store: &mut Store,
    mut rs: ReplicaSet,
    d: &Deployment,
    now: SimTime,
) -> Result<ReplicaSetId, LimitExceeded> {
    for collisions in 1..=ModelLimits::MAX_NAME_ATTEMPTS {
        match store.create_replica_set(rs.clone()) {
            Ok(id) => return Ok(id),
            Err(StoreError::Limit(l)) => return Err(l),
            Err(StoreError::AlreadyExists { .. }) => {
                let hash = util::compute_hash_with_collisions(&d.template, collisions);
                rs.metadata.name = format!("{}-{hash}", d.metadata.name);
                for labels in [
                    &mut rs.template.labels,
                    &mut rs.selector.match_labels,
                    &mut rs.metadata.labels,
                ] {
                    labels.insert(POD_TEMPLATE_HASH_LABEL.into(), hash.clone());
                }
            }
            Err(_) => break,
        }
    }
    Err(LimitExceeded::Names {
        what: format!("replica sets of deployment {}", d.metadata.name),
        attempts: ModelLimits::MAX_NAME_ATTEMPTS,
        at: now,
    })
}

#[cfg(test)]
mod tests;
