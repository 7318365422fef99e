//! Admission plugins the API server runs on every pod it creates, for
//! what kubesim models. (The Priority plugin is in `priority`: the runner
//! applies it while reading manifests, where a bad class name is an input
//! error.)
//!
//! `DefaultTolerationSeconds`
//! (plugin/pkg/admission/defaulttolerationseconds/admission.go): a pod
//! that does not tolerate `node.kubernetes.io/not-ready:NoExecute` or
//! `node.kubernetes.io/unreachable:NoExecute` gets a toleration for it
//! with `tolerationSeconds: 300` — so its pods leave a failed node five
//! minutes after the node is tainted. A toleration with that key (or an
//! empty key) and effect `NoExecute` (or no effect) counts as tolerating,
//! whatever its seconds.

use crate::api::pod::PodSpec;
use crate::api::taint::{TaintEffect, Toleration, TolerationOperator};

/// `v1.TaintNodeNotReady`.
pub const TAINT_NODE_NOT_READY: &str = "node.kubernetes.io/not-ready";
/// `v1.TaintNodeUnreachable`.
pub const TAINT_NODE_UNREACHABLE: &str = "node.kubernetes.io/unreachable";
/// `--default-not-ready-toleration-seconds` and
/// `--default-unreachable-toleration-seconds`.
pub const DEFAULT_TOLERATION_SECONDS: i64 = 300;

/// The `DefaultTolerationSeconds` admission plugin.
pub fn admit_default_toleration_seconds(spec: &mut PodSpec) {
    for key in [TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE] {
        let tolerated = spec.tolerations.iter().any(|t| {
            (t.key == key || t.key.is_empty())
                && t.effect.is_none_or(|e| e == TaintEffect::NoExecute)
        });
        if !tolerated {
            spec.tolerations.push(Toleration {
                key: key.into(),
                operator: TolerationOperator::Exists,
                value: String::new(),
                effect: Some(TaintEffect::NoExecute),
                toleration_seconds: Some(DEFAULT_TOLERATION_SECONDS),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tol(key: &str, effect: Option<TaintEffect>, seconds: Option<i64>) -> Toleration {
        Toleration {
            key: key.into(),
            operator: TolerationOperator::Exists,
            value: String::new(),
            effect,
            toleration_seconds: seconds,
        }
    }

    /// A toleration as the table writes it: (key, effect, seconds).
    type Row = (String, Option<TaintEffect>, Option<i64>);

    /// The tolerations a pod ends up with.
    fn admitted(given: Vec<Toleration>) -> Vec<Row> {
        let mut spec = PodSpec {
            tolerations: given,
            ..Default::default()
        };
        admit_default_toleration_seconds(&mut spec);
        spec.tolerations
            .into_iter()
            .map(|t| (t.key, t.effect, t.toleration_seconds))
            .collect()
    }

    // Cases after TestForgivenessAdmission
    // (plugin/pkg/admission/defaulttolerationseconds/admission_test.go).
    #[test]
    fn forgiveness_admission_table() {
        use TaintEffect::*;
        let nr = TAINT_NODE_NOT_READY.to_string();
        let ur = TAINT_NODE_UNREACHABLE.to_string();
        let d = Some(DEFAULT_TOLERATION_SECONDS);
        let cases: Vec<(&str, Vec<Toleration>, Vec<Row>)> = vec![
            (
                "pod has no tolerations, expect add tolerations for not-ready and unreachable",
                vec![],
                vec![(nr.clone(), Some(NoExecute), d), (ur.clone(), Some(NoExecute), d)],
            ),
            (
                "pod has tolerations, but none is for taint `not-ready` and `unreachable`",
                vec![tol("foo", Some(NoSchedule), Some(700))],
                vec![
                    ("foo".into(), Some(NoSchedule), Some(700)),
                    (nr.clone(), Some(NoExecute), d),
                    (ur.clone(), Some(NoExecute), d),
                ],
            ),
            (
                "pod specified a toleration for taint `not-ready`, expect add toleration for `unreachable`",
                vec![tol(&nr, Some(NoExecute), Some(700))],
                vec![(nr.clone(), Some(NoExecute), Some(700)), (ur.clone(), Some(NoExecute), d)],
            ),
            (
                "pod specified a toleration for taint `unreachable`, expect add toleration for `not-ready`",
                vec![tol(&ur, Some(NoExecute), Some(700))],
                vec![(ur.clone(), Some(NoExecute), Some(700)), (nr.clone(), Some(NoExecute), d)],
            ),
            (
                "pod specified tolerations for both `not-ready` and `unreachable`, expect no change",
                vec![tol(&nr, Some(NoExecute), Some(700)), tol(&ur, Some(NoExecute), Some(700))],
                vec![(nr.clone(), Some(NoExecute), Some(700)), (ur.clone(), Some(NoExecute), Some(700))],
            ),
            (
                "pod specified toleration for taint `unreachable` with no effect, expect add toleration for `not-ready`",
                vec![tol(&ur, None, Some(700))],
                vec![(ur.clone(), None, Some(700)), (nr.clone(), Some(NoExecute), d)],
            ),
            (
                "pod specified toleration which tolerates all taints, expect no change",
                vec![tol("", None, None)],
                vec![(String::new(), None, None)],
            ),
            (
                "a NoSchedule toleration for `not-ready` does not count",
                vec![tol(&nr, Some(NoSchedule), None)],
                vec![
                    (nr.clone(), Some(NoSchedule), None),
                    (nr.clone(), Some(NoExecute), d),
                    (ur.clone(), Some(NoExecute), d),
                ],
            ),
        ];
        for (name, given, want) in cases {
            assert_eq!(admitted(given), want, "{name}");
        }
    }
}
