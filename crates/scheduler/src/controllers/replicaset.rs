//! The ReplicaSet controller, ported from
//! pkg/controller/replicaset/replica_set.go: `manageReplicas` creates the
//! missing pods in `slowStartBatch` batches (1, 2, 4, …; at most
//! `BurstReplicas` per sync) or deletes the surplus in the order of
//! `getPodsToDelete` (`active_pods`'s order, related pods being those of
//! every ReplicaSet of the same Deployment); `calculateStatus` counts its
//! pods, ready and available (Ready for `minReadySeconds`).
//!
//! Pods are named `<replicaset>-<5 random characters>` like the API
//! server's `generateName`, drawn from the owning Deployment's random
//! stream. State per ReplicaSet is indexed by its [`ReplicaSetId`].

use super::active_pods::ActivePodRank;
use super::deployment::util::{available_at, is_pod_available};
use super::names::generate_pod_name;
use super::ControllerTimer;
use kubesim_core::{
    KubeEvent, LimitExceeded, ObjectMeta, ObjectRef, OwnerReference, Pod, PodId, ReplicaSetId,
    ReplicaSetStatus, SimTime, Store, StoreError,
};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeSet;

/// `BurstReplicas`: pods one sync creates or deletes at most.
pub const BURST_REPLICAS: usize = 500;
/// `SlowStartInitialBatchSize`.
pub const SLOW_START_INITIAL_BATCH_SIZE: usize = 1;

/// `slowStartBatch`'s batch sizes for `count` pods: 1, 2, 4, … (the
/// last one what is left).
pub fn slow_start_batches(count: usize) -> impl Iterator<Item = usize> {
    let mut remaining = count;
    let mut batch = remaining.min(SLOW_START_INITIAL_BATCH_SIZE);
    std::iter::from_fn(move || {
        if batch == 0 {
            return None;
        }
        let b = batch;
        remaining -= b;
        batch = (2 * b).min(remaining);
        Some(b)
    })
}

/// The controller's state of one ReplicaSet.
#[derive(Debug)]
pub struct ReplicaSetState {
    /// Its pods that have not finished (terminating ones included).
    pub pods: BTreeSet<PodId>,
    /// Its random stream (index in the controller's streams).
    stream: usize,
    /// The ReplicaSets whose pods count as related for deletion order.
    group: usize,
    /// When its next pod becomes available (an armed timer).
    available_timer: Option<SimTime>,
}

/// Every ReplicaSet of a run.
#[derive(Debug, Default)]
pub struct ReplicaSetController {
    sets: Vec<Option<ReplicaSetState>>,
    streams: Vec<ChaCha8Rng>,
    /// Per group (a Deployment), its ReplicaSets.
    groups: Vec<Vec<ReplicaSetId>>,
}

impl ReplicaSetController {
    /// A new random stream and group for a Deployment's ReplicaSets.
    pub fn new_group(&mut self, rng: ChaCha8Rng) -> usize {
        self.streams.push(rng);
        self.groups.push(Vec::new());
        self.streams.len() - 1
    }

    /// Takes over ReplicaSet `rs`, of `group`.
    pub fn add(&mut self, rs: ReplicaSetId, group: usize) {
        if self.sets.len() <= rs.index() {
            self.sets.resize_with(rs.index() + 1, || None);
        }
        self.sets[rs.index()] = Some(ReplicaSetState {
            pods: BTreeSet::new(),
            stream: group,
            group,
            available_timer: None,
        });
        self.groups[group].push(rs);
    }

    /// The state of ReplicaSet `rs`, if managed.
    pub fn state(&self, rs: ReplicaSetId) -> Option<&ReplicaSetState> {
        self.sets.get(rs.index()).and_then(Option::as_ref)
    }

    /// A pod of `rs` changed (deleted, finished): drops it once finished.
    /// `true` if the ReplicaSet should sync.
    pub fn pod_changed(&mut self, store: &Store, rs: ReplicaSetId, pod: PodId) -> bool {
        let Some(Some(st)) = self.sets.get_mut(rs.index()) else {
            return false;
        };
        if store.pod(pod).is_finished() {
            st.pods.remove(&pod);
        }
        true
    }

    /// Whether any pod of `rs` has not finished (`oldPodsRunning`).
    pub fn has_pods(&self, rs: ReplicaSetId) -> bool {
        self.state(rs).is_some_and(|s| !s.pods.is_empty())
    }

    /// A `minReadySeconds` timer of `rs` fired: `true` if it is the
    /// current one (the ReplicaSet then syncs).
    pub fn available_timer_fired(&mut self, rs: ReplicaSetId, now: SimTime) -> bool {
        match self.sets.get_mut(rs.index()) {
            Some(Some(st)) if st.available_timer == Some(now) => {
                st.available_timer = None;
                true
            }
            _ => false,
        }
    }

    /// `syncReplicaSet`: brings the pods to `spec.replicas` and writes the
    /// status. Returns `(status changed, more to do)`: a sync handles at
    /// most [`BURST_REPLICAS`] pods.
    pub fn sync(
        &mut self,
        store: &mut Store,
        rs: ReplicaSetId,
        now: SimTime,
        events: &mut Vec<KubeEvent>,
        timers: &mut Vec<(SimTime, ControllerTimer)>,
    ) -> Result<(bool, bool), LimitExceeded> {
        if self.state(rs).is_none() || store.replica_set(rs).metadata.deletion_timestamp.is_some() {
            return Ok((false, false));
        }
        let more = self.manage_replicas(store, rs, now, events)?;
        let changed = self.update_status(store, rs, now, timers);
        Ok((changed, more))
    }

    /// `manageReplicas`.
    fn manage_replicas(
        &mut self,
        store: &mut Store,
        rs: ReplicaSetId,
        now: SimTime,
        events: &mut Vec<KubeEvent>,
    ) -> Result<bool, LimitExceeded> {
        let want = usize::try_from(store.replica_set(rs).replicas).unwrap_or(0);
        let have = self.state(rs).map_or(0, |s| {
            s.pods
                .iter()
                .filter(|&&p| !store.pod(p).is_deleting())
                .count()
        });
        if have < want {
            let n = (want - have).min(BURST_REPLICAS);
            self.slow_start_create(store, rs, n, now, events)?;
            return Ok(want - have > n);
        }
        if have > want {
            let n = (have - want).min(BURST_REPLICAS);
            let active = self.active_pods(store, rs);
            self.delete_pods(store, rs, &active, n, now, events);
            return Ok(have - want > n);
        }
        Ok(false)
    }

    /// Pods of `rs` not being deleted (`FilterActivePods`).
    fn active_pods(&self, store: &Store, rs: ReplicaSetId) -> Vec<PodId> {
        self.state(rs).map_or_else(Vec::new, |s| {
            s.pods
                .iter()
                .copied()
                .filter(|&p| !store.pod(p).is_deleting())
                .collect()
        })
    }

    /// `slowStartBatch`: batches of 1, 2, 4, … pods; room for each batch
    /// is checked before any of it is created.
    fn slow_start_create(
        &mut self,
        store: &mut Store,
        rs: ReplicaSetId,
        count: usize,
        now: SimTime,
        events: &mut Vec<KubeEvent>,
    ) -> Result<(), LimitExceeded> {
        for batch in slow_start_batches(count) {
            store.check_room(batch as u64, now)?;
            for _ in 0..batch {
                self.create_pod(store, rs, now, events)?;
            }
        }
        Ok(())
    }

    fn create_pod(
        &mut self,
        store: &mut Store,
        rs: ReplicaSetId,
        now: SimTime,
        events: &mut Vec<KubeEvent>,
    ) -> Result<(), LimitExceeded> {
        let Some(Some(st)) = self.sets.get_mut(rs.index()) else {
            return Ok(());
        };
        let pod = new_pod(&mut self.streams[st.stream], store, rs, now)?;
        let name = pod.metadata.name.clone();
        let pid = store.create_pod(pod, now).map_err(|e| match e {
            StoreError::Limit(l) => l,
            // Names were checked free; anything else is a bug.
            other => panic!("creating a ReplicaSet's pod: {other}"),
        })?;
        st.pods.insert(pid);
        events.push(KubeEvent::normal(
            now,
            "SuccessfulCreate",
            replica_set_object(store, rs),
            format!("Created pod: {name}"),
        ));
        Ok(())
    }

    /// `getPodsToDelete`: the `n` pods ranked first by
    /// `ActivePodsWithRanks`, colocation counted over related pods.
    fn delete_pods(
        &mut self,
        store: &mut Store,
        rs: ReplicaSetId,
        active: &[PodId],
        n: usize,
        now: SimTime,
        events: &mut Vec<KubeEvent>,
    ) {
        let related = self.related_pods(store, rs);
        let mut ranked = ActivePodRank::rank_with_related(store, active, &related);
        let order = |a: &ActivePodRank, b: &ActivePodRank| a.cmp_delete_first(b, now);
        // The order is total: selecting the first `n`, then sorting them,
        // deletes exactly what a full sort would, in the same order.
        if n > 0 && n < ranked.len() {
            ranked.select_nth_unstable_by(n - 1, order);
            ranked.truncate(n);
        }
        ranked.sort_by(order);
        ranked.truncate(n);
        let object = replica_set_object(store, rs);
        for r in ranked {
            events.push(KubeEvent::normal(
                now,
                "SuccessfulDelete",
                object.clone(),
                format!("Deleted pod: {}", store.pod(r.pod).name()),
            ));
            store.delete_pod(r.pod, now);
            if store.pod(r.pod).is_finished() {
                if let Some(Some(st)) = self.sets.get_mut(rs.index()) {
                    st.pods.remove(&r.pod);
                }
            }
        }
    }

    /// Active pods of every ReplicaSet of `rs`'s group.
    fn related_pods(&self, store: &Store, rs: ReplicaSetId) -> Vec<PodId> {
        let Some(st) = self.state(rs) else {
            return Vec::new();
        };
        self.groups[st.group]
            .iter()
            .flat_map(|&r| self.active_pods(store, r))
            .collect()
    }

    /// `calculateStatus` and the `minReadySeconds` requeue: writes the
    /// status; `true` if it changed.
    fn update_status(
        &mut self,
        store: &mut Store,
        rs: ReplicaSetId,
        now: SimTime,
        timers: &mut Vec<(SimTime, ControllerTimer)>,
    ) -> bool {
        let min_ready = store.replica_set(rs).min_ready_seconds;
        let mut status = ReplicaSetStatus::default();
        let mut next_available: Option<SimTime> = None;
        let Some(st) = self.state(rs) else {
            return false;
        };
        for &p in &st.pods {
            let e = store.pod(p);
            if e.is_deleting() {
                if !e.is_finished() {
                    status.terminating_replicas += 1;
                }
                continue;
            }
            status.replicas += 1;
            if !e.is_ready() {
                continue;
            }
            status.ready_replicas += 1;
            if is_pod_available(e, min_ready, now) {
                status.available_replicas += 1;
            } else if let Some(t) = available_at(e, min_ready) {
                next_available = Some(next_available.map_or(t, |n: SimTime| n.min(t)));
            }
        }
        if let (Some(t), Some(Some(st))) = (next_available, self.sets.get_mut(rs.index())) {
            if st.available_timer.is_none_or(|armed| t < armed) {
                st.available_timer = Some(t);
                timers.push((t, ControllerTimer::ReplicaSetAvailable(rs)));
            }
        }
        let changed = store.replica_set(rs).status != status;
        if changed {
            store.set_replica_set_status(rs, status);
        }
        changed
    }

    /// Each ReplicaSet's pods are exactly its unfinished pods it controls;
    /// its status counts never exceed them.
    pub fn check_invariants(&self, store: &Store) -> Result<(), String> {
        for (i, st) in self.sets.iter().enumerate() {
            let Some(st) = st else { continue };
            let id = ReplicaSetId(i as u32);
            for &p in &st.pods {
                let e = store.pod(p);
                if e.is_finished() {
                    return Err(format!(
                        "replicaset #{i} still holds finished pod {}",
                        e.name()
                    ));
                }
                if e.controller() != Some(ObjectRef::ReplicaSet(id)) {
                    return Err(format!(
                        "replicaset #{i} holds pod {} it does not own",
                        e.name()
                    ));
                }
            }
            let rs = store.replica_set(id);
            let s = rs.status;
            if s.available_replicas > s.ready_replicas || s.ready_replicas > s.replicas {
                return Err(format!("replicaset {}: status {s:?}", rs.metadata.name));
            }
        }
        Ok(())
    }
}

/// `replicaset/NAME` (`replicaset/NAMESPACE/NAME` outside `default`).
fn replica_set_object(store: &Store, rs: ReplicaSetId) -> String {
    format!(
        "replicaset/{}",
        store.replica_set(rs).metadata.qualified_name()
    )
}

/// A new pod of `rs`, with a free generated name.
fn new_pod(
    rng: &mut ChaCha8Rng,
    store: &Store,
    rs_id: ReplicaSetId,
    now: SimTime,
) -> Result<Pod, LimitExceeded> {
    let rs = store.replica_set(rs_id);
    let prefix = &rs.metadata.name;
    let namespace = rs.metadata.namespace_or_default();
    let name = generate_pod_name(
        rng,
        store,
        namespace,
        prefix,
        &format!("pods of replica set {prefix}"),
        now,
    )?;
    Ok(Pod {
        metadata: ObjectMeta {
            name,
            namespace: rs.metadata.namespace.clone(),
            labels: rs.template.labels.clone(),
            annotations: rs.template.annotations.clone(),
            owner_references: vec![OwnerReference {
                owner: ObjectRef::ReplicaSet(rs_id),
                name: prefix.clone(),
                controller: true,
            }],
            creation_timestamp: now,
            deletion_timestamp: None,
            deletion_grace_period_s: None,
            generation: 0,
        },
        spec: rs.template.spec.clone(),
        status: Default::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::slow_start_batches;

    fn batches(count: usize) -> Vec<usize> {
        slow_start_batches(count).collect()
    }

    // controller_utils.go `slowStartBatch`: 1, 2, 4, … then the rest.
    #[test]
    fn slow_start_batches_double() {
        assert_eq!(batches(0), Vec::<usize>::new());
        assert_eq!(batches(1), vec![1]);
        assert_eq!(batches(10), vec![1, 2, 4, 3]);
        assert_eq!(batches(15), vec![1, 2, 4, 8]);
    }
}
