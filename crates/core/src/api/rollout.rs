//! Argo Rollouts objects (`argoproj.io/v1alpha1`): [`Rollout`] with its
//! canary or blue-green strategy and its status, and
//! [`AnalysisTemplate`], the parts kubesim models.
//!
//! Field names follow `pkg/apis/rollouts/v1alpha1/types.go` and
//! `analysis_types.go`; defaults are `utils/defaults/defaults.go`'s.
//! The runner converts manifests into these; the Rollout controller in
//! `kubesim-scheduler` is the only writer of a Rollout's status (except
//! the timeline's `promote` / `abort` / `retry`, which patch the status
//! as `kubectl argo rollouts` does). Templates are read-only once the
//! run starts.

use crate::api::meta::ObjectMeta;
use crate::api::selector::LabelSelector;
use crate::api::workload::{IntOrPercent, PodTemplate};
use crate::kernel::SimTime;

/// `DefaultRevisionHistoryLimit`.
pub const DEFAULT_ROLLOUT_REVISION_HISTORY_LIMIT: i32 = 10;
/// `DefaultProgressDeadlineSeconds`.
pub const DEFAULT_ROLLOUT_PROGRESS_DEADLINE_SECONDS: i32 = 600;
/// `DefaultScaleDownDelaySeconds` (blue-green).
pub const DEFAULT_SCALE_DOWN_DELAY_SECONDS: i32 = 30;
/// `DefaultAutoPromotionEnabled`.
pub const DEFAULT_AUTO_PROMOTION_ENABLED: bool = true;

/// `v1alpha1.Rollout`.
#[derive(Debug, Clone, PartialEq)]
pub struct Rollout {
    /// `metadata` (its annotations carry `rollout.argoproj.io/revision`).
    pub metadata: ObjectMeta,
    /// `spec.replicas` (default 1).
    pub replicas: i32,
    /// `spec.selector`.
    pub selector: LabelSelector,
    /// `spec.template`.
    pub template: PodTemplate,
    /// `spec.minReadySeconds`.
    pub min_ready_seconds: i32,
    /// `spec.revisionHistoryLimit` (default 10).
    pub revision_history_limit: i32,
    /// `spec.progressDeadlineSeconds` (default 600).
    pub progress_deadline_seconds: i32,
    /// `spec.paused`.
    pub paused: bool,
    /// `spec.strategy`.
    pub strategy: RolloutStrategy,
    /// `status`.
    pub status: RolloutStatus,
}

/// `spec.strategy`: exactly one of canary and blueGreen.
#[derive(Debug, Clone, PartialEq)]
pub enum RolloutStrategy {
    /// `canary`.
    Canary(CanaryStrategy),
    /// `blueGreen`.
    BlueGreen(BlueGreenStrategy),
}

/// `v1alpha1.CanaryStrategy`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CanaryStrategy {
    /// `steps`.
    pub steps: Vec<CanaryStepSpec>,
    /// `analysis`: background analysis.
    pub analysis: Option<RolloutAnalysis>,
    /// `maxSurge` (default 25%).
    pub max_surge: Option<IntOrPercent>,
    /// `maxUnavailable` (default 25%).
    pub max_unavailable: Option<IntOrPercent>,
    /// `trafficRouting` (any provider block): the weight is exact.
    pub traffic_routing: Option<TrafficRoutingSpec>,
    /// `stableService`.
    pub stable_service: Option<String>,
    /// `canaryService`.
    pub canary_service: Option<String>,
    /// `dynamicStableScale`.
    pub dynamic_stable_scale: bool,
    /// `abortScaleDownDelaySeconds` (default 30 with traffic routing).
    pub abort_scale_down_delay_seconds: Option<i32>,
    /// `minPodsPerReplicaSet` (traffic routing only).
    pub min_pods_per_replica_set: Option<i32>,
    /// `scaleDownDelaySeconds` (traffic routing only; default 30): how
    /// long the old stable keeps its pods after a promotion.
    pub scale_down_delay_seconds: Option<i32>,
}

/// `trafficRouting`: the provider is not modelled, only that there is one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TrafficRoutingSpec {
    /// `maxTrafficWeight` (default 100).
    pub max_traffic_weight: Option<i32>,
}

/// One `steps` entry.
#[derive(Debug, Clone, PartialEq)]
pub enum CanaryStepSpec {
    /// `setWeight`.
    SetWeight(i32),
    /// `pause` (`duration`: none waits for `promote`).
    Pause {
        /// `duration`.
        duration: Option<SimTime>,
    },
    /// `setCanaryScale`.
    SetCanaryScale {
        /// `replicas`.
        replicas: Option<i32>,
        /// `weight`.
        weight: Option<i32>,
        /// `matchTrafficWeight`.
        match_traffic_weight: bool,
    },
    /// `analysis` (inline).
    Analysis(RolloutAnalysis),
}

/// `v1alpha1.RolloutAnalysis` (and `RolloutAnalysisBackground`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RolloutAnalysis {
    /// `templates[].templateName`.
    pub templates: Vec<String>,
    /// `args`.
    pub args: Vec<AnalysisArg>,
    /// `startingStep` (background analysis only).
    pub starting_step: Option<i32>,
}

/// An argument (`name`, `value`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AnalysisArg {
    /// `name`.
    pub name: String,
    /// `value` (none: must be supplied by the Rollout).
    pub value: Option<String>,
}

/// `v1alpha1.BlueGreenStrategy`.
#[derive(Debug, Clone, PartialEq)]
pub struct BlueGreenStrategy {
    /// `activeService`.
    pub active_service: String,
    /// `previewService`.
    pub preview_service: Option<String>,
    /// `autoPromotionEnabled` (default true).
    pub auto_promotion_enabled: bool,
    /// `autoPromotionSeconds`.
    pub auto_promotion_seconds: Option<i32>,
    /// `previewReplicaCount`.
    pub preview_replica_count: Option<i32>,
    /// `scaleDownDelaySeconds` (default 30).
    pub scale_down_delay_seconds: i32,
    /// `prePromotionAnalysis`.
    pub pre_promotion_analysis: Option<RolloutAnalysis>,
    /// `postPromotionAnalysis`.
    pub post_promotion_analysis: Option<RolloutAnalysis>,
    /// `abortScaleDownDelaySeconds` (default 30; 0: the preview keeps
    /// its pods after an abort).
    pub abort_scale_down_delay_seconds: Option<i32>,
}

/// `v1alpha1.PauseReason`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PauseReason {
    /// `CanaryPauseStep`.
    CanaryPauseStep,
    /// `BlueGreenPause`.
    BlueGreenPause,
    /// `InconclusiveAnalysisRun`.
    InconclusiveAnalysis,
}

impl PauseReason {
    /// Upstream's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            PauseReason::CanaryPauseStep => "CanaryPauseStep",
            PauseReason::BlueGreenPause => "BlueGreenPause",
            PauseReason::InconclusiveAnalysis => "InconclusiveAnalysisRun",
        }
    }
}

/// `v1alpha1.PauseCondition`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PauseCondition {
    /// `reason`.
    pub reason: PauseReason,
    /// `startTime`.
    pub start_time: SimTime,
}

/// `status.phase` (`RolloutPhase`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RolloutPhase {
    /// `Progressing`.
    #[default]
    Progressing,
    /// `Paused`.
    Paused,
    /// `Healthy`.
    Healthy,
    /// `Degraded`.
    Degraded,
}

impl RolloutPhase {
    /// Upstream's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            RolloutPhase::Progressing => "Progressing",
            RolloutPhase::Paused => "Paused",
            RolloutPhase::Healthy => "Healthy",
            RolloutPhase::Degraded => "Degraded",
        }
    }
}

/// `v1alpha1.RolloutStatus`, the parts kubesim models.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RolloutStatus {
    /// `currentPodHash`: the pod-template hash of the current template.
    pub current_pod_hash: String,
    /// `stableRS`: the hash of the stable ReplicaSet ("" before the first
    /// release).
    pub stable_rs: String,
    /// `currentStepIndex` (canary with steps).
    pub current_step_index: Option<i32>,
    /// `canary.weights.canary.weight`: the canary's traffic weight now
    /// (exact with traffic routing; the pods' share without).
    pub canary_weight: i32,
    /// `abort`.
    pub abort: bool,
    /// `abortedAt`.
    pub aborted_at: Option<SimTime>,
    /// `promoteFull`.
    pub promote_full: bool,
    /// `pauseConditions`.
    pub pause_conditions: Vec<PauseCondition>,
    /// `controllerPause`.
    pub controller_pause: bool,
    /// `blueGreen.activeSelector`.
    pub active_selector: String,
    /// `blueGreen.previewSelector`.
    pub preview_selector: String,
    /// `blueGreen.scaleUpPreviewCheckPoint`.
    pub scale_up_preview_check_point: bool,
    /// `phase`.
    pub phase: RolloutPhase,
    /// `message`.
    pub message: String,
    /// `replicas`.
    pub replicas: i32,
    /// `updatedReplicas`.
    pub updated_replicas: i32,
    /// `readyReplicas`.
    pub ready_replicas: i32,
    /// `availableReplicas`.
    pub available_replicas: i32,
    /// When the release last made progress (the `Progressing`
    /// condition's `lastUpdateTime`); None once complete.
    pub progress_time: Option<SimTime>,
    /// The release made no progress for `progressDeadlineSeconds`
    /// (`ProgressDeadlineExceeded`): Degraded.
    pub timed_out: bool,
}

impl RolloutStatus {
    /// Whether a pause condition of `reason` is set.
    pub fn paused_for(&self, reason: PauseReason) -> Option<&PauseCondition> {
        self.pause_conditions.iter().find(|c| c.reason == reason)
    }
}

/// `provider.kubesim.metric`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KubesimMetric {
    /// Failed share of requests.
    ErrorRate,
    /// Mean latency of answered requests (seconds).
    LatencyMeanS,
    /// Median latency (seconds).
    LatencyP50S,
    /// 95th percentile latency (seconds).
    LatencyP95S,
    /// 99th percentile latency (seconds).
    LatencyP99S,
    /// Requests per second.
    RequestRate,
}

impl KubesimMetric {
    /// Every metric with its name in a template.
    pub const ALL: [(&'static str, KubesimMetric); 6] = [
        ("error_rate", KubesimMetric::ErrorRate),
        ("latency_mean_s", KubesimMetric::LatencyMeanS),
        ("latency_p50_s", KubesimMetric::LatencyP50S),
        ("latency_p95_s", KubesimMetric::LatencyP95S),
        ("latency_p99_s", KubesimMetric::LatencyP99S),
        ("request_rate", KubesimMetric::RequestRate),
    ];
}

/// `provider.kubesim.revision`: whose requests are measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevisionSelector {
    /// Requests served by the canary (new) ReplicaSet's pods.
    Canary,
    /// Requests served by the stable ReplicaSet's pods.
    Stable,
    /// Every request to the Service.
    All,
}

/// `provider: {kubesim: {...}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KubesimProvider {
    /// `metric`.
    pub metric: KubesimMetric,
    /// `service` (may hold `{{args.NAME}}`).
    pub service: String,
    /// `revision` (default all).
    pub revision: RevisionSelector,
}

/// One `metrics` entry of an AnalysisTemplate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalysisMetricSpec {
    /// `name`.
    pub name: String,
    /// `interval`.
    pub interval: Option<SimTime>,
    /// `initialDelay`.
    pub initial_delay: Option<SimTime>,
    /// `count`.
    pub count: Option<i32>,
    /// `successCondition`.
    pub success_condition: Option<String>,
    /// `failureCondition`.
    pub failure_condition: Option<String>,
    /// `failureLimit` (default 0).
    pub failure_limit: Option<i32>,
    /// `inconclusiveLimit` (default 0).
    pub inconclusive_limit: Option<i32>,
    /// `consecutiveErrorLimit` (default 4).
    pub consecutive_error_limit: Option<i32>,
    /// `provider.kubesim`.
    pub provider: KubesimProvider,
}

/// `v1alpha1.AnalysisTemplate`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalysisTemplate {
    /// `metadata`.
    pub metadata: ObjectMeta,
    /// `spec.args`.
    pub args: Vec<AnalysisArg>,
    /// `spec.metrics`.
    pub metrics: Vec<AnalysisMetricSpec>,
}

impl Rollout {
    /// A Rollout with Argo's defaults for every field not given.
    pub fn new(
        metadata: ObjectMeta,
        replicas: i32,
        selector: LabelSelector,
        template: PodTemplate,
        strategy: RolloutStrategy,
    ) -> Self {
        Rollout {
            metadata,
            replicas,
            selector,
            template,
            min_ready_seconds: 0,
            revision_history_limit: DEFAULT_ROLLOUT_REVISION_HISTORY_LIMIT,
            progress_deadline_seconds: DEFAULT_ROLLOUT_PROGRESS_DEADLINE_SECONDS,
            paused: false,
            strategy,
            status: RolloutStatus::default(),
        }
    }

    /// Whether the strategy is canary.
    pub fn is_canary(&self) -> bool {
        matches!(self.strategy, RolloutStrategy::Canary(_))
    }
}

impl Default for BlueGreenStrategy {
    fn default() -> Self {
        BlueGreenStrategy {
            active_service: String::new(),
            preview_service: None,
            auto_promotion_enabled: DEFAULT_AUTO_PROMOTION_ENABLED,
            auto_promotion_seconds: None,
            preview_replica_count: None,
            scale_down_delay_seconds: DEFAULT_SCALE_DOWN_DELAY_SECONDS,
            pre_promotion_analysis: None,
            post_promotion_analysis: None,
            abort_scale_down_delay_seconds: None,
        }
    }
}
