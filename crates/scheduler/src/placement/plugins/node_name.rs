//! NodeName (pkg/scheduler/framework/plugins/nodename): a pod with
//! `spec.nodeName` fits only the node of that name.

use crate::placement::framework::{FilterPlugin, NodeInfo, PodInfo, Reason};

/// The NodeName filter.
#[derive(Debug, Default, Clone, Copy)]
pub struct NodeName;

impl FilterPlugin for NodeName {
    fn name(&self) -> &'static str {
        "NodeName"
    }
    fn pre_filter(&self, pod: &PodInfo<'_>) -> bool {
        pod.pod
            .spec
            .node_name
            .as_deref()
            .is_some_and(|n| !n.is_empty())
    }
    fn filter(&self, pod: &PodInfo<'_>, node: &NodeInfo, reasons: &mut Vec<Reason>) -> bool {
        match pod.pod.spec.node_name.as_deref() {
            None | Some("") => true,
            Some(n) if n == node.name => true,
            Some(_) => {
                reasons.push(Reason::NodeNameMismatch);
                false
            }
        }
    }
}
