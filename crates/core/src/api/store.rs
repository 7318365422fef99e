//! The object store: the simulation's API server.
//!
//! [`Store`] holds every node, pod, Deployment, ReplicaSet, Job,
//! CronJob and Service of a run, and the endpoints published for each
//! Service.
//! Its fields are private: components read through `&Store` and change
//! objects only through its write methods, each of which checks its
//! precondition (`debug_assert!` for transitions that only a bug can get
//! wrong, `Err` for what input can cause) and queues a [`Notice`] for the
//! components that react to it — as informers hear about API writes.
//!
//! Creation is bounded: [`Store::add_node`], [`Store::create_pod`],
//! [`Store::create_job`] and [`Store::create_cron_job`] refuse an object
//! beyond `max_objects` *before* allocating it (the bound counts every
//! such object ever created: each keeps its row), and controllers call
//! [`Store::check_room`] before a batch.

use crate::api::defaults::set_defaults_pod_spec;
use crate::api::ids::{
    ContainerId, CronJobId, DeploymentId, JobId, NodeId, ObjectRef, PodId, ReplicaSetId, RolloutId,
    ServiceId,
};
use crate::api::meta::Labels;
use crate::api::meta::ObjectMeta;
use crate::api::node::{ConditionStatus, Node};
use crate::api::pod::{
    ContainerState, ContainerStatus, Pod, PodConditionType, PodPhase, Termination,
};
use crate::api::resources::{pod_nonzero_requests, pod_requests, ResourceList};
use crate::api::rollout::{Rollout, RolloutStatus};
use crate::api::service::{Service, TrafficSplit};
use crate::api::taint::{Taint, TaintEffect};

/// The taint that goes with the `MemoryPressure` condition.
pub const TAINT_MEMORY_PRESSURE: &str = "node.kubernetes.io/memory-pressure";
/// The taint that goes with `spec.unschedulable` (`v1.TaintNodeUnschedulable`).
pub const TAINT_NODE_UNSCHEDULABLE: &str = "node.kubernetes.io/unschedulable";
use crate::api::workload::{
    CronJob, CronJobStatus, Deployment, DeploymentStatus, Job, JobStatus, PodTemplate, ReplicaSet,
    ReplicaSetStatus,
};
use crate::kernel::{LimitExceeded, ModelLimits, SimTime};
use crate::qos::{compute_pod_qos, QosClass};
use std::collections::BTreeMap;

/// What happened in the store, for the components that react to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// A node joined.
    NodeAdded(NodeId),
    /// A node's spec or conditions changed (taints, cordon, pressure).
    NodeUpdated(NodeId),
    /// A node was deleted (`kubectl delete node`).
    NodeDeleted(NodeId),
    /// A pod was created (it may name its node already).
    PodAdded(PodId),
    /// A pod was bound to a node: its kubelet takes it over.
    PodBound {
        /// The pod.
        pod: PodId,
        /// Its node.
        node: NodeId,
    },
    /// A pod's Ready condition became true.
    PodReady(PodId),
    /// A pod's Ready condition fell back to false (it is still running).
    PodUnready(PodId),
    /// Deletion of a pod started (`deletionTimestamp` set).
    PodDeleted(PodId),
    /// A pod stopped holding resources on `node`: it reached a terminal
    /// phase, or was deleted and its containers stopped.
    PodReleased {
        /// The pod.
        pod: PodId,
        /// The node it was on.
        node: NodeId,
    },
    /// A Deployment's spec changed (scaled, a new template, paused or
    /// resumed).
    DeploymentChanged(DeploymentId),
    /// A Job was created.
    JobAdded(JobId),
    /// A node's kubelet stopped or resumed renewing its Lease. (Each
    /// renewal is a write in a real cluster; the store keeps the pattern,
    /// see [`NodeLease`], and announces only its changes.)
    LeaseChanged(NodeId),
    /// A Job reached its terminal condition (`Complete` or `Failed`).
    JobFinished(JobId),
    /// A CronJob was created.
    CronJobAdded(CronJobId),
    /// A Service was created.
    ServiceAdded(ServiceId),
    /// An Argo Rollout's spec changed (a new template, scaled, paused or
    /// resumed), or a user patched its status (`promote`, `abort`,
    /// `retry`). Its controller's own status writes queue nothing.
    RolloutChanged(RolloutId),
    /// A Service's selector changed (a Rollout switched it): its
    /// endpoints are recomputed.
    ServiceSelectorChanged(ServiceId),
    /// A Rollout's controller changed its status (phase, step, abort,
    /// stable ReplicaSet, weights, counts): for readers such as release
    /// accounting; the controllers do not react to it.
    RolloutStatusChanged(RolloutId),
}

/// Why the store refused a write.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The run's object limit.
    #[error(transparent)]
    Limit(#[from] LimitExceeded),
    /// An object of this kind, namespace and name exists.
    #[error("{kind} {name:?} already exists in namespace {namespace:?}")]
    AlreadyExists {
        /// `Pod`, `Node`, …
        kind: &'static str,
        /// Its namespace (empty for nodes).
        namespace: String,
        /// Its name.
        name: String,
    },
    /// A table of the store ran out of `u32` ids.
    #[error(
        "more objects of one kind than kubesim can number ({})",
        ModelLimits::MAX_OBJECTS
    )]
    IdsExhausted,
    /// A pod with more containers than the model allows.
    #[error("pod {name:?} has {count} containers; kubesim allows at most {max}")]
    TooManyContainers {
        /// The pod.
        name: String,
        /// Its containers.
        count: usize,
        /// The limit.
        max: usize,
    },
}

/// When a pod went through each stage of its life (the `_s` columns of
/// `pods.csv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PodTimes {
    /// `metadata.creationTimestamp`.
    pub created: SimTime,
    /// Bound to a node.
    pub scheduled: Option<SimTime>,
    /// The first app container ran (the pod turned `Running`).
    pub started: Option<SimTime>,
    /// First became Ready.
    pub ready: Option<SimTime>,
    /// Reached a terminal phase, or deleted and gone.
    pub finished: Option<SimTime>,
}

/// A stored pod and what the store derives from its spec once (the spec
/// does not change after creation).
#[derive(Debug, Clone)]
pub struct PodEntry {
    pod: Pod,
    node: Option<NodeId>,
    requests: ResourceList,
    nonzero: (i64, i64),
    qos: QosClass,
    first_container: u32,
    times: PodTimes,
}

impl PodEntry {
    /// The API object.
    pub fn pod(&self) -> &Pod {
        &self.pod
    }
    /// `metadata.name`.
    pub fn name(&self) -> &str {
        &self.pod.metadata.name
    }
    /// The node it is bound to.
    pub fn node(&self) -> Option<NodeId> {
        self.node
    }
    /// `PodRequests`: what it asks of its node (no defaults).
    pub fn requests(&self) -> &ResourceList {
        &self.requests
    }
    /// cpu (m) and memory (bytes) with the scheduler's non-zero defaults.
    pub fn nonzero_requests(&self) -> (i64, i64) {
        self.nonzero
    }
    /// Its QoS class.
    pub fn qos(&self) -> QosClass {
        self.qos
    }
    /// `status.phase`.
    pub fn phase(&self) -> PodPhase {
        self.pod.status.phase
    }
    /// Lifecycle times.
    pub fn times(&self) -> &PodTimes {
        &self.times
    }
    /// Reached its end: terminal, or deleted and gone.
    pub fn is_finished(&self) -> bool {
        self.times.finished.is_some()
    }
    /// Deletion has started.
    pub fn is_deleting(&self) -> bool {
        self.pod.metadata.deletion_timestamp.is_some()
    }
    /// Bound and not finished: holds resources on its node.
    pub fn is_active_on_node(&self) -> bool {
        self.node.is_some() && self.times.finished.is_none()
    }
    /// Ready condition.
    pub fn is_ready(&self) -> bool {
        self.pod.status.condition(PodConditionType::Ready)
    }
    /// Number of init containers (their indices come first).
    pub fn init_count(&self) -> usize {
        self.pod.spec.init_containers.len()
    }
    /// The id of container `ci` (init containers first).
    pub fn container_id(&self, ci: usize) -> ContainerId {
        debug_assert!(ci < self.pod.spec.container_count());
        ContainerId(self.first_container + ci as u32)
    }
    /// Ids of all its containers, init first.
    pub fn container_ids(&self) -> impl Iterator<Item = ContainerId> {
        let n = self.pod.spec.container_count() as u32;
        (self.first_container..self.first_container + n).map(ContainerId)
    }
    /// Sum of container restarts.
    pub fn restarts(&self) -> u32 {
        self.pod
            .status
            .container_statuses
            .iter()
            .map(|c| c.restart_count)
            .sum()
    }
    /// The controlling owner reference, typed.
    pub fn controller(&self) -> Option<ObjectRef> {
        self.pod.metadata.controller_of().map(|o| o.owner)
    }
}

type NameKey = (String, String);

/// The next id of a table holding `len` rows: ids are `u32`, and a table
/// that would overflow one is refused rather than wrapped.
fn dense_id(len: usize) -> Result<u32, StoreError> {
    u32::try_from(len)
        .ok()
        .filter(|&id| u64::from(id) < ModelLimits::MAX_OBJECTS)
        .ok_or(StoreError::IdsExhausted)
}

fn key(meta: &ObjectMeta) -> NameKey {
    (meta.namespace_or_default().to_string(), meta.name.clone())
}

/// Every object of a run.
#[derive(Debug)]
pub struct Store {
    max_objects: u64,
    nodes: Vec<Node>,
    node_names: BTreeMap<String, NodeId>,
    /// Per node, the pods bound there and not finished (the
    /// `spec.nodeName` index informers keep).
    node_pods: Vec<Vec<PodId>>,
    pods: Vec<PodEntry>,
    pod_names: BTreeMap<NameKey, PodId>,
    /// Container id → its pod.
    container_pods: Vec<PodId>,
    deployments: Vec<Deployment>,
    deployment_names: BTreeMap<NameKey, DeploymentId>,
    replica_sets: Vec<ReplicaSet>,
    replica_set_names: BTreeMap<NameKey, ReplicaSetId>,
    /// ReplicaSets whose deletion finished (`revisionHistoryLimit`).
    replica_sets_deleted: usize,
    jobs: Vec<Job>,
    job_names: BTreeMap<NameKey, JobId>,
    /// Jobs whose deletion finished.
    jobs_deleted: usize,
    cron_jobs: Vec<CronJob>,
    cron_job_names: BTreeMap<NameKey, CronJobId>,
    services: Vec<Service>,
    service_names: BTreeMap<NameKey, ServiceId>,
    /// Per Service, its ready endpoints as the EndpointSlice controller
    /// last published them, sorted.
    endpoints: Vec<Vec<PodId>>,
    /// Per Service, the weights a traffic router sets, if any.
    traffic_splits: Vec<Option<TrafficSplit>>,
    rollouts: Vec<Rollout>,
    rollout_names: BTreeMap<NameKey, RolloutId>,
    notices: Vec<Notice>,
}

impl Store {
    /// An empty store holding at most `max_objects` nodes, pods, Jobs and
    /// CronJobs.
    pub fn new(max_objects: u64) -> Self {
        Store {
            max_objects: max_objects.min(ModelLimits::MAX_OBJECTS),
            nodes: Vec::new(),
            node_names: BTreeMap::new(),
            node_pods: Vec::new(),
            pods: Vec::new(),
            pod_names: BTreeMap::new(),
            container_pods: Vec::new(),
            deployments: Vec::new(),
            deployment_names: BTreeMap::new(),
            replica_sets: Vec::new(),
            replica_set_names: BTreeMap::new(),
            replica_sets_deleted: 0,
            jobs: Vec::new(),
            job_names: BTreeMap::new(),
            jobs_deleted: 0,
            cron_jobs: Vec::new(),
            cron_job_names: BTreeMap::new(),
            services: Vec::new(),
            service_names: BTreeMap::new(),
            endpoints: Vec::new(),
            traffic_splits: Vec::new(),
            rollouts: Vec::new(),
            rollout_names: BTreeMap::new(),
            notices: Vec::new(),
        }
    }

    // ---- reads ----

    /// Nodes, pods, Jobs and CronJobs ever created (what `max_objects`
    /// bounds: a deleted object keeps its row).
    pub fn object_count(&self) -> u64 {
        (self.nodes.len()
            + self.pods.len()
            + self.jobs.len()
            + self.cron_jobs.len()
            + self.services.len()
            + self.services.len()) as u64
    }
    /// The object limit.
    pub fn max_objects(&self) -> u64 {
        self.max_objects
    }
    /// Fails unless `extra` more objects fit under the limit.
    pub fn check_room(&self, extra: u64, now: SimTime) -> Result<(), LimitExceeded> {
        if self.object_count().saturating_add(extra) > self.max_objects {
            return Err(LimitExceeded::Objects {
                limit: self.max_objects,
                at: now,
            });
        }
        Ok(())
    }
    /// Node `id`.
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.index()]
    }
    /// Number of nodes (ids are `0..node_count()`).
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }
    /// Every node with its id.
    pub fn nodes(&self) -> impl ExactSizeIterator<Item = (NodeId, &Node)> {
        self.nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (NodeId(i as u32), n))
    }
    /// The node named `name`.
    pub fn node_id(&self, name: &str) -> Option<NodeId> {
        self.node_names.get(name).copied()
    }
    /// Pod `id`.
    pub fn pod(&self, id: PodId) -> &PodEntry {
        &self.pods[id.index()]
    }
    /// Number of pods ever created (ids are `0..pod_count()`).
    pub fn pod_count(&self) -> usize {
        self.pods.len()
    }
    /// Every pod with its id, in creation order.
    pub fn pods(&self) -> impl ExactSizeIterator<Item = (PodId, &PodEntry)> {
        self.pods
            .iter()
            .enumerate()
            .map(|(i, p)| (PodId(i as u32), p))
    }
    /// The pod `namespace/name`.
    pub fn pod_id(&self, namespace: &str, name: &str) -> Option<PodId> {
        self.pod_names
            .get(&(namespace.to_string(), name.to_string()))
            .copied()
    }
    /// The pod a container belongs to, and its index within the pod.
    pub fn container_pod(&self, cid: ContainerId) -> (PodId, usize) {
        let pid = self.container_pods[cid.index()];
        let first = self.pods[pid.index()].first_container;
        (pid, (cid.0 - first) as usize)
    }
    /// Containers ever created (ids are `0..container_count()`).
    pub fn container_count(&self) -> usize {
        self.container_pods.len()
    }
    /// Deployment `id`.
    pub fn deployment(&self, id: DeploymentId) -> &Deployment {
        &self.deployments[id.index()]
    }
    /// Every Deployment with its id.
    pub fn deployments(&self) -> impl ExactSizeIterator<Item = (DeploymentId, &Deployment)> {
        self.deployments
            .iter()
            .enumerate()
            .map(|(i, d)| (DeploymentId(i as u32), d))
    }
    /// The Deployment `namespace/name`.
    pub fn deployment_id(&self, namespace: &str, name: &str) -> Option<DeploymentId> {
        self.deployment_names
            .get(&(namespace.to_string(), name.to_string()))
            .copied()
    }
    /// ReplicaSet `id`.
    pub fn replica_set(&self, id: ReplicaSetId) -> &ReplicaSet {
        &self.replica_sets[id.index()]
    }
    /// Every ReplicaSet with its id.
    pub fn replica_sets(&self) -> impl ExactSizeIterator<Item = (ReplicaSetId, &ReplicaSet)> {
        self.replica_sets
            .iter()
            .enumerate()
            .map(|(i, r)| (ReplicaSetId(i as u32), r))
    }
    /// How output names a pod: `NAME`, or `NAMESPACE/NAME` outside `default`.
    pub fn pod_display_name(&self, id: PodId) -> std::borrow::Cow<'_, str> {
        self.pods[id.index()].pod.metadata.qualified_name()
    }
    /// What created the pod, as `pods.csv` names it: `deployment/NAME`
    /// (through its ReplicaSet), `replicaset/NAME`, `job/NAME`,
    /// `cronjob/NAME/JOB` (through its Job), or `pod/NAME` for a bare pod.
    pub fn workload_of(&self, id: PodId) -> String {
        let p = &self.pods[id.index()];
        match p.controller() {
            Some(ObjectRef::ReplicaSet(rs)) => {
                let rs = &self.replica_sets[rs.index()];
                match rs.metadata.controller_of().map(|o| o.owner) {
                    Some(ObjectRef::Deployment(d)) => format!(
                        "deployment/{}",
                        self.deployments[d.index()].metadata.qualified_name()
                    ),
                    Some(ObjectRef::Rollout(r)) => format!(
                        "rollout/{}",
                        self.rollouts[r.index()].metadata.qualified_name()
                    ),
                    _ => format!("replicaset/{}", rs.metadata.qualified_name()),
                }
            }
            Some(ObjectRef::Deployment(d)) => format!(
                "deployment/{}",
                self.deployments[d.index()].metadata.qualified_name()
            ),
            Some(ObjectRef::Job(j)) => {
                let job = &self.jobs[j.index()];
                match job.metadata.controller_of().map(|o| o.owner) {
                    Some(ObjectRef::CronJob(c)) => format!(
                        "cronjob/{}/{}",
                        self.cron_jobs[c.index()].metadata.qualified_name(),
                        job.metadata.name
                    ),
                    _ => format!("job/{}", job.metadata.qualified_name()),
                }
            }
            _ => format!("pod/{}", p.pod.metadata.qualified_name()),
        }
    }

    /// Takes the queued notices (in the order of the writes) into `out`.
    pub fn take_notices(&mut self, out: &mut Vec<Notice>) {
        out.append(&mut self.notices);
    }
    /// Whether notices are waiting.
    pub fn has_notices(&self) -> bool {
        !self.notices.is_empty()
    }

    // ---- creation ----

    /// Adds a node; its name must be new.
    pub fn add_node(&mut self, node: Node, now: SimTime) -> Result<NodeId, StoreError> {
        if self.node_names.contains_key(node.name()) {
            return Err(StoreError::AlreadyExists {
                kind: "Node",
                namespace: String::new(),
                name: node.name().to_string(),
            });
        }
        self.check_room(1, now)?;
        let id = NodeId(dense_id(self.nodes.len())?);
        self.node_names.insert(node.name().to_string(), id);
        self.nodes.push(node);
        self.node_pods.push(Vec::new());
        self.notices.push(Notice::NodeAdded(id));
        Ok(id)
    }

    /// Creates a pod at `now`, as the API server does: API defaulting,
    /// then the derived requests and QoS class. Its `namespace/name` must
    /// be new.
    pub fn create_pod(&mut self, mut pod: Pod, now: SimTime) -> Result<PodId, StoreError> {
        let count = pod.spec.container_count();
        if count > ModelLimits::MAX_CONTAINERS_PER_POD {
            return Err(StoreError::TooManyContainers {
                name: pod.metadata.name.clone(),
                count,
                max: ModelLimits::MAX_CONTAINERS_PER_POD,
            });
        }
        if pod.metadata.namespace.is_empty() {
            pod.metadata.namespace = crate::api::meta::DEFAULT_NAMESPACE.into();
        }
        let k = key(&pod.metadata);
        if self.pod_names.contains_key(&k) {
            return Err(StoreError::AlreadyExists {
                kind: "Pod",
                namespace: k.0,
                name: k.1,
            });
        }
        self.check_room(1, now)?;
        let first = dense_id(self.container_pods.len() + count)? - count as u32;
        set_defaults_pod_spec(&mut pod.spec);
        crate::api::admission::admit_default_toleration_seconds(&mut pod.spec);
        pod.metadata.creation_timestamp = now;
        pod.status.container_statuses = pod
            .spec
            .all_containers()
            .map(|c| ContainerStatus {
                name: c.name.clone(),
                image: c.image.clone(),
                ..Default::default()
            })
            .collect();
        let id = PodId(dense_id(self.pods.len())?);
        self.container_pods.extend(std::iter::repeat_n(id, count));
        self.pod_names.insert(k, id);
        self.pods.push(PodEntry {
            requests: pod_requests(&pod.spec),
            nonzero: pod_nonzero_requests(&pod.spec),
            qos: compute_pod_qos(&pod.spec),
            pod,
            node: None,
            first_container: first,
            times: PodTimes {
                created: now,
                ..Default::default()
            },
        });
        self.notices.push(Notice::PodAdded(id));
        Ok(id)
    }

    /// Stores a Deployment; its `namespace/name` must be new.
    pub fn create_deployment(&mut self, mut d: Deployment) -> Result<DeploymentId, StoreError> {
        if d.metadata.namespace.is_empty() {
            d.metadata.namespace = crate::api::meta::DEFAULT_NAMESPACE.into();
        }
        let k = key(&d.metadata);
        if self.deployment_names.contains_key(&k) {
            return Err(StoreError::AlreadyExists {
                kind: "Deployment",
                namespace: k.0,
                name: k.1,
            });
        }
        let id = DeploymentId(dense_id(self.deployments.len())?);
        self.deployment_names.insert(k, id);
        self.deployments.push(d);
        Ok(id)
    }

    /// Stores a ReplicaSet; its `namespace/name` must be new.
    pub fn create_replica_set(&mut self, mut rs: ReplicaSet) -> Result<ReplicaSetId, StoreError> {
        if rs.metadata.namespace.is_empty() {
            rs.metadata.namespace = crate::api::meta::DEFAULT_NAMESPACE.into();
        }
        let k = key(&rs.metadata);
        if self.replica_set_names.contains_key(&k) {
            return Err(StoreError::AlreadyExists {
                kind: "ReplicaSet",
                namespace: k.0,
                name: k.1,
            });
        }
        let id = ReplicaSetId(dense_id(self.replica_sets.len())?);
        self.replica_set_names.insert(k, id);
        self.replica_sets.push(rs);
        Ok(id)
    }

    /// Stores a Job (with `SetDefaults_Job` applied by the caller); its
    /// `namespace/name` must be new among live Jobs, and it must fit under
    /// the object limit.
    pub fn create_job(&mut self, mut job: Job, now: SimTime) -> Result<JobId, StoreError> {
        if job.metadata.namespace.is_empty() {
            job.metadata.namespace = crate::api::meta::DEFAULT_NAMESPACE.into();
        }
        let k = key(&job.metadata);
        if self.job_names.contains_key(&k) {
            return Err(StoreError::AlreadyExists {
                kind: "Job",
                namespace: k.0,
                name: k.1,
            });
        }
        self.check_room(1, now)?;
        let id = JobId(dense_id(self.jobs.len())?);
        job.metadata.creation_timestamp = now;
        self.job_names.insert(k, id);
        self.jobs.push(job);
        self.notices.push(Notice::JobAdded(id));
        Ok(id)
    }

    /// Job `id`.
    pub fn job(&self, id: JobId) -> &Job {
        &self.jobs[id.index()]
    }
    /// Every Job ever created, with its id (deleted ones included).
    pub fn jobs(&self) -> impl ExactSizeIterator<Item = (JobId, &Job)> {
        self.jobs
            .iter()
            .enumerate()
            .map(|(i, j)| (JobId(i as u32), j))
    }
    /// The live Job `namespace/name`.
    pub fn job_id(&self, namespace: &str, name: &str) -> Option<JobId> {
        self.job_names
            .get(&(namespace.to_string(), name.to_string()))
            .copied()
    }
    /// Jobs ever created (ids are `0..job_count()`).
    pub fn job_count(&self) -> usize {
        self.jobs.len()
    }
    /// The Job controller's status update; the first terminal outcome
    /// queues [`Notice::JobFinished`].
    pub fn set_job_status(&mut self, id: JobId, status: JobStatus) {
        let j = &mut self.jobs[id.index()];
        debug_assert!(
            j.status.outcome.is_none() || status.outcome == j.status.outcome,
            "a finished Job changes its outcome"
        );
        debug_assert!(
            status.outcome.is_none() || status.finished.is_some(),
            "a Job finished without a time"
        );
        let finished = j.status.outcome.is_none() && status.outcome.is_some();
        j.status = status;
        if finished {
            self.notices.push(Notice::JobFinished(id));
        }
    }
    /// Deletes a Job (its pods are the garbage collector's: the caller
    /// deletes them). Its name is free again.
    pub fn delete_job(&mut self, id: JobId, now: SimTime) -> bool {
        let j = &mut self.jobs[id.index()];
        if j.metadata.deletion_timestamp.is_some() {
            return false;
        }
        j.metadata.deletion_timestamp = Some(now);
        let k = key(&j.metadata);
        self.job_names.remove(&k);
        self.jobs_deleted += 1;
        true
    }
    /// Stores a CronJob at `now` (with `SetDefaults_CronJob` applied by the
    /// caller, e.g. through [`CronJob::new`]); its `namespace/name` must be
    /// new, and it must fit under the object limit.
    pub fn create_cron_job(
        &mut self,
        mut cj: CronJob,
        now: SimTime,
    ) -> Result<CronJobId, StoreError> {
        if cj.metadata.namespace.is_empty() {
            cj.metadata.namespace = crate::api::meta::DEFAULT_NAMESPACE.into();
        }
        let k = key(&cj.metadata);
        if self.cron_job_names.contains_key(&k) {
            return Err(StoreError::AlreadyExists {
                kind: "CronJob",
                namespace: k.0,
                name: k.1,
            });
        }
        self.check_room(1, now)?;
        let id = CronJobId(dense_id(self.cron_jobs.len())?);
        cj.metadata.creation_timestamp = now;
        self.cron_job_names.insert(k, id);
        self.cron_jobs.push(cj);
        self.notices.push(Notice::CronJobAdded(id));
        Ok(id)
    }
    /// CronJob `id`.
    pub fn cron_job(&self, id: CronJobId) -> &CronJob {
        &self.cron_jobs[id.index()]
    }
    /// Every CronJob with its id.
    pub fn cron_jobs(&self) -> impl ExactSizeIterator<Item = (CronJobId, &CronJob)> {
        self.cron_jobs
            .iter()
            .enumerate()
            .map(|(i, c)| (CronJobId(i as u32), c))
    }
    /// The CronJob `namespace/name`.
    pub fn cron_job_id(&self, namespace: &str, name: &str) -> Option<CronJobId> {
        self.cron_job_names
            .get(&(namespace.to_string(), name.to_string()))
            .copied()
    }
    /// The CronJob controller's status update. Its active Jobs must be
    /// Jobs it controls.
    pub fn set_cron_job_status(&mut self, id: CronJobId, status: CronJobStatus) {
        debug_assert!(
            status.active.iter().all(|&j| {
                self.jobs[j.index()]
                    .metadata
                    .controller_of()
                    .map(|o| o.owner)
                    == Some(ObjectRef::CronJob(id))
            }),
            "a CronJob lists a Job it does not control as active"
        );
        self.cron_jobs[id.index()].status = status;
    }

    /// Stores a Service at `now`; its `namespace/name` must be new, and it
    /// must fit under the object limit. It starts with no endpoints.
    pub fn create_service(
        &mut self,
        mut svc: Service,
        now: SimTime,
    ) -> Result<ServiceId, StoreError> {
        if svc.metadata.namespace.is_empty() {
            svc.metadata.namespace = crate::api::meta::DEFAULT_NAMESPACE.into();
        }
        let k = key(&svc.metadata);
        if self.service_names.contains_key(&k) {
            return Err(StoreError::AlreadyExists {
                kind: "Service",
                namespace: k.0,
                name: k.1,
            });
        }
        self.check_room(1, now)?;
        let id = ServiceId(dense_id(self.services.len())?);
        svc.metadata.creation_timestamp = now;
        self.service_names.insert(k, id);
        self.services.push(svc);
        self.endpoints.push(Vec::new());
        self.traffic_splits.push(None);
        self.notices.push(Notice::ServiceAdded(id));
        Ok(id)
    }
    /// Service `id`.
    pub fn service(&self, id: ServiceId) -> &Service {
        &self.services[id.index()]
    }
    /// Every Service with its id.
    pub fn services(&self) -> impl ExactSizeIterator<Item = (ServiceId, &Service)> {
        self.services
            .iter()
            .enumerate()
            .map(|(i, s)| (ServiceId(i as u32), s))
    }
    /// The Service `namespace/name`.
    pub fn service_id(&self, namespace: &str, name: &str) -> Option<ServiceId> {
        self.service_names
            .get(&(namespace.to_string(), name.to_string()))
            .copied()
    }
    /// The ready endpoints of Service `id` as last published, sorted.
    pub fn service_endpoints(&self, id: ServiceId) -> &[PodId] {
        &self.endpoints[id.index()]
    }
    /// The EndpointSlice controller publishes the ready endpoints of
    /// Service `id`: pods it selects, each listed once.
    pub fn set_service_endpoints(&mut self, id: ServiceId, mut ready: Vec<PodId>) {
        ready.sort_unstable();
        debug_assert!(
            ready.windows(2).all(|w| w[0] != w[1]),
            "an endpoint listed twice"
        );
        debug_assert!(
            ready
                .iter()
                .all(|&p| self.services[id.index()].selects(&self.pods[p.index()].pod)),
            "an endpoint the Service does not select"
        );
        self.endpoints[id.index()] = ready;
    }

    /// The weights a traffic router applies to Service `id`, if any.
    pub fn service_traffic_split(&self, id: ServiceId) -> Option<TrafficSplit> {
        self.traffic_splits[id.index()]
    }
    /// A traffic router (the Rollout controller under `trafficRouting`)
    /// sets or clears the weights of Service `id`.
    pub fn set_service_traffic_split(&mut self, id: ServiceId, split: Option<TrafficSplit>) {
        debug_assert!(
            split.is_none_or(|s| s.canary_weight_percent <= 100),
            "a canary weight above 100 %"
        );
        self.traffic_splits[id.index()] = split;
    }

    /// Objects the API server holds now: nodes, pods not yet gone,
    /// Deployments, ReplicaSets, Jobs not deleted, CronJobs and Services.
    pub fn api_objects(&self) -> usize {
        let pods = self
            .pods
            .iter()
            .filter(|p| !p.is_finished() || !p.is_deleting())
            .count();
        let nodes = self.nodes.iter().filter(|n| !n.is_deleted()).count();
        nodes
            + pods
            + self.deployments.len()
            + (self.replica_sets.len() - self.replica_sets_deleted)
            + (self.jobs.len() - self.jobs_deleted)
            + self.cron_jobs.len()
            + self.services.len()
            + self.rollouts.len()
    }

    /// Stores an Argo Rollout; its `namespace/name` must be new.
    pub fn create_rollout(&mut self, mut r: Rollout) -> Result<RolloutId, StoreError> {
        if r.metadata.namespace.is_empty() {
            r.metadata.namespace = crate::api::meta::DEFAULT_NAMESPACE.into();
        }
        let k = key(&r.metadata);
        if self.rollout_names.contains_key(&k) {
            return Err(StoreError::AlreadyExists {
                kind: "Rollout",
                namespace: k.0,
                name: k.1,
            });
        }
        let id = RolloutId(dense_id(self.rollouts.len())?);
        self.rollout_names.insert(k, id);
        self.rollouts.push(r);
        Ok(id)
    }
    /// Rollout `id`.
    pub fn rollout(&self, id: RolloutId) -> &Rollout {
        &self.rollouts[id.index()]
    }
    /// Every Rollout with its id.
    pub fn rollouts(&self) -> impl ExactSizeIterator<Item = (RolloutId, &Rollout)> {
        self.rollouts
            .iter()
            .enumerate()
            .map(|(i, r)| (RolloutId(i as u32), r))
    }
    /// The Rollout `namespace/name`.
    pub fn rollout_id(&self, namespace: &str, name: &str) -> Option<RolloutId> {
        self.rollout_names
            .get(&(namespace.to_string(), name.to_string()))
            .copied()
    }
    /// Sets a Rollout's `spec.replicas` (`kubectl argo rollouts scale`).
    pub fn scale_rollout(&mut self, id: RolloutId, replicas: i32) {
        debug_assert!(replicas >= 0, "negative replicas");
        let r = &mut self.rollouts[id.index()];
        r.replicas = replicas;
        r.metadata.generation += 1;
        self.notices.push(Notice::RolloutChanged(id));
    }
    /// Sets a Rollout's `spec.template` (`kubectl argo rollouts set
    /// image`, `undo`).
    pub fn set_rollout_template(&mut self, id: RolloutId, template: crate::api::PodTemplate) {
        let r = &mut self.rollouts[id.index()];
        if r.template == template {
            return;
        }
        r.template = template;
        r.metadata.generation += 1;
        self.notices.push(Notice::RolloutChanged(id));
    }
    /// Sets a Rollout's `spec.paused` (`kubectl argo rollouts pause`;
    /// `promote` clears it).
    pub fn set_rollout_paused(&mut self, id: RolloutId, paused: bool) {
        let r = &mut self.rollouts[id.index()];
        if r.paused == paused {
            return;
        }
        r.paused = paused;
        r.metadata.generation += 1;
        self.notices.push(Notice::RolloutChanged(id));
    }
    /// A user's patch of a Rollout's status (`kubectl argo rollouts
    /// promote`, `abort`, `retry`): queues [`Notice::RolloutChanged`].
    pub fn patch_rollout_status(&mut self, id: RolloutId, f: impl FnOnce(&mut RolloutStatus)) {
        f(&mut self.rollouts[id.index()].status);
        self.notices.push(Notice::RolloutChanged(id));
    }
    /// Sets a Rollout's `status` (its controller's); a change queues
    /// [`Notice::RolloutStatusChanged`].
    pub fn set_rollout_status(&mut self, id: RolloutId, status: RolloutStatus) {
        debug_assert!(
            status.canary_weight >= 0 && status.ready_replicas <= status.replicas,
            "a negative weight, or more ready pods than pods"
        );
        let r = &mut self.rollouts[id.index()];
        if r.status != status {
            r.status = status;
            self.notices.push(Notice::RolloutStatusChanged(id));
        }
    }
    /// Sets a Rollout's annotation `key` (its controller's
    /// `rollout.argoproj.io/revision`).
    pub fn set_rollout_annotation(&mut self, id: RolloutId, key: &str, value: String) {
        let a = &mut self.rollouts[id.index()].metadata.annotations;
        if a.get(key) != Some(&value) {
            a.insert(key.to_string(), value);
        }
    }
    /// Sets a Service's `spec.selector` (a Rollout pointing its active,
    /// preview, stable or canary Service at a ReplicaSet's hash). The
    /// published endpoints the new selector does not select are dropped
    /// at once; queues [`Notice::ServiceSelectorChanged`] so the
    /// EndpointSlice controller republishes.
    pub fn set_service_selector(&mut self, id: ServiceId, selector: Option<Labels>) {
        let svc = &mut self.services[id.index()];
        if svc.selector == selector {
            return;
        }
        svc.selector = selector;
        let svc = &self.services[id.index()];
        let pods = &self.pods;
        self.endpoints[id.index()].retain(|p| svc.selects(&pods[p.index()].pod));
        self.notices.push(Notice::ServiceSelectorChanged(id));
    }

    // ---- control-plane writes ----

    /// Sets a Deployment's `spec.replicas` (`kubectl scale`).
    pub fn scale_deployment(&mut self, id: DeploymentId, replicas: i32) {
        debug_assert!(replicas >= 0, "negative replicas");
        let d = &mut self.deployments[id.index()];
        d.replicas = replicas;
        d.metadata.generation += 1;
        self.notices.push(Notice::DeploymentChanged(id));
    }

    /// Sets a Deployment's `spec.template` (`kubectl set image`, `kubectl
    /// rollout undo`).
    pub fn set_deployment_template(&mut self, id: DeploymentId, template: PodTemplate) {
        let d = &mut self.deployments[id.index()];
        if d.template == template {
            return;
        }
        d.template = template;
        d.metadata.generation += 1;
        self.notices.push(Notice::DeploymentChanged(id));
    }

    /// Sets a Deployment's `spec.paused` (`kubectl rollout pause/resume`).
    pub fn set_deployment_paused(&mut self, id: DeploymentId, paused: bool) {
        let d = &mut self.deployments[id.index()];
        if d.paused == paused {
            return;
        }
        d.paused = paused;
        d.metadata.generation += 1;
        self.notices.push(Notice::DeploymentChanged(id));
    }

    /// Sets a Deployment's annotation `key` (its controller's
    /// `deployment.kubernetes.io/revision`).
    pub fn set_deployment_annotation(&mut self, id: DeploymentId, key: &str, value: String) {
        let a = &mut self.deployments[id.index()].metadata.annotations;
        if a.get(key) != Some(&value) {
            a.insert(key.to_string(), value);
        }
    }

    /// Sets a Deployment's `status` (its controller's).
    pub fn set_deployment_status(&mut self, id: DeploymentId, status: DeploymentStatus) {
        debug_assert!(status.replicas >= 0 && status.available_replicas >= 0);
        self.deployments[id.index()].status = status;
    }

    /// Sets a ReplicaSet's `spec.replicas` (its Deployment scaling it).
    pub fn scale_replica_set(&mut self, id: ReplicaSetId, replicas: i32) {
        debug_assert!(replicas >= 0, "negative replicas");
        let rs = &mut self.replica_sets[id.index()];
        debug_assert!(
            rs.metadata.deletion_timestamp.is_none(),
            "scaling a deleted ReplicaSet"
        );
        rs.replicas = replicas;
    }

    /// Sets a ReplicaSet's annotation `key` (revision, desired and max
    /// replicas: its Deployment's).
    pub fn set_replica_set_annotation(&mut self, id: ReplicaSetId, key: &str, value: String) {
        let a = &mut self.replica_sets[id.index()].metadata.annotations;
        if a.get(key) != Some(&value) {
            a.insert(key.to_string(), value);
        }
    }

    /// Sets a ReplicaSet's `spec.minReadySeconds` (its Deployment's).
    pub fn set_replica_set_min_ready(&mut self, id: ReplicaSetId, seconds: i32) {
        debug_assert!(seconds >= 0);
        self.replica_sets[id.index()].min_ready_seconds = seconds;
    }

    /// Sets a ReplicaSet's `status` (the ReplicaSet controller's).
    pub fn set_replica_set_status(&mut self, id: ReplicaSetId, status: ReplicaSetStatus) {
        debug_assert!(status.replicas >= 0 && status.ready_replicas <= status.replicas);
        self.replica_sets[id.index()].status = status;
    }

    /// Deletes a ReplicaSet that holds no pods (`revisionHistoryLimit`
    /// cleanup); its row stays, its name is free again.
    pub fn delete_replica_set(&mut self, id: ReplicaSetId, now: SimTime) -> bool {
        let rs = &mut self.replica_sets[id.index()];
        if rs.metadata.deletion_timestamp.is_some() {
            return false;
        }
        debug_assert!(
            rs.replicas == 0 && rs.status.replicas == 0,
            "deleting ReplicaSet {} that holds pods",
            rs.metadata.name
        );
        rs.metadata.deletion_timestamp = Some(now);
        let k = key(&rs.metadata);
        self.replica_set_names.remove(&k);
        self.replica_sets_deleted += 1;
        true
    }

    /// The live ReplicaSet `namespace/name`.
    pub fn replica_set_id(&self, namespace: &str, name: &str) -> Option<ReplicaSetId> {
        self.replica_set_names
            .get(&(namespace.to_string(), name.to_string()))
            .copied()
    }

    /// The scheduler's binding: `pod` runs on `node` from `now`.
    pub fn bind(&mut self, pod: PodId, node: NodeId, now: SimTime) {
        let node_name = self.nodes[node.index()].name().to_string();
        let p = &mut self.pods[pod.index()];
        debug_assert!(p.node.is_none(), "pod {} bound twice", p.name());
        debug_assert!(!p.is_finished(), "binding finished pod {}", p.name());
        debug_assert!(!p.is_deleting(), "binding deleted pod {}", p.name());
        debug_assert!(
            p.pod
                .spec
                .node_name
                .as_ref()
                .is_none_or(|n| *n == node_name),
            "pod {} names another node",
            p.name()
        );
        p.node = Some(node);
        self.node_pods[node.index()].push(pod);
        let p = &mut self.pods[pod.index()];
        p.times.scheduled = Some(now);
        p.pod.spec.node_name = Some(node_name);
        p.pod
            .status
            .set_condition(PodConditionType::PodScheduled, true, now, "");
        self.notices.push(Notice::PodBound { pod, node });
    }

    /// A scheduling cycle found no node: `PodScheduled=False`, reason
    /// `Unschedulable`.
    pub fn set_unschedulable(&mut self, pod: PodId, now: SimTime) {
        let p = &mut self.pods[pod.index()];
        debug_assert!(p.node.is_none(), "bound pod {} unschedulable", p.name());
        p.pod
            .status
            .set_condition(PodConditionType::PodScheduled, false, now, "Unschedulable");
    }

    /// Starts deleting a pod (`kubectl delete`, a controller scaling
    /// down). An unbound pod is gone at once; a bound one is gone when its
    /// kubelet has stopped it. Returns `false` if it was already finished
    /// or being deleted.
    pub fn delete_pod(&mut self, pod: PodId, now: SimTime) -> bool {
        self.delete_pod_with_grace(pod, now, None)
    }

    /// [`delete_pod`](Self::delete_pod) with a grace period other than the
    /// pod's `terminationGracePeriodSeconds` (`kubectl delete
    /// --grace-period`, an eviction).
    pub fn delete_pod_with_grace(
        &mut self,
        pod: PodId,
        now: SimTime,
        grace_s: Option<i64>,
    ) -> bool {
        let p = &mut self.pods[pod.index()];
        if p.is_finished() || p.is_deleting() {
            return false;
        }
        p.pod.metadata.deletion_timestamp = Some(now);
        p.pod.metadata.deletion_grace_period_s = Some(
            grace_s
                .unwrap_or(p.pod.spec.termination_grace_period_s)
                .max(0),
        );
        if p.node.is_none() {
            p.times.finished = Some(now);
            p.pod.status.reason = "Deleted".into();
        }
        self.notices.push(Notice::PodDeleted(pod));
        true
    }

    /// The garbage collector deletes a pod that had already ended (its
    /// Job was deleted): it leaves the API server at once — nothing runs
    /// and nothing is held, so there is nothing to stop. Queues
    /// [`Notice::PodDeleted`]. Returns `false` unless the pod had finished
    /// and was not deleted yet.
    pub fn delete_finished_pod(&mut self, pod: PodId, now: SimTime) -> bool {
        let p = &mut self.pods[pod.index()];
        if !p.is_finished() || p.is_deleting() {
            return false;
        }
        p.pod.metadata.deletion_timestamp = Some(now);
        p.pod.metadata.deletion_grace_period_s = Some(0);
        self.notices.push(Notice::PodDeleted(pod));
        true
    }

    // ---- kubelet status writes ----

    /// kubelet accepted the pod (`status.startTime`).
    pub fn set_start_time(&mut self, pod: PodId, now: SimTime) {
        let p = &mut self.pods[pod.index()];
        debug_assert!(p.node.is_some(), "start time of unbound pod {}", p.name());
        p.pod.status.start_time = Some(now);
    }

    /// Init containers done: `Initialized`. (The phase turns `Running`
    /// when an app container runs — not while its image is pulled.)
    pub fn set_pod_initialized(&mut self, pod: PodId, now: SimTime) {
        let p = &mut self.pods[pod.index()];
        debug_assert!(p.node.is_some() && !p.is_finished());
        debug_assert!(
            !p.pod.status.condition(PodConditionType::Initialized),
            "pod {} started twice",
            p.name()
        );
        p.pod
            .status
            .set_condition(PodConditionType::Initialized, true, now, "");
    }

    /// Whether the pod's app containers have started.
    ///
    /// (After a node reboot the pod starts over; its first start time is
    /// kept.)
    pub fn pod_started(&self, pod: PodId) -> bool {
        self.pods[pod.index()]
            .pod
            .status
            .condition(PodConditionType::Initialized)
    }

    /// kubelet came back after its node crashed and found the pod's
    /// containers gone: each one that was running is terminated with
    /// `ContainerStatusUnknown` (137, as `convertToAPIContainerStatuses`
    /// reports a container it cannot find), each one that ever ran counts
    /// a restart, and the pod starts over from its first init container
    /// (a new sandbox, `computePodActions`).
    pub fn reboot_pod(&mut self, pod: PodId, now: SimTime) {
        let p = &mut self.pods[pod.index()];
        debug_assert!(p.is_active_on_node(), "rebooting pod {} off node", p.name());
        for c in &mut p.pod.status.container_statuses {
            if c.state == ContainerState::Running {
                c.state = ContainerState::Terminated;
                c.last_termination = Some(Termination::CONTAINER_STATUS_UNKNOWN);
            }
            if c.started_at.is_some() {
                c.restart_count = c.restart_count.saturating_add(1);
            }
            c.ready = false;
        }
        for kind in [
            PodConditionType::Initialized,
            PodConditionType::ContainersReady,
            PodConditionType::Ready,
        ] {
            p.pod.status.set_condition(kind, false, now, "");
        }
    }

    /// kubelet found the containers of a pod on a crashed node gone:
    /// the ones the API still shows running are terminated with
    /// `ContainerStatusUnknown`.
    pub fn lose_containers(&mut self, pod: PodId) {
        for c in &mut self.pods[pod.index()].pod.status.container_statuses {
            if c.state == ContainerState::Running {
                c.state = ContainerState::Terminated;
                c.ready = false;
                c.last_termination = Some(Termination::CONTAINER_STATUS_UNKNOWN);
            }
        }
    }

    fn status_mut(&mut self, pod: PodId, ci: usize) -> &mut ContainerStatus {
        &mut self.pods[pod.index()].pod.status.container_statuses[ci]
    }

    /// Container `ci` of `pod` started running at `now`. The first app
    /// container to run makes the pod `Running` (`getPhase`,
    /// pkg/kubelet/kubelet_pods.go) and is the pod's start time.
    pub fn set_container_running(&mut self, pod: PodId, ci: usize, now: SimTime) {
        let p = &mut self.pods[pod.index()];
        debug_assert!(p.is_active_on_node());
        if ci >= p.init_count() && p.pod.status.phase == PodPhase::Pending {
            p.pod.status.phase = PodPhase::Running;
            p.times.started.get_or_insert(now);
        }
        let c = self.status_mut(pod, ci);
        debug_assert!(
            c.state != ContainerState::Running,
            "{} started twice",
            c.name
        );
        c.state = ContainerState::Running;
        c.ready = false;
        c.started_at = Some(now);
    }

    /// Container `ci` of `pod` stopped; `how` it ended, if it ended on its
    /// own (a container stopped with its pod records nothing).
    pub fn set_container_terminated(&mut self, pod: PodId, ci: usize, how: Option<Termination>) {
        let c = self.status_mut(pod, ci);
        debug_assert!(
            c.state == ContainerState::Running,
            "stopping {} which is not running",
            c.name
        );
        c.state = ContainerState::Terminated;
        c.ready = false;
        if how.is_some() {
            c.last_termination = how;
        }
    }

    /// Container `ci` of `pod` answers (or stopped answering) probes.
    pub fn set_container_ready(&mut self, pod: PodId, ci: usize, ready: bool) {
        let c = self.status_mut(pod, ci);
        debug_assert!(!ready || c.state == ContainerState::Running);
        c.ready = ready;
    }

    /// kubelet restarts container `ci` of `pod`.
    pub fn record_restart(&mut self, pod: PodId, ci: usize) {
        let c = self.status_mut(pod, ci);
        debug_assert!(c.state == ContainerState::Terminated);
        c.restart_count = c.restart_count.saturating_add(1);
    }

    /// Sets `ContainersReady` and `Ready`; the first time the pod becomes
    /// Ready is recorded, and every rise queues [`Notice::PodReady`].
    pub fn set_pod_ready(&mut self, pod: PodId, ready: bool, now: SimTime) {
        let p = &mut self.pods[pod.index()];
        debug_assert!(!ready || p.is_active_on_node());
        let was = p.is_ready();
        p.pod
            .status
            .set_condition(PodConditionType::ContainersReady, ready, now, "");
        p.pod
            .status
            .set_condition(PodConditionType::Ready, ready, now, "");
        if ready && !was {
            p.times.ready.get_or_insert(now);
            self.notices.push(Notice::PodReady(pod));
        } else if was && !ready {
            self.notices.push(Notice::PodUnready(pod));
        }
    }

    /// The pod reached a terminal `phase` (or, deleted, was stopped) and
    /// gives its node's resources back.
    pub fn finish_pod(&mut self, pod: PodId, phase: PodPhase, reason: &str, now: SimTime) {
        let p = &mut self.pods[pod.index()];
        debug_assert!(!p.is_finished(), "pod {} finished twice", p.name());
        debug_assert!(phase.is_terminal());
        debug_assert!(
            p.pod
                .status
                .container_statuses
                .iter()
                .all(|c| c.state != ContainerState::Running),
            "pod {} finished with running containers",
            p.name()
        );
        p.pod.status.phase = phase;
        p.times.finished = Some(now);
        p.pod.status.reason = reason.to_string();
        for kind in [PodConditionType::ContainersReady, PodConditionType::Ready] {
            p.pod.status.set_condition(kind, false, now, "PodCompleted");
        }
        if let Some(node) = p.node {
            let list = &mut self.node_pods[node.index()];
            if let Some(i) = list.iter().position(|&x| x == pod) {
                list.remove(i);
            }
            self.notices.push(Notice::PodReleased { pod, node });
        }
    }

    /// Sets `status.message` (kubelet explains an eviction).
    pub fn set_pod_message(&mut self, pod: PodId, message: String) {
        self.pods[pod.index()].pod.status.message = message;
    }

    /// kubelet's `MemoryPressure` condition on `node`, with the taint
    /// `node.kubernetes.io/memory-pressure:NoSchedule` that goes with it
    /// (the node lifecycle controller's `TaintNodesByCondition`, applied at
    /// once). Queues [`Notice::NodeUpdated`] when it changes.
    pub fn set_memory_pressure(&mut self, node: NodeId, pressure: bool) {
        let n = &mut self.nodes[node.index()];
        if n.memory_pressure == pressure {
            return;
        }
        n.memory_pressure = pressure;
        let taint = Taint {
            key: TAINT_MEMORY_PRESSURE.into(),
            value: String::new(),
            effect: TaintEffect::NoSchedule,
        };
        n.taints.retain(|t| t.key != TAINT_MEMORY_PRESSURE);
        if pressure {
            n.taints.push(taint);
        }
        self.notices.push(Notice::NodeUpdated(node));
    }

    /// kubelet stops (`false`) or resumes (`true`) renewing `node`'s
    /// Lease at `now`. Queues [`Notice::LeaseChanged`].
    pub fn set_lease_renewing(&mut self, node: NodeId, renewing: bool, now: SimTime) {
        let lease = &mut self.nodes[node.index()].lease;
        debug_assert!(lease.is_renewing() != renewing, "lease state unchanged");
        if renewing {
            lease.renewing_since = now;
            lease.stopped_at = None;
        } else {
            lease.stopped_at = Some(now);
        }
        self.notices.push(Notice::LeaseChanged(node));
    }

    /// Sets `node`'s `Ready` condition (kubelet posts `True`; the node
    /// lifecycle controller writes `Unknown`).
    pub fn set_node_ready(&mut self, node: NodeId, status: ConditionStatus) {
        let n = &mut self.nodes[node.index()];
        if n.ready != status {
            n.ready = status;
            self.notices.push(Notice::NodeUpdated(node));
        }
    }

    /// Adds `taint` to `node` unless a taint with its key and effect is
    /// there. Returns whether it was added.
    pub fn add_node_taint(&mut self, node: NodeId, taint: Taint) -> bool {
        let n = &mut self.nodes[node.index()];
        if n.taints
            .iter()
            .any(|t| t.key == taint.key && t.effect == taint.effect)
        {
            return false;
        }
        n.taints.push(taint);
        self.notices.push(Notice::NodeUpdated(node));
        true
    }

    /// Removes the taint with `key` and `effect` from `node`. Returns
    /// whether there was one.
    pub fn remove_node_taint(&mut self, node: NodeId, key: &str, effect: TaintEffect) -> bool {
        let n = &mut self.nodes[node.index()];
        let before = n.taints.len();
        n.taints.retain(|t| !(t.key == key && t.effect == effect));
        if n.taints.len() == before {
            return false;
        }
        self.notices.push(Notice::NodeUpdated(node));
        true
    }

    /// `kubectl cordon` / `uncordon`: sets `spec.unschedulable`, with the
    /// taint `node.kubernetes.io/unschedulable:NoSchedule` the node
    /// lifecycle controller keeps in step with it (`doNoScheduleTaintingPass`,
    /// applied at once here).
    pub fn set_node_unschedulable(&mut self, node: NodeId, unschedulable: bool) {
        let n = &mut self.nodes[node.index()];
        if n.unschedulable == unschedulable {
            return;
        }
        n.unschedulable = unschedulable;
        if unschedulable {
            self.add_node_taint(
                node,
                Taint {
                    key: TAINT_NODE_UNSCHEDULABLE.into(),
                    value: String::new(),
                    effect: TaintEffect::NoSchedule,
                },
            );
        } else {
            self.remove_node_taint(node, TAINT_NODE_UNSCHEDULABLE, TaintEffect::NoSchedule);
        }
        self.notices.push(Notice::NodeUpdated(node));
    }

    /// `kubectl delete node`: the node object goes (its name is free
    /// again); its pods stay bound to it until PodGC deletes them.
    pub fn delete_node(&mut self, node: NodeId, now: SimTime) -> bool {
        let n = &mut self.nodes[node.index()];
        if n.is_deleted() {
            return false;
        }
        n.metadata.deletion_timestamp = Some(now);
        let name = n.name().to_string();
        self.node_names.remove(&name);
        self.notices.push(Notice::NodeDeleted(node));
        true
    }

    /// A force deletion with grace 0 (PodGC's for pods of a node that no
    /// longer exists): a finished pod is simply deleted; a bound one is
    /// marked `Failed` and is gone as soon as its kubelet lets go of it.
    pub fn force_delete_pod(&mut self, pod: PodId, now: SimTime) -> bool {
        let p = &mut self.pods[pod.index()];
        if p.is_deleting() && p.is_finished() {
            return false;
        }
        // A pod already terminating is deleted again, with grace 0.
        p.pod.metadata.deletion_timestamp.get_or_insert(now);
        p.pod.metadata.deletion_grace_period_s = Some(0);
        if p.node.is_none() && !p.is_finished() {
            p.times.finished = Some(now);
            p.pod.status.reason = "Deleted".into();
        }
        self.notices.push(Notice::PodDeleted(pod));
        true
    }

    /// The pods bound to `node` and not finished, in binding order.
    pub fn pods_on_node(&self, node: NodeId) -> &[PodId] {
        &self.node_pods[node.index()]
    }

    // ---- invariants ----

    /// Checks the store's own invariants; returns the first broken one.
    pub fn check_invariants(&self) -> Result<(), String> {
        if self.object_count() > self.max_objects {
            return Err(format!(
                "{} objects over the limit {}",
                self.object_count(),
                self.max_objects
            ));
        }
        for (name, &id) in &self.node_names {
            if self.nodes[id.index()].name() != name {
                return Err(format!("node index: {name} → {id:?}"));
            }
        }
        for ((ns, name), &id) in &self.pod_names {
            let m = &self.pods[id.index()].pod.metadata;
            if m.name != *name || m.namespace_or_default() != ns {
                return Err(format!("pod index: {ns}/{name} → {id:?}"));
            }
        }
        if self.pod_names.len() != self.pods.len() {
            return Err("pod index size".into());
        }
        let mut on_nodes = 0;
        for (i, list) in self.node_pods.iter().enumerate() {
            for &p in list {
                let e = &self.pods[p.index()];
                if e.node.map(|n| n.index()) != Some(i) || e.is_finished() {
                    return Err(format!("node index lists pod {}", e.name()));
                }
            }
            on_nodes += list.len();
        }
        let bound = self
            .pods
            .iter()
            .filter(|p| p.node.is_some() && !p.is_finished())
            .count();
        if bound != on_nodes {
            return Err(format!(
                "node index holds {on_nodes} pods, {bound} are bound"
            ));
        }
        for (id, p) in self.pods() {
            check_pod(id, p, self)?;
        }
        self.check_replica_sets()?;
        self.check_job_indexes()
    }

    /// ReplicaSets: replicas never negative, the live-name index points
    /// at what it names, a deleted one is in no index.
    fn check_replica_sets(&self) -> Result<(), String> {
        for (id, rs) in self.replica_sets() {
            if rs.replicas < 0 || rs.status.replicas < 0 {
                return Err(format!(
                    "replicaset {}: negative replicas",
                    rs.metadata.name
                ));
            }
            let indexed = self.replica_set_names.get(&key(&rs.metadata)) == Some(&id);
            if indexed == rs.metadata.deletion_timestamp.is_some() {
                return Err(format!("replicaset index: {}", rs.metadata.name));
            }
        }
        if self.replica_set_names.len() + self.replica_sets_deleted != self.replica_sets.len() {
            return Err("replicaset index size".into());
        }
        Ok(())
    }

    /// The live-name indexes of Jobs and CronJobs point at what they name;
    /// a deleted Job is in no index.
    fn check_job_indexes(&self) -> Result<(), String> {
        for ((ns, name), &id) in &self.job_names {
            let m = &self.jobs[id.index()].metadata;
            if m.name != *name || m.namespace_or_default() != ns || m.deletion_timestamp.is_some() {
                return Err(format!("job index: {ns}/{name} → {id:?}"));
            }
        }
        if self.job_names.len() + self.jobs_deleted != self.jobs.len() {
            return Err("job index size".into());
        }
        for ((ns, name), &id) in &self.cron_job_names {
            let m = &self.cron_jobs[id.index()].metadata;
            if m.name != *name || m.namespace_or_default() != ns {
                return Err(format!("cronjob index: {ns}/{name} → {id:?}"));
            }
        }
        if self.cron_job_names.len() != self.cron_jobs.len() {
            return Err("cronjob index size".into());
        }
        Ok(())
    }
}

fn check_pod(id: PodId, p: &PodEntry, store: &Store) -> Result<(), String> {
    let name = p.name();
    let t = &p.times;
    if p.pod.status.container_statuses.len() != p.pod.spec.container_count() {
        return Err(format!("pod {name}: container statuses"));
    }
    for cid in p.container_ids() {
        if store.container_pods.get(cid.index()) != Some(&id) {
            return Err(format!("pod {name}: container id {cid:?}"));
        }
    }
    if let Some(n) = p.node {
        let node_name = store.nodes[n.index()].name();
        if p.pod.spec.node_name.as_deref() != Some(node_name) {
            return Err(format!(
                "pod {name}: bound to {node_name} but nodeName differs"
            ));
        }
        if t.scheduled.is_none() {
            return Err(format!("pod {name}: bound without a scheduled time"));
        }
    } else if t.scheduled.is_some() || t.started.is_some() {
        return Err(format!("pod {name}: unbound but scheduled or started"));
    }
    let seq = [Some(t.created), t.scheduled, t.started, t.ready];
    let mut last = t.created;
    for s in seq.into_iter().flatten() {
        if s < last {
            return Err(format!("pod {name}: lifecycle times out of order: {t:?}"));
        }
        last = s;
    }
    if let Some(f) = t.finished {
        if f < t.created {
            return Err(format!("pod {name}: finished before created"));
        }
        let running = p
            .pod
            .status
            .container_statuses
            .iter()
            .any(|c| c.state == ContainerState::Running);
        if running {
            return Err(format!("pod {name}: finished with a running container"));
        }
        let deleted_unbound = p.node.is_none() && p.is_deleting();
        if !p.phase().is_terminal() && !deleted_unbound {
            return Err(format!("pod {name}: finished in phase {:?}", p.phase()));
        }
    } else if p.phase().is_terminal() {
        return Err(format!("pod {name}: terminal but not finished"));
    }
    for c in &p.pod.status.container_statuses {
        if c.ready && c.state != ContainerState::Running {
            return Err(format!(
                "pod {name}: container {} ready but not running",
                c.name
            ));
        }
    }
    Ok(())
}

/// A Kubernetes event about `pod/NAME` (`pod/NAMESPACE/NAME` outside the
/// `default` namespace).
pub fn pod_event_object(store: &Store, pod: PodId) -> String {
    format!("pod/{}", store.pod_display_name(pod))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::cron::CronSchedule;
    use crate::api::meta::OwnerReference;
    use crate::api::workload::{JobOutcome, JobTemplate};

    fn cron_job(name: &str, namespace: &str) -> CronJob {
        let mut meta = ObjectMeta::named(name);
        meta.namespace = namespace.into();
        let s = CronSchedule::parse("*/5 * * * *").unwrap();
        CronJob::new(meta, s, JobTemplate::default())
    }

    fn owned_job(store: &Store, c: CronJobId, name: &str) -> Job {
        let cj = store.cron_job(c);
        let mut meta = ObjectMeta::named(name);
        meta.namespace = cj.metadata.namespace.clone();
        meta.owner_references.push(OwnerReference {
            owner: ObjectRef::CronJob(c),
            name: cj.metadata.name.clone(),
            controller: true,
        });
        cj.job_template.job(meta)
    }

    #[test]
    fn cron_jobs_are_stored_counted_and_bounded() {
        let mut s = Store::new(2);
        let t = SimTime::from_secs(7);
        let c = s.create_cron_job(cron_job("nightly", ""), t).unwrap();
        assert_eq!(s.cron_job_id("default", "nightly"), Some(c));
        assert_eq!(s.cron_job(c).metadata.creation_timestamp, t);
        let mut out = Vec::new();
        s.take_notices(&mut out);
        assert_eq!(out, [Notice::CronJobAdded(c)]);
        assert!(matches!(
            s.create_cron_job(cron_job("nightly", "default"), t),
            Err(StoreError::AlreadyExists {
                kind: "CronJob",
                ..
            })
        ));
        let j = s.create_job(owned_job(&s, c, "nightly-1"), t).unwrap();
        assert_eq!((s.object_count(), s.api_objects()), (2, 2));
        // Jobs count toward maxObjects.
        assert!(matches!(
            s.create_job(owned_job(&s, c, "nightly-2"), t),
            Err(StoreError::Limit(_))
        ));
        assert!(s.delete_job(j, t));
        assert_eq!((s.object_count(), s.api_objects()), (2, 1));
        s.check_invariants().unwrap();
    }

    #[test]
    fn job_finished_is_noticed_once() {
        let mut s = Store::new(10);
        let c = s.create_cron_job(cron_job("c", ""), SimTime::ZERO).unwrap();
        let j = s
            .create_job(owned_job(&s, c, "c-1"), SimTime::ZERO)
            .unwrap();
        let mut status = JobStatus {
            outcome: Some(JobOutcome::Complete),
            finished: Some(SimTime::from_secs(3)),
            ..Default::default()
        };
        s.set_job_status(j, status.clone());
        status.succeeded = 1;
        s.set_job_status(j, status);
        let mut out = Vec::new();
        s.take_notices(&mut out);
        assert_eq!(
            out,
            [
                Notice::CronJobAdded(c),
                Notice::JobAdded(j),
                Notice::JobFinished(j)
            ]
        );
    }

    #[test]
    fn pods_of_cron_jobs_name_their_workload() {
        let mut s = Store::new(10);
        let c = s
            .create_cron_job(cron_job("c", "team"), SimTime::ZERO)
            .unwrap();
        let j = s
            .create_job(owned_job(&s, c, "c-28000000"), SimTime::ZERO)
            .unwrap();
        let pod = Pod {
            metadata: ObjectMeta {
                namespace: "team".into(),
                owner_references: vec![OwnerReference {
                    owner: ObjectRef::Job(j),
                    name: "c-28000000".into(),
                    controller: true,
                }],
                ..ObjectMeta::named("c-28000000-abcde")
            },
            ..Default::default()
        };
        let p = s.create_pod(pod, SimTime::ZERO).unwrap();
        assert_eq!(s.workload_of(p), "cronjob/team/c/c-28000000");
    }
}
