//! Metric sampling: every `sampleInterval`, the cluster's object counts,
//! one [`MetricRecord`] per node and metric, (every `container_every`
//! samples) per container, and, when asked, per Deployment and per
//! revision of it (its ReplicaSets' status).
//!
//! CPU metrics are averages over the interval since the last sample,
//! taken from the integrals the kubelet's books keep, so nothing is
//! polled between samples. The sampler owns only the previous integral
//! values it subtracts.

use super::records::{MetricObject, MetricRecord, RecordSink};
use crate::controllers::deployment::util::revision;
use crate::controllers::rollout::rollout_revision;
use kubesim_core::{Kubelet, Labels, ObjectRef, ReplicaSetId, SimTime, Store};

/// Which metrics to sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetricsConfig {
    /// Cluster-wide metrics (object counts, image pulls).
    pub cluster: bool,
    /// Per-node metrics.
    pub nodes: bool,
    /// Per-container metrics.
    pub containers: bool,
    /// Write container metrics every this many samples (1 = every sample).
    pub container_every: u32,
    /// Per-Deployment and per-revision metrics (`metrics.deployments`).
    pub deployments: bool,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        MetricsConfig {
            cluster: true,
            nodes: true,
            containers: true,
            container_every: 1,
            deployments: false,
        }
    }
}

/// Keeps what the next sample subtracts.
#[derive(Debug, Default)]
pub struct Sampler {
    config: MetricsConfig,
    interval: SimTime,
    samples: u64,
    last_node_cpu_s: Vec<f64>,
    /// Per pod, per container: used, throttled, starved CPU-seconds.
    last_container: Vec<Vec<[f64; 3]>>,
    last_container_sample: SimTime,
}

impl Sampler {
    /// A sampler every `interval`.
    pub fn new(config: MetricsConfig, interval: SimTime) -> Self {
        Sampler {
            config,
            interval,
            ..Default::default()
        }
    }

    /// Samples taken.
    pub fn samples(&self) -> u64 {
        self.samples
    }

    /// Takes one sample at `now` (the kubelet's integrals must be accrued
    /// to `now`).
    pub fn sample<S: RecordSink>(
        &mut self,
        store: &Store,
        kubelet: &Kubelet,
        now: SimTime,
        sink: &mut S,
    ) -> Result<(), S::Error> {
        self.samples += 1;
        if self.config.cluster {
            sample_cluster(store, kubelet, now, sink)?;
        }
        if self.config.nodes {
            self.sample_nodes(store, kubelet, now, sink)?;
        }
        if self.config.deployments {
            sample_deployments(store, now, sink)?;
            sample_rollouts(store, now, sink)?;
        }
        sample_services(store, now, sink)?;
        let every = u64::from(self.config.container_every.max(1));
        if self.config.containers && self.samples.is_multiple_of(every) {
            self.sample_containers(store, kubelet, now, sink)?;
        }
        Ok(())
    }

    fn sample_nodes<S: RecordSink>(
        &mut self,
        store: &Store,
        kubelet: &Kubelet,
        now: SimTime,
        sink: &mut S,
    ) -> Result<(), S::Error> {
        let interval_s = self.interval.as_secs_f64();
        if self.last_node_cpu_s.len() < store.node_count() {
            self.last_node_cpu_s.resize(store.node_count(), 0.0);
        }
        let books = kubelet.accounting();
        for (nid, node) in store.nodes() {
            if node.is_deleted() {
                continue;
            }
            let object = MetricObject::Node(node.name());
            let n = books.node(nid);
            let last = &mut self.last_node_cpu_s[nid.index()];
            let used = (n.used_cpu_s() - *last) / interval_s;
            *last = n.used_cpu_s();
            let req = n.requested();
            for (metric, value) in [
                ("cpu_usage_cores", used),
                ("cpu_requested_cores", req.milli_cpu as f64 / 1000.0),
                ("memory_usage_bytes", books.node_memory(nid, now) as f64),
                ("memory_requested_bytes", req.memory as f64),
                ("pods", req.pods as f64),
            ] {
                sink.metric(&MetricRecord {
                    time: now,
                    object,
                    metric,
                    value,
                })?;
            }
        }
        Ok(())
    }

    fn sample_containers<S: RecordSink>(
        &mut self,
        store: &Store,
        kubelet: &Kubelet,
        now: SimTime,
        sink: &mut S,
    ) -> Result<(), S::Error> {
        let since = self.last_container_sample;
        let span_s = (now - since).as_secs_f64();
        self.last_container_sample = now;
        if self.last_container.len() < store.pod_count() {
            self.last_container.resize(store.pod_count(), Vec::new());
        }
        let books = kubelet.accounting();
        for (pid, p) in store.pods() {
            if p.node().is_none() || p.times().finished.is_some_and(|f| f <= since) {
                continue;
            }
            let last = &mut self.last_container[pid.index()];
            let statuses = &p.pod().status.container_statuses;
            if last.len() < statuses.len() {
                last.resize(statuses.len(), [0.0; 3]);
            }
            let pod_name = p.pod().metadata.qualified_name();
            for ((cid, st), prev) in p.container_ids().zip(statuses).zip(last.iter_mut()) {
                let c = books.container(cid);
                let object = MetricObject::Container {
                    pod: &pod_name,
                    container: &st.name,
                };
                let now_vals = [c.used_cpu_s, c.throttled_cpu_s, c.starved_cpu_s];
                let rate = |k: usize| (now_vals[k] - prev[k]) / span_s;
                for (metric, value) in [
                    ("cpu_usage_cores", rate(0)),
                    ("cpu_throttled_cores", rate(1)),
                    ("cpu_starved_cores", rate(2)),
                    (
                        "memory_usage_bytes",
                        books.container_memory(cid, now) as f64,
                    ),
                ] {
                    sink.metric(&MetricRecord {
                        time: now,
                        object,
                        metric,
                        value,
                    })?;
                }
                *prev = now_vals;
            }
        }
        Ok(())
    }
}

/// `cluster` metrics: what the API server stores and what the registry
/// serves.
fn sample_cluster<S: RecordSink>(
    store: &Store,
    kubelet: &Kubelet,
    now: SimTime,
    sink: &mut S,
) -> Result<(), S::Error> {
    for (metric, value) in [
        ("api_objects", store.api_objects() as f64),
        ("pods_total", store.pod_count() as f64),
        ("jobs_total", store.jobs().len() as f64),
        ("image_pulls", kubelet.image_pulls() as f64),
        ("image_pulls_waiting", kubelet.image_pulls_waiting() as f64),
    ] {
        sink.metric(&MetricRecord {
            time: now,
            object: MetricObject::Cluster,
            metric,
            value,
        })?;
    }
    Ok(())
}

/// Metric rows per Deployment and sample.
pub const DEPLOYMENT_METRICS: u64 = 4;
/// Metric rows per revision of a Deployment and sample.
pub const REVISION_METRICS: u64 = 3;
/// Metric rows per Rollout and sample (its revisions: [`REVISION_METRICS`]).
pub const ROLLOUT_METRICS: u64 = 5;

/// `rollout/NAME`: its status counts and `canary_weight`;
/// `rollout/NAME/rev-N`: those of each live ReplicaSet, by revision.
fn sample_rollouts<S: RecordSink>(
    store: &Store,
    now: SimTime,
    sink: &mut S,
) -> Result<(), S::Error> {
    let revisions = live_revisions(store, rollout_revision, |o| match o {
        ObjectRef::Rollout(r) => Some(r.0),
        _ => None,
    });
    for (rid, r) in store.rollouts() {
        let name = r.metadata.qualified_name();
        let s = &r.status;
        write_counts(
            sink,
            now,
            MetricObject::Rollout(&name),
            &[
                ("replicas", s.replicas),
                ("updated_replicas", s.updated_replicas),
                ("ready_replicas", s.ready_replicas),
                ("available_replicas", s.available_replicas),
                ("canary_weight", s.canary_weight),
            ],
        )?;
        write_revisions(store, now, sink, &revisions, rid.0, |revision| {
            MetricObject::RolloutRevision {
                rollout: &name,
                revision,
            }
        })?;
    }
    Ok(())
}

/// `service/NAME endpoints`: its ready endpoints as published (what
/// kube-proxy routes to), for every Service with a selector.
fn sample_services<S: RecordSink>(
    store: &Store,
    now: SimTime,
    sink: &mut S,
) -> Result<(), S::Error> {
    for (sid, svc) in store.services() {
        if svc.selector.is_none() {
            continue;
        }
        let name = svc.metadata.qualified_name();
        sink.metric(&MetricRecord {
            time: now,
            object: MetricObject::Service(&name),
            metric: "endpoints",
            value: store.service_endpoints(sid).len() as f64,
        })?;
    }
    Ok(())
}

/// `deployment/NAME`: its status counts; `deployment/NAME/rev-N`: those
/// of each live ReplicaSet, by revision.
fn sample_deployments<S: RecordSink>(
    store: &Store,
    now: SimTime,
    sink: &mut S,
) -> Result<(), S::Error> {
    let revisions = live_revisions(store, revision, |o| match o {
        ObjectRef::Deployment(d) => Some(d.0),
        _ => None,
    });
    for (did, d) in store.deployments() {
        let name = d.metadata.qualified_name();
        let s = &d.status;
        write_counts(
            sink,
            now,
            MetricObject::Deployment(&name),
            &[
                ("replicas", s.replicas),
                ("updated_replicas", s.updated_replicas),
                ("ready_replicas", s.ready_replicas),
                ("available_replicas", s.available_replicas),
            ],
        )?;
        write_revisions(store, now, sink, &revisions, did.0, |revision| {
            MetricObject::Revision {
                deployment: &name,
                revision,
            }
        })?;
    }
    Ok(())
}

/// The live ReplicaSets whose controller `owner_index` recognises (the
/// owner's index), with their revision (`revision_of` their annotations),
/// sorted by owner, then revision (revisions are unique per owner).
fn live_revisions(
    store: &Store,
    revision_of: fn(&Labels) -> i64,
    owner_index: fn(ObjectRef) -> Option<u32>,
) -> Vec<(u32, i64, ReplicaSetId)> {
    let mut revisions: Vec<_> = store
        .replica_sets()
        .filter(|(_, rs)| rs.metadata.deletion_timestamp.is_none())
        .filter_map(|(id, rs)| {
            let owner = owner_index(rs.metadata.controller_of()?.owner)?;
            Some((owner, revision_of(&rs.metadata.annotations), id))
        })
        .collect();
    revisions.sort_unstable();
    revisions
}

/// One row per `(metric, count)` of `object`.
fn write_counts<S: RecordSink>(
    sink: &mut S,
    now: SimTime,
    object: MetricObject<'_>,
    counts: &[(&'static str, i32)],
) -> Result<(), S::Error> {
    for &(metric, value) in counts {
        sink.metric(&MetricRecord {
            time: now,
            object,
            metric,
            value: f64::from(value),
        })?;
    }
    Ok(())
}

/// The [`REVISION_METRICS`] rows of each of `owner`'s ReplicaSets in
/// `revisions` (from [`live_revisions`]), named by `object(revision)`.
fn write_revisions<'a, S: RecordSink>(
    store: &Store,
    now: SimTime,
    sink: &mut S,
    revisions: &[(u32, i64, ReplicaSetId)],
    owner: u32,
    object: impl Fn(i64) -> MetricObject<'a>,
) -> Result<(), S::Error> {
    let from = revisions.partition_point(|r| r.0 < owner);
    for &(_, rev, rs) in revisions[from..].iter().take_while(|r| r.0 == owner) {
        let st = store.replica_set(rs).status;
        write_counts(
            sink,
            now,
            object(rev),
            &[
                ("replicas", st.replicas),
                ("ready_replicas", st.ready_replicas),
                ("available_replicas", st.available_replicas),
            ],
        )?;
    }
    Ok(())
}
