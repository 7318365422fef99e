//! The taint eviction controller
//! (pkg/controller/tainteviction/taint_eviction.go): deletes pods from
//! nodes with `NoExecute` taints they do not tolerate, or tolerate only
//! for `tolerationSeconds`.
//!
//! For a pod on a node whose NoExecute taints change, or a pod bound to
//! such a node (`processPodOnNode`):
//! - no NoExecute taint: a scheduled deletion is cancelled ("Cancelling
//!   deletion of Pod NS/NAME");
//! - a taint it does not tolerate: deleted now;
//! - otherwise the smallest `tolerationSeconds` of the tolerations used
//!   (`getMinTolerationTime`): none set → never; ≤ 0 → now; else a
//!   deletion that many seconds after the controller saw it — unless one
//!   is already scheduled, which stands (upstream keeps the earlier
//!   timer).
//!
//! The deletion is an ordinary one with the pod's own grace period, with
//! the event `TaintManagerEviction` "Marking for deletion Pod NS/NAME".
//! (Upstream first adds the pod condition `DisruptionTarget`
//! (`DeletionByTaintManager`); kubesim does not model that condition.)

use super::ControllerTimer;
use kubesim_core::{KubeEvent, NodeId, PodId, SimTime, Store, Taint, TaintEffect, Toleration};

/// A scheduled deletion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Scheduled {
    at: SimTime,
    gen: u32,
}

/// The taint eviction controller.
#[derive(Debug, Default)]
pub struct TaintEvictionController {
    /// Per pod: its scheduled deletion.
    scheduled: Vec<Option<Scheduled>>,
    /// Per pod: the generation of its latest timer.
    gens: Vec<u32>,
    /// Per node: its NoExecute taints as last seen (`taintedNodes`).
    tainted: Vec<Vec<Taint>>,
}

/// `getMinTolerationTime`: `None` = tolerated for ever; `Some(0)` = now.
pub fn min_toleration_time(used: &[&Toleration]) -> Option<i64> {
    if used.is_empty() {
        return Some(0);
    }
    let mut min: Option<i64> = None;
    for t in used {
        match t.toleration_seconds {
            Some(s) if s <= 0 => return Some(0),
            Some(s) => min = Some(min.map_or(s, |m| m.min(s))),
            None => {}
        }
    }
    min
}

/// The tolerations that tolerate each taint (`GetMatchingTolerations`),
/// or `None` if one is not tolerated.
fn matching_tolerations<'a>(
    taints: &[Taint],
    tolerations: &'a [Toleration],
) -> Option<Vec<&'a Toleration>> {
    let mut used = Vec::new();
    for taint in taints {
        let t = tolerations.iter().find(|t| t.tolerates(taint))?;
        used.push(t);
    }
    Some(used)
}

impl TaintEvictionController {
    fn ensure(&mut self, store: &Store) {
        let pods = store.pod_count();
        if self.scheduled.len() < pods {
            self.scheduled.resize(pods, None);
            self.gens.resize(pods, 0);
        }
        let nodes = store.node_count();
        if self.tainted.len() < nodes {
            self.tainted.resize(nodes, Vec::new());
        }
    }

    /// A node changed: if its NoExecute taints did, every pod on it is
    /// looked at again (`handleNodeUpdate`).
    pub fn node_updated(
        &mut self,
        store: &mut Store,
        node: NodeId,
        now: SimTime,
        events: &mut Vec<KubeEvent>,
        timers: &mut Vec<(SimTime, ControllerTimer)>,
    ) {
        self.ensure(store);
        let taints: Vec<Taint> = store
            .node(node)
            .taints
            .iter()
            .filter(|t| t.effect == TaintEffect::NoExecute)
            .cloned()
            .collect();
        if taints == self.tainted[node.index()] {
            return;
        }
        self.tainted[node.index()] = taints;
        let pods: Vec<PodId> = store.pods_on_node(node).to_vec();
        for pod in pods {
            self.process_pod(store, pod, node, now, events, timers);
        }
    }

    /// A pod was bound: it may have landed on a tainted node.
    pub fn pod_bound(
        &mut self,
        store: &mut Store,
        pod: PodId,
        node: NodeId,
        now: SimTime,
        events: &mut Vec<KubeEvent>,
        timers: &mut Vec<(SimTime, ControllerTimer)>,
    ) {
        self.ensure(store);
        if !self.tainted[node.index()].is_empty() {
            self.process_pod(store, pod, node, now, events, timers);
        }
    }

    /// A pod is going or gone: nothing more to do for it.
    pub fn pod_gone(&mut self, pod: PodId) {
        if let Some(s) = self.scheduled.get_mut(pod.index()) {
            *s = None;
        }
    }

    /// `processPodOnNode`.
    fn process_pod(
        &mut self,
        store: &mut Store,
        pod: PodId,
        node: NodeId,
        now: SimTime,
        events: &mut Vec<KubeEvent>,
        timers: &mut Vec<(SimTime, ControllerTimer)>,
    ) {
        if store.pod(pod).is_deleting() || store.pod(pod).is_finished() {
            return;
        }
        let taints = &self.tainted[node.index()];
        if taints.is_empty() {
            self.cancel_with_event(store, pod, now, events);
            return;
        }
        let tolerations = &store.pod(pod).pod().spec.tolerations;
        let Some(used) = matching_tolerations(taints, tolerations) else {
            self.scheduled[pod.index()] = None;
            delete(store, pod, now, events);
            return;
        };
        match min_toleration_time(&used) {
            None => self.cancel_with_event(store, pod, now, events),
            Some(s) if s <= 0 => {
                self.scheduled[pod.index()] = None;
                delete(store, pod, now, events);
            }
            Some(_) if self.scheduled[pod.index()].is_some() => {}
            Some(s) => {
                let at = now + SimTime::from_secs(s as u64);
                let gen = self.gens[pod.index()].wrapping_add(1);
                self.gens[pod.index()] = gen;
                self.scheduled[pod.index()] = Some(Scheduled { at, gen });
                timers.push((at, ControllerTimer::TaintEviction { pod, gen }));
            }
        }
    }

    fn cancel_with_event(
        &mut self,
        store: &Store,
        pod: PodId,
        now: SimTime,
        events: &mut Vec<KubeEvent>,
    ) {
        if self.scheduled[pod.index()].take().is_some() {
            events.push(KubeEvent::normal(
                now,
                "TaintManagerEviction",
                kubesim_core::pod_event_object(store, pod),
                format!("Cancelling deletion of Pod {}", ns_name(store, pod)),
            ));
        }
    }

    /// A scheduled deletion came due.
    pub fn fire(
        &mut self,
        store: &mut Store,
        pod: PodId,
        gen: u32,
        now: SimTime,
        events: &mut Vec<KubeEvent>,
    ) {
        let current = self.scheduled.get(pod.index()).copied().flatten();
        if current.is_none_or(|s| s.gen != gen) {
            return;
        }
        self.scheduled[pod.index()] = None;
        delete(store, pod, now, events);
    }

    /// No deletion is scheduled for a pod that is gone, off its node or
    /// on an untainted node; none is in the past.
    pub fn check_invariants(&self, store: &Store, now: SimTime) -> Result<(), String> {
        for (i, s) in self.scheduled.iter().enumerate() {
            let Some(s) = s else { continue };
            let e = store.pod(PodId(i as u32));
            let on_tainted = e
                .node()
                .is_some_and(|n| !self.tainted[n.index()].is_empty());
            if e.is_finished() || e.is_deleting() || !on_tainted {
                return Err(format!("taint eviction of {} still scheduled", e.name()));
            }
            if s.at < now {
                return Err(format!("taint eviction of {} in the past", e.name()));
            }
        }
        Ok(())
    }
}

fn ns_name(store: &Store, pod: PodId) -> String {
    let m = &store.pod(pod).pod().metadata;
    format!("{}/{}", m.namespace_or_default(), m.name)
}

/// `deletePodHandler`: the event, then a deletion with the pod's grace.
fn delete(store: &mut Store, pod: PodId, now: SimTime, events: &mut Vec<KubeEvent>) {
    events.push(KubeEvent::normal(
        now,
        "TaintManagerEviction",
        kubesim_core::pod_event_object(store, pod),
        format!("Marking for deletion Pod {}", ns_name(store, pod)),
    ));
    store.delete_pod(pod, now);
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubesim_core::TolerationOperator;

    fn tol(seconds: Option<i64>) -> Toleration {
        Toleration {
            key: "k".into(),
            operator: TolerationOperator::Exists,
            value: String::new(),
            effect: Some(TaintEffect::NoExecute),
            toleration_seconds: seconds,
        }
    }

    // TestGetMinTolerationTime (pkg/controller/tainteviction/taint_eviction_test.go).
    #[test]
    fn min_toleration_time_table() {
        let cases: [(Vec<Option<i64>>, Option<i64>); 6] = [
            (vec![], Some(0)),
            (vec![None], None),
            (vec![Some(1), Some(2)], Some(1)),
            (vec![Some(1), None], Some(1)),
            (vec![None, Some(1)], Some(1)),
            (vec![Some(5), Some(-3)], Some(0)),
        ];
        for (given, want) in cases {
            let tols: Vec<Toleration> = given.iter().map(|&s| tol(s)).collect();
            let used: Vec<&Toleration> = tols.iter().collect();
            assert_eq!(min_toleration_time(&used), want, "{given:?}");
        }
    }
}
