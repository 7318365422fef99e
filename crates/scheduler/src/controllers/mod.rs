//! The control-plane loops, one file (or folder) per controller, each
//! reading and writing objects only through the [`Store`].
//!
//! [`Controllers`] routes store notices to the controller that cares:
//! a Deployment's spec change to the Deployment controller, a pod that
//! changed to the controller of its owner — found through the pod's
//! typed owner reference (pod → ReplicaSet → Deployment, pod → Job),
//! never by name — and a Job that was created or finished to the CronJob
//! that controls it.
//!
//! The Deployment and ReplicaSet controllers share a work queue, as
//! their informers do upstream: a ReplicaSet whose `spec.replicas` the
//! Deployment controller changed syncs next; a ReplicaSet whose status
//! changed queues its Deployment. Each object is queued at most once;
//! with `syncDelay` above zero, a queued sync runs that much later.
//!
//! The node lifecycle controller watches Leases and taints nodes that
//! stopped reporting; the taint eviction controller deletes the pods
//! that do not tolerate those taints (long enough); their owners replace
//! them. PodGC collects the pods of deleted nodes. The Deployment
//! controller's rollout strategies each have a file in `deployment/`.

mod active_pods;
pub mod cronjob;
pub mod deployment;
mod endpoints;
mod job;
mod names;
mod node_lifecycle;
mod pod_gc;
pub mod replicaset;
pub mod rollout;
mod taint_eviction;

pub use node_lifecycle::{
    compute_zone_state, zone_key, ControllerManagerConfig, NodeLifecycleController, ZoneState,
    NODE_EVICTION_PERIOD,
};
pub use pod_gc::{PodGcController, GC_CHECK_PERIOD, QUARANTINE_TIME};
pub use taint_eviction::{min_toleration_time, TaintEvictionController};

pub use cronjob::{CronJobController, CRONJOB_SCHEDULED_TIMESTAMP_ANNOTATION};
pub use job::{job_backoff, JobController, JOB_POD_FAILURE_BACKOFF, MAX_JOB_POD_FAILURE_BACKOFF};

pub use active_pods::{ActivePodRank, POD_DELETION_COST};
pub use deployment::{
    compute_hash, replica_set_name, safe_encode_string, template_fingerprint, DeploymentController,
    DeploymentState,
};
pub use endpoints::{is_ready_endpoint, EndpointsController};
pub use replicaset::ReplicaSetController;

use crate::traffic::TrafficQuery;
use deployment::SyncOut;
use kubesim_core::{
    entity_rng, CronJobId, DeploymentId, DeploymentStrategy, JobId, KubeEvent, LimitExceeded,
    NodeId, Notice, ObjectRef, PodId, ReplicaSetId, RolloutId, ServiceId, SimTime, Store,
};
use std::collections::{BTreeSet, VecDeque};

/// The controllers' timers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ControllerTimer {
    /// Sync a Job (its back-off or deadline came).
    JobSync(JobId),
    /// A finished Job's `ttlSecondsAfterFinished` ran out.
    JobTtl(JobId),
    /// The node lifecycle controller's monitor pass for the nodes due now.
    NodeMonitorPass,
    /// The NoExecute tainting pass of a zone.
    NoExecuteTainting(u32),
    /// PodGC deletes the pods of a deleted node.
    PodGcOrphans(NodeId),
    /// A pod's toleration of a NoExecute taint ran out.
    TaintEviction {
        /// The pod.
        pod: PodId,
        /// Which scheduling of it.
        gen: u32,
    },
    /// A CronJob's requeue (its next start time, plus 100 ms).
    CronJobSync(CronJobId),
    /// A Deployment's queued sync (after `syncDelay`).
    DeploymentSync(DeploymentId),
    /// A ReplicaSet's queued sync (after `syncDelay`).
    ReplicaSetSync(ReplicaSetId),
    /// A pod of the ReplicaSet has been Ready for `minReadySeconds`.
    ReplicaSetAvailable(ReplicaSetId),
    /// A Deployment's progress deadline may have passed.
    DeploymentProgressCheck(DeploymentId),
    /// A Service's delayed endpoint changes are due.
    EndpointsPublish(ServiceId),
    /// A Rollout's queued sync (after `syncDelay`).
    RolloutSync(RolloutId),
    /// A Rollout has something due (a pause's end, a scale-down
    /// deadline, auto-promotion).
    RolloutWake(RolloutId),
    /// An AnalysisRun's metric windows start (the same instant it is
    /// created, with the traffic at hand).
    AnalysisStart {
        /// The run.
        run: u32,
    },
    /// A metric of an AnalysisRun takes its next measurement.
    AnalysisMeasurement {
        /// The run.
        run: u32,
        /// The metric's index in the run.
        metric: u32,
    },
}

/// An object the Deployment and ReplicaSet controllers' work queue holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Work {
    Deployment(DeploymentId),
    ReplicaSet(ReplicaSetId),
    Rollout(RolloutId),
}

/// Every controller of a run.
#[derive(Debug, Default)]
pub struct Controllers {
    /// The Deployment controller.
    pub deployments: DeploymentController,
    /// The ReplicaSet controller.
    pub replica_sets: ReplicaSetController,
    /// `cluster.controllerManager.syncDelay`.
    pub sync_delay: SimTime,
    /// Objects queued to sync now, in order, and the set of them.
    work: VecDeque<Work>,
    queued: BTreeSet<Work>,
    /// Objects whose delayed sync is armed.
    delayed: BTreeSet<Work>,
    /// The Job controller.
    pub jobs: JobController,
    /// The node lifecycle controller.
    pub node_lifecycle: NodeLifecycleController,
    /// The taint eviction controller.
    pub taint_eviction: TaintEvictionController,
    /// PodGC.
    pub pod_gc: PodGcController,
    /// The CronJob controller.
    pub cron_jobs: CronJobController,
    /// The EndpointSlice controller.
    pub endpoints: EndpointsController,
    /// The Argo Rollouts controller.
    pub rollouts: rollout::RolloutController,
    /// The run seed (every controller's random streams derive from it).
    pub seed: u64,
    /// Timers to push on the event queue (drained by the engine).
    pub timers: Vec<(SimTime, ControllerTimer)>,
}

impl Controllers {
    /// Takes over Deployment `id` (its random stream comes from `seed`)
    /// and syncs it (it creates its first ReplicaSet).
    pub fn add_deployment(
        &mut self,
        store: &mut Store,
        id: DeploymentId,
        seed: u64,
        now: SimTime,
        events: &mut Vec<KubeEvent>,
    ) -> Result<(), LimitExceeded> {
        let rng = entity_rng(seed, "deployment", &store.deployment(id).metadata.name);
        let group = self.replica_sets.new_group(rng);
        self.deployments.add(id, group);
        self.enqueue(Work::Deployment(id), now);
        self.run_work(store, now, events)
    }

    /// Queues a sync of `w`: now, or after `syncDelay`.
    fn enqueue(&mut self, w: Work, now: SimTime) {
        if self.sync_delay == SimTime::ZERO {
            if self.queued.insert(w) {
                self.work.push_back(w);
            }
        } else if self.delayed.insert(w) {
            let t = now.saturating_add(self.sync_delay);
            let timer = match w {
                Work::Deployment(d) => ControllerTimer::DeploymentSync(d),
                Work::ReplicaSet(rs) => ControllerTimer::ReplicaSetSync(rs),
                Work::Rollout(r) => ControllerTimer::RolloutSync(r),
            };
            self.timers.push((t, timer));
        }
    }

    /// Runs queued syncs until none is left.
    fn run_work(
        &mut self,
        store: &mut Store,
        now: SimTime,
        events: &mut Vec<KubeEvent>,
    ) -> Result<(), LimitExceeded> {
        while let Some(w) = self.work.pop_front() {
            self.queued.remove(&w);
            self.sync_one(store, w, now, events)?;
        }
        Ok(())
    }

    /// One sync; what it changed queues the next ones.
    fn sync_one(
        &mut self,
        store: &mut Store,
        w: Work,
        now: SimTime,
        events: &mut Vec<KubeEvent>,
    ) -> Result<(), LimitExceeded> {
        match w {
            Work::Deployment(d) => {
                let before = store.deployment(d).status.clone();
                let mut touched = Vec::new();
                let mut out = SyncOut {
                    events,
                    timers: &mut self.timers,
                    touched: &mut touched,
                };
                self.deployments
                    .sync(store, &mut self.replica_sets, d, now, &mut out)?;
                for rs in touched {
                    self.enqueue(Work::ReplicaSet(rs), now);
                }
                // Its own status update is an update event: upstream's
                // informer queues the Deployment again (and that sync
                // cleans up once the rollout is complete).
                if store.deployment(d).status != before {
                    self.enqueue(Work::Deployment(d), now);
                }
            }
            Work::ReplicaSet(rs) => {
                let (changed, more) =
                    self.replica_sets
                        .sync(store, rs, now, events, &mut self.timers)?;
                if more {
                    self.enqueue(Work::ReplicaSet(rs), now);
                }
                if changed {
                    if let Some(d) = owning_deployment_of_rs(store, rs) {
                        self.enqueue(Work::Deployment(d), now);
                    }
                    if let Some(r) = owning_rollout_of_rs(store, rs) {
                        self.enqueue(Work::Rollout(r), now);
                    }
                }
            }
            Work::Rollout(r) => {
                let before = store.rollout(r).status.clone();
                let mut touched = Vec::new();
                let mut out = rollout::RolloutOut {
                    events,
                    timers: &mut self.timers,
                    touched: &mut touched,
                };
                self.rollouts
                    .sync(store, &mut self.replica_sets, r, now, &mut out)?;
                for rs in touched {
                    self.enqueue(Work::ReplicaSet(rs), now);
                }
                if store.rollout(r).status != before {
                    self.enqueue(Work::Rollout(r), now);
                }
            }
        }
        Ok(())
    }

    /// Takes over Rollout `id` (its random stream comes from `seed`) and
    /// syncs it (it creates its first ReplicaSet).
    pub fn add_rollout(
        &mut self,
        store: &mut Store,
        id: RolloutId,
        seed: u64,
        now: SimTime,
        events: &mut Vec<KubeEvent>,
    ) -> Result<(), LimitExceeded> {
        let rng = entity_rng(seed, "rollout", &store.rollout(id).metadata.name);
        let group = self.replica_sets.new_group(rng);
        self.rollouts.add(id, group);
        self.enqueue(Work::Rollout(id), now);
        self.run_work(store, now, events)
    }

    /// A pod of a ReplicaSet changed (Ready, not Ready, deleted,
    /// finished): the ReplicaSet syncs; a Recreate Deployment left with no
    /// pod at all syncs too (its `deletePod` handler).
    fn replica_set_pod_changed(
        &mut self,
        store: &mut Store,
        rs: ReplicaSetId,
        pod: PodId,
        now: SimTime,
        events: &mut Vec<KubeEvent>,
    ) -> Result<(), LimitExceeded> {
        if !self.replica_sets.pod_changed(store, rs, pod) {
            return Ok(());
        }
        self.enqueue(Work::ReplicaSet(rs), now);
        if let Some(d) = owning_deployment_of_rs(store, rs) {
            let recreate = store.deployment(d).strategy == DeploymentStrategy::Recreate;
            let empty = self.deployments.state(d).is_some_and(|st| {
                st.replica_sets
                    .iter()
                    .all(|&r| !self.replica_sets.has_pods(r))
            });
            if recreate && empty && store.pod(pod).is_finished() {
                self.enqueue(Work::Deployment(d), now);
            }
        }
        self.run_work(store, now, events)
    }

    /// Reacts to a store notice.
    pub fn on_notice(
        &mut self,
        store: &mut Store,
        notice: Notice,
        now: SimTime,
        events: &mut Vec<KubeEvent>,
    ) -> Result<(), LimitExceeded> {
        self.endpoints
            .on_notice(store, notice, now, &mut self.timers);
        match notice {
            Notice::NodeAdded(n) => {
                self.node_lifecycle.node_added(n, now, &mut self.timers);
                self.taint_eviction
                    .node_updated(store, n, now, events, &mut self.timers);
                Ok(())
            }
            Notice::NodeUpdated(n) => {
                self.node_lifecycle.node_updated(store, n);
                self.taint_eviction
                    .node_updated(store, n, now, events, &mut self.timers);
                Ok(())
            }
            Notice::NodeDeleted(n) => {
                self.node_lifecycle.node_deleted(n, now, &mut self.timers);
                self.pod_gc.node_deleted(n, now, &mut self.timers);
                Ok(())
            }
            Notice::LeaseChanged(n) => {
                self.node_lifecycle
                    .lease_changed(store, n, now, &mut self.timers);
                Ok(())
            }
            Notice::PodBound { pod, node } => {
                self.taint_eviction
                    .pod_bound(store, pod, node, now, events, &mut self.timers);
                Ok(())
            }
            Notice::DeploymentChanged(d) => {
                self.enqueue(Work::Deployment(d), now);
                self.run_work(store, now, events)
            }
            Notice::RolloutChanged(r) => {
                self.enqueue(Work::Rollout(r), now);
                self.run_work(store, now, events)
            }
            Notice::PodReady(pod) | Notice::PodUnready(pod) => match store.pod(pod).controller() {
                Some(ObjectRef::ReplicaSet(rs)) => {
                    self.replica_set_pod_changed(store, rs, pod, now, events)
                }
                _ => Ok(()),
            },
            Notice::JobAdded(j) => {
                self.jobs.add(store, j, self.seed);
                self.jobs.sync(store, j, now, events, &mut self.timers)?;
                self.sync_owning_cron_job(store, j, now, events)
            }
            Notice::JobFinished(j) => self.sync_owning_cron_job(store, j, now, events),
            Notice::CronJobAdded(c) => {
                self.cron_jobs.add(c);
                let (jobs, timers) = (&mut self.jobs, &mut self.timers);
                self.cron_jobs.sync(store, jobs, c, now, events, timers)
            }
            // A pod that is being deleted, or that ended (completed,
            // failed, evicted), no longer counts for its ReplicaSet
            // (`FilterActivePods`): it is replaced. A Job counts it.
            Notice::PodReleased { pod, .. } | Notice::PodDeleted(pod) => {
                self.taint_eviction.pod_gone(pod);
                if let Some(ObjectRef::Job(j)) = store.pod(pod).controller() {
                    return self.jobs.sync(store, j, now, events, &mut self.timers);
                }
                match store.pod(pod).controller() {
                    Some(ObjectRef::ReplicaSet(rs)) => {
                        self.replica_set_pod_changed(store, rs, pod, now, events)
                    }
                    _ => Ok(()),
                }
            }
            _ => Ok(()),
        }
    }

    /// Handles one of the controllers' timers; analysis measurements
    /// read `traffic`.
    pub fn handle(
        &mut self,
        store: &mut Store,
        timer: ControllerTimer,
        now: SimTime,
        events: &mut Vec<KubeEvent>,
        traffic: &dyn TrafficQuery,
    ) -> Result<(), LimitExceeded> {
        match timer {
            ControllerTimer::RolloutSync(r) => {
                self.delayed.remove(&Work::Rollout(r));
                self.sync_one(store, Work::Rollout(r), now, events)?;
                self.run_work(store, now, events)
            }
            ControllerTimer::RolloutWake(r) => {
                if self.rollouts.timer_fired(r, now) {
                    self.enqueue(Work::Rollout(r), now);
                }
                self.run_work(store, now, events)
            }
            ControllerTimer::AnalysisStart { run } => {
                self.rollouts.runs.start_windows(run, now, traffic);
                Ok(())
            }
            ControllerTimer::AnalysisMeasurement { run, metric } => {
                if let Some(r) =
                    self.rollouts
                        .runs
                        .measure(run, metric, now, traffic, &mut self.timers)
                {
                    self.enqueue(Work::Rollout(r), now);
                }
                self.run_work(store, now, events)
            }
            ControllerTimer::JobSync(j) => self.jobs.sync(store, j, now, events, &mut self.timers),
            ControllerTimer::JobTtl(j) => {
                self.jobs.expire(store, j, now);
                Ok(())
            }
            ControllerTimer::NodeMonitorPass => {
                self.node_lifecycle
                    .monitor_pass(store, now, events, &mut self.timers);
                Ok(())
            }
            ControllerTimer::NoExecuteTainting(z) => {
                self.node_lifecycle
                    .tainting_pass(store, z, now, &mut self.timers);
                Ok(())
            }
            ControllerTimer::PodGcOrphans(n) => {
                self.pod_gc.delete_orphans(store, n, now);
                Ok(())
            }
            ControllerTimer::TaintEviction { pod, gen } => {
                self.taint_eviction.fire(store, pod, gen, now, events);
                Ok(())
            }
            ControllerTimer::CronJobSync(c) => {
                let (jobs, timers) = (&mut self.jobs, &mut self.timers);
                self.cron_jobs.on_timer(store, jobs, c, now, events, timers)
            }
            ControllerTimer::EndpointsPublish(s) => {
                self.endpoints.publish_due(store, s, now);
                Ok(())
            }
            ControllerTimer::DeploymentSync(d) => {
                self.delayed.remove(&Work::Deployment(d));
                self.sync_one(store, Work::Deployment(d), now, events)
            }
            ControllerTimer::ReplicaSetSync(rs) => {
                self.delayed.remove(&Work::ReplicaSet(rs));
                self.sync_one(store, Work::ReplicaSet(rs), now, events)
            }
            ControllerTimer::ReplicaSetAvailable(rs) => {
                if self.replica_sets.available_timer_fired(rs, now) {
                    self.enqueue(Work::ReplicaSet(rs), now);
                }
                self.run_work(store, now, events)
            }
            ControllerTimer::DeploymentProgressCheck(d) => {
                if self.deployments.deadline_timer_fired(d, now) {
                    self.enqueue(Work::Deployment(d), now);
                }
                self.run_work(store, now, events)
            }
        }
    }

    /// A Job of a CronJob was created or finished: the CronJob syncs
    /// (upstream's Job informer enqueues the controlling CronJob).
    fn sync_owning_cron_job(
        &mut self,
        store: &mut Store,
        job: JobId,
        now: SimTime,
        events: &mut Vec<KubeEvent>,
    ) -> Result<(), LimitExceeded> {
        let owner = store.job(job).metadata.controller_of().map(|o| o.owner);
        let Some(ObjectRef::CronJob(c)) = owner else {
            return Ok(());
        };
        let (jobs, timers) = (&mut self.jobs, &mut self.timers);
        self.cron_jobs.sync(store, jobs, c, now, events, timers)
    }

    /// Checks every controller's state against the store.
    pub fn check_invariants(&self, store: &Store, now: SimTime) -> Result<(), String> {
        self.deployments.check_invariants(store)?;
        self.replica_sets.check_invariants(store)?;
        self.check_pod_owners(store)?;
        self.jobs.check_invariants(store)?;
        self.node_lifecycle.check_invariants(store)?;
        self.taint_eviction.check_invariants(store, now)?;
        self.endpoints.check_invariants(store)?;
        self.rollouts.check_invariants(store, now)?;
        self.cron_jobs.check_invariants(store)
    }
}

/// The Rollout that controls ReplicaSet `rs`.
fn owning_rollout_of_rs(store: &Store, rs: ReplicaSetId) -> Option<RolloutId> {
    match store.replica_set(rs).metadata.controller_of()?.owner {
        ObjectRef::Rollout(r) => Some(r),
        _ => None,
    }
}

/// The Deployment that controls ReplicaSet `rs`.
fn owning_deployment_of_rs(store: &Store, rs: ReplicaSetId) -> Option<DeploymentId> {
    match store.replica_set(rs).metadata.controller_of()?.owner {
        ObjectRef::Deployment(d) => Some(d),
        _ => None,
    }
}

impl Controllers {
    /// Every unfinished pod controlled by a managed ReplicaSet is held by
    /// exactly that ReplicaSet; no pod is held twice.
    fn check_pod_owners(&self, store: &Store) -> Result<(), String> {
        let mut held = 0usize;
        for (rs, _) in store.replica_sets() {
            if let Some(s) = self.replica_sets.state(rs) {
                held += s.pods.len();
            }
        }
        let mut owned = 0usize;
        for (pid, p) in store.pods() {
            let Some(ObjectRef::ReplicaSet(rs)) = p.controller() else {
                continue;
            };
            let Some(s) = self.replica_sets.state(rs) else {
                continue;
            };
            if p.is_finished() {
                continue;
            }
            owned += 1;
            if !s.pods.contains(&pid) {
                return Err(format!("pod {} is not held by its ReplicaSet", p.name()));
            }
        }
        if held != owned {
            return Err(format!("ReplicaSets hold {held} pods, {owned} are theirs"));
        }
        Ok(())
    }
}
