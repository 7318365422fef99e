//! Resource amounts with units, and the per-pod request arithmetic.
//!
//! CPU is held as integer millicores ([`MilliCpu`]), memory as integer bytes
//! ([`Bytes`]); extended resources (`nvidia.com/gpu`) as integer counts. A
//! [`ResourceList`] is the analogue of kube-scheduler's `framework.Resource`.
//! [`pod_requests`] is `resourcehelper.PodRequests`
//! (staging/src/k8s.io/component-helpers/resource/helpers.go): the sum over
//! app containers, raised to the largest init container.

use crate::api::pod::{Container, PodSpec};
use std::fmt;

/// CPU in millicores (1000 = one core).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct MilliCpu(pub i64);

/// Memory in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Bytes(pub i64);

impl MilliCpu {
    /// Whole cores, fractional.
    pub fn as_cores(self) -> f64 {
        self.0 as f64 / 1000.0
    }
}

impl fmt::Display for MilliCpu {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}m", self.0)
    }
}
impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Largest CPU quantity kubesim accepts in one place (millicores): about a
/// billion cores. Inputs are bounded so that sums over a pod's containers
/// cannot overflow; sums over a node saturate ([`ResourceList::add`]).
pub const MAX_QUANTITY_MILLI_CPU: i64 = 1 << 40;
/// Largest memory quantity kubesim accepts (bytes): 1 PiB.
pub const MAX_QUANTITY_BYTES: i64 = 1 << 50;
/// Largest count (pods, extended resources) kubesim accepts.
pub const MAX_QUANTITY_COUNT: i64 = 1 << 40;

/// The resource names kubesim models.
pub const RESOURCE_CPU: &str = "cpu";
/// `memory`.
pub const RESOURCE_MEMORY: &str = "memory";
/// `pods`.
pub const RESOURCE_PODS: &str = "pods";

/// A set of resource amounts: cpu, memory, pod count and extended resources.
///
/// `scalar` stays sorted by name so that iteration order (and thus any output
/// derived from it) is deterministic. Most pods have no extended resources;
/// an empty `Vec` costs no allocation.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResourceList {
    /// CPU in millicores.
    pub milli_cpu: i64,
    /// Memory in bytes.
    pub memory: i64,
    /// Pod count.
    pub pods: i64,
    /// Extended resources (`nvidia.com/gpu`), sorted by name.
    pub scalar: Vec<(String, i64)>,
}

impl ResourceList {
    /// The amount of extended resource `name` (0 if absent).
    pub fn scalar(&self, name: &str) -> i64 {
        self.scalar
            .iter()
            .find(|(n, _)| n == name)
            .map_or(0, |(_, v)| *v)
    }
    /// Sets extended resource `name`, keeping the list sorted.
    pub fn set_scalar(&mut self, name: &str, value: i64) {
        match self.scalar.binary_search_by(|(n, _)| n.as_str().cmp(name)) {
            Ok(i) => self.scalar[i].1 = value,
            Err(i) => self.scalar.insert(i, (name.to_string(), value)),
        }
    }
    /// Adds `other` to `self`, resource by resource. Saturates instead of
    /// wrapping: a sum past `i64::MAX` stays at the maximum, so it never
    /// turns negative and fits nowhere.
    pub fn add(&mut self, other: &ResourceList) {
        self.milli_cpu = self.milli_cpu.saturating_add(other.milli_cpu);
        self.memory = self.memory.saturating_add(other.memory);
        self.pods = self.pods.saturating_add(other.pods);
        for (n, v) in &other.scalar {
            let cur = self.scalar(n);
            self.set_scalar(n, cur.saturating_add(*v));
        }
    }
    /// Subtracts `other` from `self`, resource by resource (saturating).
    pub fn sub(&mut self, other: &ResourceList) {
        self.milli_cpu = self.milli_cpu.saturating_sub(other.milli_cpu);
        self.memory = self.memory.saturating_sub(other.memory);
        self.pods = self.pods.saturating_sub(other.pods);
        for (n, v) in &other.scalar {
            let cur = self.scalar(n);
            self.set_scalar(n, cur.saturating_sub(*v));
        }
    }
    /// Raises each resource of `self` to at least the one in `other`.
    pub fn set_max(&mut self, other: &ResourceList) {
        self.milli_cpu = self.milli_cpu.max(other.milli_cpu);
        self.memory = self.memory.max(other.memory);
        self.pods = self.pods.max(other.pods);
        for (n, v) in &other.scalar {
            let cur = self.scalar(n);
            self.set_scalar(n, cur.max(*v));
        }
    }
}

/// Requests and limits of one container. `None` means "not set", which is
/// different from an explicit zero: kube-scheduler's non-zero defaults apply
/// only to unset requests.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResourceRequirements {
    /// `requests.cpu`.
    pub cpu_request_m: Option<MilliCpu>,
    /// `limits.cpu`.
    pub cpu_limit_m: Option<MilliCpu>,
    /// `requests.memory`.
    pub memory_request_bytes: Option<Bytes>,
    /// `limits.memory`.
    pub memory_limit_bytes: Option<Bytes>,
    /// Extended resources (`nvidia.com/gpu`): requests, sorted by name.
    pub extended_requests: Vec<(String, i64)>,
    /// Extended resources: limits, sorted by name.
    pub extended_limits: Vec<(String, i64)>,
}

impl ResourceRequirements {
    /// API defaulting (pkg/apis/core/v1/defaults.go `SetDefaults_Pod`): a
    /// container that sets a limit but no request gets request = limit.
    pub fn apply_defaults(&mut self) {
        if self.cpu_request_m.is_none() {
            self.cpu_request_m = self.cpu_limit_m;
        }
        if self.memory_request_bytes.is_none() {
            self.memory_request_bytes = self.memory_limit_bytes;
        }
        for (name, limit) in &self.extended_limits {
            if !self.extended_requests.iter().any(|(n, _)| n == name) {
                self.extended_requests.push((name.clone(), *limit));
            }
        }
        self.extended_requests.sort();
    }

    /// The container's requests as a [`ResourceList`] (unset counts as zero).
    pub fn requests(&self) -> ResourceList {
        ResourceList {
            milli_cpu: self.cpu_request_m.map_or(0, |m| m.0),
            memory: self.memory_request_bytes.map_or(0, |b| b.0),
            pods: 0,
            scalar: self.extended_requests.clone(),
        }
    }

    /// The container's limits as a [`ResourceList`] (unset counts as zero).
    pub fn limits(&self) -> ResourceList {
        ResourceList {
            milli_cpu: self.cpu_limit_m.map_or(0, |m| m.0),
            memory: self.memory_limit_bytes.map_or(0, |b| b.0),
            pods: 0,
            scalar: self.extended_limits.clone(),
        }
    }
}

/// Default CPU request the scheduler assumes for scoring when a container
/// sets none (pkg/scheduler/util/pod_resources.go `DefaultMilliCPURequest`).
pub const DEFAULT_MILLI_CPU_REQUEST: i64 = 100;
/// Default memory request for scoring (`DefaultMemoryRequest`, 200 MiB).
pub const DEFAULT_MEMORY_REQUEST: i64 = 200 * 1024 * 1024;

/// `GetNonzeroRequests`: the container's cpu and memory requests, with the
/// scheduler's defaults for those left unset (an explicit 0 stays 0).
pub fn nonzero_requests(c: &Container) -> (i64, i64) {
    let r = &c.resources;
    (
        r.cpu_request_m.map_or(DEFAULT_MILLI_CPU_REQUEST, |m| m.0),
        r.memory_request_bytes
            .map_or(DEFAULT_MEMORY_REQUEST, |b| b.0),
    )
}

/// `PodRequests`: sum of app-container requests (restartable init containers,
/// i.e. sidecars, count as app containers from their start on), raised to
/// the largest request any single init container needs while it runs.
pub fn pod_requests(spec: &PodSpec) -> ResourceList {
    aggregate_containers(spec, ResourceRequirements::requests)
}

/// `PodLimits`: the same aggregation over limits (unset counts as zero).
pub fn pod_limits(spec: &PodSpec) -> ResourceList {
    aggregate_containers(spec, ResourceRequirements::limits)
}

/// `aggregateContainerResourcesByFn`
/// (staging/src/k8s.io/component-helpers/resource/helpers.go).
fn aggregate_containers(
    spec: &PodSpec,
    of: fn(&ResourceRequirements) -> ResourceList,
) -> ResourceList {
    let mut sum = ResourceList::default();
    for c in &spec.containers {
        sum.add(&of(&c.resources));
    }
    let mut restartable = ResourceList::default();
    let mut init_max = ResourceList::default();
    for c in &spec.init_containers {
        let r = of(&c.resources);
        if c.is_sidecar() {
            restartable.add(&r);
            sum.add(&r);
            init_max.set_max(&restartable);
        } else {
            let mut tmp = r;
            tmp.add(&restartable);
            init_max.set_max(&tmp);
        }
    }
    sum.set_max(&init_max);
    sum
}

/// Non-zero cpu and memory requests of a pod (for scoring), computed as
/// [`pod_requests`] but with [`nonzero_requests`] per container.
pub fn pod_nonzero_requests(spec: &PodSpec) -> (i64, i64) {
    let (mut cpu, mut mem) = (0i64, 0i64);
    for c in &spec.containers {
        let (c_cpu, c_mem) = nonzero_requests(c);
        cpu = cpu.saturating_add(c_cpu);
        mem = mem.saturating_add(c_mem);
    }
    let (mut r_cpu, mut r_mem, mut max_cpu, mut max_mem) = (0i64, 0i64, 0i64, 0i64);
    for c in &spec.init_containers {
        let (c_cpu, c_mem) = nonzero_requests(c);
        if c.is_sidecar() {
            r_cpu = r_cpu.saturating_add(c_cpu);
            r_mem = r_mem.saturating_add(c_mem);
            cpu = cpu.saturating_add(c_cpu);
            mem = mem.saturating_add(c_mem);
            max_cpu = max_cpu.max(r_cpu);
            max_mem = max_mem.max(r_mem);
        } else {
            max_cpu = max_cpu.max(c_cpu.saturating_add(r_cpu));
            max_mem = max_mem.max(c_mem.saturating_add(r_mem));
        }
    }
    (cpu.max(max_cpu), mem.max(max_mem))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::pod::Container;

    fn c(cpu: Option<i64>, mem: Option<i64>) -> Container {
        Container {
            name: "c".into(),
            image: "i".into(),
            resources: ResourceRequirements {
                cpu_request_m: cpu.map(MilliCpu),
                memory_request_bytes: mem.map(Bytes),
                ..Default::default()
            },
            restart_policy: None,
            ..Default::default()
        }
    }

    #[test]
    fn pod_requests_takes_max_of_init_and_sum() {
        let spec = PodSpec {
            containers: vec![c(Some(100), Some(10)), c(Some(200), Some(20))],
            init_containers: vec![c(Some(500), Some(5))],
            ..Default::default()
        };
        let r = pod_requests(&spec);
        assert_eq!((r.milli_cpu, r.memory), (500, 30));
    }

    #[test]
    fn nonzero_defaults_apply_only_to_unset() {
        let spec = PodSpec {
            containers: vec![c(None, None), c(Some(0), Some(0))],
            ..Default::default()
        };
        assert_eq!(
            pod_nonzero_requests(&spec),
            (DEFAULT_MILLI_CPU_REQUEST, DEFAULT_MEMORY_REQUEST)
        );
    }

    #[test]
    fn limit_defaults_request() {
        let mut r = ResourceRequirements {
            cpu_limit_m: Some(MilliCpu(500)),
            memory_limit_bytes: Some(Bytes(1 << 30)),
            extended_limits: vec![("nvidia.com/gpu".into(), 1)],
            ..Default::default()
        };
        r.apply_defaults();
        assert_eq!(r.cpu_request_m, Some(MilliCpu(500)));
        assert_eq!(r.memory_request_bytes, Some(Bytes(1 << 30)));
        assert_eq!(r.extended_requests, vec![("nvidia.com/gpu".to_string(), 1)]);
    }
}
