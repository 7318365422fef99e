//! Metric sampling: every `sampleInterval`, one [`MetricRecord`] per node
//! and metric, per cluster-wide count (when asked), and (every
//! `container_every` samples) per container.
//!
//! CPU metrics are averages over the interval since the last sample,
//! taken from the integrals the kubelet's books keep, so nothing is
//! polled between samples. The sampler owns only the previous integral
//! values it subtracts.

use super::records::{MetricObject, MetricRecord, RecordSink};
use kubesim_core::{Kubelet, SimTime, Store};

/// Which metrics to sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetricsConfig {
    /// Per-node metrics.
    pub nodes: bool,
    /// Per-container metrics.
    pub containers: bool,
    /// Write container metrics every this many samples (1 = every sample).
    pub container_every: u32,
    /// Cluster-wide counts (`cluster` rows): `api_objects`, `jobs_total`,
    /// `pods_total`. Off by default, so existing outputs keep their rows.
    pub cluster: bool,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        MetricsConfig {
            nodes: true,
            containers: true,
            container_every: 1,
            cluster: false,
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
        if self.config.nodes {
            self.sample_nodes(store, kubelet, now, sink)?;
        }
        if self.config.cluster {
            sample_cluster(store, now, sink)?;
        }
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

/// The cluster-wide counts: objects the API server holds now (what a
/// CronJob's history limits keep bounded), and Jobs and pods ever created.
fn sample_cluster<S: RecordSink>(
    store: &Store,
    now: SimTime,
    sink: &mut S,
) -> Result<(), S::Error> {
    for (metric, value) in [
        ("api_objects", store.api_objects()),
        ("jobs_total", store.job_count()),
        ("pods_total", store.pod_count()),
    ] {
        sink.metric(&MetricRecord {
            time: now,
            object: MetricObject::Cluster,
            metric,
            value: value as f64,
        })?;
    }
    Ok(())
}
