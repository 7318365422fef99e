//! NodeUnschedulable (pkg/scheduler/framework/plugins/nodeunschedulable):
//! a cordoned node (`spec.unschedulable`) takes only pods that tolerate the
//! `node.kubernetes.io/unschedulable:NoSchedule` taint.

use crate::placement::framework::{FilterPlugin, NodeInfo, PodInfo, Reason};
use kubesim_core::{tolerations_tolerate_taint, Taint, TaintEffect};

/// `v1.TaintNodeUnschedulable`.
pub const TAINT_NODE_UNSCHEDULABLE: &str = "node.kubernetes.io/unschedulable";

static UNSCHEDULABLE_TAINT: std::sync::LazyLock<Taint> = std::sync::LazyLock::new(|| Taint {
    key: TAINT_NODE_UNSCHEDULABLE.to_string(),
    value: String::new(),
    effect: TaintEffect::NoSchedule,
});

/// The NodeUnschedulable filter.
#[derive(Debug, Default, Clone, Copy)]
pub struct NodeUnschedulable;

impl FilterPlugin for NodeUnschedulable {
    fn name(&self) -> &'static str {
        "NodeUnschedulable"
    }
    fn filter(&self, pod: &PodInfo<'_>, node: &NodeInfo, reasons: &mut Vec<Reason>) -> bool {
        if !node.unschedulable {
            return true;
        }
        if tolerations_tolerate_taint(&pod.pod.spec.tolerations, &UNSCHEDULABLE_TAINT) {
            return true;
        }
        reasons.push(Reason::Unschedulable);
        false
    }
}
