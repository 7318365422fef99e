//! NodeAffinity (pkg/scheduler/framework/plugins/nodeaffinity) with the
//! matching rules of staging/src/k8s.io/component-helpers/scheduling/corev1/nodeaffinity.
//!
//! Filter: `spec.nodeSelector` (every pair must match) AND the required
//! terms (ORed; expressions within a term ANDed; an empty term matches
//! nothing). Score: sum of the weights of matching preferred terms,
//! normalized with `DefaultNormalizeScore`.

use crate::placement::framework::{
    default_normalize_score, FilterPlugin, NodeInfo, PodInfo, Reason, ScorePlugin, MAX_NODE_SCORE,
};
use kubesim_core::{Labels, NodeSelectorOperator, NodeSelectorRequirement, NodeSelectorTerm};

/// The NodeAffinity plugin (Filter and Score).
#[derive(Debug, Default, Clone, Copy)]
pub struct NodeAffinity;

/// `IsValidLabelValue` (apimachinery/pkg/util/validation): at most 63
/// characters, alphanumerics with `-`, `_`, `.` inside, or empty.
pub fn is_valid_label_value(v: &str) -> bool {
    let b = v.as_bytes();
    if b.is_empty() {
        return true;
    }
    b.len() <= 63
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// `labels.NewRequirement` validation: a requirement that fails it makes
/// its whole term match nothing.
pub fn requirement_is_valid(req: &NodeSelectorRequirement) -> bool {
    let n = req.values.len();
    let count_ok = match req.operator {
        NodeSelectorOperator::In | NodeSelectorOperator::NotIn => n > 0,
        NodeSelectorOperator::Exists | NodeSelectorOperator::DoesNotExist => n == 0,
        NodeSelectorOperator::Gt | NodeSelectorOperator::Lt => {
            n == 1 && req.values[0].parse::<i64>().is_ok()
        }
    };
    count_ok && req.values.iter().all(|v| is_valid_label_value(v))
}

/// `labels.Requirement.Matches` for a node selector requirement.
pub fn requirement_matches(req: &NodeSelectorRequirement, labels: &Labels) -> bool {
    if !requirement_is_valid(req) {
        return false;
    }
    let value = labels.get(&req.key);
    match req.operator {
        NodeSelectorOperator::In => value.is_some_and(|v| req.values.iter().any(|x| x == v)),
        NodeSelectorOperator::NotIn => value.is_none_or(|v| !req.values.iter().any(|x| x == v)),
        NodeSelectorOperator::Exists => value.is_some(),
        NodeSelectorOperator::DoesNotExist => value.is_none(),
        NodeSelectorOperator::Gt | NodeSelectorOperator::Lt => {
            let (Some(v), [bound]) = (value, req.values.as_slice()) else {
                return false;
            };
            let (Ok(v), Ok(bound)) = (v.parse::<i64>(), bound.parse::<i64>()) else {
                return false;
            };
            if req.operator == NodeSelectorOperator::Gt {
                v > bound
            } else {
                v < bound
            }
        }
    }
}

/// Whether a term matches the node (its name serves `matchFields`
/// `metadata.name`). An empty term matches nothing.
pub fn term_matches(term: &NodeSelectorTerm, labels: &Labels, node_name: &str) -> bool {
    if term.match_expressions.is_empty() && term.match_fields.is_empty() {
        return false;
    }
    // matchFields supports only `metadata.name`, matched against the node name.
    let fields_ok = term.match_fields.iter().all(|f| {
        f.key == "metadata.name"
            && requirement_is_valid(f)
            && match f.operator {
                NodeSelectorOperator::In => f.values.iter().any(|v| v == node_name),
                NodeSelectorOperator::NotIn => !f.values.iter().any(|v| v == node_name),
                _ => false,
            }
    });
    fields_ok
        && term
            .match_expressions
            .iter()
            .all(|r| requirement_matches(r, labels))
}

/// `RequiredNodeAffinity.Match`: nodeSelector AND required terms.
pub fn required_node_affinity_matches(pod: &PodInfo<'_>, node: &NodeInfo) -> bool {
    let spec = &pod.pod.spec;
    if !spec
        .node_selector
        .iter()
        .all(|(k, v)| node.labels.get(k) == Some(v))
    {
        return false;
    }
    match spec
        .node_affinity
        .as_ref()
        .and_then(|a| a.required.as_ref())
    {
        None => true,
        Some(terms) => terms
            .iter()
            .any(|t| term_matches(t, &node.labels, &node.name)),
    }
}

impl FilterPlugin for NodeAffinity {
    fn name(&self) -> &'static str {
        "NodeAffinity"
    }
    fn pre_filter(&self, pod: &PodInfo<'_>) -> bool {
        let spec = &pod.pod.spec;
        !spec.node_selector.is_empty()
            || spec
                .node_affinity
                .as_ref()
                .is_some_and(|a| a.required.is_some())
    }
    fn filter(&self, pod: &PodInfo<'_>, node: &NodeInfo, reasons: &mut Vec<Reason>) -> bool {
        if required_node_affinity_matches(pod, node) {
            return true;
        }
        reasons.push(Reason::NodeAffinityMismatch);
        false
    }
}

impl ScorePlugin for NodeAffinity {
    fn name(&self) -> &'static str {
        "NodeAffinity"
    }
    fn pre_score(&self, pod: &PodInfo<'_>) -> bool {
        pod.pod
            .spec
            .node_affinity
            .as_ref()
            .is_some_and(|a| !a.preferred.is_empty())
    }
    fn score(&self, pod: &PodInfo<'_>, node: &NodeInfo) -> i64 {
        let Some(a) = pod.pod.spec.node_affinity.as_ref() else {
            return 0;
        };
        a.preferred
            .iter()
            .filter(|p| p.weight != 0 && term_matches(&p.preference, &node.labels, &node.name))
            .map(|p| i64::from(p.weight))
            .sum()
    }
    fn normalize(&self, scores: &mut [i64]) {
        default_normalize_score(MAX_NODE_SCORE, false, scores);
    }
}
