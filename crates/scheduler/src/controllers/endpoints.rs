//! The EndpointSlice controller (pkg/controller/endpointslice), the part
//! traffic needs: for each Service with a selector, the pods that are
//! its *ready* endpoints — selected, bound, not finished, not terminating
//! and Ready (`endpointutil.ShouldPodBeInEndpoints`, and `ready =
//! IsPodReady && !terminating` in endpointslice's `podToEndpoint`).
//!
//! A change reaches the Service's published endpoints (what kube-proxy
//! routes to, [`Store::service_endpoints`]) after
//! `cluster.controllerManager.endpointsDelay` (default 0 s: at once). A
//! pod stops getting new requests the moment its removal is published.
//!
//! State: per Service, the changes on their way, oldest first; the
//! published list itself lives in the store (its only writer is this
//! controller).

use super::ControllerTimer;
use kubesim_core::{Notice, PodId, ServiceId, SimTime, Store};
use std::collections::VecDeque;

/// Changes of one Service on their way to its published endpoints.
#[derive(Debug, Default)]
struct Pending {
    /// (when it is published, the pod, whether it is a ready endpoint).
    changes: VecDeque<(SimTime, PodId, bool)>,
}

/// Every Service's endpoints, indexed by [`ServiceId`].
#[derive(Debug, Default)]
pub struct EndpointsController {
    /// `endpointsDelay`.
    pub delay: SimTime,
    pending: Vec<Pending>,
}

/// Whether `pod` is a ready endpoint of the Service `svc`.
pub fn is_ready_endpoint(store: &Store, svc: ServiceId, pod: PodId) -> bool {
    let e = store.pod(pod);
    store.service(svc).selects(e.pod())
        && e.node().is_some()
        && !e.is_finished()
        && !e.is_deleting()
        && e.is_ready()
}

impl EndpointsController {
    /// Reacts to a store notice: a new Service gets its endpoints; a pod
    /// that turned Ready or not, or whose deletion started, or that ended,
    /// changes the endpoints of the Services that select it.
    pub fn on_notice(
        &mut self,
        store: &mut Store,
        notice: Notice,
        now: SimTime,
        timers: &mut Vec<(SimTime, ControllerTimer)>,
    ) {
        match notice {
            Notice::ServiceAdded(s) => self.service_added(store, s),
            Notice::ServiceSelectorChanged(s) => self.selector_changed(store, s),
            Notice::PodReady(p)
            | Notice::PodUnready(p)
            | Notice::PodDeleted(p)
            | Notice::PodReleased { pod: p, .. } => self.pod_changed(store, p, now, timers),
            _ => {}
        }
    }

    fn service_added(&mut self, store: &mut Store, s: ServiceId) {
        debug_assert_eq!(s.index(), self.pending.len(), "Services added in order");
        self.pending.push(Pending::default());
        // A Service created with pods already ready publishes them at once
        // (its first sync).
        let ready: Vec<PodId> = store
            .pods()
            .map(|(p, _)| p)
            .filter(|&p| is_ready_endpoint(store, s, p))
            .collect();
        store.set_service_endpoints(s, ready);
    }

    /// A Service's selector changed: its endpoints are recomputed at
    /// once (kubesim does not delay a selector switch by
    /// `endpointsDelay`), and changes on their way are dropped.
    fn selector_changed(&mut self, store: &mut Store, s: ServiceId) {
        self.pending[s.index()].changes.clear();
        let ready: Vec<PodId> = store
            .pods()
            .map(|(p, _)| p)
            .filter(|&p| is_ready_endpoint(store, s, p))
            .collect();
        store.set_service_endpoints(s, ready);
    }

    fn pod_changed(
        &mut self,
        store: &mut Store,
        pod: PodId,
        now: SimTime,
        timers: &mut Vec<(SimTime, ControllerTimer)>,
    ) {
        let services: Vec<ServiceId> = store
            .services()
            .filter(|(_, svc)| svc.selects(store.pod(pod).pod()))
            .map(|(s, _)| s)
            .collect();
        for s in services {
            let ready = is_ready_endpoint(store, s, pod);
            if self.delay == SimTime::ZERO {
                publish(store, s, pod, ready);
            } else {
                let at = now.saturating_add(self.delay);
                self.pending[s.index()].changes.push_back((at, pod, ready));
                timers.push((at, ControllerTimer::EndpointsPublish(s)));
            }
        }
    }

    /// The delayed changes of Service `s` that are due reach its
    /// published endpoints, in the order they happened.
    pub fn publish_due(&mut self, store: &mut Store, s: ServiceId, now: SimTime) {
        let q = &mut self.pending[s.index()].changes;
        while q.front().is_some_and(|&(at, _, _)| at <= now) {
            let Some((_, pod, ready)) = q.pop_front() else {
                break;
            };
            publish(store, s, pod, ready);
        }
    }

    /// With no delay, every Service's published endpoints are exactly its
    /// ready endpoints; with a delay, the published ones are pods the
    /// Service selects.
    pub fn check_invariants(&self, store: &Store) -> Result<(), String> {
        for (s, svc) in store.services() {
            let published = store.service_endpoints(s);
            if self.delay == SimTime::ZERO {
                let want: Vec<PodId> = store
                    .pods()
                    .map(|(p, _)| p)
                    .filter(|&p| is_ready_endpoint(store, s, p))
                    .collect();
                if published != want.as_slice() {
                    return Err(format!(
                        "service {}: endpoints {published:?}, ready pods {want:?}",
                        svc.metadata.name
                    ));
                }
            } else if let Some(&p) = published
                .iter()
                .find(|&&p| !svc.selects(store.pod(p).pod()))
            {
                return Err(format!(
                    "service {}: endpoint {} not selected",
                    svc.metadata.name,
                    store.pod(p).name()
                ));
            }
        }
        Ok(())
    }
}

/// Adds `pod` to, or removes it from, Service `s`'s published endpoints.
fn publish(store: &mut Store, s: ServiceId, pod: PodId, ready: bool) {
    let current = store.service_endpoints(s);
    let listed = current.binary_search(&pod).is_ok();
    if listed == ready {
        return;
    }
    let mut next: Vec<PodId> = current.to_vec();
    if ready {
        next.push(pod);
    } else {
        next.retain(|&p| p != pod);
    }
    store.set_service_endpoints(s, next);
}
