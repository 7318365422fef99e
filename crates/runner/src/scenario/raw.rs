//! The scenario file as written: serde structs mirroring the YAML.
//!
//! kubesim's own sections deny unknown keys (a typo is an error with a
//! "did you mean"); Kubernetes objects accept and ignore fields kubesim does
//! not model (ports, env, volumes, probes…), as real manifests carry them.
//! Values that need checking (quantities, durations) are kept as spanned
//! strings here and checked in `convert`, where the error can point at them.

use serde::Deserialize;
use serde_saphyr::Spanned;
use std::collections::BTreeMap;

pub type Text = Spanned<String>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ScenarioFile {
    pub name: Text,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub seed: Option<u64>,
    pub duration: Text,
    #[serde(default)]
    pub sample_interval: Option<Text>,
    pub cluster: ClusterSection,
    #[serde(default)]
    pub workloads: Vec<Manifest>,
    #[serde(default)]
    pub manifests: Vec<Text>,
    #[serde(default)]
    pub images: BTreeMap<String, ImageSection>,
    #[serde(default)]
    pub timeline: Vec<TimelineSection>,
    #[serde(default)]
    pub metrics: Option<MetricsSection>,
    #[serde(default)]
    pub limits: Option<LimitsSection>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ClusterSection {
    pub nodes: Vec<NodePool>,
    #[serde(default)]
    pub scheduler: Option<SchedulerSection>,
    #[serde(default)]
    pub cgroup: Option<CgroupSection>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NodePool {
    pub name: Text,
    #[serde(default)]
    pub count: Option<Spanned<u32>>,
    pub capacity: BTreeMap<String, Text>,
    #[serde(default)]
    pub reserved: BTreeMap<String, Text>,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub taints: Vec<TaintSection>,
    #[serde(default)]
    pub unschedulable: bool,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    NoSchedule,
    PreferNoSchedule,
    NoExecute,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TaintSection {
    pub key: String,
    #[serde(default)]
    pub value: String,
    pub effect: Effect,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
pub enum ScoringStrategyType {
    LeastAllocated,
    MostAllocated,
    RequestedToCapacityRatio,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
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
    pub percentage_of_nodes_to_score: Option<Spanned<i32>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceWeight {
    pub name: String,
    pub weight: Spanned<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShapePoint {
    pub utilization: Spanned<i64>,
    pub score: Spanned<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
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

#[derive(Debug, Deserialize, Clone, Copy)]
pub enum CgroupVersionText {
    #[serde(rename = "v1")]
    V1,
    #[serde(rename = "v2")]
    V2,
}

#[derive(Debug, Deserialize, Clone, Copy)]
pub enum WeightConversionText {
    #[serde(rename = "linear")]
    Linear,
    #[serde(rename = "quadratic")]
    Quadratic,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CgroupSection {
    #[serde(default)]
    pub version: Option<CgroupVersionText>,
    #[serde(default)]
    pub weight_conversion: Option<WeightConversionText>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ImageSection {
    #[serde(default)]
    pub startup: Option<Text>,
    #[serde(default)]
    pub cpu: Option<Spanned<CpuSection>>,
    #[serde(default)]
    pub memory: Option<Text>,
    #[serde(default)]
    pub cpu_seconds: Option<Spanned<f64>>,
}

/// `cpu: 2` (any scalar: a quantity) or a profile (a map).
#[derive(Debug)]
pub enum CpuSection {
    Constant(String),
    Profile(CpuProfileSection),
}

/// Hand-written rather than `#[serde(untagged)]`: untagged enums buffer
/// their input, which loses positions and turns every mistake inside a
/// profile into "did not match any variant".
impl<'de> Deserialize<'de> for CpuSection {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = CpuSection;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a CPU quantity (2, 1.5, 500m) or a profile {points: [...]}")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<CpuSection, E> {
                Ok(CpuSection::Constant(v.to_string()))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<CpuSection, E> {
                Ok(CpuSection::Constant(v.to_string()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<CpuSection, E> {
                Ok(CpuSection::Constant(v.to_string()))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<CpuSection, E> {
                Ok(CpuSection::Constant(v.to_string()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<CpuSection, A::Error> {
                let de = serde::de::value::MapAccessDeserializer::new(map);
                CpuProfileSection::deserialize(de).map(CpuSection::Profile)
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
pub enum InterpolationText {
    #[serde(rename = "step")]
    Step,
    #[serde(rename = "linear")]
    Linear,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CpuProfileSection {
    pub points: Vec<ProfilePoint>,
    #[serde(default)]
    pub interpolation: Option<InterpolationText>,
    #[serde(default)]
    pub period: Option<Text>,
    #[serde(default)]
    pub resolution: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfilePoint {
    pub at: Text,
    pub cores: Text,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TimelineSection {
    pub at: Text,
    pub action: Text,
    pub target: Text,
    #[serde(default)]
    pub replicas: Option<Spanned<i32>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MetricsSection {
    #[serde(default)]
    pub nodes: Option<bool>,
    #[serde(default)]
    pub containers: Option<bool>,
    #[serde(default)]
    pub container_interval: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LimitsSection {
    #[serde(default)]
    pub max_sim_time: Option<Text>,
    #[serde(default)]
    pub max_events: Option<u64>,
    #[serde(default)]
    pub max_objects: Option<u64>,
}

// ---- Kubernetes objects: unknown fields are accepted and ignored. ----

/// Any manifest kubesim reads (`Pod`, `Deployment`): one struct whose
/// `spec` is the union of the kinds' specs, checked per kind in `convert`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    pub api_version: Text,
    pub kind: Text,
    pub metadata: MetadataSection,
    #[serde(default)]
    pub spec: Option<WorkloadSpec>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct MetadataSection {
    #[serde(default)]
    pub name: Option<Text>,
    #[serde(default)]
    pub namespace: Option<String>,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

/// Pod spec fields plus Deployment spec fields.
#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadSpec {
    // Pod
    #[serde(default)]
    pub containers: Vec<ContainerSection>,
    #[serde(default)]
    pub init_containers: Vec<ContainerSection>,
    #[serde(default)]
    pub restart_policy: Option<Text>,
    #[serde(default)]
    pub node_name: Option<String>,
    #[serde(default)]
    pub node_selector: BTreeMap<String, String>,
    #[serde(default)]
    pub affinity: Option<AffinitySection>,
    #[serde(default)]
    pub tolerations: Vec<TolerationSection>,
    #[serde(default)]
    pub priority: Option<i32>,
    #[serde(default)]
    pub priority_class_name: Option<Text>,
    #[serde(default)]
    pub termination_grace_period_seconds: Option<i64>,
    // Deployment
    #[serde(default)]
    pub replicas: Option<Spanned<i32>>,
    #[serde(default)]
    pub selector: Option<SelectorSection>,
    #[serde(default)]
    pub template: Option<Box<TemplateSection>>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct SelectorSection {
    #[serde(default)]
    pub match_labels: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct TemplateSection {
    #[serde(default)]
    pub metadata: MetadataSection,
    #[serde(default)]
    pub spec: Option<WorkloadSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerSection {
    pub name: Text,
    #[serde(default)]
    pub image: Option<String>,
    #[serde(default)]
    pub resources: ResourcesSection,
    #[serde(default)]
    pub restart_policy: Option<Text>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ResourcesSection {
    #[serde(default)]
    pub requests: BTreeMap<String, Text>,
    #[serde(default)]
    pub limits: BTreeMap<String, Text>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TolerationSection {
    #[serde(default)]
    pub key: String,
    #[serde(default)]
    pub operator: Option<Text>,
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub effect: Option<Text>,
    #[serde(default)]
    pub toleration_seconds: Option<i64>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct AffinitySection {
    #[serde(default)]
    pub node_affinity: Option<NodeAffinitySection>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct NodeAffinitySection {
    #[serde(default)]
    pub required_during_scheduling_ignored_during_execution: Option<NodeSelectorSection>,
    #[serde(default)]
    pub preferred_during_scheduling_ignored_during_execution: Vec<PreferredTermSection>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct NodeSelectorSection {
    #[serde(default)]
    pub node_selector_terms: Vec<NodeSelectorTermSection>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct NodeSelectorTermSection {
    #[serde(default)]
    pub match_expressions: Vec<RequirementSection>,
    #[serde(default)]
    pub match_fields: Vec<RequirementSection>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequirementSection {
    pub key: String,
    pub operator: Text,
    #[serde(default)]
    pub values: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreferredTermSection {
    pub weight: Spanned<i32>,
    pub preference: NodeSelectorTermSection,
}
