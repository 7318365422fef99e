//! kubesim's own sections of a scenario file, as written: serde structs
//! read through [`super::yaml::Reader`] in [`Mode::Kubesim`](super::yaml::Mode).
//!
//! Every struct's field list is its strict field list: a key that is not
//! a field is an error at that key, with a "did you mean". Values that
//! need checking (quantities, durations, names) stay strings here and are
//! checked in `convert`, which finds their position again from their
//! path. Kubernetes objects are not read here: `workloads` keeps each
//! object's node ([`NodeRef`]) for the kinds table to read with its
//! `k8s-openapi` type; so do an image's `cpu` and `memory`, each a quantity
//! or a profile.

use super::yaml::NodeRef;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The scenario file.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScenarioFile {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub seed: Option<u64>,
    pub duration: String,
    /// The wall-clock instant of simulated time 0 (RFC 3339, UTC).
    #[serde(default)]
    pub start_time: Option<String>,
    #[serde(default)]
    pub sample_interval: Option<String>,
    pub cluster: ClusterSection,
    #[serde(default)]
    pub workloads: Vec<NodeRef>,
    #[serde(default)]
    pub manifests: Vec<String>,
    #[serde(default)]
    pub images: BTreeMap<String, ImageSection>,
    #[serde(default)]
    pub timeline: Vec<TimelineSection>,
    /// Request traffic, one entry per Service.
    #[serde(default)]
    pub traffic: Vec<TrafficSection>,
    #[serde(default)]
    pub metrics: Option<MetricsSection>,
    #[serde(default)]
    pub limits: Option<LimitsSection>,
}

/// `cluster`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterSection {
    pub nodes: Vec<NodePool>,
    #[serde(default)]
    pub scheduler: Option<SchedulerSection>,
    #[serde(default)]
    pub cgroup: Option<CgroupSection>,
    #[serde(default)]
    pub registry: Option<RegistrySection>,
    #[serde(default)]
    pub controller_manager: Option<ControllerManagerSection>,
}

/// `cluster.registry`: the image registry every node pulls from.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegistrySection {
    #[serde(default)]
    pub max_concurrent_pulls: Option<i64>,
}

/// `cluster.controllerManager`: kube-controller-manager's node lifecycle
/// flags, in camelCase.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ControllerManagerSection {
    #[serde(default)]
    pub node_monitor_period: Option<String>,
    #[serde(default)]
    pub node_monitor_grace_period: Option<String>,
    #[serde(default)]
    pub node_eviction_rate: Option<f64>,
    #[serde(default)]
    pub secondary_node_eviction_rate: Option<f64>,
    #[serde(default)]
    pub large_cluster_size_threshold: Option<i64>,
    #[serde(default)]
    pub unhealthy_zone_threshold: Option<f64>,
    /// How long after an event the Deployment and ReplicaSet controllers
    /// sync (default 0s).
    #[serde(default)]
    pub sync_delay: Option<String>,
    /// How long a pod's readiness change takes to reach its Services'
    /// endpoints (default 0s).
    #[serde(default)]
    pub endpoints_delay: Option<String>,
}

/// `cluster.nodes[]`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodePool {
    pub name: String,
    #[serde(default)]
    pub count: Option<u64>,
    pub capacity: BTreeMap<String, String>,
    #[serde(default)]
    pub reserved: BTreeMap<String, String>,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub taints: Vec<TaintSection>,
    #[serde(default)]
    pub unschedulable: bool,
    #[serde(default)]
    pub kubelet: Option<KubeletSection>,
    #[serde(default)]
    pub system_usage: Option<SystemUsageSection>,
}

/// `cluster.nodes[].kubelet`: `KubeletConfiguration` fields, with their
/// own names. Maps stay maps of strings: their keys (signals) and values
/// (quantities, percentages, durations) are checked in `convert`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KubeletSection {
    /// `None`: kubelet's default; `Some({})`: no hard threshold.
    #[serde(default)]
    pub eviction_hard: Option<BTreeMap<String, String>>,
    #[serde(default)]
    pub eviction_soft: Option<BTreeMap<String, String>>,
    #[serde(default)]
    pub eviction_soft_grace_period: Option<BTreeMap<String, String>>,
    #[serde(default)]
    pub eviction_pressure_transition_period: Option<String>,
    #[serde(default)]
    pub eviction_max_pod_grace_period: Option<i64>,
    #[serde(default)]
    pub housekeeping_interval: Option<String>,
    #[serde(default)]
    pub serialize_image_pulls: Option<bool>,
    #[serde(default)]
    pub max_parallel_image_pulls: Option<i64>,
}

/// `cluster.nodes[].systemUsage`: what runs outside pods.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SystemUsageSection {
    #[serde(default)]
    pub memory: Option<String>,
}

/// `v1.TaintEffect`.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    NoSchedule,
    PreferNoSchedule,
    NoExecute,
}

/// `cluster.nodes[].taints[]`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaintSection {
    pub key: String,
    #[serde(default)]
    pub value: String,
    pub effect: Effect,
}

/// `NodeResourcesFitArgs.scoringStrategy.type`.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
pub enum ScoringStrategyType {
    LeastAllocated,
    MostAllocated,
    RequestedToCapacityRatio,
}

/// `cluster.scheduler`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SchedulerSection {
    #[serde(default)]
    pub scoring_strategy: Option<ScoringStrategyType>,
    /// Resources and weights the Fit strategy scores (default cpu:1, memory:1).
    #[serde(default)]
    pub resources: Option<Vec<ResourceWeight>>,
    /// RequestedToCapacityRatio shape.
    #[serde(default)]
    pub shape: Option<Vec<ShapePoint>>,
    #[serde(default)]
    pub weights: Option<WeightsSection>,
    #[serde(default)]
    pub percentage_of_nodes_to_score: Option<i64>,
}

/// `cluster.scheduler.resources[]`.
#[derive(Debug, Deserialize)]
pub struct ResourceWeight {
    pub name: String,
    pub weight: i64,
}

/// `cluster.scheduler.shape[]`.
#[derive(Debug, Deserialize)]
pub struct ShapePoint {
    pub utilization: i64,
    pub score: i64,
}

/// `cluster.scheduler.weights`.
#[derive(Debug, Deserialize)]
pub struct WeightsSection {
    #[serde(default, rename = "TaintToleration")]
    pub taint_toleration: Option<i64>,
    #[serde(default, rename = "NodeAffinity")]
    pub node_affinity: Option<i64>,
    #[serde(default, rename = "NodeResourcesFit")]
    pub node_resources_fit: Option<i64>,
    #[serde(default, rename = "NodeResourcesBalancedAllocation")]
    pub node_resources_balanced_allocation: Option<i64>,
}

/// `cluster.cgroup.version`.
#[derive(Debug, Deserialize, Clone, Copy)]
pub enum CgroupVersionText {
    #[serde(rename = "v1")]
    V1,
    #[serde(rename = "v2")]
    V2,
}

/// `cluster.cgroup.weightConversion`.
#[derive(Debug, Deserialize, Clone, Copy)]
pub enum WeightConversionText {
    #[serde(rename = "linear")]
    Linear,
    #[serde(rename = "quadratic")]
    Quadratic,
}

/// `cluster.cgroup`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CgroupSection {
    #[serde(default)]
    pub version: Option<CgroupVersionText>,
    #[serde(default)]
    pub weight_conversion: Option<WeightConversionText>,
}

/// `images.IMAGE`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageSection {
    #[serde(default)]
    pub startup: Option<String>,
    /// A quantity (`2`, `500m`) or a profile (a mapping).
    #[serde(default)]
    pub cpu: Option<NodeRef>,
    /// A quantity (`512Mi`), or a leak or points profile (a mapping).
    #[serde(default)]
    pub memory: Option<NodeRef>,
    #[serde(default)]
    pub cpu_seconds: Option<f64>,
    #[serde(default)]
    pub startup_burst: Option<StartupBurstSection>,
    #[serde(default)]
    pub exit: Option<ExitSection>,
    #[serde(default)]
    pub health: Option<HealthSection>,
    #[serde(default)]
    pub probe_latency: Option<String>,
    #[serde(default)]
    pub pull_time: Option<String>,
    #[serde(default)]
    pub size: Option<String>,
    #[serde(default)]
    pub pre_stop_time: Option<String>,
    #[serde(default)]
    pub shutdown: Option<String>,
    /// What answering one request takes.
    #[serde(default)]
    pub serve: Option<ServeSection>,
}

/// `images.IMAGE.serve`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServeSection {
    #[serde(default)]
    pub cpu_seconds: Option<f64>,
    #[serde(default)]
    pub latency: Option<String>,
    #[serde(default)]
    pub error_rate: Option<f64>,
}

/// `traffic[]`: requests to one Service.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrafficSection {
    /// `NAME` or `NAMESPACE/NAME`.
    pub service: String,
    /// A number (requests per second) or a profile (a mapping).
    pub rate: NodeRef,
    #[serde(default)]
    pub timeout: Option<String>,
    #[serde(default)]
    pub retries: Option<i64>,
    #[serde(default)]
    pub slo: Option<SloSection>,
}

/// `traffic[].rate` as a profile.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RateProfileSection {
    pub points: Vec<RatePoint>,
    #[serde(default)]
    pub interpolation: Option<InterpolationText>,
    #[serde(default)]
    pub period: Option<String>,
}

/// `traffic[].rate.points[]`.
#[derive(Debug, Deserialize)]
pub struct RatePoint {
    pub at: String,
    pub rps: f64,
}

/// `traffic[].slo`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SloSection {
    #[serde(default)]
    pub latency: Option<String>,
    #[serde(default)]
    pub error_rate: Option<f64>,
}

/// `images.IMAGE.memory` as a profile: a leak (`start`, `growth`, `max`)
/// or points (`points`, `interpolation`, `period`). One struct, so that
/// an unknown key gets a "did you mean" among all of them; which keys go
/// together is checked in `convert`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MemoryProfileSection {
    #[serde(default)]
    pub start: Option<String>,
    #[serde(default)]
    pub growth: Option<String>,
    #[serde(default)]
    pub max: Option<String>,
    #[serde(default)]
    pub points: Option<Vec<MemoryPoint>>,
    #[serde(default)]
    pub interpolation: Option<InterpolationText>,
    #[serde(default)]
    pub period: Option<String>,
}

/// `images.IMAGE.memory.points[]`.
#[derive(Debug, Deserialize)]
pub struct MemoryPoint {
    pub at: String,
    pub bytes: String,
}

/// `images.IMAGE.startupBurst`.
#[derive(Debug, Deserialize)]
pub struct StartupBurstSection {
    pub bytes: String,
    #[serde(rename = "for")]
    pub duration: String,
}

/// `images.IMAGE.exit`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExitSection {
    #[serde(default)]
    pub after: Option<String>,
    #[serde(default)]
    pub rate_per_hour: Option<f64>,
    #[serde(default)]
    pub code: Option<i64>,
}

/// `images.IMAGE.health`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthSection {
    #[serde(default)]
    pub fail_after: Option<String>,
    #[serde(default)]
    pub fail_windows: Option<Vec<WindowSection>>,
    #[serde(default)]
    pub never: Option<bool>,
}

/// `images.IMAGE.health.failWindows[]`.
#[derive(Debug, Deserialize)]
pub struct WindowSection {
    pub at: String,
    #[serde(rename = "for")]
    pub length: String,
}

/// How a profile moves between points.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
pub enum InterpolationText {
    #[serde(rename = "step")]
    Step,
    #[serde(rename = "linear")]
    Linear,
}

/// `images.IMAGE.cpu` as a profile.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CpuProfileSection {
    pub points: Vec<ProfilePoint>,
    #[serde(default)]
    pub interpolation: Option<InterpolationText>,
    #[serde(default)]
    pub period: Option<String>,
    #[serde(default)]
    pub resolution: Option<String>,
}

/// `images.IMAGE.cpu.points[]`.
#[derive(Debug, Deserialize)]
pub struct ProfilePoint {
    pub at: String,
    pub cores: String,
}

/// `timeline[]`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimelineSection {
    pub at: String,
    pub action: String,
    pub target: String,
    /// `scale`.
    #[serde(default)]
    pub replicas: Option<i64>,
    /// `nodeDown`: `crash` or `partition`.
    #[serde(default)]
    pub mode: Option<String>,
    /// `addNodes`.
    #[serde(default)]
    pub count: Option<i64>,
    /// `setImage`: the container (optional for one container).
    #[serde(default)]
    pub container: Option<String>,
    /// `setImage`: the new image.
    #[serde(default)]
    pub image: Option<String>,
    /// `rollback`: the revision (default: the previous one).
    #[serde(default)]
    pub to_revision: Option<i64>,
    /// `promote`: skip the remaining steps (`--full`).
    #[serde(default)]
    pub full: Option<bool>,
}

/// `metrics`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricsSection {
    #[serde(default)]
    pub nodes: Option<bool>,
    #[serde(default)]
    pub containers: Option<bool>,
    #[serde(default)]
    pub container_interval: Option<String>,
    /// Rows per Deployment and revision (default false).
    #[serde(default)]
    pub deployments: Option<bool>,
}

/// `limits`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LimitsSection {
    #[serde(default)]
    pub max_sim_time: Option<String>,
    #[serde(default)]
    pub max_events: Option<u64>,
    #[serde(default)]
    pub max_objects: Option<u64>,
    #[serde(default)]
    pub max_output_rows: Option<u64>,
}
