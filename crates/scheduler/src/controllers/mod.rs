//! The control-plane loops, one file per controller, each reading and
//! writing objects only through the [`Store`].
//!
//! [`Controllers`] routes store notices to the controller that cares:
//! a Deployment's spec change to the Deployment controller, a pod that
//! went away to the controller of its owner — found through the pod's
//! typed owner reference (pod → ReplicaSet → Deployment, pod → Job),
//! never by name — and a Job that was created or finished to the CronJob
//! that controls it.
//!
//! The node lifecycle controller watches Leases and taints nodes that
//! stopped reporting; the taint eviction controller deletes the pods
//! that do not tolerate those taints (long enough); their owners replace
//! them. PodGC collects the pods of deleted nodes. The rollout
//! strategies will each get a file here.

mod active_pods;
pub mod cronjob;
mod deployment;
mod job;
mod node_lifecycle;
mod pod_gc;
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

use kubesim_core::{
    entity_rng, CronJobId, DeploymentId, JobId, KubeEvent, LimitExceeded, NodeId, Notice,
    ObjectRef, PodId, SimTime, Store, StoreError,
};

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
}

/// Every controller of a run.
#[derive(Debug, Default)]
pub struct Controllers {
    /// The Deployment controller.
    pub deployments: DeploymentController,
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
    /// The run seed (every controller's random streams derive from it).
    pub seed: u64,
    /// Timers to push on the event queue (drained by the engine).
    pub timers: Vec<(SimTime, ControllerTimer)>,
}

impl Controllers {
    /// Takes over Deployment `id` (its random stream comes from `seed`)
    /// and brings it to its replica count.
    pub fn add_deployment(
        &mut self,
        store: &mut Store,
        id: DeploymentId,
        seed: u64,
        now: SimTime,
        events: &mut Vec<KubeEvent>,
    ) -> Result<(), LimitExceeded> {
        let rng = entity_rng(seed, "deployment", &store.deployment(id).metadata.name);
        match self.deployments.add(store, id, rng) {
            Ok(()) => {}
            Err(StoreError::Limit(l)) => return Err(l),
            // One ReplicaSet per Deployment, named after a unique
            // Deployment: cannot collide.
            Err(e) => panic!("creating a ReplicaSet: {e}"),
        }
        self.deployments.reconcile(store, id, now, events)
    }

    /// Reacts to a store notice.
    pub fn on_notice(
        &mut self,
        store: &mut Store,
        notice: Notice,
        now: SimTime,
        events: &mut Vec<KubeEvent>,
    ) -> Result<(), LimitExceeded> {
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
            Notice::DeploymentChanged(d) => self.deployments.reconcile(store, d, now, events),
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
                let Some(d) = owning_deployment(store, pod) else {
                    return Ok(());
                };
                if self.deployments.pod_gone(d, pod) {
                    self.deployments.reconcile(store, d, now, events)
                } else {
                    Ok(())
                }
            }
            _ => Ok(()),
        }
    }

    /// Handles one of the controllers' timers.
    pub fn handle(
        &mut self,
        store: &mut Store,
        timer: ControllerTimer,
        now: SimTime,
        events: &mut Vec<KubeEvent>,
    ) -> Result<(), LimitExceeded> {
        match timer {
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
        self.jobs.check_invariants(store)?;
        self.node_lifecycle.check_invariants(store)?;
        self.taint_eviction.check_invariants(store, now)?;
        self.cron_jobs.check_invariants(store)
    }
}

/// The Deployment that controls `pod` through its ReplicaSet.
fn owning_deployment(store: &Store, pod: PodId) -> Option<DeploymentId> {
    let ObjectRef::ReplicaSet(rs) = store.pod(pod).controller()? else {
        return None;
    };
    match store.replica_set(rs).metadata.controller_of()?.owner {
        ObjectRef::Deployment(d) => Some(d),
        _ => None,
    }
}
