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
use kubesim_core::{
    Deployment, LabelSelector, LabelSelectorOperator, LabelSelectorRequirement, ObjectMeta, Pod,
    PodSpec, PodTemplate, PriorityClass, PriorityClasses, PriorityError, RestartPolicy,
    DEFAULT_NAMESPACE,
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
    if let Some(s) = &spec.strategy {
        let sat = spec_at.key("strategy");
        if let Some(t) = s.type_.as_deref() {
            if ctx.one_of(t, DEPLOYMENT_STRATEGIES, &sat.key("type")) == Some("Recreate")
                && s.rolling_update.is_some()
            {
                ctx.err_key(
                    &sat.key("rollingUpdate"),
                    "Forbidden: may not be specified when strategy `type` is 'Recreate'",
                );
            }
        }
    }
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
    Some((
        Deployment {
            metadata: meta?,
            replicas,
            selector,
            template: PodTemplate {
                labels,
                annotations: tmeta.annotations.unwrap_or_default(),
                spec: pod_spec,
            },
        },
        req,
    ))
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
