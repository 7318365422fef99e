//! The modelled kinds: Pods, Deployments and PriorityClasses, their
//! metadata and label selectors, and the Priority admission plugin.
//!
//! Validation follows the API server: `ValidateObjectMeta`
//! (staging/src/k8s.io/apimachinery/pkg/api/validation/objectmeta.go),
//! `ValidateDeploymentSpec` (pkg/apis/apps/validation/validation.go),
//! `ValidateLabelSelector` (staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/validation/validation.go),
//! `ValidatePriorityClass` (pkg/apis/scheduling/validation/validation.go,
//! through [`PriorityClasses::add`]); admission is
//! plugin/pkg/admission/priority/admission.go through
//! [`PriorityClasses::admit`].

use super::pod::{pod_spec, PriorityRequest};
use super::Ctx;
use crate::scenario::yaml::At;
use k8s_openapi::api::apps::v1 as apps;
use k8s_openapi::api::core::v1 as core;
use k8s_openapi::api::scheduling::v1 as scheduling;
use k8s_openapi::apimachinery::pkg::apis::meta::v1 as meta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use kubesim_core::{
    Deployment, DeploymentStrategy, IntOrPercent, LabelSelector, LabelSelectorOperator,
    LabelSelectorRequirement, ObjectMeta, Pod, PodSpec, PodTemplate, PriorityClass,
    PriorityClasses, PriorityError, RestartPolicy, DEFAULT_NAMESPACE,
    DEFAULT_PROGRESS_DEADLINE_SECONDS, DEFAULT_REVISION_HISTORY_LIMIT, DEFAULT_ROLLING_UPDATE,
};

/// `metav1.LabelSelectorOperator` values.
const LABEL_SELECTOR_OPERATORS: &[&str] = &["In", "NotIn", "Exists", "DoesNotExist"];
/// `apps/v1.DeploymentStrategyType` values.
const DEPLOYMENT_STRATEGIES: &[&str] = &["Recreate", "RollingUpdate"];
/// `v1.PreemptionPolicy` values.
const PREEMPTION_POLICIES: &[&str] = &["PreemptLowerPriority", "Never"];

/// `metadata` → the model's; `None` without a usable name.
pub fn object_meta(
    ctx: &mut Ctx<'_, '_>,
    m: &meta::ObjectMeta,
    at: &At<'_>,
    namespaced: bool,
) -> Option<ObjectMeta> {
    let mat = at.key("metadata");
    let name_at = mat.key("name");
    let name = match m.name.as_deref() {
        Some(n) if !n.is_empty() => n,
        _ => {
            let msg = if m.generate_name.as_deref().is_some_and(|g| !g.is_empty()) {
                "Required value: kubesim needs a fixed name (generateName is not supported)"
            } else {
                "Required value: name or generateName is required"
            };
            ctx.err(&name_at, msg);
            return None;
        }
    };
    if !ctx.dns_subdomain(name, &name_at) {
        return None;
    }
    let mut out = ObjectMeta::named(name);
    if namespaced {
        if let Some(ns) = m.namespace.as_deref().filter(|ns| !ns.is_empty()) {
            if !ctx.dns_label(ns, &mat.key("namespace")) {
                return None;
            }
            out.namespace = ns.to_string();
        } else {
            out.namespace = DEFAULT_NAMESPACE.to_string();
        }
    } else {
        out.namespace = String::new();
    }
    if let Some(l) = &m.labels {
        ctx.labels(l, &mat.key("labels"));
        out.labels = l.clone();
    }
    if let Some(a) = &m.annotations {
        let aat = mat.key("annotations");
        for k in a.keys() {
            if let Err(msg) = super::qualified_name(&k.to_lowercase()) {
                ctx.err_key(&aat.key(k), format!("Invalid value: {k:?}: {msg}"));
            }
        }
        out.annotations = a.clone();
    }
    Some(out)
}

/// `ValidateLabelSelector` → the model's selector.
pub fn label_selector(
    ctx: &mut Ctx<'_, '_>,
    s: &meta::LabelSelector,
    at: &At<'_>,
) -> LabelSelector {
    let mut out = LabelSelector::default();
    if let Some(l) = &s.match_labels {
        ctx.labels(l, &at.key("matchLabels"));
        out.match_labels = l.clone();
    }
    let eat = at.key("matchExpressions");
    for (i, r) in s.match_expressions.iter().flatten().enumerate() {
        let rat = eat.idx(i);
        if let Err(m) = super::qualified_name(&r.key) {
            ctx.err(&rat.key("key"), format!("Invalid value: {:?}: {m}", r.key));
        }
        let Some(op) = ctx
            .one_of(&r.operator, LABEL_SELECTOR_OPERATORS, &rat.key("operator"))
            .and_then(LabelSelectorOperator::parse)
        else {
            continue;
        };
        let req = LabelSelectorRequirement {
            key: r.key.clone(),
            operator: op,
            values: r.values.clone().unwrap_or_default(),
        };
        if let Some(m) = req.validate() {
            let kind = if req.values.is_empty() {
                "Required value"
            } else {
                "Forbidden"
            };
            ctx.err(&rat.key("values"), format!("{kind}: {m}"));
        }
        for (j, v) in req.values.iter().enumerate() {
            if let Err(m) = super::label_value(v) {
                ctx.err(
                    &rat.key("values").idx(j),
                    format!("Invalid value: {v:?}: {m}"),
                );
            }
        }
        out.match_expressions.push(req);
    }
    out
}

/// The Priority admission plugin on a pod spec: sets `priority` and
/// `priorityClassName`, or reports why admission refuses the pod.
pub fn admit(
    ctx: &mut Ctx<'_, '_>,
    classes: &PriorityClasses,
    spec: &mut PodSpec,
    req: &PriorityRequest,
    at: &At<'_>,
) {
    match classes.admit(&req.class_name, req.priority) {
        Ok((name, value)) => {
            spec.priority_class_name = name;
            spec.priority = value;
        }
        Err(e @ PriorityError::Conflict { .. }) => {
            ctx.err(&at.key("priority"), format!("Forbidden: {e}"));
        }
        Err(e) => {
            let known: Vec<&str> = classes.iter().map(|c| c.name.as_str()).collect();
            let help = crate::scenario::error::did_you_mean(&req.class_name, known.iter().copied())
                .or_else(|| Some(format!("declare it with a PriorityClass object (scheduling.k8s.io/v1); known classes: {}", known.join(", "))));
            ctx.err_help(
                &at.key("priorityClassName"),
                format!("Forbidden: {e}"),
                help,
            );
        }
    }
}

/// A Pod, and what admission needs (see [`admit`]).
pub fn pod(ctx: &mut Ctx<'_, '_>, p: &core::Pod, at: &At<'_>) -> Option<(Pod, PriorityRequest)> {
    let meta = object_meta(ctx, &p.metadata, at, true);
    let spec_at = at.key("spec");
    let Some(spec) = &p.spec else {
        ctx.err(&spec_at, "Required value");
        return None;
    };
    let (spec, req) = pod_spec(ctx, spec, &spec_at)?;
    Some((
        Pod {
            metadata: meta?,
            spec,
            status: Default::default(),
        },
        req,
    ))
}

/// A Deployment, and what admission of its pods needs (see [`admit`]).
pub fn deployment(
    ctx: &mut Ctx<'_, '_>,
    d: &apps::Deployment,
    at: &At<'_>,
) -> Option<(Deployment, PriorityRequest)> {
    let meta = object_meta(ctx, &d.metadata, at, true);
    let spec_at = at.key("spec");
    let Some(spec) = &d.spec else {
        ctx.err(&spec_at, "Required value");
        return None;
    };
    let replicas = match spec.replicas {
        Some(r) if r < 0 => {
            ctx.err(
                &spec_at.key("replicas"),
                format!("Invalid value: {r}: must be greater than or equal to 0"),
            );
            0
        }
        Some(r) => r,
        None => kubesim_core::api::defaults::DEFAULT_REPLICAS,
    };
    let strategy = spec
        .strategy
        .as_ref()
        .map_or(Some(DEFAULT_ROLLING_UPDATE), |s| {
            strategy(ctx, s, &spec_at.key("strategy"))
        });
    for (field, v) in [
        ("minReadySeconds", spec.min_ready_seconds),
        ("revisionHistoryLimit", spec.revision_history_limit),
        ("progressDeadlineSeconds", spec.progress_deadline_seconds),
    ] {
        if let Some(v) = v.filter(|v| *v < 0) {
            ctx.err(
                &spec_at.key(field),
                format!("Invalid value: {v}: must be greater than or equal to 0"),
            );
        }
    }
    let min_ready_seconds = spec.min_ready_seconds.unwrap_or(0).max(0);
    let progress_deadline = spec
        .progress_deadline_seconds
        .unwrap_or(DEFAULT_PROGRESS_DEADLINE_SECONDS);
    // `ValidateDeploymentSpec`.
    if progress_deadline >= 0 && progress_deadline <= min_ready_seconds {
        ctx.err(
            &spec_at.key("progressDeadlineSeconds"),
            format!("Invalid value: {progress_deadline}: must be greater than minReadySeconds"),
        );
    }
    let sel_at = spec_at.key("selector");
    let selector = label_selector(ctx, &spec.selector, &sel_at);
    if selector.is_empty() {
        ctx.err(
            &sel_at,
            "Required value: empty selector is invalid for deployment",
        );
    }
    let tat = spec_at.key("template");
    let tmeta = spec.template.metadata.clone().unwrap_or_default();
    let labels = tmeta.labels.clone().unwrap_or_default();
    let mat = tat.key("metadata");
    ctx.labels(&labels, &mat.key("labels"));
    if !selector.is_empty() && !selector.matches(&labels) {
        ctx.err(
            &mat.key("labels"),
            "Invalid value: `selector` does not match template `labels`",
        );
    }
    let tspec_at = tat.key("spec");
    let default_spec = core::PodSpec::default();
    let tspec = spec.template.spec.as_ref().unwrap_or(&default_spec);
    let (pod_spec, req) = pod_spec(ctx, tspec, &tspec_at)?;
    if pod_spec.restart_policy != RestartPolicy::Always {
        ctx.err(
            &tspec_at.key("restartPolicy"),
            format!(
                "Unsupported value: {:?}: supported values: \"Always\"",
                pod_spec.restart_policy.as_str()
            ),
        );
    }
    let mut d = Deployment::new(
        meta?,
        replicas,
        selector,
        PodTemplate {
            labels,
            annotations: tmeta.annotations.unwrap_or_default(),
            spec: pod_spec,
        },
    );
    d.strategy = strategy?;
    d.min_ready_seconds = min_ready_seconds;
    d.revision_history_limit = spec
        .revision_history_limit
        .unwrap_or(DEFAULT_REVISION_HISTORY_LIMIT)
        .max(0);
    // Upstream's "no deadline" is `math.MaxInt32`.
    d.progress_deadline_seconds = Some(progress_deadline.max(0)).filter(|&s| s != i32::MAX);
    d.paused = spec.paused.unwrap_or(false);
    Some((d, req))
}

/// `spec.strategy`, checked as `ValidateDeploymentStrategy` and
/// `ValidateRollingUpdateDeployment` (pkg/apis/apps/validation/validation.go)
/// and defaulted as `SetDefaults_Deployment` (pkg/apis/apps/v1/defaults.go).
fn strategy(
    ctx: &mut Ctx<'_, '_>,
    s: &apps::DeploymentStrategy,
    at: &At<'_>,
) -> Option<DeploymentStrategy> {
    let kind = match s.type_.as_deref() {
        None => "RollingUpdate",
        Some(t) => ctx.one_of(t, DEPLOYMENT_STRATEGIES, &at.key("type"))?,
    };
    if kind == "Recreate" {
        if s.rolling_update.is_some() {
            ctx.err_key(
                &at.key("rollingUpdate"),
                "Forbidden: may not be specified when strategy `type` is 'Recreate'",
            );
            return None;
        }
        return Some(DeploymentStrategy::Recreate);
    }
    let ru = s.rolling_update.clone().unwrap_or_default();
    let rat = at.key("rollingUpdate");
    let surge = int_or_percent(ctx, ru.max_surge.as_ref(), &rat.key("maxSurge"));
    let unavailable = int_or_percent(ctx, ru.max_unavailable.as_ref(), &rat.key("maxUnavailable"));
    let (max_surge, max_unavailable) = (surge?, unavailable?);
    let value = |v: IntOrPercent| match v {
        IntOrPercent::Int(n) | IntOrPercent::Percent(n) => n,
    };
    let ua_at = rat.key("maxUnavailable");
    if value(max_surge) == 0 && value(max_unavailable) == 0 {
        ctx.err(
            &ua_at,
            "Invalid value: 0: may not be 0 when `maxSurge` is 0",
        );
        return None;
    }
    if let IntOrPercent::Percent(p) = max_unavailable {
        if p > 100 {
            ctx.err(
                &ua_at,
                format!("Invalid value: \"{p}%\": must not be greater than 100%"),
            );
            return None;
        }
    }
    Some(DeploymentStrategy::RollingUpdate {
        max_surge,
        max_unavailable,
    })
}

/// `ValidatePositiveIntOrPercent`: a non-negative integer or `N%`
/// (`IsValidPercent`); absent is the default 25%.
fn int_or_percent(
    ctx: &mut Ctx<'_, '_>,
    v: Option<&IntOrString>,
    at: &At<'_>,
) -> Option<IntOrPercent> {
    match v {
        None => Some(IntOrPercent::Percent(25)),
        Some(IntOrString::Int(n)) if *n < 0 => {
            ctx.err(
                at,
                format!("Invalid value: {n}: must be greater than or equal to 0"),
            );
            None
        }
        Some(IntOrString::Int(n)) => Some(IntOrPercent::Int(*n)),
        Some(IntOrString::String(s)) => {
            let digits = s
                .strip_suffix('%')
                .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()));
            match digits.and_then(|d| d.parse::<i32>().ok()) {
                Some(p) => Some(IntOrPercent::Percent(p)),
                None => {
                    ctx.err(
                        at,
                        format!("Invalid value: {s:?}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"),
                    );
                    None
                }
            }
        }
    }
}

/// A PriorityClass, added to `classes`; whether it was.
pub fn priority_class(
    ctx: &mut Ctx<'_, '_>,
    c: &scheduling::PriorityClass,
    at: &At<'_>,
    classes: &mut PriorityClasses,
) -> bool {
    let Some(meta) = object_meta(ctx, &c.metadata, at, false) else {
        return false;
    };
    if !ctx.doc.has(&at.key("value")) {
        ctx.err(&at.key("value"), "Required value");
        return false;
    }
    if let Some(p) = c.preemption_policy.as_deref() {
        ctx.one_of(p, PREEMPTION_POLICIES, &at.key("preemptionPolicy"));
    }
    if classes.get(&meta.name).is_some() {
        ctx.err(
            &at.key("metadata").key("name"),
            format!(
                "priorityclasses.scheduling.k8s.io {:?} already exists",
                meta.name
            ),
        );
        return false;
    }
    let class = PriorityClass {
        name: meta.name,
        value: c.value,
        global_default: c.global_default.unwrap_or(false),
    };
    let Err(e) = classes.add(class) else {
        return true;
    };
    let meta_at = at.key("metadata");
    let target = match &e {
        PriorityError::TwoDefaults { .. } => at.key("globalDefault"),
        PriorityError::InvalidClass(m) if m.starts_with("maximum") => at.key("value"),
        _ => meta_at.key("name"),
    };
    ctx.err(&target, format!("Invalid value: {e}"));
    false
}
