//! Pod specs: containers and their resources, probes, preStop hooks,
//! pull and restart policies, tolerations and node affinity, validated as
//! the API server validates them (pkg/apis/core/validation/validation.go:
//! `ValidatePodSpec`, `validateContainers`, `validateInitContainers`,
//! `validateProbe`, `validateHandler`, `validateLifecycle`,
//! `ValidateResourceRequirements`, `ValidateTolerations`,
//! `ValidateNodeSelector`) for the fields kubesim reads and the enum-like
//! fields `k8s-openapi` leaves as strings, after the API server's
//! defaulting (pkg/apis/core/v1/defaults.go).

use super::Ctx;
use crate::scenario::yaml::At;
use k8s_openapi::api::core::v1 as k8s;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use kubesim_core::api::defaults;
use kubesim_core::{
    Bytes, Container, MilliCpu, ModelLimits, NodeAffinity, NodeSelectorOperator,
    NodeSelectorRequirement, NodeSelectorTerm, PodSpec, PreStopHook, PreferredSchedulingTerm,
    Probe, PullPolicy, ResourceRequirements, RestartPolicy, SimTime, TaintEffect, Toleration,
    TolerationOperator,
};
use std::collections::BTreeMap;

/// `v1.RestartPolicy` values.
const RESTART_POLICIES: &[&str] = &["Always", "OnFailure", "Never"];
/// `v1.DNSPolicy` values.
const DNS_POLICIES: &[&str] = &["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"];
/// `v1.PreemptionPolicy` values.
const PREEMPTION_POLICIES: &[&str] = &["PreemptLowerPriority", "Never"];
/// `v1.PullPolicy` values.
const PULL_POLICIES: &[&str] = &["Always", "IfNotPresent", "Never"];
/// `v1.TerminationMessagePolicy` values.
const TERMINATION_MESSAGE_POLICIES: &[&str] = &["File", "FallbackToLogsOnError"];
/// `v1.Protocol` values.
const PROTOCOLS: &[&str] = &["TCP", "UDP", "SCTP"];
/// `v1.TolerationOperator` values.
const TOLERATION_OPERATORS: &[&str] = &["Exists", "Equal"];
/// `v1.TaintEffect` values.
const TAINT_EFFECTS: &[&str] = &["NoSchedule", "PreferNoSchedule", "NoExecute"];
/// `v1.NodeSelectorOperator` values.
const NODE_SELECTOR_OPERATORS: &[&str] = &["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"];
/// `v1.UnsatisfiableConstraintAction` values.
const WHEN_UNSATISFIABLE: &[&str] = &["DoNotSchedule", "ScheduleAnyway"];
/// `v1.ResourceResizeRestartPolicy` values.
const RESIZE_RESTART_POLICIES: &[&str] = &["NotRequired", "RestartContainer"];

/// What the Priority admission plugin needs from a pod spec.
#[derive(Debug, Clone, Default)]
pub struct PriorityRequest {
    /// `priorityClassName` (empty: none).
    pub class_name: String,
    /// `priority`, if set.
    pub priority: Option<i32>,
}

/// A pod spec → the model's; `None` when it cannot run at all.
pub fn pod_spec(
    ctx: &mut Ctx<'_, '_>,
    s: &k8s::PodSpec,
    at: &At<'_>,
) -> Option<(PodSpec, PriorityRequest)> {
    let init = s.init_containers.as_deref().unwrap_or_default();
    let total = s.containers.len() + init.len();
    if total > ModelLimits::MAX_CONTAINERS_PER_POD {
        ctx.err_key(
            &at.key("containers"),
            format!(
                "Too many: {total}: a pod may have at most {} containers (init and app together)",
                ModelLimits::MAX_CONTAINERS_PER_POD
            ),
        );
        return None;
    }
    if s.containers.is_empty() {
        ctx.err(&at.key("containers"), "Required value");
        return None;
    }
    // Container names are unique across init and app containers
    // (validateContainers / validateInitContainers: `Duplicate value`).
    let mut names: BTreeMap<&str, ()> = BTreeMap::new();
    // A preStop sleep must fit in the pod's grace period (after defaulting).
    let grace = s
        .termination_grace_period_seconds
        .unwrap_or(defaults::DEFAULT_TERMINATION_GRACE_PERIOD_S);
    let init_at = at.key("initContainers");
    let init_containers: Vec<Container> = init
        .iter()
        .enumerate()
        .map(|(i, c)| container(ctx, c, &init_at.idx(i), true, grace, &mut names))
        .collect();
    let app_at = at.key("containers");
    let containers: Vec<Container> = s
        .containers
        .iter()
        .enumerate()
        .map(|(i, c)| container(ctx, c, &app_at.idx(i), false, grace, &mut names))
        .collect();
    let restart_policy = match s.restart_policy.as_deref() {
        None | Some("") => RestartPolicy::Always,
        Some(p) => match ctx.one_of(p, RESTART_POLICIES, &at.key("restartPolicy")) {
            Some("OnFailure") => RestartPolicy::OnFailure,
            Some("Never") => RestartPolicy::Never,
            _ => RestartPolicy::Always,
        },
    };
    if let Some(p) = s.dns_policy.as_deref().filter(|p| !p.is_empty()) {
        ctx.one_of(p, DNS_POLICIES, &at.key("dnsPolicy"));
    }
    if let Some(p) = s.preemption_policy.as_deref().filter(|p| !p.is_empty()) {
        ctx.one_of(p, PREEMPTION_POLICIES, &at.key("preemptionPolicy"));
    }
    if let Some(t) = s.termination_grace_period_seconds {
        if t < 0 {
            ctx.err(
                &at.key("terminationGracePeriodSeconds"),
                format!("Invalid value: {t}: must be greater than or equal to 0"),
            );
        }
    }
    if let Some(n) = s.node_name.as_deref().filter(|n| !n.is_empty()) {
        ctx.dns_subdomain(n, &at.key("nodeName"));
    }
    let node_selector = s.node_selector.clone().unwrap_or_default();
    ctx.labels(&node_selector, &at.key("nodeSelector"));
    let tol_at = at.key("tolerations");
    let tolerations = s
        .tolerations
        .iter()
        .flatten()
        .enumerate()
        .filter_map(|(i, t)| toleration(ctx, t, &tol_at.idx(i)))
        .collect();
    let aff_at = at.key("affinity");
    let node_affinity = s.affinity.as_ref().and_then(|a| {
        label_selector_operators_in_pod_affinity(ctx, a, &aff_at);
        a.node_affinity
            .as_ref()
            .map(|na| node_affinity(ctx, na, &aff_at.key("nodeAffinity")))
    });
    let tsc_at = at.key("topologySpreadConstraints");
    for (i, c) in s.topology_spread_constraints.iter().flatten().enumerate() {
        let cat = tsc_at.idx(i);
        ctx.one_of(
            &c.when_unsatisfiable,
            WHEN_UNSATISFIABLE,
            &cat.key("whenUnsatisfiable"),
        );
        if let Some(sel) = &c.label_selector {
            super::workloads::label_selector(ctx, sel, &cat.key("labelSelector"));
        }
    }
    let priority = PriorityRequest {
        class_name: s.priority_class_name.clone().unwrap_or_default(),
        priority: s.priority,
    };
    Some((
        PodSpec {
            containers,
            init_containers,
            restart_policy,
            node_name: s.node_name.clone().filter(|n| !n.is_empty()),
            node_selector,
            node_affinity,
            tolerations,
            priority: 0,
            priority_class_name: String::new(),
            termination_grace_period_s: s
                .termination_grace_period_seconds
                .unwrap_or(defaults::DEFAULT_TERMINATION_GRACE_PERIOD_S),
        },
        priority,
    ))
}

fn container<'c>(
    ctx: &mut Ctx<'_, '_>,
    c: &'c k8s::Container,
    at: &At<'_>,
    is_init: bool,
    grace: i64,
    names: &mut BTreeMap<&'c str, ()>,
) -> Container {
    let name_at = at.key("name");
    if c.name.is_empty() {
        ctx.err(&name_at, "Required value");
    } else if ctx.dns_label(&c.name, &name_at) && names.insert(&c.name, ()).is_some() {
        ctx.err(&name_at, format!("Duplicate value: {:?}", c.name));
    }
    let image = c.image.clone().unwrap_or_default();
    if image.trim().is_empty() {
        ctx.err(&at.key("image"), "Required value");
    }
    // Empty: defaulted from the image's tag (by the core's defaulting).
    let image_pull_policy = match c.image_pull_policy.as_deref().filter(|p| !p.is_empty()) {
        None => None,
        Some(p) => match ctx.one_of(p, PULL_POLICIES, &at.key("imagePullPolicy")) {
            Some("Always") => Some(PullPolicy::Always),
            Some("IfNotPresent") => Some(PullPolicy::IfNotPresent),
            Some("Never") => Some(PullPolicy::Never),
            _ => None,
        },
    };
    if let Some(p) = c
        .termination_message_policy
        .as_deref()
        .filter(|p| !p.is_empty())
    {
        ctx.one_of(
            p,
            TERMINATION_MESSAGE_POLICIES,
            &at.key("terminationMessagePolicy"),
        );
    }
    let ports_at = at.key("ports");
    for (i, p) in c.ports.iter().flatten().enumerate() {
        let pat = ports_at.idx(i);
        if !(1..=65535).contains(&p.container_port) {
            ctx.err(
                &pat.key("containerPort"),
                format!(
                    "Invalid value: {}: must be between 1 and 65535, inclusive",
                    p.container_port
                ),
            );
        }
        if let Some(proto) = p.protocol.as_deref().filter(|p| !p.is_empty()) {
            ctx.one_of(proto, PROTOCOLS, &pat.key("protocol"));
        }
    }
    let rp_at = at.key("resizePolicy");
    for (i, p) in c.resize_policy.iter().flatten().enumerate() {
        ctx.one_of(
            &p.restart_policy,
            RESIZE_RESTART_POLICIES,
            &rp_at.idx(i).key("restartPolicy"),
        );
    }
    let resources = resources(ctx, c.resources.as_ref(), &at.key("resources"));
    let restart_at = at.key("restartPolicy");
    let restart_policy = match c.restart_policy.as_deref() {
        None => None,
        Some(p) if is_init => {
            // Only `Always` (a sidecar) for init containers
            // (validateInitContainers).
            ctx.one_of(p, &["Always"], &restart_at);
            Some(RestartPolicy::Always)
        }
        Some(p) => {
            ctx.err(
                &restart_at,
                format!("Forbidden: may not be set for non-init containers (restartPolicy {p:?}: the ContainerRestartRules feature is alpha, off by default)"),
            );
            None
        }
    };
    // Probes and lifecycle hooks: for app containers and sidecars;
    // forbidden on regular init containers (validateInitContainers).
    let sidecar = is_init && c.restart_policy.as_deref() == Some("Always");
    let checked = |ctx: &mut Ctx<'_, '_>, p: &Option<k8s::Probe>, role: ProbeRole| {
        let p = p.as_ref()?;
        let pat = at.key(role.field());
        if is_init && !sidecar {
            ctx.err_key(
                &pat,
                "Forbidden: may not be set for init containers without restartPolicy=Always",
            );
            return None;
        }
        Some(probe(ctx, p, role, &pat))
    };
    let liveness_probe = checked(ctx, &c.liveness_probe, ProbeRole::Liveness);
    let readiness_probe = checked(ctx, &c.readiness_probe, ProbeRole::Readiness);
    let startup_probe = checked(ctx, &c.startup_probe, ProbeRole::Startup);
    let pre_stop = c.lifecycle.as_ref().and_then(|l| {
        let lat = at.key("lifecycle");
        if is_init && !sidecar {
            ctx.err_key(
                &lat,
                "Forbidden: may not be set for init containers without restartPolicy=Always",
            );
            return None;
        }
        lifecycle(ctx, l, grace, &lat)
    });
    Container {
        name: c.name.clone(),
        image,
        resources,
        restart_policy,
        startup_probe,
        liveness_probe,
        readiness_probe,
        pre_stop,
        image_pull_policy,
    }
}

/// Which probe: the rules differ a little.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ProbeRole {
    Liveness,
    Readiness,
    Startup,
}

impl ProbeRole {
    fn field(self) -> &'static str {
        match self {
            ProbeRole::Liveness => "livenessProbe",
            ProbeRole::Readiness => "readinessProbe",
            ProbeRole::Startup => "startupProbe",
        }
    }
}

/// `validateProbe` (and `validateLivenessProbe`, `validateReadinessProbe`,
/// `validateStartupProbe`) after `SetDefaults_Probe`: a zero or unset
/// period, timeout or threshold takes its default; negative values are
/// errors. The handler only has to be valid: what a probe sees comes from
/// the image.
fn probe(ctx: &mut Ctx<'_, '_>, p: &k8s::Probe, role: ProbeRole, at: &At<'_>) -> Probe {
    handler(
        ctx,
        Handlers {
            exec: p.exec.as_ref(),
            http_get: p.http_get.as_ref(),
            tcp_socket: p.tcp_socket.as_ref(),
            grpc: p.grpc.as_ref(),
            sleep: None,
        },
        None,
        at,
    );
    let d = Probe::default();
    let mut field = |v: Option<i32>, key: &str, default: i32| -> i32 {
        match v {
            Some(n) if n < 0 => {
                ctx.err(
                    &at.key(key),
                    format!("Invalid value: {n}: must be greater than or equal to 0"),
                );
                default
            }
            Some(0) | None => default,
            Some(n) => n,
        }
    };
    let out = Probe {
        initial_delay_s: field(p.initial_delay_seconds, "initialDelaySeconds", 0),
        timeout_s: field(p.timeout_seconds, "timeoutSeconds", d.timeout_s),
        period_s: field(p.period_seconds, "periodSeconds", d.period_s),
        success_threshold: field(p.success_threshold, "successThreshold", d.success_threshold),
        failure_threshold: field(p.failure_threshold, "failureThreshold", d.failure_threshold),
    };
    if let Some(g) = p.termination_grace_period_seconds {
        let gat = at.key("terminationGracePeriodSeconds");
        if g <= 0 {
            ctx.err(&gat, format!("Invalid value: {g}: must be greater than 0"));
        }
        if role == ProbeRole::Readiness {
            ctx.err(
                &gat,
                format!("Invalid value: {g}: must not be set for readinessProbes"),
            );
        }
    }
    if role != ProbeRole::Readiness && out.success_threshold != 1 {
        ctx.err(
            &at.key("successThreshold"),
            format!("Invalid value: {}: must be 1", out.success_threshold),
        );
    }
    out
}

/// The handlers of a probe or a lifecycle hook (`commonHandler`).
struct Handlers<'h> {
    exec: Option<&'h k8s::ExecAction>,
    http_get: Option<&'h k8s::HTTPGetAction>,
    tcp_socket: Option<&'h k8s::TCPSocketAction>,
    grpc: Option<&'h k8s::GRPCAction>,
    sleep: Option<&'h k8s::SleepAction>,
}

/// `validateHandler`: exactly one handler, each valid. Returns the first
/// one's field name.
fn handler(
    ctx: &mut Ctx<'_, '_>,
    h: Handlers<'_>,
    grace: Option<i64>,
    at: &At<'_>,
) -> Option<&'static str> {
    let mut first: Option<&'static str> = None;
    let mut one = |ctx: &mut Ctx<'_, '_>, name: &'static str| -> bool {
        if first.is_some() {
            ctx.err_key(
                &at.key(name),
                "Forbidden: may not specify more than 1 handler type",
            );
            false
        } else {
            first = Some(name);
            true
        }
    };
    if let Some(e) = h.exec {
        if one(ctx, "exec") && e.command.as_ref().is_none_or(|c| c.is_empty()) {
            ctx.err(&at.key("exec").key("command"), "Required value");
        }
    }
    if let Some(g) = h.http_get {
        if one(ctx, "httpGet") {
            let gat = at.key("httpGet");
            port(ctx, &g.port, &gat.key("port"));
            if let Some(scheme) = g.scheme.as_deref().filter(|s| !s.is_empty()) {
                ctx.one_of(scheme, URI_SCHEMES, &gat.key("scheme"));
            }
        }
    }
    if let Some(t) = h.tcp_socket {
        if one(ctx, "tcpSocket") {
            port(ctx, &t.port, &at.key("tcpSocket").key("port"));
        }
    }
    if let Some(g) = h.grpc {
        if one(ctx, "grpc") {
            port(ctx, &IntOrString::Int(g.port), &at.key("grpc").key("port"));
        }
    }
    if let Some(s) = h.sleep {
        // validateSleepAction, with PodLifecycleSleepActionAllowZero (GA).
        if one(ctx, "sleep") {
            if let Some(g) = grace.filter(|g| s.seconds < 0 || s.seconds > *g) {
                ctx.err(
                    &at.key("sleep"),
                    format!(
                        "Invalid value: {}: must be non-negative and less than terminationGracePeriodSeconds ({g})",
                        s.seconds
                    ),
                );
            }
        }
    }
    if first.is_none() {
        ctx.err(at, "Required value: must specify a handler type");
    }
    first
}

/// `v1.URIScheme` values.
const URI_SCHEMES: &[&str] = &["HTTP", "HTTPS"];

/// `ValidatePortNumOrName`: a number 1–65535 or an IANA service name
/// (`IsValidPortName`).
fn port(ctx: &mut Ctx<'_, '_>, p: &IntOrString, at: &At<'_>) {
    match p {
        IntOrString::Int(n) => {
            if !(1..=65535).contains(n) {
                ctx.err(
                    at,
                    format!("Invalid value: {n}: must be between 1 and 65535, inclusive"),
                );
            }
        }
        IntOrString::String(name) => {
            for m in port_name_errors(name) {
                ctx.err(at, format!("Invalid value: {name:?}: {m}"));
            }
        }
    }
}

/// `IsValidPortName` (k8s.io/apimachinery/pkg/util/validation).
fn port_name_errors(port: &str) -> Vec<&'static str> {
    let mut errs = Vec::new();
    if port.len() > 15 {
        errs.push("must be no more than 15 characters");
    }
    let b = port.as_bytes();
    if b.is_empty()
        || !b
            .iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
    {
        errs.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
    }
    if !b.iter().any(u8::is_ascii_lowercase) {
        errs.push("must contain at least one letter (a-z)");
    }
    if port.contains("--") {
        errs.push("must not contain consecutive hyphens");
    }
    if b.first() == Some(&b'-') || b.last() == Some(&b'-') {
        errs.push("must not begin or end with a hyphen");
    }
    errs
}

/// `validateLifecycle`: both hooks' handlers; `preStop` → the model's
/// hook (`sleep` takes its seconds; `exec`, `httpGet` and `tcpSocket`
/// take the image's `preStopTime`).
fn lifecycle(
    ctx: &mut Ctx<'_, '_>,
    l: &k8s::Lifecycle,
    grace: i64,
    at: &At<'_>,
) -> Option<PreStopHook> {
    fn hooks(h: &k8s::LifecycleHandler) -> Handlers<'_> {
        Handlers {
            exec: h.exec.as_ref(),
            http_get: h.http_get.as_ref(),
            tcp_socket: h.tcp_socket.as_ref(),
            grpc: None,
            sleep: h.sleep.as_ref(),
        }
    }
    if let Some(h) = &l.post_start {
        handler(ctx, hooks(h), Some(grace), &at.key("postStart"));
    }
    let h = l.pre_stop.as_ref()?;
    match handler(ctx, hooks(h), Some(grace), &at.key("preStop"))? {
        "sleep" => {
            let s = h.sleep.as_ref().map_or(0, |s| s.seconds.max(0));
            Some(PreStopHook::Sleep(SimTime::from_secs(
                u64::try_from(s).unwrap_or(0),
            )))
        }
        _ => Some(PreStopHook::Handler),
    }
}

/// A resource name a container may request (`validateContainerResourceName`).
fn container_resource_ok(name: &str) -> bool {
    matches!(name, "cpu" | "memory" | "ephemeral-storage")
        || name.starts_with("hugepages-")
        || (name.contains('/') && super::qualified_name(name).is_ok())
}

/// `IsOvercommitAllowed`: native resources other than hugepages.
fn overcommit_allowed(name: &str) -> bool {
    !name.contains('/') && !name.starts_with("hugepages-")
        || name.starts_with("kubernetes.io/") && !name.starts_with("kubernetes.io/hugepages")
}

/// `ValidateResourceRequirements` → the model's requirements.
fn resources(
    ctx: &mut Ctx<'_, '_>,
    r: Option<&k8s::ResourceRequirements>,
    at: &At<'_>,
) -> ResourceRequirements {
    let empty = BTreeMap::new();
    let requests = r.and_then(|r| r.requests.as_ref()).unwrap_or(&empty);
    let limits = r.and_then(|r| r.limits.as_ref()).unwrap_or(&empty);
    let req_at = at.key("requests");
    let lim_at = at.key("limits");
    let mut out = ResourceRequirements::default();
    let read = |ctx: &mut Ctx<'_, '_>,
                map: &BTreeMap<String, k8s_openapi::apimachinery::pkg::api::resource::Quantity>,
                mat: &At<'_>|
     -> BTreeMap<String, i64> {
        let mut values = BTreeMap::new();
        for (k, q) in map {
            let kat = mat.key(k);
            if !container_resource_ok(k) {
                ctx.err_key(
                    &kat,
                    format!("Invalid value: {k:?}: must be a standard resource for containers"),
                );
                continue;
            }
            if let Some(v) = ctx.quantity(k, &q.0, &kat) {
                // Extended resources count whole devices
                // (validateResourceQuantityValue: "must be an integer").
                if k.contains('/') && !k.starts_with("kubernetes.io/") {
                    if let Ok(qq) = kubesim_core::Quantity::parse(q.0.trim()) {
                        if qq.milli_value() % 1000 != 0 {
                            ctx.err(
                                &kat,
                                format!("Invalid value: {:?}: must be an integer", q.0),
                            );
                        }
                    }
                }
                values.insert(k.clone(), v);
            }
        }
        values
    };
    let req = read(ctx, requests, &req_at);
    let lim = read(ctx, limits, &lim_at);
    for (k, r) in &req {
        let kat = req_at.key(k);
        match lim.get(k) {
            Some(l) if r != l && !overcommit_allowed(k) => ctx.err(
                &kat,
                format!(
                    "Invalid value: {:?}: must be equal to {k} limit of {}",
                    requests[k].0, limits[k].0
                ),
            ),
            Some(l) if r > l => ctx.err(
                &kat,
                format!(
                    "Invalid value: {:?}: must be less than or equal to {k} limit of {}",
                    requests[k].0, limits[k].0
                ),
            ),
            None if !overcommit_allowed(k) => ctx.err(
                &lim_at.key(k),
                "Required value: Limit must be set for non overcommitable resources",
            ),
            _ => {}
        }
    }
    out.cpu_request_m = req.get("cpu").map(|&v| MilliCpu(v));
    out.cpu_limit_m = lim.get("cpu").map(|&v| MilliCpu(v));
    out.memory_request_bytes = req.get("memory").map(|&v| Bytes(v));
    out.memory_limit_bytes = lim.get("memory").map(|&v| Bytes(v));
    let extended = |m: &BTreeMap<String, i64>| -> Vec<(String, i64)> {
        m.iter()
            .filter(|(k, _)| k.contains('/'))
            .map(|(k, v)| (k.clone(), *v))
            .collect()
    };
    out.extended_requests = extended(&req);
    out.extended_limits = extended(&lim);
    out
}

/// `ValidateTolerations` → the model's toleration.
fn toleration(ctx: &mut Ctx<'_, '_>, t: &k8s::Toleration, at: &At<'_>) -> Option<Toleration> {
    let key = t.key.clone().unwrap_or_default();
    let value = t.value.clone().unwrap_or_default();
    if !key.is_empty() {
        if let Err(m) = super::qualified_name(&key) {
            ctx.err(&at.key("key"), format!("Invalid value: {key:?}: {m}"));
        }
    }
    let operator = match t.operator.as_deref() {
        None | Some("") => TolerationOperator::Equal,
        Some(op) => match ctx.one_of(op, TOLERATION_OPERATORS, &at.key("operator"))? {
            "Exists" => TolerationOperator::Exists,
            _ => TolerationOperator::Equal,
        },
    };
    if key.is_empty() && operator != TolerationOperator::Exists {
        ctx.err(
            &at.key("operator"),
            format!("Invalid value: {:?}: operator must be Exists when `key` is empty, which means \"match all values and all keys\"", t.operator.as_deref().unwrap_or("")),
        );
    }
    if operator == TolerationOperator::Exists && !value.is_empty() {
        ctx.err(
            &at.key("value"),
            format!("Invalid value: {value:?}: value must be empty when `operator` is 'Exists'"),
        );
    } else if operator == TolerationOperator::Equal {
        if let Err(m) = super::label_value(&value) {
            ctx.err(&at.key("value"), format!("Invalid value: {value:?}: {m}"));
        }
    }
    let effect = match t.effect.as_deref() {
        None | Some("") => None,
        Some(e) => {
            let e = ctx.one_of(e, TAINT_EFFECTS, &at.key("effect"))?;
            TaintEffect::parse(e)
        }
    };
    if t.toleration_seconds.is_some() && effect != Some(TaintEffect::NoExecute) {
        ctx.err(
            &at.key("effect"),
            format!(
                "Invalid value: {:?}: effect must be 'NoExecute' when `tolerationSeconds` is set",
                t.effect.as_deref().unwrap_or("")
            ),
        );
    }
    Some(Toleration {
        key,
        operator,
        value,
        effect,
        toleration_seconds: t.toleration_seconds,
    })
}

fn node_affinity(ctx: &mut Ctx<'_, '_>, na: &k8s::NodeAffinity, at: &At<'_>) -> NodeAffinity {
    let req_at = at.key("requiredDuringSchedulingIgnoredDuringExecution");
    let terms_at = req_at.key("nodeSelectorTerms");
    let required = na
        .required_during_scheduling_ignored_during_execution
        .as_ref()
        .map(|r| {
            if r.node_selector_terms.is_empty() {
                ctx.err(
                    &terms_at,
                    "Required value: must have at least one node selector term",
                );
            }
            r.node_selector_terms
                .iter()
                .enumerate()
                .map(|(i, t)| term(ctx, t, &terms_at.idx(i)))
                .collect()
        });
    let pref_at = at.key("preferredDuringSchedulingIgnoredDuringExecution");
    let preferred = na
        .preferred_during_scheduling_ignored_during_execution
        .iter()
        .flatten()
        .enumerate()
        .map(|(i, p)| {
            let pat = pref_at.idx(i);
            if !(1..=100).contains(&p.weight) {
                ctx.err(
                    &pat.key("weight"),
                    format!("Invalid value: {}: must be in the range 1-100", p.weight),
                );
            }
            PreferredSchedulingTerm {
                weight: p.weight,
                preference: term(ctx, &p.preference, &pat.key("preference")),
            }
        })
        .collect();
    NodeAffinity {
        required,
        preferred,
    }
}

fn term(ctx: &mut Ctx<'_, '_>, t: &k8s::NodeSelectorTerm, at: &At<'_>) -> NodeSelectorTerm {
    let mut reqs = |list: &Option<Vec<k8s::NodeSelectorRequirement>>, field: &str, fields: bool| {
        let fat = at.key(field);
        list.iter()
            .flatten()
            .enumerate()
            .filter_map(|(i, r)| requirement(ctx, r, &fat.idx(i), fields))
            .collect::<Vec<_>>()
    };
    NodeSelectorTerm {
        match_expressions: reqs(&t.match_expressions, "matchExpressions", false),
        match_fields: reqs(&t.match_fields, "matchFields", true),
    }
}

/// `ValidateNodeSelectorRequirement` / `ValidateNodeFieldSelectorRequirement`.
fn requirement(
    ctx: &mut Ctx<'_, '_>,
    r: &k8s::NodeSelectorRequirement,
    at: &At<'_>,
    fields: bool,
) -> Option<NodeSelectorRequirement> {
    let op_text = ctx.one_of(&r.operator, NODE_SELECTOR_OPERATORS, &at.key("operator"))?;
    let op = NodeSelectorOperator::parse(op_text)?;
    let values = r.values.clone().unwrap_or_default();
    let vat = at.key("values");
    let n = values.len();
    match op {
        NodeSelectorOperator::In | NodeSelectorOperator::NotIn if n == 0 => ctx.err(
            &vat,
            "Required value: must be specified when `operator` is 'In' or 'NotIn'",
        ),
        NodeSelectorOperator::Exists | NodeSelectorOperator::DoesNotExist if n > 0 => ctx.err(
            &vat,
            "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
        ),
        NodeSelectorOperator::Gt | NodeSelectorOperator::Lt if n != 1 => ctx.err(
            &vat,
            "Required value: must be specified single value when `operator` is 'Lt' or 'Gt'",
        ),
        NodeSelectorOperator::Gt | NodeSelectorOperator::Lt
            if values[0].parse::<i64>().is_err() =>
        {
            ctx.err(
                &vat.idx(0),
                format!("Invalid value: {:?}: must be an integer", values[0]),
            )
        }
        _ => {}
    }
    if fields {
        // Only metadata.name, with In/NotIn and one value.
        if r.key != "metadata.name" {
            ctx.err(
                &at.key("key"),
                format!("Invalid value: {:?}: not a valid field selector key", r.key),
            );
        } else if !matches!(op, NodeSelectorOperator::In | NodeSelectorOperator::NotIn) || n != 1 {
            ctx.err(&vat, "Required value: must be only one value when `operator` is 'In' or 'NotIn' for node field selector");
        }
    } else if let Err(m) = super::qualified_name(&r.key) {
        ctx.err(&at.key("key"), format!("Invalid value: {:?}: {m}", r.key));
    }
    Some(NodeSelectorRequirement {
        key: r.key.clone(),
        operator: op,
        values,
    })
}

/// Pod (anti-)affinity is not modelled, but its label selectors and
/// weights are validated like everywhere else.
fn label_selector_operators_in_pod_affinity(ctx: &mut Ctx<'_, '_>, a: &k8s::Affinity, at: &At<'_>) {
    let term = |ctx: &mut Ctx<'_, '_>, t: &k8s::PodAffinityTerm, tat: &At<'_>| {
        if let Some(sel) = &t.label_selector {
            super::workloads::label_selector(ctx, sel, &tat.key("labelSelector"));
        }
    };
    let parts = [
        (
            "podAffinity",
            a.pod_affinity.as_ref().map(|p| {
                (
                    &p.required_during_scheduling_ignored_during_execution,
                    &p.preferred_during_scheduling_ignored_during_execution,
                )
            }),
        ),
        (
            "podAntiAffinity",
            a.pod_anti_affinity.as_ref().map(|p| {
                (
                    &p.required_during_scheduling_ignored_during_execution,
                    &p.preferred_during_scheduling_ignored_during_execution,
                )
            }),
        ),
    ];
    for (field, aff) in parts {
        let Some((required, preferred)) = aff else {
            continue;
        };
        let fat = at.key(field);
        let rat = fat.key("requiredDuringSchedulingIgnoredDuringExecution");
        for (i, t) in required.iter().flatten().enumerate() {
            term(ctx, t, &rat.idx(i));
        }
        let pat = fat.key("preferredDuringSchedulingIgnoredDuringExecution");
        for (i, w) in preferred.iter().flatten().enumerate() {
            let wat = pat.idx(i);
            if !(1..=100).contains(&w.weight) {
                ctx.err(
                    &wat.key("weight"),
                    format!("Invalid value: {}: must be in the range 1-100", w.weight),
                );
            }
            term(ctx, &w.pod_affinity_term, &wat.key("podAffinityTerm"));
        }
    }
}
