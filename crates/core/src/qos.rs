//! Pod QoS class, exactly as `ComputePodQOS`
//! (pkg/apis/core/v1/helper/qos/qos.go).
//!
//! Only cpu and memory count. Requests and limits are summed over all
//! containers (init containers included) counting only positive amounts; a
//! pod is Guaranteed when every container limits both cpu and memory and the
//! summed requests equal the summed limits resource by resource; BestEffort
//! when no container requests or limits anything; Burstable otherwise.

use crate::api::pod::PodSpec;

/// `v1.PodQOSClass`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum QosClass {
    /// Every container limits cpu and memory, requests equal limits.
    Guaranteed,
    /// Anything between.
    Burstable,
    /// No container requests or limits cpu or memory.
    BestEffort,
}

impl QosClass {
    /// The API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            QosClass::Guaranteed => "Guaranteed",
            QosClass::Burstable => "Burstable",
            QosClass::BestEffort => "BestEffort",
        }
    }
}

/// `ComputePodQOS`.
pub fn compute_pod_qos(spec: &PodSpec) -> QosClass {
    // Summed positive requests/limits for (cpu, memory); None = not found.
    let mut req: [Option<i64>; 2] = [None, None];
    let mut lim: [Option<i64>; 2] = [None, None];
    let mut is_guaranteed = true;
    let add = |slot: &mut Option<i64>, v: Option<i64>| {
        if let Some(v) = v.filter(|v| *v > 0) {
            *slot = Some(slot.unwrap_or(0).saturating_add(v));
        }
    };
    for c in spec.containers.iter().chain(&spec.init_containers) {
        let r = &c.resources;
        let (cpu_req, mem_req) = (
            r.cpu_request_m.map(|m| m.0),
            r.memory_request_bytes.map(|b| b.0),
        );
        let (cpu_lim, mem_lim) = (
            r.cpu_limit_m.map(|m| m.0),
            r.memory_limit_bytes.map(|b| b.0),
        );
        add(&mut req[0], cpu_req);
        add(&mut req[1], mem_req);
        add(&mut lim[0], cpu_lim);
        add(&mut lim[1], mem_lim);
        let has_cpu_limit = cpu_lim.is_some_and(|v| v > 0);
        let has_mem_limit = mem_lim.is_some_and(|v| v > 0);
        if !(has_cpu_limit && has_mem_limit) {
            is_guaranteed = false;
        }
    }
    if req.iter().all(Option::is_none) && lim.iter().all(Option::is_none) {
        return QosClass::BestEffort;
    }
    if is_guaranteed {
        for i in 0..2 {
            if let Some(r) = req[i] {
                if lim[i] != Some(r) {
                    is_guaranteed = false;
                }
            }
        }
    }
    let count = |a: &[Option<i64>; 2]| a.iter().filter(|v| v.is_some()).count();
    if is_guaranteed && count(&req) == count(&lim) {
        QosClass::Guaranteed
    } else {
        QosClass::Burstable
    }
}
