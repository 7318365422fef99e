//! Argo Rollouts kinds (`argoproj.io/v1alpha1`): `Rollout` and
//! `AnalysisTemplate`, read as written with Argo's field lists
//! (`pkg/apis/rollouts/v1alpha1/types.go`, `analysis_types.go`) — every
//! field of them is accepted; what kubesim does not model is read and
//! ignored (see docs/scenario-format.md) — and converted into the model.
//!
//! A Rollout's `replicas`, `selector`, `template`, `minReadySeconds` and
//! `progressDeadlineSeconds` are checked exactly as a Deployment's (they
//! are the same fields). `workloadRef` is refused: kubesim needs the
//! template inline. An AnalysisTemplate metric needs the `kubesim`
//! provider; any other provider is an error that says so.
//!
//! References (templates, Services) are checked once every object is
//! read: each reference keeps its positioned error, reported only if
//! the object it names does not exist ([`Reference`]).

use super::workloads::{deployment, object_meta};
use super::Ctx;
use crate::scenario::error::ScenarioError;
use crate::scenario::yaml::At;
use k8s_openapi::api::apps::v1 as apps;
use k8s_openapi::api::core::v1 as core;
use k8s_openapi::apimachinery::pkg::apis::meta::v1 as meta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use kubesim_core::{
    AnalysisArg, AnalysisMetricSpec, AnalysisTemplate, BlueGreenStrategy, CanaryStepSpec,
    CanaryStrategy, IntOrPercent, KubesimMetric, KubesimProvider, RevisionSelector, Rollout,
    RolloutAnalysis, RolloutStrategy, SimTime, TrafficRoutingSpec,
    DEFAULT_ROLLOUT_PROGRESS_DEADLINE_SECONDS, DEFAULT_ROLLOUT_REVISION_HISTORY_LIMIT,
};
use serde::de::IgnoredAny;
use serde::Deserialize;

/// `v1alpha1.Rollout` as written.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct RawRollout {
    api_version: String,
    kind: String,
    #[serde(default)]
    metadata: meta::ObjectMeta,
    #[serde(default)]
    spec: Option<RawRolloutSpec>,
    #[serde(default)]
    status: Option<IgnoredAny>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct RawRolloutSpec {
    #[serde(default)]
    replicas: Option<i32>,
    #[serde(default)]
    selector: Option<meta::LabelSelector>,
    #[serde(default)]
    template: Option<core::PodTemplateSpec>,
    #[serde(default)]
    workload_ref: Option<IgnoredAny>,
    #[serde(default)]
    min_ready_seconds: Option<i32>,
    #[serde(default)]
    strategy: Option<RawStrategy>,
    #[serde(default)]
    revision_history_limit: Option<i32>,
    #[serde(default)]
    paused: Option<bool>,
    #[serde(default)]
    progress_deadline_seconds: Option<i32>,
    #[serde(default)]
    progress_deadline_abort: Option<bool>,
    #[serde(default)]
    restart_at: Option<IgnoredAny>,
    #[serde(default)]
    rollback_window: Option<IgnoredAny>,
    #[serde(default)]
    analysis: Option<IgnoredAny>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawStrategy {
    #[serde(default)]
    canary: Option<RawCanary>,
    #[serde(default)]
    blue_green: Option<RawBlueGreen>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct RawCanary {
    #[serde(default)]
    canary_service: Option<String>,
    #[serde(default)]
    stable_service: Option<String>,
    #[serde(default)]
    steps: Option<Vec<RawStep>>,
    #[serde(default)]
    traffic_routing: Option<RawTrafficRouting>,
    #[serde(default)]
    max_unavailable: Option<IntOrString>,
    #[serde(default)]
    max_surge: Option<IntOrString>,
    #[serde(default)]
    analysis: Option<RawAnalysis>,
    #[serde(default)]
    anti_affinity: Option<IgnoredAny>,
    #[serde(default)]
    canary_metadata: Option<IgnoredAny>,
    #[serde(default)]
    stable_metadata: Option<IgnoredAny>,
    #[serde(default)]
    scale_down_delay_seconds: Option<i32>,
    #[serde(default)]
    scale_down_delay_revision_limit: Option<i32>,
    #[serde(default)]
    abort_scale_down_delay_seconds: Option<i32>,
    #[serde(default)]
    dynamic_stable_scale: Option<bool>,
    #[serde(default)]
    ping_pong: Option<IgnoredAny>,
    #[serde(default)]
    min_pods_per_replica_set: Option<i32>,
    #[serde(default)]
    replica_progress_threshold: Option<IgnoredAny>,
}

/// `trafficRouting`: any provider block means routed.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct RawTrafficRouting {
    #[serde(default)]
    istio: Option<IgnoredAny>,
    #[serde(default)]
    nginx: Option<IgnoredAny>,
    #[serde(default)]
    alb: Option<IgnoredAny>,
    #[serde(default)]
    smi: Option<IgnoredAny>,
    #[serde(default)]
    ambassador: Option<IgnoredAny>,
    #[serde(default)]
    app_mesh: Option<IgnoredAny>,
    #[serde(default)]
    traefik: Option<IgnoredAny>,
    #[serde(default)]
    apisix: Option<IgnoredAny>,
    #[serde(default)]
    plugins: Option<IgnoredAny>,
    #[serde(default)]
    managed_routes: Option<IgnoredAny>,
    #[serde(default)]
    max_traffic_weight: Option<i32>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct RawStep {
    #[serde(default)]
    set_weight: Option<i32>,
    #[serde(default)]
    pause: Option<RawPause>,
    #[serde(default)]
    experiment: Option<IgnoredAny>,
    #[serde(default)]
    analysis: Option<RawAnalysis>,
    #[serde(default)]
    set_canary_scale: Option<RawSetCanaryScale>,
    #[serde(default)]
    set_header_route: Option<IgnoredAny>,
    #[serde(default)]
    set_mirror_route: Option<IgnoredAny>,
    #[serde(default)]
    plugin: Option<IgnoredAny>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawPause {
    #[serde(default)]
    duration: Option<IntOrString>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawSetCanaryScale {
    #[serde(default)]
    weight: Option<i32>,
    #[serde(default)]
    replicas: Option<i32>,
    #[serde(default)]
    match_traffic_weight: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct RawAnalysis {
    #[serde(default)]
    templates: Option<Vec<RawTemplateRef>>,
    #[serde(default)]
    args: Option<Vec<RawArg>>,
    #[serde(default)]
    dry_run: Option<IgnoredAny>,
    #[serde(default)]
    measurement_retention: Option<IgnoredAny>,
    #[serde(default)]
    analysis_run_metadata: Option<IgnoredAny>,
    #[serde(default)]
    starting_step: Option<i32>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawTemplateRef {
    #[serde(default)]
    template_name: Option<String>,
    #[serde(default)]
    cluster_scope: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct RawArg {
    name: String,
    #[serde(default)]
    value: Option<String>,
    #[serde(default)]
    value_from: Option<IgnoredAny>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct RawBlueGreen {
    #[serde(default)]
    active_service: Option<String>,
    #[serde(default)]
    preview_service: Option<String>,
    #[serde(default)]
    preview_replica_count: Option<i32>,
    #[serde(default)]
    auto_promotion_enabled: Option<bool>,
    #[serde(default)]
    auto_promotion_seconds: Option<i32>,
    #[serde(default)]
    max_unavailable: Option<IntOrString>,
    #[serde(default)]
    scale_down_delay_seconds: Option<i32>,
    #[serde(default)]
    scale_down_delay_revision_limit: Option<i32>,
    #[serde(default)]
    pre_promotion_analysis: Option<RawAnalysis>,
    #[serde(default)]
    post_promotion_analysis: Option<RawAnalysis>,
    #[serde(default)]
    anti_affinity: Option<IgnoredAny>,
    #[serde(default)]
    preview_metadata: Option<IgnoredAny>,
    #[serde(default)]
    active_metadata: Option<IgnoredAny>,
    #[serde(default)]
    abort_scale_down_delay_seconds: Option<i32>,
}

/// `v1alpha1.AnalysisTemplate` as written.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct RawAnalysisTemplate {
    api_version: String,
    kind: String,
    #[serde(default)]
    metadata: meta::ObjectMeta,
    #[serde(default)]
    spec: Option<RawTemplateSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct RawTemplateSpec {
    #[serde(default)]
    metrics: Option<Vec<RawMetric>>,
    #[serde(default)]
    args: Option<Vec<RawArg>>,
    #[serde(default)]
    dry_run: Option<IgnoredAny>,
    #[serde(default)]
    measurement_retention: Option<IgnoredAny>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct RawMetric {
    name: String,
    #[serde(default)]
    interval: Option<String>,
    #[serde(default)]
    initial_delay: Option<String>,
    #[serde(default)]
    count: Option<IntOrString>,
    #[serde(default)]
    success_condition: Option<String>,
    #[serde(default)]
    failure_condition: Option<String>,
    #[serde(default)]
    failure_limit: Option<IntOrString>,
    #[serde(default)]
    inconclusive_limit: Option<IntOrString>,
    #[serde(default)]
    consecutive_error_limit: Option<IntOrString>,
    #[serde(default)]
    consecutive_success_limit: Option<IntOrString>,
    #[serde(default)]
    provider: Option<RawProvider>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct RawProvider {
    #[serde(default)]
    kubesim: Option<RawKubesim>,
    #[serde(default)]
    prometheus: Option<IgnoredAny>,
    #[serde(default)]
    kayenta: Option<IgnoredAny>,
    #[serde(default)]
    web: Option<IgnoredAny>,
    #[serde(default)]
    datadog: Option<IgnoredAny>,
    #[serde(default)]
    wavefront: Option<IgnoredAny>,
    #[serde(default)]
    new_relic: Option<IgnoredAny>,
    #[serde(default)]
    job: Option<IgnoredAny>,
    #[serde(default)]
    cloud_watch: Option<IgnoredAny>,
    #[serde(default)]
    graphite: Option<IgnoredAny>,
    #[serde(default)]
    influxdb: Option<IgnoredAny>,
    #[serde(default)]
    skywalking: Option<IgnoredAny>,
    #[serde(default)]
    plugin: Option<IgnoredAny>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawKubesim {
    metric: String,
    service: String,
    #[serde(default)]
    revision: Option<String>,
}

/// A name a Rollout refers to, with the error to report if it does not
/// exist.
#[derive(Debug, Clone)]
pub struct Reference {
    /// `Service` or `AnalysisTemplate`.
    pub kind: &'static str,
    /// The namespace.
    pub namespace: String,
    /// The name.
    pub name: String,
    /// The positioned error.
    pub error: ScenarioError,
}

const REVISIONS: &[&str] = &["canary", "stable", "all"];

fn reference(
    ctx: &Ctx<'_, '_>,
    refs: &mut Vec<Reference>,
    kind: &'static str,
    namespace: &str,
    name: &str,
    at: &At<'_>,
) {
    let what = if kind == "Service" {
        format!(
            "service {name:?} not found in namespace {namespace:?}: declare it as a kind: Service"
        )
    } else {
        format!("AnalysisTemplate {name:?} not found in namespace {namespace:?}")
    };
    refs.push(Reference {
        kind,
        namespace: namespace.to_string(),
        name: name.to_string(),
        error: ctx.doc.error(at, what),
    });
}

fn int_or_percent(ctx: &mut Ctx<'_, '_>, v: &IntOrString, at: &At<'_>) -> Option<IntOrPercent> {
    match v {
        IntOrString::Int(i) if *i < 0 => {
            ctx.err(
                at,
                format!("Invalid value: {i}: must be greater than or equal to 0"),
            );
            None
        }
        IntOrString::Int(i) => Some(IntOrPercent::Int(*i)),
        IntOrString::String(s) => {
            match kubesim_scheduler::controllers::rollout::IntOrPercent::parse_string(s) {
                Ok(kubesim_scheduler::controllers::rollout::IntOrPercent::Percent(p)) if p >= 0 => {
                    Some(IntOrPercent::Percent(p))
                }
                _ => {
                    ctx.err(
                        at,
                        format!("Invalid value: {s:?}: a number of pods or a percentage (\"25%\")"),
                    );
                    None
                }
            }
        }
    }
}

fn non_negative(ctx: &mut Ctx<'_, '_>, v: Option<i32>, at: &At<'_>) -> Option<i32> {
    match v {
        Some(n) if n < 0 => {
            ctx.err(
                at,
                format!("Invalid value: {n}: must be greater than or equal to 0"),
            );
            None
        }
        v => v,
    }
}

fn analysis(
    ctx: &mut Ctx<'_, '_>,
    a: &RawAnalysis,
    at: &At<'_>,
    namespace: &str,
    refs: &mut Vec<Reference>,
) -> RolloutAnalysis {
    let mut out = RolloutAnalysis {
        starting_step: a.starting_step,
        ..Default::default()
    };
    let tat = at.key("templates");
    let templates = a.templates.as_deref().unwrap_or(&[]);
    if templates.is_empty() {
        ctx.err(&tat, "Required value: at least one template");
    }
    for (i, t) in templates.iter().enumerate() {
        let iat = tat.idx(i);
        if t.cluster_scope == Some(true) {
            ctx.err(
                &iat.key("clusterScope"),
                "ClusterAnalysisTemplate is not supported: use an AnalysisTemplate in the Rollout's namespace",
            );
            continue;
        }
        match &t.template_name {
            Some(n) if !n.is_empty() => {
                reference(
                    ctx,
                    refs,
                    "AnalysisTemplate",
                    namespace,
                    n,
                    &iat.key("templateName"),
                );
                out.templates.push(n.clone());
            }
            _ => ctx.err(&iat.key("templateName"), "Required value: templateName"),
        }
    }
    let aat = at.key("args");
    for (i, arg) in a.args.iter().flatten().enumerate() {
        if arg.value_from.is_some() {
            ctx.err(
                &aat.idx(i).key("valueFrom"),
                "valueFrom is not supported: give the argument a value",
            );
        }
        out.args.push(AnalysisArg {
            name: arg.name.clone(),
            value: arg.value.clone(),
        });
    }
    out
}

fn steps(
    ctx: &mut Ctx<'_, '_>,
    raw: &[RawStep],
    at: &At<'_>,
    namespace: &str,
    refs: &mut Vec<Reference>,
) -> Vec<CanaryStepSpec> {
    let mut out = Vec::new();
    for (i, s) in raw.iter().enumerate() {
        let sat = at.idx(i);
        let given = [
            s.set_weight.is_some(),
            s.pause.is_some(),
            s.analysis.is_some(),
            s.set_canary_scale.is_some(),
            s.experiment.is_some(),
            s.set_header_route.is_some(),
            s.set_mirror_route.is_some(),
            s.plugin.is_some(),
        ];
        if given.iter().filter(|&&g| g).count() != 1 {
            ctx.err(&sat, "Invalid value: a step has exactly one of setWeight, pause, analysis, setCanaryScale (experiment, setHeaderRoute, setMirrorRoute and plugin are not supported)");
            continue;
        }
        if let Some(w) = s.set_weight {
            if !(0..=100).contains(&w) {
                ctx.err(
                    &sat.key("setWeight"),
                    format!("Invalid value: {w}: must be between 0 and 100"),
                );
                continue;
            }
            out.push(CanaryStepSpec::SetWeight(w));
        } else if let Some(p) = &s.pause {
            let pat = sat.key("pause");
            let dat = pat.key("duration");
            let duration = match &p.duration {
                None => None,
                Some(IntOrString::Int(n)) if *n >= 0 => Some(SimTime::from_secs(*n as u64)),
                Some(IntOrString::Int(n)) => {
                    ctx.err(
                        &dat,
                        format!("Invalid value: {n}: must be greater than or equal to 0"),
                    );
                    continue;
                }
                Some(IntOrString::String(t)) => match t.parse::<u64>() {
                    Ok(n) => Some(SimTime::from_secs(n)),
                    Err(_) => match ctx.duration(t, &dat) {
                        Some(d) => Some(d),
                        None => continue,
                    },
                },
            };
            out.push(CanaryStepSpec::Pause { duration });
        } else if let Some(a) = &s.analysis {
            out.push(CanaryStepSpec::Analysis(analysis(
                ctx,
                a,
                &sat.key("analysis"),
                namespace,
                refs,
            )));
        } else if let Some(c) = &s.set_canary_scale {
            let cat = sat.key("setCanaryScale");
            let replicas = non_negative(ctx, c.replicas, &cat.key("replicas"));
            if let Some(w) = c.weight.filter(|w| !(0..=100).contains(w)) {
                ctx.err(
                    &cat.key("weight"),
                    format!("Invalid value: {w}: must be between 0 and 100"),
                );
            }
            out.push(CanaryStepSpec::SetCanaryScale {
                replicas,
                weight: c.weight,
                match_traffic_weight: c.match_traffic_weight.unwrap_or(false),
            });
        } else {
            ctx.err(&sat, "Invalid value: experiment, setHeaderRoute, setMirrorRoute and plugin steps are not supported by kubesim");
        }
    }
    out
}

/// Converts a Rollout: the Rollout (with the priority its pods ask for),
/// and the references to check.
pub fn rollout(
    ctx: &mut Ctx<'_, '_>,
    r: &RawRollout,
    at: &At<'_>,
    refs: &mut Vec<Reference>,
) -> Option<(Rollout, super::pod::PriorityRequest)> {
    let spec_at = at.key("spec");
    let Some(spec) = &r.spec else {
        ctx.err(&spec_at, "Required value");
        return None;
    };
    if spec.workload_ref.is_some() {
        ctx.err(
            &spec_at.key("workloadRef"),
            "workloadRef is not supported: put the pod template in spec.template (kubesim needs it inline)",
        );
        return None;
    }
    let Some(template) = spec.template.clone() else {
        ctx.err(&spec_at.key("template"), "Required value: spec.template");
        return None;
    };
    let progress = spec
        .progress_deadline_seconds
        .unwrap_or(DEFAULT_ROLLOUT_PROGRESS_DEADLINE_SECONDS);
    // The fields a Rollout shares with a Deployment, checked as one.
    let as_deployment = apps::Deployment {
        metadata: r.metadata.clone(),
        spec: Some(apps::DeploymentSpec {
            replicas: spec.replicas,
            selector: spec.selector.clone().unwrap_or_default(),
            template,
            min_ready_seconds: spec.min_ready_seconds,
            revision_history_limit: spec.revision_history_limit,
            progress_deadline_seconds: Some(progress),
            paused: spec.paused,
            strategy: None,
        }),
        status: None,
    };
    let converted = deployment(ctx, &as_deployment, at);
    let namespace = r
        .metadata
        .namespace
        .clone()
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| kubesim_core::DEFAULT_NAMESPACE.to_string());
    let strategy = strategy(
        ctx,
        spec.strategy.as_ref(),
        &spec_at.key("strategy"),
        &namespace,
        refs,
    )?;
    let (d, priority) = converted?;
    let mut ro = Rollout::new(d.metadata, d.replicas, d.selector, d.template, strategy);
    ro.min_ready_seconds = d.min_ready_seconds;
    ro.revision_history_limit = spec
        .revision_history_limit
        .unwrap_or(DEFAULT_ROLLOUT_REVISION_HISTORY_LIMIT)
        .max(0);
    ro.progress_deadline_seconds = progress;
    ro.paused = spec.paused.unwrap_or(false);
    Some((ro, priority))
}

fn strategy(
    ctx: &mut Ctx<'_, '_>,
    s: Option<&RawStrategy>,
    at: &At<'_>,
    namespace: &str,
    refs: &mut Vec<Reference>,
) -> Option<RolloutStrategy> {
    let (canary, blue_green) = match s {
        Some(RawStrategy {
            canary: Some(c),
            blue_green: None,
        }) => (Some(c), None),
        Some(RawStrategy {
            canary: None,
            blue_green: Some(b),
        }) => (None, Some(b)),
        _ => {
            ctx.err(at, "Invalid value: a Rollout needs exactly one of strategy.canary and strategy.blueGreen");
            return None;
        }
    };
    if let Some(c) = canary {
        let cat = at.key("canary");
        let mut out = CanaryStrategy {
            steps: steps(
                ctx,
                c.steps.as_deref().unwrap_or(&[]),
                &cat.key("steps"),
                namespace,
                refs,
            ),
            dynamic_stable_scale: c.dynamic_stable_scale.unwrap_or(false),
            abort_scale_down_delay_seconds: non_negative(
                ctx,
                c.abort_scale_down_delay_seconds,
                &cat.key("abortScaleDownDelaySeconds"),
            ),
            min_pods_per_replica_set: non_negative(
                ctx,
                c.min_pods_per_replica_set,
                &cat.key("minPodsPerReplicaSet"),
            ),
            scale_down_delay_seconds: non_negative(
                ctx,
                c.scale_down_delay_seconds,
                &cat.key("scaleDownDelaySeconds"),
            ),
            stable_service: c.stable_service.clone(),
            canary_service: c.canary_service.clone(),
            ..Default::default()
        };
        out.max_surge = c
            .max_surge
            .as_ref()
            .and_then(|v| int_or_percent(ctx, v, &cat.key("maxSurge")));
        out.max_unavailable = c
            .max_unavailable
            .as_ref()
            .and_then(|v| int_or_percent(ctx, v, &cat.key("maxUnavailable")));
        if let Some(a) = &c.analysis {
            out.analysis = Some(analysis(ctx, a, &cat.key("analysis"), namespace, refs));
        }
        if let Some(t) = &c.traffic_routing {
            out.traffic_routing = Some(TrafficRoutingSpec {
                max_traffic_weight: t.max_traffic_weight,
            });
            for (field, v) in [
                ("stableService", &c.stable_service),
                ("canaryService", &c.canary_service),
            ] {
                if v.is_none() {
                    ctx.err(
                        &cat.key("trafficRouting"),
                        format!("Required value: trafficRouting needs canary.{field} (the Service kubesim splits traffic on is stableService)"),
                    );
                }
            }
        }
        for (field, v) in [
            ("stableService", &c.stable_service),
            ("canaryService", &c.canary_service),
        ] {
            if let Some(n) = v {
                reference(ctx, refs, "Service", namespace, n, &cat.key(field));
            }
        }
        return Some(RolloutStrategy::Canary(out));
    }
    let b = blue_green?;
    let bat = at.key("blueGreen");
    let Some(active) = b.active_service.clone().filter(|s| !s.is_empty()) else {
        ctx.err(
            &bat.key("activeService"),
            "Required value: blueGreen needs activeService",
        );
        return None;
    };
    reference(
        ctx,
        refs,
        "Service",
        namespace,
        &active,
        &bat.key("activeService"),
    );
    if let Some(p) = &b.preview_service {
        reference(
            ctx,
            refs,
            "Service",
            namespace,
            p,
            &bat.key("previewService"),
        );
        if *p == active {
            ctx.err(
                &bat.key("previewService"),
                "Invalid value: previewService must differ from activeService",
            );
        }
    }
    let mut out = BlueGreenStrategy {
        active_service: active,
        preview_service: b.preview_service.clone(),
        auto_promotion_enabled: b.auto_promotion_enabled.unwrap_or(true),
        auto_promotion_seconds: non_negative(
            ctx,
            b.auto_promotion_seconds,
            &bat.key("autoPromotionSeconds"),
        ),
        preview_replica_count: non_negative(
            ctx,
            b.preview_replica_count,
            &bat.key("previewReplicaCount"),
        ),
        abort_scale_down_delay_seconds: non_negative(
            ctx,
            b.abort_scale_down_delay_seconds,
            &bat.key("abortScaleDownDelaySeconds"),
        ),
        ..Default::default()
    };
    if let Some(s) = non_negative(
        ctx,
        b.scale_down_delay_seconds,
        &bat.key("scaleDownDelaySeconds"),
    ) {
        out.scale_down_delay_seconds = s;
    }
    if let Some(a) = &b.pre_promotion_analysis {
        out.pre_promotion_analysis = Some(analysis(
            ctx,
            a,
            &bat.key("prePromotionAnalysis"),
            namespace,
            refs,
        ));
    }
    if let Some(a) = &b.post_promotion_analysis {
        out.post_promotion_analysis = Some(analysis(
            ctx,
            a,
            &bat.key("postPromotionAnalysis"),
            namespace,
            refs,
        ));
    }
    Some(RolloutStrategy::BlueGreen(out))
}

fn limit(ctx: &mut Ctx<'_, '_>, v: &Option<IntOrString>, at: &At<'_>) -> Option<i32> {
    match v {
        None => None,
        Some(IntOrString::Int(n)) => Some(*n),
        Some(IntOrString::String(s)) => match s.parse() {
            Ok(n) => Some(n),
            Err(_) => {
                ctx.err(at, format!("Invalid value: {s:?}: expected an integer"));
                None
            }
        },
    }
}

/// Converts an AnalysisTemplate, with the Services its metrics name.
pub fn analysis_template(
    ctx: &mut Ctx<'_, '_>,
    t: &RawAnalysisTemplate,
    at: &At<'_>,
    refs: &mut Vec<Reference>,
) -> Option<AnalysisTemplate> {
    let metadata = object_meta(ctx, &t.metadata, at, true)?;
    let spec_at = at.key("spec");
    let Some(spec) = &t.spec else {
        ctx.err(&spec_at, "Required value");
        return None;
    };
    let mat = spec_at.key("metrics");
    let metrics_raw = spec.metrics.as_deref().unwrap_or(&[]);
    if metrics_raw.is_empty() {
        ctx.err(&mat, "Required value: at least one metric");
    }
    let mut metrics = Vec::new();
    for (i, m) in metrics_raw.iter().enumerate() {
        let iat = mat.idx(i);
        let pat = iat.key("provider");
        let Some(p) = &m.provider else {
            ctx.err(&pat, "Required value: provider (kubesim measures with its own provider: provider: {kubesim: {metric: error_rate, service: NAME}})");
            continue;
        };
        let Some(k) = &p.kubesim else {
            ctx.err_help(
                &pat,
                "kubesim cannot query this provider (prometheus, datadog, job, web, …): add a kubesim provider that measures the simulation",
                Some("provider: {kubesim: {metric: error_rate | latency_mean_s | latency_p50_s | latency_p95_s | latency_p99_s | request_rate, service: NAME, revision: canary | stable | all}}".into()),
            );
            continue;
        };
        let kat = pat.key("kubesim");
        let names: Vec<&str> = KubesimMetric::ALL.iter().map(|(n, _)| *n).collect();
        let metric = ctx
            .one_of(&k.metric, &names, &kat.key("metric"))
            .and_then(|n| {
                KubesimMetric::ALL
                    .iter()
                    .find(|(m, _)| *m == n)
                    .map(|(_, v)| *v)
            });
        let revision = match k.revision.as_deref() {
            None => Some(RevisionSelector::All),
            Some(r) => ctx
                .one_of(r, REVISIONS, &kat.key("revision"))
                .map(|r| match r {
                    "canary" => RevisionSelector::Canary,
                    "stable" => RevisionSelector::Stable,
                    _ => RevisionSelector::All,
                }),
        };
        if !k.service.contains("{{") {
            reference(
                ctx,
                refs,
                "Service",
                &metadata.namespace,
                &k.service,
                &kat.key("service"),
            );
        }
        for (field, c) in [
            ("successCondition", &m.success_condition),
            ("failureCondition", &m.failure_condition),
        ] {
            let Some(c) = c.as_deref().filter(|c| !c.contains("{{")) else {
                continue;
            };
            if let Err(e) = kubesim_scheduler::controllers::rollout::Condition::parse(c) {
                ctx.err(&iat.key(field), format!("Invalid value: {c:?}: {e}"));
            }
        }
        let interval = m
            .interval
            .as_deref()
            .and_then(|s| ctx.duration(s, &iat.key("interval")));
        let initial_delay = m
            .initial_delay
            .as_deref()
            .and_then(|s| ctx.duration(s, &iat.key("initialDelay")));
        let count = limit(ctx, &m.count, &iat.key("count"));
        let (Some(metric), Some(revision)) = (metric, revision) else {
            continue;
        };
        metrics.push(AnalysisMetricSpec {
            name: m.name.clone(),
            interval,
            initial_delay,
            count,
            success_condition: m.success_condition.clone(),
            failure_condition: m.failure_condition.clone(),
            failure_limit: limit(ctx, &m.failure_limit, &iat.key("failureLimit")),
            inconclusive_limit: limit(ctx, &m.inconclusive_limit, &iat.key("inconclusiveLimit")),
            consecutive_error_limit: limit(
                ctx,
                &m.consecutive_error_limit,
                &iat.key("consecutiveErrorLimit"),
            ),
            provider: KubesimProvider {
                metric,
                service: k.service.clone(),
                revision,
            },
        });
    }
    let args = spec
        .args
        .iter()
        .flatten()
        .map(|a| AnalysisArg {
            name: a.name.clone(),
            value: a.value.clone(),
        })
        .collect();
    Some(AnalysisTemplate {
        metadata,
        args,
        metrics,
    })
}
