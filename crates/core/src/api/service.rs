//! `v1.Service`, the part kubesim models: which pods it selects, and the
//! endpoints the EndpointSlice controller publishes for it.
//!
//! Ports, types, cluster IPs and session affinity are accepted in
//! manifests and not modelled: a Service here is its selector.

use super::meta::{Labels, ObjectMeta};
use super::pod::Pod;

/// `v1.Service`, the parts kubesim models.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Service {
    /// `metadata`.
    pub metadata: ObjectMeta,
    /// `spec.selector`. `None`: a Service without a selector, which the
    /// EndpointSlice controller leaves alone (its endpoints are managed
    /// by hand upstream, so it has none here); `Some` of an empty map
    /// selects every pod of its namespace, as an empty label set does.
    pub selector: Option<Labels>,
}

/// How requests to a Service are divided between two revisions when a
/// traffic router (Argo Rollouts' `trafficRouting`: an ingress or mesh)
/// sets weights: `canary_weight_percent` % go to the endpoints whose pods
/// belong to ReplicaSet `canary`, the rest to the other endpoints. Written
/// by the Rollout controller, read by the traffic model; without a split,
/// requests are spread evenly over the ready endpoints (kube-proxy).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrafficSplit {
    /// The canary ReplicaSet.
    pub canary: super::ReplicaSetId,
    /// Its share of requests, 0–100.
    pub canary_weight_percent: u32,
}

impl Service {
    /// Whether the Service selects `pod` (`labels.Set(selector)
    /// .AsSelectorPreValidated().Matches(pod.Labels)`, in its namespace).
    pub fn selects(&self, pod: &Pod) -> bool {
        let Some(selector) = &self.selector else {
            return false;
        };
        pod.metadata.namespace_or_default() == self.metadata.namespace_or_default()
            && selector
                .iter()
                .all(|(k, v)| pod.metadata.labels.get(k) == Some(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(ns: &str, labels: &[(&str, &str)]) -> Pod {
        let mut p = Pod::default();
        p.metadata.name = "p".into();
        p.metadata.namespace = ns.into();
        p.metadata.labels = labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        p
    }

    #[test]
    fn selection_table() {
        let web: Labels = [("app".to_string(), "web".to_string())].into();
        let svc = |selector: Option<Labels>| Service {
            metadata: ObjectMeta::named("web"),
            selector,
        };
        let cases = [
            (svc(Some(web.clone())), pod("", &[("app", "web")]), true),
            (
                svc(Some(web.clone())),
                pod("default", &[("app", "web"), ("v", "2")]),
                true,
            ),
            (svc(Some(web.clone())), pod("", &[("app", "api")]), false),
            (svc(Some(web.clone())), pod("", &[]), false),
            (
                svc(Some(web.clone())),
                pod("team-a", &[("app", "web")]),
                false,
            ),
            (svc(Some(Labels::new())), pod("", &[("any", "thing")]), true),
            (svc(None), pod("", &[("app", "web")]), false),
        ];
        for (i, (s, p, want)) in cases.iter().enumerate() {
            assert_eq!(s.selects(p), *want, "case {i}");
        }
    }
}
