//! Checks a parsed scenario and turns it into the model's types.
//!
//! Every check that fails records a [`ScenarioError`] pointing at the
//! offending value; conversion goes on so that one run reports as many
//! problems as it can find.

use super::error::{did_you_mean, ScenarioError, Source};
use super::raw::{self, Text};
use kubesim_core::api::defaults;
use kubesim_core::{
    parse_duration, Bytes, CgroupConfig, CgroupVersion, Container, CpuProfile, CpuWeightConversion,
    Deployment, ImageBehavior, Interpolation, KubeletConfig, LabelSelector, Labels, MilliCpu, Node,
    NodeAffinity, NodeSelectorOperator, NodeSelectorRequirement, NodeSelectorTerm, ObjectMeta, Pod,
    PodSpec, PodTemplate, PreferredSchedulingTerm, Quantity, ResourceList, ResourceRequirements,
    RestartPolicy, RunLimits, SimTime, Taint, TaintEffect, Toleration, TolerationOperator,
    DEFAULT_PROFILE_RESOLUTION,
};
use kubesim_scheduler::plugins::{ResourceSpec, ScoringStrategy, UtilizationShapePoint};
use kubesim_scheduler::{Action, MetricsConfig, PluginWeights, SchedulerProfile, TimelineEntry};
use serde_saphyr::Spanned;

/// Default `sampleInterval`.
pub const DEFAULT_SAMPLE_INTERVAL: SimTime = SimTime::from_secs(10);

/// Collects errors while converting one file.
pub struct Ctx<'a> {
    pub src: &'a Source,
    pub errors: Vec<ScenarioError>,
}

impl<'a> Ctx<'a> {
    pub fn new(src: &'a Source) -> Self {
        Ctx {
            src,
            errors: Vec::new(),
        }
    }

    /// Records an error at a spanned value.
    pub fn err<T>(&mut self, at: &Spanned<T>, path: &str, message: impl Into<String>) {
        let loc = at.referenced;
        self.errors.push(
            self.src
                .error(loc.line() as usize, loc.column() as usize, path, message),
        );
    }

    pub fn err_help<T>(
        &mut self,
        at: &Spanned<T>,
        path: &str,
        message: impl Into<String>,
        help: Option<String>,
    ) {
        self.err(at, path, message);
        if let (Some(h), Some(e)) = (help, self.errors.last_mut()) {
            e.help = Some(h);
        }
    }

    pub fn duration(&mut self, t: &Text, path: &str) -> Option<SimTime> {
        match parse_duration(&t.value) {
            Ok(d) => Some(d),
            Err(e) => {
                self.err(t, path, e.to_string());
                None
            }
        }
    }

    fn quantity(&mut self, t: &Text, path: &str) -> Option<Quantity> {
        match Quantity::parse(t.value.trim()) {
            Ok(q) if q.sign() < 0 => {
                self.err(
                    t,
                    path,
                    format!("quantity {:?} must not be negative", t.value),
                );
                None
            }
            Ok(q) => Some(q),
            Err(e) => {
                self.err(
                    t,
                    path,
                    format!(
                        "invalid quantity {:?}: {e} (expected e.g. 100m, 1.5, 2, 512Mi, 1Gi, 10G)",
                        t.value
                    ),
                );
                None
            }
        }
    }

    /// A CPU quantity in millicores.
    pub fn cpu_m(&mut self, t: &Text, path: &str) -> Option<i64> {
        self.quantity(t, path).map(|q| q.milli_value())
    }
    /// A memory (or count) quantity in whole units.
    pub fn value(&mut self, t: &Text, path: &str) -> Option<i64> {
        self.quantity(t, path).map(|q| q.value())
    }
}

/// Resource names that may appear in requests, limits, capacity.
fn is_extended(name: &str) -> bool {
    name.contains('/')
}

const KNOWN_RESOURCES: &[&str] = &["cpu", "memory", "pods", "ephemeral-storage"];

/// Reads a `{cpu: .., memory: .., pods: .., vendor/x: ..}` map.
pub fn resource_list(
    ctx: &mut Ctx<'_>,
    map: &std::collections::BTreeMap<String, Text>,
    path: &str,
    allow_pods: bool,
) -> ResourceList {
    let mut r = ResourceList::default();
    for (k, v) in map {
        let p = format!("{path}.{k}");
        match k.as_str() {
            "cpu" => r.milli_cpu = ctx.cpu_m(v, &p).unwrap_or(0),
            "memory" => r.memory = ctx.value(v, &p).unwrap_or(0),
            "pods" if allow_pods => r.pods = ctx.value(v, &p).unwrap_or(0),
            // Accepted, not modelled.
            "ephemeral-storage" => {}
            k if k.starts_with("hugepages-") => {}
            k if is_extended(k) => {
                let n = ctx.value(v, &p).unwrap_or(0);
                r.set_scalar(k, n);
            }
            _ => {
                let hint = did_you_mean(k, KNOWN_RESOURCES.iter().copied());
                ctx.err_help(
                    v,
                    &p,
                    format!("unknown resource {k:?}: expected cpu, memory, pods or an extended resource such as nvidia.com/gpu"),
                    hint,
                );
            }
        }
    }
    r
}

/// `cluster.nodes` → nodes (a pool with `count: N` becomes NAME-1 … NAME-N).
pub fn nodes(ctx: &mut Ctx<'_>, pools: &[raw::NodePool]) -> Vec<Node> {
    let mut out = Vec::new();
    for (i, pool) in pools.iter().enumerate() {
        let path = format!("cluster.nodes[{i}]");
        let mut capacity = resource_list(ctx, &pool.capacity, &format!("{path}.capacity"), true);
        defaults::set_node_capacity_defaults(&mut capacity, pool.capacity.contains_key("pods"));
        for key in ["cpu", "memory"] {
            if !pool.capacity.contains_key(key) {
                ctx.err(
                    &pool.name,
                    &format!("{path}.capacity"),
                    format!("capacity.{key} is required"),
                );
            }
        }
        let reserved = resource_list(ctx, &pool.reserved, &format!("{path}.reserved"), false);
        check_name(ctx, &pool.name, &format!("{path}.name"));
        let count = pool.count.as_ref().map_or(1, |c| c.value);
        if count == 0 {
            if let Some(c) = &pool.count {
                ctx.err(c, &format!("{path}.count"), "count must be at least 1");
            }
        }
        let taints: Vec<Taint> = pool
            .taints
            .iter()
            .map(|t| Taint {
                key: t.key.clone(),
                value: t.value.clone(),
                effect: match t.effect {
                    raw::Effect::NoSchedule => TaintEffect::NoSchedule,
                    raw::Effect::PreferNoSchedule => TaintEffect::PreferNoSchedule,
                    raw::Effect::NoExecute => TaintEffect::NoExecute,
                },
            })
            .collect();
        for k in 1..=count {
            let name = if count > 1 {
                format!("{}-{k}", pool.name.value)
            } else {
                pool.name.value.clone()
            };
            let mut meta = ObjectMeta::named(name.clone());
            meta.namespace = String::new();
            meta.labels = pool.labels.clone();
            defaults::set_node_labels(&name, &mut meta.labels);
            let mut node = Node::new(meta, capacity.clone(), reserved.clone());
            node.taints = taints.clone();
            node.unschedulable = pool.unschedulable;
            out.push(node);
        }
    }
    let mut names: Vec<&str> = out.iter().map(|n| n.name()).collect();
    names.sort_unstable();
    if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
        if let Some(pool) = pools.first() {
            ctx.err(
                &pool.name,
                "cluster.nodes",
                format!("duplicate node name {:?}", w[0]),
            );
        }
    }
    out
}

/// `cluster.scheduler` → profile.
pub fn profile(ctx: &mut Ctx<'_>, s: Option<&raw::SchedulerSection>) -> SchedulerProfile {
    let mut p = SchedulerProfile::default();
    let Some(s) = s else { return p };
    if let Some(res) = &s.resources {
        p.resources = res
            .iter()
            .enumerate()
            .map(|(i, r)| {
                if !(1..=100).contains(&r.weight.value) {
                    ctx.err(
                        &r.weight,
                        &format!("cluster.scheduler.resources[{i}].weight"),
                        "weight must be in 1..=100",
                    );
                }
                ResourceSpec::new(&r.name, r.weight.value)
            })
            .collect();
    }
    p.scoring_strategy = match s.scoring_strategy {
        None | Some(raw::ScoringStrategyType::LeastAllocated) => ScoringStrategy::LeastAllocated,
        Some(raw::ScoringStrategyType::MostAllocated) => ScoringStrategy::MostAllocated,
        Some(raw::ScoringStrategyType::RequestedToCapacityRatio) => {
            let shape: Vec<UtilizationShapePoint> = s
                .shape
                .iter()
                .flatten()
                .enumerate()
                .map(|(i, pt)| {
                    let path = format!("cluster.scheduler.shape[{i}]");
                    if !(0..=100).contains(&pt.utilization.value) {
                        ctx.err(
                            &pt.utilization,
                            &format!("{path}.utilization"),
                            "utilization must be in 0..=100",
                        );
                    }
                    if !(0..=10).contains(&pt.score.value) {
                        ctx.err(
                            &pt.score,
                            &format!("{path}.score"),
                            "score must be in 0..=10",
                        );
                    }
                    UtilizationShapePoint {
                        utilization: pt.utilization.value,
                        score: pt.score.value,
                    }
                })
                .collect();
            if shape.is_empty() {
                // Upstream's default shape: bin packing (score rises with utilization).
                ScoringStrategy::RequestedToCapacityRatio {
                    shape: vec![
                        UtilizationShapePoint {
                            utilization: 0,
                            score: 0,
                        },
                        UtilizationShapePoint {
                            utilization: 100,
                            score: 10,
                        },
                    ],
                }
            } else {
                ScoringStrategy::RequestedToCapacityRatio { shape }
            }
        }
    };
    if let Some(w) = &s.weights {
        let d = PluginWeights::default();
        p.weights = PluginWeights {
            taint_toleration: w.taint_toleration.unwrap_or(d.taint_toleration),
            node_affinity: w.node_affinity.unwrap_or(d.node_affinity),
            node_resources_fit: w.node_resources_fit.unwrap_or(d.node_resources_fit),
            node_resources_balanced_allocation: w
                .node_resources_balanced_allocation
                .unwrap_or(d.node_resources_balanced_allocation),
        };
    }
    if let Some(pct) = &s.percentage_of_nodes_to_score {
        if !(0..=100).contains(&pct.value) {
            ctx.err(
                pct,
                "cluster.scheduler.percentageOfNodesToScore",
                "must be in 0..=100",
            );
        }
        p.percentage_of_nodes_to_score = Some(pct.value);
    }
    p
}

pub fn cluster_config(c: Option<&raw::CgroupSection>) -> KubeletConfig {
    let mut cfg = CgroupConfig::default();
    if let Some(c) = c {
        if let Some(v) = c.version {
            cfg.version = match v {
                raw::CgroupVersionText::V1 => CgroupVersion::V1,
                raw::CgroupVersionText::V2 => CgroupVersion::V2,
            };
        }
        if let Some(w) = c.weight_conversion {
            cfg.weight_conversion = match w {
                raw::WeightConversionText::Linear => CpuWeightConversion::Linear,
                raw::WeightConversionText::Quadratic => CpuWeightConversion::Quadratic,
            };
        }
    }
    KubeletConfig {
        cgroup: cfg,
        ..Default::default()
    }
}

/// `images` → behaviours.
pub fn images(
    ctx: &mut Ctx<'_>,
    images: &std::collections::BTreeMap<String, raw::ImageSection>,
) -> Vec<(String, ImageBehavior)> {
    images
        .iter()
        .map(|(name, img)| {
            let path = format!("images.{name}");
            let mut b = ImageBehavior::default();
            if let Some(s) = &img.startup {
                b.startup = ctx
                    .duration(s, &format!("{path}.startup"))
                    .unwrap_or_default();
            }
            if let Some(m) = &img.memory {
                b.memory = kubesim_core::MemoryProfile::constant(
                    ctx.value(m, &format!("{path}.memory")).unwrap_or(0),
                );
            }
            if let Some(w) = &img.cpu_seconds {
                if !(w.value.is_finite() && w.value > 0.0) {
                    ctx.err(
                        w,
                        &format!("{path}.cpuSeconds"),
                        "cpuSeconds must be a positive number of CPU-seconds",
                    );
                } else {
                    b.cpu_seconds = Some(w.value);
                }
            }
            if let Some(cpu) = &img.cpu {
                b.cpu = cpu_profile(ctx, cpu, &format!("{path}.cpu"));
            }
            if let (Some(w), true) = (&img.cpu_seconds, b.cpu.points.iter().all(|(_, c)| *c <= 0.0)) {
                ctx.err(
                    w,
                    &format!("{path}.cpuSeconds"),
                    "finite work needs CPU: set a cpu demand above 0, or the container never finishes",
                );
            }
            (name.clone(), b)
        })
        .collect()
}

fn cores(ctx: &mut Ctx<'_>, t: &Text, path: &str) -> f64 {
    ctx.cpu_m(t, path).map_or(0.0, |m| m as f64 / 1000.0)
}

fn cpu_profile(ctx: &mut Ctx<'_>, cpu: &Spanned<raw::CpuSection>, path: &str) -> CpuProfile {
    let p = match &cpu.value {
        raw::CpuSection::Constant(text) => {
            let t = Spanned {
                value: text.clone(),
                referenced: cpu.referenced,
                defined: cpu.defined,
            };
            return CpuProfile::constant(cores(ctx, &t, path));
        }
        raw::CpuSection::Profile(p) => p,
    };
    let mut points = Vec::with_capacity(p.points.len());
    for (i, pt) in p.points.iter().enumerate() {
        let pp = format!("{path}.points[{i}]");
        let at = ctx
            .duration(&pt.at, &format!("{pp}.at"))
            .unwrap_or_default();
        if i == 0 && at != SimTime::ZERO {
            ctx.err(
                &pt.at,
                &format!("{pp}.at"),
                "the first point must be at 0s (container start)",
            );
        }
        if let Some((prev, _)) = points.last() {
            if at <= *prev {
                ctx.err(
                    &pt.at,
                    &format!("{pp}.at"),
                    "points must be in strictly increasing time order",
                );
            }
        }
        points.push((at, cores(ctx, &pt.cores, &format!("{pp}.cores"))));
    }
    if points.is_empty() {
        points.push((SimTime::ZERO, 0.0));
    }
    let period = p
        .period
        .as_ref()
        .and_then(|t| ctx.duration(t, &format!("{path}.period")));
    if let (Some(per), Some(t)) = (period, &p.period) {
        if points.last().is_some_and(|(at, _)| *at >= per) {
            ctx.err(
                t,
                &format!("{path}.period"),
                "period must be longer than the last point's time",
            );
        }
    }
    let resolution = match &p.resolution {
        Some(t) => match ctx.duration(t, &format!("{path}.resolution")) {
            Some(r) if r > SimTime::ZERO => r,
            Some(_) => {
                ctx.err(
                    t,
                    &format!("{path}.resolution"),
                    "resolution must be positive",
                );
                DEFAULT_PROFILE_RESOLUTION
            }
            None => DEFAULT_PROFILE_RESOLUTION,
        },
        None => DEFAULT_PROFILE_RESOLUTION,
    };
    CpuProfile {
        points,
        interpolation: match p.interpolation {
            Some(raw::InterpolationText::Linear) => Interpolation::Linear,
            _ => Interpolation::Step,
        },
        period,
        resolution,
    }
}

/// Kinds that real application manifests carry but that do not change what
/// this release simulates: accepted and skipped.
pub const IGNORED_KINDS: &[&str] = &[
    "ConfigMap",
    "Secret",
    "Service",
    "ServiceAccount",
    "Ingress",
    "NetworkPolicy",
    "PodDisruptionBudget",
    "HorizontalPodAutoscaler",
    "Namespace",
    "Role",
    "RoleBinding",
    "PersistentVolumeClaim",
];

/// A workload converted from a manifest.
pub enum Workload {
    Pod(Pod),
    Deployment(Deployment),
}

/// One manifest → a Pod or a Deployment.
pub fn manifest(ctx: &mut Ctx<'_>, m: &raw::Manifest, path: &str) -> Option<Workload> {
    let kind = m.kind.value.as_str();
    let api = m.api_version.value.as_str();
    let expected_api = match kind {
        "Pod" => "v1",
        "Deployment" => "apps/v1",
        k if IGNORED_KINDS.contains(&k) => return None,
        _ => {
            let hint = did_you_mean(kind, ["Pod", "Deployment"]);
            ctx.err_help(
                &m.kind,
                &format!("{path}.kind"),
                format!("unsupported kind {kind:?}: this release models Pod and Deployment"),
                hint,
            );
            return None;
        }
    };
    if api != expected_api {
        ctx.err(
            &m.api_version,
            &format!("{path}.apiVersion"),
            format!("kind {kind} has apiVersion {expected_api}, not {api:?}"),
        );
    }
    let Some(name) = &m.metadata.name else {
        ctx.err(
            &m.kind,
            &format!("{path}.metadata.name"),
            "metadata.name is required",
        );
        return None;
    };
    check_name(ctx, name, &format!("{path}.metadata.name"));
    let meta = object_meta(&m.metadata, &name.value);
    let empty = raw::WorkloadSpec::default();
    let spec = m.spec.as_ref().unwrap_or(&empty);
    match kind {
        "Pod" => {
            let pod_spec = pod_spec(ctx, spec, &format!("{path}.spec"), &m.kind)?;
            Some(Workload::Pod(Pod {
                metadata: meta,
                spec: pod_spec,
                status: Default::default(),
            }))
        }
        _ => deployment(ctx, meta, spec, path, &m.kind).map(Workload::Deployment),
    }
}

pub fn check_name(ctx: &mut Ctx<'_>, name: &Text, path: &str) {
    let n = &name.value;
    let ok = !n.is_empty()
        && n.len() <= 253
        && n.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && n.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
        && n.bytes().last().is_some_and(|b| b.is_ascii_alphanumeric());
    if !ok {
        ctx.err(
            name,
            path,
            format!("invalid name {n:?}: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"),
        );
    }
}

fn object_meta(m: &raw::MetadataSection, name: &str) -> ObjectMeta {
    let mut meta = ObjectMeta::named(name);
    if let Some(ns) = &m.namespace {
        meta.namespace = ns.clone();
    }
    meta.labels = m.labels.clone();
    meta.annotations = m.annotations.clone();
    meta
}

fn deployment(
    ctx: &mut Ctx<'_>,
    meta: ObjectMeta,
    spec: &raw::WorkloadSpec,
    path: &str,
    at: &Text,
) -> Option<Deployment> {
    let replicas = match &spec.replicas {
        Some(r) if r.value < 0 => {
            ctx.err(
                r,
                &format!("{path}.spec.replicas"),
                "replicas must not be negative",
            );
            0
        }
        Some(r) => r.value,
        None => defaults::DEFAULT_REPLICAS,
    };
    let Some(template) = &spec.template else {
        ctx.err(
            at,
            &format!("{path}.spec.template"),
            "a Deployment needs spec.template",
        );
        return None;
    };
    let selector = spec
        .selector
        .as_ref()
        .map(|s| s.match_labels.clone())
        .unwrap_or_default();
    if selector.is_empty() {
        ctx.err(
            at,
            &format!("{path}.spec.selector"),
            "a Deployment needs spec.selector.matchLabels",
        );
    }
    let labels: Labels = template.metadata.labels.clone();
    if selector.iter().any(|(k, v)| labels.get(k) != Some(v)) {
        ctx.err(
            at,
            &format!("{path}.spec.template.metadata.labels"),
            "`selector` does not match template `labels`",
        );
    }
    let default_spec;
    let tspec = match &template.spec {
        Some(s) => s,
        None => {
            default_spec = raw::WorkloadSpec::default();
            &default_spec
        }
    };
    let pod_spec = pod_spec(ctx, tspec, &format!("{path}.spec.template.spec"), at)?;
    if pod_spec.restart_policy != RestartPolicy::Always {
        ctx.err(
            at,
            &format!("{path}.spec.template.spec.restartPolicy"),
            "a Deployment's pods must have restartPolicy Always",
        );
    }
    Some(Deployment {
        metadata: meta,
        replicas,
        selector: LabelSelector::from_labels(selector),
        template: PodTemplate {
            labels,
            annotations: template.metadata.annotations.clone(),
            spec: pod_spec,
        },
    })
}

fn restart_policy(ctx: &mut Ctx<'_>, t: &Text, path: &str) -> Option<RestartPolicy> {
    match t.value.as_str() {
        "Always" => Some(RestartPolicy::Always),
        "OnFailure" => Some(RestartPolicy::OnFailure),
        "Never" => Some(RestartPolicy::Never),
        other => {
            ctx.err(
                t,
                path,
                format!("unsupported restartPolicy {other:?}: expected Always, OnFailure or Never"),
            );
            None
        }
    }
}

/// Known priority classes (pkg/apis/scheduling/types.go).
fn priority_class_value(name: &str) -> Option<i32> {
    match name {
        "system-node-critical" => Some(2_000_001_000),
        "system-cluster-critical" => Some(2_000_000_000),
        _ => None,
    }
}

fn pod_spec(ctx: &mut Ctx<'_>, s: &raw::WorkloadSpec, path: &str, at: &Text) -> Option<PodSpec> {
    if s.containers.is_empty() {
        ctx.err(
            at,
            &format!("{path}.containers"),
            "a pod needs at least one container",
        );
        return None;
    }
    let containers = s
        .containers
        .iter()
        .enumerate()
        .map(|(i, c)| container(ctx, c, &format!("{path}.containers[{i}]"), false))
        .collect();
    let init_containers = s
        .init_containers
        .iter()
        .enumerate()
        .map(|(i, c)| container(ctx, c, &format!("{path}.initContainers[{i}]"), true))
        .collect();
    let restart = s
        .restart_policy
        .as_ref()
        .and_then(|t| restart_policy(ctx, t, &format!("{path}.restartPolicy")))
        .unwrap_or_default();
    let mut priority = s.priority.unwrap_or(0);
    let priority_class_name = s
        .priority_class_name
        .as_ref()
        .map(|t| t.value.clone())
        .unwrap_or_default();
    if let Some(t) = &s.priority_class_name {
        match priority_class_value(&t.value) {
            Some(v) => priority = v,
            None => ctx.err(
                t,
                &format!("{path}.priorityClassName"),
                format!("unknown priorityClassName {:?}: this release knows system-node-critical and system-cluster-critical; set spec.priority instead", t.value),
            ),
        }
    }
    let tolerations = s
        .tolerations
        .iter()
        .enumerate()
        .filter_map(|(i, t)| toleration(ctx, t, &format!("{path}.tolerations[{i}]")))
        .collect();
    let node_affinity = s
        .affinity
        .as_ref()
        .and_then(|a| a.node_affinity.as_ref())
        .map(|na| node_affinity(ctx, na, &format!("{path}.affinity.nodeAffinity")));
    Some(PodSpec {
        containers,
        init_containers,
        restart_policy: restart,
        node_name: s.node_name.clone().filter(|n| !n.is_empty()),
        node_selector: s.node_selector.clone(),
        node_affinity,
        tolerations,
        priority,
        priority_class_name,
        termination_grace_period_s: s
            .termination_grace_period_seconds
            .unwrap_or(defaults::DEFAULT_TERMINATION_GRACE_PERIOD_S),
    })
}

fn container(ctx: &mut Ctx<'_>, c: &raw::ContainerSection, path: &str, is_init: bool) -> Container {
    let req = resource_list(
        ctx,
        &c.resources.requests,
        &format!("{path}.resources.requests"),
        false,
    );
    let lim = resource_list(
        ctx,
        &c.resources.limits,
        &format!("{path}.resources.limits"),
        false,
    );
    let has = |m: &std::collections::BTreeMap<String, Text>, k: &str| m.contains_key(k);
    let resources = ResourceRequirements {
        cpu_request_m: has(&c.resources.requests, "cpu").then_some(MilliCpu(req.milli_cpu)),
        cpu_limit_m: has(&c.resources.limits, "cpu").then_some(MilliCpu(lim.milli_cpu)),
        memory_request_bytes: has(&c.resources.requests, "memory").then_some(Bytes(req.memory)),
        memory_limit_bytes: has(&c.resources.limits, "memory").then_some(Bytes(lim.memory)),
        extended_requests: req.scalar,
        extended_limits: lim.scalar,
    };
    for (name, r, l) in [
        (
            "cpu",
            resources.cpu_request_m.map(|m| m.0),
            resources.cpu_limit_m.map(|m| m.0),
        ),
        (
            "memory",
            resources.memory_request_bytes.map(|b| b.0),
            resources.memory_limit_bytes.map(|b| b.0),
        ),
    ] {
        if let (Some(r), Some(l)) = (r, l) {
            if r > l {
                let at = &c.resources.requests[name];
                ctx.err(
                    at,
                    &format!("{path}.resources.requests.{name}"),
                    format!("must be less than or equal to {name} limit"),
                );
            }
        }
    }
    let restart_policy = match &c.restart_policy {
        Some(t) if is_init => {
            if t.value != "Always" {
                ctx.err(
                    t,
                    &format!("{path}.restartPolicy"),
                    "an init container's restartPolicy may only be Always (a sidecar)",
                );
            }
            Some(RestartPolicy::Always)
        }
        Some(t) => {
            ctx.err(
                t,
                &format!("{path}.restartPolicy"),
                "restartPolicy is allowed on init containers only",
            );
            None
        }
        None => None,
    };
    Container {
        name: c.name.value.clone(),
        image: c.image.clone().unwrap_or_default(),
        resources,
        restart_policy,
        ..Default::default()
    }
}

fn toleration(ctx: &mut Ctx<'_>, t: &raw::TolerationSection, path: &str) -> Option<Toleration> {
    let operator = match t.operator.as_ref().map(|o| o.value.as_str()) {
        None | Some("Equal") | Some("") => TolerationOperator::Equal,
        Some("Exists") => TolerationOperator::Exists,
        Some(other) => {
            let at = t.operator.as_ref()?;
            ctx.err(
                at,
                &format!("{path}.operator"),
                format!("unsupported operator {other:?}: expected Equal or Exists"),
            );
            return None;
        }
    };
    let effect = match &t.effect {
        None => None,
        Some(e) if e.value.is_empty() => None,
        Some(e) => match TaintEffect::parse(&e.value) {
            Some(x) => Some(x),
            None => {
                ctx.err(
                    e,
                    &format!("{path}.effect"),
                    format!("unsupported effect {:?}: expected NoSchedule, PreferNoSchedule or NoExecute", e.value),
                );
                return None;
            }
        },
    };
    Some(Toleration {
        key: t.key.clone(),
        operator,
        value: t.value.clone(),
        effect,
        toleration_seconds: t.toleration_seconds,
    })
}

fn node_affinity(ctx: &mut Ctx<'_>, na: &raw::NodeAffinitySection, path: &str) -> NodeAffinity {
    let required = na.required_during_scheduling_ignored_during_execution.as_ref().map(|r| {
        r.node_selector_terms
            .iter()
            .enumerate()
            .map(|(i, t)| term(ctx, t, &format!("{path}.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[{i}]")))
            .collect()
    });
    let preferred = na
        .preferred_during_scheduling_ignored_during_execution
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let pp = format!("{path}.preferredDuringSchedulingIgnoredDuringExecution[{i}]");
            if !(1..=100).contains(&p.weight.value) {
                ctx.err(
                    &p.weight,
                    &format!("{pp}.weight"),
                    "weight must be in the range 1-100",
                );
            }
            PreferredSchedulingTerm {
                weight: p.weight.value,
                preference: term(ctx, &p.preference, &format!("{pp}.preference")),
            }
        })
        .collect();
    NodeAffinity {
        required,
        preferred,
    }
}

fn term(ctx: &mut Ctx<'_>, t: &raw::NodeSelectorTermSection, path: &str) -> NodeSelectorTerm {
    let mut reqs =
        |list: &[raw::RequirementSection], field: &str| -> Vec<NodeSelectorRequirement> {
            list.iter()
                .enumerate()
                .filter_map(|(i, r)| requirement(ctx, r, &format!("{path}.{field}[{i}]")))
                .collect()
        };
    NodeSelectorTerm {
        match_expressions: reqs(&t.match_expressions, "matchExpressions"),
        match_fields: reqs(&t.match_fields, "matchFields"),
    }
}

fn requirement(
    ctx: &mut Ctx<'_>,
    r: &raw::RequirementSection,
    path: &str,
) -> Option<NodeSelectorRequirement> {
    let Some(op) = NodeSelectorOperator::parse(&r.operator.value) else {
        let hint = did_you_mean(
            &r.operator.value,
            ["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"],
        );
        ctx.err_help(
            &r.operator,
            &format!("{path}.operator"),
            format!("{:?} is not a valid node selector operator: expected In, NotIn, Exists, DoesNotExist, Gt or Lt", r.operator.value),
            hint,
        );
        return None;
    };
    let n = r.values.len();
    let bad = match op {
        NodeSelectorOperator::In | NodeSelectorOperator::NotIn => {
            (n == 0).then_some("must have one or more values")
        }
        NodeSelectorOperator::Exists | NodeSelectorOperator::DoesNotExist => {
            (n != 0).then_some("may not have values")
        }
        NodeSelectorOperator::Gt | NodeSelectorOperator::Lt => (n != 1
            || r.values[0].parse::<i64>().is_err())
        .then_some("must have exactly one integer value"),
    };
    if let Some(msg) = bad {
        ctx.err(
            &r.operator,
            &format!("{path}.values"),
            format!("operator {}: {msg}", r.operator.value),
        );
    }
    Some(NodeSelectorRequirement {
        key: r.key.clone(),
        operator: op,
        values: r.values.clone(),
    })
}

/// `timeline` → entries; deployments referenced must exist.
pub fn timeline(
    ctx: &mut Ctx<'_>,
    entries: &[raw::TimelineSection],
    deployments: &[String],
    duration: SimTime,
) -> Vec<TimelineEntry> {
    let mut out = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let path = format!("timeline[{i}]");
        let at = ctx.duration(&e.at, &format!("{path}.at"));
        if let Some(at) = at {
            if at > duration && duration > SimTime::ZERO {
                ctx.err(
                    &e.at,
                    &format!("{path}.at"),
                    format!("at {at} is after the scenario's duration {duration}"),
                );
            }
        }
        match e.action.value.as_str() {
            "scale" => {
                let Some(name) = e.target.value.strip_prefix("deployment/") else {
                    ctx.err(
                        &e.target,
                        &format!("{path}.target"),
                        "scale needs a target of the form deployment/NAME",
                    );
                    continue;
                };
                if !deployments.iter().any(|d| d == name) {
                    let hint = did_you_mean(name, deployments.iter().map(String::as_str));
                    ctx.err_help(
                        &e.target,
                        &format!("{path}.target"),
                        format!("no Deployment named {name:?} in this scenario"),
                        hint,
                    );
                    continue;
                }
                let Some(replicas) = &e.replicas else {
                    ctx.err(
                        &e.action,
                        &format!("{path}.replicas"),
                        "scale needs replicas",
                    );
                    continue;
                };
                if replicas.value < 0 {
                    ctx.err(
                        replicas,
                        &format!("{path}.replicas"),
                        "replicas must not be negative",
                    );
                    continue;
                }
                if let Some(at) = at {
                    out.push(TimelineEntry {
                        at,
                        action: Action::Scale {
                            namespace: kubesim_core::DEFAULT_NAMESPACE.to_string(),
                            deployment: name.to_string(),
                            replicas: replicas.value,
                        },
                    });
                }
            }
            other => {
                let hint = did_you_mean(other, ["scale"]);
                ctx.err_help(
                    &e.action,
                    &format!("{path}.action"),
                    format!("unknown action {other:?}: this release supports scale"),
                    hint,
                );
            }
        }
    }
    out
}

pub fn metrics(
    ctx: &mut Ctx<'_>,
    m: Option<&raw::MetricsSection>,
    sample_interval: SimTime,
) -> MetricsConfig {
    let mut cfg = MetricsConfig::default();
    let Some(m) = m else { return cfg };
    cfg.nodes = m.nodes.unwrap_or(true);
    cfg.containers = m.containers.unwrap_or(true);
    if let Some(t) = &m.container_interval {
        if let Some(d) = ctx.duration(t, "metrics.containerInterval") {
            if sample_interval.0 == 0 || d.0 == 0 || d.0 % sample_interval.0 != 0 {
                ctx.err(
                    t,
                    "metrics.containerInterval",
                    format!("must be a positive multiple of sampleInterval ({sample_interval})"),
                );
            } else {
                cfg.container_every = u32::try_from(d.0 / sample_interval.0).unwrap_or(u32::MAX);
            }
        }
    }
    cfg
}

pub fn limits(ctx: &mut Ctx<'_>, l: Option<&raw::LimitsSection>) -> RunLimits {
    let mut limits = RunLimits::default();
    let Some(l) = l else { return limits };
    if let Some(t) = &l.max_sim_time {
        if let Some(d) = ctx.duration(t, "limits.maxSimTime") {
            limits.max_sim_time = d;
        }
    }
    if let Some(e) = l.max_events {
        limits.max_events = e;
    }
    if let Some(o) = l.max_objects {
        limits.max_objects = o;
    }
    limits
}
