//! `cluster`: node pools (with their kubelet's configuration and the
//! memory used outside pods), the scheduler profile, cgroup settings, the
//! image registry and kube-controller-manager's node lifecycle flags.
//!
//! Pools are checked first ([`pools`]) and expanded into nodes only once
//! the object budget has passed ([`expand`]), so a `count: 3000000` is
//! refused before three million nodes exist.

use super::Ctx;
use crate::scenario::error::did_you_mean;
use crate::scenario::raw;
use crate::scenario::yaml::At;
use kubesim_core::api::defaults;
use kubesim_core::{
    CgroupConfig, CgroupVersion, CpuWeightConversion, EvictionSignal, EvictionThreshold,
    KubeletConfig, KubeletConfiguration, Labels, Node, ObjectMeta, Quantity, ResourceList, SimTime,
    Taint, TaintEffect, ThresholdValue, DEFAULT_EVICTION_HARD_MEMORY_BYTES,
};
use kubesim_scheduler::controllers::ControllerManagerConfig;
use kubesim_scheduler::plugins::{ResourceSpec, ScoringStrategy, UtilizationShapePoint};
use kubesim_scheduler::{PluginWeights, SchedulerProfile};

/// A checked node pool.
#[derive(Debug, Clone)]
pub struct Pool {
    /// Index in `cluster.nodes`.
    pub index: usize,
    /// `name`.
    pub name: String,
    /// `count`.
    pub count: u64,
    capacity: ResourceList,
    reserved: ResourceList,
    labels: Labels,
    taints: Vec<Taint>,
    unschedulable: bool,
    kubelet: KubeletConfiguration,
    system_memory_bytes: i64,
}

const KNOWN_RESOURCES: &[&str] = &["cpu", "memory", "pods", "ephemeral-storage"];

/// Reads a `{cpu: .., memory: .., pods: .., vendor/x: ..}` map:
/// `ephemeral-storage` and `hugepages-*` are accepted and not modelled;
/// extended resources are `domain/name` qualified names.
pub fn resource_list(
    ctx: &mut Ctx<'_, '_>,
    map: &std::collections::BTreeMap<String, String>,
    at: &At<'_>,
    allow_pods: bool,
) -> ResourceList {
    let mut r = ResourceList::default();
    for (k, v) in map {
        let kat = at.key(k);
        match k.as_str() {
            "cpu" => r.milli_cpu = ctx.quantity(k, v, &kat).unwrap_or(0),
            "memory" => r.memory = ctx.quantity(k, v, &kat).unwrap_or(0),
            "pods" if allow_pods => r.pods = ctx.quantity(k, v, &kat).unwrap_or(0),
            "ephemeral-storage" => {
                ctx.quantity(k, v, &kat);
            }
            k if k.starts_with("hugepages-") => {
                ctx.quantity(k, v, &kat);
            }
            k if k.contains('/') => {
                if let Err(m) = super::qualified_name(k) {
                    ctx.err_key(&kat, format!("Invalid value: {k:?}: {m}"));
                }
                let n = ctx.quantity(k, v, &kat).unwrap_or(0);
                r.set_scalar(k, n);
            }
            _ => {
                let hint = did_you_mean(k, KNOWN_RESOURCES.iter().copied());
                let e = ctx.doc.key_error(
                    &kat,
                    format!("unknown resource {k:?}: expected cpu, memory, {}ephemeral-storage, hugepages-<size> or an extended resource such as nvidia.com/gpu", if allow_pods { "pods, " } else { "" }),
                );
                ctx.report.errors.push(match hint {
                    Some(h) => e.with_help(h),
                    None => e,
                });
            }
        }
    }
    r
}

/// Checks `cluster.nodes`.
pub fn pools(ctx: &mut Ctx<'_, '_>, pools: &[raw::NodePool]) -> Vec<Pool> {
    let root = At::ROOT;
    let cluster = root.key("cluster");
    let nodes_at = cluster.key("nodes");
    if pools.is_empty() {
        ctx.err(
            &nodes_at,
            "Required value: a cluster needs at least one node pool",
        );
    }
    let mut out = Vec::new();
    for (i, pool) in pools.iter().enumerate() {
        let at = nodes_at.idx(i);
        let cap_at = at.key("capacity");
        let mut capacity = resource_list(ctx, &pool.capacity, &cap_at, true);
        defaults::set_node_capacity_defaults(&mut capacity, pool.capacity.contains_key("pods"));
        for key in ["cpu", "memory"] {
            if !pool.capacity.contains_key(key) {
                ctx.err(
                    &cap_at.key(key),
                    format!("Required value: capacity.{key} is required"),
                );
            }
        }
        let res_at = at.key("reserved");
        let reserved = resource_list(ctx, &pool.reserved, &res_at, false);
        // kubelet refuses a reservation above capacity
        // (pkg/kubelet/cm/node_container_manager_linux.go,
        // validateNodeAllocatable): such a node never joins.
        // Only values that are quantities are compared: a bad one has its
        // own error.
        let valid = |m: &std::collections::BTreeMap<String, String>, k: &str| {
            m.get(k).is_some_and(|v| {
                kubesim_core::Quantity::parse(v.trim()).is_ok_and(|q| q.sign() >= 0)
            })
        };
        for (name, r, c) in [
            ("cpu", reserved.milli_cpu, capacity.milli_cpu),
            ("memory", reserved.memory, capacity.memory),
        ] {
            if r > c && valid(&pool.capacity, name) && valid(&pool.reserved, name) {
                ctx.err(
                    &res_at.key(name),
                    format!(
                        "Invalid value: {:?}: the reservation of {name} is more than the capacity ({:?}): kubelet refuses to start with such a configuration",
                        pool.reserved[name], pool.capacity[name]
                    ),
                );
            }
        }
        let errors = ctx.report.errors.len();
        let kubelet = kubelet(ctx, pool.kubelet.as_ref(), &at);
        // The hard memory threshold is reserved too
        // (GetNodeAllocatableReservation): kubelet refuses a node whose
        // reservation and threshold together exceed its memory.
        let hard = kubelet
            .eviction_hard
            .iter()
            .filter(|t| t.signal == EvictionSignal::MemoryAvailable)
            .map(|t| t.value.bytes(capacity.memory))
            .max()
            .unwrap_or(0);
        let memory_ok = valid(&pool.capacity, "memory")
            && (!pool.reserved.contains_key("memory") || valid(&pool.reserved, "memory"))
            && reserved.memory <= capacity.memory
            && ctx.report.errors.len() == errors;
        if memory_ok && reserved.memory.saturating_add(hard) > capacity.memory {
            memory_reservation_error(ctx, pool, &at, hard);
        }
        let system_memory_bytes = pool
            .system_usage
            .as_ref()
            .and_then(|u| u.memory.as_ref())
            .and_then(|m| {
                let uat = at.key("systemUsage");
                let mat = uat.key("memory");
                let b = ctx.quantity("memory", m, &mat)?;
                if b > capacity.memory && valid(&pool.capacity, "memory") {
                    ctx.err(
                        &mat,
                        format!(
                            "Invalid value: {m:?}: the system uses more memory than the node has ({:?})",
                            pool.capacity["memory"]
                        ),
                    );
                }
                Some(b)
            })
            .unwrap_or(0);
        for (name, r) in &reserved.scalar {
            let bad_capacity = pool.capacity.contains_key(name) && !valid(&pool.capacity, name);
            if *r > capacity.scalar(name) && !bad_capacity {
                ctx.err(
                    &res_at.key(name),
                    format!("Invalid value: {:?}: the reservation of {name} is more than the capacity ({}): kubelet refuses to start with such a configuration", pool.reserved[name], capacity.scalar(name)),
                );
            }
        }
        let name_at = at.key("name");
        let count = pool.count.unwrap_or(1);
        if count == 0 {
            ctx.err(
                &at.key("count"),
                "Invalid value: 0: count must be at least 1",
            );
        }
        if ctx.dns_subdomain(&pool.name, &name_at) {
            // Node names are kubelet's hostname label: at most 63 characters.
            let longest = if count > 1 {
                format!("{}-{count}", pool.name)
            } else {
                pool.name.clone()
            };
            if longest.len() > 63 {
                ctx.err(
                    &name_at,
                    format!(
                        "Invalid value: {:?}: node name {longest:?} is longer than 63 characters (the kubernetes.io/hostname label kubelet sets must be a valid label value)",
                        pool.name
                    ),
                );
            }
        }
        ctx.labels(&pool.labels, &at.key("labels"));
        let taints_at = at.key("taints");
        let mut taints: Vec<Taint> = Vec::with_capacity(pool.taints.len());
        for (j, t) in pool.taints.iter().enumerate() {
            let tat = taints_at.idx(j);
            if let Err(m) = super::qualified_name(&t.key) {
                ctx.err(&tat.key("key"), format!("Invalid value: {:?}: {m}", t.key));
            }
            if let Err(m) = super::label_value(&t.value) {
                ctx.err(
                    &tat.key("value"),
                    format!("Invalid value: {:?}: {m}", t.value),
                );
            }
            let effect = match t.effect {
                raw::Effect::NoSchedule => TaintEffect::NoSchedule,
                raw::Effect::PreferNoSchedule => TaintEffect::PreferNoSchedule,
                raw::Effect::NoExecute => TaintEffect::NoExecute,
            };
            // validateNodeTaints: a (key, effect) pair at most once.
            if taints.iter().any(|x| x.key == t.key && x.effect == effect) {
                ctx.err(
                    &tat,
                    format!(
                        "Duplicate value: taints must be unique by key and effect pair ({:?}, {})",
                        t.key,
                        effect.as_str()
                    ),
                );
            }
            taints.push(Taint {
                key: t.key.clone(),
                value: t.value.clone(),
                effect,
            });
        }
        out.push(Pool {
            index: i,
            name: pool.name.clone(),
            count,
            capacity,
            reserved,
            labels: pool.labels.clone(),
            taints,
            unschedulable: pool.unschedulable,
            kubelet,
            system_memory_bytes,
        });
    }
    out
}

/// Reservation plus hard memory threshold above capacity: at the
/// threshold if the pool sets it, else at the reservation, else at the
/// capacity (the default threshold is 100Mi).
fn memory_reservation_error(ctx: &mut Ctx<'_, '_>, pool: &raw::NodePool, at: &At<'_>, hard: i64) {
    let explicit = pool
        .kubelet
        .as_ref()
        .and_then(|k| k.eviction_hard.as_ref())
        .and_then(|h| h.get(MEMORY_AVAILABLE));
    let threshold = explicit.cloned().unwrap_or_else(|| {
        debug_assert_eq!(hard, DEFAULT_EVICTION_HARD_MEMORY_BYTES);
        "100Mi".to_string()
    });
    let reserved = pool.reserved.get("memory").cloned();
    let message = |value: &str| {
        format!(
            "Invalid value: {value:?}: the reservation of memory (reserved {} + evictionHard memory.available {threshold}) is more than the capacity ({:?}): kubelet refuses to start with such a configuration",
            reserved.as_deref().unwrap_or("0"),
            pool.capacity["memory"]
        )
    };
    let kubelet_at = at.key("kubelet");
    let hard_at = kubelet_at.key("evictionHard");
    let res_at = at.key("reserved");
    let cap_at = at.key("capacity");
    match (explicit, &reserved) {
        (Some(t), _) => ctx.err(&hard_at.key(MEMORY_AVAILABLE), message(t)),
        (None, Some(r)) => ctx.err(&res_at.key("memory"), message(r)),
        (None, None) => ctx.err(&cap_at.key("memory"), message(&pool.capacity["memory"])),
    }
}

/// `memory.available`, the one signal kubesim models.
const MEMORY_AVAILABLE: &str = "memory.available";

/// kubelet's eviction signals (pkg/kubelet/eviction/api/types.go); all
/// but `memory.available` are accepted and ignored.
const EVICTION_SIGNALS: &[&str] = &[
    "memory.available",
    "allocatableMemory.available",
    "nodefs.available",
    "nodefs.inodesFree",
    "imagefs.available",
    "imagefs.inodesFree",
    "containerfs.available",
    "containerfs.inodesFree",
    "pid.available",
];

/// `cluster.nodes[].kubelet` → the node's `KubeletConfiguration`, with
/// kubelet's defaults (pkg/kubelet/apis/config/v1beta1/defaults.go) and
/// its checks (pkg/kubelet/eviction/helpers.go `ParseThresholdConfig`,
/// pkg/kubelet/apis/config/validation/validation.go).
fn kubelet(
    ctx: &mut Ctx<'_, '_>,
    k: Option<&raw::KubeletSection>,
    pool_at: &At<'_>,
) -> KubeletConfiguration {
    let mut cfg = KubeletConfiguration::default();
    let Some(k) = k else { return cfg };
    let at = pool_at.key("kubelet");
    if let Some(h) = &k.eviction_hard {
        // An explicit map replaces the default: `{}` disables hard eviction.
        cfg.eviction_hard = thresholds(ctx, h, &at.key("evictionHard"))
            .into_iter()
            .filter_map(|(_, t)| t)
            .map(|value| EvictionThreshold {
                signal: EvictionSignal::MemoryAvailable,
                value,
                grace_period: None,
            })
            .collect();
    }
    let grace_at = at.key("evictionSoftGracePeriod");
    let mut grace: std::collections::BTreeMap<&str, SimTime> = Default::default();
    for (signal, text) in k.eviction_soft_grace_period.iter().flatten() {
        let sat = grace_at.key(signal);
        if signal_ok(ctx, signal, &sat) {
            if let Some(d) = ctx.duration(text, &sat) {
                grace.insert(signal.as_str(), d);
            }
        }
    }
    if let Some(soft) = &k.eviction_soft {
        let soft_at = at.key("evictionSoft");
        for (signal, value) in thresholds(ctx, soft, &soft_at) {
            let Some(&period) = grace.get(signal) else {
                ctx.err(
                    &soft_at.key(signal),
                    format!(
                        "grace period must be specified for the soft eviction threshold {signal}"
                    ),
                );
                continue;
            };
            if let Some(value) = value {
                cfg.eviction_soft.push(EvictionThreshold {
                    signal: EvictionSignal::MemoryAvailable,
                    value,
                    grace_period: Some(period),
                });
            }
        }
    }
    if let Some(t) = &k.eviction_pressure_transition_period {
        // kubelet's defaulting turns 0 into the default.
        if let Some(d) = ctx.duration(t, &at.key("evictionPressureTransitionPeriod")) {
            if d > SimTime::ZERO {
                cfg.eviction_pressure_transition_period = d;
            }
        }
    }
    if let Some(g) = k.eviction_max_pod_grace_period {
        if (0..=i64::from(i32::MAX)).contains(&g) {
            cfg.eviction_max_pod_grace_period_s = g;
        } else {
            ctx.err(
                &at.key("evictionMaxPodGracePeriod"),
                format!("Invalid value: {g}: evictionMaxPodGracePeriod is a number of seconds, 0-2147483647"),
            );
        }
    }
    if let Some(t) = &k.housekeeping_interval {
        if let Some(d) = ctx.interval(t, &at.key("housekeepingInterval"), "housekeepingInterval") {
            cfg.housekeeping_interval = d;
        }
    }
    let pulls_at = at.key("maxParallelImagePulls");
    let max_pulls = k.max_parallel_image_pulls.and_then(|n| {
        match u32::try_from(n).ok().filter(|n| *n >= 1) {
            Some(n) => Some(n),
            None => {
                ctx.err(
                    &pulls_at,
                    format!("invalid configuration: maxParallelImagePulls {n} must be a positive number"),
                );
                None
            }
        }
    });
    // serializeImagePulls defaults to false when maxParallelImagePulls
    // asks for more than one pull at a time.
    let serialize = k
        .serialize_image_pulls
        .unwrap_or(max_pulls.is_none_or(|n| n < 2));
    if serialize && max_pulls.is_some_and(|n| n > 1) {
        ctx.err(
            &pulls_at,
            "invalid configuration: maxParallelImagePulls cannot be larger than 1 unless SerializeImagePulls (--serialize-image-pulls) is set to false",
        );
    }
    cfg.serialize_image_pulls = serialize;
    cfg.max_parallel_image_pulls = max_pulls;
    cfg
}

/// A known eviction signal; an unknown one is an error
/// (`unsupported eviction signal`), another than `memory.available` a
/// warning. Returns whether it is known.
fn signal_ok(ctx: &mut Ctx<'_, '_>, signal: &str, at: &At<'_>) -> bool {
    if EVICTION_SIGNALS.contains(&signal) {
        return true;
    }
    let e = ctx
        .doc
        .key_error(at, format!("unsupported eviction signal {signal}"));
    let e = match did_you_mean(signal, EVICTION_SIGNALS.iter().copied()) {
        Some(h) => e.with_help(h),
        None => e,
    };
    ctx.report.errors.push(e);
    false
}

/// `evictionHard` / `evictionSoft`: every known signal with its value
/// (`parseThresholdStatement`); the value is `None` when the signal is
/// not modelled (a warning). Thresholds kubelet drops (`0%`, `100%`) are
/// left out.
fn thresholds<'m>(
    ctx: &mut Ctx<'_, '_>,
    map: &'m std::collections::BTreeMap<String, String>,
    at: &At<'_>,
) -> Vec<(&'m str, Option<ThresholdValue>)> {
    let mut out = Vec::new();
    for (signal, text) in map {
        let sat = at.key(signal);
        if !signal_ok(ctx, signal, &sat) {
            continue;
        }
        // An error, or `0%`/`100%`, which kubelet drops.
        let Some(Some(value)) = threshold_value(ctx, signal, text, &sat) else {
            continue;
        };
        if signal != MEMORY_AVAILABLE {
            let e = ctx.doc.key_error(
                &sat,
                format!("kubesim models only the memory.available eviction signal: {signal} is accepted and ignored"),
            );
            ctx.report.warnings.push(e.warning());
            out.push((signal.as_str(), None));
            continue;
        }
        out.push((signal.as_str(), Some(value)));
    }
    out
}

/// A threshold's value: a quantity, or a percentage of capacity. `None`:
/// an error; `Some(None)`: `0%` or `100%`, which kubelet ignores.
fn threshold_value(
    ctx: &mut Ctx<'_, '_>,
    signal: &str,
    text: &str,
    at: &At<'_>,
) -> Option<Option<ThresholdValue>> {
    if text.ends_with('%') {
        if text == "0%" || text == "100%" {
            return Some(None);
        }
        // parsePercentage: a float32, divided by 100 in float32.
        let number = text.trim_end_matches('%');
        let Ok(v) = number.parse::<f32>() else {
            ctx.err(
                at,
                format!("strconv.ParseFloat: parsing {number:?}: invalid syntax"),
            );
            return None;
        };
        let share = v / 100.0;
        if !share.is_finite() {
            ctx.err(
                at,
                format!("eviction percentage threshold {signal} must be a finite number: {text}"),
            );
            return None;
        }
        if share < 0.0 {
            ctx.err(
                at,
                format!("eviction percentage threshold {signal} must be >= 0%: {text}"),
            );
            return None;
        }
        if share > 1.0 {
            ctx.err(
                at,
                format!("eviction percentage threshold {signal} must be <= 100%: {text}"),
            );
            return None;
        }
        // The model divides by 100 again (in f64): this gives it kubelet's
        // float32 share.
        return Some(Some(ThresholdValue::Percent(f64::from(share) * 100.0)));
    }
    match Quantity::parse(text.trim()) {
        Ok(q) if q.sign() <= 0 => {
            ctx.err(
                at,
                format!("eviction threshold {signal} must be positive: {q}"),
            );
            return None;
        }
        Ok(_) => {}
        Err(_) => {} // ctx.quantity reports it
    }
    let resource = if signal.starts_with("memory") || signal.starts_with("allocatableMemory") {
        "memory"
    } else if signal.contains("inodes") || signal.starts_with("pid") {
        "count"
    } else {
        "bytes"
    };
    Some(Some(ThresholdValue::Bytes(
        ctx.quantity(resource, text, at)?,
    )))
}

/// Expands pools into nodes (a pool with `count: N` becomes `NAME-1` …
/// `NAME-N`), with kubelet's labels; a node name used twice is an error at
/// the pool that repeats it.
pub fn expand(ctx: &mut Ctx<'_, '_>, pools: &[Pool]) -> Vec<Node> {
    let total: u64 = pools.iter().map(|p| p.count).sum();
    let mut out = Vec::with_capacity(usize::try_from(total).unwrap_or(0));
    let mut names = std::collections::HashSet::with_capacity(out.capacity());
    let root = At::ROOT;
    let cluster = root.key("cluster");
    let nodes_at = cluster.key("nodes");
    for pool in pools {
        let mut reported = false;
        for k in 1..=pool.count {
            let name = if pool.count > 1 {
                format!("{}-{k}", pool.name)
            } else {
                pool.name.clone()
            };
            if !names.insert(name.clone()) {
                if !reported {
                    let at = nodes_at.idx(pool.index);
                    ctx.err(
                        &at.key("name"),
                        format!("Duplicate value: node {name:?} is also the name of a node of an earlier pool"),
                    );
                    reported = true;
                }
                continue;
            }
            let mut meta = ObjectMeta::named(name.clone());
            meta.namespace = String::new();
            meta.labels = pool.labels.clone();
            defaults::set_node_labels(&name, &mut meta.labels);
            let mut node = Node::with_kubelet(
                meta,
                pool.capacity.clone(),
                pool.reserved.clone(),
                pool.kubelet.clone(),
            );
            node.taints = pool.taints.clone();
            node.unschedulable = pool.unschedulable;
            node.system_memory_bytes = pool.system_memory_bytes;
            out.push(node);
        }
    }
    out
}

/// `cluster.scheduler` → profile.
pub fn profile(ctx: &mut Ctx<'_, '_>, s: Option<&raw::SchedulerSection>) -> SchedulerProfile {
    let mut p = SchedulerProfile::default();
    let Some(s) = s else { return p };
    let root = At::ROOT;
    let cluster = root.key("cluster");
    let at = cluster.key("scheduler");
    if let Some(res) = &s.resources {
        let rat = at.key("resources");
        p.resources = res
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let iat = rat.idx(i);
                if !(1..=100).contains(&r.weight) {
                    ctx.err(
                        &iat.key("weight"),
                        format!(
                            "Invalid value: {}: resource weight must be in the range 1-100",
                            r.weight
                        ),
                    );
                }
                ResourceSpec::new(&r.name, r.weight.clamp(0, 100))
            })
            .collect();
    }
    p.scoring_strategy = match s.scoring_strategy {
        None | Some(raw::ScoringStrategyType::LeastAllocated) => ScoringStrategy::LeastAllocated,
        Some(raw::ScoringStrategyType::MostAllocated) => ScoringStrategy::MostAllocated,
        Some(raw::ScoringStrategyType::RequestedToCapacityRatio) => {
            let sat = at.key("shape");
            let shape: Vec<UtilizationShapePoint> = s
                .shape
                .iter()
                .flatten()
                .enumerate()
                .map(|(i, pt)| {
                    let pat = sat.idx(i);
                    if !(0..=100).contains(&pt.utilization) {
                        ctx.err(
                            &pat.key("utilization"),
                            format!(
                                "Invalid value: {}: utilization must be in the range 0-100",
                                pt.utilization
                            ),
                        );
                    }
                    if !(0..=10).contains(&pt.score) {
                        ctx.err(
                            &pat.key("score"),
                            format!(
                                "Invalid value: {}: score must be in the range 0-10",
                                pt.score
                            ),
                        );
                    }
                    UtilizationShapePoint {
                        utilization: pt.utilization.clamp(0, 100),
                        score: pt.score.clamp(0, 10),
                    }
                })
                .collect();
            if shape.is_empty() {
                // Upstream's default shape: bin packing.
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
        let wat = at.key("weights");
        let mut weight = |v: Option<i64>, name: &str, default: i64| -> i64 {
            let Some(v) = v else { return default };
            if !(0..=MAX_PLUGIN_WEIGHT).contains(&v) {
                ctx.err(&wat.key(name), format!("Invalid value: {v}: a score plugin's weight must be in the range 0-{MAX_PLUGIN_WEIGHT} (0 disables it)"));
                return default;
            }
            v
        };
        p.weights = PluginWeights {
            taint_toleration: weight(w.taint_toleration, "TaintToleration", d.taint_toleration),
            node_affinity: weight(w.node_affinity, "NodeAffinity", d.node_affinity),
            node_resources_fit: weight(
                w.node_resources_fit,
                "NodeResourcesFit",
                d.node_resources_fit,
            ),
            node_resources_balanced_allocation: weight(
                w.node_resources_balanced_allocation,
                "NodeResourcesBalancedAllocation",
                d.node_resources_balanced_allocation,
            ),
        };
    }
    if let Some(pct) = s.percentage_of_nodes_to_score {
        match i32::try_from(pct).ok().filter(|p| (0..=100).contains(p)) {
            Some(v) => p.percentage_of_nodes_to_score = Some(v),
            None => ctx.err(
                &at.key("percentageOfNodesToScore"),
                format!("Invalid value: {pct}: not in valid range [0-100]"),
            ),
        }
    }
    p
}

/// Largest score plugin weight kubesim accepts (scores are sums of
/// weight × 100 over plugins; this keeps them far from overflow).
pub const MAX_PLUGIN_WEIGHT: i64 = 10_000;

/// `cluster.cgroup` and `cluster.registry`: what every node's kubelet
/// shares.
pub fn kubelet_config(ctx: &mut Ctx<'_, '_>, cluster: &raw::ClusterSection) -> KubeletConfig {
    let mut cfg = CgroupConfig::default();
    if let Some(c) = &cluster.cgroup {
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
    let registry = cluster.registry.as_ref().and_then(|r| {
        let n = r.max_concurrent_pulls?;
        let ok = u32::try_from(n).ok().filter(|n| *n >= 1);
        if ok.is_none() {
            let root = At::ROOT;
            let c = root.key("cluster");
            let reg = c.key("registry");
            ctx.err(
                &reg.key("maxConcurrentPulls"),
                format!("Invalid value: {n}: maxConcurrentPulls must be at least 1"),
            );
        }
        ok
    });
    KubeletConfig {
        cgroup: cfg,
        registry_max_concurrent_pulls: registry,
    }
}

/// `cluster.controllerManager`: kube-controller-manager's node lifecycle
/// flags (`--node-monitor-period` …) with its defaults.
pub fn controller_manager(
    ctx: &mut Ctx<'_, '_>,
    cm: Option<&raw::ControllerManagerSection>,
) -> ControllerManagerConfig {
    let mut cfg = ControllerManagerConfig::default();
    let Some(cm) = cm else { return cfg };
    let root = At::ROOT;
    let c = root.key("cluster");
    let at = c.key("controllerManager");
    for (text, key, field) in [
        (
            &cm.node_monitor_period,
            "nodeMonitorPeriod",
            &mut cfg.node_monitor_period,
        ),
        (
            &cm.node_monitor_grace_period,
            "nodeMonitorGracePeriod",
            &mut cfg.node_monitor_grace_period,
        ),
    ] {
        if let Some(t) = text {
            if let Some(d) = ctx.interval(t, &at.key(key), key) {
                *field = d;
            }
        }
    }
    for (value, key, field) in [
        (
            cm.node_eviction_rate,
            "nodeEvictionRate",
            &mut cfg.node_eviction_rate,
        ),
        (
            cm.secondary_node_eviction_rate,
            "secondaryNodeEvictionRate",
            &mut cfg.secondary_node_eviction_rate,
        ),
    ] {
        if let Some(v) = value {
            if v.is_finite() && v >= 0.0 {
                *field = v;
            } else {
                ctx.err(
                    &at.key(key),
                    format!("Invalid value: {v}: {key} is nodes per second, a number ≥ 0"),
                );
            }
        }
    }
    if let Some(n) = cm.large_cluster_size_threshold {
        match u32::try_from(n).ok().filter(|n| i32::try_from(*n).is_ok()) {
            Some(n) => cfg.large_cluster_size_threshold = n,
            None => ctx.err(
                &at.key("largeClusterSizeThreshold"),
                format!("Invalid value: {n}: largeClusterSizeThreshold is a number of nodes, 0-2147483647"),
            ),
        }
    }
    if let Some(t) = &cm.sync_delay {
        // 0s (the default) is allowed: a sync in the same instant.
        if let Some(d) = ctx.duration(t, &at.key("syncDelay")) {
            cfg.sync_delay = d;
        }
    }
    if let Some(t) = &cm.endpoints_delay {
        if let Some(d) = ctx.duration(t, &at.key("endpointsDelay")) {
            cfg.endpoints_delay = d;
        }
    }
    if let Some(v) = cm.unhealthy_zone_threshold {
        if v > 0.0 && v <= 1.0 {
            cfg.unhealthy_zone_threshold = v;
        } else {
            ctx.err(
                &at.key("unhealthyZoneThreshold"),
                format!("Invalid value: {v}: unhealthyZoneThreshold is a share of a zone's nodes, in (0, 1]"),
            );
        }
    }
    cfg
}
