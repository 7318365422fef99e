//! Node-pressure eviction (pkg/kubelet/eviction): kubelet's eviction
//! manager, for memory.
//!
//! Every `housekeepingInterval` the manager observes `memory.available`
//! (capacity minus the node's memory in use) and compares it with the
//! thresholds: `evictionHard` at once, `evictionSoft` once it has held for
//! its grace period. While a threshold is met the node has the
//! `MemoryPressure` condition (and its `NoSchedule` taint), kept until
//! `evictionPressureTransitionPeriod` has passed without one; each check
//! that meets a threshold evicts one pod, ranked as `rankMemoryPressure`:
//! pods using more than they request first, then lower priority, then the
//! largest usage above request. Critical pods are ranked but never
//! evicted. A hard eviction kills with a 1 s grace
//! (`immediateEvictionGracePeriodSeconds`), a soft one with
//! `evictionMaxPodGracePeriod` (or the pod's own, if shorter).
//!
//! No check is ticked while memory is plentiful: the manager computes when
//! `memory.available` would first drop below the largest threshold and
//! wakes at the first housekeeping tick after it; under pressure it checks
//! every interval, as kubelet does.

use super::termination::Cause;
use super::{events, Effects, Kubelet, KubeletTimer, NodeTimerKind};
use crate::accounting::Crossing;
use crate::api::{
    EvictionThreshold, NodeId, PodId, Quantity, QuantityFormat, Store, SYSTEM_CRITICAL_PRIORITY,
};
use crate::kernel::SimTime;
use std::cmp::Ordering;

/// `immediateEvictionGracePeriodSeconds` (pkg/kubelet/eviction/eviction_manager.go).
pub const IMMEDIATE_EVICTION_GRACE_PERIOD_S: i64 = 1;

/// One pod as the eviction manager ranks it (a row of `evictions.csv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EvictionCandidate {
    /// When.
    pub time: SimTime,
    /// The node.
    pub node: NodeId,
    /// `memory.available` observed.
    pub observed_bytes: i64,
    /// The threshold met.
    pub threshold_bytes: i64,
    /// The pod.
    pub pod: PodId,
    /// Its memory in use.
    pub usage_bytes: i64,
    /// Its memory request.
    pub request_bytes: i64,
    /// Its priority.
    pub priority: i32,
    /// Its place in the ranking, 0 first.
    pub rank: u32,
    /// Whether it was evicted.
    pub evicted: bool,
}

/// The eviction manager's state on one node.
#[derive(Debug, Clone, Default)]
pub(super) struct NodeEviction {
    /// When each soft threshold was first seen met (by index).
    soft_since: Vec<Option<SimTime>>,
    /// When a threshold was last seen met.
    last_met: Option<SimTime>,
}

/// The order of `rankMemoryPressure` (pkg/kubelet/eviction/helpers.go):
/// `exceedMemoryRequests`, then `priority`, then `memory` (usage above
/// request, larger first). `Less` means evicted first.
pub fn rank_memory_pressure(a: (i64, i64, i32), b: (i64, i64, i32)) -> Ordering {
    let (ua, ra, pa) = a;
    let (ub, rb, pb) = b;
    let exceeds = |u: i64, r: i64| u > r;
    exceeds(ub, rb)
        .cmp(&exceeds(ua, ra))
        .then(pa.cmp(&pb))
        .then((ub - rb).cmp(&(ua - ra)))
}

impl Kubelet {
    fn housekeeping_tick_at_or_after(&self, store: &Store, node: NodeId, t: SimTime) -> SimTime {
        let every = store.node(node).kubelet.housekeeping_interval.0.max(1);
        SimTime(t.0.div_ceil(every).saturating_mul(every))
    }

    /// Arms the node's next eviction check: the next housekeeping tick if
    /// the node is (or may be) under pressure, otherwise the first tick
    /// after `memory.available` would drop below the largest threshold.
    pub(super) fn arm_eviction(
        &mut self,
        store: &Store,
        node: NodeId,
        now: SimTime,
        fx: &mut Effects,
    ) {
        let n = store.node(node);
        let cfg = &n.kubelet;
        let thresholds: Vec<&EvictionThreshold> =
            cfg.eviction_hard.iter().chain(&cfg.eviction_soft).collect();
        let Some(largest) = thresholds
            .iter()
            .map(|t| t.value.bytes(n.capacity.memory))
            .max()
        else {
            return;
        };
        let st = &self.eviction[node.index()];
        let busy =
            n.memory_pressure || st.last_met.is_some() || st.soft_since.iter().any(Option::is_some);
        let from = SimTime(now.0.saturating_add(1));
        let at = if busy {
            self.housekeeping_tick_at_or_after(store, node, from)
        } else {
            // Pressure when capacity − (pods + system) < threshold, i.e. pods
            // ≥ capacity − system − threshold + 1.
            let pods_at = n
                .capacity
                .memory
                .saturating_sub(self.accounting.node_system_memory(node))
                .saturating_sub(largest)
                .saturating_add(1);
            match self.accounting.node_pods_first_reaching(node, now, pods_at) {
                Crossing::Now => self.housekeeping_tick_at_or_after(store, node, from),
                Crossing::CheckAt(t) => {
                    self.housekeeping_tick_at_or_after(store, node, t.max(from))
                }
                Crossing::Never => {
                    self.node_timers
                        .cancel(node.index(), NodeTimerKind::Eviction);
                    return;
                }
            }
        };
        let gen = self.node_timers.arm(node.index(), NodeTimerKind::Eviction);
        fx.timers.push((
            at,
            KubeletTimer::Node {
                kind: NodeTimerKind::Eviction,
                node,
                gen,
            },
        ));
    }

    /// The eviction manager's `synchronize` at a housekeeping tick.
    pub(super) fn on_eviction_check(
        &mut self,
        store: &mut Store,
        node: NodeId,
        now: SimTime,
        fx: &mut Effects,
    ) {
        let n = store.node(node);
        let capacity = n.capacity.memory;
        let available = capacity.saturating_sub(self.accounting.node_memory(node, now));
        let cfg = n.kubelet.clone();
        let st = &mut self.eviction[node.index()];
        st.soft_since.resize(cfg.eviction_soft.len(), None);
        // Hard thresholds drive eviction at once; soft ones after their
        // grace period. Any threshold below its value, grace or not, sets
        // the condition (`nodeConditions(thresholds)` in synchronize).
        let mut met: Option<(i64, bool)> = None; // (threshold bytes, hard)
        let mut observed = false;
        for t in &cfg.eviction_hard {
            let b = t.value.bytes(capacity);
            if available < b {
                observed = true;
                if met.is_none_or(|(m, _)| b > m) {
                    met = Some((b, true));
                }
            }
        }
        for (i, t) in cfg.eviction_soft.iter().enumerate() {
            let b = t.value.bytes(capacity);
            if available < b {
                observed = true;
                let since = *st.soft_since[i].get_or_insert(now);
                let grace = t.grace_period.unwrap_or(SimTime::ZERO);
                if now.saturating_sub(since) >= grace && met.is_none() {
                    met = Some((b, false));
                }
            } else {
                st.soft_since[i] = None;
            }
        }
        if observed {
            st.last_met = Some(now);
        }
        // The condition holds while a threshold was met within the
        // transition period.
        let pressure = st
            .last_met
            .is_some_and(|t| now.saturating_sub(t) < cfg.eviction_pressure_transition_period);
        if !pressure {
            st.last_met = None;
        }
        if pressure != n.memory_pressure {
            fx.events
                .push(events::memory_pressure(store, node, pressure, now));
            store.set_memory_pressure(node, pressure);
        }
        if let Some((threshold, hard)) = met {
            self.evict_one(store, node, available, threshold, hard, &cfg, now, fx);
        }
        self.arm_eviction(store, node, now, fx);
    }

    /// Ranks the node's pods and evicts the first that may be evicted.
    #[allow(clippy::too_many_arguments)]
    fn evict_one(
        &mut self,
        store: &mut Store,
        node: NodeId,
        available: i64,
        threshold: i64,
        hard: bool,
        cfg: &crate::api::KubeletConfiguration,
        now: SimTime,
        fx: &mut Effects,
    ) {
        let books = &self.accounting;
        let mut ranked: Vec<(PodId, i64, i64, i32)> = books
            .node(node)
            .pods()
            .iter()
            .filter(|&&p| {
                let e = store.pod(p);
                !e.is_deleting() && self.pods[p.index()].terminating.is_none()
            })
            .map(|&p| {
                let e = store.pod(p);
                let usage = e
                    .container_ids()
                    .map(|c| books.container_memory(c, now))
                    .fold(0i64, i64::saturating_add);
                (p, usage, e.requests().memory, e.pod().spec.priority)
            })
            .collect();
        // Stable: equal pods keep bind order.
        ranked.sort_by(|a, b| rank_memory_pressure((a.1, a.2, a.3), (b.1, b.2, b.3)));
        let victim = ranked
            .iter()
            .position(|&(_, _, _, prio)| prio < SYSTEM_CRITICAL_PRIORITY);
        for (rank, &(pod, usage, request, priority)) in ranked.iter().enumerate() {
            fx.evictions.push(EvictionCandidate {
                time: now,
                node,
                observed_bytes: available,
                threshold_bytes: threshold,
                pod,
                usage_bytes: usage,
                request_bytes: request,
                priority,
                rank: rank as u32,
                evicted: Some(rank) == victim,
            });
        }
        let Some(v) = victim else { return };
        let (pod, _, _, _) = ranked[v];
        let message = eviction_message(store, books, pod, threshold, available, now);
        fx.events
            .push(events::eviction_threshold_met(store, node, now));
        fx.events.push(events::evicted(store, pod, &message, now));
        store.set_pod_message(pod, message);
        let own = store.pod(pod).pod().spec.termination_grace_period_s;
        let grace = if hard {
            IMMEDIATE_EVICTION_GRACE_PERIOD_S
        } else if cfg.eviction_max_pod_grace_period_s > 0 {
            cfg.eviction_max_pod_grace_period_s.min(own)
        } else {
            own
        };
        self.terminate(store, pod, grace, Cause::Evicted, now, fx);
    }
}

/// `evictionMessage` (pkg/kubelet/eviction/helpers.go): the resource, the
/// threshold and what was available, and each container using more than
/// it requests — quantities as the API prints them.
fn eviction_message(
    store: &Store,
    books: &crate::accounting::Accounting,
    pod: PodId,
    threshold: i64,
    available: i64,
    now: SimTime,
) -> String {
    let q = |b: i64| Quantity::from_int(b, QuantityFormat::BinarySI).canonical_string();
    let mut m = "The node was low on resource: memory. ".to_string();
    m.push_str(&format!(
        "Threshold quantity: {}, available: {}. ",
        q(threshold),
        q(available)
    ));
    let e = store.pod(pod);
    for (ci, cid) in e.container_ids().enumerate() {
        let c = e.pod().spec.container(ci);
        if ci < e.init_count() && !c.is_sidecar() {
            continue;
        }
        let usage = books.container_memory(cid, now);
        let request = c.resources.memory_request_bytes.map_or(0, |b| b.0);
        if usage > request {
            m.push_str(&format!(
                "Container {} was using {}, request is {}, has larger consumption of memory. ",
                c.name,
                q(usage),
                q(request)
            ));
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    // After upstream TestOrderedByExceedsRequestMemory, TestOrderedByPriority
    // and TestOrderedbyMemory (pkg/kubelet/eviction/helpers_test.go): the
    // three keys in their order. (usage, request, priority) → expected order.
    #[test]
    fn rank_memory_pressure_table() {
        let mi = |x: i64| x << 20;
        // (usage, request, priority) per pod → eviction order.
        type Case = (Vec<(i64, i64, i32)>, Vec<usize>);
        let cases: Vec<Case> = vec![
            // Exceeding its request comes first, whatever the size.
            (vec![(mi(100), mi(200), 0), (mi(50), mi(10), 0)], vec![1, 0]),
            // Then lower priority.
            (
                vec![(mi(300), mi(100), 10), (mi(300), mi(100), 0)],
                vec![1, 0],
            ),
            // Then the larger usage above request.
            (
                vec![
                    (mi(300), mi(100), 0),
                    (mi(500), mi(100), 0),
                    (mi(150), 0, 0),
                ],
                vec![1, 0, 2],
            ),
            // Below request: priority still decides before usage.
            (vec![(mi(10), mi(100), 5), (mi(90), mi(100), 7)], vec![0, 1]),
            // BestEffort (request 0) using anything exceeds its request.
            (vec![(mi(500), mi(600), 0), (1, 0, 0)], vec![1, 0]),
        ];
        for (pods, want) in cases {
            let mut idx: Vec<usize> = (0..pods.len()).collect();
            idx.sort_by(|&a, &b| rank_memory_pressure(pods[a], pods[b]));
            assert_eq!(idx, want, "{pods:?}");
        }
    }
}
