//! TaintToleration (pkg/scheduler/framework/plugins/tainttoleration/taint_toleration.go).
//!
//! Filter: the first NoSchedule or NoExecute taint (in node order) that no
//! toleration tolerates rejects the node. Score: the number of
//! PreferNoSchedule taints not tolerated by the pod's tolerations with an
//! empty or PreferNoSchedule effect; normalized in reverse (fewer is better).

use crate::placement::framework::{
    default_normalize_score, FilterPlugin, NodeInfo, PodInfo, Reason, ScorePlugin, MAX_NODE_SCORE,
};
use kubesim_core::{tolerations_tolerate_taint, TaintEffect};

/// The TaintToleration plugin (Filter and Score).
#[derive(Debug, Default, Clone, Copy)]
pub struct TaintToleration;

impl FilterPlugin for TaintToleration {
    fn name(&self) -> &'static str {
        "TaintToleration"
    }
    fn filter(&self, pod: &PodInfo<'_>, node: &NodeInfo, reasons: &mut Vec<Reason>) -> bool {
        let tolerations = &pod.pod.spec.tolerations;
        let untolerated = node.taints.iter().find(|t| {
            matches!(t.effect, TaintEffect::NoSchedule | TaintEffect::NoExecute)
                && !tolerations_tolerate_taint(tolerations, t)
        });
        match untolerated {
            None => true,
            Some(t) => {
                reasons.push(Reason::UntoleratedTaint {
                    key: t.key.clone(),
                    value: t.value.clone(),
                });
                false
            }
        }
    }
}

impl ScorePlugin for TaintToleration {
    fn name(&self) -> &'static str {
        "TaintToleration"
    }
    fn score(&self, pod: &PodInfo<'_>, node: &NodeInfo) -> i64 {
        let tolerations = &pod.pod.spec.tolerations;
        node.taints
            .iter()
            .filter(|t| t.effect == TaintEffect::PreferNoSchedule)
            .filter(|t| {
                !tolerations
                    .iter()
                    .filter(|tol| matches!(tol.effect, None | Some(TaintEffect::PreferNoSchedule)))
                    .any(|tol| tol.tolerates(t))
            })
            .count() as i64
    }
    fn normalize(&self, scores: &mut [i64]) {
        default_normalize_score(MAX_NODE_SCORE, true, scores);
    }
}
