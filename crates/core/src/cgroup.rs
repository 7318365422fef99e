//! cgroup values kubelet writes for each container and pod, and the cgroup
//! tree it builds.
//!
//! Formulas (sources in docs/model.md):
//! - [`milli_cpu_to_shares`] and [`milli_cpu_to_quota`] from pkg/kubelet/cm/helpers_linux.go
//! - [`cpu_shares_to_cpu_weight`], the cgroup v2 conversion applied by the
//!   OCI runtime (runc libcontainer/cgroups `ConvertCPUSharesToCgroupV2Value`)
//! - [`get_container_oom_score_adjust`] from pkg/kubelet/qos/policy.go
//!
//! The tree is `kubepods` → Guaranteed pods directly, `burstable` → pods,
//! `besteffort` → pods; then containers under their pod
//! (pkg/kubelet/cm/qos_container_manager_linux.go).

use crate::api::pod::{Container, PodSpec};
use crate::qos::QosClass;

/// `MinShares`: the kernel's minimum `cpu.shares`.
pub const MIN_SHARES: u64 = 2;
/// `MaxShares`: the kernel's maximum `cpu.shares`.
pub const MAX_SHARES: u64 = 262_144;
/// `SharesPerCPU`.
pub const SHARES_PER_CPU: u64 = 1024;
/// `MilliCPUToCPU`.
pub const MILLI_CPU_TO_CPU: u64 = 1000;
/// `QuotaPeriod`: the CFS period kubelet uses, in microseconds (100 ms).
pub const QUOTA_PERIOD_US: u64 = 100_000;
/// `MinQuotaPeriod`: the smallest quota kubelet writes, in microseconds.
pub const MIN_QUOTA_PERIOD_US: i64 = 1_000;
/// cgroup v2 `cpu.weight` bounds and default.
pub const CPU_WEIGHT_MIN: u64 = 1;
/// Largest `cpu.weight` (cgroup v2).
pub const CPU_WEIGHT_MAX: u64 = 10_000;
/// `cpu.weight` of a cgroup nobody configured.
pub const CPU_WEIGHT_DEFAULT: u64 = 100;

/// `MilliCPUToShares`: `cpu.shares` for a CPU request in millicores.
pub fn milli_cpu_to_shares(milli_cpu: i64) -> u64 {
    if milli_cpu <= 0 {
        // Docker/runc treat 0 as "unset" and would apply 1024; kubelet asks
        // for the minimum instead.
        return MIN_SHARES;
    }
    let shares = (milli_cpu as u64).saturating_mul(SHARES_PER_CPU) / MILLI_CPU_TO_CPU;
    shares.clamp(MIN_SHARES, MAX_SHARES)
}

/// `MilliCPUToQuota`: `cpu.cfs_quota_us` for a CPU limit in millicores and a
/// period in µs. A zero limit means "no limit" and returns 0 (callers write
/// `-1`/`max`); otherwise at least [`MIN_QUOTA_PERIOD_US`].
pub fn milli_cpu_to_quota(milli_cpu: i64, period_us: u64) -> i64 {
    if milli_cpu == 0 {
        return 0;
    }
    let quota = milli_cpu.saturating_mul(period_us as i64) / MILLI_CPU_TO_CPU as i64;
    quota.max(MIN_QUOTA_PERIOD_US)
}

/// How a cgroup v1 `cpu.shares` value becomes a cgroup v2 `cpu.weight`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CpuWeightConversion {
    /// runc < 1.3.2 / crun < 1.23: `1 + ((shares - 2) * 9999) / 262142`, a
    /// straight line from [2, 262144] onto [1, 10000]. 1024 shares → 39.
    Linear,
    /// runc ≥ 1.3.2 / crun ≥ 1.23: a quadratic in log2(shares) through
    /// (2, 1), (1024, 100) and (262144, 10000), so that one CPU of request
    /// gets the cgroup v2 default weight 100.
    #[default]
    Quadratic,
}

/// cgroup v2 `cpu.weight` for a `cpu.shares` value.
pub fn cpu_shares_to_cpu_weight(shares: u64, conversion: CpuWeightConversion) -> u64 {
    if shares == 0 {
        return 0;
    }
    let shares = shares.clamp(MIN_SHARES, MAX_SHARES);
    match conversion {
        CpuWeightConversion::Linear => {
            if shares >= MAX_SHARES {
                return CPU_WEIGHT_MAX;
            }
            1 + ((shares - 2) * 9999) / 262_142
        }
        CpuWeightConversion::Quadratic => {
            if shares <= MIN_SHARES {
                return CPU_WEIGHT_MIN;
            }
            if shares >= MAX_SHARES {
                return CPU_WEIGHT_MAX;
            }
            let l = (shares as f64).log2();
            let exponent = (l * l + 125.0 * l) / 612.0 - 7.0 / 34.0;
            (10f64.powf(exponent).ceil() as u64).clamp(CPU_WEIGHT_MIN, CPU_WEIGHT_MAX)
        }
    }
}

/// `oom_score_adj` of Guaranteed pods and node-critical pods.
pub const GUARANTEED_OOM_SCORE_ADJ: i64 = -997;
/// `oom_score_adj` of BestEffort pods.
pub const BESTEFFORT_OOM_SCORE_ADJ: i64 = 1000;
/// `oom_score_adj` kubelet gives itself (and kube-proxy).
pub const KUBELET_OOM_SCORE_ADJ: i64 = -999;

// A pod is "node critical" from `SystemCriticalPriority` (2 × 10⁹) with the
// `system-node-critical` class (pkg/apis/scheduling/types.go).
use crate::api::{SYSTEM_CRITICAL_PRIORITY, SYSTEM_NODE_CRITICAL};

/// `GetContainerOOMScoreAdjust` for `container` of a pod with `spec` and
/// `qos`, on a node with `memory_capacity_bytes`.
pub fn get_container_oom_score_adjust(
    spec: &PodSpec,
    qos: QosClass,
    container: &Container,
    memory_capacity_bytes: i64,
) -> i64 {
    // types.IsNodeCriticalPod: a critical priority *and* the
    // system-node-critical class (system-cluster-critical pods follow QoS).
    if spec.priority >= SYSTEM_CRITICAL_PRIORITY && spec.priority_class_name == SYSTEM_NODE_CRITICAL
    {
        return GUARANTEED_OOM_SCORE_ADJ;
    }
    match qos {
        QosClass::Guaranteed => return GUARANTEED_OOM_SCORE_ADJ,
        QosClass::BestEffort => return BESTEFFORT_OOM_SCORE_ADJ,
        QosClass::Burstable => {}
    }
    let adj = burstable_adjust(
        container.resources.memory_request_bytes.map_or(0, |b| b.0),
        memory_capacity_bytes,
    );
    // A sidecar must not be killed before the app containers it serves: it
    // gets at most the lowest score of those containers.
    let is_sidecar = container.is_sidecar()
        && spec
            .init_containers
            .iter()
            .any(|c| c.name == container.name);
    if is_sidecar {
        let min_app = spec
            .containers
            .iter()
            .map(|c| {
                burstable_adjust(
                    c.resources.memory_request_bytes.map_or(0, |b| b.0),
                    memory_capacity_bytes,
                )
            })
            .min();
        if let Some(m) = min_app {
            return adj.min(m);
        }
    }
    adj
}

fn burstable_adjust(memory_request: i64, memory_capacity: i64) -> i64 {
    if memory_capacity <= 0 {
        return BESTEFFORT_OOM_SCORE_ADJ - 1;
    }
    let adj = 1000 - (1000 * memory_request as i128 / memory_capacity as i128) as i64;
    // Keep Burstable above Guaranteed and below BestEffort.
    if adj < 1000 + GUARANTEED_OOM_SCORE_ADJ {
        return 1000 + GUARANTEED_OOM_SCORE_ADJ;
    }
    if adj == BESTEFFORT_OOM_SCORE_ADJ {
        return adj - 1;
    }
    adj
}

/// The cgroup values kubelet writes for one container.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContainerCgroup {
    /// `cpu.shares` (v1 value kubelet computes).
    pub cpu_shares: u64,
    /// `cpu.weight` the runtime writes on cgroup v2.
    pub cpu_weight: u64,
    /// `None` = unlimited (`-1` in v1, `max` in v2).
    pub cpu_quota_us: Option<i64>,
    /// `memory.max` / `memory.limit_in_bytes` (`None`: unlimited).
    pub memory_limit_bytes: Option<i64>,
    /// `oom_score_adj` of the container's processes.
    pub oom_score_adj: i64,
}

/// Cluster-wide cgroup settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CgroupConfig {
    /// Which hierarchy the nodes run; decides whether the CPU solver divides
    /// by `cpu.shares` (v1) or `cpu.weight` (v2).
    pub version: CgroupVersion,
    /// How the container runtime turns container `cpu.shares` into
    /// `cpu.weight`. Pod and QoS cgroups are written by kubelet itself,
    /// always with the linear formula (`getCPUWeight`).
    pub weight_conversion: CpuWeightConversion,
}

/// cgroup v1 or v2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CgroupVersion {
    /// cgroup v1: CPU divided by `cpu.shares`.
    V1,
    #[default]
    /// cgroup v2: CPU divided by `cpu.weight`.
    V2,
}

impl CgroupConfig {
    /// The weight the kernel divides CPU by for a pod or QoS cgroup that
    /// kubelet gave `shares` (kubelet converts with `getCPUWeight`, linear).
    pub fn pod_weight(&self, shares: u64) -> f64 {
        match self.version {
            CgroupVersion::V1 => shares as f64,
            CgroupVersion::V2 => {
                cpu_shares_to_cpu_weight(shares, CpuWeightConversion::Linear) as f64
            }
        }
    }
    /// The weight of a container cgroup with `shares` (converted by the
    /// container runtime with [`CgroupConfig::weight_conversion`]).
    pub fn container_weight(&self, shares: u64) -> f64 {
        match self.version {
            CgroupVersion::V1 => shares as f64,
            CgroupVersion::V2 => cpu_shares_to_cpu_weight(shares, self.weight_conversion) as f64,
        }
    }
}

/// kubelet's `calculateLinuxResources` plus `GetContainerOOMScoreAdjust` for
/// one container (requests already defaulted from limits).
pub fn container_cgroup(
    spec: &PodSpec,
    qos: QosClass,
    container: &Container,
    memory_capacity_bytes: i64,
    config: &CgroupConfig,
) -> ContainerCgroup {
    let r = &container.resources;
    let cpu_shares = milli_cpu_to_shares(r.cpu_request_m.map_or(0, |m| m.0));
    ContainerCgroup {
        cpu_shares,
        cpu_weight: cpu_shares_to_cpu_weight(cpu_shares, config.weight_conversion),
        cpu_quota_us: r
            .cpu_limit_m
            .map(|m| m.0)
            .filter(|m| *m > 0)
            .map(|m| milli_cpu_to_quota(m, QUOTA_PERIOD_US)),
        memory_limit_bytes: r.memory_limit_bytes.map(|b| b.0).filter(|m| *m > 0),
        oom_score_adj: get_container_oom_score_adjust(spec, qos, container, memory_capacity_bytes),
    }
}
