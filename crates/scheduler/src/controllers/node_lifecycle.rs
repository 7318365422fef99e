//! The node lifecycle controller
//! (pkg/controller/nodelifecycle/node_lifecycle_controller.go).
//!
//! It watches each node's Lease. Its monitor pass runs every
//! `nodeMonitorPeriod` (5 s, from time 0); a pass *sees* a renewal the
//! first time it runs at or after it and takes its own clock as the
//! node's probe time. A node whose probe time is more than
//! `nodeMonitorGracePeriod` (50 s) old at a pass (strictly) gets
//! `Ready=Unknown` (`NodeStatusUnknown`, "Kubelet stopped posting node
//! status."), the event `NodeNotReady`, its pods' Ready conditions set to
//! False with a Warning `NodeNotReady` "Node is not ready" each
//! (`MarkPodsNotReady`), and at once the taint
//! `node.kubernetes.io/unreachable:NoSchedule` (`doNoScheduleTaintingPass`).
//! The next pass sees `Unknown` and queues the node for
//! `node.kubernetes.io/unreachable:NoExecute` in its zone's rate-limited
//! queue (`doNoExecuteTaintingPass` every 100 ms, a token bucket of
//! `--node-eviction-rate` 0.1 nodes/s, burst 1, starting full). A node
//! whose kubelet posts `Ready=True` again loses the NoSchedule taint at
//! once and the NoExecute one at the next pass (`markNodeAsReachable`).
//!
//! Zones (`topology.kubernetes.io/zone` and region, beta labels first;
//! unlabeled nodes share one) have a state after every pass
//! (`ComputeZoneState`): FullDisruption when none of their nodes is
//! Ready, PartialDisruption when more than 2 and at least
//! `unhealthyZoneThreshold` (55 %) are not, Normal otherwise. A partially
//! disrupted zone taints at `--secondary-node-eviction-rate` (0.01/s) if
//! it has more than `largeClusterSizeThreshold` (50) nodes, else not at
//! all. When every zone is fully disrupted the controller assumes the
//! problem is its own: it removes every NoExecute taint and stops
//! (`handleDisruption`); when that ends, every node's probe time restarts.
//!
//! Rather than run a pass every 5 s over every node, kubesim computes the
//! pass at which something can change for a node (its lease stopped:
//! the first pass past probe + grace; its kubelet came back: the next
//! pass) and runs the passes due at one instant together, then the zone
//! update once — what a full pass would have done, since a pass changes
//! nothing for a node whose lease is fresh.

use super::ControllerTimer;
use kubesim_core::{
    ConditionStatus, KubeEvent, NodeId, SimTime, Store, Taint, TaintEffect, TAINT_NODE_NOT_READY,
    TAINT_NODE_UNREACHABLE,
};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// The controller manager's node settings (`cluster.controllerManager`),
/// with kube-controller-manager's defaults.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ControllerManagerConfig {
    /// `--node-monitor-period` (5 s).
    pub node_monitor_period: SimTime,
    /// `--node-monitor-grace-period` (50 s since 1.32).
    pub node_monitor_grace_period: SimTime,
    /// `--node-eviction-rate`: nodes tainted per second per zone (0.1).
    pub node_eviction_rate: f64,
    /// `--secondary-node-eviction-rate` (0.01).
    pub secondary_node_eviction_rate: f64,
    /// `--large-cluster-size-threshold` (50).
    pub large_cluster_size_threshold: u32,
    /// `--unhealthy-zone-threshold` (0.55).
    pub unhealthy_zone_threshold: f64,
    /// kubesim's `syncDelay` (0 s): how long after the event that queues
    /// it the Deployment and ReplicaSet controllers sync an object (the
    /// work queue and informer latency of a real controller manager).
    pub sync_delay: SimTime,
    /// kubesim's `endpointsDelay` (0 s): how long a change of a pod's
    /// readiness takes to reach its Services' published endpoints (the
    /// EndpointSlice controller and kube-proxy's propagation).
    pub endpoints_delay: SimTime,
}

impl Default for ControllerManagerConfig {
    fn default() -> Self {
        ControllerManagerConfig {
            node_monitor_period: SimTime::from_secs(5),
            node_monitor_grace_period: SimTime::from_secs(50),
            node_eviction_rate: 0.1,
            secondary_node_eviction_rate: 0.01,
            large_cluster_size_threshold: 50,
            unhealthy_zone_threshold: 0.55,
            sync_delay: SimTime::ZERO,
            endpoints_delay: SimTime::ZERO,
        }
    }
}

/// `NodeEvictionPeriod`: how often the NoExecute tainting pass runs.
pub const NODE_EVICTION_PERIOD: SimTime = SimTime(100_000_000);

/// `v1.LabelTopologyZone` and its deprecated beta form.
const ZONE_LABELS: [&str; 2] = [
    "failure-domain.beta.kubernetes.io/zone",
    "topology.kubernetes.io/zone",
];
/// `v1.LabelTopologyRegion` and its deprecated beta form.
const REGION_LABELS: [&str; 2] = [
    "failure-domain.beta.kubernetes.io/region",
    "topology.kubernetes.io/region",
];

/// `ZoneState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ZoneState {
    /// A zone not yet classified.
    Initial,
    /// Healthy enough.
    Normal,
    /// More than 2 and at least the threshold of its nodes not Ready.
    PartialDisruption,
    /// None of its nodes Ready.
    FullDisruption,
}

/// `ComputeZoneState`: from the number of Ready and not-Ready nodes.
pub fn compute_zone_state(ready: u32, not_ready: u32, unhealthy_threshold: f64) -> ZoneState {
    if ready == 0 && not_ready > 0 {
        ZoneState::FullDisruption
    } else if not_ready > 2
        && f64::from(not_ready) / f64::from(not_ready + ready) >= unhealthy_threshold
    {
        ZoneState::PartialDisruption
    } else {
        ZoneState::Normal
    }
}

/// `GetZoneKey` (component-helpers/node/topology): region and zone
/// labels, beta first; nodes with neither share the zone `""`.
pub fn zone_key(labels: &kubesim_core::Labels) -> String {
    let first = |keys: [&str; 2]| {
        keys.iter()
            .find_map(|k| labels.get(*k))
            .cloned()
            .unwrap_or_default()
    };
    let (region, zone) = (first(REGION_LABELS), first(ZONE_LABELS));
    if region.is_empty() && zone.is_empty() {
        String::new()
    } else {
        format!("{region}:\x00:{zone}")
    }
}

/// A zone's rate-limited NoExecute tainting queue.
#[derive(Debug)]
struct Zone {
    nodes: u32,
    not_ready: u32,
    state: ZoneState,
    /// Tainting rate (nodes/s; 0: never).
    qps: f64,
    /// When the token bucket (burst 1) next holds a token.
    token_at: SimTime,
    queue: VecDeque<NodeId>,
    /// A tainting pass is queued for this zone.
    pass_armed: bool,
}

impl Zone {
    fn interval(qps: f64) -> Option<SimTime> {
        (qps > 0.0).then(|| SimTime((1e9 / qps).round() as u64))
    }
    /// `SwapLimiter`: a new bucket, pre-drained if the old one was empty.
    fn swap_limiter(&mut self, qps: f64, now: SimTime) {
        if qps == self.qps {
            return;
        }
        let had_token = self.qps > 0.0 && self.token_at <= now;
        self.qps = qps;
        self.token_at = match Zone::interval(qps) {
            None => SimTime::MAX,
            Some(_) if had_token => now,
            Some(i) => now + i,
        };
    }
}

#[derive(Debug, Clone, Default)]
struct NodeHealth {
    registered: bool,
    zone: u32,
    /// The controller's restart of every probe time (leaving master
    /// disruption mode).
    probe_floor: SimTime,
    /// Ready as of its last pass (what the zone counts hold).
    seen: ConditionStatus,
}

/// The node lifecycle controller.
#[derive(Debug, Default)]
pub struct NodeLifecycleController {
    config: ControllerManagerConfig,
    nodes: Vec<NodeHealth>,
    zones: Vec<Zone>,
    zone_ids: BTreeMap<String, u32>,
    /// Nodes whose pass is due, by instant.
    due: BTreeMap<SimTime, BTreeSet<NodeId>>,
    /// Every zone is fully disrupted: evictions stopped.
    all_disrupted: bool,
}

impl NodeLifecycleController {
    /// A controller with `config`.
    pub fn new(config: ControllerManagerConfig) -> Self {
        NodeLifecycleController {
            config,
            ..Default::default()
        }
    }

    /// The first pass at or after `t`.
    fn pass_at_or_after(&self, t: SimTime) -> SimTime {
        let p = self.config.node_monitor_period.0.max(1);
        SimTime(t.0.div_ceil(p).saturating_mul(p))
    }

    /// The first pass strictly after `t`.
    fn pass_after(&self, t: SimTime) -> SimTime {
        self.pass_at_or_after(SimTime(t.0.saturating_add(1)))
    }

    fn schedule(
        &mut self,
        node: NodeId,
        at: SimTime,
        timers: &mut Vec<(SimTime, ControllerTimer)>,
    ) {
        let set = self.due.entry(at).or_default();
        if set.is_empty() {
            timers.push((at, ControllerTimer::NodeMonitorPass));
        }
        set.insert(node);
    }

    /// A node joined: the next pass registers it.
    pub fn node_added(
        &mut self,
        node: NodeId,
        now: SimTime,
        timers: &mut Vec<(SimTime, ControllerTimer)>,
    ) {
        if self.nodes.len() <= node.index() {
            self.nodes.resize(node.index() + 1, NodeHealth::default());
        }
        let at = self.pass_at_or_after(now);
        self.schedule(node, at, timers);
    }

    /// A node was deleted: the next pass says so and drops it.
    pub fn node_deleted(
        &mut self,
        node: NodeId,
        now: SimTime,
        timers: &mut Vec<(SimTime, ControllerTimer)>,
    ) {
        let at = self.pass_at_or_after(now);
        self.schedule(node, at, timers);
    }

    /// The node's probe time as of `now`: the pass that first saw its
    /// latest renewal.
    fn probe_time(&self, store: &Store, node: NodeId, now: SimTime) -> SimTime {
        let renewed = store.node(node).lease.renew_time(now);
        self.pass_at_or_after(renewed)
            .max(self.nodes[node.index()].probe_floor)
    }

    /// The node's Lease stopped or resumed: schedule the pass that will
    /// notice.
    pub fn lease_changed(
        &mut self,
        store: &Store,
        node: NodeId,
        now: SimTime,
        timers: &mut Vec<(SimTime, ControllerTimer)>,
    ) {
        let lease = store.node(node).lease;
        let at = if lease.is_renewing() {
            self.pass_at_or_after(now)
        } else {
            let probe = self.probe_time(store, node, now);
            self.pass_after(probe + self.config.node_monitor_grace_period)
        };
        self.schedule(node, at, timers);
    }

    /// `doNoScheduleTaintingPass` for the Ready condition: on every node
    /// update, `unreachable:NoSchedule` follows `Ready=Unknown`.
    pub fn node_updated(&mut self, store: &mut Store, node: NodeId) {
        let unknown = store.node(node).ready == ConditionStatus::Unknown;
        let has = has_taint(store, node, TAINT_NODE_UNREACHABLE, TaintEffect::NoSchedule);
        if unknown && !has {
            store.add_node_taint(node, taint(TAINT_NODE_UNREACHABLE, TaintEffect::NoSchedule));
        } else if !unknown && has {
            store.remove_node_taint(node, TAINT_NODE_UNREACHABLE, TaintEffect::NoSchedule);
        }
    }

    /// The monitor pass at `now`, for the nodes due then; then the zones.
    pub fn monitor_pass(
        &mut self,
        store: &mut Store,
        now: SimTime,
        events: &mut Vec<KubeEvent>,
        timers: &mut Vec<(SimTime, ControllerTimer)>,
    ) {
        let Some(nodes) = self.due.remove(&now) else {
            return;
        };
        for node in nodes {
            self.monitor_node(store, node, now, events, timers);
        }
        self.handle_disruption(store, now, timers);
    }

    fn monitor_node(
        &mut self,
        store: &mut Store,
        node: NodeId,
        now: SimTime,
        events: &mut Vec<KubeEvent>,
        timers: &mut Vec<(SimTime, ControllerTimer)>,
    ) {
        let name = store.node(node).name().to_string();
        if store.node(node).is_deleted() {
            self.unregister(node, &name, now, events);
            return;
        }
        if !self.nodes[node.index()].registered {
            self.register(store, node);
            events.push(KubeEvent::normal(
                now,
                "RegisteredNode",
                format!("node/{name}"),
                format!("Node {name} event: Registered Node {name} in Controller"),
            ));
        }
        // `observed`: Ready as the informer has it before this pass.
        let observed = store.node(node).ready;
        let stale = !store.node(node).lease.is_renewing()
            && now > self.probe_time(store, node, now) + self.config.node_monitor_grace_period;
        let current = if stale {
            ConditionStatus::Unknown
        } else {
            observed
        };
        if current != observed {
            store.set_node_ready(node, current);
        }
        self.count_ready(node, current);
        self.process_taint_based_eviction(store, node, observed, now, timers);
        if current != ConditionStatus::True && observed == ConditionStatus::True {
            events.push(KubeEvent::normal(
                now,
                "NodeNotReady",
                format!("node/{name}"),
                format!("Node {name} status is now: NodeNotReady"),
            ));
            mark_pods_not_ready(store, node, now, events);
            // The next pass sees Unknown and queues the NoExecute taint.
            let next = now + self.config.node_monitor_period;
            self.schedule(node, next, timers);
        }
    }

    /// Joins the node to its zone (`classifyNodes`, `addPodEvictorForNewZone`).
    fn register(&mut self, store: &Store, node: NodeId) {
        let key = zone_key(&store.node(node).metadata.labels);
        let next = self.zones.len() as u32;
        let z = *self.zone_ids.entry(key).or_insert(next);
        if z == next {
            let qps = self.config.node_eviction_rate;
            self.zones.push(Zone {
                nodes: 0,
                not_ready: 0,
                state: ZoneState::Initial,
                qps,
                token_at: SimTime::ZERO,
                queue: VecDeque::new(),
                pass_armed: false,
            });
        }
        let zone = &mut self.zones[z as usize];
        zone.nodes += 1;
        let h = &mut self.nodes[node.index()];
        h.registered = true;
        h.zone = z;
        h.seen = ConditionStatus::True;
    }

    /// `classifyNodes` found the node gone: out of its zone, and the
    /// event `RemovingNode`.
    fn unregister(&mut self, node: NodeId, name: &str, now: SimTime, events: &mut Vec<KubeEvent>) {
        let h = &mut self.nodes[node.index()];
        if !h.registered {
            return;
        }
        h.registered = false;
        let zone = &mut self.zones[h.zone as usize];
        zone.nodes -= 1;
        if h.seen != ConditionStatus::True {
            zone.not_ready -= 1;
        }
        zone.queue.retain(|&n| n != node);
        events.push(KubeEvent::normal(
            now,
            "RemovingNode",
            format!("node/{name}"),
            format!("Node {name} event: Removing Node {name} from Controller"),
        ));
    }

    /// The pass saw the node's Ready as `now`: the zone counts follow.
    fn count_ready(&mut self, node: NodeId, now: ConditionStatus) {
        let h = &mut self.nodes[node.index()];
        let was = std::mem::replace(&mut h.seen, now);
        let zone = &mut self.zones[h.zone as usize];
        match (was == ConditionStatus::True, now == ConditionStatus::True) {
            (true, false) => zone.not_ready += 1,
            (false, true) => zone.not_ready -= 1,
            _ => {}
        }
    }

    /// `processTaintBaseEviction` for what the pass observed.
    fn process_taint_based_eviction(
        &mut self,
        store: &mut Store,
        node: NodeId,
        observed: ConditionStatus,
        now: SimTime,
        timers: &mut Vec<(SimTime, ControllerTimer)>,
    ) {
        match observed {
            ConditionStatus::True => self.mark_node_as_reachable(store, node),
            ConditionStatus::Unknown => {
                if !has_taint(store, node, TAINT_NODE_UNREACHABLE, TaintEffect::NoExecute) {
                    self.mark_node_for_tainting(node, now, timers);
                }
            }
            // kubelet in kubesim never reports NotReady itself.
            ConditionStatus::False => {}
        }
    }

    /// `markNodeAsReachable`: both NoExecute taints off at once, and out
    /// of the zone's queue.
    fn mark_node_as_reachable(&mut self, store: &mut Store, node: NodeId) {
        for key in [TAINT_NODE_UNREACHABLE, TAINT_NODE_NOT_READY] {
            store.remove_node_taint(node, key, TaintEffect::NoExecute);
        }
        if let Some(h) = self.nodes.get(node.index()).filter(|h| h.registered) {
            self.zones[h.zone as usize].queue.retain(|&n| n != node);
        }
    }

    fn mark_node_for_tainting(
        &mut self,
        node: NodeId,
        now: SimTime,
        timers: &mut Vec<(SimTime, ControllerTimer)>,
    ) {
        let z = self.nodes[node.index()].zone;
        let zone = &mut self.zones[z as usize];
        if !zone.queue.contains(&node) {
            zone.queue.push_back(node);
        }
        self.arm_tainting(z, now, timers);
    }

    /// Queues the zone's next tainting pass: the first 100 ms tick at
    /// which its bucket holds a token.
    fn arm_tainting(&mut self, z: u32, now: SimTime, timers: &mut Vec<(SimTime, ControllerTimer)>) {
        let zone = &mut self.zones[z as usize];
        if zone.pass_armed || zone.queue.is_empty() || zone.token_at == SimTime::MAX {
            return;
        }
        let p = NODE_EVICTION_PERIOD.0;
        let at = SimTime(zone.token_at.max(now).0.div_ceil(p).saturating_mul(p));
        zone.pass_armed = true;
        timers.push((at, ControllerTimer::NoExecuteTainting(z)));
    }

    /// `doNoExecuteTaintingPass` for zone `z`: one node per token.
    pub fn tainting_pass(
        &mut self,
        store: &mut Store,
        z: u32,
        now: SimTime,
        timers: &mut Vec<(SimTime, ControllerTimer)>,
    ) {
        let zone = &mut self.zones[z as usize];
        zone.pass_armed = false;
        while zone.token_at <= now {
            let Some(node) = zone.queue.pop_front() else {
                break;
            };
            if store.node(node).ready != ConditionStatus::Unknown {
                continue; // ready again: dropped without a token
            }
            store.remove_node_taint(node, TAINT_NODE_NOT_READY, TaintEffect::NoExecute);
            store.add_node_taint(node, taint(TAINT_NODE_UNREACHABLE, TaintEffect::NoExecute));
            zone.token_at = match Zone::interval(zone.qps) {
                Some(i) => now + i,
                None => SimTime::MAX,
            };
        }
        self.arm_tainting(z, now, timers);
    }

    /// `handleDisruption`: zone states and their tainting rates.
    fn handle_disruption(
        &mut self,
        store: &mut Store,
        now: SimTime,
        timers: &mut Vec<(SimTime, ControllerTimer)>,
    ) {
        if self.zones.is_empty() {
            return;
        }
        let threshold = self.config.unhealthy_zone_threshold;
        let states: Vec<ZoneState> = self
            .zones
            .iter()
            .map(|z| compute_zone_state(z.nodes - z.not_ready, z.not_ready, threshold))
            .collect();
        let all_full = states.iter().all(|&s| s == ZoneState::FullDisruption);
        if all_full && !self.all_disrupted {
            // "Controller detected that all Nodes are not-Ready. Entering
            // master disruption mode."
            self.all_disrupted = true;
            for i in 0..self.nodes.len() {
                if self.nodes[i].registered {
                    self.mark_node_as_reachable(store, NodeId(i as u32));
                }
            }
            for (z, s) in self.zones.iter_mut().zip(&states) {
                z.swap_limiter(0.0, now);
                z.state = *s;
            }
            return;
        }
        if !all_full && self.all_disrupted {
            self.all_disrupted = false;
            self.restart_probes(store, now, timers);
            for (i, s) in states.iter().enumerate() {
                self.set_limiter_in_zone(i as u32, *s, now, timers);
            }
            return;
        }
        for (i, s) in states.iter().enumerate() {
            if self.zones[i].state != *s {
                self.set_limiter_in_zone(i as u32, *s, now, timers);
            }
        }
    }

    /// Leaving master disruption mode: every node's probe time is now.
    fn restart_probes(
        &mut self,
        store: &Store,
        now: SimTime,
        timers: &mut Vec<(SimTime, ControllerTimer)>,
    ) {
        for i in 0..self.nodes.len() {
            if !self.nodes[i].registered {
                continue;
            }
            self.nodes[i].probe_floor = now;
            let node = NodeId(i as u32);
            match store.node(node).ready {
                // Its NoExecute taint went with master disruption mode:
                // the next pass queues it again.
                ConditionStatus::Unknown => {
                    let next = now + self.config.node_monitor_period;
                    self.schedule(node, next, timers);
                }
                _ if !store.node(node).lease.is_renewing() => {
                    let at = self.pass_after(now + self.config.node_monitor_grace_period);
                    self.schedule(node, at, timers);
                }
                _ => {}
            }
        }
    }

    /// `setLimiterInZone`.
    fn set_limiter_in_zone(
        &mut self,
        z: u32,
        state: ZoneState,
        now: SimTime,
        timers: &mut Vec<(SimTime, ControllerTimer)>,
    ) {
        let c = self.config;
        let zone = &mut self.zones[z as usize];
        let qps = match state {
            ZoneState::Normal | ZoneState::Initial | ZoneState::FullDisruption => {
                c.node_eviction_rate
            }
            ZoneState::PartialDisruption if zone.nodes > c.large_cluster_size_threshold => {
                c.secondary_node_eviction_rate
            }
            ZoneState::PartialDisruption => 0.0,
        };
        zone.state = state;
        zone.swap_limiter(qps, now);
        self.arm_tainting(z, now, timers);
    }

    /// The state of every zone, by zone key (for tests and reports).
    pub fn zone_states(&self) -> Vec<(String, ZoneState)> {
        self.zone_ids
            .iter()
            .map(|(k, &z)| (k.clone(), self.zones[z as usize].state))
            .collect()
    }

    /// Zone counts agree with what the passes saw, and a node the
    /// controller saw Unknown is Unknown in the store unless its kubelet
    /// came back since.
    pub fn check_invariants(&self, store: &Store) -> Result<(), String> {
        let mut not_ready = vec![0u32; self.zones.len()];
        let mut count = vec![0u32; self.zones.len()];
        for (i, h) in self.nodes.iter().enumerate() {
            if !h.registered {
                continue;
            }
            count[h.zone as usize] += 1;
            if h.seen != ConditionStatus::True {
                not_ready[h.zone as usize] += 1;
            }
            let n = store.node(NodeId(i as u32));
            if h.seen == ConditionStatus::Unknown
                && n.ready != ConditionStatus::Unknown
                && !n.lease.is_renewing()
            {
                return Err(format!("node {}: seen Unknown but {:?}", n.name(), n.ready));
            }
        }
        for (i, z) in self.zones.iter().enumerate() {
            if z.nodes != count[i] || z.not_ready != not_ready[i] {
                return Err(format!(
                    "zone {i}: {} nodes, {} not ready; the store says {} and {}",
                    z.nodes, z.not_ready, count[i], not_ready[i]
                ));
            }
        }
        Ok(())
    }
}

fn taint(key: &str, effect: TaintEffect) -> Taint {
    Taint {
        key: key.into(),
        value: String::new(),
        effect,
    }
}

fn has_taint(store: &Store, node: NodeId, key: &str, effect: TaintEffect) -> bool {
    store
        .node(node)
        .taints
        .iter()
        .any(|t| t.key == key && t.effect == effect)
}

/// `MarkPodsNotReady` (pkg/controller/util/node/controller_utils.go):
/// each pod on the node gets `Ready=False` and a Warning event.
fn mark_pods_not_ready(store: &mut Store, node: NodeId, now: SimTime, events: &mut Vec<KubeEvent>) {
    let pods: Vec<_> = store.pods_on_node(node).to_vec();
    for pod in pods {
        store.set_pod_ready(pod, false, now);
        events.push(KubeEvent::warning(
            now,
            "NodeNotReady",
            kubesim_core::pod_event_object(store, pod),
            "Node is not ready".into(),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // After TestMonitorNodeHealth's zone cases
    // (pkg/controller/nodelifecycle/node_lifecycle_controller_test.go):
    // (ready, not ready) → state.
    #[test]
    fn compute_zone_state_table() {
        use ZoneState::*;
        let cases = [
            ((1, 0), Normal),
            ((0, 1), FullDisruption),
            ((0, 4), FullDisruption),
            ((1, 3), PartialDisruption),
            ((3, 2), Normal),
            ((2, 3), PartialDisruption),
            ((0, 3), FullDisruption),
            ((1, 2), Normal),
            ((100, 3), Normal),
            ((0, 0), Normal),
        ];
        for ((ready, not_ready), want) in cases {
            assert_eq!(
                compute_zone_state(ready, not_ready, 0.55),
                want,
                "{ready} ready, {not_ready} not"
            );
        }
    }

    #[test]
    fn zone_keys() {
        let mut l = kubesim_core::Labels::new();
        assert_eq!(zone_key(&l), "");
        l.insert("topology.kubernetes.io/zone".into(), "z1".into());
        assert_eq!(zone_key(&l), ":\x00:z1");
        l.insert("topology.kubernetes.io/region".into(), "r1".into());
        assert_eq!(zone_key(&l), "r1:\x00:z1");
        l.insert(
            "failure-domain.beta.kubernetes.io/zone".into(),
            "old".into(),
        );
        assert_eq!(zone_key(&l), "r1:\x00:old");
    }

    #[test]
    fn limiter_swaps() {
        let mut z = Zone {
            nodes: 10,
            not_ready: 0,
            state: ZoneState::Normal,
            qps: 0.1,
            token_at: SimTime::ZERO,
            queue: VecDeque::new(),
            pass_armed: false,
        };
        let t = SimTime::from_secs(100);
        // Full bucket stays full at the new rate.
        z.swap_limiter(0.01, t);
        assert_eq!(z.token_at, t);
        z.swap_limiter(0.0, t);
        assert_eq!(z.token_at, SimTime::MAX);
        // From an empty bucket: pre-drained.
        z.swap_limiter(0.1, t);
        assert_eq!(z.token_at, t + SimTime::from_secs(10));
        // Same rate: no-op.
        z.swap_limiter(0.1, t + SimTime::from_secs(1));
        assert_eq!(z.token_at, t + SimTime::from_secs(10));
    }
}
