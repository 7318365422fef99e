//! `cluster`: node pools, the scheduler profile and cgroup settings.
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
    CgroupConfig, CgroupVersion, CpuWeightConversion, KubeletConfig, Labels, Node, ObjectMeta,
    ResourceList, Taint, TaintEffect,
};
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
        });
    }
    out
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
            let mut node = Node::new(meta, pool.capacity.clone(), pool.reserved.clone());
            node.taints = pool.taints.clone();
            node.unschedulable = pool.unschedulable;
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

/// `cluster.cgroup`.
pub fn kubelet_config(c: Option<&raw::CgroupSection>) -> KubeletConfig {
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
