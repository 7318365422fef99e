//! CSV output of one run, written into a temporary directory and renamed
//! into place only when the run succeeded, so a failed run never leaves a
//! half-written result.
//!
//! `events.csv` and `metrics.csv` stream while the run goes; `pods.csv`,
//! `containers.csv` and `summary.csv` are written from the final state.
//! Columns are fixed; later releases add columns at the end, never reorder.

use kubesim_core::{Cluster, KubeEvent, SimTime};
use kubesim_scheduler::{MetricObject, Recorder, RunSummary};
use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

/// Streaming writer for `events.csv` and `metrics.csv`.
pub struct CsvRecorder {
    events: csv::Writer<BufWriter<File>>,
    metrics: csv::Writer<BufWriter<File>>,
    object: String,
    time: String,
    value: String,
}

pub const EVENTS_HEADER: [&str; 5] = ["time_s", "type", "reason", "object", "message"];
pub const METRICS_HEADER: [&str; 4] = ["time_s", "object", "metric", "value"];
pub const PODS_HEADER: [&str; 14] = [
    "pod",
    "workload",
    "node",
    "qos_class",
    "priority",
    "created_s",
    "scheduled_s",
    "started_s",
    "ready_s",
    "finished_s",
    "phase",
    "reason",
    "restarts",
    "namespace",
];
pub const CONTAINERS_HEADER: [&str; 11] = [
    "pod",
    "container",
    "image",
    "cpu_request_m",
    "cpu_limit_m",
    "memory_request_bytes",
    "memory_limit_bytes",
    "cpu_shares",
    "cpu_weight",
    "cpu_quota_us",
    "oom_score_adj",
];
pub const SUMMARY_HEADER: [&str; 19] = [
    "scenario",
    "seed",
    "sim_time_s",
    "events",
    "pods_created",
    "pods_scheduled",
    "pods_pending",
    "pods_running",
    "pods_succeeded",
    "pods_failed",
    "pods_deleted",
    "nodes",
    "scheduling_attempts",
    "failed_scheduling",
    "container_restarts",
    "cpu_used_core_s",
    "cpu_throttled_core_s",
    "cpu_starved_core_s",
    "kube_events",
];

fn writer(path: &Path) -> std::io::Result<csv::Writer<BufWriter<File>>> {
    Ok(csv::Writer::from_writer(BufWriter::with_capacity(
        1 << 16,
        File::create(path)?,
    )))
}

/// A number as CSV prints it: at most six decimals, no trailing zeros, no
/// `-0`. Deterministic for the same `f64`.
pub fn fmt_f64(v: f64) -> String {
    let mut s = format!("{v:.6}");
    if s.contains('.') {
        let trimmed = s.trim_end_matches('0').trim_end_matches('.').len();
        s.truncate(trimmed);
    }
    if s == "-0" {
        s = "0".into();
    }
    s
}

fn secs(t: Option<SimTime>) -> String {
    t.map(|t| t.display_secs().to_string()).unwrap_or_default()
}

impl CsvRecorder {
    /// Creates `events.csv` and `metrics.csv` in `dir` with their headers.
    pub fn create(dir: &Path) -> csv::Result<Self> {
        let mut events = writer(&dir.join("events.csv"))?;
        events.write_record(EVENTS_HEADER)?;
        let mut metrics = writer(&dir.join("metrics.csv"))?;
        metrics.write_record(METRICS_HEADER)?;
        Ok(CsvRecorder {
            events,
            metrics,
            object: String::new(),
            time: String::new(),
            value: String::new(),
        })
    }

    /// Flushes both files.
    pub fn finish(mut self) -> csv::Result<()> {
        self.events.flush()?;
        self.metrics.flush()?;
        Ok(())
    }
}

impl Recorder for CsvRecorder {
    type Error = csv::Error;

    fn event(&mut self, e: &KubeEvent) -> csv::Result<()> {
        let time = e.time.display_secs().to_string();
        self.events.write_record([
            time.as_str(),
            e.kind.as_str(),
            e.reason,
            &e.object,
            &e.message,
        ])
    }

    fn metric(
        &mut self,
        time: SimTime,
        object: MetricObject<'_>,
        metric: &'static str,
        value: f64,
    ) -> csv::Result<()> {
        use std::fmt::Write as _;
        self.object.clear();
        // Writing to a String cannot fail.
        let _ = match object {
            MetricObject::Node(n) => write!(self.object, "node/{n}"),
            MetricObject::Container { pod, container } => {
                write!(self.object, "pod/{pod}/{container}")
            }
        };
        self.time.clear();
        let _ = write!(self.time, "{}", time.display_secs());
        self.value = fmt_f64(value);
        self.metrics.write_record([
            self.time.as_str(),
            self.object.as_str(),
            metric,
            self.value.as_str(),
        ])
    }
}

/// Writes `pods.csv` and `containers.csv` from the final cluster state,
/// sorted by pod name (as `kubectl get pods` lists them).
pub fn write_objects(dir: &Path, cluster: &Cluster) -> csv::Result<()> {
    let mut order: Vec<usize> = (0..cluster.pods.len()).collect();
    order.sort_by(|&a, &b| cluster.pods[a].name().cmp(cluster.pods[b].name()));
    let mut pods = writer(&dir.join("pods.csv"))?;
    pods.write_record(PODS_HEADER)?;
    let mut containers = writer(&dir.join("containers.csv"))?;
    containers.write_record(CONTAINERS_HEADER)?;
    let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    for &i in &order {
        let p = &cluster.pods[i];
        let node = p
            .node
            .map(|n| cluster.node(n).name().to_string())
            .unwrap_or_default();
        pods.write_record([
            p.name(),
            &p.workload,
            &node,
            p.qos.as_str(),
            &p.pod.spec.priority.to_string(),
            &secs(Some(p.created)),
            &secs(p.scheduled),
            &secs(p.started),
            &secs(p.ready),
            &secs(p.finished),
            p.phase().as_str(),
            &p.reason,
            &p.restarts().to_string(),
            &p.pod.metadata.namespace,
        ])?;
        let specs = p
            .pod
            .spec
            .init_containers
            .iter()
            .chain(&p.pod.spec.containers);
        for (c, spec) in p.containers.iter().zip(specs) {
            let r = &spec.resources;
            let bound = p.node.is_some();
            let cg = &c.cgroup;
            containers.write_record([
                p.name(),
                &c.name,
                &c.image,
                &opt(r.cpu_request_m.map(|m| m.0)),
                &opt(r.cpu_limit_m.map(|m| m.0)),
                &opt(r.memory_request_bytes.map(|b| b.0)),
                &opt(r.memory_limit_bytes.map(|b| b.0)),
                &cg.cpu_shares.to_string(),
                &cg.cpu_weight.to_string(),
                &cg.cpu_quota_us.unwrap_or(-1).to_string(),
                &if bound {
                    cg.oom_score_adj.to_string()
                } else {
                    String::new()
                },
            ])?;
        }
    }
    pods.flush()?;
    containers.flush()?;
    Ok(())
}

/// Writes the one-row `summary.csv`.
pub fn write_summary(dir: &Path, scenario: &str, seed: u64, s: &RunSummary) -> csv::Result<()> {
    let mut w = writer(&dir.join("summary.csv"))?;
    w.write_record(SUMMARY_HEADER)?;
    w.write_record([
        scenario.to_string(),
        seed.to_string(),
        s.sim_time.display_secs().to_string(),
        s.events.to_string(),
        s.pods_created.to_string(),
        s.pods_scheduled.to_string(),
        s.pods_pending.to_string(),
        s.pods_running.to_string(),
        s.pods_succeeded.to_string(),
        s.pods_failed.to_string(),
        s.pods_deleted.to_string(),
        s.nodes.to_string(),
        s.scheduling_attempts.to_string(),
        s.failed_scheduling.to_string(),
        s.container_restarts.to_string(),
        fmt_f64(s.cpu_used_core_s),
        fmt_f64(s.cpu_throttled_core_s),
        fmt_f64(s.cpu_starved_core_s),
        s.kube_events.to_string(),
    ])?;
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::fmt_f64;

    #[test]
    fn number_format() {
        assert_eq!(fmt_f64(11.0), "11");
        assert_eq!(fmt_f64(2.5), "2.5");
        assert_eq!(fmt_f64(1.0 / 3.0), "0.333333");
        assert_eq!(fmt_f64(2.9999999999999996), "3");
        assert_eq!(fmt_f64(-0.0000001), "0");
        assert_eq!(fmt_f64(1e9), "1000000000");
    }
}
